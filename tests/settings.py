"""Settings for the test suite: the real settings with test-only secrets and fast hashing.

DATABASE_URL still decides the database, so CI runs the suite on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from adminportal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files come from the finders, under their own names (no collectstatic in tests;
# tests/test_static_files.py collects them for the production storage).
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The live server (browser tests) speaks plain http.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# WhiteNoise indexes every static file for each new test client (~0.2 s each); tests get static
# files from Django's staticfiles (live server) instead.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
INSTALLED_APPS = [a for a in INSTALLED_APPS if not a.startswith("whitenoise.")]  # noqa: F405
ADMINPORTAL_BACKGROUND_INLINE = True  # background jobs (orgs.background) run at once in tests
