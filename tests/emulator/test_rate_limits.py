"""Token buckets per endpoint group, the x-ratelimit-* headers and the 429 body."""

import time

from tests.seeds import ORG_IDS

ORG_PATH = f"/organizations/{ORG_IDS['acme']}"


def test_every_response_carries_rate_limit_headers(api, emulator):
    emulator.set_rate_limits("enterprise")
    ok = api("GET", ORG_PATH)
    not_found = api("GET", "/organizations/org_Nope000000000001")
    for response in (ok, not_found):
        assert int(response.headers["x-ratelimit-limit"]) > 0
        assert int(response.headers["x-ratelimit-remaining"]) >= 0
        assert int(response.headers["x-ratelimit-reset"]) >= int(time.time()) - 1


def test_remaining_counts_down_within_a_group(api, emulator):
    emulator.set_rate_limits("enterprise")  # Read Org by ID: burst 10
    remaining = [int(api("GET", ORG_PATH).headers["x-ratelimit-remaining"]) for _ in range(3)]
    assert remaining == [9, 8, 7]
    assert api("GET", ORG_PATH).headers["x-ratelimit-limit"] == "10"


def test_an_empty_bucket_answers_429_until_it_refills(api, emulator):
    emulator.set_rate_limits(buckets={"read_organization": {"burst": 2, "per_second": 0.5}})
    assert [api("GET", ORG_PATH).status_code for _ in range(2)] == [200, 200]

    limited = api("GET", ORG_PATH)

    assert limited.status_code == 429
    assert limited.json() == {
        "statusCode": 429,
        "error": "Too Many Requests",
        "message": "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.",
        "errorCode": "too_many_requests",
    }
    assert limited.headers["x-ratelimit-remaining"] == "0"
    reset = int(limited.headers["x-ratelimit-reset"])
    now = float(emulator.advance_clock(0)["now"])
    assert now < reset <= now + 3  # the next token arrives within 1 / 0.5 s
    assert api("GET", "/organizations").status_code == 200  # other groups are unaffected

    emulator.advance_clock(2)
    assert api("GET", ORG_PATH).status_code == 200


def test_the_global_bucket_has_its_own_message(api, emulator):
    emulator.set_rate_limits("free")  # whole API: burst 2
    statuses = [api("GET", ORG_PATH).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api("GET", "/roles").json()["message"] == "Global limit has been reached"


def test_limits_off_keep_headers_but_never_limit(api, emulator):
    emulator.set_rate_limits("off")
    responses = [api("GET", ORG_PATH) for _ in range(30)]
    assert {r.status_code for r in responses} == {200}
    assert all("x-ratelimit-reset" in r.headers for r in responses)
