"""Feeds newsbot polls, their leases, the stories each feed has shown and the sites that asked to be left a while
(tables `feeds`, `feed_entries` and `site_waits`).

Claiming: a process polls a feed only after claiming it: in one short write transaction it picks a due feed
whose lease is free or expired (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two processes never pick the same row;
SQLite admits one writer at a time) and writes its own lease (holder, until) on it. The lease is released when
the poll is recorded. A process killed mid-poll leaves its lease to expire; the next claim takes the feed again.

Recording a poll is one transaction holding the change-log lock: the feed's row (outcome, validators, next poll,
lease released, written only while this holder still holds the lease), the new and edited articles (through
`articles.write`, so the change log carries them to every index) and the feed's entries. Nothing of a poll is
half-stored: a crash before the commit leaves the store as it was, and the next poll does the work again. A feed
that moved for good (301, 308) takes its new address in that transaction, unless another feed has it; the one it
moved from and where a temporary redirect last took it are kept, so none of them is followed as a second feed.

Duplicates, decided here inside that transaction (so two processes polling two feeds with one story agree):
- an entry this feed has shown before (same guid, else same link) is its own story: an edit replaces the
  article, keeping its origin, so a new link for the same guid replaces the old article (logged "replaced");
- a new entry whose article (its link) is stored and owned by another feed, or whose content fingerprint
  matches a story a feed owns, is a duplicate: recorded for this feed, never written again;
- anything else is a new story, owned by this feed.

A story stored with its feed's teaser because its page failed in a way a later read may mend keeps, on its entry,
how many reads failed and when to read the page again: whichever process polls the feed then reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, func, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row, RowMapping
from sqlalchemy.exc import IntegrityError

from bot.models import Article, SiteWait
from bot.store import articles as article_rows
from bot.store.articles import CHUNK, WriteResult
from bot.store.engine import CHANGELOG_LOCK, reading, writing
from bot.store.schema import articles, feed_entries, feeds, site_waits

NEW, OK, NOT_MODIFIED, FAILED = "new", "ok", "not modified", "failed"


@dataclass(frozen=True)
class FeedRow:
    """A feed as the store keeps it."""

    id: int
    url: str
    category: str | None
    title: str
    added_by: str
    added_at: datetime
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    last_status: str
    last_reason: str
    last_stored: int
    failures: int
    failing_since: datetime | None
    failure_reported_at: datetime | None
    baseline_at: datetime | None
    lease_holder: str | None
    lease_until: datetime | None
    # The address it had before a permanent redirect moved it; where its last fetch ended after a temporary one.
    moved_from: str | None = None
    redirected_to: str | None = None
    paused_at: datetime | None = None  # not polled since (see `Outcome.paused`), until it is resumed
    absent_since: datetime | None = None  # its site's first "not there" answer of this failing spell
    unreadable_told: str = ""  # see `Outcome.unreadable_told`
    # Stories of this feed in the store (its own and those it shared with another feed), and those of them holding
    # the feed's summary until a later poll reads their pages; filled by `listing`.
    articles: int = 0
    waiting: int = 0
    # The feed that stored every one of these stories, this one none (see `copy_of`); filled by `listing`.
    copy_of: int | None = None


@dataclass(frozen=True)
class Seen:
    """What the store knows of one entry of a feed."""

    article_id: str
    entry_hash: str
    owner: bool
    # The story's page failed this many reads in a row, and is read again from `page_retry_at` (None: never).
    page_failures: int = 0
    page_retry_at: datetime | None = None
    fingerprint: str = ""  # the entry's words as stored (see `Story.fingerprint`)
    page_given_up_at: datetime | None = None  # see `Story.page_given_up_at`
    published: datetime | None = None  # the story's date as stored (None: undated, or no story stored)

    @property
    def unstored(self) -> bool:
        """An entry with no text of its own whose page failed (see `Story.stored`): no story went in."""
        return not self.owner and self.page_failures > 0


@dataclass(frozen=True)
class Story:
    """One entry of a polled feed, ready to store: its key (guid, else link), how the feed showed it, the
    article (with the page's text when the feed had only a summary) and the article's content fingerprint."""

    key: str
    entry_hash: str
    article: Article
    fingerprint: str
    # Its page failed this many reads in a row (the feed's teaser stands in); read it again from `page_retry_at`.
    page_failures: int = 0
    page_retry_at: datetime | None = None
    # When its page was given up (gone, or failing every read a later one might mend; `page_retry_at` None).
    page_given_up_at: datetime | None = None
    # False: the entry has no text and its page failed, so nothing is written; the entry is kept (not owning the
    # story, its failed reads counted: `Seen.unstored`) so that its page is read again only when due or when the
    # feed changes the entry. It was read again on every poll, a 404 for ever, and the feed never had a complete
    # poll: its validators were dropped and none of its stories was ever news.
    stored: bool = True


@dataclass(frozen=True)
class Outcome:
    """What a poll did to the feed's row (the service decides the schedule and what admins are told)."""

    status: str
    reason: str
    next_poll_at: datetime
    failures: int
    failing_since: datetime | None
    failure_reported_at: datetime | None
    etag: str | None
    last_modified: str | None
    title: str | None = None
    # Set the feed's baseline: what this poll stored completes the back catalogue.
    baseline: bool = False
    # The address the feed moved to for good (unless another feed has it), and where a temporary redirect led.
    moved_to: str | None = None
    redirected_to: str | None = None
    # Stop polling the feed (a failed poll): its site has said for long that it is not there, since `absent_since`.
    paused: bool = False
    absent_since: datetime | None = None
    # The keys of the entries the feed lists that could not be read, said by this poll or one before (None: as they
    # were; see `Feed.unreadable`).
    unreadable_told: str | None = None


@dataclass
class Recorded:
    """What recording a poll stored."""

    result: WriteResult = field(default_factory=WriteResult)
    duplicates: int = 0
    moved: bool = False  # the feed's address is now `Outcome.moved_to`
    redated: int = 0  # stories shown unchanged written again with the date their feed corrected (see `_redated`)


class _LeaseLost(Exception):
    """This holder's lease was taken by another process (or the feed removed): the poll is not recorded."""


def _feed(row: Row[Any], articles_count: int = 0, waiting: int = 0) -> FeedRow:
    values = row._asdict()
    values.pop("articles", None)
    values.pop("waiting", None)
    values.pop("own", None)
    return FeedRow(**values, articles=articles_count, waiting=waiting)


def _insert(connection: Connection) -> Any:
    return sqlite.insert if connection.dialect.name == "sqlite" else postgresql.insert


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    return (items[i : i + CHUNK] for i in range(0, len(items), CHUNK))


# ---- feeds ----------------------------------------------------------------------------------------------------


def add(
    connection: Connection,
    url: str,
    category: str | None,
    added_by: str,
    now: datetime,
    moved_from: str | None = None,
    holder: str | None = None,
    lease: timedelta = timedelta(0),
) -> tuple[FeedRow, bool]:
    """The feed at `url` (which `moved_from` redirects to for good), added now (due at once) unless it was there;
    and whether it was added. With a `holder`, added leased to it for `lease` (see `claim`): for its adder's first
    poll, which a poll round claiming it between the insert and a claim took (the adder told "another poll")."""
    until = now + lease if holder is not None else None
    values = {"added_by": added_by, "added_at": now, "next_poll_at": now, "moved_from": moved_from}
    statement = (
        _insert(connection)(feeds)
        .values(url=url, category=category, **values, lease_holder=holder, lease_until=until)
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(feeds.c.id)
    )
    added = connection.scalar(statement) is not None
    found = find(connection, url)
    assert found is not None
    return found, added


def find(connection: Connection, url: str) -> FeedRow | None:
    """The feed at `url`, else the one that moved from it."""
    row = connection.execute(
        select(feeds).where(or_(feeds.c.url == url, feeds.c.moved_from == url)).order_by(feeds.c.url != url).limit(1)
    ).first()
    return _feed(row) if row else None


def following(connection: Connection, urls: Sequence[str]) -> FeedRow | None:
    """A feed any of these addresses reaches: its own, the one it moved from, or where it redirects for now."""
    row = connection.execute(
        select(feeds)
        .where(or_(feeds.c.url.in_(urls), feeds.c.moved_from.in_(urls), feeds.c.redirected_to.in_(urls)))
        .order_by(feeds.c.id)
        .limit(1)
    ).first()
    return _feed(row) if row else None


def get(connection: Connection, feed_id: int) -> FeedRow | None:
    row = connection.execute(select(feeds).where(feeds.c.id == feed_id)).first()
    return _feed(row) if row else None


def resume(connection: Connection, feed_id: int, now: datetime, holder: str, lease: timedelta) -> FeedRow | None:
    """Poll a paused feed again, from now, as one that has not failed: what it answered while paused is unknown,
    so a failure now starts a new outage (told after a day, paused after `feed_pause_after_days`). Leased to
    `holder` for its first poll, as `add` does; None if another holds it."""
    spell = {"failures": 0, "failing_since": None, "absent_since": None, "failure_reported_at": None}
    lease_free = or_(feeds.c.lease_until.is_(None), feeds.c.lease_until <= now)
    resumed = connection.execute(
        update(feeds)
        .where(feeds.c.id == feed_id, lease_free)
        .values(paused_at=None, next_poll_at=now, lease_holder=holder, lease_until=now + lease, **spell)
    )
    return get(connection, feed_id) if resumed.rowcount else None


def paused(connection: Connection) -> list[FeedRow]:
    """The feeds no longer polled (see `Outcome.paused`), paused first first."""
    query = select(feeds).where(feeds.c.paused_at.is_not(None)).order_by(feeds.c.paused_at, feeds.c.id)
    return [_feed(row) for row in connection.execute(query)]


def copy_of(connection: Connection, feed_id: int) -> FeedRow | None:
    """Another feed that stored every story this feed has shown (this one stored none): the same feed under
    another address, or one that repeats it (None if there is none)."""
    mine, theirs = feed_entries.alias("mine"), feed_entries.alias("theirs")
    shown = select(func.count(func.distinct(mine.c.article_id))).where(mine.c.feed_id == feed_id).scalar_subquery()
    query = (
        select(theirs.c.feed_id)
        .join(mine, mine.c.article_id == theirs.c.article_id)
        .where(mine.c.feed_id == feed_id, theirs.c.owner, theirs.c.feed_id != feed_id)
        .group_by(theirs.c.feed_id)
        .having(func.count(func.distinct(theirs.c.article_id)) == shown)
        .order_by(theirs.c.feed_id)
        .limit(1)
    )
    other = connection.scalar(query)
    return get(connection, other) if other is not None else None


def remove(connection: Connection, feed_id: int) -> bool:
    """Stop polling a feed and forget its entries; its stories stay in the store."""
    connection.execute(delete(feed_entries).where(feed_entries.c.feed_id == feed_id))
    return bool(connection.execute(delete(feeds).where(feeds.c.id == feed_id)).rowcount)


def listing(connection: Connection) -> list[FeedRow]:
    """Every feed, oldest first, with how many of its stories the store holds (a story under several of the
    feed's entries, such as a guid that changed, counts once), and how many of them wait for their pages."""

    def count(*where: Any) -> Any:
        return (
            select(func.count(func.distinct(feed_entries.c.article_id)))
            .select_from(feed_entries.join(articles, articles.c.id == feed_entries.c.article_id))
            .where(feed_entries.c.feed_id == feeds.c.id, *where)
            .scalar_subquery()
        )

    # A page its robots.txt disallows (`page_given_up_at` too) is not waiting to be read: its site says no.
    pending = feed_entries.c.page_retry_at.is_not(None) & feed_entries.c.page_given_up_at.is_(None)
    waiting = count(feed_entries.c.owner, pending)
    query = select(feeds, count().label("articles"), waiting.label("waiting"), count(feed_entries.c.owner).label("own"))
    rows = connection.execute(query.order_by(feeds.c.added_at, feeds.c.id)).all()
    listed = [_feed(row, int(row.articles), int(row.waiting)) for row in rows]
    # A feed of stories all stored by another (the same feed at a second address) was listed with their count as if
    # they were its own.
    return [
        replace(feed, copy_of=other.id)
        if feed.articles and not row.own and (other := copy_of(connection, feed.id)) is not None
        else feed
        for feed, row in zip(listed, rows, strict=True)
    ]


# ---- leases ---------------------------------------------------------------------------------------------------


def _claimable(now: datetime, round_start: datetime, every: bool) -> list[Any]:
    """What a poll round started at `round_start` may take at `now`: a feed not leased (or whose lease ran out),
    not polled by this round yet, and due (unless the round polls every feed)."""
    conditions = [
        feeds.c.paused_at.is_(None),
        or_(feeds.c.lease_until.is_(None), feeds.c.lease_until <= now),
        or_(feeds.c.last_polled_at.is_(None), feeds.c.last_polled_at < round_start),
    ]
    if not every:
        conditions.append(feeds.c.next_poll_at <= now)
    return conditions


def claim(
    connection: Connection,
    holder: str,
    now: datetime,
    lease: timedelta,
    round_start: datetime,
    every: bool = False,
    feed_id: int | None = None,
) -> FeedRow | None:
    """Lease the feed that has waited longest among those a round may take (see `_claimable`), or the feed
    `feed_id` if it is not leased (a feed just added, read at once)."""
    if feed_id is None:
        wanted = _claimable(now, round_start, every)
    else:
        wanted = [feeds.c.id == feed_id, or_(feeds.c.lease_until.is_(None), feeds.c.lease_until <= now)]
    row = connection.execute(
        select(feeds)
        .where(*wanted)
        .order_by(feeds.c.next_poll_at, feeds.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        return None
    until = now + lease
    connection.execute(update(feeds).where(feeds.c.id == row.id).values(lease_holder=holder, lease_until=until))
    return replace(_feed(row), lease_holder=holder, lease_until=until)


def claimable(connection: Connection, now: datetime, every: bool = False, round_start: datetime | None = None) -> int:
    """How many feeds a poll round could take now (see `_claimable`; `round_start` by default now)."""
    query = select(func.count()).select_from(feeds).where(*_claimable(now, round_start or now, every))
    return int(connection.scalar(query) or 0)


def lease_holders(connection: Connection, now: datetime) -> list[str]:
    """Who holds a lease that has not run out."""
    query = select(feeds.c.lease_holder).where(feeds.c.lease_until > now).distinct()
    return [holder for holder in connection.scalars(query) if holder]


def release(connection: Connection, holder: str, feed_id: int | None = None) -> None:
    """Give a holder's lease on one feed (or on every feed) back without recording a poll (the poll was
    stopped); the feed stays due."""
    query = update(feeds).where(feeds.c.lease_holder == holder)
    if feed_id is not None:
        query = query.where(feeds.c.id == feed_id)
    connection.execute(query.values(lease_holder=None, lease_until=None))


def put_off(connection: Connection, holder: str, feed_id: int, now: datetime, until: datetime, reason: str) -> bool:
    """Give back a holder's lease on a feed not fetched (its site asked to be left) as taken by the round of `now`
    (a round polling every feed takes it once), due again `until`, with why; its status, failures and validators
    as they were. False if the holder no longer holds it."""
    query = update(feeds).where(feeds.c.id == feed_id, feeds.c.lease_holder == holder)
    values = {"next_poll_at": until, "last_polled_at": now, "last_reason": reason}
    return bool(connection.execute(query.values(**values, lease_holder=None, lease_until=None)).rowcount)


# ---- sites that asked to be left ------------------------------------------------------------------------------


def waiting_sites(connection: Connection, now: datetime) -> list[SiteWait]:
    """The sites still to be left at `now`."""
    rows = connection.execute(select(site_waits).where(site_waits.c.until > now))
    return [SiteWait(row.site, row.until, row.url, row.reason) for row in rows]


def keep_site_waits(connection: Connection, waits: Sequence[SiteWait], now: datetime) -> None:
    """Record the waits sites asked for, each site's latest end kept (two processes may have been told apart);
    those over at `now` go."""
    connection.execute(delete(site_waits).where(site_waits.c.until <= now))
    for wait in waits:
        insert = _insert(connection)(site_waits).values(
            site=wait.site, until=wait.until, url=wait.url, reason=wait.reason
        )
        later = insert.excluded.until > site_waits.c.until
        connection.execute(
            insert.on_conflict_do_update(
                index_elements=["site"], set_={c: insert.excluded[c] for c in ("until", "url", "reason")}, where=later
            )
        )


# ---- entries --------------------------------------------------------------------------------------------------


# The columns of `feed_entries` a `Seen` holds.
_SEEN = ("article_id", "entry_hash", "owner", "page_failures", "page_retry_at", "fingerprint", "page_given_up_at")


def _seen(row: RowMapping) -> Seen:
    return Seen(**{c: row[c] for c in _SEEN} | {"owner": bool(row["owner"]), "published": row["published"]})


def _entries(feed_id: int) -> Any:
    """The feed's entries, each with its story's date as stored (see `_seen`)."""
    stories = feed_entries.outerjoin(articles, articles.c.id == feed_entries.c.article_id)
    return select(feed_entries, articles.c.published).select_from(stories).where(feed_entries.c.feed_id == feed_id)


def seen(connection: Connection, feed_id: int, keys: Sequence[str]) -> dict[str, Seen]:
    """What this feed showed before under these entry keys."""
    found: dict[str, Seen] = {}
    for chunk in _chunks(list(dict.fromkeys(keys))):
        rows = connection.execute(_entries(feed_id).where(feed_entries.c.key.in_(chunk)))
        found.update((row.key, _seen(row._mapping)) for row in rows)
    return found


def _mine() -> Any:
    """An entry of `_entries` showing a story its feed stored, or could not store (an entry with no text whose page
    failed: `Seen.unstored`)."""
    stored = articles.c.id.is_not(None)
    return or_(and_(feed_entries.c.owner, stored), and_(not_(feed_entries.c.owner), feed_entries.c.page_failures > 0))


def seen_stories(connection: Connection, feed_id: int, article_ids: Sequence[str]) -> dict[str, Seen]:
    """What this feed last showed of these stories it stored, or could not store (`_mine`), under whichever key (a
    guid that changed): by article id."""
    return _last_shown(connection, feed_id, "article_id", article_ids)


def seen_shown(connection: Connection, feed_id: int, hashes: Sequence[str], listed: Sequence[str]) -> dict[str, Seen]:
    """What this feed last showed as these entry hashes (see `Story.entry_hash`) of stories it stored, or could not
    store (`_mine`), under a key it no longer lists (`listed`: the keys it lists now): by entry hash."""
    return _last_shown(connection, feed_id, "entry_hash", hashes, frozenset(listed))


def _last_shown(
    connection: Connection, feed_id: int, column: str, values: Sequence[str], listed: frozenset[str] = frozenset()
) -> dict[str, Seen]:
    """What this feed last showed (`_mine`) with these `values` of `column`, under a key not `listed`: by value."""
    found: dict[str, Seen] = {}
    for chunk in _chunks(list(dict.fromkeys(values))):
        rows = connection.execute(
            _entries(feed_id).where(feed_entries.c[column].in_(chunk), _mine()).order_by(feed_entries.c.last_seen)
        )
        found.update((row._mapping[column], _seen(row._mapping)) for row in rows if row.key not in listed)
    return found


def waiting(connection: Connection, feed_id: int, now: datetime, limit: int) -> list[tuple[str, Seen, Article]]:
    """Up to `limit` of this feed's stories holding its teaser whose page is due to be read (newest first): each
    entry's key, what the store knows of it, and the story as stored (the teaser the feed showed)."""
    rows = connection.execute(
        _entries(feed_id)
        .where(feed_entries.c.owner, feed_entries.c.page_retry_at <= now, articles.c.id.is_not(None))
        .order_by(articles.c.published.desc().nulls_last(), feed_entries.c.key)
        .limit(limit)
    ).all()
    stories = _stored(connection, [row.article_id for row in rows])
    return [(row.key, _seen(row._mapping), stories[row.article_id]) for row in rows]


# The columns of `articles` an `Article` is made of, with its paragraphs.
_STORED = ("title", "category", "published", "url", "author", "origin")


def _stored(connection: Connection, article_ids: Sequence[str]) -> dict[str, Article]:
    """These stories as stored, by id."""
    found: dict[str, Article] = {}
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        rows = connection.execute(
            select(articles.c.id, *(articles.c[c] for c in _STORED)).where(articles.c.id.in_(chunk))
        )
        stored = {row.id: {c: row._mapping[c] for c in _STORED} for row in rows}
        texts = article_rows.texts_of(connection, list(stored))
        found.update((i, Article(paragraphs=tuple(texts[i]), **values)) for i, values in stored.items())
    return found


def _redated(connection: Connection, feed_id: int, dates: Mapping[str, datetime]) -> list[Article]:
    """The stories whose date the feed corrected, with that date: the feed gave their entries (by key) a date not
    theirs at this poll and the one before (see `feed_entries.dated`). The entries given a date new at this poll keep
    it, for the next: a feed dating every entry with the time it is served never has one taken, and its stories are
    not written again on every poll (see `bot.services.feeds.entry_hash`)."""
    corrected: dict[str, datetime] = {}
    moved: list[dict[str, Any]] = []
    for chunk in _chunks(list(dates)):
        rows = connection.execute(
            select(feed_entries.c.key, feed_entries.c.article_id, feed_entries.c.dated).where(
                feed_entries.c.feed_id == feed_id, feed_entries.c.owner, feed_entries.c.key.in_(chunk)
            )
        )
        for row in rows:
            if row.dated == dates[row.key]:
                corrected[row.article_id] = row.dated
            else:
                moved.append({"entry": row.key, "date": dates[row.key]})
    if moved:
        statement = update(feed_entries).where(
            feed_entries.c.feed_id == feed_id, feed_entries.c.key == bindparam("entry")
        )
        connection.execute(statement.values(dated=bindparam("date")), moved)
    stories = _stored(connection, list(corrected))
    return [replace(stories[i], published=date) for i, date in corrected.items() if i in stories]


def owned_elsewhere(connection: Connection, feed_id: int, article_ids: Sequence[str]) -> set[str]:
    """The articles among these that are stored and belong to another feed (no need to read their pages)."""
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        found.update(
            connection.scalars(
                select(feed_entries.c.article_id)
                .join(articles, articles.c.id == feed_entries.c.article_id)
                .where(feed_entries.c.owner, feed_entries.c.feed_id != feed_id, feed_entries.c.article_id.in_(chunk))
            )
        )
    return found


def _existing(connection: Connection, article_ids: Iterable[str]) -> dict[str, str | None]:
    """Stored articles among these, with their origins."""
    found: dict[str, str | None] = {}
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        rows = connection.execute(select(articles.c.id, articles.c.origin).where(articles.c.id.in_(chunk)))
        found.update((row.id, row.origin) for row in rows)
    return found


def _owners(connection: Connection, article_ids: Sequence[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        rows = connection.execute(
            select(feed_entries.c.article_id, feed_entries.c.feed_id).where(
                feed_entries.c.owner, feed_entries.c.article_id.in_(chunk)
            )
        )
        for article_id, feed_id in rows:
            found.setdefault(article_id, set()).add(feed_id)
    return found


def _fingerprints(connection: Connection, fingerprints: Sequence[str]) -> dict[str, str]:
    """Stored stories a feed owns with these fingerprints: fingerprint -> article id."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(dict.fromkeys(fingerprints))):
        rows = connection.execute(
            select(feed_entries.c.fingerprint, feed_entries.c.article_id)
            .join(articles, articles.c.id == feed_entries.c.article_id)
            .where(feed_entries.c.owner, feed_entries.c.fingerprint.in_(chunk))
        )
        found.update((row.fingerprint, row.article_id) for row in rows)
    return found


def _resolve(
    connection: Connection, feed_id: int, stories: Sequence[Story]
) -> tuple[list[Article], list[dict[str, Any]], int]:
    """Which stories to write, the entry rows to keep, and how many were duplicates."""
    mine = seen(connection, feed_id, [s.key for s in stories])
    ids = [s.article.id for s in stories]
    existing = _existing(connection, [*ids, *(row.article_id for row in mine.values())])
    owners = _owners(connection, ids)
    by_fingerprint = _fingerprints(connection, [s.fingerprint for s in stories])
    to_write: dict[str, Article] = {}
    taken: dict[str, str] = {}  # fingerprints written in this batch
    entries: list[dict[str, Any]] = []
    duplicates = 0
    handled: set[str] = set()
    for story in stories:
        if story.key in handled:  # the feed lists one entry twice
            duplicates += 1
            continue
        handled.add(story.key)
        article = story.article
        if not story.stored:
            entries.append(_entry_row(feed_id, story, article.id, owner=False))
            continue
        row = mine.get(story.key)
        if row is not None and not row.owner and row.article_id not in existing:
            row = None  # the story it duplicated is gone: this one may stand on its own
        if row is None and feed_id in owners.get(article.id, ()):
            row = Seen(article.id, "", True)  # our own story under a new key (its guid changed)
        same: str | None
        if row is not None:
            same = None if row.owner else row.article_id
        elif article.id in to_write:
            same = article.id
        elif article.id in existing:
            # Stored by another feed (a duplicate), or by an ingest of its page (this feed takes it over).
            same = article.id if owners.get(article.id, set()) - {feed_id} else None
        else:
            same = by_fingerprint.get(story.fingerprint) or taken.get(story.fingerprint)
        if same is None:
            if row is not None and row.article_id in existing:
                # An edit keeps the story's origin, so a new link replaces the old article instead of adding one.
                origin = existing[row.article_id] or article.origin
                article = replace(article, origin=origin)
            to_write.setdefault(article.id, article)
            taken.setdefault(story.fingerprint, article.id)
        else:
            duplicates += 1
        entries.append(_entry_row(feed_id, story, same or article.id, owner=same is None))
    return list(to_write.values()), entries, duplicates


# What `feed_entries` keeps of a story's page, for an entry whose page is not read (a duplicate's).
_NO_PAGE: dict[str, Any] = {"page_failures": 0, "page_retry_at": None, "page_given_up_at": None}


def _entry_row(feed_id: int, story: Story, article_id: str, owner: bool) -> dict[str, Any]:
    """The `feed_entries` row of `story`, showing `article_id`: with its page's failed reads when it owns the story
    or has none (`Story.stored`). A duplicate is never written again, so its page is not read again either."""
    kept = owner or not story.stored
    return {
        "feed_id": feed_id,
        "key": story.key,
        "article_id": article_id,
        "entry_hash": story.entry_hash,
        "fingerprint": story.fingerprint,
        "owner": owner,
        "page_failures": story.page_failures if kept else 0,
        "page_retry_at": story.page_retry_at if kept else None,
        "page_given_up_at": story.page_given_up_at if kept else None,
        "dated": None,  # a date the feed gave before this write is no correction of the story now (`_redated`)
    }


def record(
    connection: Connection,
    feed: FeedRow,
    holder: str,
    now: datetime,
    outcome: Outcome,
    stories: Sequence[Story] = (),
    news: bool = True,
    dates: Mapping[str, datetime] = {},
) -> Recorded:
    """Store a poll (see the module's docstring), and the `dates` the feed gave entries of its stories shown
    unchanged, by key, where not the story's (see `_redated`); raises `_LeaseLost` if `holder` no longer holds the
    feed."""
    recorded = Recorded()
    to_write, entries, recorded.duplicates = _resolve(connection, feed.id, stories) if stories else ([], [], 0)
    corrected = _redated(connection, feed.id, dates) if dates else []
    to_write, recorded.redated = to_write + corrected, len(corrected)
    if to_write:
        recorded.result = article_rows.write(connection, to_write, now, news=news)
        # A story the store holds under another link (a page ingested on its own, another site's copy): this
        # entry duplicates it, as one another feed owns would.
        kept = {same.copy.id: same.kept.id for same in recorded.result.same}
        recorded.duplicates += len(kept)
        entries = [
            {**e, "article_id": kept[e["article_id"]], "owner": False, **_NO_PAGE}
            if e["owner"] and e["article_id"] in kept
            else e
            for e in entries
        ]
    values: dict[str, Any] = {
        "etag": outcome.etag,
        "last_modified": outcome.last_modified,
        "next_poll_at": outcome.next_poll_at,
        "last_polled_at": now,
        "last_status": outcome.status,
        "last_reason": outcome.reason,
        "last_stored": len(recorded.result.added) + len(recorded.result.updated),
        "failures": outcome.failures,
        "failing_since": outcome.failing_since,
        "absent_since": outcome.absent_since,
        "failure_reported_at": outcome.failure_reported_at,
        "lease_holder": None,
        "lease_until": None,
        "redirected_to": outcome.redirected_to,
        "paused_at": (feed.paused_at or now) if outcome.paused else None,
    }
    if outcome.status != FAILED:
        values["last_ok_at"] = now
    if outcome.title:
        values["title"] = outcome.title
    if outcome.unreadable_told is not None:
        values["unreadable_told"] = outcome.unreadable_told
    if outcome.baseline and feed.baseline_at is None:
        values["baseline_at"] = now
    mine = update(feeds).where(feeds.c.id == feed.id, feeds.c.lease_holder == holder).values(**values)
    if not connection.execute(mine).rowcount:
        raise _LeaseLost
    if outcome.moved_to:
        other = feeds.alias("other")
        taken = select(other.c.id).where(other.c.url == outcome.moved_to, other.c.id != feed.id).exists()
        move = update(feeds).where(feeds.c.id == feed.id, ~taken).values(url=outcome.moved_to, moved_from=feed.url)
        try:
            with connection.begin_nested():
                recorded.moved = bool(connection.execute(move).rowcount)
        except IntegrityError:
            # Another process moved a feed there in a transaction not yet committed when `taken` was checked
            # (PostgreSQL): that feed has the address, and this one keeps its own, as if it had been seen.
            recorded.moved = False
    if entries:
        insert = _insert(connection)(feed_entries)
        keep = ("article_id", "entry_hash", "fingerprint", "owner", "last_seen", "dated", *_NO_PAGE)
        statement = insert.on_conflict_do_update(
            index_elements=["feed_id", "key"], set_={c: insert.excluded[c] for c in keep}
        )
        connection.execute(statement, [{**e, "first_seen": now, "last_seen": now} for e in entries])
        _forget_old_keys(connection, feed.id, entries)
    return recorded


def _forget_old_keys(connection: Connection, feed_id: int, entries: Sequence[dict[str, Any]]) -> None:
    """Forget the feed's entries that showed a story it now shows under another key (its guid changed): what the
    story's entry holds (its page still to read, or not) is the new key's, and the old one would say otherwise. So
    for an entry with no text whose page failed (its failed reads; a duplicate's entry reads no page)."""
    keys = {e["key"] for e in entries}
    stories = [e["article_id"] for e in entries if e["owner"] or e["page_failures"]]
    for chunk in _chunks(list(dict.fromkeys(stories))):
        rows = connection.execute(
            select(feed_entries.c.key).where(feed_entries.c.feed_id == feed_id, feed_entries.c.article_id.in_(chunk))
        )
        if old := [key for key in rows.scalars() if key not in keys]:
            connection.execute(
                delete(feed_entries).where(feed_entries.c.feed_id == feed_id, feed_entries.c.key.in_(old))
            )


# ---- the door the service uses --------------------------------------------------------------------------------


class FeedStore:
    """The feed tables over an engine: one short transaction per call, safe between threads and processes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self,
        url: str,
        category: str | None,
        added_by: str,
        now: datetime,
        moved_from: str | None = None,
        holder: str | None = None,
        lease: timedelta = timedelta(0),
    ) -> tuple[FeedRow, bool]:
        with writing(self.engine) as connection:
            return add(connection, url, category, added_by, now, moved_from, holder, lease)

    def find(self, url: str) -> FeedRow | None:
        with reading(self.engine) as connection:
            return find(connection, url)

    def following(self, urls: Sequence[str]) -> FeedRow | None:
        with reading(self.engine) as connection:
            return following(connection, urls)

    def get(self, feed_id: int) -> FeedRow | None:
        with reading(self.engine) as connection:
            return get(connection, feed_id)

    def resume(self, feed_id: int, now: datetime, holder: str, lease: timedelta) -> FeedRow | None:
        with writing(self.engine) as connection:
            return resume(connection, feed_id, now, holder, lease)

    def paused(self) -> list[FeedRow]:
        with reading(self.engine) as connection:
            return paused(connection)

    def copy_of(self, feed_id: int) -> FeedRow | None:
        with reading(self.engine) as connection:
            return copy_of(connection, feed_id)

    def remove(self, feed_id: int) -> bool:
        with writing(self.engine) as connection:
            return remove(connection, feed_id)

    def listing(self) -> list[FeedRow]:
        with reading(self.engine) as connection:
            return listing(connection)

    def claim(
        self,
        holder: str,
        now: datetime,
        lease: timedelta,
        round_start: datetime,
        every: bool = False,
        feed_id: int | None = None,
    ) -> FeedRow | None:
        with writing(self.engine) as connection:
            return claim(connection, holder, now, lease, round_start, every, feed_id)

    def claimable(self, now: datetime, every: bool = False, round_start: datetime | None = None) -> int:
        with reading(self.engine) as connection:
            return claimable(connection, now, every, round_start)

    def release(self, holder: str, feed_id: int | None = None) -> None:
        with writing(self.engine) as connection:
            release(connection, holder, feed_id)

    def put_off(self, holder: str, feed_id: int, now: datetime, until: datetime, reason: str) -> bool:
        with writing(self.engine) as connection:
            return put_off(connection, holder, feed_id, now, until, reason)

    def waiting_sites(self, now: datetime) -> list[SiteWait]:
        with reading(self.engine) as connection:
            return waiting_sites(connection, now)

    def keep_site_waits(self, waits: Sequence[SiteWait], now: datetime) -> None:
        with writing(self.engine) as connection:
            keep_site_waits(connection, waits, now)

    def lease_holders(self, now: datetime) -> list[str]:
        with reading(self.engine) as connection:
            return lease_holders(connection, now)

    def seen(self, feed_id: int, keys: Sequence[str]) -> dict[str, Seen]:
        with reading(self.engine) as connection:
            return seen(connection, feed_id, keys)

    def seen_stories(self, feed_id: int, article_ids: Sequence[str]) -> dict[str, Seen]:
        with reading(self.engine) as connection:
            return seen_stories(connection, feed_id, article_ids)

    def seen_shown(self, feed_id: int, hashes: Sequence[str], listed: Sequence[str]) -> dict[str, Seen]:
        with reading(self.engine) as connection:
            return seen_shown(connection, feed_id, hashes, listed)

    def waiting(self, feed_id: int, now: datetime, limit: int) -> list[tuple[str, Seen, Article]]:
        with reading(self.engine) as connection:
            return waiting(connection, feed_id, now, limit)

    def owned_elsewhere(self, feed_id: int, article_ids: Sequence[str]) -> set[str]:
        with reading(self.engine) as connection:
            return owned_elsewhere(connection, feed_id, article_ids)

    def record(
        self,
        feed: FeedRow,
        holder: str,
        now: datetime,
        outcome: Outcome,
        stories: Sequence[Story] = (),
        news: bool = True,
        dates: Mapping[str, datetime] = {},
    ) -> Recorded | None:
        """Store a poll in one transaction; None (and nothing stored) if another process holds the feed now."""
        try:
            with writing(self.engine, CHANGELOG_LOCK if stories or dates else None) as connection:
                return record(connection, feed, holder, now, outcome, stories, news, dates)
        except _LeaseLost:
            return None
