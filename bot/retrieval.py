"""Retrieval: a question in, the passages that answer it out (or a clear "nothing answers that")."""

from __future__ import annotations

import logging
import math
import re
from bisect import bisect_right
from calendar import monthrange
from collections import Counter
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache, cached_property, lru_cache, partial
from itertools import pairwise
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from bot.analysis import (
    BASE_FORMS,
    IRREGULAR_VERBS,
    OTHER_QUESTION_WORDS,
    QUESTION_FRAMES,
    SHORTHAND,
    STOPWORDS,
    Frame,
    analysed_in,
    analysis_language,
    analyze,
    cached_per_language,
    cased_terms,
    data_lines,
    english_frequency,
    english_words,
    fold,
    sentence_starts,
    sentences,
    small_words,
    stem,
    token_spans,
    words,
)
from bot.calendar_words import MONTH_NAMES, MONTH_WORD, month_number
from bot.config import DEFAULT_ANSWER_SIZE, MAX_ANSWER_SIZE, MAX_PASSAGES, MAX_QUESTION_CHARS
from bot.errors import NoWordsError, QuestionError
from bot.index import Engine, Query
from bot.index.engine import MAX_QUERY_TERMS, unique_terms
from bot.models import Answer, Hit, Passage, Respelling, StoredArticle
from bot.semantic import Semantic
from bot.semantic.encoder import load_tokenizer
from bot.semantic.static import WordPieces
from bot.spoken import read_as_typed
from bot.store import Store
from bot.store.language import NAMES, library_language
from bot.wording import spoken_list

log = logging.getLogger(__name__)

# Candidates fetched per passage shown, from BM25 and from the vectors each: enough to fill the answer after
# the per-article limit.
CANDIDATES_PER_PASSAGE = 8
MIN_CANDIDATES = 30
CLOSEST_HEADLINES = 3
_WORD = re.compile(r"\w", re.UNICODE)
# A web address in a question names no story ("what does https://example.com say about ..."): its pieces ("https",
# "example.com") would only be words no article uses, which decline the question.
_WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    """A question with its answer size, page and filters."""

    question: str
    k: int = 3
    offset: int = 0
    per_article: int | None = 2
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if _WEB_ADDRESS.search(self.question):
            object.__setattr__(self, "question", " ".join(_WEB_ADDRESS.sub(" ", self.question).split()))
        # A tampered "More" button or a script must not make one question cost a search of the whole corpus.
        if not 1 <= self.k <= MAX_ANSWER_SIZE:
            raise QuestionError(f"Ask for between 1 and {MAX_ANSWER_SIZE} passages at a time.")
        if not 0 <= self.offset <= MAX_PASSAGES - self.k:
            raise QuestionError(f"Only the first {MAX_PASSAGES} passages of an answer can be shown; please ask again.")


def question_terms(question: str, max_chars: int = MAX_QUESTION_CHARS) -> list[str]:
    """The analysed terms of a question, or a QuestionError saying in words why it cannot be searched."""
    text = question.strip()
    if not text:
        raise NoWordsError("Please type a question.")
    if len(text) > max_chars:
        raise QuestionError(f"That question is {len(text):,} characters long; please ask in at most {max_chars:,}.")
    terms = analyze(text)
    if terms:
        return terms
    if not _WORD.search(text):
        raise NoWordsError("That has no words to search for.")
    words = [w for w in re.findall(r"\w+", fold(text)) if w in STOPWORDS]
    shown = ", ".join(dict.fromkeys(words[:6]))
    raise QuestionError(
        f"That question only has common words ({shown}) that every article uses. Add a name, a place or a topic."
    )


# ---- the second stage ---------------------------------------------------------------------------------------

# What the second stage can weigh, per candidate (see `feature_table`).
FEATURES = (
    "bm25",
    "bm25_share",
    "coverage",
    "sentence",
    "context",
    "headline",
    "lexical",
    "lexical_rank",
    "cosine",
    "dense_rank",
    "article_cosine",
    "position",
    "soft",
)


@dataclass(frozen=True)
class Ranker:
    """The second stage: a linear score over named candidate features (`feature_table`); higher is better.

    Every feature is a 0..1-ish share or a rank transform, so a weight says how much it counts. A fitted
    ranker's weights are already divided by each feature's spread on the data it was fitted on (a constant
    shift of any feature changes no order, so none is kept).
    """

    weights: Mapping[str, float]

    def __post_init__(self) -> None:
        # A misspelt feature would otherwise fail only when the first question is asked.
        if unknown := set(self.weights) - set(FEATURES):
            raise ValueError(f"unknown ranking features: {', '.join(sorted(unknown))}")

    def scores(self, candidates: Sequence[Candidate]) -> npt.NDArray[np.float64]:
        table = feature_table(candidates)
        out = np.zeros(len(candidates))
        for name, weight in self.weights.items():
            out += weight * table[name]
        return out


# BM25 and word coverage alone (`NEWSBOT_SEMANTIC=off`): a weighted sum tuned on one random half of SQuAD's
# questions and checked on the other.
LEXICAL_RANKER = Ranker({"bm25": 1.0, "coverage": 1.0, "sentence": 1.0, "context": 0.6})
# With the encoder: learned on a mix of the tuning half of the project's own BBC questions and a sample of 2,000
# questions from SQuAD v1.1 dev's tuning half (`bench/quality.py --tune`: a listwise logistic model,
# L2-regularised, the BBC questions carrying 0.6 of the loss), reported on both halves of each. Fitted on news
# alone it leaned on news priors (a story's first paragraphs, its article's cosine): held-out SQuAD R@1 0.80
# against the mix's 0.84, for the same natural paragraph R@3 within a question. The paragraph's and its
# article's cosines and the soft word matches (how closely each of the question's words is met in meaning, by
# the word pieces distilled from the encoder) carry most of it; with them the exact word coverage counts a third
# as much as before. The ranks in both first-stage lists and a small prior for a story's first paragraphs do
# the rest.
SEMANTIC_RANKER = Ranker(
    {
        "coverage": 2.703,
        "context": 4.931,
        "bm25_share": -0.317,
        "lexical": 0.022,
        "lexical_rank": 1.449,
        "cosine": 6.739,
        "dense_rank": 0.51,
        "article_cosine": 5.7,
        "headline": -3.527,
        "position": -0.417,
        "soft": 9.422,
    }
)


# What an `Answerability` can weigh (see `answerability_features`).
ANSWERABILITY_FEATURES = (
    "coverage",
    "complete",
    "keyword_coverage",
    "keyword_complete",
    "question_coverage",
    "question_complete",
    "cosine",
    "best_cosine",
    "unseen",
    "number",
    "nothing",
)


@dataclass(frozen=True)
class Answerability:
    """A calibrated chance that a passage answers the question: a logistic of its evidence.

    `coverage` and `cosine` say how much of the question the passage holds, in words and in meaning,
    `complete` that it holds every word of it (each also apart for keywords and for a question asked as one,
    see `asks`); `best_cosine` is the highest cosine of any candidate (a question the articles cannot answer has
    nothing near it); `unseen` is the share of the question's information in words no paragraph has ever used
    (Brexit, bitcoin), or in a name of several words no passage found holds together (`names_apart`), and
    `number` says a number the question asks about (a year, mostly) is missing from the passage and its context,
    and `nothing` that the passage holds no word of the question (those that only frame it not counted).
    Fitted on the tuning half of the project's BBC questions, answerable and not (bench/quality.py --tune); one
    score per answer, that of its best passage, so a question asked in other words is not declined for that
    alone.
    """

    bias: float
    weights: Mapping[str, float]

    def __post_init__(self) -> None:
        # A misspelt feature would otherwise fail only when the first question is asked.
        if unknown := set(self.weights) - set(ANSWERABILITY_FEATURES):
            raise ValueError(f"unknown answerability features: {', '.join(sorted(unknown))}")

    def __call__(self, candidate: Candidate, best_cosine: float = 0.0) -> float:
        values = answerability_features(candidate, best_cosine)
        z = self.bias + sum(weight * values[name] for name, weight in self.weights.items())
        return 1.0 / (1.0 + math.exp(-z))


# By words alone a passage holding no word of the question has no evidence at all, and the fitted bias alone made it
# an answer (0.76): in ten stories of our own "how long is the road" was answered confidently (0.86) by a researcher's
# "long walk", and "what did the amira say" showed passages holding only "said". Set, not fitted: the BBC questions'
# candidates by words alone each hold some word of their question (weighed beside it, the fit would have nothing to
# learn it from); set so, such a passage answers at 0.10.
NOTHING_HELD = {"nothing": -3.35}
LEXICAL_ANSWERABILITY = Answerability(
    1.155, {"coverage": 1.166, "complete": 1.283, "unseen": -7.303, "number": -5.295, **NOTHING_HELD}
)
# For keywords the word weights are set, not fitted (the BBC questions hold too few short ones to fit them; set,
# they cost nothing there): a passage holding every word typed ("harbor", "Dempsey") answers it even when the
# encoder, made for sentences, finds one word far from a paragraph. A question asked as one ("What is the capital
# of Australia?") wants more than its words side by side, so there they are fitted with the cosines: on the
# tuning half this declined 86% of the unanswerable questions instead of 82%, with the same 2% of the answerable
# ones, and one- and two-word queries made from 300 BBC headlines were declined as often as before (3% and 2%).
SET_ANSWERABILITY = {"keyword_coverage": 2.0, "keyword_complete": 3.0}
SEMANTIC_ANSWERABILITY = Answerability(
    -5.21,
    {
        **SET_ANSWERABILITY,
        "cosine": 5.797,
        "best_cosine": 8.624,
        "unseen": -8.18,
        "number": -5.761,
        "question_coverage": 0.503,
        "question_complete": -0.617,
    },
)
# With the static word-piece vectors (`NEWSBOT_SEMANTIC=static`): both fitted as the encoder's are, on their own
# candidates. A word-piece cosine says less about one paragraph than about its story: the article's best cosine
# carries the weight, the paragraph's own adds nothing beyond it.
STATIC_RANKER = Ranker(
    {
        "coverage": 2.439,
        "context": 5.16,
        "bm25_share": 1.141,
        "lexical": -0.786,
        "lexical_rank": 1.173,
        "cosine": -2.464,
        "dense_rank": 1.21,
        "article_cosine": 10.445,
        "headline": -2.322,
        "position": -0.426,
        "soft": 10.585,
    }
)
STATIC_ANSWERABILITY = Answerability(
    -5.921,
    {
        **SET_ANSWERABILITY,
        "cosine": 9.02,
        "best_cosine": 4.746,
        "unseen": -6.81,
        "number": -6.642,
        "question_coverage": 0.694,
        "question_complete": 0.143,
    },
)
# The second stage and answerability of each semantic mode (`Semantic.mode`).
SECOND_STAGES = {"on": (SEMANTIC_RANKER, SEMANTIC_ANSWERABILITY), "static": (STATIC_RANKER, STATIC_ANSWERABILITY)}
COMPLETE = 0.999
UNSEEN_FULL_AT = 10_000
# A word a quarter of the paragraphs hold or more (BM25's idf of that share) tells nothing of whether the story is
# there: "say", which every story's "said" meets.
COMMON_IDF = math.log(4)
# A sentence holding every word of a question asked as one answers it, with its paragraph, as if they were typed as
# keywords when fewer than this many paragraphs of the library would hold them all by chance (`chance_meetings`):
# they meet there because it is about them. Of the BBC questions that one passage holds whole, the answerable ones'
# words would meet by chance in at most 0.002 paragraphs, the unanswerable ones' in 0.80 to 1.25 ("How do vaccines
# work?", "What is the capital of Australia?", "What is the speed of light?"); in a library of ten stories "Will
# QuickCrate appeal?" meets its answer where 0.24 would, and the encoder, which never saw the name, finds it far
# (0.30). In one sentence, not anywhere in the paragraph: a long one holds common words more often than their share
# of paragraphs says ("What is another name for being born again?", a SQuAD question, met a singer's life story).
RARE_TOGETHER = 0.5
# A question word and one word (`search`: "what is the fine?") is weighed as the word typed alone only where fewer
# paragraphs than this write the word (`chance_meetings` of one word is about how many do, plus a half): then it
# names one thing the stories tell of, which the question asks after. The four stories of tests/data/four_stories
# write "fine" once and "nests" twice; the BBC's 10,547 paragraphs write "weather" 37 times and "fine" 92.
ONE_WORD_PARAGRAPHS = 4
ONE_WORD_STORIES = 2
# Answers below this answerability (and above the decline threshold) are shown as weaker: "These passages may
# help", with the closest headlines.
CONFIDENT_ANSWERABILITY = 0.8
# Passages after the first need this share of the answer's bar, on their own evidence: on the tuning half of the
# BBC questions the full bar hid one paraphrase's gold paragraph, which every share from 0.2 to 0.8 shows (with
# the same answers otherwise); half still keeps out passages with nothing in common with the question.
TAIL_SHARE = 0.5
# A word no paragraph uses is met by meaning in a passage whose soft word match of it is at least this: "purchased"
# meets "bought" at 0.89, "mayor" a railway station's paragraph at 0.26 and a council's budget at 0.36.
SOFT_MET = 0.6
# Words a small library lacks are left out of a passage's coverage only while they are less than this share of the
# question's information (words that only frame it, `frame_terms`, not counted).
LACKING_AT_MOST = 0.5
# A passage of another story that the ranker scores this far below the answer's first is not shown beside it: the
# fitted rankers' scores are log-odds over a question's candidates, so it is e^5, about 150 times, less likely to be
# the one that answers. "Why did Russia invite Dempsey?" showed a rugby team sheet naming a Dempsey (7.1 below) and
# a story on Ukraine (6.9 below), both off the topic, beside the shipped story's two paragraphs. Of the BBC
# questions' passages shown second or third, the gold ones were at most 3.3 below the first, half the others from
# another story more than 3.0 and a quarter more than 6.5. The lexical ranker's scores span less than this: it
# applies with vectors only. A passage holding every word of the question is still shown: one word typed alone
# ("iraq") lists the passages holding it first (`typed_word_first`), whatever the ranker's scores; so are the first
# story's other paragraphs, which "More" pages through.
FAR_WEAKER = 5.0
# Within a category or dates, a best passage holding less than this share of the question does not answer it where
# a story outside them holds it all (`answered_outside`).
OUTSIDE_SHARE = 0.5
# An answer whose first passage does not answer is led by the first of this many that does (`answerable_first`).
LEAD_CANDIDATES = 3
# Newsrooms file the same story twice, sometimes with a word or two changed ("UK" added, a typo mended) or with
# two paragraphs run into one: a passage this share of whose words are in one shown already tells the reader
# nothing new, and is left out.
SAME_PASSAGE = 0.9
# A story near a question by meaning alone, none of whose words any candidate holds, stands out of a small library
# (`singled_out`) when its best cosine is at least this and this many times any other story's: of first_week "who won
# the match?" (the match report 0.32, the next story 0.15); of 350 random questions of eight small libraries holding
# no word any candidate holds, none.
SINGLED_OUT_COSINE = 0.3
SINGLED_OUT_RATIO = 2.0


def singled_out(candidates: Sequence[Candidate]) -> str | None:
    """The story the `candidates` of a question none of whose words they hold are near by meaning, when one stands out
    (SINGLED_OUT_COSINE, SINGLED_OUT_RATIO); else None."""
    if any(c.matched for c in candidates):
        return None
    near = sorted(best_cosines(candidates).items(), key=lambda item: -item[1])
    if len(near) < 2 or near[0][1] < SINGLED_OUT_COSINE or near[0][1] < SINGLED_OUT_RATIO * max(0.0, near[1][1]):
        return None
    return near[0][0]


def chance_meetings(idf: Mapping[str, float], paragraphs: int) -> float:
    """How many of the library's `paragraphs` would hold every term of `idf` (a question's evidence terms and their
    idf) were each written where it is by chance, apart from the others: a term's idf is about minus the log of the
    share of paragraphs that hold it, so this stays one scale whatever the library's size."""
    return paragraphs * math.exp(-sum(idf.values()))


# Two words are written as one (`written_as_one`) where at least this many paragraphs hold both: once says nothing of
# how they go, and "who is the council leader?" was declined, "council leader" written once being taken for one word
# as common as "leader" alone, where the question asks for just that meeting.
WRITTEN_AS_ONE = 2


def written_as_one(terms: Sequence[str], texts: Iterable[str]) -> tuple[frozenset[str], ...]:
    """Runs of `terms` (a question's, in its order) whose neighbours every one of `texts` holding both writes side by
    side, WRITTEN_AS_ONE at least holding them: the words of a name ("Ashford Vale") or of a phrase that stories never
    write apart. Wherever one is the other is, so they meet as one word does (`as_met`)."""
    # The texts' term sets are read for the evidence too (cached); their terms in order only where a pair meets. Only
    # a text holding two of the terms can hold a pair: each pair looks through those alone, each text once with the
    # number of times it is given (a story's copies under other links, its headline for each of its paragraphs).
    wanted = frozenset(terms)
    read = [(text, held, times) for text, times in Counter(texts).items() if len(held := _term_set(text) & wanted) > 1]
    runs: list[list[str]] = []
    joined_before = False
    for a, b in pairwise(terms):
        holding = [(text, times) for text, held, times in read if a in held and b in held]
        joined = (
            a != b
            and sum(times for _, times in holding) >= WRITTEN_AS_ONE
            and all((a, b) in pairwise(_term_list(text)) for text, _ in holding)
        )
        if joined and joined_before:
            runs[-1].append(b)
        elif joined:
            runs.append([a, b])
        joined_before = joined
    return tuple(frozenset(run) for run in runs)


def as_met(idf: Mapping[str, float], runs: Iterable[frozenset[str]]) -> dict[str, float]:
    """`idf` with the words of each run of `written_as_one` weighed as its rarest one alone, for `chance_meetings`:
    the words of a name are no two meetings by chance."""
    met = dict(idf)
    for run in runs:
        held = [t for t in run if t in met]
        # Ties by the word: a run is a set, whose order changes with each process's hash seed, and which of two words
        # as rare was kept decided whether "how did he plead?" of tests/data/council_desk was answered confidently.
        for term in sorted(held, key=lambda t: (met[t], t))[:-1]:
            del met[term]
    return met


def answerability_features(candidate: Candidate, best_cosine: float = 0.0) -> dict[str, float]:
    """What an `Answerability` weighs for one passage (`best_cosine`: the highest cosine among the candidates)."""
    held = 1.0 - candidate.lacking
    covered = min(1.0, candidate.coverage / held) if held > 0 and not candidate.framed_only else 0.0
    complete = float(covered >= COMPLETE)
    asked = float(candidate.asks)
    return {
        "coverage": covered,
        "complete": complete,
        "keyword_coverage": covered * (1 - asked),
        "keyword_complete": complete * (1 - asked),
        "question_coverage": covered * asked,
        "question_complete": complete * asked,
        "cosine": candidate.cosine or 0.0,
        "best_cosine": best_cosine,
        "unseen": candidate.unseen,
        "number": float(candidate.number_missing),
        "nothing": float(covered == 0.0),
    }


_QUESTION_WORD = re.compile(
    r"\s*(what|who|whom|whose|when|where|why|how|which|is|are|was|were|do|does|did|can|could|will|would|should"
    r"|has|have|had)\b",
    re.IGNORECASE,
)


# A question asking who or what did something, its verb right after the question word ("who won?", "what closed?";
# not "who is ...", "what did ... say").
_AUXILIARY = r"(?:is|are|was|were|has|have|had|do|does|did|will|would|can|could|should|may|might)\b"
_ASKS_WHO_DID = re.compile(rf"\s*(?:who|what)\s+(?!{_AUXILIARY})\w", re.IGNORECASE)
# Its deed, asked of who did it ("scored" of "who scored for rovers?"; "what" is as often a noun's, "what time").
_WHO_DID = re.compile(rf"\s*who\s+(?!{_AUXILIARY})([\w'\u2019]+)", re.IGNORECASE)
# A question word and "is" typed as one, its apostrophe left out ("whats", "whos", "hows").
_CONTRACTED = re.compile(r"\s*(?:what|who|how|where|when|why)s\b", re.IGNORECASE)
# A question asking whether something is so ("is the fold 17 waterproof?", "will halloran appeal?"); not of what it
# points back at: "@bot is this true?" in reply to a friend's claim asks whether a story tells the claim, which it
# does in its own words, never "true".
_ASKS_WHETHER = re.compile(rf"\s*{_AUXILIARY}(?!\s+(?:this|that|it)\b)", re.IGNORECASE)
# "Who is ...", "what's ...", "where was ...": asking after whatever follows.
_LOOKUP = re.compile(r"\s*(?:who|what|where)(?:['\u2019]s|\s+(?:is|are|was|were))\s", re.IGNORECASE)


def asks(question: str, texts: Iterable[str] = ()) -> bool:
    """Whether the text is asked as a question ("Who won?", "is it true that ...") rather than typed as keywords.

    A question after names alone ("Who is Valery Gerasimov?", "where is kaliningrad") is answered as the names
    typed as keywords would be: by a passage that holds them, though the encoder finds a sentence about the man
    far from the bare question. A word typed in lower case is a name when `texts` (the candidates) write it as one.
    A question naming something in letters without case (`caseless`: Hindi, Arabic, Chinese) is answered as its
    words typed as keywords too: the encoder cannot read those letters ("What did नरेंद्र मोदी open?" met the
    paragraph saying so with a cosine of 0.31, in Latin letters 0.52), so only the words tell an answer. So is one
    that asks for the story on something (`asks_for_a_story`): "what happened at the hospital" as "tell me about
    the hospital" always was, where the encoder found "what happened" far from the story's every paragraph (0.36).
    """
    if any(caseless(question[start:end]) for start, end, _ in words(question)) or asks_for_a_story(question):
        return False
    if _LOOKUP.match(question):
        terms = {term for _, _, term in words(question)}
        if terms and terms <= name_terms(question) | written_as_names(terms, texts):
            return False
    if _QUESTION_WORD.match(question):
        return True
    # Keywords with a question mark ("flood?", "transfer fee?") ask for the passages that hold them as they would
    # typed without it: asked as a question, "flood?" was a weak answer where "flood" was a confident one.
    return "?" in question and not all(analyze(word) for word in _LETTERED_WORD.findall(question))


def written_as_names(terms: Collection[str], texts: Iterable[str], share: float = 1.0) -> frozenset[str]:
    """The `terms` that `texts` capitalise where a sentence does not begin ("Gerasimov", not "capital"): always,
    or at least at this `share` of those places."""
    capitalised: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        upper_in, lower_in = _cases(text)
        capitalised.update({t: upper_in[t] for t in terms if t in upper_in})
        lower.update({t: lower_in[t] for t in terms if t in lower_in})
    return frozenset(t for t, n in capitalised.items() if n >= share * (n + lower[t]))


# Paragraphs whose words' cases are kept (`_cases`): 1.3 kB each for the BBC's (450 characters), 11 MB in all.
CASES_KEPT = 8192


@cached_per_language(maxsize=CASES_KEPT)
def _cases(text: str) -> tuple[Mapping[str, int], Mapping[str, int]]:
    """`cased_terms` kept per paragraph: a follow-up's text holds its stories' headlines, whose capitalised words made
    every search of it read every candidate paragraph's cases, and its searches (telling its subject, then its own)
    and "More" pages meet the same paragraphs again."""
    return cased_terms(text)


def frame_terms(question: str) -> frozenset[str]:
    """The terms of the words that only frame the question (`QUESTION_FRAMES`: "many" of "how many people came?",
    "happen" of "what happened at the hospital?"). A story tells what they ask for in its own words ("3,400 fans",
    "has opened a cancer unit"), seldom in theirs: one it never writes is not missing."""
    framed = frozenset(term for _, terms in _framed(question) for term in terms)
    return framed | frozenset(analyze("like")) if _ASKS_LIKE.match(question) else framed


# "What is it like?" asks what something is like, which a story tells in its own words: "like" only frames it. "what's
# the weather like tomorrow" was declined with the shipped story's headline as the closest, its General Staff "would
# like to establish" cooperation.
_ASKS_LIKE = re.compile(
    r"\s*(?:and\s+)?(?:what|how)(?:['\u2019]s|\s+(?:is|are|was|were|will|would))\b(?:\s+[\w'\u2019-]+){1,6}?\s+like\b",
    re.IGNORECASE,
)


def other_question_terms(question: str) -> frozenset[str]:
    """The terms of the question's words that questions in other languages than English hold (`OTHER_QUESTION_WORDS`:
    "cuántos", "wann", "pourquoi")."""
    return frozenset(term for start, end, term in words(question) if fold(question[start:end]) in OTHER_QUESTION_WORDS)


def asks_for_a_story(question: str) -> bool:
    """Whether the question opens with a frame asking for the story on what follows ("what happened at the
    hospital", "tell me about the hospital", "what about football")."""
    return any(frame.opens for frame, _ in _framed(question))


def asked_about(question: str) -> str:
    """What a question opening with a frame that asks for the story on what follows asks about ("football" of "what
    about football", "on the ferry?" of "any news on the ferry?") when that names anything, else the question: its
    words are the ones searched. "news" of "any news on football?" led the answer with a passage that writes "news"
    and not "football"."""
    framing = max((len(frame.words) for frame, _ in _framed(question) if frame.opens), default=0)
    if not framing:
        return question
    rest = question[list(_LETTERED_WORD.finditer(question))[framing - 1].end() :].strip()
    return rest if analyze(rest) else question


@cached_per_language(maxsize=256)
def _framed(question: str) -> tuple[tuple[Frame, tuple[str, ...]], ...]:
    """The frames the question holds, each with the terms it frames with (not its stopwords); a frame that opens a
    question asking for a story (`Frame.opens`) only when first in it. Kept for the last questions: one question's
    search asks it six times, each a pass over every frame (a tenth of a question's time at 100,000 paragraphs)."""
    read = [tuple(analyze(word)) or (word,) for word in map(fold, _LETTERED_WORD.findall(question))]
    return tuple(
        (frame, tuple(term for terms in read_frame for term in terms if term not in STOPWORDS))
        for frame, read_frame in _frames()
        for start in range(1 if frame.opens else len(read) - len(read_frame) + 1)
        if read[start : start + len(read_frame)] == read_frame
        and not (frame.ends and _kept(read[start + len(read_frame) : start + len(read_frame) + 1]))
    )


def _kept(read: Sequence[tuple[str, ...]]) -> bool:
    # Whether the word read (if any) is one analysis keeps: a stopword is read as itself.
    return any(word not in STOPWORDS for terms in read for word in terms)


def name_terms(question: str) -> frozenset[str]:
    """The terms of the words written as names: capitalised, and not first in the question (nor in one typed in
    capitals), or written anywhere in letters that have no case (`caseless`: "习近平" of "Who is 习近平?", which
    English articles write only beside a name). Numbers are not names: a year the articles lack has its own
    evidence (`Candidate.number_missing`)."""
    if question.isupper():
        return frozenset()
    first = len(question) - len(question.lstrip())
    nouns = nouns_by_article(question)
    return frozenset(
        term
        for start, end, term in words(question)
        if (start > first and question[start].isupper() and start not in nouns) or caseless(question[start:end])
    )


# German writes every noun with a capital, so a capital tells no name there; an article before the word, with only
# words in lower case between (an adjective: "der neue Radweg"), tells a noun. Read as names, a German library's
# nouns that its stories write only inside compounds ("Brand" of "Großbrand", "Wahl" of "Bundestagswahl") were names
# no paragraph uses, which decline a question: "Wie hoch ist der Schaden nach dem Brand?" was declined.
_ARTICLES = {
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "dem",
            "den",
            "des",
            "ein",
            "eine",
            "einem",
            "einen",
            "einer",
            "eines",
            "im",
            "am",
            "zum",
            "zur",
            "vom",
            "beim",
            "ins",
        ]
    )
}


def nouns_by_article(question: str) -> frozenset[int]:
    """Where the capitalised words that an article marks as nouns begin in `question`, in a language whose nouns all
    take a capital (`_ARTICLES`, by the language analysed in); none in any other."""
    articles = _ARTICLES.get(analysis_language())
    if articles is None:
        return frozenset()
    nouns: set[int] = set()
    after_article = False
    for start, end in token_spans(question):
        word = question[start:end]
        if fold(word) in articles:
            after_article = True
        elif word[0].isupper():
            if after_article:
                nouns.add(start)
            after_article = False
    return frozenset(nouns)


def caseless(word: str) -> bool:
    """Whether a word is written in letters that have no case (Arabic, Hebrew, Chinese, Devanagari...)."""
    return word.lower() == word.upper() and any(ch.isalpha() for ch in word)


_OWNER = re.compile(r"['\u2019]s?$")
# A name's words written this many terms apart or closer are still that name ("Chancellor Gordon Brown" of
# "Chancellor Brown").
NAME_SPAN = 3


def names_apart(question: str, texts: Sequence[str]) -> frozenset[str]:
    """The terms of the question's names of several words (`name_terms` side by side: "Lord Kennedy") that no
    text holds in their order, each within NAME_SPAN terms of the one before. A word counts as part of a name
    only when the texts write it as one mostly (`written_as_names`): a question typed in title case ("What Did
    The Minister Say?") names no "Minister Say"."""
    names: list[list[tuple[str, bool]]] = []
    named, end = name_terms(question), -1
    if len(named) > 1:
        named = written_as_names(named, texts, MOSTLY)
    for start, stop, term in words(question):
        if term not in named:
            end = -1
            continue
        word = (term, _OWNER.search(question[start:stop]) is not None)
        if end >= 0 and question[end:start].isspace():
            names[-1].append(word)
        else:
            names.append([word])
        end = stop
    wanted = [part for name in names for part in _owned_apart(name) if len(set(part)) > 1]
    for text in texts if wanted else ():
        terms = _term_list(text)
        wanted = [name for name in wanted if not _holds(terms, name)]
        if not wanted:
            break
    return frozenset(term for name in wanted for term in name)


def _owned_apart(name: Sequence[tuple[str, bool]]) -> list[list[str]]:
    """A name's terms, as two names where an owner's "'s" is followed by a name of two words or more: news writes
    "Ryanair's Michael Cawley" as "Michael Cawley" and Ryanair apart ("the airline's deputy chief, Michael Cawley"),
    but one word after it is the owner's name's own ("Hartley's Bakeries")."""
    terms = [term for term, _ in name]
    for i, (_, owner) in enumerate(name[:-2]):
        if owner:
            return [terms[: i + 1], terms[i + 1 :]]
    return [terms]


def naming_others(question: str, lacked: Collection[str], texts: Sequence[str]) -> frozenset[str]:
    """The `lacked` terms (words no paragraph uses) written right before a word that `texts` write as a name: with
    it they name something, and the stories name another. "who won the world cup" of a small library that never
    writes "world" was answered confidently by the story of the "European Fortnite Cup", "world" being taken for a
    word it lacked by chance ("watched" of "How many fans watched the cup final?", the story saying "in front of
    6,000 fans"); a word that does not qualify a name ("people watched the match") still is."""
    spans = words(question)
    before = {
        term: spans[i + 1][2]
        for i, (_, end, term) in enumerate(spans[:-1])
        if term in lacked and question[end : spans[i + 1][0]].isspace()
    }
    if not before:
        return frozenset()
    names = written_as_names(frozenset(before.values()), texts, share=0.0)
    return frozenset(term for term, after in before.items() if after in names)


def _holds(terms: Sequence[str], name: Sequence[str]) -> bool:
    at = [i for i, term in enumerate(terms) if term == name[0]]
    for word in name[1:]:
        at = [j for i in at for j in range(i + 1, min(i + 1 + NAME_SPAN, len(terms))) if terms[j] == word]
    return bool(at)


@cached_per_language(maxsize=50_000)
def _term_list(text: str) -> tuple[str, ...]:
    return tuple(analyze(text))


@cached_per_language(maxsize=50_000)
def _term_set(text: str) -> frozenset[str]:
    return frozenset(analyze(text))


@cached_per_language(maxsize=50_000)
def _sentence_term_sets(text: str) -> tuple[frozenset[str], ...]:
    return tuple(_term_set(s) for s in sentences(text))


# A sentence whose subject points back at whoever or whatever the one before names tells of them: "He has 28 days to
# appeal." after "Mr Halloran told the tribunal ...". Not one opening with "his" or "its", whose subject is another:
# "Its riders will not appeal." tells of the riders. So does one whose words reported have such a subject: "His
# lawyer said he would consider an appeal." after "Halloran ... was also banned ..." (tests/data/second_week, where
# "will halloran appeal?" was a weak answer, 0.76).
_POINTING_BACK = re.compile(
    r"\s*(?:he|she|they|it)\b|[^.!?]*\b(?:said|says|added|warned|insisted)\s+(?:that\s+)?(?:he|she|they|it)\b",
    re.IGNORECASE,
)
# Such a sentence after another, looked for before the paragraph is cut into sentences again (a question's time).
_POINTING_BACK_AFTER = re.compile(
    r"[.!?][\"'\u201d\u2019]?\s+(?:He|She|They|It)\b|[.!?][^.!?]*\b(?:said|says|added|warned|insisted)\s+(?:that\s+)?"
    r"(?:he|she|they|it)\b",
    re.IGNORECASE,
)


@cached_per_language(maxsize=50_000)
def _told_term_sets(text: str) -> tuple[frozenset[str], ...]:
    """The terms of each sentence of a paragraph, with those of the one before when it opens pointing back."""
    told = _sentence_term_sets(text)
    if _POINTING_BACK_AFTER.search(text) is None:
        return told
    return tuple(
        terms | told[i - 1] if i and _POINTING_BACK.match(sentence) else terms
        for i, (sentence, terms) in enumerate(zip(sentences(text), told, strict=True))
    )


def _most_held(weights: Sequence[tuple[str, float]], term_sets: Iterable[frozenset[str]]) -> float:
    """The most of the question's idf (`weights`, term and idf) any one of `term_sets` holds."""
    return max((sum([v for t, v in weights if t in terms]) for terms in term_sets), default=0.0)


def coverage(idf: Mapping[str, float], text: str, headline: str) -> tuple[float, frozenset[str]]:
    """Share of the question's information (idf mass) that a paragraph and its headline contain, and which terms."""
    found = frozenset(idf) & (_term_set(text) | _term_set(headline))
    total = sum(idf.values())
    return (sum(idf[t] for t in found) / total if total else 0.0), found


def evidence_terms(question: str) -> frozenset[str]:
    """The terms that carry a question's information: a hyphenated word counts through its parts.

    Analysis also keeps a compound whole ("petrol-electric" gives "petrolelectr", "petrol", "electr"), which
    helps BM25 find the same compound; as evidence the whole would count the word twice, and as a word no article
    spells that way it made questions look unanswerable ("off-roader", "data-flood").
    """
    spans = terms_by_span(question)
    return frozenset(t for terms in spans.values() for t in (terms[1:] or terms))


@dataclass(frozen=True)
class Candidate:
    """A paragraph from either first stage, with the evidence the second stage weighs (and, once ranked, its score)."""

    hit: Hit
    matched: frozenset[str]
    bm25: float = 0.0
    coverage: float = 0.0
    sentence: float = 0.0
    context: float = 0.0
    # Share of the question's idf in the article's headline.
    headline: float = 0.0
    cosine: float | None = None
    # How closely the question's words are met by meaning in the headline and paragraph (`WordPieces.soft_match`).
    soft: float = 0.0
    lexical_rank: int | None = None
    dense_rank: int | None = None
    # Share of the question's idf in words the corpus never uses; whether a number it asks about is missing;
    # whether it was asked as a question rather than typed as keywords (`asks`) and does not count as keywords for
    # this passage (`evidence`).
    unseen: float = 0.0
    number_missing: bool = False
    asks: bool = False
    # Its story does not meet, as written or by meaning, a word of the question that no paragraph of a small library
    # uses, and the words of the question it holds are no rare meeting (`unmet_marked`).
    unmet: bool = False
    # Share of the question's idf in words no paragraph uses that a small library lacks by chance (`search`): the
    # answerability weighs the coverage of the other words.
    lacking: float = 0.0
    # Of the question's words it holds only some that frame it ("long" of "how long is the road?", "said" of "what
    # did the mayor say?"), which the question has others beside: it holds nothing of what is asked.
    framed_only: bool = False
    # Its story is dated before the year the question asks of as "next year" (`beyond_its_date`): it answers nothing
    # of that year, however much of the rest it holds (`compose`).
    dated_before: bool = False
    score: float = 0.0


def _rank_weight(rank: int | None) -> float:
    # 1 for the first of a list, falling off as in DCG; 0 when the list did not return it.
    return 1.0 / math.log2(1 + rank) if rank else 0.0


def best_cosines(candidates: Sequence[Candidate]) -> dict[str, float]:
    """The highest cosine among each article's candidates (a candidate without one counts as 0)."""
    best: dict[str, float] = {}
    for c in candidates:
        best[c.hit.article_id] = max(best.get(c.hit.article_id, -1.0), c.cosine or 0.0)
    return best


def feature_table(candidates: Sequence[Candidate]) -> dict[str, npt.NDArray[np.float64]]:
    """Each feature of `FEATURES` for every candidate of one question (some compare a candidate with the others).

    `bm25` is the engine's score over the question's total idf (0 for a paragraph only the vectors found) and
    `bm25_share` the same over the best of them; `coverage`, `sentence`, `context` and `headline` the share of
    the question's idf found in the paragraph and headline, in its best sentence, (only for words missing from
    the paragraph) in the paragraph before it or the lede, and in the headline; `lexical` whether BM25 found
    it; `lexical_rank` and `dense_rank` its place in each first stage's list (1 first, falling as 1/log2(1+r),
    0 if absent); `cosine` the encoder's similarity of question and paragraph, `article_cosine` the best cosine
    of any candidate from the same article; `position` log(1 + the paragraph's place in its article); `soft`
    the soft match of the question's words in the headline and paragraph (0 without the word pieces).
    """
    bm25 = np.array([c.bm25 for c in candidates], dtype=np.float64)
    cosine = np.array([c.cosine or 0.0 for c in candidates], dtype=np.float64)
    best_of_article = best_cosines(candidates)
    top = float(bm25.max()) if len(bm25) else 0.0
    return {
        "bm25": bm25,
        "bm25_share": bm25 / top if top > 0 else bm25,
        "coverage": np.array([c.coverage for c in candidates], dtype=np.float64),
        "sentence": np.array([c.sentence for c in candidates], dtype=np.float64),
        "context": np.array([c.context for c in candidates], dtype=np.float64),
        "headline": np.array([c.headline for c in candidates], dtype=np.float64),
        "lexical": np.array([c.lexical_rank is not None for c in candidates], dtype=np.float64),
        "lexical_rank": np.array([_rank_weight(c.lexical_rank) for c in candidates], dtype=np.float64),
        "cosine": cosine,
        "dense_rank": np.array([_rank_weight(c.dense_rank) for c in candidates], dtype=np.float64),
        "article_cosine": np.array([best_of_article[c.hit.article_id] for c in candidates], dtype=np.float64),
        "position": np.log1p(np.array([c.hit.position for c in candidates], dtype=np.float64)),
        "soft": np.array([c.soft for c in candidates], dtype=np.float64),
    }


def context_keys(keys: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The paragraphs the second stage reads: each candidate, the one before it and its article's first."""
    wanted = list(keys)
    wanted += [(a, p) for a, position in keys if position > 0 for p in (position - 1, 0)]
    return list(dict.fromkeys(wanted))


# A term that is a number: decimals and amounts with their unit too ("0.5" of 0.5%, "2bn" of $2bn).
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:bn|m|k)?")
# A year a passage tells of without writing it in figures: its story's date gives the year it tells of, and its "next
# year" or "last year" the one after or before that. "who was elected mayor of kelby in 2026" was declined of
# tests/data/kelby, whose stories are dated 2026 and never write the year, as missing the number asked about.
_RELATIVE_YEAR = re.compile(r"\b(last|this|next)\s+year\b", re.IGNORECASE)
_YEAR_STEPS = {"last": -1, "this": 0, "next": 1}


def years_reached(year: int | None, text: str) -> frozenset[str]:
    """The years (as terms) a passage of a story dated in `year` tells of by its date and its `text`'s "last year",
    "this year" and "next year"; none of an undated story."""
    if year is None:
        return frozenset()
    return frozenset({str(year), *(str(year + _YEAR_STEPS[step.casefold()]) for step in _RELATIVE_YEAR.findall(text))})


def asked_year(question: str, now: datetime) -> int | None:
    """The year a question asks of as "next year" (as of `now`), the reader's own; None of one not naming it. Not "this
    year" nor "last year", which a reader takes from the story read: "How big was the fruit crop this year?" asks of
    the harvest a story of 2023 tells."""
    return now.year + 1 if any(step.casefold() == "next" for step in _RELATIVE_YEAR.findall(question)) else None


def beyond_its_date(asked: int | None, year: int | None, written: Collection[str]) -> bool:
    """Whether a passage of a story dated in `year`, its paragraph and context writing the terms `written`, cannot tell
    of the year a question asks of as "next year" (`asked_year`): its story is dated before the year ahead of it, and
    no figure of it names that year. "what is in next year's budget" of a town's stories of 2021 and 2022 was
    answered confidently by their budget for 2023; undated stories (an archive's) tell no year apart.
    """
    return asked is not None and year is not None and asked - year > 1 and str(asked) not in written


def evidence(
    hits: Sequence[Hit],
    idf: Mapping[str, float],
    texts: Mapping[tuple[str, int], str],
    headlines: Mapping[str, str],
    dense: Sequence[tuple[str, int, float]] = (),
    cosines: Mapping[tuple[str, int], float] | None = None,
    unseen: float = 0.0,
    asked: bool = False,
    rare_together: bool = False,
    lacking: float = 0.0,
    framing: Collection[str] = (),
    frames: Collection[str] = (),
    told_before: bool = False,
    names: frozenset[str] = frozenset(),
    dated: Mapping[str, int] | None = None,
    asked_of: int | None = None,
    as_nouns: Mapping[str, str] | None = None,
) -> list[Candidate]:
    """The evidence for BM25 `hits` and `dense` (article, position, cosine) candidates, merged, in no order.

    `idf` holds the question's evidence terms (`evidence_terms`). `texts` holds the paragraphs of
    `context_keys`; candidates without text or headline (deleted meanwhile) are dropped. `cosines` holds the
    similarity of lexical candidates the vector search did not return. A question `asked` as one counts as its
    words typed as keywords for a paragraph one sentence of which holds them all when they are `rare_together`
    (RARE_TOGETHER), not with its headline's words ("When will the Supreme Court rule?" met a paragraph on an appeal
    to the Supreme Court under "Court rules delivery riders are employees"). `lacking` is the share of the
    question's idf in words a small library lacks by chance (`Candidate.lacking`): the rest is all a sentence
    can hold. A word of `framing` (`frame_terms`, not those lacking already) that a paragraph does not write is
    lacking from its coverage too. A paragraph holding only words of `frames` (`frame_terms`) of a question with
    others is `Candidate.framed_only`. Where words are `told_before` (a small library, as `lacking`), a word a
    paragraph lacks that its story's lede tells is lacking too, and a sentence holding the rest holds the question: a
    story names what it tells of once ("a club record fee of £14m", "the Fold 17"), and "The previous club record was
    the £9.5m ..." or "The device will go on sale ... on 4 November" says the rest. Not the paragraph before, whose
    words tell of other things ("four years making a hinge" met "where will the fold 17 be made"), nor a lede writing
    some words of the question's `names` and not the rest, which tells of another thing of that name: "When will the
    Supreme Court rule?" is not answered by "... an appeal to the Supreme Court" under a lede on how "The Court of
    Appeal ruled". A year a passage tells of by its story's date (`dated`: each dated article's year) is no number
    missing from it (`years_reached`), and of one the question asks of as "next year" (`asked_of`) a story dated before
    the year ahead of it tells nothing (`Candidate.dated_before`). A month's name the question types as a noun
    (`as_nouns`, `months_as_nouns`) is not held by a paragraph writing it only as the month (`only_as_months`).
    """
    years = dated or {}
    total = sum(idf.values()) or 1.0
    merged = {(h.article_id, h.position): h for h in hits}
    lexical_ranks = {key: rank for rank, key in enumerate(merged, 1)}
    dense_ranks: dict[tuple[str, int], int] = {}
    found_cosines = dict(cosines or {})
    for rank, (article_id, position, cosine) in enumerate(dense, 1):
        merged.setdefault((article_id, position), Hit(article_id, position, 0.0))
        dense_ranks[(article_id, position)] = rank
        found_cosines[(article_id, position)] = cosine
    question = frozenset(idf)
    asking = question - frozenset(frames)
    weights = list(idf.items())
    # Every candidate of an article shares its headline's share.
    headline_shares: dict[str, float] = {}
    out = []
    for key, hit in merged.items():
        text, headline = texts.get(key), headlines.get(key[0])
        if text is None or headline is None:
            continue
        share, found = coverage(idf, text, headline)
        if as_nouns and (months := only_as_months(as_nouns, f"{headline}\n{text}") & found):
            found -= months
            share -= sum(idf[t] for t in months) / total
        best = _most_held(weights, _sentence_term_sets(text))
        context = 0.0
        around = found
        if hit.position > 0:
            for before in {texts.get((hit.article_id, hit.position - 1)), texts.get((hit.article_id, 0))} - {None}:
                terms = question & _term_set(str(before))
                context = max(context, sum(idf[t] for t in terms - found))
                around |= terms
        if hit.article_id not in headline_shares:
            headline_shares[hit.article_id] = sum(idf[t] for t in question & _term_set(headline)) / total
        unframed = frozenset(framing) - found
        # Words its story's lede tells and the paragraph does not write, whether or not the headline does too.
        lede = texts.get((hit.article_id, 0)) if told_before and hit.position > 0 else None
        lede_terms = _term_set(lede) if lede is not None else frozenset()
        split = bool(names & lede_terms) and not names <= lede_terms
        # Those it writes too, in another sentence, are told all the same: "Work could start next spring." tells of
        # the airfield its lede and the sentence before name ("when will work start on the airfield?" was a weak
        # answer, 0.50, where a paragraph not naming the airfield again would have counted as holding it).
        told = frozenset() if split else question & lede_terms - unframed
        # A year its date tells of is written as much as the lede's words are: "who won the by-election in 2027" was
        # declined of tests/data/portmere, dated 2027, its passage holding half the question.
        reached = years_reached(years.get(hit.article_id), text)
        by_date = question & reached - found
        untold = (told - found - _term_set(text)) | (question & unframed) | by_date
        unwritten = lacking + sum(idf[t] for t in untold) / total
        # Read sentence by sentence again only where the paragraph holds it all and no one sentence does.
        whole = COMPLETE * (1.0 - lacking - sum(idf[t] for t in told) / total)
        together = rare_together and (
            best / total >= whole or (share >= whole and _most_held(weights, _told_term_sets(text)) / total >= whole)
        )
        out.append(
            Candidate(
                hit,
                found,
                bm25=hit.score / total,
                coverage=share,
                sentence=best / total,
                context=context / total,
                headline=headline_shares[hit.article_id],
                cosine=found_cosines.get(key),
                lexical_rank=lexical_ranks.get(key),
                dense_rank=dense_ranks.get(key),
                unseen=unseen,
                lacking=unwritten,
                asks=asked and not together,
                number_missing=any(_NUMBER.fullmatch(t) for t in question - around - reached),
                dated_before=beyond_its_date(asked_of, years.get(hit.article_id), around),
                framed_only=bool(asking) and not found & asking,
            )
        )
    return out


def rank(candidates: Sequence[Candidate], ranker: Ranker) -> list[Candidate]:
    """Candidates best first, each with its score (ties keep BM25's order, then the vectors')."""
    scores = ranker.scores(candidates)
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])
    return [_scored(candidates[i], float(scores[i])) for i in order]


def _scored(candidate: Candidate, score: float) -> Candidate:
    """`candidate` with `score`, its other fields as they are: `dataclasses.replace` read each field and ran the
    frozen class's `__init__` with them all again (about 17 against 3 us a candidate, 30 of them a question)."""
    scored = object.__new__(Candidate)
    scored.__dict__.update(candidate.__dict__)
    object.__setattr__(scored, "score", score)
    return scored


@dataclass(frozen=True)
class Speller:
    """What `respellings` reads for one question, kept so that only a decline or a weak answer pays for it: each
    word no paragraph uses costs a look-up of the hundreds of strings one edit away from it, and a search."""

    question: str
    # The question's terms no paragraph uses, names too.
    unseen: frozenset[str]
    engine: Engine
    store: Store

    @cached_property
    def respellings(self) -> dict[str, str]:
        """One edit's misspellings, of names as names the articles write (`respellings`), and words typed in
        Cyrillic letters as the articles write them in Latin ones (`in_latin_letters`). Read once a question: its
        ranking is copied (`compose`), and a decline reads them again for the question respelt (`first_page`)."""
        names = name_terms(self.question)
        return respellings(self.question, self.unseen, self.engine, self.store, names) | transliterations(
            self.question, self.unseen, self.engine, self.store
        )

    @cached_property
    def asked(self) -> frozenset[str]:
        """The words of `respellings` whose respelling is asked where the question as typed is declined or weak
        (`first_page`): a name as the articles write it, and a word misspelt where the word the stories write is the
        one that near (`sure_word`)."""
        return frozenset(
            word
            for word, spelt in self.respellings.items()
            if spelt[0].isupper() or sure_word(word, spelt, self.question, self.engine, self.store)
        )


@dataclass(frozen=True)
class Ranking:
    """Everything one question's second stage found: candidates best first, their articles and texts."""

    candidates: list[Candidate]
    articles: dict[str, StoredArticle]
    texts: dict[tuple[str, int], str]
    answerability: Answerability
    # The question's terms that no paragraph uses (a misspelling, or a topic the articles never name).
    unseen_terms: frozenset[str] = frozenset()
    # How to find what those may be misspellings of, asked only when a decline or a weak answer names them.
    speller: Speller | None = None
    # The question was asked in another language (`in_another_language`), searched for the names in it (`in_english`).
    foreign: bool = False
    # The articles' language (`library_language`), which a decline of a question in another asks for (`ask_in`).
    language: str = "en"
    # Asked within a category or dates, whose passages hold little of what a story outside them answers (`search`).
    answered_outside: bool = False
    # In a small library, the story a question none of whose words any candidate holds is near by meaning alone
    # (`singled_out`): its passages may help where the answerability declines.
    by_meaning: str | None = None
    # The distilled word pieces, which meet a word asked by one of its meaning (`counts_what_is_asked`).
    pieces: WordPieces | None = None
    # The question as searched, its words read as the stories write them ("how many out of work ..." of "how many
    # jobless ...", `as_news_writes`): the thing it asks of is the one searched for (`tells_of_asked`).
    searched: str = ""

    @cached_property
    def respelt(self) -> Mapping[str, str]:
        """Words of `unseen_terms`, as typed and case-folded, with the word the articles use that they may be a
        misspelling of (`respellings`)."""
        return {} if self.speller is None else self.speller.respellings

    @cached_property
    def asked_respelt(self) -> frozenset[str]:
        """The words of `respelt` whose respelling is asked, not only suggested (`Speller.asked`)."""
        return frozenset() if self.speller is None else self.speller.asked

    @cached_property
    def _best_cosines(self) -> dict[str, float]:
        return best_cosines(self.candidates)

    @cached_property
    def best_cosine(self) -> float:
        """The highest cosine among the candidates (0 without the semantic stage, or without candidates)."""
        return max(self._best_cosines.values(), default=0.0)

    @cached_property
    def article_cosines(self) -> dict[str, float]:
        """The best cosine among each article's candidates, at least 0."""
        return {article: max(0.0, cosine) for article, cosine in self._best_cosines.items()}

    def alone(self, candidate: Candidate) -> float:
        """A passage's answerability on its own story's evidence: the best cosine of its article's candidates
        stands for the question-wide one, which says whether anything is near and would carry every passage of
        an answer that has one good one; its own story being near keeps a passage that answers in other words."""
        return self.answerability(candidate, self.article_cosines.get(candidate.hit.article_id, 0.0))

    @property
    def best(self) -> float:
        """The answer's answerability: that of its best passage, with the best cosine of all (0 with none)."""
        return self.answerability(self.candidates[0], self.best_cosine) if self.candidates else 0.0


def search(
    request: Request, engine: Engine, store: Store, semantic: Semantic | None = None, now: datetime | None = None
) -> Ranking:
    """The ranking of `ranking_of` (see there), declined within a category or dates whose best passage holds little of
    the question where a story outside them holds it all and answers (`answered_outside`)."""
    ranking = ranking_of(request, engine, store, semantic, now)
    limited = request.category or request.since or request.until
    if (
        not limited
        or not ranking.candidates
        or answerability_features(ranking.candidates[0])["coverage"] >= OUTSIDE_SHARE
    ):
        return ranking
    everywhere = ranking_of(replace(request, category=None, since=None, until=None), engine, store, semantic, now)
    return replace(ranking, answered_outside=answered_outside(everywhere, request))


def answered_outside(everywhere: Ranking, request: Request) -> bool:
    """Whether the library as a whole (`everywhere`, its ranking) answers confidently, outside the category and
    dates of `request`, with a passage holding every word of the question, which the best passage within them holds
    less than OUTSIDE_SHARE of. By words alone (semantic stage off, or vectors not made yet) a passage holding a
    quarter of the question still scores as an answer: "Why were ferries to the western isles cancelled?" asked in
    Sport was answered by rugby's "Emerald Isle", a newspaper's "Western Mail" and a goal that "cancelled out" a
    lead, while the storm story outside Sport holds it all. Those passages meet the question's words by chance, and
    the decline names the story outside."""
    if not everywhere.candidates or everywhere.best < CONFIDENT_ANSWERABILITY:
        return False
    first = everywhere.candidates[0]
    article = everywhere.articles[first.hit.article_id]
    within = Query([], request.category, request.since, request.until).matches(article.category, article.published)
    return not within and answerability_features(first)["coverage"] >= COMPLETE


def ranking_of(
    request: Request, engine: Engine, store: Store, semantic: Semantic | None = None, now: datetime | None = None
) -> Ranking:
    """Both first stages (BM25, and the vectors when `semantic` is given), merged and ordered by the second, then
    of a question asking for the day's news by date (`newest_first`, at `now`: the clock's).

    A question asked in another language is searched for the names in it and any sentence of it plainly English
    (`in_english`): "Yukos" of "Was ist mit Yukos passiert?"; with none, for nothing."""
    now = now or datetime.now(UTC)
    question, seen = split_seen(request.question)
    terms = question_terms(question)
    language = library_language(store)
    foreign = in_another_language(question, language)
    if foreign:
        typed = engine.idf(terms)
        used = typed.used()
        question = in_english(question, used.keys(), language)
        if not question:
            lettered = frozenset(typed.weights.keys() - used.keys()) & cyrillic_terms(request.question)
            speller = Speller(request.question, lettered, engine, store)
            return Ranking([], {}, {}, LEXICAL_ANSWERABILITY, lettered, speller, foreign=True, language=language)
    else:
        question = compounds_as_written(as_named_written(spelt_as_written(question, engine), engine), engine, store)
        question = run_together_apart(question, engine)
    about = asked_about(question)
    terms = question_terms(about)
    # A deed or thing the reader names otherwise than news does ("took over" of a "takeover") is searched as both.
    # Not of a question asking why: the deed asked is what a story's lede restates, and the cause is told in other
    # words ("why did brightwell's go bust" of tests/data/portmere was led by its lede's "falling into
    # administration", above "The chain blamed high rents").
    phrased = {} if foreign or _ASKS_WHY.match(question) else phrasings(question)
    searched = [*terms, *(t for runs in phrased.values() for run in runs for t in run)]
    query = Query(searched, request.category, request.since, request.until, common_left_out=True)
    # A later page ranks as deep as the last page can reach, so every "More" page continues one list: a depth grown
    # with the offset reordered it, repeating a passage shown a page before and skipping another.
    depth = max(MIN_CANDIDATES, (MAX_PASSAGES if request.offset else request.k) * CANDIDATES_PER_PASSAGE)
    hits, weights = engine.search_weighing(query, depth, terms)
    carried = evidence_terms(about)
    idf = {t: v for t, v in weights.weights.items() if t in carried}
    frames = frame_terms(question)
    # A question in the articles' own language other than English is framed by its question words ("cuántos"), which
    # the articles seldom write: "¿Cuántos viajes hará el ferri?" over Spanish ones was told no article uses "Cuántos".
    framing = other_question_terms(question) if language != "en" else frozenset()
    never_used = frozenset(idf.keys() - weights.used().keys() - frames - framing)
    named = name_terms(question)
    dense: list[tuple[str, int, float]] = []
    cosines: dict[tuple[str, int], float] = {}
    stored = {} if semantic is None else semantic.vectors.vectors((h.article_id, h.position) for h in hits)
    if len(stored) < len(hits):
        # Some candidates have no vector yet (they are being made in the background): by words alone, on one
        # scale, until they have.
        semantic = None
    if semantic is not None:
        vector = semantic.embed_question(question)
        filtered = bool(request.category or request.since or request.until)
        # Filters apply after the vector search: fetch more when they may throw many away.
        dense = semantic.vectors.search(vector, depth * 4 if filtered else depth)
        if filtered:
            found = store.articles(a for a, _, _ in dense)
            dense = [d for d in dense if d[0] in found and query.matches(found[d[0]].category, found[d[0]].published)]
            dense = dense[:depth]
        cosines = {key: float(v @ vector) for key, v in stored.items()}
    keys = list(dict.fromkeys([*((h.article_id, h.position) for h in hits), *((a, p) for a, p, _ in dense)]))
    articles, texts = store.candidates(context_keys(keys))
    headlines = {i: a.title for i, a in articles.items()}
    # A passage writing news's word for the reader's holds the reader's (`as_phrased`), for the evidence weighed
    # and for what the articles lack: "home loan" of "the largest mortgage lender" is no word no article uses.
    read = {key: as_phrased(text, phrased) for key, text in texts.items()}
    read_headlines = {article: as_phrased(headline, phrased) for article, headline in headlines.items()}
    as_news = never_used & frozenset().union(*map(_term_set, [*read.values(), *read_headlines.values()]))
    never_used -= as_news
    speller = Speller(question, never_used & cyrillic_terms(question) if foreign else never_used, engine, store)
    # A word only a headline uses ("£4.2m", where the story's text says "£4.2 million") is no word the articles
    # lack: BM25 found its story by it (it is not named in a decline either, `no_article_uses`).
    headline_terms = frozenset().union(*(_term_set(headline) for headline in headlines.values()))
    # Nor is a year a candidate's story is dated in, which its passages tell of (`years_reached`).
    dated = {i: a.published.year for i, a in articles.items() if a.published is not None}
    unused = never_used - headline_terms - {str(year) for year in dated.values()}
    # A word no paragraph uses that the stories write inside compounds ("bees" of "Beekeepers" and "honeybees") is
    # searched as they write it: "bees" was declined, "No article uses the word “bees”".
    compounded = question if foreign else in_compounds(question, unused - named, [*headlines.values(), *texts.values()])
    if compounded != question:
        return ranking_of(replace(request, question=with_seen(compounded, seen)), engine, store, semantic, now)
    # A word no paragraph uses whose kin by derivation the stories write ("founded" of "Founder ...") is searched as
    # they write it.
    kin = question if foreign else as_kin_written(question, unused - named, [*headlines.values(), *texts.values()])
    if kin != question:
        return ranking_of(replace(request, question=with_seen(kin, seen)), engine, store, semantic, now)
    # "Who leads the council?" asks for the role the stories name beside the council ("Council leader ..."), not the
    # verb: asked so, it is searched so.
    roled = question if foreign else as_role_written(question, [texts[k] for k in keys if k in texts])
    if roled != question:
        return ranking_of(replace(request, question=with_seen(roled, seen)), engine, store, semantic, now)
    # A reader's everyday word that the question's stories write otherwise ("owns" of "the bakery's owner", "boss" of
    # "chief executive") is asked as they write it (`as_news_writes`).
    if not foreign:
        stories: dict[str, list[str]] = {a: [headline] for a, headline in headlines.items()}
        for (article, _), text in texts.items():
            stories.setdefault(article, []).append(text)
        plain = {t: v for t, v in idf.items() if t not in frames}
        news = as_news_writes(question, plain, stories, weights.paragraphs < UNSEEN_FULL_AT)
        if news != question and analyze(news):
            return ranking_of(replace(request, question=with_seen(news, seen)), engine, store, semantic, now)
    # That a word is missing from a handful of paragraphs says little ("purchase" where they all wrote "bought"), so
    # it counts in full only from UNSEEN_FULL_AT paragraphs on; a name no paragraph has ("Putin" of an article on
    # Gerasimov) says the story is not there, however few they are, and so does a question none of whose words any
    # paragraph has but words most of them hold ("what did putin say about ukraine" typed in lower case, "say" met
    # by the story's every "said"), which only the vectors could answer, by a guess.
    # Not when a word most paragraphs hold is one the stories write as a name, though: the library is about what the
    # question names ("What does Russia want from NATO?" of the shipped story, every paragraph naming one of them,
    # was declined for "want").
    telling = {t for t, v in idf.items() if v >= COMMON_IDF}
    by_chance = min(1.0, weights.paragraphs / UNSEEN_FULL_AT)
    # The question's words the stories write as names, read only where that decides something: in a small library.
    names = written_as_names(idf.keys(), [*texts.values(), *headlines.values()]) if by_chance < 1.0 else frozenset()
    if telling <= unused and not names - telling - frames:
        by_chance = 1.0
    total = sum(idf.values()) or 1.0
    # Nor, then, does such a word sink a passage that holds the question's other words ("watched" of "How many fans
    # watched the cup final?", the story saying "in front of 6,000 fans"): it weighs there as `unseen` alone, not
    # also as coverage missing, nor as a word a sentence must hold to count as keywords. A word that only frames the
    # question ("many", "happened") no paragraph uses is one of them, and no story misses it (`unmet_marked`): a
    # story tells what it asks in its own words. Not when such words are half the question or more
    # ("harbour xyzzy plugh frobozz"), nor of a question in another language, whose words the library lacks since
    # they are not English ("Deutschen" of "Wie geht es der Deutschen Bank?").
    # A number is no such word: a story says "2026" in no other way, and a question asking after 2019 was answered
    # confidently by a council's vote of 2026, the sentence holding its other words taken to hold them all.
    numbers = {t for t in idf if _NUMBER.fullmatch(t)}
    by_chance_lacked = by_chance < 1.0
    lacked = (
        idf.keys() - weights.used().keys() - named - numbers - headline_terms - as_news if by_chance_lacked else set()
    )
    # A word before a name the stories write names another thing with it (`naming_others`), which no story names: it
    # counts in full, as a name no paragraph uses does. "who is the nato secretary general" was answered confidently
    # (0.94) of the shipped story by "the General Staff", and "is division chairman challenging?" by words alone of
    # second_week by "Chairman Martin Dempsey".
    others = naming_others(question, lacked, [*texts.values(), *headlines.values()])
    lacked -= others
    unseen = sum(idf[t] * (1.0 if t in named | others else by_chance) for t in unused) / total
    # A question asking whether something is so ("is the fold 17 waterproof?") asks whether a story says just that:
    # a word of it no story writes makes no confident answer (`unmet_marked`), but the story it asks of may help
    # ("was the landlord fined?" was declined of first_week, whose landlord was ordered to repay rent).
    whether = _ASKS_WHETHER.match(question) is not None
    unframed = lacked - frames
    mostly = sum(idf[t] for t in unframed) >= LACKING_AT_MOST * total
    absent = set() if foreign or mostly else lacked
    lacking = sum(idf[t] for t in absent) / total
    held = {t: v for t, v in idf.items() if t not in absent}
    # A name of several words that no passage found holds together is no more there than a name no paragraph
    # uses: "Why did Lord Kennedy sue?" found Helena Kennedy, a Labour peer, and Lord Holme beside Charles Kennedy.
    apart = names_apart(question, [*texts.values(), *headlines.values()]) - unused
    unseen = min(1.0, unseen + sum(idf.get(t, 0.0) for t in apart) / total)
    asked = asks(question, texts.values())
    # A question word and one word beyond its frame ("what is the fine?", "how many nests?") is weighed as the word
    # typed alone is (not "and today?", which points back at the story it follows): the encoder, made for sentences,
    # finds the bare question far from the paragraph that answers it ("a £250 fine", 0.20), and in a small library
    # nothing is nearer to tell the two apart, so the question was declined where "fine" typed alone was answered.
    # Its frame's words, which a story tells in its own (`frame_terms`), are lacking from a passage that does not write
    # them, as the one word typed alone would not ask for them: "what did the judge say?" was declined of a story
    # writing "Judge Amira Castell told the court ...", since "say" is in most paragraphs of ten stories ("said").
    # Only its answerability: the order stays the ranker's, fitted on questions of this kind too. Not a question
    # pointing back at someone or something it does not name ("what did he say?", "how old is she?"): its one word
    # is not all it asks about, and "what did he say?" was answered confidently by any story that writes "said".
    # Nor a word many paragraphs write: "what is the weather" was answered confidently of the BBC's stories, by one
    # on the weather and oil prices, where 37 paragraphs write "weather" and none tells what it is today. Nor a
    # question asking who or what did something ("who won?", `_ASKS_WHO_DID`), unless a story's headline tells of
    # that deed ("who signed?" of "Rovers sign ..."): the deed written in passing is no answer, and "who won?" was
    # answered confidently of ten stories, none of a contest, by a nurse saying members "won respect".
    # In a small library a word more paragraphs write, but only ONE_WORD_STORIES stories, names what one of them
    # tells of: "where was the study done" was declined of both weeks' stories together, each of whose two studies
    # (7 paragraphs) names its university; which study is meant, the question does not say, so it gets at most a
    # weak answer (`one_of_few`). So does a word fewer paragraphs write when they are of two stories: "what was the
    # turnout" of tests/data/portmere led with a ferry strike ballot's "turnout of 77%", confidently, above the
    # by-election's "Turnout was 39%"; either may be meant.
    word = {t: v for t, v in idf.items() if t not in frames}
    told_by = {a for (a, _), text in texts.items() if word.keys() <= _term_set(f"{headlines[a]} {text}")}
    few_paragraphs = chance_meetings(word, weights.paragraphs) < ONE_WORD_PARAGRAPHS
    one_of_few = by_chance < 1.0 and (2 if few_paragraphs else 1) <= len(told_by) <= ONE_WORD_STORIES
    one_word = (
        bool(_QUESTION_WORD.match(question))
        and len(word) == 1
        and not {fold(w) for w in _LETTERED_WORD.findall(question)} & _BACK
        and (word.keys() <= headline_terms or not _ASKS_WHO_DID.match(question))
        and (few_paragraphs or one_of_few)
    )
    # A telling word a small library writes, but not in a story that is found by other words of the question, is no
    # more met there than one no story writes (`unmet_marked`): "who is the chief executive of nimbus" was answered
    # confidently by the laptop maker's founder, where only the supermarket's story names a chief executive.
    unmet_words = unframed | (telling - frames - numbers - unused if by_chance < 1.0 else set())
    # A sentence holding each word of a name that no passage holds together does not hold the name.
    # The words of a name meet wherever it is written: "who is the mayor of ashford vale", which no story answers
    # ("mayor" is in none of them), was answered confidently (1.00) by a paragraph naming Ashford Vale, whose two
    # words, each in 2 of the 61 paragraphs, were taken for two meeting by chance in 0.1 paragraphs (as one, 2.5).
    together = written_as_one([t for _, _, t in words(question) if t in idf], [*texts.values(), *headlines.values()])
    rare_together = not apart and chance_meetings(as_met(held, together), weights.paragraphs) < RARE_TOGETHER
    # "Next year" is the reader's, not a followed story's headline's: "how much does it cost?" in reply to "Corvell
    # studio delays "Ember Crown" until next year" (of 2026) was declined once the clock read 2027, its price untold.
    asked_of = asked_year(split_follow_up(question, articles)[0], now)
    candidates = evidence(
        hits,
        idf,
        read,
        read_headlines,
        dense,
        cosines,
        unseen,
        asked and not one_word,
        rare_together,
        lacking,
        frames - absent if one_word else (),
        frames,
        told_before=by_chance < 1.0,
        names=names,
        dated=dated,
        asked_of=asked_of,
        as_nouns=months_as_nouns(question),
    )
    if semantic is not None:
        candidates = soft_matched(question, candidates, read_headlines, read, semantic)
    met = as_met(idf, together)
    candidates = unmet_marked(
        question, candidates, unmet_words, met, weights.paragraphs, read_headlines, read, semantic, whether
    )
    if one_word and one_of_few:
        candidates = [replace(c, unmet=True) for c in candidates]
    # Keywords, not a question after a name ("what's on at the lyceum", "whats ...") nor a reply to a story (whose
    # order `reader_first` gives), name a story (`told_from_the_start`).
    keywords = (
        not asked
        and not (_QUESTION_WORD.match(question) or _CONTRACTED.match(question))
        and not split_follow_up(question, articles)[1]
    )
    if semantic is None:
        ranked = told_from_the_start(question, typed_word_first(rank(candidates, LEXICAL_RANKER), idf, asked), keywords)
        ranked = reader_first(question, ranked, articles, texts, engine, None)
        ranked = newest_first(question, ranked, articles, now)
        return Ranking(ranked, articles, texts, LEXICAL_ANSWERABILITY, never_used, speller, foreign, language=language)
    ranker, answerability = SECOND_STAGES[semantic.mode]
    ranked = told_from_the_start(question, typed_word_first(rank(candidates, ranker), idf, asked), keywords)
    ranked = reader_first(question, ranked, articles, texts, engine, semantic)
    if by_chance < 1.0 and asked:
        ranked = own_words_first(question, ranked, articles, texts)
    ranked = kind_first(question, ranked, articles, texts, told_before=by_chance < 1.0)
    if by_chance < 1.0 and asked:
        ranked = met_first(question, ranked, headlines, texts, semantic)
        ranked = doer_apart_first(question, ranked, articles, texts)
    ranked = named_first(question, ranked, names, texts)
    ranked = later_first(question, ranked, articles, texts, semantic)
    ranked = newest_first(question, ranked, articles, now)
    ranked = counted_first(question, count_asked(question, phrased=phrased), ranked, articles, texts)
    # "who won the match?" was declined of first_week, whose match report says "came from behind to beat": no story
    # writes "won" or "match", and a question none of whose words the library uses is one only the vectors could
    # answer, by a guess. Where one story stands far above the others by meaning, that guess is worth showing as such;
    # not of words typed alone ("pneumonoultramicroscopicsilicovolcanokoniosis", "£9.7m"), a sentence's meaning being
    # what the encoder compares.
    near = singled_out(ranked) if weights.paragraphs < UNSEEN_FULL_AT and asked and not foreign else None
    return Ranking(
        ranked,
        articles,
        texts,
        answerability,
        never_used,
        speller,
        foreign,
        language=language,
        by_meaning=near,
        pieces=semantic.pieces,
        searched=question,
    )


# British and American spellings of one word, each way ("defence" and "defense", "colour" and "color",
# "organisation" and "organization", "centre" and "center", "travelled" and "traveled", "programme" and "program").
_SPELLINGS = tuple(
    (re.compile(pattern), other)
    for pattern, other in (
        (r"(?<=[a-z])our(?=(?:s|ed|ing|ite|ites|able|ful|er|ers)?$)", "or"),
        (r"(?<=[a-z][a-z])or(?=(?:s|ed|ing|ite|ites|able|ful|er|ers)?$)", "our"),
        (r"ence(?=s?$)", "ense"),
        (r"ense(?=s?$)", "ence"),
        (r"(?<=[a-z][a-z])is(?=(?:e|es|ed|ing|ation|ations|er|ers)$)", "iz"),
        (r"(?<=[a-z][a-z])iz(?=(?:e|es|ed|ing|ation|ations|er|ers)$)", "is"),
        (r"ys(?=(?:e|es|ed|ing)$)", "yz"),
        (r"yz(?=(?:e|es|ed|ing)$)", "ys"),
        (r"(?<=[a-z][^aeiou])re(?=s?$)", "er"),
        (r"(?<=[a-z][^aeiou])er(?=s?$)", "re"),
        (r"(?<=[aeiou])ll(?=(?:ed|ing|er|ers)$)", "l"),
        (r"(?<=[aeiou])l(?=(?:ed|ing|er|ers)$)", "ll"),
        (r"ogue(?=s?$)", "og"),
        (r"(?<=[a-z])og(?=s?$)", "ogue"),
        (r"(?<=gram)me(?=s?$)", ""),
        (r"(?<=gram)(?=s?$)", "me"),
    )
)


@lru_cache(maxsize=1)
def pasts_apart() -> dict[str, tuple[str, ...]]:
    """Each verb's stem with its past forms that the analysis keeps apart, news writing them as other words too
    (bot/data/verb_pasts_apart_en.txt: "rise" with "rose"). Read on first use: stemming loads nltk, which a command
    asking nothing never needs."""
    with analysed_in("en"):  # English words, whatever library asks first
        return {stem(base): tuple(forms) for base, *forms in map(str.split, data_lines("verb_pasts_apart_en.txt"))}


# The endings a people's word or adjective adds to its place's name: "Kordovia-n", "Kaoré-an", "Azeran-i",
# "Vietnam-ese" (with a plural's "s": "Kordovians").
_PEOPLE_ENDINGS = ("n", "an", "i", "ese")


def place_of_people(word: str) -> list[str]:
    """The names a people's word (folded) may be made of, for a place demonyms_en.txt does not list (a foreign
    desk's towns and small countries; `as_named_written` reads those it does): "kordovia" of "kordovian", "kaore"
    and "kaorea" of "kaorean". None of a common English word, nor one made of one ("taxi" is no people of "tax");
    `spelt_as_written` reads only a name the articles write."""
    word = word.removesuffix("s") if word.endswith(("ans", "ns")) else word
    if word in english_words():
        return []
    return [
        base
        for ending in _PEOPLE_ENDINGS
        if word.endswith(ending)
        and len(base := word.removesuffix(ending)) >= MIN_PLACE_LETTERS
        and base not in english_words()
    ]


# A sum in thousands typed short ("200k"), whose "k" no story writes: "how much will i save a month on a 200k
# mortgage" of tests/data/money_desk was declined, "No article uses the word “200k”".
_THOUSANDS_TYPED = re.compile(r"(\d{1,3})k", re.IGNORECASE)
# The shortest place name read of a people's word ("Chad" of "Chadian" is read by demonyms_en.txt).
MIN_PLACE_LETTERS = 4


def spelt_as_written(question: str, engine: Engine) -> str:
    """The question with each word that no paragraph uses, and that the articles write in the other English
    spelling, as they write it: "any news on missile defence" was declined of the shipped story on missile defense,
    "No article uses the word “defence”". A question word typed short (`SHORTHAND`: "wat about boeing") is read as
    the word meant, which analysis drops, when no paragraph uses it either (so too one typed with a figure for its
    sound, "any1", "2day"); a verb as its past form that the
    analysis keeps apart (`pasts_apart`: "how much did the shares rise" of a story writing "profit rose"); and a
    people's word as its place's name (`place_of_people`: "kordovian refugees" of stories writing only "Kordovia");
    and a sum in thousands typed with a "k" as news writes it in full ("a 200k mortgage" of "a £200,000 mortgage")."""
    spans = terms_by_span(question)
    # Each word's other spellings first: a question with none asks the index nothing here, one with some asks it
    # once, for those words' terms and their other spellings' alike (it asked twice, of every question).
    others: dict[tuple[int, int], list[str]] = {}
    for start, end in spans:
        word = question[start:end]
        if typed := _THOUSANDS_TYPED.fullmatch(word):
            others[start, end] = [f"{int(typed[1]) * 1000:,}"]
        elif word.isascii() and word.isalpha():
            folded = word.casefold()
            spellings = dict.fromkeys(
                [
                    *(p.sub(o, folded, count=1) for p, o in _SPELLINGS),
                    SHORTHAND.get(folded, ""),
                    *pasts_apart().get(stem(folded), ()),
                    *place_of_people(folded),
                ]
            )
            if spelt := [v for v in spellings if v and v != folded]:
                others[start, end] = spelt
        elif word.isascii() and word.isalnum() and (short := SHORTHAND.get(word.casefold())):
            # A word typed short with a figure for its sound ("any1", "2day", "b4"): none of the others is spelt so.
            others[start, end] = [short]
    if not others:
        return question
    asked = {t for span in others for t in spans[span]}
    used = engine.idf(sorted(asked | {t for words in others.values() for w in words for t in analyze(w)})).used()
    changes: dict[tuple[int, int], str] = {}
    for (start, end), variants in others.items():
        if used.keys() & spans[start, end]:
            continue
        found = next((v for v in variants if _written(v, used.keys())), None)
        if found is not None:
            changes[start, end] = found.capitalize() if question[start].isupper() else found
    return rewritten(question, changes)


@lru_cache(maxsize=1)
def counterparts() -> dict[str, tuple[str, ...]]:
    """Each place's name, its people's words and its other names (bot/data/demonyms_en.txt: "Americans" with
    "United States", "US" and "America"), case-folded, with the other forms of its line as written there."""
    table: dict[str, tuple[str, ...]] = {}
    for line in data_lines("demonyms_en.txt"):
        forms = [form.strip() for field in line.split("|") for form in field.split(",") if form.strip()]
        table.update((form.casefold(), tuple(f for f in forms if f != form)) for form in forms)
    return table


def as_named_written(question: str, engine: Engine) -> str:
    """The question with each place or people it names (`counterparts`, one word or two) that no paragraph uses
    written as the counterpart the library writes most: "did the americans respond?" was declined of the shipped
    story, "No article uses the words “americans” or “respond”", which says "no comment ... from the United States".
    Only the question is read so: the index keeps each word as written."""
    terms = terms_by_span(question)
    spans = list(terms)
    named: dict[tuple[int, int], tuple[str, ...]] = {}
    for i, (start, end) in enumerate(spans):
        # A name of two words ("South Korea") before one of its words alone.
        pair = (start, spans[i + 1][1]) if i + 1 < len(spans) else None
        for span in (pair, (start, end)):
            if span is not None and (
                forms := counterparts().get(" ".join(question[span[0] : span[1]].split()).casefold())
            ):
                named.setdefault(span, forms)
                break
    if not named:
        return question
    typed = {span: [t for part in spans if span[0] <= part[0] < span[1] for t in terms[part]] for span in named}
    # A form alone in capitals is an acronym, not shouting: "US" is the country, where analysis drops "us".
    others = {form: analyze(form) or [form.casefold()] for forms in named.values() for form in forms}
    used = engine.idf(sorted({t for held in [*typed.values(), *others.values()] for t in held})).used()
    changes: dict[tuple[int, int], str] = {}
    for span, forms in named.items():
        if set(typed[span]) <= used.keys():
            continue
        written = [f for f in forms if others[f] and set(others[f]) <= used.keys() and others[f] != typed[span]]
        # The most written: the rarest of a form's words, the fewest paragraphs it can be in.
        if written:
            changes[span] = min(written, key=lambda f: max(used[t] for t in others[f]))
    return rewritten(question, changes)


def terms_by_span(question: str) -> dict[tuple[int, int], list[str]]:
    """Each word of the question by its span (start, end), with the terms analysis makes of it (a compound's whole
    and its parts), in order."""
    spans: dict[tuple[int, int], list[str]] = {}
    for start, end, term in words(question):
        spans.setdefault((start, end), []).append(term)
    return spans


def rewritten(question: str, changes: Mapping[tuple[int, int], str]) -> str:
    """The question with each span (start, end) of `changes` written as given; of overlapping spans, the first."""
    out, last = [], 0
    for (start, end), written in sorted(changes.items()):
        if start >= last:
            out += [question[last:start], written]
            last = end
    return "".join([*out, question[last:]])


# The shortest part of a word typed joined that is looked for as two words ("co" of "cooperate").
MIN_APART_PART = 2


def compounds_as_written(question: str, engine: Engine, store: Store) -> str:
    """The question with each compound written as the articles write it, when they never write it the way it was
    typed: two words typed apart, one of which they never write, that they write joined ("head teacher" as
    "headteacher"), and one typed joined that no paragraph uses and some writes as two words side by side ("website"
    as "web site"). A story writing "Headteacher Rachel Osei" met nothing of "who is the head teacher?", which was
    declined. Hyphenated compounds meet both already (analysis keeps "e-mail" whole as "email" and splits it). A
    number and its unit are such a compound too ("20 mph" as "20mph", "104mph" as "104 mph"): "how much will the 20
    mph limit cost" of a story writing "20mph" was declined, "No article uses the word “mph”", its 20 missing too.
    So is a number up to ten typed in figures before a word, that the articles write in words joined to it, never
    in figures ("5 year fixed" as "five-year fixed": news writes such numbers in words, readers type them in
    figures; "avg 5 year fixed rate now" of tests/data/money_desk was declined)."""
    # Words analysis keeps, one term each: "a head" is no "ahead", nor "on line" "online".
    typed = [
        (start, end, question[start:end])
        for start, end, _ in words(question)
        if (question[start:end].isalpha() or _UNIT_TYPED.fullmatch(question[start:end]))
        and question[start:end].isascii()
        and len(analyze(question[start:end])) == 1
    ]
    side_by_side = [
        (a, b)
        for a, b in pairwise(typed)
        if not question[a[1] : b[0]].strip()
        and a[2] != b[2]
        and b[0] > a[1]
        and b[2].isalpha()
        and (a[2].isalpha() or a[2].isdigit())
    ]
    joined = {pair: analyze(pair[0][2] + pair[1][2]) for pair in side_by_side}
    in_words = {
        pair: f"{_IN_WORDS_BY_FIGURE[pair[0][2]]}-{pair[1][2]}"
        for pair in side_by_side
        if pair[0][2] in _IN_WORDS_BY_FIGURE
    }
    # A compound in words is analysed as its whole and its parts ("fiveyear", "five", "year"): its whole is looked for.
    wholes = {pair: analyze(written)[0] for pair, written in in_words.items()}
    asked = {t for terms in (*joined.values(), *(analyze(w[2]) for w in typed)) for t in terms} | {*wholes.values()}
    used = engine.idf(sorted(asked)).used() if asked else {}
    # Only a word the articles lack is looked for as two: every typed word's parts were analysed, most of them
    # fragments no analysis had met ("gove", "rnment"), a twentieth of a question's time at 100,000 paragraphs.
    splits = {
        word: _apart(w)
        for word in typed
        if len(w := word[2]) >= 2 * MIN_APART_PART and not set(analyze(w)) <= used.keys()
    }
    parts = {p: analyze(p) for pairs in splits.values() for pair in pairs for p in pair}
    if split := {t for terms in parts.values() for t in terms} - asked:
        used |= engine.idf(sorted(split)).used()
    changes: dict[tuple[int, int], str] = {}
    for (a, b), whole in wholes.items():
        if whole in used and not set(joined[a, b]) <= used.keys():
            changes[a[0], b[1]] = in_words[a, b]
    for (a, b), terms in joined.items():
        # Only for a word the articles lack: two they both write stay apart, whatever they write joined ("new man"
        # is no "Newman", nor "Bafta wins" a "Baftawins"; headline questions of the speed benchmark were so changed).
        lacking = not {*analyze(a[2]), *analyze(b[2])} <= used.keys()
        if len(terms) == 1 and terms[0] in used and lacking:
            changes[a[0], b[1]] = a[2] + b[2]
    for (start, end, _), pairs in splits.items():
        if any(start < e and s < end for s, e in changes):
            continue
        found = next(
            (
                f"{left} {right}"
                for left, right in pairs
                if len(parts[left]) == len(parts[right]) == 1
                and {*parts[left], *parts[right]} <= used.keys()
                and _written_apart(parts[left], parts[right], engine, store)
            ),
            None,
        )
        if found is not None:
            changes[start, end] = found
    return rewritten(question, changes)


# Words typed run together ("whowonthechesstitle", as on a phone) are read apart only into this many words or more
# (two are `compounds_as_written`'s, which asks that the articles write them side by side), two of them at least small
# words (a name may hold one: "then" of "carmarthenshire"), and only from a run of this many letters to this many: a
# shorter one is likelier a word the common ones do not list ("heatwave" is no "he at wave"), a longer one no
# question. A piece looked up has MAX_PIECE letters at most (the longest common English word has 18).
MIN_RUN_TOGETHER = 3
MIN_SMALL_IN_RUN = 2
RUN_TOGETHER_LETTERS = (10, 80)
MAX_PIECE = 20
# What a piece of such a word costs, less its English frequency (Zipf): a split into more pieces is chosen only where
# they are commoner words than the fewer ("where was" over "whereas": 6.0 and 6.82 against 4.41).
RUN_TOGETHER_PIECE = 7.0
# A piece of two letters is a word of such a run only when a small word this common ("of", "is", "he"): the list of
# common words holds pieces ("ll", "nt", "rs"), which cut any name into words ("pe ll i ng ham"). None of one letter.
SHORT_PIECE_ZIPF = 6.0
# The shortest part of such a word that is a word of the library's alone, no common English one: shorter pieces of a
# term ("ss", "hes") are found in any run of letters.
MIN_LIBRARY_PIECE = 4


def run_together_apart(question: str, engine: Engine) -> str:
    """The question with each word typed in lower case (or all capitals) that no paragraph uses and that is no common
    English word, but reads as common English words or the library's run together, written as those words apart,
    when they are a sentence's words (`RUN_TOGETHER_LETTERS`, MIN_RUN_TOGETHER and MIN_SMALL_IN_RUN), one at least a
    word the library uses: "whowonthechesstitle?" was declined, "No article uses the word “whowonthechesstitle”". The
    likeliest words (`_likeliest_words`). A name is kept as typed ("carmarthenshire" is no "car mar then shire"),
    and so is a word none of whose words the library uses. Only the parts of such a word are looked up, once (no
    search)."""
    shortest, longest = RUN_TOGETHER_LETTERS
    typed = [
        (start, end, question[start:end])
        for start, end in token_spans(question)
        if shortest <= len(question[start:end]) <= longest
        and question[start:end].isascii()
        and question[start:end].isalpha()
        and (question[start:end].islower() or question[start:end].isupper())
        and question[start:end].casefold() not in english_words()
    ]
    if not typed or analysis_language() != "en":
        return question
    used = engine.idf(sorted({t for _, _, w in typed for t in analyze(w)})).used()
    lacking = [(start, end, w.casefold()) for start, end, w in typed if not set(analyze(w)) <= used.keys()]
    pieces = {
        w[i:j] for _, _, w in lacking for i in range(len(w)) for j in range(i + 2, min(i + MAX_PIECE, len(w)) + 1)
    }
    terms = {piece: analyze(piece) for piece in pieces}
    used = used_terms({t for held in terms.values() for t in held}, engine)
    changes: dict[tuple[int, int], str] = {}
    for start, end, word in lacking:
        split = run_apart(word, {p for p in pieces if _run_piece(p, terms[p], used)}, terms)
        if any(used.keys() & terms[p] for p in split):
            cut = [sum(map(len, split[:i])) for i in range(len(split) + 1)]
            changes[start, end] = " ".join(question[start + a : start + b] for a, b in pairwise(cut))
    return rewritten(question, changes)


def _run_piece(piece: str, terms: Sequence[str], used: Collection[str]) -> bool:
    """Whether `piece` (its terms `terms`) may be a word of a run typed together: a common English word, two letters
    a common small one (`SHORT_PIECE_ZIPF`), or a term of the library's (`used`) MIN_LIBRARY_PIECE letters long."""
    if len(piece) == 2:
        return not terms and english_frequency(piece) >= SHORT_PIECE_ZIPF
    return english_frequency(piece) > 0 or (len(piece) >= MIN_LIBRARY_PIECE and len(terms) == 1 and terms[0] in used)


def run_apart(word: str, known: Collection[str], terms: Mapping[str, Sequence[str]]) -> list[str]:
    """The likeliest words of `known` that `word` is run together of, when a sentence's (MIN_RUN_TOGETHER of them,
    MIN_SMALL_IN_RUN small words a search leaves out, their `terms` none); else []."""
    split = _likeliest_words(word, known)
    small = [p for p in split if not terms[p]]
    return split if len(split) >= MIN_RUN_TOGETHER and len(small) >= MIN_SMALL_IN_RUN else []


def _likeliest_words(word: str, known: Collection[str]) -> list[str]:
    """`word` cut into pieces of `known`, those likeliest by their English frequencies, each piece costing
    RUN_TOGETHER_PIECE less its frequency (a library's word no common one counting as rare): "where was the" before
    "whereas the", "who won the" before "who wont he"; [] if it cannot be cut so."""
    best: list[tuple[float, int, list[str]] | None] = [(0.0, 0, [])] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(end):
            before, piece = best[start], word[start:end]
            if before is None or piece not in known:
                continue
            cost = before[0] + RUN_TOGETHER_PIECE - (english_frequency(piece) or 1.0)
            if (found := best[end]) is None or (cost, before[1] + 1) < found[:2]:
                best[end] = (cost, before[1] + 1, [*before[2], piece])
    last = best[-1]
    return last[2] if last is not None else []


# A number typed with its unit's letters ("20mph", "10cm", "3pm"), or alone before them.
_UNIT_TYPED = re.compile(r"\d+(?:[a-z]+)?", re.IGNORECASE)


# A number from one to ten by its figure: the first ten of bot/data/cardinals_en.txt, which lists them in order.
_IN_WORDS_BY_FIGURE = {str(n): line.split()[0] for n, line in enumerate(data_lines("cardinals_en.txt")[:10], 1)}


def _apart(word: str) -> list[tuple[str, str]]:
    """The ways `word` may be two words typed joined: a number and its unit only where the letters start; else at
    each letter, each part MIN_APART_PART letters at least."""
    if word[0].isdigit():
        digits = len(word) - len(word.lstrip("0123456789"))
        return [(word[:digits], word[digits:])]
    return [(word[:i], word[i:]) for i in range(MIN_APART_PART, len(word) - MIN_APART_PART + 1)]


# How many paragraphs holding both of two words are read for one that writes them side by side (the index's phrase
# bonus puts those first).
APART_LOOKED_AT = 10


def _written_apart(first: Sequence[str], second: Sequence[str], engine: Engine, store: Store) -> bool:
    """Whether some paragraph writes the one-term words `first` and `second` side by side, in that order."""
    if len(first) != 1 or len(second) != 1:
        return False
    hits = engine.search(Query([*first, *second]), APART_LOOKED_AT)
    _, texts = store.candidates((h.article_id, h.position) for h in hits)
    return any((first[0], second[0]) in pairwise(analyze(text)) for text in texts.values())


# A compound's other part is a word of the encoder's vocabulary this long at least ("keepers" of "beekeepers"; not
# "pet" of "carpet").
MIN_COMPOUND_PART = 4


def in_compounds(question: str, terms: Collection[str], texts: Iterable[str]) -> str:
    """The question with each word of `terms` that `texts` write only as part of a compound, as the compound they
    write most often and not only as a name (`written_as_names`): "bees" as "beekeepers" where the stories write
    "Beekeepers", "beekeeping" and "honeybees"."""
    typed = [w.casefold() for w in as_typed(question, terms) if w.isalpha() and len(w) >= 3]
    if not typed:
        return question
    texts = list(texts)
    written: dict[str, Counter[str]] = {w: Counter() for w in typed}
    lexicon = _compound_lexicon(texts)
    for text in texts:
        for word in map(fold, _LETTERED_WORD.findall(text)):
            for w in typed:
                if word.isalpha() and _compound_of(word, w, lexicon):
                    written[w][word] += 1
    # A compound the stories write only as a name is none of its parts: "sky" of "why is the sky blue" was searched as
    # the airline Skyline Air of tests/data/national_desk and answered (0.91) by its strike. Not in a language whose
    # nouns all take a capital (`_ARTICLES`): German's "Bundestagswahl" is no name.
    compounds = {t for found in written.values() for w in found for t in analyze(w)}
    named = frozenset() if analysis_language() in _ARTICLES else written_as_names(compounds, texts)
    chosen = {
        w: compound
        for w, found in written.items()
        if (compound := next((c for c, _ in found.most_common() if not set(analyze(c)) <= named), None))
    }
    if not chosen:
        return question
    spans = {(start, end): question[start:end].casefold() for start, end, _ in words(question)}
    return rewritten(question, {span: chosen[word] for span, word in spans.items() if word in chosen})


def in_compounds_of(terms: Collection[str], texts: Iterable[str]) -> frozenset[str]:
    """Those of `terms` that `texts` write as part of a compound (`_compound_of`: "head" of "Headteacher")."""
    if not terms:
        return frozenset()
    texts = list(texts)
    lexicon = _compound_lexicon(texts)
    written = {word for text in texts for word in map(fold, _LETTERED_WORD.findall(text)) if word.isalpha()}
    return frozenset(t for t in terms if any(_compound_of(word, t, lexicon) for word in written))


def _compound_lexicon(texts: Sequence[str]) -> frozenset[str]:
    """The words besides the encoder's vocabulary that a compound's other part may be (`_compound_of`): none in
    English, whose vocabulary it is; in another language the words of `texts`, joined by German's "s" too
    ("Bundestags-wahl"): "Wahl" of "Wahl zum Bundestag" was declined of a story writing "Bundestagswahl" and
    "Bundestag"."""
    if analysis_language() == "en":
        return frozenset()
    return frozenset(word for text in texts for word in map(fold, _LETTERED_WORD.findall(text)))


def _compound_of(word: str, part: str, lexicon: Collection[str] = frozenset()) -> bool:
    """Whether `word` is `part` (or its stem) joined to a whole word of MIN_COMPOUND_PART letters or more (of the
    encoder's vocabulary or `lexicon`, there with a joining "s" too)."""
    vocabulary = _vocabulary()

    def whole(rest: str) -> bool:
        return len(rest) >= MIN_COMPOUND_PART and (
            rest in vocabulary or rest in lexicon or (rest.endswith("s") and rest[:-1] in lexicon)
        )

    for head in dict.fromkeys((part, stem(part))):
        rest = word.removeprefix(head)
        if rest != word and whole(rest):
            return True
    for written in dict.fromkeys((word, word.removesuffix("s"))):
        rest = written.removesuffix(part)
        if rest != written and whole(rest):
            return True
    return False


def _written(spelling: str, used: Collection[str]) -> bool:
    # A spelling the articles write, or a question word meant by its short form (which analysis drops).
    terms = analyze(spelling)
    return set(terms) <= set(used) if terms else spelling in SHORTHAND.values()


def soft_matched(
    question: str,
    candidates: Sequence[Candidate],
    headlines: Mapping[str, str],
    texts: Mapping[tuple[str, int], str],
    semantic: Semantic,
) -> list[Candidate]:
    """The candidates with their soft word matches of the question (`WordPieces.soft_match`), when the word pieces
    are there."""
    if semantic.pieces is None:
        return list(candidates)
    shown = [f"{headlines[c.hit.article_id]}. {texts[c.hit.article_id, c.hit.position]}" for c in candidates]
    matches = semantic.pieces.soft_match(question, shown)
    return [replace(c, soft=float(m)) for c, m in zip(candidates, matches, strict=True)]


def unmet_marked(
    question: str,
    candidates: Sequence[Candidate],
    lacked: Collection[str],
    idf: Mapping[str, float],
    paragraphs: int,
    headlines: Mapping[str, str],
    texts: Mapping[tuple[str, int], str],
    semantic: Semantic | None,
    whether: bool = False,
) -> list[Candidate]:
    """The candidates, marked `unmet` where one of the `lacked` words (words of the question that a small library
    never writes, or writes only in other stories, `search`) is met in none of their story's paragraphs read and
    headline, not even by meaning in its candidates (a soft word match of SOFT_MET), and the words of the question
    they hold would meet by chance in RARE_TOGETHER paragraphs or more (`chance_meetings`, of the library's
    `paragraphs` and the question's `idf`, the words of a name weighed as one: `as_met`).

    Such a word does not sink an answer (a small library may write "bought" where the question says "purchased",
    which the soft matches meet at 0.89); but a story that never comes near it is no confident answer when all it
    holds is words many stories hold: "who is the mayor of Harrowby" of a town's stories answered with a railway
    station's paragraph (0.95, "mayor" met at 0.26), where Harrowby is in 7 of the 49 paragraphs; "who is the chief
    executive of nimbus" with the laptop maker's founder (0.81), where another story names a chief executive.
    "How much did Harbour City pay for Varga?" is answered by the story of the transfer that holds "Harbour City"
    and "Varga", rare together, though no story writes "pay" (met at 0.46 by "fee"). The word asking for money
    (`money_terms`) is met by a story writing a sum: "how much will parking cost" was a weak answer above the
    council's "Drivers will pay £1.20 an hour", other stories writing "cost". A story missing words of the question
    that meet rarely in another story is unmet however rare the words it holds (`_told_elsewhere`), and so is one
    missing a word of a question asking `whether` something is so: "is the fold 17 waterproof?" asks whether a story
    says just that."""
    typed: dict[str, str] = {}
    for start, end, term in words(question):
        if term in lacked:
            typed.setdefault(term, question[start:end])
    if not typed:
        return list(candidates)
    written = [(article, _term_set(text)) for (article, _), text in texts.items()]
    written += [(article, _term_set(headline)) for article, headline in headlines.items()]
    met = {term: {article for article, terms in written if term in terms} for term in typed}
    # The word asking for money ("cost" of "how much will parking cost") is met by a story writing a sum.
    for term in typed.keys() & money_terms(question):
        met[term] |= {article for (article, _), text in texts.items() if writes_money(text)}
    if semantic is not None and semantic.pieces is not None:
        shown = [f"{headlines[c.hit.article_id]}. {texts[c.hit.article_id, c.hit.position]}" for c in candidates]
        for term, word in typed.items():
            near = semantic.pieces.soft_match(word, shown)
            met[term] |= {c.hit.article_id for c, m in zip(candidates, near, strict=True) if m >= SOFT_MET}
    # A name other stories write is no other way of saying what this one says, however rare the words it holds.
    names = written_as_names(typed.keys(), texts.values())
    out = []
    for c in candidates:
        missed = frozenset(term for term in typed if c.hit.article_id not in met[term])
        held = {t: idf[t] for t in c.matched if t in idf}
        out.append(
            replace(
                c,
                unmet=bool(names & missed)
                or (bool(missed) and (whether or chance_meetings(held, paragraphs) >= RARE_TOGETHER))
                or _told_elsewhere(missed, c.hit.article_id, written, idf, paragraphs),
            )
        )
    return out


def _told_elsewhere(
    missed: frozenset[str],
    article: str,
    written: Sequence[tuple[str, frozenset[str]]],
    idf: Mapping[str, float],
    paragraphs: int,
) -> bool:
    """Whether words of the question a story misses (`missed`), two or more that would meet by chance in fewer than
    RARE_TOGETHER paragraphs, meet in another story's paragraph or headline (`written`, of each its article and
    terms): that story tells of them, and the question asks of it. "how many residents objected to the tram strike"
    was answered confidently by the tram strike's operator, "tram" and "strike" rare together, where the residents
    who objected are the airfield homes' and the tram story comes near neither word."""
    return (
        len(missed) > 1
        and chance_meetings({t: idf[t] for t in missed if t in idf}, paragraphs) < RARE_TOGETHER
        and any(other != article and missed <= terms for other, terms in written)
    )


def reader_first(
    question: str,
    ranked: list[Candidate],
    articles: Mapping[str, StoredArticle],
    texts: Mapping[tuple[str, int], str],
    engine: Engine,
    semantic: Semantic | None,
) -> list[Candidate]:
    """The ranked candidates of a follow-up (`follow_up`: the reader's words, then the headlines of the stories
    followed) with the passages of the followed stories in the order of the reader's words alone, in the places
    the whole text gave them. The headlines keep the answer on those stories; ranked with them, a passage that
    repeats the headline's words came before the one that answers ("who bought it?" of a sale showed the auction
    before the buyer). Words all common ("when was that?") order them by meaning alone, with the vectors: dates
    first ("on 4 or 5 April", "on Monday"), where the headlines' order put a quote about getting ready."""
    own, followed = split_follow_up(question, articles)
    carried = own_terms(own)
    places = [i for i, c in enumerate(ranked) if c.hit.article_id in followed]
    if len(places) < 2:
        return ranked
    keys = [(ranked[i].hit.article_id, ranked[i].hit.position) for i in places]
    idf = {t: v for t, v in engine.idf(sorted(carried)).weights.items() if t in carried}
    headlines = {i: articles[i].title for i in followed}
    stored = {} if semantic is None else semantic.vectors.vectors(keys)
    if semantic is None or len(stored) < len(keys):
        candidates = evidence([ranked[i].hit for i in places], idf, texts, headlines, asked=asks(own))
        ranker = LEXICAL_RANKER
    else:
        vector = semantic.embed_question(own)
        near = sorted(((a, p, float(v @ vector)) for (a, p), v in stored.items()), key=lambda d: -d[2])
        candidates = evidence((), idf, texts, headlines, near, asked=asks(own))
        candidates = soft_matched(own, candidates, headlines, texts, semantic)
        ranker = SECOND_STAGES[semantic.mode][0]
    by_key = {(c.hit.article_id, c.hit.position): c for c in (ranked[i] for i in places)}
    order = [by_key[c.hit.article_id, c.hit.position] for c in rank(candidates, ranker)]
    order = read_first(own, carried, order, followed[0], texts)
    # A reply asking in the past tense of what the replied stories tell only as ahead asks what came of it, as one
    # asking since does: "what sentence did he get?" of a verdict ("will be sentenced") is told by the sentence's lede
    # ("has been jailed for five years"), where its "up to half of his sentence" led. Not one asking for a kind of
    # thing, which its passage writing it answers (`kind_first`): "how long did it go on for?" of a hosepipe ban is
    # the ban lifted's "lasted 68 days", which led, not its lede.
    replied = [(articles[i], [t for (a, _), t in sorted(texts.items()) if a == i]) for i in followed[1:]]
    if _ASKS_SINCE.search(own) or (
        filed_after(followed, articles)
        and (
            (order[0].hit.article_id != followed[0] and in_present(own) is False)
            or (not asked_kinds(own) and asks_of_ahead(own, carried - LIGHT_VERBS, replied))
        )
    ):
        order = sorted(order, key=lambda c: c is not lede_of(order, followed[0]))
    out = list(ranked)
    for place, candidate in zip(places, order, strict=True):
        out[place] = candidate
    return out


def filed_after(followed: Sequence[str], articles: Mapping[str, StoredArticle]) -> bool:
    """Whether the first of the `followed` stories was published after all the others: the story a reply asks of
    what came after them (`told_since`), whose lede tells the news it was filed for ("will spend their first term in
    temporary classrooms" for "where will the children go in the meantime?", where the school delayed's "children
    now travel" led, and the new story's own "pupils" passages by meaning after it). Its lede is put first of a
    reply told in another tense than the present whose passages another story's leads (`reader_first`): put first
    whenever, "what was the verdict?" lost the jury's verdict, and "how many people use it?" of a bus route cut the
    route's passengers, to the reprieve's lede."""
    dates = [articles[i].published for i in followed if i in articles]
    first, others = dates[0] if dates else None, dates[1:]
    return bool(others) and first is not None and all(d is not None and d < first for d in others)


def lede_of(order: Sequence[Candidate], lead: str) -> Candidate | None:
    """The first paragraph found of the `lead` story among `order`: of a reply asking what has happened since
    (`_ASKS_SINCE`), asked of the story that followed the one replied to (`told_since`), the news it was filed for,
    which a story tells first ("has he been released?" of a kidnapping: "... has been freed after 19 days", where
    the reply's own word met "negotiated his release" two paragraphs on)."""
    return min((c for c in order if c.hit.article_id == lead), key=lambda c: c.hit.position, default=None)


# What a reply of question words alone asks for, as a passage writes it: "when?" a day, a date or a time of day
# (not "last year's champion"), "how much?" and "how many?" a number.
_WHEN = re.compile(
    r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|june|july|august|september"
    r"|october|november|december|yesterday|today|tonight|tomorrow|ago|(?:1[89]|20)\d\d|\d{1,2}(?:[ap]m|:\d\d)"
    r"|(?<=\bin\s)may"
    r"|(?:last|next|this)\s+(?:week|weekend|month|year|night|morning|afternoon|evening|spring|summer|autumn|winter"
    r"|season|quarter|decade))\b(?!['\u2019])",
    re.IGNORECASE,
)
_ASKED_FOR = {"when": _WHEN, "much": _NUMBER, "many": _NUMBER}


def read_first(
    reply: str,
    carried: frozenset[str],
    order: list[Candidate],
    lead: str,
    texts: Mapping[tuple[str, int], str],
) -> list[Candidate]:
    """The followed stories' passages (`order`, as the `reply`'s own words, `carried`, ordered them) with those of
    the `lead` story, the answer's first, first when it holds as many of those words as any (all, of a reply with
    none: "when?"), and of a reply of question words alone, or of words of its own no passage holds ("when did it
    start?" of a tournament that never writes "start"), its passages that write what it asks for (`_ASKED_FOR`)
    first. A reader asks a short reply of the story they read first: "when?" of a chess tournament, shown above
    a football match, put first by meaning the match's paragraphs, whose "when?" is no answer, and "who won?" the
    match's winner; and of one story, the paragraph on the goals, not the one saying "on Saturday", which meaning
    alone, of one word, could not tell apart."""

    def held(candidate: Candidate) -> int:
        return len(carried & _term_set(texts[candidate.hit.article_id, candidate.hit.position]))

    most = max(map(held, order))
    if not any(c.hit.article_id == lead and held(c) == most for c in order):
        return order
    words = () if carried and most else map(fold, _LETTERED_WORD.findall(reply))
    cue = next((_ASKED_FOR[w] for w in words if w in _ASKED_FOR), None)

    def key(candidate: Candidate) -> tuple[bool, bool]:
        text = texts[candidate.hit.article_id, candidate.hit.position]
        return candidate.hit.article_id != lead, cue is not None and cue.search(text) is None

    return sorted(order, key=key)


# Words asking for the day's news: stories dated near the newest found answer them.
_DATED = re.compile(
    r"\b(?:yesterday|today|tonight|last\s+night|this\s+(?:week|weekend|morning|afternoon|evening|month))\b",
    re.IGNORECASE,
)


def newest_first(
    question: str,
    ranked: list[Candidate],
    articles: Mapping[str, StoredArticle],
    now: datetime,
) -> list[Candidate]:
    """The ranked candidates of a question asking for the day's news ("what happened at the harbour yesterday?"):
    those holding the words the first holds and not FAR_WEAKER than it, of the stories dated nearest the newest
    found, first, and none dated after `now` leading. A story dated 2027 by a typo led "what happened at the harbour
    yesterday?", and a 2019 story's "yesterday" came 1.3 above the newest story's. Undated stories (an archive's)
    tell no day apart, nor does a follow-up, asked of the story read first in the order `reader_first` gave it."""
    if not ranked or _DATED.search(question) is None or split_follow_up(question, articles)[1]:
        return ranked

    def published(candidate: Candidate) -> datetime | None:
        article = articles.get(candidate.hit.article_id)
        return None if article is None else article.published

    ahead = [c for c in ranked if (p := published(c)) is not None and p > now]
    kept = [c for c in ranked if c not in ahead]
    dates = [p for c in kept if (p := published(c)) is not None]
    if not dates:
        return [*kept, *ahead]
    newest, first = max(dates), kept[0]
    alike = [c for c in kept if first.score - c.score <= FAR_WEAKER and first.matched <= c.matched]

    def apart(candidate: Candidate) -> float:
        when = published(candidate)
        return math.inf if when is None else (newest - when).total_seconds()

    return [*sorted(alike, key=apart), *(c for c in kept if c not in alike), *ahead]


# "How much?" and "how many?" ask for an amount: a number that is no year, time of day or day of a month, nor part
# of a name written with letters before it ("SM-3", "G8", "Covid-19": "How many missiles does Russia have?" was
# answered confidently by the shipped story's "US SM-3 Block IIB interceptors by 2020"). "How many?" asks for a
# count, which no share or sum of money is: "how many nurses work at harbourside hospital" was answered confidently
# by "71% of members who took part backed the deal".
_ASKS_AMOUNT = re.compile(r"\bhow\s+much\b", re.IGNORECASE)
# A day of a month, and the first of a range of days ("from 2 to 5 April", "2-5 April"), is no amount: "how many
# passengers are affected by the strike" of tests/data/portmere led with the ferry strike's dates, "from 2 to 5 April",
# read as the number 2, above "About 3,000 passengers are booked".
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_NOT_AMOUNT = re.compile(
    rf"\b(?:(?<![£$€])(?:1[89]|20)\d\d\b(?![%\w])|\d{{1,2}}(?:[ap]m\b|[:.]\d\d\s*[ap]m\b|:\d\d)"
    rf"|{_DAY}(?:\s*(?:-|\u2013|to|and)\s*{_DAY})?\s+{MONTH_WORD}|{MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    r"|[^\W\d_]+-?\d[\d.]*)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d")
# A month's name typed as a noun, after "the" or "a" ("how long is the march"), asks of a march, not of the month: a
# paragraph writing it only as the month ("Inspectors who visited in March 2023 found residents left ... for up to
# fourteen hours") does not hold it, and of tests/data/second_week that one, giving a span, answered the question.
_MONTH_AS_NOUN = re.compile(rf"\b(?:the|a|an)\s+({MONTH_WORD})", re.IGNORECASE)


def months_as_nouns(question: str) -> dict[str, str]:
    """Each term of a month's name the question types as a noun (`_MONTH_AS_NOUN`), with the word as typed, folded."""
    return {term: fold(found) for found in _MONTH_AS_NOUN.findall(question) for term in analyze(found)}


def only_as_months(as_nouns: Mapping[str, str], text: str) -> frozenset[str]:
    """The terms of `as_nouns` that `text` writes only capitalised, as the month's name."""
    return frozenset(t for t, word in as_nouns.items() if not re.search(rf"\b{re.escape(word)}", text))


_SHARE_OR_SUM = re.compile(
    r"[£$€¥]\s?\d[\d,.]*(?:\s*(?:bn|m|k|million|billion)\b)?|\d[\d,.]*\s*(?:%|per\s*cent\b|percent\b)", re.IGNORECASE
)
# "How long ...?" asks for a span of time or length, which a story writes as a number and its unit ("a 48-hour
# strike", "for four years", "4.9 metres"): any other number ("a 4.5% pay rise") does not answer it, nor how often
# ("every 20 minutes").
_ASKS_SPAN = re.compile(
    r"\bhow\s+long\b(?!\s+(?:will|would|did|does|do|has|have|had|can|could|should|must)\b)", re.IGNORECASE
)
_TIME_UNITS = r"(?:second|minute|hour|day|night|week|fortnight|month|year|decade|centur(?:y|ies))"
_UNITS = rf"(?:{_TIME_UNITS}|mile|metre|meter|kilometre|kilometer|km|foot|feet|yard|inch)(?:e?s)?\b"
# A number in words: a run of cardinals (bot/data/cardinals_en.txt), "seventy", "twenty-five", "two hundred and
# fifty", "tens of thousands". The one list serves every number read in words below.
_CARDINAL = "(?:{})".format("|".join(word for line in data_lines("cardinals_en.txt") for word in line.split()))
_IN_WORDS = rf"\b{_CARDINAL}(?:(?:[\s-]+|\s+and\s+|\s+of\s+){_CARDINAL})*\b"
# A number as a span or a measure writes it: in figures, or in words ("nine metres", "six miles").
_FIGURES_OR_WORDS = rf"(?:\d[\d,.]*|{_IN_WORDS})"
_SPAN = re.compile(rf"(?<!every )\b(?:{_FIGURES_OR_WORDS}|several|few)[\s-]*" + _UNITS, re.IGNORECASE)
# "How long will (did, has) ...?" asks how long a deed goes on, which a story writes as a span of time ("for ten
# days", "a 48-hour strike") or as the days it runs from and to ("from 2 November to 11 November", "from 24 to 26
# July"), not as a length: "how long will the road be shut" of tests/data/bramholt led with the crossing's diversion
# "of about six miles", above its lede's dates. What a thing is ("how long is the diversion") may be either. So are
# the days or months it runs from and to without a date ("from Thursday until Monday", "from April to October"): "how
# long does the heat alert last" of tests/data/health_desk was declined of "issued ... from Thursday until Monday".
_ASKS_TIME_SPAN = re.compile(
    r"\bhow\s+long\s+(?:will|would|did|does|do|has|have|had|can|could|should|must)\b", re.IGNORECASE
)
_WEEKDAY_OR_MONTH = rf"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|{MONTH_WORD})"
_TIME_SPAN = re.compile(
    rf"(?<!every )\b(?:{_FIGURES_OR_WORDS}|several|few)[\s-]*{_TIME_UNITS}(?:e?s)?\b"
    rf"|\bfrom\s+{_DAY}(?:\s+{MONTH_WORD})?\s+(?:to|until|till)\s+{_DAY}\s+{MONTH_WORD}"
    rf"|\bfrom\s+{_WEEKDAY_OR_MONTH}\s+(?:to|until|till)\s+(?:next\s+)?{_WEEKDAY_OR_MONTH}\b",
    re.IGNORECASE,
)
# "How many days ...?" asks for a span as "how long?" does: "a five-day strike" answers it, where of "how many
# people ...?" it is no count ("how many people were injured in the tram strike?" was answered confidently by "a
# 48-hour strike").
_ASKS_SPAN_COUNTED = re.compile(r"\bhow\s+many\s+" + _UNITS, re.IGNORECASE)
# The currencies a sum is written in, by name: a foreign desk's too ("1,800 shillings", "3.4 million kronor").
_CURRENCIES = (
    r"pounds?|dollars?|euros?|yen|yuan|roubles?|rubles?|rupees?|cents?|shillings?|kronor|kronur|kroner|kron[ae]"
    r"|koruna|manats?|dinars?|dirhams?|riyals?|rials?|pesos?|francs?|lira|lire|zloty|forints?|naira|cedis?|hryvnias?"
    r"|tenge|leva|baht|ringgit|rupiah|shekels?"
)
# "How many dinars ...?" asks for a sum written in a currency, which no count is (`writes_count`).
_COUNTS_CURRENCY = re.compile(rf"\bhow\s+many\s+(?:{_CURRENCIES})\b", re.IGNORECASE)
# Of any other thing "how many?" asks for a count (above).
_ASKS_COUNT = re.compile(r"\bhow\s+many\b(?!\s+" + _UNITS + r")(?:\s+(?P<counted>[\w'\u2019-]+))?", re.IGNORECASE)
# "How much ...?" asked of a price, a payment or a fine ("how much did it cost?", "how much did they pay?"), or of
# what a thing is ("how much is a bus ticket?"), asks for money, which a story writes with its currency ("£14m",
# "$2bn", "214p", "5,000 euros"), a foreign desk's by name ("1,800 shillings", "3.4 million kronor", "4.2 billion
# manats": "how much is petrol in bamuni" was declined of the first): a count of things, a share or a length does not
# answer it. Not "how much more (less) ...", which asks for a difference, told as a share too ("Ukraine has agreed to
# pay 30% more").
# Nor asked of a change ("how much is the pay rise", "how much did profits fall"), which a story tells as a share
# as often ("a 6% rise"): it asks for an amount (`_ASKS_AMOUNT`). Of tests/data/second_week "how much is the pay
# rise" was a weak answer above the nurses' "a 6% rise this year". So do "how much (prize) money ...?", "what is X
# worth?" and "what does X earn (cost, charge)?": "What is Alex McLeish's contract at Rangers worth?" was answered
# confidently (0.95) by his story's lede, which writes no sum. Nor "by how much ...?", which asks for a difference in
# whatever the thing is measured in ("by how much was the temperature record broken" of 36.4C against 34.9C, of
# tests/data/health_desk, was declined for writing no sum of money).
_CHANGE = (
    r"rises?|rose|risen|falls?|fell|fallen|increases?|increased|cuts?|drops?|dropped|decreases?|decreased|growth|grew"
    r"|raises?|raised|hikes?|reductions?"
)
_ASKS_MONEY = re.compile(
    rf"(?<!\bby\s)\bhow\s+much\b(?!\s+(?:more|less)\b)(?![^?]*\b(?:{_CHANGE})\b)"
    r"(?:[^?]*?\b(?P<word>costs?|costing|pay|pays|paid|paying|prices?|priced"
    r"|charges?|charged|spend|spends|spent|earns?|earned|worth|fees?|fined|sells?|sold|buys?|bought|money)\b"
    r"|\s+(?:is|are|was|were)\b)"
    r"|\bwhat\s+(?:is|are|was|were|will)\b[^?]*\bworth\b|\bwhat\s+(?:do|does|did)\b[^?]*\b(?:earn|cost|charge)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    rf"[£$€¥]\s?\d|\b\d[\d,.]*\s*(?:m|bn|k|million|billion|thousand)?\s*(?:p|pence|{_CURRENCIES})\b", re.IGNORECASE
)
# "How much does it cost?" asks for a price, which a story writes as what something costs or goes for ("will cost
# £1.3m", "priced at £649", "at a cost of £75m", "fares will start at £59", "for £12m", "£50 each"), not as any other
# sum of its story: "how much does dust line 4 cost" of tests/data/portmere was answered confidently (0.94) by "Revenue
# grew 38% to £142m as Dust Line 4 sold 2.6 million copies".
_ASKS_PRICE = re.compile(
    rf"\bhow\s+much\b(?!\s+(?:more|less)\b)(?![^?]*\b(?:{_CHANGE})\b)[^?]*?\b(?:costs?|costing|prices?|priced)\b",
    re.IGNORECASE,
)
# "How much is (was, does ... get) someone paid?" asks for pay, which a story writes as a sum beside a word of pay or
# a rate ("a salary of £45,000", "paid £80,000 a year", "earns £2,000 a week"); not what is paid for, out or back.
_ASKS_PAY = re.compile(
    r"\bhow\s+much\s+(?:is|are|was|were|does|do|did|will|would|has|have|had)\b[^?]*?\bpaid\b"
    r"(?!\s+(?:for|on|to|back|out|off|in)\b)",
    re.IGNORECASE,
)
_PAY = re.compile(
    r"\b(?:paid|pay|pays|salary|salaries|wages?|earns?|earned|earnings|bonus(?:es)?|allowances?|income)\b"
    r"|\b(?:a|an|per)\s+(?:hour|week|month|year)\b|\bannual\b",
    re.IGNORECASE,
)
_PRICED = re.compile(
    r"\b(?:costs?|costing|costed|prices?|priced|pricing|fares?|fees?|charges?|charged|tickets?|subscriptions?|pay|pays"
    r"|paid|paying|each"
    r"|apiece)\b",
    re.IGNORECASE,
)
_FOR_OR_AT = re.compile(r"\b(?:for|at)\s+(?:just\s+|only\s+|about\s+|around\s+|least\s+)?$", re.IGNORECASE)
# A sum written before the thing it is the price of: "a £20m cancer treatment unit", "a £38m railway station" (not "to
# £142m as ...", "£2.5m in three years": a small word after it).
_SUM_BEFORE = re.compile(r"[£$€¥]\s?\d[\d,.]*(?:\s*(?:bn|m|k|million|billion)\b)?[\s-]+(?P<word>[a-z][\w'\u2019-]*)")


def writes_pay(text: str) -> bool:
    """Whether a paragraph writes a sum of money (`_MONEY`) in a sentence telling of pay (`_PAY`)."""
    return any(_MONEY.search(sentence) and _PAY.search(sentence) for sentence in sentences(text))


def writes_price(text: str) -> bool:
    """Whether a paragraph writes a sum of money (`_MONEY`) in a sentence that says what something costs
    (`_PRICED`), right after "for" or "at" ("sold for £12m", "tickets at £40"), or before the thing it is the price of
    (`_SUM_BEFORE`)."""
    for sentence in sentences(text):
        sums = [found.start() for found in _MONEY.finditer(sentence)]
        if sums and (
            _PRICED.search(sentence)
            or any(_FOR_OR_AT.search(sentence, 0, at) for at in sums)
            or any(analyze(found.group("word")) for found in _SUM_BEFORE.finditer(sentence))
        ):
            return True
    return False


# How tall, high, deep, far or wide something is, how heavy or fast, and how old someone is ask for a measure, which a
# story writes as a number and its unit ("4.9 metres", "1.6kg", "60mph"), in figures or in words ("fell nine metres"
# of tests/data/bramholt, "how far did the apprentice fall", was 2.2 below the trial's lede, which gives no number),
# or as an age ("Derek Halloran, 61,", "aged 91", "the 23-year-old"): another number ("200,000 times") does not
# answer it.
# A number of years, in figures or in words ("12", "twelve", "twenty-five").
_AGE = rf"(?:\b\d{{1,3}}\b|{_IN_WORDS})"
_NUMBER_BEFORE = rf"\b{_FIGURES_OR_WORDS}[\s-]*"
MEASURES = (
    (
        re.compile(r"\bhow\s+(?:tall|high|deep|far|wide)\b", re.IGNORECASE),
        re.compile(
            rf"{_NUMBER_BEFORE}(?:mm|cm|m|km|metres?|meters?|kilometres?|kilometers?|miles?|feet|foot|ft|inch(?:es)?|yards?)"
            r"\b",
            re.IGNORECASE,
        ),
    ),
    (
        re.compile(r"\bhow\s+heavy\b", re.IGNORECASE),
        re.compile(rf"{_NUMBER_BEFORE}(?:g|kg|grams?|kilos?|kilograms?|tonnes?|tons?|lbs?|stones?)\b", re.IGNORECASE),
    ),
    (
        # How strong a wind or a storm is, is how fast it blows ("how strong were the winds" of tests/data/wexcombe led
        # with "winds would drop on Thursday", above "gusts of up to 84mph").
        re.compile(r"\bhow\s+(?:fast|strong)\b", re.IGNORECASE),
        re.compile(rf"{_NUMBER_BEFORE}(?:mph|kph|km/h|knots|miles\s+an\s+hour|miles\s+per\s+hour)", re.IGNORECASE),
    ),
    (
        # A thing's age is written as when it dates from ("The coins date from about AD 200", "built in the 12th
        # century", "laid 300 years ago"), a person's as a number of years: "how old are the coins" of
        # tests/data/wexcombe led with "Retired postman Gordon Pike, 67, made the discovery", above the coins' date.
        # An age is written in words as often ("Twelve-year-old Liv Aronsen became ..."): "how old is she?" of that
        # story was a weak answer, its passage taken to give no age.
        re.compile(r"\bhow\s+old\b", re.IGNORECASE),
        re.compile(
            rf"\b(?:aged?|age\s+of)\s+{_AGE}|{_AGE}[\s-]*years?[\s-]*old\b|(?<!\d),\s*\d{{1,3}},"
            r"|\bdat(?:es?|ed|ing)\s+(?:back\s+)?(?:from|to)\b|\b(?:AD|BC|BCE)\s*\d|\d\s*(?:AD|BC|BCE)\b"
            r"|\b\d+(?:st|nd|rd|th)[\s-]+century\b|\b\d[\d,]*\s+years\s+ago\b",
            re.IGNORECASE,
        ),
    ),
)


# "Who runs ...?", "who leads ...?", "who is in charge of ...?" ask who is at the head of something, which a story
# writes as the role ("Chief executive Hannah Lindqvist said"), seldom in the question's verb: "runs" is what an
# e-reader's battery does in its launch story's lede.
_ASKS_LEADER = re.compile(
    r"\bwho(?:['\u2019]s|\s+is|\s+was)?\s+(?:(?:runs?|ran|running|leads?|led|leading|heads?|headed|heading|manages?"
    r"|managed|managing)\b|in\s+charge(?:\s+of)?\b|(?:the\s+)?(?:boss|head|leader|chief)\s+of\b)",
    re.IGNORECASE,
)
_LEADER = re.compile(
    r"\b(?:chief\s+executive|chief|ceo|boss|head(?:teacher|master|mistress)?|leader|chair(?:man|woman|person)?|director"
    r"|(?:co-?)?founder|owner|president|manager|principal|editor|governor)s?\b",
    re.IGNORECASE,
)


# How far below the first (in the fitted ranker's log-odds) a passage of its story that writes what the question
# asks for (`ASKED_KINDS`) may be and still lead the answer: e^2, about 7 times less likely by the ranker.
KIND_WEAKER = 2.0
# The stories whose first passage `kind_first` reads, in order: as many as an answer shows passages by default, each
# story's first passage being the one shown in its place.
KIND_LEADS = DEFAULT_ANSWER_SIZE
# A passage holding the very word a question asks with, where the first does not, may be further below: the role
# it names (`_ASKS_ROLE`), the word asking for money, which a sum meets (`money_terms`), or "say", which a verb of
# saying meets (`_ASKS_SAID`: "Mr Tull said" of tests/data/bramholt, 2.6 below). The ranker weighs it as any
# other word: in tests/data/second_week "manager Elaine Foster" stood 2.45 below the lede on her club's new winger,
# "Head teacher Rachel Obi" 2.25 below "Former headteacher Colin Marsh left the school", and "The device will go on
# sale ... for £2,499" 2.53 below "the price would limit it to business buyers" ("how much does the fold 17 cost").
ASKED_WORD_WEAKER = 3.0


# A word of a paragraph right before a role ("Council" of "Council leader", "Citylink's" of "Citylink's chief"), and
# the one a role is "of" ("leader of the council").
_WORD_BEFORE = re.compile(r"([\w'\u2019]+)[ \t]+$")
_OF_AFTER = re.compile(r"\s+of\s+(?:the\s+)?([\w'\u2019]+)", re.IGNORECASE)


def as_role_written(question: str, texts: Iterable[str]) -> str:
    """A question asking who is at the head of something (`_ASKS_LEADER`) as asking for the role the first of
    `texts` to name one beside a word of the question names, when the question does not name it: "who leads the
    council?" as "who is the council leader?" where a story writes "Council leader Priya Natarajan". The verb met
    other senses of it ("Lead author ... said councils could help" led the answer), and a story names the role,
    seldom the verb ("who runs the council?" was declined). Asked so, it asks no more (`_ASKS_LEADER`)."""
    asking = _ASKS_LEADER.search(question)
    if asking is None:
        return question
    rest = question[asking.end() :].strip()
    wanted, asked = set(analyze(rest)), set(analyze(question))
    for text in texts:
        for role in _LEADER.finditer(text):
            before = _WORD_BEFORE.search(text, 0, role.start())
            after = _OF_AFTER.match(text, role.end())
            beside = {*analyze(before.group(1) if before else ""), *analyze(after.group(1) if after else "")}
            named = role.group().casefold()
            if wanted & beside and not asked.intersection(analyze(named)):
                what = rest.rstrip("?!. ")
                return f"{question[: asking.start()]}who is {what} {named}{rest[len(what) :]}"
    return question


# What a list of a reader's words gives for each (`listed_in`).
_Listed = TypeVar("_Listed")


@lru_cache(maxsize=1)
def news_words() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each everyday word readers ask with (its words, folded) with the words news writes for it, most usual first
    (bot/data/everyday_words_en.txt: "owns" with "owner", "kids" with "children"; "v" with none)."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in data_lines("everyday_words_en.txt"):
        typed, _, written = line.partition(":")
        table[tuple(fold(typed).split())] = tuple(w.strip() for w in written.split(",") if w.strip())
    return table


def listed_in(question: str, table: Mapping[tuple[str, ...], _Listed]) -> dict[tuple[int, int], _Listed]:
    """Each span (start, end) of `question` whose one to three words (folded) are a key of `table`, with its value; of
    two overlapping, the longer. A possessive is read without its ending, which the span leaves out: "the boss's
    pay" as "the chief executive's pay"."""
    tokens = [(start, start + len(_OWNER.sub("", question[start:end]))) for start, end in token_spans(question)]
    typed = [fold(question[start:end]) for start, end in tokens]
    found: dict[tuple[int, int], _Listed] = {}
    i = 0
    while i < len(tokens):
        n = next((n for n in (3, 2, 1) if tuple(typed[i : i + n]) in table and i + n <= len(tokens)), 0)
        if n:
            found[tokens[i][0], tokens[i + n - 1][1]] = table[tuple(typed[i : i + n])]
        i += n or 1
    return found


@lru_cache(maxsize=1)
def news_phrasings() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each reader's words (folded) with the runs of terms news writes for the same deed or thing
    (bot/data/news_phrasings_en.txt: "took over" with "takeover" and "acquisition", "lost jobs" with "redundancies")."""
    table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    # English words, whatever library asks first: read in another language's terms, they were kept so for English
    # libraries asked after it, and "lost their jobs" no longer met "redundancies".
    with analysed_in("en"):
        for line in data_lines("news_phrasings_en.txt"):
            typed, _, written = line.partition(":")
            table[tuple(fold(typed).split())] = tuple(_term_list(w) for w in written.split(",") if w.strip())
    return table


def phrasings(question: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The reader's words of `question` that news writes otherwise (`news_phrasings`), as typed, each with the runs
    of terms news writes for them."""
    return {question[start:end]: runs for (start, end), runs in listed_in(question, news_phrasings()).items()}


def as_phrased(text: str, phrased: Mapping[str, Sequence[Sequence[str]]]) -> str:
    """`text` with the reader's words of `phrased` written after each run of the terms news writes for them, so
    that a passage telling of "1,200 redundancies" holds the "lost jobs" of a question (unchanged without any)."""
    held = _term_set(text)
    wanted = [(typed, tuple(run)) for typed, runs in phrased.items() for run in runs if run and run[0] in held]
    if not wanted:
        return text
    found = words(text)
    terms = [t for _, _, t in found]
    after: dict[int, list[str]] = {}
    for typed, run in wanted:
        n = len(run)
        for i in range(len(terms) - n + 1):
            if tuple(terms[i : i + n]) == run:
                after.setdefault(found[i + n - 1][1], []).append(typed)
    return rewritten(text, {(at, at): " " + " ".join(dict.fromkeys(typed)) for at, typed in after.items()})


def _writes(texts: Iterable[str], run: Sequence[str]) -> bool:
    """Whether one of `texts` holds the terms of `run` side by side (each text's terms looked up once, cached)."""
    if not run:
        return False
    n, wanted = len(run), tuple(run)
    return any(
        run[0] in _term_set(text)
        and (n == 1 or any(terms[i : i + n] == wanted for terms in (_term_list(text),) for i in range(len(terms))))
        for text in texts
    )


def as_news_writes(
    question: str, idf: Mapping[str, float], stories: Mapping[str, Sequence[str]], small: bool = True
) -> str:
    """The question with each everyday word of it (`news_words`) written as the first of the words news writes for it
    that the stories of the question write, where they never write the reader's word; a word for which news writes
    none ("v" of "ashby v hollinsford") is left out there. The stories of the question are those of `stories` (each
    story's headline and candidate paragraphs) holding the most of the question's other words (by `idf`); where they
    write no such word, one any story writes is taken if none writes the reader's word. Where some story writes the
    reader's word, it is read so only if some story holds any other word of the question. "who owns crumb and
    co" was declined of a story writing "the bakery's owner", and "who took the penalty v garston" for the "v" no story
    writes. A reader's word the stories of the question write in another sense ("40 sacks of flour", "the wind farm")
    meets them as typed."""
    found = listed_in(question, news_words())
    if not found:
        return question
    everywhere = [text for written in stories.values() for text in written]
    story_terms = {article: frozenset().union(*map(_term_set, written)) for article, written in stories.items()}
    changes: dict[tuple[int, int], str] = {}
    for (start, end), written in found.items():
        word = _term_list(question[start:end])
        others = {t: v for t, v in idf.items() if t not in word}
        held = {a: sum(v for t, v in others.items() if t in terms) for a, terms in story_terms.items()}
        most = max(held.values(), default=0.0)
        asked = [text for a, texts in stories.items() if held[a] == most for text in texts]
        unwritten = not _writes(everywhere, word)
        # Where no story holds the question's other words, the stories writing the word typed are all it meets; and
        # in a large library, where a story found by a few of them writes most words in passing, so does any story
        # writing it.
        if not unwritten and (not small or not most or _writes(asked, word)):
            continue
        if not written:
            changes[start, end] = ""
            continue
        news = next((w for w in written if _writes(asked, _term_list(w))), None)
        if news is None and unwritten:
            news = next((w for w in written if _writes(everywhere, _term_list(w))), None)
        if news is not None:
            changes[start, end] = news
    if not changes:
        return question
    return " ".join(rewritten(question, changes).split())


def money_terms(question: str) -> frozenset[str]:
    """The terms of the word asking for money in a question that does (`_ASKS_MONEY`: "cost" of "how much will
    parking cost"); none in one that does not."""
    asking = _ASKS_MONEY.search(question)
    return frozenset(analyze(asking.group("word") or "")) if asking else frozenset()


def writes_amount(text: str) -> bool:
    """Whether a paragraph writes a number that is no year, time of day or day of a month ("£42.6m", "1,642",
    "25cm"; not "in 2009", "at 6pm", "on 4 December")."""
    return _DIGITS.search(_NOT_AMOUNT.sub(" ", text)) is not None


# What no count is, though written in numbers: a share, a sum of money, how often, a span.
_NOT_COUNT = (_SHARE_OR_SUM, _MONEY, re.compile(r"\bevery\s+\d[\d,.]*[\s-]*" + _UNITS, re.IGNORECASE), _SPAN)


# A number in words before a word, or before a word and the one after it: how many of it ("seven grandchildren",
# "eight secondary schools", "six more rockets": of tests/data/culture_desk "how many schools are banning phones" was
# declined, its story counting no schools, `tells_of_asked`). Not past a word that is another's (the two teachers'
# children), nor "one" alone, which is as often "one of the ..." as a count.
_COUNTED_IN_WORDS = re.compile(rf"(?!one\b){_IN_WORDS}\s+(?:of\s+)?(?:([\w-]+)\s+)?([\w'\u2019-]+)", re.IGNORECASE)


def writes_count(text: str, counted: frozenset[str] = frozenset()) -> bool:
    """Whether a paragraph writes an amount (`writes_amount`) that is no share, sum of money, span nor how often
    ("1,642", "14 smaller stores"; not "71% of members", "£4.2m a year", "a 48-hour strike", "every 20 minutes"), or
    a number in words right before a word whose term is one of `counted` ("seven grandchildren" of "how many
    grandchildren ...?": of tests/data/bramholt that question led with the obituary's lede, "for more than 40 years",
    above "... three children and seven grandchildren"; "between the two sides" counts no missiles)."""
    for other in _NOT_COUNT:
        text = other.sub(" ", text)
    return writes_amount(text) or any(
        counted.intersection(analyze(word))
        for found in _COUNTED_IN_WORDS.finditer(text)
        for word in found.groups()
        if word is not None
    )


def written_by(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """Whether a paragraph writes what `pattern` finds: the test of each kind of answer one pattern tells (a sum of
    money, a span, a cause, how often, a time of day, a place)."""

    def writes(text: str) -> bool:
        return pattern.search(text) is not None

    return writes


writes_money = written_by(_MONEY)  # a sum of money: "£1.20", "$2bn", "214p", "5,000 euros"


writes_span = written_by(_SPAN)  # a span of time or length: "48-hour", "four years", "4.9 metres"


writes_time_span = written_by(_TIME_SPAN)  # a span of time: "for ten days", "from 2 November to 11 November"


# "How big (large) ...?" asks for a size, which a story writes as a number ("About 600 hectares", "a 20,000-seat
# stadium", "6,000 fans"), not as how long something went on: "how big was the fire" of tests/data/portmere led with
# the lede's "burned across Hollin Moor for three days".
_ASKS_SIZE = re.compile(r"\bhow\s+(?:big|large)\b", re.IGNORECASE)


def writes_size(text: str) -> bool:
    """Whether a paragraph writes an amount (`writes_amount`) that is no span of time or length."""
    return writes_amount(_SPAN.sub(" ", text))


# "What caused ...?" asks for a cause, which a story writes as one ("started by a disposable barbecue", "blamed rising
# energy costs", "because of"), seldom in the question's verb: "what caused the moorland fire" of tests/data/portmere
# was answered confidently by the fire's "About 600 hectares ... were damaged", above "Investigators believe the fire
# was started by a disposable barbecue".
_ASKS_CAUSE = re.compile(
    r"\b(?:what|who)\s+(?:caused|causes|started|starts|sparked|triggered|led\s+to)\b", re.IGNORECASE
)
_CAUSE = re.compile(
    r"\b(?:(?:caused|started|sparked|triggered|set\s+off)\s+by|blamed?|blames|because|due\s+to|results?\s+of|led\s+to"
    r"|thanks\s+to)\b",
    re.IGNORECASE,
)


writes_cause = written_by(_CAUSE)  # a cause


# "How often ...?" asks for how often something happens, which a story writes as a frequency ("three times a week",
# "every four to five hours", "daily", "on Mondays and Fridays"), not a date: "how often will skerry air fly to bergen"
# of tests/data/wexcombe was answered confidently by the new route's lede, which gives only the day it starts.
_ASKS_OFTEN = re.compile(r"\bhow\s+(?:often|frequently)\b", re.IGNORECASE)
_PERIOD = r"(?:second|minute|hour|day|night|week|fortnight|month|year|decade)s?\b"
_FREQUENCY = re.compile(
    rf"\b(?:once|twice|thrice|[\w-]+\s+times)\s+(?:a|an|per|each|every)\s+{_PERIOD}|\bevery\s+(?:[\w-]+\s+){{0,3}}{_PERIOD}"
    r"|\b(?:daily|weekly|fortnightly|monthly|yearly|annually|hourly|nightly)\b"
    r"|\bon\s+(?:mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekdays|weekends)\b",
    re.IGNORECASE,
)


writes_frequency = written_by(_FREQUENCY)  # how often


def writes_measure(measure: re.Pattern[str], text: str) -> bool:
    """Whether a paragraph writes a measure of the kind `measure` finds (`MEASURES`: "4.9 metres", "aged 91")."""
    return measure.search(text) is not None


# A role written after one of these is whoever held it before: "Former headteacher Colin Marsh left the school"
# names no one in it now.
_HELD_BEFORE = re.compile(r"\b(?:former|ex|previous|late|outgoing|then)[\s-]+$", re.IGNORECASE)


def _names_in_role(role: re.Pattern[str], text: str) -> bool:
    return any(_HELD_BEFORE.search(text, 0, found.start()) is None for found in role.finditer(text))


# Someone named as the one at the head of something, in a clause after their name: "Professor Aisha Grant, who led the
# work", "Gwen Adeyemi, who has led the college's branch" (not the battery that "runs for a year").
_LEADS = re.compile(
    r",\s+who\s+(?:has\s+|had\s+)?(?:runs|ran|run|leads|led|heads|headed|manages|managed|chairs|chaired)\b",
    re.IGNORECASE,
)


def writes_leader(text: str) -> bool:
    """Whether a paragraph names someone's role at the head of something now ("Chief executive", "council leader",
    "headteacher"; not "Former headteacher"), or names someone who leads it (`_LEADS`)."""
    return _names_in_role(_LEADER, text) or _LEADS.search(text) is not None


# "Who is the captain of ...?", "who is the new headteacher at ...?" ask for whoever holds the role they name, which
# a story writes as that role ("Head teacher Rachel Obi"), joined or apart: of tests/data/second_week "who is the
# captain of dunmere rovers?" was answered confidently by the lede on the club's new winger, which names no captain,
# and "who is the new headteacher at oakridge?" led with "Former headteacher Colin Marsh left the school".
_ASKS_ROLE = re.compile(
    r"\bwho(?:['\u2019]s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+|their\s+|its\s+)?(?:(?:new|current|present)\s+)?"
    r"(?P<role>chief\s+executive|ceo|head\s*teacher|headmaster|headmistress|leader|chair(?:man|woman|person)?"
    r"|director|(?:co-?)?founder|owner|president|manager|principal|editor|governor|captain|mayor|coach)s?\b",
    re.IGNORECASE,
)


def writes_role(role: str, text: str) -> bool:
    """Whether a paragraph names someone in `role` now (`_names_in_role`), written joined or apart ("Head teacher"
    of "headteacher")."""
    letters = [c for c in role.casefold() if c.isalpha()]
    written = re.compile(r"\b" + r"[\s-]?".join(map(re.escape, letters)) + r"s?\b", re.IGNORECASE)
    return _names_in_role(written, text)


# "What time ...?" asks for a time of day, which a story writes as a clock gives it ("at 10pm", "7.45am", "19:30",
# "midnight"), or a race's time ("2:14:51", "44.63"): "what time does the flight to bergen leave" of tests/data/wexcombe
# was answered confidently (0.99) by "The service will run three times a week ... The flight will take about two hours
# and ten minutes". Not "what time of year", which asks for a season or a month.
_ASKS_CLOCK = re.compile(r"\b(?:what|which)\s+time\b(?!\s+of\s+(?:the\s+)?year\b)", re.IGNORECASE)
_CLOCK = re.compile(
    r"(?<![£$€¥\d.,])\b\d{1,2}(?:[:.]\d\d){1,2}\b(?!\s*(?:%|per\s*cent|m\b|bn\b|k\b|million|billion))"
    r"|\b\d{1,2}(?:[:.]\d\d)?\s*[ap]\.?m\b|\b(?:noon|midday|midnight)\b|\bo['\u2019]clock\b",
    re.IGNORECASE,
)


writes_clock = written_by(_CLOCK)  # a time of day or a race's time


# "What did ... say?" asks for someone's words, which a story gives after a verb of saying ("Mr Tull said it was ...",
# "told the court", "warned"): of tests/data/bramholt "what did gary tull say" led with the count's "Labour's Fiona
# Marsh won the draw ... against the independent candidate Gary Tull", 2.6 above "Mr Tull said it was \u201ca cruel way
# to lose\u201d", and was declined. "Say" is the very word the question asks with, which a story writes as any of these.
# Not where a clause follows it: "What does legend say Genghis Khan used to ...?" asks for what the clause asks (of
# SQuAD's 1,500 questions it lost its first passage so). Nor what a text says ("what does the article say about
# rates?", "what does it say?", or a link's, the link taken out: "what does say about rates?"), which asks what it
# tells, in anyone's words: "The central bank kept interest rates at 4.5%" was only a weak answer to that.
_TEXT_SAYING = (
    r"(?:it|this|that|(?:(?:the|this|that|your|its|their)\s+)?"
    r"(?:article|story|stories|report|piece|page|link|paper|headline|post|text|news)s?)?\s*(?:say|said|tell|told)\b"
)
_ASKS_SAID = re.compile(
    rf"\bwhat\s+(?:did|does|do|has|have|had)\s+(?!{_TEXT_SAYING})[^?]*?\b(?:say|said|tell|told)"
    r"(?:\s+(?:about|of|on|to|after|before|at|in|when)\b[^?]*)?\s*\??\s*$",
    re.IGNORECASE,
)
_SAID = re.compile(
    r"\b(?:said|says|told|tells|added|warned|insisted|argued|claimed|admitted|explained|stated|declared)\b",
    re.IGNORECASE,
)


writes_said = written_by(_SAID)  # someone's words


# "What is the name of ...?" and "what is ... called?" ask for a name, which a story writes capitalised beside the
# thing it names ("his guide dog Lucy", "the cubs, Ember and Ash", "The Long Watch, a drama"), or anywhere when it
# writes the thing in other words than the question's: "what is the name of the stolen painting" of
# tests/data/courts_and_towns was answered confidently by "The auction house contacted police when a researcher
# recognised the picture ...", which names nothing, and by its lede, "A landscape painting stolen from Dunmore Museum
# ... turned up at an auction in Amsterdam", which names a museum and a city. Not "what was called off".
_ASKS_NAME = re.compile(
    r"\bwhat(?:['\u2019]s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+|its\s+|their\s+|his\s+|her\s+)?names?\b"
    r"|\bwhat\s+(?:is|was|are|were)\b[^?]*\bcalled\b(?!\s+(?:off|up|for|on|in|out|back)\b)",
    re.IGNORECASE,
)
# Capitalised words in a row, "of", "the" or "and" between them ("Bank of England", "Ron and Pat Haddow").
_NAME_RUN = re.compile(r"(?<![\w'\u2019-])[A-Z][\w'\u2019-]*(?:\s+(?:(?:of|the|and)\s+)?[A-Z][\w'\u2019-]*)*")
# What may stand between a name and the thing it names: nothing, a comma or quotes, "called" or "named"; or, after the
# name, a comma and the thing with a few words before it ("The Long Watch, a drama").
_BESIDE = re.compile(
    r"[\s,:'\"\u2018\u2019\u201c\u201d]*(?:(?:called|named|titled|dubbed|known\s+as)[\s'\"\u2018\u2019\u201c\u201d]+)?"
    r"|,\s+(?:an?|the|its|their|his|her)\s+(?:[\w'\u2019-]+\s+){0,3}",
    re.IGNORECASE,
)


def writes_name(question: str, text: str) -> bool:
    """Whether a paragraph writes a name (`_NAME_RUN`, past a sentence's first word) that is no word of `question`,
    right beside a word of it (`_BESIDE`), or anywhere when it writes no word of it."""
    asked = _term_set(question)
    wanted = asked - _term_set("name named called")
    for sentence in sentences(text):
        at = [(start, end) for start, end, term in words(sentence) if term in wanted]
        for found in _NAME_RUN.finditer(sentence):
            start = found.start()
            if start == 0 or not sentence[:start].strip(" '\"\u2018\u201c("):
                first = re.match(r"\S+\s*", found.group())
                start += first.end() if first else 0
            name = sentence[start : found.end()]
            named = _term_set(name)
            if not named or named <= asked:
                continue
            outside = [(s, e) for s, e in at if e <= start or s >= found.end()]
            if not outside or any(
                _BESIDE.fullmatch(sentence[e:start] if e <= start else sentence[found.end() : s]) for s, e in outside
            ):
                return True
    return False


# What a question asks for, read from its words, and whether a paragraph writes it; and whether the passage must
# also write a word of the question the first passage was found by. Who leads a story's company or council is the
# one it names in that role, whether or not that paragraph names the company again ("the company had spent"); a
# measure in its unit is as seldom written in passing ("The animals covered an average of 1.8km a night").
ASKED_KINDS: tuple[tuple[re.Pattern[str], Callable[[str], bool], bool], ...] = (
    (_ASKS_AMOUNT, writes_amount, True),
    (_ASKS_MONEY, writes_money, True),
    (_ASKS_PRICE, writes_price, True),
    (_ASKS_SPAN, writes_span, True),
    (_ASKS_TIME_SPAN, writes_time_span, True),
    (_ASKS_SPAN_COUNTED, writes_span, True),
    (_ASKS_SIZE, writes_size, False),
    (_ASKS_CAUSE, writes_cause, False),
    (_ASKS_OFTEN, writes_frequency, False),
    (_ASKS_CLOCK, writes_clock, False),
    (_ASKS_SAID, writes_said, True),
    (_ASKS_LEADER, writes_leader, False),
    *((asks_for, partial(writes_measure, measure), False) for asks_for, measure in MEASURES),
)


# "Where ...?" of what has been asks for a place a story names: "at the University of Aldbrook", "in Oxfordshire",
# "went to Dunmore" (not "in the journal", "on the bus", nor "from Monday"). Of tests/data/second_week "where did the
# study take place" was answered confidently by "The study ... was published in the journal Metabolic Health", above
# "Researchers at the University of Aldbrook followed volunteers". What is ahead is asked of differently
# (`writes_when`).
_NAMED_PLACE = re.compile(
    r"\b(?i:in|at|near|outside|inside|across|from|to)\s+(?:the\s+)?"
    r"(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July"
    r"|August|September|October|November|December)\b)[A-Z]"
)


writes_place = written_by(_NAMED_PLACE)  # a named place


def asked_kinds(question: str) -> list[tuple[Callable[[str], bool], bool, float, bool]]:
    """What a question asks for (`ASKED_KINDS`, and the role it names, `_ASKS_ROLE`, when it asks for no head of
    something in general): whether a paragraph writes each, whether it must write a word the first passage was found
    by too, how far below the first a passage writing it may be and still lead (`kind_first`), and whether its
    story's headline writing it tells it of the paragraph (a role: "Cafe owner wins award ..." over "He opened the
    cafe eleven years ago", as for a deed, `writes_deed`)."""
    money = ASKED_WORD_WEAKER if money_terms(question) else KIND_WEAKER
    weaker = {_ASKS_MONEY: money, _ASKS_PRICE: money, _ASKS_SAID: ASKED_WORD_WEAKER}
    kinds = [
        (writes, found_by_too, weaker.get(asks_for, KIND_WEAKER), False)
        for asks_for, writes, found_by_too in ASKED_KINDS
        if asks_for.search(question)
    ]
    count = _ASKS_COUNT.search(question)
    if count is not None:
        # A count of a currency ("how many dinars to the dollar?") is a sum of it: any amount tells it.
        counted = partial(writes_count, counted=_term_set(count.group("counted") or ""))
        kinds.append((writes_amount if _COUNTS_CURRENCY.search(question) else counted, True, KIND_WEAKER, False))
    role = None if _ASKS_LEADER.search(question) else _ASKS_ROLE.search(question)
    if role is not None:
        kinds.append((partial(writes_role, role.group("role")), False, ASKED_WORD_WEAKER, True))
    if _ASKS_NAME.search(question):
        kinds.append((partial(writes_name, question), False, KIND_WEAKER, False))
    where = _ASKS_WHEN.match(question)
    if where is not None and where.group("asked").casefold() == "where" and where.group("ahead") is None:
        kinds.append((writes_place, False, KIND_WEAKER, False))
    return kinds


def writes_what_is_asked(question: str, text: str, headline: str = "") -> bool:
    """Whether a paragraph (under `headline`) writes each kind of thing the question asks for (`asked_kinds`: an
    amount, a sum of money, a span, who is in charge), the deed it asks who did (`writes_deed`) and the time it asks
    for (`writes_when`); true of a question asking for none."""
    kinds = all(writes(text) or (told and writes(headline)) for writes, _, _, told in asked_kinds(question))
    return kinds and writes_deed(question, text, headline) and writes_when(question, text, headline)


# "When ...?" asks for a time, which a story gives in a sentence telling of what is asked ("three days of strikes in
# October"): "when was nimbus founded" was answered confidently (0.87) by the founder's words at the launch, which
# give none. "When will ...?", "where will ...?" and "when is the next ...?" ask of what is ahead, told in a sentence
# looking forward ("will strike for five days from 14 December", "are due to return to normal on Wednesday", "could
# start next spring"), not one telling what has been: "when is the next nurses strike" was answered confidently by "a
# dispute that led to three days of strikes in October", and "where will the fold 17 be made" by the founder's four
# years "making a hinge". A time something is to happen "by" looks forward too, as does planning: of the shipped story
# "when will the SM-3 interceptors be deployed" (its "deployment of US SM-3 Block IIB interceptors by 2020") and "when
# will the security conference be held" ("Russia is planning to hold ... in May") were weak answers.
_ASKS_WHEN = re.compile(r"\s*(?:and\s+)?(?P<asked>when|where)\b(?P<ahead>(?=[^?]*\b(?:will|next)\b))?", re.IGNORECASE)
_AHEAD = re.compile(
    r"\b(?:will|would|could|shall|due|expected|set\s+to|going\s+to|plans?\s+to|planning\s+to|planned|scheduled|next"
    r"|until)\b|\w['\u2019]ll\b|\bby\s+(?:the\s+end\s+of\s+)?(?=" + _WHEN.pattern + ")",
    re.IGNORECASE,
)
# A place, as a sentence gives one: "in the UK", "at Castle Park", "between the city centre and the airport" (not "at
# 1.6kg", nor "limit it to business buyers").
_PLACE = re.compile(r"\b(?:in|at|between|across|near|outside|inside)\s+(?:the\s+)?[^\W\d_]", re.IGNORECASE)


def when_asked_of(question: str) -> frozenset[str]:
    """The words of a question asking when or where that say of what (not its frame, nor "will" or "next")."""
    return _term_set(_AHEAD.sub(" ", question)) - frame_terms(question)


def writes_when(question: str, text: str, headline: str = "") -> bool:
    """Whether a paragraph has a sentence giving a time (`_WHEN`) that holds a word of the question (any, of a question
    of question words alone: "when?"; none, when its story's `headline` holds them all), when the question asks when
    (`_ASKS_WHEN`), and looking forward (`_AHEAD`), when it asks of what is ahead, as for where (giving a place,
    `_PLACE`); true of any other question. A start or an end asked when of is told by what will be done from or
    until when (`_starts_or_ends`, as `gives_time` reads it). Of the tram strike, "A replacement bus service will
    run ... but the last buses will leave at 10pm" tells of no strike to come. Under "Kelby teachers vote to strike
    over class sizes", "The first walkout is planned for 20 January" tells when they will strike."""
    asked = _ASKS_WHEN.match(question)
    ahead = asked is not None and asked.group("ahead") is not None
    if asked is None or not (ahead or asked.group("asked").casefold() == "when"):
        return True
    when = asked.group("asked").casefold() == "when"
    given = _WHEN if when else _PLACE
    wanted = when_asked_of(question)
    told = wanted <= _term_set(headline)
    begun = when and wanted - _starts_or_ends() <= _term_set(headline)
    return any(
        given.search(sentence)
        and (not ahead or _AHEAD.search(sentence))
        and (told or wanted & _term_set(sentence) or (begun and _begins_or_ends(sentence)))
        for sentence in sentences(text)
    )


# A verb written after these tells of a deed to be done, not done: "the least damaging place to build", "could build".
_TO_BE_DONE = re.compile(
    r"\b(?:to|will|would|could|can|may|might|shall|should|must)\s+(?:not\s+)?(?:be\s+)?$", re.IGNORECASE
)
# Unless it is whoever did it first, last or alone: "the first Green Party candidate to win the post" tells who won
# ("who won the election?" of tests/data/kelby was weak).
_FIRST_TO = re.compile(
    r"\b(?:first|last|only|youngest|oldest|second|third)\b(?:\s+[\w'\u2019-]+){0,4}\s+to\s+$", re.IGNORECASE
)


def writes_deed(question: str, text: str, headline: str = "") -> bool:
    """Whether a paragraph writes, in any of its forms ("won" as "win"), the verb of a question asking who did
    something (`_WHO_DID`): "who scored for rovers on saturday" was answered confidently by a new signing's words
    on Rovers, which say he could play on Saturday and nothing of a goal, and "who won the fa trophy" by the
    winner headed in a cup's third round. Asked of a deed done ("who built ...?", its verb in the past), a verb
    written as one to be done (`_TO_BE_DONE`) is no such deed: "who built the airfield?" was answered confidently
    (0.97) of tests/data/second_week by a council's words on the "least damaging place to build" homes there. Not of
    a verb that frames the question ("who said ...?": a story gives the words), nor of who runs something, which a
    story writes as the role (`_ASKS_LEADER`). A deed the paragraph's `headline` tells is told of all its passages:
    "who won the chess title?" was a weak answer under "Chess Prodigy Wins National Title at Twelve", whose lede
    says she "became the youngest national chess champion"."""
    asked = _WHO_DID.match(question)
    if asked is None or _ASKS_LEADER.search(question):
        return True
    deed = frozenset(analyze(asked.group(1))) - frame_terms(question)
    if not deed or deed & _term_set(headline):
        return True
    verb = fold(asked.group(1))
    doers = doer_terms(deed) - deed
    if any(term in doers and _BEFORE_NAME.match(text, end) for _, end, term in words(text)):
        return True
    if not (verb in IRREGULAR_VERBS or verb.endswith("ed")):
        return bool(deed & _term_set(text))
    return any(
        term in deed and (_TO_BE_DONE.search(text, 0, start) is None or _FIRST_TO.search(text, 0, start) is not None)
        for start, _, term in words(text)
    )


# What asks for a number (an amount, a count, a sum, a span, a size, a measure), and how far below the first a passage
# of its story writing it may be when the first writes no number at all (in figures or in words): no passage giving
# none says how much, and the ranker's lead there is the question's other words. "how long is the flight to norway"
# of tests/data/wexcombe led with the route's lede ("from 28 March"), 2.2 above "The flight will take about two hours
# and ten minutes". Beyond the kind's own reach (`kind_first`) only a passage writing every word the first was found
# by: the first's lead is then not by the question's words.
_ASKS_NUMBER = (
    _ASKS_AMOUNT,
    _ASKS_COUNT,
    _ASKS_MONEY,
    _ASKS_SPAN,
    _ASKS_TIME_SPAN,
    _ASKS_SPAN_COUNTED,
    _ASKS_SIZE,
    *(asks_for for asks_for, _ in MEASURES),
)
NUMBERLESS_WEAKER = 4.0
# A number written in words is a number: "some three million viewers" answers "how many watch ...?", "about a decade"
# "how long ...?" (of the BBC questions, two weak answers led by such a passage became confident ones led by another).
_NUMBER_WORD = re.compile(rf"{_IN_WORDS}|\b(?:half|halves|third|quarter|decades?|centur(?:y|ies))\b", re.IGNORECASE)


def writes_number(text: str) -> bool:
    """Whether a paragraph writes an amount (`writes_amount`) or a number in words ("three million", "a decade")."""
    return writes_amount(text) or _NUMBER_WORD.search(text) is not None


# A word written right before a name is its title ("Co-founder Idris Kalu"), and so is one a comma sets the name
# beside ("The previous owners, Ron and Pat Haddow, ..."; "who owned the post office before" of tests/data/wexcombe was
# a weak answer, "No article uses the word “owned”").
_BEFORE_NAME = re.compile(r",?[ \t]+[A-Z][a-z]")
# A stem of one syllable ending in one vowel and a consonant doubles it before "-er" ("win" of "winner").
_DOUBLED = re.compile(r"^[^aeiou]*[aeiou]([bdgmnpt])$")


def doer_terms(deed: Collection[str]) -> frozenset[str]:
    """The terms of the nouns naming who does each verb of `deed` ("founder" of "found", "owner" of "own", "winner"
    of "win"), which a story writes as a title before a name (`writes_deed`): "who founded veyra" was a weak answer
    of tests/data/portmere, whose story says "Co-founder Idris Kalu said ...", never "founded". A verb ending in "e"
    takes an "r" ("driver" of "drive", "scorer" of "score": "driveer" named no one). Some take "-or" ("conductor" of
    "conduct", "creator" of "create")."""
    doubled = ((verb, _DOUBLED.match(verb)) for verb in deed)
    return frozenset(
        term
        for verb, d in doubled
        for noun in (f"{verb}r" if verb.endswith("e") else f"{verb}{d.group(1) if d else ''}er", f"{verb}or")
        for term in analyze(noun)
    )


# A word of a verb's forms: "founded", "founding", or one of the irregular ("built", "sold").
_VERB_FORM = re.compile(r"[^\W\d_]{3,}(?:ed|ing)", re.IGNORECASE)


def _as_verb(word: str) -> bool:
    """Whether `word` (folded) is written as a verb: a regular form ending "-ed" or "-ing", or an irregular one (of
    a word joined by hyphens, its last: "co-founded")."""
    last = word.rsplit("-", 1)[-1]
    return _VERB_FORM.fullmatch(last) is not None or last in IRREGULAR_VERBS


@lru_cache(maxsize=4096)
def _doers_of(term: str) -> frozenset[str]:
    """`doer_terms` of one term but itself, kept: a library's every word is read for it."""
    return doer_terms({term}) - {term}


def as_kin_written(question: str, terms: Collection[str], texts: Iterable[str]) -> str:
    """The question with each word of `terms` (words no paragraph uses) written as its kin by derivation that
    `texts` write, the most often: the doer of a verb ("founded" as "founder", `doer_terms`), or the verb of its
    doer where they write it as a verb ("founder" as "founded"). "who founded the studio?" was declined, "No
    article uses the word “founded”", of a story saying "Founder Ada Smith said ...". Kin are told apart without a
    lemmatiser: Snowball stems the forms of a word alike ("founded", "founding"; "elected", "election"), and
    English names a verb's doer with "-er" or "-or" (`doer_terms`); a noun that only ends so ("corner" of "corn")
    is no doer of a word no text writes as a verb. Nor is a light verb's ("maker" of "made"), which names little of
    a deed."""
    typed = {t: w.casefold() for w in as_typed(question, terms) for t in analyze(w) if t not in LIGHT_VERBS}
    if not typed:
        return question
    # A doer of a word typed as a verb only: "ev" of "affordable ev made in exford" is no verb, "ever" no doer.
    doers = {t: _doers_of(t) if _as_verb(word) else frozenset() for t, word in typed.items()}
    written: dict[str, Counter[str]] = {t: Counter() for t in typed}
    for text in texts:
        for start, end, term in words(text):
            word = fold(text[start:end])
            for t, found in written.items():
                # A doer before the name (`_BEFORE_NAME`: "Founder Ada Smith", "owners, Ron and Pat"): "who won the
                # match?" was declined as "winner" of a story whose striker "headed the winner", a goal.
                titled = term in doers[t] and _BEFORE_NAME.match(text, end) is not None
                if titled or (t in _doers_of(term) and _as_verb(word) and term not in LIGHT_VERBS):
                    found[word] += 1
    chosen = {typed[t]: found.most_common(1)[0][0] for t, found in written.items() if found}
    if not chosen:
        return question
    spans = {(start, end): question[start:end].casefold() for start, end, _ in words(question)}
    return rewritten(question, {span: chosen[word] for span, word in spans.items() if word in chosen})


# "Who ...?" asks for someone, whom a story names as a person: after a title ("Mr Ferris", "Professor Aisha Grant"),
# with an age ("Gordon Pike, 67,"), as two or three capitalised words after a word in lower case that is no article nor
# preposition, as a role or a deed ("postman Gordon Pike", "manager, Keira Lusk", "won by Lucy Mbeki"), or opening a
# sentence before its verb ("Amit Yoran was director ..."); not a place or a body after "in", "at" or "for" ("in
# Tanner Street", "at Wexcombe Royal Infirmary", "for St Anne's Hospice").
_ASKS_WHO = re.compile(r"\s*(?:and\s+)?who(?:m|se)?\b", re.IGNORECASE)
_CAPITALISED = r"[A-Z][a-z'\u2019-]+"
_PERSON = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Professor)\.?\s+[A-Z]"
    rf"|\b{_CAPITALISED},\s*\d{{1,3}},"
    r"|\b(?!(?:the|a|an|in|at|on|of|for|from|to|into|near|with|by\s+the)\b)[a-z]+,?[ \t]+"
    rf"{_CAPITALISED}(?:[ \t]+{_CAPITALISED}){{1,2}}\b(?![ \t]+[A-Z])"
    r"|(?:^|[.!?][\"'\u201d\u2019]?\s+)(?!(?:The|An?|In|At|On|Of|For|From|To|By|After|But|And|When|While|This|That|It|He|She"
    rf"|They|We|His|Her|Their|Its)\b){_CAPITALISED}(?:[ \t]+{_CAPITALISED}){{1,2}}(?=[ \t]+[a-z])"
)


writes_person = written_by(_PERSON)  # someone named


# A question asking why something was done.
_ASKS_WHY = re.compile(r"\s*(?:and\s+)?why\b", re.IGNORECASE)


def ordering_kinds(question: str, detail: bool = False) -> list[tuple[Callable[[str], bool], bool, float, bool]]:
    """Kinds of thing a question asks for that only order its passages (`kind_first`), weighed as `asked_kinds` are,
    not whether its first passage answers it: someone named, for "who ...?". A story's lede often tells of someone
    without naming them ("A Bramholt builder has been found not guilty ...", "More than 1,200 runners took part in
    the half marathon"), and its next paragraph names them ("... to acquit Colin Ferris, 52", "The race was won by
    Lucy Mbeki"): the ranker, weighing the lede's place and words, put it first, 0.7 and 1.1 above.
    And a cause, for "why ...?", where the first passage is a `detail`: a later paragraph of its story in a small
    library (`kind_first`). A story of a few paragraphs tells why in one of them, and "why did brightwell's go bust"
    of tests/data/portmere led with the chain's founding in 1978, 0.7 above "The chain blamed high rents and a slump
    in spending". Not a lede, which tells what happened and most often why in words no pattern reads as a cause, nor
    in a large library: of the BBC questions, one answered by a later paragraph in such words lost its first place to
    the next, writing "because" (held-out paragraph R@1 113 -> 112 of 162, tuning 219 -> 220 of 336)."""
    kinds = [(writes_person, False, KIND_WEAKER, False)] if _ASKS_WHO.match(question) else []
    if _ASKS_WHY.match(question) and detail:
        kinds.append((writes_cause, False, KIND_WEAKER, False))
    return kinds


def kind_first(
    question: str,
    ranked: list[Candidate],
    articles: Mapping[str, StoredArticle],
    texts: Mapping[tuple[str, int], str],
    told_before: bool = False,
) -> list[Candidate]:
    """The ranked candidates of a question asking for a kind of thing (`asked_kinds`: an amount, who is in charge),
    led by the first passage of the first's story that writes it when the first does not (`asked_first`), is no more
    than KIND_WEAKER below it and (for an amount or a sum) itself writes a word of the question the first was found by
    (not only its headline). "how much snow is expected in the Pennines" led with the warning's lede, above "Up to
    25cm of snow could fall"; "how much did the tenants get back" with their solicitor's words, above "ordered to
    repay £18,400"; "who runs brightloop" with the launch's lede, where the e-reader "can run for twelve months", above
    "Chief executive Hannah Lindqvist said"; "how far did the hedgehogs travel" with the study's lede, above "The
    animals covered an average of 1.8km a night". With vectors only: the lexical ranker's scores span less than the
    fitted ones' (2.0 there put first passages it ranked far below, and SQuAD's questions lost first passages so).
    Where words are `told_before` (a small library, as in `evidence`), a word its story's lede writes is one the
    passage writes: "The device will go on sale ... for £2,499" tells of the Fold 17 its lede names ("how much does
    the fold 17 cost"). Of a first writing no number where one is asked for, a passage NUMBERLESS_WEAKER below it may
    lead, when it writes every word the first was found by.

    So is the first passage of each next story, up to KIND_LEADS stories, by its own story's passages behind it: its
    place is where the answer shows that story, and it is the passage shown there. "Who won the giant marrow prize?" of
    a village show's stories showed the prize story's lede, naming no one, second, above its paragraph naming the
    winner (0.5 below); of the BBC tuning half two questions so gained their paragraph among the three shown and none
    lost it."""
    ranked = _kind_led(question, ranked, articles, texts, told_before)
    led = {ranked[0].hit.article_id} if ranked else set()
    for at in range(1, len(ranked)):
        if len(led) == KIND_LEADS:
            break
        lead = ranked[at]
        if lead.hit.article_id in led:
            continue
        led.add(lead.hit.article_id)
        # The two change places: the story's other passages keep theirs, and with them its second place shown
        # ("who kidnapped the engineer" of a desk's stories lost "No group has said it carried out the kidnapping",
        # the lede pushed down onto it).
        writing = _kind_led(question, ranked[at:], articles, texts, told_before)[0]
        if writing is not lead:
            ranked = [writing if c is lead else lead if c is writing else c for c in ranked]
    return ranked


def _kind_led(
    question: str,
    ranked: list[Candidate],
    articles: Mapping[str, StoredArticle],
    texts: Mapping[tuple[str, int], str],
    told_before: bool,
) -> list[Candidate]:
    # `kind_first` for the first passage of `ranked`.
    if not ranked:
        return ranked
    first = ranked[0]
    first_text = texts[first.hit.article_id, first.hit.position]
    numberless = not writes_number(first_text) and any(asks_for.search(question) for asks_for in _ASKS_NUMBER)
    kinds = [
        Asked(
            partial(_writes_text, writes),
            found_by_too,
            weaker,
            max(weaker, NUMBERLESS_WEAKER) if numberless else weaker,
        )
        for writes, found_by_too, weaker, _ in (
            *asked_kinds(question),
            *ordering_kinds(question, detail=told_before and first.hit.position > 0),
        )
    ]
    # The time asked for, in a small library, where a story tells it once and names what of in its headline: "when will
    # teachers strike" led with the vote's lede, above "The first walkout is planned for 20 January". Not where the
    # headline names only some ("when is the next nurses strike" of a pay deal "ending" the strikes, under "Nurses ...
    # vote to accept pay deal": "Cancelled operations from the October strikes will be rescheduled by January"). Its
    # start or end asked of is not named: "From June, older lorries ... will pay" (`_starts_or_ends`).
    if (
        told_before
        and _ASKS_WHEN.match(question)
        and when_asked_of(question) - _starts_or_ends() <= _term_set(articles[first.hit.article_id].title)
    ):
        kinds.append(Asked(partial(writes_when, question), False, KIND_WEAKER, KIND_WEAKER))
    return asked_first(question, ranked, articles, texts, kinds, any_story=False, told_before=told_before)


def _writes_text(writes: Callable[[str], bool], text: str, _headline: str) -> bool:
    # A kind its paragraph alone tells (`asked_kinds`), read as `Asked` reads one.
    return writes(text)


class Asked(NamedTuple):
    """A kind of thing a question asks for, as `asked_first` puts a passage writing it first: whether a paragraph
    (under its story's headline) writes it, whether a passage of the first's story must write a word the first was
    found by too, how far below the first it needs no more than that (`weaker`), and how far below the first a
    passage writing it may be at all (`reach`: beyond `weaker`, only one writing every such word)."""

    writes: Callable[[str, str], bool]
    found_by_too: bool
    weaker: float
    reach: float


def asked_first(
    question: str,
    ranked: list[Candidate],
    articles: Mapping[str, StoredArticle],
    texts: Mapping[tuple[str, int], str],
    kinds: Sequence[Asked],
    any_story: bool,
    told_before: bool = False,
) -> list[Candidate]:
    """The ranked candidates led by the first passage writing a kind the question asks for (`kinds`, in order) when
    the first does not, no more than the kind's reach below the first: of the first's story (`close_behind`,
    `kind_first`), or, `any_story`, of the next passages up to LEAD_CANDIDATES, of any story, or above the first (a
    later stage put it there: `counted_first`). A passage of the first's story tells of what the first was found by
    (its lede too, where words are `told_before`): it needs one of the words the first was found by, or none (a kind
    not `found_by_too`), up to the kind's `weaker`, and all of them beyond. Another story's must hold every word the
    first was found by (its own, its headline's): its story may tell of another thing. Not of a follow-up, whose order
    `reader_first` gave."""
    if not ranked or not kinds or split_follow_up(question, articles)[1]:
        return ranked
    first = ranked[0]
    # Words the first was found by, not those that only frame the question ("much" of "much of Cumbria").
    found_by = first.matched - frame_terms(question)

    def writes(kind: Asked, candidate: Candidate) -> bool:
        text = texts[candidate.hit.article_id, candidate.hit.position]
        return kind.writes(text, articles[candidate.hit.article_id].title)

    def holds(kind: Asked, candidate: Candidate) -> bool:
        text = texts[candidate.hit.article_id, candidate.hit.position]
        if any_story:
            return found_by <= _term_set(text) | _term_set(articles[candidate.hit.article_id].title)
        lede = texts.get((candidate.hit.article_id, 0), "") if told_before else ""
        held = found_by & (_term_set(text) | _term_set(lede))
        # Further below than the kind alone allows, only a passage writing every word the first was found by:
        # "Gusts reached 91mph" of tests/data/dunmarsh, 2.5 below "Winds are expected to ease", holds no word of
        # "how strong were the winds", and put first made the weak answer a decline; the supermarket's "profits
        # fell 18% to £212m" of tests/data/second_week, 3.7 below its chief executive's words, made "how much did
        # greenbasket pay its chief executive" a confident answer, which the story does not give.
        if first.score - candidate.score > kind.weaker:
            return bool(found_by) and held == found_by
        return bool(held) or not kind.found_by_too

    for kind in kinds:
        if writes(kind, first):
            continue
        behind = (
            [c for c in ranked[1:LEAD_CANDIDATES] if first.score - c.score <= kind.reach]
            if any_story
            else close_behind(ranked, kind.reach)
        )
        for candidate in behind:
            if holds(kind, candidate) and writes(kind, candidate):
                return put_first(ranked, candidate)
    return ranked


def close_behind(ranked: Sequence[Candidate], weaker: float) -> list[Candidate]:
    """The passages of the first candidate's story ranked after it, no more than `weaker` below it, in order: those a
    rule of what is asked may put first (`kind_first`, `met_first`, `named_first`)."""
    first = ranked[0]
    return [c for c in ranked[1:] if c.hit.article_id == first.hit.article_id and first.score - c.score <= weaker]


def counted_first(
    question: str,
    count: CountAsked | None,
    ranked: list[Candidate],
    articles: Mapping[str, StoredArticle],
    texts: Mapping[tuple[str, int], str],
) -> list[Candidate]:
    """The ranked candidates of a "how many ...?" question led by the first of its next passages up to LEAD_CANDIDATES,
    of any story, that counts what it counts (`count`, `tells_of_asked`), when the first does not and no more than
    KIND_WEAKER below it (or above: a later stage put the first there), holding every word the first was found by (its
    own, its headline's) (`asked_first`). Two stories of one subject each write its words, one beside a count of another
    thing: "how many homeowners have tracker mortgages" of tests/data/business_desk led with the rate cut's "Homeowners
    on a typical tracker mortgage will pay about £29 a month less", and its story counting no homeowners declined the
    answer (`writes_counted`), the rate hold's "the roughly 600,000 homeowners on tracker mortgages" second, 1.1
    below."""
    counts = count is not None and bool(count.counted)
    kinds = [Asked(partial(tells_of_asked, question, count=count), True, KIND_WEAKER, KIND_WEAKER)] if counts else []
    return asked_first(question, ranked, articles, texts, kinds, any_story=True)


def put_first(ranked: Sequence[Candidate], candidate: Candidate) -> list[Candidate]:
    """`ranked` with `candidate` moved to the front."""
    return [candidate, *(c for c in ranked if c is not candidate)]


def met_first(
    question: str,
    ranked: list[Candidate],
    headlines: Mapping[str, str],
    texts: Mapping[tuple[str, int], str],
    semantic: Semantic,
) -> list[Candidate]:
    """The ranked candidates of a question asked of a small library, led by the first passage of the first's story, no
    more than KIND_WEAKER below it, that meets every word of the question beyond its frame, as written or by meaning (a
    soft word match of SOFT_MET, under its headline), and writes what is asked (`writes_what_is_asked`), when the first
    does not meet them all, and holds as written every word the first does. Of the shipped story "Which countries
    threaten NATO?" led with "... to counter threats coming from Afghanistan" and showed "... emerging threat nations
    like North Korea and Iran" fourth (on "More"): "countries" met there at 0.75, in the others at 0.57. A word met by
    meaning is weaker evidence than one written, and is no reason to give one up: of SQuAD's 2,067 paragraphs (a
    small library by paragraphs) "How many people died in the outbreak of 1471?" led with a passage meeting "people"
    above the one writing "1471", and 5 of the 7 first places the rule lost there were so."""
    if not ranked or semantic.pieces is None:
        return ranked
    frames = frame_terms(question)
    asked = {term: question[start:end] for start, end, term in words(question) if term not in frames}
    first = ranked[0]
    near = [first, *close_behind(ranked, KIND_WEAKER)]
    if not asked or len(near) < 2:
        return ranked
    shown = [f"{headlines[c.hit.article_id]}. {texts[c.hit.article_id, c.hit.position]}" for c in near]
    written = [_term_set(text) & asked.keys() for text in shown]
    met = list(written)
    for term, word in asked.items():
        for i, m in enumerate(semantic.pieces.soft_match(word, shown)):
            if m >= SOFT_MET:
                met[i] = met[i] | {term}
    if met[0] >= asked.keys():
        return ranked
    for candidate, held, own in zip(near[1:], met[1:], written[1:], strict=True):
        key = (candidate.hit.article_id, candidate.hit.position)
        if held >= asked.keys() and own >= written[0] and writes_what_is_asked(question, texts[key], headlines[key[0]]):
            return put_first(ranked, candidate)
    return ranked


def own_words_first(
    question: str, ranked: list[Candidate], articles: Mapping[str, StoredArticle], texts: Mapping[tuple[str, int], str]
) -> list[Candidate]:
    """The ranked candidates of a question asked of a small library, led by the first passage of the first's story, no
    more than KIND_WEAKER below it, that writes in its own words every word of the question beyond its frame, and what
    is asked (`writes_what_is_asked`), when the first writes none of them itself: it holds those its story's headline
    writes only through it, and leads by meaning alone. "who did kelby rovers sign"
    led with the manager's words on the striker's goals last season (its cosine 0.62, a person named for "who"),
    above "Kelby Rovers have signed Polish striker Tomasz Wielgosz ..." (0.55), every paragraph holding the whole
    question through the headline "Kelby Rovers sign striker Tomasz Wielgosz". Not one writing only the words the
    headline writes: "what is the cost of the dock strike" of tests/data/business_desk was led by the strike's lede, a
    confident answer of a story whose "£800m a week" it does not give. Nor of a question asking for a kind of thing
    (`asked_kinds`: a count, a sum), whose rules order its story's passages (`kind_first`, `counted_first`): "how many
    heatwaves were there this summer" of tests/data/science_desk was led by the study's lede, writing every word
    asked, above "There were three heatwaves". Not of a follow-up, whose order `reader_first` gave."""
    if not ranked or asked_kinds(question) or split_follow_up(question, articles)[1]:
        return ranked
    frames = frame_terms(question)
    asked = {term for _, _, term in words(question)} - frames
    first = ranked[0]
    story = first.hit.article_id
    headline = articles[story].title
    told = asked & _term_set(headline)
    if not told or asked & _term_set(texts[story, first.hit.position]):
        return ranked
    for candidate in close_behind(ranked, KIND_WEAKER):
        text = texts[story, candidate.hit.position]
        if asked <= _term_set(text) and writes_what_is_asked(question, text, headline):
            return put_first(ranked, candidate)
    return ranked


def doer_apart_first(
    question: str, ranked: list[Candidate], articles: Mapping[str, StoredArticle], texts: Mapping[tuple[str, int], str]
) -> list[Candidate]:
    """The ranked candidates of a question asking who did something (`_WHO_DID`), led by the first passage of the
    first's story, no more than KIND_WEAKER below it, that tells the deed (`writes_deed`) and writes a word of the
    question no other paragraph of the story writes, and as many of its words as the first, when the first tells the
    deed too and writes no such word. A story tells of several who did one deed (a race's winners, a match's scorers),
    and the word telling which the question asks after is one that only a passage on that one writes: "who won the
    women's race" of tests/data/wexcombe led with "The men's race was won by ...", whose "race" the story writes
    twice, above the lede's "Priya Sandhu won the town's marathon ..., beating the women's course record". Only of a
    deed: put first for any question, a word written once moved SQuAD's first passages both ways (held-out R@1 0.871
    to 0.868). Not of a follow-up, whose order `reader_first` gave."""
    if not ranked or _WHO_DID.match(question) is None or split_follow_up(question, articles)[1]:
        return ranked
    frames = frame_terms(question)
    asked = {term for _, _, term in words(question) if term not in frames}
    first = ranked[0]
    story = first.hit.article_id
    headline = articles[story].title
    written = {key: _term_set(text) & asked for key, text in texts.items() if key[0] == story}
    by = Counter(term for terms in written.values() for term in terms)
    # A word its headline writes is what the whole story tells of, whichever paragraph names it again.
    alone = {term for term, count in by.items() if count == 1} - _term_set(headline)
    own = written.get((story, first.hit.position), frozenset())
    if own & alone or not writes_deed(question, texts[story, first.hit.position], headline):
        return ranked
    for candidate in close_behind(ranked, KIND_WEAKER):
        key = (story, candidate.hit.position)
        held = written.get(key, frozenset())
        if held & alone and len(held) >= len(own) and writes_what_is_asked(question, texts[key], headline):
            return put_first(ranked, candidate)
    return ranked


def named_first(
    question: str, ranked: list[Candidate], names: frozenset[str], texts: Mapping[tuple[str, int], str]
) -> list[Candidate]:
    """The ranked candidates of a question asking for a sum of money (`_ASKS_MONEY`), led by the first passage of the
    first's story, no more than KIND_WEAKER below it, that names in its own words every one of the question's `names`
    (its words the stories write as names, `search`) the first does and one the first holds only through its
    headline, and writes what is asked (`writes_what_is_asked`). A story gives sums paid by or for several ("a club
    record fee of £14m", "the previous club record"), and a paragraph under a headline naming one may tell of
    another's: "how much did rovers pay for mendes" led with "The previous club record was the £9.5m Rovers paid for
    striker Owen Bale", above the lede's "signed Brazilian winger Tiago Mendes ... for a club record fee of £14m".
    Not of other questions, whose answer may name no one again: "where did margaret ellery train?" is answered by
    "she trained at St Thomas' Hospital", and "how high will the river severn rise" by "River levels at Shrewsbury
    are forecast to peak at about 4.9 metres", not by the lede's "80mm of rain" on the River Severn."""
    if not ranked or not names or not _ASKS_MONEY.search(question):
        return ranked
    first = ranked[0]

    def named(candidate: Candidate) -> frozenset[str]:
        return names & _term_set(texts[candidate.hit.article_id, candidate.hit.position])

    held = named(first)
    for candidate in close_behind(ranked, KIND_WEAKER):
        if named(candidate) & first.matched > held and writes_what_is_asked(
            question, texts[candidate.hit.article_id, candidate.hit.position]
        ):
            return put_first(ranked, candidate)
    return ranked


# A follow-up story updates what an earlier one told ("will now cut 95 jobs" after "to cut 60 jobs", "are third in
# the table" after "moved up to seventh", a closure "put back to 1 June" after "will close on 1 April"), and a reader
# asking for it ("how many jobs are going", "where are they in the league now", "latest on ...") wants the later
# value first. A later story of the same subject that tells no other value of the thing asked is no update (a
# budget's vote after its plan, a manager's words after a match): later59's rule, which put first a near passage of
# any later story of the subject, put the blind set's budget vote above the plan's libraries (bench/quality_notes.md).
# Two stories are of one subject when their ledes' vectors are this near (of tests/data/tarrow a football club's two
# table reports 0.78; a cricket club's "third in the county indoor league table" beside them 0.64).
SAME_SUBJECT = 0.7
# The words right after a figure or a place that tell what of ("60 jobs at its mill", "seventh in the Northern
# Premier table": "jobs", "northern premier").
UNIT_TERMS = 2
# Words asking of the earlier time: "how many jobs did they first say", "when was it originally due".
_ASKS_EARLIER = re.compile(
    r"\b(?:first|originally|initially|original|initial|previously|earlier|to\s+begin\s+with)\b", re.IGNORECASE
)
# A day and month, or a month after "in" or "on" ("on 4 february", "in february"; not "may" the verb).
_ASKED_DATE = re.compile(
    rf"\b(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{'|'.join(MONTH_NAMES)})"
    rf"|(?:in|on|of|during)\s+(?P<alone>{'|'.join(MONTH_NAMES)}))\b",
    re.IGNORECASE,
)


def asks_of_before(question: str, when: datetime) -> bool:
    """Whether a question asks of a time before `when`: its words ("first", "originally") or a day or month it names
    that ended before it, in its year."""
    if _ASKS_EARLIER.search(question):
        return True
    for found in _ASKED_DATE.finditer(question):
        month = month_number(found["month"] or found["alone"])
        days = monthrange(when.year, month)[1]
        day = int(found["day"]) if found["day"] else days
        if day <= days and date(when.year, month, day) < when.date():
            return True
    return False


# A question asking for a place in a table or a ranking: "what position are rovers in", "how high are they",
# "where are they in the league now".
_ASKS_POSITION = re.compile(
    r"\b(?:position|how\s+(?:high|low))\b|\bwhere\b[^?]*\b(?:league|table|standings|rankings?)\b", re.IGNORECASE
)
# "What date ...?", "which day ...?" ask for a date as "when ...?" does.
_ASKS_DATE = re.compile(r"\b(?:what|which)\s+(?:date|day)\b", re.IGNORECASE)
# A question asking for the news of something, of no one kind: "latest on the flooding", "what is happening with jobs
# at the mill", "is the council still cutting library hours".
_ASKS_NEWS = re.compile(r"\b(?:latest|happening|happened|news|update|still)\b", re.IGNORECASE)
_ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
)
# A place in a table: "seventh", "3rd", "top", "bottom" (not a day of a month, "1st April").
_POSITION = re.compile(
    rf"\b(?:{'|'.join(_ORDINALS)}|top|bottom|\d{{1,2}}(?:st|nd|rd|th))\b(?!\s+(?:of\s+)?{MONTH_WORD})", re.IGNORECASE
)
# A date: a day and its month either way round, or a month's name alone (not "may" the verb).
_TOLD_DATE = re.compile(
    rf"\b(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{MONTH_WORD})"
    rf"|(?P<month_first>{MONTH_WORD})\s+(?P<day_after>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|(?P<alone>(?!may\b)(?:{'|'.join(MONTH_NAMES)})\b|(?<=\bin )may\b))",
    re.IGNORECASE,
)
# A figure as a count or an amount writes it: in figures with its marks ("£2.4m", "4.99%", "1,800") or in words
# ("six"; not "one" alone, as often "one of the ..." as a count).
_FIGURE = re.compile(
    rf"[£$€]?\b\d[\d,]*(?:\.\d+)?(?:\s*(?:%|per\s*cent\b|bn\b|m\b|k\b|million\b|billion\b))?|(?!one\b){_IN_WORDS}",
    re.IGNORECASE,
)


class Told(NamedTuple):
    """A value of one kind a sentence tells (a figure, a place, a date) and the words saying what of, as written: for
    a figure or a place the UNIT_TERMS words right after it, for a date its sentence."""

    value: str
    of: str


def _blanked(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with what `pattern` finds blanked out, every other character where it was."""
    return pattern.sub(lambda found: " " * len(found.group()), text)


def _position(found: str) -> str:
    """A place in a table as a number: "3" of "third" and "3rd"."""
    word = found.casefold()
    return str(_ORDINALS.index(word) + 1) if word in _ORDINALS else word.rstrip("stndrh") or word


# Kept: `later_first` reads the first passage's values again beside each later candidate it weighs.
@cached_per_language(maxsize=4096)
def told_values(kind: str, text: str) -> tuple[Told, ...]:
    """The values of one `kind` ("figure", "position", "date") that a paragraph tells, each with what it is of. A
    figure is no year, time of day, date nor place ("in 2009", "at 6pm", "on 4 December", "third")."""
    told: list[Told] = []
    for sentence in sentences(text):
        if kind == "date":
            for found in _TOLD_DATE.finditer(sentence):
                month = (found["month"] or found["month_first"] or found["alone"]).casefold()[:3]
                told.append(Told(f"{found['day'] or found['day_after'] or ''} {month}", sentence))
            continue
        if kind == "position":
            pattern, plain = _POSITION, sentence
        else:
            pattern, plain = _FIGURE, _blanked(_blanked(_blanked(sentence, _TOLD_DATE), _NOT_AMOUNT), _POSITION)
        spans = words(sentence)
        for found in pattern.finditer(plain):
            after = [(start, end) for start, end, _ in spans if start >= found.end()][:UNIT_TERMS]
            if after:
                value = _position(found.group()) if kind == "position" else re.sub(r"[\s,]", "", found.group())
                told.append(Told(value.casefold(), sentence[after[0][0] : after[-1][1]]))
    return tuple(told)


def asked_for_values(question: str) -> tuple[str, ...]:
    """The kinds of value a question asks for that a follow-up may update: a figure ("how many jobs ...", "how much
    ..."), a place in a table, a date ("when ...", "what date ..."); all three of a question asking for the news of
    something ("latest on ..."); none of any other (who, why, which, what was said)."""
    kinds = []
    if any(asks_for.search(question) for asks_for in _ASKS_NUMBER):
        kinds.append("figure")
    if _ASKS_POSITION.search(question):
        kinds.append("position")
    when = _ASKS_WHEN.match(question)
    if (when is not None and when.group("asked").casefold() == "when") or _ASKS_DATE.search(question):
        kinds.append("date")
    if not kinds and _ASKS_NEWS.search(question):
        kinds = ["figure", "position", "date"]
    return tuple(kinds)


# Two terms are of one word when the shorter, of this many letters or more, is the longer's start but for its last
# letter: "close" and "closure" ("clos", "closur"), which the word pieces find only 0.42 near.
SAME_STEM_AT = 5


def _same_stem(term: str, other: str) -> bool:
    shorter, longer = sorted((term, other), key=len)
    return len(shorter) >= SAME_STEM_AT and longer.startswith(shorter[:-1])


def _met(wanted: Mapping[str, str], text: str, semantic: Semantic) -> list[bool]:
    """For each word of `wanted` (its term: the word as written), whether `text` writes it, another form of it
    (`_same_stem`) or meets it by meaning (a soft word match of SOFT_MET)."""
    held = _term_set(text)
    return [
        term in held or any(_same_stem(term, other) for other in held) or _near((word,), [text], semantic.pieces)
        for term, word in wanted.items()
    ]


def updates(question: str, first: str, later: str, semantic: Semantic) -> bool:
    """Whether paragraph `later` tells a value of a kind the question asks for (`asked_for_values`) of a thing
    paragraph `first` tells one of, other than any `first` tells of it: "95 jobs" after "60 jobs", "third in the
    Northern Premier table" after "seventh in the Northern Premier table", not "300 people" after "40 jobs". A figure
    or a place is of the same thing when a word right after it is, as written, in another form or by meaning
    (`_met`); a date when its sentence so meets every word of the question beyond its frame that the first's date
    sentence writes ("The closure of the swimming pool ... has been put back to 1 June" of "will close on 1 April";
    not "Swimming lessons booked for April and May", which meets no "close")."""
    frames = frame_terms(question)
    asked = {term: question[start:end] for start, end, term in words(question) if term not in frames}
    for kind in asked_for_values(question):
        before = told_values(kind, first)
        for told in told_values(kind, later):
            if kind == "date":
                wanted = [{t: w for t, w in asked.items() if t in _term_set(b.of)} for b in before]
                same = [b for b, w in zip(before, wanted, strict=True) if w and all(_met(w, told.of, semantic))]
            else:
                same = [b for b in before if any(_met({t: b.of[s:e] for s, e, t in words(b.of)}, told.of, semantic))]
            if same and all(b.value != told.value for b in same):
                return True
    return False


def later_first(
    question: str,
    ranked: list[Candidate],
    articles: Mapping[str, StoredArticle],
    texts: Mapping[tuple[str, int], str],
    semantic: Semantic,
) -> list[Candidate]:
    """The ranked candidates led by a later story's passage that updates what the first tells (`updates`): of
    another story of the same subject (ledes SAME_SUBJECT near), dated after the first's, not FAR_WEAKER below it,
    the newest story's first such passage; the first passage comes after it. Not of a question asking of a time
    before that story (`asks_of_before`: "how many jobs did they first say"), nor of a follow-up, whose order
    `reader_first` gave. Undated stories (an archive's) tell no order, and stay."""

    def published(candidate: Candidate) -> datetime | None:
        article = articles.get(candidate.hit.article_id)
        return None if article is None else article.published

    if not ranked or not asked_for_values(question) or split_follow_up(question, articles)[1]:
        return ranked
    first = ranked[0]
    lead = published(first)
    if lead is None:
        return ranked
    first_text = texts[first.hit.article_id, first.hit.position]
    found = [
        (when, c)
        for c in ranked[1:]
        if c.hit.article_id != first.hit.article_id
        and first.score - c.score <= FAR_WEAKER
        and (when := published(c)) is not None
        and when > lead
        and not asks_of_before(question, when)
        and updates(question, first_text, texts[c.hit.article_id, c.hit.position], semantic)
    ]
    if not found:
        return ranked
    ledes = semantic.vectors.vectors({(c.hit.article_id, 0) for c in [first, *(c for _, c in found)]})
    subject = ledes.get((first.hit.article_id, 0))
    alike = [
        (when, c)
        for when, c in found
        if subject is not None
        and (lede := ledes.get((c.hit.article_id, 0))) is not None
        and float(subject @ lede) >= SAME_SUBJECT
    ]
    if not alike:
        return ranked
    newest = max(when for when, _ in alike)
    return put_first(ranked, next(c for when, c in alike if when == newest))


def typed_word_first(candidates: list[Candidate], idf: Mapping[str, float], asked: bool) -> list[Candidate]:
    """The ranked candidates, those holding the one word a reader typed ("iraq") in their paragraph or headline
    first, and of those the stories whose headline holds it, in the ranker's order. Fitted on questions of several
    words, the ranker put first a paragraph of a Baghdad film's story that never names Iraq (its cosine, its
    article's other paragraphs), which made the answer a weak one ("These passages may help"); whoever types one
    word wants to see it, and the story about it: "what about the council?" of a town's stories led with a
    paragraph on bins that names the council, above the council budget story's."""
    if asked or len(idf) != 1:
        return candidates
    return sorted(candidates, key=lambda c: (not c.matched, c.headline < COMPLETE))


def told_from_the_start(question: str, ranked: list[Candidate], typed: bool = False) -> list[Candidate]:
    """The ranked candidates of a question asking for the story on something (`asks_for_a_story`), or of keywords
    `typed` rather than asked, each place the ranker gave a story's passage taken by the earliest of the story's
    passages left that holds every word of the question that one holds: "what is going on at the hospital" led with
    the cancer unit story's second paragraph, on the patients' journey, above its lede saying the unit opened. Not of
    one asking what happened, which asks for an event that need not open its story: of SQuAD's 52 such questions
    ("What happened in 1901?" of a long article on Tesla) the first passage answered 42 so, 48 in the ranker's order.
    Keywords name a story as the frame does, and a news story tells itself in its lede, its later paragraphs adding
    to it: "brightwater fine" of tests/data/national_desk led with "The fine will be paid by the company's
    shareholders" and showed the campaigners' words second, the lede ("Brightwater Water has been fined £28m ... for
    failing to stop sewage spills") not at all; "house prices" and "skyline air strike" led with a later paragraph
    holding no more of their words. One holding a word the earlier do not keeps its place: "jabs for kids measles"
    leads with "Parents can book a catch-up MMR jab", not the lede's count of cases among children."""
    if not (typed or asks_for_a_story(question)) or frame_terms(question) & set(analyze("happened")):
        return ranked
    left: dict[str, list[Candidate]] = {}
    for candidate in ranked:
        left.setdefault(candidate.hit.article_id, []).append(candidate)
    told = []
    for candidate in ranked:
        story = left[candidate.hit.article_id]
        placed = min((c for c in story if c.matched >= story[0].matched), key=lambda c: c.hit.position)
        story.remove(placed)
        told.append(placed)
    return told


# A question asking what came of something ("did the ferry strike go ahead?", "what did the committee decide?", "has
# the museum opened yet?", "who won the 2005 election?") asks of what is done. A story written before it was tells it
# only as ahead ("will strike for four days over Easter", "A decision is due at the council's transport committee on
# 15 December", "hopes to buy it"): of tests/data/portmere and kelby such questions were answered confidently by the
# stories that announced them, though none tells how they went.
# Not one asking what the reader can be given ("what do you have on the bridge?", "what have you got on the festival?"),
# nor what must be done ("how quickly do ai firms have to report an incident" of a bill's "would have to report ...
# within 72 hours", declined as told only ahead).
_ASKS_DONE = re.compile(
    r"\s*(?:and\s+)?(?:(?:how|what|who|whom|which|where|when|why)\b[^?]*?\s)?(?<!\byou\s)(?<!\bwe\s)(?<!\bi\s)"
    r"(?:did|has|have|had)\s(?!(?:you|we|i|to)\b)",
    re.IGNORECASE,
)
_LOOKS_AHEAD = re.compile(_AHEAD.pattern + r"|\b(?:hopes?|hoping|aims?|intends?|wants?)\s+to\b", re.IGNORECASE)
_WHAT_DID = re.compile(rf"\s*what\s+(?!{_AUXILIARY})([\w'\u2019]+)", re.IGNORECASE)


def asks_done(question: str) -> bool:
    """Whether a question asks of something done: "did ...?", "has ... yet?", "how did ... go?", or who or what did
    a deed written in the past ("who won ...?", "what happened ...?"). Not one asking for a kind of thing
    (`ASKED_KINDS`): "how long has the bakery been open" asks for a span, which "will shut ..., ending 58 years of
    trading" gives."""
    # A count is such a kind too, though `asked_kinds` reads it apart (`_ASKS_COUNT`, with the word counted).
    if _ASKS_COUNT.search(question) or any(asks_for.search(question) for asks_for, _, _ in ASKED_KINDS):
        return False
    if _ASKS_DONE.match(question):
        return True
    deed = _WHO_DID.match(question) or _WHAT_DID.match(question)
    return deed is not None and _written_done(deed.group(1))


# Clauses of a sentence: "Volunteers will staff the shop in the afternoons, and a paid manager, Keira Lusk, has been
# hired to run the post office counter" tells of the counter as done, whatever the volunteers will do.
_CLAUSE_BREAK = re.compile(r"[,;:]|\s(?:and|but|while|whereas)\s", re.IGNORECASE)
# What will not be is told as done: "Ms Rusk said she would not challenge the result" answers "did rusk challenge the
# result?".
_NOT_AHEAD = re.compile(r"\b(?:will|would|shall)\s+not\b|\b(?:won|wouldn|shan)['\u2019]t\b", re.IGNORECASE)
# "going to" a place is no going to do something: "be brave when going to Paris" tells advice given.
_GOING_SOMEWHERE = re.compile(r"\bgoing\s+to\s+(?=[A-Z]|(?:the|a|an)\b)")
_NEXT_TO = re.compile(r"\bnext\s+(?:door\s+)?to\b", re.IGNORECASE)


def told_only_ahead(question: str, text: str) -> bool:
    """Whether a paragraph tells of what a question asking of something done (`asks_done`) asks only as still ahead:
    every clause of it holding a word of the question (not one that only frames it) looks forward (`_AHEAD`, "hopes
    to"), not to what will not be, and writes none of the question's words as done ("approved", "won"). "did the
    council approve the budget?" is answered by "The council approved the budget, which will mean ...", its approval
    written done."""
    if not asks_done(question):
        return False
    return _only_ahead([text], _term_set(question) - frame_terms(question), _term_set(question))


# "Did ...?", "has ... been built?": whether a deed was done, of which a story telling it only as planned tells nothing.
# Not "what (when, how late) did ...?", which asks for a thing of the deed that a story often tells ahead of it ("Staff
# will get a rise of 6.5%" answers "what pay rise did the dockers get", of tests/data/business_desk).
_ASKS_WHETHER_DONE = re.compile(r"\s*(?:and\s+)?(?P<auxiliary>did|has|have|had)\s(?!(?:you|we|i)\b)", re.IGNORECASE)


def deed_told_only_ahead(question: str, story: Sequence[Passage]) -> bool:
    """Whether the passages an answer shows of the story it leads with (`story`) tell the deed a question asking of
    something done (`asks_done`) asks of only as still ahead, read in the clauses writing a word of the question its
    story's headline does not (nor its names or frame): the headline names what the story is of ("Environment Agency
    plans £14m flood wall for Oxley Cross"), the question's other words what it asks was done ("has the oxley cross
    flood wall been built"), and "building could start in 2028" tells that only as planned, whatever its other passages
    tell of the wall as done ("has put forward a £14m scheme of walls"). `told_only_ahead` reads each passage by all
    the question's words, so one telling the topic as done kept the answer (tests/data/health_desk, confident). Not
    read of a follow-up (`compose`), which asks of the story the reader has read: "has it been delayed?" in reply to a
    bin collections story was declined, its next story's "has been put back" led by "the delay will cost"."""
    whether = _ASKS_WHETHER_DONE.match(question)
    if not story or whether is None or not asks_done(question):
        return False
    texts = [p.text for p in story]
    deed = _term_set(question) - frame_terms(question) - name_terms(question) - _term_set(story[0].article.title)
    # Nor a name typed in lower case (the story writes it capitalised: "did town beat dunstall" of a story where Town
    # "will play away at Dunstall Athletic"), nor a light verb, whose deed is its object's or its particle's ("has the
    # waiting list gone down" of the weekend lists kept "going").
    deed -= written_as_names(deed, texts) | LIGHT_VERBS
    # "Has ... been built?" asks of the deed its participle writes; its other words may tell of the state the deed
    # made, which a plan names too: "Has Vesnia got a new government?" (tests/data/world_desk) is answered by parties
    # that "have agreed to form a coalition government", though parliament "is expected to vote on the new government".
    if whether.group("auxiliary").casefold() != "did":
        deed &= frozenset(term for start, end, term in words(question) if _written_done(question[start:end]))
    return bool(deed) and _only_ahead(texts, deed, _term_set(question))


def _only_ahead(texts: Sequence[str], telling: frozenset[str], asked: frozenset[str]) -> bool:
    # Whether some clause of `texts` holds a word of `telling`, and every such clause looks forward (`_LOOKS_AHEAD`),
    # not to what will not be, and writes none of the `asked` words as done (`told_only_ahead`). What is "next to"
    # something is a place, not a time ahead: "the opening of an urgent treatment centre next to the emergency
    # department on 1 July" tells it opened.
    told = [
        part
        for text in texts
        for sentence in sentences(text)
        for part in _CLAUSE_BREAK.split(sentence)
        if _term_set(part) & telling
    ]
    return bool(told) and all(
        _LOOKS_AHEAD.search(_NEXT_TO.sub(" ", _GOING_SOMEWHERE.sub(" ", part))) is not None
        and _NOT_AHEAD.search(part) is None
        and not any(term in asked and _written_done(part[start:end]) for start, end, term in words(part))
        for part in told
    )


def _written_done(word: str) -> bool:
    folded = fold(word)
    return folded in IRREGULAR_VERBS or folded.endswith("ed")


def compose(request: Request, ranking: Ranking, min_answerability: float, lead: Sequence[Passage] = ()) -> Answer:
    """The answer a ranking gives: its passages, or "nothing answers that" with the closest headlines.

    One calibrated answerability score decides: an answer whose best passage scores below `min_answerability`
    says that nothing in the articles answers the question; other passages are shown when they score at least
    TAIL_SHARE of that on their own evidence (`Ranking.alone`), so a tail with nothing to say does not pad a
    good answer, while one that answers in other words than the question's is not hidden, and, from another story,
    when the ranker scores them less than FAR_WEAKER below the first. Below
    CONFIDENT_ANSWERABILITY the passages are shown as weaker evidence, with the closest headlines of other
    stories than theirs. Every page of one question ranks the same way, so "More" continues the same list.
    """
    asked, seen = split_seen(request.question)
    own, followed = split_follow_up(asked, ranking.articles)
    reader_terms = own_terms(own)
    ranking = fresh(ranking, reader_terms, seen, min_answerability)
    # Of a question in another language only some names were searched for: passages only a little like them would
    # be a guess at what was asked.
    bar = CONFIDENT_ANSWERABILITY if ranking.foreign else min_answerability
    ranking = kept_to_followed(ranking, own, followed, bar)
    ranking = answerable_first(ranking, bar, own)
    # A follow-up's passages mark the reader's own words, not those of the headlines it was searched with: "how
    # many homes lost power?" of a storm marked "west", "coast" and "gusts" too.
    marked = _term_set(own) if followed else None
    # A follow-up none of whose own words any article uses ("who was the referee?" of a match report that names
    # none) is answered by the headlines it was searched with alone: the story's passages, shown as what may help.
    unanswered = bool(followed) and bool(reader_terms) and reader_terms <= ranking.unseen_terms
    wanted = request.offset + request.k
    # Stories found by meaning alone are no closer than any others: listing them would pretend they were. Beside a
    # decline, "Who won the election?" listed a ferry line's and an apple harvest's headlines after the one story
    # that holds a word of it (a chess prodigy's win); beside a weak answer, "who won the chess title?" listed a
    # glacier museum's, a ferry line's and a rail strike's under the chess story's passages. Nor are those holding only
    # words that frame it: "where was the research done" listed the shipped story, which writes "should be done".
    framing = frame_terms(own)
    titled = _by_title([c for c in ranking.candidates if c.matched - framing], ranking.articles)
    closest = tuple(titled.values())[:CLOSEST_HEADLINES]
    best = ranking.best
    by_meaning = best < bar and ranking.by_meaning is not None and not ranking.answered_outside
    if by_meaning:
        ranking = replace(ranking, candidates=[c for c in ranking.candidates if c.hit.article_id == ranking.by_meaning])
    elif not ranking.candidates or best < bar or ranking.answered_outside:
        return declined(request, ranking, asked, closest)
    thing_of = split_follow_up(ranking.searched, ranking.articles)[0] if ranking.searched else own
    # The reader's words that news writes otherwise, read once for the count and the deed asked: those of the question
    # as searched are news's already ("who owns isla pequena" is searched as "owner", and its story writes that the
    # island "belongs to" a state, news's phrasing of "owns").
    phrased = phrasings(own)
    count = count_asked(own, thing_of, phrased)
    ranking = time_or_sum_shown(ranking, own, request.per_article, count)
    chosen = list(lead)
    # The limit a story is of its headline: a story filed again under it (a paragraph added, another id) is the same
    # story, and its copy's lede took the third place after two of the first copy's paragraphs.
    per_story: dict[str, int] = {}
    for passage in lead:
        per_story[_title_key(passage.article)] = per_story.get(_title_key(passage.article), 0) + 1
    shown = [frozenset(p.text.casefold().split()) for p in lead]

    def take(candidate: Candidate) -> None:
        hit = candidate.hit
        if chosen and (
            ranking.alone(candidate) < TAIL_SHARE * min_answerability
            or (
                chosen[0].score - candidate.score > FAR_WEAKER
                and candidate.coverage < COMPLETE
                and hit.article_id != chosen[0].article.id
            )
            or by_meaning_beside_words(candidate, chosen[0], ranking)
        ):
            return
        text = ranking.texts[(hit.article_id, hit.position)]
        passage_words = frozenset(text.casefold().split())
        if any(len(passage_words & other) >= SAME_PASSAGE * len(passage_words) for other in shown):
            return
        shown.append(passage_words)
        article = ranking.articles[hit.article_id]
        per_story[_title_key(article)] = per_story.get(_title_key(article), 0) + 1
        matched = candidate.matched if marked is None else candidate.matched & marked
        chosen.append(Passage(article, hit.position, text, candidate.score, matched, analysis_language()))

    beyond = []
    for candidate in ranking.candidates:
        story_key = _title_key(ranking.articles[candidate.hit.article_id])
        if request.per_article is not None and per_story.get(story_key, 0) >= request.per_article:
            beyond.append(candidate)
        else:
            take(candidate)
    # An answer is declined where its story shares the question's topic but not its answer: below the confident bar,
    # when none of the story's passages shown writes what is asked (`writes_asked_in_story`) of the thing asked
    # (`tells_of_asked`: a count of the nurses asked, not of patients), and whatever its score, when each tells what the
    # question asks of as done only as still ahead (`told_only_ahead`): "what did the transport committee decide about
    # the cycle lane" of tests/data/kelby was a weak answer with "A decision is due at the council's transport committee
    # on 15 December", its story written before the day. Not a question asking why: a reason is told before the deed as
    # often as after ("Why did Martin Dempsey go to Moscow?" of the shipped story, which tells he is invited "for talks
    # which will include the missile defense issue"). A time or a sum of money asked for that none of the story's
    # passages gives declines it whatever its score (`writes_time_or_sum_in_story`), as does a place in a contest asked
    # for ("who came second?") that none writes (`writes_place_in_story`), a sum named by what it is ("how much
    # profit?") that no passage shown writes (`writes_sum_named`), a measure named ("what is its top speed?") that none
    # of the story's writes in its unit (`writes_measure_named`), or a deed asked who did that no story shown writes
    # (`writes_deed_in_story`); not a follow-up, which asks of the story the reader has read: "how much will it cost?"
    # of the missile defence talks shows them, weakly. None of it where nothing is to be declined (a bar of 0:
    # `NEWSBOT_MIN_ANSWERABILITY=0`, and bench/quality.py's first stages alone, which read the rules' declines as the
    # stages' own).
    first = ranking.candidates[0]
    story = [p for p in chosen if p.article.id == first.hit.article_id]
    # Read once a paragraph: the first passage is judged for its story and for a confident answer.
    ahead = cache(partial(told_only_ahead, own))
    tells = any(
        tells_of_asked(thing_of, p.text, p.article.title, ranking.pieces, ranking.unseen_terms, count) for p in story
    )
    if (
        bar > 0
        and not by_meaning
        and (
            (best < CONFIDENT_ANSWERABILITY and not (writes_asked_in_story(own, story) and tells))
            or (not followed and writes_counted(own, story, ranking.pieces, count))
            or (
                bool(story)
                and not followed
                and not counts_what_is_asked(own, chosen[: request.k], ranking.pieces, count)
            )
            or all_dated_before(chosen, ranking)
            or (
                bool(story)
                and not _ASKS_WHY.match(own)
                and (all(ahead(p.text) for p in story) or (not followed and deed_told_only_ahead(own, story)))
            )
            or (bool(story) and not followed and not writes_time_or_sum_in_story(own, story))
            or (not followed and not tells_of_time_asked(own, chosen[: request.k]))
            or (not followed and not counts_where_asked(own, chosen[: request.k], ranking.texts, count, ranking.pieces))
            or (bool(story) and not followed and not writes_place_in_story(own, story))
            or (bool(story) and not followed and not writes_most_in_story(own, story))
            or (bool(story) and not followed and not writes_sum_named(own, chosen))
            or (bool(story) and not followed and not writes_measure_named(own, story))
            or (bool(story) and not followed and not writes_deed_in_story(own, stories_shown(chosen, ranking), phrased))
        )
    ):
        return declined(request, ranking, asked, closest)
    # The limit per story makes room for other stories' passages; where none is worth showing, the first page's room
    # left is its stories' next passages: "Which minister was also hit when Robert Kilroy-Silk had slurry thrown over
    # him?" was answered by two paragraphs of his story, the third, which names the minister, kept out by the limit
    # with nothing in its place. After the declines above, which read the passages within the limit: a third passage
    # writing a count made "how many people were taken to hospital in the heat" of tests/data/bramholt, whose heat
    # alert counts no one taken there, a weak answer instead of a decline.
    for candidate in beyond:
        if len(chosen) >= request.k:
            break
        take(candidate)
    # A passage that does not write what the question asks for is no confident answer however much of the rest it
    # holds: "how many pupils does oakridge have" was answered confidently (0.98) by the head teacher thanking staff
    # and pupils, and "how much did greenbasket pay its chief executive" by the chief executive's words on prices; nor
    # one counting, pricing or telling the win of another thing than the one asked of (`tells_of_asked`).
    confident = (
        not by_meaning
        and best >= CONFIDENT_ANSWERABILITY
        and not unanswered
        and not first.unmet
        and not first.dated_before
        and writes_what_is_asked(
            own, ranking.texts[first.hit.article_id, first.hit.position], ranking.articles[first.hit.article_id].title
        )
        and not ahead(ranking.texts[first.hit.article_id, first.hit.position])
        and not met_only_in_names(
            own, [text for (a, _), text in ranking.texts.items() if a == first.hit.article_id], ranking.texts.values()
        )
        and not told_only_as_some(own, [p.text for p in story])
        and tells_of_asked(
            thing_of,
            ranking.texts[first.hit.article_id, first.hit.position],
            ranking.articles[first.hit.article_id].title,
            ranking.pieces,
            ranking.unseen_terms,
            count,
        )
    )
    # Beside weak passages, the headlines of other stories: those of the passages shown (on this page or before)
    # were listed again under them, most often all three.
    shown_titles = {_title_key(p.article) for p in chosen[:wanted]}
    others = tuple(a for key, a in titled.items() if key not in shown_titles)[:CLOSEST_HEADLINES]
    return Answer(
        request.question,
        tuple(chosen[request.offset : wanted]),
        closest=() if confident else others,
        # Weak evidence says why when a word of the question is in no article ("gerrard transfer to chelsae":
        # the passages are about Gerrard and Chelsea, but nothing told the reader "chelsae" was never matched).
        reason="" if confident else no_article_uses(asked, ranking, chosen).strip(),
        more=max(0, len(chosen) - wanted),
        offset=request.offset,
        confident=confident,
        foreign_to=ranking.language if ranking.foreign else "",
    )


def declined(request: Request, ranking: Ranking, asked: str, closest: tuple[StoredArticle, ...]) -> Answer:
    """ "Nothing in the articles answers that", with the closest headlines, for the question `asked` (the reader's, its
    seen passages cut off), saying which of its words no article uses (`no_article_uses`). Named even when no
    paragraph holds any word of the question: a lone misspelling ("arsenel") is the commonest such question, and with
    a category or dates the words may be in articles they kept out. Words of another language are no misspellings:
    naming them as words no article uses would say nothing."""
    unused = meant(ranking.respelt.values()) if ranking.foreign else no_article_uses(asked, ranking)
    reason = "Nothing in the articles answers that." + unused + dated_before_note(ranking)
    limited = bool(request.category or request.since or request.until)
    foreign_to = ranking.language if ranking.foreign else ""
    language_part = ask_in(ranking.language) if ranking.foreign else ""
    return Answer(
        request.question,
        (),
        closest,
        reason=reason,
        limited=limited,
        foreign_to=foreign_to,
        language_part=language_part,
    )


def writes_counted(
    question: str, story: Sequence[Passage], pieces: WordPieces | None = None, count: CountAsked | None = None
) -> bool:
    """Whether a passage an answer shows of the story it leads with (`story`) writes a word of what a "how many ...?"
    `question` counts (`CountAsked.own`, read of the question where `count` is not given) and none of them counts it
    (`counts_asked`, beside a number): the story counts another thing than the one it tells of, and the answer is
    declined whatever its score (`compose`). "How many teachers work at Hilltop Primary?" of tests/data/thornwick was
    answered confidently by "Head teacher Priya Nandra said the result belonged to the school's 410 pupils". Not where
    the story writes none of its words: it may count it in its own ("How many new posts had European leaders pledged
    to create ...?" of the BBC's "20 million new jobs", a passage not shown, was a weak answer with two of that story's
    others). The reader's words, not those it was searched by: those are the story's own ("kids" searched as
    "children", which a quote of the story writes beside its count of "312 pupils")."""
    count = count or count_asked(question)
    texts = [p.text for p in story]
    return (
        count is not None
        and any(count.own & _term_set(text) for text in texts)
        and not counts_asked(count, texts, Within.BESIDE, pieces)
    )


def counts_what_is_asked(
    question: str, shown: Sequence[Passage], pieces: WordPieces | None, count: CountAsked | None = None
) -> bool:
    """Whether a passage an answer's page shows (`shown`, of any story) writes, in a sentence giving a number, a word of
    what a "how many ...?" `question` asks beyond the names it asks of and its frame (`counts_asked` within a
    sentence: the thing counted or the deed, "caps", "watched", "employ", as written, as news writes it, as its doer,
    "players" of "play", or by meaning); true of a question asking no count, and of a page writing no number. A story
    naming the firm or the person asked of writes numbers of other things, and the names and the cosine made it near:
    of the BBC questions no story answers, "How many people watched Jerry Springer - The Opera on the BBC?" was
    answered confidently by "The BBC received 47,000 complaints", and "How many people does Yukos employ?" by its $27bn
    in taxes. Declined whatever the score (`compose`). Of the passages a page shows, not of the first story's alone:
    "How many new posts had European leaders pledged to create ...?" is answered by "20 million new jobs", another
    story's passage shown third; nor of every page's, whose later stories write numbers of anything."""
    count = count or count_asked(question)
    texts = [p.text for p in shown]
    # A page writing no number counts nothing else: whether it tells how many ("Visits to the library's web site
    # doubled") is for the other rules (`writes_asked_in_story`).
    return (
        count is None
        or not count.asked
        or not any(gives_number(sentence) for text in texts for sentence in sentences(text))
        or counts_asked(count, texts, Within.SENTENCE, pieces)
    )


def writes_asked_in_story(question: str, story: Sequence[Passage]) -> bool:
    """Whether a passage an answer shows of the story it leads with (`story`) writes what the `question` asks for
    (`writes_what_is_asked`: a sum, a count, a time, who did the deed asked of), or it asks for none. A weak answer
    (below CONFIDENT_ANSWERABILITY) whose story writes none is declined (`compose`). Of the BBC questions no article
    answers, "Who won the 2006 Italian general election?" was a weak answer (0.70) with a party's election platform,
    which names no winner, and "How much did the London 2012 Olympics cost in the end?" (0.75) with an athlete's long
    jump; each answerable one below the bar had a passage of its story writing it ("How many people say they stick
    with only one web finder?": its second). Above the bar the answerability weighs more than the kind, which these
    rules read from a few words: there 15 of the BBC questions' answerable ones would have been declined ("Who
    portrayed the Manchester music mogul on screen?") for 3 unanswerable ones ("When did the Nintendo Switch come
    out?"). A place or a doer need not be named here, as they must to lead (`writes_place`, `writes_deed`): 'Bramholt
    council is opening three "cool rooms" in its libraries' answers "where can people go to cool down", and "Around
    450 bus drivers ..." "who drives the buses", weakly."""
    where = _ASKS_WHEN.match(question)
    somewhere = where is not None and where.group("asked").casefold() == "where"
    who = _WHO_DID.match(question)
    doers = doer_terms(analyze(who.group(1))) if who is not None else frozenset()
    return any(
        writes_what_is_asked(question, p.text, p.article.title)
        or (somewhere and _PLACE.search(p.text) is not None)
        or bool(doers & _term_set(p.text))
        for p in story
    )


def time_or_sum_shown(ranking: Ranking, question: str, per_article: int | None, count: CountAsked | None) -> Ranking:
    """The ranking with the first passage of its first story that gives the time or sum the `question` asks for
    (`writes_time_or_sum_in_story`), and counts what it counts (`count`, beside a number: `counts_asked`), among the
    `per_article` of that story shown, when those before it give none.

    A story names whom it tells of once and then writes "he": "how much was mossop fined" of a speeding driver's
    story ranked the two paragraphs naming him above "He was fined £1,150 ...", and with two passages a story shown
    the answer was declined for giving no sum; and a story shown counting another thing than the one asked is
    declined (`writes_counted`). The passage moved holds a word of the question its headline does not."""
    if per_article is None or not ranking.candidates:
        return ranking
    article = ranking.articles[ranking.candidates[0].hit.article_id]
    story = [c for c in ranking.candidates if c.hit.article_id == article.id]

    def passages(candidates: Sequence[Candidate]) -> list[Passage]:
        return [
            Passage(article, c.hit.position, ranking.texts[article.id, c.hit.position], c.score, c.matched)
            for c in candidates
        ]

    def gives(candidates: Sequence[Candidate]) -> bool:
        shown = passages(candidates)
        return writes_time_or_sum_in_story(question, shown) and (
            count is None or counts_asked(count, [p.text for p in shown], Within.BESIDE, ranking.pieces)
        )

    if len(story) <= per_article or gives(story[:per_article]):
        return ranking
    # One holding a word of the question its headline does not: of the story's subject alone, a sum is of anything
    # ("how much did greenbasket pay its chief executive" of the chain's profits in pounds).
    headline = _term_set(article.title)
    giving = next(
        (c for c in story[per_article:] if gives([c]) and c.matched - headline - frame_terms(question)),
        None,
    )
    if giving is None:
        return ranking
    candidates = [c for c in ranking.candidates if c is not giving]
    candidates.insert(candidates.index(story[per_article - 1]), giving)
    return replace(ranking, candidates=candidates)


def writes_time_or_sum_in_story(question: str, story: Sequence[Passage]) -> bool:
    """Whether a passage an answer shows of the story it leads with (`story`) gives the time a question asking when
    asks for, in a sentence telling of it (`writes_when`), and the sum of money one asking how much something cost or
    paid asks for (`writes_money`); true of a question asking for neither. A story writes a day, a date or a sum in one
    way, whatever words a question asks in, so one writing none cannot answer it, however near its topic: an answer
    whose story gives none is declined at any score (`compose`), where what else is asked for (a count, someone, a
    cause) is told in too many ways to decline for (`writes_asked_in_story`, below the confident bar only). Of the
    BBC questions of the tuning half no article answers, "When did the Nintendo Switch come out?" was a weak answer
    (0.87) with a story on Nintendo's DS, and "How much did Microsoft pay for Skype?" (0.96) with Skype's hotspot
    calls; no answerable one was declined for it. Not a measure ("how far", "how old"): "How far did the web portal's
    stock market worth sink ...?" asks for no distance, and a person's age is as often in a paragraph not shown. A
    question asking what something costs asks for a price (`writes_price`), not any sum: "How much does it cost to
    enter the Thornwick Half Marathon?" of tests/data/thornwick was a weak answer with the £90,000 its runners
    raised. One asking what someone is paid asks for pay (`writes_pay`): "How much was Margaret Oyelaran paid as
    chairman?" was answered confidently with the £14m her trust's maternity unit cost. One asking when of what is
    ahead asks for a time looking forward (`gives_time`). One asking in what year (`_ASKS_YEAR`) asks when: "In what
    year did Nortel file for bankruptcy protection?" was answered confidently by the story of its revised profits.
    One asking what a deed cost ("to build") asks for a sum of that deed, not of another (`_sums_the_deed`)."""
    in_year = _ASKS_YEAR.match(question)
    timed = "when" + question[in_year.end() :] if in_year else question
    asked = _ASKS_WHEN.match(timed)
    when = asked is not None and asked.group("asked").casefold() == "when"
    ahead = when and asked is not None and asked.group("ahead") is not None
    sums = writes_price if _ASKS_PRICE.search(question) else writes_pay if _ASKS_PAY.search(question) else writes_money
    return (
        (not when or any(gives_time(timed, p.text, p.article.title, ahead) for p in story))
        and (_ASKS_MONEY.search(question) is None or any(sums(p.text) or _SUM_TOLD.search(p.text) for p in story))
        and _sums_the_deed(question, story)
    )


# "How much did the Dome cost to build?" asks what one deed cost, which a story writing that sum writes with its
# deed; a sum written for another deed ("a sum to maintain and sell" of a building, BBC tuning half) answers none.
_ASKS_COST_OF_DEED = re.compile(r"\bcosts?\s+to\s+(?P<deed>[a-z]+)", re.IGNORECASE)
# A sum of money written right before its deed: "£28.7m to maintain", "$10-25m to make" (not "from £45 to £52").
_SUM_FOR_DEED = re.compile(
    rf"(?:[£$€¥]\s?\d[\d,.\-\u2013]*(?:\s?(?:m|bn|k|million|billion|thousand)\b)?|\b\d[\d,.]*\s*(?:m|bn|k|million|billion)?"
    rf"\s*(?:p|pence|{_CURRENCIES})\b)\s+to\s+(?P<deed>[a-z]+)",
    re.IGNORECASE,
)


def _sums_the_deed(question: str, story: Sequence[Passage]) -> bool:
    """Whether a passage of `story` writes a sum of money for the deed a "how much does it cost to VERB ...?"
    `question` asks the cost of (`_ASKS_COST_OF_DEED`): in a sentence writing what something cost, and no other deed
    for its sum (`_SUM_FOR_DEED`) or that one in any form ("cost £15m to build the hotel"); true of a question asking
    for none, and of a story writing no cost (`writes_time_or_sum_in_story` reads its sums). Of the BBC
    questions no story answers, "How much did the Millennium Dome cost to build?" was answered confidently by what it
    cost to maintain and sell, "How much does it cost to join Yahoo Games?" by what games cost to make."""
    asked = _ASKS_COST_OF_DEED.search(question)
    deed = _term_set(asked.group("deed")) if asked is not None else frozenset()
    # The sentences telling what something cost: a sum a sale may return is no cost.
    summed = [
        sentence
        for p in story
        for sentence in sentences(p.text)
        if _MONEY.search(sentence) and "cost" in _term_set(sentence)
    ]
    if not deed or not summed:
        return True
    return any(
        not (others := [_term_set(found.group("deed")) for found in _SUM_FOR_DEED.finditer(sentence)])
        or any(not terms or terms == deed for terms in others)
        or any(term.startswith(stem) for stem in deed if len(stem) >= NOUN_OF_VERB for term in _term_set(sentence))
        for sentence in summed
    )


# A month or a year a question asks of, after a word placing it in time ("fined in 2018", "rain fell in august",
# "between may and august"): not a year naming a thing ("Euro 2004", "the 2005 election"), nor "may" a verb, nor a
# month's name starting a name ("How many people work for May Department Stores?", BBC mixed-fit).
_TIME_ASKED = re.compile(
    rf"\b(?:in|during|by|for|since|until|before|after|between|from|and|of|last|this|early|late|mid)-?\s+"
    rf"(?P<time>{MONTH_WORD}(?!\s+(?-i:[A-Z]))|(?:19|20)\d\d\b)",
    re.IGNORECASE,
)
# A month or a year a passage writes: a month's name capitalised (not "may" the verb), a year in figures.
_TIME_WRITTEN = re.compile(rf"\b(?:{MONTH_WORD}|(?:19|20)\d\d\b)", re.IGNORECASE)
_RELATIVE_MONTH = re.compile(r"\b(last|this|next)\s+month\b", re.IGNORECASE)


def tells_of_time_asked(question: str, shown: Sequence[Passage]) -> bool:
    """Whether a story of the passages an answer's page shows (`shown`) tells of the month or the year a `question`
    asks of (`_TIME_ASKED`), where it tells of any: by writing it (its headline too), by its date (the month and year
    it is dated), or by "last month", "this year" from its date. True of a question asking of no time, and where a
    story shown writes none of that kind, or is undated and tells of one only as "last year" (which year that is is
    unknown). A number written of another time answers none asked: of tests/data/health_desk, "how much was wendle
    water fined in 2018" was answered confidently by the fine a story of 2026 tells. Declined at any score
    (`compose`). Of every story shown, not the first alone: "why didn't the bank of england cut rates in october" of
    tests/data/business_desk leads with November's cut, and October's hold is shown second. Not a time the reader
    tells of themselves ("am i affected if i renewed in october"), which a story answers by its own dates."""
    asked = {_time_of(found.group("time")) for found in _TIME_ASKED.finditer(_READER_IF.split(question)[0])}
    stories = _stories_of(shown)
    return not asked or not stories or any(_tells_of_time(asked, story) for story in stories.values())


def _stories_of(shown: Sequence[Passage]) -> dict[str, list[Passage]]:
    # The passages shown of each story, by its id, in the order the page first shows each.
    stories: dict[str, list[Passage]] = {}
    for passage in shown:
        stories.setdefault(passage.article.id, []).append(passage)
    return stories


# Where a question goes on to the reader's own case: "am i affected if i renewed in october".
_READER_IF = re.compile(r"\bif\b", re.IGNORECASE)


def _tells_of_time(asked: set[tuple[str, int]], story: Sequence[Passage]) -> bool:
    # Whether one story's passages shown tell of a month or year `asked` of a kind they tell of (`tells_of_time_asked`).
    article = story[0].article
    dated = article.published
    told = {("year", dated.year), ("month", dated.month)} if dated is not None else set()
    unknown: set[str] = set()
    for text in (article.title, *(p.text for p in story)):
        told |= {_time_of(t.group(0)) for t in _TIME_WRITTEN.finditer(text) if not t.group(0).islower()}
        for kind, relative in (("year", _RELATIVE_YEAR), ("month", _RELATIVE_MONTH)):
            for step in relative.findall(text):
                if dated is None:
                    unknown.add(kind)
                elif kind == "year":
                    told.add(("year", dated.year + _YEAR_STEPS[step.casefold()]))
                else:
                    told.add(("month", (dated.month - 1 + _YEAR_STEPS[step.casefold()]) % 12 + 1))
    return all(
        kind in unknown or kind not in {k for k, _ in told} or bool(told & {t for t in asked if t[0] == kind})
        for kind in {k for k, _ in asked}
    )


def _time_of(written: str) -> tuple[str, int]:
    # A month's name or a year in figures as its kind and number: ("month", 8) of "August", ("year", 2018).
    return ("year", int(written)) if written.isdigit() else ("month", month_number(written))


# "In what year ...?", "which year ...?": a question asking when, of a year. Not "which year of ...?", which asks which
# one of a series ("which year of the awards was it": their 25th, of tests/data/culture_desk, declined when read so).
_ASKS_YEAR = re.compile(r"\s*(?:and\s+)?(?:in\s+)?(?:what|which)\s+year\b(?!\s+of\b)", re.IGNORECASE)


# "Who came second?" asks for a place in a contest after the winner's, which a story writes in one way ("came
# second", "the runner-up", "third place"): one telling who won writes someone, but not that place. "Who came second
# in the half marathon?" of tests/data/thornwick was a weak answer with its winners.
_ASKS_PLACE = re.compile(
    r"\s*(?:and\s+)?who\b[^?]*?\b(?:(?P<place>second|third|fourth|fifth)(?!\s+(?:time|half|day|week|year|term)\b)"
    r"|runners?[\s-]up)\b",
    re.IGNORECASE,
)
_RUNNER_UP = re.compile(r"\brunners?[\s-]up\b", re.IGNORECASE)


def writes_place_in_story(question: str, story: Sequence[Passage]) -> bool:
    """Whether a passage an answer shows of the story it leads with (`story`) writes the place in a contest a "who
    ...?" `question` asks for (`_ASKS_PLACE`: "second", or a runner-up, which is the second); true of a question asking
    for none. An answer whose story writes none is declined at any score (`compose`)."""
    asked = _ASKS_PLACE.match(question)
    if asked is None:
        return True
    place = asked.group("place")
    second = place is None or fold(place) == "second"
    # The word as written, not its stem: "34 minutes and 12 seconds" tells no second place.
    return any(
        (place is not None and re.search(rf"\b{place}\b", p.text, re.IGNORECASE) is not None)
        or (second and _RUNNER_UP.search(p.text) is not None)
        for p in story
    )


# "What is the longest river ...?", "which is the hottest planet ...?": the one thing that is most something, asked
# for by the superlative; words meaning the same are one (`_SAME_MOST`). Not "cheapest" (a story writes its lowest
# price as "fares start at £59"), "latest" (its newest figure is its latest without saying so), "nearest" or "closest"
# (a place), nor "most"/"least" and a word ("the most popular name": "Olivia topped the list"). Nor of "who": the
# fastest woman in a race is the one who won it ("who was the fastest woman in the marathon?" of tests/data/wexcombe,
# "Priya Sandhu won the town's marathon", was declined).
_ASKS_MOST = re.compile(
    r"\s*(?:what|which)(?:['\u2019]s|\s+(?:is|are|was|were))\s+the\s+(?P<most>biggest|largest|greatest|longest"
    r"|shortest|tallest|highest|lowest|deepest|fastest|slowest|oldest|youngest|smallest|heaviest|richest|poorest"
    r"|busiest|hottest|coldest|warmest|wettest|driest|best|worst)\b",
    re.IGNORECASE,
)
_SAME_MOST = ({"biggest", "largest", "greatest"}, {"tallest", "highest"})


def writes_most_in_story(question: str, story: Sequence[Passage]) -> bool:
    """Whether a passage an answer shows of the story it leads with (`story`), or its headline, writes the superlative a
    "what (which) is the longest (biggest, best) ...?" `question` asks for (`_ASKS_MOST`), as written; true of a
    question asking for none. An answer whose story writes none is declined at any score (`compose`): it tells of no
    thing that is the most so. Of the BBC questions no article answers, "What is the longest river in the world?" was a
    weak answer (0.59) with a story writing "river" and "world", "What is the best way to learn Spanish quickly?"
    (0.58) with games that help children learn."""
    asked = _ASKS_MOST.match(question)
    if asked is None:
        return True
    most = fold(asked.group("most"))
    same = next((group for group in _SAME_MOST if most in group), {most})
    written = re.compile(rf"\b(?:{'|'.join(sorted(same))})\b", re.IGNORECASE)
    return any(written.search(p.text) or written.search(p.article.title) for p in story)


# "Who designed ...?", "who will build ...?": the deed asked who did (or will do), its verb right after "who" or "who
# will" ("who else").
_WHO_DOES = re.compile(
    rf"\s*who\s+(?:else\s+)?(?:will\s+|would\s+)?(?!{_AUXILIARY}|else\b)([\w'\u2019]+)", re.IGNORECASE
)
# A verb whose deed is its object's ("took the penalty", "made the save", "gave the speech"): a story tells that deed
# in the object's own verb ("Rudd scored the penalty"), so not writing the light verb is no sign it does not tell who.
# "who took the penalty v garston" of tests/data/hollinsford, right first, was declined. Their terms: the analysis
# reads every form as its base ("took", "taken" as "take").
LIGHT_VERBS = frozenset({"take", "make", "give", "get", "put", "go"})
# A light verb with its particle is a deed of its own ("took over from Charles Kennedy" asks for a successor, "gave
# up" for who quit), which a story writes as the pair ("took it over" too), run together ("takeover",
# "giveaway") or as news phrases it (`phrasings`: "acquired"). Read as a light verb alone, "Who took over from Charles
# Kennedy as leader of the Liberal Democrats?" (BBC, mixed-fit) was a weak answer with his election-campaign story,
# which writes "took" and "take" of other things and names no successor.
_PARTICLE = re.compile(r"\s+(over|up|down|off|out|back|away)\b", re.IGNORECASE)
# What was made, right before whoever made it: "Goals from Gregory Vignal", "a mural by Ana Ruiz" (not a day).
_DONE_BY = re.compile(
    r"\s+(?:by|from)\s+(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April"
    r"|May|June|July|August|September|October|November|December)\b)[A-Z]"
)
# What a deed makes, which a story names right before whoever did it (`_DONE_BY`) where the question names none: "who
# scored for fulbeck" of "with goals from Ben Achterberg" (tests/data/sports_desk) was declined. Not searched for, as
# a phrasing would be: "goals" sought beside "scored" led "who scored for rovers on saturday" with a winger's goals of
# last season, confidently.
DEED_MAKES = {"score": ("goal", "goals", "try", "tries", "penalty", "equaliser", "winner")}
# A noun of the deed starts with its verb's stem ("discoveri" of "made the discovery", "replacement"), from stems this
# long ("window" is no deed of "win").
NOUN_OF_VERB = 4


def stories_shown(chosen: Sequence[Passage], ranking: Ranking) -> list[str]:
    """The headlines and the paragraphs found (`Ranking.texts`) of each story a passage of `chosen` is of."""
    shown = {p.article.id: p.article.title for p in chosen}
    return [*shown.values(), *(text for (a, _), text in ranking.texts.items() if a in shown)]


def writes_deed_in_story(
    question: str, texts: Sequence[str], phrased: Mapping[str, Sequence[Sequence[str]]] | None = None
) -> bool:
    """Whether a headline or a paragraph found of the stories an answer shows (`texts`, `stories_shown`) writes the deed
    a "who ...?" `question` asks who did (`_WHO_DOES`) in any form ("design" of "designed"), as its doer's title
    (`doer_terms`: "designer"), as a noun of it (`NOUN_OF_VERB`), as news writes it (`phrased`, `phrasings`; of
    the question where not given: "paid for" of "funded"), or names who did it by what it made (`_DONE_BY`: "Goals from
    Gregory Vignal" of "Who scored Rangers' goals ...?", BBC tuning half); true of a question asking no such deed or a
    light verb's (`LIGHT_VERBS`: "who took the penalty"; with its particle, "who took over ...?", the pair written,
    `writes_phrasal`), of one asking who leads something (`_ASKS_LEADER`) or came in a place (`_ASKS_PLACE`), or whose
    verb frames it ("who said ..."). Stories writing no word of the deed tell of the thing done, not of who did it, and
    the answer is declined at any score (`compose`): "Who designed the new stadium at Mill Lane?" of
    tests/data/thornwick was a weak answer with the club chairman's words on the move."""
    asked = _WHO_DOES.match(question)
    if asked is None or _ASKS_LEADER.search(question) or _ASKS_PLACE.match(question):
        return True
    deed = frozenset(analyze(asked.group(1))) - frame_terms(question)
    runs = [run for found in (phrasings(question) if phrased is None else phrased).values() for run in found]
    if deed <= LIGHT_VERBS:  # none, or a light verb's
        particle = _PARTICLE.match(question, asked.end())
        return (
            particle is None
            or any(writes_phrasal(deed, particle.group(1), text) for text in texts)
            or any(_writes(texts, run) for run in runs)
        )
    held = frozenset().union(*map(_term_set, texts))
    made = _term_set(question[asked.end() :]) - frame_terms(question)
    made |= {term for verb in deed for word in DEED_MAKES.get(verb, ()) for term in analyze(word)}
    return (
        bool((deed | doer_terms(deed)) & held)
        or any(term in made and _DONE_BY.match(text, end) for text in texts for _, end, term in words(text))
        or any(term.startswith(verb) for verb in deed if len(verb) >= NOUN_OF_VERB for term in held)
        or any(_writes(texts, run) for run in runs)
    )


def writes_phrasal(verbs: Collection[str], particle: str, text: str) -> bool:
    """Whether `text` writes one of the light `verbs` (their terms: "take" of "took") with `particle` right after it or
    after a pronoun ("took over", "took it over"; not "taken yet over whether ...": a word between is most often of
    another clause), or run together with it ("takeover", "take-over")."""
    after = re.compile(rf"\s+(?:(?:it|them|him|her)\s+)?{particle}\b", re.IGNORECASE)
    together = re.compile(rf"\b(?:{'|'.join(sorted(verbs))})-?{particle}", re.IGNORECASE)
    return together.search(text) is not None or any(
        term in verbs and after.match(text, end) for _, end, term in words(text)
    )


# "How much profit ...?" asks for a sum of money the question names by what it is (a profit, a revenue, a debt), which
# a story writes beside the sum ("Its $17m profit for the quarter", "revenue nearly tripled ..., exceeding $86m"): a
# sum of another thing does not answer it. "How much profit does Alderholt Brewery make?" of tests/data/alderholt was
# answered confidently by the £1.1m the brewery was sold for. Not money or cash, which any sum is. Asked as "what is
# X's turnover?" ("what was skylark's profit in the winter", "what is laura penrose's salary") or "how much was X
# fined?", the same: of tests/data/business_desk each was answered confidently by a story's other sums (its sales,
# the deal's price, a bank's compensation). Pay is named too ("salary", "wage", "earn": "how much do carrow steel
# workers earn" of the £1.25bn its new furnace will cost), which a story writes in its own words beside the sum
# (`_PAY`: "paid £80,000 a year").
_NAMED_SUMS = r"profits?|revenues?|turnover|earnings|debts?|income"
_NAMED_PAY = r"salary|salaries|wages?|earn"
_ASKS_SUM_NAMED = re.compile(
    rf"\b(?:how\s+much\s+(?P<named>{_NAMED_SUMS})"
    rf"|what(?:['\u2019]?s|\s+(?:is|are|was|were))\s[^?]*?\b(?P<what>{_NAMED_SUMS}|{_NAMED_PAY})"
    rf"|how\s+much\s+(?:do|does|is|are|was|were)\b[^?]*?\b(?P<done>earn|fined))\b"
    rf"(?![^?]*\b(?:{_CHANGE})\b)",
    re.IGNORECASE,
)


def writes_sum_named(question: str, shown: Sequence[Passage]) -> bool:
    """Whether a sentence of a passage an answer shows (`shown`, of any story) writes a sum of money (`_MONEY`) and
    the word the `question` names the sum it asks for by (`_ASKS_SUM_NAMED`), or for pay any word of pay (`_PAY`);
    true of a question naming none. An answer showing none is declined at any score (`compose`)."""
    asked = _ASKS_SUM_NAMED.search(question)
    if asked is None:
        return True
    word = asked.group("named") or asked.group("what") or asked.group("done")
    named = _term_set(word)
    pay = re.fullmatch(_NAMED_PAY, word, re.IGNORECASE) is not None
    return any(
        _MONEY.search(sentence) is not None
        and (bool(named & _term_set(sentence)) or (pay and _PAY.search(sentence) is not None))
        for p in shown
        for sentence in sentences(p.text)
    )


# "What is the top speed of X?" (its height, its weight) asks for a measure by its name, which a story writes in one
# way, a number and its unit (`MEASURES`: "60mph", "4.9 metres", "1.6kg"), as "how fast (tall, heavy) is X?" does.
# "What is the top speed of the Airbus A380?" (BBC tuning half) was answered confidently by a story on an order for
# A380s, "what is the voltra metro's top speed" of tests/data/business_desk by the car's price and range.
_ASKS_MEASURE_NAMED = re.compile(
    r"\bwhat(?:['\u2019]?s|\s+(?:is|was|are|were|will\s+be))\s[^?]*?\b(?P<named>speed|height|weight)s?\b", re.IGNORECASE
)
# Each measure named, as MEASURES' questions ask for it.
_MEASURE_ASKED = {"speed": "how fast", "height": "how tall", "weight": "how heavy"}


def writes_measure_named(question: str, story: Sequence[Passage]) -> bool:
    """Whether a passage an answer shows of the story it leads with (`story`) writes the measure a `question` asks
    for by its name (`_ASKS_MEASURE_NAMED`) in its unit (`MEASURES`); true of a question naming none. An answer whose
    story writes none is declined at any score (`compose`)."""
    asked = _ASKS_MEASURE_NAMED.search(question)
    if asked is None:
        return True
    phrase = _MEASURE_ASKED[fold(asked.group("named"))]
    unit = next(measure for asks_for, measure in MEASURES if asks_for.search(phrase))
    return any(writes_measure(unit, p.text) for p in story)


# A time as a story tells one beside `_WHEN`'s days and dates: a time of day ("leaves at noon", "at 6.30"), a part of
# the day or year, or one told from another ("an hour later", "two weeks before the vote"). A decline for want of a
# time (`writes_time_or_sum_in_story`) declined "When does the winter ferry leave?" of "The winter ferry leaves an
# hour later." and of one leaving "at noon". Not what is done at such times ("staff the shop in the afternoons"),
# which tells no "when did the post office open". A match report tells its moments by the game's own clock: "in the
# 84th minute", "just before half-time", "in stoppage time", "early in the second half", "two minutes from time", "in
# the ninth round" ("when did mensah score" of tests/data/sports_desk was declined of its "in the 84th minute").
_TIME_TOLD = re.compile(
    _WHEN.pattern + r"|\b(?:noon|midday|midnight|dawn|dusk|o['\u2019]clock|morning|afternoon|evening|overnight"
    r"|spring|summer|autumn|winter|soon|shortly|(?:1[89]|20)\d0s"
    r"|(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|few|several|\d+)\s+(?:hours?|minutes?|days?"
    r"|weeks?|months?|years?|decades?)\s+(?:later|earlier|before|after|ago|from\s+now|on|early|late)"
    r"|(?:at|by|from|until|till|before|after|around)\s+\d{1,2}(?:[.:]\d\d)?"
    rf"|(?:in|by|during|after)\s+the\s+(?:{'|'.join(_ORDINALS)}|\d{{1,3}}(?:st|nd|rd|th))\s+(?:minute|round|over|lap)"
    r"|(?:before|after|at|by|until)\s+(?:half|full)[\s-]time|(?:stoppage|injury|added|extra)\s+time"
    r"|(?:in|early\s+in|late\s+in)\s+the\s+(?:first|second)\s+half"
    r"|(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+minutes?\s+from\s+(?:time|the\s+end))\b",
    re.IGNORECASE,
)
# A sum as a story may tell one without its currency ("the repairs cost 6 million"): "How much did the quay
# repairs cost?" was declined of it.
_SUM_TOLD = re.compile(
    r"\b(?:costs?|costing|paid|pays?|worth|spent|spends?|raised|priced|fined|(?:sold|bought)\s+for|fees?\s+of)\s+"
    r"(?:(?:at|about|around|some|nearly|almost|over|under|up\s+to|more\s+than|less\s+than)\s+)?\d",
    re.IGNORECASE,
)


# "When does the clean air zone start?" asks the time of the zone's start, which a story tells, while it is ahead, by
# what will be done from when ("From June, older lorries ... will pay £50 a day", "The first boats will sail in
# May"), seldom with the verb asked: of tests/data/science_desk it was declined under "Clean air zone for Harbour Road
# approved". A start or an end done is told with its verb ("closed in 1998"), not by any time its story gives; one
# ahead, by a word telling from or until when (`_FROM_OR_UNTIL`), not by another deed's time: "When will the
# Alderholt footbridge reopen?" of tests/data/alderholt asks what "Engineers will inspect the bridge on Monday" does
# not tell.
@cache
def _starts_or_ends() -> frozenset[str]:
    # Read on first need, not at import: stemming loads nltk, which a command reading no text never imports.
    with analysed_in("en"):
        return _term_set("start begin open reopen close end finish")


_FROM_OR_UNTIL = re.compile(r"\b(?:from|first|until|till|last)\b", re.IGNORECASE)


def _begins_or_ends(sentence: str) -> bool:
    # A sentence telling what will be done from or until a time: a start or an end ahead (`_starts_or_ends`).
    return _AHEAD.search(sentence) is not None and _FROM_OR_UNTIL.search(sentence) is not None


def gives_time(question: str, text: str, headline: str, ahead: bool = False) -> bool:
    """Whether a paragraph (under `headline`) has a sentence giving a time (`_TIME_TOLD`) that tells of a word of the
    `question` (`when_asked_of`), itself or through the one before it points back at (`_told_term_sets`: "They go
    on sale in the UK on 14 April" after "The glasses weigh 48 grams"); any, when the headline holds them all, or all
    but a start's or an end's (`_starts_or_ends`) and the sentence tells what will be done from or until when
    (`_begins_or_ends`). Of a question asking of what is `ahead` ("when will ...?", "when is the next ...?"), a
    sentence looking forward (`_AHEAD`): "When will Pell's Bakery reopen?" of tests/data/thornwick was a weak answer
    with the night it burned. Of a deed done, a name asked of (`name_terms`) is no word telling of it when the
    question has others: every sentence of a firm's story names it, and "When did Barclays buy Lehman Brothers'
    American business?" was answered confidently by Barclays' profits "for 2005". A deed ahead is told looking forward
    already, in the story's words ("When will RipGuard start to appear on DVDs?" of "RipGuard is expected to be rolled
    out ... from the middle of 2005")."""
    wanted = when_asked_of(question)
    if not ahead:
        wanted = wanted - name_terms(question) or wanted
    headline_terms = _term_set(headline)
    told = wanted <= headline_terms
    begun = wanted - _starts_or_ends() <= headline_terms
    return any(
        _TIME_TOLD.search(sentence) is not None
        and (not ahead or _AHEAD.search(sentence) is not None)
        and (told or bool(wanted & terms) or (begun and _begins_or_ends(sentence)))
        for sentence, terms in zip(sentences(text), _told_term_sets(text), strict=True)
    )


# "How many nurses ...?" counts nurses: a story telling how many patients wait at the hospital does not answer it,
# though it writes a count (`writes_count`). The words a question counts are those after "how many" up to its first
# small word or verb told as done ("nurses work" of "how many nurses work at the infirmary", "boats" of "how many boats
# raced at the regatta": "raced" was met by its "eights races"); not a span's unit ("how many days", asking
# for a span, `_ASKS_SPAN_COUNTED`), nor a word counting anyone ("people", bot/data/counted_anyone_en.txt), which a
# story counts as what they are ("640 staff", "a crowd of 2,814").
_COUNTED = re.compile(r"\bhow\s+many\s+(?P<counted>[^?.,;:!]*)", re.IGNORECASE)
COUNTED_WORDS = 3
_ANYONE = frozenset(data_lines("counted_anyone_en.txt"))
# A number in figures or in words, and how many words after it say what it counts ("about 40 homes", "120 more
# developers").
_COUNT_NUMBER = re.compile(rf"\d[\d,.]*(?:\s*(?:million|billion|m|bn|k)\b)?|{_IN_WORDS}", re.IGNORECASE)
COUNTED_BESIDE = 3
# How many words from a number what it counts may be written (`counted_near`): of the BBC questions' answerable "how
# many ...?" of both halves, each gold sentence writing the word counted has it within 3 ("German unemployment rose
# 7,000" for "How many Germans were jobless?").
COUNTED_NEAR = 3
# A count of some of a whole ("at least 30 of the chain's stores", "six of its 41 stores"), whose words between count
# and thing (`counted_near`) tell whose the things are, not another thing: "how many fenwick stores will stay open"
# of tests/data/business_desk was declined, "stores" four words from "30".
_PARTITIVE = re.compile(rf"({_COUNT_NUMBER.pattern})\s+of\s+(?:the|its|their|his|her|our|these|those)\b", re.IGNORECASE)
# A count written as a word of its own, which `writes_count` does not read ("twin red panda cubs", "dozens of"), and
# what counts beside a number: those, "the number of ...", "the total of ...".
_COUNT_WORD = re.compile(r"\b(?:twins?|triplets|pairs?|dozens?|scores|hundreds|thousands|millions)\b", re.IGNORECASE)
_COUNTING = re.compile(
    rf"{_COUNT_NUMBER.pattern}|\b(?:number|total)\s+of\b|{_COUNT_WORD.pattern}",
    re.IGNORECASE,
)
# A share of what is counted ("about 11% of adults", "one in five pupils") or its place in a series ("the sixth
# outbreak this winter"): no count `writes_count` reads, yet it tells how many in its own way, so a story writing one
# beside the word asked counts no other thing (`writes_counted`). Of tests/data/national_desk, "how many adults vape"
# and "how many outbreaks of avian flu this winter" were declined whatever their score.
_SHARE_OR_PLACE = re.compile(
    r"\d[\d.]*\s*(?:%|per\s*cent\b)|\bone\s+in\s+\w+|\b(?:half|third|quarter|majority)\b"
    r"|\b(?:second|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\d+(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)
# A count of people by what they are: a number, perhaps a word, then a word counting anyone (`_ANYONE`) or a plural
# naming people by what they do or are ("residents", "passengers", "employees", "tourists").
_PERSONS_COUNTED = re.compile(
    rf"(?:{_COUNT_NUMBER.pattern})\s+(?:[\w-]+\s+)?"
    rf"(?:{'|'.join(sorted(_ANYONE))}|[a-z]+(?:ents|ers|ees|ians|ors|ists))\b",
    re.IGNORECASE,
)

_RATE = re.compile(r"\b(?:a|an|per|each|every)\s+(?:hour|day|night|week|month|year)\b", re.IGNORECASE)
_PREPOSITION = re.compile(r"\b(?:to|at|in|on|of|for|from|by|with|during|after|before|since)\b", re.IGNORECASE)
# "How much did the Dome cost?", "how much is the hoard worth?" and "how much did Google pay for Android?" ask for the
# sum of one thing (the Dome, the hoard, Android), which a story writes beside it: Google's profit answers none.
_ASKS_SUM_OF = re.compile(
    r"\bhow\s+much\s+(?:did|does|do|will|would|is|was|are|were|has|have|had)\s+(?P<thing>[^?]+?)\s+"
    r"(?:costs?|be\s+worth|worth)\b"
    r"|\bhow\s+much\b[^?]*?\b(?:pay|pays|paid|paying|spend|spends|spent)\s+(?:\w+\s+)?(?:for|on)\s+(?P<bought>[^?]+)",
    re.IGNORECASE,
)

# "Who won the 2007 French presidential election?" asks for the winner of one contest, which a story names in the
# sentence telling of the win or in its headline: a rugby report's "defeat at the Stade de France" answers none.
_ASKS_WINNER_OF = re.compile(
    r"\s*(?:and\s+)?who\s+(?:has\s+|had\s+)?(?:won|wins|win)\s+(?P<contest>[^?]+)", re.IGNORECASE
)
_WIN = re.compile(
    r"\b(?:won|wins?|winning|winners?|victor(?:y|ies|ious)|beat|beats|beating|champions?|titles?|went\s+to|awarded"
    r"|took|takes|named|elected|triumph(?:s|ed)?)\b",
    re.IGNORECASE,
)


def counted_words(question: str) -> tuple[str, ...]:
    """The words a "how many ...?" question counts, as typed ("nurses", "work" of "how many nurses work at the
    infirmary"); none where it asks for a span ("how many days"), counts anyone ("how many people"), a currency (a
    sum: "how many dinars to the dollar", of "A dollar bought 1,420 dinars") or no count."""
    asked = _COUNTED.search(question)
    if asked is None or _ASKS_SPAN_COUNTED.search(question) or _COUNTS_CURRENCY.search(question):
        return ()
    counted: list[str] = []
    for word in asked.group("counted").split()[:COUNTED_WORDS]:
        if not analyze(word) or _written_done(word):
            break
        counted.append(word)
    return () if any(fold(word) in _ANYONE for word in counted) else tuple(counted)


@dataclass(frozen=True)
class CountAsked:
    """What a "how many ...?" question counts, read once a question (`count_asked`) for every rule asking whether a
    number an answer writes counts it (`counts_asked`): of a paragraph (`tells_of_asked`), of the story an answer leads
    with (`writes_counted`), of the page it shows (`counts_what_is_asked`)."""

    # The words counted as the question was searched (`counted_words`, in news's words for the reader's,
    # `as_news_writes`: "spectators" of "fans"; none of "how many jobless ...", searched as "how many out of work"),
    # which a number counts beside it, and their terms.
    typed: tuple[str, ...]
    counted: frozenset[str]
    # The reader's, which a story writing them is read for a count of (`writes_counted`), not one writing news's word
    # ("kids" searched as "children", which a quote writes beside "312 pupils"); none where it counts anyone ("how many
    # people ...", "how many died"), whom a page counts by what they are.
    own: frozenset[str]
    # The words of the question that may stand right after a number to tell what it counts ("4.4 million jobless" of
    # "How many Germans were jobless?"): those before its first preposition, without a rate, up to its deed.
    head: frozenset[str]
    # Every word it asks beyond its names and frame, the thing counted and its deed, with whoever does that
    # (`doer_terms`), and those of them as typed (met by meaning, `_near`).
    asked: frozenset[str]
    asked_typed: tuple[str, ...]
    # The reader's words that news writes otherwise, with news's runs of terms for them (`phrasings`), which a
    # sentence is read with (`as_phrased`: "230 redundancies" counts who "will lose their jobs").
    phrased: Mapping[str, Sequence[Sequence[str]]]


def count_asked(
    question: str, searched: str = "", phrased: Mapping[str, Sequence[Sequence[str]]] | None = None
) -> CountAsked | None:
    """What a "how many ...?" `question` (the reader's) counts (`CountAsked`), with the words it was `searched` by
    (the question as news writes it, `Ranking.searched`; the reader's where not given) and news's words for the
    reader's (`phrased`, `phrasings`); none where it asks no count, or a span or a currency (`counted_words`)."""
    if not _COUNTED.search(question) or _ASKS_SPAN_COUNTED.search(question) or _COUNTS_CURRENCY.search(question):
        return None
    searched = searched or question
    own = _term_set(" ".join(counted_words(question)))
    typed = counted_words(searched)
    counted = _term_set(" ".join(typed))
    # Not a rate, which tells how often: "How many trains a day stop at Alderholt station?" of tests/data/alderholt was
    # answered by "About 500 people a day cross the bridge". Nor a word after a preposition, which tells where or of
    # what it counts: "How many supporters came to the stadium meetings?" of tests/data/thornwick was answered by
    # "Supporters will be asked for their views at two meetings". Nor one after the deed (a word written done, past
    # "how many" and the first word counted; the deed's own word tells it: "124 votes" of "how many mps voted ...?"),
    # which tells what was done to or with, not who did it: "How many Californians have reported spyware to the
    # police?" (BBC, mixed-fit) was answered confidently by a count of spyware programs.
    head = _PREPOSITION.split(_RATE.sub(" ", searched), maxsplit=1)[0].split()
    deed = next((i for i, word in enumerate(head) if i > 2 and _written_done(word)), len(head))
    # All of its words, not only those before its deed: "How many people signed the petition ...?" is answered by "a
    # petition with 2,400 names".
    texts = (question, searched)
    asked = frozenset().union(*(_term_set(text) - name_terms(text) - frame_terms(text) for text in texts))
    asked |= counted | own
    asked_typed = tuple(
        dict.fromkeys(text[start:end] for text in texts for start, end, term in words(text) if term in asked)
    )
    return CountAsked(
        typed=typed,
        counted=counted,
        own=own,
        head=_term_set(" ".join(head[: deed + 1])) - frame_terms(searched),
        # Who does the deed counts it too: "About 144 players ..." of "how many golfers will play in the championship".
        asked=asked | doer_terms(asked),
        asked_typed=asked_typed,
        phrased=phrasings(question) if phrased is None else phrased,
    )


class Within(Enum):
    """How near a number what a "how many ...?" question counts must be written for it to count that
    (`counts_asked`)."""

    # Beside it (`counted_near`, or the words right after it): a paragraph counting it (`tells_of_asked`), and the
    # story an answer leads with, which writing the thing counted only apart from its numbers counts another
    # (`writes_counted`).
    BESIDE = "beside"
    # Anywhere in its sentence, the question's deed or any other word of it beyond its names (the thing counted only
    # beside a number there): the page an answer shows
    # (`counts_what_is_asked`), where a count of another thing near the question's names declines the answer at any
    # score, and a count in other words than the question's must not ("a petition with 2,400 names").
    SENTENCE = "sentence"


def counts_asked(count: CountAsked, texts: Sequence[str], within: Within, pieces: WordPieces | None = None) -> bool:
    """Whether a sentence of `texts` (a paragraph, a story's passages, a page's) writes a number that counts what a
    "how many ...?" question counts (`count`), read with news's words for the reader's (`as_phrased`): with the thing
    counted written `within` its reach of the number, or met there by meaning (`pieces`' soft word match, `_near`). A
    share of it or its place in a series tells how many too ("about 11% of adults", "the sixth outbreak this winter").
    Where the question names no thing counted (it counts anyone: "how many died", "how many people live on the
    island"), a count of people by what they are tells it within a sentence (`_PERSONS_COUNTED`: "Six bodies ...
    rescued 151 people", "about 40 residents"), and any paragraph beside a number. Within a sentence, the thing counted
    is read only where one of its numbers counts it (`_counted_beside`): elsewhere it is a word of another count."""
    read = [as_phrased(sentence, count.phrased) for text in texts for sentence in sentences(text)]
    if within is Within.BESIDE:
        return not count.counted or any(_counted_beside(count, sentence, pieces) for sentence in read)
    numbered = [sentence for sentence in read if gives_number(sentence)]
    # The thing counted, written in a sentence none of whose numbers counts it, is a word of another count there, and
    # meets the question no more than a word it does not ask: "How many members does the UK Independence Party have?"
    # (BBC, mixed-fit) was a weak answer with a story counting "its two London Assembly members" (a defection).
    counting = [sentence for sentence in numbered if not count.counted or _counted_beside(count, sentence, pieces)]
    other = [sentence for sentence in numbered if sentence not in counting]
    # A word of the question the page writes only as a name is its subject's name, typed in lower case ("how many
    # nurses work at pelsworth general"), which a page on that subject writes in its sentences counting anything else:
    # it meets the question only beside a number, whose count is the name's own ("The Lantern Years will play fourteen
    # dates" of "how many gigs are on the lantern years tour"), or with the thing counted ("a maximum 147 break ... of
    # the UK Championship" of "how many 147s have there been at the uk championship"). "6,400 patients will be moved
    # to Stainby Health Centre" counted no "gps" of "how many gps work at stainby health centre".
    named = written_as_names(count.asked - count.counted, texts)
    # A number's plural counted is the number ("147s" of "a maximum 147 break").
    thing = _as_numbers(count.counted)
    rest = count.asked - count.counted - named
    rest_typed = tuple(word for word in count.asked_typed if not _term_set(word) <= count.counted | named)
    return (
        any(
            asked & _term_set(sentence) or (not count.own and _PERSONS_COUNTED.search(sentence))
            for asked, sentences_of in ((count.asked, counting), (rest, other))
            for sentence in sentences_of
        )
        or any(
            counted_near(sentence, named) or bool(named & _term_set(sentence) and thing & _term_set(sentence))
            for sentence in other
        )
        or _near(count.asked_typed, counting, pieces)
        or _near(rest_typed, other, pieces)
    )


# Where a "how many ...?" question asks its count of: the words after "in" or "at" up to the next small word ("how
# many homes flooded in mardle bridge", "how many jobs will go at the Longbridge plant").
_PLACE_ASKED = re.compile(rf"\b(?:in|at)\s+(?P<place>.+?)(?=\s+{_PREPOSITION.pattern}|[?.,;:!]|$)", re.IGNORECASE)


def counts_where_asked(
    question: str,
    shown: Sequence[Passage],
    texts: Mapping[tuple[str, int], str],
    count: CountAsked | None,
    pieces: WordPieces | None = None,
) -> bool:
    """Whether a story of the passages an answer's page shows (`shown`) both names the place a "how many ...?"
    `question` asks its count of (`_PLACE_ASKED`: of its words, those written as names, in the question or, typed in
    lower case, by the page; all of them: "Mill Lane" is no "pensby mill") and counts the thing asked beside a number
    in a passage shown (`counts_asked`, by meaning too: `pieces`): a count of the thing elsewhere answers none asked of
    there. Of tests/data/health_desk, "how many homes flooded in mardle bridge" was a weak answer with "About 35 homes
    were flooded" in another town's story, Mardle Bridge named only by two other stories, which count its spills and
    the fish a spill killed; "how many dentists work in pelsworth" with a story naming Pelsworth that counts no
    dentists. The story names it in its headline or any paragraph read of it (`texts`: those searched and their
    context). True of a question counting anyone ("how many people live in ..."), whom a page counts by what they
    are, and of one asking of no named place; declined whatever the score (`compose`)."""
    if count is None or not count.counted or not shown:
        return True
    page = [p.text for p in shown]
    # A month is when, not where ("in october": `tells_of_time_asked`).
    placed = _term_set(_TIME_WRITTEN.sub(" ", " ".join(m.group("place") for m in _PLACE_ASKED.finditer(question))))
    places = (placed & name_terms(question)) | written_as_names(placed - frame_terms(question), page)
    places -= count.counted
    if not places:
        return True
    stories = _stories_of(shown)
    # Beside a number, whoever does the deed asked counts too ("About 144 players" of "how many golfers will play"),
    # and a number's plural is the number.
    beside = replace(count, counted=_as_numbers(count.counted), head=count.head | doer_terms(count.head))

    def names(article: str, story: Sequence[Passage]) -> bool:
        # All the place's words, or a word made of one ("Azerani" of "azeran").
        terms = _term_set(" ".join([story[0].article.title, *(t for (a, _), t in texts.items() if a == article)]))
        return all(any(term.startswith(place) for term in terms) for place in places)

    return any(
        names(article, story) and counts_asked(beside, [p.text for p in story], Within.BESIDE, pieces)
        for article, story in stories.items()
    )


def _as_numbers(counted: frozenset[str]) -> frozenset[str]:
    # The terms counted with a number's plural read as the number ("147" of "147s" for "a maximum 147 break").
    return counted | {term[:-1] for term in counted if term[:-1].isdigit() and term.endswith("s")}


def gives_number(sentence: str) -> bool:
    """Whether a sentence gives a number: an amount (`writes_amount`), a count in words or a word that counts ("seven
    grandchildren", "dozens"), a share or a place in a series ("It is the sixth outbreak this winter")."""
    return writes_amount(sentence) or any(n.search(sentence) for n in (_COUNTED_IN_WORDS, _COUNT_WORD, _SHARE_OR_PLACE))


def _counted_beside(count: CountAsked, sentence: str, pieces: WordPieces | None) -> bool:
    # Whether a number of `sentence` counts what `count` counts, written beside it (`counts_asked`).
    if counted_near(sentence, count.counted, _SHARE_OR_PLACE):
        return True
    if not (writes_count(sentence, count.counted) or _COUNT_WORD.search(sentence)):
        return False
    kept = _NOT_AMOUNT.sub(" ", sentence)
    for other in _NOT_COUNT:
        kept = other.sub(" ", kept)
    if counted_near(kept, count.counted):
        return True
    # Beside a number, another word of the question tells what it counts as well (`CountAsked.head`); and a count of
    # anyone ("11 people had been prosecuted") counts whoever is asked ("How many householders were prosecuted ...?"
    # of the BBC's held-out questions).
    beside = [" ".join(kept[n.end() :].split()[:COUNTED_BESIDE]) for n in _COUNT_NUMBER.finditer(kept)]
    anyone = any(fold(words_beside.split()[0]) in _ANYONE for words_beside in beside if words_beside)
    return anyone or bool(count.head & _term_set(" ".join(beside))) or _near(count.typed, beside, pieces)


def _near(typed: Sequence[str], texts: Sequence[str], pieces: WordPieces | None) -> bool:
    # Whether a word typed is met by meaning in one of `texts` (a soft word match of SOFT_MET: "houses" of "40 homes").
    return pieces is not None and bool(texts) and any(max(pieces.soft_match(w, texts)) >= SOFT_MET for w in typed)


def tells_of_asked(
    question: str,
    text: str,
    headline: str,
    pieces: WordPieces | None = None,
    unseen: Collection[str] = (),
    count: CountAsked | None = None,
) -> bool:
    """Whether a paragraph (under `headline`) counts what a "how many ...?" question counts (`count`, read of the
    question where not given: a number with the thing counted beside it, `counts_asked`) and gives the sum of the thing
    a "how much ...?" question asks the cost or worth of (`_ASKS_SUM_OF`: in a sentence writing a sum, or in the
    headline) and names the contest a "who won ...?" question asks the winner of (`_ASKS_WINNER_OF`: in a sentence
    telling a win, or in the headline; of its words, those no article uses (`unseen`) aside: "who won the match?" of a
    report saying who "headed the winner"); true of a question asking for none. Of tests/data/wexcombe "how many nurses
    work at the infirmary" was answered with the patients waiting there, and of the BBC's stories "How much did Google
    pay for Android?" with Google's profit."""
    contest = _ASKS_WINNER_OF.match(question)
    if contest is not None:
        named = _term_set(contest.group("contest")) - frame_terms(question) - frozenset(unseen)
        return (
            not named
            or bool(named & _term_set(headline))
            or any(_WIN.search(sentence) and named & _term_set(sentence) for sentence in sentences(text))
        )
    count = count or count_asked(question)
    if count is not None and count.counted:
        return counts_asked(count, [text], Within.BESIDE, pieces)
    sum_of = _ASKS_SUM_OF.search(question)
    thing = (sum_of.group("thing") or sum_of.group("bought")) if sum_of else ""
    terms = _term_set(thing)
    if not terms or terms & _term_set(headline):
        return True
    return any(
        (writes_money(sentence) or _SUM_TOLD.search(sentence))
        and (terms & _term_set(sentence) or _near(thing.split(), [sentence], pieces))
        for sentence in sentences(text)
    )


def counted_near(sentence: str, terms: frozenset[str], counting: re.Pattern[str] = _COUNTING) -> bool:
    """Whether a word of `terms` (what a "how many ...?" question counts) is written within COUNTED_NEAR words of one
    of the numbers of a `sentence` (its sums, years and times taken out): a count is written beside what it counts,
    before it ("410 pupils") or after ("German unemployment rose 7,000"), or after a word that counts (`_COUNTING`:
    "The number of job cuts has fallen from 140 to 95", "twin red panda cubs"). The word elsewhere in a sentence
    writing a count is another thing's: "How many teachers work at Hilltop Primary?" of tests/data/thornwick was
    answered confidently by "Head teacher Priya Nandra said the result belonged to the school's 410 pupils and to its
    staff". A count of some of a whole counts them (`_PARTITIVE`)."""
    sentence = _PARTITIVE.sub(r"\1", sentence)
    starts = [found.start() for found in re.finditer(r"\S+", sentence)]
    at = [bisect_right(starts, found.start()) - 1 for found in counting.finditer(sentence)]
    return any(
        abs(bisect_right(starts, start) - 1 - number) <= COUNTED_NEAR
        for start, _, term in words(sentence)
        if term in terms
        for number in at
    )


def met_only_in_names(question: str, story: Sequence[str], texts: Iterable[str]) -> frozenset[str]:
    """The terms of words the `question` writes in lower case that the paragraphs of its answer's story (`story`)
    write only inside a name (`_NAME_RUN`, past a sentence's first word) holding no other word of the question, and
    there as another word of that stem (`_other_form`), while some paragraph of the library (`texts`) writes them in
    lower case: the story names a place or a body after another thing than the one asked about. Of tests/data/bramholt
    "how much is parking at the folk festival" was answered confidently by the festival's ticket prices, "parking" met
    by "Priory Park", where the festival is held (the cinema owner's obituary writes "car park"). The same word as a
    name's ("the film awards" of "Academy Awards", "the union" of "European Union") is most often the thing the name
    is, and a name typed in lower case with its other words ("priory park") is that name."""
    asked = _term_set(question)
    typed = {term: fold(question[start:end]) for start, end, term in words(question) if question[start].islower()}
    outside: set[str] = set()
    names: list[dict[str, str]] = []
    for text in story:
        for sentence in sentences(text):
            end = 0
            for found in _NAME_RUN.finditer(sentence):
                start = found.start()
                if not sentence[:start].strip(" '\"\u2018\u201c("):
                    first = re.match(r"\S+\s*", found.group())
                    start += first.end() if first else 0
                if start < found.end():
                    outside |= _term_set(sentence[end:start])
                    name = sentence[start : found.end()]
                    names.append({term: fold(name[s:e]) for s, e, term in words(name)})
                    end = found.end()
            outside |= _term_set(sentence[end:])
    named = {
        term
        for term in typed.keys() - outside - frame_terms(question)
        if any(term in name for name in names)
        and all(
            not (name.keys() & asked) - {term} and _other_form(typed[term], name[term])
            for name in names
            if term in name
        )
    }
    return frozenset(term for term in named if any(term in _cases(text)[1] for text in texts))


def _other_form(word: str, other: str) -> bool:
    # Whether two words of one stem differ by more than a plural's or a possessive's ending ("parking", "park").
    return _PLURAL_END.sub("", word) != _PLURAL_END.sub("", other)


_PLURAL_END = re.compile(r"(?:['\u2019]s|ies|e?s|y)$")


# "Which shipyard ...?" asks which one: the word after "which", in lower case, before a verb (`told_only_as_some`); and
# that word written after a word introducing one not named ("a shipyard in Norway", "no British yard", not "a crime
# for American firms"), with no name beside it: after
# it, as a title or after a comma or "called" ("a shipyard, Baltic Marine,", "a shipyard called Baltic Marine", "a
# minister Jo Kelly"), or before it ("Ms Kelly, a Cabinet Office minister").
_ASKS_WHICH = re.compile(r"\b(?i:which)\s+(?P<asked>[a-z][\w'\u2019-]*)\s+(?P<verb>[\w'\u2019]+)")
_SOME = re.compile(
    r"\b(?:a|an|no|any|another|some)\s+(?:(?!(?:of|for|in|to|at|on|by|with|from|and|or)\b)[\w'\u2019-]+\s+){0,2}$",
    re.IGNORECASE,
)
_NAMED_AFTER = re.compile(r"\s*(?:,\s*|\s+(?:called|named)\s+|\s+)[\"'\u2018\u201c]?[A-Z]")
_NAMED_BEFORE = re.compile(r"[A-Z][\w'\u2019-]*,\s+(?:an?|another)\s+(?:[\w'\u2019-]+\s+){0,2}$")


def told_only_as_some(question: str, story: Sequence[str]) -> bool:
    """Whether a question asks which one of something ("which shipyard is building the ferries") that the paragraphs
    its answer shows of its story (`story`) write only as one not named ("a shipyard in Norway"): they tell that there
    is one, not which, and the answer is no confident one (`compose`). Of tests/data/harrowby that question was
    answered confidently (1.00) by the ferry operator's order "from a shipyard in Norway". False where they never
    write the word: a story names the one asked for in its own words ("Which aid charity ...?" of a charity's
    name)."""
    asked = _ASKS_WHICH.search(question)
    if asked is None or not (terms := _term_set(asked.group("asked"))):
        return False
    # The thing asked which one of is the word before the verb ("which shipyard is building", "which school won"), not
    # a word describing it ("which big change", "which American defence firm").
    verb = asked.group("verb")
    if not (re.fullmatch(_AUXILIARY, verb, re.IGNORECASE) or _written_done(verb)):
        return False
    written = [(text, start, end) for text in story for start, end, term in words(text) if term in terms]
    return bool(written) and all(
        _SOME.search(text, 0, start) is not None
        and _NAMED_BEFORE.search(text, 0, start) is None
        and _NAMED_AFTER.match(text, end) is None
        for text, start, end in written
    )


def all_dated_before(shown: Sequence[Passage], ranking: Ranking) -> bool:
    """Whether every passage an answer would show is of a story dated before the year the question asks of as "next
    year" (`Candidate.dated_before`), so that none of them tells of it and the answer is declined (`compose`). Not the
    first alone: "what will the council and the library do next year", asked in 2022 of tests/data/brackley_archive,
    was declined for its library story of 2021 though it showed the council's budget of 2022 for the year after."""
    dated_before = {(c.hit.article_id, c.hit.position): c.dated_before for c in ranking.candidates}
    return bool(shown) and all(dated_before.get((p.article.id, p.position), False) for p in shown)


def dated_before_note(ranking: Ranking) -> str:
    """Why a decline led by a passage of a story dated before the year asked of (`Candidate.dated_before`) declines:
    that story's year ("what is in next year's budget" of stories of 2021 and 2022: "The story it may be about is from
    2022."); nothing for any other."""
    first = ranking.candidates[0] if ranking.candidates else None
    article = ranking.articles.get(first.hit.article_id) if first is not None and first.dated_before else None
    if article is None or article.published is None:
        return ""
    return f" The story it may be about is from {article.published.year}."


def kept_to_followed(ranking: Ranking, own: str, followed: Collection[str], bar: float) -> Ranking:
    """The ranking of a follow-up (`own`: the reader's words) with the passages of the `followed` stories alone,
    when the reader points back at them ("when was that?", "when did she retire?", `points_back`) and they answer
    (`bar`) on their own evidence; as it was when they cannot. Searched with their headlines, other stories sharing
    the headlines' words came beside them: "when was that?" of a tsunami debt deal showed a G7 aid story too."""
    if not followed or not points_back(own):
        return ranking
    kept = replace(ranking, candidates=[c for c in ranking.candidates if c.hit.article_id in followed])
    return kept if kept.candidates and kept.best >= bar else ranking


def by_meaning_beside_words(candidate: Candidate, first: Passage, ranking: Ranking) -> bool:
    """Whether a candidate of another story than the `first` passage shown, typed words holding none of the
    question's words where the first holds some, would be shown by meaning alone without answering confidently on
    its own story's evidence (`Ranking.alone`). Under the one paragraph that writes "arsenal" (Russia's "nuclear
    missile arsenal"), "what about arsenal" showed a runner's two paragraphs as answering too: the encoder took the
    word for the football club (0.39, answerability 0.59). A question asked as one is left as it was: its answer
    may be in other words than its own."""
    return (
        not candidate.matched
        and not candidate.asks
        and bool(first.matched)
        and candidate.hit.article_id != first.article.id
        and ranking.alone(candidate) < CONFIDENT_ANSWERABILITY
    )


def _by_title(candidates: Sequence[Candidate], articles: Mapping[str, StoredArticle]) -> dict[str, StoredArticle]:
    """The candidates' stories in their order, a headline filed twice listed once."""
    titled: dict[str, StoredArticle] = {}
    for candidate in candidates:
        if (article := articles.get(candidate.hit.article_id)) is not None:
            titled.setdefault(_title_key(article), article)
    return titled


def answerable_first(ranking: Ranking, bar: float, question: str) -> Ranking:
    """The ranking, led by the first of its next LEAD_CANDIDATES passages that answers (`bar`) when the first does
    not, holding the same words of the `question` as it (or any, where the first holds only its frame's, when it
    writes what is asked: `writes_what_is_asked`).

    The ranker and the answerability weigh a passage apart, and near the top they can disagree: "what about the
    council?" of a town's stories ranked first a paragraph on bin collections that names the council (0.28), above
    one of the council budget story's (0.54), whose headline holds the question's one word: the ranker, whose
    coverage counts a headline's words for every paragraph under it, takes some of that back through the headline's
    share. The answer is judged by its first passage, and was declined. Where the words differ they choose, as
    the ranker did: passages holding fewer or other words of the question than the first answered five of the BBC
    questions that no article answers ("What is the capital of Australia?" with a story on Australia's rates). A
    first passage holding only words that frame the question (`Candidate.framed_only`) holds none of it, and gives
    way to one holding some: "where did the study take place" was declined of tests/data/first_week, led by a
    school "taken over by the Meadow Trust" (0.03), above "Researchers at the University of Reading followed the
    hedgehogs ..." (0.89); by words alone "how long is the road", led by a passage writing "long", is no question on
    the "roads" a residents' group says "could not cope" (no span). A letter is no word held: "how much e what" of
    first_week met the "e" of "e-reader" in the launch story's sums."""
    if ranking.best >= bar or not ranking.candidates:
        return ranking
    first = ranking.candidates[0]
    # One holding only the frame gives way to any that holds what is asked: of both weeks' stories together "where
    # did the study take place" led with the school "taken over", the two studies' places fourth and fifth.
    lead = len(ranking.candidates) if first.framed_only else LEAD_CANDIDATES
    for i, candidate in enumerate(ranking.candidates[1:lead], 1):
        held = candidate.matched == first.matched or (
            first.framed_only
            and any(len(term) > 1 for term in candidate.matched - frame_terms(question))
            and writes_what_is_asked(question, ranking.texts[candidate.hit.article_id, candidate.hit.position])
        )
        if held and ranking.answerability(candidate, ranking.best_cosine) >= bar:
            return replace(ranking, candidates=[candidate, *ranking.candidates[:i], *ranking.candidates[i + 1 :]])
    return ranking


@lru_cache(maxsize=1)
def _frames() -> tuple[tuple[Frame, list[tuple[str, ...]]], ...]:
    """Each frame with its words as `frame_terms` reads a question's: their terms, or a stopword as itself. Read on
    first need, as the stemmer loads: made on import, it cost every command nltk's import (stats, remove)."""
    with analysed_in("en"):  # English words, whatever library asks first
        return tuple((frame, [tuple(analyze(word)) or (word,) for word in frame.words]) for frame in QUESTION_FRAMES)


def _title_key(article: StoredArticle) -> str:
    return _headline_key(article.title)


@lru_cache(maxsize=4096)
def _headline_key(title: str) -> str:
    # Kept: a question reads each candidate's twice or more (`compose`), and copies of a story share theirs.
    return " ".join(title.casefold().split())


# Latin letters, accented ones included, end with Latin Extended-B.
_LAST_LATIN = "\u024f"
_LETTERED_WORD = re.compile(r"[^\W\d_][\w'\u2019]*")
# Spanish opens a question or an exclamation with these; no other language does.
_SPANISH_MARKS = frozenset("¿¡")
# Other languages' small words that names hold ("de la soul", "van der sar"): with none of the others, a name.
_NAME_PARTICLES = frozenset(
    {"al", "da", "de", "del", "della", "dem", "den", "der", "des", "di", "dos", "du", "el", "la", "las", "le", "les"}
    | {"los", "van", "von"}
)


def ask_in(language: str) -> str:
    """Said when a question asked in another language than the articles' (`language`) is declined: their language,
    named, or nothing where newsbot cannot name it. The command line's decline said "in English" of Spanish articles."""
    name = NAMES.get(language)
    return f" The articles are in {name}: please ask in {name}." if name else ""


def in_another_language(question: str, language: str = "en") -> bool:
    """Asked in another language than the articles' (`language`, `bot.store.language.library_language`), as far
    as a few words tell. Over English articles: at least half its words written in other letters than Latin ones
    (Cyrillic, Arabic, Chinese...), or at least two of the small words that other languages' questions hold
    (`OTHER_QUESTION_WORDS`: "ist", "qué", "pourquoi"), more than of English stopwords of two letters or more ("Was
    ist mit Yukos passiert?", "O que aconteceu com a Yukos?") and not only the particles of names ("de la soul"), or
    Spanish's "¿" or "¡". Over articles in another language, a question in English as those words tell the other
    way round ("Who won the chess championship?" over Spanish articles), or in other letters than theirs (all in
    Latin ones, where newsbot knows the language: "" is one it does not), unless it quotes words, theirs (the
    greeting's example, "What do we know about “Una niña de doce años gana el campeonato”?", was declined)."""
    if language != "en" and re.search(r"[“\"«„][^”\"»“]+[”\"»“]", question):
        return False
    folded = {fold(w) for w in _LETTERED_WORD.findall(question)}
    other = folded & OTHER_QUESTION_WORDS
    # A word of one letter ("a" and "o" of "O que aconteceu com a Yukos?") is Portuguese or Italian as much as English.
    english = {w for w in folded & STOPWORDS if len(w) > 1}
    if language != "en":
        # One the articles' language writes too is theirs: "was" and "im" of "Was ist im Hafen abgebrannt?" over
        # German articles told an English question, searched for its names alone.
        english -= small_words(language)
        return (bool(language) and in_another_script(question)) or (len(english) >= 2 and len(english) > len(other))
    if in_another_script(question) or _SPANISH_MARKS.intersection(question):
        return True
    return len(other) >= 2 and len(other) > len(english) and not other <= _NAME_PARTICLES


def cyrillic_terms(question: str) -> frozenset[str]:
    """The terms of a question's words in Cyrillic letters: of a question in another language, only these are
    looked at for how the articles write them ("Путин"); its other words are no misspellings of English ones
    ("Wetter" of "Und das Wetter?" is not "better")."""
    return frozenset(term for start, end, term in words(question) if _CYRILLIC.search(question[start:end]))


def in_another_script(question: str) -> bool:
    """At least half the words written in other letters than Latin ones (Cyrillic, Arabic, Chinese...), a word
    whole through its combining marks, and a name of several such words one word: written side by side in
    letters without case or capitalised ("What did नरेंद्र मोदी say about trade?" and "Why did Владимир
    Владимирович Путин resign?" are English questions; "मोदी" counted as "म" and "द", and the name as five words,
    asked the first in another language). A question wholly in other letters is one still ("Что сказал Путин?")."""
    count = other = 0
    name_end = -1
    for start, end in token_spans(question):
        word = question[start:end]
        if not any(ch.isalpha() for ch in word):
            continue
        named = not _latin(word) and (caseless(word) or word[0].isupper())
        if named and name_end >= 0 and question[name_end:start].isspace():
            name_end = end
            continue
        count += 1
        other += not _latin(word)
        name_end = end if named else -1
    return count > 0 and 2 * other >= count


def _latin(word: str) -> bool:
    return all(c <= _LAST_LATIN for c in word if c.isalpha())


def in_english(question: str, used: Collection[str], language: str = "en") -> str:
    """The names in a question asked in another language, as typed, once each: its capitalised words (`name_terms`;
    of a question in another script, not its words in letters without case), and in a question in another script
    its words whose terms the articles use (`used`: "Time Warner" of "Какая прибыль Time Warner?", and "Αθήνα" or
    "习近平", which English articles write beside a name they give in their own letters); "" for none. A name no
    article uses is kept, to decline the question ("Deutschen" of "Wie geht es der Deutschen Bank?" is not asked of
    every bank); other words of Latin-script languages that English articles use are false friends ("prix" of "le
    prix du pétrole", "la", "de"), left out, unless a sentence of their own plainly English (`said_in_english`,
    over English articles: "chess" of "¿quién ganó? chess", which was told to ask in English)."""
    other_script = in_another_script(question)
    names = name_terms(question)
    english = said_in_english(question) if language == "en" else frozenset()
    kept: dict[str, str] = {}
    for start, end, term in words(question):
        word = question[start:end]
        if fold(word) in OTHER_QUESTION_WORDS:
            continue
        if (
            (term in names and not (other_script and caseless(word)))
            or (other_script and term in used)
            or term in english
        ):
            kept.setdefault(word.casefold(), word)
    return " ".join(kept.values())


def said_in_english(question: str) -> frozenset[str]:
    """The terms of a question's sentences plainly in English, in one asked in another language: in no other
    language themselves (`in_another_language`), every word a common English word or capitalised, none a small word
    of other languages' questions or names ("chess" of "¿quién ganó? chess", "the chess title"; not "la final" of
    "¿qué? la final", nor "campeonato" of "¿Quién ganó el campeonato?", one sentence in Spanish)."""
    plain: set[str] = set()
    for sentence in sentences(question):
        typed = _LETTERED_WORD.findall(sentence)
        if in_another_language(sentence) or not all(
            (fold(word) in english_words() or word[0].isupper())
            and fold(word) not in OTHER_QUESTION_WORDS | _NAME_PARTICLES
            for word in typed
        ):
            continue
        plain.update(analyze(sentence))
    return frozenset(plain)


def as_typed(question: str, terms: Collection[str]) -> tuple[str, ...]:
    """The words of `question` that analyse to `terms`, as typed: once each whatever their case, in order."""
    typed: dict[str, str] = {}
    for start, end, term in words(question):
        if term in terms:
            typed.setdefault(question[start:end].casefold(), question[start:end])
    return tuple(typed.values())


# Words named in a decline, at most: the question's longest words are its rarest.
UNUSED_WORDS_SHOWN = 4


def no_article_uses(question: str, ranking: Ranking, shown: Sequence[Passage] = ()) -> str:
    """'No article uses "Brexit".', said after a decline: a misspelling shows, and so does a topic the articles
    never name (empty when every word is used). A word used only in headlines is not named: BM25 finds it there,
    so its article is among the candidates. Nor is a year a passage `shown` tells of by its story's date
    (`years_reached`): "what was the turnout in 2021" of tests/data/brackley_archive was a weak answer from the
    mayoral race of 2021 saying "No article uses the word “2021”"."""
    titles = (_term_set(article.title) for article in ranking.articles.values())
    reached = (years_reached(p.article.published.year if p.article.published else None, p.text) for p in shown)
    unused = ranking.unseen_terms.difference(*titles, *reached)
    return unused_words(as_typed(question, unused), ranking.respelt)


def unused_words(typed: Sequence[str], respelt: Mapping[str, str] | None = None) -> str:
    """The sentence naming `typed` (at most UNUSED_WORDS_SHOWN, the longest, in their order), and asking whether
    the reader meant the words `respelt` gives for any of them (keyed by the case-folded word); empty for none."""
    if not typed:
        return ""
    longest = set(sorted(typed, key=len, reverse=True)[:UNUSED_WORDS_SHOWN])
    shown = [w for w in typed if w in longest]
    said = f" No article uses {'the word' if len(shown) == 1 else 'the words'} {_listed(shown, 'or')}."
    return said + meant(found for w in shown if (found := (respelt or {}).get(w.casefold())))


def meant(words: Iterable[str]) -> str:
    """' Did you mean “Arsenal”?' for the words the articles use that a reader may have meant; empty for none."""
    listed = list(words)
    return f" Did you mean {_listed(listed, 'and')}?" if listed else ""


def _listed(items: Sequence[str], last: str) -> str:
    return spoken_list([f"\u201c{item}\u201d" for item in items], last)


def respelt_words(
    question: str, respelt: Mapping[str, str], asked: Container[str] | None = None
) -> dict[tuple[int, int], str]:
    """The spans of the question's words that `respelt` (`Ranking.respelt`: keyed by the case-folded word) gives
    a word the articles use for, with that word; with `asked` (`Ranking.asked_respelt`), only those whose respelling
    is asked: a name misspelt is asked after as the name the articles write, and a word as the one word the stories
    write that near, while another is only suggested ("ridden" as "hidden", `respellings`)."""
    return {
        (start, end): spelt
        for start, end, _ in words(question)
        if (spelt := respelt.get(typed := question[start:end].casefold())) and (asked is None or typed in asked)
    }


_WORD_RUN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def respelling(question: str, changes: Mapping[tuple[int, int], str], texts: Iterable[str]) -> Respelling:
    """The question with `changes` (`respelt_words`), and the words changed as the articles write them and as typed,
    each with the question's words beside it that `texts` (an answer's passages and headlines) write with it: "Maria
    Quinn (you wrote Mara Quinn)" of "who is Mara Quinn?", the name whole, as a reader knows it."""
    texts = list(texts)
    spans = [match.span() for match in _WORD_RUN.finditer(question)]

    def phrase(lo: int, hi: int) -> str:
        start, end = spans[lo][0], spans[hi][1]
        inside = {(s - start, e - start): w for (s, e), w in changes.items() if start <= s and e <= end}
        return rewritten(question[start:end], inside)

    def written(lo: int, hi: int) -> str | None:
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, phrase(lo, hi).split())) + r"(?!\w)", re.I)
        return next((found[0] for text in texts if (found := pattern.search(text))), None)

    def name(lo: int, hi: int) -> bool:
        # A name's words only: "the mayor is Maria Quinn" writes "is" beside her too, and a sentence "The UK Space
        # Agency" (of "the uk spacse agency").
        ends = question[slice(*spans[lo])], question[slice(*spans[hi])]
        return all(analyze(end) for end in ends) and all(w[0].isupper() for w in (written(lo, hi) or "a").split())

    runs: list[tuple[int, int]] = []
    for start, _ in sorted(changes):
        at = next((i for i, (s, _) in enumerate(spans) if s == start), None)
        if at is None or any(lo <= at <= hi for lo, hi in runs):
            continue
        lo = hi = at
        while hi + 1 < len(spans) and name(lo, hi + 1):
            hi += 1
        while lo > 0 and name(lo - 1, hi):
            lo -= 1
        runs.append((lo, hi))

    def shown(lo: int, hi: int) -> str:
        # A word no name as respelt ("street"), not as a name holding it writes it ("Quarry Street").
        start, end = spans[lo][0], spans[hi][1]
        named = any(w[0].isupper() for (s, e), w in changes.items() if start <= s and e <= end)
        return (written(lo, hi) if named else None) or phrase(lo, hi)

    return Respelling(
        rewritten(question, changes),
        spoken_list([shown(lo, hi) for lo, hi in runs], "and"),
        spoken_list([question[spans[lo][0] : spans[hi][1]] for lo, hi in runs], "and"),
    )


# Letters a misspelling is mended with (only words of unaccented letters are: accents are folded in the index).
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_APOSTROPHE = re.compile(r"['\u2019]")
# Paragraphs read for the way the articles write a word. The first few a stem's search gives often write only
# its other words ("created" of "create"): 5 left 14% of typos of BBC words without a suggestion, 20 leave 7%
# and suggest no more correct words (bench/spelling.py).
SPELLING_PARAGRAPHS = 20
# Shorter words have too many real words one edit away ("iPad" and "iPod") to guess which was meant from the word
# alone; a word of four letters is respelt only as one the articles write beside the question's next or previous word
# ("tiem warnr" as "time warner"), which says which was meant.
MIN_RESPELT_CHARS = 5
MIN_RESPELT_CHARS_BESIDE = 4
# A word's edits grow with its length, and stemming each with the square of it: a 1,000-letter "word" took minutes.
# English words of news are shorter ("counterintelligence" has 19 letters); so are the words a reader misspells.
MAX_RESPELT_CHARS = 24
# Words looked for per question: a decline names a few; a question of many unknown words ("xqzvw ...", another
# language) would otherwise cost a search per word.
MAX_RESPELT_WORDS = 5
# A word's edits that the articles use, most used first, read for whether they stand beside the question's
# neighbouring words: each costs a search.
MAX_BESIDE_TRIED = 6


def respellings(
    question: str, unseen: Collection[str], engine: Engine, store: Store, names: Collection[str] = frozenset()
) -> dict[str, str]:
    """The words the articles use that the question's `unseen` words (terms no paragraph has) may be misspellings
    of: for each such word of MIN_RESPELT_CHARS_BESIDE to MAX_RESPELT_CHARS unaccented letters that is not a word spelt
    right (`spelt_right`; the first MAX_RESPELT_WORDS of them, then of those spelt right, below), the word one edit
    away (`one_edit`) that a paragraph writes beside the question's word before or after it (that word, or one its own
    misspelling may be of: "tiem warnr" is "time warner", where "warn" is the edit most paragraphs hold), else, for a
    word of
    MIN_RESPELT_CHARS or more, the one whose term most paragraphs hold (`Idf.used`); as a paragraph holding it
    spells it ("yukos", not "yukoes", of the same stem).

    A name (of `names`, the terms of the words the question writes as names: `name_terms`) is respelt only as a name
    the articles write (capitalised within a sentence), whether or not it is a word spelt right: "who is Mara Quin?"
    of a story on Maria Quinn was declined, "No article uses the words “Mara” or “Quin”", meaning none ("mara" is a
    word of the encoder's). A name's word in the vocabulary, or written beside another name's word (a full name's),
    is respelt only as one the articles write beside its neighbour: "Peter Quint", whom no story names, is no "Quinn"
    of a "Maria Quinn", while "Maria Quint" is. So is any other word spelt right, as a name only, after the
    misspellings (of the MAX_RESPELT_WORDS): readers type names in lower case too ("who is mara quinn"). A name so
    respelt is asked after as the articles write it where the question as typed is declined or weak (`first_page`),
    and a reader asking after another person of a like name, whom no story names, is never answered about the one
    the articles name.

    Any other word is suggested after a decline, and searched for instead only where `sure_word` holds (the one word
    that near, the typed word no English word): read as corpus words, correct
    words the articles lack became others ("ridden" as "hidden", "iPad" as "iPod", "aerial" as "serial"). Of the
    project's 424 BBC questions, 15 have an unseen word one edit from a corpus word; the encoder's vocabulary, which
    holds most English words ("reset", "aerial", "ridden", "iphone"; the common words it lacks are listed too),
    leaving out names ("Higgs", "Elon Musk"), and asking that the suggestion be written so in an article ("speaks",
    not "speaking", for "steaks") leave one ("boson" as "Boston", of an unanswerable question).
    """
    # The question's kept words in order, each with its term and, for a word looked for, its edits' terms that the
    # articles use (most used first) and the edits of each.
    order: list[tuple[str, str]] = []
    looked: dict[str, bool] = {}  # each word looked for, with whether it is spelt right
    for start, end, term in words(question):
        word = question[start:end].casefold()
        order.append((word, term))
        lettered = word.isascii() and word.isalpha()
        if term in unseen and lettered and MIN_RESPELT_CHARS_BESIDE <= len(word) <= MAX_RESPELT_CHARS:
            looked.setdefault(word, spelt_right(word))
    # Words spelt right last: each is respelt only as a name, more seldom than a misspelling.
    edits_of = {w: _used_edits(w, engine) for w in sorted(looked, key=looked.__getitem__)[:MAX_RESPELT_WORDS]}
    named = {word for word, term in order if term in names}
    out: dict[str, str] = {}
    for word, edits in edits_of.items():
        alone = not (looked[word] or (word in named and _in_full_name(word, order, names)))
        beside = _neighbour_terms(word, order, edits_of, unseen)
        chosen = _beside(word, order, edits_of, unseen, engine, store) if edits else None
        if chosen is None and len(word) >= MIN_RESPELT_CHARS and alone and edits:
            chosen = next(iter(edits))  # the most used
        as_name = word in named or looked[word]
        # A misspelling typed capitalised and not in a full name may be a word ("what is the Goverment doing"),
        # where the stories write no name that near: suggested (`sure_word` asks no word typed as a name). Two
        # edits from a word only in English, whose lists tell a word spelt right ("alcaldesa" is no "alcalde").
        as_word = not looked[word] and alone
        if chosen is not None and (
            spelt := spelling(chosen, edits[chosen], engine, store, as_name, beside, typed=word)
            or (as_name and as_word and spelling(chosen, edits[chosen], engine, store, typed=word))
        ):
            out[word] = spelt
        elif not looked[word] and (
            twice := _two_edits(word, engine, store, beside, named=True, slipped=word in named)
            or (as_word and analysis_language() == "en" and _two_edits(word, engine, store, beside, named=False))
        ):
            # A full name's word only as one the articles write beside its neighbour, as for one edit.
            term, spelt = twice
            if alone or _beside(word, order, {**edits_of, word: {term: set()}}, unseen, engine, store):
                out[word] = spelt
    return out


# A word misspelt is asked as the word the stories write only where that word is written in at least this many
# paragraphs, or in one that writes another of the question's words too: a word one paragraph holds alone may be its
# own slip, or a rare word the reader did not mean.
MIN_ASKED_WORD_PARAGRAPHS = 2


def sure_word(word: str, spelt: str, question: str, engine: Engine, store: Store) -> bool:
    """Whether `word` (typed, case-folded), which `respellings` respelt as the word `spelt` (no name), is asked as
    `spelt`, as a search engine answers "morgage rates" for "mortgage": in an English library, where `word` is no word
    spelt right (`spelt_right`: "form" of "from", "their" of "there", "kidnappers" stay), of MIN_RESPELT_CHARS
    letters or more, typed as no name nor beside one, and `spelt` is the only word the stories write one edit away
    (or, with none there, the only one two edits away: `_two_edits`) and written in MIN_ASKED_WORD_PARAGRAPHS
    paragraphs or more, or in one paragraph that writes another of the question's words beyond its frame ("how long is
    the glacer above the village" of the one paragraph on the glacier above the village). Else it is only suggested:
    where two words are that near, the reader's is not known, and "What did Bakker say?" may ask after someone no
    story names, not a baker."""
    if spelt[0].isupper() or analysis_language() != "en" or spelt_right(word) or len(word) < MIN_RESPELT_CHARS:
        return False
    order = [(question[s:e].casefold(), t) for s, e, t in words(question)]
    names = name_terms(question)
    if any(w == word and t in names for w, t in order) or _in_full_name(word, order, names):
        return False
    terms = analyze(spelt)
    near = _used_edits(word, engine)
    if len(terms) != 1 or (near and list(near) != terms):
        return False
    hits = engine.search(Query(terms), MIN_ASKED_WORD_PARAGRAPHS)
    if len(hits) != 1:
        return len(hits) >= MIN_ASKED_WORD_PARAGRAPHS
    others = {t for w, t in order if w != word} - frame_terms(question) - set(terms)
    texts = store.paragraph_texts([(hits[0].article_id, hits[0].position)]).values()
    return any(others.intersection(analyze(text)) for text in texts)


def _neighbour_terms(
    word: str, order: Sequence[tuple[str, str]], edits_of: Mapping[str, Mapping[str, set[str]]], unseen: Collection[str]
) -> frozenset[str]:
    """The terms of the question's kept words (`order`) right before and after `word`: a word's own, or for one no
    paragraph uses, those of its edits (`edits_of`: "Quary Stret" is "Quarry Street")."""
    at = next(i for i, (w, _) in enumerate(order) if w == word)
    return _neighbour(order, at - 1, edits_of, unseen) | _neighbour(order, at + 1, edits_of, unseen)


def _neighbour(
    order: Sequence[tuple[str, str]], i: int, edits_of: Mapping[str, Mapping[str, set[str]]], unseen: Collection[str]
) -> frozenset[str]:
    """The terms the question's kept word at `i` of `order` may be: its own, or its edits' if no paragraph uses it."""
    if not 0 <= i < len(order):
        return frozenset()
    other, term = order[i]
    return frozenset(edits_of.get(other, {})) if term in unseen else frozenset({term})


def _in_full_name(word: str, order: Sequence[tuple[str, str]], names: Collection[str]) -> bool:
    """Whether the question's word before or after `word` (of its kept words, `order`) is a name's too."""
    at = next(i for i, (w, _) in enumerate(order) if w == word)
    return any(0 <= i < len(order) and order[i][1] in names for i in (at - 1, at + 1))


def _used_edits(word: str, engine: Engine) -> dict[str, set[str]]:
    """The terms of `word`'s edits that some paragraph holds, most used first, each with its edits."""
    edits: dict[str, set[str]] = {}
    for edit in one_edit(word):
        if len(terms := analyze(edit)) == 1:
            edits.setdefault(terms[0], set()).add(edit)
    used = used_terms(edits, engine)
    return {t: edits[t] for t in sorted(used, key=lambda t: (used[t], t))}


def used_terms(terms: Collection[str], engine: Engine) -> dict[str, float]:
    """The terms of `terms` some paragraph holds, with their idf: looked up MAX_QUERY_TERMS at a time (the index
    reads no more in one look)."""
    listed = sorted(terms)
    used: dict[str, float] = {}
    for at in range(0, len(listed), MAX_QUERY_TERMS):
        used |= engine.idf(listed[at : at + MAX_QUERY_TERMS]).used()
    return used


def _beside(
    word: str,
    order: Sequence[tuple[str, str]],
    edits_of: Mapping[str, Mapping[str, set[str]]],
    unseen: Collection[str],
    engine: Engine,
    store: Store,
) -> str | None:
    """The term of `word`'s edits (of the MAX_BESIDE_TRIED most used) that the most paragraphs (of the
    SPELLING_PARAGRAPHS each's search gives) write right after the question's word before it or right before its
    word after it (a word's own term, or for a word no paragraph uses, the terms of its edits); None when none
    does. Counted, not only found: "at the same time warned" puts "warn" beside "time" too."""
    at = next(i for i, (w, _) in enumerate(order) if w == word)
    before, after = _neighbour(order, at - 1, edits_of, unseen), _neighbour(order, at + 1, edits_of, unseen)
    if not before and not after:
        return None
    counts: dict[str, int] = {}
    for term in list(edits_of[word])[:MAX_BESIDE_TRIED]:
        hits = engine.search(Query(unique_terms([*before, term, *after])), SPELLING_PARAGRAPHS)
        texts = store.paragraph_texts((h.article_id, h.position) for h in hits).values()
        counts[term] = sum(
            any((a in before and b == term) or (a == term and b in after) for a, b in pairwise(analyze(text)))
            for text in texts
        )
    best = max(counts, key=counts.__getitem__)  # the most used of those counted alike
    return best if counts[best] else None


def spelling(
    term: str,
    forms: Container[str],
    engine: Engine,
    store: Store,
    named: bool = False,
    beside: Collection[str] = frozenset(),
    typed: str = "",
) -> str | None:
    """The one of `forms` (the typed word's edits that are words of `term`) that a paragraph holding `term`
    writes, as written there within a sentence ("Chelsea"), else lower-cased; of a `named` word, only one written
    capitalised within a sentence (a name). A stem is not a word, and another word of it ("speaking" for "speaks", one
    edit from "steaks") would not be the one the reader's typing was near; nor is a form no paragraph writes
    ("misereating", of "miserably"'s stem, one edit from "mistreating"). Of several forms written, the one nearest
    `typed` (the word as typed, case-folded: `_nearest`), else the first found.

    A word the articles write in lower case too, and capitalised only inside a name, right beside another capitalised
    word ("Street" of "Quarry Street", "Council" of "Pelsworth City Council"), is that name's word only where the
    question writes it beside one of the name's other words (`beside`, the terms of the question's words either side
    of it): "quarry stret" is "Quarry Street", while "when does the stret reopen" means the street, a word
    ("street", never a name), and "counsel" (spelt right) is no "Council" of "City Council"."""
    hits = engine.search(Query([term]), SPELLING_PARAGRAPHS)
    first: list[str] = []
    within: list[str] = []
    inside: list[str] = []  # written capitalised only beside other capitalised words
    lower = False
    for text in store.paragraph_texts((h.article_id, h.position) for h in hits).values():
        starts, spans = sentence_starts(text), token_spans(text)
        for start, end, found in words(text):
            written = _APOSTROPHE.split(text[start:end])[0]  # "Arsenal's"
            if found != term or written.casefold() not in forms:
                continue
            if start in starts:
                first.append(written.casefold())
            elif not written[0].isupper():
                lower = True
                within += [] if named else [written]
            elif not (partners := _capitalised_beside(text, spans, start)):
                within.append(written)
            elif partners & set(beside):
                return written  # the name the question writes
            else:
                inside.append(written)
    chosen = within or (inside if not lower else []) or ([] if named else first)
    return _nearest(typed, chosen) if chosen else None


def _nearest(typed: str, found: Sequence[str]) -> str:
    """The word of `found` nearest `typed`: the fewest edits apart, then one that a slip of fast typing makes `typed`
    of (`common_slip`), the first found of alike. "trais" is one edit from "train" and "trains": a dropped "n" of
    "trains" is a common slip, an "s" for an "n" (keys far apart) is not; "seast" is "seats" swapped, not "seat"
    with an "s" put in. Without `typed`, the first found."""
    if not typed:
        return found[0]
    return min(found, key=lambda w: (edits_apart(typed, w.casefold(), 2), not common_slip(typed, w.casefold())))


def common_slip(typed: str, meant: str) -> bool:
    """Whether `typed` is `meant` with one slip of those fast typing makes: a letter dropped, a letter typed twice,
    two neighbouring letters swapped, or a letter typed as a key beside it (`NEIGHBOUR_KEYS`)."""
    if len(typed) + 1 == len(meant):
        return any(meant[:at] + meant[at + 1 :] == typed for at in range(len(meant)))
    if len(typed) == len(meant) + 1:
        return any(typed[at] == typed[at - 1] and typed[:at] + typed[at + 1 :] == meant for at in range(1, len(typed)))
    differ = [at for at in range(len(typed)) if typed[at] != meant[at]] if len(typed) == len(meant) else []
    if len(differ) == 1:
        return typed[differ[0]] in NEIGHBOUR_KEYS.get(meant[differ[0]], "")
    first = differ[0] if len(differ) == 2 and differ[1] == differ[0] + 1 else None
    return first is not None and typed[first : first + 2] == meant[first + 1] + meant[first]


# Each letter's neighbours on a QWERTY keyboard, the keys a finger slips to.
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOUR_KEYS = {
    key: "".join(
        row[j]
        for r, row in enumerate(_KEY_ROWS)
        for j in range(len(row))
        if abs(r - at_row) <= 1 and abs(j - at) <= 1 and row[j] != key
    )
    for at_row, keys in enumerate(_KEY_ROWS)
    for at, key in enumerate(keys)
}


def _capitalised_beside(text: str, spans: Sequence[tuple[int, int]], start: int) -> set[str]:
    """The terms of the capitalised tokens right before and right after the token at `start` of `text` (`spans`,
    its tokens), only spaces between ("Quarry" of "Quarry Street"); empty for a word standing alone."""
    at = next(i for i, (s, _) in enumerate(spans) if s == start)
    pairs = [(spans[at - 1], spans[at])] if at else []
    pairs += [(spans[at], spans[at + 1])] if at + 1 < len(spans) else []
    out: set[str] = set()
    for (first, end), (begin, last) in pairs:
        other = text[first:end] if begin == spans[at][0] else text[begin:last]
        if other[0].isupper() and not text[end:begin].strip():
            out.update(analyze(other) or [other.casefold()])
    return out


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Russian and Ukrainian letters as English news writes names (BGN/PCGN, simplified): "Путин" is "Putin".
_LATIN_LETTERS = str.maketrans(
    dict(zip("абвгдезийклмнопрстуфыэіґ", "abvgdeziyklmnoprstufyeig", strict=True))
    | {"ё": "yo", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": ""}  # noqa: RUF001
    | {"ю": "yu", "я": "ya", "є": "ye", "ї": "yi"}
)
# Endings and beginnings written otherwise: "Ходорковский" is "Khodorkovsky", "Ельцин" "Yeltsin".
_LATIN_ENDINGS = re.compile(r"(?:ий|ый)$")
_LATIN_START = re.compile(r"^е")  # noqa: RUF001 (Cyrillic)


def in_latin_letters(word: str) -> str:
    """A word typed in Cyrillic letters as English news writes it in Latin ones, lower case ("Путин": "putin")."""
    word = _LATIN_START.sub("ye", _LATIN_ENDINGS.sub("y", word.casefold()))
    return word.translate(_LATIN_LETTERS)


def transliterations(question: str, unseen: Collection[str], engine: Engine, store: Store) -> dict[str, str]:
    """The words of the question typed in Cyrillic letters that no paragraph uses (`unseen`), case-folded, with
    the word the articles write in Latin letters for them, as a paragraph writes it ("Путин": "Putin"), when one
    does. Only suggested, as misspellings are (`respellings`): the articles are in English, and a reader who
    types a name in their own letters finds it as the articles write it."""
    out: dict[str, str] = {}
    for start, end, term in words(question):
        word = question[start:end]
        if term not in unseen or not _CYRILLIC.search(word):
            continue
        latin = in_latin_letters(word)
        terms = analyze(latin)
        used = len(terms) == 1 and terms[0] in engine.idf(terms).used()
        if used and (spelt := spelling(terms[0], {latin}, engine, store)):
            out[word.casefold()] = spelt
    return out


# A name misspelt by two edits ("Brodey" of "Brodie", "Gerasimoff" of "Gerasimov") is looked for only in words this
# long: a shorter word two edits off is as near to too many others. Only a name the articles write, and only where
# one is that near, never two.
MIN_TWO_EDITS_CHARS = 6
# A typed word's stem and a name's may be an edit further apart than the words ("kenedey" and "kennedi" of
# "Kennedy"): stems this far apart are read for the words their paragraphs write.
STEMS_APART = 3
# Terms read for names two edits off, nearest first (each costs a search): enough to find a second that near.
MAX_TWO_EDITS_TRIED = 8


def _two_edits(
    word: str,
    engine: Engine,
    store: Store,
    beside: Collection[str] = frozenset(),
    named: bool = True,
    slipped: bool = False,
) -> tuple[str, str] | None:
    """The term and the name as the articles write it (capitalised within a sentence, `spelling`) of the one name
    two edits or fewer from `word` (a reader's slip of a name: a swapped pair of letters and one more, a double
    letter, a sound-alike ending), among the terms beginning as it does; None where no name is that near, or two are
    ("Brodey" of a library naming both Aileen Brodie and Adrien Brody). Readers seldom slip on a name's first two
    letters, and the terms beginning with them are few enough to read (`Engine.terms_beginning`); where no name
    beginning so is that near, of a word typed as a name (`slipped`), the names whose first two letters hold one of
    the slips (`_slipped_beginnings`: "Herasimov" of "Gerasimov"; "grocer" typed in lower case was "Roger"). Not
    `named`, the one word or name that near, as a paragraph writes it
    ("goverrnmnet" of "government"), beginning as typed."""
    terms = analyze(word)
    if len(word) < MIN_TWO_EDITS_CHARS or len(terms) != 1:
        return None
    found = _near_among(engine.terms_beginning(word[:2]), word, terms[0], engine, store, beside, named)
    if not found and named and slipped:
        found = _near_among(_slipped_beginnings(word, engine), word, terms[0], engine, store, beside, named)
    return next(iter(found.values())) if len(found) == 1 else None


def _near_among(
    candidates: Iterable[str],
    word: str,
    term: str,
    engine: Engine,
    store: Store,
    beside: Collection[str],
    named: bool,
) -> dict[str, tuple[str, str]]:
    """The words (or names, `named`) two edits or fewer from `word` that the nearest MAX_TWO_EDITS_TRIED of
    `candidates` (terms, most used first) are written as, each case-folded with its term and as written."""
    apart = {t: edits_apart(t, term, STEMS_APART, beginning=True) for t in candidates}
    near = sorted((t for t in apart if apart[t] <= STEMS_APART), key=apart.__getitem__)  # the most used first of alike
    found: dict[str, tuple[str, str]] = {}
    for candidate in near[:MAX_TWO_EDITS_TRIED]:
        if spelt := spelling(candidate, _TwoEditsFrom(word), engine, store, named=named, beside=beside, typed=word):
            found.setdefault(spelt.casefold(), (candidate, spelt))
    return found


def _slipped_beginnings(word: str, engine: Engine) -> list[str]:
    """The terms beginning otherwise than `word`'s first two letters as a name would that one slip there made
    `word` of: its first letter another or dropped ("Herasimov", "erasimov" of "Gerasimov"), its second letter
    another or dropped (every term of its first letter), the two swapped, or a letter put in before or after the
    first ("Ggerasimov", "Gherasimov"); most used first within each beginning."""
    first, second, third = word[0], word[1], word[2]
    beginnings = [second + first, second + third, first + third]
    beginnings += [letter + after for letter in _LETTERS for after in (second, first)]
    beginnings += [first + letter for letter in _LETTERS]
    typed = word[:2]
    return list(dict.fromkeys(t for b in beginnings if b != typed for t in engine.terms_beginning(b)))


@dataclass(frozen=True)
class _TwoEditsFrom:
    """The words two edits or fewer from `word` (case-folded), as the forms `spelling` reads a term's words for."""

    word: str

    def __contains__(self, other: object) -> bool:
        return isinstance(other, str) and edits_apart(self.word, other, 2) <= 2


def edits_apart(a: str, b: str, most: int, beginning: bool = False) -> int:
    """The deletions, insertions, replacements and swaps of neighbouring letters that make `a` of `b` (each letter
    edited once), or of the nearest beginning of `b` (`beginning`: a stem of a misspelt word's, "fairweath" of
    "fairweahtecr", whose ending the stemmer did not know to cut), or `most` + 1 when more than `most` are needed."""
    # A beginning of `b` may be as short as `a`: only a longer `a` is too far by its length alone.
    if len(a) - len(b) > most or (len(b) - len(a) > most and not beginning):
        return most + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        previous, row = row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > most:
            return most + 1
        before = previous
    return min(min(row) if beginning else row[-1], most + 1)


def one_edit(word: str) -> set[str]:
    """The strings one deletion, swap of neighbours, replacement or insertion of a letter away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        | {a + c + b for a, b in splits for c in _LETTERS}
    ) - {word}


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """The whole words of the encoder's WordPiece vocabulary (lower case; continuation pieces left out)."""
    return frozenset(piece for piece in load_tokenizer().get_vocab() if not piece.startswith("##"))


def spelt_right(word: str) -> bool:
    """Whether `word` (case-folded) is no misspelling: a word of the lists (`_spelt_right`), or in English a common
    word (`english_words`, not the encoder's pieces: "mana" of "manaer") with a regular ending (`_bases`), a form the
    lists, of the commoner forms, may lack: "campaigners" of "campaign", "reopening" of "reopen", "apologised" of
    "apologise", "kidnappers" of "kidnap" (its last consonant doubled as English doubles it); never an irregular
    form's ("tores"). "kidnappers" was answered as "kidnapped", one edit from "kidnapers", in a library writing no
    kidnapper. Read by its ending, not its stem: a stem is shared by slips ("intersted" is "interstate"'s "interst",
    "grammarr" and "altarr" end as "kidnapp" does)."""
    if word in _spelt_right():
        return True
    return analysis_language() == "en" and any(
        base in english_words() and base not in BASE_FORMS
        for ending in _ENDINGS
        if word.endswith(ending)
        for base in _bases(word, ending)
    )


# Regular English endings of a listed word's forms the lists may lack.
_ENDINGS = ("s", "es", "ed", "er", "ers", "est", "ing", "ings", "ly", "ment", "ments", "ness")
# The shortest word an ending is read off: a shorter one with an ending is as near a slip ("dunners" of "dinners").
MIN_ENDED_CHARS = 4
_VOWELS = frozenset("aeiou")


def _bases(word: str, ending: str) -> set[str]:
    """The words `word` may be with `ending` added as English adds it: as is, after a silent "e" ("apologised"),
    a "y" written "i" ("worries"), or a last consonant doubled after a short vowel ("kidnapped"); "es" only after a
    hissing sound or "o" ("taxes", "heroes"; not a plural's "s": "mealses"), never "s" after "s" nor a vowel ending
    after "e" nor after "-ed": "skillss", "reversees", "spareed" and "owneds" are slips."""
    base = word[: -len(ending)]
    twice = (ending[0] == "s" and base[-1] == "s") or (ending[0] == "e" and base[-1] == "e")
    if len(base) < MIN_ENDED_CHARS or base.endswith("ed") or twice:
        return set()
    # A "y" after a consonant is written "i" before an ending but "s" and "ing" ("worries", "worrying"; "trais" is
    # no "trays").
    y = {base[:-1] + "y"} if base[-1] == "i" and base[-2] not in _VOWELS and ending not in ("s", "ing") else set()
    if ending == "es" and not (base.endswith(_BEFORE_ES) and not re.search(r"[^aiosu]s$", base)):
        return y
    bases = {base} | y
    if ending[0] in _VOWELS:
        bases.add(base + "e")
        # One vowel between consonants, the last doubled: "kidnapp" (never after two vowels: "trainn" is a slip).
        if base[-1] == base[-2] not in _VOWELS and base[-3] in _VOWELS and base[-4] not in _VOWELS:
            bases.add(base[:-1])
    return {b for b in bases if len(b) >= MIN_ENDED_CHARS}


_BEFORE_ES = ("s", "x", "z", "ch", "sh", "o")


@lru_cache(maxsize=1)
def _spelt_right() -> frozenset[str]:
    """Words no misspelling: those of the encoder's vocabulary (`_vocabulary`) and the English words listed as common
    (`english_words`), which that vocabulary, of Wikipedia and books, lacks where they are newer or plainer: "kindle"
    of a library that writes "kindly" got "Did you mean “kindly”?". Misspellings are rarer than the list's words
    (twice per million): "recieve" and "untill" are used about once per million."""
    return _vocabulary() | english_words()


# A follow-up is read with the stories of the message it replies to: an answer shows at most this many.
FOLLOWED_STORIES = 3
_DIGIT = re.compile(r"\d")


def follow_up(
    question: str,
    followed: Sequence[tuple[StoredArticle, Sequence[str]]],
    engine: Engine,
    store: Store,
    semantic: Semantic | None = None,
    seen: Collection[tuple[str, int]] = (),
) -> str:
    """The text to search for a follow-up ("who bought it?", "when was that?") asked in reply to an answer or an
    article about the `followed` stories (each with its paragraphs): the question with their headlines, so that
    both first stages find those stories and the second picks the passages of them that answer it.

    A follow-up that names a new subject is not asked of those stories: a name none of them uses, capitalised in
    the question ("What about Gull Island?", `name_terms`) or in the articles ("what about arsenal?",
    `written_as_names`), words none of them uses typed as keywords or turned to, pointing nowhere back ("six
    nations", "and cricket?" of a tennis match; not "and the score?": `names_a_subject`), or words none of them
    uses that a story of another category answers confidently ("what about the apple harvest?" of a rail strike;
    "what was the score?" of a tennis final is answered by a rugby match's, and "how much was he fined?" of a
    football manager by another's fine, which are no new subject). It is asked of the story about that subject
    that the followed stories point to, when one does (`turned_to`: "and in France?" of a strike in Britain is the
    strike in France, not France's wine harvest), else alone, and then a reply that turns to it ("and in France?",
    "what about the six nations?") as what it names (`named_part`): asked as a question, a place or a name alone
    was met by no passage closely enough to be answered.
    Searched alone, a short follow-up found whatever story used its one word. The headlines' numbers are left out:
    the reader did not ask after them, and a passage without them would count as missing a number asked about
    (`number_missing`). The paragraphs of those stories that the answer replied to showed (`seen`: article id and
    position) are named after the headlines (`with_seen`), to be shown only when nothing else answers (`fresh`).
    """
    if not followed:
        return question
    told = frozenset().union(*(_term_set(a.title).union(*map(_term_set, texts)) for a, texts in followed))
    searched = f"{question} ({'; '.join(_headline(a.title) for a, _ in followed)})"
    if len(searched) > MAX_QUESTION_CHARS:
        return question
    alone = named_part(question) or question
    if named := name_terms(question) - told:
        return turned_to(question, searched, named, engine, store, semantic) or alone
    own = own_terms(_WHAT_NEXT.sub(" ", question))
    categories = {a.category.casefold() for a, _ in followed}
    # A reply pointing back ("is this true?", "is that so?") asks of what it replies to, however confidently another
    # category's story answers its other words alone: on the BBC stories, "is this true?" of a takeover showed a
    # film "the true blue British one". A word the stories write as part of a compound is theirs too: "what did the
    # head say?" of a school's story writing "Headteacher Gareth Penhale said" was asked alone, and answered
    # confidently by the shipped story's "head of the general staff".
    unknown = own - told
    unknown -= in_compounds_of(unknown, [t for a, texts in followed for t in (a.title, *texts)])
    if unknown and (
        names_a_subject(question)
        or _new_subject(
            question, unknown, unknown == own and not points_back(question), categories, engine, store, semantic
        )
    ):
        return turned_to(question, searched, unknown, engine, store, semantic) or alone
    asks_since = (
        bool(_ASKS_SINCE.search(question))
        or asks_of_ahead(question, own - LIGHT_VERBS, followed)
        or asks_whether_ahead(question)
    )
    if (asks_since or unknown) and (
        later := told_since(question, followed, unknown, engine, store, semantic, asks_since)
    ):
        # The later story first: a short reply reads its lead story first (`read_first`).
        since = f"{question} ({'; '.join(_headline(t.title) for t in [later, *(a for a, _ in followed)])})"
        searched = since if len(since) <= MAX_QUESTION_CHARS else searched
    return with_seen(searched, seen)


# A reply asking what has become of the story since ("has it held?", "is she still in prison?", "has it fallen
# further?", "what happened next?"): the answer is a later story's, which news files as a follow-up under its own
# headline ("Shells kill nine as truce is broken" of a ceasefire agreed). Asked with the replied story's headline
# alone, its passages led: of tests/data/world_desk 11 of 17 replies were so. So is a reply of words the replied
# stories never write that a later story of the event writes ("what was the turnout?" of a by-election called, "was
# he found guilty?" of a trial opening): of tests/data/council_desk 26 of 29 replies were answered by the replied
# story's passages, none answering.
# The share of the replied stories' headline terms (by idf) a later story's passage holds to follow them up.
SINCE_SHARE = 0.5
# The share a later story writing words of a reply that the replied stories never write holds to follow them up, of
# a reply in another tense than the present (`told_since`).
WRITTEN_SHARE = 0.25
# "What happens next?", "what will happen next?", "what's next?" ask what came after in a word the replied story
# need not write, and that names no subject of its own: "what happens next?" of a wind farm refused was asked alone
# as a new subject ("next" no word of the story), answered by an A&E unit "next to the emergency department", and
# "what happened next?" was declined (tests/data/health_desk).
_WHAT_NEXT = re.compile(
    r"\bwhat(?:['\u2019]s|\s+is|\s+comes|\s+happened|\s+happens|\s+will\s+happen|\s+is\s+happening)\s+next\b",
    re.IGNORECASE,
)
# "And then?", "then what?", "what then?" alone ask what came after, as "what happened next?" does: "and then?" in
# reply to a rail strike suspended was told to tap "More" (`bot.tg.ask`), and searched, its own passages led.
_THEN = re.compile(r"^\W*(?:(?:ok|okay|so|and|um)\W+)*(?:then\s+what|what\s+then|then)\W*$", re.IGNORECASE)


def asks_then(reply: str) -> bool:
    """Whether a `reply` only asks what came after ("and then?", "so then what", "what then?")."""
    return _THEN.match(reply) is not None


# "Is it over?", "are they appealing?", "is it going ahead?" ask how things stand now, as "has it ...?" asks what
# has happened: a story filed later tells it. "Did it happen again?" asks of a later time too. Neither named a word
# the replied story does not write, and its own passages led ("would consider an appeal" for the appeal lodged).
_ASKS_SINCE = re.compile(
    r"^\s*(?:has|have)\s+(?:it|he|she|they|that|this|the\s+\w+)\b"
    r"|^\s*(?:is|are)\s+(?:it|he|she|they|that|this|the\s+\w+)\s+(?:over|\w+ing)\b"
    r"|\b(?:still|yet|now|further|since|afterwards|eventually|again|anymore|any\s+more|in\s+the\s+end)\b"
    r"|\bwhat\s+happened\s+(?:then|after|to)\b|" + _WHAT_NEXT.pattern + "|" + _THEN.pattern,
    re.IGNORECASE,
)
# A reply asking what happened again or in the end asks for the last of the later stories of the event, not the
# next: "has it flooded again since?" of a flood took its clean-up, four weeks before the second flood, and "were
# the libraries closed in the end?" of a budget proposed its consultation, not the vote (tests/data/health_desk,
# council_desk).
_ASKS_LAST = re.compile(r"\b(?:again|eventually|in\s+the\s+end)\b", re.IGNORECASE)
# A reply in the present tense asks of the story as it was told ("what does he look like?" of a prisoner escaped,
# "how many jobs are affected?"), even in words it never writes; one in another tense, of such words, asks what
# came of it ("who replaced her?" of a chief executive resigning, "what was the verdict?" of a trial opening).
# The tense is its verb group's, told by the first auxiliary or modal ("will" of "what will they do about it?",
# where "do" is the verb, as of "what did the developer do next?"), else by a verb after "who" or "what" ("who
# replaces her?"): read by any "is", "are", "do" anywhere, those two were read as asking of the story as told.
_FINITE = re.compile(
    r"\b(?:(is|are|am|does|do)|was|were|did|has|have|had|will|would|shall|should|can|could|may|might|must)\b"
    r"|\b(?:what|who|where|when|why|how|it|he|she|that|there)(['\u2019](?:s|re|m))\b"
    r"|^\s*(?:who|what)\s+(?!(?:was|has|does)\b)(\w+[^s\W]s)\b",
    re.IGNORECASE,
)


# A reply asking in the past tense ("did", "was", "were", "had": the verb group's, `_FINITE`) of what the story it
# replies to tells only as ahead asks what came of it, which a later story tells: "what sentence did he get?" of a
# verdict whose story writes "will be sentenced on 30 November", "how long did it go on for?" of a hosepipe ban that
# "will ban the use of hosepipes from Friday". Its words were all the replied story's, none asking since, and that
# story's passages were shown (tests/data/council_desk, health_desk).
_PAST = frozenset({"did", "was", "were", "had"})
# A reply asking whether what its story tells as ahead will happen ("will they strike?" of teachers offered a pay
# rise as their union prepares to ballot, "will it go ahead?" of an airport's plans) asks what came of it, which the
# event's next story tells (the ballot short of its threshold, the plans approved); the replied story's passages led,
# its own "would ballot" or "applied for planning permission". Not one asking when, how much or who ("when will it
# be built?", "how much will it cost?"), which the story as told answers: read so, two desks' such replies lost first
# place to a later story (tests/data/transport_desk, sports_desk, pellingham).
_FUTURE = frozenset({"will", "shall"})
# "Is there going to be a cull?", "are they going to charge for parking?" are told in the future, by "going to" a verb
# ("are they going to the match?" is not).
_GOING_TO = re.compile(r"\bgoing\s+to\s+(?!(?:the|a|an|his|her|their|my|our|your)\b)[a-z]", re.IGNORECASE)
_ASKS_WH = re.compile(r"\b(?:what|who|whom|whose|which|where|when|why|how)\b", re.IGNORECASE)


def asks_of_ahead(reply: str, words: frozenset[str], followed: Sequence[tuple[StoredArticle, Sequence[str]]]) -> bool:
    """Whether a `reply` in the past tense asks of what the `followed` stories (each with its paragraphs) tell only as
    ahead: every clause of theirs writing its `words` (its own, not its frame nor a light verb) looks forward
    (`_only_ahead`), or, of a reply with none, the first sentence of the first story's lede does: the news it was filed
    for is still to come."""
    finite = _FINITE.search(reply)
    if finite is None or finite.group(0).casefold() not in _PAST or not followed:
        return False
    if words:
        # Its words written as done are no sign of it here: "will be sentenced" writes "sentence" so.
        return _only_ahead([text for _, texts in followed for text in texts], words, frozenset())
    lede = next(iter(sentences(followed[0][1][0])), "") if followed[0][1] else ""
    return _LOOKS_AHEAD.search(lede) is not None and _NOT_AHEAD.search(lede) is None


def in_present(reply: str) -> bool | None:
    """Whether a `reply` is in the present tense, by the finite verb of its verb group (`_FINITE`), not "going to" a
    verb ("are they going to charge for parking?" is the future); None where no auxiliary, modal or verb after "who"
    or "what" tells it ("who won?", "how many people use it?")."""
    finite = _FINITE.search(reply)
    if finite is None:
        return None
    return finite.lastindex is not None and _GOING_TO.search(reply, finite.end()) is None


def asks_whether_ahead(reply: str) -> bool:
    """Whether a `reply` asks whether something ahead will happen: "will they strike?", "so will it go ahead", "is
    there going to be a cull?" (its verb group's tense the future, `_FINITE`, and no question word before it)."""
    finite = _FINITE.search(reply)
    if finite is None or _ASKS_WH.search(reply, 0, finite.start()):
        return False
    return finite.group(0).casefold() in _FUTURE or (
        finite.lastindex is not None and _GOING_TO.search(reply, finite.end()) is not None
    )


def told_since(
    question: str,
    followed: Sequence[tuple[StoredArticle, Sequence[str]]],
    unknown: frozenset[str],
    engine: Engine,
    store: Store,
    semantic: Semantic | None,
    asks_since: bool,
) -> StoredArticle | None:
    """The story that follows up the `followed` ones for a reply asking what has happened since (`asks_since`:
    `_ASKS_SINCE`, asking in the past tense of what they tell only as ahead, `asks_of_ahead`, or whether something
    ahead will happen, `asks_whether_ahead`) or of words they never write (`unknown`), else None. Of the stories
    found of the reply and their headlines, published after them all, whose passage found holds at least half the
    weight (`SINCE_SHARE`, by idf) of their headlines' terms, else of those a paragraph writes (the same event named
    again: "Kordovia", "eastern" and "ceasefire"), those writing some of `unknown` first, the earliest: the next
    story of the event, not a later one the reply's other words meet ("has it held?" of a ceasefire led by "12
    civilians held by the rebels" of a prisoner swap two weeks on, where the truce broken was the next story), or
    the last of a reply asking what happened again or in the end (`_ASKS_LAST`). Of a reply of words they never
    write, the earliest of their desk (`category`) writing some of them ("was he found guilty?" of a trial opening
    is its verdict; "was the sale approved?" of a sale planned is the cabinet's vote, not the march against it
    between), else, of a reply told in another tense than the present (`in_present`), the earliest of their desk
    writing some of them, filed on a later day, whose passage holds a quarter of that weight (`WRITTEN_SHARE`), else,
    of a reply not in the present tense, the earliest of the event: "who replaced her?" of a chief executive
    resigning is the interim chief named, whose story never writes "replace"."""
    dates = [a.published for a, _ in followed]
    if any(d is None for d in dates):
        return None
    newest = max(d for d in dates if d is not None)
    ids = {a.id for a, _ in followed}
    # A headline's number is its own telling, which the next story tells anew: of "Homes flooded in Oxley Cross as
    # 87mm of rain falls in a day" (87mm a rare term) the second flood's passage held 0.44, as `follow_up` searches
    # the headlines without their numbers.
    told = frozenset().union(*(_term_set(_headline(a.title)) for a, _ in followed))
    idf = engine.idf(sorted(told))
    weights = idf.weights
    whole = sum(weights.get(t, 0.0) for t in told)
    # A word no paragraph writes is the headline's own telling, which no later story repeats: "Councillors reject
    # Crossfell wind farm against officers' advice" (no paragraph writes "reject" or "advice") left the appeal's
    # passage, writing "Crossfell wind farm", a third of its weight, and "what happens next?" was answered by the
    # refusal (tests/data/health_desk). Read without them only where no story holds half of the whole: so read
    # throughout, the town hall's sale approved lost to the budget passed a week before it (tests/data/council_desk).
    told_by_paragraphs = sum(w for t in told if (w := weights.get(t, 0.0)) < idf.never)
    try:
        ranking = search(Request(f"{question} {' '.join(a.title for a, _ in followed)}"), engine, store, semantic)
    except QuestionError:
        return None
    later = [
        (sum(weights.get(t, 0.0) for t in candidate.matched & told), article)
        for candidate in ranking.candidates
        if (article := ranking.articles[candidate.hit.article_id]).id not in ids
        and article.published is not None
        and article.published > newest
    ]
    # The words of the later stories of the replied ones' desks, read once, of a reply with words of its own: a story
    # of another desk tells of another event ("who called it?" of a rail strike in Britain is not asked of a strike
    # in France the same day, whose unions "called a national strike").
    desks = {a.category.casefold() for a, _ in followed}
    same_desk = [a.id for _, a in later if a.category.casefold() in desks] if unknown else []
    stories = store.with_paragraphs(list(dict.fromkeys(same_desk))) if same_desk else []
    writes = {a.id for a, texts in stories if unknown & _term_set(" ".join((a.title, *texts)))}
    pick = max if _ASKS_LAST.search(question) else min
    events = [[a for held, a in later if held >= SINCE_SHARE * weight > 0] for weight in (whole, told_by_paragraphs)]
    # Of the event's later stories, those writing the reply's words the replied ones never write first: "will it
    # reopen on time?" of a bridge closed is the delay's "will not reopen until February", not the traders' losses
    # filed between, which hold more of the headline.
    asked = next(
        (found for event in events if (found := [a for a in event if a.id in writes] or (event if asks_since else []))),
        [],
    )
    # A reply told in another tense, of words a later story of the desk writes, asks of that story though its
    # passage holds under half the headline's weight: the event named again in fewer of its words ("Dmitri Shevchuk
    # denies manslaughter of apprentice ..." of "Builder charged with manslaughter over Old Quay scaffold death", 0.30,
    # for "how did he plead?"; the appeal of "Councillors reject Quayside Point tower by seven votes to four", 0.47,
    # for "what did the developer do next?"). Not of one in the present tense nor one whose tense is not told ("how
    # many people use it?"), which ask of the story as told. Nor of a story filed the same day, the same news told
    # again: "how long did it last?" of a cloud outage was asked of a wire's story of it three hours on (0.35), which
    # writes "lasting" where the outage's writes "for about".
    present = in_present(question)
    if not asked and present is False:
        asked = [
            a
            for held, a in later
            if a.id in writes
            and held >= WRITTEN_SHARE * told_by_paragraphs > 0
            and a.published is not None
            and a.published.date() > newest.date()
        ]
    if not asked and not present:
        asked = next(filter(None, events), [])
    return pick(asked, key=lambda a: (a.published, a.id)) if asked else None


def turned_to(
    question: str,
    searched: str,
    subject: frozenset[str],
    engine: Engine,
    store: Store,
    semantic: Semantic | None,
) -> str:
    """The text to search for a follow-up that names a new `subject` (its terms, which the stories it follows never
    use): the question with the headline of the story on that subject that the followed ones point to, else "".

    The follow-up is searched with the followed stories' headlines (`searched`), and the first passage found that
    holds the whole subject names that story when it answers confidently on its own story's evidence
    (`Ranking.alone`): "and in France?" of a rail strike in Britain finds the strike in France before France's wine
    harvest (alone, neither answered "and in France?" at all), and of a tennis match a British player's final in
    France. A passage that holds the subject only by chance is not confident so ("what about Germany?" of the
    strike, met by carmakers' job cuts): the reply names something else, and is searched alone."""
    try:
        ranking = search(Request(searched), engine, store, semantic)
    except QuestionError:
        return ""
    holding = next((c for c in ranking.candidates if subject <= c.matched), None)
    if holding is None or ranking.alone(holding) < CONFIDENT_ANSWERABILITY:
        return ""
    return f"{question} ({_headline(ranking.articles[holding.hit.article_id].title)})"


# Words of a reply that point back to the story it follows ("and her age", "his transfer fee"), and those that doubt
# it ("really?", "seriously?": read as naming a new subject, they were searched alone and met no article).
_BACK = frozenset(
    {"he", "her", "here", "him", "his", "it", "its", "she", "that", "their", "them", "then", "there", "these"}
    | {"they", "this", "those"}
    | {"really", "seriously", "truly"}
)


# A reply that turns to something else: "and cricket?", "what about golf?", "how about in France?".
_TURN = re.compile(r"\s*(?:(?:and\s+)?(?:what|how)\s+about|and)\s+", re.IGNORECASE)
# After a turn these point back too: "and the score?" asks that match's, "and today?" the same story's news.
_TURNED_BACK = _BACK | {"the", "today", "yesterday", "tomorrow", "earlier", "later", "else", "other", "others"}


def names_a_subject(reply: str) -> bool:
    """Whether a reply only names something: typed as keywords ("six nations", "cricket results") or turned to
    ("and cricket?", "what about golf?", "and in France?"), not asked, and with no word that points back to the
    story it follows ("her coach", "and the score?")."""
    named = named_part(reply)
    back = _TURNED_BACK if _TURN.match(reply) else _BACK
    return bool(named) and not asks(named) and not {fold(w) for w in _LETTERED_WORD.findall(named)} & back


def points_back(reply: str) -> bool:
    """Whether a reply has a word pointing back to the story it follows ("is this true?", "why did he resign?")."""
    return bool({fold(w) for w in _LETTERED_WORD.findall(reply)} & _BACK)


def named_part(reply: str) -> str:
    """What a reply that turns to something names ("in France" of "and in France?", "the six nations" of "what
    about the six nations?"; "" of "and ?"); any other reply as it is."""
    turned = _TURN.match(reply)
    return reply[turned.end() :].rstrip(" ?!.") if turned else reply


def _headline(title: str) -> str:
    return " ".join(w for w in title.split() if not _DIGIT.search(w))


def split_follow_up(text: str, articles: Mapping[str, StoredArticle]) -> tuple[str, tuple[str, ...]]:
    """The reader's own words of a follow-up's text (`follow_up`) and the ids of those of `articles` whose headlines
    it names after them, in brackets, in the order named (the answer's first story first); the text and none for a
    question that names none so. Read from the text, so that "More" pages a follow-up's answer in the same order
    (the text is what is kept for it); a reader who types a headline in brackets after a question asks it of that
    story all the same."""
    if not text.endswith(")"):
        return text, ()
    by_headline: dict[str, list[str]] = {}
    for article_id, article in sorted(articles.items()):
        by_headline.setdefault(_headline(article.title), []).append(article_id)
    start = text.find(" (")
    while start > 0:
        named = text[start + 2 : -1].split("; ")
        if all(headline in by_headline for headline in named):
            return text[:start], tuple(dict.fromkeys(i for headline in named for i in by_headline[headline]))
        start = text.find(" (", start + 1)
    return text, ()


def own_terms(reply: str) -> frozenset[str]:
    """The evidence terms of a follow-up's own words that ask something of it: not those that only frame it
    (`frame_terms`: "how much?" asks for an amount, which the story gives as "£20m")."""
    return evidence_terms(reply) - frame_terms(reply)


# The paragraphs an answer replied to showed, after a follow-up's headlines: " [seen <article id>:<position> ...]".
_SEEN = re.compile(r" \[seen((?: [0-9a-f]+:\d+)+)\]$")


def with_seen(searched: str, seen: Collection[tuple[str, int]]) -> str:
    """A follow-up's text (`follow_up`) naming the paragraphs the answer it replies to showed, so that its answer
    and every "More" page of it (the text is what is kept for them) leave them out alike (`fresh`); the text
    alone when it would grow too long to be asked."""
    if not seen:
        return searched
    marked = f"{searched} [seen {' '.join(f'{a}:{p}' for a, p in sorted(seen))}]"
    return marked if len(marked) <= MAX_QUESTION_CHARS else searched


def split_seen(text: str) -> tuple[str, frozenset[tuple[str, int]]]:
    """The text of a follow-up without the paragraphs it names as seen (`with_seen`), and those."""
    marked = _SEEN.search(text)
    if marked is None:
        return text, frozenset()
    keys = (key.rsplit(":", 1) for key in marked[1].split())
    return text[: marked.start()], frozenset((article_id, int(position)) for article_id, position in keys)


def seen_paragraphs(
    lines: Sequence[str], followed: Sequence[tuple[StoredArticle, Sequence[str]]]
) -> frozenset[tuple[str, int]]:
    """The paragraphs of the `followed` stories that an answer's text (its `lines`, as a reader sees them) shows:
    a line that is a whole paragraph, or part of one cut to fit (`render.answers.trim` marks the cut with "…")
    of at least SHOWN_MIN_WORDS words."""
    shown = {" ".join(line.strip().removeprefix("…").removesuffix("…").split()) for line in lines}
    # Counted once: a shorter line is taken only for a whole paragraph.
    parts = [line for line in shown if len(line.split()) >= SHOWN_MIN_WORDS]
    found: set[tuple[str, int]] = set()
    for article, paragraphs in followed:
        for position, paragraph in enumerate(paragraphs):
            text = " ".join(paragraph.split())
            if text in shown or any(part in text for part in parts):
                found.add((article.id, position))
    return frozenset(found)


def fresh(
    ranking: Ranking, own: frozenset[str], seen: Collection[tuple[str, int]], min_answerability: float
) -> Ranking:
    """The ranking of a follow-up (`own`: the terms of the reader's own words, `own_terms`) without its `seen`
    paragraphs (those the answer it replies to showed), when the passage it then shows first answers as well: as
    confidently (if the answer was confident, else at all), and holding as many of the reader's own words as any of
    them. A reader replying to an answer asks for something new ("who bought it?" of a takeover showed the lede
    above again before the paragraph naming the buyer); when only those answer ("how many passengers?" of the
    paragraph that said), they are shown again. A reply with no words of its own ("when?", "where?") has only
    their meaning to tell what answers it, which put the seen paragraph first: "when?" of a cup final showed the
    goals, not the paragraph saying "on Saturday" again; so has a reply whose own words the followed stories never
    write ("when did it start?" of a tournament played "on Sunday")."""
    if not seen or not own:
        return ranking

    def held(candidate: Candidate) -> int:
        return len(own & _term_set(ranking.texts[candidate.hit.article_id, candidate.hit.position]))

    followed = {article_id for article_id, _ in seen}
    if not any(held(c) for c in ranking.candidates if c.hit.article_id in followed):
        return ranking
    shown = [c for c in ranking.candidates if (c.hit.article_id, c.hit.position) in seen]
    others = replace(
        ranking, candidates=[c for c in ranking.candidates if (c.hit.article_id, c.hit.position) not in seen]
    )
    bar = CONFIDENT_ANSWERABILITY if ranking.best >= CONFIDENT_ANSWERABILITY else min_answerability
    if not others.candidates or others.best < bar:
        return ranking
    return others if held(others.candidates[0]) >= max(map(held, shown), default=0) else ranking


# A block of a message found whole in a paragraph marks it as that article's, from this many words: shorter ones
# ("The case continues.") are written in many stories.
SHOWN_MIN_WORDS = 6
# Paragraphs looked at for a block: its own, and the same story filed again.
SHOWN_CANDIDATES = 5


def shown_articles(blocks: Sequence[str], engine: Engine, store: Store) -> list[str]:
    """The articles a message of the bot's shows paragraphs of (`blocks`: its text's paragraphs): a full article
    sent in several messages, where only the last names its link and an article without one names none. Its
    longest block is looked up by its words, and taken for a paragraph, or part of one cut between two messages,
    that holds it as written; [] for a message that shows none (a digest, /help)."""
    longest = max(blocks, key=len, default="")
    if len(longest.split()) < SHOWN_MIN_WORDS:
        return []
    shown = " ".join(longest.split())
    terms = list(dict.fromkeys(analyze(shown)))[:MAX_QUERY_TERMS]
    hits = engine.search(Query(terms), SHOWN_CANDIDATES)
    texts = store.paragraph_texts((h.article_id, h.position) for h in hits)
    return list(dict.fromkeys(a for (a, _), text in texts.items() if shown in " ".join(text.split())))


# A word of a follow-up the articles capitalise this often is a name ("Six Nations", though "nations" is written
# small elsewhere): its stories are another subject.
MOSTLY = 0.5


def _new_subject(
    question: str,
    unknown: frozenset[str],
    only_unknown: bool,
    categories: Collection[str],
    engine: Engine,
    store: Store,
    semantic: Semantic | None,
) -> bool:
    """Whether the terms of a follow-up that the stories it follows never use (`unknown`) name a new subject: the
    passages found for the question alone write one of them as a name, or (`only_unknown`: it has no other terms)
    the question alone is answered confidently, first by a story of none of the (folded) `categories`.

    The names are read in the passages its words find (those the vectors add do not hold them): a search by words
    alone costs a fifteenth of one with the vectors (bench/follow_ups.py), which only a question of unknown words
    alone pays, for the confidence of its answer."""
    try:
        ranking = search(Request(question), engine, store)
        if written_as_names(unknown, ranking.texts.values(), MOSTLY):
            return True
        if not only_unknown:
            return False
        if semantic is not None:
            ranking = search(Request(question), engine, store, semantic)
    except QuestionError:
        return False
    if not ranking.candidates:
        return False
    top = ranking.articles[ranking.candidates[0].hit.article_id]
    return ranking.best >= CONFIDENT_ANSWERABILITY and top.category.casefold() not in categories


def answer(
    request: Request,
    engine: Engine,
    store: Store,
    min_answerability: float,
    semantic: Semantic | None = None,
    now: datetime | None = None,
) -> Answer:
    """Find the passages for a request asked at `now` (the clock's by default; see `search`, `compose` and
    `first_page`)."""
    if not request.offset:
        return first_page(request, engine, store, min_answerability, semantic, now)[1]
    return later_pages(request, engine, store, min_answerability, semantic, now).page(request, min_answerability)


def first_page(
    request: Request,
    engine: Engine,
    store: Store,
    min_answerability: float,
    semantic: Semantic | None = None,
    now: datetime | None = None,
) -> tuple[Request, Answer]:
    """The first page of `request` (offset 0), and the request it answers: the question as typed, or where that is
    declined or weak, the question with the names the articles write for those it misspells (`respelt_words`) when
    that is not declined (`Answer.respelt` says so), as a search engine answers a misspelt name: "who is Mara
    Quinn?" was declined, "Did you mean “Maria”?", of a story on Maria Quinn. Only a name no paragraph writes is
    respelt, and only as one the articles write (`respellings`): "Mark Quin", where a story writes him too, is asked
    as typed. Where the answer stays the typed question's, the question with every word suggested is
    `Answer.suggested`, for a button to ask. A question dictated is read as typed first (`spoken.read_as_typed`: its
    fillers out, its numbers said in words in figures as the articles write them), in English: German's "um" is a
    word."""
    language = library_language(store)
    if language == "en" and not in_another_language(request.question, language):
        request = replace(request, question=read_as_typed(request.question, lambda t: engine.idf(t).used().keys()))
    ranking = search(request, engine, store, semantic, now)
    typed = compose(request, ranking, min_answerability)
    if (typed.confident and typed.found) or not ranking.respelt:
        return request, typed
    asked = split_seen(request.question)[0]
    texts: list[str] = []
    if named := respelt_words(asked, ranking.respelt, ranking.asked_respelt):
        again = replace(request, question=rewritten(asked, named) + request.question[len(asked) :])
        answered = compose(again, search(again, engine, store, semantic, now), min_answerability)
        if answered.found:
            return again, replace(answered, respelt=respelling(asked, named, answer_texts(answered)))
        texts = answer_texts(answered)
    every = respelt_words(asked, ranking.respelt)
    texts += [*answer_texts(typed), *ranking.texts.values()]
    return request, replace(typed, suggested=respelling(asked, every, texts) if every else None)


def answer_texts(answer: Answer) -> list[str]:
    """The passages and headlines an answer shows, which write a name as the articles do (`respelling`)."""
    return [*(p.text for p in answer.passages), *(p.article.title for p in answer.passages)] + [
        a.title for a in answer.closest
    ]


class LaterPages(NamedTuple):
    """What every page after the first of a question is composed from (`compose`): the ranking, deep enough for
    the last page, the first page's passages, which lead it, and the request that page answers (`first_page`: the
    question as typed, or respelt)."""

    ranking: Ranking
    lead: tuple[Passage, ...]
    first: Request
    respelt: Respelling | None = None

    def page(self, request: Request, min_answerability: float) -> Answer:
        """The page `request` (the question as typed, at its offset) asks for."""
        asked = replace(request, question=self.first.question)
        return replace(compose(asked, self.ranking, min_answerability, self.lead), respelt=self.respelt)


def later_pages(
    request: Request,
    engine: Engine,
    store: Store,
    min_answerability: float,
    semantic: Semantic | None = None,
    now: datetime | None = None,
) -> LaterPages:
    """The ranking and lead of a later page of `request` (its offset past the first page's) asked at `now`, alike
    for them all."""
    # The first page searched no deeper than it shows, and a later page deeper: the first page's passages lead the
    # list the later pages continue, which shows each once (one of them came again further down).
    first, lead = first_page(replace(request, offset=0), engine, store, min_answerability, semantic, now)
    ranking = search(replace(request, question=first.question), engine, store, semantic, now)
    return LaterPages(ranking, lead.passages, first, lead.respelt)
