"""What the readers say about input they could not take whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Skipped:
    """A problem with the input: where it was and why.

    `cut` False: nothing of it went in (a bad record, an unreadable file, a file with no records).
    `cut` True: the article went in, shortened at a limit; the reason says what was cut, and the article itself
    follows this record in the stream. Each problem is reported once, by exactly one `Skipped`.
    `note` True: what was read went in whole, but not as the input says it (only a feed's teaser, a date that
    could not be read, text in another encoding than UTF-8); the reason says how, so that nothing is silently
    wrong.
    `retry` True: fetching it failed in a way a later read may mend (5xx, 429, a timeout, no connection);
    `retry_after`, how long its site asked to be left first (a 429's or 503's Retry-After); `held` True: it was not
    fetched, its site having asked for such a wait (or answered 429) for another address: no failed read of its own.
    `duplicate` True: it was read whole, but the store holds its story already, under another link; the reason
    says which.
    """

    location: str
    reason: str
    cut: bool = False
    retry: bool = False
    note: bool = False
    retry_after: timedelta | None = None
    duplicate: bool = False
    held: bool = False

    @property
    def kind(self) -> str:
        """What became of the input: "skipped", "cut", "note" or "duplicate"."""
        return "duplicate" if self.duplicate else "note" if self.note else "cut" if self.cut else "skipped"

    def __str__(self) -> str:
        return f"{self.kind} {self.location}: {self.reason}"


def without_site(location: str, count: int, example: str, source: str = "the export") -> Skipped:
    """The note on an export (or other `source`) whose links are paths on a site it does not name (`example` is
    one of them)."""
    stories = "1 story" if count == 1 else f"{count} stories"
    return Skipped(
        location,
        f"{stories} went in without a link: {source} gives only paths on its site ({example}), not the site's"
        " address; give it with --site, e.g. --site https://example.org",
        note=True,
    )
