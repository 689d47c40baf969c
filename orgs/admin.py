"""Django admin: the audit trail is read-only there too (no add, change or delete)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, StaffAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete, and no bulk actions."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}  # no bulk delete


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "staff_username",
        "action",
        "org_name",
        "outcome",
        "correlation_id",
    )
    list_filter = ("action", "outcome")
    search_fields = ("staff_username", "org_id", "org_name", "correlation_id", "reason")
    date_hierarchy = "started_at"


@admin.register(StaffAccess)
class StaffAccessAdmin(ReadOnlyAdmin):
    """Read-only: staff reach changes go through the Staff pages, which record them."""

    list_display = ("user", "all_organizations", "organization_rule", "auth0_user_id")
    list_filter = ("all_organizations",)
    search_fields = ("user__username", "user__email", "auth0_user_id")
