"""Speed and memory of each engine at 10k, 100k and 1M paragraphs, on SQLite and PostgreSQL, through the
product's own code paths, with the semantic stage off (`bench/semantic_speed.py` measures it).

The corpus is the 2,225 BBC articles (10,547 paragraphs) repeated until it has the wanted number of
paragraphs: each copy gets its own URL (so its own article id), its articles in a new order and its
paragraphs shuffled, so every paragraph is a distinct document. For each engine and size, in a subprocess of
its own (so peak RSS is that configuration's):

- build: `Library.add` of the whole corpus, as `newsbot ingest` does (batches of `bot.library.BATCH_SIZE`; store
  staging, analysis, indexing and commits); for rank-bm25 the model built by the first question is included;
- open: tantivy: `TantivyEngine` on the existing directory plus one search, and the whole `Library.open`
  plus one question; rank-bm25 keeps nothing on disk, so its "open" is `Library.open`, which re-reads and
  re-analyses the store, plus the first question that builds its model;
- latency: p50/p95 of `Library.ask` + `render_answer(..., HTML)` over generated questions (word windows of
  random paragraphs, and headlines);
- peak RSS (ru_maxrss of the subprocess);
- freshness (tantivy): a running bot's library follows the store every `NEWSBOT_FOLLOW_SECONDS` in a thread, as
  the bot's job does, while another process writes one new article at a time as `newsbot ingest` does (store
  commit, then catching up the shared index); the delay from each store commit to the bot's first answer from
  that article, p50/p95.

PostgreSQL runs on a server the benchmark starts itself (pgserver, from the test extra).

rank-bm25 gets `--budget-seconds` per configuration; past it the subprocess is stopped and the phases it had
not finished are reported as "did not finish". tantivy runs to the end.

    python bench/speed.py [--sizes 10000,100000,1000000] [--engines tantivy,rank-bm25]
                          [--databases sqlite,postgresql] [--budget-seconds 600]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import queue
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import BbcArticle, load_bbc, markdown_table, percentile, postgres_server

from bot.config import ENGINES, Settings
from bot.errors import QuestionError
from bot.index import Query, TantivyEngine
from bot.library import Library
from bot.models import Article
from bot.render.answers import render_answer
from bot.render.markup import HTML

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DATABASES = ("sqlite", "postgresql")
DEFAULT_QUESTIONS = 200
FRESHNESS_ARTICLES = 30
BASE_DATE = datetime(2005, 1, 1, tzinfo=UTC)


# ---- corpus and questions ----------------------------------------------------------------------------------


# Days between two copies of one story: more than the store's window for the same story under two links (2 days),
# which took copies a day apart for one story and stored it once (a library of 12,000 paragraphs held 9,553, and
# bench/bot_load.py refused it). A copy's stories are a second apart.
COPY_DAYS = 3


def corpus(bbc: Sequence[BbcArticle], size: int, seed: int) -> Iterator[Article]:
    """Articles holding exactly `size` paragraphs: copies of the BBC articles, each copy a distinct article (one
    of each headline: of the BBC's repeats, filed twice, the store keeps one)."""
    rng = random.Random(seed)
    left = size
    copy = 0
    headlines: dict[tuple[str, ...], BbcArticle] = {}
    for source in bbc:
        headlines.setdefault(tuple(re.findall(r"\w+", source.title.casefold())), source)
    while left > 0:
        order = list(headlines.values())
        rng.shuffle(order)
        for n, source in enumerate(order):
            paragraphs = list(source.paragraphs)
            rng.shuffle(paragraphs)
            paragraphs = paragraphs[:left]
            left -= len(paragraphs)
            yield Article(
                title=source.title,
                paragraphs=tuple(paragraphs),
                category=source.category,
                published=BASE_DATE + timedelta(days=COPY_DAYS * copy, seconds=n),
                url=f"https://bench.invalid/{copy}/{source.id}",
            )
            if left == 0:
                return
        copy += 1


def questions(bbc: Sequence[BbcArticle], count: int, seed: int) -> list[str]:
    """Questions a reader might type: a 5-9 word window of a paragraph, or a headline (one in four)."""
    rng = random.Random(seed + 1)
    out = []
    for i in range(count):
        article = rng.choice(bbc)
        if i % 4 == 3:
            out.append(article.title + "?")
            continue
        words = rng.choice(article.paragraphs).split()
        length = rng.randint(5, 9)
        start = rng.randrange(max(1, len(words) - length))
        out.append(" ".join(words[start : start + length]).strip(".,;:") + "?")
    return out


# ---- worker: one engine, one size ---------------------------------------------------------------------------


def emit(**values: Any) -> None:
    print(json.dumps(values), flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ask(library: Library, question: str) -> str:
    try:
        return render_answer(library.ask(library.request(question)), HTML)
    except QuestionError as exc:
        return str(exc)


def worker(engine: str, size: int, data_dir: Path, database_url: str, count: int, seed: int, profile: bool) -> None:
    bbc = load_bbc()
    # The lexical path: the semantic stage's costs (encoding hours at 1M) are bench/semantic_speed.py's.
    settings = Settings(
        data_dir=data_dir, engine=engine, corpus_dir=data_dir / "no-corpus", database_url=database_url, semantic="off"
    )
    asked = questions(bbc, count, seed)

    library = Library.open(settings, seed_corpus=False)
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    paragraphs = 0

    def counted() -> Iterator[Article]:
        nonlocal paragraphs
        for article in corpus(bbc, size, seed):
            paragraphs += len(article.paragraphs)
            yield article

    library.add(counted())
    ask(library, asked[0])  # rank-bm25 builds its model on the first question
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(20)
    built = time.perf_counter() - start
    emit(
        phase="build",
        seconds=built,
        paragraphs=paragraphs,
        indexed=library.engine.count(),
        index_mb=library.engine.size_bytes() / 1e6,
        rss_mb=peak_rss_mb(),
    )
    library.close()

    if engine == "tantivy":
        start = time.perf_counter()
        generation = (settings.index_dir / "CURRENT").read_text()
        bare = TantivyEngine(settings.index_dir / generation, settings.headline_boost)
        bare.search(Query(["minist"]), 10)
        emit(phase="engine_open", seconds=time.perf_counter() - start)
        bare.close()
        del bare

    start = time.perf_counter()
    library = Library.open(settings, seed_corpus=False)
    ask(library, asked[0])
    emit(phase="open", seconds=time.perf_counter() - start, rss_mb=peak_rss_mb())

    for question in asked[:5]:  # warm caches as a running bot would have them
        ask(library, question)
    times = []
    for question in asked:
        start = time.perf_counter()
        ask(library, question)
        times.append(time.perf_counter() - start)
    emit(
        phase="latency", p50_ms=percentile(times, 50) * 1000, p95_ms=percentile(times, 95) * 1000, questions=len(times)
    )
    if engine == "tantivy":
        delays = freshness(library, settings, seed)
        emit(phase="freshness", p50_s=percentile(delays, 50), p95_s=percentile(delays, 95), articles=len(delays))
    library.close()
    emit(phase="done", rss_mb=peak_rss_mb())


def freshness(library: Library, settings: Settings, seed: int) -> list[float]:
    """Seconds from another process's store commit of a new article to this library answering from it."""
    stop = threading.Event()

    def follow() -> None:  # what the bot's follower job does
        while not stop.wait(settings.follow_seconds):
            library.follow()

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    writer = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--writer",
            "--data-dir",
            str(settings.data_dir),
            "--database-url",
            settings.database_url,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None and writer.stdout is not None
    delays = []
    pause = random.Random(seed)
    try:
        for n in range(FRESHNESS_ARTICLES):
            # Questions see a commit only at the follower's next look (tantivy's own reloading thread is off:
            # it read files cut under it). Written right after the answer that ended the last wait, every article
            # came one whole look before the next, and p50 read the worst case; an article comes at any moment.
            time.sleep(pause.uniform(0, settings.follow_seconds))
            word = f"zyxfresh{n}q"
            writer.stdin.write(word + "\n")
            writer.stdin.flush()
            committed = float(writer.stdout.readline())
            while not library.ask(library.request(f"what about {word}")).found:
                time.sleep(0.005)
            delays.append(time.time() - committed)
    finally:
        writer.stdin.close()
        writer.wait()
        stop.set()
        follower.join()
    return delays


def writer(data_dir: Path, database_url: str) -> None:
    """The other process of `freshness`: for each word read, one article holding it, written as an ingest does."""
    settings = Settings(data_dir=data_dir, corpus_dir=data_dir / "no-corpus", database_url=database_url, semantic="off")
    library = Library.open(settings, seed_corpus=False)
    for line in sys.stdin:
        word = line.strip()
        article = Article(f"Fresh story {word}", (f"A story about {word} that has just arrived.",), "Fresh")
        library.store.write_articles([article])
        print(time.time(), flush=True)
        library.follower.catch_up()
    library.close()


# ---- parent: one subprocess per configuration ---------------------------------------------------------------


@dataclass
class Result:
    engine: str
    size: int
    database: str
    phases: dict[str, dict[str, Any]] = field(default_factory=dict)
    finished: bool = False
    peak_rss_mb: float | None = None
    wall_seconds: float = 0.0
    error: str = ""


def vm_hwm_mb(pid: int) -> float | None:
    """Peak RSS of a running process (Linux), read just before stopping it."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure(
    engine: str, size: int, database: str, database_url: str, budget: float | None, count: int, seed: int, profile: bool
) -> Result:
    result = Result(engine, size, database)
    data_dir = Path(tempfile.mkdtemp(prefix=f"newsbot-speed-{engine}-{size}-"))
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        engine,
        "--sizes",
        str(size),
        "--questions",
        str(count),
        "--seed",
        str(seed),
        "--data-dir",
        str(data_dir),
        "--database-url",
        database_url,
    ]
    if profile:
        command.append("--profile")
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        while True:
            remaining = None if budget is None else budget - (time.perf_counter() - started)
            if remaining is not None and remaining <= 0:
                raise TimeoutError
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty as exc:
                raise TimeoutError from exc
            if line is None:
                break
            event = json.loads(line)
            phase = event.pop("phase")
            result.phases[phase] = event
            shown = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in event.items())
            print(f"  {engine} {size:,} {database} {phase}: {shown}", file=sys.stderr)
        process.wait()
        result.finished = "done" in result.phases
        if process.returncode:
            result.error = f"exit status {process.returncode}"
        result.peak_rss_mb = result.phases.get("done", {}).get("rss_mb")
    except TimeoutError:
        result.peak_rss_mb = vm_hwm_mb(process.pid)
        process.kill()
        process.wait()
        result.error = f"did not finish in {budget:.0f} s"
    finally:
        result.wall_seconds = time.perf_counter() - started
        shutil.rmtree(data_dir, ignore_errors=True)
    return result


DNF = "did not finish"


def cells(r: Result) -> list[str]:
    build, opened, engine_open, latency, fresh = (
        r.phases.get(p) for p in ("build", "open", "engine_open", "latency", "freshness")
    )
    rss = f"{r.peak_rss_mb:,.0f}" if r.peak_rss_mb is not None else "?"
    if not r.finished:
        rss += " (so far)" if r.peak_rss_mb is not None else ""
    open_text = f"{opened['seconds']:.2f}" if opened else DNF
    if r.engine == "rank-bm25" and opened:
        open_text += " (rebuild from store)"
    return [
        r.engine,
        r.database,
        f"{r.size:,}",
        f"{build['paragraphs'] / build['seconds']:,.0f}" if build else DNF,
        f"{build['seconds']:.1f}" if build else DNF,
        f"{engine_open['seconds']:.3f}" if engine_open else "n/a" if r.engine != "tantivy" else DNF,
        open_text,
        f"{latency['p50_ms']:.1f}" if latency else DNF,
        f"{latency['p95_ms']:.1f}" if latency else DNF,
        rss,
        f"{build['index_mb']:,.0f}" if build and r.engine == "tantivy" else "n/a",
        f"{fresh['p50_s']:.2f} / {fresh['p95_s']:.2f}" if fresh else "n/a" if r.engine != "tantivy" else DNF,
    ]


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a is not None and b else "n/a"


def ratios(results: Sequence[Result]) -> str:
    """tantivy / rank-bm25 per size, where both finished the phase."""
    rows = []
    by_key = {(r.engine, r.size, r.database): r for r in results}
    for size, database in sorted({(r.size, r.database) for r in results}):
        t, b = by_key.get(("tantivy", size, database)), by_key.get(("rank-bm25", size, database))
        if t is None or b is None:
            continue

        def get(r: Result, phase: str, key: str) -> float | None:
            return r.phases.get(phase, {}).get(key)

        def rate(r: Result) -> float | None:
            build = r.phases.get("build")
            return build["paragraphs"] / build["seconds"] if build else None

        rows.append(
            [
                database,
                f"{size:,}",
                ratio(rate(t), rate(b)),
                ratio(get(t, "open", "seconds"), get(b, "open", "seconds")),
                ratio(get(t, "latency", "p50_ms"), get(b, "latency", "p50_ms")),
                ratio(get(t, "latency", "p95_ms"), get(b, "latency", "p95_ms")),
                ratio(t.peak_rss_mb if t.finished else None, b.peak_rss_mb if b.finished else None),
            ]
        )
    if not rows:
        return ""
    return markdown_table(["database", "paragraphs", "build rate", "library open", "p50", "p95", "peak RSS"], rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="paragraph counts")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated: {', '.join(ENGINES)}")
    parser.add_argument("--databases", default=",".join(DATABASES), help=f"comma-separated: {', '.join(DATABASES)}")
    parser.add_argument("--budget-seconds", type=float, default=600, help="time limit per rank-bm25 configuration")
    parser.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS, help="questions timed per configuration")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the build and print it to stderr")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes must be comma-separated whole numbers, got {args.sizes!r}")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if unknown := [e for e in engines if e not in ENGINES]:
        parser.error(f"unknown engine {unknown[0]!r}; choose from {', '.join(ENGINES)}")
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if unknown := [d for d in databases if d not in DATABASES]:
        parser.error(f"unknown database {unknown[0]!r}; choose from {', '.join(DATABASES)}")
    if args.writer:
        writer(args.data_dir, args.database_url)
        return 0
    if args.worker:
        worker(args.worker, sizes[0], args.data_dir, args.database_url, args.questions, args.seed, args.profile)
        return 0

    load_bbc()  # fail early, with a clear message, if the data is missing
    results = []
    with ExitStack() as stack:
        new_database = stack.enter_context(postgres_server()) if "postgresql" in databases else None
        for size in sizes:
            for database in databases:
                for engine in engines:
                    budget = args.budget_seconds if engine == "rank-bm25" else None
                    url = new_database() if new_database is not None and database == "postgresql" else ""
                    print(f"{engine} at {size:,} paragraphs on {database}...", file=sys.stderr)
                    result = measure(engine, size, database, url, budget, args.questions, args.seed, args.profile)
                    if result.error:
                        print(f"  {engine} {size:,} {database}: {result.error}", file=sys.stderr)
                    results.append(result)
    sys.stderr.flush()
    print(
        markdown_table(
            [
                "engine",
                "database",
                "paragraphs",
                "build para/s",
                "build s",
                "engine open s",
                "library open s",
                "p50 ms",
                "p95 ms",
                "peak RSS MB",
                "index MB",
                "fresh p50 / p95 s",
            ],
            [cells(r) for r in results],
        )
    )
    if table := ratios(results):
        print("\ntantivy / rank-bm25 (build rate: higher is faster; times and memory: lower is better)\n")
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
