"""Auth0 answers that are not what its documents promise (wrong types, not JSON, HTML, huge):
each becomes a typed error with a message, never a 500; and a debug page never shows the
bearer token or the client secret."""

from __future__ import annotations

import pytest
from django.test import Client

from orgs.auth0_mgmt import client as client_module
from orgs.auth0_mgmt import errors, get_client
from tests.conftest import DEMO_CLIENT_SECRET
from tests.seeds import ORG_IDS, USER_IDS
from tests.view_helpers import text

ACME = ORG_IDS["acme"]
BEN = USER_IDS["ben"]
ORG_PATH = f"/organizations/{ACME}$"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"errorCode": ["x"], "message": "Bad"}, errors.Auth0BadRequest),
        (400, {"errorCode": {"a": 1}, "message": ["a", "b"]}, errors.Auth0BadRequest),
        (401, {"message": {"signature": 1}}, errors.InvalidToken),
        (403, {"errorCode": ["insufficient_scope"], "message": 7}, errors.Auth0Forbidden),
        (404, {"message": None, "error": ["x"], "error_description": {}}, errors.Auth0NotFound),
        (409, ["a", "list"], errors.Auth0Conflict),
        (429, "just text", errors.Auth0RateLimited),
        (400, 12, errors.Auth0BadRequest),
    ],
)
def test_error_bodies_of_the_wrong_shape_are_typed_errors(auth0, status, body, expected):
    auth0.add_fault(path=ORG_PATH, status=status, body=body, times=2)  # 401: one retry

    with pytest.raises(expected) as caught:
        get_client().get_organization(ACME)

    assert caught.value.status == status and caught.value.message
    assert caught.value.error_code is None or isinstance(caught.value.error_code, str)


@pytest.mark.parametrize(
    ("path", "body", "call"),
    [
        (ORG_PATH, {"id": ACME, "branding": "red", "metadata": ["a"]}, "organization"),
        (ORG_PATH, ["not", "an", "organization"], "organization"),
        (ORG_PATH, "a string", "organization"),
        (ORG_PATH, {"name": "no id"}, "organization"),
        ("/organizations$", {"organizations": "abc", "total": "many"}, "organizations"),
        ("/organizations$", {"organizations": [], "total": "many"}, "organizations"),
        ("/organizations$", {"organizations": [], "total": 1, "start": []}, "organizations"),
        ("/members$", {"members": [{"user_id": BEN, "roles": {"a": 1}}]}, "members"),
        ("/members$", {"members": [{"user_id": BEN}], "next": ["x"]}, "members"),
        ("/members$", {"members": {"user_id": BEN}}, "members"),
        ("/users/", {"user_id": BEN, "logins_count": "many"}, "user"),
        ("/users/", {"user_id": BEN, "identities": ["x"]}, "user"),
        ("/users/", {"user_id": BEN, "logins_count": float("inf")}, "user"),  # int(inf)
    ],
)
def test_answers_of_the_wrong_shape_are_typed_errors(auth0, path, body, call):
    auth0.add_fault(path=path, method="GET", status=200, body=body)
    client = get_client()
    calls = {
        "organization": lambda: client.get_organization(ACME),
        "organizations": lambda: client.list_organizations(),
        "members": lambda: client.list_members(ACME),
        "user": lambda: client.get_user(BEN),
    }

    with pytest.raises(errors.Auth0ServerError) as caught:
        calls[call]()

    assert caught.value.message.startswith("Auth0 answered with data adminportal cannot read")


def test_an_html_or_empty_answer_is_a_typed_error(auth0):
    auth0.add_fault(path=ORG_PATH, status=200, raw_body="<html><h1>Maintenance</h1></html>")
    with pytest.raises(errors.Auth0ServerError, match="without a JSON body"):
        get_client().get_organization(ACME)
    auth0.add_fault(path=ORG_PATH, status=502, raw_body="<html>" + "x" * 10_000)
    with pytest.raises(errors.Auth0ServerError) as caught:
        get_client().get_organization(ACME)
    assert len(caught.value.message) < 200


def test_an_answer_that_cannot_be_decoded_is_a_typed_error(auth0):
    gzip = {"content-encoding": "gzip"}
    auth0.add_fault(path=ORG_PATH, status=200, raw_body="not gzip at all", headers=gzip)
    with pytest.raises(errors.Auth0ServerError, match="could not be read"):
        get_client().get_organization(ACME)

    auth0.add_fault(
        path="/members$", method="DELETE", status=200, raw_body="not gzip", headers=gzip
    )
    with pytest.raises(errors.Auth0Unreachable) as caught:
        get_client().remove_members(ACME, [BEN])
    assert caught.value.outcome_unknown


def test_a_huge_answer_is_refused_and_a_huge_message_shortened(auth0, monkeypatch):
    monkeypatch.setattr(client_module, "MAX_ANSWER_BYTES", 2_000)
    auth0.add_fault(path=ORG_PATH, status=200, body={"id": ACME, "name": "x" * 5_000})
    with pytest.raises(errors.Auth0ServerError, match="larger than adminportal accepts"):
        get_client().get_organization(ACME)

    auth0.add_fault(path=ORG_PATH, status=400, body={"message": "m" * 1_500})
    with pytest.raises(errors.Auth0BadRequest) as caught:
        get_client().get_organization(ACME)
    assert len(caught.value.message) <= 500 and caught.value.message.endswith("…")


def test_a_huge_error_answer_is_still_the_error_its_status_says(auth0, monkeypatch):
    monkeypatch.setattr(client_module, "MAX_ANSWER_BYTES", 2_000)
    huge = {"message": "m" * 5_000}
    auth0.add_fault(path=r"/members$", method="DELETE", status=409, body=huge)

    with pytest.raises(errors.Auth0Conflict) as caught:
        get_client().remove_members(ACME, [BEN], correlation_id="huge-answer")

    assert caught.value.correlation_id == "huge-answer"  # the write's reference is kept
    assert caught.value.status == 409


@pytest.mark.parametrize(
    "body",
    [
        {"access_token": ["x"], "expires_in": 86400},
        {"access_token": "a-token", "expires_in": "soon"},
        {"access_token": "a-token", "expires_in": -5},
        {"access_token": "a-token", "expires_in": [1]},
        ["access_token"],
    ],
)
def test_a_token_answer_of_the_wrong_shape_is_a_typed_error(auth0, body):
    auth0.add_fault(path="^/oauth/token$", status=200, body=body)

    with pytest.raises(errors.Auth0ServerError, match="token endpoint"):
        get_client().get_organization(ACME)


@pytest.mark.parametrize(
    "body", [{"error": ["access_denied"], "error_description": {"x": 1}}, "<html>no</html>"]
)
def test_a_token_refusal_of_the_wrong_shape_is_a_typed_error(auth0, body):
    if isinstance(body, str):
        auth0.add_fault(path="^/oauth/token$", status=401, raw_body=body)
    else:
        auth0.add_fault(path="^/oauth/token$", status=401, body=body)

    with pytest.raises(errors.Auth0Unauthorized):
        get_client().get_organization(ACME)


@pytest.fixture
def debug_client(settings, admin_staff) -> Client:
    """A signed-in client that gets Django's debug page for an unhandled exception."""
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    client.force_login(admin_staff)
    return client


def test_a_list_where_a_string_belongs_is_a_message_not_a_debug_page(auth0, debug_client):
    auth0.add_fault(path=ORG_PATH, status=400, body={"errorCode": ["x"], "message": "Bad"})

    response = debug_client.get(f"/organizations/{ACME}/")

    assert response.status_code == 400
    assert "Could not list this organization&#x27;s members: Auth0 refused the request: “Bad”" in (
        text(response)
    )
    assert get_client().tokens.get() not in text(response)


def test_a_debug_page_from_a_failure_in_the_client_shows_no_token_or_secret(
    auth0, debug_client, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("an unforeseen answer")

    auth0.add_fault(path=ORG_PATH, status=400, body={"message": "Bad"})
    monkeypatch.setattr(errors, "from_response", broken)

    response = debug_client.get(f"/organizations/{ACME}/")

    page = text(response)
    assert response.status_code == 500 and "an unforeseen answer" in page
    assert "_call" in page and "Local vars" in page  # the client's frames are on the page
    token = get_client().tokens.get()
    assert token not in page and token.split(".")[1] not in page
    assert DEMO_CLIENT_SECRET not in page


def test_a_debug_page_from_a_failure_fetching_the_token_shows_no_secret(
    auth0, debug_client, monkeypatch
):
    from orgs.auth0_mgmt import tokens

    def broken(*args, **kwargs):
        raise RuntimeError("an unforeseen token answer")

    monkeypatch.setattr(tokens.errors, "from_response", broken)
    auth0.add_fault(path="^/oauth/token$", status=401)

    page = text(debug_client.get(f"/organizations/{ACME}/"))

    assert "an unforeseen token answer" in page and "_fetch" in page
    assert DEMO_CLIENT_SECRET not in page


def test_a_debug_page_from_a_failure_building_the_client_shows_no_secret(
    auth0, debug_client, settings
):
    settings.AUTH0_TOKEN_CACHE = "no-such-cache"  # fails while the configuration is in a frame

    response = debug_client.get(f"/organizations/{ACME}/")

    page = text(response)
    assert response.status_code == 500 and "ClientConfig(" in page
    assert DEMO_CLIENT_SECRET not in page
