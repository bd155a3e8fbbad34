"""Google News sitemaps: a newsroom's list of its latest stories (links, headlines, times) for search engines.

One is read as a feed whose entries have only headlines, so that following it reads each story's page: a
`<urlset>` whose `<url>`s carry `<news:news>`. Other sitemaps (pages without headlines, an index of sitemaps) are
no feed, and say so.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from bot.ingest.text import XML_ENCODING

_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(urlset|sitemapindex)\b", re.S)
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
PLAIN_SITEMAP = (
    "a sitemap of pages without headlines, not a feed: follow the site's news sitemap or its RSS or Atom feed"
)
SITEMAP_INDEX = "a sitemap index, not a feed: follow the site's news sitemap (one it lists) or its RSS or Atom feed"


def news_sitemap(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]] | str | None:
    """A news sitemap's channel and entries in feedparser's shape (headline, link, date; no text), why a sitemap
    of another kind is no feed, or None when the bytes are no sitemap."""
    if not (start := _START.match(data)):
        return None
    if start[1] == b"sitemapindex":
        return SITEMAP_INDEX
    try:
        root = _root(data)
    except (ElementTree.ParseError, LookupError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        return f"a sitemap that is not well-formed XML ({exc})"
    entries: list[dict[str, Any]] = []
    publication = ""
    for url in root.iter(f"{_SITEMAP}url"):
        news = url.find(f"{_NEWS}news")
        if news is None:
            continue
        publication = publication or _text(news, f"{_NEWS}publication/{_NEWS}name")
        entries.append(
            {
                "guidislink": False,
                "link": _text(url, f"{_SITEMAP}loc"),
                "title": _text(news, f"{_NEWS}title"),
                "published": _text(news, f"{_NEWS}publication_date"),
            }
        )
    if not entries:
        return PLAIN_SITEMAP
    return {"title": publication, "link": None}, entries


def _root(data: bytes) -> ElementTree.Element:
    """A sitemap's XML. expat reads no multi-byte encoding but its own (a Japanese newsroom's Shift_JIS sitemap was
    "not well-formed XML (multi-byte encodings are not supported)"): one declared so is decoded first."""
    try:
        return ElementTree.fromstring(data)
    except ValueError as exc:
        if not (declared := XML_ENCODING.match(data)):
            raise
        try:
            text = data.decode(declared[1].decode("ascii"))
        except LookupError:
            raise exc from None
        return ElementTree.fromstring(text)


def _text(element: ElementTree.Element, path: str) -> str:
    found = element.find(path)
    return " ".join((found.text or "").split()) if found is not None else ""
