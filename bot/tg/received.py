"""Questions a bot killed mid-answer had received are answered when a bot starts again.

python-telegram-bot 22's Updater puts the updates a getUpdates call returned on the update queue and at once asks for
the next ones with an offset past them, which tells Telegram to forget them, before they are handled; a webhook answers
Telegram as soon as the update is queued. A process killed while handling them (kill -9, out of memory, power lost) lost
them. Here each update is recorded in the store while it is put on the queue (the Updater waits for that before it moves
the offset on; the webhook, before it answers) and marked handled after; a start takes over the unhandled updates of
processes that are gone (bot.services.presence) and handles them first. A mark the store does not take (another process
holding its lock through a stop) waits in the data directory for the next start (bot.services.waiting_marks). An update
Telegram delivers again (a process killed between recording and confirming it) is known by its id and handled once. An
update the store does not record in time (its write lock held) is kept there too before Telegram is told of it, and
recorded once the store takes writes, by this process or the next start: only a recorded update can be taken over, and
a kill lost the questions that were in memory alone (bench/soak.py: 34-45 of 130). One so kept is handled once its
record lands, if it does within seconds, and not at all if that record finds another process's: Telegram gave it to
both (two processes polling one token, a webhook's delivery again), and the one whose record the store took first
handles it (ops75: each answered what it kept, a reader got two answers). Records have a thread of their own, so an
answer, the vectors or another process's articles being followed take none they wait for. What
cannot be known: a reply Telegram accepted just before the kill is sent again (the Bot API takes no key to make a send
happen once). What an update's handling claims in the store names the update (a full article's send, bot.store.sends),
so that the same update handled again takes its claim again, not as done by another. The record keeps the update's chat,
so that processes sharing a webhook handle a chat's updates in order (`Journal.turn`), as one process does
(bot.tg.order).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application

from bot.errors import NewsbotError
from bot.lasting import Lasting
from bot.services.presence import Presence
from bot.services.waiting_marks import Waiting, WaitingMarks
from bot.store import Received, Store, Worker, answering
from bot.tg.troubles import Troubles

log = logging.getLogger(__name__)

# Recording an update waits at most this long: a store out of reach or locked by another process delays no
# answer (the update is handled, kept in the data directory meanwhile); after such a failure updates go unrecorded
# this long, and while the record that waited still waits.
RECORD_WAIT_SECONDS = 2.0
UNRECORDED_AFTER_FAILURE_SECONDS = 10.0
# An update held because its record had not landed yet is handled once the record lands, or this long after the update
# came at most (seconds): the record may find another process's, which handles it (`Journal.landed`), and a reader
# waits no longer than a write answering him waits for the store (bot.store.engine.ANSWER_WAIT_SECONDS).
LANDING_WAIT_SECONDS = 5.0
# Recording the updates received, as the store's troubles name what met them.
RECORDING = "record the updates received"
# Telegram keeps an update a day; so are records, so one delivered again within it is known.
KEEP_RECEIVED = timedelta(days=1)
# A chat's update waits at most this long for the chat's earlier ones that another process is handling (one stuck,
# or whose mark as handled waits for the store), looking this often whether they are done.
TURN_WAIT_SECONDS = 60.0
TURN_LOOK_SECONDS = 0.1


def _timestamp(value: object) -> int:
    """A date python-telegram-bot's `to_dict` leaves a datetime, as Telegram writes it: an `InaccessibleMessage`'s
    (a pin of a message the bot cannot see, dated 0) is, and its TypeError ended polling for good."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON")


def _delivered_again(update: Update) -> bool:
    """Say that `update` came again and is not handled again (False: not fresh)."""
    log.info("update %d was delivered again; it is handled once", update.update_id)
    return False


class Journal:
    """This process's record of the updates it receives and handles."""

    def __init__(
        self,
        store: Store,
        bot_id: int,
        presence: Presence,
        clock: Callable[[], datetime],
        waiting: WaitingMarks,
        troubles: Troubles,
    ) -> None:
        """`troubles`: the bot's, which say the store out of reach and the store failing (a full or read-only disk)
        as its jobs meet them too (one trouble each, said once)."""
        self.store = store
        self.bot_id = bot_id
        self.presence = presence
        self.clock = clock
        # What waits for the store, as the data directory keeps it (`_kept`: this process's file is there).
        self.waiting = waiting
        self._kept = False
        # The data directory not taking it (a read-only disk) was said once per update handled.
        self._unkept = Lasting(
            log,
            f"cannot keep the updates waiting for the store in {waiting.directory}",
            ": a stop before the store takes them loses those unrecorded, leaves those handled to be handled again",
            f"the updates waiting for the store can be kept in {waiting.directory} again",
        )
        self.troubles = troubles
        # The store answering no record in time (another process holding its write lock), named with RECORDING.
        self._unrecorded = Lasting(
            log,
            "updates go unrecorded",
            f"; they wait in {waiting.directory} for the store",
            "recording the updates received again",
        )
        self._recorded: set[int] = set()
        # Marks of handled updates, and updates received, that wait for the store (these as their process received
        # them: this one, or one now gone whose file was taken over).
        self._unmarked: list[Received] = []
        self._held: list[Received] = []
        # Writing them to the store (a write that may wait for its lock), and changing them with their file (never
        # held over a store's write: a poll waits for it).
        self._settling = threading.Lock()
        self._keeping = threading.Lock()
        self._unrecorded_until = float("-inf")
        self._late: asyncio.Future[bool] | None = None
        # Records on a thread of their own: on the loop's shared threads they queued behind answers, the vectors' and
        # the followed articles' work, and one waited past RECORD_WAIT_SECONDS though the store was answering (ops75).
        # One thread: while a record waits for the store, no other is tried (`unwritable`).
        self._recorder = ThreadPoolExecutor(1, thread_name_prefix="newsbot-record")
        # Updates held while their record was on its way: the record, and until when their handling waits for it.
        self._landing: dict[int, tuple[asyncio.Future[bool], float]] = {}

    def _row(self, update: Update) -> Received:
        chat = update.effective_chat
        return Received(
            update.update_id,
            json.dumps(update.to_dict(), default=_timestamp),
            self.presence.worker_id,
            chat.id if chat else None,
        )

    @property
    def unwritable(self) -> bool:
        """Whether the store was found lately to take no writes in time (out of reach, or another process holding its
        write lock): updates go unrecorded for now, and writes an answer can go without are better not tried."""
        return time.monotonic() < self._unrecorded_until or (self._late is not None and not self._late.done())

    async def received(self, update: Update) -> bool:
        """Record `update` as received; False if it was already (it is not handled again)."""
        if update.update_id in self._recorded:
            # Delivered again while this process handles it: the copy must leave the first's mark to come.
            return _delivered_again(update)
        if self.unwritable:
            return await self._hold(update)
        self._recorded.add(update.update_id)
        # A bare future, not a task: one still waiting for the store when the bot stops is no pending task.
        now, began = self.clock(), time.monotonic()
        record = asyncio.get_running_loop().run_in_executor(
            self._recorder, self.store.receive_update, self.bot_id, self._row(update), now, self._gone_at(now)
        )
        done, _ = await asyncio.wait({record}, timeout=RECORD_WAIT_SECONDS)
        if not done:
            # Still waiting for the store: no other record is tried until it ends (no thread more to wait).
            record.add_done_callback(lambda late: self._landed_late(late, began))
            self._late = record
            self._landing[update.update_id] = (record, began + LANDING_WAIT_SECONDS)
            self._failed(f"no answer within {RECORD_WAIT_SECONDS:g} s")
            return await self._hold(update)
        try:
            fresh = record.result()
        except NewsbotError as exc:
            self._failed(exc)
            return await self._hold(update)
        self._worked(began)
        if not fresh:
            self._recorded.discard(update.update_id)
            return _delivered_again(update)
        return True

    def _landed_late(self, record: asyncio.Future[bool], began: float) -> None:
        """A record that waited past RECORD_WAIT_SECONDS ended: if the store took it, updates are recorded again from
        now, not held for the rest of UNRECORDED_AFTER_FAILURE_SECONDS (each held one may be another process's too,
        which the store alone can tell)."""
        if record.cancelled() or record.exception() is not None:
            return
        self._unrecorded_until = float("-inf")
        self._worked(began)

    async def landed(self, update: Update) -> bool:
        """Whether this process handles `update`. One held while its record was on its way waits for that record,
        until LANDING_WAIT_SECONDS after it came: Telegram may have given it to another process too (a poll of the
        token's conflict, a webhook's delivery again), whose record landed first, and that process handles it. One
        whose record is still on its way then, or failed, is handled here: the store held up or out of reach, the
        reader is answered without it (and, if another process could record it meanwhile, answered twice)."""
        landing = self._landing.pop(update.update_id, None)
        if landing is None:
            return True
        record, until = landing
        done, _ = await asyncio.wait({record}, timeout=max(until - time.monotonic(), 0))
        if not done or record.cancelled() or record.exception() is not None or record.result():
            return True
        log.info("update %d was recorded by another process first, which handles it", update.update_id)
        self._recorded.discard(update.update_id)
        await asyncio.to_thread(self._change, lambda: self._unhold(update.update_id))
        return False

    def _unhold(self, update_id: int) -> int:
        """Drop the update `update_id` from those held (`_keeping` held); how many are left."""
        self._held = [row for row in self._held if row.update_id != update_id]
        return len(self._held)

    async def _hold(self, update: Update) -> bool:
        """Keep `update`, which the store did not record in time, in the data directory before it is queued (and
        Telegram told of it by the next poll's offset): a kill before its answer leaves it to the next start."""
        self._recorded.add(update.update_id)
        row = self._row(update)
        await asyncio.to_thread(self._change, lambda: self._held.append(row))
        return True

    def _change(self, change: Callable[[], object]) -> None:
        """Change what waits for the store, and its file with it (in a worker thread)."""
        with self._keeping:
            change()
            self._write_kept()

    def _gone_at(self, now: datetime) -> Callable[[Worker | None], bool]:
        """Whether a process that recorded updates is gone at `now` (stopped, killed, or silent too long)."""
        return lambda worker: not self.presence.alive(worker, now)

    def _failed(self, error: object) -> None:
        self.troubles.failed(RECORDING, error, self._unrecorded)
        self._unrecorded_until = time.monotonic() + UNRECORDED_AFTER_FAILURE_SECONDS

    def _worked(self, began: float) -> None:
        self.troubles.worked(RECORDING, began, own=self._unrecorded)

    async def turn(self, update: Update, handle: Callable[[Update], Awaitable[object]]) -> None:
        """Wait while another running process handles an earlier update of this update's chat, as a chat's updates
        wait in one process (bot.tg.order). Several processes behind one webhook: Telegram sends a chat's next
        update once the last is answered, which the webhook does once it is recorded, not handled.

        Earlier ones a process now gone left unhandled are taken over and handled first, with `handle`: left to the
        next beat's take-over, they were answered after this one, seconds later. A beat leaves them to this turn
        (bot.store.received.take_unhandled), as it queued them behind this update."""
        if update.update_id not in self._recorded or update.effective_chat is None:
            return
        row, deadline = self._row(update), time.monotonic() + TURN_WAIT_SECONDS
        while not self.unwritable:
            now = self.clock()
            try:
                holders = await asyncio.to_thread(
                    self.store.update_holders_before, self.bot_id, row, now - KEEP_RECEIVED
                )
                # Only once no live process holds any: one that does may be waiting for them itself.
                gone = bool(holders) and not any(self.presence.alive(holder, now) for holder in holders)
                taken = await asyncio.to_thread(self.take_unhandled, update.get_bot(), update) if gone else []
            except NewsbotError as exc:
                log.info("update %d is handled without waiting for its chat's earlier ones: %s", row.update_id, exc)
                return
            if not holders:
                return
            for earlier in taken:
                log.info("update %d, which a stopped process had received, is handled first", earlier.update_id)
                await handle(earlier)
            if taken:
                continue  # another process may have taken some of them meanwhile
            if time.monotonic() >= deadline:
                log.warning(
                    "update %d is handled before its chat's earlier ones: another process has not handled them in %g s",
                    row.update_id,
                    TURN_WAIT_SECONDS,
                )
                return
            await asyncio.sleep(TURN_LOOK_SECONDS)

    async def handled(self, update: Update) -> None:
        """Mark `update` handled (if its record was tried: a record still on its way then lands as handled). In an
        outage the mark waits for `settle`, kept in the data directory meanwhile, so no chat's next update waits for
        the store."""
        if update.update_id not in self._recorded:
            return
        self._recorded.discard(update.update_id)
        # Not while a record still waits for the store: a mark waiting too held up the chat's next update.
        await asyncio.to_thread(self._mark, self._row(update), not self.unwritable)

    def _mark(self, mark: Received, writable: bool) -> None:
        """Add the mark of a handled update, in place of its record if that waits too, then write what waits if the
        store is `writable`, else keep it in the data directory (in a worker thread)."""
        with self._keeping:
            self._unmarked.append(mark)
            # A kill during the store's write then leaves the update's mark, not the update to be handled again.
            held = len(self._held)
            if self._unhold(mark.update_id) < held or not writable:
                self._write_kept()
        if writable:
            self.settle()

    def settle(self) -> None:
        """Mark handled, in one write, what could not be marked before, and record the updates not recorded in time
        (in a worker thread): an update left unmarked would be handled again by the next start, one left unrecorded
        could not be taken over. What the store does not take is kept in the data directory."""
        with self._settling:  # handled updates' threads and the beat's settle at once
            with self._keeping:
                # Marks are only added at the end meanwhile (`_mark`), so these stay the first ones.
                marks, held = self._unmarked[:], self._held[:]
            if marks or held:
                began, now = time.monotonic(), self.clock()
                try:
                    self.store.handled_updates(self.bot_id, marks, now)
                    self.store.receive_updates(self.bot_id, held, now, self._gone_at(now))
                except NewsbotError as exc:
                    self._failed(exc)
                    with self._keeping:
                        self._write_kept()
                    return
                with self._keeping:
                    del self._unmarked[: len(marks)]
                    self._held = [row for row in self._held if row not in held]
                # What an outage left is written on a beat: recording works again, said now, not at the next update
                # (an hour later on a quiet bot, the store's trouble said to last all that time).
                self._worked(began)
            if self._kept:
                with self._keeping:
                    self._write_kept()

    def _write_kept(self) -> bool:
        """Make the data directory's file of what this process keeps waiting for the store what it is now (`_keeping`
        held); False if it cannot be written, said in the log (it waits in memory alone, lost with the process)."""
        waiting = Waiting(self._unmarked[:], self._held[:])
        try:
            self.waiting.keep(waiting)
        except OSError as exc:
            self._unkept.failed(f"{exc}; {len(waiting.marks) + len(waiting.received)} waiting")
            return False
        self._unkept.ended()
        self._kept = bool(waiting)
        return True

    def _adopt(self) -> None:
        """Take over what processes no longer running left waiting in the data directory (in a worker thread): kept
        in this process's file before theirs are removed, then written by `settle`; their updates not recorded are
        recorded as theirs, to be taken over as any update a process now gone left unhandled (its claim decides which
        process handles it)."""
        with self._settling:
            left = self.waiting.left()
            if not left:
                return
            marks = [mark for waiting in left.values() for mark in waiting.marks]
            held = [row for waiting in left.values() for row in waiting.received]
            if marks:
                log.info("marking handled %d updates that a stopped process could not mark", len(marks))
            if held:
                log.info("recording %d updates that a stopped process received and could not record", len(held))
            with self._keeping:
                self._unmarked[:0] = marks
                self._held[:0] = held
                kept = self._write_kept()
            if kept:
                self.waiting.forget(list(left))

    def take_unhandled(self, bot: Bot, before: Update | None = None) -> list[Update]:
        """Settle this process's marks and those processes no longer running left waiting, then take the updates that
        processes now gone received and did not handle, oldest first; only the earlier ones of the chat of `before`,
        if given (in a worker thread)."""
        self._adopt()
        self.settle()
        now = self.clock()
        self.store.prune_received_updates(now - KEEP_RECEIVED)
        taken = self.store.take_unhandled_updates(
            self.bot_id,
            self.presence.worker_id,
            now - KEEP_RECEIVED,
            self._gone_at(now),
            None if before is None else self._row(before),
            # Left to a chat's later update for a turn's wait at most after it came: one stuck leaves them to a beat.
            now - timedelta(seconds=TURN_WAIT_SECONDS),
        )
        self._recorded.update(t.update_id for t in taken)
        return [update for t in taken if (update := Update.de_json(json.loads(t.payload), bot)) is not None]


async def take_unhandled(application: Application[Any, Any, Any, Any, Any, Any], journal: Journal) -> None:
    """Queue, before anything newer, the updates processes now gone left unhandled (at start, and on each beat:
    another process may have died since)."""
    taken = await asyncio.to_thread(journal.take_unhandled, application.bot)
    if taken:
        log.info("handling %d updates that a stopped process had received and not handled", len(taken))
    queue = application.update_queue
    assert isinstance(queue, ReceivedQueue)
    queue.journal = journal
    queue.put_taken(taken)


class ReceivedQueue(asyncio.Queue[object]):
    """The application's update queue, recording each update as it is put there (once `journal` is set)."""

    journal: Journal | None = None

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self.journal is not None and not await self.journal.received(item):
            return
        await super().put(item)

    def put_taken(self, updates: list[Update]) -> None:
        """Queue updates taken over from a process that is gone (recorded already)."""
        for update in updates:
            super().put_nowait(update)


@asynccontextmanager
async def handling(
    journal: Journal | None, update: object, handle: Callable[[Update], Awaitable[object]]
) -> AsyncIterator[bool]:
    """Handle `update` inside if the block is given True (False: another process handles it, `Journal.landed`), once
    its chat's earlier updates that other processes received are handled (`Journal.turn`; those of a process now
    gone, here with `handle`, as this one is): as someone waits for the answer (and the chat's next update for this
    one), a write another process's lock holds up fails within seconds (`answering`) and the reader is asked to try
    again, not kept waiting a minute; once handled, and only then, it is marked so in the journal (an update a kill
    -9 interrupts stays to be handled by the next start)."""
    if not isinstance(update, Update) or journal is None:
        with answering():
            yield True
        return
    with answering():
        if not await journal.landed(update):
            yield False
            return
        await journal.turn(update, handle)
        yield True
        await journal.handled(update)
