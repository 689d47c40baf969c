"""Without JavaScript (issue 11, item 11): a member being removed still drops out of the list
(the page reloads itself while one is listed, and only then), messages can be dismissed, and
members without a picture that loads show their initial."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from emulator.control_client import ControlClient

from .conftest import OpenPage
from .test_dashboard import ACME, member_row, members_url, opened_dialog, toast

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_protected_roles")]

RELOAD = 'meta[http-equiv="refresh"]'


def test_a_member_being_removed_drops_out_and_the_message_goes_without_javascript(
    open_page: OpenPage, app_url: str, emulator: ControlClient
) -> None:
    emulator.set_member_removal_lag(30)
    page = open_page(java_script_enabled=False)
    page.goto(members_url(app_url))
    expect(page.locator(RELOAD)).to_have_count(0)  # nothing pending: no reloading
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    page.get_by_role("button", name="Remove member").click()

    expect(page).to_have_url(members_url(app_url))
    expect(ben).to_contain_text("Removing…")
    expect(page.locator(RELOAD)).to_have_count(1)
    done = toast(page, f"Removed Ben Okafor from {ACME}.")
    expect(done).to_be_visible()
    expect(done.get_by_role("button", name="Dismiss")).to_be_hidden()  # a script's button
    done.get_by_title("Dismiss").click()  # a <details> summary instead
    expect(done).to_be_hidden()

    emulator.advance_clock(30)
    # The page reloads itself until Auth0 stops listing Ben, then stops reloading.
    expect(ben).to_have_count(0, timeout=10_000)
    expect(member_row(page, "Ana Lee")).to_be_visible()
    expect(page.locator(RELOAD)).to_have_count(0)


def test_with_javascript_the_table_polls_and_the_page_never_reloads(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    emulator.set_member_removal_lag(30)
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    opened_dialog(page).get_by_role("button", name="Remove member").click()
    expect(ben).to_have_class(re.compile(r"\bpending\b"))

    page.reload()  # a full page listing the pending removal
    page.evaluate("window.notReloaded = true")
    expect(ben).to_contain_text("Removing…")
    expect(toast(page, "Removed Ben Okafor")).to_have_count(0)
    emulator.advance_clock(30)
    expect(ben).to_have_count(0, timeout=10_000)
    assert page.evaluate("window.notReloaded") is True


def test_avatars_show_initials_without_javascript(open_page: OpenPage, app_url: str) -> None:
    """The members' pictures (cdn.auth0.com) are blocked here: the initials show, as they do
    once the script has taken the failed pictures away."""
    shots = {}
    for scripts in (True, False):
        page = open_page(java_script_enabled=scripts)
        page.goto(members_url(app_url))
        avatar = member_row(page, "Ben Okafor").get_by_text("B", exact=True)
        expect(avatar).to_be_visible()
        if scripts:
            expect(avatar.locator("img")).to_have_count(0)  # taken away
        else:
            expect(avatar.locator("img")).to_have_count(1)  # failed, still there
        box = avatar.bounding_box()
        assert box is not None
        inside = {"x": box["x"] + 7, "y": box["y"] + 7}  # the circle's inside, not its rim
        inside.update(width=box["width"] - 14, height=box["height"] - 14)
        shots[scripts] = page.screenshot(clip=inside, animations="disabled")
    assert shots[False] == shots[True]  # the same initial, drawn the same
