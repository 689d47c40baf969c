from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from .staff.access import reaches_all
from .staff.permissions import staff_role

LINKS = (
    "orgs:organization_list",
    "orgs:organization_jump",
    "orgs:user_list",
    "orgs:activity",
    "orgs:staff_list",
    "orgs:language",
)
_links: dict[str, dict[str, str]] = {}


def staff(request: HttpRequest) -> dict[str, object]:
    """The signed-in staff member's role, for the header; whether single sign-on is offered;
    and the addresses the header and the organization list link to."""
    user = getattr(request, "user", None)
    return {
        "staff_role": staff_role(user) if user is not None else None,
        "manages_staff": user is not None
        and user.has_perm("orgs.manage_staff")
        and reaches_all(user),
        "sso_enabled": settings.SSO_ENABLED,
        "links": links(),
    }


def links() -> dict[str, str]:
    """{name: address} of LINKS, the sign-out and the script's catalogue, reversed once per
    script prefix (the same for every request of a deployment), not on every page."""
    prefix = get_script_prefix()
    found = _links.get(prefix)
    if found is None:
        found = {name.partition(":")[2]: reverse(name) for name in LINKS}
        found["logout"] = reverse("logout")
        found["javascript_catalog"] = reverse("javascript-catalog")
        _links[prefix] = found
    return found
