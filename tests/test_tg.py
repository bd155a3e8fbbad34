"""The Telegram layer's own logic, without a Bot API: buttons and the key a "More" button carries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup

from bot.config import MAX_PASSAGES
from bot.library import Library
from bot.models import Answer, Passage, StoredArticle
from bot.store import SavedQuery
from bot.tg.buttons import MORE_DATA, keyboard

ARTICLE = StoredArticle(
    "0123456789abcdef", "Chess Prodigy Wins National Title at Twelve", "Sport", None, None, None, None, 3
)


def labels(markup: InlineKeyboardMarkup | None) -> list[str]:
    return [button.text for row in (markup.inline_keyboard if markup else ()) for button in row]


def test_more_pages_through_at_most_max_answer_size_passages() -> None:
    answer = Answer("q", (Passage(ARTICLE, 0, "text", 1.0),), more=5)
    assert labels(keyboard(replace(answer, offset=MAX_PASSAGES - 2), "0123456789ab", 3))[-1] == "More"
    assert labels(keyboard(replace(answer, offset=MAX_PASSAGES - 1), "0123456789ab", 3)) == [
        "Full article: Chess Prodigy Wins National Title at…",
        "Back",
    ]
    assert labels(keyboard(replace(answer, more=0), "0123456789ab", 3)) == labels(keyboard(answer, "", 3))


def test_later_pages_go_back_a_page_and_the_first_has_no_back() -> None:
    answer = Answer("q", (Passage(ARTICLE, 0, "text", 1.0),), more=5)
    assert "Back" not in labels(keyboard(answer, "0123456789ab", 3))
    for offset, back in ((3, 0), (2, 0), (7, 4)):
        markup = keyboard(replace(answer, offset=offset), "0123456789ab", 3)
        assert markup is not None
        [paging] = [row for row in markup.inline_keyboard if row[0].text == "Back"]
        assert [b.callback_data for b in paging] == [f"m:0123456789ab:{back}", f"m:0123456789ab:{offset + 1}"]


def test_the_more_pattern_admits_only_pages_a_reader_can_reach() -> None:
    admitted = [n for n in range(-5, 10_000) if MORE_DATA.match(f"m:0123456789ab:{n}")]
    assert admitted == list(range(MAX_PASSAGES))
    for data in ("m:0123456789ab:007", "m:0123456789ab:1 ", "m::3", "m:0123456789AB:3", "m:0123456789ab:999999"):
        assert not MORE_DATA.match(data)


def test_more_buttons_carry_the_key_the_store_files_the_question_under(library: Library) -> None:
    saved = SavedQuery("harbor", "Local", datetime(2023, 1, 1, tzinfo=UTC), None)
    assert library.store.save_query(saved) == saved.key and library.store.load_query(saved.key) == saved
    library.reindex()  # a local rebuild: the questions behind buttons stay valid
    assert library.store.load_query(saved.key) == saved
