"""Browser fixtures: Debian's Chromium driven by Playwright's sync API (pytest-playwright is not
used), the dashboard served by pytest-django's live_server and talking to the emulator.

- one browser per session, a new context and page per test;
- every request that does not go to 127.0.0.1 is aborted and recorded (member pictures point to
  https://cdn.auth0.com): no test reaches the network;
- JavaScript dialogs (alert, confirm) are recorded and dismissed: none may open;
- on failure, a screenshot and the page's HTML go to test-artifacts/, named after the test.
"""

from __future__ import annotations

import os

# Playwright's sync API keeps an asyncio event loop in this thread, so Django's ORM (the test
# database's setup and flush around each test) would refuse to run here. Set before Django loads.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The live server listens on 127.0.0.1 (its default is "localhost"): the one host pages may reach.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

import re  # noqa: E402
from collections.abc import Callable, Generator, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import pytest  # noqa: E402
from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Dialog,
    Page,
    Playwright,
    Request,
    Route,
    expect,
    sync_playwright,
)

from emulator.control_client import ControlClient  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_VARIABLE = "ADMINPORTAL_SKIP_BROWSER"
LOCAL_HOST = "127.0.0.1"
VIEWPORT = {"width": 1280, "height": 800}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Milliseconds: the default for Playwright's actions and expect() in these tests.
WAIT_MS = 5_000
expect.set_options(timeout=WAIT_MS)

REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell at teardown that the test
    failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST


@dataclass
class Guard:
    """What the pages of one test tried to do beyond the dashboard."""

    blocked: list[str] = field(default_factory=list)
    """Requests to anything but 127.0.0.1, aborted."""
    escaped: list[str] = field(default_factory=list)
    """Requests to anything but 127.0.0.1 that got an answer (must stay empty)."""
    dialogs: list[str] = field(default_factory=list)
    """JavaScript dialogs (alert, confirm, prompt) that opened (must stay empty)."""

    def route(self, route: Route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def finished(self, request: Request) -> None:
        if not is_local(request.url):
            self.escaped.append(request.url)

    def dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get(SKIP_VARIABLE) == "1":
            pytest.skip(f"no Chromium at {CHROMIUM} and {SKIP_VARIABLE}=1")
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
            f"set {SKIP_VARIABLE}=1 to skip them instead.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def guard() -> Guard:
    return Guard()


OpenPage = Callable[..., Page]


@pytest.fixture
def session_cookie(live_server: Any, admin_staff: Any) -> dict[str, str]:
    """The session cookie of an Admin signed in to the live server."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(admin_staff)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": live_server.url}


@pytest.fixture
def open_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    guard: Guard,
    session_cookie: dict[str, str],
) -> Iterator[OpenPage]:
    """open_page(signed_in=True, **context options) → a page in a new context, guarded (and
    signed in as an Admin unless told otherwise); closed at teardown, after saving artifacts
    if the test failed."""
    contexts: list[BrowserContext] = []

    def open_page(*, signed_in: bool = True, **options: Any) -> Page:
        options.setdefault("viewport", VIEWPORT)
        context = browser.new_context(**options)
        if signed_in:
            context.add_cookies([session_cookie])
        context.set_default_timeout(WAIT_MS)
        context.route("**/*", guard.route)
        context.on("requestfinished", guard.finished)
        context.on("page", lambda page: page.on("dialog", guard.dialog))
        contexts.append(context)
        return context.new_page()

    yield open_page

    reports = request.node.stash.get(REPORTS, {})
    if any(report.failed for report in reports.values()):
        save_artifacts(request.node, [page for c in contexts for page in c.pages])
    for context in contexts:
        context.close()
    assert not guard.escaped, f"requests left 127.0.0.1: {guard.escaped}"
    assert not guard.dialogs, f"JavaScript dialogs opened: {guard.dialogs}"


def save_artifacts(item: pytest.Item, pages: list[Page]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1]).strip("_")
    for index, page in enumerate(pages):
        stem = ARTIFACTS / (name if index == 0 else f"{name}-{index + 1}")
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # a crashed page must not hide the test's own failure
            Path(f"{stem}.error.txt").write_text(f"no artifacts: {exc!r}\n", encoding="utf-8")


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """A page with JavaScript."""
    return open_page()


@pytest.fixture
def app_url(live_server: Any, auth0: ControlClient) -> str:
    """The dashboard's address, with its Auth0 settings pointed at the (freshly reset)
    emulator. The token cache starts empty: a database cache outlives the flush between
    transactional tests."""
    from django.conf import settings
    from django.core.cache import caches

    caches[settings.AUTH0_TOKEN_CACHE].clear()
    return live_server.url
