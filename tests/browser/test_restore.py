"""Restore a removed member (issue 11, item 6): the removal's message offers Restore, which
confirms who comes back with which roles, and brings them back; Activity says it is done."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from emulator.control_client import ControlClient
from tests.seeds import ORG_IDS, USER_IDS

from .test_dashboard import ACME, member_row, members_url, opened_dialog, org_members, toast

pytestmark = [pytest.mark.browser]


def test_restore_a_removed_member_from_the_message_of_the_removal(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    emulator.set_member_removal_lag(30)  # Auth0 still lists Ben while he is restored
    page.goto(members_url(app_url))
    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    opened_dialog(page).get_by_role("button", name="Remove member").click()

    removed = toast(page, f"Removed Ben Okafor from {ACME}.")
    removed.get_by_role("link", name="Restore").click()

    box = opened_dialog(page)
    expect(box.get_by_role("heading", name="Restore member")).to_be_visible()
    expect(box).to_contain_text(f"Restore Ben Okafor to {ACME}?")
    expect(box).to_contain_text("Ben Okafor: billing-admin, support-agent")
    box.get_by_label("Reason (optional)").fill("TICKET-7: removed by mistake")
    box.get_by_role("button", name="Restore member").click()

    expect(box).to_be_hidden()
    expect(
        toast(page, f"Restored Ben Okafor (billing-admin, support-agent) to {ACME}.")
    ).to_be_visible()
    expect(removed).to_have_count(0)  # its Restore is done: no second try offered
    expect(page.get_by_role("heading", name=ACME, level=1)).to_be_focused()
    expect(ben).not_to_have_class(re.compile(r"\bpending\b"))
    expect(ben.get_by_role("listitem")).to_have_text(["billing-admin", "support-agent"])
    assert sorted(org_members(emulator)[USER_IDS["ben"]]) == ["billing-admin", "support-agent"]

    page.goto(app_url + reverse("orgs:organization_activity", args=[ORG_IDS["acme"]]))
    removal = page.get_by_role("row").filter(has_text="Remove members")
    expect(removal).to_contain_text("Restored")
    expect(removal.get_by_role("link", name=re.compile("^Restore"))).to_have_count(0)
    restore = page.get_by_role("row").filter(has_text="TICKET-7: removed by mistake")
    expect(restore).to_contain_text("Restore members")
