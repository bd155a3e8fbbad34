"""Shared helpers for the benchmarks: data locations, loaders and table printing.

The data sets live beside the repository in `../shared/data` and are only read, never copied.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SQUAD_PATH = SHARED_DATA / "squad_v1.1_dev" / "dev-v1.1.json"
BBC_PATH = SHARED_DATA / "bbc_news" / "bbc_news_2225.jsonl"


def require(path: Path) -> Path:
    """The path, or exit with a message naming what is missing and where it was looked for."""
    if not path.is_file():
        sys.exit(
            f"error: benchmark data not found: {path}\n"
            f"The benchmarks read ../shared/data beside the repository ({SHARED_DATA}); "
            "put the SQuAD v1.1 dev set and the BBC news JSONL there."
        )
    return path


@dataclass(frozen=True)
class SquadQuestion:
    """A question and the paragraph it was written about (article index, paragraph position)."""

    question: str
    article: int
    position: int


@dataclass(frozen=True)
class SquadArticle:
    title: str
    paragraphs: tuple[str, ...]


def load_squad() -> tuple[list[SquadArticle], list[SquadQuestion]]:
    """SQuAD v1.1 dev: articles (title with spaces, paragraphs) and every question with its gold paragraph."""
    data = json.loads(require(SQUAD_PATH).read_text(encoding="utf-8"))
    articles: list[SquadArticle] = []
    questions: list[SquadQuestion] = []
    for a, item in enumerate(data["data"]):
        paragraphs = tuple(p["context"] for p in item["paragraphs"])
        articles.append(SquadArticle(item["title"].replace("_", " "), paragraphs))
        for position, paragraph in enumerate(item["paragraphs"]):
            questions.extend(SquadQuestion(qa["question"], a, position) for qa in paragraph["qas"])
    return articles, questions


@dataclass(frozen=True)
class BbcArticle:
    id: str
    category: str
    title: str
    paragraphs: tuple[str, ...]


def load_bbc() -> list[BbcArticle]:
    """The 2,225 BBC articles, in file order."""
    articles = []
    with require(BBC_PATH).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                articles.append(
                    BbcArticle(
                        record["id"],
                        record["category"],
                        record["title"],
                        tuple(p for p in record["paragraphs"] if p.strip()),
                    )
                )
    return articles


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table, columns padded for reading in a terminal."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "| " + " | ".join("-" * w for w in widths) + " |", *map(line, rows)])


@contextmanager
def postgres_server() -> Iterator[Callable[[], str]]:
    """A PostgreSQL 16 server for one benchmark run (pgserver, from the test extra); yields a maker of new
    empty databases, each returned as a SQLAlchemy URL."""
    try:
        import pgserver
    except ImportError:
        sys.exit("error: PostgreSQL benchmarks need pgserver: pip install -e '.[test]'")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    directory = Path(tempfile.mkdtemp(prefix="newsbot-bench-postgres-"))
    server = pgserver.get_server(directory, cleanup_mode="stop")
    admin_url = make_url(server.get_uri()).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    count = 0

    def new_database() -> str:
        nonlocal count
        count += 1
        name = f"bench_{count}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return admin_url.set(database=name).render_as_string(hide_password=False)

    try:
        yield new_database
    finally:
        admin.dispose()
        server.cleanup()
        shutil.rmtree(directory, ignore_errors=True)
