"""Helpers for the subscription, digest, delivery and alert tests: stories, stores, and a bot stand-in that runs
the real fan-out with a sender that records what it was given (the boundary where Telegram would be)."""

from __future__ import annotations

import asyncio
import atexit
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.models import Article, Rest
from bot.render.digests import render_alert, render_digest
from bot.services.budget import FloodBudget
from bot.services.deliveries import Outcome
from bot.services.fanout import FanOut, Report
from bot.services.presence import Presence
from bot.store import Store
from tests.html_check import check_telegram_html, visible_text

BOT = "newsbot_test_bot"
# A budget so large that pacing never makes a test wait.
UNLIMITED = FloodBudget(per_second=1e9, fanout_per_second=1e9)

# One event loop for every tick, as a bot process has: `asyncio.run` per tick made a loop and the worker threads of
# its `to_thread` calls each time, about a quarter of the CPU of a tick on SQLite (test_digests.py ticks bots
# thousands of times).
_ticks = asyncio.Runner(loop_factory=asyncio.new_event_loop)  # a loop of its own, never the thread's current one
atexit.register(_ticks.close)


def url_of(database_url: str, tmp_path: Path) -> str:
    return database_url or f"sqlite:///{tmp_path / 'store.sqlite3'}"


def story(
    title: str, category: str, published: datetime | None = None, lede: str = "", origin: str | None = None
) -> Article:
    """A story from a news site's feed or page (its origin is its address: undated, it is news by arrival), or
    from the file `origin`."""
    url = f"https://news.example/{category}/{title.lower().replace(' ', '-')}"
    return Article(
        title=title,
        paragraphs=(lede or f"{title}: what happened.", "More of it."),
        category=category,
        published=published,
        url=url,
        origin=origin or url,
    )


@dataclass
class Sent:
    chat_id: int
    messages: list[str]
    rests: tuple[Rest, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(visible_text(m) for m in self.messages)


@dataclass
class Reader:
    """What Telegram would have received, and how it answers each chat (sent, unless told otherwise)."""

    sent: list[Sent] = field(default_factory=list)
    answers: dict[int, Outcome] = field(default_factory=dict)

    async def send(
        self, chat_id: int, messages: Sequence[str], topic: int | None, kind: str = "", rests: Sequence[Rest] = ()
    ) -> Outcome:
        for message in messages:
            check_telegram_html(message)
        outcome = self.answers.get(chat_id, Outcome.sent())
        if outcome.status == "sent":
            self.sent.append(Sent(chat_id, list(messages), tuple(rests)))
        return outcome

    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


class Bot:
    """One bot process's digest and alert machinery on a store, ticked by the test's clock."""

    def __init__(self, store: Store, now: datetime, reader: Reader, grace: timedelta = timedelta(hours=2)) -> None:
        self.store = store
        self.reader = reader
        self.presence = Presence.join(store, now)
        self.fanout = FanOut(
            store,
            self.presence,
            lambda digest, zone: render_digest(digest, BOT, zone=zone),
            lambda digest, zone: render_alert(digest, BOT, zone=zone),
            budget=UNLIMITED,
            grace=grace,
        )

    def tick(self, now: datetime) -> Report:
        report = _ticks.run(self.fanout.run(lambda: now, self.reader.send))
        # Nothing of a tick runs on into the next (or into the next test's), as asyncio.run's cancelling once made
        # sure: the bot's own loop lives as long as this one.
        assert not asyncio.all_tasks(_ticks.get_loop())
        return report

    def run(
        self, start: datetime, end: datetime, step: timedelta, between: Callable[[datetime], None] | None = None
    ) -> None:
        """Tick from `start` to `end` (inclusive) every `step`; `between(now)` runs before each tick."""
        now = start
        while now <= end:
            if between is not None:
                between(now)
            self.tick(now)
            now += step
