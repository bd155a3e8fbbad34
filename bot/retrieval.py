"""Retrieval: a question in, the passages that answer it out (or a clear "nothing answers that")."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from bot.analysis import STOPWORDS, analyze, fold
from bot.config import MAX_QUESTION_CHARS
from bot.errors import QuestionError
from bot.index import Engine, Query
from bot.models import Answer, Passage
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


def question_terms(question: str, max_chars: int = MAX_QUESTION_CHARS) -> list[str]:
    """The analysed terms of a question, or a QuestionError saying in words why it cannot be searched."""
    text = question.strip()
    if not text:
        raise QuestionError("Please type a question, for example: What did the central bank decide?")
    if len(text) > max_chars:
        raise QuestionError(f"That question is {len(text):,} characters long; please ask in at most "
                            f"{max_chars:,}.")
    terms = analyze(text)
    if terms:
        return terms
    if not _WORD.search(text):
        raise QuestionError("That has no words to search for. Try a question such as: Who won the election?")
    words = [w for w in re.findall(r"\w+", fold(text)) if w in STOPWORDS]
    shown = ", ".join(dict.fromkeys(words[:6]))
    raise QuestionError(f"That question only has common words ({shown}) that every article uses. "
                        "Add a name, a place or a topic.")


@lru_cache(maxsize=50_000)
def _term_set(text: str) -> frozenset[str]:
    return frozenset(analyze(text))


def coverage(idf: dict[str, float], text: str, headline: str) -> tuple[float, frozenset[str]]:
    """Share of the question's information (idf mass) that a paragraph and its headline contain, and which terms."""
    found = frozenset(idf) & (_term_set(text) | _term_set(headline))
    total = sum(idf.values())
    return (sum(idf[t] for t in found) / total if total else 0.0), found


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
    texts = store.paragraph_texts((h.article_id, h.position) for h in hits)
    chosen: list[Passage] = []
    per_article: dict[str, int] = {}
    for hit in hits:
        article, text = articles.get(hit.article_id), texts.get((hit.article_id, hit.position))
        used = per_article.get(hit.article_id, 0)
        if article is None or text is None or (request.per_article is not None and used >= request.per_article):
            continue
        share, found = coverage(idf, text, article.title)
        if share < min_coverage:
            continue
        per_article[hit.article_id] = used + 1
        chosen.append(Passage(article, hit.position, text, hit.score, found))
    if not chosen:
        closest = list(dict.fromkeys(h.article_id for h in hits))[:CLOSEST_HEADLINES]
        reason = "Nothing in the articles answers that." if hits else "No article mentions any of those words."
        if request.category or request.since or request.until:
            reason += " (The search was limited by category or date.)"
        return Answer(request.question, (), tuple(articles[i] for i in closest if i in articles), reason=reason)
    return Answer(request.question, tuple(chosen[request.offset:wanted]), more=max(0, len(chosen) - wanted),
                  offset=request.offset)
