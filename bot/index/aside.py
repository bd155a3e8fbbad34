"""Small files written aside and renamed into place, so a reader sees the old one or the new one whole (an index's
cursor, the files it checked, the store it was made from, `index/CURRENT`), and the removal of those a writer left
behind: killed between the write and the rename, nothing reads or removes them.

A file being written is named `NAME.<pid>.<random>`, so the next process to open the index can tell one whose writer
is gone (and the `NAME.<pid>` newsbot wrote before) from one still being written.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import uuid
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

log = logging.getLogger(__name__)

_ASIDE = re.compile(r"^[A-Za-z]+\.(\d+)(?:\.[0-9a-f]{8})?$")


def bytes_of(paths: Iterable[Path]) -> int:
    """The bytes of the files among `paths` now. A commit in another thread or process removes files meanwhile: one
    listed and gone before its size was read is not counted (/stats and `newsbot stats` failed on it with
    FileNotFoundError)."""
    total = 0
    for path in paths:
        with suppress(FileNotFoundError):
            status = path.stat()
            total += status.st_size if stat.S_ISREG(status.st_mode) else 0
    return total


def write_whole(path: Path, text: str, durable: bool = False) -> None:
    """Write `text` to `path` by a rename, so no reader sees part of it. A write that fails (a full disk) removes
    what it wrote before it raises. `durable`: on the disk (its bytes and the rename) before it returns, for what
    exists nowhere else (a power cut then loses nothing Telegram was told of)."""
    aside = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    try:
        with aside.open("w") as written:
            written.write(text)
            if durable:
                written.flush()
                os.fsync(written.fileno())
        os.replace(aside, path)
    except BaseException:
        aside.unlink(missing_ok=True)
        raise
    if durable:
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def remove_left_aside(directory: Path) -> None:
    """Remove the files written aside in `directory` by processes no longer running; those of processes still
    writing stay. A read-only directory keeps them (the next process able to write removes them)."""
    try:
        names = os.listdir(directory)
    except OSError:  # not there (yet, or any more)
        return
    for name in names:
        if (found := _ASIDE.match(name)) and not pid_running(int(found[1])):
            try:
                (directory / name).unlink(missing_ok=True)
            except OSError as exc:
                log.debug("could not remove %s: %s", directory / name, exc)


def left_by_dead(directory: Path, prefix: str) -> list[Path]:
    """The files `prefix.<pid>.tmp` in `directory` whose writing process no longer runs (those of processes still
    writing stay out), for the caller to remove as it sees fit."""
    left = []
    for partial in directory.glob(f"{prefix}.*.tmp"):
        pid = partial.name.removeprefix(f"{prefix}.").removesuffix(".tmp")
        if pid.isdigit() and not pid_running(int(pid)):
            left.append(partial)
    return left


def pid_running(pid: int) -> bool:
    """Whether process `pid` runs on this machine (another user's too)."""
    if os.name != "posix":  # signal 0 probes a process only there (elsewhere os.kill ends it)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
