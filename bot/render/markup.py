"""How each output marks things up (`Style`), and the small pieces every rendering shares: capped titles and
labels, dates, bylines and source links."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo

from bot.models import StoredArticle
from bot.wording import capital, spoken_list

# Titles, categories and authors come from whatever was ingested: a reader never needs more than this of one,
# and the caps keep every block of a message far below Telegram's limit even when escaping makes it 5x longer.
MAX_TITLE_CHARS = 200
MAX_LABEL_CHARS = 80
# A source URL longer than this once escaped is not linked (the bot's deep link stands in); real ones are shorter.
MAX_HREF_CHARS = 1024
ELLIPSIS = "…"
# The articles filed under no category, in lists of categories.
NO_CATEGORY = "(no category)"


@dataclass(frozen=True)
class Style:
    """How one output marks things up."""

    escape: Callable[[str], str]
    bold: Callable[[str], str]
    link: Callable[[str, str], str]


HTML = Style(
    escape=lambda s: html.escape(s, quote=False),
    bold=lambda s: f"<b>{s}</b>",
    link=lambda url, label: f'<a href="{html.escape(url, quote=True)}">{label}</a>',
)
PLAIN = Style(escape=lambda s: s, bold=lambda s: f"*{s}*", link=lambda url, label: f"{label}: {url}")
TERMINAL = Style(escape=lambda s: s, bold=lambda s: f"\033[1m{s}\033[0m", link=lambda url, label: f"{label}: {url}")


def cap(text: str, limit: int) -> str:
    """`text` on one line and at most `limit` characters, cut at a word boundary with an ellipsis when too long."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,:;-") + ELLIPSIS


def category_label(name: str) -> str:
    """A category's name as every list and line shows it: capped, its first letter a capital. Feeds file under
    "sport" and "News" alike, and /start, /categories and the buttons showed "business, News, politics"; names are
    matched ignoring case, so "/subscribe news" still finds it."""
    return capital(cap(name, MAX_LABEL_CHARS))


def spoken_categories(categories: Sequence[str], style: Style | None = None) -> str:
    """ "Sport", "Sport and Tech", "Business, Sport and Tech" as the library names them, escaped for `style` (HTML by
    default; "" for none)."""
    escape = (style or HTML).escape
    return spoken_list([escape(category_label(name)) for name in categories]) if categories else ""


def no_stories_under(categories: Sequence[str]) -> str:
    """What a chat following `categories` that no story is filed under now (their stories went, or a feed or
    re-ingest files them under another name) is told, in /mysubs and in its digests (escaped)."""
    return f"No stories are filed under {spoken_categories(categories)} now: /categories lists those there are."


def category_data(name: str) -> str | None:
    """A category's name as data (`--json`): spelt as every list shows it, whole; null for none. The stored names
    are each source's ("sport" from the BBC's records, "News" from the seed), and `stats --json` listed both
    spellings side by side where the table shows one."""
    return capital(name) or None


def category_counts(known: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Each category's label and article count as the store lists them (most articles first), the articles filed
    under none last, as "(no category)": sorted by its empty name it stood first among its equals, as one more
    category."""
    labelled = [(category_label(name), number) for name, number in known]
    return [item for item in labelled if item[0]] + [(NO_CATEGORY, number) for label, number in labelled if not label]


def title_of(article: StoredArticle) -> str:
    return cap(article.title, MAX_TITLE_CHARS)


def count(number: int, singular: str, plural: str = "") -> str:
    """ "1 article", "2,127 articles"."""
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def is_date_only(value: datetime) -> bool:
    """A date given without a time, which is stored as midnight UTC."""
    return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC).time() == time(0)


def in_zone(value: datetime, zone: tzinfo) -> datetime:
    """The instant on the clocks of `zone` (the reader's); a date without a time stays that date, which in a zone
    west of UTC would otherwise become the evening before."""
    return value if is_date_only(value) else value.replace(tzinfo=value.tzinfo or UTC).astimezone(zone)


def format_date(value: datetime | None, zone: tzinfo = UTC) -> str:
    """ "2 Oct 2026, 14:05" on the clocks of `zone`, or "2 Oct 2026" for a date given without a time (not a
    made-up "2 Oct 2026, 00:00")."""
    if value is None:
        return "undated"
    return in_zone(value, zone).strftime("%-d %b %Y" if is_date_only(value) else "%-d %b %Y, %H:%M")


def shown_date(article: StoredArticle, zone: tzinfo = UTC) -> str:
    """The story's date as every listing shows it (answers, /latest, digests, alerts and their rest pages), in `zone`
    (the reader's): its publication time as written ("2 Oct 2026, 14:05"), even one after its arrival, which orders
    it; for an undated story from the web, the arrival that stands for it (`StoredArticle.news_time`), said as such
    ("received 1 Dec 2026, 09:12"); else "undated". Digests showed the day alone where the page of their rest, and
    /latest, showed the time: a story read in both was dated two ways."""
    when = article.published or article.news_time
    if when is None:
        return format_date(None)
    shown = format_date(when, zone)
    return shown if article.published is not None else f"received {shown}"


def byline(article: StoredArticle, zone: tzinfo = UTC) -> str:
    """ "2 Oct 2026, 14:05 · Sport": the story's date (`shown_date`) in `zone` (the reader's) and the category."""
    shown = (shown_date(article, zone), category_label(article.category))
    return " · ".join(part for part in shown if part)


def deep_link(article_id: str, bot_username: str) -> str | None:
    return f"https://t.me/{bot_username}?start={article_id}" if bot_username else None


# The label of the link under a passage and a full article to the story's page: a reply to a message with it
# follows up on that story (`bot/tg/ask.py`).
SOURCE_LABEL = "Source"


def source_link(article: StoredArticle, bot_username: str = "", local_path: bool = False) -> str | None:
    """Where a reader can see the whole article: its URL, else the bot's deep link, else (CLI) its file."""
    if article.url and len(html.escape(article.url, quote=True)) <= MAX_HREF_CHARS:
        return article.url
    if link := deep_link(article.id, bot_username):
        return link
    if local_path and article.origin:
        return article.origin
    return None
