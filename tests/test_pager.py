"""orgs/pager.py: checkpoint-cursor paging of the members list, as the address keeps it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict

from orgs import pager

BASE = "/organizations/org_Acme000000000001/"


def query_of(url: str | None) -> dict[str, list[str]]:
    assert url is not None
    return parse_qs(urlsplit(url).query)


def test_a_bare_address_is_the_first_page_of_25():
    position = pager.Position.of(QueryDict(""))
    assert position == pager.Position((), 1, 25)
    assert position.cursor is None


@pytest.mark.parametrize(
    ("query", "number", "take"),
    [
        ("page=x&per_page=7", 1, 25),  # malformed: defaults
        ("page=-3&per_page=50", 1, 50),
        ("page=99999999&per_page=10", 1, 10),  # beyond a million: default
        ("after=a&after=b&page=1", 3, 25),  # never before the page its cursors reach
        ("after=a&after=&page=9", 9, 25),  # empty cursors are dropped
    ],
)
def test_malformed_numbers_fall_back(query, number, take):
    position = pager.Position.of(QueryDict(query))
    assert (position.number, position.take) == (number, take)


def test_the_trail_keeps_the_last_twenty_cursors():
    query = QueryDict(mutable=True)
    query.setlist("after", [f"c{i}" for i in range(30)])
    position = pager.Position.of(query)
    assert position.trail == tuple(f"c{i}" for i in range(10, 30))
    assert position.cursor == "c29"
    assert position.first() == pager.Position((), 1, 25)


def test_links_around_a_middle_page():
    position = pager.Position(("a", "b"), 3, 10)
    around = pager.links(BASE, position, "c", shown=10, search="")
    assert query_of(around.next) == {"after": ["a", "b", "c"], "per_page": ["10"], "page": ["4"]}
    assert query_of(around.previous) == {"after": ["a"], "per_page": ["10"], "page": ["2"]}
    assert query_of(around.first) == {"per_page": ["10"]}
    assert query_of(around.refresh) == {"after": ["a", "b"], "per_page": ["10"], "page": ["3"]}


def test_a_short_page_is_the_last_whatever_auth0_sends():
    around = pager.links(BASE, pager.Position(("a",), 2, 10), "z", shown=7, search="")
    assert around.next is None and around.first is None
    assert query_of(around.previous) == {"per_page": ["10"]}  # page 1


def test_a_search_has_one_page_and_its_refresh_keeps_the_text():
    around = pager.links(BASE, pager.Position(), "z", shown=25, search="ana lee")
    assert around.next is None and around.previous is None
    assert query_of(around.refresh) == {"q": ["ana lee"], "per_page": ["25"]}


def test_previous_is_offered_only_while_its_cursor_is_kept():
    trimmed = pager.Position(("t",), 30, 25)  # the trail was cut to one cursor
    assert pager.links(BASE, trimmed, None, shown=25, search="").previous is None
