"""Digests and alerts as Telegram HTML messages (strings only: no Telegram, no store).

Each story: its headline linked (the article's URL, else the bot's deep link that opens it), its date, and a
one-line lede; stories grouped by category under the category's name, "and N more: /latest sport" after the
shown ones. A digest with nothing new says so in one line, or is not sent (None) when the chat chose silence.

Messages stay under Telegram's 4096 characters: text is cut before it is escaped (never inside an entity), the
message is measured after escaping and in UTF-16 code units (as Telegram counts), and a long digest is split on
story boundaries only (never inside a tag); a category continued in the next message is named again there.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime

from bot.models import Digest, DigestSection, Headline

TELEGRAM_LIMIT = 4096
# Raw characters kept of a headline and of a lede (one line), before escaping.
TITLE_CHARS = 150
LEDE_CHARS = 160
# A link longer than this once escaped is replaced by the deep link (a story always fits one message).
LINK_CHARS = 1000
DIGEST_HEADING = "Your daily digest"
PREVIEW_HEADING = "Your digest so far"
ALERT_HEADING = "New in your categories"
NOTHING_NEW = "Nothing new in your categories today."


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut between words with "…" (raw text: escape afterwards)."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def deep_link(article_id: str, bot_username: str) -> str | None:
    return f"https://t.me/{bot_username}?start={article_id}" if bot_username else None


def link_of(headline: Headline, bot_username: str) -> str | None:
    """The article's URL, else the deep link that opens it in the bot; a URL too long for a message counts as none."""
    url = headline.article.url
    if url and utf16_len(html.escape(url, quote=True)) <= LINK_CHARS:
        return url
    return deep_link(headline.article.id, bot_username)


def date_of(headline: Headline) -> str:
    """The story's publication date (its arrival date when undated), as "29 Mar 2026"."""
    when: datetime | None = headline.article.published or headline.article.added_at
    return f"{when.day} {when:%b %Y}" if when else ""


def render_headline(headline: Headline, bot_username: str = "") -> str:
    title = escape(shorten(headline.article.title, TITLE_CHARS)) or "(untitled)"
    link = link_of(headline, bot_username)
    shown = f'<a href="{html.escape(link, quote=True)}">{title}</a>' if link else f"<b>{title}</b>"
    date = date_of(headline)
    lines = [f"• {shown}" + (f" · {date}" if date else "")]
    if lede := shorten(headline.lede, LEDE_CHARS):
        lines.append(escape(lede))
    return "\n".join(lines)


def section_title(category: str, continued: bool = False) -> str:
    name = category[:1].upper() + category[1:] if category else "Other"
    return f"<b>{escape(shorten(name, 60))}</b>" + (" (continued)" if continued else "")


def more_line(section: DigestSection) -> str:
    command = f"/latest {section.category.lower()}" if section.category else "/latest"
    return f"and {section.more} more: {escape(command)}"


def _blocks(section: DigestSection, bot_username: str) -> Iterator[str]:
    yield from (render_headline(h, bot_username) for h in section.headlines)
    if section.more:
        yield more_line(section)


def split(heading: str, digest: Digest, bot_username: str = "", limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The heading, then each section's title and stories, in messages of at most `limit` UTF-16 units, split
    between stories only (a story is far shorter than a message: see the character limits above)."""
    messages: list[str] = []
    current = heading
    for section in digest.sections:
        first = True
        for block in _blocks(section, bot_username):
            addition = f"\n\n{section_title(section.category)}\n{block}" if first else f"\n{block}"
            if utf16_len(current + addition) <= limit:
                current += addition
            else:
                messages.append(current)
                current = f"{section_title(section.category, continued=not first)}\n{block}"
            first = False
    messages.append(current)
    return messages


def render_digest(
    digest: Digest, bot_username: str = "", heading: str = DIGEST_HEADING, quiet: bool = False
) -> list[str] | None:
    """A digest as messages; an empty one is one "nothing new" line, or None (nothing to send) when `quiet`."""
    if digest.empty:
        return None if quiet else [f"<b>{escape(heading)}</b>\n{NOTHING_NEW}"]
    count = digest.stories
    return split(f"<b>{escape(heading)}</b>: {count} new {'story' if count == 1 else 'stories'}", digest, bot_username)


def render_alert(digest: Digest, bot_username: str = "") -> list[str] | None:
    """New stories as one alert (split only if it is very long); None when there is none left to tell."""
    if digest.empty:
        return None
    return split(f"<b>{escape(ALERT_HEADING)}</b>", digest, bot_username)
