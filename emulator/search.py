"""A small subset of the user-search (Lucene) syntax: `field:value` and `field:"value"` terms,
a trailing `*` wildcard, bare words matched against name, email and nickname, joined by AND.

Fields: email, name, nickname, username, given_name, family_name, user_id, organization_id.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from .store import Tenant

TEXT_FIELDS = ("email", "name", "nickname", "username", "given_name", "family_name", "user_id")


def _terms(q: str) -> list[str]:
    try:
        words = shlex.split(q, posix=True)
    except ValueError:
        words = q.split()
    return [w for w in words if w.upper() != "AND"]


def _like(value: str, pattern: str) -> bool:
    value, pattern = value.lower(), pattern.lower()
    if "*" in pattern:
        regex = ".*".join(re.escape(part) for part in pattern.split("*"))
        return re.fullmatch(regex, value) is not None
    return value == pattern


def user_matches(tenant: Tenant, user: dict[str, Any], q: str) -> bool:
    for term in _terms(q):
        field, sep, value = term.partition(":")
        if not sep:
            needle = term.lower().strip("*")
            haystack = " ".join(str(user.get(f) or "") for f in ("name", "email", "nickname"))
            if needle not in haystack.lower():
                return False
        elif field == "organization_id":
            if not tenant.is_member(value, user["user_id"]):
                return False
        elif field in TEXT_FIELDS:
            if not _like(str(user.get(field) or ""), value):
                return False
        else:
            return False
    return True
