"""The dashboard in Japanese (issue 11, item 8): English by default, the browser's
Accept-Language otherwise, and each staff member's own choice above both."""

from __future__ import annotations

import pytest
from django.conf import settings

from orgs.models import StaffAccess
from tests.view_helpers import text

LIST = "/organizations/"


def lang_of(response) -> str:
    return text(response).split('<html lang="', 1)[1].split('"', 1)[0]


def test_english_is_the_default(auth0, client):
    response = client.get(LIST)
    assert lang_of(response) == "en"
    assert response["Content-Language"] == "en"


def test_the_browsers_language_is_followed(auth0, client):
    response = client.get(LIST, headers={"accept-language": "ja,en;q=0.5"})
    assert lang_of(response) == "ja"
    assert "Accept-Language" in response["Vary"]


def test_a_staff_members_choice_wins_over_their_browser(auth0, client, admin_staff):
    answer = client.post("/language/", {"language": "ja", "next": "/activity/"})

    assert answer.status_code == 302 and answer["Location"] == "/activity/"
    assert StaffAccess.objects.get(user=admin_staff).language == "ja"
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # another browser: only the choice counts
    assert lang_of(client.get(LIST, headers={"accept-language": "en"})) == "ja"

    client.post("/language/", {"language": "", "next": LIST})  # back to the browser's
    assert StaffAccess.objects.get(user=admin_staff).language == ""
    assert lang_of(client.get(LIST, headers={"accept-language": "en"})) == "en"


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"language": "xx", "next": "/activity/"}, "/activity/"),
        ({"language": "ja", "next": "https://evil.example/"}, LIST),
        ({"language": "ja", "next": "//evil.example/"}, LIST),
    ],
)
def test_bad_choices_change_nothing_and_never_leave_the_site(
    auth0, client, admin_staff, data, location
):
    answer = client.post("/language/", data)
    assert answer.status_code == 302 and answer["Location"] == location
    expected = "ja" if data["language"] == "ja" else ""
    assert StaffAccess.objects.get(user=admin_staff).language == expected


def test_choosing_a_language_is_a_post_with_csrf(auth0, admin_staff):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_staff)
    assert strict.get("/language/").status_code == 405
    assert strict.post("/language/", {"language": "ja"}).status_code == 403
    assert StaffAccess.objects.get(user=admin_staff).language == ""


def test_the_header_offers_every_language(auth0, client):
    page = text(client.get(LIST))
    assert '<option value="ja" lang="ja">日本語</option>' in page
    assert '<option value="en" lang="en" selected>English</option>' in page
