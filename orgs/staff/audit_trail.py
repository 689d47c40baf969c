"""Reads of the audit trail: what a staff member may see of it, and its filters. Activity, its
CSV export and Restore share them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User as StaffUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from .. import selectors
from ..forms import ActivityFilterForm
from ..models import UNKNOWN_AFTER, AuditEvent
from .access import reaches_all

# A "from" before EARLIEST or a "to" after LATEST leaves out nothing (no attempt is that old or
# that new), and would be past the calendar once moved to UTC: such a bound is dropped.
EARLIEST, LATEST = date.min + timedelta(days=1), date.max - timedelta(days=2)


def visible_events(user: StaffUser) -> QuerySet[AuditEvent]:
    """What a staff member may read: the events of the organizations they reach, whatever
    their role. Tenant-wide events (no organization: tenant-wide roles, staff changes) only with
    "see all activity" and reach of every organization; staff limited to some organizations,
    Admins too, never see them (their users may belong to organizations out of reach)."""
    events = AuditEvent.objects.all()
    if reaches_all(user):
        if user.has_perm("orgs.view_all_activity"):
            return events
        return events.exclude(org_id="")
    org_ids = selectors.reached_organization_ids(user) or ()
    return events.filter(org_id__in=org_ids)


def filtered(events: QuerySet[AuditEvent], form: ActivityFilterForm) -> QuerySet[AuditEvent]:
    form.is_valid()
    values = form.cleaned_data  # only the valid filters: one bad value keeps the rest
    if values.get("staff"):
        events = events.filter(staff_username=values["staff"])
    if values.get("action"):
        events = events.filter(action=values["action"])
    outcome = values.get("outcome")
    stale = Q(outcome=AuditEvent.Outcome.PENDING, started_at__lt=timezone.now() - UNKNOWN_AFTER)
    if outcome == AuditEvent.Outcome.UNKNOWN:
        events = events.filter(Q(outcome=outcome) | stale)
    elif outcome == AuditEvent.Outcome.PENDING:
        events = events.filter(outcome=outcome).exclude(stale)
    elif outcome:
        events = events.filter(outcome=outcome)
    zone = timezone.get_current_timezone()
    since, until = values.get("since"), values.get("until")
    if since and since > EARLIEST:
        events = events.filter(started_at__gte=datetime.combine(since, time(), zone))
    if until and until < LATEST:
        end = datetime.combine(until + timedelta(days=1), time(), zone)
        events = events.filter(started_at__lt=end)
    return events
