"""Tenant-wide user roles, the role catalogue, user lookup and search."""

from urllib.parse import quote

import pytest

from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

ANA = USER_IDS["ana"]


def user_path(user_id: str, suffix: str = "") -> str:
    return f"/users/{quote(user_id, safe='')}{suffix}"


def test_user_roles_list_assign_and_remove(api):
    path = user_path(ANA, "/roles")
    listed = api("GET", path, params={"include_totals": "true", "per_page": 50}).json()
    assert listed == {
        "roles": [
            {
                "id": ROLE_IDS["beta-tester"],
                "name": "beta-tester",
                "description": "The beta-tester role",
            },
            {
                "id": ROLE_IDS["tenant-admin"],
                "name": "tenant-admin",
                "description": "The tenant-admin role",
            },
        ],
        "start": 0,
        "limit": 50,
        "total": 2,
    }

    assert (
        api(
            "DELETE", path, json={"roles": [ROLE_IDS["tenant-admin"], ROLE_IDS["beta-tester"]]}
        ).status_code
        == 204
    )
    assert api("GET", path, params={"include_totals": "true"}).json()["total"] == 0
    assert api("POST", path, json={"roles": [ROLE_IDS["viewer"]]}).status_code == 204
    assert [r["name"] for r in api("GET", path).json()] == ["viewer"]


def test_user_roles_do_not_include_organization_roles(api):
    names = [r["name"] for r in api("GET", user_path(ANA, "/roles")).json()]
    assert "org-owner" not in names


def test_user_roles_of_an_unknown_user_are_404(api):
    response = api("GET", user_path("auth0|nobody", "/roles"))
    assert response.status_code == 404
    assert response.json()["errorCode"] == "inexistent_user"


def test_removing_user_roles_validates_the_body(api):
    response = api("DELETE", user_path(ANA, "/roles"), json={"roles": "rol_x"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_body"


def test_roles_catalogue_with_name_filter(api):
    everything = api("GET", "/roles", params={"include_totals": "true"}).json()
    filtered = api(
        "GET", "/roles", params={"name_filter": "ADMIN", "include_totals": "true"}
    ).json()

    assert everything["total"] == 7
    assert [r["name"] for r in filtered["roles"]] == ["billing-admin", "org-admin", "tenant-admin"]


def test_role_get_and_the_recorded_404(api):
    assert api("GET", f"/roles/{ROLE_IDS['viewer']}").json()["name"] == "viewer"
    assert api("GET", "/roles/rol_Nope000000000001").json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "The role does not exist.",
    }


def test_user_get_and_the_recorded_404(api):
    user = api("GET", user_path(ANA)).json()
    assert user["email"] == "ana.lee@acme.example.com"
    assert user["identities"][0]["provider"] == "auth0"
    assert api(
        "GET", user_path(ANA), params={"fields": "email", "include_fields": "true"}
    ).json() == {"email": "ana.lee@acme.example.com"}
    assert api("GET", user_path("auth0|nobody")).json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "The user does not exist.",
        "errorCode": "inexistent_user",
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('email:"ana.lee@acme.example.com"', ["ana"]),
        ("email:ANA.LEE@acme.example.com", ["ana"]),
        ("email:*@globex.example.com", ["chloe", "dmitri"]),
        (f'organization_id:"{ORG_IDS["globex"]}"', ["ana", "chloe", "dmitri"]),
        (f'organization_id:"{ORG_IDS["globex"]}" AND email:chloe*', ["chloe"]),
        ("ranger", ["loner"]),
    ],
)
def test_user_search_q(api, q, expected):
    body = api(
        "GET", "/users", params={"q": q, "search_engine": "v3", "include_totals": "true"}
    ).json()
    assert list(body) == ["start", "limit", "length", "users", "total"]
    found = sorted(k for k, v in USER_IDS.items() if v in {u["user_id"] for u in body["users"]})
    assert found == expected
    assert body["length"] == body["total"] == len(expected)


def test_users_by_email_is_a_bare_array_and_checks_the_format(api):
    found = api("GET", "/users-by-email", params={"email": "eve@initech.example.com"}).json()
    assert [u["user_id"] for u in found] == [USER_IDS["eve"]]
    bad = api("GET", "/users-by-email", params={"email": "not-an-email"})
    assert bad.status_code == 400
    assert bad.json()["errorCode"] == "invalid_query_string"


def test_deleting_a_user_twice_is_204_both_times(api):
    assert api("DELETE", user_path(USER_IDS["loner"])).status_code == 204
    assert api("DELETE", user_path(USER_IDS["loner"])).status_code == 204
    assert api("GET", user_path(USER_IDS["loner"])).status_code == 404


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("(name:ana* OR name:ben*)", ["ana", "ben"]),
        (f'organization_id:"{ORG_IDS["acme"]}" AND (email:ben* OR email:mal*)', ["ben", "mallory"]),
        (f'user_id:"{USER_IDS["eve"]}" OR user_id:"{USER_IDS["loner"]}"', ["eve", "loner"]),
        (f'organization_id:"{ORG_IDS["acme"]}" AND NOT name:ana*', ["ben", "mallory"]),
        ('name:"Chloé García"', ["chloe"]),
    ],
)
def test_user_search_boolean_operators(api, q, expected):
    body = api("GET", "/users", params={"q": q, "search_engine": "v3"}).json()
    found = sorted(k for k, v in USER_IDS.items() if v in {u["user_id"] for u in body})
    assert found == expected


@pytest.mark.parametrize("q", ["(name:ana", "name:ana)", "AND", 'email:"unterminated'])
def test_malformed_user_search_is_a_400(api, q):
    response = api("GET", "/users", params={"q": q})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_query_string"
