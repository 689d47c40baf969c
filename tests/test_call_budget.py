"""How many Auth0 Management API calls each page and action costs, counted in the emulator's
request log (deterministic), at steady state: the step is taken once to warm what adminportal
remembers (token, role catalogue, organization), then counted. Each row of the call budget:

| page / action                           | calls                                   |
|-----------------------------------------|-----------------------------------------|
| organization list                       | 1                                       |
| members page                            | 1                                       |
| member page                             | 2                                       |
| tenant-wide roles page                  | 2                                       |
| Assign role POST (+ panel refresh)      | 1 read + 1 write (+ 0)                  |
| remove role (confirmation, POST)        | 0, 1 read + 1 write                     |
| Remove member (confirmation, POST)      | 0, 1 read + 1 write                     |
| bulk remove (preview, POST)             | 0, 1 read per page picked + 1 write     |
| restore a removal (confirmation, POST)  | 0, (1 search) + 1 + 1 per member w/ roles |
| Find member                             | 1 (2 with a single hit)                 |
| protected role from its sole holder     | 1 at any organization size              |
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache

from orgs import holders, restorations
from orgs.models import AuditEvent
from orgs.selectors import ORGANIZATION_PAGE_KEY
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, bigger_seed, hx_messages, members_of, one_message, text

ACME = ORG_IDS["acme"]
ANA, BEN, MALLORY = USER_IDS["ana"], USER_IDS["ben"], USER_IDS["mallory"]
MEMBERS = f"/organizations/{ACME}/"
BEN_PAGE = f"/organizations/{ACME}/members/{BEN}/"
OWNER = ROLE_IDS["org-owner"]


def calls(emulator) -> list[str]:
    """The Management API calls since the log was cleared, as "METHOD path"."""
    return [f"{r['method']} {r['path']}" for r in emulator.api_requests()]


def counted(emulator, step) -> tuple[Any, list[str]]:
    emulator.clear_requests()
    result = step()
    return result, calls(emulator)


def warm(client) -> None:
    """A support agent's first pages: the token, the role catalogue and the organization are
    read once and remembered."""
    assert client.get("/organizations/").status_code == 200
    assert client.get(MEMBERS).status_code == 200
    assert client.get(BEN_PAGE).status_code == 200


def test_the_organization_list_is_one_call_then_remembered_for_every_worker(auth0, client):
    warm(client)
    response, made = counted(auth0, lambda: client.get("/organizations/?page=2&per_page=10"))
    assert response.status_code == 200
    assert made == ["GET /api/v2/organizations"]
    response, made = counted(auth0, lambda: client.get("/organizations/?page=2&per_page=10"))
    assert response.status_code == 200
    assert made == []  # the same page within ORGANIZATION_PAGE_SECONDS
    cache.delete(ORGANIZATION_PAGE_KEY.format(page=1, per_page=10, sort="name:1"))  # expired
    response, made = counted(auth0, lambda: client.get("/organizations/?page=2&per_page=10"))
    assert made == ["GET /api/v2/organizations"]


def test_the_members_page_is_one_call_with_their_roles(auth0, client):
    warm(client)
    response, made = counted(auth0, lambda: client.get(MEMBERS))
    assert response.status_code == 200
    assert '<li class="tag">billing-admin</li>' in text(response)
    assert made == [f"GET /api/v2/organizations/{ACME}/members"]


def test_the_member_page_is_two_calls_their_organizations_and_their_roles(auth0, client):
    client.get("/organizations/")
    client.get(MEMBERS)  # the row's profile is remembered from here
    client.get(f"/organizations/{ACME}/members/{ANA}/")  # the role catalogue
    response, made = counted(auth0, lambda: client.get(BEN_PAGE))
    assert response.status_code == 200
    assert "<h1>Ben Okafor</h1>" in text(response)
    assert sorted(made) == sorted(
        [
            f"GET /api/v2/users/{quoted(BEN)}/organizations",
            f"GET /api/v2/organizations/{ACME}/members/{quoted(BEN)}/roles",
        ]
    )


def test_the_tenant_wide_roles_page_is_two_calls(auth0, client):
    warm(client)
    response, made = counted(auth0, lambda: client.get(f"/users/{BEN}/roles/"))
    assert response.status_code == 200
    assert sorted(made) == [
        f"GET /api/v2/users/{quoted(BEN)}/organizations",
        f"GET /api/v2/users/{quoted(BEN)}/roles",
    ]


def test_assigning_a_role_is_one_read_and_the_write_and_the_refresh_is_free(auth0, client):
    warm(client)
    response, made = counted(
        auth0, lambda: client.post(BEN_PAGE, {"roles": [ROLE_IDS["viewer"]]}, headers=HX)
    )
    assert response.status_code == 204
    assert one_message(hx_messages(response)) == (
        "success",
        "Added 1 role to Ben Okafor in Acme Corporation: viewer.",
    )
    assert made == [
        f"GET /api/v2/organizations/{ACME}/members/{quoted(BEN)}/roles",
        f"POST /api/v2/organizations/{ACME}/members/{quoted(BEN)}/roles",
    ]
    refresh, made = counted(auth0, lambda: client.get(BEN_PAGE, headers=HX))
    assert made == []  # the panel shows what the write left
    assert '<span class="tag">viewer</span>' in text(refresh)
    assert members_of(auth0, ACME)[BEN] == {
        ROLE_IDS["support-agent"],
        ROLE_IDS["billing-admin"],
        ROLE_IDS["viewer"],
    }


def test_removing_a_role_confirms_for_free_then_reads_once_and_writes(auth0, client):
    warm(client)
    url = f"{BEN_PAGE}roles/remove/"
    dialog, made = counted(
        auth0, lambda: client.get(url, {"role": ROLE_IDS["billing-admin"]}, headers=HX)
    )
    assert "Remove the role billing-admin from Ben Okafor in Acme Corporation?" in text(dialog)
    assert made == []
    response, made = counted(
        auth0, lambda: client.post(url, {"role": ROLE_IDS["billing-admin"]}, headers=HX)
    )
    assert response.status_code == 204
    assert made == [
        f"GET /api/v2/organizations/{ACME}/members/{quoted(BEN)}/roles",
        f"DELETE /api/v2/organizations/{ACME}/members/{quoted(BEN)}/roles",
    ]
    _, made = counted(auth0, lambda: client.get(BEN_PAGE, headers=HX))
    assert made == []


def test_removing_a_member_confirms_for_free_then_reads_once_and_writes(auth0, client):
    warm(client)
    url = f"{BEN_PAGE}remove/"
    dialog, made = counted(auth0, lambda: client.get(url, headers=HX))
    assert "Remove Ben Okafor from Acme Corporation?" in text(dialog)
    assert made == []
    response, made = counted(auth0, lambda: client.post(url, headers=HX))
    assert response.status_code == 204
    assert made == [
        f"GET /api/v2/organizations/{ACME}/members/{quoted(BEN)}/roles",
        f"DELETE /api/v2/organizations/{ACME}/members",
    ]
    _, made = counted(auth0, lambda: client.get(MEMBERS, headers=HX))
    assert made == [f"GET /api/v2/organizations/{ACME}/members"]


def test_restoring_a_removal_confirms_for_free_then_adds_all_and_gives_roles_per_member(
    auth0, client, monkeypatch
):
    warm(client)
    client.post(f"{MEMBERS}members/remove/", {"user": [BEN, MALLORY]}, headers=HX)
    removal = AuditEvent.objects.get(action="members_remove")
    url = f"{MEMBERS}activity/{removal.pk}/restore/"
    dialog, made = counted(auth0, lambda: client.get(url, headers=HX))
    assert "Restore 2 members to Acme Corporation?" in text(dialog)
    assert made == []  # the audit trail names them and their roles
    monkeypatch.setattr(restorations, "RECENT", timedelta(0))  # who is back is asked
    response, made = counted(auth0, lambda: client.post(url, headers=HX))
    assert response.status_code == 204
    assert made == [
        "GET /api/v2/users",  # one search: who is a member again
        f"POST /api/v2/organizations/{ACME}/members",  # all of them at once
        f"POST /api/v2/organizations/{ACME}/members/{quoted(BEN)}/roles",  # Mallory had none
    ]


def test_a_bulk_removal_reads_only_the_page_the_rows_came_from(auth0, client):
    auth0.reset(seed=bigger_seed(extra_acme_members=240))  # 243 members: three pages of 100
    client.get(MEMBERS)
    first = client.get(MEMBERS, {"per_page": "50"})
    cursors = []
    page = first
    for _ in range(4):  # to the fifth page of 50
        after = re.search(r'rel="next" href="([^"]+)"', text(page))[1].replace("&amp;", "&")
        page = client.get(after)
    cursors = re.findall(r'name="cursor" value="([^"]*)"', text(page))
    assert len(cursors) == 1 and cursors[0]
    picked = re.findall(r'name="user" value="([^"]+)"', text(page))
    assert len(picked) == 43
    form = {"user": picked, "cursor": cursors[0], "page_size": "50"}

    preview, made = counted(
        auth0, lambda: client.get(f"{MEMBERS}members/remove/", form, headers=HX)
    )
    assert "Remove 43 members from Acme Corporation?" in text(preview)
    assert made == []  # the rows as the page just listed them

    response, made = counted(
        auth0, lambda: client.post(f"{MEMBERS}members/remove/", form, headers=HX)
    )
    assert response.status_code == 204
    assert made == [
        f"GET /api/v2/organizations/{ACME}/members",
        f"DELETE /api/v2/organizations/{ACME}/members",
    ]
    assert one_message(hx_messages(response))[1].startswith(
        "Removed 43 members from Acme Corporation: Extra 197, Extra 198"
    )
    assert not set(picked) & set(members_of(auth0, ACME))


def test_removing_a_member_from_the_members_table_confirms_for_free(auth0, client):
    warm(client)
    client.get(MEMBERS)  # the row's "More options" → Remove member
    url = f"/organizations/{ACME}/members/{MALLORY}/remove/"
    dialog, made = counted(auth0, lambda: client.get(url, headers=HX))
    assert "Mallory from Acme Corporation?" in text(dialog)
    assert made == []
    response, made = counted(auth0, lambda: client.post(url, headers=HX))
    assert response.status_code == 204
    assert made == [
        f"GET /api/v2/organizations/{ACME}/members/{quoted(MALLORY)}/roles",
        f"DELETE /api/v2/organizations/{ACME}/members",
    ]


def test_ids_sent_without_their_page_read_the_pages_that_showed_them(auth0, client):
    """100 members ticked on two pages of 50 and sent as ids only: the two pages are read
    again, however far down the list they are; never a walk."""
    auth0.reset(seed=bigger_seed(extra_acme_members=297))  # 300 members
    page = client.get(MEMBERS, {"per_page": "50"})
    picked = []
    for number in range(1, 7):
        if number >= 5:
            picked += re.findall(r'name="user" value="([^"]+)"', text(page))
        if number < 6:
            after = re.search(r'rel="next" href="([^"]+)"', text(page))[1]
            page = client.get(after.replace("&amp;", "&"))
    assert len(picked) == 100

    response, made = counted(
        auth0, lambda: client.post(f"{MEMBERS}members/remove/", {"user": picked}, headers=HX)
    )
    assert response.status_code == 204, hx_messages(response)
    assert made == [
        f"GET /api/v2/organizations/{ACME}/members",
        f"GET /api/v2/organizations/{ACME}/members",
        f"DELETE /api/v2/organizations/{ACME}/members",
    ]
    assert not set(picked) & set(members_of(auth0, ACME))


def test_find_member_is_one_search_and_a_single_hit_comes_with_roles(auth0, client):
    auth0.reset(seed=bigger_seed(extra_acme_members=3))
    warm(client)
    many, made = counted(auth0, lambda: client.get(MEMBERS, {"q": "extra"}, headers=HX))
    assert made == ["GET /api/v2/users"]
    assert text(many).count(">See roles</a>") == 3  # each a click away, not a call each
    one, made = counted(auth0, lambda: client.get(MEMBERS, {"q": "ben"}, headers=HX))
    assert made == [
        "GET /api/v2/users",
        f"GET /api/v2/organizations/{ACME}/members/{quoted(BEN)}/roles",
    ]
    assert '<li class="tag">billing-admin</li>' in text(one)


@pytest.mark.parametrize("size", [100, 2_000])
def test_the_sole_holder_of_a_protected_role_costs_one_call_at_any_size(auth0, client, size):
    auth0.reset(seed=bigger_seed(extra_acme_members=size))
    holders.reconcile(ACME)  # the index, as the background walk leaves it
    url = f"/organizations/{ACME}/members/{ANA}/roles/remove/"
    client.get(f"/organizations/{ACME}/members/{ANA}/")  # the page the trash can is on

    response, made = counted(auth0, lambda: client.post(url, {"role": OWNER}, headers=HX))

    assert response.status_code == 403
    assert "without anyone holding org-owner" in one_message(hx_messages(response))[1]
    assert made == [f"GET /api/v2/organizations/{ACME}/members/{quoted(ANA)}/roles"]
    assert AuditEvent.objects.get().outcome == AuditEvent.Outcome.REFUSED


def test_another_holder_is_confirmed_with_one_call_at_any_size(auth0, client):
    seed = bigger_seed(extra_acme_members=2_000)
    acme = next(o for o in seed["organizations"] if o["id"] == ACME)
    last = acme["members"][-1]["user_id"]
    acme["members"][-1]["roles"] = [OWNER]  # the other holder, at the very end of the list
    auth0.reset(seed=seed)
    holders.reconcile(ACME)
    url = f"/organizations/{ACME}/members/{ANA}/roles/remove/"
    client.get(f"/organizations/{ACME}/members/{ANA}/")  # the page the trash can is on

    response, made = counted(auth0, lambda: client.post(url, {"role": OWNER}, headers=HX))

    assert response.status_code == 204, hx_messages(response)
    assert Counter(m.split(" ")[0] for m in made) == {"GET": 2, "DELETE": 1}
    assert f"GET /api/v2/organizations/{ACME}/members/{quoted(last)}/roles" in made


def quoted(user_id: str) -> str:
    return user_id.replace("|", "%7C")
