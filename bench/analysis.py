"""CPU time of text analysis over every BBC headline and paragraph, this checkout's against `--old`'s.

Each run is a fresh process (nltk loaded before the clock starts) that analyses all 12,772 texts twice: "cold"
with empty caches, as an ingest's process meets them, then "warm", every token seen before. Old and new runs
alternate, so a change of the machine's load falls on both; the table gives the least and the median of `--runs`
each. Every run also digests what `analyze` and `words` gave, and the benchmark fails unless old and new agree
to the token.

    python bench/analysis.py [--old REV] [--runs 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Sequence

from common import REPO, load_bbc, markdown_table

OLD = "main"
# What `--child` names for this checkout's analysis, rather than a revision's.
THIS = "."


def analysis_module(revision: str) -> types.ModuleType:
    """`bot/analysis.py` of this checkout (THIS), or as it was at `revision`."""
    if revision == THIS:
        import bot.analysis

        return bot.analysis
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{revision}:bot/analysis.py"], capture_output=True, text=True, check=True
    ).stdout
    module = sys.modules["old_analysis"] = types.ModuleType("old_analysis")  # dataclasses look their module up
    exec(compile(source, f"{revision}:bot/analysis.py", "exec"), module.__dict__)
    return module


def measure(revision: str) -> dict[str, float | str]:
    """One run: cold and warm CPU seconds, and a digest of the terms and word spans."""
    texts = [text for article in load_bbc() for text in (article.title, *article.paragraphs)]
    analysis = analysis_module(revision)
    analysis.stem("loaded")  # nltk's import is no part of the analysis
    analysis.stem.cache_clear()
    seconds = []
    for _ in range(2):
        start = time.process_time()
        terms = [analysis.analyze(text) for text in texts]
        seconds.append(time.process_time() - start)
    spans = [analysis.words(text) for text in texts]
    digest = hashlib.sha256(json.dumps([terms, spans]).encode()).hexdigest()
    return {"cold": seconds[0], "warm": seconds[1], "digest": digest, "texts": len(texts)}


def run(revision: str) -> dict[str, float | str]:
    child = [sys.executable, __file__, "--child", revision]
    result: dict[str, float | str] = json.loads(subprocess.run(child, capture_output=True, check=True).stdout)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default=OLD, help=f"the git revision to compare with ({OLD})")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    runs: dict[str, list[dict[str, float | str]]] = {"old": [], "new": []}
    for _ in range(args.runs):
        runs["old"].append(run(args.old))
        runs["new"].append(run(THIS))
    digests = {str(r["digest"]) for rs in runs.values() for r in rs}
    if len(digests) != 1:
        sys.exit(f"error: {args.old} and this checkout analyse the BBC texts differently")
    rows = []
    for phase in ("cold", "warm"):
        least = {name: min(float(r[phase]) for r in rs) for name, rs in runs.items()}
        median = {name: statistics.median(float(r[phase]) for r in rs) for name, rs in runs.items()}
        rows.append(
            [
                phase,
                f"{least['old']:.3f}",
                f"{least['new']:.3f}",
                f"{least['old'] / least['new']:.2f}x",
                f"{median['old']:.3f}",
                f"{median['new']:.3f}",
            ]
        )
    print(f"{runs['new'][0]['texts']:,} BBC texts, {args.runs} runs each; identical terms and spans")
    old = args.old
    header = ["caches", f"least s ({old})", "least s (new)", "old / new", f"median s ({old})", "median s (new)"]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
