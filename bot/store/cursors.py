"""Followers of the change log whose position lives in the store, so any process can carry on where another left.

A follower claims the advance of its cursor inside a write transaction (`take` locks the row), so of several
processes following the same log exactly one handles each stretch of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from bot.store.schema import cursors

ALERTS_CURSOR = "alerts"


def take(connection: Connection, name: str) -> int | None:
    """The cursor's position, locked until the transaction ends; None while another process holds it (PostgreSQL:
    SKIP LOCKED, so a second follower returns at once instead of queueing behind the first)."""
    row = connection.execute(
        select(cursors.c.seq).where(cursors.c.name == name).with_for_update(skip_locked=True)
    ).first()
    return None if row is None else int(row.seq)


def advance(connection: Connection, name: str, seq: int, now: datetime) -> None:
    connection.execute(update(cursors).where(cursors.c.name == name).values(seq=seq, updated_at=now))


def position(connection: Connection, name: str) -> int | None:
    value = connection.scalar(select(cursors.c.seq).where(cursors.c.name == name))
    return None if value is None else int(value)
