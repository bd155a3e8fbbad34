"""Answers: the same answer as Telegram HTML, terminal text or JSON data.

One renderer serves every output; a `Style` says how to escape, embolden and link. `fit_answer` makes the
Telegram reply one message under the limit, whatever the articles hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from datetime import UTC, tzinfo
from typing import Any

from bot.analysis import analysed_in, sentences, words
from bot.models import Answer, Passage
from bot.render.headlines import article_json, render_headline
from bot.render.markup import HTML, SOURCE_LABEL, Style, byline, source_link, title_of
from bot.render.split import TELEGRAM_LIMIT, fits
from bot.wording import LIMITED_SEARCH

# Three passages of this length fit one message with room to spare in everyday text.
MAX_PASSAGE_CHARS = 900
# Shortest a passage is trimmed to when escaping makes even one too long for a message (text of `&` and `<`).
MIN_PASSAGE_CHARS = 100


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


def snippet(passage: Passage, limit: int) -> str:
    """A passage in about `limit` characters, plain: its sentences around the one holding most of the words asked
    (`trim`), as an inline result's description. Its first `limit` characters left the words asked out of a long
    paragraph ("maroon 5 grammy" was described by a list of other winners, the band named past its 200th character)."""
    with analysed_in(passage.language):
        return trim(passage.text, passage.matched, limit)


def _matched_spans(text: str, matched: Iterable[str]) -> list[tuple[int, int]]:
    """Where `text` writes the words whose analysed terms are in `matched`, in order."""
    wanted = set(matched)
    return sorted({(s, e) for s, e, term in words(text) if term in wanted})


def marked_words(text: str, matched: Iterable[str]) -> list[str]:
    """The words of `text` that `mark` emboldens, in lower case, each once and sorted."""
    return sorted({text[s:e].casefold() for s, e in _matched_spans(text, matched)})


def mark(text: str, matched: Iterable[str], style: Style) -> str:
    """Escape `text` and embolden the words whose analysed terms are in `matched`."""
    out, last = [], 0
    for start, end in _matched_spans(text, matched):
        if start < last:
            continue
        out.append(style.escape(text[last:start]))
        out.append(style.bold(style.escape(text[start:end])))
        last = end
    out.append(style.escape(text[last:]))
    return "".join(out)


def render_story_passages(
    numbers: Sequence[int] | None,
    passages: Sequence[Passage],
    style: Style,
    bot_username: str = "",
    local_path: bool = False,
    passage_chars: int = MAX_PASSAGE_CHARS,
    zone: tzinfo = UTC,
) -> str:
    """One story's passages under its head, written once: its title, byline, each passage (numbered by its place in
    the answer's list when there is one) and its link. Two passages of one story each repeated the story's title,
    date, category and link. Each passage's number stands on its own line: the first one's stood on the title ("1.
    Title", then "2." beside the second passage), which read as two lists, one of stories and one of passages."""
    article = passages[0].article
    texts = []
    for i, passage in enumerate(passages):
        with analysed_in(passage.language):
            text = mark(trim(unnumbered(passage.text), passage.matched, passage_chars), passage.matched, style)
        texts.append(text if numbers is None else style.bold(f"{numbers[i]}.") + f" {text}")
    lines = [
        style.bold(style.escape(title_of(article))),
        style.escape(byline(article, zone)),
        *texts,
    ]
    if link := source_link(article, bot_username, local_path):
        lines.append(style.link(link, SOURCE_LABEL))
    return "\n".join(lines)


# The number a passage's line starts with in a list, as a reader sees it (`render_story_passages`: "2. The council
# voted").
_PASSAGE_NUMBER = re.compile(r"^\d+\. ")


def shown_lines(text: str) -> tuple[str, ...]:
    """The lines of an answer as a reader sees it (its text without markup, as Telegram gives a message back), each
    without the number a passage listed under its story's head starts with: the words the story writes, which a
    follow-up's search reads to tell the passages shown (`retrieval.seen_paragraphs`). A passage shows none of its own
    (`unnumbered`), so the number is the list's."""
    return tuple(_PASSAGE_NUMBER.sub("", line) for line in text.splitlines())


def unnumbered(paragraph: str) -> str:
    """A paragraph as an answer shows it: without the number of its article's own list that it may begin with ("1.
    The first step is a new surgical hub"), which beside the answer's number read "3. 1. The first step", a list in a
    list, and which `shown_lines` took for the answer's own (a step of a list alone means nothing out of it; the full
    article shows it)."""
    return _PASSAGE_NUMBER.sub("", paragraph, count=1)


def by_story(passages: Sequence[Passage]) -> list[list[int]]:
    """The places of `passages` grouped by story, the stories in the order their first passage comes: a later
    passage of a story shown before joins it, wherever it ranks."""
    stories: dict[str, list[int]] = {}
    for i, passage in enumerate(passages):
        stories.setdefault(passage.article.id, []).append(i)
    return list(stories.values())


# Said before the passages of an answer whose evidence is weak: shown, not hidden, but not claimed.
WEAK_ANSWER = "These passages may help:"


def reason_of(answer: Answer) -> str:
    """Why nothing answers (or why the passages are weak evidence), its parts joined: asking in the articles'
    language where the question was in another, and saying so of a search limited by category or date."""
    return answer.reason + answer.language_part + (LIMITED_SEARCH if answer.limited else "")


def render_answer(
    answer: Answer,
    style: Style,
    bot_username: str = "",
    local_path: bool = False,
    passage_chars: int = MAX_PASSAGE_CHARS,
    zone: tzinfo = UTC,
) -> str:
    """The whole reply: passages, numbered when there are several (introduced as only maybe helpful when the
    evidence is weak, after the words no article uses if any, with the closest headlines after them), or why
    nothing answers and the closest headlines; times in `zone` (the reader's)."""
    closest = [
        "Closest headlines:",
        *(render_headline(a, style, bot_username, local_path, zone) for a in answer.closest),
    ]
    if not answer.found:
        lines = [style.escape(reason_of(answer) or "Nothing in the articles answers that.")]
        if answer.closest:
            lines += ["", *closest]
        return "\n".join(lines)
    # A lone passage is not numbered: "1." promises a list (an inline result, sent as a message of its own, showed
    # "1." every time). Passages are numbered in the order shown, a story's together, from the page's place.
    stories = by_story(answer.passages)
    listed = len(answer.passages) > 1 or answer.offset > 0 or answer.more > 0
    numbers = iter(range(answer.offset + 1, answer.offset + len(answer.passages) + 1))
    blocks = [
        render_story_passages(
            [next(numbers) for _ in places] if listed else None,
            [answer.passages[i] for i in places],
            style,
            bot_username,
            local_path,
            passage_chars,
            zone,
        )
        for places in stories
    ]
    if not answer.confident:
        intro = "\n".join([*([style.escape(answer.reason)] if answer.reason else []), WEAK_ANSWER])
        blocks = [intro, *blocks, *(["\n".join(closest)] if answer.closest else [])]
    if note := respelt_note(answer):
        blocks.insert(0, style.escape(note))
    return "\n\n".join(blocks)


def respelt_note(answer: Answer) -> str:
    """What an answer to a question respelt says above it (`Answer.respelt`): "Answers for Maria Quinn (you wrote
    Mara Quinn)", as a search engine says it showed results for another spelling; "" for none."""
    respelt = answer.respelt
    return f"Answers for {respelt.written} (you wrote {respelt.typed})" if respelt else ""


def fit_answer(
    answer: Answer, bot_username: str = "", limit: int = TELEGRAM_LIMIT, zone: tzinfo = UTC
) -> tuple[Answer, str]:
    """The answer as one Telegram HTML message under `limit`, and the answer it shows.

    Passages that do not fit wait behind "More", closest headlines that do not fit are left out (but one when
    there are no passages), and a single passage that escaping made too long is trimmed shorter (titles,
    bylines and links are capped, so a passage of MIN_PASSAGE_CHARS always fits).
    """
    passage_chars = MAX_PASSAGE_CHARS
    while True:
        text = render_answer(answer, HTML, bot_username, passage_chars=passage_chars, zone=zone)
        if fits(text, limit):
            return answer, text
        if len(answer.passages) > 1:
            answer = replace(answer, passages=answer.passages[:-1], more=answer.more + 1)
        elif len(answer.closest) > (0 if answer.found else 1):
            answer = replace(answer, closest=answer.closest[:-1])
        elif passage_chars > MIN_PASSAGE_CHARS:
            passage_chars = max(MIN_PASSAGE_CHARS, passage_chars // 2)
        else:
            raise ValueError(f"an answer of one {MIN_PASSAGE_CHARS}-character passage is {len(text):,} long")


def answer_json(answer: Answer, bot_username: str = "") -> dict[str, Any]:
    """The answer as data for scripts (`newsbot ask --json`)."""

    def marked(passage: Passage) -> list[str]:
        with analysed_in(passage.language):
            return marked_words(passage.text, passage.matched)

    return {
        "question": answer.question,
        "found": answer.found,
        "confident": answer.found and answer.confident,
        "reason": reason_of(answer) or None,
        "passages": [
            {
                **article_json(p.article, bot_username),
                "position": p.position,
                "score": round(p.score, 4),
                "text": p.text,
                # The words as the passage writes them, as an answer emboldens them: the terms they are searched
                # as read "yuko" of "Yukos", "profit" of "profits".
                "matched": marked(p),
            }
            for p in answer.passages
        ],
        "closest": [article_json(a, bot_username) for a in answer.closest],
        "more": answer.more,
        # The articles' language ("en") where the question seemed asked in another (`Answer.foreign_to`).
        "foreign_to": answer.foreign_to or None,
        # The question answered in place of the one asked, a misspelt name respelt (`Answer.respelt`), and the one
        # suggested where the answer is the asked one's (`Answer.suggested`).
        "respelt": asdict(answer.respelt) if answer.respelt else None,
        "suggested": asdict(answer.suggested) if answer.suggested else None,
    }
