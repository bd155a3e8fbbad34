"""Things done lately, so one asked for again soon is not done twice (a button pressed twice)."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, timedelta


class Recently:
    """Keys claimed within the last `window`: a claim of a key claimed meanwhile fails.

    Claiming awaits nothing, so two presses handled at once in one process cannot both win."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self._claimed: dict[Hashable, datetime] = {}

    def claim(self, key: Hashable, now: datetime) -> bool:
        """Claim `key` at `now`; False if it was claimed less than `window` before."""
        # Claims older than the window are forgotten here, so the map holds only the last window's.
        self._claimed = {k: at for k, at in self._claimed.items() if now - at < self.window}
        if key in self._claimed:
            return False
        self._claimed[key] = now
        return True

    def release(self, key: Hashable) -> None:
        """Forget a claim whose work failed, so asking again does it."""
        self._claimed.pop(key, None)
