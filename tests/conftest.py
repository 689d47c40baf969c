"""Fixtures shared by every layer: one emulator per test session (in a thread), reset to a
small fixed tenant before each test that asks for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from emulator import Emulator, EmulatorHTTPServer, serve_in_thread
from emulator.control_client import ControlClient
from tests.seeds import small_seed

EMULATOR_DOMAIN = "emulator.test"
AUDIENCE = f"https://{EMULATOR_DOMAIN}/api/v2/"
DEMO_CLIENT_ID = "adminportal-demo"
DEMO_CLIENT_SECRET = "demo-client-secret"


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorHTTPServer]:
    emulator = Emulator(
        domain=EMULATOR_DOMAIN, signing_key="test-signing-key-that-is-long-enough-for-hs256"
    )
    with serve_in_thread(emulator) as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorHTTPServer) -> ControlClient:
    """The running emulator's control API, reset to the small test tenant."""
    control = ControlClient(emulator_server.url)
    control.reset(seed=small_seed())
    return control


@pytest.fixture
def emulator_url(emulator_server: EmulatorHTTPServer, emulator: ControlClient) -> str:
    return emulator_server.url


@pytest.fixture
def api(emulator_url: str, emulator: ControlClient) -> Callable[..., requests.Response]:
    """Call the emulator's Management API with a token of the all-scopes demo client:
    api("GET", "/organizations", params=..., json=..., token=...)."""
    token = emulator.mint_token(DEMO_CLIENT_ID)
    session = requests.Session()

    def call(method: str, path: str, *, token: str | None = token, **kwargs: Any):
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", 10)
        return session.request(method, f"{emulator_url}/api/v2{path}", headers=headers, **kwargs)

    return call


@pytest.fixture
def auth0(settings, emulator_url: str, emulator: ControlClient, db) -> Iterator[ControlClient]:
    """Django settings pointed at the emulator (client credentials of the all-scopes demo
    client); yields the emulator's control API. The process's client is rebuilt per test."""
    from orgs.auth0_mgmt.config import _client_for

    settings.AUTH0_DOMAIN = EMULATOR_DOMAIN
    settings.AUTH0_BASE_URL = emulator_url
    settings.AUTH0_AUDIENCE = AUDIENCE
    settings.AUTH0_CLIENT_ID = DEMO_CLIENT_ID
    settings.AUTH0_CLIENT_SECRET = DEMO_CLIENT_SECRET
    settings.AUTH0_MGMT_API_TOKEN = ""
    _client_for.cache_clear()
    yield emulator
    _client_for.cache_clear()


# --- staff ---------------------------------------------------------------------------------------

StaffFactory = Callable[..., Any]


@pytest.fixture
def make_staff(db) -> StaffFactory:
    """make_staff(username, role="Admin", all_organizations=True, organization_ids=(),
    organization_rule="", auth0_user_id="", email="") -> a signed-up staff User."""
    from django.contrib.auth import get_user_model

    from orgs.models import StaffAccess
    from orgs.staff.access import set_role

    def make(
        username: str,
        role: str = "Admin",
        *,
        all_organizations: bool = True,
        organization_ids: tuple[str, ...] | list[str] = (),
        organization_rule: str = "",
        auth0_user_id: str = "",
        email: str = "",
        password: str | None = "staff-password-for-tests",  # None: SSO only
    ):
        user = get_user_model().objects.create_user(
            username=username, email=email or f"{username}@staff.example.com", password=password
        )
        set_role(user, role)
        StaffAccess.objects.create(
            user=user,
            all_organizations=all_organizations,
            organization_ids=list(organization_ids),
            organization_rule=organization_rule,
            auth0_user_id=auth0_user_id,
        )
        return user

    return make


@pytest.fixture
def admin_staff(make_staff: StaffFactory):
    return make_staff("admin")


@pytest.fixture
def client(db, admin_staff):  # noqa: ANN201 - overrides pytest-django's anonymous client
    """A Django test client signed in as an Admin who reaches every organization."""
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(admin_staff)
    return signed_in


@pytest.fixture
def anonymous_client(db):  # noqa: ANN201
    from django.test import Client

    return Client()


@pytest.fixture
def no_protected_roles(settings) -> None:
    """Ana is Acme's only org-owner in the test tenant: tests about other things remove her
    role freely with this; the protected-role guardrail has its own tests."""
    settings.PROTECTED_ROLES = []
