"""Two dashboard servers (gunicorn, one worker each, as on two hosts) sharing one Redis cache
and one database, in front of the emulator: what one server learns or holds, the other sees.

- one Management API token fetch serves both;
- the per-organization lock around protected-role changes excludes across servers;
- a rate-limited endpoint group met by one server is not called by the other;
- the organization catalogue is read from Auth0 once for both;
- a member read by one server's page serves the other's dialog; sessions are shared.

They need a Redis server: ADMINPORTAL_TEST_CACHE_URL=redis://127.0.0.1:6379/15 (.ci/run starts a
throw-away one). Every test uses keys of its own (a key prefix) and deletes them afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.urls import reverse

from emulator import EmulatorHTTPServer
from emulator.control_client import ControlClient
from tests.conftest import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EMULATOR_DOMAIN
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import hx_messages, members_of

CACHE_URL = os.environ.get("ADMINPORTAL_TEST_CACHE_URL", "")
pytestmark = pytest.mark.skipif(
    not CACHE_URL,
    reason="needs a Redis server: set ADMINPORTAL_TEST_CACHE_URL=redis://127.0.0.1:6379/15 "
    "(.ci/run starts one for these tests)",
)

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STAFF, PASSWORD = "shared-admin", "shared-admin-password"
ACME, GLOBEX = ORG_IDS["acme"], ORG_IDS["globex"]
ANA, BEN = USER_IDS["ana"], USER_IDS["ben"]
OWNER = ROLE_IDS["org-owner"]
HX = {"HX-Request": "true"}


def with_prefix(url: str, prefix: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "key_prefix"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("key_prefix", prefix)])))


def server_env(database: Path, prefix: str, emulator_url: str) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "AUTH0_", "OIDC_", "CACHE_URL", "DATABASE_URL"))
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # static files without collectstatic
        "DATABASE_URL": f"sqlite:///{database}",
        "CACHE_URL": with_prefix(CACHE_URL, prefix),
        "AUTH0_DOMAIN": EMULATOR_DOMAIN,
        "AUTH0_BASE_URL": emulator_url,
        "AUTH0_CLIENT_ID": DEMO_CLIENT_ID,
        "AUTH0_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "DJANGO_LOG_LEVEL": "WARNING",
        "PASSWORD": PASSWORD,
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {args[0]}:\n{result.stdout}{result.stderr}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def poll(condition: Callable[[], object], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.02)  # between polls


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"{self.url} exited:\n{self.log.read_text(errors='replace')}")
        try:
            return requests.get(f"{self.url}/login/", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def stop(self) -> None:
        """After `halt()`: wait for the end (killed after 30 s)."""
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def halt(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown


@dataclass
class Deployment:
    a: Server
    b: Server
    prefix: str
    redis: Any  # redis.Redis

    def cached(self, key: str) -> bool:
        """Whether the shared cache holds Django's `key` (version 1) now."""
        return bool(self.redis.exists(f"{self.prefix}:1:{key}"))

    def raw_values(self, pattern: str) -> list[bytes]:
        return [self.redis.get(k) for k in self.redis.scan_iter(f"{self.prefix}:1:{pattern}")]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the schema and an Admin of every organization, copied for each test."""
    database = tmp_path_factory.mktemp("shared") / "template.sqlite3"
    env = server_env(database, "unused", "http://127.0.0.1:9")
    manage(env, "migrate", "--noinput")
    manage(
        env, "create_staff", STAFF, "--role", "admin", "--all-orgs", "--password-env", "PASSWORD"
    )
    return database


@pytest.fixture
def deployment(
    migrated: Path,
    tmp_path: Path,
    emulator_server: EmulatorHTTPServer,
    emulator: ControlClient,
) -> Iterator[Deployment]:
    """Two gunicorn servers ("hosts") on one database and one Redis; their keys are deleted
    afterwards."""
    import redis

    database = tmp_path / "db.sqlite3"
    shutil.copy(migrated, database)
    prefix = f"adminportal-test-{uuid.uuid4().hex[:12]}"
    env = server_env(database, prefix, emulator_server.url)
    servers = []
    for name in ("a", "b"):
        port, log = free_port(), tmp_path / f"{name}.log"
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "adminportal.wsgi:application",
            *("--bind", f"{HOST}:{port}", "--workers", "1", "--timeout", "60"),
            *("--log-level", "warning", "--no-control-socket"),
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        servers.append(Server(f"http://{HOST}:{port}", process, log))
    client = redis.Redis.from_url(CACHE_URL)
    try:
        for server in servers:
            poll(server.answers, f"{server.url} answers")
        yield Deployment(servers[0], servers[1], prefix, client)
    finally:
        for server in servers:
            server.halt()
        for server in servers:
            server.stop()
            print(f"--- {server.url}:\n{server.log.read_text(errors='replace')}")  # on failure
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


class Staff:
    """A signed-in staff member's browser; its session cookie works on either server."""

    def __init__(self, server: Server) -> None:
        http = requests.Session()
        http.get(f"{server.url}/login/", timeout=30)
        signed_in = http.post(
            f"{server.url}/login/",
            data={"username": STAFF, "password": PASSWORD},
            headers={"X-CSRFToken": http.cookies["csrftoken"]},
            allow_redirects=False,
            timeout=30,
        )
        assert signed_in.status_code == 302, signed_in.text
        self.cookies = http.cookies.get_dict()

    def get(self, server: Server, path: str, *, htmx: bool = False) -> requests.Response:
        return requests.get(
            f"{server.url}{path}",
            cookies=self.cookies,
            headers=HX if htmx else {},
            allow_redirects=False,
            timeout=60,
        )

    def get_at_once(self, *visits: tuple[Server, str]) -> list[requests.Response]:
        """The pages, each asked of its server, all at the same time."""
        with ThreadPoolExecutor(len(visits)) as pool:
            return list(pool.map(lambda visit: self.get(*visit), visits))

    def post(self, server: Server, path: str, data: dict[str, str]) -> requests.Response:
        return requests.post(
            f"{server.url}{path}",
            data=data,
            cookies=self.cookies,
            headers={**HX, "X-CSRFToken": self.cookies["csrftoken"]},
            allow_redirects=False,
            timeout=60,
        )


def members_page(org_id: str) -> str:
    return reverse("orgs:organization_detail", kwargs={"org_id": org_id})


def calls(emulator: ControlClient, method: str, path: str) -> int:
    return sum(1 for r in emulator.requests() if r["method"] == method and r["path"] == path)


def test_one_token_fetch_serves_both_servers(deployment: Deployment, emulator: ControlClient):
    staff = Staff(deployment.a)
    # The token endpoint answers slowly: the other server asks for a token meanwhile.
    emulator.add_fault(method="POST", path="^/oauth/token$", delay=1.0)
    pages = staff.get_at_once(
        (deployment.a, members_page(ACME)), (deployment.b, members_page(GLOBEX))
    )
    later = staff.get(deployment.b, members_page(ORG_IDS["initech"]))

    assert [p.status_code for p in [*pages, later]] == [200, 200, 200]  # B knows A's session
    assert "Ben Okafor" in pages[0].text and "Chloé García" in pages[1].text
    assert calls(emulator, "POST", "/oauth/token") == 1
    sealed = deployment.raw_values("adminportal:auth0-token:*")
    jwt = re.compile(rb"eyJ[\w-]+\.eyJ[\w-]+\.")  # a token's header and payload
    assert sealed and not any(jwt.search(value) for value in sealed)  # kept encrypted
    # (not b"eyJ" alone: the ciphertext's base64 holds it by chance, one run in a few hundred)


def test_the_protected_role_lock_excludes_across_servers(
    deployment: Deployment, emulator: ControlClient, api
):
    """Ana and Ben hold org-owner in Acme. Server A is removing Ana's (Auth0 is slow to confirm
    that Ben still holds it) when server B is asked to remove Ben's: refused, A holds the
    organization's lock. Without a shared lock each check would see the other holder, and
    Acme would be left without an owner."""
    assert api("POST", f"/organizations/{ACME}/members/{BEN}/roles", json={"roles": [OWNER]}).ok
    staff = Staff(deployment.a)

    def remove_owner(server: Server, user_id: str) -> requests.Response:
        path = reverse("orgs:member_role_remove", kwargs={"org_id": ACME, "user_id": user_id})
        assert staff.get(server, f"{path}?role={OWNER}", htmx=True).status_code == 200
        return staff.post(server, path, {"role": OWNER})

    ben_roles = f"/api/v2/organizations/{ACME}/members/{quote(BEN, safe='')}/roles"
    emulator.add_fault(method="GET", path=f"{re.escape(ben_roles)}$", delay=3.0)
    lock = f"adminportal:protected-roles-lock:{ACME}"
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(remove_owner, deployment.a, ANA)
        poll(lambda: calls(emulator, "GET", ben_roles) or first.done(), "A confirms Ben's role")
        assert deployment.cached(lock)  # held by A from its check until its write is done
        second = remove_owner(deployment.b, BEN)
        first_answer = first.result()

    assert first_answer.status_code == 204, hx_messages(first_answer)
    [(_, refusal)] = hx_messages(second)
    assert "Someone else is changing who holds org-owner in this organization right now" in refusal
    owners = {user for user, roles in members_of(emulator, ACME).items() if OWNER in roles}
    assert owners == {BEN}
    assert not deployment.cached(lock)  # released by A when its write was done


def test_a_rate_limit_met_by_one_server_holds_the_other_back(
    deployment: Deployment, emulator: ControlClient
):
    emulator.set_rate_limits(
        preset="off", buckets={"read_organization_members": {"burst": 1, "per_second": 1 / 60}}
    )
    staff = Staff(deployment.a)
    members = f"/api/v2/organizations/{ACME}/members"
    assert staff.get(deployment.a, members_page(ACME)).status_code == 200  # the one request
    assert staff.get(deployment.a, members_page(ACME), htmx=True).status_code == 429  # Auth0's
    assert calls(emulator, "GET", members) == 2

    refused = staff.get(deployment.b, members_page(ACME), htmx=True)

    assert refused.status_code == 429
    [(_, message)] = hx_messages(refused)
    assert "Auth0 is limiting how fast" in message and "Try again in " in message
    assert calls(emulator, "GET", members) == 2  # B did not call Auth0 into a 429 of its own


def test_the_organization_catalogue_is_read_once_for_both(
    deployment: Deployment, emulator: ControlClient
):
    staff = Staff(deployment.a)
    # Auth0 lists organizations slowly: the other server needs the catalogue meanwhile.
    emulator.add_fault(method="GET", path="^/api/v2/organizations$", delay=1.0)
    found = staff.get_at_once(
        (deployment.a, "/organizations/?q=acme"), (deployment.b, "/organizations/?q=glob")
    )

    assert [page.status_code for page in found] == [200, 200]
    assert ACME in found[0].text and GLOBEX in found[1].text
    assert calls(emulator, "GET", "/api/v2/organizations") == 1


def test_a_member_read_by_one_server_serves_the_other_servers_dialog(
    deployment: Deployment, emulator: ControlClient
):
    staff = Staff(deployment.a)
    member = reverse("orgs:member_detail", kwargs={"org_id": ACME, "user_id": BEN})
    assert staff.get(deployment.a, member).status_code == 200
    emulator.clear_requests()

    remove = reverse("orgs:member_remove", kwargs={"org_id": ACME, "user_id": BEN})
    confirmation = staff.get(deployment.b, remove, htmx=True)

    assert confirmation.status_code == 200 and "Ben Okafor" in confirmation.text
    assert emulator.requests() == []  # not even a token: nothing asked of Auth0
