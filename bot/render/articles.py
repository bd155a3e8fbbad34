"""A full article as Telegram HTML messages."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, tzinfo
from typing import NamedTuple

from bot.config import MAX_ARTICLE_MESSAGES
from bot.models import StoredArticle
from bot.render.markup import HTML, MAX_LABEL_CHARS, SOURCE_LABEL, byline, cap, count, source_link, title_of
from bot.render.split import shown_text, split_message, with_note

READ_ON_LABEL = "Read on"


class ArticlePart(NamedTuple):
    """The messages of one part of an article, the message the next part starts at (None: this is the end), and
    that message's mark (`mark_of`)."""

    messages: list[str]
    next_start: int | None
    next_mark: str = ""


def mark_of(message: str) -> str:
    """A message of an article as 8 hex digits, for a "Read on" button to find its part again in the article as it
    is when pressed: counted in messages alone, a story changed since (updated by its feed) repeated or skipped
    text."""
    return f"{zlib.crc32(message.encode()):08x}"


def article_messages(
    article: StoredArticle,
    paragraphs: Sequence[str],
    zone: tzinfo = UTC,
    most: int = MAX_ARTICLE_MESSAGES,
    start: int = 0,
    mark: str = "",
) -> ArticlePart:
    """The article, escaped, then split on paragraph boundaries (a paragraph too long alone between words);
    its time in `zone` (the reader's); from its message `start` on (a "Read on" press), `most` messages at most: a
    part that stops short says how much is left and where to read it. With the `mark` of the message a "Read on"
    button's part started at, the part starts at the message of that mark nearest `start` (the story changed since,
    before it or after). No messages when it ends before `start` (shorter now than when that button was sent), or
    no message has the mark (changed there)."""
    head = f"{HTML.bold(HTML.escape(title_of(article)))}\n{HTML.escape(byline(article, zone))}"
    if article.author:
        head += f"\nBy {HTML.escape(cap(article.author, MAX_LABEL_CHARS))}"
    messages = split_message([head, *(HTML.escape(p) for p in paragraphs)])
    if mark:
        marked = [i for i, message in enumerate(messages) if i and mark_of(message) == mark]
        start = min(marked, key=lambda i: abs(i - start), default=len(messages))
    if start >= len(messages):
        return ArticlePart([], None)
    # Only the article's own URL: the bot's deep link would lead back to this very message.
    link = source_link(article)
    end = start + most
    if len(messages) > end:
        left = sum(len(shown_text(m).split()) for m in messages[end:])
        return ArticlePart(with_note(messages[start:end], rest_note(left, link)), end, mark_of(messages[end]))
    rest = messages[start:]
    return ArticlePart(with_note(rest, HTML.link(link, SOURCE_LABEL)) if link else rest, None)


def rest_note(words: int, link: str | None) -> str:
    """What a reader is told where a part of an article stops short: how much is left (in words, as reading time
    goes), and how to read it: the button under this message, or its source."""
    rest = f"… the article goes on for {count(words, 'more word')}: “{READ_ON_LABEL}” sends the next part"
    if link:
        return f"<i>{rest}, or read the rest at the {HTML.link(link, 'source')}.</i>"
    return f"<i>{rest}, or ask me about the part you are looking for.</i>"
