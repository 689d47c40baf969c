"""Django's database sessions (SESSION_ENGINE = "orgs.staff.sessions"), read with one plain query:
every page reads its session, and the ORM built that same SELECT anew each time, more work
than running it. Sessions are stored, written, expired and cleared exactly as by
django.contrib.sessions.backends.db (same table, same format): switching back and forth keeps
everyone signed in."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        """The unexpired session of this key (its data only), as the ORM's get() found it."""
        using = router.db_for_read(self.model)
        connection = connections[using]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_query(using), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return Session(session_key=self.session_key or "", session_data=row[0])


def _column(meta: Any, name: str) -> str:
    return str(meta.get_field(name).column)


@cache
def _query(using: str) -> str:
    qn = connections[using].ops.quote_name
    meta = Session._meta
    column = {name: qn(_column(meta, name)) for name in ("session_key", "session_data")}
    return (
        f"SELECT {column['session_data']} FROM {qn(meta.db_table)} "
        f"WHERE {column['session_key']} = %s "
        f"AND {qn(_column(meta, 'expire_date'))} > %s"
    )
