"""The emulator as a plain request -> response function, independent of any HTTP server.

Order of checks, as Auth0 (hapi) applies them: injected faults, route lookup, rate limit,
authentication (401), payload parsing (400), scopes (403), query/payload validation (400),
then the endpoint itself.

The request log (`GET /__emulator__/requests`) is a ring buffer: it keeps the newest
`request_log_size` entries (default 10,000; `--request-log-size` on the command line), so a
long-running emulator's memory and the cost of reading the log stay bounded. The answer says how
many older entries were dropped; `DELETE /__emulator__/requests` clears it.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import unquote

from . import control, errors
from .faults import FaultBook
from .management import ROUTES, Call, Route
from .oidc import OidcProvider
from .ratelimit import RateLimiter
from .store import Clock, Tenant
from .tokens import TokenIssuer, require_scopes, token_params
from .validation import parse_json_body

MAX_PAYLOAD = 1024 * 1024
REQUEST_LOG_SIZE = 10_000
JSON_TYPE = "application/json; charset=utf-8"
# The Authentication API (/oauth/token) sends no charset (recorded: go-auth0 cassettes).
TOKEN_JSON_TYPE = "application/json"


@dataclass
class Request:
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    payload = (
        b"" if status == 204 or body is None else json.dumps(body, separators=(",", ":")).encode()
    )
    return Response(status, payload, {"content-type": JSON_TYPE, **(headers or {})})


class RequestLog:
    """What the Management API and token endpoint received, for tests and benchmarks: the
    newest `max_entries` requests (a ring buffer; older ones are dropped and counted)."""

    def __init__(self, max_entries: int = REQUEST_LOG_SIZE) -> None:
        if max_entries < 1:
            raise ValueError("the request log keeps at least one entry")
        self.lock = threading.Lock()
        self.max_entries = max_entries
        self.entries: deque[dict[str, Any]] = deque(maxlen=max_entries)
        self.dropped = 0

    def add(self, request: Request, status: int | str) -> None:
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "status": status,
        }
        correlation_id = request.header("x-correlation-id")
        if correlation_id:
            entry["correlation_id"] = correlation_id
        if request.method in ("POST", "DELETE", "PATCH", "PUT") and request.path != "/oauth/token":
            try:
                entry["body"] = json.loads(request.body) if request.body else None
            except ValueError:
                entry["body"] = request.body.decode("utf-8", "replace")
        with self.lock:
            if len(self.entries) == self.max_entries:
                self.dropped += 1
            self.entries.append(entry)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.dropped = 0

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.entries)

    def describe(self) -> dict[str, Any]:
        """The control API's answer: the entries (oldest first) and what the buffer holds."""
        with self.lock:
            return {
                "requests": list(self.entries),
                "max_entries": self.max_entries,
                "dropped": self.dropped,
            }


class InitialSettings(TypedDict):
    """What the emulator started with; `POST /__emulator__/reset` goes back to it."""

    rate_limits: str
    member_removal_lag: float
    signing_key: str


class Emulator:
    def __init__(
        self,
        *,
        domain: str = "emulator.local",
        signing_key: str | None = None,
        rate_limits: str = "off",
        member_removal_lag: float = 0.0,
        request_log_size: int = REQUEST_LOG_SIZE,
    ) -> None:
        self.clock: Clock = Clock()
        self.tenant: Tenant = Tenant(domain, self.clock)
        self.tenant.member_removal_lag = member_removal_lag
        self.tokens: TokenIssuer = TokenIssuer(
            self.tenant, signing_key or secrets.token_urlsafe(32)
        )
        self.oidc: OidcProvider = OidcProvider(self.tenant, self.tokens.signing_key)
        self.limiter: RateLimiter = RateLimiter(self.clock, rate_limits)
        self.faults: FaultBook = FaultBook()
        self.log: RequestLog = RequestLog(request_log_size)
        self.latency: float = 0.0
        self.initial: InitialSettings = {
            "rate_limits": rate_limits,
            "member_removal_lag": member_removal_lag,
            "signing_key": self.tokens.signing_key,
        }
        self.loaded_seed: dict[str, Any] | None = None

    def handle(self, request: Request) -> Response:
        if request.path.startswith(control.PREFIX):
            return control.handle(self, request)
        response = self._handle_api(request)
        response.delay += self.latency
        self.log.add(request, "dropped" if response.drop else response.status)
        return response

    def _handle_api(self, request: Request) -> Response:
        fault = self.faults.take(request.method, request.path)
        if fault is not None and (fault.drop or fault.status is not None):
            return self._fault_response(fault)
        response = self._dispatch(request)
        if fault is not None:
            response.delay += fault.delay
            response.headers.update(fault.headers)
        return response

    def _fault_response(self, fault: Any) -> Response:
        if fault.drop:
            return Response(0, delay=fault.delay, drop=True)
        if fault.raw_body is not None:
            response = Response(
                fault.status, fault.raw_body.encode(), {"content-type": "text/html"}
            )
        else:
            body = fault.body
            if body is None and fault.status != 204:
                body = _default_error(fault.status).body()
            response = json_response(fault.status, body)
        response.headers.update(self.limiter.charge(None).headers)
        response.headers.update(fault.headers)
        response.delay = fault.delay
        return response

    def _dispatch(self, request: Request) -> Response:
        if request.method == "POST" and request.path == "/oauth/token":
            return self._token(request)
        if request.path in SIGN_IN_PATHS:
            return sign_in(self.oidc, request)
        route, params = _match(request.method, request.path)
        verdict = self.limiter.charge(route.group if route else None)
        headers = verdict.headers
        try:
            if route is None:
                raise errors.not_found("Not Found")
            if len(request.body) > MAX_PAYLOAD:
                raise errors.ApiError(
                    413, f"Payload content length greater than maximum allowed: {MAX_PAYLOAD}"
                )
            if not verdict.allowed:
                raise errors.rate_limited(verdict.message)
            grant = self.tokens.verify(request.header("authorization"))
            body = None
            if request.method in ("POST", "DELETE", "PATCH", "PUT"):
                body = parse_json_body(request.body, request.header("content-type") or "")
            require_scopes(grant, route.scopes, all_of=route.all_scopes)
            call = Call(self.tenant, params, request.query, body, grant)
            with self.tenant.lock:
                reply = route.handler(call)
            return json_response(reply.status, reply.body, headers)
        except errors.ApiError as exc:
            return json_response(exc.status, exc.body(), {**headers, **exc.headers})

    def _token(self, request: Request) -> Response:
        verdict = self.limiter.charge("oauth_token")
        headers = {"content-type": TOKEN_JSON_TYPE, **verdict.headers}
        if not verdict.allowed:
            body = {"error": "too_many_requests", "error_description": verdict.message}
            return json_response(429, body, headers)
        content_type = request.header("content-type") or ""
        try:
            params = token_params(request.body, content_type)
            if params.get("grant_type") == "authorization_code":
                body = self.oidc.exchange_code(params, _basic_auth(request))
            else:
                body = self.tokens.token_endpoint(request.body, content_type)
            return json_response(200, body, headers)
        except errors.OAuthError as exc:
            return json_response(exc.status, exc.body, headers)


SIGN_IN_PATHS = (
    "/.well-known/openid-configuration",
    "/.well-known/jwks.json",
    "/authorize",
    "/userinfo",
)
HTML_TYPE = "text/html; charset=utf-8"


def sign_in(oidc: OidcProvider, request: Request) -> Response:
    """The OpenID Connect endpoints (emulator/oidc.py)."""
    try:
        if request.path == "/.well-known/openid-configuration":
            base = f"http://{request.header('host') or 'localhost'}"
            return json_response(200, oidc.configuration(base))
        if request.path == "/.well-known/jwks.json":
            return json_response(200, oidc.jwks())
        if request.path == "/userinfo":
            return json_response(200, oidc.userinfo(request.header("authorization")))
        if request.method == "POST":
            location, page = oidc.sign_in(request.body)
            if location:
                return Response(302, b"", {"location": location})
            return Response(401, page.encode(), {"content-type": HTML_TYPE})
        return Response(200, oidc.login_page(request.query).encode(), {"content-type": HTML_TYPE})
    except errors.OAuthError as exc:
        return json_response(exc.status, exc.body)
    except errors.ApiError as exc:
        return json_response(exc.status, exc.body())


def _basic_auth(request: Request) -> tuple[str, str] | None:
    header = request.header("authorization") or ""
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _match(method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None, {}


def _default_error(status: int) -> errors.ApiError:
    """Auth0's usual body for an injected status without an explicit body."""
    known = {
        400: errors.invalid_body(
            "Invalid request body. The message will vary depending on the cause."
        ),
        401: errors.unauthorized("Invalid token"),
        403: errors.insufficient_scope(["(injected fault)"]),
        404: errors.not_found("Not Found"),
        409: errors.conflict("Conflict"),
        429: errors.rate_limited(),
    }
    if status in known:
        return known[status]
    if status >= 500:
        return errors.ApiError(status, "An internal server error occurred")
    return errors.ApiError(status, "Error")
