"""Reads for the views: typed values, few calls, input checked before anything is sent."""

import pytest

from orgs import selectors
from orgs.auth0_mgmt import errors
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

ACME = ORG_IDS["acme"]


def test_organization_list_is_one_sorted_offset_page(auth0):
    page = selectors.organization_list(page=0, per_page=2, sort="name:-1")
    assert [o.name for o in page] == ["initech", "globex"]
    assert page.total == 3
    assert len(auth0.api_requests()) == 1


@pytest.mark.parametrize("value", [ACME, "acme", "  acme  "])
def test_organization_find_by_id_or_name(auth0, value):
    assert selectors.organization_find(id_or_name=value).id == ACME


@pytest.mark.parametrize("value", ["org_Nope000000000001", "nope", "", "x" * 51])
def test_organization_find_of_nothing_is_organization_not_found(auth0, value):
    with pytest.raises(errors.OrganizationNotFound):
        selectors.organization_find(id_or_name=value)


def test_member_list_is_one_call_per_page_with_roles(auth0):
    auth0.clear_requests()
    first = selectors.member_list(org_id=ACME, take=2)
    second = selectors.member_list(org_id=ACME, cursor=first.next_cursor, take=2)

    assert len(auth0.api_requests()) == 2
    assert [m.user_id for m in first] == [USER_IDS["ana"], USER_IDS["ben"]]
    assert [m.user_id for m in second] == [USER_IDS["mallory"]]
    assert first.items[0].roles[0].name == "org-owner"
    query = auth0.api_requests()[0]["query"]
    assert "fields=user_id%2Cemail%2Cpicture%2Cname%2Croles" in query


def test_member_get_gives_user_and_roles_in_that_organization(auth0):
    globex = selectors.organization_get(org_id=ORG_IDS["globex"])
    detail = selectors.member_get(organization=globex, user_id=USER_IDS["ana"])
    assert detail.user.email == "ana.lee@acme.example.com"
    assert detail.organization.name == "globex"
    assert [r.name for r in detail.roles] == ["viewer"]


def test_member_get_of_a_non_member_or_unknown_user_is_member_not_found(auth0):
    acme = selectors.organization_get(org_id=ACME)
    # Named by the id given only: who a non-member is does not show.
    with pytest.raises(errors.MemberNotFound) as raised:
        selectors.member_get(organization=acme, user_id=USER_IDS["eve"])
    assert raised.value.message == f"{USER_IDS['eve']} is not a member of Acme Corporation."
    with pytest.raises(errors.MemberNotFound):
        selectors.member_get(organization=acme, user_id="auth0|nobody")


def test_members_by_id_keeps_only_members_and_stops_once_all_are_seen(auth0):
    auth0.clear_requests()
    found = selectors.members_by_id(
        org_id=ACME, user_ids=[USER_IDS["ben"], USER_IDS["eve"], "auth0|nobody"]
    )
    assert list(found) == [USER_IDS["ben"]]  # Eve belongs to Initech only
    assert found[USER_IDS["ben"]].label == "Ben Okafor"
    assert [r.name for r in found[USER_IDS["ben"]].roles] == ["billing-admin", "support-agent"]
    # The members list only (no user search, no user lookups), to its end as not all are seen.
    assert {r["path"] for r in auth0.api_requests()} == {f"/api/v2/organizations/{ACME}/members"}

    auth0.clear_requests()
    assert list(selectors.members_by_id(org_id=ACME, user_ids=[USER_IDS["ben"]])) == [
        USER_IDS["ben"]
    ]
    assert len(auth0.api_requests()) == 1


def test_role_list_is_the_whole_catalogue_and_cached(auth0):
    from tests.seeds import small_seed

    seed = small_seed()
    seed["roles"] += [
        {"id": f"rol_More{index:012d}", "name": f"more-{index:03d}"} for index in range(120)
    ]
    auth0.load_seed(seed)
    auth0.clear_requests()

    first = selectors.role_list()
    second = selectors.role_list()

    assert len(first) == 127
    assert first == second
    assert [r.name for r in first[:2]] == ["beta-tester", "billing-admin"]
    assert len(auth0.api_requests()) == 3  # pages of 50, then served from the cache


def test_user_roles_list_is_tenant_wide_roles_only(auth0):
    names = [r.name for r in selectors.user_roles_list(user_id=USER_IDS["ana"])]
    assert names == ["beta-tester", "tenant-admin"]


def test_member_roles_list(auth0):
    roles = selectors.member_roles_list(org_id=ACME, user_id=USER_IDS["ben"])
    assert [r.id for r in roles] == [ROLE_IDS["billing-admin"], ROLE_IDS["support-agent"]]


@pytest.mark.parametrize(
    "call",
    [
        lambda: selectors.organization_get(org_id="../../users"),
        lambda: selectors.member_list(org_id="org_x?y"),
        lambda: selectors.members_by_id(org_id=ACME, user_ids=["no-pipe"]),
        lambda: selectors.user_get(user_id="auth0|bad\x00byte"),
        lambda: selectors.user_roles_list(user_id=""),
    ],
)
def test_malformed_ids_are_refused_before_any_call(auth0, call):
    auth0.clear_requests()
    with pytest.raises(errors.InvalidInput):
        call()
    assert auth0.api_requests() == []


def test_a_catalogue_being_built_by_another_worker_is_waited_for_not_rebuilt(auth0):
    from django.core.cache import cache

    from orgs.remembered import remember

    cache.add("adminportal:test-catalogue:building", True)  # another worker is building it
    cache.set("adminportal:test-catalogue", ("built elsewhere",), 60)
    assert remember("adminportal:test-catalogue", 60, lambda: ("built here",)) == (
        "built elsewhere",
    )

    cache.delete("adminportal:test-catalogue")
    cache.delete("adminportal:test-catalogue:building")
    assert remember("adminportal:test-catalogue", 60, lambda: ("built here",)) == ("built here",)
    assert cache.get("adminportal:test-catalogue:building") is None  # the lock is let go
