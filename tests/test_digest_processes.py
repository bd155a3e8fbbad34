"""`newsbot run` as real processes sending digests through the fake Bot API server, on SQLite and PostgreSQL
(issue 8): stopped with SIGTERM, then killed with SIGKILL, in the middle of a fan-out and started again, and two
processes on one PostgreSQL at the same minute.

Chats are made due by storing their next due instant a minute ago (no real minutes pass): the fan-out that every
bot runs at start sends them. The server is slowed down so that the fan-out takes a few seconds, and it counts
what it received: the truth about what each chat got.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest

from bot.config import Settings
from bot.library import Library
from bot.services.fanout import CONCURRENCY
from bot.store import ChatSettings, Store
from tests.botapi_server import TOKEN, FakeBotAPI
from tests.newsroom import story
from tests.paths import DATA
from tests.processes import process_env

CHATS = range(1001, 1301)
GROUPS = range(-1000000001100, -1000000001000)
# Each getChatMember takes this long at the server: 8 in flight, 100 groups take ~6 s, while the other process starts.
ASK_SECONDS = 0.5
DIGEST = "<b>Daily digest</b>"
# Each sendMessage takes this long at the server: 8 in flight, about 80 a second, so 300 chats take ~4 s.
SEND_SECONDS = 0.1
# The Bot API slow to answer as the stop comes: each send of the group in flight takes this long.
SLOW_SECONDS = 2.0

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


@pytest.fixture
def bot_settings(any_db_settings: Settings) -> Settings:
    return replace(any_db_settings, corpus_dir=DATA / "bot_corpus")


def make_due(settings: Settings, chats: range) -> None:
    """Chats following Sport whose digest fell due a minute ago (daily time and next due instant in UTC), and a
    story for them."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    library = Library.open(settings)
    try:
        library.store.import_chats([(ChatSettings(c, due.time(), "UTC", next_due=due), ["Sport"]) for c in chats], now)
        library.store.write_articles([story("Cup final tonight", "Sport")], now - timedelta(minutes=30))
    finally:
        library.close()


def start_bot(settings: Settings, server: FakeBotAPI, log: IO[str]) -> subprocess.Popen[str]:
    env = process_env(
        settings,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        # Not Telegram: the server's slowness, not pacing, sets the speed.
        TELEGRAM_MAX_MESSAGES_PER_SECOND="1000",
        TELEGRAM_FANOUT_MESSAGES_PER_SECOND="1000",
        # Digests use no paragraph vectors: loading the encoder and embedding the articles would only slow the start.
        NEWSBOT_SEMANTIC="off",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], env=env, text=True, stdout=log, stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen[str], log: Path) -> None:
    """SIGTERM, as a service manager stops it: it must exit cleanly."""
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    output = log.read_text()
    assert process.returncode == 0 and "Traceback" not in output, output[-3000:]


def digest_statuses(settings: Settings) -> dict[str, int]:
    store = Store.open(settings.store_url)
    try:
        return store.delivery_counts("digest")
    finally:
        store.close()


def wait_until_settled(settings: Settings, chats: int, timeout: float = 240) -> dict[str, int]:
    """Wait until every chat's digest has an outcome (nothing left claimed); returns the count per status."""
    deadline = time.monotonic() + timeout
    while True:
        counts = digest_statuses(settings)
        if "claimed" not in counts and sum(counts.values()) == chats:
            return counts
        assert time.monotonic() < deadline, f"not settled: {counts}"
        time.sleep(0.2)


def digests_received(*servers: FakeBotAPI) -> dict[int, int]:
    """How many digests each chat received, over every server."""
    received: dict[int, int] = {}
    for server in servers:
        for call in server.calls("sendMessage"):
            if call.ok and call.params["text"].startswith(DIGEST):
                chat_id = int(call.params["chat_id"])
                received[chat_id] = received.get(chat_id, 0) + 1
    return received


@contextmanager
def two_bots(
    settings: Settings, tmp_path: Path, slowed: str, seconds: float, chats: int
) -> Iterator[tuple[FakeBotAPI, FakeBotAPI, dict[str, int]]]:
    """Two `newsbot run` on one store, each polling its own server (whose `slowed` method takes `seconds`), stopped
    once every one of `chats` digests has an outcome: the two servers and the count per status."""
    with FakeBotAPI(token=TOKEN) as one, FakeBotAPI(token=TOKEN) as two:
        for server in (one, two):
            server.slow(slowed, seconds)
        logs = [tmp_path / "one.log", tmp_path / "two.log"]
        with logs[0].open("w") as log_one, logs[1].open("w") as log_two:
            bots = [start_bot(settings, one, log_one), start_bot(settings, two, log_two)]
            try:
                counts = wait_until_settled(settings, chats)
            finally:
                for process, log in zip(bots, logs, strict=True):
                    stop(process, log)
        yield one, two, counts


@pytest.fixture
def server() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN) as api:
        api.slow("sendMessage", SEND_SECONDS)
        yield api


def test_a_bot_stopped_then_killed_mid_fan_out_sends_each_digest_once_then_at_most_once(
    bot_settings: Settings, server: FakeBotAPI, tmp_path: Path
) -> None:
    """A service manager's SIGTERM while the Bot API is slow to answer, then a SIGKILL, each in the middle of a
    fan-out, and a third start: the stop loses nothing and doubles nothing (the group in flight is recorded, what it
    claimed and did not begin is taken over), the kill at most its group in flight."""
    make_due(bot_settings, CHATS)
    logs = [tmp_path / f"{name}.log" for name in ("stopped", "killed", "third")]
    server.slow("sendMessage", SLOW_SECONDS)
    with logs[0].open("w") as log:
        first = start_bot(bot_settings, server, log)
        try:
            server.wait_for("sendMessage", count=CONCURRENCY + 1, timeout=240)
        finally:
            stop(first, logs[0])
    stopped = digest_statuses(bot_settings)
    assert sum(digests_received(server).values()) < len(CHATS), "the stop did not land in the middle of the fan-out"
    # Each send under way when the stop came was waited for and recorded, none was left in doubt.
    assert stopped.get("sent") == sum(digests_received(server).values()) and "ambiguous" not in stopped, stopped
    server.slow("sendMessage", SEND_SECONDS)

    with logs[1].open("w") as log:
        second = start_bot(bot_settings, server, log)
        try:
            server.wait_for("sendMessage", count=stopped["sent"] + 100, timeout=240)
        finally:
            second.kill()  # SIGKILL: no clean-up of any kind
            second.wait(timeout=30)
    assert second.returncode == -signal.SIGKILL
    # The requests in flight finish at the server (sleeping twice their time was short of it on a loaded machine).
    deadline = time.monotonic() + 60
    while len(server.calls("sendMessage")) < server.arrived.get("sendmessage", 0):
        assert time.monotonic() < deadline, "the killed bot's sends never finished at the server"
        time.sleep(0.05)
    before = digests_received(server)
    assert 100 <= sum(before.values()) < len(CHATS), "the kill did not land in the middle of the fan-out"

    with logs[2].open("w") as log:
        third = start_bot(bot_settings, server, log)
        try:
            counts = wait_until_settled(bot_settings, len(CHATS))
        finally:
            stop(third, logs[2])

    received = digests_received(server)
    assert set(received) <= set(CHATS) and max(received.values()) == 1, "a chat got its digest twice"
    lost = [chat_id for chat_id in CHATS if chat_id not in received]
    # Only sends in flight at the kill can be lost: stamped attempted, never recorded, so recorded as ambiguous
    # by the next start and never sent again. At most one group of sends per killed process.
    assert counts.get("ambiguous", 0) <= CONCURRENCY and len(lost) <= counts.get("ambiguous", 0)
    assert counts["sent"] + counts.get("ambiguous", 0) == len(CHATS)
    store = Store.open(bot_settings.store_url)
    try:
        sent = {c for c in CHATS if [s for kind, _, s in store.deliveries_of(c) if kind == "digest"] == ["sent"]}
    finally:
        store.close()
    assert sent <= set(received), "recorded as sent but never received"
    print(
        f"\nSIGTERM mid fan-out: {stopped}; kill -9: {sum(before.values())} digests before it, then {counts};"
        f" lost {len(lost)}"
    )


def test_two_bots_on_one_postgresql_at_the_same_minute_send_each_digest_once(
    postgres_url: str, settings: Settings, tmp_path: Path
) -> None:
    shared = replace(settings, corpus_dir=DATA / "bot_corpus", database_url=postgres_url)
    make_due(shared, CHATS)
    with two_bots(shared, tmp_path, "sendMessage", SEND_SECONDS, len(CHATS)) as (one, two, counts):
        received = digests_received(one, two)
        assert counts == {"sent": len(CHATS)}
        assert received == dict.fromkeys(CHATS, 1)
        print(
            f"\ntwo processes: {sum(digests_received(one).values())} and {sum(digests_received(two).values())} digests"
        )


def test_two_bots_at_one_due_time_ask_telegram_about_each_restricted_group_once(
    bot_settings: Settings, tmp_path: Path
) -> None:
    """Groups whose admins restricted the bot, and lifted it since without Telegram telling it, are due: two `newsbot
    run` on one store (SQLite, PostgreSQL), each polling its own server, ask Telegram (getChatMember) about each
    group once between them, and each group gets its digest once. The ask is claimed in the store for 2 minutes;
    no process claims a group's digest until the answer is in (tested before with two fan-outs in one process)."""
    make_due(bot_settings, GROUPS)
    store = Store.open(bot_settings.store_url)
    try:
        for group in GROUPS:
            store.set_chat_active(group, False, restricted=True)
    finally:
        store.close()
    # The asks take a while: the second process starts while the first still awaits its answers.
    with two_bots(bot_settings, tmp_path, "getChatMember", ASK_SECONDS, len(GROUPS)) as (one, two, counts):
        asked: dict[int, int] = {}
        for server in (one, two):
            for call in server.calls("getChatMember"):
                asked[int(call.params["chat_id"])] = asked.get(int(call.params["chat_id"]), 0) + 1
        assert asked == dict.fromkeys(GROUPS, 1)
        assert counts == {"sent": len(GROUPS)}
        assert digests_received(one, two) == dict.fromkeys(GROUPS, 1)
        print(f"\nrestricted groups asked: {len(one.calls('getChatMember'))} and {len(two.calls('getChatMember'))}")
