"""Checks on ids and id lists before anything is sent to Auth0; a failure is InvalidInput with a
message a person can act on."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext_lazy

from .auth0_mgmt.errors import InvalidInput
from .i18n import lazy_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ORG_ID = re.compile(r"org_[A-Za-z0-9]{1,46}")
ROLE_ID = re.compile(r"rol_[A-Za-z0-9]{1,46}")
# "<provider>|<id>", e.g. auth0|63d1…, google-oauth2|1170…, samlp|acme|ana@acme.com
USER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\|[^\x00-\x1f\x7f]{1,255}")
MAX_ROLES_PER_CALL = 100  # an organization member holds at most 100 roles
MAX_MEMBERS_PER_CALL = 100


def check_org_id(value: str) -> str:
    if not ORG_ID.fullmatch(value or ""):
        said = gettext_lazy("“%(value)s” is not an organization id (org_…).")
        raise InvalidInput(lazy_text(said, value=_shown(value)))
    return value


def check_user_id(value: str) -> str:
    if not USER_ID.fullmatch(value or ""):
        said = gettext_lazy("“%(value)s” is not an Auth0 user id (provider|id).")
        raise InvalidInput(lazy_text(said, value=_shown(value)))
    return value


def check_role_id(value: str) -> str:
    if not ROLE_ID.fullmatch(value or ""):
        said = gettext_lazy("“%(value)s” is not a role id (rol_…).")
        raise InvalidInput(lazy_text(said, value=_shown(value)))
    return value


@dataclass(frozen=True)
class IdListWords:
    """What check_id_list says about a list of one kind of id."""

    none: StrOrPromise
    twice: StrOrPromise
    """%(value)s: the id listed twice."""
    too_many: StrOrPromise
    """%(most)d, %(given)d."""


ROLE_LIST = IdListWords(
    none=gettext_lazy("Choose at least one role."),
    twice=gettext_lazy("The same role is listed twice: %(value)s."),
    too_many=gettext_lazy("At most %(most)d roles can be changed at once (%(given)d given)."),
)
MEMBER_LIST = IdListWords(
    none=gettext_lazy("Choose at least one member."),
    twice=gettext_lazy("The same member is listed twice: %(value)s."),
    too_many=gettext_lazy("At most %(most)d members can be changed at once (%(given)d given)."),
)


def check_id_list(
    values: list[str], *, words: IdListWords, most: int, check: Callable[[str], str]
) -> list[str]:
    """Non-empty, no duplicates, at most `most`, each well-formed."""
    if not values:
        raise InvalidInput(words.none)
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise InvalidInput(lazy_text(words.twice, value=_shown(duplicates[0])))
    if len(values) > most:
        raise InvalidInput(lazy_text(words.too_many, most=most, given=len(values)))
    for value in values:
        check(value)
    return list(values)


def check_role_ids(values: list[str]) -> list[str]:
    return check_id_list(values, words=ROLE_LIST, most=MAX_ROLES_PER_CALL, check=check_role_id)


def check_user_ids(values: list[str]) -> list[str]:
    return check_id_list(values, words=MEMBER_LIST, most=MAX_MEMBERS_PER_CALL, check=check_user_id)


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
