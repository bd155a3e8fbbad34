"""Answer formatting: the same answer as Telegram HTML, terminal text or JSON data.

One renderer serves every output; a `Style` says how to escape, embolden and link.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.analysis import sentences, words
from bot.library import LibraryStats
from bot.models import Answer, Passage, StoredArticle

# Telegram refuses messages over 4096 characters; answers stay well below so three passages always fit.
TELEGRAM_LIMIT = 4096
MAX_PASSAGE_CHARS = 900


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


def format_date(value: datetime | None) -> str:
    return value.strftime("%-d %b %Y, %H:%M") if value else "undated"


def deep_link(article_id: str, bot_username: str) -> str | None:
    return f"https://t.me/{bot_username}?start={article_id}" if bot_username else None


def source_link(article: StoredArticle, bot_username: str = "", local_path: bool = False) -> str | None:
    """Where a reader can see the whole article: its URL, else the bot's deep link, else (CLI) its file."""
    if article.url:
        return article.url
    if link := deep_link(article.id, bot_username):
        return link
    if local_path and article.origin:
        return article.origin
    return None


def trim(text: str, matched: Iterable[str], limit: int = MAX_PASSAGE_CHARS) -> str:
    """Shorten a long paragraph to its sentences around the one with most matched words."""
    if len(text) <= limit:
        return text
    wanted = set(matched)
    parts = sentences(text) or [text]
    best = max(range(len(parts)), key=lambda i: len(wanted & {t for _, _, t in words(parts[i])}))
    start = end = best
    while True:
        grown = False
        if end + 1 < len(parts) and len(" ".join(parts[start : end + 2])) <= limit:
            end, grown = end + 1, True
        if start > 0 and len(" ".join(parts[start - 1 : end + 1])) <= limit:
            start, grown = start - 1, True
        if not grown:
            break
    body = " ".join(parts[start : end + 1])
    if len(body) > limit:
        body = body[: limit - 1].rsplit(" ", 1)[0]
    return ("… " if start > 0 else "") + body + (" …" if end < len(parts) - 1 or len(body) < len(parts[end]) else "")


def mark(text: str, matched: Iterable[str], style: Style) -> str:
    """Escape `text` and embolden the words whose analysed terms are in `matched`."""
    wanted = set(matched)
    spans = sorted({(s, e) for s, e, term in words(text) if term in wanted})
    out, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        out.append(style.escape(text[last:start]))
        out.append(style.bold(style.escape(text[start:end])))
        last = end
    out.append(style.escape(text[last:]))
    return "".join(out)


def byline(article: StoredArticle) -> str:
    return " · ".join(part for part in (format_date(article.published), article.category) if part)


def render_passage(
    number: int, passage: Passage, style: Style, bot_username: str = "", local_path: bool = False
) -> str:
    article = passage.article
    lines = [
        style.bold(f"{number}. {style.escape(article.title)}"),
        style.escape(byline(article)),
        mark(trim(passage.text, passage.matched), passage.matched, style),
    ]
    if link := source_link(article, bot_username, local_path):
        lines.append(style.link(link, "Source"))
    return "\n".join(lines)


def render_headline(article: StoredArticle, style: Style, bot_username: str = "", local_path: bool = False) -> str:
    link = source_link(article, bot_username, local_path)
    title = style.escape(article.title)
    shown = style.link(link, title) if link and style is HTML else title + (f" ({link})" if link else "")
    return f"• {shown} ({style.escape(byline(article))})"


def render_answer(answer: Answer, style: Style, bot_username: str = "", local_path: bool = False) -> str:
    """The whole reply: numbered passages, or why nothing answers and the closest headlines."""
    if not answer.found:
        lines = [style.escape(answer.reason or "Nothing in the articles answers that.")]
        if answer.closest:
            lines += ["", "Closest headlines:"]
            lines += [render_headline(a, style, bot_username, local_path) for a in answer.closest]
        return "\n".join(lines)
    blocks = [
        render_passage(answer.offset + i + 1, p, style, bot_username, local_path) for i, p in enumerate(answer.passages)
    ]
    if not answer.confident:
        blocks.insert(0, "These passages may help:")
        if answer.closest:
            blocks.append(
                "\n".join(
                    ["Closest headlines:"]
                    + [render_headline(a, style, bot_username, local_path) for a in answer.closest]
                )
            )
    return "\n\n".join(blocks)


def answer_json(answer: Answer, bot_username: str = "") -> dict[str, Any]:
    """The answer as data for scripts (`newsbot ask --json`)."""

    def article_data(a: StoredArticle) -> dict[str, Any]:
        return {
            "id": a.id,
            "title": a.title,
            "category": a.category,
            "published": a.published.isoformat() if a.published else None,
            "url": a.url,
            "link": source_link(a, bot_username, local_path=True),
            "author": a.author,
        }

    return {
        "question": answer.question,
        "found": answer.found,
        "reason": answer.reason or None,
        "passages": [
            {
                **article_data(p.article),
                "position": p.position,
                "score": round(p.score, 4),
                "text": p.text,
                "matched": sorted(p.matched),
            }
            for p in answer.passages
        ],
        "closest": [article_data(a) for a in answer.closest],
        "more": answer.more,
    }


def split_message(blocks: Sequence[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join blocks (each whole HTML) into messages under `limit`; a block too long alone is cut between words.

    Blocks are never cut inside a tag: a paragraph over the limit is split on its own text before marking up.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = block
    if current:
        messages.append(current)
    return messages


def _pieces(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def article_messages(article: StoredArticle, paragraphs: Sequence[str], bot_username: str = "") -> list[str]:
    """A full article as Telegram HTML messages, split on paragraph boundaries, tags never broken."""
    head = f"{HTML.bold(HTML.escape(article.title))}\n{HTML.escape(byline(article))}"
    if article.author:
        head += f"\nBy {HTML.escape(article.author)}"
    # Escaping can lengthen text (& -> &amp;): cut raw text with room to spare, then escape.
    room = TELEGRAM_LIMIT // 2
    blocks = [head] + [HTML.escape(piece) for p in paragraphs for piece in _pieces(p, room)]
    if article.url:
        blocks.append(HTML.link(article.url, "Source"))
    return split_message(blocks)


def render_stats(stats: LibraryStats) -> str:
    """What the library holds, as aligned plain text (`newsbot stats`, the bot's /stats)."""
    store = stats.store
    span = (
        f"{store.first_published:%d %b %Y} to {store.last_published:%d %b %Y}"
        if store.first_published and store.last_published
        else "no dates"
    )
    lines = [
        f"articles:   {store.articles:,}",
        f"paragraphs: {store.paragraphs:,}",
        f"dates:      {span}",
        f"engine:     {stats.engine} ({stats.indexed_paragraphs:,} paragraphs indexed,"
        f" {stats.index_bytes / 1e6:.1f} MB on disk)",
        "categories:",
    ]
    lines += [f"  {name or '(none)'}: {count:,}" for name, count in store.categories]
    return "\n".join(lines)
