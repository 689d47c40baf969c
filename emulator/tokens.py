"""POST /oauth/token (client credentials) and bearer-token checks for the Management API.

Tokens are HS256 JWTs signed with the emulator's key, carrying the client's granted scopes.
Verification answers with the three documented 401 messages (plus Auth0's wording for an
expired and a missing token) and 403 insufficient_scope when a scope is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import jwt

from . import errors
from .store import Client, Tenant

ALGORITHM = "HS256"

MISSING_TOKEN = "Missing authentication"
INVALID_TOKEN = "Invalid token"
INVALID_SIGNATURE = "Invalid signature received for JSON Web Token validation"
EXPIRED_TOKEN = "Expired token received for JSON Web Token validation"
CLIENT_NOT_GLOBAL = "Client is not global"


@dataclass(frozen=True)
class Grant:
    """What a verified bearer token allows."""

    client_id: str
    scopes: frozenset[str]


class TokenIssuer:
    def __init__(self, tenant: Tenant, signing_key: str) -> None:
        self.tenant = tenant
        self.signing_key = signing_key

    def mint(
        self, client: Client, *, scopes: list[str] | None = None, lifetime: int | None = None
    ) -> dict[str, Any]:
        now = int(self.tenant.clock.now())
        expires_in = client.token_lifetime if lifetime is None else lifetime
        granted = client.scopes if scopes is None else scopes
        claims = {
            "iss": f"https://{self.tenant.domain}/",
            "sub": f"{client.client_id}@clients",
            "aud": self.tenant.audience,
            "iat": now,
            "exp": now + expires_in,
            "scope": " ".join(granted),
            "gty": "client-credentials",
            "azp": client.client_id,
        }
        token = jwt.encode(claims, self.signing_key, algorithm=ALGORITHM)
        return {
            "access_token": token,
            "scope": " ".join(granted),
            "expires_in": expires_in,
            "token_type": "Bearer",
        }

    def token_endpoint(self, raw_body: bytes, content_type: str) -> dict[str, Any]:
        params = token_params(raw_body, content_type)
        if params.get("grant_type") != "client_credentials":
            if not params.get("grant_type"):
                raise errors.OAuthError(
                    400, "invalid_request", "Missing required parameter: grant_type"
                )
            raise errors.OAuthError(
                403,
                "unauthorized_client",
                f"Grant type '{params['grant_type']}' not allowed for the client.",
            )
        client_id = params.get("client_id") or ""
        client = self.tenant.clients.get(client_id)
        if client is None or params.get("client_secret") != client.client_secret:
            raise errors.OAuthError(401, "access_denied", "Unauthorized")
        audience = params.get("audience")
        if not audience:
            raise errors.OAuthError(
                403,
                "access_denied",
                "Non-global clients are not allowed access to APIv1",
            )
        if audience != self.tenant.audience:
            raise errors.OAuthError(403, "access_denied", f"Service not found: {audience}")
        return self.mint(client)

    def verify(self, authorization: str | None) -> Grant:
        if not authorization:
            raise errors.unauthorized(MISSING_TOKEN)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.unauthorized(MISSING_TOKEN)
        try:
            claims = jwt.decode(
                token.strip(),
                self.signing_key,
                algorithms=[ALGORITHM],
                audience=self.tenant.audience,
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidSignatureError:
            raise errors.unauthorized(INVALID_SIGNATURE) from None
        except jwt.PyJWTError:
            raise errors.unauthorized(INVALID_TOKEN) from None
        if claims.get("exp", 0) <= self.tenant.clock.now():
            raise errors.unauthorized(EXPIRED_TOKEN)
        client = self.tenant.clients.get(claims.get("azp", ""))
        if client is not None and not client.is_global:
            raise errors.unauthorized(CLIENT_NOT_GLOBAL)
        return Grant(claims.get("azp", ""), frozenset(str(claims.get("scope", "")).split()))


def require_scopes(grant: Grant, any_of: list[str], *, all_of: bool = False) -> None:
    """403 insufficient_scope unless the token holds any (or all) of the scopes."""
    held = [scope in grant.scopes for scope in any_of]
    if all(held) if all_of else any(held):
        return
    raise errors.insufficient_scope(any_of, all_of=all_of)


def token_params(raw: bytes, content_type: str) -> dict[str, str]:
    if content_type.startswith("application/json"):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise errors.OAuthError(400, "invalid_request", "Invalid JSON body") from None
        if not isinstance(data, dict):
            raise errors.OAuthError(400, "invalid_request", "Invalid JSON body")
        return {k: v for k, v in data.items() if isinstance(v, str)}
    return dict(parse_qsl(raw.decode("utf-8", "replace")))
