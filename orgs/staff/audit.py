"""Recording write attempts: a row is written before the Auth0 call and completed after it, so
a crash in between leaves a visible pending (unknown outcome) row. Each row names the process
making the attempt; once that process has ended, settle_orphans() completes the row as an
unknown outcome."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User as StaffUser
from django.utils import timezone

from ..auth0_mgmt import errors
from ..models import AuditEvent
from . import owners
from .guardrails import GuardrailRefused

ORPHANED = (
    "adminportal stopped (its worker process ended) before Auth0 answered: the change may or "
    "may not have been made. Check before trying again."
)


@contextmanager
def attempt(
    *,
    actor: StaffUser | str,
    action: str,
    org_id: str = "",
    targets: list[dict[str, str]] | None = None,
    roles: list[dict[str, str]] | None = None,
    reason: str = "",
) -> Iterator[AuditEvent]:
    """Yields the pending event (with the X-Correlation-ID to send); the caller may add what it
    learns (`event.note(...)`). Completed as success, refused, failed or unknown outcome.
    The actor is a staff member, or the name of what acted without one (a management
    command)."""
    if isinstance(actor, str):
        staff, staff_username = None, actor[:150]
    else:
        staff, staff_username = (actor if actor.pk else None), actor.get_username()
    event = AuditEvent.objects.create(
        staff=staff,
        staff_username=staff_username,
        action=action,
        org_id=org_id[:64],
        targets=targets or [],
        roles=roles or [],
        reason=reason,
        correlation_id=uuid.uuid4().hex,
        owner=owners.this_process(),
    )
    try:
        yield event
    except errors.Auth0Error as exc:
        exc.audit_event = event
        refused = isinstance(exc, errors.InvalidInput | GuardrailRefused)
        outcome = (
            AuditEvent.Outcome.REFUSED
            if refused
            else AuditEvent.Outcome.UNKNOWN
            if exc.outcome_unknown
            else AuditEvent.Outcome.FAILED
        )
        _complete(
            event,
            outcome,
            error_class=type(exc).__name__,
            status=exc.status,
            error_code=exc.error_code or "",
            message=exc.english_message,  # kept in English, whatever the staff member reads
        )
        raise
    except Exception as exc:
        _complete(
            event,
            AuditEvent.Outcome.FAILED,
            error_class=type(exc).__name__,
            message=str(exc)[:1000],
        )
        raise
    _complete(event, AuditEvent.Outcome.SUCCESS)


def note(event: AuditEvent, **fields: Any) -> None:
    """Record what was learnt before the call (org name, labels, roles before)."""
    for name, value in fields.items():
        setattr(event, name, value)
    event.save(update_fields=list(fields))


def settle_orphans() -> int:
    """Complete as unknown outcomes the pending attempts whose process (on this host) has
    ended: a worker killed in the middle of a write. How many."""
    settled = 0
    pending = AuditEvent.objects.filter(
        outcome=AuditEvent.Outcome.PENDING, owner__startswith=f"{owners.HOST}:"
    )
    for event in pending:
        if not owners.is_gone(event.owner):
            continue
        try:
            _complete(
                event, AuditEvent.Outcome.UNKNOWN, error_class="WorkerEnded", message=ORPHANED
            )
        except PermissionError:
            continue  # settled meanwhile by another process
        settled += 1
    return settled


def _complete(event: AuditEvent, outcome: str, **fields: Any) -> None:
    event.outcome = outcome
    event.completed_at = timezone.now()
    for name, value in fields.items():
        setattr(event, name, value)
    event.save()
