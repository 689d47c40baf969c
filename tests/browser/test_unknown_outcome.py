"""A change whose answer never came (the worker died: the connection dropped, or the proxy
answered 502/503/504) may have been made: the person is told the outcome is unknown and to check
before trying again, never just "try again" (issue 10, item 10)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from emulator.control_client import ControlClient

from .conftest import WAIT_MS
from .test_dashboard import member_url, toast

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_protected_roles")]

UNKNOWN = "so it may or may not have been made. Reload the page or see Activity to check"


def assign_viewer(page: Page) -> None:
    page.get_by_role("checkbox", name="viewer").check()
    page.get_by_role("button", name="Add role(s) to organization").click()


@pytest.mark.parametrize("answer", ["dropped", 502, 504])
def test_a_change_without_an_answer_says_its_outcome_is_unknown(
    page: Page, app_url: str, emulator: ControlClient, answer: str | int
) -> None:
    url = member_url(app_url, "ana")
    page.goto(url)

    def no_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
        elif answer == "dropped":
            route.abort("connectionreset")
        else:
            route.fulfill(status=int(answer), body="Bad Gateway")

    page.route(url, no_answer)
    assign_viewer(page)

    expect(toast(page, UNKNOWN)).to_be_visible(timeout=WAIT_MS)
    expect(toast(page, "try again.")).to_have_count(0)
    expect(toast(page, "could not do that")).to_have_count(0)


def test_a_read_without_an_answer_still_says_to_try_again(page: Page, app_url: str) -> None:
    page.goto(app_url + "/organizations/")
    page.route("**/organizations/?*", lambda route: route.abort("connectionreset"))
    page.get_by_label("Search").fill("acme")

    expect(toast(page, "adminportal could not be reached.")).to_be_visible(timeout=WAIT_MS)
    expect(toast(page, UNKNOWN)).to_have_count(0)
