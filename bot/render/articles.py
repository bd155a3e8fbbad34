"""A full article as Telegram HTML messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo

from bot.models import StoredArticle
from bot.render.markup import HTML, MAX_LABEL_CHARS, SOURCE_LABEL, byline, cap, source_link, title_of
from bot.render.split import split_message


def article_messages(article: StoredArticle, paragraphs: Sequence[str], zone: tzinfo = UTC) -> list[str]:
    """The whole article, escaped, then split on paragraph boundaries (a paragraph too long alone between words);
    its time in `zone` (the reader's)."""
    head = f"{HTML.bold(HTML.escape(title_of(article)))}\n{HTML.escape(byline(article, zone))}"
    if article.author:
        head += f"\nBy {HTML.escape(cap(article.author, MAX_LABEL_CHARS))}"
    blocks = [head, *(HTML.escape(p) for p in paragraphs)]
    # Only the article's own URL: the bot's deep link would lead back to this very message.
    if link := source_link(article):
        blocks.append(HTML.link(link, SOURCE_LABEL))
    return split_message(blocks)
