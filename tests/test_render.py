"""Answer formatting: escaped Telegram HTML, marked words, links and message limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Answer, Passage, StoredArticle
from bot.render.answers import mark, render_answer, trim
from bot.render.articles import article_messages
from bot.render.markup import HTML, PLAIN, source_link
from bot.render.split import TELEGRAM_LIMIT, split_message
from tests.html_check import check_telegram_html, visible_length


def stored(
    title: str = "Tom & Jerry <live> at \"O'Neill's\"",
    url: str | None = None,
    published: datetime | None = datetime(2020, 5, 1, 9, 30, tzinfo=UTC),
) -> StoredArticle:
    return StoredArticle("0123456789abcdef", title, "Culture & Arts", published, url, None, "/tmp/a.txt", 2)


def test_everything_from_articles_is_escaped() -> None:
    passage = Passage(stored(), 0, "Prices < 5 & rising; <b>not bold</b>", 3.0, frozenset({"price"}))
    text = render_answer(Answer("q", (passage,)), HTML, "news_bot")
    check_telegram_html(text)
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text and "<b>Prices</b>" in text
    assert "Tom &amp; Jerry &lt;live&gt;" in text
    assert '<a href="https://t.me/news_bot?start=0123456789abcdef">Source</a>' in text


def test_source_link_prefers_url_then_deep_link_then_file() -> None:
    assert source_link(stored(url="https://n.example/a?x=1&y=2"), "bot") == "https://n.example/a?x=1&y=2"
    assert source_link(stored(), "bot") == "https://t.me/bot?start=0123456789abcdef"
    assert source_link(stored(), "", local_path=True) == "/tmp/a.txt"
    assert source_link(stored(), "") is None
    html = render_answer(Answer("q", (Passage(stored(url="https://n.example/a?x=1&y=2"), 0, "t", 1.0),)), HTML)
    assert 'href="https://n.example/a?x=1&amp;y=2"' in html
    check_telegram_html(html)


def test_mark_bolds_matched_words_only() -> None:
    assert (
        mark("Russia invited Dempsey to Moscow", {"invit", "moscow"}, PLAIN) == "Russia *invited* Dempsey to *Moscow*"
    )


def test_long_paragraph_is_trimmed_around_the_matching_sentence() -> None:
    filler = " ".join(f"Sentence number {i} talks about the weather." for i in range(60))
    text = filler + " The mayor resigned on Friday after the vote. " + filler
    short = trim(text, {"mayor", "resign"}, limit=300)
    assert "The mayor resigned on Friday" in short and len(short) <= 310
    assert short.startswith("\u2026") and short.endswith("\u2026")


def test_nothing_found_lists_closest_headlines() -> None:
    text = render_answer(Answer("q", (), (stored(url="https://n.example/a"),), reason="Nothing answers."), HTML)
    check_telegram_html(text)
    assert text.startswith("Nothing answers.") and "Closest headlines" in text and "https://n.example/a" in text


def test_undated_article_says_so() -> None:
    text = render_answer(Answer("q", (Passage(stored(published=None), 0, "t", 1.0),)), PLAIN)
    assert "undated \u00b7 Culture & Arts" in text


def test_full_article_is_split_on_paragraphs_under_the_limit() -> None:
    paragraphs = [f"Paragraph {i} " + "word & <tag> " * 120 for i in range(40)] + ["x" * 9000]
    messages = article_messages(stored(url="https://n.example/a"), paragraphs)
    assert len(messages) > 5
    for message in messages:
        check_telegram_html(message)
        assert visible_length(message) <= TELEGRAM_LIMIT and len(message) <= TELEGRAM_LIMIT
    assert messages[0].startswith("<b>Tom &amp; Jerry")
    assert messages[-1].endswith('<a href="https://n.example/a">Source</a>')
    assert sum(m.count("Paragraph ") for m in messages) == 40


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=3000), min_size=1, max_size=8))
def test_split_message_keeps_every_block_and_the_limit(blocks: list[str]) -> None:
    blocks = [b[:TELEGRAM_LIMIT] for b in blocks]
    messages = split_message(blocks)
    assert all(len(m) <= TELEGRAM_LIMIT for m in messages)
    assert "\n\n".join(messages) == "\n\n".join(blocks)


@pytest.mark.parametrize("text", ["a < b", "AT&T", "\"quoted\" 'single'", "emoji \U0001f600 & <3"])
def test_marked_html_is_valid(text: str) -> None:
    check_telegram_html(mark(text, {"b", "att", "quot", "emoji"}, HTML))
