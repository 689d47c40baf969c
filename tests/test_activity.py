"""The audit trail, read-only: the Activity tab of an organization and the global Activity page
(reach by role, filters, paging, htmx partial, CSV export), the append-only rules of the model,
and the read-only Django admin."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from orgs import services
from orgs.models import AuditEvent
from orgs.staff.guardrails import GuardrailRefused
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, text

ACME, GLOBEX, INITECH = ORG_IDS["acme"], ORG_IDS["globex"], ORG_IDS["initech"]
ACTIVITY = "/activity/"
ORG_NAMES = {ACME: "Acme Corporation", GLOBEX: "Globex Partners", INITECH: "Initech"}


def event(ref: str, **fields) -> AuditEvent:
    """A completed event, inserted directly; `ref` is its correlation id (shown as "Ref.")."""
    org_id = fields.pop("org_id", ACME)
    values = {
        "staff_username": "admin",
        "action": AuditEvent.Action.MEMBER_ROLES_ASSIGN,
        "org_id": org_id,
        "org_name": ORG_NAMES.get(org_id, ""),
        "outcome": AuditEvent.Outcome.SUCCESS,
        "correlation_id": ref,
        **fields,
    }
    return AuditEvent.objects.create(**values)


def refs(response) -> list[str]:
    """The correlation ids of the listed events, in order."""
    return re.findall(r"Ref\. <code>([^<]+)</code>", text(response))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def link(response, rel: str) -> str:
    """The href of the pager's Previous or Next link, unescaped."""
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', text(response))
    assert found, f"no {rel} link"
    return html.unescape(found[1])


def at(day: str, clock: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=UTC)


# --- real actions through the services ---------------------------------------------------------


@pytest.fixture
def real_actions(auth0, admin_staff, make_staff, no_protected_roles):
    """Four audited writes: one in Acme, one in Globex, one tenant-wide, and one refused."""
    services.member_roles_assign(
        actor=admin_staff,
        org_id=ACME,
        user_id=USER_IDS["ben"],
        role_ids=[ROLE_IDS["viewer"]],
        reason="TICKET-1",
    )
    services.member_remove(
        actor=admin_staff, org_id=GLOBEX, user_id=USER_IDS["dmitri"], reason="TICKET-2"
    )
    services.user_roles_remove(
        actor=admin_staff,
        user_id=USER_IDS["eve"],
        role_ids=[ROLE_IDS["beta-tester"]],
        reason="TICKET-3",
    )
    support = make_staff("sam", role="Support")
    with pytest.raises(GuardrailRefused):
        services.member_roles_assign(
            actor=support,
            org_id=ACME,
            user_id=USER_IDS["ben"],
            role_ids=[ROLE_IDS["org-owner"]],
            reason="TICKET-4",
        )
    return {e.reason: e for e in AuditEvent.objects.all()}


def test_an_organizations_activity_tab_lists_only_its_own_events(real_actions, client):
    response = client.get(f"/organizations/{ACME}/activity/")

    assert response.status_code == 200
    assert refs(response) == [
        real_actions["TICKET-4"].correlation_id,
        real_actions["TICKET-1"].correlation_id,
    ]
    body = text(response)
    assert "Assign member roles" in body
    assert "Ben Okafor" in body
    assert "TICKET-1" in body and "TICKET-4" in body
    assert "Refused" in body and "Success" in body
    assert "Only an Admin may assign org-owner" in body
    assert "TICKET-2" not in body and "TICKET-3" not in body
    assert "Dmitri Novak" not in body

    globex = client.get(f"/organizations/{GLOBEX}/activity/")
    assert refs(globex) == [real_actions["TICKET-2"].correlation_id]
    assert "Remove members" in text(globex)
    assert "Dmitri Novak" in text(globex)

    assert "No activity matches." in text(client.get(f"/organizations/{INITECH}/activity/"))


def test_the_global_page_shows_an_admin_everything_including_tenant_wide_events(
    real_actions, client
):
    response = client.get(ACTIVITY)

    assert response.status_code == 200
    assert refs(response) == [
        real_actions[reason].correlation_id
        for reason in ("TICKET-4", "TICKET-3", "TICKET-2", "TICKET-1")
    ]
    body = text(response)
    assert "Remove tenant-wide roles" in body
    assert '<span class="muted">tenant-wide</span>' in body
    assert "Eve Schmidt" in body
    assert "Page 1 of 1 · 4 events" in body


def test_an_organization_out_of_reach_has_no_activity_tab(auth0, make_staff):
    support = make_staff("sam", role="Support", all_organizations=False, organization_ids=[GLOBEX])
    event("acme-1", org_id=ACME, reason="secret acme business")

    response = signed_in(support).get(f"/organizations/{ACME}/activity/")

    assert response.status_code == 404
    assert "secret acme business" not in response.content.decode()
    assert "There is no organization" in response.content.decode()


@pytest.fixture
def spread(db):
    """Events in each organization and one tenant-wide, by different staff members."""
    event("acme-1", org_id=ACME, staff_username="alice")
    event("globex-1", org_id=GLOBEX, staff_username="bob")
    event("initech-1", org_id=INITECH, staff_username="carol")
    event(
        "tenant-1",
        org_id="",
        staff_username="dave",
        action=AuditEvent.Action.USER_ROLES_REMOVE,
    )
    event("staff-1", org_id="", staff_username="admin", action=AuditEvent.Action.STAFF_CHANGE)


@pytest.mark.parametrize(
    ("role", "reach", "expected"),
    [
        ("Admin", {}, ["staff-1", "tenant-1", "initech-1", "globex-1", "acme-1"]),
        # "See all activity" is all within reach: an Admin limited to some organizations sees
        # their events only, and no tenant-wide ones (their users may belong anywhere).
        ("Admin", {"all_organizations": False, "organization_ids": [ACME]}, ["acme-1"]),
        (
            "Admin",
            {"all_organizations": False, "organization_rule": "region=eu"},
            ["initech-1", "globex-1"],
        ),
        ("Support", {}, ["initech-1", "globex-1", "acme-1"]),
        ("Viewer", {}, ["initech-1", "globex-1", "acme-1"]),
        ("Support", {"all_organizations": False, "organization_ids": [GLOBEX]}, ["globex-1"]),
        (
            "Viewer",
            {"all_organizations": False, "organization_rule": "region=eu"},
            ["initech-1", "globex-1"],
        ),
        (
            "Support",
            {
                "all_organizations": False,
                "organization_ids": [ACME],
                "organization_rule": "region=nowhere",
            },
            ["acme-1"],
        ),
        ("Viewer", {"all_organizations": False}, []),
    ],
)
def test_the_global_page_shows_each_role_only_what_it_reaches(
    auth0, spread, make_staff, role, reach, expected
):
    staff = make_staff("someone", role=role, **reach)

    response = signed_in(staff).get(ACTIVITY)

    assert response.status_code == 200
    assert refs(response) == expected
    shown = {
        "acme-1": "alice",
        "globex-1": "bob",
        "initech-1": "carol",
        "tenant-1": "dave",
        "staff-1": "admin",
    }
    # The staff filter offers the names of the events one may see, and no other.
    staff_filter = text(response).split('name="staff"')[1].split('name="action"')[0]
    offered = re.findall(r'<option value="([^"]+)"', staff_filter)
    assert offered == sorted(shown[ref] for ref in expected)
    csv_refs = [row[-1] for row in csv_rows(signed_in(staff).get(ACTIVITY + "?format=csv"))[1:]]
    assert csv_refs == expected


@pytest.mark.parametrize(
    ("role", "reach"),
    [("Support", {}), ("Admin", {"all_organizations": False, "organization_ids": [ACME]})],
    ids=["support", "scoped-admin"],
)
def test_tenant_wide_events_stay_hidden_from_non_admins_even_when_filtered_for(
    auth0, spread, make_staff, role, reach
):
    staff = signed_in(make_staff("sam", role=role, **reach))

    response = staff.get(ACTIVITY + "?action=user_roles_remove")
    assert refs(response) == []
    assert "No activity matches." in text(response)
    response = staff.get(ACTIVITY + "?action=staff_change&format=csv")
    assert csv_rows(response)[1:] == []


# --- filters -----------------------------------------------------------------------------------


@pytest.fixture
def varied(db):
    now = timezone.now()
    event("a", staff_username="alice", started_at=at("2025-03-01", "10:00"))
    event(
        "b",
        staff_username="bob",
        action=AuditEvent.Action.MEMBERS_REMOVE,
        outcome=AuditEvent.Outcome.FAILED,
        started_at=at("2025-03-02", "00:00"),
    )
    event(
        "c",
        staff_username="alice",
        action=AuditEvent.Action.MEMBERS_REMOVE,
        started_at=at("2025-03-02", "23:59"),
    )
    event(
        "d",
        staff_username="alice",
        outcome=AuditEvent.Outcome.REFUSED,
        started_at=at("2025-03-03", "00:00"),
    )
    # A crash between the record and the Auth0 call: pending, long ago, so "unknown".
    event(
        "stale",
        staff_username="bob",
        outcome=AuditEvent.Outcome.PENDING,
        started_at=at("2025-03-04"),
    )
    # Stored unknown: Auth0 timed out.
    event(
        "e", staff_username="bob", outcome=AuditEvent.Outcome.UNKNOWN, started_at=at("2025-03-05")
    )
    # In flight right now: still pending.
    event("fresh", staff_username="carol", outcome=AuditEvent.Outcome.PENDING, started_at=now)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["fresh", "e", "stale", "d", "c", "b", "a"]),
        ("staff=alice", ["d", "c", "a"]),
        ("action=members_remove", ["c", "b"]),
        ("outcome=success", ["c", "a"]),
        ("outcome=failed", ["b"]),
        ("outcome=refused", ["d"]),
        ("outcome=unknown", ["e", "stale"]),
        ("outcome=pending", ["fresh"]),
        ("since=2025-03-02", ["fresh", "e", "stale", "d", "c", "b"]),
        ("until=2025-03-02", ["c", "b", "a"]),
        ("since=2025-03-02&until=2025-03-02", ["c", "b"]),
        ("since=2025-03-02&until=2025-03-03", ["d", "c", "b"]),
        ("staff=alice&action=members_remove", ["c"]),
        ("staff=bob&outcome=unknown", ["e", "stale"]),
        ("staff=alice&outcome=success&since=2025-03-02&until=2025-03-05", ["c"]),
        ("action=member_roles_assign&outcome=unknown&until=2025-03-04", ["stale"]),
        ("staff=carol&since=2025-03-01&until=2025-03-05", []),
    ],
)
def test_filters_work_alone_and_combined_on_the_page_and_in_the_csv(
    varied, client, query, expected
):
    response = client.get(f"{ACTIVITY}?{query}")

    assert response.status_code == 200
    assert refs(response) == expected
    if not expected:
        assert "No activity matches." in text(response)
    rows = csv_rows(client.get(f"{ACTIVITY}?{query}&format=csv"))
    assert [row[-1] for row in rows[1:]] == expected


def test_a_stale_pending_row_shows_as_unknown_outcome(varied, client):
    body = text(client.get(ACTIVITY + "?outcome=unknown"))

    assert body.count('<span class="outcome outcome-unknown">Unknown outcome</span>') == 2
    assert "outcome-pending" not in body
    fresh = text(client.get(ACTIVITY + "?outcome=pending"))
    assert '<span class="outcome outcome-pending">Pending</span>' in fresh
    outcomes = {row[-1]: row[11] for row in csv_rows(client.get(ACTIVITY + "?format=csv"))[1:]}
    assert outcomes["stale"] == "unknown"
    assert outcomes["fresh"] == "pending"


def test_the_filter_form_keeps_the_chosen_values(varied, client):
    body = text(client.get(ACTIVITY + "?staff=bob&action=members_remove&since=2025-03-02"))

    assert '<option value="bob" selected>bob</option>' in body
    assert '<option value="members_remove" selected>Remove members</option>' in body
    assert 'name="since" value="2025-03-02"' in body


def test_one_malformed_filter_keeps_the_others(varied, client):
    """A bad date (typed by hand in the address) must not silently drop the other filters."""
    response = client.get(ACTIVITY + "?staff=alice&since=2025-02-31")

    assert response.status_code == 200
    assert refs(response) == ["d", "c", "a"]
    rows = csv_rows(client.get(ACTIVITY + "?staff=alice&until=yesterday&format=csv"))
    assert [row[-1] for row in rows[1:]] == ["d", "c", "a"]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_first_and_last_days_of_the_calendar_filter_nothing_out(varied, client, zone):
    """A bound at the calendar's edge, moved to UTC, would be past it (a 500 before)."""
    everything = ["fresh", "e", "stale", "d", "c", "b", "a"]
    with timezone.override(zone):
        for query in ["since=0001-01-01", "until=9999-12-31", "since=0001-01-01&until=9999-12-31"]:
            response = client.get(f"{ACTIVITY}?{query}")
            assert response.status_code == 200
            assert refs(response) == everything
            rows = csv_rows(client.get(f"{ACTIVITY}?{query}&format=csv"))
            assert [row[-1] for row in rows[1:]] == everything


def test_an_organizations_tab_filters_within_that_organization(db, client, auth0):
    event("acme-alice", org_id=ACME, staff_username="alice")
    event("acme-bob", org_id=ACME, staff_username="bob")
    event("globex-alice", org_id=GLOBEX, staff_username="alice")

    response = client.get(f"/organizations/{ACME}/activity/?staff=alice")

    assert refs(response) == ["acme-alice"]
    assert '<a href="/organizations/org_Acme000000000001/activity/" aria-current="page">' in text(
        response
    )
    partial = client.get(f"/organizations/{ACME}/activity/?staff=alice", headers=HX)
    assert text(partial).strip().startswith('<section id="activity"')
    assert refs(partial) == ["acme-alice"]
    rows = csv_rows(client.get(f"/organizations/{ACME}/activity/?staff=alice&format=csv"))
    assert [row[-1] for row in rows[1:]] == ["acme-alice"]


# --- paging and htmx ---------------------------------------------------------------------------


@pytest.fixture
def many(db):
    """120 role assignments by alice, one a minute, and 5 removals in between."""
    start = timezone.now() - timedelta(days=1)
    for i in range(120):
        event(f"r{i:03d}", staff_username="alice", started_at=start + timedelta(minutes=i))
    for i in range(5):
        event(
            f"x{i}",
            staff_username="alice",
            action=AuditEvent.Action.MEMBERS_REMOVE,
            started_at=start + timedelta(minutes=i, seconds=30),
        )


def test_paging_120_events_makes_three_pages_and_the_links_keep_the_filters(many, client):
    query = "staff=alice&action=member_roles_assign"

    first = client.get(f"{ACTIVITY}?{query}")

    assert refs(first) == [f"r{i:03d}" for i in range(119, 69, -1)]
    assert "Page 1 of 3 · 120 events" in text(first)
    assert 'rel="prev"' not in text(first)
    assert link(first, "next") == f"?{query}&page=2"

    second = client.get(ACTIVITY + link(first, "next"))
    assert refs(second) == [f"r{i:03d}" for i in range(69, 19, -1)]
    assert "Page 2 of 3 · 120 events" in text(second)
    assert link(second, "prev") == f"?{query}&page=1"
    assert link(second, "next") == f"?{query}&page=3"

    third = client.get(ACTIVITY + link(second, "next"))
    assert refs(third) == [f"r{i:03d}" for i in range(19, -1, -1)]
    assert "Page 3 of 3 · 120 events" in text(third)
    assert 'rel="next"' not in text(third)
    assert refs(client.get(ACTIVITY + link(third, "prev"))) == refs(second)


def test_paging_without_filters_counts_everything_and_survives_bad_page_numbers(many, client):
    first = client.get(ACTIVITY)
    assert "Page 1 of 3 · 125 events" in text(first)
    assert link(first, "next") == "?page=2"
    # Out of range or junk: the nearest sensible page, not an error.
    assert "Page 3 of 3" in text(client.get(ACTIVITY + "?page=99"))
    assert "Page 1 of 3" in text(client.get(ACTIVITY + "?page=abc"))


def test_htmx_gets_only_the_activity_table(many, client):
    response = client.get(f"{ACTIVITY}?action=member_roles_assign&page=2", headers=HX)

    assert response.status_code == 200
    body = text(response).strip()
    assert body.startswith('<section id="activity" aria-label="Activity"')
    assert body.endswith("</section>")
    assert "<html" not in body
    assert 'class="filters"' not in body
    assert refs(response) == [f"r{i:03d}" for i in range(69, 19, -1)]
    assert 'hx-get="?action=member_roles_assign&amp;page=3"' in body
    assert 'hx-get="?action=member_roles_assign&amp;page=1"' in body
    assert "HX-Request" in response["Vary"]

    full = client.get(f"{ACTIVITY}?action=member_roles_assign&page=2")
    assert "<html" in text(full)
    assert 'class="filters"' in text(full)


def test_after_an_htmx_filter_the_export_link_exports_what_is_shown(varied, client):
    """The filters change the table through htmx: the Export CSV link must follow them."""
    response = client.get(ACTIVITY + "?staff=alice&action=members_remove", headers=HX)

    found = re.search(r'<a class="button" href="([^"]+)" download>Export CSV</a>', text(response))
    assert found, "the htmx answer must carry an up-to-date export link"
    exported = client.get(html.unescape(found[1]))
    assert [row[-1] for row in csv_rows(exported)[1:]] == ["c"]


# --- CSV ---------------------------------------------------------------------------------------


def test_the_csv_export_has_the_header_and_one_row_per_event(real_actions, client):
    response = client.get(ACTIVITY + "?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="adminportal-activity-\d{8}-\d{6}\.csv"',
        response["Content-Disposition"],
    )
    rows = csv_rows(response)
    assert rows[0] == [
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
    assert [row[10] for row in rows[1:]] == ["TICKET-4", "TICKET-3", "TICKET-2", "TICKET-1"]
    assigned = dict(zip(rows[0], rows[4], strict=True))
    stored = real_actions["TICKET-1"]
    assert assigned["started_at"] == stored.started_at.isoformat()
    assert assigned["completed_at"] == stored.completed_at.isoformat()
    assert assigned["staff"] == "admin"
    assert assigned["action"] == "member_roles_assign"
    assert assigned["org_id"] == ACME
    assert assigned["organization"] == "Acme Corporation"
    assert assigned["targets"] == "Ben Okafor"
    assert assigned["roles"] == "viewer"
    assert assigned["outcome"] == "success"
    assert assigned["correlation_id"] == stored.correlation_id
    refused = dict(zip(rows[0], rows[1], strict=True))
    assert refused["staff"] == "sam"
    assert refused["outcome"] == "refused"
    assert refused["error"] == "GuardrailRefused"
    assert refused["status"] == "403"
    assert refused["message"].startswith("Only an Admin may assign org-owner")
    tenant_wide = dict(zip(rows[0], rows[2], strict=True))
    assert tenant_wide["org_id"] == ""
    assert tenant_wide["targets"] == "Eve Schmidt"


def test_an_organizations_csv_is_named_after_it_and_holds_only_its_events(real_actions, client):
    response = client.get(f"/organizations/{ACME}/activity/?format=csv")

    assert re.fullmatch(
        rf'attachment; filename="adminportal-activity-{ACME}-\d{{8}}-\d{{6}}\.csv"',
        response["Content-Disposition"],
    )
    assert [row[10] for row in csv_rows(response)[1:]] == ["TICKET-4", "TICKET-1"]


def test_the_csv_export_neutralises_formulas(db, client):
    event(
        "formula",
        staff_username="@evil",
        reason='=HYPERLINK("https://evil.example.com","click")',
        targets=[{"user_id": "auth0|x", "label": "+cmd|' /C calc'!A0"}],
        roles=[{"id": "rol_x", "name": "-2+3"}],
        message="\t=1+1",
        org_name="Plain & simple",
    )

    row = dict(zip(*csv_rows(client.get(ACTIVITY + "?format=csv")), strict=True))

    assert row["reason"] == '\'=HYPERLINK("https://evil.example.com","click")'
    assert row["staff"] == "'@evil"
    assert row["targets"] == "'+cmd|' /C calc'!A0"
    assert row["roles"] == "'-2+3"
    assert row["message"] == "'\t'=1+1"  # the tab, a separator too, starts no formula
    assert row["organization"] == "Plain & simple"


def test_hostile_strings_are_escaped_on_the_page(db, client):
    event(
        "hostile",
        staff_username="<b>bold</b>",
        org_name="<img src=x onerror=alert(1)>",
        targets=[{"user_id": "auth0|x", "label": '<script>alert("x")</script> Mallory'}],
        reason="<script>alert('reason')</script>",
        outcome=AuditEvent.Outcome.FAILED,
        error_class="Auth0Error",
        message="<i>boom</i>",
    )

    body = text(client.get(ACTIVITY))

    assert "<script>" not in body
    assert "<img src=x" not in body
    assert "<b>bold</b>" not in body and "<i>boom</i>" not in body
    assert "&lt;script&gt;alert(&#x27;reason&#x27;)&lt;/script&gt;" in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


def test_the_activity_page_needs_sign_in(db, anonymous_client):
    response = anonymous_client.get(ACTIVITY + "?format=csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- append-only -------------------------------------------------------------------------------


def test_audit_events_cannot_be_updated_or_deleted_in_bulk(db):
    event("one", reason="original")

    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(correlation_id="one").update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(correlation_id="one").delete()
    stored = AuditEvent.objects.get()
    stored.reason = "rewritten"
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([stored], ["reason"])

    assert AuditEvent.objects.get().reason == "original"


def test_an_audit_event_cannot_be_deleted_or_changed_once_complete(db):
    stored = event("one", reason="original")

    with pytest.raises(PermissionError):
        stored.delete()
    stored.reason = "rewritten"
    with pytest.raises(PermissionError):
        stored.save()
    same = AuditEvent.objects.get(pk=stored.pk)
    same.outcome = AuditEvent.Outcome.FAILED
    with pytest.raises(PermissionError):
        same.save(update_fields=["outcome"])

    assert AuditEvent.objects.get(pk=stored.pk).reason == "original"
    assert AuditEvent.objects.get(pk=stored.pk).outcome == "success"


def test_a_new_instance_with_a_stored_id_cannot_overwrite_an_event(db):
    stored = event("one", reason="original")
    forged = AuditEvent(
        pk=stored.pk, staff_username="forger", action=stored.action, reason="rewritten"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()

    assert AuditEvent.objects.get(pk=stored.pk).reason == "original"
    assert AuditEvent.objects.get(pk=stored.pk).staff_username == "admin"


def test_a_pending_event_is_completed_once(db):
    pending = event("one", outcome=AuditEvent.Outcome.PENDING)

    pending.outcome = AuditEvent.Outcome.SUCCESS
    pending.completed_at = timezone.now()
    pending.save()

    assert AuditEvent.objects.get(pk=pending.pk).outcome == "success"
    pending.outcome = AuditEvent.Outcome.FAILED
    with pytest.raises(PermissionError):
        pending.save()
    assert AuditEvent.objects.get(pk=pending.pk).outcome == "success"


def test_deleting_a_staff_account_keeps_their_events_under_their_name(db, make_staff):
    gone = make_staff("gone")
    event("theirs", staff=gone, staff_username="gone")

    gone.delete()

    kept = AuditEvent.objects.get()
    assert kept.staff is None
    assert kept.staff_username == "gone"


# --- the Django admin ----------------------------------------------------------------------------


@pytest.fixture
def superuser_client(db) -> Client:
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x" * 20)
    return signed_in(root)


def test_the_admin_lists_audit_events_but_offers_no_add(superuser_client):
    stored = event("listed", staff_username="alice", reason="TICKET-9")

    listing = superuser_client.get("/admin/orgs/auditevent/")

    assert listing.status_code == 200
    body = text(listing)
    assert f"/admin/orgs/auditevent/{stored.pk}/change/" in body
    assert "alice" in body
    assert "/admin/orgs/auditevent/add/" not in body
    assert 'name="action"' not in body  # no bulk actions, so no bulk delete
    assert superuser_client.get("/admin/orgs/auditevent/add/").status_code == 403
    assert superuser_client.post("/admin/orgs/auditevent/add/", {}).status_code == 403
    assert AuditEvent.objects.count() == 1


def test_the_admin_shows_an_audit_event_read_only(superuser_client):
    stored = event("shown", reason="TICKET-9")
    url = f"/admin/orgs/auditevent/{stored.pk}/change/"

    page = superuser_client.get(url)

    assert page.status_code == 200
    body = text(page)
    assert "TICKET-9" in body
    assert 'name="_save"' not in body
    assert 'name="reason"' not in body  # shown, not an input
    assert f"/admin/orgs/auditevent/{stored.pk}/delete/" not in body

    assert superuser_client.post(url, {"reason": "rewritten"}).status_code == 403
    assert AuditEvent.objects.get(pk=stored.pk).reason == "TICKET-9"


def test_the_admin_refuses_to_delete_an_audit_event(superuser_client):
    stored = event("kept")
    url = f"/admin/orgs/auditevent/{stored.pk}/delete/"

    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    bulk = superuser_client.post(
        "/admin/orgs/auditevent/",
        {"action": "delete_selected", "_selected_action": [stored.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=stored.pk).exists()


def test_staff_without_the_admin_flag_cannot_open_the_admin(client):
    response = client.get("/admin/orgs/auditevent/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_access_is_read_only_in_django_admin(db, make_staff):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123!")
    target = make_staff("target", "Viewer")
    browser = Client()
    browser.force_login(root)

    change = browser.get(f"/admin/orgs/staffaccess/{target.staff_access.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert (
        browser.post(f"/admin/orgs/staffaccess/{target.staff_access.pk}/delete/").status_code == 403
    )
