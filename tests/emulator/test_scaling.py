"""The emulator at scale: members kept in order (walks by cursor and by page see every member
once, in creation order, while members come and go), lagging removals, the bounded request log,
the uniqueness indexes after deletes, and compact generated members. No timings here: the
times are bench/emulator_scale.py's."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests

from emulator import Emulator, serve_in_thread
from emulator.control_client import ControlClient
from emulator.seeds import DEMO_CLIENTS, generated_member
from tests.seeds import ORG_IDS, USER_IDS

BIG = "org_Big0000000000001"
BIG_NAME = "big"
SIZE = 2500
ROLES = {
    "owner": "rol_ScaleOwner000001",
    "viewer": "rol_ScaleViewer00001",
    "editor": "rol_ScaleEditor00001",
}
FIRST = [f"auth0|first{index:019d}" for index in range(3)]
FIRST_ROLES = [[ROLES["owner"]], [], [ROLES["editor"], ROLES["viewer"]]]


def big_seed(size: int = SIZE) -> dict:
    """Three listed members (with their own roles), then `size` generated ones (viewer)."""
    return {
        "clients": DEMO_CLIENTS,
        "roles": [{"id": role_id, "name": name} for name, role_id in ROLES.items()],
        "users": [
            {"user_id": user_id, "email": f"first{index}@big.example.com"}
            for index, user_id in enumerate(FIRST)
        ],
        "organizations": [
            {
                "id": BIG,
                "name": BIG_NAME,
                "members": [
                    {"user_id": user_id, "roles": roles}
                    for user_id, roles in zip(FIRST, FIRST_ROLES, strict=True)
                ],
                "generated_members": {"count": size, "roles": [ROLES["viewer"]]},
            }
        ],
    }


def generated_id(index: int) -> str:
    return generated_member(BIG_NAME, index)["user_id"]


def expected_order(size: int = SIZE) -> list[str]:
    """Creation order: the listed members, then the generated ones by index."""
    return FIRST + [generated_id(index) for index in range(size)]


def members_path(org_id: str = BIG) -> str:
    return f"/organizations/{org_id}/members"


def roles_path(user_id: str, org_id: str = BIG) -> str:
    return f"/organizations/{org_id}/members/{quote(user_id, safe='')}/roles"


def page_by_cursor(api, cursor: str | None, take: int = 100, **params: str) -> dict:
    query = {"take": take, **params}
    if cursor:
        query["from"] = cursor
    response = api("GET", members_path(), params=query)
    assert response.status_code == 200, response.text
    return response.json()


def walk(api, take: int = 100, between_pages=None, **params: str) -> list[dict]:
    """Every member by checkpoint paging; `between_pages(n)` runs after page n (from 1)."""
    rows: list[dict] = []
    cursor = None
    pages = 0
    while True:
        body = page_by_cursor(api, cursor, take, **params)
        if not body["members"]:
            assert "next" not in body
            return rows
        rows += body["members"]
        pages += 1
        cursor = body["next"]
        if between_pages is not None:
            between_pages(pages)


def ids(rows: list[dict]) -> list[str]:
    return [row["user_id"] for row in rows]


@pytest.fixture
def big(emulator: ControlClient) -> ControlClient:
    emulator.load_seed(big_seed())
    return emulator


# --- walking a big organization ---------------------------------------------------------------


def test_a_cursor_walk_returns_every_member_once_in_creation_order_with_roles(api, big):
    rows = walk(api, fields="user_id,roles")

    assert ids(rows) == expected_order()
    assert len(set(ids(rows))) == SIZE + 3
    viewer = [{"id": ROLES["viewer"], "name": "viewer"}]
    assert rows[0]["roles"] == [{"id": ROLES["owner"], "name": "owner"}]
    assert rows[1]["roles"] == []
    assert [r["name"] for r in rows[2]["roles"]] == ["editor", "viewer"]  # sorted by name
    assert all(row["roles"] == viewer for row in rows[3:])


@pytest.mark.parametrize("take", [1, 7, 50])
def test_walks_with_any_page_size_see_the_same_order(api, big, take):
    first_pages = []
    cursor = None
    for _ in range(4):
        body = page_by_cursor(api, cursor, take)
        first_pages += ids(body["members"])
        cursor = body["next"]
    assert first_pages == expected_order()[: 4 * take]


def test_offset_pages_match_the_cursor_order_and_count_every_member(api, big):
    order = expected_order()
    seen: list[str] = []
    for page in range(10):  # 10 x 100: as far as offset paging reaches (1,000 records)
        body = api(
            "GET",
            members_path(),
            params={"page": page, "per_page": 100, "include_totals": "true", "fields": "roles"},
        ).json()
        assert (body["start"], body["limit"], body["total"]) == (page * 100, 100, SIZE + 3)
        assert all(set(row) == {"roles"} for row in body["members"])
        bare = api("GET", members_path(), params={"page": page, "per_page": 100}).json()
        seen += ids(bare)

    assert seen == order[:1000]
    beyond = api("GET", members_path(), params={"page": 10, "per_page": 100})
    assert beyond.status_code == 400
    assert beyond.json()["errorCode"] == "invalid_paging"
    last = api("GET", members_path(), params={"page": 199, "per_page": 5})
    assert ids(last.json()) == order[995:1000]
    past = api("GET", members_path(), params={"page": 200, "per_page": 5})
    assert past.json()["errorCode"] == "invalid_paging"


def test_the_last_cursor_page_still_sends_next_and_the_one_after_is_empty(api, big):
    order = expected_order()
    body = page_by_cursor(api, None, take=100)
    for _ in range(25):
        body = page_by_cursor(api, body["next"], take=100)
    assert ids(body["members"]) == order[2500:]  # the 26th page: the last 3 members
    assert "next" in body
    after = page_by_cursor(api, body["next"], take=100)
    assert after == {"members": []}


def test_a_cursor_from_another_organization_or_garbage(api, big):
    outside = page_by_cursor(api, None, take=2)["next"]
    acme = api(
        "GET", members_path(ORG_IDS["acme"]), params={"take": 10, "from": outside}
    )  # acme is gone with the seed: 404, not a page
    assert acme.status_code == 404
    garbage = api("GET", members_path(), params={"take": 10, "from": "not-a-cursor!"})
    assert garbage.status_code == 400
    assert garbage.json()["errorCode"] == "invalid_query_string"


# --- members coming and going during a walk ---------------------------------------------------


def test_members_added_and_removed_during_a_walk(api, big):
    order = expected_order()
    late_users = []
    for index in range(3):
        created = api(
            "POST",
            "/users",
            json={"connection": "Username-Password-Authentication", "email": f"late{index}@x.io"},
        )
        assert created.status_code == 201
        late_users.append(created.json()["user_id"])
    seen_then_removed = order[10]
    unseen_removed = [order[1500], order[2000]]

    def between(page: int) -> None:
        if page == 3:
            api("POST", members_path(), json={"members": late_users[:2]})
            api("DELETE", members_path(), json={"members": [seen_then_removed, *unseen_removed]})
        if page == 20:
            api("POST", members_path(), json={"members": [late_users[2]]})

    seen = ids(walk(api, between_pages=between))

    # Added in one call, the first two share a creation stamp: ordered by user id among them.
    late = sorted(late_users[:2]) + late_users[2:]
    assert seen == [u for u in order if u not in unseen_removed] + late
    assert len(seen) == len(set(seen))
    after_walk = ids(walk(api))
    assert after_walk == [u for u in order if u not in [seen_then_removed, *unseen_removed]] + late


def test_the_page_after_a_removed_cursor_member_continues_where_it_was(api, big):
    order = expected_order()
    first = page_by_cursor(api, None, take=100)
    api("DELETE", members_path(), json={"members": [order[99], order[100]]})  # the cursor's own

    second = page_by_cursor(api, first["next"], take=100)

    assert ids(second["members"]) == order[101:201]


def test_a_re_added_member_moves_to_the_end_of_the_list(api, big):
    order = expected_order()
    api("DELETE", members_path(), json={"members": [order[5]]})
    api("POST", members_path(), json={"members": [order[5]]})

    assert ids(walk(api)) == order[:5] + order[6:] + [order[5]]
    assert api("GET", roles_path(order[5])).json() == []  # removal took the roles


def test_adding_a_current_member_again_changes_nothing(api, big):
    order = expected_order()
    assert api("POST", members_path(), json={"members": [order[7], order[7]]}).status_code == 204
    assert ids(walk(api, take=100)) == order


# --- lagging removals ---------------------------------------------------------------------------


def test_lagging_removals_stay_listed_in_place_with_their_roles_then_go(api, big):
    order = expected_order()
    big.set_member_removal_lag(8)
    gone = [order[0], order[1234]]
    api("DELETE", members_path(), json={"members": gone})

    lagging = walk(api, fields="user_id,roles")
    assert ids(lagging) == order
    assert lagging[0]["roles"] == [{"id": ROLES["owner"], "name": "owner"}]  # as at removal
    assert api("GET", roles_path(order[0])).json() == []  # the roles themselves are gone
    totals = api("GET", members_path(), params={"include_totals": "true", "per_page": 1}).json()
    assert totals["total"] == SIZE + 3
    organizations = api("GET", f"/users/{quote(order[0], safe='')}/organizations").json()
    assert organizations == []  # not a member any more, though still listed

    big.advance_clock(5)  # the clock also runs: a margin of 3 s for the calls in between
    assert ids(walk(api)) == order
    big.advance_clock(3)
    assert ids(walk(api)) == [u for u in order if u not in gone]
    totals = api("GET", members_path(), params={"include_totals": "true", "per_page": 1}).json()
    assert totals["total"] == SIZE + 1


def test_a_member_re_added_while_their_removal_lags_stays(api, big):
    order = expected_order()
    big.set_member_removal_lag(8)
    api("DELETE", members_path(), json={"members": [order[3]]})
    big.advance_clock(4)
    api("POST", members_path(), json={"members": [order[3]]})

    assert ids(walk(api)) == order[:3] + order[4:] + [order[3]]
    big.advance_clock(10)  # the old removal's lag is over: it must not take the new membership
    assert ids(walk(api)) == order[:3] + order[4:] + [order[3]]

    api("DELETE", members_path(), json={"members": [order[3]]})
    big.advance_clock(5)
    assert ids(walk(api))[-1] == order[3]  # removed again: lags again
    big.advance_clock(3)
    assert order[3] not in ids(walk(api))


def test_a_lag_shortened_after_removals_applies_to_them(api, big):
    order = expected_order()
    big.set_member_removal_lag(8)
    api("DELETE", members_path(), json={"members": [order[50]]})
    big.set_member_removal_lag(0)
    assert order[50] not in ids(walk(api))


def test_deleting_a_user_whose_removal_lags_takes_them_out_at_once(api, big):
    order = expected_order()
    big.set_member_removal_lag(8)
    api("DELETE", members_path(), json={"members": [order[60]]})
    assert api("DELETE", f"/users/{quote(order[60], safe='')}").status_code == 204
    assert order[60] not in ids(walk(api))
    big.advance_clock(9)
    assert ids(walk(api)) == [u for u in order if u != order[60]]


# --- walking many organizations -----------------------------------------------------------------


def test_an_organizations_walk_sees_each_once_in_creation_order_while_they_change(api, emulator):
    names = [f"tenant-org-{index:04d}" for index in range(250)]
    emulator.load_seed(
        {"clients": DEMO_CLIENTS, "organizations": [{"name": name} for name in names]}
    )
    seen: list[str] = []
    body = api("GET", "/organizations", params={"take": 100}).json()
    seen += [o["name"] for o in body["organizations"]]
    unseen = api("GET", "/organizations/name/tenant-org-0150").json()["id"]
    api("DELETE", f"/organizations/{unseen}")
    api("POST", "/organizations", json={"name": "late-org"})
    while "next" in body:  # the organizations list omits next on its last page
        body = api("GET", "/organizations", params={"take": 100, "from": body["next"]}).json()
        seen += [o["name"] for o in body["organizations"]]

    assert seen == [n for n in names if n != "tenant-org-0150"] + ["late-org"]


# --- a user's organizations -----------------------------------------------------------------------


def test_a_users_organizations_in_creation_order_and_after_deletes(api, emulator):
    ana = quote(USER_IDS["ana"], safe="")

    def names() -> list[str]:
        body = api("GET", f"/users/{ana}/organizations").json()
        return [o["name"] for o in body]

    assert names() == ["acme", "globex"]
    created = api("POST", "/organizations", json={"name": "zeta"}).json()
    api("POST", members_path(created["id"]), json={"members": [USER_IDS["ana"]]})
    assert names() == ["acme", "globex", "zeta"]
    api("DELETE", f"/organizations/{ORG_IDS['globex']}")
    assert names() == ["acme", "zeta"]
    api("DELETE", members_path(ORG_IDS["acme"]), json={"members": [USER_IDS["ana"]]})
    assert names() == ["zeta"]


# --- indexes after deletes -----------------------------------------------------------------------


def new_user(api, email: str, user_id: str | None = None) -> requests.Response:
    body = {"connection": "Username-Password-Authentication", "email": email}
    if user_id:
        body["user_id"] = user_id
    return api("POST", "/users", json=body)


def test_an_email_is_free_again_once_its_user_is_deleted(api):
    first = new_user(api, "reuse@example.com")
    assert first.status_code == 201
    duplicate = new_user(api, "reuse@example.com")
    assert duplicate.status_code == 409
    assert duplicate.json()["errorCode"] == "auth0_idp_error"

    assert api("DELETE", f"/users/{quote(first.json()['user_id'], safe='')}").status_code == 204
    by_email = api("GET", "/users-by-email", params={"email": "reuse@example.com"}).json()
    assert by_email == []
    again = new_user(api, "reuse@example.com")
    assert again.status_code == 201
    assert new_user(api, "reuse@example.com").status_code == 409
    by_email = api("GET", "/users-by-email", params={"email": "reuse@example.com"}).json()
    assert [u["user_id"] for u in by_email] == [again.json()["user_id"]]


def test_a_deleted_members_email_and_id_come_back_without_the_old_membership(api):
    ben = USER_IDS["ben"]
    api("DELETE", f"/users/{quote(ben, safe='')}")
    assert ben not in ids(api("GET", members_path(ORG_IDS["acme"])).json())

    back = new_user(api, "ben.okafor@acme.example.com", user_id=ben)
    assert back.status_code == 201
    assert api("GET", f"/users/{quote(ben, safe='')}/organizations").json() == []
    assert api("GET", roles_path(ben, ORG_IDS["acme"])).json() == []
    assert ben not in ids(api("GET", members_path(ORG_IDS["acme"])).json())


def test_organization_and_role_names_are_free_again_after_delete(api):
    org = api("POST", "/organizations", json={"name": "phoenix"})
    assert org.status_code == 201
    assert api("POST", "/organizations", json={"name": "phoenix"}).status_code == 409
    api("DELETE", f"/organizations/{org.json()['id']}")
    assert api("GET", "/organizations/name/phoenix").status_code == 404
    again = api("POST", "/organizations", json={"name": "phoenix"})
    assert again.status_code == 201
    assert api("GET", "/organizations/name/phoenix").json()["id"] == again.json()["id"]
    assert api("POST", "/organizations", json={"name": "phoenix"}).status_code == 409

    role = api("POST", "/roles", json={"name": "phoenix-role"})
    assert role.status_code == 200
    assert api("POST", "/roles", json={"name": "phoenix-role"}).status_code == 409
    api("DELETE", f"/roles/{role.json()['id']}")
    assert api("POST", "/roles", json={"name": "phoenix-role"}).status_code == 200
    assert api("POST", "/roles", json={"name": "phoenix-role"}).status_code == 409


def test_loading_a_seed_replaces_the_indexes(api, emulator):
    assert new_user(api, "ana.lee@acme.example.com").status_code == 409
    emulator.load_seed(big_seed(size=5))
    assert new_user(api, "ana.lee@acme.example.com").status_code == 201
    assert new_user(api, "first0@big.example.com").status_code == 409
    assert new_user(api, generated_member(BIG_NAME, 4)["email"]).status_code == 409
    assert api("POST", "/organizations", json={"name": "acme"}).status_code == 201
    assert api("POST", "/organizations", json={"name": BIG_NAME}).status_code == 409


# --- generated members -----------------------------------------------------------------------------


def test_generated_members_are_deterministic_users(api, emulator):
    emulator.load_seed(big_seed(size=3))
    member = generated_member(BIG_NAME, 2)
    assert member["email"] == "member2@big.example.com"
    assert member["user_id"].startswith("auth0|") and len(member["user_id"]) == 30
    user = api("GET", f"/users/{quote(member['user_id'], safe='')}").json()
    assert (user["email"], user["name"]) == (member["email"], "Member 2")
    state = emulator.state()
    (org,) = state["organizations"]
    assert [m["user_id"] for m in org["members"]] == expected_order(3)
    emulator.load_seed(big_seed(size=3))

    def identities(users: list[dict]) -> list[tuple]:
        return [(u["user_id"], u["email"], u["name"]) for u in users]

    assert identities(emulator.state()["users"]) == identities(state["users"])


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"count": -1}, "count"),
        ({"count": "10"}, "count"),
        ({"count": 2, "colour": "red"}, "generated_members"),
        ({"count": 2, "roles": ["rol_Unknown000000001"]}, "rol_Unknown000000001"),
        ({"count": 2, "email_domain": "big.example.com"}, "the seed does not fit"),
    ],
)
def test_a_bad_generated_members_spec_is_refused(emulator, spec, error):
    seed = big_seed(size=0)
    seed["users"].append({"user_id": "auth0|clash", "email": "member1@big.example.com"})
    seed["organizations"][0]["generated_members"] = spec
    with pytest.raises(RuntimeError, match="400") as refused:
        emulator.load_seed(seed)
    assert error in str(refused.value)


# --- the bounded request log -------------------------------------------------------------------------


def test_the_request_log_keeps_only_the_newest_entries():
    emulator = Emulator(domain="log.test", request_log_size=5)
    with serve_in_thread(emulator) as server:
        control = ControlClient(server.url)
        session = requests.Session()
        for index in range(12):
            session.get(f"{server.url}/api/v2/organizations/org_{index}")  # 401s, logged

        body = control.call("GET", "requests")
        assert [r["path"] for r in body["requests"]] == [
            f"/api/v2/organizations/org_{index}" for index in range(7, 12)
        ]
        assert body["max_entries"] == 5
        assert body["dropped"] == 7
        assert [r["status"] for r in control.api_requests()] == [401] * 5

        control.clear_requests()
        assert control.call("GET", "requests") == {
            "requests": [],
            "max_entries": 5,
            "dropped": 0,
        }
        session.get(f"{server.url}/api/v2/organizations/org_last")
        assert [r["path"] for r in control.requests()] == ["/api/v2/organizations/org_last"]


def test_the_request_log_keeps_10000_by_default_and_at_least_one():
    assert Emulator().log.max_entries == 10_000
    with pytest.raises(ValueError):
        Emulator(request_log_size=0)
