"""Meaning beside words: a sentence encoder and the paragraph vectors it fills, for the retrieval's dense stage.

`open_semantic(settings)` gives the stage, or None when it is switched off or the model cannot be loaded
(said once in the log: newsbot then answers with BM25 alone and never fails to start because of it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.semantic.encoder import (
    Encoder,
    ModelUnavailableError,
    TextEncoder,
    Vectors,
    default_model_path,
    load_encoder,
)
from bot.semantic.static import load_static
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

    def embed_question(self, question: str) -> Vectors:
        return self.encoder.embed_one(question)

    def close(self) -> None:
        self.vectors.close()


def open_semantic(settings: Settings) -> Semantic | None:
    """The semantic stage for `settings`, or None (off, or the model cannot be loaded: logged as a warning)."""
    if settings.semantic == "off":
        return None
    try:
        encoder: TextEncoder
        if settings.semantic == "static":
            encoder = load_static(settings.semantic_model or default_model_path(), settings.static_dir)
        else:
            encoder = load_encoder(settings.semantic_model)
    except ModelUnavailableError as exc:
        log.warning("semantic search is off: %s; answering with BM25 only", exc)
        return None
    vectors = VectorStore.open(settings.vectors_dir, encoder.embed, encoder.recipe)
    return Semantic(encoder, vectors, settings.semantic)
