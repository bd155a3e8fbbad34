"""Repeating jobs on the application's job queue; they start with the application, after `post_init`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from telegram.ext import Application

from bot.errors import NewsbotError
from bot.services.feeds import FeedNotice, FeedPoll
from bot.tg.context import App, Context
from bot.tg.feeds import tell_admins

log = logging.getLogger(__name__)

FOLLOW_JOB = "follow the store"
VECTORS_JOB = "make paragraph vectors"
# The vectors job runs this often, one step (about half a minute of encoding at most) at a time.
VECTORS_EVERY_SECONDS = 5.0
FEEDS_JOB = "poll the feeds"
# While a poll round runs, how often the job looks whether the bot is stopping (seconds).
STOP_CHECK_SECONDS = 0.5


async def follow_store(context: Context) -> None:
    """Bring this process's index up to the store's change log: articles any process added become answerable."""
    try:
        applied = await asyncio.to_thread(context.bot_data.library.follow)
    except NewsbotError as exc:  # a database or index hiccup: answers go on from the index as it is
        log.warning("could not follow the store: %s", exc)
        return
    if applied:
        log.info("followed %d changes from the store", applied)


async def make_vectors(context: Context) -> None:
    """Make paragraph vectors still missing, one step at a time, while questions are answered by words meanwhile
    (or read what another process made, if that one is making them)."""
    try:
        embedded = await asyncio.to_thread(context.bot_data.library.embed, 1)
    except NewsbotError as exc:
        log.warning("could not make paragraph vectors: %s", exc)
        return
    if embedded:
        log.info("made %d paragraph vectors", embedded)


async def unless_stopping(
    application: Application[Any, Any, Any, Any, Any, Any], work: Coroutine[Any, Any, object]
) -> None:
    """Run `work` to its end (raising its error), or cancel it when the application begins to stop. (Stopping
    waits for running jobs, and a round of slow sites would hold a SIGTERM up for minutes; a cancelled poll gives
    its feed back, having stored all of its poll or nothing.)"""
    task = asyncio.ensure_future(work)
    while not task.done():
        await asyncio.wait({task}, timeout=STOP_CHECK_SECONDS)
        if not application.running and not task.done():
            log.info("the bot is stopping: the feed poll round stops too")
            task.cancel()
            await asyncio.wait({task})
    if not task.cancelled():
        task.result()


async def poll_feeds(context: Context) -> None:
    """Poll the feeds that are due and tell the admins what they must know. The feed service decides which feeds
    are due (NEWSBOT_FEED_POLL_MINUTES, a back-off for failing ones) and leases each in the store, so processes
    sharing a store fetch each feed once; its stories are answerable here at once (the service catches this
    process's index up) and everywhere else through the change log."""
    data = context.bot_data
    now = data.clock()
    notices: list[FeedNotice] = []

    def heard(poll: FeedPoll) -> None:
        if poll.notice is not None:
            notices.append(poll.notice)

    try:
        if await data.feeds.due(now):  # a read; claiming is a write, not worth it every minute for nothing
            await unless_stopping(context.application, data.feeds.poll(now, on_poll=heard))
    except NewsbotError as exc:  # the store is unreachable: the feeds are polled when it is back
        log.warning("could not poll the feeds: %s", exc)
    finally:
        # Also after a failed or stopped round: the store has recorded these notices as told.
        await tell_admins(context, notices)


def register_jobs(application: App) -> None:
    """Schedule the bot's repeating jobs."""
    assert application.job_queue is not None
    seconds = application.bot_data.settings.follow_seconds
    # One at a time: a catch-up that takes longer than the interval is not started twice.
    application.job_queue.run_repeating(
        follow_store, interval=seconds, first=seconds, name=FOLLOW_JOB, job_kwargs={"max_instances": 1}
    )
    if application.bot_data.settings.semantic == "on":
        application.job_queue.run_repeating(
            make_vectors, interval=VECTORS_EVERY_SECONDS, first=1.0, name=VECTORS_JOB, job_kwargs={"max_instances": 1}
        )
    # One at a time too: a round of slow feeds that outlasts the interval is not started twice.
    check = application.bot_data.settings.feed_check_seconds
    application.job_queue.run_repeating(
        poll_feeds, interval=check, first=check, name=FEEDS_JOB, job_kwargs={"max_instances": 1}
    )
