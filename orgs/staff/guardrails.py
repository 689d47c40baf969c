"""Rules no staff member may break, checked before any write is sent to Auth0:

- act only within one's role (permissions) and reach;
- never change one's own Auth0 user's memberships or roles;
- never take a protected role (settings.PROTECTED_ROLES) from its last holder in an organization;
- assign Admin-only roles (settings.ADMIN_ONLY_ROLES) only with the permission to;
- assign in organizations only organization roles (settings.ORGANIZATION_ROLES and
  ORGANIZATION_ROLE_PATTERN), never the tenant's other roles (tenant-wide ones).

Other holders of a protected role come from adminportal's index (orgs.holders), so the check
costs a few calls at any organization size. The members list lags: Auth0 keeps listing a removed
member, with their roles, for 5-10 seconds. So another holder counts only when their own roles
(a consistent read) say so and adminportal has not removed them in the last RECENTLY_REMOVED;
and the check and the write that follows hold a per-organization lock, so two removals of the
last two holders cannot both pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import User as StaffUser
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext_lazy

from .. import holders, locks, selectors
from ..auth0_mgmt import Member, Role, User, errors
from ..i18n import lazy_comma_list, lazy_text
from ..models import AuditEvent
from ..roles import admin_only, in_organizations
from .access import access_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RECENTLY_REMOVED = timedelta(seconds=60)
"""Members removed through adminportal this recently never count as holders of a protected role
(Auth0 may still list them with their roles)."""
MAX_CONFIRMATIONS = 2
"""At most this many other holders are confirmed with Auth0 per check (one usually suffices)."""
PROTECTED_LOCK_SECONDS = 60
"""At most this long, one check-and-write of a protected role per organization at a time (the
lock expires on its own if its holder dies)."""
OWN_USER = gettext_lazy(
    "%(who)s is your own Auth0 user: ask another staff member to change your own memberships "
    "or roles."
)


class GuardrailRefused(errors.Auth0Error):
    """adminportal refused the action; nothing was sent to Auth0."""

    status = 403


class NotAnOrganizationRole(GuardrailRefused):
    """The role is not one adminportal assigns in organizations (a tenant-wide role, say)."""


def require(actor: StaffUser, permission: str, doing: StrOrPromise) -> None:
    """`doing`: what is refused, completing "Your staff role does not allow you to …"."""
    if not actor.has_perm(permission):
        said = gettext_lazy("Your staff role does not allow you to %(doing)s.")
        raise GuardrailRefused(lazy_text(said, doing=doing))


def own_user_ids(actor: StaffUser) -> set[str]:
    """The staff member's own Auth0 user: the auth0_user_id an Admin set, and their SSO subject."""
    access = access_of(actor)
    if access is None:
        return set()
    return {user_id for user_id in (access.auth0_user_id, access.oidc_subject) if user_id}


def check_not_self_ids(actor: StaffUser, user_ids: Iterable[str]) -> None:
    """By id alone, before anything is looked up (a lookup that misses someone must not let
    their own user through). Their user is read only to name them in the refusal."""
    own = own_user_ids(actor)
    mine = next((user_id for user_id in user_ids if user_id in own), None)
    if mine is None:
        return
    try:
        label = selectors.user_get(user_id=mine).label
    except errors.Auth0Error:
        label = mine  # refused all the same
    raise GuardrailRefused(lazy_text(OWN_USER, who=label))


def is_own_user(actor: StaffUser) -> Callable[[User | Member], bool]:
    """Whether a user is the staff member's own: by id, and by e-mail address."""
    own_ids = own_user_ids(actor)
    own_email = (getattr(actor, "email", "") or "").lower()
    return lambda user: (
        user.user_id in own_ids or bool(own_email and user.email.lower() == own_email)
    )


def check_not_self(actor: StaffUser, users: Iterable[User | Member]) -> None:
    """`users` must come from reliable reads (GET /users/{id}, the members list), never from
    user search, which may miss someone."""
    own = is_own_user(actor)
    for user in users:
        if own(user):
            raise GuardrailRefused(lazy_text(OWN_USER, who=user.label))


def check_admin_only(actor: StaffUser, roles: Iterable[Role]) -> None:
    if actor.has_perm("orgs.assign_admin_only_roles"):
        return
    blocked = [role.name for role in admin_only(roles)]
    if blocked:
        said = gettext_lazy("Only an Admin may assign %(roles)s. Ask an Admin to do it.")
        raise GuardrailRefused(lazy_text(said, roles=lazy_comma_list(blocked)))


def check_organization_roles(roles: Iterable[Role]) -> None:
    roles = list(roles)
    allowed = {role.id for role in in_organizations(roles)}
    refused = [role.name for role in roles if role.id not in allowed]
    if refused:
        said = ngettext_lazy(
            "%(roles)s is not an organization role: adminportal assigns in organizations only "
            "the roles that ADMINPORTAL_ORGANIZATION_ROLES or "
            "ADMINPORTAL_ORGANIZATION_ROLE_PATTERN allow. Ask an adminportal administrator if "
            "it should be assignable.",
            "%(roles)s are not organization roles: adminportal assigns in organizations only "
            "the roles that ADMINPORTAL_ORGANIZATION_ROLES or "
            "ADMINPORTAL_ORGANIZATION_ROLE_PATTERN allow. Ask an adminportal administrator if "
            "it should be assignable.",
            len(refused),
        )
        raise NotAnOrganizationRole(lazy_text(said, roles=lazy_comma_list(refused)))


def protected_at_stake(removing: dict[str, list[Role]]) -> dict[str, str]:
    """The protected roles (id: name) among those about to be lost."""
    return {
        role_id: name
        for roles in removing.values()
        for role_id, name in holders.protected_of(roles).items()
    }


@contextmanager
def keeping_protected_holders(org_id: str, removing: dict[str, list[Role]]) -> Iterator[None]:
    """Around the write that takes roles or memberships away: when a protected role is at stake,
    take the organization's lock, refuse unless someone else still holds each such role, and
    keep the lock until the write is done.

    `removing`: for each user, the roles they are about to lose in the organization."""
    at_stake = protected_at_stake(removing)
    if not at_stake:
        yield
        return
    with _protected_roles_lock(org_id, at_stake):
        _check_other_holders(org_id, removing, at_stake)
        yield


def _check_other_holders(
    org_id: str, removing: dict[str, list[Role]], at_stake: dict[str, str]
) -> None:
    """Someone else holds each role at stake: a candidate from adminportal's index (orgs.holders)
    whose roles Auth0 confirms now, at most MAX_CONFIRMATIONS reads whatever the size of the
    organization."""
    names = lazy_comma_list(sorted(at_stake.values()))
    gone = recently_removed(org_id) - set(removing)  # this very attempt is pending too
    if not holders.ready(org_id, leaving=gone):
        said = gettext_lazy(
            "adminportal is still reading who holds %(roles)s in this large organization. "
            "Nothing was changed: try again in a minute."
        )
        raise GuardrailRefused(lazy_text(said, roles=names))
    missing = dict(at_stake)
    others = holders.candidates(org_id, missing, excluding=set(removing) | gone)
    for user_id in others[:MAX_CONFIRMATIONS]:
        roles = _roles_now(org_id, user_id)  # the index may be out of date: Auth0 decides
        holders.note_roles(org_id, user_id, roles)
        for role in roles:
            missing.pop(role.id, None)
        if not missing:
            return
    said = gettext_lazy(
        "This would leave the organization without anyone holding %(roles)s, a protected role. "
        "Give it to someone else first."
    )
    raise GuardrailRefused(lazy_text(said, roles=lazy_comma_list(sorted(missing.values()))))


def _roles_now(org_id: str, user_id: str) -> tuple[Role, ...]:
    try:
        return selectors.member_roles_list(org_id=org_id, user_id=user_id)
    except (errors.MemberNotFound, errors.UserNotFound):
        return ()


def recently_removed(org_id: str, *, in_flight: bool = True) -> set[str]:
    """Users whose removal from the organization adminportal sent (or may have sent) lately.
    Not `in_flight`: only removals already answered (one still being decided may be refused)."""
    settled = [AuditEvent.Outcome.FAILED, AuditEvent.Outcome.REFUSED]
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.MEMBERS_REMOVE,
        org_id=org_id,
        started_at__gte=timezone.now() - RECENTLY_REMOVED,
    ).exclude(outcome__in=settled if in_flight else [*settled, AuditEvent.Outcome.PENDING])
    return {
        target.get("user_id", "")
        for targets in events.values_list("targets", flat=True)
        for target in targets
    }


@contextmanager
def _protected_roles_lock(org_id: str, at_stake: dict[str, str]) -> Iterator[None]:
    """One check-and-write of protected roles per organization at a time, across workers (the
    cache's `add` is atomic); a second one is refused rather than kept waiting."""
    key = f"adminportal:protected-roles-lock:{org_id}"
    with locks.holding(key, PROTECTED_LOCK_SECONDS) as held:
        if not held:
            said = gettext_lazy(
                "Someone else is changing who holds %(roles)s in this organization right now. "
                "Try again in a moment."
            )
            raise GuardrailRefused(
                lazy_text(said, roles=lazy_comma_list(sorted(at_stake.values())))
            )
        yield
