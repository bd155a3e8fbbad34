"""What the readers say about input they could not take whole."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Skipped:
    """A problem with the input: where it was and why.

    `cut` False: nothing of it went in (a bad record, an unreadable file, a file with no records).
    `cut` True: the article went in, shortened at a limit; the reason says what was cut, and the article itself
    follows this record in the stream. Each problem is reported once, by exactly one `Skipped`.
    `retry` True: fetching it failed in a way a later read may mend (5xx, 429, a timeout, no connection).
    """

    location: str
    reason: str
    cut: bool = False
    retry: bool = False

    def __str__(self) -> str:
        return f"{'cut' if self.cut else 'skipped'} {self.location}: {self.reason}"
