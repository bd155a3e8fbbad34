"""Repeating jobs on the application's job queue; they start with the application, after `post_init`."""

from __future__ import annotations

import asyncio
import logging

from bot.errors import NewsbotError
from bot.tg.context import App, Context

log = logging.getLogger(__name__)

FOLLOW_JOB = "follow the store"
VECTORS_JOB = "make paragraph vectors"
# The vectors job runs this often, one step (about half a minute of encoding at most) at a time.
VECTORS_EVERY_SECONDS = 5.0


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
