"""How the Activity page words an attempt's outcome: what a person reads ("Refused: Only an Admin
may assign org-admin.", "Failed: Auth0 was limiting how fast adminportal may call it."), not an
exception's class name. The class, status and code stay in the CSV export."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, gettext_lazy

from ..auth0_mgmt import errors
from ..models import AuditEvent

register = template.Library()

Outcome = AuditEvent.Outcome
MAY_OR_MAY_NOT = gettext_lazy(
    "The change may or may not have been made: check before trying again."
)
# Why a change failed, by the error's class or its nearest ancestor here (orgs.auth0_mgmt.errors).
WHY = {
    "Auth0RateLimited": gettext_lazy("Auth0 was limiting how fast adminportal may call it."),
    "InsufficientScope": gettext_lazy(
        "adminportal's Auth0 application lacked a permission (scope)."
    ),
    "Auth0Forbidden": gettext_lazy("Auth0 refused it."),
    "OrganizationNotFound": gettext_lazy("The organization no longer existed in Auth0."),
    "MemberNotFound": gettext_lazy("They were no longer members of the organization."),
    "RoleNotFound": gettext_lazy("The role was no longer held, or no longer existed in Auth0."),
    "UserNotFound": gettext_lazy("The user no longer existed in Auth0."),
    "Auth0NotFound": gettext_lazy("Auth0 no longer had it."),
    "MemberRolesLimitReached": gettext_lazy(
        "A member may hold at most 100 roles in an organization."
    ),
    "Auth0Conflict": gettext_lazy("Auth0 reported a conflict."),
    "PayloadTooLarge": gettext_lazy("The request was over Auth0's 1 MB limit."),
    "Auth0BadRequest": gettext_lazy("Auth0 refused the request."),
    "Auth0Unauthorized": gettext_lazy("Auth0 did not accept adminportal's credentials."),
    "Auth0Timeout": gettext_lazy("Auth0 did not answer in time."),
    "Auth0Unreachable": gettext_lazy("adminportal could not reach Auth0."),
    "Auth0ServerError": gettext_lazy("Auth0 had a problem."),
    "WorkerEnded": gettext_lazy("adminportal stopped before Auth0 answered."),
    "PartlyRestored": gettext_lazy(
        "They were added back, but not all of their roles: restoring again gives the rest."
    ),
}


OWN_WORDS = {"WorkerEnded", "PartlyRestored"}
"""Errors whose message is adminportal's, not Auth0's."""


def _why(error_class: str) -> str:
    found = getattr(errors, error_class, None)
    names = [c.__name__ for c in found.__mro__] if isinstance(found, type) else [error_class]
    return next((str(WHY[name]) for name in names if name in WHY), "")


@register.filter
def outcome_label(event: AuditEvent) -> str:
    """The outcome's badge: "Success", "Refused", "Unknown outcome", …"""
    return str(Outcome(event.shown_outcome).label)


@register.filter
def outcome_reason(event: AuditEvent) -> str:
    """The sentence after the outcome's badge ("" when there is nothing to add). Said in the
    active language, but for a refusal: adminportal's own words, kept in English as recorded."""
    outcome = event.shown_outcome
    if outcome == Outcome.SUCCESS:
        return ""
    if outcome == Outcome.PENDING:
        return gettext("Waiting for Auth0's answer.")
    if outcome == Outcome.REFUSED:  # adminportal's own words, written for people
        return event.message
    why = _why(event.error_class)
    if outcome == Outcome.UNKNOWN:
        return f"{why or gettext('adminportal has no answer from Auth0.')} {MAY_OR_MAY_NOT}"
    return why or event.message or gettext("The change was not made.")


@register.filter
def auth0_said(event: AuditEvent) -> str:
    """Auth0's own words about a failure, when they add to outcome_reason."""
    if event.shown_outcome == Outcome.REFUSED or not event.message:
        return ""
    if event.error_class in OWN_WORDS or not _why(event.error_class):
        return ""  # our own message, or already the reason
    status = f" (HTTP {event.status}{', ' + event.error_code if event.error_code else ''})"
    said = gettext("Auth0 said: “%(message)s”") % {"message": event.message}
    return f"{said}{status if event.status else ''}"
