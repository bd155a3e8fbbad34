"""Text analysis: one function for documents and questions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nltk.stem.snowball import SnowballStemmer

import bot.analysis
from bot.analysis import (
    BASE_FORMS,
    IRREGULAR_PLURALS,
    IRREGULAR_VERBS,
    STOPWORDS,
    analyze,
    cased_terms,
    fold,
    more_often_whole,
    sentences,
    words,
)
from tests.paths import BBC, needs_bbc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Why did Russia invite Dempsey to Moscow?", ["russia", "invit", "dempsey", "moscow"]),
        ("Russia\u2019s missile-defense plans", ["russia", "missiledefens", "missil", "defens", "plan"]),
        ("The US and the U.S.", ["us", "us"]),
        ("The IT firm and it", ["it", "firm"]),
        ("WHAT IS IT", []),
        ("It cost $1,000 or 3.5bn in 2013", ["cost", "1000", "3.5bn", "2013"]),
        ("Caf\u00e9 CAFE cafe", ["cafe", "cafe", "cafe"]),
        ("running runs ran", ["run", "run", "run"]),
        # Typed without apostrophes, as on a phone: "whats" was "what", a term no article has (a stopword there).
        ("whats the deal, whos in? dont know", ["deal", "know"]),
    ],
)
def test_analyze(text: str, expected: list[str]) -> None:
    assert analyze(text) == expected


@pytest.mark.parametrize(
    ("joined", "hyphenated"),
    [
        ("ereader", "e-reader"),
        ("antisocial", "anti-social"),
        ("offroader", "off-roader"),
        ("selfdriving", "self-driving"),
        ("cooperation", "co-operation"),
    ],
)
def test_a_word_typed_joined_is_the_whole_of_the_hyphenated_word(joined: str, hyphenated: str) -> None:
    """A reader types "ereader" for the e-reader a story writes: its whole was the parts' stems joined ("ereader"),
    the word typed joined another stem ("eread"), and the question was declined, "No article uses the word
    “ereader”"."""
    assert analyze(joined)[0] == analyze(hyphenated)[0]


def test_documents_and_questions_share_terms() -> None:
    doc = set(analyze("Gerasimov said Russia and NATO have achieved good results in cooperation."))
    assert set(analyze("What results did NATO and Russia achieve?")) <= doc


@pytest.mark.parametrize(
    ("document", "question"),
    [
        ("The judge said the owner ignored warnings.", "What did the judge say?"),
        ("Rovers won the cup.", "Who wins the cup?"),
        ("A drinks group bought the brewery.", "Who is buying the brewery?"),
        ("The minister went to Dunmore.", "Where does the minister go?"),
        ("The minister goes to Dunmore.", "Where did the minister go?"),
        ("A painting stolen in 1987 was returned.", "Who steals paintings?"),
        ("The well-known brewery", "Who knows the brewery?"),
        ("She has written to the council.", "Who writes to the council?"),
    ],
)
def test_an_irregular_verbs_forms_meet_its_base_and_its_regular_forms(document: str, question: str) -> None:
    """Snowball keeps "said" apart from "say": "what did the judge say" met nothing of "the judge said"."""
    assert set(analyze(question)) <= set(analyze(document))


def test_irregular_forms_that_are_other_words_too_are_left_alone() -> None:
    """ "found" (to found a company), "left" (the left), "the Met" or "the Fed" are not read as a verb's past, and
    no form or base is a stopword (a base that is one would be a term no question has)."""
    assert {"found", "left", "saw", "felt", "met", "fed", "rose", "fell", "spoke", "lay", "bound"}.isdisjoint(
        IRREGULAR_VERBS
    )
    assert IRREGULAR_VERBS["said"] == "say" and IRREGULAR_VERBS["won"] == "win"
    assert not (set(IRREGULAR_VERBS) | set(IRREGULAR_VERBS.values())) & STOPWORDS
    assert analyze("Who won? It won't.") == ["win"]


@pytest.mark.parametrize(
    ("document", "question"),
    [
        ("Bus drivers will strike.", "When do the buses stop?"),
        ("The buses stop at midnight.", "Which bus is late?"),
        ("A crisis at the council.", "What crises did it face?"),
        ("Women and children were rescued.", "Was a woman or a child hurt?"),
        ("Women's football is growing.", "womens"),
        ("A new children's ward.", "childrens"),
        ("Spokesmen for both firms declined.", "What did the spokesman say?"),
        ("Mice were found in the kitchen.", "Where was the mouse?"),
        ("Two knives were seized.", "Was a knife found?"),
        ("The criteria were changed.", "Which criterion changed?"),
    ],
)
def test_an_irregular_plural_meets_its_singular(document: str, question: str) -> None:
    """Snowball makes "buses" "buse" and keeps "women" and "crises" ("crise") apart from their singulars: "when do
    the buses stop?" met nothing of a story on a bus strike."""
    assert set(analyze(question)) & set(analyze(document)) - {"say", "hurt", "chang", "found"}


def test_irregular_plurals_that_are_other_words_too_are_left_alone() -> None:
    """ "lives" (she lives), "leaves", "analyses" (he analyses), "media" (the press) and "dice" (to die) are not
    read as a singular; no plural is a verb's form too, and none is a stopword."""
    assert {"lives", "leaves", "halves", "shelves", "bases", "axes", "analyses", "media", "dice"}.isdisjoint(
        IRREGULAR_PLURALS
    )
    assert not set(IRREGULAR_PLURALS) & set(IRREGULAR_VERBS)
    assert not (set(IRREGULAR_PLURALS) | set(IRREGULAR_PLURALS.values())) & STOPWORDS
    assert analyze("She lives here") == analyze("she lived here") != analyze("a life here")
    assert "man" not in analyze("The MEN newspaper")


@pytest.mark.parametrize(
    ("acronym", "verb", "base"),
    [
        ("New LED street lights", "Police led the march", "Police lead the march"),
        ("The SAID agency", "She said no", "She says no"),
    ],
)
def test_a_word_in_capitals_amid_lower_case_is_an_acronym_not_a_verbs_form(acronym: str, verb: str, base: str) -> None:
    """ "LED" was read as "lead", so "LED lights" met "led the march" and "lead" of every story. Written so in a
    headline all in capitals, it is still a verb ("POLICE LED THE MARCH")."""
    assert not set(analyze(acronym)) & set(analyze(verb))
    assert set(analyze(verb.upper())) == set(analyze(verb)) == set(analyze(base))


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            "\u0928\u0930\u0947\u0902\u0926\u094d\u0930 \u092e\u094b\u0926\u0940",
            ["नरेंद्र", "मोदी"],
        ),  # Hindi vowels are marks
        ("\u0645\u064f\u062d\u064e\u0645\u064e\u0651\u062f", ["مُحَمَّد"]),  # Arabic, with its vowels written
        ("re\u0301sume\u0301 cafe\u0301", ["résumé", "café"]),  # accents typed apart
        (
            "\u03a4\u03c3\u03af\u03c0\u03c1\u03b1\u03c2 \u5317\u4eac \u05d4\u05d0\u05e8\u05e5",
            ["Τσίπρας", "北京", "הארץ"],
        ),
    ],
)
def test_a_word_with_marks_in_it_is_one_word(text: str, written: list[str]) -> None:
    """Combining marks inside a word keep it whole, in every script: "मोदी" was two terms, "म" and "द"."""
    assert [text[s:e] for s, e, _ in words(text)] == [w for w in text.split()]
    assert len(analyze(text)) == len(written)
    assert analyze(text) == analyze(" ".join(written))


@pytest.mark.parametrize(("text", "terms"), [("\U0001f327\ufe0f storm?", ["storm"]), ("\u2764\ufe0f", [])])
def test_marks_alone_are_no_word(text: str, terms: list[str]) -> None:
    """An emoji's variation selector (U+FE0F, a combining mark) was a word of its own: "🌧️ storm?" was told that no
    article uses the word "️", an invisible character."""
    assert analyze(text) == terms


def test_stopwords_are_shipped_and_not_downloaded() -> None:
    assert {"the", "what", "which", "is"} <= STOPWORDS
    assert analyze("what is the") == []


def test_fold_removes_accents_and_case() -> None:
    assert fold("Am\u00e9lie \u00c9COLE") == "amelie ecole"


def test_fold_writes_a_letter_no_accent_can_be_taken_from_as_readers_type_it() -> None:
    """Letters that are no letter with an accent (Unicode gives them no decomposition) are typed as the letters
    they are read as: "soren kjaergaard" of a story naming "Søren Kjærgaard" was a word no article used."""
    assert fold("S\u00f8ren Kj\u00e6rgaard") == "soren kjaergaard"
    others = "\u00d8RSTED \u0141\u00f3d\u017a \u0152uvre \u00deingvellir \u0110or\u0111e"
    assert fold(others) == "orsted lodz oeuvre thingvellir dorde"


def test_sentences_do_not_split_after_abbreviations() -> None:
    text = "Gen. Gerasimov met U.S. officials on Monday. Mr. Smith left early. Talks resume in May."
    assert sentences(text) == [
        "Gen. Gerasimov met U.S. officials on Monday.",
        "Mr. Smith left early.",
        "Talks resume in May.",
    ]


@pytest.mark.parametrize(
    ("text", "capitalised", "lower"),
    [
        # A word opening a sentence, past a quote too, is counted neither way.
        ('"Rain fell," said Ann Lee. Rain stopped. (Rain) came: Rain. In the rain', ["Ann", "Lee"], ["rain"]),
        # A full stop inside a word ("U.S.Navy", one token) opens no sentence in it.
        ("Ships of the U.S.Navy and the navy", ["U.S.Navy"], ["navy"]),
        # Nor does a sentence open after a comma and a run of spaces.
        ("The storms,          Kerry said", ["Kerry"], ["storms"]),
    ],
)
def test_cased_terms_count_words_where_no_sentence_begins(text: str, capitalised: list[str], lower: list[str]) -> None:
    """`cased_terms` counts each term's capitalised and lower-case uses past a sentence's first word."""
    upper_in, lower_in = cased_terms(text)
    assert dict(upper_in) == dict.fromkeys([t for w in capitalised for t in analyze(w)], 1)
    for word in lower:
        (term,) = analyze(word)
        assert lower_in.get(term) == 1 and term not in upper_in


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


_MARKS = "".join(ch for ch in map(chr, range(0x300, 0x10000)) if unicodedata.category(ch).startswith("M"))
# The token pattern as nltk wrote it, on Unicode words that go on through combining marks, for all text alike.
_PLAIN_TOKEN = re.compile(r"{w}+(?:[-'./,&]{w}+)*+".format(w=f"[\\w{re.escape(_MARKS)}]"))
_STEMMER = SnowballStemmer("english")


def _plain_stem(word: str, inflected: bool = True) -> str:
    if not bot.analysis._HAS_LETTER.search(word):
        return word
    stemmed: str = _STEMMER.stem(BASE_FORMS.get(word, word) if inflected else word)
    return stemmed


def _plainly_analysed(text: str) -> list[str]:
    """`analyze` without its shortcuts: curly apostrophes translated, tokens by the Unicode pattern in all text,
    no token cache, and nltk's stemmer called on every word."""
    translated = text.translate({0x2019: "'", 0x2018: "'", 0x02BC: "'", 0x60: "'"})
    shouting = text.isupper()
    return [term for raw in _PLAIN_TOKEN.findall(translated) for term in bot.analysis._token_terms(raw, shouting, "en")]


@needs_bbc
def test_every_bbc_text_is_analysed_as_plainly_word_by_word() -> None:
    """Analysis takes shortcuts for speed (an ASCII-only pattern for ASCII text, apostrophes straightened only where
    there are any, terms and stems cached per token): BBC headlines and paragraphs, and some in capitals (read as
    shouting), must still give the very terms, word by word, that analysing them plainly gives. Every eighth text,
    to keep the plain stemming's time down: `bench/analysis.py` compares all of them with another revision's."""
    with BBC.open(encoding="utf-8") as lines:
        articles = [json.loads(line) for line in lines if line.strip()]
    texts = [text for article in articles for text in (article["title"], *article["paragraphs"])][::8]
    texts += [text.upper() for text in texts[::8]]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.analysis, "stem", _plain_stem)
        plain = [_plainly_analysed(text) for text in texts]
    for text, expected in zip(texts, plain, strict=True):
        assert analyze(text) == expected, text
        assert [term for _, _, term in words(text)] == expected, text


def test_a_short_common_word_is_whole_when_used_more_than_the_words_it_begins() -> None:
    """An inline query's last word typed so far is whole when likelier finished than begun (`Library.being_typed`):
    "war" is used more than "warm" or "warning", "egg" more than anything but "eggs", its own plural; "pre", "con"
    and "cha", pieces the common words' list holds, are used less than "president", "control" and "change"."""
    whole = ("war", "egg", "tax", "uk")
    assert all(map(more_often_whole, whole))
    assert not any(map(more_often_whole, ("pre", "con", "cha", "th", "qz")))


# Stems every language's stemmer with nltk's modules as analysis loads them, then with nltk imported whole (those
# modules dropped and loaded again), and prints whether nltk's package ran before and whether both agree.
_BOTH_NLTKS = """
import json, sys
from importlib.resources import files
import bot.analysis
{before}
from bot.analysis import STEMMERS, sentences, stem
text = "Gen. Smith came at 5 p.m. on Monday. He left! U.S. officials said so. Then the end."
split = sentences(text), stem("running")
whole_before = "nltk" in sys.modules or "nltk.corpus.reader" in sys.modules
data = files("bot.data")
words = [line.split()[0] for line in data.joinpath("english_frequencies_en.txt").read_text().splitlines()[3::10]]
words += [w for lang in ("de", "es", "fr", "it") for w in data.joinpath(f"stopwords_{{lang}}.txt").read_text().split()]
def stems():
    from nltk.stem.snowball import SnowballStemmer
    return [[SnowballStemmer(language).stem(word) for word in words] for language in STEMMERS.values()]
loaded = stems()
for name in [name for name in sys.modules if name.startswith("nltk")]:
    del sys.modules[name]
import nltk
print(json.dumps([whole_before, loaded == stems(), split[0] == sentences(text), len(words)]))
"""


@pytest.mark.parametrize(
    ("before", "whole"),
    [
        ("", False),
        # An nltk whose modules need more of their packages than analysis gives them (as nltk.cli does).
        ('bot.analysis.NLTK_MODULES = (*bot.analysis.NLTK_MODULES, "nltk.cli")', True),
    ],
)
def test_nltk_s_stemmers_and_punkt_load_without_its_package_and_work_as_with_it(before: str, whole: bool) -> None:
    """nltk's package __init__ imports all of nltk (0.12-0.14 s of CPU in every process that analyses text) for its
    Snowball stemmers and Punkt, which load without it and stem and split as they do with it; an nltk whose
    modules need more of it is imported whole."""
    script = _BOTH_NLTKS.format(before=before)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    whole_before, same_stems, same_sentences, count = json.loads(result.stdout.splitlines()[-1])
    assert (whole_before, same_stems, same_sentences) == (whole, True, True) and count > 2_000
