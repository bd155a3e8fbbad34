"""Retrieval: a question in, the passages that answer it out (or a clear "nothing answers that")."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from bot.analysis import STOPWORDS, analyze, fold, sentences
from bot.config import MAX_ANSWER_SIZE, MAX_PASSAGES, MAX_QUESTION_CHARS
from bot.errors import QuestionError
from bot.index import Engine, Query
from bot.models import Answer, Hit, Passage
from bot.store import Store

log = logging.getLogger(__name__)

# Candidates fetched per passage shown: enough to fill the answer after the per-article limit.
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


# Second-stage weights: BM25 plus the question's total idf times (coverage of the paragraph and headline +
# coverage of the paragraph's best sentence). Tuned on one random half of SQuAD's questions, checked on the other.
RERANK_COVERAGE = 1.0
RERANK_SENTENCE = 1.0
# A paragraph continues the one before it and the article's lede ("he", "the company" refer back there):
# question words found there, and not in the paragraph itself, count at this weight.
RERANK_CONTEXT = 0.6


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
class Ranked:
    """A candidate paragraph after the second stage."""

    hit: Hit
    score: float
    coverage: float
    matched: frozenset[str]


def context_keys(hits: Sequence[Hit]) -> list[tuple[str, int]]:
    """The paragraphs `rerank` reads: each candidate, the one before it and its article's first."""
    keys = [(h.article_id, h.position) for h in hits]
    keys += [(h.article_id, p) for h in hits if h.position > 0 for p in (h.position - 1, 0)]
    return list(dict.fromkeys(keys))


def rerank(
    hits: Sequence[Hit], idf: Mapping[str, float], texts: Mapping[tuple[str, int], str], headlines: Mapping[str, str]
) -> list[Ranked]:
    """Reorder BM25 candidates by how much of the question they hold: whole, in their best sentence, in context.

    BM25 rewards a paragraph that repeats one rare word; a reader wants the one that answers all of the
    question, ideally in one sentence. `texts` holds the paragraphs of `context_keys(hits)`. Candidates
    without text (deleted meanwhile) are dropped.
    """
    total = sum(idf.values())
    ranked = []
    for hit in hits:
        text, headline = texts.get((hit.article_id, hit.position)), headlines.get(hit.article_id)
        if text is None or headline is None:
            continue
        share, found = coverage(idf, text, headline)
        best = max((sum(v for t, v in idf.items() if t in terms) for terms in _sentence_term_sets(text)), default=0.0)
        context = 0.0
        if hit.position > 0:
            for before in {texts.get((hit.article_id, hit.position - 1)), texts.get((hit.article_id, 0))} - {None}:
                context = max(context, sum(idf[t] for t in (frozenset(idf) & _term_set(str(before))) - found))
        score = hit.score + RERANK_COVERAGE * total * share + RERANK_SENTENCE * best + RERANK_CONTEXT * context
        ranked.append(Ranked(hit, score, share, found))
    ranked.sort(key=lambda r: r.score, reverse=True)
    return ranked


def answer(request: Request, engine: Engine, store: Store, min_coverage: float) -> Answer:
    """Find the passages for a request; weak evidence gives an Answer with no passages and closest headlines.

    BM25 scores are not comparable across questions, so a passage is shown only when it holds at least
    `min_coverage` of the question's information: a question about something the articles never mention
    then gets "nothing answers that" instead of whichever paragraph shares its commonest word.
    """
    terms = question_terms(request.question)
    query = Query(terms, request.category, request.since, request.until)
    wanted = request.offset + request.k
    hits = engine.search(query, max(MIN_CANDIDATES, wanted * CANDIDATES_PER_PASSAGE))
    idf = engine.idf(terms)
    articles = store.articles(h.article_id for h in hits)
    texts = store.paragraph_texts(context_keys(hits))
    chosen: list[Passage] = []
    per_article: dict[str, int] = {}
    seen_texts: set[str] = set()
    for ranked in rerank(hits, idf, texts, {i: a.title for i, a in articles.items()}):
        hit = ranked.hit
        text = texts[(hit.article_id, hit.position)]
        used = per_article.get(hit.article_id, 0)
        if ranked.coverage < min_coverage or (request.per_article is not None and used >= request.per_article):
            continue
        # Newsrooms file the same story twice; the reader should see a paragraph once.
        if (normalized := " ".join(text.casefold().split())) in seen_texts:
            continue
        seen_texts.add(normalized)
        per_article[hit.article_id] = used + 1
        chosen.append(Passage(articles[hit.article_id], hit.position, text, ranked.score, ranked.matched))
    if not chosen:
        closest = list(dict.fromkeys(h.article_id for h in hits))[:CLOSEST_HEADLINES]
        reason = "Nothing in the articles answers that." if hits else "No article mentions any of those words."
        if request.category or request.since or request.until:
            reason += " (The search was limited by category or date.)"
        return Answer(request.question, (), tuple(articles[i] for i in closest if i in articles), reason=reason)
    return Answer(
        request.question,
        tuple(chosen[request.offset : wanted]),
        more=max(0, len(chosen) - wanted),
        offset=request.offset,
    )
