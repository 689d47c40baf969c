from django.conf import settings
from django.http import HttpRequest

from .access import reaches_all, role_of


def staff(request: HttpRequest) -> dict[str, object]:
    """The signed-in staff member's role, for the header; whether single sign-on is offered."""
    user = getattr(request, "user", None)
    return {
        "staff_role": role_of(user) if user is not None else None,
        "manages_staff": user is not None
        and user.has_perm("orgs.manage_staff")
        and reaches_all(user),
        "sso_enabled": settings.SSO_ENABLED,
    }
