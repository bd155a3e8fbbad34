"""A trouble that lasts (a database stopped, a disk made read-only, Telegram out of reach), as the log tells it: said
whole when it begins, then at most every few minutes a short reminder that it still lasts, and once when it ends,
with how long it lasted.

Said on each occurrence, a bot on a read-only disk logged the same warning once per update handled, and a job
retrying every second warned every second; said only once, an operator reading the log an hour later could not tell
whether it still lasted. The whole warning again each minute (the Telegram layer's former way) said the same seven
lines a minute through a database outage.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

# How often, at most, a trouble that lasts is said again, briefly (seconds).
REMIND_SECONDS = 300.0


@dataclass
class Lasting:
    """One trouble that can come and go, said in `log`: `what` fails ("cannot follow the store"), with the error, and
    what that means until it ends (`meanwhile`: "; questions are asked to try again"), as it begins; `what` and how
    long in the reminders; `over` as it ends ("the store answers again"). A trouble whose end nothing can see (no
    `over`: a question failing now and then) is a new one when it fails after `every` quiet seconds."""

    log: logging.Logger
    what: str
    meanwhile: str = ""
    over: str = ""
    every: float = REMIND_SECONDS
    _since: float | None = field(default=None, repr=False)
    _said: float = field(default=float("-inf"), repr=False)
    _last: float = field(default=float("-inf"), repr=False)
    # Who met it since it began (`failed(by=)`): it is over once each of them works again.
    _met_by: set[str] = field(default_factory=set, repr=False)
    # Worker threads meet one trouble at once (the marks of handled updates, an index's follower): each failure or end
    # is read, said and recorded whole before the next. A failure met while another thread said the end was taken
    # for part of the trouble, then wiped by that end: the log said it over while it lasted.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def lasts(self) -> bool:
        """Whether the trouble is on now (failed, and not over since)."""
        return self._since is not None

    def failed(self, error: object, now: float | None = None, by: str = "") -> None:
        """Warn of `error` if the trouble begins now; else remind that it lasts, if that was said `every` seconds ago
        or more (a debug line otherwise). `by`: the job that met it ("poll the feeds"), named with the error; the
        trouble is over once each job that met it has worked again (`ended(by=)`)."""
        with self._lock:
            self._failed(error, time.monotonic() if now is None else now, by)

    def _failed(self, error: object, now: float, by: str) -> None:
        if by:
            self._met_by.add(by)
            error = f"{by}: {error}"
        quiet = not self.over and now - self._last > self.every
        self._last = now
        if self._since is None or quiet:
            self._since = self._said = now
            self.log.warning("%s (%s)%s", self.what, error, self.meanwhile)
        elif now - self._said >= self.every:
            self._said = now
            self.log.warning("still: %s, for %s (%s)", self.what, _lasted(now - self._since), error)
        else:
            self.log.debug("%s (%s)", self.what, error)

    def ended(self, now: float | None = None, by: str = "", began: float | None = None) -> None:
        """Say that the trouble is over, if it was on. `by`: a job worked; over only once each that met the trouble
        has. One cause met by several jobs (the store refusing writes) is one trouble, and a job that only reads
        (a feed poll with no feed due) works while the writes of the others still fail: its success ended the
        trouble, and the next failed write began it again, a warning a minute. `began`: when the work that worked
        began (time.monotonic()); work begun before the trouble did tells nothing of its end (a job's read of a
        store stopped just after it, ending well after a question met the outage, said the store answered again
        amid the outage, and the next failure said the outage a second time)."""
        with self._lock:
            self._ended(time.monotonic() if now is None else now, by, began)

    def _ended(self, now: float, by: str, began: float | None) -> None:
        if began is not None and self._since is not None and began < self._since:
            return
        self._met_by.discard(by)
        if by and self._met_by:
            return
        self._met_by.clear()
        if self._since is not None:
            if self.over:
                self.log.info("%s, after %s", self.over, _lasted(now - self._since))
            self._since, self._said = None, float("-inf")


def _lasted(seconds: float) -> str:
    """ "40 s", "12 min": how long a trouble has lasted, as a reader takes it in at a glance."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
