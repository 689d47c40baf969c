"""Organizations: the searchable list, jump-to by id or name, and an organization's members."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import selectors
from ..access import check_reach, reach_of, reaches_all, reaches_id
from ..auth0_mgmt import Member, Organization, Page, errors
from ..feedback import report
from ..forms import PAGE_SIZES, OrganizationListForm
from ..htmx import HtmxHttpRequest
from ..ids import url_segment
from ..pending import POLL_SECONDS, pending_removals
from .confirm import list_query
from .pages import no_such_organization, page_error, render_page
from .permissions import requires

MAX_TRAIL = 20
OFFSET_LIMIT = 1000  # Auth0's limit for page/per_page lists
MIN_SEARCH = 2
ROW = (  # the organization list's table row (see organization_rows)
    '<tr><td><a href="{url}">{label}</a></td><td>{name}</td><td><code>{id}</code></td>'
    "<td>{region}</td></tr>\n"
)


@require_GET
@requires("orgs.view_organizations", "see organizations")
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
        return page_error(
            request, exc, action="list the organizations", template=template, context=context
        )
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
@requires("orgs.view_organizations", "see organizations")
def organization_jump(request: HtmxHttpRequest) -> HttpResponse:
    """Paste an organization id or name and go straight to it."""
    wanted = request.GET.get("to", "").strip()[:200]
    if not wanted:
        return redirect("orgs:organization_list")
    try:
        organization = check_reach(request.user, selectors.organization_find(id_or_name=wanted))
    except errors.Auth0Error as exc:
        if isinstance(exc, errors.InvalidInput | errors.OrganizationNotFound):
            messages.warning(request, f"No organization has the id or name “{wanted}”.")
        else:
            report(request, exc, action=f"look up “{wanted}”")
        return redirect(reverse("orgs:organization_list") + "?" + request.GET.urlencode())
    return redirect("orgs:organization_detail", org_id=organization.id)


@require_GET
@requires("orgs.view_organizations", "see organizations")
@vary_on_headers("HX-Request")
def organization_detail(request: HtmxHttpRequest, org_id: str) -> HttpResponse:
    """The members of an organization with their roles: one API call per page.

    Pages past Auth0's 1,000-record offset limit are reached with checkpoint cursors: the
    address keeps the last MAX_TRAIL cursors (for Previous) and the page number, so a link can
    be handed over and paging has no end but the organization's."""
    search = request.GET.get("q", "").strip()[:100]
    trail = [c for c in request.GET.getlist("after") if c][-MAX_TRAIL:]
    page_number = max(_number(request.GET.get("page"), default=len(trail) + 1), len(trail) + 1)
    take = _page_size(request.GET.get("per_page"))
    template = "orgs/organization_detail.html"
    context: dict[str, object] = {
        "org_id": org_id,
        "search": search,
        "per_page": take,
        "page_sizes": PAGE_SIZES,
        "poll_seconds": POLL_SECONDS,
        "min_search": MIN_SEARCH,
        "checked": set(request.GET.getlist("user")),  # ticks kept across refreshes
        "list_query": list_query(request.GET),  # kept through a confirmation without JS
    }
    try:
        if not request.htmx:
            context["organization"] = check_reach(
                request.user, selectors.organization_get_cached(org_id=org_id)
            )
        elif not reaches_id(
            request.user, org_id, lambda: selectors.organization_get_cached(org_id=org_id)
        ):
            raise errors.OrganizationNotFound("No organization found by that id or name")
        if search and len(search) < MIN_SEARCH:
            # A search costs a call per result (their roles): not for every first keystroke.
            page: Page[Member] = Page(items=(), total=0)
        elif search:
            page = selectors.member_search(org_id=org_id, text=search)
        else:
            try:
                page = selectors.member_list(
                    org_id=org_id, cursor=trail[-1] if trail else None, take=take
                )
            except errors.InvalidQueryString:
                if not trail:
                    raise
                messages.info(
                    request,
                    "That page of members is no longer available (Auth0's page links last a "
                    "day), so here is the first page.",
                )
                trail, page_number = [], 1
                page = selectors.member_list(org_id=org_id, take=take)
    except (errors.OrganizationNotFound, errors.InvalidInput) as exc:
        return no_such_organization(request, org_id, exc)
    except errors.Auth0Error as exc:
        return page_error(
            request,
            exc,
            action="list this organization's members",
            template=template,
            context=context,
        )
    pending = pending_removals(request.session, org_id, [m.user_id for m in page])
    here = reverse("orgs:organization_detail", kwargs={"org_id": org_id})

    def at(cursors: list[str], number: int, q: str = "") -> str:
        return f"{here}?{_members_query(q, cursors[-MAX_TRAIL:], take, number)}"

    # Auth0 still sends `next` on the last page; a short page is the last one.
    has_next = bool(page.next_cursor) and len(page) == take and not search
    # Previous needs the cursor before this page's: kept unless the trail was trimmed.
    has_previous = page_number == 2 or len(trail) >= 2
    context.update(
        page=page,
        rows=[(member, member.user_id in pending) for member in page],
        pending=bool(pending) and not search,  # a search is not re-run every few seconds
        page_number=page_number,
        page_cursor=trail[-1] if trail else "",  # which page a bulk removal picks from
        refresh_url=at(trail, page_number, search),
        first_url=at([], 1) if page_number > 2 else None,
        previous_url=at(trail[:-1], page_number - 1) if page_number > 1 and has_previous else None,
        next_url=at([*trail, page.next_cursor or ""], page_number + 1) if has_next else None,
    )
    return render_page(request, template, "member-table", context)


def _members_query(search: str, trail: list[str], per_page: int, page_number: int) -> str:
    query = QueryDict(mutable=True)
    if search:
        query["q"] = search
    query.setlist("after", trail)
    query["per_page"] = str(per_page)
    if page_number > 1:
        query["page"] = str(page_number)
    return query.urlencode()


def _number(value: str | None, *, default: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return number if 1 <= number <= 1_000_000 else default


def _page_size(value: str | None) -> int:
    try:
        size = int(value or 25)
    except ValueError:
        return 25
    return size if size in PAGE_SIZES else 25
