"""What every handler shares: the typed `bot_data` and the context and application types built on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.config import Settings
from bot.library import Library
from bot.services.feeds import FeedService


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class BotData:
    """The application's `bot_data`: settings from `register`; the library, the feed service and the username from
    `post_init`."""

    settings: Settings = field(default_factory=Settings)
    # The bot's @username without the @, for deep links and mentions in groups.
    username: str = ""
    _library: Library | None = field(default=None, repr=False)
    # The time jobs and commands go by (time is passed in); tests move it on to make feeds due.
    clock: Callable[[], datetime] = field(default_factory=lambda: utc_now, repr=False)
    _feeds: FeedService | None = field(default=None, repr=False)

    @property
    def library(self) -> Library:
        """The open library (handlers run only between `post_init` and `post_shutdown`)."""
        if self._library is None:
            raise RuntimeError("the library is not open: post_init has not run, or post_shutdown has")
        return self._library

    @library.setter
    def library(self, library: Library) -> None:
        self._library = library

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
