"""What every handler shares: the typed `bot_data` and the context and application types built on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.config import Settings
from bot.library import Library
from bot.models import Command
from bot.services.digests import Digests
from bot.services.fanout import FanOut
from bot.services.feeds import FeedService
from bot.services.presence import Presence
from bot.services.subscriptions import Subscriptions
from bot.store import SavedQuery
from bot.tg.pages import Pages
from bot.tg.received import Journal
from bot.tg.troubles import Troubles


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Digesting:
    """A running bot's subscriptions, digests and fan-out (made in `post_init`, on the library's store)."""

    subscriptions: Subscriptions
    digests: Digests
    presence: Presence
    fanout: FanOut
    # One fan-out at a time in this process (the minute job, the start-up run, a test's tick).
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class BotData:
    """The application's `bot_data`: settings from `register`; the library, the feed service and the username from
    `post_init`."""

    settings: Settings = field(default_factory=Settings)
    # Whether the bot talks to the person at a terminal (`newsbot chat`), not to Telegram (`newsbot run`).
    in_terminal: bool = False
    # The bot's @username without the @, for deep links and mentions in groups.
    username: str = ""
    _library: Library | None = field(default=None, repr=False)
    # The time jobs, commands, digests and alerts go by: UTC now, or a test's own clock.
    clock: Callable[[], datetime] = field(default_factory=lambda: utc_now, repr=False)
    _feeds: FeedService | None = field(default=None, repr=False)
    # Each group's administrators as last read from Telegram (monotonic time of the read, their user ids).
    admins: dict[int, tuple[float, frozenset[int]]] = field(default_factory=dict, repr=False)
    # Chats seen active lately (monotonic time of the check), so a message from one needs no store read.
    seen: dict[int, float] = field(default_factory=dict, repr=False)
    _digesting: Digesting | None = field(default=None, repr=False)
    troubles: Troubles = field(default_factory=Troubles, repr=False)
    # The questions behind "More" buttons being saved now, by key: a press before the save is done reads them here.
    saving: dict[str, SavedQuery] = field(default_factory=dict, repr=False)
    # When each chat was last told that its questions are not in the articles' language (`ask.told_lately`).
    language_told: dict[int, datetime] = field(default_factory=dict, repr=False)
    # The page each answer paged lately shows, so a double tap of "More" searches once.
    pages: Pages = field(default_factory=Pages, repr=False)
    # Held by the one save that runs: under another process's long lock each waits up to a minute, and saves running
    # side by side would take every worker thread, which questions need.
    save_turn: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # The updates this process received and has not handled yet (from `post_init`).
    journal: Journal | None = field(default=None, repr=False)
    # Whether a /reindex runs in this process: another meanwhile would only build the same index again.
    reindexing: bool = False

    @property
    def command(self) -> Command:
        """The newsbot command running the bot, which the locks it takes record."""
        return Command.CHAT if self.in_terminal else Command.RUN

    @property
    def library(self) -> Library:
        """The open library (handlers run only between `post_init` and `post_shutdown`)."""
        if self._library is None:
            raise RuntimeError("the library is not open: post_init has not run, or post_shutdown has")
        return self._library

    @library.setter
    def library(self, library: Library) -> None:
        self._library = library

    def stopping(self) -> None:
        """The bot begins to stop: the library makes vectors no longer (it is closed in `post_shutdown`)."""
        if self._library is not None:
            self._library.stop()

    @property
    def digesting(self) -> Digesting:
        """Subscriptions, digests and fan-out (between `post_init` and `post_shutdown`)."""
        if self._digesting is None:
            raise RuntimeError("digests are not set up: post_init has not run, or post_shutdown has")
        return self._digesting

    @digesting.setter
    def digesting(self, digesting: Digesting) -> None:
        self._digesting = digesting

    def close_digesting(self) -> Digesting | None:
        """Forget the digest services and return them for closing, if they were set up."""
        digesting, self._digesting = self._digesting, None
        return digesting

    def close_library(self) -> Library | None:
        """Forget the library and return it for closing, if it was open."""
        library, self._library = self._library, None
        self._feeds = None
        return library

    @property
    def feeds(self) -> FeedService:
        """The feed service on the open library (made in `post_init`)."""
        if self._feeds is None:
            raise RuntimeError("the feed service is not open: post_init has not run, or post_shutdown has")
        return self._feeds

    @feeds.setter
    def feeds(self, feeds: FeedService) -> None:
        self._feeds = feeds


Context = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]
App = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)
