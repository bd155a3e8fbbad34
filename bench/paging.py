"""What a "More" press costs beside the first page: `python bench/paging.py [--data-dir DIR] [--semantic MODE]`.

Each of the natural set's answerable questions asked as questions (`bench/natural.py`) is answered a page at a
time through `bot.tg.ask.first_page` and `next_page`, as the bot answers it and its "More" buttons (the state of
the library unchanged between presses, so each press searches only the page it shows), on the BBC library; after
a first page with a "More" button, its later pages are ranked (`Library.rank_later_pages`, untimed), as the bot
ranks them aside once the page is sent. Timed
apart: the first page, the second ("More" once) and the third ("More" twice). A checksum of every page's passages
shows whether a change kept the pages as they were.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from statistics import mean

from common import markdown_table, percentile
from natural import bbc_library, beside, load_questions

from bot.store.queries import SavedQuery
from bot.tg.ask import Page, first_page, next_page
from bot.tg.buttons import MORE_DATA
from bot.tg.pages import anchor_of

CHAT = 1
PAGES = ("first page", "second page (More)", "third page (More again)")


def more_data(page: Page) -> str | None:
    """The data of the page's "More" button (None without one)."""
    buttons = [b for row in page.markup.inline_keyboard for b in row] if page.markup else []
    return next((str(b.callback_data) for b in buttons if b.text == "More"), None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=None, help="where the BBC library is (or goes)")
    parser.add_argument("--semantic", default="on", help="the semantic stage: on, static or off")
    parser.add_argument("--questions", type=int, default=40, help="questions asked (the natural set's first)")
    args = parser.parse_args(argv)
    asked = [q.question for q in load_questions() if q.style == "question" and q.answerable][: args.questions]
    times: list[list[float]] = [[] for _ in PAGES]
    shown = hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="newsbot-paging-") as tmp:
        library = bbc_library(beside((args.data_dir or Path(tmp)) / "bbc", args.semantic), args.semantic)
        library.ask(library.request(asked[0]))  # the encoder's first call loads it
        for question in asked:
            start = time.perf_counter()
            page = first_page(library, library.request(question), "newsbot", UTC, CHAT)
            times[0].append(time.perf_counter() - start)
            if page.saved is not None:  # what the bot does aside once the first page is sent, before any press
                library.rank_later_pages(library.request(question))
            saving = {page.saved.key: page.saved} if page.saved else {}
            shown.update(page.text.encode())
            for later in times[1:]:
                data = more_data(page)
                match = MORE_DATA.match(data or "")
                if match is None or not isinstance(page.saved, SavedQuery):
                    break
                turning = anchor_of(match) or int(match[2])
                start = time.perf_counter()
                turned = next_page(library, match[1], CHAT, turning, "newsbot", UTC, saving)
                later.append(time.perf_counter() - start)
                if not isinstance(turned, Page):
                    break
                page = Page(turned.text, turned.markup, page.saved)
                shown.update(page.text.encode())
        library.close()
    header = ["page", "presses", "p50 ms", "p95 ms", "mean ms"]
    rows = [
        [name, str(len(t)), *(f"{ms * 1000:.0f}" for ms in (percentile(t, 50), percentile(t, 95), mean(t)))]
        for name, t in zip(PAGES, times, strict=True)
        if t
    ]
    print(markdown_table(header, rows))
    ratio = mean(times[1]) / mean(times[0]) if times[1] else 0.0
    print(f"\n{len(asked)} natural questions ({args.semantic} semantic stage); a second page costs {ratio:.1f}x the")
    print(f"first in mean; the pages shown: sha256 {shown.hexdigest()[:16]}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
