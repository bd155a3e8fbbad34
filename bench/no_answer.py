"""When should the bot say "nothing in the articles answers that"? The coverage threshold, measured.

The library holds the 2,225 BBC articles. Two sets of questions go through the product's `Library.ask`:

- unanswerable: SQuAD v1.1 dev questions (about Wikipedia topics such as Super Bowl 50 or the Normans), which
  BBC news from 2004-05 cannot answer; any passage shown for them is a wrong answer;
- answerable: questions made of five words drawn from one BBC paragraph, which that paragraph answers.

For each threshold (`Settings.min_coverage`, the share of a question's idf-weighted words a passage must hold)
it prints how many unanswerable questions still got a passage and how many answerable ones got none.

    python bench/no_answer.py [--questions 500] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from common import BBC_PATH, load_bbc, load_squad, markdown_table, require

from bot.config import Settings
from bot.errors import QuestionError
from bot.library import Library

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
WORDS_PER_QUESTION = 5


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
    rng = random.Random(args.seed)
    _, squad = load_squad()
    unanswerable = [q.question for q in rng.sample(squad, args.questions)]
    answerable = []
    for article in rng.sample(load_bbc(), args.questions):
        words = re.findall(r"[A-Za-z]{4,}", rng.choice(article.paragraphs))
        if len(words) >= WORDS_PER_QUESTION:
            answerable.append(" ".join(rng.sample(words, WORDS_PER_QUESTION)))
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsbot-no-answer-") as tmp:
        settings = Settings(data_dir=Path(tmp), corpus_dir=Path(tmp) / "none")
        library = Library.open(settings)
        library.ingest([require(BBC_PATH)])
        for threshold in THRESHOLDS:
            library.settings = replace(settings, min_coverage=threshold)
            rows.append([f"{threshold:.1f}", f"{answered(library, unanswerable):.1%}",
                         f"{1 - answered(library, answerable):.1%}"])
        library.close()
    print(markdown_table(["min coverage", "unanswerable shown a passage", "answerable shown none"], rows))
    print(f"\n{len(unanswerable)} SQuAD questions (unanswerable from BBC news), {len(answerable)} questions of "
          f"{WORDS_PER_QUESTION} words from one BBC paragraph; default min coverage {Settings().min_coverage}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
