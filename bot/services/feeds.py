"""The feeds newsbot follows: add, list, remove, and polling them into the store and the index (no Telegram).

A poll round (`FeedService.poll`) claims feeds one at a time with a lease in the store (bot/store/feeds.py), up to
`feed_concurrency` at once, so several processes sharing one store fetch each feed once per interval. For each
feed: a conditional GET through the one network edge (bot/fetch.py, which never raises); parsing in a worker
thread; the pages of new or changed entries that carry only a summary (trafilatura, also in a thread); then one
store transaction records the outcome, writes the stories (the change log carries them to every process's index)
and releases the lease. This process's index catches up at most once per NEWSBOT_FOLLOW_SECONDS during a round
and at its end; other processes' indexes follow the change log themselves. Every store call runs in a thread, so
the event loop (the bot's answers) never waits for a database, a parser or a slow site; a site that hangs holds
one slot until its fetch times out, never the round.

Fail soft: a broken feed is recorded (status, reason, a growing back-off) and logged; the round goes on. A feed
failing for `feed_report_after_hours` yields one `FeedNotice` for the admins (and one more when it works again).
A process killed mid-poll has stored nothing of that feed: its lease expires and the next poll does it all;
stories are written by id and content, so nothing is doubled.

A story page that fails in a way a later read may mend (5xx, 429, a timeout, no connection) leaves the feed's
teaser standing in, and the entry records when to read the page again (the next poll, then after waits doubling
from the poll interval, `PAGE_READS` reads in all); the poll that reads it edits the story to its full text. A
404 or 410, a page too large or not an article is final: the teaser stays, its page read again only when the feed
changes the entry's link or words, or a week on (`PAGE_GIVEN_UP_WAIT`) when it changes only what it stamps on it (a
byline). An entry's date is no part of it (`entry_hash`): a feed dating every entry with the time it is served
changes none of them by that, and has no page read again and no story written again; a date the feed gives an entry
at two polls in a row is a correction, and the story is written once with it (`FeedStore.record`).

News or not: the entries of a feed's first complete poll are its back catalogue. They are written with the
change-log kind "backlog" and marked as such (stored and answerable; alerts follow "added" only, and an undated one
is no news to digests or /latest either: `StoredArticle.news_time`). Later polls write new stories as "added", edits
as "replaced" (an edit is not news).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from bot.config import Settings
from bot.errors import NotFeedYetError, StoreError, UsageError
from bot.fetch import FEED_ACCEPT, NOT_ASKED, Failed, Fetched, Fetcher, fetch_page, longest_wait
from bot.index.aside import pid_running
from bot.ingest import Order, Skipped
from bot.ingest.feeds import Feed, FeedEntry, discover_feeds, entry_identity, one_story, parse_feed, with_page
from bot.ingest.limits import MAX_URL_CHARS
from bot.ingest.urls import canonical_url, is_web_url, web_link
from bot.library import Library
from bot.models import Article, short_hash
from bot.render.markup import count
from bot.robots import Robots, site_of
from bot.store.feed_requests import FeedRequests
from bot.store.feeds import (
    FAILED,
    NOT_MODIFIED,
    OK,
    FeedRow,
    FeedStore,
    Outcome,
    Recorded,
    Seen,
    Story,
)
from bot.store.robots import RobotsStore

log = logging.getLogger(__name__)
# Marks a log line that repeats what the caller is given too (a poll's summary): a bot's log keeps it, while a
# one-off command, which prints the summary itself, leaves it out.
REPORTED = "reported"

# Not recorded in the store: another process holds the feed now (this poll's lease expired and was taken over).
TAKEN = "taken"
# Not fetched: its site had asked to be left a while (a 429 to another of its addresses, in this round or one
# before, by any process). No failure of the feed's: only its next poll moves, to when the site's wait is over.
HELD = "held"
# Story pages fetched at once for one feed.
PAGE_CONCURRENCY = 4
# Reads of a story page that keeps failing in a way a later read may mend, before its teaser is final: the next
# poll, then waits doubling from the poll interval up to the back-off cap (about 14 h with the defaults).
PAGE_READS = 8
# A story page given up (gone, or failing `PAGE_READS` reads) is read again this long after when the feed changes
# its entry meanwhile but neither the entry's link nor its words: a feed stamping every entry with the time it is
# served (in a byline; its date is no change: `entry_hash`) changes them all on every poll, and had each gone page
# read again on every poll.
PAGE_GIVEN_UP_WAIT = timedelta(days=7)
# A poll stops at this share of its lease, so it records its outcome before another process may take the feed.
DEADLINE_SHARE = 0.9
# A poll's story pages are read for at most this share of its deadline; those not read by then are a later poll's:
# pages that are slow to come or to read (megabytes of markup each) ran the poll past its deadline, and the feed
# failed with every story and page read thrown away, poll after poll.
PAGE_TIME_SHARE = 0.5
# A poll an admin asks for (/pollfeeds) leaves the feeds polled this recently, by any process: one pressed twice,
# or by two admins at once, fetches each feed once.
POLLED_JUST_NOW = timedelta(minutes=1)
# A story with fewer words than this is fingerprinted with its headline too: short texts ("Watch the video.")
# are shared by unrelated stories.
FINGERPRINT_MIN_WORDS = 30
_WORDS = re.compile(r"\w+")


# ---- identities ---------------------------------------------------------------------------------------------


def entry_key(article: Article) -> str:
    """Which entry of its feed a story is (see `entry_identity`), as the store keeps it."""
    return short_hash(entry_identity(article))


def entry_hash(entry: FeedEntry, whole: bool = False) -> str:
    """The entry as the feed shows it, its date and its link's query string aside: when it is unchanged, the story
    needs no new page fetch and no write. A feed dating every entry with the time it is served (`pubDate`,
    `updated`), or writing a new stamp into its links on every poll (`?ts=...`, a cache buster; no list of names
    could hold them all), had every page read again and every story written again on each poll; its story keeps the
    link it was first stored with, and its date until the feed corrects it (`FeedStore.record`). `whole`: with both,
    as the store kept it before (see `_shown_before`)."""
    article = entry.article
    if not whole:
        link = urlsplit(article.url)._replace(query="").geturl() if article.url else None
        article = replace(article, published=None, url=link)
    return short_hash(f"{article.content_hash}|{entry.summary_only}")


def _shown_before(known: Seen, entry: FeedEntry) -> bool:
    """Whether the feed shows the entry as it did when the store last kept it (see `entry_hash`). A hash kept of the
    whole entry (before its date and query string were left out) matches too: an upgraded store would otherwise
    read every page again once and write every story again."""
    return known.entry_hash in (entry_hash(entry), entry_hash(entry, whole=True))


def fingerprint(article: Article) -> str:
    """The story's words, without case, punctuation or spacing: the same story under another link matches."""
    words = _WORDS.findall(" ".join(article.paragraphs).casefold())
    if len(words) < FINGERPRINT_MIN_WORDS:
        words = _WORDS.findall(article.title.casefold()) + words
    return short_hash("words:" + " ".join(words))


# ---- results ------------------------------------------------------------------------------------------------


def _duration(delta: timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes == 0:
        return "less than a minute"  # not "0 min ago"
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes / 60:.0f} h" if minutes < 48 * 60 else f"{minutes / 1440:.0f} days"


@dataclass(frozen=True)
class FeedNotice:
    """What the admins should be told about a feed, once: it has failed for a long time, its site says it is gone
    for good (410), or it works again."""

    url: str
    title: str
    failing_since: datetime
    reason: str
    recovered: bool = False
    gone: bool = False
    paused: bool = False

    def text(self, now: datetime) -> str:
        name = f"{self.title} ({self.url})" if self.title and self.title != self.url else self.url
        if self.gone and self.paused:
            return (
                f"The feed {name} is gone for good, its site says ({self.reason}): it is no longer polled. Remove it,"
                " follow its new address if it has one, or add it again to poll it again."
            )
        if self.paused:
            return (
                f"The feed {name} has failed for {_duration(now - self.failing_since)} ({self.reason}): it is no"
                " longer polled. Remove it, or add it again to poll it again."
            )
        if self.recovered:
            return f"The feed {name} works again (it had failed since {self.failing_since:%Y-%m-%d %H:%M} UTC)."
        if self.gone:
            return (
                f"The feed {name} is gone for good, its site says ({self.reason}): remove it, or follow its new"
                " address if it has one."
            )
        return f"The feed {name} has failed for {_duration(now - self.failing_since)}: {self.reason}"


@dataclass(frozen=True)
class FeedPoll:
    """What polling one feed did."""

    feed: FeedRow  # as it was when claimed
    # OK, NOT_MODIFIED, FAILED, HELD (not fetched: its site asked to be left), or TAKEN (nothing recorded: another
    # process holds the feed now)
    status: str
    reason: str = ""
    added: int = 0  # news
    backlog: int = 0  # new to the store on the feed's first poll: not news
    edited: int = 0
    unchanged: int = 0  # entries shown before and not changed (or written again unchanged)
    duplicates: int = 0  # stories stored before, from another feed or under another link
    problems: tuple[Skipped, ...] = ()  # entries or story pages that could not be read
    deferred: int = 0  # entries left for the next poll (page budget, or a page with no teaser to fall back on)
    retrying: int = 0  # stories holding their teaser whose page a later poll reads again
    queued: int = 0  # stories holding their teaser whose page waits for the page budget of a later poll
    polled_at: datetime | None = None
    next_poll_at: datetime | None = None
    notice: FeedNotice | None = None
    moved_to: str | None = None  # the feed's new address: its old one redirects there for good (301, 308)
    # What reading the feed warned of: read leniently (broken XML), or it moved where another feed is followed.
    warning: str = ""
    paused: bool = False  # failing for long, the feed is no longer polled (see `Settings.feed_pause_after_days`)
    resumed: datetime | None = None  # added again while paused (since then), this poll resumed it

    @property
    def stored(self) -> int:
        """Stories this poll wrote to the store (new, back catalogue, edited)."""
        return self.added + self.backlog + self.edited

    def summary(self) -> str:
        """One line for an operator: what happened and what comes next."""
        if self.status == TAKEN:
            return "not recorded: the feed was removed, or another process took it over"
        wait = (
            f"next poll in {_duration(self.next_poll_at - self.polled_at)}"
            if self.next_poll_at and self.polled_at
            else ""
        )
        if self.paused:
            wait = "paused: no longer polled until it is added again"
        if self.status == HELD:
            return f"{self.reason}; {wait}"
        if self.status == FAILED:
            read = [f"{count(self.edited, 'story', 'stories')} read from their pages"]
            pages = [f"{count(self.retrying, 'page')} to read again later"]
            parts = (read if self.edited else []) + (pages if self.retrying else []) + _tally(self.problems)
            return "; ".join([f"failed: {self.reason}", *([", ".join(parts)] if parts else []), wait])
        moved = [f"moved for good to {self.moved_to}, polled there from now on"] if self.moved_to else []
        if self.resumed:
            moved.insert(0, f"resumed: it had been paused since {self.resumed:%Y-%m-%d %H:%M} UTC")
        warning = [self.warning] if self.warning else []
        if self.status == NOT_MODIFIED:
            return ", ".join([*moved, "not modified", *warning]) + f"; {wait}"
        parts = [*moved, f"{self.added:,} new"]
        if self.backlog:
            parts.append(f"{self.backlog:,} back catalogue (not alerted)")
        parts += [f"{self.edited:,} edited", f"{self.unchanged:,} unchanged"]
        if self.duplicates:
            parts.append(count(self.duplicates, "duplicate"))
        if self.deferred:
            parts.append(f"{self.deferred:,} left for the next poll")
        if self.queued:
            parts.append(f"{self.queued:,} with the feed's summary until later polls read their pages")
        if self.retrying:
            parts.append(f"{count(self.retrying, 'page')} to read again later")
        parts += _tally(self.problems) + warning
        return ", ".join(parts) + f"; {wait}"


def _tally(problems: Sequence[Skipped]) -> list[str]:
    """How many problems and notes: a note (a paywalled page, an unreadable date) went in, and is told apart
    from what could not be read."""
    notes = sum(problem.note for problem in problems)
    found = [count(unread, "problem")] if (unread := len(problems) - notes) else []
    return found + ([count(notes, "note")] if notes else [])


@dataclass
class PollReport:
    """What one poll round did, feed by feed (in the order they finished)."""

    polls: list[FeedPoll] = field(default_factory=list)

    @property
    def notices(self) -> list[FeedNotice]:
        return [p.notice for p in self.polls if p.notice is not None]

    def tally(self, paused: int) -> str:
        """One line for the round: the feeds polled, their new stories, back catalogue and failures, and the
        `paused` feeds it did not poll."""
        failed = sum(p.status == FAILED for p in self.polls)
        news, backlog = sum(p.added for p in self.polls), sum(p.backlog for p in self.polls)
        stories = f"{news:,} new {'story' if news == 1 else 'stories'}"
        polled = f"{len(self.polls):,} {'feed' if len(self.polls) == 1 else 'feeds'}"
        tally = f"{polled} polled: {stories}, {backlog:,} back catalogue, {failed:,} failed"
        return tally + (f", {paused} paused (not polled)" if paused else "")

    @property
    def failed(self) -> bool:
        """Every feed polled failed."""
        return bool(self.polls) and all(p.status == FAILED for p in self.polls)


def describe_feed(feed: FeedRow, now: datetime, resume: str = "adding it again") -> str:
    """Two lines about a feed for an operator: which it is, then its stories and its last and next poll; a paused
    feed's since when and why, and `resume`, the command that polls it again (in the words of the CLI or the bot)."""
    category = feed.category or "from its entries"
    name = f"{feed.title} <{feed.url}>" if feed.title else feed.url
    head = f"{feed.id}. {name} (category: {category})"
    if feed.last_polled_at is None:
        return f"{head}\n   not polled yet; due now"
    state = feed.last_status + (f" ({feed.last_reason})" if feed.last_reason else "")
    failing = ""
    if feed.failures > 1:
        since = f" since {feed.failing_since:%Y-%m-%d %H:%M} UTC" if feed.failing_since else ""
        failing = f", {feed.failures} failures in a row{since}"
    held = False
    if feed.paused_at is not None:
        # It said "add it again to poll it again", naming neither the command nor since when its site said it is gone.
        absent = f", its site saying since {feed.absent_since:%Y-%m-%d %H:%M} UTC that it is not there"
        why = absent if feed.absent_since else ""
        when = f"paused since {feed.paused_at:%Y-%m-%d %H:%M} UTC{why}, not polled; {resume} polls it again"
    elif feed.lease_holder is not None and feed.lease_until is not None and feed.lease_until > now:
        when = "being polled now"
    elif feed.next_poll_at <= now:
        when = "due now"
    else:
        when = f"next poll in {_duration(feed.next_poll_at - now)}"
        held = feed.last_reason.startswith(NOT_ASKED)
    ago = _duration(now - feed.last_polled_at)
    # Pages that failed and pages of a back catalogue beyond a poll's page budget, read on later polls.
    waiting = f" ({feed.waiting:,} with the feed's summary until their pages are read)" if feed.waiting else ""
    stories = count(feed.articles, "story", "stories")
    if feed.copy_of is not None:
        # Its stories were counted as its own, where its polls said to remove it.
        stories = f"a copy of feed {feed.copy_of}: {stories}, all feed {feed.copy_of}'s, 0 of its own"
    stories += waiting
    if held:
        # Its last round left it unfetched (`HELD`): "last poll 1 min ago: new (not asked: ...); next poll in 59
        # min" read as a poll that had happened, of a status it never had.
        read = f"last read {_duration(now - feed.last_ok_at)} ago" if feed.last_ok_at else "not read yet"
        why = feed.last_reason.removeprefix(NOT_ASKED)
        # To the nearest minute, as the wait is: a wait asked of a fetch ends a fraction of a second before the hour.
        at = feed.next_poll_at + timedelta(seconds=30)
        tried = f"tried at {at:%H:%M} UTC, in {_duration(feed.next_poll_at - now)}"
        left = f"not asked {ago} ago, its site having asked to be left{why}"
        return f"{head}\n   {stories}; {read}{failing}; {left}; {tried}"
    return f"{head}\n   {stories}; last poll {ago} ago: {state}{failing}; {when}"


def describe_paused(feed: FeedRow, resume: str) -> str:
    """One line for an operator polling by hand: a feed no poll reads, why, and how to poll it again (`resume`:
    the command that does, in the words of the CLI or the bot)."""
    assert feed.paused_at is not None
    why = f" ({feed.last_reason})" if feed.last_reason else ""
    return f"{feed.url}: paused since {feed.paused_at:%Y-%m-%d %H:%M} UTC{why}, not polled; {resume} polls it again"


@dataclass
class _Read:
    """A feed fetched and read, before anything is stored."""

    status: str
    reason: str = ""
    fetched: Fetched | None = None
    feed: Feed | None = None
    stories: list[Story] = field(default_factory=list)
    unchanged: int = 0
    duplicates: int = 0  # entries the feed lists twice
    problems: list[Skipped] = field(default_factory=list)
    deferred: int = 0
    retrying: int = 0
    queued: int = 0
    gone: bool = False  # the feed's address answered 410 Gone
    # Failed in a way that counts towards the pause: its site says the feed is not there (404, 410, not a feed),
    # or answers but sends it too slowly to read.
    final: bool = False
    moved_to: str | None = None  # see `Outcome`
    redirected_to: str | None = None
    retry_after: timedelta | None = None  # the wait its site asked for (see `Failed.retry_after`)
    # Entries under a new key shown as a story the feed lists no more (`entry_hash`) but dated after it: by key, that
    # story. The next of a series under one headline (a daily briefing at `?date=...`) unless its page says it is
    # that story (see `_new_story`).
    newer: dict[str, Seen] = field(default_factory=dict)
    # The dates the feed gave entries of its stories shown unchanged, where not the story's: by key.
    dates: dict[str, datetime] = field(default_factory=dict)
    unreadable_told: str | None = None  # see `Outcome.unreadable_told`


@dataclass(frozen=True)
class _Page:
    """A story page read: the story on it (None if it could not be read), what went wrong, and whether a later
    read may mend it (the site answered 5xx or 429, timed out or could not be reached)."""

    story: Article | None
    problems: list[Skipped]
    retry: bool = False
    retry_after: timedelta | None = None  # the wait its site asked for (see `Failed.retry_after`)
    held: bool = False  # not fetched: its site had asked to be left (see `Failed.held`)
    # Not fetched: its site's robots.txt disallows it; asked for again once the rules are read again (then).
    asked_again_at: datetime | None = None


_UNREAD = _Page(None, [])


def _holder() -> str:
    """Who holds a lease: this host and process, and this poll round."""
    return f"{_host()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _host() -> str:
    return socket.gethostname()[:32]


# ---- the service --------------------------------------------------------------------------------------------


class FeedService:
    """Feeds for the CLI and the Telegram layer: every method is a coroutine that never blocks the event loop."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.settings: Settings = library.settings
        # How a note said each feed's dates in numbers are read (by feed id): a poll says it again only when
        # their order changes, not on every poll (in this process; another process says it once too).
        self._dates_told: dict[int, Order] = {}
        # The robots.txt of the sites whose story pages polls read, kept a while (see bot/robots.py).
        self._robots = Robots(self.settings.user_agent, lambda: self.robots_store)

    @property
    def store(self) -> FeedStore:
        # The library's store as it is now: a store replaced under the process is reopened on a new engine, and one
        # kept from the start read the old file's path with connections the store's close never closed.
        return FeedStore(self.library.store.engine)

    @property
    def robots_store(self) -> RobotsStore:
        return RobotsStore(self.library.store.engine)

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.settings.feed_poll_minutes)

    @property
    def _cap(self) -> timedelta:
        """The longest a feed waits between polls, or a site is left (see `_backoff`)."""
        return longest_wait(self.settings)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.feed_lease_seconds)

    # ---- the list of feeds ----------------------------------------------------------------------------------

    async def feeds(self) -> list[FeedRow]:
        """Every feed followed, oldest first, with its last poll and its number of stories in the store."""
        return await asyncio.to_thread(self.store.listing)

    async def paused(self) -> list[FeedRow]:
        """The feeds no longer polled, their site having said for long that they are not there."""
        return await asyncio.to_thread(self.store.paused)

    async def find(self, url_or_id: str) -> FeedRow | None:
        """The feed with this number, else at this URL (as typed or canonical), else the one that moved from it or
        that last redirected there for now (`add` says it is followed already as that one)."""
        text = url_or_id.strip()
        if text.isdigit():
            return await asyncio.to_thread(self.store.get, int(text))
        url = web_link(text) or canonical_url(text)
        return await asyncio.to_thread(self.store.find, url) or await asyncio.to_thread(self.store.following, [url])

    async def remove(self, url_or_id: str) -> FeedRow:
        """Stop following a feed (its stories stay); UsageError if it is not followed."""
        feed = await self.find(url_or_id)
        if feed is None or not await asyncio.to_thread(self.store.remove, feed.id):
            raise UsageError(f"no feed {url_or_id.strip()!r} is followed")
        log.info("feeds: removed %s", feed.url)
        return feed

    async def add(
        self,
        url: str,
        category: str | None = None,
        added_by: str = "",
        now: datetime | None = None,
        anyway: bool = False,
    ) -> FeedPoll:
        """Follow the feed at `url` and read it at once; returns that first poll.

        A web page that names its feed (`<link rel="alternate">`, as a site's home page does) has that feed
        followed instead, and the poll's warning says so. Refused with a UsageError (nothing stored): not an
        http(s) URL, followed already, an address newsbot may not fetch, an answer that cannot pass with time (404,
        too large), not a feed. A site that is down now is followed all the same, its first poll recorded as failed.
        What a feed not live yet answers (a host name that does not exist, a 404 or 403, a page that is no feed) is
        refused with a NotFeedYetError, unless `anyway`: then it is followed, its first poll recorded as failed.
        """
        added = await self._add(url, category, added_by, now, anyway=anyway)
        if isinstance(added, FeedPoll):
            if (copied := await self._copy_of(added)) is None:
                return added
            # Kept (it may list older stories than the one followed, or go on where that one stops), but said.
            told = (
                f"its stories are all feed {copied.id}'s ({copied.url}), followed already: if it is that feed under"
                f" another address, remove this one (feed {added.feed.id})"
            )
            return replace(added, warning=", ".join(w for w in (added.warning, told) if w))
        page, named, reason = added
        try:
            poll = await self._add(named, category, added_by, now, page)
        except UsageError as exc:
            raise UsageError(f"cannot follow {page}: {reason}, and {exc}") from exc
        assert isinstance(poll, FeedPoll)
        if (copied := await self._copy_of(poll)) is not None:
            # The site's feed under another address than the one followed: its stories came in as duplicates
            # only, and the admin, who gave the site's page, learnt nothing of it being followed already.
            await asyncio.to_thread(self.store.remove, poll.feed.id)
            raise UsageError(
                f"the web page {page} names the feed {poll.feed.url}, whose stories are all those of feed"
                f" {copied.id} ({copied.url}): the site's feed is followed already"
            )
        told = f"the web page {page} names this feed: followed instead"
        return replace(poll, warning=", ".join(w for w in (told, poll.warning) if w))

    async def ask_anyway(self, chat_id: int, url: str, category: str | None, now: datetime) -> str:
        """Keep an add refused as not live yet (`NotFeedYetError`) for a button that adds it all the same; returns
        the key the button carries."""
        return await asyncio.to_thread(FeedRequests(self.library.store.engine).ask, chat_id, url, category, now)

    async def take_anyway(self, key: str, chat_id: int, update_id: int, now: datetime) -> tuple[str, str | None] | None:
        """The address and category a button's add all the same asks for, taken once (by the press that is update
        `update_id`); None if another press took it, or it is too old."""
        return await asyncio.to_thread(FeedRequests(self.library.store.engine).take, key, chat_id, update_id, now)

    async def _copy_of(self, poll: FeedPoll) -> FeedRow | None:
        """After a first poll that stored nothing and found duplicates: the feed already followed that stored
        every story of this one, if there is one."""
        if poll.status != OK or poll.stored or not poll.duplicates:
            return None
        return await asyncio.to_thread(self.store.copy_of, poll.feed.id)

    async def _add(
        self,
        url: str,
        category: str | None,
        added_by: str,
        now: datetime | None,
        page: str | None = None,
        anyway: bool = False,
    ) -> FeedPoll | tuple[str, str, str]:
        """`add`, or for a web page that names its feed (and is not itself named by one: `page`), the page's
        address, the feed's, and why the page is not followed itself."""
        # An address typed without its scheme ("feeds.paper.example/rss.xml") is read as https, as a browser does.
        url = web_link(url) or canonical_url(url)
        if (paused := await asyncio.to_thread(self.store.find, url)) and paused.paused_at is not None:
            return await self._resume(paused, now or datetime.now(UTC))
        if not is_web_url(url):
            # A path or file URL: the feed was saved as a file, which ingest reads.
            saved = (
                "; a feed saved as a file goes in with: newsbot ingest FILE"
                if "://" not in url[:12] or url.startswith("file:")
                else ""
            )
            raise UsageError(f"not a feed address: {url[:100]!r} (give an http:// or https:// URL{saved})")
        if len(url) > MAX_URL_CHARS:
            raise UsageError(f"a feed address may have at most {MAX_URL_CHARS:,} characters")
        await self._not_followed(url, [url])
        category = await self._category(category)
        now = now or datetime.now(UTC)
        moved_to = None
        async with self._fetcher(now) as fetcher:
            fetched = await fetcher.get(url, accept=FEED_ACCEPT)
            if isinstance(fetched, Failed) and not (anyway and _not_live_yet(fetched)):
                # A host name that does not exist was followed silently, its polls failing until it was paused.
                if fetched.nameless:
                    raise NotFeedYetError(f"cannot follow {url}: {fetched.reason} (no such host: is it typed right?)")
                if _not_live_yet(fetched):
                    raise NotFeedYetError(f"cannot follow {url}: {fetched.reason}")
                if not fetched.retry:
                    raise UsageError(f"cannot follow {url}: {fetched.reason}")
            if isinstance(fetched, Fetched):
                moved_to, redirected_to = _addresses(url, fetched)
                await self._not_followed(url, [a for a in (moved_to, redirected_to) if a])
                parsed = await asyncio.to_thread(
                    parse_feed, fetched.body, fetched.final_url, category, fetched.content_type
                )
                if isinstance(parsed, Skipped):
                    named = None if page else await asyncio.to_thread(discover_feeds, fetched.body, fetched.final_url)
                    if named:
                        return url, named[0], parsed.reason
                    if not anyway:
                        raise NotFeedYetError(f"cannot follow {url}: {parsed.reason}")
            # An address that has moved for good is followed where it moved (`feeds list` shows that one). The one
            # it moved from, or the page that named it, finds it too (to remove it, or say it is followed).
            # Added leased for its first poll: added due, then claimed, it could go to a poll round in between (this
            # process's own, every NEWSBOT_FEED_CHECK_SECONDS), and the admin heard "Another poll is reading it".
            holder = _holder()
            feed, added = await asyncio.to_thread(
                self.store.add, moved_to or url, category, added_by, now, url if moved_to else page, holder, self.lease
            )
            if not added:
                raise UsageError(f"{feed.url} is followed already")
            log.info("feeds: added %s", url)
            poll = await self._poll_claimed(fetcher, feed, holder, now, fetched)
            await self._keep_waits(fetcher, now)
        if moved_to:  # its summary says the address typed is not the one followed
            poll = replace(poll, moved_to=moved_to)
        if poll.stored:
            await self._catch_up()
        return poll

    async def _resume(self, feed: FeedRow, now: datetime) -> FeedPoll:
        """Poll a paused feed again, at once and then as any other."""
        holder = _holder()
        claimed = await asyncio.to_thread(self.store.resume, feed.id, now, holder, self.lease)
        if claimed is None:  # another process's resume, polling it now
            return FeedPoll(feed, TAKEN)
        log.info("feeds: resumed %s", feed.url)
        async with self._fetcher(now) as fetcher:
            poll = await self._poll_claimed(fetcher, claimed, holder, now)
            await self._keep_waits(fetcher, now)
        if poll.stored:
            await self._catch_up()
        return replace(poll, resumed=feed.paused_at)

    async def _not_followed(self, url: str, addresses: list[str]) -> None:
        """UsageError if a feed followed is at one of these addresses (`url` or where it leads), moved from it, or
        redirects there: following it again would store every story twice."""
        if addresses and (known := await asyncio.to_thread(self.store.following, addresses)) is not None:
            raise UsageError(f"{url} is followed already" + (f" as {known.url}" if known.url != url else ""))

    async def _category(self, category: str | None) -> str | None:
        """The category as typed, in the spelling of a known one that matches it ignoring case."""
        if category is None or not category.strip():
            return None
        wanted = " ".join(category.split())
        known = await asyncio.to_thread(self.library.store.categories)
        return next((name for name, _ in known if name.casefold() == wanted.casefold()), wanted)

    # ---- polling --------------------------------------------------------------------------------------------

    async def due(self, now: datetime, every: bool = False, polled_before: datetime | None = None) -> int:
        """How many feeds a poll round started now would take (for a progress bar), with `poll`'s arguments."""
        await self._free_leases_of_the_dead(now)
        return await asyncio.to_thread(self.store.claimable, now, every, _round_start(now, polled_before))

    async def _free_leases_of_the_dead(self, now: datetime) -> None:
        """Give back the leases of poll rounds whose process on this host is gone (killed mid-poll): their feeds
        are polled again now rather than when the lease runs out. Other hosts' leases run out as they were set."""
        for holder in await asyncio.to_thread(self.store.lease_holders, now):
            host, _, rest = holder.partition(":")
            pid = rest.partition(":")[0]
            if host == _host() and pid.isdecimal() and int(pid) != os.getpid() and not pid_running(int(pid)):
                log.info("feeds: the poll round %s is gone (its process ended); its feeds are free again", holder)
                await asyncio.to_thread(self.store.release, holder)

    async def poll(
        self,
        now: datetime,
        every: bool = False,
        on_poll: Callable[[FeedPoll], object] | None = None,
        polled_before: datetime | None = None,
    ) -> PollReport:
        """Poll the feeds that are due (with `every`: all of them), each at most once, `feed_concurrency` at a
        time, leaving those polled since `polled_before` (by default, since `now`: by this round); `on_poll` hears
        of each feed as it finishes. What the admins should be told is in `report.notices`. Leases run on the
        clock from `now` on; what is recorded is as of `now`."""
        clock = _clock(now)
        holder = _holder()
        report = PollReport()
        since = _round_start(now, polled_before)
        await self._free_leases_of_the_dead(now)
        indexed = time.monotonic()
        # A claim runs on in its thread when the round is cancelled, and may commit after the round gave its
        # leases back; the guard makes "stopped" and a claim exclusive, so nothing is claimed after the give-back.
        guard = threading.Lock()
        stopped = False

        def claim() -> FeedRow | None:
            with guard:
                return None if stopped else self.store.claim(holder, clock(), self.lease, since, every)

        async def worker(fetcher: Fetcher) -> None:
            nonlocal indexed
            while feed := await asyncio.to_thread(claim):
                result = await self._poll_claimed(fetcher, feed, holder, now)
                await self._keep_waits(fetcher, now)
                report.polls.append(result)
                if result.stored and time.monotonic() - indexed >= self.settings.follow_seconds:
                    indexed = time.monotonic()
                    await self._catch_up()
                if on_poll is not None:
                    on_poll(result)

        try:
            async with self._fetcher(now) as fetcher:
                ended = await asyncio.gather(
                    *(worker(fetcher) for _ in range(self.settings.feed_concurrency)), return_exceptions=True
                )
        except BaseException:
            # Stopped: the workers gave back the feeds they were polling; a claim still in its thread took one
            # no worker will poll. Synchronous, as in `_poll_claimed`: this task is being cancelled.
            with guard:
                stopped = True
            self._release(holder)
            raise
        if any(p.stored for p in report.polls):
            await self._catch_up()
        # Claiming failed (the store is unreachable): after the other workers finished their feeds.
        if errors := [e for e in ended if isinstance(e, BaseException)]:
            raise errors[0]
        return report

    @asynccontextmanager
    async def _fetcher(self, now: datetime) -> AsyncIterator[Fetcher]:
        """A fetcher that leaves the sites that asked to be left (of this process or another) until a time after
        `now`: a round began with every site free, and asked again a site whose hour had only begun."""
        waits = await asyncio.to_thread(self.store.waiting_sites, now)
        async with Fetcher(self.settings) as fetcher:
            fetcher.leave(waits, now)
            yield fetcher

    async def _keep_waits(self, fetcher: Fetcher, now: datetime) -> None:
        """Keep in the store the waits sites have asked of `fetcher` since the last call, for every round and
        process after this one; as of `now`, the round's start, as its feeds' next polls are (a feed limited by
        its own 429 is due when its site's wait is over), and never past the back-off cap, as theirs. A store that
        fails loses them (logged): this round still leaves those sites."""
        if waits := fetcher.asked(now):
            await asyncio.to_thread(self.library.keep_site_waits, waits, now)

    async def _catch_up(self) -> None:
        """Bring this process's index up to the store. During a round at most once per NEWSBOT_FOLLOW_SECONDS
        (and once at its end): a catch-up costs about 0.2 s however little it adds (the index's writer, a commit),
        so one per feed would halve the round's speed (bench/ingest.py). Other processes' indexes follow the
        store's change log on their own."""
        await asyncio.to_thread(self.library.follower.catch_up)

    async def _poll_claimed(
        self,
        fetcher: Fetcher,
        feed: FeedRow,
        holder: str,
        now: datetime,
        fetched: Fetched | Failed | None = None,
    ) -> FeedPoll:
        """Poll a feed this holder has leased, record the outcome as of `now` (the round's start, so a feed is
        due again one interval after the round that polled it), and release the lease (whatever happens)."""
        deadline = self.settings.feed_lease_seconds * DEADLINE_SHARE
        try:
            try:
                async with asyncio.timeout(deadline):
                    read = await self._read(fetcher, feed, now, fetched)
            except TimeoutError:
                read = _Read(FAILED, f"the poll took longer than {deadline:g} s")
            except Exception as exc:  # a bug must not stop the round: the feed is recorded as failed
                log.exception("feeds: polling %s failed unexpectedly", feed.url)
                read = _Read(FAILED, f"unexpected {type(exc).__name__}: {exc}")
            return await self._record(feed, holder, now, read)
        except Exception as exc:  # the store failed: this feed is not recorded, the round goes on
            # A StoreError says what failed and what to do (a read-only disk, a store gone): its traceback, and the
            # release's after it, buried that line twice a poll. A surprise keeps its traceback.
            log.warning(
                "feeds: could not record the poll of %s: %s", feed.url, exc, exc_info=not isinstance(exc, StoreError)
            )
            await asyncio.to_thread(self._release, holder, feed)
            return FeedPoll(feed, FAILED, f"not recorded: {exc}")
        except BaseException:
            # Stopped (the bot shutting down): give the feed back rather than make every process wait for the
            # lease to expire. Synchronous on purpose: this task is being cancelled and must not await.
            self._release(holder, feed)
            raise

    def _release(self, holder: str, feed: FeedRow | None = None) -> None:
        """Give back the holder's lease on `feed` (or on every feed); if the store fails, the lease expires."""
        try:
            self.store.release(holder, feed.id if feed else None)
        except Exception as exc:
            what = feed.url if feed else f"the feeds of {holder}"
            log.warning(
                "feeds: could not release %s; its lease will expire: %s",
                what,
                exc,
                exc_info=not isinstance(exc, StoreError),
            )

    async def _read(
        self, fetcher: Fetcher, feed: FeedRow, now: datetime, fetched: Fetched | Failed | None, named: bool = False
    ) -> _Read:
        """Fetch and read the feed (unless `fetched` already) and the pages of its new stories. A web page in its
        place that names a feed (a site that moved its feed and serves its home page at the old address) has that
        feed read, as if redirected there, unless the feed read is already one a page named (`named`)."""
        if fetched is None:
            fetched = await fetcher.get(feed.url, feed.etag, feed.last_modified, accept=FEED_ACCEPT)
        if isinstance(fetched, Failed) and fetched.held:
            return _Read(HELD, fetched.reason, retry_after=fetched.retry_after)
        if isinstance(fetched, Failed):
            # A feed trickled too slowly to read, day after day, is no more readable than one not there; nor is one
            # whose host name does not exist.
            final = not fetched.retry or fetched.trickled or fetched.nameless
            failed = _Read(
                FAILED, fetched.reason, gone=fetched.status == 410, final=final, retry_after=fetched.retry_after
            )
            return await self._waiting_pages(fetcher, feed, failed, now)
        moved_to, redirected_to = _addresses(feed.url, fetched)
        moved = ""
        if moved_to and (other := await asyncio.to_thread(self.store.find, moved_to)) and other.id != feed.id:
            # Two feeds for one: the admin added its new address while the old one still redirected there.
            moved = (
                f"it moved for good to {moved_to}, followed already as feed {other.id}: its stories come from"
                f" there, so remove this one (feed {feed.id})"
            )
            moved_to = None
        if fetched.not_modified:
            # Unchanged, but a page its site's robots.txt disallowed may be due to be asked for again (`_disallowed`).
            same = _Read(NOT_MODIFIED, moved, fetched=fetched, moved_to=moved_to, redirected_to=redirected_to)
            return await self._waiting_pages(fetcher, feed, same, now)
        told = self._dates_told.get(feed.id)
        parsed = await asyncio.to_thread(
            parse_feed, fetched.body, fetched.final_url, feed.category, fetched.content_type, now=now, told=told
        )
        if isinstance(parsed, Skipped):
            there = None if named else await asyncio.to_thread(discover_feeds, fetched.body, fetched.final_url)
            if there and there[0] != feed.url:
                read = await self._read(fetcher, replace(feed, url=there[0]), now, None, named=True)
                read.redirected_to = read.redirected_to or there[0]
                if read.status == FAILED:
                    read.reason = f"{parsed.reason}, which failed: {read.reason}"
                return read
            return await self._waiting_pages(fetcher, feed, _Read(FAILED, parsed.reason, final=True), now)
        if parsed.dates_read:
            self._dates_told[feed.id] = parsed.dates_read
        warnings = "; ".join(w for w in (moved, parsed.warning) if w)
        # An entry that cannot be read (no link to the story) is said by the poll that first finds it: it was said
        # at every poll, for as long as the feed listed it.
        said = set(feed.unreadable_told.split())
        again = {id(problem) for key, problem in parsed.unreadable if key in said}
        read = _Read(OK, warnings, fetched, parsed, problems=[p for p in parsed.problems if id(p) not in again])
        read.unreadable_told = " ".join(sorted({key for key, _ in parsed.unreadable}))
        read.moved_to, read.redirected_to = moved_to, redirected_to
        # The feed's parser kept one version of a story listed twice, its current one.
        read.duplicates += parsed.repeated
        entries = {entry_key(entry.article): entry for entry in parsed.entries}
        seen = await asyncio.to_thread(self.store.seen, feed.id, list(entries))
        if slots := await asyncio.to_thread(self._guids_reused, entries, seen):
            entries = {entry_key(e.article): e for e in (slots.get(key, e) for key, e in entries.items())}
            seen = await asyncio.to_thread(self.store.seen, feed.id, list(entries))
        # An entry under a new guid whose story (its link) this feed stored is that story, as shown then: a feed
        # that changes its guids on every poll had every page read again, and past the page budget the feed's
        # summary written over a story read whole. So is one whose page failed with no text to store (a 404 was
        # read again on every poll, and one more entry kept each time).
        if renamed := {e.article.id: key for key, e in entries.items() if key not in seen}:
            stored = await asyncio.to_thread(self.store.seen_stories, feed.id, list(renamed))
            seen.update((renamed[article_id], known) for article_id, known in stored.items())
        # An entry under a new key whose headline, words and link but for its query string this feed showed under a
        # key it lists no more is that story: a feed writing a new stamp into its links on every poll (`?ts=...`)
        # with no guid, or the link as its guid, had the page read and one more entry kept on each. Unless it is
        # dated after that story: then it may be the next of a series (`_Read.newer`), which its page tells.
        if restamped := {entry_hash(e): key for key, e in entries.items() if key not in seen and e.article.title}:
            earlier = await asyncio.to_thread(self.store.seen_shown, feed.id, list(restamped), list(entries))
            for shown_as, then in earlier.items():
                dated = entries[restamped[shown_as]].article.published
                later = dated is not None and then.published is not None and dated > then.published
                (read.newer if later else seen)[restamped[shown_as]] = then
        fresh: list[tuple[str, FeedEntry]] = []
        shown: set[str | None] = set()
        for key, entry in entries.items():
            known = seen.get(key)
            mine = known is not None and (known.owner or known.unstored)
            changed = known is not None and not _shown_before(known, entry) and not _page_left(known, entry, now)
            if known is None or (mine and (changed or _page_due(known, now))):
                fresh.append((key, entry))
            elif known.unstored and known.page_retry_at is not None and not _disallowed(known):
                read.deferred += 1  # no story yet: its page is read again when due
            else:
                read.unchanged += 1  # shown before: unchanged (its page not due again), or another feed's story
                read.retrying += known.page_retry_at is not None and not _disallowed(known)
                shown.add(entry.article.url)
                dated = entry.article.published
                if known.owner and dated is not None and dated != known.published:
                    read.dates[key] = dated  # a correction once given twice (see `FeedStore.record`)
        # A note on a story shown before (its unreadable date) was said when it went in: not on every poll.
        read.problems = [p for p in read.problems if not (p.note and p.location in shown)]
        await self._stories(fetcher, feed, fresh, read, seen, now)
        return read

    def _guids_reused(self, entries: dict[str, FeedEntry], seen: dict[str, Seen]) -> dict[str, FeedEntry]:
        """By key, the entries whose guid this feed gave a story of its own under another link that tells another
        story (see `one_story`), as entries known by their link: a CMS reusing a slot's guid for the next story had
        that story replace the one before (gone from the library, and an edit: no alert)."""
        reused: dict[str, FeedEntry] = {}
        for key, entry in entries.items():
            known = seen.get(key)
            if known is None or not known.owner or not entry.article.guid or known.article_id == entry.article.id:
                continue
            if _shown_before(known, entry):
                continue  # its link changed in its query string alone (a stamp new on every poll): no story to read
            stored = self.library.store.article(known.article_id)
            if stored is None:
                continue
            before = Article(stored.title, tuple(self.library.store.paragraphs(stored.id)), url=stored.url)
            if not one_story(before, entry.article):
                reused[key] = replace(entry, article=replace(entry.article, guid=None))
        return reused

    async def _waiting_pages(self, fetcher: Fetcher, feed: FeedRow, read: _Read, now: datetime) -> _Read:
        """A feed that failed still has its stories' pages read when they are due (its back catalogue's, those
        that failed before), a page budget's worth, newest first: a site whose feed is broken for days often serves
        its pages, and they waited for the feed to work again."""
        budget = self.settings.feed_pages_per_poll
        waiting = await asyncio.to_thread(self.store.waiting, feed.id, now, budget) if budget else []
        fresh = [(key, FeedEntry(article, summary_only=True)) for key, _, article in waiting]
        await self._stories(fetcher, feed, fresh, read, {key: known for key, known, _ in waiting}, now)
        return read

    async def _stories(
        self,
        fetcher: Fetcher,
        feed: FeedRow,
        fresh: list[tuple[str, FeedEntry]],
        read: _Read,
        seen: dict[str, Seen],
        now: datetime,
    ) -> None:
        """The new and changed entries (and those whose page is due again) as stories, with their pages' text when
        the feed has only summaries.

        Pages are read only for stories no other feed has stored already (a duplicate by link), at most
        `feed_pages_per_poll` of them, new stories first (with 0, the summaries are kept). A new story past that
        budget goes in at once with the feed's summary, its page queued for later polls, newest first: a back
        catalogue of thousands is answerable from its first poll, not after days of polls, and the feed's next new
        story is news at once. A story with neither text nor a page waits for the next poll. A page that failed in
        a way a later read may mend is read again on a later poll (see `_page_retry`).
        """
        teasers = [e.article.id for _, e in fresh if e.summary_only]
        elsewhere = await asyncio.to_thread(self.store.owned_elsewhere, feed.id, teasers) if teasers else set()
        wanted = [(k, e) for k, e in fresh if e.summary_only and e.article.id not in elsewhere]

        # New stories first, then pages never read or to read again, then edits, each in the feed's order: a feed
        # that changes its stored entries on every poll (a generated feed stamping each with the time it is served)
        # would otherwise spend the budget on them again and again, and its stories past the budget would never be
        # read from their pages.
        def turn(pair: tuple[str, FeedEntry]) -> int:
            known = seen.get(pair[0])
            return 0 if known is None else 1 if known.page_retry_at is not None else 2

        wanted.sort(key=turn)
        budget = self.settings.feed_pages_per_poll
        later = {k for k, _ in wanted[budget:]} if budget else set()
        pages = await self._pages(fetcher, [e for _, e in wanted[:budget]], now)
        # Not read in the poll's time for pages: read on a later poll, as those past the budget.
        later |= {k for k, e in wanted[:budget] if e.article.id not in pages}
        failed: list[Skipped] = []  # the pages that could not be read, told together (`_pages_failed`)
        for key, entry in fresh:
            article = entry.article
            known = seen.get(key)
            if key in later and (known is not None or not article.paragraphs):
                # Stored already: an edit waits for the next poll; a summary whose page is queued, for its turn.
                queued = known is not None and _shown_before(known, entry)
                read.queued += queued
                read.deferred += not queued
                continue
            page = pages.get(article.id, _UNREAD)
            disallowed = page.asked_again_at is not None  # by its robots.txt: asked for again with its rules
            if (earlier := read.newer.get(key)) is not None and not _new_story(earlier, entry, page):
                read.unchanged += 1
                continue
            failures, retry_at = 0, None
            if key in later:
                read.queued += 1
                retry_at = now  # from the next poll on, in the page budget's turn
            elif page.story is not None:
                read.problems += page.problems
                article = with_page(entry, page.story)
            elif article.paragraphs or article.id in elsewhere:
                note = "the feed's summary is kept"
                if page.problems:
                    failures, retry_at = self._page_retry(seen.get(key), page, now)
                    if disallowed:
                        note += "; asked for again when its robots.txt is read again"
                    elif retry_at is not None:
                        note += "; its page is read again on a later poll"
                    elif page.retry:
                        note += f"; its page failed {failures} reads in a row, and is not read again"
                # The story went in, as the feed's teaser: a note, not a story skipped.
                failed += [Skipped(p.location, f"{p.reason} ({note})", note=True) for p in page.problems]
            else:
                failures, retry_at = self._page_retry(known, page, now) if page.problems else (0, now)
                if disallowed:
                    why = "asked for again when its robots.txt is read again"
                elif failures and retry_at is None:
                    why = "read again only if the feed changes the entry"
                else:
                    why = "tried again next poll" if retry_at == now else "tried again on a later poll"
                reasons = [f"{p.reason} (no text in the feed, not stored; {why})" for p in page.problems]
                failed += [Skipped(article.url or key, r) for r in reasons]
                if not reasons:  # its page not read this poll (the page budget): no page failed
                    read.problems.append(Skipped(article.url or key, "no text in the feed"))
                # A page its robots.txt disallows waits for the rules, not for the feed: the poll is complete.
                read.deferred += retry_at is not None and not disallowed
                if failures or disallowed:  # when to read it again is kept, as for a story holding its teaser
                    unstored = _story(key, entry, article, failures, retry_at, now, stored=False, disallowed=disallowed)
                    read.stories.append(unstored)
                continue
            read.retrying += retry_at is not None and key not in later and not disallowed
            read.stories.append(_story(key, entry, article, failures, retry_at, now, disallowed=disallowed))
        read.problems += _pages_failed(feed.url, failed)

    def _page_retry(self, known: Seen | None, page: _Page, now: datetime) -> tuple[int, datetime | None]:
        """After a story page could not be read: its failed reads in a row, and when a poll reads it again (None:
        never, the failure being final or the page having failed `PAGE_READS` times). The first retry is the next
        poll, whenever it runs; then the waits double like a failing feed's; a page whose site asked for a wait (a
        429's Retry-After) waits as a feed does (it was read again at the next poll, the site's 429s unheeded). A page
        not fetched, its site having asked to be left (`_Page.held`), counts no failed read."""
        if page.asked_again_at is not None:  # not read: its robots.txt says no, until the rules are read again
            return (known.page_failures if known else 0), page.asked_again_at
        failures = (known.page_failures if known else 0) + (not page.held)
        if page.held:  # not read at all: no failure of its own, read when its site allows
            return failures, now + self._backoff(1, page.retry_after) if page.retry_after else now
        if not page.retry or failures >= PAGE_READS:
            return failures, None
        if failures == 1 and page.retry_after is None:
            return failures, now
        return failures, now + self._backoff(max(failures - 1, 1), page.retry_after)

    def _backoff(self, failures: int, asked: timedelta | None = None) -> timedelta:
        """The wait after `failures` failures in a row: the poll interval, doubling, up to the back-off cap; or
        longer, up to the cap, when the site `asked` for it (a 429's Retry-After: polled again before it, a site
        limiting its readers may shut them out for longer)."""
        doubled: timedelta = self.interval * 2 ** min(failures - 1, 30)
        return min(max(doubled, asked or doubled), self._cap)

    async def _pages(self, fetcher: Fetcher, entries: Sequence[FeedEntry], now: datetime) -> dict[str, _Page]:
        """The story page of each entry, by article id, unless its site's robots.txt says no (as of `now`); those not
        read within the poll's time for pages (`PAGE_TIME_SHARE`) left out."""
        limit = asyncio.Semaphore(PAGE_CONCURRENCY)

        seconds = self.settings.feed_lease_seconds * DEADLINE_SHARE * PAGE_TIME_SHARE
        latest = datetime.now(UTC) + timedelta(seconds=seconds)

        async def one(entry: FeedEntry) -> tuple[str, _Page] | None:
            article = entry.article
            url = article.url or ""
            verdict = await self._robots.verdict(fetcher, url, now)
            if (refused := verdict.refused) is not None:
                problem = Skipped(url, refused.reason, retry=refused.retry)
                return article.id, _Page(None, [problem], refused.retry, asked_again_at=verdict.asked_again_at)
            if not await self._turn(url, verdict.delay, latest):
                return None  # its site's turn comes after the poll's time for pages: a later poll's
            async with limit:
                items = await fetch_page(fetcher, url, article.category, article.published is not None)
            story = next((i for i in items if isinstance(i, Article)), None)
            problems = [i for i in items if isinstance(i, Skipped)]
            asked = max((p.retry_after for p in problems if p.retry_after), default=None)
            held = any(p.held for p in problems)
            return article.id, _Page(story, problems, any(p.retry for p in problems), asked, held)

        if not entries:
            return {}
        reads = [asyncio.ensure_future(one(e)) for e in entries]
        try:
            done, late = await asyncio.wait(reads, timeout=seconds)
        finally:
            for read in reads:
                read.cancel()  # the late ones (a done one ignores it), or all when the poll itself is stopped
        if late:
            await asyncio.wait(late)
            log.info("feeds: %d story pages not read within %g s: left for a later poll", len(late), seconds)
        return dict(result for read in done if (result := read.result()) is not None)

    async def _turn(self, url: str, delay: float | None, latest: datetime) -> bool:
        """Wait for the turn of the site of the story page at `url` (without holding the event loop), taken in the
        store for every process: `delay` (its robots.txt's Crawl-delay) after the page before, else
        `page_gap_seconds`. False (no turn taken) when it comes after `latest`. By the wall clock, as every process
        reads it: a poll's `now` is the round's start, or a test's."""
        gap = timedelta(seconds=self.settings.page_gap_seconds if delay is None else delay)
        if not gap:
            return True
        at = datetime.now(UTC)
        turn = await asyncio.to_thread(self.robots_store.take_turn, site_of(url), at, gap, latest)
        if turn is None:
            return False
        if (wait := (turn - datetime.now(UTC)).total_seconds()) > 0:
            await asyncio.sleep(wait)
        return True

    def _outcome(self, feed: FeedRow, now: datetime, read: _Read) -> tuple[Outcome, FeedNotice | None]:
        """The feed's next state: its schedule (a back-off doubling from the poll interval while it fails) and
        whether the admins must be told (failing for `feed_report_after_hours`, once; then when it recovers)."""
        if read.status == FAILED:
            failures = feed.failures + 1
            wait = self._backoff(failures, read.retry_after)
            since = feed.failing_since or now
            # A site answering 410 Gone says the feed will not come back: no day of polls needed to tell.
            due = feed.failure_reported_at is None and (
                read.gone or now - since >= timedelta(hours=self.settings.feed_report_after_hours)
            )
            # Counted from the site's first "not there" of this spell: days of 5xx before it say nothing of that.
            absent = (feed.absent_since or now) if read.final else feed.absent_since
            # A 410 Gone says so for good (RFC 9110): paused at once, where polls went on for a week, every 6 h.
            pause_after = timedelta(days=self.settings.feed_pause_after_days)
            paused = read.final and (read.gone or now - (absent or now) >= pause_after)
            pausing = paused and feed.paused_at is None
            outcome = Outcome(
                FAILED,
                read.reason,
                now + wait,
                failures,
                since,
                now if due or pausing else feed.failure_reported_at,
                feed.etag,
                feed.last_modified,
                redirected_to=feed.redirected_to,
                paused=paused,
                absent_since=absent,
            )
            told = due or pausing
            # A pause counts the outage that paused it, its site's "not there" answers: days of 5xx before them
            # (it was there), or a pause before it was added again, are no part of it.
            start = absent if pausing and absent else since
            notice = (
                FeedNotice(feed.url, feed.title, start, read.reason, gone=read.gone, paused=pausing) if told else None
            )
            return outcome, notice
        notice = None
        if feed.failure_reported_at is not None and feed.failing_since is not None:
            notice = FeedNotice(feed.url, feed.title, feed.failing_since, "", recovered=True)
        # Validators are kept only when every entry was taken and no story waits to read its page again:
        # otherwise the next poll must read the feed whole (a 304 has no entries to read pages for).
        complete = read.deferred == 0
        etag, last_modified = feed.etag, feed.last_modified
        if read.status == OK:
            fetched = read.fetched
            keep = complete and not read.retrying and not read.queued
            etag, last_modified = (fetched.etag, fetched.last_modified) if fetched and keep else (None, None)
        # As the poll's summary counts them: an unreadable date is a note on a story stored whole, not a failure.
        reasons = [f"moved for good from {feed.url}"] if read.moved_to else []
        reasons += ([read.reason] if read.reason else []) + _tally(read.problems)
        outcome = Outcome(
            read.status,
            "; ".join(reasons),
            now + self.interval,
            0,
            None,
            None,
            etag,
            last_modified,
            title=read.feed.title if read.feed else None,
            baseline=read.status == OK and complete,
            moved_to=read.moved_to,
            redirected_to=read.redirected_to,
            unreadable_told=read.unreadable_told,
        )
        return outcome, notice

    async def _record(self, feed: FeedRow, holder: str, now: datetime, read: _Read) -> FeedPoll:
        if read.status == HELD:
            return await self._put_off(feed, holder, now, read)
        outcome, notice = self._outcome(feed, now, read)
        news = feed.baseline_at is not None
        recorded: Recorded | None = await asyncio.to_thread(
            self.store.record, feed, holder, now, outcome, read.stories, news, read.dates
        )
        if recorded is None:
            log.warning("feeds: %s was taken over by another process before this poll was recorded", feed.url)
            return FeedPoll(feed, TAKEN, polled_at=now)
        result = recorded.result
        new = len(result.added) - len(result.replaced)
        poll = FeedPoll(
            feed,
            read.status,
            outcome.reason,
            added=new if news else 0,
            backlog=0 if news else new,
            edited=len(result.updated) + len(result.replaced),
            unchanged=read.unchanged - recorded.redated + len(result.unchanged),
            duplicates=read.duplicates + recorded.duplicates,
            problems=tuple(read.problems),
            deferred=read.deferred,
            retrying=read.retrying,
            queued=read.queued,
            polled_at=now,
            next_poll_at=outcome.next_poll_at,
            notice=notice,
            moved_to=outcome.moved_to if recorded.moved else None,
            warning=read.reason if read.status != FAILED else "",
            paused=outcome.paused,
        )
        for problem in read.problems:
            log.info("feeds: %s: %s", feed.url, problem)
        level = logging.WARNING if read.status == FAILED else logging.INFO
        log.log(level, "feeds: %s: %s", feed.url, poll.summary(), extra={REPORTED: True})
        return poll

    async def _put_off(self, feed: FeedRow, holder: str, now: datetime, read: _Read) -> FeedPoll:
        """A feed not fetched, its site having asked to be left: polled again when the site's wait is over (at the
        next round when it named none), everything else as it was."""
        until = now + self._backoff(1, read.retry_after)
        if not await asyncio.to_thread(self.store.put_off, holder, feed.id, now, until, read.reason):
            return FeedPoll(feed, TAKEN, polled_at=now)
        poll = FeedPoll(feed, HELD, read.reason, polled_at=now, next_poll_at=until)
        log.info("feeds: %s: %s", feed.url, poll.summary(), extra={REPORTED: True})
        return poll


def _not_live_yet(failed: Failed) -> bool:
    """Whether a feed's address answers as one a site has not put up yet may: its host name unknown to the name
    servers, a 404, or a 403 (a feed behind a login the site has not opened)."""
    return failed.nameless or failed.status in (403, 404)


def _addresses(url: str, fetched: Fetched) -> tuple[str | None, str | None]:
    """Where a fetch of `url` says it is: the address it moved to for good (None if it did not), and where
    redirects that left the address as it is led (None if nowhere else)."""
    moved_to = canonical_url(fetched.moved_to) if fetched.moved_to else None
    moved_to = moved_to if moved_to != url else None
    landed = canonical_url(fetched.final_url)
    return moved_to, landed if landed not in (url, moved_to) else None


def _pages_failed(feed_url: str, failed: Sequence[Skipped]) -> list[Skipped]:
    """The story pages one poll of a feed could not read, in one note for the feed when there are several (and one
    problem for the entries not stored for it): how many, why, and the first page of each reason. A back catalogue
    whose pages often answer 404 printed one note per page, a page budget's worth on every poll."""
    told: list[Skipped] = []
    for note in (True, False):
        kind = [p for p in failed if p.note == note]
        if len(kind) < 2:
            told += kind
            continue
        reasons: dict[str, list[str]] = {}
        for page in kind:
            reasons.setdefault(page.reason, []).append(page.location)
        # The commonest reason first ("12 HTTP 404 Not Found, first: ..."), then in the feed's order.
        parts = [
            f"{len(pages)} {reason}" + (f", first: {pages[0]}" if len(pages) > 1 else f": {pages[0]}")
            for reason, pages in sorted(reasons.items(), key=lambda pair: -len(pair[1]))
        ]
        told.append(Skipped(feed_url, f"{count(len(kind), 'story page')} not read: " + "; ".join(parts), note=note))
    return told


def _story(
    key: str,
    entry: FeedEntry,
    article: Article,
    failures: int,
    retry_at: datetime | None,
    now: datetime,
    stored: bool = True,
    disallowed: bool = False,
) -> Story:
    """The entry to store as `article`, its page having failed `failures` reads in a row (read again from
    `retry_at`; given up at `now` when never), or `disallowed` by its site's robots.txt (see `_disallowed`)."""
    given_up = now if (failures and retry_at is None) or disallowed else None
    return Story(key, entry_hash(entry), article, fingerprint(article), failures, retry_at, given_up, stored)


def _disallowed(known: Seen) -> bool:
    """Whether the entry's page was not read because its site's robots.txt disallows it: given up for now, and asked
    for again when the rules are read again (`page_retry_at`). Such a page is no failure that keeps a feed from its
    conditional GET (`_Read.retrying`): a site that disallows every story page would have had its feed read whole
    on every poll."""
    return known.page_given_up_at is not None and known.page_retry_at is not None


def _page_left(known: Seen, entry: FeedEntry, now: datetime) -> bool:
    """Whether a poll at `now` leaves unread the page of an entry the feed changed, as if unchanged: its page failed
    (or waits for its site) and is not due again (a failure a later read may mend waits for its time, a page given
    up `PAGE_GIVEN_UP_WAIT`), and the feed changed neither the entry's link nor its words, only what it stamps on
    them (a byline; its date alone is no change, see `entry_hash`)."""
    if not known.page_failures and known.page_retry_at is None:
        return False  # its page was read, or never needed
    if known.article_id != entry.article.id or known.fingerprint != fingerprint(entry.article):
        return False
    if known.page_retry_at is not None:
        return not _page_due(known, now)
    # Given up before its time was kept (migration 0028): read once more, then kept.
    return known.page_given_up_at is not None and now - known.page_given_up_at < PAGE_GIVEN_UP_WAIT


def _new_story(earlier: Seen, entry: FeedEntry, page: _Page) -> bool:
    """Whether an entry dated after the story it shows as (`_Read.newer`) is another story: its page was read and
    tells other words. A page not read (past the page budget, failed) tells nothing: it stays that story until a
    poll reads it. A feed re-dating a stamped link on every poll (the time it is served) has that page read on every
    poll, and nothing written."""
    return page.story is not None and fingerprint(with_page(entry, page.story)) != earlier.fingerprint


def _page_due(known: Seen, now: datetime) -> bool:
    """Whether a poll at `now` reads again the page of a story that holds its feed's teaser."""
    return known.page_retry_at is not None and known.page_retry_at <= now


def _round_start(now: datetime, polled_before: datetime | None) -> datetime:
    """Since when a round started `now` leaves the feeds polled (see `FeedService.poll`)."""
    return min(polled_before or now, now)


def _clock(now: datetime) -> Callable[[], datetime]:
    """Time in a poll round: `now` at its start, moving on with the monotonic clock."""
    start = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - start)
