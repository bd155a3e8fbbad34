"""Questions kept for the "More" buttons under answers.

The key in a button is a hash of the question and its filters, so asking the same question again needs no
write at all: only a question not saved recently is written (after the answer is sent, by the Telegram layer).
Saved questions older than a button's life are pruned whenever one is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select

from bot.models import short_hash
from bot.store.schema import queries
from bot.store.upsert import upsert


@dataclass(frozen=True)
class SavedQuery:
    """A question kept so a "More" button can page through its answer later."""

    question: str
    category: str | None
    since: datetime | None
    until: datetime | None

    @property
    def key(self) -> str:
        """Short enough for Telegram's 64-byte callback data."""
        return short_hash(f"{self.question}|{self.category}|{self.since}|{self.until}")[:12]


def saved_at(connection: Connection, key: str) -> datetime | None:
    return connection.scalar(select(queries.c.created_at).where(queries.c.key == key))


def save(connection: Connection, query: SavedQuery, now: datetime, lifetime: timedelta) -> None:
    row = {
        "key": query.key,
        "question": query.question,
        "category": query.category,
        "since": query.since,
        "until": query.until,
        "created_at": now,
    }
    upsert(connection, queries, row, ["key"], ["created_at"])
    connection.execute(delete(queries).where(queries.c.created_at < now - lifetime))


def load(connection: Connection, key: str, now: datetime, lifetime: timedelta) -> SavedQuery | None:
    row = connection.execute(select(queries).where(queries.c.key == key)).first()
    if row is None or row.created_at < now - lifetime:
        return None
    return SavedQuery(row.question, row.category, row.since, row.until)
