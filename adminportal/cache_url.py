"""CACHE_URL as an entry of Django's CACHES.

redis:// and rediss:// always give Django's own RedisCache (django-environ would choose
django-redis instead whenever that package happens to be installed), with `key_prefix` and
`timeout` in the query as Django's KEY_PREFIX and TIMEOUT (django-environ passes them lower-case,
which Django ignores), any other query value as an option of the connection pool. Every other
scheme (dbcache://, locmemcache://, pymemcache://, …) is django-environ's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import environ

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def cache_config(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return environ.Env.cache_url_config(url)
    config: dict[str, Any] = {
        "BACKEND": REDIS_CACHE,
        "LOCATION": urlunsplit(parts._replace(query="", fragment="")),
    }
    options: dict[str, str] = {}
    for name, value in parse_qsl(parts.query):
        if name.lower() == "key_prefix":
            config["KEY_PREFIX"] = value
        elif name.lower() == "timeout":
            config["TIMEOUT"] = int(value)
        else:
            options[name.lower()] = value
    if options:
        config["OPTIONS"] = options
    return config
