"""Questions asked of a library of four stories and the shipped one (tests/data/four_stories): a lunar lander,
beekeepers and Asian hornets, a council's e-bike battery ban, a young esports champion. So few paragraphs that
most words of a question are in none of them, and what a word missing by chance is, or is not, matters."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.analysis import analyze
from bot.config import Settings
from bot.library import Library
from bot.models import Article, Hit, Passage, StoredArticle
from bot.retrieval import (
    Candidate,
    as_news_writes,
    as_phrased,
    asks_done,
    asks_of_before,
    compose,
    count_asked,
    counts_what_is_asked,
    counts_where_asked,
    deed_told_only_ahead,
    met_first,
    met_only_in_names,
    news_phrasings,
    news_words,
    phrasings,
    ranking_of,
    search,
    tells_of_asked,
    tells_of_time_asked,
    told_only_as_some,
    updates,
    writes_asked_in_story,
    writes_time_or_sum_in_story,
)
from tests.conftest import built_once
from tests.paths import BBC, DATA, ROOT, needs_bbc

# BBC reports on a runner, James McIlroy: "McIlroy aiming for Madrid title" and "McIlroy wins 800m indoor title".
RUNNER_STORIES = {"sport/014", "sport/060"}


def bbc_stories(root: Path, name: str, keep: Callable[[dict[str, Any]], bool]) -> Path:
    """A file in `root` of the BBC records (read from ../shared: their text is not the project's to keep) `keep`
    takes."""
    stories = root / f"{name}.jsonl"
    with BBC.open(encoding="utf-8") as bbc:
        stories.write_text("".join(line for line in bbc if keep(json.loads(line))), encoding="utf-8")
    return stories


def library_of(tmp_path_factory: pytest.TempPathFactory, root: Path, *stories: Path) -> Iterator[Library]:
    """A library in `root` of `stories` and the shipped story, with vectors, closed after the module's tests: a copy
    of the one built once per run (`built_once`)."""

    def build(folder: Path) -> None:
        library = Library.open(Settings(data_dir=folder / "data", corpus_dir=ROOT / "corpus"))
        library.ingest(list(stories))
        library.embed()
        library.close()

    shutil.copytree(built_once(tmp_path_factory, "library", stories, build) / "data", root / "data")
    library = Library.open(Settings(data_dir=root / "data", corpus_dir=ROOT / "corpus"))
    yield library
    library.close()


def shown_cases(name: str) -> list[dict[str, Any]]:
    """The questions of a question set in tests/data that name the passages answering them (`gold`), without those
    it lists as missed (still answered wrongly: in bench/quality_notes.md, not asserted)."""
    cases = json.loads((DATA / name).read_text(encoding="utf-8"))["questions"]
    return [c for c in cases if "gold" in c and "missed" not in c]


@pytest.fixture(scope="module")
def four(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("four_stories"), DATA / "four_stories")


def test_a_word_before_a_name_the_stories_give_another_is_not_lacking_by_chance(four: Library) -> None:
    """ "who won the world cup" was answered confidently by the esports story: its champion "won the European
    Fortnite Cup", and "world", which no story writes, was taken for a word the library lacks by chance. The
    stories name another cup: that is no answer, and the reader is told which word none of them uses."""
    answer = four.ask(four.request("who won the world cup"))
    assert not answer.found, answer
    assert answer.reason == "Nothing in the articles answers that. No article uses the word \u201cworld\u201d."
    assert [a.title for a in answer.closest] == ["Esports club signs 16-year-old Fortnite champion from Leeds"]
    # The cup the stories name is still found when asked after as they write it.
    cup = four.ask(four.request("who won the cup"))
    assert cup.confident and "Fortnite Cup" in cup.passages[0].text, cup


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("what is the fine", "Tenants who break the rule face a \u00a3250 fine"),
        ("how many nests", "Beekeepers in Kent have found 41 Asian hornet nests"),
    ],
)
def test_a_question_of_one_word_is_answered_by_the_passages_holding_it(
    four: Library, question: str, first: str
) -> None:
    """ "what is the fine" was declined and "how many nests" a weak answer, though a passage gives each: the
    encoder found the bare question far from it (0.20 and 0.38), and with so few stories nothing was nearer. Asked
    of one word, they are answered as the word typed alone is."""
    answer = four.ask(four.request(question))
    assert answer.confident and answer.passages[0].text.startswith(first), answer


@pytest.mark.parametrize("question", ["what did he say", "what did she say"])
def test_a_question_pointing_back_at_someone_unnamed_is_not_one_word(four: Library, question: str) -> None:
    """Weighed as "say" typed alone, "what did he say" was answered confidently by the esports story's "she said":
    who "he" is, it does not say, and nothing here tells it."""
    answer = four.ask(four.request(question))
    assert not (answer.found and answer.confident), answer


@pytest.fixture(scope="module")
def athletics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The shipped story (a missile defence talk, which ends on Russia's "nuclear missile arsenal") and two BBC
    reports on a runner, read from ../shared (their text is not the project's to keep), with vectors."""
    root = tmp_path_factory.mktemp("athletics")
    yield from library_of(
        tmp_path_factory, root, bbc_stories(root, "mcilroy", lambda record: record["id"] in RUNNER_STORIES)
    )


@needs_bbc
@pytest.mark.parametrize("question", ["what about arsenal", "arsenal"])
def test_a_word_typed_is_not_answered_beside_by_another_story_that_never_writes_it(
    athletics: Library, question: str
) -> None:
    """Under the one paragraph that writes "arsenal", a confident answer showed a runner's two paragraphs: the
    encoder took the word for the football club (0.39), and they were shown as answering too, though they hold no
    word of the question."""
    answer = athletics.ask(athletics.request(question))
    assert answer.confident and answer.passages, answer
    assert {p.article.title for p in answer.passages} == {"Russia Invites US Military Chief to Missile Defense Talks"}
    # Asked after in its own words, the runner's story is still there.
    runner = athletics.ask(athletics.request("McIlroy indoor title"))
    assert runner.confident and "McIlroy" in runner.passages[0].text, runner


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The shipped story alone (a new user's first library), with vectors."""
    library = Library.open(Settings(data_dir=tmp_path_factory.mktemp("shipped") / "data", corpus_dir=ROOT / "corpus"))
    library.embed()
    yield library
    library.close()


def test_a_number_in_a_name_is_no_amount_asked_for(shipped: Library) -> None:
    """ "How many missiles does Russia have?" was answered confidently by the shipped story's "US SM-3 Block IIB
    interceptors by 2020", whose only numbers are a year and a name's; the story gives no count of anything. It
    writes "missiles" and counts none, so it is declined (`writes_counted`; a weak answer before)."""
    answer = shipped.ask(shipped.request("How many missiles does Russia have?"))
    assert not answer.found, answer


@pytest.mark.parametrize("question", ["What does Russia want from NATO?", "what does russia demand from nato"])
def test_a_word_unwritten_beside_names_every_paragraph_holds_is_no_decline(shipped: Library, question: str) -> None:
    """Of the shipped story alone, whose every paragraph names Russia or NATO, "What does Russia want from NATO?" was
    declined ("No article uses the word “want”"): with the names that common, "want" was taken for all that tells
    whether the story is there, and the story never writes it. It is there: NATO's refusal of the legal guarantees
    Russia asks for answers, if in other words."""
    answer = shipped.ask(shipped.request(question))
    assert answer.found, answer
    assert any("legal guarantees" in p.text for p in answer.passages), answer


@pytest.mark.parametrize("question", ["what missiles might russia deploy", "what missiles could russia deploy"])
def test_a_modal_verb_asks_nothing_of_a_story(shipped: Library, question: str) -> None:
    """ "what missiles might russia deploy" was declined of the shipped story on Russia's missile deployment, which
    never writes "might": "No article uses the word “might”". Like "can" and "will", a modal verb only frames."""
    answer = shipped.ask(shipped.request(question))
    assert answer.confident and "tactical nuclear missile deployment" in answer.passages[0].text, answer


def test_a_question_word_typed_short_is_read_as_meant(four: Library) -> None:
    """ "wat about the hornets" is asked as "what about the hornets": "wat" was a word no article uses, and the
    question not one asking for the story on the hornets."""
    meant = four.ask(four.request("what about the hornets"))
    short = four.ask(four.request("wat about the hornets"))
    assert short.confident and short.passages == meant.passages, short
    assert four.ask(four.request("hw many nests")).passages[0].text.startswith("Beekeepers in Kent have found 41")


@pytest.mark.parametrize("question", ["bees", "what about bees", "bee"])
def test_a_word_the_stories_write_only_in_compounds_is_found_in_them(four: Library, question: str) -> None:
    """ "bees" was declined ("No article uses the word “bees”") where the story writes "Beekeepers", "beekeeping"
    and "honeybees": it is searched as the compound the stories write most."""
    answer = four.ask(four.request(question))
    assert answer.confident and answer.passages[0].text.startswith("Beekeepers in Kent have found 41"), answer


@pytest.fixture(scope="module")
def weather(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The BBC stories that write "weather" (read from ../shared), with vectors: none tells what it is today."""
    if not BBC.is_file():
        pytest.skip(f"BBC corpus not found at {BBC}")
    root = tmp_path_factory.mktemp("weather")
    yield from library_of(
        tmp_path_factory, root, bbc_stories(root, "weather", lambda r: "weather" in " ".join(r["paragraphs"]).lower())
    )


def test_a_question_word_and_a_word_many_stories_write_is_no_keyword(weather: Library) -> None:
    """ "what is the weather" was answered confidently, by a story on the weather and US consumption: weighed as
    "weather" typed alone, as "what is the fine" is where one paragraph writes "fine". Many paragraphs write
    "weather" and none says what it is: the question is declined, and the word typed alone still finds them."""
    assert not weather.ask(weather.request("what is the weather")).found
    typed = weather.ask(weather.request("weather"))
    assert typed.confident and "weather" in typed.passages[0].text, typed


@pytest.fixture(scope="module")
def first_week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A new newsroom's first ten stories (tests/data/first_week: a council's parking vote, a tribunal, a cup tie, an
    e-reader's launch, a snow warning, an obituary, a food maker's results, hedgehogs on verges, a bus strike, a
    school's inspection) and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("first_week"), DATA / "first_week")


@pytest.mark.parametrize(
    "question", ["how did the council vote on parking in 2019", "what did the council decide about parking in 2019"]
)
def test_a_year_no_story_writes_is_no_word_lacked_by_chance(first_week: Library, question: str) -> None:
    """ "how did the council vote on parking in 2019" was answered confidently by the council's vote of November
    2026: no paragraph writes "2019", which a small library was taken to lack by chance, as it may lack "watched"
    where its story says "in front of 6,000 fans"; the sentence holding the question's other words then counted as
    holding them all. A number is no other way of saying what a story says: the reader is told no article uses it,
    and shown the council's headline."""
    answer = first_week.ask(first_week.request(question))
    assert not (answer.found and answer.confident), answer
    assert "\u201c2019\u201d" in answer.reason, answer
    asked = answer.closest[0] if not answer.found else answer.passages[0].article
    assert asked.title == "Ashford Vale council votes to scrap free town centre parking"
    # Asked without the year, the vote answers it.
    vote = first_week.ask(first_week.request("how did the council vote on parking"))
    assert vote.confident and "voted by 23 to 17" in vote.passages[0].text, vote


@pytest.mark.parametrize(
    ("library", "question", "word"),
    [
        ("first_week", "who is the mayor of ashford vale", "mayor"),
        ("second_week", "who is the mayor of westhaven metro", "mayor"),
        ("second_week", "who is the manager of dunmere rovers", ""),
    ],
)
def test_the_words_of_a_name_are_no_rare_meeting(
    request: pytest.FixtureRequest, library: str, question: str, word: str
) -> None:
    """ "who is the mayor of ashford vale" was answered confidently (1.00) by the council's vote, which names Ashford
    Vale and no mayor: "mayor", which no story writes, was taken for a word a small library lacks by chance, and
    "ashford" and "vale", each in 2 of the 61 paragraphs, for two words meeting by chance in 0.1 paragraphs, as if
    the paragraph holding them were about the question. The words of a name meet wherever it is written: the passages
    may help, and the reader is told which word no story uses."""
    stories: Library = request.getfixturevalue(library)
    answer = stories.ask(stories.request(question))
    if word:
        assert answer.found and not answer.confident, answer
        assert f"No article uses the word \u201c{word}\u201d" in answer.reason, answer
    else:
        # A question the story answers, the name's words and all, stays a confident answer.
        assert answer.confident and any("manager Elaine Foster" in p.text for p in answer.passages), answer


@pytest.mark.parametrize("question", ["how much did the hedgehog study cost", "how much is a bus ticket in norbridge"])
def test_a_bar_of_0_declines_nothing_the_story_holds(first_week: Library, question: str) -> None:
    """At a `min_answerability` of 0 (`NEWSBOT_MIN_ANSWERABILITY=0`, and bench/quality.py's first stages alone, said
    to decline nothing) an answer shows what the search found: the rules declining a story that does not write what
    is asked (no sum here) declined at any bar, and the stages alone declined a fifth of the unanswerable questions."""
    request = first_week.request(question)
    shown = compose(request, search(request, first_week.engine, first_week.store, first_week.semantic), 0.0)
    assert shown.found and shown.passages, shown


@pytest.mark.parametrize("question", ["ereader", "how much is the ereader"])
def test_a_hyphenated_word_typed_joined_finds_its_story(first_week: Library, question: str) -> None:
    """ "ereader" was declined, "No article uses the word “ereader”", of a library whose story launches an e-reader."""
    answer = first_week.ask(first_week.request(question))
    assert answer.confident and answer.passages, answer
    assert answer.passages[0].article.title == "Brightloop unveils solar-charged e-reader that runs for a year"


@pytest.mark.parametrize("question", ["how much did the hedgehog study cost", "how much is a bus ticket in norbridge"])
def test_how_much_something_cost_is_declined_where_no_sum_is_written(first_week: Library, question: str) -> None:
    """ "how much did the hedgehog study cost" was answered confidently (0.91) by the study's lede, whose "64 of the
    animals" is a number and no price: no story says what the study cost. Asked what something costs, pays or is
    worth, or how much a thing is ("how much is a bus ticket in norbridge" was answered confidently, 0.99, by the
    bus strike's "Around 450 bus drivers"), a passage answers with a sum of money, and a story none of whose
    passages shown gives one does not answer at all (`writes_time_or_sum_in_story`; both were weak answers)."""
    answer = first_week.ask(first_week.request(question))
    assert not answer.found and answer.reason.startswith("Nothing in the articles answers that."), answer
    # A sum the story gives answers so, confidently.
    for asked, first in [
        ("how much will drivers pay to park", "Drivers will pay \u00a31.20 an hour"),
        ("how much does the brightloop sol cost", "The Brightloop Sol has a 7-inch screen"),
    ]:
        told = first_week.ask(first_week.request(asked))
        assert told.confident and told.passages[0].text.startswith(first), told


@pytest.mark.parametrize(
    "question", ["how much prize money did dunmore get", "what is the striker okafor's deal worth"]
)
def test_money_asked_by_what_it_is_is_declined_where_no_sum_is_written(first_week: Library, question: str) -> None:
    """ "how much prize money did dunmore get" was a weak answer (0.85) with the cup tie's report, which gives no sum:
    "how much (prize) money", "what is X worth?" and "what does X earn?" ask for money as "how much did it cost?" does
    (`_ASKS_MONEY`), and a story none of whose passages shown writes a sum does not answer them
    (`writes_time_or_sum_in_story`). unans67's BBC questions "What is Alex McLeish's contract at Rangers worth?" and
    "What does William Gallas earn a week at Chelsea?" were answered confidently by their stories' ledes so."""
    answer = first_week.ask(first_week.request(question))
    assert not answer.found, answer


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("how much snow is expected in the pennines", "Up to 25cm of snow could fall"),
        ("how much did the tenants get back", "A landlord has been ordered to repay \u00a318,400"),
    ],
)
def test_how_much_is_answered_first_by_the_story_s_passage_giving_an_amount(
    first_week: Library, question: str, first: str
) -> None:
    """ "how much snow is expected in the pennines" led with the warning's lede ("an amber warning for snow and ice
    covering the Pennines ... from 6pm on Saturday"), which says when and not how much, above "Up to 25cm of snow
    could fall", ranked 0.03 below it; "how much did the tenants get back" with their solicitor's words above the
    £18,400 they were repaid."""
    answer = first_week.ask(first_week.request(question))
    assert answer.found and answer.passages[0].text.startswith(first), answer


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("who runs brightloop", "Brightloop unveils solar-charged e-reader that runs for a year"),
        ("who is in charge of brightloop", "Brightloop unveils solar-charged e-reader that runs for a year"),
        ("who is the boss of harlow foods", "Harlow Foods profits fall as shoppers switch to own-label brands"),
    ],
)
def test_who_runs_a_company_is_answered_first_by_the_passage_naming_its_head(
    first_week: Library, question: str, title: str
) -> None:
    """ "who runs brightloop" led with the launch's lede, where the e-reader "can run for twelve months" (the word
    the question was found by, with the headline's "runs for a year"), above "Chief executive Hannah Lindqvist
    said", 0.7 below it: who runs a company is who the story names at its head."""
    answer = first_week.ask(first_week.request(question))
    assert answer.found and answer.passages[0].article.title == title, answer
    assert answer.passages[0].text.startswith("Chief executive"), answer


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("what is new at the school?", "A secondary school in Lowmoor"),
        ("anything new from the tribunal?", "A landlord has been ordered to repay"),
    ],
)
def test_what_is_new_asks_for_the_story(first_week: Library, question: str, first: str) -> None:
    """ "what is new at the school" was declined, "No article uses the word “new”": like "what's new with", it
    asks for the school's story."""
    answer = first_week.ask(first_week.request(question))
    assert answer.confident and answer.passages[0].text.startswith(first), answer


@pytest.fixture(scope="module")
def spelt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Five one-paragraph stories, by words alone: a misspelling's suggestion needs no vectors."""
    library = Library.open(Settings(data_dir=tmp_path_factory.mktemp("spelt") / "data", semantic="off"))
    library.add(
        [
            Article(title="Van hits shelter", paragraphs=("Two people were injured when a van hit a bus shelter.",)),
            Article(title="Volunteers thanked", paragraphs=("The mayor thanked those who kindly gave their time.",)),
            Article(title="Bridge", paragraphs=("Builders have sent in tenders for the new bridge.",)),
            Article(title="Baths reopen", paragraphs=("The old Roman baths reopened to visitors on Monday.",)),
            Article(title="Soup", paragraphs=("Chefs said the soup had a bitter taste.",)),
        ]
    )
    yield library
    library.close()


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # Typos of words the stories write: asked after.
        ("injurd", "injured"),
        ("kindyl", "kindly"),
        ("tendrs", "tenders"),
        ("tatse", "taste"),
        # English words the stories lack, one edit from words they write: not misspellings.
        ("kindle", None),
        ("insured", None),
        ("lenders", None),
        ("tasty", None),
        ("maths", None),
    ],
)
def test_a_word_is_asked_after_only_when_it_is_no_english_word(spelt: Library, typed: str, meant: str | None) -> None:
    """ "kindle" was asked after as "Did you mean “kindly”?": the encoder's vocabulary, which told English words
    from misspellings, lacks it (and "insured", "tasty"); the common English words are words too."""
    answer = spelt.ask(spelt.request(typed))
    assert not answer.found, answer
    if meant is None:
        assert "Did you mean" not in answer.reason, answer.reason
    else:
        assert answer.reason.endswith(f"Did you mean \u201c{meant}\u201d?"), answer.reason


@pytest.mark.parametrize("question", ["buses", "when do the buses stop?", "who drives the buses"])
def test_an_irregular_plural_finds_the_story_writing_its_singular(first_week: Library, question: str) -> None:
    """ "buses" was declined of the bus strike's story, "No article uses the word “buses”": Snowball makes it "buse",
    and the story writes "bus drivers". An irregular plural is read as its singular
    (bot/data/irregular_plurals_en.txt)."""
    answer = first_week.ask(first_week.request(question))
    assert answer.found and answer.passages[0].text.startswith("Around 450 bus drivers"), answer
    assert "\u201cbuses\u201d" not in answer.reason, answer


@pytest.mark.parametrize(
    "question", ["who leads the council?", "who runs the council", "who is in charge of the council"]
)
def test_who_leads_something_is_asked_as_the_role_the_stories_name_beside_it(
    first_week: Library, question: str
) -> None:
    """ "who leads the council?" led with a hedgehog study's "Lead author Dr Naomi Achterberg said councils could
    help", the noun "lead" met by the verb, and "who runs the council" was declined: the council's story names its
    head by the role ("Council leader Priya Natarajan said"), never by the verb. Asked for that role, both are
    answered by it."""
    answer = first_week.ask(first_week.request(question))
    assert answer.confident and answer.passages[0].text.startswith("Council leader Priya Natarajan"), answer


@pytest.fixture(scope="module")
def compounds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Six one-paragraph stories writing compounds apart ("head teacher", "web site") or joined ("lifeboat",
    "email", "cooperate"), by words alone."""
    library = Library.open(Settings(data_dir=tmp_path_factory.mktemp("compounds") / "data", semantic="off"))
    library.add(
        [
            Article(
                title="School praised", paragraphs=("The head teacher, Ann Lowe, thanked parents for their support.",)
            ),
            Article(
                title="Library online", paragraphs=("Visits to the library's web site doubled after the relaunch.",)
            ),
            Article(title="Walkers rescued", paragraphs=("A lifeboat crew rescued two walkers cut off by the tide.",)),
            Article(
                title="Fraud warning",
                paragraphs=("Police warned residents about a fake email asking for bank details.",),
            ),
            Article(title="Talks", paragraphs=("The two unions agreed to cooperate on a joint pay claim.",)),
            Article(title="Pets", paragraphs=("A car was found near the pet shop on Tuesday.",)),
        ]
    )
    yield library
    library.close()


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("who is the headteacher", "The head teacher, Ann Lowe"),
        ("how many visited the website", "Visits to the library's web site"),
        ("what did the life boat do", "A lifeboat crew rescued"),
        ("e mail", "Police warned residents"),
        ("co operate", "The two unions agreed"),
    ],
)
def test_a_compound_typed_joined_or_apart_meets_it_written_the_other_way(
    compounds: Library, question: str, first: str
) -> None:
    """ "who is the headteacher" was declined of a story naming its "head teacher" ("No article uses the word
    “headteacher”"), and "who is the head teacher" of one naming its "Headteacher" (tests/data/first_week): a
    compound is searched as the articles write it when they never write it as typed."""
    answer = compounds.ask(compounds.request(question))
    assert answer.found and answer.passages[0].text.startswith(first), answer


def test_a_word_is_not_split_into_two_that_no_story_writes_side_by_side(compounds: Library) -> None:
    """ "carpet" is no "car pet": the stories write both words, never together."""
    answer = compounds.ask(compounds.request("carpet"))
    assert not answer.found and answer.reason.endswith("No article uses the word \u201ccarpet\u201d."), answer


def test_two_words_the_stories_write_are_not_searched_as_a_name_they_make_joined(tmp_path: Path) -> None:
    """ "new man" was searched as "newman" where a story names Paul Newman and none writes "new man" side by side:
    the headline question "Glazer makes new Man Utd approach?" lost both words."""
    library = Library.open(Settings(data_dir=tmp_path / "data", semantic="off"))
    try:
        library.add(
            [
                Article(title="Theatre", paragraphs=("Paul Newman opened the theatre on Friday.",)),
                Article(title="Bridge", paragraphs=("A new bridge opened across the river.",)),
                Article(title="Court", paragraphs=("The man was fined for blocking the road.",)),
            ]
        )
        answer = library.ask(library.request("what did the new man open"))
    finally:
        library.close()
    assert answer.found and answer.passages[0].text.startswith("A new bridge opened"), answer


@pytest.mark.parametrize("question", ["who is the head teacher", "head teacher"])
def test_two_words_the_stories_write_joined_find_them(first_week: Library, question: str) -> None:
    """ "who is the head teacher" was declined of a newcomer's stories, one of which names "Headteacher Rachel
    Osei": no story writes "teacher" apart, nor "head teacher"."""
    answer = first_week.ask(first_week.request(question))
    assert answer.confident and "Headteacher Rachel Osei" in answer.passages[0].text, answer


@pytest.fixture(scope="module")
def second_week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Another newsroom's ten stories (tests/data/second_week: a care home owner jailed, a tram strike, a winger's
    transfer, a supermarket's results, flood warnings, a walking study, homes on an airfield, a folding laptop, a
    school's inspection, nurses' pay) and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("second_week"), DATA / "second_week")


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("what did the judge say?", "Judge Amira Castell told Truro Crown Court"),
        ("what did the forecaster say", "Forecaster Jenna Holt said"),
    ],
)
def test_what_someone_said_is_answered_by_the_passage_giving_their_words(
    second_week: Library, question: str, first: str
) -> None:
    """Both were declined, though one paragraph gives each one's words: "say" is in most paragraphs of ten stories
    ("said"), so a passage writing "told" held a sixth less of the question, the encoder found the bare question far
    from any paragraph (0.32 and 0.28), and even one writing "Forecaster ... said", every word of it, did not count as
    those words typed (they meet by chance in 0.9 paragraphs of 54). What someone said a story tells in its own words:
    "say" only frames the question."""
    answer = second_week.ask(second_week.request(question))
    assert answer.confident and answer.passages[0].text.startswith(first), answer


@pytest.mark.parametrize(
    ("question", "word"),
    [("what do residents think of the new homes", "think"), ("how do residents feel about the new homes", "feel")],
)
def test_what_someone_thinks_is_no_word_the_stories_lack(second_week: Library, question: str, word: str) -> None:
    """ "what do residents think of the new homes" was told that no article uses "think", and "how do they feel" that
    none uses "feel": the stories give what people think as what they said."""
    answer = second_week.ask(second_week.request(question))
    assert answer.found and word not in answer.reason, answer
    assert answer.passages[0].article.title == "Lowfield council approves 300 homes on former airfield", answer


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("how long is the tram strike", "Trams in Westhaven stopped running at 4am on Monday"),
        ("how long was the care home owner jailed for?", "The former owner of a care home in Kellmoor"),
    ],
)
def test_how_long_is_answered_first_by_the_story_s_passage_giving_a_span(
    second_week: Library, question: str, first: str
) -> None:
    """ "how long is the tram strike" led with the operator's pay offer ("a 4.5% pay rise", and buses "every 20
    minutes"), above the lede's "48-hour strike": how long asks for a span of time or length."""
    answer = second_week.ask(second_week.request(question))
    assert answer.found and answer.passages[0].text.startswith(first), answer


# BBC Sport reports that write "Isle" (Ireland, "the Emerald Isle"), the "Western Mail" and "cancelled out".
ISLES_IN_SPORT = {"sport/252", "sport/401", "sport/403"}


@pytest.fixture(scope="module")
def storm_and_sport(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Three BBC Sport reports (read from ../shared) and a storm that cancels ferries (tests/data/newcomer, no
    category), by words alone: the semantic stage off, as before a new library's vectors are made."""
    root = tmp_path_factory.mktemp("storm")
    sport = bbc_stories(root, "sport", lambda record: record["id"] in ISLES_IN_SPORT)
    library = Library.open(Settings(data_dir=root / "data", semantic="off"), seed_corpus=False)
    library.ingest([sport, DATA / "newcomer" / "storm-elin.txt"])
    yield library
    library.close()


@needs_bbc
def test_a_category_s_chance_words_do_not_answer_what_a_story_outside_it_holds_whole(
    storm_and_sport: Library,
) -> None:
    """ "Why were ferries to the western isles cancelled?" asked in Sport was answered confidently by rugby's
    "Emerald Isle", a "Western Mail" and a goal that "cancelled out" a lead: by words alone a passage holding a
    quarter of the question scores as an answer. The storm story outside Sport holds it all: within Sport nothing
    answers (and the command line names the storm story, `_answered_without`)."""
    question = "Why were ferries to the western isles cancelled?"
    within = storm_and_sport.ask(storm_and_sport.request(question, category="Sport"))
    assert not within.found and within.limited, within
    everywhere = storm_and_sport.ask(storm_and_sport.request(question))
    assert everywhere.confident and everywhere.passages[0].article.title.startswith("Storm Elin"), everywhere
    # A question a Sport story holds is answered within Sport as before.
    grand_slam = storm_and_sport.ask(storm_and_sport.request("Grand Slam prospect for Wales", category="Sport"))
    assert grand_slam.found and grand_slam.passages[0].article.title == "Celts savour Grand Slam prospect", grand_slam


# The shipped story's headline (corpus/).
SHIPPED_HEADLINE = "Russia Invites US Military Chief to Missile Defense Talks"
# BBC stories on the 2004 tsunami's aid and costs, and the G7's African debt relief, which share their headlines'
# words ("tsunami", "aid", "debt", "Sri Lanka").
AID_STORIES = {
    "politics/017",
    "politics/195",
    "politics/135",
    "politics/191",
    "business/241",
    "business/228",
    "business/398",
    "entertainment/104",
}


@pytest.fixture(scope="module")
def aid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Those BBC stories (read from ../shared) and the shipped one, with vectors."""
    root = tmp_path_factory.mktemp("aid")
    yield from library_of(tmp_path_factory, root, bbc_stories(root, "aid", lambda record: record["id"] in AID_STORIES))


def bbc_headline(record_id: str) -> str:
    """The headline of a BBC record (read from ../shared: its text is not the project's to keep)."""
    with BBC.open(encoding="utf-8") as bbc:
        [title] = [record["title"] for record in map(json.loads, bbc) if record["id"] == record_id]
    return str(title)


@needs_bbc
@pytest.mark.parametrize(
    ("story", "reply"),
    [
        ("business/241", "when was that?"),  # the G7 on Africa's debts
        ("politics/135", "who said that?"),  # the UK's tsunami aid
        ("business/398", "when was that?"),  # the tsunami's cost to Sri Lanka
        ("shipped", "how much will it cost?"),
    ],
)
def test_a_follow_up_pointing_back_is_answered_from_the_story_it_follows(aid: Library, story: str, reply: str) -> None:
    """ "when was that?" of the G7's debt relief showed a tsunami aid story beside it, and "how much will it cost?"
    of the missile defence talks the G7's story: searched with the followed story's headline, other stories sharing
    its words came in. A reply pointing back ("that", "it", "she") asks of the story it follows."""
    headline = SHIPPED_HEADLINE if story == "shipped" else bbc_headline(story)
    [followed] = [p.article for p in aid.ask(aid.request(headline)).passages[:1]]
    assert followed.title == headline
    answer = aid.ask(aid.request(aid.follow_up(reply, [followed.id])))
    assert answer.found and {p.article.title for p in answer.passages} == {headline}, answer


@pytest.mark.parametrize("question", ["who won?", "who won"])
def test_who_did_something_is_no_word_typed_alone_where_no_story_tells_of_it(
    second_week: Library, question: str
) -> None:
    """ "who won?" was answered confidently of ten stories none of which is of a contest, by a nurse saying members
    had "won respect as well as money": weighed as "won" typed alone, the one passage writing it held it all. A
    question asking who did something asks after a deed a story tells of."""
    answer = second_week.ask(second_week.request(question))
    assert not (answer.found and answer.confident), answer
    # A deed a story's headline tells of is still answered so: "Rovers sign Brazilian winger ...".
    signed = second_week.ask(second_week.request("who signed?"))
    assert signed.confident and signed.passages[0].text.startswith("Dunmere Rovers have signed"), signed


@pytest.mark.parametrize(
    ("question", "answers"),
    [
        ("how many pupils does oakridge have", ("declined", "declined")),
        ("how much did greenbasket pay its chief executive", ("declined", "weak")),
    ],
)
def test_a_passage_not_writing_what_is_asked_for_is_no_confident_answer(
    second_week: Library, second_week_by_words: Library, question: str, answers: tuple[str, str]
) -> None:
    """ "how many pupils does oakridge have" was answered confidently (0.98) by the head teacher thanking "staff and
    pupils", and "how much did greenbasket pay its chief executive" by the chief executive's words on prices: each
    holds most of the question's words and no number at all. A question asking for an amount, a span or who is in
    charge is not answered confidently by a passage that writes none (`answers`: with vectors, and by words alone).
    The school's story writes "pupils" and counts none of them: declined whatever the score (`writes_counted`; a weak
    answer before).
    Asked for a sum, with vectors, the story's passages shown (the chief executive's) give none, and it is declined
    (`writes_time_or_sum_in_story`); by words alone the results' lede shows beside them, with the profits in pounds."""
    for library, expected in zip((second_week, second_week_by_words), answers, strict=True):
        answer = library.ask(library.request(question))
        got = ("confident" if answer.confident else "weak") if answer.found else "declined"
        assert got == expected, answer
    # Where the passage writes what is asked, it answers confidently.
    homes = second_week.ask(second_week.request("how many homes will be built at lowfield"))
    assert homes.confident and "300 homes" in homes.passages[0].text, homes


@pytest.fixture(scope="module")
def second_week_by_words(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The ten stories of tests/data/second_week and the shipped one by words alone: the semantic stage off, as
    before a new library's vectors are made."""
    root = tmp_path_factory.mktemp("second_week_by_words")
    library = Library.open(Settings(data_dir=root / "data", corpus_dir=ROOT / "corpus", semantic="off"))
    library.ingest([DATA / "second_week"])
    yield library
    library.close()


@pytest.mark.parametrize("question", ["how long is the road", "how long is the march", "how long is the weather"])
def test_by_words_alone_a_passage_holding_only_the_question_s_frame_does_not_answer(
    second_week_by_words: Library, question: str
) -> None:
    """By words alone "how long is the road" was answered confidently (0.86) by a researcher's "good news for people
    who find a long walk hard to fit in", and "how long is the weather" shown that passage as one that may help: the
    only word of the question it holds is the "long" of "how long", which only frames the question, and the fitted
    words-alone answerability gave a passage holding nothing of the question 0.76. It holds nothing asked."""
    answer = second_week_by_words.ask(second_week_by_words.request(question))
    assert not answer.found, answer
    # Asked of what a story tells, it is still answered by its words alone.
    strike = second_week_by_words.ask(second_week_by_words.request("how long is the tram strike"))
    assert strike.confident and strike.passages[0].text.startswith("Trams in Westhaven stopped running"), strike


def test_a_story_that_never_comes_near_a_word_another_story_writes_is_no_confident_answer(
    second_week: Library, second_week_by_words: Library
) -> None:
    """ "who is the chief executive of nimbus" was answered confidently by the laptop maker's founder: only the
    supermarket's story names a chief executive, and the laptop's story never comes near the words, not even by
    meaning. Its passages may help; a confident answer they are not. By words alone it was answered confidently by
    the supermarket's chief executive, whose story never names Nimbus, a name the laptop's story writes: rare
    together as "chief executive" is, it is no other way of saying the name."""
    for library in (second_week, second_week_by_words):
        answer = library.ask(library.request("who is the chief executive of nimbus"))
        assert not (answer.found and answer.confident), answer
    # Asked after what each story tells, both are answered confidently.
    for asked, first in [
        ("who is the founder of nimbus", "Founder Lucas Brandt"),
        ("who is the chief executive of greenbasket", "Chief executive Rhian Marsh"),
    ]:
        told = second_week.ask(second_week.request(asked))
        assert told.confident and told.passages[0].text.startswith(first), told


@pytest.mark.parametrize(
    ("library", "question"),
    [("second_week", "who scored for rovers on saturday"), ("first_week", "who won the fa trophy")],
)
def test_who_did_something_is_no_confident_answer_from_a_passage_not_telling_that_deed(
    request: pytest.FixtureRequest, second_week: Library, library: str, question: str
) -> None:
    """ "who scored for rovers on saturday" was answered confidently (0.93) by the new winger's words on Rovers, which
    say he could make his debut on Saturday and nothing of a goal, and "who won the fa trophy" (0.88) by the winner
    headed in a cup tie that only reached the third round: each holds the question's other words, not its deed. No
    story answers either: its passages may help."""
    stories: Library = request.getfixturevalue(library)
    answer = stories.ask(stories.request(question))
    assert not (answer.found and answer.confident), answer
    # A passage telling of the deed still answers, confidently.
    paid = second_week.ask(second_week.request("who paid for the study"))
    assert paid.confident and paid.passages[0].text.startswith("The study, paid for by the charity"), paid


def test_the_word_asking_for_money_is_met_by_a_sum(first_week: Library) -> None:
    """ "how much will parking cost" was a weak answer above the council's "Drivers will pay £1.20 an hour": other
    stories write "cost" ("the cost of cocoa"), the council's never does, so its story was taken not to come near
    the question. A sum of money is what "cost" asks for."""
    answer = first_week.ask(first_week.request("how much will parking cost"))
    assert answer.confident and answer.passages[0].text.startswith("Drivers will pay \u00a31.20 an hour"), answer


@pytest.mark.parametrize(
    ("library", "question"),
    [("second_week", "how tall is lucas brandt"), ("first_week", "how fast is the brightloop sol")],
)
def test_a_measure_asked_for_is_no_confident_answer_from_a_passage_not_writing_one(
    request: pytest.FixtureRequest, library: str, question: str
) -> None:
    """ "how tall is lucas brandt" was answered confidently by the founder's words on a hinge folded "200,000 times",
    and "how fast is the brightloop sol" by its "7-inch screen" and "210 grams": no story says how tall or how
    fast. How tall, fast, heavy or old asks for a number in its unit (or an age)."""
    stories: Library = request.getfixturevalue(library)
    answer = stories.ask(stories.request(question))
    assert not (answer.found and answer.confident), answer


@pytest.mark.parametrize(
    ("library", "question", "first"),
    [
        ("first_week", "how far did the hedgehogs travel", "The animals covered an average of 1.8km a night"),
        ("second_week", "how high will the river severn rise", "River levels at Shrewsbury are forecast to peak"),
        ("first_week", "how old was margaret ellery", "Margaret Ellery, one of the first women"),
    ],
)
def test_a_measure_asked_for_is_answered_first_by_the_story_s_passage_writing_it(
    request: pytest.FixtureRequest, library: str, question: str, first: str
) -> None:
    """ "how far did the hedgehogs travel" led with the study's lede ("up to three times further"), above "The
    animals covered an average of 1.8km a night", and "how high will the river severn rise" with the forecaster's
    words on the rain, above the river's peak "at about 4.9 metres"."""
    stories: Library = request.getfixturevalue(library)
    answer = stories.ask(stories.request(question))
    assert answer.found and answer.passages[0].text.startswith(first), answer


def test_a_sentence_whose_subject_points_back_tells_of_whoever_the_one_before_names(first_week: Library) -> None:
    """ "will halloran appeal?" was declined above the tribunal story's "Mr Halloran told the tribunal he had not
    known how bad the mould was ... He has 28 days to appeal.": its words, rare together, count as typed keywords
    when one sentence holds them all, and "he" names no one. A sentence whose subject points back tells of whoever
    the one before names."""
    answer = first_week.ask(first_week.request("will halloran appeal?"))
    assert answer.confident and "He has 28 days to appeal." in answer.passages[0].text, answer


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("what was the previous record fee", "The previous club record was"),
        ("what was the previous club record fee?", "The previous club record was"),
        ("when will the fold 17 go on sale", "The device will go on sale"),
    ],
)
def test_a_word_the_story_s_lede_tells_is_not_lacking_from_the_passage(
    second_week: Library, second_week_by_words: Library, question: str, first: str
) -> None:
    """ "what was the previous record fee" was declined (0.31) of the transfer story, whose last paragraph answers
    it: "The previous club record was the £9.5m Rovers paid for striker Owen Bale in 2024." The story names the fee
    once, in its lede ("a club record fee of £14m"), as the laptop's names the Fold 17 before "The device will go on
    sale ... on 4 November" (a weak answer, 0.79). A word the story's lede tells is no word the paragraph lacks."""
    for library in (second_week, second_week_by_words):
        answer = library.ask(library.request(question))
        assert answer.confident and answer.passages[0].text.startswith(first), answer
    # A word another story writes and this one never does is still lacking: the laptop's story has a price.
    price = second_week.ask(second_week.request("what was the previous record price"))
    assert not (price.found and price.confident), price


def test_a_story_missing_words_another_story_tells_together_is_no_confident_answer(second_week: Library) -> None:
    """ "how many residents objected to the tram strike" was answered confidently (0.95) by the tram strike's
    operator: "tram" and "strike" meet rarely, so the story was taken to be about the question and to tell its other
    words in its own, but the residents who objected are the airfield homes' (another story), and the tram story
    comes near neither word. Words of the question that another story tells together ask of that story."""
    answer = second_week.ask(second_week.request("how many residents objected to the tram strike"))
    assert not (answer.found and answer.confident), answer
    # Asked of the story that tells it, it is answered confidently.
    homes = second_week.ask(second_week.request("how many residents objected to the homes"))
    assert homes.confident and "more than 900 residents" in homes.passages[0].text, homes


@pytest.mark.parametrize(
    "question", ["when is the next nurses strike", "when is the next tram strike", "where will the fold 17 be made"]
)
def test_what_is_ahead_is_no_confident_answer_from_a_passage_telling_what_has_been(
    second_week: Library, second_week_by_words: Library, question: str
) -> None:
    """ "when is the next nurses strike" was answered confidently (0.93) by "a dispute that led to three days of
    strikes in October", "when is the next tram strike" (0.94) by the strike that began on Monday, and "where will
    the fold 17 be made" (0.83) by the founder's four years "making a hinge": none of the stories tells of a strike
    to come or of where the laptop will be made. Asked of what is ahead, a passage telling only what has been is no
    confident answer."""
    for library in (second_week, second_week_by_words):
        answer = library.ask(library.request(question))
        assert not (answer.found and answer.confident), answer
    # A passage telling what is ahead, and when, still answers confidently.
    back = second_week.ask(second_week.request("when will tram services return to normal"))
    assert back.confident and back.passages[0].text.startswith("Services are due to return to normal"), back


def test_of_a_story_s_sums_the_one_naming_whom_the_question_names_answers(
    second_week: Library, first_week: Library
) -> None:
    """ "how much did rovers pay for mendes" led with "The previous club record was the £9.5m Rovers paid for striker
    Owen Bale in 2024.", Mendes named only in its headline, above the lede's "signed Brazilian winger Tiago Mendes
    ... for a club record fee of £14m". Of a story's sums, the one whose paragraph names whom the question names
    answers it."""
    answer = second_week.ask(second_week.request("how much did rovers pay for mendes"))
    assert answer.confident and answer.passages[0].text.startswith("Dunmere Rovers have signed"), answer
    # A question asking for no amount is answered as before, by a passage naming no one again.
    trained = first_week.ask(first_week.request("where did margaret ellery train?"))
    assert trained.confident and trained.passages[0].text.startswith("Born in Swansea in 1935, she trained"), trained


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("when was nimbus founded?", "when did the nurses strike?"),
        ("how many nurses work at harbourside hospital?", "how many residents objected to the homes"),
        ("how many people were injured in the tram strike?", "how many residents objected to the homes"),
    ],
)
def test_when_and_how_many_are_no_confident_answer_from_a_passage_giving_no_time_or_count(
    second_week: Library, second_week_by_words: Library, question: str, asked: str
) -> None:
    """ "when was nimbus founded?" was answered confidently (0.87) by the founder's words at the laptop's launch, which
    give no time, and "how many nurses work at harbourside hospital?" (0.98) by "71% of members who took part backed
    the deal": no story says either; nor how many were hurt in the tram strike (confident by "a 48-hour strike").
    "When?" asks for a time, told beside what is asked, and "how many?" for a count, which no share, sum of money or
    span is."""
    for library in (second_week, second_week_by_words):
        answer = library.ask(library.request(question))
        assert not (answer.found and answer.confident), answer
    # Asked of what a story tells, each is answered confidently.
    told = second_week.ask(second_week.request(asked))
    assert told.confident, told


def test_done_only_frames_a_question(second_week: Library, second_week_by_words: Library) -> None:
    """ "what is being done about the floods" was a weak answer of the flood story, which never writes "done" (the
    shipped story on missile defence does: "should be done at the expense of ..."), and by words alone "what has
    been done about the damp flat", which no story of that week tells of, was a weak answer led by that missile
    defence paragraph. As "happened", "done" asks of a deed a story tells in its own words."""
    floods = second_week.ask(second_week.request("what is being done about the floods"))
    assert floods.confident and floods.passages[0].text.startswith("The Environment Agency has issued"), floods
    flat = second_week_by_words.ask(second_week_by_words.request("what has been done about the damp flat"))
    assert not flat.found, flat


def test_who_holds_a_role_named_is_answered_by_the_passage_naming_whoever_holds_it_now(second_week: Library) -> None:
    """ "who is the new headteacher at oakridge?" led with "Former headteacher Colin Marsh left the school", above
    "Head teacher Rachel Obi, who joined in September 2025", and "who is the captain of dunmere rovers?" was answered
    confidently by the lede on the club's new winger, which names no captain: a question naming a role asks for
    whoever a story names in it now, written joined or apart."""
    head = second_week.ask(second_week.request("who is the new headteacher at oakridge?"))
    assert head.confident and head.passages[0].text.startswith("Head teacher Rachel Obi"), head
    captain = second_week.ask(second_week.request("who is the captain of dunmere rovers?"))
    assert not (captain.found and captain.confident), captain
    assert "\u201ccaptain\u201d" in captain.reason, captain


def test_who_did_something_is_not_answered_by_the_deed_still_to_be_done(second_week: Library) -> None:
    """ "who built the airfield?" was answered confidently (0.97) by the council's words on the airfield as "the least
    damaging place to build" homes: no story says who built it. Asked who did something, a verb written as what is
    to be done tells no such deed."""
    answer = second_week.ask(second_week.request("who built the airfield?"))
    assert not (answer.found and answer.confident), answer


@pytest.mark.parametrize(
    ("library", "question", "first"),
    [
        ("second_week", "where did the study take place", "Researchers at the University of Aldbrook"),
        ("second_week", "where was the study done", "Researchers at the University of Aldbrook"),
        ("first_week", "where did the study take place", "Researchers at the University of Reading"),
    ],
)
def test_where_something_was_is_answered_first_by_the_story_s_passage_naming_a_place(
    request: pytest.FixtureRequest, library: str, question: str, first: str
) -> None:
    """Of tests/data/second_week "where did the study take place" was answered confidently by "The study ... was
    published in the journal Metabolic Health", above "Researchers at the University of Aldbrook followed
    volunteers"; of first_week it was declined, led by a school "taken over" by a trust (0.03), whose only words of
    the question ("take", "place") frame it, above the hedgehog study's "Researchers at the University of Reading"
    (0.89). Where asks for a place a story names."""
    stories: Library = request.getfixturevalue(library)
    answer = stories.ask(stories.request(question))
    assert answer.confident and answer.passages[0].text.startswith(first), answer


@pytest.mark.parametrize("library", ["second_week", "second_week_by_words"])
def test_whether_something_is_so_is_not_answered_by_a_story_never_saying_it(
    request: pytest.FixtureRequest, library: str
) -> None:
    """ "is the fold 17 waterproof?" was answered confidently (0.99) by the laptop's lede: no story writes
    "waterproof", which a small library was taken to lack by chance. A question asking whether something is so asks
    whether a story says just that."""
    stories: Library = request.getfixturevalue(library)
    answer = stories.ask(stories.request("is the fold 17 waterproof?"))
    assert not (answer.found and answer.confident), answer
    assert "\u201cwaterproof\u201d" in answer.reason, answer
    # What the story does say is answered so.
    heavy = stories.ask(stories.request("is the fold 17 heavy?"))
    assert heavy.confident and "heavy at 1.6kg" in heavy.passages[0].text, heavy


@pytest.mark.parametrize(
    ("question", "word"), [("was the landlord fined?", "fined"), ("was the landlord jailed?", "jailed")]
)
def test_whether_something_no_story_says_is_so_shows_the_story_asked_of_as_weak(
    first_week: Library, question: str, word: str
) -> None:
    """ "was the landlord fined?" was declined of first_week, whose landlord was ordered to repay £18,400: no story
    writes "fined", and a question asking whether something is so counted such a word as telling that nothing was
    there. The reader asked of a story the library holds; its passages may help, and the word none uses is named."""
    answer = first_week.ask(first_week.request(question))
    assert answer.found and not answer.confident, answer
    assert answer.passages[0].article.title.startswith("Landlord ordered to repay"), answer
    assert answer.reason == f"No article uses the word \u201c{word}\u201d.", answer
    # Of nothing any story tells, it is declined still.
    assert not first_week.ask(first_week.request("is the moon made of cheese?")).found


def test_whether_something_goes_ahead_is_answered_by_the_story_telling_it_will(first_week: Library) -> None:
    """ "is the bus strike going ahead?" was answered confidently by "... will strike for five days from 14
    December"; asked as a question whose every word counts (it asks whether something is so), it became weak, "No
    article uses the word “ahead”": whether something goes ahead a story tells as what will be."""
    answer = first_week.ask(first_week.request("is the bus strike going ahead?"))
    assert answer.confident and answer.passages[0].text.startswith("Around 450 bus drivers"), answer


@pytest.mark.parametrize(
    ("question", "told"),
    [
        ("will halloran appeal?", "His lawyer said he would consider an appeal."),
        ("when will work start on the airfield?", "Work could start next spring."),
        ("how much is the pay rise", "a 6% rise this year"),
        ("how much does the fold 17 cost", "for \u00a32,499"),
    ],
)
def test_a_passage_telling_what_is_asked_in_its_story_s_words_answers_confidently(
    second_week: Library, question: str, told: str
) -> None:
    """Each was a weak answer though its first passage answers it: "His lawyer said he would consider an appeal."
    tells of Halloran, named in the sentence before, as "He has 28 days to appeal." does (0.76); "Work could start
    next spring." of the airfield its story names (0.50); "a 6% rise", a share, tells how much a pay rise is,
    which was asked for as a sum of money; and "The device will go on sale ... for £2,499", 2.53 below "the price
    would limit it to business buyers" in the ranker's log-odds, tells what the Fold 17 its lede names costs."""
    answer = second_week.ask(second_week.request(question))
    assert answer.confident and told in answer.passages[0].text, answer


@pytest.fixture(scope="module")
def bot_stories(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The bot tests' five stories (tests/data/bot_corpus: a ferry line, a glacier museum, an orchard's harvest, a
    rail strike, a chess prodigy) and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("bot_stories"), DATA / "bot_corpus")


def test_a_deed_a_story_s_headline_tells_is_told_of_its_passages(bot_stories: Library) -> None:
    """ "who won the chess title?" was a weak answer under "Chess Prodigy Wins National Title at Twelve", whose lede
    says she "became the youngest national chess champion", never "won", and beside it were listed a glacier
    museum's and an orchard's headlines, which hold no word of the question. A deed the headline tells is told of
    its story; a weak answer lists only stories holding a word of the question."""
    answer = bot_stories.ask(bot_stories.request("who won the chess title?"))
    assert answer.confident and answer.passages[0].text.startswith("Twelve-year-old Liv Aronsen"), answer
    weak = bot_stories.ask(bot_stories.request("where did the study take place"))
    assert weak.found and not weak.confident, weak
    assert {a.title for a in weak.closest} <= {"Regional Rail Strike Ends After Wage Deal"}, weak


@pytest.fixture(scope="module")
def both_weeks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Both weeks' stories (tests/data/first_week and second_week: two studies, two strikes, two councils) and the
    shipped one, with vectors."""
    yield from library_of(
        tmp_path_factory, tmp_path_factory.mktemp("both_weeks"), DATA / "first_week", DATA / "second_week"
    )


@pytest.fixture(scope="module")
def kelby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's ten stories (tests/data/kelby: a bridge closing, a mayor elected, a home defeat, a bakery fined, a
    sleep study, red panda cubs, a factory closing, a hosepipe ban lifted, a teachers' strike vote, a cycle lane) and
    the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("kelby"), DATA / "kelby")


@pytest.fixture(scope="module")
def portmere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's nine stories of other kinds than Kelby's (tests/data/portmere: a games studio's results, translating
    glasses launched, a film festival's prize, a by-election count, a ferry strike, a moorland fire, a lighthouse
    grant, a hospital's scanner, a chain's shops closing) and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("portmere"), DATA / "portmere")


@pytest.fixture(scope="module")
def brackley_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's four stories of 2021 and 2022 (tests/data/brackley_archive: a budget for the year after, a mayor
    elected, a kite festival, a library's hours cut), read years later, and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("brackley_archive"), DATA / "brackley_archive")


def test_a_passage_meeting_the_question_by_meaning_does_not_lead_over_one_writing_a_word_it_lacks(
    kelby: Library,
) -> None:
    """`met_first` puts first a passage of the first's story meeting every word of the question, as written or by
    meaning, only when it also writes every word the first writes: "1479" meets "1471" by meaning (0.74), which is no
    reason to give up the first's "1471" (of SQuAD "How many people died in the outbreak of 1471?" so led with
    another year's deaths). The real word pieces of the library's model; the candidates are made here."""
    assert kelby.semantic is not None
    question = "How many people died in the outbreak of 1471?"
    headlines = {"a": "Plague in Florence"}
    texts = {
        ("a", 1): "In 1471 the outbreak reached the city from the coast, and 2,000 fled.",
        ("a", 2): "About 5,000 people died in the outbreak of 1479, a third of them children.",
    }
    first = Candidate(Hit("a", 1, 1.0), frozenset({"1471", "outbreak"}), score=10.0)
    other = Candidate(Hit("a", 2, 1.0), frozenset({"peopl", "die", "outbreak"}), score=9.5)
    assert met_first(question, [first, other], headlines, texts, kelby.semantic)[0] is first
    # Holding every word the first writes, it leads as before.
    texts["a", 2] = "About 5,000 people died in the outbreak of 1471, a third of them children."
    assert met_first(question, [first, other], headlines, texts, kelby.semantic)[0] is other


ASKED_IN_STORY = json.loads((DATA / "asked_in_story.json").read_text(encoding="utf-8"))


def story_of(case: dict[str, Any]) -> list[Passage]:
    """The passages an answer shows of a case's story: its `passages` under its `headline`."""
    article = StoredArticle("a" * 16, case["headline"], "Local", None, None, None, None, len(case["passages"]))
    return [Passage(article, i, text, 0.0) for i, text in enumerate(case["passages"])]


@pytest.mark.parametrize("case", ASKED_IN_STORY, ids=[f"{c['question']}: {c['writes']}" for c in ASKED_IN_STORY])
def test_a_weak_answer_s_story_must_write_what_is_asked(case: dict[str, Any]) -> None:
    """Each case of tests/data/asked_in_story.json: whether the passages an answer shows of its story write what the
    question asks for (a winner, a sum, a time; a place or a doer, named or not), without which a weak answer is
    declined (`compose`): "Who won the 2006 Italian general election?" was answered by a party's election platform."""
    assert writes_asked_in_story(case["question"], story_of(case)) is case["writes"]


TIME_OR_SUM = json.loads((DATA / "time_or_sum_in_story.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", TIME_OR_SUM, ids=[f"{c['question']}: {c['gives']}" for c in TIME_OR_SUM])
def test_an_answer_s_story_must_give_the_time_or_sum_asked_for(case: dict[str, Any]) -> None:
    """Each case of tests/data/time_or_sum_in_story.json: whether the passages an answer shows of its story give the
    time a question asking when asks for, in a sentence telling of it, or the sum of money one asking how much it
    cost or paid asks for, without which the answer is declined at any score (`compose`): "How much did Microsoft pay
    for Skype?" was a weak answer (0.96) with a story on Skype's hotspot calls."""
    assert writes_time_or_sum_in_story(case["question"], story_of(case)) is case["gives"]


TOLD_ONLY_AHEAD = json.loads((DATA / "told_only_ahead.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", TOLD_ONLY_AHEAD, ids=[f"{c['question']}: {c['why']}" for c in TOLD_ONLY_AHEAD])
def test_a_deed_asked_whether_done_is_not_answered_by_its_plan(case: dict[str, Any]) -> None:
    """Each case of tests/data/told_only_ahead.json: whether the passages an answer shows of its story tell the deed a
    "did ...?" / "has ... been ...?" question asks of only as still ahead, read in the clauses writing its words beyond
    the headline's, which declines the answer at any score (`compose`): "has the oxley cross flood wall been built"
    of tests/data/health_desk was answered confidently by the wall's plan ("building could start in 2028")."""
    assert deed_told_only_ahead(case["question"], story_of(case)) is case["ahead"]


TIME_ASKED = json.loads((DATA / "time_asked.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", TIME_ASKED, ids=[f"{c['question']}: {c['why']}" for c in TIME_ASKED])
def test_a_story_of_another_month_or_year_does_not_answer_one_asked_of(case: dict[str, Any]) -> None:
    """Each case of tests/data/time_asked.json: whether the passages an answer shows of its story (dated
    `published`, or undated) tell of the month or year the question asks of, without which the answer is declined at
    any score (`compose`): "how much rain fell in august" of tests/data/health_desk was a weak answer with September's
    rain."""
    published = datetime.fromisoformat(case["published"]).replace(tzinfo=UTC) if case["published"] else None
    story = [replace(p, article=replace(p.article, published=published)) for p in story_of(case)]
    assert tells_of_time_asked(case["question"], story) is case["tells"]


MET_IN_NAMES = json.loads((DATA / "met_in_names.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", MET_IN_NAMES, ids=[f"{c['question']}: {c['why']}" for c in MET_IN_NAMES])
def test_a_word_asked_that_the_story_writes_only_in_a_name_is_not_met_there(case: dict[str, Any]) -> None:
    """Each case of tests/data/met_in_names.json: the words a question writes in lower case that the answer's story
    writes only inside a name holding no other word of the question, where the library writes them in lower case,
    which make no confident answer (`compose`)."""
    story, library = case["story"], case["library"]
    assert met_only_in_names(case["question"], story, [*story, *library]) == frozenset(case["met"])


TOLD_AS_SOME = json.loads((DATA / "told_as_some.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", TOLD_AS_SOME, ids=[f"{c['question']}: {c['story'][-1]}" for c in TOLD_AS_SOME])
def test_which_one_is_not_told_by_a_story_writing_only_that_there_is_one(case: dict[str, Any]) -> None:
    """Each case of tests/data/told_as_some.json: whether the passages an answer shows of its story write the thing a
    question asks which one of only as one not named ("a shipyard in Norway"), which makes no confident answer
    (`compose`): "which shipyard is building the ferries" of tests/data/harrowby was answered confidently."""
    assert told_only_as_some(case["question"], case["story"]) is case["some"]


THING_ASKED_OF = json.loads((DATA / "thing_asked_of.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", THING_ASKED_OF, ids=[f"{c['question']}: {c['tells']}" for c in THING_ASKED_OF])
def test_a_count_sum_or_win_must_be_of_the_thing_asked(case: dict[str, Any]) -> None:
    """Each case of tests/data/thing_asked_of.json: whether a paragraph counts what a "how many ...?" question
    counts, gives the sum of the thing a "how much did it cost?" question names, or tells the win of the contest a
    "who won ...?" question names, without which a passage is no confident answer and a story shown below the
    confident bar declines it (`compose`): "how many nurses work at the infirmary" of tests/data/wexcombe was
    answered with the patients waiting there."""
    told = tells_of_asked(case["question"], case["passage"], case["headline"], unseen=case.get("unseen", ()))
    assert told is case["tells"]


COUNT_OF_ASKED = json.loads((DATA / "count_of_asked.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", COUNT_OF_ASKED, ids=[f"{c['question']}: {c['counts']}" for c in COUNT_OF_ASKED])
def test_a_count_shown_must_write_a_word_of_what_is_counted(case: dict[str, Any]) -> None:
    """Each case of tests/data/count_of_asked.json: whether a passage an answer's page shows writes, in a sentence
    giving a number, a word of what a "how many ...?" question asks beyond its names (the thing counted, the deed,
    its doer), without which the answer is declined at any score (`compose`): of the BBC questions no story answers,
    "How many people watched Jerry Springer - The Opera on the BBC?" was answered confidently by the complaints the
    BBC received. Words as written (no word pieces: their soft match is `_near`'s, tested with it)."""
    assert counts_what_is_asked(case["question"], story_of(case), None) is case["counts"]


COUNT_WHERE_ASKED = json.loads((DATA / "count_where_asked.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", COUNT_WHERE_ASKED, ids=[f"{c['question']}: {c['why']}" for c in COUNT_WHERE_ASKED])
def test_a_count_asked_of_a_place_is_one_a_story_naming_it_writes(case: dict[str, Any]) -> None:
    """Each case of tests/data/count_where_asked.json: whether a story the page shows both names the place a "how many
    ...?" question asks of and counts the thing asked, without which the answer is declined at any score (`compose`):
    "how many homes flooded in mardle bridge" of tests/data/health_desk was a weak answer with another town's flooded
    homes."""
    shown = [
        replace(passage, article=replace(passage.article, id=f"{n:016d}"))
        for n, story in enumerate(case["stories"])
        for passage in story_of({**story, "question": case["question"]})
    ]
    texts = {(p.article.id, p.position): p.text for p in shown}
    assert counts_where_asked(case["question"], shown, texts, count_asked(case["question"])) is case["counts"]


ASKED_NEXT_YEAR = json.loads((DATA / "asked_next_year.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", ASKED_NEXT_YEAR, ids=[f"{c['asked_on']}: {c['question']}" for c in ASKED_NEXT_YEAR])
def test_next_year_is_declined_only_when_no_story_shown_reaches_it(
    request: pytest.FixtureRequest, case: dict[str, Any]
) -> None:
    """Each case of tests/data/asked_next_year.json, asked on its day: a question asking of "next year" is declined
    only when every passage the answer would show is of a story dated before the year ahead of it, not when the first
    alone is (its "why" says what the old code did)."""
    library: Library = request.getfixturevalue(case["library"])
    asked = library.request(case["question"])
    now = datetime.fromisoformat(case["asked_on"]).replace(tzinfo=UTC)
    ranking = search(asked, library.engine, library.store, library.semantic, now)
    answer = compose(asked, ranking, library.settings.min_answerability)
    got = ("confident" if answer.confident else "weak") if answer.found else "declined"
    assert got == case["answer"], answer
    if "shows" in case:
        assert any(p.text.startswith(case["shows"]) for p in answer.passages), answer


READER_CASES = json.loads((DATA / "reader_questions.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", READER_CASES, ids=[f"{c['library']}: {c['question']}" for c in READER_CASES])
def test_a_reader_s_question_is_answered_as_its_passages_deserve(
    request: pytest.FixtureRequest, case: dict[str, Any]
) -> None:
    """Each case of tests/data/reader_questions.json, questions a new reader asked of the shipped story and of small
    libraries: declined, weak or confident, with the first passage, the closest headlines and the reason it expects
    (its "why", where there is one, says what the old code did)."""
    library: Library = request.getfixturevalue(case["library"])
    answer = library.ask(library.request(case["question"]))
    got = ("confident" if answer.confident else "weak") if answer.found else "declined"
    assert got == case["answer"], answer
    if "first" in case:
        assert answer.passages[0].text.startswith(case["first"]), answer
    if "closest" in case:
        assert [a.title for a in answer.closest] == case["closest"], answer
    if "reason" in case:
        assert answer.reason == case["reason"], answer


@pytest.fixture(scope="module")
def wexcombe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's nine stories of yet other kinds (tests/data/wexcombe: a hospital's waiting list, exam results, a
    storm, a water company fined, a post office bought by its village, a new air route, a marathon, a coin hoard, a
    parking app's leak) and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("wexcombe"), DATA / "wexcombe")


@pytest.fixture(scope="module")
def dunmarsh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's seven stories, each with two passages answering one kind of question (tests/data/dunmarsh: a
    regatta's winners, a bakery closing, a storm's gusts and waves, how pupils get to school, a show's prizes,
    harbour repairs put off, a sea swim), and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("dunmarsh"), DATA / "dunmarsh")


@pytest.fixture(scope="module")
def harrowby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's twelve stories (tests/data/harrowby: a new station, a budget, bins, a storm, two matches, a fraud, a
    half marathon, a cafe, a ferry operator's new ships, a museum, an orchard) and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("harrowby"), DATA / "harrowby")


@pytest.fixture(scope="module")
def bramholt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's ten stories of yet other kinds (tests/data/bramholt: a builder cleared at a trial, wind turbines put
    off, a school in special measures, a striker's rumoured move, a heat alert, a chocolate maker's results, a cinema
    owner's obituary, a festival's line-up, a level crossing shut, a seat decided by drawing lots), and the shipped
    one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("bramholt"), DATA / "bramholt")


RANKED_FIRST = json.loads((DATA / "reader_ranked_first.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", RANKED_FIRST, ids=[f"{c['library']}: {c['question']}" for c in RANKED_FIRST])
def test_a_reader_s_question_ranks_first_the_passage_telling_what_it_asks_for(
    request: pytest.FixtureRequest, case: dict[str, Any]
) -> None:
    """Each case of tests/data/reader_ranked_first.json: the passage ranked first (`ranking_of`, whether or not the
    answerability then answers with it) tells what the question asks for, written as a reader would find it (a
    distance or a count in words, a span of days, someone's words after "said"); its "why" says what led before."""
    library: Library = request.getfixturevalue(case["library"])
    ranking = ranking_of(library.request(case["question"]), library.engine, library.store, library.semantic)
    first = ranking.candidates[0].hit
    assert ranking.texts[first.article_id, first.position].startswith(case["first"]), ranking.candidates[:3]


@pytest.mark.parametrize(
    ("question", "done"),
    [
        ("did the ferry strike go ahead", True),
        ("what did the committee decide", True),
        ("has the museum opened yet", True),
        # A kind of thing asked for, which a story written ahead of it may give: a count, a span, an amount.
        ("how many people did the storm kill", False),
        ("how many books did the library lend in 2020", False),
        ("how long has the bakery been open", False),
        ("what have you got on the ferry strike", False),
        # "have to" is what must be done, not what was: the bill's "would have to report ... within 72 hours".
        ("how quickly do ai firms have to report an incident", False),
        ("what has to happen before the bridge reopens", False),
    ],
)
def test_a_question_asks_what_came_of_something_unless_it_asks_for_a_kind_of_thing(question: str, done: bool) -> None:
    """`asks_done` (a question asking what came of something, which a story told only ahead cannot answer
    confidently) leaves out questions asking for a kind of thing, counts among them: "how many" is read apart from
    the other kinds, and after the counted word joined it, "how many people did the storm kill" was taken for one."""
    assert asks_done(question) is done


@pytest.fixture(scope="module")
def hollinsford(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A newsroom's 25 stories of March 2026 (tests/data/hollinsford: a council budget and its vote, a care worker
    jailed, a school inspection, a football club's win and defeat, a food maker's results and a later, larger count
    of its job cuts, a bakery fire told twice, a storm and a later count of the homes it flooded, a festival, bus
    fares, an obituary, a planning row and more), and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("hollinsford"), DATA / "hollinsford")


# Questions of tests/data/fresh_library_questions.json (written blind, a held-out check nobody tunes on) that the
# rules answered as they deserve when the set was first asked (2026-12-06); the rest are in bench/quality_notes.md.
FRESH_CASES = {
    c["question"]: c
    for c in json.loads((DATA / "fresh_library_questions.json").read_text(encoding="utf-8"))["questions"]
}


@pytest.mark.parametrize(
    "question",
    [
        "when is the lenn valley festival",
        "how much is hospital parking going up to",
        "when does lenn bridge close",
        "how many objections to the cowley meadow plans",
        "when is bernard ashcrofts funeral",
        "who got sent off at ashby",
        "what time is the last bus on route 7 now",
        "how many took voluntary redundancy at brightwell",
        "where is the bread being made now after the fire",
        "how many homes flooded in the storm",
    ],
)
def test_a_fresh_reader_s_question_is_answered_first_by_its_passage(hollinsford: Library, question: str) -> None:
    """Readers' questions of a library no rule was tuned on, in their words, not the stories' (a word the story
    writes otherwise, a name typed without its apostrophe, a later count of homes flooded beside the first one's):
    answered confidently, led by a passage its case's `gold` names."""
    case = FRESH_CASES[question]
    answer = hollinsford.ask(hollinsford.request(question))
    assert answer.confident, answer
    assert any(g in answer.passages[0].text for g in case["gold"]), answer


def test_a_deed_asked_in_a_light_verb_s_words_is_answered(hollinsford: Library) -> None:
    """ "who took the penalty v garston" of a story writing "Rudd scored the penalty": a light verb's deed is its
    object's, written in another verb, so the story not writing "took" is no sign it does not tell who
    (`writes_deed_in_story` declined it)."""
    answer = hollinsford.ask(hollinsford.request("who took the penalty v garston"))
    assert answer.found, answer
    assert any(g in answer.passages[0].text for g in FRESH_CASES["who took the penalty v garston"]["gold"]), answer


@pytest.fixture(scope="module")
def taken_over(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Three stories of our own (tests/data/taken_over): a party leader who stood down, none named after him; a club's
    new manager who took over from the last; a bakery taken over by a chain."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("taken_over"), DATA / "taken_over")


@pytest.mark.parametrize(
    ("question", "told"),
    [
        ("who took over from ivo penhallow as leader of the marsh party", None),
        ("who took over as marsh party leader", None),
        ("who took over from gil barrow as manager", "Rhea Tolland took over"),
        ("who took over pell and sons", "taken over by the regional chain"),
    ],
)
def test_a_deed_asked_in_a_light_verb_and_its_particle_is_told_in_both(
    taken_over: Library, question: str, told: str | None
) -> None:
    """ "who took over from ...?" asks for a successor: a light verb with its particle is a deed of its own, which a
    story tells as the pair ("took over", "has been taken over"), not by writing "took" of anything else. Of the
    leader's story, which names no successor, both were answered confidently with "Penhallow took the party into
    three elections" (`writes_deed_in_story` read "took" as a light verb and asked for nothing)."""
    answer = taken_over.ask(taken_over.request(question))
    if told is None:
        assert not answer.found, answer
    else:
        assert answer.found, answer
        assert told in answer.passages[0].text, answer


@pytest.mark.parametrize(
    "question",
    [
        "whats the weather tomorrow",
        "what time is it",
        "what party is aled morgan",
        "how old is tom ellery",
        "did the brightwell strike ballot go ahead",
    ],
)
def test_a_fresh_reader_s_question_the_stories_cannot_answer_is_declined(hollinsford: Library, question: str) -> None:
    """Questions of the same library that no story answers (an everyday one, a fact about someone named that no story
    gives, what came of a ballot the union only threatened): declined."""
    assert "gold" not in FRESH_CASES[question]
    answer = hollinsford.ask(hollinsford.request(question))
    assert not answer.found, answer


@pytest.fixture(scope="module")
def tarrow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's sixteen stories of February and March 2026 (tests/data/tarrow), four of them followed by a later story
    updating a figure or a state (a paper mill's job cuts 60 -> 95, a football club seventh -> third, a pool's
    closure 1 April -> 1 June, a library's cut hours dropped), three by a later story of the same subject updating
    nothing asked (a budget plan and its vote, a cup match and the manager's words after it, a supermarket's 40 jobs
    and the queue for them), beside stories sharing their words (a cricket club third in its table, a school's
    roof), and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("tarrow"), DATA / "tarrow")


LATER_NEWS = {
    case["question"]: case
    for case in json.loads((DATA / "later_news_questions.json").read_text(encoding="utf-8"))["questions"]
}


def first_passage(library: Library, question: str) -> str:
    """The text of the first passage `ranking_of` gives the question."""
    ranking = ranking_of(library.request(question), library.engine, library.store, library.semantic)
    first = ranking.candidates[0].hit
    return ranking.texts[first.article_id, first.position]


@pytest.mark.parametrize(
    "question",
    [
        "where are tarrow rovers in the league now",
        "what position are rovers in the table",
        "what date will the swimming pool close",
        "how many days a week will tarrow library open",
    ],
)
def test_a_follow_up_s_updated_value_leads(tarrow: Library, question: str) -> None:
    """Questions of tests/data/later_news_questions.json led by the earlier story's passage before `later_first`,
    the later one's updating it close behind: "seventh" (19.3) above "third" (18.9) in the same table, "will close on
    1 April" above "has been put back to 1 June", "three days a week" above "will stay open six days a week"."""
    assert LATER_NEWS[question]["first"] in first_passage(tarrow, question)


@pytest.mark.parametrize(
    "question",
    [
        # A later story of the same subject telling no other value of what is asked.
        *(question for question, case in LATER_NEWS.items() if case.get("stays")),
        # Asked of the earlier time, or of what only the earlier story tells.
        "where were rovers in the table in february",
        "who scored the winner against bridgeford",
        "what did steve holt say after the bridgeford game",
        "what did colin ashworth say about the job cuts",
        # Already led by the later story's passage.
        "how many jobs are going at denholm paper",
        "latest on tarrow rovers",
        "latest on the pool closure",
        "are the library opening hours being cut",
    ],
)
def test_a_later_story_updating_nothing_asked_leaves_the_lead(tarrow: Library, question: str) -> None:
    """Questions of the same set led by their passage without `later_first`, which leaves them so: later59's rule,
    which put first a near passage of any later story of the subject, put the queue for the supermarket's 40 jobs
    ("More than 300 people came ...") above "will create 40 jobs"."""
    assert LATER_NEWS[question]["first"] in first_passage(tarrow, question)


@pytest.mark.parametrize(
    ("question", "first", "later", "updated"),
    [
        ("how many jobs are going", "Acme is to cut 140 jobs at its plant.", "Acme will now cut 185 jobs.", True),
        ("how many jobs are going", "Acme is to cut 140 jobs.", "Its boss said the 140 jobs would go by June.", False),
        ("how many jobs are going", "Acme is to cut 140 jobs.", "About 300 people marched against the cuts.", False),
        ("where are town in the league now", "Town are fourth in the table.", "Town slip to sixth in the table.", True),
        (
            "when will the bridge close",
            "The bridge will close on 4 May.",
            "The bridge closure is put back to 8 June.",
            True,
        ),
        ("when will the bridge close", "The bridge will close on 4 May.", "Rowing lessons in June go ahead.", False),
        ("latest on the budget", "Council tax would rise by 4.99%.", "The budget was passed by 38 votes to 22.", False),
        ("latest on the library", "It would open three days a week.", "It will stay open six days a week.", True),
        ("who is acme's boss", "Acme is to cut 140 jobs.", "Acme will now cut 185 jobs.", False),
    ],
)
def test_a_later_paragraph_updates_the_value_asked_of_the_same_thing(
    tarrow: Library, question: str, first: str, later: str, updated: bool
) -> None:
    """`updates`: the later paragraph tells a value of the kind asked (a figure, a place in a table, a date; any, of
    "latest on ...") of the same thing as the first (the words right after a figure; a date's sentence meeting the
    question's words, "closure" of "close"), other than the first's."""
    assert updates(question, first, later, tarrow.semantic) is updated


@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("how many jobs did they first say", True),
        ("when was the pool originally due to close", True),
        ("how many job cuts were announced on 4 february", True),
        ("where were rovers in february", True),
        ("is the pool still closing in april", False),
        ("where are the rovers in the league now", False),
        ("what happened in march", False),
        ("how many jobs on 25 march", False),
    ],
)
def test_a_question_asks_of_a_time_before_a_follow_up(question: str, earlier: bool) -> None:
    """`asks_of_before` a follow-up dated 25 March 2026: "first", "originally", or a day or a whole month that ended
    before it; not a month it falls in, nor one after."""
    assert asks_of_before(question, datetime(2026, 3, 25, 16, 0, tzinfo=UTC)) is earlier


@pytest.fixture(scope="module")
def ravensby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("ravensby"), DATA / "ravensby")


EVERYDAY_ANSWERS = json.loads((DATA / "everyday_words_answers.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", EVERYDAY_ANSWERS, ids=[c["question"] for c in EVERYDAY_ANSWERS])
def test_a_readers_everyday_word_meets_the_word_the_story_writes(ravensby: Library, case: dict[str, str]) -> None:
    """Readers ask in everyday words ("owns", "boss", "vs", "truck") that stories write otherwise ("owner", "chief
    executive", "beat", "lorry"): each question of tests/data/everyday_words_answers.json was declined, weak or led by
    another passage (its `why`) of tests/data/ravensby; asked as the story writes it, it is answered confidently by
    its passage."""
    answer = ravensby.ask(ravensby.request(case["question"]))
    assert answer.confident and answer.passages[0].text.startswith(case["first"]), answer


STORIES = {
    "bakery": ["Bakery chain sold", "The chain's chief executive said 40 sacks of flour a week were used."],
    "farm": ["Wind farm approved", "The wind farm will power 300,000 homes."],
    "bridge": ["Gales close bridge", "A lorry overturned on the bridge."],
    "match": ["Athletic beat Rovers", "Athletic came from behind to beat Rovers 3-1."],
}


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("who is the bakery chain's boss", "who is the bakery chain's chief executive"),
        ("how strong was the wind on the bridge", "how strong was the gales on the bridge"),
        ("what happened to the truck", "what happened to the lorry"),
        ("athletic v rovers", "athletic rovers"),
        # Written in another sense by the story holding the question's other words: met as typed.
        ("how many sacks of flour", "how many sacks of flour"),
        ("where is the wind farm", "where is the wind farm"),
        # A word the stories write, and nothing else of the question: as typed.
        ("when will the wind die down", "when will the wind die down"),
    ],
)
def test_an_everyday_word_is_asked_as_the_question_s_stories_write_it(question: str, asked: str) -> None:
    idf = {term: 1.0 for term in analyze(question)}
    assert as_news_writes(question, idf, STORIES) == asked


def test_no_word_news_writes_is_a_reader_s_word_too() -> None:
    """A question is read as the news writes it once: a news word that is a reader's word of another line would be
    read on ("movie" as "film" as "movie" ...)."""
    read = {" ".join(words) for words in news_words()}
    assert not read & {word for written in news_words().values() for word in written}


@pytest.fixture(scope="module")
def selworth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("selworth"), DATA / "selworth")


PARAPHRASED = shown_cases("paraphrased_questions.json")


@pytest.mark.parametrize("case", PARAPHRASED, ids=[c["question"] for c in PARAPHRASED])
def test_a_paraphrased_question_is_answered_among_the_three_shown(selworth: Library, case: dict[str, Any]) -> None:
    """A reader half-remembering a story names it by description ("the river crossing", "the fudge company"): each
    question of tests/data/paraphrased_questions.json is answered among the 3 passages shown. "how long was the river
    crossing shut" and "who runs the fudge company" were answered by two paragraphs of the story asked of and
    nothing else, the story's next paragraph, which answers, kept out by the limit of two a story."""
    answer = selworth.ask(selworth.request(case["question"]))
    assert any(p.text.startswith(tuple(case["gold"])) for p in answer.passages[:3]), answer


def test_a_story_s_third_passage_only_fills_room_no_other_story_takes(selworth: Library) -> None:
    """The limit of two passages a story makes room for other stories: a story's third is shown only where no other
    story's passage is worth showing, last, and never on a later page beyond the first's room."""
    alone = selworth.ask(selworth.request("how long was the river crossing shut"))
    assert [p.article.title for p in alone.passages] == [alone.passages[0].article.title] * 3, alone
    more = selworth.ask(selworth.request("how long was the river crossing shut", offset=3))
    assert not more.passages, more
    shared = selworth.ask(selworth.request("selworth bridge cup factory library school", k=5))
    titles = [p.article.title for p in shared.passages]
    assert len(titles) == 5 and all(titles.count(t) <= 2 for t in titles), shared


@pytest.fixture(scope="module")
def tennford(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("tennford"), DATA / "tennford")


PHRASED = shown_cases("news_phrasings_questions.json")


@pytest.mark.parametrize("case", PHRASED, ids=[c["question"] for c in PHRASED])
def test_a_deed_asked_in_a_readers_words_meets_the_words_news_writes(tennford: Library, case: dict[str, Any]) -> None:
    """A reader asks after a deed or thing in other words than the story's ("which firm did the carmaker take over"
    of "The takeover of Fenby ...", "how many people will lose their jobs" of "230 redundancies"): each question of
    tests/data/news_phrasings_questions.json is answered among the 3 passages shown, and the council's story that
    writes "take over" and "keep their jobs" as typed still answers as typed."""
    answer = tennford.ask(tennford.request(case["question"]))
    assert any(p.text.startswith(tuple(case["gold"])) for p in answer.passages[:3]), answer


def test_a_passage_writing_news_s_word_holds_the_reader_s() -> None:
    """A passage holds the reader's words after news's for them, and is unchanged where it writes none."""
    phrased = phrasings("how many lost their jobs when the firm was taken over")
    assert set(phrased) == {"lost their jobs", "taken over"}
    told = as_phrased("The takeover means 230 redundancies.", phrased)
    assert told == "The takeover taken over means 230 redundancies lost their jobs."
    assert as_phrased("Staff will keep their jobs.", phrased) == "Staff will keep their jobs."


def test_no_word_news_writes_is_a_reader_s_phrasing_too() -> None:
    """A question is read once: news's words for a reader's are no reader's words of another line."""
    typed = {tuple(analyze(" ".join(words))) for words in news_phrasings()}
    assert not typed & {run for runs in news_phrasings().values() for run in runs}


@pytest.fixture(scope="module")
def oakhurst(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("oakhurst"), DATA / "oakhurst")


ONE_OF_AN_EVENT_S = shown_cases("oakhurst_questions.json")


@pytest.mark.parametrize("case", ONE_OF_AN_EVENT_S, ids=[c["question"] for c in ONE_OF_AN_EVENT_S])
def test_of_an_event_s_stories_the_one_telling_what_is_asked_is_shown(oakhurst: Library, case: dict[str, Any]) -> None:
    """Three stories of one cup final (the match report, the manager's reaction, the prize money), each writing
    "Rovers" and "cup final": a question asking what only one of them tells is answered by it among the 3 shown
    (tests/data/oakhurst_questions.json; those it lists as missed are not asserted)."""
    answer = oakhurst.ask(oakhurst.request(case["question"]))
    assert any(p.text.startswith(tuple(case["gold"])) for p in answer.passages[:3]), answer


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Five stories: two writing a number and its unit, joined ("20mph") or apart ("80 mph"), one naming a driver and
    then writing "he", one quoting a "Headteacher", one on a find whose finder its second paragraph names."""
    root = tmp_path_factory.mktemp("units")
    limit = root / "limit.txt"
    limit.write_text(
        "Slower streets for Abbotsley\nCategory: Council\nPublished 2-12-2026, 10:00\n\n"
        "A 20mph limit will cover twelve streets in Abbotsley from April, councillors decided on Monday.\n\n"
        "The scheme will cost £210,000, most of it for new signs.\n\n"
        "Opponents said drivers would ignore the new signs.\n",
        encoding="utf-8",
    )
    gale = root / "gale.txt"
    gale.write_text(
        "Gale shuts the coast road\nCategory: Weather\nPublished 3-12-2026, 08:00\n\n"
        "Gusts of 80 mph were recorded at the harbour overnight.\n\n"
        "The coast road stayed closed all morning while fallen trees were cleared.\n",
        encoding="utf-8",
    )
    court = root / "court.txt"
    court.write_text(
        "Van driver banned after 98mph on ring road\nCategory: Courts\nPublished 4-12-2026, 12:00\n\n"
        "A van driver caught at 98mph on the Abbotsley ring road has been banned from driving for a year.\n\n"
        "Liam Corrow, 31, of Kiln Lane, was caught by a police camera near the Mill Street junction.\n\n"
        "He was fined £900 at Abbotsley Magistrates' Court.\n\n"
        "Corrow told magistrates he had been late for work.\n",
        encoding="utf-8",
    )
    school = root / "school.txt"
    school.write_text(
        "Cracked beams close four classrooms at Abbotsley Primary\nCategory: Schools\nPublished 5-12-2026, 09:00\n\n"
        "Four classrooms at Abbotsley Primary School have been closed after cracks were found in their roof beams.\n\n"
        'Headteacher Moira Lusk said in a letter to parents: "Nobody is taught under that roof till it is safe."\n\n'
        "About 120 pupils will be taught in the village hall for a fortnight.\n",
        encoding="utf-8",
    )
    hoard = root / "hoard.txt"
    hoard.write_text(
        "Roman coin hoard found near Abbotsley goes on show\nPublished 5-12-2026, 15:00\n\n"
        "A hoard of Roman coins found by a metal detectorist near Abbotsley has gone on display at the town museum."
        "\n\nPeter Garside, a retired teacher, found the coins in 2025 in a ploughed field. Experts have dated them to"
        " the third century.\n\n"
        "Curator Ana Reyes said the hoard showed that Roman traders had crossed the valley. The coins can be seen free"
        " of charge until May.\n",
        encoding="utf-8",
    )
    yield from library_of(tmp_path_factory, root, limit, gale, court, school, hoard)


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("how much will the 20 mph limit cost", "The scheme will cost"),
        ("20 mph limit", "A 20mph limit will cover"),
        ("were there 80mph gusts", "Gusts of 80 mph"),
    ],
)
def test_a_number_and_its_unit_are_found_however_they_are_spaced(units: Library, question: str, first: str) -> None:
    """ "how much will the 20 mph limit cost" of a story writing "20mph" was declined ("No article uses the word
    “mph”"): a number and its unit typed apart or joined are searched as the stories write them."""
    answer = units.ask(units.request(question))
    assert answer.found and any(p.text.startswith(first) for p in answer.passages[:2]), answer


def test_the_passage_giving_the_sum_asked_is_shown_of_its_story(units: Library) -> None:
    """ "how much was corrow fined" was declined: the two paragraphs naming him ranked above "He was fined £900",
    and of two passages a story shown neither gave the sum asked for."""
    answer = units.ask(units.request("how much was corrow fined"))
    assert answer.found and any("fined £900" in p.text for p in answer.passages), answer


def test_a_follow_up_word_the_story_writes_in_a_compound_asks_of_the_story(units: Library) -> None:
    """ "what did the head say?" in reply to a school's story writing "Headteacher Moira Lusk said" was asked alone
    ("head" is no word of the story) and answered confidently by the shipped story's "head of the general staff"."""
    school = next(a for a in units.store.latest(10) if a.category == "Schools")
    answer = units.ask(units.request(units.follow_up("what did the head say?", [school.id])))
    assert answer.found and "Headteacher Moira Lusk" in answer.passages[0].text, answer


def test_an_answer_of_one_story_is_not_cut_short_by_its_cap(units: Library) -> None:
    """ "who found the viking sword" of tests/data/pellingham showed two passages of the one story telling of it (at
    most two a story), not the third, which names the finder: no other story answers, so the answer is filled
    with the next of the story's."""
    answer = units.ask(units.request("who found the roman coins"))
    assert len(answer.passages) == 3, answer
    assert any(p.text.startswith("Peter Garside") for p in answer.passages), answer


@pytest.fixture(scope="module")
def thornwick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A town's twelve stories (tests/data/thornwick: a stadium planned, a hospital chairman stepping down, a bakery
    fire, a bus route cut, a library refit, a half marathon, a factory closing, a school inspected, a flood wall, a
    council leader elected, a cinema sold, a market moved) and the shipped one, with vectors."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("thornwick"), DATA / "thornwick")


NEAR_TOPIC = json.loads((DATA / "near_topic_questions.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", NEAR_TOPIC, ids=[c["question"] for c in NEAR_TOPIC])
def test_a_question_on_a_covered_subject_no_story_answers_is_declined(thornwick: Library, case: dict[str, Any]) -> None:
    """Each case of tests/data/near_topic_questions.json, asked of tests/data/thornwick: questions on what its
    stories tell ("answerable", shown with the passage that answers it, `shows`), and on a thing of the same
    subjects no story tells (the stadium's architect, the bakery's reopening, the half marathon's entry fee). Of the
    31 such questions 19 are declined; 12 of them were shown before, each asking for a kind of thing the story shown
    writes nowhere: a time to come ("When will Pell's Bakery reopen?" of the night it burned), a price (the half
    marathon's entry fee, of the sum its runners raised), pay (the chairman's, of what her trust's maternity unit
    cost, `writes_pay`), a count of another thing than the one asked ("How many teachers work at Hilltop Primary?"
    of the head teacher's word on its 410 pupils, `counted_near`), a place after the winner's ("Who came second in
    the half marathon?", `writes_place_in_story`), a profit (`writes_sum_named`), or who did a deed no passage of the
    story writes in any form ("Who designed the new stadium at Mill Lane?", `writes_deed_in_story`). The 12 still
    shown (`declined` false) ask for a sum or a time the story writes of another thing, who will do a deed it tells
    of as to be done ("Who will mend the pool roof?"), or why."""
    asked_of(thornwick, case)


def asked_of(library: Library, case: dict[str, Any]) -> None:
    # A case of a near-topic question set: declined or not as `declined` says, showing the passage of `shows`.
    answer = library.ask(library.request(case["question"]))
    assert answer.found is not case["declined"], answer
    if "shows" in case:
        assert any(p.text.startswith(case["shows"]) for p in answer.passages), answer


@pytest.fixture(scope="module")
def alderholt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Another town's six stories (tests/data/alderholt: a pool shut for repairs, a youth orchestra's prize, a
    fishing boat sunk, homes approved on a farm, a brewery sold, a footbridge closed) and the shipped one."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("alderholt"), DATA / "alderholt")


ALDERHOLT = json.loads((DATA / "alderholt_questions.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", ALDERHOLT, ids=[c["question"] for c in ALDERHOLT])
def test_a_count_or_sum_of_another_thing_than_the_one_asked_is_declined(
    alderholt: Library, case: dict[str, Any]
) -> None:
    """Each case of tests/data/alderholt_questions.json: 26 questions its stories answer (a count, a sum, a time,
    who, why), all shown with the passage that answers, and 24 on the same subjects asking what none tells. 14 are
    declined, 4 of them shown before (one confidently): the story writes the thing counted and a count of another,
    which declines the answer whatever its score (`writes_counted`): "How many councillors voted for the Mead Farm
    plans?" of "Councillors have approved plans for 300 homes" (the count beside other words, `counted_near`); and
    since, "Who came second at the National Youth Music Festival?" of its winner (`writes_place_in_story`) and "How
    much profit does Alderholt Brewery make?" of the sum it was sold for (`writes_sum_named`), "How many people live
    on the Mead Farm estate?" of its 300 homes, no sentence shown giving a number of people nor of living
    (`counts_what_is_asked`; a confident answer before), and "How many lifeguards work at Alderholt pool?" of the
    swimmers its story counts, no story naming the pool counting lifeguards (`counts_where_asked`). Still shown: who
    did a deed the story does not tell, why, a price asked of a story writing another sum, and a count whose thing the
    story does not write ("How many trains a day stop at Alderholt station?" of "About 500 people a day cross the
    bridge", confidently: a count of people is taken for one of anyone asked)."""
    asked_of(alderholt, case)


@pytest.fixture(scope="module")
def desks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Library]]:
    """The library of the desk tests/data/<name> by its name, opened at its first asking and closed after the
    module's tests."""
    with ExitStack() as opened:
        libraries: dict[str, Library] = {}

        def desk(name: str) -> Library:
            if name not in libraries:
                made = library_of(tmp_path_factory, tmp_path_factory.mktemp(name), DATA / name)
                libraries[name] = next(made)
                opened.callback(next, made, None)
            return libraries[name]

        yield desk


# Desks no rule was tuned on, each a library of tests/data and its readers' questions (tests/data/DESK_questions.json,
# written blind; their classes of misses in bench/quality_notes.md: fresh63 to fresh68, fresh72 to fresh76). One a line:
# a new desk is a line of its own.
DESKS = [
    "sports_desk",
    "business_desk",
    "science_desk",
    "culture_desk",
    "world_desk",
    "council_desk",
    "health_desk",
    "transport_desk",
    "money_desk",
    "countryside_desk",
    "courts_desk",
]


# The day the desks' questions are asked on, as they were written (their stories are of October to December 2026):
# "next year" of them is 2027. On the clock's day, three desks' tests failed from 1 January 2027 (`asked_year`).
DESKS_ASKED_ON = datetime(2026, 12, 7, 12, tzinfo=UTC)


def missed_of(asked: Iterable[tuple[str, object]]) -> str:
    """The failure message of a question set asked in one test: each question failed, one a line, with what was
    answered. One test a set, not one a question: pytest's and xdist's own work for each of 1,600 such cases cost
    more than asking them."""
    return "\n".join(f"{question!r}: {answer}" for question, answer in asked)


@pytest.mark.parametrize("desk", DESKS)
def test_a_desk_reader_s_question_is_answered_among_the_3_shown(desks: Callable[[str], Library], desk: str) -> None:
    """Readers' questions of a desk no rule was tuned on (a sports desk; a business, economy and technology desk; a
    science, health and environment desk; a culture, technology and entertainment desk; a world desk; a council,
    politics and courts desk; a regional health and environment desk; a transport and education desk; a consumer,
    housing and money desk typed as in a chat; an environment, weather and farming desk asked as dictated to a phone
    and as written in a second language; a courts, police and crime desk typed as in a chat and written in full with
    courtesy: keywords, questions in other words than the stories', typos, chat shortenings, names without their
    accents, counts, amounts in their units, comparisons, replies to a story):
    each the rules answer among the 3 passages shown, by a passage its `gold` names, stays so (each that does not is
    named); those a set lists as missed are not asserted."""
    library = desks(desk)
    missed: list[tuple[str, object]] = []
    for case in shown_cases(f"{desk}_questions.json"):
        question = case["question"]
        if following := case.get("following"):
            question = library.follow_up(question, [str(DATA / desk / following)])
        answer = library.ask(library.request(question), DESKS_ASKED_ON)
        if not any(g in p.text for p in answer.passages[:3] for g in case["gold"]):
            missed.append((case["question"], answer))
    assert not missed, missed_of(missed)


def test_a_library_answers_of_next_year_as_of_the_day_it_is_asked_on(desks: Callable[[str], Library]) -> None:
    """A question asking of "next year" is answered as of the day `Library.ask` is given: the council desk's budget
    story of 2026 tells of 2027's council tax, the year the desks' day asks of, and not of 2028, which a reader asking
    in June 2027 means (declined, saying so). The desks' tests asked on the clock's day, and would have failed from 1
    January 2027."""
    library = desks("council_desk")
    asked = library.request("How much will council tax go up in Kestlebury next year?")
    then = library.ask(asked, DESKS_ASKED_ON)
    assert then.confident and "raise council tax by 4.99% next year" in then.passages[0].text, then
    later = library.ask(asked, datetime(2027, 6, 1, 12, tzinfo=UTC))
    assert not later.found, later
    assert later.reason == "Nothing in the articles answers that. The story it may be about is from 2026.", later


def test_next_year_in_a_followed_story_s_headline_is_not_the_reader_s(desks: Callable[[str], Library]) -> None:
    """A follow-up is searched with its stories' headlines (`Library.follow_up`), whose "next year" is the story's:
    "how much does it cost?" in reply to the culture desk's game delayed "until next year", a story of 2026, was
    declined once the clock read 2027, as if the reader had asked of 2028."""
    library = desks("culture_desk")
    question = library.follow_up("how much does it cost?", [str(DATA / "culture_desk" / "ember_crown_delay.txt")])
    answer = library.ask(library.request(question), datetime(2027, 6, 1, 12, tzinfo=UTC))
    assert answer.found and "will cost \u00a359.99" in answer.passages[0].text, answer


@pytest.mark.parametrize(
    ("desk", "question"),
    [
        ("sports_desk", "how much do albion pay carla brandt"),
        ("sports_desk", "how much did albion pay for kasper lund"),
        ("sports_desk", "how many wickets did tom hale take in 2023"),
        ("sports_desk", "how much do albion women players get paid"),
        ("sports_desk", "how much is a season ticket at castleford town"),
        ("sports_desk", "how much is public skating at the ice rink"),
        ("sports_desk", "what time does the gym open"),
        ("sports_desk", "how do i reset my password"),
        ("sports_desk", "what's the weather like tomorrow"),
        ("sports_desk", "best pizza near me"),
        ("business_desk", "how much is marcus obi paid"),
        ("business_desk", "how much did halden capital pay for its 12% stake"),
        ("business_desk", "how many servers does nimbus have"),
        ("business_desk", "how much does a nimbus subscription cost"),
        ("business_desk", "how much do ridelink drivers earn an hour"),
        ("business_desk", "how much profit does greystone brewery make"),
        ("business_desk", "how much is the minimum wage for 16 year olds"),
        ("business_desk", "how much do coastline bus drivers earn"),
        ("business_desk", "what is laura penrose's salary"),
        ("business_desk", "how much do sellick crane drivers earn"),
        ("business_desk", "how much was kessler bank fined"),
        ("business_desk", "how much do carrow steel workers earn"),
        ("business_desk", "what was skylark's profit in the winter"),
        ("business_desk", "what is calderwood software's turnover"),
        ("business_desk", "how much was kessler fined by the fca"),
        ("business_desk", "what is the voltra metro's top speed"),
        ("business_desk", "how do i change my pin"),
        ("business_desk", "what's a good recipe for lasagne"),
        ("business_desk", "who won the football last night"),
        ("science_desk", "what is helen marsh's salary"),
        ("science_desk", "how many flu cases are there in tarnmouth"),
        ("science_desk", "how much did the 2012 flood defences cost"),
        ("science_desk", "how many grey squirrels are in hawkstone forest"),
        ("science_desk", "how many pine martens live in the forest"),
        ("science_desk", "how much profit did tarn valley water make last year"),
        ("science_desk", "how many chickens have been culled in the county this year"),
        ("science_desk", "how much will the wind farm cost to build"),
        ("science_desk", "how much does a gannet rocket launch cost"),
        ("science_desk", "how much does margaret ellery's telescope cost"),
        ("science_desk", "who designed the cancer centre"),
        ("science_desk", "how much does an mri scan cost"),
        ("science_desk", "how many ambulances does west vale have"),
        ("science_desk", "how many gps work in tarnmouth"),
        ("science_desk", "how much does a vape cost"),
        ("science_desk", "when is the next solar eclipse"),
        ("science_desk", "when will the next gannet rocket launch"),
        ("science_desk", "how do i book a covid jab"),
        ("science_desk", "what's the weather tomorrow"),
        ("science_desk", "best walking boots for winter"),
        ("science_desk", "how do i reset my router"),
        ("science_desk", "what time does the pharmacy close"),
        ("culture_desk", "how much were tickets for the northern screen awards"),
        ("culture_desk", "how many copies has small hours radio sold"),
        ("culture_desk", "how much is the viking silver worth"),
        ("culture_desk", "who is the boss of hollowlight"),
        ("culture_desk", "when is agnes lecuyer's funeral"),
        ("culture_desk", "who headlined the folk festival on friday"),
        ("culture_desk", "how much did the salt road cost to make"),
        ("culture_desk", "who plays the lead in the salt road"),
        ("culture_desk", "how much is tomas ibanez paid"),
        ("culture_desk", "how much does a vinyl record cost"),
        ("culture_desk", "how much do pagewise narrators earn"),
        ("culture_desk", "what was des albright's salary"),
        ("culture_desk", "how much are panto tickets at the playhouse"),
        ("culture_desk", "how many pupils go to ridgeway academy"),
        ("culture_desk", "who won best film at the 2027 northern screen awards"),
        ("culture_desk", "what's on at the cinema tonight"),
        ("culture_desk", "how do i update my phone"),
        ("world_desk", "what is oleksiy voronets's salary"),
        ("world_desk", "who chaired the northern sea summit"),
        ("world_desk", "how much did the eu pay for tarvanian oil last year"),
        ("world_desk", "how much is a loaf of bread in samarkhan"),
        ("world_desk", "how much was a ticket on the mv amani"),
        ("world_desk", "how much did holmqvist's holiday in spain cost"),
        ("world_desk", "how much did qasimova earn"),
        ("world_desk", "who is the president of dalmar"),
        ("world_desk", "how many tourists visit sainte-merault"),
        ("world_desk", "how many buildings collapsed in the azeran earthquake"),
        ("world_desk", "how much was the ransom for the dutch engineer"),
        ("world_desk", "who won the costaverde election in 2020"),
        ("world_desk", "who will succeed holmqvist as prime minister of lindmark"),
        ("world_desk", "when will nukuvai airport reopen"),
        ("world_desk", "who won the vesnian election in 2030"),
        ("world_desk", "how do i apply for a visa to marenia"),
        ("world_desk", "who won the world cup"),
        ("world_desk", "how do i send money to family in bamuni"),
        ("world_desk", "what time is it in azerabad"),
        ("council_desk", "how much is zoe fairweather paid"),
        ("council_desk", "how many libraries are there in marlcaster"),
        ("council_desk", "who designed the quayside point tower"),
        ("council_desk", "how much will the flats in quayside point cost"),
        ("council_desk", "how many votes did the greens get in hatherley in 2022"),
        ("council_desk", "how much did the hatherley by-election cost"),
        ("council_desk", "how much does a place at elmfield house cost"),
        ("council_desk", "how many staff work at elmfield house"),
        ("council_desk", "who designed the old town hall"),
        ("council_desk", "how much are harrop's fines for parking"),
        ("council_desk", "how many votes did derek pole win in 2025"),
        ("council_desk", "how much does a wheelie bin cost"),
        ("council_desk", "how much did liam doherty earn"),
        ("council_desk", "what is the speed limit on the a41"),
        ("council_desk", "what is dev patel's job"),
        ("council_desk", "how much did the hatherley library cost to run"),
        ("council_desk", "how many bailiffs does the council use"),
        ("council_desk", "how much is the council's credit rating worth"),
        ("council_desk", "how do i register to vote"),
        ("council_desk", "what's the weather going to be like this weekend"),
        ("council_desk", "how do i report a pothole"),
        ("health_desk", "how much did colin ashdown earn at the ambulance service"),
        ("health_desk", "how much does the rsv vaccine cost"),
        ("health_desk", "who designed the urgent treatment centre"),
        ("health_desk", "how much profit did wendle water make last year"),
        ("health_desk", "how much is gordon pettifer paid"),
        ("health_desk", "what was the hottest temperature in pelsworth in 1976"),
        ("health_desk", "who owns tallis renewables"),
        ("health_desk", "how many trains were cancelled in the heatwave"),
        ("health_desk", "when did the clean air zone start charging"),
        ("health_desk", "how do i register with a gp"),
        ("health_desk", "what time does the pharmacy open on sunday"),
        ("health_desk", "how do i get a blue badge"),
        ("health_desk", "what's the number for nhs 111"),
        ("health_desk", "how do i unblock a drain"),
        ("transport_desk", "how many trains were cancelled last winter"),
        ("transport_desk", "how much does the route 14 bus cost to run per passenger"),
        ("transport_desk", "who built pennock bridge"),
        ("transport_desk", "how much does a flight from haverleigh to spain cost"),
        ("transport_desk", "how many flights a day leave haverleigh airport"),
        ("transport_desk", "how many people were killed on the a62"),
        ("transport_desk", "how many teachers work at cransford academy"),
        ("transport_desk", "what percentage of pupils got grade 9 in maths"),
        ("transport_desk", "how much is the vice chancellor paid"),
        ("transport_desk", "how much does the skelder learning trust pay its chief"),
        ("transport_desk", "how many pupils go to millbeck high"),
        ("transport_desk", "how much did the tram extension cost"),
        ("transport_desk", "has pennock bridge reopened"),
        ("transport_desk", "did the route 14 bus keep running after march"),
        ("transport_desk", "how do i renew my railcard"),
        ("transport_desk", "is the m62 busy right now"),
        ("transport_desk", "how do i get a refund from the airline"),
        ("money_desk", "how much are rents in marbury"),
        ("money_desk", "how much was the landlord fined in 2019"),
        ("money_desk", "how many people died from the korma"),
        ("money_desk", "how much profit does brightwell foods make"),
        ("money_desk", "how much do pennyworths staff get paid"),
        ("money_desk", "how many cars were stolen in wealdham"),
        ("money_desk", "how much did the korma cost"),
        ("money_desk", "how much did the hosepipe ban cost corbel water"),
        ("money_desk", "how many landlords has the council fined this year"),
        ("money_desk", "how much does the banking hub cost to run"),
        ("money_desk", "has the marbury banking hub opened yet"),
        ("money_desk", "should i fix for 2 or 5 years"),
        ("money_desk", "how do i switch energy supplier"),
        ("money_desk", "how do i check my credit score"),
        ("money_desk", "can u lend me a tenner lol"),
        ("money_desk", "whats the exchange rate for euros"),
        ("money_desk", "how do i make a budget spreadsheet"),
    ],
)
def test_a_desk_question_its_stories_cannot_answer_stays_declined(
    desks: Callable[[str], Library], desk: str, question: str
) -> None:
    """The questions of a desk's set no story answers that the rules declined when the set was first asked: a pay, a
    price, a profit, a count or a time the stories do not give, who designed what, and everyday ones; and since, of
    the business desk, a sum named by what it is (a salary, a turnover, a fine, what someone earns) of stories writing
    only other sums (`writes_sum_named`), and a car's top speed of a story giving its range (`writes_measure_named`)."""
    library = desks(desk)
    assert not library.ask(library.request(question)).found


def test_a_reply_asking_what_has_happened_since_is_asked_of_the_story_that_followed(
    desks: Callable[[str], Library],
) -> None:
    """ "has it held?" in reply to a ceasefire agreed was asked of that story's headline alone, and its passages led
    (the talks, the weapons pulled back); the truce broken three days on is the next story of the event, whose lede
    answers. A prisoner swap two weeks on, which the reply's "held" met ("civilians held by the rebels"), is a later
    story of the event, not the next. A reply asking of the story itself is asked of it alone."""
    world_desk = desks("world_desk")
    ceasefire = [str(DATA / "world_desk" / "ceasefire.txt")]
    searched = world_desk.follow_up("has it held?", ceasefire)
    assert searched == (
        "has it held? (Shells kill nine in Velyki Brody market as Kordovia truce is broken; "
        "Kordovia and eastern rebels agree ceasefire)"
    )
    answer = world_desk.ask(world_desk.request(searched))
    assert "was broken on Sunday" in answer.passages[0].text, answer
    assert (
        world_desk.follow_up("who brokered it?", ceasefire)
        == "who brokered it? (Kordovia and eastern rebels agree ceasefire)"
    )


def test_a_reply_in_words_the_replied_story_never_writes_is_asked_of_the_next_story_of_its_desk(
    desks: Callable[[str], Library],
) -> None:
    """ "was he found guilty?" of a trial opening was asked of that story alone, whose "denies fraud" led; its verdict
    is the next story of the event, which writes "guilty". A later story of another desk writing the word is another
    event: of a car maker's plant, "when will they start making it" is not asked of a chip maker's plant planned."""
    council_desk, business_desk = desks("council_desk"), desks("business_desk")
    trial = [str(DATA / "council_desk" / "fraud_trial_opens.txt")]
    searched = council_desk.follow_up("was he found guilty?", trial)
    assert searched == (
        "was he found guilty? (Gareth Pryce guilty of fraud against Kestlebury council; "
        "Former council finance officer stole court told)"
    )
    answer = council_desk.ask(council_desk.request(searched))
    assert "has been found guilty of stealing" in answer.passages[0].text, answer
    voltra = [str(DATA / "business_desk" / "voltra_car.md")]
    assert "Chip maker" not in business_desk.follow_up("when will they start making it", voltra)


@pytest.fixture(scope="module")
def ashcott(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A leisure centre's closure filed twice under one headline (the second copy a paragraph longer), a swimming
    club's move while it is shut, and two other stories of the town."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("ashcott"), DATA / "ashcott")


def test_a_story_filed_twice_takes_the_places_of_one(ashcott: Library) -> None:
    """The closure's copies are one story: two of its passages are shown, and the third place is the swimming club's,
    which tells what becomes of the centre's swimmers. Counted apart, the copy's lede took it after two of the first
    copy's paragraphs: the same story shown three times."""
    answer = ashcott.ask(
        ashcott.request("what will happen to people who use the ashcott leisure centre while it is shut")
    )
    titles = [p.article.title for p in answer.passages]
    assert titles.count("Ashcott leisure centre to shut for a year of roof repairs") == 2, titles
    assert "Ashcott swimming club to train in Dunley while leisure centre is shut" in titles, titles


@pytest.fixture(scope="module")
def cresswold(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A third town's six stories (tests/data/cresswold: a bakery chain's new shop, a 10K race, a choir's prize, a
    leisure centre approved, a bus station rebuilt, a football season's end) and the shipped one."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("cresswold"), DATA / "cresswold")


CRESSWOLD = json.loads((DATA / "cresswold_questions.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CRESSWOLD, ids=[c["question"] for c in CRESSWOLD])
def test_a_place_or_a_named_sum_no_story_writes_is_declined(cresswold: Library, case: dict[str, Any]) -> None:
    """Each case of tests/data/cresswold_questions.json: 31 questions its stories answer and 25 on the same subjects
    asking what none tells. 16 of those are declined, 11 of them shown before: "who came second (third, fourth)?" or
    "who was the runner-up?" of a story writing no such place (`writes_place_in_story`; "12 seconds" is none), and a
    profit, a revenue or a debt asked of a story writing a sum of another thing (`writes_sum_named`: "How much profit
    did Hartley's Bakeries make last year?" was answered confidently by its revenue), and who designed what no
    passage of its story writes a word of designing for (`writes_deed_in_story`). Still shown: who will build what
    the story tells is to be built, why, a price or a count of another thing. One answerable question is
    declined, as before: "How many goals has Leo Brandt scored this season?" of "scored both goals, taking his total
    for the season to 24", its count too far from "goals" (`counted_near`)."""
    asked_of(cresswold, case)


@pytest.fixture(scope="module")
def national_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A national newsroom's 37 stories (tests/data/national_desk: business, science, health, politics and sport) and
    the shipped one."""
    yield from library_of(tmp_path_factory, tmp_path_factory.mktemp("national_desk"), DATA / "national_desk")


FAR = json.loads((DATA / "far_questions.json").read_text(encoding="utf-8"))["questions"]


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=c["miss"])) if "miss" in c else c for c in FAR],
    ids=[c["question"] for c in FAR],
)
def test_a_question_far_from_every_story_is_declined(national_desk: Library, case: dict[str, Any]) -> None:
    """Each case of tests/data/far_questions.json: 30 questions on things no story of national_desk covers, sharing a
    word or two with one by chance, declined; 17 its stories answer in few of their words, shown with the passage that
    answers. The 4 still wrong (`miss`) are expected to fail, strictly: a fix shows here. "why is the sky blue" was
    shown (0.91), "sky" searched as the airline Skyline Air, a compound its stories write only as a name
    (`in_compounds`)."""
    answer = national_desk.ask(national_desk.request(case["question"]))
    assert answer.found is (case.get("kind") != "far"), answer
    if answer.found and "gold" in case:
        assert any(gold in p.text for p in answer.passages for gold in case["gold"]), answer
