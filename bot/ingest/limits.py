"""How big an article may be, and one function that brings any article within the limits.

Every reader passes its articles through `fit`: a paragraph too long to show or rank well is split at sentence
boundaries (no text is lost), and text past the article limit is cut with a reason a person can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from bot.analysis import sentences
from bot.ingest.reports import Skipped
from bot.models import Article

# One article's raw size: a text file, a JSON Lines line, a CSV row, an element of a JSON array. Bigger input is
# not a news article (a 50 MB record taken whole made every question that touched it cost 12 s and 1 GB).
MAX_RECORD_BYTES = 5_000_000
# A feed saved as a file holds many stories: it may be as large as a fetched feed (NEWSBOT_FETCH_MAX_BYTES).
MAX_FEED_FILE_BYTES = 10_000_000
# So may a text file of articles pasted together (`cat *.txt > all.txt`: the 2,225 BBC articles are 5.8 MB), each
# of them at most MAX_RECORD_BYTES. It is read whole: 5.8 MB of them (2,000 articles) peaked at 33 MB more.
MAX_PASTED_FILE_BYTES = 10_000_000
# An article's text; longer text is cut at a paragraph or sentence boundary. Long-form journalism stays well
# under this (the longest of the 2,225 BBC articles has about 25,000 characters).
MAX_ARTICLE_CHARS = 200_000
# A paragraph; longer ones are split at sentence boundaries. Longer than 99.9% of the BBC paragraphs (the longest
# has 3,205 characters, the median 400), short enough to show in one message and to rank fairly.
MAX_PARAGRAPH_CHARS = 2_500
MAX_TITLE_CHARS = 300
# Category and author: longer values are junk in a record, and they are shown beside every passage.
MAX_FIELD_CHARS = 200
# Longer links are dropped rather than cut (a cut link is a broken link); browsers and servers stop near here.
MAX_URL_CHARS = 2_048
# A web page's elements (tags opened, outside scripts and styles) read as one story: a story's page has a few
# thousand, its menus and links included. Reading one takes time in step with them (25,000 took 12 s on a loaded
# machine, 50,000 headlines' 84 s), and a poll gave up on such a page while its thread read on to the end: a stream
# of them piled threads up. A page of more is a listing or an archive.
MAX_PAGE_ELEMENTS = 25_000

_SPACE = re.compile(r"\s+")


def fit(article: Article) -> tuple[Article, str | None]:
    """The article within the limits, and what was cut (None when nothing was)."""
    cuts: list[str] = []
    title = _cut(article.title, MAX_TITLE_CHARS, "title", cuts)
    category = _cut(article.category, MAX_FIELD_CHARS, "category", cuts)
    author = _cut(article.author, MAX_FIELD_CHARS, "author", cuts) if article.author else article.author
    url = article.url
    if url is not None and len(url) > MAX_URL_CHARS:
        cuts.append(f"link dropped: {len(url):,} characters (limit {MAX_URL_CHARS:,})")
        url = None
    paragraphs, cut = _bounded_paragraphs(article.paragraphs)
    if cut:
        total = sum(len(p) for p in article.paragraphs)
        cuts.append(
            f"text cut at {MAX_ARTICLE_CHARS:,} characters (it has {total:,}); {len(paragraphs):,} paragraphs kept"
        )
    fitted = replace(article, title=title, paragraphs=paragraphs, category=category, url=url, author=author)
    return fitted, "; ".join(cuts) or None


def _cut(text: str, limit: int, name: str, cuts: list[str]) -> str:
    if len(text) <= limit:
        return text
    cuts.append(f"{name} cut at {limit:,} characters (it has {len(text):,})")
    head = text[: limit - 1]
    # End on a whole word when there is one in the last fifth.
    space = head.rfind(" ", limit * 4 // 5)
    return (head[:space] if space > 0 else head).rstrip() + "\u2026"


def _bounded_paragraphs(paragraphs: Iterable[str]) -> tuple[tuple[str, ...], bool]:
    """Paragraphs split to at most MAX_PARAGRAPH_CHARS and taken up to MAX_ARTICLE_CHARS; whether any were cut."""
    kept: list[str] = []
    budget = MAX_ARTICLE_CHARS
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        # Only what can still fit is split: sentence splitting a 50 MB paragraph would take minutes.
        trimmed = len(paragraph) > budget + MAX_PARAGRAPH_CHARS
        pieces = list(split_long(paragraph[: budget + MAX_PARAGRAPH_CHARS] if trimmed else paragraph))
        if trimmed:
            pieces.pop()  # it ends where the text was trimmed, mid-sentence
        for piece in pieces:
            if len(piece) > budget:
                return tuple(kept), True
            kept.append(piece)
            budget -= len(piece)
        if trimmed:
            return tuple(kept), True
    return tuple(kept), False


def split_long(paragraph: str, limit: int = MAX_PARAGRAPH_CHARS) -> Iterator[str]:
    """A paragraph as pieces of at most `limit` characters: whole sentences where they fit, else words, else cuts."""
    if len(paragraph) <= limit:
        yield paragraph
        return
    piece = ""
    for unit in _units(paragraph, limit):
        if piece and len(piece) + 1 + len(unit) > limit:
            yield piece
            piece = ""
        piece = f"{piece} {unit}" if piece else unit
    if piece:
        yield piece


def _units(paragraph: str, limit: int) -> Iterator[str]:
    """Sentences no longer than `limit`; a longer sentence as its words, a longer word in slices."""
    for sentence in sentences(paragraph):
        if len(sentence) <= limit:
            yield sentence
            continue
        for word in _SPACE.split(sentence):
            for start in range(0, len(word), limit):
                yield word[start : start + limit]


def within_limits(article: Article, location: str) -> Iterator[Article | Skipped]:
    """The article fitted to the limits, after a `Skipped(cut=True)` saying what was cut, if anything was."""
    fitted, cut = fit(article)
    if cut:
        yield Skipped(location, cut, cut=True)
    yield fitted
