""" "More" pages an answer through one list: a passage is shown on one page only (over the BBC library)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.config import MAX_PASSAGES, Settings
from bot.library import Library
from tests.paths import BBC, needs_bbc

PAGE = 3
SECTIONS = ("business", "politics")


@needs_bbc
def test_later_pages_repeat_no_passage_of_the_pages_before(tmp_path: Path) -> None:
    """The search grew deeper with each page and reordered the list: "More" showed a passage of the page before
    again (eBay's profits on pages 2 and 3 of "How much did Time Warner's quarterly profits rise?") and skipped
    others; the first page, searched no deeper than it shows, had a passage come again on a later one."""
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "none", semantic="static")
    # The questions' sections of the BBC's (927 of its 2,225 stories: 10 s of CPU, where the whole took 22 s): with the
    # first page's passages not leading the later ones, "profits" still showed a passage twice.
    asked = tmp_path / "business-and-politics.jsonl"
    with BBC.open(encoding="utf-8") as lines, asked.open("w", encoding="utf-8") as out:
        out.writelines(line for line in lines if json.loads(line)["category"] in SECTIONS)
    library = Library.open(settings)
    try:
        library.ingest([asked])
        library.embed()
        for question in (
            "How much did Time Warner's quarterly profits rise?",
            "profits",
            "Who is the new chancellor?",
            "who won the election",
        ):
            shown: list[tuple[str, int]] = []
            for offset in range(0, MAX_PASSAGES - PAGE + 1, PAGE):
                answer = library.ask(library.request(question, k=PAGE, offset=offset))
                shown += [(p.article.id, p.position) for p in answer.passages]
                if not answer.more:
                    break
            assert len(shown) > 4 * PAGE, question
            assert len(set(shown)) == len(shown), question
    finally:
        library.close()
