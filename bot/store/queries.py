"""Questions kept for the "More" buttons under answers.

The key in a button is a hash of the question, its filters and the chat it was asked in, so asking the same
question again there needs no write at all: only a question not saved recently is written (after the answer is
sent, by the Telegram layer). A key is found only for its chat: a client may send any data with a press, and data
copied from another chat's button must not page through that chat's question. A question typed inline that
nothing answers is kept under one key of its asker's (its button opens their private chat): Telegram sends a query
for every letter typed, and a key per question wrote a row for each letter, where now each rewrites that one row.
The queries are searched side by side, by one process or several behind a webhook, and finish in any order: the row
names the query (its update id) and only a later one rewrites it, the database deciding, unless the row was kept
before the asker's current bout of typing (update ids may start again). Saved questions older than a button's life
are pruned whenever one is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select

from bot.models import short_hash
from bot.store.schema import queries
from bot.store.upsert import upsert


@dataclass(frozen=True)
class SavedQuery:
    """A question kept so a "More" button in chat `chat_id` can page through its answer later; `inline`, one typed
    in inline mode, kept for the asker's private chat (`chat_id`) under the one key of theirs."""

    question: str
    category: str | None
    since: datetime | None
    until: datetime | None
    chat_id: int
    inline: bool = False
    # The inline query that typed it (its update id): of an asker's queries the latest is kept. Not the question's.
    update_id: int | None = field(default=None, compare=False)
    # What the deep link of an inline question's button names it by (`load_linked`), telling no one its asker.
    link: str | None = field(default=None, compare=False)

    def replaces(self, kept: SavedQuery) -> bool:
        """Whether this question goes over `kept`, under the same key: not if both were typed inline and `kept` by a
        later query (the same query handled again, after a kill, writes again). `save` asks the same of the row, and
        lets a row kept before the asker's bout of typing go (a question in memory is one being saved now)."""
        return self.update_id is None or kept.update_id is None or self.update_id >= kept.update_id

    @property
    def key(self) -> str:
        """Short enough for Telegram's 64-byte callback data and a deep link's 64 characters."""
        if self.inline:
            return short_hash(f"inline|{self.chat_id}")[:12]
        return short_hash(f"{self.question}|{self.category}|{self.since}|{self.until}|{self.chat_id}")[:12]


def saved_at(connection: Connection, query: SavedQuery) -> datetime | None:
    """When `query` was saved under its key, or None if the key holds none or another question (an inline one
    typed since)."""
    found = (queries.c.key == query.key) & (queries.c.question == query.question)
    return connection.scalar(select(queries.c.created_at).where(found))


def save(connection: Connection, query: SavedQuery, now: datetime, lifetime: timedelta, bout: timedelta) -> None:
    """Keep `query` under its key, unless the key holds the question of a later inline query of the same `bout` of
    typing (kept less than that before), which stays."""
    row = {
        "key": query.key,
        "question": query.question,
        "category": query.category,
        "since": query.since,
        "until": query.until,
        "created_at": now,
        "update_id": query.update_id,
        "link": query.link,
    }
    replaced = None
    if query.update_id is not None:  # as `SavedQuery.replaces` asks, in the statement that writes
        replaced = (
            queries.c.update_id.is_(None)
            | (queries.c.update_id <= query.update_id)
            | (queries.c.created_at < now - bout)
        )
    upsert(connection, queries, row, ["key"], [column for column in row if column != "key"], replaced)
    connection.execute(delete(queries).where(queries.c.created_at < now - lifetime))


def load(connection: Connection, key: str, chat_id: int, now: datetime, lifetime: timedelta) -> SavedQuery | None:
    """The question kept under `key` for chat `chat_id`; None if it expired, or is another chat's."""
    row = connection.execute(select(queries).where(queries.c.key == key)).first()
    if row is None or row.created_at < now - lifetime:
        return None
    query = SavedQuery(row.question, row.category, row.since, row.until, chat_id)
    return next((kept for kept in (query, replace(query, inline=True)) if kept.key == key), None)


def load_linked(connection: Connection, link: str, now: datetime, lifetime: timedelta) -> tuple[str, str] | None:
    """The question typed inline that a deep link names (`SavedQuery.link`), and the key it is kept under, which is
    its asker's; None if it expired or its asker typed another since."""
    row = connection.execute(
        select(queries.c.question, queries.c.key, queries.c.created_at).where(queries.c.link == link)
    ).first()
    return None if row is None or row.created_at < now - lifetime else (row.question, row.key)
