"""Finding people and who holds what (issue 11, items 4, 5, 7 and 12), in Chromium: Find member
by any word of a name, the Users page, the Role holders tab with its trash cans, and why Support
sees no trash can on tenant-wide roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from emulator.control_client import ControlClient
from tests.seeds import USER_IDS

from .conftest import WAIT_MS, OpenPage
from .test_dashboard import ACME, members_url, opened_dialog, org_members, toast

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_protected_roles")]


def test_find_member_by_a_family_name(page: Page, app_url: str) -> None:
    page.goto(members_url(app_url))
    page.get_by_label("Find member").fill("okafor")
    rows = page.locator("#members tbody tr")
    expect(rows).to_have_count(1, timeout=WAIT_MS)
    expect(rows.first).to_contain_text("Ben Okafor")


def test_users_page_finds_a_user_and_opens_their_roles(page: Page, app_url: str) -> None:
    page.goto(app_url + "/organizations/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    page.wait_for_load_state()  # htmx listens from here: typing before it would go unheard
    page.get_by_label("Find a user").fill("lee")
    page.get_by_role("link", name="Ana Lee").click()
    expect(page.get_by_role("heading", name="Ana Lee", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Tenant-wide roles")).to_be_visible()
    expect(page.get_by_role("link", name=ACME)).to_be_visible()


def test_role_holders_with_a_trash_can_each(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(members_url(app_url))
    page.get_by_role("navigation", name="Organization").get_by_role(
        "link", name="Role holders"
    ).click()
    expect(page.get_by_role("heading", name="Protected roles")).to_be_visible()
    page.wait_for_load_state()  # htmx listens from here: a choice before it would go unheard
    page.get_by_label("Role", exact=True).select_option(label="billing-admin")
    holders = page.get_by_role("region", name="Role holders")
    expect(holders.get_by_role("link", name="Ben Okafor")).to_be_visible(timeout=WAIT_MS)

    holders.get_by_role("link", name="Remove role billing-admin").click()
    box = opened_dialog(page)
    box.get_by_role("button", name="Remove role").click()

    expect(toast(page, "Removed the role billing-admin from Ben Okafor")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(holders.get_by_role("link", name="Ben Okafor")).to_have_count(0, timeout=WAIT_MS)
    assert org_members(emulator)[USER_IDS["ben"]] == ["support-agent"]


def test_support_is_told_why_tenant_wide_roles_have_no_trash_can(
    open_page: OpenPage, app_url: str, live_server: Any, make_staff: Any
) -> None:
    client = Client()
    client.force_login(make_staff("support-all", "Support"))
    page = open_page(signed_in=False)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": app_url}]
    )
    page.goto(f"{app_url}/users/{USER_IDS['ana']}/roles/")
    expect(page.get_by_text("Only Admins may remove tenant-wide roles")).to_be_visible()
    expect(page.get_by_role("link", name="Remove role tenant-admin")).to_have_count(0)
