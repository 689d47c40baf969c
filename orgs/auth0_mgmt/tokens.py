"""Management API tokens: a static one, or client credentials fetched once per lifetime for the
whole deployment.

A fetched token is kept in Django's cache (shared by every worker process; the database cache by
default) until shortly before it expires, and in the process for quick reuse. Fetching happens
under a lock held in that cache (`cache.add` is atomic there), so concurrent requests in several
processes wait for one fetch instead of stampeding the token endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import requests
from cryptography.fernet import Fernet, InvalidToken
from django.core.cache import BaseCache
from django.utils.translation import gettext_lazy

from .. import locks
from ..i18n import lazy_text
from . import deadline, errors

log = logging.getLogger(__name__)


class Secret(str):
    """A token or secret: a str everywhere, but shown as "********" by repr(), so a debug
    page's frame variables, a dict or a log of one never show it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


class TokenSource(Protocol):
    refreshable: bool

    def get(self) -> Secret: ...

    def invalidate(self, token: str) -> None: ...


class StaticToken:
    """AUTH0_MGMT_API_TOKEN: used as is; when Auth0 refuses it there is nothing to refresh."""

    refreshable = False

    def __init__(self, token: str) -> None:
        self._token = Secret(token)

    def get(self) -> Secret:
        return self._token

    def invalidate(self, token: str) -> None:
        pass


class ClientCredentialsTokens:
    refreshable = True

    def __init__(
        self,
        *,
        session: requests.Session,
        token_url: str,
        client_id: str,
        client_secret: str,
        audience: str,
        timeout: tuple[float, float],
        cache: BaseCache,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
        sealing_key: str = "",
    ) -> None:
        self.session = session
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = Secret(client_secret)
        self.audience = audience
        self.timeout = timeout
        self.cache = cache
        self.refresh_margin = refresh_margin
        self.clock = clock
        digest = hashlib.sha256(f"{token_url}|{client_id}|{audience}".encode()).hexdigest()[:24]
        self.cache_key = f"adminportal:auth0-token:{digest}"
        self.lock_key = f"{self.cache_key}:lock"
        self.lock_ttl = sum(timeout) + 5
        self._memo: tuple[Secret, float] | None = None
        self._thread_lock = threading.Lock()
        # The shared copy is encrypted: whoever reads the cache (a database table by default)
        # or its backups does not get a Management API token.
        self._seal = Fernet(
            base64.urlsafe_b64encode(hashlib.sha256(f"auth0-token:{sealing_key}".encode()).digest())
        )

    def get(self) -> Secret:
        token = self._fresh(self._memo) or self._fresh(self._shared())
        if token:
            return token
        with self._thread_lock:
            return self._fetch_once()

    def invalidate(self, token: str) -> None:
        """Forget `token` (Auth0 refused it), unless another request already replaced it."""
        if self._memo and self._memo[0] == token:
            self._memo = None
        shared = self._shared()
        if shared and shared[0] == token:
            self.cache.delete(self.cache_key)

    def _shared(self) -> tuple[Secret, float] | None:
        """The token other workers fetched, if any (and readable with this key)."""
        sealed = self.cache.get(self.cache_key)
        if not sealed:
            return None
        try:
            return Secret(self._seal.decrypt(sealed[0]).decode()), sealed[1]
        except (InvalidToken, TypeError, ValueError):
            return None  # another SECRET_KEY, or an old entry: fetch a new token

    def _fresh(self, entry: tuple[Secret, float] | None) -> Secret | None:
        """The token of a (token, refresh_at) entry, unless it is due for replacement."""
        if entry and entry[1] > self.clock():
            self._memo = entry
            return entry[0]
        return None

    def _fetch_once(self) -> Secret:
        """The token another process is fetching (it shares it), or one fetched here under the
        lock (without it when its holder died)."""
        token, lock = locks.value_or_lock(
            lambda: self._fresh(self._shared()),
            self.lock_key,
            self.lock_ttl,
            wait=self.lock_ttl,
            store=self.cache,
        )
        if token:
            return token
        try:
            return self._fetch()
        finally:
            if lock is not None:
                lock.release()

    def _fetch(self) -> Secret:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "audience": self.audience,
        }
        try:
            response = self.session.post(
                self.token_url, data=form, timeout=deadline.within_budget(self.timeout)
            )
        except requests.Timeout:
            raise errors.Auth0Timeout(
                gettext_lazy("Auth0 did not answer the token request in time.")
            ) from None
        except requests.ConnectionError:
            raise errors.Auth0Unreachable(
                lazy_text(
                    gettext_lazy("Auth0's token endpoint could not be reached (%(url)s)."),
                    url=self.token_url,
                )
            ) from None
        if response.status_code != 200:
            raise errors.from_response(response.status_code, errors.json_or_text(response))
        answer = _token_answer(response)
        if answer is None:
            raise errors.Auth0ServerError(
                gettext_lazy("Auth0's token endpoint answered without a usable token (HTTP 200).")
            )
        lifetime = answer[1]
        # Replace it shortly before it expires (at most halfway through a short lifetime).
        usable_for = lifetime - min(self.refresh_margin, lifetime / 2)
        entry = (answer[0], self.clock() + usable_for)
        sealed = (self._seal.encrypt(entry[0].encode()), entry[1])
        self.cache.set(self.cache_key, sealed, timeout=max(1, int(usable_for)))
        self._memo = entry
        log.info("Fetched a Management API token for client %s", self.client_id)
        return entry[0]


def _token_answer(response: requests.Response) -> tuple[Secret, float] | None:
    """(token, lifetime in seconds) of a token endpoint answer, None when it has none usable.
    Never raises: the answer (which holds the token) stays in no frame of a traceback."""
    body = errors.json_or_text(response)
    if not isinstance(body, dict):
        return None
    token, lifetime = body.get("access_token"), body.get("expires_in") or 86400
    if not isinstance(token, str) or not token or isinstance(lifetime, bool):
        return None
    try:
        seconds = float(lifetime)
    except (TypeError, ValueError):
        return None
    return (Secret(token), seconds) if 0 < seconds < 10**8 else None
