"""Static word-piece vectors distilled from the sentence encoder: meaning for corpora too large for the encoder.

`NEWSBOT_SEMANTIC=static`. Each of the tokenizer's 30,522 word pieces is run once through the shipped encoder,
between [CLS] and [SEP], and its hidden state kept (model2vec's recipe, done here with onnxruntime alone, so no
PyTorch and nothing downloaded): about 15 s on 2 cores, once per model file, kept in the per-user cache. A
text's vector is then the weighted mean of its pieces' vectors, a table lookup: thousands of paragraphs a second
where the encoder makes 40 to 80, so a million paragraphs take minutes instead of hours. It knows words, not
sentences, so it finds less than the encoder does (bench/quality.py), but more than words alone.

The same table serves the second stage in both semantic modes (`WordPieces.soft_match`): how closely each of a
question's words is met, by meaning, somewhere in a passage ("firm" by "company", "widow" by "wife"), which a
mean over a whole passage blurs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bot.analysis import STOPWORDS
from bot.errors import Stopped
from bot.index.aside import left_by_dead
from bot.semantic.encoder import (
    DIMENSIONS,
    MODEL_NAME,
    Encoder,
    ModelUnavailableError,
    Vectors,
    load_tokenizer,
)

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

# BERT's uncased vocabulary lists padding, unused slots, specials and single characters first, then its word
# pieces from the most to the least frequent: a piece's rank is its frequency's, with no corpus to count.
FIRST_WORD_PIECE = 1996
# A mean needs no cut for speed, as the encoder's 128 pieces do; this bounds a paragraph's pieces anyway (ingest
# splits paragraphs past 2,500 characters, about 600 pieces).
MAX_PIECES = 512
# Pieces run through the model at once while distilling, and texts looked up at once (bounding the memory of
# one lookup to about 25 MB).
DISTIL_BATCH = 512
EMBED_BATCH = 128
# Distinct words whose pieces are kept.
MAX_WORDS_KEPT = 500_000
NAME = f"{MODEL_NAME}, static word pieces"
# A table as distilled (kept in half precision) or made from it.
Table = npt.NDArray[np.floating[Any]]

_lock = threading.Lock()
_loaded: dict[tuple[Path, Path], tuple[WordPieces, str]] = {}


class WordPieces:
    """Every word piece's distilled vector, with the weight its rarity gives it; thread-safe (the table is read
    only, and the cache of words' pieces is a dict that gains whole entries)."""

    def __init__(self, rows: Vectors, tokenizer: Tokenizer) -> None:
        """`rows`: the table's unit rows and lengths, as `unit_rows` lays them out."""
        self.tokenizer = tokenizer
        size = tokenizer.get_vocab_size()
        # Each piece weighs log(1 + rank): "the" little, "gerasimov" much. Chosen on the tuning half of the BBC
        # questions, vector stage alone (paragraph R@3 0.62), against weights from the corpus's own piece counts
        # (0.60, and they would change as the corpus grows); on the held-out half no weights gave 0.51, these 0.60.
        ids = np.arange(size)
        self.weights = np.log1p(np.where(ids >= FIRST_WORD_PIECE, ids - FIRST_WORD_PIECE + 1, 1)).astype(np.float32)
        # Views of `rows`, which a start maps from the cache rather than reads: only the pages of the pieces looked
        # up are read, and the processes of one machine share them.
        self.unit = np.asarray(rows[: size * DIMENSIONS]).reshape(size, DIMENSIONS)
        self.lengths = np.asarray(rows[size * DIMENSIONS :])
        # The pieces a question's words are matched by: word pieces proper (no specials, punctuation or single
        # characters), and no stopwords.
        self._words: dict[str, tuple[int, ...]] = {}
        self._content = np.zeros(size, dtype=bool)
        for piece, i in tokenizer.get_vocab().items():
            if i >= FIRST_WORD_PIECE and (piece.startswith("##") or (piece.isalnum() and piece not in STOPWORDS)):
                self._content[i] = True

    def pieces(self, texts: Sequence[str]) -> list[npt.NDArray[np.int64]]:
        """Each text's word piece ids (at most MAX_PIECES), by the tokenizer itself (fast for many texts)."""
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [np.asarray(e.ids[:MAX_PIECES], dtype=np.int64) for e in encodings]

    def word_pieces(self, text: str) -> npt.NDArray[np.int64]:
        """A text's word piece ids (at most MAX_PIECES), each word's looked up once per process: several times
        faster than the tokenizer for the few dozen passages of one question, where that time is a reader's."""
        # The tokenizer splits at white space first, then punctuation off each word itself (BERT's own rules).
        words = text.split()
        found = [self._words.get(word) for word in words]
        if None in found:
            missing = list(dict.fromkeys(w for w, f in zip(words, found, strict=True) if f is None))
            encodings = self.tokenizer.encode_batch(missing, add_special_tokens=False)
            fresh = {word: tuple(e.ids) for word, e in zip(missing, encodings, strict=True)}
            if len(self._words) + len(fresh) > MAX_WORDS_KEPT:
                self._words.clear()  # about 100 MB at most; a larger vocabulary starts over
            self._words.update(fresh)
            found = [f if f is not None else fresh[w] for w, f in zip(words, found, strict=True)]
        return np.fromiter(chain.from_iterable(found), dtype=np.int64)[:MAX_PIECES]  # type: ignore[arg-type]

    def soft_match(self, question: str, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """How closely each text meets the question's words by meaning: over the question's content pieces,
        weighted by rarity, the mean of each piece's best cosine with any piece of the text (1 when every one
        appears as it is; 0 for a question with no content piece)."""
        asked = self.word_pieces(question)
        asked = asked[self._content[asked]]
        out = np.zeros(len(texts))
        pieces = [self.word_pieces(text) for text in texts]
        rows = [i for i, p in enumerate(pieces) if len(p)]
        if not len(asked) or not rows:
            return out
        kept = [pieces[i] for i in rows]
        firsts = np.cumsum([0] + [len(p) for p in kept[:-1]])
        # Passages share most of their pieces: each distinct one's cosines are worked out once (3 to 6 times
        # faster than for every occurrence).
        distinct, where = np.unique(np.concatenate(kept), return_inverse=True)
        near = (self.unit[asked] @ self.unit[distinct].T)[:, where]
        best = np.maximum.reduceat(near, firsts, axis=1)
        weights = self.weights[asked]
        out[rows] = (weights @ best) / weights.sum()
        return out


class StaticEncoder:
    """Embeds texts as the weighted mean of their word pieces' distilled vectors; thread-safe (read-only)."""

    name = NAME

    def __init__(self, pieces: WordPieces, model_key: str) -> None:
        self.pieces = pieces
        # A piece's row in a text's sum: its unit row times this (its centred row, weighted). Multiplied as texts
        # look their pieces up, not for the whole table at a start (47 MB, and every page of the mapped rows read).
        self._scale = pieces.lengths * pieces.weights
        self.recipe = static_recipe(model_key)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors for `texts`, one row each (a text with no word pieces gets zeros)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), EMBED_BATCH):
            pieces = self.pieces.pieces(texts[start : start + EMBED_BATCH])
            rows = np.array([start + i for i, p in enumerate(pieces) if len(p)], dtype=np.int64)
            if not len(rows):
                continue
            kept = [p for p in pieces if len(p)]
            firsts = np.cumsum([0] + [len(p) for p in kept[:-1]])
            ids = np.concatenate(kept)
            sums = np.add.reduceat(self.pieces.unit[ids] * self._scale[ids, None], firsts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            out[rows] = sums / np.maximum(norms, 1e-9)
        return out

    def embed_one(self, text: str) -> Vectors:
        """The unit vector of one text (a question), as a 1-D array."""
        vector: Vectors = self.embed([text])[0]
        return vector


def distil(encoder: Encoder, tokenizer: Tokenizer, stop: threading.Event | None = None) -> Vectors:
    """Every word piece's vector in `tokenizer`'s vocabulary: its hidden state between [CLS] and [SEP] (raises
    Stopped once `stop` is set, the batch under way given up)."""
    size = tokenizer.get_vocab_size()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    table = np.zeros((size, DIMENSIONS), dtype=np.float32)
    for start in range(0, size, DISTIL_BATCH):
        if stop is not None and stop.is_set():
            raise Stopped
        ids = np.arange(start, min(size, start + DISTIL_BATCH), dtype=np.int64)
        batch = np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1)
        table[ids] = encoder.hidden_states(batch, np.ones_like(batch), stop)[:, 1]
    return table


def static_recipe(model_key: str) -> str:
    """What makes the static vectors of the model whose key is `model_key` (see `TextEncoder.recipe`)."""
    return f"{NAME} ({model_key}); log-rank weights"


def model_key(model_path: Path) -> str:
    """Names a model file by its content, so a table distilled from another file is never used for it. Hashed once a
    process while the file stays as it is (a bot's start asked twice, 16 ms each)."""
    stat = model_path.stat()
    return _content_key(model_path, stat.st_ino, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _content_key(model_path: Path, inode: int, size: int, modified_ns: int) -> str:
    """`model_key` of the file at `model_path` as its stat gives it (one replaced or rewritten is hashed again)."""
    digest = hashlib.sha256()
    with model_path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def load_static(model_path: Path, directory: Path, encoder: Encoder | None = None) -> StaticEncoder:
    """The static encoder of the model at `model_path` (its table as `load_pieces` gives it)."""
    pieces, key = load_pieces(model_path, directory, encoder)
    return StaticEncoder(pieces, key)


def load_pieces(
    model_path: Path, directory: Path, encoder: Encoder | None = None, stop: threading.Event | None = None
) -> tuple[WordPieces, str]:
    """The word pieces of the model at `model_path` and its key: the table's unit rows mapped from `directory`, made
    there first from the table if missing or unreadable, and the table distilled there first if missing or
    unreadable too (`encoder`: the loaded model, else loaded here for the distillation only; `stop`: see `distil`).
    Loaded once per process and shared, as the encoder is (every library a process opens uses the same)."""
    with _lock:
        if (model_path, directory) not in _loaded:
            _loaded[(model_path, directory)] = _read_or_distil(model_path, directory, encoder, stop)
        return _loaded[(model_path, directory)]


def is_distilled(model_path: Path, directory: Path) -> bool:
    """Whether `load_pieces` would find the table loaded or kept in `directory` (or its unit rows), rather than
    distil it."""
    if (model_path, directory) in _loaded:
        return True
    try:
        key = model_key(model_path)
    except OSError:
        return False  # `load_pieces` says why
    return _whole(unit_rows_path(directory, key)) or _whole(table_path(directory, key))


def _whole(path: Path) -> bool:
    """Whether the array at `path` holds all the values its header promises: a table cut short (a full disk, a copy
    interrupted) is distilled aside like a missing one, instead of while the bot waits to start."""
    try:
        with path.open("rb") as f:
            version = np.lib.format.read_magic(f)
            header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = header(f)
            return os.fstat(f.fileno()).st_size == f.tell() + int(np.prod(shape)) * dtype.itemsize
    except (OSError, ValueError):
        return False  # missing or no array: `load_pieces` says why


def table_path(directory: Path, key: str) -> Path:
    """Where the table of the model whose key is `key` is kept in `directory`."""
    return directory / f"static-{key}.npy"


def unit_rows_path(directory: Path, key: str) -> Path:
    """Where the unit rows made from that table (`unit_rows`) are kept beside it."""
    return directory / f"unit-{key}.npy"


def unit_rows(table: Table) -> Vectors:
    """What `WordPieces` reads of a distilled table: its rows centred, as unit vectors, then their lengths, in one
    flat float32 array (both then contiguous views of one mapped file)."""
    table = table.astype(np.float32)
    # Centred: what every piece shares (its mean) says nothing about a text and would pull all texts together.
    centred = (table - table.mean(axis=0)).astype(np.float32)
    lengths = np.maximum(np.linalg.norm(centred, axis=1), 1e-9).astype(np.float32)
    return np.concatenate([(centred / lengths[:, None]).ravel(), lengths])


def _read_or_distil(
    model_path: Path, directory: Path, encoder: Encoder | None, stop: threading.Event | None
) -> tuple[WordPieces, str]:
    try:
        key = model_key(model_path)
    except OSError as exc:
        raise ModelUnavailableError(f"cannot read {model_path}: {exc}") from exc
    # Parsed once here for the size check, the distillation and the lookups.
    tokenizer = load_tokenizer()
    size = tokenizer.get_vocab_size()
    rows_path, path = unit_rows_path(directory, key), table_path(directory, key)
    try:
        # Mapped, not read: making them from the table took 0.15-0.45 s of every process's start.
        rows: Vectors = np.load(rows_path, mmap_mode="r")
        if rows.shape != (size * (DIMENSIONS + 1),) or rows.dtype != np.float32:
            raise ValueError(f"shape {rows.shape} of {rows.dtype}")
        return WordPieces(rows, tokenizer), key
    except (OSError, ValueError, EOFError):
        pass  # a cache kept before the unit rows were (its table is read), or rows cut short: made again below
    try:
        table: Table = np.load(path)
        if table.shape != (size, DIMENSIONS):
            raise ValueError(f"shape {table.shape}")
    except FileNotFoundError:
        # A warning, so that a first `newsbot ask` or start, quiet by default, says why it takes 15 s.
        log.warning(
            "distilling word-piece vectors from %s into %s (once per model file, about 15 s)",
            model_path,
            directory,
        )
        table = _distilled(path, encoder or Encoder(model_path), tokenizer, stop)
    except (OSError, ValueError, EOFError) as exc:
        log.warning("static vectors in %s are unreadable (%s); distilling them again", path, exc)
        table = _distilled(path, encoder or Encoder(model_path), tokenizer, stop)
    rows = unit_rows(table)
    _keep(rows_path, rows)
    return WordPieces(rows, tokenizer), key


def _distilled(path: Path, encoder: Encoder, tokenizer: Tokenizer, stop: threading.Event | None) -> Table:
    """The table `distil` gives, as kept at `path` (half precision: 23 MB)."""
    table = distil(encoder, tokenizer, stop).astype(np.float16)
    _keep(path, table)
    return table


def _keep(path: Path, array: Table) -> None:
    """Write `array` to `path` aside and rename it into place: another process loading it meanwhile sees all of it or
    none. A read-only or full cache is logged: the array serves this process, and the next makes it again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.parent / f".{path.name}.{os.getpid()}.tmp"
        with partial.open("wb") as f:
            np.save(f, array)
        os.replace(partial, path)
        _remove_partials(path.parent, path.name)
    except OSError as exc:
        log.warning("could not keep the word-piece vectors in %s: %s", path, exc)


def _remove_partials(directory: Path, name: str) -> None:
    """Remove the partial files that processes killed while writing `name` left behind (23 or 47 MB each); those of
    processes still writing stay."""
    for partial in left_by_dead(directory, f".{name}"):
        partial.unlink(missing_ok=True)
