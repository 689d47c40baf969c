"""What the bulk removal preview can tell before anything is sent: who of the members selected
a removal would be refused for, and why, by name, from what adminportal already knows (the
roles the members page listed, the staff member's own user, the protected-role index of
orgs.holders). Database reads only, never Auth0. The removal itself is checked again by the
guardrails (orgs.staff.guardrails), with Auth0, when it is sent."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User as StaffUser
from django.utils.translation import gettext, ngettext

from . import holders
from .auth0_mgmt import Member
from .i18n import and_list
from .staff.guardrails import OWN_USER, is_own_user, protected_at_stake, recently_removed


def foreseen_refusals(
    actor: StaffUser, *, org_id: str, org_label: str, members: Sequence[Member]
) -> dict[str, str]:
    """{user id: why} for those of `members` who would be refused: the staff member's own user
    (is_own_user, as check_not_self decides), and the last holders of a protected role, i.e. no
    one else adminportal knows of (the index, less those removed lately) holds it, once the
    index has held the whole organization. The others may all go."""
    own = is_own_user(actor)
    refused = {m.user_id: OWN_USER % {"who": m.label} for m in members if own(m)}
    leaving = [m for m in members if m.user_id not in refused]
    at_stake = protected_at_stake({m.user_id: list(m.roles) for m in leaving})
    if not at_stake or not holders.indexed(org_id):  # not known yet: decided when sent
        return refused
    gone = recently_removed(org_id) | {m.user_id for m in leaving}
    last = [
        role_id for role_id in at_stake if not holders.candidates(org_id, [role_id], excluding=gone)
    ]
    for member in leaving:
        held = [r for r in last if any(role.id == r for role in member.roles)]
        if not held:
            continue
        with_them = [
            m.label for m in leaving if m is not member and any(role.id in held for role in m.roles)
        ]
        refused[member.user_id] = _last_holder(
            member.label, with_them, sorted(at_stake[r] for r in held), org_label
        )
    return refused


def _last_holder(label: str, with_them: list[str], roles: list[str], org: str) -> str:
    removing = label
    if with_them:
        removing = gettext("%(member)s with %(others)s") % {
            "member": label,
            "others": and_list(with_them),
        }
    return ngettext(
        "Removing %(who)s would leave %(org)s without anyone holding %(roles)s, a protected "
        "role. Give it to someone else first.",
        "Removing %(who)s would leave %(org)s without anyone holding %(roles)s, protected "
        "roles. Give them to someone else first.",
        len(roles),
    ) % {"who": removing, "org": org, "roles": and_list(roles)}
