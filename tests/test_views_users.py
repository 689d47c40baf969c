"""A user's tenant-wide roles: a page of their own, labelled as distinct from the roles they hold
inside organizations, and removing one after a confirmation; for htmx and plain posts."""

from __future__ import annotations

import re

from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import (
    HX,
    hx_messages,
    hx_trigger,
    members_of,
    one_message,
    tenant_roles_of,
    text,
    toasts,
    writes,
)

ANA = USER_IDS["ana"]
ANA_ROLES = "/users/auth0%7Cana0000000000000000000001/roles/"
ANA_ROLE_REMOVE = f"/users/{ANA}/roles/remove/"


def tenant_roles_listed(response) -> list[str]:
    return re.findall(r'<span class="tag tag-tenant">([^<]+)</span>', text(response))


def test_the_tenant_wide_roles_page_is_labelled_and_distinct_from_organization_roles(auth0, client):
    response = client.get(ANA_ROLES)

    assert response.status_code == 200
    body = text(response)
    assert "<title>Tenant-wide roles of Ana Lee · adminportal</title>" in body
    assert '<h2 id="user-roles-title">Tenant-wide roles</h2>' in body
    assert "These roles apply across the whole tenant" in body
    assert "They are not the roles this user holds inside an organization" in body
    assert tenant_roles_listed(response) == ["beta-tester", "tenant-admin"]
    assert "org-owner" not in body and "viewer" not in body  # her organization roles
    assert 'aria-label="Remove role tenant-admin"' in body
    # Her organizations link to her roles there.
    assert (
        f'<a href="/organizations/{ORG_IDS["acme"]}/members/auth0%7Cana0000000000000000000001/">'
        "Acme Corporation</a>" in body
    )
    assert "Globex &lt;b&gt;&amp;amp;&lt;/b&gt; Partners</a>" in body


def test_the_htmx_refresh_is_the_roles_panel_only_without_the_organizations(auth0, client):
    client.get(ANA_ROLES)
    auth0.clear_requests()

    response = client.get(ANA_ROLES, headers=HX)

    assert "<html" not in text(response)
    assert text(response).lstrip().startswith('<section id="user-roles"')
    assert tenant_roles_listed(response) == ["beta-tester", "tenant-admin"]
    assert [r["path"] for r in auth0.api_requests()] == [  # the profile is remembered
        "/api/v2/users/auth0%7Cana0000000000000000000001/roles",
    ]


def test_a_user_without_tenant_wide_roles_says_so(auth0, client):
    response = client.get(f"/users/{USER_IDS['ben']}/roles/")

    assert "Ben Okafor holds no tenant-wide roles." in text(response)
    assert tenant_roles_listed(response) == []


def test_the_page_escapes_hostile_names(auth0, client):
    body = text(client.get(f"/users/{USER_IDS['mallory']}/roles/"))

    assert "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory</h1>" in body
    assert "<script>alert" not in body


def test_an_unknown_user_shows_an_error_panel(auth0, client):
    response = client.get("/users/auth0|gone00000000000000000001/roles/")

    assert response.status_code == 404
    assert 'class="panel panel-error"' in text(response)
    assert (
        "Could not show this user&#x27;s tenant-wide roles: the user no longer exists in Auth0."
        in text(response)
    )


def test_removing_a_tenant_wide_role_asks_first_on_a_page_or_in_a_dialog(auth0, client):
    query = {"role": ROLE_IDS["beta-tester"]}
    page = client.get(ANA_ROLE_REMOVE, query)
    dialog = client.get(ANA_ROLE_REMOVE, query, headers=HX)

    assert "<html" in text(page) and "<html" not in text(dialog)
    for response in (page, dialog):
        body = text(response)
        assert '<h2 id="dialog-title">Remove tenant-wide role</h2>' in body
        assert "Remove the tenant-wide role beta-tester from Ana Lee?" in body
        assert "removing it does not change their organization roles" in body
        assert f'<input type="hidden" name="role" value="{ROLE_IDS["beta-tester"]}">' in body
        assert 'action="/users/auth0%7Cana0000000000000000000001/roles/remove/"' in body
        assert f'href="{ANA_ROLES}" data-close-dialog ' in body
    assert writes(auth0) == []


def test_removing_a_tenant_wide_role_with_htmx(auth0, client):
    response = client.post(ANA_ROLE_REMOVE, {"role": ROLE_IDS["beta-tester"]}, headers=HX)

    assert response.status_code == 204 and response.content == b""
    events = hx_trigger(response)
    assert "closeDialog" in events and "rolesChanged" in events
    assert one_message(hx_messages(response)) == (
        "success",
        "Removed the tenant-wide role beta-tester from Ana Lee.",
    )
    assert tenant_roles_of(auth0, ANA) == {ROLE_IDS["tenant-admin"]}
    assert members_of(auth0, ORG_IDS["acme"])[ANA] == {ROLE_IDS["org-owner"]}  # untouched
    (write,) = writes(auth0)
    assert write["method"] == "DELETE"
    assert write["path"] == "/api/v2/users/auth0%7Cana0000000000000000000001/roles"
    assert write["body"] == {"roles": [ROLE_IDS["beta-tester"]]}


def test_removing_a_tenant_wide_role_without_js_redirects_with_the_message(auth0, client):
    response = client.post(ANA_ROLE_REMOVE, {"role": ROLE_IDS["tenant-admin"]})

    assert response.status_code == 302 and response["Location"] == ANA_ROLES
    page = client.get(ANA_ROLES)
    assert one_message(toasts(page)) == (
        "success",
        "Removed the tenant-wide role tenant-admin from Ana Lee.",
    )
    assert tenant_roles_listed(page) == ["beta-tester"]


def test_removing_a_tenant_wide_role_they_do_not_hold_refreshes_the_list(auth0, client):
    response = client.post(ANA_ROLE_REMOVE, {"role": ROLE_IDS["viewer"]}, headers=HX)

    assert response.status_code == 404 and response.content == b""
    events = hx_trigger(response)
    assert "closeDialog" in events and "rolesChanged" in events
    assert one_message(hx_messages(response)) == (
        "warning",
        "Could not remove the role: they no longer hold that role, or it no longer exists in "
        "Auth0. The list has been refreshed.",
    )
    assert writes(auth0) == []

    plain = client.get(ANA_ROLE_REMOVE, {"role": ROLE_IDS["viewer"]})  # the confirm page itself
    assert plain.status_code == 404
    assert "they no longer hold that role" in text(plain)
    assert f'href="{ANA_ROLES}"' in text(plain)


def test_support_sees_why_there_are_no_trash_cans(auth0, make_staff, client):
    from django.test import Client

    support = Client()
    support.force_login(make_staff("support-all", "Support"))

    as_support = text(support.get(ANA_ROLES))
    as_admin = text(client.get(ANA_ROLES))

    assert 'aria-label="Remove role tenant-admin"' not in as_support
    assert "Only Admins may remove tenant-wide roles" in as_support
    assert "Only Admins may remove tenant-wide roles" not in as_admin
