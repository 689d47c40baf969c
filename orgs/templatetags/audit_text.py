"""How the Activity page words an attempt's outcome: what a person reads ("Refused: Only an Admin
may assign org-admin.", "Failed: Auth0 was limiting how fast adminportal may call it."), not an
exception's class name. The class, status and code stay in the CSV export."""

from __future__ import annotations

from django import template

from ..auth0_mgmt import errors
from ..models import AuditEvent

register = template.Library()

Outcome = AuditEvent.Outcome
MAY_OR_MAY_NOT = "The change may or may not have been made: check before trying again."
# Why a change failed, by the error's class or its nearest ancestor here (orgs.auth0_mgmt.errors).
WHY = {
    "Auth0RateLimited": "Auth0 was limiting how fast adminportal may call it.",
    "InsufficientScope": "adminportal's Auth0 application lacked a permission (scope).",
    "Auth0Forbidden": "Auth0 refused it.",
    "OrganizationNotFound": "The organization no longer existed in Auth0.",
    "MemberNotFound": "They were no longer members of the organization.",
    "RoleNotFound": "The role was no longer held, or no longer existed in Auth0.",
    "UserNotFound": "The user no longer existed in Auth0.",
    "Auth0NotFound": "Auth0 no longer had it.",
    "MemberRolesLimitReached": "A member may hold at most 100 roles in an organization.",
    "Auth0Conflict": "Auth0 reported a conflict.",
    "PayloadTooLarge": "The request was over Auth0's 1 MB limit.",
    "Auth0BadRequest": "Auth0 refused the request.",
    "Auth0Unauthorized": "Auth0 did not accept adminportal's credentials.",
    "Auth0Timeout": "Auth0 did not answer in time.",
    "Auth0Unreachable": "adminportal could not reach Auth0.",
    "Auth0ServerError": "Auth0 had a problem.",
    "WorkerEnded": "adminportal stopped before Auth0 answered.",
}


def _why(error_class: str) -> str:
    found = getattr(errors, error_class, None)
    names = [c.__name__ for c in found.__mro__] if isinstance(found, type) else [error_class]
    return next((WHY[name] for name in names if name in WHY), "")


@register.filter
def outcome_reason(event: AuditEvent) -> str:
    """The sentence after the outcome's badge ("" when there is nothing to add)."""
    outcome = event.shown_outcome
    if outcome == Outcome.SUCCESS:
        return ""
    if outcome == Outcome.PENDING:
        return "Waiting for Auth0's answer."
    if outcome == Outcome.REFUSED:  # adminportal's own words, written for people
        return event.message
    why = _why(event.error_class)
    if outcome == Outcome.UNKNOWN:
        return f"{why or 'adminportal has no answer from Auth0.'} {MAY_OR_MAY_NOT}"
    return why or event.message or "The change was not made."


@register.filter
def auth0_said(event: AuditEvent) -> str:
    """Auth0's own words about a failure, when they add to outcome_reason."""
    if event.shown_outcome == Outcome.REFUSED or not event.message:
        return ""
    if event.error_class == "WorkerEnded" or not _why(event.error_class):
        return ""  # our own message, or already the reason
    status = f" (HTTP {event.status}{', ' + event.error_code if event.error_code else ''})"
    return f"Auth0 said: “{event.message}”{status if event.status else ''}"
