"""Repeating jobs on the application's job queue; they start with the application, after `post_init`: following
the store, paragraph vectors, polling feeds, and sending digests and alerts.

Digests and alerts (bot.services.fanout): the fan-out runs every minute, just after the minute turns, and once
right at start, so a digest missed while the bot was down goes out within the grace period (never a burst: the
schedule sends only each chat's latest missed one). Every process beats in the store every few seconds; the
number of live processes sets this process's share of the flood budget, for the rate limiter (everything it sends)
and for the fan-out's own pacing (a lower share, so answers keep the rest). Nothing about who gets what lives in
memory: a restarted bot rebuilds everything from the store.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from telegram.ext import Application, ExtBot

from bot.config import Settings
from bot.errors import NewsbotError, Stopped
from bot.render.digests import render_alert, render_digest
from bot.render.markup import count
from bot.services.budget import FloodBudget
from bot.services.deliveries import alert_pace_of, grace_of
from bot.services.digests import Digests
from bot.services.fanout import FanOut, Report
from bot.services.feeds import FeedNotice, FeedPoll
from bot.services.presence import Presence
from bot.services.subscriptions import Defaults, Subscriptions
from bot.store import Store
from bot.tg.chats import bot_access
from bot.tg.context import App, BotData, Context, Digesting
from bot.tg.feeds import tell_admins, unless_stopping
from bot.tg.received import take_unhandled
from bot.tg.sending import FloodLimiter, fanout_sender

log = logging.getLogger(__name__)

# An application as a job's context knows it (the types of its own contexts and job queue left open).
Running = Application[ExtBot[Any], Any, Any, Any, BotData, Any]
# A spaced job's work; True: there is more of it, run again at once.
Job = Callable[[Context], Coroutine[Any, Any, bool | None]]

FOLLOW_JOB = "follow the store"
VECTORS_JOB = "make paragraph vectors"
# The vectors job looks for paragraphs without vectors this often; while there are some, it makes them one step
# after another (a step ends within seconds of the bot beginning to stop).
VECTORS_EVERY_SECONDS = 5.0
FEEDS_JOB = "poll the feeds"
FANOUT_JOB = "send digests and alerts"
START_FANOUT_JOB = "send digests and alerts missed while down"
BEAT_JOB = "beat"
FANOUT_EVERY_SECONDS = 60
# The minute job runs this long after the minute turns (a digest due at 07:30:00 is claimed at 07:30:01).
FANOUT_OFFSET_SECONDS = 1.0
# However long the start-up or a busy loop delays them, jobs run (APScheduler would drop a job more than a second
# late, and a dropped run of a spaced job would end its chain); one at a time.
LATE_OK: dict[str, Any] = {"max_instances": 1, "misfire_grace_time": None}


async def follow_store(context: Context) -> None:
    """Bring this process's index up to the store's change log: articles any process added become answerable."""
    troubles, began = context.bot_data.troubles, time.monotonic()
    try:
        applied = await asyncio.to_thread(context.bot_data.library.follow)
    except NewsbotError as exc:  # a database or index hiccup
        troubles.failed(FOLLOW_JOB, exc, troubles.index)
        return
    troubles.worked(FOLLOW_JOB, began)
    if applied:
        log.info("followed %s from the store", count(applied, "change"))


async def make_vectors(context: Context) -> bool:
    """Make paragraph vectors still missing, one step at a time, while questions are answered by words meanwhile
    (or read what another process made, if that one is making them); True if it made some (more may wait)."""
    troubles, began = context.bot_data.troubles, time.monotonic()
    try:
        embedded = await asyncio.to_thread(context.bot_data.library.embed, 1)
    except Stopped:
        log.info("stopped making paragraph vectors (the bot is stopping); the next start goes on")
        return False
    except NewsbotError as exc:
        troubles.failed(VECTORS_JOB, exc, troubles.vectors)
        return False
    # Not the store's end: a step begun before the store went away ends well while it is still away (it said "the
    # store answers again" amid the outage).
    troubles.worked(VECTORS_JOB, began, reached=False)
    if embedded:
        log.info("made %s", count(embedded, "paragraph vector"))
    return embedded > 0


async def poll_feeds(context: Context) -> None:
    """Poll the feeds that are due and tell the admins what they must know. The feed service decides which feeds
    are due (NEWSBOT_FEED_POLL_MINUTES, a back-off for failing ones) and leases each in the store, so processes
    sharing a store fetch each feed once; its stories are answerable here at once (the service catches this
    process's index up) and everywhere else through the change log."""
    data = context.bot_data
    now, began = data.clock(), time.monotonic()
    notices: list[FeedNotice] = []

    def heard(poll: FeedPoll) -> None:
        if poll.notice is not None:
            notices.append(poll.notice)

    try:
        if await data.feeds.due(now):  # a read; claiming is a write, not worth it every minute for nothing
            await unless_stopping(context.application, data.feeds.poll(now, on_poll=heard))
    except NewsbotError as exc:  # the store is unreachable: the feeds are polled when it is back
        data.troubles.failed(FEEDS_JOB, exc)
    else:
        data.troubles.worked(FEEDS_JOB, began)
    finally:
        # Also after a failed or stopped round: the store has recorded these notices as told.
        await tell_admins(context, notices)


def start_digests(store: Store, settings: Settings, now: datetime, username: str) -> Digesting:
    """Subscriptions, digests and this process's fan-out on the store (in a worker thread: it joins the workers)."""
    presence = Presence.join(store, now)
    fanout = FanOut(
        store,
        presence,
        lambda digest, zone: render_digest(digest, username, zone=zone),
        lambda digest, zone: render_alert(digest, username, zone=zone),
        budget=FloodBudget.of(settings),
        grace=grace_of(settings),
        alert_pace=alert_pace_of(settings),
        default_zone=settings.default_timezone,
    )
    return Digesting(Subscriptions(store, Defaults.of(settings)), Digests(store), presence, fanout)


def share_budget(application: Running) -> None:
    """Pace this process at its share of the bot's flood budget among the processes alive now."""
    data = application.bot_data
    digesting = data.digesting
    share = FloodBudget.of(data.settings).share(len(digesting.presence.live))
    limiter = application.bot.rate_limiter
    if isinstance(limiter, FloodLimiter) and limiter.rate != share.per_second:
        log.info(
            "sending at %g messages a second (%s %s the bot)",
            share.per_second,
            count(len(digesting.presence.live), "process", "processes"),
            "shares" if len(digesting.presence.live) == 1 else "share",
        )
        limiter.set_rate(share.per_second)
    digesting.fanout.bucket.set_rate(share.fanout, time.monotonic())


async def deliver(application: Running) -> Report | None:
    """Send everything owed now: digests due, alerts, claims of processes that died (one run at a time)."""
    data = application.bot_data
    digesting = data.digesting
    send = fanout_sender(application.bot, on_blocked=lambda chat_id: data.seen.pop(chat_id, None))
    async with digesting.lock:
        began = time.monotonic()
        try:
            report = await digesting.fanout.run(
                data.clock,
                send,
                stopping=lambda: not application.running,
                ask=lambda chat_id: bot_access(application.bot, chat_id),
            )
        except NewsbotError as exc:  # the database is unreachable: the next minute tries again
            data.troubles.failed(FANOUT_JOB, exc)
            return None
        data.troubles.worked(FANOUT_JOB, began)
        share_budget(application)
    if report.claimed or report.taken_over or report.outcomes:
        log.info(
            "fan-out: %d claimed, %d taken over, outcomes %s, %d texts rendered, %d lost to another process",
            report.claimed,
            report.taken_over,
            report.outcomes or "none",
            report.rendered,
            report.lost,
        )
    return report


async def fan_out(context: Context) -> None:
    """Send the digests that are due and the alerts owed (a tick while the last run still sends is skipped: that
    run claims what falls due meanwhile)."""
    if not context.bot_data.digesting.lock.locked():
        await deliver(context.application)


async def beat(context: Context) -> None:
    """Tell the other processes this one is alive, take this process's share of the flood budget, and handle the
    updates a process that died since left unhandled."""
    data, began = context.bot_data, time.monotonic()
    try:
        await asyncio.to_thread(data.digesting.presence.beat, data.clock())
        if data.journal is not None:
            await take_unhandled(context.application, data.journal)
        # A store a newer newsbot migrated is refused at a start; a bot running as it was migrated (an upgrade
        # with the older bot still running) went on in silence with tables whose shape it may not know.
        if newer := await asyncio.to_thread(data.library.store.newer_migrations):
            data.troubles.newer.failed(newer)
    except NewsbotError as exc:
        data.troubles.failed(BEAT_JOB, exc)
        return
    data.troubles.worked(BEAT_JOB, began)
    share_budget(context.application)


def _to_next_minute() -> float:
    return FANOUT_EVERY_SECONDS - time.time() % FANOUT_EVERY_SECONDS + FANOUT_OFFSET_SECONDS


def run_spaced(application: App, callback: Job, every: float | Callable[[], float], first: float, name: str) -> None:
    """Run `callback` `first` seconds from now, then `every` seconds after each run ends (at once if it says more
    work waits; `every` may be a function, read as each run ends): never two at once, and a run that outlasts
    `every` (a long catch-up, a slow feed, a store another process keeps locked) delays the next one instead of
    having the scheduler skip it with a warning every `every` seconds."""
    assert application.job_queue is not None
    queue = application.job_queue

    async def spaced(context: Context) -> None:
        more = False
        try:
            more = bool(await callback(context))
        finally:
            if context.application.running:
                later = every() if callable(every) else every
                queue.run_once(spaced, when=0 if more else later, name=name, job_kwargs=LATE_OK)

    queue.run_once(spaced, when=first, name=name, job_kwargs=LATE_OK)


def register_jobs(application: App) -> None:
    """Schedule the bot's repeating jobs."""
    assert application.job_queue is not None
    seconds = application.bot_data.settings.follow_seconds
    run_spaced(application, follow_store, every=seconds, first=seconds, name=FOLLOW_JOB)
    if application.bot_data.settings.semantic != "off":  # the encoder's vectors or static ones
        run_spaced(application, make_vectors, every=VECTORS_EVERY_SECONDS, first=1.0, name=VECTORS_JOB)
    check = application.bot_data.settings.feed_check_seconds
    run_spaced(application, poll_feeds, every=check, first=check, name=FEEDS_JOB)
    application.job_queue.run_once(fan_out, when=0, name=START_FANOUT_JOB, job_kwargs=LATE_OK)
    # Spaced, at each minute's start: a fan-out whose writes wait longer than a minute for another process's lock
    # (NEWSBOT_STORE_WAIT_MINUTES) made the scheduler skip the next one with a warning.
    run_spaced(application, fan_out, every=_to_next_minute, first=_to_next_minute(), name=FANOUT_JOB)
    # Spaced: a beat waiting on a store another process has locked must not make the scheduler skip the next.
    every = application.bot_data.settings.beat_seconds
    run_spaced(application, beat, every=every, first=every, name=BEAT_JOB)
