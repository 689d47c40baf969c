"""Fault injection: the next N requests matching a method and path get a status, a delay or a
dropped connection instead of (or before) the normal answer."""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Fault:
    path: str = ".*"
    """A regular expression searched in the request path as sent (ids percent-encoded)."""
    method: str = "*"
    times: int = 1
    """How many matching requests it applies to; 0 or less means every one until cleared."""
    status: int | None = None
    body: Any = None
    """The JSON body to answer with; None gives Auth0's error body for `status`."""
    raw_body: str | None = None
    """A non-JSON body (e.g. an HTML 502 page), sent as text/html."""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (with `status`, or normally when there is none)."""
    drop: bool = False
    """Close the connection without any answer."""

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and re.search(self.path, path) is not None


class FaultBook:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.faults: list[Fault] = []

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = Fault(**spec)
        re.compile(fault.path)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, using up one of its `times`."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.times > 0:
                        fault.times -= 1
                        if fault.times == 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def describe(self) -> list[dict[str, Any]]:
        with self.lock:
            return [asdict(f) for f in self.faults]
