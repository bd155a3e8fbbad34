"""Who holds the store's write lock, for a process waiting on it to say so: "another process is writing (pid 4242:
newsbot migrate)", where it could only say that someone did.

SQLite keeps no record of its writer, but Linux lists every POSIX lock with its process in /proc/locks, and a
writer of a store in WAL mode holds the write lock byte of its `-shm` file (one in another journal mode, the
reserved byte of the store file itself). PostgreSQL lists its sessions' advisory locks in `pg_locks`, and each
session's `application_name`, which newsbot sets to its process and command (`APPLICATION_NAME`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from bot.models import Command

# The byte of a WAL store's -shm file a writer locks (SQLite's WALINDEX_LOCK_OFFSET, its WAL_WRITE_LOCK the first),
# and the store file's reserved byte, which a writer locks in the other journal modes (PENDING_BYTE + 1).
SHM_WRITE_BYTE = 120
RESERVED_BYTE = 0x40000001
# PostgreSQL keeps 63 bytes of an application_name.
APPLICATION_NAME_BYTES = 63
_INTERPRETERS = ("python", "python3")
# The words of a newsbot command line an application_name keeps: its command, none of its arguments.
_COMMANDS = frozenset(command.value for command in Command if command.value)


def described(pid: int) -> str:
    """Process `pid` named by its program and newsbot command, as /proc tells it: "pid 4242: newsbot ingest"; "pid
    4242" if /proc cannot say (`named`)."""
    return f"pid {pid}: {name}" if (name := named(pid)) else f"pid {pid}"


def named(pid: int) -> str:
    """Process `pid`'s program and newsbot command, as /proc tells it: "newsbot ingest" (a newsbot run as `python -m
    bot` or through its script is "newsbot"), another program by its name alone ("nightly_backup.py"); "" if /proc
    cannot say. Never an argument: one may be a store's or a feed's address with a password in it, or a token, and
    the name is said in logs (a waiter's, of the store's write lock or of a lock file), to every session of a
    PostgreSQL server (`application_name`), and kept in a lock file's record (`bot.index.holder`); the pid is
    there for the operator to look the rest up while the process runs."""
    words = _command_words(pid)
    # Only words of a fixed vocabulary: another program's name, or newsbot's and its command.
    kept = (
        ["newsbot", *[word for word in words[1:] if word in _COMMANDS][:1]] if words[:1] == ["newsbot"] else words[:1]
    )
    return " ".join(kept)


def application_name() -> str:
    """What this process's PostgreSQL sessions call themselves, for another waiting on them to name it
    (`described`), within the 63 bytes PostgreSQL keeps."""
    return described(os.getpid()).encode()[:APPLICATION_NAME_BYTES].decode(errors="ignore")


def _command_words(pid: int) -> list[str]:
    """The words of process `pid`'s command line, its program by name (a newsbot run as `python -m bot` or through
    its script "newsbot", a script run by its interpreter by the script's name); [] if /proc cannot say."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").decode(errors="replace").split("\0")
    except OSError:
        return []
    words[:1] = [Path(words[0]).name] if words and words[0] else []
    if words and words[0].rstrip("0123456789.") in _INTERPRETERS and len(words) > 1:
        # A script run by its interpreter is named by the script; newsbot's `python -m bot` is "newsbot".
        if words[1:3] == ["-m", "bot"]:
            words = ["newsbot", *words[3:]]
        elif not words[1].startswith("-"):
            words = [Path(words[1]).name, *words[2:]]
    return words


def sqlite_writer(database: str) -> str:
    """The process holding the write lock of the SQLite store at `database`, described (`described`; "this
    process" for this one's own other connection), or "" when none can be found (not on Linux, or let go)."""
    places = [(f"{database}-shm", SHM_WRITE_BYTE), (database, RESERVED_BYTE)]
    try:
        wanted = {(os.stat(path).st_ino, byte) for path, byte in places if os.path.exists(path)}
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return ""
    for line in lines:
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 4242 fe:00:2288212 120 120" (a lock one blocked waiter waits on starts "->").
        if len(fields) < 8 or fields[1] != "POSIX" or fields[3] != "WRITE" or not fields[4].isdigit():
            continue
        inode, start = fields[5].rpartition(":")[2], fields[6]
        if inode.isdigit() and start.isdigit() and (int(inode), int(start)) in wanted:
            pid = int(fields[4])
            return "this process" if pid == os.getpid() else described(pid)
    return ""


def postgresql_holder(connection: Connection, key: int) -> str:
    """The session holding advisory lock `key` on the server `connection` reaches, as it named itself (a newsbot
    process: `application_name`), or "" when none does now."""
    row = connection.execute(
        text(
            "SELECT a.pid, a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :high AND l.objid = :low AND l.objsubid = 1"
        ),
        {"high": key >> 32, "low": key & 0xFFFFFFFF},
    ).first()
    return "" if row is None else _session(row)


def postgresql_blocker(connection: Connection, pid: int) -> str:
    """The session that session `pid`, waiting for a lock, waits for, as it named itself, and what it holds: "psql;
    PostgreSQL's session 4242, holding a lock on subscriptions" (`pg_blocking_pids`: a row, a table, an advisory
    lock); "" when `pid` waits for none."""
    row = connection.execute(
        text(
            "SELECT a.pid, a.application_name, a.client_addr, (SELECT l.relation::regclass::text FROM pg_locks l"
            " WHERE l.pid = :pid AND l.locktype IN ('relation', 'tuple') AND (NOT l.granted OR l.locktype = 'tuple')"
            " ORDER BY l.granted LIMIT 1) AS relation"
            " FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids(:pid)) ORDER BY a.pid LIMIT 1"
        ),
        {"pid": pid},
    ).first()
    if row is None:
        return ""
    held = f", holding a lock on {row.relation}" if row.relation else ""
    return f"{_session(row)}{held}"


def _session(row: Any) -> str:
    """A session of `pg_stat_activity` (its pid, application_name and client_addr) as it named itself."""
    name = row.application_name or "a session without a name"
    where = f" from {row.client_addr}" if row.client_addr else ""
    return f"{name}; PostgreSQL's session {row.pid}{where}"
