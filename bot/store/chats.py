"""Chats the bot has talked to, and whether it may still write to them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, exists, not_, or_, select, true, update

from bot.store.schema import chat_settings, chats
from bot.store.upsert import upsert


def touch(
    connection: Connection, chat_id: int, kind: str, title: str, active: bool, now: datetime, restricted: bool = False
) -> None:
    row = {
        "chat_id": chat_id,
        "kind": kind,
        "title": title,
        "active": active,
        "restricted": restricted and not active,
        "updated_at": now,
    }
    upsert(connection, chats, row, ["chat_id"], ["kind", "title", "active", "restricted", "updated_at"])


def set_active(connection: Connection, chat_id: int, active: bool, now: datetime, restricted: bool = False) -> None:
    """Whether the bot may write to a chat (`restricted`: it may not only because an admin restricted it)."""
    upsert(
        connection,
        chats,
        {"chat_id": chat_id, "active": active, "restricted": restricted and not active, "updated_at": now},
        ["chat_id"],
        ["active", "restricted", "updated_at"],
    )


def is_active(connection: Connection, chat_id: int) -> bool | None:
    value = connection.scalar(select(chats.c.active).where(chats.c.chat_id == chat_id))
    return None if value is None else bool(value)


@dataclass(frozen=True)
class Asks:
    """The asks of Telegram about restricted chats that one caller claimed, held until `until`. The instant names
    the claim: an ask taken over after the lease ends is held until a later one."""

    chat_ids: list[int]
    until: datetime


def restricted_due(connection: Connection, now: datetime) -> list[tuple[int, datetime]]:
    """Chats inactive only because an admin restricted the bot whose digest is due at `now`, with its due instant."""
    query = (
        select(chats.c.chat_id, chat_settings.c.next_due)
        .join(chat_settings, chat_settings.c.chat_id == chats.c.chat_id)
        .where(
            chats.c.restricted.is_(True),  # the partial index's own term (schema.chats_restricted)
            not_(chats.c.active),
            chat_settings.c.digest,
            chat_settings.c.next_due <= now,
        )
        .order_by(chats.c.chat_id)
    )
    return [(row.chat_id, row.next_due) for row in connection.execute(query)]


def claim_asks(connection: Connection, due: Sequence[tuple[int, datetime]], now: datetime, until: datetime) -> Asks:
    """Claim the ask of Telegram about each restricted chat of `due` (read by `restricted_due`) at its due instant,
    until `until`: the chats returned are this caller's to ask about and answer (`answered`). One already asked
    about for this due instant is not returned again, unless its asker did not answer in time (it died, or
    stalled); nor one whose digest was claimed since the read (its due instant moved on)."""
    claimed = []
    for chat_id, instant in due:
        # One row at a time: PostgreSQL checks a row another transaction just claimed again once that commits.
        still_due = exists().where(
            chat_settings.c.chat_id == chats.c.chat_id, chat_settings.c.digest, chat_settings.c.next_due == instant
        )
        taken = connection.scalar(
            update(chats)
            .where(
                chats.c.chat_id == chat_id,
                chats.c.restricted,
                not_(chats.c.active),
                or_(chats.c.asked_due.is_(None), chats.c.asked_due != instant, chats.c.asking_until <= now),
                still_due,
            )
            .values(asked_due=instant, asking_until=until)
            .returning(chats.c.chat_id)
        )
        if taken is not None:
            claimed.append(taken)
    return Asks(claimed, until)


def answered(connection: Connection, asks: Asks) -> list[int]:
    """The asks of `asks` are answered: their digests may be claimed. Returns the chats whose ask was still this
    caller's: an asker that stalled past its lease finds the ask taken over, and leaves it to the newer asker (it
    cleared the newer claim, and a digest was claimed before that asker's answer woke the group)."""
    if not asks.chat_ids:
        return []
    held = connection.scalars(
        update(chats)
        .where(chats.c.chat_id.in_(asks.chat_ids), chats.c.asking_until == asks.until)
        .values(asking_until=None)
        .returning(chats.c.chat_id)
    )
    return sorted(held)


def lift(connection: Connection, chat_ids: Sequence[int], now: datetime) -> list[int]:
    """Make active again the chats of `chat_ids` still inactive only by a restriction (one blocked or removed
    since, or woken by a message meanwhile, is left as it is); returns those changed."""
    if not chat_ids:
        return []
    lifted = connection.scalars(
        update(chats)
        .where(chats.c.chat_id.in_(list(chat_ids)), chats.c.restricted, not_(chats.c.active))
        .values(active=true(), restricted=False, updated_at=now)
        .returning(chats.c.chat_id)
    )
    return sorted(lifted)


def forget_restriction(connection: Connection, chat_ids: Sequence[int], now: datetime) -> None:
    """The chats of `chat_ids` still inactive by a restriction removed the bot since: inactive as any removed
    chat (it wakes when it writes or adds the bot back), no longer asked at its due time."""
    if chat_ids:
        connection.execute(
            update(chats)
            .where(chats.c.chat_id.in_(list(chat_ids)), chats.c.restricted, not_(chats.c.active))
            .values(restricted=False, updated_at=now)
        )
