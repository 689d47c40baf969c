"""Writes: each one audited (before and after the call), permission, reach, input and
guardrails checked first, one Auth0 call each, effects visible to later reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orgs import selectors, services
from orgs.auth0_mgmt import errors, get_client
from orgs.guardrails import GuardrailRefused
from orgs.models import AuditEvent
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

ACME, GLOBEX = ORG_IDS["acme"], ORG_IDS["globex"]
ANA, BEN, MALLORY = USER_IDS["ana"], USER_IDS["ben"], USER_IDS["mallory"]


def member_ids(org_id: str = ACME) -> list[str]:
    return [m.user_id for m in selectors.member_list(org_id=org_id)]


def writes(emulator) -> list[dict]:
    return [r for r in emulator.api_requests() if r["method"] != "GET"]


def test_members_remove_is_one_delete_for_many_and_audited(auth0, admin_staff):
    auth0.clear_requests()

    event = services.members_remove(
        actor=admin_staff, org_id=ACME, user_ids=[BEN, MALLORY], reason="TICKET-42"
    )

    assert len(writes(auth0)) == 1
    assert writes(auth0)[0]["body"] == {"members": [BEN, MALLORY]}
    assert writes(auth0)[0]["correlation_id"] == event.correlation_id
    assert member_ids() == [ANA]
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.outcome == "success"
    assert stored.staff == admin_staff
    assert stored.action == "members_remove"
    assert stored.org_name == "Acme Corporation"
    assert stored.reason == "TICKET-42"
    assert [t["label"] for t in stored.targets] == [
        "Ben Okafor",
        '<script>alert("x")</script> Mallory',
    ]
    assert stored.roles_before == {BEN: ["billing-admin", "support-agent"], MALLORY: []}
    assert stored.roles_after == {BEN: [], MALLORY: []}
    assert stored.completed_at >= stored.started_at


def test_member_remove_keeps_the_user_in_the_tenant(auth0, admin_staff):
    services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)
    assert BEN not in member_ids()
    assert selectors.user_get(user_id=BEN).email == "ben.okafor@acme.example.com"


def test_member_roles_assign_and_remove_record_roles_before_and_after(auth0, admin_staff):
    assigned = services.member_roles_assign(
        actor=admin_staff,
        org_id=ACME,
        user_id=ANA,
        role_ids=[ROLE_IDS["viewer"], ROLE_IDS["support-agent"]],
    )
    assert {r.name for r in selectors.member_roles_list(org_id=ACME, user_id=ANA)} == {
        "org-owner",
        "viewer",
        "support-agent",
    }
    assert assigned.roles_before == {ANA: ["org-owner"]}
    assert assigned.roles_after == {ANA: ["org-owner", "support-agent", "viewer"]}
    assert [r["name"] for r in assigned.roles] == ["viewer", "support-agent"]

    removed = services.member_roles_remove(
        actor=admin_staff, org_id=ACME, user_id=ANA, role_ids=[ROLE_IDS["viewer"]]
    )
    assert {r.name for r in selectors.member_roles_list(org_id=ACME, user_id=ANA)} == {
        "org-owner",
        "support-agent",
    }
    assert removed.roles_after == {ANA: ["org-owner", "support-agent"]}


def test_user_roles_remove_leaves_organization_roles_alone(auth0, admin_staff):
    event = services.user_roles_remove(
        actor=admin_staff, user_id=ANA, role_ids=[ROLE_IDS["tenant-admin"]]
    )
    assert [r.name for r in selectors.user_roles_list(user_id=ANA)] == ["beta-tester"]
    assert [r.name for r in selectors.member_roles_list(org_id=ACME, user_id=ANA)] == ["org-owner"]
    assert event.org_id == ""
    assert event.roles_after == {ANA: ["beta-tester"]}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda a: services.members_remove(actor=a, org_id=ACME, user_ids=[]),
            "Choose at least one member",
        ),
        (
            lambda a: services.members_remove(actor=a, org_id=ACME, user_ids=[BEN, BEN]),
            "listed twice",
        ),
        (
            lambda a: services.members_remove(
                actor=a, org_id=ACME, user_ids=[f"auth0|u{i}" for i in range(101)]
            ),
            "At most 100 members",
        ),
        (
            lambda a: services.member_remove(actor=a, org_id="acme", user_id=BEN),
            "is not an organization id",
        ),
        (
            lambda a: services.member_roles_assign(actor=a, org_id=ACME, user_id=BEN, role_ids=[]),
            "at least one role",
        ),
        (
            lambda a: services.member_roles_assign(
                actor=a, org_id=ACME, user_id=BEN, role_ids=["viewer"]
            ),
            "is not a role id",
        ),
        (
            lambda a: services.member_roles_assign(
                actor=a, org_id=ACME, user_id=BEN, role_ids=[f"rol_X{i:015d}" for i in range(101)]
            ),
            "At most 100 roles",
        ),
        (
            lambda a: services.member_roles_remove(
                actor=a, org_id=ACME, user_id="<script>", role_ids=[ROLE_IDS["viewer"]]
            ),
            "is not an Auth0 user id",
        ),
        (
            lambda a: services.user_roles_remove(
                actor=a, user_id=ANA, role_ids=[ROLE_IDS["viewer"], ROLE_IDS["viewer"]]
            ),
            "listed twice",
        ),
    ],
)
def test_bad_input_is_refused_before_any_write_and_audited_as_refused(
    auth0, admin_staff, call, message
):
    auth0.clear_requests()
    with pytest.raises(errors.InvalidInput, match=message):
        call(admin_staff)
    assert writes(auth0) == []
    assert BEN in member_ids()
    event = AuditEvent.objects.get()
    assert event.outcome == "refused"
    assert event.error_class == "InvalidInput"
    assert message.lower() in event.message.lower()


def test_a_required_reason_is_enforced(auth0, admin_staff, settings):
    settings.REQUIRE_REASON = True
    with pytest.raises(errors.InvalidInput, match="Give a reason"):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN, reason="  ")
    services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN, reason="INC-7")
    assert list(AuditEvent.objects.values_list("outcome", "reason")) == [
        ("success", "INC-7"),
        ("refused", "  "),
    ]


def test_an_auth0_failure_is_audited_with_its_class_status_code_and_message(auth0, admin_staff):
    auth0.add_fault(
        method="DELETE",
        path="/members$",
        status=403,
        body={
            "statusCode": 403,
            "error": "Forbidden",
            "message": "Insufficient scope, expected any of: delete:organization_members",
            "errorCode": "insufficient_scope",
        },
    )
    with pytest.raises(errors.InsufficientScope):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)
    event = AuditEvent.objects.get()
    assert (event.outcome, event.error_class, event.status, event.error_code) == (
        "failed",
        "InsufficientScope",
        403,
        "insufficient_scope",
    )
    assert "delete:organization_members" in event.message
    assert event.correlation_id == writes(auth0)[0]["correlation_id"]


def test_a_timed_out_write_is_an_unknown_outcome(auth0, admin_staff, settings):
    settings.AUTH0_TIMEOUT_READ = 0.3
    get_client().get_organization(ACME)
    auth0.add_fault(method="DELETE", path="/members$", delay=1.0)
    with pytest.raises(errors.Auth0Timeout):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)
    assert AuditEvent.objects.get().outcome == "unknown"


def test_a_crash_during_the_call_leaves_a_pending_row_that_reads_as_unknown(
    auth0, admin_staff, monkeypatch
):
    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the worker dies between the audit row and the answer

    monkeypatch.setattr(get_client(), "remove_members", crash)
    with pytest.raises(KeyboardInterrupt):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)

    event = AuditEvent.objects.get()
    assert event.outcome == "pending"
    assert event.org_name == "Acme Corporation"  # what was known before the call is kept
    assert event.shown_outcome == "pending"
    later = timezone.now() + timedelta(minutes=3)
    monkeypatch.setattr("orgs.models.timezone.now", lambda: later)
    assert event.shown_outcome == "unknown"


# --- guardrails ------------------------------------------------------------------------------


def test_staff_cannot_change_their_own_auth0_user(auth0, make_staff):
    ana_staff = make_staff("ana-staff", "Support", auth0_user_id=ANA)
    auth0.clear_requests()
    with pytest.raises(GuardrailRefused, match="your own Auth0 user"):
        services.member_roles_assign(
            actor=ana_staff, org_id=GLOBEX, user_id=ANA, role_ids=[ROLE_IDS["support-agent"]]
        )
    with pytest.raises(GuardrailRefused, match="your own Auth0 user"):
        services.members_remove(actor=ana_staff, org_id=GLOBEX, user_ids=[USER_IDS["dmitri"], ANA])
    assert writes(auth0) == []
    assert set(AuditEvent.objects.values_list("outcome", flat=True)) == {"refused"}


def test_own_user_is_also_recognised_by_email(auth0, make_staff):
    ben_staff = make_staff("ben-staff", "Support", email="Ben.Okafor@acme.example.com")
    with pytest.raises(GuardrailRefused):
        services.member_remove(actor=ben_staff, org_id=ACME, user_id=BEN)


def test_a_protected_role_cannot_leave_its_last_holder(auth0, admin_staff):
    auth0.clear_requests()
    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        services.member_roles_remove(
            actor=admin_staff, org_id=ACME, user_id=ANA, role_ids=[ROLE_IDS["org-owner"]]
        )
    with pytest.raises(GuardrailRefused, match="org-owner"):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=ANA)
    assert writes(auth0) == []

    services.member_roles_assign(
        actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["org-owner"]]
    )
    services.member_roles_remove(
        actor=admin_staff, org_id=ACME, user_id=ANA, role_ids=[ROLE_IDS["org-owner"]]
    )
    assert [r.name for r in selectors.member_roles_list(org_id=ACME, user_id=ANA)] == []


def test_removing_every_holder_at_once_is_refused_too(auth0, admin_staff):
    services.member_roles_assign(
        actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["org-owner"]]
    )
    with pytest.raises(GuardrailRefused):
        services.members_remove(actor=admin_staff, org_id=ACME, user_ids=[ANA, BEN])
    services.members_remove(actor=admin_staff, org_id=ACME, user_ids=[ANA])  # Ben still holds it


def test_support_cannot_assign_admin_only_roles(auth0, make_staff, admin_staff):
    support = make_staff("support", "Support")
    with pytest.raises(GuardrailRefused, match="Only an Admin may assign org-owner"):
        services.member_roles_assign(
            actor=support, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["org-owner"]]
        )
    services.member_roles_assign(
        actor=support, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["viewer"]]
    )
    services.member_roles_assign(
        actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["org-owner"]]
    )


@pytest.mark.parametrize(
    ("role", "call"),
    [
        ("Viewer", lambda a: services.member_remove(actor=a, org_id=ACME, user_id=BEN)),
        (
            "Viewer",
            lambda a: services.member_roles_assign(
                actor=a, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["viewer"]]
            ),
        ),
        (
            "Support",
            lambda a: services.user_roles_remove(
                actor=a, user_id=ANA, role_ids=[ROLE_IDS["tenant-admin"]]
            ),
        ),
    ],
)
def test_roles_without_the_permission_are_refused(auth0, make_staff, role, call):
    with pytest.raises(GuardrailRefused, match="Your staff role does not allow"):
        call(make_staff("someone", role))
    assert writes(auth0) == []
    assert AuditEvent.objects.get().outcome == "refused"


def test_an_organization_out_of_reach_is_not_found(auth0, make_staff):
    eu_support = make_staff("eu", "Support", all_organizations=False, organization_rule="region=eu")
    with pytest.raises(errors.OrganizationNotFound):
        services.member_remove(actor=eu_support, org_id=ACME, user_id=BEN)  # acme is us
    services.member_remove(actor=eu_support, org_id=GLOBEX, user_id=USER_IDS["dmitri"])


def test_tenant_wide_roles_of_a_user_out_of_reach_are_not_found(auth0, make_staff):
    scoped_admin = make_staff(
        "scoped", "Admin", all_organizations=False, organization_ids=[ORG_IDS["initech"]]
    )
    with pytest.raises(errors.UserNotFound):
        services.user_roles_remove(
            actor=scoped_admin, user_id=ANA, role_ids=[ROLE_IDS["tenant-admin"]]
        )
    services.user_roles_remove(
        actor=scoped_admin, user_id=USER_IDS["eve"], role_ids=[ROLE_IDS["beta-tester"]]
    )


@pytest.mark.parametrize(
    ("fault", "error", "outcome"),
    [
        ({"status": 503}, errors.Auth0ServerError, "failed"),
        (
            {"status": 502, "raw_body": "<html>Bad gateway</html>"},
            errors.Auth0ServerError,
            "failed",
        ),
        ({"drop": True}, errors.Auth0Unreachable, "unknown"),
        (
            {
                "status": 404,
                "body": {
                    "statusCode": 404,
                    "error": "Not Found",
                    "message": "No organization found by that id or name",
                },
            },
            errors.OrganizationNotFound,
            "failed",
        ),
    ],
)
def test_each_failure_class_is_audited(auth0, admin_staff, fault, error, outcome):
    auth0.add_fault(method="DELETE", path="/members$", **fault)
    with pytest.raises(error):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)
    event = AuditEvent.objects.get()
    assert (event.outcome, event.error_class) == (outcome, error.__name__)
    assert event.completed_at is not None


def test_an_unreachable_tenant_is_audited_as_failed_with_nothing_sent(auth0, admin_staff, settings):
    selectors.organization_get(org_id=ACME)  # reads work; then Auth0 goes away
    settings.AUTH0_BASE_URL = "http://127.0.0.1:9"
    with pytest.raises(errors.Auth0Unreachable):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)
    event = AuditEvent.objects.get()
    assert (event.outcome, event.error_class) == ("failed", "Auth0Unreachable")
