"""Telegram's flood limits shared by every process of one bot: split, never multiplied.

Telegram allows one bot about 30 messages a second overall and 20 a minute in one group, whatever number of
processes send them. So each process takes its share: the budget divided by the processes alive now (from the
store's `workers` table, bot.services.presence), recomputed at every beat. N processes together stay within one
budget; while a new process is not yet seen by the others (at most one beat), the total may exceed it by that
one process's share, which Telegram answers with RetryAfter, honoured by the sender.

Fan-out (digests and alerts) has a budget of its own, lower than the whole: a process paces its fan-out with its
share of `fanout_per_second` and sends answers under its share of `per_second`, so however many digests fall due
at a popular hour, answers to questions keep at least `per_second - fanout_per_second` of the whole.

A group's 20 a minute is not split: each delivery is claimed by exactly one process, so only that one sends a
group its digest or alert, and a group's answers go out from the process its updates reach.

Pure: times are passed in (seconds of a monotonic clock), nothing sleeps here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings

# Telegram's documented limits for one bot.
PER_SECOND = 30.0
GROUP_PER_MINUTE = 20.0
# The part of the whole that fan-out may use by default: the rest is kept for answers.
FANOUT_PER_SECOND = 20.0


@dataclass(frozen=True)
class FloodBudget:
    """Messages a second for all of one bot's processes together, and the part of it fan-out may use."""

    per_second: float = PER_SECOND
    fanout_per_second: float = FANOUT_PER_SECOND
    group_per_minute: float = GROUP_PER_MINUTE

    @classmethod
    def of(cls, settings: Settings) -> FloodBudget:
        return cls(settings.max_messages_per_second, settings.fanout_messages_per_second)

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.fanout_per_second <= 0 or self.group_per_minute <= 0:
            raise ValueError(f"flood budgets must be positive: {self}")

    @property
    def fanout(self) -> float:
        """The fan-out budget, never above the whole (a setting asking for more gets the whole)."""
        return min(self.fanout_per_second, self.per_second)

    def share(self, processes: int) -> FloodBudget:
        """One process's part when `processes` are alive (at least this one)."""
        count = max(1, processes)
        return FloodBudget(self.per_second / count, self.fanout / count, self.group_per_minute)


class TokenBucket:
    """Pacing at `rate` a second with bursts of up to `burst`: `reserve` books one send and says how long to wait.

    Reservations queue: ten senders asking at once are given waits 0, 1/rate, 2/rate, ... so the rate holds
    whatever the concurrency.
    """

    def __init__(self, rate: float, burst: float, now: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least one")
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.at = now

    def _refill(self, now: float) -> None:
        if now > self.at:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now

    def set_rate(self, rate: float, now: float) -> None:
        """Change the rate from now on (a process joined or left)."""
        if rate <= 0:
            raise ValueError("a token bucket needs a positive rate")
        self._refill(now)
        self.rate = rate

    def reserve(self, now: float, count: int = 1) -> float:
        """Book `count` sends; returns the seconds to wait before the last of them (0 when the tokens are there)."""
        self._refill(now)
        self.tokens -= count
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate
