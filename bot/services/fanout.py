"""Fan-out: send what the bot owes (digests due, alerts, claims of processes that died) within this process's
share of the flood budget, recording every outcome. The Telegram layer's job calls `FanOut.run` every minute
with one `send` coroutine (chat id, messages and forum topic in, an `Outcome` out); nothing here imports Telegram.

One run: beat (and learn how many processes share the budget), forget deliveries finished a month ago, settle
orphaned claims (bot.services.deliveries) and send those taken over, wake the due groups that only restricted the
bot if Telegram (`ask`) says it may write there again, then claim due digests `batch` at a time and
send each batch before claiming the next (so other processes claiming at the same minute share the work), then
alerts the same way, then the alerts held for their chats' pace that are due. A send that finds a group's forum
topic gone forgets the topic and claims a notice telling the group in one transaction, then sends the notice like
any delivery (a process killed in between leaves it claimed, never attempted: the next run takes it over).

Contents are built once per distinct (categories, window) for digests and once per distinct set of stories for
alerts, and rendered once each per time zone their chats read dates in: the chats of one batch that share a key
and a zone share its messages.

Sends go in groups of `concurrency`: a group is stamped as attempted in one transaction, its sends run together
(each paced by the fan-out token bucket), each outcome is recorded as soon as it is known. A kill -9 therefore
loses at most one group: `concurrency` sends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from enum import Enum
from typing import NamedTuple, Protocol

from bot.models import Digest, Rest
from bot.render.digests import late_note
from bot.render.split import with_note
from bot.render.subscriptions import TOPIC_GONE
from bot.services.alerts import Alerts
from bot.services.budget import FloodBudget, TokenBucket
from bot.services.deliveries import (
    ALERT,
    AMBIGUOUS,
    DEFAULT_ALERT_PACE,
    DEFAULT_GRACE,
    DIGEST,
    SILENT,
    Deliveries,
    Outcome,
)
from bot.services.digests import DigestKey, Digests, key_of
from bot.services.presence import Presence
from bot.services.schedule import Window, zone
from bot.store import Delivery, Store

log = logging.getLogger(__name__)

# A delivery's messages to a chat, in its forum topic (None: General), of its kind (an alert has a button to stop
# them under its last message), with a button there for each category's stories it counted and did not show.
Send = Callable[[int, Sequence[str], int | None, str, Sequence[Rest]], Awaitable[Outcome]]

# What each notice says, by the subject of its key ("topic-gone:5").
NOTICES = {"topic-gone": TOPIC_GONE}


def notice_text(key: str) -> list[str] | None:
    """A notice's message (None for one this version does not know: recorded as nothing to say)."""
    text = NOTICES.get(key.partition(":")[0])
    return None if text is None else [text]


class Outgoing(NamedTuple):
    """A delivery's messages and the buttons for the rest of its categories' stories (`Digest.rests`)."""

    messages: list[str]
    rests: tuple[Rest, ...] = ()


class Render(Protocol):
    """A digest or alert as messages, dated in `zone` (None: nothing to send)."""

    def __call__(self, digest: Digest, *, zone: tzinfo) -> list[str] | None: ...


def outgoing(digest: Digest, render: Render, zone_key: str) -> Outgoing | None:
    """A digest or alert rendered in a zone, with its buttons (None: nothing to send)."""
    messages = render(digest, zone=zone(zone_key))
    return None if messages is None else Outgoing(messages, digest.rests)


def carried_by(alert: Outgoing, delivery: int) -> Outgoing:
    """An alert as its delivery to one chat sends it: its rests' buttons send the stories it carried there
    (`Rest.delivery`), where chats following the same categories share its text."""
    return alert._replace(rests=tuple(replace(rest, delivery=delivery) for rest in alert.rests))


class Access(Enum):
    """What Telegram says, asked, of the bot in a group that restricted it."""

    FREE = "free"  # it may write there again
    RESTRICTED = "restricted"  # still: asked again at the next due time
    OUT = "out"  # removed, or the group is gone: never asked again (it wakes when someone adds it back)


# What Telegram says of the bot in a chat now (None: it could not tell).
Ask = Callable[[int], Awaitable[Access | None]]
Clock = Callable[[], datetime]
Stopping = Callable[[], bool]

# Sends in flight at once per process: enough to keep the fan-out budget busy at Telegram's latency (20 a second
# at 0.3 s each needs 6), and the most a kill -9 can lose.
CONCURRENCY = 8
# How long a process asking Telegram about restricted chats holds the ask (and their digests wait for its answer):
# getChatMember answers in well under a second; a process that died asking leaves it to another after this.
ASK_LEASE = timedelta(minutes=2)
# A digest sent this long after its time says so (the fan-out runs a second after the minute turns; a start after
# an outage sends what fell due meanwhile).
LATE = timedelta(minutes=10)
# Digests claimed per transaction.
BATCH = 200
DEFAULT_BUDGET = FloodBudget()


@dataclass
class Report:
    """What one run did."""

    taken_over: int = 0
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    # Texts rendered (one per distinct digest or alert content).
    rendered: int = 0
    # Claims lost to another process while this one held them (it stalled and was thought dead).
    lost: int = 0

    def count(self, status: str, number: int = 1) -> None:
        self.outcomes[status] = self.outcomes.get(status, 0) + number


class FanOut:
    """Delivers digests and alerts for one process."""

    def __init__(
        self,
        store: Store,
        presence: Presence,
        render_digest: Render,
        render_alert: Render,
        budget: FloodBudget = DEFAULT_BUDGET,
        grace: timedelta = DEFAULT_GRACE,
        alert_pace: timedelta = DEFAULT_ALERT_PACE,
        concurrency: int = CONCURRENCY,
        batch: int = BATCH,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        default_zone: str = "UTC",
    ) -> None:
        self.store = store
        self.presence = presence
        self.render_digest = render_digest
        self.render_alert = render_alert
        self.budget = budget
        self.deliveries = Deliveries(store, grace)
        self.digests = Digests(store)
        self.alerts = Alerts(store, grace, pace=alert_pace)
        self.concurrency = concurrency
        self.batch = batch
        self.monotonic = monotonic
        self.sleep = sleep
        self.default_zone = default_zone
        self.bucket = TokenBucket(budget.share(1).fanout, burst=concurrency, now=monotonic())
        # Claims this process is sending right now: never taken for orphans by its own recovery.
        self.busy: set[int] = set()
        # Digests rendered during the current run: (empty, messages and buttons) by content and zone key.
        self.rendered: dict[tuple[DigestKey, str], tuple[bool, Outgoing | None]] = {}

    @property
    def worker(self) -> str:
        return self.presence.worker_id

    async def run(self, clock: Clock, send: Send, stopping: Stopping = lambda: False, ask: Ask | None = None) -> Report:
        """One tick of the scheduler: everything owed now is sent (or recorded as not sendable).

        `stopping` is asked before each group of sends: once it says True (the process is shutting down) the run
        returns after the group in flight; what it claimed and did not start stays claimed, never attempted, and
        is taken over and sent by the next process to run (bot.services.deliveries). `ask` wakes the groups that
        restricted the bot, when their digest is due, if it may write there again (`lift_restrictions`).
        """
        report = Report()
        self.rendered.clear()
        live = await asyncio.to_thread(self.presence.beat, clock())
        self.bucket.set_rate(self.budget.share(live).fanout, self.monotonic())
        await asyncio.to_thread(self.deliveries.prune, clock())
        recovery = await asyncio.to_thread(self.deliveries.recover, clock(), self.presence, frozenset(self.busy))
        report.taken_over = len(recovery.taken)
        for status, number in recovery.closed.items():
            report.count(status, number)
        await self.deliver(recovery.taken, clock, send, report, stopping)
        if ask is not None:
            await self.lift_restrictions(clock(), ask)
        while not stopping() and (
            claims := await asyncio.to_thread(self.deliveries.claim_due, clock(), self.batch, self.worker)
        ):
            report.claimed += len(claims)
            await self.deliver(claims, clock, send, report, stopping)
        while not stopping():
            claims, taken = await asyncio.to_thread(self.alerts.claim, clock(), self.worker)
            if not taken:
                break
            report.claimed += len(claims)
            await self.deliver(claims, clock, send, report, stopping)
        # After the log's stretches: a held alert due now goes out with the stories they added to it.
        if not stopping() and (held := await asyncio.to_thread(self.alerts.release, clock(), self.worker)):
            report.claimed += len(held)
            await self.deliver(held, clock, send, report, stopping)
        return report

    async def lift_restrictions(self, now: datetime, ask: Ask) -> list[int]:
        """Make active again the groups whose digest is due that are inactive only because an admin restricted the
        bot, if Telegram says it may write there now: an admin may lift a restriction without Telegram telling the
        bot, and the group would get nothing until someone wrote in it. Asked once per due time, by one process:
        the ask is claimed in the store (`ASK_LEASE`), and no process claims the group's digest until the answer
        is in (then the claim moves the due instant on, whatever it finds); never per story; a chat that blocked
        or removed the bot is never asked, nor, once Telegram answered that the bot is out of it, one removed
        unheard. Returns the chats woken."""
        asks = await asyncio.to_thread(self.store.claim_restriction_asks, now, now + ASK_LEASE)
        restricted = asks.chat_ids
        answers: list[Access | None] = []
        for begin in range(0, len(restricted), self.concurrency):
            answers += await asyncio.gather(*(ask(c) for c in restricted[begin : begin + self.concurrency]))
        said = dict(zip(restricted, answers, strict=True))
        free = [chat_id for chat_id, access in said.items() if access is Access.FREE]
        out = [chat_id for chat_id, access in said.items() if access is Access.OUT]
        lifted = await asyncio.to_thread(self.store.lift_restrictions, free, now, out, asks)
        if restricted:
            log.info(
                "%d restricted chats due: %d may be written to again, %d removed the bot",
                len(restricted),
                len(lifted),
                len(out),
            )
        return lifted

    async def deliver(
        self, claims: Sequence[Delivery], clock: Clock, send: Send, report: Report, stopping: Stopping = lambda: False
    ) -> None:
        """Send claimed deliveries in groups and record each outcome (until `stopping` says True)."""
        if not claims:
            return
        texts = await asyncio.to_thread(self.texts, claims, report, clock())
        quiet = [d for d in claims if texts[d.id] is None]
        for delivery in quiet:
            await self._record(delivery, Outcome(SILENT, "nothing to say"), clock, report)
        loud = [d for d in claims if texts[d.id] is not None]
        for begin in range(0, len(loud), self.concurrency):
            if stopping():
                return
            group = loud[begin : begin + self.concurrency]
            ids = [d.id for d in group]
            self.busy.update(ids)
            try:
                started = set(await asyncio.to_thread(self.deliveries.start, ids, self.worker, clock()))
                report.lost += len(group) - len(started)
                notices = await asyncio.gather(
                    *(self._send(d, texts[d.id] or Outgoing([]), clock, send, report) for d in group if d.id in started)
                )
            finally:
                self.busy.difference_update(ids)
            # After the whole group: a digest and an alert that found the topic gone together are both in General
            # before the group reads why they came there.
            await self.deliver([notice for notice in notices if notice is not None], clock, send, report)

    def texts(self, claims: Sequence[Delivery], report: Report, now: datetime) -> dict[int, Outgoing | None]:
        """Each claim's messages and buttons (None: nothing to send), built and rendered once per distinct content;
        a digest sent more than `LATE` after its time says so."""
        digest_keys = {
            d.id: key_of(d.categories, Window(d.window_start or d.due, d.due)) for d in claims if d.kind == DIGEST
        }
        # A run claims in batches: the chats of later batches due at the same instant share the texts built for the
        # first (a window ends in the past, so what it holds cannot change during the run).
        cache = self.rendered
        zones = {d.id: d.zone or self.default_zone for d in claims}
        wanted = {(digest_keys[i], zones[i]) for i in digest_keys} - cache.keys()
        digests = self.digests.build(key for key, _ in wanted)
        cache.update({(k, z): (digests[k].empty, outgoing(digests[k], self.render_digest, z)) for k, z in wanted})
        alerts = self.alerts.build(d.articles for d in claims if d.kind == ALERT)
        # A held alert (`hold_alerts` dated its hold) says so, with the pace it waited for, and since when as of now
        # (its window ends as it goes: one held from 23:40 and sent after midnight names the day before).
        paced = {d.id: self.alerts.pace if d.window_start else None for d in claims}
        told = {(d.articles, zones[d.id], paced[d.id]) for d in claims if d.kind == ALERT and d.articles in alerts}
        rendered_alerts = {
            (a, z, p): outgoing(replace(alerts[a], paced=p, end=now) if p else alerts[a], self.render_alert, z)
            for a, z, p in told
        }
        report.rendered += len(wanted) + len(rendered_alerts)
        texts: dict[int, Outgoing | None] = {}
        for delivery in claims:
            if delivery.kind == DIGEST:
                empty, rendered = cache[digest_keys[delivery.id], zones[delivery.id]]
                if rendered is not None and now - delivery.due > LATE:
                    note = late_note(delivery.due, zone(zones[delivery.id]))
                    rendered = rendered._replace(messages=with_note(rendered.messages, note))
                texts[delivery.id] = None if empty and not delivery.empty_notice else rendered
            elif delivery.kind == ALERT:
                rendered = rendered_alerts.get((delivery.articles, zones[delivery.id], paced[delivery.id]))
                texts[delivery.id] = rendered and carried_by(rendered, delivery.id)
            else:
                notice = notice_text(delivery.key)
                texts[delivery.id] = None if notice is None else Outgoing(notice)
        return texts

    async def _send(
        self, delivery: Delivery, outgoing: Outgoing, clock: Clock, send: Send, report: Report
    ) -> Delivery | None:
        """Send one delivery and record its outcome; returns the notice it owes the chat, if any (claimed already)."""
        await self.sleep(self.bucket.reserve(self.monotonic(), len(outgoing.messages)))
        chat_id = delivery.chat_id
        outcome = await self._attempt(chat_id, outgoing, delivery, send)
        if outcome.migrated_to is not None:
            # The chat's settings and this claim move, and what did not reach the old id goes there.
            await asyncio.to_thread(self.store.migrate_chat, chat_id, outcome.migrated_to, clock())
            chat_id = outcome.migrated_to
            rest = outgoing._replace(messages=outgoing.messages[outcome.migrated_after :])
            outcome = await self._attempt(chat_id, rest, delivery, send)
        await self._record(delivery, outcome, clock, report)
        if outcome.topic_gone is None:
            return None
        # The group is told, in General, that its topic is gone by the one send that forgot it: a digest and an
        # alert (or two processes) finding it gone together tell it once. The notice is claimed as the topic is
        # forgotten and sent as a delivery: a process that dies in between leaves it to be taken over, not lost.
        return await asyncio.to_thread(self.deliveries.forget_topic, chat_id, outcome.topic_gone, self.worker, clock())

    async def _attempt(self, chat_id: int, outgoing: Outgoing, delivery: Delivery, send: Send) -> Outcome:
        try:
            return await send(chat_id, outgoing.messages, delivery.topic, delivery.kind, outgoing.rests)
        except Exception as error:  # the sender should classify everything; whatever escapes it may have gone out
            log.exception("sending to chat %d failed unexpectedly", chat_id)
            return Outcome(AMBIGUOUS, f"{type(error).__name__}: {error}"[:500])

    async def _record(self, delivery: Delivery, outcome: Outcome, clock: Clock, report: Report) -> None:
        if await asyncio.to_thread(self.deliveries.record, delivery, outcome, self.worker, clock()):
            report.count(outcome.status)
        else:
            report.lost += 1
