"""Reads from the Auth0 Management API, for views. Keyword-only, typed, named <entity>_<action>;
they return typed values and let the auth0_mgmt errors propagate."""

from __future__ import annotations

import re
from collections.abc import Callable
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


def organization_get_cached(*, org_id: str) -> Organization:
    """organization_get, remembered for a minute (for checks on every table refresh)."""
    key = f"adminportal:organization:{check_org_id(org_id)}"
    organization = cache.get(key)
    if organization is None:
        organization = organization_get(org_id=org_id)
        cache.set(key, organization, ROLE_CATALOGUE_SECONDS)
    return organization


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


# --- search ----------------------------------------------------------------------------------

ORG_CATALOGUE_KEY = "adminportal:organization-catalogue"
ORG_CATALOGUE_LIMIT = 1000
MEMBER_SEARCH_LIMIT = 10
ORG_SORTS = {
    "name:1": (lambda o: o.name, False),
    "name:-1": (lambda o: o.name, True),
    "display_name:1": (lambda o: o.label.lower(), False),
    "display_name:-1": (lambda o: o.label.lower(), True),
}


@dataclass(frozen=True)
class OrganizationCatalogue:
    organizations: tuple[Organization, ...]
    complete: bool
    """False when the tenant has more than ORG_CATALOGUE_LIMIT organizations."""


def organization_catalogue() -> OrganizationCatalogue:
    """Up to 1000 organizations (checkpoint pages of 100), cached briefly for every worker."""
    cached = cache.get(ORG_CATALOGUE_KEY)
    if cached is not None:
        return cached
    found: list[Organization] = []
    complete = True
    for organization in get_client().iter_organizations(take=100):
        if len(found) == ORG_CATALOGUE_LIMIT:
            complete = False
            break
        found.append(organization)
    catalogue = OrganizationCatalogue(tuple(found), complete)
    cache.set(ORG_CATALOGUE_KEY, catalogue, ROLE_CATALOGUE_SECONDS)
    return catalogue


def organization_search(
    *,
    text: str,
    page: int = 0,
    per_page: int = 25,
    sort: str = "name:1",
    include: Callable[[Organization], bool] | None = None,
) -> tuple[Page[Organization], bool]:
    """Organizations whose name, display name or id contains `text` (any case; "" matches
    all) and that `include` accepts, and whether every organization was searched."""
    needle = text.strip().lower()
    catalogue = organization_catalogue()
    matches = [
        o
        for o in catalogue.organizations
        if (needle in o.name.lower() or needle in o.display_name.lower() or needle == o.id.lower())
        and (include is None or include(o))
    ]
    key, reverse = ORG_SORTS.get(sort, ORG_SORTS["name:1"])
    matches.sort(key=key, reverse=reverse)
    start = page * per_page
    chunk = tuple(matches[start : start + per_page])
    return Page(items=chunk, total=len(matches), start=start, limit=per_page), catalogue.complete


def member_search(*, org_id: str, text: str) -> Page[Member]:
    """Members of the organization whose name, e-mail or nickname starts with each word of
    `text` (user search, then their roles): at most MEMBER_SEARCH_LIMIT + 1 calls."""
    client = get_client()
    check_org_id(org_id)
    clauses = []
    for word in text.split()[:5]:
        if "@" in word:
            clauses.append(f'email:"{_lucene_quoted(word)}"')
        elif prefix := re.sub(r"[^\w.]", "", word):
            clauses.append(f"(name:{prefix}* OR email:{prefix}* OR nickname:{prefix}*)")
    if not clauses:
        return Page(items=(), total=0)
    q = f'organization_id:"{org_id}" AND ' + " AND ".join(clauses)
    users = client.search_users(q, per_page=MEMBER_SEARCH_LIMIT)
    members = tuple(
        Member(
            user_id=u.user_id,
            name=u.name,
            email=u.email,
            picture=u.picture,
            roles=member_roles_list(org_id=org_id, user_id=u.user_id),
        )
        for u in users.items
    )
    return Page(items=members, total=users.total, limit=MEMBER_SEARCH_LIMIT)


def users_by_id(*, user_ids: list[str]) -> dict[str, User]:
    """The named users in one search call (for a bulk preview); unknown ids are left out."""
    for user_id in user_ids:
        check_user_id(user_id)
    if not user_ids:
        return {}
    q = " OR ".join(f'user_id:"{_lucene_quoted(u)}"' for u in user_ids)
    found = get_client().search_users(q, per_page=min(100, max(1, len(user_ids))))
    return {u.user_id: u for u in found.items}


def user_organizations_list(*, user_id: str) -> tuple[Organization, ...]:
    client = get_client()
    check_user_id(user_id)
    return all_pages(
        lambda page, size: client.list_user_organizations(user_id, page=page, per_page=size)
    )


def _lucene_quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
