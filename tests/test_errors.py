"""Every row of the status-code tables in Auth0's documents (seeds 000-003) becomes its own error
class, proven through the services against the emulator's fault injection; plus the real
(non-injected) 403, 404 and 409, and the mapping of answers that are not in the tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from orgs import services
from orgs.auth0_mgmt import errors, get_client
from orgs.models import AuditEvent
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS, small_seed

ACME = ORG_IDS["acme"]
BEN = USER_IDS["ben"]
ANA = USER_IDS["ana"]


@dataclass(frozen=True)
class Operation:
    """One documented Management API write, as the dashboard's services make it."""

    doc: str
    method: str
    path: str
    scope: str
    call: Callable[[Any], object]


OPERATIONS = [
    Operation(
        "000 remove member roles",
        "DELETE",
        "/members/auth0%7Cben[0-9]+/roles$",
        "delete:organization_member_roles",
        lambda actor: services.member_roles_remove(
            actor=actor, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["billing-admin"]]
        ),
    ),
    Operation(
        "001 remove members",
        "DELETE",
        "/members$",
        "delete:organization_members",
        lambda actor: services.member_remove(actor=actor, org_id=ACME, user_id=BEN),
    ),
    Operation(
        "002 remove user roles",
        "DELETE",
        "/users/auth0%7Cana[0-9]+/roles$",
        "update:users",
        lambda actor: services.user_roles_remove(
            actor=actor, user_id=USER_IDS["ana"], role_ids=[ROLE_IDS["tenant-admin"]]
        ),
    ),
    Operation(
        "003 add member roles",
        "POST",
        "/members/auth0%7Cben[0-9]+/roles$",
        "create:organization_member_roles",
        lambda actor: services.member_roles_assign(
            actor=actor, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["viewer"]]
        ),
    ),
]


@dataclass(frozen=True)
class Row:
    """A row of the documents' "Response status codes" table."""

    status: int
    body: dict[str, Any]
    error: type[errors.Auth0Error]
    times: int = 1


def documented_rows(scope: str) -> dict[str, Row]:
    far_reset = {"x-ratelimit-reset": str(int(time.time()) + 120)}
    return {
        "400 invalid_body": Row(
            400,
            body(
                400,
                "Bad Request",
                "Invalid request body. The message will vary depending on the cause.",
                "invalid_body",
            ),
            errors.InvalidBody,
        ),
        "400 invalid_query_string": Row(
            400,
            body(
                400,
                "Bad Request",
                "Invalid request query string. The message will vary depending on the cause.",
                "invalid_query_string",
            ),
            errors.InvalidQueryString,
        ),
        # A refused token is refreshed and retried once, so it must be refused twice (an
        # invalid signature too: after a signing-key rotation a new token cures it).
        "401 invalid token": Row(
            401, body(401, "Unauthorized", "Invalid token."), errors.InvalidToken, times=2
        ),
        "401 invalid signature": Row(
            401,
            body(401, "Unauthorized", "Invalid signature received for JSON Web Token validation."),
            errors.InvalidSignature,
            times=2,
        ),
        "401 client not global": Row(
            401, body(401, "Unauthorized", "Client is not global."), errors.ClientNotGlobal
        ),
        "403 insufficient_scope": Row(
            403,
            body(
                403,
                "Forbidden",
                f"Insufficient scope; expected any of: {scope}.",
                "insufficient_scope",
            ),
            errors.InsufficientScope,
        ),
        "429": Row(
            429,
            {
                **body(
                    429,
                    "Too Many Requests",
                    "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.",
                ),
                "_headers": far_reset,
            },
            errors.Auth0RateLimited,
        ),
    }


def body(status: int, error: str, message: str, code: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"statusCode": status, "error": error, "message": message}
    if code:
        result["errorCode"] = code
    return result


ROW_NAMES = list(documented_rows("x"))


@pytest.mark.parametrize("row_name", ROW_NAMES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.doc)
def test_each_documented_row_has_its_error_class(
    auth0, admin_staff, operation: Operation, row_name: str
):
    row = documented_rows(operation.scope)[row_name]
    response_body = {k: v for k, v in row.body.items() if not k.startswith("_")}
    get_client().get_organization(ACME)  # a token in hand, so only the write is faulted
    auth0.add_fault(
        method=operation.method,
        path=operation.path,
        status=row.status,
        body=response_body,
        headers=row.body.get("_headers", {}),
        times=row.times,
    )

    with pytest.raises(errors.Auth0Error) as caught:
        operation.call(admin_staff)

    error = caught.value
    assert type(error) is row.error
    assert error.status == row.status
    assert error.error_code == response_body.get("errorCode")
    assert error.message == response_body["message"]
    assert error.correlation_id  # every write carries one, failures included
    if isinstance(error, errors.InsufficientScope):
        assert error.scopes == (operation.scope,)
    if isinstance(error, errors.Auth0RateLimited):
        assert error.retry_after > 100
    # The attempt is in the audit trail with the failure's class, status, code and message,
    # and the correlation id that Auth0 received.
    event = AuditEvent.objects.get()
    assert event.outcome == "failed"
    assert (event.error_class, event.status) == (row.error.__name__, row.status)
    assert event.error_code == response_body.get("errorCode", "")
    assert event.message == response_body["message"]
    sent = [r for r in auth0.api_requests() if r["method"] == operation.method]
    assert sent[-1]["correlation_id"] == event.correlation_id == error.correlation_id


def test_the_204_row_succeeds_and_returns_the_correlation_id(auth0, admin_staff):
    for operation in OPERATIONS:
        auth0.reset(seed=small_seed())  # Ben is removed by one of them, and must be a member
        event = operation.call(admin_staff)
        assert event.outcome == "success"
        assert len(event.correlation_id) == 32
    assert {r["status"] for r in auth0.api_requests() if r["method"] != "GET"} == {204}


def test_a_real_missing_scope_names_the_scope(auth0, settings, admin_staff):
    settings.AUTH0_CLIENT_ID = "adminportal-no-member-delete"
    settings.AUTH0_CLIENT_SECRET = "demo-no-member-delete-secret"

    with pytest.raises(errors.InsufficientScope) as caught:
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)

    assert caught.value.scopes == ("delete:organization_members",)


def test_real_not_found_answers_name_what_is_missing(auth0, admin_staff):
    client = get_client()
    with pytest.raises(errors.OrganizationNotFound):
        client.get_organization("org_Gone000000000001")
    with pytest.raises(errors.OrganizationNotFound):
        services.member_remove(actor=admin_staff, org_id="org_Gone000000000001", user_id=BEN)
    with pytest.raises(errors.UserNotFound):
        services.user_roles_remove(
            actor=admin_staff, user_id="auth0|gone", role_ids=[ROLE_IDS["viewer"]]
        )
    with pytest.raises(errors.InvalidBody, match="roles do not exist: rol_Gone000000000001"):
        client.assign_member_roles(ACME, BEN, ["rol_Gone000000000001"])


def test_a_not_found_answer_about_a_role_is_role_not_found(auth0):
    auth0.add_fault(
        path="/roles$",
        method="GET",
        status=404,
        body={"statusCode": 404, "error": "Not Found", "message": "The role does not exist."},
    )
    with pytest.raises(errors.RoleNotFound):
        get_client().list_roles()


def test_a_real_100_role_cap_is_member_roles_limit_reached(auth0, admin_staff, settings):
    from tests.seeds import small_seed

    settings.ORGANIZATION_ROLE_PATTERN = r"rol_extra\d+"

    seed = small_seed()
    extra = [f"rol_Extra{index:011d}" for index in range(100)]
    seed["roles"] += [{"id": role_id, "name": role_id.lower()} for role_id in extra]
    auth0.load_seed(seed)

    with pytest.raises(errors.MemberRolesLimitReached) as caught:
        services.member_roles_assign(actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=extra)

    assert caught.value.status == 409
    assert caught.value.message == "No more roles can be assigned to this organization member."


def test_an_unknown_role_id_is_refused_before_any_write(auth0, admin_staff):
    auth0.clear_requests()
    with pytest.raises(errors.RoleNotFound):
        services.member_roles_assign(
            actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=["rol_DoesNotExist0001"]
        )
    assert [r["method"] for r in auth0.api_requests()] == ["GET"] * len(auth0.api_requests())


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        (400, {"statusCode": 400, "message": "Payload validation error: 'x'."}, errors.InvalidBody),
        (
            400,
            {"statusCode": 400, "message": "Query validation error: 'x'."},
            errors.InvalidQueryString,
        ),
        (
            400,
            {"statusCode": 400, "message": "You can only page through the first 1000 records."},
            errors.InvalidPaging,
        ),
        (400, {"statusCode": 400, "message": "Something new"}, errors.Auth0BadRequest),
        (
            401,
            {"statusCode": 401, "message": "Expired token received for JSON Web Token validation"},
            errors.InvalidToken,
        ),
        (401, {"statusCode": 401, "message": "Missing authentication"}, errors.InvalidToken),
        (
            401,
            {"error": "access_denied", "error_description": "Unauthorized"},
            errors.CredentialsRejected,
        ),
        (
            403,
            {"error": "access_denied", "error_description": "Service not found: x"},
            errors.CredentialsRejected,
        ),
        (
            403,
            {"statusCode": 403, "message": "Insufficient scope, expected any of: read:grants"},
            errors.InsufficientScope,
        ),
        (403, {"statusCode": 403, "message": "Blocked tenant"}, errors.Auth0Forbidden),
        (
            404,
            {"statusCode": 404, "message": "No organization found by that id or name"},
            errors.OrganizationNotFound,
        ),
        (
            404,
            {
                "statusCode": 404,
                "message": "The user does not exist.",
                "errorCode": "inexistent_user",
            },
            errors.UserNotFound,
        ),
        (404, {"statusCode": 404, "message": "The role does not exist."}, errors.RoleNotFound),
        (404, {"statusCode": 404, "message": "Not Found"}, errors.MemberNotFound),
        (409, {"statusCode": 409, "message": "Conflict"}, errors.Auth0Conflict),
        (
            413,
            {
                "statusCode": 413,
                "message": "Payload content length greater than maximum allowed: 1048576",
            },
            errors.PayloadTooLarge,
        ),
        (
            429,
            {"statusCode": 429, "message": "Global limit has been reached"},
            errors.Auth0RateLimited,
        ),
        (503, {"statusCode": 503, "message": "Unavailable"}, errors.Auth0ServerError),
        (502, "<html>Bad gateway</html>", errors.Auth0ServerError),
        (404, "<html>Not found</html>", errors.MemberNotFound),
    ],
)
def test_answers_outside_the_tables_map_to_the_closest_class(status, answer, expected):
    error = errors.from_response(status, answer, not_found=errors.MemberNotFound)
    assert type(error) is expected
    assert error.status == status
    assert error.message


@pytest.mark.parametrize(
    ("message", "scopes"),
    [
        (
            "Insufficient scope; expected any of: delete:organization_members.",
            ("delete:organization_members",),
        ),
        (
            "Insufficient scope, expected any of: read:users, read:roles",
            ("read:users", "read:roles"),
        ),
        (
            "Insufficient scope; expected all of: read:users, read:roles, read:role_members.",
            ("read:users", "read:roles", "read:role_members"),
        ),
        ("Insufficient scope", ()),
    ],
)
def test_insufficient_scope_parses_both_wordings(message, scopes):
    assert errors.InsufficientScope(message).scopes == scopes
