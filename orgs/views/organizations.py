"""Organizations: the searchable list, jump-to by id or name, and an organization's members."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import selectors
from ..access import check_reach, reaches, reaches_all, reaches_id
from ..auth0_mgmt import errors
from ..feedback import report
from ..forms import PAGE_SIZES, OrganizationListForm
from ..pending import POLL_SECONDS, pending_removals
from .pages import no_such_organization, page_error, render_page
from .permissions import requires

MAX_TRAIL = 100


@require_GET
@requires("orgs.view_organizations", "see organizations")
@vary_on_headers("HX-Request")
def organization_list(request: HttpRequest) -> HttpResponse:
    """Every organization, or those the staff member reaches (searched in the catalogue)."""
    form = OrganizationListForm(request.GET)
    state = form.values()
    context: dict[str, object] = {"form": form, "state": state, "complete": True}
    template = "orgs/organization_list.html"
    user = request.user
    try:
        if state["q"] or not reaches_all(user):
            page, complete = selectors.organization_search(
                text=state["q"],
                page=state["page"] - 1,
                per_page=state["per_page"],
                sort=state["sort"],
                include=None if reaches_all(user) else (lambda org: reaches(user, org)),
            )
            context["complete"] = complete
        else:
            page = selectors.organization_list(
                page=state["page"] - 1, per_page=state["per_page"], sort=state["sort"]
            )
    except errors.Auth0Error as exc:
        return page_error(
            request, exc, action="list the organizations", template=template, context=context
        )
    context["page"] = page
    context["pages"] = -(-(page.total or 0) // state["per_page"]) if page.total else 1
    return render_page(request, template, "org-table", context)


@require_GET
@requires("orgs.view_organizations", "see organizations")
def organization_jump(request: HttpRequest) -> HttpResponse:
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
def organization_detail(request: HttpRequest, org_id: str) -> HttpResponse:
    """The members of an organization with their roles: one API call per page."""
    search = request.GET.get("q", "").strip()[:100]
    trail = [c for c in request.GET.getlist("after") if c][:MAX_TRAIL]
    take = _page_size(request.GET.get("per_page"))
    template = "orgs/organization_detail.html"
    context: dict[str, object] = {
        "org_id": org_id,
        "search": search,
        "trail": trail,
        "per_page": take,
        "page_sizes": PAGE_SIZES,
        "poll_seconds": POLL_SECONDS,
    }
    try:
        if not request.htmx:
            context["organization"] = check_reach(
                request.user, selectors.organization_get(org_id=org_id)
            )
        elif not reaches_id(
            request.user, org_id, lambda: selectors.organization_get_cached(org_id=org_id)
        ):
            raise errors.OrganizationNotFound("No organization found by that id or name")
        if search:
            page = selectors.member_search(org_id=org_id, text=search)
        else:
            page = selectors.member_list(
                org_id=org_id, cursor=trail[-1] if trail else None, take=take
            )
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
    context.update(
        page=page,
        rows=[(member, member.user_id in pending) for member in page],
        pending=bool(pending),
        page_number=len(trail) + 1,
        refresh_url=f"{here}?{_members_query(search, trail, take)}",
        previous_url=f"{here}?{_members_query('', trail[:-1], take)}" if trail else None,
        next_url=(
            f"{here}?{_members_query('', [*trail, page.next_cursor], take)}"
            # Auth0 still sends `next` on the last page; a short page is the last one.
            if page.next_cursor and len(page) == take and not search and len(trail) < MAX_TRAIL
            else None
        ),
    )
    return render_page(request, template, "member-table", context)


def _members_query(search: str, trail: list[str], per_page: int) -> str:
    query = QueryDict(mutable=True)
    if search:
        query["q"] = search
    query.setlist("after", trail)
    query["per_page"] = str(per_page)
    return query.urlencode()


def _page_size(value: str | None) -> int:
    try:
        size = int(value or 25)
    except ValueError:
        return 25
    return size if size in PAGE_SIZES else 25
