"""Web pages with trafilatura: an HTML page's bytes in, its story as an article (or why not) out."""

from __future__ import annotations

import bisect
import codecs
import functools
import html as entities
import itertools
import json
import logging
import re
from collections.abc import Iterator, Sequence
from configparser import ConfigParser
from copy import deepcopy
from dataclasses import replace
from datetime import datetime, time
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.errors import ArticleError
from bot.ingest.dates import readable_date
from bot.ingest.feeds import FEED_TYPES, looks_like_feed
from bot.ingest.limits import MAX_PAGE_ELEMENTS, within_limits
from bot.ingest.markup import AD_LABEL, html_paragraphs, looks_like_html, without_repeats
from bot.ingest.reports import Skipped
from bot.ingest.tables import markdown_tables
from bot.ingest.text import bylined, date_line_text, served_encoding
from bot.ingest.urls import canonical_url, is_web_url, joined
from bot.models import Article

log = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Media types a feed may be served under besides its own (`FEED_TYPES`), told apart from other XML or JSON by its bytes.
_GENERIC_TYPES = frozenset({"application/xml", "text/xml", "application/json", "text/plain"})
# How much of a response's start shows it is a feed (as much as files are sniffed for).
_SNIFF_BYTES = 8192
# The story text trafilatura's own extraction must find before it turns to its baseline (see `_extraction_config`):
# any at all.
_ENOUGH_TEXT = 1
DEFAULT_CATEGORY = "News"
# Date and time from the page's metadata (htmldate's default keeps only the day).
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# What an HTML document starts with, for a response that does not say what it is: after a UTF-8 byte order mark
# (a page saved by a Windows editor) and an XML declaration (XHTML) too, which were "not an HTML page".
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml\b[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.I | re.S,
)
_HOST_PREFIX = re.compile(r"^(?:www\d*|m|amp|mobile)\.")
# Where pages state when a story was published, to the second: trafilatura's date keeps only the day.
_META = re.compile(rb"<meta\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(rb"""([a-z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_PUBLISHED_NAMES = frozenset({b"article:published_time", b"og:published_time", b"datepublished", b"pubdate"})
_JSON_LD_PUBLISHED = re.compile(rb'"datePublished"\s*:\s*"([^"]{8,40})"')
# Microformats' h-entry, as blogs and Medium's export mark a post: its time (`<time class="dt-published"
# datetime=...>`) and its address (`<a class="p-canonical" href=...>`, `u-url`), where the page names no other.
_MICROFORMAT = re.compile(
    rb"""<(?:time|a|link)\b[^>]*\bclass\s*=\s*["'][^"']*\b(dt-published|p-canonical|u-url)\b[^>]*>""", re.I
)
# Medium's export (`posts/`): each post a page, a draft named `draft_...` beside the published ones.
_MEDIUM_EXPORT = re.compile(rb'Exported from <a href="https://medium\.com">Medium</a>')
_MEDIUM_DRAFT = "draft_"
# A story split over pages names its next page in its head (`<link rel="next" href="...?page=2">`).
_NEXT_PAGE = re.compile(rb"""<link\b[^>]*\brel\s*=\s*["']?next\b[^>]*>""", re.I)
# schema.org's paywall mark, which news sites give search engines (`"isAccessibleForFree": false`, or "False"): the
# page shows only the story's opening to a reader without a subscription, and so to newsbot.
# An element opened (`<p`, `<a`), and a script's or a style's body, whose `a<b` opens none.
_ELEMENT = re.compile(rb"<[A-Za-z]")
_SCRIPT_OR_STYLE = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_PAYWALLED = re.compile(rb'"isAccessibleForFree"\s*:\s*"?false\b', re.I)
_PAYWALL_NOTE = (
    "behind a paywall (the page's metadata says so): only what it shows a reader without a subscription went in"
)
# A paragraph that only asks a reader to subscribe or log in, where a paywall cuts the story ("Subscribe to continue
# reading. Already a subscriber? Log in."): no part of the story, whether or not the page's metadata names the paywall.
_ASK = (
    r"(?:please )?(?:subscribe|sign up|register|(?:log|sign) in|become a (?:subscriber|member))(?: now| today| here)?"
    r"(?: (?:to|and) (?:continue|keep) reading| to read (?:on|more|the (?:full|whole|rest of the) (?:story|article)))?",
    r"(?:to )?(?:continue|keep) reading(?: this (?:story|article))?,? (?:please )?"
    r"(?:subscribe|(?:log|sign) in|register)(?: now| today)?",
    r"already (?:a subscriber|a member|subscribed|have an account)\??(?:,? (?:please )?(?:log|sign) in(?: here)?)?",
    r"this (?:article|story|content) is (?:only )?(?:available )?(?:for|to) (?:subscribers|members)(?: only)?",
    r"(?:subscribers|members) only",
)
_ASKING = rf"(?:{'|'.join(_ASK)})[.!?]?"
PAYWALL_PROMPT = re.compile(rf"{_ASKING}(?:\s+{_ASKING})*", re.I)
# A cookie or privacy consent page (Google's "Before you continue", a GDPR consent platform's "We value your
# privacy") served where the story should be. It is known by the phrases of a consent dialogue, several of them: a
# story about cookie banners quotes one or two, and a story is dated while a consent page never is.
_CONSENT_PHRASES = tuple(
    re.compile(rf"\b{phrase}\b", re.IGNORECASE)
    for phrase in (
        r"accept all",
        r"(?:reject|refuse|decline) all",
        r"before you continue",
        r"we (?:value|care about|respect) your privacy",
        r"we and our (?:\d+ |trusted )?partners",
        r"(?:store and/or access|access and/or store) information on (?:a|your) device",
        r"withdraw your consent",
        r"legitimate interests?",
        r"(?:manage|change|customi[sz]e|update) (?:your )?(?:privacy |cookie )?"
        r"(?:settings|preferences|choices|options)",
        r"(?:privacy|cookie) (?:settings|preferences|policy|dashboard)",
        r"transparency (?:&|and) consent framework",
        r"more options",
    )
)
MIN_CONSENT_PHRASES = 4
# ... and by its text: the paragraphs that speak of cookies, consent or privacy hold at least this share of it (a
# banner caught in a story's text holds little of it).
CONSENT_SHARE = 0.6
_CONSENT_WORDS = re.compile(
    r"\b(?:cookies?|consent\w*|partners?|personal data|privacy|preferences|accept\w*|reject\w*|settings)\b", re.I
)
_CONSENT_WALL = (
    "a cookie consent page, not the story (the site asks visitors to accept cookies before it shows its articles)"
)
# A section or front page saved or fetched as a story: most of the text extracted from it comes from several story
# teasers, none of which holds most of it. A teaser is a headline linking to another page of the site with what
# surrounds it (a summary line, a time) in its own element: an `<article>`, a `<div>` card, a list item. A story's
# text is its own, with a few related stories' teasers beside it at most; a live blog's updates and a listicle's
# items (numbered, or of several paragraphs) are not teasers, even under a linked heading.
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TEASER_CLASS = re.compile(r"(?:^|[\s_-])(?:teaser|card|story|promo)s?(?:$|[\s_-])", re.I)
_NUMBERED = re.compile(r"\s*(?:no\.\s*)?\d+\s*[.):]\s", re.I)
_LIVE_BLOG = re.compile(r'"@type"\s*:\s*"LiveBlogPosting"')
_LIST_MARK = re.compile(r"^[-*\u2022]\s+")
# A tag of the template languages static sites are built with (Hugo's Go templates, Jekyll's Liquid, Jinja):
# `{{ .Title }}`, `{% if page.title %}`. A site's layouts, read as pages, went in as stories headlined so.
_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_TEMPLATE = (
    "a template ({}), not a story: a static site's layouts and themes make its pages; ingest the site's posts (its"
    " Markdown) or its built pages"
)
# A page's schema.org metadata, and the lines of a text written in it.
_JSON_LD = re.compile(r"<script\b[^>]*application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S)
_LINES = re.compile(r"\s*\n\s*")
# How many of a page's first paragraphs may be its date line: under its headline, a byline or a standfirst.
_DATE_LINE_PARAGRAPHS = 3
# A table cell longer than this holds paragraphs: the table lays the page out (a menu beside the story), and is
# read as no table.
LAYOUT_CELL_CHARS = 200
# A table's row, as trafilatura writes it (Markdown's).
_TABLE_ROW = re.compile(r"\|.*\|\s*")
HEADLINE_WORDS = 3
# A paragraph longer than this, or ending as a sentence does, is a summary or a story's own text; a teaser has one.
SUMMARY_CHARS = 80
_SENTENCE_END = re.compile(r"[.!][\"'\u201d\u2019)]*$")
# Teasers hold at least this share of a section page's text: a short story beside a box of related stories' teasers
# (extracted with it) holds more of its own.
TEASERS_SHARE = 0.75
# A "teaser" holding more than this share of the text is the page's own story (its headline linking to itself under
# another address).
OWN_STORY_SHARE = 2 / 3
# A site's page saying the story is not there, sent with 200 OK as many CMSs do (a "soft 404"): it went in as a story
# headlined "Page not found". Told by its headline (without the site's name after it) and its few words: a story
# headlined so (a missing hiker's "Sorry, we couldn't find him") has more to say.
_ERROR_HEADLINE = re.compile(
    r"(?:error\W*)?(?:40[0134]|410|50[0234])"
    r"(?:\W+(?:error|page|not|found|forbidden|gone|unauthori[sz]ed|internal|server|service|unavailable|bad|gateway))*\W*"
    r"|(?:the\s+)?(?:page|article|story|content|file)\s+(?:(?:was\s+|is\s+)?not\s+found|(?:is\s+)?(?:unavailable"
    r"|no\s+longer\s+available)|(?:does\s+not|doesn.t)\s+exist|has\s+been\s+removed)\b.*"
    r"|not\s+found|(?:internal\s+)?server\s+error|service\s+(?:temporarily\s+)?unavailable|bad\s+gateway"
    r"|access\s+denied|forbidden"
    r"|(?:oops|whoops|sorry)\b.*\b(?:not\s+(?:be\s+)?found|(?:couldn.t|can.t|cannot|could\s+not)\s+(?:be\s+)?f(?:ou|i)nd"
    r"|(?:does\s+not|doesn.t)\s+exist|went\s+wrong).*",
    re.I,
)
# What follows a headline on the page's title: the site's name.
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014:-]+\s+[^|\u2013\u2014]*$")
ERROR_PAGE_WORDS = 80
_SEVERAL_STORIES = "a page of {} stories, not one story: ingest each story's own page, or follow the site's feed"
# A stub that sends its reader on at once (`<meta http-equiv="refresh" content="0; url=/news/story">`, as a moved
# story's old address or a link shortener's page does) holds no story: the page it names does. A longer wait is a
# page's own reload ("300" seconds, a front page refreshing itself), and a refresh in `<noscript>` is only for
# browsers without JavaScript, which a reader seldom has.
REFRESH_SECONDS = 5
_NOSCRIPT = re.compile(rb"<noscript\b.*?</noscript\s*>", re.I | re.S)
_REFRESH = re.compile(r"""\s*(\d+)(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?(['"]?)(.*?)\2\s*""", re.I | re.S)
# Where a page states its refresh: in its `<head>`, within its first bytes.
_HEAD_BYTES = 65536
# A page's own charset, quoted or not, in either of its `<meta>` forms.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9._:-]+)""", re.I)
# The byte order marks a page may start with (the HTML standard's), which outrank any charset a header names.
_MARKS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """("text/html", "utf-8") from a Content-Type header; ("", None) when there is none."""
    if not content_type:
        return "", None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_content_charset()
    return message.get_content_type().lower(), charset


def looks_like_page(body: bytes) -> bool:
    """Whether bytes that do not say what they are start as an HTML document does."""
    return bool(_HTML_START.match(body[:4096]))


def refresh_target(body: bytes, url: str, content_type: str | None = None) -> str | None:
    """The address an HTML page fetched from `url` sends its reader on to at once (see `REFRESH_SECONDS`), or None."""
    kind, _ = media_type(content_type)
    if kind not in HTML_TYPES and (kind or not looks_like_page(body)):
        return None
    for tag in _META.finditer(_NOSCRIPT.sub(b"", body[:_HEAD_BYTES])):
        attributes = {name.lower(): a or b for name, a, b in _ATTRIBUTE.findall(tag.group())}
        if attributes.get(b"http-equiv", b"").lower() != b"refresh":
            continue
        content = entities.unescape(attributes.get(b"content", b"").decode("utf-8", errors="replace"))
        if (found := _REFRESH.fullmatch(content)) and int(found[1]) <= REFRESH_SECONDS and found[3].strip():
            target = joined(url, found[3].strip())
            return target if target and canonical_url(target) != canonical_url(url) else None
    return None


def parse_page(
    body: bytes,
    url: str,
    content_type: str | None = None,
    category: str = "",
    date_known: bool = False,
    continued: Sequence[tuple[bytes, str, str | None]] = (),
) -> Iterator[Article | Skipped]:
    """The story on an HTML page fetched from `url` (after a note if it was cut), or one `Skipped` saying why not.

    The link is the page's canonical URL when it names one on the same site, else `url`; `category` when given,
    else the page's section, else "News". With `date_known` (a feed's entry dates the story, see `with_page`), the
    page's date is not the story's, and no note says it is in the future. `continued`: the story's next pages
    (body, address, type: see `next_page`), whose text follows the first's while they carry its headline.
    """
    try:
        article, dated = _article(body, url, content_type, category)
    except ArticleError as exc:
        yield Skipped(url, str(exc))
        return
    article = _continued(article, continued, category)
    if _PAYWALLED.search(body):
        yield Skipped(article.url or url, _PAYWALL_NOTE, note=True)
    if dated and not date_known:
        yield Skipped(article.url or url, dated, note=True)
    yield from within_limits(article, article.url or url)


def next_page(body: bytes, url: str) -> str | None:
    """The address of the next page of a story split over pages (`<link rel="next">`, on the same site), else None.
    Such a story went in as its first page alone: a reader's question on its second found nothing."""
    if not (tag := _NEXT_PAGE.search(body)):
        return None
    attributes: dict[bytes, bytes] = {name.lower(): a or b for name, a, b in _ATTRIBUTE.findall(tag.group())}
    following = joined(url, entities.unescape(attributes.get(b"href", b"").decode("utf-8", errors="replace")).strip())
    if not is_web_url(following) or _site(following) != _site(url) or canonical_url(following) == canonical_url(url):
        return None
    return following


def _continued(article: Article, pages: Sequence[tuple[bytes, str, str | None]], category: str) -> Article:
    """The story with the text of its next `pages` after its own, each while it carries the story's headline (a
    "next" page of another story, as some sites link the next post, ends it); a paragraph already read is not
    read twice."""
    paragraphs = list(article.paragraphs)
    for body, url, content_type in pages:
        try:
            page, _dated = _article(body, url, content_type, category)
        except ArticleError:
            break
        if page.title.casefold() != article.title.casefold():
            break
        held = set(paragraphs)
        paragraphs += [p for p in page.paragraphs if p not in held]
    return replace(article, paragraphs=tuple(paragraphs)) if pages else article


def parse_saved_page(body: bytes, path: str) -> Iterator[Article | Skipped]:
    """The story in an HTML file saved from the web (a browser's "Save page as"), or one `Skipped` saying why
    not. Its link is the page's own canonical address when it names one (a file has no site of its own to check
    it against), else none; a re-read of the same file replaces it."""
    if Path(path).name.startswith(_MEDIUM_DRAFT) and _MEDIUM_EXPORT.search(body):
        # Medium's export keeps its drafts beside its posts, told only by their names; a draft went in as a story.
        yield Skipped(path, "not published (a Medium draft: its name starts 'draft_'), not read")
        return
    try:
        article, dated = _article(body, None, None, "", origin=path)
    except ArticleError as exc:
        yield Skipped(path, str(exc))
        return
    if _PAYWALLED.search(body):
        yield Skipped(path, _PAYWALL_NOTE, note=True)
    if dated:
        yield Skipped(path, dated, note=True)
    yield from within_limits(article, path)


def _elements(body: bytes) -> int:
    """The elements a page opens, outside its scripts and styles (counted only past the cap: a page's few thousand
    are under it with them)."""
    if (opened := len(_ELEMENT.findall(body))) <= MAX_PAGE_ELEMENTS:
        return opened
    return len(_ELEMENT.findall(_SCRIPT_OR_STYLE.sub(b"", body)))


def _article(
    body: bytes, url: str | None, content_type: str | None, category: str, origin: str = ""
) -> tuple[Article, str | None]:
    """The story on a page fetched from `url`, or saved in the file `origin` (`url` None), and the note on its date
    (see `read_date`: one dated in the future)."""
    kind, charset = media_type(content_type)
    # Many servers send a feed as any XML or JSON (Python's and nginx's defaults for .xml: application/xml, text/xml):
    # it was "not an HTML page (application/xml)", which said nothing of following it.
    if kind in FEED_TYPES or (
        kind in _GENERIC_TYPES and looks_like_feed(body[:_SNIFF_BYTES].removeprefix(codecs.BOM_UTF8))
    ):
        raise ArticleError(f"a feed, not a page ({kind}): follow it with `newsbot feeds add URL`")
    if kind and kind not in HTML_TYPES:
        raise ArticleError(f"not an HTML page ({kind})")
    if not kind and not looks_like_page(body):
        if url is None and _TEMPLATE_TAG.search(body[:_HEAD_BYTES].decode("utf-8", errors="replace")):
            raise ArticleError(_TEMPLATE.format("its markup holds a template's tags"))
        said = "the file does not" if url is None else "the response does not say what it is and does not"
        raise ArticleError(f"not an HTML page ({said} look like HTML)")
    # A fetch follows a stub (bot.fetch); a stub saved as a file, or one of a chain too long, names its story.
    if target := refresh_target(body, url or "", content_type):
        raise ArticleError(f"a page that only sends its reader on to {target}: ingest that page")
    if (elements := _elements(body)) > MAX_PAGE_ELEMENTS:
        raise ArticleError(
            f"too much markup to read as one story: {elements:,} elements, where a story's page has a few thousand"
            f" (at most {MAX_PAGE_ELEMENTS:,} are read): a listing or an archive"
        )
    # Imported at the first page read: a bot imports this module (its feeds may fetch pages) and paid trafilatura's
    # 0.15 s at every start, fetching nothing.
    import trafilatura

    text = _text(body, charset)
    extract = functools.partial(
        trafilatura.bare_extraction,
        text,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        output_format="python",
        date_extraction_params={"outputformat": _DATE_FORMAT, "original_date": True, "extensive_search": False},
    )
    try:
        document = extract()
        if document is not None and not isinstance(document, dict) and _laid_out(document.text or ""):
            # A page laid out in a table (a menu's cell beside the story's) is read as pages were before tables
            # were: its story as paragraphs, where it became one row, the menu and the whole story its two cells.
            extract = functools.partial(extract, include_tables=False)
            document = extract()
        if document is not None and not isinstance(document, dict) and _run_together(document.text):
            # A short story's text run into one line: trafilatura's baseline, taken for want of enough text.
            own = extract(config=_extraction_config())
            if own is not None and not isinstance(own, dict) and not _run_together(own.text):
                document = own
    except Exception as exc:  # trafilatura and lxml raise many kinds on broken markup; the page is skipped
        log.debug("trafilatura failed on %s", url, exc_info=True)
        raise ArticleError(f"unreadable HTML ({type(exc).__name__})") from exc
    if document is None or isinstance(document, dict):
        raise ArticleError("no story text found on the page")
    title = " ".join((document.title or "").split())
    if not title:
        raise ArticleError("no headline found on the page")
    if _TEMPLATE_TAG.search(title):
        raise ArticleError(_TEMPLATE.format(f"its headline is \u201c{title}\u201d"))
    author = " ".join((document.author or "").split()) or None
    # A byline opening the text that trafilatura did not take for the author (`Par Odile Marsh`) is the author,
    # not a passage, and the date beside it (`By Jane Doe · 5 Dec 2026`) a date line.
    section = (category, *(document.categories or ()), url or document.url or "")
    byline, paragraphs, beside = bylined(_paragraphs(document.text or "", title, author), section)
    author = author or byline
    if len(paragraphs) == 1:
        paragraphs = _schema_paragraphs(_html(body, charset), paragraphs[0]) or paragraphs
    if not paragraphs:
        raise ArticleError("no story text found on the page")
    if _error_page(title, paragraphs):
        raise ArticleError(f"an error page (\u201c{title}\u201d), not a story: the site says it has no such page")
    if (stories := _stories_in(_html(body, charset), paragraphs, (url, document.url))) > 1:
        raise ArticleError(_SEVERAL_STORIES.format(stories))
    paragraphs, written = _date_line(paragraphs)
    written = written or (_date(beside) if beside else None)
    published, dated = _stated_time(body) or _finer(_date(document.date), written) or (None, None)
    if published is None and _consent_wall(title, paragraphs):
        raise ArticleError(_CONSENT_WALL)
    # A consent banner caught in the story's text is no part of it (a story quoting a banner quotes a phrase or two).
    paragraphs = tuple(p for p in paragraphs if _consent_phrases(p) < MIN_CONSENT_PHRASES)
    if not paragraphs:
        raise ArticleError(_CONSENT_WALL)
    link = _link(document.url, url) if url is not None else _own_link(document.url or _microformat(body, "p-canonical"))
    sections = [c for c in (document.categories or []) if c.strip()]
    return Article(
        title=title,
        paragraphs=paragraphs,
        category=category or (sections[0].strip() if sections else DEFAULT_CATEGORY),
        published=published,
        url=link,
        author=author,
        origin=origin or link,
    ), dated


def _text(body: bytes, charset: str | None) -> str | bytes:
    """A page's text, decoded as browsers would but where servers' defaults are wrong: a byte order mark says the
    encoding, whatever the header says; else `served_encoding` decides, from the charset served and the page's own
    `<meta charset>`. Where it leaves it to the parser, trafilatura reads the page's `<meta charset>` or guesses."""
    for mark, encoding in _MARKS:
        if body.startswith(mark):
            return body[len(mark) :].decode(encoding, errors="replace")
    served = served_encoding(charset, body, _declared_charset(body))
    return body.decode(served, errors="replace") if served else body


def _declared_charset(body: bytes) -> str | None:
    """The charset a page names for itself: `<meta charset>`, or the one in `<meta http-equiv="Content-Type">`."""
    found = _META_CHARSET.search(_NOSCRIPT.sub(b"", body[:_HEAD_BYTES]))
    return found[1].decode("ascii") if found else None


def _run_together(text: str | None) -> bool:
    return "\n" not in (text or "").strip()


@functools.cache
def _extraction_config() -> ConfigParser:
    """trafilatura's settings, but for the story's text it takes as enough (`MIN_EXTRACTED_SIZE`): below its 250
    characters it put a baseline's in its place, the whole article element run into one paragraph with what it had
    left out, so a brief of two short paragraphs read `Market opens By Jo We use cookies. Accept all The new ...`
    in one passage. Used only where that happened: a section page's teasers, too short a text for its own
    extraction, are told by the baseline's (`_stories_in`)."""
    from trafilatura.settings import DEFAULT_CONFIG

    config = deepcopy(DEFAULT_CONFIG)
    config["DEFAULT"]["MIN_EXTRACTED_SIZE"] = str(_ENOUGH_TEXT)
    return config


def _paragraphs(text: str, title: str, author: str | None) -> tuple[str, ...]:
    # A page's tables (a league's, a price list), which trafilatura writes as Markdown's, were left out.
    lines = [" ".join(line.split()) for line, _ in markdown_tables(text.splitlines())]
    # The headline and the byline often open the extracted text; they are shown beside every passage already.
    skip = {title.casefold()} | ({author.casefold(), f"by {author}".casefold()} if author else set())
    kept = [line for line in lines if line and not AD_LABEL.fullmatch(line) and not PAYWALL_PROMPT.fullmatch(line)]
    while kept and kept[0].casefold() in skip:
        kept.pop(0)
    return without_repeats(tuple(kept))


def _laid_out(text: str) -> bool:
    """Whether a table in a page's extracted text is its layout, not data: a cell as long as a paragraph."""
    return any(
        len(cell) > LAYOUT_CELL_CHARS
        for line in text.splitlines()
        if _TABLE_ROW.fullmatch(line)
        for cell in line.split("|")
    )


def _schema_paragraphs(html: str, text: str) -> tuple[str, ...] | None:
    """The paragraphs of the `articleBody` in a page's schema.org metadata (JSON-LD) whose text is `text`, the one
    paragraph trafilatura found: a page that shows its story only by script (a shell and JSON-LD) had it read from
    there, its paragraphs run into one passage. None when no `articleBody` is that text."""
    for script in _JSON_LD.finditer(html):
        try:
            found = json.loads(script[1])
        except ValueError:
            continue
        for written in _values(found, "articleBody"):
            paragraphs = html_paragraphs(written) if looks_like_html(written) else tuple(_LINES.split(written.strip()))
            if len(paragraphs) > 1 and _squeezed("".join(paragraphs)) == _squeezed(text):
                return paragraphs
    return None


def _values(found: object, key: str) -> Iterator[str]:
    """The texts under `key` anywhere in JSON (a `@graph`'s objects, a list of them)."""
    if isinstance(found, dict):
        if isinstance(value := found.get(key), str):
            yield value
        for inner in found.values():
            yield from _values(inner, key)
    elif isinstance(found, list):
        for inner in found:
            yield from _values(inner, key)


def _date_line(paragraphs: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[datetime, str | None] | None]:
    """The paragraphs without the date line among the first few (`Published 5 December 2026`, `Publicado el 5 de
    diciembre de 2026`, `5. Dezember 2026`: see `date_line_text`), which is no part of the story, and its date and
    note (see `_date`), the story's when the page's metadata states none; None when there is none. A page dated
    only in its text, in English or another language, was undated, its date line a passage."""
    for n, paragraph in enumerate(paragraphs[:_DATE_LINE_PARAGRAPHS]):
        if (written := date_line_text(paragraph)) is not None and (date := _date(written)):
            return paragraphs[:n] + paragraphs[n + 1 :], date
    return paragraphs, None


def _finer(
    found: tuple[datetime, str | None] | None, written: tuple[datetime, str | None] | None
) -> tuple[datetime, str | None] | None:
    """The date trafilatura found on a page (its metadata's, or an element's it knows), else its date line's; the
    date line's when both name one day and only the line its time (`Veröffentlicht am 5. Dezember 2026, 10:15
    Uhr`, where trafilatura keeps the day)."""
    if found is None or (written is not None and written[0].date() == found[0].date() and found[0].time() == time()):
        return written or found
    return found


def _stories_in(html: str, paragraphs: tuple[str, ...], own: tuple[str | None, ...]) -> int:
    """How many teasers (`_teasers`) a page's extracted text comes from, when it is a page of several stories (see
    `_SEVERAL_STORIES`); 1 when it is one story's page. `own` holds the page's addresses (fetched, canonical)."""
    if _LIVE_BLOG.search(html):
        return 1
    import lxml.html  # here, not with the module: every bot imports this one (its feed service) and may read no page

    # lxml raises several kinds on empty or broken markup: such a page is one story, as trafilatura read it.
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:
        return 1
    # The teasers' texts one after the other: a paragraph found in it is the teaser's whose text it falls in.
    texts = _teasers(root, own)
    joined = "\0".join(texts)
    starts = list(itertools.accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
    found: list[list[str]] = [[] for _ in texts]
    for paragraph in paragraphs:
        squeezed = _squeezed(_LIST_MARK.sub("", paragraph))
        if squeezed and (at := joined.find(squeezed)) >= 0:
            found[bisect.bisect_right(starts, at) - 1].append(paragraph)
    # A teaser is a headline and one summary (with a time, a byline or a label at most); a listicle's or an
    # explainer's item says more.
    held = [sum(map(len, items)) for items in found if items and sum(map(_is_summary, items)) <= 1]
    total = sum(map(len, paragraphs))
    if len(held) < 2 or max(held) > OWN_STORY_SHARE * total or sum(held) < TEASERS_SHARE * total:
        return 1
    return len(held)


def _is_summary(paragraph: str) -> bool:
    """Whether a paragraph says something (a summary's sentence), where a time, a byline or a label does not."""
    return len(paragraph) > SUMMARY_CHARS or bool(_SENTENCE_END.search(paragraph))


def _teasers(root: Any, own: tuple[str | None, ...]) -> list[str]:
    """The texts of a page's teasers, without white space: each headline link (`_is_headline`) with what surrounds
    it up to the largest element that holds no other story's headline link (its card, list item or `<article>`).
    A headline alone in that element, as where `<h2><a>...</a></h2><p>summary</p>` is repeated with nothing around
    each, goes on in the text and elements after it, up to the next heading or link to another story."""
    base = next((address for address in own if address), None)
    pages = {_page(address) for address in own if address}
    links = {a: target for a in root.iter("a") if (target := _target(a, base, pages))}
    targets = {a: target for a, target in links.items() if _is_headline(a)}
    stories = set(targets.values())
    cards = set()
    texts = []
    for link, target in targets.items():
        card = link
        for parent in link.iterancestors():
            if any(targets[a] != target for a in parent.iter("a") if a in targets):
                break
            card = parent
        if card in cards:
            continue
        cards.add(card)
        text = str(card.text_content())
        if _squeezed(text) == _squeezed(link.text_content()):
            text += f" {card.tail or ''}"
            for sibling in card.itersiblings():
                if next(sibling.iter(*_HEADINGS), None) is not None or any(
                    links.get(a, target) != target and links[a] in stories for a in sibling.iter("a")
                ):
                    break
                text += f" {sibling.text_content()} {sibling.tail or ''}"
        texts.append(_squeezed(text))
    return texts


def _squeezed(text: str) -> str:
    """Text without white space, as extraction spaces it apart otherwise."""
    return "".join(text.split())


def _is_headline(link: Any) -> bool:
    """Whether a link (to another page of the site) is a story's headline: in a heading (or around one), first in
    a list item, or in an element whose class names a teaser (and not in running text); a numbered heading is a
    listicle's item, not another story's."""
    title = " ".join(link.text_content().split())
    if len(title.split()) < HEADLINE_WORDS or _NUMBERED.match(title):
        return False
    ancestors = list(link.iterancestors())
    headings = [a for a in ancestors if a.tag in _HEADINGS] + list(link.iter(*_HEADINGS))
    if headings:
        return not any(_NUMBERED.match(heading.text_content()) for heading in headings)
    if any(a.tag == "p" for a in ancestors):
        return False
    item = next((a for a in ancestors if a.tag == "li"), None)
    if item is not None and " ".join(item.text_content().split()).startswith(title):
        return True
    return any(_TEASER_CLASS.search(a.get("class") or "") for a in (link, *ancestors))


def _target(link: Any, base: str | None, pages: set[str]) -> str | None:
    """The page of its site a link leads to (`_page`), None when it leads to another site or to one of `pages`,
    this page's own; `base` is the page's address (None for a saved page naming none)."""
    # A saved page that names no address of its own: its relative links are its site's.
    href = joined(base or "https://saved.invalid/", (link.get("href") or "").strip())
    if urlsplit(href).scheme not in {"http", "https"} or (base and _site(href) != _site(base)):
        return None
    page = _page(href)
    return None if page in pages else page


def _page(url: str) -> str:
    """A page's site and path: the one page whatever its query and fragment."""
    return _site(url) + urlsplit(url).path.rstrip("/")


def _html(body: bytes, charset: str | None) -> str:
    text = _text(body, charset)
    return text if isinstance(text, str) else text.decode("utf-8", errors="replace")


def _consent_phrases(text: str) -> int:
    """How many of a consent dialogue's phrases (`_CONSENT_PHRASES`) a text holds."""
    return sum(bool(phrase.search(text)) for phrase in _CONSENT_PHRASES)


def _error_page(title: str, paragraphs: tuple[str, ...]) -> bool:
    """Whether a page is a site's "not found" (or other error) page sent as a page (see `_ERROR_HEADLINE`)."""
    words = sum(len(p.split()) for p in paragraphs)
    return words < ERROR_PAGE_WORDS and bool(_ERROR_HEADLINE.fullmatch(_SITE_SUFFIX.sub("", title).strip()))


def _consent_wall(title: str, paragraphs: tuple[str, ...]) -> bool:
    """Whether an undated page's text is a consent dialogue's (see `_CONSENT_PHRASES`), not a story."""
    if _consent_phrases("\n".join((title, *paragraphs))) < MIN_CONSENT_PHRASES:
        return False
    consenting = sum(len(p) for p in paragraphs if _CONSENT_WORDS.search(p))
    return consenting >= CONSENT_SHARE * sum(map(len, paragraphs))


def _link(canonical: str | None, url: str) -> str:
    """The page's canonical URL when it is on the same site as `url` (a page cannot claim another site's story)."""
    if canonical and is_web_url(canonical) and _site(canonical) == _site(url):
        return canonical_url(canonical)
    return canonical_url(url)


def _own_link(canonical: str | None) -> str | None:
    return canonical_url(canonical) if canonical and is_web_url(canonical) else None


def _site(url: str) -> str:
    return _HOST_PREFIX.sub("", urlsplit(url).hostname or "")


def _stated_time(body: bytes) -> tuple[datetime, str | None] | None:
    """The publication time a page's metadata states (`article:published_time`, schema.org's `datePublished`), and
    its note (see `_date`)."""
    stated = [m[1] for m in _JSON_LD_PUBLISHED.finditer(body)]
    for tag in _META.finditer(body):
        attributes = {name.lower(): a or b for name, a, b in _ATTRIBUTE.findall(tag.group())}
        if {attributes.get(k, b"").lower() for k in (b"property", b"name", b"itemprop")} & _PUBLISHED_NAMES:
            stated.append(attributes.get(b"content", b""))
    stated.append(_microformat(body, "dt-published").encode())
    for raw in stated:
        if date := _date(raw.decode("ascii", errors="replace")):
            return date
    return None


def _microformat(body: bytes, kind: str) -> str:
    """An h-entry's time (`dt-published`: its `datetime`) or address (`p-canonical`, else `u-url`: its `href`); ""
    when the page marks none."""
    found: dict[str, bytes] = {}
    for mark in _MICROFORMAT.finditer(body):
        found.setdefault(mark[1].decode().lower(), mark.group())
    tag = found.get(kind) or (found.get("u-url") if kind == "p-canonical" else None)
    if tag is None:
        return ""
    attributes: dict[bytes, bytes] = {name.lower(): a or b for name, a, b in _ATTRIBUTE.findall(tag)}
    return attributes.get(b"datetime" if kind == "dt-published" else b"href", b"").decode("utf-8", errors="replace")


def _date(raw: str | None) -> tuple[datetime, str | None] | None:
    """A date a page states and its note (see `read_date`: one dated in the future), else None: a page's metadata
    that is no readable date leaves the story undated, as a page need not state one."""
    return readable_date(raw) if raw else None
