"""Bulk exports: JSON Lines, JSON and CSV, read as streams, one record at a time.

A record is never held beyond `MAX_RECORD_BYTES`, so a file of any size and a record of any size cost bounded
memory; a record that cannot be read is reported with its number and the rest of the file goes in.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import lru_cache
from typing import BinaryIO, NamedTuple, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ArticleError
from bot.ingest.blocks import block_paragraphs, is_ans, is_portable_text
from bot.ingest.dates import FileDates, read_date
from bot.ingest.limits import MAX_RECORD_BYTES
from bot.ingest.markup import html_paragraphs, html_text
from bot.ingest.text import bylined, decode_errors, not_utf8_note, read_past
from bot.ingest.urls import web_link
from bot.models import Article

FIELDS = ("title", "body", "paragraphs", "category", "published", "url", "author", "id")
# Bytes read at a time from a long line or a JSON file.
CHUNK_BYTES = 1 << 20

# csv refuses fields over 128 KiB by default, which aborted a whole ingest on one long article. Rows are bounded
# by MAX_RECORD_BYTES before csv sees them, so that is the only field limit needed. (The limit is process-wide;
# it is only ever raised here.)
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))


class Note(str):
    """What a reader says of the record it yields next, or of the file, which go in all the same (read with U+FFFD
    for a byte that is not UTF-8): a note, where any other string in a record's place is why there is no record."""


# (location for messages, record number for the origin, the record, a `Note` on the next, or why it is not one)
Record = tuple[str, int, Mapping[str, object] | str]
# A reader takes the file, its name for messages, and the encoding its text is in ("utf-8" or Windows-1252).
RecordReader = Callable[[BinaryIO, str, str], Iterator[Record]]
# What a field reads as: one line of text, or paragraphs.
_Read = TypeVar("_Read", str, tuple[str, ...])

_NOT_SPACE = re.compile(r"\S")
# What decides where a CSV row ends: quotes, delimiters and line ends. Any run of other characters acts as one.
_CSV_FILLER = re.compile(rb'[^",\r\n]+')
# The delimiters a header row is sniffed for, the usual first (it wins a tie): Excel writes ";" where the decimal
# mark is a comma, and tab-separated exports are common.
_DELIMITERS = (b",", b";", b"\t")
_QUOTED = re.compile(rb'"[^"]*"')
_BOM = b"\xef\xbb\xbf"
_SEPARATORS = re.compile(r"[\s_-]+")
# A note after a column's name, as CMS exports write them ("Body (HTML)", "Date (UTC)"): the name is before it.
_NAME_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
# What a record's `status` says of a story that is not out (WordPress's and most CMSs' words): a draft, a story
# held back or scheduled, must never reach readers.
_NOT_OUT = frozenset(
    {"draft", "drafts", "pending", "private", "future", "scheduled", "unpublished", "trash", "auto-draft", "inherit"}
)
# What a WordPress table export's `post_type` says of a row that is no story (its own kinds, `wp_block` and the other
# `wp_` ones among them): a post's revisions, pages, attachments and menus sit beside the posts in `wp_posts`.
_NO_STORY = frozenset({"page", "revision", "attachment", "nav_menu_item", "custom_css", "customize_changeset"})
# Sanity's export (`sanity dataset export`: one document a line) holds every document of the dataset: a draft beside
# each story that has one (`"_id": "drafts.<id>"`, its text not out), and the people, sections and settings stories
# refer to, of their own `_type` (a section's `title` and `description` went in as a story), and its own
# (`sanity.imageAsset`).
_SANITY_DRAFT = "drafts."
_SANITY_NO_STORY = frozenset(
    {"author", "person", "category", "tag", "section", "settings", "siteSettings", "navigation", "menu", "page"}
)
# NewsAPI cuts its `content` at 200 characters and says how many it left out ("... morning\u2026 [+1234 chars]"):
# the count is no text (the ellipsis before it stays, to show the text stops there).
_CHARS_LEFT = re.compile(r"\s*\[\+\d+ chars\]$")
# NewsAPI keeps an article its publisher withdrew as a record whose every field reads "[Removed]" (its link
# https://removed.com): no story, though it has a title and a body.
_REMOVED = "[Removed]"
_REMOVED_REASON = 'withdrawn by its publisher (NewsAPI marks it "[Removed]")'
# MongoDB's Extended JSON wraps a typed value in an object of one key.
_EXTENDED_JSON = frozenset({"$date", "$oid", "$numberLong", "$numberInt", "$numberDouble"})


# Every record folds each alias of each field again (about 80 names): folded once, the BBC records read in 0.23 s
# of CPU instead of 0.28 s.
@lru_cache(maxsize=4096)
def _folded(name: str) -> str:
    """A field's name as aliases match it: "publishedAt", "Published At", "published_at" and "Published at (UTC)"
    are one."""
    return _SEPARATORS.sub("", _NAME_NOTE.sub("", name)).casefold()


# Names other exports give our fields (news APIs, CMS exports, scraped datasets), tried in order when a record has
# no field of our own name and none was named with `--field`. They match in any case and with or without "_", "-"
# or spaces between words (see `_folded`): "PubDate", NewsAPI's "publishedAt", a spreadsheet's "Published At".
ALIASES: Mapping[str, tuple[str, ...]] = {
    # web_title, web_publication_date and section_name are the Guardian's API's (webTitle, ...), date_published
    # schema.org's.
    # post_title, post_content and post_date(_gmt) are WordPress's table's (`wp_posts`, as phpMyAdmin exports it).
    # copy is a newsroom's word for a story's text, standfirst the British dek, desk the section filing it;
    # headlines, content_elements, display_date, first_publish_date, taxonomy (its primary_section) and credits
    # (its by) are Arc XP's (ANS: `{"headlines": {"basic": ...}}`, see `_within`).
    # hed and dek are newsroom shorthand (a headline, the line under it), as CMSs name their fields; article_body
    # is schema.org's articleBody. A dek is the text only of a record with nothing longer. "Story text", "Date posted"
    # and "Web link" are a newsroom spreadsheet's own column names.
    "title": ("headline", "heading", "hed", "web_title", "post_title", "headlines"),
    # body_html, body_text, body_xhtml, firstcreated, versioncreated, subject and uri are ninjs's (IPTC's JSON
    # news format); its subjects are objects named by "name".
    "body": (
        "text", "content", "article", "story", "story_body", "article_body", "full_text", "body_html", "body_text",
        "body_xhtml", "post_content", "copy", "body_copy", "content_elements", "description", "summary", "dek",
        "standfirst", "story_text", "article_text",
    ),
    "paragraphs": (),
    "category": (
        "section", "section_name", "primary_section", "desk", "topic", "categories", "tags", "tag", "subject",
        "taxonomy",
    ),
    # WordPress's `date` is the site's local time without a zone; its `date_gmt` is the same moment in UTC.
    "published": (
        "date_gmt", "date", "post_date_gmt", "post_date", "pubdate", "published_at", "publish_date",
        "published_date", "publication_date", "date_published", "web_publication_date", "datetime", "timestamp",
        "firstcreated", "versioncreated", "display_date", "first_publish_date", "created_at", "date_posted",
        "posted_at",
    ),
    "url": (
        "link", "href", "permalink", "canonical_url", "canonical", "article_url", "source_url", "web_url",
        "web_address", "web_link", "uri",
    ),
    "author": ("byline", "by", "authors", "creator", "writer", "reporter", "filed_by", "credits"),
    "id": ("guid", "uuid", "article_id", "uri"),
}  # fmt: skip
# How deep `nested_field` looks into a record's objects for a field it lacks: `taxonomy.primary_section.name`.
_NESTED_DEPTH = 2
# A category or author given as a JSON number is an id into a table the export left out (WordPress's
# `"categories": [5]`, `"author": 2`): a reader would see "5", so it is no name at all. Text of digits ("2024" in a
# CSV) is a name as written.
_TITLE_NAMES = frozenset(_folded(name) for name in ("title", *ALIASES["title"]))
_FIELD_NAMES = frozenset(_folded(name) for field in FIELDS for name in (field, *ALIASES[field]))
# How many rows a spreadsheet's title and the empty rows under it may take above its header row (`_title_row`).
_TITLE_ROWS = 5


class _Fields:
    """A record's fields as our names find them: mapped by `fields` (`--field`), else by `ALIASES`."""

    def __init__(self, record: Mapping[str, object], fields: Mapping[str, str]) -> None:
        self.record = record
        self.fields = fields
        self.keys = {_folded(str(key)): key for key in record}

    def named(self, name: str) -> list[str]:
        """The record's fields (or paths) that may hold our field `name`, in the order they are tried."""
        if name in self.fields:
            return [self.fields[name]]
        return [
            self.keys[folded] for candidate in (name, *ALIASES[name]) if (folded := _folded(candidate)) in self.keys
        ]

    def first(self, name: str, read: Callable[[object], _Read]) -> _Read:
        """The first of `name`'s fields that reads as something: an empty or unusable one does not hide the next."""
        values = (_within(_at(self.record, key), name) for key in self.named(name))
        return next(filter(None, map(read, values)), read(None))

    def unread_object(self, name: str) -> str:
        """What to say of `name`'s field when it holds an object none of whose fields `first` reads (a CMS's
        `"headline": {"main": ..., "seo": ...}`): which fields it has, and the option naming one; "" when none does."""
        for key in self.named(name):
            value = _at(self.record, key)
            if not isinstance(value, Mapping) or not value:
                continue
            # Words, the longest: an object's other strings are its version ("2.22.2"), a slug, a short SEO title.
            texts = {inner: len(text) for inner, text in value.items() if isinstance(text, str) and " " in text}
            fields = ", ".join(map(str, value))
            if texts:
                return (
                    f"field {key!r} is an object ({fields}), not text: name the one to read with"
                    f" --field {name}={key}.{max(texts, key=texts.__getitem__)}"
                )
            # Text deeper in it (Editor.js's `{"blocks": [{"data": {"text": ...}}]}`) has no one path to name.
            return (
                f"field {key!r} is an object ({fields}) holding no text of its own: name yours with --field {name}=PATH"
            )
        return ""


def _within(value: object, name: str) -> object:
    """A field given as an object of fields (a CMS's `"content": {"body_html": ...}`, Arc XP's `"headlines":
    {"basic": ...}`) as the first of them found under `name`'s names, else its `basic`; a list's objects each so
    (Arc's `content_elements`, `[{"type": "text", "content": ...}, ...]`); anything else, and an object read as it
    is (`{"rendered": ...}`, `{"name": ...}`, Extended JSON), as it is. It was read as no value at all."""
    if isinstance(value, list) and not is_portable_text(value) and not is_ans(value):
        return [_within(item, name) for item in value]
    if not isinstance(value, Mapping) or _rendered(value) is not value or _named(value) is not value:
        return value
    inner = _Fields(value, {}).named(name)
    return value[inner[0]] if inner else value.get("basic", value)


def site_path(record: Mapping[str, object], fields: Mapping[str, str]) -> str | None:
    """The record's link when it is a path on its site (`/news/story`, as CMS exports and Ghost's posts give it),
    which only the site's address, given apart (`--site`), makes a link."""
    link = _Fields(record, fields).first("url", _line) or _slug_path(record)
    return link if _is_path(link) else None


def _slug_path(record: Mapping[str, object]) -> str:
    """A Sanity document's path on its site, from its slug (`"slug": {"_type": "slug", "current": "ferry"}`:
    `/ferry`, which `--site https://paper.example/news` makes `https://paper.example/news/ferry`); "" for any other
    record. Sanity's documents name no link of their own, and the slug was left unread: no story had one."""
    slug = record.get("slug")
    if not isinstance(record.get("_type"), str) or not isinstance(slug, Mapping) or slug.get("_type") != "slug":
        return ""
    current = slug.get("current")
    return f"/{current.strip().strip('/')}" if isinstance(current, str) and current.strip().strip("/") else ""


def written_date(record: Mapping[str, object], fields: Mapping[str, str]) -> str:
    """The record's date as written ("" when it has none)."""
    return _Fields(record, fields).first("published", _line)


def nested_field(record: Mapping[str, object], fields: Mapping[str, str], name: str) -> str | None:
    """The dotted path to a field under `name`'s names nested in the record's objects (a CMS's `dates.published`,
    `taxonomy.section`), when the record has none of its own that reads and none was named with `--field`: which
    `--field` to suggest, as such a story went in undated or unfiled without a word; None when there is none."""
    read = _READERS.get(name, _line)
    if name in fields or _Fields(record, fields).first(name, read):
        return None
    objects: deque[tuple[str, Mapping[str, object]]] = deque(
        (str(key), value) for key, value in record.items() if isinstance(value, Mapping)
    )
    while objects:
        path, found = objects.popleft()
        if key := next((key for key in _Fields(found, {}).named(name) if read(_within(found[key], name))), None):
            return f"{path}.{key}"
        if path.count(".") < _NESTED_DEPTH:
            objects.extend((f"{path}.{key}", value) for key, value in found.items() if isinstance(value, Mapping))
    return None


def _is_path(link: str) -> bool:
    return link.startswith("/") and not link.startswith("//")


def article_from_record(
    record: Mapping[str, object],
    fields: Mapping[str, str],
    origin: str,
    site: str | None = None,
    dates: FileDates | None = None,
) -> tuple[Article, str | None]:
    """Build an article from one JSON/CSV record, its field names mapped by `fields`, else found by `ALIASES`; and
    say why it is undated when its date cannot be read (it is kept, see `read_date`; read as its file's `dates`
    are).

    HTML in any field is read as text, as in feeds; a WordPress REST API field (`{"rendered": "<p>..."}`) is read as
    its HTML; a field named with `--field` may be a dotted path into nested objects (`title.rendered`). A link that
    is a path (`site_path`) is read under `site`, the site's address, and is no link without it.
    """
    if isinstance(own := record.get("_id"), str) and own.startswith(_SANITY_DRAFT):
        # One reason for every draft, so that a report counts them in one line.
        raise ArticleError(f"not published (a Sanity draft: its _id starts {_SANITY_DRAFT!r}), not read")
    if isinstance(typed := record.get("_type"), str) and (typed.startswith("sanity.") or typed in _SANITY_NO_STORY):
        raise ArticleError(f"not a story (its _type is {typed!r}), not read")
    found = _Fields(record, fields)
    named, first = found.named, found.first
    title = first("title", _line)
    if not title:
        if held := found.unread_object("title"):
            raise ArticleError(f"no title: {held}")
        present = [key for key in named("title") if _at(record, key) is not None]
        if present:
            raise ArticleError(f"empty title (field {present[0]!r})")
        looked_for = repr(fields["title"]) if "title" in fields else ", ".join(("title", *ALIASES["title"]))
        raise ArticleError(f"no title field (looked for {looked_for}; name yours with --field title=NAME)")
    status = next((_line(record[found.keys[key]]) for key in ("status", "poststatus") if key in found.keys), "")
    if status.casefold() in _NOT_OUT:
        raise ArticleError(f"not published (its status is {status!r}), not read")
    kind = _line(record[found.keys["posttype"]]) if "posttype" in found.keys else ""
    if kind.casefold() in _NO_STORY or kind.casefold().startswith("wp_"):
        raise ArticleError(f"not a story (its post_type is {kind!r}), not read")
    paragraphs = first("paragraphs", _paragraphs) or first("body", _paragraphs)
    if title == _REMOVED or paragraphs == (_REMOVED,):
        raise ArticleError(_REMOVED_REASON)
    if paragraphs and (cut := _CHARS_LEFT.search(paragraphs[-1])):
        paragraphs = (*paragraphs[:-1], paragraphs[-1][: cut.start()]) if cut.start() else paragraphs[:-1]
    if not paragraphs and not named("paragraphs") and not named("body"):
        looked_for = repr(fields["body"]) if "body" in fields else ", ".join(("body", *ALIASES["body"]))
        raise ArticleError(f"no body text (no field named {looked_for}; name yours with --field body=NAME)")
    category = first("category", _category)
    url = first("url", _line) or _slug_path(record)
    byline, paragraphs, beside = bylined(paragraphs, (category, url))
    if not paragraphs:
        held = found.unread_object("paragraphs") or found.unread_object("body")
        raise ArticleError(f"no body text: {held}" if held else "no body text")
    # A record without a date field is dated by the one beside its byline (`By Jane Doe · 5 Dec 2026`).
    published_raw = written_date(record, fields) or beside
    published, unread = read_date(published_raw, dates) if published_raw else (None, None)
    if site and _is_path(url):
        url = site.rstrip("/") + url
    article = Article(
        title=title,
        paragraphs=paragraphs,
        category=category,
        published=published,
        # Only a web address is a link a reader can follow ("n/a" or a path on the newsroom's own server is not).
        url=web_link(url),
        author=first("author", _authors) or byline,
        origin=origin,
        source_id=first("id", _line) or None,
    )
    return article, unread


def _at(record: Mapping[str, object], path: str) -> object:
    """The value of field `path`, else of the dotted path `path` into nested objects; None when there is none."""
    if path in record:
        return record[path]
    found: object = record
    for part in path.split("."):
        if not isinstance(found, Mapping) or part not in found:
            return None
        found = found[part]
    return found


def _rendered(value: object) -> object:
    """A WordPress REST API field (`{"rendered": "<p>...", "protected": false}`) as its HTML; a value in MongoDB's
    Extended JSON (`mongoexport`: `{"$date": "2026-12-01T10:00:00Z"}`, `{"$date": {"$numberLong": "..."}}`,
    `{"$oid": "..."}`), which went in as no value at all, as the value; else `value`."""
    if isinstance(value, Mapping) and isinstance(value.get("rendered"), str):
        return value["rendered"]
    if isinstance(value, Mapping) and len(value) == 1 and (key := next(iter(value))) in _EXTENDED_JSON:
        return _rendered(value[key])
    return value


def _line(value: object) -> str:
    """A field as one line of plain text; a list's items joined; an object (not text) as ""."""
    value = _rendered(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(filter(None, map(_line, value)))
    if value is None or isinstance(value, Mapping):
        return ""
    return html_text(str(value))


def _names(value: object) -> list[str]:
    """The names in a category or author field (one, or a list), without the ids given as numbers."""
    value = _connected(_rendered(value))
    items = value if isinstance(value, (list, tuple)) else [value]
    return [name for item in items if not _is_id(item) and (name := _line(_named(item)))]


def _connected(value: object) -> object:
    """What a GraphQL connection holds (WPGraphQL's `"author": {"node": {...}}`, `"categories": {"nodes": [...]}`
    or `{"edges": [{"node": ...}]}`), else the value as it is: their authors and categories were left unread."""
    if not isinstance(value, Mapping):
        return value
    if isinstance(edges := value.get("edges"), list):
        return [edge.get("node") if isinstance(edge, Mapping) else edge for edge in edges]
    return value["nodes"] if isinstance(value.get("nodes"), list) else value.get("node", value)


def _named(item: object) -> object:
    """A thing given as an object with a name (ninjs's subjects, `{"name": "Transport", "code": ...}`, or an
    export's author objects) as its name; anything else as it is."""
    return item["name"] if isinstance(item, Mapping) and isinstance(item.get("name"), str) else item


def _category(value: object) -> str:
    """A category field's name; a list of tags files the story under its first."""
    return next(iter(_names(value)), "")


def _authors(value: object) -> str:
    return ", ".join(_names(value))


# How each of our fields reads, where it is not as one line of text (see `nested_field`).
_READERS: Mapping[str, Callable[[object], str]] = {"category": _category, "author": _authors}


def _is_id(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _paragraphs(value: object) -> tuple[str, ...]:
    """A body (HTML or plain text, or blocks of JSON: see `block_paragraphs`), or a list of paragraphs, as plain
    paragraphs."""
    value = _rendered(value)
    if (blocks := block_paragraphs(value)) is not None:
        return blocks
    if isinstance(value, (list, tuple)):
        return tuple(paragraph for item in value for paragraph in _paragraphs(item))
    if value is None or isinstance(value, Mapping):
        return ()
    return html_paragraphs(str(value))


# ---- lines, bounded ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LongLine:
    """A line over MAX_RECORD_BYTES, read past: its size, and its CSV skeleton (see `_CsvLines`)."""

    size: int
    skeleton: bytes


def _lines(stream: BinaryIO, filler: re.Pattern[bytes] = _CSV_FILLER) -> Iterator[tuple[int, bytes | _LongLine]]:
    """(line number, line) for each line; a line over MAX_RECORD_BYTES is never held whole (its skeleton is made
    with `filler`, see `_CsvLines`)."""
    number = 0
    while line := stream.readline(MAX_RECORD_BYTES + 1):
        number += 1
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if len(line) <= MAX_RECORD_BYTES or line.endswith(b"\n"):
            yield number, line
            continue
        size = len(line)
        skeleton = filler.sub(b"x", line)
        while not line.endswith(b"\n") and (line := stream.readline(CHUNK_BYTES)):
            size += len(line)
            skeleton += filler.sub(b"x", line)
        yield number, _LongLine(size, skeleton)


def _too_big(size: int, what: str = "record") -> str:
    return f"{what} of {size:,} bytes is over the limit of {MAX_RECORD_BYTES:,}"


def _object(item: object) -> Mapping[str, object] | str:
    return item if isinstance(item, dict) else "not a JSON object"


def _cut_short(exc: json.JSONDecodeError, what: str) -> str | None:
    """That `what` ("file", "line") ends too soon, when `exc` says the text broke off (None when it did not): Python
    says "Expecting value" where only white space follows, or a string is unterminated (it runs to the end)."""
    if exc.msg.startswith("Unterminated string"):
        return f"the {what} ends too soon, in a string starting at"
    return None if exc.doc[exc.pos :].strip() else f"the {what} ends too soon"


def _invalid(message: str, line: int, column: int) -> str:
    """What to say of JSON that `message` (a `json.JSONDecodeError`'s) was raised for at `line` and `column`, both
    from 1 as an editor shows them (as `not_utf8_note` says a stray byte's place)."""
    place = f"line {line}, column {column}"
    # Python's "Unterminated string starting at" names where the string starts, not where the file broke off.
    return f"invalid JSON: {message} {place}" if message.endswith(" at") else f"invalid JSON: {message} ({place})"


# ---- JSON Lines --------------------------------------------------------------------------------------------------


def jsonl_records(stream: BinaryIO, name: str, encoding: str) -> Iterator[Record]:
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
        # Without its line end: a line cut short was said to fail at "column 1" (of the next line, after it).
        line = line.rstrip(b"\r\n")
        try:
            try:
                text = line.decode(encoding, decode_errors(encoding))
            except UnicodeDecodeError as exc:
                # One stray byte (a Windows quote mark pasted in) skipped the whole record: it loses that character.
                text, reason = read_past(exc, number)
                record = _object(json.loads(text))
                if not isinstance(record, str):
                    yield location, number, Note(reason)
                yield location, number, record
                continue
            yield location, number, _object(json.loads(text))
        except json.JSONDecodeError as exc:
            yield location, number, _invalid(_cut_short(exc, "line") or exc.msg, number, exc.colno)
        except RecursionError:
            yield location, number, "invalid JSON: nested too deeply"
    if not seen:
        yield name, 0, "no records: the file is empty"


# ---- JSON --------------------------------------------------------------------------------------------------------


class _Spot(NamedTuple):
    """A byte that is not UTF-8 in a JSON text: where the U+FFFD read for it is in the text, its line and column
    (see `not_utf8_note`), and the byte."""

    at: int
    line: int
    column: int
    value: bytes


class _JsonStream:
    """A JSON text read a chunk at a time, its values decoded one by one (a whole array is never held). A byte that
    is not UTF-8 (a Windows quote mark pasted in) is read as U+FFFD, and `note` says so of the value it is in: it
    stopped the reading of the whole file, where JSON Lines and CSV lose only that character."""

    def __init__(self, stream: BinaryIO, name: str, encoding: str) -> None:
        self._stream = stream
        self._encoding = encoding
        self._decoder = json.JSONDecoder()
        # Where the value being read is (location for messages, record number), for a message if it is broken.
        self.at: tuple[str, int] = (name, 0)
        self.restart()

    def restart(self) -> None:
        """Read again from the start of the file."""
        self._stream.seek(0)
        # utf-8-sig reads past a byte order mark, as Windows tools write one.
        self._text = codecs.getincrementaldecoder("utf-8-sig" if self._encoding == "utf-8" else self._encoding)(
            decode_errors(self._encoding)
        )
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.ended_early = False  # the JSON was cut short: nothing follows where it broke off
        # Characters dropped from the buffer's start, and the line the buffer starts in and where that line starts.
        self._dropped = 0
        self._first_line = 1
        self._first_line_start = 0
        # Characters read, and the line being read and where it starts.
        self._read = 0
        self._line = 1
        self._line_start = 0
        self._spots: list[_Spot] = []

    def release(self) -> None:
        """Give the file back, at its start, for another reader."""
        self._stream.seek(0)
        self._spots.clear()

    def last_value_text(self, size: int) -> str:
        """The text of the value just read, of `size` characters (see `value`)."""
        return self.buffer[self.pos - size : self.pos]

    def note(self) -> Note | None:
        """What to say of the bytes that were not UTF-8 in the text read since the last note (None: there were none)."""
        spots = [spot for spot in self._spots if spot.at < self._dropped + self.pos]
        if not spots:
            return None
        del self._spots[: len(spots)]
        first = spots[0]
        return Note(not_utf8_note(first.line, first.column, first.value, len(spots)))

    def _more(self) -> bool:
        if self.eof:
            return False
        data = self._stream.read(CHUNK_BYTES)
        chunk = self._decoded(data)
        self.eof = not data
        if not chunk:
            return not self.eof
        dropped = self.buffer[: self.pos]
        if lines := dropped.count("\n"):
            self._first_line += lines
            self._first_line_start = self._dropped + dropped.rfind("\n") + 1
        self._dropped += self.pos
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def _decoded(self, data: bytes) -> str:
        """The text of the file's next bytes, `data` (none at its end), each byte that is not UTF-8 read as U+FFFD
        and kept in `_spots`."""
        pieces: list[str] = []
        while True:
            try:
                pieces.append(self._text.decode(data, final=not data))
                self._count_lines(pieces[-1])
                return "".join(pieces)
            except UnicodeDecodeError as exc:
                # (exc.object starts with the bytes of a character cut at the last chunk's end, if one was)
                good = exc.object[: exc.start].decode(self._encoding)
                self._count_lines(good)
                pieces.append(good + "\ufffd")
                column = self._read - self._line_start + 1
                self._spots.append(_Spot(self._read, self._line, column, exc.object[exc.start : exc.start + 1]))
                self._read += 1
                data = exc.object[exc.end :]
                # (not utf-8-sig's reset, which would read past a byte order mark there again)
                self._text = codecs.getincrementaldecoder(self._encoding)()

    def _count_lines(self, text: str) -> None:
        if lines := text.count("\n"):
            self._line += lines
            self._line_start = self._read + text.rfind("\n") + 1
        self._read += len(text)

    def invalid(self, message: str, at: int) -> ArticleError:
        """The error for JSON that is invalid at `at` in the buffer (see `_invalid`)."""
        before = self.buffer[:at]
        line, start = self._first_line, self._first_line_start
        if lines := before.count("\n"):
            line, start = line + lines, self._dropped + before.rfind("\n") + 1
        return ArticleError(_invalid(message, line, self._dropped + at - start + 1))

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), not consumed."""
        while not (match := _NOT_SPACE.search(self.buffer, self.pos)):
            self.pos = len(self.buffer)
            if not self._more():
                return ""
        self.pos = match.start()
        return self.buffer[self.pos]

    def expect(self, character: str) -> None:
        """Consume `character`, the next one that is not white space; ArticleError if another comes."""
        if not (found := self.peek()):
            self.ended_early = True
            raise self.invalid("the file ends too soon", self.pos)
        if found != character:
            raise self.invalid(f"expected {character!r}, found {found!r}", self.pos)
        self.pos += 1

    def value(self) -> tuple[object, int]:
        """The next value and its size; ArticleError when it is invalid or over MAX_RECORD_BYTES."""
        self.peek()  # raw_decode takes no white space before the value
        while True:
            try:
                value, end = self._decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    if cut := _cut_short(exc, "file"):
                        self.ended_early = True
                    raise self.invalid(cut or exc.msg, exc.pos) from exc
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


def _noted(source: _JsonStream, record: Mapping[str, object] | str) -> Iterator[Record]:
    """The record just read, after a note on it if bytes in it were not UTF-8 (see `_JsonStream.note`)."""
    yield from _note(source, *source.at)
    yield *source.at, record


def _note(source: _JsonStream, location: str, number: int) -> Iterator[Record]:
    """A note said of `location` (record `number`; 0: the file) on the bytes not UTF-8 read since the last one, if
    there were any."""
    if (note := source.note()) is not None:
        yield location, number, note


def _items(source: _JsonStream, opening: str, closing: str) -> Iterator[None]:
    """Steps through a JSON array or object that starts next: at each step the source is at an item, which the
    caller reads before the next step."""
    source.expect(opening)
    first = True
    while source.peek() != closing:
        if not first:
            source.expect(",")
        first = False
        yield
    source.expect(closing)


def _elements(source: _JsonStream) -> Iterator[tuple[object, int]]:
    """The values of the JSON array that starts next, decoded one at a time, with their sizes."""
    for _ in _items(source, "[", "]"):
        yield source.value()


def _members(source: _JsonStream) -> Iterator[str]:
    """The keys of the JSON object that starts next; the caller reads each one's value before the next key."""
    for _ in _items(source, "{", "}"):
        key, size = source.value()
        if not isinstance(key, str):
            raise source.invalid("a key that is not a string", source.pos - size)
        source.expect(":")
        yield key


def _skip(source: _JsonStream) -> None:
    """Read past the next value (an array element by element)."""
    if source.peek() == "[":
        deque(_elements(source), maxlen=0)
    else:
        source.value()


def _records_path(source: _JsonStream) -> tuple[str, ...] | None:
    """Where an object that starts next keeps its records, when it is not one itself: the keys to its one list of
    objects, in objects with no title (`{"status": "ok", "data": [...]}`, as news APIs and CMSs answer, or deeper,
    `{"data": {"posts": [...]}}`, as GraphQL and other APIs do: that was read as one record, "no title field"; a
    list beside the object's own is its metadata's, `"meta": {"sources": [...]}`). The object is read past, a member
    at a time."""
    lists: list[tuple[str, ...]] = []
    deeper: list[tuple[str, ...]] = []
    titled = False
    for key in _members(source):
        titled = titled or _folded(key) in _TITLE_NAMES
        if source.peek() == "{":
            deeper += [(key, *inner)] if (inner := _records_path(source)) is not None else []
            continue
        if source.peek() != "[":
            source.value()
            continue
        elements = _elements(source)
        if isinstance(next(elements, (None, 0))[0], dict):
            lists.append((key,))
        deque(elements, maxlen=0)
    found = lists or deeper
    return found[0] if len(found) == 1 and not titled else None


def _wrapped_records(source: _JsonStream, path: tuple[str, ...], name: str, at: str) -> Iterator[Record]:
    """The records of the object that starts next, at `path` in it (`_records_path`), as `at` names the list."""
    for member in _members(source):
        if member != path[0]:
            _skip(source)
        elif len(path) > 1:
            yield from _wrapped_records(source, path[1:], name, at)
        else:
            # A stray byte in the wrapper's other members is the file's, not the next record's.
            yield from _note(source, name, 0)
            yield from _array_records(source, at)
            source.at = (name, 0)


def _array_records(source: _JsonStream, name: str) -> Iterator[Record]:
    """The elements of the JSON array that starts next, as records `name[1]`, `name[2]`, ..."""
    number = 0
    source.at = (f"{name}[1]", 1)
    for value, size in _elements(source):
        number += 1
        yield from _noted(source, _too_big(size) if size > MAX_RECORD_BYTES else _object(value))
        source.at = (f"{name}[{number + 1}]", number + 1)
    if number == 0:
        yield name, 0, "no records: the JSON array is empty"


# Ghost's export (Settings > Labs > Export): `{"db": [{"meta": {"exported_on": ...}, "data": {"posts": [...], ...}}]}`
# (older versions leave out "db"). Posts hold their whole HTML; their tags and authors are rows of other lists of
# `data`, joined by id. A post is a story when it went out: "published", or "sent" (a newsletter sent by e-mail only).
_GHOST = re.compile(r'\{\s*(?:"db"\s*:\s*\[\s*\{\s*)?"meta"\s*:\s*\{[^{}]*"exported_on"')
_GHOST_OUT = frozenset({"published", "sent"})
# What Ghost writes for its own site's address in links and in a canonical address on the site.
_GHOST_SITE = "__GHOST_URL__"
# The lists naming tags and authors (our field each gives), and those joining them to posts (by which id column).
_GHOST_NAMES = {"tags": "category", "users": "author"}
_GHOST_JOINS = {"posts_tags": ("category", "tag_id"), "posts_authors": ("author", "author_id")}
# The settings that make a post's address: the permalink (Ghost before 2.0; routes.yaml since, which an export does
# not hold) and the clock its dates are in.
_GHOST_SETTINGS = frozenset({"permalinks", "active_timezone"})
# A part of a permalink: `{year}` (routes.yaml's spelling) or `:year` (Ghost 0.x's and 1.x's).
_PERMALINK_TOKEN = re.compile(r"\{(\w+)\}|:(\w+)")


def _ghost_data(source: _JsonStream) -> Iterator[str]:
    """The keys of a Ghost export's `data` object that starts next (under "db" or not); the caller reads each
    one's value before the next key."""
    for key in _members(source):
        if key == "db":
            for _ in _items(source, "[", "]"):
                yield from _ghost_data(source)
        elif key == "data":
            yield from _members(source)
        else:
            _skip(source)


class _GhostSite(NamedTuple):
    """What a Ghost export says of its site, beside its posts: each post's tags and authors as (name, slug) in
    their order ("category", "author"), its permalink setting (`/{year}/{month}/{slug}/`, or `/:year/:slug/` as
    Ghost before 2.0 wrote it; None: Ghost's default, `/{slug}/`) and its clock (`active_timezone`), in which a
    permalink's date is written."""

    joined: dict[str, dict[str, list[tuple[str, str]]]]
    permalink: str | None
    zone: tzinfo


def _ghost_site(source: _JsonStream) -> _GhostSite:
    """What a Ghost export says of its site (`_GhostSite`), from its small lists, read past its posts."""
    names: dict[str, dict[str, tuple[str, str]]] = {field: {} for field in _GHOST_NAMES.values()}
    rows: dict[str, list[tuple[int, str, str]]] = {field: [] for field, _ in _GHOST_JOINS.values()}
    settings: dict[str, str] = {}
    for key in _ghost_data(source):
        if key not in _GHOST_NAMES and key not in _GHOST_JOINS and key != "settings":
            _skip(source)
            continue
        for row, _size in _elements(source):
            if not isinstance(row, dict):
                continue
            if key == "settings":
                if row.get("key") in _GHOST_SETTINGS and isinstance(value := row.get("value"), str):
                    settings[row["key"]] = value.strip()
            elif key in _GHOST_NAMES:
                names[_GHOST_NAMES[key]][str(row.get("id"))] = (_line(row.get("name")), _line(row.get("slug")))
            else:
                field, column = _GHOST_JOINS[key]
                order = row.get("sort_order")
                at = order if isinstance(order, int) else 0
                rows[field].append((at, str(row.get("post_id")), str(row.get(column))))
    joined: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for field, found in rows.items():
        for _order, post, target in sorted(found):
            name, slug = names[field].get(target, ("", ""))
            # A tag starting "#" is Ghost's internal tag, for themes, not a section a reader knows.
            if name and not name.startswith("#"):
                joined.setdefault(post, {}).setdefault(field, []).append((name, slug))
    try:
        zone: tzinfo = ZoneInfo(settings.get("active_timezone") or "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        zone = UTC
    permalink = settings.get("permalinks")
    return _GhostSite(joined, permalink if permalink and permalink.startswith("/") else None, zone)


def _ghost_records(source: _JsonStream, name: str) -> Iterator[Record]:
    """A Ghost export's posts that went out, as records (`name:posts[3]`), with their tags and authors; one
    reason counts the drafts, pages and other posts that did not."""
    site = _ghost_site(source)
    source.restart()
    skipped: Counter[str] = Counter()
    number = 0
    for key in _ghost_data(source):
        if key != "posts":
            _skip(source)
            continue
        for post, _size in _elements(source):
            number += 1
            source.at = (f"{name}:posts[{number}]", number)
            if not isinstance(post, dict):
                yield from _noted(source, _object(post))
            elif (kind := _ghost_kind(post)) != "post" or post.get("status") not in _GHOST_OUT:
                skipped[kind if kind != "post" else str(post.get("status") or "unpublished")] += 1
            else:
                found = site.joined.get(str(post.get("id")), {})
                record = {
                    "title": post.get("title"),
                    # Ghost renders its HTML from the Lexical (5.x) or Mobiledoc (before) it keeps: an export made
                    # by a migration tool, or by hand, may hold only those.
                    "body": next(filter(None, map(post.get, ("html", "plaintext", "lexical", "mobiledoc"))), None),
                    "published": post.get("published_at"),
                    "category": [tag for tag, _slug in found.get("category", [])],
                    "author": [author for author, _slug in found.get("author", [])],
                    "url": _ghost_link(post, found, site),
                    "id": post.get("uuid") or post.get("id"),
                }
                yield from _noted(source, record)
    if skipped:
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(skipped.items()))
        reason = f"{skipped.total()} drafts, pages or other posts not published skipped (a Ghost export: only its"
        yield name, 0, f"{reason} published posts are read; {kinds})"
    elif number == 0:
        yield name, 0, "no records: the Ghost export holds no posts"


def _ghost_kind(post: Mapping[str, object]) -> str:
    """A post's kind: "post", "page", ... (`type`; older exports mark a page `"page": true` instead)."""
    return "page" if post.get("page") is True else str(post.get("type") or "post")


def _ghost_link(post: Mapping[str, object], found: Mapping[str, list[tuple[str, str]]], site: _GhostSite) -> object:
    """A Ghost post's link: the canonical address it names, else its page on the site, as the site's permalink
    setting makes it (`_ghost_path`; the export writes its site's address nowhere, as `__GHOST_URL__` in links);
    none for a newsletter sent by e-mail only, which has no page."""
    canonical = post.get("canonical_url")
    if isinstance(canonical, str) and canonical.strip():
        return canonical.strip().removeprefix(_GHOST_SITE)
    slug = post.get("slug")
    if post.get("status") != "published" or not isinstance(slug, str) or not slug.strip():
        return None
    return _ghost_path(post, slug.strip(), found, site)


def _ghost_path(
    post: Mapping[str, object], slug: str, found: Mapping[str, list[tuple[str, str]]], site: _GhostSite
) -> str | None:
    """A post's path on its site by the permalink setting (`/{year}/{month}/{slug}/`; `/{slug}/` by default), its
    date in the site's clock, `{primary_tag}` its first public tag's slug and `{author}` its first author's; None
    when the setting names a part the export does not hold."""
    if site.permalink is None:
        return f"/{slug}/"
    values = {"slug": slug, "id": str(post.get("id") or "")}
    if tags := found.get("category"):
        values["primary_tag"] = tags[0][1]
    if authors := found.get("author"):
        values["author"] = authors[0][1]
    published, _unread = read_date(str(post.get("published_at") or ""))
    if published is not None:
        local = published.astimezone(site.zone)
        values |= {"year": f"{local:%Y}", "month": f"{local:%m}", "day": f"{local:%d}"}
    parts = [values.get(token[1] or token[2]) for token in _PERMALINK_TOKEN.finditer(site.permalink)]
    if not all(parts):
        return None
    return _PERMALINK_TOKEN.sub(lambda token: values[token[1] or token[2]], site.permalink)


def json_records(stream: BinaryIO, name: str, encoding: str) -> Iterator[Record]:
    """The objects of a JSON array, decoded one at a time; or one JSON object, or the list of objects in an object
    that wraps them (see `_records_path`), read from the file a second time."""
    source = _JsonStream(stream, name, encoding)
    try:
        first = source.peek()
        if first == "":
            yield name, 0, "no records: the file is empty"
            return
        if first == "[":
            yield from _array_records(source, name)
            if source.peek():
                yield name, 0, "text after the JSON array is not read"
            return
        if first == "{" and _GHOST.match(source.buffer, source.pos):
            yield from _ghost_records(source, name)
            return
        # One object is the file's one record: its location is the file's.
        source.at = (name, 1)
        if first == "{" and (path := _records_path(source)) is not None:
            source.restart()
            yield from _wrapped_records(source, path, name, f"{name}:{'.'.join(path)}")
            yield from _note(source, name, 0)
            return
        source.restart()
        value, size = source.value()
        one_line = "\n" not in source.last_value_text(size)
        if one_line and source.peek() == "{":
            # One object a line, more following: JSON Lines saved as .json (as BigQuery and many APIs export it).
            source.release()
            yield from jsonl_records(stream, name, encoding)
            return
        yield from _noted(source, _too_big(size) if size > MAX_RECORD_BYTES else _object(value))
        if source.peek():
            yield name, 0, "text after the first JSON value is not read"
    except ArticleError as exc:
        # Nothing after a broken spot in a JSON array can be found again; in JSON Lines it would be one record.
        rest = "" if source.ended_early else "; the rest of the file is not read (JSON Lines loses only the bad line)"
        yield *source.at, f"{exc}{rest}"


# ---- CSV ---------------------------------------------------------------------------------------------------------


class _CsvLines:
    """The lines csv.reader reads, with each row's size and encoding watched.

    A row past MAX_RECORD_BYTES is read on as its skeleton (quotes, delimiters, line ends; other runs as one "x"),
    which ends the row exactly where the real text would, without holding it. `start_row` before each row.
    """

    def __init__(self, stream: BinaryIO, delimiter: bytes, encoding: str) -> None:
        self._encoding = encoding
        self._filler = re.compile(b'[^"' + re.escape(delimiter) + b"\r\n]+")
        self._lines = _lines(stream, self._filler)
        self.line = 0
        self.size = 0
        self.note: Note | None = None
        self.oversized = False
        self._opened: int | None = None  # the line of the quote the row's text leaves open (None: none is)
        self._ended = False  # the file ended within the row

    def start_row(self) -> None:
        self.size = 0
        self.note = None
        self.oversized = False
        self._opened = None

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        try:
            self.line, line = next(self._lines)
        except StopIteration:
            self._ended = True
            raise
        self._count_quotes(line.skeleton if isinstance(line, _LongLine) else line)
        if isinstance(line, _LongLine):
            self.size += line.size
            self.oversized = True
            return line.skeleton.decode("ascii")
        self.size += len(line)
        if self.oversized or self.size > MAX_RECORD_BYTES:
            self.oversized = True
            return self._filler.sub(b"x", line).decode("ascii")
        try:
            return line.decode(self._encoding, decode_errors(self._encoding))
        except UnicodeDecodeError as exc:
            # One stray byte (a Windows quote mark pasted in) skipped the whole row: it loses that character.
            text, reason = read_past(exc, self.line)
            self.note = self.note or Note(reason)
            return text

    def _count_quotes(self, line: bytes) -> None:
        # Quotes open and close in turn (an escaped one, "", closes and opens again): an odd count leaves one open.
        if line.count(b'"') % 2:
            self._opened = None if self._opened is not None else self.line

    def row_problem(self) -> str | None:
        """Why the row is no record (None: it is one, `note` said of it if set)."""
        if self._opened is not None and self._ended:
            # csv reads a quote never closed as a field running to the end of the file, every row after it in it:
            # the row had "no body text" (its title held the rest of the file), and the rows after it were lost.
            lines = self.line - self._opened + 1
            return (
                f'unreadable CSV (line {self._opened}): a quote (") opens a field there and is never closed, so the'
                f" rest of the file ({lines:,} {'line' if lines == 1 else 'lines'}) read as that one field; close it"
                " and ingest the file again"
            )
        return _too_big(self.size, "row") if self.oversized else None


def _delimiter(stream: BinaryIO) -> bytes:
    """The delimiter the header row uses most outside quotes: the first line's, or, where a spreadsheet's title
    stands above it alone (see `_title_row`), the first line that has any; the stream is left where it was."""
    start = stream.tell()
    lines = [stream.readline(CHUNK_BYTES) for _ in range(_TITLE_ROWS + 1)]
    stream.seek(start)
    bare = [_QUOTED.sub(b"", line) for line in lines]
    header = next((line for line in bare if any(map(line.count, _DELIMITERS))), bare[0])
    return max(_DELIMITERS, key=header.count)


def _title_row(row: list[str], number: int) -> bool:
    """Whether a row before the header row is a spreadsheet's title over it (`Courier stories, December`, Excel
    padding it with empty cells) or an empty one under that title: one cell at most, within the first
    `_TITLE_ROWS`, and no name of a field. Every row under such a title was skipped, "no title field"."""
    cells = [cell.strip() for cell in row if cell.strip()]
    return number <= _TITLE_ROWS and len(cells) <= 1 and not any(_folded(cell) in _FIELD_NAMES for cell in cells)


def csv_records(stream: BinaryIO, name: str, encoding: str) -> Iterator[Record]:
    """Rows under a header row, numbered as rows (the header is row 1, or under a spreadsheet's title rows, see
    `_title_row`); a row may span lines; fields are separated by commas, semicolons or tabs, whichever the header row
    has most of."""
    delimiter = _delimiter(stream)
    lines = _CsvLines(stream, delimiter, encoding)
    rows = csv.reader(lines, delimiter=delimiter.decode("ascii"))
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
            if _title_row(row, number):
                number += 1  # rows are numbered as the spreadsheet shows them
                continue
            header = [column.strip() for column in row]
            if lines.note is not None:
                yield name, 0, lines.note
            continue
        number += 1
        if (problem := lines.row_problem()) is None and lines.note is not None:
            yield f"{name}:{number}", number, lines.note
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
    # Tab-separated values, as spreadsheets and databases export them under this name too.
    ".tsv": csv_records,
}
