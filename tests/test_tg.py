"""The Telegram layer's own logic, without a Bot API: buttons, the key a "More" button carries, and the stories a
reply follows up on."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, User

from bot.config import MAX_PASSAGES, Settings
from bot.library import Library
from bot.models import Answer, Article, Passage, StoredArticle
from bot.retrieval import ask_in
from bot.services.subscriptions import ChatView
from bot.store import TYPING_BOUT, ChatSettings, SavedQuery, Store
from bot.store.language import language_of, library_language
from bot.tg.ask import (
    NAMES_ONLY,
    NOTHING_AT_OFFSET,
    Page,
    answer_lines,
    first_page,
    followed_stories,
    lede,
    next_page,
    only_link,
    shown_paragraphs,
    with_quoted,
    without_links,
    without_markup,
)
from bot.tg.buttons import MORE_DATA, keyboard
from bot.tg.pages import LAST_GONE, Anchor, Pages, added_before, anchor_of, turn
from bot.tg.subscriptions import MAX_BUTTONS, category_keyboard
from bot.tg.updates import read_body
from tests.answer_text import listed
from tests.conftest import open_library
from tests.newsroom import url_of
from tests.paths import BBC, ROOT, needs_bbc

ARTICLE = StoredArticle(
    "0123456789abcdef", "Chess Prodigy Wins National Title at Twelve", "Sport", None, None, None, None, 3
)


def labels(markup: InlineKeyboardMarkup | None) -> list[str]:
    return [button.text for row in (markup.inline_keyboard if markup else ()) for button in row]


def test_the_category_buttons_are_listed_alphabetically_whatever_their_case() -> None:
    """As the line above them lists the categories followed, not in the store's order by count."""
    by_count = ("Sport", "Local", "arts", "Business")
    view = ChatView(1, ChatSettings(1, time(8), "UTC"), True, ("Sport",), by_count)
    assert labels(category_keyboard(view)) == ["▫️ Arts", "▫️ Business", "▫️ Local", "✅ Sport"]
    # Past the most Telegram shows, the categories with most stories are those shown.
    many = tuple(f"c{n:03}" for n in range(MAX_BUTTONS + 20, 0, -1))
    shown = labels(category_keyboard(ChatView(1, ChatSettings(1, time(8), "UTC"), True, (), many)))
    assert shown == [f"▫️ C{n:03}" for n in range(21, MAX_BUTTONS + 21)]


def test_more_pages_through_at_most_max_answer_size_passages() -> None:
    answer = Answer("q", (Passage(ARTICLE, 0, "text", 1.0),), more=5)
    assert labels(keyboard(replace(answer, offset=MAX_PASSAGES - 2), "0123456789ab"))[-1] == "More"
    assert labels(keyboard(replace(answer, offset=MAX_PASSAGES - 1), "0123456789ab")) == [
        "Full article: Chess Prodigy Wins National Title at…",
        "Back",
    ]
    assert labels(keyboard(replace(answer, more=0), "0123456789ab")) == labels(keyboard(answer, ""))


def test_later_pages_go_back_from_their_first_passage_and_on_from_their_last() -> None:
    """Each button carries the passage it pages from and where it stood, so a page stays the page it was when a
    story shown before it is removed; the first page has no "Back"."""
    passages = (Passage(ARTICLE, 4, "text", 1.0), Passage(replace(ARTICLE, id="fedcba9876543210"), 12, "text", 1.0))
    answer = Answer("q", passages, more=5)
    assert "Back" not in labels(keyboard(answer, "0123456789ab"))
    for offset in (3, 2, 7):
        markup = keyboard(replace(answer, offset=offset), "0123456789ab")
        assert markup is not None
        [paging] = [row for row in markup.inline_keyboard if row[0].text == "Back"]
        assert [b.callback_data for b in paging] == [
            f"m:0123456789ab:{offset}:-0123456789abcdef.4",
            f"m:0123456789ab:{offset + 1}:+fedcba9876543210.12",
        ]
        for button in paging:
            match = MORE_DATA.match(str(button.callback_data))
            assert match is not None and len(str(button.callback_data).encode()) <= 64
            anchor = anchor_of(match)
            assert anchor is not None and anchor.data == str(button.callback_data).split(":", 2)[2]


def test_the_more_pattern_admits_only_pages_a_reader_can_reach() -> None:
    admitted = [n for n in range(-5, 10_000) if MORE_DATA.match(f"m:0123456789ab:{n}")]
    assert admitted == list(range(MAX_PASSAGES))
    anchored = [n for n in range(-5, 10_000) if MORE_DATA.match(f"m:0123456789ab:{n}:+0123456789abcdef.3")]
    assert anchored == list(range(MAX_PASSAGES))
    for data in (
        "m:0123456789ab:007",
        "m:0123456789ab:1 ",
        "m::3",
        "m:0123456789AB:3",
        "m:0123456789ab:999999",
        "m:0123456789ab:3:+0123456789abcdef",
        "m:0123456789ab:3:*0123456789abcdef.3",
        "m:0123456789ab:3:+0123456789abcdef.03",
        "m:0123456789ab:3:+0123456789abcdef.1234567",
    ):
        assert not MORE_DATA.match(data)


def test_more_buttons_carry_the_key_the_store_files_the_question_under(library: Library) -> None:
    saved = SavedQuery("harbor", "Local", datetime(2023, 1, 1, tzinfo=UTC), None, 42)
    assert library.store.save_query(saved) == saved.key and library.store.load_query(saved.key, 42) == saved
    library.reindex()  # a local rebuild: the questions behind buttons stay valid
    assert library.store.load_query(saved.key, 42) == saved


def test_an_inline_question_is_kept_under_its_asker_s_one_key_on_either_database(
    database_url: str, tmp_path: Path
) -> None:
    """Each letter typed inline that nothing answered kept a row of its own. The asker's one key holds the last
    question saved, for their private chat alone; a "More" button's question keeps a key of its own text."""
    store = Store.open(url_of(database_url, tmp_path))
    try:
        typed = [SavedQuery(text, None, None, None, 42, inline=True) for text in ("Qwzx", "Qwzx vb", "Qwzx vbnm")]
        assert {store.save_query(query) for query in typed} == {typed[0].key}
        assert store.load_query(typed[0].key, 42) == typed[-1]
        assert store.load_query(typed[0].key, 43) is None  # a deep link copied into another chat
        assert store.save_query(typed[0]) == typed[0].key  # typed again: written again, though saved a moment ago
        assert store.load_query(typed[0].key, 42) == typed[0]
        paged = SavedQuery("Qwzx", None, None, None, 42)
        assert paged.key != typed[0].key and store.save_query(paged) == paged.key
        assert store.load_query(paged.key, 42) == paged and store.load_query(typed[0].key, 42) == typed[0]
    finally:
        store.close()


def test_of_an_asker_s_inline_queries_ending_in_any_order_the_latest_keeps_its_question_on_either_database(
    database_url: str, tmp_path: Path
) -> None:
    """Telegram sends an inline query for every letter typed; they are searched side by side, by one process or
    several, and end in any order. The row names its query (the update's id): one searched before it does not write
    over it, whichever process ends last; the same query handled again (after a kill) writes again."""
    store = Store.open(url_of(database_url, tmp_path))
    typed = {10: "Qwzx", 11: "Qwzx vb", 12: "Qwzx"}  # the last: letters deleted again

    def inline(update_id: int) -> SavedQuery:
        return SavedQuery(typed.get(update_id, "Qwzx vbnm"), None, None, None, 42, inline=True, update_id=update_id)

    def question(now: datetime | None = None) -> str | None:
        kept = store.load_query(inline(10).key, 42, now)
        return None if kept is None else kept.question

    # A process keeps a question in memory while it is saved: it asks the same.
    assert not inline(10).replaces(inline(11)) and inline(11).replaces(inline(11)) and inline(12).replaces(inline(11))
    try:
        store.save_query(inline(11))
        store.save_query(inline(10))  # searched before 11, done after it
        assert question() == "Qwzx vb"
        store.save_query(inline(12))
        store.save_query(inline(11))  # 11 ending last, in this process or another
        assert question() == "Qwzx"
        store.save_query(inline(12))  # the same query handled again after a kill
        assert question() == "Qwzx"
        # A Bot API server started again numbers its updates from 1 again (so may Telegram after a quiet week): a
        # question kept before the asker's bout of typing gives way, one kept within it does not.
        now = datetime.now(UTC)
        store.save_query(inline(3), now + TYPING_BOUT / 2)
        assert question(now + TYPING_BOUT / 2) == "Qwzx"
        store.save_query(inline(3), now + TYPING_BOUT * 2)
        assert question(now + TYPING_BOUT * 2) == "Qwzx vbnm"
    finally:
        store.close()


def test_a_more_button_s_key_pages_only_in_the_chat_it_was_made_for(library: Library) -> None:
    """A press may carry any data (a client can forge it): a key copied from another chat's button finds nothing,
    whether its question is in the store or still being saved; the same question asked there has its own key."""
    saved = SavedQuery("Dempsey Moscow", None, None, None, 42)
    elsewhere = SavedQuery("Dempsey Moscow", None, None, None, 43)
    assert saved.key != elsewhere.key
    assert next_page(library, saved.key, 43, 1, "", UTC, {saved.key: saved}) is None
    library.store.save_query(saved)
    assert library.store.load_query(saved.key, 43) is None
    assert next_page(library, saved.key, 43, 1, "", UTC, {}) is None
    page = next_page(library, saved.key, 42, 1, "", UTC, {})
    assert isinstance(page, Page) and listed("Russia Invites US Military Chief", 2).search(page.text)


def test_an_older_more_button_past_the_answer_s_end_says_it_is_shorter_not_that_stories_were_removed(
    library: Library,
) -> None:
    """A button sent before "More" carried its passage pages by offset: one past the end of the answer as it ranks
    now said "their stories were removed from the library", with every story still there."""
    saved = SavedQuery("Dempsey Moscow", None, None, None, 42)
    library.store.save_query(saved)
    assert next_page(library, saved.key, 42, MAX_PASSAGES - 3, "", UTC, {}) == NOTHING_AT_OFFSET


def anchor_under(markup: InlineKeyboardMarkup | None, label: str) -> Anchor:
    """The anchor the button labelled `label` carries."""
    rows = markup.inline_keyboard if markup else ()
    [data] = [str(button.callback_data) for row in rows for button in row if button.text == label]
    match = MORE_DATA.match(data)
    anchor = anchor_of(match) if match else None
    assert anchor is not None and len(data.encode()) <= 64
    return anchor


def test_a_page_turned_in_the_library_state_its_button_was_made_in_searches_only_the_page_it_shows(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Back" from a second page searched that page again to find its first passage wherever stories added since
    moved it: a later page is a deep search, and "Back" took 286-504 ms on the BBC stories instead of the first
    page's ~25. A button now carries the state of the library its page was searched in (its index's and vectors'
    place in the store's changes): unchanged, the passage is where it was, and only the page shown is searched. An
    ingest since changes it: the passage is looked for, as before."""
    monkeypatch.setattr(library, "settings", replace(library.settings, answer_size=1))
    first = first_page(library, library.request("Dempsey Moscow"), "", UTC, 42)
    assert first.saved is not None
    library.store.save_query(first.saved)
    asked: list[int] = []
    ask = library.ask
    monkeypatch.setattr(library, "ask", lambda request: asked.append(request.offset) or ask(request))

    def turned(anchor: Anchor) -> str:
        asked.clear()
        page = next_page(library, first.saved.key, 42, anchor, "", UTC, {})  # type: ignore[union-attr]
        assert isinstance(page, Page)
        return page.text

    second = next_page(library, first.saved.key, 42, anchor_under(first.markup, "More"), "", UTC, {})
    assert isinstance(second, Page) and asked == [1] and listed("", 2).search(second.text)
    assert turned(anchor_under(second.markup, "Back")) == first.text and asked == [0]
    library.add([Article(title="Dempsey in Moscow", paragraphs=["Dempsey flew to Moscow for talks."], category="News")])
    turned(anchor_under(second.markup, "Back"))
    assert asked[0] == 1  # looked for on the page it was on first


def test_a_more_press_as_its_question_is_saved_finds_it_in_memory_or_in_the_store(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save of a "More" button's question pops it from memory once its row is in the store. A press that read
    the store first, then memory, missed both when the save landed between the two reads, and the button expired
    just after its answer (seen once in CI, through `newsbot chat`)."""
    saved = SavedQuery("Dempsey Moscow", None, None, None, 42)
    saving = {saved.key: saved}
    load = library.store.load_query

    def landing_meanwhile(key: str, chat_id: int) -> SavedQuery | None:
        found = load(key, chat_id)
        library.store.save_query(saved)
        saving.pop(saved.key)
        return found

    monkeypatch.setattr(library.store, "load_query", landing_meanwhile)
    page = next_page(library, saved.key, 42, 1, "", UTC, saving)
    assert isinstance(page, Page) and listed("Russia Invites US Military Chief", 2).search(page.text)


def test_a_reply_follows_up_on_the_stories_of_the_bots_answer_or_article_only() -> None:
    bot, reader, chat = User(7, "newsbot", is_bot=True), User(42, "Alice", is_bot=False), Chat(42, Chat.PRIVATE)
    when = datetime(2026, 12, 1, tzinfo=UTC)
    url = "https://news.example.com/sport/chess-prodigy-title"

    def sent(text: str, by: User = bot, link: str = "", markup: InlineKeyboardMarkup | None = None) -> Message:
        linked = [MessageEntity(MessageEntity.TEXT_LINK, text.index(link), len(link), url=url)] if link else []
        return Message(1, when, chat, from_user=by, text=text, entities=linked, reply_markup=markup)

    def reply(to: Message | None) -> Message:
        return Message(2, when, chat, from_user=reader, text="when was that?", reply_to_message=to)

    text = "Chess Prodigy Wins National Title at Twelve\nLiv Aronsen became champion.\nSource"
    answer = Answer("q", (Passage(ARTICLE, 0, "Liv Aronsen became champion.", 1.0),))
    assert followed_stories(reply(sent(text, link="Source", markup=keyboard(answer, ""))), 7) == (ARTICLE.id,)
    shown = sent(text, link="Source")
    assert followed_stories(reply(shown), 7) == (url,)  # a full article: its "Source"
    digest = sent("• Chess Prodigy Wins National Title at Twelve (15 Nov 2023)", link="Chess Prodigy Wins")
    assert followed_stories(reply(digest), 7) == ()
    assert followed_stories(reply(sent(text, by=reader, link="Source")), 7) == ()  # not the bot's
    assert followed_stories(reply(None), 7) == ()
    # A part of a full article without its "Source": its paragraphs, for the library to tell the story by.
    part = sent("Liv Aronsen became champion.\n\nHer coach said Aronsen trains four hours a day.")
    assert followed_stories(reply(part), 7) == ()
    assert shown_paragraphs(reply(part), 7) == (
        "Liv Aronsen became champion.",
        "Her coach said Aronsen trains four hours a day.",
    )
    assert shown_paragraphs(reply(sent(text, by=reader)), 7) == shown_paragraphs(reply(None), 7) == ()
    # The lines of an answer, whose passages a follow-up shows again only when nothing else answers; a full
    # article's paragraphs are what a follow-up to it asks about.
    answered = sent(text, link="Source", markup=keyboard(answer, ""))
    assert answer_lines(reply(answered), 7) == tuple(text.splitlines())
    assert answer_lines(reply(shown), 7) == answer_lines(reply(part), 7) == answer_lines(reply(None), 7) == ()


def test_a_page_is_shown_already_only_to_a_press_on_a_view_its_own_press_found_or_left() -> None:
    """A double tap's second press, on the answer as the first found it or as its edit left it, asks for nothing
    more; a press on a view since (another process's "Back" showed the first page again) pages, and so does a
    press on an answer paged so long ago that it was forgotten."""
    bot, reader, chat = User(7, "newsbot", is_bot=True), User(42, "Alice", is_bot=False), Chat(42, Chat.PRIVATE)
    when = datetime(2026, 12, 1, tzinfo=UTC)

    def answer(message_id: int, text: str, *datas: str, edited: datetime | None = None) -> Message:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in datas]])
        return Message(message_id, when, chat, from_user=bot, text=text, reply_markup=markup, edit_date=edited)

    def press(message: Message, data: str) -> CallbackQuery:
        return CallbackQuery("1", reader, "42", message=message, data=data)

    first = answer(1, "1. Harbour", "m:abc:3")
    second = answer(1, "4. Harbour", "m:abc:0", "m:abc:6", edited=when + timedelta(seconds=5))
    pages = Pages(size=2)
    assert not pages.shown(press(first, "m:abc:3"))
    pages.showed(press(first, "m:abc:3"), second)
    assert pages.shown(press(first, "m:abc:3")) and pages.shown(press(second, "m:abc:3"))
    assert not pages.shown(press(second, "m:abc:6")) and not pages.shown(press(second, "m:abc:0"))
    # The first page shown again since by a press this process did not handle: as it was, but edited.
    back = answer(1, "1. Harbour", "m:abc:3", edited=when + timedelta(seconds=9))
    assert not pages.shown(press(back, "m:abc:3"))
    pages.showed(press(first, "m:abc:3"))  # the edit changed nothing, or the page went out as a message of its own
    assert pages.shown(press(first, "m:abc:3")) and not pages.shown(press(second, "m:abc:3"))
    for message_id in (2, 3):
        pages.showed(press(answer(message_id, "1. Ferry", "m:def:3"), "m:def:3"))
    assert not pages.shown(press(first, "m:abc:3"))  # forgotten: the two answers paged since are remembered
    assert pages.shown(press(answer(3, "1. Ferry", "m:def:3"), "m:def:3"))


def searched(passages: list[Passage], size: int) -> Callable[[int], Answer]:
    """A search run again over `passages`, the answer's list as it is now: the page from a place."""
    return lambda start: Answer(
        "q", tuple(passages[start : start + size]), offset=start, more=max(0, len(passages) - start - size)
    )


def test_a_page_is_turned_from_its_passage_wherever_the_list_moved_it() -> None:
    """ "More" shows the passages after the last one shown and "Back" those before the first, whether stories added
    or removed since moved them down or up the list; a first page that lost passages says how many."""
    listed = [Passage(replace(ARTICLE, id=f"{n:016x}"), n, f"passage {n}", 1.0) for n in range(12)]
    texts = lambda turned: [p.text for p in turned.answer.passages]  # noqa: E731
    more = Anchor(True, listed[5].article.id, 5, 5)  # the last of the second page
    back = Anchor(False, listed[3].article.id, 3, 3)  # its first
    never = lambda: False  # noqa: E731
    assert texts(turn(searched(listed, 3), 3, more, never)) == ["passage 6", "passage 7", "passage 8"]
    added = [*listed[:2], Passage(replace(ARTICLE, id="f" * 16), 0, "new", 1.0), *listed[2:]]
    assert texts(turn(searched(added, 3), 3, more, never)) == ["passage 6", "passage 7", "passage 8"]
    # The passage was the last of a page now: the page after it is searched, not an empty one shown.
    added = [*listed[:2], *(Passage(replace(ARTICLE, id=f"e{n:015x}"), n, "new", 1.0) for n in range(3)), *listed[2:]]
    assert texts(turn(searched(added, 3), 3, more, never)) == ["passage 6", "passage 7", "passage 8"]
    cut = listed[2:]
    assert texts(turn(searched(cut, 3), 3, more, never)) == ["passage 6", "passage 7", "passage 8"]
    turned = turn(searched(cut, 3), 3, back, never)
    assert texts(turned) == ["passage 2"] and turned.note.startswith("2 passages shown here before are gone")
    assert turned.answer.offset == 0 and turned.answer.more == len(cut) - 1
    gone = [p for p in listed if p.position != 5]
    turned = turn(searched(gone, 3), 3, more, lambda: True)
    assert texts(turned) == ["passage 6", "passage 7", "passage 8"] and turned.note == LAST_GONE
    # Moved further than a page by an ingest: "Back" showed the new stories' passages, "More" passage 5 again.
    ingested = [*(Passage(replace(ARTICLE, id=f"d{n:015x}"), n, "new", 1.0) for n in range(5)), *listed]
    for anchor, shown in (
        (more, ["passage 6", "passage 7", "passage 8"]),
        (back, ["passage 0", "passage 1", "passage 2"]),
    ):
        turned = turn(searched(ingested, 3), 3, anchor, never)
        assert texts(turned) == shown and turned.note == added_before(5)
    assert added_before(5) == "5 passages of stories added since you asked now come before these."


def test_a_button_of_the_state_it_was_searched_in_turns_without_looking_for_its_passage() -> None:
    listed = [Passage(replace(ARTICLE, id=f"{n:016x}"), n, f"passage {n}", 1.0) for n in range(12)]
    asked: list[int] = []

    def search(start: int) -> Answer:
        asked.append(start)
        return searched(listed, 3)(start)

    def unasked() -> bool:
        raise AssertionError("the story's removal is not asked of a library that changed in nothing")

    back = Anchor(False, listed[3].article.id, 3, 3, "0badcafe")
    assert [p.text for p in turn(search, 3, back, unasked, "0badcafe").answer.passages] == [
        "passage 0",
        "passage 1",
        "passage 2",
    ]
    assert asked == [0]
    asked.clear()
    more = Anchor(True, listed[5].article.id, 5, 5, "0badcafe")
    assert turn(search, 3, more, unasked, "0badcafe").answer.offset == 6 and asked == [6]
    # Another state: stories added since moved the passage five places down; it is looked for.
    ingested = [*(Passage(replace(ARTICLE, id=f"d{n:015x}"), n, "new", 1.0) for n in range(5)), *listed]
    assert turn(searched(ingested, 3), 3, back, lambda: False, "12345678").note == added_before(5)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("<b>harbor</b> & <script>", "harbor &"),
        ('<a href="https://n.example/x">ferry</a> fares&amp;times', "ferry fares&times"),
        ("is inflation < 5% & falling?", "is inflation < 5% & falling?"),  # no tag: as typed
        ("x<y and y>z", "x<y and y>z"),
        ("<br/><p></p>", ""),
    ],
)
def test_pasted_html_is_read_as_the_reader_sees_it(typed: str, read: str) -> None:
    assert without_markup(typed) == read


@pytest.mark.parametrize(
    ("typed", "rest"),
    [
        ("see https://nowhere.example/x, is it true?", "see, is it true?"),
        ("what does https://news.example.com/business/60412 say about rates?", "what does say about rates?"),
        ("https://nowhere.example/x, who won?", "who won?"),
        ("who won (https://nowhere.example/x)?", "who won?"),
        ("is this true? www.example.org/a", "is this true?"),
        ("is it true?\nnews.example.com/sport/1 and bbc.co.uk/news/2", "is it true? and"),
    ],
)
def test_a_link_taken_out_of_a_question_leaves_the_words_as_typed(typed: str, rest: str) -> None:
    """ "see <link>, is it true?" left "see , is it true?", which notes and saved questions may show back."""
    assert without_links(typed, "newsbot")[0] == rest


@pytest.mark.parametrize(
    ("typed", "link"),
    [
        ("https://news.example.com/sport/1.", "https://news.example.com/sport/1"),
        ("hi bbc.co.uk/news/2", "https://bbc.co.uk/news/2"),
        ("Thanks! (www.example.org/a)", "https://www.example.org/a"),
        ("  https://n.example/x?a=1&b=2!  ", "https://n.example/x?a=1&b=2"),
        ("is this true? www.example.org/a.", None),  # a question: its words are searched
        ("https://a.example/1 https://b.example/2", None),
        ("who won?", None),
    ],
)
def test_a_message_of_one_link_and_small_talk_at_most_reads_the_link(typed: str, link: str | None) -> None:
    assert only_link(typed) == link


def test_a_forwarded_post_is_cut_between_words_to_a_question_s_length() -> None:
    assert lede("chess title " * 100, 30) == "chess title chess title chess"
    assert lede("x" * 50, 30) == "x" * 30  # no space to cut at
    assert lede("who won?", 30) == "who won?"


@needs_bbc
def test_is_this_true_of_a_claim_or_an_answer_is_asked_of_its_story_where_another_category_uses_true(
    tmp_path: Path,
) -> None:
    """On the BBC stories "@bot is this true?" under a friend's claim of a takeover showed a film called "the true
    blue British one" first, and two other stories using "true": a word the claim's stories never use, which a
    story of another category answered confidently, was taken for a new subject and searched alone. "this" points
    back to what it replies to, as "is that true?" replying to an answer does: asked of its stories."""
    records = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines()]
    takeover = ("SBC plans post-takeover job cuts", "MCI shares climb on takeover bid")
    kept = [r for r in records if r["title"] in takeover or r["title"].startswith("Vera Drake")] + records[::12]
    source = tmp_path / "bbc.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")
    library = Library.open(Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus"))
    try:
        library.ingest([source])
        claim = "SBC is buying AT&T for 16bn"
        assert with_quoted(library, "is this true?", claim) == f"is this true? {claim}"
        [sbc] = [a.id for a in library.store.latest(len(kept)) if a.title == takeover[0]]
        assert library.follow_up("is that true?", [sbc]) == f"is that true? ({takeover[0]})"
        # Words of another category's story with nothing pointing back are still a new subject.
        assert takeover[0] not in library.follow_up("what about the film awards?", [sbc])
    finally:
        library.close()


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"update_id": 7, "message": {"message_id": 1}}', "passing over update 7, which cannot be read"),
        (b'{"message": {"message_id": 1}}', "passing over an update without update_id, which cannot be read"),
        (b"[1, 2]", "cannot be read (TypeError: an update is a JSON object, not list): [1, 2]"),
        (b'{"update_id": 8', "passing over a webhook request that is not JSON"),
        (b"\xff\xfe\x00", "passing over a webhook request that is not JSON"),
    ],
)
def test_a_webhook_body_that_is_no_update_python_telegram_bot_reads_is_said_in_one_line_and_passed(
    body: bytes, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    """What Telegram would only deliver again if the webhook answered it with an error (bot.tg.webhook)."""
    caplog.set_level(logging.WARNING)
    assert read_body(body, None) is None
    [record] = caplog.records
    assert said in record.getMessage() and record.exc_info is None, record.getMessage()


def test_a_webhook_body_of_an_update_is_read_once_into_it() -> None:
    body = b'{"update_id": 9, "message": {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}}}'
    update = read_body(body, None)
    assert update is not None and update.update_id == 9 and update.effective_chat is not None


@pytest.mark.parametrize(
    ("corpus", "language"),
    [(ROOT / "tests" / "data" / "bot_corpus", "en"), (ROOT / "tests" / "data" / "spanish_corpus", "es")],
)
def test_a_library_s_language_is_told_from_its_articles_text(
    corpus: Path, language: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    library = open_library(Settings(data_dir=tmp_path / "data", corpus_dir=corpus), tmp_path_factory)
    try:
        assert library_language(library.store) == language
    finally:
        library.close()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Der Stadtrat hat am Dienstag eine neue Fähre beschlossen, die ab dem Sommer auf die Insel fährt.", "de"),
        ("Le conseil municipal a voté mardi une nouvelle ligne de ferry qui reliera le port à l'île dès l'été.", "fr"),
        ("Il consiglio comunale ha approvato martedì una nuova linea di traghetti per l'isola, che partirà in estate.",
         "it"),
        ("A câmara municipal aprovou na terça-feira uma nova linha de balsa que ligará o porto à ilha no verão.", "pt"),
        ("De gemeenteraad heeft dinsdag een nieuwe veerdienst naar het eiland goedgekeurd, die in de zomer vaart.",
         "nl"),
        ("El ayuntamiento aprobó el martes una línea de ferri que unirá el puerto con la isla desde el verano.", "es"),
        ("The council approved a new ferry line on Tuesday, which will link the port with the island from summer.",
         "en"),
        ("Городской совет во вторник одобрил новую паромную линию до острова.", ""),
    ],
)  # fmt: skip
def test_a_text_s_language_is_told_by_its_small_words(text: str, language: str) -> None:
    """The language of a library's articles is named to a reader ("The articles are in Spanish"), not only told
    English or not."""
    assert language_of([text]) == language


def test_a_library_s_language_is_read_again_after_its_first_ingest(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Kept for the process by the Store alone, an empty library read as English stayed so after Spanish articles
    were ingested into it (a bot started before the library's first ingest)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    library = open_library(Settings(data_dir=tmp_path / "data", corpus_dir=empty), tmp_path_factory)
    try:
        assert library_language(library.store) == "en"
        library.ingest([ROOT / "tests" / "data" / "spanish_corpus"])
        assert library_language(library.store) == "es"
        assert "cilindros de hielo" in page_text(library, "¿Qué guarda el museo del glaciar?")
    finally:
        library.close()


def page_text(library: Library, question: str) -> str:
    return first_page(library, library.request(question), "newsbot_test_bot", UTC, 42).text


def test_a_question_in_another_language_is_told_the_articles_are_in_english_only_where_they_are(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Over English articles "¿Quién es Liv Aronsen?" was answered from the name alone as if understood: the answer
    says the articles are in English and only the names were matched (a question of names alone, in no language,
    is answered plainly). Over Spanish articles, a Spanish question was searched for its names alone and declined
    ("The articles are in English"): it is searched with all its words, and an English one is told the articles
    are in Spanish. Over English articles, a sentence of its own in English is asked too ("¿quién ganó? chess")."""
    data = ROOT / "tests" / "data"
    english = open_library(Settings(data_dir=tmp_path / "en", corpus_dir=data / "bot_corpus"), tmp_path_factory)
    names_only = NAMES_ONLY.format(language="English")
    try:
        answered = page_text(english, "¿Quién es Liv Aronsen?")
        assert answered.startswith(f"{names_only}\n\n") and "Chess Prodigy" in answered
        for names in ("Liv Aronsen", "Aronsen chess 2023"):
            assert not page_text(english, names).startswith(names_only), names
        assert ask_in("en").strip() in page_text(english, "¿Cuántos viajes hará el ferri?")
        # A sentence of its own plainly English is asked too: "chess" was told to ask in English. Not "ajedrez", nor
        # "la final", whose "la" is Spanish's.
        answered = page_text(english, "¿quién ganó? chess")
        assert answered.startswith(f"{names_only}\n\n") and "Chess Prodigy" in answered
        for foreign in ("¿quién ganó? ajedrez", "¿quién ganó? la final", "¿Quién ganó el campeonato de ajedrez?"):
            assert ask_in("en").strip() in page_text(english, foreign), foreign
    finally:
        english.close()
    spanish = open_library(Settings(data_dir=tmp_path / "es", corpus_dir=data / "spanish_corpus"), tmp_path_factory)
    try:
        answered = page_text(spanish, "¿Cuántos viajes hará el ferri?")
        assert "cuatro <b>viajes</b> diarios" in answered and "English" not in answered
        answered = page_text(spanish, "¿Qué guarda el museo del glaciar?")
        assert listed("El museo del glaciar").match(answered) and "cilindros de hielo" in answered
        assert "campeonato nacional de ajedrez" in page_text(spanish, "¿Quién es Lucía Ferrán?")
        assert "Spanish" not in page_text(spanish, "¿Quién es Lucía Ferrán?")
        declined = page_text(spanish, "How many trips will the ferry make each day?")
        assert declined.startswith("Nothing in the articles answers that.")
        assert ask_in("es").strip() in declined and "English" not in declined
        # The greeting's own example, an English question quoting a headline.
        example = page_text(spanish, "What do we know about “Una niña de doce años gana el campeonato de ajedrez”?")
        assert listed("Una niña de doce años").match(example) and "Lucía" in example, example
        named = page_text(spanish, "Who is Lucía Ferrán?")
        assert named.startswith(NAMES_ONLY.format(language="Spanish")) and "ajedrez" in named
    finally:
        spanish.close()
