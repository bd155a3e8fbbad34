"""Search engines over analysed paragraphs: tantivy on disk (default) and rank-bm25 in memory (reference).

Both take the same `IndexedParagraph`s (terms already analysed by `bot.analysis`) and answer a `Query` with
`Hit`s. The headline counts for every paragraph of its article, weighted by `headline_boost`.
"""

from __future__ import annotations

import logging
import math
import shutil
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Protocol

import numpy as np
import tantivy
from rank_bm25 import BM25Okapi

from bot.errors import IndexCorruptError
from bot.models import Hit

log = logging.getLogger(__name__)

# Question words that stand side by side in a paragraph (after stopwords are dropped) are strong evidence of
# an answer; the weight and slop were tuned on one random half of SQuAD's questions and checked on the other
# (bench/quality.py).
WRITER_HEAP_BYTES = 256_000_000
PAIR_BOOST = 0.35
PAIR_SLOP = 0
MAX_QUERY_TERMS = 64


@dataclass(frozen=True)
class IndexedParagraph:
    """What an engine indexes for one paragraph."""

    article_id: str
    position: int
    terms: Sequence[str]
    headline_terms: Sequence[str]
    category: str
    published: datetime | None


@dataclass(frozen=True)
class Query:
    """Analysed question terms plus filters."""

    terms: Sequence[str]
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class Engine(Protocol):
    """What `bot.library` needs from a search engine."""

    name: str

    def add(self, paragraphs: Iterable[IndexedParagraph]) -> None: ...
    def delete(self, article_ids: Iterable[str]) -> None: ...
    def commit(self) -> None: ...
    def release(self) -> None: ...
    def clear(self) -> None: ...
    def count(self) -> int: ...
    def search(self, query: Query, limit: int) -> list[Hit]: ...
    def idf(self, terms: Sequence[str]) -> dict[str, float]: ...
    def size_bytes(self) -> int: ...
    def close(self) -> None: ...


def _unique(terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


class TantivyEngine:
    """A persistent tantivy index: one document per paragraph, terms pre-analysed and whitespace-joined."""

    name = "tantivy"

    def __init__(self, directory: Path, headline_boost: float, pair_boost: float = PAIR_BOOST) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.headline_boost = headline_boost
        self.pair_boost = pair_boost
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
        builder.add_text_field("article", tokenizer_name="raw", index_option="basic")
        builder.add_text_field("body", tokenizer_name="whitespace", index_option="position")
        builder.add_text_field("headline", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("category", tokenizer_name="raw", index_option="basic")
        builder.add_date_field("published", fast=True)
        self.schema = builder.build()
        try:
            self._index = tantivy.Index(self.schema, path=str(directory), reuse=True)
        except ValueError as exc:
            raise IndexCorruptError(f"cannot open the index in {directory}: {exc}") from exc
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()

    def _write(self) -> tantivy.IndexWriter:
        # Opened only while writing: tantivy allows one writer per index, and readers need none.
        if self._writer is None:
            self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES)
        return self._writer

    def add(self, paragraphs: Iterable[IndexedParagraph]) -> None:
        writer = self._write()
        for p in paragraphs:
            doc = tantivy.Document()
            doc.add_text("key", f"{p.article_id}:{p.position}")
            doc.add_text("article", p.article_id)
            doc.add_text("body", " ".join(p.terms))
            doc.add_text("headline", " ".join(p.headline_terms))
            doc.add_text("category", p.category.casefold())
            if p.published is not None:
                doc.add_date("published", p.published)
            writer.add_document(doc)

    def delete(self, article_ids: Iterable[str]) -> None:
        writer = self._write()
        for article_id in article_ids:
            writer.delete_documents_by_term("article", article_id)

    def commit(self) -> None:
        """Make the writes so far durable and visible; the writer stays open for more."""
        if self._writer is not None:
            self._writer.commit()
        self._index.reload()

    def release(self) -> None:
        """Let background merges finish and drop the writer (and its lock on the index)."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
            self._index.reload()

    def clear(self) -> None:
        writer = self._write()
        writer.delete_all_documents()
        self.commit()

    def count(self) -> int:
        return self._index.searcher().num_docs

    def _filters(self, query: Query) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        filters = []
        if query.category:
            filters.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "category", query.category.casefold()))
            )
        if query.since or query.until:
            filters.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        self.schema, "published", tantivy.FieldType.Date, query.since, query.until
                    ),
                )
            )
        return filters

    def search(self, query: Query, limit: int) -> list[Hit]:
        terms = _unique(query.terms)
        if not terms:
            return []
        should: list[tantivy.Query] = [tantivy.Query.term_query(self.schema, "body", t) for t in terms]
        if self.headline_boost > 0:
            should += [
                tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, "headline", t), self.headline_boost)
                for t in terms
            ]
        if self.pair_boost > 0:
            should += [
                tantivy.Query.boost_query(
                    tantivy.Query.phrase_query(self.schema, "body", [a, b], slop=PAIR_SLOP), self.pair_boost
                )
                for a, b in pairwise(query.terms)
                if a != b
            ]
        text = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in should])
        filters = self._filters(query)
        final = tantivy.Query.boolean_query([(tantivy.Occur.Must, text), *filters]) if filters else text
        searcher = self._index.searcher()
        result = searcher.search(final, limit=limit, count=False)
        hits = []
        for score, address in result.hits:
            article_id, _, position = searcher.doc(address)["key"][0].rpartition(":")
            hits.append(Hit(article_id, int(position), float(score)))
        return hits

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """BM25 idf of each term in paragraph bodies (unseen terms get the largest idf)."""
        searcher = self._index.searcher()
        total = max(searcher.num_docs, 1)
        return {
            t: math.log(1 + (total - (df := searcher.doc_freq("body", t)) + 0.5) / (df + 0.5)) for t in _unique(terms)
        }

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.directory.rglob("*") if f.is_file())

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    @staticmethod
    def remove(directory: Path) -> None:
        """Delete an unreadable index so it can be rebuilt from the store."""
        shutil.rmtree(directory, ignore_errors=True)


class RankBM25Engine:
    """rank-bm25's BM25Okapi over the same terms: the reference engine, held in memory and rebuilt lazily."""

    name = "rank-bm25"

    def __init__(self, headline_boost: float) -> None:
        self.headline_boost = headline_boost
        self._docs: dict[tuple[str, int], IndexedParagraph] = {}
        self._model: BM25Okapi | None = None
        self._keys: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    def _tokens(self, p: IndexedParagraph) -> list[str]:
        # rank-bm25 has one field: the headline joins the paragraph's terms, repeated to its weight.
        repeats = max(0, round(self.headline_boost)) if self.headline_boost >= 1 else int(self.headline_boost > 0)
        return [*p.terms, *(list(p.headline_terms) * repeats)]

    def add(self, paragraphs: Iterable[IndexedParagraph]) -> None:
        for p in paragraphs:
            self._docs[(p.article_id, p.position)] = p
        self._model = None

    def delete(self, article_ids: Iterable[str]) -> None:
        gone = set(article_ids)
        for key in [k for k in self._docs if k[0] in gone]:
            del self._docs[key]
        self._model = None

    def commit(self) -> None:
        """Nothing to persist: the store is rank-bm25's only copy."""

    def release(self) -> None:
        """No writer to release."""

    def clear(self) -> None:
        self._docs.clear()
        self._model = None

    def count(self) -> int:
        return len(self._docs)

    def _ensure_model(self) -> BM25Okapi | None:
        with self._lock:
            if self._model is None and self._docs:
                self._keys = list(self._docs)
                self._model = BM25Okapi([self._tokens(self._docs[k]) for k in self._keys])
            return self._model

    def search(self, query: Query, limit: int) -> list[Hit]:
        model = self._ensure_model()
        terms = _unique(query.terms)
        if model is None or not terms:
            return []
        scores = model.get_scores(terms)
        if query.category or query.since or query.until:
            mask = np.array([self._matches(self._docs[k], query) for k in self._keys], dtype=bool)
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:limit]
        return [Hit(self._keys[i][0], self._keys[i][1], float(scores[i])) for i in top if scores[i] > 0]

    @staticmethod
    def _matches(p: IndexedParagraph, query: Query) -> bool:
        if query.category and p.category.casefold() != query.category.casefold():
            return False
        if query.since and (p.published is None or p.published < query.since):
            return False
        return not (query.until and (p.published is None or p.published > query.until))

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        model = self._ensure_model()
        if model is None:
            return dict.fromkeys(_unique(terms), 1.0)
        # rank-bm25 floors common terms' idf at a small positive value; unseen terms get the idf of df=0.
        unseen = math.log(model.corpus_size + 0.5) - math.log(0.5)
        return {t: model.idf.get(t, unseen) for t in _unique(terms)}

    def size_bytes(self) -> int:
        return 0

    def close(self) -> None:
        self._docs.clear()
        self._model = None
