"""Values read from Auth0 and remembered for every worker for a while (the role catalogue, the
organization catalogue), built once when they expire: the first worker builds under a lock in
the cache, the others wait briefly for its result instead of all calling Auth0 at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
WAIT_FOR_BUILDER = 5.0


def remember(key: str, seconds: float, build: Callable[[], T]) -> T:
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:building"
    if not cache.add(lock, True, timeout=30):
        deadline = time.monotonic() + WAIT_FOR_BUILDER
        while time.monotonic() < deadline:
            time.sleep(0.05)  # another worker is calling Auth0 for this very value
            value = cache.get(key)
            if value is not None:
                return value
    try:
        value = build()
        cache.set(key, value, seconds)
        return value
    finally:
        cache.delete(lock)
