"""A soak: every kind of newsbot process at once on one store, each killed at random moments and started again.

For a few minutes, on SQLite or on PostgreSQL (pgserver's, as the tests start it): two `newsbot run` sharing one
token, long-polling the fake Bot API server of tests/botapi_server.py (which ends one's poll with 409 Conflict when
the other polls, as Telegram does) while questions arrive; `newsbot ingest` of new batches (JSON Lines, some with a
malformed line or a record without a body, some a file that is not JSON at all) and of BBC stories in batches of
`BBC_BATCH`; `newsbot reindex`; `newsbot vectors`; `newsbot feeds poll` of feeds served by tests/web_server.py
that gain a story every few seconds, one of them now and then broken (a 500, a body cut short) and one now and
then slower than a poll waits. Chats in seven time zones have a digest due at moments spread over the soak and
alerts on; one of them blocked the bot. Each process is killed with SIGKILL or stopped with SIGTERM at a random
moment (a one-off command in about half of its runs, each bot after 5-60 s of each start) and started again. Then
the soak stops killing, mends the feeds, runs the last poll, starts one bot cleanly, waits for its answers, the
digests and every story's vectors (the bot makes them; how long it took is said), stops it, and checks:

- every story ingested or polled is in the store once (none lost, none doubled), and found: its question's first
  passage is its own (lexically, from the index), a BBC story is among the first hits of a search by its first
  paragraph, and each has its paragraph vectors;
- the index and the store agree (the index's change-log cursor and paragraph count are the store's);
- every question got one reply, and each reply names its story (a BBC one: any reply); every chat got its digest
  once (the blocked one none, and was asked at most twice), and each story of the feeds and batches is in one alert
  to each chat (by the store's deliveries: an alert lists five a category; the statuses of a story's alerts are said
  when it is in none or two, `ambiguous` being one a kill cut in flight), no headline in two alert messages;
- no process ended but by the soak's signal or on its own with a clear line: a SIGTERM'd process exits 0 (or 130,
  a command stopped mid-way), none writes a traceback. The warnings and errors the logs hold, and what the commands
  printed, are listed, counted by kind, for a reader to judge whether an operator could act on each.

    python bench/soak.py [--database sqlite|postgresql] [--minutes 3] [--seed 1] [--bbc 300]
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import random
import re
import shutil
import signal
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from common import markdown_table
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.config import Settings
from bot.index.engine import Query
from bot.library import Library
from bot.render.digests import ALERT_STOP_HINT, DIGEST_HEADING
from bot.semantic.vectors import MAP_FILE
from bot.store import ChatSettings, Store
from bot.store.schema import articles, deliveries
from tests.botapi_server import TOKEN, FakeBotAPI
from tests.html_check import visible_text
from tests.paths import BBC, DATA
from tests.processes import process_env
from tests.web_server import WebServer, serving

# Chats with a digest due during the soak and alerts on, following News (the batches' and feeds' category) and
# tech (some BBC stories'); each in a zone of its own in turn (half-hour and 45-minute offsets among them). The last
# one blocked the bot.
SUBSCRIBERS = range(1001, 1021)
ZONES = (
    "UTC",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Adelaide",
    "Pacific/Chatham",
    "America/St_Johns",
)
BLOCKED = SUBSCRIBERS[-1]
# Each question comes from a chat of its own: its replies are the messages to that chat.
FIRST_ASKER = 20_000
STORIES_PER_BATCH = 4
BBC_BATCH = 20
# Feeds that only gain stories, then one broken now and then (a server error, a body cut short) and one now and then
# slower than a poll waits for it.
FEEDS = 2
BROKEN, SLOW = FEEDS, FEEDS + 1
# What each kind of process is started with beside the store's variables: static vectors (the encoder's would
# take both cores for minutes), a beat of 1 s so a killed bot's claims are taken over soon.
ENV = {
    "NEWSBOT_SEMANTIC": "static",
    "NEWSBOT_BEAT_SECONDS": "1",
    "NEWSBOT_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1",
    # A feed slower than this is given up for that poll (SLOW_FEED_SECONDS).
    "NEWSBOT_FETCH_TIMEOUT": "4",
    "TELEGRAM_MAX_MESSAGES_PER_SECOND": "1000",
    "TELEGRAM_FANOUT_MESSAGES_PER_SECOND": "1000",
    # An alert for each minute's stories (the default pace of 10 min would hold most past the soak's end).
    "NEWSBOT_ALERT_PACE_MINUTES": "0",
}
BOTS = 2
SLOW_FEED_SECONDS = 6.0
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
    served: list[list[str]] = field(default_factory=lambda: [[] for _ in range(FEEDS + 2)])
    # BBC records still to ingest, and those whose batch an ingest finished.
    bbc: list[dict[str, object]] = field(default_factory=list)
    bbc_ingested: list[dict[str, object]] = field(default_factory=list)
    # The story each asking chat asked about (a marker, or a BBC title), and when.
    asked: dict[int, str] = field(default_factory=dict)
    asked_at: dict[int, float] = field(default_factory=dict)
    update_of: dict[int, int] = field(default_factory=dict)
    batch: int = 0
    stories: int = 0
    logs: Iterator[int] = field(default_factory=itertools.count)

    def start(self, slot: str, *args: str) -> tuple[subprocess.Popen[str], Path]:
        # Numbered too: the two bots' threads start at the same moment, and one's log was the other's.
        log = self.folder / f"{slot}-{time.monotonic():.3f}-{next(self.logs)}.log"
        with log.open("w") as written:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", *args],
                env=self.env,
                cwd=self.folder,
                text=True,
                stdout=written,
                stderr=subprocess.STDOUT,
            )
        return process, log

    def ended(self, slot: str, process: subprocess.Popen[str], log: Path, sent: str) -> Run:
        process.wait()
        began = float(log.stem.split("-")[1])
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
            self.ingest_whole("ingest", paths)
            with self.lock:
                self.ingested.extend(words)
            time.sleep(self.rng.uniform(0.5, 3))

    def ingest_whole(self, slot: str, paths: Sequence[str]) -> None:
        while (run := self.command(slot, "ingest", *paths)).signal or run.code == 3:
            pass

    def ingest_bbc(self) -> None:
        """The BBC stories, `BBC_BATCH` at a time, each batch ingested again until a run ends on its own."""
        number = 0
        while time.monotonic() < self.ending and self.bbc:
            batch, self.bbc = self.bbc[:BBC_BATCH], self.bbc[BBC_BATCH:]
            number += 1
            path = self.folder / f"bbc-{number}.jsonl"
            path.write_text("".join(json.dumps(record) + "\n" for record in batch))
            self.ingest_whole("bbc", [str(path)])
            with self.lock:
                self.bbc_ingested.extend(batch)
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
        """A new story in one of the feeds every few seconds; the broken feed and the slow one change their ways."""
        while time.monotonic() < self.ending:
            self.publish()
            name = f"feed{BROKEN}.xml"
            way = self.rng.choice(("whole", "error", "cut"))
            with self.lock:
                self.web.statuses.pop(name, None)
                if way == "error":
                    self.web.statuses[name] = 500
                body = rss(self.served[BROKEN], self.web.base_url)
                self.web.live[name] = body[: len(body) // 2] if way == "cut" else body
                self.web.delays[f"feed{SLOW}.xml"] = self.rng.choice((0.0, SLOW_FEED_SECONDS))
            time.sleep(self.rng.uniform(2, 6))

    def publish(self) -> None:
        number = self.rng.randrange(len(self.served))
        [word] = self.words(1)
        with self.lock:
            self.served[number].append(word)
            self.web.live[f"feed{number}.xml"] = rss(self.served[number], self.web.base_url)

    def mend_feeds(self) -> None:
        """Every feed whole and quick again, for the last poll."""
        with self.lock:
            self.web.statuses.clear()
            self.web.delays.clear()
            for number, words in enumerate(self.served):
                self.web.live[f"feed{number}.xml"] = rss(words, self.web.base_url)

    def questions(self) -> None:
        """A question about a story already ingested, from a new chat, every second or two: one in three asks a BBC
        story's headline."""
        while time.monotonic() < self.ending:
            with self.lock:
                words = list(self.ingested)
                titles = [str(record["title"]) for record in self.bbc_ingested]
            if titles and self.rng.random() < 1 / 3:
                title = self.rng.choice(titles)
                self.ask(title, title)
            elif words:
                word = self.rng.choice(words)
                self.ask(word, question(word))
            time.sleep(self.rng.uniform(1, 2))

    def ask(self, story: str, text: str) -> None:
        chat = FIRST_ASKER + len(self.asked)
        self.asked[chat] = story
        self.asked_at[chat] = time.monotonic()
        self.update_of[chat] = self.api.send_text(chat, text)


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


def bbc_records(count: int, rng: random.Random) -> list[dict[str, object]]:
    """`count` BBC stories of distinct headlines and first paragraphs, drawn from every section, dated now."""
    now = datetime.now(UTC).isoformat()
    records, seen = [], set()
    for line in BBC.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["title"] in seen or record["paragraphs"][0] in seen:
            continue
        seen.update((record["title"], record["paragraphs"][0]))
        records.append({"title": record["title"], "paragraphs": record["paragraphs"], "category": record["category"]})
    return [{**record, "published": now} for record in rng.sample(records, count)]


def due_times(minutes: float) -> dict[int, datetime]:
    """Each subscriber's digest due at a whole minute from a minute before the soak to its last minute."""
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    return {chat: start + timedelta(minutes=n % (int(minutes) + 1)) for n, chat in enumerate(SUBSCRIBERS)}


def prepare(settings: Settings, env: dict[str, str], web: WebServer, dues: dict[int, datetime]) -> None:
    """The store made, chats in their zones subscribed to News and tech with alerts on and their digest due at
    `dues`, the feeds followed."""
    now = datetime.now(UTC)
    library = Library.open(settings)
    try:
        chats = [
            ChatSettings(chat, due.astimezone(ZoneInfo(zone)).time(), zone, alerts=True, alerts_since=now, next_due=due)
            for (chat, due), zone in zip(dues.items(), ZONES * len(SUBSCRIBERS), strict=False)
        ]
        library.store.import_chats([(chat, ["News", "tech"]) for chat in chats], now)
    finally:
        library.close()
    for number in range(FEEDS + 2):
        web.live[f"feed{number}.xml"] = rss([], web.base_url)
        subprocess.run(
            [sys.executable, "-m", "bot", "feeds", "add", web.url(f"/live/feed{number}.xml"), "--category", "News"],
            env=env,
            check=True,
            capture_output=True,
        )


def settle(soak: Soak) -> tuple[float, int, float | None]:
    """The feeds mended and their last poll, then one bot started cleanly until every question is answered, every
    digest sent and every story has its vectors (the bot makes them: no `newsbot vectors` after the kills); stopped
    with SIGTERM. Returns the seconds it took, the stories without vectors as the bot started, and the seconds until
    the last had them (None: not within SETTLE_SECONDS)."""
    began = time.monotonic()
    soak.mend_feeds()
    soak.ended("feeds", *soak.start("feeds", "feeds", "poll"), "")
    store = Store.open(soak.settings.store_url)
    try:
        unmade = without_vectors(soak.settings, store)
        process, log = soak.start("run", "run")
        started = time.monotonic()
        deadline = started + SETTLE_SECONDS
        made: float | None = None
        while time.monotonic() < deadline:
            if made is None and not without_vectors(soak.settings, store):
                made = time.monotonic() - started
            if (
                made is not None
                and all(replies(soak.api, chat) for chat in soak.asked)
                and all(digests(soak.api, chat) for chat in SUBSCRIBERS if chat != BLOCKED)
            ):
                break
            time.sleep(0.5)
    finally:
        store.close()
    time.sleep(5)  # the alerts of the last stories: claimed within a beat of their arrival
    process.send_signal(signal.SIGTERM)
    soak.ended("run", process, log, "TERM")
    return time.monotonic() - began, unmade, made


def without_vectors(settings: Settings, store: Store) -> int:
    """How many stories of the store have no paragraph vectors yet (read beside the processes making them)."""
    with store.engine.connect() as connection:
        stored = set(connection.execute(select(articles.c.id)).scalars())
    try:
        with closing(sqlite3.connect(f"file:{settings.data_dir / 'vectors' / MAP_FILE}?mode=ro", uri=True)) as db:
            made = {row[0] for row in db.execute("SELECT article_id FROM articles")}
    except sqlite3.OperationalError:  # not made yet, or being written: looked at again
        return len(stored)
    return len(stored - made)


def replies(api: FakeBotAPI, chat: int) -> list[str]:
    return [visible_text(call.params["text"]) for call in api.calls("sendMessage", chat_id=chat) if call.ok]


def digests(api: FakeBotAPI, chat: int) -> list[str]:
    return [text for text in replies(api, chat) if text.startswith(DIGEST_HEADING)]


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
        checks.counts["BBC stories ingested"] = len(soak.bbc_ingested)
        for record in soak.bbc_ingested:
            title = html.unescape(str(record["title"]))  # a headline's "&#163;" is stored as "£"
            if titles[title] != 1:
                checks.fault("BBC story lost or doubled", f"{title} x{titles[title]}")
                continue
            first = str(record["paragraphs"][0])  # type: ignore[index]
            hits = library.engine.search(Query(library.terms(first)), 10)
            if ids[title] not in {hit.article_id for hit in hits}:
                checks.fault("BBC story not found by its first paragraph", title)
            if ids[title] not in vectored:
                checks.fault("no vectors", title)
        if library.engine.cursor != library.store.head():
            checks.fault("index behind", f"cursor {library.engine.cursor}, store {library.store.head()}")
        if library.engine.count() != library.store.stats().paragraphs:
            checks.fault("index and store differ", f"{library.engine.count()} != {library.store.stats().paragraphs}")
    finally:
        library.close()
    check_answers(soak, checks)
    check_deliveries(soak, checks, {ids[story_text(word)[0]]: word for word in expected if story_text(word)[0] in ids})
    for run in soak.runs:
        if not run.clean():
            checks.fault("unclear end", f"{run.slot} ({run.signal or 'own'}, exit {run.code}): {tail(run.log)}")
    return checks


def check_answers(soak: Soak, checks: Checks) -> None:
    """One reply to each question, naming the story asked of (a marker's; a BBC headline's may be any reply)."""
    for chat, story in soak.asked.items():
        answers = replies(soak.api, chat)
        if not answers:
            checks.fault("unanswered", f"{chat}: {story}")
        elif len(answers) > 1:
            checks.fault("answered twice", f"{chat}: {story} x{len(answers)}, {when(soak, chat)}")
        elif story.startswith("zq") and story not in answers[0]:
            checks.fault("answer without its story", f"{chat}: {story}: {answers[0][:80]!r}")
    checks.counts["questions"] = len(soak.asked)


def check_deliveries(soak: Soak, checks: Checks, words: dict[str, str]) -> None:
    """Each chat's digest once (the blocked chat's none, asked at most twice), and each story (`words`: by id) in one
    alert to each chat (by the store's deliveries: an alert's message lists five a category), no word of the
    messages' in two."""
    library = Library.open(soak.settings)
    try:
        with library.store.engine.connect() as connection:
            query = select(deliveries.c.chat_id, deliveries.c.status, deliveries.c.articles)
            rows = connection.execute(query.where(deliveries.c.kind == "alert")).all()
    finally:
        library.close()
    for status, n in Counter(status for _, status, _ in rows).items():
        checks.counts[f"alerts {status}"] = n
    for chat in SUBSCRIBERS:
        if chat == BLOCKED:
            asked = soak.api.calls("sendMessage", chat_id=chat)
            if any(call.ok for call in asked) or len(asked) > 2:
                checks.fault("the blocked chat written to", f"{len(asked)} sends")
            continue
        told = digests(soak.api, chat)
        if len(told) != 1:
            checks.fault("digest twice" if told else "digest lost", f"{chat} x{len(told)}")
        texts = replies(soak.api, chat)
        alerted = Counter(w for t in texts if ALERT_STOP_HINT in t for w in set(re.findall(r"\bzq[a-z]+\b", t)))
        for word, n in alerted.items():
            if n > 1:
                checks.fault("alerted twice", f"{chat}: {word} x{n}")
        held = Counter(a for c, _, articles in rows if c == chat for a in articles.split() if a in words)
        for article, word in words.items():
            if held[article] != 1:
                ways = sorted({status for c, status, a in rows if c == chat and article in a.split()})
                checks.fault("alert lost" if not held[article] else "alert twice", f"{chat}: {word} {ways}")


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


def said(soak: Soak) -> str:
    """What the processes told an operator beyond their progress: each kind of warning, error or command's line
    (numbers and paths made alike), how often, and in which kind of process; for a reader to judge."""
    kinds: Counter[tuple[str, str]] = Counter()
    for run in soak.runs:
        for line in run.log.splitlines():
            logged = re.match(r"\d{4}-\d\d-\d\d [\d:,]+ (\w+) (.*)", line)
            if logged and logged[1] not in ("WARNING", "ERROR", "CRITICAL"):
                continue
            text = logged[2] if logged else line
            text = re.sub(r"(/[\w.+-]+)+", "PATH", text)
            text = re.sub(r"\bzq[a-z]+\b", "WORD", re.sub(r"\d+(\.\d+)?", "N", text))
            kinds[(run.slot, text[:220])] += 1
    lines = [f"what the logs said ({len(kinds)} kinds):"]
    lines += [f"- {n} x {slot}: {text}" for (slot, text), n in kinds.most_common()]
    return "\n".join(lines)


def table(database: str, soak: Soak, checks: Checks, minutes: float, settled: float) -> str:
    rows = []
    for slot in ("run", "ingest", "bbc", "reindex", "vectors", "feeds"):
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


def soak(database: str, minutes: float, seed: int, bbc: int, keep: bool) -> str:
    folder = Path(tempfile.mkdtemp(prefix=f"soak-{database}-"))
    with ExitStack() as stack:
        url = stack.enter_context(store_url(database, folder))
        web = stack.enter_context(serving())
        api = stack.enter_context(FakeBotAPI(token=TOKEN, polls_conflict=True))
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
        rng = random.Random(seed)
        prepare(settings, env, web, due_times(minutes))
        api.blocked_chats.add(BLOCKED)
        run = Soak(settings, env, folder, api, web, rng, time.monotonic() + minutes * 60, bbc=bbc_records(bbc, rng))
        work: list[Callable[[], None]] = [
            *[run.bot] * BOTS,
            run.ingest,
            run.ingest_bbc,
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
        settled, unmade, made = settle(run)
        checks = check(run)
        checks.counts["stories without vectors as the kills ended"] = unmade
        if made is None:
            checks.fault("vectors not made", f"by the clean bot in {SETTLE_SECONDS} s")
        else:
            checks.counts["seconds until the clean bot had made them"] = round(made)
        result = table(database, run, checks, minutes, settled) + "\n" + said(run)
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
    parser.add_argument("--bbc", type=int, default=300, help="BBC stories to ingest (BBC_BATCH a run), if time allows")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and every process's log")
    args = parser.parse_args(argv)
    print(soak(args.database, args.minutes, args.seed, args.bbc, args.keep), flush=True)


if __name__ == "__main__":
    main()
