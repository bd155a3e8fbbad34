"""Dates as newsrooms write them, always read as timezone-aware UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.errors import ArticleError

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month_name>[a-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
# "07:37", "7.37 pm", "at 19:05:10", after the date.
_TIME = (
    r"(?:,?\s+(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*(?P<half>[ap])\.?m\.?)?)?"
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
    r"(?:\s*(?P<zone>(?:GMT|UTC)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{2}:?\d{2}|"
    + "|".join((*NAMED_ZONES, *_CLOCKS))
    + r"))?"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_FORMS = tuple(
    re.compile(rf"^{_WEEKDAY}{date}{_TIME}{_ZONE}$", re.IGNORECASE)
    for date in (
        # The seed's own: day first, `7-03-2013, 07:37`.
        r"(?P<day>\d{1,2})[-./](?P<month>\d{1,2})[-./](?P<year>\d{4})",
        # Year first, as ISO 8601 orders it but with a space (or slashes) and maybe a zone's name, as databases and
        # exports write it: `2026-12-01 11:30:00 UTC`, `2026/12/01 11:30`.
        r"(?P<year>\d{4})[-./](?P<month>\d{1,2})[-./](?P<day>\d{1,2})",
        rf"{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})",
        rf"{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}})",
    )
)
# The zone names email.utils knows; it reads any other name after an e-mail date's time as UTC, a wrong date for
# "IST" or "BST".
_EMAIL_ZONES = frozenset(
    {"UT", "UTC", "GMT", "Z", "AST", "ADT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}
)
_ZONE_NAME_AT_END = re.compile(r"(?<=\d)\s+([a-z]+)$", re.IGNORECASE)
_OFFSET = re.compile(r"([+-])(\d{1,2}):?(\d{2})?$")
# Epoch seconds, or milliseconds (12-13 digits) as JavaScript and many JSON exports write them.
_EPOCH = re.compile(r"(\d{9,13})(\.\d+)?")
# A year written with a minus sign before the time (WordPress's `Mon, 30 Nov -0001 00:00:00 +0000` for a post it has
# no date for), which the e-mail parser read as the year 2000.
_NEGATIVE_YEAR = re.compile(r"\s(-\d+)\s+\d{1,2}:\d{2}")


def parse_date(raw: str) -> datetime:
    """Parse the dates newsrooms write: `7-03-2013, 07:37` (day first), `7 March 2013`, `March 7, 2013, 7:37 pm
    GMT`, ISO 8601, RFC 2822, epoch seconds or milliseconds.

    The result is always timezone-aware UTC (newsbot's one rule for times); a date written without a zone is
    taken as UTC.
    """
    text = " ".join(raw.split())
    for form in _FORMS:
        if match := form.fullmatch(text):
            return _from_parts(match, text)
    if epoch := _EPOCH.fullmatch(text):
        return datetime.fromtimestamp(float(text) / (1000 if len(epoch[1]) > 11 else 1), tz=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _email_date(text)
    return _in_utc(parsed, text)


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


def read_date(raw: str) -> tuple[datetime | None, str | None]:
    """The date `raw` names, else None and a note naming it: an article whose date cannot be read is kept
    undated, never given a wrong date, and never lost for it."""
    try:
        return parse_date(raw), None
    except ArticleError as exc:
        return None, f"{exc}; the article is kept undated"


def _from_parts(match: re.Match[str], text: str) -> datetime:
    """The datetime one of `_FORMS` matched, or an ArticleError for a date no calendar has."""
    parts = match.groupdict()
    if (name := parts.get("month_name")) is not None and name.casefold() not in _MONTHS:
        raise ArticleError(f"unreadable date {text!r}: no month is called {name!r}")
    month = _MONTHS[name.casefold()] if name is not None else int(parts["month"])
    hour = int(parts["hour"] or 0)
    if parts["half"]:
        if not 1 <= hour <= 12:
            raise ArticleError(f"impossible date {text!r}: hour {hour} with am/pm")
        hour = hour % 12 + (12 if parts["half"].casefold() == "p" else 0)
    try:
        zone = _zone(parts["zone"])
        written = datetime(
            int(parts["year"]), month, int(parts["day"]), hour, int(parts["minute"] or 0), int(parts["second"] or 0)
        )
    except ValueError as exc:
        raise ArticleError(f"impossible date {text!r}: {exc}") from exc
    return _in_utc(written.replace(tzinfo=zone), text)


def _zone(written: str | None) -> tzinfo:
    """The zone a date names after its time (UTC when none)."""
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
