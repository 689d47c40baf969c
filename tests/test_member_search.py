"""Find member matches each word typed against the start of each word of a member's name, given
and family name, nickname and e-mail, as a person expects, in one Auth0 search (issue 11,
item 4)."""

from __future__ import annotations

import pytest

from tests.seeds import ORG_IDS, small_seed
from tests.view_helpers import HX, text

ACME = ORG_IDS["acme"]
QUINN = "auth0|qui0000000000000000000001"
JOHN = "auth0|joh0000000000000000000001"


@pytest.fixture
def quinn(auth0):
    seed = small_seed()
    seed["users"] += [
        {
            "user_id": QUINN,
            "email": "q.johnson@acme.example.com",
            "name": "Quinn Johnson",
            "given_name": "Quinn",
            "family_name": "Johnson",
            "nickname": "qj",
        },
        {"user_id": JOHN, "email": "john@acme.example.com", "name": "Ajohnsonx Smith"},
    ]
    acme = next(o for o in seed["organizations"] if o["id"] == ACME)
    acme["members"] += [{"user_id": QUINN, "roles": []}, {"user_id": JOHN, "roles": []}]
    auth0.reset(seed=seed)
    return auth0


def found(client, query: str) -> str:
    response = client.get(f"/organizations/{ACME}/", {"q": query}, headers=HX)
    assert response.status_code == 200
    return text(response)


@pytest.mark.parametrize(
    "query", ["Quinn Johnson", "Johnson", "johnson quinn", "quinn joh", "JOHN", "qj", "q.johnson"]
)
def test_find_member_matches_the_start_of_any_word(quinn, client, query):
    auth0 = quinn
    auth0.clear_requests()

    page = found(client, query)

    assert "Quinn Johnson" in page
    searches = [r for r in auth0.api_requests() if r["path"] == "/api/v2/users"]
    assert len(searches) == 1  # one query to Auth0


def test_a_word_inside_another_word_does_not_match(quinn, client):
    page = found(client, "ohnson")
    assert "Ajohnsonx" not in page and "Quinn Johnson" not in page
    assert "No member matches “ohnson”." in page


def test_every_word_must_match(quinn, client):
    page = found(client, "quinn smith")
    assert "No member matches" in page


def test_an_email_address_finds_its_member_exactly(quinn, client):
    assert "Quinn Johnson" in found(client, "q.johnson@acme.example.com")
    assert "No member matches" in found(client, "q.johnson@acme.example")
