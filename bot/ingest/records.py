"""Bulk exports: JSON Lines, JSON and CSV, read as streams, one record at a time.

A record is never held beyond `MAX_RECORD_BYTES`, so a file of any size and a record of any size cost bounded
memory; a record that cannot be read is reported with its number and the rest of the file goes in.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from bot.errors import ArticleError
from bot.ingest.dates import parse_date
from bot.ingest.limits import MAX_RECORD_BYTES
from bot.ingest.text import split_paragraphs
from bot.models import Article

FIELDS = ("title", "body", "paragraphs", "category", "published", "url", "author", "id")
# Bytes read at a time from a long line or a JSON file.
CHUNK_BYTES = 1 << 20

# csv refuses fields over 128 KiB by default, which aborted a whole ingest on one long article. Rows are bounded
# by MAX_RECORD_BYTES before csv sees them, so that is the only field limit needed. (The limit is process-wide;
# it is only ever raised here.)
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))

# (location for messages, record number for the origin, the record or why it is not one)
Record = tuple[str, int, Mapping[str, object] | str]
RecordReader = Callable[[BinaryIO, str], Iterator[Record]]

_NOT_SPACE = re.compile(r"\S")
# What decides where a CSV row ends: quotes, commas and line ends. Any run of other characters acts as one.
_CSV_FILLER = re.compile(rb'[^",\r\n]+')
_BOM = b"\xef\xbb\xbf"


# Names other exports give our fields (news APIs, CMS exports, scraped datasets), tried in order when a record has
# no field of our own name and none was named with `--field`; any case matches ("Title", "PubDate").
ALIASES: Mapping[str, tuple[str, ...]] = {
    "title": ("headline", "heading"),
    "body": ("text", "content", "article", "story", "full_text", "description", "summary"),
    "paragraphs": (),
    "category": ("section", "topic", "categories", "tags", "tag"),
    "published": ("date", "pubdate", "published_at", "publish_date", "publication_date", "datetime", "timestamp"),
    "url": ("link", "href", "permalink", "source_url", "web_url"),
    "author": ("byline", "authors", "creator", "writer"),
    "id": ("guid", "uuid", "article_id"),
}


def article_from_record(record: Mapping[str, object], fields: Mapping[str, str], origin: str) -> Article:
    """Build an article from one JSON/CSV record, its field names mapped by `fields`, else found by `ALIASES`."""
    keys = {str(key).casefold(): key for key in record}

    def value(name: str) -> object:
        if name in fields:
            return record.get(fields[name])
        for candidate in (name, *ALIASES[name]):
            if (key := keys.get(candidate)) is not None and record[key] not in (None, "", []):
                return record[key]
        return None

    def text(name: str, joiner: str = "\n\n") -> str:
        found = value(name)
        if found is None:
            return ""
        if isinstance(found, (list, tuple)):
            return joiner.join(str(v) for v in found if v is not None).strip()
        return str(found).strip()

    title = text("title")
    if not title:
        looked_for = repr(fields["title"]) if "title" in fields else ", ".join(("title", *ALIASES["title"]))
        raise ArticleError(f"no title field (looked for {looked_for}; name yours with --field title=NAME)")
    raw_paragraphs = value("paragraphs")
    if isinstance(raw_paragraphs, list):
        paragraphs = tuple(p for item in raw_paragraphs for p in split_paragraphs(str(item)))
    else:
        paragraphs = split_paragraphs(text("body") or text("paragraphs"))
    if not paragraphs:
        raise ArticleError("no body text")
    published_raw = text("published")
    categories = value("category")
    return Article(
        title=" ".join(title.split()),
        paragraphs=paragraphs,
        # A list of tags files the story under its first.
        category=str(categories[0]).strip() if isinstance(categories, list) and categories else text("category"),
        published=parse_date(published_raw) if published_raw else None,
        url=text("url") or None,
        author=text("author", ", ") or None,
        origin=origin,
        source_id=text("id") or None,
    )


# ---- lines, bounded ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LongLine:
    """A line over MAX_RECORD_BYTES, read past: its size, and its CSV skeleton (see `_CsvLines`)."""

    size: int
    skeleton: bytes


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | _LongLine]]:
    """(line number, line) for each line; a line over MAX_RECORD_BYTES is never held whole."""
    number = 0
    while line := stream.readline(MAX_RECORD_BYTES + 1):
        number += 1
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if len(line) <= MAX_RECORD_BYTES or line.endswith(b"\n"):
            yield number, line
            continue
        size = len(line)
        skeleton = _CSV_FILLER.sub(b"x", line)
        while not line.endswith(b"\n") and (line := stream.readline(CHUNK_BYTES)):
            size += len(line)
            skeleton += _CSV_FILLER.sub(b"x", line)
        yield number, _LongLine(size, skeleton)


def _too_big(size: int, what: str = "record") -> str:
    return f"{what} of {size:,} bytes is over the limit of {MAX_RECORD_BYTES:,}"


def _object(item: object) -> Mapping[str, object] | str:
    return item if isinstance(item, dict) else "not a JSON object"


# ---- JSON Lines --------------------------------------------------------------------------------------------------


def jsonl_records(stream: BinaryIO, name: str) -> Iterator[Record]:
    """One record a line; blank lines are ignored."""
    seen = False
    for number, line in _lines(stream):
        location = f"{name}:{number}"
        if isinstance(line, _LongLine):
            seen = True
            yield location, number, _too_big(line.size)
            continue
        if not line.strip():
            continue
        seen = True
        try:
            yield location, number, _object(json.loads(line.decode("utf-8")))
        except UnicodeDecodeError as exc:
            yield location, number, f"not UTF-8 text (byte {exc.start + 1} of the line)"
        except json.JSONDecodeError as exc:
            yield location, number, f"invalid JSON: {exc.msg} (column {exc.colno})"
        except RecursionError:
            yield location, number, "invalid JSON: nested too deeply"
    if not seen:
        yield name, 0, "no records: the file is empty"


# ---- JSON --------------------------------------------------------------------------------------------------------


class _JsonStream:
    """A JSON text read a chunk at a time, its values decoded one by one (a whole array is never held)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-8-sig")
        self._decoder = json.JSONDecoder()
        self.buffer = ""
        self.pos = 0
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self._text.read(CHUNK_BYTES)
        if not chunk:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), not consumed."""
        while not (match := _NOT_SPACE.search(self.buffer, self.pos)):
            self.pos = len(self.buffer)
            if not self._more():
                return ""
        self.pos = match.start()
        return self.buffer[self.pos]

    def take(self) -> None:
        self.pos += 1

    def value(self) -> tuple[object, int]:
        """The next value and its size; ArticleError when it is invalid or over MAX_RECORD_BYTES."""
        while True:
            try:
                value, end = self._decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise ArticleError(f"invalid JSON: {exc.msg}") from exc
                if len(self.buffer) - self.pos > MAX_RECORD_BYTES:
                    raise ArticleError(f"invalid JSON, or a record over {MAX_RECORD_BYTES:,} bytes") from exc
            except RecursionError as exc:
                raise ArticleError("invalid JSON: nested too deeply") from exc
            else:
                # A number at the end of the buffer may go on in the next chunk.
                if end < len(self.buffer) or self.eof:
                    size = end - self.pos
                    self.pos = end
                    return value, size
            self._more()


def json_records(stream: BinaryIO, name: str) -> Iterator[Record]:
    """The objects of a JSON array (or one JSON object), decoded one at a time."""
    source = _JsonStream(stream)
    number = 0
    location = name
    try:
        first = source.peek()
        if first == "":
            yield name, 0, "no records: the file is empty"
            return
        if first != "[":
            location = f"{name}[1]"
            value, size = source.value()
            yield location, 1, _too_big(size) if size > MAX_RECORD_BYTES else _object(value)
            if source.peek():
                yield name, 0, "text after the first JSON value is not read"
            return
        source.take()
        while source.peek() != "]":
            number += 1
            location = f"{name}[{number}]"
            value, size = source.value()
            yield location, number, _too_big(size) if size > MAX_RECORD_BYTES else _object(value)
            following = source.peek()
            if following == ",":
                source.take()
            elif following != "]":
                raise ArticleError(f"invalid JSON after this record: expected ',' or ']', found {following!r}")
        source.take()
        if number == 0:
            yield name, 0, "no records: the JSON array is empty"
        if source.peek():
            yield name, 0, "text after the JSON array is not read"
    except (ArticleError, UnicodeDecodeError) as exc:
        reason = f"not UTF-8 text ({exc.reason})" if isinstance(exc, UnicodeDecodeError) else str(exc)
        # Nothing after a broken spot in a JSON array can be found again; in JSON Lines it would be one record.
        yield location, number, f"{reason}; the rest of the file is not read (JSON Lines loses only the bad line)"


# ---- CSV ---------------------------------------------------------------------------------------------------------


class _CsvLines:
    """The lines csv.reader reads, with each row's size and encoding watched.

    A row past MAX_RECORD_BYTES is read on as its skeleton (quotes, commas, line ends; other runs as one "x"),
    which ends the row exactly where the real text would, without holding it. `start_row` before each row.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._lines = _lines(stream)
        self.line = 0
        self.size = 0
        self.problem: str | None = None
        self.oversized = False

    def start_row(self) -> None:
        self.size = 0
        self.problem = None
        self.oversized = False

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        self.line, line = next(self._lines)
        if isinstance(line, _LongLine):
            self.size += line.size
            self.oversized = True
            return line.skeleton.decode("ascii")
        self.size += len(line)
        if self.oversized or self.size > MAX_RECORD_BYTES:
            self.oversized = True
            return _CSV_FILLER.sub(b"x", line).decode("ascii")
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem = self.problem or f"not UTF-8 text (line {self.line}, byte {exc.start + 1})"
            return line.decode("utf-8", "replace")

    def row_problem(self) -> str | None:
        return _too_big(self.size, "row") if self.oversized else self.problem


def csv_records(stream: BinaryIO, name: str) -> Iterator[Record]:
    """Rows under a header row, numbered as rows (the header is row 1); a row may span lines."""
    lines = _CsvLines(stream)
    rows = csv.reader(lines)
    header: list[str] | None = None
    number = 1
    while True:
        lines.start_row()
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            if header is None:
                yield name, 0, f"unreadable CSV header (line {lines.line}): {exc}"
                return
            number += 1
            yield f"{name}:{number}", number, f"unreadable CSV (line {lines.line}): {exc}"
            continue
        if not row:
            continue  # a blank line
        if header is None:
            if problem := lines.row_problem():
                yield name, 0, f"unreadable CSV header: {problem}"
                return
            header = [column.strip() for column in row]
            continue
        number += 1
        problem = lines.row_problem()
        yield f"{name}:{number}", number, problem or dict(zip(header, row, strict=False))
    if header is None:
        yield name, 0, "no records: the file is empty"
    elif number == 1:
        yield name, 0, "no records: only a header row"


READERS: dict[str, RecordReader] = {
    ".jsonl": jsonl_records,
    ".ndjson": jsonl_records,
    ".json": json_records,
    ".csv": csv_records,
}
