"""HtmxMessagesMiddleware: Django messages ride an htmx answer's HX-Trigger as
{"messages": [{"message", "tags"}]}; full pages, redirects and navigating answers leave them for
the page that renders them."""

from __future__ import annotations

import json

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from orgs.middleware import HtmxMessagesMiddleware


def make_request(*, htmx: bool, storage=CookieStorage, **headers: str):
    if htmx:
        headers["HX-Request"] = "true"
    request = RequestFactory().get("/organizations/", headers=headers)
    request.session = SessionStore()
    request._messages = storage(request)
    request.htmx = HtmxDetails(request)
    return request


def run(request, response: HttpResponse, *queued: tuple[int, str]) -> HttpResponse:
    """The middleware around a view that queues `queued` messages and answers `response`."""

    def view(req):
        for level, text in queued:
            messages.add_message(req, level, text)
        return response

    return HtmxMessagesMiddleware(view)(request)


def pending(request, response: HttpResponse) -> list[str]:
    """The messages the next request will find, once MessageMiddleware has stored what is left
    (in the messages cookie, or the session past its size)."""
    request._messages.update(response)
    follow = RequestFactory().get("/")
    follow.COOKIES = {
        name: morsel.value for name, morsel in response.cookies.items() if morsel["max-age"] != 0
    }
    follow.session = request.session
    return [str(m) for m in FallbackStorage(follow)]


@pytest.mark.parametrize("storage", [CookieStorage, FallbackStorage])
def test_htmx_answers_carry_the_messages_in_hx_trigger_once(storage):
    request = make_request(htmx=True, storage=storage)

    response = run(
        request,
        HttpResponse(status=204),
        (messages.SUCCESS, 'Removed <script>alert("x")</script> Mallory.'),
        (messages.ERROR, "Could not remove Ben: Auth0 had a problem."),
    )

    assert json.loads(response["HX-Trigger"]) == {
        "messages": [
            {"message": 'Removed <script>alert("x")</script> Mallory.', "tags": "success"},
            {"message": "Could not remove Ben: Auth0 had a problem.", "tags": "error"},
        ]
    }
    assert response["HX-Trigger"].isascii()  # a header: JSON escapes the rest
    assert pending(request, response) == []  # delivered: not shown again on the next page


def test_extra_tags_travel_with_the_level():
    request = make_request(htmx=True)
    messages.add_message(request, messages.INFO, "Queued earlier.", extra_tags="sticky")

    response = run(request, HttpResponse(), (messages.WARNING, "Careful."))

    assert json.loads(response["HX-Trigger"])["messages"] == [
        {"message": "Queued earlier.", "tags": "sticky info"},
        {"message": "Careful.", "tags": "warning"},
    ]


def test_non_htmx_answers_are_untouched_and_keep_their_messages():
    request = make_request(htmx=False)
    original = HttpResponse("<html>page</html>")

    response = run(request, original, (messages.SUCCESS, "Done."))

    assert response is original
    assert "HX-Trigger" not in response
    assert pending(request, response) == ["Done."]  # the page (or the next one) renders them


def test_no_messages_means_no_header():
    response = run(make_request(htmx=True), HttpResponse(status=200))

    assert "HX-Trigger" not in response


def test_no_messages_leaves_an_existing_trigger_as_it_was():
    original = HttpResponse(status=204)
    original["HX-Trigger"] = '{"rolesChanged": null}'

    response = run(make_request(htmx=True), original)

    assert response["HX-Trigger"] == '{"rolesChanged": null}'


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_skipped_so_the_next_page_shows_the_messages(status):
    request = make_request(htmx=True)
    redirect = HttpResponseRedirect("/organizations/")
    redirect.status_code = status

    response = run(request, redirect, (messages.WARNING, "No organization “x”."))

    assert "HX-Trigger" not in response
    assert pending(request, response) == ["No organization “x”."]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("HX-Redirect", "/organizations/"),
        ("HX-Refresh", "true"),
        ("HX-Location", '{"path": "/organizations/"}'),
    ],
)
def test_navigating_answers_are_skipped_so_the_next_page_shows_the_messages(header, value):
    request = make_request(htmx=True)
    navigating = HttpResponse(status=200)
    navigating[header] = value

    response = run(request, navigating, (messages.WARNING, "Gone."))

    assert "HX-Trigger" not in response
    assert pending(request, response) == ["Gone."]


def test_an_existing_json_trigger_is_merged_not_replaced():
    request = make_request(htmx=True)
    original = HttpResponse(status=404)
    original["HX-Trigger"] = json.dumps({"closeDialog": None, "membersChanged": {"id": 7}})

    response = run(request, original, (messages.WARNING, "They are no longer a member."))

    assert json.loads(response["HX-Trigger"]) == {
        "closeDialog": None,
        "membersChanged": {"id": 7},
        "messages": [{"message": "They are no longer a member.", "tags": "warning"}],
    }


def test_an_error_status_still_carries_the_messages():
    request = make_request(htmx=True)

    response = run(request, HttpResponse(status=503), (messages.ERROR, "Auth0 had a problem."))

    assert response.status_code == 503
    assert json.loads(response["HX-Trigger"])["messages"][0]["tags"] == "error"


def test_the_middleware_comes_after_the_ones_it_needs(settings):
    order = settings.MIDDLEWARE
    mine = order.index("orgs.middleware.HtmxMessagesMiddleware")

    assert order.index("django.contrib.messages.middleware.MessageMiddleware") < mine
    assert order.index("django_htmx.middleware.HtmxMiddleware") < mine
