"""Failures that repeat every few seconds while a server is out of reach: said when they begin, then once a
minute, and their end said once; and the bot's start waiting for a database not up yet."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field

from bot.config import Settings
from bot.errors import StoreUnreachableError
from bot.store import Store

log = logging.getLogger(__name__)

# While something stays out of reach, how often it is said again (seconds).
OUTAGE_WARNING_SECONDS = 60.0
# A bot started before its database (a reboot, `docker compose up`) tries again after this pause, doubled after
# each try up to STORE_WAIT_LONGEST_SECONDS (seconds).
STORE_WAIT_FIRST_SECONDS = 1.0
STORE_WAIT_LONGEST_SECONDS = 30.0


@dataclass
class Outage:
    """One thing that can be out of reach (Telegram, the store), as the log tells it: a job retrying every second
    warned every second, burying everything else, when the one thing to know is that it is still out of reach."""

    # What fails ("cannot follow the store"), what it means meanwhile ("; answers go on from the index as it is"),
    # and what is said when it works again ("following the store again").
    what: str
    meanwhile: str = ""
    again: str = ""
    every: float = OUTAGE_WARNING_SECONDS
    _since: float | None = field(default=None, repr=False)
    _last: float = field(default=float("-inf"), repr=False)
    _warned: float = field(default=float("-inf"), repr=False)

    def failed(self, error: object, now: float | None = None) -> None:
        """Warn of `error`, unless it was said less than `every` seconds ago (then it is a debug line)."""
        now = time.monotonic() if now is None else now
        # Nothing failed for a while (what fails only now and then, with nothing to say it works): a new outage.
        if self._since is None or now - self._last > self.every:
            self._since, self._warned = now, float("-inf")
        self._last = now
        if now - self._warned < self.every:
            log.debug("%s (%s)", self.what, error)
            return
        self._warned = now
        lasting = f", for {now - self._since:.0f} s now" if now > self._since else ""
        log.warning("%s (%s)%s%s", self.what, error, self.meanwhile, lasting)

    def worked(self, now: float | None = None) -> None:
        """Say that it works again, if it had failed."""
        if self._since is not None:
            now = time.monotonic() if now is None else now
            if self.again:
                log.info("%s after %.0f s", self.again, now - self._since)
            self._since, self._warned = None, float("-inf")


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
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((done, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if not done.done():
        done.cancel()
        return False
    done.result()
    return True
