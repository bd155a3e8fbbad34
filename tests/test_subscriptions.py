"""Subscriptions and digest settings on SQLite and PostgreSQL: by name with did-you-mean, toggles, settings that
reschedule the next digest, defaults, alerts that start when turned on, group migration, settings from the
environment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, text

from bot.config import Settings
from bot.errors import ConfigError, UsageError
from bot.render.subscriptions import Clock, alerts_line, following, unsubscribed
from bot.services.budget import FloodBudget
from bot.services.deliveries import alert_pace_of, grace_of
from bot.services.schedule import DailyAsk
from bot.services.subscriptions import Defaults, Subscriptions
from bot.store import ChatEdit, Store
from bot.store.schema import migrations
from tests.conftest import open_store
from tests.newsroom import story, url_of
from tests.paths import ROOT

NOW = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)
CHAT = 77
CLOCK = Clock("UTC", None)


@pytest.fixture
def store(database_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(url_of(database_url, tmp_path), tmp_path_factory)
    opened.write_articles(
        [story("A", "business", NOW), story("B", "sport", NOW), story("C", "tech", NOW), story("D", "politics", NOW)],
        NOW,
    )
    yield opened
    opened.close()


@pytest.fixture
def subscriptions(store: Store) -> Subscriptions:
    return Subscriptions(store, Defaults(time(7, 30), "Europe/Berlin"))


def test_a_chat_that_chose_nothing_has_no_digest(subscriptions: Subscriptions) -> None:
    view = subscriptions.view(CHAT)
    assert not view.stored and not view.settings.digest and view.settings.next_due is None
    assert view.categories == () and view.all_categories
    assert view.known == ("business", "politics", "sport", "tech")


def test_subscribe_by_names_and_prefixes_in_any_case(subscriptions: Subscriptions, store: Store) -> None:
    view = subscriptions.subscribe(CHAT, ["SPORT", "tec,", "Bus"], NOW)
    assert view.categories == ("business", "sport", "tech")
    assert view.added == ("sport", "tech", "business") and view.named == ("sport", "tech", "business")
    # Subscribing starts the digest at the defaults: 07:30 in Berlin is 06:30 UTC in March.
    assert view.stored and view.settings.digest and not view.settings.alerts
    assert view.settings.next_due == datetime(2026, 3, 27, 6, 30, tzinfo=UTC)
    again = subscriptions.subscribe(CHAT, ["sport"], NOW + timedelta(hours=1))
    assert again.added == () and again.categories == ("business", "sport", "tech")
    assert dict(store.subscriptions(CHAT))["sport"] == NOW  # a repeat keeps the first date


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["sprot"], "There is no category “sprot”: did you mean Sport?"),
        (["weather"], "There is no category “weather”."),
        (["p"], None),  # a unique prefix: politics
        (["cooking", "sprot"], "There is no category “sprot”: did you mean Sport?"),
        ([], "Name one or more categories, like /subscribe sport tech."),
        (["  "], "Name one or more categories, like /subscribe sport tech."),
    ],
)
def test_bad_names_are_refused_with_what_was_meant(
    subscriptions: Subscriptions, store: Store, words: list[str], message: str | None
) -> None:
    if message is None:
        assert subscriptions.subscribe(CHAT, words, NOW).categories == ("politics",)
        return
    with pytest.raises(UsageError) as caught:
        subscriptions.subscribe(CHAT, words, NOW)
    assert message in str(caught.value)
    assert store.subscriptions(CHAT) == [] and store.chat_settings(CHAT) is None  # nothing half-done


def test_the_categories_named_are_followed_and_the_other_words_named(
    subscriptions: Subscriptions, store: Store
) -> None:
    view = subscriptions.subscribe(CHAT, ["sport", "cooking", "tech"], NOW)
    assert view.categories == ("sport", "tech") and view.added == ("sport", "tech")
    assert view.aside == "There is no category “cooking”.\nThe categories are Business, Politics, Sport and Tech."
    view = subscriptions.subscribe(CHAT, ["busness", "politics"], NOW)  # a near miss: no list
    assert view.added == ("politics",) and view.aside == "There is no category “busness”: did you mean Business?"
    assert subscriptions.subscribe(CHAT, ["business"], NOW).aside == ""
    view = subscriptions.unsubscribe(CHAT, ["spor", "gardening"], NOW)
    assert view.removed == ("sport",) and view.aside.startswith("There is no category “gardening”.")
    assert [name for name, _ in store.subscriptions(CHAT)] == ["business", "politics", "tech"]


def test_unsubscribe_by_name_even_from_a_category_with_no_articles_left(
    subscriptions: Subscriptions, store: Store
) -> None:
    subscriptions.subscribe(CHAT, ["sport", "tech"], NOW)
    store.remove_articles([story("C", "tech", NOW).id], NOW)
    view = subscriptions.unsubscribe(CHAT, ["Tech"], NOW)
    assert view.removed == ("tech",) and view.categories == ("sport",)
    assert subscriptions.unsubscribe(CHAT, ["business"], NOW).removed == ()  # named, but not followed
    with pytest.raises(UsageError, match="did you mean Sport"):
        subscriptions.unsubscribe(CHAT, ["sportt"], NOW)


def test_all_subscribes_to_every_category_and_unsubscribes_from_every_one_followed(
    subscriptions: Subscriptions, store: Store
) -> None:
    subscriptions.subscribe(CHAT, ["sport"], NOW)
    view = subscriptions.subscribe(CHAT, ["all"], NOW)
    assert view.categories == ("business", "politics", "sport", "tech")
    assert view.added == ("business", "politics", "tech") and view.named == ("business", "politics", "sport", "tech")
    store.remove_articles([story("C", "tech", NOW).id], NOW)  # followed still, though no article of it is left
    view = subscriptions.unsubscribe(CHAT, ["ALL"], NOW)
    assert view.categories == () and set(view.removed) == {"business", "politics", "sport", "tech"}
    assert subscriptions.unsubscribe(CHAT, ["all"], NOW).named == ()  # following none: nothing to stop


def test_all_means_new_categories_too_until_the_chat_unsubscribes_from_one(
    subscriptions: Subscriptions, store: Store
) -> None:
    """ "/subscribe all" followed the categories of that moment only: a story in a category that appeared later
    reached none of the chat's digests or alerts. Naming categories, or stopping one, is the reader picking."""
    assert not subscriptions.subscribe(CHAT, ["sport", "tech"], NOW).every_category
    view = subscriptions.subscribe(CHAT, ["all"], NOW)
    assert view.every_category and view.settings.all_since == NOW
    assert view.categories == ("business", "politics", "sport", "tech")
    assert following(view, group="") == (
        "Categories: every category, new ones too (/unsubscribe one to pick them yourself)."
    )
    assert "in every category as they arrive" in alerts_line(subscriptions.set_alerts(CHAT, True, NOW), "")
    assert subscriptions.subscribe(CHAT, ["all"], NOW + timedelta(hours=1)).settings.all_since == NOW  # kept
    assert subscriptions.subscribe(CHAT, ["sport"], NOW).every_category  # naming one it follows changes nothing
    view = subscriptions.unsubscribe(CHAT, ["tech"], NOW)
    assert not view.every_category and view.categories == ("business", "politics", "sport")
    assert following(view, group="") == "Categories: Business, Politics and Sport."
    subscriptions.subscribe(CHAT, ["all"], NOW)
    store.write_articles([story("Storm", "weather", NOW), story("Comet", "science", NOW)], NOW)
    view = subscriptions.unsubscribe(CHAT, ["weather"], NOW)  # followed, with no subscription of its own
    assert view.removed == ("weather",) and "Unsubscribed from Weather." in unsubscribed(view, CLOCK, "")
    # The other category that appeared since "all" is still followed: stopping one stopped it too, unsaid.
    assert view.categories == ("business", "politics", "science", "sport", "tech"), view.categories
    assert view.added == ()
    subscriptions.subscribe(CHAT, ["all"], NOW)
    view = subscriptions.choose(CHAT, "sport", False, NOW)
    assert not view.every_category and "weather" in view.categories  # a button is a pick too, keeping the others
    subscriptions.subscribe(CHAT, ["all"], NOW)
    assert not subscriptions.unsubscribe(CHAT, ["all"], NOW).every_category
    assert not subscriptions.view(CHAT).every_category


def test_unsubscribe_all_after_all_in_a_bot_with_no_stories_says_it_ended_all(
    database_url: str, tmp_path: Path
) -> None:
    """ "/subscribe all" before any story, then "/unsubscribe all", was answered "You followed no category in
    particular.", though the chat followed every category to come and no longer does."""
    empty = Store.open(url_of(database_url, tmp_path))
    try:
        subscriptions = Subscriptions(empty)
        assert subscriptions.subscribe(CHAT, ["all"], NOW).every_category
        view = subscriptions.unsubscribe(CHAT, ["all"], NOW)
        assert not view.every_category
        reply = unsubscribed(view, CLOCK, group="")
        assert reply.startswith(
            "You no longer follow every category to come (/subscribe all).\nYour daily digest is off"
        )
        group = unsubscribed(subscriptions.unsubscribe(CHAT, ["all"], NOW), CLOCK, group="group")
        assert group.startswith("The group followed no category in particular.\n"), group  # nothing left to end
    finally:
        empty.close()


def test_unsubscribe_all_turns_the_digest_and_alerts_off_and_a_subscribe_brings_the_digest_back(
    subscriptions: Subscriptions, store: Store
) -> None:
    """ "/unsubscribe all" left the digest and alerts on, and a chat that follows none gets every category in them:
    a reader who unsubscribed from all then got alerts for every story. It now stops both, says so, and the next
    /subscribe turns the digest on again, as for a chat that never chose anything."""
    subscriptions.subscribe(CHAT, ["sport", "tech"], NOW)
    subscriptions.set_alerts(CHAT, True, NOW)
    view = subscriptions.unsubscribe(CHAT, ["all"], NOW)
    assert view.categories == () and not view.settings.digest and not view.settings.alerts
    assert view.stopped == ("daily digest", "alerts")
    settings = store.chat_settings(CHAT)
    assert settings is not None and settings.next_due is None and not settings.alerts
    reply = unsubscribed(view, CLOCK, group="")
    assert reply == (
        "Unsubscribed from Sport and Tech.\n"
        "Your daily digest and alerts are off now: nothing more comes. /subscribe starts the digest again, /alerts on"
        " the alerts."
    ), reply
    group = unsubscribed(view, CLOCK, group="channel")
    assert group.endswith(
        "This channel's daily digest and alerts are off now: nothing more comes. /subscribe starts the digest again"
        ", /alerts on the alerts."
    ), group
    # One category named: the others, the digest and the alerts stay.
    subscriptions.subscribe(CHAT, ["sport", "tech"], NOW)
    assert subscriptions.view(CHAT).settings.digest
    subscriptions.set_alerts(CHAT, True, NOW)
    kept = subscriptions.unsubscribe(CHAT, ["sport"], NOW)
    assert kept.stopped == () and kept.settings.digest and kept.settings.alerts and kept.categories == ("tech",)


def test_an_unsubscribe_keeps_what_a_subscribe_all_just_before_it_followed(
    subscriptions: Subscriptions, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An /unsubscribe read whether the chat followed all before its edit's transaction: a /subscribe all, and a
    new category's first story, committed in between were undone unsaid (weather, which "all" followed, was
    dropped with it). The race is played just before the edit's transaction begins."""
    subscriptions.subscribe(CHAT, ["sport"], NOW)
    other_process = Subscriptions(store)
    edit_chat = store.edit_chat
    raced: list[bool] = []

    def racing(*args: Any, **kwargs: Any) -> ChatEdit:
        if not raced:
            raced.append(True)
            other_process.subscribe(CHAT, ["all"], NOW)
            store.write_articles([story("E", "weather", NOW)], NOW)
        return edit_chat(*args, **kwargs)

    monkeypatch.setattr(store, "edit_chat", racing)
    view = subscriptions.unsubscribe(CHAT, ["sport"], NOW + timedelta(minutes=1))
    assert raced and view.categories == ("business", "politics", "tech", "weather"), view.categories
    assert view.removed == ("sport",) and not view.every_category


def test_buttons_follow_and_unfollow_as_they_say_whatever_the_chat_does_now(subscriptions: Subscriptions) -> None:
    assert subscriptions.choose(CHAT, "sport", True, NOW).categories == ("sport",)
    assert subscriptions.choose(CHAT, "tech", True, NOW).categories == ("sport", "tech")
    assert subscriptions.choose(CHAT, "sport", False, NOW).categories == ("tech",)
    # Pressed twice, or from an outdated keyboard: a "stop" button stops, a "follow" button follows.
    assert subscriptions.choose(CHAT, "sport", False, NOW).categories == ("tech",)
    assert subscriptions.choose(CHAT, "tech", True, NOW).categories == ("tech",)
    with pytest.raises(UsageError, match="no category “cooking” any more"):
        subscriptions.choose(CHAT, "cooking", True, NOW)  # a stale or tampered button


def test_time_and_zone_reschedule_the_next_digest(subscriptions: Subscriptions) -> None:
    view = subscriptions.set_time(CHAT, "7am", NOW)
    assert view.settings.daily == time(7, 0) and view.settings.next_due == datetime(2026, 3, 27, 6, 0, tzinfo=UTC)
    view = subscriptions.set_zone(CHAT, "new york", NOW)
    assert view.settings.zone == "America/New_York"
    assert view.settings.next_due == datetime(2026, 3, 27, 11, 0, tzinfo=UTC)  # 07:00 EDT
    view = subscriptions.set_zone(CHAT, "+03:00", NOW)
    assert view.settings.zone == "UTC+03:00" and view.settings.next_due == datetime(2026, 3, 27, 4, 0, tzinfo=UTC)
    view = subscriptions.set_time(CHAT, "19:05", NOW)
    assert view.settings.next_due == datetime(2026, 3, 26, 16, 5, tzinfo=UTC)  # still today
    with pytest.raises(UsageError, match="is not a time of day"):
        subscriptions.set_time(CHAT, "soon", NOW)
    with pytest.raises(UsageError, match="Unknown time zone"):
        subscriptions.set_zone(CHAT, "Atlantis", NOW)
    assert subscriptions.view(CHAT).settings.daily == time(19, 5)  # a refused change changes nothing


def test_digest_off_and_on(subscriptions: Subscriptions) -> None:
    subscriptions.subscribe(CHAT, ["sport"], NOW)
    off = subscriptions.set_digest(CHAT, False, NOW)
    assert not off.settings.digest and off.settings.next_due is None
    on = subscriptions.set_digest(CHAT, True, NOW)
    assert on.settings.next_due == datetime(2026, 3, 27, 6, 30, tzinfo=UTC)


def test_other_changes_never_push_a_due_digest_to_tomorrow(subscriptions: Subscriptions, store: Store) -> None:
    subscriptions.subscribe(CHAT, ["sport"], NOW)
    due = datetime(2026, 3, 27, 6, 30, tzinfo=UTC)
    late = due + timedelta(seconds=20)  # due, and the minute's claim has not run yet
    assert subscriptions.set_alerts(CHAT, True, late).settings.next_due == due
    assert subscriptions.set_empty_notice(CHAT, False, late).settings.next_due == due
    assert subscriptions.subscribe(CHAT, ["tech"], late).settings.next_due == due
    assert subscriptions.set_digest(CHAT, True, late).settings.next_due == due  # already on: nothing changes


def test_a_changed_time_after_todays_digest_waits_for_tomorrow(subscriptions: Subscriptions, store: Store) -> None:
    from bot.services.deliveries import Deliveries

    subscriptions.subscribe(CHAT, ["sport"], NOW)
    due = datetime(2026, 3, 27, 6, 30, tzinfo=UTC)
    [claim] = Deliveries(store).claim_due(due, 10, "test")
    assert claim.chat_id == CHAT
    # At 08:00 Berlin time the reader moves the digest to 09:00: today had its digest, so tomorrow at 09:00.
    view = subscriptions.set_time(CHAT, "09:00", due + timedelta(minutes=30))
    assert view.settings.next_due == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)


def test_a_daily_digest_asked_at_another_time_says_the_time_it_moved_the_chats_one_digest_from(
    subscriptions: Subscriptions,
) -> None:
    """ "I want business news every evening" after a morning digest moved it to the evening, unsaid."""
    first = subscriptions.ask_daily(CHAT, ["sport"], DailyAsk(("sport",), None, "morning"), NOW)
    assert first.settings.daily == time(7, 30) and first.moved_from is None  # 07:30 is in the morning: kept
    evening = subscriptions.ask_daily(CHAT, ["business"], DailyAsk(("business",), None, "evening"), NOW)
    assert (evening.settings.daily, evening.moved_from) == (time(18), time(7, 30))
    assert evening.categories == ("business", "sport")
    both = subscriptions.ask_daily(CHAT, ["tech", "politics"], DailyAsk(("tech", "politics"), None, "evening"), NOW)
    assert both.moved_from is None and both.added == ("tech", "politics")
    # A digest that was off moves nothing the chat had, and comes again: it was asked for.
    subscriptions.set_digest(CHAT, False, NOW)
    again = subscriptions.ask_time(CHAT, DailyAsk((), "at 7pm", None), True, NOW)
    assert again.moved_from is None and again.settings.digest and again.settings.daily == time(19)


def test_a_time_asked_alone_is_set_as_time_sets_it_and_a_part_of_the_day_keeps_a_time_in_it(
    subscriptions: Subscriptions,
) -> None:
    """ "set the time to 7am" was read as the daily digest asked for: it turned the digest on after /digest off, and
    the reply said "Daily digest on." and that it moved."""
    subscriptions.subscribe(CHAT, ["sport"], NOW)
    subscriptions.set_digest(CHAT, False, NOW)
    alone = subscriptions.ask_time(CHAT, DailyAsk((), "7am", None), False, NOW)
    assert (alone.settings.daily, alone.settings.digest, alone.moved_from) == (time(7), False, None)
    # "change my digest to the evening": the digest asked for, at the evening's usual hour, then kept in it.
    evening = subscriptions.ask_time(CHAT, DailyAsk((), None, "evening"), True, NOW)
    assert (evening.settings.daily, evening.settings.digest) == (time(18), True)
    subscriptions.set_time(CHAT, "21:15", NOW)
    assert subscriptions.ask_time(CHAT, DailyAsk((), None, "evening"), False, NOW).settings.daily == time(21, 15)


def test_alerts_are_off_by_default_and_start_when_turned_on(subscriptions: Subscriptions) -> None:
    assert not subscriptions.subscribe(CHAT, ["sport"], NOW).settings.alerts
    on = subscriptions.set_alerts(CHAT, True, NOW + timedelta(hours=1))
    assert on.settings.alerts and on.settings.alerts_since == NOW + timedelta(hours=1)
    assert subscriptions.set_alerts(CHAT, True, NOW + timedelta(hours=2)).settings.alerts_since == NOW + timedelta(
        hours=1
    )
    assert not subscriptions.set_alerts(CHAT, False, NOW).settings.alerts


def test_settings_survive_a_new_store_object(database_url: str, tmp_path: Path) -> None:
    url = url_of(database_url, tmp_path)
    first = Store.open(url)
    first.write_articles([story("A", "sport", NOW)], NOW)
    Subscriptions(first).subscribe(CHAT, ["sport"], NOW)
    Subscriptions(first).set_zone(CHAT, "Asia/Tokyo", NOW)
    first.close()
    second = Store.open(url)
    try:
        view = Subscriptions(second).view(CHAT)
        assert (view.categories, view.settings.zone, view.settings.daily) == (("sport",), "Asia/Tokyo", time(8, 0))
    finally:
        second.close()


def test_a_migrated_group_keeps_subscriptions_and_settings(subscriptions: Subscriptions, store: Store) -> None:
    subscriptions.subscribe(-5, ["sport", "tech"], NOW)
    subscriptions.set_time(-5, "18:00", NOW)
    store.migrate_chat(-5, -1005, NOW)
    moved = subscriptions.view(-1005)
    assert moved.categories == ("sport", "tech") and moved.settings.daily == time(18, 0)
    assert not subscriptions.view(-5).stored and subscriptions.view(-5).categories == ()
    assert store.chat_active(-5) is False and store.chat_active(-1005) is True


def reopened_from_before(store: Store, url: str, column: str, migration: str) -> Store:
    """The store opened again after its `column` of chat_settings and the record of the `migration` that added it
    were dropped behind its back, as a store made before that migration would be."""
    with store.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE chat_settings DROP COLUMN {column}"))
        connection.execute(delete(migrations).where(migrations.c.name == migration))
    store.close()
    return Store.open(url)


def test_digests_go_to_the_forum_topic_chosen_and_a_store_from_before_topics_gets_them(
    database_url: str, tmp_path: Path
) -> None:
    """Migration 0008 on a store made before it (its column dropped behind the store's back): the settings stay,
    in General, and a topic can be chosen."""
    url = url_of(database_url, tmp_path)
    first = Store.open(url)
    first.write_articles([story("A", "sport", NOW)], NOW)
    Subscriptions(first).subscribe(CHAT, ["sport"], NOW)
    assert Subscriptions(first).set_topic(CHAT, 5, NOW).settings.topic == 5
    assert not Subscriptions(first).set_topic(CHAT + 1, 5, NOW).stored  # no settings: nothing to post
    second = reopened_from_before(first, url, "topic", "0008_digest_topic")
    try:
        assert second.pending_migrations() == []
        view = Subscriptions(second).view(CHAT)
        assert view.categories == ("sport",) and view.settings.digest and view.settings.topic is None
        assert Subscriptions(second).set_topic(CHAT, 7, NOW).settings.topic == 7
        assert Subscriptions(second).view(CHAT).settings.topic == 7
    finally:
        second.close()


def test_a_time_zone_or_alerts_alone_start_no_digest_until_the_chat_asks_for_one(subscriptions: Subscriptions) -> None:
    """A reader who only set a time zone (for the stories' times) or turned alerts on got a daily digest unasked.
    Subscribing, a time or an empty-day choice asks for it, once: a digest turned off stays off."""
    zoned = subscriptions.set_zone(CHAT, "Berlin", NOW)
    assert zoned.stored and not zoned.settings.digest and zoned.settings.next_due is None
    alerted = subscriptions.set_alerts(CHAT, True, NOW)
    assert alerted.settings.alerts and not alerted.settings.digest
    subscribed = subscriptions.subscribe(CHAT, ["sport"], NOW)
    assert subscribed.settings.digest and subscribed.settings.zone == "Europe/Berlin"
    assert subscribed.settings.next_due == datetime(2026, 3, 27, 6, 30, tzinfo=UTC)  # the default 07:30, in Berlin
    assert not subscriptions.set_digest(CHAT, False, NOW).settings.digest
    assert not subscriptions.subscribe(CHAT, ["tech"], NOW).settings.digest  # turned off: a choice kept
    assert not subscriptions.set_time(CHAT, "9am", NOW).settings.digest
    for chat, first in (
        (CHAT + 1, lambda c: subscriptions.set_time(c, "9am", NOW)),
        (CHAT + 2, lambda c: subscriptions.set_empty_notice(c, False, NOW)),
        (CHAT + 3, lambda c: subscriptions.choose(c, "sport", True, NOW)),
    ):
        assert first(chat).settings.digest, chat


def test_chats_of_a_store_from_before_digest_choices_keep_their_digest(database_url: str, tmp_path: Path) -> None:
    """Migration 0009 on a store made before it: its chats' first choice, whatever it was, started their digest,
    so each keeps it as chosen, and a time zone set after does not turn it off."""
    url = url_of(database_url, tmp_path)
    first = Store.open(url)
    Subscriptions(first).set_time(CHAT, "7am", NOW)
    second = reopened_from_before(first, url, "digest_chosen", "0009_digest_chosen")
    try:
        assert second.pending_migrations() == []
        assert Subscriptions(second).view(CHAT).settings.digest_chosen
        assert Subscriptions(second).set_zone(CHAT, "Tokyo", NOW).settings.digest
    finally:
        second.close()


def test_a_store_from_before_all_categories_keeps_its_chats_and_can_follow_all(
    database_url: str, tmp_path: Path
) -> None:
    """Migration 0020 on a store made before it: its chats follow what they chose, and "all" now means new ones."""
    url = url_of(database_url, tmp_path)
    first = Store.open(url)
    first.write_articles([story("A", "sport", NOW)], NOW)
    Subscriptions(first).subscribe(CHAT, ["sport"], NOW)
    second = reopened_from_before(first, url, "all_since", "0020_all_categories")
    try:
        assert second.pending_migrations() == []
        view = Subscriptions(second).view(CHAT)
        assert view.categories == ("sport",) and not view.every_category
        assert Subscriptions(second).subscribe(CHAT, ["all"], NOW).every_category
    finally:
        second.close()


def test_a_bad_default_zone_is_refused_at_start(store: Store) -> None:
    with pytest.raises(UsageError):
        Subscriptions(store, Defaults(time(8, 0), "Mars/Olympus"))


def test_digest_settings_from_the_environment() -> None:
    env = {
        "NEWSBOT_DIGEST_TIME": "6:45",
        "NEWSBOT_DEFAULT_TIMEZONE": "Europe/Berlin",
        "NEWSBOT_DIGEST_GRACE_MINUTES": "90",
        "NEWSBOT_ALERT_PACE_MINUTES": "3",
        "TELEGRAM_FANOUT_MESSAGES_PER_SECOND": "12",
    }
    settings = Settings.from_env(env, env_file=None)
    assert (settings.digest_time, settings.default_timezone) == (time(6, 45), "Europe/Berlin")
    assert (settings.digest_grace_minutes, settings.fanout_messages_per_second) == (90, 12)
    defaults = Settings.from_env({}, env_file=None)
    assert (defaults.digest_time, defaults.default_timezone, defaults.digest_grace_minutes) == (time(8, 0), "UTC", 120)
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert all(f"\n{name}=" in example for name in env)
    assert Defaults.of(settings) == Defaults(time(6, 45), "Europe/Berlin")
    assert grace_of(settings) == timedelta(minutes=90)
    assert (alert_pace_of(settings), alert_pace_of(defaults)) == (timedelta(minutes=3), timedelta(minutes=10))
    assert FloodBudget.of(settings).share(2).fanout == 6


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NEWSBOT_DIGEST_TIME", "25:00"),
        ("NEWSBOT_DIGEST_TIME", "7am"),
        ("NEWSBOT_DEFAULT_TIMEZONE", "Berlin"),
        ("NEWSBOT_DEFAULT_TIMEZONE", "UTC+3"),
        ("NEWSBOT_DIGEST_GRACE_MINUTES", "-5"),
        ("NEWSBOT_ALERT_PACE_MINUTES", "soon"),
        ("TELEGRAM_FANOUT_MESSAGES_PER_SECOND", "0"),
    ],
)
def test_bad_digest_settings_are_refused_in_one_line(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable) as caught:
        Settings.from_env({variable: value}, env_file=None)
    assert "\n" not in str(caught.value)
