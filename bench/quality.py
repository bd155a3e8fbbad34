"""Paragraph retrieval quality on SQuAD v1.1 dev: does the engine rank the question's own paragraph first?

Every question is searched against all 2,067 paragraphs (48 Wikipedia articles, the title as headline); the
gold paragraph is the one the question was written about. Three rows:

a. rank-bm25 over `str.split(" ")` tokens, as in the rank-bm25 README (no headline): the naive baseline;
b. the project's RankBM25Engine over `bot.analysis` terms with headline terms (the reference engine);
c. the project's TantivyEngine (the default engine), same documents and queries.

Documents are built with `bot.library.indexed_paragraphs`, the code the product indexes with. The engines are
called directly (no per-article limit, no coverage filter): this measures ranking, not the answer policy.

    python bench/quality.py [--limit N] [--headline-boost X] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import SquadArticle, SquadQuestion, load_squad, markdown_table
from rank_bm25 import BM25Okapi

from bot.analysis import analyze
from bot.config import Settings
from bot.index import Engine, IndexedParagraph, Query, RankBM25Engine, TantivyEngine
from bot.library import indexed_paragraphs
from bot.models import StoredArticle
from bot.retrieval import MIN_CANDIDATES, rerank

CUTOFFS = (1, 3, 10)
HALVES_SEED = 7
DEPTH = 10

# A search returns (article index, paragraph position) pairs, best first.
Key = tuple[int, int]
Search = Callable[[SquadQuestion], list[Key]]


@dataclass(frozen=True)
class Row:
    name: str
    recall: dict[int, float]
    mrr: float
    build_seconds: float
    query_ms: float
    questions: int


def article_id(index: int) -> str:
    return f"squad-{index:02d}"


def stored_articles(articles: Sequence[SquadArticle]) -> list[StoredArticle]:
    """A StoredArticle per SQuAD article, as the store would hand it to the indexer."""
    return [
        StoredArticle(
            id=article_id(i),
            title=a.title,
            category="",
            published=None,
            url=None,
            author=None,
            origin=None,
            paragraph_count=len(a.paragraphs),
        )
        for i, a in enumerate(articles)
    ]


def documents(articles: Sequence[SquadArticle]) -> list[IndexedParagraph]:
    """The paragraphs as the product indexes them (analysed body and headline terms)."""
    return [
        p
        for stored, a in zip(stored_articles(articles), articles, strict=True)
        for p in indexed_paragraphs(stored, a.paragraphs)
    ]


def ranks(search: Search, questions: Sequence[SquadQuestion]) -> tuple[list[int | None], float]:
    """1-based rank of each question's gold paragraph within the top DEPTH (None if absent), and seconds taken."""
    found: list[int | None] = []
    start = time.perf_counter()
    for q in questions:
        keys = search(q)[:DEPTH]
        gold = (q.article, q.position)
        found.append(keys.index(gold) + 1 if gold in keys else None)
    return found, time.perf_counter() - start


def summarize(name: str, found: Sequence[int | None], build_seconds: float, query_seconds: float) -> Row:
    n = max(len(found), 1)
    recall = {k: sum(1 for r in found if r is not None and r <= k) / n for k in CUTOFFS}
    mrr = sum(1 / r for r in found if r is not None) / n
    return Row(name, recall, mrr, build_seconds, query_seconds / n * 1000, len(found))


def split_key(article: str, position: int) -> Key:
    return int(article.rsplit("-", 1)[1]), position


def engine_search(engine: Engine) -> Search:
    def search(q: SquadQuestion) -> list[Key]:
        return [split_key(h.article_id, h.position) for h in engine.search(Query(analyze(q.question)), DEPTH)]

    return search


def reranked_search(engine: Engine, articles: Sequence[SquadArticle]) -> Search:
    """The product's ranking: the engine's candidates, then `bot.retrieval.rerank` (no per-article limit)."""
    texts = {
        (article_id(a), p): text for a, article in enumerate(articles) for p, text in enumerate(article.paragraphs)
    }
    headlines = {article_id(a): article.title for a, article in enumerate(articles)}

    def search(q: SquadQuestion) -> list[Key]:
        terms = analyze(q.question)
        hits = engine.search(Query(terms), MIN_CANDIDATES)
        ranked = rerank(hits, engine.idf(terms), texts, headlines)
        return [split_key(r.hit.article_id, r.hit.position) for r in ranked[:DEPTH]]

    return search


def naive_rank_bm25(articles: Sequence[SquadArticle]) -> tuple[Search, float]:
    """rank-bm25 exactly as its README shows it: split on spaces, no analysis, no headline."""
    start = time.perf_counter()
    keys = [(a, p) for a, article in enumerate(articles) for p in range(len(article.paragraphs))]
    model = BM25Okapi([text.split(" ") for article in articles for text in article.paragraphs])
    built = time.perf_counter() - start

    def search(q: SquadQuestion) -> list[Key]:
        scores = model.get_scores(q.question.split(" "))
        top = np.argsort(-scores, kind="stable")[:DEPTH]
        return [keys[i] for i in top]

    return search, built


def build_rank_bm25(articles: Sequence[SquadArticle], headline_boost: float) -> tuple[RankBM25Engine, float]:
    start = time.perf_counter()
    engine = RankBM25Engine(headline_boost)
    engine.add(documents(articles))
    engine.commit()
    engine.search(Query(["warmup"]), 1)  # rank-bm25 builds its model on the first search
    return engine, time.perf_counter() - start


def build_tantivy(
    articles: Sequence[SquadArticle], headline_boost: float, directory: Path
) -> tuple[TantivyEngine, float]:
    start = time.perf_counter()
    engine = TantivyEngine(directory, headline_boost)
    engine.add(documents(articles))
    engine.commit()
    return engine, time.perf_counter() - start


def table(rows: Sequence[Row]) -> str:
    header = ["engine", *(f"R@{k}" for k in CUTOFFS), f"MRR@{DEPTH}", "build s", "ms/question", "questions"]
    body = [
        [
            r.name,
            *(f"{r.recall[k]:.3f}" for k in CUTOFFS),
            f"{r.mrr:.3f}",
            f"{r.build_seconds:.1f}",
            f"{r.query_ms:.2f}",
            str(r.questions),
        ]
        for r in rows
    ]
    return markdown_table(header, body)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="evaluate N randomly chosen questions (0: all)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for --limit")
    parser.add_argument(
        "--headline-boost",
        type=float,
        default=None,
        help=f"override Settings.headline_boost (default {Settings().headline_boost})",
    )
    args = parser.parse_args(argv)
    boost = Settings().headline_boost if args.headline_boost is None else args.headline_boost
    articles, questions = load_squad()
    if args.limit:
        questions = random.Random(args.seed).sample(questions, min(args.limit, len(questions)))
    paragraphs = sum(len(a.paragraphs) for a in articles)
    print(
        f"SQuAD v1.1 dev: {len(questions):,} questions, {paragraphs:,} paragraphs in {len(articles)} articles; "
        f"headline boost {boost}",
        file=sys.stderr,
    )

    rows: list[Row] = []
    search, built = naive_rank_bm25(articles)
    rows.append(_row('rank-bm25, str.split(" ")', search, built, questions))
    engine, built = build_rank_bm25(articles, boost)
    rows.append(_row("rank-bm25, our analysis", engine_search(engine), built, questions))
    rows.append(_row("rank-bm25, our analysis + rerank", reranked_search(engine, articles), built, questions))
    engine.close()
    with tempfile.TemporaryDirectory(prefix="newsbot-quality-") as tmp:
        tantivy_engine, built = build_tantivy(articles, boost, Path(tmp) / "index")
        rows.append(_row("tantivy, engine only", engine_search(tantivy_engine), built, questions))
        rows.append(
            _row("newsbot default: tantivy + rerank", reranked_search(tantivy_engine, articles), built, questions)
        )
        # The rerank weights were tuned on one random half (seed 7) of the questions: both halves, apart.
        order = list(range(len(questions)))
        random.Random(HALVES_SEED).shuffle(order)
        for half, indexes in (("tuning half", order[: len(order) // 2]), ("held-out half", order[len(order) // 2 :])):
            rows.append(
                _row(
                    f"newsbot default, {half}",
                    reranked_search(tantivy_engine, articles),
                    built,
                    [questions[i] for i in indexes],
                )
            )
        tantivy_engine.close()
    sys.stderr.flush()
    print(table(rows))
    return 0


def _row(name: str, search: Search, built: float, questions: Sequence[SquadQuestion]) -> Row:
    found, seconds = ranks(search, questions)
    row = summarize(name, found, built, seconds)
    print(f"  {name}: R@1 {row.recall[1]:.3f} ({seconds:.1f} s)", file=sys.stderr)
    return row


if __name__ == "__main__":
    sys.exit(main())
