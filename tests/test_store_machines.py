"""Two machines on one PostgreSQL store: a data directory each, their own index following the one change log.

Real `newsbot` processes on the second machine's data directory write (ingest, remove) while a library opened
here on the first answers, as a bot there would; each index must end up holding what the store holds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.config import Settings
from bot.library import Library
from tests.paths import ROOT
from tests.processes import newsbot

SEED_QUESTION = "Why did Russia invite Dempsey to Moscow?"


def _ask(settings: Settings, question: str) -> tuple[int, str]:
    process = newsbot(settings, "ask", "--json", question)
    out, err = process.communicate(timeout=300)
    assert "Traceback" not in err, err
    return process.returncode, out


def test_a_removal_on_one_machine_leaves_every_machine_s_index(postgres_url: str, tmp_path: Path) -> None:
    """An article removed through the second machine's data directory stops being answered on the first (a
    running library and a new process there) as on the second, with nothing of it left in either index."""
    first = Settings(data_dir=tmp_path / "first", corpus_dir=ROOT / "corpus", database_url=postgres_url, semantic="off")
    second = replace(first, data_dir=tmp_path / "second")
    library = Library.open(first)
    try:
        assert library.ask(library.request(SEED_QUESTION)).found
        seeded = library.store.article_ids_after("", None)
        assert len(seeded) == 1
        returncode, out = _ask(second, SEED_QUESTION)
        assert returncode == 0 and seeded[0] in out  # the second machine built its index from the store
        remove = newsbot(second, "remove", seeded[0])
        out, err = remove.communicate(timeout=300)
        assert remove.returncode == 0 and f"removed {seeded[0]}" in out, err
        library.follow()
        assert not library.ask(library.request(SEED_QUESTION)).found
        assert library.engine.count() == library.store.stats().paragraphs == 0
        for settings in (first, second):
            returncode, out = _ask(settings, SEED_QUESTION)
            assert returncode == 1 and seeded[0] not in out, (settings.data_dir, out)
        # Written again through the second machine: back in the first's index as in the second's.
        ingest = newsbot(second, "ingest", str(ROOT / "corpus"))
        assert ingest.communicate(timeout=300) and ingest.returncode == 0
        library.follow()
        assert library.ask(library.request(SEED_QUESTION)).found
        assert library.engine.count() == library.store.stats().paragraphs > 0
        assert _ask(first, SEED_QUESTION)[0] == _ask(second, SEED_QUESTION)[0] == 0
    finally:
        library.close()
