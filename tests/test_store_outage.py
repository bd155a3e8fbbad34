"""The store misconfigured or out of reach, as a reader and an operator meet it: real newsbot processes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bot.cli import EXIT_ERROR, EXIT_USAGE
from bot.config import Settings
from bot.errors import StoreError
from bot.library import Library
from bot.models import Article
from bot.render.welcome import GREETING_STORE_DOWN
from bot.store import Store, engine
from bot.store.engine import ANSWER_WAIT_SECONDS, KEEPALIVE_IDLE_SECONDS, SILENT_SECONDS, answering
from bot.store.writer import described
from bot.tg.errors import INLINE_STORE_DOWN, STORE_DOWN
from tests.botapi_server import FakeBotAPI
from tests.html_check import visible_text
from tests.paths import DATA, ROOT
from tests.postgres_servers import Server, new_pgdata
from tests.processes import free_port, newsbot, over_tcp
from tests.test_bot_processes import (
    ALICE,
    CORPUS_ANSWER,
    CORPUS_QUESTION,
    ask,
    ask_until,
    button,
    running_bot,
    spawn_bot,
)
from tests.test_store import holding_the_write_lock, url_of

# A reader who first writes while the store is down.
NEWCOMER = 77

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


def test_a_sqlite_url_in_a_directory_that_is_not_there_is_refused_naming_it_not_made(tmp_path: Path) -> None:
    """An operator mistyping DATABASE_URL's directory is told which path is wrong, and nothing is made there: the
    bot ran on a new store in the made-up directory, seeded with the shipped example, the newsroom's elsewhere."""
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/dta/newsbot.sqlite3")
    for command in (("ask", "Who won?"), ("run",)):
        process = newsbot(settings, *command)
        out, err = process.communicate(timeout=60)
        assert (process.returncode, out, err.strip()) == (
            EXIT_USAGE,
            "",
            f"newsbot: DATABASE_URL names the SQLite file {tmp_path}/dta/newsbot.sqlite3, but its directory"
            f" {tmp_path}/dta does not exist: correct the path, or create the directory",
        )
    assert not (tmp_path / "dta").exists()
    # A new file in a directory that is there is a new store, as the data directory's first start makes one.
    out, err = newsbot(replace(settings, database_url=f"sqlite:///{tmp_path}/new.sqlite3"), "migrate").communicate(
        timeout=60
    )
    assert "the store is up to date" in out and (tmp_path / "new.sqlite3").is_file(), err


def test_a_sqlite_file_mistyped_in_database_url_is_said_so_by_commands_that_find_and_none_is_made(
    tmp_path: Path,
) -> None:
    """`ask`, `latest`, `stats` and `remove` on a file name mistyped in DATABASE_URL made a new store there, seeded
    with the shipped example, and answered from it as if it were the newsroom's. An ingest still makes one."""
    typed = tmp_path / "newsbot.sqlite"
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{typed}")
    for command in (("ask", "Who won?"), ("latest",), ("stats",), ("remove", "x")):
        process = newsbot(settings, *command)
        out, err = process.communicate(timeout=60)
        assert (process.returncode, out, err) == (
            EXIT_USAGE,
            "",
            f"newsbot: no store at {typed}, the file DATABASE_URL names: correct it, or make the store there with:"
            " newsbot ingest FILE_OR_URL\n",
        )
    assert not typed.exists()
    story = tmp_path / "story.txt"
    story.write_text("Ferry timetable changes\n\nThe Gull Island ferry now leaves at noon.\n")
    assert newsbot(settings, "ingest", str(story)).wait(timeout=60) == 0
    process = newsbot(settings, "ask", "When does the Gull Island ferry leave?")
    out, err = process.communicate(timeout=60)
    assert "noon" in out, err


def test_a_sqlite_url_naming_no_file_is_refused_in_one_line(tmp_path: Path) -> None:
    """sqlite:// (a store in memory, each process's own and lost at its end) was a traceback from the pool's
    settings."""
    settings = Settings(data_dir=tmp_path / "data", database_url="sqlite://")
    process = newsbot(settings, "stats")
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (EXIT_USAGE, ""), err
    assert err.startswith("newsbot: DATABASE_URL must be a sqlite:///PATH") and "'sqlite://' names no file" in err, err


def test_a_sqlite_url_in_a_directory_not_writable_names_it_as_the_reason(tmp_path: Path) -> None:
    """SQLite says only "unable to open database file"; for the data directory's file newsbot said why, for a file
    DATABASE_URL names nothing more. /proc/1 stands in for a read-only mount: the tests run as root, whom
    permissions do not stop, and no one may make a file there."""
    settings = Settings(data_dir=tmp_path / "data", database_url="sqlite:////proc/1/newsbot.sqlite3")
    story = tmp_path / "story.txt"
    story.write_text("Ferry timetable changes\n\nThe Gull Island ferry now leaves at noon.\n")
    process = newsbot(settings, "ingest", str(story))
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (EXIT_ERROR, ""), err
    assert err == (
        "newsbot: database error: unable to open database file (/proc/1/newsbot.sqlite3): the directory /proc/1 is"
        " not writable, and SQLite writes its -wal and -shm files there even to read; make it writable or set"
        " DATABASE_URL to another\n"
    )


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """`path` unwritable even to root, whom the tests run as and permissions do not stop (chattr +i)."""
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i is not allowed here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_migrate_on_a_store_file_that_is_not_writable_says_why(tmp_path: Path) -> None:
    """`newsbot migrate` said only "attempt to write a readonly database" of a store it could not upgrade, where
    every other command names the read-only file and what to do."""
    settings = Settings(data_dir=tmp_path / "data")
    assert newsbot(settings, "migrate").wait(timeout=60) == 0
    store = tmp_path / "data" / "newsbot.sqlite3"
    # The store as the newsbot before the last migration left it.
    with sqlite3.connect(store) as connection:
        connection.execute("DELETE FROM schema_migrations WHERE name = '0018_feed_moves'")
        connection.execute("ALTER TABLE feeds DROP COLUMN moved_from")
        connection.execute("ALTER TABLE feeds DROP COLUMN redirected_to")
    connection.close()
    with immutable(store):
        process = newsbot(settings, "migrate")
        out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (EXIT_ERROR, ""), err
    assert err == (
        f"newsbot: database error: attempt to write a readonly database ({store}): the file {store} is read-only"
        " even to read; make it writable or set NEWSBOT_DATA_DIR to another\n"
    )
    out, err = newsbot(settings, "migrate").communicate(timeout=60)
    assert "the store is up to date" in out, err


def test_a_write_another_process_s_sqlite_lock_holds_up_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write given up on another process's lock (a backup tool, a stuck writer in BEGIN EXCLUSIVE) said only
    "database is locked": `newsbot ingest` after a minute's silence, the bot's log for a command that waited its
    seconds. It says whose lock and how long it waited."""
    monkeypatch.setattr(engine, "ANSWER_WAIT_SECONDS", 0.3)
    store = Store.open(url_of("", tmp_path))
    writer = holding_the_write_lock("", tmp_path)
    try:
        with answering(), pytest.raises(StoreError) as raised:
            store.write_articles([Article("Hurried", ("Written in a hurry.",))], datetime.now(UTC))
        holder = described(writer.pid)  # while it runs: /proc tells its command only then
    finally:
        writer.communicate("\n", timeout=60)
        store.close()
    # The writer named as Linux's /proc lists it (its pid and program, not its arguments); "(a backup tool, or a
    # stuck writer)" where none can be found.
    assert str(raised.value) == (
        f"database error: database is locked ({tmp_path / 'store.sqlite3'}): another process held the store's write"
        f" lock throughout the 0.3 s a write waits for it ({holder}); try again once it ends"
    )
    assert f"(pid {writer.pid}: {Path(sys.executable).name})" in str(raised.value)


class Postgres:
    """A PostgreSQL server of one test's own (pgserver), which the test may stop and start again."""

    def __init__(self) -> None:
        self.directory = new_pgdata("newsbot-pg-")
        self.server = Server(self.directory)
        admin = make_url(self.server.uri()).set(drivername="postgresql+psycopg")
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text('CREATE DATABASE "news"'))
        engine.dispose()
        self.url = admin.set(database="news").render_as_string(hide_password=False)

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server = Server(self.directory)

    def close(self) -> None:
        self.server.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


# A process that starts a server of the tests' own, says its postmaster's pid and data directory, and waits.
_STARTS_A_SERVER = """
from tests.postgres_servers import Server, new_pgdata
server = Server(new_pgdata("newsbot-pg-orphan-"))
print(server.server.get_pid(), server.directory, flush=True)
input()
"""


def test_a_server_the_tests_started_stops_when_the_process_that_started_it_is_killed() -> None:
    """Servers of killed pytest workers (a CI run killed at its time limit) ran on, found hours later: the server
    of a process that dies by SIGKILL, with no atexit run, is stopped and its data removed."""
    starter = subprocess.Popen(
        [sys.executable, "-c", _STARTS_A_SERVER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert starter.stdout is not None and starter.stdin is not None
    with starter, starter.stdin:
        pid, directory = starter.stdout.readline().split()
        assert (Path(directory) / "postmaster.pid").exists()
        starter.kill()
    deadline = time.monotonic() + 30
    while Path(directory).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(directory).exists()
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid), 0)


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    try:
        yield server
    finally:
        server.close()


def test_a_question_asked_while_postgresql_is_stopped_is_told_so_and_answered_once_it_runs_again(
    postgres: Postgres, server: FakeBotAPI, tmp_path: Path
) -> None:
    """PostgreSQL stopped under a running bot (a restart, an upgrade): every question needs the store (the index
    holds only the passages' words, not their text, headline or link), so a reader is told in one short line that
    the database is not answering, at once, not "something went wrong, try again in a moment"; /latest too, and an
    inline query, which got no answer at all, and a press of "More" on its button. `newsbot ask` says so in one
    line. Started again, the bot answers the next question, by itself."""
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=DATA / "bot_corpus", database_url=postgres.url, follow_seconds=0.5
    )
    log: list[str] = []
    with running_bot(settings, server, tmp_path, log, NEWSBOT_SEMANTIC="off", NEWSBOT_FEED_CHECK_SECONDS="0.5"):
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
        ask(server, "harbor")
        answer = server.calls("sendMessage", chat_id=ALICE)[-1]
        postgres.stop()
        for asked in (CORPUS_QUESTION, "/latest", CORPUS_QUESTION):
            started = time.monotonic()
            assert ask(server, asked) == STORE_DOWN
            assert time.monotonic() - started < ANSWER_WAIT_SECONDS
        # A press of "More" is told on the button, whose spinner a message below the chat's last left turning.
        sent = len(server.calls("sendMessage", chat_id=ALICE))
        server.press_button(ALICE, answer.result["message_id"], button(answer.params, "More"))
        [pressed] = server.wait_for("answerCallbackQuery", count=1, timeout=30)
        assert (pressed.params["text"], pressed.params["show_alert"]) == (STORE_DOWN, True)
        # Inline, where nothing was answered at all: no results, the note on the button above them.
        server.inline_query(ALICE, "chess")
        [inline] = server.wait_for("answerInlineQuery", count=1, timeout=30)
        assert (inline.params["results"], inline.params["button"]["text"]) == ([], INLINE_STORE_DOWN)
        assert len(server.calls("sendMessage", chat_id=ALICE)) == sent
        # A reader the bot has not seen lately: the record that the chat is active meets the outage too.
        server.send_text(NEWCOMER, CORPUS_QUESTION)
        [told] = server.wait_for("sendMessage", count=1, chat_id=NEWCOMER, timeout=60)
        assert visible_text(told.params["text"]) == STORE_DOWN
        process = newsbot(settings, "ask", CORPUS_QUESTION, env={"NEWSBOT_SEMANTIC": "off"})
        out, err = process.communicate(timeout=60)
        assert (process.returncode, out, len(err.splitlines())) == (EXIT_ERROR, "", 1), err
        assert "check DATABASE_URL, and that the server is running" in err, err
        postgres.start()
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
    [err] = log
    warnings = [line for line in err.splitlines() if " WARNING " in line or " ERROR " in line]
    # One trouble, whichever of the questions and jobs met it first (bot.tg.troubles.Troubles), and one end, once the
    # server runs again: a job's read begun before the stop, ending well after a question had said the outage, said
    # its end amid it, and the next failure said it again (seen once on a loaded machine).
    assert sum("the store is not answering" in line for line in warnings) == 1, warnings
    assert err.count("the store answers again") == 1, err
    assert not [line for line in warnings if "cannot answer from the store" in line], warnings
    assert not [line for line in warnings if "could not record that chat" in line], warnings


def test_a_bot_stopped_while_postgresql_is_down_stops_cleanly(
    postgres: Postgres, server: FakeBotAPI, tmp_path: Path
) -> None:
    """An operator stopping the bot during a database outage (to restart it, the first thing tried): it stops with
    exit code 0, saying in one line what it could not tell the store; it ended with 3 and "database error", as if
    the stop had failed."""
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=DATA / "bot_corpus", database_url=postgres.url, follow_seconds=0.5
    )
    log: list[str] = []
    with running_bot(settings, server, tmp_path, log, NEWSBOT_SEMANTIC="off"):  # exit code 0, no traceback
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
        postgres.stop()
    [err] = log
    assert "newsbot:" not in err, err
    assert sum("could not leave the running processes" in line for line in err.splitlines()) == 1, err


def test_a_question_answered_as_postgresql_stops_is_not_answered_again_when_it_runs_again(
    postgres: Postgres, server: FakeBotAPI, tmp_path: Path
) -> None:
    """PostgreSQL stopped after a question was read from the store but before it was marked handled (the answer
    on its way to Telegram), and the bot stopped before the server came back: the mark waits in the data directory
    and the next start writes it before it takes anything over, as through SQLite's lock; it does not answer the
    question a second time."""
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=DATA / "bot_corpus", database_url=postgres.url, follow_seconds=0.5
    )
    with running_bot(settings, server, tmp_path, [], NEWSBOT_SEMANTIC="off"):
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
        server.slow("sendMessage", 3)
        server.send_text(ALICE, CORPUS_QUESTION)
        server.wait_arrived("sendMessage", count=2)
        postgres.stop()
        server.wait_for("sendMessage", count=2, chat_id=ALICE, timeout=60)
    server.slow("sendMessage", 0)
    postgres.start()
    with running_bot(settings, server, tmp_path, [], NEWSBOT_SEMANTIC="off"):
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
    assert server.sent_counts() == {ALICE: 3}


def test_a_reader_greeting_the_bot_while_postgresql_is_stopped_is_greeted_and_told_questions_must_wait(
    postgres: Postgres, server: FakeBotAPI, tmp_path: Path
) -> None:
    """ "hi" and /start read the store for the greeting's counts and example questions, and /start recorded the chat
    first: during an outage a newcomer's first message got only "my news database is not answering", as if the bot
    were broken. It greets, says that questions must wait, and greets with examples again once the server runs."""
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=DATA / "bot_corpus", database_url=postgres.url, follow_seconds=0.5
    )
    with running_bot(settings, server, tmp_path, NEWSBOT_SEMANTIC="off"):
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
        postgres.stop()
        for greeting in ("hi", "/start", "hello there!"):
            started = time.monotonic()
            assert ask(server, greeting) == GREETING_STORE_DOWN
            assert time.monotonic() - started < ANSWER_WAIT_SECONDS
        postgres.start()
        assert ask(server, "hi").startswith("Hello! I answer questions about 5 news articles")


def test_a_question_asked_while_another_session_locks_the_articles_table_is_told_so_within_seconds(
    postgres_url: str, server: FakeBotAPI, tmp_path: Path
) -> None:
    """A table locked by another session (`LOCK TABLE articles IN ACCESS EXCLUSIVE MODE` from psql, a VACUUM FULL, a
    schema change): PostgreSQL waits for a lock without end, so a question waited as long as the lock was held, each
    one taking a worker thread, and `newsbot ask` hung. Each is now told the database is not answering after
    ANSWER_WAIT_SECONDS, and answered once the lock is gone."""
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=DATA / "bot_corpus", database_url=postgres_url, follow_seconds=0.5
    )
    locker = create_engine(postgres_url)
    try:
        with running_bot(settings, server, tmp_path, NEWSBOT_SEMANTIC="off"):
            assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
            with locker.connect() as connection, connection.begin():
                connection.execute(text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
                started = time.monotonic()
                assert ask(server, CORPUS_QUESTION, timeout=30) == STORE_DOWN
                assert time.monotonic() - started < ANSWER_WAIT_SECONDS + 3
                process = newsbot(settings, "ask", CORPUS_QUESTION, env={"NEWSBOT_SEMANTIC": "off"})
                out, err = process.communicate(timeout=60)
                assert (process.returncode, out, len(err.splitlines())) == (EXIT_ERROR, "", 1), err
                assert err == (
                    "newsbot: database error: canceling statement due to lock timeout: another session held a lock"
                    " newsbot needs throughout its wait (a LOCK TABLE, VACUUM FULL or schema change, or a stuck"
                    " writer); try again once it ends\n"
                )
            assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
    finally:
        locker.dispose()


def test_pooled_postgresql_connections_give_up_on_a_server_gone_silent(postgres_url: str) -> None:
    """A server whose host died behind a network that drops packets answers nothing, refuses nothing: a question
    sent on a pooled connection waited for the kernel's retransmissions (about 15 minutes), its worker thread held.
    The kernel is told to give up on a statement not acknowledged within SILENT_SECONDS, and to probe idle
    connections; a URL's own settings win. (The drop itself needs a firewall rule, which tests may not make: this
    reads what libpq was given.)"""
    own = make_url(postgres_url).update_query_dict({"keepalives_idle": "120"}).render_as_string(hide_password=False)
    for url, idle in ((postgres_url, KEEPALIVE_IDLE_SECONDS), (own, 120)):
        store = Store.open(url)
        try:
            with store.engine.connect() as connection:
                given = connection.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        finally:
            store.close()
        assert (given["tcp_user_timeout"], given["keepalives"], given["keepalives_idle"]) == (
            str(SILENT_SECONDS * 1000),
            "1",
            str(idle),
        ), given


def test_a_background_write_behind_another_session_s_table_lock_gives_up_as_on_sqlite(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A psql session that locked a table and was forgotten (`LOCK TABLE articles IN SHARE MODE`): an ingest, a feed
    poll or a digest on PostgreSQL waited for it without end and without a word, where on SQLite it gives up after
    BUSY_TIMEOUT_SECONDS (here 1 s) and says why. So it does on PostgreSQL; once the lock is gone it writes."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_SECONDS", 1.0)
    store = Store.open(postgres_url)
    locker = create_engine(postgres_url)
    try:
        with locker.connect() as connection, connection.begin(), ThreadPoolExecutor(1) as pool:
            connection.execute(text("LOCK TABLE articles IN SHARE MODE"))
            waiting = pool.submit(store.write_articles, [Article("Patient", ("Written at last.",))], datetime.now(UTC))
            try:
                error = waiting.exception(timeout=30)
            finally:
                connection.rollback()  # a write still waiting ends, and the pool with it
        assert isinstance(error, StoreError) and "another session held a lock newsbot needs" in str(error), error
        assert store.write_articles([Article("Patient", ("Written at last.",))], datetime.now(UTC)).added
    finally:
        locker.dispose()
        store.close()


def waiting_for_a_lock(engine: Engine) -> bool:
    """Whether a session on the server `engine` reaches waits for a lock."""
    with engine.connect() as connection:
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        return bool(connection.exec_driver_sql(waiting).scalar())


def until_true(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not so within {timeout} s"
        time.sleep(0.2)


def test_two_bots_through_a_postgresql_restart_follow_an_ingest_the_outage_refused_once_run_again(
    postgres: Postgres, server: FakeBotAPI, tmp_path: Path
) -> None:
    """A newsroom's PostgreSQL restarted under two bots while an operator ingests a story: the ingest is
    refused in one line saying nothing was stored, the bots say once each that the store is not answering, and, the
    server back, each says it answers again. The ingest run again stores the story once, and both bots (each with
    an index of its own, as on two hosts), which kept their place in the change log through the outage, take it in."""
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=DATA / "bot_corpus", database_url=postgres.url, follow_seconds=0.5
    )
    story = tmp_path / "story.jsonl"
    story.write_text('{"title": "Zebra crossing repainted", "body": "Volunteers repainted the zebra crossing."}\n')
    logs: list[str] = []
    with ExitStack() as stack:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            own = replace(settings, data_dir=tmp_path / name / "data")
            stack.enter_context(running_bot(own, server, tmp_path / name, logs, NEWSBOT_SEMANTIC="off"))
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
        stopped = time.monotonic()
        postgres.stop()
        process = newsbot(settings, "ingest", str(story), env={"NEWSBOT_SEMANTIC": "off"})
        out, err = process.communicate(timeout=60)
        assert (process.returncode, out, len(err.splitlines())) == (EXIT_ERROR, "", 1), err
        assert "check DATABASE_URL, and that the server is running" in err, err
        assert ask(server, CORPUS_QUESTION) == STORE_DOWN
        # Down until each bot has said it cannot follow, and for twenty of its looks at the store (every 0.5 s) in
        # all, each of which fails: said once all the same. (It was down 20 s, which proved no more than this.)
        for name in ("a", "b"):
            until_true(lambda log=tmp_path / name / "bot.log": "the store is not answering" in log.read_text())
        time.sleep(max(0.0, 20 * settings.follow_seconds - (time.monotonic() - stopped)))
        postgres.start()
        process = newsbot(settings, "ingest", str(story), env={"NEWSBOT_SEMANTIC": "off"})
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0 and out.startswith("1 added"), (out, err)
        ask_until(server, "Who repainted the zebra crossing?", "Zebra crossing repainted")
        # Either bot may answer a question (they share the token): each says it took the story in.
        for name in ("a", "b"):
            log = tmp_path / name / "bot.log"
            until_true(lambda log=log: "followed 1 change from the store" in log.read_text())
    for log in logs:
        assert (log.count("the store is not answering"), log.count("the store answers again")) == (1, 1), log
        assert log.index("the store answers again") < log.index("followed 1 change from the store"), log
    store = Store.open(postgres.url)
    try:
        assert [a.title for a in store.latest(10)].count("Zebra crossing repainted") == 1
    finally:
        store.close()


def test_a_command_whose_postgresql_stops_under_it_is_told_to_try_again_once_it_runs(postgres: Postgres) -> None:
    """PostgreSQL stopped under an ingest (tried as an operator): its next connection was refused, and the ingest's
    one line gave the driver's words alone ("connection failed: ... FATAL:  the database system is shutting down"),
    neither what it means nor what to do, where a session cut off said both."""
    store = Store.open(postgres.url)
    try:
        store.stats()
        postgres.stop()
        with pytest.raises(StoreError) as raised:
            store.stats()
    finally:
        store.close()
    assert str(raised.value).startswith("database error: "), raised.value
    assert str(raised.value).endswith(
        ": the database server is not answering (stopped, starting or out of reach); try again once it runs"
    ), raised.value


def test_a_reindex_building_when_postgresql_stops_says_so_in_one_line_and_leaves_no_half_built_index(
    postgres: Postgres, tmp_path: Path
) -> None:
    """PostgreSQL stopped under `newsbot reindex` while it builds (here waiting for the store's paragraphs behind a
    table lock, as a slow store keeps a long build going): the operator is told in one line, the half-built
    generation is removed, the index in use is kept, and a reindex once the server is back builds it. It said only
    the server's words, "terminating connection due to administrator command", not what happened or what to do."""
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=DATA / "bot_corpus", database_url=postgres.url, semantic="off"
    )
    Library.open(settings).close()
    before = sorted(path.name for path in settings.index_dir.iterdir())
    locker = create_engine(postgres.url)
    try:
        with locker.connect() as connection:
            connection.begin()
            connection.exec_driver_sql("LOCK TABLE paragraphs IN ACCESS EXCLUSIVE MODE")
            reindex = newsbot(settings, "reindex", env={"NEWSBOT_SEMANTIC": "off"})
            until_true(lambda: len(list(settings.index_dir.glob("gen-*/"))) == 2)
            # Stopped before its read reached the lock, the reindex met a server shutting down in a new connection.
            until_true(lambda: waiting_for_a_lock(locker))
            postgres.stop()  # a fast shutdown: the lock's session and the waiting reindex are cut off
            out, err = reindex.communicate(timeout=60)
            connection.invalidate()
    finally:
        locker.dispose()
    assert (reindex.returncode, out, len(err.splitlines())) == (EXIT_ERROR, "", 1), err
    assert err == (
        "newsbot: database error: terminating connection due to administrator command: the database server stopped"
        " or restarted while newsbot used it; try again once it runs\n"
    )
    assert sorted(path.name for path in settings.index_dir.iterdir()) == before
    postgres.start()
    reindex = newsbot(settings, "reindex", env={"NEWSBOT_SEMANTIC": "off"})
    out, err = reindex.communicate(timeout=60)
    assert reindex.returncode == 0 and out.startswith("reindexed "), (out, err)


def test_a_bot_started_before_its_postgresql_waits_for_it_then_answers(
    postgres: Postgres, server: FakeBotAPI, tmp_path: Path
) -> None:
    """A reboot where the bot's service starts before PostgreSQL, or `docker compose up` starting both at once: the
    bot exited with status 3 at once. It says the database is not reachable (where, and the driver's reason), asks
    Telegram nothing meanwhile (no update is taken that it could not answer), tries again with a growing pause, and
    starts once the server runs."""
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=DATA / "bot_corpus", database_url=postgres.url, follow_seconds=0.5
    )
    postgres.stop()
    process = spawn_bot(settings, server, tmp_path, NEWSBOT_SEMANTIC="off")
    try:
        until_true(lambda: (tmp_path / "bot.log").read_text().count("the database is not reachable") >= 3, 60)
        assert process.poll() is None and server.calls() == []
        postgres.start()
        server.wait_for("setMyCommands", timeout=90)
        assert CORPUS_ANSWER in ask(server, CORPUS_QUESTION)
    finally:
        process.terminate()
        process.wait(timeout=60)
    err = (tmp_path / "bot.log").read_text()
    assert process.returncode == 0 and "Traceback" not in err, err
    waits = [line for line in err.splitlines() if "the database is not reachable" in line]
    assert all(f"at {make_url(postgres.url).render_as_string(hide_password=True)};" in line for line in waits), waits
    assert [line.partition("trying again in ")[2].split()[0] for line in waits[:3]] == ["1", "2", "4"], waits
    assert "the database answers, after " in err, err


def test_a_bot_waiting_for_its_database_stops_at_once_on_sigterm(
    postgres: Postgres, server: FakeBotAPI, tmp_path: Path
) -> None:
    """A service manager stopping a bot that waits for PostgreSQL: it exits 0 at once, saying nothing more than that
    it stopped, however long its pause."""
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres.url)
    postgres.stop()
    process = spawn_bot(settings, server, tmp_path, NEWSBOT_SEMANTIC="off")
    try:
        until_true(lambda: "trying again in 8 s" in (tmp_path / "bot.log").read_text(), 60)
    finally:
        process.terminate()
        process.wait(timeout=60)
    err = (tmp_path / "bot.log").read_text()
    assert process.returncode == 0 and "Traceback" not in err and "newsbot:" not in err, err
    # Stopped within the pause under way, which it no longer waits out: by its own clock, as the time the process
    # then takes to exit is the machine's (over 5 s under a load of 20, its log's last line 1 ms after the signal).
    *_, pausing, signalled, stopped = err.splitlines()
    assert "trying again in 8 s" in pausing and "SIGTERM received" in signalled and stopped.endswith("stopped"), err
    assert logged_at(stopped) - logged_at(pausing) < timedelta(seconds=8), err
    assert server.calls() == []


def logged_at(line: str) -> datetime:
    """When a line of a newsbot process's log was written (its first two words)."""
    return datetime.strptime(" ".join(line.split()[:2]), "%Y-%m-%d %H:%M:%S,%f")


# DATABASE_URL values the driver refuses before it asks the server, and what it says of each.
DRIVER_REFUSES = [
    ({"query": {"sslmode": "sometimes"}}, 'invalid sslmode value: "sometimes"'),
    ({"port": 99999}, 'invalid port number: "99999"'),
    ({"query": {"connect_timeout": "soon"}}, "bad value for connect_timeout: 'soon'"),
]


def wrong_url(url: str, wrong: dict[str, object]) -> str:
    """`url` with `wrong` set in it."""
    return make_url(url).set(**wrong).render_as_string(hide_password=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(("wrong", "reason"), DRIVER_REFUSES)
def test_a_database_url_the_driver_refuses_is_a_setting_to_correct(
    tmp_path: Path, wrong: dict[str, object], reason: str
) -> None:
    """`sslmode=sometimes` exited 3 ("try again") though no retry mends it; it exits 2 as a refused login does, in
    the same one line (no server is asked: none runs at the URL)."""
    url = wrong_url(f"postgresql://newsbot:secret@127.0.0.1:{free_port()}/newsbot", wrong)
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    out, err = (process := newsbot(settings, "stats")).communicate(timeout=60)
    assert (process.returncode, out, len(err.splitlines())) == (EXIT_USAGE, "", 1), err
    assert reason in err and err.endswith("; check DATABASE_URL\n") and "***" in err, err


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        ({"database": "no_such_database"}, 'the database refused newsbot: database "no_such_database" does not exist'),
        ({"username": "no_such_user"}, 'the database refused newsbot: role "no_such_user" does not exist'),
        *DRIVER_REFUSES,
    ],
)
def test_a_bot_given_a_wrong_database_url_fails_at_once_without_waiting(
    postgres_url: str, server: FakeBotAPI, tmp_path: Path, wrong: dict[str, object], reason: str
) -> None:
    """A configuration mistake is not an outage: waiting would not mend it. One line naming it, exit 2 (a value
    the driver refused exited 3, as a server out of reach does, though it is a setting to correct)."""
    settings = Settings(data_dir=tmp_path / "data", database_url=wrong_url(postgres_url, wrong))
    process = spawn_bot(settings, server, tmp_path, NEWSBOT_SEMANTIC="off")
    process.wait(timeout=60)
    err = (tmp_path / "bot.log").read_text()
    assert process.returncode == EXIT_USAGE and reason in err, err
    assert "not reachable" not in err and len(err.strip().splitlines()) == 1, err
    assert err.endswith("; check DATABASE_URL\n"), err


@pytest.mark.parametrize(
    ("option", "reason"),
    [
        ("sslmode=require", "server does not support SSL, but SSL was required"),
        (
            "channel_binding=require",
            "channel binding required, but server authenticated client without channel binding",
        ),
    ],
)
def test_an_option_the_server_cannot_meet_is_a_setting_to_correct(
    postgres_url: str, server: FakeBotAPI, tmp_path: Path, option: str, reason: str
) -> None:
    """`?sslmode=require` against a PostgreSQL without SSL: the server is reached, and refuses once connected, which
    `newsbot stats` and the bot's start took for a failure worth retrying (exit 3). It is a setting to correct: one
    line naming the option, exit 2, and the bot does not wait for a server that will never do it."""
    with over_tcp(postgres_url) as url:
        settings = Settings(data_dir=tmp_path / "data", database_url=f"{url}?{option}")
        out, err = (process := newsbot(settings, "stats")).communicate(timeout=60)
        assert (process.returncode, out, len(err.splitlines())) == (EXIT_USAGE, "", 1), err
        assert reason in err and err.endswith(f"; check {option.partition('=')[0]} in DATABASE_URL\n"), err
        bot = spawn_bot(settings, server, tmp_path, NEWSBOT_SEMANTIC="off")
        bot.wait(timeout=60)
    said = (tmp_path / "bot.log").read_text()
    assert bot.returncode == EXIT_USAGE and reason in said and "not reachable" not in said, said
    assert len(said.strip().splitlines()) == 1 and server.calls() == [], said


def test_a_host_name_that_does_not_resolve_is_said_so(server: FakeBotAPI, tmp_path: Path) -> None:
    """A mistyped host in DATABASE_URL: `newsbot stats` said "database error: failed to resolve host 'dbhots':
    [Errno -2] Name or service not known". It says the host name does not resolve, and where to correct it, at once
    (exit 3: a name may not be known yet at a boot); the bot, which cannot tell a typo from that, says the same while
    it waits."""
    settings = Settings(data_dir=tmp_path / "data", database_url="postgresql://newsbot@no-such-host.invalid/news")
    said = (
        "the database's host name 'no-such-host.invalid' does not resolve (",
        "), at postgresql+psycopg://newsbot@no-such-host.invalid/news; check the host in DATABASE_URL",
    )
    started = time.monotonic()
    out, err = (process := newsbot(settings, "stats")).communicate(timeout=60)
    assert (process.returncode, out, len(err.splitlines())) == (EXIT_ERROR, "", 1), err
    assert err.startswith(f"newsbot: {said[0]}") and err.endswith(f"{said[1]}\n"), err
    assert time.monotonic() - started < 30
    bot = spawn_bot(settings, server, tmp_path, NEWSBOT_SEMANTIC="off")
    try:
        until_true(lambda: (tmp_path / "bot.log").read_text().count("trying again in") >= 2, 60)
        assert bot.poll() is None
    finally:
        bot.terminate()
        bot.wait(timeout=60)
    waits = (tmp_path / "bot.log").read_text().splitlines()
    assert all(said[0] in line and f"{said[1]}); trying again in" in line for line in waits[:2]), waits


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A file system of 4 MB of its own (tmpfs), to fill: the tests run as root, whom only a real full disk stops."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(path: Path, leave: int = 0) -> None:
    """Write zeros to `path` until its disk has at most `leave` bytes free."""
    with path.open("wb") as filler:
        while shutil.disk_usage(path.parent).free > leave:
            try:
                filler.write(bytes(min(65536, max(4096, shutil.disk_usage(path.parent).free - leave))))
                filler.flush()
            except OSError:
                return


def test_a_store_on_a_full_disk_is_said_to_be_on_a_full_disk(small_disk: Path, tmp_path: Path) -> None:
    """A full disk under the data directory: SQLite cannot make its -shm file beside the store, and `newsbot stats`,
    `ask` and the bot's start said only "database error: disk I/O error (PATH)". They say the disk is full, how much
    is free and what to do; an ingest filling the disk stops in one line, each article it stored whole; with room
    again every command works on what was stored."""
    settings = Settings(data_dir=small_disk / "data")
    env = {"NEWSBOT_SEMANTIC": "off"}
    assert newsbot(settings, "init", env=env).wait(timeout=120) == 0
    notices = tmp_path / "notices.jsonl"
    notices.write_text(
        "".join(
            f'{{"title": "Harbour notice {i}", "body": "{f"Pontoon {i} moorings are closed for repairs. " * 20}"}}\n'
            for i in range(600)
        )
    )
    fill(small_disk / "filler", leave=600_000)
    ingest = newsbot(settings, "ingest", str(notices), env=env)
    out, err = ingest.communicate(timeout=120)
    assert ingest.returncode == EXIT_ERROR and len(err.splitlines()) == 1 and "full" in err, (out, err)
    (small_disk / "filler").unlink()
    store = settings.data_dir / "newsbot.sqlite3"
    with closing(sqlite3.connect(store)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = connection.execute("SELECT count(*) FROM articles WHERE title LIKE 'Harbour notice %'").fetchone()[0]
    process = newsbot(settings, "stats", env=env)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0 and f"articles:   {stored + 1}\n" in out, (out, err)
    # Every connection closed, SQLite removed its -shm file: on a full disk it cannot make it again.
    assert not store.with_name("newsbot.sqlite3-shm").exists()
    fill(small_disk / "filler")
    for command in (("stats",), ("ask", "pontoon moorings")):
        process = newsbot(settings, *command, env=env)
        out, err = process.communicate(timeout=120)
        assert (process.returncode, out) == (EXIT_ERROR, ""), err
        assert err.startswith(f"newsbot: database error: disk I/O error ({store}): the disk holding it is full ("), err
        assert err.endswith(
            " kB free), and SQLite needs room beside the file (its -shm file) even to read; free some space, then try"
            " again\n"
        ), err
    (small_disk / "filler").unlink()
    process = newsbot(settings, "ask", "pontoon moorings", env=env)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0 and "Harbour notice" in out, (out, err)
