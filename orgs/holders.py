"""adminportal's index of who holds a protected role (settings.PROTECTED_ROLES) in each
organization, so that "someone else still holds it" costs the same few calls at any
organization size, instead of a walk of the whole members list.

The index is kept by:
- adminportal's own writes (roles assigned or removed, members removed);
- every consistent read of a member's roles (the member page, the read each write makes) and
  every members page shown (its rows carry their roles);
- a full walk of the members list, "reconciling" the index: when an organization is first
  needed (at once when its first page holds every member, else in the background), again when
  the index is older than RECONCILE_AFTER, and from `manage.py reconcile_protected_roles`;
  a members page that shows every member of an organization not indexed yet does the same.

It is a list of candidates, never proof: a candidate counts only once Auth0 confirms their roles
with a consistent read, and never when adminportal removed them lately
(orgs.staff.guardrails). So an index that is out of date may refuse a change it could allow
(someone was given the role outside adminportal since the last walk, until the next one), but
never lets the last holder go.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .auth0_mgmt import Member, Role, get_client
from .background import run_later, running
from .models import HolderIndexState, ProtectedRoleHolder
from .roles import named

RECONCILE_AFTER = timedelta(minutes=15)
FIRST_PAGE = 100
"""An organization never indexed is indexed at once when one members page of this size holds
all of it (one call); a larger one is walked in the background."""


def protected_of(roles: Iterable[Role]) -> dict[str, str]:
    """The protected roles among `roles` (id: name), their names compared as people read them."""
    return {role.id: role.name for role in named(roles, settings.PROTECTED_ROLES)}


def note_roles(org_id: str, user_id: str, roles: Iterable[Role]) -> None:
    """A member's roles as Auth0 gave them just now (or as adminportal just set them)."""
    wanted = protected_of(roles)
    held = ProtectedRoleHolder.objects.filter(org_id=org_id, user_id=user_id)
    if set(held.values_list("role_id", flat=True)) == set(wanted):
        return
    held.exclude(role_id__in=list(wanted)).delete()
    ProtectedRoleHolder.objects.bulk_create(
        [
            ProtectedRoleHolder(org_id=org_id, user_id=user_id, role_id=r, role_name=n)
            for r, n in wanted.items()
        ],
        ignore_conflicts=True,
    )


def note_listed(org_id: str, members: Iterable[Member], *, whole: bool = False) -> None:
    """Rows of a members page: who holds a protected role there (one query when nothing
    changed). Members removed lately are not added: Auth0 may still list them with their old
    roles. `whole`: the page is every member of the organization, which indexes it the first
    time (as a walk would)."""
    from .staff.guardrails import recently_removed

    if whole and not indexed(org_id):  # a removal being decided forgets its members if made
        _replace(org_id, list(members), leaving=recently_removed(org_id, in_flight=False))
        return
    rows = [m for m in members if m.roles_shown]
    wanted = {(m.user_id, r): n for m in rows for r, n in protected_of(m.roles).items()}
    known = set(
        ProtectedRoleHolder.objects.filter(
            org_id=org_id, user_id__in=[m.user_id for m in rows]
        ).values_list("user_id", "role_id")
    )
    stale = known - set(wanted)
    new = {key: name for key, name in wanted.items() if key not in known}
    if new:
        leaving = recently_removed(org_id)
        new = {key: name for key, name in new.items() if key[0] not in leaving}
    if stale:
        pairs = Q()
        for user_id, role_id in stale:
            pairs |= Q(user_id=user_id, role_id=role_id)
        ProtectedRoleHolder.objects.filter(pairs, org_id=org_id).delete()
    if new:
        ProtectedRoleHolder.objects.bulk_create(
            [
                ProtectedRoleHolder(org_id=org_id, user_id=u, role_id=r, role_name=n)
                for (u, r), n in new.items()
            ],
            ignore_conflicts=True,
        )


def forget(org_id: str, user_ids: Iterable[str]) -> None:
    """They left the organization (or may have): no longer candidates."""
    ProtectedRoleHolder.objects.filter(org_id=org_id, user_id__in=list(user_ids)).delete()


def candidates(org_id: str, role_ids: Iterable[str], *, excluding: set[str]) -> list[str]:
    """Members the index says hold one of the roles, most recently seen first."""
    found = ProtectedRoleHolder.objects.filter(org_id=org_id, role_id__in=list(role_ids))
    ordered = found.order_by("-seen_at").values_list("user_id", flat=True)
    return [u for u in dict.fromkeys(ordered) if u not in excluding]


def indexed(org_id: str) -> bool:
    """Whether the index ever held every member of the organization (a walk, or a members
    page that was all of it): until then, what it lacks says nothing."""
    return HolderIndexState.objects.filter(org_id=org_id).exists()


def known_holders(org_id: str) -> dict[str, list[str]]:
    """{role name: user ids} of the protected roles in the organization, as the index knows
    them, most recently seen first."""
    known: dict[str, list[str]] = {}
    rows = ProtectedRoleHolder.objects.filter(org_id=org_id).order_by("role_name", "-seen_at")
    for role_name, user_id in rows.values_list("role_name", "user_id"):
        known.setdefault(role_name, []).append(user_id)
    return known


def ready(org_id: str, *, leaving: set[str]) -> bool:
    """Whether the organization's index can be used now. Never indexed: indexed at once when
    its first members page is all of it, else a walk starts in the background (False). Old:
    used, and walked again in the background."""
    state = HolderIndexState.objects.filter(org_id=org_id).first()
    if state is not None:
        if timezone.now() - state.reconciled_at > RECONCILE_AFTER:
            reconcile_later(org_id)
        return True
    if running(_reconcile_key(org_id)):
        return False  # a walk is under way: no need to read its first page again
    page = get_client().list_members(org_id, take=FIRST_PAGE)
    if len(page) < FIRST_PAGE:
        _replace(org_id, list(page.items), leaving=leaving)
        return True
    reconcile_later(org_id)
    return indexed(org_id)  # done already when inline


def reconcile(org_id: str, *, leaving: set[str] | None = None) -> int:
    """Walk the whole members list into the index; how many members were seen."""
    from .staff.guardrails import recently_removed  # the guardrail's own rule for "lately"

    members = list(get_client().iter_members(org_id, take=100))
    _replace(org_id, members, leaving=recently_removed(org_id) if leaving is None else leaving)
    return len(members)


def reconcile_later(org_id: str) -> bool:
    return run_later(_reconcile_key(org_id), lambda: reconcile(org_id))


def _reconcile_key(org_id: str) -> str:
    return f"reconcile-holders:{org_id}"


def _replace(org_id: str, members: list[Member], *, leaving: set[str]) -> None:
    holders = [
        ProtectedRoleHolder(org_id=org_id, user_id=m.user_id, role_id=r, role_name=n)
        for m in members
        if m.user_id not in leaving
        for r, n in protected_of(m.roles).items()
    ]
    with transaction.atomic():
        ProtectedRoleHolder.objects.filter(org_id=org_id).delete()
        ProtectedRoleHolder.objects.bulk_create(holders, ignore_conflicts=True)
        HolderIndexState.objects.update_or_create(
            org_id=org_id,
            defaults={"reconciled_at": timezone.now(), "members_seen": len(members)},
        )
