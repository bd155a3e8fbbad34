"""Deliveries: what the bot owes each chat (a digest for a local day, an alert for a batch) and what became of it.

A row is inserted, `claimed`, in the same transaction that decides it is due, before anything is sent; the unique
(kind, chat, key) makes a second claim of the same digest impossible, whichever process or restart tries (a
digest that certainly reached no one, refused or expired, leaves its day to a later due time: `insert`). Its
life after that (bot.services.deliveries explains why):

    claimed --start--> claimed + attempted_at --record--> sent | failed | rejected | ambiguous
    claimed --record--> silent (an empty digest the chat wants no notice of)
    held (an alert within its chat's pace of the last; no claimer) --due--> claimed (or expired, when too late
        or the chat turned alerts off or went inactive meanwhile)
    claimed, claimer dead, never attempted --> taken over by a live process (or expired when too late)
    claimed + attempted_at, claimer dead --> ambiguous (it may have reached the chat: never sent again)

Every change of a claimed row names its claimer in the WHERE clause, so a process that lost its claim (taken
over while it stalled) can neither start nor record it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store import subscriptions as subscription_rows
from bot.store.schema import chat_settings, chats, deliveries

# A notice: a word the fan-out owes a chat once (its forum topic is gone), claimed where it became owed.
DIGEST, ALERT, NOTICE = "digest", "alert", "notice"
CLAIMED, SENT, SILENT, FAILED, AMBIGUOUS, EXPIRED = "claimed", "sent", "silent", "failed", "ambiguous", "expired"
# An alert owed later: its chat had one less than the alerts' pace ago (`hold_alerts`).
HELD = "held"
# An alert that went, or may have gone, to its chat: the next waits the pace after it.
ALERTED = (CLAIMED, SENT, AMBIGUOUS)
# Telegram refused the text itself (a rendering bug of ours, not the chat's doing): sending it again would fail again.
REJECTED = "rejected"
OUTCOMES = frozenset({SENT, SILENT, FAILED, REJECTED, AMBIGUOUS})
# Ends of a delivery that certainly reached no one for a reason of the chat's or the moment's (a rejected one's
# stories would break the next digest too): a digest's window is left to the chat's next digest.
UNDELIVERED = frozenset({FAILED, EXPIRED})
CHUNK = 500
# The least step of the store's times: an alert's window ends this after its last story (`services.alerts`), which
# `sent_as_alert` reads back.
ONE_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class Claim:
    """A delivery to insert: `key` is the chat's local day (digest), the change-log batch (alert), or what the
    notice is about ("topic-gone:5")."""

    kind: str
    chat_id: int
    key: str
    due: datetime
    window_start: datetime | None = None
    articles: tuple[str, ...] = ()
    # A digest's local day and the zone of its calendar (its key names both).
    day: date | None = None
    zone: str | None = None


@dataclass(frozen=True)
class Delivery:
    """A claimed delivery with what its sender needs: the chat's categories, empty-digest choice and time zone as
    they are now, the digest's window or the alert's articles."""

    id: int
    kind: str
    chat_id: int
    key: str
    due: datetime
    window_start: datetime | None
    articles: tuple[str, ...]
    categories: tuple[str, ...]
    empty_notice: bool
    # The chat's zone key ("" for a chat that never chose one: the default).
    zone: str = ""
    # The forum topic the chat's digests and alerts go to (None: General, or a chat without topics).
    topic: int | None = None


@dataclass(frozen=True)
class Finished:
    """A delivery just given its final status: what the chat's schedule needs to know of it."""

    chat_id: int
    kind: str
    status: str
    due: datetime
    window_start: datetime | None


_FINISHED = (deliveries.c.chat_id, deliveries.c.kind, deliveries.c.status, deliveries.c.due, deliveries.c.window_start)


def _finished(row: Any) -> Finished | None:
    return None if row is None else Finished(row.chat_id, row.kind, row.status, row.due, row.window_start)


@dataclass(frozen=True)
class Orphan:
    """A claimed row not yet recorded, with its claimer (alive or not is for the caller to judge)."""

    id: int
    kind: str
    claimed_by: str
    attempted: bool
    due: datetime
    # A digest's local day and the zone of its calendar (None: an alert's, a notice's, or a row no migration read).
    day: date | None = None
    zone: str | None = None


# What a claim sets: all of a row but its identity (kind, chat, key).
_CLAIMED = (
    "status",
    "claimed_by",
    "claimed_at",
    "attempted_at",
    "finished_at",
    "detail",
    "due",
    "window_start",
    "articles",
    "local_day",
    "day_zone",
)


def insert(connection: Connection, claims: Sequence[Claim], worker: str, now: datetime) -> dict[tuple[int, str], int]:
    """Insert claims; returns the ids of those inserted by (chat, key). A claim whose key exists is left out, unless
    it is a digest whose day's digest reached no one (refused, expired): that row is claimed again (a reader who
    unblocked the bot and set a later time that day gets the day's digest then)."""
    if not claims:
        return {}
    dialect_insert = sqlite.insert if connection.dialect.name == "sqlite" else postgresql.insert
    fresh = dialect_insert(deliveries)
    statement = fresh.on_conflict_do_update(
        index_elements=["kind", "chat_id", "key"],
        set_={name: fresh.excluded[name] for name in _CLAIMED},
        where=(deliveries.c.kind == DIGEST) & or_(*(deliveries.c.status == status for status in sorted(UNDELIVERED))),
    ).returning(deliveries.c.id, deliveries.c.chat_id, deliveries.c.key)
    # Many rows as one statement compiled once (SQLAlchemy's "insertmanyvalues"), not one compile per batch.
    rows = connection.execute(statement, [_row(claim, worker, now) for claim in claims])
    return {(row.chat_id, row.key): row.id for row in rows}


def _row(claim: Claim, worker: str, now: datetime, status: str = CLAIMED) -> dict[str, Any]:
    return {
        "kind": claim.kind,
        "chat_id": claim.chat_id,
        "key": claim.key,
        "status": status,
        "claimed_by": worker,
        "claimed_at": now,
        "attempted_at": None,
        "finished_at": None,
        "detail": "",
        "due": claim.due,
        "window_start": claim.window_start,
        "articles": " ".join(claim.articles),
        "local_day": claim.day,
        "day_zone": claim.zone,
    }


def hold_alerts(connection: Connection, claims: Sequence[Claim], now: datetime, pace: timedelta) -> list[Claim]:
    """Of `claims` (alerts), those to send now: a chat alerted less than `pace` ago has its stories held, added to
    the alert it has held already or to one held until `pace` after its last (`release_held` sends it then), so a
    busy feed brings a chat one alert per `pace`, every story in one of them, not one a minute. Called under the
    alerts' cursor: no other process adds to a held alert meanwhile; one released meanwhile is not added to."""
    if pace <= timedelta(0) or not claims:
        return list(claims)
    chat_ids = [claim.chat_id for claim in claims]
    held: dict[int, Any] = {}
    last: dict[int, datetime] = {}
    for begin in range(0, len(chat_ids), CHUNK):
        alerts = (deliveries.c.kind == ALERT) & deliveries.c.chat_id.in_(chat_ids[begin : begin + CHUNK])
        columns = (deliveries.c.id, deliveries.c.chat_id, deliveries.c.articles, deliveries.c.due)
        held.update(
            (row.chat_id, row)
            for row in connection.execute(select(*columns).where(alerts, deliveries.c.status == HELD))
        )
        latest = select(deliveries.c.chat_id, func.max(deliveries.c.due)).where(
            alerts, deliveries.c.status.in_(ALERTED)
        )
        last.update((chat_id, due) for chat_id, due in connection.execute(latest.group_by(deliveries.c.chat_id)))
    now_due: list[Claim] = []
    later: list[Claim] = []
    for claim in claims:
        if (row := held.get(claim.chat_id)) is not None:
            ids = " ".join(dict.fromkeys([*row.articles.split(), *claim.articles]))
            added = update(deliveries).where(deliveries.c.id == row.id, deliveries.c.status == HELD)
            if connection.execute(added.values(articles=ids)).rowcount:
                continue
            last[claim.chat_id] = max(row.due, last.get(claim.chat_id, row.due))  # released meanwhile: sent then
        previous = last.get(claim.chat_id)
        if previous is not None and now - previous < pace:
            # Held since now (its `window_start`): the alert says its stories were held (`Digest.paced`).
            later.append(Claim(ALERT, claim.chat_id, claim.key, previous + pace, now, claim.articles))
        else:
            now_due.append(claim)
    if later:
        connection.execute(deliveries.insert(), [_row(claim, "", now, HELD) for claim in later])
    return now_due


def release_held(connection: Connection, now: datetime, worker: str, grace: timedelta) -> list[int]:
    """Claim for `worker` the held alerts due by `now`; returns their ids. Those held past `grace` (the bot was
    down: the digest has their stories), or of a chat that turned alerts off or went inactive since, expire."""
    held = (deliveries.c.kind == ALERT) & (deliveries.c.status == HELD) & (deliveries.c.due <= now)
    quiet = or_(
        deliveries.c.chat_id.in_(select(chat_settings.c.chat_id).where(~chat_settings.c.alerts)),
        deliveries.c.chat_id.in_(select(chats.c.chat_id).where(~chats.c.active)),
    )
    connection.execute(
        update(deliveries)
        .where(held, or_(deliveries.c.due < now - grace, quiet))
        .values(status=EXPIRED, finished_at=now, detail="held past its time, or alerts off since")
    )
    taken = update(deliveries).where(held).values(status=CLAIMED, claimed_by=worker, claimed_at=now)
    return sorted(connection.scalars(taken.returning(deliveries.c.id)))


def load(connection: Connection, ids: Iterable[int]) -> list[Delivery]:
    """Deliveries by id, in id order, with their chats' current categories, empty-digest choice, zone and topic."""
    wanted = sorted(set(ids))
    rows: list[Any] = []
    for start in range(0, len(wanted), CHUNK):
        rows += connection.execute(
            select(deliveries, chat_settings.c.empty_notice, chat_settings.c.zone, chat_settings.c.topic)
            .select_from(deliveries.outerjoin(chat_settings, chat_settings.c.chat_id == deliveries.c.chat_id))
            .where(deliveries.c.id.in_(wanted[start : start + CHUNK]))
            .order_by(deliveries.c.id)
        )
    categories = subscription_rows.of_chats(connection, [row.chat_id for row in rows])
    return [
        Delivery(
            id=row.id,
            kind=row.kind,
            chat_id=row.chat_id,
            key=row.key,
            due=row.due,
            window_start=row.window_start,
            articles=tuple(row.articles.split()),
            categories=categories[row.chat_id],
            empty_notice=True if row.empty_notice is None else bool(row.empty_notice),
            zone=row.zone or "",
            topic=row.topic,
        )
        for row in rows
    ]


def start(connection: Connection, ids: Sequence[int], worker: str, now: datetime) -> list[int]:
    """Mark claims as attempted, just before sending; returns the ids `worker` still holds (only those may go)."""
    started: list[int] = []
    for begin in range(0, len(ids), CHUNK):
        started += connection.scalars(
            update(deliveries)
            .where(
                deliveries.c.id.in_(list(ids[begin : begin + CHUNK])),
                deliveries.c.claimed_by == worker,
                deliveries.c.status == CLAIMED,
                deliveries.c.attempted_at.is_(None),
            )
            .values(attempted_at=now)
            .returning(deliveries.c.id)
        )
    return sorted(started)


def finish(
    connection: Connection, delivery_id: int, worker: str, status: str, detail: str, now: datetime
) -> Finished | None:
    """Record the outcome of `worker`'s claim; None if `worker` no longer holds it.

    An `ambiguous` verdict another process gave while this one stalled is replaced by what really happened.
    """
    if status not in OUTCOMES:
        raise ValueError(f"not an outcome: {status!r}")
    row = connection.execute(
        update(deliveries)
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.claimed_by == worker,
            deliveries.c.status.in_([CLAIMED, AMBIGUOUS]),
        )
        .values(status=status, detail=detail, finished_at=now)
        .returning(*_FINISHED)
    ).first()
    return _finished(row)


def orphans(connection: Connection, kinds: Sequence[str]) -> list[Orphan]:
    """Claimed rows not yet recorded, oldest first."""
    rows = connection.execute(
        select(
            deliveries.c.id,
            deliveries.c.kind,
            deliveries.c.claimed_by,
            deliveries.c.attempted_at,
            deliveries.c.due,
            deliveries.c.local_day,
            deliveries.c.day_zone,
        )
        .where(deliveries.c.status == CLAIMED, deliveries.c.kind.in_(list(kinds)))
        .order_by(deliveries.c.id)
    )
    return [Orphan(row.id, row.kind, row.claimed_by, row.attempted_at is not None, row.due, *_day(row)) for row in rows]


def _day(row: Any) -> tuple[date | None, str | None]:
    """A row's local day and zone (a date from SQLite's text or PostgreSQL's date alike)."""
    day = row.local_day
    return (date.fromisoformat(day) if isinstance(day, str) else day), row.day_zone


def take_over(connection: Connection, orphan: Orphan, worker: str, now: datetime) -> bool:
    """Make a never-attempted claim of another (dead) claimer `worker`'s; False if it moved on meanwhile."""
    taken = connection.scalar(
        update(deliveries)
        .where(
            deliveries.c.id == orphan.id,
            deliveries.c.claimed_by == orphan.claimed_by,
            deliveries.c.status == CLAIMED,
            deliveries.c.attempted_at.is_(None),
        )
        .values(claimed_by=worker, claimed_at=now)
        .returning(deliveries.c.id)
    )
    return taken is not None


def close(connection: Connection, orphan: Orphan, status: str, detail: str, now: datetime) -> Finished | None:
    """Give an orphan a final status (expired, ambiguous) unless its claimer recorded it meanwhile (None)."""
    row = connection.execute(
        update(deliveries)
        .where(
            deliveries.c.id == orphan.id,
            deliveries.c.claimed_by == orphan.claimed_by,
            deliveries.c.status == CLAIMED,
        )
        .values(status=status, detail=detail, finished_at=now)
        .returning(*_FINISHED)
    ).first()
    return _finished(row)


def counts(connection: Connection, kind: str | None = None) -> dict[str, int]:
    """How many deliveries have each status."""
    query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
    if kind is not None:
        query = query.where(deliveries.c.kind == kind)
    return {status: int(number) for status, number in connection.execute(query)}


def of_chat(connection: Connection, chat_id: int) -> list[tuple[str, str, str]]:
    """A chat's deliveries as (kind, key, status), oldest first."""
    rows = connection.execute(
        select(deliveries.c.kind, deliveries.c.key, deliveries.c.status)
        .where(deliveries.c.chat_id == chat_id)
        .order_by(deliveries.c.id)
    )
    return [(row.kind, row.key, row.status) for row in rows]


def articles_of(connection: Connection, delivery_id: int, chat_id: int) -> tuple[str, ...]:
    """The stories an alert to `chat_id` carried, by the id of its delivery (none for another chat's, or one
    pruned)."""
    row = connection.execute(
        select(deliveries.c.articles).where(
            deliveries.c.id == delivery_id, deliveries.c.chat_id == chat_id, deliveries.c.kind == ALERT
        )
    ).first()
    return tuple(row.articles.split()) if row is not None else ()


def sent_as_alert(connection: Connection, chat_id: int, end: datetime, sent: datetime) -> bool:
    """Whether a rest button carrying a window that ends at `end` (`bot.tg.buttons.REST_DATA`), under a message to
    `chat_id` sent by `sent`, is an alert's sent before its delivery was carried (`ALERT_REST_DATA`): no digest of the
    chat is due at `end`, and an alert to it was claimed from its last story's arrival (one instant before `end`, as
    `services.alerts` made its window) until then. A digest's window ends when it is due, and a /digest preview's,
    which no delivery has, when the preview went."""
    digest = select(deliveries.c.id).where(
        deliveries.c.chat_id == chat_id, deliveries.c.kind == DIGEST, deliveries.c.due == end
    )
    alert = select(deliveries.c.id).where(
        deliveries.c.chat_id == chat_id,
        deliveries.c.kind == ALERT,
        deliveries.c.due >= end - ONE_INSTANT,
        deliveries.c.due <= sent,
    )
    due = connection.execute(digest.limit(1)).first()
    return due is None and connection.execute(alert.limit(1)).first() is not None


def move(connection: Connection, old: int, new: int) -> None:
    """A migrated group's deliveries go to its new id, so it still gets at most one digest that day."""
    taken = select(deliveries.c.kind, deliveries.c.key).where(deliveries.c.chat_id == new)
    clashes = {(row.kind, row.key) for row in connection.execute(taken)}
    for kind, key in clashes:
        connection.execute(
            delete(deliveries).where(deliveries.c.chat_id == old, deliveries.c.kind == kind, deliveries.c.key == key)
        )
    connection.execute(update(deliveries).where(deliveries.c.chat_id == old).values(chat_id=new))


def prune(connection: Connection, before: datetime) -> int:
    """Forget deliveries finished before `before` (a local day that far back can never come again)."""
    result = connection.execute(delete(deliveries).where(deliveries.c.finished_at < before))
    return result.rowcount
