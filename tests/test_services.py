"""Writes: input checked first, one call each, effects visible to later reads."""

import pytest

from orgs import selectors, services
from orgs.auth0_mgmt import errors
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

ACME = ORG_IDS["acme"]
ANA, BEN, MALLORY = USER_IDS["ana"], USER_IDS["ben"], USER_IDS["mallory"]


def member_ids() -> list[str]:
    return [m.user_id for m in selectors.member_list(org_id=ACME)]


def test_members_remove_is_one_delete_for_many(auth0):
    auth0.clear_requests()

    services.members_remove(org_id=ACME, user_ids=[BEN, MALLORY])

    writes = [r for r in auth0.api_requests() if r["method"] == "DELETE"]
    assert len(writes) == 1
    assert writes[0]["body"] == {"members": [BEN, MALLORY]}
    assert member_ids() == [ANA]


def test_member_remove_keeps_the_user_in_the_tenant(auth0):
    services.member_remove(org_id=ACME, user_id=BEN)
    assert BEN not in member_ids()
    assert selectors.user_get(user_id=BEN).email == "ben.okafor@acme.example.com"


def test_member_roles_assign_and_remove(auth0):
    services.member_roles_assign(
        org_id=ACME, user_id=ANA, role_ids=[ROLE_IDS["viewer"], ROLE_IDS["support-agent"]]
    )
    assert {r.name for r in selectors.member_roles_list(org_id=ACME, user_id=ANA)} == {
        "org-owner",
        "viewer",
        "support-agent",
    }

    services.member_roles_remove(org_id=ACME, user_id=ANA, role_ids=[ROLE_IDS["org-owner"]])
    assert {r.name for r in selectors.member_roles_list(org_id=ACME, user_id=ANA)} == {
        "viewer",
        "support-agent",
    }


def test_user_roles_remove_leaves_organization_roles_alone(auth0):
    services.user_roles_remove(user_id=ANA, role_ids=[ROLE_IDS["tenant-admin"]])
    assert [r.name for r in selectors.user_roles_list(user_id=ANA)] == ["beta-tester"]
    assert [r.name for r in selectors.member_roles_list(org_id=ACME, user_id=ANA)] == ["org-owner"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: services.members_remove(org_id=ACME, user_ids=[]), "Choose at least one member"),
        (lambda: services.members_remove(org_id=ACME, user_ids=[BEN, BEN]), "listed twice"),
        (
            lambda: services.members_remove(
                org_id=ACME, user_ids=[f"auth0|u{i}" for i in range(101)]
            ),
            "At most 100 members",
        ),
        (lambda: services.member_remove(org_id="acme", user_id=BEN), "is not an organization id"),
        (
            lambda: services.member_roles_assign(org_id=ACME, user_id=BEN, role_ids=[]),
            "at least one role",
        ),
        (
            lambda: services.member_roles_assign(org_id=ACME, user_id=BEN, role_ids=["viewer"]),
            "is not a role id",
        ),
        (
            lambda: services.member_roles_assign(
                org_id=ACME, user_id=BEN, role_ids=[f"rol_X{i:015d}" for i in range(101)]
            ),
            "At most 100 roles",
        ),
        (
            lambda: services.member_roles_remove(
                org_id=ACME, user_id="<script>", role_ids=[ROLE_IDS["viewer"]]
            ),
            "is not an Auth0 user id",
        ),
        (
            lambda: services.user_roles_remove(
                user_id=ANA, role_ids=[ROLE_IDS["viewer"], ROLE_IDS["viewer"]]
            ),
            "listed twice",
        ),
    ],
)
def test_bad_input_is_refused_before_calling_auth0(auth0, call, message):
    auth0.clear_requests()
    with pytest.raises(errors.InvalidInput, match=message):
        call()
    assert auth0.api_requests() == []
    assert BEN in member_ids()
