"""What a person (or a forged request) can send that the views must refuse: malformed ids in
URLs, wrong HTTP methods, posts without a CSRF token, and huge form payloads. Each is refused
with a clear message, and nothing reaches Auth0's write endpoints."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import (
    HX,
    hx_messages,
    members_of,
    one_message,
    text,
    writes,
)

ACME = ORG_IDS["acme"]
ANA = USER_IDS["ana"]
BEN = USER_IDS["ben"]
MEMBERS_URL = f"/organizations/{ACME}/"
EVERYONE = {ANA, BEN, USER_IDS["mallory"]}


# --- malformed ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "shown"),
    [
        ("not-a-user-id", "“not-a-user-id” is not an Auth0 user id (provider|id)."),
        ("Auth0|upper-case-provider", "“Auth0|upper-case-provider” is not an Auth0 user id"),
        ("auth0|" + "x" * 300, "“auth0|" + "x" * 51 + "…” is not an Auth0 user id"),
        ("auth0|tab%09inside", "is not an Auth0 user id (provider|id)."),
    ],
)
def test_a_malformed_user_id_in_the_url_is_refused_before_calling_auth0(
    auth0, client, user_id, shown
):
    remove = client.post(f"/organizations/{ACME}/members/{user_id}/remove/", headers=HX)
    role = client.post(
        f"/organizations/{ACME}/members/{user_id}/roles/remove/",
        {"role": ROLE_IDS["viewer"]},
        headers=HX,
    )
    tenant = client.get(f"/users/{user_id}/roles/")
    member = client.get(f"/organizations/{ACME}/members/{user_id}/")

    assert auth0.api_requests() == []
    assert member.status_code == 400  # the address names no member: a page that says so
    assert f'href="{MEMBERS_URL}"' in text(member)
    for response in (remove, role):
        assert response.status_code == 400 and response.content == b""
        level, message = one_message(hx_messages(response))
        assert level == "warning" and shown in message
    assert tenant.status_code == 400
    assert 'class="panel panel-error"' in text(tenant)
    page = html.unescape(text(member))
    assert "Could not show this member: " in page and shown in page


def test_a_malformed_organization_id_is_refused_before_calling_auth0(auth0, client):
    bad = "org_<script>"
    member = client.get(f"/organizations/{bad}/members/{ANA}/")
    remove = client.post(f"/organizations/{bad}/members/{ANA}/remove/", headers=HX)
    bulk = client.post(f"/organizations/{bad}/members/remove/", {"user": [ANA]}, headers=HX)

    assert auth0.api_requests() == []
    assert member.status_code == 400
    assert (
        "Could not show this member: “org_&lt;script&gt;” is not an organization id (org_…). Nothing was changed."
        in text(member)
    )
    assert "org_&lt;script&gt;" in text(member) and "org_<script>" not in text(member)
    for response in (remove, bulk):
        assert response.status_code == 400
        assert (
            "“org_<script>” is not an organization id (org_…)."
            in one_message(hx_messages(response))[1]
        )


# --- wrong methods -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", f"/organizations/{ACME}/members/{ANA}/remove/"),
        ("delete", f"/organizations/{ACME}/members/{ANA}/remove/"),
        ("patch", f"/organizations/{ACME}/members/{ANA}/"),
        ("delete", f"/organizations/{ACME}/members/{ANA}/roles/remove/"),
        ("put", f"/organizations/{ACME}/members/remove/"),
        ("delete", f"/users/{ANA}/roles/remove/"),
        ("post", "/organizations/"),
        ("post", "/organizations/jump/"),
        ("delete", MEMBERS_URL),
        ("post", f"/users/{ANA}/roles/"),
        ("post", "/"),
    ],
)
def test_a_wrong_http_method_is_405_and_calls_nothing(auth0, client, method, url):
    response = getattr(client, method)(url, headers=HX)

    assert response.status_code == 405
    assert "Allow" in response
    assert auth0.api_requests() == []


# --- CSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (f"/organizations/{ACME}/members/{BEN}/remove/", {}),
        (f"/organizations/{ACME}/members/remove/", {"user": [ANA, BEN]}),
        (f"/organizations/{ACME}/members/{ANA}/", {"roles": [ROLE_IDS["viewer"]]}),
        (f"/organizations/{ACME}/members/{ANA}/roles/remove/", {"role": ROLE_IDS["org-owner"]}),
        (f"/users/{ANA}/roles/remove/", {"role": ROLE_IDS["beta-tester"]}),
    ],
)
def test_a_post_without_the_csrf_token_is_403_and_changes_nothing(auth0, admin_staff, url, data):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_staff)
    browser.get(MEMBERS_URL)  # the CSRF cookie is set, but the post does not carry the token

    plain = browser.post(url, data)
    htmx = browser.post(url, data, headers=HX)

    assert plain.status_code == htmx.status_code == 403
    assert writes(auth0) == []
    assert members_of(auth0, ACME)[ANA] == {ROLE_IDS["org-owner"]}
    assert set(members_of(auth0, ACME)) == EVERYONE


def test_a_post_with_the_csrf_token_in_the_form_or_htmx_header_is_accepted(
    auth0, admin_staff, settings
):
    settings.PROTECTED_ROLES = []  # Ana is Acme's only org-owner
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_staff)
    page = browser.get(f"/organizations/{ACME}/members/{BEN}/remove/")
    token = str(page.context["csrf_token"])

    by_form = browser.post(
        f"/organizations/{ACME}/members/{BEN}/remove/", {"csrfmiddlewaretoken": token}
    )
    by_header = browser.post(  # base.html gives htmx the token as hx-headers
        f"/organizations/{ACME}/members/{ANA}/remove/", headers={**HX, "X-CSRFToken": token}
    )

    assert by_form.status_code == 302
    assert by_header.status_code == 204
    assert set(members_of(auth0, ACME)) == {USER_IDS["mallory"]}
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in text(page)


# --- huge payloads -----------------------------------------------------------------------------


def test_ten_thousand_members_selected_are_refused_with_a_message(auth0, client):
    users = [f"auth0|x{i:024d}" for i in range(10_000)]

    plain = client.post(f"/organizations/{ACME}/members/remove/", {"user": users})
    htmx = client.post(f"/organizations/{ACME}/members/remove/", {"user": users}, headers=HX)
    preview = client.get(f"/organizations/{ACME}/members/remove/", {"user": users}, headers=HX)

    assert plain.status_code == 400
    assert "<html" in text(plain)
    assert "adminportal did not act on this request: it was too large or malformed" in text(plain)
    assert "Nothing was changed." in text(plain)
    for response in (htmx, preview):
        assert response.status_code == 400 and response.content == b""
        level, message = one_message(hx_messages(response))
        assert level == "error"
        assert message.startswith("adminportal did not act on this request")
    assert auth0.api_requests() == []
    assert set(members_of(auth0, ACME)) == EVERYONE


def test_a_200_kb_names_field_is_refused_by_the_form(auth0, client):
    names = ("viewer, " * 30_000)[:200_000]

    response = client.post(f"/organizations/{ACME}/members/{ANA}/", {"names": names}, headers=HX)

    assert response.status_code == 200
    errors = re.findall(r'<div class="form-error" role="alert">(.*?)</div>', text(response))
    assert errors == ["Ensure this value has at most 2000 characters (it has 199999)."]
    assert writes(auth0) == []
    assert members_of(auth0, ACME)[ANA] == {ROLE_IDS["org-owner"]}


def test_many_unknown_typed_names_are_listed_briefly(auth0, client):
    names = ", ".join(f"nope-{i}" for i in range(200))

    response = client.post(f"/organizations/{ACME}/members/{ANA}/", {"names": names})

    assert (
        "No role to assign is named “nope-0”, “nope-1”, “nope-2”, “nope-3”, “nope-4” (it"
        in text(response)
    )
    assert "nope-5”" not in text(response)
    assert writes(auth0) == []


def test_huge_search_texts_fall_back_or_are_cut(auth0, client):
    organizations = client.get("/organizations/", {"q": "a" * 10_000}, headers=HX)
    members = client.get(MEMBERS_URL, {"q": "ana " * 5_000}, headers=HX)

    assert organizations.status_code == 200
    assert f"/organizations/{ACME}/" in text(organizations)  # over 100 characters: no search
    assert members.status_code == 200
    searches = [r for r in auth0.api_requests() if r["path"] == "/api/v2/users"]
    assert len(searches) == 1 and len(searches[0]["query"]) < 1000  # cut to 100 characters
