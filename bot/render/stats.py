"""What the library holds: the admin's table (`newsbot stats`, /stats)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.render.markup import HTML, category_counts, category_data
from bot.render.split import split_message

if TYPE_CHECKING:
    from bot.library import LibraryStats
    from bot.store import StoreStats


def date_span(stats: StoreStats) -> str:
    """The publication dates, and how many articles have none."""
    undated = f"{stats.undated:,} of {stats.articles:,} undated"
    if not (stats.first_published and stats.last_published):
        return f"none ({undated})" if stats.articles else "no articles"
    # As the greeting and every answer write a date: "7 Mar 2013", not "07 Mar 2013".
    first, last = f"{stats.first_published:%-d %b %Y}", f"{stats.last_published:%-d %b %Y}"
    span = first if first == last else f"{first} to {last}"
    return f"{span} ({undated})" if stats.undated else span


def disk_size(size: int) -> str:
    """ "1.4 MB on disk", in kB or bytes for a small index (a new library's "0.0 MB" read as an empty one), or
    "nothing on disk" (rank-bm25 keeps its index in memory)."""
    if not size:
        return "nothing on disk"
    if size >= 1_000_000:
        return f"{size / 1e6:,.1f} MB on disk"
    return f"{size / 1e3:.0f} kB on disk" if size >= 1_000 else f"{size} bytes on disk"


def vectors_line(stats: LibraryStats) -> str:
    """The semantic stage: how many paragraphs have vectors, and how many wait for one."""
    if stats.vectors is None:
        return "off (answers by words only)"
    waiting = f", {stats.vectors_waiting:,} waiting" if stats.vectors_waiting else ""
    kind = " (static word pieces)" if stats.semantic == "static" else ""
    return f"{stats.vectors:,} paragraph vectors{kind}{waiting}"


def render_stats(stats: LibraryStats) -> str:
    """What the library holds, as aligned plain text."""
    store = stats.store
    lines = [
        f"articles:   {store.articles:,}",
        f"paragraphs: {store.paragraphs:,}",
        f"dates:      {date_span(store)}",
        f"engine:     {stats.engine} ({stats.indexed_paragraphs:,} paragraphs indexed, {disk_size(stats.index_bytes)})"
        # Beside the store's count, the indexed one left an operator to work out that the newest are not searched.
        + (
            f"; behind the store, the newest articles not searchable: {stats.index_failure}"
            if stats.index_failure
            else ""
        ),
        f"meaning:    {vectors_line(stats)}",
        "categories:" if store.categories else "categories: none",
    ]
    lines += [f"  {label}: {number:,}" for label, number in category_counts(store.categories)]
    return "\n".join(lines)


def stats_json(stats: LibraryStats) -> dict[str, Any]:
    """What the library holds as data for scripts (`newsbot stats --json`): the table's numbers, unrounded, with
    null for what there is none of, as `ask --json` writes a story's missing fields."""
    store = stats.store
    return {
        "articles": store.articles,
        "paragraphs": store.paragraphs,
        "undated": store.undated,
        "first_published": store.first_published.isoformat() if store.first_published else None,
        "last_published": store.last_published.isoformat() if store.last_published else None,
        "engine": stats.engine,
        "indexed_paragraphs": stats.indexed_paragraphs,
        "index_bytes": stats.index_bytes,
        # null: the index holds every article stored; else why it could not take the newest.
        "index_failure": stats.index_failure or None,
        # null: the semantic stage is off (or its model missing), so no paragraph will get one.
        "vectors": stats.vectors,
        "vectors_waiting": stats.vectors_waiting,
        "semantic": None if stats.vectors is None else stats.semantic,
        # As `latest --json` names a story's: null for the articles filed under none.
        "categories": [{"category": category_data(name), "articles": number} for name, number in store.categories],
    }


def stats_messages(stats: LibraryStats) -> list[str]:
    """The table as preformatted Telegram messages (a long list of categories continues in the next one)."""
    return split_message([f"<pre>{HTML.escape(render_stats(stats))}</pre>"])
