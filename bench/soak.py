"""A soak: every kind of newsbot process at once on one store, each killed at random moments and started again.

For a few minutes, on SQLite or on PostgreSQL (pgserver's, as the tests start it): `newsbot run` long-polling the
fake Bot API server of tests/botapi_server.py while questions arrive; `newsbot ingest` of new batches (JSON Lines,
some with a malformed line or a record without a body, some a file that is not JSON at all); `newsbot reindex`;
`newsbot vectors`; `newsbot feeds poll` of feeds served by tests/web_server.py that gain a story every few
seconds. Each process is killed with SIGKILL or stopped with SIGTERM at a random moment (a one-off command in
about half of its runs, the bot after 5-60 s of each start) and started again. Then the soak stops killing, runs
the last poll and `newsbot vectors`, starts one bot cleanly, waits for its answers, stops it, and checks:

- every story ingested or polled is in the store once (none lost, none doubled), and answerable: its question's
  first passage is its own (lexically, from the index), and it has its paragraph vectors;
- the index and the store agree (the index's change-log cursor and paragraph count are the store's);
- every question got one reply, and each reply names its story; no chat got a digest twice, nor a story in two
  alerts;
- no process ended but by the soak's signal or on its own with a clear line: a SIGTERM'd process exits 0 (or 130,
  a command stopped mid-way), none writes a traceback.

    python bench/soak.py [--database sqlite|postgresql] [--minutes 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import markdown_table
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.config import Settings
from bot.library import Library
from bot.render.digests import ALERT_STOP_HINT, DIGEST_HEADING
from bot.store import ChatSettings
from bot.store.schema import articles
from tests.botapi_server import TOKEN, FakeBotAPI
from tests.html_check import visible_text
from tests.paths import DATA
from tests.processes import process_env
from tests.web_server import WebServer, serving

# Chats with a digest due as the soak begins and alerts on, following News (the batches' and feeds' category).
SUBSCRIBERS = range(1001, 1021)
# Each question comes from a chat of its own: its replies are the messages to that chat.
FIRST_ASKER = 20_000
STORIES_PER_BATCH = 4
FEEDS = 2
# What each kind of process is started with beside the store's variables: static vectors (the encoder's would
# take both cores for minutes), a beat of 1 s so a killed bot's claims are taken over soon.
ENV = {
    "NEWSBOT_SEMANTIC": "static",
    "NEWSBOT_BEAT_SECONDS": "1",
    "NEWSBOT_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1",
    "TELEGRAM_MAX_MESSAGES_PER_SECOND": "1000",
    "TELEGRAM_FANOUT_MESSAGES_PER_SECOND": "1000",
}
# The seconds a bot runs before its kill (its start alone takes 5-10 s on a loaded machine), and a one-off command
# before its kill (when it is to be killed).
BOT_LIFE = (5.0, 60.0)
COMMAND_LIFE = (0.3, 8.0)
SETTLE_SECONDS = 300


def marker(number: int) -> str:
    """A word no text holds, of letters alone (the analysis splits digits off a word): the story's own."""
    letters = ""
    while True:
        number, rest = divmod(number, 26)
        letters += string.ascii_lowercase[rest]
        if not number:
            return f"zq{letters}"


def story_text(word: str) -> tuple[str, list[str]]:
    return f"The {word} committee decides on the boathouse", [
        f"The {word} committee met on the quay to decide the future of the old boathouse and its slipway.",
        f"Members of the {word} committee voted to repair the roof before the winter storms arrive.",
    ]


def question(word: str) -> str:
    return f"What did the {word} committee decide about the boathouse?"


@dataclass
class Run:
    """One start of a process: how it ended and what it wrote."""

    slot: str
    signal: str  # "KILL", "TERM" or "" (ended on its own)
    code: int | None = None
    log: str = ""
    # When it was started and ended (time.monotonic).
    began: float = 0.0
    ended: float = 0.0

    def clean(self) -> bool:
        """Whether it ended as it should: killed, or stopped/ended with a clear line (no traceback)."""
        if "Traceback" in self.log:
            return False
        if self.signal == "KILL":
            return True
        if self.signal == "TERM":
            return self.code in (0, 130)
        # 1: an ingest that skipped a malformed file says so; 3: the store or index failed, "worth retrying".
        return self.code in (0, 1, 3)


@dataclass
class Soak:
    settings: Settings
    env: dict[str, str]
    folder: Path
    api: FakeBotAPI
    web: WebServer
    rng: random.Random
    ending: float
    runs: list[Run] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Markers of stories whose batch an ingest finished, and of each feed's stories.
    ingested: list[str] = field(default_factory=list)
    served: list[list[str]] = field(default_factory=lambda: [[] for _ in range(FEEDS)])
    # The story each asking chat asked about, and when.
    asked: dict[int, str] = field(default_factory=dict)
    asked_at: dict[int, float] = field(default_factory=dict)
    update_of: dict[int, int] = field(default_factory=dict)
    batch: int = 0
    stories: int = 0

    def start(self, slot: str, *args: str) -> tuple[subprocess.Popen[str], Path]:
        log = self.folder / f"{slot}-{time.monotonic():.3f}.log"
        with log.open("w") as written:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", *args],
                env=self.env,
                cwd=self.folder,
                text=True,
                stdout=subprocess.DEVNULL,
                stderr=written,
            )
        return process, log

    def ended(self, slot: str, process: subprocess.Popen[str], log: Path, sent: str) -> Run:
        process.wait()
        began = float(log.stem.split("-", 1)[1])
        run = Run(slot, sent, process.returncode, log.read_text(errors="replace"), began, time.monotonic())
        with self.lock:
            self.runs.append(run)
        return run

    def kill(self, process: subprocess.Popen[str]) -> str:
        sent = self.rng.choice(("KILL", "TERM"))
        process.send_signal(signal.SIGKILL if sent == "KILL" else signal.SIGTERM)
        return sent

    def command(self, slot: str, *args: str) -> Run:
        """One run of a one-off command, killed at a random moment in about half of its runs."""
        process, log = self.start(slot, *args)
        sent = ""
        if self.rng.random() < 0.5:
            try:
                process.wait(timeout=self.rng.uniform(*COMMAND_LIFE))
            except subprocess.TimeoutExpired:
                sent = self.kill(process)
        return self.ended(slot, process, log, sent)

    def bot(self) -> None:
        while time.monotonic() < self.ending:
            process, log = self.start("run", "run")
            time.sleep(self.rng.uniform(*BOT_LIFE))
            self.ended("run", process, log, self.kill(process))

    def repeat(self, slot: str, *args: str) -> None:
        while time.monotonic() < self.ending:
            self.command(slot, *args)
            time.sleep(self.rng.uniform(0.5, 3))

    def ingest(self) -> None:
        """New batches, each ingested again until a run ends on its own (a killed one leaves part of it)."""
        while time.monotonic() < self.ending:
            paths, words = self.new_batch()
            while (run := self.command("ingest", "ingest", *paths)).signal or run.code == 3:
                pass
            with self.lock:
                self.ingested.extend(words)
            time.sleep(self.rng.uniform(0.5, 3))

    def words(self, count: int) -> list[str]:
        with self.lock:
            first, self.stories = self.stories, self.stories + count
        return [marker(first + n) for n in range(count)]

    def new_batch(self) -> tuple[list[str], list[str]]:
        """A JSON Lines batch of new stories; every third holds a line cut short and a record without a body, every
        fifth comes with a .json file that is not JSON at all."""
        self.batch += 1
        words = self.words(STORIES_PER_BATCH)
        now = datetime.now(UTC).isoformat()
        lines = []
        for word in words:
            title, paragraphs = story_text(word)
            lines.append(json.dumps({"title": title, "paragraphs": paragraphs, "category": "News", "published": now}))
        if self.batch % 3 == 0:
            lines[1:1] = ['{"title": "Cut short", "paragraphs": ["no end', json.dumps({"title": "No body here"})]
        path = self.folder / f"batch-{self.batch}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        if self.batch % 5:
            return [str(path)], words
        broken = self.folder / f"batch-{self.batch}.json"
        broken.write_bytes(b"\x00\x01not json {]")
        return [str(path), str(broken)], words

    def feeds(self) -> None:
        """A new story in one of the feeds every few seconds."""
        while time.monotonic() < self.ending:
            self.publish()
            time.sleep(self.rng.uniform(2, 6))

    def publish(self) -> None:
        number = self.rng.randrange(FEEDS)
        [word] = self.words(1)
        with self.lock:
            self.served[number].append(word)
            self.web.live[f"feed{number}.xml"] = rss(self.served[number], self.web.base_url)

    def questions(self) -> None:
        """A question about a story already ingested, from a new chat, every second or two."""
        while time.monotonic() < self.ending:
            with self.lock:
                words = list(self.ingested)
            if words:
                self.ask(self.rng.choice(words))
            time.sleep(self.rng.uniform(1, 2))

    def ask(self, word: str) -> None:
        chat = FIRST_ASKER + len(self.asked)
        self.asked[chat] = word
        self.asked_at[chat] = time.monotonic()
        self.update_of[chat] = self.api.send_text(chat, question(word))


def rss(words: Sequence[str], site: str) -> bytes:
    """A feed of these stories, newest first, dated now (so each is news to alerts)."""
    stamp = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    items = []
    for word in reversed(words):
        title, paragraphs = story_text(word)
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        items.append(
            f"<item><title>{title}</title><link>{site}/stories/{word}</link><guid>{word}</guid>"
            f"<pubDate>{stamp}</pubDate><category>News</category>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Soak feed</title><link>{site}/</link>{''.join(items)}</channel></rss>"
    ).encode()


@contextmanager
def store_url(database: str, folder: Path) -> Iterator[str]:
    """ "" (SQLite in the data directory), or a new PostgreSQL 16 server's database (pgserver, as the tests)."""
    if database == "sqlite":
        yield ""
        return
    import pgserver
    from sqlalchemy.engine import make_url

    server = pgserver.get_server(folder / "pgdata", cleanup_mode="stop")
    try:
        yield make_url(server.get_uri()).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    finally:
        server.cleanup()


def prepare(settings: Settings, env: dict[str, str], web: WebServer) -> None:
    """The store made, chats subscribed to News with alerts on and a digest due a minute ago, the feeds followed."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    library = Library.open(settings)
    try:
        chats = [ChatSettings(c, due.time(), "UTC", alerts=True, alerts_since=now, next_due=due) for c in SUBSCRIBERS]
        library.store.import_chats([(chat, ["News"]) for chat in chats], now)
    finally:
        library.close()
    for number in range(FEEDS):
        web.live[f"feed{number}.xml"] = rss([], web.base_url)
        subprocess.run(
            [sys.executable, "-m", "bot", "feeds", "add", web.url(f"/live/feed{number}.xml"), "--category", "News"],
            env=env,
            check=True,
            capture_output=True,
        )


def settle(soak: Soak) -> float:
    """The last poll and vectors, then one bot started cleanly until every question is answered and no delivery is
    left claimed; stopped with SIGTERM. Returns the seconds it took."""
    began = time.monotonic()
    for args in (("feeds", "poll"), ("vectors",)):
        soak.ended(args[0], *soak.start(args[0], *args), "")
    process, log = soak.start("run", "run")
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline and not all(replies(soak.api, chat) for chat in soak.asked):
        time.sleep(0.5)
    time.sleep(5)  # the alerts of the last stories: claimed within a beat of their arrival
    process.send_signal(signal.SIGTERM)
    soak.ended("run", process, log, "TERM")
    return time.monotonic() - began


def replies(api: FakeBotAPI, chat: int) -> list[str]:
    return [visible_text(call.params["text"]) for call in api.calls("sendMessage", chat_id=chat) if call.ok]


@dataclass
class Checks:
    """What the end found: each a count of faults (0 is right) with examples."""

    faults: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def fault(self, name: str, example: str) -> None:
        self.faults.setdefault(name, []).append(example)


def check(soak: Soak) -> Checks:
    checks = Checks()
    expected = [*soak.ingested, *(w for feed in soak.served for w in feed)]
    library = Library.open(soak.settings)
    try:
        library.follow()
        with library.store.engine.connect() as connection:
            stored = connection.execute(select(articles.c.id, articles.c.title)).all()
        titles = Counter(title for _, title in stored)
        found = {re.sub(r"^The (zq[a-z]+) .*", r"\1", t): n for t, n in titles.items() if t.startswith("The zq")}
        checks.counts["stories expected"] = len(expected)
        checks.counts["stories stored"] = sum(found.values())
        for word in expected:
            if word not in found:
                checks.fault("lost", word)
        for word, n in found.items():
            if n > 1:
                checks.fault("doubled", f"{word} x{n}")
        ids = {title: article_id for article_id, title in stored}
        vectored = library.vectors.vectors.article_ids() if library.vectors else set()
        for word in expected:
            title = story_text(word)[0]
            answer = library.ask(library.request(question(word)))
            if not answer.passages or answer.passages[0].article.title != title:
                checks.fault("not answerable", word)
            if ids.get(title) not in vectored:
                checks.fault("no vectors", word)
        if library.engine.cursor != library.store.head():
            checks.fault("index behind", f"cursor {library.engine.cursor}, store {library.store.head()}")
        if library.engine.count() != library.store.stats().paragraphs:
            checks.fault("index and store differ", f"{library.engine.count()} != {library.store.stats().paragraphs}")
    finally:
        library.close()
    for chat, word in soak.asked.items():
        answers = replies(soak.api, chat)
        if not answers:
            checks.fault("unanswered", f"{chat}: {word}")
        elif len(answers) > 1:
            checks.fault("answered twice", f"{chat}: {word} x{len(answers)}, {when(soak, chat)}")
        elif word not in answers[0]:
            checks.fault("answer without its story", f"{chat}: {word}: {answers[0][:80]!r}")
    checks.counts["questions"] = len(soak.asked)
    for chat in SUBSCRIBERS:
        texts = replies(soak.api, chat)
        digests = [t for t in texts if t.startswith(DIGEST_HEADING)]
        if len(digests) > 1:
            checks.fault("digest twice", f"{chat} x{len(digests)}")
        alerted = Counter(w for t in texts if ALERT_STOP_HINT in t for w in set(re.findall(r"\bzq[a-z]+\b", t)))
        checks.counts["alerted stories"] = checks.counts.get("alerted stories", 0) + len(alerted)
        for word, n in alerted.items():
            if n > 1:
                checks.fault("alerted twice", f"{chat}: {word} x{n}")
    for run in soak.runs:
        if not run.clean():
            checks.fault("unclear end", f"{run.slot} ({run.signal or 'own'}, exit {run.code}): {tail(run.log)}")
    return checks


def when(soak: Soak, chat: int) -> str:
    """When a chat asked and was answered, and by which of the bot's runs (numbered as started; their ends)."""
    bots = sorted((r for r in soak.runs if r.slot == "run"), key=lambda r: r.began)
    start = min(r.began for r in soak.runs)

    def by(moment: float) -> str:
        alive = [n for n, r in enumerate(bots) if r.began <= moment <= r.ended]
        return f"{moment - start:.1f} s (run {','.join(map(str, alive))})"

    replied = [by(call.time) for call in soak.api.calls("sendMessage", chat_id=chat) if call.ok]
    served = [
        by(call.time)
        for call in soak.api.calls("getUpdates")
        if any(u["update_id"] == soak.update_of[chat] for u in call.response.get("result", []))
    ]
    ends = "; ".join(f"run {n} {r.began - start:.0f}-{r.ended - start:.0f} s {r.signal}" for n, r in enumerate(bots))
    return f"asked {by(soak.asked_at[chat])}, served {', '.join(served)}, replied {', '.join(replied)} [{ends}]"


def tail(log: str) -> str:
    lines = [line for line in log.splitlines() if line.strip()]
    return " / ".join(lines[-3:])[-400:]


def table(database: str, soak: Soak, checks: Checks, minutes: float, settled: float) -> str:
    rows = []
    for slot in ("run", "ingest", "reindex", "vectors", "feeds"):
        runs = [r for r in soak.runs if r.slot == slot]
        codes = Counter(str(r.code) for r in runs if not r.signal)
        rows.append(
            [
                slot,
                str(len(runs)),
                str(sum(r.signal == "KILL" for r in runs)),
                str(sum(r.signal == "TERM" for r in runs)),
                ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())) or "-",
                str(sum(not r.clean() for r in runs)),
            ]
        )
    lines = [
        f"{database}, {minutes:g} min of kills, then {settled:.0f} s to settle",
        markdown_table(["process", "starts", "SIGKILL", "SIGTERM", "own exits (code: n)", "unclear ends"], rows),
        "",
        ", ".join(f"{name} {n}" for name, n in checks.counts.items()),
        "faults: " + ("none" if not checks.faults else ""),
    ]
    for name, examples in checks.faults.items():
        lines.append(f"- {name}: {len(examples)} ({'; '.join(examples[:3])})")
    return "\n".join(lines)


def soak(database: str, minutes: float, seed: int, keep: bool) -> str:
    folder = Path(tempfile.mkdtemp(prefix=f"soak-{database}-"))
    with ExitStack() as stack:
        url = stack.enter_context(store_url(database, folder))
        web = stack.enter_context(serving())
        api = stack.enter_context(FakeBotAPI(token=TOKEN))
        settings = replace(
            Settings.from_env(),
            data_dir=folder / "data",
            database_url=url,
            corpus_dir=DATA / "bot_corpus",
            semantic=ENV["NEWSBOT_SEMANTIC"],
        )
        env = process_env(
            settings,
            **ENV,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
        )
        prepare(settings, env, web)
        run = Soak(settings, env, folder, api, web, random.Random(seed), time.monotonic() + minutes * 60)
        work: list[Callable[[], None]] = [
            run.bot,
            run.ingest,
            lambda: run.repeat("reindex", "reindex"),
            lambda: run.repeat("vectors", "vectors"),
            lambda: run.repeat("feeds", "feeds", "poll"),
            run.feeds,
            run.questions,
        ]
        threads = [threading.Thread(target=job, daemon=True) for job in work]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        settled = settle(run)
        result = table(database, run, check(run), minutes, settled)
    if keep:
        result += f"\nlogs kept in {folder}"
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the data directory and every process's log")
    args = parser.parse_args(argv)
    print(soak(args.database, args.minutes, args.seed, args.keep), flush=True)


if __name__ == "__main__":
    main()
