"""What the semantic stage costs: encoder speed, the vector store at 100k and 1M paragraphs, question latency.

1. Encoder: paragraphs per second embedding 2,000 BBC paragraphs (batches of 32, sorted by length), the time to
   load the model, and the resident memory it adds; questions per second embedding one question at a time.
2. Vector store (`bot.semantic.VectorStore`, usearch HNSW, float16) at 100k and 1M paragraphs: build time
   (`apply` in batches of 2,000 articles, then one `commit`, which writes the whole index file) and size on
   disk. The corpus is the BBC repeated as in bench/speed.py, and a copy's paragraph gets the vector of the same
   BBC paragraph (headline and text are the same, so is its vector), computed once; the encoding time at that
   size is extrapolated from part 1 (it is the same work per paragraph).
3. Questions at 100k (and 1M) paragraphs with the semantic stage on: p50/p95 of `Library.ask` +
   `render_answer(..., HTML)` over the natural BBC questions and generated ones, against the same library
   with it off.
4. The static word-piece vectors (`NEWSBOT_SEMANTIC=static`, bot/semantic/static.py): the time to distil them
   from the model and to load them after, their speed on the same paragraphs and questions; at each size the
   whole library's vectors made for real (embedded and stored) and the questions asked with them.

    python bench/semantic_speed.py [--sizes 100000,1000000] [--data-dir DIR] [--encoders-only]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from common import load_bbc, markdown_table, percentile
from natural import bbc_library, load_questions

from bot.config import Settings
from bot.errors import QuestionError
from bot.index.follower import articles_in_store
from bot.library import BATCH_SIZE, Library
from bot.models import Article, StoredArticle
from bot.render.answers import render_answer
from bot.render.markup import HTML
from bot.semantic import TextEncoder, VectorStore
from bot.semantic.encoder import Encoder, default_model_path, load_encoder
from bot.semantic.static import load_static
from bot.semantic.vectors import passage

QUESTIONS = 300


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def throughput(encoder: TextEncoder, sample: list[str], questions: list[str]) -> tuple[float, float, float]:
    """Paragraphs a second embedding `sample` (after a warm-up batch), and ms per question embedded alone, of
    wall time and of the process's CPU time (all its threads: what it takes from other work on the cores)."""
    encoder.embed(sample[:64])
    start = time.perf_counter()
    encoder.embed(sample)
    per_second = len(sample) / (time.perf_counter() - start)
    start, cpu = time.perf_counter(), time.process_time()
    for q in questions:
        encoder.embed_one(q)
    return (
        per_second,
        (time.perf_counter() - start) / len(questions) * 1000,
        (time.process_time() - cpu) / len(questions) * 1000,
    )


def encoder_speed(static_dir: Path) -> tuple[list[str], float]:
    """Both encoders' speed; the static vectors are distilled into `static_dir`."""
    before = rss_mb()
    start = time.perf_counter()
    encoder = load_encoder()
    loaded = time.perf_counter() - start
    paragraphs = [p for a in load_bbc() for p in a.paragraphs]
    sample = random.Random(3).sample(paragraphs, 2000)
    questions = [q.question for q in load_questions()]
    per_second, question_ms, question_cpu_ms = throughput(encoder, sample, questions)
    rows = [
        ["model load s", f"{loaded:.2f}"],
        ["resident memory added MB (peak)", f"{rss_mb() - before:.0f}"],
        ["paragraphs/s (BBC, mean 100 word pieces)", f"{per_second:.0f}"],
        ["ms per question embedded", f"{question_ms:.1f}"],
        ["CPU ms per question embedded", f"{question_cpu_ms:.1f}"],
    ]
    print("\n### Encoder (all-MiniLM-L6-v2 int8, onnxruntime, 2 threads)\n")
    print(markdown_table(["measure", "value"], rows))
    start, cpu = time.perf_counter(), time.process_time()
    load_static(default_model_path(), static_dir, encoder)
    distilled, distilled_cpu = time.perf_counter() - start, time.process_time() - cpu
    # Read from a copy, as a process starting later reads it (this one keeps what it loaded or distilled).
    copy = shutil.copytree(static_dir, static_dir.with_name(f"{static_dir.name}-read"))
    start = time.perf_counter()
    static = load_static(default_model_path(), copy)
    static_loaded = time.perf_counter() - start
    static_per_second, static_question_ms, _ = throughput(static, sample, questions)
    rows = [
        ["distil s (once per model file)", f"{distilled:.1f}"],
        ["distil CPU s", f"{distilled_cpu:.1f}"],
        ["load s (after)", f"{static_loaded:.2f}"],
        ["paragraphs/s (the same paragraphs)", f"{static_per_second:,.0f}"],
        ["ms per question embedded", f"{static_question_ms:.2f}"],
    ]
    print("\n### Static word-piece vectors (distilled from it)\n")
    print(markdown_table(["measure", "value"], rows))
    return questions, per_second


def corpus(size: int) -> list[Article]:
    """The BBC repeated to `size` paragraphs (as bench/speed.py): each copy a new article, paragraphs shuffled."""
    base = load_bbc()
    rng = random.Random(11)
    articles: list[Article] = []
    total, copy = 0, 0
    while total < size:
        for record in rng.sample(base, len(base)):
            paragraphs = list(record.paragraphs)
            rng.shuffle(paragraphs)
            paragraphs = paragraphs[: size - total]
            articles.append(
                Article(record.title, tuple(paragraphs), record.category, url=f"https://c{copy}.example/{record.id}")
            )
            total += len(paragraphs)
            if total >= size:
                break
        copy += 1
    return articles


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the natural BBC library is (or goes)")
    parser.add_argument("--encoders-only", action="store_true", help="the first two tables alone (minutes, not hours)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbot-semantic-speed-") as tmp:
        distilled = Path(tmp) / "static"
        questions, per_second = encoder_speed(distilled)
        if args.encoders_only:
            return 0
        base = bbc_library((args.data_dir or Path(tmp)) / "bbc")
        assert base.semantic is not None
        # The vector of every BBC paragraph text, from the library built once.
        known: dict[str, np.ndarray] = {}
        for article, paragraphs in (pair for chunk in articles_in_store(base.store) for pair in chunk):
            found = base.semantic.vectors.vectors((article.id, i) for i in range(len(paragraphs)))
            known.update(
                {
                    passage(article.title, t): found[(article.id, i)]
                    for i, t in enumerate(paragraphs)
                    if (article.id, i) in found
                }
            )
        base.close()

        def lookup(texts: Sequence[str]) -> np.ndarray:
            return np.stack([known[t] for t in texts]).astype(np.float32)

        store_rows, static_rows, latency_rows = [], [], []
        for size in (int(s) for s in args.sizes.split(",")):
            articles = corpus(size)
            settings = Settings(data_dir=Path(tmp) / f"s{size}", corpus_dir=Path(tmp) / "none", semantic="off")
            library = Library.open(settings)
            library.add(articles)
            head = library.store.head()
            library.close()
            vectors = VectorStore.open(settings.vectors_dir, lookup, Encoder.recipe)
            start = time.perf_counter()
            for i in range(0, len(articles), BATCH_SIZE):
                batch = articles[i : i + BATCH_SIZE]
                vectors.apply(
                    [],
                    [
                        (
                            StoredArticle(a.id, a.title, a.category, None, a.url, None, None, len(a.paragraphs)),
                            a.paragraphs,
                        )
                        for a in batch
                    ],
                )
            applied = time.perf_counter() - start
            vectors.commit(head)
            built = time.perf_counter() - start
            store_rows.append(
                [
                    f"{size:,}",
                    f"{built:.1f}",
                    f"{built - applied:.1f}",
                    f"{size / built:,.0f}",
                    f"{vectors.size_bytes() / 1e6:.0f}",
                    f"{size / per_second / 3600:.1f}",
                ]
            )
            vectors.close()
            for mode in ("off", "on", "static"):
                if mode == "static":
                    # The encoder's vectors are dropped (another recipe) and the static ones made for real.
                    shutil.copytree(distilled, settings.static_dir, dirs_exist_ok=True)
                    library = Library.open(replace(settings, semantic=mode))
                    assert library.semantic is not None
                    start = time.perf_counter()
                    made = library.embed()
                    built = time.perf_counter() - start
                    megabytes = library.semantic.vectors.size_bytes() / 1e6
                    static_rows.append(
                        [f"{size:,}", f"{made:,}", f"{built:.1f}", f"{made / built:,.0f}", f"{megabytes:.0f}"]
                    )
                else:
                    library = Library.open(replace(settings, semantic=mode))
                # The natural questions, then headlines up to QUESTIONS (the natural set alone may be larger).
                asked = questions[:QUESTIONS]
                asked += [a.title for a in random.Random(5).sample(articles, QUESTIONS - len(asked))]
                for q in asked[:20]:
                    render_answer(library.ask(library.request(q)), HTML)
                times = []
                for q in asked:
                    start = time.perf_counter()
                    try:
                        render_answer(library.ask(library.request(q)), HTML)
                    except QuestionError:
                        continue
                    times.append((time.perf_counter() - start) * 1000)
                latency_rows.append(
                    [f"{size:,}", mode, str(len(times)), f"{percentile(times, 50):.1f}", f"{percentile(times, 95):.1f}"]
                )
                library.close()
            print(f"  {size:,} done", file=sys.stderr)
    print("\n### Vector store (usearch HNSW, cosine, float16)\n")
    print(
        markdown_table(
            [
                "paragraphs",
                "build s (store only)",
                "of which commit s",
                "vectors/s stored",
                "size MB",
                "encoding hours (extrapolated)",
            ],
            store_rows,
        )
    )
    print("\n### Static vectors made for the whole library (NEWSBOT_SEMANTIC=static; embedded and stored)\n")
    print(markdown_table(["paragraphs", "vectors made", "build s", "vectors/s", "size MB"], static_rows))
    print("\n### Questions with the semantic stage on, static and off\n")
    print(markdown_table(["paragraphs", "semantic", "questions", "p50 ms", "p95 ms"], latency_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
