"""The demo tenant (./scripts/demo's seed) in the browser: an organization of 2,500 members is
paged past Auth0's 1,000-record offset limit with checkpoint cursors, and the seed flows work."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from emulator.control_client import ControlClient

from .conftest import WAIT_MS

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(emulator: ControlClient) -> ControlClient:
    emulator.load_seed("demo")
    return emulator


def test_paging_a_2500_member_organization_past_1000_members(
    page: Page, app_url: str, demo: ControlClient
) -> None:
    page.goto(app_url + "/organizations/jump/?to=globex")
    expect(page.get_by_role("heading", name="Globex", level=1)).to_be_visible()
    page.get_by_label("Per page").select_option("50")
    expect(page.locator("#members tbody tr")).to_have_count(50)

    seen: set[str] = set()
    for number in range(1, 23):  # 22 pages of 50: members 1,051-1,100 on the last
        expect(page.locator("#members .pager")).to_contain_text(f"Page {number}", timeout=WAIT_MS)
        ids = page.locator("#members tbody input[name=user]").evaluate_all(
            "boxes => boxes.map(box => box.value)"
        )
        assert len(ids) == 50
        assert not seen & set(ids), f"page {number} repeats members"
        seen |= set(ids)
        if number < 22:
            page.get_by_role("link", name="Next").click()

    assert len(seen) == 1100
    assert "after=" in page.url  # the page is a link that can be handed over
    page.reload()
    expect(page.locator("#members .pager")).to_contain_text("Page 22")
    page.get_by_role("link", name="Previous").click()
    expect(page.locator("#members .pager")).to_contain_text("Page 21")


def test_assign_and_remove_a_role_in_the_demo_tenant(
    page: Page, app_url: str, demo: ControlClient
) -> None:
    page.goto(app_url + "/organizations/jump/?to=acme")
    first = page.locator("#members tbody tr .who a").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()

    page.get_by_label("Search roles").fill("tenant-admin")  # a tenant-wide role: not offered
    expect(page.locator("#role-choices").get_by_text("No role matches.")).to_be_visible()
    page.get_by_label("Search roles").fill("auditor")
    page.locator(".role-choice:visible input").first.check()
    page.get_by_role("button", name="Add role(s) to organization").click()
    expect(page.locator(".role-list .tag", has_text="auditor")).to_be_visible(timeout=WAIT_MS)

    page.get_by_role("link", name="Remove role auditor").click()
    page.locator("dialog").get_by_role("button", name="Remove role").click()
    expect(page.locator(".role-list .tag", has_text="auditor")).to_have_count(0, timeout=WAIT_MS)
