"""Restore a removal of members from the audit trail (issue 11, item 6): the members come back
with the organization roles they held, in one POST for all of them and one POST of roles per
member who had roles (plus one user search, only for a removal over a minute old), audited as
its own action, with the removal's permission, reach and guardrails, once per removal."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from orgs import restorations, services
from orgs.auth0_mgmt import errors, get_client
from orgs.models import AuditEvent
from orgs.restorations import NotRestorable
from orgs.staff.guardrails import GuardrailRefused
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, hx_messages, hx_trigger, members_of, one_message, text, toasts

ACME, GLOBEX = ORG_IDS["acme"], ORG_IDS["globex"]
ANA, BEN, MALLORY = USER_IDS["ana"], USER_IDS["ben"], USER_IDS["mallory"]
CHLOE = USER_IDS["chloe"]
BEN_ROLES = {ROLE_IDS["support-agent"], ROLE_IDS["billing-admin"]}
MEMBERS = f"/organizations/{ACME}/"
BEN_ROLES_PATH = f"/api/v2/organizations/{ACME}/members/{quote(BEN, safe='')}/roles"


def restore_url(event: AuditEvent) -> str:
    return f"/organizations/{event.org_id}/activity/{event.pk}/restore/"


def calls(emulator) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in emulator.api_requests()]


@pytest.fixture
def removal(auth0, admin_staff) -> AuditEvent:
    """Ben (two roles) and Mallory (none) removed from Acme in one bulk removal."""
    event = services.members_remove(
        actor=admin_staff, org_id=ACME, user_ids=[BEN, MALLORY], reason="TICKET-1"
    )
    assert set(members_of(auth0, ACME)) == {ANA}
    auth0.clear_requests()
    return event


@pytest.fixture
def long_ago(monkeypatch) -> None:
    """The removal is older than Auth0's lists lag behind: who is back is asked."""
    monkeypatch.setattr(restorations, "RECENT", timedelta(0))


# --- the service ----------------------------------------------------------------------------


def test_a_removal_records_what_a_restore_needs(removal):
    assert removal.roles_before == {BEN: ["billing-admin", "support-agent"], MALLORY: []}
    assert {r["id"] for r in removal.roles} == BEN_ROLES
    assert [t["email"] for t in removal.targets] == [
        "ben.okafor@acme.example.com",
        "mallory@evil.example.com",
    ]


def test_restore_is_one_post_for_everyone_and_one_per_member_with_roles(
    auth0, admin_staff, removal
):
    event = services.members_restore(
        actor=admin_staff, org_id=ACME, event_id=removal.pk, reason="TICKET-2"
    )

    made = auth0.api_requests()
    assert [(r["method"], r["path"], r["body"]) for r in made] == [
        ("POST", f"/api/v2/organizations/{ACME}/members", {"members": [BEN, MALLORY]}),
        (
            "POST",
            BEN_ROLES_PATH,
            {"roles": [ROLE_IDS["billing-admin"], ROLE_IDS["support-agent"]]},
        ),
    ]
    assert {r["correlation_id"] for r in made} == {event.correlation_id}
    assert members_of(auth0, ACME) == {ANA: {ROLE_IDS["org-owner"]}, BEN: BEN_ROLES, MALLORY: set()}
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "members_restore"
    assert stored.get_action_display() == "Restore members"
    assert stored.outcome == "success"
    assert stored.restores == removal
    assert stored.reason == "TICKET-2"
    assert stored.org_name == "Acme Corporation"
    assert [t["user_id"] for t in stored.targets] == [BEN, MALLORY]
    assert stored.roles_before == {BEN: [], MALLORY: []}
    assert stored.roles_after == {BEN: ["billing-admin", "support-agent"], MALLORY: []}


def test_an_older_removal_asks_once_who_is_back_and_skips_them(
    auth0, admin_staff, removal, long_ago
):
    get_client().add_members(ACME, [MALLORY])  # back already, outside adminportal
    auth0.clear_requests()

    event = services.members_restore(actor=admin_staff, org_id=ACME, event_id=removal.pk)

    assert calls(auth0) == [
        "GET /api/v2/users",
        f"POST /api/v2/organizations/{ACME}/members",
        f"POST {BEN_ROLES_PATH}",
    ]
    assert auth0.api_requests()[1]["body"] == {"members": [BEN]}
    assert event.roles_after == {BEN: ["billing-admin", "support-agent"]}
    assert set(members_of(auth0, ACME)) == {ANA, BEN, MALLORY}


def test_a_removal_recorded_without_role_ids_or_emails_is_restored_by_role_names(
    auth0, admin_staff
):
    get_client().remove_members(ACME, [BEN])
    old = AuditEvent.objects.create(  # as adminportal recorded removals before restores
        staff_username="admin",
        action=AuditEvent.Action.MEMBERS_REMOVE,
        org_id=ACME,
        org_name="Acme Corporation",
        targets=[{"user_id": BEN, "label": "Ben Okafor"}],
        roles_before={BEN: ["billing-admin", "support-agent"]},
        roles_after={BEN: []},
        outcome=AuditEvent.Outcome.SUCCESS,
        completed_at=timezone.now(),
    )

    services.members_restore(actor=admin_staff, org_id=ACME, event_id=old.pk)

    assert members_of(auth0, ACME)[BEN] == BEN_ROLES


def test_a_failed_restore_is_completed_by_trying_again(auth0, admin_staff, removal, long_ago):
    auth0.add_fault(path="/roles$", method="POST", status=500, times=1)

    with pytest.raises(restorations.PartlyRestored) as failed:
        services.members_restore(actor=admin_staff, org_id=ACME, event_id=removal.pk)

    assert failed.value.status == 500 and failed.value.added == [BEN, MALLORY]
    assert failed.value.audit_event.outcome == "failed"
    assert failed.value.audit_event.error_class == "PartlyRestored"
    assert failed.value.audit_event.message == (
        "they are members again, but Ben Okafor did not get their roles back (An internal "
        "server error occurred)."
    )
    assert failed.value.audit_event.roles_after == {BEN: [], MALLORY: []}  # as far as it got
    assert members_of(auth0, ACME)[BEN] == set()
    auth0.clear_requests()

    services.members_restore(actor=admin_staff, org_id=ACME, event_id=removal.pk)

    assert "GET /api/v2/users" not in calls(auth0)  # its own earlier attempt added them
    assert members_of(auth0, ACME)[BEN] == BEN_ROLES


def test_a_restore_whose_roles_call_timed_out_does_not_know_if_they_got_them(
    auth0, admin_staff, removal, settings
):
    settings.AUTH0_TIMEOUT_READ = 0.3
    auth0.add_fault(path="/roles$", method="POST", delay=1.0, times=1)

    with pytest.raises(restorations.PartlyRestored) as failed:
        services.members_restore(actor=admin_staff, org_id=ACME, event_id=removal.pk)

    assert failed.value.audit_event.outcome == "unknown"
    assert "but whether Ben Okafor got their roles back is not known" in failed.value.message


def test_with_htmx_those_back_without_their_roles_are_not_shown_as_being_removed(auth0, client):
    auth0.set_member_removal_lag(30)
    assert client.post(f"{MEMBERS}members/{BEN}/remove/", headers=HX).status_code == 204
    assert "Removing…" in text(client.get(MEMBERS))
    auth0.add_fault(path="/roles$", method="POST", status=500, times=1)

    answer = client.post(restore_url(AuditEvent.objects.get(action="members_remove")), headers=HX)

    assert answer.status_code == 502  # an error answer, whose session changes are kept too
    assert "Removing…" not in text(client.get(MEMBERS))


def refused(auth0, exc_type, **kwargs) -> AuditEvent:
    with pytest.raises(exc_type) as refusal:
        services.members_restore(**kwargs)
    assert [r for r in auth0.api_requests() if r["method"] != "GET"] == []
    return refusal.value.audit_event


def test_a_removal_is_restored_once(auth0, admin_staff, removal):
    services.members_restore(actor=admin_staff, org_id=ACME, event_id=removal.pk)
    auth0.clear_requests()

    again = refused(auth0, NotRestorable, actor=admin_staff, org_id=ACME, event_id=removal.pk)

    assert "already restored, by admin on" in again.message
    assert again.outcome == "refused"
    assert again.restores == removal


def test_a_restore_in_progress_is_not_started_twice(auth0, admin_staff, removal):
    AuditEvent.objects.create(
        staff_username="other", action=AuditEvent.Action.MEMBERS_RESTORE, org_id=ACME,
        restores=removal,
    )  # fmt: skip

    event = refused(auth0, NotRestorable, actor=admin_staff, org_id=ACME, event_id=removal.pk)

    assert "Someone is restoring this removal right now" in event.message


@pytest.mark.parametrize(
    ("outcome", "why"),
    [
        ("refused", "it was refused, so nobody was removed"),
        ("failed", "it failed, so nobody was removed"),
        ("unknown", "its outcome is unknown"),
    ],
)
def test_only_a_successful_removal_is_restored(auth0, admin_staff, outcome, why):
    event = AuditEvent.objects.create(
        staff_username="admin", action=AuditEvent.Action.MEMBERS_REMOVE, org_id=ACME,
        targets=[{"user_id": BEN}], outcome=outcome,
    )  # fmt: skip

    attempt = refused(auth0, NotRestorable, actor=admin_staff, org_id=ACME, event_id=event.pk)

    assert why in attempt.message
    assert attempt.outcome == "refused"


def test_only_a_removal_of_members_of_that_organization_is_restored(auth0, admin_staff, removal):
    roles = services.member_roles_remove(
        actor=admin_staff, org_id=GLOBEX, user_id=ANA, role_ids=[ROLE_IDS["viewer"]]
    )
    auth0.clear_requests()
    for org_id, event_id in [(ACME, roles.pk), (GLOBEX, removal.pk), (ACME, 999_999)]:
        attempt = refused(auth0, NotRestorable, actor=admin_staff, org_id=org_id, event_id=event_id)
        assert "There is no removal of members with that reference here" in attempt.message


def test_restore_needs_the_permission_to_remove_members(auth0, make_staff, removal):
    viewer = make_staff("vera", "Viewer")
    attempt = refused(auth0, GuardrailRefused, actor=viewer, org_id=ACME, event_id=removal.pk)
    assert attempt.message == "Your staff role does not allow you to restore members."


def test_restore_needs_reach_of_the_organization(auth0, make_staff, removal):
    elsewhere = make_staff("sam", "Support", all_organizations=False, organization_ids=[GLOBEX])
    refused(auth0, errors.OrganizationNotFound, actor=elsewhere, org_id=ACME, event_id=removal.pk)
    assert set(members_of(auth0, ACME)) == {ANA}


@pytest.fixture
def admin_removal(auth0, admin_staff) -> AuditEvent:
    """Chloé, an org-admin of Globex (an Admin-only role), removed by an Admin."""
    event = services.member_remove(actor=admin_staff, org_id=GLOBEX, user_id=CHLOE)
    assert CHLOE not in members_of(auth0, GLOBEX)
    auth0.clear_requests()
    return event


def test_only_an_admin_gives_back_an_admin_only_role(auth0, make_staff, admin_staff, admin_removal):
    support = make_staff("sam", "Support", all_organizations=False, organization_ids=[GLOBEX])

    attempt = refused(
        auth0, GuardrailRefused, actor=support, org_id=GLOBEX, event_id=admin_removal.pk
    )

    assert attempt.message == "Only an Admin may assign org-admin. Ask an Admin to do it."
    assert attempt.outcome == "refused"
    assert attempt.restores == admin_removal
    assert CHLOE not in members_of(auth0, GLOBEX)
    services.members_restore(actor=admin_staff, org_id=GLOBEX, event_id=admin_removal.pk)
    assert members_of(auth0, GLOBEX)[CHLOE] == {ROLE_IDS["org-admin"]}


def test_support_is_told_before_confirming_that_an_admin_must_restore(
    auth0, make_staff, admin_removal
):
    support = Client()
    support.force_login(
        make_staff("sam", "Support", all_organizations=False, organization_ids=[GLOBEX])
    )

    answer = support.get(restore_url(admin_removal), headers=HX)
    page = support.get(restore_url(admin_removal), follow=True)

    assert answer.status_code == 403
    said = "Could not restore the removed members: Only an Admin may assign org-admin."
    assert hx_messages(answer)[0][1].startswith(said)
    assert said in text(page)
    assert AuditEvent.objects.filter(action="members_restore").count() == 0  # nothing tried
    assert [r for r in auth0.api_requests() if r["method"] != "GET"] == []


def test_a_role_no_longer_assignable_in_organizations_is_not_given_back(
    auth0, admin_staff, removal, settings
):
    settings.ORGANIZATION_ROLES = ["support-agent"]
    settings.ORGANIZATION_ROLE_PATTERN = ""

    attempt = refused(auth0, GuardrailRefused, actor=admin_staff, org_id=ACME, event_id=removal.pk)

    assert attempt.message.startswith("billing-admin is not an organization role")
    assert BEN not in members_of(auth0, ACME)


@pytest.mark.parametrize(
    "own", [{"auth0_user_id": BEN}, {"email": "Ben.Okafor@acme.example.com"}], ids=str
)
def test_nobody_restores_their_own_auth0_user(auth0, make_staff, removal, own):
    ben = make_staff("ben", "Support", **own)
    attempt = refused(auth0, GuardrailRefused, actor=ben, org_id=ACME, event_id=removal.pk)
    assert "Ben Okafor is your own Auth0 user" in attempt.message


def test_the_reason_rule_applies(auth0, admin_staff, removal, settings):
    settings.REQUIRE_REASON = True
    refused(auth0, errors.InvalidInput, actor=admin_staff, org_id=ACME, event_id=removal.pk)
    services.members_restore(actor=admin_staff, org_id=ACME, event_id=removal.pk, reason="T-3")
    assert set(members_of(auth0, ACME)) == {ANA, BEN, MALLORY}


# --- the pages ------------------------------------------------------------------------------


def test_a_removal_message_offers_restore(auth0, client, no_protected_roles):
    answer = client.post(f"/organizations/{ACME}/members/{BEN}/remove/", headers=HX)

    event = AuditEvent.objects.get(action="members_remove")
    [toast] = hx_trigger(answer)["messages"]
    assert toast["tags"] == "success"
    assert toast["link"] == {"url": restore_url(event), "label": "Restore"}

    plain = client.post(f"/organizations/{ACME}/members/{ANA}/remove/", follow=True)
    event = AuditEvent.objects.filter(action="members_remove").first()
    link = f'<a class="toast-action" href="{restore_url(event)}" hx-get="{restore_url(event)}"'
    assert link in text(plain)
    assert toasts(plain)[0][0] == "success"


def test_the_confirmation_names_who_and_which_roles_and_costs_no_call(auth0, client, removal):
    client.get(MEMBERS)  # the organization is remembered, as after any page
    auth0.clear_requests()

    page = client.get(restore_url(removal), headers=HX)

    assert calls(auth0) == []
    body = text(page)
    assert "Restore 2 members to Acme Corporation?" in body
    assert "<li>Ben Okafor: billing-admin, support-agent</li>" in body
    assert "<li>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory: no roles</li>" in body
    assert "Removed by admin on" in body and "(reason: TICKET-1)" in body
    assert ">Restore 2 members</button>" in body
    assert 'name="reason"' in body


def test_restoring_answers_htmx_with_the_message_and_a_refresh(auth0, client, removal):
    answer = client.post(restore_url(removal), {"reason": "T-4"}, headers=HX)

    assert answer.status_code == 204
    assert {"closeDialog", "membersChanged"} <= set(hx_trigger(answer))
    assert one_message(hx_messages(answer)) == (
        "success",
        'Restored Ben Okafor (billing-admin, support-agent) and <script>alert("x")</script> '
        "Mallory to Acme Corporation.",
    )
    assert set(members_of(auth0, ACME)) == {ANA, BEN, MALLORY}
    assert AuditEvent.objects.get(action="members_restore").reason == "T-4"


def test_without_javascript_the_confirmation_is_a_page_with_a_form(auth0, client, removal):
    page = client.get(restore_url(removal))
    assert page.status_code == 200
    assert f'<form method="post" action="{restore_url(removal)}"' in text(page)

    answer = client.post(restore_url(removal), follow=True)

    assert answer.redirect_chain == [(MEMBERS, 302)]
    assert "Restored Ben Okafor" in toasts(answer)[0][1]


def test_restored_members_are_no_longer_shown_as_being_removed(auth0, client):
    client.post(f"/organizations/{ACME}/members/{BEN}/remove/", headers=HX)
    client.post(restore_url(AuditEvent.objects.get(action="members_remove")), headers=HX)

    assert "Removing…" not in text(client.get(MEMBERS))


def test_a_restore_whose_roles_fail_says_who_is_back_without_them(auth0, client, removal):
    client.get(MEMBERS)  # the page that showed the removal
    auth0.add_fault(path="/roles$", method="POST", status=503, times=1)

    answer = client.post(restore_url(removal), headers=HX)

    assert answer.status_code == 502
    assert {"closeDialog", "membersChanged"} <= set(hx_trigger(answer))
    level, said = one_message(hx_messages(answer))
    assert level == "error"
    assert said.startswith(
        'Could not restore Ben Okafor and <script>alert("x")</script> Mallory to Acme '
        "Corporation completely: they are members again, but Ben Okafor did not get their "
        "roles back ("
    )
    assert "Restore again to give them back; the list has been refreshed." in said
    assert members_of(auth0, ACME)[BEN] == set()
    page = text(client.get(MEMBERS))
    assert "Removing…" not in page  # they are back, if without their roles
    activity = text(client.get(f"/organizations/{ACME}/activity/"))
    assert "They were added back, but not all of their roles" in activity
    assert "Auth0 said" not in activity  # the message is adminportal's, quoting Auth0
    client.post(restore_url(removal), headers=HX)
    assert members_of(auth0, ACME)[BEN] == BEN_ROLES


def test_a_viewer_cannot_restore(auth0, make_staff, removal):
    viewer = Client()
    viewer.force_login(make_staff("vera", "Viewer"))

    assert viewer.get(restore_url(removal)).status_code == 403
    assert viewer.post(restore_url(removal), headers=HX).status_code == 403
    assert set(members_of(auth0, ACME)) == {ANA}
    assert restore_url(removal) not in text(viewer.get(f"/organizations/{ACME}/activity/"))


def test_staff_out_of_reach_get_not_found(auth0, make_staff, removal):
    support = Client()
    support.force_login(
        make_staff("sam", "Support", all_organizations=False, organization_ids=[GLOBEX])
    )

    assert support.get(restore_url(removal)).status_code == 404
    assert support.post(restore_url(removal), headers=HX).status_code == 404
    assert set(members_of(auth0, ACME)) == {ANA}


def test_an_already_restored_removal_is_refused_with_the_reason(auth0, client, removal):
    client.post(restore_url(removal), headers=HX)

    page = client.get(restore_url(removal))
    again = client.post(restore_url(removal), headers=HX)

    assert page.status_code == 400
    assert "This removal was already restored, by admin on" in text(page)
    assert again.status_code == 400
    assert "already restored" in one_message(hx_messages(again))[1]
    assert AuditEvent.objects.filter(action="members_restore", outcome="success").count() == 1


def test_the_restore_post_needs_the_csrf_token(auth0, admin_staff, removal):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_staff)

    assert strict.post(restore_url(removal)).status_code == 403
    assert strict.post(restore_url(removal), headers=HX).status_code == 403
    assert set(members_of(auth0, ACME)) == {ANA}


@pytest.mark.parametrize("activity", [f"/organizations/{ACME}/activity/", "/activity/"])
def test_activity_offers_restore_on_successful_removals_until_restored(
    auth0, client, removal, activity
):
    link = f'href="{restore_url(removal)}"'
    page = text(client.get(activity))
    assert link in page
    assert 'aria-label="Restore Ben Okafor, &lt;script&gt;' in page

    client.post(restore_url(removal), headers=HX)

    page = text(client.get(activity))
    assert link not in page
    assert "Restored</div>" in page
    assert "of the removal of" in page


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]
)
def test_a_message_links_only_to_a_path_of_adminportal(url):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message

    from orgs.message_links import Link, split

    token = f"link:{quote(json.dumps([url, 'Restore']), safe='')}"
    assert split(Message(constants.SUCCESS, "Done.", extra_tags=token)) == ("success", None)
    good = f"link:{quote(json.dumps(['/activity/', 'Open']), safe='')}"
    shown = split(Message(constants.SUCCESS, "Done.", extra_tags=f"sticky {good}"))
    assert shown == ("sticky success", Link("/activity/", "Open"))
