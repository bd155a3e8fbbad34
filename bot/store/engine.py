"""Engine set-up for both databases, and the few places where they differ.

SQLite (the default): a file in the data directory in WAL mode, so readers never wait for a writer; a pool of
connections, so one thread's read never queues behind another's; foreign keys on; a busy timeout for writers.
newsbot begins every transaction itself: reads with a plain BEGIN (a consistent snapshot), writes with
BEGIN IMMEDIATE, which takes the write lock at once and so never fails half-way with "database is locked".

A write made while `answering` someone (a bot command such as /subscribe) waits for another process's lock only
ANSWER_WAIT_SECONDS, on either database: the reader is told to try again instead of waiting a minute. One made
`answering(someone_waits=False)` (after the answer is out) waits as long as background work does: for the store's
write lock (SQLite's, a PostgreSQL advisory lock) up to the engine's `lock_wait` (NEWSBOT_STORE_WAIT_MINUTES), saying
once, after ANSWER_WAIT_SECONDS, which process holds it (`bot.store.writer`) and once when it goes on.

PostgreSQL (`postgresql+psycopg://...`): psycopg 3 with a connection pool; writers that must be serialized
across processes take a transaction-scoped advisory lock.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from bot.errors import Stopped, StoreError, StoreLoginError, StoreUnreachableError, StoreURLError, causes
from bot.store import wal
from bot.store.writer import application_name, postgresql_blocker, postgresql_holder, sqlite_writer

log = logging.getLogger(__name__)

# A writer waits this long for another process's write transaction (PostgreSQL: for a lock) before giving up, unless
# the engine says otherwise (`connect(lock_wait=)`, from NEWSBOT_STORE_WAIT_MINUTES).
BUSY_TIMEOUT_SECONDS = 60.0
# A background write waiting for the store's write lock asks again at least this often (seconds): SQLite's busy
# handler sleeps in C, where Ctrl-C is not heard, and a wait of half an hour must stop at once.
LOCK_ASK_SECONDS = 1.0
# A write answering a reader gives up sooner: newsbot's own processes hold the lock for well under a second (an
# ingest's transaction of 100 articles, `bot.store.WRITE_ARTICLES`, 180 ms at most at a load of 17), so one held
# longer is a backup tool or a stuck writer, and the reader, told to try again, loses nothing. Background jobs
# (ingest, feeds, vectors) wait on.
ANSWER_WAIT_SECONDS = 5.0
ANSWER_RETRY_SECONDS = 0.002
POOL_SIZE = 8
POOL_OVERFLOW = 16
# PostgreSQL: give up connecting after this long (libpq waits forever by default, so a server that accepts and
# never answers, or a host dropping packets, hung every command and the bot's workers).
CONNECT_TIMEOUT_SECONDS = 10
# PostgreSQL: a server gone silent (its host down behind a network that drops packets, not refusing them) is given
# up by the kernel: a statement sent to it that is not acknowledged within SILENT_SECONDS (TCP_USER_TIMEOUT), and a
# pooled connection idle for KEEPALIVE_IDLE_SECONDS whose probes, every KEEPALIVE_SECONDS, go unanswered three times.
# Without them a question waited on it for the kernel's retransmissions, about 15 minutes, its worker thread held.
# A URL's own values win.
SILENT_SECONDS = 10
KEEPALIVE_IDLE_SECONDS = 30
KEEPALIVE_SECONDS = 5
_NETWORK = {
    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    "tcp_user_timeout": SILENT_SECONDS * 1000,
    "keepalives": 1,
    "keepalives_idle": KEEPALIVE_IDLE_SECONDS,
    "keepalives_interval": KEEPALIVE_SECONDS,
    "keepalives_count": 3,
}
# Advisory lock keys (PostgreSQL): one for migrations, one for the article change log.
MIGRATION_LOCK = 7_361_001
CHANGELOG_LOCK = 7_361_002
# A SQLite file's I/O error on a disk with less room than this is said to be a full disk's (bytes): SQLite's -shm file
# takes 32 kB, and a write transaction a page of 4 kB and more in the -wal file.
FULL_DISK_BYTES = 1 << 20
# How often a new SQLite file's switch to WAL is tried again while other processes open it too.
WAL_RETRY_SECONDS = 0.01
_WRITE = "newsbot_write"
# Set in a PostgreSQL connection's info while it asks for an advisory lock (`lock`), which says its own wait.
_ASKING = "newsbot_asking"
# How long a write waits for the store's write lock (seconds), in the engine's execution options (`connect`).
_LOCK_WAIT = "newsbot_lock_wait"
# The busy timeout a pooled SQLite connection has now (milliseconds), in its pool entry's info.
_BUSY = "newsbot_busy_ms"
_answering: ContextVar[bool] = ContextVar("newsbot_answering", default=False)
# What PostgreSQL says, at connecting, of a login or database that DATABASE_URL names wrongly (its other refusals,
# "too many clients" or "starting up", pass). The driver gives no SQLSTATE for them: only the server's message.
# PostgreSQL's SQLSTATE for a lock waited for past `lock_timeout`.
_LOCK_NOT_AVAILABLE = "55P03"
# PostgreSQL's SQLSTATE for a statement cancelled (`_Blocked`: a process stopping gives up a write waiting on a lock).
_CANCELLED = "57014"
# PostgreSQL's SQLSTATEs (class 57P) for a server shutting down, crashed or not yet started, cutting a session off:
# its own words ("terminating connection due to administrator command") told an operator neither what happened nor
# that running the command again is the remedy.
_SERVER_STOPPED = "57P"
_LOGIN_REFUSED = ("password authentication failed", "no password supplied", "does not exist", "no pg_hba.conf entry")
# What the driver says, at connecting, of a server that is not answering yet or just now (not started, starting or
# stopping, full, its host's name not resolvable yet or its network down): worth waiting for.
_NOT_ANSWERING = (
    "Connection refused",
    "No such file or directory",  # no server's socket at the path
    "failed to resolve host",
    "could not translate host name",
    "timeout expired",
    "timed out",
    "Network is unreachable",
    "No route to host",
    "Connection reset",
    "server closed the connection unexpectedly",
    "the database system is",  # starting up, shutting down, in recovery mode, not yet accepting connections
    "too many clients",
    "is not currently accepting connections",  # its database closed to connections (ALLOW_CONNECTIONS false)
)
# How psycopg words a value libpq refused before it tried any server ("connection is bad: invalid sslmode value"); a
# value psycopg itself cannot parse ("bad value for connect_timeout", an unknown option) is a ProgrammingError.
_REFUSED_BY_DRIVER = "connection is bad:"
# What libpq says, once connected, of a server that cannot meet what a DATABASE_URL option demands, and the option:
# `sslmode=require` against a server without SSL exited 3 ("try again"), though no retry mends it.
_OPTION_UNMET = {
    "SSL was required": "sslmode",
    "certificate": "sslmode",  # verify-ca / verify-full: no root certificate, or one the server's does not match
    "channel binding": "channel_binding",
}
# How psycopg, and libpq before it, say a host name did not resolve (a name mistyped, or not known yet at a boot).
_UNRESOLVED = re.compile(
    r"failed to resolve host '(?P<host>[^']*)': (?:\[Errno -?\d+\] )?(?P<why>[^\n]*)"
    r'|could not translate host name "(?P<named>[^"]*)" to address: (?P<said>[^\n]*)'
)


def connect(url: str, create: bool = True, lock_wait: float | None = None) -> Engine:
    """An engine for a store URL (sqlite:///path or postgresql+psycopg://...). A SQLite file is made now if there is
    none (`create`), never by the pool's connections: one reconnecting after the file was removed under the process
    made an empty store at its path, which a backup copied back was then written into in place, unnoticed.
    `lock_wait`: how long a background write waits for another process's lock (seconds; BUSY_TIMEOUT_SECONDS)."""
    parsed = make_url(url)
    options = {} if lock_wait is None else {_LOCK_WAIT: lock_wait}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            if create:
                _open_file(parsed.database, "rwc").close()
        engine = create_engine(
            parsed,
            connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            execution_options=options,
        )
        # In this order: the second makes the file's name a URI.
        event.listen(engine, "do_connect", _sqlite_log_of_this_file)
        event.listen(engine, "do_connect", _sqlite_existing_file)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            event.listen(engine, "checkout", partial(_sqlite_file_there, parsed.database))
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Named, for a process waiting on one of its locks to say whose it is (`bot.store.writer`).
        wanted = {**_NETWORK, "application_name": application_name()}
        connect_args = {name: value for name, value in wanted.items() if name not in parsed.query}
        engine = create_engine(
            parsed,
            connect_args=connect_args,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_pre_ping=True,
            execution_options=options,
        )
        event.listen(engine, "connect", _postgresql_connect)
        event.listen(engine, "before_cursor_execute", _statement_began)
        event.listen(engine, "after_cursor_execute", _statement_ended)
        event.listen(engine, "handle_error", _statement_failed)
        return engine
    raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://")


def reach(engine: Engine) -> None:
    """Connect once, so a PostgreSQL server out of reach at opening is said with the URL tried (its password hidden)
    and what to check: the driver's line alone ("connection refused") named neither DATABASE_URL nor the URL.

    A server that is not answering (`_NOT_ANSWERING`: refused, no socket, starting up, a host not found or silent)
    raises `StoreUnreachableError`; a login or database refused `StoreLoginError`; an option or value the driver does
    not take, or one the server cannot meet (`_OPTION_UNMET`: sslmode=require, no SSL), `StoreURLError`; anything else
    `StoreError`."""
    if engine.url.get_backend_name() != "postgresql":
        return
    try:
        with _wrapped(engine), engine.connect():
            pass
    except StoreLoginError:
        raise
    except StoreError as error:
        url = engine.url.render_as_string(hide_password=True)
        said = str(getattr(error.__cause__, "orig", ""))
        if unresolved := _UNRESOLVED.search(said):
            # "database error: failed to resolve host 'dbhots': [Errno -2] ..." left a reader to find the typo.
            host, why = unresolved["host"] or unresolved["named"], unresolved["why"] or unresolved["said"]
            raise StoreUnreachableError(
                f"the database's host name {host!r} does not resolve ({why.strip()}), at {url}; check the host in"
                " DATABASE_URL"
            ) from error
        if any(part in said for part in _NOT_ANSWERING):  # first: libpq says "connection is bad" of a missing socket
            # The driver's words, without what a command meeting it mid-way is told: here the URL may be wrong.
            raise StoreUnreachableError(
                f"database error: {_first_line(said)}, at {url}; check DATABASE_URL, and that the server is running"
            ) from error
        if isinstance(error.__cause__, exc.ProgrammingError) or said.startswith(_REFUSED_BY_DRIVER):
            raise StoreURLError(f"{error}, at {url}; check DATABASE_URL") from error
        if option := next((option for part, option in _OPTION_UNMET.items() if part in said), None):
            raise StoreURLError(f"{error}, at {url}; check {option} in DATABASE_URL") from error
        raise StoreError(f"{error}, at {url}; check DATABASE_URL") from error


def file_identity(engine: Engine) -> tuple[int, int] | None:
    """The (device, inode) of a SQLite store's file now; None for PostgreSQL, memory, or no file at its path."""
    database = _sqlite_file(engine)
    return None if database is None else _identity(database)


@dataclass(frozen=True)
class HeldFile:
    """A SQLite store's file held open by a connection of its own while the store is open, and its (device, inode).

    Held, the file's inode number is no other file's, even once the file is removed: ext4 gives a removed file's
    number to the next file made, so a backup copied to the path after the pool had let go of its connections
    looked like the store opened, and was never followed. A connection, not a bare descriptor: closing any
    descriptor of a file drops all of the process's POSIX locks on it, which SQLite's other connections rely on;
    SQLite defers closing its own while they hold some."""

    connection: sqlite3.Connection
    identity: tuple[int, int]


def hold(engine: Engine) -> HeldFile | None:
    """Hold the SQLite file at the store's path (None for PostgreSQL or memory); `StoreError` if there is none, or
    if the `-wal` beside it was written for another file (`bot.store.wal`)."""
    database = _sqlite_file(engine)
    if database is None:
        return None
    wal.check(database)
    while True:
        before = _identity(database)
        connection = _open_file(database, "rw")
        if before is not None and before == _identity(database):
            return HeldFile(connection, before)
        connection.close()  # another file was put at the path meanwhile: the one there now is held


def record_wal(engine: Engine) -> None:
    """Record which file a SQLite store's `-wal` belongs to, once the store is open (`bot.store.wal`)."""
    database = _sqlite_file(engine)
    if database is not None:
        wal.record(database)


def release(engine: Engine, held: HeldFile | None) -> None:
    """Close the engine's pooled connections, then let go of its file (`hold`)."""
    engine.dispose()
    if held is not None:
        held.connection.close()


def _sqlite_file(engine: Engine) -> str | None:
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return database


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _open_file(path: str, mode: str) -> sqlite3.Connection:
    """A connection to the SQLite file at `path`, opened in SQLite's URI `mode` ("rw": only one that is there;
    "rwc": made if there is none)."""
    try:
        return sqlite3.connect(_file_uri(path, mode), uri=True, check_same_thread=False)
    except sqlite3.Error as error:
        gone = _gone(path) if mode == "rw" else ""
        failed = StoreUnreachableError if gone else StoreError
        raise failed(f"database error: {_first_line(error)} ({path}){gone}") from error


def _file_uri(path: str, mode: str) -> str:
    return f"file:{quote(os.path.abspath(path))}?mode={mode}"


def _gone(path: str) -> str:
    """What to add to SQLite's "unable to open database file" for a store file no longer there."""
    return "" if os.path.lexists(path) else ": the file is gone (removed while newsbot had it open?)"


def _sqlite_log_of_this_file(
    dialect: Any, record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
) -> None:
    # A backup renamed over the store of a running process: its pool's next new connection read the backup through
    # the -wal of the file it replaced, which the process's other connections still write, as `hold` refuses to at
    # a start. Refused before SQLite opens anything: a stat of the -wal, and when it holds writes a read of its
    # record and a stat of the store: 54 us at a load of 10, where a new connection took 1.36 ms, and the pool keeps
    # its connections.
    if not cparams.get("uri") and cargs[0] != ":memory:":
        wal.check(cargs[0])


def _sqlite_existing_file(dialect: Any, record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]) -> None:
    # Opened as a URI in mode "rw": a store file removed under the process is an error, not a new empty store. A
    # URL that is a SQLite URI already (uri=true) keeps its own mode.
    if not cparams.get("uri") and cargs[0] != ":memory:":
        cargs[0], cparams["uri"] = _file_uri(cargs[0], "rw"), True


def _sqlite_file_there(
    path: str, dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry, proxy: Any
) -> None:
    # A pooled connection to a store file removed under the process reads and writes the removed file, still open:
    # a bot answered from a store gone (the data directory removed, before an ingest made a new one), and what it
    # wrote was lost with the file. Taken for a lost connection, it is replaced by a new one, which opens only a
    # file that is there (`_sqlite_existing_file`): the file gone is said as the store out of reach. A stat a
    # transaction; a file put back (a new one: another inode) is taken by the next look (`Store.replaced`).
    if not os.path.lexists(path):
        raise exc.DisconnectionError(f"the store file {path} is gone")


def _sqlite_connect(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling is off; `_sqlite_begin` issues BEGIN as newsbot needs it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {_milliseconds(BUSY_TIMEOUT_SECONDS)}")
    record.info[_BUSY] = _milliseconds(BUSY_TIMEOUT_SECONDS)
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _postgresql_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # Every session waits for a lock at most ANSWER_WAIT_SECONDS (a writer that must wait longer says so: `writing`).
    # PostgreSQL waits without end by default, so a table locked by another session (LOCK TABLE, VACUUM FULL, a
    # schema change) held every question, and its worker thread, as long as the lock was held. Set here, not in
    # the connection's `options`, which PgBouncer refuses.
    autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True
    dbapi_connection.execute(f"SET lock_timeout = {_milliseconds(ANSWER_WAIT_SECONDS)}")
    dbapi_connection.autocommit = autocommit


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    # Switching a new file to WAL takes an exclusive lock without SQLite's busy handler: of processes creating one
    # store at once, all but one got "database is locked" at once. So it is tried again as long as a writer waits.
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(WAL_RETRY_SECONDS)


def _sqlite_begin(connection: Connection) -> None:
    write = bool(connection.get_execution_options().get(_WRITE))
    answering = write and _answering.get()
    # Answering, SQLite's busy handler still covers the short waits inside a transaction (a checkpoint under way).
    busy = _milliseconds(ANSWER_RETRY_SECONDS if answering else BUSY_TIMEOUT_SECONDS)
    if connection.info.get(_BUSY) != busy:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {busy}")
        connection.info[_BUSY] = busy
    if answering and _began_soon(connection):
        return
    if write and not answering and _began_waiting(connection):
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _began_soon(connection: Connection) -> bool:
    """Ask for the write lock every ANSWER_RETRY_SECONDS until it is free, for ANSWER_WAIT_SECONDS at most; whether
    the transaction began (if not, the BEGIN after this fails saying why, as SQLAlchemy's error). SQLite's own busy
    handler, past its first waits, looks every 100 ms: an ingest's next transaction began in between, and a bot
    recording a question's update waited for several."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    deadline = time.monotonic() + ANSWER_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorname", None) != "SQLITE_BUSY":
                return False
            time.sleep(ANSWER_RETRY_SECONDS)
            continue
        return True
    return False


def _began_waiting(connection: Connection) -> bool:
    """Ask for the write lock of a background write (a command's, a job's) until it is free (`_asked_until_free`);
    whether the transaction began (if not, the BEGIN after this fails at once saying why). The busy timeout inside
    the transaction is restored."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    database = connection.engine.url.database or ""

    def ask(seconds: float) -> bool:
        raw.execute(f"PRAGMA busy_timeout = {_milliseconds(seconds)}")
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorname", None) != "SQLITE_BUSY":
                raise
            return False
        return True

    busy = _milliseconds(BUSY_TIMEOUT_SECONDS)
    try:
        if _asked_until_free(connection.engine, ask, lambda: sqlite_writer(database)):
            return True
        busy = 0  # the BEGIN after this fails at once: the wait is over
        return False
    except sqlite3.OperationalError:  # not the lock: the BEGIN after this says what
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout = {busy}")
        connection.info[_BUSY] = busy


def _asked_until_free(engine: Engine, ask: Callable[[float], bool], holder: Callable[[], str]) -> bool:
    """Ask for another process's lock (`ask(seconds)`: whether it was taken within them) until it is free, for the
    engine's `lock_wait` at most, saying once who holds it (`holder`) if that takes longer than ANSWER_WAIT_SECONDS
    (`_Waits`); whether it was taken. Past the first seconds it is asked for every LOCK_ASK_SECONDS, so a stop is
    heard meanwhile (`give_up_waits`: `Stopped`). One loop for SQLite's write lock and PostgreSQL's advisory locks."""
    bound = lock_wait(engine)
    started, met, began = time.monotonic(), False, False
    deadline = started + bound
    try:
        while (left := deadline - time.monotonic()) > 0:
            if ask(min(left, LOCK_ASK_SECONDS if met else ANSWER_WAIT_SECONDS)):
                began = True
                return True
            if _GIVE_UP.is_set():
                raise Stopped
            if not met:
                met = True
                _WAITS.met(holder, bound)
        return False
    finally:
        if met:
            _WAITS.ended(time.monotonic() - started, began)


def lock_wait(engine: Engine) -> float:
    """How long a background write on `engine` waits for another process's lock (seconds)."""
    return float(engine.get_execution_options().get(_LOCK_WAIT) or BUSY_TIMEOUT_SECONDS)


class _Waits:
    """The writes of this process waiting for another process's lock, said once however many wait (a bot's jobs,
    beats and records all meet it): "waiting for the store: another process is writing (pid 4242: newsbot
    migrate)" once one has waited ANSWER_WAIT_SECONDS, and when the last of them goes on, how long it waited."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._said = False

    @property
    def any(self) -> bool:
        """Whether a write of this process waits for another process's lock now."""
        return self._count > 0

    def met(self, holder: Callable[[], str], bound: float) -> None:
        """A write began to wait for the lock; say so if none of this process's waiting writes has."""
        with self._lock:
            self._count += 1
            if self._said:
                return
            self._said = True
        who = holder()
        log.warning(
            "waiting for the store: another process is writing%s; going on once it has finished (at most %s)",
            f" ({who})" if who else "",
            said_duration(bound),
        )

    def ended(self, waited: float, went_on: bool) -> None:
        """A write that met the lock has it (`went_on`), or gave up (which its error says); the last one to go on
        says the wait is over."""
        with self._lock:
            self._count -= 1
            if self._count or not self._said:
                return
            self._said = False
        if went_on:
            log.warning("the store's write lock is free again, after %s: going on", said_duration(waited))


_WAITS = _Waits()


_GIVE_UP = threading.Event()


@dataclass
class _Statement:
    """A background write's statement under way on PostgreSQL (`_Blocked`)."""

    engine: Engine
    raw: Any  # the psycopg connection running it
    started: float
    met: bool = False  # said to wait for another session's lock (`_Waits`)
    cancelled: bool = False


class _Blocked:
    """A background write on PostgreSQL waiting for another session's table or row lock (a transaction holding a
    row it updates, an operator's LOCK TABLE, a VACUUM FULL), said as a wait for the store's write lock is.

    PostgreSQL waits for such a lock inside the statement, up to `lock_timeout` (the engine's `lock_wait`), and
    said nothing meanwhile. So each background write's statement is noted as it starts, and a thread looks, every
    LOCK_ASK_SECONDS, at those running for ANSWER_WAIT_SECONDS: the server names the sessions one waits for
    (`pg_blocking_pids`), and the first it names is said once (`_Waits`: "waiting for the store: ... (psql;
    PostgreSQL's session 4242, holding a lock on subscriptions)"), then that it goes on. A statement slow for any
    other reason waits for no session, and is not said. Once the process gives its waits up (`give_up_waits`),
    those waiting are cancelled, and raise `Stopped`. Advisory locks say their own wait (`lock`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, _Statement] = {}
        self._watching = False

    def began(self, connection: Connection) -> None:
        raw = connection.connection.dbapi_connection
        with self._lock:
            self._running[id(connection)] = _Statement(connection.engine, raw, time.monotonic())
            if not self._watching:
                self._watching = True
                threading.Thread(target=self._watch, name="newsbot-blocked-writes", daemon=True).start()

    def ended(self, connection: Connection, went_on: bool) -> None:
        with self._lock:
            statement = self._running.pop(id(connection), None)
            if statement is not None and statement.met:
                _WAITS.ended(time.monotonic() - statement.started, went_on)

    def _watch(self) -> None:
        while True:
            time.sleep(LOCK_ASK_SECONDS)
            with self._lock:
                if not self._running:
                    self._watching = False
                    return
                due = [s for s in self._running.values() if time.monotonic() - s.started >= ANSWER_WAIT_SECONDS]
            for statement in due:
                self._look(statement)

    def _look(self, statement: _Statement) -> None:
        if not statement.met:
            try:
                with reading(statement.engine, one_statement=True) as connection:
                    who = postgresql_blocker(connection, statement.raw.info.backend_pid)
            except StoreError:
                return  # the server out of reach: the write's own error says so
            with self._lock:
                if not who or all(running is not statement for running in self._running.values()):
                    return
                statement.met = True
                _WAITS.met(lambda: who, lock_wait(statement.engine))
        if _GIVE_UP.is_set() and not statement.cancelled:
            statement.cancelled = True
            # Its error, the statement cancelled, is `Stopped` (`_wrapped`); a cancel that fails leaves it its bound.
            with suppress(statement.engine.dialect.loaded_dbapi.Error):
                statement.raw.cancel()


_BLOCKED = _Blocked()


def _statement_began(connection: Connection, *args: Any) -> None:
    if connection.get_execution_options().get(_WRITE) and not _answering.get() and not connection.info.get(_ASKING):
        _BLOCKED.began(connection)


def _statement_ended(connection: Connection, *args: Any) -> None:
    _BLOCKED.ended(connection, went_on=True)


def _statement_failed(context: ExceptionContext) -> None:
    if context.connection is not None:
        _BLOCKED.ended(context.connection, went_on=False)


def waiting_for_lock() -> bool:
    """Whether a write of this process waits for another process's lock now (past ANSWER_WAIT_SECONDS): a command
    asked to stop then has nothing in hand to keep, and stops at once rather than wait up to NEWSBOT_STORE_WAIT_MINUTES
    for the lock first (`give_up_waits`)."""
    return _WAITS.any


def give_up_waits() -> None:
    """The process is stopping: every background write waiting for another process's lock, now or later, gives up
    within LOCK_ASK_SECONDS, raising `Stopped` (a job's, an ingest's in its worker thread, which the stop would
    otherwise wait for up to NEWSBOT_STORE_WAIT_MINUTES)."""
    _GIVE_UP.set()


def _waited(seconds: float) -> str:
    """A bound as the error says it: "0.3 s", "60 s", "30 min"."""
    return f"{seconds:g} s" if seconds < 120 else said_duration(seconds)


def said_duration(seconds: float) -> str:
    """A wait as a reader takes it in: "40 s", "12 min"."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _milliseconds(seconds: float) -> int:
    return int(seconds * 1000)


@contextmanager
def answering(someone_waits: bool = True) -> Iterator[None]:
    """Writes begun inside, in this task and the threads it starts (`asyncio.to_thread` carries it), wait for
    another process's lock at most ANSWER_WAIT_SECONDS, then fail with `StoreError`. With `someone_waits` False
    they wait as background work does (BUSY_TIMEOUT_SECONDS), even in a task answering someone: a write made once
    the reader has the answer, which giving up sooner would only lose."""
    token = _answering.set(someone_waits)
    try:
        yield
    finally:
        _answering.reset(token)


def is_sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


@contextmanager
def reading(engine: Engine, one_statement: bool = False) -> Iterator[Connection]:
    """A connection with one read transaction (a consistent snapshot), rolled back at the end.

    For `one_statement`, which is its own snapshot, PostgreSQL runs without a transaction, saving the BEGIN and
    ROLLBACK round trips to the server. SQLite keeps its transaction (it costs no round trip), so a statement
    split by SQLite's limits is still one snapshot.
    """
    with _wrapped(engine), engine.connect() as connection:
        if one_statement and not is_sqlite(connection):
            connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


@contextmanager
def writing(engine: Engine, key: int | None = None) -> Iterator[Connection]:
    """One short write transaction, committed at the end (rolled back on error).

    Lock `key` serializes this transaction with every other holding the same key, across processes: SQLite's
    BEGIN IMMEDIATE already does (one writer at a time); PostgreSQL takes an advisory lock until commit.
    """
    with _wrapped(engine), engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            if not _answering.get() and not is_sqlite(connection):
                # Background work waits for a row or advisory lock as long as on SQLite (the session's wait is a
                # reader's: `_postgresql_connect`); without end, an ingest behind a psql session's forgotten
                # LOCK TABLE hung without a word.
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {_milliseconds(lock_wait(connection.engine))}")
            if key is not None:
                lock(connection, key)
            yield connection


def lock(connection: Connection, key: int) -> None:
    """Hold lock `key` until this write transaction ends (PostgreSQL: an advisory lock; SQLite's BEGIN IMMEDIATE
    already admits one writer at a time). A background write on PostgreSQL waiting for it longer than
    ANSWER_WAIT_SECONDS says once who holds it (`_Waits`) and asks again every LOCK_ASK_SECONDS, as on SQLite, until
    the engine's `lock_wait` is over or the process gives its waits up (`give_up_waits`: `Stopped`)."""
    if is_sqlite(connection):
        return
    take = text("SELECT pg_advisory_xact_lock(:key)")
    if _answering.get():
        connection.execute(take, {"key": key})
        return

    def ask(seconds: float) -> bool:
        connection.info[_ASKING] = True
        try:
            # In a savepoint, so that a wait given up leaves the transaction usable for the next ask.
            with connection.begin_nested():
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {max(_milliseconds(seconds), 1)}")
                connection.execute(take, {"key": key})
        except exc.DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            return False
        finally:
            connection.info[_ASKING] = False
        return True

    if not _asked_until_free(connection.engine, ask, lambda: postgresql_holder(connection, key)):
        # The wait is over: asked once more at once, the lock's refusal is the error (`_wrapped` says whose).
        connection.exec_driver_sql("SET LOCAL lock_timeout = 1")
        connection.execute(take, {"key": key})
    # A savepoint released keeps its settings: the rest of the transaction waits as `writing` said.
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {_milliseconds(lock_wait(connection.engine))}")


@contextmanager
def _wrapped(engine: Engine) -> Iterator[None]:
    """Database errors leave as `StoreError`, with the driver's message and no SQL; a SQLite file's errors name
    the file ("unable to open database file" says neither which nor why: a read-only or missing directory)."""
    where = f" ({engine.url.database})" if engine.url.get_backend_name() == "sqlite" and engine.url.database else ""
    try:
        yield
    except exc.DBAPIError as error:
        _raise_interruption(error)
        if getattr(error.orig, "sqlstate", None) == _CANCELLED and _GIVE_UP.is_set():
            raise Stopped from error  # a write waiting on another session's lock, given up as the process stops
        if refused := _login_refused(error.orig):
            raise StoreLoginError(f"the database refused newsbot: {refused}; check DATABASE_URL") from error
        if getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise StoreError(
                f"database error: {_first_line(error.orig)}: another session held a lock newsbot needs throughout"
                " its wait (a LOCK TABLE, VACUUM FULL or schema change, or a stuck writer); try again once it ends"
            ) from error
        # Unreachable, not merely failed: a running bot says the store down once, whichever job meets it first
        # (bot.tg.troubles.Troubles), and one write refused (a full disk) apart from it.
        if str(getattr(error.orig, "sqlstate", None)).startswith(_SERVER_STOPPED):
            raise StoreUnreachableError(
                f"database error: {_first_line(error.orig)}: the database server stopped or restarted while newsbot"
                " used it; try again once it runs"
            ) from error
        if engine.url.get_backend_name() == "postgresql" and any(part in str(error.orig) for part in _NOT_ANSWERING):
            # A command's new connection refused mid-way (the server stopped under an ingest) gave the driver's
            # words alone; a command opening the store is told where to look instead (`reach`).
            raise StoreUnreachableError(
                f"database error: {_first_line(error.orig)}: the database server is not answering (stopped, starting"
                " or out of reach); try again once it runs"
            ) from error
        if getattr(error.orig, "sqlite_errorname", None) == "SQLITE_BUSY":
            waited = ANSWER_WAIT_SECONDS if _answering.get() else lock_wait(engine)
            writer = sqlite_writer(engine.url.database or "") or "a backup tool, or a stuck writer"
            raise StoreError(
                f"database error: {_first_line(error.orig)}{where}: another process held the store's write lock"
                f" throughout the {_waited(waited)} a write waits for it ({writer}); try again once it ends"
            ) from error
        if gone := _removed(engine, error.orig):
            # Out of reach until a store is there again, as a server stopped is: a bot says it as one trouble, and
            # its end once a store is back (`Store.replaced`), where each job warned of it as a write refused.
            raise StoreUnreachableError(f"database error: {_first_line(error.orig)}{where}{gone}") from error
        why = _disk_full(engine, error.orig)
        raise StoreError(f"database error: {_first_line(error.orig)}{where}{why}") from error
    except exc.SQLAlchemyError as error:
        _raise_interruption(error)
        raise StoreError(f"database error: {_first_line(error)}{where}") from error


def _raise_interruption(error: BaseException) -> None:
    """Raise the Ctrl-C (or SIGTERM) `error` was raised in the wake of, if any: the command was interrupted. One
    landing just after psycopg sent a statement, before it waits for the reply, leaves the connection mid-statement,
    and the pool's ping, interrupted so, failed in its own cleanup ("can't change 'autocommit' now: connection in
    transaction status ACTIVE"): that error, not the interrupt, reached the command, which exited 3, not 130."""
    for cause in causes(error):
        if isinstance(cause, KeyboardInterrupt):
            raise cause from None


def _disk_full(engine: Engine, error: Any) -> str:
    """What to add to a SQLite file's I/O error or SQLITE_FULL on a disk with (almost) no room left (that the disk
    is full, and what to do), else "". SQLite, unable to make its -shm file beside the store on a full disk, says only
    "disk I/O error", and every command, the bot's start included, said only that."""
    name = str(getattr(error, "sqlite_errorname", ""))
    if not engine.url.database or not (name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR")):
        return ""
    try:
        free = shutil.disk_usage(Path(engine.url.database).parent).free
    except OSError:
        return ""
    if free >= FULL_DISK_BYTES:
        return ""
    # Reading needs room too: the -shm file SQLite makes beside the store at the first connection.
    why = "" if name == "SQLITE_FULL" else ", and SQLite needs room beside the file (its -shm file) even to read"
    return f": the disk holding it is full ({free // 1024} kB free){why}; free some space, then try again"


def _removed(engine: Engine, error: Any) -> str:
    """What to add to SQLite's "unable to open database file" for a store file removed under the process (`_gone`),
    else ""."""
    database = _sqlite_file(engine)
    if database is None or getattr(error, "sqlite_errorname", None) != "SQLITE_CANTOPEN":
        return ""
    return _gone(database)


def _login_refused(error: Any) -> str:
    """The server's reason if `error` is its refusal of the login or database at connecting, else ""."""
    _, fatal, reason = str(error).partition("FATAL:")
    reason = reason.strip().splitlines()[0] if reason.strip() else ""
    return reason if fatal and any(part in reason for part in _LOGIN_REFUSED) else ""


def _first_line(error: Any) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
