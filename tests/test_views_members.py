"""A member of an organization: their roles (listed, assigned by checkbox or typed name, removed
after a confirmation), removing the member, and removing several members at once; for htmx and
for plain form posts."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from orgs.models import AuditEvent
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import (
    HX,
    bigger_seed,
    hx_messages,
    hx_trigger,
    members_of,
    one_message,
    text,
    toasts,
    writes,
)

ACME = ORG_IDS["acme"]
GLOBEX = ORG_IDS["globex"]
ANA = USER_IDS["ana"]
BEN = USER_IDS["ben"]
MALLORY = USER_IDS["mallory"]
MEMBERS_URL = f"/organizations/{ACME}/"
ANA_URL = f"/organizations/{ACME}/members/{ANA}/"
ANA_ROLE_REMOVE = f"/organizations/{ACME}/members/{ANA}/roles/remove/"
BULK_URL = f"/organizations/{ACME}/members/remove/"


# These tests are about the views' flows; the protected-role guardrail has its own tests.
pytestmark = pytest.mark.usefixtures("no_protected_roles")


def member_url(user_id: str, org_id: str = ACME) -> str:
    return f"/organizations/{org_id}/members/{user_id}/"


def offered_roles(response) -> list[str]:
    """The role ids the Assign role form offers as checkboxes."""
    return re.findall(r'<input type="checkbox" name="roles" value="(rol_\w+)"', text(response))


def checked_roles(response) -> list[str]:
    return re.findall(
        r'<input type="checkbox" name="roles" value="(rol_\w+)" checked>', text(response)
    )


def held_roles(response) -> list[str]:
    """The roles listed as held, by the trash cans' labels."""
    return re.findall(r'aria-label="Remove role ([^"]+)"', text(response))


# --- member detail -----------------------------------------------------------------------------


def test_the_member_page_lists_their_roles_with_trash_cans(auth0, client):
    response = client.get(member_url(BEN))

    assert response.status_code == 200
    body = text(response)
    assert "<h1>Ben Okafor</h1>" in body
    assert "member of Acme Corporation" in body
    assert "Roles in Acme Corporation" in body
    assert held_roles(response) == ["billing-admin", "support-agent"]
    trash = re.search(
        r'<a class="icon-button" href="([^"]+)"[^>]*aria-label="Remove role billing-admin"', body
    )
    assert trash[1] == (
        f"/organizations/{ACME}/members/auth0%7Cben0000000000000000000001/roles/remove/"
        f"?role={ROLE_IDS['billing-admin']}"
    )
    assert (
        'href="/users/auth0%7Cben0000000000000000000001/roles/">Tenant-wide roles of Ben Okafor'
        in body
    )


def test_the_assign_form_offers_only_the_roles_not_held(auth0, client):
    response = client.get(member_url(BEN))

    offered = offered_roles(response)
    assert ROLE_IDS["billing-admin"] not in offered and ROLE_IDS["support-agent"] not in offered
    assert sorted(offered) == sorted(ROLE_IDS[n] for n in ("org-owner", "org-admin", "viewer"))
    assert checked_roles(response) == []


def test_a_member_without_roles_says_so(auth0, client):
    response = client.get(member_url(MALLORY))

    assert "holds no roles in Acme Corporation." in text(response)
    assert held_roles(response) == []
    assert len(offered_roles(response)) == len(ROLE_IDS) - 2  # not tenant-admin, beta-tester


def test_the_htmx_member_page_is_the_roles_panel_only(auth0, client):
    response = client.get(member_url(BEN), headers=HX)

    assert response.status_code == 200
    assert "<html" not in text(response) and "<h1>" not in text(response)
    assert text(response).lstrip().startswith('<section id="member-roles"')
    assert 'hx-trigger="rolesChanged from:body"' in text(response)
    assert held_roles(response) == ["billing-admin", "support-agent"]


def test_the_member_page_escapes_hostile_names(auth0, client):
    page = text(client.get(member_url(MALLORY)))
    globex = text(client.get(member_url(ANA, GLOBEX)))

    assert "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory</h1>" in page
    assert "<script>alert" not in page
    assert "Roles in Globex &lt;b&gt;&amp;amp;&lt;/b&gt; Partners" in globex
    assert "<b>&amp;</b>" not in globex


def test_a_member_of_another_organization_is_not_shown_here(auth0, client):
    response = client.get(member_url(USER_IDS["chloe"]))

    assert response.status_code == 404
    assert "Could not show this member: they are no longer a member of this organization." in text(
        response
    )
    assert f'href="{MEMBERS_URL}"' in text(response)


# --- assign roles ------------------------------------------------------------------------------


def test_assign_by_checkboxes_with_htmx_answers_204_and_refreshes_the_roles(auth0, client):
    response = client.post(
        ANA_URL, {"roles": [ROLE_IDS["viewer"], ROLE_IDS["support-agent"]]}, headers=HX
    )

    assert response.status_code == 204
    assert response.content == b""
    events = hx_trigger(response)
    assert "rolesChanged" in events and "closeDialog" not in events
    assert one_message(hx_messages(response)) == (
        "success",
        "Added 2 roles to Ana Lee in Acme Corporation: support-agent, viewer.",
    )
    assert members_of(auth0, ACME)[ANA] == {
        ROLE_IDS["org-owner"],
        ROLE_IDS["support-agent"],
        ROLE_IDS["viewer"],
    }
    (write,) = writes(auth0)
    assert write["method"] == "POST"
    assert (
        write["path"]
        == f"/api/v2/organizations/{ACME}/members/auth0%7Cana0000000000000000000001/roles"
    )
    assert sorted(write["body"]["roles"]) == sorted([ROLE_IDS["viewer"], ROLE_IDS["support-agent"]])

    refreshed = client.get(ANA_URL, headers=HX)
    assert held_roles(refreshed) == ["org-owner", "support-agent", "viewer"]
    assert ROLE_IDS["viewer"] not in offered_roles(refreshed)


def test_assign_by_typed_names_without_js_redirects_and_shows_the_message(auth0, client):
    response = client.post(ANA_URL, {"names": " Viewer ,  billing\u2011admin,, "})

    assert response.status_code == 302
    assert (
        response["Location"] == f"/organizations/{ACME}/members/auth0%7Cana0000000000000000000001/"
    )
    page = client.get(response["Location"])
    assert one_message(toasts(page)) == (
        "success",
        "Added 2 roles to Ana Lee in Acme Corporation: billing-admin, viewer.",
    )
    assert held_roles(page) == ["billing-admin", "org-owner", "viewer"]
    assert toasts(client.get(response["Location"])) == []  # shown once


def test_a_role_both_checked_and_typed_is_added_once(auth0, client):
    response = client.post(ANA_URL, {"roles": [ROLE_IDS["viewer"]], "names": "viewer"}, headers=HX)

    assert response.status_code == 204
    assert one_message(hx_messages(response))[1] == (
        "Added 1 role to Ana Lee in Acme Corporation: viewer."
    )
    assert writes(auth0)[0]["body"] == {"roles": [ROLE_IDS["viewer"]]}


def test_assigning_nothing_re_renders_the_form_and_calls_nothing(auth0, client):
    for headers in (HX, {}):
        response = client.post(ANA_URL, {"names": "  , "}, headers=headers)

        assert response.status_code == 200
        assert (
            '<div class="form-error" role="alert">Choose at least one role to add.</div>'
            in text(response)
        )
        assert ("<html" in text(response)) is (headers == {})
    assert writes(auth0) == []


def test_an_unknown_typed_name_keeps_what_was_typed_and_checked(auth0, client):
    response = client.post(
        ANA_URL,
        {"roles": [ROLE_IDS["viewer"]], "names": "support-agent, no-such-role, org-owner"},
        headers=HX,
    )

    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body
    assert (
        "No role to assign is named “no-such-role”, “org-owner” "
        "(it does not exist, or they already hold it)." in body
    )
    assert 'value="support-agent, no-such-role, org-owner"' in body
    assert checked_roles(response) == [ROLE_IDS["viewer"]]
    assert hx_trigger(response) == {}
    assert writes(auth0) == []
    assert members_of(auth0, ACME)[ANA] == {ROLE_IDS["org-owner"]}


def test_a_checked_role_they_already_hold_is_refused_with_a_message(auth0, client):
    # A forged id, or a role someone else gave them meanwhile: the form says so.
    response = client.post(ANA_URL, {"roles": [ROLE_IDS["viewer"], ROLE_IDS["org-owner"]]})

    assert response.status_code == 200
    assert (
        f"The chosen role {ROLE_IDS['org-owner']} cannot be added: they hold it already, or it "
        "no longer exists. The list below is up to date." in text(response)
    )
    assert checked_roles(response) == [ROLE_IDS["viewer"]]
    assert "Choose at least one role" not in text(response)  # one message is enough
    assert writes(auth0) == []


# --- remove a member's role --------------------------------------------------------------------


def test_removing_a_role_asks_first_on_a_page_or_in_a_dialog(auth0, client):
    page = client.get(ANA_ROLE_REMOVE, {"role": ROLE_IDS["org-owner"]})
    dialog = client.get(ANA_ROLE_REMOVE, {"role": ROLE_IDS["org-owner"]}, headers=HX)

    assert page.status_code == dialog.status_code == 200
    assert "<html" in text(page)
    assert "<html" not in text(dialog)
    assert text(dialog).lstrip().startswith('<div class="confirm">')
    for response in (page, dialog):
        body = text(response)
        assert "Remove the role org-owner from Ana Lee in Acme Corporation?" in body
        assert (
            "Ana Lee stays a member of Acme Corporation and keeps their other roles there." in body
        )
        assert f'<input type="hidden" name="role" value="{ROLE_IDS["org-owner"]}">' in body
        assert 'name="csrfmiddlewaretoken"' in body
        assert (
            f'action="/organizations/{ACME}/members/auth0%7Cana0000000000000000000001/roles/remove/" '
            f'hx-post="/organizations/{ACME}/members/auth0%7Cana0000000000000000000001/roles/remove/"'
            in body
        )
        assert (
            f'href="/organizations/{ACME}/members/auth0%7Cana0000000000000000000001/" data-close-dialog '
            in body
        )
    assert writes(auth0) == []


def test_removing_a_role_with_htmx_closes_the_dialog_and_refreshes_the_roles(auth0, client):
    response = client.post(ANA_ROLE_REMOVE, {"role": ROLE_IDS["org-owner"]}, headers=HX)

    assert response.status_code == 204 and response.content == b""
    events = hx_trigger(response)
    assert "closeDialog" in events and "rolesChanged" in events
    assert one_message(hx_messages(response)) == (
        "success",
        "Removed the role org-owner from Ana Lee in Acme Corporation.",
    )
    assert members_of(auth0, ACME)[ANA] == set()
    (write,) = writes(auth0)
    assert write["method"] == "DELETE" and write["body"] == {"roles": [ROLE_IDS["org-owner"]]}
    assert held_roles(client.get(ANA_URL, headers=HX)) == []


def test_removing_a_role_without_js_redirects_to_the_member_with_the_message(auth0, client):
    response = client.post(
        f"/organizations/{ACME}/members/{BEN}/roles/remove/", {"role": ROLE_IDS["billing-admin"]}
    )

    assert response.status_code == 302
    assert (
        response["Location"] == f"/organizations/{ACME}/members/auth0%7Cben0000000000000000000001/"
    )
    page = client.get(response["Location"])
    assert one_message(toasts(page)) == (
        "success",
        "Removed the role billing-admin from Ben Okafor in Acme Corporation.",
    )
    assert held_roles(page) == ["support-agent"]


def test_removing_a_role_in_one_organization_keeps_it_in_another(auth0, client):
    client.post(
        f"/organizations/{GLOBEX}/members/{ANA}/roles/remove/",
        {"role": ROLE_IDS["viewer"]},
        headers=HX,
    )

    assert members_of(auth0, GLOBEX)[ANA] == set()
    assert members_of(auth0, ACME)[ANA] == {ROLE_IDS["org-owner"]}


def test_removing_a_role_without_saying_which_is_refused(auth0, client):
    for data in ({}, {"role": "org-owner"}, {"role": "rol_" + "x" * 60}):
        response = client.post(ANA_ROLE_REMOVE, data, headers=HX)

        assert response.status_code == 400 and response.content == b""
        assert one_message(hx_messages(response)) == (
            "warning",
            "Could not remove the role: Choose the role to remove. Nothing was changed.",
        )
        assert "closeDialog" not in hx_trigger(response)
    assert writes(auth0) == []


# --- remove a member ---------------------------------------------------------------------------


def test_removing_a_member_asks_first_naming_member_organization_and_consequences(auth0, client):
    page = client.get(f"/organizations/{ACME}/members/{BEN}/remove/")
    dialog = client.get(f"/organizations/{ACME}/members/{BEN}/remove/", headers=HX)

    assert "<html" in text(page) and "<html" not in text(dialog)
    for response in (page, dialog):
        body = text(response)
        assert "Remove Ben Okafor from Acme Corporation?" in body
        assert "<li>ben.okafor@acme.example.com</li>" in body
        assert "<li>Their roles in Acme Corporation: billing-admin, support-agent.</li>" in body
        assert "Ben Okafor stays a user of the tenant" in body
        assert "only their membership in Acme Corporation and their roles in it are removed" in body
        assert "few seconds" in body
        assert ">Remove member</button>" in body
    assert writes(auth0) == []


def test_removing_a_member_with_htmx_closes_the_dialog_and_refreshes_the_members(auth0, client):
    response = client.post(f"/organizations/{ACME}/members/{BEN}/remove/", headers=HX)

    assert response.status_code == 204 and response.content == b""
    events = hx_trigger(response)
    assert "closeDialog" in events and "membersChanged" in events
    assert one_message(hx_messages(response)) == (
        "success",
        "Removed Ben Okafor from Acme Corporation. Auth0 may list them for a few more seconds.",
    )
    assert BEN not in members_of(auth0, ACME)
    assert any(u["user_id"] == BEN for u in auth0.state()["users"])  # still a user of the tenant
    (write,) = writes(auth0)
    assert write["method"] == "DELETE" and write["body"] == {"members": [BEN]}


def test_removing_a_member_without_js_redirects_to_the_members_with_the_message(auth0, client):
    response = client.post(f"/organizations/{ACME}/members/{BEN}/remove/")

    assert response.status_code == 302 and response["Location"] == MEMBERS_URL
    page = client.get(MEMBERS_URL)
    assert one_message(toasts(page))[1].startswith("Removed Ben Okafor from Acme Corporation.")
    assert "auth0|ben0000000000000000000001" not in text(page)


def test_the_remove_confirmation_and_message_escape_hostile_names(auth0, client):
    confirm = text(client.get(f"/organizations/{ACME}/members/{MALLORY}/remove/"))
    assert (
        "Remove &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory from Acme Corporation?"
        in confirm
    )
    assert "<script>alert" not in confirm

    removed = client.post(f"/organizations/{ACME}/members/{MALLORY}/remove/", headers=HX)
    # HX-Trigger carries plain text (ASCII-escaped JSON); app.js shows it with textContent.
    assert '<script>alert(\\"x\\")</script> Mallory' in removed["HX-Trigger"]
    assert one_message(hx_messages(removed))[1].startswith(
        'Removed <script>alert("x")</script> Mallory from Acme Corporation.'
    )

    client.post(f"/organizations/{GLOBEX}/members/{ANA}/remove/")
    page = text(client.get(f"/organizations/{GLOBEX}/"))
    assert "Removed Ana Lee from Globex &lt;b&gt;&amp;amp;&lt;/b&gt; Partners." in page
    assert "<b>&amp;</b>" not in page


# --- remove several members --------------------------------------------------------------------


def test_the_bulk_preview_names_everyone_selected(auth0, client):
    query = {"user": [BEN, MALLORY]}
    page = client.get(BULK_URL, query)
    dialog = client.get(BULK_URL, query, headers=HX)

    assert "<html" in text(page) and "<html" not in text(dialog)
    for response in (page, dialog):
        body = text(response)
        assert "Remove 2 members from Acme Corporation?" in body
        assert "<strong>Ben Okafor</strong>" in body
        assert "<strong>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory</strong>" in body
        assert "<script>alert" not in body
        assert f'<input type="hidden" name="user" value="{BEN}">' in body
        assert f'<input type="hidden" name="user" value="{MALLORY}">' in body
        assert ">Remove 2 members</button>" in body
        assert "They stay users of the tenant" in body
    assert writes(auth0) == []


def test_bulk_removal_with_htmx_is_one_delete_call(auth0, client):
    response = client.post(BULK_URL, {"user": [ANA, BEN]}, headers=HX)

    assert response.status_code == 204
    events = hx_trigger(response)
    assert "closeDialog" in events and "membersChanged" in events
    assert one_message(hx_messages(response)) == (
        "success",
        "Removed 2 members from Acme Corporation: Ana Lee and Ben Okafor.",
    )
    (write,) = writes(auth0)
    assert write["method"] == "DELETE"
    assert write["path"] == f"/api/v2/organizations/{ACME}/members"
    assert write["body"] == {"members": [ANA, BEN]}
    assert set(members_of(auth0, ACME)) == {MALLORY}


def test_bulk_removal_without_js_redirects_with_the_message(auth0, client):
    response = client.post(BULK_URL, {"user": [BEN]})

    assert response.status_code == 302 and response["Location"] == MEMBERS_URL
    assert one_message(toasts(client.get(MEMBERS_URL))) == (
        "success",
        "Removed 1 member from Acme Corporation: Ben Okafor.",
    )
    assert set(members_of(auth0, ACME)) == {ANA, MALLORY}


def test_bulk_removal_with_nobody_selected_warns_and_changes_nothing(auth0, client):
    preview = client.get(BULK_URL, headers=HX)
    assert preview.status_code == 400 and preview.content == b""
    assert one_message(hx_messages(preview)) == (
        "warning",
        "Select at least one member to remove. Nothing was changed.",
    )

    posted = client.post(BULK_URL, {"user": ""})
    assert posted.status_code == 302 and posted["Location"] == MEMBERS_URL
    assert one_message(toasts(client.get(MEMBERS_URL)))[0] == "warning"
    assert auth0.api_requests() == [] or writes(auth0) == []
    assert set(members_of(auth0, ACME)) == {ANA, BEN, MALLORY}


GHOST = "auth0|ghost000000000000000001"
EVE = USER_IDS["eve"]  # a member of Initech only
NOT_MEMBERS = (
    f"Could not remove {GHOST} and {EVE} from Acme Corporation: "
    "they are no longer a member of this organization."
)


def test_a_bulk_preview_naming_users_who_are_not_members_is_refused_by_their_ids_only(
    auth0, make_staff
):
    support = Client()
    support.force_login(
        make_staff("acme-desk", "Support", all_organizations=False, organization_ids=[ACME])
    )
    query = {"user": [BEN, GHOST, EVE]}

    page = support.get(BULK_URL, query)
    dialog = support.get(BULK_URL, query, headers=HX)

    assert page.status_code == 404
    assert NOT_MEMBERS in html.unescape(text(page))
    assert dialog.status_code == 404 and dialog.content == b""
    assert one_message(hx_messages(dialog)) == ("warning", NOT_MEMBERS)
    assert set(hx_trigger(dialog)) == {"messages", "closeDialog", "membersChanged"}
    for response in (page, dialog):  # who Eve is (she is not in Acme) never shows
        shown = text(response) + str(response.headers)
        assert "Eve Schmidt" not in shown and "eve@initech" not in shown
        assert "Remove 3 members" not in shown
    # Only Acme's members list was read: no user search, no lookup of the users named.
    assert {r["path"] for r in auth0.api_requests()} == {
        f"/api/v2/organizations/{ACME}",
        f"/api/v2/organizations/{ACME}/members",
    }


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_bulk_removal_naming_a_non_member_changes_nothing_and_audits_no_success(
    auth0, client, htmx
):
    response = client.post(BULK_URL, {"user": [BEN, EVE]}, headers=HX if htmx else {})

    if htmx:
        assert response.status_code == 404
        said = hx_messages(response)
    else:
        assert response.status_code == 302 and response["Location"] == MEMBERS_URL
        said = toasts(client.get(MEMBERS_URL))
    assert one_message(said) == (
        "warning",
        f"Could not remove {EVE} from Acme Corporation: "
        "they are no longer a member of this organization.",
    )
    assert writes(auth0) == []
    assert set(members_of(auth0, ACME)) == {ANA, BEN, MALLORY}
    assert not AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).exists()


def test_the_bulk_preview_names_members_from_the_members_list_not_user_search(auth0, client):
    response = client.get(BULK_URL, {"user": [BEN, MALLORY]}, headers=HX)

    assert "<strong>Ben Okafor</strong>" in text(response)
    assert not [r for r in auth0.api_requests() if r["path"].startswith("/api/v2/users")]


def test_confirmations_post_back_to_the_same_user_whatever_their_id_holds(auth0, client):
    odd = "samlp|acme|o#n?e%41l@acme.com"  # "#", "?" and "%" are legal in Auth0 user ids
    seed = bigger_seed()
    seed["users"].append({"user_id": odd, "email": "oneil@acme.com", "name": "O Neil"})
    seed["organizations"][0]["members"].append({"user_id": odd, "roles": [ROLE_IDS["viewer"]]})
    auth0.reset(seed=seed)
    encoded = "samlp%7Cacme%7Co%23n%3Fe%252541l@acme.com"  # "%" escaped, then quoted

    assert client.get(f"/organizations/{ACME}/members/{encoded}/").status_code == 200
    # An address quoted once only (before ids.IdSegment) still names the same user.
    page = client.get(f"/organizations/{ACME}/members/samlp%7Cacme%7Co%23n%3Fe%2541l@acme.com/")
    remove_role = client.get(
        f"/organizations/{ACME}/members/{encoded}/roles/remove/", {"role": ROLE_IDS["viewer"]}
    )
    remove_member = client.get(f"/organizations/{ACME}/members/{encoded}/remove/")
    tenant_roles = client.get(f"/users/{encoded}/roles/")

    assert "<h1>O Neil</h1>" in text(page)
    assert f'action="/organizations/{ACME}/members/{encoded}/roles/remove/"' in text(remove_role)
    assert f'action="/organizations/{ACME}/members/{encoded}/remove/"' in text(remove_member)
    assert f'href="/organizations/{ACME}/members/{encoded}/roles/remove/?role=' in text(page)
    assert tenant_roles.status_code == 200

    action = re.search(r'<form method="post" action="([^"]+)"', text(remove_member))[1]
    assert client.post(action, headers=HX).status_code == 204
    assert odd not in members_of(auth0, ACME)


def test_a_plain_message_naming_a_hostile_user_is_escaped_on_the_next_page(auth0, client):
    response = client.post(BULK_URL, {"user": [MALLORY, BEN]})

    page = text(client.get(response["Location"]))
    assert (
        "Removed 2 members from Acme Corporation: "
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory and Ben Okafor." in page
    )
    assert "<script>alert" not in page
