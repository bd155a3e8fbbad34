"""Category names after /subscribe, /unsubscribe and /latest: case, prefixes, near misses, unknown names, "all"."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UsageError
from bot.services.categories import Unmatched, match_categories
from bot.store.categories import key

# The BBC corpus's categories, plus two that share a prefix.
BBC = ("business", "entertainment", "politics", "sport", "tech")
WITH_TRAVEL = (*BBC, "travel")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["sport", "tech"], ("sport", "tech")),
        (["Sport", "TECH"], ("sport", "tech")),
        (["sport,tech"], ("sport", "tech")),
        (["sport, tech;politics"], ("sport", "tech", "politics")),
        (["ent"], ("entertainment",)),
        (["pol", "b"], ("politics", "business")),
        (["tech", "sport", "TECH", "te"], ("tech", "sport")),
        (["#sport."], ("sport",)),
        (["\u201csport\u201d"], ("sport",)),
        (["\uff33\uff30\uff2f\uff32\uff34"], ("sport",)),
    ],
    ids=repr,
)
def test_names_and_unique_prefixes_match(words: list[str], expected: tuple[str, ...]) -> None:
    result = match_categories(words, BBC)
    assert result.matched == expected
    assert result.complete and result.problem() is None
    assert result.names() == expected


def test_the_known_spelling_is_kept() -> None:
    result = match_categories(["business", "SPORT"], ["Business", "Sport", "sport"])
    assert result.matched == ("Business", "Sport")
    assert result.known == ("Business", "Sport")


def test_the_categories_are_listed_alphabetically_whatever_their_case_not_in_the_order_given() -> None:
    """The store gives its categories by count ("Sport" before "arts"); a reader looks them up alphabetically, as
    the digests and /mysubs list them."""
    by_count = ["Sport", "Local", "arts", "Science"]
    problem = match_categories(["weather"], by_count).problem()
    assert problem == "There is no category “weather”.\nThe categories are Arts, Local, Science and Sport."
    aside = match_categories(["sport", "weather"], by_count).aside()
    assert aside.endswith("The categories are Arts, Local, Science and Sport.")
    assert match_categories(["s"], by_count).ambiguous == (Unmatched("s", ("Science", "Sport")),)
    assert match_categories(["all"], by_count).some_names(by_count) == ("arts", "Local", "Science", "Sport")


def test_the_list_of_categories_is_not_worded_as_the_ones_a_chat_follows() -> None:
    """ "Categories: News." is how /mysubs says what a chat follows; after "/subscribe weather" it read as if the
    chat followed News."""
    assert (
        match_categories(["weather"], ["News"]).problem()
        == "There is no category “weather”.\nThe one category is News."
    )
    assert match_categories(["news", "weather"], ["News"]).aside().endswith("\nThe one category is News.")


def test_an_exact_name_wins_over_a_longer_one_it_starts() -> None:
    assert match_categories(["tech"], ["technology", "tech"]).matched == ("tech",)
    assert match_categories(["techn"], ["technology", "tech"]).matched == ("technology",)


def test_a_prefix_of_several_is_ambiguous() -> None:
    result = match_categories(["t", "sport"], WITH_TRAVEL)
    assert result.matched == ("sport",)
    assert result.ambiguous == (Unmatched("t", ("tech", "travel")),)
    assert not result.complete
    problem = result.problem()
    assert problem is not None
    assert "“t” could be Tech or Travel." in problem
    assert problem.endswith("The categories are Business, Entertainment, Politics, Sport, Tech and Travel.")


@pytest.mark.parametrize(
    ("word", "suggestions"),
    [
        ("sprot", ("sport",)),
        ("sporst", ("sport",)),
        ("buisness", ("business",)),
        ("Bussiness", ("business",)),
        ("politcs", ("politics",)),
        ("entertainement", ("entertainment",)),
        ("teck", ("tech",)),
    ],
)
def test_near_misses_get_did_you_mean(word: str, suggestions: tuple[str, ...]) -> None:
    result = match_categories([word], BBC)
    assert result.unknown == (Unmatched(word, suggestions),)
    problem = result.problem()
    assert problem is not None and f"did you mean {suggestions[0].capitalize()}?" in problem


@pytest.mark.parametrize(
    ("words", "matched"), [(["sports"], ("sport",)), (["Sports", "politic"], ("sport", "politics"))]
)
def test_a_plural_or_singular_typed_is_the_category(words: list[str], matched: tuple[str, ...]) -> None:
    """The store files "Sports" and "Sport" as one category (`bot.store.categories.key`), yet "/latest sports" was
    told there is no category "sports" (did you mean Sport?)."""
    assert match_categories(words, BBC).matched == matched


def test_a_word_of_a_category_s_name_suggests_it() -> None:
    """ "/subscribe news" where the only category with that word is World News was told there is no category
    "news", with nothing to try."""
    result = match_categories(["news"], (*BBC, "World News"))
    assert result.unknown == (Unmatched("news", ("World News",)),)
    problem = result.problem()
    assert problem is not None and "did you mean World News?" in problem


def test_the_names_understood_go_ahead_of_the_words_not() -> None:
    result = match_categories(["sport", "tehc", "t", "gardening"], WITH_TRAVEL)
    assert result.some_names() == ("sport",)
    with pytest.raises(UsageError):
        result.names()
    assert result.aside() == (
        "“t” could be Tech or Travel.\n"
        "There is no category “tehc”: did you mean Tech?\n"
        "There is no category “gardening”.\n"
        "The categories are Business, Entertainment, Politics, Sport, Tech and Travel."
    )
    assert match_categories(["all", "weather"], BBC).some_names(["sport"]) == ("sport",)
    assert match_categories(["sport", "sprot"], BBC).aside() == "There is no category “sprot”: did you mean Sport?"
    assert match_categories(["sport"], BBC).aside() == ""
    with pytest.raises(UsageError, match=re.escape("There is no category “weather”.\nThe categories are Business,")):
        match_categories(["weather"], BBC).some_names()


def test_unknown_names_are_listed_with_the_categories() -> None:
    result = match_categories(["weather", "sport", "gardening"], BBC)
    assert result.matched == ("sport",)
    assert [item.word for item in result.unknown] == ["weather", "gardening"]
    assert all(item.candidates == () for item in result.unknown)
    assert result.problem() == (
        "There is no category “weather”.\n"
        "There is no category “gardening”.\n"
        "The categories are Business, Entertainment, Politics, Sport and Tech."
    )
    with pytest.raises(UsageError, match="no category “weather”"):
        result.names()


def test_a_word_repeated_is_reported_once() -> None:
    result = match_categories(["weather", "Weather", "weather"], BBC)
    assert len(result.unknown) == 1


@pytest.mark.parametrize("words", [[], [""], ["  ", ",", ";"]], ids=repr)
def test_no_words_asks_for_a_category(words: list[str]) -> None:
    result = match_categories(words, BBC)
    assert result.matched == () and not result.complete
    assert (
        result.problem()
        == "Name one or more categories.\nThe categories are Business, Entertainment, Politics, Sport and Tech."
    )


def test_unknown_names_are_echoed_as_typed_every_one() -> None:
    """Matching ignores the punctuation around a word ("<sport>" is sport), the echo keeps it."""
    result = match_categories(["<b>x</b>", "&amp;", "<sport>", "tech;", "(weather)"], BBC)
    assert result.matched == ("sport", "tech")
    assert [item.word for item in result.unknown] == ["<b>x</b>", "&amp;", "(weather)"]
    problem = result.problem()
    assert problem is not None and problem.startswith(
        "There is no category “<b>x</b>”.\nThere is no category “&amp;”.\nThere is no category “(weather)”."
    )


def test_all_names_every_category_unless_one_is_called_that() -> None:
    result = match_categories(["All"], BBC)
    assert result.everything and result.complete and result.matched == ()
    assert result.names(BBC) == BBC and result.names() == ()
    assert match_categories(["all", "sport"], BBC).names(["sport", "tech", "sport"]) == ("sport", "tech")
    assert not match_categories(["all", "weather"], BBC).complete  # the unknown word is still reported
    called_all = match_categories(["all"], [*BBC, "All"])
    assert not called_all.everything and called_all.names(BBC) == ("All",)
    # "all" means the categories to come too, so it names something before any exists.
    nothing_yet = match_categories(["all"], [])
    assert nothing_yet.everything and nothing_yet.complete and nothing_yet.names() == ()


def test_everything_names_every_category_as_all_does() -> None:
    """ "/unsubscribe everything" said there was no category "everything"."""
    result = match_categories(["Everything"], BBC)
    assert result.everything and result.complete and result.names(BBC) == BBC


def test_words_that_together_are_a_name_name_it() -> None:
    known = ["World News", "News", "Arts, culture & film", "World"]
    assert match_categories(["world", "news"], known).names() == ("World News",)
    assert match_categories(["Arts,", "Culture", "&", "film"], known).names() == ("Arts, culture & film",)
    assert match_categories(["news", "world"], known).names() == ("News", "World")  # not a name: word by word


def test_a_name_typed_without_its_accents_names_it_unless_one_is_spelt_so() -> None:
    known = ["Économie", "Política", "Santé publique", "España"]
    assert match_categories(["economie", "POLITICA"], known).names() == ("Économie", "Política")
    assert match_categories(["eco", "espana"], known).names() == ("Économie", "España")
    assert match_categories(["sante", "publique"], known).names() == ("Santé publique",)
    both = ["Économie", "Economie"]
    assert match_categories(["economie"], both).names() == ("Economie",)
    assert match_categories(["économie"], both).names() == ("Économie",)


def test_no_categories_yet() -> None:
    result = match_categories(["sport"], [])
    assert result.unknown == (Unmatched("sport", ()),)
    assert result.problem() == "There are no categories yet."


def test_a_pasted_paragraph_gives_a_short_message() -> None:
    words = [f"word{number}" for number in range(200)] + ["x" * 500]
    problem = match_categories(words, BBC).problem()
    assert problem is not None
    assert problem.count("\n") == 6
    assert "…and 196 more words not understood." in problem
    assert len(problem) < 500


@given(st.sampled_from(BBC), st.integers(1, 13), st.data())
def test_any_case_and_any_unique_prefix_names_the_category(name: str, length: int, data: st.DataObject) -> None:
    prefix = name[:length]
    typed = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in prefix)
    others = [other for other in BBC if other != name and other.startswith(prefix)]
    result = match_categories([typed], BBC)
    if others:
        assert result.ambiguous and not result.matched
    else:
        assert result.matched == (name,)


@given(st.lists(st.text(alphabet="abeiloprstuvTESPx", min_size=1, max_size=8), max_size=8))
def test_every_word_is_accounted_for(words: list[str]) -> None:
    """Each word names a matched category or is reported; a message exists exactly when something is reported. A
    word names a category its key starts (`key`: a plural's "s" aside, so "SPoS" is "spo" of "sport")."""
    result = match_categories(words, WITH_TRAVEL)
    reported = {item.word.lower() for item in (*result.ambiguous, *result.unknown)}
    for word in words:
        named = any(key(name).startswith(key(word)) for name in result.matched)
        assert word.lower() in reported or named or (word.lower() == "all" and result.everything), word
    assert set(result.matched) <= set(WITH_TRAVEL)
    assert (result.problem() is None) == result.complete
    if not result.complete:
        with pytest.raises(UsageError):
            result.names()


@given(st.lists(st.text(max_size=20), max_size=8))
def test_any_text_gives_a_result_not_an_error(words: list[str]) -> None:
    result = match_categories(words, WITH_TRAVEL)
    assert (result.problem() is None) == result.complete
