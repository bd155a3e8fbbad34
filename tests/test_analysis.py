"""Text analysis: one function for documents and questions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.analysis import STOPWORDS, analyze, fold, sentences, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Why did Russia invite Dempsey to Moscow?", ["russia", "invit", "dempsey", "moscow"]),
        ("Russia\u2019s missile-defense plans", ["russia", "missildefens", "missil", "defens", "plan"]),
        ("The US and the U.S.", ["us", "us"]),
        ("The IT firm and it", ["it", "firm"]),
        ("WHAT IS IT", []),
        ("It cost $1,000 or 3.5bn in 2013", ["cost", "1000", "3.5bn", "2013"]),
        ("Caf\u00e9 CAFE cafe", ["cafe", "cafe", "cafe"]),
        ("running runs ran", ["run", "run", "ran"]),
    ],
)
def test_analyze(text: str, expected: list[str]) -> None:
    assert analyze(text) == expected


def test_documents_and_questions_share_terms() -> None:
    doc = set(analyze("Gerasimov said Russia and NATO have achieved good results in cooperation."))
    assert set(analyze("What results did NATO and Russia achieve?")) <= doc


def test_stopwords_are_shipped_and_not_downloaded() -> None:
    assert {"the", "what", "which", "is"} <= STOPWORDS
    assert analyze("what is the") == []


def test_fold_removes_accents_and_case() -> None:
    assert fold("Am\u00e9lie \u00c9COLE") == "amelie ecole"


def test_sentences_do_not_split_after_abbreviations() -> None:
    text = "Gen. Gerasimov met U.S. officials on Monday. Mr. Smith left early. Talks resume in May."
    assert sentences(text) == [
        "Gen. Gerasimov met U.S. officials on Monday.",
        "Mr. Smith left early.",
        "Talks resume in May.",
    ]


def test_words_give_spans_of_kept_words() -> None:
    text = "Russia invited Dempsey"
    assert [(text[s:e], t) for s, e, t in words(text)] == [
        ("Russia", "russia"),
        ("invited", "invit"),
        ("Dempsey", "dempsey"),
    ]


@given(st.text(max_size=300))
def test_analyze_never_fails_and_gives_clean_terms(text: str) -> None:
    for term in analyze(text):
        assert term and term == term.strip() and " " not in term
        assert term not in STOPWORDS or term.isupper() is False
