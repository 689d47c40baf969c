"""GET /organizations (offset and checkpoint shapes), by id and by name."""

import pytest

from tests.seeds import ORG_IDS


def test_list_without_totals_is_a_bare_array(api):
    response = api("GET", "/organizations")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert [o["name"] for o in response.json()] == ["acme", "globex", "initech"]


def test_list_with_totals_wraps_the_page(api):
    body = api("GET", "/organizations", params={"include_totals": "true", "per_page": 2}).json()
    assert body["start"] == 0
    assert body["limit"] == 2
    assert body["total"] == 3
    assert [o["id"] for o in body["organizations"]] == [ORG_IDS["acme"], ORG_IDS["globex"]]
    assert body["organizations"][0] == {
        "id": ORG_IDS["acme"],
        "name": "acme",
        "display_name": "Acme Corporation",
        "metadata": {"region": "us"},
    }


def test_checkpoint_paging_omits_next_on_the_last_page(api):
    first = api("GET", "/organizations", params={"take": 2, "include_totals": "true"}).json()
    assert set(first) == {"organizations", "next"}
    second = api("GET", "/organizations", params={"take": 2, "from": first["next"]}).json()

    assert [o["name"] for o in first["organizations"]] == ["acme", "globex"]
    assert [o["name"] for o in second["organizations"]] == ["initech"]
    assert "next" not in second


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("name:-1", ["initech", "globex", "acme"]), ("display_name:1", ["acme", "globex", "initech"])],
)
def test_sort(api, sort, expected):
    assert [
        o["name"] for o in api("GET", "/organizations", params={"sort": sort}).json()
    ] == expected


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"per_page": 101}, "Value 101 is greater than maximum 100' on property per_page"),
        ({"per_page": "ten"}, "Expected type integer but found type string"),
        ({"include_totals": "yes"}, "Expected type boolean"),
        ({"sort": "id:1"}, "String does not match pattern"),
        ({"q": "acme"}, "Additional properties not allowed: q"),
    ],
)
def test_bad_query_strings_are_invalid_query_string(api, params, fragment):
    response = api("GET", "/organizations", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == "invalid_query_string"
    assert body["message"].startswith("Query validation error: ")
    assert fragment in body["message"]


def test_paging_past_1000_records_is_invalid_paging(api):
    response = api("GET", "/organizations", params={"page": 10, "per_page": 100})
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "Requesting page exceeds the allowed maximum of 1000 records",
        "errorCode": "invalid_paging",
    }
    assert api("GET", "/organizations", params={"page": 9, "per_page": 100}).status_code == 200


def test_get_by_id_and_by_name(api):
    by_id = api("GET", f"/organizations/{ORG_IDS['globex']}").json()
    by_name = api("GET", "/organizations/name/globex").json()
    assert by_id == by_name
    assert by_id["display_name"] == "Globex <b>&amp;</b> Partners"


def test_unknown_organization_is_the_recorded_404(api):
    expected = {
        "statusCode": 404,
        "error": "Not Found",
        "message": "No organization found by that id or name",
    }
    assert api("GET", "/organizations/org_doesnotexist0001").json() == expected
    assert api("GET", "/organizations/name/nope").json() == expected
    assert api("GET", "/organizations/org_doesnotexist0001/members").status_code == 404


def test_created_organizations_are_listed_and_deleted_ones_are_gone(api):
    created = api("POST", "/organizations", json={"name": "hooli", "display_name": "Hooli"})
    assert created.status_code == 201
    org_id = created.json()["id"]
    assert org_id.startswith("org_")
    assert "hooli" in [o["name"] for o in api("GET", "/organizations").json()]

    assert api("DELETE", f"/organizations/{org_id}").status_code == 204
    assert api("GET", f"/organizations/{org_id}").status_code == 404


def test_duplicate_organization_name_is_a_conflict(api):
    response = api("POST", "/organizations", json={"name": "acme"})
    assert response.status_code == 409
    assert response.json()["errorCode"] == "organization_conflict"


def test_unknown_paths_are_404(api):
    assert api("GET", "/organisations").status_code == 404
