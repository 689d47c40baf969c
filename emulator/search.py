"""A subset of the user-search (Lucene) syntax Auth0 accepts in `q`:

    email:"ana@acme.com"   name:ana*   organization_id:"org_…"   (a OR b)   a AND b   NOT a
    bare words (matched against name, email and nickname); terms side by side mean AND.

Fields: email, name, nickname, username, given_name, family_name, user_id, organization_id.
A trailing (or inner) `*` is a wildcard; values compare case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import errors
from .store import Tenant

TEXT_FIELDS = ("email", "name", "nickname", "username", "given_name", "family_name", "user_id")
TOKEN = re.compile(r'\s*(\(|\)|[^\s()"]+:"(?:[^"\\]|\\.)*"|"(?:[^"\\]|\\.)*"|[^\s()]+)')

Predicate = Callable[[dict[str, Any]], bool]


def compile_query(tenant: Tenant, q: str) -> Predicate:
    tokens = _tokenize(q)
    if not tokens:
        return lambda user: True
    parser = _Parser(tenant, tokens)
    predicate = parser.or_expr()
    if parser.position != len(tokens):
        raise _bad_query(q)
    return predicate


def _tokenize(q: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(q):
        found = TOKEN.match(q, position)
        if not found or not found.group(1):
            if q[position:].strip():
                raise _bad_query(q)
            break
        token = found.group(1)
        if token.count('"') % 2:
            raise _bad_query(q)  # an unterminated quote
        tokens.append(token)
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, tenant: Tenant, tokens: list[str]) -> None:
        self.tenant = tenant
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda u: any(p(u) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda u: all(p(u) for p in parts))

    def unary(self) -> Predicate:
        token = self.peek()
        if token in (None, ")", "AND", "OR"):
            raise _bad_query(" ".join(self.tokens))
        if token == "NOT":
            self.take()
            inner = self.unary()
            return lambda u: not inner(u)
        if token == "(":
            self.take()
            inner = self.or_expr()
            if self.peek() != ")":
                raise _bad_query(" ".join(self.tokens))
            self.take()
            return inner
        return self.clause(self.take())

    def clause(self, token: str) -> Predicate:
        field, sep, value = token.partition(":")
        if not sep or token.startswith('"'):
            needle = _unquote(token).lower().strip("*")
            return lambda u: (
                needle
                in " ".join(str(u.get(f) or "") for f in ("name", "email", "nickname")).lower()
            )
        value = _unquote(value)
        if field == "organization_id":
            tenant = self.tenant
            return lambda u: tenant.is_member(value, u["user_id"])
        if field in TEXT_FIELDS:
            return lambda u: _like(str(u.get(field) or ""), value)
        return lambda u: False


def _unquote(value: str) -> str:
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _like(value: str, pattern: str) -> bool:
    value, pattern = value.lower(), pattern.lower()
    if "*" in pattern:
        regex = ".*".join(re.escape(part) for part in pattern.split("*"))
        return re.fullmatch(regex, value) is not None
    return value == pattern


def _bad_query(q: str) -> errors.ApiError:
    return errors.ApiError(400, f"Invalid query: {q}", "invalid_query_string")
