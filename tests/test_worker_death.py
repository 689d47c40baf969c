"""A worker that dies in the middle of a write (issue 10, item 10): the attempt it left pending is
an unknown outcome as soon as its process has ended, not "Pending" for two minutes; the person
is told the outcome is unknown (tests/browser/test_unknown_outcome.py)."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from orgs.models import AuditEvent
from orgs.staff import owners
from orgs.staff.audit import ORPHANED, settle_orphans
from tests.conftest import AUDIENCE, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EMULATOR_DOMAIN
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, text

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
ACME, BEN, VIEWER = ORG_IDS["acme"], USER_IDS["ben"], ROLE_IDS["viewer"]


def ended_process() -> int:
    """The pid of a process that has run and been reaped."""
    return int(subprocess.check_output([sys.executable, "-c", "import os; print(os.getpid())"]))


def pending(owner: str) -> AuditEvent:
    return AuditEvent.objects.create(
        staff_username="admin",
        action=AuditEvent.Action.MEMBER_ROLES_ASSIGN,
        org_id=ACME,
        targets=[{"user_id": BEN, "label": "Ben Okafor"}],
        owner=owner,
    )


def outcome(event: AuditEvent) -> str:
    return AuditEvent.objects.get(pk=event.pk).outcome


def test_an_attempt_records_the_process_making_it(auth0, client):
    response = client.post(
        f"/organizations/{ACME}/members/{quote(BEN, safe='')}/", {"roles": [VIEWER]}, headers=HX
    )
    assert response.status_code == 204
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_ROLES_ASSIGN)
    assert event.owner == owners.this_process()
    assert event.owner.startswith(f"{owners.HOST}:{os.getpid()}:")
    assert not owners.is_gone(event.owner)


def test_activity_shows_an_ended_workers_attempt_as_unknown_at_once(auth0, client):
    dead = pending(f"{owners.HOST}:{ended_process()}:123")
    alive = pending(owners.this_process())
    reused_pid = pending(f"{owners.HOST}:{os.getpid()}:1")  # same pid, another start: ended
    elsewhere = pending(f"other-host.example:{os.getpid()}:1")  # unknown here: left pending

    page = text(client.get("/activity/"))

    assert outcome(dead) == outcome(reused_pid) == AuditEvent.Outcome.UNKNOWN
    assert outcome(alive) == outcome(elsewhere) == AuditEvent.Outcome.PENDING
    assert page.count("outcome-unknown") == 2 and page.count("outcome-pending") == 2
    assert AuditEvent.objects.get(pk=dead.pk).message == ORPHANED
    assert "adminportal stopped before Auth0 answered." in page
    assert "may or may not have been made: check before trying again." in page
    only_pending = text(client.get("/activity/", {"outcome": "pending"}))
    assert only_pending.count("outcome-pending") == 2
    assert "outcome-unknown" not in only_pending
    assert settle_orphans() == 0  # once


# --- end to end: a real gunicorn whose worker is killed while Auth0 has not answered ----------


def gunicorn_worker(master: int, deadline: float) -> int:
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children")
        found = children.read_text().split() if children.exists() else []
        if found:
            return int(found[0])
        time.sleep(0.05)
    raise AssertionError("gunicorn started no worker")


def poll(check, seconds: float = 20.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not true within {seconds} s: {check}")


@pytest.fixture
def served(tmp_path: Path, emulator_url: str) -> Iterator[tuple[str, Path, int]]:
    """The dashboard under gunicorn (the project's gunicorn.conf.py, one worker) with its own
    SQLite database and an Admin "admin": (address, database, master pid)."""
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # static files without collectstatic
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_COOKIES": "false",
        "DATABASE_URL": f"sqlite:///{database}",
        "AUTH0_DOMAIN": EMULATOR_DOMAIN,
        "AUTH0_BASE_URL": emulator_url,
        "AUTH0_AUDIENCE": AUDIENCE,
        "AUTH0_CLIENT_ID": DEMO_CLIENT_ID,
        "AUTH0_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "AUTH0_TIMEOUT_READ": "60",  # the worker waits for Auth0 until it is killed
        "AUTH0_REQUEST_BUDGET": "60",
        "STAFF_PASSWORD": "worker-death-password",
        "PYTHONWARNINGS": "ignore",
    }
    for name in ("CACHE_URL", "OIDC_RP_CLIENT_ID"):
        env.pop(name, None)
    manage = [str(PYTHON), "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [
            *manage,
            "create_staff",
            "admin",
            "--role",
            "admin",
            "--all-orgs",
            "--password-env",
            "STAFF_PASSWORD",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    master = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "adminportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
            "--no-control-socket",  # gunicorn's per-user socket: another may be running
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        poll(lambda: _answers(url, master), 30)
        yield url, database, master.pid
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(15)
        except subprocess.TimeoutExpired:
            master.kill()


def _answers(url: str, master: subprocess.Popen) -> bool:
    assert master.poll() is None, "gunicorn exited"
    try:
        return requests.get(f"{url}/login/", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def outcomes(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT outcome, message FROM orgs_auditevent WHERE action = 'member_roles_assign'"
        ).fetchall()


def test_a_worker_killed_mid_write_leaves_an_unknown_outcome_at_once(served, auth0):
    url, database, master = served
    browser = requests.Session()
    form = browser.get(f"{url}/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    browser.post(
        f"{url}/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "admin",
            "password": "worker-death-password",
        },
        headers={"Referer": f"{url}/login/"},
        timeout=10,
    )
    member = f"{url}/organizations/{ACME}/members/{quote(BEN, safe='')}/"
    assert browser.get(member, timeout=10).status_code == 200
    auth0.add_fault(
        path=f"/members/{re.escape(quote(BEN, safe=''))}/roles$", method="POST", delay=60
    )
    answers: list[object] = []
    post = threading.Thread(target=lambda: answers.append(_post(browser, member, url)), daemon=True)
    post.start()
    poll(lambda: outcomes(database) == [("pending", "")])  # recorded; Auth0 has not answered

    os.kill(gunicorn_worker(master, time.monotonic() + 10), signal.SIGKILL)

    assert poll(lambda: outcomes(database) == [("unknown", ORPHANED)])  # by gunicorn's child_exit
    post.join(10)
    assert answers and isinstance(answers[0], requests.ConnectionError)  # no answer came


def _post(browser: requests.Session, member: str, url: str) -> object:
    try:
        return browser.post(
            member,
            {"roles": [VIEWER]},
            headers={"X-CSRFToken": browser.cookies.get("csrftoken", ""), "Referer": url},
            timeout=30,
        )
    except requests.RequestException as exc:
        return exc
