"""The dashboard in Japanese, in Chromium (issue 11, item 8): a staff member chooses 日本語 in
the header's language menu, removes a role through the confirmation dialog and reads the
outcome in Japanese; the script's own words (static/js/app.js, through /jsi18n/) are Japanese
too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from emulator.control_client import ControlClient
from orgs.models import StaffAccess
from tests.seeds import USER_IDS

from .conftest import WAIT_MS
from .test_dashboard import ACME, member_url, opened_dialog, org_members, role_tags, toast

pytestmark = pytest.mark.browser


def test_choose_japanese_then_remove_a_role_and_read_the_outcome_in_japanese(
    page: Page, app_url: str, emulator: ControlClient, admin_staff
) -> None:
    page.goto(member_url(app_url, "ben"))
    expect(page.get_by_role("heading", name="Assign role")).to_be_visible()

    page.get_by_label("Language").select_option(label="日本語")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name="ロールを割り当てる")).to_be_visible()
    expect(page.get_by_role("button", name="組織にロールを追加")).to_be_visible()
    assert StaffAccess.objects.get(user=admin_staff).language == "ja"

    page.get_by_role("link", name="ロールbilling-adminを削除").click()
    box = opened_dialog(page)
    expect(box.get_by_role("heading", name="ロールを削除")).to_be_visible()
    expect(box).to_contain_text(f"{ACME}のBen Okaforからロールbilling-adminを削除しますか？")
    expect(box.get_by_role("link", name="キャンセル")).to_be_focused()
    box.get_by_role("button", name="ロールを削除").click()

    expect(box).to_be_hidden(timeout=WAIT_MS)
    expect(
        toast(page, f"{ACME}のBen Okaforからロールbilling-adminを削除しました。")
    ).to_be_visible()
    expect(page.locator("#toasts .toast").get_by_role("button")).to_have_attribute(
        "aria-label", "閉じる"
    )
    expect(role_tags(page)).to_have_text(["support-agent"], timeout=WAIT_MS)
    assert org_members(emulator)[USER_IDS["ben"]] == ["support-agent"]


def test_the_scripts_own_messages_are_japanese(page: Page, app_url: str, admin_staff) -> None:
    StaffAccess.objects.filter(user=admin_staff).update(language="ja")
    page.goto(app_url + "/organizations/")
    expect(page.get_by_role("heading", name="組織", level=1)).to_be_visible()
    # The search's request never gets an answer: the script says so, in Japanese.
    page.route("**/organizations/?*", lambda route: route.abort("connectionreset"))
    page.get_by_label("検索", exact=True).fill("acme")

    expect(
        toast(page, "adminportalに接続できませんでした。接続を確認して、もう一度お試しください。")
    ).to_be_visible(timeout=WAIT_MS)
    expect(toast(page, "could not be reached")).to_have_count(0)


def test_changing_language_keeps_the_search_made_since_the_page_loaded(
    page: Page, app_url: str, admin_staff
) -> None:
    page.goto(app_url + "/organizations/")
    page.get_by_label("Search", exact=True).fill("acme")
    expect(page).to_have_url(re.compile(r"[?&]q=acme"), timeout=WAIT_MS)  # pushed by htmx

    page.get_by_label("Language").select_option(label="日本語")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page).to_have_url(re.compile(r"/organizations/\?(.*&)?q=acme"))
    expect(page.get_by_label("検索", exact=True)).to_have_value("acme")
