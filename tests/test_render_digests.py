"""Digest rendering: Telegram HTML that parses, links, dates, ledes, "and N more", and messages split between
stories under 4096 characters whatever the stories hold (a hypothesis property)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import MAX_LATEST_COUNT
from bot.models import Digest, DigestSection, Headline, Rest, StoredArticle
from bot.render.digests import (
    NOTHING_NEW,
    NOTHING_NEW_AT_ALL,
    PREVIEW_HEADING,
    TELEGRAM_LIMIT,
    more_line,
    render_alert,
    render_digest,
    render_story,
    split,
)
from bot.render.headlines import latest_lines
from bot.render.markup import MAX_TITLE_CHARS, byline
from bot.render.split import with_note
from tests.html_check import check_message_size, check_telegram_html, visible_text

WHEN = datetime(2026, 3, 27, 6, 30, tzinfo=UTC)


def headline(
    title: str,
    category: str = "sport",
    url: str | None = None,
    lede: str = "",
    published: datetime | None = WHEN,
    origin: str | None = None,
) -> Headline:
    article = StoredArticle(
        id=f"{abs(hash((title, category))) % 16**16:016x}",
        title=title,
        category=category,
        published=published,
        url=url,
        author=None,
        origin=origin,
        paragraph_count=1,
        added_at=WHEN,
    )
    return Headline(article, lede)


def digest(*sections: DigestSection) -> Digest:
    return Digest(WHEN - timedelta(days=1), WHEN, (), sections)


def test_a_story_is_linked_dated_and_has_a_one_line_lede() -> None:
    text = render_story(
        headline("Rates & <bonds>", url="https://n.example/a?x=1&y=2", lede="First line.\nSecond   line."), "bot"
    )
    assert text == (
        '• <a href="https://n.example/a?x=1&amp;y=2">Rates &amp; &lt;bonds&gt;</a> (27 Mar 2026, 06:30)\n'
        "First line. Second line."
    )
    check_telegram_html(text)


def test_without_a_url_the_story_opens_in_the_bot() -> None:
    story = headline("No link here")
    assert f'href="https://t.me/newsbot?start={story.article.id}"' in render_story(story, "newsbot")
    assert render_story(story, "").startswith("• <b>No link here</b>")  # no username known: no link at all
    huge = headline("Huge link", url="https://n.example/" + "x" * 5000)
    assert "t.me/newsbot?start=" in render_story(huge, "newsbot")


def test_an_undated_story_from_the_web_shows_when_it_was_received_and_long_text_is_cut_between_words() -> None:
    story = headline("word " * 100, published=None, lede="lede " * 100, origin="https://n.example/feed-entry")
    first, lede = render_story(story).split("\n")
    assert first.endswith(" (received 27 Mar 2026, 06:30)") and "…" in first
    assert len(visible_text(first).removesuffix(" (received 27 Mar 2026, 06:30)")) <= 2 + MAX_TITLE_CHARS
    assert lede.endswith("…") and len(lede) <= 160


def test_a_story_is_dated_alike_in_digests_latest_and_answers() -> None:
    """A digest showed an undated story's arrival as if it were its publication date where /latest said
    "undated". Every listing now shows the same: the publication time; for an undated story from the web its
    arrival, said as such; "undated" for one from a file (which digests and alerts leave out, as not news). A digest
    showed the day alone where the page of its rest (/latest's list) showed the time."""
    late = datetime(2026, 3, 27, 23, 30, tzinfo=UTC)  # 28 Mar in Tokyo
    cases = [
        (headline("Dated", published=late), "28 Mar 2026, 08:30"),
        # Received at WHEN, 06:30 UTC: 15:30 in Tokyo.
        (headline("Web", published=None, origin="https://n.example/a"), "received 27 Mar 2026, 15:30"),
        (headline("File", published=None, origin="archive.jsonl#3"), "undated"),
        (headline("Dated only", published=datetime(2026, 3, 27, tzinfo=UTC)), "27 Mar 2026"),
    ]
    zone = ZoneInfo("Asia/Tokyo")
    for story, in_listing in cases:
        title = story.article.title
        assert visible_text(render_story(story, zone=zone)).splitlines()[0] == f"• {title} ({in_listing})"
        [_, line] = latest_lines([story.article], "sport", zone=zone)  # /latest sport
        assert visible_text(line) == f"• {title} ({in_listing})"
        assert byline(story.article, zone) == f"{in_listing} · Sport"  # answers, full articles, /latest


def test_a_digest_groups_by_category_and_counts_the_rest() -> None:
    messages = render_digest(
        digest(
            DigestSection("business", (headline("Merger", "business"),)),
            DigestSection("sport", (headline("Goal"), headline("Save")), more=4),
        ),
        "bot",
    )
    assert messages is not None and len(messages) == 1
    assert visible_text(messages[0]) == (
        "Daily digest: 7 new stories\n\nBusiness\n• Merger (27 Mar 2026, 06:30)\n\nSport\n"
        "• Goal (27 Mar 2026, 06:30)\n• Save (27 Mar 2026, 06:30)\nand 4 more: “Sport: 4 more” below"
    )


def test_and_n_more_names_the_button_that_sends_them() -> None:
    """ "and 3 more: /latest sport 8" was tapped as "/latest" alone (Telegram links the command, not its words):
    the line names the button under the message that sends them, a page of MAX_LATEST_COUNT at a time past that,
    and the digest lists a button for each category with a rest, with its window and how many it shows."""
    shown = tuple(headline(f"Story {n}") for n in range(5))
    most = MAX_LATEST_COUNT
    assert (
        more_line(DigestSection("Sport", shown, more=most - 5))
        == f"and {most - 5} more: “Sport: {most - 5} more” below"
    )
    past = f"and {most + 5} more: “Sport: {most + 5} more” below, {most} at a time"
    assert more_line(DigestSection("Sport", shown, more=most + 5)) == past
    assert more_line(DigestSection("", shown, more=3)) == "and 3 more"  # /latest cannot ask for these alone
    assert more_line(DigestSection("r&d", shown, more=1)) == "and 1 more: “R&amp;d: 1 more” below"
    sections = (DigestSection("", shown, 3), DigestSection("r&d", shown[:2], 1), DigestSection("sport", shown, 0))
    assert digest(*sections).rests == (Rest("r&d", WHEN - timedelta(days=1), WHEN, 2, 1),)


def test_a_held_alert_names_the_day_its_first_story_came_when_not_today() -> None:
    """ "Just in: 3 stories since 23:40", sent after midnight (or days later), read as stories of the last minutes:
    the day is named as a reader names it, on the reader's clock."""
    london = ZoneInfo("Europe/London")
    first = datetime(2026, 3, 28, 23, 40, tzinfo=UTC)  # Saturday 23:40 in London (GMT), 00:40 Sunday in Berlin
    stories = (headline("Late goal"), headline("Extra time"))
    cases = [
        (first + timedelta(minutes=15), london, "since 23:40"),
        (first + timedelta(minutes=25), london, "since yesterday 23:40"),  # Sunday 00:05 there (BST from 01:00)
        (first + timedelta(minutes=25), ZoneInfo("Europe/Berlin"), "since 00:40"),  # both on Sunday in Berlin
        (first + timedelta(days=2), london, "since Sat 23:40"),
        (first + timedelta(days=9), london, "since Sat 28 Mar 23:40"),
        (first + timedelta(days=300), london, "since Sat 28 Mar 2026 23:40"),
    ]
    for sent, zone, since in cases:
        held = Digest(first, sent, (), (DigestSection("sport", stories),), paced=timedelta(minutes=10))
        messages = render_alert(held, zone=zone)
        assert messages is not None
        assert visible_text(messages[0]).splitlines()[0] == f"Just in: 2 stories {since}", (sent, zone)


def test_an_empty_digest_says_nothing_new_or_nothing_at_all() -> None:
    # The scheduled one says how to get none; a preview asked for is no such bother.
    followed = Digest(WHEN - timedelta(days=1), WHEN, ("sport",), ())
    assert render_digest(followed) == [f"<b>Daily digest</b>\n{NOTHING_NEW}\n/digest quiet: no message on such days."]
    assert render_digest(followed, heading=PREVIEW_HEADING) == [f"<b>Your digest so far</b>\n{NOTHING_NEW}"]
    # A chat that follows no category gets every one: it was told of "the categories followed here".
    assert render_digest(digest(), heading=PREVIEW_HEADING) == [f"<b>Your digest so far</b>\n{NOTHING_NEW_AT_ALL}"]
    assert render_digest(digest(), quiet=True) is None
    assert render_alert(digest()) is None


def test_a_long_digest_is_split_between_stories_and_names_the_category_again() -> None:
    stories = tuple(headline(f"Story {n} " + "long " * 25, lede="x " * 70) for n in range(60))
    messages = render_digest(digest(DigestSection("sport", stories)), "bot")
    assert messages is not None and len(messages) > 1
    for message in messages:
        check_message_size(message)
    assert all(m.startswith("<b>Sport</b> (continued)\n") for m in messages[1:])
    shown = [line for m in messages for line in visible_text(m).splitlines() if line.startswith("• Story")]
    assert [line.split()[2] for line in shown] == [str(n) for n in range(60)]


# Text that is hard to escape and to measure: markup characters, entities, astral characters (two UTF-16 units).
NASTY = st.sampled_from([*"ab <>&\"';#/", "&amp;", "&lt", "😀", "\U0001d518", "é", "\n"])
nasty = st.lists(NASTY, max_size=30).map("".join)
# Long enough that a few stories fill a message, so splits happen in most examples (a short piece repeated keeps
# the generated data small).
long_nasty = st.tuples(st.lists(NASTY, min_size=1, max_size=12).map("".join), st.integers(1, 80)).map(
    lambda piece: piece[0] * piece[1]
)


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    sections = []
    for category in draw(st.lists(nasty, min_size=1, max_size=4, unique=True)):
        stories = draw(
            st.lists(
                st.builds(
                    headline,
                    title=long_nasty,
                    category=st.just(category),
                    url=st.one_of(st.none(), long_nasty.map(lambda s: "https://n.example/" + s)),
                    lede=long_nasty,
                    published=st.one_of(st.none(), st.just(WHEN)),
                ),
                min_size=1,
                max_size=20,
            )
        )
        sections.append(DigestSection(category, tuple(stories), draw(st.integers(0, 50))))
    return digest(*sections)


@settings(max_examples=60, deadline=None)
@given(digests())
def test_messages_are_valid_html_under_the_limit_and_split_between_stories(story: Digest) -> None:
    messages = split("<b>Digest</b>", story, "bot")
    blocks = [render_story(h, "bot") for s in story.sections for h in s.headlines]
    position = 0
    for message in messages:
        check_telegram_html(message)  # no tag or entity cut in two
        check_message_size(message)
        # Every story whole and in order: each message holds the next stories in full.
        while position < len(blocks) and blocks[position] in message:
            message = message.replace(blocks[position], "", 1)
            position += 1
    assert position == len(blocks)


def test_a_note_goes_after_the_last_message_or_in_its_own_when_it_would_not_fit() -> None:
    assert with_note(["<b>Your digest so far</b>: 1 new story"], "Daily digest: off.") == [
        "<b>Your digest so far</b>: 1 new story\n\nDaily digest: off."
    ]
    full = "x" * (TELEGRAM_LIMIT - 10)
    assert with_note(["first", full], "Daily digest: off.") == ["first", full, "Daily digest: off."]
    assert with_note([], "Daily digest: off.") == ["Daily digest: off."]


def test_an_alert_ends_saying_how_to_stop_alerts() -> None:
    # Alerts come as stories arrive, a message a minute on a busy day: a reader wanting fewer was told nowhere how.
    messages = render_alert(digest(DigestSection("sport", (headline("Cup final tonight"),))))
    assert messages is not None and visible_text(messages[-1]).endswith("\n\n/alerts off stops these.")
