"""rank-bm25: the reference engine, held in memory and rebuilt from the store when a process starts.

Copy on write: writes go to a draft copy of the documents, and `commit` builds a complete new model and swaps it
in with the draft in one assignment under the lock; a search reads one snapshot and never sees a half-built
model, whatever a concurrent catch-up or rebuild is doing.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import takewhile

import numpy as np
from rank_bm25 import BM25Okapi

from bot.index.engine import NO_CURSOR, Idf, IndexedParagraph, Query, searched_terms, unique_terms
from bot.models import Hit, Holder

Key = tuple[str, int]


@dataclass(frozen=True)
class _Snapshot:
    keys: list[Key]
    docs: dict[Key, IndexedParagraph]
    model: BM25Okapi | None
    cursor: int
    # The paragraphs holding each term in their text (tantivy's "body"), for `searched_terms`.
    frequencies: Counter[str]
    # Those terms in order, for `begins_a_term` and `terms_beginning`.
    ordered: tuple[str, ...]


class RankBM25Engine:
    """rank-bm25's BM25Okapi over the same terms as tantivy."""

    name = "rank-bm25"

    def __init__(self, headline_boost: float) -> None:
        self.headline_boost = headline_boost
        self._live = _Snapshot([], {}, None, NO_CURSOR, Counter(), ())
        self._draft: dict[Key, IndexedParagraph] | None = None
        self._lock = threading.Lock()

    @property
    def cursor(self) -> int:
        return self._live.cursor

    def try_write(self) -> bool:
        """Always: the model is this process's own."""
        return True

    def _tokens(self, p: IndexedParagraph) -> list[str]:
        # rank-bm25 has one field: the headline joins the paragraph's terms, repeated to its weight.
        repeats = max(0, round(self.headline_boost)) if self.headline_boost >= 1 else int(self.headline_boost > 0)
        return [*p.terms, *(list(p.headline_terms) * repeats)]

    def _drafting(self) -> dict[Key, IndexedParagraph]:
        if self._draft is None:
            self._draft = dict(self._live.docs)
        return self._draft

    def add(self, paragraphs: Iterable[IndexedParagraph]) -> None:
        with self._lock:
            draft = self._drafting()
            for p in paragraphs:
                draft[(p.article_id, p.position)] = p

    def delete(self, article_ids: Iterable[str]) -> None:
        gone = set(article_ids)
        with self._lock:
            draft = self._drafting()
            for key in [k for k in draft if k[0] in gone]:
                del draft[key]

    def commit(self, cursor: int | None = None) -> None:
        with self._lock:
            live, draft = self._live, self._draft
            docs = live.docs if draft is None else draft
            keys = list(docs)
            model = live.model if draft is None else BM25Okapi([self._tokens(docs[k]) for k in keys]) if keys else None
            frequencies = live.frequencies if draft is None else Counter(t for p in docs.values() for t in set(p.terms))
            ordered = live.ordered if draft is None else tuple(sorted(frequencies))
            self._live = _Snapshot(keys, docs, model, live.cursor if cursor is None else cursor, frequencies, ordered)
            self._draft = None

    def release(self) -> None:
        """No writer to give back."""

    def holder(self) -> Holder | None:
        """No other process: this one writes it."""
        return None

    def refresh(self) -> None:
        """No other process writes this engine."""

    def count(self) -> int:
        return len(self._live.docs)

    def search(self, query: Query, limit: int) -> list[Hit]:
        return _search(self._live, query, limit)

    def search_weighing(self, query: Query, limit: int, terms: Sequence[str]) -> tuple[list[Hit], Idf]:
        live = self._live  # one snapshot for both
        return _search(live, query, limit), _idf(live, terms)

    def idf(self, terms: Sequence[str]) -> Idf:
        return _idf(self._live, terms)  # one snapshot: a catch-up may swap in another meanwhile

    def begins_a_term(self, prefix: str) -> bool:
        ordered = self._live.ordered
        at = bisect.bisect_right(ordered, prefix)  # past `prefix` itself: a longer term sorts right after it
        return at < len(ordered) and ordered[at].startswith(prefix)

    def terms_beginning(self, prefix: str) -> list[str]:
        live = self._live  # one snapshot for the terms and their counts
        at = bisect.bisect_left(live.ordered, prefix)
        found = list(takewhile(lambda term: term.startswith(prefix), live.ordered[at:]))
        return sorted(found, key=lambda term: -live.frequencies[term])

    def size_bytes(self) -> int:
        return 0

    def close(self) -> None:
        with self._lock:
            self._live, self._draft = _Snapshot([], {}, None, NO_CURSOR, Counter(), ()), None


def _search(live: _Snapshot, query: Query, limit: int) -> list[Hit]:
    terms = searched_terms(query, live.frequencies.__getitem__, len(live.docs))
    if live.model is None or not terms:
        return []
    scores = live.model.get_scores(terms)
    if query.category or query.since or query.until:
        docs = (live.docs[k] for k in live.keys)
        mask = np.array([query.matches(p.category, p.published) for p in docs], dtype=bool)
        scores = np.where(mask, scores, 0.0)
    top = np.argsort(-scores, kind="stable")[:limit]
    return [Hit(live.keys[i][0], live.keys[i][1], float(scores[i])) for i in top if scores[i] > 0]


def _idf(live: _Snapshot, terms: Sequence[str]) -> Idf:
    model = live.model
    if model is None:
        return Idf(0, dict.fromkeys(unique_terms(terms), 1.0))
    # rank-bm25 floors common terms' idf at a small positive value; unseen terms get the idf of df=0.
    unseen = math.log(model.corpus_size + 0.5) - math.log(0.5)
    return Idf(len(live.docs), {t: model.idf.get(t, unseen) for t in unique_terms(terms)})
