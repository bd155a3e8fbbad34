"""Paragraph vectors that follow the store's change log, apart from the lexical index and behind it if need be.

Embedding is slow (about 50 paragraphs a second on two cores), so the vectors keep their own cursor: a new
article is answerable lexically at once and semantically once its vectors exist. One process per data directory
makes them at a time (a lock file every process honours, released by the system if its holder dies); the
others read what it commits. Vectors never built (a new directory, an upgraded store) are first made for every
article the store holds, then follow the log; an unchanged article keeps its vectors, so this costs encoding
only for what has none.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from bot.errors import Stopped
from bot.index.aside import left_by_dead
from bot.index.engine import NO_CURSOR
from bot.index.follower import articles_in_store, replay
from bot.index.holder import holder_of, record_holder
from bot.models import Command, Holder
from bot.semantic.vectors import CHECKSUMS_FILE, INDEX_FILE, VectorStore
from bot.store import Store

log = logging.getLogger(__name__)

LOCK_FILE = "writer.lock"
# Changes per commit while following, and articles per step while building, for each semantic mode: seconds of
# work, then it is durable (a process stopping keeps the step's articles embedded whole by then). Each
# commit rewrites the whole index file (1.7 s at 1M paragraphs), so the static vectors, made about 35x faster than
# the encoder's, take 50x bigger steps: in steps of 100 articles a million paragraphs meant 2,000 commits of an
# index file up to 850 MB.
BATCHES = {"on": 100, "static": 5_000}


class VectorFollower:
    """Brings one data directory's paragraph vectors up to the store, when this process may write them."""

    def __init__(
        self, store: Store, vectors: VectorStore, batch: int = BATCHES["on"], command: Command = Command.NONE
    ) -> None:
        """`command`: the newsbot command this process runs, which the writer's lock records for
        the processes that find it held to name (`bot.index.holder`)."""
        self.store = store
        self.command = command
        self.vectors = vectors
        self.batch = batch
        self._lock = threading.RLock()
        self._writer: int | None = None
        # Where an interrupted first build resumes (article ids in order), and the log's head as it began.
        self._built_to = ""
        self._build_head = NO_CURSOR

    def try_write(self) -> bool:
        """Take the right to write the vectors, if no other process holds it; kept until `close`. Not while the store
        at its path is another than the one this process follows: `reopen` comes first."""
        with self._lock:
            # The data directory may have been made anew before this process noticed the store was replaced: the
            # vectors there are another store's. A writer of the old one saved its index file there, beside their
            # key map, which names other paragraphs by the same keys (and a reader loaded it); the lock is taken in
            # the directory now at the path, never in a deleted one.
            self._follow_directory()
            if self.store.replaced():
                return False
            if self._writer is not None:
                return True
            fd = os.open(self.vectors.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            self._writer = fd
            # Who holds it, for the others to say: "another process (a running bot?)" was a guess.
            record_holder(fd, self.command)
            _remove_left_behind(self.vectors.directory)
            self.vectors.refresh()  # what the previous writer committed
            self.vectors.repair()
            self._check_store()
            return True

    def holder(self) -> Holder | None:
        """Which process holds the right to write the vectors, as it recorded itself; None when none is recorded (none
        holds it, or a newsbot from before this record)."""
        return holder_of(self.vectors.directory / LOCK_FILE)

    def reopen(self) -> None:
        """The store was replaced: vectors made from another store are made again (by the process writing them).
        A data directory made anew has new vectors too: the old ones, and the writer's lock, went with the old."""
        with self._lock:
            self._follow_directory()
            if self._writer is not None:
                self._check_store()

    def _follow_directory(self) -> None:
        if self.vectors.moved():
            self._release()
            self.vectors.reopen()
            self._built_to = ""

    def _check_store(self) -> None:
        """Vectors made from another store, or ahead of this store's log, are made again from this store."""
        identity, owner, cursor = self.store.identity(), self.vectors.store, self.vectors.cursor
        head = self.store.head()
        if (owner and owner != identity) or cursor > head:
            log.warning(
                "the paragraph vectors in %s were made from another store; making them again from this store",
                self.vectors.directory,
            )
            self.vectors.follow(identity, NO_CURSOR)
            self._built_to = ""
        elif not owner:
            self.vectors.follow(identity, cursor)

    def backlog(self) -> int:
        """Paragraphs waiting for their vectors: those of articles changed after the vectors' cursor (all but
        those made while the first build runs)."""
        cursor = self.vectors.cursor
        if cursor == NO_CURSOR:
            return max(0, self.store.stats().paragraphs - self.vectors.count())
        return self.store.paragraphs_changed_since(cursor)

    def progress(self, paragraphs: int) -> tuple[int, int]:
        """(made, waiting) of the store's `paragraphs`. An article changed after the cursor waits whole, whatever
        vectors it has (a removed and re-added article kept its own, an edited one its old version's), so the two
        add up to the paragraphs, not past them; made is the rest, counted by the store alone (reading the vectors
        of every changed article took `stats` 5 s at a million changed)."""
        cursor = self.vectors.cursor
        if cursor == NO_CURSOR:
            made = self.vectors.count()
            return made, max(0, paragraphs - made)
        waiting = self.store.paragraphs_changed_since(cursor)
        return max(0, paragraphs - waiting), waiting

    def catch_up(self, limit: int | None = None, progress: Callable[[int], object] | None = None) -> int:
        """Make the missing vectors (at most `limit` steps: a build chunk of `batch` articles, or `batch` changes
        of the log, each one commit), or just read another process's if it is the one writing them; returns the
        paragraphs embedded here. `progress` hears how many paragraphs each step took in."""
        with self._lock:
            if not self.try_write():
                self.vectors.refresh()
                return 0
            before = self.vectors.embedded
            try:
                if self.vectors.cursor == NO_CURSOR and not self._build(limit, progress):
                    return self.vectors.embedded - before
                changes = None if limit is None else limit * self.batch
                replay(
                    self.store,
                    self.vectors.cursor,
                    self.vectors,
                    batch_size=self.batch,
                    limit=changes,
                    progress=progress,
                )
            except Stopped:
                # The articles embedded whole before the stop are kept, at the cursor the vectors had: a step given
                # up whole as each process stopped left chats of a minute each making none in six minutes.
                if self.vectors.uncommitted:
                    self.vectors.commit(self.vectors.cursor)
                raise
            return self.vectors.embedded - before

    def _build(self, limit: int | None, progress: Callable[[int], object] | None) -> bool:
        """Vectors for every article the store holds (resuming where an interrupted build stopped); True once
        complete, False when `limit` chunks were done first."""
        if not self._built_to:
            # The head as the first step began: the build goes on at each step from where it stopped, so what
            # changed after that behind where it stands is found in the log from here. The head of a later step
            # passed an article added or replaced between two steps under an id the build had passed: it kept no
            # vector, or its old text's, for good.
            self._build_head = self.store.head()
        done = 0
        for chunk in articles_in_store(self.store, self._built_to, self.batch):
            # Chunks another process embedded already are passed over, neither committed nor counted as steps: a
            # process taking over an unfinished build spent a step (and the bot's 5 s between steps) on each.
            embedded = self.vectors.apply([], chunk)
            if embedded:
                self.vectors.commit(NO_CURSOR)  # durable, and still not complete
                done += 1
                if progress is not None:  # what this step made: the backlog counts the paragraphs with no vector
                    progress(embedded)
            self._built_to = chunk[-1][0].id
            if limit is not None and done >= limit:
                return False
        # Every article is in: drop the vectors of articles the store no longer holds, then follow the log from the
        # head as the build began.
        live = set(self.store.article_ids_after("", None))
        self.vectors.apply(sorted(self.vectors.article_ids() - live), [])
        self.vectors.commit(self._build_head)
        log.info("paragraph vectors made for the whole store (%d paragraphs)", self.vectors.count())
        return True

    def close(self) -> None:
        with self._lock:
            self._release()

    def _release(self) -> None:
        if self._writer is not None:
            os.close(self._writer)  # releases the lock
            self._writer = None


def _remove_left_behind(directory: Path) -> None:
    """Remove what writers killed mid-commit left in the vectors' directory, never removed before: the index file
    being saved (`paragraphs.tmp`, as large as the index; only the writer, now this process, saves one) and the
    checksums written aside by processes no longer running (`paragraphs.crc32.<pid>.tmp`, readers' too). A
    read-only directory keeps them."""
    for path in [Path(directory / INDEX_FILE).with_suffix(".tmp"), *left_by_dead(directory, CHECKSUMS_FILE)]:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.debug("could not remove %s: %s", path, exc)
