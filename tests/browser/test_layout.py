"""Layout (issue 11, item 9): every page is usable on a 390 px phone: no sideways scrolling of
the page itself, menus and dialogs on screen, the header's Sign out readable on the header,
ids on one line (cut short if need be, the whole id in a title or copied whole)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from emulator.control_client import ControlClient
from tests.seeds import USER_IDS

from .conftest import OpenPage
from .test_dashboard import MALLORY, member_row, member_url, members_url, opened_dialog, other_pages

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_protected_roles")]

PHONE = {"width": 390, "height": 844}

# The contrast of an element's text with the background it is drawn on (the nearest ancestor
# with one, the element's opacity applied), and whether the element lies within that background.
CONTRAST = """(element) => {
  const rgba = (color) => {
    const [r, g, b, a] = color.match(/[\\d.]+/g).map(Number);
    return [r, g, b, a === undefined ? 1 : a];
  };
  const luminance = (rgb) => rgb
    .map((v) => v / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let under = element;
  while (under.parentElement && rgba(getComputedStyle(under).backgroundColor)[3] === 0) {
    under = under.parentElement;
  }
  const back = rgba(getComputedStyle(under).backgroundColor);
  const text = rgba(getComputedStyle(element).color);
  let alpha = text[3];
  for (let e = element; e; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
  const drawn = text.slice(0, 3).map((v, i) => v * alpha + back[i] * (1 - alpha));
  const [light, dark] = [luminance(drawn), luminance(back.slice(0, 3))].sort((x, y) => y - x);
  const box = element.getBoundingClientRect();
  const area = under.getBoundingClientRect();
  return {
    ratio: (light + 0.05) / (dark + 0.05),
    within: box.left >= area.left && box.right <= area.right &&
      box.top >= area.top && box.bottom <= area.bottom,
  };
}"""


def contrast(locator: Locator) -> dict[str, Any]:
    return locator.evaluate(CONTRAST)


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_fits(page: Page, what: str) -> None:
    """No sideways scrolling of the page itself at the phone's width."""
    assert page_width(page) <= PHONE["width"], f"{what}: {page_width(page)} px wide"


def assert_on_screen(locator: Locator, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, what
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{what}: {box}"


def test_every_page_fits_a_390px_phone(
    open_page: OpenPage, app_url: str, emulator: ControlClient
) -> None:
    signed_out = open_page(signed_in=False, viewport=PHONE)
    signed_out.goto(app_url + reverse("login"))
    expect(signed_out.get_by_role("heading", name="Sign in to adminportal")).to_be_visible()
    assert_fits(signed_out, "sign-in")

    page = open_page(viewport=PHONE)
    page.goto(app_url + reverse("orgs:organization_list"))
    expect(page.get_by_role("heading", name="Organizations", level=1)).to_be_visible()
    assert_fits(page, "organization list")
    # Sign out stays on the header (it spilled onto the light page: 1.07:1).
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    assert_on_screen(sign_out, "Sign out")
    for text in (sign_out, page.get_by_text("admin · Admin")):
        seen = contrast(text)
        assert seen["within"] and seen["ratio"] >= 4.5, seen
    for name in ("Organizations", "Users", "Activity", "Staff"):
        assert_on_screen(
            page.get_by_role("navigation", name="Main").get_by_role("link", name=name), name
        )

    # Members: each row's menu opens on screen, the bulk bar too; ids on one line, whole.
    page.goto(members_url(app_url))
    expect(page.get_by_role("heading", name="Acme Corporation", level=1)).to_be_visible()
    assert_fits(page, "members")
    for name, label in (("Ben Okafor", "Ben Okafor"), ("Mallory", MALLORY)):
        row = member_row(page, name)
        row.get_by_label(f"More options for {label}").click()
        for item in ("Manage roles", "Tenant-wide roles", "Remove member"):
            link = row.get_by_role("link", name=item)
            expect(link).to_be_visible()
            assert_on_screen(link, f"{name}'s {item}")
        assert_fits(page, f"members with {name}'s menu open")
        page.keyboard.press("Escape")
    ben_id = member_row(page, "Ben Okafor").get_by_text(USER_IDS["ben"], exact=True)
    assert_on_screen(ben_id, "Ben's id")
    line = ben_id.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20")
    assert ben_id.bounding_box()["height"] <= 1.5 * line  # one line, not four
    page.get_by_role("checkbox", name="Select Ana Lee").check()
    bulk = page.get_by_role("button", name="Remove selected members…")
    assert_on_screen(bulk, "bulk bar")
    bulk.click()
    box = opened_dialog(page)
    assert_on_screen(box, "bulk removal preview")
    assert_on_screen(box.get_by_role("button", name="Remove 1 member"), "its button")
    box.get_by_role("link", name="Cancel").click()
    expect(box).to_be_hidden()

    row = member_row(page, "Ben Okafor")
    row.get_by_label("More options for Ben Okafor").click()
    row.get_by_role("link", name="Remove member").click()
    box = opened_dialog(page)
    assert_on_screen(box.get_by_role("button", name="Remove member"), "Remove member")
    assert_fits(page, "Remove member dialog")
    box.get_by_role("link", name="Cancel").click()
    expect(box).to_be_hidden()

    # A member: the Assign role form, and a trash can's confirmation.
    page.goto(member_url(app_url, "ben"))
    expect(page.get_by_role("heading", name="Ben Okafor", level=1)).to_be_visible()
    assert_fits(page, "member")
    assert_on_screen(page.get_by_role("button", name="Add role(s) to organization"), "Add role")
    page.get_by_role("link", name="Remove role billing-admin").click()
    box = opened_dialog(page)
    assert_on_screen(box.get_by_role("button", name="Remove role"), "Remove role")
    box.get_by_role("button", name="Remove role").click()
    expect(box).to_be_hidden()

    for what, (path, heading) in other_pages().items():
        page.goto(app_url + path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        assert_fits(page, what)
    # The activity lists the role removed above, as a card on this screen.
    page.goto(app_url + reverse("orgs:activity"))
    expect(page.get_by_role("row").filter(has_text="billing-admin")).to_be_visible()
    assert_fits(page, "activity with an event")
