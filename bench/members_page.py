"""Members with their roles, one page: adminportal's one call (fields=roles) against the peer,
Auth0's own SDK (auth0-python 6.8.0) used the common way: list the members, then fetch each
member's roles (1 + N calls). Side by side in one run, against the emulator with a fixed latency
per answer.

    .venv/bin/python bench/members_page.py [--latency 0.02] [--rounds 5]

Prints calls per page and the median time per page for both, and their ratios. ./bench/run
runs the same comparison (`compare`) against its own emulator process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auth0.management import Auth0  # noqa: E402

from emulator import Emulator, serve_in_thread  # noqa: E402
from emulator.control_client import ControlClient  # noqa: E402
from emulator.seeds import DEMO_CLIENTS  # noqa: E402
from orgs.auth0_mgmt.client import ManagementClient, new_session  # noqa: E402
from orgs.auth0_mgmt.tokens import StaticToken  # noqa: E402

ORG_ID = "org_Bench0000000001"
SIZES = (10, 25, 50)


def seed(members: int) -> dict:
    roles = [{"id": f"rol_Bench{i:011d}", "name": f"role-{i}"} for i in range(10)]
    users = [
        {"user_id": f"auth0|bench{i:019d}", "email": f"u{i}@bench.example.com"}
        for i in range(members)
    ]
    org_members = [
        {"user_id": u["user_id"], "roles": [roles[i % 10]["id"], roles[(i * 3) % 10]["id"]]}
        for i, u in enumerate(users)
    ]
    return {
        "clients": DEMO_CLIENTS,
        "roles": roles,
        "users": users,
        "organizations": [{"id": ORG_ID, "name": "bench", "members": org_members}],
    }


def adminportal_one_call(client: ManagementClient, size: int) -> int:
    """adminportal's members page: one call, the roles embedded (fields=…,roles)."""
    page = client.list_members(ORG_ID, take=size, with_roles=True)
    assert all(member.roles for member in page.items)
    return len(page.items)


def sdk_one_plus_n(sdk: Auth0, size: int) -> int:
    """The peer: auth0-python's members list, then each member's roles (1 + N calls)."""
    members = sdk.organizations.members.list(ORG_ID, take=size).items or []
    for member in members:
        roles = sdk.organizations.members.roles.list(ORG_ID, member.user_id, per_page=50)
        assert roles.items
    return len(members)


@dataclass(frozen=True)
class Result:
    calls: int
    seconds: float  # median per page


@dataclass(frozen=True)
class Row:
    size: int
    ours: Result
    peer: Result


def measure(control: ControlClient, fetch: Callable[[int], int], size: int, rounds: int) -> Result:
    fetch(size)  # warm: connections open, token fetched
    times = []
    calls = 0
    for _ in range(rounds):
        control.clear_requests()
        started = time.perf_counter()
        assert fetch(size) == size
        times.append(time.perf_counter() - started)
        calls = len(control.api_requests())
    return Result(calls, statistics.median(times))


def compare(
    base_url: str, *, latency: float, rounds: int, sizes: tuple[int, ...] = SIZES
) -> list[Row]:
    """Loads this benchmark's seed into the emulator at `base_url` (replacing its data), then
    measures both approaches per page size with `latency` seconds added to every answer."""
    control = ControlClient(base_url, timeout=60)
    control.load_seed(seed(max(sizes) * 4))
    token = control.mint_token("adminportal-demo")
    ours = ManagementClient(base_url=base_url, tokens=StaticToken(token), session=new_session())
    sdk = Auth0(base_url=f"{base_url}/api/v2", token=token, timeout=30)
    control.set_latency(latency)
    try:
        return [
            Row(
                size,
                measure(control, lambda n: adminportal_one_call(ours, n), size, rounds),
                measure(control, lambda n: sdk_one_plus_n(sdk, n), size, rounds),
            )
            for size in sizes
        ]
    finally:
        control.set_latency(0)


def table(rows: list[Row]) -> list[str]:
    header = (
        f"{'page size':>9} | {'adminportal: calls':>18} | {'auth0-python 1+N: calls':>23} | "
        f"{'peer/ours: calls':>16} | {'time':>5}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.size:>9} | {row.ours.calls:>18} | {row.peer.calls:>23} | "
            f"{row.peer.calls / row.ours.calls:>15.0f}× | "
            f"{row.peer.seconds / row.ours.seconds:>4.1f}×"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per API answer")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    emulator = Emulator(domain="bench.local", signing_key="bench-signing-key-long-enough-for-hs256")
    with serve_in_thread(emulator) as server:
        rows = compare(server.url, latency=args.latency, rounds=args.rounds)
    print(
        f"Members page with roles; emulator latency {args.latency * 1000:.0f} ms per answer; "
        f"median of {args.rounds} rounds\n"
    )
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
