"""Meaning beside words: a sentence encoder and the paragraph vectors it fills, for the retrieval's dense stage.

`open_semantic(settings)` gives the stage, or None when it is switched off or the model cannot be loaded
(said once in the log: newsbot then answers with BM25 alone and never fails to start because of it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.semantic.encoder import (
    Encoder,
    ModelUnavailableError,
    TextEncoder,
    Vectors,
    default_model_path,
    load_encoder,
)
from bot.semantic.static import WordPieces, load_pieces, load_static
from bot.semantic.vectors import VectorStore

log = logging.getLogger(__name__)

__all__ = ["Encoder", "ModelUnavailableError", "Semantic", "TextEncoder", "VectorStore", "Vectors", "open_semantic"]


@dataclass
class Semantic:
    """The encoder and the paragraph vectors of one data directory."""

    encoder: TextEncoder
    vectors: VectorStore
    # "on" (the sentence encoder) or "static" (its distilled word pieces): each has its own fitted second stage.
    mode: str = "on"
    # The distilled word pieces, for the second stage's soft word matches (None: that feature is 0 throughout).
    pieces: WordPieces | None = None

    def embed_question(self, question: str) -> Vectors:
        return self.encoder.embed_one(question)

    def close(self) -> None:
        self.vectors.close()


def open_semantic(settings: Settings) -> Semantic | None:
    """The semantic stage for `settings`, or None (off, or the model cannot be loaded: logged as a warning)."""
    if settings.semantic == "off":
        return None
    try:
        model = settings.semantic_model or default_model_path()
        encoder: TextEncoder
        pieces: WordPieces | None
        if settings.semantic == "static":
            static = load_static(model, settings.static_dir)
            encoder, pieces = static, static.pieces
        else:
            sentence = load_encoder(model)
            encoder, pieces = sentence, _pieces(model, settings.static_dir, sentence)
    except ModelUnavailableError as exc:
        log.warning("semantic search is off: %s; answering with BM25 only", exc)
        return None
    vectors = VectorStore.open(settings.vectors_dir, encoder.embed, encoder.recipe)
    return Semantic(encoder, vectors, settings.semantic, pieces)


def _pieces(model: Path, directory: Path, encoder: Encoder) -> WordPieces | None:
    """The encoder's word pieces for soft word matches (distilled on the first start); None if they cannot be
    had (said in the log: the answers then go without that one feature)."""
    try:
        return load_pieces(model, directory, encoder)[0]
    except ModelUnavailableError as exc:
        log.warning("soft word matches are off: %s", exc)
        return None
