"""The two-step pattern every destructive action shares (like Django admin's delete): GET shows
a confirmation (a page, or a dialog for htmx), POST acts, then

- htmx: 204 with HX-Trigger {closeDialog, <refresh event>, messages}: the panel refreshes itself;
- no JS: a redirect to where the person was, with the message on that page.

Errors become one message each (orgs.feedback); an htmx error answer has no body (nothing on
the page is replaced) and closes the dialog only when the page must refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from ..auth0_mgmt.errors import Auth0Error
from ..feedback import feedback_for, report
from ..htmx import is_partial_request, trigger
from .pages import problem_page

MAX_REASON = 500


@dataclass(frozen=True)
class Confirmation:
    title: str
    question: str
    submit_label: str
    action_url: str
    cancel_url: str
    details: list[str] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)
    hidden: dict[str, list[str]] = field(default_factory=dict)
    asks_reason: bool = True
    """Destructive actions ask why (kept in the audit trail; required by REQUIRE_REASON)."""


def render_confirmation(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    template = "orgs/confirm.html"
    if is_partial_request(request):
        template += "#confirm-dialog"
    context = {"confirm": confirmation, "reason_required": settings.REQUIRE_REASON}
    return TemplateResponse(request, template, context)


def reason_of(request: HttpRequest) -> str:
    return request.POST.get("reason", "").strip()[:MAX_REASON]


def act(
    request: HttpRequest,
    *,
    call: Callable[[], object],
    success: str,
    action: str,
    refresh_event: str,
    back_url: str,
    on_success: Callable[[], None] | None = None,
) -> HttpResponse:
    """Run a confirmed write and answer for htmx or a plain form post."""
    try:
        call()
    except Auth0Error as exc:
        feedback = report(request, exc, action=action)
        if not is_partial_request(request):
            return redirect(back_url)
        response = HttpResponse(status=feedback.status)
        if feedback.refresh:
            trigger(response, closeDialog=None, **{refresh_event: None})
        return response
    if on_success:
        on_success()
    messages.success(request, success)
    if not is_partial_request(request):
        return redirect(back_url)
    return trigger(HttpResponse(status=204), closeDialog=None, **{refresh_event: None})


def cannot(
    request: HttpRequest, exc: Auth0Error, *, action: str, back_url: str, refresh_event: str
) -> HttpResponse:
    """The page or confirmation cannot be shown (the member or role is gone, Auth0 failed):
    the message goes to the person, and the panel behind refreshes when it is out of date."""
    if not is_partial_request(request) and request.method == "GET":
        feedback = feedback_for(exc, action=action)
        if feedback.status in (400, 404):  # the address names nothing that can be shown
            return problem_page(request, feedback.text, back_url, feedback.status)
    feedback = report(request, exc, action=action)
    if not is_partial_request(request):
        return redirect(back_url)
    response = HttpResponse(status=feedback.status)
    if feedback.refresh:
        trigger(response, closeDialog=None, **{refresh_event: None})
    return response
