"""When should the bot say "nothing in the articles answers that"? The answerability threshold, measured.

Every answer gets one answerability score (`bot.retrieval.Answerability`, a logistic of its best passage's word
coverage and cosine, fitted on the tuning half of the natural questions). For each threshold
(`NEWSBOT_MIN_ANSWERABILITY`) it prints the share of questions declined:

- natural BBC questions (bench/data/bbc_questions.jsonl) over the BBC library: answerable ones (a decline is a
  miss) per half, and the 66 the corpus cannot answer (a decline is right);
- SQuAD v1.1 dev questions asked of a library of the 48 SQuAD articles (answerable) and of the BBC library
  (unanswerable: news from 2004-05 cannot answer questions about Super Bowl 50 or the Normans).

Each row also says how many answers are shown as weaker ("These passages may help:"). Rows for each semantic
mode: the encoder (`on`, the default), static word-piece vectors (`static`, their own fitted answerability) and
words alone (`off`). With `--data-dir` the libraries are kept there and reused (`bbc`, `squad` and their
`-static` siblings, as bench/quality.py keeps them).

    python bench/no_answer.py [--squad-questions 500] [--data-dir DIR] [--modes on,static,off]

With `--near HALF` (tuning or held-out) it lists instead, for the encoder, the questions of that half the threshold
gets wrong or nearly so: unanswerable ones that still get passages, and answerable ones below the confident bar,
each with its answerability, the features it weighs and the headline of its best passage (no SQuAD library needed).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from common import load_squad, markdown_table
from natural import NaturalQuestion, bbc_library, beside, load_questions, squad_library

from bot.config import SEMANTIC_MODES, Settings
from bot.errors import QuestionError
from bot.library import Library
from bot.retrieval import CONFIDENT_ANSWERABILITY, Ranking, answerability_features, search

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
# The modes with libraries of their own vectors.
VECTOR_MODES = ("on", "static")


def rankings(library: Library, questions: Sequence[str], semantic: bool) -> list[Ranking | None]:
    out: list[Ranking | None] = []
    for question in questions:
        try:
            out.append(
                search(library.request(question), library.engine, library.store, library.semantic if semantic else None)
            )
        except QuestionError:
            out.append(None)
    return out


def declined(found: Sequence[Ranking | None], threshold: float) -> float:
    return sum(r is None or not r.candidates or r.best < threshold for r in found) / max(len(found), 1)


def weak(found: Sequence[Ranking | None], threshold: float) -> float:
    return sum(r is not None and threshold <= r.best < CONFIDENT_ANSWERABILITY for r in found) / max(len(found), 1)


def near(library: Library, questions: Sequence[NaturalQuestion], threshold: float) -> str:
    """The `questions` the `threshold` gets wrong or nearly so (`--near`), lowest answerability first."""
    rows = []
    for q, found in zip(questions, rankings(library, [q.question for q in questions], True), strict=True):
        if found is None or not found.candidates:
            continue
        wrong = not q.answerable and found.best >= threshold
        if wrong or (q.answerable and found.best < CONFIDENT_ANSWERABILITY):
            best = found.candidates[0]
            features = answerability_features(best, found.best_cosine)
            shown = " ".join(f"{name} {value:.2f}" for name, value in features.items() if value)
            headline = found.articles[best.hit.article_id].title
            rows.append([f"{found.best:.2f}", q.style, q.question, shown, headline])
    return markdown_table(["answerability", "style", "question", "features", "best passage's headline"], sorted(rows))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad-questions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None, help="where the libraries are (or go)")
    parser.add_argument(
        "--modes", default=",".join(SEMANTIC_MODES), help="the semantic modes measured, comma-separated (all)"
    )
    parser.add_argument("--near", choices=("tuning", "held-out"), help="list one half's near misses instead")
    args = parser.parse_args(argv)
    if args.near:
        with tempfile.TemporaryDirectory(prefix="newsbot-no-answer-") as tmp:
            library = bbc_library((args.data_dir or Path(tmp)) / "bbc")
            print(near(library, [q for q in load_questions() if q.half == args.near], Settings().min_answerability))
            library.close()
        return 0
    modes = [mode for mode in SEMANTIC_MODES if mode in args.modes.split(",")]
    squad_articles, squad = load_squad()
    squad_questions = [q.question for q in random.Random(args.seed).sample(squad, args.squad_questions)]
    natural = load_questions()
    with tempfile.TemporaryDirectory(prefix="newsbot-no-answer-") as tmp:
        base = args.data_dir or Path(tmp)
        # "off" asks the default's libraries without their vectors.
        vector_modes = [mode for mode in VECTOR_MODES if mode in modes or mode == "on"]
        bbc = {mode: bbc_library(beside(base / "bbc", mode), mode) for mode in vector_modes}
        squad_libraries = {
            mode: squad_library(beside(base / "squad", mode), squad_articles, mode)[0] for mode in vector_modes
        }
        rows = []
        for mode in modes:
            semantic = mode != "off"
            news, own = bbc.get(mode, bbc["on"]), squad_libraries.get(mode, squad_libraries["on"])
            groups = {
                f"natural {kind}, {half}": rankings(
                    news,
                    [q.question for q in natural if q.answerable == (kind == "answerable") and q.half == half],
                    semantic,
                )
                for kind in ("answerable", "unanswerable")
                for half in ("tuning", "held-out")
            }
            groups["SQuAD on SQuAD (answerable)"] = rankings(own, squad_questions, semantic)
            groups["SQuAD on BBC (unanswerable)"] = rankings(news, squad_questions, semantic)
            for threshold in THRESHOLDS:
                row = [mode, f"{threshold:.1f}"]
                row += [f"{declined(found, threshold):.0%}" for found in groups.values()]
                row.append(f"{weak(groups['natural answerable, held-out'], threshold):.0%}")
                rows.append(row)
        header = [
            "semantic",
            "min answerability",
            *(f"declined: {name}" for name in groups),
            "weak (held-out answerable)",
        ]
        for library in (*bbc.values(), *squad_libraries.values()):
            library.close()
    print(markdown_table(header, rows))
    print(
        f"\n{len(natural)} natural questions, {len(squad_questions)} SQuAD v1.1 dev questions;"
        f" default min answerability {Settings().min_answerability}; weaker below {CONFIDENT_ANSWERABILITY}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
