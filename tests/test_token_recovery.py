"""A token Auth0 refuses with a 401 that a new token can cure ("Invalid signature…" after a
signing-key rotation, "Invalid token", expired) is replaced once, in every worker: the first
worker to meet it fetches a new one for all, and a worker whose memory still holds the old one
drops it on its own 401 and takes the shared one instead of fetching again."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from orgs.auth0_mgmt import errors, get_client
from orgs.auth0_mgmt.config import _client_for
from tests.seeds import ORG_IDS
from tests.view_helpers import text

ACME = ORG_IDS["acme"]


def token_requests(emulator) -> list[dict]:
    return [r for r in emulator.requests() if r["path"] == "/oauth/token"]


def statuses(emulator) -> list[tuple[str, int]]:
    return [(r["path"].rsplit("/", 1)[-1], r["status"]) for r in emulator.requests()]


def another_worker():  # noqa: ANN201
    """A client with its own memory, sharing the cache, as a second worker process has."""
    _client_for.cache_clear()
    return get_client()


def test_after_a_key_rotation_each_worker_recovers_with_one_new_token(auth0):
    first = get_client()
    first.get_organization(ACME)
    second = another_worker()
    second.get_organization(ACME)  # takes the shared token into its memory
    assert len(token_requests(auth0)) == 1

    auth0.rotate_signing_key()
    auth0.clear_requests()
    assert first.get_organization(ACME).id == ACME
    assert second.get_organization(ACME).id == ACME
    assert first.get_organization(ACME).id == second.get_organization(ACME).id == ACME

    assert statuses(auth0) == [
        (ACME, 401),  # the first worker's old token: "Invalid signature…"
        ("token", 200),  # one new token, shared
        (ACME, 200),
        (ACME, 401),  # the second worker's memory still held the old one: dropped
        (ACME, 200),  # the shared new token, not fetched again
        (ACME, 200),
        (ACME, 200),
    ]


def test_a_worker_recovers_with_the_cache_cleared(auth0, settings):
    worker = get_client()
    worker.get_organization(ACME)
    auth0.rotate_signing_key()
    caches[settings.AUTH0_TOKEN_CACHE].clear()
    auth0.clear_requests()

    assert worker.get_organization(ACME).id == ACME
    assert worker.get_organization(ACME).id == ACME

    assert statuses(auth0) == [(ACME, 401), ("token", 200), (ACME, 200), (ACME, 200)]


def test_a_refused_new_token_is_not_fetched_again_in_the_same_call(auth0):
    get_client().get_organization(ACME)
    signature = {"message": "Invalid signature received for JSON Web Token validation"}
    auth0.add_fault(path="/organizations/", status=401, body=signature, times=2)
    auth0.clear_requests()

    with pytest.raises(errors.InvalidSignature):
        get_client().get_organization(ACME)

    assert statuses(auth0) == [(ACME, 401), ("token", 200), (ACME, 401)]


def test_client_not_global_is_not_cured_by_a_new_token(auth0):
    get_client().get_organization(ACME)
    auth0.add_fault(path="/organizations/", status=401, body={"message": "Client is not global"})
    auth0.clear_requests()

    with pytest.raises(errors.ClientNotGlobal):
        get_client().get_organization(ACME)

    assert statuses(auth0) == [(ACME, 401)]


def test_pages_work_again_right_after_a_key_rotation(auth0, client):
    assert client.get(f"/organizations/{ACME}/").status_code == 200
    auth0.rotate_signing_key()

    response = client.get(f"/organizations/{ACME}/")
    assert response.status_code == 200 and "Acme Corporation" in text(response)
