"""Categories' one spelling each: "Sport" (or "Sports") arriving after "sport" is filed under "sport".

A category is its name with case, character width and spacing aside (`key`); the first spelling the store saw
is its name (`schema.category_names`). Article writes spell their categories here inside their transaction,
which holds the change-log lock: two processes bringing "Sport" and "sport" at once take turns, and the second
finds the first's spelling (the table's primary key would refuse a second spelling in any case).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from sqlalchemy import Connection, select

from bot.store.schema import category_names

# Keys per IN (...) list: far below SQLite's limit on bound parameters.
CHUNK = 500


def key(name: str) -> str:
    """What two spellings of one category share: "World  News" and "world news" alike, full-width letters too, and
    a word's plural and singular ("Sports" and "Sport", "Arts" and "Art"), as one feed files what another files
    under the other (a newsroom's "Sports" feed beside its "Sport" files made two categories, each with half the
    stories, and a chat following one missed the other's)."""
    words = unicodedata.normalize("NFKC", name).casefold().split()
    return " ".join(_singular(word) for word in words)


def _singular(word: str) -> str:
    """A word without the "s" a plural adds; "business" and "bus" keep theirs."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def spell(connection: Connection, names: Sequence[str]) -> dict[str, str]:
    """Each of `names` as the store spells its category; a new category is recorded as first given (spaces
    trimmed), the first of several new spellings in `names` winning. Must run under the change-log lock."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(key(name), " ".join(name.split()))
    keys = list(wanted)
    known: dict[str, str] = {}
    for start in range(0, len(keys), CHUNK):
        rows = connection.execute(
            select(category_names.c.key, category_names.c.name).where(
                category_names.c.key.in_(keys[start : start + CHUNK])
            )
        )
        known.update((row.key, row.name) for row in rows)
    new = [{"key": k, "name": name} for k, name in wanted.items() if k not in known]
    if new:
        connection.execute(category_names.insert(), new)
        known.update((row["key"], row["name"]) for row in new)
    return {name: known[key(name)] for name in names}


def spelling(connection: Connection, name: str) -> str | None:
    """The store's spelling of `name`'s category, or None if it never held one."""
    return connection.scalar(select(category_names.c.name).where(category_names.c.key == key(name)))
