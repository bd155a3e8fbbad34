"""Chats the bot has talked to, and whether it may still write to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from bot.store.schema import chats
from bot.store.upsert import upsert


def touch(connection: Connection, chat_id: int, kind: str, title: str, active: bool, now: datetime) -> None:
    row = {"chat_id": chat_id, "kind": kind, "title": title, "active": active, "updated_at": now}
    upsert(connection, chats, row, ["chat_id"], ["kind", "title", "active", "updated_at"])


def set_active(connection: Connection, chat_id: int, active: bool, now: datetime) -> None:
    upsert(
        connection,
        chats,
        {"chat_id": chat_id, "active": active, "updated_at": now},
        ["chat_id"],
        ["active", "updated_at"],
    )


def is_active(connection: Connection, chat_id: int) -> bool | None:
    value = connection.scalar(select(chats.c.active).where(chats.c.chat_id == chat_id))
    return None if value is None else bool(value)
