"""The token endpoint and the three kinds of 401, plus 403 insufficient_scope."""

import jwt
import requests

from tests.conftest import AUDIENCE, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.seeds import ORG_IDS


def token_request(emulator_url: str, **overrides: str) -> requests.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
        "audience": AUDIENCE,
        **overrides,
    }
    return requests.post(f"{emulator_url}/oauth/token", data=form, timeout=5)


def test_client_credentials_form_body_returns_a_jwt_with_the_clients_scopes(emulator_url):
    response = token_request(emulator_url)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "scope", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == AUDIENCE
    assert claims["sub"] == f"{DEMO_CLIENT_ID}@clients"
    assert "delete:organization_members" in claims["scope"].split()
    assert claims["scope"] == body["scope"]


def test_client_credentials_json_body_is_accepted(emulator_url):
    response = requests.post(
        f"{emulator_url}/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": "adminportal-readonly",
            "client_secret": "demo-readonly-secret",
            "audience": AUDIENCE,
        },
        timeout=5,
    )
    assert response.status_code == 200
    assert "delete:organization_members" not in response.json()["scope"]


def test_wrong_secret_unknown_client_and_wrong_audience_are_refused(emulator_url):
    wrong_secret = token_request(emulator_url, client_secret="nope")
    unknown_client = token_request(emulator_url, client_id="nobody")
    wrong_audience = token_request(emulator_url, audience="https://elsewhere/api/v2/")
    wrong_grant = token_request(emulator_url, grant_type="password")

    assert wrong_secret.status_code == 401
    assert wrong_secret.json() == {"error": "access_denied", "error_description": "Unauthorized"}
    assert unknown_client.status_code == 401
    assert wrong_audience.status_code == 403
    assert (
        wrong_audience.json()["error_description"] == "Service not found: https://elsewhere/api/v2/"
    )
    assert wrong_grant.status_code == 403
    assert wrong_grant.json()["error"] == "unauthorized_client"


def test_a_token_from_the_endpoint_is_accepted_by_the_management_api(emulator_url, api):
    token = token_request(emulator_url).json()["access_token"]
    assert api("GET", f"/organizations/{ORG_IDS['acme']}", token=token).status_code == 200


def unauthorized_message(response: requests.Response) -> str:
    assert response.status_code == 401
    body = response.json()
    assert body["statusCode"] == 401
    assert body["error"] == "Unauthorized"
    assert body["attributes"] == {"error": body["message"]}
    return body["message"]


def test_missing_and_garbage_tokens_get_auth0s_messages(api):
    assert (
        unauthorized_message(api("GET", "/organizations", token=None)) == "Missing authentication"
    )
    assert unauthorized_message(api("GET", "/organizations", token="garbage")) == "Invalid token"


def test_a_token_signed_with_another_key_has_an_invalid_signature(api, emulator):
    genuine = jwt.decode(emulator.mint_token(DEMO_CLIENT_ID), options={"verify_signature": False})
    forged = jwt.encode(genuine, "another-key-that-is-long-enough-for-hs256!", algorithm="HS256")

    message = unauthorized_message(api("GET", "/organizations", token=forged))
    assert message == "Invalid signature received for JSON Web Token validation"


def test_a_token_expires_when_the_clock_passes_its_lifetime(api, emulator):
    token = emulator.mint_token(DEMO_CLIENT_ID, expires_in=60)
    assert api("GET", "/organizations", token=token).status_code == 200

    emulator.advance_clock(61)

    message = unauthorized_message(api("GET", "/organizations", token=token))
    assert message == "Expired token received for JSON Web Token validation"


def test_a_token_of_a_non_global_client_is_refused(api, emulator):
    token = emulator.mint_token("legacy-non-global")
    assert unauthorized_message(api("GET", "/organizations", token=token)) == "Client is not global"


def test_a_missing_scope_gives_403_insufficient_scope_naming_it(api, emulator):
    token = emulator.mint_token(DEMO_CLIENT_ID, scopes=["read:organizations"])

    response = api(
        "DELETE", f"/organizations/{ORG_IDS['acme']}/members", json={"members": ["x"]}, token=token
    )

    assert response.status_code == 403
    assert response.json() == {
        "statusCode": 403,
        "error": "Forbidden",
        "message": "Insufficient scope, expected any of: delete:organization_members",
        "errorCode": "insufficient_scope",
    }


def test_embedding_roles_in_the_members_list_needs_the_member_roles_scope(api, emulator):
    token = emulator.mint_token(DEMO_CLIENT_ID, scopes=["read:organization_members"])
    path = f"/organizations/{ORG_IDS['acme']}/members"

    plain = api("GET", path, token=token)
    with_roles = api("GET", path, params={"fields": "user_id,roles"}, token=token)

    assert plain.status_code == 200
    assert with_roles.status_code == 403
    assert "read:organization_member_roles" in with_roles.json()["message"]


def test_user_roles_need_read_role_members_too(api, emulator):
    """Auth0's reference: "expected all of: read:users, read:roles, read:role_members"."""
    token = emulator.mint_token(DEMO_CLIENT_ID, scopes=["read:users", "read:roles"])
    response = api("GET", "/users/auth0%7Cana0000000000000000000001/roles", token=token)
    assert response.status_code == 403
    assert response.json()["errorCode"] == "insufficient_scope"


def test_user_roles_need_all_of_their_scopes(api, emulator):
    token = emulator.mint_token(DEMO_CLIENT_ID, scopes=["read:users"])
    response = api("GET", "/users/auth0%7Cana0000000000000000000001/roles", token=token)
    assert response.status_code == 403
    assert (
        response.json()["message"]
        == "Insufficient scope, expected all of: read:users, read:roles, read:role_members"
    )
