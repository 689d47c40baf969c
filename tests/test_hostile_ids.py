"""Ids that hold path syntax ("/", "..", "%"): every link resolves, as a browser resolves it,
to the member it names, and every Auth0 call goes to that member's own path."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import pytest
from django.urls import Resolver404, resolve

from orgs.auth0_mgmt import errors
from orgs.auth0_mgmt.config import get_client
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import bigger_seed, members_of, tenant_roles_of, text, toasts

ACME = ORG_IDS["acme"]
GLOBEX = ORG_IDS["globex"]
CHLOE = USER_IDS["chloe"]
# A SAML NameID may hold anything: this one climbs out of Acme into Globex's Chloé.
HOSTILE = f"samlp|evil|x/../../../{GLOBEX}/members/{CHLOE}"
LINK = re.compile(r'(?:href|hx-get|hx-post|action)="(/[^"]*)"')
DOUBLE_DOT = {"..", ".%2e", "%2e.", "%2e%2e"}
SINGLE_DOT = {".", "%2e"}


def browser_path(href: str) -> str:
    """The path a browser requests for an absolute link: dot segments removed, "%2e" counting
    as "." (WHATWG URL standard), query dropped."""
    segments: list[str] = []
    parts = href.split("?")[0].split("/")[1:]
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment.lower() in DOUBLE_DOT:
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif segment.lower() in SINGLE_DOT:
            if last:
                segments.append("")
        else:
            segments.append(segment)
    return "/" + "/".join(segments)


def targets(page: str) -> set[tuple[str, str, str]]:
    """(view, organization id, user id) of every link on the page, as a browser follows it."""
    found = set()
    for href in LINK.findall(page):
        try:
            match = resolve(unquote(browser_path(html.unescape(href))))
        except Resolver404:
            continue
        found.add((match.url_name, match.kwargs.get("org_id", ""), match.kwargs.get("user_id", "")))
    return found


def link_to(page: str, view: str, org_id: str = "", user_id: str = HOSTILE) -> str:
    """The browser path of the page's link to `view` for the member."""
    for href in LINK.findall(page):
        path = browser_path(html.unescape(href))
        try:
            match = resolve(unquote(path))
        except Resolver404:
            continue
        kwargs = match.kwargs
        if (match.url_name, kwargs.get("org_id", ""), kwargs.get("user_id")) == (
            view,
            org_id,
            user_id,
        ):
            return path
    raise AssertionError(f"no link to {view} for {user_id!r} in {org_id or 'the tenant'}")


@pytest.fixture
def hostile_member(auth0):
    seed = bigger_seed()
    seed["users"].append({"user_id": HOSTILE, "email": "x@evil.example.com", "name": "X Evil"})
    acme = next(o for o in seed["organizations"] if o["id"] == ACME)
    acme["members"].append({"user_id": HOSTILE, "roles": [ROLE_IDS["viewer"]]})
    seed["user_roles"][HOSTILE] = [ROLE_IDS["beta-tester"]]
    auth0.reset(seed=seed)
    return auth0


def assert_only_own_links(page: str) -> None:
    for view, org_id, user_id in targets(page):
        assert org_id in ("", ACME), (view, org_id, user_id)
        assert user_id != CHLOE, (view, org_id, user_id)


def test_links_to_a_member_whose_id_climbs_out_stay_on_that_member(hostile_member, client):
    auth0 = hostile_member
    members = text(client.get(f"/organizations/{ACME}/"))
    assert_only_own_links(members)
    for view in ("member_detail", "member_remove"):
        link_to(members, view, ACME)
    link_to(members, "user_roles")

    member = client.get(link_to(members, "member_detail", ACME))
    assert member.status_code == 200 and "<h1>X Evil</h1>" in text(member)
    assert_only_own_links(text(member))
    link_to(text(member), "member_role_remove", ACME)
    link_to(text(member), "member_detail", ACME)  # the Assign role form posts back here

    tenant = client.get(link_to(text(member), "user_roles"))
    assert tenant.status_code == 200 and "X Evil" in text(tenant)
    assert_only_own_links(text(tenant))
    link_to(text(tenant), "user_role_remove")
    link_to(text(tenant), "member_detail", ACME)  # "Member of Acme Corporation"

    confirm = client.get(link_to(members, "member_remove", ACME))
    assert confirm.status_code == 200 and "Remove X Evil from Acme Corporation?" in text(confirm)
    assert_only_own_links(text(confirm))
    removed = client.post(link_to(text(confirm), "member_remove", ACME))

    assert removed.status_code == 302
    assert (
        "success",
        "Removed X Evil from Acme Corporation. Auth0 may list them for a few more seconds.",
    ) in toasts(client.get(removed["Location"]))
    assert HOSTILE not in members_of(auth0, ACME)
    assert CHLOE in members_of(auth0, GLOBEX)
    deletes = [r for r in auth0.api_requests() if r["method"] == "DELETE"]
    assert deletes == [
        {
            "method": "DELETE",
            "path": f"/api/v2/organizations/{ACME}/members",
            "query": "",
            "status": 204,
            "correlation_id": deletes[0]["correlation_id"],
            "body": {"members": [HOSTILE]},
        }
    ]
    paths = [r["path"] for r in auth0.api_requests()]
    segments = {s for p in paths for s in p.split("/")}
    assert not segments & {".", "..", GLOBEX, CHLOE.replace("|", "%7C")}, paths
    assert "/api/v2/users/samlp%7Cevil%7Cx%2F..%2F..%2F..%2F" in " ".join(paths)


def test_removing_a_role_of_such_a_member_acts_on_them_only(hostile_member, client):
    auth0 = hostile_member
    members = text(client.get(f"/organizations/{ACME}/"))
    member = text(client.get(link_to(members, "member_detail", ACME)))
    remove = next(
        html.unescape(h) for h in LINK.findall(member) if "roles/remove/" in html.unescape(h)
    )
    confirm = text(client.get(browser_path(remove), {"role": ROLE_IDS["viewer"]}))
    posted = client.post(link_to(confirm, "member_role_remove", ACME), {"role": ROLE_IDS["viewer"]})

    assert posted.status_code == 302
    assert members_of(auth0, ACME)[HOSTILE] == set()
    assert members_of(auth0, GLOBEX)[CHLOE] == {ROLE_IDS["org-admin"]}

    tenant = text(client.get(link_to(member, "user_roles")))
    remove = next(
        html.unescape(h) for h in LINK.findall(tenant) if "roles/remove/" in html.unescape(h)
    )
    confirm = text(client.get(browser_path(remove), {"role": ROLE_IDS["beta-tester"]}))
    client.post(link_to(confirm, "user_role_remove"), {"role": ROLE_IDS["beta-tester"]})
    assert tenant_roles_of(auth0, HOSTILE) == set()


@pytest.mark.parametrize("wanted", ["..", ".", "%2e%2e"])
def test_go_to_with_dot_segments_calls_no_other_path(auth0, client, wanted):
    response = client.get("/organizations/jump/", {"to": wanted})

    assert response.status_code == 302
    said = toasts(client.get(response["Location"]))
    assert ("warning", f"No organization has the id or name “{wanted}”.") in said
    paths = {r["path"] for r in auth0.api_requests()}
    # "%2e%2e" is looked up as the name it is (Auth0 reads "%252e%252e" as "%2e%2e").
    assert paths <= {"/api/v2/organizations", "/api/v2/organizations/name/%252e%252e"}, paths


@pytest.mark.parametrize("segment", ["..", ".", ""])
def test_the_client_never_sends_a_dot_or_empty_segment(auth0, segment):
    with pytest.raises(errors.InvalidInput):
        get_client().get_organization_by_name(segment)
    with pytest.raises(errors.InvalidInput):
        get_client().list_user_roles(segment)
    assert auth0.api_requests() == []
