"""Which process makes a write attempt, and whether it is still running. An attempt left pending
by a process that has ended (a worker killed in the middle of a write) has an unknown outcome at
once, not only after UNKNOWN_AFTER. Liveness is known for this host's processes (by pid and start
time, so a reused pid is not mistaken for the owner); another host's are left to UNKNOWN_AFTER
and to that host's gunicorn (gunicorn.conf.py settles a worker's attempts when it exits)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

HOST = socket.gethostname()[:100]
PROC = Path("/proc/self/stat").exists()


def this_process() -> str:
    """ "host:pid:start" of the running process (start: its start time, where /proc says)."""
    pid = os.getpid()
    return f"{HOST}:{pid}:{_started(pid) or ''}"


def is_gone(owner: str) -> bool:
    """Whether the process named by `owner` (this_process() of it) has ended. False when that
    cannot be known here (another host, an owner recorded before owners were)."""
    try:
        host, pid, start = owner.rsplit(":", 2)
        number = int(pid)
    except ValueError:
        return False
    if host != HOST:
        return False
    if not PROC:
        return not _exists(number)
    started = _started(number)
    return started is None or (bool(start) and started != start)


def _started(pid: int) -> str | None:
    """The process's start time (clock ticks after boot, /proc/<pid>/stat field 22); None when
    there is no such process, "" when it cannot be read."""
    if not PROC:
        return ""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return fields[19] if len(fields) > 19 else ""


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
