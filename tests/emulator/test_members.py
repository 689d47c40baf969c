"""Organization members and member roles: lists, writes, validation, lag, encoded ids."""

from urllib.parse import quote

import pytest

from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS, small_seed

ACME = ORG_IDS["acme"]
ANA = USER_IDS["ana"]
BEN = USER_IDS["ben"]
LONER = USER_IDS["loner"]


def members_path(org_id: str = ACME) -> str:
    return f"/organizations/{org_id}/members"


def roles_path(user_id: str, org_id: str = ACME) -> str:
    return f"/organizations/{org_id}/members/{quote(user_id, safe='')}/roles"


def member_ids(api, org_id: str = ACME) -> list[str]:
    return [m["user_id"] for m in api("GET", members_path(org_id)).json()]


def test_default_member_fields_and_roles_embedded_on_request(api):
    plain = api("GET", members_path()).json()
    with_roles = api(
        "GET",
        members_path(),
        params={"fields": "user_id,roles", "include_fields": "true", "include_totals": "true"},
    ).json()

    assert set(plain[0]) == {"user_id", "email", "picture", "name"}
    assert with_roles["total"] == 3
    ben = next(m for m in with_roles["members"] if m["user_id"] == BEN)
    assert ben == {
        "user_id": BEN,
        "roles": [
            {"id": ROLE_IDS["billing-admin"], "name": "billing-admin"},
            {"id": ROLE_IDS["support-agent"], "name": "support-agent"},
        ],
    }


def test_include_fields_false_excludes_the_listed_fields(api):
    members = api("GET", members_path(), params={"fields": "email", "include_fields": "false"})
    assert set(members.json()[0]) == {"user_id", "picture", "name"}


def test_bad_fields_value_is_invalid_query_string(api):
    response = api("GET", members_path(), params={"fields": "user_id,password"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_query_string"


def big_org_seed(size: int) -> dict:
    seed = small_seed()
    users = [
        {"user_id": f"auth0|big{index:021d}", "email": f"u{index}@big.example.com"}
        for index in range(size)
    ]
    seed["users"] += users
    seed["organizations"].append(
        {
            "id": "org_Big0000000000001",
            "name": "big",
            "members": [{"user_id": u["user_id"]} for u in users],
        }
    )
    return seed


def test_checkpoint_paging_walks_past_1000_members_and_ends_on_an_empty_page(api, emulator):
    emulator.load_seed(big_org_seed(1050))
    seen: list[str] = []
    params = {"take": 100}
    calls = 0
    while True:
        body = api("GET", members_path("org_Big0000000000001"), params=params).json()
        calls += 1
        seen += [m["user_id"] for m in body["members"]]
        if not body["members"]:
            assert "next" not in body
            break
        assert "next" in body  # the members list keeps sending next until a page is empty
        params = {"take": 100, "from": body["next"]}

    assert len(seen) == 1050
    assert len(set(seen)) == 1050
    assert calls == 12  # 11 pages with members, then the empty one
    offset = api("GET", members_path("org_Big0000000000001"), params={"page": 10, "per_page": 100})
    assert offset.json()["errorCode"] == "invalid_paging"


def test_add_and_remove_members_with_json_bodies(api):
    assert api("POST", members_path(), json={"members": [LONER]}).status_code == 204
    assert LONER in member_ids(api)

    removed = api("DELETE", members_path(), json={"members": [LONER, BEN]})
    assert removed.status_code == 204
    assert removed.content == b""
    assert member_ids(api) == [ANA, USER_IDS["mallory"]]


def test_removing_a_member_also_removes_their_organization_roles(api):
    api("DELETE", members_path(), json={"members": [BEN]})
    api("POST", members_path(), json={"members": [BEN]})
    assert api("GET", roles_path(BEN), params={"include_totals": "true"}).json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Payload validation error: 'Missing required property: members'."),
        (
            {"members": BEN},
            "Payload validation error: 'Expected type array but found type string' on property members.",
        ),
        (
            {"members": []},
            "Payload validation error: 'Array is too short (0), minimum 1' on property members.",
        ),
        (
            {"members": [1]},
            "Payload validation error: 'Expected type string but found type integer' on property members[0].",
        ),
        (
            {"members": [BEN], "x": 1},
            "Payload validation error: 'Additional properties not allowed: x'.",
        ),
    ],
)
def test_invalid_member_bodies_are_invalid_body_and_change_nothing(api, body, message):
    response = api("DELETE", members_path(), json=body)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": message,
        "errorCode": "invalid_body",
    }
    assert BEN in member_ids(api)


def test_a_body_that_is_not_json_is_invalid_body(api):
    response = api(
        "DELETE", members_path(), data="members=", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_body"


def test_adding_an_unknown_user_is_invalid_body(api):
    response = api("POST", members_path(), json={"members": ["auth0|nobody"]})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_body"


def test_a_payload_over_1mb_is_refused(api):
    response = api("DELETE", members_path(), json={"members": ["x" * 1024] * 1100})
    assert response.status_code == 413
    assert BEN in member_ids(api)


def test_removed_member_lingers_in_the_list_for_the_configured_lag(api, emulator):
    emulator.set_member_removal_lag(8)
    api("DELETE", members_path(), json={"members": [BEN]})

    assert BEN in member_ids(api)  # Auth0: "takes approximately 5 - 10 seconds"
    assert api("GET", roles_path(BEN), params={"include_totals": "true"}).json()["total"] == 0
    emulator.advance_clock(8)
    assert BEN not in member_ids(api)


def test_member_roles_assign_list_remove(api):
    path = roles_path(ANA)
    assigned = api("POST", path, json={"roles": [ROLE_IDS["viewer"], ROLE_IDS["support-agent"]]})
    assert assigned.status_code == 204

    listed = api("GET", path, params={"include_totals": "true"}).json()
    assert listed["total"] == 3
    assert [r["name"] for r in listed["roles"]] == ["org-owner", "support-agent", "viewer"]
    assert set(listed["roles"][0]) == {"id", "name", "description"}

    assert api("DELETE", path, json={"roles": [ROLE_IDS["org-owner"]]}).status_code == 204
    assert [r["name"] for r in api("GET", path).json()] == ["support-agent", "viewer"]


def test_member_roles_are_per_organization(api):
    globex_roles = api("GET", roles_path(ANA, ORG_IDS["globex"])).json()
    assert [r["name"] for r in globex_roles] == ["viewer"]


def test_assigning_an_unknown_role_is_invalid_body(api):
    response = api("POST", roles_path(ANA), json={"roles": ["rol_DoesNotExist0001"]})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_body"


def test_the_100_role_cap_is_the_documented_409(api, emulator):
    seed = small_seed()
    seed["roles"] += [
        {"id": f"rol_Extra{index:011d}", "name": f"extra-{index}"} for index in range(100)
    ]
    emulator.load_seed(seed)
    extra = [f"rol_Extra{index:011d}" for index in range(100)]

    response = api("POST", roles_path(ANA), json={"roles": extra})  # Ana already holds one

    assert response.status_code == 409
    assert response.json() == {
        "statusCode": 409,
        "error": "Conflict",
        "message": "No more roles can be assigned to this organization member.",
    }
    assert api("POST", roles_path(ANA), json={"roles": extra[:99]}).status_code == 204


def test_member_roles_of_unknown_user_or_organization_are_404(api):
    assert api("GET", roles_path("auth0|nobody")).json()["errorCode"] == "inexistent_user"
    assert api("GET", roles_path(ANA, "org_Nope000000000001")).status_code == 404


def test_encoded_and_raw_pipe_in_user_ids_reach_the_same_member(api):
    encoded = api("GET", f"/organizations/{ACME}/members/auth0%7Cana0000000000000000000001/roles")
    raw = api("GET", f"/organizations/{ACME}/members/auth0|ana0000000000000000000001/roles")
    assert encoded.status_code == raw.status_code == 200
    assert encoded.json() == raw.json()


def test_user_organizations_lists_memberships(api):
    body = api(
        "GET", f"/users/{quote(ANA, safe='')}/organizations", params={"include_totals": "true"}
    ).json()
    assert body["total"] == 2
    assert {o["name"] for o in body["organizations"]} == {"acme", "globex"}
