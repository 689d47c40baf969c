"""Token-bucket rate limits per endpoint group, as Auth0 applies them (contract section 5).

Every response carries x-ratelimit-limit (bucket size), x-ratelimit-remaining and
x-ratelimit-reset (UNIX epoch seconds at which requests are next added to the bucket). A request
is charged to the tenant-wide bucket and to its endpoint group's bucket; when either is empty the
answer is 429, and the headers describe the bucket that ran out.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

from . import errors
from .store import Clock

PER_MINUTE = 1 / 60

# (burst, sustained per second) per group. "global" is the whole Management API.
PRESETS: dict[str, dict[str, tuple[float, float]]] = {
    "off": {},
    "free": {"global": (2, 2), "oauth_token": (30, 30 * PER_MINUTE)},
    "enterprise": {
        "global": (50, 16),
        "read_organizations": (10, 100 * PER_MINUTE),
        "read_organization": (10, 100 * PER_MINUTE),
        "read_organization_by_name": (20, 200 * PER_MINUTE),
        "write_organizations": (5, 150 * PER_MINUTE),
        "read_organization_members": (40, 500 * PER_MINUTE),
        "write_organization_members": (20, 200 * PER_MINUTE),
        "read_organization_member_roles": (20, 200 * PER_MINUTE),
        "write_organization_member_roles": (20, 200 * PER_MINUTE),
        "read_user_organizations": (40, 500 * PER_MINUTE),
        "oauth_token": (30, 30 * PER_MINUTE),
    },
    "essentials": {
        "read_organizations": (5, 50 * PER_MINUTE),
        "read_organization": (20, 200 * PER_MINUTE),
        "read_organization_by_name": (10, 100 * PER_MINUTE),
        "write_organizations": (5, 25 * PER_MINUTE),
        "read_organization_members": (40, 500 * PER_MINUTE),
        "write_organization_members": (20, 200 * PER_MINUTE),
        "read_organization_member_roles": (20, 200 * PER_MINUTE),
        "write_organization_member_roles": (20, 200 * PER_MINUTE),
        "read_users": (40, 500 * PER_MINUTE),
        "write_users": (20, 200 * PER_MINUTE),
        "oauth_token": (30, 30 * PER_MINUTE),
    },
}
# Header figures when no bucket applies (limits off): a generous, never-empty bucket.
UNLIMITED = (1000, 1000)


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.per_second)
        self.updated = now

    def next_token_at(self, now: float) -> float:
        if self.tokens >= self.capacity or self.per_second <= 0:
            return now
        return now + (1 - (self.tokens % 1)) / self.per_second


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]
    message: str = errors.RATE_LIMIT_MESSAGE


class RateLimiter:
    def __init__(self, clock: Clock, preset: str = "off") -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.configure(preset=preset)

    def configure(
        self, *, preset: str | None = None, buckets: dict[str, dict[str, float]] | None = None
    ) -> None:
        """Switch to a preset, and/or override single buckets {"group": {burst, per_second}}."""
        with self.lock:
            if preset is not None:
                if preset not in PRESETS:
                    raise ValueError(f"unknown rate-limit preset {preset!r}")
                self.preset = preset
                self.limits = dict(PRESETS[preset])
            for group, figures in (buckets or {}).items():
                self.limits[group] = (float(figures["burst"]), float(figures["per_second"]))
            self.buckets: dict[str, Bucket] = {}

    def describe(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "buckets": {g: {"burst": b, "per_second": r} for g, (b, r) in self.limits.items()},
        }

    def charge(self, group: str | None) -> Verdict:
        names = [n for n in ("global", group) if n and n in self.limits]
        if group == "oauth_token":
            names = [group] if group in self.limits else []
        now = self.clock.now()
        with self.lock:
            buckets = [self._bucket(name, now) for name in names]
            empty = [(name, b) for name, b in zip(names, buckets, strict=True) if b.tokens < 1]
            if empty:
                name, bucket = empty[0]
                message = (
                    errors.GLOBAL_RATE_LIMIT_MESSAGE
                    if name == "global"
                    else errors.RATE_LIMIT_MESSAGE
                )
                return Verdict(False, self._headers(bucket, now), message)
            for bucket in buckets:
                bucket.tokens -= 1
            if not buckets:
                return Verdict(True, _headers(UNLIMITED[0], UNLIMITED[0] - 1, now))
            tightest = min(buckets, key=lambda b: b.tokens)
            return Verdict(True, self._headers(tightest, now))

    def _bucket(self, name: str, now: float) -> Bucket:
        bucket = self.buckets.get(name)
        if bucket is None:
            burst, rate = self.limits[name]
            bucket = self.buckets[name] = Bucket(burst, rate, burst, now)
        bucket.refill(now)
        return bucket

    @staticmethod
    def _headers(bucket: Bucket, now: float) -> dict[str, str]:
        return _headers(bucket.capacity, math.floor(bucket.tokens), bucket.next_token_at(now))


def _headers(limit: float, remaining: float, reset_at: float) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(int(limit)),
        "x-ratelimit-remaining": str(max(0, int(remaining))),
        "x-ratelimit-reset": str(math.ceil(reset_at)),
    }
