"""Helpers for the view tests: htmx headers, messages (in HX-Trigger or rendered as toasts),
and the emulator's tenant as ground truth."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from emulator.control_client import ControlClient
from tests.seeds import small_seed

HX = {"HX-Request": "true"}
TOAST = re.compile(r'<div class="toast toast-(\w+)"[^>]*>\s*<p>(.*?)</p>', re.S)


def hx_trigger(response) -> dict[str, Any]:
    """The HX-Trigger events of an htmx answer ({} if none)."""
    header = response.headers.get("HX-Trigger")
    return json.loads(header) if header else {}


def hx_messages(response) -> list[tuple[str, str]]:
    """(tags, text) of the messages an htmx answer carries for toasts."""
    return [(m["tags"], m["message"]) for m in hx_trigger(response).get("messages", [])]


def toasts(response) -> list[tuple[str, str]]:
    """(tags, text) of the messages a full page renders, unescaped."""
    return [(tags, html.unescape(text)) for tags, text in TOAST.findall(response.content.decode())]


def one_message(messages: list[tuple[str, str]]) -> tuple[str, str]:
    assert len(messages) == 1, messages
    return messages[0]


def text(response) -> str:
    return response.content.decode()


def members_of(emulator: ControlClient, org_id: str) -> dict[str, set[str]]:
    """The organization's current members (lingering removals left out) and their roles."""
    for org in emulator.state()["organizations"]:
        if org["id"] == org_id:
            return {m["user_id"]: set(m["roles"]) for m in org["members"]}
    raise AssertionError(f"no organization {org_id}")


def tenant_roles_of(emulator: ControlClient, user_id: str) -> set[str]:
    return set(emulator.state()["user_roles"].get(user_id, []))


def writes(emulator: ControlClient) -> list[dict[str, Any]]:
    """The Management API calls that could change something."""
    return [r for r in emulator.api_requests() if r["method"] != "GET"]


def bigger_seed(
    *,
    extra_orgs: int = 0,
    extra_acme_members: int = 0,
    extra_roles: int = 0,
) -> dict[str, Any]:
    """The small test tenant plus numbered organizations, Acme members and roles."""
    seed = small_seed()
    for i in range(extra_orgs):
        seed["organizations"].append(
            {"id": f"org_Extra{i:014d}", "name": f"extra-{i:03d}", "display_name": f"Extra {i:03d}"}
        )
    acme = next(o for o in seed["organizations"] if o["name"] == "acme")
    for i in range(extra_acme_members):
        user_id = f"auth0|extra{i:020d}"
        seed["users"].append(
            {
                "user_id": user_id,
                "email": f"extra{i:03d}@acme.example.com",
                "name": f"Extra {i:03d}",
            }
        )
        acme["members"].append({"user_id": user_id, "roles": []})
    for i in range(extra_roles):
        seed["roles"].append(
            {"id": f"rol_Extra{i:011d}", "name": f"extra-role-{i:03d}", "description": "numbered"}
        )
    return seed
