"""Auth0's error bodies, exactly as the Management API and the token endpoint send them.

Management API: {"statusCode", "error", "message", "errorCode"?, "attributes"?}
(auth0-contract.md section 4). Token endpoint (OAuth): {"error", "error_description"}.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """An error response of the Management API."""

    def __init__(
        self,
        status: int,
        message: str,
        error_code: str | None = None,
        *,
        attributes: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.attributes = attributes
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return management_error_body(self.status, self.message, self.error_code, self.attributes)


class OAuthError(Exception):
    """An error response of the Authentication API (/oauth/token)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


def management_error_body(
    status: int,
    message: str,
    error_code: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statusCode": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
    }
    if error_code:
        body["errorCode"] = error_code
    if attributes:
        body["attributes"] = attributes
    return body


# --- the errors the emulator raises, with Auth0's wording -------------------------------------

RATE_LIMIT_MESSAGE = (
    "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and "
    "X-RateLimit-Reset headers."
)
GLOBAL_RATE_LIMIT_MESSAGE = "Global limit has been reached"
ORGANIZATION_NOT_FOUND = "No organization found by that id or name"
ROLE_NOT_FOUND = "The role does not exist."
USER_NOT_FOUND = "The user does not exist."
MEMBER_ROLES_CAP = "No more roles can be assigned to this organization member."
PAGING_CAP = "Requesting page exceeds the allowed maximum of 1000 records"
USERS_PAGING_CAP = (
    "You can only page through the first 1000 records. See "
    "https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation"
)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, attributes={"error": message})


def insufficient_scope(expected: list[str], *, all_of: bool = False) -> ApiError:
    mode = "all" if all_of else "any"
    return ApiError(
        403,
        f"Insufficient scope, expected {mode} of: {', '.join(expected)}",
        "insufficient_scope",
    )


def invalid_body(message: str) -> ApiError:
    return ApiError(400, message, "invalid_body")


def invalid_query(message: str) -> ApiError:
    return ApiError(400, message, "invalid_query_string")


def invalid_paging(message: str = PAGING_CAP) -> ApiError:
    return ApiError(400, message, "invalid_paging")


def not_found(message: str, error_code: str | None = None) -> ApiError:
    return ApiError(404, message, error_code)


def organization_not_found() -> ApiError:
    return not_found(ORGANIZATION_NOT_FOUND)


def user_not_found() -> ApiError:
    return not_found(USER_NOT_FOUND, "inexistent_user")


def role_not_found() -> ApiError:
    return not_found(ROLE_NOT_FOUND)


def conflict(message: str, error_code: str | None = None) -> ApiError:
    return ApiError(409, message, error_code)


def rate_limited(message: str = RATE_LIMIT_MESSAGE) -> ApiError:
    return ApiError(429, message, "too_many_requests")
