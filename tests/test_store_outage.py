"""The store misconfigured or out of reach, as a reader and an operator meet it: real newsbot processes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.cli import EXIT_USAGE
from bot.config import Settings
from tests.processes import newsbot


def test_a_sqlite_url_in_a_directory_that_is_not_there_is_refused_naming_it_not_made(tmp_path: Path) -> None:
    """An operator mistyping DATABASE_URL's directory is told which path is wrong, and nothing is made there: the
    bot ran on a new store in the made-up directory, seeded with the shipped example, the newsroom's elsewhere."""
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/dta/newsbot.sqlite3")
    for command in (("ask", "Who won?"), ("run",)):
        process = newsbot(settings, *command)
        out, err = process.communicate(timeout=60)
        assert (process.returncode, out, err.strip()) == (
            EXIT_USAGE,
            "",
            f"newsbot: DATABASE_URL names the SQLite file {tmp_path}/dta/newsbot.sqlite3, but its directory"
            f" {tmp_path}/dta does not exist: correct the path, or create the directory",
        )
    assert not (tmp_path / "dta").exists()
    # A new file in a directory that is there is a new store, as the data directory's first start makes one.
    out, err = newsbot(replace(settings, database_url=f"sqlite:///{tmp_path}/new.sqlite3"), "stats").communicate(
        timeout=60
    )
    assert "articles:" in out and (tmp_path / "new.sqlite3").is_file(), err


def test_a_sqlite_url_naming_no_file_is_refused_in_one_line(tmp_path: Path) -> None:
    """sqlite:// (a store in memory, each process's own and lost at its end) was a traceback from the pool's
    settings."""
    settings = Settings(data_dir=tmp_path / "data", database_url="sqlite://")
    process = newsbot(settings, "stats")
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (EXIT_USAGE, ""), err
    assert err.startswith("newsbot: DATABASE_URL must be a sqlite:///PATH") and "'sqlite://' names no file" in err, err
