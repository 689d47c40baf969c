"""Content-Security-Policy end to end: every page and dialog of the four flows runs under a
policy without 'unsafe-inline' or 'unsafe-eval', and not one violation is reported (no inline
style or script, no eval, no picture from a host outside the avatar allow-list)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, Response, expect

from emulator.control_client import ControlClient
from tests.seeds import ORG_IDS, USER_IDS, small_seed

from .conftest import WAIT_MS, Guard, OpenPage
from .test_dashboard import ACME, member_row, members_url, opened_dialog, role_tags, toast

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_protected_roles")]

# A picture planted in a profile: loading it would tell a third party who looked, and when.
TRACKER = "https://tracker.example.net/pixel.png"
# Runs in every document before the page's own scripts; the binding survives navigations.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${location.pathname}: ${event.effectiveDirective} refused ${event.blockedURI || "?"}` +
    ` (${event.sourceFile}:${event.lineNumber} ${event.sample})`
  );
}, true);
"""


class Watched:
    """A page whose CSP violations (events and console reports) and documents' policies are
    recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.violations: list[str] = []
        self.policies: dict[str, str] = {}
        page.expose_binding(
            "reportCspViolation", lambda _source, text: self.violations.append(text)
        )
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self.console)
        page.on("response", self.response)

    def console(self, message: object) -> None:
        text = getattr(message, "text", "")
        if "Content Security Policy" in text or text.startswith("Refused to"):
            self.violations.append(f"console: {text}")

    def response(self, response: Response) -> None:
        if response.request.resource_type == "document" and response.url.startswith("http://"):
            policy = response.headers.get("content-security-policy", "")
            self.policies[response.url] = policy

    def settled(self) -> list[str]:
        """The violations so far: a round trip to the page first, so that every report made
        before it has arrived."""
        self.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
        return self.violations


@pytest.fixture
def watched(open_page: OpenPage) -> Callable[..., Watched]:
    return lambda **options: Watched(open_page(**options))


def assert_strict(policies: dict[str, str]) -> None:
    assert policies, "no page was loaded"
    for url, policy in policies.items():
        directives = dict(
            (part.split(" ", 1) + [""])[:2]
            for part in (p.strip() for p in policy.split(";"))
            if part
        )
        assert directives.get("default-src") == "'none'", (url, policy)
        assert directives.get("script-src") == "'self'", (url, policy)
        assert directives.get("style-src") == "'self'", (url, policy)
        assert "unsafe" not in policy, (url, policy)


def plant_tracker(emulator: ControlClient) -> None:
    seed = small_seed()
    for user in seed["users"]:
        if user["user_id"] == USER_IDS["mallory"]:
            user["picture"] = TRACKER
    emulator.load_seed(seed)


def test_every_page_and_dialog_runs_without_a_csp_violation(
    watched: Callable[..., Watched], app_url: str, emulator: ControlClient, guard: Guard
) -> None:
    plant_tracker(emulator)
    emulator.set_member_removal_lag(30)
    signed_out = watched(signed_in=False)
    signed_out.page.goto(app_url + "/login/")
    expect(signed_out.page.get_by_role("heading", name="Sign in to adminportal")).to_be_visible()
    assert not signed_out.settled(), "\n".join(signed_out.violations)
    assert_strict(signed_out.policies)

    w = watched()
    page = w.page

    # Organizations: search (an htmx swap, with its indicator), then an organization.
    page.goto(app_url + "/")
    page.get_by_label("Search", exact=True).fill("acme")
    expect(page.locator("#org-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name=ACME).click()
    expect(page.get_by_role("heading", name=ACME, level=1)).to_be_visible()

    # Members: the planted picture is not even asked for; Mallory shows her initial.
    mallory = member_row(page, "Mallory")
    expect(mallory.locator(".avatar-initials")).to_have_count(1)
    expect(mallory.locator("img")).to_have_count(0)
    page.get_by_label("Find member").fill("ben")
    expect(page.locator("#members tbody tr")).to_have_count(1)
    page.get_by_label("Find member").fill("")
    expect(page.locator("#members tbody tr")).to_have_count(3)
    page.get_by_role("checkbox", name="Select Ana Lee").check()
    page.get_by_role("button", name="Remove selected members…").click()
    box = opened_dialog(page)
    expect(box).to_contain_text(f"Remove 1 member from {ACME}?")
    box.get_by_role("link", name="Cancel").click()
    expect(box).to_be_hidden()

    # A member: Assign role, then remove one with its confirmation.
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Manage roles").click()
    expect(page.get_by_role("heading", name="Ben Okafor", level=1)).to_be_visible()
    page.get_by_label("Search roles").fill("view")
    page.locator("#role-choices").get_by_role("checkbox", name="viewer").check()
    page.get_by_role("button", name="Add role(s) to organization").click()
    expect(toast(page, f"Added 1 role to Ben Okafor in {ACME}: viewer.")).to_be_visible()
    expect(role_tags(page)).to_have_text(["billing-admin", "support-agent", "viewer"])
    page.get_by_role("link", name="Remove role viewer").click()
    box = opened_dialog(page)
    box.get_by_role("button", name="Remove role").click()
    expect(box).to_be_hidden()
    expect(role_tags(page)).to_have_text(["billing-admin", "support-agent"])

    # Tenant-wide roles, with the confirmation of a removal.
    page.goto(app_url + reverse("orgs:user_roles", kwargs={"user_id": USER_IDS["ana"]}))
    expect(role_tags(page)).to_have_text(["beta-tester", "tenant-admin"])
    page.get_by_role("link", name="Remove role beta-tester").click()
    box = opened_dialog(page)
    box.get_by_role("button", name="Remove role").click()
    expect(toast(page, "Removed the tenant-wide role beta-tester from Ana Lee.")).to_be_visible()
    expect(role_tags(page)).to_have_text(["tenant-admin"])

    # Remove member: the row shows as being removed and the table polls until Auth0 agrees.
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    box = opened_dialog(page)
    box.get_by_role("button", name="Remove member").click()
    expect(ben).to_have_class(re.compile(r"\bpending\b"))
    emulator.advance_clock(30)
    expect(ben).to_have_count(0, timeout=10_000)

    # Activity: everything, a filter (htmx), an organization's tab; then Staff.
    page.get_by_role("link", name="Activity", exact=True).first.click()
    expect(page.get_by_role("heading", name="Activity", level=1)).to_be_visible()
    page.get_by_label("Outcome").select_option("success")
    expect(page).to_have_url(re.compile(r"outcome=success"))
    expect(page.locator("#activity tbody tr").first).to_be_visible()
    page.goto(app_url + reverse("orgs:organization_activity", kwargs={"org_id": ORG_IDS["acme"]}))
    expect(page.locator("#activity tbody tr").first).to_be_visible()
    page.get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", name="Staff", level=1)).to_be_visible()
    page.get_by_role("link", name="Add staff member").click()
    expect(page.get_by_role("heading", name="Add staff member", level=1)).to_be_visible()

    assert not w.settled(), "\n".join(w.violations)
    assert_strict(w.policies)
    assert not [url for url in guard.blocked if url.startswith(TRACKER)]


def test_the_members_table_waits_to_refresh_while_one_of_its_menus_is_open(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    emulator.set_member_removal_lag(30)
    page.clock.install()
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    remove = opened_dialog(page).get_by_role("button", name="Remove member")
    # From here the page's time moves only when told: the refreshed table settles (htmx waits
    # 20 ms for that), and so starts polling, at the first run_for.
    page.clock.pause_at(page.evaluate("Date.now()") + 100)
    remove.click()
    expect(ben).to_have_class(re.compile(r"\bpending\b"), timeout=WAIT_MS)
    page.clock.run_for(100)
    page.evaluate(
        """() => {
          window.polls = 0;
          document.addEventListener("htmx:beforeRequest", (event) => {
            if (event.detail.elt.id === "members") window.polls += 1;
          });
        }"""
    )
    ana = member_row(page, "Ana Lee")
    ana.get_by_label("More options for Ana Lee").click()
    expect(ana.locator("details.menu")).to_have_attribute("open", "")
    page.clock.run_for(10_000)
    assert page.evaluate("window.polls") == 0
    expect(ana.locator("details.menu")).to_have_attribute("open", "")

    page.keyboard.press("Escape")
    expect(ana.locator("details.menu")).not_to_have_attribute("open", "")
    page.clock.run_for(3_000)
    assert page.evaluate("window.polls") == 1
