"""One reading of what a message asks of a chat's settings, for the Telegram bot and `newsbot ask` alike."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.services.schedule import DailyAsk
from bot.services.setting_requests import (
    AlertsAsked,
    CategoriesAsked,
    DailyAsked,
    SettingRequest,
    SettingsAsked,
    SwitchAsked,
    TimeAsked,
    Unsettled,
    UnsubscribeAsked,
    ZoneAsked,
    read_request,
    setting_request,
)

KNOWN = ("Sport", "Tech", "Business")


def unread() -> Sequence[str]:
    raise AssertionError("the categories were read for a message whose words name none")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send me the digest at 8am", TimeAsked("at 8am")),
        ("I live in Berlin", ZoneAsked("Berlin")),
        ("set my timezone to London", ZoneAsked("London")),
        ("stop the digest", SwitchAsked("digest", False)),
        ("disable alerts", SwitchAsked("alerts", False)),
        ("turn the digest on", SwitchAsked("digest", True)),
        ("send me the news every morning", DailyAsked((), DailyAsk((), None, "morning"))),
        ("what categories are there?", CategoriesAsked()),
        ("what time is my digest?", SettingsAsked()),
        ("What's my timezone?", SettingsAsked()),
        # Questions that merely hold a setting's words stay questions.
        ("is there a daily limit on tech stocks?", None),
        ("why did they stop the alerts system?", None),
        ("when is the morning news?", None),
        ("what was in the digest at 8am?", None),
        ("when does the morning digest come?", None),
        ("what is in the evening digest?", None),
        ("what time zone is Berlin in?", None),
        ("hi", None),
        ("who won the cup final?", None),
    ],
)
def test_a_request_naming_no_category_is_read_without_the_categories(
    text: str, expected: SettingRequest | None
) -> None:
    """The Telegram bot asked the store (in a worker thread) on every private message, though only a request naming
    categories needs them."""
    assert read_request(text) == expected
    assert setting_request(text, unread) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unsubscribe me from sport", UnsubscribeAsked(("sport",))),
        ("stop following business", UnsubscribeAsked(("business",))),
        ("unfollow tech and sport", UnsubscribeAsked(("tech", "sport"))),
        ("I want alerts for tech", AlertsAsked(("tech",))),
        ("send me the sport news every morning", DailyAsked(("Sport",), DailyAsk(("sport",), None, "morning"))),
        ("how do I get tech news daily?", DailyAsked(("Tech",), DailyAsk(("tech",), None, None, how=True))),
        # A count of stories names no category: searched, it was the category "5 sport".
        ("top 5 sport stories daily", DailyAsked(("Sport",), DailyAsk(("sport",), None, None))),
        (
            "send me 3 business headlines every evening",
            DailyAsked(("Business",), DailyAsk(("business",), None, "evening")),
        ),
        # Several categories: searched, as "sport and tech" named no one category.
        (
            "subscribe me to sport and tech every morning",
            DailyAsked(("Sport", "Tech"), DailyAsk(("sport", "and", "tech"), None, "morning")),
        ),
        (
            "send me tech & business news daily",
            DailyAsked(("Tech", "Business"), DailyAsk(("tech", "&", "business"), None, None)),
        ),
        # Words naming no category: a question after all.
        ("unsubscribe me from the weather", None),
        ("I want alerts for the election", None),
        ("send me news about chips every morning", None),
    ],
)
def test_a_request_naming_categories_is_one_when_its_words_name_them(
    text: str, expected: SettingRequest | None
) -> None:
    assert isinstance(read_request(text), Unsettled)
    assert setting_request(text, lambda: KNOWN) == expected


def test_a_request_is_the_first_reading_whose_words_name_categories() -> None:
    daily = DailyAsk(("sport",), None, "morning")
    assert Unsettled((UnsubscribeAsked(("weather",)), daily)).settle(KNOWN) == DailyAsked(("Sport",), daily)
    assert Unsettled((UnsubscribeAsked(("sport",)), AlertsAsked(("sport",)))).settle(KNOWN) == UnsubscribeAsked(
        ("sport",)
    )
    # A daily digest of the news, naming none, needs no category named.
    assert Unsettled((AlertsAsked(("weather",)), DailyAsk((), None, None))).settle(()) == DailyAsked(
        (), DailyAsk((), None, None)
    )
    # The chat's own categories count: one whose stories are all gone may still be stopped.
    assert Unsettled((UnsubscribeAsked(("weather",)),)).settle((*KNOWN, "Weather")) == UnsubscribeAsked(("weather",))
