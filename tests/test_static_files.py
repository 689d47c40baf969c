"""Static files as production serves them: collected with WhiteNoise's compressed manifest
storage, pages link their hashed names, and WhiteNoise serves those with a ten-year lifetime.
(The rest of the suite uses plain names from the finders: tests/settings.py.)"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

TEN_YEARS = "max-age=315360000, public, immutable"


@pytest.fixture
def production_static(settings, tmp_path):
    """The production settings' storage and WhiteNoise, after collectstatic into a temp dir."""
    from adminportal import settings as production

    settings.STORAGES = production.STORAGES
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.MIDDLEWARE = production.MIDDLEWARE
    assert django_settings.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_pages_link_hashed_names_that_are_cached_for_years(production_static, db):
    client = Client()
    page = client.get("/login/").content.decode()

    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any(re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url) for url in linked)
    assert any(re.fullmatch(r"/static/js/app\.[0-9a-f]{12}\.js", url) for url in linked)
    for url in linked:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url
        served = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert served.status_code == 200, url
        assert served.headers["Cache-Control"] == TEN_YEARS
        assert served.headers["Content-Encoding"] == "gzip"  # compressed once, at collectstatic
        served.close()


def test_a_name_without_its_hash_is_cached_briefly(production_static, db):
    served = Client().get("/static/css/app.css")
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "max-age=60, public"  # it may change
    served.close()
