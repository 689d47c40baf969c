"""An honest "pending" state for member removals: Auth0 keeps listing a removed member for
about 5-10 seconds. The person who removed them sees such rows marked as being removed (without
actions) for up to PENDING_SECONDS, and the table polls Auth0 while any are shown."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "adminportal:pending-removals"
PENDING_SECONDS = 30
POLL_SECONDS = 3


def note_removed(session: SessionBase, org_id: str, user_ids: Iterable[str]) -> None:
    pending = session.get(SESSION_KEY, {})
    now = time.time()
    pending.setdefault(org_id, {}).update(dict.fromkeys(user_ids, now))
    session[SESSION_KEY] = pending


def pending_removals(session: SessionBase, org_id: str, listed: Iterable[str]) -> set[str]:
    """Which of the listed members were removed here less than PENDING_SECONDS ago."""
    pending = session.get(SESSION_KEY, {})
    removed = pending.get(org_id, {})
    if not removed:
        return set()
    deadline = time.time() - PENDING_SECONDS
    recent = {user_id: at for user_id, at in removed.items() if at > deadline}
    if recent != removed:
        if recent:
            pending[org_id] = recent
        else:
            pending.pop(org_id)
        session[SESSION_KEY] = pending
    return set(recent) & set(listed)


def forget_removed(session: SessionBase, org_id: str, user_ids: Iterable[str]) -> None:
    """They are members again (restored): no longer shown as being removed."""
    pending = session.get(SESSION_KEY, {})
    removed = pending.get(org_id, {})
    if any(user_id in removed for user_id in user_ids):
        for user_id in user_ids:
            removed.pop(user_id, None)
        session[SESSION_KEY] = pending
