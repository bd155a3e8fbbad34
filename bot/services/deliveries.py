"""The scheduler's memory is the database: which digests are due, who claimed them, what became of each send.

Digests. Each chat's next due instant is stored (bot.services.subscriptions computes it with zoneinfo). Every
minute a process calls `claim_due`: one transaction locks the due chats (PostgreSQL: FOR UPDATE SKIP LOCKED, so
processes at the same minute take disjoint chats; SQLite: one writer at a time), applies `schedule.plan` (a
digest missed is sent late while its local day lasts, or at most `grace` late past it; older ones are skipped, never
a burst), inserts a `claimed` delivery keyed
by the chat's local day in its zone (`digest_key`; unique: at most one scheduled digest per local day, whatever
restarts, crashes or processes) and stores the next due instant. It commits before anything is sent.

Sending. Just before a group of sends the sender calls `start`, which stamps the claims as attempted (only claims
the caller still holds come back); after each send, `record` stores its outcome:

- sent: Telegram accepted it;
- silent: an empty digest for a chat that wants no "nothing new" notice;
- failed: Telegram refused it for good (blocked, kicked, chat gone: the chat is also marked inactive and gets
  nothing until it writes again). A digest refused, or expired unsent, reached no one: the chat's next digest
  starts where its window did (`store.chat_settings.reopen`), so its stories are not lost;
- rejected: Telegram refused the text itself (a 400 that is not about the chat: entities it cannot parse, a message
  too long; a bug of ours). Its window is not reopened: the story that broke it would break every next digest
  too, and the chat would get none for the week a window may reach back, where now it misses one;
- ambiguous: the request may have reached Telegram (a network error or timeout after it left). It is never sent
  again: a reader missing one digest is better than a reader getting two, and nothing can tell the two apart.

A kill -9. Claims of a process that is gone (bot.services.presence) are settled by the next `recover`, on start
and on every tick: a claim never attempted was certainly not sent, so a live process takes it over and sends it
(or expires it, if it is now too late: `stale`); a claim attempted but never recorded was in flight when the
process died, and is recorded as ambiguous. So a kill -9 loses at most the sends in flight at that instant,
which is at most the sender's concurrency (the size of the group it starts at once; bot.services.fanout) per
process killed, and duplicates none: every change of a claimed row names its claimer in the WHERE clause, so a
process that stalled and lost its claims can neither start nor record them.

Chats that blocked the bot are skipped at claim time (their due instant still moves on, nothing is owed). A group
that only restricted the bot may lift the restriction without Telegram telling the bot: at its digest's due time,
just before the claim, the fan-out asks Telegram once whether the bot may write there again (bot.services.fanout;
one process asks, having claimed the ask in the store, and the digest is claimed once it answered), and the digest
goes out if it may; if Telegram says the bot is out of it, it is a removed chat from then on. A chat
that blocked or removed the bot is never asked: it wakes when it writes.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.config import DEFAULT_ALERT_PACE_MINUTES, Settings
from bot.errors import NewsbotError
from bot.services.digests import scheduled_window
from bot.services.presence import Presence
from bot.services.schedule import digest_day, plan, still_owed
from bot.store import KEEP, TAKE, Claim, Decision, Delivery, DueChat, Orphan, Recovery, Store, Worker
from bot.store.deliveries import ALERT, AMBIGUOUS, DIGEST, EXPIRED, FAILED, NOTICE, REJECTED, SENT, SILENT

log = logging.getLogger(__name__)

__all__ = [
    "ALERT",
    "AMBIGUOUS",
    "DIGEST",
    "EXPIRED",
    "FAILED",
    "NOTICE",
    "REJECTED",
    "SENT",
    "SILENT",
    "Deliveries",
    "Outcome",
    "decide",
]

# A digest missed while the bot was down is still sent this late (bot.config's digest grace).
DEFAULT_GRACE = timedelta(hours=2)
# The least time between two alerts to one chat (bot.config's DEFAULT_ALERT_PACE_MINUTES).
DEFAULT_ALERT_PACE = timedelta(minutes=DEFAULT_ALERT_PACE_MINUTES)
# Finished deliveries are kept this long (their local days can never come back).
KEEP_FOR = timedelta(days=30)


def grace_of(settings: Settings) -> timedelta:
    """How late a missed digest (or an alert) may still go out."""
    return timedelta(minutes=settings.digest_grace_minutes)


def alert_pace_of(settings: Settings) -> timedelta:
    """The least time between two alerts to one chat (bot.config's alert pace)."""
    return timedelta(minutes=settings.alert_pace_minutes)


@dataclass(frozen=True)
class Outcome:
    """What became of one send, as the Telegram layer saw it."""

    status: str
    detail: str = ""
    # Refused because the chat blocked, removed or restricted the bot: it is marked inactive.
    blocked: bool = False
    # Refused only because an admin restricted the bot (blocked too): asked again at the digest's due time.
    restricted: bool = False
    # The group became a supergroup with this id: the messages from `migrated_after` on are sent again there.
    migrated_to: int | None = None
    # How many of the messages reached the group before it migrated (they stay in its history, which the supergroup
    # shows above its own).
    migrated_after: int = 0
    # The forum topic the chat chose was refused as deleted or closed (the messages went to General instead).
    topic_gone: int | None = None

    @classmethod
    def sent(cls) -> Outcome:
        return cls(SENT)

    @classmethod
    def failed(cls, detail: str, blocked: bool = False, restricted: bool = False) -> Outcome:
        return cls(FAILED, detail, blocked or restricted, restricted=restricted)

    @classmethod
    def rejected(cls, detail: str) -> Outcome:
        return cls(REJECTED, detail)

    @classmethod
    def ambiguous(cls, detail: str) -> Outcome:
        return cls(AMBIGUOUS, detail)

    @classmethod
    def migrated(cls, new_chat_id: int, delivered: int = 0) -> Outcome:
        return cls(FAILED, f"migrated to {new_chat_id}", migrated_to=new_chat_id, migrated_after=delivered)


def digest_key(due: datetime, daily: time, zone_key: str) -> str:
    """What a scheduled digest is claimed under: its local day (`schedule.digest_day`), in the zone whose calendar
    it is of ("2026-03-27 UTC-12:00"). A date alone named two days: a reader who moved 12 h west after 27 March's
    08:00 digest (UTC) had the new zone's 27 March taken as done by that digest, and none till the 28th's, 36 h on
    (the schedule keeps one digest a day on the new zone's calendar: `schedule.next_digest`)."""
    return key_of_day(digest_day(due, daily, zone_key), zone_key)


def key_of_day(day: date, zone_key: str) -> str:
    """A digest's key of its local day in `zone_key`'s calendar (`digest_key`)."""
    return f"{day.isoformat()} {zone_key}"


def decide(due: DueChat, now: datetime, grace: timedelta) -> Decision:
    """What to claim for a chat whose digest is due, and when it is due next (the rules of schedule.plan)."""
    settings = due.settings
    try:
        planned = plan(settings.daily, settings.zone, now, settings.previous_due, grace)
        if planned.send is None or not due.active:
            return Decision(planned.next)
        window = scheduled_window(planned.send, settings.previous_due, due.subscribed)
        day = digest_day(planned.send, settings.daily, settings.zone)
    except (NewsbotError, ValueError) as error:
        # One chat's unusable settings (a zone gone from this machine's tz database, say) must not abort the
        # transaction that claims everyone's digests: its digest stops until the chat sets it again.
        log.warning("digest of chat %d is off: %s", settings.chat_id, error)
        return Decision(None)
    key = key_of_day(day, settings.zone)
    return Decision(
        planned.next, Claim(DIGEST, settings.chat_id, key, planned.send, window.start, day=day, zone=settings.zone)
    )


def stale(orphan: Orphan, now: datetime, grace: timedelta) -> bool:
    """Whether a claim nobody sent is too late to send now: a notice never is ("your topic is gone" is as true
    hours late), a digest once it is no longer owed as a missed one would be (`schedule.still_owed`: its local
    day, stored with it, is over and it is more than `grace` late), an alert past `grace`."""
    if orphan.kind == NOTICE:
        return False
    if orphan.kind == DIGEST and orphan.day is not None and orphan.zone is not None:
        return not still_owed(orphan.due, orphan.day, orphan.zone, now, grace)
    return now - orphan.due > grace


class Deliveries:
    """Claims, outcomes and recovery, on the store."""

    def __init__(self, store: Store, grace: timedelta = DEFAULT_GRACE) -> None:
        self.store = store
        self.grace = grace

    def claim_due(self, now: datetime, limit: int, worker: str) -> list[Delivery]:
        """Claim up to `limit` due digests for `worker`, committed before anything is sent."""
        return self.store.claim_digests(now, limit, worker, lambda due: decide(due, now, self.grace))

    def start(self, ids: Sequence[int], worker: str, now: datetime) -> list[int]:
        """Stamp claims as attempted just before sending them; send only the ids returned."""
        return self.store.start_deliveries(ids, worker, now)

    def record(self, delivery: Delivery, outcome: Outcome, worker: str, now: datetime) -> bool:
        """Store what became of a send (a blocked chat is marked inactive); False if `worker` lost the claim."""
        recorded = self.store.record_delivery(
            delivery.id, worker, outcome.status, outcome.detail, now, outcome.blocked, outcome.restricted
        )
        if not recorded:
            log.warning(
                "delivery %d to chat %d was taken over before its outcome was recorded", delivery.id, delivery.chat_id
            )
        return recorded

    def forget_topic(self, chat_id: int, topic: int, worker: str, now: datetime) -> Delivery | None:
        """Forget the forum topic a send found deleted or closed (tried first by every digest and alert until then),
        unless the chat chose another meanwhile, and claim the notice telling the group, for `worker`. Only the one
        call that forgot it gets the notice: sends that found it gone at the same time, in this process or another,
        tell the group once between them. The notice is claimed with the change, like a digest, so a process that
        dies before sending it leaves it to the next one (`recover`) instead of losing it."""
        notice = Claim(NOTICE, chat_id, f"topic-gone:{topic}", now)
        return self.store.forget_topic(chat_id, topic, notice, worker, now)

    def recover(
        self,
        now: datetime,
        presence: Presence,
        busy: Collection[int] = (),
        kinds: Sequence[str] = (DIGEST, ALERT, NOTICE),
    ) -> Recovery:
        """Settle claims nobody will finish: those of processes that are gone, and this process's own that it is
        not working on (`busy`: the ids it is sending now). Returns the claims taken over, to be sent."""

        def verdict(orphan: Orphan, claimer: Worker | None) -> str:
            mine = orphan.claimed_by == presence.worker_id
            if (mine and orphan.id in busy) or (not mine and presence.alive(claimer, now)):
                return KEEP
            if orphan.attempted:
                return AMBIGUOUS
            return EXPIRED if stale(orphan, now, self.grace) else TAKE

        recovery = self.store.recover_deliveries(now, presence.worker_id, kinds, verdict)
        if recovery.taken or recovery.closed:
            log.info("took over %d unsent deliveries%s", len(recovery.taken), _closed(recovery.closed))
        return recovery

    def prune(self, now: datetime) -> int:
        return self.store.prune_deliveries(now - KEEP_FOR)


# What an operator reads of the claims a recovery closed: "closed {'ambiguous': 6}" did not say that those six chats
# get no digest or alert, nor why.
_CLOSED = {
    AMBIGUOUS: "in doubt (their sender stopped while sending them: they may have arrived)",
    EXPIRED: "too late (past their time while no process sent them)",
}


def _closed(closed: dict[str, int]) -> str:
    """The claims a recovery closed, by why, as not sent: "" when none."""
    if not closed:
        return ""
    said = ", ".join(f"{count} {_CLOSED.get(status, status)}" for status, count in sorted(closed.items()))
    return f"; not sending {said}"
