"""The one place where an Auth0 error becomes what a person reads: a distinct, actionable message
per error class, the HTTP status the dashboard answers with, and whether the page should refresh
(the object is gone, or a write may or may not have been applied)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext

from .auth0_mgmt import errors
from .restorations import PartlyRestored
from .staff.guardrails import GuardrailRefused

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Feedback:
    level: int
    text: str
    status: int
    refresh: bool = False


def feedback_for(exc: errors.Auth0Error, *, action: StrOrPromise) -> Feedback:
    """`action` completes "Could not …", e.g. "remove Ana Lee from Acme". Said in the active
    language; Auth0's own words (“…”) as Auth0 said them."""
    words: dict[str, StrOrPromise] = {"action": action, "said": exc.message}
    status = 502
    level = messages.ERROR
    refresh = False
    said: str
    match exc:
        case GuardrailRefused():
            said = gettext("Could not %(action)s: %(said)s Nothing was changed.")
            status, level = 403, messages.WARNING
        case errors.InvalidInput():
            said = gettext("Could not %(action)s: %(said)s Nothing was changed.")
            status, level = 400, messages.WARNING
        case errors.Auth0BadRequest():
            said = _refused_request(exc)
            status = 400
        case errors.Auth0Unauthorized():  # adminportal's own credentials or token
            said = _not_accepted(exc)
        case errors.Auth0Forbidden():
            words["scopes"] = _scopes(exc)
            said = _forbidden(exc)
            status = 403
        case errors.Auth0NotFound():
            said = _gone(exc)
            status, level, refresh = 404, messages.WARNING, True
        case errors.Auth0Conflict():
            said = _conflict(exc)
            status = 409
        case errors.Auth0RateLimited():
            wait = math.ceil(exc.retry_after or 0)
            words["when"] = _in_seconds(wait) if wait else gettext("in a moment")
            said = gettext(
                "Could not %(action)s: Auth0 is limiting how fast adminportal may call it. "
                "Nothing was changed. Try again %(when)s."
            )
            status = 429
        case errors.Auth0Timeout() if not exc.outcome_unknown:
            # Auth0 did not answer / accept the connection, or this page's time budget ran out.
            if exc.correlation_id:  # a write
                said = gettext(
                    "Could not %(action)s: %(said)s Nothing was changed. Try again in a moment."
                )
            else:
                said = gettext("Could not %(action)s: %(said)s Try again in a moment.")
            status = 504
        case errors.Auth0Timeout():
            said = gettext(
                "Auth0 did not answer in time, so the change may or may not have been applied. "
                "The list has been refreshed: check it before trying again."
            )
            status, refresh = 504, True
        case errors.Auth0Unreachable() if exc.outcome_unknown:
            said = gettext(
                "Auth0 dropped the connection before answering, so the change may or may not "
                "have been applied. The list has been refreshed: check it before trying again."
            )
            status, refresh = 503, True
        case errors.Auth0Unreachable():
            words["host"] = _host()
            said = gettext(
                "Could not %(action)s: adminportal could not reach Auth0 at %(host)s. Nothing "
                "was changed. Check the network, or status.auth0.com for an incident."
            )
            status = 503
        case errors.Auth0ServerError() if exc.correlation_id:  # only writes carry one
            said = gettext(
                "Could not %(action)s: Auth0 had a problem (%(said)s). The change was probably "
                "not made; the list has been refreshed so you can check. If it persists, see "
                "status.auth0.com."
            )
            status, refresh = 503, True
        case errors.Auth0ServerError():  # a read changes nothing
            said = gettext(
                "Could not %(action)s: Auth0 had a problem (%(said)s). If it persists, see "
                "status.auth0.com."
            )
            status, refresh = 503, True
        case PartlyRestored():
            said = gettext(
                "Could not %(action)s completely: %(said)s Restore again to give them back; "
                "the list has been refreshed."
            )
            status, refresh = 502, True
        case _:
            known = [str(exc.status) if exc.status else "", exc.error_code or "", exc.message]
            words["said"] = " ".join(part for part in known if part)
            said = gettext("Could not %(action)s: %(said)s")
    text = said % words
    if exc.correlation_id:
        reference = gettext("(Reference for Auth0's logs: %(id)s.)") % {"id": exc.correlation_id}
        text = f"{text} {reference}"
    return Feedback(level=level, text=text, status=status, refresh=refresh)


def report(request: HttpRequest, exc: errors.Auth0Error, *, action: StrOrPromise) -> Feedback:
    """Queue the message for the person (a toast or the next page) and return the feedback."""
    feedback = feedback_for(exc, action=action)
    messages.add_message(request, feedback.level, feedback.text)
    return feedback


def _not_accepted(exc: errors.Auth0Unauthorized) -> str:
    """Why Auth0 did not accept adminportal's credentials or token: a fix for an administrator."""
    match exc:
        case errors.CredentialsRejected():
            return gettext(
                "Could not %(action)s: Auth0 refused adminportal's client credentials "
                "(“%(said)s”). An adminportal administrator needs to fix this: check "
                "AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and that the application is authorized "
                "for the Auth0 Management API."
            )
        case errors.InvalidSignature():
            return gettext(
                "Could not %(action)s: Auth0 rejected the signature of adminportal's access "
                "token, even after fetching a new one, so the token belongs to another tenant "
                "or was altered. An adminportal administrator needs to fix this: check "
                "AUTH0_DOMAIN and the credentials."
            )
        case errors.ClientNotGlobal():
            return gettext(
                "Could not %(action)s: Auth0 says adminportal's application is not a global "
                "client and may not use the Management API. An adminportal administrator needs "
                "to fix this: use a Machine-to-Machine application authorized for the Auth0 "
                "Management API."
            )
    return gettext(
        "Could not %(action)s: Auth0 did not accept adminportal's access token "
        "(“%(said)s”), even after fetching a new one. An adminportal administrator "
        "needs to fix this: check the credentials (or replace an expired "
        "AUTH0_MGMT_API_TOKEN)."
    )


def _refused_request(exc: errors.Auth0BadRequest) -> str:
    """Why Auth0 refused a request (400) that adminportal made: a page past the 1,000 records
    Auth0 lists by offset, a body over 1 MB, or a body or query Auth0 would not take."""
    match exc:
        case errors.InvalidPaging():
            return gettext(
                "Could not %(action)s: Auth0 lists only the first 1,000 records page by page. "
                "Narrow the list with search, or page forward with Next."
            )
        case errors.PayloadTooLarge():
            return gettext(
                "Could not %(action)s: the request is over Auth0's 1 MB limit. Select fewer."
            )
        case errors.InvalidBody():
            return gettext(
                "Could not %(action)s: Auth0 refused the request: “%(said)s” Nothing was changed."
            )
        case errors.InvalidQueryString():
            return gettext(
                "Could not %(action)s: Auth0 refused the query: “%(said)s”. This is a bug in "
                "adminportal; please report it with the time it happened."
            )
    return gettext("Could not %(action)s: Auth0 refused the request: “%(said)s”")


def _forbidden(exc: errors.Auth0Forbidden) -> str:
    """Why Auth0 refused (403): the scope adminportal's application lacks, or Auth0's words."""
    if isinstance(exc, errors.InsufficientScope):
        return gettext(
            "Could not %(action)s: adminportal's Auth0 application lacks the permission "
            "%(scopes)s. An adminportal administrator needs to fix this by granting it in "
            "the Auth0 Dashboard: Applications → APIs → Auth0 Management API → Machine to "
            "Machine Applications. Nothing was changed."
        )
    return gettext("Could not %(action)s: Auth0 refused: “%(said)s”. Nothing was changed.")


def _scopes(exc: errors.Auth0Forbidden) -> str:
    scopes = exc.scopes if isinstance(exc, errors.InsufficientScope) else ()
    return gettext(" or ").join(scopes) if scopes else gettext("a scope")


def _conflict(exc: errors.Auth0Conflict) -> str:
    """Why Auth0 reported a conflict (409)."""
    if isinstance(exc, errors.MemberRolesLimitReached):
        return gettext(
            "Could not %(action)s: a member can hold at most 100 roles in an organization. "
            "Remove roles they no longer need first. Nothing was changed."
        )
    return gettext("Could not %(action)s: Auth0 reported a conflict: “%(said)s”.")


def _gone(exc: errors.Auth0NotFound) -> str:
    """What Auth0 no longer has, as the page named it."""
    match exc:
        case errors.OrganizationNotFound():
            return gettext("Could not %(action)s: the organization no longer exists in Auth0.")
        case errors.MemberNotFound():
            return gettext(
                "Could not %(action)s: they are no longer a member of this organization."
            )
        case errors.RoleNotFound():
            return gettext(
                "Could not %(action)s: they no longer hold that role, or it no longer exists in "
                "Auth0. The list has been refreshed."
            )
        case errors.UserNotFound():
            return gettext("Could not %(action)s: the user no longer exists in Auth0.")
    return gettext("Could not %(action)s: Auth0 no longer has it (“%(said)s”).")


def _in_seconds(seconds: int) -> str:
    return ngettext("in %(n)d second", "in %(n)d seconds", seconds) % {"n": seconds}


def _host() -> str:
    return urlsplit(settings.AUTH0_BASE_URL).netloc or settings.AUTH0_BASE_URL
