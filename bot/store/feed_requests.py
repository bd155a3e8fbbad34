"""/addfeed requests kept for their "Add it anyway" button (see `schema.feed_requests`): asked, then taken once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, update

from bot.store.engine import writing
from bot.store.schema import feed_requests

# How long a request's button adds its feed.
KEPT = timedelta(days=7)


def ask(connection: Connection, chat_id: int, url: str, category: str | None, now: datetime) -> str:
    """Keep a request to follow `url` for `chat_id`'s button; returns its key (16 hex digits)."""
    connection.execute(delete(feed_requests).where(feed_requests.c.asked_at <= now - KEPT))
    key = uuid.uuid4().hex[:16]
    connection.execute(
        feed_requests.insert().values(key=key, chat_id=chat_id, url=url, category=category, asked_at=now)
    )
    return key


def take(
    connection: Connection, key: str, chat_id: int, update_id: int, now: datetime
) -> tuple[str, str | None] | None:
    """The address and category of the request `key` of `chat_id`, taken for the press that is update `update_id`;
    None if another press took it, or it is unknown or too old. The very update handled again (taken over from a
    process killed mid-add) takes it again."""
    taken = connection.execute(
        update(feed_requests)
        .where(
            feed_requests.c.key == key,
            feed_requests.c.chat_id == chat_id,
            feed_requests.c.asked_at > now - KEPT,
            feed_requests.c.taken_by.is_(None) | (feed_requests.c.taken_by == update_id),
        )
        .values(taken_by=update_id)
        .returning(feed_requests.c.url, feed_requests.c.category)
    ).first()
    return None if taken is None else (taken.url, taken.category)


class FeedRequests:
    """The requests over an engine: one short transaction per call, safe between threads and processes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ask(self, chat_id: int, url: str, category: str | None, now: datetime) -> str:
        with writing(self.engine) as connection:
            return ask(connection, chat_id, url, category, now)

    def take(self, key: str, chat_id: int, update_id: int, now: datetime) -> tuple[str, str | None] | None:
        with writing(self.engine) as connection:
            return take(connection, key, chat_id, update_id, now)
