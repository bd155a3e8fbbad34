"""A full article as Telegram HTML messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo

from bot.config import MAX_ARTICLE_MESSAGES
from bot.models import StoredArticle
from bot.render.markup import HTML, MAX_LABEL_CHARS, SOURCE_LABEL, byline, cap, count, source_link, title_of
from bot.render.split import shown_text, split_message, with_note


def article_messages(
    article: StoredArticle, paragraphs: Sequence[str], zone: tzinfo = UTC, most: int = MAX_ARTICLE_MESSAGES
) -> list[str]:
    """The article, escaped, then split on paragraph boundaries (a paragraph too long alone between words);
    its time in `zone` (the reader's). One longer than `most` messages stops there, saying how much is left and
    where to read it."""
    head = f"{HTML.bold(HTML.escape(title_of(article)))}\n{HTML.escape(byline(article, zone))}"
    if article.author:
        head += f"\nBy {HTML.escape(cap(article.author, MAX_LABEL_CHARS))}"
    messages = split_message([head, *(HTML.escape(p) for p in paragraphs)])
    # Only the article's own URL: the bot's deep link would lead back to this very message.
    link = source_link(article)
    if len(messages) > most:
        left = sum(len(shown_text(m).split()) for m in messages[most:])
        return with_note(messages[:most], rest_note(left, link))
    return with_note(messages, HTML.link(link, SOURCE_LABEL)) if link else messages


def rest_note(words: int, link: str | None) -> str:
    """What a reader is told where an article stops short: how much is left (in words, as reading time goes), and
    where to read it."""
    rest = f"… the article goes on for {count(words, 'more word')}"
    if link:
        return f"<i>{rest}: read the rest at the {HTML.link(link, 'source')}.</i>"
    return f"<i>{rest}: ask me about the part you are looking for.</i>"
