"""Settings come from the environment only; the database is the one DATABASE_URL names."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AUTH0_"))}


def settings_under(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, adminportal.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "('DEBUG', 'AUTH0_DOMAIN', 'AUTH0_BASE_URL', 'AUTH0_AUDIENCE', 'ALLOWED_HOSTS')}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "tests",  # no .env file there
        env={**CLEAN_ENV, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = settings_under({})
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_auth0_urls_derive_from_the_domain():
    result = settings_under({"DJANGO_SECRET_KEY": "k", "AUTH0_DOMAIN": "travel0.us.auth0.com"})
    values = json.loads(result.stdout)
    assert values["AUTH0_BASE_URL"] == "https://travel0.us.auth0.com"
    assert values["AUTH0_AUDIENCE"] == "https://travel0.us.auth0.com/api/v2/"
    assert values["DEBUG"] is False


def test_a_base_url_sends_requests_elsewhere_but_keeps_the_audience():
    result = settings_under(
        {
            "DJANGO_SECRET_KEY": "k",
            "AUTH0_DOMAIN": "emulator.local",
            "AUTH0_BASE_URL": "http://127.0.0.1:8765",
            "DJANGO_ALLOWED_HOSTS": "a.example.com,b.example.com",
        }
    )
    values = json.loads(result.stdout)
    assert values["AUTH0_BASE_URL"] == "http://127.0.0.1:8765"
    assert values["AUTH0_AUDIENCE"] == "https://emulator.local/api/v2/"
    assert values["ALLOWED_HOSTS"] == ["a.example.com", "b.example.com"]


@pytest.mark.django_db
def test_the_database_is_the_one_database_url_names():
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations")
        assert cursor.fetchone()[0] > 0


def test_behind_a_tls_proxy_forms_and_sso_see_https(settings, anonymous_client):
    """With DJANGO_BEHIND_TLS_PROXY, a request the proxy marks https is https to Django: the
    CSRF origin check accepts the https Origin, and SSO's callback URL is https."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["adminportal.example.com"]
    from django.test import Client

    browser = Client(enforce_csrf_checks=True, HTTP_HOST="adminportal.example.com")
    page = browser.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    token = page.cookies["csrftoken"].value
    response = browser.post(
        "/login/",
        {"username": "nobody", "password": "x", "csrfmiddlewaretoken": token},
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_ORIGIN="https://adminportal.example.com",
    )
    assert response.status_code == 200  # the form came back with its error, not a CSRF 403
    assert page.wsgi_request.is_secure()
