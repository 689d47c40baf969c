"""axe-core (axe-playwright-python) finds no accessibility violation on any page, nor in the open
dialogs, at 1280 px and on a 390 px phone (issue 11)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from emulator.control_client import ControlClient

from .conftest import OpenPage
from .test_dashboard import (
    ACME,
    member_row,
    member_url,
    members_url,
    opened_dialog,
    other_pages,
    toast,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_protected_roles")]

AXE = Axe()


def assert_accessible(page: Page, what: str) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"


@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_nor_dialog_has_an_accessibility_violation(
    open_page: OpenPage, app_url: str, emulator: ControlClient, width: int
) -> None:
    viewport = {"width": width, "height": 844}
    signed_out = open_page(signed_in=False, viewport=viewport)
    signed_out.goto(app_url + reverse("login"))
    expect(signed_out.get_by_role("heading", name="Sign in to adminportal")).to_be_visible()
    assert_accessible(signed_out, "sign-in")

    page = open_page(viewport=viewport)
    page.goto(app_url + reverse("orgs:organization_list"))
    expect(page.get_by_role("heading", name="Organizations", level=1)).to_be_visible()
    assert_accessible(page, "organization list")

    # Members, with a menu open, then each of its dialogs.
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    expect(ben.get_by_role("link", name="Remove member")).to_be_visible()
    assert_accessible(page, "members with a menu open")
    ben.get_by_role("link", name="Remove member").click()
    box = opened_dialog(page)
    assert_accessible(page, "Remove member dialog")
    box.get_by_role("link", name="Cancel").click()
    expect(box).to_be_hidden()
    page.get_by_role("checkbox", name="Select Ana Lee").check()
    page.get_by_role("button", name="Remove selected members…").click()
    box = opened_dialog(page)
    assert_accessible(page, "bulk removal preview")
    box.get_by_role("link", name="Cancel").click()
    expect(box).to_be_hidden()

    # A member: the Assign role form, a trash can's dialog, then its message.
    page.goto(member_url(app_url, "ben"))
    expect(page.get_by_role("heading", name="Ben Okafor", level=1)).to_be_visible()
    assert_accessible(page, "member with Assign role")
    page.get_by_role("link", name="Remove role billing-admin").click()
    box = opened_dialog(page)
    assert_accessible(page, "Remove role dialog")
    box.get_by_role("button", name="Remove role").click()
    expect(toast(page, "Removed the role billing-admin")).to_be_visible()
    assert_accessible(page, "member with a message")

    # A member being removed (Auth0 still lists them).
    emulator.set_member_removal_lag(30)
    page.goto(members_url(app_url))
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    opened_dialog(page).get_by_role("button", name="Remove member").click()
    expect(ben).to_contain_text("Removing…")
    expect(toast(page, f"Removed Ben Okafor from {ACME}")).to_be_visible()
    assert_accessible(page, "members with one being removed")

    for what, (path, heading) in other_pages().items():
        page.goto(app_url + path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        assert_accessible(page, what)
