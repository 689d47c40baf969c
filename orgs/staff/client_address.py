"""The address sign-in throttling (django-axes, AXES_CLIENT_IP_CALLABLE) counts failures from."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address. Behind the one TLS-terminating proxy (DJANGO_BEHIND_TLS_PROXY)
    every request comes from that proxy, so all clients would share their lock-outs: the client
    is the last address of X-Forwarded-For, the one the proxy appended (what comes before it is
    whatever the client sent). Without that setting X-Forwarded-For is anyone's to forge, and
    the peer's address counts."""
    peer = request.META.get("REMOTE_ADDR") or None
    if not settings.BEHIND_TLS_PROXY:
        return peer
    appended = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(appended))
    except ValueError:
        return peer
