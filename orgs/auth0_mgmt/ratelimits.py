"""Auth0's rate-limit buckets as every worker last met them. When one worker is answered 429
with a reset that is not imminent, the others (processes and hosts sharing the cache) do not
call that endpoint group until then: they raise Auth0RateLimited at once, with the time, instead
of each calling Auth0 into a 429 of its own (which also delays the bucket's refill)."""

from __future__ import annotations

import time
from typing import Any

KEY = "adminportal:auth0-rate-limits"

# Auth0's endpoint groups (rate-limit policy, contract section 5), by method and path shape.
_GROUPS: list[tuple[str, tuple[str, ...], str]] = [
    ("GET", ("organizations",), "read_organizations"),
    ("GET", ("organizations", "name", "*"), "read_organization_by_name"),
    ("GET", ("organizations", "*"), "read_organization"),
    ("GET", ("organizations", "*", "members"), "read_organization_members"),
    ("*", ("organizations", "*", "members"), "write_organization_members"),
    ("GET", ("organizations", "*", "members", "*", "roles"), "read_organization_member_roles"),
    ("*", ("organizations", "*", "members", "*", "roles"), "write_organization_member_roles"),
    ("GET", ("users", "*", "organizations"), "read_user_organizations"),
    ("GET", ("users", "*", "roles"), "read_users"),
    ("*", ("users", "*", "roles"), "write_users"),
    ("GET", ("users",), "read_users"),
    ("GET", ("users", "*"), "read_users"),
    ("GET", ("roles",), "read_roles"),
    ("GET", ("roles", "*"), "read_roles"),
]


def group_of(method: str, segments: tuple[str, ...]) -> str:
    for want_method, shape, group in _GROUPS:
        if want_method not in ("*", method) or len(shape) != len(segments):
            continue
        if all(s == "*" or s == seg for s, seg in zip(shape, segments, strict=True)):
            return group
    return "other"


class SharedLimits:
    """Endpoint groups known to be empty, and until when, in a cache every worker reads."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache

    def empty_until(self, group: str) -> float | None:
        until = (self.cache.get(KEY) or {}).get(group)
        return until if until and until > time.time() else None

    def note_empty(self, group: str, until: float) -> None:
        now = time.time()
        if until <= now:
            return
        known = {g: t for g, t in (self.cache.get(KEY) or {}).items() if t > now}
        known[group] = max(until, known.get(group, 0))
        self.cache.set(KEY, known, timeout=max(1, int(max(known.values()) - now) + 1))
