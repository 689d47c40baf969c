"""Django messages for htmx responses travel in HX-Trigger (as {"messages": [...]}) and are
shown as toasts by static/js/app.js; full pages render them server-side."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse

from .htmx import trigger

NAVIGATING_HEADERS = ("HX-Redirect", "HX-Refresh", "HX-Location")


class HtmxMessagesMiddleware:
    """Must come after MessageMiddleware and HtmxMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False):
            return response
        if 300 <= response.status_code < 400 or any(h in response for h in NAVIGATING_HEADERS):
            return response  # the next full page shows them
        pending = [
            {"message": str(message), "tags": message.tags} for message in get_messages(request)
        ]
        if pending:
            trigger(response, messages=pending)
        return response
