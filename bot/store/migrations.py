"""Named migrations, applied in order, recorded in `schema_migrations`, serialized across processes.

Opening a store checks, without any lock, whether every migration is recorded; only if one is missing does it
take the migration lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), read the record again inside
it (another process may have just applied them) and apply what is still missing, all in one transaction: four
processes opening one new data directory at once create it exactly once.

A data directory made by newsbot 0.1 (plain sqlite3, a `migrations` table, articles with a `state`) is upgraded
in place by the first migration: its articles, paragraphs and chats are copied into the new tables.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, bindparam, delete, func, inspect, not_, select, text, update
from sqlalchemy.schema import CreateColumn

from bot.errors import StoreError
from bot.models import Article
from bot.store import articles as article_rows
from bot.store import categories, schema
from bot.store.changes import head
from bot.store.cursors import ALERTS_CURSOR
from bot.store.deliveries import DIGEST
from bot.store.engine import CHANGELOG_LOCK, MIGRATION_LOCK, lock, reading, writing
from bot.store.schema import (
    articles,
    category_names,
    changes,
    chat_settings,
    chats,
    cursors,
    deliveries,
    meta,
    metadata,
    migrations,
    paragraphs,
    queries,
    subscriptions,
    workers,
)
from bot.store.stories import headline_key

log = logging.getLogger(__name__)

# Rows copied per statement when upgrading a 0.1 store.
COPY_BATCH = 5000
SEED_BATCH = 500
# The `meta` row holding the store's identity.
STORE_ID = "store_id"

Seed = Callable[[], Iterable[Article]]
T = TypeVar("T")


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[Connection], None]


def _create(*tables: Table) -> Callable[[Connection], None]:
    def apply(connection: Connection) -> None:
        metadata.create_all(connection, tables=list(tables))

    return apply


def _add_columns(table: Table, *names: str) -> Callable[[Connection], None]:
    """Columns a table gained after the migration that made it: a store made before gets them; a store made since
    has them already (its table was made from the current schema)."""

    def apply(connection: Connection) -> None:
        present = {column["name"] for column in inspect(connection).get_columns(table.name)}
        for name in names:
            if name not in present:
                column = CreateColumn(table.c[name]).compile(dialect=connection.dialect)
                connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column}"))

    return apply


def _store(connection: Connection) -> None:
    """The articles, their change log, chats and saved questions (upgrading a 0.1 store if there is one)."""
    legacy = _is_legacy(connection)
    if legacy:
        _rename_legacy(connection)
    _create(articles, paragraphs, changes, meta, chats, queries)(connection)
    if legacy:
        _copy_legacy(connection)


def _subscriptions(connection: Connection) -> None:
    """Chats' digest settings, subscriptions, deliveries, change-log cursors and the running workers.

    The alerts' cursor starts at the log's head: what the store held before alerts existed is not news.
    """
    _create(chat_settings, subscriptions, deliveries, cursors, workers)(connection)
    connection.execute(cursors.insert().values(name=ALERTS_CURSOR, seq=head(connection), updated_at=datetime.now(UTC)))


def _category_names(connection: Connection) -> None:
    """One spelling per category (see `schema.category_names`). A store that already holds several spellings of
    one category ("sport" and "Sport") keeps the first to arrive, by its articles' arrival, then subscriptions';
    the other spellings' articles and subscriptions move to it (a chat following both keeps the earlier date).

    Merged in the store rather than matched by key on every read: digests, alerts, /categories and the
    /subscribe keyboard all compare names exactly, and one spelling keeps each of them right as it is.
    """
    _create(category_names)(connection)
    _merge_spellings(connection, ())


def _category_plurals(connection: Connection) -> None:
    """One category for a plural and its singular ("Sport" and "Sports", `categories.key` since): the keys are
    made again and the spellings merged as 0005 merged those of one case, the first to arrive kept. A category whose
    articles are all gone keeps its spelling, after those still filed."""
    kept = list(connection.scalars(select(category_names.c.name).order_by(category_names.c.name)))
    connection.execute(delete(category_names))
    _merge_spellings(connection, kept)


def _merge_spellings(connection: Connection, kept: Iterable[str]) -> None:
    """The articles' and subscriptions' categories spelt one way each (`categories.spell`), the first to arrive
    winning, then `kept`'s names; the other spellings' articles (logged as replaced) and subscriptions move to it
    (a chat following both keeps the earlier date)."""
    by_arrival = (
        select(articles.c.category)
        .group_by(articles.c.category)
        .order_by(func.min(articles.c.added_at), articles.c.category)
    )
    by_subscription = (
        select(subscriptions.c.category)
        .group_by(subscriptions.c.category)
        .order_by(func.min(subscriptions.c.subscribed_at), subscriptions.c.category)
    )
    seen = [*connection.scalars(by_arrival), *connection.scalars(by_subscription), *kept]
    merged = {old: new for old, new in categories.spell(connection, seen).items() if old != new}
    if merged:
        lock(connection, CHANGELOG_LOCK)
    for old, new in merged.items():
        filed = update(articles).where(articles.c.category == old).values(category=new).returning(articles.c.id)
        # Logged as new versions: an index files a paragraph under its category's key, which may have changed.
        moved_ids = connection.scalars(filed).all()
        if moved_ids:
            at = datetime.now(UTC)
            rows = [{"article_id": i, "kind": article_rows.REPLACED, "at": at} for i in moved_ids]
            connection.execute(schema.changes.insert(), rows)
        moved = connection.execute(
            delete(subscriptions)
            .where(subscriptions.c.category == old)
            .returning(subscriptions.c.chat_id, subscriptions.c.subscribed_at)
        ).all()
        for chat_id, since in moved:
            following = (subscriptions.c.chat_id == chat_id) & (subscriptions.c.category == new)
            earlier = connection.scalar(select(subscriptions.c.subscribed_at).where(following))
            if earlier is None:
                connection.execute(subscriptions.insert().values(chat_id=chat_id, category=new, subscribed_at=since))
            elif since < earlier:
                connection.execute(update(subscriptions).where(following).values(subscribed_at=since))
    if merged:
        log.info("store: category spellings merged into the first one: %s", merged)


def _back_catalogue(connection: Connection) -> None:
    """`articles.backlog`, set for the stories the change log recorded as a new feed's back catalogue."""
    _add_columns(articles, "backlog")(connection)
    read_as_backlog = select(changes.c.article_id).where(changes.c.kind == article_rows.BACKLOG)
    connection.execute(update(articles).where(articles.c.id.in_(read_as_backlog)).values(backlog=True))


def _arrival_order(connection: Connection) -> None:
    """`articles.arrival` for every story stored, from the change log's first entry of it: a story's first write is
    logged in its batch's order, and the batch's first gets the highest number (below the log's head, so below
    every story written after). Stories of different arrival times are ordered by their times before this."""
    _add_columns(articles, "arrival")(connection)
    first = select(changes.c.article_id, func.min(changes.c.seq).label("seq")).group_by(changes.c.article_id)
    logged = first.subquery()
    place = head(connection) + 1 - logged.c.seq
    connection.execute(update(articles).where(articles.c.id == logged.c.article_id).values(arrival=place))


def _identity(connection: Connection) -> None:
    """A random id written once: a local index or vectors made from another store (a data directory used with
    another DATABASE_URL) are known by it and rebuilt (bot.index.follower)."""
    connection.execute(meta.insert().values(key=STORE_ID, value=uuid.uuid4().hex))


def _query_links(connection: Connection) -> None:
    """The link an inline question's button carries, and an index to find the question by it."""
    _add_columns(schema.queries, "link")(connection)
    schema.queries_link.create(connection, checkfirst=True)


def _received_chat(connection: Connection) -> None:
    """The chat of each update received, and an index to find a chat's earlier ones not handled yet."""
    _add_columns(schema.received_updates, "chat_id")(connection)
    schema.received_updates_chat.create(connection, checkfirst=True)


def _source_ids(connection: Connection) -> None:
    """`articles.source_id`, indexed: a newsroom's re-export corrects its stories by their ids. Stories stored before
    have none (their origins hold a record's id or its number alike), and are corrected by link or file as before."""
    _add_columns(articles, "source_id")(connection)
    schema.articles_source_id.create(connection, checkfirst=True)


def _delivery_days(connection: Connection) -> None:
    """`deliveries.local_day` and `day_zone`, for the digests stored before too, read once from their keys ("2026-03-27
    Europe/Berlin"): a claim nobody sent is owed while its day lasts, which was read back out of the key at every
    recovery. A key naming no zone gets neither: such a claim expires past the grace, as it did."""
    _add_columns(deliveries, "local_day", "day_zone")(connection)
    digests = select(deliveries.c.id, deliveries.c.key).where(deliveries.c.kind == DIGEST)
    days = [
        {"b_id": i, "day": date.fromisoformat(day), "zone": zone}
        for i, key in connection.execute(digests)
        for day, _, zone in [key.partition(" ")]
        if zone
    ]
    by_id = (
        update(deliveries)
        .where(deliveries.c.id == bindparam("b_id"))
        .values(local_day=bindparam("day"), day_zone=bindparam("zone"))
    )
    for batch in _batches(days, COPY_BATCH):
        connection.execute(by_id, batch)


def _headline_keys(connection: Connection) -> None:
    """`articles.headline_key`, indexed, for every story stored: a new link's story is looked for among them. Two
    copies of one story stored before stay as they are (which to keep is a reader's choice: `newsbot remove`)."""
    _add_columns(articles, "headline_key")(connection)
    schema.articles_headline_key.create(connection, checkfirst=True)
    titles = connection.execute(select(articles.c.id, articles.c.title))
    keys = [{"b_id": i, "key": headline_key(title)} for i, title in titles]
    by_id = update(articles).where(articles.c.id == bindparam("b_id")).values(headline_key=bindparam("key"))
    for batch in _batches(keys, COPY_BATCH):
        connection.execute(by_id, batch)


def _chat_restrictions(connection: Connection) -> None:
    """Whether an inactive chat is so only by a restriction, and an index of the chats that are."""
    _add_columns(schema.chats, "restricted")(connection)
    schema.chats_restricted.create(connection, checkfirst=True)


def _restricted_groups(connection: Connection) -> None:
    """Groups and channels (negative ids) inactive since before 0023 kept restrictions: each may have restricted
    the bot and lifted it since without a word, so it is asked once at its next digest time, as 0023's are
    (bot.services.fanout). Telegram's answer sorts them: one that removed the bot is never asked again; one still
    restricting it is asked at each due time; one that lifted it gets its digest. Without this their digests had
    stopped until someone wrote there. A private chat cannot restrict the bot: inactive, it blocked it."""
    connection.execute(update(chats).where(not_(chats.c.active), chats.c.chat_id < 0).values(restricted=True))


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_store", _store),
    Migration("0002_subscriptions", _subscriptions),
    Migration("0003_feeds", _create(schema.feeds, schema.feed_entries)),
    Migration("0004_feed_page_retries", _add_columns(schema.feed_entries, "page_failures", "page_retry_at")),
    Migration("0005_category_names", _category_names),
    Migration("0006_store_id", _identity),
    Migration("0007_latest", lambda connection: schema.articles_latest.create(connection, checkfirst=True)),
    Migration("0008_digest_topic", _add_columns(schema.chat_settings, "topic")),
    Migration("0009_digest_chosen", _add_columns(schema.chat_settings, "digest_chosen")),
    Migration("0010_received_updates", _create(schema.received_updates)),
    Migration("0011_back_catalogue", _back_catalogue),
    Migration("0012_article_sends", _create(schema.article_sends)),
    Migration("0013_asked_questions", _create(schema.asked_questions)),
    Migration("0014_received_chat", _received_chat),
    Migration("0015_headline_keys", _headline_keys),
    Migration("0016_article_send_update", _add_columns(schema.article_sends, "update_id")),
    Migration("0017_query_update", _add_columns(schema.queries, "update_id")),
    Migration("0018_feed_moves", _add_columns(schema.feeds, "moved_from", "redirected_to")),
    Migration("0019_feed_pauses", _add_columns(schema.feeds, "paused_at")),
    Migration("0020_all_categories", _add_columns(schema.chat_settings, "all_since")),
    Migration("0022_feed_absences", _add_columns(schema.feeds, "absent_since")),
    Migration("0023_chat_restrictions", _chat_restrictions),
    Migration("0024_restricted_groups", _restricted_groups),
    Migration("0025_restriction_asks", _add_columns(schema.chats, "asked_due", "asking_until")),
    Migration("0026_site_waits", _create(schema.site_waits)),
    Migration("0027_arrival_order", _arrival_order),
    Migration("0028_feed_pages_given_up", _add_columns(schema.feed_entries, "page_given_up_at")),
    Migration(
        "0029_feed_entry_hashes", lambda connection: schema.feed_entries_hash.create(connection, checkfirst=True)
    ),
    Migration("0030_feed_entry_dates", _add_columns(schema.feed_entries, "dated")),
    Migration("0031_category_plurals", _category_plurals),
    Migration("0032_query_links", _query_links),
    Migration("0033_question_replies", _create(schema.question_replies)),
    Migration("0034_source_ids", _source_ids),
    Migration("0035_feed_unreadable_told", _add_columns(schema.feeds, "unreadable_told")),
    Migration("0036_delivery_days", _delivery_days),
    Migration("0037_robots", _create(schema.site_robots, schema.site_turns, schema.feed_requests)),
)


def pending(engine: Engine) -> list[str]:
    """Names of the migrations this store still lacks (read without a lock).

    A store a newer newsbot migrated is refused: this version would read and write tables whose shape it does
    not know (a rollback after an upgrade, or an older process started beside newer ones).
    """
    done = _done(engine)
    if unknown := sorted(done - {m.name for m in MIGRATIONS}):
        raise StoreError(
            f"the store was migrated by a newer newsbot ({_named(unknown)}): run that version, or restore a backup of"
            " the store made before it"
        )
    return [m.name for m in MIGRATIONS if m.name not in done]


def newer(engine: Engine) -> str:
    """The migrations of the store this version does not know, named as a line names them ("" if none): a newer
    newsbot migrated it after this process opened it (an upgrade with this process still running)."""
    return _named(sorted(_done(engine) - {m.name for m in MIGRATIONS}))


def _done(engine: Engine) -> set[str]:
    """The names of the migrations recorded in the store (none before its first)."""
    with reading(engine) as connection:
        if not inspect(connection).has_table(migrations.name):
            return set()
        return set(connection.scalars(select(migrations.c.name)))


def _named(names: Sequence[str]) -> str:
    """Migrations as a line names them: each of a few, else how many and the first and last (a version three weeks
    older listed 23 in a line of 600 characters)."""
    return ", ".join(names) if len(names) <= 3 else f"{len(names)} migrations, {names[0]} to {names[-1]}"


class StoreNotMadeError(StoreError):
    """Raised by `migrate(make=False)` on a database holding no store yet (an empty file another process made, which
    it is about to make the store in)."""


def migrate(engine: Engine, seed: Seed | None = None, now: datetime | None = None, make: bool = True) -> bool:
    """Apply the missing migrations; True if this call created the store (then `seed`'s articles are added).
    `make=False`: a database holding no store yet is left as it is (StoreNotMadeError)."""
    if not pending(engine):
        return False
    with writing(engine, MIGRATION_LOCK) as connection:
        migrations.create(connection, checkfirst=True)
        done = set(connection.scalars(select(migrations.c.name)))
        created = not done and not _is_legacy(connection)
        if created and not make:
            raise StoreNotMadeError(f"no store in {engine.url.database} yet")
        applied = []
        for migration in MIGRATIONS:
            if migration.name in done:
                continue
            migration.apply(connection)
            connection.execute(migrations.insert().values(name=migration.name, applied_at=now or datetime.now(UTC)))
            applied.append(migration.name)
        # One line: a line per migration made a new store's first 30 lines of the bot's log.
        if created:
            log.info("store: made anew (%s)", _named(applied))
        elif applied:
            log.info("store: brought up to this version (%s)", _named(applied))
        if created and seed is not None:
            # In the same transaction: nobody ever sees the new store without its shipped articles.
            lock(connection, CHANGELOG_LOCK)
            for batch in _batches(seed(), SEED_BATCH):
                article_rows.write(connection, batch, now or datetime.now(UTC))
    return created


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# ---- the 0.1 store --------------------------------------------------------------------------------------------

_LEGACY_TABLES = ("articles", "paragraphs", "chats", "queries", "meta")
_LEGACY_INDEXES = ("articles_origin", "articles_state", "articles_published")


def _is_legacy(connection: Connection) -> bool:
    inspector = inspect(connection)
    return inspector.has_table("migrations") and inspector.has_table("articles")


def _rename_legacy(connection: Connection) -> None:
    for name in _LEGACY_INDEXES:
        connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for name in _LEGACY_TABLES:
        if inspect(connection).has_table(name):
            connection.execute(text(f"ALTER TABLE {name} RENAME TO legacy_{name}"))


def _instant(value: Any) -> datetime | None:
    """A 0.1 time (naive ISO text in UTC, or epoch seconds) as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _copy_legacy(connection: Connection) -> None:
    """Copy a 0.1 store's live articles, paragraphs and chats, then drop its tables."""
    rows = connection.execute(
        text(
            "SELECT id, title, category, published, url, author, origin, content_hash, paragraph_count, added_at"
            " FROM legacy_articles WHERE state != 'deleting'"
        )
    )
    copied = 0
    while batch := rows.fetchmany(COPY_BATCH):
        connection.execute(
            articles.insert(),
            [
                {
                    **row._asdict(),
                    "published": _instant(row.published),
                    "added_at": _instant(row.added_at),
                    "updated_at": _instant(row.added_at),
                }
                for row in batch
            ],
        )
        copied += len(batch)
    connection.execute(
        text(
            "INSERT INTO paragraphs (article_id, position, text) SELECT p.article_id, p.position, p.text"
            " FROM legacy_paragraphs p JOIN articles a ON a.id = p.article_id"
        )
    )
    if inspect(connection).has_table("legacy_chats"):
        chat_rows = connection.execute(text("SELECT chat_id, kind, title, active, updated_at FROM legacy_chats"))
        while batch := chat_rows.fetchmany(COPY_BATCH):
            connection.execute(
                chats.insert(),
                [
                    {**row._asdict(), "active": bool(row.active), "updated_at": _instant(row.updated_at)}
                    for row in batch
                ],
            )
    # Saved questions are not copied: the buttons behind them simply say "expired, ask again".
    for name in ("paragraphs", "articles", "chats", "queries", "meta"):
        connection.execute(text(f"DROP TABLE IF EXISTS legacy_{name}"))
    connection.execute(text("DROP TABLE migrations"))
    log.info("store: upgraded a newsbot 0.1 store in place (%d articles kept)", copied)
