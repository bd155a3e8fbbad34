"""Who holds a lock file: the process that takes one records its pid and command in it, for the others to name it
("waiting for another process (pid 4242: newsbot ingest wires/) ..."), where they could only guess.

The lock itself (flock) is what counts; the record is only said. A record whose process no longer runs (left by a
newsbot from before records were written, whose holder is then another) names nobody.
"""

from __future__ import annotations

import os
import shlex
import sys
from contextlib import suppress
from pathlib import Path

from bot.index.aside import pid_running

# The most of its command line a holder records.
HOLDER_CHARS = 200


def record_holder(fd: int) -> None:
    """Record this process as the holder in the lock file open at `fd`. Only said: a full disk leaves it unsaid."""
    with suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {command_line()}\n".encode(), 0)


def holder_of(lock: Path) -> str:
    """The holder the lock file `lock` records ("pid 4242: newsbot run"); "" when none that runs is recorded."""
    try:
        pid, _, command = lock.read_text(errors="replace").strip().partition(" ")
    except OSError:
        return ""
    return f"pid {pid}: {command}" if pid.isdigit() and pid_running(int(pid)) else ""


def command_line() -> str:
    """This process's command as typed (`python -m bot run` is `newsbot run`), at most HOLDER_CHARS long."""
    program = Path(sys.argv[0] if sys.argv and sys.argv[0] else "python")
    ours = program.name == "__main__.py" and program.resolve().parent == Path(__file__).resolve().parents[1]
    return shlex.join(["newsbot" if ours else program.name, *sys.argv[1:]])[:HOLDER_CHARS]
