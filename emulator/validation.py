"""Query-string and payload validation with Auth0's (z-schema) wording.

Auth0 validates every query string and body against the endpoint's schema and answers
400 invalid_query_string / invalid_body with messages such as
"Query validation error: 'Additional properties not allowed: foo'." or
"Payload validation error: 'Missing required property: members'."
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from . import errors


def _message(kind: str, detail: str, prop: str | None = None) -> str:
    where = f" on property {prop}" if prop else ""
    return f"{kind} validation error: '{detail}'{where}."


def query_error(detail: str, prop: str | None = None) -> errors.ApiError:
    return errors.invalid_query(_message("Query", detail, prop))


def payload_error(detail: str, prop: str | None = None) -> errors.ApiError:
    return errors.invalid_body(_message("Payload", detail, prop))


@dataclass(frozen=True)
class Int:
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Bool:
    pass


@dataclass(frozen=True)
class Str:
    max_length: int | None = None
    pattern: str | None = None


Spec = Int | Bool | Str


def parse_query(raw_query: str, spec: dict[str, Spec]) -> dict[str, Any]:
    """Validate a query string against `spec` and return typed values."""
    values: dict[str, Any] = {}
    for name, raw in parse_qsl(raw_query, keep_blank_values=True):
        if name not in spec:
            raise query_error(f"Additional properties not allowed: {name}")
        values[name] = _coerce(name, raw, spec[name])
    return values


def _coerce(name: str, raw: str, spec: Spec) -> Any:
    if isinstance(spec, Bool):
        if raw not in ("true", "false"):
            raise query_error("Expected type boolean but found type string", name)
        return raw == "true"
    if isinstance(spec, Int):
        if not re.fullmatch(r"-?\d+", raw):
            raise query_error("Expected type integer but found type string", name)
        number = int(raw)
        if spec.minimum is not None and number < spec.minimum:
            raise query_error(f"Value {number} is less than minimum {spec.minimum}", name)
        if spec.maximum is not None and number > spec.maximum:
            raise query_error(f"Value {number} is greater than maximum {spec.maximum}", name)
        return number
    if spec.max_length is not None and len(raw) > spec.max_length:
        raise query_error(f"String is too long ({len(raw)} chars), maximum {spec.max_length}", name)
    if spec.pattern is not None and not re.fullmatch(spec.pattern, raw):
        raise query_error(f"String does not match pattern {spec.pattern}: {raw}", name)
    return raw


def parse_json_body(raw: bytes, content_type: str) -> Any:
    """The request body as JSON (or form fields), as Auth0 accepts both for writes."""
    if not raw.strip():
        return None
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode("utf-8", "replace")))
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_body("Invalid request payload JSON format") from None


def string_array_body(
    body: Any,
    prop: str,
    *,
    min_items: int = 1,
    max_items: int | None = None,
    item_pattern: str | None = None,
) -> list[str]:
    """Validate {"<prop>": ["…", …]} with nothing else in the object."""
    if not isinstance(body, dict):
        found = "null" if body is None else type(body).__name__
        raise payload_error(f"Expected type object but found type {_json_type(found)}")
    extra = sorted(set(body) - {prop})
    if extra:
        raise payload_error(f"Additional properties not allowed: {','.join(extra)}")
    if prop not in body:
        raise payload_error(f"Missing required property: {prop}")
    items = body[prop]
    if not isinstance(items, list):
        raise payload_error(
            f"Expected type array but found type {_json_type(type(items).__name__)}", prop
        )
    if len(items) < min_items:
        raise payload_error(f"Array is too short ({len(items)}), minimum {min_items}", prop)
    if max_items is not None and len(items) > max_items:
        raise payload_error(f"Array is too long ({len(items)}), maximum {max_items}", prop)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise payload_error(
                f"Expected type string but found type {_json_type(type(item).__name__)}",
                f"{prop}[{index}]",
            )
        if not item:
            raise payload_error("String is too short (0 chars), minimum 1", f"{prop}[{index}]")
        if item_pattern is not None and not re.fullmatch(item_pattern, item):
            raise payload_error(
                f"String does not match pattern {item_pattern}: {item}", f"{prop}[{index}]"
            )
    return items


def object_body(body: Any, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        found = "null" if body is None else type(body).__name__
        raise payload_error(f"Expected type object but found type {_json_type(found)}")
    extra = sorted(set(body) - allowed)
    if extra:
        raise payload_error(f"Additional properties not allowed: {','.join(extra)}")
    for name in sorted(required):
        if name not in body:
            raise payload_error(f"Missing required property: {name}")
    return body


def _json_type(python_type: str) -> str:
    return {
        "str": "string",
        "int": "integer",
        "float": "number",
        "bool": "boolean",
        "list": "array",
        "dict": "object",
        "NoneType": "null",
    }.get(python_type, python_type)
