"""`newsbot ingest` as real processes side by side on one data directory, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from bot.config import Settings
from bot.library import Library
from bot.store import Store
from bot.store.schema import changes
from tests.processes import newsbot

# Stories a file: written in batches of bot.library.FIRST_BATCH (100), then the rest, so two ingests at once can
# write theirs in turn.
STORIES = 600
CATEGORY = "Allotments"


def undated_stories(path: Path, name: str) -> list[str]:
    """Write `path`, a JSON Lines file of STORIES undated stories named after `name`; returns their headlines in
    the order read."""
    titles = [f"{name} plot {n} changes hands" for n in range(STORIES)]
    records = (
        {"title": title, "body": f"The {name} allotment plot {n} has a new tenant this spring.", "category": CATEGORY}
        for n, title in enumerate(titles)
    )
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return titles


def test_two_ingests_at_once_list_undated_stories_last_written_first(any_db_settings: Settings, tmp_path: Path) -> None:
    """/latest lists undated stories last read first, within a file and across batches and ingests: two ingests
    into one data directory at once, writing their batches in turn, are listed as the store logged them, the
    last first, each file's stories in the reverse of their order in it."""
    files = {name: tmp_path / f"{name}.jsonl" for name in ("Elmfield", "Northgate")}
    titles = {name: undated_stories(path, name) for name, path in files.items()}
    # Made first: the second ingest waited for the first's making of the store and index, and wrote after it.
    Library.open(replace(any_db_settings, semantic="off")).close()
    ingests = [
        newsbot(any_db_settings, "ingest", str(path), env={"NEWSBOT_SEMANTIC": "off"}) for path in files.values()
    ]
    for ingest in ingests:
        _, err = ingest.communicate(timeout=300)
        assert ingest.returncode == 0, err
    with closing(Store.open(any_db_settings.store_url)) as store:
        listed = store.latest(3 * STORIES, CATEGORY)
        with store.engine.connect() as connection:
            logged = {
                row.article_id: row.seq for row in connection.execute(select(changes.c.article_id, changes.c.seq))
            }
    assert len(listed) == 2 * STORIES
    assert [a.id for a in listed] == sorted((a.id for a in listed), key=lambda i: logged[i], reverse=True)
    for name, read in titles.items():
        assert [a.title for a in listed if a.title.startswith(f"{name} ")] == read[::-1]
