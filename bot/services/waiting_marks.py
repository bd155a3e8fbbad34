"""What a bot owes the store while it takes no writes (another process holding its write lock, a server out of reach
or slow to answer): the marks of handled updates, and the updates received and not recorded, kept in a file of the
data directory until it takes them (bot.tg.received.Journal).

Kept in memory only, they were lost with the process: a stop bounded by NEWSBOT_STOP_SECONDS gave the marks up, a
kill lost them, and the next start answered those updates a second time; an update not recorded in time was already
confirmed to Telegram (the next poll's offset), and a kill before its answer lost the question (bench/soak.py: 34-45
of 130 questions). Each process writes its file whole, on the disk, whenever what it keeps changes (before the poll
goes on, for a received update), and removes it once the store has it all; the file of a process no longer running
on this machine is taken over by the next process of the data directory to write, which a start and each beat do
before they take over updates left unhandled. A data directory shared by several machines leaves a file to its own
machine's processes (it tells which of them run).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.index.aside import pid_running, write_whole
from bot.store import Received

log = logging.getLogger(__name__)


@dataclass
class Waiting:
    """Marks of handled updates, and updates received and not recorded (each naming the process that received it)."""

    marks: list[Received] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.marks or self.received)


def _read(text: str) -> Waiting:
    kept = json.loads(text)
    if isinstance(kept, list):  # an older newsbot's file: its marks alone
        return Waiting([Received(**mark) for mark in kept])
    return Waiting([Received(**mark) for mark in kept["marks"]], [Received(**row) for row in kept["received"]])


class WaitingMarks:
    """This process's file of what waits for the store in `directory`, and those that processes now gone left there."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # Named by the pid first, so another process tells whether the writer still runs.
        self.path = directory / f"{os.getpid()}.{uuid.uuid4().hex[:12]}.json"

    def keep(self, waiting: Waiting) -> None:
        """Make `waiting` this process's file (nothing: remove it), on the disk before this returns."""
        if not waiting:
            self.path.unlink(missing_ok=True)
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        kept = {
            "marks": [asdict(mark) for mark in waiting.marks],
            "received": [asdict(row) for row in waiting.received],
        }
        write_whole(self.path, json.dumps(kept), durable=True)

    def left(self) -> dict[Path, Waiting]:
        """What waits in the files of processes no longer running, by file (for `forget` once it is written or kept
        here); one that cannot be read is said and removed."""
        left: dict[Path, Waiting] = {}
        for path in sorted(self.directory.glob("*.json")):
            pid = path.name.partition(".")[0]
            # This process's pid with another file: a process before it that had the same (a container's restart).
            if path == self.path or not pid.isdigit() or (int(pid) != os.getpid() and pid_running(int(pid))):
                continue
            try:
                left[path] = _read(path.read_text())
            except FileNotFoundError:  # another process took it over meanwhile
                continue
            except (OSError, ValueError, TypeError, KeyError) as exc:
                log.warning("removing %s, whose updates waiting for the store cannot be read: %s", path, exc)
                path.unlink(missing_ok=True)
        return left

    @staticmethod
    def forget(paths: Sequence[Path]) -> None:
        """Remove files `left` read, what they held written to the store or kept in this process's file."""
        for path in paths:
            path.unlink(missing_ok=True)
