"""Sign-in throttling (django-axes) keys on the real client's address: behind the documented
TLS-terminating proxy (DJANGO_BEHIND_TLS_PROXY) that is the address the proxy appended to
X-Forwarded-For, not the proxy's own; without the proxy X-Forwarded-For is anyone's to forge
and the peer address counts."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from tests.test_signin import STAFF_PASSWORD, is_locked_out_page, sign_in, signed_in_user

PROXY = "10.0.0.1"  # the peer of every request that came through the proxy


@pytest.fixture
def behind_proxy(settings) -> None:
    settings.BEHIND_TLS_PROXY = True


def through_proxy(forwarded_for: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


def test_two_clients_behind_the_proxy_are_not_locked_out_together(
    throttle, behind_proxy, make_staff
):
    make_staff("sam")
    guesser, sam = Client(), Client()
    for _ in range(3):
        locked = sign_in(guesser, "sam", "wrong", **through_proxy("203.0.113.5"))
    assert is_locked_out_page(locked)

    response = sign_in(sam, "sam", STAFF_PASSWORD, **through_proxy("198.51.100.7"))

    assert response.status_code == 302
    assert signed_in_user(sam).username == "sam"
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


def test_behind_the_proxy_only_the_address_it_appended_counts(throttle, behind_proxy, make_staff):
    """A client sends any X-Forwarded-For it likes; the proxy appends the address it saw."""
    make_staff("sam")
    guesser = Client()
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        response = sign_in(guesser, "sam", "wrong", **through_proxy(f"{forged}, 203.0.113.5"))

    assert is_locked_out_page(response)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


def test_without_the_proxy_setting_a_forged_header_is_ignored(throttle, settings, make_staff):
    settings.BEHIND_TLS_PROXY = False
    make_staff("sam")
    guesser = Client()
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        response = sign_in(
            guesser, "sam", "wrong", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=forged
        )

    assert is_locked_out_page(response)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    other = sign_in(
        Client(),
        "sam",
        STAFF_PASSWORD,
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert is_locked_out_page(other)  # the same peer, whatever it claims to forward


@pytest.mark.parametrize(
    ("behind", "meta", "expected"),
    [
        (False, {"REMOTE_ADDR": "203.0.113.5"}, "203.0.113.5"),
        (False, {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "203.0.113.5"),
        (True, through_proxy("203.0.113.5"), "203.0.113.5"),
        (True, through_proxy("1.2.3.4,203.0.113.5"), "203.0.113.5"),
        (True, through_proxy(" 2001:db8::1 "), "2001:db8::1"),
        (True, through_proxy("1.2.3.4, not-an-address"), PROXY),  # not from our proxy: the peer
        (True, {"REMOTE_ADDR": PROXY}, PROXY),  # no header: the peer
    ],
)
def test_the_client_address(settings, behind, meta, expected):
    from orgs.staff.client_address import client_address

    settings.BEHIND_TLS_PROXY = behind
    request = RequestFactory().get("/login/", **meta)
    assert client_address(request) == expected


@pytest.fixture
def throttle(settings, db) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    assert not AccessAttempt.objects.exists()
