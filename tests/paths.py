"""Where test data lives: our fixtures in tests/data, the research corpora in ../shared (optional)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "data"
BBC = SHARED / "bbc_news" / "bbc_news_2225.jsonl"
SQUAD = SHARED / "squad_v1.1_dev" / "dev-v1.1.json"

needs_bbc = pytest.mark.skipif(not BBC.is_file(), reason=f"BBC corpus not found at {BBC} (../shared is absent)")
