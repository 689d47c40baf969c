"""Organizations: the searchable list, jump-to by id or name, and an organization's members."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import pager, selectors
from ..auth0_mgmt import Member, Organization, Page, errors
from ..feedback import report
from ..forms import PAGE_SIZES, OrganizationListForm
from ..htmx import HtmxHttpRequest
from ..ids import url_segment
from ..pending import POLL_SECONDS, pending_removals
from ..staff.access import NO_SUCH_ORGANIZATION, check_reach, reach_of, reaches_all, reaches_id
from .pages import from_cursor, organization_page_error, page_error, render_page
from .permissions import organization_in_reach, requires

OFFSET_LIMIT = 1000  # Auth0's limit for page/per_page lists
MIN_SEARCH = 2
ROW = (  # the organization list's table row (see organization_rows)
    '<tr><td><a href="{url}">{label}</a></td><td>{name}</td><td><code>{id}</code></td>'
    "<td>{region}</td></tr>\n"
)


@require_GET
@requires("orgs.view_organizations", gettext_lazy("see organizations"))
@vary_on_headers("HX-Request")
def organization_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every organization, or those the staff member reaches (searched in the catalogue)."""
    form = OrganizationListForm(request.GET)
    state = form.values()
    context: dict[str, object] = {"form": form, "state": state}
    template = "orgs/organization_list.html"
    user = request.user
    try:
        if state["q"] or not reaches_all(user):
            page, read_at = selectors.organization_search(
                text=state["q"],
                page=state["page"] - 1,
                per_page=state["per_page"],
                sort=state["sort"],
                include=None if reaches_all(user) else reach_of(user),
            )
            context.update(searched=True, catalogue_read_at=read_at)
        else:
            page = selectors.organization_list(
                page=state["page"] - 1, per_page=state["per_page"], sort=state["sort"]
            )
    except errors.Auth0Error as exc:
        return page_error(request, exc, gettext("list the organizations"), template, context)
    pages = -(-(page.total or 0) // state["per_page"]) if page.total else 1
    if (page.total or 0) > OFFSET_LIMIT and not context.get("searched"):
        # Auth0 serves only the first 1,000 records by page number.
        pages = min(pages, OFFSET_LIMIT // state["per_page"])
        context["beyond_offset_limit"] = True
    context.update(page=page, pages=pages, rows=organization_rows(page.items))
    return render_page(request, template, "org-table", context)


def organization_rows(organizations: Iterable[Organization]) -> SafeString:
    """The table's rows (templates/orgs/organization_list.html shows where they go), every
    value escaped as the template would. Built here because this is the busiest page and its
    table was most of its template time: a reverse() per row, and a template variable per
    cell, cost more than the rest of the page. One reverse() serves every row: each id is
    written as reverse() writes it (ids.url_segment)."""
    marker = "org_0"
    before, _, after = reverse("orgs:organization_detail", kwargs={"org_id": marker}).rpartition(
        marker
    )
    return mark_safe(  # every value in it is escaped
        "".join(
            ROW.format(
                url=escape(f"{before}{url_segment(o.id)}{after}"),
                label=escape(o.label),
                name=escape(o.name),
                id=escape(o.id),
                region=escape(o.metadata.get("region") or "—"),
            )
            for o in organizations
        )
    )


@require_GET
@requires("orgs.view_organizations", gettext_lazy("see organizations"))
def organization_jump(request: HtmxHttpRequest) -> HttpResponse:
    """Paste an organization id or name and go straight to it."""
    wanted = request.GET.get("to", "").strip()[:200]
    if not wanted:
        return redirect("orgs:organization_list")
    try:
        organization = check_reach(request.user, selectors.organization_find(id_or_name=wanted))
    except errors.Auth0Error as exc:
        if isinstance(exc, errors.InvalidInput | errors.OrganizationNotFound):
            said = gettext("No organization has the id or name “%(wanted)s”.")
            messages.warning(request, said % {"wanted": wanted})
        else:
            report(request, exc, action=gettext("look up “%(wanted)s”") % {"wanted": wanted})
        return redirect(reverse("orgs:organization_list") + "?" + request.GET.urlencode())
    return redirect("orgs:organization_detail", org_id=organization.id)


@require_GET
@requires("orgs.view_organizations", gettext_lazy("see organizations"))
@vary_on_headers("HX-Request")
def organization_detail(request: HtmxHttpRequest, org_id: str) -> HttpResponse:
    """The members of an organization with their roles: one API call per page, paged with
    checkpoint cursors past Auth0's 1,000-record offset limit (orgs/pager.py)."""
    search = request.GET.get("q", "").strip()[:100]
    position = pager.Position.of(request.GET)
    template = "orgs/organization_detail.html"
    context: dict[str, object] = {
        "org_id": org_id,
        "search": search,
        "per_page": position.take,
        "page_sizes": PAGE_SIZES,
        "poll_seconds": POLL_SECONDS,
        "min_search": MIN_SEARCH,
        "checked": set(request.GET.getlist("user")),  # ticks kept across refreshes
        "list_query": pager.list_query(request.GET),  # kept through a confirmation without JS
    }
    try:
        if not request.htmx:  # the page's heading; a refresh only needs the reach
            context["organization"] = organization_in_reach(request, org_id)
        elif not reaches_id(
            request.user, org_id, lambda: selectors.organization_get_cached(org_id=org_id)
        ):
            raise errors.OrganizationNotFound(NO_SUCH_ORGANIZATION)
        page, position = _members_page(request, org_id, search, position)
    except errors.Auth0Error as exc:
        return organization_page_error(
            request, org_id, exc, gettext("list this organization's members"), template, context
        )
    context.update(_page_context(request, org_id, page, position, search))
    return render_page(request, template, "member-table", context)


def _page_context(
    request: HtmxHttpRequest,
    org_id: str,
    page: Page[Member],
    position: pager.Position,
    search: str,
) -> dict[str, object]:
    """A members page's rows (those being removed marked) and its paging links."""
    pending = pending_removals(request.session, org_id, [m.user_id for m in page])
    here = reverse("orgs:organization_detail", kwargs={"org_id": org_id})
    around = pager.links(here, position, page.next_cursor, len(page), search)
    return {
        "page": page,
        "rows": [(member, member.user_id in pending) for member in page],
        "pending": bool(pending) and not search,  # a search is not re-run every few seconds
        "page_number": position.number,
        "page_cursor": position.cursor or "",  # which page a bulk removal picks from
        "refresh_url": around.refresh,
        "first_url": around.first,
        "previous_url": around.previous,
        "next_url": around.next,
    }


def _members_page(
    request: HtmxHttpRequest, org_id: str, search: str, position: pager.Position
) -> tuple[Page[Member], pager.Position]:
    """The members page asked for (a search: its hits), and where it is. A cursor Auth0 no
    longer knows restarts at the first page, saying so."""
    if search and len(search) < MIN_SEARCH:
        return Page(items=(), total=0), position  # not a call for every first keystroke
    if search:
        return selectors.member_search(org_id=org_id, text=search), position
    page, restarted = from_cursor(
        request,
        lambda cursor: selectors.member_list(org_id=org_id, cursor=cursor, take=position.take),
        position.cursor,
    )
    return page, position.first() if restarted else position
