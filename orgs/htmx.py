"""htmx request helpers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django_htmx.http import trigger_client_event
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A dashboard request as the middleware leaves it: `htmx` set by django-htmx, and `user` a
    signed-in staff member (StaffLoginRequiredMiddleware lets no one else through)."""

    htmx: HtmxDetails
    user: User


def is_partial_request(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def trigger(response: HttpResponse, **events: Any) -> HttpResponse:
    """Add client events to HX-Trigger (django-htmx's trigger_client_event), keeping any
    already there. An event's value is its detail: None for none."""
    for name, detail in events.items():
        trigger_client_event(response, name, detail)
    return response
