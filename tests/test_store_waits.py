"""Real processes started while another holds the store's write lock (a long migration, a big ingest, a backup
tool): they wait for it, saying once who holds it, and go on when it is let go, up to NEWSBOT_STORE_WAIT_MINUTES;
on SQLite and on PostgreSQL (an advisory lock, as newsbot's own writers take)."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from bot.config import Settings
from bot.store.engine import BUSY_TIMEOUT_SECONDS, CHANGELOG_LOCK, MIGRATION_LOCK
from tests.botapi_server import FakeBotAPI
from tests.paths import DATA, ROOT
from tests.processes import newsbot, process_env
from tests.test_bot_processes import (  # noqa: F401 (a fixture)
    CORPUS_ANSWER,
    CORPUS_QUESTION,
    ask,
    bot_settings,
    first_bot_settings,
    running_bot,
    spawn_bot,
    sqlite_bot_settings,
)

WAITING = "waiting for the store: another process is writing ("
# What the other process's PostgreSQL session calls itself (`application_name`), as a backup tool's would.
HOLDER_NAME = "nightly-backup"
# An argument of that process holding a secret, which no waiter may say.
BACKUP_URL = "postgresql://backup:hunter2@db.example/news"
LAST_MIGRATION = "SELECT name, applied_at FROM schema_migrations ORDER BY name DESC LIMIT 1"
STORY = '{"title": "Zebra crossing repainted", "body": "Volunteers repainted the zebra crossing on Mill Lane."}\n'

# The former minute a write waited for another process's lock (BUSY_TIMEOUT_SECONDS: still the bound of a write on an
# engine given none, and of SQLite's waits inside a transaction), shortened in the bots these tests start: every fixed
# bound of a write's wait is that constant, read as the wait begins, so a lock held past the shortened one shows what
# 65 s held showed, that the bot waits NEWSBOT_STORE_WAIT_MINUTES and not the former minute (each test took 65 s).
FORMER_MINUTE = 8.0
HELD = FORMER_MINUTE + 5
SHORTER_MINUTE = (
    "-c",
    "import runpy\n"
    "import bot.store.engine as engine\n"
    f"engine.BUSY_TIMEOUT_SECONDS = {FORMER_MINUTE}\n"
    "runpy.run_module('bot', run_name='__main__', alter_sys=True)",
)

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


@contextmanager
def holding_the_write_lock(settings: Settings) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the store's write lock until the block ends: SQLite's (`BEGIN EXCLUSIVE`, as a
    backup tool would), or on PostgreSQL the change log's advisory lock, as a big ingest's transaction holds it."""
    if settings.database_url:
        program = (
            f"db = psycopg.connect({_libpq(settings)!r}, autocommit=True, application_name={HOLDER_NAME!r})\n"
            f"db.execute('SELECT pg_advisory_lock({CHANGELOG_LOCK})')\n"
        )
    else:
        program = (
            f"db = sqlite3.connect({str(settings.database_path)!r}, isolation_level=None)\n"
            "db.execute('BEGIN EXCLUSIVE')\n"
        )
    with _running(program) as process:
        yield process


@contextmanager
def migrating_elsewhere(settings: Settings) -> Iterator[subprocess.Popen[str]]:
    """Another process applying a migration until the block ends, as `newsbot migrate` of a newer version on a large
    store: the store's last migration is not recorded, and that process holds the migration lock (SQLite's write
    lock; PostgreSQL's advisory lock) until it records it and commits."""
    if settings.database_url:
        program = (
            f"db = psycopg.connect({_libpq(settings)!r}, autocommit=True, application_name={HOLDER_NAME!r})\n"
            f"last = db.execute({LAST_MIGRATION!r}).fetchone()\n"
            "db.execute('DELETE FROM schema_migrations WHERE name = %s', (last[0],))\n"
            "db.execute('BEGIN')\n"
            f"db.execute('SELECT pg_advisory_xact_lock({MIGRATION_LOCK})')\n"
        )
        record = "db.execute('INSERT INTO schema_migrations VALUES (%s, %s)', last)\ndb.execute('COMMIT')\n"
    else:
        program = (
            f"db = sqlite3.connect({str(settings.database_path)!r}, isolation_level=None)\n"
            f"last = db.execute({LAST_MIGRATION!r}).fetchone()\n"
            "db.execute('DELETE FROM schema_migrations WHERE name = ?', (last[0],))\n"
            "db.execute('BEGIN EXCLUSIVE')\n"
        )
        record = "db.execute('INSERT INTO schema_migrations VALUES (?, ?)', last)\ndb.execute('COMMIT')\n"
    with _running(program, then=record) as process:
        yield process


@contextmanager
def _running(program: str, then: str = "") -> Iterator[subprocess.Popen[str]]:
    """A Python process running `program` (which takes a lock), then waiting until the block ends, then `then`: a
    script named HOLDER_NAME given an address with a password (BACKUP_URL), as a backup tool may be run."""
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory) / HOLDER_NAME
        script.write_text(
            f"import psycopg, sqlite3, sys\n{program}print('locked', flush=True)\nsys.stdin.read()\n{then}"
        )
        process = subprocess.Popen(
            [sys.executable, str(script), BACKUP_URL], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout is not None and process.stdout.readline() == "locked\n"
            yield process
        finally:
            assert process.stdin is not None
            process.stdin.close()
            assert process.wait(timeout=30) == 0


def _libpq(settings: Settings) -> str:
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://")


def until_said(log: Path, line: str, process: subprocess.Popen[str], timeout: float = 60) -> str:
    """Wait until `process` (still running) has written `line` to `log`; returns the log."""
    deadline = time.monotonic() + timeout
    while line not in (said := log.read_text()):
        assert process.poll() is None, said
        assert time.monotonic() < deadline, said
        time.sleep(0.2)
    return said


def said_holder(settings: Settings, holder: subprocess.Popen[str]) -> str:
    """How a waiting process names `holder` (`holding_the_write_lock`): its pid and program on SQLite (never its
    arguments: it said the command line, BACKUP_URL's password with it), its session's name on PostgreSQL."""
    return f"({HOLDER_NAME}; PostgreSQL's session " if settings.database_url else f"(pid {holder.pid}: {HOLDER_NAME})"


def opened(settings: Settings) -> Settings:
    """`settings` with the store made (its shipped articles in), so that the command tested only writes."""
    out, err = newsbot(settings, "migrate").communicate(timeout=120)
    assert "up to date" in out, err
    return settings


def test_an_ingest_started_while_another_process_writes_waits_says_who_and_goes_on(
    any_db_settings: Settings, tmp_path: Path
) -> None:
    """An ingest started while another process holds the write lock waits for it, saying once (within seconds, not
    after the minute it waited silently, then exiting 3 if it was held longer) which process holds it, and stores
    its story once it is let go."""
    settings = opened(any_db_settings)
    story = tmp_path / "story.jsonl"
    story.write_text(STORY)
    log = tmp_path / "ingest.log"
    with holding_the_write_lock(settings) as holder, log.open("w") as written:
        ingest = subprocess.Popen(
            [sys.executable, "-m", "bot", "ingest", str(story)],
            env=process_env(settings, NEWSBOT_SEMANTIC="off"),
            text=True,
            stdout=subprocess.PIPE,
            stderr=written,
        )
        said = until_said(log, WAITING, ingest, timeout=BUSY_TIMEOUT_SECONDS / 2)
        assert said_holder(settings, holder) in said, said
        assert ingest.poll() is None
    out, _ = ingest.communicate(timeout=120)
    said = log.read_text()
    assert ingest.returncode == 0, said
    assert "1 added" in out, out
    assert said.count("waiting for the store") == 1, said
    assert "the store's write lock is free again, after" in said, said
    assert "hunter2" not in said, said


def test_a_command_gives_up_after_newsbot_store_wait_minutes_naming_the_writer(
    any_db_settings: Settings, tmp_path: Path
) -> None:
    """NEWSBOT_STORE_WAIT_MINUTES bounds the wait: past it the command exits 3, naming the process holding the lock
    on SQLite (on PostgreSQL the lock and the wait)."""
    settings = opened(any_db_settings)
    story = tmp_path / "story.jsonl"
    story.write_text(STORY)
    with holding_the_write_lock(settings) as holder:
        started = time.monotonic()
        ingest = newsbot(
            settings, "ingest", str(story), env={"NEWSBOT_SEMANTIC": "off", "NEWSBOT_STORE_WAIT_MINUTES": "0.15"}
        )
        _, err = ingest.communicate(timeout=120)
        took = time.monotonic() - started
    assert ingest.returncode == 3, err
    assert 9 <= took < BUSY_TIMEOUT_SECONDS, (took, err)
    assert err.count("waiting for the store") == 1, err
    if not settings.database_url:
        assert f"throughout the 9 s a write waits for it {said_holder(settings, holder)}; try" in err, err
    else:
        assert "another session held a lock newsbot needs throughout its wait" in err, err
    assert "hunter2" not in err, err


def test_a_bot_started_during_another_process_s_migration_past_a_minute_waits_and_then_answers(
    bot_settings: Settings,  # noqa: F811
    server: FakeBotAPI,
    tmp_path: Path,
) -> None:
    """`newsbot run` started while another process applies a migration for longer than a write's former minute (a
    newer version's `migrate` on a large store) exited 3; it waits for the migration lock, says so once naming the
    migrating process, and answers once the migration is recorded. On SQLite and PostgreSQL."""
    settings = bot_settings
    log = tmp_path / "bot.log"
    with migrating_elsewhere(settings) as holder:
        bot = spawn_bot(settings, server, tmp_path, SHORTER_MINUTE, NEWSBOT_SEMANTIC="off")
        try:
            said = until_said(log, WAITING, bot)
            assert said_holder(settings, holder) in said, said
            held = time.monotonic()
            while time.monotonic() - held < HELD:
                assert bot.poll() is None, log.read_text()
                time.sleep(1)
        except BaseException:
            bot.kill()
            raise
    try:
        server.wait_for("setMyCommands", timeout=60)
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
    finally:
        bot.terminate()
        bot.wait(timeout=60)
    said = log.read_text()
    assert bot.returncode == 0, said
    assert said.count("waiting for the store") == 1, said
    assert "the store's write lock is free again, after" in said, said


def test_a_running_bot_goes_on_through_another_process_s_lock_held_past_a_minute(
    sqlite_bot_settings: Settings,  # noqa: F811
    server: FakeBotAPI,
    tmp_path: Path,
) -> None:
    """A running bot whose background writes (its beats, its records of updates, digests) wait longer than a
    minute for another process's lock: it answers meanwhile, says the wait once, and writes again once it ends."""
    settings = replace(sqlite_bot_settings, corpus_dir=DATA / "bot_corpus")
    log: list[str] = []
    with running_bot(
        settings, server, tmp_path, log, SHORTER_MINUTE, NEWSBOT_SEMANTIC="off", NEWSBOT_BEAT_SECONDS="1"
    ) as bot:
        with holding_the_write_lock(settings):
            held = time.monotonic()
            while time.monotonic() - held < HELD:
                assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION, timeout=120)
                assert bot.poll() is None
                time.sleep(5)
        until_said(tmp_path / "bot.log", "the store's write lock is free again", bot)
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
    [said] = log
    assert said.count("waiting for the store") == 1, said
    assert "throughout the" not in said, said


def test_a_command_waiting_for_another_process_s_lock_stops_at_once_on_ctrl_c(
    any_db_settings: Settings, tmp_path: Path
) -> None:
    """Ctrl-C to an ingest waiting for another process's lock: it asked the ingest to stop once the articles read
    were stored, which waited for the lock first (up to NEWSBOT_STORE_WAIT_MINUTES, its write in a worker thread).
    Waiting, nothing is in hand to keep: it stops at once, exit 130, nothing stored."""
    settings = opened(any_db_settings)
    stopped_at_once_while_waiting(settings, holding_the_write_lock(settings), tmp_path, BUSY_TIMEOUT_SECONDS / 2)


def stopped_at_once_while_waiting(
    settings: Settings, holding: AbstractContextManager[object], tmp_path: Path, said_within: float
) -> None:
    """An ingest started while `holding` holds a lock it needs, sent SIGINT once it says it waits (within
    `said_within` s): it exits 130 within 10 s, nothing stored."""
    story = tmp_path / "story.jsonl"
    story.write_text(STORY)
    log = tmp_path / "ingest.log"
    with holding, log.open("w") as written:
        ingest = subprocess.Popen(
            [sys.executable, "-m", "bot", "ingest", str(story)],
            env=process_env(settings, NEWSBOT_SEMANTIC="off"),
            text=True,
            stdout=subprocess.PIPE,
            stderr=written,
        )
        try:
            until_said(log, WAITING, ingest, timeout=said_within)
            asked = time.monotonic()
            ingest.send_signal(signal.SIGINT)
            ingest.wait(timeout=30)
        finally:
            if ingest.poll() is None:
                ingest.kill()
        took = time.monotonic() - asked
    assert ingest.returncode == 130, log.read_text()
    assert took < 10, took
    out, _ = newsbot(settings, "latest").communicate(timeout=120)
    assert "Zebra crossing" not in out, out


@pytest.fixture
def pg_settings(tmp_path: Path, postgres_url: str) -> Settings:
    """Settings over an empty data directory and a new PostgreSQL database."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus", database_url=postgres_url)


@contextmanager
def holding_a_lock_of_articles(settings: Settings, row: str = "") -> Iterator[subprocess.Popen[str]]:
    """Another session holding, in a transaction left open until the block ends, a lock newsbot's writes of
    articles wait for: the table's (an operator's `LOCK TABLE ... IN SHARE MODE`), or article `row`'s (a session
    that selected it FOR UPDATE). Not newsbot's advisory lock: PostgreSQL waits for these inside a statement."""
    take = (
        f"db.execute('SELECT 1 FROM articles WHERE id = %s FOR UPDATE', ({row!r},))\n"
        if row
        else "db.execute('LOCK TABLE articles IN SHARE MODE')\n"
    )
    program = (
        f"db = psycopg.connect({_libpq(settings)!r}, autocommit=True, application_name={HOLDER_NAME!r})\n"
        f"db.execute('BEGIN')\n{take}"
    )
    with _running(program) as process:
        yield process


def _first_article(settings: Settings) -> str:
    with psycopg.connect(_libpq(settings)) as db:
        row = db.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize("held", ["table", "row"])
def test_a_write_waiting_for_another_session_s_table_or_row_lock_says_who_holds_it(
    pg_settings: Settings, tmp_path: Path, held: str
) -> None:
    """On PostgreSQL a write waiting for another session's lock on a table (LOCK TABLE, VACUUM FULL) or on a row
    (a transaction left open) waited in silence up to its bound: it says so as for newsbot's own lock, naming the
    session it waits for, and goes on once the lock is let go."""
    settings = opened(pg_settings)
    row = _first_article(settings) if held == "row" else ""
    story = tmp_path / "story.jsonl"
    story.write_text(STORY)
    log = tmp_path / "command.log"
    with holding_a_lock_of_articles(settings, row), log.open("w") as written:
        command = subprocess.Popen(
            [sys.executable, "-m", "bot", *(["remove", row] if row else ["ingest", str(story)])],
            env=process_env(settings, NEWSBOT_SEMANTIC="off"),
            text=True,
            stdout=subprocess.PIPE,
            stderr=written,
        )
        said = until_said(log, WAITING, command, timeout=120)
        assert f"({HOLDER_NAME}; PostgreSQL's session " in said, said
        assert ", holding a lock on articles)" in said, said
        assert command.poll() is None
    out, _ = command.communicate(timeout=120)
    said = log.read_text()
    assert command.returncode == 0, said
    assert ("removed" if row else "1 added") in out, out
    assert said.count("waiting for the store") == 1, said
    assert "the store's write lock is free again, after" in said, said


def test_a_command_waiting_for_another_session_s_table_lock_stops_at_once_on_ctrl_c(
    pg_settings: Settings, tmp_path: Path
) -> None:
    """Ctrl-C to an ingest whose write waits for another session's table lock gives the write up at once (its
    statement cancelled), as for newsbot's own lock: exit 130, nothing stored."""
    settings = opened(pg_settings)
    stopped_at_once_while_waiting(settings, holding_a_lock_of_articles(settings), tmp_path, 120)


def test_a_newsbot_session_is_named_by_its_command_without_its_arguments(pg_settings: Settings, tmp_path: Path) -> None:
    """Every session of the server reads another's `application_name` (pg_stat_activity), and the server's log may
    keep it: a newsbot process's is "pid N: newsbot COMMAND", without the arguments, which may hold a password or a
    token (it was the command line's first 63 bytes)."""
    settings = opened(pg_settings)
    (tmp_path / "token=hunter2.jsonl").write_text(STORY)
    with holding_the_write_lock(settings):
        ingest = newsbot(settings, "-v", "ingest", "token=hunter2.jsonl", cwd=tmp_path, env={"NEWSBOT_SEMANTIC": "off"})
        try:
            deadline = time.monotonic() + 60
            with psycopg.connect(_libpq(settings), autocommit=True) as db:
                while not (
                    names := db.execute(
                        "SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name LIKE %s",
                        (f"pid {ingest.pid}:%",),
                    ).fetchall()
                ):
                    assert ingest.poll() is None and time.monotonic() < deadline
                    time.sleep(0.2)
        finally:
            ingest.kill()
            ingest.communicate(timeout=60)
    assert names == [(f"pid {ingest.pid}: newsbot ingest",)]
