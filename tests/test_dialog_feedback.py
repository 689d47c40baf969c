"""The confirmation dialog's side of the server (issue 11, items 1-3): every confirmation has an
alert region for the answer to its action; an answer that leaves the page as it was (refused,
rate-limited) keeps the dialog (no closeDialog, no refresh) and carries its message, which
app.js shows in that region; Cancel is the focused action; the bulk preview shows each member's
e-mail and roles and flags, by name, who cannot be removed, without asking Auth0."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest

from orgs import holders
from orgs.models import HolderIndexState, StaffAccess
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import (
    HX,
    bigger_seed,
    hx_messages,
    hx_trigger,
    members_of,
    one_message,
    text,
    writes,
)

ACME = ORG_IDS["acme"]
ANA, BEN, MALLORY = USER_IDS["ana"], USER_IDS["ben"], USER_IDS["mallory"]
MEMBERS = f"/organizations/{ACME}/"
BULK = f"{MEMBERS}members/remove/"


@dataclass(frozen=True)
class Confirmation:
    url: str
    form: dict[str, list[str] | str]
    write: tuple[str, str]
    """The Auth0 call it makes: method, path pattern."""


CONFIRMATIONS = {
    "remove role": Confirmation(
        f"{MEMBERS}members/{BEN}/roles/remove/",
        {"role": ROLE_IDS["billing-admin"]},
        ("DELETE", r"/members/auth0%7Cben\w+/roles$"),
    ),
    "remove member": Confirmation(f"{MEMBERS}members/{BEN}/remove/", {}, ("DELETE", r"/members$")),
    "bulk removal": Confirmation(BULK, {"user": [BEN]}, ("DELETE", r"/members$")),
    "tenant-wide role": Confirmation(
        f"/users/{ANA}/roles/remove/",
        {"role": ROLE_IDS["beta-tester"]},
        ("DELETE", r"/users/auth0%7Cana\w+/roles$"),
    ),
}


def confirmation_form(body: str) -> str:
    """The confirmation's own form (a full page has others, e.g. in its header)."""
    start = body.index("<form", body.index('<div class="confirm">'))
    return body[start : body.index("</form>", start)]


def alert_regions(body: str) -> list[str]:
    return re.findall(r'<div class="dialog-alert" role="alert" data-dialog-alert></div>', body)


@pytest.mark.usefixtures("no_protected_roles")
@pytest.mark.parametrize("which", list(CONFIRMATIONS))
def test_every_confirmation_has_an_alert_region_in_its_form(auth0, client, which):
    confirmation = CONFIRMATIONS[which]
    dialog = client.get(confirmation.url, confirmation.form, headers=HX)

    assert dialog.status_code == 200
    form = confirmation_form(text(dialog))
    assert len(alert_regions(form)) == 1
    assert 'data-closed-label="Close"' in form and 'data-retry-label="Try again"' in form


@pytest.mark.usefixtures("no_protected_roles")
@pytest.mark.parametrize("which", list(CONFIRMATIONS))
def test_a_rate_limited_confirmation_keeps_the_dialog_with_its_message(auth0, client, which):
    confirmation = CONFIRMATIONS[which]
    client.get(confirmation.url, confirmation.form, headers=HX)  # the dialog, as a person opens it
    method, path = confirmation.write
    reset = str(int(time.time()) + 120)
    auth0.add_fault(method=method, path=path, status=429, headers={"x-ratelimit-reset": reset})

    response = client.post(confirmation.url, confirmation.form, headers=HX)

    assert response.status_code == 429 and response.content == b""
    assert set(hx_trigger(response)) == {"messages"}  # no closeDialog, nothing to refresh
    level, message = one_message(hx_messages(response))
    assert level == "error"
    assert "Nothing was changed. Try again in " in message


def test_a_guardrail_refusal_keeps_the_dialog_with_its_message(auth0, client):
    """Ana is Acme's only org-owner: the refusal is a warning for the open dialog."""
    url = f"{MEMBERS}members/{ANA}/roles/remove/"
    client.get(url, {"role": ROLE_IDS["org-owner"]}, headers=HX)

    response = client.post(url, {"role": ROLE_IDS["org-owner"]}, headers=HX)

    assert response.status_code == 403 and response.content == b""
    assert set(hx_trigger(response)) == {"messages"}
    assert one_message(hx_messages(response)) == (
        "warning",
        "Could not remove the role org-owner from Ana Lee in Acme Corporation: This would "
        "leave the organization without anyone holding org-owner, a protected role. Give it to "
        "someone else first. Nothing was changed.",
    )
    assert writes(auth0) == []


def test_a_refused_bulk_removal_keeps_the_dialog_with_its_message(auth0, client, admin_staff):
    StaffAccess.objects.filter(user=admin_staff).update(auth0_user_id=MALLORY)
    client.get(MEMBERS)

    response = client.post(BULK, {"user": [BEN, MALLORY]}, headers=HX)

    assert response.status_code == 403
    assert set(hx_trigger(response)) == {"messages"}
    level, message = one_message(hx_messages(response))
    assert level == "warning" and "is your own Auth0 user" in message
    assert writes(auth0) == []


@pytest.mark.usefixtures("no_protected_roles")
@pytest.mark.parametrize("which", list(CONFIRMATIONS))
def test_every_confirmation_starts_on_cancel_not_on_its_action(auth0, client, which):
    """Item 2: Cancel is first and the one focused (autofocus), in the dialog and on the page
    without JavaScript, so Enter pressed again after opening never removes anything."""
    confirmation = CONFIRMATIONS[which]
    for response in (
        client.get(confirmation.url, confirmation.form, headers=HX),
        client.get(confirmation.url, confirmation.form),
    ):
        form = confirmation_form(text(response))
        assert re.search(r"<a [^>]*data-close-dialog[^>]* autofocus>Cancel</a>", form)
        assert form.count("autofocus") == 1
        assert form.index(">Cancel</a>") < form.index('<button type="submit"')


# --- item 3: the bulk preview ------------------------------------------------------------------

MALLORY_HTML = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory"
ANA_LAST = (
    "Removing Ana Lee would leave Acme Corporation without anyone holding org-owner, a "
    "protected role. Give it to someone else first."
)


def preview(auth0, client, *users: str):
    """The bulk preview as the members page's button asks for it, and the Auth0 calls it made
    (the members page was just shown: its rows are remembered)."""
    assert client.get(MEMBERS).status_code == 200
    auth0.clear_requests()
    response = client.get(BULK, {"user": list(users), "cursor": "", "page_size": "50"}, headers=HX)
    assert response.status_code == 200
    return text(response), auth0.api_requests()


def people(body: str) -> list[str]:
    """Each member's entry in the preview, tags stripped, spaces squeezed."""
    block = body[body.index('<ul class="people"') : body.index("</ul>\n  \n")]
    entries = re.split(r"<li(?: class=\"refused\")?>", block)[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", e).split()) for e in entries]


def posted_users(body: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="user" value="([^"]+)">', body)


def give_role(auth0, user_id: str, role: str) -> None:
    state = auth0.state()
    acme = next(o for o in state["organizations"] if o["id"] == ACME)
    next(m for m in acme["members"] if m["user_id"] == user_id)["roles"].append(ROLE_IDS[role])
    auth0.load_seed(state)


def test_the_bulk_preview_shows_e_mail_and_roles_for_free(auth0, client):
    body, calls = preview(auth0, client, BEN, MALLORY)

    assert calls == []
    assert people(body) == [
        "Ben Okafor ben.okafor@acme.example.com billing-admin support-agent",
        f"{MALLORY_HTML} mallory@evil.example.com No roles",
    ]
    assert "<script>alert" not in body
    assert "Will not be removed" not in body
    assert "Remove 2 members from Acme Corporation?" in body
    assert posted_users(body) == [BEN, MALLORY]


def test_the_bulk_preview_flags_the_last_holder_of_a_protected_role_and_leaves_them_out(
    auth0, client
):
    body, calls = preview(auth0, client, ANA, BEN)

    assert calls == []
    assert people(body) == [
        f"Ana Lee ana.lee@acme.example.com org-owner Will not be removed. {ANA_LAST}",
        "Ben Okafor ben.okafor@acme.example.com billing-admin support-agent",
    ]
    assert '<li class="refused">' in body
    assert "Remove 1 of the 2 selected members from Acme Corporation?" in body
    assert ">Remove 1 member</button>" in body
    assert posted_users(body) == [BEN]


def test_the_bulk_preview_flags_the_staff_member_s_own_user_by_id_or_e_mail(
    auth0, client, admin_staff
):
    StaffAccess.objects.filter(user=admin_staff).update(auth0_user_id=MALLORY)
    admin_staff.email = "Ben.Okafor@acme.example.com"
    admin_staff.save()

    body, calls = preview(auth0, client, BEN, MALLORY)

    assert calls == []
    own = (
        "is your own Auth0 user: ask another staff member to change your own memberships or roles."
    )
    assert people(body) == [
        f"Ben Okafor ben.okafor@acme.example.com billing-admin support-agent "
        f"Will not be removed. Ben Okafor {own}",
        f"{MALLORY_HTML} mallory@evil.example.com No roles Will not be removed. "
        f"{MALLORY_HTML} {own}",
    ]
    assert "None of the 2 selected members can be removed from Acme Corporation." in body
    assert 'type="submit"' not in confirmation_form(body)
    assert "autofocus>Close</a>" in body
    assert 'name="reason"' not in body
    assert posted_users(body) == []


def test_another_holder_lets_the_owner_go_unless_they_are_selected_too(auth0, client):
    give_role(auth0, BEN, "org-owner")  # the members page shows it: adminportal knows now

    alone, _ = preview(auth0, client, ANA)
    both, calls = preview(auth0, client, ANA, BEN, MALLORY)

    assert "Will not be removed" not in alone and posted_users(alone) == [ANA]
    assert calls == []
    assert [entry.split(" Will not be removed. ")[-1] for entry in people(both)[:2]] == [
        "Removing Ana Lee with Ben Okafor would leave Acme Corporation without anyone holding "
        "org-owner, a protected role. Give it to someone else first.",
        "Removing Ben Okafor with Ana Lee would leave Acme Corporation without anyone holding "
        "org-owner, a protected role. Give it to someone else first.",
    ]
    assert "Remove 1 of the 3 selected members from Acme Corporation?" in both
    assert posted_users(both) == [MALLORY]


def test_a_page_that_is_the_whole_organization_indexes_its_holders(auth0, client):
    assert not holders.indexed(ACME)

    client.get(MEMBERS)

    assert holders.indexed(ACME)
    assert HolderIndexState.objects.get(org_id=ACME).members_seen == 3


def test_in_an_organization_not_yet_indexed_the_preview_leaves_protected_roles_to_the_send(
    auth0, client
):
    """Page 1 of a larger organization says nothing of an owner on page 3."""
    auth0.reset(seed=bigger_seed(extra_acme_members=30))
    give_role(auth0, "auth0|extra00000000000000000029", "org-owner")
    assert client.get(MEMBERS, {"per_page": 10}).status_code == 200
    auth0.clear_requests()

    page_1 = {"user": [ANA], "cursor": "", "page_size": "10"}
    body = text(client.get(BULK, page_1, headers=HX))

    assert not holders.indexed(ACME) and auth0.api_requests() == []
    assert "Will not be removed" not in body and posted_users(body) == [ANA]
    holders.reconcile(ACME)  # the walk a removal starts, ended
    assert "Will not be removed" not in text(client.get(BULK, page_1, headers=HX))


def test_a_holder_removed_lately_does_not_count(auth0, client):
    """Auth0 lists a removed member, with their roles, for a few seconds more."""
    auth0.set_member_removal_lag(30)
    give_role(auth0, BEN, "org-owner")
    client.get(MEMBERS)
    assert client.post(f"{MEMBERS}members/{BEN}/remove/", headers=HX).status_code == 204

    body, calls = preview(auth0, client, ANA)  # the members page still lists Ben

    assert calls == []
    assert people(body) == [
        f"Ana Lee ana.lee@acme.example.com org-owner Will not be removed. {ANA_LAST}"
    ]
    assert "The selected member cannot be removed from Acme Corporation." in body


def test_what_is_posted_is_still_decided_by_the_service(auth0, client):
    """The preview only advises: a removal posted with the last owner is refused whole."""
    client.get(MEMBERS)
    response = client.post(BULK, {"user": [ANA, BEN], "cursor": "", "page_size": "50"}, headers=HX)

    assert response.status_code == 403
    assert "without anyone holding org-owner" in one_message(hx_messages(response))[1]
    assert writes(auth0) == []


def test_a_page_link_auth0_no_longer_knows_still_previews_and_removes(auth0, client):
    """Picked from a page whose link expired (Auth0's last a day): found by a walk instead."""
    stale = {"user": [BEN, MALLORY], "cursor": "not-a-cursor", "page_size": "25"}

    body = text(client.get(BULK, stale, headers=HX))
    removed = client.post(BULK, stale, headers=HX)

    assert "Remove 2 members from Acme Corporation?" in body
    assert removed.status_code == 204
    assert set(members_of(auth0, ACME)) == {ANA}
    assert [r["method"] for r in writes(auth0)] == ["DELETE"]
