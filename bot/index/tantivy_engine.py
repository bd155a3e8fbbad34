"""tantivy: the default engine, an index on disk that many processes read and one at a time writes.

Each paragraph is one document of pre-analysed terms; the headline counts for every paragraph of its article,
weighted by `headline_boost`, and question words standing side by side add a phrase bonus, read from a field
of word pairs rather than from word positions. The index's cursor (the last change-log entry it holds) is a
small file beside it, written after each commit: a crash between the two only makes the next follower replay a
few changes, which is harmless.

tantivy maps its segment files into memory, and reading a page past the end of a file cut short under it (an
outside tool truncating it in place) kills the process with SIGBUS: no exception, no log line. tantivy writes a
segment file once and never shortens it, so a file shorter than when this process last reloaded was cut by
someone else: the engine reloads only when told (not in tantivy's own thread, whose one late reload at open it
waits out) and only if a commit was made since its last reload, checks the sizes before each reload and search and,
finding one cut, is damaged for good (IndexCorruptError: the follower builds a new index from the store) instead of
reading it. A file cut while a search, a reload or a merge of this process's writer reads it still kills the
process: only not mapping the files would avoid that, and tantivy-py maps every index it opens from disk (it offers no
other directory); a process waiting (a chat at its prompt, a bot between questions, no other process writing) reads
none. Removing a file leaves its mapping whole (a generation deleted under a reader is still searched), and newsbot
never cuts one: only an outside tool does (a copy written over the live files truncates each first). A file whose
bytes are garbled (its size whole) makes tantivy panic when a search decodes them: the engine is damaged for good
alike.

tantivy checks a file's footer when it opens it, not the checksum the footer holds, and on bytes it cannot decode
panics (printing a Rust backtrace to stderr, and at open raising out of our reach). So before tantivy opens or
reloads an index the engine checks what the last commit names (meta.json): each file there, whole by its checksum.
meta.json missing beside segment files or a cursor is damage too: tantivy would start an empty index over them. A
file is checked once per (inode, size, modification time), by whichever process sees it first: the stamps of the
files found whole are kept beside the index (`checked`), so a command opening a current index reads no file whole.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import platform
import re
import struct
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any, NoReturn

import tantivy

from bot.errors import IndexCorruptError, IndexUnwritableError, IndexWriteError
from bot.index.aside import bytes_of, remove_left_aside, write_whole
from bot.index.engine import NO_CURSOR, Idf, IndexedParagraph, Query, searched_terms, unique_terms
from bot.index.holder import holder_of, record_holder
from bot.models import Command, Hit, Holder

log = logging.getLogger(__name__)

WRITER_HEAP_BYTES = 256_000_000
# How tantivy-py words a lock file it could not make ("Failed to acquire Lockfile: IoError(Os { code: 30, kind:
# ReadOnlyFilesystem, ... })"), and the kinds of the system's refusal that mean the directory cannot be written.
_LOCK_FAILED = "Failed to acquire Lockfile"
_NOT_WRITABLE = ("ReadOnlyFilesystem", "PermissionDenied")
# Question words that stand side by side in a paragraph (after stopwords are dropped) are strong evidence of
# an answer; the weight was tuned on one random half of SQuAD's questions and checked on the other
# (bench/quality.py), as a phrase query without slop. Each paragraph's side-by-side pairs are indexed as terms
# of their own ("pairs"), and a pair is searched as one term weighted to give the phrase query's score (its
# words' idf summed, with the pair's count as its frequency): a phrase query reads the positions of both words
# in every paragraph holding them, which for two common words ("said mr") at 1M paragraphs took 10-20 ms, and
# tantivy can skip no documents for a query holding one; a term it reads like any other word.
PAIR_BOOST = 0.35
PAIR_SEPARATOR = "|"  # never part of a term (bot/analysis.py)
CURSOR_FILE = "cursor"
# tantivy's lock on its one writer (a flock), in which the holder records itself.
WRITER_LOCK_FILE = ".tantivy-writer.lock"
# tantivy's lock on its meta.json, which it takes (making the file, or opening it to write) to open or reload an index.
META_LOCK_FILE = ".tantivy-meta.lock"
META_FILE = "meta.json"
# Beside the cursor: each committed file found whole, with its (inode, size, modification time) then.
CHECKED_FILE = "checked"
# The files of one committed segment (tantivy's SegmentComponent), and its deletes, `<id>.<opstamp>.del`.
SEGMENT_COMPONENTS = ("idx", "pos", "term", "store", "fast", "fieldnorm")
# tantivy's file footer: a JSON text holding the body's CRC-32, its length (u32) and this magic number (u32).
FOOTER_MAGIC = 1337
FOOTER_MAX_BYTES = 50_000
CHECK_CHUNK_BYTES = 1 << 20
# tantivy's segment files (named by segment id), which it maps; its other files are replaced whole, never mapped.
SEGMENT_FILE = re.compile(r"^[0-9a-f]{32}\.")
# A segment file's (path, inode, size, modification time).
SegmentSize = tuple[str, int, int, int]
# tantivy's threads as the system names them (15 characters at most): the watcher of meta.json each Index starts
# (thread-tantivy-meta-file-watcher), and the thread in which it runs the readers' reloads.
TANTIVY_WATCHER = "thread-tantivy-"
TANTIVY_RELOADER = "watch-callbacks"
# The system calls a thread sleeping for a while waits in (nanosleep, clock_nanosleep), by machine, as
# /proc/<pid>/task/<tid>/syscall numbers them.
SLEEP_SYSCALLS = {"x86_64": ("35", "230"), "aarch64": ("101", "115")}
# Where Linux lists this process's threads (elsewhere there is none, and tantivy's threads are taken as idle).
PROC_TASKS = "/proc/self/task"
TANTIVY_SETTLE_SECONDS = 10.0
TANTIVY_SETTLE_POLL_SECONDS = 0.001


class TantivyEngine:
    """A persistent tantivy index: one document per paragraph, terms pre-analysed and whitespace-joined."""

    name = "tantivy"

    def __init__(
        self, directory: Path, headline_boost: float, pair_boost: float = PAIR_BOOST, command: Command = Command.NONE
    ) -> None:
        """`command`: the newsbot command this process runs ("run", "ingest"), which its writer's lock records for
        the processes waiting for it to name (`bot.index.holder`)."""
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.command = command
        self.headline_boost = headline_boost
        self.pair_boost = pair_boost
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
        builder.add_text_field("article", tokenizer_name="raw", index_option="basic")
        builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("pairs", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("headline", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("category", tokenizer_name="raw", index_option="basic")
        builder.add_date_field("published", fast=True)
        self.schema = builder.build()
        remove_left_aside(directory)
        self._checked = self._read_checked()
        loading = self._check_files()
        before = self._segment_sizes()
        try:
            self._index = tantivy.Index(self.schema, path=str(directory), reuse=True)
        except ValueError as exc:
            _raise_if_unwritable(exc, directory)
            if "schema does not match" in str(exc):
                raise IndexCorruptError(f"the index in {directory} was made by another version of newsbot") from exc
            raise IndexCorruptError(f"cannot open the index in {directory}: {exc}") from exc
        except BaseException as exc:  # a panic on a file checked whole (garbled since)
            if not _damage(exc):
                raise
            raise IndexCorruptError(self._damage_of(exc)) from None
        # tantivy's own reader reloads in a thread of its own each time meta.json changes (another process
        # commits), reading every segment file's end, past which a file cut short crashes the process. This one
        # reloads in `refresh` and after its commits, once it has checked the files' sizes.
        self._index.config_reader(reload_policy="Manual")
        _settle_tantivy_threads()
        self._writer: tantivy.IndexWriter | None = None
        self._cursor = self._read_cursor()
        # Each segment file's (path, inode, size, modification time) as tantivy may have mapped it at the last reload
        # (or open), and why the engine is damaged ("" if not).
        self._sizes = _as_mapped(before, self._segment_sizes())
        self._damaged = ""
        # meta.json as read before the last reload (or open), which tantivy's reader holds that commit of or a later
        # one: "" when there was none.
        self._loaded = loading

    @property
    def cursor(self) -> int:
        return self._cursor

    def _read_cursor(self) -> int:
        try:
            return int((self.directory / CURSOR_FILE).read_text())
        except (OSError, ValueError):
            return NO_CURSOR

    def _write_cursor(self, cursor: int) -> None:
        write_whole(self.directory / CURSOR_FILE, str(cursor))
        self._cursor = cursor

    def try_write(self) -> bool:
        # Taken only while writing: tantivy allows one writer per index (a lock file every process honours,
        # released by the system if its holder dies), and readers need none.
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES)
            except ValueError as exc:
                if "LockBusy" in str(exc):
                    return False
                raise IndexWriteError(f"cannot write the index in {self.directory}: {exc}") from exc
            self._record_holder()
            # Whoever held the writer before may have moved the cursor on.
            self.refresh()
        return True

    def _record_holder(self) -> None:
        """Record this process in tantivy's lock file (which it locks, and never writes in or removes), for those
        waiting for the writer to name it: "(an ingest?)" was a guess."""
        try:
            fd = os.open(self.directory / WRITER_LOCK_FILE, os.O_WRONLY)
        except OSError as exc:  # a tantivy that keeps its lock elsewhere: the holder goes unnamed
            log.debug("could not record the index writer's holder in %s: %s", self.directory, exc)
            return
        try:
            record_holder(fd, self.command)
        finally:
            os.close(fd)  # another open of the file: tantivy's own lock on it stays

    def holder(self) -> Holder | None:
        """Which process holds the writer, as it recorded itself; None if unknown."""
        return holder_of(self.directory / WRITER_LOCK_FILE)

    def _write(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise RuntimeError("the index writer is not held: call try_write() first")
        return self._writer

    @contextmanager
    def _writing(self) -> Iterator[tantivy.IndexWriter]:
        """The writer for one write. A failed write drops the writer and what it held uncommitted (tantivy kills a
        writer whose thread failed; the next write takes a new one). One that failed on a file it read damaged
        (another process's segment garbled under this one) is damage, built again from the store as a reader's is:
        said as "cannot write the index", it was never rebuilt, and the index fell behind the store for good. Any
        other (a full disk) is a write failure, said in one line."""
        writer = self._write()
        try:
            yield writer
        except IndexCorruptError:
            self._writer = None
            raise
        except BaseException as exc:
            damaged = _damage(exc)
            if not damaged and not isinstance(exc, ValueError | OSError):
                raise
            self._writer = None
            if damaged:
                # tantivy's words for a file it read damaged are also those of some writes' full disk ("An IO error
                # occurred: ..."): the files' checksums tell, read anew (a file garbled in place may keep its time).
                self._check_files(anew=True)
            raise IndexWriteError(f"cannot write the index in {self.directory}: {_reason(exc)}") from exc

    def add(self, paragraphs: Iterable[IndexedParagraph]) -> None:
        with self._writing() as writer:
            for p in paragraphs:
                doc = tantivy.Document()
                doc.add_text("key", f"{p.article_id}:{p.position}")
                doc.add_text("article", p.article_id)
                doc.add_text("body", " ".join(p.terms))
                doc.add_text("pairs", " ".join(pair_terms(p.terms)))
                doc.add_text("headline", " ".join(p.headline_terms))
                doc.add_text("category", p.category.casefold())
                if p.published is not None:
                    doc.add_date("published", p.published)
                writer.add_document(doc)

    def delete(self, article_ids: Iterable[str]) -> None:
        with self._writing() as writer:
            for article_id in article_ids:
                writer.delete_documents_by_term("article", article_id)

    def commit(self, cursor: int | None = None) -> None:
        """Make the writes so far durable and visible, then record `cursor`; the writer stays open for more."""
        with self._writing() as writer:
            # tantivy's commit reads every segment to apply the deletes, and on a garbled fast field panicked in a
            # thread of its own, which aborted the process: a file garbled or cut since the last reload is found first.
            self._check_sizes()
            writer.commit()
            if cursor is not None:
                self._write_cursor(cursor)
        self._reload()

    def release(self) -> None:
        """Let background merges finish and drop the writer (and its lock on the index); a damaged index's writer is
        dropped with what it held uncommitted, since its commit and merges would read the damaged files."""
        if self._writer is not None and self._damaged:
            self._writer = None
        if self._writer is not None:
            with self._writing() as writer:
                writer.commit()
                writer.wait_merging_threads()
            self._writer = None
            self._reload()

    def refresh(self) -> None:
        self._reload()
        self._cursor = self._read_cursor()

    def _reload(self) -> None:
        """See the last commit, unless a segment file was cut short since the last reload (reading it would crash)
        or a file the commit names is missing or not whole. With no commit since the last reload, tantivy is not
        asked: its reload opens every segment again, reading each file's end, and the follower's look every second
        did so on an index nobody wrote: a file cut between the look's check of the sizes and that read (under load,
        a window of milliseconds at every look) killed a chat waiting at its prompt with SIGBUS."""
        self._check_sizes()
        loading = self._check_files()
        if loading and loading == self._loaded:
            self._check_lockable()
            return
        before = self._segment_sizes()
        try:
            self._index.reload()
        except ValueError as exc:  # its files were removed or damaged under this process
            _raise_if_unwritable(exc, self.directory)
            raise IndexCorruptError(f"cannot read the index in {self.directory}: {exc}") from exc
        except BaseException as exc:
            if not _damage(exc):
                raise
            self._damaged = self._damage_of(exc)
            raise IndexCorruptError(self._damaged) from None
        self._sizes = _as_mapped([*self._sizes, *before], self._segment_sizes())
        self._loaded = loading

    def _check_lockable(self) -> None:
        """Raise IndexUnwritableError if tantivy could no longer take its lock here to reload the index (a disk turned
        read-only), as a reload would: a look with nothing to reload said nothing of it, while every other process
        failed to open the index."""
        try:
            os.close(os.open(self.directory / META_LOCK_FILE, os.O_WRONLY | os.O_CREAT, 0o644))
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise _unwritable(self.directory, exc.strerror or str(exc)) from exc
            raise IndexCorruptError(f"cannot read the index in {self.directory}: {exc.strerror or exc}") from exc

    def _check_files(self, anew: bool = False) -> str:
        """Raise IndexCorruptError, now and from then on, if a file the last commit names is missing or fails its
        checksum (`anew`: each read whole, even one found whole before as it is now), or meta.json is missing beside
        what a commit leaves (tantivy would start an empty index there). A commit of another process's between
        reading meta.json and a file (its merge removing the file) is read again. Returns meta.json as checked
        ("" if there is none yet)."""
        meta = missing = ""
        while True:
            try:
                now = (self.directory / META_FILE).read_text()
            except FileNotFoundError:
                if self._committed_before():
                    self._fail(f"its {META_FILE} is missing")
                return ""
            except (OSError, UnicodeDecodeError) as exc:
                self._fail(f"its {META_FILE} cannot be read: {_reason(exc)}")
            if now == meta:
                self._fail(f"its file {missing} is missing")
            meta = now
            try:
                names = _committed_files(json.loads(meta))
            except (ValueError, KeyError, TypeError, AttributeError):
                self._fail(f"its {META_FILE} is garbled")
            if not (missing := self._check_whole(names, anew)):
                return meta

    def _check_whole(self, names: Iterable[str], anew: bool) -> str:
        """Check the files `names` whole (each not checked before as it is now, unless `anew`); returns the name of
        one missing."""
        stamps: dict[str, tuple[int, int, int]] = {}
        for name in names:
            try:
                status = os.stat(self.directory / name)
            except FileNotFoundError:
                return name
            stamps[name] = (status.st_ino, status.st_size, status.st_mtime_ns)
            if (anew or self._checked.get(name) != stamps[name]) and not _whole(self.directory / name):
                self._fail(f"its file {name} fails its checksum")
        if stamps != self._checked:
            self._checked = stamps
            self._write_checked()
        return ""

    def _committed_before(self) -> bool:
        """Whether a commit left anything here: segment files, or a cursor (or the directory is gone)."""
        try:
            return (self.directory / CURSOR_FILE).exists() or any(map(SEGMENT_FILE.match, os.listdir(self.directory)))
        except FileNotFoundError:  # removed under this process
            return True

    def _fail(self, why: str) -> NoReturn:
        self._damaged = f"the index in {self.directory} is damaged ({why})"
        raise IndexCorruptError(self._damaged)

    def _damage_of(self, error: BaseException) -> str:
        return f"the index in {self.directory} is damaged ({str(error).splitlines()[0]})"

    def _read_checked(self) -> dict[str, tuple[int, int, int]]:
        try:
            return {
                name: (a, b, c) for name, (a, b, c) in json.loads((self.directory / CHECKED_FILE).read_text()).items()
            }
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def _write_checked(self) -> None:
        try:
            write_whole(self.directory / CHECKED_FILE, json.dumps(self._checked))
        except OSError as exc:  # a read-only or full disk: the next process checks the files again
            log.debug("could not record the files checked in %s: %s", self.directory, exc)

    def _segment_sizes(self) -> list[SegmentSize]:
        """The (path, inode, size, modification time) of each segment file in the directory now (some may still be
        being written)."""
        sizes = []
        with os.scandir(self.directory) as entries:
            for entry in entries:
                if SEGMENT_FILE.match(entry.name):
                    try:
                        status = entry.stat()
                    except FileNotFoundError:  # merged away meanwhile
                        continue
                    sizes.append((entry.path, status.st_ino, status.st_size, status.st_mtime_ns))
        return sizes

    def _check_sizes(self) -> None:
        """Raise IndexCorruptError, now and from then on, if a segment file was cut short since the last reload, or a
        committed one written over in place (tantivy never does) and no longer whole.

        A stat a file: for the BBC corpus's 36, 0.1 to 0.3 ms a search on a busy two-core machine (a search took
        0.6 to 0.8 ms there), 1 to 2% of the CPU a question costs the bot. Checking less often left a window in
        which a search crashed."""
        # The bot searches in worker threads while its follower reloads in another, replacing the list: this
        # check marks the list it reads.
        sizes = self._sizes
        if not self._damaged:
            for i, (path, inode, size, written) in enumerate(sizes):
                try:
                    status = os.stat(path)
                except FileNotFoundError:  # merged away: its mapping stays whole
                    continue
                if status.st_ino != inode:
                    continue
                if status.st_size < size:
                    self._damaged = (
                        f"the index file {path} was cut short under this process ({status.st_size:,} of {size:,} bytes)"
                    )
                    break
                if status.st_mtime_ns != written and (name := os.path.basename(path)) in self._checked:
                    if not _whole(Path(path)):
                        self._fail(f"its file {name} fails its checksum")
                    sizes[i] = (path, inode, status.st_size, status.st_mtime_ns)  # only touched
        if self._damaged:
            raise IndexCorruptError(self._damaged)

    def _searcher(self) -> tantivy.Searcher:
        self._check_sizes()
        return self._index.searcher()

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Raise IndexCorruptError, now and from then on, for a file found damaged while reading: tantivy checks
        a segment file's footer when it opens it, not its content, and on bytes it cannot decode (a copy or a
        disk that garbled them) raises ValueError ("Failed to lookup Doc") or panics, with pyo3's PanicException,
        a BaseException that stopped the bot's event loop, so the whole process. Any other ValueError (a query
        tantivy refuses) is a bug of ours, raised as it is: taken for damage, it rebuilt the index for nothing."""
        try:
            yield
        except BaseException as exc:
            if not _damage(exc):
                raise
            self._damaged = self._damage_of(exc)
            raise IndexCorruptError(self._damaged) from None

    def count(self) -> int:
        with self._reading():
            return self._index.searcher().num_docs

    def _filters(self, query: Query) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        filters = []
        if query.category:
            filters.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "category", query.category.casefold()))
            )
        if query.since or query.until:
            filters.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        self.schema, "published", tantivy.FieldType.Date, query.since, query.until
                    ),
                )
            )
        return filters

    def search(self, query: Query, limit: int) -> list[Hit]:
        with self._reading():
            return self._search(_View(self._searcher()), query, limit)

    def search_weighing(self, query: Query, limit: int, terms: Sequence[str]) -> tuple[list[Hit], Idf]:
        # One searcher: one check of the files' sizes, and weights of the view the hits came from.
        with self._reading():
            view = _View(self._searcher())
            return self._search(view, query, limit), _idf_of(view, terms)

    def _search(self, view: _View, query: Query, limit: int) -> list[Hit]:
        searcher = view.searcher
        terms = searched_terms(query, partial(view.frequency, "body"), searcher.num_docs)
        if not terms or limit <= 0:
            return []
        should: list[tantivy.Query] = [tantivy.Query.term_query(self.schema, "body", t) for t in terms]
        if self.headline_boost > 0:
            should += [
                tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, "headline", t), self.headline_boost)
                for t in terms
            ]
        if self.pair_boost > 0:
            should += self._pair_queries(view, query.terms)
        text = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in should])
        filters = self._filters(query)
        final = tantivy.Query.boolean_query([(tantivy.Occur.Must, text), *filters]) if filters else text
        # Hits of one score come in the order of the index's segments, which its writer's threads fill as they race:
        # the same stories indexed twice put tied paragraphs (each of a story only its headline matches) in another
        # order, or cut another of them at `limit`, and the answers shown differed between two builds of one library
        # (a desk's test failed now and then). The ties at the cut are all fetched, and every tie is ordered by key.
        asked = limit
        while True:
            found = searcher.search(final, limit=asked, count=False).hits
            if len(found) < asked or found[limit - 1][0] != found[-1][0]:
                break
            asked *= 2
        hits = []
        for score, address in found:
            article_id, _, position = searcher.doc(address)["key"][0].rpartition(":")
            hits.append(Hit(article_id, int(position), float(score)))
        hits.sort(key=lambda hit: (-hit.score, hit.article_id, hit.position))
        return hits[:limit]

    def _pair_queries(self, view: _View, terms: Sequence[str]) -> list[tantivy.Query]:
        """The phrase bonus of each pair of question words that some paragraph holds side by side."""
        total = max(view.searcher.num_docs, 1)
        queries = []
        for a, b in pairwise(terms):
            if a != b and (found := view.frequency("pairs", pair := _pair(a, b))):
                words = _idf(total, view.frequency("body", a)) + _idf(total, view.frequency("body", b))
                weight = self.pair_boost * words / _idf(total, found)
                queries.append(tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, "pairs", pair), weight))
        return queries

    def idf(self, terms: Sequence[str]) -> Idf:
        with self._reading():
            return _idf_of(_View(self._searcher()), terms)

    def begins_a_term(self, prefix: str) -> bool:
        with self._reading():
            # The two most used, in case `prefix` itself is one of them.
            found = self._searcher().terms_with_prefix("body", prefix, limit=2)
        return any(term != prefix for term, _ in found)

    def terms_beginning(self, prefix: str) -> list[str]:
        with self._reading():
            return [term for term, _ in self._searcher().terms_with_prefix("body", prefix)]

    def size_bytes(self) -> int:
        return bytes_of(self.directory.rglob("*"))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None


def _settle_tantivy_threads() -> None:
    """Return once no thread of tantivy's will read the index's files on its own.

    tantivy-py's Index makes a reader that reloads on its own before `config_reader` replaces it, and tantivy's
    watcher of meta.json, started with it, takes any meta.json as changed at its first look: if it looked before
    the reader was replaced, it reloads the replaced reader once more, in a thread of its own, after the engine is
    made. Starved under load, that reload ran while the process waited, after an outside tool had cut the files,
    and killed it with SIGBUS. Once each watcher sleeps between two looks (and no thread of reloads is left),
    no reload is pending: the next looks find no reader to reload. At most TANTIVY_SETTLE_SECONDS, then it goes on
    (said in the log)."""
    deadline = time.monotonic() + TANTIVY_SETTLE_SECONDS
    while not _tantivy_threads_idle():
        if time.monotonic() > deadline:
            log.info("tantivy's threads were still busy after %s s; going on", TANTIVY_SETTLE_SECONDS)
            return
        time.sleep(TANTIVY_SETTLE_POLL_SECONDS)


def _tantivy_threads_idle() -> bool:
    """Whether each of tantivy's threads in this process is a watcher asleep between two looks at meta.json (as
    Linux's /proc tells; where it cannot tell, taken as idle). A thread the watcher has just started bears its
    name until it names itself."""
    try:
        tasks = os.listdir(PROC_TASKS)
    except OSError:
        return True
    for task in tasks:
        folder = f"{PROC_TASKS}/{task}/"
        try:
            with open(folder + "comm") as comm:
                name = comm.read().strip()
            if name == TANTIVY_RELOADER or (name == TANTIVY_WATCHER and not _asleep(folder)):
                return False
        except OSError:  # the thread ended meanwhile (no file, no such process), or /proc will not tell
            continue
    return True


def _asleep(task: str) -> bool:
    """Whether the thread whose /proc folder is `task` sleeps (nanosleep), by the system call it waits in or else by
    where the kernel says it waits; True if neither can be read."""
    sleeps = SLEEP_SYSCALLS.get(platform.machine())
    try:
        if sleeps is not None:
            with open(task + "syscall") as syscall:
                return syscall.read().split(" ", 1)[0] in sleeps
        with open(task + "wchan") as wchan:
            where = wchan.read()
    except PermissionError:
        return True
    return where in ("", "0") or "nanosleep" in where


_WRITER_KILLED = "index writer was killed"
# How tantivy's errors for a damaged file begin (its TantivyError's IoError, DataCorruption, OpenReadError and
# DeserializeError; InvalidArgument only for a document its own search found that its store cannot give back).
_DAMAGE = (
    "An IO error occurred:",
    "Data corrupted:",
    "Failed to open file for read:",
    "Deserialize error:",
    "An invalid argument was passed: 'Failed to lookup Doc",
)


def _damage(error: BaseException) -> bool:
    """Whether tantivy's `error` says a file it read is damaged: a panic, or one of its errors for what it found
    on disk (tantivy's `TantivyError`, as tantivy-py words it: "An IO error occurred: 'Unsupported dictionary
    type, found 0'" for a garbled term dictionary, "...: 'Failed to lookup Doc #0.'" for a garbled doc store)."""
    if type(error).__name__ == "PanicException":
        return True
    return isinstance(error, ValueError) and str(error).startswith(_DAMAGE)


def _raise_if_unwritable(error: ValueError, directory: Path) -> None:
    """Raise IndexUnwritableError if tantivy could not make its lock file in `directory` for want of the right to
    write there (which it needs to open or reload an index): on a read-only disk every command said the index was
    damaged and failed to build it again, and a running bot said so every second."""
    if _LOCK_FAILED in str(error) and any(kind in str(error) for kind in _NOT_WRITABLE):
        raise _unwritable(directory, _reason(error)) from error


def _unwritable(directory: Path, reason: str) -> IndexUnwritableError:
    return IndexUnwritableError(
        f"cannot read the index in {directory}: its directory cannot be written ({reason}), and the index needs a"
        " lock file there even to be read; make the data directory writable again"
    )


def _reason(error: BaseException) -> str:
    """What went wrong, from tantivy's long Rust debug text when it holds the system's message."""
    # `message: "No space left on device"` in its debug text, or `'No space left on device (os error 28)'`.
    found = re.search(r'message: "([^"]+)"|\'([^\']+) \(os error \d+\)\'', str(error))
    if found:
        return found[1] or found[2]
    if _WRITER_KILLED in str(error):
        # What tantivy says when its writing thread failed, without why (it guesses "io::Error most likely").
        return "its writer failed on an input/output error (a full disk, most likely)"
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error).splitlines()[0]


def _as_mapped(before: list[SegmentSize], after: list[SegmentSize]) -> list[SegmentSize]:
    """The segment files listed `after` tantivy mapped them, each as listed at its largest (the same path and inode)
    `before` or after. A segment file only grows while tantivy writes it and is never written again once committed,
    so a smaller size is a cut; listed only after the mapping, a file cut in between was recorded at its cut size, so
    never found cut, and a search read past its end: under load that window lasted seconds (the wait for tantivy's
    threads)."""
    largest: dict[tuple[str, int], SegmentSize] = {}
    for listed in [*before, *after]:  # on a tie the later listing, with its modification time
        path, inode, size, _ = listed
        if (path, inode) not in largest or size >= largest[path, inode][2]:
            largest[path, inode] = listed
    return [largest[path, inode] for path, inode, _, _ in after]


def _committed_files(meta: dict[str, Any]) -> list[str]:
    """The files of the segments tantivy's meta.json names."""
    names = []
    for segment in meta["segments"]:
        stem = segment["segment_id"].replace("-", "")
        names += [f"{stem}.{component}" for component in SEGMENT_COMPONENTS]
        if segment.get("deletes"):
            names.append(f"{stem}.{segment['deletes']['opstamp']}.del")
    return names


def _whole(path: Path) -> bool:
    """Whether tantivy's file at `path` holds its footer and the CRC-32 there matches its body (a file gone
    meanwhile counts as whole: the commit that named it is gone too, and the next reload reads the one after)."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, os.SEEK_END)
            if size < 8:
                return False
            file.seek(size - 8)
            length, magic = struct.unpack("<II", file.read(8))
            if magic != FOOTER_MAGIC or length > min(FOOTER_MAX_BYTES, size - 8):
                return False
            body = size - 8 - length
            file.seek(body)
            expected = json.loads(file.read(length))["crc"]
            file.seek(0)
            crc = 0
            while body > 0:
                chunk = file.read(min(CHECK_CHUNK_BYTES, body))
                if not chunk:
                    return False
                crc = zlib.crc32(chunk, crc)
                body -= len(chunk)
    except FileNotFoundError:
        return True
    except (ValueError, KeyError, TypeError):
        return False
    return bool(crc == expected)


class _View:
    """One searcher's view of the index, each term's paragraph count read from it once: a question's search reads a
    word's count to leave common words out, again for its phrase bonus and again for its weight, each a look-up in
    every segment's term dictionary (200 of bench/speed.py's questions at 1M paragraphs: 4,726 reads, now 2,740)."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher
        self._frequencies: dict[tuple[str, str], int] = {}

    def frequency(self, field: str, term: str) -> int:
        """How many paragraphs hold `term` in `field`."""
        key = (field, term)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies[key] = self.searcher.doc_freq(field, term)
        return found


def _idf_of(view: _View, terms: Sequence[str]) -> Idf:
    """The terms' idf in paragraph bodies with the paragraph count, both of the one view `view` holds."""
    total = max(view.searcher.num_docs, 1)
    return Idf(view.searcher.num_docs, {t: _idf(total, view.frequency("body", t)) for t in unique_terms(terms)})


def _idf(total: int, frequency: int) -> float:
    """BM25's idf, as tantivy weighs a term found in `frequency` of `total` documents."""
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def pair_terms(terms: Sequence[str]) -> list[str]:
    """A paragraph's terms of the "pairs" field: each word with the one before it, the first with the start, so
    the field is as long as the body and BM25's length norm weighs a pair as it weighs the phrase."""
    return [_pair(a, b) for a, b in pairwise(["", *terms])]


def _pair(first: str, second: str) -> str:
    return f"{first}{PAIR_SEPARATOR}{second}"
