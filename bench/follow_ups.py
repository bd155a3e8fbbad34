"""What a follow-up costs: `python bench/follow_ups.py [--data-dir DIR]`.

A follow-up is a reply to an answer ("who bought it?"). Before it is searched with the headlines of the stories it
follows, `Library.follow_up` reads those stories and tells whether the reply names a new subject, which is then
searched alone. Each of the natural set's answerable questions asked as questions (`bench/natural.py`) is asked
first; then each of FOLLOW_UPS is asked in reply to its answer. Timed apart: the question alone, telling the
subject (`Library.follow_up`), the follow-up's search (`Library.ask`), and the two together (what a reply costs
before it is rendered). The BBC library with the encoder's vectors, as the bot answers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import mean
from typing import TypeVar

from common import markdown_table, percentile
from natural import bbc_library, load_questions

from bot.library import Library

T = TypeVar("T")

# Replies a reader sends to an answer: most follow up on its story, the last three name a new subject.
FOLLOW_UPS = (
    "who said that?",
    "when was that?",
    "how much did it cost?",
    "why?",
    "what happened next?",
    "who bought it?",
    "what about the six nations?",
    "and arsenal?",
    "what about the oil price?",
)


def timed(call: Callable[[], T], into: list[float]) -> T:
    start = time.perf_counter()
    result = call()
    into.append(time.perf_counter() - start)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=None, help="where the BBC library is (or goes)")
    parser.add_argument("--questions", type=int, default=40, help="first questions asked (the natural set's first)")
    args = parser.parse_args(argv)
    asked = [q.question for q in load_questions() if q.style == "question" and q.answerable][: args.questions]
    alone: list[float] = []
    telling: list[float] = []
    searching: list[float] = []
    together: list[float] = []
    searched_alone = 0
    with tempfile.TemporaryDirectory(prefix="newsbot-follow-ups-") as tmp:
        library: Library = bbc_library((args.data_dir or Path(tmp)) / "bbc")
        library.ask(library.request(asked[0]))  # the encoder's first call loads it
        for question in asked:
            answer = timed(lambda q=question: library.ask(library.request(q)), alone)
            ids = [p.article.id for p in answer.passages]
            for reply in FOLLOW_UPS:
                searched = timed(lambda r=reply, i=ids: library.follow_up(r, i), telling)
                searched_alone += searched == reply
                timed(lambda s=searched: library.ask(library.request(s)), searching)
                together.append(telling[-1] + searching[-1])
        library.close()
    header = ["step", "replies", "p50 ms", "p95 ms", "mean ms"]
    rows = [
        [
            name,
            str(len(times)),
            *(f"{ms * 1000:.0f}" for ms in (*(percentile(times, p) for p in (50, 95)), mean(times))),
        ]
        for name, times in (
            ("a question alone", alone),
            ("telling the subject (follow_up)", telling),
            ("the follow-up's search (ask)", searching),
            ("a follow-up in all", together),
        )
    ]
    print(markdown_table(header, rows))
    print(
        f"\n{len(asked)} natural questions, each followed by {len(FOLLOW_UPS)} replies; {searched_alone} of"
        f" {len(telling)} replies were searched alone (a new subject, or no story to follow)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
