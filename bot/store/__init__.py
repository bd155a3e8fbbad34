"""The store: the one truth every newsbot process shares (SQLAlchemy Core on SQLite or PostgreSQL).

`Store` opens one short transaction per call: reads see a consistent snapshot and never wait for a writer;
article writes hold the change-log lock so the log's sequence numbers commit in order. The modules beside this
one hold the SQL, one per group of tables; this class is the door the rest of newsbot uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.models import Article, StoredArticle
from bot.store import articles, changes, chats, queries
from bot.store.articles import WriteResult
from bot.store.changes import Change
from bot.store.engine import CHANGELOG_LOCK, connect, reading, writing
from bot.store.migrations import Seed, migrate, pending
from bot.store.queries import SavedQuery

__all__ = ["Change", "SavedQuery", "Store", "StoreStats", "WriteResult"]

# A button's question is kept this long (Telegram keeps buttons forever; the news they page through goes stale).
QUERY_LIFETIME = timedelta(days=7)
# Asking a saved question again rewrites it only when it is older than this, so buttons live 7 days less this.
QUERY_REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class StoreStats:
    articles: int
    paragraphs: int
    categories: tuple[tuple[str, int], ...]
    first_published: datetime | None
    last_published: datetime | None
    undated: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Articles, the change log, chats and saved questions; safe to share between threads and processes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, seed: Seed | None = None) -> Store:
        """Connect and apply any missing migration; a store created now gets `seed`'s articles."""
        engine = connect(url)
        try:
            migrate(engine, seed)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def pending_migrations(self) -> list[str]:
        return pending(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # ---- articles ---------------------------------------------------------------------------------------------

    def write_articles(self, batch: Sequence[Article], now: datetime | None = None) -> WriteResult:
        """Add or replace a batch of articles in one transaction, with their change-log entries."""
        with writing(self.engine, CHANGELOG_LOCK) as connection:
            return articles.write(connection, batch, now or _now())

    def remove_articles(self, article_ids: Iterable[str], now: datetime | None = None) -> list[str]:
        """Delete articles; returns the ids that existed."""
        with writing(self.engine, CHANGELOG_LOCK) as connection:
            return articles.remove(connection, list(article_ids), now or _now())

    def article(self, article_id: str) -> StoredArticle | None:
        with reading(self.engine) as connection:
            return articles.get(connection, article_id)

    def articles(self, article_ids: Iterable[str]) -> dict[str, StoredArticle]:
        with reading(self.engine) as connection:
            return articles.get_many(connection, article_ids)

    def paragraphs(self, article_id: str) -> list[str]:
        with reading(self.engine) as connection:
            return articles.texts(connection, article_id)

    def paragraph_texts(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
        with reading(self.engine) as connection:
            return articles.paragraph_texts(connection, keys)

    def with_paragraphs(self, article_ids: Sequence[str]) -> list[tuple[StoredArticle, list[str]]]:
        """The articles that still exist among `article_ids`, each with its paragraphs (one snapshot)."""
        with reading(self.engine) as connection:
            found = articles.get_many(connection, article_ids)
            texts = articles.texts_of(connection, list(found))
        return [(found[i], texts[i]) for i in article_ids if i in found]

    def article_ids_after(self, after: str, limit: int) -> list[str]:
        with reading(self.engine) as connection:
            return articles.ids_after(connection, after, limit)

    def latest(self, limit: int, category: str | None = None) -> list[StoredArticle]:
        with reading(self.engine) as connection:
            return articles.latest(connection, limit, category)

    def categories(self) -> list[tuple[str, int]]:
        with reading(self.engine) as connection:
            return articles.categories(connection)

    def stats(self) -> StoreStats:
        with reading(self.engine) as connection:
            totals = articles.totals(connection)
            names = articles.categories(connection)
        return StoreStats(
            totals.articles,
            totals.paragraphs,
            tuple(names),
            totals.first_published,
            totals.last_published,
            totals.undated,
        )

    def random_articles(self, count: int) -> list[StoredArticle]:
        with reading(self.engine) as connection:
            return articles.random_articles(connection, count)

    # ---- change log ---------------------------------------------------------------------------------------------

    def head(self) -> int:
        """The newest change-log sequence number."""
        with reading(self.engine) as connection:
            return changes.head(connection)

    def changes_since(self, seq: int, limit: int, until: int | None = None) -> list[Change]:
        with reading(self.engine) as connection:
            return changes.since(connection, seq, limit, until)

    # ---- chats and saved questions ------------------------------------------------------------------------------

    def touch_chat(self, chat_id: int, kind: str = "", title: str = "", active: bool = True) -> None:
        with writing(self.engine) as connection:
            chats.touch(connection, chat_id, kind, title, active, _now())

    def set_chat_active(self, chat_id: int, active: bool) -> None:
        with writing(self.engine) as connection:
            chats.set_active(connection, chat_id, active, _now())

    def chat_active(self, chat_id: int) -> bool | None:
        with reading(self.engine) as connection:
            return chats.is_active(connection, chat_id)

    def save_query(self, query: SavedQuery, now: datetime | None = None) -> str:
        """Keep a question for its buttons and return its key; a question saved lately needs no write."""
        now = now or _now()
        with reading(self.engine) as connection:
            saved = queries.saved_at(connection, query.key)
        if saved is None or saved < now - QUERY_REFRESH:
            with writing(self.engine) as connection:
                queries.save(connection, query, now, QUERY_LIFETIME)
        return query.key

    def load_query(self, key: str, now: datetime | None = None) -> SavedQuery | None:
        """The question behind a button, or None if it expired or never existed."""
        with reading(self.engine) as connection:
            return queries.load(connection, key, now or _now(), QUERY_LIFETIME)
