"""Locks across every worker and host, held in the shared cache, whose `add` is atomic: one
holder per key at a time. A lock expires on its own after its `seconds`, should its holder die,
and is let go only by its holder (not once another has taken it after it expired)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import BaseCache, cache

T = TypeVar("T")
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Lock:
    key: str
    owner: str
    store: BaseCache

    def release(self) -> None:
        if self.store.get(self.key) == self.owner:
            self.store.delete(self.key)


def try_lock(key: str, seconds: float, store: BaseCache | None = None) -> Lock | None:
    """The lock of `key` if nobody holds it, else None (at once, no waiting)."""
    store = store or cache
    owner = uuid.uuid4().hex
    return Lock(key, owner, store) if store.add(key, owner, timeout=seconds) else None


@contextmanager
def holding(key: str, seconds: float, store: BaseCache | None = None) -> Iterator[bool]:
    """with holding(key, s) as held: whether the lock was taken; let go at the end."""
    lock = try_lock(key, seconds, store)
    try:
        yield lock is not None
    finally:
        if lock is not None:
            lock.release()


def value_or_lock(
    found: Callable[[], T | None],
    key: str,
    seconds: float,
    *,
    wait: float,
    store: BaseCache | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> tuple[T | None, Lock | None]:
    """What `found()` gives (someone else made it), waiting while another holds `key`; or the
    lock, to make it oneself. (None, None) when the lock was still held after `wait` seconds:
    its holder is slow or died, so the caller goes ahead without it."""
    deadline = time.monotonic() + wait
    while True:
        value = found()
        if value is not None:
            return value, None
        lock = try_lock(key, seconds, store)
        if lock is not None:
            # Its last holder may have stored the value and let go since found() looked.
            value = found()
            if value is None:
                return None, lock
            lock.release()
            return value, None
        if time.monotonic() > deadline:
            return None, None
        pause(POLL_SECONDS)
