"""Rules no staff member may break, checked before any write is sent to Auth0:

- act only within one's role (permissions) and reach;
- never change one's own Auth0 user's memberships or roles;
- never take a protected role (settings.PROTECTED_ROLES) from its last holder in an organization;
- assign Admin-only roles (settings.ADMIN_ONLY_ROLES) only with the permission to.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from .access import access_of
from .auth0_mgmt import Role, User, errors, get_client


class GuardrailRefused(errors.Auth0Error):
    """adminportal refused the action; nothing was sent to Auth0."""

    status = 403


def require(actor: AbstractBaseUser, permission: str, doing: str) -> None:
    if not actor.has_perm(permission):
        raise GuardrailRefused(f"Your staff role does not allow you to {doing}.")


def check_not_self(actor: AbstractBaseUser, users: Iterable[User]) -> None:
    access = access_of(actor)
    own_id = access.auth0_user_id if access else ""
    own_email = (getattr(actor, "email", "") or "").lower()
    for user in users:
        if (own_id and user.user_id == own_id) or (own_email and user.email.lower() == own_email):
            raise GuardrailRefused(
                f"{user.label} is your own Auth0 user: ask another staff member to change "
                "your own memberships or roles."
            )


def check_admin_only(actor: AbstractBaseUser, roles: Iterable[Role]) -> None:
    if actor.has_perm("orgs.assign_admin_only_roles"):
        return
    admin_only = {name.lower() for name in settings.ADMIN_ONLY_ROLES}
    blocked = [role.name for role in roles if role.name.lower() in admin_only]
    if blocked:
        raise GuardrailRefused(
            f"Only an Admin may assign {', '.join(blocked)}. Ask an Admin to do it."
        )


def check_keeps_protected_holders(org_id: str, removing: dict[str, list[Role]]) -> None:
    """`removing`: for each user, the roles they are about to lose in the organization."""
    protected = {name.lower() for name in settings.PROTECTED_ROLES}
    at_stake = {
        role.id: role.name
        for roles in removing.values()
        for role in roles
        if role.name.lower() in protected
    }
    if not at_stake:
        return
    for member in get_client().iter_members(org_id, take=100):
        if member.user_id in removing:
            continue
        for role in member.roles:
            at_stake.pop(role.id, None)
        if not at_stake:
            return
    names = ", ".join(sorted(at_stake.values()))
    raise GuardrailRefused(
        f"This would leave the organization without anyone holding {names}, a protected role. "
        "Give it to someone else first."
    )
