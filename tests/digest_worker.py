"""A bot process's digest machinery, run by the tests as a real process: `python -m tests.digest_worker COMMAND`.

    claim URL NOW GO LIMIT          wait for the file GO, claim due digests LIMIT at a time until none; print chat ids
    hold URL NOW STARTED            claim every due digest, stamp the first STARTED as attempted, print, then hang
    fanout URL NOW OUT CONCURRENCY  run the fan-out; the "send" appends each chat id to OUT, then waits 20 ms
    alerts URL NOW GO               wait for GO, claim alerts until the log is followed; print (chat, articles)
    write URL NOW TITLE CATEGORY    add one story (another process's ingest)
    forget URL NOW CHAT TOPIC       forget the chat's forum topic as a send that found it gone does; print the
                                    notice claimed, then hang (killed before sending it)

NOW is an ISO instant: the tests' clock. Output is one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from bot.models import Rest
from bot.render.digests import render_alert, render_digest
from bot.services.alerts import Alerts
from bot.services.deliveries import Deliveries, Outcome
from bot.services.fanout import FanOut
from bot.services.presence import Presence
from bot.store import Store
from tests.newsroom import UNLIMITED, story

GRACE = timedelta(hours=2)


def wait_for(go: Path) -> None:
    while not go.exists():
        time.sleep(0.005)


def main(argv: Sequence[str]) -> None:
    command, url, now = argv[0], argv[1], datetime.fromisoformat(argv[2])
    store = Store.open(url)
    if command == "write":
        store.write_articles([story(argv[3], argv[4], now)], now)
        print(json.dumps(store.head()))
        return
    presence = Presence.join(store, now)
    if command == "claim":
        wait_for(Path(argv[3]))
        claimed: list[int] = []
        while batch := Deliveries(store, GRACE).claim_due(now, int(argv[4]), presence.worker_id):
            claimed += [d.chat_id for d in batch]
            # A bot sends between claims. Without a pause, one process on a loaded machine could take every batch
            # before the others were scheduled at all, and the test could not see them claim side by side.
            time.sleep(0.01)
        print(json.dumps(claimed))
    elif command == "hold":
        claims = Deliveries(store, GRACE).claim_due(now, 100_000, presence.worker_id)
        started = store.start_deliveries([d.id for d in claims[: int(argv[3])]], presence.worker_id, now)
        print(json.dumps({"claimed": [d.chat_id for d in claims], "started": started}), flush=True)
        sys.stdin.read()
    elif command == "fanout":
        out = Path(argv[3])

        async def send(
            chat_id: int, messages: Sequence[str], topic: int | None, kind: str = "", rests: Sequence[Rest] = ()
        ) -> Outcome:
            with out.open("a") as file:
                file.write(f"{chat_id}\n")
                file.flush()
                os.fsync(file.fileno())
            await asyncio.sleep(0.02)
            return Outcome.sent()

        fanout = FanOut(
            store,
            presence,
            lambda d, zone: render_digest(d, "bot", zone=zone),
            lambda d, zone: render_alert(d, "bot", zone=zone),
            budget=UNLIMITED,
            grace=GRACE,
            concurrency=int(argv[4]),
            batch=50,
        )
        report = asyncio.run(fanout.run(lambda: now, send))
        print(json.dumps({"taken_over": report.taken_over, "outcomes": report.outcomes}))
    elif command == "forget":
        notice = Deliveries(store, GRACE).forget_topic(int(argv[3]), int(argv[4]), presence.worker_id, now)
        print(json.dumps(None if notice is None else {"kind": notice.kind, "key": notice.key}), flush=True)
        sys.stdin.read()
    elif command == "alerts":
        wait_for(Path(argv[3]))
        found: list[tuple[int, list[str]]] = []
        while True:  # every stretch's alerts claimed, whatever the pace: the test is about who claims each
            batch, taken = Alerts(store, GRACE, pace=timedelta(0)).claim(now, presence.worker_id, limit=3)
            if not taken:
                break
            found += [(d.chat_id, list(d.articles)) for d in batch]
        print(json.dumps(found))
    else:
        raise SystemExit(f"unknown command {command!r}")
    store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
