"""The article library: the store and the search engine kept in step, for ingesting and asking.

Write order makes a crash harmless: articles are staged in the store as pending (or deleting), the index is
written and committed, then the store records them as indexed. On open, anything still pending is indexed
again and anything still deleting is removed; an index whose size disagrees with the store is rebuilt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from bot.analysis import analyze
from bot.config import Settings
from bot.errors import IndexCorruptError
from bot.index import Engine, IndexedParagraph, RankBM25Engine, TantivyEngine
from bot.ingest import Skipped, read_articles
from bot.models import Answer, Article, StoredArticle
from bot.retrieval import Request, answer
from bot.semantic import Semantic, open_semantic
from bot.store import Store, StoreStats

log = logging.getLogger(__name__)

# Articles per store transaction and index commit: a crash loses at most one batch's work, to be redone on open.
BATCH_SIZE = 2000


@dataclass
class IngestReport:
    """What an ingest did, for the summary line."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, {len(self.skipped)} skipped"
        if self.duplicates:
            text += f", {self.duplicates} duplicates"
        return text + (f", {self.removed} replaced" if self.removed else "")


@dataclass(frozen=True)
class LibraryStats:
    store: StoreStats
    engine: str
    indexed_paragraphs: int
    index_bytes: int


def indexed_paragraphs(article: StoredArticle, paragraphs: Sequence[str]) -> list[IndexedParagraph]:
    """Analyse an article's paragraphs for the index (the headline analysed once, shared by all)."""
    headline = analyze(article.title)
    return [
        IndexedParagraph(article.id, i, analyze(text), headline, article.category, article.published)
        for i, text in enumerate(paragraphs)
    ]


def batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Consecutive lists of `size` items (itertools.batched arrives only in Python 3.12)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def make_engine(settings: Settings) -> Engine:
    if settings.engine == "rank-bm25":
        return RankBM25Engine(settings.headline_boost)
    return TantivyEngine(settings.index_dir, settings.headline_boost)


class Library:
    """Articles in, answers out. Open once per process; safe to ask from several threads."""

    def __init__(self, settings: Settings, store: Store, engine: Engine, semantic: Semantic | None = None) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.semantic = semantic

    @classmethod
    def open(cls, settings: Settings, seed_corpus: bool = True) -> Library:
        """Open the store and index, finishing any interrupted ingest; an empty library reads the shipped corpus."""
        store = Store(settings.database_path)
        try:
            engine = make_engine(settings)
        except IndexCorruptError:
            log.warning("index in %s is unreadable; rebuilding it from the store", settings.index_dir)
            TantivyEngine.remove(settings.index_dir)
            engine = make_engine(settings)
        library = cls(settings, store, engine, open_semantic(settings))
        library._recover()
        if seed_corpus and store.stats().articles == 0 and settings.corpus_dir.is_dir():
            report = library.ingest([settings.corpus_dir])
            log.info("read the shipped corpus from %s: %s", settings.corpus_dir, report.summary())
        return library

    def close(self) -> None:
        self.engine.close()
        if self.semantic is not None:
            self.semantic.close()
        self.store.close()

    def _recover(self) -> None:
        if isinstance(self.engine, RankBM25Engine):
            # rank-bm25 keeps nothing on disk: load every indexed article from the store.
            for article, paragraphs in self.store.iter_indexable():
                self.engine.add(indexed_paragraphs(article, paragraphs))
        with self._writing():
            self._sync()
        if self.engine.count() != self.store.indexed_paragraph_count():
            log.warning(
                "index holds %d paragraphs but the store %d; rebuilding the index",
                self.engine.count(),
                self.store.indexed_paragraph_count(),
            )
            self.reindex()
        # SEMANTIC HOOK (issue 10; moves onto the change-log follower): vectors missing (the stage was off, or
        # its vectors were made another way) are made now for every article the store holds (unchanged ones
        # keep theirs), and vectors of articles the store no longer holds are dropped.
        if self.semantic is not None and self.semantic.vectors.count() != self.store.indexed_paragraph_count():
            log.info("making paragraph vectors for %d paragraphs", self.store.indexed_paragraph_count())
            vectors, live = self.semantic.vectors, set[str]()

            def articles() -> Iterator[tuple[StoredArticle, list[str]]]:
                for article, paragraphs in self.store.iter_indexable():
                    live.add(article.id)
                    yield article, paragraphs

            vectors.apply([], articles())
            vectors.apply(vectors.article_ids() - live, [])
            vectors.commit(vectors.cursor + 1)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        # The index writer is held for one whole operation (merges wait for its end), then released so
        # another process (a running bot, a second ingest) can write.
        try:
            yield
        finally:
            self.engine.release()

    def _sync(self, fresh: Mapping[str, Article] | None = None) -> None:
        """Bring the index up to the store's pending and deleting articles.

        `fresh` holds articles just staged, indexed from memory rather than read back from the store.
        """
        to_index, to_delete = self.store.unfinished()
        if not to_index and not to_delete:
            return
        self.engine.delete([*to_index, *to_delete])
        fresh = fresh or {}
        written: list[tuple[StoredArticle, Sequence[str]]] = []
        for article_id in to_index:
            if (article := fresh.get(article_id)) is not None:
                stored = StoredArticle(
                    article_id,
                    article.title,
                    article.category,
                    article.published,
                    article.url,
                    article.author,
                    article.origin,
                    len(article.paragraphs),
                )
                self.engine.add(indexed_paragraphs(stored, article.paragraphs))
                written.append((stored, article.paragraphs))
        for stored, paragraphs in self.store.iter_indexable([i for i in to_index if i not in fresh]):
            self.engine.add(indexed_paragraphs(stored, paragraphs))
            written.append((stored, paragraphs))
        self.engine.commit()
        # SEMANTIC HOOK (issue 10; moves onto the store's change-log follower): the paragraph vectors follow
        # the same batch, before the store records it as indexed, so a crash re-embeds it on open.
        if self.semantic is not None:
            self.semantic.vectors.apply([*to_index, *to_delete], written)
            self.semantic.vectors.commit(self.semantic.vectors.cursor + 1)
        self.store.finish(to_index, to_delete)

    def reindex(self) -> int:
        """Rebuild the index from the store (buttons on older answers expire); returns paragraphs indexed."""
        with self._writing():
            self.engine.clear()
            self.store.mark_all_pending()
            self._sync()
        self.store.bump_generation()
        return self.engine.count()

    def _add(self, articles: Sequence[Article], report: IngestReport) -> None:
        """Stage and index one batch (the caller holds the writer)."""
        outcome = self.store.stage(articles)
        report.added += len(outcome["added"])
        report.updated += len(outcome["updated"])
        report.unchanged += len(outcome["unchanged"])
        report.duplicates += len(outcome["duplicate"])
        report.removed += len(outcome["replaced"])
        fresh: dict[str, Article] = {}
        for article in articles:
            fresh.setdefault(article.id, article)  # as the store keeps the first of a repeated story
        self._sync(fresh)

    def add(self, articles: Iterable[Article], report: IngestReport | None = None) -> IngestReport:
        """Store and index articles, in batches of BATCH_SIZE under one hold of the index writer."""
        report = report or IngestReport()
        with self._writing():
            for batch in batched(articles, BATCH_SIZE):
                self._add(batch, report)
        return report

    def remove(self, article_ids: Iterable[str]) -> None:
        self.store.mark_for_deletion(article_ids)
        with self._writing():
            self._sync()

    def ingest(
        self,
        paths: Iterable[Path],
        fields: Mapping[str, str] | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> IngestReport:
        """Read articles from files and directories; unreadable ones are reported and skipped."""
        report = IngestReport()

        def readable() -> Iterator[Article]:
            for item in read_articles(paths, fields):
                if progress:
                    progress(1)
                if isinstance(item, Skipped):
                    log.warning("skipped %s: %s", item.location, item.reason)
                    report.skipped.append(item)
                else:
                    yield item

        return self.add(readable(), report)

    def ask(self, request: Request) -> Answer:
        """Answer a question (raises QuestionError for one that cannot be searched)."""
        return answer(request, self.engine, self.store, self.settings.min_answerability, self.semantic)

    def request(self, question: str, **filters: object) -> Request:
        """A request with this library's default answer size and per-article limit."""
        base = {"k": self.settings.answer_size, "per_article": self.settings.per_article}
        return Request(question, **{**base, **{k: v for k, v in filters.items() if v is not None}})  # type: ignore[arg-type]

    def stats(self) -> LibraryStats:
        return LibraryStats(self.store.stats(), self.engine.name, self.engine.count(), self.engine.size_bytes())
