"""The one place where an Auth0 error becomes what a person reads: a distinct, actionable message
per error class, the HTTP status the dashboard answers with, and whether the page should refresh
(the object is gone, or a write may or may not have been applied)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import ngettext

from .auth0_mgmt import errors
from .guardrails import GuardrailRefused

ADMIN_HINT = "An adminportal administrator needs to fix this"
SCOPES_HINT = (
    "in the Auth0 Dashboard: Applications → APIs → Auth0 Management API → "
    "Machine to Machine Applications"
)


@dataclass(frozen=True)
class Feedback:
    level: int
    text: str
    status: int
    refresh: bool = False


def feedback_for(exc: errors.Auth0Error, *, action: str) -> Feedback:
    """`action` completes "Could not …", e.g. "remove Ana Lee from Acme"."""
    failed = f"Could not {action}"
    unchanged = "Nothing was changed."
    text: str
    status = 502
    level = messages.ERROR
    refresh = False
    match exc:
        case GuardrailRefused():
            text, status, level = f"{failed}: {exc.message} {unchanged}", 403, messages.WARNING
        case errors.InvalidInput():
            text, status, level = f"{failed}: {exc.message} {unchanged}", 400, messages.WARNING
        case errors.InvalidPaging():
            text = (
                f"{failed}: Auth0 lists only the first 1,000 records page by page. "
                "Narrow the list with search, or page forward with Next."
            )
            status = 400
        case errors.PayloadTooLarge():
            text, status = f"{failed}: the request is over Auth0's 1 MB limit. Select fewer.", 400
        case errors.InvalidBody():
            text, status = f"{failed}: Auth0 refused the request: “{exc.message}” {unchanged}", 400
        case errors.InvalidQueryString():
            text = (
                f"{failed}: Auth0 refused the query: “{exc.message}”. This is a bug in "
                "adminportal; please report it with the time it happened."
            )
            status = 400
        case errors.Auth0BadRequest():
            text, status = f"{failed}: Auth0 refused the request: “{exc.message}”", 400
        case errors.CredentialsRejected():
            text = (
                f"{failed}: Auth0 refused adminportal's client credentials (“{exc.message}”). "
                f"{ADMIN_HINT}: check AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and that the "
                "application is authorized for the Auth0 Management API."
            )
        case errors.InvalidSignature():
            text = (
                f"{failed}: Auth0 rejected the signature of adminportal's access token, even "
                "after fetching a new one, so the token belongs to another tenant or was "
                f"altered. {ADMIN_HINT}: check AUTH0_DOMAIN and the credentials."
            )
        case errors.ClientNotGlobal():
            text = (
                f"{failed}: Auth0 says adminportal's application is not a global client and may "
                f"not use the Management API. {ADMIN_HINT}: use a Machine-to-Machine "
                "application authorized for the Auth0 Management API."
            )
        case errors.Auth0Unauthorized():
            text = (
                f"{failed}: Auth0 did not accept adminportal's access token (“{exc.message}”), "
                f"even after fetching a new one. {ADMIN_HINT}: check the credentials "
                "(or replace an expired AUTH0_MGMT_API_TOKEN)."
            )
        case errors.InsufficientScope():
            scopes = " or ".join(exc.scopes) or "a scope"
            text = (
                f"{failed}: adminportal's Auth0 application lacks the permission {scopes}. "
                f"{ADMIN_HINT} by granting it {SCOPES_HINT}. {unchanged}"
            )
            status = 403
        case errors.Auth0Forbidden():
            text, status = f"{failed}: Auth0 refused: “{exc.message}”. {unchanged}", 403
        case errors.OrganizationNotFound():
            text = f"{failed}: the organization no longer exists in Auth0."
            status, level, refresh = 404, messages.WARNING, True
        case errors.MemberNotFound():
            text = f"{failed}: they are no longer a member of this organization."
            status, level, refresh = 404, messages.WARNING, True
        case errors.RoleNotFound():
            text = (
                f"{failed}: they no longer hold that role, or it no longer exists in Auth0. "
                "The list has been refreshed."
            )
            status, level, refresh = 404, messages.WARNING, True
        case errors.UserNotFound():
            text = f"{failed}: the user no longer exists in Auth0."
            status, level, refresh = 404, messages.WARNING, True
        case errors.Auth0NotFound():
            text = f"{failed}: Auth0 no longer has it (“{exc.message}”)."
            status, level, refresh = 404, messages.WARNING, True
        case errors.MemberRolesLimitReached():
            text = (
                f"{failed}: a member can hold at most 100 roles in an organization. "
                f"Remove roles they no longer need first. {unchanged}"
            )
            status = 409
        case errors.Auth0Conflict():
            text, status = f"{failed}: Auth0 reported a conflict: “{exc.message}”.", 409
        case errors.Auth0RateLimited():
            wait = math.ceil(exc.retry_after or 0)
            when = _in_seconds(wait) if wait else "in a moment"
            text = (
                f"{failed}: Auth0 is limiting how fast adminportal may call it. "
                f"{unchanged} Try again {when}."
            )
            status = 429
        case errors.Auth0Timeout() if not exc.outcome_unknown:
            # Auth0 did not answer / accept the connection, or this page's time budget ran out.
            said = f"{exc.message} {unchanged}" if exc.correlation_id else exc.message  # a write
            text, status = f"{failed}: {said} Try again in a moment.", 504
        case errors.Auth0Timeout():
            text, status = _unknown_outcome(exc, failed, "did not answer in time"), 504
            refresh = True
        case errors.Auth0Unreachable():
            if exc.outcome_unknown:
                text = _unknown_outcome(exc, failed, "dropped the connection before answering")
                refresh = True
            else:
                text = (
                    f"{failed}: adminportal could not reach Auth0 at {_host()}. {unchanged} "
                    "Check the network, or status.auth0.com for an incident."
                )
            status = 503
        case errors.Auth0ServerError():
            text = f"{failed}: Auth0 had a problem ({exc.message})."
            if exc.correlation_id:  # only writes carry one: a read changes nothing
                text += (
                    " The change was probably not made; the list has been refreshed so you can "
                    "check."
                )
            text += " If it persists, see status.auth0.com."
            status, refresh = 503, True
        case _:
            text = f"{failed}: {exc}"
    if exc.correlation_id:
        text += f" (Reference for Auth0's logs: {exc.correlation_id}.)"
    return Feedback(level=level, text=text, status=status, refresh=refresh)


def report(request: HttpRequest, exc: errors.Auth0Error, *, action: str) -> Feedback:
    """Queue the message for the person (a toast or the next page) and return the feedback."""
    feedback = feedback_for(exc, action=action)
    messages.add_message(request, feedback.level, feedback.text)
    return feedback


def _unknown_outcome(exc: errors.Auth0Error, failed: str, what: str) -> str:
    if not exc.outcome_unknown:
        return f"{failed}: Auth0 {what}. Try again in a moment."
    return (
        f"Auth0 {what}, so the change may or may not have been applied. The list has been "
        "refreshed: check it before trying again."
    )


def _in_seconds(seconds: int) -> str:
    return ngettext("in %(n)d second", "in %(n)d seconds", seconds) % {"n": seconds}


def _host() -> str:
    return urlsplit(settings.AUTH0_BASE_URL).netloc or settings.AUTH0_BASE_URL
