"""The Users page (issue 11, item 5): search the tenant's users by name or e-mail, open one to
see their organizations in reach and tenant-wide roles; staff limited to some organizations
find only users who belong to one of them."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.seeds import ORG_IDS, USER_IDS
from tests.view_helpers import HX, text

USERS = "/users/"


def searches(auth0) -> list[str]:
    return [
        parse_qs(r["query"]).get("q", [""])[0]
        for r in auth0.api_requests()
        if r["path"] == "/api/v2/users"
    ]


def test_the_header_links_to_users_and_the_page_explains_itself(auth0, client):
    page = text(client.get(USERS))
    assert '<a href="/users/" aria-current="page">Users</a>' in page
    assert "Search by name (any word of it, from its start) or by e-mail address." in page
    assert auth0.api_requests() == []


@pytest.mark.parametrize("query", ["okafor", "Ben", "ben.okafor@acme.example.com", "ben oka"])
def test_find_a_user_by_any_word_of_their_name_or_their_email(auth0, client, query):
    auth0.clear_requests()
    response = client.get(USERS, {"q": query}, headers=HX)

    page = text(response)
    assert "Ben Okafor" in page
    assert f'href="/users/{USER_IDS["ben"].replace("|", "%7C")}/roles/"' in page
    assert len(searches(auth0)) == 1


def test_a_short_or_hostile_search_asks_nothing_of_auth0(auth0, client):
    short = text(client.get(USERS, {"q": "b"}))
    hostile = text(client.get(USERS, {"q": '<script>alert(1)</script> "*'}))
    assert "Type at least 2 characters." in short
    assert "<script>alert(1)</script>" not in hostile
    assert all("<" not in q and '"*' not in q for q in searches(auth0))


def test_limited_staff_find_only_users_of_their_organizations(auth0, make_staff, client):
    from django.test import Client

    globex_only = Client()
    globex_only.force_login(
        make_staff(
            "globex-support",
            "Support",
            all_organizations=False,
            organization_ids=[ORG_IDS["globex"]],
        )
    )
    auth0.clear_requests()

    ben = text(globex_only.get(USERS, {"q": "ben"}, headers=HX))  # Ben is in Acme only
    chloe = text(globex_only.get(USERS, {"q": "chlo"}, headers=HX))

    assert "Ben Okafor" not in ben
    assert "No user of the organizations you reach matches “ben”." in ben
    assert "Chloé García" in chloe
    assert all(f'organization_id:"{ORG_IDS["globex"]}"' in q for q in searches(auth0))
    assert "Ben Okafor" in text(client.get(USERS, {"q": "ben"}, headers=HX))  # an Admin does


def test_a_user_page_leads_back_to_users(auth0, client):
    page = text(client.get(f"/users/{USER_IDS['ben']}/roles/"))
    assert '<a href="/users/">Users</a> ›' in page
    assert "Member of" in page and "Acme Corporation" in page
