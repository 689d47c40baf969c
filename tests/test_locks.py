"""orgs.locks.value_or_lock: one builder at a time, and nobody builds what is already there."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from orgs import locks

pytestmark = pytest.mark.django_db

KEY = "test-lock"


def test_a_value_stored_while_the_lock_was_taken_is_used_not_built_again():
    # Another worker held the lock, stored the value and let go between this worker's first
    # look and its taking of the lock: the value is used, and the lock let go at once.
    looks: list[str | None] = [None, "built elsewhere"]

    value, lock = locks.value_or_lock(lambda: looks.pop(0), KEY, 5, wait=1)

    assert (value, lock) == ("built elsewhere", None)
    assert cache.get(KEY) is None  # let go


def test_with_nothing_stored_the_caller_gets_the_lock():
    value, lock = locks.value_or_lock(lambda: None, KEY, 5, wait=1)

    assert value is None and lock is not None and cache.get(KEY) == lock.owner
    lock.release()
    assert cache.get(KEY) is None


def test_a_lock_held_past_the_wait_lets_the_caller_go_ahead_without_it():
    held = locks.try_lock(KEY, 60)
    assert held is not None
    pauses: list[float] = []

    value, lock = locks.value_or_lock(lambda: None, KEY, 5, wait=0, pause=pauses.append)

    assert (value, lock) == (None, None)
    assert cache.get(KEY) == held.owner  # still its holder's
    held.release()
