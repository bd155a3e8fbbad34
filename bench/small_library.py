"""Questions asked of small libraries (a newsroom's first few stories) in other words than the stories'.

Each library of tests/data named in tests/data/small_library_questions.json is built with the shipped story, as a
new user's would be, and given its vectors; every question goes through `Library.ask`, as `newsbot ask` does. An
answerable question (it names the text of the passages that answer it, `gold`) counts as confident, weak ("These
passages may help:") or declined, and whether an answering passage is among the 3 shown and first; a question the
stories cannot answer (`kind`: a near topic, an everyday question, a later event) counts as confident, weak or
declined. Then seeded random two- and three-word questions, of the words of eight small libraries' stories, asked
of each: a confident answer there is most often a guess.

    python bench/small_library.py [--data-dir DIR] [--nonsense 400] [--seed 1] [--list] [--lifts]
        [--chance BBC_DATA_DIR] [--questions FILE]

`--questions` asks another set instead: tests/data/fresh_library_questions.json (its library, hollinsford, and its
questions were written blind and nobody tunes on them: a held-out check, an object whose `about` says so), or
tests/data/pellingham_questions.json (blind too), whose replies to a story name it (`following`: its file) and are
asked as `newsbot ask --following` asks them.

With `--list` every question of the set is printed with its outcome, its answer's answerability (`Ranking.best`)
and the best cosine of any candidate. Libraries are kept in `--data-dir` (a temporary directory if none) and
reused when their store is there.

`--lifts` weighs what a small library's best cosine lacks: the answerability was fitted over 10,000 BBC paragraphs,
where some paragraph is always a little near a question by chance. It prints how many best passages (by the
search's answerability, before `compose`'s other rules) would score below the decline bar (0.5) and at least the
confident one (0.8) were the best cosine lifted by a share of how much nearer by chance the nearest of 10,000
paragraphs is than the nearest of the library's (CHANCE_SLOPE), for the set, the random questions and the
questions tests/data/reader_questions.json and small_library_answers.json expect declined. `--chance` measures that
nearness: the set's questions (which the BBC stories do not answer) asked of random samples of the paragraphs of
the BBC library `bench/quality.py --data-dir` keeps (its `bbc` directory; a copy, never the prepared one).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import REPO, markdown_table
from natural import bbc_library

from bot.analysis import analysed_in
from bot.config import Settings
from bot.library import Library
from bot.models import Answer
from bot.retrieval import SEMANTIC_ANSWERABILITY, UNSEEN_FULL_AT, Candidate, answerability_features, search

DATA = REPO / "tests" / "data"
QUESTIONS = DATA / "small_library_questions.json"
# The small libraries the random questions are made of and asked of.
NONSENSE_LIBRARIES = (
    "wexcombe",
    "portmere",
    "kelby",
    "second_week",
    "courts_and_towns",
    "harrowby",
    "first_week",
    "four_stories",
)
OUTCOMES = ("confident", "weak", "declined")
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
# The cases that expect a decline, of the libraries here.
GUARDS = (DATA / "reader_questions.json", DATA / "small_library_answers.json")
# The nearest of N paragraphs that do not answer a question is at a cosine of about a + CHANCE_SLOPE * sqrt(2 ln N)
# (the largest of N draws of a cosine spread about normally); `--chance` measures it (0.120 on 2026-12-05).
CHANCE_SLOPE = 0.120
LIFT_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
CHANCE_SIZES = (20, 40, 60, 100, 300, 1000, 3000, 10000)
CHANCE_DRAWS = 20


@dataclass(frozen=True)
class Asked:
    library: str
    question: str
    # The question searched: a reply to a story (`following`) read with what it follows, as `Library.ask` got it.
    searched: str
    answer: Answer
    # The texts of the passages that answer it (empty: the stories cannot answer it).
    gold: tuple[str, ...] = ()
    kind: str = ""

    @property
    def outcome(self) -> str:
        return ("confident" if self.answer.confident else "weak") if self.answer.found else "declined"

    def right_within(self, k: int) -> bool:
        return any(g in p.text for p in self.answer.passages[:k] for g in self.gold)


@contextmanager
def libraries(root: Path, names: Sequence[str]) -> Iterator[dict[str, Library]]:
    """Each named library of tests/data with the shipped story and vectors, in `root/NAME`, closed after."""
    with ExitStack() as stack:
        opened = {}
        for name in names:
            data_dir = root / name
            built = (data_dir / "done").exists()
            library = Library.open(Settings(data_dir=data_dir / "data", corpus_dir=REPO / "corpus"))
            stack.callback(library.close)
            if not built:
                library.ingest([DATA / name])
                library.embed()
                (data_dir / "done").touch()
            opened[name] = library
        yield opened


def nonsense(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` (library, question) pairs: two or three words drawn from all the small libraries' stories."""
    words = sorted(
        {
            w
            for name in NONSENSE_LIBRARIES
            for f in (DATA / name).iterdir()
            for w in _WORD.findall(f.read_text().lower())
        }
    )
    rng = random.Random(seed)
    return [
        (NONSENSE_LIBRARIES[i % len(NONSENSE_LIBRARIES)], " ".join(rng.sample(words, rng.choice((2, 3)))))
        for i in range(count)
    ]


def chance_lift(paragraphs: int) -> float:
    """How much nearer by chance the nearest of UNSEEN_FULL_AT paragraphs is to a question than the nearest of
    `paragraphs`."""
    return CHANCE_SLOPE * (math.sqrt(2 * math.log(UNSEEN_FULL_AT)) - math.sqrt(2 * math.log(max(paragraphs, 2))))


def lifted(candidate: Candidate, best_cosine: float, lift: float) -> float:
    values = answerability_features(candidate, best_cosine + lift)
    z = SEMANTIC_ANSWERABILITY.bias + sum(w * values[n] for n, w in SEMANTIC_ANSWERABILITY.weights.items())
    return 1.0 / (1.0 + math.exp(-z))


def lifts(opened: dict[str, Library], groups: dict[str, Sequence[tuple[str, str]]]) -> str:
    """The table of `--lifts` for each group of (library, question) pairs."""
    found: dict[str, list[tuple[Candidate, float, float] | None]] = {}
    for group, questions in groups.items():
        found[group] = []
        for name, question in questions:
            library = opened[name]
            ranking = search(library.request(question), library.engine, library.store, library.semantic)
            lift = chance_lift(library.engine.count())
            found[group].append((ranking.candidates[0], ranking.best_cosine, lift) if ranking.candidates else None)
    rows = []
    for share in LIFT_SHARES:
        cells = []
        for each in found.values():
            scores = [0.0 if f is None else lifted(f[0], f[1], share * f[2]) for f in each]
            cells.append(f"{sum(s < 0.5 for s in scores)} / {sum(s >= 0.8 for s in scores)} of {len(scores)}")
        rows.append([f"{share:.2f}", *cells])
    return markdown_table(["lift share", *(f"{g}: below 0.5 / 0.8 or more" for g in groups)], rows)


def chance(bbc_dir: Path, questions: Sequence[str], seed: int) -> str:
    """The nearest of random samples of the BBC paragraphs to each question: mean and spread by sample size."""
    library = bbc_library(bbc_dir / "bbc", "on")
    semantic = library.semantic
    if semantic is None:
        sys.exit("error: the semantic stage could not be loaded (see the log above)")
    paragraphs = semantic.vectors.count()
    cosines = [
        np.array([c for _, _, c in semantic.vectors.search(semantic.embed_question(q), paragraphs)]) for q in questions
    ]
    library.close()
    rng = np.random.default_rng(seed)
    rows = []
    for size in CHANCE_SIZES:
        nearest = np.array(
            [rng.choice(c, size=min(size, len(c)), replace=False).max() for c in cosines for _ in range(CHANCE_DRAWS)]
        )
        rows.append(
            [str(size), f"{nearest.mean():.3f}", f"{nearest.std():.3f}", f"{math.sqrt(2 * math.log(size)):.2f}"]
        )
    return markdown_table(["paragraphs", "nearest: mean", "spread", "sqrt(2 ln N)"], rows)


def table(asked: Sequence[Asked], nonsense_asked: Sequence[Asked]) -> str:
    answerable = [a for a in asked if a.gold]
    rows = []

    def row(name: str, group: Sequence[Asked], right: bool) -> None:
        n = len(group)
        if not n:  # a set of answerable questions only (news_phrasings, reader_questions) has no unanswerable row
            return
        counts = Counter(a.outcome for a in group)
        cells = [f"{counts[o]} ({counts[o] / n:.0%})" for o in OUTCOMES]
        first = f"{sum(a.right_within(1) for a in group)}" if right else ""
        within = f"{sum(a.right_within(3) for a in group)}" if right else ""
        rows.append([name, str(n), *cells, first, within])

    row("answerable, other words", answerable, True)
    for kind in sorted({a.kind for a in asked if not a.gold}):
        row(f"unanswerable: {kind}", [a for a in asked if a.kind == kind], False)
    row("unanswerable, all", [a for a in asked if not a.gold], False)
    if nonsense_asked:
        row("random 2-3 words", nonsense_asked, False)
    header = ["questions", "n", *OUTCOMES, "right passage first", "right passage in 3"]
    return markdown_table(header, rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the libraries here")
    parser.add_argument("--nonsense", type=int, default=400, help="random two/three-word questions (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--list", action="store_true", help="print every question of the set with its outcome")
    parser.add_argument("--lifts", action="store_true", help="the declines were the best cosine lifted by chance")
    parser.add_argument("--chance", type=Path, help="measure the nearest by chance over this BBC library copy")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="the set of questions to ask")
    args = parser.parse_args(argv)
    cases = json.loads(args.questions.read_text(encoding="utf-8"))
    if isinstance(cases, dict):
        cases = cases["questions"]
    if not all("library" in c for c in cases):  # a test's own set (near_topic_questions.json): its test asks it
        parser.error(f"{args.questions}: its questions name no library (a case's `library`), as this bench's sets do")
    if args.chance:
        print(chance(args.chance, [c["question"] for c in cases], args.seed))
        return
    random_questions = nonsense(args.nonsense, args.seed)
    names = sorted({c["library"] for c in cases} | {name for name, _ in random_questions})
    with ExitStack() as stack:
        root = args.data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="small-library-")))
        opened = stack.enter_context(libraries(root, names))

        def ask(name: str, question: str, gold: Sequence[str] = (), kind: str = "", following: str = "") -> Asked:
            library = opened[name]
            # A reply to a story (`following`: its file in the library's folder), as `newsbot ask --following`.
            searched = library.follow_up(question, [str(DATA / name / following)]) if following else question
            return Asked(name, question, searched, library.ask(library.request(searched)), tuple(gold), kind)

        asked = [
            ask(c["library"], c["question"], c.get("gold", ()), c.get("kind", ""), c.get("following", ""))
            for c in cases
        ]
        nonsense_asked = [ask(name, question) for name, question in random_questions]
        if args.list:
            for a in asked:
                library = opened[a.library]
                with analysed_in(library.follower.language):  # as `Library.ask` reads it
                    ranking = search(library.request(a.searched), library.engine, library.store, library.semantic)
                right = (
                    ("right first" if a.right_within(1) else "right in 3" if a.right_within(3) else "wrong")
                    if a.gold
                    else a.kind
                )
                scores = f"{ranking.best:.2f} cos {ranking.best_cosine:.2f}"
                print(f"{a.outcome:9} {scores} {right:11} {a.library}: {a.question}")
            for a in nonsense_asked:
                if a.outcome == "confident":
                    print(f"random confident: {a.library}: {a.question}")
        print(table(asked, nonsense_asked))
        if args.lifts:
            guards = [
                (c["library"], c["question"])
                for path in GUARDS
                for c in json.loads(path.read_text(encoding="utf-8"))
                if c["answer"] == "declined" and c["library"] in opened
            ]
            groups = {
                "answerable": [(c["library"], c["question"]) for c in cases if "gold" in c],
                "unanswerable": [(c["library"], c["question"]) for c in cases if "gold" not in c],
                "declined cases": guards,
                "random": random_questions,
            }
            print()
            print(lifts(opened, groups))


if __name__ == "__main__":
    main()
