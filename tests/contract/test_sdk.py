"""The emulator driven through Auth0's own SDK (auth0-python 6.8.0) as an independent client.

Every Management API endpoint the emulator implements is called through the SDK's generated
client: successful answers must parse into the SDK's pydantic models (Auth0's published shapes)
with the right values, writes must show up in later SDK reads, and every error must come out of
the SDK as the error class Auth0's real answer would produce, with Auth0's body.

Error tests pass `request_options={"max_retries": 0}`: the SDK retries 408/409/429/5xx twice by
default (sleeping between attempts), so without it each fault would fire up to three times.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, urlsplit

import jwt
import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error
from auth0.management import Auth0
from auth0.management.core import ApiError
from auth0.management.core.pagination import SyncPager
from auth0.management.core.request_options import RequestOptions
from auth0.management.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
)
from auth0.management.types import (
    GetOrganizationByNameResponseContent,
    GetOrganizationResponseContent,
    GetUserResponseContent,
    ListOrganizationMemberRolesOffsetPaginatedResponseContent,
    ListOrganizationMembersPaginatedResponseContent,
    ListOrganizationsPaginatedResponseContent,
    ListRolesOffsetPaginatedResponseContent,
    ListUserOrganizationsOffsetPaginatedResponseContent,
    ListUserRolesOffsetPaginatedResponseContent,
    ListUsersOffsetPaginatedResponseContent,
    Organization,
    OrganizationMember,
    Role,
    RoleUser,
    UserResponseSchema,
)
from pydantic import BaseModel

from emulator.control_client import ControlClient
from tests.conftest import AUDIENCE, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

T = TypeVar("T")
R = TypeVar("R")

NO_RETRY: RequestOptions = {"max_retries": 0}

ACME, GLOBEX, INITECH = ORG_IDS["acme"], ORG_IDS["globex"], ORG_IDS["initech"]
ANA, BEN, EVE = USER_IDS["ana"], USER_IDS["ben"], USER_IDS["eve"]
MALLORY, LONER = USER_IDS["mallory"], USER_IDS["loner"]

RATE_LIMIT_MESSAGE = (
    "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and "
    "X-RateLimit-Reset headers."
)


# --- helpers ---------------------------------------------------------------------------------


def make_client(emulator_url: str, token: str | Callable[[], str]) -> Auth0:
    """The SDK's Management client pointed at the emulator over plain http."""
    return Auth0(base_url=f"{emulator_url}/api/v2", token=token, timeout=10)


@pytest.fixture
def sdk(emulator_url: str, emulator: ControlClient) -> Auth0:
    """An SDK client holding a token of the all-scopes demo client."""
    return make_client(emulator_url, emulator.mint_token(DEMO_CLIENT_ID))


def client_for(
    emulator_url: str, emulator: ControlClient, client_id: str, scopes: list[str] | None = None
) -> Auth0:
    return make_client(emulator_url, emulator.mint_token(client_id, scopes=scopes))


def pages(pager: SyncPager[T, R]) -> list[list[T]]:
    """Every page the SDK's pager fetches, as lists of items."""
    return [list(page.items or []) for page in pager.iter_pages()]


def assert_known_fields(value: Any, where: str = "") -> None:
    """No field of the answer lands in a model's catch-all extras (models allow extra fields, so
    a misspelt or invented field would otherwise parse silently)."""
    if isinstance(value, BaseModel):
        name = where or type(value).__name__
        extra = value.model_extra or {}
        assert not extra, f"{name}: fields unknown to the SDK: {sorted(extra)}"
        for field_name, field_value in value:
            assert_known_fields(field_value, f"{name}.{field_name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert_known_fields(item, f"{where}[{index}]")


def error_body(exc: ApiError) -> dict[str, Any]:
    """The SDK hands the error body over as the decoded JSON object."""
    assert isinstance(exc.body, dict), f"expected a JSON object body, got {exc.body!r}"
    return exc.body


def assert_auth0_error(
    exc: ApiError, status: int, message: str, error_code: str | None = None
) -> dict[str, Any]:
    """Auth0's Management API error shape: statusCode, error, message and maybe errorCode."""
    assert exc.status_code == status
    body = error_body(exc)
    assert body["statusCode"] == status
    assert body["message"] == message
    if error_code is None:
        assert "errorCode" not in body
    else:
        assert body["errorCode"] == error_code
    return body


def api_calls(emulator: ControlClient, method: str, path: str) -> list[dict[str, Any]]:
    """The logged Management API calls to exactly this (percent-encoded) path."""
    return [r for r in emulator.api_requests() if r["method"] == method and r["path"] == path]


def member_roles_path(org_id: str, user_id: str) -> str:
    """The path as the SDK sends it: ids percent-encoded (auth0|x -> auth0%7Cx)."""
    return f"/api/v2/organizations/{quote(org_id, safe='')}/members/{quote(user_id, safe='')}/roles"


def query_of(entry: dict[str, Any]) -> dict[str, list[str]]:
    return parse_qs(entry["query"], keep_blank_values=True)


def ids(items: Iterable[Any]) -> list[str]:
    return [item.id for item in items]


# --- token endpoint through auth0.authentication.GetToken ----------------------------------


def get_token(emulator_url: str, client_id: str, client_secret: str) -> GetToken:
    domain = urlsplit(emulator_url).netloc  # "127.0.0.1:PORT"
    return GetToken(domain, client_id, client_secret=client_secret, protocol="http")


def test_get_token_client_credentials_gives_a_token_the_management_client_accepts(
    emulator_url: str, emulator: ControlClient
) -> None:
    answer = get_token(emulator_url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).client_credentials(
        AUDIENCE
    )

    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 86400
    assert "read:organizations" in answer["scope"].split()
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert claims["aud"] == AUDIENCE
    assert claims["azp"] == DEMO_CLIENT_ID

    # The SDK also takes a zero-argument callable for the token.
    client = make_client(emulator_url, lambda: answer["access_token"])
    assert ids(client.organizations.list()) == [ACME, GLOBEX, INITECH]


def test_get_token_scopes_follow_the_client_grant(
    emulator_url: str, emulator: ControlClient
) -> None:
    answer = get_token(
        emulator_url, "adminportal-readonly", "demo-readonly-secret"
    ).client_credentials(AUDIENCE)
    assert all(scope.startswith("read:") for scope in answer["scope"].split())

    client = make_client(emulator_url, answer["access_token"])
    assert client.users.get(ANA).email == "ana.lee@acme.example.com"
    with pytest.raises(ForbiddenError) as raised:
        client.organizations.members.create(ACME, members=[LONER], request_options=NO_RETRY)
    assert_auth0_error(
        raised.value,
        403,
        "Insufficient scope, expected any of: create:organization_members",
        "insufficient_scope",
    )


@pytest.mark.parametrize(
    ("secret", "audience", "status", "error_code"),
    [
        ("wrong-secret", AUDIENCE, 401, "access_denied"),
        (DEMO_CLIENT_SECRET, "https://elsewhere.test/api/v2/", 403, "access_denied"),
    ],
    ids=["bad-secret", "unknown-audience"],
)
def test_get_token_errors_surface_as_auth0_error(
    emulator_url: str,
    emulator: ControlClient,
    secret: str,
    audience: str,
    status: int,
    error_code: str,
) -> None:
    with pytest.raises(Auth0Error) as raised:
        get_token(emulator_url, DEMO_CLIENT_ID, secret).client_credentials(audience)
    assert raised.value.status_code == status
    assert raised.value.error_code == error_code


# --- organizations: reads --------------------------------------------------------------------


def test_organizations_list_parses_into_organization_models(
    sdk: Auth0, emulator: ControlClient
) -> None:
    pager = sdk.organizations.list()
    assert_known_fields(pager.response)

    assert isinstance(pager.response, ListOrganizationsPaginatedResponseContent)
    orgs = list(pager)
    assert all(isinstance(o, Organization) for o in orgs)
    by_id = {o.id: o for o in orgs}
    assert list(by_id) == [ACME, GLOBEX, INITECH]
    assert by_id[ACME].name == "acme"
    assert by_id[ACME].display_name == "Acme Corporation"
    assert by_id[ACME].metadata == {"region": "us"}
    assert by_id[GLOBEX].display_name == "Globex <b>&amp;</b> Partners"  # not unescaped
    # The SDK always sends take (checkpoint paging); one page, so no `next` and one call.
    assert pager.response.next is None
    (call,) = api_calls(emulator, "GET", "/api/v2/organizations")
    assert query_of(call) == {"include_totals": ["true"], "take": ["50"]}


def test_organizations_list_walks_every_checkpoint_page_exactly_once(
    sdk: Auth0, emulator: ControlClient
) -> None:
    created = [
        sdk.organizations.create(name=f"extra-{n:02d}", display_name=f"Extra {n}").id
        for n in range(8)
    ]
    assert all(org_id and org_id.startswith("org_") for org_id in created)

    walked = pages(sdk.organizations.list(take=3))

    assert [len(page) for page in walked] == [3, 3, 3, 2]
    every = [org.id for page in walked for org in page]
    assert every == [ACME, GLOBEX, INITECH, *created]  # creation order, no repeats, no gaps
    calls = api_calls(emulator, "GET", "/api/v2/organizations")
    assert len(calls) == 4  # the last page omits `next`, so no extra empty call
    assert "from" not in query_of(calls[0])
    assert all(query_of(c)["take"] == ["3"] and query_of(c)["from"] for c in calls[1:])


def test_organizations_list_without_take_gets_the_offset_shape_sorted(sdk: Auth0) -> None:
    """take=None makes the SDK send only include_totals (and sort): Auth0 then answers with the
    offset shape {organizations, start, limit, total}, which the SDK model still accepts."""
    pager = sdk.organizations.list(take=None, sort="name:-1")

    assert ids(pager) == [INITECH, GLOBEX, ACME]
    assert pager.response.next is None
    extra = pager.response.model_extra or {}
    assert (extra["start"], extra["limit"], extra["total"]) == (0, 50, 3)


def test_organization_get_and_get_by_name(sdk: Auth0) -> None:
    by_id = sdk.organizations.get(GLOBEX)
    by_name = sdk.organizations.get_by_name("globex")
    assert_known_fields(by_id)
    assert_known_fields(by_name)

    assert isinstance(by_id, GetOrganizationResponseContent)
    assert isinstance(by_name, GetOrganizationByNameResponseContent)
    for org in (by_id, by_name):
        assert (org.id, org.name, org.display_name) == (
            GLOBEX,
            "globex",
            "Globex <b>&amp;</b> Partners",
        )
        assert org.metadata == {"region": "eu"}


# --- organization members: reads -------------------------------------------------------------


def test_members_list_with_roles_embeds_each_members_roles(
    sdk: Auth0, emulator: ControlClient
) -> None:
    pager = sdk.organizations.members.list(ACME, fields="user_id,roles", include_fields=True)
    assert_known_fields(pager.response)

    assert isinstance(pager.response, ListOrganizationMembersPaginatedResponseContent)
    members = list(pager)
    assert all(isinstance(m, OrganizationMember) for m in members)
    roles = {m.user_id: [(r.id, r.name) for r in m.roles or []] for m in members}
    assert roles == {
        ANA: [(ROLE_IDS["org-owner"], "org-owner")],
        BEN: [
            (ROLE_IDS["billing-admin"], "billing-admin"),
            (ROLE_IDS["support-agent"], "support-agent"),
        ],
        MALLORY: [],
    }
    assert all(m.email is None and m.name is None for m in members)  # only the listed fields
    first = api_calls(emulator, "GET", f"/api/v2/organizations/{ACME}/members")[0]
    assert query_of(first)["fields"] == ["user_id,roles"]
    assert query_of(first)["include_fields"] == ["true"]


def test_members_list_default_fields_have_no_roles(sdk: Auth0) -> None:
    pager = sdk.organizations.members.list(GLOBEX)
    assert_known_fields(pager.response)
    members = list(pager)

    assert [m.user_id for m in members] == [USER_IDS["chloe"], USER_IDS["dmitri"], ANA]
    chloe = members[0]
    assert (chloe.name, chloe.email) == ("Chloé García", "chloe@globex.example.com")
    assert chloe.picture == "https://cdn.auth0.com/avatars/ch.png"
    assert all(m.roles is None for m in members)


def test_members_list_checkpoint_paging_stops_on_the_empty_page(
    sdk: Auth0, emulator: ControlClient
) -> None:
    """Auth0's members list keeps sending `next` on its last page; the SDK stops when the
    following call returns no members."""
    walked = pages(sdk.organizations.members.list(ACME, take=2))

    assert [[m.user_id for m in page] for page in walked] == [[ANA, BEN], [MALLORY]]
    calls = api_calls(emulator, "GET", f"/api/v2/organizations/{ACME}/members")
    assert len(calls) == 3  # two pages with members, then one empty page
    assert all(query_of(c)["from"] for c in calls[1:])


def test_member_roles_list(sdk: Auth0, emulator: ControlClient) -> None:
    pager = sdk.organizations.members.roles.list(ACME, BEN)
    assert_known_fields(pager.response)

    assert isinstance(pager.response, ListOrganizationMemberRolesOffsetPaginatedResponseContent)
    assert (pager.response.start, pager.response.limit, pager.response.total) == (0, 50, 2)
    roles = list(pager)
    assert all(isinstance(r, Role) for r in roles)
    assert [(r.id, r.name, r.description) for r in roles] == [
        (ROLE_IDS["billing-admin"], "billing-admin", "The billing-admin role"),
        (ROLE_IDS["support-agent"], "support-agent", "The support-agent role"),
    ]
    # The roles of one organization only: ana is org-owner in acme but viewer in globex.
    assert ids(sdk.organizations.members.roles.list(GLOBEX, ANA)) == [ROLE_IDS["viewer"]]


# --- users, user roles, user organizations: reads --------------------------------------------


def test_user_get_with_an_encoded_id(sdk: Auth0, emulator: ControlClient) -> None:
    user = sdk.users.get(ANA)
    assert_known_fields(user)

    assert isinstance(user, GetUserResponseContent)
    assert user.user_id == ANA
    assert (user.email, user.email_verified, user.name) == (
        "ana.lee@acme.example.com",
        True,
        "Ana Lee",
    )
    assert user.created_at is not None and user.created_at.tzinfo is not None
    assert user.identities and user.identities[0].provider == "auth0"
    assert user.identities[0].is_social is False
    (call,) = api_calls(emulator, "GET", "/api/v2/users/auth0%7Cana0000000000000000000001")
    assert call["status"] == 200


def test_user_get_with_fields(sdk: Auth0) -> None:
    user = sdk.users.get(MALLORY, fields="user_id,name", include_fields=True)

    assert user.user_id == MALLORY
    assert user.name == '<script>alert("x")</script> Mallory'
    assert user.email is None and user.identities is None


def test_users_list_search_by_email_v3(sdk: Auth0, emulator: ControlClient) -> None:
    pager = sdk.users.list(q='email:"ben.okafor@acme.example.com"', search_engine="v3")
    assert_known_fields(pager.response)

    assert isinstance(pager.response, ListUsersOffsetPaginatedResponseContent)
    response = pager.response
    assert (response.start, response.limit, response.length, response.total) == (0, 50, 1, 1)
    users = list(pager)
    assert all(isinstance(u, UserResponseSchema) for u in users)
    assert [(u.user_id, u.name) for u in users] == [(BEN, "Ben Okafor")]
    first = api_calls(emulator, "GET", "/api/v2/users")[0]
    assert query_of(first)["q"] == ['email:"ben.okafor@acme.example.com"']
    assert query_of(first)["search_engine"] == ["v3"]


def test_users_list_offset_paging_walks_every_user_once(
    sdk: Auth0, emulator: ControlClient
) -> None:
    walked = pages(sdk.users.list(q="email:*example.com", search_engine="v3", per_page=3))

    assert [len(page) for page in walked] == [3, 3, 1]
    assert [u.user_id for page in walked for u in page] == list(USER_IDS.values())
    # The SDK's offset pager asks for one more (empty) page before it stops.
    calls = api_calls(emulator, "GET", "/api/v2/users")
    assert [query_of(c)["page"] for c in calls] == [["0"], ["1"], ["2"], ["3"]]


def test_users_by_email(sdk: Auth0, emulator: ControlClient) -> None:
    users = sdk.users.list_users_by_email(email="chloe@globex.example.com")
    assert_known_fields(users)

    assert [(u.user_id, u.name) for u in users] == [(USER_IDS["chloe"], "Chloé García")]
    assert all(isinstance(u, UserResponseSchema) for u in users)
    assert sdk.users.list_users_by_email(email="nobody@example.com") == []
    (call, _) = api_calls(emulator, "GET", "/api/v2/users-by-email")
    assert query_of(call) == {"email": ["chloe@globex.example.com"]}


def test_user_roles_list(sdk: Auth0) -> None:
    pager = sdk.users.roles.list(ANA)
    assert_known_fields(pager.response)

    assert isinstance(pager.response, ListUserRolesOffsetPaginatedResponseContent)
    assert pager.response.total == 2
    assert [(r.id, r.name) for r in pager] == [
        (ROLE_IDS["beta-tester"], "beta-tester"),
        (ROLE_IDS["tenant-admin"], "tenant-admin"),
    ]
    assert list(sdk.users.roles.list(BEN)) == []  # org roles are not tenant-wide roles


def test_user_organizations_list(sdk: Auth0) -> None:
    pager = sdk.users.organizations.list(ANA)
    assert_known_fields(pager.response)

    assert isinstance(pager.response, ListUserOrganizationsOffsetPaginatedResponseContent)
    assert pager.response.total == 2
    orgs = list(pager)
    assert all(isinstance(o, Organization) for o in orgs)
    assert sorted((o.id, o.name) for o in orgs) == [(ACME, "acme"), (GLOBEX, "globex")]
    assert list(sdk.users.organizations.list(LONER)) == []


# --- roles: reads ----------------------------------------------------------------------------


def test_roles_list_with_name_filter(sdk: Auth0, emulator: ControlClient) -> None:
    pager = sdk.roles.list(name_filter="ADMIN")  # case-insensitive
    assert_known_fields(pager.response)

    assert isinstance(pager.response, ListRolesOffsetPaginatedResponseContent)
    assert pager.response.total == 3
    assert [r.name for r in pager] == ["billing-admin", "org-admin", "tenant-admin"]
    first = api_calls(emulator, "GET", "/api/v2/roles")[0]
    assert query_of(first)["name_filter"] == ["ADMIN"]


def test_roles_list_offset_paging_walks_every_role_once(sdk: Auth0) -> None:
    walked = pages(sdk.roles.list(per_page=3))

    assert [len(page) for page in walked] == [3, 3, 1]
    names = [r.name for page in walked for r in page]
    assert names == sorted(ROLE_IDS)


def test_role_get(sdk: Auth0) -> None:
    role = sdk.roles.get(ROLE_IDS["support-agent"])
    assert_known_fields(role)

    assert (role.id, role.name, role.description) == (
        ROLE_IDS["support-agent"],
        "support-agent",
        "The support-agent role",
    )


def test_role_users_list(sdk: Auth0, emulator: ControlClient) -> None:
    pager = sdk.roles.users.list(ROLE_IDS["beta-tester"])
    assert_known_fields(pager.response)

    users = list(pager)
    assert all(isinstance(u, RoleUser) for u in users)
    assert [(u.user_id, u.email) for u in users] == [
        (ANA, "ana.lee@acme.example.com"),
        (EVE, "eve@initech.example.com"),
    ]
    assert pager.response.next is None
    assert len(api_calls(emulator, "GET", f"/api/v2/roles/{ROLE_IDS['beta-tester']}/users")) == 1


# --- writes, each checked through a later SDK read -------------------------------------------


def test_members_create_and_delete_send_json_bodies(sdk: Auth0, emulator: ControlClient) -> None:
    path = f"/api/v2/organizations/{INITECH}/members"

    assert sdk.organizations.members.create(INITECH, members=[LONER, BEN]) is None
    # Members added by one call share a creation time; their order among themselves is open.
    members = [m.user_id for m in sdk.organizations.members.list(INITECH)]
    assert members[0] == EVE and sorted(members[1:]) == sorted([LONER, BEN])
    assert sorted(o.id for o in sdk.users.organizations.list(LONER)) == [INITECH]

    assert sdk.organizations.members.delete(INITECH, members=[LONER]) is None
    assert [m.user_id for m in sdk.organizations.members.list(INITECH)] == [EVE, BEN]
    assert list(sdk.users.organizations.list(LONER)) == []

    (added,) = api_calls(emulator, "POST", path)
    (removed,) = api_calls(emulator, "DELETE", path)
    assert (added["status"], added["body"]) == (204, {"members": [LONER, BEN]})
    assert (removed["status"], removed["body"]) == (204, {"members": [LONER]})


def test_member_roles_assign_and_delete(sdk: Auth0, emulator: ControlClient) -> None:
    viewer, owner = ROLE_IDS["viewer"], ROLE_IDS["org-owner"]

    sdk.organizations.members.roles.assign(ACME, MALLORY, roles=[viewer, owner])
    assert ids(sdk.organizations.members.roles.list(ACME, MALLORY)) == [owner, viewer]
    embedded = {
        m.user_id: [r.id for r in m.roles or []]
        for m in sdk.organizations.members.list(ACME, fields="user_id,roles", include_fields=True)
    }
    assert embedded[MALLORY] == [owner, viewer]

    sdk.organizations.members.roles.delete(ACME, MALLORY, roles=[owner])
    assert ids(sdk.organizations.members.roles.list(ACME, MALLORY)) == [viewer]
    # Other organizations' memberships are untouched.
    assert ids(sdk.organizations.members.roles.list(INITECH, EVE)) == [owner]

    path = member_roles_path(ACME, MALLORY)
    (assigned,) = api_calls(emulator, "POST", path)
    (deleted,) = api_calls(emulator, "DELETE", path)
    assert (assigned["status"], assigned["body"]) == (204, {"roles": [viewer, owner]})
    assert (deleted["status"], deleted["body"]) == (204, {"roles": [owner]})


def test_user_roles_assign_and_delete(sdk: Auth0, emulator: ControlClient) -> None:
    beta, viewer = ROLE_IDS["beta-tester"], ROLE_IDS["viewer"]

    sdk.users.roles.assign(LONER, roles=[beta, viewer])
    assert ids(sdk.users.roles.list(LONER)) == [beta, viewer]
    assert LONER in [u.user_id for u in sdk.roles.users.list(beta)]

    sdk.users.roles.delete(LONER, roles=[beta])
    assert ids(sdk.users.roles.list(LONER)) == [viewer]
    assert LONER not in [u.user_id for u in sdk.roles.users.list(beta)]

    (deleted,) = api_calls(
        emulator, "DELETE", "/api/v2/users/auth0%7Clon0000000000000000000001/roles"
    )
    assert (deleted["status"], deleted["body"]) == (204, {"roles": [beta]})


def test_role_users_assign(sdk: Auth0) -> None:
    viewer = ROLE_IDS["viewer"]

    assert sdk.roles.users.assign(viewer, users=[BEN, LONER]) is None
    assert [u.user_id for u in sdk.roles.users.list(viewer)] == [BEN, LONER]
    assert ids(sdk.users.roles.list(BEN)) == [viewer]


def test_organization_create_and_delete(sdk: Auth0) -> None:
    created = sdk.organizations.create(
        name="hooli",
        display_name="Hooli XYZ",
        metadata={"region": "us"},
        branding={"logo_url": "https://example.com/logo.png"},
    )

    assert_known_fields(created)
    assert created.id and created.id.startswith("org_")
    assert (created.name, created.display_name) == ("hooli", "Hooli XYZ")
    fetched = sdk.organizations.get_by_name("hooli")
    assert_known_fields(fetched)
    assert fetched.id == created.id
    assert fetched.metadata == {"region": "us"}
    assert (
        fetched.branding is not None and fetched.branding.logo_url == "https://example.com/logo.png"
    )

    assert sdk.organizations.delete(created.id) is None
    with pytest.raises(NotFoundError):
        sdk.organizations.get(created.id, request_options=NO_RETRY)
    assert created.id not in ids(sdk.organizations.list())


def test_role_create_and_delete(sdk: Auth0) -> None:
    created = sdk.roles.create(name="auditor", description="Reads everything")

    assert_known_fields(created)
    assert created.id and created.id.startswith("rol_")
    assert (created.name, created.description) == ("auditor", "Reads everything")
    assert sdk.roles.get(created.id).name == "auditor"
    assert [r.id for r in sdk.roles.list(name_filter="audit")] == [created.id]

    assert sdk.roles.delete(created.id) is None
    with pytest.raises(NotFoundError):
        sdk.roles.get(created.id, request_options=NO_RETRY)


def test_user_create_and_delete(sdk: Auth0) -> None:
    created = sdk.users.create(
        connection="Username-Password-Authentication",
        email="new.hire@acme.example.com",
        name="New Hire",
        password="correct horse battery staple",
    )

    assert_known_fields(created)
    assert created.user_id and created.user_id.startswith("auth0|")
    assert (created.email, created.name) == ("new.hire@acme.example.com", "New Hire")
    found = sdk.users.list_users_by_email(email="new.hire@acme.example.com")
    assert [u.user_id for u in found] == [created.user_id]

    assert sdk.users.delete(created.user_id) is None
    with pytest.raises(NotFoundError):
        sdk.users.get(created.user_id, request_options=NO_RETRY)


@pytest.mark.parametrize(
    "user_id",
    ["google-oauth2|104938271", "samlp|acme-sso|ana@acme.example.com", "oidc|realm/a b+c"],
)
def test_user_ids_needing_percent_encoding_round_trip(
    sdk: Auth0, emulator: ControlClient, user_id: str
) -> None:
    sdk.users.create(connection="acme-sso", user_id=user_id, email=f"{len(user_id)}@odd.example")
    sdk.organizations.members.create(ACME, members=[user_id])
    sdk.organizations.members.roles.assign(ACME, user_id, roles=[ROLE_IDS["viewer"]])
    sdk.users.roles.assign(user_id, roles=[ROLE_IDS["beta-tester"]])

    assert sdk.users.get(user_id).user_id == user_id
    assert ids(sdk.organizations.members.roles.list(ACME, user_id)) == [ROLE_IDS["viewer"]]
    assert ids(sdk.users.roles.list(user_id)) == [ROLE_IDS["beta-tester"]]
    assert ids(sdk.users.organizations.list(user_id)) == [ACME]
    assert user_id in [m.user_id for m in sdk.organizations.members.list(ACME)]
    paths = {r["path"] for r in emulator.api_requests()}
    assert not any("|" in p for p in paths)  # the SDK percent-encodes every path id


# --- 400 -------------------------------------------------------------------------------------


def test_empty_member_roles_list_is_invalid_body(sdk: Auth0) -> None:
    with pytest.raises(BadRequestError) as raised:
        sdk.organizations.members.roles.assign(ACME, BEN, roles=[], request_options=NO_RETRY)
    assert_auth0_error(
        raised.value,
        400,
        "Payload validation error: 'Array is too short (0), minimum 1' on property roles.",
        "invalid_body",
    )
    assert raised.value.body["error"] == "Bad Request"


def test_empty_members_list_is_invalid_body(sdk: Auth0) -> None:
    with pytest.raises(BadRequestError) as raised:
        sdk.organizations.members.delete(ACME, members=[], request_options=NO_RETRY)
    assert_auth0_error(
        raised.value,
        400,
        "Payload validation error: 'Array is too short (0), minimum 1' on property members.",
        "invalid_body",
    )
    assert [m.user_id for m in sdk.organizations.members.list(ACME)] == [ANA, BEN, MALLORY]


def test_user_roles_delete_400_is_a_plain_api_error(sdk: Auth0) -> None:
    """SDK quirk: DELETE /users/{id}/roles declares no 400, so a 400 comes out as the base
    ApiError rather than BadRequestError."""
    with pytest.raises(ApiError) as raised:
        sdk.users.roles.delete(ANA, roles=[], request_options=NO_RETRY)
    assert type(raised.value) is ApiError
    assert_auth0_error(
        raised.value,
        400,
        "Payload validation error: 'Array is too short (0), minimum 1' on property roles.",
        "invalid_body",
    )


def test_unknown_query_parameter_is_invalid_query_string(sdk: Auth0) -> None:
    with pytest.raises(BadRequestError) as raised:
        sdk.organizations.get(
            ACME,
            request_options={"max_retries": 0, "additional_query_parameters": {"foo": "bar"}},
        )
    assert_auth0_error(
        raised.value,
        400,
        "Query validation error: 'Additional properties not allowed: foo'.",
        "invalid_query_string",
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.roles.list(per_page=101, request_options=NO_RETRY),
            "Query validation error: 'Value 101 is greater than maximum 100' on property per_page.",
        ),
        (
            lambda c: c.organizations.members.list(ACME, take=0, request_options=NO_RETRY),
            "Query validation error: 'Value 0 is less than minimum 1' on property take.",
        ),
        (
            lambda c: c.users.list_users_by_email(email="not-an-email", request_options=NO_RETRY),
            "Query validation error: 'Object didn't pass validation for format email: "
            "not-an-email' on property email (Email address to search for (case-sensitive)).",
        ),
    ],
    ids=["per_page-over-100", "take-zero", "malformed-email"],
)
def test_out_of_range_query_values_are_invalid_query_string(
    sdk: Auth0, call: Callable[[Auth0], Any], message: str
) -> None:
    with pytest.raises(BadRequestError) as raised:
        call(sdk)  # the SDK sends the first request when the method is called
    assert_auth0_error(raised.value, 400, message, "invalid_query_string")


def test_offset_paging_past_1000_records_is_invalid_paging(sdk: Auth0) -> None:
    with pytest.raises(BadRequestError) as raised:
        sdk.roles.list(page=20, per_page=50, request_options=NO_RETRY)
    assert_auth0_error(
        raised.value,
        400,
        "Requesting page exceeds the allowed maximum of 1000 records",
        "invalid_paging",
    )


# --- 401 -------------------------------------------------------------------------------------


def resigned(token: str, key: str) -> str:
    """The same claims signed with another key."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (lambda e: "not-a-jwt", "Invalid token"),
        (
            lambda e: resigned(e.mint_token(DEMO_CLIENT_ID), "some-other-key-of-enough-length-abc"),
            "Invalid signature received for JSON Web Token validation",
        ),
        (lambda e: e.mint_token("legacy-non-global"), "Client is not global"),
    ],
    ids=["garbage", "bad-signature", "non-global-client"],
)
def test_rejected_tokens_are_unauthorized(
    emulator_url: str,
    emulator: ControlClient,
    make_token: Callable[[ControlClient], str],
    message: str,
) -> None:
    client = make_client(emulator_url, make_token(emulator))
    with pytest.raises(UnauthorizedError) as raised:
        client.organizations.get(ACME, request_options=NO_RETRY)
    body = assert_auth0_error(raised.value, 401, message)
    assert body["error"] == "Unauthorized"
    assert body["attributes"] == {"error": message}


def test_expired_token_is_unauthorized(emulator_url: str, emulator: ControlClient) -> None:
    client = make_client(emulator_url, emulator.mint_token(DEMO_CLIENT_ID, expires_in=60))
    assert client.organizations.get(ACME).name == "acme"

    emulator.advance_clock(61)
    with pytest.raises(UnauthorizedError) as raised:
        list(client.organizations.members.list(ACME, request_options=NO_RETRY))
    assert_auth0_error(raised.value, 401, "Expired token received for JSON Web Token validation")


# --- 403 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scopes", "call", "message"),
    [
        (
            ["read:organizations"],
            lambda c: list(c.organizations.members.list(ACME, request_options=NO_RETRY)),
            "Insufficient scope, expected any of: read:organization_members",
        ),
        (
            ["read:organization_members"],
            lambda c: list(
                c.organizations.members.list(
                    ACME, fields="user_id,roles", include_fields=True, request_options=NO_RETRY
                )
            ),
            "Insufficient scope, expected any of: read:organization_member_roles",
        ),
        (
            ["read:users"],
            lambda c: list(c.users.roles.list(ANA, request_options=NO_RETRY)),
            "Insufficient scope, expected all of: read:users, read:roles, read:role_members",
        ),
        (
            ["read:organization_member_roles"],
            lambda c: c.organizations.members.roles.assign(
                ACME, BEN, roles=[ROLE_IDS["viewer"]], request_options=NO_RETRY
            ),
            "Insufficient scope, expected any of: create:organization_member_roles",
        ),
        (
            ["read:roles"],
            lambda c: c.roles.create(name="sneaky", request_options=NO_RETRY),
            "Insufficient scope, expected any of: create:roles",
        ),
    ],
    ids=["members", "members-with-roles", "user-roles", "assign-member-roles", "create-role"],
)
def test_narrow_tokens_get_insufficient_scope(
    emulator_url: str,
    emulator: ControlClient,
    scopes: list[str],
    call: Callable[[Auth0], Any],
    message: str,
) -> None:
    client = client_for(emulator_url, emulator, DEMO_CLIENT_ID, scopes)
    with pytest.raises(ForbiddenError) as raised:
        call(client)
    body = assert_auth0_error(raised.value, 403, message, "insufficient_scope")
    assert body["error"] == "Forbidden"


def test_client_without_member_delete_cannot_remove_members(
    emulator_url: str, emulator: ControlClient, sdk: Auth0
) -> None:
    client = client_for(emulator_url, emulator, "adminportal-no-member-delete")
    with pytest.raises(ForbiddenError) as raised:
        client.organizations.members.delete(ACME, members=[BEN], request_options=NO_RETRY)
    assert_auth0_error(
        raised.value,
        403,
        "Insufficient scope, expected any of: delete:organization_members",
        "insufficient_scope",
    )
    assert BEN in [m.user_id for m in sdk.organizations.members.list(ACME)]


# --- 404 -------------------------------------------------------------------------------------

NO_ORG = "org_DoesNotExist0001"
NO_USER = "auth0|doesnotexist"
NO_ROLE = "rol_DoesNotExist0001"


@pytest.mark.parametrize(
    ("call", "message", "error_code"),
    [
        (
            lambda c: c.organizations.get(NO_ORG, request_options=NO_RETRY),
            "No organization found by that id or name",
            None,
        ),
        (
            lambda c: c.organizations.get_by_name("no-such-org", request_options=NO_RETRY),
            "No organization found by that id or name",
            None,
        ),
        (
            lambda c: list(c.organizations.members.list(NO_ORG, request_options=NO_RETRY)),
            "No organization found by that id or name",
            None,
        ),
        (
            lambda c: list(
                c.organizations.members.roles.list(ACME, NO_USER, request_options=NO_RETRY)
            ),
            "The user does not exist.",
            "inexistent_user",
        ),
        (
            lambda c: c.users.get(NO_USER, request_options=NO_RETRY),
            "The user does not exist.",
            "inexistent_user",
        ),
        (
            lambda c: list(c.users.roles.list(NO_USER, request_options=NO_RETRY)),
            "The user does not exist.",
            "inexistent_user",
        ),
        (
            lambda c: c.users.roles.assign(
                NO_USER, roles=[ROLE_IDS["viewer"]], request_options=NO_RETRY
            ),
            "The user does not exist.",
            "inexistent_user",
        ),
        (
            lambda c: list(c.users.organizations.list(NO_USER, request_options=NO_RETRY)),
            "The user does not exist.",
            "inexistent_user",
        ),
        (
            lambda c: c.roles.get(NO_ROLE, request_options=NO_RETRY),
            "The role does not exist.",
            None,
        ),
        (
            lambda c: c.roles.delete(NO_ROLE, request_options=NO_RETRY),
            "The role does not exist.",
            None,
        ),
        (
            lambda c: list(c.roles.users.list(NO_ROLE, request_options=NO_RETRY)),
            "The role does not exist.",
            None,
        ),
        (
            lambda c: c.organizations.delete(NO_ORG, request_options=NO_RETRY),
            "No organization found by that id or name",
            None,
        ),
    ],
    ids=[
        "organization",
        "organization-by-name",
        "members-of-unknown-org",
        "member-roles-of-unknown-user",
        "user",
        "user-roles",
        "assign-user-roles",
        "user-organizations",
        "role",
        "delete-role",
        "role-users",
        "delete-organization",
    ],
)
def test_unknown_objects_are_not_found(
    sdk: Auth0, call: Callable[[Auth0], Any], message: str, error_code: str | None
) -> None:
    with pytest.raises(NotFoundError) as raised:
        call(sdk)
    body = assert_auth0_error(raised.value, 404, message, error_code)
    assert body["error"] == "Not Found"


def test_404_on_an_endpoint_the_sdk_declares_no_404_for_is_a_plain_api_error(sdk: Auth0) -> None:
    """SDK quirk: POST /organizations/{id}/members maps no 404, so the base class comes out."""
    with pytest.raises(ApiError) as raised:
        sdk.organizations.members.create(NO_ORG, members=[BEN], request_options=NO_RETRY)
    assert type(raised.value) is ApiError
    assert_auth0_error(raised.value, 404, "No organization found by that id or name")


# --- 409 -------------------------------------------------------------------------------------


def test_more_than_100_roles_on_an_org_member_is_a_conflict(
    sdk: Auth0, emulator: ControlClient
) -> None:
    extra = [sdk.roles.create(name=f"bulk-{n:03d}").id for n in range(101)]
    assert all(role_id for role_id in extra)
    extra_ids = [role_id for role_id in extra if role_id is not None]
    assert sdk.roles.list(name_filter="bulk-").response.total == 101

    with pytest.raises(ConflictError) as raised:
        sdk.organizations.members.roles.assign(
            ACME, MALLORY, roles=extra_ids, request_options=NO_RETRY
        )
    body = assert_auth0_error(
        raised.value, 409, "No more roles can be assigned to this organization member."
    )
    assert body["error"] == "Conflict"
    assert list(sdk.organizations.members.roles.list(ACME, MALLORY)) == []  # nothing half-done

    sdk.organizations.members.roles.assign(ACME, MALLORY, roles=extra_ids[:100])
    held = pages(sdk.organizations.members.roles.list(ACME, MALLORY))
    assert [len(page) for page in held] == [50, 50]
    assert sorted(r.id for page in held for r in page) == sorted(extra_ids[:100])

    with pytest.raises(ConflictError):
        sdk.organizations.members.roles.assign(
            ACME, MALLORY, roles=[extra_ids[100]], request_options=NO_RETRY
        )
    path = member_roles_path(ACME, MALLORY)
    assert [c["status"] for c in api_calls(emulator, "POST", path)] == [409, 204, 409]


def test_duplicate_role_and_organization_are_conflicts(sdk: Auth0) -> None:
    with pytest.raises(ConflictError) as raised:
        sdk.roles.create(name="viewer", request_options=NO_RETRY)
    assert_auth0_error(raised.value, 409, "The role already exists.")

    with pytest.raises(ConflictError) as raised:
        sdk.organizations.create(name="acme", request_options=NO_RETRY)
    assert_auth0_error(
        raised.value,
        409,
        "An organization with this name already exists.",
        "organization_conflict",
    )


# --- 429 -------------------------------------------------------------------------------------


def test_injected_429_is_too_many_requests_and_fires_once(
    sdk: Auth0, emulator: ControlClient
) -> None:
    emulator.add_fault(path=r"^/api/v2/organizations$", method="GET", status=429, times=1)

    with pytest.raises(TooManyRequestsError) as raised:
        list(sdk.organizations.list(request_options=NO_RETRY))
    assert_auth0_error(raised.value, 429, RATE_LIMIT_MESSAGE, "too_many_requests")
    headers = raised.value.headers or {}
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(headers)

    assert ids(sdk.organizations.list()) == [ACME, GLOBEX, INITECH]
    statuses = [c["status"] for c in api_calls(emulator, "GET", "/api/v2/organizations")]
    assert statuses == [429, 200]


def test_empty_rate_limit_bucket_is_too_many_requests(sdk: Auth0, emulator: ControlClient) -> None:
    emulator.set_rate_limits(buckets={"read_organization": {"burst": 1, "per_second": 0.001}})

    assert sdk.organizations.get(ACME).name == "acme"
    with pytest.raises(TooManyRequestsError) as raised:
        sdk.organizations.get(ACME, request_options=NO_RETRY)
    assert_auth0_error(raised.value, 429, RATE_LIMIT_MESSAGE, "too_many_requests")
    headers = raised.value.headers or {}
    assert (headers["x-ratelimit-limit"], headers["x-ratelimit-remaining"]) == ("1", "0")
    assert int(headers["x-ratelimit-reset"]) > time.time() + 500  # ~1000 s to refill one

    # Other endpoint groups keep their own buckets.
    assert sdk.organizations.get_by_name("acme").id == ACME
    # Once the bucket has refilled the same call goes through again.
    emulator.advance_clock(1001)
    assert sdk.organizations.get(ACME).id == ACME


def test_empty_global_bucket_says_global_limit(sdk: Auth0, emulator: ControlClient) -> None:
    emulator.set_rate_limits(buckets={"global": {"burst": 1, "per_second": 0.001}})

    assert sdk.roles.get(ROLE_IDS["viewer"]).name == "viewer"
    with pytest.raises(TooManyRequestsError) as raised:
        sdk.users.get(ANA, request_options=NO_RETRY)
    assert_auth0_error(raised.value, 429, "Global limit has been reached", "too_many_requests")


def test_sdk_retries_a_429_after_x_ratelimit_reset(sdk: Auth0, emulator: ControlClient) -> None:
    """With its default retries the SDK waits until x-ratelimit-reset (< 1 s here) and tries
    again; the fault fires once, so the retry succeeds."""
    emulator.add_fault(path=r"/members/[^/]+/roles$", method="GET", status=429, times=1)

    assert ids(sdk.organizations.members.roles.list(INITECH, EVE)) == [ROLE_IDS["org-owner"]]
    path = member_roles_path(INITECH, EVE)
    first_page = [c for c in api_calls(emulator, "GET", path) if query_of(c)["page"] == ["0"]]
    assert [c["status"] for c in first_page] == [429, 200]


# --- 5xx -------------------------------------------------------------------------------------


def test_injected_500_is_an_api_error_with_auth0s_body(sdk: Auth0, emulator: ControlClient) -> None:
    emulator.add_fault(path=r"^/api/v2/organizations/org_", method="GET", status=500, times=1)

    with pytest.raises(ApiError) as raised:
        sdk.organizations.get(ACME, request_options=NO_RETRY)
    assert type(raised.value) is ApiError  # the SDK has no class for 500 on this endpoint
    body = assert_auth0_error(raised.value, 500, "An internal server error occurred")
    assert body["error"] == "Internal Server Error"
    assert sdk.organizations.get(ACME).id == ACME  # the fault fired once


def test_injected_503_on_user_search_is_service_unavailable(
    sdk: Auth0, emulator: ControlClient
) -> None:
    emulator.add_fault(path=r"^/api/v2/users$", method="GET", status=503, times=1)

    with pytest.raises(ServiceUnavailableError) as raised:
        list(sdk.users.list(q="name:Ana*", search_engine="v3", request_options=NO_RETRY))
    assert raised.value.status_code == 503
    assert error_body(raised.value)["statusCode"] == 503
    assert [u.user_id for u in sdk.users.list(q="name:Ana*", search_engine="v3")] == [ANA]


def test_html_502_from_a_proxy_is_an_api_error_with_text_body(
    sdk: Auth0, emulator: ControlClient
) -> None:
    emulator.add_fault(
        path=r"/members$",
        method="POST",
        status=502,
        raw_body="<html><body>502 Bad Gateway</body></html>",
        times=1,
    )

    with pytest.raises(ApiError) as raised:
        sdk.organizations.members.create(ACME, members=[LONER], request_options=NO_RETRY)
    assert raised.value.status_code == 502
    assert isinstance(raised.value.body, str) and "502 Bad Gateway" in raised.value.body
    assert LONER not in [m.user_id for m in sdk.organizations.members.list(ACME)]
