"""One exception hierarchy for everything that can go wrong talking to Auth0.

Each error carries the HTTP status, Auth0's `errorCode` and `message` where there was an answer,
the rate-limit reset time where known, and the X-Correlation-ID sent with a write. The classes
follow the status-code tables of Auth0's documents (auth0-contract.md sections 2 and 4):

    Auth0Error
    ├── Auth0BadRequest (400)        InvalidBody, InvalidQueryString, InvalidPaging,
    │                                PayloadTooLarge (413), InvalidInput (refused before sending)
    ├── Auth0Unauthorized (401)      InvalidToken (also expired/missing), InvalidSignature,
    │                                ClientNotGlobal, CredentialsRejected (/oauth/token)
    ├── Auth0Forbidden (403)         InsufficientScope (with the scopes Auth0 expected)
    ├── Auth0NotFound (404)          OrganizationNotFound, MemberNotFound, RoleNotFound,
    │                                UserNotFound
    ├── Auth0Conflict (409)          MemberRolesLimitReached
    ├── Auth0RateLimited (429)
    └── Auth0Unavailable             Auth0ServerError (5xx, or an answer that is not JSON),
                                     Auth0Timeout, Auth0Unreachable
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from ..i18n import english, lazy_text

if TYPE_CHECKING:
    import requests
    from django_stubs_ext import StrOrPromise


class Auth0Error(Exception):
    """`message`: Auth0's own words, or adminportal's (lazy, orgs.i18n): said in the language of
    whoever reads it, kept in English (`english_message`) by the audit trail and the logs."""

    status: int | None = None
    default_message: StrOrPromise = gettext_lazy("The Auth0 Management API call failed.")
    audit_event: Any = None
    """The audit record of the write that failed (set by orgs.staff.audit), with what it had
    learnt."""

    def __init__(
        self,
        message: StrOrPromise | None = None,
        *,
        status: int | None = None,
        error_code: str | None = None,
        reset_at: float | None = None,
        correlation_id: str | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        self._message = message or self.default_message
        if status is not None:
            self.status = status
        self.error_code = error_code
        self.reset_at = reset_at
        self.correlation_id = correlation_id
        self.outcome_unknown = outcome_unknown
        """True when a write may or may not have been applied (timeout, dropped connection)."""
        super().__init__(self.english_message)

    @property
    def message(self) -> str:
        """In the active language."""
        return str(self._message)

    @property
    def english_message(self) -> str:
        return english(self._message)

    def __str__(self) -> str:
        parts = [str(self.status) if self.status else None, self.error_code, self.english_message]
        return " ".join(p for p in parts if p)


# --- 400 -------------------------------------------------------------------------------------


class Auth0BadRequest(Auth0Error):
    status: int | None = 400


class InvalidBody(Auth0BadRequest):
    pass


class InvalidQueryString(Auth0BadRequest):
    pass


class InvalidPaging(Auth0BadRequest):
    pass


class PayloadTooLarge(Auth0BadRequest):
    status = 413


class InvalidInput(Auth0BadRequest):
    """Refused by adminportal before any call to Auth0 (empty, duplicated or malformed ids)."""

    status: int | None = None


# --- 401 -------------------------------------------------------------------------------------


class Auth0Unauthorized(Auth0Error):
    status = 401


class InvalidToken(Auth0Unauthorized):
    """Missing, garbage or expired token."""


class InvalidSignature(Auth0Unauthorized):
    pass


class ClientNotGlobal(Auth0Unauthorized):
    pass


class CredentialsRejected(Auth0Unauthorized):
    """The token endpoint refused the client id/secret or the audience."""


CURED_BY_NEW_TOKEN = (InvalidToken, InvalidSignature)
"""401s a new token can cure (expired, garbage, signed with a key Auth0 has rotated away)."""


# --- 403, 404, 409, 429 ----------------------------------------------------------------------


class Auth0Forbidden(Auth0Error):
    status = 403


class InsufficientScope(Auth0Forbidden):
    @property
    def scopes(self) -> tuple[str, ...]:
        """The scopes Auth0 said it expected ("…; expected any of: a, b." or ", expected …")."""
        found = re.search(r"expected(?: (?:any|all) of)?:\s*(.+)$", self.message)
        if not found:
            return ()
        return tuple(s.strip(" .") for s in found.group(1).split(",") if s.strip(" ."))


class Auth0NotFound(Auth0Error):
    status = 404


class OrganizationNotFound(Auth0NotFound):
    pass


class MemberNotFound(Auth0NotFound):
    pass


class RoleNotFound(Auth0NotFound):
    pass


class UserNotFound(Auth0NotFound):
    pass


class Auth0Conflict(Auth0Error):
    status = 409


class MemberRolesLimitReached(Auth0Conflict):
    """An organization member can hold at most 100 roles."""


class Auth0RateLimited(Auth0Error):
    status = 429

    @property
    def retry_after(self) -> float | None:
        """Seconds until Auth0 accepts requests again, where it said."""
        if self.reset_at is None:
            return None
        return max(0.0, self.reset_at - time.time())


# --- no usable answer ------------------------------------------------------------------------


class Auth0Unavailable(Auth0Error):
    pass


class Auth0ServerError(Auth0Unavailable):
    status = 500


class Auth0Timeout(Auth0Unavailable):
    status = None
    default_message = gettext_lazy("Auth0 did not answer in time.")


class Auth0Unreachable(Auth0Unavailable):
    status = None
    default_message = gettext_lazy("Auth0 could not be reached.")


# --- the one place where an answer becomes an error ------------------------------------------

MAX_MESSAGE = 500  # what is kept of Auth0's message (it goes into messages and the audit trail)

BAD_REQUEST_CODES: dict[str, type[Auth0BadRequest]] = {
    "invalid_body": InvalidBody,
    "invalid_query_string": InvalidQueryString,
    "invalid_paging": InvalidPaging,
}


def json_or_text(response: requests.Response) -> Any:
    """An answer's JSON, or its first 2,000 characters when it is not JSON: what
    `from_response` reads."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        return response.text[:2000]


def from_response(
    status: int,
    body: Any,
    *,
    reset_at: float | None = None,
    correlation_id: str | None = None,
    not_found: type[Auth0NotFound] = Auth0NotFound,
) -> Auth0Error:
    """The error for a non-2xx answer. `body` is the parsed JSON, or the raw text if it was not
    JSON. `not_found` is the class for a 404 whose body does not say what was missing. A body
    of another shape than documented (a list for a string, …) still gives its class."""
    fields: dict[str, Any] = {
        "status": status,
        "reset_at": reset_at,
        "correlation_id": correlation_id,
    }
    if not isinstance(body, dict):
        snippet = " ".join(str(body or "")[:2000].split())[:120]
        unusable = lazy_text(
            _unusable_answer(isinstance(body, str | None), bool(snippet)),
            status=status,
            snippet=snippet,
        )
        if status >= 500 or status < 400:
            return Auth0ServerError(unusable, **fields)
        return _error_class(status, "", None, not_found)(unusable, **fields)
    code = _code(body.get("errorCode")) or (
        _code(body.get("error")) if "error_description" in body else None
    )
    said = body.get("message") or body.get("error_description") or body.get("error") or ""
    message = _shortened(said if isinstance(said, str) else str(said))
    # Only a message that is text says which error it is.
    kind = _error_class(status, message if isinstance(said, str) else "", code, not_found)
    return kind(message or None, error_code=code, **fields)


def _unusable_answer(not_json: bool, said: bool) -> StrOrPromise:
    if not_json:
        if said:
            return gettext_lazy("Auth0 answered HTTP %(status)d without a JSON body: %(snippet)s")
        return gettext_lazy("Auth0 answered HTTP %(status)d without a JSON body.")
    if said:
        return gettext_lazy("Auth0 answered HTTP %(status)d with unexpected JSON: %(snippet)s")
    return gettext_lazy("Auth0 answered HTTP %(status)d with unexpected JSON.")


def _code(value: Any) -> str | None:
    return value[:100] if isinstance(value, str) and value else None


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _error_class(
    status: int, message: str, code: str | None, not_found: type[Auth0NotFound]
) -> type[Auth0Error]:
    text = message.lower()
    if status == 400:
        if code in BAD_REQUEST_CODES:
            return BAD_REQUEST_CODES[code]
        if text.startswith("payload validation error") or "payload json" in text:
            return InvalidBody
        if text.startswith("query validation error"):
            return InvalidQueryString
        if "1000 records" in text:
            return InvalidPaging
        return Auth0BadRequest
    if status == 401:
        if code == "access_denied" or code == "invalid_client":
            return CredentialsRejected
        if "signature" in text:
            return InvalidSignature
        if "not global" in text:
            return ClientNotGlobal
        return InvalidToken
    if status == 403:
        if code == "insufficient_scope" or text.startswith("insufficient scope"):
            return InsufficientScope
        if code in ("access_denied", "unauthorized_client"):
            return CredentialsRejected
        return Auth0Forbidden
    if status == 404:
        if "organization" in text:
            return OrganizationNotFound
        if code == "inexistent_user" or "user" in text:
            return UserNotFound
        if "role" in text:
            return RoleNotFound
        return not_found
    if status == 409:
        return MemberRolesLimitReached if "no more roles" in text else Auth0Conflict
    if status == 413:
        return PayloadTooLarge
    if status == 429:
        return Auth0RateLimited
    if status >= 500:
        return Auth0ServerError
    return Auth0Error
