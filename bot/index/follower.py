"""Keeping a local index in step with the store's change log.

The store is the one truth; an index is a local copy that any process can bring up to date by replaying the
change log after its cursor. Replaying is idempotent (each changed article is deleted from the index and added
again as the store holds it now), so a crash between an index commit and its cursor only replays a little.

On disk (tantivy) a data directory's index lives in generations: `index/CURRENT` names the one in use (`gen-...`).
Processes sharing the data directory share it: whoever gets its writer catches it up, the others just reload. When
none serves (a new data directory, a store replaced, an index removed or damaged), one process builds it, holding a
claim (a lock file every process honours, released by the system if its holder dies), and the others wait for it and
take what it swapped in: with N processes on a replaced store, one build instead of N. A builder that hangs is waited
for `build_wait` seconds at most, then built past. A rebuild is made aside in a
new generation while questions are answered from the old one, caught up with what changed meanwhile, and swapped in
by rewriting CURRENT atomically; every process switches on its next refresh. Old generations are deleted once
nothing can still be using them, and a build cut short as soon as its builder is gone (its lock on
`gen-....building` released with its process).

An index belongs to one store: each generation records the store's identity (`store`, beside the cursor). A
generation made from another store (the data directory opened with another DATABASE_URL), or whose cursor is
ahead of the store's log (a store replaced by an older copy), is rebuilt from this store, with a warning. Its terms
belong to one text analysis: each generation records it too (`analysis`), and one made by another (a newsbot before
an analysis change, which recorded none) is rebuilt before it answers, since the questions' terms would no longer
meet its own ("said" is indexed as "say" since irregular verbs are read as their base). The analysis is the one of
the library's language (`bot.store.language.library_language`): a library whose articles' language changed (German
stories ingested over the English demo article) is rebuilt in it at the next catch-up.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.analysis import analysed_in, analysis_of
from bot.errors import IndexCorruptError, IndexUnwritableError, IndexWriteError
from bot.index.aside import remove_left_aside, write_whole
from bot.index.engine import NO_CURSOR, Engine, indexed_paragraphs
from bot.lasting import Lasting
from bot.models import Article, Holder, StoredArticle
from bot.store import Change, Store
from bot.store.language import NAMES, library_language

log = logging.getLogger(__name__)

# Changes applied per index commit.
BATCH_CHANGES = 2000
# Articles read from the store at a time when building an index.
BUILD_ARTICLES = 1000
CURRENT = "CURRENT"
# Held by the process building the index no generation could serve.
BUILD_CLAIM = "build.lock"
# Beside a generation's cursor: the identity of the store it was made from.
STORE_FILE = "store"
# Beside a generation's cursor: the text analysis its terms were made by (`bot.analysis.analysis_of`).
ANALYSIS_FILE = "analysis"
# Beside it: the language of the library it was made in (`bot.store.language.library_language`), read back without
# the store: the language is told from the articles' paragraphs, and a reindex waited on them before its build did.
LANGUAGE_FILE = "language"
# Beside a generation being built (`gen-....building`), locked by its builder until the generation is complete.
BUILDING = ".building"
# A generation nobody has written to for this long, and that CURRENT no longer names, is deleted.
STALE_GENERATION_SECONDS = 3600.0
WAIT_POLL_SECONDS = 0.2
# How long a process waits for another's build before it builds the index itself (a builder that hangs).
BUILD_WAIT_SECONDS = 1800.0

# Makes an engine in a directory (None for an engine that lives in memory).
EngineFactory = Callable[[Path | None], Engine]


@dataclass(frozen=True)
class Fresh:
    """Articles this process has just written, with the change-log entry their batch ended on.

    They are indexed from memory instead of being read back, unless a later change touched them.
    """

    last_seq: int
    articles: Mapping[str, Article] = field(default_factory=dict)


class Follower:
    """The local index of one process or data directory, and the means to keep it up to date."""

    def __init__(
        self,
        store: Store,
        root: Path | None,
        make: EngineFactory,
        say_write_failures: bool = True,
        build_wait: float = BUILD_WAIT_SECONDS,
    ) -> None:
        """`say_write_failures=False`: the caller says a failed write itself, from `write_failure` (an ingest, in
        its last line), so the log does not say it first. `build_wait`: the seconds to wait for another process's
        build before building here."""
        self.store = store
        self.root = root
        self._make = make
        self._build_wait = build_wait
        self._lock = threading.RLock()
        # Whether a rebuild in this process holds the build claim now (see `_build_claim`).
        self._claimed_here = False
        self._holding = 0
        self._generation = ""
        self._identity = store.identity()
        # Why the index could not be written when last tried (a full disk): said once, reminded now and then, and
        # its end said (it was said once, and never that it could be written again).
        self._write_failure = ""
        self._unwritable = Lasting(
            log,
            f"the index in {self.root} falls behind the store",
            "; answering from it as it is until it can be written",
            f"the index in {self.root} can be written again",
        )
        # The index could not be reloaded when last tried (its directory not writable): said once, reminded now and
        # then, and its end said.
        self._unreadable = Lasting(
            log,
            f"the index in {self.root} cannot be read",
            "; answering from the index as it is until then",
            f"the index in {self.root} can be read again",
        )
        self._say_write_failures = say_write_failures
        # The language the index in use was made in, which questions are analysed in (`bot.analysis.analysed_in`).
        self.language = "en"
        self.engine = self._usable()
        # Generations left by a reindex that was killed, or replaced while no later reindex ran, go too.
        self._remove_stale()

    # ---- generations ------------------------------------------------------------------------------------------

    def _named(self) -> str:
        if self.root is None:
            return ""
        try:
            return (self.root / CURRENT).read_text().strip()
        except OSError:
            return ""

    def _open(self, name: str) -> Engine | None:
        """The engine of generation `name`, if it knows its cursor and was made from this store; raises
        IndexCorruptError if it does not open (damaged)."""
        if self.root is None or not name:
            return None
        try:
            engine = self._make(self.root / name)
        except OSError as exc:  # removed while it was opened (the data directory removed under this process)
            raise IndexCorruptError(f"cannot open the index in {self.root / name}: {exc.strerror or exc}") from exc
        if engine.cursor == NO_CURSOR:
            engine.close()
            log.warning("the index %s has no cursor", name)
            return None
        # A generation made before indexes recorded their language: the store's now.
        language = _made_in(self.root / name) or library_language(self.store)
        if not self._belongs(self.root / name, engine.cursor) or not _same_analysis(self.root / name, language):
            engine.close()
            return None
        self._generation = name
        self.language = language
        return engine

    def _usable(self, unusable: str = "", damaged: str = "") -> Engine:
        """The index CURRENT names if it serves this store (and is not `unusable`, the one in use, found `damaged`
        or made from another store), else a new one: built here, or, while another process holds the build claim,
        the one it swaps in (built here after all if it ends without one, or holds the claim longer than
        `build_wait`). A damaged index is said in one line, before any wait for another process's build."""
        name = self._named()
        if name != unusable:
            try:
                if (engine := self._open(name)) is not None:
                    return engine
            except IndexUnwritableError:
                raise  # not damaged: a build would fail alike, after saying it was
            except IndexCorruptError as exc:
                damaged = str(exc)
        if damaged:
            log.warning("%s; building it again from the store", damaged)
        if self.root is None:
            return self._rebuild()
        with self._build_claim():
            if (engine := self._built_elsewhere(name, unusable)) is not None:
                return engine
            if not damaged:
                log.info("building a new index in %s from the store", self.root)
            return self._rebuild()

    def _built_elsewhere(self, *passed: str) -> Engine | None:
        """The generation CURRENT names now, if it is none of `passed` (another process swapped it in) and serves."""
        now = self._named()
        if now in passed or (engine := self._opened(now)) is None:
            return None
        log.info("took index %s, which another process built (%d paragraphs)", now, engine.count())
        return engine

    def _opened(self, name: str) -> Engine | None:
        """`_open`, with a generation that does not open said and passed over (another process's, swapped in)."""
        try:
            return self._open(name)
        except IndexCorruptError as exc:
            log.warning("%s", exc)
            return None

    @contextmanager
    def _build_claim(self, on_wait: Callable[[], object] | None = None) -> Iterator[None]:
        """Hold the build claim, waiting for another process's build meanwhile (`on_wait` is called once first), at
        most `build_wait` seconds: then the block runs without it (a second build beside a hung one costs time,
        never the index, since each builds a generation of its own). While a rebuild in this process holds it, the
        block runs at once: the thread asking holds the lock that rebuild needs to swap its generation in."""
        assert self.root is not None
        if self._claimed_here:
            yield
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / BUILD_CLAIM, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only or full disk: said in one line, the next try may succeed
            raise _cannot_build(self.root, exc) from exc
        try:
            if not _claimed(fd):
                log.info("waiting for another process's build of the index in %s...", self.root)
                if on_wait is not None:
                    on_wait()
                deadline = time.monotonic() + self._build_wait
                while not _claimed(fd):
                    if time.monotonic() >= deadline:
                        log.warning(
                            "another process has held the build of the index in %s for %g minutes; building it here",
                            self.root,
                            self._build_wait / 60,
                        )
                        break
                    time.sleep(WAIT_POLL_SECONDS)
            yield
        finally:
            os.close(fd)  # which gives the claim back

    def _belongs(self, directory: Path, cursor: int) -> bool:
        """Whether the generation in `directory` was made from this store (saying why not when it was not)."""
        try:
            owner = (directory / STORE_FILE).read_text().strip()
        except OSError:
            owner = ""  # made before stores had an identity
        if owner and owner != self._identity:
            log.warning("the index in %s was made from another store", directory)
            return False
        head = self.store.head()
        if cursor > head:
            log.warning("the index in %s %s", directory, _behind(cursor, head))
            return False
        if not owner:
            self._record_owner(directory, self._identity)
        return True

    def _record_owner(self, directory: Path, owner: str) -> None:
        try:
            write_whole(directory / STORE_FILE, owner)
        except OSError as exc:  # a read-only data directory: checked again on the next open
            log.debug("could not record the store of %s: %s", directory, exc)

    def _swap_in(self, engine: Engine, name: str) -> None:
        if self.root is not None:
            try:
                write_whole(self.root / CURRENT, name)
            except OSError as exc:  # the data directory removed under this process, a full disk
                raise _cannot_build(self.root, exc) from exc
        # The old engine is not closed: a question in another thread may still be reading it.
        self.engine, self._generation = engine, name
        self._remove_stale()

    def _remove_stale(self) -> None:
        if self.root is None:
            return
        keep = {CURRENT, BUILD_CLAIM, self._generation}
        now = time.time()
        legacy = (self.root / "meta.json").exists()  # a newsbot 0.1 index, kept at the top of the directory
        self._remove_cut_short()
        remove_left_aside(self.root)
        try:
            paths = list(self.root.iterdir())
        except OSError as exc:  # the data directory removed under this process: nothing left to remove
            log.debug("could not look for old generations in %s: %s", self.root, exc)
            return
        for path in paths:
            if path.name in keep or path.name.startswith(f"{CURRENT}.") or path.name.endswith(BUILDING):
                continue
            try:
                if path.is_dir() and now - _last_write(path) > STALE_GENERATION_SECONDS:
                    shutil.rmtree(path, ignore_errors=True)
                elif path.is_file() and legacy:
                    path.unlink(missing_ok=True)
            except OSError as exc:
                log.debug("could not remove %s: %s", path, exc)

    def _remove_cut_short(self) -> None:
        """Remove the generations whose build was cut short: no process holds their claim (`gen-....building`)."""
        assert self.root is not None
        for marker in self.root.glob(f"*{BUILDING}"):
            try:
                _remove_if_abandoned(marker)
            except OSError as exc:  # removed meanwhile, or a read-only data directory
                log.debug("could not remove the build claimed by %s: %s", marker, exc)

    def reopen(self) -> None:
        """Follow the store anew after it was replaced, as a start does: the index CURRENT names if it was made from
        this store (another process sharing the data directory built it), else one built from the store."""
        with self._lock:
            self._identity = self.store.identity()
            self._take(self._usable())

    def refresh(self) -> None:
        """See what other processes did: a rebuild swapped in, and commits to the index in use (IndexCorruptError
        if either is damaged)."""
        with self._lock:
            if (name := self._named()) not in ("", self._generation) and (engine := self._open(name)) is not None:
                self._take(engine)
                log.info("took index %s, which another process swapped in", name)
            self.engine.refresh()

    def _take(self, engine: Engine) -> None:
        """Answer from `engine` from now on (one `rebuild` swapped in already)."""
        if engine is not self.engine:
            # Released, not closed: a question in another thread may still be reading it.
            self.engine.release()
            self.engine = engine

    # ---- following the log --------------------------------------------------------------------------------------

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Keep the writer, once taken, for a whole operation (an ingest of many batches), then give it back."""
        with self._lock:
            self._holding += 1
        try:
            yield
        finally:
            with self._lock:
                self._holding -= 1
                if not self._holding:
                    self.engine.release()

    def catch_up(self, fresh: Fresh | None = None, until: int | None = None) -> int:
        """Apply the changes the index lacks (up to `until`, when given); returns how many (0 if it is current or
        another process writes it). An index damaged or removed under this process is built again from the
        store (meanwhile questions are answered from what this process had read)."""
        with self._lock:
            try:
                self.refresh()
            except IndexUnwritableError as exc:
                # A read-only disk: said once, where each look (every second in a bot) said the index was damaged
                # and failed to build it again. Questions go on from what this process had read.
                self._unreadable.failed(str(exc))
                return 0
            except IndexCorruptError as exc:
                self._take(self._usable(self._generation, str(exc)))  # which holds every change
                return 0
            self._unreadable.ended()
            engine = self.engine
            head = self.store.head() if until is None else until
            if until is None and engine.cursor > head:
                # The store was replaced under this process (by an older copy, or another store at its URL).
                log.warning("the index in %s %s", self.root, _behind(engine.cursor, head))
                self._take(self._usable(unusable=self._generation))
                return 0
            if engine.cursor >= head:
                return 0
            # The articles' language changes only with the articles.
            if analysis_of(language := library_language(self.store)) != analysis_of(self.language):
                log.info(
                    "the articles are in %s now, not %s: building the index anew in their language",
                    *(NAMES.get(spoken, "a language newsbot reads as English") for spoken in (language, self.language)),
                )
                self._take(self._usable(unusable=self._generation))  # which holds every change
                return 0
            if not engine.try_write():
                return 0
            try:
                try:
                    applied = self._apply(engine, self.language, fresh, until)
                finally:
                    if not self._holding:
                        engine.release()
            except (IndexWriteError, IndexUnwritableError) as exc:
                # A full or read-only disk: questions are still answered from the index as it is, and the next
                # catch-up tries again (replaying is idempotent). Only the text is kept: the exception's frames
                # hold the failed writer, whose lock on the index goes with the last reference to it. The first
                # failure names the cause; the next ones until a write succeeds are its echoes (tantivy's "index
                # writer was killed" after a full disk).
                if self._say_write_failures:
                    self._unwritable.failed(str(exc))
                self._write_failure = self._write_failure or str(exc)
                return 0
            except IndexCorruptError as exc:
                # A file the writer read found damaged (another process's segment garbled under this one): built
                # again from the store, as a reader's damage is.
                self._take(self._usable(self._generation, str(exc)))
                return 0
            self._unwritable.ended()
            self._write_failure = ""
            return applied

    @property
    def write_failure(self) -> str:
        """Why the index could not be written when last tried ("" when the last write succeeded)."""
        return self._write_failure

    def _apply(self, engine: Engine, language: str, fresh: Fresh | None, until: int | None = None) -> int:
        return replay(self.store, engine.cursor, _Indexing(engine, language), fresh, until)

    def wait_until(self, seq: int, on_wait: Callable[[Holder | None], object] | None = None) -> None:
        """Return once the index holds every change up to `seq` (or the store's log no longer reaches it), catching
        up itself whenever it can write. `on_wait` hears, once, the process holding the writer meanwhile (None when it
        is not known)."""
        announced = False
        while True:
            self.catch_up()
            # An index this process cannot write (said already) is caught up by the next one that can; a change the
            # store's log no longer reaches (the store replaced by an older copy meanwhile, followed by another
            # thread) never will be.
            if self.engine.cursor >= seq or self._write_failure or self.store.head() < seq:
                return
            if not announced and on_wait is not None:
                on_wait(self.engine.holder())
                announced = True
            time.sleep(WAIT_POLL_SECONDS)

    # ---- rebuilding ---------------------------------------------------------------------------------------------

    def rebuild(self, on_wait: Callable[[], object] | None = None) -> Engine:
        """Build a complete index from the store aside, catch it up, and swap it in; returns the new engine. While
        another process builds one (a reindex, or a start that found none), wait for it instead (`on_wait` hears it,
        once) and take what it swapped in: two reindexes at once built the whole index twice. One whose process
        died leaves its claim free, and this one builds."""
        if self.root is None:
            return self._rebuild()
        began = self._named()
        with self._build_claim(on_wait):
            if (engine := self._built_elsewhere(began)) is not None:
                with self._lock:
                    self._take(engine)
                return engine
            self._claimed_here = True
            try:
                return self._rebuild()
            finally:
                self._claimed_here = False

    def _rebuild(self) -> Engine:
        name = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        # The store this build reads, as it is now, not the one this follower last opened: a catch-up in another
        # thread between a replaced store's reopening and `reopen` (the bot's feed round, or a question finding the
        # index gone with the data directory) marked what it built from the new store as the old one's, and `reopen`
        # built the whole store again.
        owner = self.store.identity()
        with self._building(name) as complete:
            try:
                engine = self._make(None if self.root is None else self.root / name)
            except OSError as exc:  # a read-only or full disk: said in one line, the next try may succeed
                raise _cannot_build(self.root, exc) from exc
            engine.try_write()
            try:
                language = library_language(self.store)
                head = self.store.head()
                for chunk in articles_in_store(self.store):
                    _Indexing(engine, language).apply([], chunk)
                engine.commit(head)
                if self.root is not None:
                    self._record_owner(self.root / name, owner)
                    try:
                        write_whole(self.root / name / ANALYSIS_FILE, analysis_of(language))
                        write_whole(self.root / name / LANGUAGE_FILE, language)
                    except OSError as exc:  # a full disk: a generation that names no analysis would never serve
                        raise _cannot_build(self.root, exc) from exc
                with self._lock:
                    self._apply(engine, language, None)  # what changed while it was being built
                    engine.release()
                    complete()
                    self._swap_in(engine, name)
                    self.language = language
            except BaseException:
                engine.close()
                raise
        log.info("built index %s from the store (%d paragraphs)", name or "in memory", engine.count())
        return engine

    @contextmanager
    def _building(self, name: str) -> Iterator[Callable[[], None]]:
        """Claim generation `name` as being built here until the block calls what it is given (the generation is
        complete), just before swapping it in. A build cut short here (an error, Ctrl-C) removes what it wrote;
        one whose process died (killed, or stopped at once by a second signal) leaves its claim free, and the
        next process to build or swap one in removes it then, where age alone kept it an hour."""
        if self.root is None:
            yield lambda: None
            return
        self._remove_cut_short()  # first, so the disk need not hold them beside this one
        marker = self.root / f"{name}{BUILDING}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(marker, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only or full disk: said in one line, the next try may succeed
            raise _cannot_build(self.root, exc) from exc
        # Waits only while another process that found the claim free removes its (empty) generation: this build then
        # goes on unclaimed, a generation as any other, removed only once unused for an hour.
        fcntl.flock(fd, fcntl.LOCK_EX)
        completed = False

        def complete() -> None:
            nonlocal completed
            completed = True
            marker.unlink(missing_ok=True)

        try:
            yield complete
        except BaseException:
            if not completed:
                shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        finally:
            marker.unlink(missing_ok=True)
            os.close(fd)

    def rebuilding(self) -> bool:
        """Whether a process (this one too) is building a generation now: it holds a `gen-....building` claim."""
        return self.root is not None and any(_held(marker) for marker in self.root.glob(f"*{BUILDING}"))

    def close(self) -> None:
        with self._lock:
            self.engine.close()


def _made_in(directory: Path) -> str:
    """The language the generation in `directory` was made in ("" when it does not say)."""
    try:
        return (directory / LANGUAGE_FILE).read_text().strip()
    except OSError:
        return ""


def _same_analysis(directory: Path, language: str) -> bool:
    """Whether the generation in `directory` was made by this text analysis of `language` (saying why not when it
    was not)."""
    try:
        made_by = (directory / ANALYSIS_FILE).read_text().strip()
    except OSError:
        made_by = ""  # made before indexes recorded their analysis
    if made_by != analysis_of(language):
        # Said with what comes of it: an upgraded library's first command read as if something were wrong and left so.
        log.warning(
            "the index in %s was made by another version of newsbot's text analysis; building it anew from the store",
            directory,
        )
        return False
    return True


class Copy(Protocol):
    """A local copy that follows the change log: a search engine, or the paragraph vectors."""

    @property
    def cursor(self) -> int: ...

    def apply(self, removed: Sequence[str], added: Sequence[tuple[StoredArticle | Article, Sequence[str]]]) -> object:
        """Forget the `removed` articles, then take in `added` ones as they are now (replacing older versions)."""
        ...

    def commit(self, cursor: int) -> None:
        """Make what was applied durable, recording that the copy now holds the log up to `cursor`."""
        ...


class _Indexing:
    """A search engine as a `Copy`: its paragraphs analysed for it in `language`."""

    def __init__(self, engine: Engine, language: str) -> None:
        self.engine = engine
        self.language = language

    @property
    def cursor(self) -> int:
        return self.engine.cursor

    def apply(self, removed: Sequence[str], added: Sequence[tuple[StoredArticle | Article, Sequence[str]]]) -> None:
        self.engine.delete(removed)
        with analysed_in(self.language):
            for article, paragraphs in added:
                self.engine.add(indexed_paragraphs(article, paragraphs))

    def commit(self, cursor: int) -> None:
        self.engine.commit(cursor)


def replay(
    store: Store,
    cursor: int,
    copy: Copy,
    fresh: Fresh | None = None,
    until: int | None = None,
    batch_size: int = BATCH_CHANGES,
    limit: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Bring `copy` from `cursor` up to the store's change log (or to `until`; at most `limit` changes), one
    commit per `batch_size` changes; returns the changes applied. `progress` hears the paragraphs of each batch.

    Each changed article is forgotten and taken in again as the store holds it now (from memory when `fresh`
    has it), so replaying what a copy already holds changes nothing.
    """
    applied = 0
    while (limit is None or applied < limit) and (
        batch := store.changes_since(cursor, min(batch_size, limit - applied) if limit else batch_size, until)
    ):
        ids = list(dict.fromkeys(change.article_id for change in batch))
        from_memory = _from_memory(batch, fresh)
        added: list[tuple[StoredArticle | Article, Sequence[str]]] = [
            (article, article.paragraphs) for i in ids if (article := from_memory.get(i)) is not None
        ]
        added += store.with_paragraphs([i for i in ids if i not in from_memory])
        copy.apply(ids, added)
        cursor = batch[-1].seq
        copy.commit(cursor)
        applied += len(batch)
        if progress is not None:
            progress(sum(len(paragraphs) for _, paragraphs in added))
    return applied


def articles_in_store(
    store: Store, after: str = "", chunk: int = BUILD_ARTICLES
) -> Iterator[list[tuple[StoredArticle, list[str]]]]:
    """Every article the store holds with its paragraphs, `chunk` at a time, in id order after `after`."""
    while ids := store.article_ids_after(after, chunk):
        yield store.with_paragraphs(ids)
        after = ids[-1]


def _from_memory(batch: list[Change], fresh: Fresh | None) -> dict[str, Article]:
    """The fresh articles whose newest change in `batch` is this process's own write."""
    if fresh is None:
        return {}
    newest: dict[str, Change] = {change.article_id: change for change in batch}
    return {
        i: article
        for i, article in fresh.articles.items()
        if (change := newest.get(i)) is not None and change.seq <= fresh.last_seq and change.kind != "removed"
    }


def _claimed(fd: int) -> bool:
    """Take the lock on `fd` if no other process holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _held(marker: Path) -> bool:
    """Whether a process holds the claim `marker` stands for (one removed meanwhile is held by none). Taken for a
    moment when free, so a builder's own `flock` may wait that moment."""
    try:
        fd = os.open(marker, os.O_RDONLY)
    except OSError:
        return False
    try:
        return not _claimed(fd)
    finally:
        os.close(fd)


def _remove_if_abandoned(marker: Path) -> None:
    """Remove the generation whose build `marker` claims, and the marker, if no process holds the claim."""
    fd = os.open(marker, os.O_RDWR)
    try:
        if _claimed(fd):
            generation = marker.with_name(marker.name.removesuffix(BUILDING))
            log.info("removing %s, an index build cut short", generation)
            shutil.rmtree(generation, ignore_errors=True)
            marker.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _behind(cursor: int, head: int) -> str:
    """What an index ahead of its store's log means, and what is done: "it was made from another store or an older
    copy of this one" had it backwards (the store is the older copy: a backup restored), and said nothing of what
    came next, which a command's reader, shown warnings only, waited through."""
    return (
        f"holds changes up to {cursor}, but the store's log ends at {head}: the store is an older copy than the one it"
        " was made from (a backup restored), or another store; making the index again from the store"
    )


def _cannot_build(root: Path | None, error: OSError) -> IndexCorruptError:
    return IndexCorruptError(f"cannot build an index in {root}: {error.strerror or error}")


def _last_write(directory: Path) -> float:
    return max((p.stat().st_mtime for p in directory.iterdir()), default=directory.stat().st_mtime)
