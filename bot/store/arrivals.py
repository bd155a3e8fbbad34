"""Articles by arrival time, each with its first paragraph: what digests and alerts are made of."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, select

from bot.models import Headline
from bot.store.articles import stored
from bot.store.schema import articles, paragraphs

CHUNK = 500


def _query() -> Select[Any]:
    return select(articles, paragraphs.c.text.label("lede")).select_from(
        articles.outerjoin(paragraphs, and_(paragraphs.c.article_id == articles.c.id, paragraphs.c.position == 0))
    )


def between(connection: Connection, start: datetime, end: datetime) -> list[Headline]:
    """Articles that first arrived in [start, end), oldest arrival first."""
    rows = connection.execute(
        _query()
        .where(articles.c.added_at >= start, articles.c.added_at < end)
        .order_by(articles.c.added_at, articles.c.id)
    )
    return [Headline(stored(row), row.lede or "") for row in rows]


def of_ids(connection: Connection, article_ids: Sequence[str]) -> dict[str, Headline]:
    """The articles among `article_ids` that still exist."""
    ids = list(dict.fromkeys(article_ids))
    found: dict[str, Headline] = {}
    for start in range(0, len(ids), CHUNK):
        rows = connection.execute(_query().where(articles.c.id.in_(ids[start : start + CHUNK])))
        found.update((row.id, Headline(stored(row), row.lede or "")) for row in rows)
    return found
