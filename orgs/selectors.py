"""Reads from the Auth0 Management API, for views. Keyword-only, typed, named <entity>_<action>;
they return typed values and let the auth0_mgmt errors propagate."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from .auth0_mgmt import Member, Organization, Page, Role, User, all_pages, errors, get_client
from .ids import check_org_id, check_user_id

ROLE_CATALOGUE_KEY = "adminportal:role-catalogue"
ROLE_CATALOGUE_SECONDS = 60
PAGE_SIZE = 50  # Auth0's public-cloud maximum for some lists; never ask for more


@dataclass(frozen=True)
class MemberDetail:
    organization: Organization
    user: User
    roles: tuple[Role, ...]


def organization_list(
    *, page: int = 0, per_page: int = 25, sort: str = "name:1"
) -> Page[Organization]:
    return get_client().list_organizations(page=page, per_page=per_page, sort=sort)


def organization_get(*, org_id: str) -> Organization:
    return get_client().get_organization(check_org_id(org_id))


def organization_find(*, id_or_name: str) -> Organization:
    """An organization by id (org_…) or by its name, for "paste an id or name to jump"."""
    value = id_or_name.strip()
    if value.startswith("org_"):
        return organization_get(org_id=value)
    if not value or len(value) > 50:
        raise errors.OrganizationNotFound(f"No organization is named “{value[:50]}”.")
    return get_client().get_organization_by_name(value)


def member_list(*, org_id: str, cursor: str | None = None, take: int = PAGE_SIZE) -> Page[Member]:
    """One page of members with their organization roles: one API call."""
    return get_client().list_members(check_org_id(org_id), cursor=cursor, take=take)


def member_roles_list(*, org_id: str, user_id: str) -> tuple[Role, ...]:
    client = get_client()
    check_org_id(org_id)
    check_user_id(user_id)
    return all_pages(
        lambda page, size: client.list_member_roles(org_id, user_id, page=page, per_page=size)
    )


def member_get(*, org_id: str, user_id: str) -> MemberDetail:
    """A member of an organization with their roles there; MemberNotFound if not a member."""
    client = get_client()
    check_user_id(user_id)
    organization = organization_get(org_id=org_id)
    try:
        user = client.get_user(user_id)
    except errors.UserNotFound as exc:
        raise errors.MemberNotFound(f"{user_id} is not a user of this tenant.") from exc
    memberships = all_pages(
        lambda page, size: client.list_user_organizations(user_id, page=page, per_page=size)
    )
    if org_id not in {org.id for org in memberships}:
        raise errors.MemberNotFound(f"{user.label} is not a member of {organization.label}.")
    return MemberDetail(organization, user, member_roles_list(org_id=org_id, user_id=user_id))


def role_list() -> tuple[Role, ...]:
    """The tenant's whole role catalogue, by name; cached briefly for every worker."""
    cached = cache.get(ROLE_CATALOGUE_KEY)
    if cached is not None:
        return cached
    client = get_client()
    roles = all_pages(lambda page, size: client.list_roles(page=page, per_page=size))
    catalogue = tuple(sorted(roles, key=lambda r: r.name.lower()))
    cache.set(ROLE_CATALOGUE_KEY, catalogue, ROLE_CATALOGUE_SECONDS)
    return catalogue


def user_get(*, user_id: str) -> User:
    return get_client().get_user(check_user_id(user_id))


def user_roles_list(*, user_id: str) -> tuple[Role, ...]:
    client = get_client()
    check_user_id(user_id)
    return all_pages(lambda page, size: client.list_user_roles(user_id, page=page, per_page=size))
