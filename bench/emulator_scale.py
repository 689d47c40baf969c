"""The emulator scales with its data: the dashboard's calls cost the same in an organization of
10 members and in one of 100,000, and seeds load in time linear in their size. Side by side in
one run, against an emulator served in a thread (no injected latency, rate limits off):

- each call the dashboard makes, for a member of a 10-member organization and of a
  100,000-member one in the same tenant: the members page (take=50, fields=roles) first, from a
  cursor in the middle and by offset with totals, a member's roles, the user, the user's
  organizations, and adding then removing a member; median of --rounds rounds, interleaved;
- loading a seed of 20,000 users through the control API (POST /__emulator__/seed), against
  the 2 s target; and loading the 100,000-member organization (`generated_members`).

    .venv/bin/python bench/emulator_scale.py [--rounds 25] [--members 100000] [--users 20000]

Prints ratios (100,000 members / 10 members; load time / target) beside the times.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator import Emulator, Request, serve_in_thread  # noqa: E402
from emulator.control import load_seed  # noqa: E402
from emulator.control_client import ControlClient  # noqa: E402
from emulator.paging import encode_cursor  # noqa: E402
from emulator.seeds import DEMO_CLIENTS  # noqa: E402

SMALL, BIG = "org_ScaleSmall000001", "org_ScaleBig00000001"
ROLES = [{"id": f"rol_Scale{i:011d}", "name": f"scale-role-{i}"} for i in range(10)]
SEED_TARGET_SECONDS = 2.0
SIGNING_KEY = "bench-signing-key-long-enough-for-hs256"
NEWCOMERS = ("auth0|newcomer0000000000000001", "auth0|newcomer0000000000000002")

Row = tuple[str, str]


def tenant_seed(members: int) -> dict:
    """Two organizations in one tenant, 10 and `members` members, each holding two roles."""
    roles = [ROLES[0]["id"], ROLES[3]["id"]]
    return {
        "clients": DEMO_CLIENTS,
        "roles": ROLES,
        "organizations": [
            {
                "id": org_id,
                "name": name,
                "generated_members": {"count": count, "roles": roles},
            }
            for org_id, name, count in ((SMALL, "small", 10), (BIG, "big", members))
        ],
    }


def users_seed(users: int) -> dict:
    return {
        "clients": DEMO_CLIENTS,
        "users": [
            {
                "user_id": f"auth0|seed{i:020d}",
                "email": f"user{i}@seed.example.com",
                "name": f"User {i}",
                "given_name": "User",
                "family_name": str(i),
            }
            for i in range(users)
        ],
    }


class HttpApi:
    """One keep-alive connection to the emulator's Management API."""

    def __init__(self, base_url: str, token: str) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def __call__(self, method: str, path: str, query: dict | None = None, body=None) -> float:  # noqa: ANN001
        """Seconds for the call (request sent to answer read); fails on an unexpected status."""
        url = "/api/v2" + path + (f"?{urlencode(query)}" if query else "")
        payload = None if body is None else json.dumps(body)
        started = time.perf_counter()
        self.connection.request(method, url, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status >= 300:
            raise RuntimeError(f"{method} {url}: {response.status} {data[:200]!r}")
        return elapsed

    def close(self) -> None:
        self.connection.close()


class InProcessApi:
    """The same calls straight to Emulator.handle: the emulator's own work, without HTTP."""

    def __init__(self, emulator: Emulator, token: str) -> None:
        self.emulator = emulator
        self.headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def __call__(self, method: str, path: str, query: dict | None = None, body=None) -> float:  # noqa: ANN001
        request = Request(
            method,
            "/api/v2" + unquote(path),
            urlencode(query or {}),
            self.headers,
            b"" if body is None else json.dumps(body).encode(),
        )
        started = time.perf_counter()
        response = self.emulator.handle(request)
        elapsed = time.perf_counter() - started
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {response.body[:200]!r}")
        return elapsed

    def close(self) -> None:
        pass


Api = HttpApi | InProcessApi


def member_calls(
    emulator: Emulator, api: Api, org_id: str, newcomer: str
) -> dict[str, Callable[[], float]]:
    """The dashboard's calls for one organization, each a function returning its seconds."""
    view = emulator.tenant.members_view(org_id)
    middle = view[len(view) // 2 - 1]  # 5 members follow it in the 10-member organization
    cursor = encode_cursor(middle.created_us, middle.user_id)
    member = quote(view[len(view) - 1].user_id, safe="")
    members = f"/organizations/{org_id}/members"
    fields = "user_id,email,name,picture,roles"

    def add_and_remove() -> float:
        joined = api("POST", members, body={"members": [newcomer]})
        return joined + api("DELETE", members, body={"members": [newcomer]})

    return {
        "members page, take=50, fields=roles (10 vs 50 rows)": lambda: api(
            "GET", members, {"take": 50, "fields": fields}
        ),
        "members page, take=5, fields=roles (5 rows each)": lambda: api(
            "GET", members, {"take": 5, "fields": fields}
        ),
        "members page, take=5 from the middle's cursor": lambda: api(
            "GET", members, {"take": 5, "from": cursor, "fields": fields}
        ),
        "members page, page=1 per_page=5, totals": lambda: api(
            "GET", members, {"page": 1, "per_page": 5, "include_totals": "true", "fields": fields}
        ),
        "a member's roles": lambda: api("GET", f"{members}/{member}/roles"),
        "the user": lambda: api("GET", f"/users/{member}"),
        "the user's organizations": lambda: api("GET", f"/users/{member}/organizations"),
        "add then remove a member (2 calls)": add_and_remove,
    }


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def compare(
    emulator: Emulator, api: Api, rounds: int
) -> dict[str, tuple[list[float], list[float]]]:
    small = member_calls(emulator, api, SMALL, NEWCOMERS[0])
    big = member_calls(emulator, api, BIG, NEWCOMERS[1])
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in small}
    for name in small:  # warm up
        small[name]()
        big[name]()
    for _ in range(rounds):
        for name in small:  # interleaved, so drift hits both sides alike
            times[name][0].append(small[name]())
            times[name][1].append(big[name]())
    api.close()
    return times


def measure_pages(members: int, rounds: int) -> list[Row]:
    emulator = Emulator(domain="scale.local", signing_key=SIGNING_KEY)
    started = time.perf_counter()
    load_seed(emulator, tenant_seed(members))
    load_seconds = time.perf_counter() - started
    for user_id in NEWCOMERS:
        emulator.tenant.add_user({"user_id": user_id, "email": f"{user_id[6:]}@example.com"})
    with serve_in_thread(emulator) as server:
        token = ControlClient(server.url).mint_token("adminportal-demo")
        over_http = compare(emulator, HttpApi(server.url, token), rounds)
    in_process = compare(emulator, InProcessApi(emulator, token), rounds)
    rows: list[Row] = []
    for title, times in (("over HTTP", over_http), ("in process, no HTTP", in_process)):
        rows.append(
            (
                f"10 vs {members:,} members, {title} (median of {rounds})",
                "10 members | big org    | ratio big/small",
            )
        )
        for name, (a, b) in times.items():
            figures = f"{median_ms(a):7.3f} ms | {median_ms(b):7.3f} ms | {_ratio(b, a)}"
            rows.append((f"  {name}", figures))
    rows.append(
        (
            f"loading the {members:,}-member organization (generated_members)",
            f"{load_seconds:.2f} s, {load_seconds / members * 1e6:.1f} µs per member",
        )
    )
    return rows


def measure_seed(users: int, rounds: int) -> list[Row]:
    seed = users_seed(users)
    emulator = Emulator(domain="seed.local", signing_key=SIGNING_KEY)
    over_http: list[float] = []
    in_process: list[float] = []
    with serve_in_thread(emulator) as server:
        control = ControlClient(server.url, timeout=120)
        for _ in range(rounds):
            started = time.perf_counter()
            loaded = control.load_seed(seed)
            over_http.append(time.perf_counter() - started)
            assert loaded["users"] == users, loaded
            started = time.perf_counter()
            load_seed(emulator, seed)
            in_process.append(time.perf_counter() - started)
    via_api = statistics.median(over_http)
    direct = statistics.median(in_process)
    return [
        (
            f"seed of {users:,} users, POST /__emulator__/seed (median of {rounds})",
            f"{via_api:.2f} s = {via_api / SEED_TARGET_SECONDS:.2f}x the "
            f"{SEED_TARGET_SECONDS:.0f} s target",
        ),
        (
            f"seed of {users:,} users, in process (seeds.load)",
            f"{direct:.2f} s = {direct / SEED_TARGET_SECONDS:.2f}x the "
            f"{SEED_TARGET_SECONDS:.0f} s target",
        ),
    ]


def _ratio(big: list[float], small: list[float]) -> str:
    return f"{statistics.median(big) / statistics.median(small):.2f}x"


def run(*, rounds: int = 25, members: int = 100_000, users: int = 20_000) -> list[Row]:
    """Both measurements, as (label, figures) rows ready to print."""
    return measure_pages(members, rounds) + measure_seed(users, max(3, rounds // 8))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25, help="rounds per call (median)")
    parser.add_argument("--members", type=int, default=100_000, help="the big organization")
    parser.add_argument("--users", type=int, default=20_000, help="users in the seed to load")
    args = parser.parse_args()
    rows = run(rounds=args.rounds, members=args.members, users=args.users)
    width = max(len(label) for label, _ in rows)
    for label, figures in rows:
        print(f"{label:<{width}}  {figures}")


if __name__ == "__main__":
    main()
