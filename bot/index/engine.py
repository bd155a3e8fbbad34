"""What every search engine indexes and answers, and the protocol the follower and retrieval use.

An engine is a local, rebuildable copy of the store's articles: it records the last change-log sequence
number it holds (its cursor) with each commit, so it can be brought up to date by replaying what followed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.analysis import analyze
from bot.models import Article, Hit, Holder, StoredArticle

MAX_QUERY_TERMS = 64
# From this many paragraphs on, a question's first stage leaves out of its search a word COMMON_SHARE of them or more
# write, when the question has a rarer one (`searched_terms`): a tenth rather than a quarter (only "said"), for the
# speed it gives at 1M, the held-out BBC questions answered as well or better (README, "Retrieval quality").
COMMON_FROM = 10_000
COMMON_SHARE = 0.1
# The cursor of an engine that holds nothing trustworthy yet (it must be built from the store).
NO_CURSOR = -1


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
    """Analysed question terms plus filters; `common_left_out`: searched by its rarer terms (`searched_terms`)."""

    terms: Sequence[str]
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    common_left_out: bool = False

    def matches(self, category: str, published: datetime | None) -> bool:
        """Whether a paragraph of this category and date passes the filters (an undated one passes no date filter).

        One test for every place that filters: an engine that cannot filter inside its search, and the vector
        search, whose filters apply after it."""
        if self.category and category.casefold() != self.category.casefold():
            return False
        if self.since and (published is None or published < self.since):
            return False
        return not (self.until and (published is None or published > self.until))


@dataclass(frozen=True)
class Idf:
    """Terms' BM25 idf and the number of paragraphs it was taken over, both read from one view of the index.

    Read apart, another process's commit in between (an ingest's first batch) weighed a question's every word
    over thousands of new paragraphs against the idf of a word no paragraph holds among the few before: every
    word looked unused, and a question answered a moment before was declined ("No article uses the words ...").
    """

    paragraphs: int
    weights: dict[str, float]

    @property
    def never(self) -> float:
        """The idf of a term no paragraph holds (both engines give it at least this)."""
        return math.log((self.paragraphs + 0.5) / 0.5) - 1e-9

    def used(self) -> dict[str, float]:
        """The terms some paragraph holds, with their idf."""
        return {t: v for t, v in self.weights.items() if v < self.never}


def indexed_paragraphs(article: StoredArticle | Article, paragraphs: Sequence[str]) -> list[IndexedParagraph]:
    """Analyse an article's paragraphs for the index (the headline analysed once, shared by all)."""
    headline = analyze(article.title)
    return [
        IndexedParagraph(article.id, i, analyze(text), headline, article.category, article.published)
        for i, text in enumerate(paragraphs)
    ]


def unique_terms(terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def searched_terms(query: Query, frequency: Callable[[str], int], paragraphs: int) -> list[str]:
    """The terms `query` is searched by, `frequency` giving the paragraphs that hold a term.

    In a large library a word many paragraphs write ("said": nearly half of a news library's) adds little to any
    paragraph's score but makes the search read, and score, every paragraph holding it: at a million paragraphs a
    question holding "said" took twice as long to search, for the same first 30 paragraphs. So a question's first
    stage (`Query.common_left_out`) leaves it out where a rarer word of the question finds the candidates; the
    second stage's evidence keeps it. The same in both engines, whose idf formulas differ, so by the share of
    paragraphs rather than by idf."""
    if not query.common_left_out or paragraphs < COMMON_FROM:
        return unique_terms(query.terms)
    held = {t: frequency(t) for t in dict.fromkeys(query.terms)}
    rarer = [t for t, n in held.items() if n < COMMON_SHARE * paragraphs]
    # A word no paragraph holds finds nothing: "what did he say about the bugdet" is searched by "said" as before.
    return unique_terms(rarer if any(held[t] for t in rarer) else held)


class Engine(Protocol):
    """A search engine over analysed paragraphs, written by one writer at a time and read by many."""

    name: str

    @property
    def cursor(self) -> int:
        """The last change-log sequence number this engine holds (NO_CURSOR when it must be built)."""
        ...

    def try_write(self) -> bool:
        """Take the writer if no one else (in any process) holds it; True if this engine may now write."""
        ...

    def add(self, paragraphs: Iterable[IndexedParagraph]) -> None: ...
    def delete(self, article_ids: Iterable[str]) -> None: ...

    def commit(self, cursor: int | None = None) -> None:
        """Make the writes so far durable and visible, then record `cursor` (when given) beside them."""
        ...

    def release(self) -> None:
        """Give the writer back (after committing), so another process can write."""
        ...

    def holder(self) -> Holder | None:
        """The process holding the writer, as it recorded itself; None if unknown."""
        ...

    def refresh(self) -> None:
        """See what other processes committed (their documents and cursor)."""
        ...

    def count(self) -> int: ...
    def search(self, query: Query, limit: int) -> list[Hit]: ...
    def idf(self, terms: Sequence[str]) -> Idf:
        """The terms' idf in paragraph bodies (a term no paragraph holds gets the largest), with the paragraph
        count of the same view."""
        ...

    def search_weighing(self, query: Query, limit: int, terms: Sequence[str]) -> tuple[list[Hit], Idf]:
        """`search` and `idf(terms)` from one view of the index, at the cost of one look (a question's hits and its
        words' weights)."""
        ...

    def begins_a_term(self, prefix: str) -> bool:
        """Whether some paragraph body holds a term longer than `prefix` that begins with it ("harb" of "harbour"):
        a word still being typed."""
        ...

    def terms_beginning(self, prefix: str) -> list[str]:
        """The terms of paragraph bodies that begin with `prefix` (itself too), most used first: the names a name
        misspelt by two edits may be (`retrieval.respellings`)."""
        ...

    def size_bytes(self) -> int: ...
    def close(self) -> None: ...
