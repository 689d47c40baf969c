"""The audit trail, read-only: an Activity tab per organization and a global Activity page,
filterable by staff member, action, outcome and date, paged, and exportable as CSV."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import selectors
from ..auth0_mgmt import errors
from ..forms import ActivityFilterForm
from ..htmx import HtmxHttpRequest
from ..models import AuditEvent
from ..staff.access import check_reach
from ..staff.audit import settle_orphans
from ..staff.audit_trail import filtered, visible_events
from .pages import organization_page_error, page_error, render_page
from .permissions import requires

PER_PAGE = 50
CSV_COLUMNS = [
    "started_at",
    "completed_at",
    "staff",
    "action",
    "org_id",
    "organization",
    "targets",
    "roles",
    "roles_before",
    "roles_after",
    "reason",
    "outcome",
    "error",
    "status",
    "error_code",
    "message",
    "correlation_id",
]


@require_GET
@requires("orgs.view_organizations", gettext_lazy("see activity"))
@vary_on_headers("HX-Request")
def activity(request: HtmxHttpRequest) -> HttpResponseBase:
    try:
        events = visible_events(request.user)
    except errors.Auth0Error as exc:
        return page_error(request, exc, gettext("list the activity"), "orgs/activity.html", {})
    return _render(request, events, {"scope_label": "all organizations you reach"})


@require_GET
@requires("orgs.view_organizations", gettext_lazy("see activity"))
@vary_on_headers("HX-Request")
def organization_activity(request: HtmxHttpRequest, org_id: str) -> HttpResponseBase:
    try:
        organization = check_reach(request.user, selectors.organization_get(org_id=org_id))
    except errors.Auth0Error as exc:
        action, context = gettext("show this organization"), {"org_id": org_id}
        return organization_page_error(request, org_id, exc, action, "orgs/activity.html", context)
    events = AuditEvent.objects.filter(org_id=organization.id)
    return _render(request, events, {"organization": organization, "org_id": organization.id})


def _render(
    request: HtmxHttpRequest, events: QuerySet[AuditEvent], context: dict
) -> HttpResponseBase:
    settle_orphans()  # attempts of ended workers show as unknown outcomes now
    staff = sorted(set(events.values_list("staff_username", flat=True)))
    form = ActivityFilterForm(request.GET, staff_names=staff)
    events = filtered(events, form)
    if request.GET.get("format") == "csv":
        return _csv(events, context.get("org_id"))
    success = AuditEvent.Outcome.SUCCESS  # a removal restored: no Restore link any more
    restored = AuditEvent.objects.filter(restores=OuterRef("pk"), outcome=success)
    events = events.select_related("restores").annotate(restored=Exists(restored))
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(form=form, page=page, query=query.urlencode())
    return render_page(request, "orgs/activity.html", "activity-table", context)


def _csv(events: QuerySet[AuditEvent], org_id: str | None) -> StreamingHttpResponse:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"adminportal-activity-{org_id + '-' if org_id else ''}{stamp}.csv"
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator():
        yield writer.writerow(
            _cell(value)
            for value in [
                event.started_at.isoformat(),
                event.completed_at.isoformat() if event.completed_at else "",
                event.staff_username,
                event.action,
                event.org_id,
                event.org_name,
                event.target_labels,
                event.role_names,
                event.roles_before or "",
                event.roles_after or "",
                event.reason,
                event.shown_outcome,
                event.error_class,
                event.status or "",
                event.error_code,
                event.message,
                event.correlation_id,
            ]
        )


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet that ignores the quotes, or splits on another separator (";" in much of
# Europe, a tab), starts a cell inside ours: before a formula character (after spaces or
# quotes), such a place gets a "'" too.
INNER_FORMULA = re.compile(r"""([,;\t\r\n])(?=[ "]*[=+\-@])""")


def _cell(value: object) -> str:
    """Text a spreadsheet will not run as a formula, whatever separator it splits on: every
    field is quoted too (csv.QUOTE_ALL)."""
    text = INNER_FORMULA.sub(r"\1'", str(value))
    return "'" + text if text.lstrip(" ")[:1] in FORMULA_START else text
