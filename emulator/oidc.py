"""Sign-in with the tenant (OpenID Connect, authorization code flow), as Auth0's Universal Login
and Authentication API do it, so adminportal's single sign-on is tested against a real provider:

    GET  /.well-known/openid-configuration      discovery
    GET  /.well-known/jwks.json                 the RS256 signing key
    GET  /authorize?response_type=code&…        the login page (email and password)
    POST /authorize                             checks them, redirects with ?code=&state=
    POST /oauth/token  grant_type=authorization_code  -> id_token (RS256), access_token
    GET  /userinfo                              the signed-in user's claims

Users sign in with the `password` their seed gives them; their seed `claims` (namespaced custom
claims, as an Auth0 Action would add) travel in the ID token and from /userinfo.
"""

from __future__ import annotations

import html
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from . import errors
from .store import Client, Tenant

KEY_ID = "emulator-signing-key-1"
CODE_SECONDS = 60
ID_TOKEN_SECONDS = 36000


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    user_id: str
    nonce: str | None
    scope: str
    expires_at: float


class OidcProvider:
    def __init__(self, tenant: Tenant, access_token_key: str) -> None:
        self.tenant = tenant
        self.access_token_key = access_token_key
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, Grant] = {}

    @property
    def issuer(self) -> str:
        return f"https://{self.tenant.domain}/"

    # --- discovery --------------------------------------------------------------------------

    def configuration(self, base_url: str) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base_url}/authorize",
            "token_endpoint": f"{base_url}/oauth/token",
            "userinfo_endpoint": f"{base_url}/userinfo",
            "jwks_uri": f"{base_url}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    # --- the login page ---------------------------------------------------------------------

    def login_page(self, query: str, error: str = "") -> str:
        params = dict(parse_qsl(query))
        self._client_for(params)
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k in ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce")
        )
        message = f'<p role="alert" class="error">{html.escape(error)}</p>' if error else ""
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Log in</title></head>"
            f"<body><main><h1>Log in to {html.escape(self.tenant.domain)}</h1>{message}"
            '<form method="post" action="/authorize">'
            f"{hidden}"
            '<label for="username">Email address</label>'
            '<input id="username" name="username" type="email" autocomplete="username" required>'
            '<label for="password">Password</label>'
            '<input id="password" name="password" type="password" required>'
            '<button type="submit">Continue</button></form></main></body></html>'
        )

    def sign_in(self, form_body: bytes) -> tuple[str | None, str]:
        """(the redirect to the application, "") on success; (None, login page) otherwise."""
        params = dict(parse_qsl(form_body.decode("utf-8", "replace")))
        client = self._client_for(params)
        email = params.get("username", "").strip().lower()
        user = next(
            (u for u in self.tenant.users.values() if (u.get("email") or "").lower() == email),
            None,
        )
        if user is None or not user.get("_password") or user["_password"] != params.get("password"):
            return None, self.login_page(urlencode(params), "Wrong email or password.")
        if user.get("blocked"):
            return None, self.login_page(urlencode(params), "This user is blocked.")
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            client_id=client.client_id,
            redirect_uri=params["redirect_uri"],
            user_id=user["user_id"],
            nonce=params.get("nonce"),
            scope=params.get("scope", "openid"),
            expires_at=self.tenant.clock.now() + CODE_SECONDS,
        )
        separator = "&" if "?" in params["redirect_uri"] else "?"
        answer = {"code": code, **({"state": params["state"]} if "state" in params else {})}
        return params["redirect_uri"] + separator + urlencode(answer), ""

    # --- tokens and user info ---------------------------------------------------------------

    def exchange_code(self, params: dict[str, str], basic_auth: tuple[str, str] | None) -> dict:
        client_id, secret = basic_auth or (params.get("client_id", ""), params.get("client_secret"))
        client = self.tenant.clients.get(client_id)
        if client is None or client.client_secret != secret:
            raise errors.OAuthError(401, "access_denied", "Unauthorized")
        grant = self.codes.pop(params.get("code", ""), None)
        if grant is None or grant.expires_at < self.tenant.clock.now():
            raise errors.OAuthError(403, "invalid_grant", "Invalid authorization code")
        if grant.client_id != client_id or grant.redirect_uri != params.get("redirect_uri"):
            raise errors.OAuthError(403, "invalid_grant", "Invalid authorization code")
        user = self.tenant.user(grant.user_id)
        now = int(self.tenant.clock.now())
        claims = {
            "iss": self.issuer,
            "sub": user["user_id"],
            "aud": client_id,
            "iat": now,
            "exp": now + ID_TOKEN_SECONDS,
            **self._profile(user),
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        id_token = jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": KEY_ID})
        access_token = jwt.encode(
            {
                "iss": self.issuer,
                "sub": user["user_id"],
                "aud": [f"https://{self.tenant.domain}/userinfo"],
                "iat": now,
                "exp": now + 86400,
                "scope": grant.scope,
                "azp": client_id,
            },
            self.access_token_key,
            algorithm="HS256",
        )
        return {
            "access_token": access_token,
            "id_token": id_token,
            "scope": grant.scope,
            "expires_in": 86400,
            "token_type": "Bearer",
        }

    def userinfo(self, authorization: str | None) -> dict[str, Any]:
        token = (authorization or "").partition(" ")[2].strip()
        try:
            claims = jwt.decode(
                token,
                self.access_token_key,
                algorithms=["HS256"],
                audience=f"https://{self.tenant.domain}/userinfo",
                options={"verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise errors.unauthorized("Unauthorized") from None
        if claims.get("exp", 0) <= time.time() + self.tenant.clock.offset:
            raise errors.unauthorized("Unauthorized")
        user = self.tenant.user(claims["sub"])
        return {"sub": user["user_id"], **self._profile(user)}

    def _profile(self, user: dict[str, Any]) -> dict[str, Any]:
        profile = {
            k: user[k]
            for k in ("email", "email_verified", "name", "nickname", "picture", "updated_at")
            if k in user
        }
        profile.update(user.get("_claims") or {})
        return profile

    def _client_for(self, params: dict[str, str]) -> Client:
        client = self.tenant.clients.get(params.get("client_id", ""))
        if client is None:
            raise errors.OAuthError(400, "invalid_request", "Unknown client")
        redirect_uri = params.get("redirect_uri", "")
        allowed = client.callbacks or []
        host = urlsplit(redirect_uri).hostname
        if redirect_uri not in allowed and not (not allowed and host in ("127.0.0.1", "localhost")):
            raise errors.OAuthError(
                400, "invalid_request", f"The redirect_uri is not allowed: {redirect_uri}"
            )
        return client
