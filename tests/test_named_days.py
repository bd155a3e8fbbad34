"""The days a reader names (bot/named_days.py): in a question to the bot and in `newsbot ask --since`/`--until`."""

from __future__ import annotations

from datetime import date

import pytest

from bot.named_days import days_named, named_day, named_days, names_days_alone, without_day
from bot.render.welcome import small_talk


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("what happened on 14 November?", date(2026, 11, 14)),
        ("news from November 14th", date(2026, 11, 14)),
        ("what happened on 7 Dec?", date(2025, 12, 7)),  # not yet this year
        ("what happened on Sunday?", date(2026, 12, 6)),  # today is one
        ("stories from last Sunday", date(2026, 11, 29)),
        ("what happened on Monday?", date(2026, 11, 30)),
        ("any news on the 3rd?", date(2026, 12, 3)),
        ("what happened on the 31st?", date(2026, 10, 31)),  # November has no 31st
        ("what happened yesterday?", date(2026, 12, 5)),
        ("what happened on bus route 14?", None),
        ("what happened on 30 February?", None),
        # A month is one of its names, whole: "Mayday" and "Junebug" were read as May and June.
        ("what happened on 14 Mayday?", None),
        ("the Junebug 4 tour", None),
        ("after 3 decisions", None),
        ("what happened on 14 Sept?", date(2026, 9, 14)),
        # With its year, that year's ("15 November" alone is this year's): a later one too, the caller says so.
        ("what happened on 15 November 2023?", date(2023, 11, 15)),
        ("news from November 15th, 2023", date(2023, 11, 15)),
        ("any news on 15/11/2023?", date(2023, 11, 15)),
        ("what happened on 11/15/2023?", date(2023, 11, 15)),  # no 15th month: month first
        ("stories of 2023-11-15", date(2023, 11, 15)),
        ("what happened on 3 March 2027?", date(2027, 3, 3)),
        ("what happened on 29 February 2023?", None),
    ],
)
def test_named_day_is_the_last_such_day_on_or_before_today(text: str, day: date | None) -> None:
    """ "What happened on 14 November?" showed a passage on bus route 14: the day a question names, on or before
    the reader's today (Sunday 6 December 2026 here)."""
    assert named_day(text, date(2026, 12, 6)) == day


def test_without_day_leaves_a_subject_to_search() -> None:
    assert small_talk(without_day("what happened on 14 November?")) == "latest"
    assert small_talk(without_day("stories from last Tuesday")) == "latest"
    assert small_talk(without_day("what did the council decide on Monday?")) is None
    assert small_talk(without_day("any news from 15/11/2023?")) == "latest"


SUNDAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        # Each was "no date" to `--since`, though a question naming it was read (or the span is a reader's).
        ("monday", (date(2026, 11, 30),) * 2),
        ("Last Friday", (date(2026, 12, 4),) * 2),
        ("since monday", (date(2026, 11, 30),) * 2),
        ("this week", (date(2026, 11, 30), SUNDAY)),
        ("this month", (date(2026, 12, 1), SUNDAY)),
        ("since June", (date(2026, 6, 1), date(2026, 6, 30))),
        ("december", (date(2026, 12, 1), date(2026, 12, 31))),
        ("February 2024", (date(2024, 2, 1), date(2024, 2, 29))),
        ("in 2024", (date(2024, 1, 1), date(2024, 12, 31))),
        ("14 November", (date(2026, 11, 14),) * 2),
        # Read as before: a span counted back, a day, a date in numbers.
        ("2 weeks ago", (date(2026, 11, 22),) * 2),
        # "last week", "last month", "last year" alone are the calendar's before this one ("last month" was the
        # last 30 days); "the last month", "past year", "last 2 weeks" count back from today.
        ("last week", (date(2026, 11, 23), date(2026, 11, 29))),
        ("last month", (date(2026, 11, 1), date(2026, 11, 30))),
        ("last year", (date(2025, 1, 1), date(2025, 12, 31))),
        ("the last month", (date(2026, 11, 6), SUNDAY)),
        ("past year", (date(2025, 12, 6), SUNDAY)),
        ("last 2 weeks", (date(2026, 11, 22), SUNDAY)),
        ("yesterday", (date(2026, 12, 5),) * 2),
        ("2013-03-07", (date(2013, 3, 7),) * 2),
        ("7-03-2013", (date(2013, 3, 7),) * 2),
        # Not a day alone: an ISO time is the caller's to read, the rest no date at all.
        ("2013-03-07T10:00:00Z", None),
        ("tomorrow", None),
        ("monday morning", None),
        ("june bug", None),
        ("1850", None),
    ],
)
def test_days_named_reads_a_day_or_span_as_a_question_names_it(typed: str, days: tuple[date, date] | None) -> None:
    assert days_named(typed, SUNDAY) == days


@pytest.mark.parametrize(
    ("text", "days"),
    [
        # Each was searched ("No article uses the words last or month") or listed the plain newest as this week's.
        ("what happened last month?", (date(2026, 11, 1), date(2026, 11, 30))),
        ("what happened in the last month?", (date(2026, 11, 6), SUNDAY)),
        ("news from last year", (date(2025, 1, 1), date(2025, 12, 31))),
        ("any news over the past year?", (date(2025, 12, 6), SUNDAY)),
        ("what happened this week?", (date(2026, 11, 30), SUNDAY)),
        ("any news from 2024?", (date(2024, 1, 1), date(2024, 12, 31))),
        ("what happened in June?", (date(2026, 6, 1), date(2026, 6, 30))),
        ("what happened this morning?", (SUNDAY,) * 2),
        ("what happened on Christmas Day?", (date(2025, 12, 25),) * 2),  # the last one
        ("stories from new year's eve", (date(2025, 12, 31),) * 2),
        ("what happened on 14 November?", (date(2026, 11, 14),) * 2),
        # A day or a span alone, or turned to, is one too: "2026" was declined, "No article uses the word “2026”".
        ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
        ("7 December 2025?", (date(2025, 12, 7),) * 2),
        ("and 2023", (date(2023, 1, 1), date(2023, 12, 31))),
        # A month or year a question names without saying it is a span is a word to search.
        ("what did June Whitlock say?", None),
        ("the 2024 candidates", None),
        ("what happened before the election?", None),
    ],
)
def test_named_days_reads_a_questions_day_or_span(text: str, days: tuple[date, date] | None) -> None:
    assert named_days(text, SUNDAY) == days


def test_without_day_leaves_a_span_out_too() -> None:
    assert small_talk(without_day("what happened last month?")) == "latest"
    assert small_talk(without_day("what happened in the last month?")) == "latest"  # "what happened in the?" before
    assert small_talk(without_day("what happened in 2024?")) == "latest"
    assert without_day("what did the council decide in June?") == "what did the council decide ?"


@pytest.mark.parametrize(
    ("text", "alone"),
    [
        ("2026", True),
        ("2026?", True),
        ("7 December 2026", True),
        ("June", True),
        ("yesterday", True),
        ("what about last week?", True),
        ("and 2023", True),
        # A day among a question's words is the question's: searched, or read by `without_day` and `small_talk`.
        ("what did the council decide on Monday?", False),
        ("2026 candidates", False),
        ("what about kelby?", False),
        ("", False),
    ],
)
def test_a_day_or_span_alone_is_told_from_a_question_naming_one(text: str, alone: bool) -> None:
    assert names_days_alone(text) is alone
