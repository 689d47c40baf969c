"""Staff accounts: who may use adminportal, with which role and reach. One service saves them
for the Staff pages and for `manage.py create_staff`, and records every change in the audit
trail in one format: "Created|Changed field: before → after, …; password set", the fields in
alphabetical order, as stored (never the password itself)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as StaffUser
from django.db import transaction

from ..models import AuditEvent, StaffAccess
from . import audit
from .access import role_of, set_role

KEEP = None
MAX_LISTED_ORGANIZATIONS = 500
"""Organizations listed by id for one staff member (more: a metadata rule). Bounds the Users
search (one Auth0 search per 100 listed) and the audit record of a change."""


@dataclass(frozen=True)
class StaffChange:
    """What a staff account becomes. None (KEEP) leaves a field as it is; `password` "" keeps
    the current one and None leaves no usable password (single sign-on only)."""

    username: str
    role: str  # one of access.ROLES
    all_organizations: bool = False
    organization_ids: tuple[str, ...] = ()
    organization_rule: str = ""
    email: str | None = KEEP
    auth0_user_id: str | None = KEEP
    is_active: bool | None = KEEP
    password: str | None = ""


def staff_save(actor: StaffUser | str, change: StaffChange) -> tuple[StaffUser, bool]:
    """Create or change the account named `change.username` (as `actor`: a staff member, or
    what acted without one, such as a management command). The account, and whether it is
    new."""
    target = [{"user_id": f"staff:{change.username}", "label": change.username}]
    with (
        audit.attempt(actor=actor, action=AuditEvent.Action.STAFF_CHANGE, targets=target) as event,
        transaction.atomic(),
    ):
        person, created = get_user_model().objects.get_or_create(username=change.username)
        before = {} if created else described(person)
        if change.email is not KEEP:
            person.email = change.email
        if change.is_active is not KEEP:
            person.is_active = change.is_active
        if change.password is None or (created and not change.password):
            person.set_unusable_password()
        elif change.password:
            person.set_password(change.password)
        person.save()
        set_role(person, change.role)
        access, _ = StaffAccess.objects.get_or_create(user=person)
        access.all_organizations = change.all_organizations
        access.organization_ids = list(change.organization_ids)
        access.organization_rule = change.organization_rule.strip()
        if change.auth0_user_id is not KEEP:
            access.auth0_user_id = change.auth0_user_id
        access.save()
        event.message = change_message(
            before, described(person), password_set=bool(change.password)
        )
    return person, created


def account_fields(person: StaffUser) -> dict[str, object]:
    """A staff account as stored: what the Staff form starts from and the audit trail
    compares (never the password)."""
    access = StaffAccess.objects.filter(user=person).first()
    return {
        "username": person.username,
        "email": person.email,
        "role": role_of(person) or "",
        "is_active": person.is_active,
        "all_organizations": bool(access and access.all_organizations),
        "organization_ids": "\n".join(access.organization_ids) if access else "",
        "organization_rule": access.organization_rule if access else "",
        "auth0_user_id": access.auth0_user_id if access else "",
    }


def described(person: StaffUser, fields: dict[str, object] | None = None) -> dict[str, str]:
    """What the audit trail compares before and after, as text, with the way they sign in.
    `fields`: account_fields(person) when already read."""
    sign_in = "password" if person.has_usable_password() else "single sign-on only"
    fields = account_fields(person) if fields is None else fields
    return {**{k: str(v) for k, v in fields.items()}, "sign_in": sign_in}


def change_message(before: dict[str, str], after: dict[str, str], *, password_set: bool) -> str:
    changed = sorted(key for key in after if before.get(key) != after[key])
    described_changes = ", ".join(f"{k}: {before.get(k, '')} → {after[k]}" for k in changed)
    return (
        ("Created " if not before else "Changed ")
        + (described_changes or "nothing")
        + ("; password set" if password_set else "")
    )


def fingerprint(person: StaffUser, fields: dict[str, object] | None = None) -> str:
    """The account as stored, in a few characters: a form that showed it carries it back.
    `fields`: account_fields(person) when already read."""
    stored = json.dumps(described(person, fields), sort_keys=True).encode()
    return hashlib.sha256(stored).hexdigest()[:16]
