"""Who holds a role here: pick an organization role and see its holders, with a trash can each;
the protected roles' holders as adminportal's index knows them, at a glance."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import selectors
from ..auth0_mgmt import errors
from ..forms import RoleHoldersForm
from ..htmx import HtmxHttpRequest, is_partial_request
from ..roles import in_organizations
from .pages import from_cursor, organization_page_error, render_page
from .permissions import organization_in_reach, requires

TEMPLATE = "orgs/role_holders.html"
FROM_HOLDERS = {"from": "holders"}
"""The query a trash can of Role holders adds, so that its confirmation leads back here."""


def back_to_holders(request: HtmxHttpRequest, org_id: str) -> tuple[str, dict[str, list[str]]]:
    """For a trash can of Role holders (?from=holders): the holders of its role from where the
    person was (after), and the hidden fields that carry that through the confirmation.
    ("", {}) for a trash can elsewhere."""
    data = request.POST if request.method == "POST" else request.GET
    if data.get("from") != FROM_HOLDERS["from"]:
        return "", {}
    after = data.get("after", "")[:1000]
    query = _present({"role": data.get("role", "")[:200], "after": after})
    url = reverse("orgs:role_holders", kwargs={"org_id": org_id})
    return f"{url}?{urlencode(query)}", {k: [v] for k, v in _trash_can_query(after).items()}


def _holders(
    request: HtmxHttpRequest, org_id: str, role_id: str, after: str
) -> tuple[selectors.RoleHolders, str]:
    """The role's holders from `after` on, and where they start: a cursor Auth0 no longer
    knows starts again at the first member, saying so."""
    found, restarted = from_cursor(
        request,
        lambda cursor: selectors.role_holders(org_id=org_id, role_id=role_id, cursor=cursor),
        after or None,
    )
    return found, "" if restarted else after


def _trash_can_query(after: str) -> dict[str, str]:
    """What a trash can here adds to its address (and its confirmation carries back)."""
    return _present({**FROM_HOLDERS, "after": after})


def _present(values: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


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
            context["found"], after = _holders(
                request, organization.id, role.id, form.cleaned_data["after"]
            )
            context["back_query"] = urlencode(_trash_can_query(after))
    except errors.Auth0Error as exc:
        return organization_page_error(
            request, org_id, exc, gettext("list this role's holders"), TEMPLATE, context
        )
    return render_page(request, TEMPLATE, "role-holders", context)
