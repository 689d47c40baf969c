"""Who may see what: a staff member's role (a Django group) and reach (StaffAccess).

Organizations out of a person's reach behave as if they did not exist (404), so their names
and ids do not leak."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.auth.models import User as StaffUser
from django.utils.translation import gettext, gettext_lazy

from ..auth0_mgmt import Organization, errors
from ..models import StaffAccess

NO_SUCH_ORGANIZATION = gettext_lazy("No organization found by that id or name")

ROLES = ("Viewer", "Support", "Admin")
# What each staff role may do (permissions of orgs.StaffAccess). The groups are created with
# these after every migrate; a deployment may change a group's permissions afterwards.
ROLE_PERMISSIONS = {
    "Viewer": ["view_organizations"],
    "Support": ["view_organizations", "change_member_roles", "remove_members"],
    "Admin": [
        "view_organizations",
        "change_member_roles",
        "remove_members",
        "remove_tenant_roles",
        "assign_admin_only_roles",
        "manage_staff",
        "view_all_activity",
    ],
}
User = StaffUser | AnonymousUser


def access_of(user: User) -> StaffAccess | None:
    if not user.is_authenticated:
        return None
    try:
        return user.staff_access
    except StaffAccess.DoesNotExist:
        return None


def role_of(user: User) -> str | None:
    """The highest staff role the user holds."""
    if not user.is_authenticated:
        return None
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in reversed(ROLES) if role in names), None)


def reaches_all(user: User) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    access = access_of(user)
    return bool(access and access.all_organizations)


def reaches(user: User, organization: Organization) -> bool:
    return reaches_id(user, organization.id, lambda: organization)


def reach_of(user: User) -> Callable[[Organization], bool]:
    """reaches(user, ·) for many organizations (a catalogue of thousands): what depends on
    the staff member only is worked out once, not for each organization."""
    if not user.has_perm("orgs.view_organizations"):
        return lambda organization: False
    if reaches_all(user):
        return lambda organization: True
    access = access_of(user)
    if access is None:
        return lambda organization: False
    ids = access.listed_ids()
    pairs = tuple(access.rule_pairs())

    def reaches_one(organization: Organization) -> bool:
        if organization.id in ids:
            return True
        metadata = organization.metadata
        return bool(pairs) and all(metadata.get(key) == value for key, value in pairs)

    return reaches_one


def reaches_id(user: User, org_id: str, load: Callable[[], Organization]) -> bool:
    """Whether the staff member reaches the organization; `load` fetches it, needed only for
    a metadata rule."""
    if not user.has_perm("orgs.view_organizations"):
        return False
    if reaches_all(user):
        return True
    access = access_of(user)
    if access is None:
        return False
    if org_id in access.organization_ids:
        return True
    pairs = access.rule_pairs()
    if not pairs:
        return False
    metadata = load().metadata
    return all(metadata.get(key) == value for key, value in pairs)


def check_reach(user: User, organization: Organization) -> Organization:
    if not reaches(user, organization):
        raise errors.OrganizationNotFound(NO_SUCH_ORGANIZATION)
    return organization


def check_user_reach(user: User, organizations: Callable[[], Iterable[Organization]]) -> None:
    """Staff limited to some organizations only reach users who belong to one of them:
    `organizations` gives the user's (read only when the staff member's reach depends on it).
    Anyone else is UserNotFound, as if they did not exist."""
    if reaches_all(user):
        return
    if not any(map(reach_of(user), organizations())):
        raise errors.UserNotFound(gettext_lazy("The user does not exist."))


def set_role(user: StaffUser, role: str) -> None:
    """Make `role` (one of ROLES) the user's only staff role."""
    if role not in ROLES:
        raise ValueError(f"unknown staff role {role!r}; choose one of {', '.join(ROLES)}")
    groups = user.groups
    groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
    groups.add(Group.objects.get(name=role))


def describe_reach(access: StaffAccess | None) -> str:
    if access is None:
        return gettext("no organizations")
    if access.all_organizations:
        return gettext("all organizations")
    parts = []
    if access.organization_ids:
        parts.append(", ".join(access.organization_ids))
    if access.organization_rule:
        parts.append(gettext("metadata %(rule)s") % {"rule": access.organization_rule})
    return "; ".join(parts) or gettext("no organizations")


def create_staff_groups(using: str = "default", **kwargs: object) -> None:
    """post_migrate: the Viewer, Support and Admin groups, created when missing."""
    from django.contrib.auth.models import Permission

    for name, codenames in ROLE_PERMISSIONS.items():
        group, created = Group.objects.using(using).get_or_create(name=name)
        if created:
            group.permissions.set(
                Permission.objects.using(using).filter(
                    content_type__app_label="orgs", codename__in=codenames
                )
            )
