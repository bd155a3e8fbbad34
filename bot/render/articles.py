"""A full article as Telegram HTML messages."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import UTC, tzinfo
from typing import NamedTuple

from bot.config import MAX_ARTICLE_MESSAGES
from bot.models import StoredArticle
from bot.render.markup import HTML, MAX_LABEL_CHARS, SOURCE_LABEL, byline, cap, count, source_link, title_of
from bot.render.split import shown_text, split_message, with_note

READ_ON_LABEL = "Read on"
# The characters of a message's start that a "Read on" button's mark is made of (`start_mark`): enough to be that
# place's alone in an article.
MARK_CHARS = 120


class ArticlePart(NamedTuple):
    """The messages of one part of an article, the message the next part starts at (None: this is the end), and
    that message's mark (`mark_of`)."""

    messages: list[str]
    next_start: int | None
    next_mark: str = ""


def mark_of(message: str) -> str:
    """A message of an article as 8 hex digits, the mark a "Read on" button sent before `start_mark` carries."""
    return _checksum(message)


def start_mark(message: str) -> str:
    """The start of a message of an article (the first `MARK_CHARS` of the text it shows, white space as one space)
    as 8 hex digits, for a "Read on" button to find its part again in the article as it is when pressed: counted in
    messages alone, a story changed since (updated by its feed) repeated or skipped text; marked by the whole
    message, a story changed before the part, its messages cut elsewhere now, lost its place."""
    return _checksum(_flat(shown_text(message))[:MARK_CHARS])


def _checksum(text: str) -> str:
    return f"{zlib.crc32(text.encode()):08x}"


def _flat(text: str) -> str:
    return " ".join(text.split())


def resumed(paragraphs: Sequence[str], mark: str, near: int) -> list[str] | None:
    """The article's text from the word whose start has the `start_mark` `mark` (the one nearest `near` characters
    into the text, if several), as escaped blocks: its paragraph from that word on, then the paragraphs after it;
    None if no word's does (the text there changed)."""
    flat = [_flat(p) for p in paragraphs]
    whole = " ".join(p for p in flat if p)
    found: list[tuple[int, int, int]] = []  # (place in the whole text, paragraph, place in it)
    at = 0
    for number, paragraph in enumerate(flat):
        if not paragraph:
            continue
        for word in re.finditer(r"\S+", paragraph):
            if _checksum(whole[at + word.start() : at + word.start() + MARK_CHARS]) == mark:
                found.append((at + word.start(), number, word.start()))
        at += len(paragraph) + 1
    if not found:
        return None
    _, number, place = min(found, key=lambda where: abs(where[0] - near))
    return [HTML.escape(flat[number][place:]), *(HTML.escape(p) for p in paragraphs[number + 1 :])]


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
    button's part started at, the part starts at the message of that mark nearest `start` (the story changed since
    after it, or by whole messages before it), else at the word where that message started (changed before it, its
    messages cut elsewhere now). No messages when it ends before `start` (shorter now than when that button was
    sent), or no word has the mark (changed there)."""
    head = f"{HTML.bold(HTML.escape(title_of(article)))}\n{HTML.escape(byline(article, zone))}"
    if article.author:
        head += f"\nBy {HTML.escape(cap(article.author, MAX_LABEL_CHARS))}"
    messages = split_message([head, *(HTML.escape(p) for p in paragraphs)])
    counted = start  # where the part starts, counted in messages: the next button counts on from it
    if mark:
        marked = [i for i, message in enumerate(messages) if i and mark in (start_mark(message), mark_of(message))]
        if marked:
            start = counted = min(marked, key=lambda i: abs(i - start))
        else:  # changed before the part: its messages are cut elsewhere now, and it starts inside one of them
            near = len(_flat(" ".join(shown_text(m) for m in messages[1:start])))
            if (rest := resumed(paragraphs, mark, near)) is None:
                return ArticlePart([], None)
            messages, start = split_message(rest), 0
    if start >= len(messages):
        return ArticlePart([], None)
    # Only the article's own URL: the bot's deep link would lead back to this very message.
    link = source_link(article)
    end = start + most
    if len(messages) > end:
        left = sum(len(shown_text(m).split()) for m in messages[end:])
        note = rest_note(left, link)
        return ArticlePart(with_note(messages[start:end], note), counted + most, start_mark(messages[end]))
    rest = messages[start:]
    return ArticlePart(with_note(rest, HTML.link(link, SOURCE_LABEL)) if link else rest, None)


def rest_note(words: int, link: str | None) -> str:
    """What a reader is told where a part of an article stops short: how much is left (in words, as reading time
    goes), and how to read it: the button under this message, or its source."""
    rest = f"… the article goes on for {count(words, 'more word')}: “{READ_ON_LABEL}” sends the next part"
    if link:
        return f"<i>{rest}, or read the rest at the {HTML.link(link, 'source')}.</i>"
    return f"<i>{rest}, or ask me about the part you are looking for.</i>"
