"""Articles and their paragraphs: writes that append to the change log, and the reads answers need.

Every function takes an open `Connection`; `bot.store.Store` opens the transactions. A write must run in a
transaction holding the change-log lock (`writing(engine, CHANGELOG_LOCK)`), so sequence numbers commit in
order and a follower never skips one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any, TypeVar

from sqlalchemy import Connection, Dialect, String, any_, bindparam, delete, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row

from bot.errors import StoreError
from bot.models import WEB_ORIGINS, Article, StoredArticle
from bot.store.categories import spell, spelling
from bot.store.changes import head
from bot.store.engine import is_sqlite
from bot.store.schema import articles, changes, paragraphs
from bot.store.stories import APART, corrected_text, headline_key, near_in_time, same_text, words

ADDED, REPLACED, REMOVED = "added", "replaced", "removed"
# New to the store but not news: a new feed's back catalogue (alerts follow "added" only).
BACKLOG = "backlog"
# Ids per IN (...) list: far below SQLite's limit on bound parameters.
CHUNK = 500
# Stored stories under one headline a new link's story is compared with, the newest ones: a headline thousands of
# stories share ("Letters") costs a bounded read, and a copy arrives soon after the story it repeats.
SAME_HEADLINE_LIMIT = 50
T = TypeVar("T")


@dataclass(frozen=True)
class SameStory:
    """A story not written because the store holds it under another link (`bot.store.stories`): the copy, and
    the story kept."""

    copy: Article
    kept: StoredArticle


@dataclass(frozen=True)
class TakenLink:
    """An article not written because its link is another story's, stored from another file (`another_story`):
    the article, and where and under which headline the story holding the link came from."""

    article: Article
    origin: str
    title: str


def another_story(article: Article, origin: str | None, title: str) -> bool:
    """Whether `article` is another story than the one from `origin` under `title` at the same link, as a newsroom
    means a link: one story's. So it is when both came from files (or records), two of them, under headlines of
    other words: a URL line copied with the rest of another story's file. The same file again is an edit, as is
    the same headline from another file (a copy moved, a correction); a page or feed entry is its link's own
    version of the story, whatever its headline."""
    return (
        article.origin is not None
        and origin is not None
        and article.origin != origin
        and not article.origin.startswith(WEB_ORIGINS)
        and not origin.startswith(WEB_ORIGINS)
        and headline_key(article.title) != headline_key(title)
    )


def corrects(article: Article, source_id: str | None, text: Callable[[], list[str]]) -> bool:
    """Whether `article`, at the link of a story `another_story` tells apart, is that story corrected all the same: a
    newsroom's re-export of it under another file name, its headline put right, which the link's story also shows
    by its own id (`source_id`, the newsroom's) or by its text's words (`text`, read only when the ids do not tell:
    a correction changes a fact or two, a URL line copied with another story's file brings all its words)."""
    if article.source_id is not None and article.source_id == source_id:
        return True
    return corrected_text(words(article.paragraphs), text())


def corrects_by_id(article: Article, title: str, text: Callable[[], list[str]]) -> bool:
    """Whether `article` is the story of the same newsroom id (`Article.source_id`), headline `title` and words
    `text`, neither with a link, corrected: its headline's words the same, or its text's nearly (`corrected_text`).
    Two newsrooms may number their stories alike (1, 2, 3), so an id alone does not make two stories one."""
    return headline_key(article.title) == headline_key(title) or corrected_text(words(article.paragraphs), text())


@dataclass
class WriteResult:
    """What one batch did to the store, by article id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    # New links whose story is stored already (or came earlier in the batch): not written.
    same: list[SameStory] = field(default_factory=list)
    # Articles at a link another file's story holds: not written.
    taken: list[TakenLink] = field(default_factory=list)
    # The added and updated articles as stored (each category in the store's spelling), for indexing from memory.
    written: dict[str, Article] = field(default_factory=dict)
    # The newest change-log entry this batch wrote (0 if it changed nothing).
    last_seq: int = 0

    def extend(self, later: WriteResult) -> None:
        """Take in what a later transaction of the same batch did."""
        for name in ("added", "updated", "unchanged", "duplicate", "replaced", "same", "taken"):
            getattr(self, name).extend(getattr(later, name))
        self.written.update(later.written)
        self.last_seq = later.last_seq or self.last_seq


class PartlyWrittenError(StoreError):
    """A batch of articles failed part way (a full disk): what the transactions before the failure stored is
    `written`, each article whole."""

    def __init__(self, message: str, written: WriteResult) -> None:
        super().__init__(message)
        self.written = written


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def _row(article: Article, now: datetime) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "category": article.category,
        "published": article.published,
        "url": article.url,
        "author": article.author,
        "origin": article.origin,
        "content_hash": article.content_hash,
        "paragraph_count": len(article.paragraphs),
        "updated_at": now,
        "headline_key": headline_key(article.title),
        "source_id": article.source_id,
    }


def write(
    connection: Connection, batch: Sequence[Article], now: datetime, news: bool = True, newest_first: bool = True
) -> WriteResult:
    """Add or replace a batch of articles, logging each change.

    An article with the same id and content changes nothing; one whose origin (file, record, feed entry) held
    another article replaces it, so an edited file without a URL does not leave its old version behind (the new
    version keeps the old one's arrival: it is not news again). The
    same story twice in one batch is kept once (the first). Categories are written as the store spells them
    (`bot.store.categories`), so "Sport" arriving after "sport" joins it. With `news` False, new articles are
    a new feed's back catalogue: logged as BACKLOG instead of ADDED (stored and answerable, never alerted) and
    marked `backlog` (undated, no news to digests and /latest either: `StoredArticle.news_time`).

    A new link whose story is stored already, or came earlier in the batch, under another link (a republished
    wire story, an AMP copy: `bot.store.stories`) is not written: `result.same` says which story it repeats. Every
    article write holds the change-log lock, so two processes writing two copies at once store the first. An
    article from one file at a link another file's story holds (`another_story`) is not written either:
    `result.taken` says whose link it is, unless it is that story corrected (`corrects`: a newsroom's re-export).
    A new article under the newsroom's id of a stored story without a link, from another file, that is that story
    corrected (`corrects_by_id`) replaces it as an edit of its origin would.

    Each new article's `arrival` is past every story written before; within the batch, the first highest when
    `newest_first` (a feed lists its newest first), else the last (a file read in order: its last read is newest).
    """
    result = WriteResult()
    unique: dict[str, Article] = {}
    for article in batch:
        if article.id in unique:
            result.duplicate.append(article.id)
        else:
            unique[article.id] = article
    # Before the content hashes are compared: "Sport" filed again as "Sport" is unchanged, not an edit.
    spelled = spell(connection, [a.category for a in unique.values()])
    unique = {
        i: a if spelled[a.category] == a.category else replace(a, category=spelled[a.category])
        for i, a in unique.items()
    }
    known: dict[str, str] = {}
    holders: dict[str, tuple[str | None, str, str | None]] = {}
    for chunk in _chunks(list(unique)):
        rows = connection.execute(
            select(
                articles.c.id, articles.c.content_hash, articles.c.origin, articles.c.title, articles.c.source_id
            ).where(articles.c.id.in_(chunk))
        )
        for row in rows:
            known[row.id], holders[row.id] = row.content_hash, (row.origin, row.title, row.source_id)
    # Another story at a stored link is not written, nor is its file's earlier story taken away; unless the file
    # the link's story came from gives another one in this batch (its link changed): the link is free then.
    giving = {a.origin: i for i, a in unique.items() if a.origin}
    for i, (origin, title, source_id) in holders.items():
        if (
            origin is not None
            and giving.get(origin, i) == i
            and another_story(unique[i], origin, title)
            and not corrects(unique[i], source_id, partial(_words_of, connection, i))
        ):
            taken = unique.pop(i)
            giving.pop(taken.origin or "", None)
            result.taken.append(TakenLink(taken, origin, title))
    stale: dict[str, str] = {}
    # An origin's earlier story whose link another file's story takes in this batch: updated, not removed.
    moved: set[str] = set()
    # When each replaced origin's story first arrived, and whether as a back catalogue: its new version keeps both,
    # so a story whose link changed (a feed entry edited) is not new again to digests, which hold what arrived in
    # their window.
    arrived: dict[str, tuple[datetime, bool]] = {}
    for chunk in _chunks(list(giving)):
        rows = connection.execute(
            select(articles.c.id, articles.c.origin, articles.c.added_at, articles.c.backlog).where(
                articles.c.origin.in_(chunk)
            )
        )
        for row in rows:
            if giving[row.origin] != row.id:
                if row.id in unique:
                    moved.add(row.id)
                else:
                    stale[row.id] = row.origin
                first = (row.added_at, row.backlog)
                arrived[row.origin] = min(first, arrived.get(row.origin, first))
    for held, article in _corrected_by_id(connection, [a for i, a in unique.items() if i not in known], set(unique)):
        if article.origin is not None and article.origin not in arrived:
            stale[held.id] = held.origin
            arrived[article.origin] = (held.added_at, held.backlog)
    result.replaced = list(stale)
    edited_origins = set(arrived)
    for article_id, article in unique.items():
        if article_id not in known:
            result.added.append(article_id)
        elif known[article_id] == article.content_hash:
            result.unchanged.append(article_id)
        else:
            result.updated.append(article_id)
    # A new version of a replaced origin's story is that story edited, never a copy of another.
    result.same = _same_stories(
        connection,
        [unique[i] for i in result.added if unique[i].origin not in edited_origins],
        set(stale) | moved,
        now,
    )
    copies = {same.copy.id for same in result.same}
    result.added = [i for i in result.added if i not in copies]
    remove(connection, result.replaced, now)
    log: list[dict[str, Any]] = []
    if result.updated:
        connection.execute(
            update(articles).where(articles.c.id == bindparam("b_id")),
            [{**_row(unique[i], now), "b_id": i} for i in result.updated],
        )
        for chunk in _chunks(result.updated):
            connection.execute(delete(paragraphs).where(paragraphs.c.article_id.in_(chunk)))
        log += [{"article_id": i, "kind": REPLACED, "at": now} for i in result.updated]
    if result.added:
        inserted = []
        # Past every story written before (each was logged, the log's head counting it): newest first is a later
        # batch first, and a batch newest first as it came.
        lowest = head(connection) + 1
        places = range(len(result.added) - 1, -1, -1) if newest_first else range(len(result.added))
        for place, i in zip(places, result.added, strict=True):
            added_at, backlog = arrived.get(unique[i].origin or "", (now, not news))
            inserted.append(
                {**_row(unique[i], now), "added_at": added_at, "backlog": backlog, "arrival": lowest + place}
            )
        connection.execute(articles.insert(), inserted)
        # A new version of an article from the same origin (an edited file) is an edit, not news.
        log += [
            {
                "article_id": i,
                "kind": REPLACED if unique[i].origin in edited_origins else ADDED if news else BACKLOG,
                "at": now,
            }
            for i in result.added
        ]
    result.written = {i: unique[i] for i in (*result.updated, *result.added)}
    if result.written:
        connection.execute(
            paragraphs.insert(),
            [
                {"article_id": i, "position": position, "text": text}
                for i, article in result.written.items()
                for position, text in enumerate(article.paragraphs)
            ],
        )
    if log:
        connection.execute(changes.insert(), log)
    if log or result.replaced:
        result.last_seq = head(connection)
    return result


def _words_of(connection: Connection, article_id: str) -> list[str]:
    return words(texts(connection, article_id))


def _corrected_by_id(
    connection: Connection, new: Sequence[Article], writing: set[str]
) -> list[tuple[Row[Any], Article]]:
    """The stored stories without a link that `new` articles (bar those `writing`) correct, found by the newsroom's own
    id (`Article.source_id`) from another file (a re-export, `corrects_by_id`): each row with its correction."""
    by_id = {a.source_id: a for a in new if a.source_id is not None}
    found: list[tuple[Row[Any], Article]] = []
    for chunk in _chunks(list(by_id)):
        rows: Iterable[Row[Any]] = connection.execute(
            select(
                articles.c.id,
                articles.c.origin,
                articles.c.source_id,
                articles.c.title,
                articles.c.added_at,
                articles.c.backlog,
            ).where(articles.c.source_id.in_(chunk), articles.c.url.is_(None))
        )
        found += [(row, by_id[row.source_id]) for row in rows if row.id not in writing]
    return [
        (row, article)
        for row, article in found
        if row.origin != article.origin and corrects_by_id(article, row.title, partial(_words_of, connection, row.id))
    ]


def _same_stories(connection: Connection, new: Sequence[Article], leaving: set[str], now: datetime) -> list[SameStory]:
    """The new articles that repeat a story stored (bar those `leaving`) or one earlier in `new`, each with the
    first such story."""
    keys = {a.id: key for a in new if (key := headline_key(a.title)) is not None}
    new_under: dict[str, list[Article]] = {}
    for article in new:
        if article.id in keys:
            new_under.setdefault(keys[article.id], []).append(article)
    stored_under: dict[str, list[StoredArticle]] = {}
    dates = [a.published for found in new_under.values() for a in found]
    dated = [d for d in dates if d is not None]
    # Only a story undated or dated near this batch's can be a copy: the rows of a headline thousands of stories
    # share, or of a syndicated story's copies of other weeks, were read with every batch: bench/speed.py's library of
    # 300,000 paragraphs, 28 copies of each story, took 1.28x the CPU to build (122 s against 96 s).
    near = (
        or_(articles.c.published.is_(None), articles.c.published.between(min(dated) - APART, max(dated) + APART))
        if dated and len(dated) == len(dates)
        else true()
    )
    for chunk in _chunks(list(set(keys.values()))):
        rows = connection.execute(
            select(articles)
            .where(articles.c.headline_key.in_(chunk), near)
            .order_by(articles.c.added_at, articles.c.id)
        )
        for row in rows:
            if row.id not in leaving:
                stored_under.setdefault(row.headline_key, []).append(stored(row))
    # Only a story dated near a new one under its headline is read for its words: a daily column's older issues,
    # or a syndicated story's copies of other weeks, were read whole with every batch (a library of 100,000
    # paragraphs repeating its stories a few days apart took twice as long to ingest, in 2.5x the memory).
    wanted = [
        s.id
        for key, found in stored_under.items()
        for s in found[-SAME_HEADLINE_LIMIT:]
        if any(near_in_time(s.published, a.published) for a in new_under[key])
    ]
    text_of = {i: words(text) for i, text in texts_of(connection, wanted).items()}
    paragraphs_of = {a.id: a.paragraphs for a in new}

    def text(article_id: str) -> list[str]:
        # Only a story with another under its headline is read for its words: most have none.
        if article_id not in text_of:
            text_of[article_id] = words(paragraphs_of[article_id])
        return text_of[article_id]

    # This batch's stories written so far, compared after those stored: the first copy stays.
    earlier: dict[str, list[StoredArticle]] = {}
    same: list[SameStory] = []
    for article in new:
        key = keys.get(article.id)
        if key is None:
            continue
        under = stored_under.get(key, [])[-SAME_HEADLINE_LIMIT:] + earlier.get(key, [])
        kept = next(
            (
                s
                for s in under
                if near_in_time(s.published, article.published) and same_text(text(s.id), text(article.id))
            ),
            None,
        )
        if kept is None:
            earlier.setdefault(key, []).append(_as_stored(article, now))
        else:
            same.append(SameStory(article, kept))
    return same


def _as_stored(article: Article, now: datetime) -> StoredArticle:
    return StoredArticle(
        article.id,
        article.title,
        article.category,
        article.published,
        article.url,
        article.author,
        article.origin,
        len(article.paragraphs),
        now,
    )


def remove(connection: Connection, article_ids: Sequence[str], now: datetime) -> list[str]:
    """Delete articles (their paragraphs go with them) and log each removal; returns the ids that existed."""
    gone: list[str] = []
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        gone += connection.scalars(delete(articles).where(articles.c.id.in_(chunk)).returning(articles.c.id))
    if gone:
        connection.execute(changes.insert(), [{"article_id": i, "kind": REMOVED, "at": now} for i in gone])
    return gone


# ---- reads --------------------------------------------------------------------------------------------------


def stored(row: Row[Any]) -> StoredArticle:
    return StoredArticle(
        id=row.id,
        title=row.title,
        category=row.category,
        published=row.published,
        url=row.url,
        author=row.author,
        origin=row.origin,
        paragraph_count=row.paragraph_count,
        added_at=row.added_at,
        backlog=row.backlog,
        arrival=row.arrival,
    )


def get(connection: Connection, article_id: str) -> StoredArticle | None:
    row = connection.execute(select(articles).where(articles.c.id == article_id)).first()
    return stored(row) if row else None


# Built once: every question reads its candidates' articles, and building and compiling the statement each time
# cost more than running it. Only the columns a StoredArticle holds. SQLite binds each id on its own; PostgreSQL
# takes them as one array, so the statement's text is the same whatever their number and psycopg converts it
# once (it converts a statement of more than 50 parameters anew every time) and the server prepares it.
_STORED = [articles.c[f.name] for f in fields(StoredArticle)]
_STORED_BY_IDS = select(*_STORED).where(articles.c.id.in_(bindparam("ids", expanding=True)))
_STORED_BY_ARRAY = select(*_STORED).where(articles.c.id == any_(bindparam("ids", type_=ARRAY(String))))


def get_many(connection: Connection, article_ids: Iterable[str]) -> dict[str, StoredArticle]:
    statement = _STORED_BY_IDS if is_sqlite(connection) else _STORED_BY_ARRAY
    found: dict[str, StoredArticle] = {}
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        found.update((row.id, stored(row)) for row in connection.execute(statement, {"ids": chunk}).all())
    return found


def texts(connection: Connection, article_id: str) -> list[str]:
    return list(
        connection.scalars(
            select(paragraphs.c.text).where(paragraphs.c.article_id == article_id).order_by(paragraphs.c.position)
        )
    )


def texts_of(connection: Connection, article_ids: Sequence[str]) -> dict[str, list[str]]:
    """Paragraphs of several articles, in order."""
    found: dict[str, list[str]] = {i: [] for i in article_ids}
    for chunk in _chunks(list(article_ids)):
        rows = connection.execute(
            select(paragraphs.c.article_id, paragraphs.c.text)
            .where(paragraphs.c.article_id.in_(chunk))
            .order_by(paragraphs.c.article_id, paragraphs.c.position)
        )
        for article_id, text in rows:
            found[article_id].append(text)
    return found


# A question's candidates: each wanted paragraph joined with its article (the article's columns after the
# paragraph's, in StoredArticle's order), the keys as a table joined on the primary keys. Sent as plain SQL: it
# runs for every question with a different number of keys, and composing or compiling it through SQLAlchemy
# each time cost more than running it (6.7 against 1.2 ms for 60 keys). SQLite does not search the primary key
# for a list of (article, position) pairs given to IN, hence the table of keys.
_SELECT_CANDIDATES = "SELECT t.article_id, t.position, t.text, " + ", ".join(f"a.{c.name}" for c in _STORED[1:])
_JOIN_CANDIDATES = (
    " JOIN paragraphs t ON t.article_id = k.a AND t.position = k.p JOIN articles a ON a.id = t.article_id"
)
# PostgreSQL takes the keys as two arrays: one statement whatever their number (see `_STORED_BY_ARRAY`).
_CANDIDATES_BY_ARRAYS = f"{_SELECT_CANDIDATES} FROM unnest(%s::text[], %s::int[]) AS k(a, p){_JOIN_CANDIDATES}"


@lru_cache(maxsize=4)
def _article_readers(dialect: Dialect) -> list[Callable[[Any], Any] | None]:
    """What SQLAlchemy would apply to each article column read through plain SQL (times to aware UTC)."""
    return [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in _STORED[1:]]


def candidates(
    connection: Connection, keys: Iterable[tuple[str, int]]
) -> tuple[dict[str, StoredArticle], dict[tuple[str, int], str]]:
    """The paragraphs of `keys` (article id, position) that exist, with their articles: one statement on
    PostgreSQL; on SQLite one per CHUNK values, which the read transaction holds to one snapshot."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}, {}
    statements: list[tuple[str, tuple[Any, ...]]]
    if is_sqlite(connection):
        # A "More" page can bring a thousand keys, two values each; an SQLite built before 3.32 binds at most 999.
        statements = [
            (
                f"WITH k(a, p) AS (VALUES {', '.join(['(?, ?)'] * len(chunk))}) {_SELECT_CANDIDATES} FROM k"
                + _JOIN_CANDIDATES,
                tuple(value for key in chunk for value in key),
            )
            for chunk in _chunks(wanted, CHUNK // 2)
        ]
    else:
        statements = [(_CANDIDATES_BY_ARRAYS, ([a for a, _ in wanted], [p for _, p in wanted]))]
    readers = _article_readers(connection.dialect)
    found: dict[str, StoredArticle] = {}
    texts: dict[tuple[str, int], str] = {}
    for statement, values in statements:
        # Fetched at once: row by row, SQLAlchemy's cursor fetched each through its own layers (8% of this read).
        for article_id, position, paragraph, *columns in connection.exec_driver_sql(statement, values).fetchall():
            texts[article_id, position] = paragraph
            if article_id not in found:
                read = (convert(value) if convert else value for convert, value in zip(readers, columns, strict=True))
                found[article_id] = StoredArticle(article_id, *read)
    return found, texts


def latest(
    connection: Connection, limit: int, category: str | None = None, before: datetime | None = None
) -> list[StoredArticle]:
    """Newest first: dated stories by publication time, or arrival for one dated after it arrived (a typo's year
    would keep it at the top for years), and undated ones that came from the web (a followed feed's entry, a
    fetched page) by arrival among them, as digests order them, since such a story arrives as it is published
    (`StoredArticle.news_time`); then undated stories from files and new feeds' back catalogues, newest arrival
    first: an archive or a dataset imported today, or a feed's old entries read when it was followed, are not the
    day's news. Each part is one query following an index (`published`, `articles_latest`), merged here: one ORDER
    BY COALESCE(published, added_at) would sort every article (65 ms at 500k on SQLite, against 0.5 ms). With
    `before`, of those with a news time only those before it, a day's newest ("what happened yesterday?" listed
    today's above yesterday's); undated stories from files, which may be of any day, after them as ever."""

    def until(column: Any) -> Any:
        return true() if before is None else column < before

    # Every article is written in its category's one spelling: that name, found by key, matches exactly.
    name = spelling(connection, category) if category else None
    if category and name is None:
        return []

    def newest(condition: Any, when: Any = None, count: int = 0) -> list[StoredArticle]:
        """The `count` newest by `when` that meet `condition`; all of them, unordered, without `when`."""
        query = select(articles).where(condition)
        if name is not None:
            query = query.where(articles.c.category == name)
        if when is not None:
            # Stories of one time in the order they arrived (`StoredArticle.batch_order`).
            query = query.order_by(when.desc(), articles.c.arrival.desc().nulls_last(), articles.c.id).limit(count)
        return [stored(row) for row in connection.execute(query)]

    undated = articles.c.published.is_(None)
    # StoredArticle.from_web, in SQL.
    web = or_(*(articles.c.origin.like(f"{prefix}%") for prefix in WEB_ORIGINS))
    backlog = articles.c.backlog
    ahead = articles.c.published > articles.c.added_at
    found = newest(
        articles.c.published.is_not(None) & ~ahead & until(articles.c.published), articles.c.published, limit
    )
    # Dated after their arrival, by arrival: one arrived before the oldest found is not among the newest, and one
    # arrived after it is dated later still, where the `published` index finds the few there are (ordered by
    # arrival in SQL, or by IS NOT NULL, SQLite would walk every article instead).
    oldest = found[-1].published if found and len(found) == limit else None
    found += newest(
        ahead & (articles.c.published > (oldest or datetime.min.replace(tzinfo=UTC))) & until(articles.c.added_at)
    )
    # Undated with a news time, their arrival (StoredArticle.news_time).
    found += newest(undated & web & ~backlog & until(articles.c.added_at), articles.c.added_at, limit)
    found.sort(key=lambda article: article.batch_order)
    found.sort(key=_news_order, reverse=True)
    found = found[:limit]
    if len(found) < limit:
        rest = undated & (articles.c.origin.is_(None) | ~web | backlog)
        found += newest(rest, articles.c.added_at, limit - len(found))
    return found


def _news_order(article: StoredArticle) -> tuple[datetime, datetime]:
    order = article.news_order
    assert order is not None, "only dated stories and undated ones from the web"
    return order


def categories(connection: Connection) -> list[tuple[str, int]]:
    count = func.count()
    rows = connection.execute(
        select(articles.c.category, count).group_by(articles.c.category).order_by(count.desc(), articles.c.category)
    )
    return [(name, number) for name, number in rows]


@dataclass(frozen=True)
class Totals:
    articles: int
    paragraphs: int
    undated: int
    first_published: datetime | None
    last_published: datetime | None


def totals(connection: Connection) -> Totals:
    row = connection.execute(
        select(
            func.count(),
            func.coalesce(func.sum(articles.c.paragraph_count), 0),
            func.count() - func.count(articles.c.published),
            func.min(articles.c.published),
            func.max(articles.c.published),
        )
    ).one()
    return Totals(int(row[0]), int(row[1]), int(row[2]), row[3], row[4])


def random_articles(connection: Connection, count: int) -> list[StoredArticle]:
    return [stored(row) for row in connection.execute(select(articles).order_by(func.random()).limit(count))]


def ids_from(connection: Connection, path: str) -> list[str]:
    """The ids of the articles read from the file at `path` (resolved, as ingest keeps it for their origin): the
    file's own article, or each of its records and pasted articles (`path#3`, `path#record-id`); for a folder, those
    of every file read under it."""
    within = (f"{path}#", f"{path}{os.sep}")
    query = select(articles.c.id, articles.c.origin).where(
        or_(articles.c.origin == path, *(articles.c.origin.startswith(start, autoescape=True) for start in within))
    )
    # SQLite's LIKE ignores case: "Story.txt" must not name "story.txt#2".
    return [row.id for row in connection.execute(query) if row.origin == path or row.origin.startswith(within)]


def ids_after(connection: Connection, after: str, limit: int | None) -> list[str]:
    """Article ids in order, after `after` (paging through every article without holding one long read)."""
    query = select(articles.c.id).where(articles.c.id > after).order_by(articles.c.id)
    return list(connection.scalars(query if limit is None else query.limit(limit)))


def paragraphs_changed_since(connection: Connection, seq: int) -> int:
    changed = select(changes.c.article_id).where(changes.c.seq > seq).distinct()
    total = connection.scalar(select(func.sum(articles.c.paragraph_count)).where(articles.c.id.in_(changed)))
    return int(total or 0)
