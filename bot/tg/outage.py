"""Failures that repeat every few seconds while a server is out of reach: said when they begin, then once a
minute, and their end said once."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# While something stays out of reach, how often it is said again (seconds).
OUTAGE_WARNING_SECONDS = 60.0


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
