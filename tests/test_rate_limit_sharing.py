"""Rate limits met by one worker are known to every other (the shared cache): once Auth0 says
an endpoint group is empty until some time, nobody calls it again before then; the page says
so at once, with the time, and other endpoint groups go on working."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from orgs.auth0_mgmt import errors, get_client
from orgs.auth0_mgmt.client import ManagementClient, new_session
from orgs.auth0_mgmt.ratelimits import SharedLimits, group_of
from tests.seeds import ORG_IDS
from tests.view_helpers import HX, hx_messages, one_message

ACME = ORG_IDS["acme"]
MEMBERS_PATH = f"/api/v2/organizations/{ACME}/members"


def another_worker() -> ManagementClient:
    """A second process's client: its own connections and memory, the same shared cache."""
    first = get_client()
    return ManagementClient(
        base_url=first.api_url.removesuffix("/api/v2"),
        tokens=first.tokens,
        session=new_session(),
        limits=SharedLimits(cache),
    )


def empty_members_bucket(emulator) -> None:
    """The members list's bucket holds one request and refills in about a minute."""
    emulator.set_rate_limits(
        preset="off", buckets={"read_organization_members": {"burst": 1, "per_second": 1 / 60}}
    )


def members_calls(emulator) -> int:
    return sum(1 for r in emulator.api_requests() if r["path"] == MEMBERS_PATH)


def test_a_429_met_by_one_worker_stops_the_others_calling(auth0):
    empty_members_bucket(auth0)
    first, second = get_client(), another_worker()
    first.list_members(ACME)
    with pytest.raises(errors.Auth0RateLimited):
        first.list_members(ACME)  # Auth0's 429: the reset is a minute away
    auth0.clear_requests()

    with pytest.raises(errors.Auth0RateLimited) as refused:
        second.list_members(ACME)

    assert members_calls(auth0) == 0  # said at once, without calling Auth0
    assert 30 < refused.value.retry_after <= 61
    assert "did not call it" in refused.value.message
    second.get_organization(ACME)  # another endpoint group is not held back
    assert len(auth0.api_requests()) == 1


def test_the_page_says_so_with_the_time_and_calls_auth0_again_after_the_reset(
    auth0, client, settings
):
    empty_members_bucket(auth0)
    client.get(f"/organizations/{ACME}/")  # takes the bucket's one request
    client.get(f"/organizations/{ACME}/", headers=HX)  # Auth0 answers 429
    auth0.clear_requests()

    response = client.get(f"/organizations/{ACME}/", headers=HX)

    assert response.status_code == 429
    level, message = one_message(hx_messages(response))
    assert level == "error" and "Try again in " in message and "seconds" in message
    assert members_calls(auth0) == 0

    cache.delete("adminportal:auth0-rate-limits")  # as when the reset time has passed
    auth0.set_rate_limits(preset="off")
    assert client.get(f"/organizations/{ACME}/", headers=HX).status_code == 200
    assert members_calls(auth0) == 1


def test_a_reset_within_the_wait_is_retried_not_shared(auth0):
    get_client().limits.note_empty("read_organization_members", 0.0)  # in the past: ignored
    assert get_client().limits.empty_until("read_organization_members") is None
    get_client().list_members(ACME)
    assert members_calls(auth0) == 1


@pytest.mark.parametrize(
    ("method", "segments", "group"),
    [
        ("GET", ("organizations",), "read_organizations"),
        ("GET", ("organizations", "org_1"), "read_organization"),
        ("GET", ("organizations", "name", "acme"), "read_organization_by_name"),
        ("GET", ("organizations", "org_1", "members"), "read_organization_members"),
        ("DELETE", ("organizations", "org_1", "members"), "write_organization_members"),
        ("GET", ("organizations", "o", "members", "u", "roles"), "read_organization_member_roles"),
        (
            "POST",
            ("organizations", "o", "members", "u", "roles"),
            "write_organization_member_roles",
        ),
        ("GET", ("users", "u", "organizations"), "read_user_organizations"),
        ("DELETE", ("users", "u", "roles"), "write_users"),
    ],
)
def test_calls_are_charged_to_auth0s_endpoint_groups(method, segments, group):
    assert group_of(method, segments) == group
