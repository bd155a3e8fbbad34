"""Deliveries across processes on SQLite and PostgreSQL: claims at the same minute, kill -9 between claim and
record and in the middle of a fan-out, fencing of a process that stalled, outcomes."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, inspect, text

from bot.render.subscriptions import TOPIC_GONE
from bot.services.deliveries import Deliveries, Outcome
from bot.services.fanout import ASK_LEASE, Access
from bot.services.presence import LIVE_FOR, Presence
from bot.services.schedule import next_digest
from bot.store import ChatSettings, Store, Worker
from bot.store.chats import claim_asks, restricted_due
from bot.store.deliveries import ALERT, DIGEST, ONE_INSTANT, Claim
from bot.store.deliveries import insert as insert_claims
from bot.store.engine import reading, writing
from bot.store.schema import migrations
from tests.conftest import open_store
from tests.newsroom import Bot, Reader, story, url_of
from tests.paths import ROOT

# The migration that marks the inactive groups of a store made before 0023 as asked about.
RESTRICTED = "0024_restricted_groups"

NOON = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 27, 7, 30, tzinfo=UTC)
CATEGORIES = ["business", "sport", "tech"]


@pytest.fixture
def url(database_url: str, tmp_path: Path) -> str:
    return url_of(database_url, tmp_path)


@pytest.fixture
def store(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(url, tmp_path_factory)
    opened.write_articles([story(f"{c} news", c, NOON) for c in CATEGORIES], NOON)
    yield opened
    opened.close()


def chats(store: Store, count: int) -> list[int]:
    """`count` chats subscribed to one category each, all due at 07:30 UTC tomorrow."""
    ids = list(range(1000, 1000 + count))
    settings = [
        (ChatSettings(i, DUE.time(), "UTC", next_due=next_digest(DUE.time(), "UTC", NOON, None)), [CATEGORIES[i % 3]])
        for i in ids
    ]
    store.import_chats(settings, NOON)
    return ids


def worker(*args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.digest_worker", *args],
        cwd=ROOT,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)  # reaped: its pid is gone, as after a real crash


@pytest.mark.parametrize("round_", range(2))
def test_processes_claiming_at_the_same_minute_claim_each_chat_once(
    store: Store, url: str, tmp_path: Path, round_: int
) -> None:
    ids = chats(store, 300)
    go = tmp_path / "go"
    processes = [worker("claim", url, DUE.isoformat(), str(go), "7") for _ in range(3)]
    go.touch()
    outcomes = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], [err for _, err in outcomes]
    claimed = [json.loads(out) for out, _ in outcomes]
    everyone = [chat for part in claimed for chat in part]
    assert sorted(everyone) == ids  # every chat once: none twice, none left out
    assert store.delivery_counts() == {"claimed": 300}
    if "postgresql" in url:
        assert sum(1 for part in claimed if part) >= 2  # SKIP LOCKED: they worked side by side


def test_a_process_killed_between_claim_and_send_is_finished_by_the_next_start(store: Store, url: str) -> None:
    ids = chats(store, 40)
    holder = worker("hold", url, DUE.isoformat(), "0", stdin=subprocess.PIPE)
    assert holder.stdout is not None
    held = json.loads(holder.stdout.readline())
    assert sorted(held["claimed"]) == ids and held["started"] == []
    kill(holder)
    reader = Reader()
    report = Bot(store, DUE, reader).tick(DUE + timedelta(minutes=1))
    assert report.taken_over == 40
    assert sorted(s.chat_id for s in reader.sent) == ids  # each exactly once
    assert store.delivery_counts() == {"sent": 40}


def test_sends_in_flight_at_a_kill_are_ambiguous_and_never_sent_again(
    store: Store, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """And the operator reads that they are not sent, and why: the log said "closed {'ambiguous': 3}"."""
    ids = chats(store, 20)
    holder = worker("hold", url, DUE.isoformat(), "3", stdin=subprocess.PIPE)
    assert holder.stdout is not None
    held = json.loads(holder.stdout.readline())
    kill(holder)
    reader = Reader()
    with caplog.at_level(logging.INFO, logger="bot.services.deliveries"):
        Bot(store, DUE, reader).tick(DUE + timedelta(minutes=1))
    assert "took over 17 unsent deliveries; not sending 3 in doubt (their sender stopped" in caplog.text
    assert store.delivery_counts() == {"sent": 17, "ambiguous": 3}
    in_flight = {chat for chat in ids if ("digest", "2026-03-27 UTC", "ambiguous") in store.deliveries_of(chat)}
    assert len(in_flight) == 3 and not in_flight & {s.chat_id for s in reader.sent}
    assert len(held["started"]) == 3


def test_kill_9_during_a_fan_out_loses_at_most_the_sends_in_flight(store: Store, url: str, tmp_path: Path) -> None:
    """Issue 8: a fan-out killed with SIGKILL and started again: nobody gets a digest twice, and only the sends
    in flight at the kill (at most the concurrency) may be lost."""
    ids = chats(store, 150)
    out = tmp_path / "sends.txt"
    concurrency = 6
    first = worker("fanout", url, DUE.isoformat(), str(out), str(concurrency))
    deadline = time.monotonic() + 60
    while (not out.exists() or len(out.read_text().split()) < 40) and time.monotonic() < deadline:
        time.sleep(0.01)
    kill(first)
    before = len(out.read_text().split())
    assert 40 <= before < 150, "the kill came too late to test anything"
    second = worker("fanout", url, DUE.isoformat(), str(out), str(concurrency))
    report, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors
    received = Counter(int(line) for line in out.read_text().split())
    assert max(received.values()) == 1  # never twice
    counts = store.delivery_counts()
    assert counts.get("ambiguous", 0) <= concurrency and set(counts) <= {"sent", "ambiguous"}
    assert counts["sent"] + counts.get("ambiguous", 0) == 150
    missing = set(ids) - set(received)
    ambiguous = {chat for chat in ids if store.deliveries_of(chat)[0][2] == "ambiguous"}
    assert missing <= ambiguous  # only a send in flight can be lost
    assert json.loads(report)["taken_over"] > 0


def test_a_claimer_that_stalled_cannot_send_what_another_took_over(store: Store) -> None:
    ids = chats(store, 5)
    stalled = Worker("elsewhere:7:stalled", "elsewhere", 7, NOON, NOON)
    store.beat(stalled, DUE - timedelta(minutes=5), DUE, DUE - timedelta(days=1))
    claims = Deliveries(store).claim_due(DUE, 100, stalled.worker_id)
    assert sorted(d.chat_id for d in claims) == ids
    # A live process on another host beat 5 minutes ago: gone (LIVE_FOR), so its claims are taken over.
    assert timedelta(minutes=5) > LIVE_FOR
    reader = Reader()
    report = Bot(store, DUE, reader).tick(DUE)
    assert report.taken_over == 5 and len(reader.sent) == 5
    # The stalled process wakes up: it may neither start nor record what it no longer holds.
    assert store.start_deliveries([d.id for d in claims], stalled.worker_id, DUE) == []
    assert not Deliveries(store).record(claims[0], Outcome.sent(), stalled.worker_id, DUE)
    assert store.delivery_counts() == {"sent": 5}


def test_sends_finding_a_topic_gone_at_once_forget_it_once(store: Store, url: str) -> None:
    """Sends that found a forum topic deleted at the same time, in processes of their own, each told the group; now
    only the one whose edit forgot the topic does."""
    [chat] = chats(store, 1)
    store.edit_chat(chat, lambda s: replace(s, topic=5) if s else None, NOON)
    stores = [Store.open(url) for _ in range(6)]
    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            forgot = list(pool.map(lambda s: Deliveries(s).forget_topic(chat, 5, "w", DUE), stores))
    finally:
        for opened in stores:
            opened.close()
    assert [(n.kind, n.key) for n in forgot if n is not None] == [("notice", "topic-gone:5")]
    assert store.delivery_counts() == {"claimed": 1}  # the one notice owed
    settings = store.chat_settings(chat)
    assert settings is not None and settings.topic is None
    # A topic chosen again meanwhile is not forgotten for an older refusal.
    store.edit_chat(chat, lambda s: replace(s, topic=9) if s else None, DUE)
    assert Deliveries(store).forget_topic(chat, 5, "w", DUE) is None
    settings = store.chat_settings(chat)
    assert settings is not None and settings.topic == 9


@pytest.mark.parametrize("down", [timedelta(minutes=1), timedelta(hours=5)])
def test_a_process_killed_after_forgetting_a_topic_leaves_its_notice_to_the_next(
    store: Store, url: str, down: timedelta
) -> None:
    """A send found a group's forum topic gone; its process forgot the topic, then died before telling the group.
    The notice was lost (the topic was forgotten, so nothing would find it gone again); now it was claimed with the
    change, and the next process sends it, once, however long after (a digest that late would be stale)."""
    [chat] = chats(store, 1)
    store.edit_chat(chat, lambda s: replace(s, topic=5) if s else None, NOON)
    forgetter = worker("forget", url, DUE.isoformat(), str(chat), "5", stdin=subprocess.PIPE)
    assert forgetter.stdout is not None
    assert json.loads(forgetter.stdout.readline()) == {"kind": "notice", "key": "topic-gone:5"}
    kill(forgetter)
    reader = Reader()
    bot = Bot(store, DUE, reader)
    report = bot.tick(DUE + down)
    bot.tick(DUE + down + timedelta(minutes=1))
    assert report.taken_over == 1
    assert [s.messages for s in reader.to(chat)].count([TOPIC_GONE]) == 1
    assert ("notice", "topic-gone:5", "sent") in store.deliveries_of(chat)


def test_a_restricted_group_is_asked_once_at_its_due_time_and_only_it(store: Store) -> None:
    """Groups the bot may not write to: restricted (asked at the due time whether it may write again), restricted
    and freed (asked, woken, sent its digest), removed (never asked), one Telegram could not tell about, and one
    recorded as restricted that removed the bot unheard (asked once: Telegram says the bot is out, and it is never
    asked again, where it was asked at every due time)."""
    restricted, freed, removed, unknown, out = chats(store, 5)
    for chat in (restricted, freed, unknown, out):
        store.set_chat_active(chat, False, restricted=True)
    store.set_chat_active(removed, False)
    answers = {restricted: Access.RESTRICTED, freed: Access.FREE, unknown: None, out: Access.OUT}
    asked: list[int] = []

    async def ask(chat_id: int) -> Access | None:
        asked.append(chat_id)
        return answers[chat_id]

    reader = Reader()
    bot = Bot(store, DUE, reader)
    assert store.restricted_due(DUE - timedelta(minutes=1)) == []  # not due yet: not asked
    for minute in range(1, 4):
        now = DUE + timedelta(minutes=minute)
        asyncio.run(bot.fanout.run(lambda now=now: now, reader.send, ask=ask))
    assert sorted(asked) == sorted([restricted, freed, unknown, out])  # once each, though three ticks ran
    assert [s.chat_id for s in reader.sent] == [freed]
    assert [store.chat_active(c) for c in (restricted, freed, removed, unknown, out)] == [
        False,
        True,
        False,
        False,
        False,
    ]
    assert store.restricted_due(DUE + timedelta(days=1)) == [restricted, unknown]  # the next day: not the one out
    # Removed since it was read as restricted: a late "may write" does not wake it.
    store.set_chat_active(restricted, False)
    assert store.lift_restrictions([restricted], DUE) == []


def test_processes_at_one_due_time_ask_about_a_restricted_group_once(store: Store) -> None:
    """Two processes run the fan-out at the group's due time: the one that claimed the ask asks Telegram; the other
    neither asks nor claims the digest while the answer is awaited (it found the group inactive and skipped its day,
    just before the asker woke it). A process that died asking leaves the ask to another after its lease."""
    [group, forsaken] = chats(store, 2)
    store.set_chat_active(forsaken, False, restricted=True)
    # The asker of `forsaken` died before answering: its ask is held until the lease ends.
    assert store.claim_restriction_asks(DUE, DUE + ASK_LEASE).chat_ids == [forsaken]
    store.set_chat_active(group, False, restricted=True)
    asked: list[int] = []
    answer = asyncio.Event()

    async def ask(chat_id: int) -> Access | None:
        asked.append(chat_id)
        if len(asked) == 1:
            await answer.wait()
        return Access.FREE

    reader = Reader()
    first, second = Bot(store, DUE, reader), Bot(store, DUE, reader)

    async def both(now: datetime) -> None:
        asking = asyncio.create_task(first.fanout.run(lambda: now, reader.send, ask=ask))
        while not asked:
            await asyncio.sleep(0.01)
        await second.fanout.run(lambda: now, reader.send, ask=ask)
        assert reader.to(group) == [] and store.chat_active(group) is False
        answer.set()
        await asking

    asyncio.run(both(DUE + timedelta(minutes=1)))
    assert asked == [group] and len(reader.to(group)) == 1
    assert reader.to(forsaken) == []
    asyncio.run(second.fanout.run(lambda: DUE + ASK_LEASE, reader.send, ask=ask))
    assert asked == [group, forsaken] and len(reader.to(forsaken)) == 1


def test_an_asker_that_stalled_past_its_lease_leaves_the_ask_to_the_one_that_took_it_over(store: Store) -> None:
    """A process asked about a restricted group and stalled past its lease; another took the ask over. The first
    one's late answer (still restricted, as it was when it asked) neither ends the second's claim nor decides: a
    third process claims no digest until the second answers (the admins have lifted the restriction meanwhile),
    and the group gets its digest that day. The late answer cleared the claim, the third process claimed the
    digest of a group still inactive and skipped its day."""
    [group] = chats(store, 1)
    store.set_chat_active(group, False, restricted=True)
    said = {"stalled": Access.RESTRICTED, "newer": Access.FREE}
    asked: list[str] = []
    answer = {name: asyncio.Event() for name in said}

    def asker(name: str) -> Callable[[int], Awaitable[Access | None]]:
        async def ask(chat_id: int) -> Access | None:
            asked.append(name)
            await answer[name].wait()
            return said[name]

        return ask

    reader = Reader()
    stalled, newer, third = (Bot(store, DUE, reader) for _ in range(3))
    first_ask, after_lease = DUE + timedelta(minutes=1), DUE + timedelta(minutes=1) + ASK_LEASE

    async def run() -> None:
        late = asyncio.create_task(stalled.fanout.run(lambda: first_ask, reader.send, ask=asker("stalled")))
        while asked != ["stalled"]:
            await asyncio.sleep(0.01)
        taking_over = asyncio.create_task(newer.fanout.run(lambda: after_lease, reader.send, ask=asker("newer")))
        while asked != ["stalled", "newer"]:
            await asyncio.sleep(0.01)
        answer["stalled"].set()
        await late
        await third.fanout.run(lambda: after_lease, reader.send)
        assert reader.to(group) == [], "a digest was claimed while the newer ask awaited its answer"
        answer["newer"].set()
        await taking_over

    asyncio.run(run())
    assert store.chat_active(group) is True
    assert len(reader.to(group)) == 1


def test_an_ask_read_as_due_is_not_claimed_once_another_process_claimed_the_digest(store: Store) -> None:
    """The due restricted groups are read once, before the write that claims their asks: a group whose digest another
    process claimed in between (without asking: it found the group inactive and moved its due instant on) is not
    claimed for the due instant read, which has passed."""
    [group] = chats(store, 1)
    store.set_chat_active(group, False, restricted=True)
    now = DUE + timedelta(minutes=1)
    with reading(store.engine) as connection:
        due = restricted_due(connection, now)
    assert [chat_id for chat_id, _ in due] == [group]
    Bot(store, DUE, Reader()).tick(now)
    with writing(store.engine) as connection:
        assert claim_asks(connection, due, now, now + ASK_LEASE).chat_ids == []


def test_a_store_made_before_restrictions_were_kept_asks_about_its_inactive_groups_once(url: str) -> None:
    """Migrations 0023 and 0024 on a store whose chats table predates them (made here by dropping the column): a
    group inactive before them may have restricted the bot and lifted it since unheard, and is asked about at its
    next digest time (its digests had stopped until someone wrote there); Telegram's answer sorts it, a removed one
    is never asked again. A private chat cannot restrict the bot: inactive, it blocked it, and it is never asked
    (it wakes as before, when it writes)."""
    old = Store.open(url)
    try:
        [chat] = chats(old, 1)
        group = -1001000
        old.import_chats([(ChatSettings(group, DUE.time(), "UTC", next_due=DUE), ["sport"])], NOON)
        for inactive in (chat, group):
            old.set_chat_active(inactive, False)
        with old.engine.begin() as connection:
            connection.execute(text("DROP INDEX chats_restricted"))
            connection.execute(text("ALTER TABLE chats DROP COLUMN restricted"))
            connection.execute(delete(migrations).where(migrations.c.name.in_(["0023_chat_restrictions", RESTRICTED])))
    finally:
        old.close()
    upgraded = Store.open(url)
    try:
        assert upgraded.pending_migrations() == []
        assert "chats_restricted" in {index["name"] for index in inspect(upgraded.engine).get_indexes("chats")}
        assert upgraded.chat_active(chat) is False and upgraded.restricted_due(DUE) == [group]
        asked: list[int] = []

        async def ask(chat_id: int) -> Access | None:
            asked.append(chat_id)
            return Access.OUT  # the group had removed the bot

        bot = Bot(upgraded, DUE, Reader())
        for minute in range(2):
            asyncio.run(bot.fanout.run(lambda minute=minute: DUE + timedelta(minutes=minute), bot.reader.send, ask=ask))
        assert asked == [group] and upgraded.restricted_due(DUE + timedelta(days=1)) == []
        upgraded.set_chat_active(chat, False, restricted=True)
        assert upgraded.restricted_due(DUE + timedelta(days=1)) == [chat]
    finally:
        upgraded.close()


def test_claims_of_a_live_process_elsewhere_are_left_alone(store: Store) -> None:
    chats(store, 3)
    busy = Worker("elsewhere:8:busy", "elsewhere", 8, NOON, NOON)
    store.beat(busy, DUE, DUE - LIVE_FOR, DUE - timedelta(days=1))
    Deliveries(store).claim_due(DUE, 100, busy.worker_id)
    reader = Reader()
    assert Bot(store, DUE, reader).tick(DUE + timedelta(seconds=10)).taken_over == 0
    assert reader.sent == [] and store.delivery_counts() == {"claimed": 3}


def test_an_orphan_found_too_late_expires_instead_of_being_sent(store: Store) -> None:
    chats(store, 2)
    gone = Worker("elsewhere:9:gone", "elsewhere", 9, NOON, DUE)
    store.beat(gone, DUE, DUE, DUE - timedelta(days=1))
    Deliveries(store).claim_due(DUE, 100, gone.worker_id)
    reader = Reader()
    later = DUE + timedelta(days=1) - timedelta(minutes=1)  # past the grace and the day's end: no longer owed
    Bot(store, later, reader).tick(later)
    assert reader.sent == [] and store.delivery_counts() == {"expired": 2}
    # Nobody got them: the next digests hold their stories.
    assert {s.previous_due for c in (1000, 1001) if (s := store.chat_settings(c))} == {DUE - timedelta(days=1)}


def test_this_process_retakes_its_own_claims_only_when_it_is_not_sending_them(store: Store) -> None:
    chats(store, 2)
    reader = Reader()
    bot = Bot(store, DUE, reader)
    claims = Deliveries(store).claim_due(DUE, 100, bot.presence.worker_id)  # then an exception, say
    bot.fanout.busy.add(claims[0].id)
    report = bot.tick(DUE)
    assert report.taken_over == 1 and [s.chat_id for s in reader.sent] == [claims[1].chat_id]
    bot.fanout.busy.clear()
    assert bot.tick(DUE).taken_over == 1 and len(reader.sent) == 2


def test_presence_counts_live_processes_and_forgets_dead_ones(store: Store) -> None:
    me = Presence.join(store, NOON)
    assert me.beat(NOON) == 1
    other = Worker("elsewhere:1:other", "elsewhere", 1, NOON, NOON)
    store.beat(other, NOON, NOON, NOON - timedelta(days=1))
    assert me.beat(NOON + timedelta(seconds=5)) == 2
    assert me.beat(NOON + LIVE_FOR + timedelta(seconds=1)) == 1  # the other stopped beating
    dead_here = Worker("here:dead", me.me.host, 2**22 + 12345, NOON, NOON)  # a pid no process has
    store.beat(dead_here, NOON + LIVE_FOR, NOON, NOON - timedelta(days=1))
    assert me.beat(NOON + LIVE_FOR + timedelta(seconds=2)) == 1  # same host, pid gone: dead at once
    me.leave()
    later = NOON + LIVE_FOR + timedelta(seconds=3)
    assert Presence.join(store, later).beat(later) == 1


def test_one_chat_with_an_unusable_zone_does_not_stop_the_others(store: Store) -> None:
    store.import_chats(
        [
            (ChatSettings(1, DUE.time(), "Mars/Olympus_Mons", next_due=DUE), ["sport"]),
            (ChatSettings(2, DUE.time(), "UTC", next_due=DUE), ["sport"]),
        ],
        NOON,
    )
    assert [d.chat_id for d in Deliveries(store).claim_due(DUE, 10, "test")] == [2]
    broken = store.chat_settings(1)
    assert broken is not None and broken.next_due is None  # off until the chat sets a zone again


def test_finished_deliveries_are_forgotten_after_a_month(store: Store) -> None:
    chats(store, 2)
    reader = Reader()
    bot = Bot(store, DUE, reader)
    bot.tick(DUE)
    assert store.delivery_counts() == {"sent": 2}
    bot.tick(DUE + timedelta(days=29))
    assert store.delivery_counts()["sent"] == 2 + 2  # today's two, and the month-old ones still there
    bot.tick(DUE + timedelta(days=31))
    assert store.delivery_counts() == {"sent": 2 + 2}  # the 29th day's and the 31st's; the first day's are gone


def test_a_digest_the_chat_never_got_leaves_its_window_to_the_next(store: Store) -> None:
    """Refused (the chat blocked or restricted the bot) or expired unsent, a digest reached no one: the chat's next
    digest starts where that one's window began, so its stories are not lost. Sent, silent (nothing to say) or
    ambiguous (it may have arrived) move the window on."""
    ids = chats(store, 4)
    deliveries = Deliveries(store)
    claims = {claim.chat_id: claim for claim in deliveries.claim_due(DUE, 100, "here")}
    outcomes = [
        Outcome.failed("Forbidden: bot was blocked by the user", blocked=True),
        Outcome.sent(),
        Outcome.ambiguous("timed out"),
        Outcome("silent"),
    ]
    for chat, outcome in zip(ids, outcomes, strict=True):
        assert deliveries.record(claims[chat], outcome, "here", DUE)
    first_window = DUE - timedelta(days=1)
    assert [claims[chat].window_start for chat in ids] == [first_window] * 4
    starts = [settings.previous_due for chat in ids if (settings := store.chat_settings(chat)) is not None]
    assert starts == [first_window, DUE, DUE, DUE]


def test_a_rest_button_is_known_as_an_alerts_by_the_chats_deliveries_to_the_instant(store: Store) -> None:
    """`Store.sent_as_alert` on both stores: a window ending one instant (a microsecond) after its last story's
    arrival is an alert's if the chat had an alert claimed from that arrival until the message went, and no digest
    due at the window's end; an alert claimed one instant earlier, after the message, or to another chat does not
    count. On PostgreSQL the instants are timestamptz compared in the database, on SQLite strings."""
    chat, other = 7001, 7002
    last = NOON + timedelta(minutes=5, microseconds=250)
    end, sent = last + ONE_INSTANT, last + timedelta(seconds=3)
    claims = [
        Claim(ALERT, chat, "batch-2", last),  # claimed at its last story's arrival: the earliest an alert can be
        Claim(ALERT, other, "batch-9", last - ONE_INSTANT),
        Claim(ALERT, other, "batch-10", sent + ONE_INSTANT),
    ]
    with writing(store.engine) as connection:
        insert_claims(connection, claims, "w1", NOON)
    assert store.sent_as_alert(chat, end, sent) is True
    assert store.sent_as_alert(chat, end, last - ONE_INSTANT) is False  # the message went before the claim
    assert store.sent_as_alert(chat, end - ONE_INSTANT, sent) is True
    assert store.sent_as_alert(chat, end + ONE_INSTANT, sent) is False  # claimed an instant before the arrival
    assert store.sent_as_alert(other, end, sent) is False  # one claimed an instant early, one after the message
    # A digest due at the window's end is the digest's button, whatever alerts the chat had.
    with writing(store.engine) as connection:
        insert_claims(connection, [Claim(DIGEST, chat, "2026-03-26 UTC", end)], "w1", NOON)
    assert store.sent_as_alert(chat, end, sent) is False
    assert store.sent_as_alert(chat, end - ONE_INSTANT, sent) is True
