"""Settings, all read from the environment (a .env file beside manage.py is optional).

See .env.example for every variable. Nothing secret has a default outside DEBUG.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development).")
    SECRET_KEY = "insecure-development-key-only-used-when-DJANGO_DEBUG-is-true"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "orgs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "orgs.middleware.HtmxMessagesMiddleware",
]

ROOT_URLCONF = "adminportal.urls"
WSGI_APPLICATION = "adminportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The Management API token is cached here and shared by every worker process, so the cache
# must be shared too: the database by default (its table comes with the orgs migrations), or
# Redis/Memcached via CACHE_URL. Its atomic `add` is the lock that stops token stampedes.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://adminportal_cache")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- Auth0 Management API -------------------------------------------------------------------
# AUTH0_DOMAIN names the tenant (the audience is https://{AUTH0_DOMAIN}/api/v2/);
# AUTH0_BASE_URL is where requests really go (the emulator, e.g. http://127.0.0.1:8765).
AUTH0_DOMAIN = env.str("AUTH0_DOMAIN", default="")
AUTH0_BASE_URL = env.str("AUTH0_BASE_URL", default="") or (
    f"https://{AUTH0_DOMAIN}" if AUTH0_DOMAIN else ""
)
AUTH0_AUDIENCE = env.str("AUTH0_AUDIENCE", default="") or (
    f"https://{AUTH0_DOMAIN}/api/v2/" if AUTH0_DOMAIN else ""
)
AUTH0_CLIENT_ID = env.str("AUTH0_CLIENT_ID", default="")
AUTH0_CLIENT_SECRET = env.str("AUTH0_CLIENT_SECRET", default="")
AUTH0_MGMT_API_TOKEN = env.str("AUTH0_MGMT_API_TOKEN", default="")
# Seconds to wait for a connection and for an answer; a worker is never held longer.
AUTH0_TIMEOUT_CONNECT = env.float("AUTH0_TIMEOUT_CONNECT", default=3.05)
AUTH0_TIMEOUT_READ = env.float("AUTH0_TIMEOUT_READ", default=10.0)
# On a 429, retry once only if Auth0's bucket refills within this many seconds.
AUTH0_MAX_RATE_LIMIT_WAIT = env.float("AUTH0_MAX_RATE_LIMIT_WAIT", default=2.0)
# The cache (alias in CACHES) that holds the token for all worker processes.
AUTH0_TOKEN_CACHE = "default"
