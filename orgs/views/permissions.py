"""Server-side refusal of actions a staff role does not allow (the pages also hide them)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..htmx import is_partial_request

View = Callable[..., HttpResponse]


def refuse(request: HttpRequest, text: str) -> HttpResponse:
    """403 with the reason: a toast for htmx (nothing swapped), a page otherwise."""
    if is_partial_request(request):
        messages.error(request, text)
        return HttpResponse(status=403)
    return TemplateResponse(request, "403.html", {"reason": text}, status=403)


def allowed(request: HttpRequest, permission: str, doing: str) -> HttpResponse | None:
    """None when the signed-in staff member may; otherwise the refusal to answer with."""
    if request.user.has_perm(permission):
        return None
    return refuse(request, f"Your staff role does not allow you to {doing}. Nothing was changed.")


def requires(permission: str, doing: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return allowed(request, permission, doing) or view(request, *args, **kwargs)

        return guarded

    return decorate
