"""INSERT ... ON CONFLICT, which SQLite and PostgreSQL spell alike but SQLAlchemy builds per dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(
    connection: Connection,
    table: Table,
    row: dict[str, Any] | Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
    where: ColumnElement[bool] | None = None,
) -> bool:
    """Insert `row` (or several, in one statement: no two with the same `keys`), or on a clash of `keys` set the
    `update` columns from it (nothing if `update` is empty), only where the row found meets `where` if given; False
    if the clash left the row (every row) alone."""
    insert = (sqlite.insert if connection.dialect.name == "sqlite" else postgresql.insert)(table).values(row)
    if update:
        statement = insert.on_conflict_do_update(
            index_elements=list(keys), set_={c: insert.excluded[c] for c in update}, where=where
        )
    else:
        statement = insert.on_conflict_do_nothing(index_elements=list(keys))
    # RETURNING, as the drivers' row counts differ (psycopg's is not 1 for a row inserted this way).
    return connection.execute(statement.returning(table.c[keys[0]])).first() is not None
