"""The Activity page as a person reads it (issue 11, item 10): outcomes in words, names beside
ids, times with their time zone, nothing wider than the page at 1280 px; and a member being
removed shows as such, readable, without moving the rest of the table."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from emulator.control_client import ControlClient
from orgs import services
from orgs.auth0_mgmt import errors
from orgs.staff.guardrails import GuardrailRefused
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS

from .test_dashboard import member_row, members_url, opened_dialog
from .test_layout import contrast

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_protected_roles")]

LONG_REASON = (
    "TICKET-2 https://support.example.com/tickets/2/"
    + "x" * 80
    + " "
    + "the customer asked us to remove them from every team " * 6
)


@pytest.fixture
def audited(app_url: str, emulator: ControlClient, admin_staff, make_staff) -> None:
    """A success, a refusal, a failure (Auth0's 429) and a bulk removal with a long reason."""
    services.member_roles_assign(
        actor=admin_staff,
        org_id=ORG_IDS["acme"],
        user_id=USER_IDS["ben"],
        role_ids=[ROLE_IDS["viewer"]],
        reason="TICKET-1",
    )
    with pytest.raises(GuardrailRefused):
        services.member_roles_assign(
            actor=make_staff("sam", role="Support"),
            org_id=ORG_IDS["acme"],
            user_id=USER_IDS["ben"],
            role_ids=[ROLE_IDS["org-admin"]],
        )
    emulator.add_fault(
        method="DELETE",
        path="/roles$",
        status=429,
        headers={"x-ratelimit-reset": str(int(time.time()) + 120)},
    )
    with pytest.raises(errors.Auth0RateLimited):
        services.user_roles_remove(
            actor=admin_staff, user_id=USER_IDS["ana"], role_ids=[ROLE_IDS["beta-tester"]]
        )
    emulator.clear_faults()
    services.members_remove(
        actor=admin_staff,
        org_id=ORG_IDS["globex"],
        user_ids=[USER_IDS["chloe"], USER_IDS["dmitri"]],
        reason=LONG_REASON,
    )


def test_activity_says_what_happened_in_words_with_names_and_time_zones(
    page: Page, app_url: str, audited: None
) -> None:
    page.goto(app_url + reverse("orgs:activity"))
    expect(page.get_by_role("heading", name="Activity", level=1)).to_be_visible()
    rows = page.get_by_role("row")

    refused = rows.filter(has_text="Refused")
    expect(refused).to_contain_text("Refused: Only an Admin may assign org-admin.")
    expect(refused).to_contain_text("sam")
    expect(refused.get_by_text("org-admin", exact=True)).to_have_attribute(
        "title", ROLE_IDS["org-admin"]
    )

    failed = rows.filter(has_text="Failed")
    expect(failed).to_contain_text("Failed: Auth0 was limiting how fast adminportal may call it.")
    expect(failed).to_contain_text("Remove tenant-wide roles")
    expect(failed).to_contain_text("beta-tester")

    # Names beside ids: the member and the organization.
    assigned = rows.filter(has_text="TICKET-1")
    expect(assigned).to_contain_text("Success")
    expect(assigned).to_contain_text(f"Ben Okafor {USER_IDS['ben']}")
    expect(assigned).to_contain_text(f"Acme Corporation {ORG_IDS['acme']}")
    removed = rows.filter(has_text="TICKET-2")
    expect(removed).to_contain_text(f"Chloé García {USER_IDS['chloe']}")
    expect(removed).to_contain_text(f"Dmitri Novak {USER_IDS['dmitri']}")

    # No class names, status codes or bare ids where words belong.
    for words in ("GuardrailRefused", "Auth0RateLimited", ": 429"):
        expect(page.locator("#activity")).not_to_contain_text(words)
    # Times say their zone.
    for when in page.locator("#activity tbody time").all():
        expect(when).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\sUTC$"))

    # Nothing wider than the page, long reason and all.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    table = page.get_by_role("table")
    main = page.get_by_role("main")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
    table_box, main_box = table.bounding_box(), main.bounding_box()
    assert table_box["x"] + table_box["width"] <= main_box["x"] + main_box["width"]


def test_a_member_being_removed_is_readable_and_moves_nothing(
    page: Page, app_url: str, emulator: ControlClient
) -> None:
    emulator.set_member_removal_lag(30)
    page.goto(members_url(app_url))
    cells = page.locator("#members th, #members td")
    before = [cell.bounding_box() for cell in cells.all()]

    ben = member_row(page, "Ben Okafor")
    ben.get_by_label("More options for Ben Okafor").click()
    ben.get_by_role("link", name="Remove member").click()
    opened_dialog(page).get_by_role("button", name="Remove member").click()
    note = ben.get_by_text("Removing…")
    expect(note).to_be_visible()

    seen = contrast(note)
    assert seen["ratio"] >= 4.5, seen
    # The same cells in the same places: the columns and rows do not move.
    assert [cell.bounding_box() for cell in cells.all()] == before
