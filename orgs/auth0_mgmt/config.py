"""Builds the process's ManagementClient from settings (once per distinct configuration)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from .client import ManagementClient, new_session
from .ratelimits import SharedLimits
from .tokens import ClientCredentialsTokens, StaticToken, TokenSource


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    audience: str
    client_id: str
    client_secret: str = field(repr=False)  # a debug page's frame variables show the repr
    static_token: str = field(repr=False)
    timeout: tuple[float, float]
    max_rate_limit_wait: float
    cache_alias: str

    @classmethod
    def from_settings(cls) -> ClientConfig:
        return cls(
            base_url=settings.AUTH0_BASE_URL,
            audience=settings.AUTH0_AUDIENCE,
            client_id=settings.AUTH0_CLIENT_ID,
            client_secret=settings.AUTH0_CLIENT_SECRET,
            static_token=settings.AUTH0_MGMT_API_TOKEN,
            timeout=(settings.AUTH0_TIMEOUT_CONNECT, settings.AUTH0_TIMEOUT_READ),
            max_rate_limit_wait=settings.AUTH0_MAX_RATE_LIMIT_WAIT,
            cache_alias=settings.AUTH0_TOKEN_CACHE,
        )


def get_client() -> ManagementClient:
    """The client for the current settings; built on first use, then shared by the process."""
    return _client_for(ClientConfig.from_settings())


@lru_cache(maxsize=4)
def _client_for(config: ClientConfig) -> ManagementClient:
    if not config.base_url or not config.audience:
        raise ImproperlyConfigured("Set AUTH0_DOMAIN (and AUTH0_BASE_URL for the emulator).")
    session = new_session(base_url=config.base_url)
    tokens: TokenSource
    if config.client_id and config.client_secret:
        tokens = ClientCredentialsTokens(
            session=session,
            token_url=config.base_url.rstrip("/") + "/oauth/token",
            client_id=config.client_id,
            client_secret=config.client_secret,
            audience=config.audience,
            timeout=config.timeout,
            cache=caches[config.cache_alias],
            sealing_key=settings.SECRET_KEY,
        )
    elif config.static_token:
        tokens = StaticToken(config.static_token)
    else:
        raise ImproperlyConfigured(
            "Set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or AUTH0_MGMT_API_TOKEN."
        )
    return ManagementClient(
        base_url=config.base_url,
        tokens=tokens,
        session=session,
        timeout=config.timeout,
        max_rate_limit_wait=config.max_rate_limit_wait,
        limits=SharedLimits(caches[config.cache_alias]),
    )
