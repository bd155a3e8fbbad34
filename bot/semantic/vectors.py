"""Paragraph vectors on disk: a usearch index (HNSW, cosine, float16) beside a small SQLite map of its keys.

The vector store follows the article store on its own, like the lexical index: `apply` embeds what changed,
`commit(cursor)` makes it durable and records how far it got. It may lag behind the lexical index (the bot
then answers lexically for the newest articles); `cursor` says where to resume after a restart.

Write order makes a crash harmless: the index file is written aside and renamed into place, then the key map
and the cursor are committed in one SQLite transaction. An index holding keys the map does not know (a crash
between the two) has them as dead vectors; the changes after the cursor are applied again.

Vectors of removed or replaced paragraphs are never removed from the usearch index, only from the map: usearch
(2.26) saves an index it removed vectors from into a file that corrupts memory when loaded (a segfault or an abort
in the next command). They stay as dead vectors, found by searches and passed over, until they pass DEAD_SHARE of
the live ones: the commit then saves a new index made of the live vectors alone (a compaction).

usearch may also crash on a damaged file rather than raise, so no file is loaded unless its CRC-32 is among the
last few the writer committed (CHECKSUMS_FILE, replaced before the index file is, so that a reader of the one
before or of the new one finds its own). A damaged file, or key map, is said in one log line; the process answers
with words alone until the process writing the vectors has made them again from the store.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np
import numpy.typing as npt
from usearch.index import Index

from bot.errors import IndexWriteError, Stopped
from bot.index.aside import bytes_of
from bot.index.engine import NO_CURSOR
from bot.models import Article, StoredArticle
from bot.semantic.encoder import DIMENSIONS, StoppedPartway, Vectors

log = logging.getLogger(__name__)

INDEX_FILE = "paragraphs.usearch"
MAP_FILE = "paragraphs.sqlite3"
CHECKSUMS_FILE = "paragraphs.crc32"
# Checksums of the latest index files kept: a reader may checksum a file, then read the checksums after the writer
# replaced that file (more than once, for a slow reader: it then reads the new file).
KEPT_CHECKSUMS = 4
# Below this many vectors an exact scan is both faster than the graph and free of its misses.
EXACT_BELOW = 50_000
# Graph search breadth: usearch's default (64) missed gold paragraphs at 1M that 128 finds (bench/semantic_speed.py).
EXPANSION_SEARCH = 128
# What the vectors are made from, after the encoder's own recipe; vectors made another way (an older recipe, the
# other encoder) are dropped on open and made again.
PASSAGE_RECIPE = "headline. paragraph"
# Paragraphs given to the encoder at a time: 2-16 s of its work on two cores, which a stop waited for; the sentence
# encoder now gives up its batch under way (`Encoder.embed`'s `stop`), the articles of the batches done kept. Chunks
# of 64 embedded about 15% slower than whole steps (more padding per batch); 128 as fast.
EMBED_CHUNK = 128
# Paragraphs added to the index in one hold of its lock (a search waits for one at most): 64 took 50 to 130 ms on two
# loaded cores, 16 take 12 to 17 ms, the same time a paragraph.
ADD_PART = 16
# How long a writer between two parts lets the searches waiting for the lock go first, at most.
READERS_FIRST_SECONDS = 1.0
# Dead vectors kept beside the live ones at most (a share of them): past it a commit compacts the index, adding
# every live vector into a new one (about as long as storing them the first time: 3,300-4,000 a second). So the
# compactions cost at most about 1/DEAD_SHARE times what the removals would have, while a search passes over at
# most this share of dead vectors.
DEAD_SHARE = 0.25

SCHEMA = """
CREATE TABLE IF NOT EXISTS paragraphs (
    key INTEGER PRIMARY KEY, article_id TEXT NOT NULL, position INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS paragraphs_article ON paragraphs(article_id, position);
CREATE TABLE IF NOT EXISTS articles (article_id TEXT PRIMARY KEY, content TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

Embed = Callable[[Sequence[str]], Vectors]


def passage(headline: str, paragraph: str) -> str:
    """What is embedded for a paragraph: its headline first, as a reader sees it (and as "he" or "the deal"
    in the paragraph need), so a question about the story finds every paragraph of it."""
    return f"{headline}. {paragraph}"


def content_key(headline: str, paragraphs: Sequence[str]) -> str:
    """Identifies what an article's vectors were made from: an unchanged article keeps them through a re-index."""
    return hashlib.sha256("\x1f".join([headline, *paragraphs]).encode("utf-8")).hexdigest()[:24]


# An article to embed: its paragraphs, and its content's key (`content_key`).
_Changed = tuple[StoredArticle | Article, Sequence[str], str]


class VectorStore:
    """Paragraph vectors keyed by (article id, position); safe to search from several threads."""

    def __init__(self, directory: Path, embed: Embed | None, recipe: str, stop: threading.Event | None = None) -> None:
        self.directory = directory
        self._embed = embed
        self._stop = stop or threading.Event()
        self.recipe = f"{recipe}; {PASSAGE_RECIPE}"
        self._lock = threading.RLock()
        # Searches waiting for the lock, which a writer lets go first between two parts: a lock is not fair, and the
        # writer took it straight back for its next part, the search waiting out the whole step.
        self._waiting = 0
        self._turns = threading.Condition()
        # Paragraphs this process has embedded so far (callers count their work by it).
        self.embedded = 0
        self._open()

    def _open(self) -> None:
        directory = self.directory
        directory.mkdir(parents=True, exist_ok=True)
        self._place = _identity(directory)
        self._in_transaction = False
        self._next_key = 0
        # Vectors in the index whose keys the map no longer knows (see the module's doc).
        self._dead = 0
        # The key map's file as found damaged (None: it is not): this process then keeps an empty map in memory,
        # answering with words alone, until the writer (`repair`) has made the map anew.
        self._damaged_map: tuple[int, int, int] | None = None
        try:
            self._start(directory / MAP_FILE)
        except sqlite3.DatabaseError as exc:
            self._damaged_map = _file_identity(directory / MAP_FILE)
            log.warning(
                "vector key map %s is unreadable (%s); answering without the vectors until they are made again",
                directory / MAP_FILE,
                exc,
            )
            self._start(Path(":memory:"))

    def _start(self, map_file: Path) -> None:
        self._db = sqlite3.connect(map_file, check_same_thread=False, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            self._read_map()
        except sqlite3.DatabaseError:
            self._db.close()
            raise

    def _read_map(self) -> None:
        recipe = self._db.execute("SELECT value FROM meta WHERE key = 'recipe'").fetchone()
        # Vectors made by another recipe (the other encoder) mean nothing to this one: it reads none of them, and
        # only as their writer (`repair`) makes them again, as another process may be answering with them.
        self._made_by = recipe[0] if recipe is not None and recipe[0] != self.recipe else None
        self._loaded = self.cursor
        self._load()

    @classmethod
    def open(
        cls, directory: Path, embed: Embed | None, recipe: str, stop: threading.Event | None = None
    ) -> VectorStore:
        """The vectors in `directory`; `stop`, once set, makes `apply` give up between two EMBED_CHUNKs. `embed`
        None: to read them only (counted, searched with vectors made elsewhere), the encoder not loaded."""
        return cls(directory, embed, recipe, stop)

    @staticmethod
    def _new_index() -> Index:
        return Index(ndim=DIMENSIONS, metric="cos", dtype="f16", expansion_search=EXPANSION_SEARCH)

    def _reset(self) -> None:
        self._index = self._new_index()
        self._dead = 0
        self._db.executescript("DELETE FROM paragraphs; DELETE FROM articles; DELETE FROM meta;")

    def _file(self) -> tuple[int, int, int] | None:
        """Which index file is in place: each commit renames a new one into place."""
        return _file_identity(self.directory / INDEX_FILE)

    def _load(self) -> None:
        """Read the committed index file; the keys the map does not know are dead (removed since it was read, or
        written before a crash)."""
        path = self.directory / INDEX_FILE
        self._index = self._new_index()
        for _ in range(KEPT_CHECKSUMS):
            self._read = self._file()
            if self._read is None or self._made_by is not None:
                break
            try:
                problem = _unsafe(path)
            except FileNotFoundError:  # removed since it was looked at (see `_file`, below)
                problem = "was removed"
            if problem is None:
                try:
                    self._index.load(str(path))
                except Exception as exc:  # usearch raises bare RuntimeErrors for unreadable files
                    problem = f"is unreadable ({exc})"
            if self._file() == self._read:  # else the writer replaced it meanwhile: read the new one
                if problem is not None:
                    log.warning(
                        "vector index %s %s; answering without it until the vectors are made again", path, problem
                    )
                break
            self._index = self._new_index()
        self._dead = len(np.setdiff1d(self._stored(), self._mapped()))

    def _stored(self) -> npt.NDArray[np.uint64]:
        """The keys the index holds, dead or alive."""
        return np.asarray(self._index.keys, dtype=np.uint64) if len(self._index) else np.zeros(0, np.uint64)

    def _mapped(self) -> npt.NDArray[np.uint64]:
        """The keys the map gives paragraphs."""
        return np.array([r[0] for r in self._db.execute("SELECT key FROM paragraphs")], dtype=np.uint64)

    def refresh(self) -> None:
        """Take in what the process writing these vectors committed since they were loaded (a reader's view)."""
        with self._lock:
            if self._damaged_map is not None:
                if _file_identity(self.directory / MAP_FILE) != self._damaged_map:  # made anew by the writer
                    self.reopen()
                return
            # The cursor before the file: the file is replaced before the map commits, so it holds at least this.
            cursor = self.cursor
            if self._in_transaction or (cursor == self._loaded and self._file() == self._read):
                return
            self._load()
            self._loaded = cursor

    def repair(self) -> None:
        """Start again if the vectors were made by another recipe, or the index file lost vectors its map knows
        (gone, unreadable): for the process that has just taken the right to write them, after `refresh`. A
        reader may load the file just before the writer replaces it and read the map just after its commit, which
        looks the same: resetting the map they share there threw away every vector the writer had made."""
        with self._lock:
            if self._damaged_map is not None:
                self._db.close()
                for name in (MAP_FILE, f"{MAP_FILE}-wal", f"{MAP_FILE}-shm", INDEX_FILE):
                    (self.directory / name).unlink(missing_ok=True)
                self._open()
                log.warning("vector key map in %s made anew; the vectors will be made again", self.directory)
                return
            if self._made_by is not None:
                log.warning("vectors in %s were made by %r; they will be made again", self.directory, self._made_by)
                self._made_by = None
                (self.directory / INDEX_FILE).unlink(missing_ok=True)
            elif len(np.setdiff1d(self._mapped(), self._stored())):
                log.warning("vector index in %s lost vectors its map knows; it will be rebuilt", self.directory)
            else:
                return
            self._reset()
            self._loaded = self.cursor

    @property
    def cursor(self) -> int:
        """How far in the store's change log the committed vectors go (NO_CURSOR: they were never all made)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'cursor'").fetchone()
        return int(row[0]) if row else NO_CURSOR

    @property
    def store(self) -> str:
        """The identity of the store these vectors were made from ("" when not recorded)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'store'").fetchone()
        return str(row[0]) if row else ""

    def follow(self, store: str, cursor: int) -> None:
        """Record the store the vectors follow and how far in its log they go (NO_CURSOR: they are made again for
        every article it holds, keeping the vectors of articles whose text is the same)."""
        with self._lock:
            self._begin()
            self._db.executemany(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [("store", store), ("cursor", str(cursor))],
            )
            self._db.execute("COMMIT")
            self._in_transaction = False

    def count(self) -> int:
        """Paragraphs that have a vector (the dead vectors not counted)."""
        with self._lock:
            return len(self._index) - self._dead

    def article_ids(self) -> set[str]:
        """The articles that have vectors (applied, committed or not)."""
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT article_id FROM articles")}

    def _begin(self) -> None:
        if not self._in_transaction:
            self._db.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            # New keys go on from the map as it is (another process may have written since this one opened) and
            # past the dead vectors' (usearch refuses a key it holds).
            (top,) = self._db.execute("SELECT COALESCE(MAX(key), -1) + 1 FROM paragraphs").fetchone()
            stored = self._stored()
            self._next_key = max(self._next_key, int(top), int(stored.max()) + 1 if len(stored) else 0)

    def _remove(self, article_ids: Iterable[str]) -> None:
        for article_id in article_ids:
            keys = [r[0] for r in self._db.execute("SELECT key FROM paragraphs WHERE article_id = ?", (article_id,))]
            if keys:
                self._dead += int(np.count_nonzero(self._index.contains(np.array(keys, dtype=np.uint64))))
            self._db.execute("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))
            self._db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))

    def apply(self, removed: Sequence[str], added: Sequence[tuple[StoredArticle | Article, Sequence[str]]]) -> int:
        """Forget `removed` articles and embed `added` ones (replacing older versions); returns paragraphs embedded.

        An added article whose paragraphs are unchanged keeps its vectors, so replaying the log or rebuilding
        costs no encoding. The encoder runs outside the lock: questions keep being answered meanwhile. Nothing
        is durable until `commit`. Once the process stops (`stop`), the articles embedded whole by then are
        applied, the rest left as they were, and Stopped is raised.
        """
        ids = [article.id for article, _ in added]
        with self._lock:
            known: dict[str, str] = dict(
                self._db.execute(
                    f"SELECT article_id, content FROM articles WHERE article_id IN ({','.join('?' * len(ids))})", ids
                ).fetchall()
            )
        changed = [
            (article, paragraphs, key)
            for article, paragraphs in added
            if known.get(article.id) != (key := content_key(article.title, paragraphs))
        ]
        texts = [passage(article.title, text) for article, paragraphs, _ in changed for text in paragraphs]
        vectors, done = self._embedded(texts)
        stopped = not done.all()
        if stopped:  # the articles whose every paragraph was embedded before the stop are kept (`uncommitted`)
            changed, vectors = _embedded_whole(changed, vectors, done)
        with self._lock, self._undone_on_failure():
            self._begin()
            self._remove(set(removed) - set(ids))
        row = 0
        for part in _parts(changed):
            # A part at a time under the lock, which questions' searches take: a static step's 5,000 articles went
            # into the index under it whole, and questions waited 8 s for it (20 s under load).
            self._readers_first()
            with self._lock, self._undone_on_failure():
                self._remove(article.id for article, _, _ in part)
                for article, paragraphs, key in part:
                    self._db.execute("INSERT INTO articles VALUES (?, ?)", (article.id, key))
                    self._add([(article.id, i) for i in range(len(paragraphs))], vectors[row : row + len(paragraphs)])
                    row += len(paragraphs)
                    self.embedded += len(paragraphs)
        if stopped:
            raise Stopped
        return len(texts)

    def _readers_first(self) -> None:
        with self._turns:
            self._turns.wait_for(lambda: not self._waiting, timeout=READERS_FIRST_SECONDS)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """The lock, for a search: a writer between two parts waits until each search waiting for it has it."""
        with self._turns:
            self._waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._turns:
                self._waiting -= 1
                self._turns.notify_all()
        try:
            yield
        finally:
            self._lock.release()

    @property
    def uncommitted(self) -> bool:
        """Whether changes were applied since the last `commit`."""
        return self._in_transaction

    def _embedded(self, texts: Sequence[str]) -> tuple[Vectors, npt.NDArray[np.bool_]]:
        """`texts`' vectors, EMBED_CHUNK at a time, and which were made: once the process stops, none after the chunk
        under way, and of that chunk those its encoder made before it stopped (`StoppedPartway`)."""
        assert self._embed is not None, "vectors opened to be read are never made"
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        done = np.zeros(len(texts), dtype=np.bool_)
        for start in range(0, len(texts), EMBED_CHUNK):
            if self._stop.is_set():
                break
            chunk = slice(start, start + EMBED_CHUNK)
            try:
                vectors[chunk], done[chunk] = self._embed(texts[chunk]), True
            except StoppedPartway as partway:
                vectors[chunk], done[chunk] = partway.vectors, partway.done
                break
        return vectors, done

    def _add(self, paragraphs: Sequence[tuple[str, int]], vectors: Vectors) -> None:
        if not paragraphs:
            return
        keys = np.arange(self._next_key, self._next_key + len(paragraphs), dtype=np.uint64)
        self._next_key += len(paragraphs)
        self._index.add(keys, vectors)
        self._db.executemany(
            "INSERT INTO paragraphs VALUES (?, ?, ?)",
            [(int(k), a, p) for k, (a, p) in zip(keys, paragraphs, strict=True)],
        )

    def commit(self, cursor: int) -> None:
        """Make everything applied durable, then record `cursor` (the index file first, the map after it)."""
        with self._undone_on_failure():
            compacted = self._compacted()
        with self._lock, self._undone_on_failure():
            if compacted is not None and compacted[0] is self._index and compacted[1] == len(self._index):
                self._index, self._dead = compacted[2], 0
            index = self._index
        path = self.directory / INDEX_FILE
        aside = path.with_suffix(".tmp")
        if len(index):
            # Saved outside the lock, which searches take (the save, its fsync and checksum grow with the index: 35
            # ms at 10,000 vectors on an idle machine, questions waited for them): only this thread, the writer,
            # changes the index, and a search only reads it.
            with self._undone_on_failure():
                try:
                    index.save(str(aside))
                    with open(aside, "rb") as written:
                        os.fsync(written.fileno())
                    _add_checksum(self.directory, _crc32(aside))
                except BaseException:
                    aside.unlink(missing_ok=True)  # a part of a file, taking what space the disk had left
                    raise
        with self._lock, self._undone_on_failure():
            if len(index):
                os.replace(aside, path)
            else:
                path.unlink(missing_ok=True)  # no file is an empty index
            self._read = self._file()
            self._begin()
            self._db.executemany(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [("cursor", str(cursor)), ("recipe", self.recipe)],
            )
            self._db.execute("COMMIT")
            self._in_transaction = False
            self._loaded = cursor

    def _compacted(self) -> tuple[Index, int, Index] | None:
        """The index made anew from its live vectors alone once the dead ones pass DEAD_SHARE (see the module's
        doc), with the index and size it was made from. Made outside the lock: it takes about as long as storing
        them did, while questions are answered from the index as it is."""
        with self._lock:
            if self._dead <= DEAD_SHARE * self.count():
                return None
            source, size = self._index, len(self._index)
            keys = self._mapped()
            keys = keys[np.asarray(source.contains(keys), dtype=bool)] if len(keys) else keys
            vectors = np.asarray(source.get(keys)) if len(keys) else None
        index = self._new_index()
        if vectors is not None:
            index.add(keys, vectors)
        return source, size, index

    @contextmanager
    def _undone_on_failure(self) -> Iterator[None]:
        """A write that fails (a full disk) leaves the vectors as last committed, and is an index error: the bot
        logs it in one line and tries again later, the CLI says it in one line."""
        try:
            yield
        except (OSError, RuntimeError, sqlite3.Error) as exc:  # usearch raises bare RuntimeErrors
            with self._lock:
                needed = self._index.serialized_length
                self._rollback()
                self._load()
            reason = str(exc)
            with suppress(OSError):  # the directory removed under this process
                if shutil.disk_usage(self.directory).free < needed:
                    reason = f"no space left on the disk ({reason})"
            raise IndexWriteError(f"cannot write the paragraph vectors in {self.directory}: {reason}") from exc

    def _rollback(self) -> None:
        if self._db.in_transaction:  # SQLite may have rolled a failed write back itself
            self._db.execute("ROLLBACK")
        self._in_transaction = False

    def clear(self) -> None:
        """Forget every vector (a rebuild follows the change log from the start)."""
        with self._lock:
            self._rollback()
            self._reset()
            (self.directory / INDEX_FILE).unlink(missing_ok=True)

    def _keys(self, keys: Sequence[int]) -> dict[int, tuple[str, int]]:
        if not keys:
            return {}
        rows = self._db.execute(
            f"SELECT key, article_id, position FROM paragraphs WHERE key IN ({','.join('?' * len(keys))})",
            [int(k) for k in keys],
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def search(self, vector: Vectors, k: int) -> list[tuple[str, int, float]]:
        """The `k` paragraphs nearest to a unit `vector`: (article id, position, cosine), best first."""
        with self._reading():
            size = len(self._index)
            wanted = min(k, size - self._dead)
            if wanted <= 0:
                return []
            # Dead vectors among the nearest are passed over: ask for more until `wanted` live ones are found.
            asked = min(size, wanted + min(self._dead, wanted))
            while True:
                matches = self._index.search(vector, asked, exact=size < EXACT_BELOW)
                keys = [int(key) for key in matches.keys]
                found = self._keys(keys)
                if len(found) >= wanted or asked == size:
                    break
                asked = min(size, asked * 4)
        return [
            (*found[key], 1.0 - float(distance))
            for key, distance in zip(keys, matches.distances, strict=True)
            if key in found
        ][:k]

    def vectors(self, paragraphs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Vectors]:
        """Stored vectors of some paragraphs (those not embedded yet are absent)."""
        wanted = list(dict.fromkeys(paragraphs))
        if not wanted:
            return {}
        with self._reading():
            rows = self._db.execute(
                f"WITH w(a, p) AS (VALUES {','.join(['(?, ?)'] * len(wanted))})"
                " SELECT t.key, t.article_id, t.position FROM w CROSS JOIN paragraphs t"
                " ON t.article_id = w.a AND t.position = w.p",
                [v for pair in wanted for v in pair],
            ).fetchall()
            # A reader's index lags the map until it refreshes: only keys it holds have a vector here.
            keys = np.array([r[0] for r in rows], dtype=np.uint64)
            held = np.asarray(self._index.contains(keys), dtype=bool) if len(keys) else np.zeros(0, dtype=bool)
            rows = [r for r, present in zip(rows, held, strict=True) if present]
            if not rows:
                return {}
            stored = np.asarray(self._index.get(keys[held]), dtype=np.float32)
        return {(r[1], r[2]): stored[i] for i, r in enumerate(rows)}

    def vector(self, article_id: str, position: int) -> Vectors | None:
        """One paragraph's stored vector, or None if it has none yet."""
        return self.vectors([(article_id, position)]).get((article_id, position))

    def size_bytes(self) -> int:
        return bytes_of(self.directory.iterdir())

    def moved(self) -> bool:
        """Whether the directory at this path is not the one opened: the data directory was removed and made anew
        (its files, written on, were deleted)."""
        return _identity(self.directory) != self._place

    def reopen(self) -> None:
        """Open the directory now at this path, as a start would (what was not committed is dropped)."""
        with self._lock:
            self._rollback()
            self._db.close()
            self._open()

    def close(self) -> None:
        with self._lock:
            self._rollback()
            self._db.close()


def _parts(changed: Sequence[_Changed]) -> Iterator[Sequence[_Changed]]:
    """`changed` in parts of ADD_PART paragraphs or so (an article is never split)."""
    start, size = 0, 0
    for end, (_, paragraphs, _) in enumerate(changed, 1):
        size += len(paragraphs)
        if size >= ADD_PART:
            yield changed[start:end]
            start, size = end, 0
    if start < len(changed):
        yield changed[start:]


def _embedded_whole(
    changed: Sequence[_Changed], vectors: Vectors, done: npt.NDArray[np.bool_]
) -> tuple[list[_Changed], Vectors]:
    """Of `changed` articles, in order, those whose paragraphs' rows of `vectors` were all made (`done`), and
    those rows."""
    whole: list[_Changed] = []
    rows: list[int] = []
    start = 0
    for article in changed:
        end = start + len(article[1])
        if done[start:end].all():
            whole.append(article)
            rows.extend(range(start, end))
        start = end
    return whole, vectors[rows]


def _file_identity(path: Path) -> tuple[int, int, int] | None:
    """Which file is at `path` now (None: none): its inode, modification time and size."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def _crc32(path: Path) -> str:
    crc = 0
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


def _checksums(directory: Path) -> list[str] | None:
    """The checksums of the latest index files committed, oldest first (None: no file of them)."""
    try:
        return (directory / CHECKSUMS_FILE).read_text(encoding="ascii", errors="replace").split()
    except FileNotFoundError:
        return None


def _add_checksum(directory: Path, crc: str) -> None:
    """Add the checksum of the index file about to be put in place (written aside and renamed: whole or not)."""
    kept = [*(_checksums(directory) or [])[-(KEPT_CHECKSUMS - 1) :], crc]
    aside = directory / f"{CHECKSUMS_FILE}.{os.getpid()}.tmp"  # readers add one for a file they tried
    with open(aside, "w", encoding="ascii") as file:
        file.write("\n".join(kept) + "\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(aside, directory / CHECKSUMS_FILE)


# The key usearch gives a removed vector's slot, as saved (see the module's doc).
REMOVED_KEY = b"\xff" * 8


def _unsafe(path: Path) -> str | None:
    """Why the index file at `path` must not be loaded, or None. A file with no checksums beside it was written by
    an older newsbot, perhaps after removals (see the module's doc): it is loaded only if it holds no removed
    slot's key (an unlucky run of bytes in a whole file makes its vectors again: no harm but time)."""
    known = _checksums(path.parent)
    if known is not None:
        return None if _crc32(path) in known else "does not match its checksum (damaged)"
    crc, tail = 0, b""
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            if REMOVED_KEY in tail + chunk:
                return "was saved by an older newsbot after removals, which usearch cannot load"
            crc, tail = zlib.crc32(chunk, crc), chunk[-(len(REMOVED_KEY) - 1) :]
    _add_checksum(path.parent, f"{crc:08x}")  # checked once for all
    return None


def _identity(directory: Path) -> tuple[int, int] | None:
    """The (device, inode) of a directory now; None if there is none at its path."""
    try:
        status = directory.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino
