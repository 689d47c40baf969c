"""Who holds a role here (issue 11, item 7): pick an organization role and see its holders,
paged, with a trash can each; the protected roles' holders at a glance from adminportal's index
(no Auth0 call)."""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import parse_qs, unquote, urlencode

import pytest

from orgs import selectors
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, bigger_seed, text

ACME = ORG_IDS["acme"]
HOLDERS = f"/organizations/{ACME}/roles/"


def holder_names(response) -> list[str]:
    section = text(response).split('id="role-holders"', 1)[1]
    return re.findall(
        r'<td><a href="/organizations/[^"]+/members/[^"]+/">([^<]+)</a></td>', section
    )


def test_the_tab_lists_organization_roles_only_and_explains(auth0, client):
    page = text(client.get(HOLDERS))
    assert (
        '<a href="/organizations/org_Acme000000000001/roles/" aria-current="page">Role holders</a>'
        in page
    )
    assert '<option value="' + ROLE_IDS["support-agent"] + '">support-agent</option>' in page
    assert "tenant-admin" not in page  # a tenant-wide role: not an organization role
    assert "Choose a role to list who holds it" in page


def test_a_roles_holders_with_a_trash_can_each(auth0, client):
    auth0.clear_requests()
    response = client.get(HOLDERS, {"role": ROLE_IDS["billing-admin"]}, headers=HX)

    assert holder_names(response) == ["Ben Okafor"]
    body = text(response)
    assert (
        f'href="/organizations/{ACME}/members/auth0%7Cben0000000000000000000001/roles/remove/'
        f'?role={ROLE_IDS["billing-admin"]}&amp;from=holders"' in body
    )
    assert 'aria-label="Remove role billing-admin"' in body
    assert "3 members read: every member." in body
    members_reads = [r for r in auth0.api_requests() if r["path"].endswith("/members")]
    assert len(members_reads) == 1


def test_without_javascript_a_trash_can_leads_back_to_the_holders_where_they_were(
    auth0, client, monkeypatch
):
    monkeypatch.setattr(selectors, "HOLDER_SCAN_PAGES", 1)
    monkeypatch.setattr(selectors, "HOLDER_SCAN_TAKE", 1)  # a member a page: Ben is past page 1
    role, ben = ROLE_IDS["billing-admin"], "auth0%7Cben0000000000000000000001"
    after, trash = "", None
    while trash is None:
        page = text(
            client.get(HOLDERS, {"role": role, "after": after} if after else {"role": role})
        )
        trash = re.search(rf'href="(/organizations/{ACME}/members/{ben}/roles/remove/[^"]+)"', page)
        more = re.search(r'<a rel="next" href="\?[^"]*after=([^"&]+)"', page)
        if trash is None:
            assert more, "Ben holds billing-admin: he is on some page"
            after = unquote(more[1])
    assert after  # not the first page
    confirmation = text(client.get(trash[1].replace("&amp;", "&")))
    back = f"{HOLDERS}?{urlencode({'role': role, 'after': after})}"
    assert f'href="{escape(back)}"' in confirmation  # Cancel
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirmation))
    assert fields["from"] == "holders" and unescape(fields["after"]) == after

    fields = {key: unescape(value) for key, value in fields.items()}
    done = client.post(f"/organizations/{ACME}/members/{ben}/roles/remove/", fields)

    assert done.status_code == 302 and done["Location"] == back
    assert "Removed the role billing-admin from Ben Okafor" in text(client.get(done["Location"]))


def test_a_viewer_sees_holders_without_trash_cans(auth0, make_staff):
    from django.test import Client

    viewer = Client()
    viewer.force_login(make_staff("viewer", "Viewer"))
    body = text(viewer.get(HOLDERS, {"role": ROLE_IDS["billing-admin"]}))
    assert "Ben Okafor" in body and "Remove role billing-admin" not in body


def test_holders_page_through_a_big_organization_a_thousand_members_at_a_time(auth0, client):
    auth0.reset(seed=bigger_seed(extra_acme_members=1200))
    first = client.get(HOLDERS, {"role": ROLE_IDS["billing-admin"]}, headers=HX)
    body = text(first)
    assert "1000 members read." in body
    more = re.search(r'<a rel="next" href="\?([^"]+)"', body)
    assert more, body
    query = parse_qs(more[1].replace("&amp;", "&"))
    second = client.get(HOLDERS, {k: v[0] for k, v in query.items()}, headers=HX)
    assert "members read: every member." in text(second)
    assert holder_names(first) + holder_names(second)  # Ben is somewhere in the list


def test_protected_role_holders_at_a_glance_cost_no_call(auth0, client):
    client.get(HOLDERS)  # the organization and the role catalogue are remembered
    client.get(f"/organizations/{ACME}/")  # a members page shown feeds the index
    auth0.clear_requests()
    body = text(client.get(HOLDERS))
    glance = body.split('id="protected-title"', 1)[1].split("</section>", 1)[0]
    assert '<span class="tag">org-owner</span>' in glance
    assert ">Ana Lee</a>" in glance
    assert auth0.api_requests() == []


@pytest.mark.parametrize("role", ["not-a-role", ROLE_IDS["tenant-admin"], "rol_" + "x" * 60])
def test_a_malformed_or_tenant_wide_role_lists_nothing(auth0, client, role):
    auth0.clear_requests()
    body = text(client.get(HOLDERS, {"role": role, "after": "x" * 2000}))
    assert "Choose a role to list who holds it" in body
    assert not [r for r in auth0.api_requests() if r["path"].endswith("/members")]


def test_the_selector_stops_after_its_page_budget(auth0):
    auth0.reset(seed=bigger_seed(extra_acme_members=1200))
    found = selectors.role_holders(org_id=ACME, role_id=ROLE_IDS["billing-admin"])
    assert found.scanned == selectors.HOLDER_SCAN_PAGES * selectors.HOLDER_SCAN_TAKE
    assert found.next_cursor is not None
    assert USER_IDS["ben"]  # seeded


def test_a_page_link_auth0_no_longer_knows_starts_again_at_the_first_member(auth0, client):
    response = client.get(HOLDERS, {"role": ROLE_IDS["billing-admin"], "after": "not-a-cursor"})

    assert response.status_code == 200
    assert holder_names(response) == ["Ben Okafor"]
    assert "That page of members is no longer available" in text(response)
    role = ROLE_IDS["billing-admin"]
    assert f'/roles/remove/?role={role}&amp;from=holders"' in text(response)  # back: from the top
