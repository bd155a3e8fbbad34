"""tantivy: the default engine, an index on disk that many processes read and one at a time writes.

Each paragraph is one document of pre-analysed terms; the headline counts for every paragraph of its article,
weighted by `headline_boost`, and question words standing side by side add a phrase bonus. The index's cursor
(the last change-log entry it holds) is a small file beside it, written after each commit: a crash between the
two only makes the next follower replay a few changes, which is harmless.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path

import tantivy

from bot.errors import IndexCorruptError
from bot.index.engine import NO_CURSOR, IndexedParagraph, Query, unique_terms
from bot.models import Hit

log = logging.getLogger(__name__)

WRITER_HEAP_BYTES = 256_000_000
# Question words that stand side by side in a paragraph (after stopwords are dropped) are strong evidence of
# an answer; the weight and slop were tuned on one random half of SQuAD's questions and checked on the other
# (bench/quality.py).
PAIR_BOOST = 0.35
PAIR_SLOP = 0
# A pair whose rarer word is in more than this share of the paragraphs, and in more than this many, is not
# searched as a phrase: two common words side by side ("said mr", "would also") say little about an answer, and
# tantivy reads their positions in every paragraph that holds both. At 1M paragraphs such pairs made most of
# the slowest questions' time (a phrase of two common words alone took 10-20 ms), and leaving them out changed 1
# of 400 answers there. Below the count (every corpus of up to 10,000 paragraphs) every pair is kept: reading
# them is cheap, and in a small corpus every word looks common.
COMMON_PAIR_SHARE = 0.1
COMMON_PAIR_PARAGRAPHS = 10_000
CURSOR_FILE = "cursor"


class TantivyEngine:
    """A persistent tantivy index: one document per paragraph, terms pre-analysed and whitespace-joined."""

    name = "tantivy"

    def __init__(
        self,
        directory: Path,
        headline_boost: float,
        pair_boost: float = PAIR_BOOST,
        common_pair_paragraphs: int = COMMON_PAIR_PARAGRAPHS,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.headline_boost = headline_boost
        self.pair_boost = pair_boost
        self.common_pair_paragraphs = common_pair_paragraphs
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
        self._cursor = self._read_cursor()

    @property
    def cursor(self) -> int:
        return self._cursor

    def _read_cursor(self) -> int:
        try:
            return int((self.directory / CURSOR_FILE).read_text())
        except (OSError, ValueError):
            return NO_CURSOR

    def _write_cursor(self, cursor: int) -> None:
        temporary = self.directory / f"{CURSOR_FILE}.{os.getpid()}"
        temporary.write_text(str(cursor))
        os.replace(temporary, self.directory / CURSOR_FILE)
        self._cursor = cursor

    def try_write(self) -> bool:
        # Taken only while writing: tantivy allows one writer per index (a lock file every process honours,
        # released by the system if its holder dies), and readers need none.
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES)
            except ValueError as exc:
                if "LockBusy" in str(exc):
                    return False
                raise IndexCorruptError(f"cannot write the index in {self.directory}: {exc}") from exc
            # Whoever held the writer before may have moved the cursor on.
            self.refresh()
        return True

    def _write(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise RuntimeError("the index writer is not held: call try_write() first")
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

    def commit(self, cursor: int | None = None) -> None:
        """Make the writes so far durable and visible, then record `cursor`; the writer stays open for more."""
        self._write().commit()
        if cursor is not None:
            self._write_cursor(cursor)
        self._index.reload()

    def release(self) -> None:
        """Let background merges finish and drop the writer (and its lock on the index)."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
            self._index.reload()

    def refresh(self) -> None:
        self._index.reload()
        self._cursor = self._read_cursor()

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
        terms = unique_terms(query.terms)
        if not terms:
            return []
        should: list[tantivy.Query] = [tantivy.Query.term_query(self.schema, "body", t) for t in terms]
        if self.headline_boost > 0:
            should += [
                tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, "headline", t), self.headline_boost)
                for t in terms
            ]
        searcher = self._index.searcher()
        if self.pair_boost > 0:
            common = max(COMMON_PAIR_SHARE * searcher.num_docs, self.common_pair_paragraphs)
            frequency = {t: searcher.doc_freq("body", t) for t in terms} if searcher.num_docs > common else {}
            should += [
                tantivy.Query.boost_query(
                    tantivy.Query.phrase_query(self.schema, "body", [a, b], slop=PAIR_SLOP), self.pair_boost
                )
                for a, b in pairwise(query.terms)
                if a != b and min(frequency.get(a, 0), frequency.get(b, 0)) <= common
            ]
        text = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in should])
        filters = self._filters(query)
        final = tantivy.Query.boolean_query([(tantivy.Occur.Must, text), *filters]) if filters else text
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
            t: math.log(1 + (total - (df := searcher.doc_freq("body", t)) + 0.5) / (df + 0.5))
            for t in unique_terms(terms)
        }

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.directory.rglob("*") if f.is_file())

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None
