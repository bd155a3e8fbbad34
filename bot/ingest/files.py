"""Files and directories: which files hold articles, and the articles in each, in the format its suffix names."""

from __future__ import annotations

import codecs
import difflib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, suppress
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from bot.errors import ArticleError
from bot.ingest.dates import DateEvidence, FileDates, Order, folder_date
from bot.ingest.limits import MAX_FEED_FILE_BYTES, MAX_PASTED_FILE_BYTES, MAX_RECORD_BYTES, within_limits
from bot.ingest.mail import parse_email
from bot.ingest.markdown import parse_markdown
from bot.ingest.newsxml import is_news_xml, read_news_xml
from bot.ingest.packed import gunzipped
from bot.ingest.records import (
    CHUNK_BYTES,
    READERS,
    Note,
    RecordReader,
    article_from_record,
    nested_field,
    site_path,
    written_date,
)
from bot.ingest.reports import Skipped, without_site
from bot.ingest.static_sites import HUGO_CONFIGS, JEKYLL_CONFIGS, post_permalink
from bot.ingest.substack import POSTS, is_export, read_export
from bot.ingest.text import (
    LEGACY_ENCODINGS,
    LEGACY_SAMPLE_BYTES,
    BrokenUtf8,
    decode,
    legacy_note,
    parse_text_article,
    split_text_articles,
    text_encoding,
    unicode_encoding,
)
from bot.models import Article

TEXT_SUFFIXES = frozenset({".txt", ""})
BULK_SUFFIXES = frozenset(READERS)
PAGE_SUFFIXES = frozenset({".html", ".htm"})
# .rdf: RSS 1.0 is RDF, and sites name it so (index.rdf).
FEED_SUFFIXES = frozenset({".rss", ".rdf", ".atom", ".xml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
EMAIL_SUFFIXES = frozenset({".eml"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | BULK_SUFFIXES | PAGE_SUFFIXES | FEED_SUFFIXES | MARKDOWN_SUFFIXES | EMAIL_SUFFIXES
ARCHIVE_SUFFIXES = frozenset({".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar"})
# Files of a kind newsbot reads no text from, which a newsroom's folders hold beside its stories: what each is, by
# its suffix or its first bytes (a renamed file, a `.docx` saved as `.txt`), and what to save it as instead. Given by
# its own path, a Word file was read as the seed's text format: "binary file, not text", or an RTF's or a PDF's "no
# 'Published D-MM-YYYY, HH:MM' line", which said nothing of what it was or what to do.
_AS_TEXT = "save it as a web page (.html) or as plain text (.txt, the headline on its first line) and ingest that"
_UNREAD_KINDS: Mapping[str, tuple[str, str]] = {
    "word": ("a word processor's document", _AS_TEXT),
    "pdf": ("a PDF document", "copy its text into a .txt file, the headline on its first line, and ingest that"),
    "sheet": ("a spreadsheet", "save it as CSV (.csv: a row a story, under a header row naming the columns)"),
    "slides": ("a presentation", "newsbot reads stories, not slides: save each story as .txt or .html"),
    "image": ("an image", "an image holds no text to read"),
    "ebook": ("an e-book", _AS_TEXT.replace("save it as", "save each story in it as")),
}
_UNREAD_SUFFIXES = {
    **dict.fromkeys((".docx", ".doc", ".docm", ".dotx", ".odt", ".rtf", ".pages", ".wpd"), "word"),
    ".pdf": "pdf",
    **dict.fromkeys((".xlsx", ".xls", ".xlsm", ".ods", ".numbers"), "sheet"),
    **dict.fromkeys((".pptx", ".ppt", ".odp", ".key"), "slides"),
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".tif", ".tiff", ".bmp"), "image"),
    **dict.fromkeys((".epub", ".mobi", ".azw3"), "ebook"),
}
# Zip-based office files, told apart by the parts whose names open them (a Word file's `word/document.xml`), and an
# OpenDocument's `mimetype` stored first.
_ZIP_PARTS = ((b"word/", "word"), (b"xl/", "sheet"), (b"ppt/", "slides"))
_OPEN_DOCUMENT = re.compile(rb"mimetypeapplication/vnd\.oasis\.opendocument\.(text|spreadsheet|presentation)")
_OPEN_DOCUMENT_KINDS = {b"text": "word", b"spreadsheet": "sheet", b"presentation": "slides"}
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"{\\rtf", "word"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "word"),  # Office 97-2003 (.doc, .xls), told by suffix when it names one
)
# The folder a browser saves a page's resources in, beside it (Chrome's, Firefox's, Edge's "Save page as", complete):
# `Story.html` and `Story_files/`.
_SAVED_RESOURCES = "_files"
# A static site's folders that hold no story (its drafts, the templates its pages are made with, what it builds them
# from): Jekyll's, in any folder; Hugo's only in a folder that is a Hugo site (its configuration beside them), as
# "themes" or "layouts" may be a newsroom's own folder of stories. A layout went in as a story headlined
# `{{ page.title }}`, a draft as a story.
_JEKYLL_FOLDERS = frozenset({"_drafts", "_layouts", "_includes", "_sass", "_data"})
_HUGO_FOLDERS = frozenset({"archetypes", "layouts", "themes", "resources"})
# A Hugo section's own page (`content/news/_index.md`): the list of its stories, its text a line about the section.
_HUGO_LIST = "_index.md"
# Not articles and not worth a word: a corpus folder may be a Python package (the shipped one is).
CODE_SUFFIXES = frozenset({".py", ".pyc", ".pyi"})
# Hidden files and folders, and a folder's own documents, named in a directory's note; the rest are counted.
HIDDEN_SHOWN = 5
# A folder's own documents, by their name before its first dot in any case: never a story. The BBC data set's
# README.md was read as one ("BBC News corpus (Greene & Cunningham, ...)", the 2,105th article of 2,104 stories).
DOCUMENT_NAMES = frozenset(
    {"readme", "licence", "license", "copying", "changelog", "changes", "contributing", "authors"}
)
# A path that is not there is likely a typo of a name beside it ("ferry.tx", "storys/"): the names this much alike
# (difflib's ratio, case aside; "ferry.tx" to "ferry.txt" is 0.94, "storys" to "stories" 0.77, "ferry.tx" to
# "fairy.md" 0.5) are offered, the closest few.
NEAR_NAME_RATIO = 0.75
NEAR_NAMES_SHOWN = 3
# How much of a file's start shows what kind of file it is (`_shown_kind`).
SNIFF_BYTES = 8192
# Encodings the bulk readers decode themselves a line at a time, a byte below 0x80 being ASCII in them; a file in
# another (UTF-16, Shift_JIS, whose second bytes may be `\` or `{`) is copied as UTF-8 first (`_copy_as_utf8`).
_READ_AS_IS = frozenset({"utf-8", "cp1252", "cp1250", "iso8859-2", "cp1251", "koi8-r", "cp1253", "iso8859-7"})


# What a file's first bytes show it is, whatever its name says: a feed (RSS, Atom, RDF), or records in JSON.
_JSON_START = re.compile(rb'^\s*(?:\{\s*"|\[\s*\{)')
_KINDS = {"feed": "a feed", "page": "a web page", "records": "JSON records"}
_PASTED = "a file of articles"
_LARGER = "split it into smaller files, or save its articles as JSON Lines (.jsonl), read at any size"
# `cmd | newsbot ingest -`, as other tools read standard input: an article read so would have no file to name it
# by, which its edits replace it by (and `remove` takes).
_READ_FROM = (
    "articles are read from .txt (the seed's format), .md, .markdown, .jsonl, .ndjson, .json, .csv, .tsv, .html, .htm"
    " and .eml files, and feeds from .rss, .rdf, .atom and .xml (pages and feeds also gzip-compressed: .html.gz,"
    " .xml.gz)"
)
_STDIN = "standard input is not read: save the articles to a file (e.g. news.jsonl) and ingest that"


def read_file(
    path: Path,
    fields: Mapping[str, str] | None = None,
    site: str | None = None,
    date_order: Order | None = None,
    batch: FileDates | None = None,
) -> Iterator[Article | Skipped]:
    """Articles in one file, in the format its suffix names (the seed's text format for anything else); or in the
    format its first bytes show, with a note, when the name says another (a feed saved as `.html`, a page or JSON
    saved as `.txt`). `site` is the address of the site an export's links are paths on (`--site`); `date_order`
    how dates in numbers are read (`--date-order`), else as each file's dates show, or its `batch`'s when its own
    cannot (`FileDates`)."""
    try:
        suffix = path.suffix.lower()
        if (packed := _packed_kind(path)) is not None:
            yield from _read_feed(path, date_order) if packed == "feed" else _read_page(path)
            return
        if suffix in ARCHIVE_SUFFIXES:
            yield Skipped(str(path), _archive(path))
            return
        if (unread := _unread_kind(path)) is not None:
            what, instead = _UNREAD_KINDS[unread]
            yield Skipped(str(path), f"{what}, which newsbot does not read: {instead}")
            return
        if suffix in EMAIL_SUFFIXES:
            yield from _read_email(path, date_order)
            return
        named, shown = _kinds(path)
        if shown is not None and shown != named:
            named_as = f"its name says {suffix}" if suffix else "its name has no suffix"
            yield Skipped(str(path), f"read as {_KINDS[shown]}, as its content shows ({named_as})", note=True)
            named = shown
        if named == "feed":
            yield from _read_feed(path, date_order)
        elif named == "records" and path.name == POSTS and is_export(path.parent):
            yield from read_export(path, site)
        elif named == "records":
            yield from _read_bulk(path, fields or {}, READERS.get(suffix, READERS[".json"]), site, date_order, batch)
        elif named == "page":
            yield from _read_page(path)
        elif suffix in MARKDOWN_SUFFIXES:
            static = post_permalink(path)
            yield from _read_text(path, partial(parse_markdown, site=site, static=static), date_order, batch)
        else:
            # The seed's format writes its dates day first.
            parse = _seed_parser(suffix)
            items = _read_text(path, parse, date_order, batch, split_text_articles, True, MAX_PASTED_FILE_BYTES)
            yield from items if suffix in TEXT_SUFFIXES else map(partial(_unknown_suffix, suffix), items)
    except OSError as exc:
        yield Skipped(str(path), exc.strerror or str(exc))


def _unread_kind(path: Path) -> str | None:
    """Which of `_UNREAD_KINDS` a file is, by its first bytes, else by its suffix; None for any other file."""
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        if found := _OPEN_DOCUMENT.search(head):
            return _OPEN_DOCUMENT_KINDS[found[1]]
        if kind := next((kind for part, kind in _ZIP_PARTS if part in head), None):
            return kind
    named = _UNREAD_SUFFIXES.get(path.suffix.lower())
    shown = next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)
    # An old Office file is Word's, Excel's or PowerPoint's alike: its suffix says which, when it names one.
    return named if shown == "word" and named else shown or named


def _archive(path: Path) -> str:
    """What to do with an archive: one file compressed (`stories.jsonl.gz`: "an archive ... ingest its folder" sent
    its reader looking for a folder) is unpacked to that file; a folder packed, to its folder."""
    inner = path.with_suffix("")
    if path.suffix.lower() in (".gz", ".bz2", ".xz") and inner.suffix.lower() != ".tar" and inner.suffix:
        return f"a compressed file: unpack it (to {inner.name}), then ingest that"
    return "an archive: unpack it, then ingest its folder"


def _unknown_suffix(suffix: str, item: Article | Skipped) -> Article | Skipped:
    """What stopped a file whose suffix names no format newsbot reads (`config.toml`, `notes.log`), read as the
    seed's text format, with what is read: it said only "no 'Published D-MM-YYYY, HH:MM' line after the headline"."""
    if not isinstance(item, Skipped) or item.note:
        return item
    return replace(
        item, reason=f"{item.reason} (read as the seed's text format, as newsbot reads no {suffix} files; {_READ_FROM})"
    )


def _packed_kind(path: Path) -> str | None:
    """ "feed" or "page" for a feed, sitemap or page gzip-compressed as sites keep them (`sitemap.xml.gz`,
    `feed.rss.gz`, `story.html.gz`), read unpacked as one fetched is (they were "an archive: unpack it"); else
    None."""
    if path.suffix.lower() != ".gz":
        return None
    inner = path.with_suffix("").suffix.lower()
    return "feed" if inner in FEED_SUFFIXES else "page" if inner in PAGE_SUFFIXES else None


def _seed_parser(suffix: str) -> Callable[[str, str, FileDates], tuple[Article, str | None]]:
    """The seed's format's reader for a file with `suffix`: only a `.txt` may be a plain headline-and-body article
    (README and LICENCE files have no suffix)."""
    return partial(parse_text_article, plain=suffix == ".txt")


def _kinds(path: Path) -> tuple[str, str | None]:
    """What a file's name says it is, and what its first bytes show it is (see `_named_kind`, `_shown_kind`)."""
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES).removeprefix(codecs.BOM_UTF8)
    return _named_kind(path.suffix.lower(), head), _shown_kind(head)


def _named_kind(suffix: str, head: bytes) -> str:
    """What a file's name says it is: "feed", "records", "page" or "text" (a `.json` file is a JSON Feed or records,
    as its first bytes, `head`, say)."""
    from bot.ingest.feeds import is_json_feed  # see `_shown_kind`

    if suffix in FEED_SUFFIXES or (suffix == ".json" and is_json_feed(head)):
        return "feed"
    if suffix in BULK_SUFFIXES:
        return "records"
    return "page" if suffix in PAGE_SUFFIXES else "text"


def _shown_kind(head: bytes) -> str | None:
    """What a file's first bytes (`head`) show it is ("feed", "page" or "records"), when they show it plainly."""
    # The feed and page readers load feedparser, trafilatura and lxml (about 0.2 s): only an ingest reads files,
    # and the commands that do not (stats, ask, latest, remove) import this module too.
    from bot.ingest.feeds import looks_like_feed
    from bot.ingest.pages import looks_like_page

    if looks_like_feed(head):
        return "feed"
    if looks_like_page(head):
        return "page"
    return "records" if _JSON_START.match(head) else None


def _whole(path: Path, limit: int = MAX_RECORD_BYTES, kind: str = "an article") -> bytes:
    """The bytes of a file read whole, or an ArticleError if it is too large to be `kind`, or empty (an empty page
    or feed was "an empty response" or "not an HTML page", as if fetched)."""
    size = path.stat().st_size
    if size > limit:
        too_large = f"too large for {kind} ({size:,} bytes; the limit is {limit:,})"
        # Articles pasted into one text file have a format without that limit to go to.
        raise ArticleError(f"{too_large}; {_LARGER}" if kind == _PASTED else too_large)
    data = path.read_bytes()
    if not data.strip():
        raise ArticleError("empty file")
    return data


def _unpacked(path: Path, limit: int = MAX_RECORD_BYTES, kind: str = "an article") -> bytes:
    """`_whole`, unpacked when gzip-compressed: a `.html.gz` or `.xml.gz`, or a page saved as its server sent it,
    compressed (an NITF story in a `.xml.gz` was "not an RSS, Atom or JSON feed")."""
    unpacked = gunzipped(_whole(path, limit, kind), limit, kind)
    if isinstance(unpacked, str):
        raise ArticleError(unpacked)
    return unpacked


class _Recorder(FileDates):
    """Dates read in the default order, each kept as written: a first reading of a file, for its `FileDates`."""

    def __init__(self) -> None:
        super().__init__(given="day")
        self.written: list[str] = []

    def parse(self, raw: str) -> datetime:
        self.written.append(raw)
        return super().parse(raw)


def _whole_text(text: str) -> list[str]:
    return [text]


def _text_evidence(
    parts: list[str], parse: Callable[[str, str, FileDates], tuple[Article, str | None]]
) -> DateEvidence:
    """What the dates the articles in `parts` of a text file write show, as `parse` finds them."""
    recorder = _Recorder()
    for part in parts:
        with suppress(ArticleError):
            parse(part, "", recorder)
    return DateEvidence.read(recorder.written)


def _read_text(
    path: Path,
    parse: Callable[[str, str, FileDates], tuple[Article, str | None]],
    date_order: Order | None,
    batch: FileDates | None,
    split: Callable[[str], list[str]] = _whole_text,
    stated: bool = False,
    limit: int = MAX_RECORD_BYTES,
) -> Iterator[Article | Skipped]:
    """The articles in a text file, read by `parse` (text, origin, the file's dates): one, or each that `split`
    finds there (the first is the file's, the others `file#2`, `file#3`, ...). `stated`: the format says its dates
    are day first (see `FileDates`). `limit`: the file's size at most, each article's `MAX_RECORD_BYTES`."""
    try:
        text, encoding = decode(_whole(path, limit, _PASTED if limit > MAX_RECORD_BYTES else "an article"))
    except BrokenUtf8 as exc:
        # One stray byte in a story otherwise UTF-8 (a pasted quote mark) skipped the whole story: it loses only
        # that character.
        text, encoding = exc.text, "utf-8"
        yield Skipped(str(path), str(exc), note=True)
    except ArticleError as exc:
        yield Skipped(str(path), str(exc))
        return
    legacy = encoding in LEGACY_ENCODINGS
    parts = split(text)
    written = partial(_text_evidence, parts, parse) if len(parts) > 1 else None
    dates = FileDates(written, date_order, stated, batch=batch)
    day = folder_date(path)
    for number, part in enumerate(parts, start=1):
        origin = str(path) if number == 1 else f"{path}#{number}"
        if limit > MAX_RECORD_BYTES and (size := len(part.encode())) > MAX_RECORD_BYTES:
            yield Skipped(origin, f"too large for an article ({size:,} bytes; the limit is {MAX_RECORD_BYTES:,})")
            continue
        try:
            article, unread = parse(part, origin, dates)
        except ArticleError as exc:
            yield Skipped(origin, str(exc))
            continue
        if day is not None and article.published is None and not unread:
            # A date it wrote but could not be read stays undated, as its note says; one it never wrote is the day
            # its folders name, as newsrooms file stories (2026/12/02/story.txt).
            article = replace(article, published=day)
        if legacy:
            yield Skipped(str(path), legacy_note(encoding), note=True)
            legacy = False
        if unread:
            yield Skipped(origin, unread, note=True)
        yield from within_limits(article, origin)
    if dates.note:
        yield Skipped(str(path), dates.note, note=True)


def _read_email(path: Path, date_order: Order | None) -> Iterator[Article | Skipped]:
    try:
        article, note = parse_email(_whole(path), str(path), FileDates(given=date_order))
    except ArticleError as exc:
        yield Skipped(str(path), str(exc))
        return
    if note:
        yield Skipped(str(path), note, note=True)
    yield from within_limits(article, str(path))


def _read_page(path: Path) -> Iterator[Article | Skipped]:
    from bot.ingest.pages import parse_saved_page  # see `_shown_kind`

    try:
        body = _unpacked(path)
    except ArticleError as exc:
        yield Skipped(str(path), str(exc))
        return
    day = folder_date(path)
    for item in parse_saved_page(body, str(path)):
        if day is not None and isinstance(item, Article) and item.published is None:
            # A site's mirror files its pages under their links' dated folders (2026/12/02/story.html).
            item = replace(item, published=day)
        yield item


def _read_feed(path: Path, date_order: Order | None) -> Iterator[Article | Skipped]:
    """The stories of an RSS, Atom or JSON feed saved as a file, each linked to its own page (or of the news
    industry's XML, NITF or NewsML: `bot.ingest.newsxml`). Where the feed has only
    a teaser, the teaser is the text (its page is not fetched: following the feed, `newsbot feeds add`, reads it),
    and a note says so; a story with no text at all is skipped."""
    from bot.ingest.feeds import parse_feed  # see `_shown_kind`

    try:
        data = _unpacked(path, MAX_FEED_FILE_BYTES, "a feed")
    except ArticleError as exc:
        yield Skipped(str(path), str(exc))
        return
    if is_news_xml(data):
        yield from read_news_xml(data, str(path), FileDates(given=date_order))
        return
    feed = parse_feed(data, str(path), date_order=date_order)
    if isinstance(feed, Skipped):
        yield feed
        return
    if feed.warning:
        yield Skipped(str(path), feed.warning, note=True)
    if feed.repeated:
        yield Skipped(
            str(path),
            f"{feed.repeated} {'entry repeats' if feed.repeated == 1 else 'entries repeat'} a story listed before (the"
            " same guid, else link): only each story's current version went in (updated last, else listed first)",
            note=True,
        )
    yield from feed.problems
    teasers = 0
    for entry in feed.entries:
        if not entry.article.paragraphs:
            only = "a headline" if entry.article.title else "a link"
            yield Skipped(entry.article.url or str(path), f"only {only} in the feed (its page is not read)")
            continue
        teasers += entry.summary_only
        yield entry.article
    if teasers:
        yield Skipped(
            str(path),
            f"{teasers} of its stories went in as the feed gives {'it' if teasers == 1 else 'them'}, a short text or"
            " one ending as a teaser does (\u201cRead more\u201d, \u2026), which may not be the whole story;"
            " `newsbot feeds add` follows a feed and reads each story from its page",
            note=True,
        )


def _copy_as_utf8(stream: BinaryIO, encoding: str, mark: int, copy: BinaryIO) -> BinaryIO:
    """A file's text in `encoding` after its byte order mark (`mark` bytes): UTF-16 or UTF-32 (Windows' "Unicode":
    PowerShell's Out-File, Excel's Unicode Text) or a Japanese or Chinese one, written to `copy` as UTF-8, since the
    bulk readers read bytes a line at a time (a temporary file keeps memory bounded). A broken character (a lone
    surrogate) becomes U+FFFD, as a broken spot in UTF-8 loses one record, not the file."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    stream.seek(mark)
    for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
        copy.write(decoder.decode(chunk).encode("utf-8"))
    copy.write(decoder.decode(b"", final=True).encode("utf-8"))
    copy.seek(0)
    return copy


def _read_bulk(
    path: Path,
    fields: Mapping[str, str],
    reader: RecordReader,
    site: str | None,
    date_order: Order | None,
    batch: FileDates | None,
) -> Iterator[Article | Skipped]:
    # Records whose links are paths on a site not named (`site_path`): how many, and the first.
    unlinked, example = 0, ""
    # Of the records that went in undated or unfiled, those holding such a field deeper (`nested_field`): how
    # many, and the first one's path, by our field's name.
    nested: dict[str, tuple[int, str]] = {}
    with ExitStack() as closing:
        try:
            stream, read_as, encoding = _bulk_text(path, closing)
        except ArticleError as exc:
            yield Skipped(str(path), str(exc))
            return
        if encoding in LEGACY_ENCODINGS:
            yield Skipped(str(path), legacy_note(encoding), note=True)
        known = batch.files if batch is not None else {}
        dates = FileDates(partial(_bulk_evidence, path, reader, fields, encoding, known), date_order, batch=batch)
        # A note on the record that follows (a stray byte), said only if it goes in: one skipped says why alone.
        noted: Skipped | None = None
        for location, number, record in reader(stream, str(path), read_as):
            if isinstance(record, Note) and number:
                noted = Skipped(location, record, note=True)
                continue
            note, noted = noted, None
            if isinstance(record, str):
                yield Skipped(location, record, note=isinstance(record, Note))
                continue
            try:
                article, unread = article_from_record(record, fields, f"{path}#{number}", site, dates)
            except ArticleError as exc:
                yield Skipped(location, str(exc))
                continue
            if note is not None:
                yield note
            if unread:
                yield Skipped(location, unread, note=True)
            if article.url is None and (link := site_path(record, fields)):
                unlinked, example = unlinked + 1, example or link
            for name, value in (("published", article.published), ("category", article.category)):
                if not value and (found := nested_field(record, fields, name)):
                    count, first = nested.get(name, (0, found))
                    nested[name] = (count + 1, first)
            # A record's own id is a steadier place than its number: records move when a file grows.
            if article.source_id:
                article = replace(article, origin=f"{path}#{article.source_id}")
            yield from within_limits(article, location)
    if unlinked:
        yield without_site(str(path), unlinked, example)
    for name, (count, found) in nested.items():
        went = "undated" if name == "published" else "without a category"
        stories = "1 story" if count == 1 else f"{count:,} stories"
        yield Skipped(
            str(path),
            f"{stories} went in {went}: no field at the top of {'its record' if count == 1 else 'their records'}"
            f" is one, but {found} reads as one; if it is, ingest the file again with --field {name}={found}",
            note=True,
        )
    if dates.note:
        yield Skipped(str(path), dates.note, note=True)


def _bulk_text(path: Path, closing: ExitStack, encoding: str | None = None) -> tuple[BinaryIO, str, str]:
    """A bulk file's bytes, at their start, as the readers read them; the encoding they read them in; and the file's
    own encoding: `encoding`, else as its bytes show it (`text_encoding`). An ArticleError for a binary file, or text
    in no encoding newsbot can tell. `closing` closes what this opens."""
    stream: BinaryIO = closing.enter_context(path.open("rb"))
    head = stream.read(LEGACY_SAMPLE_BYTES)
    if encoding is None:
        encoding, mark = text_encoding(head, iter(lambda: stream.read(CHUNK_BYTES), b""))
    else:
        mark = unicode[1] if (unicode := unicode_encoding(head)) else 0
    if encoding in _READ_AS_IS:
        stream.seek(0)
        return stream, encoding, encoding
    return _copy_as_utf8(stream, encoding, mark, closing.enter_context(tempfile.TemporaryFile())), "utf-8", encoding


def _bulk_evidence(
    path: Path,
    reader: RecordReader,
    fields: Mapping[str, str],
    encoding: str | None,
    known: dict[str, DateEvidence],
) -> DateEvidence:
    """What every record's date as written shows, the file read a second time (see `FileDates`), in `encoding` when
    it is known; once only, kept in `known` (a batch's `FileDates.files`: the batch's order and the file's own
    both need it)."""
    if (found := known.get(str(path))) is not None:
        return found
    with ExitStack() as closing:
        stream, read_as, _encoding = _bulk_text(path, closing, encoding)
        written = (
            date
            for _location, _number, record in reader(stream, str(path), read_as)
            if not isinstance(record, str) and (date := written_date(record, fields))
        )
        known[str(path)] = found = DateEvidence.read(written)
    return found


def article_files(paths: Iterable[Path]) -> Iterator[Path | Skipped]:
    """Files to read: each path given, and every article-like file under a directory, in a stable order; the
    other files under a directory are reported once for it, so that nothing is left out without a word. A file
    is read once however many ways it is reached (a link to it beside it, a linked folder): it was read again, and
    reported as a duplicate of itself."""
    seen: set[Path] = set()
    for path in paths:
        for item in _files_under(path):
            if isinstance(item, Path) and item in seen:
                continue
            if isinstance(item, Path):
                seen.add(item)
            yield item


def _first_few(names: Sequence[str]) -> str:
    """The first `HIDDEN_SHOWN` of `names` as a directory's note names them, "…" for the rest."""
    return ", ".join(names[:HIDDEN_SHOWN]) + (", \u2026" if len(names) > HIDDEN_SHOWN else "")


def _files_under(path: Path) -> Iterator[Path | Skipped]:
    """`article_files` of one path given, each file resolved, a file reached twice in it given twice."""
    if path.is_dir():
        others: Counter[str] = Counter()
        hidden: set[str] = set()
        resources: set[str] = set()
        documents: list[str] = []
        copies: list[str] = []
        site: set[str] = set()
        hugo = any((path / name).is_file() for name in HUGO_CONFIGS)
        # A static site's configuration is read for its posts' links (`bot.ingest.static_sites`), not as a story.
        configs = {path / name for name in (*(HUGO_CONFIGS if (path / "content").is_dir() else ()), *JEKYLL_CONFIGS)}
        tree = _tree(path)
        if not any(isinstance(child, Skipped) or child.is_file() or child.is_symlink() for child in tree):
            # It said only "0 added, 0 updated, 0 unchanged, 0 skipped", as if its files had all been read.
            yield Skipped(str(path), "an empty folder: there is no file in it, nor in the folders under it")
            return
        # A Substack export is read from its posts.csv, which reads the bodies beside it (bot.ingest.substack).
        exports = {p.parent: 0 for p in tree if isinstance(p, Path) and p.name == POSTS and is_export(p.parent)}
        for child in tree:
            if isinstance(child, Skipped):
                yield child
                continue
            parts = child.relative_to(path).parts
            # A name starting with a dot is an editor's, the system's or version control's (.git, ._story.txt
            # from a Mac): not read, but named once (a folder's insides are not).
            if (dot := next((n for n, part in enumerate(parts) if part.startswith(".")), None)) is not None:
                top = parts[: dot + 1]
                hidden.add("/".join(top) + ("/" if path.joinpath(*top).is_dir() else ""))
                continue
            if (at := next((n for n, part in enumerate(parts[:-1]) if _site_folder(part, hugo)), None)) is not None:
                site.add("/".join(parts[: at + 1]) + "/")
                continue
            if hugo and child.name == _HUGO_LIST:
                site.add("/".join(parts))
                continue
            if (kept := _page_resources(path, parts)) is not None:
                resources.add(kept)
                continue
            if child.is_symlink() and not child.exists():
                yield Skipped(str(child), f"a link to {os.readlink(child)}, which is not there")
                continue
            if not child.is_file():
                continue
            if child.name.split(".", 1)[0].lower() in DOCUMENT_NAMES:
                documents.append(str(child.relative_to(path)))
                continue
            export = next((root for root in exports if child.is_relative_to(root)), None)
            if export is not None and child != export / POSTS:
                exports[export] += 1
                continue
            suffix = child.suffix.lower()
            if _packed_kind(child) is not None and child.with_suffix("").is_file():
                # A static site's compressed copy of the file beside it (made for its server to send as it is).
                copies.append(str(child.relative_to(path)))
            elif suffix in ARTICLE_SUFFIXES or _packed_kind(child) is not None:
                yield child.resolve()
            elif suffix not in CODE_SUFFIXES and child not in configs:
                others[suffix] += 1
        if others:
            kinds = ", ".join(f"{count} {suffix}" for suffix, count in sorted(others.items()))
            files = "file" if others.total() == 1 else "files"
            # What to do with the documents among them (a .docx: save it as .html or .txt), once for each kind.
            advice = {_UNREAD_SUFFIXES[s] for s in others if _UNREAD_SUFFIXES.get(s) in ("word", "pdf", "sheet")}
            instead = "".join(
                f"; {_UNREAD_KINDS[kind][0]}: {_UNREAD_KINDS[kind][1]}" for kind in _UNREAD_KINDS if kind in advice
            )
            yield Skipped(
                str(path),
                f"{others.total()} other {files} not read ({kinds}); {_READ_FROM}{instead}",
            )
        for export, count in exports.items():
            yield Skipped(
                str(export),
                f"a Substack export: its posts are read from {POSTS}, each with its body from posts/; its"
                f" {count} other files (the subscribers, e-mail statistics, the bodies themselves) are not read",
                note=True,
            )
        if documents:
            yield Skipped(
                str(path),
                f"{_first_few(documents)} not read: a folder's README, licence or change log is no story (give its own"
                " path to read one)",
            )
        if site:
            yield Skipped(
                str(path),
                f"{_first_few(sorted(site))} not read: a static site's drafts, layouts, themes and section pages are no"
                " stories",
                note=True,
            )
        if copies:
            yield Skipped(
                str(path),
                f"{_first_few(sorted(copies))} not read: each is a compressed copy of the file beside it, read once",
                note=True,
            )
        if resources:
            names = sorted(resources)
            yield Skipped(
                str(path),
                f"{_first_few(names)} not read: what a browser saves beside a page (its pictures, scripts, and the"
                " frames it shows, advertisements and videos among them) is no story",
                note=True,
            )
        if hidden:
            names = sorted(hidden)
            yield Skipped(
                str(path),
                f"{len(names)} hidden {'file or folder' if len(names) == 1 else 'files and folders'} not read"
                f" ({_first_few(names)}); give a hidden file's path to read it",
            )
    elif path.is_file():
        yield path.resolve()
    else:
        yield Skipped(str(path), _STDIN if str(path) == "-" else f"no such file or directory{_near_names(path)}")


def _site_folder(name: str, hugo: bool) -> bool:
    """Whether a folder is a static site's that holds no story (see `_JEKYLL_FOLDERS`)."""
    return name in _JEKYLL_FOLDERS or (hugo and name in _HUGO_FOLDERS)


def _page_resources(root: Path, parts: tuple[str, ...]) -> str | None:
    """The folder under `root` (as "a/page_files/") that a browser's "Save page as" (complete) filled with the
    resources of the page beside it (`page.html` and `page_files/`), when the file at `parts` is in one; else None.
    The frames a page shows are saved there as pages of their own (`saved_resource.html`): an advertisement's went in
    as a story."""
    for depth, part in enumerate(parts[:-1]):
        stem = part.removesuffix(_SAVED_RESOURCES)
        folder = root.joinpath(*parts[:depth])
        if stem != part and any((folder / f"{stem}{suffix}").is_file() for suffix in PAGE_SUFFIXES):
            return "/".join(parts[: depth + 1]) + "/"
    return None


def _tree(root: Path) -> list[Path | Skipped]:
    """Everything under the folder `root`, in a stable order, going into the folders links name too (rglob passed
    them over without a word: `archive -> /mnt/2026` was not read), each folder once (a link back up is no loop);
    a folder that cannot be listed is a `Skipped`. Hidden folders are listed, not gone into."""
    found: list[Path | Skipped] = []
    walked = {root.resolve()}
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            found.append(Skipped(str(folder), f"a folder that cannot be read: {exc.strerror or exc}"))
            continue
        for entry in entries:
            child = Path(entry.path)
            found.append(child)
            with suppress(OSError):  # a link's target gone, or not ours to look at: read as a file, or named
                if entry.is_dir() and not entry.name.startswith(".") and (real := child.resolve()) not in walked:
                    walked.add(real)
                    folders.append(child)
    return sorted(found, key=lambda item: item if isinstance(item, Path) else Path(item.location))


def _near_names(path: Path) -> str:
    """' (did you mean ferry.txt?)' for a mistyped `path` whose folder holds names one or two letters away."""
    try:
        names = {entry.name.casefold(): entry.name for entry in os.scandir(path.parent)}
    except OSError:  # no such folder either, or one not ours to list
        return ""
    near = difflib.get_close_matches(path.name.casefold(), names, n=NEAR_NAMES_SHOWN, cutoff=NEAR_NAME_RATIO)
    return f" (did you mean {' or '.join(names[name] for name in near)}?)" if near else ""


def read_articles(
    paths: Iterable[Path],
    fields: Mapping[str, str] | None = None,
    site: str | None = None,
    date_order: Order | None = None,
) -> Iterator[Article | Skipped]:
    """Every article under `paths`, and a `Skipped` for each problem (see `Skipped` for the two kinds); `site` and
    `date_order` as `read_file` takes them. The files are one batch: one whose own dates in numbers cannot say
    whether they are day or month first reads them as all the files' dates do (see `FileDates`), with one note."""
    given = list(paths)
    items = list(article_files(given))
    files = [item for item in items if isinstance(item, Path)]
    batch = None
    if date_order is None and len(files) > 1:
        stated = all(file.suffix.lower() in TEXT_SUFFIXES for file in files)
        known: dict[str, DateEvidence] = {}
        batch = FileDates(partial(_batch_evidence, files, fields or {}, known), stated=stated, files=known)
    for item in items:
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(item, fields, site, date_order, batch)
    if batch and (note := batch.batch_note()):
        yield Skipped(_batch_location(given, files), note, note=True)


def _batch_location(given: list[Path], files: list[Path]) -> str:
    """Where a batch's note is: the one path given, else the folder its files are in, else (files from all over)
    their list."""
    if len(given) == 1:
        return str(given[0])
    folder = Path(os.path.commonpath(files))
    return str(folder) if folder != folder.parent else ", ".join(map(str, given))


def _batch_evidence(files: list[Path], fields: Mapping[str, str], known: dict[str, DateEvidence]) -> DateEvidence:
    """What the dates in the text files (the seed's format, Markdown) and bulk files of a batch show, as `read_file`
    reads them (each bulk file's kept in `known` for its own reading); feeds' and pages' dates are their own."""
    evidence = DateEvidence()
    for path in files:
        suffix = path.suffix.lower()
        with suppress(OSError, ArticleError):
            named, shown = _kinds(path)
            kind = shown or named
            if kind == "records" and not (path.name == POSTS and is_export(path.parent)):
                evidence.add(_bulk_evidence(path, READERS.get(suffix, READERS[".json"]), fields, None, known))
            elif kind == "text" and suffix in MARKDOWN_SUFFIXES:
                evidence.add(_text_evidence([decode(_whole(path))[0]], partial(parse_markdown, site=None)))
            elif kind == "text":
                text = decode(_whole(path, MAX_PASTED_FILE_BYTES))[0]
                evidence.add(_text_evidence(split_text_articles(text), _seed_parser(suffix)))
    return evidence
