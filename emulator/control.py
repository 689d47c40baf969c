"""The control API under /__emulator__/ (not part of Auth0): reset, seed, dump, faults, latency,
rate limits, consistency lag, clock, clients, tokens and the request log.

- GET  health: {"ok": true, "domain", "audience"}
- POST reset {"seed"?: "demo" | "empty" | {seed}}: data, faults, log, clock and limits back to
  how the emulator started (the last loaded seed unless another is given)
- POST seed {"name": "demo"} or a seed object: replaces the data; GET state: the data as a seed
- GET/POST/DELETE faults: list / add one fault or a list of them / clear (see faults.Fault)
- GET/POST latency {"seconds": 0.2}: added to every API answer
- GET/POST rate-limits {"preset"?: "off|free|enterprise|essentials",
  "buckets"?: {"<group>": {"burst": n, "per_second": r}}}
- GET/POST consistency {"member_removal_lag": seconds}
- GET/POST clock {"advance": seconds}: moves token expiry, rate-limit refill and lag forward
- GET/POST clients: list / add or replace a client {"client_id", "client_secret", "scopes",
  "is_global", "token_lifetime"}
- POST tokens {"client_id", "scopes"?, "expires_in"?}: mint a token without the secret
- POST signing-key {"key"?}: sign Management API tokens with a new key (random unless given),
  so every token issued before is refused "Invalid signature…"; reset restores the first key
- GET/DELETE requests: the log of Management API and token requests / clear it. The log keeps
  the newest N entries (Emulator(request_log_size=N), `--request-log-size N`; default 10,000):
  {"requests": [...oldest first], "max_entries": N, "dropped": older entries no longer kept}
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import seeds
from .errors import ApiError
from .store import Client

if TYPE_CHECKING:
    from .app import Emulator, Request, Response

PREFIX = "/__emulator__/"


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def handle(emulator: Emulator, request: Request) -> Response:
    from .app import json_response

    name = request.path[len(PREFIX) :].strip("/")
    action = ACTIONS.get((request.method, name))
    if action is None:
        return json_response(404, {"error": f"no control action {request.method} {name}"})
    try:
        body = json.loads(request.body) if request.body.strip() else {}
        return json_response(200, action(emulator, body))
    except ValueError as exc:
        return json_response(400, {"error": f"bad control request: {exc}"})
    except (KeyError, TypeError) as exc:
        return json_response(400, {"error": f"bad control request: missing or wrong {exc}"})
    except ControlError as exc:
        return json_response(exc.status, {"error": str(exc)})
    except ApiError as exc:
        return json_response(400, {"error": f"the seed does not fit: {exc.message}"})


def resolve_seed(spec: Any) -> dict[str, Any]:
    if isinstance(spec, str):
        if spec not in seeds.NAMED_SEEDS:
            raise ControlError(400, f"unknown seed {spec!r}; known: {sorted(seeds.NAMED_SEEDS)}")
        return seeds.NAMED_SEEDS[spec]()
    if isinstance(spec, dict):
        if "name" in spec and len(spec) == 1:
            return resolve_seed(spec["name"])
        return spec
    raise ControlError(400, "a seed is a name or a seed object")


def load_seed(emulator: Emulator, seed: dict[str, Any]) -> dict[str, Any]:
    seeds.load(emulator.tenant, seed)
    emulator.loaded_seed = seed
    return counts(emulator)


def counts(emulator: Emulator) -> dict[str, int]:
    tenant = emulator.tenant
    return {
        "organizations": len(tenant.organizations),
        "users": len(tenant.users),
        "roles": len(tenant.roles),
        "clients": len(tenant.clients),
    }


def reset(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    emulator.faults.clear()
    emulator.log.clear()
    emulator.latency = 0.0
    emulator.clock.offset = 0.0
    emulator.tokens.signing_key = emulator.initial["signing_key"]
    emulator.tenant.member_removal_lag = emulator.initial["member_removal_lag"]
    emulator.limiter.configure(preset=emulator.initial["rate_limits"])
    seed = body.get("seed")
    if seed is None:
        seed = emulator.loaded_seed or {"clients": seeds.DEMO_CLIENTS}
    return load_seed(emulator, resolve_seed(seed))


def add_faults(emulator: Emulator, body: Any) -> dict[str, Any]:
    specs = body if isinstance(body, list) else [body]
    for spec in specs:
        emulator.faults.add(spec)
    return {"faults": emulator.faults.describe()}


def set_latency(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    emulator.latency = float(body["seconds"])
    return {"seconds": emulator.latency}


def set_rate_limits(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    emulator.limiter.configure(preset=body.get("preset"), buckets=body.get("buckets"))
    return emulator.limiter.describe()


def set_consistency(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    emulator.tenant.member_removal_lag = float(body["member_removal_lag"])
    return {"member_removal_lag": emulator.tenant.member_removal_lag}


def move_clock(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    emulator.clock.offset += float(body.get("advance", 0))
    return {"now": emulator.clock.now(), "offset": emulator.clock.offset}


def put_client(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    client = Client.from_spec(body, default_scopes=seeds.ALL_SCOPES)
    emulator.tenant.clients[client.client_id] = client
    return {"client_id": client.client_id}


def mint_token(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    client = emulator.tenant.clients.get(body["client_id"])
    if client is None:
        raise ControlError(404, f"no client {body['client_id']!r}")
    return emulator.tokens.mint(client, scopes=body.get("scopes"), lifetime=body.get("expires_in"))


def rotate_signing_key(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    emulator.tokens.signing_key = str(body.get("key") or secrets.token_urlsafe(32))
    return {"rotated": True}


def clear_log(emulator: Emulator, body: Any) -> dict[str, Any]:
    emulator.log.clear()
    return {"cleared": True}


def clear_faults(emulator: Emulator, body: Any) -> dict[str, Any]:
    emulator.faults.clear()
    return {"faults": []}


ACTIONS: dict[tuple[str, str], Callable[[Emulator, Any], Any]] = {
    ("GET", "health"): lambda e, b: {
        "ok": True,
        "domain": e.tenant.domain,
        "audience": e.tenant.audience,
    },
    ("POST", "reset"): reset,
    ("POST", "seed"): lambda e, b: load_seed(e, resolve_seed(b)),
    ("GET", "state"): lambda e, b: seeds.dump(e.tenant),
    ("GET", "faults"): lambda e, b: {"faults": e.faults.describe()},
    ("POST", "faults"): add_faults,
    ("DELETE", "faults"): clear_faults,
    ("GET", "latency"): lambda e, b: {"seconds": e.latency},
    ("POST", "latency"): set_latency,
    ("GET", "rate-limits"): lambda e, b: e.limiter.describe(),
    ("POST", "rate-limits"): set_rate_limits,
    ("GET", "consistency"): lambda e, b: {"member_removal_lag": e.tenant.member_removal_lag},
    ("POST", "consistency"): set_consistency,
    ("GET", "clock"): lambda e, b: {"now": e.clock.now(), "offset": e.clock.offset},
    ("POST", "clock"): move_clock,
    ("GET", "clients"): lambda e, b: {
        "clients": [
            {"client_id": c.client_id, "name": c.name, "scopes": c.scopes, "is_global": c.is_global}
            for c in e.tenant.clients.values()
        ]
    },
    ("POST", "clients"): put_client,
    ("POST", "tokens"): mint_token,
    ("POST", "signing-key"): rotate_signing_key,
    ("GET", "requests"): lambda e, b: e.log.describe(),
    ("DELETE", "requests"): clear_log,
}
