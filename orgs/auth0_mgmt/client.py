"""The only code in adminportal that talks HTTP to Auth0.

- One `requests.Session` (pooled connections), a (connect, read) timeout on every call, bearer
  token, JSON bodies (DELETE included), every path segment percent-encoded ("." and ".." and
  empty segments are refused).
- 401 "Invalid token"/expired/"Invalid signature" (a signing-key rotation): the token is
  dropped (here and, if still the shared one, for every worker), a fresh one is taken and
  the call retried once, never more.
- 429: one retry, only when Auth0 says the bucket refills within `max_rate_limit_wait` seconds;
  otherwise the RateLimited error goes up at once with the reset time. No other retries: a
  worker is never held for long, and writes are never repeated after a 5xx or a timeout.
- Every write sends an X-Correlation-ID (and returns it), so audit records join Auth0's logs.
- The latest x-ratelimit-* figures are kept in `rate_limit`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar
from urllib.parse import quote

import requests
import urllib3
from django.utils.translation import gettext_lazy
from requests.adapters import HTTPAdapter

from ..i18n import lazy_text
from . import deadline, errors
from .ratelimits import SharedLimits, group_of
from .tokens import Secret, TokenSource
from .types import Member, Organization, Page, RateLimit, Role, User

log = logging.getLogger(__name__)
T = TypeVar("T")

MEMBER_FIELDS = "user_id,email,picture,name,roles"
MAX_CORRELATION_ID = 64
MAX_ANSWER_BYTES = 8 * 1024 * 1024  # a page of 100 members with 100 roles each is ~1 MB
NOT_JSON = object()


class Resource(NamedTuple):
    """A Management API path, and what a 404 on it means."""

    segments: tuple[str, ...]
    not_found: type[errors.Auth0NotFound] = errors.Auth0NotFound


def _organization(*segments: str) -> Resource:
    return Resource(("organizations", *segments), errors.OrganizationNotFound)


def _members(org_id: str) -> Resource:
    return Resource(("organizations", org_id, "members"), errors.OrganizationNotFound)


def _member_roles(org_id: str, user_id: str) -> Resource:
    return Resource(("organizations", org_id, "members", user_id, "roles"), errors.MemberNotFound)


def _user(user_id: str, *rest: str) -> Resource:
    return Resource(("users", user_id, *rest), errors.UserNotFound)


def _offset(page: int, per_page: int) -> dict[str, Any]:
    """The query of an offset page, with its totals."""
    return {"page": page, "per_page": per_page, "include_totals": "true"}


class ManagementClient:
    def __init__(
        self,
        *,
        base_url: str,
        tokens: TokenSource,
        session: requests.Session,
        timeout: tuple[float, float] = (3.05, 10.0),
        max_rate_limit_wait: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        limits: SharedLimits | None = None,
    ) -> None:
        self.api_url = base_url.rstrip("/") + "/api/v2"
        self.tokens = tokens
        self.session = session
        self.timeout = timeout
        self.max_rate_limit_wait = max_rate_limit_wait
        self.sleep = sleep
        self.rate_limit: RateLimit | None = None
        self.limits = limits

    # --- organizations ------------------------------------------------------------------------

    def list_organizations(
        self, *, page: int = 0, per_page: int = 50, sort: str | None = None
    ) -> Page[Organization]:
        body = self._get(Resource(("organizations",)), {**_offset(page, per_page), "sort": sort})
        return _offset_page(body, "organizations", Organization.from_api)

    def list_organizations_after(
        self, *, cursor: str | None = None, take: int = 50
    ) -> Page[Organization]:
        body = self._get(Resource(("organizations",)), {"from": cursor, "take": take})
        return _checkpoint_page(body, "organizations", Organization.from_api)

    def iter_organizations(self, *, take: int = 100) -> Iterator[Organization]:
        return _walk(lambda cursor: self.list_organizations_after(cursor=cursor, take=take))

    def get_organization(self, org_id: str) -> Organization:
        body = self._get(_organization(org_id))
        return _read(lambda: Organization.from_api(body))

    def get_organization_by_name(self, name: str) -> Organization:
        body = self._get(_organization("name", name))
        return _read(lambda: Organization.from_api(body))

    # --- organization members -----------------------------------------------------------------

    def list_members(
        self, org_id: str, *, cursor: str | None = None, take: int = 50, with_roles: bool = True
    ) -> Page[Member]:
        """A checkpoint page of members, with their roles in the same call (no 1000 cap)."""
        params: dict[str, Any] = {"from": cursor, "take": take}
        if with_roles:
            params.update(fields=MEMBER_FIELDS, include_fields="true")
        return _checkpoint_page(self._get(_members(org_id), params), "members", Member.from_api)

    def iter_members(
        self, org_id: str, *, take: int = 100, with_roles: bool = True
    ) -> Iterator[Member]:
        return _walk(
            lambda cursor: self.list_members(
                org_id, cursor=cursor, take=take, with_roles=with_roles
            )
        )

    def add_members(
        self, org_id: str, user_ids: list[str], *, correlation_id: str | None = None
    ) -> str:
        return self._write("POST", _members(org_id), {"members": user_ids}, correlation_id)

    def remove_members(
        self, org_id: str, user_ids: list[str], *, correlation_id: str | None = None
    ) -> str:
        """One DELETE for any number of members; returns the correlation id sent."""
        return self._write("DELETE", _members(org_id), {"members": user_ids}, correlation_id)

    # --- organization member roles ------------------------------------------------------------

    def list_member_roles(
        self, org_id: str, user_id: str, *, page: int = 0, per_page: int = 50
    ) -> Page[Role]:
        body = self._get(_member_roles(org_id, user_id), _offset(page, per_page))
        return _offset_page(body, "roles", Role.from_api)

    def assign_member_roles(
        self, org_id: str, user_id: str, role_ids: list[str], *, correlation_id: str | None = None
    ) -> str:
        resource, body = _member_roles(org_id, user_id), {"roles": role_ids}
        return self._write("POST", resource, body, correlation_id)

    def remove_member_roles(
        self, org_id: str, user_id: str, role_ids: list[str], *, correlation_id: str | None = None
    ) -> str:
        resource, body = _member_roles(org_id, user_id), {"roles": role_ids}
        return self._write("DELETE", resource, body, correlation_id)

    # --- tenant-wide user roles, roles, users -------------------------------------------------

    def list_user_roles(self, user_id: str, *, page: int = 0, per_page: int = 50) -> Page[Role]:
        body = self._get(_user(user_id, "roles"), _offset(page, per_page))
        return _offset_page(body, "roles", Role.from_api)

    def remove_user_roles(
        self, user_id: str, role_ids: list[str], *, correlation_id: str | None = None
    ) -> str:
        return self._write("DELETE", _user(user_id, "roles"), {"roles": role_ids}, correlation_id)

    def list_roles(
        self, *, name_filter: str | None = None, page: int = 0, per_page: int = 50
    ) -> Page[Role]:
        params = {**_offset(page, per_page), "name_filter": name_filter or None}
        return _offset_page(self._get(Resource(("roles",)), params), "roles", Role.from_api)

    def get_user(self, user_id: str) -> User:
        body = self._get(_user(user_id))
        return _read(lambda: User.from_api(body))

    def search_users(self, q: str, *, page: int = 0, per_page: int = 50) -> Page[User]:
        params = {"q": q, "search_engine": "v3", **_offset(page, per_page)}
        return _offset_page(self._get(Resource(("users",)), params), "users", User.from_api)

    def list_user_organizations(
        self, user_id: str, *, page: int = 0, per_page: int = 50
    ) -> Page[Organization]:
        body = self._get(_user(user_id, "organizations"), _offset(page, per_page))
        return _offset_page(body, "organizations", Organization.from_api)

    # --- HTTP ---------------------------------------------------------------------------------

    def _get(self, resource: Resource, params: dict[str, Any] | None = None) -> Any:
        response = self._call("GET", resource, params=params)
        body = _json(response)
        if body is NOT_JSON:
            raise errors.Auth0ServerError(
                lazy_text(
                    gettext_lazy("Auth0 answered HTTP %(status)d without a JSON body."),
                    status=response.status_code,
                )
            )
        return body

    def _write(
        self, method: str, resource: Resource, body: dict[str, Any], correlation_id: str | None
    ) -> str:
        correlation_id = (correlation_id or uuid.uuid4().hex)[:MAX_CORRELATION_ID]
        self._call(method, resource, json=body, correlation_id=correlation_id)
        return correlation_id

    def _call(
        self,
        method: str,
        resource: Resource,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        correlation_id: str | None = None,
    ) -> requests.Response:
        url = self.api_url + "/" + "/".join(_segment(s) for s in resource.segments)
        params = {k: v for k, v in (params or {}).items() if v is not None}
        headers = {"X-Correlation-ID": correlation_id} if correlation_id else {}
        refreshed = waited = False
        group = group_of(method, resource.segments)
        self._check_not_empty(group, correlation_id)
        while True:
            token = self.tokens.get()
            response = self._send(method, url, params, json, headers, token, correlation_id)
            if response.status_code < 400:
                return response
            error = self._error(response, correlation_id, resource.not_found)
            if (
                isinstance(error, errors.CURED_BY_NEW_TOKEN)
                and self.tokens.refreshable
                and not refreshed
            ):
                self.tokens.invalidate(token)
                refreshed = True
                continue
            if isinstance(error, errors.Auth0RateLimited) and not waited:
                wait = self._rate_limit_wait(error)
                if wait is None and self.limits and error.reset_at:
                    self.limits.note_empty(group, error.reset_at)
                if wait is not None:
                    log.info("Auth0 rate limit on %s %s; retrying in %.1f s", method, url, wait)
                    self.sleep(wait)
                    waited = True
                    continue
            raise error

    def _send(
        self,
        method: str,
        url: str,
        params: dict[str, Any],
        json: dict[str, Any] | None,
        headers: dict[str, str],
        token: Secret,
        correlation_id: str | None,
    ) -> requests.Response:
        started = time.monotonic()
        timeout = deadline.within_budget(self.timeout, correlation_id)
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json,
                # A Secret: a debug page's frame variables show it as "********".
                headers={**headers, "Authorization": Secret(f"Bearer {token}")},
                timeout=timeout,
            )
        except requests.ConnectTimeout:
            raise errors.Auth0Timeout(
                gettext_lazy("Auth0 did not accept the connection in time."),
                correlation_id=correlation_id,
            ) from None  # nothing was sent: the outcome is known
        except requests.Timeout:
            raise errors.Auth0Timeout(
                correlation_id=correlation_id, outcome_unknown=method != "GET"
            ) from None
        except requests.ConnectionError as exc:
            never_sent = _never_sent(exc)
            raise errors.Auth0Unreachable(
                gettext_lazy("Auth0 could not be reached.")
                if never_sent
                else gettext_lazy("The connection to Auth0 broke before it answered."),
                correlation_id=correlation_id,
                outcome_unknown=method != "GET" and not never_sent,
            ) from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            if method == "GET":
                raise errors.Auth0ServerError(
                    gettext_lazy("Auth0's answer could not be read (broken or wrongly encoded).")
                ) from None
            raise errors.Auth0Unreachable(
                gettext_lazy("Auth0's answer could not be read."),
                correlation_id=correlation_id,
                outcome_unknown=True,
            ) from None
        self._note_rate_limit(response)
        log.info(
            "Auth0 %s %s -> %s in %.0f ms%s",
            method,
            response.request.path_url.split("?")[0],
            response.status_code,
            (time.monotonic() - started) * 1000,
            f" (correlation id {correlation_id})" if correlation_id else "",
        )
        return response

    def _check_not_empty(self, group: str, correlation_id: str | None) -> None:
        """Another worker met this endpoint group's limit lately: say so without calling."""
        until = self.limits.empty_until(group) if self.limits else None
        if until is not None and until - time.time() > self.max_rate_limit_wait:
            raise errors.Auth0RateLimited(
                gettext_lazy(
                    "Auth0's rate limit for these calls is used up (adminportal did not call it)."
                ),
                status=429,
                reset_at=until,
                correlation_id=correlation_id,
            )

    def _rate_limit_wait(self, error: errors.Auth0RateLimited) -> float | None:
        """How long to wait before the one retry of a 429, or None to fail at once. The reset
        comes in whole seconds (often "now"), so the wait is at least a second, within
        max_rate_limit_wait and what is left of the request's budget."""
        wait = error.retry_after
        if wait is None or wait > self.max_rate_limit_wait:
            return None
        wait = max(wait, min(1.0, self.max_rate_limit_wait))
        left = deadline.remaining()
        if left is not None and wait + self.timeout[0] > left:
            return None
        return wait

    def _error(
        self,
        response: requests.Response,
        correlation_id: str | None,
        not_found: type[errors.Auth0NotFound],
    ) -> errors.Auth0Error:
        too_large = len(response.content) > MAX_ANSWER_BYTES  # its status still says what failed
        body = "" if too_large else errors.json_or_text(response)
        return errors.from_response(
            response.status_code,
            body,
            reset_at=_reset_at(response),
            correlation_id=correlation_id,
            not_found=not_found,
        )

    def _note_rate_limit(self, response: requests.Response) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.rate_limit = RateLimit(
                limit=int(response.headers["x-ratelimit-limit"]),
                remaining=int(response.headers["x-ratelimit-remaining"]),
                reset_at=float(response.headers["x-ratelimit-reset"]),
                observed_at=time.time(),
            )


def new_session(pool_size: int = 10, base_url: str = "") -> requests.Session:
    """A pooled session. The environment (proxies for `base_url`, a CA bundle) is read once
    here, not by requests on every call (about a tenth of a page's CPU)."""
    session = requests.Session()
    session.trust_env = False
    if base_url:
        session.proxies = requests.utils.get_environ_proxies(base_url)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.verify = bundle or True
    session.headers.update({"Accept": "application/json", "User-Agent": "adminportal/0.1"})
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _reset_at(response: requests.Response) -> float | None:
    """When requests are accepted again: Retry-After (seconds) when sent, else
    x-ratelimit-reset (epoch seconds)."""
    try:
        return time.time() + float(response.headers["retry-after"])
    except (KeyError, ValueError):
        pass
    try:
        return float(response.headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return None


def _segment(value: str) -> str:
    """One percent-encoded path segment ("/" included). requests decodes "%2E" back to ".",
    and a "." or ".." segment would be resolved into another path, so those (and an empty
    one) are refused before anything is sent."""
    if value.strip(".") == "":
        raise errors.InvalidInput(
            lazy_text(gettext_lazy("“%(value)s” cannot be looked up in Auth0."), value=value)
        )
    return quote(value, safe="")


def _never_sent(exc: requests.ConnectionError) -> bool:
    """Whether the request cannot have reached Auth0: no connection was made (refused, name not
    resolved), as urllib3 says under requests' ConnectionError."""
    reason = exc.args[0] if exc.args else None
    while isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError | ConnectionRefusedError)


def _json(response: requests.Response) -> Any:
    """The answer's JSON, or NOT_JSON; Auth0ServerError for an answer too large to read."""
    if len(response.content) > MAX_ANSWER_BYTES:
        raise errors.Auth0ServerError(
            lazy_text(
                gettext_lazy(
                    "Auth0's answer (%(size)s bytes) is larger than adminportal accepts (%(most)s)."
                ),
                size=f"{len(response.content):,}",
                most=f"{MAX_ANSWER_BYTES:,}",
            )
        )
    try:
        return response.json()
    except (ValueError, RecursionError):
        return NOT_JSON


def _read(parse: Callable[[], T]) -> T:
    """What `parse` makes of an answer; an answer of another shape than Auth0 documents
    (a list for a string, a missing id, …) is an Auth0ServerError, never a crash."""
    try:
        return parse()
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        ArithmeticError,
        RecursionError,
    ) as exc:
        raise errors.Auth0ServerError(
            lazy_text(
                gettext_lazy("Auth0 answered with data adminportal cannot read (%(problem)s)."),
                problem=f"{type(exc).__name__}: {str(exc)[:80]}",
            )
        ) from None


def _offset_page(body: Any, collection: str, parse: Callable[[Any], T]) -> Page[T]:
    def page() -> Page[T]:
        if isinstance(body, list):
            return Page(items=tuple(parse(item) for item in body))
        return Page(
            items=tuple(parse(item) for item in _list(body.get(collection))),
            total=_count(body.get("total")),
            start=_count(body.get("start")) or 0,
            limit=_count(body.get("limit")),
        )

    return _read(page)


def _checkpoint_page(body: Any, collection: str, parse: Callable[[Any], T]) -> Page[T]:
    def page() -> Page[T]:
        items = tuple(parse(item) for item in _list(body.get(collection)))
        cursor = body.get("next")
        if cursor is not None and not isinstance(cursor, str):
            raise TypeError(f"next is a {type(cursor).__name__}")
        return Page(items=items, next_cursor=cursor if items else None)

    return _read(page)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"a {type(value).__name__} where a list belongs")
    return value


def _count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a {type(value).__name__} where a number belongs")
    return value


def _walk(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every item of a checkpoint-paged list: stop when `next` is missing or a page is empty."""
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def all_pages(fetch: Callable[[int, int], Page[T]], *, per_page: int = 50) -> tuple[T, ...]:
    """Every item of an offset-paged list (Auth0 serves the first 1000 records this way)."""
    items: list[T] = []
    page = 0
    while True:
        chunk = fetch(page, per_page)
        items += chunk.items
        if not chunk.items or chunk.total is None or len(items) >= chunk.total:
            return tuple(items)
        page += 1
