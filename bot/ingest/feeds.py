"""RSS (0.9x, 1.0, 2.0) and Atom feeds with feedparser: bytes in, entries as articles or reasons out.

Each entry becomes an article with the feed's own text, or with its summary and `summary_only` set when the
feed carries no more (the poller then reads the story's page and calls `with_page`). Broken feeds are read as
far as feedparser can; an entry that cannot become an article is reported, never fatal.

A WordPress export (WXR: RSS with the `wp:` elements) holds the whole site: only its published posts are read,
with their full text; drafts, scheduled and private posts, pages and attachments are counted in one report.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import Message
from html.parser import HTMLParser
from typing import Any
from xml.sax import SAXParseException

from bot.analysis import analyze
from bot.errors import ArticleError
from bot.ingest.dates import DateEvidence, FileDates, Order, read_date
from bot.ingest.limits import MAX_FEED_FILE_BYTES, fit
from bot.ingest.markup import html_paragraphs, html_text, looks_like_html
from bot.ingest.packed import gunzipped
from bot.ingest.reports import Skipped
from bot.ingest.sitemaps import news_sitemap
from bot.ingest.text import (
    LEGACY_ENCODINGS,
    XML_ENCODING,
    BrokenUtf8,
    bylined,
    decode,
    served_encoding,
    split_paragraphs,
    text_encoding,
    unicode_encoding,
)
from bot.ingest.urls import canonical_url, is_web_url, joined
from bot.models import Article, short_hash

log = logging.getLogger(__name__)

DEFAULT_CATEGORY = "News"
# Without a content element, a description is the whole story only when it has at least this many paragraphs
# and characters and does not end like a teaser: most feeds put one or two sentences there. (Wrongly taken for a
# teaser, a story costs one page fetch; wrongly taken for the whole story, it would be stored as a teaser.)
MIN_FULL_TEXT_PARAGRAPHS = 3
MIN_FULL_TEXT_CHARS = 600
# A guid that entries under this many different links share identifies none of them (`_shared_guids_dropped`).
SHARED_GUID_LINKS = 3
# Two entries under one guid and two links are one story (an edit moved to a new link) when this share of the
# content words of the one with fewer is the other's; else they are two stories a CMS gave one guid (`one_story`).
ONE_STORY_WORDS = 0.5
# A story page replaces the feed's summary only when it carries the story: it holds this share of the summary's
# content words, or this lower share when it is several times the summary's length (an editor's summary may be
# worded apart from the story's lead). A paywall or consent page holds few of them; and a page shorter than the
# summary cannot hold more of the story.
PAGE_HOLDS_SUMMARY = 0.5
LONGER_PAGE_HOLDS_SUMMARY = 0.25
LONGER_PAGE_TIMES = 3
# What an entry's date must look like (its feed's site can be asked to fix one that is not), and the forms the note
# on an unreadable date in a file names instead (`read_date`).
FEED_DATE_FORMS = (
    "a feed should date its entries in RFC 822 form (RSS: 'Tue, 03 Mar 2026 14:30:00 +0000') or RFC 3339 form"
    " (Atom, JSON Feed: '2026-03-03T14:30:00Z'), the zone as an offset or GMT/UTC/Z"
)
_FILE_FORMS = re.compile(r" \(expected [^)]*\)$")
# Feeds' media types, with the unregistered ones many servers still send (x-rss, x-atom, text/rss).
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json",
    "application/x-rss+xml", "application/x-atom+xml", "text/rss+xml",
)  # fmt: skip

# The encoding a feed's XML declaration names (any name: a misspelt one is the feed's own word too).
# The first bytes of files that are no text, as sites serve them where a feed or a page was expected.
_BINARY_STARTS = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a WebP image or a sound"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
)
# An HTML page's start (a doctype or its first element, after a byte order mark and comments) and its title.
_PAGE_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b", re.I | re.S)
_TITLE = re.compile(rb"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
MAX_SHOWN_TITLE = 120
# A feed's XML declaration in ASCII bytes, whole or not: cut short (`<?xml version="1.0" encoding="utf` and the feed
# after it), or closed by `>` alone. A `<?xml-stylesheet ...>` is none.
_DECLARATION = re.compile(rb"(\xef\xbb\xbf)?(\s*)<\?xml(?![\w.:-])([^<>]*?)(\?>|>|(?=<)|$)")
_DECLARED_ENCODING = re.compile(rb"""\bencoding\s*=\s*["']?([^"'\s?>]*)""")
# Well-formed XML's root element (after its declaration, comments and doctype), and the news industry's formats
# known by it: a wire service's stories.
_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([A-Za-z_][\w.:-]*)", re.S
)
_ROOT_BYTES = 4096
_NEWS_XML = {
    "nitf": "an NITF story (the news industry's XML)",
    "newsmessage": "a NewsML-G2 message (the news industry's XML)",
    "newsitem": "a NewsML-G2 item (the news industry's XML)",
    "newsml": "a NewsML 1 document (the news industry's XML)",
}
# Those of them newsbot reads as files (`bot.ingest.newsxml`), though not as a feed.
_NEWS_FILES = frozenset({"nitf", "newsmessage", "newsitem", "newsml"})
# What a WordPress export's items not read are, many and one.
_UNPUBLISHED = {False: "drafts, pages or attachments", True: "draft, page or attachment"}
# A paragraph that only points to the page, and the end of a teaser.
_READ_MORE = re.compile(
    r"\s*(?:\[?(?:\u2026|\.\.\.)\]?\s*)?\b(?:read more|continue reading|read the (?:full|whole) (?:story|article)"
    r"|full story|more\s*\u00bb)\W*$",
    re.IGNORECASE,
)
_TEASER_END = re.compile(r"(?:\u2026|\.\.\.|\[(?:\u2026|\.\.\.)\])\s*$")
# WordPress ends every entry with "The post <title> appeared first on <site>."
_APPEARED_FIRST = re.compile(r"^The post .+ appeared first on .+\.$")
# feedparser's complaints that change nothing for a reader.
_HARMLESS = ("NonXMLContentType",)
# feedparser's CharacterEncodingOverride: "document declared as us-ascii, but parsed as utf-8".
_DECLARED = re.compile(r"declared as (\S+), but parsed as (\S+)")
# WordPress keeps a post's text as typed, paragraphs apart by a blank line, and adds the <p> only on display.
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# ... and its authors by their logins (`<dc:creator>ann</dc:creator>`), naming them in the `<wp:author>` list before the
# posts, which feedparser does not keep apart.
_WXR_AUTHOR = re.compile(rb"<wp:author>(.*?)</wp:author>", re.S)
_WXR_FIELD = r"<wp:author_{0}>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</wp:author_{0}>"
_WXR_LOGIN = re.compile(_WXR_FIELD.format("login").encode(), re.S)
_WXR_NAME = re.compile(_WXR_FIELD.format("display_name").encode(), re.S)
# ... and files a post under no category as "Uncategorized" (or its translation for a site in British English).
_UNFILED = frozenset({"uncategorized", "uncategorised"})
# ... and its own shortcodes, which it replaces on display: a photo's caption (no part of the story, as a figure is
# not), a gallery, an embedded player or post are markup in an export's text, not words.
_SHORTCODE_NAMES = r"(?:wp_)?caption|gallery|embed|video|audio|playlist"
_SHORTCODES = re.compile(
    rf"\[((?:wp_)?caption|embed|video|audio)\b[^\]]*\].*?\[/\1\]|\[/?(?:{_SHORTCODE_NAMES})\b[^\]]*\]", re.S | re.I
)


@dataclass(frozen=True)
class FeedEntry:
    """One story from a feed."""

    article: Article
    # The feed has only a teaser: read `article.url` for the full text and `with_page` it. Then the article's
    # paragraphs hold the teaser (possibly none), to fall back on when the page cannot be read.
    summary_only: bool
    # When the feed says this version was last changed (Atom's `updated`), else published: of two entries that
    # are one story, the later is its current version.
    revised: datetime | None = None


@dataclass(frozen=True)
class Feed:
    """What a feed says: its title and home page, its stories, and what could not be read."""

    url: str
    title: str
    link: str | None
    entries: tuple[FeedEntry, ...]
    # Entries that could not be read (`Skipped`) and entries that were cut (`Skipped(cut=True)`).
    problems: tuple[Skipped, ...] = ()
    # The feed was read leniently (not well-formed XML, a wrong encoding declaration): what was wrong.
    warning: str | None = None
    # Entries left out as older versions of another one (the feed listed one story twice, see `_current`).
    repeated: int = 0
    # How its dates in numbers were read when each could be day or month first, with a note in `problems` unless
    # one was `told` already (see `parse_feed`); else None.
    dates_read: Order | None = None
    # The entries that could not be read (no link to the story, say), each by a key of its own (its guid, headline
    # and text, and what was wrong) with the problem said of it, which is in `problems` too: a followed feed's poll
    # says it once, not at every poll (see `FeedService._read`).
    unreadable: tuple[tuple[str, Skipped], ...] = ()


def parse_feed(
    data: bytes,
    url: str,
    category: str | None = None,
    content_type: str | None = None,
    date_order: Order | None = None,
    now: datetime | None = None,
    told: Order | None = None,
) -> Feed | Skipped:
    """Read a feed's bytes (fetched from `url`, or a file's); `category`, when given, is every entry's category;
    its dates in numbers are read in `date_order`, else as its dates show (`FileDates`), with `now`, the time a
    followed feed was fetched, among them. `told`: how a note said its dates in numbers were read (an earlier poll
    of a followed feed): no note says it again while they are read so."""
    if not data.strip():
        return Skipped(url, "empty response, not a feed")
    # A `sitemap.xml.gz`, or a feed a server compressed without saying so in Content-Encoding (it was "not
    # well-formed XML (line 2: ...)").
    if isinstance(unpacked := gunzipped(data, MAX_FEED_FILE_BYTES, "a feed"), str):
        return Skipped(url, unpacked)
    if (binary := _binary_kind(unpacked)) is not None:
        served = f" ({_media_type(content_type)})" if content_type else ""
        return Skipped(url, f"not a feed but {binary}{served}")
    unpacked, declaration = _mended_declaration(unpacked)
    data, mended = _mended_utf8(unpacked, content_type)
    headers = {"content-type": _served_type(content_type, data)}
    # A feed saved as a file has no address of its own to resolve relative links against (see `_base`).
    if is_web_url(url):
        headers["content-location"] = url
    problem: str | None = None
    if (json_feed := _json_feed(data)) is not None:
        channel, raw_entries = json_feed
    elif isinstance(sitemap := news_sitemap(data), str):
        return Skipped(url, sitemap)
    elif sitemap is not None:
        channel, raw_entries = sitemap
    else:
        # Loaded here, not with the module: every bot imports this module (its feed service), most never read a feed.
        import feedparser

        # A stream, never bytes or a string: feedparser would open those as a file name or fetch them as a URL.
        try:
            parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
        except Exception as exc:  # feedparser means never to raise, but does on some broken XML declarations
            log.debug("feedparser failed on %s", url, exc_info=True)
            return Skipped(url, f"unreadable feed ({type(exc).__name__}: {exc})")
        problem = "; ".join(p for p in (declaration, mended, _bozo(parsed)) if p) or None
        if not parsed.get("version") and not parsed.entries:
            if found := discover_feeds(data, url):
                return Skipped(url, f"a web page, not a feed; it names a feed at {found[0]}")
            if title := _page_title(data):
                # A feed's address answering with a page ("Page not found" sent with 200 OK, a site's new home page
                # after a move): its title tells an admin what the site sent, where "not a feed" told nothing.
                return Skipped(url, f"a web page (\u201c{title}\u201d), not an RSS, Atom or JSON feed")
            if (root := _ROOT.match(data[:_ROOT_BYTES])) and root[1].lower() != b"html" and not problem:
                return Skipped(url, _other_xml(root[1].decode("ascii").split(":")[-1]))
            return Skipped(url, "not an RSS, Atom or JSON feed" + (f" ({problem})" if problem else ""))
        channel, raw_entries = parsed.feed, parsed.entries
    base = _base(channel, url)
    authors = _wxr_authors(data)
    # Every entry in the feed's order, with what was wrong with it (None: an entry that could not be read at all).
    read: list[tuple[FeedEntry | None, list[Skipped]]] = []
    unreadable: list[tuple[str, Skipped]] = []
    unpublished: Counter[str] = Counter()
    # Only a feed saved as a file is read again, with --date-order. A feed followed has no such option (its stories
    # are read once): its stories are as new as the feed, so the time it was fetched is one of its dates, and one
    # day's `12/01/2026` alone, 12 January or 1 December, is read as near it.
    fetched = [now.isoformat()] if now else []
    dates = FileDates(
        lambda: DateEvidence.read([*_feed_dates(raw_entries), *fetched], now),
        date_order,
        advise=not is_web_url(url),
        now=now,
    )
    for number, raw in enumerate(raw_entries, start=1):
        if kind := _unpublished(raw):
            unpublished[kind] += 1
            continue
        location = f"{url} entry {number}"
        try:
            entry, note = _entry(raw, base, category, authors, dates)
        except ArticleError as exc:
            unread = Skipped(location, str(exc))
            read.append((None, [unread]))
            unreadable.append((_unreadable_key(raw, unread.reason), unread))
            continue
        said = [Skipped(entry.article.url or location, note, note=True)] if note else []
        article, cut = fit(entry.article)
        if cut:
            said.append(Skipped(article.url or location, cut, cut=True))
        read.append((replace(entry, article=article), said))
    readable = _shared_guids_dropped([entry for entry, _ in read if entry is not None])
    # By identity: a feed may list one entry twice exactly, and equal entries are one story still.
    current = {id(entry) for entry in _current(readable)}
    entries = [entry for entry in readable if id(entry) in current]
    problems = [p for entry, said in read if entry is None or id(entry) in current for p in said]
    if dates.note and dates.order != told:
        problems.append(Skipped(url, dates.note, note=True))
    if unpublished:
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(unpublished.items()))
        problems.append(
            Skipped(
                url,
                f"{unpublished.total()} {_UNPUBLISHED[unpublished.total() == 1]} skipped (a WordPress export: only"
                f" its published posts are read; {kinds})",
            )
        )
    link = channel.get("link")
    return Feed(
        url=url,
        title=html_text(channel.get("title", "")) or url,
        link=canonical_url(link) if isinstance(link, str) and is_web_url(link) else None,
        entries=tuple(entries),
        problems=tuple(problems),
        warning=problem or "; ".join(p for p in (declaration, mended) if p) or None,
        repeated=len(readable) - len(entries),
        dates_read=dates.order if dates.note else None,
        unreadable=tuple(unreadable),
    )


def _unreadable_key(raw: Mapping[str, Any], reason: str) -> str:
    """An entry that could not be read, as itself wherever the feed lists it (its number moves down as new
    entries come): its guid, headline and text, and what was wrong with it."""
    return short_hash("|".join([reason, *(str(raw.get(name) or "") for name in ("id", "title", "summary"))]))


def entry_identity(article: Article) -> str:
    """Which entry of its feed a story is: its guid (Atom id), else its link."""
    return f"guid:{article.guid}" if article.guid else f"link:{article.url or ''}"


def _shared_guids_dropped(entries: list[FeedEntry]) -> list[FeedEntry]:
    """The entries, without a guid that entries under `SHARED_GUID_LINKS` or more links share, or under two links
    telling two stories: a CMS that gives every item one guid (its site's address, a constant), or two items one
    (a slot's), names no story by it, and each is known by its link; the second story was dropped as a repeat of
    the first. (A story edited under a new link and listed again, old version too, shares its guid with one other
    link, and its words.)"""
    listed: dict[str, list[Article]] = {}
    for entry in entries:
        if entry.article.guid:
            listed.setdefault(entry.article.guid, []).append(entry.article)
    shared = {
        guid
        for guid, versions in listed.items()
        if len({a.url for a in versions}) >= SHARED_GUID_LINKS
        or not all(one_story(versions[0], other) for other in versions[1:] if other.url != versions[0].url)
    }
    return [
        replace(entry, article=replace(entry.article, guid=None)) if entry.article.guid in shared else entry
        for entry in entries
    ]


def one_story(first: Article, second: Article) -> bool:
    """Whether two versions of an entry (one guid) tell one story: `ONE_STORY_WORDS` of the content words (headline
    and text) of the one with fewer are the other's. One with no words tells nothing: one story, as its guid says."""
    fewer, more = sorted((set(analyze(" ".join((a.title, *a.paragraphs)))) for a in (first, second)), key=len)
    return len(fewer & more) >= ONE_STORY_WORDS * len(fewer)


def _current(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Each story's current version, where a feed lists one (one guid, else one link) twice: the one revised
    last when both say when (Atom's `updated`), else the first listed, as feeds list the newest first."""
    kept: dict[str, FeedEntry] = {}
    for entry in entries:
        earlier = kept.setdefault(key := entry_identity(entry.article), entry)
        if earlier.revised is not None and entry.revised is not None and entry.revised > earlier.revised:
            kept[key] = entry
    return list(kept.values())


def _served_type(content_type: str | None, data: bytes) -> str:
    """The Content-Type for feedparser, which follows RFC 3023: a charset in it outranks the feed's own XML
    declaration, any `text/` type without one (`text/xml`, and the `text/html` misconfigured servers send) is ASCII,
    and no Content-Type at all is ISO-8859-1. A server's default charset (ISO-8859-1 over a UTF-8 feed, see
    `served_encoding`) gives way to the feed's own declaration, else to what the bytes are; with no charset, the
    feed's own declaration decides, as RFC 7303 (which replaced 3023) says: a UTF-8 feed served as `text/xml` was
    read "leniently", with a warning. A feed that declares nothing is read as its bytes are, as a file is."""
    message = Message()
    message["content-type"] = content_type or "application/xml"
    charset = message.get_content_charset()
    if charset is None and message.get_content_maintype() == "text":
        message.set_type("application/" + message.get_content_subtype())
    declared = XML_ENCODING.match(data)
    served = served_encoding(charset, data, declared[1].decode("ascii", errors="replace") if declared else None)
    if served is not None and served != (codecs.lookup(charset).name if charset else None):
        message.set_param("charset", served)
    return message["content-type"]


def _mended_declaration(data: bytes) -> tuple[bytes, str | None]:
    """A feed whose XML declaration cannot be right, with one naming the encoding its bytes show (see
    `text_encoding`), and a note saying what was wrong; else the feed as it is, and None. A declaration cut short,
    or naming an encoding there is none of (`utf-9`, a stray byte in `u\\x80tf-8`) or one its ASCII-written
    declaration cannot be in (UTF-16, EBCDIC), refused the feed ("unreadable feed (UnicodeDecodeError: ...)", "not
    an RSS, Atom or JSON feed") or stopped the whole ingest of a sitemap (LookupError)."""
    if (wide := unicode_encoding(data)) is not None:
        return _mended_wide_declaration(data, *wide)
    found = _DECLARATION.match(data)
    if found is None:
        return data, None
    mark, space, attributes, end = found.groups()
    named = _DECLARED_ENCODING.search(attributes)
    declared = named[1].decode("ascii", "backslashreplace") if named else None
    what = _unclosed(end)
    if what is None and declared is not None:
        what = _unwritable(declared)
    if what is None:
        return data, None
    rest = data[found.end() :]
    try:
        encoding, _mark = text_encoding(rest)
    except ArticleError:
        return space + rest, f"the feed's XML declaration {what}: read as its text shows"
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'.encode("ascii")
    name = LEGACY_ENCODINGS.get(encoding, encoding.upper())
    return (mark or b"") + space + declaration + rest, f"the feed's XML declaration {what}: read as {name}"


def _mended_wide_declaration(data: bytes, encoding: str, mark: int) -> tuple[bytes, str | None]:
    """A UTF-16 or UTF-32 feed (`encoding`, after a byte order mark of `mark` bytes) whose XML declaration is not
    closed by '?>', as UTF-8 under a whole declaration, with a note as for one in ASCII (`_mended_declaration`);
    else the feed as it is, and None. Such a feed was refused ("not well-formed (invalid token)")."""
    try:
        text = data[mark:].decode(encoding).encode("utf-8")
    except UnicodeDecodeError:
        return data, None
    found = _DECLARATION.match(text)
    what = _unclosed(found[4]) if found else None
    if found is None or what is None:
        return data, None
    declaration = b'<?xml version="1.0" encoding="utf-8"?>'
    name = "UTF-" + encoding.split("-")[1]
    return found[2] + declaration + text[found.end() :], f"the feed's XML declaration {what}: read as {name}"


def _unclosed(end: bytes) -> str | None:
    """What is wrong with an XML declaration that ends with `end` (see `_DECLARATION`); None when '?>' closes it."""
    if end == b"?>":
        return None
    return "is cut short" if end != b">" else "ends with '>' where '?>' closes it"


def _unwritable(encoding: str) -> str | None:
    """What is wrong with a declaration, written in ASCII bytes, naming `encoding`: no such encoding, or one whose
    text is not ASCII (UTF-16, EBCDIC); None when it may be right."""
    try:
        if "<?xml".encode(encoding) == b"<?xml":
            return None
    except LookupError:
        return f"names an encoding there is none of ('{encoding}')"
    except ValueError:  # a codec that is no text encoding (`undefined`); UnicodeError is a ValueError
        pass
    return f"names the encoding '{encoding}', which it is not written in"


def _mended_utf8(data: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """A UTF-8 feed with a stray byte or two that are not UTF-8 (a Windows quote mark pasted into one story), with
    U+FFFD in their places, and a note saying where; else the feed as it is, and None. Such a feed was read as
    Windows-1252 whole (feedparser's fallback), every accent, dash and quote mark of every story garbled."""
    try:
        data.decode("utf-8")
        return data, None
    except UnicodeDecodeError:
        pass
    declared = XML_ENCODING.match(data)
    own = declared[1].decode("ascii", errors="replace") if declared else None
    try:
        served = served_encoding(_charset(content_type), data, own) or (codecs.lookup(own).name if own else None)
    except LookupError:  # a declaration naming no encoding: feedparser says so
        return data, None
    if served != "utf-8":
        return data, None
    try:
        decode(data)  # mostly UTF-8 (else it is not the stray bytes that are wrong, but the declaration)
    except BrokenUtf8 as exc:
        return exc.text.encode("utf-8"), str(exc)
    except ArticleError:
        pass
    return data, None


def _binary_kind(data: bytes) -> str | None:
    """What a file that is no text is, by its first bytes (a PDF, an image, an archive); None for text. A feed's
    address serving a PDF was "not an RSS, Atom or JSON feed (the feed is not well-formed XML (line 2: ...); read as
    well as it could be, a story may be missing or cut short)"."""
    return next((kind for start, kind in _BINARY_STARTS if data.startswith(start)), None)


def _media_type(content_type: str) -> str:
    message = Message()
    message["content-type"] = content_type
    return message.get_content_type()


def _charset(content_type: str | None) -> str | None:
    """The charset a Content-Type names (None for none)."""
    message = Message()
    message["content-type"] = content_type or "application/xml"
    return message.get_content_charset()


# The first bytes of an RSS, Atom or RDF feed: its root element, after any XML declaration, comment or doctype.
_FEED_START = re.compile(rb"^\s*(?:<\?[^>]*>\s*|<!--.*?-->\s*|<!doctype[^>]*>\s*)*<(?:rss|feed|rdf:rdf)\b", re.S | re.I)


def looks_like_feed(head: bytes) -> bool:
    """Whether a file's or a response's first bytes (`head`, without a byte order mark) are a feed's, whatever it
    is named or served as."""
    return bool(_FEED_START.match(head)) or is_json_feed(head)


def is_json_feed(data: bytes) -> bool:
    """Whether bytes look like a JSON Feed (jsonfeed.org), which names its version near the top."""
    return data.lstrip().startswith(b"{") and b"jsonfeed.org/version" in data[:4096]


def _json_feed(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """A JSON Feed's channel and items in feedparser's shape (which does not read JSON Feed), or None when the
    bytes are not one."""
    if not is_json_feed(data):
        return None
    try:
        document = json.loads(data)
    except ValueError:  # UnicodeDecodeError too
        return None
    if not isinstance(document, dict):
        return None
    items = document.get("items")
    listed = items if isinstance(items, list) else []
    entries = [_json_item(item) if isinstance(item, dict) else {} for item in listed]
    channel = {key: document.get(name) for key, name in (("title", "title"), ("link", "home_page_url"))}
    return channel, entries


def _json_item(item: dict[str, Any]) -> dict[str, Any]:
    """One JSON Feed item as feedparser would give an RSS item; wrong types count as missing."""

    def text(name: str) -> str | None:
        value = item.get(name)
        return value if isinstance(value, str) else None

    def moment(name: str) -> str | None:
        # Epoch seconds, as some generators write them, are a date too (the spec's is RFC 3339 text).
        value = item.get(name)
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else text(name)

    # Version 1 has one "author", 1.1 a list of "authors".
    authors: list[Any] = item["authors"] if isinstance(item.get("authors"), list) else [item.get("author")]
    named = (a.get("name") for a in authors if isinstance(a, dict))
    identifier = item.get("id")
    return {
        "id": str(identifier) if isinstance(identifier, (str, int)) else None,
        "guidislink": False,
        "link": text("url") or text("external_url"),
        "title": text("title"),
        "content": [
            {"value": value, "type": kind}
            for value, kind in ((text("content_html"), "text/html"), (text("content_text"), "text/plain"))
            if value
        ],
        "summary": text("summary"),
        "summary_detail": {"type": "text/plain"},
        "tags": [{"term": tag} for tag in item.get("tags") or () if isinstance(tag, str)],
        "published": moment("date_published"),
        "updated": moment("date_modified"),
        "author": next((name for name in named if isinstance(name, str)), None),
    }


def with_page(entry: FeedEntry, page: Article) -> Article:
    """The entry's story with the full text from its page.

    The feed's headline, link, guid and category stay (so the story keeps one identity from poll to poll); the
    page fills in the headline, author and date when the feed has none. A page that does not carry the story (a paywall,
    a consent wall: see `_carries_story`) leaves the feed's summary as the text.
    """
    story = entry.article
    carries = _carries_story(story.paragraphs, page.paragraphs)
    if not carries:
        log.info("kept the feed's summary of %s: its page does not carry the story", story.url)
    return replace(
        story,
        title=story.title or page.title,
        paragraphs=page.paragraphs if carries else story.paragraphs,
        author=story.author or page.author,
        published=story.published or page.published,
    )


def _carries_story(summary: tuple[str, ...], page: tuple[str, ...]) -> bool:
    """Whether a page's text tells the story the feed summarises: as long as the summary at least, holding most
    of its content words (a full story's extraction holds its summary's sentences, or most of their words), or
    several times as long and holding a fair share of them."""
    summary_chars = sum(map(len, summary))
    page_chars = sum(map(len, page))
    wanted = set(analyze(" ".join(summary)))
    if not wanted:
        return bool(page)
    if page_chars < summary_chars:
        return False
    held = len(wanted & set(analyze(" ".join(page)))) / len(wanted)
    longer = page_chars >= LONGER_PAGE_TIMES * summary_chars
    return held >= PAGE_HOLDS_SUMMARY or (longer and held >= LONGER_PAGE_HOLDS_SUMMARY)


def _bozo(parsed: Mapping[str, Any]) -> str | None:
    """What was wrong with a feed read leniently, in words an admin can pass on to its site ("SAXParseException:
    <unknown>:4:19: not well-formed (invalid token)" told them nothing), and what it may have cost its stories."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    name = type(exc).__name__
    if exc is None or name in _HARMLESS:
        return None
    if isinstance(exc, SAXParseException):
        return (
            f"the feed is not well-formed XML (line {exc.getLineNumber()}: {exc.getMessage()}); read as well as it"
            " could be, a story may be missing or cut short"
        )
    if declared := _DECLARED.search(str(exc)):
        return (
            f"the feed's text is declared as {declared[1]} but is not; read as {declared[2]}, some letters may be wrong"
        )
    if name == "CharacterEncodingUnknown":
        return "the feed's text encoding could not be told; some letters may be wrong"
    return f"the feed has errors ({name}: {exc}); read as well as it could be, a story may be missing or cut short"


def _exported(raw: Mapping[str, Any]) -> bool:
    """Whether an item comes from a WordPress export (feedparser names the `wp:` elements `wp_...`)."""
    return "wp_post_type" in raw or "wp_status" in raw


def _unpublished(raw: Mapping[str, Any]) -> str | None:
    """What a WordPress export's item is when it is not a published post, in WordPress's words ("draft", "page",
    "attachment", ...); None for a published post and for every item of any other feed."""
    if not _exported(raw):
        return None
    kind, status = (str(raw.get(key) or "").strip().lower() for key in ("wp_post_type", "wp_status"))
    if kind != "post":
        return kind or "no post type"
    if status != "publish":
        # Unknown is not published: a draft must never reach readers.
        return status or "no status"
    return None


def _wxr_authors(data: bytes) -> dict[str, str]:
    """A WordPress export's authors' names by their logins (see `_WXR_AUTHOR`); none for any other feed."""
    head = data[: data.find(b"<item")]
    names = {}
    for block in _WXR_AUTHOR.findall(head):
        login, name = _WXR_LOGIN.search(block), _WXR_NAME.search(block)
        if login and name and (display := html_text(name[1].decode("utf-8", errors="replace"))):
            names[login[1].decode("utf-8", errors="replace").strip()] = display
    return names


def _entry(
    raw: dict[str, Any], feed_url: str, category: str | None, authors: Mapping[str, str], dates: FileDates
) -> tuple[FeedEntry, str | None]:
    """The entry's story, and the note on its date (see `_published`; read as its feed's `dates` are); `authors`
    names the authors a WordPress export gives by their logins."""
    if not raw:
        raise ArticleError("an empty item, or not an item at all")
    paragraphs, full = _text(raw)
    if not paragraphs and (media := _media_only(raw)):
        raise ArticleError(
            f"{'an' if media == 'audio' else 'a'} {media} episode with no text, only its {media} file (an enclosure):"
            " newsbot reads stories' words;"
            " its show notes would be read, in the item's description or at a page it links to"
        )
    link = _link(raw, feed_url)
    title = _plain(raw, "title")
    byline, paragraphs, beside = bylined(paragraphs, (category or _tag(raw), link))
    if not title:
        # An entry of a link alone (a feed of links; `_link` refuses one without) has its headline and text from
        # its page (see `with_page`).
        title = paragraphs[0] if paragraphs else ""
    guid = raw.get("id")
    author = _plain(raw.get("author_detail") or {}, "name") or _plain(raw, "author")
    published, note = _published(raw, dates)
    if published is None and beside and (found := read_date(beside, dates))[0]:
        # An entry undated but for the date beside its byline (`By Jane Doe · 5 Dec 2026`) is dated by it.
        published, note = found
    updated = dict.get(raw, "updated")
    revised = read_date(updated, dates)[0] if isinstance(updated, str) and updated.strip() else None
    article = Article(
        title=title,
        paragraphs=paragraphs,
        category=(category or _tag(raw) or DEFAULT_CATEGORY),
        published=published,
        url=link,
        author=authors.get(author, author) or byline,
        origin=link,
        guid=guid.strip() if isinstance(guid, str) and guid.strip() else None,
    )
    return FeedEntry(article, summary_only=not full, revised=revised or published), note


def _other_xml(root: str) -> str:
    """What to say of well-formed XML that is no feed, by its root element (`<nitf>`): it was "not an RSS, Atom or
    JSON feed", which named neither what it is nor what to do with its stories."""
    kind = _NEWS_XML.get(root.casefold())
    if root.casefold() in _NEWS_FILES:
        return f"{kind}, not a feed: save it as a file (.xml) and ingest that, newsbot reads its stories so"
    what = (
        f"{kind}, which newsbot does not read" if kind else f"an XML document (<{root}>), not an RSS, Atom or JSON feed"
    )
    return (
        f"{what}: give its stories as web pages (.html), plain text (.txt, the headline on its first line) or JSON"
        ' Lines (.jsonl, a story a line, under the names of README\'s "Articles it reads")'
    )


def _media_only(raw: Mapping[str, Any]) -> str | None:
    """ "audio" or "video" when an entry is only a recording (a podcast's episode): an enclosure of that kind and no
    link to a page of its own, or only its guid, which a podcast's feed often writes as no address at all
    (`courier-audio-48`). Its "page" was fetched at its guid read as an address, and said to be "HTTP 404"; or it
    had "no http(s) link to the story"."""
    if (own := raw.get("link")) and not (raw.get("guidislink") and own == raw.get("id")):
        return None
    enclosures = raw.get("enclosures")
    kinds = {str(e.get("type") or "").partition("/")[0] for e in enclosures or () if isinstance(e, Mapping)}
    return next((kind for kind in ("audio", "video") if kind in kinds), None)


def _base(channel: Mapping[str, Any], url: str) -> str:
    """What the entries' relative links are relative to: the address the feed was fetched from; for a feed saved
    as a file, the address it names as its own (`<atom:link rel="self">`, as RSS 2.0 feeds carry it), else its
    site's (`<link>`); "" when it names neither."""
    if is_web_url(url):
        return url
    links = channel.get("links")
    listed = links if isinstance(links, list) else []
    named = [link.get("href") for link in listed if isinstance(link, Mapping) and link.get("rel") == "self"]
    for candidate in (*named, channel.get("link")):
        if isinstance(candidate, str) and is_web_url(candidate):
            return candidate.strip()
    return ""


def _link(raw: dict[str, Any], feed_url: str) -> str:
    candidates = [raw.get("link")]
    candidates += [link.get("href") for link in raw.get("links", []) if link.get("rel", "alternate") == "alternate"]
    if raw.get("guidislink") is not False:
        candidates.append(raw.get("id"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            absolute = joined(feed_url, candidate.strip())
            if is_web_url(absolute):
                return canonical_url(absolute)
    if relative := next((c.strip() for c in candidates if isinstance(c, str) and c.strip()), None):
        raise ArticleError(f"no http(s) link to the story ({relative!r}, and the feed names no address of its own)")
    raise ArticleError("no http(s) link to the story")


def _plain(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        return ""
    detail = raw.get(f"{key}_detail")
    kind = detail.get("type", "") if isinstance(detail, Mapping) else ""
    # feedparser calls most titles plain text, but newsrooms put (escaped) markup in them all the same.
    return html_text(value) if "html" in kind or looks_like_html(value) else " ".join(value.split())


def _text(raw: dict[str, Any]) -> tuple[tuple[str, ...], bool]:
    """The entry's paragraphs, and whether they are the whole story (not a teaser)."""
    contents = [c for c in raw.get("content", []) if isinstance(c.get("value"), str) and c["value"].strip()]
    if contents:
        # Prefer HTML over plain text: it keeps the paragraph breaks.
        content = max(contents, key=lambda c: ("html" in c.get("type", ""), len(c["value"])))
        if _exported(raw):
            # An export's content is the post itself, however it ends (its excerpt is the teaser).
            paragraphs = _paragraphs(_BLANK_LINE.sub("<p>", _SHORTCODES.sub("", content["value"])), "text/html")
            return paragraphs, bool(paragraphs)
        paragraphs = _paragraphs(content["value"], content.get("type", "text/html"))
        return _untrailed(paragraphs), bool(paragraphs) and not _teaser(paragraphs)
    summary = raw.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        return (), False
    detail = raw.get("summary_detail") or {}
    paragraphs = _untrailed(_paragraphs(summary, detail.get("type", "text/html")))
    long_enough = len(paragraphs) >= MIN_FULL_TEXT_PARAGRAPHS and sum(len(p) for p in paragraphs) >= MIN_FULL_TEXT_CHARS
    return paragraphs, long_enough and not _teaser(paragraphs)


def _paragraphs(value: str, kind: str) -> tuple[str, ...]:
    return html_paragraphs(value) if "html" in kind or "xml" in kind else split_paragraphs(value)


def _teaser(paragraphs: tuple[str, ...]) -> bool:
    return not paragraphs or bool(_TEASER_END.search(paragraphs[-1]) or _READ_MORE.search(paragraphs[-1]))


def _untrailed(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """Without the feed's boilerplate ending ("Read more", "The post ... appeared first on ...")."""
    kept = list(paragraphs)
    while kept and _APPEARED_FIRST.match(kept[-1]):
        kept.pop()
    if kept and (match := _READ_MORE.search(kept[-1])):
        # Keep the teaser's ellipsis so the reader knows the text stops there.
        rest = kept[-1][: match.start()].rstrip()
        kept[-1:] = [rest + "\u2026"] if rest and match.group().lstrip().startswith(("\u2026", ".", "[")) else [rest]
        kept = [p for p in kept if p]
    return tuple(kept)


def _tag(raw: dict[str, Any]) -> str:
    """The entry's first tag; a category first where tags say which are (a WordPress export's `domain="category"`
    before its `post_tag`s). WordPress's default category, for a post filed under none, is no section."""
    tags = sorted(raw.get("tags", []), key=lambda tag: tag.get("scheme") != "category")
    for tag in tags:
        term = tag.get("label") or tag.get("term")
        if isinstance(term, str) and (text := html_text(term)) and text.casefold() not in _UNFILED:
            return text
    return ""


def _published(raw: dict[str, Any], dates: FileDates) -> tuple[datetime | None, str | None]:
    """The entry's date as written, read by newsbot's rules (see `read_date`, as its feed's `dates` are), and its
    note: why it is undated when it cannot be read (with the forms a feed should send), or that it is dated in the
    future. Never feedparser's reading: it takes any zone it does not know (BST, CEST, IST) for UTC."""
    unread = None
    for text in _entry_dates(raw):
        published, note = read_date(text, dates)
        if published:
            return published, note
        unread = unread or note
    if unread is None:
        return None, None
    # The forms `read_date` names are a file's (D-MM-YYYY, ISO 8601); whoever runs a feed can fix it to send a feed's.
    why, undated = unread.rpartition("; ")[::2]
    return None, f"{_FILE_FORMS.sub('', why)}; {FEED_DATE_FORMS}; {undated}"


def _entry_dates(raw: dict[str, Any]) -> Iterator[str]:
    """An entry's dates as written, the one it is published at first."""
    # dict.get: feedparser's own lookup maps a missing "updated" to "published" with a DeprecationWarning. A
    # WordPress export's post that has no time in UTC has the impossible `-0001` for its pubDate: its local time
    # (`wp:post_date`, read as a date without a zone is) is all the export knows.
    for key in ("published", "updated", "created", *(("wp_post_date",) if _exported(raw) else ())):
        if isinstance(text := dict.get(raw, key), str) and text.strip():
            yield text


def _feed_dates(raw_entries: Sequence[dict[str, Any]]) -> Iterator[str]:
    """Every date a feed's entries write (see `FileDates`)."""
    for raw in raw_entries:
        yield from _entry_dates(raw)


class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        if tag == "link" and "alternate" in rel and values.get("type", "").lower() in FEED_TYPES and values.get("href"):
            self.hrefs.append(values["href"])


def _page_title(data: bytes) -> str | None:
    """The title of an HTML page (None for none, or bytes that are no page)."""
    if not _PAGE_START.match(data):
        return None
    found = _TITLE.search(data[:200_000])
    title = html_text(found[1].decode("utf-8", "replace")) if found else ""
    return title[:MAX_SHOWN_TITLE] or None


def discover_feeds(data: bytes, url: str) -> tuple[str, ...]:
    """The feeds a web page names in `<link rel="alternate">` (what to suggest when given a page, not a feed)."""
    parser = _FeedLinks()
    try:
        parser.feed(data[:200_000].decode("utf-8", "replace"))
    except Exception:  # broken markup: no suggestion rather than a failure
        return ()
    found = (canonical_url(joined(url, href)) for href in parser.hrefs)
    return tuple(dict.fromkeys(link for link in found if is_web_url(link)))
