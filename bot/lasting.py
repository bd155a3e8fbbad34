"""A trouble that lasts (a disk made read-only under a running bot), as the log tells it: said whole when it begins,
then at most every few minutes a short reminder that it still lasts, and once when it ends.

Said on each occurrence, a bot on a read-only disk logged the same warning once per update handled; said only once,
an operator reading the log an hour later could not tell whether it still lasted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

# How often, at most, a trouble that lasts is said again, briefly (seconds).
REMIND_SECONDS = 300.0


@dataclass
class Lasting:
    """One trouble that can come and go. `short` names it in the reminders ("the marks of handled updates cannot be
    kept in /srv/news"); `over` is said when it ends ("... can be kept again")."""

    log: logging.Logger
    short: str
    over: str
    every: float = REMIND_SECONDS
    _since: float | None = field(default=None, repr=False)
    _said: float = field(default=float("-inf"), repr=False)

    @property
    def lasts(self) -> bool:
        """Whether the trouble is on now (failed, and not over since)."""
        return self._since is not None

    def failed(self, whole: str, now: float | None = None) -> None:
        """Warn `whole` if the trouble begins now; else remind that it lasts, if it was said `every` seconds ago or
        more (a debug line otherwise)."""
        now = time.monotonic() if now is None else now
        if self._since is None:
            self._since = self._said = now
            self.log.warning("%s", whole)
        elif now - self._said >= self.every:
            self._said = now
            self.log.warning("still: %s (for %s)", self.short, _lasted(now - self._since))
        else:
            self.log.debug("%s", whole)

    def ended(self, now: float | None = None) -> None:
        """Say that the trouble is over, if it was on."""
        if self._since is not None:
            now = time.monotonic() if now is None else now
            self.log.info("%s, after %s", self.over, _lasted(now - self._since))
            self._since, self._said = None, float("-inf")


def _lasted(seconds: float) -> str:
    """ "40 s", "12 min": how long a trouble has lasted, as a reader takes it in at a glance."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
