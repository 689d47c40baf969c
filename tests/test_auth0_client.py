"""The Management API client against the emulator: encoding, tokens, retries, timeouts, paging,
correlation ids and rate-limit figures."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orgs.auth0_mgmt import errors, get_client
from orgs.auth0_mgmt.client import ManagementClient, new_session
from orgs.auth0_mgmt.tokens import StaticToken
from tests.conftest import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EMULATOR_DOMAIN
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

ROOT = Path(__file__).resolve().parents[1]
ACME = ORG_IDS["acme"]
BEN = USER_IDS["ben"]


def token_requests(emulator) -> list[dict]:
    return [r for r in emulator.requests() if r["path"] == "/oauth/token"]


class SleepRecorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def recorded_sleep(auth0) -> SleepRecorder:
    """Replace the client's sleep (used only for a near 429 reset) with a recorder."""
    recorder = SleepRecorder()
    get_client().sleep = recorder
    return recorder


def test_settings_give_the_default_timeouts_and_a_pooled_session(auth0, settings):
    client = get_client()
    assert client.timeout == (3.05, 10.0)
    assert client.session.get_adapter("http://x").poolmanager is not None

    settings.AUTH0_TIMEOUT_READ = 4.0
    assert get_client().timeout == (3.05, 4.0)
    assert get_client() is not client  # a new configuration gets its own client


def test_missing_configuration_is_reported_on_first_use(auth0, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUTH0_CLIENT_SECRET = ""
    with pytest.raises(ImproperlyConfigured, match="AUTH0_MGMT_API_TOKEN"):
        get_client()


def test_user_ids_are_percent_encoded_in_paths_and_raw_in_bodies(auth0):
    client = get_client()
    auth0.clear_requests()

    client.list_member_roles(ACME, BEN)
    client.remove_member_roles(ACME, BEN, [ROLE_IDS["billing-admin"]])

    calls = auth0.api_requests()
    assert (
        calls[0]["path"]
        == f"/api/v2/organizations/{ACME}/members/auth0%7Cben0000000000000000000001/roles"
    )
    assert calls[1]["body"] == {"roles": [ROLE_IDS["billing-admin"]]}


def test_one_token_serves_many_calls_and_is_shared_through_the_cache(auth0):
    from orgs.auth0_mgmt.config import _client_for

    get_client().get_organization(ACME)
    get_client().get_organization(ACME)
    _client_for.cache_clear()  # as if another worker process started: nothing in memory
    get_client().get_organization(ACME)

    assert len(token_requests(auth0)) == 1


def test_an_expired_token_is_replaced_and_the_call_retried_once(auth0):
    client = get_client()
    client.get_organization(ACME)
    auth0.advance_clock(86400)  # the cached token is now expired for Auth0
    auth0.clear_requests()

    assert client.get_organization(ACME).name == "acme"

    statuses = [(r["path"].split("/")[-1], r["status"]) for r in auth0.requests()]
    assert statuses == [(ACME, 401), ("token", 200), (ACME, 200)]


def test_401_invalid_token_retries_once_then_gives_up(auth0):
    client = get_client()
    client.get_organization(ACME)
    auth0.add_fault(path="/organizations/", status=401, times=2)
    auth0.clear_requests()

    with pytest.raises(errors.InvalidToken):
        client.get_organization(ACME)

    assert len(auth0.api_requests()) == 2
    assert len(token_requests(auth0)) == 1


def test_a_static_token_is_never_refreshed(auth0, emulator_url):
    token = auth0.mint_token(DEMO_CLIENT_ID)
    client = ManagementClient(
        base_url=emulator_url, tokens=StaticToken(token), session=new_session()
    )
    assert client.get_organization(ACME).id == ACME

    auth0.advance_clock(86400)
    auth0.clear_requests()
    with pytest.raises(errors.InvalidToken, match="Expired token"):
        client.get_organization(ACME)
    assert len(auth0.requests()) == 1


def test_refused_client_credentials_are_credentials_rejected(auth0, settings):
    settings.AUTH0_CLIENT_SECRET = "wrong"
    with pytest.raises(errors.CredentialsRejected) as caught:
        get_client().get_organization(ACME)
    assert caught.value.status == 401
    assert caught.value.error_code == "access_denied"


def test_429_with_a_near_reset_waits_and_retries_once(auth0, recorded_sleep):
    reset = str(int(time.time()) + 1)
    auth0.add_fault(path="/organizations/", status=429, headers={"x-ratelimit-reset": reset})

    assert get_client().get_organization(ACME).id == ACME

    assert len(recorded_sleep.waits) == 1
    assert 0 <= recorded_sleep.waits[0] <= 2
    assert [r["status"] for r in auth0.api_requests()] == [429, 200]


def test_429_twice_with_a_near_reset_gives_up_after_one_retry(auth0, recorded_sleep):
    reset = str(int(time.time()))
    auth0.add_fault(
        path="/organizations/", status=429, times=2, headers={"x-ratelimit-reset": reset}
    )

    with pytest.raises(errors.Auth0RateLimited):
        get_client().get_organization(ACME)
    assert len(auth0.api_requests()) == 2


def test_429_with_a_far_reset_raises_at_once_with_the_reset_time(auth0, recorded_sleep):
    reset = int(time.time()) + 60
    auth0.add_fault(path="/members", status=429, headers={"x-ratelimit-reset": str(reset)})

    with pytest.raises(errors.Auth0RateLimited) as caught:
        get_client().remove_members(ACME, [BEN])

    assert caught.value.reset_at == reset
    assert 50 < caught.value.retry_after <= 60
    assert recorded_sleep.waits == []
    assert len(auth0.api_requests()) == 1


def test_a_real_empty_bucket_is_rate_limited_with_the_emulators_reset(auth0, recorded_sleep):
    auth0.set_rate_limits(buckets={"read_organization": {"burst": 1, "per_second": 0.01}})
    client = get_client()
    client.get_organization(ACME)

    with pytest.raises(errors.Auth0RateLimited) as caught:
        client.get_organization(ACME)

    assert caught.value.message.startswith("Too many requests")
    assert caught.value.retry_after > 2
    assert client.rate_limit.remaining == 0
    assert client.rate_limit.limit == 1


def test_rate_limit_figures_are_kept_from_every_answer(auth0):
    auth0.set_rate_limits("enterprise")
    client = get_client()
    client.get_organization(ACME)
    first = client.rate_limit
    client.get_organization(ACME)

    assert first.limit == 10
    assert client.rate_limit.remaining == first.remaining - 1


def test_a_slow_answer_is_a_timeout_and_a_write_may_have_applied(auth0, settings):
    settings.AUTH0_TIMEOUT_READ = 0.3
    get_client().get_organization(ACME)  # token fetched before the slow part
    auth0.add_fault(method="DELETE", path="/members$", delay=1.5)

    with pytest.raises(errors.Auth0Timeout) as caught:
        get_client().remove_members(ACME, [BEN])

    assert caught.value.outcome_unknown
    assert caught.value.correlation_id
    auth0.add_fault(method="GET", path="/organizations/", delay=1.5)
    with pytest.raises(errors.Auth0Timeout) as read:
        get_client().get_organization(ACME)
    assert not read.value.outcome_unknown


def test_a_dropped_connection_on_a_write_has_an_unknown_outcome(auth0):
    get_client().get_organization(ACME)
    auth0.add_fault(method="DELETE", path="/members$", drop=True)

    with pytest.raises(errors.Auth0Unreachable) as caught:
        get_client().remove_members(ACME, [BEN])

    assert caught.value.outcome_unknown
    assert len([r for r in auth0.api_requests() if r["method"] == "DELETE"]) == 1  # no retry


def test_an_unreachable_tenant_is_unreachable_with_nothing_sent(auth0, settings):
    settings.AUTH0_BASE_URL = "http://127.0.0.1:9"  # discard port: connection refused
    with pytest.raises(errors.Auth0Unreachable) as caught:
        get_client().remove_members(ACME, [BEN])
    assert not caught.value.outcome_unknown


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"status": 503}, "An internal server error occurred"),
        (
            {"status": 502, "raw_body": "<html><h1>502 Bad Gateway</h1></html>"},
            "without a JSON body",
        ),
        ({"status": 200, "raw_body": "<html>maintenance</html>"}, "without a JSON body"),
    ],
)
def test_server_errors_and_non_json_answers_are_server_errors(auth0, fault, message):
    get_client().get_organization(ACME)
    auth0.add_fault(path="/organizations/", **fault)
    with pytest.raises(errors.Auth0ServerError, match=message):
        get_client().get_organization(ACME)
    assert len(auth0.api_requests()) == 2  # never retried


def test_writes_send_a_correlation_id_and_return_it(auth0):
    client = get_client()
    generated = client.remove_members(ACME, [BEN])
    chosen = client.assign_member_roles(
        ACME, USER_IDS["ana"], [ROLE_IDS["viewer"]], correlation_id="x" * 80
    )

    writes = [r for r in auth0.api_requests() if r["method"] != "GET"]
    assert writes[0]["correlation_id"] == generated
    assert len(generated) == 32
    assert writes[1]["correlation_id"] == chosen == "x" * 64


def test_checkpoint_paging_of_organizations_walks_every_page(auth0):
    client = get_client()
    auth0.clear_requests()

    names = [org.name for org in client.iter_organizations(take=2)]

    assert names == ["acme", "globex", "initech"]
    assert len(auth0.api_requests()) == 2  # the organizations list omits next on its last page


def test_checkpoint_paging_of_members_stops_on_the_empty_page(auth0):
    client = get_client()
    auth0.clear_requests()

    members = list(client.iter_members(ACME, take=2))

    assert [m.user_id for m in members] == [USER_IDS["ana"], BEN, USER_IDS["mallory"]]
    assert [m.roles[0].name for m in members[:2]] == ["org-owner", "billing-admin"]
    assert len(auth0.api_requests()) == 3  # two pages, then the empty one that ends the walk


def test_offset_pages_carry_totals(auth0):
    page = get_client().list_organizations(page=1, per_page=2)
    assert [org.name for org in page.items] == ["initech"]
    assert (page.total, page.start, page.limit) == (3, 2, 2)


def test_a_member_page_is_typed_and_one_call(auth0):
    auth0.clear_requests()
    page = get_client().list_members(ACME, take=50)

    assert len(auth0.api_requests()) == 1
    ben = next(m for m in page.items if m.user_id == BEN)
    assert ben.label == "Ben Okafor"
    assert {r.name for r in ben.roles} == {"support-agent", "billing-admin"}
    with pytest.raises(AttributeError):
        ben.name = "changed"  # frozen


def test_two_processes_share_one_token(auth0, emulator_url, tmp_path):
    """Two worker processes start at once with an empty cache: one fetches, the other waits
    for the shared token instead of asking the token endpoint itself."""
    database = tmp_path / "shared.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "AUTH0_DOMAIN": EMULATOR_DOMAIN,
        "AUTH0_BASE_URL": emulator_url,
        "AUTH0_CLIENT_ID": DEMO_CLIENT_ID,
        "AUTH0_CLIENT_SECRET": DEMO_CLIENT_SECRET,
    }
    subprocess.run(
        [sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True, timeout=60
    )
    worker = (
        "import django; django.setup()\n"
        "from orgs.auth0_mgmt import get_client\n"
        f"for _ in range(3): get_client().get_organization({ACME!r})\n"
    )
    auth0.add_fault(path="^/oauth/token$", delay=0.5, times=2)  # a slow token endpoint
    auth0.clear_requests()

    processes = [
        subprocess.Popen([sys.executable, "-c", worker], cwd=ROOT, env=env) for _ in range(2)
    ]
    assert [p.wait(timeout=60) for p in processes] == [0, 0]

    assert len(token_requests(auth0)) == 1
    assert len(auth0.api_requests()) == 6


def test_a_token_is_replaced_shortly_before_it_expires(auth0):
    auth0.put_client(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET, token_lifetime=600)
    client = get_client()
    now = time.time()
    client.tokens.clock = lambda: now
    client.get_organization(ACME)
    client.tokens.clock = lambda: now + 539  # 61 s before expiry: still used
    client.get_organization(ACME)
    assert len(token_requests(auth0)) == 1

    client.tokens.clock = lambda: now + 541  # within the last minute: replaced
    client.get_organization(ACME)
    assert len(token_requests(auth0)) == 2


def test_a_short_lived_token_is_still_reused(auth0):
    auth0.put_client(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET, token_lifetime=30)
    client = get_client()
    for _ in range(3):
        client.get_organization(ACME)
    assert len(token_requests(auth0)) == 1


def test_tokens_and_the_client_secret_never_reach_logs_or_errors(auth0, caplog):
    caplog.set_level("DEBUG")
    client = get_client()
    client.get_organization(ACME)
    auth0.add_fault(path="/members$", status=403)
    with pytest.raises(errors.Auth0Error) as caught:
        client.remove_members(ACME, [BEN])

    token = client.tokens.get()
    logged = caplog.text + repr(caught.value) + str(caught.value)
    assert "Auth0 DELETE /api/v2/organizations" in caplog.text  # calls are logged...
    assert token not in logged  # ...without the bearer token
    assert DEMO_CLIENT_SECRET not in logged


def test_a_connect_timeout_is_a_timeout_with_a_known_outcome(auth0, emulator_url):
    """Nothing was sent when the connection itself timed out: the write did not happen."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    queued = []
    for _ in range(4):  # fill the accept queue: further connection attempts go unanswered
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        queued.append(filler)
    token = auth0.mint_token(DEMO_CLIENT_ID)
    client = ManagementClient(
        base_url=f"http://127.0.0.1:{port}",
        tokens=StaticToken(token),
        session=new_session(),
        timeout=(0.3, 1.0),
    )
    try:
        with pytest.raises(errors.Auth0Timeout) as caught:
            client.remove_members(ACME, [BEN])
    finally:
        for sock in [*queued, listener]:
            sock.close()
    assert not caught.value.outcome_unknown
    assert "did not accept the connection" in caught.value.message


def test_429_with_a_reset_of_now_still_waits_a_second_before_its_one_retry(auth0, recorded_sleep):
    auth0.add_fault(
        path="/organizations/", status=429, headers={"x-ratelimit-reset": str(int(time.time()))}
    )
    get_client().get_organization(ACME)
    assert recorded_sleep.waits == [1.0]


def test_429_honours_retry_after(auth0, recorded_sleep):
    far = str(int(time.time()) + 300)
    auth0.add_fault(
        path="/organizations/", status=429, headers={"retry-after": "2", "x-ratelimit-reset": far}
    )
    get_client().get_organization(ACME)
    assert 1.5 < recorded_sleep.waits[0] <= 2


def test_a_spent_request_budget_stops_further_calls_before_sending(auth0):
    from orgs.auth0_mgmt import deadline

    client = get_client()
    client.get_organization(ACME)
    auth0.clear_requests()
    with deadline.budget(0.1), pytest.raises(errors.Auth0Timeout, match="stopped waiting"):
        client.remove_members(ACME, [BEN])
    assert auth0.api_requests() == []


def test_the_request_budget_shortens_a_long_read_timeout(auth0):
    from orgs.auth0_mgmt import deadline

    client = get_client()
    client.get_organization(ACME)
    auth0.add_fault(method="GET", path="/organizations/", delay=3)
    started = time.monotonic()
    with deadline.budget(0.8), pytest.raises(errors.Auth0Timeout):
        client.get_organization(ACME)  # its own read timeout is 10 s
    assert time.monotonic() - started < 2.5
    assert client.timeout == (3.05, 10.0)


def test_the_shared_token_is_encrypted_in_the_cache(auth0, settings):
    from django.core.cache import caches

    from orgs.auth0_mgmt.config import _client_for

    client = get_client()
    client.get_organization(ACME)
    token = client.tokens.get()
    stored = caches[settings.AUTH0_TOKEN_CACHE].get(client.tokens.cache_key)
    assert token.encode() not in stored[0] and token not in repr(stored)

    settings.SECRET_KEY = "another-deployment-secret-key"  # a worker that cannot read it
    _client_for.cache_clear()
    get_client().get_organization(ACME)
    assert len(token_requests(auth0)) == 2  # it fetched its own instead of failing


def test_the_session_reads_proxies_and_the_ca_bundle_once(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/adminportal-ca.pem")

    tenant = new_session(base_url="https://travel0.us.auth0.com")
    local = new_session(base_url="http://127.0.0.1:8765")

    assert tenant.trust_env is False  # not read again on every call
    assert tenant.proxies["https"] == "http://proxy.example.com:3128"
    assert tenant.verify == "/etc/ssl/adminportal-ca.pem"
    assert "http" not in local.proxies and "https" not in local.proxies


def test_never_sent_is_decided_by_the_exception_types_urllib3_gives():
    import requests
    import urllib3

    from orgs.auth0_mgmt.client import _never_sent

    def wrapped(reason: Exception) -> requests.ConnectionError:
        return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason))

    refused = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    unresolved = urllib3.exceptions.NameResolutionError("auth0.test", None, OSError("no name"))
    broken = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError())
    assert _never_sent(wrapped(refused)) and _never_sent(wrapped(unresolved))
    assert _never_sent(requests.ConnectionError(ConnectionRefusedError()))
    assert not _never_sent(wrapped(broken))
    assert not _never_sent(requests.ConnectionError(broken))
    # A message that merely says "refused" is not a refused connection.
    assert not _never_sent(requests.ConnectionError(OSError("upstream refused the request")))
