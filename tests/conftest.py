"""Shared fixtures: real SQLite files and real tantivy indexes under tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library import Library
from tests.paths import ROOT

# python-telegram-bot 22 warns on every RetryAfter unless told to use timedelta already; the suite turns
# warnings into errors, so opt in as production code will have to.
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings over an empty data directory, seeded with the shipped corpus on open."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus")


@pytest.fixture
def library(settings: Settings) -> Iterator[Library]:
    lib = Library.open(settings)
    yield lib
    lib.close()
