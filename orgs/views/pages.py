"""Rendering helpers shared by the page views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..auth0_mgmt.errors import Auth0Error
from ..feedback import report
from ..htmx import is_partial_request


def render_page(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The whole page, or only `partial` (a partialdef) for an htmx request."""
    name = f"{template}#{partial}" if is_partial_request(request) else template
    return TemplateResponse(request, name, context, status=status)


def page_error(
    request: HttpRequest,
    exc: Auth0Error,
    *,
    action: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A read failed: a full page says so in place of its content; an htmx refresh answers
    with no body (the current content stays) and a toast."""
    feedback = report(request, exc, action=action)
    if is_partial_request(request):
        return HttpResponse(status=feedback.status)
    return TemplateResponse(
        request, template, {**context, "load_failed": feedback.text}, status=feedback.status
    )
