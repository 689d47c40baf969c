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

from orgs.models import StaffAccess
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, hx_messages, hx_trigger, one_message, text, writes

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
