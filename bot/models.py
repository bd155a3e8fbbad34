"""Plain data passed between the pipeline steps."""

from __future__ import annotations

import hashlib
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property


def short_hash(text: str) -> str:
    """16 hex digits: short enough for Telegram's 64-byte callback data and deep links."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def url_id(url: str) -> str:
    """The id of the article at `url` (see `Article.id`)."""
    return short_hash("url:" + url.strip())


@dataclass(frozen=True)
class Article:
    """One news article as read from a file or feed."""

    title: str
    paragraphs: tuple[str, ...]
    category: str = ""
    published: datetime | None = None
    url: str | None = None
    author: str | None = None
    # Where it came from (a file path, or path#record): a re-read of the same origin replaces the old version.
    origin: str | None = None
    # A newsroom's own id for the record: its origin, so an edited record replaces the old one.
    source_id: str | None = None
    # A feed entry's guid (RSS) or id (Atom): with the link and the content, how a repeated story is recognised.
    guid: str | None = None

    # Cached: both are hashes of the whole text, asked for several times per article on the way in.
    @cached_property
    def id(self) -> str:
        """Stable identity: from the URL, else the content (so the same story read twice is one article)."""
        if self.url:
            return url_id(self.url)
        return short_hash("content:" + self.title + "\n" + "\n".join(self.paragraphs))

    @cached_property
    def content_hash(self) -> str:
        """Changes whenever anything shown to a reader changes."""
        parts = [
            self.title,
            self.category,
            self.published.isoformat() if self.published else "",
            self.url or "",
            self.author or "",
            *self.paragraphs,
        ]
        return short_hash("\x1f".join(parts))


# The origins of stories from the web (`StoredArticle.from_web`); the store's /latest query matches the same.
WEB_ORIGINS = ("http://", "https://")


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store keeps it (no paragraph text)."""

    id: str
    title: str
    category: str
    published: datetime | None
    url: str | None
    author: str | None
    origin: str | None
    paragraph_count: int
    # When the store first received it (UTC), whatever its publication date says.
    added_at: datetime | None = None
    # Read as a new feed's back catalogue (its first poll): published before the feed was followed, not news.
    backlog: bool = False
    # Its place in the order stories arrived, higher for newer (the store's `articles.arrival`; None before it is
    # stored).
    arrival: int | None = None

    @property
    def from_web(self) -> bool:
        """Whether it came from the web (a followed feed's entry, a fetched page): its origin is its address."""
        return self.origin is not None and self.origin.startswith(WEB_ORIGINS)

    @property
    def news_time(self) -> datetime | None:
        """When the story counts as published, for /latest's order, digests and alerts: its publication time, but
        never after its arrival (a date written in the future, a typo's year, would sit at the top of /latest for
        years; listings show it as written), or for an undated story from the web its arrival, as such a story
        arrives when it is published; None for an undated story from a file (an archive or dataset imported today
        is not today's news) or from a new feed's back catalogue (its entries were published before the feed was
        followed, when is not known)."""
        if self.published is not None:
            return min(self.published, self.added_at) if self.added_at is not None else self.published
        return self.added_at if self.from_web and not self.backlog else None

    @property
    def batch_order(self) -> tuple[bool, int, str]:
        """Among stories of one time (a batch arrives at one instant, undated), newest first: a later batch first,
        and a batch as it lists them (a feed lists its newest first); by id only where that is not known. Their
        ids' hashes were a shuffle."""
        return (self.arrival is None, -(self.arrival or 0), self.id)

    @property
    def news_order(self) -> tuple[datetime, datetime] | None:
        """/latest's and digests' order, newest last: `news_time`, then the time as written, so that stories that
        arrived together dated after it (a feed's clock minutes ahead of ours) keep their order; None as
        `news_time`."""
        when = self.news_time
        return None if when is None else (when, self.published or when)


@dataclass(frozen=True)
class Hit:
    """One paragraph an engine found, with its score."""

    article_id: str
    position: int
    score: float


@dataclass(frozen=True)
class Passage:
    """A paragraph chosen to answer a question, with what a reader needs to trust it."""

    article: StoredArticle
    position: int
    text: str
    score: float
    matched: frozenset[str] = field(default_factory=frozenset)
    # The language `matched`'s terms were made in (`bot.analysis.analysed_in`, the library's): the words of `text`
    # that meet them are marked by its analysis, which read by English rules left German "Schulen" unmarked for
    # "Schule" ("schul" is no English term).
    language: str = "en"


@dataclass(frozen=True)
class Respelling:
    """A question with words the articles use in place of the reader's misspellings of them (`bot.retrieval.respelt`):
    the respelt question, the words as the articles write them ("Maria Quinn") and as typed ("Mara Quinn")."""

    question: str
    written: str
    typed: str


@dataclass(frozen=True)
class Answer:
    """The result of a question: passages, or the closest headlines when nothing answers it."""

    question: str
    passages: tuple[Passage, ...]
    closest: tuple[StoredArticle, ...] = ()
    # Why nothing was found, or why passages are weak evidence (words no article uses), in words for a reader.
    reason: str = ""
    # How many more passages the same question has beyond these (for a "More" button).
    more: int = 0
    offset: int = 0
    # False when the passages are weak evidence (shown as "These passages may help:", with the closest headlines).
    confident: bool = True
    # Declined within a category or dates: said after the reason (`render.answers.reason_of`) unless a note says
    # what the limits kept out (`newsbot ask`), which turns it off rather than cutting the words out of the reason.
    limited: bool = False
    # The articles' language (`bot.store.language.NAMES`' code) where the question seemed asked in another
    # (`bot.retrieval.in_another_language`): passages found matched only its names (Telegram says so above them), a
    # decline asks in that language (`language_part`). "" for any other question, and where newsbot
    # knows no name of the articles' language.
    foreign_to: str = ""
    # The part of a decline's reason that asks in the articles' language (`bot.retrieval.ask_in`), said after the
    # rest (`render.answers.reason_of`): a part of its own, which a chat told so lately is told more briefly by
    # putting a shorter one in its place (`bot.tg.ask.first_page`), where it was cut out of the reason's text.
    language_part: str = ""
    # The question as the articles write a name the reader misspelt, which this answers where the question as typed
    # was declined or weak ("Answers for Maria Quinn (you wrote Mara Quinn)": `render.answers.respelt_note`).
    respelt: Respelling | None = None
    # The question with the words the articles use that the reader may have meant, where the answer stays as typed:
    # what "Did you mean" names, asked by a button ("Ask about Maria Quinn").
    suggested: Respelling | None = None

    @property
    def names_only(self) -> bool:
        """Passages of a question in another language than the articles', found by its names alone."""
        return self.found and bool(self.foreign_to)

    @property
    def found(self) -> bool:
        return bool(self.passages)


@dataclass(frozen=True)
class Headline:
    """One story in a digest or an alert: the article and its first paragraph ("" if it has none)."""

    article: StoredArticle
    lede: str


@dataclass(frozen=True)
class DigestSection:
    """A category's stories in a digest, newest first, and how many more arrived than are shown."""

    category: str
    headlines: tuple[Headline, ...]
    more: int = 0


@dataclass(frozen=True)
class Rest:
    """The stories of a digest's (or an alert's) category counted and not shown, behind a button under it that
    sends them: those of the category that arrived in [start, end) as news, past the `shown` first (the digest's own
    choice made again, `services.digests.rest_page`: /latest's list paged on from the last shown held stories of
    earlier digests, and ones come since)."""

    category: str
    start: datetime
    end: datetime
    shown: int
    more: int
    # An alert's delivery to the chat (`services.alerts.rest_page`): its rest is the stories it carried and did not
    # show, exactly. Its window held stories of the category it did not carry (a chat following one since
    # mid-window, a held alert's window reaching to its sending). None for a digest's.
    delivery: int | None = None


@dataclass(frozen=True)
class Digest:
    """The stories that arrived in [start, end) in some categories (every category when none), by category, and
    those of the categories that no story is filed under now (`gone`: renamed or emptied by a re-ingest)."""

    start: datetime
    end: datetime
    categories: tuple[str, ...]
    sections: tuple[DigestSection, ...]
    gone: tuple[str, ...] = ()
    # An alert whose stories were held for its chat's pace: that pace, said in it (a story came 10 minutes late,
    # told nowhere why); None for one sent as its stories came, and for digests.
    paced: timedelta | None = None

    @property
    def empty(self) -> bool:
        return not self.sections

    @property
    def rests(self) -> tuple[Rest, ...]:
        """The rest of each category that has one; none for stories of no category, which /latest cannot list
        alone."""
        return tuple(
            Rest(s.category, self.start, self.end, len(s.headlines), s.more)
            for s in self.sections
            if s.category and s.more
        )

    @property
    def stories(self) -> int:
        """Every story the digest covers, shown or counted in "and N more"."""
        return sum(len(section.headlines) + section.more for section in self.sections)


@dataclass(frozen=True)
class SiteWait:
    """A site (host and port, as fetched) that asked to be left until `until`, by its answer (`reason`) to `url`:
    every fetch of any process leaves it until then (a feed poll's, an ingest's of its pages)."""

    site: str
    until: datetime
    url: str
    reason: str


@dataclass(frozen=True)
class SiteRobots:
    """A site's robots.txt as newsbot last read it, for every process: its text (None when it could not be read and
    none was read before), what the site answered (`status`, words for an operator), when, and until when it
    holds."""

    site: str  # scheme, host and port
    text: str | None
    status: str
    fetched_at: datetime
    until: datetime


class Command(StrEnum):
    """The newsbot command a process runs, as the locks it takes record it (`Holder`); NONE: no newsbot command (a
    test, a program using the library)."""

    NONE = ""
    RUN = "run"
    CHAT = "chat"
    INGEST = "ingest"
    INIT = "init"
    ASK = "ask"
    LATEST = "latest"
    REMOVE = "remove"
    FEEDS = "feeds"
    STATS = "stats"
    REINDEX = "reindex"
    VECTORS = "vectors"
    MIGRATE = "migrate"

    @property
    def bot(self) -> bool:
        """Whether it runs the bot, which makes the vectors as it runs (an ingest makes only a few before it ends)."""
        return self in (Command.RUN, Command.CHAT)


@dataclass(frozen=True)
class Holder:
    """A process holding a lock file (the index's writer, the right to make the vectors), as it recorded itself."""

    pid: int
    host: str
    # The newsbot command it runs, and its name for people ("newsbot ingest": `bot.store.writer.named`, no argument):
    # the command line was parsed for the command before, and `newsbot --data-dir /srv/news run` was taken for no bot.
    command: Command
    name: str
    # When it took the lock (aware, UTC).
    started: datetime

    def __str__(self) -> str:
        """ "pid 4242: newsbot run"; one another machine recorded says so, and that it is taken to run: this machine
        cannot look (a lock on a shared file system), where a guess either way misled."""
        here = self.host == socket.gethostname()
        said = f"pid {self.pid}{'' if here else f' on {self.host}'}{f': {self.name}' if self.name else ''}"
        if here:
            return said
        return (
            f"{said}; held there, which this machine cannot check: if {self.host}"
            " is down, the lock is freed once the shared file system lets go of it"
        )
