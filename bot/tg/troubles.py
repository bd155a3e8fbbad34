"""The troubles a running bot meets again and again (the store or Telegram out of reach, the store failing, the
index or the vectors' files), one `Lasting` each that every job, question and the record of updates shares
(bot.lasting): each said as it begins, reminded every few minutes, and its end said."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.errors import StoreError, StoreUnreachableError
from bot.lasting import Lasting

log = logging.getLogger(__name__)

# What the store out of reach means until it is back, said once as it begins.
STORE_MEANWHILE = (
    "; until it is back, readers are asked to try again in a few minutes, updates wait in the data directory (a bot"
    " killed meanwhile leaves them to the next start), and digests, alerts, feed polls and other processes' new"
    " articles wait for it"
)


@dataclass
class Troubles:
    """What the bot meets again and again while the store or Telegram is out of reach, each said as it begins,
    reminded every few minutes and its end said (bot.lasting). The store down is one trouble, whichever job or
    question meets it: each said it its own way, a PostgreSQL stopped under a running bot made seven warnings in
    17 s, and again each minute."""

    store: Lasting = field(
        default_factory=lambda: Lasting(log, "the store is not answering", STORE_MEANWHILE, "the store answers again")
    )
    telegram: Lasting = field(
        default_factory=lambda: Lasting(log, "cannot fetch updates from Telegram", "; polling tries again by itself")
    )
    conflict: Lasting = field(
        default_factory=lambda: Lasting(
            log,
            "Telegram gives this token's updates to another process",
            "; stop the other `newsbot run` with this token, or run several behind one webhook",
        )
    )
    # The store answering but failing or refusing (a write refused, a full or read-only disk, a lock held past the
    # wait): one trouble whichever jobs meet it. Each job said it its own way: a read-only disk made four warnings,
    # one per job, and each job's own end.
    refused: Lasting = field(
        default_factory=lambda: Lasting(
            log,
            "the store fails",
            "; the jobs that meet it try again (digests and alerts, feed polls and updates' records may wait)",
            "the store works again",
        )
    )
    # What fails other than the store, each its own trouble: the index damaged or unwritable, the vectors' files.
    index: Lasting = field(
        default_factory=lambda: Lasting(
            log,
            "cannot bring the index up to the store",
            "; questions are answered from it as it is",
            "the index follows the store again",
        )
    )
    vectors: Lasting = field(
        default_factory=lambda: Lasting(log, "cannot make paragraph vectors", over="making paragraph vectors again")
    )
    # The store migrated by a newer newsbot under this process (an upgrade with it running): no end to see.
    newer: Lasting = field(
        default_factory=lambda: Lasting(
            log,
            "the store was migrated by a newer newsbot than this process",
            "; it goes on reading and writing tables whose shape it may not know: stop it and start the newer version",
        )
    )
    # Anything else a job meets (none known): named with the job.
    jobs: Lasting = field(default_factory=lambda: Lasting(log, "a job fails", over="the jobs work again"))
    answers: Lasting = field(
        default_factory=lambda: Lasting(
            log, "cannot answer from the store or the index", "; readers are asked to try again"
        )
    )

    def failed(self, job: str, error: object, own: Lasting | None = None) -> None:
        """Say `error`, which `job` met, as the trouble of its cause: the store out of reach, the store failing, else
        the job's `own` (the index, the vectors' files, updates going unrecorded) or any job's."""
        if isinstance(error, StoreUnreachableError):
            self.store.failed(error)
        elif isinstance(error, StoreError):
            self.refused.failed(error, by=job)
        else:
            (own or self.jobs).failed(error, by=job)

    def met(self, error: StoreError, logger: logging.Logger, what: str, *args: object) -> None:
        """Say a store error a reader's turn met aside from its answer (keeping a button's question, a chat's
        record): the store out of reach as its one trouble, said once whatever meets it (an outage said in its own
        line each time beside it), any other in a warning of its own, `what` (a format of `args`) then the error."""
        if isinstance(error, StoreUnreachableError):
            self.store.failed(error)
        else:
            logger.warning(what + ": %s", *args, error)

    def worked(self, job: str, began: float, reached: bool = True, own: Lasting | None = None) -> None:
        """`job`, begun at `began` (time.monotonic()), worked: the troubles it met (its `own` too, if it has one
        apart) are over unless other jobs still meet them or they began after it, and the store is in reach if it
        `reached` it (a vectors step ends well while the store is away)."""
        for trouble in (self.refused, self.index, self.vectors, self.jobs, *([own] if own else [])):
            trouble.ended(by=job, began=began)
        if reached:
            self.store.ended(began=began)
