"""Updates received from Telegram and not yet handled (see `schema.received_updates`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from bot.store.schema import received_updates
from bot.store.upsert import upsert
from bot.store.workers import Worker, all_workers


@dataclass(frozen=True)
class Received:
    """One update as Telegram sent it (its JSON), received by `worker`; `chat_id` is its chat's, if it has one."""

    update_id: int
    payload: str
    worker: str
    chat_id: int | None = None


def _row(bot_id: int, received: Received, now: datetime) -> dict[str, object]:
    return {
        "bot_id": bot_id,
        "update_id": received.update_id,
        "payload": received.payload,
        "worker": received.worker,
        "received_at": now,
        "chat_id": received.chat_id,
    }


def record(
    connection: Connection, bot_id: int, received: Received, now: datetime, gone: Callable[[Worker | None], bool]
) -> bool:
    """Record an update as received; False if it was already: Telegram delivered the same update again.

    An id recorded before with other content is another update, and replaces that record: a Bot API server started
    again numbers its updates from 1 again (a local one, a test emulator, `newsbot chat`'s stand-in), and its
    first questions were taken for ones delivered again and never answered. So is an update with no date in it (an
    inline query, which a server numbering again makes read the same) that a process now `gone` handled. One with
    its date (a message) reading the same is the same update, whoever handled it: a process tells Telegram of a
    batch once it has recorded all of it, and handles the first ones meanwhile, so one killed then had handled
    updates Telegram delivers again (bench/soak.py: 8 to 13 questions answered twice in 4 minutes)."""
    key = (received_updates.c.bot_id == bot_id) & (received_updates.c.update_id == received.update_id)
    before = connection.execute(
        select(received_updates.c.payload, received_updates.c.worker, received_updates.c.handled_at).where(key)
    ).one_or_none()
    if (
        before is not None
        and before.payload == received.payload
        and (
            before.handled_at is None
            or _dated(received.payload)
            or not gone(all_workers(connection).get(before.worker))
        )
    ):
        return False
    row = _row(bot_id, received, now)
    if before is None:
        # Only another process recording this very update at the same instant clashes: that one handles it.
        return upsert(connection, received_updates, row, ["bot_id", "update_id"], [])
    connection.execute(update(received_updates).where(key).values(**row, handled_at=None))
    return True


def _dated(payload: str) -> bool:
    """Whether an update's JSON dates what it carries (a message, an edit, a member's change: Telegram's `date`)."""
    return any(isinstance(part, dict) and "date" in part for part in json.loads(payload).values())


def handled(connection: Connection, bot_id: int, updates: Sequence[Received], now: datetime) -> None:
    """Mark updates handled, in one statement (a store slow to answer is asked once), recording each too if its record
    has not landed yet (it then lands as handled)."""
    # The last of an update given twice (a process's own mark and one it took over): one statement sets a row once.
    rows = [
        {**_row(bot_id, received, now), "handled_at": now} for received in {u.update_id: u for u in updates}.values()
    ]
    if rows:
        # With its content: a record still on its way then finds this update's, not an older one of the same id.
        upsert(connection, received_updates, rows, ["bot_id", "update_id"], ["payload", "worker", "handled_at"])


def take_unhandled(
    connection: Connection,
    bot_id: int,
    worker: str,
    since: datetime,
    gone: Callable[[Worker | None], bool],
    before: Received | None = None,
    waited_since: datetime | None = None,
) -> list[Received]:
    """Take over the unhandled updates (received since `since`; only those of the chat of `before` that came before
    it, if given) of workers that are `gone`, fenced by their worker so two processes never take one.

    Without `before` (a start's or a beat's take-over), an update whose chat has a later one a running process
    holds (this one too; received since `waited_since`, if given) is left to that later one, which takes it over
    and handles it first when its turn comes (bot.tg.received.Journal.turn): taken here, it was queued behind that
    one and answered after it."""
    chosen = (
        (received_updates.c.bot_id == bot_id)
        & received_updates.c.handled_at.is_(None)
        & (received_updates.c.received_at >= since)
    )
    if before is not None:
        chosen &= (received_updates.c.chat_id == before.chat_id) & (received_updates.c.update_id < before.update_id)
    rows = connection.execute(
        select(
            received_updates.c.update_id,
            received_updates.c.payload,
            received_updates.c.worker,
            received_updates.c.chat_id,
            received_updates.c.received_at,
        )
        .where(chosen)
        .order_by(received_updates.c.update_id)
    ).all()
    known = all_workers(connection)
    # Each chat's latest update that a running process holds (and has had for less than a turn's wait).
    held_last = {
        chat_id: update_id
        for update_id, _, holder, chat_id, received_at in rows
        if chat_id is not None
        and (waited_since is None or received_at >= waited_since)
        and (holder == worker or not gone(known.get(holder)))
    }
    taken: list[Received] = []
    for update_id, payload, holder, chat_id, _ in rows:
        if holder == worker or not gone(known.get(holder)):
            continue
        if before is None and held_last.get(chat_id, update_id) > update_id:
            continue
        moved = connection.execute(
            update(received_updates)
            .where(
                (received_updates.c.bot_id == bot_id)
                & (received_updates.c.update_id == update_id)
                & (received_updates.c.worker == holder)
                & received_updates.c.handled_at.is_(None)
            )
            .values(worker=worker)
        )
        if moved.rowcount == 1:
            taken.append(Received(update_id, payload, worker, chat_id))
    return taken


def holders_before(connection: Connection, bot_id: int, received: Received, since: datetime) -> list[Worker | None]:
    """The workers (None: one no longer in the table) holding updates of the chat of `received` that came before it
    (received since `since`) and are not handled yet, other than its own worker."""
    holders = connection.scalars(
        select(received_updates.c.worker)
        .where(
            (received_updates.c.bot_id == bot_id)
            & (received_updates.c.chat_id == received.chat_id)
            & (received_updates.c.update_id < received.update_id)
            & received_updates.c.handled_at.is_(None)
            & (received_updates.c.received_at >= since)
            & (received_updates.c.worker != received.worker)
        )
        .distinct()
    ).all()
    known = all_workers(connection) if holders else {}
    return [known.get(holder) for holder in holders]


def prune(connection: Connection, before: datetime) -> int:
    return connection.execute(delete(received_updates).where(received_updates.c.received_at < before)).rowcount
