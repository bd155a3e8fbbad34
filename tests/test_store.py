"""The store on SQLite and on PostgreSQL: migrations, the change log, times, saved questions and chats."""

from __future__ import annotations

import logging
import shutil
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, event, inspect, text, update

from bot.config import FULL_ARTICLE_AGAIN_AFTER
from bot.errors import StoreError, StoreUnreachableError
from bot.models import Article
from bot.store import (
    ASKED_LIFETIME,
    QUERY_LIFETIME,
    WRITE_ARTICLES,
    Orphan,
    PartlyWrittenError,
    Received,
    SavedQuery,
    Store,
    Worker,
    answering,
    engine,
)
from bot.store.engine import CONNECT_TIMEOUT_SECONDS, writing
from bot.store.language import library_language
from bot.store.migrations import MIGRATIONS
from bot.store.schema import (
    article_sends,
    articles,
    asked_questions,
    category_names,
    deliveries,
    migrations,
    paragraphs,
    queries,
    subscriptions,
)
from bot.store.sends import KEPT
from tests.paths import DATA, ROOT, open_here
from tests.processes import free_port

NOW = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
ALICE = 42


def url_of(database_url: str, tmp_path: Path) -> str:
    return database_url or f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(url_of(database_url, tmp_path))
    yield opened
    opened.close()


def story(title: str, *paragraphs: str, **fields: object) -> Article:
    return Article(title=title, paragraphs=paragraphs or (f"{title}: the body.",), **fields)  # type: ignore[arg-type]


@contextmanager
def migrated_again(store: Store, migration: str) -> Iterator[Store]:
    """The store opened anew once `migration` is forgotten, the caller having undone its DDL: as a store made
    before it, which the opening migrates."""
    with writing(store.engine) as connection:
        connection.execute(delete(migrations).where(migrations.c.name == migration))
    upgraded = Store.open(store.engine.url.render_as_string(hide_password=False))
    try:
        assert upgraded.pending_migrations() == []
        yield upgraded
    finally:
        upgraded.close()


def test_a_new_store_is_migrated_and_seeded_once(database_url: str, tmp_path: Path) -> None:
    url = url_of(database_url, tmp_path)
    seeded = Store.open(url, seed=lambda: [story("Seed one"), story("Seed two")])
    try:
        assert seeded.pending_migrations() == []
        assert seeded.stats().articles == 2 and seeded.head() == 2
    finally:
        seeded.close()
    again = Store.open(url, seed=lambda: [story("Never read")])
    try:
        assert again.stats().articles == 2 and again.head() == 2
    finally:
        again.close()


def test_the_change_log_records_each_change_once_in_order(store: Store) -> None:
    first = store.write_articles([story("Ferry returns", url="https://n.example/ferry"), story("Bins")], NOW)
    assert (len(first.added), first.last_seq) == (2, 2)
    unchanged = store.write_articles([story("Bins")], NOW)
    assert unchanged.unchanged and unchanged.last_seq == 0 and store.head() == 2
    edited = store.write_articles([story("Ferry returns late", url="https://n.example/ferry")], NOW)
    assert edited.updated and edited.last_seq == 3
    assert store.remove_articles([story("Bins").id, "no-such-id"], NOW) == [story("Bins").id]
    kinds = [(c.seq, c.kind) for c in store.changes_since(0, 10)]
    assert kinds == [(1, "added"), (2, "added"), (3, "replaced"), (4, "removed")]
    assert [c.seq for c in store.changes_since(2, 10)] == [3, 4]


def test_an_article_from_the_same_origin_replaces_the_old_one(store: Store) -> None:
    draft = story("Draft", "First words.", origin="/news/a.txt")
    final = story("Final", "Other words.", origin="/news/a.txt")
    store.write_articles([draft], NOW)
    result = store.write_articles([final], NOW)
    assert result.replaced == [draft.id] and result.added == [final.id]
    assert [a.title for a in store.latest(5)] == ["Final"]
    assert [c.kind for c in store.changes_since(1, 10)] == ["removed", "replaced"]  # an edit, not news
    assert store.paragraphs(draft.id) == []


def test_a_story_twice_in_one_batch_is_stored_once(store: Store) -> None:
    result = store.write_articles([story("Twice"), story("Twice")], NOW)
    assert (len(result.added), len(result.duplicate), store.head()) == (1, 1, 1)


def test_a_large_batch_is_written_in_short_transactions(store: Store) -> None:
    """Every other write waits for the transaction under way: a bot recording a question's update waited behind an
    ingest's batch of 800 articles, 2 to 6 s under load. A batch goes in WRITE_ARTICLES at a time."""
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda connection: commits.append(1))
    batch = [story(f"Notice {n}") for n in range(2 * WRITE_ARTICLES + 50)] + [story("Notice 7")]
    result = store.write_articles(batch, NOW)
    assert len(commits) == 3
    assert (len(result.added), result.duplicate, result.last_seq) == (
        2 * WRITE_ARTICLES + 50,
        [batch[7].id],
        store.head(),
    )
    assert len(result.written) == store.stats().articles == store.head()


def test_a_write_answering_someone_gets_in_between_a_batchs_transactions(tmp_path: Path) -> None:
    """SQLite queues no writers: one waiting looks again after a sleep (100 ms, past its first ones), and a batch's
    next transaction had begun by then, so a bot recording a question's update beside an ingest waited for several
    (0.5 to 1 s under load). It asks every few ms now, and a batch leaves room between its transactions."""
    url = url_of("", tmp_path)
    ingest, bot = Store.open(url), Store.open(url)
    commits: list[int] = []
    first = threading.Event()

    def committed(connection: object) -> None:
        commits.append(1)
        first.set()

    event.listen(ingest.engine, "commit", committed)
    batch = [story(f"Notice {n}") for n in range(10 * WRITE_ARTICLES)]
    with ThreadPoolExecutor(1) as pool:
        written = pool.submit(ingest.write_articles, batch, NOW)
        assert first.wait(60)
        with answering(), writing(bot.engine) as connection:
            connection.exec_driver_sql("UPDATE articles SET title = title WHERE 0")
            waited_for = len(commits)
        assert len(written.result().added) == 10 * WRITE_ARTICLES
    assert waited_for <= 3, f"the answering write waited for {waited_for} of the batch's 10 transactions"
    ingest.close()
    bot.close()


def test_the_librarys_language_is_read_in_a_few_statements(store: Store) -> None:
    """It is read again at each question once the log moved on, so at every question beside an ingest: one read of
    paragraphs per sampled article (41 statements, each a round trip to PostgreSQL) made answers take 4 to 6 s."""
    store.write_articles([story(f"Notice {n}", f"The council said notice {n} was posted.") for n in range(50)], NOW)
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert library_language(store) == "en"
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 10  # not one per article


def test_a_batch_failing_part_way_says_what_it_stored(tmp_path: Path) -> None:
    """A write refused after the batch's first transactions (a full disk) says what they stored, each article whole,
    so an ingest can count and index it."""
    batch = [story(f"Notice {n}") for n in range(2 * WRITE_ARTICLES)]
    sqlite_store = Store.open(url_of("", tmp_path))
    with sqlite_store.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER refused BEFORE INSERT ON articles WHEN NEW.title = 'Notice 150'"
            " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    with pytest.raises(PartlyWrittenError, match="disk is full") as raised:
        sqlite_store.write_articles(batch, NOW)
    assert len(raised.value.written.added) == WRITE_ARTICLES == sqlite_store.stats().articles
    assert raised.value.written.last_seq == sqlite_store.head()
    sqlite_store.close()


def test_a_category_keeps_the_spelling_it_first_arrived_in(store: Store) -> None:
    """ "Sport" after "sport" is one category: one line in /categories, one subscription, one digest section."""
    store.write_articles([story("Cup final", category="sport")], NOW)
    capitals = story("Derby day", category="Sport")
    store.write_articles([capitals, story("Relay", category="  SPORT "), story("Chips", category="Tech")], NOW)
    store.write_articles([story("Phones", category="tech"), story("Radios", category="TECH")], NOW)
    store.write_articles([story("Pies", category=" Food  news"), story("Tarts", category="food NEWS")], NOW)
    assert dict(store.categories()) == {"sport": 3, "Tech": 3, "Food news": 2}
    assert {a.category for a in store.latest(3, "Sport")} == {"sport"}
    assert {a.title for a in store.latest(5, "FOOD  NEWS")} == {"Tarts", "Pies"}
    # Filed again as it came, it is unchanged (its content hash is of the stored spelling), not an edit.
    again = store.write_articles([capitals], NOW)
    assert again.unchanged == [capitals.id] and again.last_seq == 0


def test_the_category_names_leave_out_articles_filed_under_none_most_articles_first(store: Store) -> None:
    filed = {"Sport": ["Cup final", "Derby", "Relay"], "tech": ["Chips", "Phones"], "business": ["Shares"]}
    filed[""] = ["Loose", "Odd", "Ends", "Last"]
    store.write_articles([story(title, category=name) for name, titles in filed.items() for title in titles], NOW)
    assert store.categories()[0] == ("", 4)
    assert store.category_names() == ["Sport", "tech", "business"]


def test_a_plural_and_its_singular_are_one_category(store: Store) -> None:
    """A feed filing "Sports" beside files filing "Sport" made two categories: `/latest sport` and a chat following
    Sport missed the feed's stories, and `/categories` listed both."""
    store.write_articles([story("Cup final", category="Sport")], NOW)
    written = store.write_articles([story("Derby day", category="Sports"), story("Relay", category="SPORTS ")], NOW)
    store.write_articles([story("Gallery", category="arts"), story("Opera", category="Art")], NOW)
    store.write_articles([story("Shares", category="Business"), story("Fleet", category="Bus")], NOW)
    assert dict(store.categories()) == {"Sport": 3, "arts": 2, "Business": 1, "Bus": 1}
    assert {w.category for w in written.written.values()} == {"Sport"}
    assert {a.title for a in store.latest(5, "sports")} == {"Cup final", "Derby day", "Relay"}


def test_a_category_whose_articles_are_gone_keeps_its_spelling(store: Store) -> None:
    [gone] = store.write_articles([story("Cup final", category="sport")], NOW).added
    store.remove_articles([gone], NOW)
    written = store.write_articles([story("Derby day", category="Sport")], NOW)
    assert store.categories() == [("sport", 1)] and written.written[written.added[0]].category == "sport"


def test_times_are_aware_utc_whatever_zone_they_were_given_in(store: Store) -> None:
    berlin = timezone(timedelta(hours=2))
    store.write_articles([story("Zoned", published=datetime(2026, 3, 29, 8, 0, tzinfo=berlin))], NOW)
    [stored] = store.latest(1)
    assert stored.published == datetime(2026, 3, 29, 6, 0, tzinfo=UTC) and stored.published.tzinfo == UTC
    assert stored.added_at == NOW
    with pytest.raises(StoreError):
        store.write_articles([story("Naive", published=datetime(2026, 3, 29, 8, 0))], NOW)


def test_latest_lists_undated_stories_from_the_web_by_arrival_and_those_from_files_after_the_dated_ones(
    store: Store,
) -> None:
    """An undated bulk import (an archive, a dataset) arriving today was listed above the day's dated news: its
    arrival does not make it news, so undated stories from files (or added with no origin) follow the dated ones,
    newest arrival first. An undated story from the web (a followed feed's entry, a fetched page) arrives as it is
    published: it is listed by its arrival among the dated ones, as digests order it."""
    web = "https://paper.example/"
    store.write_articles([story("From 2013", published=datetime(2013, 3, 7, tzinfo=UTC))], NOW - timedelta(days=9))
    store.write_articles([story("Undated, last week", origin="archive.jsonl#1")], NOW - timedelta(days=7))
    store.write_articles([story("Feed, undated, 2 days ago", origin=f"{web}a")], NOW - timedelta(days=2))
    store.write_articles([story("Dated yesterday", published=NOW - timedelta(days=1), category="Sport")], NOW)
    store.write_articles([story("Undated, today", category="Sport", origin="archive.jsonl#2")], NOW)
    store.write_articles([story("Undated too, today", category="Sport")], NOW)
    store.write_articles([story("Page, undated, today", category="Sport", origin=f"{web}b")], NOW)
    assert [a.title for a in store.latest(10)] == [
        "Page, undated, today",
        "Dated yesterday",
        "Feed, undated, 2 days ago",
        "From 2013",
        "Undated too, today",  # two arriving at one instant: in id order (9ff3... before ab72...) on both databases
        "Undated, today",
        "Undated, last week",
    ]
    for limit in range(1, 8):
        assert [a.title for a in store.latest(limit)] == [a.title for a in store.latest(10)[:limit]]
    assert [a.title for a in store.latest(10, "sport")] == [
        "Page, undated, today",
        "Dated yesterday",
        "Undated too, today",
        "Undated, today",
    ]
    assert [a.title for a in store.latest(10, "Business")] == []
    # Up to a time ("what happened yesterday?"): those with a news time after it left out, files' undated ones kept.
    assert [a.title for a in store.latest(10, before=NOW - timedelta(hours=12))] == [
        "Dated yesterday",
        "Feed, undated, 2 days ago",
        "From 2013",
        "Undated too, today",
        "Undated, today",
        "Undated, last week",
    ]


def test_latest_lists_a_story_dated_after_it_arrived_by_its_arrival(store: Store) -> None:
    """A story dated 3 Dec 2031 (a typo's year, noted at ingest) arriving 9 days ago sat at the top of /latest
    until 2031, above every day's news: it is listed by its arrival, which no story is published after, and keeps
    its date as written."""
    typo = datetime(2031, 12, 3, tzinfo=UTC)
    store.write_articles([story("From 2013", published=datetime(2013, 3, 7, tzinfo=UTC))], NOW - timedelta(days=30))
    store.write_articles([story("Typo's year", published=typo, category="Sport")], NOW - timedelta(days=9))
    store.write_articles([story("Week ago", published=NOW - timedelta(days=7), category="Sport")], NOW)
    store.write_articles([story("Undated page", origin="https://paper.example/a")], NOW - timedelta(days=8))
    store.write_articles([story("Ten days ago", published=NOW - timedelta(days=10))], NOW)
    # Stamped a minute ahead of the clock that received it: no later than its arrival either.
    store.write_articles([story("Just in", published=NOW + timedelta(minutes=1))], NOW)
    newest = ["Just in", "Week ago", "Undated page", "Typo's year", "Ten days ago", "From 2013"]
    assert [a.title for a in store.latest(10)] == newest
    for limit in range(1, 7):
        assert [a.title for a in store.latest(limit)] == newest[:limit]
    assert [a.title for a in store.latest(10, "sport")] == ["Week ago", "Typo's year"]
    assert [a.published for a in store.latest(10) if a.title == "Typo's year"] == [typo]
    # Before a time, by the same news times: the typo's year by its arrival 9 days ago.
    before = NOW - timedelta(days=8, hours=12)
    assert [a.title for a in store.latest(10, before=before)] == ["Typo's year", "Ten days ago", "From 2013"]


def test_stats_count_undated_articles(store: Store) -> None:
    store.write_articles(
        [story("Dated", published=datetime(2020, 1, 2, tzinfo=UTC)), story("Undated one"), story("Undated two")], NOW
    )
    stats = store.stats()
    assert (stats.articles, stats.undated) == (3, 2)
    assert stats.first_published == stats.last_published == datetime(2020, 1, 2, tzinfo=UTC)


def test_paragraph_texts_are_fetched_by_key(store: Store) -> None:
    a = story(
        "Three", "One.", "Two.", "Three.", published=datetime(2026, 3, 28, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    )
    store.write_articles([a], NOW)
    assert store.paragraph_texts([(a.id, 2), (a.id, 0), ("missing", 1), (a.id, 9)]) == {
        (a.id, 2): "Three.",
        (a.id, 0): "One.",
    }
    [(stored, texts)] = store.with_paragraphs([a.id, "missing"])
    assert stored.id == a.id and texts == ["One.", "Two.", "Three."]
    found, texts = store.candidates([(a.id, 1), ("missing", 0), (a.id, 1), (a.id, 2)])
    assert list(found) == [a.id] and found[a.id] == store.article(a.id)
    assert found[a.id].published and found[a.id].published.tzinfo == UTC  # read as SQLAlchemy would, in UTC
    assert texts == {(a.id, 1): "Two.", (a.id, 2): "Three."}


def test_a_long_list_of_candidates_is_read_within_an_old_sqlite_limit(store: Store) -> None:
    # A "More" page brings hundreds of keys, and an SQLite built before 3.32 binds at most 999 values a statement.
    a = story("Long", *(f"Paragraph {i}." for i in range(700)))
    store.write_articles([a], NOW)
    if store.engine.dialect.name == "sqlite":
        limit = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
        event.listen(store.engine, "connect", lambda connection, _: connection.setlimit(limit, 999))
        store.engine.dispose()
    found, texts = store.candidates([("missing", 0), *((a.id, i) for i in range(700))])
    assert list(found) == [a.id] and texts == {(a.id, i): f"Paragraph {i}." for i in range(700)}


def test_a_write_after_a_one_statement_read_is_still_one_transaction(store: Store) -> None:
    # PostgreSQL reads a question's candidates outside a transaction; the pooled connection must not stay so.
    a = story("Kept", "First.", "Second.")
    store.write_articles([a], NOW)
    assert store.candidates([(a.id, 0)])[1] == {(a.id, 0): "First."}
    with pytest.raises(RuntimeError), writing(store.engine) as connection:
        connection.execute(delete(paragraphs))
        raise RuntimeError("a writer fails half way")
    assert store.paragraphs(a.id) == ["First.", "Second."]


def test_a_saved_question_needs_no_write_when_asked_again(store: Store) -> None:
    query = SavedQuery("harbour ferry", "Local", None, None, ALICE)
    key = store.save_query(query, NOW)
    assert store.load_query(key, ALICE, NOW + timedelta(days=6)) == query
    assert store.load_query(key, ALICE + 1, NOW) is None  # another chat's button
    store.save_query(query, NOW + timedelta(minutes=30))  # recently saved: a read, no write
    assert store.load_query(key, ALICE, NOW + timedelta(days=7, minutes=1)) is None  # the first save's age counts
    store.save_query(query, NOW + timedelta(days=2))  # older than an hour: saved again, so it lives on
    assert store.load_query(key, ALICE, NOW + timedelta(days=8)) == query
    assert store.load_query("0123456789ab", ALICE, NOW) is None


def test_old_saved_questions_are_pruned(store: Store) -> None:
    old = store.save_query(SavedQuery("old", None, None, None, ALICE), NOW)
    store.save_query(SavedQuery("new", None, None, None, ALICE), NOW + timedelta(days=8))
    with store.engine.connect() as connection:
        keys = {row.key for row in connection.execute(queries.select())}
    assert old not in keys and len(keys) == 1


def test_one_of_two_processes_handling_presses_of_one_full_article_button_at_once_sends_it(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """Two processes on one store (several webhook processes behind one address) each handle a press of one
    button at the same instant: the store lets one of them send."""
    other = Store.open(url_of(database_url, tmp_path))
    try:
        for button in range(20):
            together = threading.Barrier(2)

            def press(on: Store, update_id: int, button: int = button, together: threading.Barrier = together) -> bool:
                together.wait()
                return on.claim_article_send(ALICE, str(button), "a1", update_id, NOW, FULL_ARTICLE_AGAIN_AFTER)

            with ThreadPoolExecutor(2) as pool:
                assert sorted(pool.map(press, (store, other), (1, 2))) == [False, True]
    finally:
        other.close()


def test_a_full_article_is_sent_again_from_its_button_only_once_the_window_has_passed(store: Store) -> None:
    window = FULL_ARTICLE_AGAIN_AFTER
    assert store.claim_article_send(ALICE, "7", "a1", 1, NOW, window)
    assert not store.claim_article_send(ALICE, "7", "a1", 2, NOW + window - timedelta(seconds=1), window)
    # Another button, chat or article is another send.
    assert store.claim_article_send(ALICE, "8", "a1", 3, NOW, window)
    assert store.claim_article_send(ALICE + 1, "7", "a1", 4, NOW, window)
    assert store.claim_article_send(ALICE, "7", "a2", 5, NOW, window)
    assert store.claim_article_send(ALICE, "7", "a1", 6, NOW + window, window)
    assert not store.claim_article_send(ALICE, "7", "a1", 7, NOW + window + timedelta(minutes=9), window)
    # A press giving the longest window (a /latest list's More) is claimed that long: an hour on, still none.
    assert store.claim_article_send(ALICE, "9:more", "a1", 8, NOW, KEPT)
    assert not store.claim_article_send(ALICE, "9:more", "a1", 9, NOW + timedelta(hours=1), KEPT)
    # The claims older than that are gone at the next press: the table holds those of the last `KEPT`.
    later = NOW + window + KEPT
    assert store.claim_article_send(ALICE, "8", "a2", 10, later, window)
    with store.engine.connect() as connection:
        assert connection.execute(article_sends.select()).all() == [(ALICE, "8", "a2", later, 10)]


def test_a_full_article_whose_send_failed_is_sent_at_the_next_press(store: Store) -> None:
    """The claim is released; a release that comes late leaves a later press's claim alone."""
    window = FULL_ARTICLE_AGAIN_AFTER
    assert store.claim_article_send(ALICE, "7", "a1", 1, NOW, window)
    store.release_article_send(ALICE, "7", "a1", NOW)
    assert store.claim_article_send(ALICE, "7", "a1", 2, NOW + timedelta(seconds=1), window)
    store.release_article_send(ALICE, "7", "a1", NOW)
    assert not store.claim_article_send(ALICE, "7", "a1", 3, NOW + timedelta(seconds=2), window)


def test_a_press_handled_again_after_a_kill_takes_its_own_claim_again_not_another_press_s(store: Store) -> None:
    """A press whose process was killed between its claim and the article going out is handled again by the next
    start: it was told the article is above, which never came. Handled again, the claim its update made is taken
    again; another press's, made before it or after it came, still says the article is above."""
    window = FULL_ARTICLE_AGAIN_AFTER
    pressed = NOW + timedelta(seconds=5)
    assert store.claim_article_send(ALICE, "7", "a1", 100, pressed, window)  # then the kill
    assert not store.claim_article_send(ALICE, "7", "a1", 101, pressed + timedelta(seconds=30), window)
    assert store.claim_article_send(ALICE, "7", "a1", 100, pressed + timedelta(seconds=30), window)
    # The claim taken again is the new one: its release (the send failed again) frees the button.
    store.release_article_send(ALICE, "7", "a1", pressed + timedelta(seconds=30))
    assert store.claim_article_send(ALICE, "7", "a1", 99, NOW, window)  # an earlier press's
    assert not store.claim_article_send(ALICE, "7", "a1", 100, pressed + timedelta(seconds=30), window)
    # A later press's claim, made while this one waited to be handled again (its process killed before it
    # claimed), is not this one's either, however soon after this one came it was made.
    assert store.claim_article_send(ALICE, "8", "a1", 103, pressed + timedelta(seconds=1), window)
    assert not store.claim_article_send(ALICE, "8", "a1", 102, pressed + timedelta(seconds=30), window)


BOT = 7001


def test_an_edit_is_answered_only_when_it_changes_the_question_whichever_store_answered_the_message(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """The question is claimed in the store: an edit given to another process (its own `Store`) knows it."""
    other = Store.open(url_of(database_url, tmp_path))
    try:
        assert store.claim_question(BOT, ALICE, 10, 1, "who won", False, NOW)
        assert not other.claim_question(BOT, ALICE, 10, 2, "who won", True, NOW)  # an edit that changed nothing
        assert other.claim_question(BOT, ALICE, 10, 3, "who won the final", True, NOW)
        assert not store.claim_question(BOT, ALICE, 10, 4, "who won the final", True, NOW)
        assert store.claim_question(BOT, ALICE, 10, 5, "who won", True, NOW)  # edited back: asked anew
        # That very edit handled again (taken over from a process killed while answering it) answers.
        assert other.claim_question(BOT, ALICE, 10, 5, "who won", True, NOW)
        # Another message, chat or bot is another question; a new message always answers.
        assert store.claim_question(BOT, ALICE, 11, 6, "who won", True, NOW)
        assert store.claim_question(BOT, ALICE + 1, 10, 7, "who won", True, NOW)
        assert store.claim_question(BOT + 1, ALICE, 10, 8, "who won", True, NOW)
        assert store.claim_question(BOT, ALICE, 10, 9, "who won", False, NOW)
    finally:
        other.close()


def test_a_question_repeated_before_its_answer_came_is_not_answered_again_by_any_process(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """The same question sent three times before its answer came (an impatient reader, a double tap) got three
    answers. A repeat is known by the chat's numbering, the bot's replies among its messages: one sent before the
    answer's first reply is not answered, by any process; one sent after it (the answer read) is."""
    other = Store.open(url_of(database_url, tmp_path))
    try:
        assert store.claim_question(BOT, ALICE, 10, 1, "who won", False, NOW)
        store.keep_question_replies(BOT, ALICE, 10, [13], NOW)  # sent after messages 11 and 12 came
        assert not other.claim_question(BOT, ALICE, 11, 2, "who won", False, NOW)
        assert not store.claim_question(BOT, ALICE, 12, 3, "who won", False, NOW)
        assert other.claim_question(BOT, ALICE, 14, 4, "who won", False, NOW)  # after the answer: asked again
        # Another question, chat or bot is no repeat; nor is a repeat's edit into another question.
        assert store.claim_question(BOT, ALICE, 12, 5, "who lost", True, NOW)
        assert store.claim_question(BOT, ALICE + 1, 11, 6, "who won", False, NOW)
        assert store.claim_question(BOT + 1, ALICE, 11, 7, "who won", False, NOW)
        # An earlier question no reply is kept for (its answer failed) leaves the repeat to be answered.
        assert store.claim_question(BOT, ALICE, 20, 8, "who drew", False, NOW)
        assert store.claim_question(BOT, ALICE, 21, 9, "who drew", False, NOW)
    finally:
        other.close()


def test_an_edit_after_the_question_was_forgotten_is_answered_and_old_questions_are_pruned(store: Store) -> None:
    assert store.claim_question(BOT, ALICE, 10, 1, "who won", False, NOW)
    assert store.claim_question(BOT, ALICE, 11, 2, "who lost", False, NOW + timedelta(days=1))
    later = NOW + ASKED_LIFETIME + timedelta(seconds=1)
    assert store.claim_question(BOT, ALICE, 10, 3, "who won", True, later)
    assert not store.claim_question(BOT, ALICE, 11, 4, "who lost", True, later)
    with store.engine.connect() as connection:
        assert len(connection.execute(asked_questions.select()).all()) == 2
    store.claim_question(BOT, ALICE, 12, 5, "who drew", False, later + timedelta(days=1))
    with store.engine.connect() as connection:
        assert {row.message_id for row in connection.execute(asked_questions.select())} == {10, 12}


def test_the_replies_to_a_message_are_known_to_every_process_replaced_whole_and_pruned(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """The bot's replies to a message, kept for its edits: another process (its own `Store`) reads them in the order
    sent; keeping a message's replies replaces those kept before; a week later they are gone."""
    other = Store.open(url_of(database_url, tmp_path))
    try:
        store.keep_question_replies(BOT, ALICE, 10, [21, 20], NOW)  # a chat numbers its messages upwards
        assert other.question_replies(BOT, ALICE, 10) == (20, 21)
        other.keep_question_replies(BOT, ALICE, 10, [20], NOW)  # the first edited into the edit's one reply
        assert store.question_replies(BOT, ALICE, 10) == (20,)
        store.keep_question_replies(BOT, ALICE, 11, [22], NOW + timedelta(days=1))
        # Another message, chat or bot has replies of its own (none).
        assert store.question_replies(BOT, ALICE + 1, 10) == store.question_replies(BOT + 1, ALICE, 10) == ()
        store.keep_question_replies(BOT, ALICE, 12, [23], NOW + ASKED_LIFETIME + timedelta(seconds=1))
        assert store.question_replies(BOT, ALICE, 10) == ()
        assert store.question_replies(BOT, ALICE, 11) == (22,)
    finally:
        other.close()


def test_one_of_two_processes_claiming_one_changed_question_at_once_answers_it(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """Two processes claim the same new question of one message at the same instant: one statement decides, so
    one of them answers."""
    other = Store.open(url_of(database_url, tmp_path))
    try:
        for message in range(20):
            assert store.claim_question(BOT, ALICE, message, 1, "who won", False, NOW)
            together = threading.Barrier(2)

            def edit(on: Store, message: int = message, together: threading.Barrier = together) -> bool:
                together.wait()
                return on.claim_question(BOT, ALICE, message, 2 if on is store else 3, "who lost", True, NOW)

            with ThreadPoolExecutor(2) as pool:
                assert sorted(pool.map(edit, (store, other))) == [False, True]
    finally:
        other.close()


def test_an_update_is_recorded_once_and_only_a_gone_process_s_unhandled_ones_are_taken_over(store: Store) -> None:
    """A process killed mid-answer leaves its updates unhandled: another takes them over, once, fenced by the
    process that held them; those of a live process and handled ones stay; an update delivered again is known."""
    gone = Worker("elsewhere:1:gone", "elsewhere", 1, NOW, NOW)
    live = Worker("elsewhere:2:live", "elsewhere", 2, NOW, NOW)
    assert store.receive_update(7, Received(100, '{"update_id": 100}', gone.worker_id), NOW)
    assert not store.receive_update(7, Received(100, '{"update_id": 100}', live.worker_id), NOW)  # again
    assert store.receive_update(7, Received(101, '{"update_id": 101}', gone.worker_id), NOW)
    store.handled_updates(7, [Received(101, '{"update_id": 101}', gone.worker_id)], NOW)
    assert store.receive_update(7, Received(102, '{"update_id": 102}', live.worker_id), NOW)
    assert store.receive_update(8, Received(100, '{"update_id": 100}', gone.worker_id), NOW)  # another bot's
    # A handled mark that lands before its record (the record was slow): the record changes nothing.
    store.handled_updates(7, [Received(103, '{"update_id": 103}', gone.worker_id)], NOW)
    assert not store.receive_update(7, Received(103, '{"update_id": 103}', gone.worker_id), NOW)
    for worker in (gone, live):
        store.beat(worker, NOW, NOW, NOW - timedelta(days=1))

    def is_gone(worker: Worker | None) -> bool:
        return worker is not None and worker.worker_id == gone.worker_id

    taken = store.take_unhandled_updates(7, "here:3:new", NOW - timedelta(days=1), is_gone)
    assert taken == [Received(100, '{"update_id": 100}', "here:3:new", None)]
    assert store.take_unhandled_updates(7, "here:4:other", NOW - timedelta(days=1), is_gone) == []
    # The one taken is the taker's now: when it is gone too, the next start takes it.
    assert [r.update_id for r in store.take_unhandled_updates(7, "here:4:other", NOW, lambda w: True)] == [100, 102]
    assert store.prune_received_updates(NOW + timedelta(seconds=1)) == 5


def test_a_chat_s_update_knows_who_holds_its_earlier_unhandled_ones(store: Store) -> None:
    """Several processes behind one webhook: the processes holding a chat's earlier updates, not handled yet, other
    than the update's own; later updates, other chats', other bots', handled and forgotten ones do not count."""
    first = Worker("elsewhere:1:first", "elsewhere", 1, NOW, NOW)
    store.beat(first, NOW, NOW, NOW - timedelta(days=1))

    def received(update_id: int, worker: str, chat_id: int | None = ALICE, bot: int = 7) -> Received:
        update = Received(update_id, f'{{"update_id": {update_id}}}', worker, chat_id)
        assert store.receive_update(bot, update, NOW)
        return update

    earlier = received(100, first.worker_id)
    received(101, "elsewhere:2:gone")  # a worker no longer in the table
    received(102, "here:3:me")  # the update's own worker
    received(99, first.worker_id, ALICE + 1)  # another chat
    received(98, first.worker_id, None)  # an inline query
    received(97, first.worker_id, bot=8)  # another bot
    mine = received(103, "here:3:me")
    received(104, first.worker_id)  # later
    since = NOW - timedelta(days=1)
    assert sorted(store.update_holders_before(7, mine, since), key=str) == [None, first]
    store.handled_updates(7, [earlier], NOW)
    assert store.update_holders_before(7, mine, since) == [None]
    assert store.update_holders_before(7, mine, NOW + timedelta(seconds=1)) == []


def test_a_chat_s_update_takes_over_only_its_chat_s_earlier_updates_a_gone_process_left(store: Store) -> None:
    """An update waiting for its chat's earlier ones, whose process was killed, takes those over to handle them
    first: not other chats', later or handled ones, nor a live process's (the beat's take-over gets the rest)."""
    gone = Worker("elsewhere:1:gone", "elsewhere", 1, NOW, NOW)
    live = Worker("elsewhere:2:live", "elsewhere", 2, NOW, NOW)
    for worker in (gone, live):
        store.beat(worker, NOW, NOW, NOW - timedelta(days=1))

    def received(update_id: int, worker: Worker, chat_id: int | None = ALICE) -> Received:
        update = Received(update_id, f'{{"update_id": {update_id}}}', worker.worker_id, chat_id)
        assert store.receive_update(7, update, NOW)
        return update

    received(100, gone)
    received(101, live)
    store.handled_updates(7, [received(102, gone)], NOW)
    received(103, gone, ALICE + 1)  # another chat
    received(104, gone, None)  # an inline query
    received(105, gone)
    waiting = Received(106, "{}", "here:3:me", ALICE)
    received(107, gone)  # later

    def is_gone(worker: Worker | None) -> bool:
        return worker is not None and worker.worker_id == gone.worker_id

    since = NOW - timedelta(days=1)
    taken = store.take_unhandled_updates(7, waiting.worker, since, is_gone, waiting)
    assert taken == [Received(n, f'{{"update_id": {n}}}', waiting.worker, ALICE) for n in (100, 105)]
    assert store.take_unhandled_updates(7, "here:4:other", since, is_gone, waiting) == []
    assert [t.update_id for t in store.take_unhandled_updates(7, "here:4:other", since, is_gone)] == [103, 104, 107]


def test_a_take_over_leaves_a_gone_process_s_update_to_its_chat_s_later_one_a_running_process_holds(
    store: Store,
) -> None:
    """A beat's take-over racing a chat's later update waiting for it: taken by the beat, the earlier update was
    queued behind the later one (in the same process) and answered after it. The beat leaves it to the later
    update's holder, running (this process too), which takes it over itself and handles it first."""
    gone = Worker("elsewhere:1:gone", "elsewhere", 1, NOW, NOW)
    live = Worker("elsewhere:2:live", "elsewhere", 2, NOW, NOW)
    for worker in (gone, live):
        store.beat(worker, NOW, NOW, NOW - timedelta(days=1))
    me = "here:3:me"

    def received(update_id: int, holder: str, chat_id: int | None) -> Received:
        update = Received(update_id, f'{{"update_id": {update_id}}}', holder, chat_id)
        assert store.receive_update(7, update, NOW)
        return update

    received(100, gone.worker_id, ALICE)
    mine = received(101, me, ALICE)  # waiting for 100
    received(102, gone.worker_id, ALICE + 1)
    received(103, live.worker_id, ALICE + 1)  # waiting for 102 in another running process
    received(104, gone.worker_id, ALICE + 2)
    received(105, gone.worker_id, ALICE + 2)  # both gone: the beat takes both, in order
    received(106, gone.worker_id, None)  # an inline query: no chat to wait in
    received(107, gone.worker_id, ALICE)  # after the one waiting: the beat's

    def is_gone(worker: Worker | None) -> bool:
        return worker is not None and worker.worker_id == gone.worker_id

    since = NOW - timedelta(days=1)
    assert [t.update_id for t in store.take_unhandled_updates(7, me, since, is_gone)] == [104, 105, 106, 107]
    assert [t.update_id for t in store.take_unhandled_updates(7, me, since, is_gone, mine)] == [100]
    handled = Received(103, '{"update_id": 103}', live.worker_id, ALICE + 1)
    store.handled_updates(7, [handled], NOW)  # handled without it (its turn gave up waiting): the beat's now
    assert [t.update_id for t in store.take_unhandled_updates(7, me, since, is_gone)] == [102]
    # A later update unhandled for longer than it would wait (stuck) leaves the earlier one to the beat.
    received(108, gone.worker_id, ALICE + 3)
    received(109, me, ALICE + 3)
    assert store.take_unhandled_updates(7, me, since, is_gone, waited_since=NOW) == []
    stuck = NOW + timedelta(seconds=1)
    assert [t.update_id for t in store.take_unhandled_updates(7, me, since, is_gone, waited_since=stuck)] == [108]


def test_a_store_made_before_updates_had_their_chat_gets_the_column_and_its_index(store: Store) -> None:
    with writing(store.engine) as connection:
        connection.execute(text("DROP INDEX received_updates_chat"))
        connection.execute(text("ALTER TABLE received_updates DROP COLUMN chat_id"))
    with migrated_again(store, "0014_received_chat") as upgraded:
        update = Received(5, '{"update_id": 5}', "here:1:me", ALICE)
        assert upgraded.receive_update(7, update, NOW)
        assert upgraded.update_holders_before(7, Received(6, "{}", "elsewhere:2:it", ALICE), NOW) == [None]
        indexes = {index["name"] for index in inspect(upgraded.engine).get_indexes("received_updates")}
        assert "received_updates_chat" in indexes


def test_a_store_made_before_sends_named_their_press_gets_the_column_and_keeps_its_sends(store: Store) -> None:
    """A send claimed before 0016 names no press: it still says the article is above, to any press."""
    with writing(store.engine) as connection:
        connection.execute(text("ALTER TABLE article_sends DROP COLUMN update_id"))
        connection.execute(article_sends.insert().values(chat_id=ALICE, button="7", article_id="a1", sent_at=NOW))
    with migrated_again(store, "0016_article_send_update") as upgraded:
        later = NOW + timedelta(seconds=5)
        assert not upgraded.claim_article_send(ALICE, "7", "a1", 1, later, FULL_ARTICLE_AGAIN_AFTER)
        assert upgraded.claim_article_send(ALICE, "8", "a1", 2, later, FULL_ARTICLE_AGAIN_AFTER)
        assert upgraded.claim_article_send(ALICE, "8", "a1", 2, later, FULL_ARTICLE_AGAIN_AFTER)  # its own again


def test_a_store_made_before_inline_questions_named_their_query_gets_the_column_and_keeps_them(store: Store) -> None:
    """An inline question kept before 0017 names no query: the asker's next query writes over it, and from then on
    only a later one does."""
    typed = SavedQuery("Qwzx", None, None, None, ALICE, inline=True)
    with writing(store.engine) as connection:
        connection.execute(text("ALTER TABLE queries DROP COLUMN update_id"))
        connection.execute(queries.insert().values(key=typed.key, question="Qwzx", created_at=NOW))
    with migrated_again(store, "0017_query_update") as upgraded:
        assert upgraded.load_query(typed.key, ALICE, NOW) == typed
        later = NOW + timedelta(seconds=5)
        upgraded.save_query(SavedQuery("Qwzx vb", None, None, None, ALICE, inline=True, update_id=8), later)
        upgraded.save_query(SavedQuery("Qwz", None, None, None, ALICE, inline=True, update_id=7), later)
        kept = upgraded.load_query(typed.key, ALICE, later)
        assert kept is not None and kept.question == "Qwzx vb"


def test_a_store_made_before_inline_questions_had_links_gets_the_column_and_finds_them_by_it(store: Store) -> None:
    """A shared inline question's deep link carried its asker's Telegram id: it names it by a token kept with the
    question (0032). A question kept before has none: the next query of its asker's writes one, found by it while
    it holds that query's question."""
    typed = SavedQuery("Qwzx", None, None, None, ALICE, inline=True)
    with writing(store.engine) as connection:
        connection.execute(text("DROP INDEX queries_link"))
        connection.execute(text("ALTER TABLE queries DROP COLUMN link"))
        connection.execute(queries.insert().values(key=typed.key, question="Qwzx", created_at=NOW))
    with migrated_again(store, "0032_query_links") as upgraded:
        assert "queries_link" in {index["name"] for index in inspect(upgraded.engine).get_indexes("queries")}
        assert upgraded.load_query(typed.key, ALICE, NOW) == typed
        later = NOW + timedelta(seconds=5)
        upgraded.save_query(
            SavedQuery("Qwzx vb", None, None, None, ALICE, inline=True, update_id=8, link="b" * 16), later
        )
        assert upgraded.load_linked("b" * 16, later) == ("Qwzx vb", typed.key)
        upgraded.save_query(
            SavedQuery("Qwzx vbn", None, None, None, ALICE, inline=True, update_id=9, link="c" * 16), later
        )
        assert upgraded.load_linked("b" * 16, later) is None
        assert upgraded.load_linked("c" * 16, later + QUERY_LIFETIME + timedelta(seconds=1)) is None


def test_an_update_id_seen_before_with_other_content_is_a_new_update(store: Store) -> None:
    """A Bot API server started again (a local one, an emulator, `newsbot chat`'s stand-in) numbers its updates from
    1 again: the new update 1 was taken for the old one delivered again, and never answered. Only the same content
    is the same update."""
    first = Received(1, '{"update_id": 1, "message": {"text": "hi"}}', "elsewhere:1:old")
    assert store.receive_update(7, first, NOW)
    store.handled_updates(7, [first], NOW)
    again = Received(1, '{"update_id": 1, "message": {"text": "who won?"}}', "here:2:new")
    assert store.receive_update(7, again, NOW)
    assert not store.receive_update(7, again, NOW)  # this one, delivered again
    # Unhandled again: a process killed before handling it leaves it to the next start.
    taken = store.take_unhandled_updates(7, "here:3:next", NOW - timedelta(days=1), lambda worker: True)
    assert [t.payload for t in taken] == [again.payload]


def test_chats_remember_whether_the_bot_may_write(store: Store) -> None:
    assert store.chat_active(42) is None
    store.touch_chat(42, "private", "Alice")
    store.set_chat_active(42, False)
    assert store.chat_active(42) is False
    store.set_chat_active(-7, False)  # a chat never seen before
    assert store.chat_active(-7) is False


def test_a_store_made_by_newsbot_0_1_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript((DATA / "stores" / "newsbot-0.1.sql").read_text())
    store = Store.open(f"sqlite:///{path}", seed=lambda: [story("Never read")])
    try:
        assert store.pending_migrations() == []
        stats = store.stats()
        assert (stats.articles, stats.paragraphs, stats.undated) == (2, 3, 1)  # the one being deleted is gone
        ferry = store.article("aaaaaaaaaaaaaaaa")
        assert ferry is not None and ferry.published == datetime(2021, 6, 15, 18, 5, tzinfo=UTC)
        assert ferry.added_at == datetime.fromtimestamp(1700000000.5, UTC)
        assert store.paragraphs("aaaaaaaaaaaaaaaa")[1] == "Passengers queued from dawn, the skipper said."
        assert store.chat_active(42) is True and store.chat_active(-500) is False
        store.write_articles([story("After the upgrade")])
        assert store.head() == 1
    finally:
        store.close()
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not {t for t in tables if t.startswith("legacy_") or t == "migrations"}


OPEN_AT_ONCE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bot.models import Article
    from bot.store import Store
    go = Path(sys.argv[2])
    while not go.exists():
        time.sleep(0.005)
    store = Store.open(sys.argv[1], seed=lambda: [Article("Seed", ("The one shipped story.",))])
    print(store.stats().articles, store.head())
    store.close()
    """
)


CONNECT_AT_ONCE = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from bot.store.engine import connect
    directory, rounds = Path(sys.argv[1]), int(sys.argv[2])
    (directory / f"ready.{os.getpid()}").touch()
    for number in range(rounds):
        while not (directory / f"go{number}").exists():
            time.sleep(0.001)
        engine = connect(f"sqlite:///{directory / f'store{number}.sqlite3'}")
        with engine.connect():
            pass
        engine.dispose()
        (directory / f"done{number}.{os.getpid()}").touch()
    """
)


def test_processes_opening_a_new_sqlite_file_at_once_all_connect(tmp_path: Path) -> None:
    """Switching a new SQLite file to WAL takes its lock without the busy timeout: of six processes opening one new
    file at once, one in about 25 got "database is locked" at once (the store test above failed so in CI)."""
    rounds = 10
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CONNECT_AT_ONCE, str(tmp_path), str(rounds)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    # Each round starts once all six are waiting for it (their imports done, the round before over), where sleeps
    # hoped they were: under load, late ones opened their files after the others, not at once.
    _all_six(tmp_path, "ready", processes)
    for number in range(rounds):
        (tmp_path / f"go{number}").touch()
        _all_six(tmp_path, f"done{number}", processes)
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, [e[-500:] for e in errors if e]


def _store_backed_up(path: Path, backup: Path) -> Store:
    """A SQLite store at `path` holding one story, copied whole to `backup`."""
    store = Store.open(f"sqlite:///{path}")
    store.write_articles([story("Ferry returns")], NOW)
    with closing(sqlite3.connect(path)) as db, closing(sqlite3.connect(backup)) as copy:
        db.backup(copy)
    return store


def test_a_sqlite_store_removed_under_the_process_is_never_made_again_empty(tmp_path: Path) -> None:
    """The store's file removed and a backup put back (the data directory made anew) under a process whose pool had
    let go of its connections (an error, or load's extra ones): the next connection made an empty store at the path
    (SQLite's default), which the backup was copied into in place, and on ext4 a file made next takes a removed one's
    inode number: either way the store's (device, inode) never changed, and the replacement went unnoticed. The
    removed file stays this process's own until the store is reopened, no connection makes a store, and the backup is
    noticed."""
    path, backup = tmp_path / "data" / "store.sqlite3", tmp_path / "backup.sqlite3"
    store = _store_backed_up(path, backup)
    try:
        shutil.rmtree(path.parent)
        path.parent.mkdir()
        store.engine.dispose()  # the pool's connections gone
        # Held open, its inode number cannot be another file's.
        assert f"{path} (deleted)" in open_here()
        with pytest.raises(StoreError, match=r"unable to open database file .*: the file is gone"):
            store.head()
        with pytest.raises(StoreError, match="unable to open database file"):
            store.reopen()
        assert not path.exists() and not store.replaced()
        shutil.copy(backup, path)
        assert store.replaced()
        store.reopen()
        assert not store.replaced() and store.head() == 1
        assert f"{path} (deleted)" not in open_here()  # let go: its disk space is freed
    finally:
        store.close()
    assert str(path) not in open_here()


def test_a_sqlite_store_removed_under_the_process_is_out_of_reach_not_read_from_its_pool(tmp_path: Path) -> None:
    """The store's file removed (the data directory removed, before an ingest makes a new one) under a process whose
    pool holds connections to it: they read and wrote the removed file, and a bot answered from a store that was gone.
    Each now finds the file gone as it is taken: the store is out of reach (said as a database not answering) until a
    store is there again."""
    path, backup = tmp_path / "data" / "store.sqlite3", tmp_path / "backup.sqlite3"
    store = _store_backed_up(path, backup)
    try:
        assert store.head() == 1  # a connection in the pool
        shutil.rmtree(path.parent)
        with pytest.raises(StoreUnreachableError, match=r"unable to open database file .*: the file is gone"):
            store.head()
        path.parent.mkdir()
        shutil.copy(backup, path)
        assert store.replaced()
        store.reopen()
        assert store.head() == 1
    finally:
        store.close()


def _all_six(directory: Path, step: str, processes: list[subprocess.Popen[str]]) -> None:
    """Wait until the six processes have each marked `step` done (or one of them ended: its error is said next)."""
    deadline = time.monotonic() + 120
    while len(list(directory.glob(f"{step}.*"))) < 6 and not any(p.poll() is not None for p in processes):
        assert time.monotonic() < deadline, f"not all at {step} within 120 s"
        time.sleep(0.01)


@pytest.mark.parametrize("round_", range(3))
def test_four_processes_creating_one_store_at_once(database_url: str, tmp_path: Path, round_: int) -> None:
    """Issue 7, defect 4: migrations are read again inside the lock, so the store is created exactly once."""
    url = url_of(database_url, tmp_path)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_ONCE, url, str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    go.touch()
    outcomes = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, [err for _, err in outcomes]
    assert {out.strip() for out, _ in outcomes} == {"1 1"}


HOLD_THE_WRITE_LOCK = textwrap.dedent(
    """
    import sys
    from bot.models import Article
    from bot.store import Store
    from bot.store import articles
    from bot.store.engine import CHANGELOG_LOCK, writing
    from datetime import UTC, datetime
    store = Store.open(sys.argv[1])
    with writing(store.engine, CHANGELOG_LOCK) as connection:
        articles.write(connection, [Article("Held", ("Written while others read.",), "Sport")], datetime.now(UTC))
        print("holding", flush=True)
        sys.stdin.readline()
    print("released", flush=True)
    """
)


def holding_the_write_lock(database_url: str, tmp_path: Path) -> subprocess.Popen[str]:
    """Another process holding the store's write lock with an article not yet committed, until it reads a line."""
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, url_of(database_url, tmp_path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
    return writer


def test_reads_never_wait_for_another_process_writing(store: Store, database_url: str, tmp_path: Path) -> None:
    """Issue 7, defect 5: while another process holds the write lock, every read here completes."""
    store.write_articles([story("Before", "Something to read.")], NOW)
    writer = holding_the_write_lock(database_url, tmp_path)
    try:
        assert store.stats().articles == 1  # the writer's article is not committed yet
        assert store.article(story("Before", "Something to read.").id) is not None
        assert store.latest(5)[0].title == "Before" and store.head() == 1
        assert writer.poll() is None  # the lock was held the whole time
    finally:
        out, _ = writer.communicate("\n", timeout=60)
    assert out.strip() == "released" and store.head() == 2


def test_two_processes_filing_one_category_in_two_spellings_at_once_agree_on_the_first(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """The spelling is looked up inside the write that holds the change-log lock: a write of "sport" waiting for
    another process's "Sport" reads it once that commits."""
    writer = holding_the_write_lock(database_url, tmp_path)
    try:
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(store.write_articles, [story("Waited", category="sport")], NOW)
            time.sleep(0.5)
            assert not waiting.done()  # it waits for the lock
            writer.communicate("\n", timeout=60)
            assert waiting.result(timeout=60).added
    finally:
        if writer.poll() is None:
            writer.communicate("\n", timeout=60)
    assert store.categories() == [("Sport", 2)]


def test_a_write_answering_a_reader_gives_up_on_a_held_lock_soon_while_others_wait_on(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the lock a write needs (a backup tool, a stuck writer): inside `answering` the write
    fails after ANSWER_WAIT_SECONDS (a bot command says sorry in seconds), while the same write outside it, in a
    background job's thread, waits on and is written once the lock is let go."""
    monkeypatch.setattr(engine, "ANSWER_WAIT_SECONDS", 0.3)
    writer = holding_the_write_lock(database_url, tmp_path)
    try:
        started = time.monotonic()
        with answering(), pytest.raises(StoreError, match="lock"):
            store.write_articles([story("Hurried")], NOW)
        assert time.monotonic() - started < 10
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(store.write_articles, [story("Patient")], NOW)
            time.sleep(1)
            assert not waiting.done()  # it waits past the answer's wait
            writer.communicate("\n", timeout=60)
            assert waiting.result(timeout=60).added
    finally:
        if writer.poll() is None:
            writer.communicate("\n", timeout=60)
    assert sorted(headline.title for headline in store.latest(5)) == ["Held", "Patient"]


def test_a_store_holding_two_spellings_of_a_category_keeps_the_first(store: Store) -> None:
    """Migration 0005 on a store made before it (here by writing the spellings behind the store's back): the
    spelling that arrived first wins, whatever the others' numbers or order, for articles and subscriptions."""
    store.write_articles([story("Cup final", category="sport")], NOW)
    store.write_articles([story("Derby day"), story("Relay"), story("Chips", category="tech")], NOW + timedelta(1))
    store.edit_chat(1, lambda s: None, NOW, subscribe=["sport"])
    store.edit_chat(2, lambda s: None, NOW, subscribe=["sport", "tech"])
    store.edit_chat(3, lambda s: None, NOW, subscribe=["tech"])
    with store.engine.begin() as connection:
        connection.execute(update(articles).where(articles.c.category == "").values(category="Sport"))
        # Chat 1 followed "Sport" before "sport"; chat 2 after; chat 3 only "SPORT" (and "Tech" before "tech").
        for chat_id, category, since in (
            (1, "Sport", NOW - timedelta(1)),
            (2, "Sport", NOW + timedelta(1)),
            (3, "SPORT", NOW),
            (3, "Tech", NOW - timedelta(1)),
        ):
            connection.execute(subscriptions.insert().values(chat_id=chat_id, category=category, subscribed_at=since))
        category_names.drop(connection)
    with migrated_again(store, "0005_category_names") as upgraded:
        assert upgraded.categories() == [("sport", 3), ("tech", 1)]
        assert upgraded.subscriptions(1) == [("sport", NOW - timedelta(1))]
        assert upgraded.subscriptions(2) == [("sport", NOW), ("tech", NOW)]
        assert upgraded.subscriptions(3) == [("sport", NOW), ("tech", NOW - timedelta(1))]
        upgraded.write_articles([story("Sprint", category="SPORT")], NOW)
        assert upgraded.categories() == [("sport", 4), ("tech", 1)]


def test_a_store_holding_a_plural_and_its_singular_merges_them_into_the_first(store: Store) -> None:
    """Migration 0031 on a store made before it (its "Sports" written behind the store's back, as 0005's key kept
    it apart): the stories and subscriptions move to the spelling that arrived first, and the moved stories are
    logged as replaced, as an index files a paragraph under its category's key."""
    store.write_articles([story("Cup final", category="Sport")], NOW)
    [moved] = store.write_articles([story("Derby day", category="Tech")], NOW + timedelta(1)).added
    store.write_articles([story("Phones", category="Tech")], NOW + timedelta(2))
    store.edit_chat(1, lambda s: None, NOW, subscribe=["Sport"])
    with store.engine.begin() as connection:
        connection.execute(update(articles).where(articles.c.id == moved).values(category="Sports"))
        connection.execute(category_names.insert().values(key="sports", name="Sports"))
        connection.execute(subscriptions.insert().values(chat_id=2, category="Sports", subscribed_at=NOW))
    before = store.head()
    with migrated_again(store, "0031_category_plurals") as upgraded:
        assert dict(upgraded.categories()) == {"Sport": 2, "Tech": 1}
        assert upgraded.subscriptions(2) == [("Sport", NOW)]
        assert [(c.article_id, c.kind) for c in upgraded.changes_since(before, 10)] == [(moved, "replaced")]
        upgraded.write_articles([story("Sprint", category="sports")], NOW)
        assert dict(upgraded.categories()) == {"Sport": 3, "Tech": 1}


def test_a_store_made_before_0036_keeps_its_digests_days_and_zones_as_columns(store: Store) -> None:
    """Migration 0036 on a store made before it: an orphaned digest's local day and zone, which recovery read back
    out of its key ("2026-03-27 Europe/Berlin"), are columns, filled from the keys of the rows stored before (an
    alert, and a key naming no zone, get none); a claim made after it stores them itself."""
    claimed = {"status": "claimed", "claimed_by": "gone", "claimed_at": NOW, "due": NOW}
    keys: dict[int, str] = {}
    with store.engine.begin() as connection:
        for kind, chat_id, key in (
            ("digest", 1, "2026-03-27 Europe/Berlin"),
            ("digest", 2, "2026-03-27"),
            ("alert", 1, "5-9"),
        ):
            row = connection.execute(deliveries.insert().values(kind=kind, chat_id=chat_id, key=key, **claimed))
            keys[row.inserted_primary_key[0]] = key
        for column in ("local_day", "day_zone"):
            connection.execute(text(f"ALTER TABLE deliveries DROP COLUMN {column}"))
    with migrated_again(store, "0036_delivery_days") as upgraded:
        seen: list[tuple[str, object, object]] = []

        def verdict(orphan: Orphan, claimer: object) -> str:
            seen.append((keys[orphan.id], orphan.day, orphan.zone))
            return "keep"

        upgraded.recover_deliveries(NOW, "me", ["digest", "alert"], verdict)
        assert seen == [
            ("2026-03-27 Europe/Berlin", date(2026, 3, 27), "Europe/Berlin"),
            ("2026-03-27", None, None),
            ("5-9", None, None),
        ]


def test_every_migration_has_a_unique_name() -> None:
    names = [m.name for m in MIGRATIONS]
    assert len(names) == len(set(names)) and names == sorted(names)


def test_a_postgresql_server_out_of_reach_is_said_with_the_url_and_what_to_check() -> None:
    """Nothing listening where DATABASE_URL points: the line names the URL tried (never its password) and what to
    check, where the driver's "connection refused" alone named neither."""
    port = free_port()
    with pytest.raises(StoreError) as raised:
        Store.open(f"postgresql+psycopg://newsbot:s3cret@127.0.0.1:{port}/newsbot?connect_timeout=2")
    said = str(raised.value)
    assert "\n" not in said and "s3cret" not in said, said
    assert "Connection refused" in said and f"127.0.0.1:{port}/newsbot" in said, said
    assert said.endswith("check DATABASE_URL, and that the server is running"), said


def test_a_postgresql_server_that_never_answers_fails_the_opening_in_seconds() -> None:
    """A server that accepts connections and then says nothing (or a host dropping packets) hung every command
    and the bot's workers: libpq waits forever unless told otherwise."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    port = listener.getsockname()[1]
    outcome: list[BaseException] = []

    def open_store() -> None:
        try:
            Store.open(f"postgresql+psycopg://newsbot:secret@127.0.0.1:{port}/newsbot").close()
        except StoreError as error:
            outcome.append(error)

    opening = threading.Thread(target=open_store, daemon=True)
    started = time.monotonic()
    opening.start()
    try:
        opening.join(CONNECT_TIMEOUT_SECONDS * 3)
        assert not opening.is_alive(), "still connecting"
        assert time.monotonic() - started >= CONNECT_TIMEOUT_SECONDS * 0.9
        assert len(outcome) == 1 and "timeout" in str(outcome[0])
    finally:
        listener.close()  # a connection still waiting ends now
        for connection in accepted:
            connection.close()
        opening.join(10)


def test_a_new_store_is_said_in_one_line(database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A line per migration made a new store's first 30 lines of a bot's log."""
    caplog.set_level(logging.INFO, logger="bot.store.migrations")
    Store.open(url_of(database_url, tmp_path)).close()
    first, last = MIGRATIONS[0].name, MIGRATIONS[-1].name
    assert [r.getMessage() for r in caplog.records] == [
        f"store: made anew ({len(MIGRATIONS)} migrations, {first} to {last})"
    ]


@pytest.mark.parametrize(
    ("later", "named"),
    [
        (["9999_from_a_later_version"], "9999_from_a_later_version"),
        # Each named, a store three weeks newer was refused in a line of 600 characters.
        ([f"{n:04d}_later" for n in range(9990, 9999)], "9 migrations, 9990_later to 9998_later"),
    ],
)
def test_a_store_a_newer_newsbot_migrated_is_refused(
    database_url: str, tmp_path: Path, later: list[str], named: str
) -> None:
    """After a rollback, an older newsbot read and wrote tables whose shape it did not know: it now says so."""
    url = url_of(database_url, tmp_path)
    opened = Store.open(url)
    try:
        with writing(opened.engine) as connection:
            connection.execute(migrations.insert(), [{"name": name, "applied_at": NOW} for name in later])
    finally:
        opened.close()
    with pytest.raises(StoreError, match=rf"migrated by a newer newsbot \({named}\): run that version"):
        Store.open(url)
