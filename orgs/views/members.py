"""A member of an organization: their roles there (assign, remove), and removing members."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from .. import selectors, services
from ..auth0_mgmt import Member, Organization, Role, errors
from ..feedback import report
from ..forms import AssignRolesForm, BulkMembersForm
from ..htmx import HtmxHttpRequest, is_partial_request, trigger
from ..i18n import and_list, comma_list
from ..ids import check_user_id, check_user_ids
from ..models import AuditEvent
from ..pending import note_removed
from ..removal_preview import foreseen_refusals
from ..roles import admin_only, in_organizations
from .confirm import (
    Behind,
    Confirmation,
    act,
    cannot,
    confirm_then_act,
    held_role,
    preserved_back,
    success_of,
)
from .pages import render_page
from .permissions import allowed, organization_in_reach, requires
from .restore import restore_offer
from .role_holders import back_to_holders

MEMBER_TEMPLATE = "orgs/member_detail.html"


def member_in_reach(
    request: HtmxHttpRequest, org_id: str, user_id: str, *, fresh: bool = True
) -> selectors.MemberDetail:
    """The organization is checked to be in reach before anyone is looked up in it: out of
    reach, every member address answers alike ("no such organization"). Not `fresh`: the member
    as a page showed them moments ago (for its dialogs, refreshes and form)."""
    check_user_id(user_id)  # a malformed id is refused before any call (it tells nothing)
    organization = organization_in_reach(request, org_id)
    if fresh:
        return selectors.member_get(organization=organization, user_id=user_id)
    return selectors.member_recalled(organization=organization, user_id=user_id)


TRANSIENT = (errors.Auth0RateLimited, errors.Auth0Unavailable)
"""Errors that a later try may not meet."""


def members_url(org_id: str) -> str:
    return reverse("orgs:organization_detail", kwargs={"org_id": org_id})


def member_url(org_id: str, user_id: str) -> str:
    return reverse("orgs:member_detail", kwargs={"org_id": org_id, "user_id": user_id})


@require_http_methods(["GET", "POST"])
@requires("orgs.view_organizations", gettext_lazy("see organizations"))
@vary_on_headers("HX-Request")
def member_detail(request: HtmxHttpRequest, org_id: str, user_id: str) -> HttpResponse:
    """The member's roles in the organization, each removable, and the Assign role form."""
    if request.method == "POST" and (
        refusal := allowed(request, "orgs.change_member_roles", gettext("assign roles"))
    ):
        return refusal
    try:
        # A full page reads afresh; its refreshes and its form reuse what it showed.
        fresh = request.method == "GET" and not is_partial_request(request)
        detail = member_in_reach(request, org_id, user_id, fresh=fresh)
        catalogue = selectors.role_list()
    except errors.Auth0Error as exc:
        return _member_unavailable(request, org_id, user_id, exc)
    assignable, available = _assignable_roles(request, detail.roles, catalogue)
    chosen = {"roles": request.GET.getlist("roles"), "names": request.GET.get("names", "")}
    form = AssignRolesForm(request.POST or None, initial=chosen, available=assignable)
    context = {"detail": detail, "form": form, "available": available}
    if request.method == "GET" or not form.is_valid():
        return render_page(request, MEMBER_TEMPLATE, "member-roles", context)
    return _assign_roles(request, detail, form.chosen_roles(), context)


def _member_unavailable(
    request: HtmxHttpRequest, org_id: str, user_id: str, exc: errors.Auth0Error
) -> HttpResponse:
    """The member page cannot be shown (gone, out of reach, Auth0 failing). Assign Role posted
    without JavaScript while Auth0 is busy or failing comes back to the member's page with the
    roles chosen, to send again."""
    if is_partial_request(request):
        # No "rolesChanged" here: this panel reloads on it, and would ask again and again.
        shown = report(request, exc, action=gettext("show this member"))
        return HttpResponse(status=shown.status)
    if request.method == "POST" and isinstance(exc, TRANSIENT):
        chosen = {"roles": request.POST.getlist("roles")[:100]}
        chosen["names"] = [request.POST.get("names", "")[:2000]]
        back = f"{member_url(org_id, user_id)}?{urlencode(chosen, doseq=True)}"
        return cannot(request, exc, gettext("assign roles"), Behind(back, "rolesChanged"))
    behind = Behind(members_url(org_id), "rolesChanged")
    return cannot(request, exc, gettext("show this member"), behind)


def _assignable_roles(
    request: HtmxHttpRequest, held_roles: tuple[Role, ...], catalogue: tuple[Role, ...]
) -> tuple[tuple[Role, ...], tuple[Role, ...]]:
    """(the roles the form accepts, the roles the picker shows)."""
    held = {role.id for role in held_roles}
    assignable = tuple(role for role in catalogue if role.id not in held)
    # Only organization roles are offered, and Admin-only roles only to those who may assign
    # them; one posted or typed anyway reaches the service, which refuses it with the reason
    # and audits the attempt.
    offered = in_organizations(assignable)
    may_assign_admin_only = request.user.has_perm("orgs.assign_admin_only_roles")
    hidden = set() if may_assign_admin_only else {r.id for r in admin_only(offered)}
    available = tuple(role for role in offered if role.id not in hidden)
    return assignable, available


def _assign_roles(
    request: HtmxHttpRequest,
    detail: selectors.MemberDetail,
    chosen: list[Role],
    context: dict[str, Any],
) -> HttpResponse:
    """Assign Role, submitted: the service assigns (and decides), the message says what."""
    org_id, user_id = detail.organization.id, detail.user.user_id
    names = comma_list(role.name for role in chosen)
    where = gettext("%(member)s in %(org)s") % {
        "member": detail.user.label,
        "org": detail.organization.label,
    }
    try:
        services.member_roles_assign(
            actor=request.user, org_id=org_id, user_id=user_id, role_ids=[r.id for r in chosen]
        )
    except errors.Auth0Error as exc:
        adding = gettext("add %(roles)s to %(where)s") % {"roles": names, "where": where}
        return _not_assigned(request, exc, adding, context)
    count = len(chosen)
    messages.success(
        request,
        ngettext(
            "Added %(count)d role to %(where)s: %(names)s.",
            "Added %(count)d roles to %(where)s: %(names)s.",
            count,
        )
        % {"count": count, "where": where, "names": names},
    )
    if is_partial_request(request):
        return trigger(HttpResponse(status=204), rolesChanged=None)
    return redirect(member_url(org_id, user_id))


def _not_assigned(
    request: HtmxHttpRequest, exc: errors.Auth0Error, adding: str, context: dict[str, Any]
) -> HttpResponse:
    """Assign Role failed: the message, and the form as it was (or the roles afresh when those
    shown are out of date)."""
    feedback = report(request, exc, action=adding)
    if is_partial_request(request):  # no body: the form keeps what was chosen
        response = HttpResponse(status=feedback.status)
        return trigger(response, rolesChanged=None) if feedback.refresh else response
    if feedback.refresh:
        detail = context["detail"]
        return redirect(member_url(detail.organization.id, detail.user.user_id))
    return render_page(request, MEMBER_TEMPLATE, "member-roles", context, status=feedback.status)


@require_http_methods(["GET", "POST"])
@requires("orgs.change_member_roles", gettext_lazy("remove roles"))
def member_role_remove(request: HtmxHttpRequest, org_id: str, user_id: str) -> HttpResponse:
    """The trash can on a member's role (their page, or Role holders): confirm, then remove that
    role in this organization."""
    holders_url, keep = back_to_holders(request, org_id)
    behind = Behind(holders_url or member_url(org_id, user_id), "rolesChanged")
    try:
        detail = member_in_reach(request, org_id, user_id, fresh=False)
        role = held_role(request, detail.roles, detail.user.label)
    except errors.Auth0Error as exc:
        return cannot(request, exc, gettext("remove the role"), behind)

    names = _names(detail, role=role.name)
    return confirm_then_act(
        request,
        _role_removal_confirmation(detail, role, behind.url, keep),
        behind,
        call=partial(
            services.member_roles_remove, org_id=org_id, user_id=user_id, role_ids=[role.id]
        ),
        success=gettext("Removed the role %(role)s from %(who)s in %(where)s.") % names,
        action=gettext("remove the role %(role)s from %(who)s in %(where)s") % names,
    )


def _names(detail: selectors.MemberDetail, **more: str) -> dict[str, str]:
    """Who and where, for the messages (with `more`)."""
    return {"who": detail.user.label, "where": detail.organization.label, **more}


def _role_removal_confirmation(
    detail: selectors.MemberDetail, role: Role, back: str, keep: dict[str, list[str]]
) -> Confirmation:
    names = _names(detail, role=role.name)
    org_id, user_id = detail.organization.id, detail.user.user_id
    return Confirmation(
        title=gettext("Remove role"),
        question=gettext("Remove the role %(role)s from %(who)s in %(where)s?") % names,
        consequences=[
            gettext("%(who)s stays a member of %(where)s and keeps their other roles there.")
            % names,
            gettext("Tenant-wide roles are not affected."),
        ],
        submit_label=gettext("Remove role"),
        action_url=reverse("orgs:member_role_remove", args=[org_id, user_id]),
        cancel_url=back,
        hidden={"role": [role.id], **keep},
    )


@require_http_methods(["GET", "POST"])
@requires("orgs.remove_members", gettext_lazy("remove members"))
def member_remove(request: HtmxHttpRequest, org_id: str, user_id: str) -> HttpResponse:
    """More options → Remove member: confirm, then remove the membership (not the user)."""
    back, keep_filters = preserved_back(request, members_url(org_id))
    behind = Behind(back, "membersChanged")
    try:
        detail = member_in_reach(request, org_id, user_id, fresh=False)
    except errors.Auth0Error as exc:
        return cannot(request, exc, gettext("remove the member"), behind)

    names = _names(detail)
    return confirm_then_act(
        request,
        _member_removal_confirmation(detail, back, keep_filters),
        behind,
        call=partial(services.member_remove, org_id=org_id, user_id=user_id),
        success=gettext(
            "Removed %(who)s from %(where)s. Auth0 may list them for a few more seconds."
        )
        % names,
        action=gettext("remove %(who)s from %(where)s") % names,
        on_done=lambda: note_removed(request.session, org_id, [user_id]),
        offer=restore_offer,
    )


def _member_removal_confirmation(
    detail: selectors.MemberDetail, back: str, hidden: dict[str, list[str]]
) -> Confirmation:
    names = _names(detail)
    org_id, user_id = detail.organization.id, detail.user.user_id
    roles = comma_list(r.name for r in detail.roles)
    lose = [gettext("Their roles in %(where)s: %(roles)s.") % {**names, "roles": roles}]
    return Confirmation(
        title=gettext("Remove member"),
        question=gettext("Remove %(who)s from %(where)s?") % names,
        details=[detail.user.email or detail.user.user_id, *(lose if detail.roles else [])],
        consequences=[
            gettext(
                "%(who)s stays a user of the tenant: only their membership in %(where)s "
                "and their roles in it are removed."
            )
            % names,
            gettext("Auth0 takes a few seconds (usually 5-10) to stop listing them everywhere."),
        ],
        submit_label=gettext("Remove member"),
        action_url=reverse("orgs:member_remove", args=[org_id, user_id]),
        cancel_url=back,
        hidden=hidden,
    )


@require_http_methods(["GET", "POST"])
@requires("orgs.remove_members", gettext_lazy("remove members"))
def members_remove(request: HtmxHttpRequest, org_id: str) -> HttpResponse:
    """Bulk removal: a preview naming everyone selected, then one API call for all of them."""
    back, keep_filters = preserved_back(request, members_url(org_id))
    behind = Behind(back, "membersChanged")
    form = BulkMembersForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _nothing_selected(request, back)
    user_ids = form.cleaned_data["user"]
    page = form.listed_page()
    if request.method == "POST" and page is not None:
        return _remove_listed(request, org_id, user_ids, page, behind)
    try:
        organization = organization_in_reach(request, org_id)
        check_user_ids(user_ids)
        members = selectors.members_to_confirm(org_id=org_id, user_ids=user_ids, page=page)
    except errors.Auth0Error as exc:
        return cannot(request, exc, gettext("remove the selected members"), behind)
    strangers = [u for u in user_ids if u not in members]
    if strangers:  # named by the ids given only: nothing about users outside it may show
        return _not_members(request, organization.label, strangers, behind)
    return _confirm_bulk(
        request, organization, members, user_ids, behind, {**form.page_fields(), **keep_filters}
    )


def _nothing_selected(request: HtmxHttpRequest, back: str) -> HttpResponse:
    messages.warning(request, gettext("Select at least one member to remove. Nothing was changed."))
    if is_partial_request(request):
        return HttpResponse(status=400)
    return redirect(back)


def _not_members(
    request: HtmxHttpRequest, org_label: str, strangers: list[str], behind: Behind
) -> HttpResponse:
    """Some ids are not members: refused, naming only the ids given."""
    return cannot(
        request,
        errors.MemberNotFound(
            gettext("Not members of %(org)s: %(ids)s.")
            % {"org": org_label, "ids": _some(strangers)}
        ),
        gettext("remove %(who)s from %(where)s") % {"who": _some(strangers), "where": org_label},
        behind,
    )


def _confirm_bulk(
    request: HtmxHttpRequest,
    organization: Organization,
    members: dict[str, Member],
    user_ids: list[str],
    behind: Behind,
    hidden: dict[str, list[str]],
) -> HttpResponse:
    """The bulk preview, then the removal of those who may go."""
    # The preview shows each member's e-mail and roles, flags who would be refused and why,
    # and leaves them out (no Auth0 call). What is posted is removed as posted: the service
    # decides.
    refusals = (
        foreseen_refusals(
            request.user,
            org_id=organization.id,
            org_label=organization.label,
            members=[members[u] for u in user_ids],
        )
        if request.method == "GET"
        else {}
    )
    removable = [u for u in user_ids if u not in refusals]
    count = len(removable)
    who = and_list(members[u].label for u in removable)
    people = [(members[u], refusals.get(u, "")) for u in user_ids]
    return confirm_then_act(
        request,
        _bulk_confirmation(organization, people, removable, behind.url, hidden),
        behind,
        call=partial(services.members_remove, org_id=organization.id, user_ids=removable),
        success=_removed(count, organization.label, who),
        action=gettext("remove %(who)s from %(where)s") % {"who": who, "where": organization.label},
        on_done=lambda: note_removed(request.session, organization.id, user_ids),
        offer=restore_offer,
    )


def _bulk_confirmation(
    organization: Organization,
    people: list[tuple[Member, str]],
    removable: list[str],
    back: str,
    hidden: dict[str, list[str]],
) -> Confirmation:
    """Everyone selected, each with why they stay if they do; `removable` are removed."""
    count = len(removable)
    return Confirmation(
        title=gettext("Remove members"),
        question=_bulk_question(count, len(people), organization.label),
        people=people,
        consequences=[
            gettext(
                "They stay users of the tenant: only their memberships in %(org)s and their "
                "roles in it are removed."
            )
            % {"org": organization.label},
            gettext("Auth0 takes a few seconds (usually 5-10) to stop listing them everywhere."),
        ]
        if count
        else [],
        submit_label=ngettext("Remove %(count)d member", "Remove %(count)d members", count)
        % {"count": count}
        if count
        else "",
        action_url=reverse("orgs:members_remove", args=[organization.id]),
        cancel_url=back,
        hidden={"user": removable, **hidden},
        asks_reason=count > 0,
    )


def _remove_listed(
    request: HtmxHttpRequest,
    org_id: str,
    user_ids: list[str],
    page: selectors.ListedPage,
    behind: Behind,
) -> HttpResponse:
    """The confirmed bulk removal: the service reads the members page they were picked from
    (one call) and names them, for the message."""

    def failed(event: AuditEvent | None) -> str:
        labelled = event is not None and all("label" in t for t in event.targets)
        if not labelled:
            return gettext("remove the selected members")
        assert event is not None
        return gettext("remove %(who)s from %(where)s") % {
            "who": success_of(event)[0],
            "where": event.org_name,
        }

    count = len(user_ids)
    return act(
        request,
        behind,
        call=partial(services.members_remove, org_id=org_id, user_ids=user_ids, page=page),
        success=lambda event: _removed(count, event.org_name, success_of(event)[0]),
        action=failed,
        on_done=lambda: note_removed(request.session, org_id, user_ids),
        offer=restore_offer,
    )


def _bulk_question(count: int, selected: int, org: str) -> str:
    """`count` of the `selected` members may be removed."""
    if count == selected:
        return ngettext(
            "Remove %(count)d member from %(org)s?", "Remove %(count)d members from %(org)s?", count
        ) % {"count": count, "org": org}
    if count:
        return ngettext(
            "Remove %(count)d of the %(selected)d selected members from %(org)s?",
            "Remove %(count)d of the %(selected)d selected members from %(org)s?",
            count,
        ) % {"count": count, "selected": selected, "org": org}
    return ngettext(
        "The selected member cannot be removed from %(org)s.",
        "None of the %(selected)d selected members can be removed from %(org)s.",
        selected,
    ) % {"selected": selected, "org": org}


def _removed(count: int, org: str, who: str) -> str:
    return ngettext(
        "Removed %(count)d member from %(org)s: %(who)s.",
        "Removed %(count)d members from %(org)s: %(who)s.",
        count,
    ) % {"count": count, "org": org, "who": who}


def _some(values: list[str], most: int = 3) -> str:
    """“a, b and c”, or “a, b, c and 4 more”."""
    shown = values[:most]
    if len(values) > most:
        shown.append(gettext("%(count)d more") % {"count": len(values) - most})
    return and_list(shown)
