"""Work that must not hold up a web request (a walk of a large members list): run once at a
time per key across every worker and host (a lock in the shared cache), in a daemon thread.
With settings.ADMINPORTAL_BACKGROUND_INLINE (tests, management commands) it runs at once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from . import locks

log = logging.getLogger(__name__)
JOB_SECONDS = 600
"""A job's lock expires on its own after this long, should its worker die."""


def running(key: str) -> bool:
    """Whether a job with this key is running anywhere now."""
    return cache.get(_lock_key(key)) is not None


def _lock_key(key: str) -> str:
    return f"adminportal:job:{key}"


def run_later(key: str, job: Callable[[], object]) -> bool:
    """Start `job` unless one with this key is running anywhere; whether it was started."""
    if getattr(settings, "ADMINPORTAL_BACKGROUND_INLINE", False):
        job()
        return True
    lock = locks.try_lock(_lock_key(key), JOB_SECONDS)
    if lock is None:
        return False

    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("Background job %s failed", key)
        finally:
            lock.release()
            connections.close_all()

    threading.Thread(target=run, name=f"adminportal {key}", daemon=True).start()
    return True
