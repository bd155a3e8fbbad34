"""The days a reader names in words ("yesterday", "last Tuesday", "14 November 2023", "this week", "June", "3 days
ago"): one reading for a question typed to the bot and for `newsbot ask --since` and `--until`, so a day one of
them understands the other does too ("--since monday" was no date, though "what happened on Monday?" was read)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.calendar_words import MONTH_WORD, WEEKDAY_NAMES, WEEKDAY_WORD, month_number
from bot.errors import ArticleError
from bot.ingest.dates import parse_date

# A day a question names ("on 14 November", "on 15 November 2023", "on 15/11/2023", "on Monday", "last Tuesday", "on
# the 3rd", "yesterday"): "what happened on 14 November?" showed a passage on bus route 14, "stories from last
# Tuesday" was declined. A month is one of its names as a whole word: "14 Mayday" and "the 3rd marathon" named none.
# The days of the year newsrooms name without a date (month, day): "what happened on Christmas Day?".
_HOLIDAYS = {
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "boxing day": (12, 26),
    "new years eve": (12, 31),
    "new years day": (1, 1),
}
_NTH = r"(?:the\s+)?(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<{}>\d{{4}}))?"
_NAMED_DAY = re.compile(
    r"(?:\b(?:on|from|of|for)\s+)?\b(?:(?P<relative>today|yesterday|tonight|this\s+(?:morning|afternoon|evening))"
    r"|(?P<holiday>christmas\s+(?:day|eve)|boxing\s+day|new\s+year'?s\s+(?:day|eve))"
    rf"|(?P<last>last\s+)?(?P<weekday>{WEEKDAY_WORD})"
    rf"|{_NTH.format('day')}(?:\s+of)?\s+(?P<month>{MONTH_WORD}){_YEAR.format('year')}"
    rf"|(?P<month_first>{MONTH_WORD})\s+{_NTH.format('day_after')}{_YEAR.format('year_after')}"
    # In numbers, with its year (without one "3/4" is as often a score or a share): as articles' dates are read.
    r"|(?P<numbers>\d{1,2}(?P<separator>[/.-])\d{1,2}(?P=separator)\d{4}|\d{4}-\d{1,2}-\d{1,2})"
    r"|the\s+(?P<nth>[0-3]?\d)(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)


def named_day(text: str, today: date) -> date | None:
    """The day `text` names: a date with its year as written (a later one than `today` too: the caller says it has
    not come); else the one on or before `today` (the reader's), a weekday or a date without a year as the last one
    on or before it ("last Tuesday" before it), a day of the month alone as this month's or an earlier one's; None
    when it names none (or one no calendar has, "30 February")."""
    found = _NAMED_DAY.search(text)
    return None if found is None else _day_of(found, today)


def _day_of(found: re.Match[str], today: date) -> date | None:
    """The day a match of `_NAMED_DAY` names (see `named_day`)."""
    if found["relative"]:
        return today - timedelta(days=found["relative"].lower() == "yesterday")
    if found["weekday"]:
        back = (today.weekday() - WEEKDAY_NAMES.index(found["weekday"].lower())) % 7
        return today - timedelta(days=back or (7 if found["last"] else 0))
    if found["numbers"]:
        try:
            return parse_date(found["numbers"]).date()
        except ArticleError:
            return None
    if holiday := found["holiday"]:
        month, number = _HOLIDAYS[" ".join(holiday.casefold().replace("'", "").split())]
    else:
        month_name = found["month"] or found["month_first"]
        month, number = (
            month_number(month_name) if month_name else 0,
            int(found["day"] or found["day_after"] or found["nth"]),
        )
    if year := found["year"] or found["year_after"]:
        try:
            return date(int(year), month, number)
        except ValueError:
            return None
    for back in range(13):  # a year back, where the 31st is in some month, and 29 February perhaps not
        year_index, month_index = divmod(today.year * 12 + today.month - 1 - back, 12)
        if month and month_index + 1 != month:
            continue
        try:
            day = date(year_index, month_index + 1, number)
        except ValueError:
            continue
        if day <= today:
            return day
    return None


def said_day(day: date, today: date) -> str:
    """A day as a line written on `today` names it beside a time, short, as a reader names days: "" for today,
    "yesterday", its weekday for the days of the week before ("Sat"), else its date ("Sat 14 Nov", "Sat 14 Nov
    2025" of another year). "Just in: 3 stories since 23:40" sent after midnight read as 3 stories of one minute."""
    back = (today - day).days
    if back <= 0:
        return ""
    if back == 1:
        return "yesterday"
    if back < 7:
        return f"{day:%a}"
    return f"{day:%a} {day.day} {day:%b}" + ("" if day.year == today.year else f" {day.year}")


def without_day(text: str) -> str:
    """`text` without the day or span it names ("what happened on 14 November?", "what happened in June?" are "what
    happened?")."""
    pattern = _NAMED_DAY if _NAMED_DAY.search(text) else _ASKED_SPAN
    return " ".join(pattern.sub(" ", text, count=1).split())


# The spans counted back from today: "3 days ago" (that day), "the last week", "past month" or "last 3 months" (from
# then to today), a month as 30 days; the calendar's: "last week", "last month", "last year" alone (the one before
# this: a reader asking "what happened last month?" on 6 December means November, not 6 November on), "this week"
# (from its Monday), "this month", "this year", a month ("June", "June 2024": the last one begun by today without its
# year) and a year ("2024").
SPAN_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}
_SPANS = "|".join(SPAN_DAYS)
_CALENDAR = "week|month|year"
_COUNTED_BACK = (
    rf"(?P<count>\d{{1,3}}|an?|one)\s+(?P<span>{_SPANS})s?\s+ago"
    rf"|(?P<the>(?:(?:in|over|during|for|within)\s+)?the\s+)?(?P<which>last|past)\s+(?:(?P<counted>\d{{1,3}})\s+)?(?P<last>{_SPANS})s?"
    rf"|this\s+(?P<this>{_CALENDAR})"
)
_MONTH_OR_YEAR = rf"(?P<month>{MONTH_WORD})(?:,?\s+(?P<month_year>\d{{4}}))?|(?P<year>(?:19|20)\d\d)"
# As typed to --since: the span alone ("june", "2024").
_TYPED_SPAN = re.compile(f"{_COUNTED_BACK}|{_MONTH_OR_YEAR}")
# In a question a month or a year is a span after a word saying so ("what happened in June?", "news from 2024"):
# "June Whitlock" and "2024 candidates" name none.
_ASKED_SPAN = re.compile(
    rf"\b(?:{_COUNTED_BACK}|(?:in|during|from|since|of|for)\s+(?:{_MONTH_OR_YEAR}))\b", re.IGNORECASE
)
# The word before a day or span that only says it is one ("since June", "from Monday", "in 2024").
_LEADING = re.compile(r"^(?:since|from|on|in|during|until|till|of|for)\s+")


def days_named(text: str, today: date) -> tuple[date, date] | None:
    """The first and last day `text`, as a whole (typed to --since or --until), names on the reader's `today`: a day
    `named_day` reads (that day both), a span (see `_COUNTED_BACK`) or a month or a year (its first and last day);
    None for other text (an ISO time, "tomorrow")."""
    words = _LEADING.sub("", " ".join(text.casefold().split()), count=1)
    if (found := _NAMED_DAY.fullmatch(words)) and (day := _day_of(found, today)):
        return day, day
    span = _TYPED_SPAN.fullmatch(words)
    return None if span is None else _span_of(span, today)


def named_days(text: str, today: date) -> tuple[date, date] | None:
    """The first and last day a question names: a day (`named_day`: "on Monday", that day both), else a span ("this
    week", "last month", "in June", "in 2024", as `days_named` reads them), or is one alone ("2024"); None when it
    names neither."""
    if (day := named_day(text, today)) is not None:
        return day, day
    span = _ASKED_SPAN.search(text)
    return days_named(_day_words(text), today) if span is None else _span_of(span, today)


# Around a day or span typed alone ("2026?", "June.").
_AROUND = " ?!.,;:"


# A turn to another day, as to another subject: "what about last week?", "and yesterday?".
_TURN = re.compile(r"^(?:(?:and\s+)?(?:what|how)\s+about|and)\s+")


def _day_words(text: str) -> str:
    """A message's words (folded) after a turn opening it (`_TURN`), without the marks around them."""
    return _TURN.sub("", " ".join(text.strip(_AROUND).casefold().split()), count=1)


def names_days_alone(text: str) -> bool:
    """Whether a message is a day or a span alone ("2026", "7 December 2026", "June", "last week"), or a turn to one
    ("what about last week?"), which asks for its stories as "what happened in 2026?" does: searched, "2026" was
    declined, "No article uses the word “2026”", though every story was dated 2026, and "what about last week?", "No
    article uses the word “week”"."""
    words = _LEADING.sub("", _day_words(text), count=1)
    return bool(words) and (_NAMED_DAY.fullmatch(words) is not None or _TYPED_SPAN.fullmatch(words) is not None)


def this_span(text: str) -> str:
    """The calendar's span a question names as the one now ("this week"), in lower case; "" for none. On its first
    day it is today alone, which a reader asking after "this week" on a Monday does not call it."""
    span = None if _NAMED_DAY.search(text) else _ASKED_SPAN.search(text)
    return f"this {span['this'].casefold()}" if span is not None and span["this"] else ""


def _span_of(span: re.Match[str], today: date) -> tuple[date, date]:
    """The first and last day a match of `_TYPED_SPAN` or `_ASKED_SPAN` names."""
    if unit := span["span"] or span["last"]:
        if _previous(span):
            first = _first_of(unit.casefold(), today)
            return _first_of(unit.casefold(), first - timedelta(days=1)), first - timedelta(days=1)
        count = next((int(n) for n in (span["count"], span["counted"]) if n and n.isdigit()), 1)
        begun = today - timedelta(days=count * SPAN_DAYS[unit.casefold()])
        return begun, (begun if span["span"] else today)
    if this := span["this"]:
        return _first_of(this.casefold(), today), today
    if span["year"]:
        return date(int(span["year"]), 1, 1), date(int(span["year"]), 12, 31)
    month = month_number(span["month"])
    year = int(span["month_year"] or (today.year if month <= today.month else today.year - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, 1), following - timedelta(days=1)


def _previous(span: re.Match[str]) -> bool:
    """Whether a span counted back is the calendar's week, month or year before this one: "last month" alone, not
    "the last month", "past month" or "last 2 months" (those count back from today)."""
    return (
        span["last"] is not None
        and span["which"].casefold() == "last"
        and not (span["the"] or span["counted"])
        and span["last"].casefold() in _CALENDAR.split("|")
    )


def _first_of(unit: str, day: date) -> date:
    """The first day of the calendar's week (its Monday), month or year holding `day`."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if unit == "month" else date(day.year, 1, 1)
