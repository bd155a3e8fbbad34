"""The record of the updates a bot receives (bot.tg.received.Journal) on SQLite and on PostgreSQL: the order a chat's
updates are handled in when a process sharing the store is gone, as claims in the store decide it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.services.presence import Presence
from bot.store import Received, Store, Worker
from bot.tg.received import Journal

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
    store: Store,
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
    journal = Journal(store, BOT_ID, Presence.join(store, NOW), lambda: NOW)
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
