"""A client for the emulator's control API (standard library only), for tests, benchmarks and
scripts that drive an emulator running in a thread or in another process."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class ControlClient:
    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, action: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}/__emulator__/{action}",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            raise RuntimeError(f"control {method} {action} failed: {exc.code} {detail}") from None

    def health(self) -> dict[str, Any]:
        return self.call("GET", "health")

    def reset(self, seed: Any = None) -> dict[str, Any]:
        return self.call("POST", "reset", {} if seed is None else {"seed": seed})

    def load_seed(self, seed: Any) -> dict[str, Any]:
        return self.call("POST", "seed", {"name": seed} if isinstance(seed, str) else seed)

    def state(self) -> dict[str, Any]:
        return self.call("GET", "state")

    def add_fault(self, **spec: Any) -> None:
        self.call("POST", "faults", spec)

    def clear_faults(self) -> None:
        self.call("DELETE", "faults")

    def set_latency(self, seconds: float) -> None:
        self.call("POST", "latency", {"seconds": seconds})

    def set_rate_limits(
        self, preset: str | None = None, buckets: dict[str, dict[str, float]] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if preset is not None:
            body["preset"] = preset
        if buckets is not None:
            body["buckets"] = buckets
        return self.call("POST", "rate-limits", body)

    def set_member_removal_lag(self, seconds: float) -> None:
        self.call("POST", "consistency", {"member_removal_lag": seconds})

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self.call("POST", "clock", {"advance": seconds})

    def put_client(self, **client: Any) -> None:
        self.call("POST", "clients", client)

    def mint_token(
        self, client_id: str, scopes: list[str] | None = None, expires_in: int | None = None
    ) -> str:
        body: dict[str, Any] = {"client_id": client_id}
        if scopes is not None:
            body["scopes"] = scopes
        if expires_in is not None:
            body["expires_in"] = expires_in
        return self.call("POST", "tokens", body)["access_token"]

    def rotate_signing_key(self, key: str | None = None) -> None:
        """Sign tokens with a new key: every token issued before is refused (reset undoes it)."""
        self.call("POST", "signing-key", {} if key is None else {"key": key})

    def requests(self) -> list[dict[str, Any]]:
        return self.call("GET", "requests")["requests"]

    def api_requests(self) -> list[dict[str, Any]]:
        """The logged Management API calls (token requests left out)."""
        return [r for r in self.requests() if r["path"].startswith("/api/v2/")]

    def clear_requests(self) -> None:
        self.call("DELETE", "requests")
