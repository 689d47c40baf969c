"""What adminportal stores itself: each staff member's reach, and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

UNKNOWN_AFTER = timedelta(minutes=2)


class StaffAccess(models.Model):
    """Which organizations one staff member reaches: all of them, a list of ids, and/or those
    whose metadata matches a rule. Their role (Viewer, Support, Admin) is their Django group."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_access"
    )
    all_organizations = models.BooleanField(default=False)
    organization_ids = models.JSONField(default=list, blank=True)
    organization_rule = models.CharField(
        max_length=200,
        blank=True,
        help_text=gettext_lazy(
            "Organizations whose metadata matches, e.g. region=eu or region=eu,plan=pro"
        ),
    )
    auth0_user_id = models.CharField(
        max_length=255,
        blank=True,
        help_text=gettext_lazy(
            "The staff member's own Auth0 user, whose memberships and roles they may not change."
        ),
    )
    oidc_subject = models.CharField(max_length=255, blank=True, db_index=True)
    """The single sign-on subject linked to this account: one account per subject."""
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=[("", gettext_lazy("Browser's language")), *settings.LANGUAGES],
        help_text=gettext_lazy("The dashboard's language for them; empty: their browser's."),
    )

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_subject"],
                condition=~models.Q(oidc_subject=""),
                name="staff_access_unique_oidc_subject",
                violation_error_message="Another staff account is linked to this subject.",
            )
        ]
        permissions = [
            ("view_organizations", "Read organizations, members, roles and activity"),
            ("change_member_roles", "Assign and remove organization member roles"),
            ("remove_members", "Remove members from organizations"),
            ("remove_tenant_roles", "Remove tenant-wide user roles"),
            ("assign_admin_only_roles", "Assign roles listed as Admin-only"),
            ("manage_staff", "Manage staff and their scopes"),
            ("view_all_activity", "See all activity"),
        ]

    def __str__(self) -> str:
        return f"access of {self.user}"

    def listed_ids(self) -> frozenset[str]:
        """The organizations listed by id (a JSON list: an entry that is not text counts for
        none)."""
        return frozenset(i for i in self.organization_ids if isinstance(i, str))

    def rule_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for part in self.organization_rule.split(","):
            key, sep, value = part.partition("=")
            if sep and key.strip():
                pairs.append((key.strip(), value.strip()))
        return pairs


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One write attempt, recorded before the Auth0 call and completed after it: a row left
    pending (a crash in between) shows as an unknown outcome. Never edited or deleted."""

    class Action(models.TextChoices):
        MEMBERS_REMOVE = "members_remove", gettext_lazy("Remove members")
        MEMBERS_RESTORE = "members_restore", gettext_lazy("Restore members")
        MEMBER_ROLES_ASSIGN = "member_roles_assign", gettext_lazy("Assign member roles")
        MEMBER_ROLES_REMOVE = "member_roles_remove", gettext_lazy("Remove member roles")
        USER_ROLES_REMOVE = "user_roles_remove", gettext_lazy("Remove tenant-wide roles")
        STAFF_CHANGE = "staff_change", gettext_lazy("Change staff access")

    class Outcome(models.TextChoices):
        """PENDING: recorded, the Auth0 call not answered yet. FAILED: Auth0 refused or failed,
        and nothing was changed, but for a restore whose members were added back before giving
        their roles failed (its roles_after says how far it got). REFUSED: adminportal refused
        (a guardrail, a role not for organizations), so no call was made. UNKNOWN: the call may
        or may not have been applied (a timeout, a dropped connection, or the worker that made
        it died before completing it)."""

        PENDING = "pending", gettext_lazy("Pending")
        SUCCESS = "success", gettext_lazy("Success")
        FAILED = "failed", gettext_lazy("Failed")
        REFUSED = "refused", gettext_lazy("Refused")
        UNKNOWN = "unknown", gettext_lazy("Unknown outcome")

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    staff_username = models.CharField(max_length=150)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    org_id = models.CharField(max_length=64, blank=True, db_index=True)
    org_name = models.CharField(max_length=255, blank=True)
    targets = models.JSONField(default=list, blank=True)
    """[{"user_id", "label"}]: whose membership or roles the action is about."""
    roles = models.JSONField(default=list, blank=True)
    """[{"id", "name"}]: the roles assigned or removed."""
    roles_before = models.JSONField(null=True, blank=True)
    roles_after = models.JSONField(null=True, blank=True)
    """{user_id: [role names]} where known."""
    reason = models.TextField(blank=True)
    outcome = models.CharField(
        max_length=16, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    error_class = models.CharField(max_length=64, blank=True)
    status = models.IntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    correlation_id = models.CharField(max_length=64, blank=True, db_index=True)
    owner = models.CharField(max_length=160, blank=True)
    """The process making the attempt ("host:pid:start", orgs.staff.owners): once it has ended, a
    pending attempt's outcome is unknown."""
    restores = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="restorations"
    )
    """A restore (members_restore): the removal of members it undoes (orgs.restorations)."""

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["org_id", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.staff_username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once, then only complete a pending row (once)."""
        if self._state.adding:
            kwargs["force_insert"] = True  # a new instance given a stored pk must not UPDATE it
        else:
            stored = type(self).objects.filter(pk=self.pk).values_list("outcome", flat=True)
            if list(stored) != [self.Outcome.PENDING]:
                raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")

    @property
    def shown_outcome(self) -> str:
        """A pending row older than a couple of minutes means the outcome is unknown."""
        if (
            self.outcome == self.Outcome.PENDING
            and timezone.now() - self.started_at > UNKNOWN_AFTER
        ):
            return self.Outcome.UNKNOWN
        return self.outcome

    @property
    def target_labels(self) -> str:
        return ", ".join(t.get("label") or t.get("user_id", "") for t in self.targets)

    @property
    def role_names(self) -> str:
        return ", ".join(r.get("name") or r.get("id", "") for r in self.roles)


class ProtectedRoleHolder(models.Model):
    """One member known to hold a protected role in an organization (orgs.holders): a
    candidate for "someone else still holds it", always confirmed with Auth0 before it counts."""

    org_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=512)
    role_id = models.CharField(max_length=64)
    role_name = models.CharField(max_length=255)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["org_id", "user_id", "role_id"], name="protected_holder_unique"
            )
        ]
        indexes = [models.Index(fields=["org_id", "role_id"], name="protected_holder_role")]


class HolderIndexState(models.Model):
    """When adminportal last read an organization's whole members list into its index of
    protected-role holders (orgs.holders)."""

    org_id = models.CharField(max_length=64, unique=True)
    reconciled_at = models.DateTimeField()
    members_seen = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
