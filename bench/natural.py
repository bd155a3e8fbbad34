"""The project's natural-question set over the BBC corpus, and libraries of the BBC and SQuAD corpora (shared by
benches).

`bench/data/bbc_questions.jsonl`: questions written for newsbot in its developers' own words (no article text),
one JSON object a line: `id`, `style` (keywords, question, paraphrase, unanswerable), `question`, `article`
(the BBC record id, e.g. "business/001"; null when the corpus cannot answer), `paragraphs` (the positions
of the paragraphs that answer it) and, for questions added later, `batch` (2: 113 more answerable questions on
64 more articles, more of them answered past the lede, and 36 more unanswerable ones, some in keywords; 3: 176
answerable questions on 60 more articles and 88 unanswerable ones, written only to fit with). Each batch is split
into halves on its own, so adding questions never moves one between halves; a question may name its `half`
instead (batch 3's are all "tuning"), so that more fitting data leaves the held-out half as it was.
Batch 4 is the "blind" half: 181 answerable questions on 60 more articles (12 a category) and 41 unanswerable
ones, written from the articles alone before anything was run on them. It was never fitted on and must never be:
no threshold, weight or rule may be chosen by its figures ("both" halves are tuning and held-out only), so that it
stays a read of questions nobody tuned for.

`bench/data/far_bbc_questions.jsonl` (the "far" half, `FAR_PATH`): 72 more unanswerable questions in the same format,
written by unans66 in its own words to measure what issue #10 found getting through, questions far from every story
(everyday, general knowledge, events after 2005) that share a common word or two with some story. Never fitted on:
`bench/quality.py --halves far` reports it; the other benches read `QUESTIONS_PATH` alone.

`bench/data/mixed_bbc_questions.jsonl` (`MIXED_PATH`), written by unans67 in its own words before any run on it, its
unanswerable questions also naming their `kind`: 36 near-topic (a person, team or company a story names, a fact no
story holds), 20 of events after 2005, 15 of general knowledge, 14 everyday and 6 in keywords; and 56 answerable
ones on 26 stories no other set asks about. Halves "mixed-fit" (fitted on) and "mixed-check" (read to check), each
question's its own; `bench/quality.py --halves mixed-fit,mixed-check` reports them. A second batch (m148-m209),
written by unans68 the same way before any run on it, is in the fit half alone: 40 unanswerable (29 near-topic, most
counting or pricing another thing than the story does; 8 of later events; 3 in keywords) and 22 answerable ones on 20
stories no other set asks about.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from common import REPO, SquadArticle, load_bbc

from bot.config import Settings
from bot.library import Library
from bot.models import Article

QUESTIONS_PATH = REPO / "bench" / "data" / "bbc_questions.jsonl"
FAR_PATH = REPO / "bench" / "data" / "far_bbc_questions.jsonl"
MIXED_PATH = REPO / "bench" / "data" / "mixed_bbc_questions.jsonl"
STYLES = ("keywords", "question", "paraphrase")
UNANSWERABLE = "unanswerable"
HALVES_SEED = 10


@dataclass(frozen=True)
class NaturalQuestion:
    id: str
    style: str
    question: str
    # Library article id and paragraph positions that answer it (empty for unanswerable questions).
    article: str | None
    paragraphs: tuple[int, ...]
    batch: int = 1
    half: str = ""

    @property
    def answerable(self) -> bool:
        return self.article is not None


def bbc_articles() -> tuple[list[Article], dict[str, str]]:
    """The BBC corpus as newsbot Articles, and each BBC record id's library article id (repeats share one)."""
    articles, ids = [], {}
    for record in load_bbc():
        article = Article(title=record.title, paragraphs=record.paragraphs, category=record.category)
        articles.append(article)
        ids[record.id] = article.id
    return articles, ids


def load_questions(path: Path = QUESTIONS_PATH) -> list[NaturalQuestion]:
    """The question set of `path` with each question's half ("tuning", "held-out", "blind", "far", ...): its own if it
    names one, else a seeded split within its batch and style."""
    _, ids = bbc_articles()
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            article = ids[r["article"]] if r["article"] else None
            questions.append(
                NaturalQuestion(
                    r["id"],
                    r["style"],
                    r["question"],
                    article,
                    tuple(r["paragraphs"]),
                    r.get("batch", 1),
                    r.get("half", ""),
                )
            )
    out = [q for q in questions if q.half]
    rng = random.Random(HALVES_SEED)
    for batch in sorted({q.batch for q in questions if not q.half}):
        for style in (*STYLES, UNANSWERABLE):
            group = [q for q in questions if q.style == style and q.batch == batch and not q.half]
            rng.shuffle(group)
            out += [replace(q, half="tuning" if i < len(group) // 2 else "held-out") for i, q in enumerate(group)]
    return sorted(out, key=lambda q: q.id)


def bbc_library(data_dir: Path, semantic: str = "on") -> Library:
    """A library of the BBC corpus in `data_dir`, built on first use (vectors take minutes) and reused after."""
    settings = Settings(data_dir=data_dir, corpus_dir=data_dir / "no-corpus", semantic=semantic)
    library = Library.open(settings)
    articles, _ = bbc_articles()
    start = time.perf_counter()
    report = library.add(articles)
    library.embed()  # the vectors a running bot would make in the background (minutes, the first time)
    if report.added or report.updated:
        print(
            f"built the BBC library in {data_dir}: {report.summary()} ({time.perf_counter() - start:.0f} s)",
            file=sys.stderr,
        )
    return library


def beside(data_dir: Path, mode: str) -> Path:
    """The data directory of a library with the `mode` semantic stage: the static one beside the default."""
    return data_dir if mode == "on" else data_dir.with_name(f"{data_dir.name}-{mode}")


def squad_library(
    data_dir: Path, articles: Sequence[SquadArticle], semantic: str = "on"
) -> tuple[Library, dict[str, int]]:
    """A library of the SQuAD articles in `data_dir` with its vectors (reused when there), and each library
    article id's SQuAD article index."""
    library = Library.open(Settings(data_dir=data_dir, corpus_dir=data_dir / "no-corpus", semantic=semantic))
    stored = [Article(title=a.title, paragraphs=a.paragraphs, url=f"squad:{i}") for i, a in enumerate(articles)]
    library.add(stored)
    library.embed()  # the vectors a running bot would make in the background
    return library, {a.id: i for i, a in enumerate(stored)}


# The halves "both" reports: the blind half stays apart, so that its figures never join the others'.
BOTH = ("tuning", "held-out")


def split(questions: Sequence[NaturalQuestion], half: str) -> list[NaturalQuestion]:
    return [q for q in questions if q.half == half or (half == "both" and q.half in BOTH)]
