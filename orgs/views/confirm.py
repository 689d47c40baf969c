"""The two-step pattern every destructive action shares (like Django admin's delete): GET shows
a confirmation (a page, or a dialog for htmx), POST acts, then

- htmx: 204 with HX-Trigger {closeDialog, <refresh event>, messages}: the panel refreshes itself;
- no JS: a redirect to where the person was, with the message on that page.

Errors become one message each (orgs.feedback); an htmx error answer has no body (nothing on
the page is replaced) and closes the dialog only when the page must refresh. One that keeps it
open (a refusal, a rate limit, Auth0 failing with nothing changed) has its message shown by
static/js/app.js in the dialog's alert region, never in a toast under the modal, with Close, or
Try again when the status says a later try may work (429, 503, 504).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy

from .. import message_links
from ..auth0_mgmt import Member, Role
from ..auth0_mgmt.errors import Auth0Error, InvalidInput, RoleNotFound
from ..feedback import feedback_for, report
from ..forms import RoleChoiceForm
from ..htmx import HtmxHttpRequest, is_partial_request, trigger
from ..i18n import and_list, comma_list, lazy_text
from ..message_links import Link
from ..models import AuditEvent
from ..pager import list_query
from .pages import problem_page

MAX_REASON = 500
PRESERVED_FILTERS = "_changelist_filters"
"""Where a list's query travels through a confirmation, named as Django admin names it."""


def preserved_back(request: HtmxHttpRequest, list_url: str) -> tuple[str, dict[str, list[str]]]:
    """Where a confirmation leads back to: the list as the person left it (its query came as
    ?_changelist_filters=…, like Django admin's preserved filters), and the hidden field that
    carries it through the confirmation's form."""
    raw = request.POST.get(PRESERVED_FILTERS) or request.GET.get(PRESERVED_FILTERS, "")
    query = list_query(QueryDict(raw[:8000]))
    if not query:
        return list_url, {}
    return f"{list_url}?{query}", {PRESERVED_FILTERS: [query]}


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
    people: list[tuple[Member, str]] = field(default_factory=list)
    """Members it acts on, each with their e-mail and roles, and why they stay if they do."""
    asks_reason: bool = True
    """Destructive actions ask why (kept in the audit trail; required by REQUIRE_REASON)."""


def render_confirmation(request: HtmxHttpRequest, confirmation: Confirmation) -> HttpResponse:
    template = "orgs/confirm.html"
    if is_partial_request(request):
        template += "#confirm-dialog"
    context = {"confirm": confirmation, "reason_required": settings.REQUIRE_REASON}
    return TemplateResponse(request, template, context)


def reason_of(request: HtmxHttpRequest) -> str:
    return request.POST.get("reason", "").strip()[:MAX_REASON]


@dataclass(frozen=True)
class Behind:
    """The page a confirmation or a refusal leaves the person on: its address (without
    JavaScript they are sent back there) and the event that refreshes its panel (htmx)."""

    url: str
    refresh_event: str


def confirm_then_act(
    request: HtmxHttpRequest, confirmation: Confirmation, behind: Behind, **action: Any
) -> HttpResponse:
    """GET: the confirmation; POST: act(**action)."""
    if request.method == "GET":
        return render_confirmation(request, confirmation)
    return act(request, behind, **action)


def success_of(event: AuditEvent) -> tuple[str, str, str]:
    """(who, roles, where) of a completed write, as its audit event names them, for the
    message: the write read them, so the view need not."""
    who = and_list(t.get("label") or t["user_id"] for t in event.targets)
    roles = comma_list(r.get("name") or r["id"] for r in event.roles)
    return who, roles, event.org_name


def held_role(request: HtmxHttpRequest, roles: tuple[Role, ...], holder: str) -> Role:
    """The role a trash can names (?role= or the posted role), which `holder` must hold."""
    choice = RoleChoiceForm(request.POST if request.method == "POST" else request.GET)
    if not choice.is_valid():
        raise InvalidInput(gettext_lazy("Choose the role to remove."))
    role = next((r for r in roles if r.id == choice.cleaned_data["role"]), None)
    if role is None:
        said = gettext_lazy("%(who)s does not hold that role any more.")
        raise RoleNotFound(lazy_text(said, who=holder))
    return role


def act(
    request: HtmxHttpRequest,
    behind: Behind,
    *,
    call: Callable[..., AuditEvent],
    success: str | Callable[[AuditEvent], str],
    action: str | Callable[[AuditEvent | None], str],
    on_done: Callable[[], None] | None = None,
    offer: Callable[[AuditEvent], Link] | None = None,
) -> HttpResponse:
    """Run a confirmed write, `call(actor=…, reason=…)` (a service, its other arguments
    bound), and answer for htmx or a plain form post. `on_done`: what follows the write where
    it was made, or may have been (its outcome unknown), e.g. marking members as being removed
    while Auth0's list catches up. `offer`: a link the success message offers (e.g. Restore,
    for the write's audit event)."""
    try:
        event = call(actor=request.user, reason=reason_of(request))
    except Auth0Error as exc:
        if exc.outcome_unknown and on_done:
            on_done()
        if request.session.modified:  # SessionMiddleware keeps no change with a 5xx answer
            request.session.save()
        said = action if isinstance(action, str) else action(exc.audit_event)
        return cannot(request, exc, said, behind)
    if on_done:
        on_done()
    text = success if isinstance(success, str) else success(event)
    message_links.add(request, messages.SUCCESS, text, offer(event) if offer else None)
    if not is_partial_request(request):
        return redirect(behind.url)
    return trigger(HttpResponse(status=204), closeDialog=None, **{behind.refresh_event: None})


def cannot(request: HtmxHttpRequest, exc: Auth0Error, action: str, behind: Behind) -> HttpResponse:
    """The page or confirmation cannot be shown (the member or role is gone, Auth0 failed):
    the message goes to the person, and the panel behind refreshes when it is out of date."""
    if not is_partial_request(request) and request.method == "GET":
        feedback = feedback_for(exc, action=action)
        if feedback.status in (400, 404):  # the address names nothing that can be shown
            return problem_page(request, feedback.text, behind.url, feedback.status)
    feedback = report(request, exc, action=action)
    if not is_partial_request(request):
        return redirect(behind.url)
    response = HttpResponse(status=feedback.status)
    if feedback.refresh:
        trigger(response, closeDialog=None, **{behind.refresh_event: None})
    return response
