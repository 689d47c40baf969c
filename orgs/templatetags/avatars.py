"""{{ picture|avatar_allowed }}: whether a member's picture may be shown, i.e. it is an https
address on one of settings.AVATAR_HOSTS (the hosts the Content-Security-Policy's img-src
allows). Any other picture is never requested: a planted address would tell a third party who
looked at the member, and when."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def avatar_allowed(picture: object) -> bool:
    if not isinstance(picture, str) or not picture.startswith("https://"):
        return False
    try:
        parts = urlsplit(picture)
        port = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    if not host or port is not None or parts.username is not None or parts.password is not None:
        return False
    for allowed in settings.AVATAR_HOSTS:
        allowed_host = allowed.removeprefix("https://")
        if allowed_host.startswith("*."):
            if host.endswith(allowed_host[1:]):
                return True
        elif host == allowed_host:
            return True
    return False
