"""End to end: a staff member signs in with single sign-on, Chromium going from adminportal's
login page to the emulated tenant's login page and back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from emulator.control_client import ControlClient
from tests.seeds import ANA_PASSWORD, ORG_IDS
from tests.test_signin import ANA_EMAIL, enable_sso

from .conftest import OpenPage

pytestmark = pytest.mark.browser


def test_sign_in_with_single_sign_on_lands_on_the_page_asked_for(
    open_page: OpenPage, app_url: str, emulator: ControlClient, emulator_url: str, settings
) -> None:
    # The callback is on 127.0.0.1 (the live server): the emulator's client allows it.
    enable_sso(settings, emulator_url)
    page = open_page(signed_in=False)

    page.goto(app_url + "/organizations/")
    expect(page).to_have_url(app_url + "/login/?next=/organizations/")
    page.get_by_role("link", name="Sign in with single sign-on").click()

    expect(page).to_have_url(re.compile("^" + re.escape(f"{emulator_url}/authorize?")))
    page.get_by_label("Email address").fill(ANA_EMAIL)
    page.get_by_label("Password").fill(ANA_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(app_url + "/organizations/")
    expect(page.get_by_role("heading", name="Organizations", level=1)).to_be_visible()
    table = page.locator("#org-table")
    expect(table).to_contain_text(ORG_IDS["globex"])  # Ana's reach, from her token's claims
    expect(table).not_to_contain_text("Acme Corporation")
