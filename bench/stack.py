"""The benchmark's stack: the Auth0 emulator and the dashboard under gunicorn, each in its own
process on 127.0.0.1 (free ports), with a throw-away SQLite database, and a signed-in staff
session over HTTP. Everything started here is stopped by `Stack.close()` (also on error)."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
DOMAIN = "emulator.local"
CLIENT_ID = "adminportal-demo"
CLIENT_SECRET = "demo-client-secret"  # the demo seed's machine-to-machine client
STAFF = "bench-admin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class StackError(RuntimeError):
    pass


class Stack:
    """Start with `Stack(...).start()`; always `close()` (a context manager does)."""

    def __init__(self, *, workers: int, threads: int, removal_lag: float = 5.0) -> None:
        self.workers = workers
        self.threads = threads
        self.removal_lag = removal_lag
        self.tmp = Path(tempfile.mkdtemp(prefix="adminportal-bench-"))
        self.emulator_port = free_port()
        self.web_port = free_port()
        self.emulator_url = f"http://{HOST}:{self.emulator_port}"
        self.web_url = f"http://{HOST}:{self.web_port}"
        self.password = secrets.token_urlsafe(18)
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_COOKIES": "false",  # plain http on 127.0.0.1
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{self.tmp / 'db.sqlite3'}",
            "AUTH0_DOMAIN": DOMAIN,
            "AUTH0_BASE_URL": self.emulator_url,
            "AUTH0_CLIENT_ID": CLIENT_ID,
            "AUTH0_CLIENT_SECRET": CLIENT_SECRET,
            "BENCH_STAFF_PASSWORD": self.password,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("CACHE_URL", "DJANGO_CSRF_TRUSTED_ORIGINS", "OIDC_RP_CLIENT_ID"):
            self.env.pop(name, None)

    # --- processes ----------------------------------------------------------------------------

    def start(self) -> Stack:
        self._spawn(
            "emulator",
            [
                str(PYTHON),
                "-m",
                "emulator",
                "--host",
                HOST,
                "--port",
                str(self.emulator_port),
                "--domain",
                DOMAIN,
                "--seed",
                "demo",
                "--rate-limits",
                "off",  # calls are counted, not throttled
                "--member-removal-lag",
                str(self.removal_lag),
            ],
        )
        self._wait_for(f"{self.emulator_url}/__emulator__/health", "emulator")
        self._serve("gunicorn", self.web_port, ROOT, self.env)
        return self

    def start_baseline(self, commit: str) -> str:
        """The dashboard as it was at `commit` (its files from git, this .venv), under gunicorn
        beside this one, on the same emulator with its own database: the "before" of a side by
        side comparison. Its address; StackError when git cannot give that commit (e.g. a
        shallow clone)."""
        home = self.tmp / "baseline"
        home.mkdir()
        archive = subprocess.run(  # noqa: S603
            ["git", "archive", "--format=tar", commit],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        if archive.returncode:
            raise StackError(f"git archive {commit}: {archive.stderr.decode(errors='replace')}")
        subprocess.run(["tar", "-x", "-C", str(home)], input=archive.stdout, check=True)  # noqa: S607
        env = {**self.env, "DATABASE_URL": f"sqlite:///{self.tmp / 'baseline.sqlite3'}"}
        return self._serve("baseline", free_port(), home, env)

    def _serve(self, name: str, port: int, home: Path, env: dict[str, str]) -> str:
        """The dashboard of `home` under gunicorn on `port`, its database migrated, its static
        files collected (DEBUG is off: pages link hashed names) and the bench's Admin made.
        Its address, once it answers."""
        self._manage("migrate", "--noinput", cwd=home, env=env)
        self._manage("collectstatic", "--noinput", cwd=home, env=env)
        self._manage(
            "create_staff",
            STAFF,
            "--role",
            "admin",
            "--all-orgs",
            "--password-env",
            "BENCH_STAFF_PASSWORD",
            cwd=home,
            env=env,
        )
        self._spawn(name, self._gunicorn(port), cwd=home, env=env)
        url = f"http://{HOST}:{port}"
        self._wait_for(f"{url}/login/", name)
        return url

    def _gunicorn(self, port: int) -> list[str]:
        return [
            str(GUNICORN),
            "adminportal.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            "90",
            "--log-level",
            "warning",
            # gunicorn's control socket is one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn):
            # this one and the baseline would take it from each other.
            "--no-control-socket",
        ]

    def _spawn(
        self,
        name: str,
        argv: list[str],
        cwd: Path = ROOT,
        env: dict[str, str] | None = None,
    ) -> None:
        log = (self.tmp / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            argv, cwd=cwd, env=env or self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append((name, process))

    def _manage(self, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
        result = subprocess.run(  # noqa: S603
            [str(PYTHON), "manage.py", *args],
            cwd=cwd,
            env=env or self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise StackError(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")

    def _wait_for(self, url: str, name: str, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for label, process in self.processes:
                if process.poll() is not None:
                    raise StackError(f"{label} exited ({process.returncode}):\n{self.log(label)}")
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        raise StackError(
            f"{name} did not answer on {url} within {seconds:.0f} s:\n{self.log(name)}"
        )

    def log(self, name: str, lines: int = 30) -> str:
        path = self.tmp / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def close(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- a signed-in staff member, as the browser would be -------------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Portal:
    """The dashboard over HTTP with a staff session; htmx requests carry HX-Request: true."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.last: requests.Response | None = None

    def sign_in(self, username: str, password: str) -> None:
        form = self.session.get(f"{self.base_url}/login/", timeout=30)
        token = CSRF_FIELD.search(form.text)
        if form.status_code != 200 or token is None:
            raise StackError(f"no sign-in form ({form.status_code})")
        answer = self.session.post(
            f"{self.base_url}/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
                "next": "/organizations/",
            },
            headers={"Referer": f"{self.base_url}/login/"},
            allow_redirects=False,
            timeout=30,
        )
        if answer.status_code != 302 or "sessionid" not in self.session.cookies:
            raise StackError(f"sign-in failed ({answer.status_code})")

    @property
    def session_cookie(self) -> str:
        return self.session.cookies["sessionid"]

    def _headers(self, htmx: bool, current: str | None) -> dict[str, str]:
        headers = {"X-CSRFToken": self.session.cookies.get("csrftoken", "")}
        if htmx:
            headers["HX-Request"] = "true"
            if current:
                headers["HX-Current-URL"] = f"{self.base_url}{current}"
        return headers

    def get(
        self, path: str, params: Any = None, *, htmx: bool = False, current: str | None = None
    ) -> requests.Response:
        self.last = self.session.get(
            f"{self.base_url}{path}",
            params=params,
            headers=self._headers(htmx, current),
            allow_redirects=False,
            timeout=120,
        )
        return self.last

    def post(
        self, path: str, data: Any, *, htmx: bool = False, current: str | None = None
    ) -> requests.Response:
        self.last = self.session.post(
            f"{self.base_url}{path}",
            data=data,
            headers={
                **self._headers(htmx, current),
                "Referer": f"{self.base_url}{current or path}",
            },
            allow_redirects=False,
            timeout=120,
        )
        return self.last


def hx_messages(response: requests.Response) -> str:
    """The messages an htmx answer carries in HX-Trigger (for notes on refusals)."""
    raw = response.headers.get("HX-Trigger")
    if not raw:
        return ""
    try:
        events = json.loads(raw)
    except ValueError:
        return ""
    return " ".join(m.get("message", "") for m in events.get("messages", []) or [])


def progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)
