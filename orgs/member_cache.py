"""What adminportal read of a member moments ago, shared by every worker: their profile, and
that they were a member with these roles. The confirmation dialog and the panel refresh that
follow a page reuse it instead of asking Auth0 again; writes keep it true:

- a role change stores the roles after it, a removal forgets the member (before the call, so a
  concurrent write in another worker cannot rely on a membership that is going away), and an
  unknown outcome forgets them too;
- it lives MEMBER_SECONDS at most, so a change made outside adminportal shows within that time.

Writes never trust it for what they check: they read the member's roles afresh (one call)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

from .auth0_mgmt import Member, Organization, Role, User

MEMBER_SECONDS = 30
PROFILE_SECONDS = 120
LISTED_PROFILES = 200


@dataclass(frozen=True)
class MemberDetail:
    organization: Organization
    user: User
    roles: tuple[Role, ...]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]  # ids may hold any character


def member_key(org_id: str, user_id: str) -> str:
    return f"adminportal:member:{_digest(org_id)}:{_digest(user_id)}"


def profile_key(user_id: str) -> str:
    return f"adminportal:user:{_digest(user_id)}"


def recall_member(org_id: str, user_id: str) -> MemberDetail | None:
    return cache.get(member_key(org_id, user_id))


def remember_member(detail: MemberDetail) -> None:
    key = member_key(detail.organization.id, detail.user.user_id)
    cache.set(key, detail, MEMBER_SECONDS)
    remember_profile(detail.user)


def forget_members(org_id: str, user_ids: Iterable[str]) -> None:
    cache.delete_many([member_key(org_id, user_id) for user_id in user_ids])


def recall_profile(user_id: str, org_id: str = "") -> User | None:
    """The profile read lately, or as a members page of `org_id` listed it lately."""
    profile = cache.get(profile_key(user_id))
    if profile is None and org_id:
        profile = cache.get(listed_key(org_id), {}).get(user_id)
    return profile


def remember_profile(user: User) -> None:
    cache.set(profile_key(user.user_id), user, PROFILE_SECONDS)


def listed_key(org_id: str) -> str:
    return f"adminportal:listed:{_digest(org_id)}"


def remember_listed(org_id: str, members: Iterable[Member]) -> None:
    """Profiles as the organization's members pages showed them lately (name, e-mail,
    picture), for the member page opened from one: one cache entry per organization, holding
    the newest LISTED_PROFILES."""
    key = listed_key(org_id)
    listed: dict[str, User] = cache.get(key, {})
    for member in members:
        listed.pop(member.user_id, None)
        listed[member.user_id] = member.as_user()
    newest = dict(list(listed.items())[-LISTED_PROFILES:])
    cache.set(key, newest, PROFILE_SECONDS)
