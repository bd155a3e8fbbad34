"""Dates as newsrooms write them, always read as timezone-aware UTC."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from bot.errors import ArticleError

_DAY_FIRST = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_EPOCH = re.compile(r"\d{9,11}(\.\d+)?")


def parse_date(raw: str) -> datetime:
    """Parse the dates newsrooms write: `7-03-2013, 07:37` (day first), ISO 8601, RFC 2822, epoch seconds.

    The result is always timezone-aware UTC (newsbot's one rule for times); a date written without a zone is
    taken as UTC.
    """
    text = raw.strip()
    if match := _DAY_FIRST.match(text):
        day, month, year, hour, minute, second = match.groups()
        try:
            return datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=UTC
            )
        except ValueError as exc:
            raise ArticleError(f"impossible date {text!r}: {exc}") from exc
    if _EPOCH.fullmatch(text):
        return datetime.fromtimestamp(float(text), tz=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise ArticleError(f"unreadable date {text!r} (expected D-MM-YYYY, HH:MM or ISO 8601)") from exc
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError as exc:  # a year-1 date with an eastern zone has no UTC time
        raise ArticleError(f"impossible date {text!r}: out of range") from exc


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """A UTC `struct_time` (as feedparser gives dates) as an aware datetime; None when missing or impossible."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
