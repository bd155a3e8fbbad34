"""The library: incremental ingest, replacement, deletion and recovery after a crash, on a real store and index."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bot.config import Settings
from bot.library import Library, indexed_paragraphs
from bot.models import Article
from bot.store import Store
from tests.paths import BBC, DATA, ROOT, needs_bbc


def article(
    title: str, *paragraphs: str, url: str | None = None, origin: str | None = None, category: str = "Test"
) -> Article:
    return Article(title=title, paragraphs=paragraphs, category=category, url=url, origin=origin)


def assert_consistent(library: Library) -> None:
    assert library.store.unfinished() == ([], [])
    assert library.engine.count() == library.store.indexed_paragraph_count() == library.store.stats().paragraphs


def test_empty_library_reads_the_shipped_corpus(library: Library) -> None:
    stats = library.stats()
    assert stats.store.articles == len(list((ROOT / "corpus").glob("*.txt")))
    assert stats.indexed_paragraphs == stats.store.paragraphs > 0
    answer = library.ask(library.request("Why did Russia invite Dempsey to Moscow?"))
    assert answer.found
    assert "Dempsey" in answer.passages[0].text


def test_reingesting_changes_nothing(library: Library) -> None:
    first = library.ingest([DATA / "articles"])
    again = library.ingest([DATA / "articles"])
    assert (first.added, first.unchanged) == (3, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert_consistent(library)


def test_edited_article_replaces_its_old_paragraphs(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    original = (DATA / "articles" / "minimal.txt").read_text()
    path.write_text(original)
    library.ingest([path])
    before = library.engine.count()
    path.write_text(original.replace("Researchers from the U.S. and Norway", "Zebra keepers from Quito"))
    report = library.ingest([path])
    assert report.summary().startswith("1 added") and report.removed == 1
    assert library.engine.count() == before
    assert library.ask(library.request("zebra keepers Quito")).found
    assert not library.ask(library.request("researchers Norway survey January")).found
    assert_consistent(library)


def test_article_with_url_is_updated_in_place(library: Library) -> None:
    library.add([article("Bridge opens", "The new bridge opened today.", url="https://n.example/bridge")])
    report = library.add(
        [article("Bridge opens late", "The bridge opened two hours late, to applause.", url="https://n.example/bridge")]
    )
    assert (report.added, report.updated) == (0, 1)
    answer = library.ask(library.request("bridge applause"))
    assert [p.article.title for p in answer.passages] == ["Bridge opens late"]
    assert_consistent(library)


def test_remove_deletes_from_store_and_index(library: Library) -> None:
    a = article("Volcano erupts", "Ash from the volcano closed the airport.")
    library.add([a])
    assert library.ask(library.request("volcano ash airport")).found
    library.remove([a.id])
    assert library.store.article(a.id) is None
    assert not library.ask(library.request("volcano ash airport")).found
    assert_consistent(library)


def test_crash_after_store_before_index_is_finished_on_open(settings: Settings) -> None:
    library = Library.open(settings)
    library.close()
    store = Store(settings.database_path)
    store.stage([article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.")])
    store.close()  # the process "died" before the index was written
    library = Library.open(settings)
    try:
        assert library.ask(library.request("comet Lisbon astronomers")).found
        assert_consistent(library)
    finally:
        library.close()


def test_crash_after_index_commit_before_store_finish_does_not_duplicate(settings: Settings) -> None:
    library = Library.open(settings)
    a = article("Comet spotted", "Astronomers spotted a bright comet over Lisbon.", "Second paragraph here.")
    library.store.stage([a])
    library.engine.delete([a.id])
    stored = library.store.article(a.id)
    assert stored is not None
    library.engine.add(indexed_paragraphs(stored, list(a.paragraphs)))
    library.engine.commit()  # the index has it, but the store still says pending
    library.close()
    library = Library.open(settings)
    try:
        assert_consistent(library)
        hits = library.ask(library.request("comet Lisbon", per_article=5))
        positions = [p.position for p in hits.passages if p.article.id == a.id]
        assert sorted(positions) == [0, 1]
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


def test_corrupt_index_is_rebuilt(settings: Settings) -> None:
    library = Library.open(settings)
    count = library.engine.count()
    library.close()
    (settings.index_dir / "meta.json").write_text("{ not json")
    library = Library.open(settings)
    try:
        assert library.engine.count() == count
    finally:
        library.close()


def test_rank_bm25_engine_serves_the_same_store(settings: Settings) -> None:
    library = Library.open(settings)
    library.ingest([DATA / "articles"])
    library.close()
    reference = Library.open(replace(settings, engine="rank-bm25"))
    try:
        assert reference.engine.count() == reference.store.stats().paragraphs
        answer = reference.ask(reference.request("harbour council terrace"))
        assert answer.found and answer.passages[0].article.title == "Harbour Council Approves Caf\u00e9 Expansion"
    finally:
        reference.close()


@needs_bbc
def test_process_killed_mid_ingest_loses_nothing(tmp_path: Path) -> None:
    # The lexical store and index are under test (the vectors' crash safety is tests/test_semantic.py's): the
    # semantic stage would spend minutes embedding the BBC corpus.
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
        "NEWSBOT_CORPUS_DIR": str(tmp_path / "none"),
        "NEWSBOT_SEMANTIC": "off",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(BBC)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    db = tmp_path / "data" / "newsbot.sqlite3"
    deadline = time.time() + 60
    # Kill it once some articles are staged, while it is still writing.
    while time.time() < deadline and proc.poll() is None:
        if db.exists() and db.stat().st_size > 1_000_000:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "none", semantic="off")
    library = Library.open(settings)
    try:
        assert_consistent(library)
        report = library.ingest([BBC])
        assert report.skipped == []
        assert library.store.stats().articles == 2127  # 2,225 less the 98 exact repeats
        assert_consistent(library)
    finally:
        library.close()
