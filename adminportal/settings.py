"""Settings, all read from the environment (a .env file beside manage.py is optional).

See .env.example for every variable. Nothing secret has a default outside DEBUG.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from adminportal.cache_url import cache_config

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
    "axes",
    "csp",
    "orgs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "orgs.middleware.StaffLoginRequiredMiddleware",
    "orgs.middleware.NoStoreMiddleware",
    "orgs.middleware.StaffPermissionsMiddleware",
    "orgs.middleware.HtmxMessagesMiddleware",
    "orgs.middleware.Auth0DeadlineMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orgs.context_processors.staff",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The Management API token, locks, rate limits and what was read from Auth0 are kept here and
# shared by every worker process and host, so the cache must be shared too: the database by
# default (its table comes with the orgs migrations), or Redis (redis://host:6379/1, Django's
# RedisCache; see adminportal/cache_url.py). Its atomic `add` is what the locks are made of.
CACHES = {
    "default": cache_config(env.str("CACHE_URL", default="") or "dbcache://adminportal_cache")
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English by default; Japanese for the support desks there. Each staff member may choose theirs
# (StaffAccess.language, the header's language menu); else the browser's Accept-Language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# `manage.py collectstatic` writes each file under a name holding a hash of its content (and
# compressed copies); pages link those names, which WhiteNoise serves with a cache lifetime of
# ten years ("immutable"). Wherever DEBUG is off, collectstatic must have run: a page linking a
# file the manifest does not name fails.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Database sessions, as Django's, read with one plain query per request (see orgs/sessions.py).
SESSION_ENGINE = "orgs.staff.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a proxy that terminates TLS (nginx, a load balancer) and sets X-Forwarded-Proto: without
# this Django takes requests for http, refuses every form (CSRF origin check) and SSO's callback.
# That one proxy also appends the client's address to X-Forwarded-For, which sign-in throttling
# counts failures by (orgs/client_address.py); without the setting, the peer's address.
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, requests and forms only from adminportal
# itself (no inline code, no eval); pictures only from adminportal and the avatar hosts below.
# A member's picture anywhere else is shown as their initial and never requested, so a planted
# `picture` cannot tell a third party who looked at it. Entries are https://host, or
# https://*.host for its subdomains.
AVATAR_HOSTS = [
    host.strip().rstrip("/").lower()
    for host in env.list(
        "ADMINPORTAL_AVATAR_HOSTS",
        default=["https://s.gravatar.com", "https://secure.gravatar.com", "https://cdn.auth0.com"],
    )
    if host.strip()
]
if bad_hosts := [h for h in AVATAR_HOSTS if not re.fullmatch(r"https://(\*\.)?[a-z0-9.-]+", h)]:
    raise ImproperlyConfigured(f"ADMINPORTAL_AVATAR_HOSTS: not an https://host entry: {bad_hosts}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *AVATAR_HOSTS],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

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
# All the Auth0 calls of one web request together never take longer than this (seconds); keep
# it under the web server's worker timeout.
AUTH0_REQUEST_BUDGET = env.float("AUTH0_REQUEST_BUDGET", default=20.0)
# On a 429, retry once only if Auth0's bucket refills within this many seconds.
AUTH0_MAX_RATE_LIMIT_WAIT = env.float("AUTH0_MAX_RATE_LIMIT_WAIT", default=2.0)
# The cache (alias in CACHES) that holds the token for all worker processes.
AUTH0_TOKEN_CACHE = "default"
# The organization catalogue (every organization, read 100 a call; searched by the list, and by
# the reach of staff limited to a metadata rule such as region=eu) is fresh for this many
# seconds; after that it is still served, for up to the second figure more, while one worker
# reads it again in the background. A new organization is found by search after about the
# first figure (by its exact name or id in "Go to" at once).
ADMINPORTAL_ORG_CATALOGUE_FRESH_SECONDS = env.int(
    "ADMINPORTAL_ORG_CATALOGUE_FRESH_SECONDS", default=120
)
ADMINPORTAL_ORG_CATALOGUE_STALE_SECONDS = env.int(
    "ADMINPORTAL_ORG_CATALOGUE_STALE_SECONDS", default=3600
)

# --- Staff sign-in -----------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=8 * 3600)

# Password sign-in is throttled (django-axes): after this many failures for a username from an
# address, that pair is locked out for the cool-off time.
AXES_FAILURE_LIMIT = env.int("ADMINPORTAL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMINPORTAL_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Single sign-on is throttled by the provider; its callbacks are not counted as password guesses.
AXES_WHITELIST_CALLABLE = "orgs.staff.sso.is_not_a_password_sign_in"
AXES_CLIENT_IP_CALLABLE = "orgs.staff.client_address.client_address"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Optional single sign-on (OpenID Connect; the Auth0 tenant itself by default). Enabled by
# OIDC_RP_CLIENT_ID; the endpoints default to Auth0's under OIDC_OP_BASE_URL.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_OP_BASE_URL = env.str("OIDC_OP_BASE_URL", default="").rstrip("/") or AUTH0_BASE_URL
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="") or (
    f"https://{AUTH0_DOMAIN}/" if AUTH0_DOMAIN else ""
)
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str(
    "OIDC_OP_AUTHORIZATION_ENDPOINT", default=f"{OIDC_OP_BASE_URL}/authorize"
)
OIDC_OP_TOKEN_ENDPOINT = env.str(
    "OIDC_OP_TOKEN_ENDPOINT", default=f"{OIDC_OP_BASE_URL}/oauth/token"
)
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default=f"{OIDC_OP_BASE_URL}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env.str(
    "OIDC_OP_JWKS_ENDPOINT", default=f"{OIDC_OP_BASE_URL}/.well-known/jwks.json"
)
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_TIMEOUT = 10
OIDC_REQUIRE_VERIFIED_EMAIL = env.bool("OIDC_REQUIRE_VERIFIED_EMAIL", default=True)
# True when the provider is the tenant adminportal manages: a staff member's subject is then
# their own Auth0 user, whose memberships and roles they may not change.
OIDC_PROVIDER_IS_TENANT = env.bool("OIDC_PROVIDER_IS_TENANT", default=True)
OIDC_STAFF_ROLE_CLAIM = env.str(
    "OIDC_STAFF_ROLE_CLAIM", default="https://adminportal.example.com/staff_role"
)
OIDC_ORGANIZATIONS_CLAIM = env.str(
    "OIDC_ORGANIZATIONS_CLAIM", default="https://adminportal.example.com/organizations"
)
OIDC_ORGANIZATION_RULE_CLAIM = env.str(
    "OIDC_ORGANIZATION_RULE_CLAIM", default="https://adminportal.example.com/organization_rule"
)
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
if SSO_ENABLED:
    AUTHENTICATION_BACKENDS.append("orgs.staff.sso.StaffOIDCBackend")

# --- Guardrails and audit ----------------------------------------------------------------------
# Roles that may not be taken from their last holder in an organization.
PROTECTED_ROLES = env.list("ADMINPORTAL_PROTECTED_ROLES", default=["org-owner"])
# Roles only Admins may assign.
ADMIN_ONLY_ROLES = env.list("ADMINPORTAL_ADMIN_ONLY_ROLES", default=["org-owner", "org-admin"])
# The roles that may be assigned in organizations: these names, and any name the pattern (a
# regular expression, any case) matches in full; names compared as people read them
# (orgs/roles.py). The tenant's other roles, such as tenant-wide ones, are neither offered nor
# assigned. The default is the demo tenant's organization roles: set them for a real tenant.
ORGANIZATION_ROLES = env.list(
    "ADMINPORTAL_ORGANIZATION_ROLES",
    default=[
        "org-owner",
        "org-admin",
        "support-agent",
        "billing-admin",
        "billing-viewer",
        "developer",
        "analyst",
        "auditor",
        "editor",
        "viewer",
    ],
)
ORGANIZATION_ROLE_PATTERN = env.str("ADMINPORTAL_ORGANIZATION_ROLE_PATTERN", default="")
try:
    re.compile(ORGANIZATION_ROLE_PATTERN)
except re.error as exc:
    raise ImproperlyConfigured(
        f"ADMINPORTAL_ORGANIZATION_ROLE_PATTERN is not a valid regular expression: {exc}"
    ) from None
# Whether destructive actions need a reason (e.g. a ticket id) in the audit trail.
REQUIRE_REASON = env.bool("ADMINPORTAL_REQUIRE_REASON", default=False)
