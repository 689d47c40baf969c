"""Users of the tenant (Auth0 Dashboard > Users): find one by name or e-mail, then their
tenant-wide roles (Users > Roles), distinct from the roles a member holds inside an
organization, and the organizations in reach they belong to."""

from __future__ import annotations

from functools import partial

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from .. import selectors, services
from ..auth0_mgmt import errors
from ..htmx import HtmxHttpRequest
from ..staff.access import check_user_reach, reaches, reaches_all
from .confirm import Behind, Confirmation, cannot, confirm_then_act, held_role
from .pages import page_error, render_page
from .permissions import requires

MIN_SEARCH = 2


@require_GET
@requires("orgs.view_organizations", gettext_lazy("see users"))
@vary_on_headers("HX-Request")
def user_list(request: HtmxHttpRequest) -> HttpResponse:
    """Search the tenant's users; staff limited to some organizations find only their users."""
    text = request.GET.get("q", "").strip()[:100]
    context: dict[str, object] = {"q": text, "min_search": MIN_SEARCH}
    if len(text) >= MIN_SEARCH:
        try:
            reached = selectors.reached_organization_ids(request.user)
            context["limited"] = reached is not None
            context["page"] = selectors.user_search(text=text, organization_ids=reached)
        except errors.Auth0Error as exc:
            return page_error(
                request, exc, gettext("search the users"), "orgs/user_list.html", context
            )
    return render_page(request, "orgs/user_list.html", "user-results", context)


def user_roles_url(user_id: str) -> str:
    return reverse("orgs:user_roles", kwargs={"user_id": user_id})


@require_GET
@requires("orgs.view_organizations", gettext_lazy("see users"))
@vary_on_headers("HX-Request")
def user_roles(request: HtmxHttpRequest, user_id: str) -> HttpResponse:
    template = "orgs/user_roles.html"
    context: dict[str, object] = {"user_id": user_id}
    try:
        profile = selectors.user_profile(user_id=user_id)
        # Their organizations: for the reach check and the page's "Member of" line (one read).
        organizations = (
            selectors.user_organizations_list(user_id=user_id)
            if not request.htmx or not reaches_all(request.user)
            else None
        )
        # Before anything shows. Read above whenever the reach depends on them (None: not).
        check_user_reach(request.user, lambda: organizations or ())
        context["profile"] = profile
        context["roles"] = selectors.user_roles_list(user_id=user_id)
        if not request.htmx:  # only the organizations the staff member reaches
            context["organizations"] = [
                org for org in organizations or () if reaches(request.user, org)
            ]
    except errors.Auth0Error as exc:
        return page_error(
            request, exc, gettext("show this user's tenant-wide roles"), template, context
        )
    return render_page(request, template, "user-roles", context)


@require_http_methods(["GET", "POST"])
@requires("orgs.remove_tenant_roles", gettext_lazy("remove tenant-wide roles"))
def user_role_remove(request: HtmxHttpRequest, user_id: str) -> HttpResponse:
    behind = Behind(user_roles_url(user_id), "rolesChanged")
    try:
        profile = selectors.user_profile(user_id=user_id)
        check_user_reach(request.user, lambda: selectors.user_organizations_list(user_id=user_id))
        role = held_role(request, selectors.user_roles_list(user_id=user_id), profile.label)
    except errors.Auth0Error as exc:
        return cannot(request, exc, gettext("remove the role"), behind)

    names = {"role": role.name, "who": profile.label}
    return confirm_then_act(
        request,
        Confirmation(
            title=gettext("Remove tenant-wide role"),
            question=gettext("Remove the tenant-wide role %(role)s from %(who)s?") % names,
            consequences=[
                gettext(
                    "This role applies across the whole tenant, in every application and "
                    "organization; removing it does not change their organization roles."
                ),
            ],
            submit_label=gettext("Remove role"),
            action_url=reverse("orgs:user_role_remove", args=[user_id]),
            cancel_url=behind.url,
            hidden={"role": [role.id]},
        ),
        behind,
        call=partial(services.user_roles_remove, user_id=user_id, role_ids=[role.id]),
        success=gettext("Removed the tenant-wide role %(role)s from %(who)s.") % names,
        action=gettext("remove the tenant-wide role %(role)s from %(who)s") % names,
    )
