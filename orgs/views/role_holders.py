"""Who holds a role here: pick an organization role and see its holders, with a trash can each;
the protected roles' holders as adminportal's index knows them, at a glance."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import selectors
from ..auth0_mgmt import errors
from ..forms import RoleHoldersForm
from ..htmx import HtmxHttpRequest, is_partial_request
from ..roles import in_organizations
from .pages import organization_page_error, render_page
from .permissions import organization_in_reach, requires

TEMPLATE = "orgs/role_holders.html"


@require_GET
@requires("orgs.view_organizations", gettext_lazy("see organizations"))
@vary_on_headers("HX-Request")
def role_holders(request: HtmxHttpRequest, org_id: str) -> HttpResponse:
    form = RoleHoldersForm(request.GET)
    context: dict[str, object] = {"org_id": org_id, "form": form}
    try:
        organization = organization_in_reach(request, org_id)
        roles = in_organizations(selectors.role_list())
        context.update(organization=organization, roles=roles)
        if not is_partial_request(request):  # shown above the holders, not in their panel
            context["protected"] = selectors.protected_holders(org_id=organization.id)
        role = form.chosen(roles)
        if role is not None:
            context["role"] = role
            context["found"] = selectors.role_holders(
                org_id=organization.id, role_id=role.id, cursor=form.cleaned_data["after"] or None
            )
    except errors.Auth0Error as exc:
        return organization_page_error(
            request, org_id, exc, gettext("list this role's holders"), TEMPLATE, context
        )
    return render_page(request, TEMPLATE, "role-holders", context)
