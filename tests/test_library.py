"""The library: incremental ingest, replacement, deletion, and an index that follows the store's change log,
on a real store (SQLite and PostgreSQL) and a real tantivy index."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import retrieval
from bot.analysis import analyze
from bot.config import Settings
from bot.index import Query, TantivyEngine, indexed_paragraphs, tantivy_engine
from bot.index.follower import BUILD_CLAIM, BUILDING
from bot.index.holder import holder_of
from bot.library import INDEX_BEHIND, Library
from bot.models import Article
from bot.render.stats import render_stats
from bot.retrieval import Request
from bot.store import Store
from bot.store.writer import described
from tests.paths import BBC, DATA, ROOT, needs_bbc
from tests.processes import newsbot


def article(
    title: str, *paragraphs: str, url: str | None = None, origin: str | None = None, category: str = "Test"
) -> Article:
    return Article(title=title, paragraphs=paragraphs, category=category, url=url, origin=origin)


def assert_consistent(library: Library) -> None:
    """The index holds exactly the store's paragraphs, up to the newest change."""
    library.follower.refresh()
    assert library.engine.cursor == library.store.head()
    assert library.engine.count() == library.store.stats().paragraphs


def current_generation(settings: Settings) -> str:
    return (settings.index_dir / "CURRENT").read_text()


def test_new_store_gets_the_shipped_corpus_once(any_db_library: Library) -> None:
    stats = any_db_library.stats()
    assert stats.store.articles == len(list((ROOT / "corpus").glob("*.txt")))
    assert stats.indexed_paragraphs == stats.store.paragraphs > 0
    answer = any_db_library.ask(any_db_library.request("Why did Russia invite Dempsey to Moscow?"))
    assert answer.found
    assert "Dempsey" in answer.passages[0].text


def test_opening_an_existing_store_never_reads_the_corpus(settings: Settings, tmp_path: Path) -> None:
    Library.open(settings).close()
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "extra.txt").write_text((DATA / "articles" / "minimal.txt").read_text())
    library = Library.open(replace(settings, corpus_dir=corpus))
    try:
        assert library.store.stats().articles == 1  # the corpus is read when a store is created, not later
    finally:
        library.close()


def test_reingesting_changes_nothing(any_db_library: Library) -> None:
    first = any_db_library.ingest([DATA / "articles"])
    head = any_db_library.store.head()
    again = any_db_library.ingest([DATA / "articles"])
    assert (first.added, first.unchanged) == (3, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert any_db_library.store.head() == head  # nothing changed, nothing logged
    assert_consistent(any_db_library)


def test_a_story_repeated_in_one_ingest_is_a_duplicate(library: Library, tmp_path: Path) -> None:
    line = '{"title": "Ferry strike ends", "body": "Ferries sail again after the strike.", "category": "News"}\n'
    path = tmp_path / "twice.jsonl"
    path.write_text(line * 3)
    report = library.ingest([path])
    assert (report.added, report.duplicates, report.unchanged) == (1, 2, 0)
    assert report.summary().endswith(", 2 duplicates")
    # Named as a copy under another link is (an operator read "2 duplicates" of the BBC file and could not find them).
    assert [str(p) for p in report.problems] == [
        f"duplicate {path}#{n}: same story as \u201cFerry strike ends\u201d, already stored from {path}#1; not stored"
        " again"
        for n in (2, 3)
    ]
    other = tmp_path / "two.jsonl"
    other.write_text(line.replace("strike ends", "strike is over") * 2)
    assert library.ingest([other]).summary().endswith(", 1 duplicate")


def test_edited_article_replaces_its_old_paragraphs(any_db_library: Library, tmp_path: Path) -> None:
    library = any_db_library
    path = tmp_path / "story.txt"
    original = (DATA / "articles" / "minimal.txt").read_text()
    path.write_text(original)
    library.ingest([path])
    before = library.engine.count()
    path.write_text(original.replace("Researchers from the U.S. and Norway", "Zebra keepers from Quito"))
    report = library.ingest([path])
    assert report.summary().startswith("1 added") and report.summary().endswith(", 1 older version removed")
    assert library.engine.count() == before
    assert library.ask(library.request("zebra keepers Quito")).found
    # The old paragraph is gone: asked for in its own words, at most the new one is offered, as weak evidence, or
    # nothing is, naming the name no paragraph uses any more.
    old = library.ask(library.request("researchers Norway survey January"))
    assert not any("Norway" in p.text for p in old.passages)
    assert (old.found and not old.confident) or "\u201cNorway\u201d" in old.reason
    assert_consistent(library)


def test_article_with_url_is_updated_in_place(any_db_library: Library) -> None:
    library = any_db_library
    first = article("Bridge opens", "The new bridge opened today.", url="https://n.example/bridge")
    library.add([first])
    stored = library.store.article(first.id)
    assert stored is not None and stored.added_at is not None
    report = library.add(
        [article("Bridge opens late", "The bridge opened two hours late, to applause.", url="https://n.example/bridge")]
    )
    assert (report.added, report.updated) == (0, 1)
    answer = library.ask(library.request("bridge applause"))
    assert [p.article.title for p in answer.passages] == ["Bridge opens late"]
    assert answer.passages[0].article.added_at == stored.added_at  # an edit keeps the story's arrival time
    assert_consistent(library)


def test_remove_deletes_from_store_and_index(any_db_library: Library) -> None:
    library = any_db_library
    a = article("Volcano erupts", "Ash from the volcano closed the airport.")
    library.add([a])
    assert library.ask(library.request("volcano ash airport")).found
    library.remove([a.id])
    assert library.store.article(a.id) is None
    assert not library.ask(library.request("volcano ash airport")).found
    assert_consistent(library)


def test_an_article_is_indexed_in_its_category_as_the_store_spells_it(any_db_library: Library) -> None:
    """Indexed from memory as written: a story filed as "world  news" after "World News" is found under it."""
    library = any_db_library
    library.add([article("Ferry strike", "Ferries stopped at the harbour.", category="World News")])
    volcano = article("Volcano erupts", "Ash from the volcano closed the airport.", category="world  news")
    library.add([volcano])
    hits = library.engine.search(Query(analyze("volcano ash airport"), category="World News"), 5)
    assert {hit.article_id for hit in hits} == {volcano.id}


def test_remove_names_articles_by_id_or_link_and_says_which_are_not_there(any_db_library: Library) -> None:
    library = any_db_library
    linked = article("Volcano erupts", "Ash from the volcano closed the airport.", url="https://news.example/volcano")
    plain = article("Flood warning", "The river burst its banks at Tilby overnight.")
    library.add([linked, plain])
    outcome = library.remove(["https://news.example/volcano?utm_source=rss", plain.id, "0123456789abcdef"])
    assert outcome == {
        "https://news.example/volcano?utm_source=rss": [linked.id],
        plain.id: [plain.id],
        "0123456789abcdef": [],
    }
    assert library.store.articles([linked.id, plain.id]) == {}
    assert library.remove(["https://news.example/volcano"]) == {"https://news.example/volcano": []}
    assert_consistent(library)


def test_articles_written_by_another_process_are_followed(any_db_settings: Settings) -> None:
    """What any process puts in the store reaches this process's index through the change log."""
    library = Library.open(any_db_settings)
    other = Store.open(any_db_settings.store_url)
    try:
        other.write_articles([article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.")])
        assert not library.ask(library.request("comet Lisbon astronomers")).found
        assert library.follow() == 1
        assert library.ask(library.request("comet Lisbon astronomers")).found
        assert library.follow() == 0
        assert_consistent(library)
    finally:
        other.close()
        library.close()


def test_store_write_without_index_is_caught_up_on_open(settings: Settings) -> None:
    """A process that died after its store commit, before indexing: the next open replays the log."""
    Library.open(settings).close()
    store = Store.open(settings.store_url)
    store.write_articles([article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.")])
    store.close()
    library = Library.open(settings)
    try:
        assert library.ask(library.request("comet Lisbon astronomers")).found
        assert_consistent(library)
    finally:
        library.close()


def test_index_commit_without_cursor_replays_without_duplicates(settings: Settings) -> None:
    """A crash between the index commit and its cursor: the replay deletes and re-adds, so nothing is doubled."""
    library = Library.open(settings)
    a = article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.", "Second paragraph here.")
    library.store.write_articles([a])
    engine = library.engine
    assert engine.try_write()
    engine.add(indexed_paragraphs(a, a.paragraphs))
    engine.commit()  # the documents are in, the cursor is not
    engine.release()
    library.close()
    library = Library.open(settings)
    try:
        assert_consistent(library)
        hits = library.ask(library.request("comet Lisbon", per_article=5))
        assert sorted(p.position for p in hits.passages if p.article.id == a.id) == [0, 1]
    finally:
        library.close()


def test_lost_index_is_rebuilt_from_the_store(settings: Settings) -> None:
    library = Library.open(settings)
    library.ingest([DATA / "articles"])
    count = library.engine.count()
    library.close()
    shutil.rmtree(settings.index_dir)
    library = Library.open(settings)
    try:
        assert library.engine.count() == count
        assert library.ask(library.request("glacier drone survey")).found
    finally:
        library.close()


@pytest.mark.parametrize("damage", ["removed", "corrupt"])
def test_an_index_damaged_under_a_running_process_is_built_again(settings: Settings, damage: str) -> None:
    """A running bot whose index is deleted or damaged under it builds a new one on its next look at the store,
    instead of failing every second until someone reindexes."""
    library = Library.open(settings)
    try:
        count = library.engine.count()
        if damage == "removed":
            shutil.rmtree(settings.index_dir)
        else:
            (settings.index_dir / current_generation(settings) / "meta.json").write_text("{ not json")
        assert library.follow() == 0
        report = library.ingest([DATA / "articles"])
        assert report.added == 3 and library.engine.count() > count
        assert library.ask(library.request("glacier drone survey")).found
        assert (settings.index_dir / current_generation(settings)).is_dir()
    finally:
        library.close()


def garble(path: Path) -> None:
    """Overwrite the first half of a file's bytes in place, its size and inode unchanged: tantivy's footer, at its
    end, stays whole, so opening or reloading the index reads nothing wrong, and only a search does."""
    with path.open("r+b") as file:
        file.write(bytes(i * 37 % 256 for i in range(path.stat().st_size // 2)))


@pytest.mark.parametrize("kind", ["term", "idx", "store"])
def test_an_index_file_garbled_under_a_running_process_fails_a_question_softly_then_is_built_again(
    settings: Settings, kind: str
) -> None:
    """A segment file garbled in place (a copy or a disk that garbled it, its size whole) made tantivy panic in
    a search, with a BaseException that stopped the bot's event loop, and so the bot. Then the question failed
    with IndexCorruptError (the bot's "try again in a moment") until the next look at the store built a new index;
    now the question that finds the damage builds it, and is answered from it."""
    library = Library.open(replace(settings, corpus_dir=DATA / "bot_corpus", semantic="off"))
    try:
        request = library.request("Who became the youngest chess champion?")
        before = library.ask(request)
        assert before.found
        generation = current_generation(settings)
        for path in (settings.index_dir / generation).glob(f"*.{kind}"):
            garble(path)
        assert library.ask(request).passages == before.passages
        assert current_generation(settings) != generation
        assert library.follow() == 0
        assert library.ask(request).passages == before.passages
    finally:
        library.close()


def test_a_query_tantivy_refuses_is_a_bug_raised_as_it_is_not_damage_that_rebuilds_the_index(
    settings: Settings,
) -> None:
    """Any ValueError tantivy raised while searching counted as a damaged index: a query built wrong (a date
    where tantivy takes a datetime) failed every question from then on and rebuilt the index. It is raised as
    the bug it is, and the next question is answered from the same index."""
    library = Library.open(replace(settings, corpus_dir=DATA / "bot_corpus", semantic="off"))
    try:
        generation = current_generation(settings)
        with pytest.raises(ValueError, match="Expected DateTime"):
            library.ask(library.request("Who became the youngest chess champion?", since=date(2020, 1, 1)))
        assert library.ask(library.request("Who became the youngest chess champion?")).found
        assert library.follow() == 0
        assert current_generation(settings) == generation
    finally:
        library.close()


def test_a_build_claim_held_longer_than_the_wait_is_built_past(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A builder that hangs holding the build claim (alive, so the system never lets it go) kept every other
    process waiting for good; after NEWSBOT_INDEX_BUILD_WAIT_MINUTES a waiter builds the index itself, saying so."""
    settings = replace(settings, semantic="off", index_build_wait_minutes=0.02)
    Library.open(settings).close()
    generation = current_generation(settings)
    (settings.index_dir / generation / "meta.json").write_text("{ not json")
    caplog.set_level(logging.INFO, logger="bot.index.follower")
    with (settings.index_dir / BUILD_CLAIM).open("w") as hung:
        fcntl.flock(hung, fcntl.LOCK_EX)
        started = time.monotonic()
        library = Library.open(settings)
        waited = time.monotonic() - started
    try:
        assert library.ask(library.request("Dempsey Moscow")).found
        assert waited >= 1.2
        said = [record.getMessage() for record in caplog.records]
        assert [m for m in said if "another process" in m or "building" in m] == [
            f"the index in {settings.index_dir / generation} is damaged (its meta.json is garbled); building it again"
            " from the store",
            f"waiting for another process's build of the index in {settings.index_dir}...",
            f"another process has held the build of the index in {settings.index_dir} for 0.02 minutes;"
            " building it here",
        ], said
    finally:
        library.close()


def test_corrupt_index_is_rebuilt(settings: Settings) -> None:
    library = Library.open(settings)
    count = library.engine.count()
    library.close()
    (settings.index_dir / current_generation(settings) / "meta.json").write_text("{ not json")
    library = Library.open(settings)
    try:
        assert library.engine.count() == count
    finally:
        library.close()


def test_an_index_of_an_earlier_version_is_rebuilt(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    """An index whose fields differ (newsbot before the field of word pairs) is built anew from the store."""
    import tantivy

    library = Library.open(settings)
    count = library.engine.count()
    library.close()
    directory = settings.index_dir / current_generation(settings)
    shutil.rmtree(directory)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    directory.mkdir()
    tantivy.Index(builder.build(), path=str(directory))
    (directory / "cursor").write_text("1")
    with caplog.at_level(logging.WARNING):
        library = Library.open(settings)
    try:
        assert library.engine.count() == count
        assert current_generation(settings) != directory.name
        assert library.ask(library.request("Why did Russia invite Dempsey to Moscow?")).found
    finally:
        library.close()
    assert "made by another version of newsbot" in caplog.text


@pytest.mark.parametrize("recorded", ["", "1-0123456789abcdef"], ids=["made-before-analyses-were-recorded", "another"])
def test_an_index_made_by_another_text_analysis_is_rebuilt_before_it_answers(
    settings: Settings, caplog: pytest.LogCaptureFixture, recorded: str
) -> None:
    """An upgrade that changes the analysis ("said" is now the term "say") would have answered from the old index,
    whose terms the questions' no longer meet: "What did the judge say?" found nothing of "the judge said"."""
    library = Library.open(settings)
    try:
        library.add([article("Fire fine", "The judge said the owner had ignored two warnings about blocked exits.")])
    finally:
        library.close()
    old = settings.index_dir / current_generation(settings)
    if recorded:
        (old / "analysis").write_text(recorded)
    else:
        (old / "analysis").unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING):
        library = Library.open(settings)
    try:
        assert current_generation(settings) != old.name
        assert "another version of newsbot's text analysis; building it anew from the store" in caplog.text
        assert_consistent(library)
        answer = library.ask(library.request("what did the judge say", per_article=5))
        assert answer.found and "judge said" in answer.passages[0].text
    finally:
        library.close()
    rebuilt = current_generation(settings)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        Library.open(settings).close()  # the rebuilt one serves from now on
    assert current_generation(settings) == rebuilt and "text analysis" not in caplog.text


def test_open_while_another_process_holds_the_writer_answers_and_never_rebuilds(settings: Settings) -> None:
    """Issue 7, defects 1 and 6: opening for a question needs no writer and never rebuilds on a count mismatch."""
    Library.open(settings).close()
    generation = current_generation(settings)
    busy = TantivyEngine(settings.index_dir / generation, settings.headline_boost)
    assert busy.try_write()  # as an ingest in another process would
    store = Store.open(settings.store_url)
    store.write_articles([article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.")])
    store.close()
    try:
        library = Library.open(settings)  # behind the store, and unable to catch up itself
        try:
            assert library.ask(library.request("Why did Russia invite Dempsey to Moscow?")).found
            assert library.engine.count() < library.store.stats().paragraphs
            assert current_generation(settings) == generation
        finally:
            library.close()
    finally:
        busy.release()
    library = Library.open(settings)
    try:
        assert_consistent(library)  # once the writer is free, the next open catches up
    finally:
        library.close()


def test_reindex_swaps_a_new_generation_in(any_db_library: Library) -> None:
    library = any_db_library
    library.ingest([DATA / "articles"])
    count = library.engine.count()
    before = library.engine
    assert library.reindex() == count
    assert library.engine is not before
    assert library.ask(library.request("glacier drone survey")).found
    assert_consistent(library)


def test_generations_left_behind_are_removed_when_the_index_is_next_opened(settings: Settings) -> None:
    """A reindex killed half way, or an old generation no later reindex replaced, does not stay on disk for good;
    one written to within the hour may still be in use (a reindex running now) and stays."""
    Library.open(settings).close()
    old, recent = settings.index_dir / "gen-killed-reindex", settings.index_dir / "gen-being-built"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "meta.json").write_text("{}")
    hours_ago = time.time() - 2 * 3600
    os.utime(old / "meta.json", (hours_ago, hours_ago))
    library = Library.open(settings)
    try:
        assert not old.exists() and recent.exists()
        assert (settings.index_dir / current_generation(settings)).is_dir()
    finally:
        library.close()


def test_a_build_whose_process_died_is_removed_at_the_next_open_and_one_in_progress_stays(settings: Settings) -> None:
    """A process stopped at once mid-build (a second Ctrl-C) left its half-built generation for an hour, as if it
    might still be in use. Its claim is gone with it: the next open removes it at once, and keeps one whose
    builder (another process, here this test) still holds the claim."""
    Library.open(settings).close()
    died, building = settings.index_dir / "gen-builder-died", settings.index_dir / "gen-builder-running"
    for folder in (died, building):
        folder.mkdir()
        (folder / "meta.json").write_text("{}")
        (settings.index_dir / f"{folder.name}{BUILDING}").touch()
    with (settings.index_dir / f"{building.name}{BUILDING}").open("w") as claim:
        fcntl.flock(claim, fcntl.LOCK_EX)
        Library.open(settings).close()
        assert not died.exists() and not (settings.index_dir / f"{died.name}{BUILDING}").exists()
        assert building.exists() and (settings.index_dir / f"{building.name}{BUILDING}").exists()


def test_other_processes_switch_to_a_swapped_in_generation(settings: Settings) -> None:
    first, second = Library.open(settings), Library.open(settings)
    try:
        first.reindex()
        first.add([article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.")])
        second.follow()
        assert second.ask(second.request("comet Lisbon astronomers")).found
        assert current_generation(settings) == second.follower._generation
    finally:
        first.close()
        second.close()


def test_rank_bm25_engine_follows_the_same_store(any_db_settings: Settings) -> None:
    library = Library.open(any_db_settings)
    library.ingest([DATA / "articles"])
    reference = Library.open(replace(any_db_settings, engine="rank-bm25"))
    try:
        assert reference.engine.count() == reference.store.stats().paragraphs
        answer = reference.ask(reference.request("harbour council terrace"))
        assert answer.found and answer.passages[0].article.title == "Harbour Council Approves Caf\u00e9 Expansion"
        library.add([article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.")])
        assert reference.follow() == 1
        assert reference.ask(reference.request("comet Lisbon astronomers")).found
    finally:
        reference.close()
        library.close()


@needs_bbc
def test_process_killed_mid_ingest_loses_nothing(any_db_settings: Settings) -> None:
    settings = replace(any_db_settings, corpus_dir=any_db_settings.data_dir / "no-corpus")
    settings.corpus_dir.mkdir(parents=True)  # empty: NEWSBOT_CORPUS_DIR must exist
    Library.open(settings).close()
    process = newsbot(settings, "ingest", str(BBC))
    deadline = time.time() + 120
    # Kill it once some articles are in, while it is still writing.
    probe = Store.open(settings.store_url)
    try:
        while time.time() < deadline and process.poll() is None and probe.stats().articles < 300:
            time.sleep(0.05)
    finally:
        probe.close()
    process.send_signal(signal.SIGKILL)
    process.communicate()
    library = Library.open(settings)
    try:
        assert_consistent(library)
        report = library.ingest([BBC])
        assert report.skipped == []
        assert library.store.stats().articles == 2104  # 2,225 less 98 exact repeats, 23 edited (bot.store.stories)
        assert_consistent(library)
    finally:
        library.close()


def test_opening_to_ask_writes_nothing_when_the_index_is_current(settings: Settings) -> None:
    Library.open(settings).close()
    generation = settings.index_dir / current_generation(settings)
    before = {path.name: path.stat().st_mtime_ns for path in generation.iterdir()}
    library = Library.open(settings)
    try:
        assert library.ask(library.request("Why did Russia invite Dempsey to Moscow?")).found
        library.stats()
    finally:
        library.close()
    assert {path.name: path.stat().st_mtime_ns for path in generation.iterdir()} == before
    assert current_generation(settings) == generation.name


@pytest.mark.parametrize("recorded", [True, False], ids=["index-names-its-store", "index-made-before-store-ids"])
def test_a_data_directory_opened_with_another_store_rebuilds_its_index_and_vectors(
    database_url: str, postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, recorded: bool
) -> None:
    """A data directory first used with one store and then with another (DATABASE_URL forgotten, or set): the
    index and vectors of the first are rebuilt from the second, whose new articles are then answered. Without
    a recorded store (an index made before stores had ids), a cursor ahead of the store's log gives it away."""
    first = Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus", database_url=database_url)
    second = replace(first, database_url="" if database_url else postgres_url)
    library = Library.open(first)
    try:
        library.ingest([DATA / "articles"])  # so the first store's log is longer than the second's
    finally:
        library.close()
    if not recorded:
        (first.index_dir / current_generation(first) / "store").unlink()
    with caplog.at_level(logging.WARNING):
        library = Library.open(second)
    try:
        assert "another store" in caplog.text
        assert_consistent(library)
        assert not library.ask(library.request("glacier drone survey")).found  # only the first store had it
        library.add([article("Solar farm", "A solar farm opens near Tilby with forty thousand panels.")])
        assert library.ask(library.request("solar farm Tilby")).found
        assert library.vectors is not None
        library.embed()
        assert library.vectors.vectors.store == library.store.identity()
        assert library.vectors.vectors.article_ids() == set(library.store.article_ids_after("", None))
    finally:
        library.close()


class FullDisk:
    """A tantivy writer on a full disk: it takes documents, and fails as tantivy does when it writes them out."""

    def __init__(self, writer: object) -> None:
        self.writer = writer

    def __getattr__(self, name: str) -> object:
        if name in ("commit", "wait_merging_threads"):
            raise ValueError(
                "Failed to open file for write: 'IoError { io_error: Custom { kind: StorageFull, error: PathError {"
                ' err: Os { code: 28, kind: StorageFull, message: "No space left on device" } } } }\''
            )
        return getattr(self.writer, name)


def test_an_index_that_cannot_be_written_answers_as_it_is_with_one_warning(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A full disk while catching up (`newsbot ask` and `stats` after a failed ingest): one warning line, and the
    index answers as it is; articles stored meanwhile are indexed once it can be written again."""
    Library.open(settings).close()
    store = Store.open(settings.store_url)
    store.write_articles([article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.")])
    store.close()
    real_write = TantivyEngine._write
    monkeypatch.setattr(TantivyEngine, "_write", lambda engine: FullDisk(real_write(engine)))
    with caplog.at_level(logging.WARNING):
        library = Library.open(settings)
        try:
            assert library.ask(library.request("Why did Russia invite Dempsey to Moscow?")).found
            assert library.stats().indexed_paragraphs < library.store.stats().paragraphs
            library.add([article("Solar farm", "A solar farm opens near Tilby with forty thousand panels.")])
            assert library.follow() == 0
        finally:
            library.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "No space left on device" in warnings[0], warnings
    assert "\n" not in warnings[0]
    # Stored but not indexed, asked by the next command (by words alone: vectors find it by meaning): not "no
    # article uses the word", as if no story did.
    library = Library.open(replace(settings, semantic="off"))
    try:
        unindexed = library.ask(library.request("solar farm Tilby"))
        assert not unindexed.found and unindexed.reason.endswith(INDEX_BEHIND), unindexed
        engine_line = next(line for line in render_stats(library.stats()).splitlines() if line.startswith("engine:"))
        assert "; behind the store, the newest articles not searchable: " in engine_line, engine_line
        assert "No space left on device" in engine_line
    finally:
        library.close()
    monkeypatch.undo()
    library = Library.open(settings)
    try:
        assert_consistent(library)
        assert library.ask(library.request("solar farm Tilby")).found
    finally:
        library.close()


@pytest.mark.parametrize("engine", ["tantivy", "rank-bm25"])
def test_a_search_and_its_weights_in_one_look_are_those_asked_apart(settings: Settings, engine: str) -> None:
    """A question's hits and its words' idf, read from one view of the index (one check of its files), are what
    `search` and `idf` give asked apart while nobody writes: a word no paragraph holds weighs the most."""
    library = Library.open(replace(settings, engine=engine, semantic="off"))
    try:
        terms = analyze("Why did Russia invite Dempsey to Moscow, zyzzyva?")
        hits, weights = library.engine.search_weighing(Query(terms), 10, terms)
        assert hits and hits == library.engine.search(Query(terms), 10)
        assert weights == library.engine.idf(terms) and weights.paragraphs == library.engine.count()
        assert "zyzzyva" in weights.weights and "zyzzyva" not in weights.used() and "dempsey" in weights.used()
    finally:
        library.close()


@pytest.mark.parametrize("engine", ["tantivy", "rank-bm25"])
def test_a_last_word_being_typed_is_told_from_one_typed_in_full(settings: Settings, engine: str) -> None:
    """An inline query comes for every letter typed: its last word, nothing after it yet, that no paragraph holds but
    that begins a longer word of one ("Demps") or a common word ("wh") is still being typed. A word a paragraph
    holds ("Dempsey", "Moscow"), one beginning nothing ("zyzzyva"), or one followed by a space or a question mark
    is typed in full; so is one that no word but itself begins ("Dempseyx" is not "Dempsey" begun)."""
    library = Library.open(replace(settings, engine=engine, semantic="off"))
    try:
        assert library.engine.begins_a_term("demps") and not library.engine.begins_a_term("dempsey")
        # The terms a name two edits off may be (`Engine.terms_beginning`): itself too, the most used first.
        assert library.engine.terms_beginning("dempsey") == ["dempsey"]
        begun = library.engine.terms_beginning("mo")
        weights = library.engine.idf(begun).weights
        assert "moscow" in begun and all(t.startswith("mo") for t in begun)
        assert [weights[t] for t in begun] == sorted(weights[t] for t in begun), begun
        typing = {text: library.being_typed(text) for text in ("Demps", "wh", "Why did Russia invite Demp", "th")}
        assert typing == {"Demps": "Demps", "wh": "wh", "Why did Russia invite Demp": "Demp", "th": "th"}
        for text in ("Dempsey", "Moscow", "zyzzyva", "Dempseyx", "Demps ", "Demps?", "", "the", "2024", "Demp1"):
            assert library.being_typed(text) == "", text
    finally:
        library.close()


# How long two threads read sizes while commits of one paragraph each merge segments away: before the fix, 4 runs of
# 6 s failed 4 times on a busy two-core machine (one thread for 4 s, 1 run in 3).
THREADED_SECONDS = 6.0


def stories(count: int) -> list[Article]:
    return [Article(title=f"Story {n}", paragraphs=(f"word story number {n}",), category="Test") for n in range(count)]


def test_the_index_size_read_while_another_thread_commits_counts_what_is_there(tmp_path: Path) -> None:
    """/stats reads the index's size in a worker thread while the follower commits in another, and a commit merges
    segment files away: a file listed, then gone before its size was read, failed /stats (and `newsbot stats`
    beside an ingest) with FileNotFoundError. It is not counted."""
    engine = TantivyEngine(tmp_path / "index", 1.0)
    assert engine.try_write()
    failures: list[BaseException] = []
    done = threading.Event()

    def sizes() -> None:
        while not done.is_set():
            try:
                engine.size_bytes()
            except OSError as exc:
                failures.append(exc)
                return

    readers = [threading.Thread(target=sizes) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + THREADED_SECONDS
        for n, story in enumerate(stories(10_000)):
            if failures or time.monotonic() > deadline:
                break
            engine.add(indexed_paragraphs(story, story.paragraphs))
            engine.commit(n)
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert not failures, failures
    # Merges run on in tantivy's threads after the last commit, removing files: compared once they are done.
    engine.release()
    assert engine.size_bytes() == sum(path.stat().st_size for path in (tmp_path / "index").iterdir())
    engine.close()


def test_a_search_checking_a_touched_file_while_a_reload_in_another_thread_drops_it_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search checks the index files' sizes as of the last reload, reading a committed file whose modification time
    changed (another process's segment, seen while it was still being written) whole; meanwhile the follower's thread
    commits and reloads, and its new list of files is shorter (here: every article removed, so none). The search
    recorded what it read in the new list at the old one's place: IndexError (the project's CI failed on it under
    load, in test_bot_processes). Held at that point, the search now answers."""
    directory = tmp_path / "index"
    engine = TantivyEngine(directory, 1.0)
    assert engine.try_write()
    written = stories(3)
    for n, story in enumerate(written):
        engine.add(indexed_paragraphs(story, story.paragraphs))
        engine.commit(n)
    for path in directory.iterdir():
        if tantivy_engine.SEGMENT_FILE.match(path.name):
            os.utime(path, ns=(1, 1))
    checking, reloaded = threading.Event(), threading.Event()
    whole = tantivy_engine._whole

    def held(path: Path) -> bool:
        if threading.current_thread() is searcher and not checking.is_set():
            checking.set()
            assert reloaded.wait(60)
        return whole(path)

    monkeypatch.setattr(tantivy_engine, "_whole", held)
    found: list[object] = []
    searcher = threading.Thread(target=lambda: found.append(_searched(engine)))
    searcher.start()
    try:
        assert checking.wait(60)
        engine.delete([story.id for story in written])
        engine.commit(len(written))
    finally:
        reloaded.set()
        searcher.join()
        engine.close()
    assert found == [[]]


def _searched(engine: TantivyEngine) -> object:
    """What a search for "word" gives, or the exception it raised."""
    try:
        return engine.search(Query(("word",)), 5)
    except Exception as exc:  # what the test is about: whichever
        return exc


def test_the_index_writer_s_holder_is_named_as_it_recorded_itself(tmp_path: Path) -> None:
    """A command waiting for another process's writer of the index guessed "(an ingest?)", beside a bot too: the
    holder records its pid and command in tantivy's lock file, and the others read it there; a record left by a
    process no longer running names nobody."""
    directory = tmp_path / "index"
    writing, waiting = TantivyEngine(directory, 1.0), TantivyEngine(directory, 1.0)
    try:
        assert writing.try_write() and not waiting.try_write()
        assert str(waiting.holder()) == described(os.getpid())
        writing.release()
        (directory / tantivy_engine.WRITER_LOCK_FILE).write_text(f"{2**22 + 1} newsbot run\n")  # past Linux's pids
        assert waiting.holder() is None
    finally:
        writing.close()
        waiting.close()


def holder_record(pid: int, started: datetime, host: str = socket.gethostname()) -> str:
    """A lock file's record of a bot (`newsbot run`) as `pid` on `host`, which took the lock at `started`."""
    line = "newsbot --data-dir /srv/news run"
    return json.dumps({"pid": pid, "host": host, "command": "run", "line": line, "started": started.isoformat()})


def test_a_lock_s_holder_whose_pid_another_process_took_since_names_nobody(tmp_path: Path) -> None:
    """A lock file keeps the record of its last holder, through a reboot too, and a pid is given again: a record
    naming a pid that runs was taken for the holder whatever process now had that pid. The record says when its
    process took the lock; a process that started after that is another. One from another machine is named as its,
    saying it cannot be checked from here (it was named as if known to run), and a record in the form of a newsbot
    from before names nobody."""
    lock = tmp_path / "writer.lock"
    lock.write_text(holder_record(os.getpid(), datetime.now(UTC) - timedelta(days=3)))
    assert holder_of(lock) is None
    lock.write_text(holder_record(os.getpid(), datetime.now(UTC)))
    assert str(holder_of(lock)) == f"pid {os.getpid()}: newsbot --data-dir /srv/news run"
    lock.write_text(holder_record(2**22 + 1, datetime.now(UTC), host="web2.example"))
    # Taken to run, as this machine cannot look: said so, with what frees the lock if it does not.
    assert str(holder_of(lock)) == (
        f"pid {2**22 + 1} on web2.example: newsbot --data-dir /srv/news run; held there, which this machine cannot"
        " check: if web2.example is down, the lock is freed once the shared file system lets go of it"
    )
    lock.write_text(f"{os.getpid()} newsbot run\n")
    assert holder_of(lock) is None


def test_a_catch_up_between_a_replaced_store_s_reopening_and_the_index_s_builds_the_index_once(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The bot follows a replaced store (the data directory removed, a store copied in) in its follow job's thread:
    the store reopened, then the index. A catch-up in another thread in between (a feed round's, a question's finding
    the index gone) built the index from the new store but marked it as the old one's, so the index's reopening took
    it for another store's and built the whole store again. It is built once, and taken."""
    settings = replace(settings, semantic="off")
    elsewhere = replace(settings, data_dir=tmp_path / "elsewhere")
    Library.open(elsewhere).close()
    library = Library.open(settings)
    try:
        gone = tmp_path / "data-removed"
        settings.data_dir.rename(gone)
        shutil.rmtree(gone)
        settings.data_dir.mkdir()
        shutil.copy(elsewhere.database_path, settings.database_path)
        assert library.store.replaced()
        caplog.set_level(logging.INFO, logger="bot.index.follower")
        library.store.reopen()
        library.follower.catch_up()  # another thread's, between the two
        built = current_generation(settings)
        library.follower.reopen()
        assert current_generation(settings) == built and library.engine.directory.name == built
        assert sum("built index" in record.message for record in caplog.records) == 1, caplog.text
        assert "another store" not in caplog.text
        assert_consistent(library)
    finally:
        library.close()


def test_a_new_store_a_process_is_making_under_the_running_bot_keeps_its_shipped_articles(settings: Settings) -> None:
    """The data directory removed under a running bot and an ingest run: the ingest's opening makes the store's file
    first, then, in one transaction, its tables and shipped articles. A bot looking in between (under load) took the
    empty file for the new store and made its tables, without the shipped articles, which the ingest then found made:
    the new store never held them (the bot answered the ingested story, and "No article uses" of the shipped ones).
    The bot goes on with the old store until the new one is made, then follows it whole."""
    settings = replace(settings, semantic="off")
    library = Library.open(settings)
    try:
        shipped = library.store.stats().articles
        shutil.rmtree(settings.data_dir)
        settings.data_dir.mkdir()
        sqlite3.connect(settings.database_path).close()  # the ingest's first step: its file, empty
        library.follow()  # the bot's look, in between
        Library.open(settings).close()  # the ingest's store made, with its shipped articles
        library.follow()
        assert library.store.stats().articles == shipped
        assert_consistent(library)
    finally:
        library.close()


def test_an_ingest_whose_store_is_replaced_before_its_index_takes_its_articles_ends(
    settings: Settings, tmp_path: Path
) -> None:
    """A bot's feed round wrote its stories to the store, then the store was replaced (a backup put back) and the
    follow job's thread followed the new one before the round's index took them: the round waited for the index to
    reach a change the new store's log never holds, for ever (its job never ran again, and the bot's stop hung on
    it). The wait ends once the store's log is behind that change."""
    settings = replace(settings, semantic="off")
    library = Library.open(settings)
    try:
        backup = tmp_path / "backup.sqlite3"
        with closing(sqlite3.connect(settings.database_path)) as db, closing(sqlite3.connect(backup)) as copy:
            db.backup(copy)
        written = library.store.write_articles([article("Zebra crossing repainted", "Volunteers repainted it.")])
        shutil.rmtree(settings.data_dir)
        settings.data_dir.mkdir()
        shutil.copy(backup, settings.database_path)
        library.follow()  # another thread's, between the round's write and its wait
        waiting = threading.Thread(target=library.follower.wait_until, args=(written.last_seq,), daemon=True)
        waiting.start()
        waiting.join(timeout=60)
        assert not waiting.is_alive(), "the wait never ended"
        assert_consistent(library)
    finally:
        library.close()


def test_later_pages_are_ranked_ahead_only_while_no_question_is_being_answered(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranking an answer's later pages ahead of a "More" press costs several questions' search under the same GIL:
    done beside questions being answered, it slowed them. It is skipped while one is (the press ranks them then)."""
    asking, go_on = threading.Event(), threading.Event()

    def answer_slowly(*args: object) -> object:
        asking.set()
        assert go_on.wait(60)
        return retrieval.answer(*args)  # type: ignore[arg-type]

    ranked: list[Request] = []
    monkeypatch.setattr("bot.library.answer", answer_slowly)
    monkeypatch.setattr(
        "bot.library.later_pages",
        lambda request, *rest: ranked.append(request) or retrieval.later_pages(request, *rest),
    )
    request = library.request("What did Gerasimov say about NATO?")
    asked = threading.Thread(target=library.ask, args=(request,))
    asked.start()
    assert asking.wait(60)
    library.rank_later_pages(request)
    go_on.set()
    asked.join(60)
    assert ranked == []
    library.rank_later_pages(request)
    assert [r.offset for r in ranked] == [request.k]
