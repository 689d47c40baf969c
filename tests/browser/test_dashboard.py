"""End to end: Chromium drives the dashboard (live_server) against the emulator, reset to the
small tenant of tests/seeds.py before each test."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from emulator.control_client import ControlClient
from orgs.auth0_mgmt.config import get_client
from orgs.auth0_mgmt.tokens import ClientCredentialsTokens
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

from .conftest import WAIT_MS, Guard, OpenPage

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_protected_roles")]

ACME = "Acme Corporation"
ROLE_NAMES = {role_id: name for name, role_id in ROLE_IDS.items()}
MALLORY = '<script>alert("x")</script> Mallory'


# --- helpers -----------------------------------------------------------------------------------


def members_url(app_url: str, org: str = "acme") -> str:
    return app_url + reverse("orgs:organization_detail", kwargs={"org_id": ORG_IDS[org]})


def member_url(app_url: str, user: str, org: str = "acme") -> str:
    path = reverse("orgs:member_detail", kwargs={"org_id": ORG_IDS[org], "user_id": USER_IDS[user]})
    return app_url + path


def hold_the_script(page: Page) -> list[Any]:
    """Hold app.js back (as a slow link does) until `release`."""
    held: list[Any] = []
    page.route(re.compile(r"/static/js/app\b[^/]*\.js$"), lambda route: held.append(route))
    return held


def release(page: Page, held: list[Any]) -> None:
    deadline = time.monotonic() + WAIT_MS / 1000
    while not held:  # the route's callback runs while Playwright waits
        assert time.monotonic() < deadline, "the page never asked for its script"
        page.wait_for_timeout(20)
    held[0].fallback()


def other_pages() -> dict[str, tuple[str, str]]:
    """The pages that are only read (no dialog of their own), by name: (path, their heading)."""
    acme = ORG_IDS["acme"]
    return {
        "tenant-wide roles": (
            reverse("orgs:user_roles", kwargs={"user_id": USER_IDS["ana"]}),
            "Ana Lee",
        ),
        "users": (reverse("orgs:user_list") + "?q=ana", "Users"),
        "role holders": (
            reverse("orgs:role_holders", kwargs={"org_id": acme})
            + f"?role={ROLE_IDS['org-owner']}",
            ACME,
        ),
        "activity": (reverse("orgs:activity"), "Activity"),
        "organization activity": (
            reverse("orgs:organization_activity", kwargs={"org_id": acme}),
            ACME,
        ),
        "staff": (reverse("orgs:staff_list"), "Staff"),
        "new staff member": (reverse("orgs:staff_create"), "Add staff member"),
    }


def toast(page: Page, text: str) -> Locator:
    return page.locator("#toasts .toast", has_text=text)


def dialog(page: Page) -> Locator:
    return page.locator("dialog#dialog")


def opened_dialog(page: Page) -> Locator:
    """The confirmation dialog once open and settled: htmx focuses its [autofocus] button again
    when the swap settles (20 ms later), which would undo a key press made before that."""
    box = dialog(page)
    expect(box).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#dialog-body")).not_to_have_class(re.compile("htmx-settling"))
    return box


def member_row(page: Page, name: str) -> Locator:
    return page.locator("#members tbody tr", has_text=name)


def role_tags(page: Page) -> Locator:
    """The role names listed on a member page or a user's tenant-wide roles page."""
    return page.locator(".role-list .tag")


def org_members(emulator: ControlClient, org: str = "acme") -> dict[str, list[str]]:
    """user id → role names, as the emulator holds them (members being removed left out)."""
    state: dict[str, Any] = emulator.state()
    organization = next(o for o in state["organizations"] if o["id"] == ORG_IDS[org])
    return {m["user_id"]: [ROLE_NAMES[r] for r in m["roles"]] for m in organization["members"]}


def user_roles(emulator: ControlClient, user: str) -> list[str]:
    held = emulator.state()["user_roles"].get(USER_IDS[user], [])
    return sorted(ROLE_NAMES[r] for r in held)


# --- tests -------------------------------------------------------------------------------------


def test_remove_a_member_role_from_the_organization_list_down(
    page: Page, app_url: str, emulator: ControlClient, guard: Guard
) -> None:
    page.goto(app_url + "/")
    expect(page.get_by_role("heading", name="Organizations", level=1)).to_be_visible()
    page.get_by_role("link", name=ACME).click()
    expect(page.get_by_role("heading", name=ACME, level=1)).to_be_visible()
    # Pictures come from cdn.auth0.com: blocked here, so every avatar falls back to initials.
    expect(page.locator("#members img.avatar")).to_have_count(0, timeout=WAIT_MS)
    assert any(url.startswith("https://cdn.auth0.com/") for url in guard.blocked)

    page.get_by_role("link", name="Ben Okafor").click()
    expect(page.get_by_role("heading", name="Ben Okafor", level=1)).to_be_visible()
    expect(role_tags(page)).to_have_text(["billing-admin", "support-agent"])

    page.get_by_role("link", name="Remove role billing-admin").click()
    box = opened_dialog(page)
    expect(box.get_by_role("heading", name="Remove role")).to_be_visible()
    expect(box).to_contain_text(f"Remove the role billing-admin from Ben Okafor in {ACME}?")
    box.get_by_role("button", name="Remove role").click()

    expect(box).to_be_hidden(timeout=WAIT_MS)
    expect(toast(page, f"Removed the role billing-admin from Ben Okafor in {ACME}.")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(role_tags(page)).to_have_text(["support-agent"], timeout=WAIT_MS)
    # The role is offered again in the assign form.
    expect(page.locator("#role-choices").get_by_text("billing-admin", exact=True)).to_be_visible()
    assert org_members(emulator)[USER_IDS["ben"]] == ["support-agent"]

    # One Management API token served the whole visit, shared through the database cache.
    assert [r["path"] for r in emulator.requests()].count("/oauth/token") == 1
    tokens = get_client().tokens
    assert isinstance(tokens, ClientCredentialsTokens)
    assert caches[settings.AUTH0_TOKEN_CACHE].get(tokens.cache_key) is not None


def test_remove_a_member_shows_it_pending_until_auth0_stops_listing_it(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    emulator.set_member_removal_lag(30)  # Auth0 keeps listing a removed member for a while
    page.goto(members_url(app_url))
    page.evaluate("window.notReloaded = true")
    ben = member_row(page, "Ben Okafor")

    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    box = opened_dialog(page)
    expect(box).to_contain_text(f"Remove Ben Okafor from {ACME}?")
    expect(box).to_contain_text("ben.okafor@acme.example.com")
    expect(box).to_contain_text(f"Their roles in {ACME}: billing-admin, support-agent.")
    expect(box).to_contain_text("Ben Okafor stays a user of the tenant")
    expect(box).to_contain_text("Auth0 takes a few seconds")
    box.get_by_role("button", name="Remove member").click()

    expect(box).to_be_hidden(timeout=WAIT_MS)
    expect(toast(page, f"Removed Ben Okafor from {ACME}.")).to_be_visible(timeout=WAIT_MS)
    # Still listed by Auth0, so shown as being removed: no checkbox, link or menu.
    expect(ben).to_have_class(re.compile(r"\bpending\b"), timeout=WAIT_MS)
    expect(ben).to_have_attribute("aria-busy", "true")
    expect(ben).to_contain_text("Removing…")
    expect(ben.get_by_role("checkbox")).to_have_count(0)
    expect(ben.get_by_role("link")).to_have_count(0)
    expect(member_row(page, "Ana Lee").get_by_role("checkbox")).to_have_count(1)
    assert USER_IDS["ben"] not in org_members(emulator)

    emulator.advance_clock(30)
    # The table polls (every 3 s) while a removal is pending, and drops the row by itself.
    expect(ben).to_have_count(0, timeout=10_000)
    expect(member_row(page, "Ana Lee")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True


def test_add_roles_found_with_the_role_search(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(member_url(app_url, "ana"))
    expect(role_tags(page)).to_have_text(["org-owner"])
    choices = page.locator("#role-choices")
    search = page.get_by_label("Search roles")

    search.fill("zzz")
    expect(choices.get_by_text("No role matches.")).to_be_visible()
    search.fill("VIEW")
    expect(choices.locator(".role-choice:visible")).to_have_count(1)
    choices.get_by_role("checkbox", name="viewer").check()
    search.fill("support")
    expect(choices.locator(".role-choice:visible")).to_have_count(1)
    choices.get_by_role("checkbox", name="support-agent").check()
    search.press("Enter")  # filters only: nothing is submitted
    viewer = choices.get_by_role("checkbox", name="viewer", include_hidden=True)
    expect(viewer).to_be_hidden()
    expect(viewer).to_be_checked()  # hidden by the filter, still chosen
    search.fill("")
    expect(choices.locator(".role-choice:visible")).to_have_count(4)  # organization roles only

    page.get_by_role("button", name="Add role(s) to organization").click()

    added = toast(page, f"Added 2 roles to Ana Lee in {ACME}")
    expect(added).to_be_visible(timeout=WAIT_MS)
    expect(added).to_contain_text("viewer")
    expect(added).to_contain_text("support-agent")
    expect(role_tags(page)).to_have_text(["org-owner", "support-agent", "viewer"])
    for name in ("viewer", "support-agent", "org-owner"):
        expect(choices.get_by_role("checkbox", name=name)).to_have_count(0)
    expect(choices.get_by_role("checkbox", name="billing-admin")).to_be_visible()
    assert sorted(org_members(emulator)[USER_IDS["ana"]]) == [
        "org-owner",
        "support-agent",
        "viewer",
    ]


def test_words_typed_before_the_script_ran_still_filter_the_roles(page: Page, app_url: str) -> None:
    held = hold_the_script(page)
    page.goto(member_url(app_url, "ana"), wait_until="commit")
    search = page.get_by_label("Search roles")
    search.fill("zzz")  # typed while the page still waits for its script
    release(page, held)

    expect(page.locator("#role-choices").get_by_text("No role matches.")).to_be_visible()
    expect(page.locator("#role-choices .role-choice:visible")).to_have_count(0)
    page.wait_for_load_state("networkidle")  # nothing of the page still served at teardown


def test_select_all_ticked_before_the_script_ran_still_selects_every_member(
    page: Page, app_url: str
) -> None:
    held = hold_the_script(page)
    page.goto(members_url(app_url), wait_until="commit")
    page.get_by_role("checkbox", name="Select all members on this page").check()
    release(page, held)

    rows = page.locator("#members tbody input[type=checkbox]")
    expect(rows.first).to_be_checked()
    for index in range(rows.count()):
        expect(rows.nth(index)).to_be_checked()
    page.wait_for_load_state("networkidle")  # nothing of the page still served at teardown


def focused_in_main(page: Page) -> bool:
    return page.evaluate("() => !!document.activeElement?.closest('main')")


def test_keyboard_focus_stays_in_the_page_after_assigning_a_role(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(member_url(app_url, "ben"))
    page.locator("#role-choices").get_by_role("checkbox", name="viewer").check()
    page.get_by_role("button", name="Add role(s) to organization").focus()
    page.keyboard.press("Enter")

    expect(toast(page, f"Added 1 role to Ben Okafor in {ACME}: viewer.")).to_be_visible()
    expect(role_tags(page)).to_have_text(["billing-admin", "support-agent", "viewer"])
    deadline = time.monotonic() + WAIT_MS / 1000
    while not focused_in_main(page):  # the roles panel's refresh places it
        assert time.monotonic() < deadline, "the focus fell to the page"
        page.wait_for_timeout(20)


def test_keyboard_focus_stays_on_the_bulk_button_when_nothing_is_selected(
    page: Page, app_url: str
) -> None:
    page.goto(members_url(app_url))
    bulk = page.get_by_role("button", name="Remove selected members…")
    bulk.focus()
    page.keyboard.press("Enter")

    expect(page.locator("#toasts")).to_contain_text("Select at least one member")
    expect(bulk).to_be_focused()


def test_back_shows_the_page_its_address_names(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(members_url(app_url))
    page.get_by_label("Find member").fill("ben")
    expect(page).to_have_url(re.compile(r"[?&]q=ben"), timeout=WAIT_MS)  # pushed by htmx
    page.get_by_label("Find member").fill("")
    expect(page).not_to_have_url(re.compile(r"[?&]q=ben"), timeout=WAIT_MS)
    get_client().remove_members(ORG_IDS["acme"], [USER_IDS["ben"]])  # elsewhere, meanwhile

    page.go_back()

    expect(page).to_have_url(re.compile(r"[?&]q=ben"))
    expect(page.get_by_label("Find member")).to_have_value("ben")
    expect(page.locator("#members")).to_contain_text("No member matches", timeout=WAIT_MS)


def test_remove_a_tenant_wide_role(page: Page, app_url: str, emulator: ControlClient) -> None:
    page.goto(member_url(app_url, "ana"))
    page.get_by_role("link", name="Tenant-wide roles of Ana Lee").click()
    expect(page.get_by_role("heading", name="Tenant-wide roles")).to_be_visible()
    expect(page.locator("#user-roles .notice")).to_contain_text(
        "These roles apply across the whole tenant"
    )
    expect(role_tags(page)).to_have_text(["beta-tester", "tenant-admin"])

    page.get_by_role("link", name="Remove role tenant-admin").click()
    box = opened_dialog(page)
    expect(box.get_by_role("heading", name="Remove tenant-wide role")).to_be_visible()
    expect(box).to_contain_text("Remove the tenant-wide role tenant-admin from Ana Lee?")
    box.get_by_role("button", name="Remove role").click()

    expect(box).to_be_hidden(timeout=WAIT_MS)
    expect(toast(page, "Removed the tenant-wide role tenant-admin from Ana Lee.")).to_be_visible()
    expect(role_tags(page)).to_have_text(["beta-tester"])
    assert user_roles(emulator, "ana") == ["beta-tester"]
    assert org_members(emulator)[USER_IDS["ana"]] == ["org-owner"]  # organization roles kept


def test_rate_limited_removal_says_when_to_try_again_and_changes_nothing(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    emulator.add_fault(
        method="DELETE",
        path="/members$",
        status=429,
        headers={"x-ratelimit-reset": str(int(time.time()) + 120)},
    )
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    box = opened_dialog(page)
    box.get_by_role("button", name="Remove member").click()

    error = box.get_by_role("alert")  # said in the dialog, not in a toast under it
    expect(error).to_contain_text(
        f"Could not remove Ben Okafor from {ACME}: Auth0 is limiting how fast adminportal may "
        "call it. Nothing was changed. Try again in",
        timeout=WAIT_MS,
    )
    wait = re.search(r"Try again in (\d+) seconds\.", error.inner_text())
    assert wait is not None and 100 <= int(wait.group(1)) <= 121, error.inner_text()
    # The dialog stays open, ready for another try; the table is unchanged.
    expect(box).to_be_visible()
    expect(box.get_by_role("button", name="Try again")).to_be_enabled()
    expect(ben).not_to_have_class(re.compile(r"\bpending\b"))
    expect(ben.get_by_role("checkbox")).to_have_count(1)
    assert USER_IDS["ben"] in org_members(emulator)


def test_without_javascript_confirmation_pages_and_menus_work(
    open_page: OpenPage, app_url: str, emulator: ControlClient
) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(member_url(app_url, "ben"))
    page.get_by_role("link", name="Remove role billing-admin").click()

    expect(page).to_have_url(re.compile(r"/roles/remove/\?role="))
    expect(page.get_by_role("heading", name="Remove role")).to_be_visible()
    expect(page.locator("dialog#dialog")).to_be_hidden()
    expect(
        page.get_by_text(f"Remove the role billing-admin from Ben Okafor in {ACME}?")
    ).to_be_visible()
    page.get_by_role("button", name="Remove role").click()

    expect(page).to_have_url(member_url(app_url, "ben"))
    expect(
        toast(page, f"Removed the role billing-admin from Ben Okafor in {ACME}.")
    ).to_be_visible()
    expect(role_tags(page)).to_have_text(["support-agent"])
    assert org_members(emulator)[USER_IDS["ben"]] == ["support-agent"]

    # More options is a <details>: it opens without JavaScript, and its links are plain pages.
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    remove = ben.get_by_role("link", name="Remove member")
    expect(remove).to_be_hidden()
    ben.get_by_label("More options for Ben Okafor").click()
    expect(ben.locator("details.menu")).to_have_attribute("open", "")
    remove.click()
    expect(page.get_by_role("heading", name="Remove member")).to_be_visible()
    expect(page.get_by_text(f"Remove Ben Okafor from {ACME}?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(members_url(app_url))
    expect(member_row(page, "Ben Okafor")).to_be_visible()
    assert USER_IDS["ben"] in org_members(emulator)


def test_menu_and_dialog_work_with_the_keyboard_alone(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    summary = ben.get_by_label("More options for Ben Okafor")
    menu = ben.locator("details.menu")

    for _ in range(40):  # Tab through the page up to Ben's menu
        page.keyboard.press("Tab")
        if summary.evaluate("element => element === document.activeElement"):
            break
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    remove = ben.get_by_role("link", name="Remove member")
    for _ in range(3):  # Manage roles, Tenant-wide roles, Remove member
        page.keyboard.press("Tab")
    expect(remove).to_be_focused()
    page.keyboard.press("Enter")

    box = opened_dialog(page)
    expect(box.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(remove).to_be_focused()

    # Again, leaving with Cancel (Tab to the submit button, Shift+Tab back).
    page.keyboard.press("Enter")
    box = opened_dialog(page)
    expect(box.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(box.get_by_role("button", name="Remove member")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(box.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_be_hidden()
    expect(remove).to_be_focused()
    assert USER_IDS["ben"] in org_members(emulator)


def test_bulk_removal_previews_who_is_removed(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(members_url(app_url))
    page.get_by_role("checkbox", name="Select Ana Lee").check()
    page.get_by_role("checkbox", name="Select Ben Okafor").check()
    page.get_by_role("button", name="Remove selected members…").click()

    box = opened_dialog(page)
    expect(box.get_by_role("heading", name="Remove members")).to_be_visible()
    expect(box).to_contain_text(f"Remove 2 members from {ACME}?")
    selected = box.get_by_role("list", name="Selected members").get_by_role("listitem")
    expect(selected.filter(has_text="ana.lee@acme.example.com")).to_contain_text("Ana Lee")
    expect(selected.filter(has_text="ben.okafor@acme.example.com")).to_contain_text("Ben Okafor")
    box.get_by_role("button", name="Remove 2 members").click()

    expect(box).to_be_hidden(timeout=WAIT_MS)
    expect(toast(page, f"Removed 2 members from {ACME}: Ana Lee and Ben Okafor.")).to_be_visible()
    expect(member_row(page, "Ana Lee")).to_have_count(0)
    expect(member_row(page, "Ben Okafor")).to_have_count(0)
    expect(member_row(page, "Mallory")).to_be_visible()
    assert list(org_members(emulator)) == [USER_IDS["mallory"]]


def test_names_are_text_never_markup(page: Page, app_url: str, guard: Guard) -> None:
    fired: list[str] = []
    page.on("dialog", lambda d: fired.append(d.message))  # an injected alert("x") would land here
    page.goto(app_url + reverse("orgs:organization_list"))
    expect(page.get_by_role("link", name="Globex <b>&amp;</b> Partners")).to_be_visible()
    expect(page.locator("#org-table b")).to_have_count(0)

    page.goto(members_url(app_url))
    mallory = member_row(page, "Mallory")
    expect(mallory.get_by_role("link", name=MALLORY)).to_be_visible()
    expect(page.locator("main script")).to_have_count(0)

    mallory.get_by_label(f"More options for {MALLORY}").click()
    mallory.get_by_role("link", name="Remove member").click()
    box = opened_dialog(page)
    expect(box).to_contain_text(f"Remove {MALLORY} from {ACME}?")
    expect(box.locator("script")).to_have_count(0)
    box.get_by_role("link", name="Cancel").click()
    expect(box).to_be_hidden()

    mallory.get_by_role("link", name=MALLORY).click()
    expect(page.get_by_role("heading", name=MALLORY, level=1)).to_be_visible()
    expect(page).to_have_title(f"{MALLORY} in {ACME} · adminportal")
    expect(page.locator("main script")).to_have_count(0)
    assert fired == [] and guard.dialogs == []


def test_an_error_answer_without_a_message_still_says_something(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    """A refused CSRF token (the session changed in another tab) is a 403 with no toast of
    its own: the page says the action failed instead of doing nothing."""
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    box = opened_dialog(page)
    page.evaluate(
        "document.body.setAttribute('hx-headers', JSON.stringify({'X-CSRFToken': 'stale'}))"
    )
    page.context.clear_cookies(name="csrftoken")
    box.get_by_role("button", name="Remove member").click()
    expect(box.get_by_role("alert")).to_contain_text(
        "adminportal could not do that (HTTP 403)", timeout=WAIT_MS
    )
    assert USER_IDS["ben"] in org_members(emulator)
