"""CACHE_URL: redis:// is Django's own RedisCache, with its client installed (tests/
test_shared_state.py runs two servers on a real Redis)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.cache.backends.redis import RedisCache

from adminportal.cache_url import REDIS_CACHE, cache_config

ROOT = Path(__file__).resolve().parents[1]


def test_redis_urls_are_djangos_redis_cache_whatever_else_is_installed(monkeypatch):
    # django-environ maps redis:// to django-redis whenever that package is importable.
    monkeypatch.setitem(environ.Env.CACHE_SCHEMES, "redis", "django_redis.cache.RedisCache")

    assert cache_config("redis://:s3cret@10.0.0.5:6379/1") == {
        "BACKEND": REDIS_CACHE,
        "LOCATION": "redis://:s3cret@10.0.0.5:6379/1",
    }


def test_the_query_gives_the_key_prefix_timeout_and_pool_options():
    assert cache_config(
        "rediss://cache.internal:6380/2?key_prefix=ap&timeout=60&max_connections=20"
    ) == {
        "BACKEND": REDIS_CACHE,
        "LOCATION": "rediss://cache.internal:6380/2",
        "KEY_PREFIX": "ap",
        "TIMEOUT": 60,
        "OPTIONS": {"max_connections": "20"},
    }


def test_other_schemes_are_django_environs():
    assert cache_config("dbcache://adminportal_cache") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "adminportal_cache",
    }


def test_the_redis_client_is_installed():
    config = cache_config("redis://127.0.0.1:6379/1")
    backend = RedisCache(config["LOCATION"], config)
    assert backend._cache._client.__module__.startswith("redis")  # imports redis; no connection


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/1", ""])
def test_settings_read_cache_url(url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_URL"))}
    code = "import json, adminportal.settings as s; print(json.dumps(s.CACHES['default']))"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT / "tests",  # no .env file there
        env={**env, "PYTHONPATH": str(ROOT), "DJANGO_SECRET_KEY": "k", "CACHE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    backend = json.loads(result.stdout)["BACKEND"]
    assert backend == (REDIS_CACHE if url else "django.core.cache.backends.db.DatabaseCache")
