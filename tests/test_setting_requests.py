"""One reading of what a message asks of a chat's settings, for the Telegram bot and `newsbot ask` alike."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import time

import pytest

from bot.render.subscriptions import SUBSCRIBE_USAGE, UNSUBSCRIBE_USAGE
from bot.render.welcome import small_talk
from bot.services.schedule import DailyAsk
from bot.services.setting_requests import (
    AlertsAsked,
    CategoriesAsked,
    CategoryMisnamed,
    DailyAsked,
    DigestAsked,
    SettingRequest,
    SettingsAsked,
    SwitchAsked,
    TimeAsked,
    TimeAway,
    TimeWondered,
    Unsettled,
    UnsubscribeAsked,
    ZoneAsked,
    phrase_request,
    read_request,
    setting_request,
)
from tests.paths import ROOT, SQUAD

KNOWN = ("Sport", "Tech", "Business", "Money", "World")


def unread() -> Sequence[str]:
    raise AssertionError("the categories were read for a message whose words name none")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send me the digest at 8am", TimeAsked("at 8am")),
        # The digest's time in a reader's words, which were searched or read as the digest asked for anew.
        ("my digest should come at 9", TimeAsked("at 9")),
        ("can I get the digest at 6 instead?", TimeAsked("at 6")),
        ("change my digest to the evening", TimeAsked(None, "evening")),
        ("move the digest to the mornings please", TimeAsked(None, "morning")),
        # The time alone, as /time sets it: the reply said "Daily digest on." and that the digest moved.
        ("set the time to 7am", TimeAsked("7am", on=False)),
        ("change the time to 8 please", TimeAsked("8", on=False)),
        ("make it 9pm", TimeAsked("9pm", on=False)),
        ("set the time to the evening", TimeAsked(None, "evening", on=False)),
        ("at 9 instead", TimeAsked("at 9", on=False)),
        # A part of the day as "make it 9pm" names an hour: searched ("No article uses the words “make” or “evening”").
        ("make it the evening", TimeAsked(None, "evening", on=False)),
        ("can you make it the evening?", TimeAsked(None, "evening", on=False)),
        ("evening instead", TimeAsked(None, "evening", on=False)),
        ("morning instead please", TimeAsked(None, "morning", on=False)),
        ("is it the evening?", None),
        ("what did they make in the evening?", None),
        # The news at a time is the digest at that time: "Daily digest on." and that it moved said its time thrice.
        ("send me the news at 7am", TimeAsked("at 7am")),
        ("show me my digest", DigestAsked()),
        ("what's in my digest?", DigestAsked()),
        ("which categories do I follow?", SettingsAsked()),
        ("I live in Berlin", ZoneAsked("Berlin", remark=True)),
        ("set my timezone to London", ZoneAsked("London")),
        ("stop the digest", SwitchAsked("digest", False)),
        ("disable alerts", SwitchAsked("alerts", False)),
        ("turn the digest on", SwitchAsked("digest", True)),
        ("send me the news every morning", TimeAsked(None, "morning")),
        ("send me the news daily", DailyAsked((), DailyAsk((), None, None))),
        ("what categories are there?", CategoriesAsked()),
        ("how many articles do you have?", CategoriesAsked(counted=True)),
        ("what time is my digest?", SettingsAsked()),
        ("What's my timezone?", SettingsAsked()),
        # Questions that merely hold a setting's words stay questions.
        ("is there a daily limit on tech stocks?", None),
        ("why did they stop the alerts system?", None),
        ("when is the morning news?", None),
        ("I don't want news", None),
        ("what was in the digest at 8am?", None),
        ("when does the morning digest come?", None),
        ("what is in the evening digest?", None),
        ("what time zone is Berlin in?", None),
        ("hi", None),
        ("when did the morning papers come out?", None),
        ("is it 9pm?", None),
        ("what time is it in London?", None),
        # A phrase made of a category's name: "follow the money" followed Money at once (the store is not read).
        ("follow the money", None),
        ("stop the world", None),
        ("please follow the money", None),
        ("remove the money", None),
        ("who won the cup final?", None),
        # A time moved away from names no time to move to: "instead of 9pm" moved the digest to 21:00, and "not at
        # 9pm" and "at 7 instead of 9pm" were searched. Asked which, or read as the other time named.
        ("instead of 9pm", TimeAway("9pm")),
        ("not at 9pm", TimeAway("9pm")),
        ("instead of the morning", TimeAway("the morning")),
        ("the digest not in the morning please", TimeAway("the morning")),
        ("at 7 instead of 9pm", TimeAsked("at 7", on=False)),
        ("send it at 7 instead of 9pm", TimeAsked("at 7")),
        ("not at 9pm, at 7am", TimeAsked("at 7am", on=False)),
        ("make it the evening instead of the morning", TimeAsked(None, "evening", on=False)),
        ("should the digest come at 7 instead of 9pm?", TimeWondered("at 7", None)),
        ("why did the match start at 7 instead of 9pm?", None),
        ("why build a bridge instead of a tunnel?", None),
        # A reader coming back: searched, "No article uses the words “send” or “digest”".
        ("send me the digest again", DigestAsked(again=True)),
        ("show me my digest", DigestAsked()),
        # Read whole, "again" was a category's name: searched.
        ("send me the daily digest again", DailyAsked((), DailyAsk((), None, None))),
        ("restart my digest", SwitchAsked("digest", True)),
        ("resume sending the digest", SwitchAsked("digest", True)),
        ("bring back my digest", SwitchAsked("digest", True)),
        ("turn the digest back on", SwitchAsked("digest", True)),
        ("I want my alerts back", SwitchAsked("alerts", True)),
        ("what time is my digest again?", SettingsAsked()),
        ("stop the digest again", SwitchAsked("digest", False)),
        ("when will the trains be back?", None),
        ("is the strike on again?", None),
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
        ("unsubscribe me from sport", UnsubscribeAsked(("sport",), ("Sport",))),
        ("stop following business", UnsubscribeAsked(("business",), ("Business",))),
        ("unfollow tech and sport", UnsubscribeAsked(("tech", "sport"), ("Tech", "Sport"))),
        ("I want alerts for tech", AlertsAsked(("tech",), ("Tech",))),
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
        # A bare verb and a category's name is a request.
        ("follow money", DailyAsked(("Money",), DailyAsk(("money",), None, None))),
        ("stop sport", UnsubscribeAsked(("sport",), ("Sport",))),
        ("add tech", DailyAsked(("Tech",), DailyAsk(("tech",), None, None))),
        ("remove sport", UnsubscribeAsked(("sport",), ("Sport",))),
        # Searched: "No article uses the word ..." of a reader done with a category.
        ("I don't want sport anymore", UnsubscribeAsked(("sport",), ("Sport",))),
        ("i dont want any tech news", UnsubscribeAsked(("tech",), ("Tech",))),
        ("remove sport from my digest", UnsubscribeAsked(("sport",), ("Sport",))),
        # With "the" too when its words say it is the category, how often or when, or use the bot's own verbs.
        ("stop the sport news", UnsubscribeAsked(("sport",), ("Sport",))),
        ("follow the money every morning", DailyAsked(("Money",), DailyAsk(("money",), None, "morning"))),
        ("subscribe me to the money", DailyAsked(("Money",), DailyAsk(("money",), None, None))),
        ("stop following the world", UnsubscribeAsked(("world",), ("World",))),
        # Words naming no category: a question after all.
        ("unsubscribe me from the weather", None),
        ("I don't want to talk about sport", None),
        ("I want alerts for the election", None),
        ("send me news about chips every morning", None),
    ],
)
def test_a_request_naming_categories_is_one_when_its_words_name_them(
    text: str, expected: SettingRequest | None
) -> None:
    assert isinstance(read_request(text), Unsettled)
    assert setting_request(text, lambda: KNOWN) == expected


@pytest.mark.parametrize(
    ("text", "problem", "usage"),
    [
        ("subscribe me to sprot", "There is no category “sprot”: did you mean Sport?", SUBSCRIBE_USAGE),
        ("Subscribe to SPROT", "There is no category “SPROT”: did you mean Sport?", SUBSCRIBE_USAGE),
        ("send me sprot news every evening", "There is no category “sprot”: did you mean Sport?", SUBSCRIBE_USAGE),
        ("subscribe me to sport and tehc", "There is no category “tehc”: did you mean Tech?", SUBSCRIBE_USAGE),
        ("unsubscribe me from sprot", "There is no category “sprot”: did you mean Sport?", UNSUBSCRIBE_USAGE),
        ("follow sprot", "There is no category “sprot”: did you mean Sport?", SUBSCRIBE_USAGE),
        ("stop sprot", "There is no category “sprot”: did you mean Sport?", UNSUBSCRIBE_USAGE),
        ("I want alerts for buisness", "There is no category “buisness”: did you mean Business?", SUBSCRIBE_USAGE),
        # Written as requests, a common word nearly naming a category is one misspelt too.
        ("stop spot", "There is no category “spot”: did you mean Sport?", UNSUBSCRIBE_USAGE),
        ("subscribe me to spots", "There is no category “spots”: did you mean Sport?", SUBSCRIBE_USAGE),
        ("can you stop sending me spot news?", "There is no category “spot”: did you mean Sport?", UNSUBSCRIBE_USAGE),
        ("how do I follow spot?", "There is no category “spot”: did you mean Sport?", SUBSCRIBE_USAGE),
        ("please stop spot", "There is no category “spot”: did you mean Sport?", UNSUBSCRIBE_USAGE),
        # Written as a question, a misspelling that is no English word is the category's still (it was searched).
        ("stop sprot?", "There is no category “sprot”: did you mean Sport?", UNSUBSCRIBE_USAGE),
        ("follow sprot?", "There is no category “sprot”: did you mean Sport?", SUBSCRIBE_USAGE),
        ("send me sprot news every morning?", "There is no category “sprot”: did you mean Sport?", SUBSCRIBE_USAGE),
    ],
)
def test_a_request_whose_words_nearly_name_categories_asks_which_was_meant(text: str, problem: str, usage: str) -> None:
    """A category's name misspelt in words ("subscribe me to sprot") got the line on every subscription command, or
    was searched ("send me sprot news every evening"), where /subscribe sprot asks "did you mean Sport?"; now they
    are asked so too, with the command's usage. A word with no near miss leaves the message a question."""
    listing = "The categories are Business, Money, Sport, Tech and World."
    assert setting_request(text, lambda: KNOWN) == CategoryMisnamed(f"{problem}\n{listing}", usage)


@pytest.mark.parametrize(
    "text",
    ["stop spot?", "follow spot?", "no more spot?", "stop spots?", "send me spot news every morning?",
     "where is the best fishing spot", "stop and search spot checks"],
)  # fmt: skip
def test_a_question_whose_words_nearly_name_categories_is_searched(text: str) -> None:
    """Written as a question, a message whose words read as a request nearly naming a category by a common English
    word ("stop spot?", "follow spot?") asks about something, its word its own: it was asked "did you mean Sport?"
    as "stop spot" is."""
    assert setting_request(text, lambda: KNOWN) is None


def test_a_request_is_the_first_reading_whose_words_name_categories() -> None:
    daily = DailyAsk(("sport",), None, "morning")
    assert Unsettled((UnsubscribeAsked(("weather",)), daily)).settle(KNOWN) == DailyAsked(("Sport",), daily)
    assert Unsettled((UnsubscribeAsked(("sport",)), AlertsAsked(("sport",)))).settle(KNOWN) == UnsubscribeAsked(
        ("sport",), ("Sport",)
    )
    # A daily digest of the news, naming none, needs no category named.
    assert Unsettled((AlertsAsked(("weather",)), DailyAsk((), None, None))).settle(()) == DailyAsked(
        (), DailyAsk((), None, None)
    )
    # The chat's own categories count: one whose stories are all gone may still be stopped.
    assert Unsettled((UnsubscribeAsked(("weather",)),)).settle((*KNOWN, "Weather")) == UnsubscribeAsked(
        ("weather",), ("Weather",)
    )


def test_a_phrase_of_a_bare_verb_reads_as_the_request_it_would_be_for_the_hint_under_its_answer() -> None:
    """ "follow the money" is searched; the command it would be is said under the answer when it names a category."""
    phrase = phrase_request("follow the money")
    assert phrase is not None and phrase.settle(KNOWN) == DailyAsked(("Money",), DailyAsk(("money",), None, None))
    phrase = phrase_request("stop the world")
    assert phrase is not None and phrase.settle(KNOWN) == UnsubscribeAsked(("world",), ("World",))
    assert phrase_request("follow money") is None  # a request, not a phrase
    assert phrase_request("who won the cup final?") is None


def test_no_question_of_the_benchmarks_reads_as_a_request() -> None:
    """The questions bench/quality.py asks, the BBC's (the far ones too) and SQuAD dev's (when ../shared has it), are
    questions: a wider reading of requests ("my digest should come at 9", "set the time to 7am") must leave every one
    of them to be searched, without reading the categories."""
    sets = ("bbc_questions.jsonl", "far_bbc_questions.jsonl")
    lines = [
        line for name in sets for line in (ROOT / "bench" / "data" / name).read_text(encoding="utf-8").splitlines()
    ]
    questions = [json.loads(line)["question"] for line in lines]
    if SQUAD.is_file():
        squad = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
        questions += [qa["question"] for item in squad for paragraph in item["paragraphs"] for qa in paragraph["qas"]]
    assert len(questions) > 100
    assert [(question, read) for question in questions if (read := read_request(question)) is not None] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Asked whether, not told: "should the digest come in the evening?" moved it there and turned it on.
        ("should the digest come in the evening?", TimeWondered(None, "evening")),
        ("will my digest come at 8am?", TimeWondered("at 8am", None)),
        ("Would the digest come in the morning?", TimeWondered(None, "morning")),
        # Asked of the bot, or asked politely, it is a request still.
        ("will you send me the digest at 8am?", TimeAsked("at 8am")),
        ("can the digest come in the morning instead?", TimeAsked(None, "morning")),
        ("my digest should come at 9", TimeAsked("at 9")),
        # /digest off's words and others readers turn it off with: searched ("No article uses ...").
        ("no digest please", SwitchAsked("digest", False)),
        ("No digests", SwitchAsked("digest", False)),
        ("no more digests", SwitchAsked("digest", False)),
        ("stop sending me the digest", SwitchAsked("digest", False)),
        ("digest off", SwitchAsked("digest", False)),
        ("I don't need the digest anymore", SwitchAsked("digest", False)),
        ("unsubscribe me from the digest", SwitchAsked("digest", False)),
        ("no alerts please", SwitchAsked("alerts", False)),
        ("alerts on", SwitchAsked("alerts", True)),
        # Questions holding those words stay questions: one that came not is asked about, not stopped.
        ("why did the paper stop its digest?", None),
        ("is there no digest?", None),
        # A digest missed is asked after, not stopped: the chat's settings say whether it is on and when it comes
        # ("no digest today" turned it off, "today" being no word of a request; the others were searched).
        ("no digest today?", SettingsAsked()),
        ("no digest?", SettingsAsked()),
        ("no digest today", SettingsAsked()),
        ("No digest this morning.", SettingsAsked()),
        # Alerts missed read the same way ("no alerts today" was searched).
        ("no alerts today", SettingsAsked()),
        ("no alerts today?", SettingsAsked()),
        ("No alerts?", SettingsAsked()),
        ("no notifications this morning", SettingsAsked()),
        ("no alerts", SwitchAsked("alerts", False)),
        ("I didn't get my digest", SettingsAsked()),
        ("where's my digest?", SettingsAsked()),
        ("my digest never came", SettingsAsked()),
        # Asked earlier or later (searched): when it comes now, and /time.
        ("send the digest earlier", SettingsAsked()),
        ("can you send it later?", SettingsAsked()),
        ("Could my digest come earlier please?", SettingsAsked()),
        ("move my digest later", SettingsAsked()),
        ("why did the match start later?", None),
        ("make it later", SettingsAsked()),
        # A group's members ask of its settings as theirs together (searched).
        ("what do we get?", SettingsAsked()),
        ("when is our digest?", SettingsAsked()),
        ("what are we subscribed to?", SettingsAsked()),
        ("what time zone are we in?", SettingsAsked()),
        ("we didn't get our digest", SettingsAsked()),
        ("what do we know about Yukos?", None),
        ("what do I get?", SettingsAsked()),
        # A correction's opening word is no category's name: "actually make it 9pm" was searched.
        ("actually make it 9pm", TimeAsked("9pm", on=False)),
        ("no, make it 9pm", TimeAsked("9pm", on=False)),
        ("Actually, send me the digest at 8", TimeAsked("at 8")),
        ("sorry I didn't get my digest", SettingsAsked()),
        ("well done", None),
        ("Well, what happened in Iraq?", None),
        ("stop the digest", SwitchAsked("digest", False)),
        # Where a reader lives is a remark about themselves; a zone named is an order.
        ("I'm in New York", ZoneAsked("New York", remark=True)),
        ("set my timezone to Berlin", ZoneAsked("Berlin")),
    ],
)
def test_a_question_about_the_digest_s_time_changes_nothing_and_the_words_turning_it_off_do(
    text: str, expected: SettingRequest | None
) -> None:
    assert read_request(text) == expected


def test_a_question_about_the_digest_s_time_knows_when_it_comes_then_already() -> None:
    """ "should my digest come in the evening?" of one at 18:00 was told the /time that moves it to the evening."""
    assert TimeWondered(None, "evening").met_by(time(18), "UTC")
    assert not TimeWondered(None, "evening").met_by(time(8), "UTC")
    assert TimeWondered("at 8am", None).met_by(time(8), "UTC")
    assert not TimeWondered("at 8am", None).met_by(time(9), "UTC")
    assert TimeWondered("at 8am Berlin", None).met_by(time(8), "Europe/Berlin")
    assert not TimeWondered("at 8am Berlin", None).met_by(time(8), "UTC")
    assert not TimeWondered("at 8am EST", None).met_by(time(8), "UTC")  # a zone /timezone refuses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The chat's settings asked after: each was searched (a games magazine's "next" year, a virus "alert" site).
        ("when will my digest come?", SettingsAsked()),
        ("When is my next digest?", SettingsAsked()),
        ("is the digest on?", SettingsAsked()),
        ("do I get alerts?", SettingsAsked()),
        # The digest named in a part of the day asks for it then: searched, "morning digest please" found "Please
        # Please Me".
        ("morning digest please", TimeAsked(None, "morning")),
        ("digest every evening", TimeAsked(None, "evening")),
        ("the digest in the morning please", TimeAsked(None, "morning")),
        # Named alone, or asked about, it is no request.
        ("daily digest", None),
        ("what was in the morning digest?", None),
        ("the evening digest was late", None),
        ("is there an evening digest?", None),
    ],
)
def test_a_new_reader_s_words_for_the_digest_s_settings_read_as_they_mean(
    text: str, expected: SettingRequest | None
) -> None:
    assert read_request(text) == expected


@pytest.mark.parametrize(
    "text", ["turn everything off", "pause everything", "can I change the time of my digest?", "daily digest"]
)
def test_words_about_every_setting_at_once_get_the_line_on_the_commands(text: str) -> None:
    """Searched: "turn everything off" found a game where anything could be interacted with, "can I change the time of
    my digest?" a games magazine."""
    assert read_request(text) is None
    assert small_talk(text) == "subscriptions"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A time typed by itself: searched, "6pm" found a sale that closed at 6pm. When the digest comes, and the
        # /time that moves it, answer it; nothing changes on a guess.
        ("6pm", TimeWondered("6pm", None)),
        ("at 8am", TimeWondered("at 8am", None)),
        ("7:30 London", TimeWondered("7:30 London", None)),
        ("every day at 8", TimeWondered("at 8", None)),
        ("noon?", TimeWondered("noon", None)),
        # A number may be a year, a count or a score: searched still.
        ("2004", None),
        ("8", None),
        ("seven", None),
        # The digest or alerts wanted, or started again: searched.
        ("I want alerts", SwitchAsked("alerts", True)),
        ("I'd like the digest please", SwitchAsked("digest", True)),
        ("start the digest again", SwitchAsked("digest", True)),
        ("switch the digest on", SwitchAsked("digest", True)),
        ("I want to read about tsunami alerts", None),
        ("digest now", DigestAsked()),
        ("what's in the digest today?", DigestAsked()),
        ("what time will I get it?", SettingsAsked()),
    ],
)
def test_a_time_alone_and_the_digest_or_alerts_wanted_read_as_a_new_reader_means(
    text: str, expected: SettingRequest | None
) -> None:
    assert read_request(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Searched: "No article uses the word “UTC”". A zone no place could be named by, typed alone.
        ("UTC+2", ZoneAsked("UTC+2", remark=True)),
        ("GMT-5", ZoneAsked("GMT-5", remark=True)),
        ("+03:00", ZoneAsked("+03:00", remark=True)),
        ("Europe/Berlin", ZoneAsked("Europe/Berlin", remark=True)),
        # A place alone is a question's topic, a sign and a number a score or a temperature: searched still.
        ("Berlin", None),
        ("-5", None),
        ("24/7", None),
        ("TCP/IP", None),
    ],
)
def test_a_zone_typed_alone_that_names_no_place_reads_as_the_reader_s_zone(
    text: str, expected: SettingRequest | None
) -> None:
    assert read_request(text) == expected
