"""Sign-in with the emulated tenant: discovery, the login page, the authorization code flow,
RS256 ID tokens verifiable with the JWKS, and /userinfo."""

from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from tests.conftest import EMULATOR_DOMAIN
from tests.seeds import (
    ANA_PASSWORD,
    ORG_IDS,
    SSO_CLIENT_ID,
    SSO_CLIENT_SECRET,
    STAFF_ORGANIZATIONS_CLAIM,
    STAFF_ROLE_CLAIM,
    USER_IDS,
)

CALLBACK = "http://127.0.0.1:8000/oidc/callback/"


def authorize_params(**extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": SSO_CLIENT_ID,
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": "state-1",
        "nonce": "nonce-1",
        **extra,
    }


def sign_in(emulator_url: str, password: str = ANA_PASSWORD, **extra: str) -> requests.Response:
    form = {
        **authorize_params(**extra),
        "username": "ana.lee@acme.example.com",
        "password": password,
    }
    return requests.post(f"{emulator_url}/authorize", data=form, allow_redirects=False, timeout=5)


def exchange(emulator_url: str, code: str, **overrides: str) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": SSO_CLIENT_ID,
        "client_secret": SSO_CLIENT_SECRET,
        "code": code,
        "redirect_uri": CALLBACK,
        **overrides,
    }
    return requests.post(f"{emulator_url}/oauth/token", data=form, timeout=5)


def code_from(response: requests.Response) -> str:
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["state-1"]
    return query["code"][0]


def test_discovery_points_at_the_emulator_and_names_the_tenant_as_issuer(emulator_url, emulator):
    config = requests.get(f"{emulator_url}/.well-known/openid-configuration", timeout=5).json()
    assert config["issuer"] == f"https://{EMULATOR_DOMAIN}/"
    assert config["authorization_endpoint"] == f"{emulator_url}/authorize"
    assert config["jwks_uri"] == f"{emulator_url}/.well-known/jwks.json"
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]


def test_the_login_page_escapes_what_it_is_given(emulator_url, emulator):
    page = requests.get(
        f"{emulator_url}/authorize?" + urlencode(authorize_params(state='"><script>x</script>')),
        timeout=5,
    )
    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert "<script>x</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_the_code_flow_gives_an_rs256_id_token_with_custom_claims(emulator_url, emulator):
    tokens = exchange(emulator_url, code_from(sign_in(emulator_url))).json()

    jwks = jwt.PyJWKClient(f"{emulator_url}/.well-known/jwks.json")
    key = jwks.get_signing_key_from_jwt(tokens["id_token"])
    claims = jwt.decode(tokens["id_token"], key.key, algorithms=["RS256"], audience=SSO_CLIENT_ID)
    assert claims["iss"] == f"https://{EMULATOR_DOMAIN}/"
    assert claims["sub"] == USER_IDS["ana"]
    assert claims["nonce"] == "nonce-1"
    assert claims["email"] == "ana.lee@acme.example.com"
    assert claims[STAFF_ROLE_CLAIM] == "support"
    assert claims[STAFF_ORGANIZATIONS_CLAIM] == [ORG_IDS["globex"]]

    info = requests.get(
        f"{emulator_url}/userinfo",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=5,
    ).json()
    assert info["sub"] == USER_IDS["ana"]
    assert info[STAFF_ROLE_CLAIM] == "support"


def test_a_wrong_password_shows_the_form_again(emulator_url, emulator):
    response = sign_in(emulator_url, password="wrong")
    assert response.status_code == 401
    assert "Wrong email or password." in response.text


def test_a_code_works_once_and_only_for_its_redirect_uri(emulator_url, emulator):
    code = code_from(sign_in(emulator_url))
    wrong_uri = exchange(emulator_url, code, redirect_uri="http://127.0.0.1:9/elsewhere/")
    assert wrong_uri.status_code == 403
    second = code_from(sign_in(emulator_url))
    assert exchange(emulator_url, second).status_code == 200
    assert exchange(emulator_url, second).json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(emulator_url, emulator):
    response = exchange(emulator_url, code_from(sign_in(emulator_url)), client_secret="nope")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "extra",
    [{"client_id": "nobody"}, {"redirect_uri": "https://evil.example.com/callback"}],
)
def test_unknown_clients_and_foreign_redirects_are_refused(emulator_url, emulator, extra):
    response = requests.get(
        f"{emulator_url}/authorize?" + urlencode(authorize_params(**extra)), timeout=5
    )
    assert response.status_code == 400


def test_userinfo_needs_a_valid_token(emulator_url, emulator):
    response = requests.get(
        f"{emulator_url}/userinfo", headers={"Authorization": "Bearer x"}, timeout=5
    )
    assert response.status_code == 401
