"""Rendering helpers shared by the page views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from ..auth0_mgmt.errors import Auth0Error, InvalidInput, InvalidQueryString, OrganizationNotFound
from ..feedback import feedback_for, report
from ..htmx import HtmxHttpRequest, is_partial_request


def render_page(
    request: HtmxHttpRequest,
    template: str,
    partial: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only `partial` (a partialdef) for an htmx request."""
    name = f"{template}#{partial}" if is_partial_request(request) else template
    return TemplateResponse(request, name, context, status=status)


def page_error(
    request: HtmxHttpRequest, exc: Auth0Error, action: str, template: str, context: dict[str, Any]
) -> HttpResponse:
    """A read failed: a full page says so in place of its content; an htmx refresh answers
    with no body (the current content stays) and a toast."""
    if is_partial_request(request):
        return HttpResponse(status=report(request, exc, action=action).status)
    feedback = feedback_for(exc, action=action)  # said in the panel, not again in a toast
    return TemplateResponse(
        request, template, {**context, "load_failed": feedback.text}, status=feedback.status
    )


BAD_REQUEST = gettext_lazy(
    "adminportal did not act on this request: it was too large or malformed (for example, far "
    "too many members selected at once). Nothing was changed."
)


def bad_request(request: HtmxHttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (e.g. more form values than DATA_UPLOAD_MAX_NUMBER_FIELDS): a toast for htmx,
    a page otherwise, instead of a bare "Bad Request"."""
    if is_partial_request(request):
        messages.error(request, BAD_REQUEST, fail_silently=True)
        return HttpResponse(status=400)
    return render(request, "400.html", {"problem": BAD_REQUEST}, status=400)


def problem_page(
    request: HtmxHttpRequest, text: str, back_url: str, status: int = 404
) -> HttpResponse:
    """A direct address to something absent, out of the staff member's reach (404), or
    malformed (400): a page that says so and leads back."""
    context = {"reason": text, "back_url": back_url, "status": status}
    return TemplateResponse(request, "404.html", context, status=status)


def no_such_organization(request: HtmxHttpRequest, org_id: str, exc: Auth0Error) -> HttpResponse:
    """The organization does not exist, or is out of reach (which must look the same)."""
    text = gettext("There is no organization “%(id)s” (any more): %(said)s") % {
        "id": org_id[:64],
        "said": exc.message,
    }
    if request.htmx:  # a redirect would put the whole list page inside the panel
        messages.warning(request, text)
        return HttpResponseClientRedirect(reverse("orgs:organization_list"))
    return problem_page(request, text, reverse("orgs:organization_list"))


def organization_page_error(
    request: HtmxHttpRequest,
    org_id: str,
    exc: Auth0Error,
    action: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A page of one organization could not be read: no_such_organization when it is absent,
    out of reach or malformed, page_error otherwise."""
    if isinstance(exc, OrganizationNotFound | InvalidInput):
        return no_such_organization(request, org_id, exc)
    return page_error(request, exc, action, template, context)


T = TypeVar("T")


def from_cursor(
    request: HtmxHttpRequest, fetch: Callable[[str | None], T], cursor: str | None
) -> tuple[T, bool]:
    """fetch(cursor), and whether it started again at the first page instead: a cursor Auth0
    no longer knows (its page links last a day) does, saying so."""
    try:
        return fetch(cursor), False
    except InvalidQueryString:
        if cursor is None:
            raise
        messages.info(
            request,
            gettext(
                "That page of members is no longer available (Auth0's page links last a "
                "day), so here is the first page."
            ),
        )
        return fetch(None), True
