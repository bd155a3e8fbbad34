"""Which SQLite file a store's `-wal` file was written for, so that one left beside another file is refused.

SQLite's write-ahead log names no database: whichever file is at the path when a connection opens reads the `-wal`
beside it as its own, and the last connection to close copies its pages into that file. A backup renamed over the
store while a process had the old file open (or after one was killed, its log not yet copied back) was read with the
old file's last writes laid over it, and then had them written into it for good: pages of two databases in one file.

So each process that opens the store records, beside it, the (device, inode) of the store's file and of its `-wal`
(`PATH-wal-of`, written aside and renamed). A `-wal` holding writes, the same file as recorded, beside another store
file than recorded was written for the file that was there before: refused (`StoreError`) before SQLite reads it. A
store and log copied together (another data directory, a copy of one) are both new files, and pass.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import StoreError

log = logging.getLogger(__name__)

# What a -wal file holds before its first frame: a log this size or smaller holds no writes.
WAL_HEADER_BYTES = 32
RECORD_SUFFIX = "-wal-of"

Identity = tuple[int, int]

# The stores this process has refused so, whose whole story it has told once: a running bot meets the refusal on
# every path that needs a new connection, and a burst of questions logged its 450 characters five times in 4 s
# (answering, recording updates, following), each again once a minute. Later refusals say only what to do.
_told: set[str] = set()


def check(database: str) -> None:
    """Refuse the store at `database` if the `-wal` beside it holds writes made for the file that was there before."""
    wal = _status(f"{database}-wal")
    if wal is None or wal.st_size <= WAL_HEADER_BYTES:
        return
    recorded = _recorded(database)
    now = _status(database)
    if recorded is None or now is None:
        return
    stored, logged = recorded
    if logged != (wal.st_dev, wal.st_ino) or stored == (now.st_dev, now.st_ino):
        return
    if database in _told:
        raise StoreError(
            f"the store {database} is another file than the one its {database}-wal was written for (said in full"
            f" before): stop every process using the store, then remove {database}-wal and {database}-shm"
        )
    _told.add(database)
    raise StoreError(
        f"the store {database} is another file than the one its {database}-wal was written for (a backup put in"
        " its place while a process had the old file open, or after one was killed): SQLite would read that"
        " file's last writes into this one, so newsbot does not open it. Stop every process using the store;"
        f" if {database}-wal is still there then, remove it and {database}-shm (they hold the old file's"
        " writes), then try again"
    )


def record(database: str) -> None:
    """Record which files the store at `database` and its `-wal` are now (nothing if that is recorded already, or
    if there is no `-wal` yet); a directory newsbot cannot write to keeps the record it has."""
    store, wal = _status(database), _status(f"{database}-wal")
    if store is None or wal is None:
        return
    identities = ((store.st_dev, store.st_ino), (wal.st_dev, wal.st_ino))
    if _recorded(database) == identities:
        return
    path = Path(f"{database}{RECORD_SUFFIX}")
    aside = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        aside.write_text(json.dumps({"store": identities[0], "wal": identities[1]}))
        aside.replace(path)
    except OSError as error:
        log.debug("cannot record which file %s-wal belongs to: %s", database, error)
        aside.unlink(missing_ok=True)


@contextmanager
def replacing(database: str) -> Iterator[None]:
    """Hold, inside, the right to put aside a `-wal` left by the file the store replaced (`drop_log_of`) and to open
    the new file: the processes that had the old file open notice the new one at once, and one must not remove the
    `-wal` another has just made for the new file (a lock on the store's directory, let go if the process dies)."""
    directory = os.path.dirname(os.path.abspath(database))
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as error:  # a directory that can be searched but not read
        raise StoreError(f"cannot open the store's directory {directory} to lock it: {error.strerror}") from error
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def drop_log_of(database: str, held: Identity) -> bool:
    """Remove the `-wal` and `-shm` beside `database` if its `-wal` holds writes made for the file `held` (this
    process's, which another file has replaced at the path), within `replacing`; True if they were.

    A backup renamed over the store of a running process: the process wrote on in the old file, its `-wal` beside
    the backup refused the backup to every process (`check`), and the old file's last process leaves it there when
    it stops (SQLite keeps the log of a file removed under it), so the process answered from a file nobody else
    could read until an operator stopped everything and removed the log. The process that holds the old file knows
    the log is its file's: the writes in it were made after the backup, to a file no longer at the path, and the
    processes writing it keep their open log (and shared memory) when the names go."""
    wal, now = _status(f"{database}-wal"), _status(database)
    recorded = _recorded(database)
    if wal is None or now is None or recorded is None or wal.st_size <= WAL_HEADER_BYTES:
        return False
    stored, logged = recorded
    if stored != held or logged != (wal.st_dev, wal.st_ino) or (now.st_dev, now.st_ino) == held:
        return False
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    _told.discard(database)
    return True


def _recorded(database: str) -> tuple[Identity, Identity] | None:
    try:
        written = json.loads(Path(f"{database}{RECORD_SUFFIX}").read_text())
        return (written["store"][0], written["store"][1]), (written["wal"][0], written["wal"][1])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def _status(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None
