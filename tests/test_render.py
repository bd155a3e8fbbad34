"""Rendering (bot/render): escaped Telegram HTML, marked words, links, and messages Telegram accepts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analysis import words
from bot.config import MAX_ARTICLE_MESSAGES, MAX_QUESTION_CHARS
from bot.library import LibraryStats
from bot.models import Answer, Passage, StoredArticle
from bot.render import split
from bot.render.answers import answer_json, fit_answer, mark, render_answer, trim
from bot.render.articles import article_messages, mark_of
from bot.render.headlines import categories_blocks, latest_blocks
from bot.render.markup import HTML, MAX_TITLE_CHARS, PLAIN, byline, cap, source_link
from bot.render.split import TELEGRAM_LIMIT, cut_html, fits, message_length, split_message
from bot.render.stats import render_stats, stats_messages
from bot.render.subscriptions import Clock, settings_text, toggle_label, zone_remarked
from bot.render.welcome import (
    LONG_ASKED,
    LONG_READ,
    TELEGRAM,
    asked_alerts,
    asked_in_long,
    asked_switch,
    asked_unsubscribe,
    example_question,
    greeting,
    help_text,
    latest_of,
    live_hint,
    small_talk,
    talk_of,
    topic_of_sign,
    unknown_command,
    without_opening,
)
from bot.retrieval import unused_words
from bot.services.subscriptions import ChatView
from bot.store import ChatSettings, StoreStats
from bot.tg.welcome import COMMANDS, worded
from tests.html_check import check_message_size, check_telegram_html, visible_text


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


def test_a_byline_shows_the_time_only_when_one_was_given() -> None:
    assert byline(stored()) == "1 May 2020, 09:30 \u00b7 Culture & Arts"
    assert byline(stored(published=datetime(2026, 10, 2, tzinfo=UTC))) == "2 Oct 2026 \u00b7 Culture & Arts"
    assert byline(stored(published=None)) == "undated \u00b7 Culture & Arts"


def test_a_byline_shows_the_time_on_the_readers_clocks_and_a_date_as_given() -> None:
    assert byline(stored(), ZoneInfo("Europe/Berlin")) == "1 May 2020, 11:30 \u00b7 Culture & Arts"
    assert byline(stored(), ZoneInfo("America/Los_Angeles")) == "1 May 2020, 02:30 \u00b7 Culture & Arts"
    late = stored(published=datetime(2020, 12, 31, 23, 30, tzinfo=UTC))
    assert byline(late, ZoneInfo("Asia/Tokyo")) == "1 Jan 2021, 08:30 \u00b7 Culture & Arts"
    # A date without a time is that date everywhere, not the evening before west of UTC.
    dated = stored(published=datetime(2026, 10, 2, tzinfo=UTC))
    assert byline(dated, ZoneInfo("America/New_York")) == "2 Oct 2026 \u00b7 Culture & Arts"
    weak = Answer("q", (Passage(late, 0, "t", 1.0),), (late,), confident=False)
    answer = render_answer(weak, PLAIN, zone=ZoneInfo("Asia/Tokyo"))
    assert answer.count("1 Jan 2021, 08:30") == 2  # the passage and the closest headline
    [head, *_] = article_messages(late, ["Text."], ZoneInfo("Asia/Tokyo")).messages
    assert "1 Jan 2021, 08:30" in head


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


def test_weak_passages_say_first_which_words_no_article_uses() -> None:
    reason = "No article uses the word \u201cchelsae\u201d. Did you mean \u201cChelsea\u201d?"
    passage = Passage(stored(), 0, "Gerrard is wanted by Chelsea & others.", 1.0, frozenset({"gerrard"}))
    text = render_answer(Answer("gerrard to chelsae", (passage,), reason=reason, confident=False), HTML)
    check_telegram_html(text)
    assert text.startswith(f"{reason}\nThese passages may help:\n\n<b>Tom &amp; Jerry")
    assert render_answer(Answer("q", (passage,), confident=False), PLAIN).startswith("These passages may help:\n\n")


def test_passages_are_numbered_only_as_a_list() -> None:
    one = Passage(stored(), 0, "The first.", 1.0)
    two = Passage(stored(), 1, "The second.", 0.5)
    # One passage alone (an inline result sent as its own message) is no list.
    assert not render_answer(Answer("q", (one,)), PLAIN).startswith("*1.")
    assert render_answer(Answer("q", (one, two)), PLAIN).splitlines()[2:4] == ["*1.* The first.", "*2.* The second."]
    # A first page of one with more behind the button, and a later page, continue a numbered list.
    assert render_answer(Answer("q", (one,), more=1), PLAIN).splitlines()[2] == "*1.* The first."
    assert render_answer(Answer("q", (two,), offset=1), PLAIN).splitlines()[2] == "*2.* The second."


def test_a_storys_passages_are_shown_under_its_head_once() -> None:
    """Two passages of one story each repeated its title, date, category and link: the story's head is written once,
    its passages under it (a later one wherever it ranks, numbered in the order shown), then its link."""
    story = stored(url="https://n.example/a")
    other = replace(stored(url="https://n.example/b"), id="fedcba9876543210", title="Harbour news")
    first, second = Passage(story, 4, "Profits rose.", 3.0), Passage(story, 0, "Sales grew.", 1.0)
    between = Passage(other, 2, "The harbour opened.", 2.0)
    text = render_answer(Answer("q", (first, between, second), more=2), PLAIN)
    assert text.split("\n\n") == [
        "*Tom & Jerry <live> at \"O'Neill's\"*\n1 May 2020, 09:30 · Culture & Arts\n*1.* Profits rose.\n"
        "*2.* Sales grew.\nSource: https://n.example/a",
        "*Harbour news*\n1 May 2020, 09:30 · Culture & Arts\n*3.* The harbour opened.\nSource: https://n.example/b",
    ]
    # A later page numbers on from its place.
    assert render_answer(Answer("q", (first, second), offset=3), PLAIN).splitlines()[:3] == [
        "*Tom & Jerry <live> at \"O'Neill's\"*",
        "1 May 2020, 09:30 · Culture & Arts",
        "*4.* Profits rose.",
    ]
    alone = render_answer(Answer("q", (first, second)), HTML)
    assert alone.count("Tom &amp; Jerry") == 1 and alone.count("Source") == 1 and "<b>2.</b> Sales" in alone
    check_telegram_html(alone)


def test_nothing_found_lists_closest_headlines() -> None:
    text = render_answer(Answer("q", (), (stored(url="https://n.example/a"),), reason="Nothing answers."), HTML)
    check_telegram_html(text)
    assert text.startswith("Nothing answers.") and "Closest headlines" in text and "https://n.example/a" in text


def test_closest_headlines_as_text_give_the_date_after_the_headline_and_the_link_below() -> None:
    """`newsbot ask` showed "• Headline (https://...) (1 May 2020, 09:30 · Sport)": two asides, the date after the
    link."""
    closest = (stored(url="https://n.example/a"), stored(published=None))
    text = render_answer(Answer("q", (), closest, reason="Nothing answers."), PLAIN, local_path=True)
    assert text.splitlines()[3:] == [
        "• Tom & Jerry <live> at \"O'Neill's\" (1 May 2020, 09:30 · Culture & Arts)",
        "  https://n.example/a",
        "• Tom & Jerry <live> at \"O'Neill's\" (undated · Culture & Arts)",
        "  /tmp/a.txt",
    ]


def test_undated_article_says_so() -> None:
    text = render_answer(Answer("q", (Passage(stored(published=None), 0, "t", 1.0),)), PLAIN)
    assert "undated \u00b7 Culture & Arts" in text


def test_full_article_is_split_on_paragraphs_under_the_limit() -> None:
    paragraphs = [f"Paragraph {i} " + "word & <tag> " * 120 for i in range(40)] + ["x" * 9000]
    # the split, not the cap
    messages = article_messages(stored(url="https://n.example/a"), paragraphs, most=100).messages
    assert len(messages) > 5
    for message in messages:
        check_telegram_html(message)
        check_message_size(message)
    assert messages[0].startswith("<b>Tom &amp; Jerry")
    assert messages[-1].endswith('<a href="https://n.example/a">Source</a>')
    assert sum(m.count("Paragraph ") for m in messages) == 40


def test_a_very_long_article_stops_after_a_few_messages_with_what_is_left_and_its_link() -> None:
    """An article of 80,000 characters went out as 20 messages and more, one after another, flooding the chat (and
    Telegram's limit of messages a chat takes a minute): it stops after MAX_ARTICLE_MESSAGES, saying how many words
    are left and linking the source to read them; one without a link says to ask about the part wanted."""
    paragraphs = [f"Paragraph {i}: " + "the harbour pilots watched the tide come in " * 20 for i in range(90)]
    assert sum(map(len, paragraphs)) > 80_000
    messages, next_start, _ = article_messages(stored(url="https://n.example/a"), paragraphs)
    check_messages(messages)
    assert len(messages) == MAX_ARTICLE_MESSAGES
    shown = " ".join(visible_text(m) for m in messages)
    last = max(i for i in range(90) if f"Paragraph {i}:" in shown)
    assert last < 89 and all(f"Paragraph {i}:" in shown for i in range(last + 1))
    note = messages[-1].rsplit("\n\n", 1)[1]
    words = sum(len(p.split()) for p in paragraphs[last + 1 :])
    said = int(note.split(" more word")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert words <= said < words + len(paragraphs[last].split())  # the rest of the paragraph it stops in, if any
    assert note.endswith('or read the rest at the <a href="https://n.example/a">source</a>.</i>')
    assert "“Read on” sends the next part" in note and next_start == MAX_ARTICLE_MESSAGES
    unlinked = article_messages(stored(url=None), paragraphs).messages
    assert len(unlinked) == MAX_ARTICLE_MESSAGES and "ask me about the part you are looking for" in unlinked[-1]
    short, short_end, _ = article_messages(stored(url="https://n.example/a"), paragraphs[:3])
    assert len(short) == 1 and short[0].endswith("Source</a>") and "goes on" not in short[0] and short_end is None


def test_read_on_finds_its_part_again_in_an_article_changed_since_or_says_it_changed() -> None:
    """ "Read on" counted messages alone: once the story was updated (its feed re-read it with a paragraph added at
    the top), the next part repeated text already read or skipped some, unsaid. The button carries its part's first
    message's mark: the part starts at that message wherever it is now (a change after it moves nothing), and an
    article changed before it, no message of the mark left, is said to end there (the press is told it changed
    since, and that "Full article" sends it as it is now). A button without a mark (sent before) counts messages."""
    paragraphs = [f"Paragraph {i}: " + "the harbour pilots watched the tide come in " * 20 for i in range(90)]
    article = stored(url="https://n.example/a")
    first = article_messages(article, paragraphs)
    assert first.next_start is not None and first.next_mark
    after = article_messages(article, paragraphs, start=first.next_start, mark=first.next_mark)
    cut = [*paragraphs[:80], *paragraphs[81:]]  # a paragraph cut further on
    assert article_messages(article, cut, start=first.next_start, mark=first.next_mark).messages[0] == after.messages[0]
    # A line added above that the first part's messages had room for moves nothing either.
    line = [paragraphs[0], "Update: the harbour master spoke of a record season.", *paragraphs[1:]]
    assert article_messages(article, line, start=first.next_start, mark=first.next_mark) == after
    updated = [paragraphs[0], "Update: " + "the harbour master spoke of a record season " * 20, *paragraphs[1:]]
    counted = article_messages(article, updated, start=first.next_start).messages
    assert visible_text(counted[0]) != visible_text(after.messages[0])  # what an older button shows: text moved
    # Changed before the part, its messages cut elsewhere now: the part starts at the word it started at (it said
    # the article changed, and the reader had to start again from the top), and reads on from there.
    resumed = article_messages(article, updated, start=first.next_start, mark=first.next_mark)
    assert visible_text(resumed.messages[0]).startswith(visible_text(after.messages[0])[:200])
    assert resumed.next_start is not None and resumed.next_mark
    following = article_messages(article, updated, start=resumed.next_start, mark=resumed.next_mark)
    read = " ".join(visible_text(m) for m in [*resumed.messages[:-1], resumed.messages[-1].rsplit("\n\n", 1)[0]])
    whole = " ".join(" ".join(updated).split())
    assert " ".join(f"{read} {visible_text(following.messages[0])}".split()) in whole  # nothing skipped or repeated
    # A button sent before carries its message's whole mark: found as before, where the article did not change.
    whole = article_messages(article, paragraphs, most=100).messages
    assert article_messages(article, paragraphs, start=first.next_start, mark=mark_of(whole[first.next_start])) == after
    changed = [paragraphs[0], *(p.replace("harbour", "river") for p in paragraphs[1:])]
    assert article_messages(article, changed, start=first.next_start, mark=first.next_mark) == ([], None, "")


def test_read_on_sends_each_next_part_until_the_article_ends_with_its_link() -> None:
    """A long article stopped after MAX_ARTICLE_MESSAGES with no way to read on in Telegram: each part now says where
    the next starts ("Read on"), and the parts together are the whole article, the last ending with its link."""
    paragraphs = [f"Paragraph {i}: " + "the harbour pilots watched the tide come in " * 20 for i in range(90)]
    article = stored(url="https://n.example/a")
    whole = article_messages(article, paragraphs, most=100).messages
    read: list[str] = []
    start: int | None = 0
    while start is not None:
        messages, following, _ = article_messages(article, paragraphs, start=start)
        check_messages(messages)
        assert following is None or following == start + MAX_ARTICLE_MESSAGES
        read += messages if following is None else [*messages[:-1], messages[-1].rsplit("\n\n", 1)[0]]
        start = following
    assert read == whole and len(whole) > 2 * MAX_ARTICLE_MESSAGES and read[-1].endswith("Source</a>")
    assert article_messages(article, paragraphs, start=len(whole)) == ([], None, "")  # shorter now than the button says


def test_a_paragraph_too_long_for_a_message_starts_under_the_title() -> None:
    """An article of one long paragraph (a page read whole) sent its title and date alone, 53 characters, and then
    the text: the paragraph, cut anyway, now starts in the title's message, which it fills."""
    paragraph = " ".join(f"word{i}" for i in range(3000))
    messages = article_messages(stored(url="https://n.example/a"), [paragraph, "The end."], most=100).messages  # 7
    assert messages[0].startswith("<b>Tom &amp; Jerry") and "word0 word1" in messages[0]
    assert message_length(visible_text(messages[0])) > TELEGRAM_LIMIT - 20
    for message in messages:
        check_telegram_html(message)
        check_message_size(message)
    shown = " ".join(visible_text(m) for m in messages)
    assert " ".join(shown.split()).count("word2999") == 1 and messages[-1].endswith("Source</a>")


@pytest.mark.parametrize("after", [[" ".join(f"n{i:04d}" for i in range(675))], []], ids=["long next", "last"])
def test_a_long_paragraph_leaves_no_few_words_alone_in_a_message(after: list[str]) -> None:
    """A paragraph a few words longer than a message sent those words alone when the next paragraph was too long
    to join them (or there was none): the paragraph now comes in two even halves, and the next whole."""
    paragraph = " ".join(f"w{i:04d}" for i in range(695))  # 4,169 characters
    messages = split_message([paragraph, *after])
    shown = [message_length(visible_text(m)) for m in messages]
    assert len(messages) == 2 + len(after) and min(shown) > TELEGRAM_LIMIT // 3, shown
    assert abs(shown[0] - shown[1]) < 20 and messages[2:] == after
    assert " ".join(" ".join(m.split()) for m in messages[:2]) == paragraph
    for message in messages:
        check_message_size(message)


# Text as articles may hold it: anything, and the worst case for escaping and counting (`&` grows 5x once
# escaped, an emoji counts twice in Telegram's UTF-16 lengths).
AWKWARD = st.sampled_from([*"&<>\"' \n\t", "a", "b", "\U0001f600", "é", "ß", "\u200b"])


def texts(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """Any text up to `max_size`, often long (hypothesis alone draws mostly short ones): a piece repeated."""
    short = st.one_of(st.text(min_size=min_size, max_size=60), st.text(AWKWARD, min_size=max(min_size, 1), max_size=60))
    repeated = st.builds(lambda piece, times: (piece * times)[:max_size], short.filter(bool), st.integers(1, max_size))
    return st.one_of(short, repeated, st.text(AWKWARD, min_size=min_size, max_size=max_size))


@settings(max_examples=50, deadline=None)
@given(st.lists(texts(3000, min_size=1), min_size=1, max_size=8))
def test_split_message_keeps_every_block_and_the_limit(raw: list[str]) -> None:
    blocks = [b for b in (HTML.escape(r) for r in raw) if b.strip()]
    blocks = [b for b in blocks if fits(b)]
    messages = split_message(blocks)
    for message in messages:
        check_message_size(message)
    assert "\n\n".join(messages) == "\n\n".join(blocks)


def test_blank_blocks_are_left_out() -> None:
    assert split_message(["  ", "a", "\n", "b"]) == ["a\n\nb"]
    assert split_message([" " * 9000]) == []


@settings(max_examples=80, deadline=None)
@given(st.lists(texts(12_000, min_size=1), min_size=1, max_size=4), st.sampled_from(["", "b", "i", "pre"]))
def test_oversized_blocks_are_cut_into_valid_messages_losing_only_white_space(raw: list[str], tag: str) -> None:
    blocks = [f"<{tag}>{HTML.escape(r)}</{tag}>" if tag else HTML.escape(r) for r in raw]
    messages = split_message(blocks)
    for message in messages:
        check_telegram_html(message)
        check_message_size(message)
    shown = "".join("".join(visible_text(m).split()) for m in messages)
    assert shown == "".join("".join(r.split()) for r in raw)


def test_a_cut_never_falls_inside_an_entity_or_a_tag_and_reopens_the_open_tags() -> None:
    block = "<b>" + "&amp;" * 1000 + "</b> " + '<a href="https://n.example/a?x=1&amp;y=2">' + "x " * 1500 + "</a>"
    pieces = cut_html(block, 1000)
    assert len(pieces) > 5
    for piece in pieces:
        check_telegram_html(piece)
        check_message_size(piece, 1000)
    assert pieces[0].startswith("<b>&amp;") and pieces[0].endswith("&amp;</b>")
    assert pieces[-1].startswith('<a href="https://n.example/a?x=1&amp;y=2">x ') and pieces[-1].endswith("</a>")
    assert "".join(visible_text(p) for p in pieces).replace(" ", "") == "&" * 1000 + "x" * 1500


def test_a_cut_falls_between_words_when_it_can() -> None:
    words = " ".join(f"word{i}" for i in range(2000))
    pieces = cut_html(words, 500)
    assert all(p.split()[-1].startswith("word") and p.split()[0].startswith("word") for p in pieces)
    assert " ".join(" ".join(p.split()) for p in pieces) == words


def test_a_message_is_as_long_as_telegram_counts_its_text_not_its_links() -> None:
    """Telegram counts 4096 of the text a message shows, after its tags are parsed: `/latest 30` of stories with
    links as real sites write them (text 3,400, HTML 6,600) came in two messages, cut at the HTML's 4096."""
    stories = [
        replace(
            stored(url=f"https://www.example-news.co.uk/news/world/europe-{i}?utm_source=rss&utm_medium=feed"),
            title=f"Ministers agree on the next steps for the regional rail network, story {i}",
        )
        for i in range(30)
    ]
    [message] = split_message(latest_blocks(stories, None, "news_bot"))
    check_message_size(message)
    assert visible_text(message).count("Ministers agree") == 30 and len(message) > TELEGRAM_LIMIT


def test_a_message_keeps_at_most_a_hundred_entities() -> None:
    """Telegram drops the formatting of every entity after the 100th: 150 short bold lines fit 4096 either way."""
    messages = split_message([f"<b>{i}</b>" for i in range(150)])
    assert len(messages) == 2
    for message in messages:
        check_message_size(message)
    marked = "".join(f"<b>w{i}</b> " for i in range(250))
    pieces = cut_html(marked)
    assert len(pieces) == 3 and all(check_message_size(p) is None for p in pieces)
    assert " ".join(visible_text(p).strip() for p in pieces) == " ".join(f"w{i}" for i in range(250))


def test_a_block_that_shows_nothing_is_no_message() -> None:
    """Telegram refuses a message whose text is empty once its tags are parsed, as it refuses a blank one."""
    assert split_message(["<b></b>", "<i> </i>", "&#32;"]) == []
    assert split_message(["<b> </b>", "a"]) == ["a"]
    assert cut_html("<b>" + " " * 5000 + "</b>") == []


def test_telegram_counts_emoji_twice() -> None:
    pieces = split_message(["\U0001f600" * 3000])
    assert [message_length(p) for p in pieces] == [4096, 6000 - 4096]


def test_a_long_run_of_emoji_is_cut_measuring_each_piece_a_few_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of text with no space to cut at was cut one character shorter at a time until it fitted: some 2,000
    measures of 4,096 characters per message of emoji, 0.17 s of CPU for 40,000 of them (a long article of emoji,
    or a pasted wall of them), where plain text took none: the characters measured grew with the square of the
    limit. Each cut now measures a few times, and fills its message to the unit, an emoji never halved."""
    measured: list[int] = []

    def counted(text: str) -> int:
        measured.append(len(text))
        return message_length(text)

    monkeypatch.setattr(split, "message_length", counted)
    for text in ("\U0001f600" * 40_000, "a" + "\U0001f600" * 40_000, ("ab\U0001f600" * 20_000)):
        measured.clear()
        pieces = split_message([text])
        assert "".join(pieces) == text and all(
            message_length(p) in (TELEGRAM_LIMIT - 1, TELEGRAM_LIMIT) for p in pieces[:-1]
        )
        assert sum(measured) < 50 * len(text), sum(measured) / len(text)  # was some 2,000 times the text


@pytest.mark.parametrize("text", ["a < b", "AT&T", "\"quoted\" 'single'", "emoji \U0001f600 & <3"])
def test_marked_html_is_valid(text: str) -> None:
    check_telegram_html(mark(text, {"b", "att", "quot", "emoji"}, HTML))


# ---- no message of any kind exceeds Telegram's limit or breaks its HTML (defect 10 of issue 7) -------------

# The longest a reason gets: four words of a question at its longest that no article uses, one of them respelt.
LONGEST_UNUSED = unused_words([letter * (MAX_QUESTION_CHARS // 4 - 1) for letter in "abcd"], {"a" * 249: "Arsenal"})
REASONS = ["Nothing in the articles answers that.", "Nothing in the articles answers that." + LONGEST_UNUSED, ""]


def check_messages(messages: Sequence[str]) -> None:
    """Each message is one Telegram accepts: valid HTML, not blank, within the limit however it is counted."""
    for message in messages:
        check_telegram_html(message)
        check_message_size(message)


def articles() -> st.SearchStrategy[StoredArticle]:
    return st.builds(
        StoredArticle,
        id=st.text("0123456789abcdef", min_size=16, max_size=16),
        title=texts(3000, min_size=1),
        category=texts(3000),
        published=st.none() | st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
        url=st.none() | st.just("https://n.example/a?x=1&y=<2>") | texts(3000).map(lambda t: "https://n.example/" + t),
        author=st.none() | texts(3000),
        origin=st.none(),
        paragraph_count=st.just(1),
    )


@st.composite
def passages(draw: st.DrawFn) -> Passage:
    text = draw(texts(8000, min_size=1))
    terms = [term for _, _, term in words(text)]
    matched = frozenset(draw(st.lists(st.sampled_from(terms), max_size=50))) if terms else frozenset()
    return Passage(draw(articles()), draw(st.integers(0, 99)), text, 1.0, matched)


answers = st.one_of(
    st.builds(
        Answer,
        question=st.just("q"),
        passages=st.lists(passages(), min_size=1, max_size=4).map(tuple),
        closest=st.lists(articles(), max_size=3).map(tuple),
        more=st.integers(0, 20),
        offset=st.integers(0, 17),
        confident=st.booleans(),
        reason=st.sampled_from(["", LONGEST_UNUSED.strip()]),
    ),
    st.builds(
        Answer,
        question=st.just("q"),
        passages=st.just(()),
        closest=st.lists(articles(), max_size=3).map(tuple),
        reason=st.sampled_from(REASONS),
    ),
)
USERNAMES = st.sampled_from(["", "news_bot"])


@settings(max_examples=150, deadline=None)
@given(answers, USERNAMES)
def test_every_answer_is_one_valid_message_that_keeps_the_rest_behind_more(answer: Answer, username: str) -> None:
    shown, text = fit_answer(answer, username)
    check_messages([text])
    assert text == render_answer(shown, HTML, username) or len(shown.passages) == 1
    assert len(shown.passages) + shown.more == len(answer.passages) + answer.more
    assert (len(shown.passages) >= 1) == answer.found


@settings(max_examples=100, deadline=None)
@given(articles(), st.lists(texts(20_000), max_size=6))
def test_every_full_article_is_valid_messages_that_lose_no_word(article: StoredArticle, paragraphs: list[str]) -> None:
    """Every word, up to MAX_ARTICLE_MESSAGES messages; a longer article stops there, saying how many words are left."""
    whole = article_messages(article, paragraphs, most=100).messages
    messages = article_messages(article, paragraphs).messages
    check_messages(whole)
    check_messages(messages)
    if len(whole) <= MAX_ARTICLE_MESSAGES:
        assert messages == whole
        shown = "".join("".join(visible_text(m).split()) for m in messages)
        assert "".join("".join(p.split()) for p in paragraphs) in shown
        return
    assert messages[: MAX_ARTICLE_MESSAGES - 1] == whole[: MAX_ARTICLE_MESSAGES - 1]
    assert len(messages) <= MAX_ARTICLE_MESSAGES + 1
    assert messages[MAX_ARTICLE_MESSAGES - 1].startswith(whole[MAX_ARTICLE_MESSAGES - 1])
    assert "the article goes on for " in visible_text(messages[-1])  # the count: the test above


categories = st.lists(st.tuples(texts(300), st.integers(0, 10**6)), max_size=300)


@settings(max_examples=100, deadline=None)
@given(st.lists(articles(), min_size=1, max_size=10), st.none() | texts(300), categories, st.booleans())
def test_every_headline_list_is_valid_messages(
    latest: list[StoredArticle], category: str | None, known: list[tuple[str, int]], capped: bool
) -> None:
    check_messages(split_message(latest_blocks(latest, category, "news_bot", capped)))
    check_messages(split_message(categories_blocks(known)))


def test_the_categories_are_listed_one_a_line_in_as_few_messages_as_hold_them() -> None:
    """/categories showed a blank line between every two categories (each was a block of its own, and blocks are
    paragraphs); a list too long for one message goes on in the next, between two lines."""
    [message] = split_message(categories_blocks((("Sport", 2), ("Arts", 1))))
    assert visible_text(message) == "Categories\n• Sport: 2 articles\n• Arts: 1 article"
    known = [(f"Category {n:03d} of the harbour town's news", n + 2) for n in range(300)]
    messages = split_message(categories_blocks(known))
    check_messages(messages)
    assert len(messages) > 1
    lines = [line for message in messages for line in visible_text(message).split("\n")]
    assert lines == ["Categories", *(f"• {name}: {n} articles" for name, n in known)]


def test_articles_of_no_category_are_listed_last_in_one_wording() -> None:
    """A plain text file gives its article no category: sorted by its empty name it stood first among its equals, as
    one more category ("Sport: 2, (no category): 1, Arts: 1"), and `newsbot stats` called it "(none)"."""
    known = (("Sport", 2), ("", 1), ("Arts", 1))
    listed = [line for block in categories_blocks(known) for line in visible_text(block).splitlines()]
    assert listed == ["Categories", "• Sport: 2 articles", "• Arts: 1 article", "• (no category): 1 article"]
    table = render_stats(LibraryStats(StoreStats(4, 12, known, None, None, 4), "tantivy", 12, 0))
    assert table.endswith("\ncategories:\n  Sport: 2\n  Arts: 1\n  (no category): 1")


def test_categories_filed_in_either_case_are_shown_alike_in_every_list() -> None:
    """The BBC files its stories under "sport" and "business", the shipped one under "News": /start, /categories
    and the /subscribe buttons showed "News" capitalised among lower-case names."""
    known = (("sport", 3), ("business", 2), ("News", 1))
    [greeted] = greeting(StoreStats(6, 18, known, None, None, 6), ["Who won?"])
    assert "3 categories (Sport, Business, News)" in visible_text(greeted)
    listed = [line for block in categories_blocks(known) for line in visible_text(block).splitlines()]
    assert listed == ["Categories", "• Sport: 3 articles", "• Business: 2 articles", "• News: 1 article"]
    assert [toggle_label(name, False) for name, _ in known] == ["▫️ Sport", "▫️ Business", "▫️ News"]


def test_stats_of_an_empty_library_say_it_has_no_categories() -> None:
    table = render_stats(LibraryStats(StoreStats(0, 0, (), None, None), "tantivy", 0, 0))
    assert table.endswith("\ncategories: none")


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "nothing on disk"), (512, "512 bytes on disk"), (39_400, "39 kB on disk"), (1_234_567, "1.2 MB on disk")],
)
def test_stats_give_a_small_index_its_size_not_nought_mb(size: int, shown: str) -> None:
    """A new library's 39 kB index was "0.0 MB on disk", as if it were empty; rank-bm25's, in memory, was too."""
    table = render_stats(LibraryStats(StoreStats(1, 3, (("Sport", 1),), None, None, 1), "tantivy", 3, size))
    assert f"engine:     tantivy (3 paragraphs indexed, {shown})\n" in table


store_stats = st.builds(
    StoreStats,
    articles=st.integers(0, 10**7),
    paragraphs=st.integers(0, 10**8),
    categories=categories.map(tuple),
    first_published=st.none() | st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
    last_published=st.none() | st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
    undated=st.integers(0, 10**7),
)


@settings(max_examples=100, deadline=None)
@given(store_stats, st.lists(articles(), max_size=3), texts(5000))
def test_every_stats_greeting_and_help_message_is_valid(
    stats: StoreStats, examples: list[StoredArticle], command: str
) -> None:
    check_messages(stats_messages(LibraryStats(stats, "tantivy", stats.paragraphs, 10**9)))
    questions = [example_question(a) for a in examples]
    assert all(len(q) <= MAX_QUESTION_CHARS for q in questions)
    check_messages(greeting(stats, questions))
    check_messages([help_text(worded(COMMANDS, "")), unknown_command("/" + command)])


def test_an_example_question_quotes_its_headline() -> None:
    question = example_question(stored("India's rupee hits five-year high!"))
    assert question == "What do we know about “India's rupee hits five-year high”?"


def test_help_shows_a_question_to_try() -> None:
    """/help listed twelve commands and no question a newcomer could try."""
    shown = help_text(worded(COMMANDS, ""), "newsbot", example="What do we know about “Tom & Jerry”?")
    assert "\nFor example: What do we know about “Tom &amp; Jerry”?\n" in shown
    check_messages([shown])
    assert "For example" not in help_text(worded(COMMANDS, ""), "newsbot")  # the store out of reach


@pytest.mark.parametrize(
    ("text", "topic"), [("⚽", "sport"), ("⚽⚽!", "sport"), ("🌧️", "weather"), ("⚽🌧", None), ("😢", None), ("", None)]
)
def test_a_topic_s_sign_alone_asks_for_its_news(text: str, topic: str | None) -> None:
    assert topic_of_sign(text) == topic
    assert talk_of(text) == (None, topic or text)


def test_a_long_message_is_asked_its_last_question_or_its_first_part() -> None:
    """A message of 1,597 characters was refused ("please ask in at most 1,000"): a reader who pasted a long message
    expects it read, its question found."""
    background = "My sister lives on the island and tells me something new each time we speak. " * 15
    asked = f"{background}So my question is simple: why were the ferries cancelled? Thanks, sorry it is long."
    assert len(asked) > MAX_QUESTION_CHARS
    question = "why were the ferries cancelled?"
    assert asked_in_long(asked) == (question, LONG_ASKED.format(question=question))
    # With none asked, its first part, cut between words.
    first, note = asked_in_long(background * 2)
    assert len(first) <= MAX_QUESTION_CHARS and background.startswith(first[:200]) and not first.endswith(" ")
    assert (
        note
        == LONG_READ.format(limit=MAX_QUESTION_CHARS)
        == "That is a long message, so I searched its first 1,000 characters."
    )
    # A question within the limit is itself.
    assert asked_in_long(question) == (question, "")


def test_help_names_the_bot_for_inline_mode_and_says_my_username_when_it_is_unknown() -> None:
    assert "Inline: type @newsbot and a question" in help_text(worded(COMMANDS, ""), "newsbot")
    assert "Inline: type my @username and a question" in help_text(worded(COMMANDS, ""))
    # In a group, who changes its settings: a member read "/subscribe — choose categories ..." and met a refusal.
    grouped = help_text(worded(COMMANDS, "group"), "newsbot", "group")
    assert "\nAnyone may read this group's digest and settings; only its admins may change them.\n" in grouped
    assert "only its admins" not in help_text(worded(COMMANDS, ""), "newsbot")


# ---- titles, dates ---------------------------------------------------------------------------------------


def test_titles_are_capped_at_a_word_with_an_ellipsis() -> None:
    title = "Budget " * 100
    text = render_answer(Answer("q", (Passage(stored(title=title), 0, "t", 1.0),)), PLAIN)
    first = text.splitlines()[0]
    assert first.startswith("*Budget Budget") and first.endswith("Budget…*")
    assert len(first) <= MAX_TITLE_CHARS + len("**")
    assert cap("Chess Prodigy Wins National Title at Twelve", 40) == "Chess Prodigy Wins National Title at…"
    assert cap("short\n title", 40) == "short title"


def dated(count: int, undated: int, last: datetime = datetime(2023, 11, 15, tzinfo=UTC)) -> StoreStats:
    first = datetime(2023, 5, 12, tzinfo=UTC)
    return StoreStats(
        count,
        count * 3,
        (("Sport", count),),
        first if count > undated else None,
        last if count > undated else None,
        undated,
    )


@pytest.mark.parametrize(
    ("count", "undated", "greeted", "listed"),
    [
        (5, 0, ", from 12 May 2023 to 15 Nov 2023.", "12 May 2023 to 15 Nov 2023"),
        (5, 1, ", from 12 May 2023 to 15 Nov 2023 (1 undated).", "12 May 2023 to 15 Nov 2023 (1 of 5 undated)"),
        (2128, 2127, ", 2,127 of them undated.", "12 May 2023 to 15 Nov 2023 (2,127 of 2,128 undated)"),
        (4, 4, ", none of them dated.", "none (4 of 4 undated)"),
    ],
)
def test_undated_articles_are_counted_not_hidden_behind_a_date_range(
    count: int, undated: int, greeted: str, listed: str
) -> None:
    stats = dated(count, undated)
    [greeting_text] = greeting(stats, [])
    assert visible_text(greeting_text).splitlines()[0].endswith(greeted)
    assert f"dates:      {listed}\n" in render_stats(LibraryStats(stats, "tantivy", 0, 0))


def test_stats_write_a_date_as_the_greeting_does() -> None:
    """`newsbot stats` said "07 Mar 2013 to 03 Dec 2026" where the greeting and every answer say "7 Mar 2013"."""
    stats = StoreStats(2, 6, (("Sport", 2),), datetime(2013, 3, 7, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC))
    [greeting_text] = greeting(stats, [])
    assert visible_text(greeting_text).splitlines()[0].endswith(", from 7 Mar 2013 to 3 Dec 2026.")
    assert "dates:      7 Mar 2013 to 3 Dec 2026\n" in render_stats(LibraryStats(stats, "tantivy", 0, 0))


def test_articles_of_one_day_are_dated_by_that_day_not_a_range() -> None:
    stats = dated(3, 0, last=datetime(2023, 5, 12, 18, tzinfo=UTC))
    [greeting_text] = greeting(stats, [])
    assert visible_text(greeting_text).splitlines()[0].endswith(", published 12 May 2023.")
    assert "dates:      12 May 2023\n" in render_stats(LibraryStats(stats, "tantivy", 0, 0))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Hi!", "greeting"),
        ("hello there \U0001f44b", "greeting"),
        ("hi bot, thanks so much", "greeting"),
        ("Thanks!!", "acknowledgement"),
        ("ok thanks", "acknowledgement"),
        # A thumbs-up or a heart alone: "That has no words to search for."
        ("👍", "acknowledgement"),
        ("🙏🏽", "acknowledgement"),
        ("❤️", "acknowledgement"),
        ("👍👍", "acknowledgement"),
        # Other smiles, and with "!" or ".": "That has no words to search for", where "🙂" alone was thanks.
        ("🙂🙂!", "acknowledgement"),
        ("😁", "acknowledgement"),
        ("😀😀", "acknowledgement"),
        ("👍👍.", "acknowledgement"),
        ("!!!", None),
        ("😢", None),
        ("thank you for the news", "acknowledgement"),
        # Praise or laughter: searched, "Nothing in the articles answers that" over three random headlines.
        ("thank you so much, that was helpful!", "acknowledgement"),
        # Laughter, a nod and a goodbye each in its kind: "lol" and "ok" got "Glad to help".
        ("lol", "laughter"),
        ("hahah", "laughter"),
        ("thank u", "acknowledgement"),
        ("okie", "okay"),
        ("👋", "greeting"),
        ("haha!", "laughter"),
        ("😂😂", "laughter"),
        ("ok", "okay"),
        ("Ok.", "okay"),
        ("got it", "okay"),
        ("👌", "okay"),
        ("bye!", "farewell"),
        ("haha ok bye", "farewell"),
        ("ok thanks, bye", "acknowledgement"),
        ("later news", None),
        ("is it right to strike", None),
        # "?" alone, or "hmm": a reader unsure what to type, shown the greeting's examples ("That has no words ...").
        ("?", "greeting"),
        ("??!", "greeting"),
        ("hmm", "greeting"),
        ("Interesting, good to know", "acknowledgement"),
        ("was the ferry helpful to islanders", None),
        ("interesting facts about apples", None),
        ("great, thanks again", "acknowledgement"),
        ("hello? anyone there?", "greeting"),
        ("hi, are you there?", "greeting"),
        # "what's up" was refused as only common words.
        ("What's up?", "greeting"),
        ("how are you?", "greeting"),
        # A greeting before a command's words, without a comma: searched, "no article uses the word yo".
        ("yo what's new", "latest"),
        ("hi what can you do", "help"),
        ("hello who made you", "about"),
        ("hi sport news about the cup", None),
        # Questions and searches that only begin or end like small talk.
        ("hi, who is the chess champion?", None),
        ("hi-tech exports", None),
        ("Hello Kitty sales", None),
        ("ok so what about NATO", None),
        ("", None),
        # A command's words typed as a message.
        ("help", "help"),
        ("Help!", "help"),
        ("what can you do?", "help"),
        # Questions about the bot itself got the list of commands, "who made you?" a search for "made".
        ("Who are you?", "about"),
        ("who r u", "about"),
        ("who made you?", "about"),
        ("Are you a bot?", "about"),
        ("who made the iPhone?", None),
        ("who are the candidates", None),
        # A first message to see whether it works: searched, "test" said no article uses the word.
        ("test", "test"),
        ("Testing 1 2 3", "test"),
        ("is this working?", "test"),
        ("test results of the new drug", None),
        ("is this working for the council", None),
        ("what is this bot?", "help"),
        ("who are you voting for", None),
        ("what is this year's budget?", None),
        ("the news", "latest"),
        ("What's new today?", "latest"),
        ("show me the latest headlines please", "latest"),
        # Searched, these said that no article uses "happened" or "yesterday" ("latest" or "news").
        ("What happened yesterday?", "latest"),
        ("what is the latest news", "latest"),
        ("Breaking news?", "latest"),
        ("any breaking news", "latest"),
        ("breaking news on the ferry", None),
        # A reader with nothing in mind: declined, "No article uses the word “interesting”".
        ("Anything interesting?", "latest"),
        ("tell me something", "latest"),
        ("show me something interesting", "latest"),
        ("surprise me!", "latest"),
        ("what should I read?", "latest"),
        ("tell me something about the ferry", None),
        ("anything interesting about the ferry?", None),
        ("whats the latest?", "latest"),
        ("news from today", "latest"),
        # Searched, "what happened last week?" was declined: no passage answered "last" and "week".
        ("What happened last week?", "latest"),
        ("this week's news", "latest"),
        ("news from the past few days", "latest"),
        ("what happened last night", "latest"),
        ("what happened at the ferry last week?", None),
        ("last week", None),
        ("what happened to the ferry?", None),
        ("what is the latest on the ferry", None),
        ("news about the ferry", None),
        ("help with heating bills", None),
        ("what is new in tech", None),
        ("Tell me more", "more"),
        ("more please!", "more"),
        ("What else?", "more"),
        ("tell me more about the ferry", None),
        ("more strikes planned?", None),
        # What there is to follow: searched, "what categories are there?" found the Oscars' categories.
        ("What categories are there?", "categories"),
        ("what topics do you cover?", "categories"),
        ("which category won the oscar?", None),
        # The reader's clock: searched, three random headlines under "Nothing in the articles answers that".
        ("What time is it?", "clock"),
        ("what's today's date?", "clock"),
        ("what time did the strike end?", None),
        # Their counts: "Nothing in the articles answers that".
        ("How many articles do you have?", "holdings"),
        ("how many articles mention the harbor?", None),
        # A change to what the chat gets, in its commands' words: searched, "No article uses “subscribe” or “sport”".
        ("subscribe me to sport", "subscriptions"),
        ("Unsubscribe from sport please", "subscriptions"),
        ("stop the digest", "subscriptions"),
        ("turn off alerts", "subscriptions"),
        # The verbs that turn the digest or alerts off or on are one list: "disable" was a switch, yet not small talk.
        ("disable my subscriptions", "subscriptions"),
        ("enable notifications", "subscriptions"),
        # A new reader's one word for it: searched, stories of cancelled contracts and resumed talks.
        ("Cancel", "subscriptions"),
        ("resume", "subscriptions"),
        ("cancel the deal", None),
        ("set the time", "subscriptions"),
        # What the chat gets now, which /mysubs shows.
        ("What's my timezone?", "settings"),
        ("which time zone am I in?", "settings"),
        ("what time is my digest?", "settings"),
        ("my settings", "settings"),
        ("Which categories do I follow?", "settings"),
        # The digest so far, which /digest shows: "show me my digest" was searched.
        ("show me my digest", "digest"),
        ("what's in my digest?", "digest"),
        ("what is in the evening digest?", None),
        ("what time zone is Berlin in?", None),
        ("why did the union stop the strike?", None),
        ("who subscribes to the paper?", None),
        ("stop the flood", None),
        # Thanks and greetings in a reader's own language: searched, "Danke!" was told no article uses "Danke".
        ("Danke schön!", "acknowledgement"),
        ("merci beaucoup", "acknowledgement"),
        ("Спасибо", "acknowledgement"),
        ("Привет!", "greeting"),
        ("guten tag", "greeting"),
        ("merci for the ferry fares", None),
    ],
)
def test_small_talk_is_told_from_questions(text: str, kind: str | None) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize(
    ("question", "lacked"),
    [
        ("what's the weather like tomorrow", "weather forecasts"),
        ("Will it rain today?", "weather forecasts"),
        ("is it going to snow this weekend", "weather forecasts"),
        ("What\u2019s the score in the Arsenal game?", "live scores"),
        ("who is winning", "live scores"),
        ("apple share price now", "live prices or exchange rates"),
        ("euro exchange rate", "live prices or exchange rates"),
        # The news: what was, or a forecast of no weather.
        ("what was the score in the final?", ""),
        ("how much rain fell in the storm?", ""),
        ("what is the growth forecast for next year?", ""),
        ("what was the weather like for the marathon", ""),
        ("dinar dollar exchange rate in october", ""),
        ("how much is the cold weather payment", ""),
        ("who won the chess title?", ""),
    ],
)
def test_an_everyday_ask_no_news_serves_is_told_what_the_bot_lacks(question: str, lacked: str) -> None:
    """A forecast, a live score or a price now, declined in a library of no such story, was told only that no
    article uses "weather" or "tomorrow" (ux74, ux75)."""
    assert live_hint(question) == (f"I answer from news articles only: I have no {lacked}." if lacked else "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stop the digest", ("digest", False)),
        ("Turn the daily digest off please", ("digest", False)),
        ("stop sending me the digest", ("digest", False)),
        ("start the digest", ("digest", True)),
        ("turn off alerts", ("alerts", False)),
        ("turn on my news alerts", ("alerts", True)),
        ("mute notifications", ("alerts", False)),
        ("stop", None),
        ("why did the union stop the strike?", None),
        ("stop the alerts about sport", None),
        # Searched: the reader's own words for /alerts off.
        ("no more alerts please", ("alerts", False)),
        ("I don't want alerts anymore", ("alerts", False)),
        ("turn alerts off for now", ("alerts", False)),
        ("stop all notifications", ("alerts", False)),
        ("no more war", None),
    ],
)
def test_a_request_to_turn_the_digest_or_alerts_on_or_off_is_read(text: str, expected: tuple[str, bool] | None) -> None:
    """ "stop the digest" got the line on every subscription command: the reader had to type /digest off too."""
    assert asked_switch(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("unsubscribe from sport", ["sport"]),
        ("Please unsubscribe me from sport and tech news", ["sport", "tech"]),
        ("stop following business", ["business"]),
        ("unsubscribe me from everything", ["all"]),
        ("unsubscribe from the news", ["news"]),
        # Searched: the reader's own words for /unsubscribe.
        ("stop sending me sport news", ["sport"]),
        ("no more sport news", ["sport"]),
        ("stop sport", ["sport"]),
        ("stop the news", None),  # everything: the commands that stop it, not a category called News
        ("stop sending news", None),
        ("unsubscribe", None),  # asked how: small talk
        ("who unsubscribed from the paper?", None),
    ],
)
def test_a_request_to_stop_following_categories_gives_their_words(text: str, words: list[str] | None) -> None:
    """ "unsubscribe from sport" got the line on every subscription command: the reader had to type it again."""
    assert asked_unsubscribe(text) == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("I want alerts for tech", ["tech"]),
        ("alert me about sport news", ["sport"]),
        ("notify me of new business stories", ["business"]),
        ("turn on alerts for sport and tech please", ["sport", "tech"]),
        ("tell me about sport", None),  # its headlines
        ("alerts", None),  # asked how: small talk
        ("what alerts did the met office issue?", None),
    ],
)
def test_a_request_for_alerts_of_categories_gives_their_words(text: str, words: list[str] | None) -> None:
    """ "I want alerts for tech" was searched: the reader had to find /subscribe tech and /alerts on."""
    assert asked_alerts(text) == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sport news", "sport"),
        ("What's new in sport?", "sport"),
        ("latest tech headlines please", "tech"),
        ("news about Yukos", "yukos"),
        # "tell me about health" said no article uses "health" though a Health category held a hospital's story.
        ("Tell me about health", "health"),
        ("what about the weather?", "weather"),
        ("anything on formula 1?", "formula 1"),
        ("who won the cup", None),
        ("what happened to the ferry?", None),
        ("what happened in the courts last week?", "courts"),
        ("what's happening in sport", "sport"),
        ("anything going on at the council?", "council"),
        ("what happened at the town hall", "town hall"),
        # A turn to another subject after an answer (ux75): "and in sport?" was searched, "No article uses “sport”".
        ("and in sport?", "sport"),
        ("and business", "business"),
        ("and", None),
    ],
)
def test_the_words_a_message_asks_the_latest_headlines_of(text: str, words: str | None) -> None:
    assert latest_of(text) == words


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("hi, what's the latest on Yukos?", "what's the latest on Yukos?"),
        ("Hello there! Who won?", "Who won?"),
        ("Hello? Who won the cup?", "Who won the cup?"),
        ("Thanks, and what about Google?", "and what about Google?"),
        ("hey bot: who won", "who won"),
        # Not set off by punctuation: maybe a name, so searched as typed.
        ("Hello Kitty sales", "Hello Kitty sales"),
        ("Nice attack", "Nice attack"),
        ("hi-tech exports", "hi-tech exports"),
        ("who said hi, then left?", "who said hi, then left?"),
        # A polite frame around the question: "tell" and "know" were searched, and an answer without them was weak.
        ("Can you tell me who resigned?", "who resigned?"),
        ("could you please tell me, what did Okafor cost", "what did Okafor cost"),
        ("Hi! Do you know when the ferry sails?", "when the ferry sails?"),
        ("I'd like to know why schools closed", "why schools closed"),
        ("tell me how the storm ended", "how the storm ended"),
        # Asking for the story, which the search reads as such; and no question after the frame.
        ("tell me about the ferry", "tell me about the ferry"),
        ("can you tell me more", "can you tell me more"),
        ("do you know Liv Aronsen?", "do you know Liv Aronsen?"),
    ],
)
def test_a_greeting_or_thanks_opening_a_question_is_not_searched(text: str, question: str) -> None:
    assert without_opening(text) == question


def test_mysubs_names_the_time_zone_while_the_digest_is_off() -> None:
    """Stories' times are shown in the chat's zone: with the digest off, whose line names it, /mysubs never said it."""
    off = ChatView(1, ChatSettings(1, time(8), "Asia/Tokyo", digest=False), True, (), ())
    shown = settings_text(off, Clock("UTC+09:00", None), group="", may_change=True)
    assert "Daily digest: off (/digest on to get one).\nTime zone: Asia/Tokyo (UTC+09:00 now).\n" in shown
    offset = ChatView(1, ChatSettings(1, time(8), "UTC-05:00", digest=False), True, (), ())
    assert "\nTime zone: UTC-05:00.\n" in settings_text(offset, Clock("UTC-05:00", None), group="", may_change=True)
    on = ChatView(1, ChatSettings(1, time(8), "Asia/Tokyo"), True, (), ())
    assert "Time zone:" not in settings_text(
        on, Clock("UTC+09:00", None), group="", may_change=True
    )  # the schedule names it


def test_a_decline_within_a_category_or_dates_is_said_to_be_limited_where_it_is_rendered() -> None:
    """Retrieval put "(The search was limited by category or date.)" into a decline's reason, and `newsbot ask` cut
    it out again when its note said what the limits kept out. The decline carries a flag instead, worded where an
    answer is rendered, in Telegram, the terminal and JSON alike; the CLI turns it off."""
    declined = Answer("offshore wind farm", (), reason="Nothing in the articles answers that.", limited=True)
    said = "Nothing in the articles answers that. (The search was limited by category or date.)"
    assert render_answer(declined, HTML) == render_answer(declined, PLAIN) == said
    assert answer_json(declined)["reason"] == said
    unlimited = replace(declined, limited=False)
    assert render_answer(unlimited, PLAIN) == answer_json(unlimited)["reason"] == said.split(" (")[0]


def test_a_member_saying_they_live_where_the_group_s_clock_is_is_told_it_is_that_already() -> None:
    """A member's "I live in Berlin" in a group on Berlin's clock was told "its admins choose it (/timezone
    Berlin)", as if the group's were another."""
    berlin = ChatView(-5, ChatSettings(-5, time(8), "Europe/Berlin"), True, (), ())
    clock = Clock("UTC+01:00", None)
    assert zone_remarked(berlin, clock, "group", "Berlin", "Europe/Berlin") == (
        "This group's time zone is Europe/Berlin (UTC+01:00 now) already, and its admins choose it. In a private chat"
        " with me, /timezone Berlin sets your own."
    )
    assert zone_remarked(berlin, clock, "group", "Tokyo", "Asia/Tokyo") == (
        "This group's time zone is Europe/Berlin (UTC+01:00 now): its admins choose it (/timezone Tokyo). In a private"
        " chat with me, /timezone Tokyo sets your own."
    )


def test_a_group_s_greeting_says_whose_choice_its_digest_is() -> None:
    """A group's /start ended "/subscribe brings a daily digest of the categories you choose", and a member's
    /subscribe then met "Only this group's admins can change ...". A private chat's is as it was."""
    stats = StoreStats(2, 6, (("Sport", 2),), None, None, 2)
    [in_group] = greeting(stats, ["Who won?"], in_group=True)
    assert visible_text(in_group).endswith(
        "\n/subscribe brings this group a daily digest of the categories its admins choose; /help lists every command."
    )
    [private] = greeting(stats, ["Who won?"])
    assert visible_text(private).endswith(f"\n{TELEGRAM.closing}")


def test_a_request_for_a_day_s_news_is_the_latest_for_every_front_end() -> None:
    """ "What happened on 14 November?" was read as a request for the latest news by the bot alone (`newsbot ask`
    searched it): `talk_of`, which both read, says so."""
    assert talk_of("Hi! What happened on 15 November 2023?") == ("latest", "What happened on 15 November 2023?")
    assert talk_of("what did the council decide on Monday?") == (None, "what did the council decide on Monday?")


def test_a_turn_to_a_day_asks_for_its_stories_and_an_and_alone_for_more() -> None:
    """ "and yesterday?" was "tell me more" (its day read as filler, its "and" as asking on), where "what about
    yesterday?" listed the day's stories: a turn to a day asks for them, before small talk reads it."""
    assert talk_of("and yesterday?") == ("latest", "and yesterday?")
    assert talk_of("Thanks! And last week?") == ("latest", "And last week?")
    assert talk_of("and?") == ("more", "and?")
    assert talk_of("and then") == ("more", "and then")
