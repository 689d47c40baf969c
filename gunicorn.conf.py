"""gunicorn's settings for adminportal, read from the working directory (the project's top
level) by default. Command-line options still win (workers, bind, ...)."""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended (killed in the middle of a request, timed out, restarted): the writes it
    left pending are recorded as unknown outcomes now, not two minutes later. Runs in the
    master, which otherwise never loads Django; its database connection is closed again so
    that no worker forked later inherits it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adminportal.settings")
    import django

    django.setup()
    from django.db import connections

    from orgs.staff.audit import settle_orphans

    try:
        settled = settle_orphans()
        if settled:
            server.log.warning(
                "Worker %s ended during %d write(s): recorded as unknown outcomes.",
                worker.pid,
                settled,
            )
    except Exception:
        server.log.exception("Could not settle the writes of worker %s.", worker.pid)
    finally:
        connections.close_all()
