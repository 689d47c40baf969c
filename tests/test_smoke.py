def test_the_emulator_fixture_serves_the_small_tenant(api):
    response = api("GET", "/organizations", params={"include_totals": "true"})
    assert response.status_code == 200
    assert response.json()["total"] == 3
