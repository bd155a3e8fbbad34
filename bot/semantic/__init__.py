"""Meaning beside words: a sentence encoder and the paragraph vectors it fills, for the retrieval's dense stage.

`open_semantic(settings)` gives the stage, or None when it is switched off or the model cannot be loaded
(said once in the log: newsbot then answers with BM25 alone and never fails to start because of it).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bot.config import Settings
from bot.errors import Stopped
from bot.semantic.encoder import (
    Encoder,
    ModelUnavailableError,
    TextEncoder,
    Vectors,
    default_model_path,
    load_encoder,
)
from bot.semantic.static import WordPieces, is_distilled, load_pieces, load_static, model_key, static_recipe
from bot.semantic.vectors import VectorStore

log = logging.getLogger(__name__)

__all__ = [
    "Encoder",
    "ModelUnavailableError",
    "Semantic",
    "TextEncoder",
    "VectorStore",
    "Vectors",
    "open_semantic",
    "open_vectors",
]


@dataclass
class Semantic:
    """The encoder and the paragraph vectors of one data directory."""

    encoder: TextEncoder
    vectors: VectorStore
    # "on" (the sentence encoder) or "static" (its distilled word pieces): each has its own fitted second stage.
    mode: str = "on"
    # The distilled word pieces, for the second stage's soft word matches (None: that feature is 0 throughout,
    # or until `distil_aside` has them).
    pieces: WordPieces | None = None
    _distilling: threading.Thread | None = field(default=None, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def embed_question(self, question: str) -> Vectors:
        return self.encoder.embed_one(question)

    def distil_aside(self, model: Path, directory: Path, encoder: Encoder) -> None:
        """Distil the word pieces in a thread of their own; `pieces` holds them once done (`close` stops it)."""

        def work() -> None:
            try:
                self.pieces = _pieces(model, directory, encoder, self._stop)
            except Stopped:
                log.info("stopped distilling the word-piece vectors (closing); the next start distils them")
                return
            if self.pieces is not None:
                log.info("soft word matches are on: the word-piece vectors are distilled")

        log.info("answering without soft word matches until the word-piece vectors are distilled")
        self._distilling = threading.Thread(target=work, name="distil-word-pieces", daemon=True)
        self._distilling.start()

    def stop(self) -> None:
        """Stop distilling and embedding at once (the process is stopping; the encoder's run under way is given up):
        a distillation keeps nothing; of a step's vectors, the articles embedded whole are kept."""
        self._stop.set()

    def close(self) -> None:
        # A distillation stops after the batch it is running (a fraction of a second), and keeps nothing.
        self.stop()
        if self._distilling is not None:
            self._distilling.join()
        self.vectors.close()


def open_semantic(settings: Settings, distil_aside: bool = False) -> Semantic | None:
    """The semantic stage for `settings`, or None (off, or the model cannot be loaded: logged as a warning).

    With the encoder, a first start distils the word pieces for the soft word matches (about 15 s, once per
    model file and user). `distil_aside` (a bot) does it in the background, answering without them meanwhile,
    so that the bot answers within seconds of its first start; a one-off question waits for them.
    """
    if settings.semantic == "off":
        return None
    aside: Encoder | None = None
    stop = threading.Event()
    try:
        model = settings.semantic_model or default_model_path()
        encoder: TextEncoder
        pieces: WordPieces | None
        if settings.semantic == "static":
            static = load_static(model, settings.static_dir)
            encoder, pieces, embed = static, static.pieces, static.embed
        else:
            sentence = load_encoder(model)
            # The vectors' chunk under way is given up at a stop: it took a stopping process 4 to 16 s.
            embed = partial(sentence.embed, stop=stop)
            if distil_aside and not is_distilled(model, settings.static_dir):
                encoder, pieces, aside = sentence, None, sentence
            else:
                encoder, pieces = sentence, _pieces(model, settings.static_dir, sentence)
    except ModelUnavailableError as exc:
        log.warning("semantic search is off: %s; answering with BM25 only", exc)
        return None
    vectors = VectorStore.open(settings.vectors_dir, embed, encoder.recipe, stop)
    semantic = Semantic(encoder, vectors, settings.semantic, pieces, _stop=stop)
    if aside is not None:
        semantic.distil_aside(model, settings.static_dir, aside)
    return semantic


def open_vectors(settings: Settings) -> VectorStore | None:
    """The paragraph vectors alone, to be counted (`newsbot stats`): the encoder and its word pieces, about 0.6 s of
    a start, are not loaded. None when the stage is off or its model is not installed, as `open_semantic` gives."""
    if settings.semantic == "off":
        return None
    try:
        model = settings.semantic_model or default_model_path()
    except ModelUnavailableError:
        return None
    if not model.is_file():
        return None
    # The recipe the vectors were made by, as the encoder names it: others are not counted, being made again.
    recipe = static_recipe(model_key(model)) if settings.semantic == "static" else Encoder.recipe
    return VectorStore.open(settings.vectors_dir, None, recipe)


def _pieces(model: Path, directory: Path, encoder: Encoder, stop: threading.Event | None = None) -> WordPieces | None:
    """The encoder's word pieces for soft word matches (distilled on the first start); None if they cannot be
    had (said in the log: the answers then go without that one feature)."""
    try:
        return load_pieces(model, directory, encoder, stop)[0]
    except ModelUnavailableError as exc:
        log.warning("soft word matches are off: %s", exc)
        return None
