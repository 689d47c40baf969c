"""Sign-in for every page, and Django messages for htmx answers.

Messages for htmx responses travel in HX-Trigger (as {"messages": [...]}) and are shown as
toasts by static/js/app.js; full pages render them server-side."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.messages import get_messages
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from . import message_links
from .auth0_mgmt import deadline
from .htmx import is_partial_request, trigger
from .staff import permissions as staff_permissions

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
        pending = [_toast(message) for message in get_messages(request)]
        if pending:
            trigger(response, messages=pending)
        return response


def _toast(message: Message) -> dict[str, Any]:
    tags, link = message_links.split(message)
    toast: dict[str, Any] = {"message": str(message), "tags": tags}
    if link:
        toast["link"] = {"url": link.url, "label": link.label}
    return toast


class StaffLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in staff member (views opt out with @login_not_required).

    An htmx request whose session expired gets HX-Redirect to the login page, which htmx
    follows as a full navigation, instead of a login form swapped into a table."""

    def handle_no_permission(self, request: HttpRequest, view_func: Callable[..., Any]) -> Any:
        htmx = getattr(request, "htmx", None)
        if not htmx:
            return super().handle_no_permission(request, view_func)
        current = urlsplit(htmx.current_url or "")
        back = (current.path + (f"?{current.query}" if current.query else "")) or "/"
        response = HttpResponse(status=401)
        response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}"
        return response


class NoStoreMiddleware:
    """Nothing answered to a signed-in staff member is kept by the browser or a proxy
    (Cache-Control: no-store, private): pages, htmx partials and CSV exports hold people's
    names, e-mail addresses, roles and the audit trail, which must not outlive the session in a
    shared computer's cache or come back with the back button after signing out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class StaffPermissionsMiddleware:
    """The signed-in staff member's groups and permissions, read with one query before the
    view (orgs.staff.permissions) instead of three along the way; and the language they chose,
    which wins over their browser's (LocaleMiddleware's). After
    StaffLoginRequiredMiddleware, so only for pages a signed-in person gets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], *args: Any) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            staff_permissions.load(user)
            chosen = getattr(getattr(user, "staff_access", None), "language", "")
            if chosen and chosen != request.LANGUAGE_CODE:  # their choice over the browser's
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen


BUDGET_COOKIE = "adminportal_auth0_budget"


class Auth0DeadlineMiddleware:
    """Every click gets AUTH0_REQUEST_BUDGET seconds for all its Auth0 calls together. A plain
    form post that redirects hands what it left of its budget to the page it redirects to (in
    a short-lived cookie naming that page), so a failed write and the page after it never take
    two budgets. The cookie can only shorten a budget, never lengthen it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        budget = settings.AUTH0_REQUEST_BUDGET
        carried = _carried_budget(request)
        with deadline.budget(budget if carried is None else min(budget, carried)):
            response = self.get_response(request)
            left = deadline.remaining() or 0.0
        if carried is not None:
            response.delete_cookie(BUDGET_COOKIE)
        _carry_budget(request, response, left, budget)
        return response


def _page_key(path: str) -> str:
    """A page by its decoded path (as request.path holds it)."""
    return hashlib.sha256(path.encode()).hexdigest()[:24]


def _carried_budget(request: HttpRequest) -> float | None:
    """Seconds left of the click that redirected here, or None."""
    until, _, page = request.COOKIES.get(BUDGET_COOKIE, "").partition("-")
    if request.method != "GET" or not page or page != _page_key(request.path):
        return None
    try:
        return max(0.0, float(until) - time.time())
    except ValueError:
        return None


def _carry_budget(request: HttpRequest, response: HttpResponse, left: float, budget: float) -> None:
    """A plain form's redirect: the page it leads to gets only what is `left`."""
    if request.method != "POST" or response.status_code not in (302, 303):
        return
    if is_partial_request(request) or not response.has_header("Location"):
        return
    target = urlsplit(response["Location"])
    if target.netloc:  # only a page of adminportal itself
        return
    response.set_cookie(
        BUDGET_COOKIE,
        f"{time.time() + max(0.0, left):.3f}-{_page_key(unquote(target.path))}",
        max_age=math.ceil(budget) + 1,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
