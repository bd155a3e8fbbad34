"""Retrieval: a question in, the passages that answer it out (or a clear "nothing answers that")."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from bot.analysis import STOPWORDS, analyze, fold, sentences
from bot.config import MAX_ANSWER_SIZE, MAX_PASSAGES, MAX_QUESTION_CHARS
from bot.errors import QuestionError
from bot.index import Engine, Query
from bot.models import Answer, Hit, Passage, StoredArticle
from bot.semantic import Semantic
from bot.store import Store

log = logging.getLogger(__name__)

# Candidates fetched per passage shown, from BM25 and from the vectors each: enough to fill the answer after
# the per-article limit.
CANDIDATES_PER_PASSAGE = 8
MIN_CANDIDATES = 30
CLOSEST_HEADLINES = 3
_WORD = re.compile(r"\w", re.UNICODE)


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
        # A tampered "More" button or a script must not make one question cost a search of the whole corpus.
        if not 1 <= self.k <= MAX_ANSWER_SIZE:
            raise QuestionError(f"Ask for between 1 and {MAX_ANSWER_SIZE} passages at a time.")
        if not 0 <= self.offset <= MAX_PASSAGES - self.k:
            raise QuestionError(f"Only the first {MAX_PASSAGES} passages of an answer can be shown; please ask again.")


def question_terms(question: str, max_chars: int = MAX_QUESTION_CHARS) -> list[str]:
    """The analysed terms of a question, or a QuestionError saying in words why it cannot be searched."""
    text = question.strip()
    if not text:
        raise QuestionError("Please type a question, for example: What did the central bank decide?")
    if len(text) > max_chars:
        raise QuestionError(f"That question is {len(text):,} characters long; please ask in at most {max_chars:,}.")
    terms = analyze(text)
    if terms:
        return terms
    if not _WORD.search(text):
        raise QuestionError("That has no words to search for. Try a question such as: Who won the election?")
    words = [w for w in re.findall(r"\w+", fold(text)) if w in STOPWORDS]
    shown = ", ".join(dict.fromkeys(words[:6]))
    raise QuestionError(
        f"That question only has common words ({shown}) that every article uses. Add a name, a place or a topic."
    )


@dataclass(frozen=True)
class Weights:
    """How the second stage adds up a candidate's evidence (every feature is a 0..1-ish share of the question).

    `bm25` weighs the engine's score over the question's total idf; `coverage`, `sentence` and `context` the
    share of the question's idf found in the paragraph and headline, in its best sentence, and (only for words
    missing from the paragraph) in the paragraph before it or the article's lede, which "he" or "the company"
    refer back to; `cosine` the encoder's similarity of question and paragraph; `fusion` the reciprocal ranks
    in the BM25 and the vector lists (RRF, scaled so rank 1 in one list is worth 1).
    """

    bm25: float = 1.0
    coverage: float = 1.0
    sentence: float = 1.0
    context: float = 0.6
    cosine: float = 0.0
    fusion: float = 0.0


# BM25 and word coverage alone: tuned on one random half of SQuAD's questions, checked on the other.
LEXICAL_WEIGHTS = Weights()
# With the encoder: tuned on one half of the project's own BBC questions (bench/quality.py), reported on both.
SEMANTIC_WEIGHTS = Weights(bm25=1.0, coverage=0.5, sentence=0.5, context=0.6, cosine=4.0, fusion=0.0)
RRF_K = 60


@dataclass(frozen=True)
class Answerability:
    """A calibrated chance that a passage answers the question: a logistic of its evidence.

    Coverage and cosine say how much of the question the passage holds, in words and in meaning; `unseen` is
    the share of the question's information in words no paragraph has ever used (Brexit, bitcoin), and
    `number` says a number the question asks about (a year, mostly) is missing from the passage and its
    context. Fitted on the tuning half of the project's BBC questions, answerable and not (bench/quality.py
    --tune); one score per answer, so a question asked in other words is not declined for that alone.
    """

    bias: float
    coverage: float
    cosine: float
    unseen: float
    number: float
    complete: float = 0.0

    def __call__(self, candidate: Candidate) -> float:
        z = self.bias + self.coverage * candidate.coverage + self.cosine * (candidate.cosine or 0.0)
        z += self.unseen * candidate.unseen + self.number * candidate.number_missing
        z += self.complete * (candidate.coverage >= COMPLETE)
        return 1.0 / (1.0 + math.exp(-z))


LEXICAL_ANSWERABILITY = Answerability(bias=0.67, coverage=2.01, cosine=0.0, unseen=-5.48, number=-6.75)
# Its coverage weights are set, not fitted (the fit gives them ~0 on the BBC questions; set, they cost nothing
# there): a passage holding every word of a short question ("Dempsey") is an answer even when the encoder,
# made for sentences, finds one name far from a paragraph.
ANSWERABILITY_COVERAGE = 2.0
ANSWERABILITY_COMPLETE = 3.0
COMPLETE = 0.999
SEMANTIC_ANSWERABILITY = Answerability(
    bias=-6.78,
    coverage=ANSWERABILITY_COVERAGE,
    cosine=16.23,
    unseen=-5.26,
    number=-5.43,
    complete=ANSWERABILITY_COMPLETE,
)
UNSEEN_FULL_AT = 10_000
# Answers below this answerability (and above the decline threshold) are shown as weaker: "These passages may
# help", with the closest headlines.
CONFIDENT_ANSWERABILITY = 0.8


@lru_cache(maxsize=50_000)
def _term_set(text: str) -> frozenset[str]:
    return frozenset(analyze(text))


@lru_cache(maxsize=50_000)
def _sentence_term_sets(text: str) -> tuple[frozenset[str], ...]:
    return tuple(_term_set(s) for s in sentences(text))


def coverage(idf: Mapping[str, float], text: str, headline: str) -> tuple[float, frozenset[str]]:
    """Share of the question's information (idf mass) that a paragraph and its headline contain, and which terms."""
    found = frozenset(idf) & (_term_set(text) | _term_set(headline))
    total = sum(idf.values())
    return (sum(idf[t] for t in found) / total if total else 0.0), found


@dataclass(frozen=True)
class Candidate:
    """A paragraph from either first stage, with the evidence the second stage weighs."""

    hit: Hit
    matched: frozenset[str]
    bm25: float = 0.0
    coverage: float = 0.0
    sentence: float = 0.0
    context: float = 0.0
    cosine: float | None = None
    lexical_rank: int | None = None
    dense_rank: int | None = None
    # Share of the question's idf in words the corpus never uses; whether a number it asks about is missing.
    unseen: float = 0.0
    number_missing: bool = False

    def score(self, weights: Weights) -> float:
        fusion = sum(RRF_K / (RRF_K + r) for r in (self.lexical_rank, self.dense_rank) if r is not None)
        return (
            weights.bm25 * self.bm25
            + weights.coverage * self.coverage
            + weights.sentence * self.sentence
            + weights.context * self.context
            + weights.cosine * (self.cosine or 0.0)
            + weights.fusion * fusion
        )


def context_keys(keys: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The paragraphs the second stage reads: each candidate, the one before it and its article's first."""
    wanted = list(keys)
    wanted += [(a, p) for a, position in keys if position > 0 for p in (position - 1, 0)]
    return list(dict.fromkeys(wanted))


_NUMBER = re.compile(r"\d+")


def evidence(
    hits: Sequence[Hit],
    idf: Mapping[str, float],
    texts: Mapping[tuple[str, int], str],
    headlines: Mapping[str, str],
    dense: Sequence[tuple[str, int, float]] = (),
    cosines: Mapping[tuple[str, int], float] | None = None,
    unseen: float = 0.0,
) -> list[Candidate]:
    """The evidence for BM25 `hits` and `dense` (article, position, cosine) candidates, merged, in no order.

    `texts` holds the paragraphs of `context_keys`; candidates without text or headline (deleted meanwhile)
    are dropped. `cosines` holds the similarity of lexical candidates the vector search did not return.
    """
    total = sum(idf.values()) or 1.0
    merged = {(h.article_id, h.position): h for h in hits}
    lexical_ranks = {key: rank for rank, key in enumerate(merged, 1)}
    dense_ranks: dict[tuple[str, int], int] = {}
    found_cosines = dict(cosines or {})
    for rank, (article_id, position, cosine) in enumerate(dense, 1):
        merged.setdefault((article_id, position), Hit(article_id, position, 0.0))
        dense_ranks[(article_id, position)] = rank
        found_cosines[(article_id, position)] = cosine
    out = []
    for key, hit in merged.items():
        text, headline = texts.get(key), headlines.get(key[0])
        if text is None or headline is None:
            continue
        share, found = coverage(idf, text, headline)
        best = max((sum(v for t, v in idf.items() if t in terms) for terms in _sentence_term_sets(text)), default=0.0)
        context = 0.0
        around = found
        if hit.position > 0:
            for before in {texts.get((hit.article_id, hit.position - 1)), texts.get((hit.article_id, 0))} - {None}:
                terms = frozenset(idf) & _term_set(str(before))
                context = max(context, sum(idf[t] for t in terms - found))
                around |= terms
        out.append(
            Candidate(
                hit,
                found,
                bm25=hit.score / total,
                coverage=share,
                sentence=best / total,
                context=context / total,
                cosine=found_cosines.get(key),
                lexical_rank=lexical_ranks.get(key),
                dense_rank=dense_ranks.get(key),
                unseen=unseen,
                number_missing=any(_NUMBER.fullmatch(t) for t in frozenset(idf) - around),
            )
        )
    return out


def rank(candidates: Sequence[Candidate], weights: Weights) -> list[Candidate]:
    """Candidates best first (ties keep BM25's order, then the vectors')."""
    return sorted(candidates, key=lambda c: c.score(weights), reverse=True)


def _matches(article: StoredArticle, request: Request) -> bool:
    if request.category and article.category.casefold() != request.category.casefold():
        return False
    if request.since and (article.published is None or article.published < request.since):
        return False
    return not (request.until and (article.published is None or article.published > request.until))


@dataclass(frozen=True)
class Ranking:
    """Everything one question's second stage found: candidates best first, their articles and texts."""

    candidates: list[Candidate]
    articles: dict[str, StoredArticle]
    texts: dict[tuple[str, int], str]
    weights: Weights
    answerability: Answerability
    lexical_hits: int

    @property
    def best(self) -> float:
        """The answer's answerability: that of its best passage (0 with no candidates)."""
        return self.answerability(self.candidates[0]) if self.candidates else 0.0


def search(request: Request, engine: Engine, store: Store, semantic: Semantic | None = None) -> Ranking:
    """Both first stages (BM25, and the vectors when `semantic` is given), merged and ordered by the second."""
    terms = question_terms(request.question)
    query = Query(terms, request.category, request.since, request.until)
    depth = max(MIN_CANDIDATES, (request.offset + request.k) * CANDIDATES_PER_PASSAGE)
    hits = engine.search(query, depth)
    idf = engine.idf(terms)
    # The idf of a word no paragraph has (both engines give it at least this). That a word is missing from a
    # handful of paragraphs says little ("say" where they all wrote "said"), so it counts in full only from
    # UNSEEN_FULL_AT paragraphs on.
    paragraphs = engine.count()
    never = math.log((paragraphs + 0.5) / 0.5) - 1e-9
    unseen = sum(v for v in idf.values() if v >= never) / (sum(idf.values()) or 1.0)
    unseen *= min(1.0, paragraphs / UNSEEN_FULL_AT)
    dense: list[tuple[str, int, float]] = []
    cosines: dict[tuple[str, int], float] = {}
    stored = {} if semantic is None else semantic.vectors.vectors((h.article_id, h.position) for h in hits)
    if len(stored) < len(hits):
        # Some candidates have no vector yet (they are being made in the background): by words alone, on one
        # scale, until they have.
        semantic = None
    if semantic is not None:
        vector = semantic.embed_question(request.question)
        filtered = bool(request.category or request.since or request.until)
        # Filters apply after the vector search: fetch more when they may throw many away.
        dense = semantic.vectors.search(vector, depth * 4 if filtered else depth)
        if filtered:
            found = store.articles(a for a, _, _ in dense)
            dense = [d for d in dense if d[0] in found and _matches(found[d[0]], request)][:depth]
        cosines = {key: float(v @ vector) for key, v in stored.items()}
    keys = list(dict.fromkeys([*((h.article_id, h.position) for h in hits), *((a, p) for a, p, _ in dense)]))
    articles = store.articles(a for a, _ in keys)
    texts = store.paragraph_texts(context_keys(keys))
    candidates = evidence(hits, idf, texts, {i: a.title for i, a in articles.items()}, dense, cosines, unseen)
    if semantic is not None:
        weights, answerability = SEMANTIC_WEIGHTS, SEMANTIC_ANSWERABILITY
    else:
        weights, answerability = LEXICAL_WEIGHTS, LEXICAL_ANSWERABILITY
    return Ranking(rank(candidates, weights), articles, texts, weights, answerability, len(hits))


def compose(request: Request, ranking: Ranking, min_answerability: float) -> Answer:
    """The answer a ranking gives: its passages, or "nothing answers that" with the closest headlines.

    One calibrated answerability score decides: an answer whose best passage scores below `min_answerability`
    says that nothing in the articles answers the question; other passages are shown when they score at least
    that too (so a weak tail does not pad a good answer). Below CONFIDENT_ANSWERABILITY the passages are shown
    as weaker evidence, with the closest headlines. Every page of one question ranks the same way, so "More"
    continues the same list.
    """
    wanted = request.offset + request.k
    closest_ids = list(dict.fromkeys(c.hit.article_id for c in ranking.candidates))[:CLOSEST_HEADLINES]
    closest = tuple(ranking.articles[i] for i in closest_ids if i in ranking.articles)
    best = ranking.best
    if not ranking.candidates or best < min_answerability:
        reason = (
            "Nothing in the articles answers that."
            if ranking.lexical_hits
            else "No article mentions any of those words."
        )
        if request.category or request.since or request.until:
            reason += " (The search was limited by category or date.)"
        return Answer(request.question, (), closest, reason=reason)
    chosen: list[Passage] = []
    per_article: dict[str, int] = {}
    seen_texts: set[str] = set()
    for candidate in ranking.candidates:
        hit = candidate.hit
        used = per_article.get(hit.article_id, 0)
        if request.per_article is not None and used >= request.per_article:
            continue
        if chosen and ranking.answerability(candidate) < min_answerability:
            continue
        text = ranking.texts[(hit.article_id, hit.position)]
        # Newsrooms file the same story twice; the reader should see a paragraph once.
        if (normalized := " ".join(text.casefold().split())) in seen_texts:
            continue
        seen_texts.add(normalized)
        per_article[hit.article_id] = used + 1
        article = ranking.articles[hit.article_id]
        chosen.append(Passage(article, hit.position, text, candidate.score(ranking.weights), candidate.matched))
    confident = best >= CONFIDENT_ANSWERABILITY
    return Answer(
        request.question,
        tuple(chosen[request.offset : wanted]),
        closest=() if confident else closest,
        more=max(0, len(chosen) - wanted),
        offset=request.offset,
        confident=confident,
    )


def answer(
    request: Request, engine: Engine, store: Store, min_answerability: float, semantic: Semantic | None = None
) -> Answer:
    """Find the passages for a request (see `search` and `compose`)."""
    return compose(request, search(request, engine, store, semantic), min_answerability)
