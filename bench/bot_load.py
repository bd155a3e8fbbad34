"""Load on the Telegram bot: many private chats asking questions through the fake Bot API server (issue 3).

The real bot (`bot.app.build_application`) long-polls `tests/botapi_server.FakeBotAPI`, which serves the
questions as updates at a steady rate (or all at once with `--rate 0`) and records every request. Per question,
latency runs from the moment `getUpdates` returned its update (recorded by the server) to the moment the
server received the bot's `sendMessage`; both clocks are `time.monotonic` (system-wide on Linux, so they agree
across processes). Every question must get exactly one `sendMessage` in its own chat: the table counts the
lost and the duplicated ones, and errors (failed sends and apologies).

The library holds `--paragraphs` paragraphs: the 2,225 BBC articles repeated and shuffled as in
`bench/speed.py`, built once with `Library.add` and cached under `--cache-dir` (keyed by size and seed); each
run works on a fresh copy, since the bot writes to its store.

Rows (`--variants`), all under the same load:

- `raw-echo`: no python-telegram-bot and no httpx, a bare asyncio HTTP/1.1 loop (getUpdates, then "typing" and an
  echo per update): the fake server's own cost, the floor under every other row;
- `ptb-echo`: a trivial python-telegram-bot echo bot with the same requests per question ("typing" + reply),
  concurrent updates, HTML defaults, no rate limiter: the framework's cost;
- `newsbot`: the real bot exactly as `build_application` makes it;
- `newsbot-nolimit`: the same bot with its overall flood limit (`max_messages_per_second`, by default
  Telegram's 30 requests/s, which "typing" counts against too) lifted to 100,000/s, as a local Bot API
  server allows: what the bot itself can do.

The server runs in a subprocess by default (`--server process`), as Telegram would be elsewhere: it then
does not compete with the bot for the GIL. `--server thread` runs it inside the bot's process.

    python bench/bot_load.py [--paragraphs 100000] [--questions 2000] [--users 200] [--rate 200]
                             [--variants raw-echo,ptb-echo,newsbot,newsbot-nolimit] [--server process|thread]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import logging
import multiprocessing
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # for tests.botapi_server

from common import BbcArticle, load_bbc, markdown_table, percentile  # noqa: E402
from speed import corpus  # noqa: E402
from telegram import LinkPreviewOptions, Update  # noqa: E402
from telegram.constants import ChatAction, ParseMode  # noqa: E402
from telegram.ext import Application, ContextTypes, Defaults, MessageHandler, filters  # noqa: E402

from bot.app import build_application, running  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.library import Library  # noqa: E402
from bot.tg.errors import APOLOGY  # noqa: E402
from tests.botapi_server import FakeBotAPI  # noqa: E402

TOKEN = "123456:" + "bench-load-token-ABCDEFGHIJKLMNOPQR"  # 35 characters after the colon
VARIANTS = ("raw-echo", "ptb-echo", "newsbot", "newsbot-nolimit")
FIRST_USER = 10_000_001
FIRST_WARMUP_USER = 9_000_001
WARMUP_QUESTIONS = 30
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "newsbot-bench-bot-load"
# A run ends when every question has a reply (plus GRACE_SECONDS to catch duplicates), or when no reply
# arrived for STALL_SECONDS (the missing ones are lost).
GRACE_SECONDS = 1.0
STALL_SECONDS = 20.0
POLL_TIMEOUT_SECONDS = 10
# Updates read to time one reading (`reading_ms`).
READS = 2_000
# newsbot-nolimit: TELEGRAM_MAX_MESSAGES_PER_SECOND as a local Bot API server would allow (the limiter stays in).
LIFTED_MESSAGES_PER_SECOND = 100_000

log = logging.getLogger("bot_load")
Bot = Application[Any, Any, Any, Any, Any, Any]


# ---- questions ----------------------------------------------------------------------------------------------

HEADLINE_TEMPLATES = ("What is the latest on {}?", "Tell me about {}", "{}?", "Any news on {}?", "Why {}?")
WINDOW_TEMPLATES = ("{}?", "What about {}?", "Is it true that {}?", "Who said {}?", "When {}?")
NAME_TEMPLATES = ("What did {} say?", "What is the news about {}?", "Who is {}?", "{}?")
NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")


def _lower_first(text: str) -> str:
    """'Ad sales boost Time Warner profit' -> 'ad sales boost ...', but 'UK economy ...' stays."""
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def distinct_questions(bbc: Sequence[BbcArticle], count: int, seed: int) -> list[str]:
    """`count` different questions a reader might type: about a headline, a phrase of a paragraph, or a name."""
    rng = random.Random(seed + 7)
    found: dict[str, None] = {}
    while len(found) < count:
        article = rng.choice(bbc)
        kind = rng.random()
        if kind < 0.35:
            question = rng.choice(HEADLINE_TEMPLATES).format(_lower_first(article.title.rstrip(".!?")))
        elif kind < 0.75:
            words = rng.choice(article.paragraphs).split()
            length = rng.randint(4, 8)
            start = rng.randrange(max(1, len(words) - length))
            window = " ".join(words[start : start + length]).strip(".,;:\"'()")
            question = rng.choice(WINDOW_TEMPLATES).format(_lower_first(window))
        else:
            names = NAME.findall(" ".join(article.paragraphs[:3]))
            if not names:
                continue
            question = rng.choice(NAME_TEMPLATES).format(rng.choice(names))
        question = " ".join(question.split())
        if len(question) > 12:
            found[question] = None
    return list(found)


@dataclass(frozen=True)
class Question:
    at: float  # seconds after the start of the run
    chat_id: int
    text: str


def schedule(
    pool: Sequence[str], count: int, users: int, rate: float, seed: int, first_user: int = FIRST_USER
) -> list[Question]:
    """`count` questions drawn from `pool`, users taking turns (each user's questions as far apart as possible),
    one every 1/rate seconds (all at once for rate 0)."""
    rng = random.Random(seed + 11)
    chats = [first_user + n for n in range(users)]
    rng.shuffle(chats)
    return [Question(i / rate if rate > 0 else 0.0, chats[i % users], rng.choice(pool)) for i in range(count)]


# ---- the server side (in the server's process or thread) ---------------------------------------------------


@dataclass
class Reply:
    chat_id: int
    time: float
    ok: bool
    apology: bool


@dataclass
class Outcome:
    """What the server saw during one run."""

    started: float
    injected: list[tuple[int, int, float]]  # (update_id, chat_id, injected at)
    served: dict[int, float]  # update_id -> first returned by getUpdates
    replies: list[Reply]  # every sendMessage, in arrival order
    methods: dict[str, int]  # request counts per method
    cpu_seconds: float  # the server's process (process mode only: in thread mode it is the bot's too)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def reading_ms(question: str, reads: int = READS) -> float:
    """CPU ms python-telegram-bot takes to read one question's update (`Update.de_json`). A polled update is read
    twice: `bot.tg.updates` reads it first, to pass over one python-telegram-bot cannot read (it reads a batch whole),
    and python-telegram-bot again; that much of the newsbot rows' bot CPU per question is the first reading."""
    api = FakeBotAPI(token=TOKEN)  # not started: only its update builder
    update = api.get_update(api.send_text(FIRST_USER, question))
    cpu = cpu_seconds()
    for _ in range(reads):
        Update.de_json(update, None)
    return (cpu_seconds() - cpu) / reads * 1000


def drive(api: FakeBotAPI, plan: Sequence[Question]) -> Outcome:
    """Inject the questions on schedule and wait for the replies (see GRACE_SECONDS and STALL_SECONDS)."""
    first_call = len(api.calls())
    cpu = cpu_seconds()
    started = time.monotonic() + 0.01
    injected = []
    for question in plan:
        delay = started + question.at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        update_id = api.send_text(question.chat_id, question.text)
        injected.append((update_id, question.chat_id, time.monotonic()))
    scanned, count, changed, complete = first_call, 0, time.monotonic(), None
    while True:
        now = time.monotonic()
        calls = api.calls()
        fresh = sum(1 for c in calls[scanned:] if c.method == "sendMessage")
        scanned = len(calls)
        if fresh:
            count, changed = count + fresh, now
        if count >= len(plan):
            complete = complete or now
            if now - complete >= GRACE_SECONDS:
                break
        elif now - changed >= STALL_SECONDS:
            break
        time.sleep(0.02)
    calls = api.calls()[first_call:]
    wanted = {update_id for update_id, _, _ in injected}
    served = {k: v for k, v in api.served_times().items() if k in wanted}
    replies = [
        Reply(int(c.params["chat_id"]), c.time, c.ok, c.params.get("text") == APOLOGY)
        for c in calls
        if c.method == "sendMessage"
    ]
    return Outcome(started, injected, served, replies, dict(Counter(c.method for c in calls)), cpu_seconds() - cpu)


def serve(conn: Connection, token: str) -> None:
    """The server process: start the fake Bot API, send its base URL, then run each plan received."""
    with FakeBotAPI(token=token) as api:
        conn.send(api.base_url)
        while (plan := conn.recv()) is not None:
            conn.send(drive(api, plan))


class Server:
    """The fake Bot API in a subprocess (default) or in a thread of this process."""

    def __init__(self, mode: str, token: str) -> None:
        self.mode = mode
        self._api: FakeBotAPI | None = None
        self._process: Any = None
        if mode == "process":
            context = multiprocessing.get_context("spawn")
            self._conn, child = context.Pipe()
            self._process = context.Process(target=serve, args=(child, token), name="FakeBotAPI", daemon=True)
            self._process.start()
            self.base_url: str = self._conn.recv()
        else:
            self._api = FakeBotAPI(token=token).start()
            self.base_url = self._api.base_url

    async def run(self, plan: Sequence[Question]) -> Outcome:
        if self._api is not None:
            return await asyncio.to_thread(drive, self._api, plan)
        self._conn.send(list(plan))
        outcome: Outcome = await asyncio.to_thread(self._conn.recv)
        return outcome

    def close(self) -> None:
        if self._api is not None:
            self._api.stop()
        else:
            self._conn.send(None)
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()


# ---- the bots ----------------------------------------------------------------------------------------------


class Runner(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class PTBRunner:
    """A python-telegram-bot Application long-polling, started and stopped by `bot.app.running`."""

    def __init__(self, application: Bot) -> None:
        self.application = application
        self._running = contextlib.AsyncExitStack()

    async def start(self) -> None:
        await self._running.enter_async_context(running(self.application, poll_timeout=POLL_TIMEOUT_SECONDS))

    async def stop(self) -> None:
        await self._running.aclose()


class MiniHTTP:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: next to no client cost, for the raw-echo row."""

    def __init__(self, base_url: str, size: int) -> None:
        url = urlsplit(base_url)
        self.host, self.port, self.prefix = url.hostname or "127.0.0.1", url.port or 80, url.path
        self.size = size
        self._opened = 0
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._idle.empty() and self._opened < self.size:
            self._opened += 1
            try:
                return await asyncio.open_connection(self.host, self.port)
            except OSError:
                self._opened -= 1
                raise
        return await self._idle.get()

    async def post(self, method: str, fields: dict[str, Any]) -> dict[str, Any]:
        """POST form fields to `<base_url><method>`; the decoded JSON answer."""
        reader, writer = await self._connection()
        body = urlencode(fields).encode()
        try:
            writer.write(
                f"POST {self.prefix}{method} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            payload = await reader.readexactly(int(length.group(1)) if length else 0)
        except BaseException:
            writer.close()
            self._opened -= 1
            raise
        self._idle.put_nowait((reader, writer))
        answer: dict[str, Any] = json.loads(payload)
        return answer

    async def close(self) -> None:
        while not self._idle.empty():
            _, writer = self._idle.get_nowait()
            writer.close()


class RawEchoRunner:
    """No framework: getUpdates in a loop, and per update "typing" and an echo, each update in its own task."""

    def __init__(self, base_url: str, token: str) -> None:
        self.url = f"{base_url}{token}/"
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            await self._task

    async def _poll(self) -> None:
        poller, sender = MiniHTTP(self.url, 1), MiniHTTP(self.url, 32)
        offset = 0
        tasks: set[asyncio.Task[None]] = set()
        try:
            while not self._stopping:
                for update in (await poller.post("getUpdates", {"offset": offset, "timeout": 1}))["result"]:
                    offset = update["update_id"] + 1
                    task = asyncio.create_task(self._answer(sender, update["message"]))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            await asyncio.gather(*tasks)
        finally:
            await poller.close()
            await sender.close()

    @staticmethod
    async def _answer(client: MiniHTTP, message: dict[str, Any]) -> None:
        chat_id = message["chat"]["id"]
        try:
            for method, fields in (
                ("sendChatAction", {"action": "typing"}),
                ("sendMessage", {"text": html.escape(message["text"]), "parse_mode": "HTML"}),
            ):
                if not (await client.post(method, {"chat_id": chat_id, **fields}))["ok"]:
                    log.warning("raw-echo: %s to chat %s failed", method, chat_id)
        except (OSError, asyncio.IncompleteReadError) as exc:  # no retries here: the question counts as lost
            log.warning("raw-echo: chat %s: %r", chat_id, exc)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    assert message is not None
    await message.reply_chat_action(ChatAction.TYPING)
    await message.reply_text(html.escape(message.text or ""))


def ptb_echo(base_url: str, token: str) -> Bot:
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    return application


def make_runner(variant: str, server: Server, data_dir: Path) -> Runner:
    if variant == "raw-echo":
        return RawEchoRunner(server.base_url, TOKEN)
    if variant == "ptb-echo":
        return PTBRunner(ptb_echo(server.base_url, TOKEN))
    settings = Settings(
        data_dir=data_dir,
        corpus_dir=data_dir.parent / "no-corpus",
        telegram_bot_token=TOKEN,
        telegram_api_base_url=server.base_url,
        log_level="WARNING",
    )
    if variant == "newsbot-nolimit":
        settings = settings.with_overrides(max_messages_per_second=LIFTED_MESSAGES_PER_SECOND)
    return PTBRunner(build_application(settings))


# ---- the library --------------------------------------------------------------------------------------------


def cached_library(bbc: Sequence[BbcArticle], paragraphs: int, seed: int, cache_root: Path) -> Path:
    """A data directory holding `paragraphs` paragraphs, built once per size and seed."""
    cache = cache_root / f"bbc-{paragraphs}-seed{seed}"
    if (cache / "complete").is_file():
        return cache / "data"
    shutil.rmtree(cache, ignore_errors=True)
    settings = Settings(data_dir=cache / "data", corpus_dir=cache / "no-corpus")
    print(f"building a library of {paragraphs:,} paragraphs in {cache} (once)...", file=sys.stderr)
    started = time.perf_counter()
    library = Library.open(settings, seed_corpus=False)
    try:
        library.add(corpus(bbc, paragraphs, seed))
        indexed = library.engine.count()
    finally:
        library.close()
    if indexed != paragraphs:
        raise RuntimeError(f"built {indexed:,} paragraphs, expected {paragraphs:,}")
    (cache / "complete").write_text(f"{indexed}\n")
    print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return cache / "data"


@contextlib.contextmanager
def library_copy(source: Path) -> Iterator[Path]:
    """A fresh copy of a cached data directory (the bot writes to its store)."""
    with tempfile.TemporaryDirectory(prefix="newsbot-bot-load-") as tmp:
        target = Path(tmp) / "data"
        shutil.copytree(source, target)
        yield target


# ---- one run ----------------------------------------------------------------------------------------------


@dataclass
class Row:
    variant: str
    paragraphs: int
    users: int
    questions: int
    offered: float
    throughput: float = 0.0
    p50_ms: float = float("nan")
    p95_ms: float = float("nan")
    max_ms: float = float("nan")
    lost: int = 0
    duplicated: int = 0
    errors: int = 0
    stray: int = 0
    overlapping: int = 0
    bot_cpu_ms: float | None = None
    server_cpu_ms: float | None = None
    methods: dict[str, int] = field(default_factory=dict)


def analyse(row: Row, outcome: Outcome) -> Row:
    """Pair each chat's questions and replies in order; count lost, duplicated, failed and misdirected ones."""
    asked: dict[int, list[float]] = defaultdict(list)
    for update_id, chat_id, _ in outcome.injected:
        served = outcome.served.get(update_id)
        asked[chat_id].append(served if served is not None else float("inf"))
    answered: dict[int, list[float]] = defaultdict(list)
    for reply in outcome.replies:
        if not reply.ok or reply.apology:
            row.errors += 1
        if not reply.ok:
            continue
        if reply.chat_id in asked:
            answered[reply.chat_id].append(reply.time)
        else:
            row.stray += 1
    latencies = []
    for chat_id, served_times in asked.items():
        served_times.sort()
        replies = sorted(answered.get(chat_id, []))
        row.lost += max(0, len(served_times) - len(replies))
        row.duplicated += max(0, len(replies) - len(served_times))
        for n, (served, replied) in enumerate(zip(served_times, replies, strict=False)):
            latencies.append(replied - served)
            # Served before the previous question's reply: in-order pairing may have swapped two latencies.
            row.overlapping += n > 0 and served < replies[n - 1]
    if latencies:
        row.p50_ms = percentile(latencies, 50) * 1000
        row.p95_ms = percentile(latencies, 95) * 1000
        row.max_ms = max(latencies) * 1000
    ok_times = [r.time for r in outcome.replies if r.ok]
    if ok_times:
        first = min(t for _, _, t in outcome.injected)
        row.throughput = min(len(outcome.injected), len(ok_times)) / (max(ok_times) - first)
    row.methods = outcome.methods
    return row


async def run_variant(
    variant: str,
    data_dir: Path | None,
    warmup: Sequence[Question],
    plan: Sequence[Question],
    row: Row,
    server_mode: str,
) -> Row:
    server = Server(server_mode, TOKEN)
    try:
        with contextlib.ExitStack() as stack:
            copy = stack.enter_context(library_copy(data_dir)) if data_dir is not None else Path(".")
            runner = make_runner(variant, server, copy)
            await runner.start()
            try:
                warm = await server.run(warmup)
                if any(not r.ok for r in warm.replies) or len(warm.replies) < len(warmup):
                    log.warning("%s: warm-up got %d replies for %d questions", variant, len(warm.replies), len(warmup))
                cpu = cpu_seconds()
                outcome = await server.run(plan)
                bot_cpu = cpu_seconds() - cpu
            finally:
                await runner.stop()
    finally:
        server.close()
    analyse(row, outcome)
    count = max(1, len(plan))
    if server_mode == "process":
        row.bot_cpu_ms = bot_cpu / count * 1000
        row.server_cpu_ms = outcome.cpu_seconds / count * 1000
    else:
        row.bot_cpu_ms = bot_cpu / count * 1000  # the server's work included
    return row


# ---- main --------------------------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:  # None or NaN
        return "n/a"
    return f"{value:,.{digits}f}"


def table(rows: Sequence[Row]) -> str:
    header = [
        "bot",
        "paragraphs",
        "users",
        "questions",
        "offered q/s",
        "q/s",
        "p50 ms",
        "p95 ms",
        "max ms",
        "lost",
        "duplicated",
        "errors",
        "bot CPU ms/q",
        "server CPU ms/q",
    ]
    cells = [
        [
            r.variant,
            f"{r.paragraphs:,}" if r.paragraphs else "-",
            f"{r.users:,}",
            f"{r.questions:,}",
            "burst" if r.offered <= 0 else f"{r.offered:,.0f}",
            fmt(r.throughput, 0),
            fmt(r.p50_ms),
            fmt(r.p95_ms),
            fmt(r.max_ms, 0),
            str(r.lost),
            str(r.duplicated),
            str(r.errors + r.stray),
            fmt(r.bot_cpu_ms, 2),
            fmt(r.server_cpu_ms, 2),
        ]
        for r in rows
    ]
    return markdown_table(header, cells)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=100_000, help="paragraphs in the library")
    parser.add_argument("--questions", type=int, default=2_000, help="questions asked in the measured run")
    parser.add_argument("--users", type=int, default=200, help="distinct private chats asking them")
    parser.add_argument("--rate", type=float, default=200, help="questions per second offered (0: all at once)")
    parser.add_argument("--distinct", type=int, default=500, help="different questions to draw from")
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated: {', '.join(VARIANTS)}")
    parser.add_argument(
        "--server",
        choices=("process", "thread"),
        default="process",
        help="run the fake Bot API in a subprocess (default) or in a thread of the bot's process",
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="where built libraries are kept")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if unknown := [v for v in variants if v not in VARIANTS]:
        parser.error(f"unknown variant {unknown[0]!r}; choose from {', '.join(VARIANTS)}")
    if args.questions < 1 or args.users < 1 or args.rate < 0 or args.distinct < 1 or args.paragraphs < 1:
        parser.error("--questions, --users, --distinct and --paragraphs must be positive, --rate at least 0")
    args.variants = variants
    return args


async def run_all(
    args: argparse.Namespace, library: Path | None, pool: Sequence[str], report: Callable[[Row], None]
) -> list[Row]:
    warmup = schedule(pool, WARMUP_QUESTIONS, WARMUP_QUESTIONS, 0, args.seed + 1, FIRST_WARMUP_USER)
    plan = schedule(pool, args.questions, args.users, args.rate, args.seed)
    rows = []
    for variant in args.variants:
        print(
            f"{variant}: {args.questions:,} questions from {args.users:,} chats at "
            f"{'once' if args.rate <= 0 else f'{args.rate:g}/s'}...",
            file=sys.stderr,
        )
        uses_library = variant.startswith("newsbot")
        row = Row(variant, args.paragraphs if uses_library else 0, args.users, args.questions, args.rate)
        rows.append(await run_variant(variant, library if uses_library else None, warmup, plan, row, args.server))
        report(rows[-1])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.WARNING)
    bbc = load_bbc()
    pool = distinct_questions(bbc, args.distinct, args.seed)
    library = None
    if any(v.startswith("newsbot") for v in args.variants):
        library = cached_library(bbc, args.paragraphs, args.seed, args.cache_dir)

    def report(row: Row) -> None:
        shown = ", ".join(f"{k} {v}" for k, v in sorted(row.methods.items()))
        print(
            f"  {row.variant}: {fmt(row.throughput, 0)} q/s, p50 {fmt(row.p50_ms)} ms, p95 {fmt(row.p95_ms)} ms; "
            f"lost {row.lost}, duplicated {row.duplicated}, errors {row.errors}, stray {row.stray}, "
            f"overlapping {row.overlapping}; requests: {shown}",
            file=sys.stderr,
        )

    rows = asyncio.run(run_all(args, library, pool, report))
    print(table(rows))
    print(
        f"\n{os.cpu_count()} CPUs; server in a {args.server}; latency from getUpdates serving the question to "
        "the server receiving its sendMessage. CPU ms/q: CPU time of each process over the measured run "
        "divided by the questions" + (" (the bot's includes the server's)." if args.server == "thread" else ".")
    )
    if any(v.startswith("newsbot") for v in args.variants):
        print(
            f"Reading a question's update (`Update.de_json`): {reading_ms(pool[0]):.2f} ms of CPU; the bot reads each"
            " polled update twice (bot.tg.updates reads it first), so that much of its bot CPU ms/q is the first."
        )
    failed = any(r.lost or r.duplicated or r.errors or r.stray for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
