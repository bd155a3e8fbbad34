"""The change log: one row per article added, replaced or removed, in commit order.

Kinds: "added" is a story new to the store (news: alerts and digests follow these); "replaced" is a new version
of a story it had (the same id, or a new id from the same origin, such as an edited file); "removed" is gone;
"backlog" is a story new to the store that is not news (a new feed's back catalogue, read on its first poll; the
article is marked too, `articles.backlog`): indexes take it in like "added", alerts must not.

Sequence numbers only grow and commit in order (writers hold the change-log lock), so a follower that has
applied everything up to `seq` only ever needs what comes after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from bot.store.schema import changes


@dataclass(frozen=True)
class Change:
    seq: int
    article_id: str
    kind: str
    at: datetime


def head(connection: Connection) -> int:
    """The newest sequence number (0 for an empty log)."""
    return int(connection.scalar(select(func.max(changes.c.seq))) or 0)


def since(connection: Connection, seq: int, limit: int, until: int | None = None) -> list[Change]:
    """Up to `limit` changes after `seq` (and not after `until`, when given), oldest first."""
    query = select(changes).where(changes.c.seq > seq)
    if until is not None:
        query = query.where(changes.c.seq <= until)
    rows = connection.execute(query.order_by(changes.c.seq).limit(limit))
    return [Change(row.seq, row.article_id, row.kind, row.at) for row in rows]
