"""Messages and focus around the confirmation dialog (issue 11, items 1-3), in Chromium.

The rule: an answer to the dialog's action that leaves the page as it was (a refusal, a rate
limit, Auth0 failing with nothing changed) is said inside the dialog, in its alert region, with
Close (and Try again when a later try may work); an answer that changes the page (a success, the
member or role gone) closes the dialog, refreshes the panel and is a toast. A modal dialog makes
the rest of the page inert, so no message may be left under it."""

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
from orgs.auth0_mgmt import ratelimits
from orgs.models import ProtectedRoleHolder, StaffAccess
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

from .conftest import WAIT_MS
from .test_dashboard import (
    ACME,
    MALLORY,
    member_row,
    member_url,
    members_url,
    opened_dialog,
    org_members,
    toast,
    user_roles,
)

pytestmark = pytest.mark.browser

TRY_AGAIN_IN = re.compile(r"Auth0 is limiting how fast adminportal may call it\. .*Try again in")


def rate_limit(emulator: ControlClient, method: str, path: str) -> None:
    """The next matching call is answered 429, with a reset two minutes away."""
    reset = str(int(time.time()) + 120)
    emulator.add_fault(method=method, path=path, status=429, headers={"x-ratelimit-reset": reset})


def bucket_refilled() -> None:
    """What adminportal remembers of Auth0's empty bucket, forgotten: as if the time had come."""
    caches[settings.AUTH0_TOKEN_CACHE].delete(ratelimits.KEY)


def alert_in(box: Locator) -> Locator:
    return box.get_by_role("alert")


def no_toasts(page: Page) -> None:
    expect(page.locator("#toasts .toast")).to_have_count(0)


def open_remove_member(page: Page, name: str) -> Locator:
    row = member_row(page, name)
    row.get_by_label(f"More options for {name}").click()
    row.get_by_role("link", name="Remove member").click()
    return opened_dialog(page)


def open_remove_role(page: Page, role: str) -> Locator:
    page.get_by_role("link", name=f"Remove role {role}").click()
    return opened_dialog(page)


def open_bulk(page: Page, *names: str) -> Locator:
    for name in names:
        page.get_by_role("checkbox", name=f"Select {name}").check()
    page.get_by_role("button", name="Remove selected members…").click()
    return opened_dialog(page)


# --- item 1: the outcome is said in the dialog ---------------------------------------------------


CONFIRMATIONS = {
    # name: (page, how to open the confirmation, its button, the Auth0 call to rate-limit)
    "remove role": (
        lambda app: member_url(app, "ben"),
        lambda page: open_remove_role(page, "billing-admin"),
        "Remove role",
        ("DELETE", r"/members/auth0%7Cben\w+/roles$"),
    ),
    "remove member": (
        lambda app: members_url(app),
        lambda page: open_remove_member(page, "Ben Okafor"),
        "Remove member",
        ("DELETE", r"/members$"),
    ),
    "bulk removal": (
        lambda app: members_url(app),
        lambda page: open_bulk(page, "Ben Okafor"),
        "Remove 1 member",
        ("DELETE", r"/members$"),
    ),
    "tenant-wide role": (
        lambda app: app + reverse("orgs:user_roles", kwargs={"user_id": USER_IDS["ana"]}),
        lambda page: open_remove_role(page, "beta-tester"),
        "Remove role",
        ("DELETE", r"/users/auth0%7Cana\w+/roles$"),
    ),
}


@pytest.mark.usefixtures("no_protected_roles")
@pytest.mark.parametrize("which", list(CONFIRMATIONS))
def test_a_rate_limit_is_said_in_the_dialog_and_try_again_works(
    page: Page, app_url: str, emulator: ControlClient, which: str
) -> None:
    address, open_confirmation, button, (method, path) = CONFIRMATIONS[which]
    rate_limit(emulator, method, path)
    before = emulator.state()
    page.goto(address(app_url))
    box = open_confirmation(page)
    box.get_by_role("button", name=button).click()

    expect(alert_in(box)).to_contain_text(TRY_AGAIN_IN)
    expect(box).to_be_visible()
    no_toasts(page)
    expect(box.get_by_role("link", name="Cancel")).to_be_focused()
    try_again = box.get_by_role("button", name="Try again")
    expect(try_again).to_be_enabled()
    assert emulator.state()["organizations"] == before["organizations"]
    assert emulator.state()["user_roles"] == before["user_roles"]

    bucket_refilled()
    try_again.click()
    expect(box).to_be_hidden()
    expect(page.locator("#toasts .toast-success")).to_contain_text("Removed")
    if which == "tenant-wide role":
        assert user_roles(emulator, "ana") == ["tenant-admin"]
    elif which == "remove role":
        assert org_members(emulator)[USER_IDS["ben"]] == ["support-agent"]
    else:
        assert USER_IDS["ben"] not in org_members(emulator)


def test_removing_the_last_owner_s_role_is_refused_in_the_dialog(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(member_url(app_url, "ana"))
    opener = page.get_by_role("link", name="Remove role org-owner")
    box = open_remove_role(page, "org-owner")
    box.get_by_role("button", name="Remove role").click()

    expect(alert_in(box)).to_contain_text(
        f"Could not remove the role org-owner from Ana Lee in {ACME}: This would leave the "
        "organization without anyone holding org-owner, a protected role."
    )
    no_toasts(page)
    # Refused: nothing to try again, only Close (focused).
    expect(box.get_by_role("button")).to_have_count(0)
    close = box.get_by_role("link", name="Close")
    expect(close).to_be_focused()
    close.click()
    expect(box).to_be_hidden()
    expect(opener).to_be_focused()
    assert org_members(emulator)[USER_IDS["ana"]] == ["org-owner"]


def test_removing_oneself_is_refused_in_the_dialog(
    page: Page, app_url: str, emulator: ControlClient, admin_staff: Any
) -> None:
    StaffAccess.objects.filter(user=admin_staff).update(auth0_user_id=USER_IDS["ben"])
    page.goto(members_url(app_url))
    box = open_remove_member(page, "Ben Okafor")
    box.get_by_role("button", name="Remove member").click()

    expect(alert_in(box)).to_contain_text(
        f"Could not remove Ben Okafor from {ACME}: Ben Okafor is your own Auth0 user"
    )
    no_toasts(page)
    box.get_by_role("link", name="Close").press("Enter")
    expect(box).to_be_hidden()
    assert USER_IDS["ben"] in org_members(emulator)


def test_a_refused_bulk_removal_is_said_in_the_dialog(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(members_url(app_url))
    # adminportal's index says Ben holds org-owner too (it is out of date): the preview lets Ana
    # go, and Auth0, asked at submit time, says he does not.
    ProtectedRoleHolder.objects.create(
        org_id=ORG_IDS["acme"],
        user_id=USER_IDS["ben"],
        role_id=ROLE_IDS["org-owner"],
        role_name="org-owner",
    )
    box = open_bulk(page, "Ana Lee", MALLORY)
    box.get_by_role("button", name="Remove 2 members").click()

    expect(alert_in(box)).to_contain_text(
        "This would leave the organization without anyone holding org-owner"
    )
    no_toasts(page)
    expect(box.get_by_role("button", name="Remove 2 members")).to_have_count(0)
    box.get_by_role("link", name="Close").click()
    expect(box).to_be_hidden()
    assert set(org_members(emulator)) == {USER_IDS["ana"], USER_IDS["ben"], USER_IDS["mallory"]}


@pytest.mark.usefixtures("no_protected_roles")
def test_a_role_gone_meanwhile_closes_the_dialog_and_the_toast_can_be_dismissed(
    page: Page, app_url: str, emulator: ControlClient, api: Any
) -> None:
    """An answer that changes the page behind (the role is gone) closes the dialog and
    refreshes the roles: the toast is never under the dialog, and can be dismissed."""
    page.goto(member_url(app_url, "ben"))
    box = open_remove_role(page, "billing-admin")
    someone_else = f"/organizations/{ORG_IDS['acme']}/members/{USER_IDS['ben']}/roles"
    api("DELETE", someone_else, json={"roles": [ROLE_IDS["billing-admin"]]})
    box.get_by_role("button", name="Remove role").click()

    expect(box).to_be_hidden()
    gone = toast(page, "they no longer hold that role")
    expect(gone).to_be_visible(timeout=WAIT_MS)
    gone.get_by_role("button", name="Dismiss").click()
    expect(gone).to_have_count(0)


# --- item 2: where the focus goes ----------------------------------------------------------------


@pytest.mark.usefixtures("no_protected_roles")
def test_the_confirmation_starts_on_cancel_so_enter_twice_removes_nothing(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    page.goto(member_url(app_url, "ben"))
    trash = page.get_by_role("link", name="Remove role billing-admin")
    trash.focus()
    for _ in range(2):  # twice over: open, Enter again
        page.keyboard.press("Enter")
        box = opened_dialog(page)
        expect(box.get_by_role("link", name="Cancel")).to_be_focused()
        page.keyboard.press("Enter")
        expect(box).to_be_hidden()
        expect(trash).to_be_focused()  # back to the opener
    assert sorted(org_members(emulator)[USER_IDS["ben"]]) == ["billing-admin", "support-agent"]
    assert [r for r in emulator.api_requests() if r["method"] != "GET"] == []


@pytest.mark.usefixtures("no_protected_roles")
def test_after_removing_a_role_the_focus_goes_to_the_next_role_then_the_heading(
    page: Page, app_url: str
) -> None:
    page.goto(member_url(app_url, "ben"))
    for role, then in [
        ("billing-admin", page.get_by_role("link", name="Remove role support-agent")),
        ("support-agent", page.get_by_role("heading", name=f"Roles in {ACME}")),
    ]:
        page.get_by_role("link", name=f"Remove role {role}").focus()
        page.keyboard.press("Enter")
        box = opened_dialog(page)
        box.get_by_role("button", name="Remove role").click()
        expect(box).to_be_hidden()
        expect(page.get_by_role("link", name=f"Remove role {role}")).to_have_count(0)
        expect(then).to_be_focused()


@pytest.mark.usefixtures("no_protected_roles")
def test_after_removing_a_tenant_wide_role_the_focus_goes_to_the_next_one(
    page: Page, app_url: str
) -> None:
    page.goto(app_url + reverse("orgs:user_roles", kwargs={"user_id": USER_IDS["ana"]}))
    box = open_remove_role(page, "beta-tester")
    box.get_by_role("button", name="Remove role").click()
    expect(box).to_be_hidden()
    expect(page.get_by_role("link", name="Remove role tenant-admin")).to_be_focused()


@pytest.mark.usefixtures("no_protected_roles")
def test_after_removing_a_member_the_focus_goes_to_the_next_row_and_stays_there(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    emulator.set_member_removal_lag(30)  # Ben's row stays, as "Removing…", until Auth0 agrees
    page.goto(members_url(app_url))
    box = open_remove_member(page, "Ben Okafor")
    box.get_by_role("button", name="Remove member").click()

    expect(box).to_be_hidden()
    ben = member_row(page, "Ben Okafor")
    expect(ben).to_contain_text("Removing…")
    next_row = page.get_by_label(f"More options for {MALLORY}")
    expect(next_row).to_be_focused()
    emulator.advance_clock(30)
    expect(ben).to_have_count(0, timeout=10_000)  # the table polled: a new table, same focus
    expect(next_row).to_be_focused()


@pytest.mark.usefixtures("no_protected_roles")
def test_bulk_removal_focus_back_to_its_button_on_cancel_and_to_the_heading_after(
    page: Page, app_url: str
) -> None:
    page.goto(members_url(app_url))
    box = open_bulk(page, "Ben Okafor", MALLORY)
    box.get_by_role("link", name="Cancel").click()
    expect(box).to_be_hidden()
    expect(page.get_by_role("button", name="Remove selected members…")).to_be_focused()

    page.get_by_role("button", name="Remove selected members…").click()
    box = opened_dialog(page)
    box.get_by_role("button", name="Remove 2 members").click()
    expect(box).to_be_hidden()
    expect(member_row(page, "Ben Okafor")).to_have_count(0)
    expect(page.get_by_role("heading", name=ACME, level=1)).to_be_focused()


# --- item 3: the bulk preview ------------------------------------------------------------------


def test_the_bulk_preview_shows_who_with_e_mail_and_roles_and_who_stays_and_why(
    page: Page, app_url: str, emulator: ControlClient, admin_staff: Any
) -> None:
    """Ana is Acme's only org-owner; Mallory is the staff member's own Auth0 user here."""
    StaffAccess.objects.filter(user=admin_staff).update(auth0_user_id=USER_IDS["mallory"])
    page.goto(members_url(app_url))
    box = open_bulk(page, "Ana Lee", "Ben Okafor", MALLORY)

    expect(box).to_contain_text(f"Remove 1 of the 3 selected members from {ACME}?")
    selected = box.get_by_role("list", name="Selected members").get_by_role("listitem")
    ana = selected.filter(has_text="ana.lee@acme.example.com")
    ben = selected.filter(has_text="ben.okafor@acme.example.com")
    mallory = selected.filter(has_text="mallory@evil.example.com")
    expect(ana.get_by_role("list", name="Roles")).to_have_text("org-owner")
    expect(ana).to_contain_text(
        f"Will not be removed. Removing Ana Lee would leave {ACME} without anyone holding "
        "org-owner, a protected role. Give it to someone else first."
    )
    expect(ben.get_by_role("list", name="Roles").get_by_role("listitem")).to_have_text(
        ["billing-admin", "support-agent"]
    )
    expect(ben).not_to_contain_text("Will not be removed")
    expect(mallory).to_contain_text("No roles")
    expect(mallory).to_contain_text(f"Will not be removed. {MALLORY} is your own Auth0 user")
    expect(box.locator("script")).to_have_count(0)

    box.get_by_role("button", name="Remove 1 member").click()
    expect(box).to_be_hidden()
    expect(toast(page, f"Removed 1 member from {ACME}: Ben Okafor.")).to_be_visible()
    assert set(org_members(emulator)) == {USER_IDS["ana"], USER_IDS["mallory"]}


def test_a_preview_where_nobody_can_go_offers_only_close(page: Page, app_url: str) -> None:
    page.goto(members_url(app_url))
    box = open_bulk(page, "Ana Lee")

    expect(box).to_contain_text(f"The selected member cannot be removed from {ACME}.")
    expect(box.get_by_role("button")).to_have_count(0)
    close = box.get_by_role("link", name="Close")
    expect(close).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_be_hidden()
