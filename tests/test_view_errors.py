"""Every error class a write can meet, through the views: injected with the emulator (Auth0's own
bodies) or real (a client without a scope, a wrong secret, a member who is gone, 100 roles), as an
htmx post (status from orgs.feedback, no body, the message in HX-Trigger, closeDialog and the
refresh event exactly when the page must refresh) and as a plain post (a redirect, or the assign
form again, and the message on the page). Also errors while reading pages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache

from orgs.auth0_mgmt import errors, get_client
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import (
    HX,
    bigger_seed,
    hx_messages,
    hx_trigger,
    members_of,
    one_message,
    tenant_roles_of,
    text,
    toasts,
    writes,
)

ACME = ORG_IDS["acme"]
ANA = USER_IDS["ana"]
BEN = USER_IDS["ben"]
MEMBERS_URL = f"/organizations/{ACME}/"
ANA_URL = f"/organizations/{ACME}/members/{ANA}/"
ANA_PAGE = f"/organizations/{ACME}/members/auth0%7Cana0000000000000000000001/"


# These tests are about the views' flows; the protected-role guardrail has its own tests.
pytestmark = pytest.mark.usefixtures("no_protected_roles")


def auth0_body(status: int, error: str, message: str, code: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"statusCode": status, "error": error, "message": message}
    if code:
        body["errorCode"] = code
    return body


def far_reset() -> dict[str, str]:
    """A rate-limit reset too far away for the client to wait and retry."""
    return {"x-ratelimit-reset": str(int(time.time()) + 120)}


@dataclass(frozen=True)
class Case:
    """One way a write fails, and what the person must be told."""

    id: str
    error: type[errors.Auth0Error]
    arrange: Callable[[Any, Any], None]
    """(emulator, settings): inject the fault or set up the real condition."""
    status: int
    level: str
    says: tuple[str, ...]
    refresh: bool = False
    user: str = BEN
    changed: bool | None = False
    """Whether the member ends up removed (None: not checked)."""
    extra: dict[str, Any] = field(default_factory=dict)


def fault(method: str = "DELETE", path: str = r"/members$", **spec: Any) -> Callable:
    def arrange(emulator, settings) -> None:
        if "headers" in spec and callable(spec["headers"]):
            spec_now = {**spec, "headers": spec["headers"]()}
        else:
            spec_now = spec
        get_client().get_organization(ACME)  # a token in hand: only the write fails
        emulator.add_fault(method=method, path=path, **spec_now)

    return arrange


def use_client(client_id: str, secret: str) -> Callable:
    def arrange(emulator, settings) -> None:
        settings.AUTH0_CLIENT_ID = client_id
        settings.AUTH0_CLIENT_SECRET = secret

    return arrange


def slow_auth0(emulator, settings) -> None:
    settings.AUTH0_TIMEOUT_READ = 0.3
    fault(delay=1.5)(emulator, settings)


def unreachable(emulator, settings) -> None:
    settings.AUTH0_BASE_URL = "http://127.0.0.1:9"  # the discard port: connection refused


def nothing(emulator, settings) -> None:
    pass


def gone_already(emulator, settings) -> None:
    get_client().remove_members(ACME, [BEN])


UNCHANGED = "Nothing was changed."
UNKNOWN = "so the change may or may not have been applied"

REMOVE_MEMBER_CASES = [
    Case(
        "InvalidBody",
        errors.InvalidBody,
        fault(
            status=400,
            body=auth0_body(
                400,
                "Bad Request",
                "Payload validation error: 'Expected type array but found type string' on property members.",
                "invalid_body",
            ),
        ),
        400,
        "error",
        (
            "Could not remove Ben Okafor from Acme Corporation: Auth0 refused the request: "
            "“Payload validation error: 'Expected type array but found type string' on property members.”",
            UNCHANGED,
        ),
    ),
    Case(
        "InvalidQueryString",
        errors.InvalidQueryString,
        fault(
            status=400,
            body=auth0_body(
                400,
                "Bad Request",
                "Query validation error: 'Additional properties not allowed: foo' on property foo.",
                "invalid_query_string",
            ),
        ),
        400,
        "error",
        ("Auth0 refused the query", "This is a bug in adminportal; please report it"),
    ),
    Case(
        "Auth0BadRequest",
        errors.Auth0BadRequest,
        fault(status=400, body=auth0_body(400, "Bad Request", "Something unexpected")),
        400,
        "error",
        ("Auth0 refused the request: “Something unexpected”",),
    ),
    Case(
        "PayloadTooLarge",
        errors.PayloadTooLarge,
        fault(status=413, body=auth0_body(413, "Request Entity Too Large", "Payload too large")),
        400,
        "error",
        ("the request is over Auth0's 1 MB limit. Select fewer.",),
    ),
    Case(
        "InvalidToken",
        errors.InvalidToken,
        # The client fetches a new token and retries once, so it is refused twice.
        fault(status=401, body=auth0_body(401, "Unauthorized", "Invalid token"), times=2),
        502,
        "error",
        (
            "did not accept adminportal's access token (“Invalid token”), even after fetching a new one",
        ),
    ),
    Case(
        "InvalidSignature",
        errors.InvalidSignature,
        fault(
            status=401,
            body=auth0_body(
                401, "Unauthorized", "Invalid signature received for JSON Web Token validation."
            ),
            times=2,  # refused again with a new token
        ),
        502,
        "error",
        ("rejected the signature of adminportal's access token", "check AUTH0_DOMAIN"),
    ),
    Case(
        "ClientNotGlobal",
        errors.ClientNotGlobal,
        fault(status=401, body=auth0_body(401, "Unauthorized", "Client is not global.")),
        502,
        "error",
        ("is not a global client", "Machine-to-Machine application"),
    ),
    Case(
        "CredentialsRejected",
        errors.CredentialsRejected,
        use_client("adminportal-demo", "not-the-secret"),
        502,
        "error",
        (
            "Could not remove the member: Auth0 refused adminportal's client credentials",
            "check AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET",
        ),
    ),
    Case(
        "InsufficientScope",
        errors.InsufficientScope,
        use_client("adminportal-no-member-delete", "demo-no-member-delete-secret"),
        403,
        "error",
        (
            "Could not remove Ben Okafor from Acme Corporation: adminportal's Auth0 application "
            "lacks the permission delete:organization_members.",
            "Machine to Machine Applications",
            UNCHANGED,
        ),
    ),
    Case(
        "Auth0Forbidden",
        errors.Auth0Forbidden,
        fault(status=403, body=auth0_body(403, "Forbidden", "Organization is locked")),
        403,
        "error",
        ("Auth0 refused: “Organization is locked”.", UNCHANGED),
    ),
    Case(
        "OrganizationNotFound",
        errors.OrganizationNotFound,
        fault(
            status=404,
            body=auth0_body(404, "Not Found", "No organization found by that id or name"),
        ),
        404,
        "warning",
        ("Could not remove Ben Okafor from Acme Corporation: the organization no longer exists",),
        refresh=True,
    ),
    Case(
        "MemberNotFound (never a member)",
        errors.MemberNotFound,
        nothing,
        404,
        "warning",
        ("Could not remove the member: they are no longer a member of this organization.",),
        refresh=True,
        user=USER_IDS["chloe"],
    ),
    Case(
        "MemberNotFound (no longer a member)",
        errors.MemberNotFound,
        gone_already,
        404,
        "warning",
        ("they are no longer a member of this organization.",),
        refresh=True,
        changed=True,
    ),
    Case(
        "Auth0Conflict",
        errors.Auth0Conflict,
        fault(status=409, body=auth0_body(409, "Conflict", "A conflict happened")),
        409,
        "error",
        ("Auth0 reported a conflict: “A conflict happened”.",),
    ),
    Case(
        "Auth0RateLimited",
        errors.Auth0RateLimited,
        fault(
            status=429,
            body=auth0_body(
                429,
                "Too Many Requests",
                "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.",
            ),
            headers=far_reset,
        ),
        429,
        "error",
        ("Auth0 is limiting how fast adminportal may call it.", UNCHANGED, "Try again in 1"),
    ),
    Case(
        "Auth0ServerError (503)",
        errors.Auth0ServerError,
        fault(status=503),
        503,
        "error",
        (
            "Auth0 had a problem (An internal server error occurred). The change was probably "
            "not made; the list has been refreshed so you can check.",
            "status.auth0.com",
        ),
        refresh=True,
    ),
    Case(
        "Auth0ServerError (non-JSON 502)",
        errors.Auth0ServerError,
        fault(status=502, raw_body="<html><h1>502 Bad Gateway</h1></html>"),
        503,
        "error",
        (
            "Auth0 had a problem (Auth0 answered HTTP 502 without a JSON body: "
            "<html><h1>502 Bad Gateway</h1></html>)",
        ),
        refresh=True,
    ),
    Case(
        "Auth0Timeout",
        errors.Auth0Timeout,
        slow_auth0,
        504,
        "error",
        ("Auth0 did not answer in time, " + UNKNOWN, "check it before trying again"),
        refresh=True,
        changed=None,
    ),
    Case(
        "Auth0Unreachable (refused)",
        errors.Auth0Unreachable,
        unreachable,
        503,
        "error",
        ("adminportal could not reach Auth0 at 127.0.0.1:9.", UNCHANGED, "status.auth0.com"),
    ),
    Case(
        "Auth0Unreachable (dropped)",
        errors.Auth0Unreachable,
        fault(drop=True),
        503,
        "error",
        ("Auth0 dropped the connection before answering, " + UNKNOWN,),
        refresh=True,
        changed=None,
    ),
    Case(
        "InvalidInput",
        errors.InvalidInput,
        nothing,
        400,
        "warning",
        ("“not-a-user-id” is not an Auth0 user id (provider|id).", UNCHANGED),
        user="not-a-user-id",
    ),
]


def remove_url(case: Case) -> str:
    return f"/organizations/{ACME}/members/{case.user}/remove/"


def assert_says(message: str, case: Case) -> None:
    for part in case.says:
        assert part in message, (part, message)
    if case.error is errors.Auth0RateLimited:  # Auth0's reset is 120 seconds away
        assert re.search(r"Try again in 1[12]\d seconds\.", message), message


def check_membership(auth0, case: Case) -> None:
    if case.changed is None or case.user != BEN:
        return
    auth0.clear_faults()
    assert (BEN not in members_of(auth0, ACME)) is case.changed


def test_the_cases_cover_every_error_class_a_write_can_meet():
    covered = {case.error for case in REMOVE_MEMBER_CASES} | {
        errors.InvalidPaging,  # a read: below
        errors.RoleNotFound,  # removing a role: below
        errors.UserNotFound,  # tenant-wide roles: below
        errors.MemberRolesLimitReached,  # assigning: below
    }
    every = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.Auth0Error)
    }
    abstract = {
        errors.Auth0Error,
        errors.Auth0Unauthorized,
        errors.Auth0NotFound,
        errors.Auth0Unavailable,
    }
    assert every - abstract - covered == set()


@pytest.mark.parametrize("case", REMOVE_MEMBER_CASES, ids=lambda c: c.id)
def test_an_htmx_write_error_answers_with_its_status_message_and_events(
    auth0, client, settings, case: Case
):
    case.arrange(auth0, settings)

    response = client.post(remove_url(case), headers=HX)

    assert response.status_code == case.status
    assert response.content == b""
    level, message = one_message(hx_messages(response))
    assert level == case.level
    assert_says(message, case)
    events = set(hx_trigger(response)) - {"messages"}
    assert events == ({"closeDialog", "membersChanged"} if case.refresh else set())
    check_membership(auth0, case)


@pytest.mark.parametrize("case", REMOVE_MEMBER_CASES, ids=lambda c: c.id)
def test_a_plain_write_error_redirects_and_the_next_page_shows_the_message(
    auth0, client, settings, case: Case
):
    case.arrange(auth0, settings)

    response = client.post(remove_url(case))

    assert response.status_code == 302 and response["Location"] == MEMBERS_URL
    assert "HX-Trigger" not in response
    page = client.get(MEMBERS_URL)
    shown = [(level, message) for level, message in toasts(page) if case.says[0] in message]
    assert len(shown) == 1, toasts(page)
    assert shown[0][0] == case.level
    assert_says(shown[0][1], case)
    assert "<html><h1>" not in text(page)  # Auth0's HTML is shown as text
    check_membership(auth0, case)


def test_a_timeout_on_a_write_gives_auth0_s_reference(auth0, client, settings):
    slow_auth0(auth0, settings)

    response = client.post(f"/organizations/{ACME}/members/{BEN}/remove/", headers=HX)

    (delete,) = [r for r in auth0.api_requests() if r["method"] == "DELETE"]
    _, message = one_message(hx_messages(response))
    assert f"(Reference for Auth0's logs: {delete['correlation_id']}.)" in message


def test_a_dropped_connection_on_a_write_is_not_retried(auth0, client, settings):
    fault(drop=True)(auth0, settings)

    client.post(f"/organizations/{ACME}/members/{BEN}/remove/", headers=HX)

    assert len(writes(auth0)) == 1


# --- removing a role: the role is no longer held, or Auth0 fails --------------------------------


def test_removing_a_role_the_member_no_longer_holds_refreshes_their_roles(auth0, client):
    url = f"/organizations/{ACME}/members/{ANA}/roles/remove/"
    get_client().remove_member_roles(ACME, ANA, [ROLE_IDS["org-owner"]])  # someone else did
    auth0.clear_requests()

    response = client.post(url, {"role": ROLE_IDS["org-owner"]}, headers=HX)

    assert response.status_code == 404 and response.content == b""
    assert set(hx_trigger(response)) == {"closeDialog", "rolesChanged", "messages"}
    assert one_message(hx_messages(response)) == (
        "warning",
        "Could not remove the role: they no longer hold that role, or it no longer exists in "
        "Auth0. The list has been refreshed.",
    )
    assert writes(auth0) == []

    plain = client.post(url, {"role": ROLE_IDS["org-owner"]})
    assert plain.status_code == 302 and plain["Location"] == ANA_PAGE
    assert toasts(client.get(ANA_PAGE))[0][1].startswith(
        "Could not remove the role: they no longer"
    )


@pytest.mark.parametrize(
    ("spec", "status", "events", "says"),
    [
        ({"status": 503}, 503, {"closeDialog", "rolesChanged"}, "Auth0 had a problem"),
        (
            {"status": 429, "headers": far_reset},
            429,
            set(),
            "Could not remove the role org-owner from Ana Lee in Acme Corporation: Auth0 is limiting",
        ),
    ],
)
def test_a_failed_role_removal_with_htmx(auth0, client, settings, spec, status, events, says):
    fault(path=r"/members/auth0%7Cana\w+/roles$", **spec)(auth0, settings)

    response = client.post(
        f"/organizations/{ACME}/members/{ANA}/roles/remove/",
        {"role": ROLE_IDS["org-owner"]},
        headers=HX,
    )

    assert response.status_code == status and response.content == b""
    assert set(hx_trigger(response)) - {"messages"} == events
    assert says in one_message(hx_messages(response))[1]
    assert members_of(auth0, ACME)[ANA] == {ROLE_IDS["org-owner"]}


def test_removing_a_tenant_wide_role_of_a_deleted_user_is_user_not_found(auth0, client, settings):
    fault(
        path=r"/users/auth0%7Cana\w+/roles$",
        status=404,
        body=auth0_body(404, "Not Found", "The user does not exist.", "inexistent_user"),
    )(auth0, settings)

    response = client.post(
        f"/users/{ANA}/roles/remove/", {"role": ROLE_IDS["beta-tester"]}, headers=HX
    )

    assert response.status_code == 404 and response.content == b""
    assert set(hx_trigger(response)) == {"closeDialog", "rolesChanged", "messages"}
    level, message = one_message(hx_messages(response))
    assert level == "warning"
    assert message.startswith(
        "Could not remove the tenant-wide role beta-tester from Ana Lee: the user no longer "
        "exists in Auth0. (Reference for Auth0's logs: "
    )
    assert tenant_roles_of(auth0, ANA) == {ROLE_IDS["tenant-admin"], ROLE_IDS["beta-tester"]}


def test_a_failed_tenant_wide_role_removal_without_js_redirects_with_the_message(
    auth0, client, settings
):
    use_client("adminportal-no-member-delete", "demo-no-member-delete-secret")(auth0, settings)
    fault(
        path=r"/users/auth0%7Cana\w+/roles$",
        status=403,
        body=auth0_body(
            403,
            "Forbidden",
            "Insufficient scope; expected any of: update:users.",
            "insufficient_scope",
        ),
    )(auth0, settings)

    response = client.post(f"/users/{ANA}/roles/remove/", {"role": ROLE_IDS["beta-tester"]})

    assert response.status_code == 302
    assert response["Location"] == "/users/auth0%7Cana0000000000000000000001/roles/"
    level, message = one_message(toasts(client.get(response["Location"])))
    assert level == "error"
    assert "lacks the permission update:users" in message


# --- bulk removal -----------------------------------------------------------------------------


def test_a_failed_bulk_removal_names_everyone_and_changes_nothing(auth0, client, settings):
    fault(status=429, headers=far_reset)(auth0, settings)

    response = client.post(
        f"/organizations/{ACME}/members/remove/", {"user": [ANA, BEN]}, headers=HX
    )

    assert response.status_code == 429 and response.content == b""
    assert set(hx_trigger(response)) == {"messages"}
    _, message = one_message(hx_messages(response))
    assert message.startswith("Could not remove Ana Lee and Ben Okafor from Acme Corporation")
    assert set(members_of(auth0, ACME)) == {ANA, BEN, USER_IDS["mallory"]}


def test_a_bulk_removal_of_more_than_100_members_is_invalid_input(auth0, client):
    users = [f"auth0|extra{i:020d}" for i in range(101)]

    response = client.post(f"/organizations/{ACME}/members/remove/", {"user": users}, headers=HX)

    assert response.status_code == 400
    level, message = one_message(hx_messages(response))
    assert level == "warning"
    assert "At most 100 members can be changed at once (101 given). Nothing was changed." in message
    assert writes(auth0) == []


# --- assigning roles: the form keeps what was chosen ---------------------------------------


ASSIGN = {"roles": [ROLE_IDS["viewer"], ROLE_IDS["support-agent"]]}
ASSIGN_FAILED = "Could not add support-agent, viewer to Ana Lee in Acme Corporation: "
ROLES_PATH = r"/members/auth0%7Cana\w+/roles$"


def checked_roles(response) -> list[str]:
    return re.findall(r'name="roles" value="(rol_\w+)" checked>', text(response))


def slow_assign(emulator, settings) -> None:
    settings.AUTH0_TIMEOUT_READ = 0.3
    fault("POST", ROLES_PATH, delay=1.5)(emulator, settings)


ASSIGN_CASES = [
    pytest.param(
        fault(
            "POST",
            ROLES_PATH,
            status=400,
            body=auth0_body(400, "Bad Request", "Payload validation error: 'x'", "invalid_body"),
        ),
        400,
        False,
        "Auth0 refused the request: “Payload validation error: 'x'”",
        id="InvalidBody",
    ),
    pytest.param(
        use_client("adminportal-readonly", "demo-readonly-secret"),
        403,
        False,
        "lacks the permission create:organization_member_roles",
        id="InsufficientScope",
    ),
    pytest.param(
        fault("POST", ROLES_PATH, status=429, headers=far_reset),
        429,
        False,
        "Auth0 is limiting how fast adminportal may call it. Nothing was changed. Try again in 1",
        id="Auth0RateLimited",
    ),
    pytest.param(
        fault("POST", ROLES_PATH, status=503),
        503,
        True,
        "Auth0 had a problem",
        id="Auth0ServerError",
    ),
    pytest.param(slow_assign, 504, True, UNKNOWN, id="Auth0Timeout"),
]


@pytest.mark.parametrize(("arrange", "status", "refresh", "says"), ASSIGN_CASES)
def test_a_failed_assignment_with_htmx_keeps_the_form(
    auth0, client, settings, arrange, status, refresh, says
):
    arrange(auth0, settings)

    response = client.post(ANA_URL, ASSIGN, headers=HX)

    assert response.status_code == status
    assert response.content == b""  # nothing swapped: the form keeps what was chosen
    level, message = one_message(hx_messages(response))
    assert level == "error" and says in message
    assert set(hx_trigger(response)) - {"messages"} == ({"rolesChanged"} if refresh else set())


@pytest.mark.parametrize(("arrange", "status", "refresh", "says"), ASSIGN_CASES)
def test_a_failed_assignment_without_js_shows_the_form_again_or_the_fresh_roles(
    auth0, client, settings, arrange, status, refresh, says
):
    arrange(auth0, settings)

    response = client.post(ANA_URL, ASSIGN)

    if refresh:  # the roles shown may be out of date: the page is loaded afresh
        assert response.status_code == 302 and response["Location"] == ANA_PAGE
        response = client.get(ANA_PAGE)
    else:
        assert response.status_code == status
        assert "<html" in text(response)
        assert sorted(checked_roles(response)) == sorted(ASSIGN["roles"])
    level, message = one_message(toasts(response))
    assert level == "error" and says in message
    if not refresh:
        assert message.startswith(ASSIGN_FAILED)


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/roles$", 429, "Auth0 is limiting how fast adminportal may call it."),
        (r"/users/auth0%7Cana\w+$", 503, "Auth0 had a problem"),
    ],
)
def test_without_js_a_failure_before_assigning_comes_back_to_the_member_with_the_choice(
    auth0, client, settings, path, status, says
):
    """The page sat open: what it showed is no longer remembered, and reading it again fails."""
    client.get(ANA_PAGE)
    cache.clear()
    auth0.add_fault(method="GET", path=path, status=status, headers=far_reset())

    response = client.post(ANA_URL, {**ASSIGN, "names": "billing-admin"})

    assert response.status_code == 302
    assert response["Location"].startswith(ANA_PAGE + "?")
    auth0.clear_faults()
    cache.clear()  # later: Auth0's limit has reset, and what was noted of it is gone
    page = client.get(response["Location"])
    level, message = one_message(toasts(page))
    assert level == "error" and message.startswith("Could not assign roles: ") and says in message
    assert sorted(checked_roles(page)) == sorted(ASSIGN["roles"])
    assert 'value="billing-admin"' in text(page)
    assert writes(auth0) == []


def test_assigning_past_100_roles_is_refused_and_the_100_stay_checked(auth0, client, settings):
    settings.ORGANIZATION_ROLE_PATTERN = r"extra-role-\d+"  # organization roles
    auth0.reset(seed=bigger_seed(extra_roles=100))
    extra = [f"rol_Extra{i:011d}" for i in range(100)]  # Ana holds org-owner already

    htmx = client.post(ANA_URL, {"roles": extra}, headers=HX)
    plain = client.post(ANA_URL, {"roles": extra})

    assert htmx.status_code == plain.status_code == 409
    assert htmx.content == b""
    assert set(hx_trigger(htmx)) == {"messages"}
    _, message = one_message(hx_messages(htmx))
    assert "a member can hold at most 100 roles in an organization" in message
    assert "Remove roles they no longer need first. Nothing was changed." in message
    assert len(checked_roles(plain)) == 100
    assert "100 roles" in one_message(toasts(plain))[1]
    assert members_of(auth0, ACME)[ANA] == {ROLE_IDS["org-owner"]}


def test_choosing_more_than_100_roles_is_refused_by_the_form(auth0, client):
    auth0.reset(seed=bigger_seed(extra_roles=101))

    response = client.post(ANA_URL, {"roles": [f"rol_Extra{i:011d}" for i in range(101)]})

    assert response.status_code == 200
    assert "Choose at most 100 roles at once." in text(response)
    assert writes(auth0) == []


# --- reading pages -----------------------------------------------------------------------------


def test_paging_past_auth0_s_1000_records_says_so(auth0, client):
    response = client.get("/organizations/", {"page": "41", "per_page": "25"})

    assert response.status_code == 400
    body = text(response)
    assert '<div class="panel panel-error" role="alert">' in body
    assert "Auth0 lists only the first 1,000 records page by page." in body
    (call,) = auth0.api_requests()
    assert call["status"] == 400 and "page=40" in call["query"]

    partial = client.get("/organizations/", {"page": "41", "per_page": "25"}, headers=HX)
    assert partial.status_code == 400 and partial.content == b""
    assert (
        "Could not list the organizations: Auth0 lists only the first 1,000 records"
        in (one_message(hx_messages(partial))[1])
    )


def test_a_members_page_that_cannot_be_read_shows_an_error_panel(auth0, client):
    auth0.add_fault(method="GET", path=r"/members$", status=503)

    response = client.get(MEMBERS_URL)

    assert response.status_code == 503
    body = text(response)
    panel = re.search(r'<div class="panel panel-error" role="alert">(.*?)</div>', body, re.S)[1]
    assert "Auth0 could not be read" in panel
    assert (
        "Could not list this organization&#x27;s members: Auth0 had a problem "
        "(An internal server error occurred). If it persists, see status.auth0.com." in panel
    )  # a read: no word of a change
    assert f'<a href="{MEMBERS_URL}">Try again</a>' in panel
    assert toasts(response) == []  # said once, in the panel
    assert "<h1>Acme Corporation</h1>" in body  # the rest of the page is there


def test_an_htmx_table_refresh_that_fails_keeps_the_old_table(auth0, client):
    auth0.add_fault(method="GET", path=r"/members$", status=503)

    response = client.get(MEMBERS_URL, headers=HX)

    assert response.status_code == 503
    assert response.content == b""  # htmx swaps nothing: the old table stays
    assert set(hx_trigger(response)) == {"messages"}  # no membersChanged: no refresh loop
    level, message = one_message(hx_messages(response))
    assert level == "error"
    assert message.startswith("Could not list this organization's members: Auth0 had a problem")


def test_an_htmx_roles_refresh_that_fails_does_not_ask_again_and_again(auth0, client):
    get_client().remove_members(ACME, [ANA])  # she was removed elsewhere

    response = client.get(ANA_URL, headers=HX)

    assert response.status_code == 404 and response.content == b""
    # The roles panel refreshes on rolesChanged: answering with it would loop forever.
    assert set(hx_trigger(response)) == {"messages"}
    assert one_message(hx_messages(response)) == (
        "warning",
        "Could not show this member: they are no longer a member of this organization.",
    )

    plain = client.get(ANA_URL)  # the member's address itself: not found, with a way back
    assert plain.status_code == 404
    assert "they are no longer a member of this organization" in text(plain)
    assert f'href="{MEMBERS_URL}"' in text(plain)


def test_the_organization_list_and_user_roles_pages_show_read_errors(auth0, client, settings):
    settings.AUTH0_BASE_URL = "http://127.0.0.1:9"

    orgs = client.get("/organizations/")
    roles = client.get(f"/users/{ANA}/roles/")

    for response, action in (
        (orgs, "Could not list the organizations"),
        (roles, "Could not show this user&#x27;s tenant-wide roles"),
    ):
        assert response.status_code == 503
        assert f"{action}: adminportal could not reach Auth0 at 127.0.0.1:9." in text(response)


def test_a_page_that_runs_out_of_its_auth0_budget_says_so(auth0, client, settings):
    settings.AUTH0_REQUEST_BUDGET = 0.6
    client.get(MEMBERS_URL)  # the token is fetched and cached first
    cache.delete(f"adminportal:organization:{ACME}")  # read again, with the members page
    auth0.set_latency(0.4)  # the page needs two calls (organization, members): one fits
    auth0.clear_requests()

    response = client.get(MEMBERS_URL)

    assert response.status_code == 504
    assert "Could not list this organization&#x27;s members" in text(response)
    assert "stopped waiting for Auth0" in text(response)
    assert len(auth0.api_requests()) == 1  # the second call was never sent
