"""When should the bot say "nothing in the articles answers that"? The answerability threshold, measured.

Every answer gets one answerability score (`bot.retrieval.Answerability`, a logistic of its best passage's word
coverage and cosine, fitted on the tuning half of the natural questions). For each threshold
(`NEWSBOT_MIN_ANSWERABILITY`) it prints the share of questions declined:

- natural BBC questions (bench/data/bbc_questions.jsonl) over the BBC library: answerable ones (a decline is a
  miss) per half, and the 66 the corpus cannot answer (a decline is right);
- SQuAD v1.1 dev questions asked of a library of the 48 SQuAD articles (answerable) and of the BBC library
  (unanswerable: news from 2004-05 cannot answer questions about Super Bowl 50 or the Normans).

Each row also says how many answers are shown as weaker ("These passages may help:"). Rows for the semantic
stage on (default) and off.

    python bench/no_answer.py [--squad-questions 500] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from common import load_squad, markdown_table
from natural import bbc_library, load_questions

from bot.config import Settings
from bot.errors import QuestionError
from bot.library import Library
from bot.models import Article
from bot.retrieval import CONFIDENT_ANSWERABILITY, Ranking, search

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad-questions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None, help="where the BBC library is (or goes)")
    args = parser.parse_args(argv)
    squad_articles, squad = load_squad()
    squad_questions = [q.question for q in random.Random(args.seed).sample(squad, args.squad_questions)]
    natural = load_questions()
    with tempfile.TemporaryDirectory(prefix="newsbot-no-answer-") as tmp:
        bbc = bbc_library((args.data_dir or Path(tmp)) / "bbc")
        squad_library = Library.open(Settings(data_dir=Path(tmp) / "squad", corpus_dir=Path(tmp) / "none"))
        squad_library.add(Article(title=a.title, paragraphs=a.paragraphs) for a in squad_articles)
        squad_library.embed()  # the vectors a running bot would make in the background
        rows = []
        for semantic in (True, False):
            groups = {
                "natural answerable, tuning": rankings(
                    bbc, [q.question for q in natural if q.answerable and q.half == "tuning"], semantic
                ),
                "natural answerable, held-out": rankings(
                    bbc, [q.question for q in natural if q.answerable and q.half == "held-out"], semantic
                ),
                "natural unanswerable, tuning": rankings(
                    bbc, [q.question for q in natural if not q.answerable and q.half == "tuning"], semantic
                ),
                "natural unanswerable, held-out": rankings(
                    bbc, [q.question for q in natural if not q.answerable and q.half == "held-out"], semantic
                ),
                "SQuAD on SQuAD (answerable)": rankings(squad_library, squad_questions, semantic),
                "SQuAD on BBC (unanswerable)": rankings(bbc, squad_questions, semantic),
            }
            for threshold in THRESHOLDS:
                row = ["on" if semantic else "off", f"{threshold:.1f}"]
                row += [f"{declined(found, threshold):.0%}" for found in groups.values()]
                row.append(f"{weak(groups['natural answerable, held-out'], threshold):.0%}")
                rows.append(row)
        header = [
            "semantic",
            "min answerability",
            *(f"declined: {name}" for name in groups),
            "weak (held-out answerable)",
        ]
        bbc.close()
        squad_library.close()
    print(markdown_table(header, rows))
    print(
        f"\n{len(natural)} natural questions, {len(squad_questions)} SQuAD v1.1 dev questions;"
        f" default min answerability {Settings().min_answerability}; weaker below {CONFIDENT_ANSWERABILITY}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
