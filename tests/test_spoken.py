"""A question dictated to a phone read as it would be typed (bot/spoken.py): the fillers of speech out, numbers
said in words in figures as news writes them. Readers of tests/data/countryside_desk asked so."""

from __future__ import annotations

import pytest

from bot.spoken import read_as_typed


def held(terms: list[str]) -> list[str]:
    """Of `terms`, those of a library whose paragraphs write numbers in figures, never in words, as news does from
    10 up, and "million" after a figure."""
    return [t for t in terms if t[0].isdigit() or t == "million"]


@pytest.mark.parametrize(
    ("said", "typed"),
    [
        # Hesitations and phrases that ask nothing, wherever they are.
        ("um whats the price of wheat a tonne at the moment", "whats the price of wheat a tonne at the moment"),
        ("so basically how many badgers were culled", "so how many badgers were culled"),
        ("okay so erm who is the judge", "who is the judge"),
        ("was it nine millimetres of rain in march or something like that", "was it nine millimetres of rain in march"),
        ("can they take that much from the river is that right", "can they take that much from the river"),
        # "like" filling a pause: at the opening, before a number, "until" or "in total".
        ("so like the fire service said what to walkers", "so the fire service said what to walkers"),
        ("has the order been extended like until when", "has the order been extended until when"),
        ("is it like thirty four degrees", "is it 34 degrees"),
        ("um is it ninety (Ninety homes flooded)", "is it 90 (Ninety homes flooded)"),
        ("how many did they kill like in total", "how many did they kill in total"),
        # Numbers from 10 up in figures, with "and", hyphens, decimals, halves and a million kept in words.
        ("the cull killed seven hundred and two badgers", "the cull killed 702 badgers"),
        ("farmers got two hundred and twelve thousand tonnes", "farmers got 212,000 tonnes"),
        ("a hundred and forty homes", "140 homes"),
        ("twenty-five years", "25 years"),
        ("one point two million trees", "1.2 million trees"),
        ("forty five million litres", "45 million litres"),
        ("thirty six and a half pence", "36.5 pence"),
        # A year said in pairs.
        ("how many trees by twenty thirty", "how many trees by 2030"),
        ("pairs of curlews in twenty sixteen", "pairs of curlews in 2016"),
        ("herds with tb in twenty twenty two", "herds with tb in 2022"),
        ("the driest spring since nineteen seventy four", "the driest spring since 1974"),
    ],
)
def test_a_dictated_question_is_read_as_typed(said: str, typed: str) -> None:
    assert read_as_typed(said, held) == typed


@pytest.mark.parametrize(
    "question",
    [
        # Numbers below 10 as news writes them, in words; a round scale alone; runs that are no one number.
        "the councillors voted eight to three against it",
        "which one closed",
        "a hundred",
        "hundreds of homes",
        # "like" as a word, not a filler.
        "whats the weather like tomorrow",
        "what did the inspectors like about the school",
        "did they like what they saw",
        "what does it look like when it floods",
        "we would like to know who won",
        "do people like the new bus",
        # What a reply names in brackets, its story's headline and the paragraphs seen, as the story writes it.
        "where can i get one? (Fewer than six in ten over-65s have had flu jab) [seen 2aa18719:1]",
        # Nothing but fillers: asked as it was, to be told so.
        "um",
        # Courtesy inside a question, or before "about" (the story on what follows), or alone; a word's piece.
        "how do you say thank you in japanese",
        "can you tell me about the fire",
        "could you tell me something about the fire",
        "thanks",
        "thanks (Man charged over Brackwell post office robbery)",
        "who makes hi-fi speakers",
        "hd support on next generation consoles thx tuffy",
        # "you know" asked, not said to fill a pause.
        "how do you know if you have flu",
        "did you know the school closed",
    ],
)
def test_a_question_as_typed_is_left_as_it_is(question: str) -> None:
    assert read_as_typed(question, held) == question


@pytest.mark.parametrize(
    ("written", "asked"),
    [
        ("Could you tell me how much money was stolen, please?", "how much money was stolen"),
        ("I would be grateful to know how the staff were after the robbery.", "how the staff were after the robbery."),
        ("Good morning. Could you let me know when the case is tried again?", "when the case is tried again?"),
        ("Would you be so kind as to tell me whether knife crime has risen?", "whether knife crime has risen?"),
        ("May I ask who is the new governor?", "who is the new governor?"),
        ("I\u2019d like to know who won", "who won"),
        ("i would like to know who won", "who won"),
        ("hi pls was the robber convicted", "was the robber convicted"),
        ("how much did the council lose thx", "how much did the council lose"),
        ("um could you tell me how hot it got", "how hot it got"),
        ("um do you know when it opens", "when it opens"),
    ],
)
def test_courtesy_around_a_question_is_read_out(written: str, asked: str) -> None:
    """An older reader's full sentences ("Could you let me know when the warehouse fire case will be tried again?" of
    tests/data/courts_desk was answered weakly, "No article uses the words “know” or “tried”") and a chat's "hi pls"
    ask nothing: read out where the question opens, and its thanks where it closes."""
    assert read_as_typed(written, held) == asked


def test_a_number_said_is_in_figures_only_where_the_articles_write_them_and_not_it() -> None:
    """ "eighty seven miles an hour" of a story writing "87mph" (one term) was declined as asking of "87", which no
    article writes: said in words, it is searched as said; "twenty thirty" of one writing "by 2030" as 2030; and "the
    top ten" of stories writing "ten" as said."""
    library = {"2030", "10", "ten", "top", "mph"}
    asked = "gusts of eighty seven miles an hour, the top ten and trees by twenty thirty"
    assert read_as_typed(asked, lambda terms: [t for t in terms if t in library]) == (
        "gusts of eighty seven miles an hour, the top ten and trees by 2030"
    )
