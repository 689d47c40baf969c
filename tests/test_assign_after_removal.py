"""A role assigned a moment after another worker removed the member (issue 10, item 11): the
service reads membership again (the removal dropped the member page's remembered read before
its DELETE), so the assignment is refused as for a non-member, never reported or audited as a
success, and nothing is written to Auth0."""

from __future__ import annotations

import pytest

from orgs import services
from orgs.auth0_mgmt import errors
from orgs.models import AuditEvent
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, hx_messages, one_message

ACME, BEN = ORG_IDS["acme"], USER_IDS["ben"]
BEN_PAGE = f"/organizations/{ACME}/members/{BEN}/"


def test_an_assignment_after_another_workers_removal_is_not_a_success(auth0, client, make_staff):
    assert client.get(BEN_PAGE).status_code == 200  # the page remembers Ben as a member
    services.member_remove(actor=make_staff("other-admin"), org_id=ACME, user_id=BEN)
    auth0.clear_requests()

    response = client.post(BEN_PAGE, {"roles": [ROLE_IDS["viewer"]]}, headers=HX)

    level, message = one_message(hx_messages(response))
    assert level in ("warning", "error") and "Added" not in message
    assert "not a member" in message or "no longer" in message, message
    writes = [r for r in auth0.api_requests() if r["method"] != "GET"]
    assert writes == []
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.MEMBER_ROLES_ASSIGN, outcome=AuditEvent.Outcome.SUCCESS
    ).exists()


def test_the_service_reads_membership_again_after_another_workers_removal(
    auth0, client, admin_staff, make_staff
):
    assert client.get(BEN_PAGE).status_code == 200
    services.member_remove(actor=make_staff("other-admin"), org_id=ACME, user_id=BEN)

    with pytest.raises(errors.MemberNotFound):
        services.member_roles_assign(
            actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["viewer"]]
        )
    assign = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_ROLES_ASSIGN)
    assert assign.outcome == AuditEvent.Outcome.FAILED
