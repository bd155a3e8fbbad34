"""When should the bot say "nothing in the articles answers that"? The coverage threshold, measured.

The same SQuAD v1.1 dev questions (people's questions about Wikipedia topics such as Super Bowl 50 or the
Normans) go through the product's `Library.ask` twice:

- answerable: asked of a library holding the 48 SQuAD articles, where their paragraph is; "nothing answers
  that" is then a miss;
- unanswerable: asked of a library holding the 2,225 BBC articles (news from 2004-05), which cannot answer
  them; any passage shown is then a wrong answer.

For each threshold (`Settings.min_coverage`, the share of a question's idf-weighted words a passage must hold)
it prints both error rates.

    python bench/no_answer.py [--questions 500] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from common import BBC_PATH, load_squad, markdown_table, require

from bot.config import Settings
from bot.errors import QuestionError
from bot.library import Library
from bot.models import Article

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def answered(library: Library, questions: Sequence[str]) -> float:
    """Share of questions that got at least one passage."""
    found = 0
    for question in questions:
        try:
            found += library.ask(library.request(question, k=1)).found
        except QuestionError:
            continue
    return found / max(len(questions), 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=500, help="questions in each set")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    articles, squad = load_squad()
    questions = [q.question for q in random.Random(args.seed).sample(squad, args.questions)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsbot-no-answer-") as tmp:
        libraries = []
        for name in ("squad", "bbc"):
            settings = Settings(data_dir=Path(tmp) / name, corpus_dir=Path(tmp) / "none")
            library = Library.open(settings)
            if name == "squad":
                library.add(Article(title=a.title, paragraphs=a.paragraphs) for a in articles)
            else:
                library.ingest([require(BBC_PATH)])
            libraries.append((library, settings))
        for threshold in THRESHOLDS:
            shares = []
            for library, settings in libraries:
                library.settings = replace(settings, min_coverage=threshold)
                shares.append(answered(library, questions))
            rows.append([f"{threshold:.1f}", f"{1 - shares[0]:.1%}", f"{shares[1]:.1%}"])
        for library, _ in libraries:
            library.close()
    print(
        markdown_table(
            ["min coverage", "answerable (SQuAD library) shown none", "unanswerable (BBC library) shown a passage"],
            rows,
        )
    )
    print(f"\n{len(questions)} SQuAD v1.1 dev questions; default min coverage {Settings().min_coverage}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
