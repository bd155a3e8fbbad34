"""The digest schedule: reading times and zones, next local due times across DST, catch-up after an outage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.errors import NewsbotError, UsageError
from bot.ingest.dates import NAMED_ZONES as ABBREVIATIONS
from bot.services.deliveries import digest_key
from bot.services.schedule import (
    TIME_FORMS,
    ZONE_FORMS,
    DailyAsk,
    Window,
    asked_daily,
    asked_digest_time,
    asked_zone,
    digest_day,
    digest_window,
    local_day,
    names_gmt,
    next_after_move,
    next_digest,
    next_due,
    offset_label,
    parse_time,
    parse_time_and_zone,
    parse_timezone,
    plan,
    seasons,
    still_owed,
    time_in,
    within_grace,
    zone,
)
from tests.paths import DATA

CASES: list[dict[str, str]] = json.loads((DATA / "schedule_cases.json").read_text(encoding="utf-8"))
INPUTS: dict[str, list[list[Any]]] = json.loads((DATA / "schedule_inputs.json").read_text(encoding="utf-8"))

NAMED_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Santiago",
    "UTC+05:45",
]
FIXED_KEYS = ["UTC", "UTC+05:45", "UTC-04:30", "UTC+14:00", "UTC-12:00", "UTC+12:45"]
ALL_ZONES = sorted(available_timezones() - {"Factory", "localtime", "posixrules"})
# Times that fall in gaps or folds somewhere, and the everyday ones.
TRICKY_TIMES = [time(0, 0), time(0, 30), time(1, 30), time(1, 45), time(2, 0), time(2, 15), time(2, 30), time(3, 0)]
DAILY_TIMES = [*TRICKY_TIMES, time(7, 30), time(23, 30), time(23, 59)]
# Instants to compare two zones' clocks on.
SAMPLE_INSTANTS = [datetime(year, month, 15, 12, tzinfo=UTC) for year in (1995, 2010, 2024, 2030) for month in (1, 7)]
MINUTE = timedelta(minutes=1)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def same_clock(first: tzinfo, second: tzinfo) -> bool:
    return all(
        moment.astimezone(first).utcoffset() == moment.astimezone(second).utcoffset() for moment in SAMPLE_INSTANTS
    )


def is_utc(moment: datetime) -> bool:
    return moment.tzinfo is UTC


# Reading times


@pytest.mark.parametrize(("text", "expected"), INPUTS["times"], ids=[repr(text) for text, _ in INPUTS["times"]])
def test_parse_time(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(UsageError) as refused:
            parse_time(text)
        assert "07:30" in str(refused.value) and "7am" in str(refused.value)
    else:
        assert parse_time(text) == time.fromisoformat(expected)


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_minute_of_the_day_reads_back_in_every_form(hour: int, minute: int) -> None:
    expected = time(hour, minute)
    half = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    spellings = [
        f"{hour:02d}:{minute:02d}",
        f"{hour}:{minute:02d}",
        f"{hour:02d}{minute:02d}",
        f"{twelve}:{minute:02d}{half}",
    ]
    spellings.append(f"{twelve}:{minute:02d} {half.upper()}")
    assert {parse_time(text) for text in spellings} == {expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", ("07:30", None)),
        ("8am London", ("08:00", "Europe/London")),
        ("07:30 Europe/Berlin", ("07:30", "Europe/Berlin")),
        ("19h UTC+1", ("19:00", "UTC+01:00")),
        ("8:00 +03:00", ("08:00", "UTC+03:00")),
        ("8 in the morning New York", ("08:00", "America/New_York")),
        ("at 8 São Paulo", ("08:00", "America/Sao_Paulo")),
        # Words about the days it comes change nothing: "tomorrow" was an unknown time zone.
        ("19:30 tomorrow", ("19:30", None)),
        ("tomorrow at 7am", ("07:00", None)),
        ("daily at 7", ("07:00", None)),
        ("7pm every day", ("19:00", None)),
        ("8am everyday London", ("08:00", "Europe/London")),
        ("7:30 from tomorrow on", ("07:30", None)),
        ("starting today at noon", ("12:00", None)),
        ("at midnight", ("00:00", None)),
        ("7 tonight London", ("19:00", "Europe/London")),
        # A 24-hour time in the part of the day it names: "/time 19:30 tonight" was refused (the hour 1 to 12).
        ("19:30 tonight", ("19:30", None)),
        ("19:30 tonight London", ("19:30", "Europe/London")),
        ("18:00 this evening", ("18:00", None)),
        ("15:00 in the afternoon", ("15:00", None)),
        ("0:30 tonight", ("00:30", None)),
    ],
)
def test_a_time_may_name_its_zone(text: str, expected: tuple[str, str | None]) -> None:
    daily, key = parse_time_and_zone(text)
    assert (daily.isoformat("minutes"), key) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("8am EST", "“EST” is ambiguous or not one clock all year. Did you mean America/New_York"),
        ("8am Mars", "Unknown time zone “Mars”"),
        ("7 30", "“7 30” is not a time of day"),
        ("soon London", "“soon London” is not a time of day"),
        ("tomorrow", "Give a time of day"),
        ("19:30 Tomorrowland", "Unknown time zone “Tomorrowland”"),
        ("19:30 in the morning", "“19:30 in the morning”: 19:30 is not in the morning"),
        ("13:00 tonight", "“13:00 tonight”: 13:00 is not at night"),
        ("0:30 this evening", "“0:30 this evening”: 0:30 is not in the evening"),
    ],
)
def test_a_time_with_a_zone_that_cannot_be_read_says_which_part_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(UsageError, match=reason):
        parse_time_and_zone(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("London time", "Europe/London"),
        ("moscow Time", "Europe/Moscow"),
        ("UTC time", "UTC"),
        ("Japan time", "Japan"),
        ("New York City", "America/New_York"),
        ("Ho Chi Minh City", "Asia/Ho_Chi_Minh"),
        ("Mexico City", "America/Mexico_City"),
        # The names readers give their clocks, each refused as an unknown time zone before ("Washington, DC" read
        # as Washington in a country "DC").
        ("Eastern Time", "America/New_York"),
        ("eastern time", "America/New_York"),
        ("ET", "America/New_York"),
        ("Pacific Time", "America/Los_Angeles"),
        ("NYC", "America/New_York"),
        ("LA", "America/Los_Angeles"),
        ("Odesa", "Europe/Kyiv"),
        ("Ankara", "Europe/Istanbul"),
        ("Washington, DC", "America/New_York"),
        ("Washington, D.C.", "America/New_York"),
    ],
)
def test_a_place_followed_by_time_or_city_is_its_zone(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected
    assert parse_time_and_zone(f"8am {text}") == (time(8, 0), expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("berlin germany", "Europe/Berlin"),
        ("new york usa", "America/New_York"),
        ("Sao Paulo Brazil", "America/Sao_Paulo"),
        ("london uk time", "Europe/London"),
    ],
)
def test_a_city_followed_by_its_country_without_a_comma_is_its_zone(text: str, expected: str) -> None:
    """Typed as readers type it: "/timezone berlin germany" was an unknown time zone, suggesting nothing."""
    assert parse_timezone(text) == expected
    assert parse_time_and_zone(f"7pm {text}") == (time(19, 0), expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eastern", "America/New_York"),
        ("Pacific", "America/Los_Angeles"),
        ("central", "America/Chicago"),
        ("mountain", "America/Denver"),
        ("central european time", "Europe/Berlin"),
        ("Central European", "Europe/Berlin"),
        ("british time", "Europe/London"),
        ("uk", "Europe/London"),
        ("india", "Asia/Kolkata"),
        ("Indian Standard Time", "Asia/Kolkata"),
    ],
)
def test_a_clock_named_by_its_region_is_its_zone(text: str, expected: str) -> None:
    """ "/timezone central european time" was an unknown time zone, and "/timezone eastern" suggested Pacific/Easter
    (Easter Island's clock) first: a reader names the clock they live by, not a zone."""
    assert parse_timezone(text) == expected
    assert parse_time_and_zone(f"8am {text}") == (time(8, 0), expected)


@pytest.mark.parametrize(
    ("key", "at", "expected"),
    [
        ("Europe/London", "2026-12-05T09:00:00+00:00", "GMT, BST (UTC+01:00) in summer"),
        ("Europe/London", "2026-07-05T09:00:00+00:00", "BST, GMT (UTC) in winter"),
        ("America/New_York", "2026-12-05T09:00:00+00:00", "EST, EDT (UTC-04:00) in summer"),
        ("Australia/Sydney", "2026-12-05T09:00:00+00:00", "AEDT, AEST (UTC+10:00) in winter"),
        # The tz database names Santiago's clocks by their offsets ("-03"), which say nothing more.
        ("America/Santiago", "2026-12-05T09:00:00+00:00", "UTC-04:00 in winter"),
        ("Asia/Tokyo", "2026-12-05T09:00:00+00:00", ""),
        ("UTC", "2026-12-05T09:00:00+00:00", ""),
        ("UTC+03:00", "2026-07-05T09:00:00+00:00", ""),
    ],
)
def test_a_zone_s_clock_in_the_other_half_of_the_year_is_said(key: str, at: str, expected: str) -> None:
    assert seasons(key, datetime.fromisoformat(at)) == expected


@pytest.mark.parametrize(("text", "gmt"), [("GMT", True), ("gmt time", True), ("Greenwich", True), ("UTC", False),
                                           ("GMT+1", False), ("London", False)])  # fmt: skip
def test_gmt_by_name_is_told_apart_from_utc_and_offsets(text: str, gmt: bool) -> None:
    """GMT stays UTC, as the tz database and readers on GMT all year (Iceland, Ghana) have it; the reply to it says
    that the UK's clock is London's (`names_gmt`)."""
    assert names_gmt(text) is gmt
    if gmt:
        assert parse_timezone(text) == "UTC"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send me the digest at 8am", "at 8am"),
        ("Daily digest at 7:30", "at 7:30"),
        ("digest at noon please", "at noon"),
        ("Can you send me my daily digest at 8am, please?", "at 8am"),
        ("I want my digest at 7 in the morning", "at 7 in the morning"),
        ("change my digest to 8:30pm", "8:30pm"),
        ("send the digest at 8am London", "at 8am London"),
        ("send me the digest at 8am EST", "at 8am EST"),  # /time refuses EST, saying why
        ("send me the digest at 25:00", "at 25:00"),  # and the hour 25
        ("digest at 7.75pm please", "at 7.75pm"),
        ("what is in the digest about brexit?", None),
        ("what was in the digest at 8am?", None),
        ("is the digest at 8am?", None),
        ("send me the digest", None),
        ("send me the news at 8am", None),
        ("digest 2004", None),
    ],
)
def test_a_message_asking_for_the_digest_at_a_time_gives_the_time_s_words(text: str, expected: str | None) -> None:
    assert asked_digest_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send me the sport news every morning", DailyAsk(("sport",), None, "morning")),
        ("I want business news every evening", DailyAsk(("business",), None, "evening")),
        ("daily tech news at 7", DailyAsk(("tech",), "at 7", None)),
        ("Can you send me tech headlines at 7 every evening?", DailyAsk(("tech",), "at 7 every evening", None)),
        ("at 7 send me tech news every evening", DailyAsk(("tech",), "at 7 in the evening", None)),
        ("sport news at 7:30am Berlin time every day", DailyAsk(("sport",), "at 7:30am Berlin time", None)),
        ("I'd like the sport stories in the mornings", DailyAsk(("sport",), None, "morning")),
        ("world news daily", DailyAsk(("world",), None, None)),
        ("send me the news every morning", DailyAsk((), None, "morning")),
        ("subscribe me to sport", DailyAsk(("sport",), None, None)),
        ("how do I get sport news every morning?", DailyAsk(("sport",), None, "morning", how=True)),
        ("How can we get tech news daily at 7", DailyAsk(("tech",), "at 7", None, how=True)),
        # Searched, as a question: the digest's part of the day.
        ("send me the morning digest", DailyAsk((), None, "morning")),
        ("change my digest to the evening", DailyAsk((), None, "evening")),
        ("move the digest to the mornings please", DailyAsk((), None, "morning")),
        ("the morning digest", None),
        # Searched: /subscribe and /time in the reader's words.
        ("follow sport", DailyAsk(("sport",), None, None)),
        ("set the time to 7am", DailyAsk((), "7am", None)),
        ("follow the money", DailyAsk(("money",), None, None)),  # a question: the words name no category
        ("subscribe me", None),  # asked how: small talk
        ("what sport news is there this morning?", None),
        ("when is the morning news?", None),
        ("sport news", None),  # /latest sport
        ("news at 10", None),  # a programme: no category, nothing asked to come
        ("the news every morning", None),
    ],
)  # fmt: skip
def test_a_message_asking_for_news_every_day_gives_its_words_and_time(text: str, expected: DailyAsk | None) -> None:
    """ "send me the sport news every morning" was searched as a question (stories using "send" and "morning")."""
    assert asked_daily(text) == expected


@pytest.mark.parametrize(
    ("part", "daily", "expected"),
    [("morning", time(8), time(8)), ("morning", time(6, 30), time(6, 30)), ("morning", time(19), time(8)),
     ("evening", time(8), time(18)), ("evening", time(21, 15), time(21, 15)), ("night", time(23), time(23)),
     ("night", time(12), time(21)), ("afternoon", time(8), time(13))],
)  # fmt: skip
def test_a_part_of_the_day_keeps_a_time_in_it_or_gets_its_usual_one(part: str, daily: time, expected: time) -> None:
    assert time_in(part, daily) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set my timezone to London", "London"),
        ("my time zone is Berlin", "Berlin"),
        ("change timezone to new york please", "new york"),
        ("I am in the Eastern time zone", "Eastern"),
        # Where the reader is: searched, "I live in Berlin" found stories about Berlin.
        ("I live in Berlin", "Berlin"),
        ("I'm in New York", "New York"),
        ("I am based in Tokyo.", "Tokyo"),
        ("we're now in the UK", "UK"),
        ("I live in Berlin, Germany", "Berlin, Germany"),
        ("I'm in Sydney now!", "Sydney"),
        ("I moved to Tokyo", "Tokyo"),
        ("we've just moved to the UK", "UK"),
        ("I moved to a new flat", None),
        ("I live in Georgia", "Georgia"),  # refused as /timezone refuses it: Tbilisi or New York?
        ("set my timezone to EST", "EST"),
        ("I am in trouble", None),
        ("I'm in Paris, what's the news?", None),
        ("I am interested in sport", None),
        ("what time zone is Berlin in?", None),
        ("is the time zone in Berlin CET?", None),
        ("set timezone", None),
        ("time in london", None),
    ],
)
def test_a_message_setting_the_time_zone_gives_the_zone_s_words(text: str, expected: str | None) -> None:
    assert asked_zone(text) == expected


@pytest.mark.parametrize("text", ["Paris Texas", "paris usa", "berlin france"])
def test_a_city_followed_by_a_country_it_is_not_in_is_still_refused(text: str) -> None:
    with pytest.raises(UsageError, match="Unknown time zone"):
        parse_timezone(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8 tomorrow morning", (time(8, 0), None)),
        ("7 tomorrow evening", (time(19, 0), None)),
        ("7 evening London", (time(19, 0), "Europe/London")),
    ],
)
def test_a_part_of_the_day_after_tomorrow_is_read_as_the_time_s(text: str, expected: tuple[time, str | None]) -> None:
    """Typed "/time 8 tomorrow morning" was refused as the unknown time zone "morning" ("tomorrow" is read past)."""
    assert parse_time_and_zone(text) == expected


def test_a_place_that_names_no_zone_without_time_is_refused_as_typed() -> None:
    with pytest.raises(UsageError, match="Unknown time zone “Quebec City”"):
        parse_timezone("Quebec City")


def test_usage_error_is_a_value_error_in_the_newsbot_tree() -> None:
    with pytest.raises(UsageError) as refused:
        parse_time("teatime")
    assert isinstance(refused.value, NewsbotError) and isinstance(refused.value, ValueError)
    assert TIME_FORMS in str(refused.value)


def test_refusals_echo_what_was_typed_cut_short() -> None:
    typed = "x" * 60
    with pytest.raises(UsageError) as refused:
        parse_time(typed)
    assert "x" * 39 in str(refused.value) and "x" * 41 not in str(refused.value)
    with pytest.raises(UsageError, match="too long"):
        parse_timezone("Europe/Berlin " * 10)


# Reading zones


@pytest.mark.parametrize(("text", "expected"), INPUTS["zones"], ids=[repr(text) for text, _ in INPUTS["zones"]])
def test_parse_timezone(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(UsageError) as refused:
            parse_timezone(text)
        message = str(refused.value)
        assert any(part in message for part in (ZONE_FORMS, "UTC-12:00 to UTC+14:00", "minutes", "Did you mean"))
    else:
        key = parse_timezone(text)
        assert key == expected
        zone(key)


@pytest.mark.parametrize(("text", "suggested"), INPUTS["zone_suggestions"], ids=repr)
def test_unknown_zones_get_close_suggestions(text: str, suggested: str) -> None:
    with pytest.raises(UsageError, match=f"Did you mean .*{suggested}"):
        parse_timezone(text)


@pytest.mark.parametrize("name", ABBREVIATIONS)
def test_an_abbreviation_dates_read_is_the_zone_it_names_or_refused_with_those_it_may_mean(name: str) -> None:
    """Dates and /timezone share one table: an abbreviation /timezone accepts names a zone with its hours from UTC,
    all year round unless it is the tz database's own zone of that name (CET, EET: Europe's clocks)."""
    named = ABBREVIATIONS[name]
    if named.zone is None:
        with pytest.raises(UsageError) as refused:
            parse_timezone(name.lower())
        assert all(zone_name in str(refused.value) for zone_name in named.may_mean)
        return
    key = parse_timezone(name.lower())
    assert key == named.zone
    seasons = [datetime(2026, 1, 15, tzinfo=UTC)] + ([datetime(2026, 7, 15, tzinfo=UTC)] if key != name else [])
    assert {season.astimezone(zone(key)).utcoffset() for season in seasons} == {timedelta(hours=named.hours)}


def test_no_suggestion_when_nothing_is_close() -> None:
    with pytest.raises(UsageError) as refused:
        parse_timezone("qqqqqq")
    assert "Did you mean" not in str(refused.value)


def test_every_zone_name_in_any_case_keeps_its_clock() -> None:
    """Every tz database name is accepted in any case, as itself (region names) or as a key with the same clock;
    EST and MST, fixed all year, are refused as abbreviations a reader would mean otherwise."""
    for name in ALL_ZONES:
        if name in ("EST", "MST"):
            with pytest.raises(UsageError, match="not one clock all year"):
                parse_timezone(name)
            continue
        for typed in (name, name.lower(), name.upper()):
            key = parse_timezone(typed)
            if "/" in name and not name.startswith("Etc/"):
                assert key == name, typed
            assert same_clock(zone(key), ZoneInfo(name)), (typed, key)


def test_every_city_names_a_zone_with_its_clock() -> None:
    """A zone's last part, written with spaces, names a zone with the same clock (so which of several is kept
    does not matter); the only exception is Samoa, refused with both its zones."""
    areas = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/")
    checked = 0
    for name in ALL_ZONES:
        if not name.startswith((*areas, "Pacific/")) or name == "Pacific/Samoa":
            continue
        city = name.rpartition("/")[2].replace("_", " ")
        assert same_clock(zone(parse_timezone(city)), ZoneInfo(name)), (city, parse_timezone(city), name)
        checked += 1
    assert checked > 400


@given(st.sampled_from("+-\u2212"), st.integers(0, 14), st.sampled_from([0, 15, 30, 45, 59]))
def test_offsets_in_every_spelling_give_one_key(sign: str, hours: int, minutes: int) -> None:
    offset = timedelta(hours=hours, minutes=minutes) * (1 if sign == "+" else -1)
    spellings = [
        f"{sign}{hours:02d}:{minutes:02d}",
        f"UTC{sign}{hours}:{minutes:02d}",
        f"gmt {sign} {hours:02d}{minutes:02d}",
    ]
    if minutes == 0:
        spellings += [f"{sign}{hours}", f"UTC{sign}{hours}"]
    if not timedelta(hours=-12) <= offset <= timedelta(hours=14):
        for text in spellings:
            with pytest.raises(UsageError, match="UTC-12:00 to UTC\\+14:00"):
                parse_timezone(text)
        return
    keys = {parse_timezone(text) for text in spellings}
    assert len(keys) == 1
    key = keys.pop()
    assert key == "UTC" if not offset else key.startswith("UTC") and len(key) == len("UTC+03:00")
    assert zone(key).utcoffset(None) == offset
    assert parse_timezone(key) == key


@pytest.mark.parametrize(
    "key", ["UTC+3", "UTC+00:00", "UTC+15:00", "UTC+03:60", "utc+03:00", "Mars/Olympus", "localtime", ""]
)
def test_zone_refuses_what_parse_timezone_never_returns(key: str) -> None:
    with pytest.raises(UsageError):
        zone(key)


def test_zone_kinds() -> None:
    assert zone("UTC") is UTC
    assert isinstance(zone("Europe/Berlin"), ZoneInfo)
    fixed = zone("UTC-04:30")
    assert isinstance(fixed, timezone) and fixed.tzname(None) == "UTC-04:30"


@pytest.mark.parametrize(
    ("key", "at", "expected"),
    [
        ("Europe/Berlin", "2024-01-15T12:00:00Z", "UTC+01:00"),
        ("Europe/Berlin", "2024-07-15T12:00:00Z", "UTC+02:00"),
        ("Asia/Kolkata", "2024-07-15T12:00:00Z", "UTC+05:30"),
        ("America/St_Johns", "2024-01-15T12:00:00Z", "UTC-03:30"),
        ("UTC-04:30", "2024-01-15T12:00:00Z", "UTC-04:30"),
        ("Europe/London", "2024-01-15T12:00:00Z", "UTC"),
    ],
)
def test_offset_label(key: str, at: str, expected: str) -> None:
    assert offset_label(key, instant(at)) == expected


# Next due time: examples


@pytest.mark.parametrize("case", CASES, ids=[f"{case['zone']} {case['time']} after {case['after']}" for case in CASES])
def test_next_due_cases(case: dict[str, str]) -> None:
    due = next_due(parse_time(case["time"]), case["zone"], instant(case["after"]))
    assert due == instant(case["expected"]), case["why"]
    assert is_utc(due)


def test_naive_datetimes_and_zoned_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_due(time(7, 30), "UTC", datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="wall-clock"):
        next_due(time(7, 30, tzinfo=UTC), "UTC", datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(datetime(2024, 1, 1), "UTC")


def test_local_day_of_one_instant_across_the_date_line() -> None:
    moment = instant("2024-06-01T12:00:00Z")
    assert local_day(moment, "Pacific/Kiritimati") == date(2024, 6, 2)
    assert local_day(moment, "Pacific/Niue") == date(2024, 6, 1)
    assert local_day(instant("2024-06-01T21:59:59Z"), "Europe/Berlin") == date(2024, 6, 1)
    assert local_day(instant("2024-06-01T22:00:00Z"), "Europe/Berlin") == date(2024, 6, 2)


# Next due time: a whole year, day by day


def wall_clock_rule_holds(due: datetime, daily: time, tz: tzinfo) -> bool:
    """The wall clock reads `daily` at `due`, or `daily` was in a gap and `due` is the first instant after it."""
    wall = due.astimezone(tz)
    if wall.time() == daily:
        return True
    just_before = (due - timedelta(seconds=1)).astimezone(tz)
    return (
        wall.time() > daily
        and just_before.utcoffset() != wall.utcoffset()
        and just_before.replace(tzinfo=None) < datetime.combine(wall.date(), daily)
    )


@pytest.mark.parametrize("daily", DAILY_TIMES, ids=str)
@pytest.mark.parametrize("key", NAMED_ZONES)
def test_a_year_of_digests_one_per_local_day(key: str, daily: time) -> None:
    tz = zone(key)
    due = next_due(daily, key, datetime(2023, 12, 30, tzinfo=UTC))
    days = []
    while local_day(due, key).year < 2025:
        assert wall_clock_rule_holds(due, daily, tz), due.astimezone(tz)
        # No zone here has a gap at 07:30: a morning digest stays at 07:30 local across every change.
        assert daily != time(7, 30) or due.astimezone(tz).time() == daily
        days.append(local_day(due, key))
        due = next_due(daily, key, due)
    assert days[-366:] == [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]


# Next due time: properties over every zone


@cache
def offset_changes(key: str, year: int) -> tuple[datetime, ...]:
    """The instants in a year at which the zone's offset changes (to the second)."""
    tz = zone(key)
    found = []
    step = timedelta(hours=6)
    moment = datetime(year, 1, 1, tzinfo=UTC)
    before = moment.astimezone(tz).utcoffset()
    while moment.year == year:
        later = moment + step
        after = later.astimezone(tz).utcoffset()
        if after != before:
            low, high = int(moment.timestamp()), int(later.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, tz).utcoffset() == after:
                    high = middle
                else:
                    low = middle
            found.append(datetime.fromtimestamp(high, UTC))
        moment, before = later, after
    return tuple(found)


@st.composite
def schedules(draw: st.DrawFn, zones: list[str], years: tuple[int, int]) -> tuple[str, time, datetime]:
    """A zone, a daily time and an instant, drawn often close to one of the zone's offset changes, with a daily
    time near the wall time of the change, so that gaps and folds are met often rather than by luck."""
    key = draw(st.sampled_from(zones))
    year = draw(st.integers(*years))
    changes = offset_changes(key, year)
    if changes and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        after = change + timedelta(seconds=draw(st.integers(-30 * 3600, 30 * 3600)))
        wall = (change - timedelta(seconds=1)).astimezone(zone(key))
        near = wall.replace(second=0) + timedelta(minutes=15 * draw(st.integers(-8, 8)) + 1)
        daily = draw(st.sampled_from([near.time().replace(second=0, microsecond=0, tzinfo=None), *TRICKY_TIMES]))
    else:
        after = datetime(year, 1, 1, tzinfo=UTC) + timedelta(seconds=draw(st.integers(0, 365 * 86400)))
        daily = time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    return key, daily, after + timedelta(microseconds=draw(st.integers(0, 999_999)))


def watcher_fires(daily: time, tz: tzinfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """An independent reading of the rules: watch the wall clock minute by minute and fire the first time each local
    date shows `daily` or later (a time in a gap fires when the gap ends; a fold's repeat finds its date done; a
    date the clock never shows never fires), or for a date the clock left for the next without showing `daily` (a
    gap past midnight: Nuuk's 23:30 on 28 March 2026 fires at the midnight the clock jumped to)."""
    done: set[date] = set()
    shown: date | None = None
    moment = start.replace(second=0, microsecond=0)
    while moment <= end:
        wall = moment.astimezone(tz)
        left = shown is not None and shown < wall.date() and shown not in done
        if left or (wall.time() >= daily and wall.date() not in done):
            done.add(shown if left and shown is not None else wall.date())
            yield moment
        shown = wall.date()
        moment += MINUTE


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules([*ALL_ZONES, *FIXED_KEYS], (1975, 2037)))
# Days a change skipped entirely, too rare to be drawn by chance.
@example(("Pacific/Apia", time(7, 30), datetime(2011, 12, 29, 20, tzinfo=UTC)))
@example(("Pacific/Kiritimati", time(0, 0), datetime(1994, 12, 30, 9, tzinfo=UTC)))
@example(("Pacific/Kwajalein", time(23, 59), datetime(1993, 8, 20, 12, tzinfo=UTC)))
# A gap past midnight: Nuuk went from 23:00 on 28 March 2026 to 00:00 on the 29th.
@example(("America/Nuuk", time(23, 30), datetime(2026, 3, 28, 12, tzinfo=UTC)))
# A fold across midnight: 00:01 went back to 23:01 the day before.
@example(("America/St_Johns", time(23, 30), datetime(2006, 10, 29, 2, 40, tzinfo=UTC)))
@example(("America/St_Johns", time(0, 0), datetime(2006, 10, 29, 2, 40, tzinfo=UTC)))
def test_next_due_agrees_with_a_minute_by_minute_watcher(schedule: tuple[str, time, datetime]) -> None:
    key, daily, after = schedule
    tz = zone(key)
    due = next_due(daily, key, after)
    # The watcher starts a day early so that today's date is already marked done when its time has passed.
    expected = next(
        fire
        for fire in watcher_fires(daily, tz, after - timedelta(hours=28), after + timedelta(hours=50))
        if fire > after
    )
    assert due == expected, (key, daily, after, due.astimezone(tz), expected.astimezone(tz))


@settings(max_examples=300, deadline=None)
@given(schedules(NAMED_ZONES, (2000, 2037)))
def test_successive_due_times_fall_on_successive_local_days(schedule: tuple[str, time, datetime]) -> None:
    key, daily, after = schedule
    tz = zone(key)
    first = next_due(daily, key, after)
    second = next_due(daily, key, first)
    assert after < first <= after + timedelta(hours=25)
    assert is_utc(first) and is_utc(second)
    assert wall_clock_rule_holds(first, daily, tz) and wall_clock_rule_holds(second, daily, tz)
    assert local_day(second, key) == local_day(first, key) + timedelta(days=1)
    # Nothing is due in between: asking from any instant before `first` gives `first`.
    assert next_due(daily, key, first - timedelta(microseconds=1)) == first
    assert next_due(daily, key, after + (first - after) / 2) == first


# After a change of time or zone


def test_a_later_time_set_after_todays_digest_starts_tomorrow() -> None:
    sent = instant("2024-06-03T05:30:00Z")  # 07:30 in Berlin
    now = instant("2024-06-03T08:00:00Z")
    assert next_digest(time(20, 0), "Europe/Berlin", now, sent) == instant("2024-06-04T18:00:00Z")
    assert next_digest(time(20, 0), "Europe/Berlin", now, None) == instant("2024-06-03T18:00:00Z")


def test_a_zone_change_after_todays_digest_does_not_give_a_second_one_that_day() -> None:
    sent = instant("2024-06-03T05:30:00Z")  # 07:30 in Berlin, 01:30 the same day in New York
    now = instant("2024-06-03T06:00:00Z")
    assert next_digest(time(7, 30), "America/New_York", now, sent) == instant("2024-06-04T11:30:00Z")
    # Eastward, the new zone's calendar is already a day on: its 07:30 tomorrow is a new local day.
    assert next_digest(time(7, 30), "Asia/Tokyo", now, sent) == instant("2024-06-03T22:30:00Z")


def test_next_digest_is_never_in_the_past() -> None:
    now = instant("2024-06-03T12:00:00Z")
    assert next_digest(time(7, 30), "UTC", now, instant("2024-05-01T07:30:00Z")) == instant("2024-06-04T07:30:00Z")


# Catch-up after an outage


GRACE = timedelta(hours=2)


@pytest.mark.parametrize(
    ("now", "previous", "send", "following", "why"),
    [
        ("2024-06-03T07:30:20Z", "2024-06-02T07:30:00Z", "2024-06-03T07:30:00Z", "2024-06-04T07:30:00Z", "on time"),
        (
            "2024-06-03T09:00:00Z",
            "2024-06-02T07:30:00Z",
            "2024-06-03T07:30:00Z",
            "2024-06-04T07:30:00Z",
            "late, in grace",
        ),
        (
            "2024-06-03T09:30:00Z",
            "2024-06-02T07:30:00Z",
            "2024-06-03T07:30:00Z",
            "2024-06-04T07:30:00Z",
            "at the limit",
        ),
        (
            "2024-06-03T23:59:59Z",
            "2024-06-02T07:30:00Z",
            "2024-06-03T07:30:00Z",
            "2024-06-04T07:30:00Z",
            "past the grace, its day not over: sent late",
        ),
        ("2024-06-04T00:00:00Z", "2024-06-02T07:30:00Z", None, "2024-06-04T07:30:00Z", "its day over: skipped"),
        (
            "2024-06-06T08:00:00Z",
            "2024-06-02T07:30:00Z",
            "2024-06-06T07:30:00Z",
            "2024-06-07T07:30:00Z",
            "3 days down: today only",
        ),
        (
            "2024-06-06T13:00:00Z",
            "2024-06-02T07:30:00Z",
            "2024-06-06T07:30:00Z",
            "2024-06-07T07:30:00Z",
            "3 days down, back later that day: today's, late",
        ),
        ("2024-06-03T01:00:00Z", "2024-06-01T07:30:00Z", None, "2024-06-03T07:30:00Z", "yesterday's, day over: none"),
        ("2024-06-03T07:45:00Z", "2024-06-03T07:30:00Z", None, "2024-06-04T07:30:00Z", "today's already sent"),
        ("2024-06-03T07:45:00Z", None, "2024-06-03T07:30:00Z", "2024-06-04T07:30:00Z", "the first digest"),
    ],
)
def test_plan(now: str, previous: str | None, send: str | None, following: str, why: str) -> None:
    result = plan(time(7, 30), "UTC", instant(now), instant(previous) if previous else None, GRACE)
    assert result.send == (instant(send) if send else None), why
    assert result.next == instant(following), why


def test_plan_inside_a_fold_across_midnight_finds_the_days_digest() -> None:
    """St. John's, 29 October 2006: at 00:01 the clock went back to 23:01 on the 28th. At 23:10 (the second time),
    the 29th's midnight digest is 40 minutes late, although the clock shows the 28th."""
    now = instant("2006-10-29T02:40:00Z")
    assert local_day(now, "America/St_Johns") == date(2006, 10, 28)
    result = plan(time(0, 0), "America/St_Johns", now, instant("2006-10-28T02:30:00Z"), GRACE)
    assert result.send == instant("2006-10-29T02:30:00Z")
    assert result.next == instant("2006-10-30T03:30:00Z")


# The days around clock changes: data in tests/data/schedule_changes.json
CHANGES: list[dict[str, Any]] = json.loads((DATA / "schedule_changes.json").read_text(encoding="utf-8"))


def ticked_sends(daily: time, key: str, start: datetime, end: datetime) -> list[datetime]:
    """The digests a bot ticking every 15 minutes from `start` to `end` sends one chat (`plan` at each tick its
    stored due time has come), as the scheduler does."""
    now, previous, sends = start, None, []
    stored = next_digest(daily, key, now, None)
    while now <= end:
        if stored <= now:
            result = plan(daily, key, now, previous, GRACE)
            if result.send is not None:
                sends.append(result.send)
                previous = result.send
            stored = result.next
        now += timedelta(minutes=15)
    return sends


@pytest.mark.parametrize("case", CHANGES, ids=[f"{c['zone']} {c['time']} {c['from'][:10]}" for c in CHANGES])
def test_digests_around_clock_changes_are_each_sent_once(case: dict[str, Any]) -> None:
    """A time that exists that day is sent at it; one in a spring-forward gap at the first instant after the gap
    (also when the gap takes the clock past midnight: Nuuk's 23:30 on 28 March 2026 was skipped); a time that
    comes twice, once. Each is claimed under its own day (`digest_key`), none under another's."""
    daily = parse_time(case["time"])
    sends = ticked_sends(daily, case["zone"], instant(case["from"]), instant(case["to"]))
    assert sends == [instant(sent) for sent in case["sends"]], case["why"]
    keys = [digest_key(sent, daily, case["zone"]) for sent in sends]
    assert len(set(keys)) == len(keys), keys


def test_within_grace() -> None:
    due = instant("2024-06-03T07:30:00Z")
    assert within_grace(due, due, GRACE)
    assert within_grace(due, due + GRACE, GRACE)
    assert not within_grace(due, due + GRACE + timedelta(microseconds=1), GRACE)
    assert not within_grace(due, due - timedelta(seconds=1), GRACE)
    assert within_grace(due, due, timedelta(0))


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(NAMED_ZONES),
    daily=st.sampled_from(DAILY_TIMES),
    start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC)
    ),
    pauses=st.lists(st.integers(1, 4 * 24 * 60), min_size=1, max_size=40),
    grace=st.sampled_from([timedelta(0), timedelta(minutes=30), GRACE, timedelta(hours=6)]),
)
def test_a_bot_that_comes_and_goes_sends_at_most_one_per_day_and_never_a_burst(
    key: str, daily: time, start: datetime, pauses: list[int], grace: timedelta
) -> None:
    """Ticks at random intervals (a minute to four days: outages); at each, a chat whose stored due time has come
    gets `plan`. Every send is still owed (its local day lasts, or in grace), one per local day, windows meet end to
    start; and every due time that a tick saw still owed was sent."""

    def owed(due: datetime, at: datetime) -> bool:
        return still_owed(due, digest_day(due, daily, key), key, at, grace)

    now = start
    stored = next_digest(daily, key, now, None)
    previous: datetime | None = None
    sends: list[datetime] = []
    ticks = [now]
    for pause in pauses:
        now += timedelta(minutes=pause)
        ticks.append(now)
        if stored > now:
            continue
        result = plan(daily, key, now, previous, grace)
        assert result.next > now
        if result.send is not None:
            assert owed(result.send, now)
            window = digest_window(result.send, previous)
            assert window.end == result.send and (previous is None or window.start == previous)
            sends.append(result.send)
            previous = result.send
        stored = result.next
    days = [local_day(sent, key) for sent in sends]
    assert days == sorted(set(days))
    due = next_due(daily, key, start)
    while due <= now:
        seen_owed = any(owed(due, tick) for tick in ticks)
        assert (due in sends) == seen_owed, due
        due = next_due(daily, key, due)


# Windows


def test_first_window_is_the_last_24_hours() -> None:
    due = instant("2024-06-03T07:30:00Z")
    assert digest_window(due, None) == Window(instant("2024-06-02T07:30:00Z"), due)


def test_window_since_the_previous_digest_is_half_open() -> None:
    previous, due = instant("2024-06-01T07:30:00Z"), instant("2024-06-03T07:30:00Z")
    window = digest_window(due, previous)
    assert window == Window(previous, due)
    assert window.covers(previous)
    assert window.covers(due - timedelta(microseconds=1))
    assert not window.covers(due)
    assert not window.covers(previous - timedelta(microseconds=1))


def test_window_across_a_dst_change_is_23_hours_of_arrivals() -> None:
    previous = next_due(time(7, 30), "Europe/Berlin", instant("2024-03-30T00:00:00Z"))
    due = next_due(time(7, 30), "Europe/Berlin", previous)
    window = digest_window(due, previous)
    assert window.end - window.start == timedelta(hours=23)


def test_window_refuses_a_previous_digest_that_is_not_before() -> None:
    due = instant("2024-06-03T07:30:00Z")
    with pytest.raises(ValueError, match="not before"):
        digest_window(due, due)


def test_a_move_to_a_zone_whose_day_had_no_digest_and_whose_time_passed_sends_that_day_s_at_once() -> None:
    """The 08:00 UTC digest of the 27th fell on the 26th at UTC-12 (20:00 there) and on the 27th at UTC+01:00 (09:00).
    Moved at 21:00 UTC: at UTC-12 it is 09:00 on the 27th, a day with none whose 08:00 has passed, so that one is
    due at once (it was the 28th's, the 27th left without); at UTC+01:00 the 27th had its one (the 28th's next); a
    chat that never had a digest gets the next as ever."""
    daily, previous, now = time(8), datetime(2026, 3, 27, 8, tzinfo=UTC), datetime(2026, 3, 27, 21, tzinfo=UTC)
    assert next_after_move(daily, "UTC-12:00", now, previous) == datetime(2026, 3, 27, 20, tzinfo=UTC)
    assert next_digest(daily, "UTC-12:00", now, previous) == datetime(2026, 3, 28, 20, tzinfo=UTC)
    assert next_after_move(daily, "UTC+01:00", now, previous) == datetime(2026, 3, 28, 7, tzinfo=UTC)
    assert next_after_move(daily, "UTC-12:00", now, None) == next_digest(daily, "UTC-12:00", now, None)
