"""Writes: each one audited (before and after the call), permission, reach, input and
guardrails checked first, one Auth0 call each, effects visible to later reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orgs import holders, selectors, services
from orgs.auth0_mgmt import errors, get_client
from orgs.models import AuditEvent, StaffAccess
from orgs.staff.guardrails import GuardrailRefused
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import bigger_seed

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


# --- only members are removed ----------------------------------------------------------------

EVE = USER_IDS["eve"]  # a member of Initech only


@pytest.mark.parametrize(
    "user_ids", [[EVE], [BEN, EVE], [BEN, "auth0|ghost000000000000000001"]], ids=str
)
def test_removing_someone_who_is_not_a_member_is_refused_before_any_write(
    auth0, make_staff, user_ids
):
    acme_desk = make_staff("acme-desk", "Support", all_organizations=False, organization_ids=[ACME])
    auth0.clear_requests()

    with pytest.raises(errors.MemberNotFound, match="not a member"):
        services.members_remove(actor=acme_desk, org_id=ACME, user_ids=user_ids)

    assert writes(auth0) == []
    assert member_ids() == [ANA, BEN, MALLORY]
    assert selectors.user_organizations_list(user_id=EVE)[0].id == ORG_IDS["initech"]
    event = AuditEvent.objects.get()
    assert (event.outcome, event.error_class) == ("failed", "MemberNotFound")
    stranger = user_ids[-1]
    assert event.message.startswith(f"{stranger} is not a member of Acme Corporation")
    # Nothing about who a non-member is reaches the audit trail either.
    recorded = str([event.targets, event.roles_before, event.message])
    assert "Eve Schmidt" not in recorded and "initech" not in recorded.lower()


# --- the protected-role guardrail and the lagging members list -------------------------------

OWNER = ROLE_IDS["org-owner"]


def give_ben_owner(actor) -> None:
    services.member_roles_assign(actor=actor, org_id=ACME, user_id=BEN, role_ids=[OWNER])


def test_a_removed_owner_still_listed_does_not_count_as_a_holder(auth0, admin_staff):
    """Auth0 lists a removed member with their roles for seconds: Ana, just removed, must not
    count as Acme's other org-owner when Ben's role is removed."""
    auth0.set_member_removal_lag(30)
    give_ben_owner(admin_staff)
    services.member_remove(actor=admin_staff, org_id=ACME, user_id=ANA)  # Ben still holds it
    assert ANA in member_ids()  # still listed, as org-owner
    auth0.clear_requests()

    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        services.member_roles_remove(actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[OWNER])
    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        services.members_remove(actor=admin_staff, org_id=ACME, user_ids=[BEN, MALLORY])

    assert writes(auth0) == []
    assert [r.name for r in selectors.member_roles_list(org_id=ACME, user_id=BEN)] == [
        "billing-admin",
        "org-owner",
        "support-agent",
    ]


def test_a_holder_removed_outside_adminportal_does_not_count_while_still_listed(auth0, admin_staff):
    auth0.set_member_removal_lag(30)
    give_ben_owner(admin_staff)
    get_client().remove_members(ACME, [BEN])  # in the Auth0 Dashboard: no audit row here
    assert BEN in member_ids()

    with pytest.raises(GuardrailRefused, match="org-owner"):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=ANA)
    assert writes_of_kind(auth0, "DELETE") == [f"/api/v2/organizations/{ACME}/members"]


def writes_of_kind(emulator, method: str) -> list[str]:
    return [r["path"] for r in emulator.api_requests() if r["method"] == method]


def test_members_removed_through_adminportal_lately_never_count_as_holders(auth0, admin_staff):
    """Even were Auth0 to answer Ben's roles from before: a removal sent in the last minute
    (succeeded, or of unknown outcome) takes him out of the count."""
    give_ben_owner(admin_staff)

    def removal(outcome: str, seconds_ago: float) -> None:
        AuditEvent.objects.create(
            staff_username="elsewhere",
            action=AuditEvent.Action.MEMBERS_REMOVE,
            org_id=ACME,
            targets=[{"user_id": BEN, "label": "Ben Okafor"}],
            outcome=outcome,
            started_at=timezone.now() - timedelta(seconds=seconds_ago),
        )

    removal("failed", 5)  # not removed
    removal("success", 61)  # too long ago to matter
    services.member_roles_assign(
        actor=admin_staff, org_id=ACME, user_id=ANA, role_ids=[ROLE_IDS["viewer"]]
    )
    removal("unknown", 20)
    with pytest.raises(GuardrailRefused, match="org-owner"):
        services.member_roles_remove(actor=admin_staff, org_id=ACME, user_id=ANA, role_ids=[OWNER])
    assert OWNER in {r.id for r in selectors.member_roles_list(org_id=ACME, user_id=ANA)}


def test_the_check_holds_without_stale_events(auth0, admin_staff):
    """The control case: with Ben confirmed as a holder and no recent removal, Ana's role goes."""
    give_ben_owner(admin_staff)
    AuditEvent.objects.create(
        staff_username="elsewhere",
        action=AuditEvent.Action.MEMBERS_REMOVE,
        org_id=ACME,
        targets=[{"user_id": BEN}],
        outcome="success",
        started_at=timezone.now() - timedelta(seconds=61),
    )
    services.member_roles_remove(actor=admin_staff, org_id=ACME, user_id=ANA, role_ids=[OWNER])


def test_a_second_change_of_protected_holders_waits_its_turn(auth0, admin_staff, monkeypatch):
    """Ana and Ben both hold org-owner; two staff members remove one each at the same moment.
    Only one check-and-write runs at a time per organization: the second, arriving while the
    first is writing, is refused; afterwards its retry sees Ana gone and is refused for that."""
    give_ben_owner(admin_staff)
    client = get_client()
    send = client.remove_members
    meanwhile: list[Exception] = []

    def remove_while_another_arrives(org_id, user_ids, **kwargs):
        try:  # another request, while this one holds the lock
            services.member_roles_remove(
                actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[OWNER]
            )
        except GuardrailRefused as exc:
            meanwhile.append(exc)
        return send(org_id, user_ids, **kwargs)

    monkeypatch.setattr(client, "remove_members", remove_while_another_arrives)
    services.member_remove(actor=admin_staff, org_id=ACME, user_id=ANA)
    monkeypatch.setattr(client, "remove_members", send)

    assert [str(e.message) for e in meanwhile] == [
        "Someone else is changing who holds org-owner in this organization right now. "
        "Try again in a moment."
    ]
    assert ANA not in member_ids()
    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        services.member_roles_remove(actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[OWNER])
    outcomes = list(AuditEvent.objects.order_by("id").values_list("action", "outcome"))
    assert outcomes[1:] == [
        ("members_remove", "success"),
        ("member_roles_remove", "refused"),
        ("member_roles_remove", "refused"),
    ]


def test_the_lock_is_released_after_a_failed_write(auth0, admin_staff):
    give_ben_owner(admin_staff)
    auth0.add_fault(method="DELETE", path="/members$", status=503)
    with pytest.raises(errors.Auth0ServerError):
        services.member_remove(actor=admin_staff, org_id=ACME, user_id=ANA)
    services.member_remove(actor=admin_staff, org_id=ACME, user_id=ANA)  # not locked out
    assert ANA not in member_ids()


def test_changes_without_a_protected_role_at_stake_take_no_lock(auth0, admin_staff):
    from django.core.cache import cache

    cache.add(f"adminportal:protected-roles-lock:{ACME}", "someone else", 60)
    services.members_remove(actor=admin_staff, org_id=ACME, user_ids=[BEN, MALLORY])
    with pytest.raises(GuardrailRefused, match="Someone else is changing who holds org-owner"):
        services.member_roles_remove(actor=admin_staff, org_id=ACME, user_id=ANA, role_ids=[OWNER])
    assert member_ids() == [ANA]


def test_a_bulk_removal_reads_the_page_it_was_picked_from_once(auth0, admin_staff):
    """The members to remove come from one read of their page; the other holder of the
    protected role at stake, from adminportal's index, confirmed with one read of their roles:
    no walk of the members list, whatever its size."""
    auth0.reset(seed=bigger_seed(extra_acme_members=250))
    last = "auth0|extra00000000000000000249"  # on the third page of 100
    services.member_roles_assign(actor=admin_staff, org_id=ACME, user_id=last, role_ids=[OWNER])
    holders.reconcile(ACME)
    auth0.clear_requests()

    services.members_remove(
        actor=admin_staff,
        org_id=ACME,
        user_ids=[ANA, MALLORY],
        page=selectors.ListedPage(cursor=None, size=25),
    )

    made = [(r["method"], r["path"]) for r in auth0.api_requests()]
    assert made == [
        ("GET", f"/api/v2/organizations/{ACME}/members"),
        ("GET", f"/api/v2/organizations/{ACME}/members/{last.replace('|', '%7C')}/roles"),
        ("DELETE", f"/api/v2/organizations/{ACME}/members"),
    ]


# --- one's own user, by id first --------------------------------------------------------------


def test_own_user_is_recognised_by_the_sso_subject_too(auth0, make_staff):
    ana_staff = make_staff("ana-staff", "Support", auth0_user_id="auth0|another000000000000001")
    access = StaffAccess.objects.get(user=ana_staff)
    access.oidc_subject = ANA  # signed in with SSO as Ana; an Admin set another id
    access.save()
    ana_staff.refresh_from_db()
    auth0.clear_requests()

    with pytest.raises(GuardrailRefused, match="Ana Lee is your own Auth0 user"):
        services.members_remove(actor=ana_staff, org_id=GLOBEX, user_ids=[USER_IDS["dmitri"], ANA])
    with pytest.raises(GuardrailRefused, match="Ana Lee is your own Auth0 user"):
        services.member_remove(actor=ana_staff, org_id=GLOBEX, user_id=ANA)
    with pytest.raises(GuardrailRefused, match="Ana Lee is your own Auth0 user"):
        services.member_roles_remove(
            actor=ana_staff, org_id=GLOBEX, user_id=ANA, role_ids=[ROLE_IDS["viewer"]]
        )
    assert writes(auth0) == []


def test_own_user_is_refused_even_when_user_search_would_miss_them(auth0, make_staff):
    """User search is eventually consistent (and may time out): the own-user check never
    depends on it. Here search finds nobody, and the removal is refused all the same, by id,
    before anyone is looked up (her user is read only to name her)."""
    ana_staff = make_staff("ana-staff", "Support", auth0_user_id=ANA)
    nobody = {"start": 0, "limit": 50, "length": 0, "users": [], "total": 0}
    auth0.add_fault(method="GET", path=r"/api/v2/users$", status=200, body=nobody, times=0)
    auth0.clear_requests()

    with pytest.raises(GuardrailRefused, match="Ana Lee is your own Auth0 user"):
        services.members_remove(actor=ana_staff, org_id=GLOBEX, user_ids=[USER_IDS["dmitri"], ANA])

    assert writes(auth0) == []
    assert [r["path"] for r in auth0.api_requests()] == [
        f"/api/v2/organizations/{GLOBEX}",
        "/api/v2/users/auth0%7Cana0000000000000000000001",
    ]
    assert ANA in member_ids(GLOBEX)


def test_own_user_is_refused_by_id_when_their_user_cannot_be_read(auth0, make_staff):
    ana_staff = make_staff("ana-staff", "Support", auth0_user_id=ANA)
    auth0.add_fault(method="GET", path=r"/api/v2/users/", status=503, times=0)

    with pytest.raises(GuardrailRefused) as refused:
        services.members_remove(actor=ana_staff, org_id=GLOBEX, user_ids=[USER_IDS["dmitri"], ANA])
    assert refused.value.message.startswith(f"{ANA} is your own Auth0 user")
    auth0.clear_faults()
    assert writes(auth0) == []
    assert AuditEvent.objects.get().outcome == "refused"
