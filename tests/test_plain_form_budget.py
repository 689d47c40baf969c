"""One click, one Auth0 time budget: a plain form post (no JavaScript) and the page its
redirect leads to share AUTH0_REQUEST_BUDGET, so a failed write never holds a person (and a
worker) for two budgets; and waits are said in correct English."""

from __future__ import annotations

import time
from urllib.parse import unquote

import pytest
from django.contrib import messages
from django.urls import reverse

from orgs.auth0_mgmt import errors
from orgs.feedback import feedback_for
from orgs.middleware import BUDGET_COOKIE
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import bigger_seed, text, toasts

ACME = ORG_IDS["acme"]
BEN = USER_IDS["ben"]
MEMBERS_URL = f"/organizations/{ACME}/"
REMOVE_BEN = f"/organizations/{ACME}/members/{BEN}/remove/"
BUDGET = 1.5


def test_a_failed_plain_form_and_its_redirect_share_one_budget(auth0, client, settings):
    settings.AUTH0_REQUEST_BUDGET = BUDGET
    assert client.get(MEMBERS_URL).status_code == 200  # token, organization and rows known
    auth0.set_latency(5)  # Auth0 stops answering in time
    auth0.clear_requests()

    started = time.monotonic()
    response = client.post(REMOVE_BEN, follow=True)
    took = time.monotonic() - started

    assert response.redirect_chain == [(MEMBERS_URL, 302)]
    assert took < BUDGET + 0.6, took  # not a second budget for the members page
    level, said = toasts(response)[0]
    assert level == "error" and said.startswith("Could not remove Ben Okafor")
    assert "stopped waiting for Auth0" in text(response)  # the page says why it is empty
    assert len(auth0.api_requests()) == 1  # the members list was not even asked for


def test_the_page_after_a_quick_plain_form_gets_the_rest_of_the_budget(auth0, client, settings):
    settings.AUTH0_REQUEST_BUDGET = BUDGET
    client.get(MEMBERS_URL)

    response = client.post(REMOVE_BEN, follow=True)

    assert response.redirect_chain == [(MEMBERS_URL, 302)]
    assert response.status_code == 200 and 'id="members"' in text(response)
    assert toasts(response)[0][0] == "success"
    # The next click has a whole budget of its own.
    assert client.get(MEMBERS_URL).status_code == 200


def test_the_budget_reaches_a_page_whose_address_holds_an_escaped_id(auth0, client):
    odd = "samlp|acme|a/b%2F..%41"
    seed = bigger_seed()
    seed["users"].append({"user_id": odd, "email": "odd@acme.example.com", "name": "Odd"})
    seed["organizations"][0]["members"].append({"user_id": odd, "roles": []})
    auth0.reset(seed=seed)
    page = reverse("orgs:member_detail", args=[ACME, odd])
    client.get(page)

    response = client.post(page, {"roles": [ROLE_IDS["viewer"]]}, follow=True)

    assert response.redirect_chain == [(page, 302)]
    assert response.wsgi_request.path == unquote(page)
    assert response.cookies[BUDGET_COOKIE]["max-age"] == 0  # carried, and used up here


@pytest.mark.parametrize(
    ("wait", "said"),
    [(0.4, "Try again in 1 second."), (1.0, "Try again in 1 second."), (7.2, "in 8 seconds.")],
)
def test_a_rate_limit_wait_is_said_in_correct_english(wait, said):
    exc = errors.Auth0RateLimited(status=429, reset_at=time.time() + wait)

    feedback = feedback_for(exc, action="list the organizations")

    assert feedback.level == messages.ERROR and feedback.text.endswith(said), feedback.text
