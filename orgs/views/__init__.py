"""Thin function-based views: they call selectors and services and render templates."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from ..htmx import HtmxHttpRequest
from .activity import activity, organization_activity
from .language import language
from .members import member_detail, member_remove, member_role_remove, members_remove
from .organizations import organization_detail, organization_jump, organization_list
from .restore import members_restore
from .role_holders import role_holders
from .staff import staff_edit, staff_list
from .users import user_list, user_role_remove, user_roles


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    return redirect("orgs:organization_list")


__all__ = [
    "activity",
    "home",
    "language",
    "member_detail",
    "member_remove",
    "member_role_remove",
    "members_remove",
    "members_restore",
    "organization_detail",
    "organization_jump",
    "organization_activity",
    "organization_list",
    "role_holders",
    "staff_edit",
    "staff_list",
    "user_list",
    "user_role_remove",
    "user_roles",
]
