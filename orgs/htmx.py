"""htmx request helpers."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse


def is_partial_request(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def trigger(response: HttpResponse, **events: Any) -> HttpResponse:
    """Add client events to HX-Trigger, keeping any already there."""
    current = response.headers.get("HX-Trigger")
    merged: dict[str, Any] = json.loads(current) if current else {}
    merged.update(events)
    response.headers["HX-Trigger"] = json.dumps(merged)
    return response
