"""The same story under two links (`bot.store.stories`): stored once, the other link reported, on SQLite and
PostgreSQL, in one process and in two writing at once; different stories under one headline stay apart."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from bot.config import Settings
from bot.library import Library
from bot.models import Article
from bot.services.feeds import FeedService
from bot.store import Store
from bot.store.engine import writing
from bot.store.schema import articles, feed_entries, migrations
from tests.paths import DATA, ROOT
from tests.web_server import WebServer

CASES = json.loads((DATA / "same_story" / "cases.json").read_text(encoding="utf-8"))


def article(fields: dict[str, Any]) -> Article:
    published = datetime.fromisoformat(fields["published"]) if fields["published"] else None
    return Article(
        title=fields["title"],
        paragraphs=tuple(fields["paragraphs"]),
        category="News",
        published=published,
        url=fields["url"],
        origin=fields["url"],
    )


def stored_urls(library: Library) -> set[str | None]:
    found = library.store.articles(library.store.article_ids_after("", None))
    return {a.url for a in found.values() if a.url and "example" in a.url}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_second_link_to_a_story_stored_is_not_stored_again(any_db_library: Library, name: str) -> None:
    case = CASES[name]
    first, second = article(case["first"]), article(case["second"])
    library = any_db_library
    assert library.add([first]).added == 1
    report = library.add([second])
    if case["same"]:
        assert (report.added, report.duplicates) == (0, 1), case["why"]
        assert stored_urls(library) == {first.url}
        assert [str(p) for p in report.problems] == [
            f"duplicate {second.url}: same story as \u201c{first.title}\u201d, already stored from {first.url}; not"
            " stored again"
        ]
        assert report.summary() == "0 added, 0 updated, 0 unchanged, 0 skipped, 1 duplicate"
        # Asked again, it is the same story still: nothing is written, and it is said again.
        again = library.add([second])
        assert (again.added, again.duplicates, len(again.problems)) == (0, 1, 1)
    else:
        assert (report.added, report.duplicates, report.problems) == (1, 0, []), case["why"]
        assert stored_urls(library) == {first.url, second.url}


@pytest.mark.parametrize("name", sorted(CASES))
def test_two_links_to_one_story_in_one_ingest_keep_the_first(library: Library, name: str) -> None:
    case = CASES[name]
    first, second = article(case["first"]), article(case["second"])
    report = library.add([first, second])
    assert (report.added, report.duplicates) == ((1, 1) if case["same"] else (2, 0)), case["why"]
    assert stored_urls(library) == ({first.url} if case["same"] else {first.url, second.url})


def test_an_edited_story_at_its_own_link_is_still_an_update(any_db_library: Library) -> None:
    case = CASES["wire_republished"]
    first = article(case["first"])
    edited = article({**case["second"], "url": case["first"]["url"]})
    library = any_db_library
    library.add([first])
    report = library.add([edited])
    assert (report.added, report.updated, report.duplicates) == (0, 1, 0)
    assert library.store.paragraphs(first.id)[-1].startswith("(Reporting by")


def test_a_file_holding_a_story_stored_from_a_page_is_reported_by_name(library: Library, tmp_path: Path) -> None:
    """A newsroom's export beside the site's page: the file's copy is not stored, and the report names both."""
    case = CASES["amp_copy"]
    page = article(case["first"])
    library.add([page])
    copy = tmp_path / "ferry.txt"
    copy.write_text(
        f"{case['second']['title']}\nCategory: News\nPublished 14-05-2024, 09:30\n"
        + "\n\n".join(case["second"]["paragraphs"])
        + "\n",
        encoding="utf-8",
    )
    report = library.ingest([copy])
    assert [str(p) for p in report.problems] == [
        f"duplicate {copy}: same story as \u201c{page.title}\u201d, already stored from {page.url}; not stored again"
    ]
    assert (report.added, report.duplicates, report.read) == (0, 1, 1)


async def test_a_feed_entry_whose_story_was_ingested_from_another_link_is_a_duplicate(
    any_db_settings: Settings, web: WebServer
) -> None:
    """The page read on its own first (its AMP link), the site's feed followed later: the feed's entry is recorded
    as a duplicate of the stored story, as one another feed stored is, and that story stays the one answering."""
    settings = replace(any_db_settings, allow_private_addresses=(ipaddress.ip_network("127.0.0.1/32"),))
    library = Library.open(settings)
    try:
        amp = "https://harbour.example/amp/regatta"
        library.add(
            [
                Article(
                    title="Regatta draws a record fleet",
                    paragraphs=(
                        "Three hundred sailboats raced around the island in the annual regatta on Wednesday, a record"
                        " for the club.",
                        "Advertisement",
                        "The winning crew, from the rowing club across the bay, finished the course in four hours and"
                        " eleven minutes.",
                        "Organisers said the light wind in the afternoon had kept the smaller dinghies in the race"
                        " until the end.",
                    ),
                    published=datetime(2026, 3, 4, 17, 45, tzinfo=UTC),
                    url=amp,
                    origin=amp,
                )
            ]
        )
        web.live["harbour.xml"] = (DATA / "polls" / "harbour.xml").read_bytes()
        poll = await FeedService(library).add(web.url("/live/harbour.xml"), now=datetime(2026, 3, 29, 6, tzinfo=UTC))
        assert (poll.backlog, poll.duplicates) == (2, 1)
        kept = library.article_at(amp)
        assert kept is not None and library.article_at(web.url("/stories/regatta")) is None
        with writing(library.store.engine) as connection:
            entries = connection.execute(select(feed_entries.c.article_id, feed_entries.c.owner)).all()
        # The feed owns its two other stories; the regatta's entry points at the stored story, owned by none.
        assert sorted((i == kept.id, owner) for i, owner in entries) == [(False, True), (False, True), (True, False)]
    finally:
        library.close()


def test_a_store_made_before_headline_keys_finds_its_stories_again(database_url: str, tmp_path: Path) -> None:
    """0015_headline_keys keys the stories already stored: a copy arriving after the upgrade is known."""
    url = database_url or f"sqlite:///{tmp_path / 'store.sqlite3'}"
    case = CASES["wire_republished"]
    store = Store.open(url)
    try:
        store.write_articles([article(case["first"])])
        with writing(store.engine) as connection:
            connection.execute(text("DROP INDEX articles_headline_key"))
            connection.execute(update(articles).values(headline_key=None))
            connection.execute(delete(migrations).where(migrations.c.name == "0015_headline_keys"))
    finally:
        store.close()
    upgraded = Store.open(url)
    try:
        assert upgraded.pending_migrations() == []
        result = upgraded.write_articles([article(case["second"])])
        assert (result.added, [s.kept.url for s in result.same]) == ([], [case["first"]["url"]])
        with writing(upgraded.engine) as connection:
            assert None not in set(connection.scalars(select(articles.c.headline_key)))
    finally:
        upgraded.close()


# Two processes, each writing its copy of a story at once, round after round (a new story each round).
WRITE_AT_ONCE = textwrap.dedent(
    """
    import json, sys, time
    from datetime import datetime
    from pathlib import Path
    from bot.models import Article
    from bot.store import Store
    url, directory, side, rounds = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    base = json.loads(sys.argv[5])
    store = Store.open(url)
    for number in range(rounds):
        while not (directory / f"go{number}").exists():
            time.sleep(0.001)
        story = Article(
            title=f"{base['title']} (round {number})",
            paragraphs=tuple(base["paragraphs"]),
            published=datetime.fromisoformat(base["published"]),
            url=f"https://{side}.example/{number}",
        )
        result = store.write_articles([story])
        print(json.dumps({"added": len(result.added), "same": [s.kept.url for s in result.same]}), flush=True)
    store.close()
    """
)


def test_two_processes_writing_two_copies_at_once_store_one(database_url: str, tmp_path: Path) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'store.sqlite3'}"
    Store.open(url).close()
    rounds = 8
    base = json.dumps(CASES["wire_republished"]["first"])
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITE_AT_ONCE, url, str(tmp_path), side, str(rounds), base],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for side in ("wire", "gazette")
    ]
    for number in range(rounds):
        (tmp_path / f"go{number}").touch()
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err[-800:] for _, err in outputs]
    wire, gazette = ([json.loads(line) for line in out.splitlines()] for out, _ in outputs)
    store = Store.open(url)
    try:
        assert store.stats().articles == rounds
    finally:
        store.close()
    for number, (one, other) in enumerate(zip(wire, gazette, strict=True)):
        # One process stored it; the other was told where it is.
        assert sorted([one["added"], other["added"]]) == [0, 1]
        kept = "wire" if one["added"] else "gazette"
        assert (one if other["added"] else other)["same"] == [f"https://{kept}.example/{number}"]
