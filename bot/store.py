"""The article store (SQLite): articles, paragraphs, chats and saved questions.

The store is the source of truth; the search index is derived from it. Every article carries a state, so an
ingest that dies between the store and the index is finished on the next open (see `bot.library`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.models import Article, StoredArticle, short_hash

log = logging.getLogger(__name__)

INDEXED, PENDING, DELETING = "indexed", "pending", "deleting"

# Named migrations, applied in order and recorded, so an old data directory upgrades itself.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_articles",
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, category TEXT NOT NULL DEFAULT '',
            published TEXT, url TEXT, author TEXT, origin TEXT, content_hash TEXT NOT NULL,
            state TEXT NOT NULL, added_at REAL NOT NULL);
        CREATE INDEX articles_origin ON articles(origin);
        CREATE INDEX articles_state ON articles(state) WHERE state != 'indexed';
        CREATE INDEX articles_published ON articles(published);
        CREATE TABLE paragraphs (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
            text TEXT NOT NULL, PRIMARY KEY (article_id, position)) WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    ),
    (
        "0002_chats_and_queries",
        """
        CREATE TABLE chats (
            chat_id INTEGER PRIMARY KEY, kind TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1, updated_at REAL NOT NULL);
        CREATE TABLE queries (
            key TEXT PRIMARY KEY, question TEXT NOT NULL, category TEXT, since TEXT, until TEXT,
            generation INTEGER NOT NULL, created_at REAL NOT NULL);
    """,
    ),
    # Counting paragraphs over a join took seconds at a million paragraphs, on every open.
    (
        "0003_paragraph_count",
        """
        ALTER TABLE articles ADD COLUMN paragraph_count INTEGER NOT NULL DEFAULT 0;
        UPDATE articles SET paragraph_count = (SELECT COUNT(*) FROM paragraphs p WHERE p.article_id = articles.id);
    """,
    ),
)


@dataclass(frozen=True)
class SavedQuery:
    """A question kept so a "More" button can page through its answer later."""

    question: str
    category: str | None
    since: datetime | None
    until: datetime | None


@dataclass(frozen=True)
class StoreStats:
    articles: int
    paragraphs: int
    categories: tuple[tuple[str, int], ...]
    first_published: datetime | None
    last_published: datetime | None
    undated: int


def _date(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


class Store:
    """SQLite access, safe to share between threads (one connection behind a lock, WAL journal)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL)")
            done = {row[0] for row in self._db.execute("SELECT name FROM migrations")}
            for name, script in MIGRATIONS:
                if name in done:
                    continue
                self._db.executescript(
                    f"BEGIN; {script} INSERT INTO migrations VALUES ('{name}', {time.time()}); COMMIT;"
                )
                log.info("store: applied migration %s", name)

    def _transaction(self) -> _Transaction:
        return _Transaction(self)

    # ---- articles -------------------------------------------------------------------------------------------

    def stage(self, articles: Sequence[Article]) -> dict[str, list[str]]:
        """Write a batch of articles as pending; returns ids by outcome (added, updated, unchanged, duplicate...).

        An article whose origin (file or record) held another article replaces it: that one is marked for
        deletion, so an edited file without a URL does not leave its old version behind.
        """
        outcome: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": [], "duplicate": [], "replaced": []}
        now = time.time()
        seen: set[str] = set()
        with self._transaction() as db:
            for article in articles:
                article_id = article.id
                if article_id in seen:
                    # The same story twice in one batch (a newsroom filing it under two categories): first wins.
                    outcome["duplicate"].append(article_id)
                    continue
                seen.add(article_id)
                row = db.execute("SELECT content_hash, state FROM articles WHERE id = ?", (article_id,)).fetchone()
                if article.origin:
                    for old in db.execute(
                        "SELECT id FROM articles WHERE origin = ? AND id != ? AND state != ?",
                        (article.origin, article_id, DELETING),
                    ).fetchall():
                        db.execute("UPDATE articles SET state = ? WHERE id = ?", (DELETING, old[0]))
                        outcome["replaced"].append(old[0])
                if row is not None and row["content_hash"] == article.content_hash and row["state"] != DELETING:
                    outcome["unchanged"].append(article_id)
                    continue
                outcome["updated" if row is not None else "added"].append(article_id)
                db.execute(
                    "INSERT INTO articles (id, title, category, published, url, author, origin, content_hash, state,"
                    " added_at, paragraph_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
                    " SET title=excluded.title, category=excluded.category, published=excluded.published,"
                    " url=excluded.url, author=excluded.author, origin=excluded.origin,"
                    " content_hash=excluded.content_hash, state=excluded.state,"
                    " paragraph_count=excluded.paragraph_count",
                    (
                        article_id,
                        article.title,
                        article.category,
                        _iso(article.published),
                        article.url,
                        article.author,
                        article.origin,
                        article.content_hash,
                        PENDING,
                        now,
                        len(article.paragraphs),
                    ),
                )
                db.execute("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))
                db.executemany(
                    "INSERT INTO paragraphs (article_id, position, text) VALUES (?, ?, ?)",
                    [(article_id, i, text) for i, text in enumerate(article.paragraphs)],
                )
        return outcome

    def mark_for_deletion(self, article_ids: Iterable[str]) -> None:
        with self._transaction() as db:
            db.executemany("UPDATE articles SET state = ? WHERE id = ?", [(DELETING, i) for i in article_ids])

    def unfinished(self) -> tuple[list[str], list[str]]:
        """Articles the index may not have caught up with: (to index, to delete)."""
        with self._lock:
            rows = self._db.execute("SELECT id, state FROM articles WHERE state != ?", (INDEXED,)).fetchall()
        return ([r["id"] for r in rows if r["state"] == PENDING], [r["id"] for r in rows if r["state"] == DELETING])

    def finish(self, indexed: Iterable[str], deleted: Iterable[str]) -> None:
        """Record that the index now holds `indexed` and no longer holds `deleted`."""
        with self._transaction() as db:
            db.executemany(
                "UPDATE articles SET state = ? WHERE id = ? AND state = ?", [(INDEXED, i, PENDING) for i in indexed]
            )
            db.executemany("DELETE FROM articles WHERE id = ? AND state = ?", [(i, DELETING) for i in deleted])

    def mark_all_pending(self) -> None:
        with self._transaction() as db:
            db.execute("UPDATE articles SET state = ? WHERE state = ?", (PENDING, INDEXED))

    def article(self, article_id: str) -> StoredArticle | None:
        with self._lock:
            row = self._db.execute(
                "SELECT a.* FROM articles a WHERE id = ? AND state != ?", (article_id, DELETING)
            ).fetchone()
        return self._stored(row) if row else None

    def articles(self, article_ids: Iterable[str]) -> dict[str, StoredArticle]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        with self._lock:
            rows = self._db.execute(
                f"SELECT a.* FROM articles a WHERE id IN ({','.join('?' * len(ids))})", ids
            ).fetchall()
        return {row["id"]: self._stored(row) for row in rows}

    @staticmethod
    def _stored(row: sqlite3.Row) -> StoredArticle:
        return StoredArticle(
            id=row["id"],
            title=row["title"],
            category=row["category"],
            published=_date(row["published"]),
            url=row["url"],
            author=row["author"],
            origin=row["origin"],
            paragraph_count=row["paragraph_count"],
        )

    def paragraphs(self, article_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT text FROM paragraphs WHERE article_id = ? ORDER BY position", (article_id,)
            ).fetchall()
        return [r[0] for r in rows]

    def paragraph_texts(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        # The keys as a table joined on the primary key: one statement, one index probe per key (a row-value
        # IN (VALUES ...) is planned as a full scan).
        with self._lock:
            rows = self._db.execute(
                f"WITH k(a, p) AS (VALUES {','.join(['(?, ?)'] * len(keys))}) SELECT k.a, k.p, t.text FROM k"
                " CROSS JOIN paragraphs t ON t.article_id = k.a AND t.position = k.p",
                [v for key in keys for v in key],
            ).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}

    def iter_indexable(self, article_ids: Sequence[str] | None = None) -> Iterator[tuple[StoredArticle, list[str]]]:
        """Articles with their paragraphs, for (re)building the index: all live ones, or just `article_ids`."""
        if article_ids is not None:
            for chunk_start in range(0, len(article_ids), 500):
                chunk = article_ids[chunk_start : chunk_start + 500]
                for article_id, article in self.articles(chunk).items():
                    yield article, self.paragraphs(article_id)
            return
        with self._lock:
            ids = [
                r[0] for r in self._db.execute("SELECT id FROM articles WHERE state != ? ORDER BY rowid", (DELETING,))
            ]
        yield from self.iter_indexable(ids)

    def latest(self, limit: int, category: str | None = None) -> list[StoredArticle]:
        """Newest articles first; undated ones after dated ones, newest added first."""
        where, args = "state != ?", [DELETING]
        if category:
            where += " AND lower(category) = lower(?)"
            args.append(category)
        with self._lock:
            rows = self._db.execute(
                "SELECT a.* FROM articles a"
                f" WHERE {where} ORDER BY published IS NULL, published DESC, added_at DESC, rowid DESC LIMIT ?",
                [*args, limit],
            ).fetchall()
        return [self._stored(r) for r in rows]

    def categories(self) -> list[tuple[str, int]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT category, COUNT(*) FROM articles WHERE state != ? GROUP BY category"
                " ORDER BY COUNT(*) DESC, category",
                (DELETING,),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def stats(self) -> StoreStats:
        with self._lock:
            articles, first, last, undated = self._db.execute(
                "SELECT COUNT(*), MIN(published), MAX(published), COUNT(*) - COUNT(published) FROM articles"
                " WHERE state != ?",
                (DELETING,),
            ).fetchone()
            paragraphs = self._db.execute(
                "SELECT COALESCE(SUM(paragraph_count), 0) FROM articles WHERE state != ?", (DELETING,)
            ).fetchone()[0]
        return StoreStats(articles, paragraphs, tuple(self.categories()), _date(first), _date(last), undated)

    def indexed_paragraph_count(self) -> int:
        with self._lock:
            count: int = self._db.execute(
                "SELECT COALESCE(SUM(paragraph_count), 0) FROM articles WHERE state = ?", (INDEXED,)
            ).fetchone()[0]
        return count

    def random_paragraphs(self, count: int) -> list[tuple[StoredArticle, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT article_id, text FROM paragraphs ORDER BY random() LIMIT ?", (count,)
            ).fetchall()
        found = self.articles(r[0] for r in rows)
        return [(found[r[0]], r[1]) for r in rows if r[0] in found]

    # ---- meta -----------------------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str = "") -> str:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value)
            )

    @property
    def generation(self) -> int:
        """Bumped by every re-index: saved questions from an older generation have expired."""
        return int(self.get_meta("generation", "0"))

    def bump_generation(self) -> int:
        value = self.generation + 1
        self.set_meta("generation", str(value))
        return value

    # ---- chats and saved questions --------------------------------------------------------------------------

    def touch_chat(self, chat_id: int, kind: str = "", title: str = "", active: bool = True) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO chats VALUES (?, ?, ?, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET"
                " kind = excluded.kind, title = excluded.title, active = excluded.active,"
                " updated_at = excluded.updated_at",
                (chat_id, kind, title, int(active), time.time()),
            )

    def set_chat_active(self, chat_id: int, active: bool) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO chats (chat_id, active, updated_at) VALUES (?, ?, ?) ON CONFLICT(chat_id)"
                " DO UPDATE SET active = excluded.active, updated_at = excluded.updated_at",
                (chat_id, int(active), time.time()),
            )

    def chat_active(self, chat_id: int) -> bool | None:
        with self._lock:
            row = self._db.execute("SELECT active FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return None if row is None else bool(row[0])

    def save_query(self, query: SavedQuery) -> str:
        """Keep a question for its buttons; the key is short enough for Telegram's callback data."""
        generation = self.generation
        key = short_hash(f"{generation}|{query.question}|{query.category}|{query.since}|{query.until}")[:12]
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO queries VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, query.question, query.category, _iso(query.since), _iso(query.until), generation, time.time()),
            )
        return key

    def load_query(self, key: str, max_age_seconds: float) -> SavedQuery | None:
        """The question behind a button, or None if it expired (re-index, age, or never existed)."""
        with self._lock:
            row = self._db.execute("SELECT * FROM queries WHERE key = ?", (key,)).fetchone()
        if row is None or row["generation"] != self.generation or time.time() - row["created_at"] > max_age_seconds:
            return None
        return SavedQuery(row["question"], row["category"], _date(row["since"]), _date(row["until"]))


class _Transaction:
    """`with store._transaction() as db`: one IMMEDIATE transaction under the store's lock."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        self._store._db.execute("BEGIN IMMEDIATE")
        return self._store._db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._store._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._store._lock.release()
