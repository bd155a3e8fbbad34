"""Digests at scale: 10,000 subscribed chats over 24 time zones and the BBC corpus arriving over the last days.

The 2,225 BBC articles are given arrival times spread over the `--days` before the start (written hour by hour,
as feeds would bring them), publication times up to 30 hours before arrival (one in ten published days before it
arrived, an archive that is not news; one in twenty undated). `--chats` chats get a zone (one per hour offset,
UTC-11 to UTC+12, real tz names with their DST), a daily time between 06:00 and 09:30 and zero to two of the five
categories. Then, on each database:

- a day: the scheduler ticks every minute for 24 hours, claiming due digests (`Deliveries.claim_due`, batches
  of 500) and building and rendering their texts as the fan-out does (`FanOut.texts`: one build per distinct
  (categories, window)); it reports the claim time, the build time, the texts built against the chats served,
  and the store reads;
- a burst: every chat due at the same instant (a restart after an outage), claimed and built at once;
- the naive way, for comparison: one store read and build per chat, timed on a sample and scaled to all chats;
- the per-send bookkeeping: `start` (groups of 8) and `record` of 1,000 deliveries, in ms per send, against
  Telegram's 30 messages a second (33 ms).

Then the fan-out through the Bot API: every chat due at the same instant (a popular hour), sent by the real bot
(`bot.app.build_application`, its fan-out job `bot.tg.jobs.deliver`, its flood limiter) to the fake Bot API
server of `tests/botapi_server.py` running in a subprocess, once at 30 messages a second (Telegram's limit, all of
it given to the fan-out) and once with the limit lifted (`--rates`). The server counts the digests each chat
received: duplicates (a chat with two) and losses (a chat with none) must both be zero.

    python bench/digest.py [--chats 10000] [--days 3] [--databases sqlite,postgresql] [--seed 8]
                           [--fanout-chats 10000] [--rates 30,100000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # for tests.botapi_server

from common import BbcArticle, load_bbc, markdown_table, postgres_server  # noqa: E402
from sqlalchemy import delete, update  # noqa: E402

from bot.app import build_application, running  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.models import Article  # noqa: E402
from bot.render.digests import DIGEST_HEADING, render_alert, render_digest  # noqa: E402
from bot.services.deliveries import Deliveries, Outcome  # noqa: E402
from bot.services.digests import Digests, key_of  # noqa: E402
from bot.services.fanout import FanOut, Report  # noqa: E402
from bot.services.presence import Presence  # noqa: E402
from bot.services.schedule import Window, next_digest  # noqa: E402
from bot.store import ChatSettings, Delivery, Store  # noqa: E402
from bot.store.schema import chat_settings, deliveries  # noqa: E402
from bot.tg.jobs import deliver  # noqa: E402
from tests.botapi_server import FakeBotAPI  # noqa: E402

DATABASES = ("sqlite", "postgresql")
START = datetime(2026, 3, 26, 0, 0, tzinfo=UTC)
ZONES = (
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "UTC",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Noumea",
    "Pacific/Auckland",
)
TIMES = tuple(clock_time(6 + n // 2, 30 * (n % 2)) for n in range(8))
CLAIM_BATCH = 500
NAIVE_SAMPLE = 300
BOOKKEEPING_SENDS = 1000
TOKEN = "123456:bench-digest-token"
RATES = (30, 100_000)
# Every chat's digest falls due at 08:00 UTC on START's day (its first: the 24 hours before, 16 of them with news
# arriving); the bot's clock stands a minute later.
FANOUT_DUE = START + timedelta(hours=8)


@dataclass
class Result:
    database: str
    chats: int
    stories: int
    day_claimed: int = 0
    day_claim_s: float = 0.0
    day_build_s: float = 0.0
    day_texts: int = 0
    day_reads: int = 0
    burst_claim_s: float = 0.0
    burst_build_s: float = 0.0
    burst_texts: int = 0
    naive_ms_per_chat: float = 0.0
    send_bookkeeping_ms: float = 0.0


def articles(bbc: Sequence[BbcArticle], days: int, rng: random.Random) -> list[tuple[datetime, Article]]:
    """The BBC articles with arrival and publication times over the `days` before START, oldest arrival first."""
    found = []
    for source in bbc:
        arrived = START - timedelta(seconds=rng.uniform(0, days * 86400))
        roll = rng.random()
        if roll < 0.05:
            published = None
        elif roll < 0.15:
            published = arrived - timedelta(days=rng.uniform(3, 10))
        else:
            published = arrived - timedelta(hours=rng.uniform(0, 30))
        found.append(
            (
                arrived,
                Article(
                    title=source.title,
                    paragraphs=source.paragraphs,
                    category=source.category,
                    published=published,
                    url=f"https://bbc.invalid/{source.id}",
                    # As a feed brings it: an undated one is news by its arrival (a file's would not be).
                    origin=f"https://bbc.invalid/{source.id}",
                ),
            )
        )
    return sorted(found, key=lambda pair: pair[0])


def ingest(store: Store, stories: Sequence[tuple[datetime, Article]]) -> None:
    """Write the stories hour by hour, each hour's batch arriving at its end."""
    batch: list[Article] = []
    hour = stories[0][0].replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for arrived, article in stories:
        if arrived >= hour:
            if batch:
                store.write_articles(batch, hour - timedelta(seconds=1))
            batch, hour = [], arrived.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        batch.append(article)
    store.write_articles(batch, hour - timedelta(seconds=1))


def subscribers(count: int, categories: Sequence[str], rng: random.Random) -> list[tuple[ChatSettings, list[str]]]:
    chats = []
    for chat_id in range(1, count + 1):
        zone, daily = ZONES[chat_id % len(ZONES)], rng.choice(TIMES)
        followed = rng.sample(list(categories), rng.choice((0, 1, 1, 2, 2)))
        chats.append((ChatSettings(chat_id, daily, zone, next_due=next_digest(daily, zone, START, None)), followed))
    return chats


def timed(action: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    value = action()
    return time.perf_counter() - began, value


def claim_all(deliveries_: Deliveries, now: datetime, worker: str) -> tuple[float, list[Delivery]]:
    claimed: list[Delivery] = []
    took = 0.0
    while True:
        seconds, batch = timed(lambda: deliveries_.claim_due(now, CLAIM_BATCH, worker))
        took += seconds
        assert isinstance(batch, list)
        if not batch:
            return took, claimed
        claimed += batch


def measure(database: str, url: str, bbc: Sequence[BbcArticle], chats: int, days: int, seed: int) -> Result:
    rng = random.Random(seed)
    store = Store.open(url)
    try:
        stories = articles(bbc, days, rng)
        ingest(store, stories)
        categories = sorted({a.category for _, a in stories})
        store.import_chats(subscribers(chats, categories, rng), START - timedelta(days=1))
        result = Result(database, chats, len(stories))
        presence = Presence.join(store, START)
        fanout = FanOut(
            store,
            presence,
            lambda d, zone: render_digest(d, "bench", zone=zone),
            lambda d, zone: render_alert(d, "bench", zone=zone),
        )

        # A day, minute by minute.
        report = Report()
        now = START
        while now <= START + timedelta(days=1):
            seconds, claimed = claim_all(fanout.deliveries, now, presence.worker_id)
            result.day_claim_s += seconds
            result.day_claimed += len(claimed)
            if claimed:
                build_s, _ = timed(lambda: fanout.texts(claimed, report, now))  # noqa: B023 (called at once)
                result.day_build_s += build_s
            now += timedelta(minutes=1)
        result.day_texts, result.day_reads = report.rendered, fanout.digests.reads

        # A burst: everyone due at once (a first start, or a restart after an outage), with a day's grace.
        burst_at = START + timedelta(days=2)
        with store.engine.begin() as connection:
            connection.execute(delete(deliveries))
            connection.execute(update(chat_settings).values(next_due=burst_at - timedelta(hours=1), previous_due=None))
        generous = Deliveries(store, grace=timedelta(days=1))
        result.burst_claim_s, claimed = claim_all(generous, burst_at, presence.worker_id)
        burst_report = Report()
        result.burst_build_s, _ = timed(lambda: fanout.texts(claimed, burst_report, burst_at))
        result.burst_texts = burst_report.rendered

        # The naive way: one read and build per chat.
        sample = rng.sample(claimed, min(NAIVE_SAMPLE, len(claimed)))
        naive = Digests(store)
        naive_s, _ = timed(
            lambda: [
                render_digest(naive.build([key_of(d.categories, Window(d.window_start or d.due, d.due))]).popitem()[1])
                for d in sample
            ]
        )
        result.naive_ms_per_chat = naive_s / len(sample) * 1000

        # Bookkeeping per send: stamp a group of 8 as attempted, record each outcome.
        sends = claimed[:BOOKKEEPING_SENDS]
        began = time.perf_counter()
        for start in range(0, len(sends), 8):
            group = sends[start : start + 8]
            store.start_deliveries([d.id for d in group], presence.worker_id, burst_at)
            for delivery in group:
                fanout.deliveries.record(delivery, Outcome.sent(), presence.worker_id, burst_at)
        result.send_bookkeeping_ms = (time.perf_counter() - began) / len(sends) * 1000
        return result
    finally:
        store.close()


# ---- the fan-out through the Bot API ---------------------------------------------------------------------------


@dataclass
class Sends:
    """What the server received: digests per chat, messages, and when the first and last came (monotonic)."""

    digests: dict[int, int] = field(default_factory=dict)
    messages: int = 0
    first: float = 0.0
    last: float = 0.0


def serve(conn: Connection) -> None:
    """The server process: the fake Bot API; answers "count" with what it received, stops on None."""
    with FakeBotAPI(token=TOKEN) as api:
        conn.send(api.base_url)
        while conn.recv() is not None:
            sends = Sends()
            times = []
            for call in api.calls("sendMessage"):
                if call.ok:
                    sends.messages += 1
                    times.append(call.time)
                    if call.params["text"].startswith(f"<b>{DIGEST_HEADING}"):
                        chat_id = int(call.params["chat_id"])
                        sends.digests[chat_id] = sends.digests.get(chat_id, 0) + 1
            sends.first, sends.last = (min(times), max(times)) if times else (0.0, 0.0)
            conn.send(sends)


@dataclass
class FanOutResult:
    database: str
    rate: int
    chats: int
    seconds: float
    sends: Sends
    outcomes: dict[str, int]
    rendered: int

    @property
    def duplicates(self) -> int:
        return sum(1 for count in self.sends.digests.values() if count > 1)

    @property
    def lost(self) -> int:
        return self.chats - len(self.sends.digests)


def everyone_due(url: str) -> int:
    """Forget every delivery and make every chat due at FANOUT_DUE (08:00 UTC daily); returns the chats."""
    store = Store.open(url)
    try:
        with store.engine.begin() as connection:
            connection.execute(delete(deliveries))
            result = connection.execute(
                update(chat_settings).values(
                    daily_time="08:00", zone="UTC", digest=True, next_due=FANOUT_DUE, previous_due=None
                )
            )
            return int(result.rowcount)
    finally:
        store.close()


async def fan_out(settings: Settings) -> tuple[float, Report]:
    """Start the bot on the store, then send every digest due: one run of its fan-out job, timed."""
    clock = [FANOUT_DUE - timedelta(minutes=5)]  # nothing due while the bot starts
    application = build_application(settings)
    application.bot_data.clock = lambda: clock[0]
    async with running(application, poll_timeout=1) as app:
        async with app.bot_data.digesting.lock:  # the run at start is over
            pass
        clock[0] = FANOUT_DUE + timedelta(minutes=1)
        began = time.perf_counter()
        report = await deliver(app)
        seconds = time.perf_counter() - began
    assert report is not None
    return seconds, report


def measure_fanout(database: str, url: str, rate: int, data_dir: Path) -> FanOutResult:
    chats = everyone_due(url)
    context = multiprocessing.get_context("spawn")
    conn, child = context.Pipe()
    server = context.Process(target=serve, args=(child,), name="FakeBotAPI", daemon=True)
    server.start()
    try:
        base_url = conn.recv()
        settings = Settings(
            data_dir=data_dir,
            database_url=url,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url,
            max_messages_per_second=rate,
            fanout_messages_per_second=rate,
            log_level="WARNING",
        )
        seconds, report = asyncio.run(fan_out(settings))
        conn.send("count")
        sends: Sends = conn.recv()
    finally:
        conn.send(None)
        server.join(timeout=30)
    return FanOutResult(database, rate, chats, seconds, sends, report.outcomes, report.rendered)


def keep_chats(url: str, count: int) -> None:
    """Only the first `count` chats keep a digest (a smaller fan-out than the day simulated)."""
    store = Store.open(url)
    try:
        with store.engine.begin() as connection:
            connection.execute(delete(chat_settings).where(chat_settings.c.chat_id > count))
    finally:
        store.close()


def naive_s(result: Result) -> float:
    """One read and build per chat, for every chat (scaled from the sample)."""
    return result.naive_ms_per_chat * result.chats / 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--fanout-chats", type=int, default=10_000, help="chats in the fan-out (0: none)")
    parser.add_argument("--rates", default=",".join(map(str, RATES)), help="messages a second to fan out at")
    args = parser.parse_args(argv)
    rates = [int(r) for r in args.rates.split(",") if r.strip()]
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if unknown := [d for d in databases if d not in DATABASES]:
        parser.error(f"unknown database {unknown[0]!r}; choose from {', '.join(DATABASES)}")
    bbc = load_bbc()
    results = []
    fanouts: list[FanOutResult] = []
    with ExitStack() as stack:
        new_database = stack.enter_context(postgres_server()) if "postgresql" in databases else None
        for database in databases:
            if database == "postgresql":
                assert new_database is not None
                url = new_database()
            else:
                url = f"sqlite:///{Path(stack.enter_context(tempfile.TemporaryDirectory())) / 'bench.sqlite3'}"
            print(f"{args.chats:,} chats on {database}...", file=sys.stderr)
            results.append(measure(database, url, bbc, args.chats, args.days, args.seed))
            if args.fanout_chats:
                if args.fanout_chats < args.chats:
                    keep_chats(url, args.fanout_chats)
                for rate in rates:
                    print(f"fan-out to {args.fanout_chats:,} chats at {rate:,}/s on {database}...", file=sys.stderr)
                    data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                    fanouts.append(measure_fanout(database, url, rate, data_dir))
    rows = [
        [
            r.database,
            f"{r.chats:,}",
            f"{r.stories:,}",
            f"{r.day_claimed:,}",
            f"{r.day_claim_s:.1f}",
            f"{r.day_claimed / r.day_claim_s:,.0f}" if r.day_claim_s else "-",
            f"{r.day_texts:,}",
            f"{r.day_reads:,}",
            f"{r.day_build_s:.1f}",
            f"{r.burst_claim_s:.1f} ({r.chats / r.burst_claim_s:,.0f}/s)" if r.burst_claim_s else "-",
            f"{r.burst_texts:,}",
            f"{r.burst_build_s:.2f}",
            f"{naive_s(r):.1f} ({naive_s(r) / r.burst_build_s:.0f}x)" if r.burst_build_s else "-",
            f"{r.send_bookkeeping_ms:.2f}",
        ]
        for r in results
    ]
    print(
        markdown_table(
            [
                "database",
                "chats",
                "stories",
                "day: digests",
                "claim s (1,441 ticks)",
                "claims/s",
                "texts built",
                "store reads",
                "build+render s",
                "burst: claim s",
                "texts built",
                "build+render s",
                "one build per chat s",
                "start+record ms/send",
            ],
            rows,
        )
    )
    if fanouts:
        print()
        print(
            markdown_table(
                [
                    "database",
                    "limit msg/s",
                    "chats",
                    "digests received",
                    "messages",
                    "seconds",
                    "messages/s",
                    "duplicates",
                    "lost",
                    "outcomes",
                    "texts rendered",
                ],
                [
                    [
                        f.database,
                        f"{f.rate:,}",
                        f"{f.chats:,}",
                        f"{sum(f.sends.digests.values()):,}",
                        f"{f.sends.messages:,}",
                        f"{f.seconds:.1f}",
                        f"{f.sends.messages / f.seconds:,.1f}",
                        f"{f.duplicates:,}",
                        f"{f.lost:,}",
                        ", ".join(f"{k} {v:,}" for k, v in sorted(f.outcomes.items())),
                        f"{f.rendered:,}",
                    ]
                    for f in fanouts
                ],
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
