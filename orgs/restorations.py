"""What restoring a removal of members (a members_remove audit event) gives back: each member
it removed, with the organization roles they held then (its roles_before, role ids from its
roles). Read from the audit trail only, no Auth0 call (an event recorded before role ids were
kept: the role catalogue, remembered). A removal is restorable once: only when it succeeded,
and not while it is being restored or after it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from . import selectors
from .auth0_mgmt import Member, Role, User, errors
from .i18n import lazy_and_list, lazy_text
from .models import AuditEvent
from .staff.guardrails import check_admin_only, check_organization_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import User as StaffUser

RECENT = timedelta(seconds=60)
"""Within this of the removal, Auth0's lists (and its search index) may still show the members
it removed, so nobody is asked about: everyone is added back (adding a member who is one
already changes nothing). Later, one user search tells who is a member again (skipped)."""

Outcome = AuditEvent.Outcome


class NotRestorable(errors.InvalidInput):
    """The event is not a removal that can be restored (now)."""


class PartlyRestored(errors.Auth0Error):
    """The members were added back, then Auth0 failed to give some of them their roles: they
    are members again without those roles (the event's roles_after says how far it got), and
    restoring again gives the rest. Auth0's status and code, and whether the failed call may
    have been applied, are the failed call's."""

    def __init__(self, cause: errors.Auth0Error, *, added: list[Member], without: list[Member]):
        said = (
            gettext_lazy(
                "they are members again, but whether %(whose)s got their roles back is not known "
                "(%(said)s)."
            )
            if cause.outcome_unknown
            else gettext_lazy(
                "they are members again, but %(whose)s did not get their roles back (%(said)s)."
            )
        )
        super().__init__(
            lazy_text(
                said,
                whose=lazy_and_list([m.label for m in without]),
                said=lazy(lambda: cause.message, str)(),
            ),
            status=cause.status,
            error_code=cause.error_code,
            correlation_id=cause.correlation_id,
            outcome_unknown=cause.outcome_unknown,
        )
        self.added = [m.user_id for m in added]


@dataclass(frozen=True)
class Restoration:
    removal: AuditEvent
    members: tuple[Member, ...]
    """As the removal recorded them: the name is their label then, and the e-mail is ""
    for events from before restores existed."""
    ask_who_is_back: bool
    """Ask Auth0 who is a member again: the removal is older than RECENT and no earlier
    attempt to restore it may have added them (its retry completes it, skipping nobody)."""

    @property
    def user_ids(self) -> list[str]:
        return [m.user_id for m in self.members]


def removal_of(org_id: str, event_id: int) -> AuditEvent | None:
    """The audit event `event_id` if it is a removal of members from `org_id`."""
    return AuditEvent.objects.filter(
        pk=event_id, org_id=org_id, action=AuditEvent.Action.MEMBERS_REMOVE
    ).first()


def restorable(removal: AuditEvent | None, *, excluding: int | None = None) -> Restoration:
    """The removal as a restore would give it back; else NotRestorable saying why.
    `excluding`: the restore attempt asking (pending itself)."""
    if removal is None:
        raise NotRestorable(
            gettext_lazy("There is no removal of members with that reference here.")
        )
    _check_succeeded(removal)
    attempts = removal.restorations.exclude(pk=excluding or 0).exclude(outcome=Outcome.REFUSED)
    done = attempts.filter(outcome=Outcome.SUCCESS).first()
    if done is not None:
        said = gettext_lazy("This removal was already restored, by %(who)s on %(when)s.")
        raise NotRestorable(lazy_text(said, who=done.staff_username, when=lazy_when(done)))
    if any(a.shown_outcome == Outcome.PENDING for a in attempts):
        raise NotRestorable(
            gettext_lazy("Someone is restoring this removal right now: try again in a moment.")
        )
    done_at = removal.completed_at or removal.started_at
    return Restoration(
        removal=removal,
        members=_members(removal),
        ask_who_is_back=timezone.now() - done_at > RECENT and not attempts.exists(),
    )


def check_roles(actor: StaffUser, restoration: Restoration) -> None:
    """Giving the roles back is assigning them: organization roles only, and the Admin-only
    ones (org-owner, org-admin) only by an Admin, so a restore cannot undo an Admin's removal
    of an administrator. GuardrailRefused (NotAnOrganizationRole) says which."""
    roles = list({role.id: role for m in restoration.members for role in m.roles}.values())
    check_organization_roles(roles)
    check_admin_only(actor, roles)


def people(restoration: Restoration) -> list[User]:
    """The members as users, for the guardrail against one's own user (by id and e-mail): as
    the removal recorded them, else read (events from before e-mails were recorded)."""
    return [
        m.as_user()
        if m.email
        else selectors.user_profile(user_id=m.user_id, org_id=restoration.removal.org_id)
        for m in restoration.members
    ]


def _check_succeeded(removal: AuditEvent) -> None:
    outcome = removal.shown_outcome
    if outcome == Outcome.SUCCESS:
        return
    why = {
        Outcome.PENDING: gettext_lazy(
            "Only a removal that succeeded can be restored: it is still in progress."
        ),
        Outcome.UNKNOWN: gettext_lazy(
            "Only a removal that succeeded can be restored: its outcome is unknown (check the "
            "members list)."
        ),
        Outcome.REFUSED: gettext_lazy(
            "Only a removal that succeeded can be restored: it was refused, so nobody was removed."
        ),
        Outcome.FAILED: gettext_lazy(
            "Only a removal that succeeded can be restored: it failed, so nobody was removed."
        ),
    }
    raise NotRestorable(why[Outcome(outcome)])


def _members(removal: AuditEvent) -> tuple[Member, ...]:
    before: dict[str, list[str]] = removal.roles_before or {}
    by_name = {r["name"]: r["id"] for r in removal.roles if r.get("id") and r.get("name")}
    wanted = {name for names in before.values() for name in names}
    if not wanted <= by_name.keys():  # recorded before role ids were: the catalogue has them
        by_name |= {r.name: r.id for r in selectors.role_list() if r.name not in by_name}
    missing = sorted(wanted - by_name.keys())
    if missing:
        said = gettext_lazy("The role %(role)s no longer exists in Auth0.")
        raise NotRestorable(lazy_text(said, role=missing[0]))
    return tuple(
        Member(
            user_id=t["user_id"],
            name=t.get("label") or t["user_id"],
            email=t.get("email", ""),
            roles=tuple(Role(id=by_name[n], name=n) for n in before.get(t["user_id"], [])),
        )
        for t in removal.targets
    )


def when(event: AuditEvent) -> str:
    """When the event started, as the active language writes a date and time."""
    return date_format(timezone.localtime(event.started_at), "DATETIME_FORMAT")


lazy_when = lazy(when, str)
