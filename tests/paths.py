"""Where test data lives: our fixtures in tests/data, the research corpora in ../shared (optional); what files
this process holds open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "data"
BBC = SHARED / "bbc_news" / "bbc_news_2225.jsonl"
SQUAD = SHARED / "squad_v1.1_dev" / "dev-v1.1.json"

needs_bbc = pytest.mark.skipif(not BBC.is_file(), reason=f"BBC corpus not found at {BBC} (../shared is absent)")


def open_here() -> set[str]:
    """What this process's file descriptors name (Linux says "PATH (deleted)" of a removed file's)."""
    named = set()
    for descriptor in Path("/proc/self/fd").iterdir():
        try:
            named.add(os.readlink(descriptor))
        except OSError:  # the listing's own, closed since
            continue
    return named
