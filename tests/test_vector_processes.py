"""The paragraph vectors on disk between real newsbot processes: whatever was removed before, or damaged, the
next command answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests.processes import newsbot

STORIES = 17
SHIPPED_QUESTION = "Why did Russia invite Dempsey to Moscow?"


def run(settings: Settings, *args: str) -> tuple[int, str, str]:
    process = newsbot(settings, *args)
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def write_stories(folder: Path) -> list[Path]:
    """Small articles, each about a town of its own (three paragraphs: seventeen make about fifty vectors)."""
    folder.mkdir()
    files = []
    for n in range(1, STORIES + 1):
        path = folder / f"story{n}.txt"
        path.write_text(
            f"Town of Place{n} opens a library\n\nCategory: Local\nPublished 1-02-2020, 09:00\n"
            f"The town of Place{n} opened a new library with {n} thousand books on Monday, the mayor said.\n\n"
            f"Residents of Place{n} queued for hours to borrow novels and atlases from the shelves.\n\n"
            f"The building cost {n} million crowns and was paid for by a regional grant.\n",
            encoding="utf-8",
        )
        files.append(path)
    return files


@pytest.mark.parametrize("removed", [1, STORIES // 2, STORIES - 1, STORIES])
def test_commands_after_removing_articles_answer(settings: Settings, tmp_path: Path, removed: int) -> None:
    """usearch saved the vectors of an index it had removed vectors from into a file that corrupted memory when
    loaded: after removing half of 17 small articles, every later command died (exit 134 or 139)."""
    files = write_stories(tmp_path / "stories")
    code, _, err = run(settings, "ingest", str(tmp_path / "stories"))
    assert code == 0, err
    code, _, err = run(settings, "remove", *map(str, files[:removed]))
    assert code == 0, err
    kept = STORIES - removed
    question, expected = (
        (f"Which town opened a library with {STORIES} thousand books?", f"Place{STORIES}")
        if kept
        else (SHIPPED_QUESTION, "Dempsey")
    )
    for _ in range(2):  # the first loads the file the removal saved, the second the one it saved in turn
        code, out, err = run(settings, "ask", question)
        assert code == 0 and expected in out.split("\n\n")[0], (code, out, err)
    code, out, err = run(settings, "stats")
    assert code == 0 and f"{kept * 3 + 11} paragraph vectors" in out, (code, out, err)
