"""Without JavaScript, a removal confirmed on its own page leads back to the members list as the
person left it: its search, page and size (issue 12, item 8), as Django admin's
preserved filters do. Only the list's own keys travel."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, quote, urlsplit

from tests.seeds import ORG_IDS, USER_IDS
from tests.view_helpers import text

ACME, BEN = ORG_IDS["acme"], USER_IDS["ben"]
MEMBERS = f"/organizations/{ACME}/"
REMOVE_BEN = f"/organizations/{ACME}/members/{quote(BEN, safe='')}/remove/"
LIST = "q=ben&per_page=10"


def test_the_members_page_hands_its_query_to_remove_member(auth0, client):
    page = text(client.get(MEMBERS, {"q": "ben", "per_page": "10", "user": "x"}))
    link = re.search(r'href="([^"]+/remove/\?_changelist_filters=[^"]+)"', page)
    assert link, "no Remove member link with the list's query"
    carried = parse_qs(urlsplit(html.unescape(link[1])).query)["_changelist_filters"][0]
    assert parse_qs(carried) == {"q": ["ben"], "per_page": ["10"]}  # the ticks ("user") stay
    assert f'name="_changelist_filters" value="{html.escape(carried)}"' in page  # bulk form


def test_the_confirmation_page_keeps_it_and_cancel_goes_back_to_it(auth0, client):
    page = text(client.get(REMOVE_BEN, {"_changelist_filters": LIST}))
    assert f'name="_changelist_filters" value="{html.escape(LIST)}"' in page
    assert f'href="{MEMBERS}?{html.escape(LIST)}"' in page  # Cancel


def test_a_plain_removal_redirects_to_the_list_as_it_was(auth0, client):
    response = client.post(REMOVE_BEN, {"_changelist_filters": LIST, "reason": "ticket 1"})
    assert response.status_code == 302
    assert response["Location"] == f"{MEMBERS}?{LIST}"


def test_a_plain_bulk_removal_redirects_to_the_list_as_it_was(auth0, client):
    response = client.post(
        f"{MEMBERS}members/remove/",
        {"user": [BEN], "_changelist_filters": "after=abc&page=2", "reason": "ticket 2"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{MEMBERS}?after=abc&page=2"


def test_a_bulk_removal_of_a_listed_page_redirects_to_it_too(auth0, client):
    client.get(MEMBERS, {"per_page": "10"})  # the page the rows are picked from
    response = client.post(
        f"{MEMBERS}members/remove/",
        {"user": [BEN], "cursor": "", "page_size": "10", "_changelist_filters": "per_page=10"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{MEMBERS}?per_page=10"


def test_only_the_lists_own_keys_travel(auth0, client):
    hostile = "next=//evil.example/&q=ben&csrfmiddlewaretoken=x&url=javascript:alert(1)"
    response = client.post(REMOVE_BEN, {"_changelist_filters": hostile})
    assert response["Location"] == f"{MEMBERS}?q=ben"


def test_without_preserved_filters_it_is_the_bare_list(auth0, client):
    response = client.post(REMOVE_BEN, {})
    assert response["Location"] == MEMBERS
