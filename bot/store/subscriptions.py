"""Which categories each chat follows, and since when (an alert never covers what arrived before)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, exists, func, or_, select, true, update

from bot.store.schema import chat_settings, chats, subscriptions
from bot.store.upsert import upsert

CHUNK = 500
# The start of alerts that have no stored start.
SINCE_EVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Subscriber:
    """A chat with alerts on that follows `category`: it is alerted to articles that arrived after `since`."""

    chat_id: int
    category: str
    since: datetime


def of_chat(connection: Connection, chat_id: int) -> list[tuple[str, datetime]]:
    """A chat's categories with when it subscribed, in name order."""
    rows = connection.execute(
        select(subscriptions.c.category, subscriptions.c.subscribed_at)
        .where(subscriptions.c.chat_id == chat_id)
        .order_by(subscriptions.c.category)
    )
    return [(row.category, row.subscribed_at) for row in rows]


def of_chats(connection: Connection, chat_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The categories of several chats' digests: empty for every category (a chat that follows none, or all of
    them, new ones too: `chat_settings.all_since`)."""
    ids = list(dict.fromkeys(chat_ids))
    found: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), CHUNK):
        rows = connection.execute(
            select(subscriptions.c.chat_id, subscriptions.c.category)
            .select_from(subscriptions.outerjoin(chat_settings, chat_settings.c.chat_id == subscriptions.c.chat_id))
            .where(subscriptions.c.chat_id.in_(ids[start : start + CHUNK]), chat_settings.c.all_since.is_(None))
            .order_by(subscriptions.c.chat_id, subscriptions.c.category)
        )
        for chat_id, category in rows:
            found[chat_id].append(category)
    return {i: tuple(c) for i, c in found.items()}


def add(connection: Connection, chat_id: int, categories: Sequence[str], now: datetime) -> list[str]:
    """Subscribe a chat; returns the categories it did not follow yet (a repeat keeps its first date)."""
    known = {category for category, _ in of_chat(connection, chat_id)}
    added = [c for c in dict.fromkeys(categories) if c not in known]
    for category in added:
        upsert(
            connection,
            subscriptions,
            {"chat_id": chat_id, "category": category, "subscribed_at": now},
            [
                "chat_id",
                "category",
            ],
            [],
        )
    return added


def add_many(connection: Connection, rows: Sequence[tuple[int, str]], now: datetime) -> None:
    """Insert (chat, category) pairs that do not exist yet (a bulk import)."""
    if rows:
        connection.execute(
            subscriptions.insert(), [{"chat_id": c, "category": k, "subscribed_at": now} for c, k in rows]
        )


def remove(connection: Connection, chat_id: int, categories: Sequence[str]) -> list[str]:
    """Unsubscribe a chat; returns the categories it did follow."""
    if not categories:
        return []
    gone = connection.scalars(
        delete(subscriptions)
        .where(subscriptions.c.chat_id == chat_id, subscriptions.c.category.in_(list(categories)))
        .returning(subscriptions.c.category)
    )
    return sorted(gone)


def alerted(connection: Connection, categories: Iterable[str]) -> list[Subscriber]:
    """The active chats with alerts on that follow any of `categories`, each with when alerts begin for it: the
    later of its subscription and the moment it last turned alerts on.

    A chat that subscribed to every category (`chat_settings.all_since`) also follows each of `categories` it has
    no subscription to (one that first appeared since), from the later of then and turning alerts on; so does a
    chat that follows no category, from turning alerts on, as its digest has every category. Read here,
    in the transaction that claims the alerts, rather than subscribing such chats when a category first appears:
    articles are written by several paths and processes, and a /subscribe all racing the first story of a
    category would miss it; the flag read at claim time cannot."""
    names = list(dict.fromkeys(categories))
    active = func.coalesce(chats.c.active, true())
    found = _followers(connection, names, active)
    followed = {(s.chat_id, s.category) for s in found}
    chose_none = ~exists().where(subscriptions.c.chat_id == chat_settings.c.chat_id)
    every = connection.execute(
        select(chat_settings.c.chat_id, chat_settings.c.all_since, chat_settings.c.alerts_since)
        .select_from(chat_settings.outerjoin(chats, chats.c.chat_id == chat_settings.c.chat_id))
        .where(or_(chat_settings.c.all_since.is_not(None), chose_none), chat_settings.c.alerts, active)
    ).all()
    for row in every:
        # Alerts on without a start (chats imported in bulk) begin where the cursor is.
        since = max((at for at in (row.all_since, row.alerts_since) if at is not None), default=SINCE_EVER)
        for name in names:
            if (row.chat_id, name) not in followed:
                found.append(Subscriber(row.chat_id, name, since))
    return found


def _followers(connection: Connection, names: Sequence[str], active: ColumnElement[Any]) -> list[Subscriber]:
    """The active chats with alerts on and a subscription to any of `names`."""
    found: list[Subscriber] = []
    for start in range(0, len(names), CHUNK):
        rows = connection.execute(
            select(
                subscriptions.c.chat_id,
                subscriptions.c.category,
                subscriptions.c.subscribed_at,
                chat_settings.c.alerts_since,
            )
            .select_from(
                subscriptions.join(chat_settings, chat_settings.c.chat_id == subscriptions.c.chat_id).outerjoin(
                    chats, chats.c.chat_id == subscriptions.c.chat_id
                )
            )
            .where(subscriptions.c.category.in_(names[start : start + CHUNK]), chat_settings.c.alerts, active)
        )
        found += [
            Subscriber(row.chat_id, row.category, max(row.subscribed_at, row.alerts_since or row.subscribed_at))
            for row in rows
        ]
    return found


def move(connection: Connection, old: int, new: int) -> None:
    """A migrated group's subscriptions go to its new id (joined with any the new id already has)."""
    mine = {category for category, _ in of_chat(connection, new)}
    if mine:
        connection.execute(
            delete(subscriptions).where(subscriptions.c.chat_id == old, subscriptions.c.category.in_(list(mine)))
        )
    connection.execute(update(subscriptions).where(subscriptions.c.chat_id == old).values(chat_id=new))
