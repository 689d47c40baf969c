"""A user's tenant-wide roles (Auth0 Dashboard > Users > Roles): distinct from the roles a
member holds inside an organization."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from .. import selectors, services
from ..access import reaches
from ..auth0_mgmt import errors
from ..forms import RoleChoiceForm
from .confirm import Confirmation, act, cannot, reason_of, render_confirmation
from .pages import page_error, render_page
from .permissions import requires


def user_roles_url(user_id: str) -> str:
    return reverse("orgs:user_roles", kwargs={"user_id": user_id})


@require_GET
@requires("orgs.view_organizations", "see users")
@vary_on_headers("HX-Request")
def user_roles(request: HttpRequest, user_id: str) -> HttpResponse:
    template = "orgs/user_roles.html"
    context: dict[str, object] = {"user_id": user_id}
    try:
        profile = selectors.user_get(user_id=user_id)
        services.check_user_reach(request.user, user_id)  # before anything about them is shown
        context["profile"] = profile
        context["roles"] = selectors.user_roles_list(user_id=user_id)
        if not request.htmx:  # only the organizations the staff member reaches
            context["organizations"] = [
                org
                for org in selectors.user_organizations_list(user_id=user_id)
                if reaches(request.user, org)
            ]
    except errors.Auth0Error as exc:
        return page_error(
            request,
            exc,
            action="show this user's tenant-wide roles",
            template=template,
            context=context,
        )
    return render_page(request, template, "user-roles", context)


@require_http_methods(["GET", "POST"])
@requires("orgs.remove_tenant_roles", "remove tenant-wide roles")
def user_role_remove(request: HttpRequest, user_id: str) -> HttpResponse:
    back = user_roles_url(user_id)
    choice = RoleChoiceForm(request.POST if request.method == "POST" else request.GET)
    try:
        if not choice.is_valid():
            raise errors.InvalidInput("Choose the role to remove.")
        profile = selectors.user_get(user_id=user_id)
        services.check_user_reach(request.user, user_id)
        roles = selectors.user_roles_list(user_id=user_id)
        role = next((r for r in roles if r.id == choice.cleaned_data["role"]), None)
        if role is None:
            raise errors.RoleNotFound(f"{profile.label} does not hold that role any more.")
    except errors.Auth0Error as exc:
        return cannot(
            request, exc, action="remove the role", back_url=back, refresh_event="rolesChanged"
        )

    who = profile.label
    if request.method == "GET":
        return render_confirmation(
            request,
            Confirmation(
                title="Remove tenant-wide role",
                question=f"Remove the tenant-wide role {role.name} from {who}?",
                consequences=[
                    "This role applies across the whole tenant, in every application and "
                    "organization; removing it does not change their organization roles.",
                ],
                submit_label="Remove role",
                action_url=escape_uri_path(request.path),  # ids may hold # ? %
                cancel_url=back,
                hidden={"role": [role.id]},
            ),
        )
    return act(
        request,
        call=lambda: services.user_roles_remove(
            actor=request.user, user_id=user_id, role_ids=[role.id], reason=reason_of(request)
        ),
        success=f"Removed the tenant-wide role {role.name} from {who}.",
        action=f"remove the tenant-wide role {role.name} from {who}",
        refresh_event="rolesChanged",
        back_url=back,
    )
