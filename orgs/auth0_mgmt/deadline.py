"""A time budget for all the Auth0 calls one web request makes, so a page that needs several
calls never holds a worker past AUTH0_REQUEST_BUDGET seconds (each call also has its own
timeout). Set per request by orgs.middleware.Auth0DeadlineMiddleware; none outside requests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext_lazy

from . import errors

_deadline: ContextVar[float | None] = ContextVar("auth0_deadline", default=None)


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left for Auth0 calls in this request (None: no budget)."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def within_budget(
    timeout: tuple[float, float], correlation_id: str | None = None
) -> tuple[float, float]:
    """The call's (connect, read) timeout, shortened to what is left of the request's
    budget; Auth0Timeout (nothing sent) when too little is left to make a call at all."""
    left = remaining()
    if left is None:
        return timeout
    if left < 0.5:
        raise errors.Auth0Timeout(
            gettext_lazy(
                "adminportal stopped waiting for Auth0: this page had already spent its time "
                "budget on earlier calls."
            ),
            correlation_id=correlation_id,
        )
    return (min(timeout[0], left), min(timeout[1], left))
