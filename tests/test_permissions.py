"""The permission matrix: every view and action × each staff role (plus a signed-in account with
no staff role, and nobody signed in) × an organization in and one out of the staff member's
reach × htmx and plain requests. Then what each role's pages hide, and the guardrails as the
views enforce them.

Each cell expects one of four outcomes:

- allowed: the page, the redirect to the right place, or the change made in Auth0 (the
  emulator) with an AuditEvent that succeeded;
- refused: 403 "Your staff role does not allow you to …" (a page; for htmx an empty body and a
  toast), nothing sent to Auth0 and nothing audited;
- hidden: an organization (or user) out of reach behaves as if it did not exist, as each view
  answers a missing one, and nothing about it leaks;
- login: nobody is signed in, so the login page (for htmx, 401 with HX-Redirect).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from orgs.models import AuditEvent
from orgs.staff.access import role_of
from orgs.views.staff import STAFF_NEEDS_ALL
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS, small_seed
from tests.view_helpers import HX, hx_messages, hx_trigger, members_of, tenant_roles_of, writes

ACME, GLOBEX, INITECH = ORG_IDS["acme"], ORG_IDS["globex"], ORG_IDS["initech"]
ANA, BEN, CHLOE = USER_IDS["ana"], USER_IDS["ben"], USER_IDS["chloe"]
DMITRI, MALLORY = USER_IDS["dmitri"], USER_IDS["mallory"]
SUPPORT_AGENT, BETA_TESTER = ROLE_IDS["support-agent"], ROLE_IDS["beta-tester"]
Action = AuditEvent.Action

# htmx requests come from a page: the login redirect sends people back to it.
HTMX = {**HX, "HX-Current-URL": "http://testserver/organizations/"}

VIEW = "view_organizations"
CHANGE_ROLES = "change_member_roles"
REMOVE_MEMBERS = "remove_members"
TENANT_ROLES = "remove_tenant_roles"
ADMIN_ONLY = "assign_admin_only_roles"
MANAGE_STAFF = "manage_staff"
ALL_ACTIVITY = "view_all_activity"
# The role table, written out here so that a change to the app's table shows up.
PERMISSIONS = {
    "Viewer": {VIEW},
    "Support": {VIEW, CHANGE_ROLES, REMOVE_MEMBERS},
    "Admin": {
        VIEW,
        CHANGE_ROLES,
        REMOVE_MEMBERS,
        TENANT_ROLES,
        ADMIN_ONLY,
        MANAGE_STAFF,
        ALL_ACTIVITY,
    },
}


# --- who acts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    name: str
    role: str | None  # None: signed in, but in no staff group
    reach: dict[str, Any]
    signed_in: bool = True

    @property
    def permissions(self) -> set[str]:
        return PERMISSIONS.get(self.role or "", set())

    @property
    def reaches_all(self) -> bool:
        return bool(self.reach.get("all_organizations"))


SCOPED_TO_GLOBEX = {"all_organizations": False, "organization_ids": [GLOBEX]}
EU_RULE = {"all_organizations": False, "organization_rule": "region=eu"}
ACTORS = [
    Actor("anonymous", None, {}, signed_in=False),
    Actor("norole", None, {"all_organizations": True}),
    Actor("viewer", "Viewer", SCOPED_TO_GLOBEX),
    Actor("support", "Support", EU_RULE),
    Actor("admin", "Admin", SCOPED_TO_GLOBEX),
    Actor("admin_all", "Admin", {"all_organizations": True}),
]


# --- what they act on --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An organization and who in it each action is about."""

    org: str
    name: str
    member: str  # holds `role` (named `role_name`) there
    role: str
    role_name: str
    other: str  # gets a role assigned, or is removed
    bulk: tuple[str, str]
    user: str  # a member, who holds the tenant-wide role beta-tester
    marker: str  # the reason of an earlier audit event about this organization


# Staff scoped to Globex (by its id, or by the region=eu rule) reach Globex, never Acme. Ben
# and Mallory belong to Acme only; Ana belongs to both.
IN = Target(
    org=GLOBEX,
    name="globex",
    member=CHLOE,
    role=ROLE_IDS["org-admin"],
    role_name="org-admin",
    other=DMITRI,
    bulk=(CHLOE, DMITRI),
    user=ANA,
    marker="T-GLOBEX",
)
OUT = Target(
    org=ACME,
    name="acme",
    member=BEN,
    role=SUPPORT_AGENT,
    role_name="support-agent",
    other=MALLORY,
    bulk=(BEN, MALLORY),
    user=BEN,
    marker="T-ACME",
)
TARGETS = {"inscope": IN, "outscope": OUT}
# What a response must never show someone who does not reach Acme.
ACME_ONLY = ("Acme Corporation", "Ben Okafor", "Mallory", "T-ACME")


def members_url(org_id: str) -> str:
    return reverse("orgs:organization_detail", kwargs={"org_id": org_id})


def member_url(org_id: str, user_id: str) -> str:
    return reverse("orgs:member_detail", kwargs={"org_id": org_id, "user_id": user_id})


def user_roles_url(user_id: str) -> str:
    return reverse("orgs:user_roles", kwargs={"user_id": user_id})


def staff_target_url() -> str:
    person = get_user_model().objects.get(username="target")
    return reverse("orgs:staff_edit", kwargs={"pk": person.pk})


# --- one cell ----------------------------------------------------------------------------------


@dataclass
class Cell:
    response: Any
    htmx: bool
    target: Target
    tenant: Any  # the emulator's control API
    new_events: list[AuditEvent]

    @cached_property
    def body(self) -> str:
        if self.response.streaming:
            return b"".join(self.response.streaming_content).decode()
        return self.response.content.decode()

    @property
    def said(self) -> list[str]:
        """The messages the request queued (toasts now, or on the next page)."""
        return [str(m) for m in get_messages(self.response.wsgi_request)]


def page(cell: Cell, partial: str) -> str:
    """A 200 page: whole for a plain request, only the `partial` element for htmx."""
    assert cell.response.status_code == 200, cell.said
    body = cell.body
    if cell.htmx:
        assert "<html" not in body and f'id="{partial}"' in body
    else:
        assert "<html" in body
    return body


def confirmation(cell: Cell, question: str) -> None:
    """The confirmation before a destructive action: a page, or a dialog's content for htmx."""
    body = page(cell, "dialog-title")
    assert question in body
    assert writes(cell.tenant) == []


def csv(cell: Cell) -> str:
    assert cell.response.status_code == 200
    assert cell.response["Content-Type"].startswith("text/csv")
    body = cell.body
    assert body.startswith('"started_at","completed_at","staff","action","org_id"')
    return body


def done(cell: Cell, *, back: str, refresh: str, action: str, message: str) -> None:
    """A write made: redirect back (plain) or 204 with the panel's refresh event (htmx), a
    success message, and one audit event that succeeded."""
    if cell.htmx:
        assert cell.response.status_code == 204
        events = set(hx_trigger(cell.response)) - {"messages"}
        assert events <= {"closeDialog", refresh} and refresh in events
        assert [t for tag, t in hx_messages(cell.response) if tag == "success"] == cell.said
    else:
        assert cell.response.status_code == 302
        assert cell.response["Location"] == back
    assert len(cell.said) == 1 and cell.said[0].startswith(message), cell.said
    assert [(e.action, e.outcome) for e in cell.new_events] == [(action, "success")]
    assert writes(cell.tenant)


def missing(
    cell: Cell, *, message: str, back: str | None = None, refresh: str | None = None
) -> None:
    """Out of reach, answered as the view answers a missing organization or user: a direct
    address (plain GET) is a 404 page saying so; a plain POST redirects back with a warning;
    htmx gets 404 with no body and the toast, and the panel behind refreshes when `refresh`
    names its event."""
    response = cell.response
    if not cell.htmx and response.wsgi_request.method == "GET":
        assert response.status_code == 404
        assert message in html.unescape(cell.body)
        assert cell.said == []  # said on the page, not again as a toast
    elif cell.htmx:
        assert response.status_code == 404
        assert response.content == b""
        assert [t for _, t in hx_messages(response)] == cell.said
        assert set(hx_trigger(response)) - {"messages"} == (
            {"closeDialog", refresh} if refresh else set()
        )
        assert any(message in m for m in cell.said), cell.said
    elif back is None:
        assert response.status_code == 404
        assert message in html.unescape(cell.body)
    else:
        assert response.status_code == 302
        assert response["Location"] == back
        assert any(message in m for m in cell.said), cell.said


def no_such_organization(cell: Cell) -> None:
    """Like an organization id nobody has: a 404 page saying so (for htmx, a warning and a full
    navigation to the list: the list must not land inside a panel)."""
    response = cell.response
    text = (
        f"There is no organization “{cell.target.org}” (any more): "
        "No organization found by that id or name"
    )
    if cell.htmx:
        assert response.status_code == 200
        assert response["HX-Redirect"] == "/organizations/"
        assert cell.said == [text]
    else:
        assert response.status_code == 404
        assert text in html.unescape(cell.body)


def member_gone(action: str, refresh: str, back: Callable[[Target], str]):
    def check(cell: Cell) -> None:
        missing(
            cell,
            message=f"Could not {action}: the organization no longer exists in Auth0.",
            back=back(cell.target),
            refresh=refresh,
        )

    return check


# --- what each action expects ------------------------------------------------------------------


def org_list_ok(cell: Cell) -> None:
    assert cell.target.org in page(cell, "org-table")


def org_list_hidden(cell: Cell) -> None:
    body = page(cell, "org-table")
    assert cell.target.org not in body
    assert "No organization matches “acme”." in body


def jump_ok(cell: Cell) -> None:
    assert cell.response.status_code == 302
    assert cell.response["Location"] == members_url(cell.target.org)


def jump_hidden(cell: Cell) -> None:
    assert cell.response.status_code == 302
    assert cell.response["Location"] == "/organizations/?to=acme"
    assert cell.said == ["No organization has the id or name “acme”."]


def org_detail_ok(cell: Cell) -> None:
    body = page(cell, "members")
    assert all(f"<code>{user_id}</code>" in body for user_id in cell.target.bulk)


def org_activity_ok(cell: Cell) -> None:
    assert cell.target.marker in page(cell, "activity")


def org_csv_ok(cell: Cell) -> None:
    assert cell.target.marker in csv(cell)


def activity_ok(cell: Cell) -> None:
    body = page(cell, "activity")
    assert cell.target.marker in body and IN.marker in body


def activity_hidden(cell: Cell) -> None:
    body = page(cell, "activity")
    assert IN.marker in body and cell.target.marker not in body


def activity_csv_ok(cell: Cell) -> None:
    body = csv(cell)
    assert cell.target.marker in body and IN.marker in body


def activity_csv_hidden(cell: Cell) -> None:
    body = csv(cell)
    assert IN.marker in body and cell.target.marker not in body


def member_detail_ok(cell: Cell) -> None:
    assert f'class="tag">{cell.target.role_name}<' in page(cell, "member-roles")


def assign_ok(cell: Cell) -> None:
    t = cell.target
    done(
        cell,
        back=member_url(t.org, t.other),
        refresh="rolesChanged",
        action=Action.MEMBER_ROLES_ASSIGN,
        message="Added 1 role to ",
    )
    assert SUPPORT_AGENT in members_of(cell.tenant, t.org)[t.other]


def role_remove_confirm_ok(cell: Cell) -> None:
    confirmation(cell, f"Remove the role {cell.target.role_name} from ")


def role_remove_ok(cell: Cell) -> None:
    t = cell.target
    done(
        cell,
        back=member_url(t.org, t.member),
        refresh="rolesChanged",
        action=Action.MEMBER_ROLES_REMOVE,
        message="Removed the role ",
    )
    assert t.role not in members_of(cell.tenant, t.org)[t.member]


def member_remove_ok(cell: Cell) -> None:
    t = cell.target
    done(
        cell,
        back=members_url(t.org),
        refresh="membersChanged",
        action=Action.MEMBERS_REMOVE,
        message="Removed ",
    )
    assert t.other not in members_of(cell.tenant, t.org)


def bulk_remove_ok(cell: Cell) -> None:
    t = cell.target
    done(
        cell,
        back=members_url(t.org),
        refresh="membersChanged",
        action=Action.MEMBERS_REMOVE,
        message="Removed 2 members from ",
    )
    assert not set(t.bulk) & set(members_of(cell.tenant, t.org))


def user_roles_ok(cell: Cell) -> None:
    assert 'class="tag tag-tenant">beta-tester<' in page(cell, "user-roles")


def user_roles_hidden(cell: Cell) -> None:
    missing(
        cell,
        message="Could not show this user's tenant-wide roles: the user no longer exists in Auth0.",
    )


def user_role_remove_ok(cell: Cell) -> None:
    t = cell.target
    done(
        cell,
        back=user_roles_url(t.user),
        refresh="rolesChanged",
        action=Action.USER_ROLES_REMOVE,
        message="Removed the tenant-wide role beta-tester from ",
    )
    assert BETA_TESTER not in tenant_roles_of(cell.tenant, t.user)


def user_role_gone(cell: Cell) -> None:
    missing(
        cell,
        message="Could not remove the role: the user no longer exists in Auth0.",
        back=user_roles_url(cell.target.user),
        refresh="rolesChanged",
    )


def staff_page_ok(marker: str) -> Callable[[Cell], None]:
    def check(cell: Cell) -> None:
        assert cell.response.status_code == 200
        assert marker in cell.body

    return check


def staff_saved(cell: Cell, username: str, role: str) -> None:
    assert cell.response.status_code == 302
    assert cell.response["Location"] == reverse("orgs:staff_list")
    assert role_of(get_user_model().objects.get(username=username)) == role
    assert [(e.action, e.outcome) for e in cell.new_events] == [(Action.STAFF_CHANGE, "success")]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[Target], str]
    gates: tuple[tuple[str, str], ...]
    """(permission, what the refusal says one may not do), checked in this order."""
    allowed: Callable[[Cell], None]
    hidden: Callable[[Cell], None] | None = None
    """None: not about an organization (the staff pages), so in and out of scope are one."""
    data: Callable[[Target], dict[str, Any]] = lambda t: {}
    needs_all_reach: bool = False
    """Only for staff who reach every organization (managing staff: no granting more reach
    than one has)."""


SEE = (VIEW, "see organizations")
CASES = [
    Case(
        "org_list",
        "GET",
        lambda t: "/organizations/" if t is IN else "/organizations/?q=acme",
        (SEE,),
        org_list_ok,
        org_list_hidden,
    ),
    Case(
        "jump",
        "GET",
        lambda t: f"/organizations/jump/?to={t.name}",
        (SEE,),
        jump_ok,
        jump_hidden,
    ),
    Case(
        "org_detail",
        "GET",
        lambda t: members_url(t.org),
        (SEE,),
        org_detail_ok,
        no_such_organization,
    ),
    Case(
        "org_activity",
        "GET",
        lambda t: reverse("orgs:organization_activity", kwargs={"org_id": t.org}),
        ((VIEW, "see activity"),),
        org_activity_ok,
        no_such_organization,
    ),
    Case(
        "org_activity_csv",
        "GET",
        lambda t: reverse("orgs:organization_activity", kwargs={"org_id": t.org}) + "?format=csv",
        ((VIEW, "see activity"),),
        org_csv_ok,
        no_such_organization,
    ),
    Case(
        "activity",
        "GET",
        lambda t: "/activity/",
        ((VIEW, "see activity"),),
        activity_ok,
        activity_hidden,
    ),
    Case(
        "activity_csv",
        "GET",
        lambda t: "/activity/?format=csv",
        ((VIEW, "see activity"),),
        activity_csv_ok,
        activity_csv_hidden,
    ),
    Case(
        "member_detail",
        "GET",
        lambda t: member_url(t.org, t.member),
        (SEE,),
        member_detail_ok,
        lambda cell: missing(
            cell,
            message="Could not show this member: the organization no longer exists in Auth0.",
            back=members_url(cell.target.org),
        ),
    ),
    Case(
        "assign_roles",
        "POST",
        lambda t: member_url(t.org, t.other),
        (SEE, (CHANGE_ROLES, "assign roles")),
        assign_ok,
        lambda cell: missing(
            cell,
            message="Could not show this member: the organization no longer exists in Auth0.",
            back=members_url(cell.target.org),
        ),
        data=lambda t: {"roles": [SUPPORT_AGENT]},
    ),
    Case(
        "role_remove_confirm",
        "GET",
        lambda t: f"{member_url(t.org, t.member)}roles/remove/?role={t.role}",
        ((CHANGE_ROLES, "remove roles"),),
        role_remove_confirm_ok,
        member_gone("remove the role", "rolesChanged", lambda t: member_url(t.org, t.member)),
    ),
    Case(
        "role_remove",
        "POST",
        lambda t: f"{member_url(t.org, t.member)}roles/remove/",
        ((CHANGE_ROLES, "remove roles"),),
        role_remove_ok,
        member_gone("remove the role", "rolesChanged", lambda t: member_url(t.org, t.member)),
        data=lambda t: {"role": t.role},
    ),
    Case(
        "member_remove_confirm",
        "GET",
        lambda t: f"{member_url(t.org, t.other)}remove/",
        ((REMOVE_MEMBERS, "remove members"),),
        lambda cell: confirmation(cell, "Remove "),
        member_gone("remove the member", "membersChanged", lambda t: members_url(t.org)),
    ),
    Case(
        "member_remove",
        "POST",
        lambda t: f"{member_url(t.org, t.other)}remove/",
        ((REMOVE_MEMBERS, "remove members"),),
        member_remove_ok,
        member_gone("remove the member", "membersChanged", lambda t: members_url(t.org)),
    ),
    Case(
        "bulk_remove_preview",
        "GET",
        lambda t: f"{members_url(t.org)}members/remove/?user={t.bulk[0]}&user={t.bulk[1]}",
        ((REMOVE_MEMBERS, "remove members"),),
        lambda cell: confirmation(cell, "Remove 2 members from "),
        member_gone("remove the selected members", "membersChanged", lambda t: members_url(t.org)),
    ),
    Case(
        "bulk_remove",
        "POST",
        lambda t: f"{members_url(t.org)}members/remove/",
        ((REMOVE_MEMBERS, "remove members"),),
        bulk_remove_ok,
        member_gone("remove the selected members", "membersChanged", lambda t: members_url(t.org)),
        data=lambda t: {"user": list(t.bulk)},
    ),
    Case(
        "user_roles",
        "GET",
        lambda t: user_roles_url(t.user),
        ((VIEW, "see users"),),
        user_roles_ok,
        user_roles_hidden,
    ),
    Case(
        "user_role_remove_confirm",
        "GET",
        lambda t: f"{user_roles_url(t.user)}remove/?role={BETA_TESTER}",
        ((TENANT_ROLES, "remove tenant-wide roles"),),
        lambda cell: confirmation(cell, "Remove the tenant-wide role beta-tester from "),
        user_role_gone,
    ),
    Case(
        "user_role_remove",
        "POST",
        lambda t: f"{user_roles_url(t.user)}remove/",
        ((TENANT_ROLES, "remove tenant-wide roles"),),
        user_role_remove_ok,
        user_role_gone,
        data=lambda t: {"role": BETA_TESTER},
    ),
    Case(
        "staff_list",
        "GET",
        lambda t: "/staff/",
        ((MANAGE_STAFF, "manage staff"),),
        staff_page_ok("<td>target@staff.example.com</td>"),
        needs_all_reach=True,
    ),
    Case(
        "staff_create_form",
        "GET",
        lambda t: "/staff/new/",
        ((MANAGE_STAFF, "manage staff"),),
        staff_page_ok('name="username"'),
        needs_all_reach=True,
    ),
    Case(
        "staff_create",
        "POST",
        lambda t: "/staff/new/",
        ((MANAGE_STAFF, "manage staff"),),
        lambda cell: staff_saved(cell, "newcomer", "Viewer"),
        needs_all_reach=True,
        data=lambda t: {
            "username": "newcomer",
            "role": "Viewer",
            "organization_ids": GLOBEX,
            "is_active": "on",
        },
    ),
    Case(
        "staff_edit_form",
        "GET",
        lambda t: staff_target_url(),
        ((MANAGE_STAFF, "manage staff"),),
        staff_page_ok('value="target"'),
        needs_all_reach=True,
    ),
    Case(
        "staff_edit",
        "POST",
        lambda t: staff_target_url(),
        ((MANAGE_STAFF, "manage staff"),),
        lambda cell: staff_saved(cell, "target", "Support"),
        needs_all_reach=True,
        data=lambda t: {
            "username": "target",
            "role": "Support",
            "organization_rule": "region=eu",
            "is_active": "on",
        },
    ),
]


def expected(actor: Actor, case: Case, scope: str) -> str:
    if not actor.signed_in:
        return "login"
    if any(permission not in actor.permissions for permission, _ in case.gates):
        return "refused"
    if case.needs_all_reach and not actor.reaches_all:
        return "refused_reach"
    if scope == "outscope" and not actor.reaches_all:
        return "hidden"
    return "allowed"


def cells() -> list[Any]:
    params = []
    for actor in ACTORS:
        for case in CASES:
            for scope in ("inscope", "outscope") if case.hidden else ("noorg",):
                for htmx in (False, True):
                    cell_id = f"{actor.name}-{case.name}-{scope}-{'htmx' if htmx else 'plain'}"
                    params.append(pytest.param(actor, case, scope, htmx, id=cell_id))
    return params


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_requests(settings) -> None:
    """Every sign-in is counted by django-axes; the matrix is not about lockouts."""
    settings.AXES_ENABLED = False


def matrix_seed() -> dict[str, Any]:
    """The small test tenant, where Ben (a member of Acme only) also holds beta-tester."""
    seed = small_seed()
    seed["user_roles"][BEN] = [BETA_TESTER]
    return seed


@pytest.fixture
def tenant(auth0):
    """The emulator with the matrix's tenant, and an earlier audit event about each of Acme
    and Globex."""
    auth0.reset(seed=matrix_seed())
    for org_id, org_name, user_id, label, marker in [
        (ACME, "Acme Corporation", BEN, "Ben Okafor", OUT.marker),
        (GLOBEX, "Globex", DMITRI, "Dmitri Novak", IN.marker),
    ]:
        AuditEvent.objects.create(
            staff_username="earlier",
            action=Action.MEMBERS_REMOVE,
            org_id=org_id,
            org_name=org_name,
            targets=[{"user_id": user_id, "label": label}],
            reason=marker,
            outcome=AuditEvent.Outcome.SUCCESS,
        )
    return auth0


def sign_in(make_staff, actor: Actor) -> Client:
    browser = Client()
    if actor.signed_in:
        person = make_staff(actor.name, actor.role or "Viewer", **actor.reach)
        if actor.role is None:
            person.groups.clear()
        browser.force_login(person)
    return browser


# --- the matrix --------------------------------------------------------------------------------


def test_the_staff_roles_grant_what_the_matrix_assumes(db):
    for role, codenames in PERMISSIONS.items():
        granted = Group.objects.get(name=role).permissions.values_list("codename", flat=True)
        assert set(granted) == codenames, role


@pytest.mark.parametrize(("actor", "case", "scope", "htmx"), cells())
def test_permission_matrix(tenant, make_staff, actor, case, scope, htmx):
    target = TARGETS.get(scope, IN)
    if case.hidden is None:  # a staff page: someone to show and edit
        make_staff("target", "Viewer", **SCOPED_TO_GLOBEX)
    browser = sign_in(make_staff, actor)
    url = case.url(target)
    headers = HTMX if htmx else {}
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    tenant.clear_requests()

    if case.method == "GET":
        response = browser.get(url, headers=headers)
    else:
        response = browser.post(url, case.data(target), headers=headers)

    cell = Cell(
        response=response,
        htmx=htmx,
        target=target,
        tenant=tenant,
        new_events=list(AuditEvent.objects.exclude(pk__in=before)),
    )
    outcome = expected(actor, case, scope)
    if outcome == "login":
        assert_login(cell)
    elif outcome == "refused":
        doing = next(doing for perm, doing in case.gates if perm not in actor.permissions)
        assert_refused(cell, f"Your staff role does not allow you to {doing}. Nothing was changed.")
    elif outcome == "refused_reach":
        assert_refused(cell, STAFF_NEEDS_ALL)
    elif outcome == "hidden":
        assert case.hidden
        case.hidden(cell)
    else:
        case.allowed(cell)

    if outcome != "allowed" or case.method == "GET":
        assert writes(tenant) == []
        assert cell.new_events == []
    if outcome != "allowed" and case.hidden is None:
        assert not get_user_model().objects.filter(username="newcomer").exists()
        assert role_of(get_user_model().objects.get(username="target")) == "Viewer"
    if not actor.reaches_all:  # "see all activity" included: reach limits every role
        assert_nothing_about_acme(cell)


def assert_login(cell: Cell) -> None:
    response = cell.response
    if cell.htmx:
        assert response.status_code == 401
        assert response.content == b""
        login = urlsplit(response["HX-Redirect"])
        assert parse_qs(login.query) == {"next": ["/organizations/"]}
    else:
        assert response.status_code == 302
        login = urlsplit(response["Location"])
        assert parse_qs(login.query) == {"next": [response.wsgi_request.get_full_path()]}
    assert login.path == "/login/"


def assert_refused(cell: Cell, reason: str) -> None:
    response = cell.response
    assert response.status_code == 403
    if cell.htmx:
        assert response.content == b""  # nothing on the page is replaced
        assert hx_messages(response) == [("error", reason)]
    else:
        assert reason in cell.body
        assert cell.said == []


def assert_nothing_about_acme(cell: Cell) -> None:
    shown = "\n".join([cell.body, *cell.said, *map(str, cell.response.headers.values())])
    for secret in ACME_ONLY:
        assert secret not in shown, secret


# --- what the pages offer ----------------------------------------------------------------------

# The Assign role form lists the organization roles of the catalogue by name (not the
# tenant-wide tenant-admin and beta-tester).
ROLES_BY_NAME = sorted(n for n in ROLE_IDS if n not in ("tenant-admin", "beta-tester"))
OFFERED = {
    "Viewer": [],
    "Support": [ROLE_IDS[n] for n in ROLES_BY_NAME if n not in ("org-owner", "org-admin")],
    "Admin": [ROLE_IDS[n] for n in ROLES_BY_NAME],
}


def offered_roles(body: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="roles" value="(rol_\w+)"', body)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("role", ["Viewer", "Support", "Admin"])
def test_pages_offer_only_what_the_role_may_do(tenant, make_staff, role, htmx):
    browser = Client()
    browser.force_login(make_staff(role.lower(), role, **SCOPED_TO_GLOBEX))
    may = PERMISSIONS[role]
    headers = HTMX if htmx else {}

    def get(url: str) -> str:
        response = browser.get(url, headers=headers)
        assert response.status_code == 200
        return response.content.decode()

    members = get(members_url(GLOBEX))
    assert ("Remove member</a>" in members) is (REMOVE_MEMBERS in may)
    assert ('<input type="checkbox" name="user"' in members) is (REMOVE_MEMBERS in may)
    assert ('class="select-all"' in members) is (REMOVE_MEMBERS in may)
    assert ("Remove selected members" in members) is (REMOVE_MEMBERS in may)
    assert ("Manage roles</a>" in members) is (CHANGE_ROLES in may)
    assert ("View roles</a>" in members) is (CHANGE_ROLES not in may)

    chloe = get(member_url(GLOBEX, CHLOE))  # holds org-admin
    assert ('aria-label="Remove role org-admin"' in chloe) is (CHANGE_ROLES in may)
    assert ('id="assign-title">Assign role<' in chloe) is (CHANGE_ROLES in may)
    assert offered_roles(get(member_url(GLOBEX, DMITRI))) == OFFERED[role]  # holds none

    ana = get(user_roles_url(ANA))  # tenant-wide: tenant-admin and beta-tester
    assert 'class="tag tag-tenant">beta-tester<' in ana
    assert ('aria-label="Remove role beta-tester"' in ana) is (TENANT_ROLES in may)

    if not htmx:  # the header is on full pages only
        # Only staff who reach every organization manage staff; these reach Globex only.
        assert 'href="/staff/"' not in members
        assert 'href="/activity/"' in members


ORG_QUERIES = {"": {ACME, GLOBEX, INITECH}, "e": {ACME, GLOBEX, INITECH}, "acme": {ACME}}
ORG_QUERIES[ACME] = {ACME}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("reach", "reached"),
    [
        (SCOPED_TO_GLOBEX, {GLOBEX}),
        (EU_RULE, {GLOBEX, INITECH}),
        ({"all_organizations": True}, {ACME, GLOBEX, INITECH}),
    ],
    ids=["ids", "rule", "all"],
)
def test_the_organization_list_and_search_show_only_organizations_in_reach(
    tenant, make_staff, reach, reached, htmx
):
    browser = Client()
    browser.force_login(make_staff("viewer", "Viewer", **reach))
    for query, matching in ORG_QUERIES.items():
        response = browser.get("/organizations/", {"q": query}, headers=HTMX if htmx else {})
        assert response.status_code == 200
        body = response.content.decode()
        expected_ids = reached & matching
        assert set(re.findall(r"<code>(org_\w+)</code>", body)) == expected_ids, query
        count = len(expected_ids)
        assert f"· {count} organization{'s' if count != 1 else ''}" in body, query
        if ACME not in reached:
            assert "Acme Corporation" not in body


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    "address",
    [
        lambda user: member_url(ACME, user),
        lambda user: f"{member_url(ACME, user)}remove/",
        lambda user: f"{member_url(ACME, user)}roles/remove/?role={SUPPORT_AGENT}",
    ],
    ids=["member", "remove", "role_remove"],
)
def test_member_addresses_out_of_reach_do_not_tell_who_belongs_there(
    tenant, make_staff, address, htmx
):
    """Reach is checked before anyone is looked up: Ben (a member of Acme), Eve (not one) and
    an id nobody has get the same answer, "no such organization", and no user is read."""
    browser = Client()
    browser.force_login(make_staff("support", "Support", **SCOPED_TO_GLOBEX))
    answers = set()
    for user_id in (BEN, USER_IDS["eve"], "auth0|nobody00000000000000001"):
        tenant.clear_requests()
        response = browser.get(address(user_id), headers=HTMX if htmx else {})
        said = tuple(str(m) for m in get_messages(response.wsgi_request))
        shown = html.unescape(response.content.decode())
        gone = "the organization no longer exists in Auth0." in " ".join([shown, *said])
        answers.add((response.status_code, said, gone, "no longer a member" in shown))
        # the organization only (read once, then remembered a minute)
        assert {r["path"] for r in tenant.api_requests()} <= {f"/api/v2/organizations/{ACME}"}
    assert len(answers) == 1, answers
    (status, _, gone, member_word) = answers.pop()
    assert (status, gone, member_word) == (404, True, False)


# --- guardrails, through the views -------------------------------------------------------------


@dataclass(frozen=True)
class Guarded:
    name: str
    staff: str  # who tries: see GUARDRAIL_STAFF
    method: str
    url: str
    data: dict[str, Any]
    action: str
    says: str
    back: str | None  # where a plain request is sent back to; None: the page again, 403


OWN_USER = "Ana Lee is your own Auth0 user: ask another staff member to change your own "
PROTECTED = "This would leave the organization without anyone holding org-owner, a protected role."
GUARDRAIL_STAFF = {
    "own_user": {"role": "Admin", "auth0_user_id": ANA},  # reaches all organizations
    "admin": {"role": "Admin"},
    "support": {"role": "Support", **EU_RULE},
}
GUARDED = [
    Guarded(
        "remove_own_membership",
        "own_user",
        "POST",
        f"{member_url(GLOBEX, ANA)}remove/",
        {},
        Action.MEMBERS_REMOVE,
        OWN_USER,
        members_url(GLOBEX),
    ),
    Guarded(
        "bulk_remove_own_membership",
        "own_user",
        "POST",
        f"{members_url(GLOBEX)}members/remove/",
        {"user": [DMITRI, ANA]},
        Action.MEMBERS_REMOVE,
        OWN_USER,
        members_url(GLOBEX),
    ),
    Guarded(
        "assign_own_role",
        "own_user",
        "POST",
        member_url(GLOBEX, ANA),
        {"roles": [SUPPORT_AGENT]},
        Action.MEMBER_ROLES_ASSIGN,
        OWN_USER,
        None,
    ),
    Guarded(
        "remove_own_role",
        "own_user",
        "POST",
        f"{member_url(GLOBEX, ANA)}roles/remove/",
        {"role": ROLE_IDS["viewer"]},
        Action.MEMBER_ROLES_REMOVE,
        OWN_USER,
        member_url(GLOBEX, ANA),
    ),
    Guarded(
        "remove_own_tenant_role",
        "own_user",
        "POST",
        f"{user_roles_url(ANA)}remove/",
        {"role": BETA_TESTER},
        Action.USER_ROLES_REMOVE,
        OWN_USER,
        user_roles_url(ANA),
    ),
    Guarded(
        "remove_last_owner_role",
        "admin",
        "POST",
        f"{member_url(ACME, ANA)}roles/remove/",
        {"role": ROLE_IDS["org-owner"]},
        Action.MEMBER_ROLES_REMOVE,
        PROTECTED,
        member_url(ACME, ANA),
    ),
    Guarded(
        "remove_last_owner",
        "admin",
        "POST",
        f"{member_url(ACME, ANA)}remove/",
        {},
        Action.MEMBERS_REMOVE,
        PROTECTED,
        members_url(ACME),
    ),
    Guarded(
        "bulk_remove_last_owner",
        "admin",
        "POST",
        f"{members_url(ACME)}members/remove/",
        {"user": [BEN, ANA]},
        Action.MEMBERS_REMOVE,
        PROTECTED,
        members_url(ACME),
    ),
    Guarded(
        "support_assigns_owner_by_id",
        "support",
        "POST",
        member_url(GLOBEX, DMITRI),
        {"roles": [ROLE_IDS["org-owner"]]},
        Action.MEMBER_ROLES_ASSIGN,
        "Only an Admin may assign org-owner. Ask an Admin to do it.",
        None,
    ),
    Guarded(
        "support_assigns_admin_by_name",
        "support",
        "POST",
        member_url(GLOBEX, DMITRI),
        {"names": "support-agent, org-admin"},
        Action.MEMBER_ROLES_ASSIGN,
        "Only an Admin may assign org-admin. Ask an Admin to do it.",
        None,
    ),
]


def tenant_state(tenant) -> tuple[Any, Any]:
    state = tenant.state()
    return state["organizations"], state["user_roles"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("guarded", GUARDED, ids=lambda g: g.name)
def test_guardrails_refuse_through_the_views(tenant, make_staff, guarded, htmx):
    kind = dict(GUARDRAIL_STAFF[guarded.staff])
    browser = Client()
    browser.force_login(make_staff(guarded.staff, kind.pop("role"), **kind))
    before = tenant_state(tenant)
    tenant.clear_requests()

    response = browser.post(guarded.url, guarded.data, headers=HTMX if htmx else {})

    said = [(m.tags, str(m)) for m in get_messages(response.wsgi_request)]
    assert len(said) == 1, said
    tags, message = said[0]
    assert tags == "warning"
    assert message.startswith("Could not ")
    assert guarded.says in message and message.endswith("Nothing was changed.")
    if htmx:
        assert response.status_code == 403
        assert response.content == b""
        assert hx_messages(response) == said
    elif guarded.back:
        assert response.status_code == 302
        assert response["Location"] == guarded.back
    else:  # the member page again, the message on it
        assert response.status_code == 403
        assert html.escape(message) in response.content.decode()
    assert writes(tenant) == []
    assert tenant_state(tenant) == before
    event = AuditEvent.objects.exclude(reason__startswith="T-").get()
    assert (event.action, event.outcome) == (guarded.action, "refused")
    assert event.error_class == "GuardrailRefused"
    assert guarded.says in event.message
