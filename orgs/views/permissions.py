"""Server-side refusal of actions a staff role does not allow (the pages also hide them), and
the organization a page names, if the staff member reaches it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from .. import selectors
from ..auth0_mgmt import Organization
from ..htmx import HtmxHttpRequest, is_partial_request

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

View = Callable[..., HttpResponseBase]


def organization_in_reach(request: HtmxHttpRequest, org_id: str) -> Organization:
    """The organization (as read moments ago), or OrganizationNotFound when it is out of reach."""
    return selectors.organization_in_reach(user=request.user, org_id=org_id)


def refuse(request: HtmxHttpRequest, text: StrOrPromise) -> HttpResponse:
    """403 with the reason: a toast for htmx (nothing swapped), a page otherwise."""
    if is_partial_request(request):
        messages.error(request, text)
        return HttpResponse(status=403)
    return TemplateResponse(request, "403.html", {"reason": text}, status=403)


def allowed(request: HtmxHttpRequest, permission: str, doing: StrOrPromise) -> HttpResponse | None:
    """None when the signed-in staff member may; otherwise the refusal to answer with.
    `doing` completes "Your staff role does not allow you to …"."""
    if request.user.has_perm(permission):
        return None
    said = gettext("Your staff role does not allow you to %(doing)s. Nothing was changed.")
    return refuse(request, said % {"doing": doing})


def requires(permission: str, doing: StrOrPromise) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            return allowed(request, permission, doing) or view(request, *args, **kwargs)

        return guarded

    return decorate
