"""Checks on ids and id lists before anything is sent to Auth0; a failure is InvalidInput with a
message a person can act on."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from django.utils.http import RFC3986_SUBDELIMS

from .auth0_mgmt.errors import InvalidInput

ORG_ID = re.compile(r"org_[A-Za-z0-9]{1,46}")
ROLE_ID = re.compile(r"rol_[A-Za-z0-9]{1,46}")
# "<provider>|<id>", e.g. auth0|63d1…, google-oauth2|1170…, samlp|acme|ana@acme.com
USER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\|[^\x00-\x1f\x7f]{1,255}")
MAX_ROLES_PER_CALL = 100  # an organization member holds at most 100 roles
MAX_MEMBERS_PER_CALL = 100


def check_org_id(value: str) -> str:
    if not ORG_ID.fullmatch(value or ""):
        raise InvalidInput(f"“{_shown(value)}” is not an organization id (org_…).")
    return value


def check_user_id(value: str) -> str:
    if not USER_ID.fullmatch(value or ""):
        raise InvalidInput(f"“{_shown(value)}” is not an Auth0 user id (provider|id).")
    return value


def check_role_id(value: str) -> str:
    if not ROLE_ID.fullmatch(value or ""):
        raise InvalidInput(f"“{_shown(value)}” is not a role id (rol_…).")
    return value


def check_id_list(
    values: list[str], *, noun: str, most: int, check: Callable[[str], str]
) -> list[str]:
    """Non-empty, no duplicates, at most `most`, each well-formed."""
    if not values:
        raise InvalidInput(f"Choose at least one {noun}.")
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise InvalidInput(f"The same {noun} is listed twice: {_shown(duplicates[0])}.")
    if len(values) > most:
        raise InvalidInput(f"At most {most} {noun}s can be changed at once ({len(values)} given).")
    for value in values:
        check(value)
    return list(values)


def check_role_ids(values: list[str]) -> list[str]:
    return check_id_list(values, noun="role", most=MAX_ROLES_PER_CALL, check=check_role_id)


def check_user_ids(values: list[str]) -> list[str]:
    return check_id_list(values, noun="member", most=MAX_MEMBERS_PER_CALL, check=check_user_id)


# --- ids in adminportal's own addresses ---------------------------------------------------------

_ESCAPED = re.compile(r"%(25|2[Ff]|2[Ee])")
_PCHAR = RFC3986_SUBDELIMS + "~:@"  # what reverse() leaves unquoted in a path segment


class IdSegment:
    """URL converter ("<id:user_id>"): an id is always one path segment. "%" and "/" are
    escaped, and an id of dots only has its dots escaped, so no id can add a segment or be a
    "." / ".." segment that a browser or proxy resolves into another address. reverse()
    quotes the result again (a "/" goes out as "%252F"), so the escapes survive one decoding
    by a proxy too; the server decodes once and to_python undoes them."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), value)

    def to_url(self, value: str) -> str:
        text = value.replace("%", "%25").replace("/", "%2F")
        return text.replace(".", "%2E") if not text.strip(".") else text


def url_segment(value: str) -> str:
    """An id as reverse() writes it in a path (for addresses built without reverse())."""
    return quote(IdSegment().to_url(value), safe=_PCHAR)


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
