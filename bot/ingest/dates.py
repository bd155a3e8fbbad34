"""Dates as newsrooms write them, always read as timezone-aware UTC."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from pathlib import PurePath
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar_words import MONTHS, WEEKDAYS
from bot.errors import ArticleError

# Which comes first in a date written in numbers: the day (`03/04/2026` is 3 April, as most of the world and the
# seed's format write it) or the month (4 March, as American newsrooms and CMSs write it).
Order = Literal["day", "month"]
_ORDERS: tuple[Order, Order] = ("day", "month")
# How much closer together (a month) one reading of a file's ambiguous dates must keep them than the other to win.
_CLOSER = timedelta(days=30)
# A year written in two digits (`12/01/26`, `1-Dec-26`) is the latest that ends so and is at most this many years
# after the year it is read in: this century's, unless that dates a story years ahead (`12/01/98` is 1998).
_YEARS_AHEAD = 1
# How far after the clock a story's date may be before it is noted as in the future: a day, as a date written in
# a zone ahead of UTC (Auckland's, 13 hours) or without its time is ahead of the clock that reads it.
_AHEAD = timedelta(days=1)
# A month's name or abbreviation, in any language `MONTHS` knows (a word it does not know is refused once read).
_MONTH = r"(?P<month_name>[^\W\d_]{3,10})\.?"
# "7th", German "7.", French "1er", Spanish "1º".
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|\.|º|°)?"
# "07:37", "7.37 pm", "at 19:05:10", Drupal's "- 10:15", German "um 10:15 Uhr", French "à 10h15", Spanish "a las
# 10:15 h", Oracle's "10.15.00.000000 AM", after the date; an hour alone only with am or pm ("9pm", "9 p.m."), as
# newsrooms write it.
_TIME = (
    r"(?:,?\s+(?:at\s+|-\s+|um\s+|à\s+|a\s+las\s+)?(?P<hour>\d{1,2})"
    r"(?:[:.h](?P<minute>\d{2})(?:[:.](?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?|(?=\s*[ap]\.?m\.?(?![a-z])))"
    r"(?:\s*(?P<half>[ap])\.?m\.?(?![a-z]))?(?:\s*(?:Uhr|h)\b)?)?"
)


class NamedZone(NamedTuple):
    """A zone abbreviation: its hours from UTC, as a date written with it is read, and what a reader means by it
    for a clock (/timezone): `zone` when that is certain (Moscow and Japan keep MSK and JST all year, and nobody
    else writes them; the tz database's CET and EET are central and eastern Europe's clocks), else None and the
    zones it `may_mean`: it names half a year of a clock (EDT, BST) or several clocks (EST: New York's in
    winter, Panama's all year)."""

    hours: int
    zone: str | None
    may_mean: tuple[str, ...] = ()


# Zone abbreviations read by their hours from UTC: RFC 2822's North American ones (as email.utils reads them) and
# those English-language newsrooms write in Europe, Russia, Japan and Australia. Others are ambiguous ("IST" is
# India's, Ireland's and Israel's) and make a date unreadable rather than wrong.
NAMED_ZONES = {
    "EST": NamedZone(-5, None, ("America/New_York", "America/Panama")),
    "EDT": NamedZone(-4, None, ("America/New_York",)),
    "CST": NamedZone(-6, None, ("America/Chicago", "Asia/Shanghai")),
    "CDT": NamedZone(-5, None, ("America/Chicago",)),
    "MST": NamedZone(-7, None, ("America/Denver", "America/Phoenix")),
    "MDT": NamedZone(-6, None, ("America/Denver",)),
    "PST": NamedZone(-8, None, ("America/Los_Angeles",)),
    "PDT": NamedZone(-7, None, ("America/Los_Angeles",)),
    "BST": NamedZone(1, None, ("Europe/London",)),
    "CET": NamedZone(1, "CET"),
    "CEST": NamedZone(2, None, ("Europe/Berlin", "Europe/Paris")),
    "EET": NamedZone(2, "EET"),
    "EEST": NamedZone(3, None, ("Europe/Athens", "Europe/Helsinki")),
    "MSK": NamedZone(3, "Europe/Moscow"),
    "JST": NamedZone(9, "Asia/Tokyo"),
    "AEST": NamedZone(10, None, ("Australia/Sydney", "Australia/Brisbane")),
    "AEDT": NamedZone(11, None, ("Australia/Sydney",)),
}
# American newsrooms (AP style) name the clock, not the offset: "9:15 a.m. ET" is New York's time, summer or
# winter, so the date itself says which half of the year it is.
_CLOCKS = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles"}
# A zone after the time: GMT or UTC (with an offset or not), Z, an offset, or one of NAMED_ZONES or _CLOCKS.
_ZONE = (
    r"(?:\s*(?P<zone>(?:GMT|UTC)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{2}:?\d{2}|[A-Za-z]+(?:/[A-Za-z_+-]+)+|"
    + "|".join((*NAMED_ZONES, *_CLOCKS))
    + r"))?"
)
_WEEKDAY = rf"(?:(?P<weekday>{'|'.join(sorted(WEEKDAYS, key=len, reverse=True))})\.?,?\s+)?"
# Four digits, or two as spreadsheets, Oracle and old e-mail write them (see `_YEARS_AHEAD`).
_YEAR = r"(?P<year>\d{4}|\d{2})"
_FORMS = (
    *(
        re.compile(rf"^{_WEEKDAY}{date}{_TIME}{_ZONE}$", re.IGNORECASE)
        for date in (
            # Numbers: the seed's own `7-03-2013, 07:37`, German `01.12.2026`, American `12/01/2026` or `12/01/26`;
            # day or month first (see `Order`).
            rf"(?P<number1>\d{{1,2}})(?P<separator>[-./])(?P<number2>\d{{1,2}})[-./]{_YEAR}",
            # Year first, as ISO 8601 orders it but with a space (or slashes) and maybe a zone's name, as databases and
            # exports write it: `2026-12-01 11:30:00 UTC`, `2026/12/01 11:30`.
            r"(?P<year>\d{4})[-./](?P<month>\d{1,2})[-./](?P<day>\d{1,2})",
            # `7 March 2013`, `7th of March`, `1. Dezember 2026`, `1er décembre 2026`, `1 de diciembre de 2026`, and
            # Oracle's and spreadsheets' `01-DEC-26`.
            rf"{_DAY}(?:-|\s+(?:of\s+|de\s+)?){_MONTH}(?:-|,?\s+(?:de\s+)?){_YEAR}",
            rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}",
        )
    ),
    # Unix's `date` and Java's `Date.toString()`: the year after the time and its zone, `Tue Dec 01 10:15:00 CET
    # 2026`. The e-mail parser took it without its zone, as UTC.
    re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY}{_TIME}{_ZONE}\s+{_YEAR}$", re.IGNORECASE),
)
# The same with any word for its zone: one not in `_ZONE` is unknown or ambiguous, so the date is unreadable.
_UNIX_ANY_ZONE = re.compile(
    rf"^{_WEEKDAY}{_MONTH}\s+\d{{1,2}}\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s+(?P<name>[A-Za-z]+)\s+\d{{4}}$", re.IGNORECASE
)
# A comment in brackets after a date, as e-mail (`+0100 (CET)`) and JavaScript's `Date.toString()` (`GMT+0100
# (Central European Standard Time)`) write it: the offset before it says the zone.
_COMMENT = re.compile(r"(?<=\d)\s*\([^()]*\)$")
# The zone names email.utils knows; it reads any other name after an e-mail date's time as UTC, a wrong date for
# "IST" or "BST".
_EMAIL_ZONES = frozenset(
    {"UT", "UTC", "GMT", "Z", "AST", "ADT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}
)
_ZONE_NAME_AT_END = re.compile(r"(?<=\d)\s+([a-z]+)$", re.IGNORECASE)
_OFFSET = re.compile(r"([+-])(\d{1,2}):?(\d{2})?$")
# ISO 8601 with the zone after it in brackets, as RFC 9557 and Java's `ZonedDateTime` write it (Java CMSs export it):
# `2026-12-01T10:15:00+01:00[Europe/Paris]`; the offset, when given, is the instant.
_BRACKETED = re.compile(r"(?P<iso>\d{4}-\d{2}-\d{2}T[^\[\s]+)\[(?P<zone>UTC|[A-Za-z]+(?:/[A-Za-z0-9_+-]+)+)\]")
# Epoch seconds, or milliseconds (12-13 digits) as JavaScript and many JSON exports write them.
_EPOCH = re.compile(r"(\d{9,13})(\.\d+)?")
# A year written with a minus sign before the time (WordPress's `Mon, 30 Nov -0001 00:00:00 +0000` for a post it has
# no date for), which the e-mail parser read as the year 2000.
_NEGATIVE_YEAR = re.compile(r"\s(-\d+)\s+\d{1,2}:\d{2}")


def parse_date(raw: str, order: Order = "day", now: datetime | None = None) -> datetime:
    """Parse the dates newsrooms write: `7-03-2013, 07:37`, `7 March 2013`, `March 7, 2013, 7:37 pm GMT`, the same
    in German, French and Spanish (`1. Dezember 2026`, `1er décembre 2026`, `1 de diciembre de 2026`), ISO 8601,
    RFC 2822, epoch seconds or milliseconds.

    A date in numbers is read in `order` (day or month first) when it could be either; one that can only be read
    one way (`13/03/2026`, `03/13/2026`, or a weekday that only one reading falls on) is read that way. A year in two
    digits is this century's unless that is more than a year after `now`'s (default: the clock's), then the last's
    (see `_YEARS_AHEAD`).
    The result is always timezone-aware UTC (newsbot's one rule for times); a date written without a zone is taken
    as UTC.
    """
    text = _COMMENT.sub("", " ".join(raw.split()))
    for form in _FORMS:
        if match := form.fullmatch(text):
            return _from_parts(match, text, order, now)
    if unix := _UNIX_ANY_ZONE.fullmatch(text):
        raise ArticleError(f"unreadable date {text!r}: the zone {unix['name']!r} is ambiguous or unknown")
    if bracketed := _BRACKETED.fullmatch(text):
        return _with_bracketed_zone(bracketed, text)
    if epoch := _EPOCH.fullmatch(text):
        return datetime.fromtimestamp(float(text) / (1000 if len(epoch[1]) > 11 else 1), tz=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _email_date(text)
    return _in_utc(parsed, text)


def _with_bracketed_zone(match: re.Match[str], text: str) -> datetime:
    """An ISO 8601 date and its zone in brackets (`_BRACKETED`): its offset's instant, else its time on that clock."""
    try:
        parsed = datetime.fromisoformat(match["iso"].replace("Z", "+00:00"))
        zone = _zone(match["zone"])
    except ZoneInfoNotFoundError as exc:
        raise ArticleError(f"unreadable date {text!r}: no zone is called {match['zone']!r}") from exc
    except ValueError as exc:
        raise ArticleError(f"unreadable date {text!r} (expected ISO 8601 before the zone)") from exc
    return _in_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=zone), text)


def _email_date(text: str) -> datetime:
    """An e-mail (RFC 2822) date, its zone name read as in the other forms; an ambiguous name is refused."""
    named = _ZONE_NAME_AT_END.search(text)
    zone = named[1].upper() if named else ""
    ours = named is not None and (zone in NAMED_ZONES or zone in _CLOCKS)
    if named and zone not in _EMAIL_ZONES and not ours:
        raise ArticleError(f"unreadable date {text!r}: the zone {named[1]!r} is ambiguous or unknown")
    if negative := _NEGATIVE_YEAR.search(text):
        raise ArticleError(f"impossible date {text!r}: year {negative[1]} is out of range")
    try:
        parsed = parsedate_to_datetime(text[: named.start()] if named and ours else text)
    except (TypeError, ValueError, IndexError) as exc:
        raise ArticleError(f"unreadable date {text!r} (expected D-MM-YYYY, HH:MM, 7 March 2013 or ISO 8601)") from exc
    return parsed.replace(tzinfo=_zone(zone)) if ours else parsed


def read_date(raw: str, dates: FileDates | None = None) -> tuple[datetime | None, str | None]:
    """The date `raw` names, read as its file's `dates` are (see `FileDates`; else `parse_date`'s default), else
    None and a note naming it: an article whose date cannot be read is kept undated, never given a wrong date, and
    never lost for it. A date more than a day after the `dates`' `now` (else the clock's) is kept as written, with a
    note (see `_future_note`)."""
    try:
        published = (dates.parse if dates else parse_date)(raw)
    except ArticleError as exc:
        return None, f"{exc}; the article is kept undated"
    return published, _future_note(published, dates._now if dates else None)


# The folders newsrooms (and `wget` mirrors of their sites) file a day's stories under: 2026/12/02, or 2026-12-02.
_YEAR_FOLDER = re.compile(r"\d{4}")
_DAY_FOLDER = re.compile(r"\d{2}")
_DATE_FOLDER = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# A file named by its day, as Jekyll names its posts (`_posts/2026-12-01-pool-prices.md`).
_DATED_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[-_]")


def folder_date(path: PurePath, now: datetime | None = None) -> datetime | None:
    """The day the file's name begins with (Jekyll's `_posts/2026-12-01-pool-prices.md`, which went in undated),
    else the one the folders holding `path` name (`corpus/2026/12/02/story.txt`, `2026-12-02/story.txt`; the one
    nearest the file), for an article that writes no date of its own; None when they name none, or one more than a
    day ahead of `now` (a folder is no typo to keep with a note, as a written date is: it is only a fallback)."""
    if (named := _DATED_NAME.match(path.name)) and _exists(*(dated := (int(named[1]), int(named[2]), int(named[3])))):
        found = datetime(*dated, tzinfo=UTC)
        if dated[0] >= 1900 and not _future_note(found, now):
            return found
    folders = path.parent.parts
    for end in range(len(folders), 0, -1):
        year, month, day = folders[max(end - 3, 0) : end] if end >= 3 else ("", "", "")
        if _YEAR_FOLDER.fullmatch(year) and _DAY_FOLDER.fullmatch(month) and _DAY_FOLDER.fullmatch(day):
            parts = (int(year), int(month), int(day))
        elif written := _DATE_FOLDER.fullmatch(folders[end - 1]):
            parts = (int(written[1]), int(written[2]), int(written[3]))
        else:
            continue
        if _exists(*parts) and parts[0] >= 1900:
            found = datetime(*parts, tzinfo=UTC)
            return None if _future_note(found, now) else found
    return None


def readable_date(raw: str, dates: FileDates | None = None) -> tuple[datetime, str | None] | None:
    """The date `raw` names and its note, as `read_date` reads them, for text that may be no date at all (a line
    that may be the story's first, a page's metadata): None when it is none, with no note."""
    published, note = read_date(raw, dates)
    return None if published is None else (published, note)


def _future_note(published: datetime, now: datetime | None = None) -> str | None:
    """A note on a date more than `_AHEAD` after `now` (default: the clock's), a typo's year (`3rd Dec. 2027`)
    more likely than news from the future, which would sit at the top of /latest and digests; else None. The date
    stays as written: newsbot cannot tell the one meant, and the note names the article to check."""
    if published - (now or datetime.now(UTC)) <= _AHEAD:
        return None
    return f"dated {published.day} {published:%b %Y}, in the future: check its date (it is kept as written)"


@dataclass
class DateEvidence:
    """What a file's dates show about the order of its dates in numbers (see `FileDates`), gathered in one reading:
    a date of each order that can only be read so, the earliest and latest date under each reading (its certain
    dates in both), an ambiguous date, and whether any ambiguous one is a guess (not between dots). Files'
    evidence adds up (`add`) as their dates read together would, so a batch reads each file's dates once."""

    only: dict[Order, str] = field(default_factory=dict)
    spans: dict[Order, list[datetime]] = field(default_factory=lambda: {"day": [], "month": []})
    example: str = ""
    guessed: bool = False

    @classmethod
    def read(cls, written: Iterable[str], now: datetime | None = None) -> DateEvidence:
        """The evidence of dates as written (`now`: see `parse_date`)."""
        evidence = cls()
        for raw in written:
            text = " ".join(raw.split())
            match = _FORMS[0].fullmatch(text)
            readings = _readings(match, now) if match else []
            if match and len(readings) == 2:
                evidence.example = evidence.example or text
                # Nobody writes the month first between dots (German `01.12.2026`): those are no guess.
                evidence.guessed = evidence.guessed or match["separator"] != "."
                for order, (day, month) in zip(_ORDERS, readings, strict=True):
                    _widen(evidence.spans[order], datetime(_year(match, now), month, day, tzinfo=UTC))
                continue
            if match and len(readings) == 1 and match["number1"] != match["number2"]:
                evidence.only.setdefault(
                    "day" if readings[0] == (int(match["number1"]), int(match["number2"])) else "month", text
                )
            try:
                certain = parse_date(text, now=now)
            except ArticleError:
                continue
            for span in evidence.spans.values():
                _widen(span, certain)
        return evidence

    def add(self, other: DateEvidence) -> DateEvidence:
        """This evidence and `other`'s, as if the dates behind `other` had been read after these."""
        for order, text in other.only.items():
            self.only.setdefault(order, text)
        for order, span in other.spans.items():
            for moment in span:
                _widen(self.spans[order], moment)
        self.example = self.example or other.example
        self.guessed = self.guessed or other.guessed
        return self


class FileDates:
    """How one file's dates in numbers are read: all day first or all month first, as a newsroom writes them.

    The order is the one `given` (`--date-order`), else the one the file's own dates show: any that can only be
    read month first (`03/13/2026`, or a weekday only that reading falls on) makes them all month first, any that
    can only be read day first, day first; in a file with both, a date that could be either is unreadable. When
    every one could be either, the reading that keeps the file's dates (its other dates with them) a month or more
    closer together wins, else day first, and `note` says so, once for the file; day first is no guess worth it
    for dates between dots (`01.12.2026`: only day-first writers use them) or in a format that says so (`stated`:
    the seed's `Published D-MM-YYYY`). `written` gives what all the file's dates show (`DateEvidence`), read when
    its first ambiguous date is met; without it the date being read decides alone (a file of one article).
    `advise`: the note says how to read them the other way (a feed followed has no `--date-order`).

    A file read with others in one ingest (a folder of one story a file) whose own dates show no order takes the
    order of its `batch`'s dates (a `FileDates` over all of them, read as one file's) unless they show both: one
    US newsroom's folder is read alike, and `batch_note` says so once for all.
    """

    def __init__(
        self,
        written: Callable[[], DateEvidence] | None = None,
        given: Order | None = None,
        stated: bool = False,
        advise: bool = True,
        now: datetime | None = None,
        batch: FileDates | None = None,
        files: dict[str, DateEvidence] | None = None,
    ) -> None:
        self._written = written
        # A batch's: each bulk file's evidence once read (by path), which the batch's order and the file's own both
        # need, so that the file is read for its dates once.
        self.files: dict[str, DateEvidence] = {} if files is None else files
        self._stated = stated
        self._advise = advise
        self._now = now
        self._batch = batch
        self.order = given
        # A date of each order that can only be read so, in a file that has both.
        self._both: tuple[str, str] | None = None
        # The date that can only be read in `order`, when one decided it; how many files took that order, and one
        # of their dates.
        self._shown: str | None = None
        self._followers = 0
        self._followed = ""
        self.note: str | None = None

    def parse(self, raw: str) -> datetime:
        """The date `raw` names, read in the file's order (see `parse_date`)."""
        if _ambiguous(raw, self._now):
            if self.order is None and self._both is None:
                self._decide(self._written() if self._written else DateEvidence.read([raw], self._now))
            if self._both:
                day_first, month_first = self._both
                raise ArticleError(
                    f"unreadable date {' '.join(raw.split())!r}: it could be day or month first, and its file has"
                    f" dates of both ({day_first}, {month_first})"
                )
        return parse_date(raw, self.order or "day", self._now)

    def _decide(self, evidence: DateEvidence) -> None:
        """Set `order` (or `_both`) and `note` from what every date the file writes shows, as the class says."""
        only, spans, example, guessed = evidence.only, evidence.spans, evidence.example, evidence.guessed
        if len(only) == 2:
            self._both = (only["day"], only["month"])
            return
        if only:
            self.order, self._shown = next(iter(only.items()))
            return
        quiet = self._stated or not guessed
        if self._batch is not None and (shared := self._batch._shared(example, quiet)) is not None:
            self.order = shared
            return
        width = {order: span[-1] - span[0] if span else timedelta(0) for order, span in spans.items()}
        self.order = "month" if width["day"] - width["month"] > _CLOSER else "day"
        closer = abs(width["day"] - width["month"]) > _CLOSER
        if not example or (self.order == "day" and quiet):
            return
        other: Order = "day" if self.order == "month" else "month"
        read_as = parse_date(example, self.order, self._now)
        # "within 0 days" and "within 1 days" were said of dates a day apart or on one day.
        days = width[self.order].days
        within = "a day" if days == 0 else "1 day" if days == 1 else f"{days} days"
        why = f", which keeps them within {within} of each other rather than {width[other].days}" if closer else ""
        self.note = (
            f"its dates in numbers ({example}) could each be day or month first: read {self.order} first{why}"
            f" ({example} is {read_as.day} {read_as:%B %Y})"
        ) + (f"; if they are {other} first, ingest it again with --date-order {other}" if self._advise else "")

    def _shared(self, example: str, quiet: bool) -> Order | None:
        """The order a batch's dates show, for one more of its files (`example` one of its dates; `quiet`: alone,
        it would have read them day first without a note, so that reading needs none), or None when they show
        both, or when the date that decided them separates its numbers otherwise than `example`."""
        if self.order is None and self._both is None:
            self._decide(self._written() if self._written else DateEvidence())
        if self._both or self.order is None:
            return None
        # Written with another separator (the shipped `7-03-2013` beside a US folder's `11/30/2026`), the file's
        # dates come from another desk or system than the date that decided the batch's order.
        if self._shown is not None and _separator(example) != _separator(self._shown):
            return None
        if not (quiet and self.order == "day"):
            self._followers += 1
            self._followed = self._followed or example
        return self.order

    def batch_note(self) -> str | None:
        """A batch's one note, when files took its order: its own (`note`) when no date decided it, else which one
        did when it is month first, which the files alone would not have read (a folder may hold more than one
        newsroom's files)."""
        if not self._followers or self._shown is None:
            return self.note if self._followers else None
        if self.order != "month":
            return None
        files = "1 file's dates" if self._followers == 1 else f"{self._followers} files' dates"
        return (
            f"{files} in numbers ({self._followed}) could each be day or month first: read month first, as"
            f" another file's {self._shown} can only be"
        ) + ("; if they are day first, ingest them again with --date-order day" if self._advise else "")


def _separator(text: str) -> str | None:
    """What separates the numbers of a date written in numbers (`/` of `11/30/2026`), else None."""
    match = _FORMS[0].fullmatch(text)
    return match["separator"] if match else None


def _widen(span: list[datetime], moment: datetime) -> None:
    """Make `span` (empty, or its earliest and latest) reach `moment`."""
    span[:] = [min(span[0], moment), max(span[-1], moment)] if span else [moment, moment]


def _ambiguous(raw: str, now: datetime | None) -> bool:
    """Whether `raw` is a date in numbers that could be day or month first."""
    match = _FORMS[0].fullmatch(" ".join(raw.split()))
    return match is not None and len(_readings(match, now)) == 2


def _year(match: re.Match[str], now: datetime | None) -> int:
    """The year a date names; one in two digits as `_YEARS_AHEAD` says, by `now`'s year (default: the clock's)."""
    year = int(match["year"])
    if len(match["year"]) > 2:
        return year
    latest = (now or datetime.now(UTC)).year + _YEARS_AHEAD
    return latest - (latest - year) % 100


def _readings(match: re.Match[str], now: datetime | None) -> list[tuple[int, int]]:
    """The (day, month) a date in numbers can be, day first before month first: two when it could be either, one
    when its numbers or its weekday allow only one, none when no calendar has it."""
    first, second, year = int(match["number1"]), int(match["number2"]), _year(match, now)
    readings = [
        (day, month) for day, month in dict.fromkeys(((first, second), (second, first))) if _exists(year, month, day)
    ]
    if weekday := match["weekday"]:
        named = WEEKDAYS[weekday.casefold()]
        readings = [(d, m) for d, m in readings if date(year, m, d).weekday() == named] or readings
    return readings


def _neither(first: str, second: str) -> str:
    """Why no reading of a date whose numbers are `first` and `second` exists: "13/13/2025" was "neither day 13 of
    month 13 nor day 13 of month 13 exists", one reading said twice."""
    if min(int(first), int(second)) > 12:  # no month has either number
        return f"no month is numbered {first}" if first == second else f"neither {first} nor {second} is a month (1-12)"
    return f"neither day {first} of month {second} nor day {second} of month {first} exists"


def _exists(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= monthrange(year, month)[1] if 1 <= year <= 9999 else False


def _from_parts(match: re.Match[str], text: str, order: Order, now: datetime | None) -> datetime:
    """The datetime one of `_FORMS` matched (a year in two digits read by `now`, see `_year`), or an ArticleError
    for a date no calendar has."""
    parts = match.groupdict()
    if (name := parts.get("month_name")) is not None and name.casefold() not in MONTHS:
        raise ArticleError(f"unreadable date {text!r}: no month is called {name!r}")
    if parts.get("number1") is not None:
        readings = _readings(match, now)
        if not readings:
            raise ArticleError(f"impossible date {text!r}: {_neither(parts['number1'], parts['number2'])}")
        day, month = readings[-1] if order == "month" else readings[0]
    else:
        day = int(parts["day"])
        month = MONTHS[name.casefold()] if name is not None else int(parts["month"])
    hour = int(parts["hour"] or 0)
    if parts["half"]:
        if not 1 <= hour <= 12:
            raise ArticleError(f"impossible date {text!r}: hour {hour} with am/pm")
        hour = hour % 12 + (12 if parts["half"].casefold() == "p" else 0)
    try:
        zone = _zone(parts["zone"])
        written = datetime(
            _year(match, now),
            month,
            day,
            hour,
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(f"{parts['fraction'] or ''}000000"[:6]),
        )
    except ZoneInfoNotFoundError as exc:
        raise ArticleError(f"unreadable date {text!r}: no zone is called {parts['zone']!r}") from exc
    except ValueError as exc:
        raise ArticleError(f"impossible date {text!r}: {exc}") from exc
    return _in_utc(written.replace(tzinfo=zone), text)


def _zone(written: str | None) -> tzinfo:
    """The zone a date names after its time (UTC when none); one named as the tz database names it
    (`Europe/Berlin`, as databases and CMSs export it) is that clock (ZoneInfoNotFoundError if it has none)."""
    if written and "/" in written:
        return ZoneInfo(written)
    if written and (clock := _CLOCKS.get(written.upper())) is not None:
        return ZoneInfo(clock)
    if written and (named := NAMED_ZONES.get(written.upper())) is not None:
        return timezone(timedelta(hours=named.hours))
    if not written or (offset := _OFFSET.search(written)) is None:
        return UTC
    sign, hours, minutes = offset.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return timezone(-delta if sign == "-" else delta)


def _in_utc(parsed: datetime, text: str) -> datetime:
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError as exc:  # a year-1 date with an eastern zone has no UTC time
        raise ArticleError(f"impossible date {text!r}: out of range") from exc
