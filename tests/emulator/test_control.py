"""The control API: faults, latency, request log, reset, seed, state, and the command line."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from emulator.control_client import ControlClient
from tests.seeds import ORG_IDS, USER_IDS

ORG_PATH = f"/organizations/{ORG_IDS['acme']}"
MEMBERS_PATH = f"{ORG_PATH}/members"
ROOT = Path(__file__).resolve().parents[2]


def test_a_fault_answers_the_next_n_matching_requests_then_stops(api, emulator):
    emulator.add_fault(method="GET", path="/members$", status=503, times=2)

    statuses = [api("GET", MEMBERS_PATH).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert api("GET", ORG_PATH).status_code == 200  # other paths never matched


def test_a_fault_without_body_gets_auth0s_body_for_the_status(api, emulator):
    emulator.add_fault(path="/members", status=429)
    response = api("DELETE", MEMBERS_PATH, json={"members": [USER_IDS["ben"]]})
    assert response.status_code == 429
    assert response.json()["errorCode"] == "too_many_requests"
    assert "x-ratelimit-reset" in response.headers
    assert USER_IDS["ben"] in [m["user_id"] for m in api("GET", MEMBERS_PATH).json()]


def test_a_fault_with_explicit_body_headers_and_html(api, emulator):
    emulator.add_fault(
        path="/members",
        status=429,
        body={"statusCode": 429, "message": "slow down"},
        headers={"x-ratelimit-reset": "42"},
    )
    emulator.add_fault(path="/organizations/org_", status=502, raw_body="<html>Bad gateway</html>")

    limited = api("GET", MEMBERS_PATH)
    gateway = api("GET", ORG_PATH)

    assert limited.json() == {"statusCode": 429, "message": "slow down"}
    assert limited.headers["x-ratelimit-reset"] == "42"
    assert gateway.status_code == 502
    assert gateway.headers["content-type"] == "text/html"
    assert gateway.text == "<html>Bad gateway</html>"


def test_a_delay_fault_makes_a_client_time_out_but_the_write_still_applies(api, emulator):
    emulator.add_fault(method="DELETE", path="/members$", delay=1.0)

    with pytest.raises(requests.exceptions.ReadTimeout):
        api("DELETE", MEMBERS_PATH, json={"members": [USER_IDS["ben"]]}, timeout=0.2)

    assert USER_IDS["ben"] not in [m["user_id"] for m in api("GET", MEMBERS_PATH).json()]


def test_a_dropped_connection_never_answers_and_changes_nothing(api, emulator):
    emulator.add_fault(method="DELETE", path="/members$", drop=True)

    with pytest.raises(requests.exceptions.ConnectionError):
        api("DELETE", MEMBERS_PATH, json={"members": [USER_IDS["ben"]]})

    assert USER_IDS["ben"] in [m["user_id"] for m in api("GET", MEMBERS_PATH).json()]
    assert emulator.api_requests()[0]["status"] == "dropped"


def test_latency_is_added_to_every_answer(api, emulator):
    emulator.set_latency(0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api("GET", ORG_PATH, timeout=0.1)
    emulator.set_latency(0)
    assert api("GET", ORG_PATH, timeout=2).status_code == 200


def test_the_request_log_counts_calls_with_bodies_and_correlation_ids(api, emulator):
    emulator.clear_requests()
    api("GET", MEMBERS_PATH, params={"per_page": 5})
    api(
        "DELETE",
        MEMBERS_PATH,
        json={"members": [USER_IDS["ben"]]},
        headers={"X-Correlation-ID": "c-1"},
    )

    log = emulator.api_requests()

    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", MEMBERS_PATH.replace("/organizations", "/api/v2/organizations"), 200),
        ("DELETE", MEMBERS_PATH.replace("/organizations", "/api/v2/organizations"), 204),
    ]
    assert log[0]["query"] == "per_page=5"
    assert log[1]["body"] == {"members": [USER_IDS["ben"]]}
    assert log[1]["correlation_id"] == "c-1"


def test_reset_restores_the_seed_and_clears_faults_and_clock(api, emulator):
    api("DELETE", MEMBERS_PATH, json={"members": [USER_IDS["ben"]]})
    emulator.add_fault(path=".*", status=500, times=0)
    emulator.advance_clock(3600)

    emulator.reset()

    assert emulator.call("GET", "faults") == {"faults": []}
    assert emulator.call("GET", "clock")["offset"] == 0
    assert USER_IDS["ben"] in [m["user_id"] for m in api("GET", MEMBERS_PATH).json()]


def test_rotating_the_signing_key_refuses_earlier_tokens_until_reset(api, emulator):
    old = emulator.mint_token("adminportal-demo")

    emulator.rotate_signing_key()
    refused = api("GET", ORG_PATH, token=old)
    fresh = api("GET", ORG_PATH, token=emulator.mint_token("adminportal-demo"))
    emulator.reset()

    assert refused.status_code == 401
    assert refused.json()["message"].startswith("Invalid signature received")
    assert fresh.status_code == 200
    assert api("GET", ORG_PATH, token=old).status_code == 200  # reset: the first key again


def test_state_dump_loads_back_to_the_same_state(emulator):
    dumped = emulator.state()
    emulator.load_seed("empty")
    assert emulator.state()["organizations"] == []

    emulator.load_seed(dumped)

    assert emulator.state() == dumped


def test_bad_control_requests_say_what_is_wrong(emulator):
    with pytest.raises(RuntimeError, match="unknown seed"):
        emulator.load_seed("nope")
    with pytest.raises(RuntimeError, match="404"):
        emulator.call("POST", "teleport", {})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_command_line_serves_the_demo_seed():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "--port",
            str(port),
            "--seed",
            "demo",
            "--domain",
            "demo.test",
            "--member-removal-lag",
            "0",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        control = ControlClient(f"http://127.0.0.1:{port}", timeout=1)
        deadline = time.monotonic() + 30
        while True:
            try:
                health = control.health()
                break
            except OSError:
                assert process.poll() is None, "the emulator exited"
                assert time.monotonic() < deadline, "the emulator did not start within 30 s"
                time.sleep(0.05)  # polling for the process to listen, not waiting on state
        state = control.state()
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert health["audience"] == "https://demo.test/api/v2/"
    assert 25 <= len(state["organizations"]) <= 35
    assert max(len(o["members"]) for o in state["organizations"]) >= 2500
    assert len(state["roles"]) == 15
    assert len(state["user_roles"]) >= 20
