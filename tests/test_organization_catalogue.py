"""The organization catalogue: every organization of the tenant (no 1,000 cap), walked once for
every worker, and served stale while one worker reads it again in the background."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.test import Client

from orgs import remembered, selectors
from orgs.remembered import remember
from tests.seeds import small_seed
from tests.view_helpers import HX, text

BIG = 5100
LIST = "/organizations/"
ORGS_PATH = "/api/v2/organizations"
WAIT = 30  # seconds: the longest a test waits for a background rebuild (never a pause)


def big_seed() -> dict[str, Any]:
    """The small tenant, then 5,100 more organizations (org-0000…): odd ones in the EU."""
    seed = small_seed()
    seed["organizations"] += [
        {
            "name": f"org-{i:04d}",
            "display_name": f"Org {i:04d}",
            "metadata": {"region": "eu" if i % 2 else "us"},
        }
        for i in range(BIG)
    ]
    return seed


def walk_calls(emulator) -> int:
    """How many organization-list calls the emulator served."""
    return sum(1 for r in emulator.api_requests() if r["path"] == ORGS_PATH)


def org_ids_in(response) -> list[str]:
    return re.findall(r"<td><code>(org_\w+)</code></td>", text(response))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def big_tenant(auth0):
    """The big tenant loaded; its organizations' ids by name."""
    auth0.load_seed(big_seed())
    auth0.clear_requests()
    return {o["name"]: o["id"] for o in auth0.state()["organizations"]}


@pytest.fixture
def shared_memory_cache(settings):
    """A cache that threads share without a database connection (a background rebuild writes
    to it from its own thread; the test database's open transaction is this thread's)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "organization-catalogue-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield cache
    assert remembered.wait_for_refreshes(WAIT)
    cache.clear()


# --- every organization -----------------------------------------------------------------------


def test_search_finds_an_organization_past_the_1000th(big_tenant, client):
    response = client.get(LIST, {"q": "org-4321"}, headers=HX)

    assert org_ids_in(response) == [big_tenant["org-4321"]]
    assert "Page 1 of 1 · 1 organization" in text(response)
    assert "Searched every organization as Auth0 listed them at" in text(response)
    assert "first 1,000" not in text(response)

    last = client.get(LIST, {"q": "org-5099"}, headers=HX)
    assert org_ids_in(last) == [big_tenant["org-5099"]]
    everything = client.get(LIST, {"q": "org-", "per_page": 10}, headers=HX)
    assert f"Page 1 of {BIG // 10} · {BIG} organizations" in text(everything)


def test_a_scoped_admin_with_a_metadata_rule_sees_matching_organizations_past_the_1000th(
    big_tenant, make_staff
):
    eu_admin = signed_in(
        make_staff("eu-admin", "Admin", all_organizations=False, organization_rule="region=eu")
    )

    listed = eu_admin.get(LIST, {"per_page": 10}, headers=HX)
    eu_total = BIG // 2 + 2  # the odd ones, and Globex and Initech of the small tenant
    assert f"· {eu_total} organizations" in text(listed)

    past = eu_admin.get(LIST, {"q": "org-43"}, headers=HX)
    names = re.findall(r"<td>(org-\d{4})</td>", text(past))
    assert names and all(int(name[-4:]) % 2 == 1 for name in names)  # EU ones only
    assert "org-4321" in names and "org-4320" not in names
    assert len(names) == 25 and "· 50 organizations" in text(past)  # org-4301 … org-4399

    # Their organization pages follow the same rule.
    assert eu_admin.get(f"/organizations/{big_tenant['org-4321']}/").status_code == 200
    assert eu_admin.get(f"/organizations/{big_tenant['org-4320']}/").status_code == 404


def test_activity_of_a_scoped_staff_member_reaches_organizations_past_the_1000th(
    big_tenant, make_staff
):
    from orgs.models import AuditEvent
    from orgs.views.activity import visible_events

    viewer = make_staff(
        "eu-viewer", "Viewer", all_organizations=False, organization_rule="region=eu"
    )
    for name in ("org-4321", "org-4320"):
        AuditEvent.objects.create(
            staff_username="someone",
            action=AuditEvent.Action.MEMBERS_REMOVE,
            org_id=big_tenant[name],
            outcome=AuditEvent.Outcome.SUCCESS,
        )

    assert set(visible_events(viewer).values_list("org_id", flat=True)) == {big_tenant["org-4321"]}


# --- one walk ----------------------------------------------------------------------------------


def test_the_catalogue_is_walked_once_for_every_search_and_every_staff_member(
    big_tenant, auth0, client, make_staff
):
    eu_viewer = signed_in(
        make_staff("eu-viewer", "Viewer", all_organizations=False, organization_rule="region=eu")
    )

    client.get(LIST, {"q": "org-1"}, headers=HX)
    pages = walk_calls(auth0)
    assert pages == -(-(BIG + 3) // 100)  # take=100 checkpoint pages, to the last one

    client.get(LIST, {"q": "org-2"})
    client.get(LIST, {"q": "org-3", "sort": "display_name:-1", "page": 2}, headers=HX)
    eu_viewer.get(LIST)
    eu_viewer.get(LIST, {"q": "org-4"}, headers=HX)
    assert walk_calls(auth0) == pages  # served from the cache: no second walk


def test_a_catalogue_another_worker_is_walking_is_waited_for_not_walked_again(auth0, monkeypatch):
    from django.core.cache import cache

    key = selectors.ORG_CATALOGUE_KEY
    built_elsewhere = selectors.organization_catalogue()
    remembered.forget(key)
    cache.add(f"{key}:building", "another worker")  # another worker is walking
    waits: list[float] = []

    def another_worker_finishes(seconds: float) -> None:  # while this one waits for it
        waits.append(seconds)
        if len(waits) == 3:
            remembered._store(key, built_elsewhere, 60, 600)
            remembered._memory.clear()  # stored by another process

    monkeypatch.setattr(remembered, "_pause", another_worker_finishes)
    auth0.clear_requests()

    assert selectors.organization_catalogue() == built_elsewhere
    assert len(waits) == 3
    assert walk_calls(auth0) == 0
    assert cache.get(f"{key}:building") == "another worker"  # theirs, left alone


# --- stale while revalidate -------------------------------------------------------------------


def make_stale(key: str) -> None:
    from django.core.cache import cache

    cache.delete(f"{key}:fresh")


def test_a_stale_value_is_served_at_once_while_one_worker_rebuilds_it(shared_memory_cache):
    cache = shared_memory_cache
    assert remember("test:stale", 60, lambda: "first", keep=600) == "first"
    make_stale("test:stale")

    started, go = threading.Event(), threading.Event()
    builds: list[int] = []

    def slow_build() -> str:
        builds.append(1)
        started.set()
        assert go.wait(WAIT)
        return "second"

    assert remember("test:stale", 60, slow_build, keep=600) == "first"  # at once
    assert started.wait(WAIT)  # the rebuild runs, in the background
    for _ in range(5):  # every other request, in this worker or another
        assert remember("test:stale", 60, slow_build, keep=600) == "first"
    assert builds == [1]  # one rebuild for all of them
    assert cache.get("test:stale:building")  # under the lock

    go.set()
    assert remembered.wait_for_refreshes(WAIT)
    assert remember("test:stale", 60, slow_build, keep=600) == "second"
    assert builds == [1]
    assert cache.get("test:stale:building") is None  # the lock is let go


def test_a_stale_value_being_rebuilt_by_another_worker_is_served_without_a_build(
    shared_memory_cache,
):
    cache = shared_memory_cache
    remember("test:elsewhere", 60, lambda: "first", keep=600)
    make_stale("test:elsewhere")
    cache.add("test:elsewhere:building", "another worker", 60)

    def never() -> str:
        raise AssertionError("built while another worker rebuilds it")

    assert remember("test:elsewhere", 60, never, keep=600) == "first"
    assert remembered.wait_for_refreshes(WAIT)
    assert cache.get("test:elsewhere:building") == "another worker"


def test_a_failed_rebuild_keeps_the_stale_value_and_is_not_retried_by_every_request(
    shared_memory_cache,
):
    cache = shared_memory_cache
    remember("test:failing", 60, lambda: "first", keep=600)
    make_stale("test:failing")
    attempts: list[int] = []

    def failing() -> str:
        attempts.append(1)
        raise RuntimeError("Auth0 answered 429")

    assert remember("test:failing", 60, failing, keep=600) == "first"
    assert remembered.wait_for_refreshes(WAIT)
    for _ in range(3):
        assert remember("test:failing", 60, failing, keep=600) == "first"
    assert remembered.wait_for_refreshes(WAIT)
    assert attempts == [1]  # retried once RETRY_AFTER_FAILURE has passed, not at once
    assert cache.get("test:failing:building")


def test_a_value_past_its_hard_expiry_is_built_on_the_request(shared_memory_cache):
    cache = shared_memory_cache
    remember("test:expired", 60, lambda: "first", keep=600)
    cache.delete_many(["test:expired", "test:expired:stamp"])  # gone from the cache
    assert remember("test:expired", 60, lambda: "second", keep=600) == "second"


def test_each_worker_loads_a_catalogue_from_the_cache_again_only_once_it_was_rebuilt(
    shared_memory_cache,
):
    remember("test:memory", 60, lambda: ["first"], keep=600)
    one = remember("test:memory", 60, lambda: ["unused"], keep=600)
    assert remember("test:memory", 60, lambda: ["unused"], keep=600) is one  # kept in memory

    remembered._memory.clear()  # another worker process: nothing in its memory yet
    another = remember("test:memory", 60, lambda: ["unused"], keep=600)
    assert another == ["first"] and another is not one

    remembered.forget("test:memory")
    assert remember("test:memory", 60, lambda: ["rebuilt"], keep=600) == ["rebuilt"]


def test_a_stale_catalogue_is_served_while_one_walk_reads_the_new_one(
    shared_memory_cache, auth0, client
):
    client.get(LIST, {"q": "newco"}, headers=HX)  # builds the catalogue: no Newco yet
    seed = small_seed()
    seed["organizations"].append({"name": "newco", "display_name": "Newco"})
    auth0.load_seed(seed)
    make_stale(selectors.ORG_CATALOGUE_KEY)
    auth0.clear_requests()

    stale = client.get(LIST, {"q": "newco"}, headers=HX)
    assert "No organization matches “newco”." in text(stale)  # served at once, as it was
    assert remembered.wait_for_refreshes(WAIT)
    walked = walk_calls(auth0)
    assert walked == 1  # one walk, in the background

    fresh = client.get(LIST, {"q": "newco"}, headers=HX)
    assert len(org_ids_in(fresh)) == 1
    assert walk_calls(auth0) == walked


# --- reach over the whole catalogue ----------------------------------------------------------


def test_reach_of_answers_as_reaches_for_every_organization(make_staff):
    from django.contrib.auth import get_user_model

    from orgs.auth0_mgmt import Organization
    from orgs.staff.access import reach_of, reaches

    organizations = [
        Organization(id="org_a", name="a", metadata={"region": "eu", "plan": "pro"}),
        Organization(id="org_b", name="b", metadata={"region": "eu"}),
        Organization(id="org_c", name="c", metadata={"region": "us", "plan": "pro"}),
        Organization(id="org_d", name="d", metadata={}),
    ]
    nobody = get_user_model().objects.create_user("no-role", password="pw-for-tests-only")
    staff = [
        make_staff("everything", "Viewer"),
        make_staff("listed", "Support", all_organizations=False, organization_ids=["org_c"]),
        make_staff("eu", "Admin", all_organizations=False, organization_rule="region=eu"),
        make_staff(
            "eu-pro",
            "Viewer",
            all_organizations=False,
            organization_ids=["org_d"],
            organization_rule="region=eu, plan=pro",
        ),
        make_staff("none", "Viewer", all_organizations=False),
        nobody,  # no role and no reach recorded
    ]
    for person in staff:
        reach = reach_of(person)
        assert [reach(o) for o in organizations] == [reaches(person, o) for o in organizations]
    assert [reach_of(staff[3])(o) for o in organizations] == [True, False, False, True]
