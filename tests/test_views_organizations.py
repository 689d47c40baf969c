"""The organization list (search, sort, paging), jump to an organization, and an organization's
members (one call per page, search, checkpoint paging, pending removals), as full pages and as
htmx partials."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from orgs.pending import POLL_SECONDS
from tests.seeds import ORG_IDS, USER_IDS
from tests.view_helpers import (
    HX,
    bigger_seed,
    hx_messages,
    one_message,
    text,
    toasts,
)

ACME = ORG_IDS["acme"]
GLOBEX = ORG_IDS["globex"]
INITECH = ORG_IDS["initech"]
LIST = "/organizations/"
ACME_URL = f"/organizations/{ACME}/"


# These tests are about the views' flows; the protected-role guardrail has its own tests.
pytestmark = pytest.mark.usefixtures("no_protected_roles")


def org_ids_in(response) -> list[str]:
    """The organization ids of the list's rows, in order."""
    return re.findall(r"<td><code>(org_\w+)</code></td>", text(response))


def member_ids_in(response) -> list[str]:
    return re.findall(r"<td><code>(auth0\|\w+)</code></td>", text(response))


def link(response, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', text(response))
    return html.unescape(found.group(1)) if found else None


def org_list_queries(emulator) -> list[dict[str, list[str]]]:
    return [
        parse_qs(r["query"])
        for r in emulator.api_requests()
        if r["path"] == "/api/v2/organizations"
    ]


# --- the organization list ---------------------------------------------------------------------


def test_the_list_is_a_full_page_and_an_htmx_request_gets_only_the_table(auth0, client):
    page = client.get(LIST)
    partial = client.get(LIST, headers=HX)

    assert page.status_code == partial.status_code == 200
    assert "<html" in text(page) and 'id="org-q"' in text(page)
    assert "<html" not in text(partial) and 'id="org-q"' not in text(partial)
    assert text(partial).lstrip().startswith('<section id="org-table"')
    assert org_ids_in(page) == org_ids_in(partial) == [ACME, GLOBEX, INITECH]
    assert "Page 1 of 1 · 3 organizations" in text(partial)
    assert "HX-Request" in page.headers["Vary"]  # caches keep the two answers apart


def test_search_matches_the_name_or_the_display_name_in_any_case(auth0, client):
    by_name = client.get(LIST, {"q": "GLOB"}, headers=HX)
    by_display_name = client.get(LIST, {"q": "corporation"}, headers=HX)
    by_id = client.get(LIST, {"q": INITECH.lower()}, headers=HX)
    nothing = client.get(LIST, {"q": "zzz"}, headers=HX)

    assert org_ids_in(by_name) == [GLOBEX]
    assert org_ids_in(by_display_name) == [ACME]
    assert org_ids_in(by_id) == [INITECH]
    assert org_ids_in(nothing) == []
    assert "No organization matches “zzz”." in text(nothing)
    assert "0 organizations" in text(nothing)


def test_the_search_box_keeps_the_text_escaped(auth0, client):
    response = client.get(LIST, {"q": '"><script>alert(1)</script>'})

    assert "<script>alert(1)</script>" not in text(response)
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in text(response)
    assert "No organization matches “&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;”." in text(
        response
    )


def test_the_display_name_is_escaped_in_the_list(auth0, client):
    response = client.get(LIST)

    assert "Globex &lt;b&gt;&amp;amp;&lt;/b&gt; Partners" in text(response)
    assert "<b>&amp;</b>" not in text(response)


def test_sort_orders_by_name_or_display_name_both_ways(auth0, client):
    seed = bigger_seed()
    seed["organizations"][2]["display_name"] = "Aardvark Initech"  # name and label orders differ
    auth0.reset(seed=seed)

    def order(sort: str, q: str = "") -> list[str]:
        return org_ids_in(client.get(LIST, {"sort": sort, "q": q}, headers=HX))

    assert order("name:1") == [ACME, GLOBEX, INITECH]
    assert order("name:-1") == [INITECH, GLOBEX, ACME]
    assert order("display_name:1") == [INITECH, ACME, GLOBEX]
    assert order("display_name:-1") == [GLOBEX, ACME, INITECH]
    # The search sorts itself (Auth0 only lists): "e" is in every name.
    assert order("name:-1", q="e") == [INITECH, GLOBEX, ACME]
    assert order("display_name:1", q="e") == [INITECH, ACME, GLOBEX]
    assert org_list_queries(auth0)[1]["sort"] == ["name:-1"]


def test_per_page_and_page_come_from_the_url_with_links_that_keep_them(auth0, client):
    auth0.reset(seed=bigger_seed(extra_orgs=30))  # 33: acme, extra-000…extra-029, globex, initech

    response = client.get(LIST, {"per_page": "10", "page": "2", "sort": "name:1"}, headers=HX)

    rows = org_ids_in(response)
    assert rows == [f"org_Extra{i:014d}" for i in range(9, 19)]
    assert "Page 2 of 4 · 33 organizations" in text(response)
    assert parse_qs(urlsplit(link(response, "prev")).query) == {
        "per_page": ["10"],
        "page": ["1"],
        "sort": ["name:1"],
    }
    assert parse_qs(urlsplit(link(response, "next")).query)["page"] == ["3"]
    assert org_list_queries(auth0) == [
        {"page": ["1"], "per_page": ["10"], "include_totals": ["true"], "sort": ["name:1"]}
    ]

    last = client.get(LIST, {"per_page": "10", "page": "4"}, headers=HX)
    assert org_ids_in(last) == [f"org_Extra{i:014d}" for i in range(29, 30)] + [GLOBEX, INITECH]
    assert link(last, "next") is None
    assert link(client.get(LIST, headers=HX), "prev") is None


def test_bad_parameters_fall_back_to_defaults_one_by_one(auth0, client):
    response = client.get(
        LIST, {"q": "acme", "per_page": "7", "page": "abc", "sort": "drop table"}, headers=HX
    )

    assert response.status_code == 200
    assert org_ids_in(response) == [ACME]  # the good search text is kept
    assert "Page 1 of 1 · 1 organization" in text(response)

    client.get(LIST, {"per_page": "-5", "page": "0", "sort": "created_at:1"})
    assert org_list_queries(auth0)[-1] == {
        "page": ["0"],
        "per_page": ["25"],
        "include_totals": ["true"],
        "sort": ["name:1"],
    }
    page = client.get(LIST, {"page": "99999999999999999999"})
    assert page.status_code == 200 and org_ids_in(page) == [ACME, GLOBEX, INITECH]


def test_a_page_beyond_the_end_says_so_and_links_to_the_last_page(auth0, client):
    response = client.get(LIST, {"page": "5"})

    assert response.status_code == 200
    assert org_ids_in(response) == []
    assert "There is no page 5: the list has 1 page." in text(response)
    assert "This tenant has no organizations" not in text(response)
    assert 'href="?page=1">Go to page 1</a>' in text(response)

    searched = client.get(LIST, {"q": "acme", "page": "3"}, headers=HX)
    assert "There is no page 3: the list has 1 page." in text(searched)
    assert "No organization matches" not in text(searched)


def test_an_empty_tenant_says_it_has_no_organizations(auth0, client):
    auth0.reset(seed={"clients": bigger_seed()["clients"]})

    response = client.get(LIST, headers=HX)

    assert "This tenant has no organizations." in text(response)
    assert "Page 1 of 1 · 0 organizations" in text(response)


# --- jump to an organization -------------------------------------------------------------------


def test_jump_by_id_or_by_name_goes_to_the_organization(auth0, client):
    by_id = client.get("/organizations/jump/", {"to": f"  {GLOBEX} "})
    by_name = client.get("/organizations/jump/", {"to": "initech"})

    assert by_id.status_code == by_name.status_code == 302
    assert by_id["Location"] == f"/organizations/{GLOBEX}/"
    assert by_name["Location"] == f"/organizations/{INITECH}/"
    assert [r["path"] for r in auth0.api_requests()] == [
        f"/api/v2/organizations/{GLOBEX}",
        "/api/v2/organizations/name/initech",
    ]


def test_jump_to_an_unknown_name_warns_and_keeps_what_was_typed(auth0, client):
    response = client.get("/organizations/jump/", {"to": "no such org"})

    assert response.status_code == 302
    assert response["Location"] == "/organizations/?to=no+such+org"
    page = client.get(response["Location"])
    assert one_message(toasts(page)) == (
        "warning",
        "No organization has the id or name “no such org”.",
    )
    assert 'id="jump-to" name="to" value="no such org"' in text(page)


def test_jump_to_an_unknown_or_malformed_id_warns(auth0, client):
    unknown = client.get("/organizations/jump/", {"to": "org_Gone000000000001"}, follow=True)
    assert one_message(toasts(unknown)) == (
        "warning",
        "No organization has the id or name “org_Gone000000000001”.",
    )

    auth0.clear_requests()
    malformed = client.get("/organizations/jump/", {"to": "org_<b>bad</b>"}, follow=True)
    assert one_message(toasts(malformed)) == (
        "warning",
        "No organization has the id or name “org_<b>bad</b>”.",
    )
    assert "org_&lt;b&gt;bad&lt;/b&gt;" in text(malformed)
    assert auth0.api_requests() == []  # not even the list: the one above is remembered


def test_jump_with_nothing_typed_goes_back_to_the_list(auth0, client):
    response = client.get("/organizations/jump/", {"to": "   "})

    assert response.status_code == 302 and response["Location"] == LIST
    assert auth0.api_requests() == []


def test_jump_when_auth0_fails_says_what_failed(auth0, client):
    auth0.add_fault(path="/organizations/name/", status=503)

    page = client.get("/organizations/jump/", {"to": "acme"}, follow=True)

    level, message = one_message(toasts(page))
    assert level == "error"
    assert message.startswith("Could not look up “acme”: Auth0 had a problem")


# --- an organization's members -----------------------------------------------------------------


def test_the_members_page_lists_members_with_their_roles(auth0, client):
    response = client.get(ACME_URL)

    assert response.status_code == 200
    body = text(response)
    assert "<h1>Acme Corporation</h1>" in body and "region: us" in body
    assert member_ids_in(response) == [USER_IDS["ana"], USER_IDS["ben"], USER_IDS["mallory"]]
    assert (
        '<ul class="tags" aria-label="Roles"><li class="tag">billing-admin</li>'
        '<li class="tag">support-agent</li></ul>' in body
    )
    assert '<span class="muted">No roles</span>' in body  # Mallory
    assert f'href="/organizations/{ACME}/members/auth0%7Cben0000000000000000000001/"' in body
    assert "every " not in re.search(r'hx-trigger="([^"]*)"', body[body.index('id="members"') :])[1]


def test_an_htmx_refresh_is_the_table_only_in_one_api_call(auth0, client):
    client.get(ACME_URL)  # the token is in hand
    auth0.clear_requests()

    response = client.get(ACME_URL, headers=HX)

    assert response.status_code == 200
    assert "<html" not in text(response)
    assert text(response).lstrip().startswith('<section id="members"')
    assert member_ids_in(response) == [USER_IDS["ana"], USER_IDS["ben"], USER_IDS["mallory"]]
    assert '<li class="tag">org-owner</li>' in text(response)
    calls = auth0.api_requests()
    assert len(calls) == 1
    assert calls[0]["method"] == "GET"
    assert calls[0]["path"] == f"/api/v2/organizations/{ACME}/members"
    assert "roles" in parse_qs(calls[0]["query"])["fields"][0].split(",")


def test_the_members_table_escapes_hostile_names(auth0, client):
    for response in (client.get(ACME_URL), client.get(ACME_URL, headers=HX)):
        body = text(response)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory" in body
        assert "<script>alert" not in body
    globex = text(client.get(f"/organizations/{GLOBEX}/"))
    assert "<h1>Globex &lt;b&gt;&amp;amp;&lt;/b&gt; Partners</h1>" in globex
    assert "<b>&amp;</b>" not in globex


def test_member_search_finds_members_by_name_or_email(auth0, client):
    by_name = client.get(ACME_URL, {"q": "ben"}, headers=HX)
    by_email = client.get(ACME_URL, {"q": "ana.lee@acme.example.com"}, headers=HX)
    other_org = client.get(ACME_URL, {"q": "chloe"}, headers=HX)

    assert member_ids_in(by_name) == [USER_IDS["ben"]]
    assert "1 of 1 match." in text(by_name)
    assert '<li class="tag">billing-admin</li>' in text(by_name)  # with their roles
    assert member_ids_in(by_email) == [USER_IDS["ana"]]
    assert member_ids_in(other_org) == []  # Chloé is in Globex only
    assert "No member matches “chloe”." in text(other_org)
    assert link(by_name, "next") is None


def test_member_search_keeps_the_text_in_the_box_and_the_refresh_url(auth0, client):
    response = client.get(ACME_URL, {"q": "ben"})

    assert 'id="member-q" type="search" name="q" value="ben"' in text(response)
    refresh = re.search(
        r'<section id="members" aria-label="Members" hx-get="([^"]+)"', text(response)
    )
    assert parse_qs(urlsplit(html.unescape(refresh[1])).query) == {
        "q": ["ben"],
        "per_page": ["25"],
    }


def test_members_page_forward_and_back_with_checkpoint_cursors(auth0, client):
    auth0.reset(seed=bigger_seed(extra_acme_members=20))  # 23 members
    first = client.get(ACME_URL, {"per_page": "10"})

    assert len(member_ids_in(first)) == 10
    assert "<span>Page 1</span>" in text(first)
    assert link(first, "prev") is None
    next_url = link(first, "next")
    cursors = parse_qs(urlsplit(next_url).query)["after"]
    assert len(cursors) == 1

    second = client.get(next_url, headers=HX)
    assert "<span>Page 2</span>" in text(second)
    assert set(member_ids_in(second)).isdisjoint(member_ids_in(first))
    assert len(member_ids_in(second)) == 10
    assert parse_qs(urlsplit(link(second, "prev")).query) == {"per_page": ["10"]}
    third_url = link(second, "next")
    assert parse_qs(urlsplit(third_url).query)["after"][0] == cursors[0]

    auth0.clear_requests()
    third = client.get(third_url, headers=HX)
    assert "<span>Page 3</span>" in text(third)
    assert len(member_ids_in(third)) == 3  # the last, short page
    assert link(third, "next") is None
    assert parse_qs(urlsplit(link(third, "prev")).query)["after"] == cursors
    (call,) = auth0.api_requests()
    assert parse_qs(call["query"])["take"] == ["10"]
    seen = member_ids_in(first) + member_ids_in(second) + member_ids_in(third)
    assert len(set(seen)) == 23


def test_a_full_last_page_leads_to_an_empty_one_that_says_so(auth0, client):
    auth0.reset(seed=bigger_seed(extra_acme_members=7))  # 10 members

    first = client.get(ACME_URL, {"per_page": "10"}, headers=HX)
    assert len(member_ids_in(first)) == 10
    after = client.get(link(first, "next"), headers=HX)

    assert after.status_code == 200
    assert member_ids_in(after) == []
    assert "No more members." in text(after)
    assert link(after, "next") is None and link(after, "prev") is not None


def test_a_bad_per_page_falls_back_to_25_and_a_stale_cursor_restarts_at_page_1(auth0, client):
    client.get(ACME_URL, {"per_page": "1000"}, headers=HX)
    assert parse_qs(auth0.api_requests()[-1]["query"])["take"] == ["25"]

    response = client.get(ACME_URL, {"after": "not-a-cursor", "page": "7"})
    assert response.status_code == 200
    assert "That page of members is no longer available" in text(response)
    assert "Page 1" in text(response)
    assert USER_IDS["ana"] in member_ids_in(response)


def test_an_organization_without_members_says_so(auth0, client):
    seed = bigger_seed()
    seed["organizations"][2]["members"] = []
    auth0.reset(seed=seed)

    response = client.get(f"/organizations/{INITECH}/", headers=HX)

    assert "This organization has no members." in text(response)


def test_an_unknown_organization_is_a_404_page_leading_back_to_the_list(auth0, client):
    response = client.get("/organizations/org_Gone000000000001/")

    assert response.status_code == 404
    assert "There is no organization “org_Gone000000000001” (any more)" in text(response)
    assert f'href="{LIST}"' in text(response)


def test_a_malformed_organization_id_is_refused_before_calling_auth0(auth0, client):
    response = client.get("/organizations/acme-corp/")

    assert response.status_code == 404
    assert auth0.api_requests() == []
    assert "“acme-corp” is not an organization id (org_…)" in text(response)


def test_an_htmx_refresh_of_a_deleted_organization_navigates_to_the_list(auth0, client):
    # A plain redirect would be followed by htmx and the list page swapped into the table.
    response = client.get("/organizations/org_Gone000000000001/", headers=HX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == LIST
    assert "HX-Trigger" not in response  # the message waits for the list page
    level, message = one_message(toasts(client.get(LIST)))
    assert "org_Gone000000000001" in message


# --- pending removals --------------------------------------------------------------------------


def test_a_removed_member_shows_as_removing_and_the_table_polls_until_auth0_drops_them(
    auth0, client
):
    auth0.set_member_removal_lag(8)
    removed = client.post(f"/organizations/{ACME}/members/{USER_IDS['ana']}/remove/", headers=HX)
    assert removed.status_code == 204

    during = client.get(ACME_URL, headers=HX)
    body = text(during)
    assert USER_IDS["ana"] in member_ids_in(during)  # Auth0 still lists her
    row = re.search(r'<tr class="pending" aria-busy="true">.*?</tr>', body, re.S)[0]
    assert "Ana Lee" in row and "Removing…" in row
    assert 'name="user"' not in row and "Remove member" not in row  # no actions on her
    section = re.search(r'<section id="members"[^>]*>', body)[0]
    # Polls every few seconds (app.js sends "poll", except while a More options menu is open:
    # the refresh would close it; an htmx filter would need eval, which the CSP refuses).
    assert 'hx-trigger="membersChanged from:body, poll"' in section
    assert f'data-poll="{POLL_SECONDS}"' in section
    assert body.count('class="pending"') == 1  # Ben and Mallory are normal rows

    auth0.advance_clock(8)
    after = client.get(ACME_URL, headers=HX)
    assert member_ids_in(after) == [USER_IDS["ben"], USER_IDS["mallory"]]
    assert "Removing…" not in text(after)
    assert "data-poll" not in re.search(r'<section id="members"[^>]*>', text(after))[0]


def test_a_removal_whose_outcome_is_unknown_shows_as_removing_too(auth0, client, settings):
    """Auth0 may have removed them: a retry while its list still shows them would be recorded
    as a removal of someone without roles (and its Restore give back none)."""
    auth0.set_member_removal_lag(8)
    settings.AUTH0_TIMEOUT_READ = 0.3
    auth0.add_fault(path="/members$", method="DELETE", delay=1.0, times=1)
    removed = client.post(f"/organizations/{ACME}/members/{USER_IDS['ben']}/remove/", headers=HX)
    assert removed.status_code == 504  # Auth0 did not answer in time; the removal went through

    body = text(client.get(ACME_URL, headers=HX))

    row = re.search(r'<tr class="pending" aria-busy="true">.*?</tr>', body, re.S)[0]
    assert "Ben Okafor" in row and "Removing…" in row and "Remove member" not in row


def test_the_pending_state_belongs_to_the_person_who_removed(auth0, client, make_staff):
    auth0.set_member_removal_lag(8)
    client.post(f"/organizations/{ACME}/members/{USER_IDS['ana']}/remove/", headers=HX)

    colleague = Client()
    colleague.force_login(make_staff("colleague", "Viewer"))
    someone_else = colleague.get(ACME_URL, headers=HX)

    assert USER_IDS["ana"] in member_ids_in(someone_else)
    assert "Removing…" not in text(someone_else)


def test_the_removal_message_rides_the_htmx_answer(auth0, client):
    response = client.post(f"/organizations/{ACME}/members/{USER_IDS['ben']}/remove/", headers=HX)

    assert one_message(hx_messages(response)) == (
        "success",
        "Removed Ben Okafor from Acme Corporation. Auth0 may list them for a few more seconds.",
    )


def test_paging_has_no_end_but_the_organizations_even_ten_at_a_time(auth0, client):
    """1,050 members, 10 a page: 105 pages, every member once, past Auth0's 1,000-record
    offset limit and past the 20 cursors an address keeps."""
    from tests.seeds import small_seed

    seed = small_seed()
    users = [
        {"user_id": f"auth0|big{i:021d}", "email": f"u{i}@big.example.com"} for i in range(1050)
    ]
    seed["users"] += users
    seed["organizations"].append(
        {
            "id": "org_Big0000000000001",
            "name": "big",
            "members": [{"user_id": u["user_id"]} for u in users],
        }
    )
    auth0.load_seed(seed)
    url = "/organizations/org_Big0000000000001/?per_page=10"
    seen: list[str] = []
    number = 0
    while url:
        number += 1
        response = client.get(url, headers=HX)
        body = text(response)
        assert f"Page {number}<" in body
        seen += member_ids_in(response)
        found = re.search(r'<a rel="next" href="([^"]+)"', body)
        url = html.unescape(found[1]) if found else None
        assert len(parse_qs(urlsplit(url).query).get("after", [])) <= 20 if url else True
        previous = re.search(r'<a rel="prev" href="([^"]+)"', body)
        if number > 25:
            # Far in, the oldest cursors are gone: Previous still works from the kept ones,
            # and First page is always there.
            assert previous and "First page" in body
    # Page 105 is full, and Auth0 still sends `next` after it: page 106 says there are no more.
    assert number == 106
    assert "No more members." in body
    assert len(seen) == len(set(seen)) == 1050

    back = client.get(html.unescape(previous[1]), headers=HX)  # from page 106 to 105
    assert "Page 105<" in text(back)
    assert member_ids_in(back) == seen[1040:1050]


def test_ticked_members_stay_ticked_when_the_table_refreshes(auth0, client):
    ben = USER_IDS["ben"]
    response = client.get(ACME_URL, {"user": [ben]}, headers=HX)
    body = text(response)
    row = re.search(rf'<input type="checkbox" name="user" value="{re.escape(ben)}"[^>]*>', body)[0]
    assert "checked" in row
    ana = re.search(
        rf'<input type="checkbox" name="user" value="{re.escape(USER_IDS["ana"])}"[^>]*>', body
    )[0]
    assert "checked" not in ana
    assert 'hx-include="#bulk-form"' in body  # the refresh sends the ticks along


def test_a_tenant_with_more_than_1000_organizations_pages_only_through_the_first_1000(
    auth0, client
):
    from tests.seeds import small_seed

    seed = small_seed()
    seed["organizations"] += [
        {"name": f"org-{i:04d}", "display_name": f"Org {i:04d}"} for i in range(1100)
    ]
    auth0.load_seed(seed)

    response = client.get("/organizations/", {"per_page": 50, "page": 20})
    body = text(response)

    assert "Page 20 of 20 · 1103 organizations" in body
    assert 'rel="next"' not in body
    assert "Auth0 lists only the first 1,000 page by page" in body


def test_a_one_character_search_asks_for_more_without_calling_auth0(auth0, client):
    auth0.clear_requests()
    response = client.get(ACME_URL, {"q": "a"}, headers=HX)
    assert "Type at least 2 characters to find a member." in text(response)
    assert auth0.api_requests() == []


def test_metadata_keys_named_like_dict_methods_are_shown_as_keys(auth0, client):
    seed = bigger_seed()
    metadata = {"items": "<i>x</i>", "keys": "k", "values": "v", "region": "us"}
    seed["organizations"][0]["metadata"] = metadata
    auth0.reset(seed=seed)

    response = client.get(ACME_URL)
    listed = client.get(LIST)

    assert response.status_code == 200
    page = text(response)
    for shown in ("items: &lt;i&gt;x&lt;/i&gt;", "keys: k", "values: v", "region: us"):
        assert f" · {shown}" in page
    assert listed.status_code == 200 and "<td>us</td>" in text(listed)
