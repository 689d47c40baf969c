"""Staff sign-in: every page needs it (htmx requests are sent to the login page as a whole page),
password sign-in is throttled by django-axes, and single sign-on (OpenID Connect) runs end to end
against the emulator: the Django test client plays the browser on adminportal's side, `requests`
plays it on the provider's login page, and adminportal's backend calls the token, JWKS and
userinfo endpoints of the emulator (in a thread on 127.0.0.1) for real."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import IntegrityError, transaction
from django.test import Client

from emulator.control_client import ControlClient
from orgs.models import StaffAccess
from orgs.staff.access import role_of
from tests.conftest import EMULATOR_DOMAIN
from tests.seeds import (
    ANA_PASSWORD,
    ORG_IDS,
    ROLE_IDS,
    SSO_CLIENT_ID,
    SSO_CLIENT_SECRET,
    STAFF_ORGANIZATIONS_CLAIM,
    STAFF_ROLE_CLAIM,
    USER_IDS,
    small_seed,
)
from tests.view_helpers import HX, hx_messages, members_of, one_message, text, toasts, writes

ACME, GLOBEX, INITECH = ORG_IDS["acme"], ORG_IDS["globex"], ORG_IDS["initech"]
ANA = USER_IDS["ana"]
ANA_EMAIL = "ana.lee@acme.example.com"
BEN_EMAIL = "ben.okafor@acme.example.com"
BEN_PASSWORD = "ben's password at the tenant"
STAFF_PASSWORD = "staff-password-for-tests"  # make_staff's default
CALLBACK = "http://testserver/oidc/callback/"
SSO_FAILED = "/login/?sso=failed"
SSO_FAILED_TEXT = "Single sign-on did not sign you in"


def next_of(response) -> str:
    """Where a redirect to the login page will send them back to."""
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/"
    query = dict(parse_qsl(location.query))
    assert query.keys() == {"next"}
    return query["next"]


def reaches(client: Client, org_id: str) -> bool:
    """Whether the organization's page opens; out of reach, it is treated as missing (a 404
    page saying there is no such organization, and nothing shown of it)."""
    response = client.get(f"/organizations/{org_id}/")
    if response.status_code == 200:
        return True
    assert response.status_code == 404
    assert "There is no organization" in response.content.decode()
    return False


def signed_in_user(client: Client) -> Any:
    """The user the client's session is signed in as, or None."""
    user_id = client.session.get(SESSION_KEY)
    return get_user_model().objects.get(pk=user_id) if user_id else None


# --- every page needs sign-in ------------------------------------------------------------------

MEMBER = "auth0%7Cben0000000000000000000001"
# Every route of the dashboard (orgs.urls), with one address each.
DASHBOARD = {
    "home": "/",
    "organization_list": "/organizations/",
    "organization_jump": "/organizations/jump/?q=acme",
    "organization_detail": f"/organizations/{ACME}/?per_page=10",
    "members_remove": f"/organizations/{ACME}/members/remove/?user={MEMBER}",
    "member_role_remove": f"/organizations/{ACME}/members/{MEMBER}/roles/remove/?role=x",
    "member_remove": f"/organizations/{ACME}/members/{MEMBER}/remove/",
    "member_detail": f"/organizations/{ACME}/members/{MEMBER}/",
    "organization_activity": f"/organizations/{ACME}/activity/",
    "role_holders": f"/organizations/{ACME}/roles/?role=rol_x",
    "members_restore": f"/organizations/{ACME}/activity/1/restore/",
    "activity": "/activity/",
    "language": "/language/",
    "staff_list": "/staff/",
    "staff_create": "/staff/new/",
    "staff_edit": "/staff/1/",
    "user_role_remove": f"/users/{MEMBER}/roles/remove/?role=x",
    "user_roles": f"/users/{MEMBER}/roles/",
    "user_list": "/users/?q=ben",
}


def test_the_table_of_pages_names_every_dashboard_route():
    from orgs.urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == set(DASHBOARD)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(DASHBOARD))
def test_every_dashboard_page_sends_the_anonymous_to_the_login_page(
    auth0, anonymous_client, name, method
):
    address = DASHBOARD[name]

    response = getattr(anonymous_client, method)(address)

    assert next_of(response) == address
    assert auth0.api_requests() == []  # nothing was read from Auth0, let alone changed


def test_the_admin_site_also_needs_sign_in(anonymous_client):
    response = anonymous_client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_an_htmx_request_without_a_session_navigates_the_whole_page_to_the_login_page(
    auth0, anonymous_client
):
    response = anonymous_client.get(
        f"/organizations/{GLOBEX}/members/auth0%7Cchl0000000000000000000001/",
        headers={**HX, "HX-Current-URL": f"http://testserver/organizations/{GLOBEX}/?per_page=10"},
    )

    assert response.status_code == 401
    assert response["HX-Redirect"] == (
        f"/login/?next=%2Forganizations%2F{GLOBEX}%2F%3Fper_page%3D10"
    )
    assert response.content == b""  # no login form swapped into a table
    assert "HX-Trigger" not in response
    assert auth0.api_requests() == []


def test_an_htmx_request_without_a_current_url_comes_back_to_the_dashboard(anonymous_client):
    response = anonymous_client.post(f"/organizations/{ACME}/members/remove/", headers=HX)

    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login/?next=%2F"
    assert response.content == b""


def test_the_login_page_and_static_files_need_no_session(anonymous_client, settings):
    # Production serves static files with WhiteNoise (the test settings leave it out).
    settings.MIDDLEWARE = ["whitenoise.middleware.WhiteNoiseMiddleware", *settings.MIDDLEWARE]
    login = anonymous_client.get("/login/")
    assert login.status_code == 200
    assert 'name="password"' in text(login)

    for path in ("/static/css/app.css", "/static/js/app.js"):
        response = anonymous_client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content)  # the file itself, not a redirect


def test_signing_in_with_the_form_lands_on_the_page_asked_for(auth0, anonymous_client, make_staff):
    make_staff("sam", role="Viewer", all_organizations=False, organization_ids=[GLOBEX])
    wanted = f"/organizations/{GLOBEX}/?per_page=10"
    login_url = anonymous_client.get(wanted)["Location"]

    form = anonymous_client.get(login_url)
    assert f'name="next" value="{html.escape(wanted)}"' in text(form)

    response = anonymous_client.post(
        "/login/", {"username": "sam", "password": STAFF_PASSWORD, "next": wanted}
    )

    assert response.status_code == 302
    assert response["Location"] == wanted
    assert anonymous_client.get(wanted).status_code == 200
    # Signed in, the login page itself sends them on.
    assert anonymous_client.get("/login/")["Location"] == "/"


def test_the_login_form_does_not_send_anyone_to_another_site(anonymous_client, make_staff):
    make_staff("sam")

    response = anonymous_client.post(
        "/login/",
        {"username": "sam", "password": STAFF_PASSWORD, "next": "https://evil.example.com/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_shows_the_form_again_and_signs_nobody_in(anonymous_client, make_staff):
    make_staff("sam")

    response = anonymous_client.post("/login/", {"username": "sam", "password": "nope"})

    assert response.status_code == 200
    assert 'role="alert"' in text(response)
    assert "Please enter a correct username and password" in text(response)
    assert signed_in_user(anonymous_client) is None


def test_logout_is_post_only_and_ends_the_session(auth0, client):
    assert client.get("/organizations/").status_code == 200

    refused = client.get("/logout/")
    assert refused.status_code == 405
    assert client.get("/organizations/").status_code == 200  # still signed in

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert signed_in_user(client) is None
    assert next_of(client.get("/organizations/")) == "/organizations/"


# --- password sign-in is throttled -----------------------------------------------------------


@pytest.fixture
def throttle(settings, db) -> None:
    """Lock a username+address out after three failures. Attempts live in the database (the
    default handler), which is rolled back after each test: none are left from another."""
    settings.AXES_FAILURE_LIMIT = 3
    assert isinstance(AxesProxyHandler.get_implementation(), AxesDatabaseHandler)
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()


def sign_in(client: Client, username: str, password: str, **extra: str):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def is_locked_out_page(response) -> bool:
    return response.status_code == 429 and "Too many failed sign-ins" in text(response)


def test_three_wrong_passwords_lock_that_username_out_from_that_address(
    throttle, anonymous_client, make_staff
):
    make_staff("sam")

    for _ in range(2):
        response = sign_in(anonymous_client, "sam", "wrong")
        assert response.status_code == 200 and 'name="password"' in text(response)
    third = sign_in(anonymous_client, "sam", "wrong")
    fourth = sign_in(anonymous_client, "sam", STAFF_PASSWORD)  # the right one, too late

    for response in (third, fourth):
        assert is_locked_out_page(response)
        assert "paused after 3 failed attempts" in text(response)
        assert "Try again in 15 minutes" in text(response)
    assert signed_in_user(anonymous_client) is None
    assert AccessAttempt.objects.get().username == "sam"


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(45, "Try again in 45 minutes"), (1, "Try again in 1 minute, or ask")],  # 1: singular
)
def test_the_lockout_page_names_the_configured_cool_off(
    throttle, settings, anonymous_client, minutes, said
):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=minutes)

    for _ in range(3):
        response = sign_in(anonymous_client, "sam", "wrong")

    assert is_locked_out_page(response)
    assert said in text(response)


def test_a_locked_out_username_does_not_lock_out_others_from_the_same_address(
    throttle, anonymous_client, make_staff
):
    make_staff("sam")
    make_staff("kim")
    for _ in range(3):
        sign_in(anonymous_client, "sam", "wrong")

    response = sign_in(anonymous_client, "kim", STAFF_PASSWORD)

    assert response.status_code == 302
    assert signed_in_user(anonymous_client).username == "kim"


def test_the_same_username_from_another_address_is_not_locked_out(
    throttle, anonymous_client, make_staff
):
    make_staff("sam")
    for _ in range(3):
        sign_in(anonymous_client, "sam", "wrong")

    response = sign_in(anonymous_client, "sam", STAFF_PASSWORD, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302
    assert signed_in_user(anonymous_client).username == "sam"


def test_signing_in_before_the_limit_starts_the_count_again(throttle, anonymous_client, make_staff):
    make_staff("sam")
    for _ in range(2):
        sign_in(anonymous_client, "sam", "wrong")

    assert sign_in(anonymous_client, "sam", STAFF_PASSWORD).status_code == 302
    anonymous_client.post("/logout/")
    for _ in range(2):
        response = sign_in(anonymous_client, "sam", "wrong")
        assert response.status_code == 200  # two more failures: not locked out

    assert sign_in(anonymous_client, "sam", STAFF_PASSWORD).status_code == 302
    assert signed_in_user(anonymous_client).username == "sam"


# --- single sign-on against the emulator ------------------------------------------------------


def tenant_seed(*, ana_claims: dict[str, Any] | None = None, ana_verified: bool = True):
    """The small test tenant, its SSO client allowing adminportal's test callback, and Ben able
    to sign in at the tenant (password BEN_PASSWORD, no claims). Ana's custom claims may be
    replaced (ana_claims) and her e-mail address left unverified."""
    seed = small_seed()
    for spec in seed["clients"]:
        if spec["client_id"] == SSO_CLIENT_ID:
            spec["callbacks"] = [CALLBACK]
    for spec in seed["users"]:
        if spec["user_id"] == USER_IDS["ben"]:
            spec["password"] = BEN_PASSWORD
        if spec["user_id"] == ANA:
            spec["email_verified"] = ana_verified
            if ana_claims is not None:
                spec["claims"] = ana_claims
    return seed


def enable_sso(settings: Any, emulator_url: str) -> None:
    """Single sign-on enabled (as OIDC_RP_CLIENT_ID does at startup), with the emulated tenant as
    the provider."""
    settings.SSO_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = SSO_CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = SSO_CLIENT_SECRET
    settings.OIDC_OP_ISSUER = f"https://{EMULATOR_DOMAIN}/"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{emulator_url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{emulator_url}/oauth/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{emulator_url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{emulator_url}/.well-known/jwks.json"
    settings.OIDC_STAFF_ROLE_CLAIM = STAFF_ROLE_CLAIM
    settings.OIDC_ORGANIZATIONS_CLAIM = STAFF_ORGANIZATIONS_CLAIM
    settings.OIDC_REQUIRE_VERIFIED_EMAIL = True
    settings.OIDC_PROVIDER_IS_TENANT = True
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        "orgs.staff.sso.StaffOIDCBackend",
    ]


@pytest.fixture
def sso(settings, auth0: ControlClient, emulator_url: str) -> ControlClient:
    """Single sign-on against the emulator, whose SSO client allows the test client's
    callback."""
    enable_sso(settings, emulator_url)
    auth0.load_seed(tenant_seed())
    return auth0


HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def start(client: Client, next_url: str | None = None) -> dict[str, str]:
    """Sign-in with single sign-on, as the login page's button starts it: the parameters of
    the redirect to the provider."""
    address = "/oidc/authenticate/" + (f"?{urlencode({'next': next_url})}" if next_url else "")
    response = client.get(address)
    assert response.status_code == 302
    return dict(parse_qsl(urlsplit(response["Location"]).query))


def log_in_at_provider(
    emulator_url: str, params: dict[str, str], email: str, password: str
) -> requests.Response:
    """The provider's login page, filled in and submitted (its redirect not followed)."""
    page = requests.get(f"{emulator_url}/authorize", params=params, timeout=5)
    assert page.status_code == 200
    hidden = {html.unescape(k): html.unescape(v) for k, v in HIDDEN.findall(page.text)}
    assert hidden == params  # what the form carries back is what adminportal sent
    form = {**hidden, "username": email, "password": password}
    return requests.post(f"{emulator_url}/authorize", data=form, allow_redirects=False, timeout=5)


def come_back(client: Client, provider_answer: requests.Response):
    """Follow the provider's redirect to adminportal's callback."""
    assert provider_answer.status_code == 302
    location = urlsplit(provider_answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return client.get(f"{location.path}?{location.query}")


SignIn = Callable[..., Any]


@pytest.fixture
def sso_sign_in(sso: ControlClient, emulator_url: str) -> SignIn:
    """sso_sign_in(client, email=ANA_EMAIL, password=ANA_PASSWORD, next_url=None) → the
    callback's answer."""

    def sign_in(
        client: Client,
        email: str = ANA_EMAIL,
        password: str = ANA_PASSWORD,
        next_url: str | None = None,
    ):
        params = start(client, next_url)
        return come_back(client, log_in_at_provider(emulator_url, params, email, password))

    return sign_in


def test_the_login_page_offers_single_sign_on_only_when_it_is_enabled(
    sso, settings, anonymous_client
):
    page = text(anonymous_client.get("/login/?next=/activity/"))
    assert "Sign in with single sign-on" in page
    assert 'href="/oidc/authenticate/?next=/activity/"' in page

    settings.SSO_ENABLED = False
    assert "single sign-on" not in text(anonymous_client.get("/login/"))


def test_the_single_sign_on_endpoints_need_no_session(sso, emulator_url, anonymous_client):
    begin = anonymous_client.get("/oidc/authenticate/")
    callback = anonymous_client.get("/oidc/callback/")  # no code: not signed in, no login loop

    assert begin.status_code == 302
    assert begin["Location"].startswith(f"{emulator_url}/authorize?")
    assert callback.status_code == 302
    assert callback["Location"] == SSO_FAILED


def test_single_sign_on_starts_at_the_providers_authorize_endpoint(
    sso, emulator_url, anonymous_client
):
    response = anonymous_client.get("/oidc/authenticate/?next=/activity/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{emulator_url}/authorize"
    params = dict(parse_qsl(location.query))
    assert params.keys() == {
        "response_type",
        "scope",
        "client_id",
        "redirect_uri",
        "state",
        "nonce",
    }
    assert params["response_type"] == "code"
    assert params["client_id"] == SSO_CLIENT_ID
    assert params["redirect_uri"] == CALLBACK
    assert params["scope"].split() == ["openid", "email", "profile"]
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    # The session remembers them for the callback, and where to go afterwards.
    session = anonymous_client.session
    assert session["oidc_states"][params["state"]]["nonce"] == params["nonce"]
    assert session["oidc_login_next"] == "/activity/"
    # Each start gets its own state and nonce.
    again = start(anonymous_client)
    assert again["state"] != params["state"] and again["nonce"] != params["nonce"]


def test_single_sign_on_creates_the_staff_member_from_the_tenants_claims(
    sso_sign_in, anonymous_client
):
    response = sso_sign_in(anonymous_client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = signed_in_user(anonymous_client)
    assert user is not None
    assert anonymous_client.session["_auth_user_backend"] == "orgs.staff.sso.StaffOIDCBackend"
    assert user.email == ANA_EMAIL
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Support"]
    assert role_of(user) == "Support"
    access = StaffAccess.objects.get(user=user)
    assert access.organization_ids == [GLOBEX]
    assert not access.all_organizations
    assert access.oidc_subject == ANA
    assert access.auth0_user_id == ANA

    dashboard = anonymous_client.get("/organizations/")
    assert dashboard.status_code == 200
    assert GLOBEX in text(dashboard)
    assert ACME not in text(dashboard) and "Acme Corporation" not in text(dashboard)
    assert reaches(anonymous_client, GLOBEX)
    assert not reaches(anonymous_client, ACME)


def test_single_sign_on_lands_on_the_page_asked_for(sso_sign_in, anonymous_client):
    wanted = f"/organizations/{GLOBEX}/?per_page=10"
    next_url = next_of(anonymous_client.get(wanted))

    response = sso_sign_in(anonymous_client, next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == wanted
    assert anonymous_client.get(wanted).status_code == 200


def test_single_sign_on_does_not_send_anyone_to_another_site(sso_sign_in, anonymous_client):
    response = sso_sign_in(anonymous_client, next_url="https://evil.example.com/")

    assert response["Location"] == "/"
    assert signed_in_user(anonymous_client) is not None


def test_the_next_sign_in_reuses_the_account(sso_sign_in, anonymous_client):
    sso_sign_in(anonymous_client)
    first = signed_in_user(anonymous_client)
    anonymous_client.post("/logout/")

    sso_sign_in(anonymous_client)

    assert signed_in_user(anonymous_client) == first
    assert get_user_model().objects.filter(email=ANA_EMAIL).count() == 1


def test_someone_without_a_staff_role_claim_is_refused_and_no_account_is_created(
    sso_sign_in, anonymous_client
):
    users_before = get_user_model().objects.count()

    response = sso_sign_in(anonymous_client, BEN_EMAIL, BEN_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == SSO_FAILED
    assert signed_in_user(anonymous_client) is None
    assert get_user_model().objects.count() == users_before
    assert not get_user_model().objects.filter(email=BEN_EMAIL).exists()
    page = anonymous_client.get(response["Location"])
    assert page.status_code == 200
    assert SSO_FAILED_TEXT in text(page)
    assert "no staff role yet" in text(page)
    assert anonymous_client.get("/organizations/").status_code == 302


def test_refused_single_sign_ons_do_not_lock_anyone_out(
    throttle, sso_sign_in, anonymous_client, make_staff
):
    """Regression: axes counted every refused SSO callback as a failure of a blank username at
    that address, so a few refusals (people without a role yet) locked everyone behind the same
    address out of single sign-on, with a "too many failed sign-ins" page."""
    make_staff("sam")
    for _ in range(4):
        refused = sso_sign_in(anonymous_client, BEN_EMAIL, BEN_PASSWORD)
        assert refused["Location"] == SSO_FAILED

    response = sso_sign_in(anonymous_client)

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user(anonymous_client).email == ANA_EMAIL
    assert not AccessAttempt.objects.exists()
    # Password sign-in is still throttled as before.
    anonymous_client.post("/logout/")
    for _ in range(3):
        locked = sign_in(anonymous_client, "sam", "wrong")
    assert is_locked_out_page(locked)


def test_an_account_prepared_for_single_sign_on_is_linked_by_e_mail_and_keeps_its_role(
    sso, sso_sign_in, make_staff, anonymous_client
):
    sso.load_seed(tenant_seed(ana_claims={}))  # no role and no organizations claims
    existing = make_staff(  # no password: created with --sso-only or on the Staff page
        "ana",
        role="Viewer",
        all_organizations=False,
        organization_ids=[INITECH],
        email=ANA_EMAIL.upper(),
        password=None,
    )
    users_before = get_user_model().objects.count()

    response = sso_sign_in(anonymous_client)

    assert response["Location"] == "/"
    assert signed_in_user(anonymous_client) == existing
    assert get_user_model().objects.count() == users_before
    access = StaffAccess.objects.get(user=existing)
    assert access.oidc_subject == ANA
    assert access.auth0_user_id == ANA
    assert access.organization_ids == [INITECH] and not access.all_organizations
    assert role_of(existing) == "Viewer"
    assert not existing.has_usable_password()


def make_password_account(make_staff: Any) -> Any:
    return make_staff("ana", role="Admin", email=ANA_EMAIL)


def make_superuser(make_staff: Any) -> Any:
    user = make_staff("ana", role="Admin", email=ANA_EMAIL, password=None)
    user.is_superuser = True
    user.save()
    return user


def make_django_admin_user(make_staff: Any) -> Any:
    user = make_staff("ana", role="Admin", email=ANA_EMAIL, password=None)
    user.is_staff = True
    user.save()
    return user


@pytest.mark.parametrize("role_claim", [False, True])
@pytest.mark.parametrize(
    "make_account", [make_password_account, make_superuser, make_django_admin_user]
)
def test_an_account_with_a_password_or_privileges_is_never_linked_by_e_mail(
    make_account, role_claim, sso, sso_sign_in, make_staff, anonymous_client
):
    """Regression: any tenant user with a verified e-mail address equal to a staff member's
    (the provider is the managed tenant: customers too) signed in as that staff member, Admins
    and superusers included."""
    if not role_claim:
        sso.load_seed(tenant_seed(ana_claims={}))
    existing = make_account(make_staff)

    response = sso_sign_in(anonymous_client)

    signed_in = signed_in_user(anonymous_client)
    if role_claim:  # the tenant makes her staff: a separate account, not the existing one
        assert response["Location"] == "/"
        assert signed_in != existing and role_of(signed_in) == "Support"
        assert StaffAccess.objects.get(user=signed_in).oidc_subject == ANA
    else:
        assert response["Location"] == SSO_FAILED
        assert signed_in is None
    existing.refresh_from_db()
    assert StaffAccess.objects.get(user=existing).oidc_subject == ""
    assert role_of(existing) == "Admin"


def test_an_e_mail_address_prepared_twice_links_neither_account(
    sso, sso_sign_in, make_staff, anonymous_client
):
    sso.load_seed(tenant_seed(ana_claims={}))
    make_staff("ana", email=ANA_EMAIL, password=None)
    make_staff("ana2", email=ANA_EMAIL.upper(), password=None)

    response = sso_sign_in(anonymous_client)

    assert response["Location"] == SSO_FAILED
    assert not StaffAccess.objects.filter(oidc_subject=ANA).exists()


DEACTIVATED_TEXT = "your adminportal account is deactivated"


def deactivate(user: Any) -> None:
    user.is_active = False
    user.save()


def test_a_deactivated_staff_member_cannot_sign_in_with_sso_again(
    sso, sso_sign_in, anonymous_client
):
    """Regression: deactivated accounts were not matched, so the next sign-in created a fresh
    active account from the claims."""
    sso_sign_in(anonymous_client)
    user = signed_in_user(anonymous_client)
    anonymous_client.post("/logout/")
    deactivate(user)
    users_before = get_user_model().objects.count()

    response = sso_sign_in(anonymous_client)

    assert response.status_code == 302 and response["Location"] == SSO_FAILED
    assert signed_in_user(anonymous_client) is None
    assert get_user_model().objects.count() == users_before
    user.refresh_from_db()
    assert not user.is_active
    page = anonymous_client.get(response["Location"])
    tags, message = one_message(toasts(page))
    assert tags == "error" and DEACTIVATED_TEXT in message


def test_a_deactivated_account_prepared_for_sso_is_not_replaced_by_a_new_one(
    sso, sso_sign_in, make_staff, anonymous_client
):
    prepared = make_staff("ana", role="Viewer", email=ANA_EMAIL, password=None)
    deactivate(prepared)

    response = sso_sign_in(anonymous_client)  # her claims carry a role

    assert response["Location"] == SSO_FAILED
    assert signed_in_user(anonymous_client) is None
    assert list(get_user_model().objects.filter(email__iexact=ANA_EMAIL)) == [prepared]
    assert StaffAccess.objects.get(user=prepared).oidc_subject == ""
    assert DEACTIVATED_TEXT in text(anonymous_client.get(response["Location"]))


def test_deactivating_ends_an_open_single_sign_on_session(sso, sso_sign_in, anonymous_client):
    sso_sign_in(anonymous_client)
    assert anonymous_client.get("/organizations/").status_code == 200

    deactivate(signed_in_user(anonymous_client))

    assert next_of(anonymous_client.get("/organizations/")) == "/organizations/"


def test_one_subject_links_one_account_at_most(make_staff):
    first = StaffAccess.objects.get(user=make_staff("ana"))
    second = StaffAccess.objects.get(user=make_staff("ana2"))
    assert first.oidc_subject == second.oidc_subject == ""  # unlinked accounts are many
    first.oidc_subject = ANA
    first.save()

    second.oidc_subject = ANA
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_an_account_linked_to_another_subject_is_not_taken_over_by_e_mail(
    sso, sso_sign_in, make_staff, anonymous_client
):
    sso.load_seed(tenant_seed(ana_claims={}))
    someone = make_staff("ana", role="Admin", email=ANA_EMAIL)
    StaffAccess.objects.filter(user=someone).update(oidc_subject="google-oauth2|someone-else")

    response = sso_sign_in(anonymous_client)

    assert response["Location"] == SSO_FAILED  # no role claim, so no new account either
    assert signed_in_user(anonymous_client) is None
    assert StaffAccess.objects.get(user=someone).oidc_subject == "google-oauth2|someone-else"


def test_a_later_sign_in_brings_the_role_and_reach_up_to_date(sso, sso_sign_in, anonymous_client):
    sso_sign_in(anonymous_client)
    user = signed_in_user(anonymous_client)
    assert role_of(user) == "Support"
    anonymous_client.post("/logout/")
    sso.load_seed(
        tenant_seed(
            ana_claims={STAFF_ROLE_CLAIM: "Viewer", STAFF_ORGANIZATIONS_CLAIM: [ACME, INITECH]}
        )
    )

    sso_sign_in(anonymous_client)

    assert signed_in_user(anonymous_client) == user
    assert list(user.groups.values_list("name", flat=True)) == ["Viewer"]
    access = StaffAccess.objects.get(user=user)
    assert access.organization_ids == [ACME, INITECH] and not access.all_organizations
    assert not reaches(anonymous_client, GLOBEX)
    assert reaches(anonymous_client, ACME)

    anonymous_client.post("/logout/")
    sso.load_seed(
        tenant_seed(ana_claims={STAFF_ROLE_CLAIM: "admin", STAFF_ORGANIZATIONS_CLAIM: ["*"]})
    )
    sso_sign_in(anonymous_client)

    assert role_of(user) == "Admin"
    access.refresh_from_db()
    assert access.all_organizations and access.organization_ids == []


def public_key_pem_of_another_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def wrong_client_secret(settings, client: Client) -> None:
    settings.OIDC_RP_CLIENT_SECRET = "not-the-sso-client-secret"


def another_issuer(settings, client: Client) -> None:
    settings.OIDC_OP_ISSUER = "https://another-tenant.example.com/"


def another_signing_key(settings, client: Client) -> None:
    settings.OIDC_RP_IDP_SIGN_KEY = public_key_pem_of_another_key()


def another_nonce(settings, client: Client) -> None:
    session = client.session
    for state in session["oidc_states"].values():
        state["nonce"] = "a-nonce-adminportal-never-sent"
    session.save()


def provider_down(settings, client: Client) -> None:
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/oauth/token"


def no_issuer_configured(settings, client: Client) -> None:
    settings.OIDC_OP_ISSUER = ""  # regression: the issuer check was skipped


@pytest.mark.parametrize(
    "spoil",
    [
        wrong_client_secret,
        another_issuer,
        no_issuer_configured,
        another_signing_key,
        another_nonce,
        provider_down,
    ],
)
def test_a_sign_in_whose_tokens_cannot_be_trusted_signs_nobody_in(
    spoil, settings, sso, emulator_url, anonymous_client
):
    """Regression: these answered 500 (token endpoint errors, provider down) or 400 (an ID
    token failing verification) instead of the login page."""
    params = start(anonymous_client)
    provider_answer = log_in_at_provider(emulator_url, params, ANA_EMAIL, ANA_PASSWORD)
    spoil(settings, anonymous_client)

    response = come_back(anonymous_client, provider_answer)

    assert response.status_code == 302
    assert response["Location"] == SSO_FAILED
    assert signed_in_user(anonymous_client) is None
    assert not get_user_model().objects.filter(email=ANA_EMAIL).exists()
    assert SSO_FAILED_TEXT in text(anonymous_client.get(response["Location"]))


def test_an_authorization_code_signs_in_once(sso, emulator_url, anonymous_client):
    params = start(anonymous_client)
    provider_answer = log_in_at_provider(emulator_url, params, ANA_EMAIL, ANA_PASSWORD)
    code = dict(parse_qsl(urlsplit(provider_answer.headers["location"]).query))["code"]
    assert come_back(anonymous_client, provider_answer)["Location"] == "/"
    anonymous_client.post("/logout/")

    # The same code with a fresh state: the provider refuses it the second time.
    fresh = start(anonymous_client)
    replayed = anonymous_client.get(
        "/oidc/callback/?" + urlencode({"code": code, "state": fresh["state"]})
    )

    assert replayed.status_code == 302 and replayed["Location"] == SSO_FAILED
    assert signed_in_user(anonymous_client) is None


def test_a_callback_with_a_state_adminportal_never_sent_is_refused(
    sso, emulator_url, anonymous_client
):
    params = start(anonymous_client)
    provider_answer = log_in_at_provider(
        emulator_url, {**params, "state": "forged-state"}, ANA_EMAIL, ANA_PASSWORD
    )

    response = come_back(anonymous_client, provider_answer)

    assert response.status_code == 400
    assert signed_in_user(anonymous_client) is None
    assert params["state"] in anonymous_client.session["oidc_states"]  # still usable


def test_a_cancelled_sign_in_at_the_provider_signs_nobody_in(sso, anonymous_client):
    params = start(anonymous_client)

    response = anonymous_client.get(
        "/oidc/callback/?" + urlencode({"error": "access_denied", "state": params["state"]})
    )

    assert response["Location"] == SSO_FAILED
    assert params["state"] not in anonymous_client.session["oidc_states"]
    assert signed_in_user(anonymous_client) is None


@pytest.mark.parametrize("required", [True, False])
def test_an_unverified_e_mail_address_is_refused_when_verification_is_required(
    required, settings, sso, sso_sign_in, anonymous_client
):
    settings.OIDC_REQUIRE_VERIFIED_EMAIL = required
    sso.load_seed(tenant_seed(ana_verified=False))

    response = sso_sign_in(anonymous_client)

    if required:
        assert response["Location"] == SSO_FAILED
        assert signed_in_user(anonymous_client) is None
        assert not get_user_model().objects.filter(email=ANA_EMAIL).exists()
    else:
        assert response["Location"] == "/"
        assert signed_in_user(anonymous_client).email == ANA_EMAIL


def test_staff_signed_in_with_sso_cannot_change_their_own_auth0_user(
    sso, sso_sign_in, anonymous_client
):
    sso_sign_in(anonymous_client)
    user = signed_in_user(anonymous_client)
    # Another e-mail address at adminportal: only the linked Auth0 user id can tell it is her.
    user.email = "ana@staff.example.com"
    user.save()
    sso.clear_requests()

    remove = anonymous_client.post(f"/organizations/{GLOBEX}/members/{ANA}/remove/", headers=HX)
    remove_role = anonymous_client.post(
        f"/organizations/{GLOBEX}/members/{ANA}/roles/remove/",
        {"role": ROLE_IDS["viewer"]},
        headers=HX,
    )
    plain = anonymous_client.post(f"/organizations/{GLOBEX}/members/{ANA}/remove/")

    for response in (remove, remove_role):
        assert response.status_code == 403
        tags, message = one_message(hx_messages(response))
        assert tags == "warning" and "Ana Lee is your own Auth0 user" in message
    assert plain.status_code == 302
    tags, message = one_message(toasts(anonymous_client.get(plain["Location"])))
    assert "Ana Lee is your own Auth0 user" in message
    assert writes(sso) == []
    assert members_of(sso, GLOBEX)[ANA] == {ROLE_IDS["viewer"]}


def test_the_sso_endpoints_do_not_exist_while_sso_is_off(anonymous_client, settings):
    settings.SSO_ENABLED = False
    assert anonymous_client.get("/oidc/authenticate/").status_code == 404
    assert anonymous_client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "single sign-on" not in anonymous_client.get("/login/").content.decode().lower()


def test_enabling_sso_without_an_issuer_fails_the_system_checks(settings):
    from orgs.checks import sso_needs_an_issuer

    settings.SSO_ENABLED = True
    settings.OIDC_OP_ISSUER = ""

    assert [error.id for error in sso_needs_an_issuer()] == ["orgs.E001"]
    with pytest.raises(SystemCheckError, match="orgs.E001"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())

    settings.OIDC_OP_ISSUER = f"https://{EMULATOR_DOMAIN}/"
    assert sso_needs_an_issuer() == []
    settings.SSO_ENABLED = False
    settings.OIDC_OP_ISSUER = ""
    assert sso_needs_an_issuer() == []  # no SSO, no issuer needed
