"""What looking up a feed's entries costs on a store of many feeds: `python bench/feed_entries.py`.

A poll looks up the entries under new keys by their entry hash among those the feed showed before
(`FeedStore.seen_shown`: a link restamped, `?ts=...`), and by their story (`FeedStore.seen_stories`: a guid that
changed). The store is filled with `--feeds` feeds of `--entries` entries each, every entry owning a story, on
SQLite and on PostgreSQL; a look-up asks for `--asked` hashes (a poll's new entries) of one feed, none of them
there (as for a feed's new stories), and is timed `--lookups` times over the feeds in turn. Each is timed as the
store has it (migrated) and without the index on `(feed_id, entry_hash)` (dropped here), to tell what it pays.
The machine's load average before and after is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from common import markdown_table, percentile, postgres_server
from sqlalchemy import Engine, text

from bot.models import short_hash
from bot.store import Store
from bot.store import feeds as store_feeds
from bot.store.engine import writing
from bot.store.schema import articles, feed_entries

INDEX = "feed_entries_hash"
BATCH = 5_000


def fill(engine: Engine, feeds: int, entries: int) -> list[int]:
    """`feeds` feeds of `entries` entries, each owning a story of its own; their ids."""
    now = datetime.now(UTC)
    ids = []
    for feed in range(feeds):
        with writing(engine) as connection:
            row, _ = store_feeds.add(connection, f"https://site{feed}.example/rss.xml", None, "bench", now)
            ids.append(row.id)
        for start in range(0, entries, BATCH):
            numbers = range(start, min(start + BATCH, entries))
            stories = [short_hash(f"story {feed} {n}") for n in numbers]
            with writing(engine) as connection:
                connection.execute(
                    articles.insert(),
                    [
                        {"id": story, "title": f"Story {n}", "content_hash": story, "paragraph_count": 1}
                        | {"added_at": now, "updated_at": now}
                        for story, n in zip(stories, numbers, strict=True)
                    ],
                )
                connection.execute(
                    feed_entries.insert(),
                    [
                        {"feed_id": row.id, "key": short_hash(f"key {feed} {n}"), "article_id": story}
                        | {"entry_hash": short_hash(f"shown {feed} {n}"), "fingerprint": story, "owner": True}
                        | {"first_seen": now, "last_seen": now}
                        for story, n in zip(stories, numbers, strict=True)
                    ],
                )
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return ids


def timed(call: Callable[[int], object], ids: Sequence[int], lookups: int) -> list[float]:
    took = []
    for n in range(lookups):
        start = time.perf_counter()
        call(ids[n % len(ids)])
        took.append(time.perf_counter() - start)
    return took


def load() -> str:
    return " / ".join(f"{average:.1f}" for average in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--asked", type=int, default=30)
    parser.add_argument("--lookups", type=int, default=300)
    args = parser.parse_args(argv)
    hashes = [short_hash(f"new {n}") for n in range(args.asked)]
    rows = []
    before = load()
    with tempfile.TemporaryDirectory(prefix="newsbot-feed-entries-") as tmp, postgres_server() as new_database:
        for database, url in (("sqlite", f"sqlite:///{Path(tmp) / 'store.sqlite3'}"), ("postgresql", new_database())):
            store = Store.open(url)
            try:
                start = time.perf_counter()
                ids = fill(store.engine, args.feeds, args.entries)
                filled = time.perf_counter() - start
                feeds = store_feeds.FeedStore(store.engine)
                for indexed in (True, False):
                    if not indexed:
                        with store.engine.begin() as connection:
                            connection.execute(text(f"DROP INDEX IF EXISTS {INDEX}"))
                    calls = (
                        ("seen_shown", partial(feeds.seen_shown, hashes=hashes, listed=hashes)),
                        ("seen_stories", partial(feeds.seen_stories, article_ids=hashes)),
                    )
                    for name, call in calls:
                        took = timed(call, ids, args.lookups)
                        shown = [f"{percentile(took, p) * 1000:.2f}" for p in (50, 95)]
                        rows.append([database, name, "yes" if indexed else "no", *shown, f"{filled:.0f}"])
            finally:
                store.close()
    print(markdown_table(["database", "look-up", "hash index", "p50 ms", "p95 ms", "fill s"], rows))
    print(
        f"\n{args.feeds:,} feeds of {args.entries:,} entries; {args.asked} hashes or stories asked of one feed a"
        f" look-up, {args.lookups:,} look-ups. Load average (1 / 5 / 15 min) before: {before}; after: {load()}"
        f" ({os.cpu_count()} cores)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
