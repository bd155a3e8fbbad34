"""How soon `newsbot run` answers on a fresh install, and after it.

`newsbot run` starts over a new data directory (the shipped corpus), long-polling the fake Bot API server of
`tests/botapi_server.py`, with a question already waiting. Per start: seconds until the bot set its command menu
(the end of `post_init`), until the reply reached the server, and, with an empty cache, until the word-piece
table was written (the time a start that distilled it first would have waited before answering). Rows: an empty
cache (a fresh install: the table is distilled aside while the bot answers) and the cache that start left.

    python bench/first_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from common import markdown_table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.botapi_server import TOKEN, FakeBotAPI

QUESTION = "What did Gerasimov say about NATO?"
CHAT = 5551
TIMEOUT_SECONDS = 300


def start(cache: Path, data: Path) -> tuple[float, float, float | None]:
    """One start of `newsbot run`: seconds to the command menu, to the first reply, to the table on disk."""
    with FakeBotAPI(token=TOKEN) as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "NEWSBOT_DATA_DIR": str(data),
            "NEWSBOT_CACHE_DIR": str(cache),
        }
        had_table = any((cache / "static").glob("static-*.npy"))
        began = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            api.send_text(CHAT, QUESTION)
            api.wait_for("setMyCommands", timeout=TIMEOUT_SECONDS)
            menu = time.perf_counter() - began
            api.wait_for("sendMessage", chat_id=CHAT, timeout=TIMEOUT_SECONDS)
            reply = time.perf_counter() - began
            table = None
            if not had_table:
                while not any((cache / "static").glob("static-*.npy")):
                    if time.perf_counter() - began > TIMEOUT_SECONDS:
                        sys.exit("error: the word-piece table was never written")
                    time.sleep(0.1)
                table = time.perf_counter() - began
        finally:
            process.terminate()
            process.wait(timeout=60)
    return menu, reply, table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="starts of each kind (each with a new empty cache)")
    args = parser.parse_args(argv)
    fresh: list[tuple[float, float, float | None]] = []
    warm: list[tuple[float, float, float | None]] = []
    with tempfile.TemporaryDirectory(prefix="newsbot-first-start-") as root:
        for run in range(args.runs):
            cache = Path(root) / f"cache-{run}"
            fresh.append(start(cache, Path(root) / f"fresh-{run}"))
            warm.append(start(cache, Path(root) / f"warm-{run}"))

    def median(values: Sequence[float | None]) -> str:
        known = [v for v in values if v is not None]
        return f"{statistics.median(known):.1f}" if known else ""

    header = ["start", "runs", "menu set, s", "first reply, s", "table written, s"]
    rows = [
        [name, str(len(starts)), *(median([s[i] for s in starts]) for i in range(3))]
        for name, starts in (("empty cache (fresh install)", fresh), ("cache kept from that start", warm))
    ]
    print(markdown_table(header, rows))
    print(f"\nMedians of {args.runs} starts each; the question was waiting when the bot started.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
