"""What every handler shares: the typed `bot_data` and the context and application types built on it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.config import Settings
from bot.errors import NewsbotError, StoreError, StoreUnreachableError
from bot.lasting import Lasting
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

log = logging.getLogger(__name__)


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


# What the store out of reach means until it is back, said once as it begins.
STORE_MEANWHILE = (
    "; until it is back, readers are asked to try again in a few minutes, updates go unrecorded (a bot killed meanwhile"
    " loses those it is handling), and digests, alerts, feed polls and other processes' new articles wait for it"
)


@dataclass
class Troubles:
    """What the bot meets again and again while the store or Telegram is out of reach, each said as it begins,
    reminded every few minutes and its end said (bot.lasting). The store down is one trouble, whichever job or
    question meets it: each said it its own way, a PostgreSQL stopped under a running bot made seven warnings in
    17 s, and again each minute."""

    store: Lasting = field(
        default_factory=lambda: Lasting(log, "the store is not answering", STORE_MEANWHILE, "the store answers again")
    )
    telegram: Lasting = field(
        default_factory=lambda: Lasting(log, "cannot fetch updates from Telegram", "; polling tries again by itself")
    )
    conflict: Lasting = field(
        default_factory=lambda: Lasting(
            log,
            "Telegram gives this token's updates to another process",
            "; stop the other `newsbot run` with this token, or run several behind one webhook",
        )
    )
    # The store answering but failing or refusing (a write refused, a full or read-only disk, a lock held past the
    # wait): one trouble whichever jobs meet it. Each job said it its own way: a read-only disk made four warnings,
    # one per job, and each job's own end.
    refused: Lasting = field(
        default_factory=lambda: Lasting(
            log,
            "the store fails",
            "; the jobs that meet it try again (digests and alerts, feed polls and updates' records may wait)",
            "the store works again",
        )
    )
    # What fails other than the store, each its own trouble: the index damaged or unwritable, the vectors' files.
    index: Lasting = field(
        default_factory=lambda: Lasting(
            log,
            "cannot bring the index up to the store",
            "; questions are answered from it as it is",
            "the index follows the store again",
        )
    )
    vectors: Lasting = field(
        default_factory=lambda: Lasting(log, "cannot make paragraph vectors", over="making paragraph vectors again")
    )
    # Anything else a job meets (none known): named with the job.
    jobs: Lasting = field(default_factory=lambda: Lasting(log, "a job fails", over="the jobs work again"))
    answers: Lasting = field(
        default_factory=lambda: Lasting(
            log, "cannot answer from the store or the index", "; readers are asked to try again"
        )
    )

    def failed(self, job: str, error: NewsbotError, own: Lasting | None = None) -> None:
        """Say `error`, which `job` met, as the trouble of its cause: the store out of reach, the store failing, else
        the job's `own` (the index, the vectors' files) or any job's."""
        if isinstance(error, StoreUnreachableError):
            self.store.failed(error)
        elif isinstance(error, StoreError):
            self.refused.failed(error, by=job)
        else:
            (own or self.jobs).failed(error, by=job)

    def worked(self, job: str, reached: bool = True) -> None:
        """`job` worked: the troubles it met are over unless other jobs still meet them, and the store is in reach
        if it `reached` it (a vectors step begun before the store went away ends well while it is away)."""
        for trouble in (self.refused, self.index, self.vectors, self.jobs):
            trouble.ended(by=job)
        if reached:
            self.store.ended()


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
