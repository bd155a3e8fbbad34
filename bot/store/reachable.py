"""The bot's start waiting for a database not up yet (a reboot, `docker compose up`): a bot started before its
PostgreSQL exited with status 3 at once, and a service manager's restarts gave up before the server was up."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from bot.config import Settings
from bot.errors import StoreUnreachableError
from bot.store import Store

log = logging.getLogger(__name__)

# A bot started before its database tries again after this pause, doubled after each try up to
# STORE_WAIT_LONGEST_SECONDS (seconds).
STORE_WAIT_FIRST_SECONDS = 1.0
STORE_WAIT_LONGEST_SECONDS = 30.0


async def store_reachable(settings: Settings, stop: asyncio.Event) -> bool:
    """Wait until the store's server answers a connection, trying again with a growing pause and saying each
    failure; False if `stop` was set first. A bot started before its PostgreSQL exited with status 3 at once, and a
    service manager's restarts gave up before the server was up. A login or database refused (`StoreLoginError`)
    and every other error are raised: a setting to correct, which waiting would not mend."""
    if settings.sqlite_path is not None:
        return True
    started, pause = time.monotonic(), STORE_WAIT_FIRST_SECONDS
    while not stop.is_set():
        try:
            if not await _unless_stopped(lambda: Store.probe(settings.store_url), stop):
                return False
        except StoreUnreachableError as error:
            log.warning(
                "the database is not reachable (%s); trying again in %g s, the bot starts once it is", error, pause
            )
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            pause = min(2 * pause, STORE_WAIT_LONGEST_SECONDS)
            continue
        if pause > STORE_WAIT_FIRST_SECONDS:
            log.info("the database answers, after %.0f s: starting", time.monotonic() - started)
        return True
    return False


async def _unless_stopped(work: Callable[[], None], stop: asyncio.Event) -> bool:
    """Run `work` in a daemon thread until it ends (True, or its exception) or `stop` is set (False). A connection
    attempt may take CONNECT_TIMEOUT_SECONDS (a host dropping packets), which a process told to stop must not wait
    for: the interpreter waits for the event loop's worker threads at exit, never for a daemon thread."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle(error: Exception | None) -> None:
        if done.done():  # given up: the process is stopping
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    def run() -> None:
        outcome: Exception | None = None
        try:
            work()
        except Exception as error:
            outcome = error
        with suppress(RuntimeError):  # the loop is closed: the process stopped meanwhile
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=run, name="newsbot-store-probe", daemon=True).start()
    if not await done_unless_stopped(done, stop):
        return False
    done.result()
    return True


async def done_unless_stopped(future: asyncio.Future[Any], stop: asyncio.Event) -> bool:
    """Wait until `future` is done (True: its result or exception is the caller's to read) or `stop` is set
    (False, `future` cancelled)."""
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((future, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if not future.done():
        future.cancel()
        return False
    return True
