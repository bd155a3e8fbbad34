"""Marks of handled updates that wait for the store (another process holding its write lock, a server out of reach
or slow to answer), kept in a file of the data directory until it takes them (bot.tg.received.Journal).

Kept in memory only, they were lost with the process: a stop bounded by NEWSBOT_STOP_SECONDS gave them up, a kill
lost them, and the next start answered those updates a second time. Each process writes its file whole whenever
its waiting marks change, and removes it once the store has them; the file of a process no longer running on this
machine is taken over by the next process of the data directory to write its marks, which a start and each beat do
before they take over updates left unhandled. A data directory shared by several machines leaves a file to its
own machine's processes (it tells which of them run).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from bot.index.aside import pid_running, write_whole
from bot.store import Received

log = logging.getLogger(__name__)


class WaitingMarks:
    """This process's file of waiting marks in `directory`, and those that processes now gone left there."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # Named by the pid first, so another process tells whether the writer still runs.
        self.path = directory / f"{os.getpid()}.{uuid.uuid4().hex[:12]}.json"

    def keep(self, marks: Sequence[Received]) -> None:
        """Make `marks` this process's file (none: remove it)."""
        if not marks:
            self.path.unlink(missing_ok=True)
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        write_whole(self.path, json.dumps([asdict(mark) for mark in marks]))

    def left(self) -> dict[Path, list[Received]]:
        """The marks in the files of processes no longer running, by file (for `forget` once they are written or
        kept here); one that cannot be read is said and removed."""
        left: dict[Path, list[Received]] = {}
        for path in sorted(self.directory.glob("*.json")):
            pid = path.name.partition(".")[0]
            # This process's pid with another file: a process before it that had the same (a container's restart).
            if path == self.path or not pid.isdigit() or (int(pid) != os.getpid() and pid_running(int(pid))):
                continue
            try:
                left[path] = [Received(**mark) for mark in json.loads(path.read_text())]
            except FileNotFoundError:  # another process took it over meanwhile
                continue
            except (OSError, ValueError, TypeError) as exc:
                log.warning("removing %s, whose marks of handled updates cannot be read: %s", path, exc)
                path.unlink(missing_ok=True)
        return left

    @staticmethod
    def forget(paths: Sequence[Path]) -> None:
        """Remove files `left` read, their marks written to the store or kept in this process's file."""
        for path in paths:
            path.unlink(missing_ok=True)
