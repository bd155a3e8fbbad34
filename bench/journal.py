"""What recording each Telegram update costs the bot: `python bench/journal.py`.

A running bot records every update in the store before Telegram is told it arrived, and marks it handled after
(bot/tg/received.py), so that a bot killed mid-answer leaves the question to the next start; between the two it
reads whether another process holds earlier updates of the chat not handled yet, which it waits for. This times
those two writes and the read, as the bot makes them (`Store.receive_update`, `Store.update_holders_before`,
`Store.handled_update`, one transaction each, one after the other), for `--updates` private-chat questions, on
SQLite and on PostgreSQL, each step apart and the three together; compare with the bot's own CPU per question in
`bench/bot_load.py`. The machine's load average before and after is printed: a shared machine's other work
lengthens every step, the read the most (it is the one that waits for a core between two writes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from common import markdown_table, percentile, postgres_server

from bot.store import Received, Store


def update_json(update_id: int) -> str:
    """A private chat's question as Telegram sends it."""
    person = {"id": 42, "first_name": "Alice", "language_code": "en"}
    message = {
        "message_id": update_id,
        "date": 1764600000,
        "chat": {**person, "type": "private"},
        "from": {**person, "is_bot": False},
        "text": "How much did Time Warner's profits rise in the last quarter?",
    }
    return json.dumps({"update_id": update_id, "message": message})


STEPS = ("record", "read", "mark")


def timed(url: str, updates: int) -> dict[str, list[float]]:
    """Seconds each update's record, look at its chat's earlier updates and mark took, by step."""
    store = Store.open(url)
    now = datetime.now(UTC)
    took: dict[str, list[float]] = {step: [] for step in STEPS}
    try:
        for update_id in range(updates):
            received = Received(update_id, update_json(update_id), "bench", 42)
            steps = (
                partial(store.receive_update, 1, received, now),
                partial(store.update_holders_before, 1, received, now - timedelta(days=1)),
                partial(store.handled_update, 1, received, now),
            )
            for step, call in zip(STEPS, steps, strict=True):
                start = time.perf_counter()
                call()
                took[step].append(time.perf_counter() - start)
    finally:
        store.close()
    return took


def load() -> str:
    return " / ".join(f"{average:.1f}" for average in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=2000)
    args = parser.parse_args(argv)
    rows = []
    before = load()
    with tempfile.TemporaryDirectory(prefix="newsbot-journal-") as tmp, postgres_server() as new_database:
        for database, url in (("sqlite", f"sqlite:///{Path(tmp) / 'store.sqlite3'}"), ("postgresql", new_database())):
            took = timed(url, args.updates)
            whole = [sum(seconds) for seconds in zip(*took.values(), strict=True)]
            for step, seconds in (*took.items(), ("all three", whole)):
                shown = [percentile(seconds, p) for p in (50, 95, 99)] + [sum(seconds) / len(seconds)]
                rows.append([database, step, f"{args.updates:,}", *(f"{s * 1000:.2f}" for s in shown)])
    print(markdown_table(["database", "step", "updates", "p50 ms", "p95 ms", "p99 ms", "mean ms"], rows))
    print(
        "\nms: recording one update, reading its chat's earlier unhandled ones, marking it handled (a transaction"
        f" each), one process, nothing else writing. Load average (1 / 5 / 15 min) before: {before}; after: {load()}"
        f" ({os.cpu_count()} cores)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
