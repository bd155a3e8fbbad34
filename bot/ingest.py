"""Reading articles: the seed's text format, JSON Lines, JSON and CSV exports, and whole directories.

Every reader yields `Article`s or `Skipped` records: one bad article never stops the batch.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from bot.errors import ArticleError
from bot.models import Article

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ""})
BULK_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv"})
FIELDS = ("title", "body", "paragraphs", "category", "published", "url", "author", "id")
# Files bigger than this are not news articles; reading them would only waste memory.
MAX_TEXT_FILE_BYTES = 5_000_000

_HEADER = re.compile(r"^(Author|Comments|Category|URL|Link|Source)\s*:\s*(.*)$", re.IGNORECASE)
_PUBLISHED = re.compile(r"^Published:?\s+(.+)$", re.IGNORECASE)
_FOOTER = re.compile(r"^(Comments|Category)\s*:", re.IGNORECASE)
_DAY_FIRST = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_BLANK_LINES = re.compile(r"\n[ \t\u00a0\u2007\u202f]*\n\s*")


@dataclass(frozen=True)
class Skipped:
    """An article that could not be read, where it was, and why."""

    location: str
    reason: str


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
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), tz=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError) as exc:
            raise ArticleError(f"unreadable date {text!r} (expected D-MM-YYYY, HH:MM or ISO 8601)") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def split_paragraphs(body: str) -> tuple[str, ...]:
    """Paragraphs of a body: blocks between blank lines (a line of only no-break spaces is blank)."""
    blocks = _BLANK_LINES.split(body.replace("\r\n", "\n").replace("\r", "\n"))
    return tuple(
        " ".join(line.strip() for line in block.splitlines() if line.strip()) for block in blocks if block.strip()
    )


def decode(data: bytes) -> str:
    """Text of a file's bytes, or an ArticleError for binary files and non-UTF-8 text."""
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})") from exc


def parse_text_article(text: str, origin: str | None = None) -> Article:
    """Parse the seed's text format: headline, header lines, `Published D-MM-YYYY, HH:MM`, body, footer."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index == len(lines):
        raise ArticleError("empty file")
    title = lines[index].strip()
    headers: dict[str, str] = {}
    published: datetime | None = None
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        if match := _HEADER.match(line):
            headers.setdefault(match.group(1).lower(), match.group(2).strip())
        elif match := _PUBLISHED.match(line):
            published = parse_date(match.group(1))
            index += 1
            break
        elif line and line != title:
            break
        index += 1
    if published is None:
        raise ArticleError("no 'Published D-MM-YYYY, HH:MM' line after the headline")
    body_lines = lines[index:]
    # The footer (Comments:/Category:) repeats the header; it is not part of the story.
    while body_lines and (not body_lines[-1].strip() or _FOOTER.match(body_lines[-1].strip())):
        body_lines.pop()
    paragraphs = split_paragraphs("\n".join(body_lines))
    if not paragraphs:
        raise ArticleError("no body text after the Published line")
    url = headers.get("url") or headers.get("link") or headers.get("source") or None
    return Article(
        title=title,
        paragraphs=paragraphs,
        category=headers.get("category", ""),
        published=published,
        url=url,
        author=headers.get("author") or None,
        origin=origin,
    )


def article_from_record(record: Mapping[str, object], fields: Mapping[str, str], origin: str) -> Article:
    """Build an article from one JSON/CSV record, its field names mapped by `fields`."""

    def text(name: str) -> str:
        value = record.get(fields.get(name, name))
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            return "\n\n".join(str(v) for v in value)
        return str(value).strip()

    title = text("title")
    if not title:
        raise ArticleError(f"no {fields.get('title', 'title')!r} field")
    raw_paragraphs = record.get(fields.get("paragraphs", "paragraphs"))
    if isinstance(raw_paragraphs, list):
        paragraphs = tuple(p for item in raw_paragraphs for p in split_paragraphs(str(item)))
    else:
        paragraphs = split_paragraphs(text("body") or text("paragraphs"))
    if not paragraphs:
        raise ArticleError("no body text")
    published_raw = text("published")
    return Article(
        title=title,
        paragraphs=paragraphs,
        category=text("category"),
        published=parse_date(published_raw) if published_raw else None,
        url=text("url") or None,
        author=text("author") or None,
        origin=origin,
        source_id=text("id") or None,
    )


def _records(path: Path, data: str) -> Iterator[tuple[str, str, Mapping[str, object] | ArticleError]]:
    """(location for messages, record number, record or why it is not one) for each record of a bulk file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        for number, row in enumerate(csv.DictReader(io.StringIO(data)), start=2):
            yield f"{path}:{number}", str(number), row
    elif suffix == ".json":
        try:
            loaded = json.loads(data)
        except json.JSONDecodeError as exc:
            yield str(path), "", ArticleError(f"invalid JSON: {exc}")
            return
        items = loaded if isinstance(loaded, list) else [loaded]
        for number, item in enumerate(items, start=1):
            yield (
                f"{path}[{number}]",
                str(number),
                item if isinstance(item, dict) else ArticleError("not a JSON object"),
            )
    else:
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield f"{path}:{number}", str(number), ArticleError(f"invalid JSON: {exc.msg}")
                continue
            yield (
                f"{path}:{number}",
                str(number),
                item if isinstance(item, dict) else ArticleError("not a JSON object"),
            )


def read_file(path: Path, fields: Mapping[str, str] | None = None) -> Iterator[Article | Skipped]:
    """Articles in one file, in the format its suffix names (text for anything else)."""
    try:
        if path.stat().st_size > MAX_TEXT_FILE_BYTES and path.suffix.lower() not in BULK_SUFFIXES:
            raise ArticleError(f"too large for an article ({path.stat().st_size:,} bytes)")
        data = decode(path.read_bytes())
    except (OSError, ArticleError) as exc:
        yield Skipped(str(path), str(exc) if isinstance(exc, ArticleError) else exc.strerror or str(exc))
        return
    if path.suffix.lower() not in BULK_SUFFIXES:
        try:
            yield parse_text_article(data, origin=str(path))
        except ArticleError as exc:
            yield Skipped(str(path), str(exc))
        return
    for location, number, record in _records(path, data):
        if isinstance(record, ArticleError):
            yield Skipped(location, str(record))
            continue
        try:
            article = article_from_record(record, fields or {}, origin=f"{path}#{number}")
        except ArticleError as exc:
            yield Skipped(location, str(exc))
            continue
        # A record's own id is a steadier place than its line number: lines move when a file grows.
        yield replace(article, origin=f"{path}#{article.source_id}") if article.source_id else article


def article_files(paths: Iterable[Path]) -> Iterator[Path | Skipped]:
    """Files to read: each path given, and every article-like file under a directory, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.suffix.lower() in TEXT_SUFFIXES | BULK_SUFFIXES:
                    yield child.resolve()
        elif path.is_file():
            yield path.resolve()
        else:
            yield Skipped(str(path), "no such file or directory")


def read_articles(paths: Iterable[Path], fields: Mapping[str, str] | None = None) -> Iterator[Article | Skipped]:
    """Every article under `paths`, and a `Skipped` for each one that could not be read."""
    for item in article_files(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(item, fields)
