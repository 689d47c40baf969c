"""What adminportal read of members moments ago, shared by every worker, so that the dialogs and
refreshes that follow a page do not ask Auth0 again:

- a member as the member page read them (membership, roles: consistent reads) for
  MEMBER_SECONDS;
- the rows of an organization's members pages (profile, roles as listed, and which page each
  row was on) for LISTED_SECONDS, newest LISTED_ROWS per organization in one cache entry;
- profiles read with GET /users/{id} for LISTED_SECONDS.

adminportal's own writes keep it true: a role change stores the roles after it; a removal
forgets the member before the call (so a concurrent write in another worker cannot rely on a
membership that is going away); a failure forgets them too. Writes never trust it for what they
check: they read the member's roles afresh, and only a member page's read (not a listed row)
stands for membership when roles are assigned."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

from .auth0_mgmt import Member, Organization, Role, User

MEMBER_SECONDS = 30
LISTED_SECONDS = 120
LISTED_ROWS = 200


@dataclass(frozen=True)
class MemberDetail:
    """A member page's subject: the organization, the user, and their roles in it."""

    organization: Organization
    user: User
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class ListedRow:
    """A member as a members page listed them, and that page (cursor, size)."""

    member: Member
    cursor: str | None
    take: int


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]  # ids may hold any character


def member_key(org_id: str, user_id: str) -> str:
    return f"adminportal:member:{_digest(org_id)}:{_digest(user_id)}"


def profile_key(user_id: str) -> str:
    return f"adminportal:user:{_digest(user_id)}"


def listed_key(org_id: str) -> str:
    return f"adminportal:listed:{_digest(org_id)}"


def recall_member(org_id: str, user_id: str) -> MemberDetail | None:
    return cache.get(member_key(org_id, user_id))


def remember_member(detail: MemberDetail) -> None:
    key = member_key(detail.organization.id, detail.user.user_id)
    cache.set(key, detail, MEMBER_SECONDS)
    remember_profile(detail.user)


def forget_members(org_id: str, user_ids: Iterable[str]) -> None:
    """They are being removed (or a write failed): neither their member page's read nor their
    listed rows stand any more."""
    user_ids = list(user_ids)
    cache.delete_many([member_key(org_id, user_id) for user_id in user_ids])
    listed: dict[str, ListedRow] = cache.get(listed_key(org_id), {})
    if any(user_id in listed for user_id in user_ids):
        for user_id in user_ids:
            listed.pop(user_id, None)
        cache.set(listed_key(org_id), listed, LISTED_SECONDS)


def remember_listed(org_id: str, members: Iterable[Member], cursor: str | None, take: int) -> None:
    """The rows of a members page (one cache entry per organization, newest LISTED_ROWS)."""
    key = listed_key(org_id)
    listed: dict[str, ListedRow] = cache.get(key, {})
    for member in members:
        listed.pop(member.user_id, None)
        listed[member.user_id] = ListedRow(member, cursor, take)
    cache.set(key, dict(list(listed.items())[-LISTED_ROWS:]), LISTED_SECONDS)


def recall_listed(org_id: str, user_ids: Iterable[str]) -> dict[str, ListedRow]:
    """Those of the members named that a members page of the organization listed lately."""
    listed: dict[str, ListedRow] = cache.get(listed_key(org_id), {})
    return {user_id: listed[user_id] for user_id in user_ids if user_id in listed}


def recall_profile(user_id: str, org_id: str = "") -> User | None:
    """The profile read lately, or as a members page of `org_id` listed it lately."""
    profile = cache.get(profile_key(user_id))
    if profile is None and org_id and (row := recall_listed(org_id, [user_id]).get(user_id)):
        profile = row.member.as_user()
    return profile


def remember_profile(user: User) -> None:
    cache.set(profile_key(user.user_id), user, LISTED_SECONDS)
