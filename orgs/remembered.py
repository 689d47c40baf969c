"""Values read from Auth0 and remembered for every worker for a while (the role catalogue, the
organization catalogue), so that they are read once for all workers, not by each of them.

- Nothing remembered (cold): the first worker builds the value under a lock in the cache; the
  others wait briefly for its result instead of all calling Auth0 at once.
- Stale-while-revalidate (`keep`): a value is fresh for `seconds`, then stale for `keep` more
  seconds. Every request is served a stale value at once; the first worker to see it stale
  takes the lock and rebuilds it in a background thread, one rebuild for all the workers. A
  user's request pays for a build only when nothing is remembered at all, at most once per
  `seconds + keep`. Each worker also keeps the last such value it loaded in memory, and
  loads it from the cache again only when another worker has rebuilt it (a small stamp says
  so): a catalogue of thousands of organizations is not unpickled on every request.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connections

from . import locks

T = TypeVar("T")
log = logging.getLogger(__name__)

WAIT_FOR_BUILDER = 5.0
BUILD_LOCK_SECONDS = 30
REFRESH_LOCK_SECONDS = 300
"""How long a background rebuild holds the lock at most (a worker that died mid-rebuild)."""
RETRY_AFTER_FAILURE = 30
"""After a background rebuild failed (e.g. Auth0 answered 429), the stale value is served
this many seconds before another rebuild is tried: not by every request at once."""

_memory: dict[str, tuple[str, Any]] = {}  # key -> (stamp, value): this worker's last copy
_refreshes: set[threading.Thread] = set()
_refreshes_guard = threading.Lock()


def remember(key: str, seconds: float, build: Callable[[], T], *, keep: float = 0) -> T:
    """The remembered value of `key`, or `build()`'s (remembered for `seconds`; with `keep`,
    served stale for `keep` more seconds while one worker rebuilds it in the background)."""
    if keep:
        value, fresh = _peek(key)
        if value is not None:
            if not fresh:
                lock = locks.try_lock(_lock(key), REFRESH_LOCK_SECONDS)
                if lock is not None:
                    _refresh_in_background(key, seconds, keep, build, lock)
            return value
    else:
        value = cache.get(key)
        if value is not None:
            return value
    value, lock = locks.value_or_lock(  # another worker may be calling Auth0 for this very value
        lambda: _peek(key)[0] if keep else cache.get(key),
        _lock(key),
        BUILD_LOCK_SECONDS,
        wait=WAIT_FOR_BUILDER,
        pause=_pause,
    )
    if value is not None:
        return value
    try:  # without the lock when its holder took too long: built here too
        return _store(key, build(), seconds, keep)
    finally:
        if lock is not None:
            lock.release()


def forget(key: str) -> None:
    """Drop a remembered value (the next request builds it again)."""
    cache.delete_many([key, _stamp(key), _fresh(key)])
    _memory.pop(key, None)


def wait_for_refreshes(timeout: float = 30.0) -> bool:
    """Wait for the background rebuilds this process started; whether all have ended."""
    deadline = time.monotonic() + timeout
    with _refreshes_guard:
        running = list(_refreshes)
    for thread in running:
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in running)


def _peek(key: str) -> tuple[Any, bool]:
    """(value or None, whether it is fresh) of a value remembered with `keep`."""
    found = cache.get_many([_stamp(key), _fresh(key)])
    stamp = found.get(_stamp(key))
    if stamp is None:
        return None, False
    copy = _memory.get(key)
    if copy is None or copy[0] != stamp:
        stored = cache.get(key)
        if not (isinstance(stored, tuple) and len(stored) == 2):
            return None, False
        copy = _memory[key] = stored
    return copy[1], _fresh(key) in found


def _store(key: str, value: T, seconds: float, keep: float) -> T:
    if not keep:
        cache.set(key, value, seconds)
        return value
    stamp = uuid.uuid4().hex
    cache.set(key, (stamp, value), seconds + keep)
    cache.set(_stamp(key), stamp, seconds + keep)
    cache.set(_fresh(key), True, seconds)
    _memory[key] = (stamp, value)
    return value


def _refresh_in_background(
    key: str, seconds: float, keep: float, build: Callable[[], Any], lock: locks.Lock
) -> None:
    def run() -> None:
        try:
            _store(key, build(), seconds, keep)
            lock.release()
        except Exception:
            log.warning(
                "Could not rebuild %s; the remembered value is served meanwhile.",
                key,
                exc_info=True,
            )
            try:
                cache.set(lock.key, lock.owner, RETRY_AFTER_FAILURE)
            except Exception:
                log.exception("Could not hold off rebuilding %s.", key)
        finally:
            connections.close_all()  # this thread's own database connections
            with _refreshes_guard:
                _refreshes.discard(thread)

    thread = threading.Thread(target=run, name=f"rebuild {key}", daemon=True)
    with _refreshes_guard:
        _refreshes.add(thread)
    thread.start()


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _lock(key: str) -> str:
    return f"{key}:building"


def _stamp(key: str) -> str:
    return f"{key}:stamp"


def _fresh(key: str) -> str:
    return f"{key}:fresh"
