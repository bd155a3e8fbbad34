"""Headlines: one article as a linked line, the /latest list and the /categories list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from typing import Any

from bot.models import StoredArticle
from bot.render.markup import (
    HTML,
    Style,
    byline,
    category_counts,
    category_data,
    category_label,
    count,
    shown_date,
    source_link,
    title_of,
)
from bot.render.split import lines_in_blocks


def render_headline(
    article: StoredArticle,
    style: Style,
    bot_username: str = "",
    local_path: bool = False,
    zone: tzinfo = UTC,
    category: bool = True,
    bullet: str = "• ",
) -> str:
    """ "• Headline (2 Oct 2026, 14:05 · Sport)", linked (as text, the link on a line of its own below), its time in
    `zone` (the reader's); `category=False` leaves the category out (for a list under the category's own heading);
    `bullet=""` for a headline standing alone (shared inline: a message of one line that began "•" read as a list
    cut short)."""
    link = source_link(article, bot_username, local_path)
    title = style.escape(title_of(article))
    when = style.escape(byline(article, zone) if category else shown_date(article, zone))
    if style is HTML:
        return f"{bullet}{style.link(link, title) if link else title} ({when})"
    # After the headline, "(https://...) (2 Oct 2026 · Sport)" read as two asides, the date's lost behind the link.
    return f"{bullet}{title} ({when})" + (f"\n  {link}" if link else "")


def latest_lines(
    articles: Sequence[StoredArticle],
    category: str | None,
    bot_username: str = "",
    capped: bool = False,
    zone: tzinfo = UTC,
    style: Style = HTML,
    first: int = 1,
    heading: str = "",
) -> list[str]:
    """The heading and the newest headlines, one a line (in `style`: `newsbot latest` prints them, a story without
    a link naming its file); `capped` when the reader asked for more than the most /latest shows (as many as there
    are here), which the heading then says; `first` the place of the first in the list (a "More" page's: "Latest
    in Sport (31 to 60)"); `heading` (plain text) said in place of that one."""
    named = f" in {style.escape(category_label(articles[0].category))}" if category and articles else ""
    places = f" ({first} to {first + len(articles) - 1})" if first > 1 else ""
    heading = style.bold(style.escape(heading) if heading else f"Latest{named}{places}") + (
        f" (the newest {len(articles)}, the most I show at once)" if capped else ""
    )
    # Under "Latest in Sport" every line would end in "· Sport" again.
    local = style is not HTML
    lines = (render_headline(a, style, bot_username, local, zone, category=not category) for a in articles)
    return [heading, *lines]


def latest_blocks(
    articles: Sequence[StoredArticle],
    category: str | None,
    bot_username: str = "",
    capped: bool = False,
    zone: tzinfo = UTC,
    first: int = 1,
    heading: str = "",
) -> list[str]:
    """/latest's heading (or `heading`, plain text) and headlines one a line, as blocks for `split_message`
    (`lines_in_blocks`): as blocks of their own a blank line stood between every two headlines, where /categories and
    a digest list one a line."""
    return lines_in_blocks(latest_lines(articles, category, bot_username, capped, zone, first=first, heading=heading))


def article_json(article: StoredArticle, bot_username: str = "") -> dict[str, Any]:
    """An article as data for scripts (`newsbot ask --json`, `newsbot latest --json`)."""
    return {
        "id": article.id,
        "title": article.title,
        # null, as for the other fields a story lacks: "" for none read as a category with an empty name.
        "category": category_data(article.category),
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "link": source_link(article, bot_username, local_path=True),
        "author": article.author,
    }


def category_lines(known: Sequence[tuple[str, int]], style: Style = HTML) -> list[str]:
    """Each category with its article count, one a line (in `style`: `newsbot ask "what categories are there?"`
    prints them)."""
    return [f"• {style.escape(label)}: {count(n, 'article')}" for label, n in category_counts(known)]


def categories_blocks(known: Sequence[tuple[str, int]]) -> list[str]:
    """Each category with its article count, one a line under the heading, as blocks for `split_message`."""
    return lines_in_blocks(["<b>Categories</b>", *category_lines(known)])


def category_hint(name: str) -> str:
    """After a decline whose words name or nearly name a category ("hows the wether"), the command that shows its
    stories (plain text)."""
    return f"Did you mean {category_label(name)}? /latest {name.lower()} shows its newest headlines."
