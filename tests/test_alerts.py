"""Alerts on SQLite and PostgreSQL: stories another process adds reach the subscribers with alerts on once, batched;
a new subscriber gets no back catalogue; edits, re-ingests and old stories alert no one; one process per batch."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.render.digests import ALERT_STOP_HINT
from bot.services.alerts import Alerts
from bot.services.subscriptions import Subscriptions
from bot.store import Store
from tests.conftest import open_store
from tests.newsroom import Bot, Reader, story, url_of
from tests.paths import ROOT

NOON = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
FAN, OTHER, QUIET = 11, 12, 13


@pytest.fixture
def url(database_url: str, tmp_path: Path) -> str:
    return url_of(database_url, tmp_path)


@pytest.fixture
def store(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(url, tmp_path_factory)
    opened.write_articles(
        [story("Back catalogue sport", "sport", NOON), story("Back catalogue tech", "tech", NOON)], NOON
    )
    subscriptions = Subscriptions(opened)
    for chat, categories in ((FAN, ["sport", "tech"]), (OTHER, ["tech"]), (QUIET, ["sport"])):
        subscriptions.subscribe(chat, categories, NOON + MINUTE)
    subscriptions.set_alerts(FAN, True, NOON + MINUTE)
    subscriptions.set_alerts(OTHER, True, NOON + MINUTE)
    yield opened
    opened.close()


def titles(text: str) -> list[str]:
    return [line[2:].rsplit(" (", 1)[0] for line in text.splitlines() if line.startswith("• ")]


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.digest_worker", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_article_another_process_adds_alerts_its_subscribers_once(store: Store, url: str) -> None:
    reader = Reader()
    bot = Bot(store, NOON + 2 * MINUTE, reader)
    bot.tick(NOON + 2 * MINUTE)
    assert reader.sent == []  # the back catalogue alerts no one
    run("write", url, (NOON + 3 * MINUTE).isoformat(), "Striker signs", "sport")
    bot.tick(NOON + 4 * MINUTE)
    [alert] = reader.sent
    assert alert.chat_id == FAN and titles(alert.text) == ["Striker signs"]
    assert "Just in" in alert.text
    bot.tick(NOON + 5 * MINUTE)
    assert len(reader.sent) == 1  # once
    assert store.delivery_counts("alert") == {"sent": 1}


def test_a_story_another_process_files_under_another_spelling_alerts_the_category_s_followers(
    store: Store, url: str
) -> None:
    reader = Reader()
    bot = Bot(store, NOON + 2 * MINUTE, reader)
    run("write", url, (NOON + 3 * MINUTE).isoformat(), "Striker signs", "SPORT")
    bot.tick(NOON + 4 * MINUTE)
    [alert] = reader.sent
    assert alert.chat_id == FAN and titles(alert.text) == ["Striker signs"]


def test_a_chat_that_subscribed_to_all_is_alerted_to_a_category_that_appears_later(store: Store, url: str) -> None:
    """ "/subscribe all" followed the categories of that moment only: the first story of a new category, written
    by another process, alerted no one. After an /unsubscribe the reader picks: new categories are not followed."""
    every, reader = 14, Reader()
    subscriptions = Subscriptions(store)
    subscriptions.subscribe(every, ["all"], NOON + MINUTE)
    subscriptions.set_alerts(every, True, NOON + MINUTE)
    bot = Bot(store, NOON + 2 * MINUTE, reader)
    run("write", url, (NOON + 3 * MINUTE).isoformat(), "Telescope launched", "science")
    bot.tick(NOON + 4 * MINUTE)
    assert [(s.chat_id, titles(s.text)) for s in reader.sent] == [(every, ["Telescope launched"])]
    subscriptions.unsubscribe(every, ["sport"], NOON + 5 * MINUTE)
    run("write", url, (NOON + 6 * MINUTE).isoformat(), "Budget passed", "politics")
    run("write", url, (NOON + 6 * MINUTE).isoformat(), "Chip shortage", "tech")
    bot.tick(NOON + 14 * MINUTE)  # the alerts' pace (10 minutes) after the first
    assert [titles(s.text) for s in reader.to(every)] == [["Telescope launched"], ["Chip shortage"]]


def test_all_before_any_story_exists_follows_the_first_categories(url: str) -> None:
    """ "/subscribe all" in a bot with no stories yet was refused ("There are no categories yet"), though it means
    the categories to come; now the chat follows them as they appear."""
    empty = Store.open(url)
    try:
        subscriptions = Subscriptions(empty)
        view = subscriptions.subscribe(FAN, ["all"], NOON)
        assert view.every_category and view.categories == () and view.settings.digest
        subscriptions.set_alerts(FAN, True, NOON)
        reader = Reader()
        bot = Bot(empty, NOON, reader)
        empty.write_articles([story("First story", "science", NOON + MINUTE)], NOON + MINUTE)
        bot.tick(NOON + 2 * MINUTE)
        [alert] = reader.sent
        assert alert.chat_id == FAN and titles(alert.text) == ["First story"]
        # Naming one of them afterwards subscribes to it, and "all" still holds.
        assert subscriptions.subscribe(FAN, ["sci"], NOON + 3 * MINUTE).every_category
    finally:
        empty.close()


def test_a_chat_that_follows_no_category_is_alerted_to_every_one_as_its_digest_has_them(store: Store) -> None:
    """A chat that set only its time and turned alerts on had every category in its digest but no alert ever
    ("they stop while you follow none"); now both hold every category. One that stopped its last category too."""
    fresh, left = 15, 16
    subscriptions = Subscriptions(store)
    subscriptions.set_time(fresh, "8am", NOON + MINUTE)
    subscriptions.set_alerts(fresh, True, NOON + MINUTE)
    subscriptions.subscribe(left, ["tech"], NOON + MINUTE)
    subscriptions.set_alerts(left, True, NOON + MINUTE)
    subscriptions.unsubscribe(left, ["tech"], NOON + MINUTE)
    at = NOON + 10 * MINUTE
    reader = Reader()
    bot = Bot(store, at, reader)
    store.write_articles([story("Goal", "sport", at), story("Comet seen", "science", at)], at)
    bot.tick(at + MINUTE)
    for chat in (fresh, left):
        [alert] = reader.to(chat)
        assert titles(alert.text) == ["Comet seen", "Goal"], alert.text
    assert {s.chat_id for s in reader.sent} == {FAN, fresh, left}  # QUIET has alerts off, OTHER follows tech
    # A chat that follows a category again is alerted to it alone.
    subscriptions.subscribe(fresh, ["sport"], at + 2 * MINUTE)
    store.write_articles(
        [story("Match off", "sport", at + 3 * MINUTE), story("Eclipse", "science", at + 3 * MINUTE)], at + 3 * MINUTE
    )
    bot.tick(at + 11 * MINUTE)  # the alerts' pace (10 minutes) after the first
    assert titles(reader.to(fresh)[-1].text) == ["Match off"]


def test_several_stories_go_in_one_message_per_chat(store: Store) -> None:
    at = NOON + 10 * MINUTE
    store.write_articles([story("Goal", "sport", at), story("Chip", "tech", at), story("Merger", "business", at)], at)
    store.write_articles([story("Patch", "tech", at + MINUTE)], at + MINUTE)
    reader = Reader()
    Bot(store, at, reader).tick(at + 2 * MINUTE)
    by_chat = {s.chat_id: s for s in reader.sent}
    assert set(by_chat) == {FAN, OTHER} and len(reader.sent) == 2
    assert titles(by_chat[FAN].text) == ["Goal", "Patch", "Chip"]  # by category, newest first
    assert titles(by_chat[OTHER].text) == ["Patch", "Chip"]


def test_edits_reingests_and_old_stories_alert_no_one(store: Store) -> None:
    at = NOON + 10 * MINUTE
    reader = Reader()
    bot = Bot(store, at, reader)
    original = story("Ferry strike", "sport", at)
    store.write_articles([original], at)
    bot.tick(at + MINUTE)
    assert [s.chat_id for s in reader.sent] == [FAN]  # QUIET follows sport with alerts off
    store.write_articles([original], at + 2 * MINUTE)  # the same again
    edited = story("Ferry strike", "sport", at, lede="Updated: the strike is over.")
    store.write_articles([edited], at + 3 * MINUTE)  # an edit (same URL)
    store.write_articles([story("Match report from 2019", "sport", at - timedelta(days=3))], at + 4 * MINUTE)
    bot.tick(at + 5 * MINUTE)
    assert len(reader.sent) == 1


def test_an_undated_archive_imported_alerts_no_one_but_an_undated_feed_entry_does(store: Store) -> None:
    """An import of undated stories from files (an archive, a dataset) is not news, as digests and /latest
    have it; an undated story from the web arrives as it is published."""
    at = NOON + 10 * MINUTE
    archive = [story(f"Archived match {n}", "sport", origin=f"archive.jsonl#{n}") for n in range(50)]
    store.write_articles([*archive, story("Undated feed entry", "sport")], at)
    reader = Reader()
    Bot(store, at, reader).tick(at + MINUTE)
    [alert] = reader.sent
    assert alert.chat_id == FAN and titles(alert.text) == ["Undated feed entry"]


def test_a_new_subscriber_is_not_flooded(store: Store) -> None:
    at = NOON + 10 * MINUTE
    store.write_articles([story(f"Earlier {n}", "politics", at) for n in range(30)], at)
    reader = Reader()
    bot = Bot(store, at, reader)
    later = at + 5 * MINUTE
    subscriptions = Subscriptions(store)
    subscriptions.subscribe(FAN, ["politics"], later)  # the politics stories are in the log, not handled yet
    bot.tick(later + MINUTE)
    assert reader.sent == []
    store.write_articles([story("Vote tonight", "politics", later + 2 * MINUTE)], later + 2 * MINUTE)
    bot.tick(later + 3 * MINUTE)
    [alert] = reader.sent
    assert titles(alert.text) == ["Vote tonight"]


def test_turning_alerts_on_starts_from_now(store: Store) -> None:
    at = NOON + 10 * MINUTE
    store.write_articles([story("Before alerts", "sport", at)], at)
    Subscriptions(store).set_alerts(QUIET, True, at + MINUTE)
    store.write_articles([story("After alerts", "sport", at + 2 * MINUTE)], at + 2 * MINUTE)
    reader = Reader()
    Bot(store, at, reader).tick(at + 3 * MINUTE)
    [alert] = reader.to(QUIET)
    assert titles(alert.text) == ["After alerts"]


def test_stories_older_than_the_grace_period_are_left_to_the_digest(store: Store) -> None:
    at = NOON + 10 * MINUTE
    store.write_articles([story("While we were down", "sport", at)], at)
    reader = Reader()
    Bot(store, at, reader).tick(at + timedelta(hours=3))
    assert reader.sent == [] and store.alerts_position() == store.head()


def test_each_batch_is_claimed_by_one_process(store: Store, url: str, tmp_path: Path) -> None:
    at = NOON + 10 * MINUTE
    for n in range(12):
        store.write_articles([story(f"Wire {n}", "tech", at)], at)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.digest_worker", "alerts", url, (at + MINUTE).isoformat(), str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    go.touch()
    outcomes = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], [err for _, err in outcomes]
    claims = [claim for out, _ in outcomes for claim in json.loads(out)]
    for chat in (FAN, OTHER):
        stories = [article for chat_id, articles in claims if chat_id == chat for article in articles]
        assert sorted(stories) == sorted(story(f"Wire {n}", "tech", at).id for n in range(12))
    assert store.alerts_position() == store.head()


def test_the_cursor_starts_at_the_log_head_of_an_existing_store(store: Store) -> None:
    # The store was created with its migrations, then the back catalogue came in: the cursor starts at 0 and
    # moves past it without claiming anything.
    batch, taken = Alerts(store).claim(NOON + 2 * MINUTE, "test")
    assert batch == [] and taken == store.head() == 2


def test_a_story_edited_twice_before_the_alerts_run_alerts_once_as_last_edited(store: Store) -> None:
    """A story added then edited twice in one stretch of the change log (a newsroom correcting its headline minutes
    after filing it, while the alerts job waited) is one story to alert, in its last words, to each chat once."""
    at = NOON + 10 * MINUTE
    reader = Reader()
    bot = Bot(store, at, reader)
    store.write_articles([story("Ferry strike", "tech", at)], at)
    store.write_articles([story("Ferry strike", "tech", at, lede="Updated: talks resume.")], at + MINUTE)
    store.write_articles([story("Ferry strike", "tech", at, lede="Updated: the strike is over.")], at + 2 * MINUTE)
    bot.tick(at + 3 * MINUTE)
    assert sorted(s.chat_id for s in reader.sent) == [FAN, OTHER]
    assert all(titles(s.text) == ["Ferry strike"] for s in reader.sent), [s.text for s in reader.sent]
    bot.tick(at + 4 * MINUTE)
    assert len(reader.sent) == 2


def test_a_busy_feed_brings_a_chat_one_alert_per_pace_every_story_once_across_processes_and_restarts(
    store: Store,
) -> None:
    """Stories a minute apart made an alert a minute. Now a chat alerted less than the pace ago (10 minutes by
    default) has the next stories held in the store and sent together once the pace has passed, by whichever
    process runs then (two at that minute send it once; one started after a restart sends it); a chat that turns
    alerts off meanwhile gets nothing more."""
    at = NOON + 10 * MINUTE
    reader = Reader()
    first = Bot(store, at, reader)
    store.write_articles([story("Kick-off", "sport", at)], at)
    first.tick(at + MINUTE)
    assert [titles(alert.text) for alert in reader.to(FAN)] == [["Kick-off"]]
    for n in range(1, 6):  # a goal a minute: nothing until ten minutes after the first alert
        store.write_articles([story(f"Goal {n}", "sport", at + n * MINUTE)], at + n * MINUTE)
        first.tick(at + (n + 1) * MINUTE)
    assert len(reader.to(FAN)) == 1 and store.delivery_counts("alert").get("held") == 1
    first.tick(at + 10 * MINUTE)
    assert len(reader.to(FAN)) == 1
    # The first process is gone; two others run at the pace's end: one alert holds the five goals.
    others = [Bot(store, at + 11 * MINUTE, reader), Bot(store, at + 11 * MINUTE, reader)]
    for bot in others:
        bot.tick(at + 11 * MINUTE)
    goals = [titles(alert.text) for alert in reader.to(FAN)[1:]]
    assert goals == [[f"Goal {n}" for n in range(5, 0, -1)]], goals
    # Held, it says so (a reader saw the first goal ten minutes late, told nowhere why); the first alert says nothing.
    kick_off, held = (alert.text.splitlines() for alert in reader.to(FAN))
    assert kick_off[0] == "Just in" and kick_off[-1] == ALERT_STOP_HINT, kick_off
    assert held[0] == "Just in: 5 stories since 12:11", held
    assert held[-1] == "One alert every 10 minutes at most: /alerts off stops these.", held
    # The next story waits the pace after that alert; alerts turned off meanwhile, it never comes.
    store.write_articles([story("Full time", "sport", at + 12 * MINUTE)], at + 12 * MINUTE)
    others[0].tick(at + 13 * MINUTE)
    Subscriptions(store).set_alerts(FAN, False, at + 14 * MINUTE)
    others[1].tick(at + 22 * MINUTE)
    assert len(reader.to(FAN)) == 2 and store.delivery_counts("alert") == {"sent": 2, "expired": 1}


def test_a_held_alert_sent_after_midnight_names_the_day_its_stories_began(store: Store) -> None:
    """A story held for the pace at 23:58 and sent at 00:06 said "Just in: 1 story since 23:58", read as one of
    the last minutes: the day is named, on the reader's clock (London's, here on GMT, as UTC)."""
    Subscriptions(store).set_zone(FAN, "London", NOON + MINUTE)
    late = datetime(2026, 3, 26, 23, 55, tzinfo=UTC)  # Thursday
    reader = Reader()
    bot = Bot(store, late, reader)
    store.write_articles([story("Late kick-off", "sport", late)], late)
    bot.tick(late + MINUTE)
    store.write_articles([story("Stoppage-time goal", "sport", late + 3 * MINUTE)], late + 3 * MINUTE)
    bot.tick(late + 4 * MINUTE)
    bot.tick(late + 11 * MINUTE)  # Friday 00:06
    first, held = (alert.text.splitlines()[0] for alert in reader.to(FAN))
    assert (first, held) == ("Just in", "Just in: 1 story since yesterday 23:58")
