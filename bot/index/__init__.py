"""Search engines over analysed paragraphs (tantivy on disk, rank-bm25 in memory) and the follower that keeps
a local index in step with the store's change log."""

from bot.index.bm25_engine import RankBM25Engine
from bot.index.engine import Engine, IndexedParagraph, Query, indexed_paragraphs
from bot.index.follower import Follower, Fresh
from bot.index.tantivy_engine import TantivyEngine

__all__ = [
    "Engine",
    "Follower",
    "Fresh",
    "IndexedParagraph",
    "Query",
    "RankBM25Engine",
    "TantivyEngine",
    "indexed_paragraphs",
]
