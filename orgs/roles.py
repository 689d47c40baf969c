"""Role names as people read them. Every comparison of a role name (with another, or with the
names in a setting) goes through role_key, so that `org-owner `, `Org‑Owner` (U+2011) and
`ＯＲＧ-owner` are all the role `org-owner` to every guardrail."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from django.conf import settings

from .auth0_mgmt import Role

MINUS_LIKE = frozenset("\u02d7\u2043\u2212\u2796")
"""Minus and hyphen look-alikes outside Unicode's dash punctuation (Pd): MODIFIER LETTER MINUS
SIGN, HYPHEN BULLET, MINUS SIGN, HEAVY MINUS SIGN."""


def role_key(name: str) -> str:
    """The name as compared: Unicode NFKC; invisible format characters (Cf: zero-width space,
    soft hyphen, BOM…) dropped; every dash (Pd, e.g. U+2010/2011 hyphens, which NFKC keeps)
    and minus look-alike read as "-"; surrounding white space trimmed; any case (casefold)."""
    text = unicodedata.normalize("NFKC", name)
    kept = (
        "-" if char in MINUS_LIKE or unicodedata.category(char) == "Pd" else char
        for char in text
        if unicodedata.category(char) != "Cf"
    )
    return "".join(kept).strip().casefold()


def keys_of(names: Iterable[str]) -> frozenset[str]:
    """The keys of the names in a setting (blank entries ignored)."""
    return frozenset(key for key in map(role_key, names) if key)


def named(roles: Iterable[Role], names: Iterable[str]) -> list[Role]:
    """The roles among `roles` whose name is one of `names`, compared as people read them."""
    wanted = keys_of(names)
    return [role for role in roles if role_key(role.name) in wanted]


def admin_only(roles: Iterable[Role]) -> list[Role]:
    """The roles only an Admin may assign (settings.ADMIN_ONLY_ROLES)."""
    return named(roles, settings.ADMIN_ONLY_ROLES)


def in_organizations(roles: Iterable[Role]) -> list[Role]:
    """The roles that may be assigned in organizations: named in settings.ORGANIZATION_ROLES, or
    matched in full by settings.ORGANIZATION_ROLE_PATTERN (any case, on the name as compared)."""
    allowed = keys_of(settings.ORGANIZATION_ROLES)
    pattern = _pattern(settings.ORGANIZATION_ROLE_PATTERN)
    return [
        role
        for role in roles
        if (key := role_key(role.name)) in allowed
        or (pattern is not None and key and pattern.fullmatch(key))
    ]


@cache
def _pattern(pattern: str) -> re.Pattern[str] | None:
    return re.compile(pattern, re.IGNORECASE) if pattern else None
