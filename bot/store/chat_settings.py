"""Chats' digest and alert settings, and each chat's next and previous digest due instants.

Every function takes an open `Connection`; `bot.store.Store` opens the transactions. Which settings are valid and
when a digest is due is decided by bot.services (subscriptions, schedule); this module only keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, or_, select, true, update
from sqlalchemy.engine import Row

from bot.store.deliveries import DIGEST, UNDELIVERED, Claim, Finished
from bot.store.schema import chat_settings, chats, subscriptions
from bot.store.upsert import upsert


@dataclass(frozen=True)
class ChatSettings:
    """What one chat chose for its digest and alerts, and when its next digest is due."""

    chat_id: int
    daily: time
    zone: str
    digest: bool = True
    alerts: bool = False
    # An empty digest says "nothing new in your categories today" (True) or stays silent (False).
    empty_notice: bool = True
    # When the next scheduled digest is due (None while the digest is off).
    next_due: datetime | None = None
    # Where the next scheduled digest's window starts: the due instant of the previous digest, or, when that one
    # reached no one (refused, expired), where its window started (`reopen`), so its stories are not lost.
    previous_due: datetime | None = None
    alerts_since: datetime | None = None
    # The forum topic digests and alerts go to (None: General, or a chat without topics).
    topic: int | None = None
    # Whether `digest` is the chat's choice, or the default of one that chose only a zone or alerts.
    digest_chosen: bool = True
    # Since when the chat follows every category, new ones too (/subscribe all); None: the ones it chose.
    all_since: datetime | None = None


@dataclass(frozen=True)
class DueChat:
    """A chat whose digest is due, and whether the bot may still write to it."""

    settings: ChatSettings
    active: bool
    # When it first subscribed to a category it still follows (None: it follows none, so every category).
    subscribed: datetime | None = None


def _settings(row: Row[Any]) -> ChatSettings:
    return ChatSettings(
        chat_id=row.chat_id,
        daily=time.fromisoformat(row.daily_time),
        zone=row.zone,
        digest=bool(row.digest),
        alerts=bool(row.alerts),
        empty_notice=bool(row.empty_notice),
        next_due=row.next_due,
        previous_due=row.previous_due,
        alerts_since=row.alerts_since,
        topic=row.topic,
        digest_chosen=bool(row.digest_chosen),
        all_since=row.all_since,
    )


def _row(settings: ChatSettings, now: datetime) -> dict[str, Any]:
    return {
        "chat_id": settings.chat_id,
        "daily_time": settings.daily.strftime("%H:%M"),
        "zone": settings.zone,
        "digest": settings.digest,
        "alerts": settings.alerts,
        "empty_notice": settings.empty_notice,
        "next_due": settings.next_due,
        "previous_due": settings.previous_due,
        "alerts_since": settings.alerts_since,
        "topic": settings.topic,
        "digest_chosen": settings.digest_chosen,
        "all_since": settings.all_since,
        "updated_at": now,
    }


def get(connection: Connection, chat_id: int, for_update: bool = False) -> ChatSettings | None:
    """A chat's settings; `for_update` locks the row (PostgreSQL) for a read-modify-write."""
    query = select(chat_settings).where(chat_settings.c.chat_id == chat_id)
    if for_update:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return _settings(row) if row else None


def put(connection: Connection, settings: ChatSettings, now: datetime) -> None:
    row = _row(settings, now)
    upsert(connection, chat_settings, row, ["chat_id"], [c for c in row if c != "chat_id"])


def put_many(connection: Connection, many: Sequence[ChatSettings], now: datetime) -> None:
    """Insert settings of chats that have none (a bulk import)."""
    if many:
        connection.execute(chat_settings.insert(), [_row(s, now) for s in many])


def due(connection: Connection, now: datetime, limit: int) -> list[DueChat]:
    """Up to `limit` chats whose digest is due at `now`, earliest first, locked until the transaction ends.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so processes claiming at the same minute take disjoint chats without
    waiting for one another; SQLite admits one writer at a time, which serializes them anyway.
    """
    active = func.coalesce(chats.c.active, true()).label("active")
    first = (
        select(func.min(subscriptions.c.subscribed_at))
        .where(subscriptions.c.chat_id == chat_settings.c.chat_id)
        .scalar_subquery()
        .label("subscribed")
    )
    rows = connection.execute(
        select(chat_settings, active, first)
        .select_from(chat_settings.outerjoin(chats, chats.c.chat_id == chat_settings.c.chat_id))
        .where(
            chat_settings.c.digest,
            chat_settings.c.next_due <= now,
            # Not while a process asks Telegram whether a restricted chat may be written to again (chats.claim_asks).
            or_(chats.c.asking_until.is_(None), chats.c.asking_until <= now),
        )
        .order_by(chat_settings.c.next_due, chat_settings.c.chat_id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=chat_settings)
    )
    return [DueChat(_settings(row), bool(row.active), row.subscribed) for row in rows]


def set_due(
    connection: Connection, dues: Sequence[tuple[int, datetime | None, datetime | None]], now: datetime
) -> None:
    """Store (chat, next due, previous due) for several chats in one statement."""
    if dues:
        connection.execute(
            update(chat_settings)
            .where(chat_settings.c.chat_id == bindparam("b_chat"))
            .values(next_due=bindparam("b_next"), previous_due=bindparam("b_previous"), updated_at=now),
            [{"b_chat": chat, "b_next": after, "b_previous": before} for chat, after, before in dues],
        )


def reopen(connection: Connection, finished: Finished, now: datetime) -> None:
    """A scheduled digest that reached no one leaves its window to the chat's next digest: the next window starts
    where this one's did (capped as every window is, `services.digests.scheduled_window`). Only while this digest
    is still the chat's previous one (a later one claimed since has its own window). Its day is free again
    (`deliveries.insert`): a new time later that day brings the digest then; else the next day's covers both."""
    if finished.kind != DIGEST or finished.status not in UNDELIVERED or finished.window_start is None:
        return
    connection.execute(
        update(chat_settings)
        .where(chat_settings.c.chat_id == finished.chat_id, chat_settings.c.previous_due == finished.due)
        .values(previous_due=finished.window_start, updated_at=now)
    )


def earliest_due(connection: Connection) -> datetime | None:
    """When the next digest of any chat is due (a scheduler sleeps until then)."""
    value: datetime | None = connection.scalar(select(func.min(chat_settings.c.next_due)).where(chat_settings.c.digest))
    return value


def move(connection: Connection, old: int, new: int, now: datetime) -> None:
    """A migrated group's settings go to its new id (unless the new id already has its own)."""
    if get(connection, new) is None:
        connection.execute(
            update(chat_settings).where(chat_settings.c.chat_id == old).values(chat_id=new, updated_at=now)
        )
    else:
        connection.execute(delete(chat_settings).where(chat_settings.c.chat_id == old))


@dataclass(frozen=True)
class Decision:
    """What the scheduler decided for a due chat: its next due instant, and the digest to claim now (if any)."""

    next_due: datetime | None
    claim: Claim | None = None
