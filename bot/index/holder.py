"""Who holds a lock file: the process that takes one records itself in it (a `Holder`: its pid, host, newsbot
command, its name as every waiting line says a process, and when it took the lock), for the others to name it
("waiting for another process (pid 4242: newsbot ingest) ...") and to tell what it does (a bot makes the vectors
as it runs; an ingest only a few), where they could only guess.

The lock itself (flock) is what counts; the record is only read. A record whose process no longer runs (its pid
gone, or taken by a process started after the record was written), or one in another form (a newsbot from before
this record, whose holder is then another), names nobody.
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.index.aside import pid_running
from bot.models import Command, Holder
from bot.store.writer import named

# How much later than its record a holder's process may seem to have started: /proc gives the boot time in whole
# seconds, and the wall clock may have been stepped since.
START_SLACK = timedelta(seconds=2)


def running(holder: Holder) -> bool:
    """Whether `holder`'s process still runs (one on another machine is taken to: only its lock says otherwise, and
    its name says so, `Holder.__str__`)."""
    if holder.host != socket.gethostname():
        return True
    if not pid_running(holder.pid):
        return False
    began = _process_start(holder.pid)
    return began is None or began <= holder.started + START_SLACK


def record_holder(fd: int, command: Command) -> None:
    """Record this process as the holder in the lock file open at `fd`, running the newsbot `command`. Only said: a
    full disk leaves it unsaid."""
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": command,
        # Under the key its command line had: an older newsbot reading the record says the name as it said that.
        "line": named(os.getpid()),
        "started": datetime.now(UTC).isoformat(),
    }
    with suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{json.dumps(record)}\n".encode(), 0)


def holder_of(lock: Path) -> Holder | None:
    """The holder the lock file `lock` records, if one that runs is recorded (a command this version does not know
    names nobody)."""
    try:
        record = json.loads(lock.read_text(errors="replace"))
        holder = Holder(
            int(record["pid"]),
            str(record["host"]),
            Command(record["command"]),
            str(record["line"]),
            datetime.fromisoformat(record["started"]),
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return holder if holder.started.tzinfo is not None and running(holder) else None


def _process_start(pid: int) -> datetime | None:
    """When process `pid` started, as Linux's /proc tells it; None elsewhere, or if it cannot be read."""
    try:
        # The command name (field 2) is in parentheses and may hold spaces: the fields after its last ")" count.
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
        ticks = int(fields[19])  # starttime, field 22: clock ticks after the boot
        return datetime.fromtimestamp(int(boot.split()[1]) + ticks / os.sysconf("SC_CLK_TCK"), UTC)
    except (OSError, ValueError, IndexError, StopIteration):
        return None
