"""The record of the updates a bot receives (bot.tg.received.Journal) on SQLite and on PostgreSQL: the order a chat's
updates are handled in when a process sharing the store is gone, as claims in the store decide it."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.services.presence import Presence
from bot.services.waiting_marks import WaitingMarks
from bot.store import Received, Store, Worker
from bot.store.engine import connect
from bot.tg.received import RECORD_WAIT_SECONDS, Journal
from bot.tg.troubles import Troubles
from tests.processes import free_port

NOW = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
BOT_ID = 7
ALICE = 42


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(database_url or f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield opened
    opened.close()


def message(update_id: int, text: str, bot: Bot) -> Update:
    """Alice's message `text`, as Telegram gives it to the bot."""
    payload = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(NOW.timestamp()),
            "chat": {"id": ALICE, "type": "private", "first_name": "Alice"},
            "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"},
            "text": text,
        },
    }
    update = Update.de_json(payload, bot)
    assert update is not None
    return update


async def test_a_beat_s_take_over_racing_a_chat_s_waiting_update_leaves_the_earlier_one_to_it_to_answer_first(
    store: Store, tmp_path: Path
) -> None:
    """A process killed while it held a chat's question; this process holds the chat's next message, waiting for
    it. This process's beat took the question over and queued it, behind the message waiting in the chat's turn:
    the message, no longer seeing another process hold an earlier one, was answered first, then the question. The
    beat leaves the question to the message's turn, which takes it over and handles it first."""
    bot = Bot("123:fake")
    killed = Worker("elsewhere:1:killed", "elsewhere", 1, NOW, NOW)
    store.beat(killed, NOW - timedelta(minutes=5), NOW - timedelta(days=1), NOW - timedelta(days=1))
    question = message(100, "Who became the youngest chess champion?", bot)
    record = Received(question.update_id, json.dumps(question.to_dict()), killed.worker_id, ALICE)
    assert store.receive_update(BOT_ID, record, NOW)
    journal = Journal(store, BOT_ID, Presence.join(store, NOW), lambda: NOW, WaitingMarks(tmp_path), Troubles())
    waiting = message(101, "/help", bot)
    assert await journal.received(waiting)

    # The beat, then the waiting message's turn (it looks every 0.1 s: the beat can come between two looks).
    queued = await asyncio.to_thread(journal.take_unhandled, bot)
    first: list[Update] = []

    async def handle(update: Update) -> None:
        first.append(update)

    await journal.turn(waiting, handle)
    # The turn handles what it took at once; the beat's go behind the waiting message, in the chat's order.
    handled = [update.update_id for update in (*first, waiting, *queued)]
    assert handled == [question.update_id, waiting.update_id]


def inline_query(update_id: int, query: str, bot: Bot) -> Update:
    """Alice's inline query `query`: an update that carries no date, so the same query numbered again reads the same."""
    payload = {
        "update_id": update_id,
        "inline_query": {
            "id": "5000001",
            "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"},
            "query": query,
            "offset": "",
            "chat_type": "sender",
        },
    }
    update = Update.de_json(payload, bot)
    assert update is not None
    return update


async def test_an_update_a_stopped_process_handled_is_new_when_a_restarted_server_numbers_it_again(
    store: Store, tmp_path: Path
) -> None:
    """A Bot API emulator started again numbers its updates from the start again, and an inline query carries no date:
    the same query as the first run's first update read exactly as that update, and was never answered ("update 1000
    was delivered again"). Telegram delivers again only what it was not told of, which a process tells it before
    handling: one a process now gone handled is a new update; one a live process handled, or none handled, is not."""
    bot = Bot("123:fake")
    query = inline_query(1000, "who painted the harbour mural?", bot)
    first = Journal(store, BOT_ID, Presence.join(store, NOW), lambda: NOW, WaitingMarks(tmp_path), Troubles())
    assert await first.received(query)
    await first.handled(query)
    assert not await first.received(query)  # delivered again to the process that handled it, still running
    first.presence.leave()

    later = NOW + timedelta(minutes=2)
    second = Journal(store, BOT_ID, Presence.join(store, later), lambda: later, WaitingMarks(tmp_path), Troubles())
    assert await second.received(query)
    assert not await second.received(query)  # and that one is known again, until it is handled


async def test_a_dated_update_a_killed_process_handled_before_telegram_was_told_is_not_handled_again(
    store: Store, tmp_path: Path
) -> None:
    """A bot killed with a batch of updates fetched (bench/soak.py: the backlog a start finds) had handled the batch's
    first ones while it recorded the rest, before its next getUpdates told Telegram of them: Telegram gave the whole
    batch to the next start, which took each handled one for a restarted server's and answered it again (8 to 13
    questions answered twice in a 4-minute soak). An update that carries its date (a message) is the same update when
    it reads the same; only a dateless one (an inline query) may be a restarted server's new one."""
    bot = Bot("123:fake")
    question = message(100, "Who became the youngest chess champion?", bot)
    killed = Journal(store, BOT_ID, Presence.join(store, NOW), lambda: NOW, WaitingMarks(tmp_path), Troubles())
    assert await killed.received(question)
    await killed.handled(question)
    killed.presence.leave()

    later = NOW + timedelta(minutes=2)
    second = Journal(store, BOT_ID, Presence.join(store, later), lambda: later, WaitingMarks(tmp_path), Troubles())
    assert not await second.received(question)


async def test_an_update_delivered_again_while_it_is_handled_is_still_marked_handled(
    store: Store, tmp_path: Path
) -> None:
    """Telegram delivers an update again (a webhook's 200 lost on its way) while this process handles it: the copy is
    not handled, and the first is still marked handled when it is done. The copy's "delivered again" forgot that the
    update was being handled here, so its mark was never written: the next start took it over and answered it a second
    time, and another process sharing the webhook held the chat's later messages a minute behind it."""
    bot = Bot("123:fake")
    question = message(100, "Who became the youngest chess champion?", bot)
    first = Journal(store, BOT_ID, Presence.join(store, NOW), lambda: NOW, WaitingMarks(tmp_path), Troubles())
    assert await first.received(question)
    assert not await first.received(question)  # the copy, while the first is handled
    await first.handled(question)
    first.presence.leave()

    later = NOW + timedelta(minutes=2)
    second = Journal(store, BOT_ID, Presence.join(store, later), lambda: later, WaitingMarks(tmp_path), Troubles())
    assert await asyncio.to_thread(second.take_unhandled, bot) == []


async def test_marks_a_stopped_process_left_waiting_are_written_before_a_take_over_and_a_running_one_s_stay(
    store: Store, tmp_path: Path
) -> None:
    """A process stopped while the store took no writes left its marks of handled updates in the data directory:
    the next take-over writes them first, so those updates are not handled again, and removes the file. A file of a
    process still running (its pid) is its own to write: it stays, its update taken over as any a gone process left."""
    bot = Bot("123:fake")
    killed = Worker("elsewhere:1:killed", "elsewhere", 1, NOW, NOW)
    store.beat(killed, NOW - timedelta(minutes=5), NOW - timedelta(days=1), NOW - timedelta(days=1))
    records = [
        Received(update.update_id, json.dumps(update.to_dict()), killed.worker_id, ALICE)
        for update in (message(100, "Who became the youngest chess champion?", bot), message(101, "/help", bot))
    ]
    for record in records:
        assert store.receive_update(BOT_ID, record, NOW)
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    stopped, running = tmp_path / f"{ended.pid}.a1b2c3.json", tmp_path / f"{os.getppid()}.d4e5f6.json"
    for path, record in ((stopped, records[0]), (running, records[1])):
        path.write_text(json.dumps([asdict(record)]))
    journal = Journal(store, BOT_ID, Presence.join(store, NOW), lambda: NOW, WaitingMarks(tmp_path), Troubles())
    taken = await asyncio.to_thread(journal.take_unhandled, bot)
    assert [update.update_id for update in taken] == [101]
    assert not stopped.exists() and running.exists()


async def test_updates_a_killed_process_could_not_record_are_taken_over_once_by_two_processes_and_its_answered_not(
    store: Store, tmp_path: Path
) -> None:
    """Updates the store did not record in time (here out of reach) were confirmed to Telegram all the same, and a
    kill lost the unanswered ones. Kept in the data directory (an answered one as its mark), two processes taking the
    file over at once record them and their claims decide: each unanswered update is taken once, the answered one by
    none, and the file is gone."""
    bot = Bot("123:fake")
    out_of_reach = Store(connect(f"postgresql+psycopg://newsbot:secret@127.0.0.1:{free_port()}/newsbot"))
    presence = Presence.join(store, NOW)
    killed = Journal(out_of_reach, BOT_ID, presence, lambda: NOW, WaitingMarks(tmp_path / "marks"), Troubles())
    questions = [message(100 + n, f"Question {n} about the harbour?", bot) for n in range(3)]
    for question in questions:
        assert await killed.received(question)
    await killed.handled(questions[1])
    out_of_reach.close()
    presence.leave()

    later = NOW + timedelta(minutes=2)
    # The other taker on another machine: two in this process would each take the other for a process gone (its pid).
    elsewhere = Presence(store, Worker("elsewhere:1:taker", "elsewhere", 1, later, later))
    elsewhere.beat(later)
    takers = [
        Journal(store, BOT_ID, presence, lambda: later, WaitingMarks(tmp_path / "marks"), Troubles())
        for presence in (Presence.join(store, later), elsewhere)
    ]
    taken = await asyncio.gather(*(asyncio.to_thread(taker.take_unhandled, bot) for taker in takers))
    assert sorted(update.update_id for updates in taken for update in updates) == [100, 102]
    assert list((tmp_path / "marks").iterdir()) == []
    assert not await takers[0].received(questions[1])  # handled: known if Telegram gave it again


async def test_marks_the_data_directory_cannot_keep_are_said_once_then_reminded_and_their_keeping_again_said(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A store out of reach and a data directory that takes no file (a disk gone read-only): each look at the
    waiting marks (a beat's, every few seconds) warned "cannot keep the updates ..." again. Said once, then debug
    lines, and once the directory takes them again, that it does."""
    caplog.set_level(logging.DEBUG, logger="bot.tg.received")
    bot = Bot("123:fake")
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data directory's folder of marks would be")
    out_of_reach = Store(connect(f"postgresql+psycopg://newsbot:secret@127.0.0.1:{free_port()}/newsbot"))
    journal = Journal(
        out_of_reach, BOT_ID, Presence.join(store, NOW), lambda: NOW, WaitingMarks(blocked / "marks"), Troubles()
    )
    update = message(100, "Who became the youngest chess champion?", bot)
    assert await journal.received(update)  # tried, and not recorded: it waits, then its mark
    await journal.handled(update)
    for _ in range(5):  # the beats' looks
        await asyncio.to_thread(journal.settle)
    unkept = [r for r in caplog.records if r.getMessage().startswith("cannot keep the updates waiting")]
    assert [r.levelname for r in unkept] == ["WARNING"] + ["DEBUG"] * 6, [r.getMessage() for r in unkept]
    blocked.unlink()
    await asyncio.to_thread(journal.settle)
    assert f"the updates waiting for the store can be kept in {blocked / 'marks'} again, after" in caplog.text
    assert [path.name for path in (blocked / "marks").iterdir()] == [journal.waiting.path.name]
    out_of_reach.close()


async def test_the_store_failing_to_record_updates_is_said_over_once_a_beat_writes_their_marks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The store refusing the record of an update (a full disk; here a trigger refusing every new row) is the bot's
    one "the store fails" trouble. Its end was said only when the next update was recorded, an hour later on a quiet
    bot: the trouble read as lasting all that while. The beat that writes the marks the failure left says it."""
    caplog.set_level(logging.INFO, logger="bot.tg.troubles")
    bot = Bot("123:fake")
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with closing(sqlite3.connect(tmp_path / "store.sqlite3")) as db:
        db.execute(
            "CREATE TRIGGER full_disk BEFORE INSERT ON received_updates"
            " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        db.commit()
        journal = Journal(store, BOT_ID, Presence.join(store, NOW), lambda: NOW, WaitingMarks(tmp_path), Troubles())
        update = message(100, "Who became the youngest chess champion?", bot)
        assert await journal.received(update)  # not recorded: answered all the same
        await journal.handled(update)
        assert "the store fails (record the updates received: " in caplog.text
        db.execute("DROP TRIGGER full_disk")
        db.commit()
    await asyncio.to_thread(journal.take_unhandled, bot)  # a beat
    assert "the store works again, after" in caplog.text
    store.close()


async def test_an_update_is_recorded_in_time_while_every_shared_thread_of_the_bot_is_busy(
    store: Store, tmp_path: Path
) -> None:
    """Answers, the vectors' and the followed articles' work fill the loop's shared threads while another process
    ingests: an update's record queued behind them and waited past RECORD_WAIT_SECONDS with the store answering
    (ops75: held, and answered by both bots on the token, the other having recorded it meanwhile). It has a thread
    of its own."""
    bot = Bot("123:fake")
    journal = Journal(store, BOT_ID, Presence.join(store, NOW), lambda: NOW, WaitingMarks(tmp_path), Troubles())
    update = message(100, "Who became the youngest chess champion?", bot)
    release = threading.Event()
    loop = asyncio.get_running_loop()
    # More than the loop's default executor has threads (at most 32).
    busy = [loop.run_in_executor(None, release.wait) for _ in range(40)]
    # Freed a while after the record's bound: a record that queued behind them is held, which takes a thread too.
    loop.call_later(RECORD_WAIT_SECONDS + 1, release.set)
    try:
        assert await journal.received(update)
        assert not journal.unwritable
        again = Received(update.update_id, json.dumps(update.to_dict()), "elsewhere:1:other", ALICE)
        assert not store.receive_update(BOT_ID, again, NOW)  # another process finds it recorded
    finally:
        release.set()
        await asyncio.gather(*busy)
