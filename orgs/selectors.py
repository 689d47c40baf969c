"""Reads from the Auth0 Management API, for views. Keyword-only, typed, named <entity>_<action>;
they return typed values and let the auth0_mgmt errors propagate."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User as StaffUser
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext_lazy

from . import holders, member_cache
from .auth0_mgmt import Member, Organization, Page, Role, User, all_pages, errors, get_client
from .i18n import lazy_text
from .ids import check_org_id, check_user_id
from .member_cache import MemberDetail
from .remembered import remember
from .staff.access import access_of, check_reach, reach_of, reaches_all

ROLE_CATALOGUE_KEY = "adminportal:role-catalogue"
ROLE_CATALOGUE_SECONDS = 60
ORGANIZATION_PAGE_SECONDS = 30
"""A page of the organization list is remembered this long for every worker: adminportal never
changes organizations, and the list is the busiest page (one call per view otherwise)."""
ORGANIZATION_PAGE_KEY = "adminportal:organization-page:{page}:{per_page}:{sort}"
PAGE_SIZE = 50  # Auth0's public-cloud maximum for some lists; never ask for more


def organization_list(
    *, page: int = 0, per_page: int = 25, sort: str = "name:1"
) -> Page[Organization]:
    key = ORGANIZATION_PAGE_KEY.format(page=page, per_page=per_page, sort=sort)
    return remember(
        key,
        ORGANIZATION_PAGE_SECONDS,
        lambda: get_client().list_organizations(page=page, per_page=per_page, sort=sort),
    )


def organization_get(*, org_id: str) -> Organization:
    return get_client().get_organization(check_org_id(org_id))


def organization_get_cached(*, org_id: str) -> Organization:
    """organization_get, remembered for a minute (for checks on every table refresh)."""
    key = f"adminportal:organization:{check_org_id(org_id)}"
    return remember(key, ROLE_CATALOGUE_SECONDS, lambda: organization_get(org_id=org_id))


def organization_in_reach(*, user: StaffUser, org_id: str) -> Organization:
    """The organization (as read moments ago), or OrganizationNotFound when it is out of the
    staff member's reach."""
    return check_reach(user, organization_get_cached(org_id=org_id))


def organization_find(*, id_or_name: str) -> Organization:
    """An organization by id (org_…) or by its name, for "paste an id or name to jump"."""
    value = id_or_name.strip()
    if value.startswith("org_"):
        return organization_get(org_id=value)
    if not value or len(value) > 50:
        said = gettext_lazy("No organization is named “%(name)s”.")
        raise errors.OrganizationNotFound(lazy_text(said, name=value[:50]))
    return get_client().get_organization_by_name(value)


def member_list(*, org_id: str, cursor: str | None = None, take: int = PAGE_SIZE) -> Page[Member]:
    """One page of members with their organization roles: one API call. What it shows is kept
    for the member pages opened from it (profiles) and the protected-role index."""
    page = get_client().list_members(check_org_id(org_id), cursor=cursor, take=take)
    member_cache.remember_listed(org_id, page.items, cursor, take)
    holders.note_listed(org_id, page.items, whole=cursor is None and len(page.items) < take)
    return page


HOLDER_SCAN_PAGES = 10
HOLDER_SCAN_TAKE = 100


@dataclass(frozen=True)
class RoleHolders:
    """Members holding a role, found by reading the members list from `cursor`: at most
    HOLDER_SCAN_PAGES pages of HOLDER_SCAN_TAKE per request (Auth0 has no "members with this
    organization role" query). `next_cursor`: where the next request goes on; None at the end."""

    holders: tuple[Member, ...]
    scanned: int
    next_cursor: str | None


def role_holders(*, org_id: str, role_id: str, cursor: str | None = None) -> RoleHolders:
    """The members of the organization who hold `role_id`, from `cursor` on: one call per 100
    members read, at most HOLDER_SCAN_PAGES calls. What it reads feeds the protected-role
    index as a members page does."""
    client = get_client()
    check_org_id(org_id)
    found: list[Member] = []
    scanned = 0
    for _ in range(HOLDER_SCAN_PAGES):
        page = client.list_members(org_id, cursor=cursor, take=HOLDER_SCAN_TAKE)
        holders.note_listed(org_id, page.items)
        scanned += len(page.items)
        found += [m for m in page.items if any(r.id == role_id for r in m.roles)]
        cursor = page.next_cursor if len(page.items) == HOLDER_SCAN_TAKE else None
        if cursor is None:  # a short page is the last one
            break
    return RoleHolders(holders=tuple(found), scanned=scanned, next_cursor=cursor)


def protected_holders(*, org_id: str) -> dict[str, list[tuple[str, str]]]:
    """{protected role name: [(user id, name or id)]} as adminportal's index knows them, names
    as pages showed them lately: no Auth0 call."""
    check_org_id(org_id)
    return {
        role: [(u, _label_of(u, org_id)) for u in user_ids]
        for role, user_ids in holders.known_holders(org_id).items()
    }


def _label_of(user_id: str, org_id: str) -> str:
    profile = member_cache.recall_profile(user_id, org_id)
    return profile.label if profile else user_id


def member_roles_list(*, org_id: str, user_id: str) -> tuple[Role, ...]:
    """A member's roles in the organization, read afresh (Auth0 answers this consistently)."""
    client = get_client()
    check_org_id(org_id)
    check_user_id(user_id)
    return all_pages(
        lambda page, size: client.list_member_roles(org_id, user_id, page=page, per_page=size)
    )


def member_get(*, organization: Organization, user_id: str) -> MemberDetail:
    """A member of an organization with their roles there, read afresh: their organizations
    (membership) and roles, two calls; their profile as read lately, else a third.
    MemberNotFound if not a member.

    `organization` is fetched, and checked to be in the staff member's reach, first: whether
    someone belongs to an organization out of reach must not show. The error names only the id
    given, never who a non-member is."""
    client = get_client()
    check_user_id(user_id)
    try:
        memberships = all_pages(
            lambda page, size: client.list_user_organizations(user_id, page=page, per_page=size)
        )
    except errors.UserNotFound as exc:
        said = gettext_lazy("%(user_id)s is not a user of this tenant.")
        raise errors.MemberNotFound(lazy_text(said, user_id=user_id)) from exc
    if organization.id not in {org.id for org in memberships}:
        said = ngettext_lazy(  # one user: the same words as services' for several
            "%(who)s is not a member of %(org)s.", "%(who)s are not members of %(org)s.", 1
        )
        raise errors.MemberNotFound(lazy_text(said, who=user_id, org=organization.label))
    user = member_cache.recall_profile(user_id, organization.id) or user_get(user_id=user_id)
    roles = member_roles_list(org_id=organization.id, user_id=user_id)
    holders.note_roles(organization.id, user_id, roles)
    detail = MemberDetail(organization, user, roles)
    member_cache.remember_member(detail)
    return detail


def member_recalled(*, organization: Organization, user_id: str) -> MemberDetail:
    """The member as a page showed them moments ago (the member page, else a members page's
    row), for its confirmations and refreshes; else member_get."""
    check_user_id(user_id)
    recalled = member_cache.recall_member(organization.id, user_id)
    if recalled is None and (row := member_cache.recall_listed(organization.id, [user_id])):
        member = row[user_id].member
        recalled = MemberDetail(organization, member.as_user(), member.roles)
    return recalled or member_get(organization=organization, user_id=user_id)


@dataclass(frozen=True)
class ListedPage:
    """A members page: its checkpoint cursor (None for the first) and size."""

    cursor: str | None
    size: int


def members_on_page(
    *, org_id: str, user_ids: list[str], cursor: str | None, take: int
) -> dict[str, Member] | None:
    """The named members as the members page they were picked from lists them (one call), or
    None when one of them is not on it any more, or the page is gone."""
    check_org_id(org_id)
    for user_id in user_ids:
        check_user_id(user_id)
    try:
        listed = {m.user_id: m for m in member_list(org_id=org_id, cursor=cursor, take=take)}
    except errors.InvalidQueryString:
        if cursor is None:
            raise
        return None  # a page link Auth0 no longer knows: the page is not known either
    if any(user_id not in listed for user_id in user_ids):
        return None
    return {user_id: listed[user_id] for user_id in user_ids}


def members_to_confirm(
    *, org_id: str, user_ids: list[str], page: ListedPage | None
) -> dict[str, Member]:
    """Those of the named users who are members, with their roles, for a bulk preview: as the
    members pages that showed them lately list them (no call), else their page read again, else
    a walk of the list. Anyone else is left out, so nothing about users outside the
    organization shows."""
    check_org_id(org_id)
    rows = member_cache.recall_listed(org_id, user_ids)
    if len(rows) == len(set(user_ids)):
        return {user_id: rows[user_id].member for user_id in user_ids}
    on_page = page and members_on_page(
        org_id=org_id, user_ids=user_ids, cursor=page.cursor, take=page.size
    )
    return on_page or members_by_id(org_id=org_id, user_ids=user_ids)


def members_listed(*, org_id: str, user_ids: list[str]) -> dict[str, Member] | None:
    """The named members as the members pages they were shown on list them now: one call per
    page they came from (a members page lately showed each of them), else None."""
    rows = member_cache.recall_listed(org_id, user_ids)
    if len(rows) < len(set(user_ids)):
        return None
    found: dict[str, Member] = {}
    for cursor, take in dict.fromkeys((row.cursor, row.take) for row in rows.values()):
        wanted = [u for u in user_ids if (rows[u].cursor, rows[u].take) == (cursor, take)]
        listed = members_on_page(org_id=org_id, user_ids=wanted, cursor=cursor, take=take)
        if listed is None:
            return None
        found.update(listed)
    return {user_id: found[user_id] for user_id in user_ids}


def role_list() -> tuple[Role, ...]:
    """The tenant's whole role catalogue, by name; remembered briefly for every worker."""

    def build() -> tuple[Role, ...]:
        client = get_client()
        roles = all_pages(lambda page, size: client.list_roles(page=page, per_page=size))
        return tuple(sorted(roles, key=lambda r: r.name.lower()))

    return remember(ROLE_CATALOGUE_KEY, ROLE_CATALOGUE_SECONDS, build)


def user_get(*, user_id: str) -> User:
    user = get_client().get_user(check_user_id(user_id))
    member_cache.remember_profile(user)
    return user


def user_profile(*, user_id: str, org_id: str = "") -> User:
    """The user's profile as read (or listed in `org_id`) lately, else read now."""
    check_user_id(user_id)
    return member_cache.recall_profile(user_id, org_id) or user_get(user_id=user_id)


def user_roles_list(*, user_id: str) -> tuple[Role, ...]:
    client = get_client()
    check_user_id(user_id)
    return all_pages(lambda page, size: client.list_user_roles(user_id, page=page, per_page=size))


# --- search ----------------------------------------------------------------------------------

ORG_CATALOGUE_KEY = "adminportal:organization-catalogue:v2"  # v2: every organization
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
    """Every organization of the tenant, in Auth0's order."""
    read_at: datetime
    """When Auth0 listed them."""
    haystacks: tuple[str, ...]
    """Each one's name and display name in lower case, for search (a NUL between them, which
    a search text never holds)."""


def organization_catalogue() -> OrganizationCatalogue:
    """Every organization of the tenant (checkpoint pages of 100: no 1,000-record cap),
    remembered for every worker: fresh for ADMINPORTAL_ORG_CATALOGUE_FRESH_SECONDS, then
    served as it is while one worker reads it again in the background, for up to
    ADMINPORTAL_ORG_CATALOGUE_STALE_SECONDS more. Only a request that finds none at all
    waits for the walk (one call per 100 organizations)."""

    def build() -> OrganizationCatalogue:
        organizations = tuple(get_client().iter_organizations(take=100))
        return OrganizationCatalogue(
            organizations,
            read_at=timezone.now(),
            haystacks=tuple(f"{o.name}\0{o.display_name}".lower() for o in organizations),
        )

    return remember(
        ORG_CATALOGUE_KEY,
        settings.ADMINPORTAL_ORG_CATALOGUE_FRESH_SECONDS,
        build,
        keep=settings.ADMINPORTAL_ORG_CATALOGUE_STALE_SECONDS,
    )


def organization_search(
    *,
    text: str,
    page: int = 0,
    per_page: int = 25,
    sort: str = "name:1",
    include: Callable[[Organization], bool] | None = None,
) -> tuple[Page[Organization], datetime]:
    """Organizations whose name, display name or id contains `text` (any case; "" matches
    all) and that `include` accepts, among every organization of the tenant; and when Auth0
    listed them."""
    needle = text.strip().lower()
    catalogue = organization_catalogue()
    matches = [
        o
        for o, haystack in zip(catalogue.organizations, catalogue.haystacks, strict=True)
        if (needle in haystack or needle == o.id.lower()) and (include is None or include(o))
    ]
    key, reverse = ORG_SORTS.get(sort, ORG_SORTS["name:1"])
    matches.sort(key=key, reverse=reverse)
    start = page * per_page
    chunk = tuple(matches[start : start + per_page])
    return Page(items=chunk, total=len(matches), start=start, limit=per_page), catalogue.read_at


def member_search(*, org_id: str, text: str) -> Page[Member]:
    """Members of the organization with a word of their name (given or family name), nickname
    or e-mail starting with each word of `text`, as a person expects ("Johnson" and "quinn joh"
    find Quinn Johnson): one user search. Auth0 matches `name:w*` only at the start of the whole
    name, so a word of 3 or more letters is also sought inside it (`name:*w*`), and what Auth0
    returns is then held to word starts here. A single hit comes with their roles (a second
    call); with more, each hit's roles are one click away."""
    check_org_id(org_id)
    words = _search_words(text)
    if not words:
        return Page(items=(), total=0)
    q = f'organization_id:"{org_id}" AND ' + " AND ".join(_search_clause(w) for w in words)
    hits = _word_start_hits(q, words, MEMBER_SEARCH_LIMIT)
    members = tuple(
        Member(user_id=u.user_id, name=u.name, email=u.email, picture=u.picture, roles_shown=False)
        for u in hits.users
    )
    if len(members) == 1:
        roles = member_roles_list(org_id=org_id, user_id=members[0].user_id)
        members = (replace(members[0], roles=roles, roles_shown=True),)
    total = len(members) if hits.more is None else hits.more
    return Page(items=members, total=total, limit=MEMBER_SEARCH_LIMIT)


USER_SEARCH_LIMIT = 25
REACH_FILTER_SIZE = 100
"""Organization ids named in one user search of a limited staff member; more take one search
per hundred."""


def reached_organization_ids(user: StaffUser) -> frozenset[str] | None:
    """The ids of the organizations a staff member reaches (their list, and those of the
    catalogue their metadata rule matches); None when they reach every organization."""
    if reaches_all(user):
        return None
    access = access_of(user)
    if access is None:
        return frozenset()
    if not access.rule_pairs():
        return access.listed_ids()
    reach = reach_of(user)
    return access.listed_ids() | {o.id for o in organization_catalogue().organizations if reach(o)}


def user_search(*, text: str, organization_ids: frozenset[str] | None = None) -> Page[User]:
    """Users of the tenant with a word of their name, nickname or e-mail starting with each word
    of `text` (an e-mail address: that address): one user search. `organization_ids`: only
    users who belong to one of them (staff limited to some organizations; one search per 100
    organizations); None for all."""
    words = _search_words(text)
    if not words or organization_ids is not None and not organization_ids:
        return Page(items=(), total=0)
    query = " AND ".join(_search_clause(w) for w in words)
    if organization_ids is None:
        queries = [query]
    else:
        ids = sorted(organization_ids)
        size = REACH_FILTER_SIZE
        queries = [
            "("
            + " OR ".join(f'organization_id:"{_lucene_quoted(i)}"' for i in ids[n : n + size])
            + f") AND {query}"
            for n in range(0, len(ids), size)
        ]
    found: dict[str, User] = {}
    every_hit_read = True
    for q in queries:
        hits = _word_start_hits(q, words, USER_SEARCH_LIMIT)
        every_hit_read &= hits.more is None
        found |= {u.user_id: u for u in hits.users}
        if len(found) >= USER_SEARCH_LIMIT:
            every_hit_read = False
            break
    items = tuple(found.values())[:USER_SEARCH_LIMIT]
    return Page(items=items, total=len(items) if every_hit_read else None, limit=USER_SEARCH_LIMIT)


SEARCHED_FIELDS = ("name", "given_name", "family_name", "nickname", "email")


@dataclass(frozen=True)
class _Hits:
    users: list[User]
    """The users Auth0 found with a word starting with each word searched."""
    more: int | None
    """Auth0's count of hits (before they were held to word starts) when it had more than it
    returned; None when every hit was read."""


def _word_start_hits(q: str, words: list[str], limit: int) -> _Hits:
    """One user search (at most `limit` hits), held to word starts (Auth0's `*w*` is wider)."""
    users = get_client().search_users(q, per_page=limit)
    held = [u for u in users.items if all(_starts_a_word(u, w) for w in words)]
    return _Hits(held, None if (users.total or 0) <= len(users.items) else users.total)


def _search_words(text: str) -> list[str]:
    """The first 5 words of a search, each cut to letters, digits and dots (an e-mail address
    is kept whole)."""
    return [
        w
        for w in (w if "@" in w else re.sub(r"[^\w.]", "", w) for w in text.split()[:5])
        if w.strip(".@")
    ]


def _search_clause(word: str) -> str:
    if "@" in word:
        return f'email:"{_lucene_quoted(word)}"'
    prefix = word.strip(".")
    clauses = [f"{field}:{prefix}*" for field in SEARCHED_FIELDS]
    if len(prefix) >= 3:  # Auth0 allows a leading wildcard with 3 characters or more
        clauses += [f"name:*{prefix}*", f"email:*{prefix}*"]
    return "(" + " OR ".join(clauses) + ")"


def _starts_a_word(user: User, word: str) -> bool:
    """Whether `word` starts a word of the user's names, nickname or e-mail (any case)."""
    wanted = word.casefold()
    if "@" in wanted:
        return user.email.casefold() == wanted
    wanted = wanted.strip(".")
    values = (user.name, user.given_name, user.family_name, user.nickname, user.email)
    return any(
        part.startswith(wanted)
        for value in values
        for part in re.split(r"[^\w]+", value.casefold())
        if part
    ) or any(value.casefold().startswith(wanted) for value in values if value)


def members_by_id(*, org_id: str, user_ids: list[str]) -> dict[str, Member]:
    """Those of the named users who are members of the organization, with their roles there: a
    walk of the members list until all of them are seen. Anyone else is left out, so nothing
    about users outside the organization shows."""
    check_org_id(org_id)
    for user_id in user_ids:
        check_user_id(user_id)
    wanted = set(user_ids)
    found: dict[str, Member] = {}
    if not wanted:
        return found
    for member in get_client().iter_members(org_id, take=100):
        if member.user_id in wanted:
            found[member.user_id] = member
            if len(found) == len(wanted):
                break
    return found


def members_among(*, org_id: str, user_ids: list[str]) -> set[str]:
    """Which of the named users (at most 100) are members of the organization: one user search
    (organization_id and user_id). Auth0's search index follows changes within seconds."""
    check_org_id(org_id)
    for user_id in user_ids:
        check_user_id(user_id)
    if not user_ids:
        return set()
    named = " OR ".join(f'user_id:"{_lucene_quoted(u)}"' for u in user_ids)
    q = f'organization_id:"{_lucene_quoted(org_id)}" AND ({named})'
    found = get_client().search_users(q, per_page=max(len(user_ids), 1))
    return {user.user_id for user in found.items} & set(user_ids)


def user_organizations_list(*, user_id: str) -> tuple[Organization, ...]:
    client = get_client()
    check_user_id(user_id)
    return all_pages(
        lambda page, size: client.list_user_organizations(user_id, page=page, per_page=size)
    )


def _lucene_quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
