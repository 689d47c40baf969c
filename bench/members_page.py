"""Members with their roles, one page: adminportal's one call (fields=roles) against the
common approach of listing members and then fetching each member's roles (1 + N calls), side
by side in one run, against the emulator with a fixed latency per answer.

    .venv/bin/python bench/members_page.py [--latency 0.02] [--rounds 5]

Prints calls per page and the median time per page for both, and their ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator import Emulator, serve_in_thread  # noqa: E402
from emulator.control_client import ControlClient  # noqa: E402
from emulator.seeds import DEMO_CLIENTS  # noqa: E402
from orgs.auth0_mgmt.client import ManagementClient, new_session  # noqa: E402
from orgs.auth0_mgmt.tokens import StaticToken  # noqa: E402


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
        "organizations": [{"id": "org_Bench0000000001", "name": "bench", "members": org_members}],
    }


def one_call(client: ManagementClient, size: int) -> int:
    page = client.list_members("org_Bench0000000001", take=size, with_roles=True)
    assert all(member.roles for member in page.items)
    return len(page.items)


def one_plus_n(client: ManagementClient, size: int) -> int:
    page = client.list_members("org_Bench0000000001", take=size, with_roles=False)
    for member in page.items:
        roles = client.list_member_roles("org_Bench0000000001", member.user_id, per_page=50)
        assert roles.items
    return len(page.items)


def measure(control: ControlClient, fn, client: ManagementClient, size: int, rounds: int):  # noqa: ANN001
    times = []
    calls = 0
    for _ in range(rounds):
        control.clear_requests()
        started = time.perf_counter()
        fn(client, size)
        times.append(time.perf_counter() - started)
        calls = len(control.api_requests())
    return calls, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per API answer")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    emulator = Emulator(domain="bench.local", signing_key="bench-signing-key-long-enough-for-hs256")
    with serve_in_thread(emulator) as server:
        control = ControlClient(server.url)
        control.load_seed(seed(200))
        control.set_latency(args.latency)
        token = control.mint_token("adminportal-demo")
        client = ManagementClient(
            base_url=server.url, tokens=StaticToken(token), session=new_session()
        )
        print(
            f"Members page with roles; emulator latency {args.latency * 1000:.0f} ms per answer; "
            f"median of {args.rounds} rounds\n"
        )
        header = ("page size", "1 call: calls", "time", "1+N: calls", "time", "calls", "time")
        print("{:>9} | {:>13} {:>8} | {:>10} {:>8} | ratios: {:>5} {:>5}".format(*header))
        for size in (10, 25, 50):
            a_calls, a_time = measure(control, one_call, client, size, args.rounds)
            b_calls, b_time = measure(control, one_plus_n, client, size, args.rounds)
            row = (size, a_calls, a_time * 1000, b_calls, b_time * 1000)
            ratios = (b_calls / a_calls, b_time / a_time)
            print("{:>9} | {:>13} {:>6.0f}ms | {:>10} {:>6.0f}ms |".format(*row), end="")
            print("         {:>4.0f}x {:>4.1f}x".format(*ratios))


if __name__ == "__main__":
    main()
