"""The article library: the store and the local search index, for ingesting and asking.

Articles go to the store first (the one truth, shared by every process); the local index follows the store's
change log. An ingest writes a batch to the store and then catches the index up; a process that finds the
index's writer busy (another ingest, a running bot) leaves the indexing to the holder, which replays the same
log, and at the end waits until the index holds its articles.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import groupby, islice
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from bot.analysis import analysed_in, analysis_language, analyze, english_words, fold, more_often_whole, small_words
from bot.config import MAX_PASSAGES, Settings
from bot.errors import ConfigError, IndexCorruptError, StoreError
from bot.index import Engine, Follower, Fresh, RankBM25Engine, TantivyEngine
from bot.ingest import Order, Skipped
from bot.ingest.urls import canonical_url, is_web_url
from bot.models import Answer, Article, Command, Holder, SiteWait, StoredArticle, url_id
from bot.retrieval import (
    FOLLOWED_STORIES,
    LaterPages,
    Request,
    answer,
    follow_up,
    later_pages,
    seen_paragraphs,
    shown_articles,
)
from bot.semantic import Semantic, open_semantic, open_vectors
from bot.semantic.follower import BATCHES, VectorFollower
from bot.store import (
    PartlyWrittenError,
    SameStory,
    Store,
    StoreNotMadeError,
    StoreStats,
    TakenLink,
    WriteResult,
    another_story,
    corrects,
    corrects_by_id,
)
from bot.store.stories import words

if TYPE_CHECKING:
    from bot.store.feeds import FeedStore

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Said with an answer that finds nothing, or nothing sure, while the index cannot take the newest articles.
INDEX_BEHIND = (
    "The newest articles cannot be searched yet: the search index could not take them (its disk may be full), so"
    " an answer may be missing until it can."
)

# Articles per store transaction and index commit: a crash or Ctrl-C loses at most one batch's work.
BATCH_SIZE = 2000
# The first batch's: another process (a chat beside a long ingest) found nothing until the first BATCH_SIZE
# articles were read, written and indexed (24-60 s for the BBC's); batches double from this up to BATCH_SIZE.
FIRST_BATCH = 100
# Paragraph vectors missing after an ingest or on opening are made at once up to this many (a few seconds of
# encoding); more are left to a running bot's background job or `newsbot vectors`.
EMBED_AT_ONCE = 300


@dataclass
class IngestReport:
    """What an ingest did, for the summary line."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    removed: int = 0
    # Every problem the readers reported, in order: skipped input, and articles cut at a size limit.
    problems: list[Skipped] = field(default_factory=list)
    interrupted: bool = False
    # Why the index could not take the articles in (a full disk): they are stored, and found once it can.
    index_failure: str = ""

    @property
    def skipped(self) -> list[Skipped]:
        return [p for p in self.problems if p.kind == "skipped"]

    @property
    def cut(self) -> list[Skipped]:
        return [p for p in self.problems if p.kind == "cut"]

    @property
    def notes(self) -> list[Skipped]:
        return [p for p in self.problems if p.kind == "note"]

    @property
    def read(self) -> int:
        """Articles read successfully (whatever became of them)."""
        return self.added + self.updated + self.unchanged + self.duplicates

    def summary(self) -> str:
        # "2104 added" beside the note's "10,028 paragraphs wait for their vectors": thousands apart, as elsewhere.
        text = (
            f"{self.added:,} added, {self.updated:,} updated, {self.unchanged:,} unchanged,"
            f" {len(self.skipped):,} skipped"
        )
        if self.cut:
            text += f", {len(self.cut):,} cut to size"
        if self.notes:
            text += f", {len(self.notes):,} {'note' if len(self.notes) == 1 else 'notes'}"
        if self.duplicates:
            text += f", {self.duplicates:,} {'duplicate' if self.duplicates == 1 else 'duplicates'}"
        if self.removed:
            # An edit whose id changed (a file without a link, edited) counts as added; its old version goes.
            text += f", {self.removed:,} older {'version' if self.removed == 1 else 'versions'} removed"
        return text + (" (interrupted: the rest was not read)" if self.interrupted else "")


@dataclass(frozen=True)
class LibraryStats:
    store: StoreStats
    engine: str
    indexed_paragraphs: int
    index_bytes: int
    # Paragraph vectors (None: the semantic stage is off or its model missing) and how many wait for one.
    vectors: int | None = None
    vectors_waiting: int = 0
    # Which vectors: "on" (the sentence encoder's) or "static" (word pieces distilled from it).
    semantic: str = "on"
    # Why the index is behind the store, having failed to take its newest articles ("": it is not).
    index_failure: str = ""


# What of the semantic stage a library opens: all of it, to ask and to make vectors; the vectors alone, to count
# them (`stats`); or none, for a caller that neither asks nor counts them (`latest`, `remove`). The encoder and its
# word pieces, loaded only for the first, are about 0.6 s of a command's start.
Semantics = Literal["whole", "counted", "none"]


def batched(items: Iterable[Article], first: int, most: int) -> Iterator[list[Article]]:
    """Consecutive lists of items: the first of `first`, each after twice as long as the last, up to `most`."""
    iterator = iter(items)
    size = first
    while batch := list(islice(iterator, size)):
        yield batch
        size = min(2 * size, most)


def engine_factory(settings: Settings, command: Command = Command.NONE) -> Callable[[Path | None], Engine]:
    """Makes the configured engine; `command` as for `Library.open`."""

    def make(directory: Path | None) -> Engine:
        if settings.engine == "rank-bm25":
            return RankBM25Engine(settings.headline_boost)
        assert directory is not None
        return TantivyEngine(directory, settings.headline_boost, command=command)

    return make


def shipped_articles(settings: Settings) -> Iterator[Article]:
    """The articles of the corpus directory (what a new store starts with); unreadable ones are logged."""
    if not settings.corpus_dir.is_dir():
        return
    from bot.ingest.files import read_articles  # see `bot.ingest`: loaded when a file is read

    for item in read_articles([settings.corpus_dir]):
        if isinstance(item, Skipped):
            log.warning("shipped corpus: skipped %s: %s", item.location, item.reason)
        else:
            yield item


# The rankings of the later pages of the questions paged lately (`LaterPages`), each for the state of the library it
# was searched in: a "More" press composes its page from them, ranked by the press before it or, ahead of the first,
# once the first page went out (`rank_later_pages`). Ranked for each press, a later page cost 7 times the first
# (`bench/paging.py`). A few hundred kB each.
LATER_PAGES_REMEMBERED = 32
# The last word of a text, nothing after it (`Library.being_typed`).
LAST_WORD = re.compile(r"(\w+)\Z")
# A common English word this long is whole, not still being typed (`Library.being_typed`): shorter ones ("th",
# "cha", "pre") are as often the start of a longer word, and the common words' list holds such pieces, so a shorter
# one is whole only when it is used more than any longer word it begins (`more_often_whole`: "war", "tax").
WHOLE_WORD_LETTERS = 4
# A word of a text, folded (`Library.whole_after_all`).
FOLDED_WORD = re.compile(r"\w+")


class Library:
    """Articles in, answers out. Open once per process; safe to ask from several threads."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        follower: Follower,
        semantic: Semantic | None = None,
        vectors: VectorFollower | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.follower = follower
        self.semantic = semantic
        self.vectors = vectors
        self._later: OrderedDict[tuple[object, ...], Future[LaterPages]] = OrderedDict()
        self._later_lock = threading.Lock()
        self._ranking_ahead = threading.Lock()
        self._asking = 0  # questions being answered now, in any thread

    @property
    def engine(self) -> Engine:
        return self.follower.engine

    @property
    def feeds(self) -> FeedStore:
        """The store's feeds, and the sites that asked newsbot's fetches to leave them a while."""
        # Loaded when a command fetches (about 0.05 s of imports): `stats`, `latest` and `remove` never do.
        from bot.store.feeds import FeedStore

        return FeedStore(self.store.engine)

    @classmethod
    def open(
        cls,
        settings: Settings,
        seed_corpus: bool = True,
        distil_aside: bool = False,
        say_index_failures: bool = True,
        semantic: Semantics = "whole",
        command: Command = Command.NONE,
    ) -> Library:
        """Open the store (creating it with the shipped corpus if new) and the index, catching it up if behind
        (`distil_aside`: see `open_semantic`; `say_index_failures=False`: the caller says an index it could not
        write itself, from `IngestReport.index_failure`, instead of the log; `semantic`: see `Semantics`;
        `command`: the newsbot command this process runs, "run" or "ingest", which the locks it takes record for
        the processes waiting for them to say: a bot makes the vectors as it runs, an ingest only a few)."""
        store = open_store(settings, seed_corpus)
        try:
            root = None if settings.engine == "rank-bm25" else settings.index_dir
            follower = Follower(
                store,
                root,
                engine_factory(settings, command),
                say_index_failures,
                settings.index_build_wait_minutes * 60,
            )
            follower.catch_up()
        except BaseException:
            store.close()
            raise
        stage = open_semantic(settings, distil_aside) if semantic == "whole" else None
        vectors = stage.vectors if stage else open_vectors(settings) if semantic == "counted" else None
        following = None if vectors is None else VectorFollower(store, vectors, BATCHES[settings.semantic], command)
        library = cls(settings, store, follower, stage, following)
        if stage is not None:
            library.embed_if_few()
        return library

    def stop(self) -> None:
        """Make vectors no longer (the process is stopping): a step running ends within seconds, raising Stopped,
        and keeps what it committed before; `close` follows."""
        if self.semantic is not None:
            self.semantic.stop()

    def close(self) -> None:
        if self.vectors is not None:
            self.vectors.close()
        if self.semantic is not None:
            self.semantic.close()
        self.follower.close()
        self.store.close()

    def embed(self, limit: int | None = None, progress: Callable[[int], object] | None = None) -> int:
        """Make missing paragraph vectors (at most `limit` steps); returns how many paragraphs were embedded.

        Only one process per data directory makes them; in the others this only reads what that one committed.
        """
        return 0 if self.vectors is None else self.vectors.catch_up(limit, progress)

    def embed_if_few(self) -> None:
        """Make the missing vectors now if there are only a few (so a small library answers by meaning at once)."""
        # The backlog first: the right to write is kept until close, so an `ask` taking it with thousands waiting
        # made a `newsbot vectors` started beside it refuse, blaming "a running bot".
        if self.vectors is not None and self.vectors.backlog() <= EMBED_AT_ONCE and self.vectors.try_write():
            self.vectors.catch_up()

    def follow(self) -> int:
        """Apply what other processes added or removed since the last look; returns the changes applied. A SQLite
        file replaced under this process (a backup restored, the data directory removed and ingested again) is
        followed anew, as a start would."""
        if self.store.gone():
            # Nothing to follow, nor to build an index from, until a store is there again: the read fails as the
            # store out of reach (each look said the index, removed with the data directory, damaged, and failed to
            # build it again: two lines a second).
            self.store.head()
        if self.store.replaced():
            # Said once the new file opened: one refused (`bot.store.wal`) is tried again at each look, said once a
            # minute by the caller.
            try:
                dropped = self.store.reopen()
            except StoreNotMadeError:
                # Another process (an ingest in a new data directory) makes the store in the file next: followed at
                # the next look, once made.
                log.debug("the store %s is being made by another process", self.store.engine.url.database)
                return self.follower.catch_up()
            log.warning(
                "the store %s was replaced (a backup restored, or a new data directory); opening the new one and"
                " taking the index from it%s",
                self.store.engine.url.database,
                # Its writes since the backup went on into the old file's -wal, which refused the backup to every
                # process until an operator stopped them all and removed it.
                "; what this process wrote to the old file since (its -wal, removed) is not in it" if dropped else "",
            )
            self.follower.reopen()
            if self.vectors is not None:
                self.vectors.reopen()
        return self.follower.catch_up()

    def reindex(self, on_wait: Callable[[], object] | None = None) -> int:
        """Rebuild the index from the store aside and swap it in; returns the paragraphs indexed. While another
        process sharing the data directory builds it, this waits for that build (`on_wait` hears it) and takes it."""
        return self.follower.rebuild(on_wait).count()

    def rebuilding(self) -> bool:
        """Whether a process sharing this data directory is rebuilding the index now."""
        return self.follower.rebuilding()

    def add(
        self,
        articles: Iterable[Article],
        report: IngestReport | None = None,
        stop: Callable[[], bool] | None = None,
        on_wait: Callable[[Holder | None], object] | None = None,
    ) -> IngestReport:
        """Store and index articles in batches growing from FIRST_BATCH to BATCH_SIZE.

        `stop` is asked after each article is read (Ctrl-C): the articles read so far are written and indexed, and
        no more are read. `on_wait` is called once, with the process holding the index's writer (None when not
        known), if this one has to wait for it to take these articles in.
        """
        report = report or IngestReport()

        def until_stopped() -> Iterator[Article]:
            # Asked only before each batch, a stop threw away up to 2,000 articles read (minutes of pages).
            for article in articles:
                yield article
                if stop is not None and stop():
                    report.interrupted = True
                    return

        # Each article of this ingest by id: where it came from, its headline and its content's hash.
        seen: dict[str, tuple[str | None, str, str]] = {}
        # The article each origin (file, record id, link) gave in this ingest, and each newsroom id without a link.
        origins: dict[str, str] = {}
        sources: dict[str, str] = {}
        last_seq = 0
        # Pipelined: while this thread indexes batch n, another writes batch n+1 to the store (mostly in the
        # database driver's C code, which runs without the GIL).
        with self.follower.holding(), ThreadPoolExecutor(1, thread_name_prefix="store-writer") as writer:
            pending: Future[WriteResult] | None = None
            for batch in batched(until_stopped(), FIRST_BATCH, BATCH_SIZE):
                fresh: dict[str, Article] = {}
                for article in batch:
                    earlier = origins.get(article.origin) if article.origin else None
                    if earlier is None:
                        earlier = _earlier_version(article, fresh, sources)
                    if (
                        earlier is not None
                        and (kept := fresh.get(earlier)) is not None
                        and (kept.content_hash == article.content_hash)
                    ):
                        # The same text again in this batch (a file holding a story twice) is a copy, not a
                        # correction: the first stays, as a copy arriving later is not stored, and it is named.
                        report.duplicates += 1
                        report.problems.append(
                            _copy(article.url or article.origin or article.title, kept.title, kept.origin or kept.id)
                        )
                        continue
                    if earlier is not None:
                        # The same origin again (a record's correction later in the same export, under its id), or
                        # the story corrected by a later export in this batch (at its link, or under its newsroom's
                        # id), replaces what came first, as ingesting them one after the other would. Unwritten if in
                        # this batch; written in an earlier one, the store replaces it (a later export's too).
                        report.duplicates += 1
                        seen.pop(earlier, None)
                        fresh.pop(earlier, None)
                    elif (first := seen.get(article.id)) is not None and (
                        article.id in fresh or first[2] == article.content_hash
                    ):
                        # Its link again in this ingest as it was, or another story at it in this batch: the first
                        # one stays, and another story there is told.
                        origin, title, content = first
                        if content == article.content_hash:
                            # Counted without a name, "2 duplicates" left an operator to look for them (-v too).
                            report.duplicates += 1
                            report.problems.append(
                                _copy(article.url or article.origin or article.title, title, origin or article.id)
                            )
                        else:
                            report.problems.append(_taken_link(TakenLink(article, origin or "", title)))
                        continue
                    seen[article.id] = (article.origin, article.title, article.content_hash)
                    fresh[article.id] = article
                    if article.origin:
                        origins[article.origin] = article.id
                    if article.url is None and article.source_id is not None:
                        sources[article.source_id] = article.id
                written = writer.submit(self.store.write_articles, list(fresh.values()))
                if pending is not None:
                    last_seq = max(last_seq, self._settled(pending, written, report))
                pending = written
            if pending is not None:
                last_seq = max(last_seq, self._settled(pending, None, report))
        self.follower.wait_until(last_seq, on_wait)
        report.index_failure = self.follower.write_failure
        self.embed_if_few()
        return report

    def _settled(
        self, written: Future[WriteResult], following: Future[WriteResult] | None, report: IngestReport
    ) -> int:
        """`_index` a written batch; if it failed (a full disk), say what this ingest stored before it: the batch
        written after it (already on its way) too, when that one went in."""
        try:
            return self._index(written, report)
        except StoreError as exc:
            if following is not None:
                with suppress(StoreError):  # the same failure again
                    self._index(following, report)
            stored = report.added + report.updated
            raise StoreError(
                f"{exc}; this ingest stored {stored:,} {'article' if stored == 1 else 'articles'} before it,"
                " each whole, and not the rest"
            ) from exc

    def _index(self, written: Future[WriteResult], report: IngestReport) -> int:
        """Count a written batch and index it (from memory, as stored); returns its last change-log entry. A batch
        that failed part way is counted and indexed as far as it went in, then its failure raised."""
        try:
            result = written.result()
        except PartlyWrittenError as exc:
            self._took(exc.written, report)
            raise
        return self._took(result, report)

    def _took(self, result: WriteResult, report: IngestReport) -> int:
        report.added += len(result.added)
        report.updated += len(result.updated)
        report.unchanged += len(result.unchanged)
        report.removed += len(result.replaced)
        report.duplicates += len(result.same)
        report.problems += [_same_story(same) for same in result.same]
        report.problems += [_taken_link(taken) for taken in result.taken]
        self.follower.catch_up(Fresh(result.last_seq, result.written), until=result.last_seq)
        return result.last_seq

    def remove(
        self, references: Iterable[str], on_wait: Callable[[Holder | None], object] | None = None
    ) -> dict[str, list[str]]:
        """Delete articles from the store and index, each reference naming them as `ids_of` reads it; returns for
        each reference the ids removed (none when it names no article here). `on_wait` is called once, as `add`
        calls it, if another process writes the index (an ingest) and this one waits for it to take the removal in."""
        wanted = self.ids_of(references)
        removed = set(self.store.remove_articles(i for ids in wanted.values() for i in ids))
        self.follower.wait_until(self.store.head(), on_wait)
        self.embed_if_few()
        return {reference: [i for i in ids if i in removed] for reference, ids in wanted.items()}

    def ids_of(self, references: Iterable[str]) -> dict[str, list[str]]:
        """Each reference with the ids of the articles it names here (none: it names no article): an article's
        id, in any case; its link, as `article_at` reads it; or the file it was read from, which answers show as a
        story's source when it has no link (`source_link`): its article, or each of its records; or a folder, every
        file's under it."""
        ids: dict[str, list[str]] = {}
        for reference in dict.fromkeys(r.strip() for r in references):
            if is_web_url(reference):
                found = self.article_at(reference)
                ids[reference] = [] if found is None else [found.id]
            elif self.store.article(reference.lower()) is not None:
                # Ids are hexadecimal, which a reader copying one from a terminal need not type in lower case.
                ids[reference] = [reference.lower()]
            else:
                ids[reference] = self._ids_read_from(Path(reference).expanduser()) if reference else []
        return ids

    def categories_of(self, references: Iterable[str]) -> list[str]:
        """The categories of the articles `references` names (as `ids_of` reads them), each once, in their order."""
        ids = [i for found in self.ids_of(references).values() for i in found]
        stored = self.store.articles(ids)
        return list(dict.fromkeys(stored[i].category for i in ids if i in stored and stored[i].category))

    def _ids_read_from(self, path: Path) -> list[str]:
        """The ids of the articles read from the file `path`, or from every file under the folder `path`, those
        read through a link in it too (`desk/wire -> /mnt/wire`): each was stored as read from the file linked."""
        real = path.resolve()
        ids = self.store.article_ids_from(str(real))
        if path.is_dir():
            from bot.ingest.files import article_files  # see `bot.ingest`: loaded when a file is read

            for file in article_files([path]):
                if isinstance(file, Path) and not file.is_relative_to(real):
                    ids += self.store.article_ids_from(str(file))
        return list(dict.fromkeys(ids))

    def ingest(
        self,
        sources: Iterable[Path | str],
        fields: Mapping[str, str] | None = None,
        progress: Callable[[int], object] | None = None,
        stop: Callable[[], bool] | None = None,
        on_wait: Callable[[Holder | None], object] | None = None,
        *,
        site: str | None = None,
        date_order: Order | None = None,
        now: datetime | None = None,
    ) -> IngestReport:
        """Read articles from files, directories and web pages (http/https URLs); problems go in `report.problems`.
        `site` is the address of the site whose exports name it nowhere, `date_order` how files' dates in numbers
        are read (`bot.ingest.read_file`); the files given one after another are one batch (`read_articles`). The
        pages of a site that asked newsbot to leave it a while (a 429 to a feed poll or an ingest, as of `now`) are
        not fetched until then, and the waits their sites ask for are kept for the polls and ingests after."""
        report = IngestReport()

        def items() -> Iterator[Article | Skipped]:
            for web, group in groupby(sources, lambda source: isinstance(source, str) and is_web_url(source)):
                if web:
                    # The network edge loads httpx and the page readers (trafilatura, lxml): only for links.
                    from bot.fetch import read_pages

                    start = now or datetime.now(UTC)
                    waits = self.feeds.waiting_sites(start)
                    keep = functools.partial(self.keep_site_waits, now=start)
                    yield from read_pages(map(str, group), self.settings, start, waits, keep)
                else:
                    from bot.ingest.files import read_articles  # see `bot.ingest`: loaded when a file is read

                    yield from read_articles([Path(path) for path in group], fields, site, date_order)

        def readable() -> Iterator[Article]:
            for item in items():
                if progress:
                    progress(1)
                if isinstance(item, Skipped):
                    report.problems.append(item)
                else:
                    yield item

        return self.add(readable(), report, stop, on_wait)

    def keep_site_waits(self, waits: Sequence[SiteWait], now: datetime) -> None:
        """Keep the waits sites asked newsbot's fetches for (`Fetcher.asked`), for every fetch of any process after
        them (those over at `now` go). A store that fails loses them (logged): the fetcher that was asked still
        leaves those sites."""
        try:
            self.feeds.keep_site_waits(waits, now)
        except Exception:
            log.warning("could not keep the waits %s asked for", ", ".join(w.site for w in waits), exc_info=True)

    def ask(self, request: Request, now: datetime | None = None) -> Answer:
        """Answer a question asked at `now` (the clock's by default; raises QuestionError for one that cannot be
        searched). The day is the answer's: "next year" is the year after it (`retrieval.asked_year`), so a test of a
        library's answers gives one, or what passed fails a year on (three desks' tests would from 1 January 2027)."""
        with self._later_lock:
            self._asking += 1
        try:
            answered = self._searched(lambda: self._answer(request, now))
        finally:
            with self._later_lock:
                self._asking -= 1
        if self.follower.write_failure and not (answered.found and answered.confident):
            # The index is behind the store (a full disk): "No article uses the word ..." was said of stories the
            # store holds and the index could not take.
            return replace(answered, reason=f"{answered.reason} {INDEX_BEHIND}".lstrip())
        return answered

    def _answer(self, request: Request, now: datetime | None) -> Answer:
        least = self.settings.min_answerability
        if not request.offset:
            return answer(request, self.engine, self.store, least, self.semantic, now)
        return self._later_pages(request, now).page(request, least)

    def ranked_in(self) -> tuple[object, ...]:
        """The state of the library a search now ranks in, beside its question: how far in the store's changes its
        index goes, and its paragraph vectors and word pieces. Read before the search: a change landing meanwhile is
        taken as one after it."""
        semantic = self.semantic
        ranked_by: tuple[object, ...] = (self.engine.cursor,)
        if semantic is not None:
            ranked_by += (semantic.vectors.cursor, semantic.vectors.count(), semantic.pieces is not None)
        return ranked_by

    def _later_pages(self, request: Request, now: datetime | None = None) -> LaterPages:
        """The later pages of `request` (asked at `now`, the clock's by default) as ranked now: remembered, being
        ranked (waited for), or ranked here. The store's head is part of the state: a story another process removed
        is out of the store before this process's index follows."""
        key = (replace(request, offset=0), now, self.ranked_in(), self.store.head())
        with self._later_lock:
            ranking = self._later.get(key)
            ranks_here = ranking is None
            if ranking is None:
                ranking = self._later[key] = Future()
            self._later.move_to_end(key)
            while len(self._later) > LATER_PAGES_REMEMBERED:
                self._later.popitem(last=False)
        if not ranks_here:
            return ranking.result()
        try:
            ranking.set_result(
                later_pages(request, self.engine, self.store, self.settings.min_answerability, self.semantic, now)
            )
        except BaseException as exc:
            with self._later_lock:  # the next press ranks again (a damaged index rebuilt, the store back)
                if self._later.get(key) is ranking:
                    del self._later[key]
            ranking.set_exception(exc)
        return ranking.result()

    def rank_later_pages(self, request: Request) -> None:
        """Rank the pages after the first page of `request` ahead of a "More" press (in a worker thread), unless
        some are being ranked ahead already or a question is being answered: a ranking costs several questions'
        search, under the same GIL, and a busy process answers the questions asked first (a press then ranks)."""
        if self._asking or not self._ranking_ahead.acquire(blocking=False):
            return
        try:
            # The second page's request, as a press asks for it (`bot.tg.ask.next_page`).
            second = replace(request, offset=request.k, k=min(request.k, MAX_PASSAGES - request.k))
            self._searched(lambda: self._later_pages(second))
        finally:
            self._ranking_ahead.release()

    def follow_up(
        self, question: str, references: Iterable[str], shown: Sequence[str] = (), answered: Sequence[str] = ()
    ) -> str:
        """The text to search for a question asked in reply to an answer or article showing the articles
        `references` names (as `ids_of` reads them), else those whose paragraphs `shown` (the replied
        message's) are (`retrieval.shown_articles`): see `retrieval.follow_up`. Articles no longer here are left
        out; with none left, the question alone. `answered` holds the lines of the answer replied to, whose
        passages are shown again only when nothing else answers (`retrieval.seen_paragraphs`)."""

        def searched() -> str:
            ids = [i for found in self.ids_of(references).values() for i in found]
            if not ids and shown:
                ids = shown_articles(shown, self.engine, self.store)
            followed = self.store.with_paragraphs(list(dict.fromkeys(ids))[:FOLLOWED_STORIES])
            seen = seen_paragraphs(answered, followed)
            return follow_up(question, followed, self.engine, self.store, self.semantic, seen)

        return self._searched(searched)

    def shown_in(self, blocks: Sequence[str]) -> list[str]:
        """The ids of the articles a message of the bot's shows paragraphs of (`blocks`: its text's paragraphs; see
        `retrieval.shown_articles`)."""
        return self._searched(lambda: shown_articles(blocks, self.engine, self.store))

    def _searched(self, search: Callable[[], _T]) -> _T:
        """`search()`, a read of the index, made again of the index built anew when it finds the index damaged (a
        file cut short or removed under this process), or while the follower builds it again: the catch-up builds
        it from the store, or waits for the build under way. A bot replied "Sorry, something went wrong" meanwhile,
        and a command asked again itself."""

        def in_its_language() -> _T:
            # Questions are read in the language the index's terms were made in.
            with analysed_in(self.follower.language):
                return search()

        try:
            return in_its_language()
        except IndexCorruptError:
            self.follower.catch_up()
            return in_its_language()

    def being_typed(self, text: str) -> str:
        """The last word of `text` when it is still being typed, else "": nothing follows it (a space or a question
        mark ends it), no paragraph holds it, it begins a longer word that one does ("harb" of "harbour") or a
        common word, which none is searched by ("wh" of "who"), and it is no common English word of
        WHOLE_WORD_LETTERS or more ("Peru" of a library writing "Peruvian": left out, the rest was answered as if
        the reader had not asked about Peru), nor a shorter one used more than the words it begins ("war" of a
        library writing "warning": `more_often_whole`). Telegram sends an inline query for every letter typed:
        each such word was searched, and said to be in no article, between one whole word and the next."""
        match = LAST_WORD.search(text)
        if match is None or not match[1].isalpha():
            return ""

        def unfinished(word: str) -> bool:
            terms = analyze(word)
            if len(terms) != 1 or self.engine.idf(terms).used():
                return False
            folded = fold(word)
            if analysis_language() == "en" and (
                folded in english_words() if len(folded) >= WHOLE_WORD_LETTERS else more_often_whole(folded)
            ):
                return False
            small = small_words(analysis_language())
            return any(w.startswith(folded) and w != folded for w in small) or self.engine.begins_a_term(terms[0])

        return match[1] if self._searched(lambda: unfinished(match[1])) else ""

    def whole_after_all(self, word: str, found: Iterable[str]) -> bool:
        """Whether a last word `being_typed` is whole after all, by the query's other words: a common English word of
        WHOLE_WORD_LETTERS - 1 letters ("sea", "man", "pub", more often the start of "season", "many", "public"),
        after other words whose passages and headlines (`found`) hold no word it begins that a search reads. A
        reader who stops there asks about it ("harbor pub": the harbor's passages were listed as if "pub" was not
        asked), while one typing on toward a word of those passages ("orchard app" of "apples") is shown them
        already. Alone (no `found`) it is whole too; an inline query asks it so only when its stories answer it
        confidently (`bot.tg.ask.asked_alone`: "sea" of "seafront"), as nothing else tells it from the start of a
        longer word, and the list of common words holds pieces too ("pre", "cha")."""
        folded = fold(word)

        def whole() -> bool:
            if len(folded) != WHOLE_WORD_LETTERS - 1 or analysis_language() != "en" or folded not in english_words():
                return False
            small = small_words("en")
            held = (w for text in found for w in FOLDED_WORD.findall(fold(text)))
            return not any(w.startswith(folded) and w != folded and w not in small for w in held)

        return self._searched(whole)

    def terms(self, question: str) -> list[str]:
        """The words of a question a search looks for, read in the index's language (common words left out)."""
        with analysed_in(self.follower.language):
            return analyze(question)

    def article_at(self, url: str) -> StoredArticle | None:
        """The article at a link a reader pasted, as typed or without its tracking parameters; None if not here."""
        found = self.store.articles(dict.fromkeys(url_id(u) for u in (url, canonical_url(url))))
        return next(iter(found.values()), None)

    def request(self, question: str, **filters: object) -> Request:
        """A request with this library's default answer size and per-article limit."""
        base = {"k": self.settings.answer_size, "per_article": self.settings.per_article}
        return Request(question, **{**base, **{k: v for k, v in filters.items() if v is not None}})  # type: ignore[arg-type]

    def stats(self) -> LibraryStats:
        engine, vectors, store = self.engine, self.vectors, self.store.stats()
        made, waiting = vectors.progress(store.paragraphs) if vectors else (None, 0)
        return LibraryStats(
            store,
            engine.name,
            engine.count(),
            engine.size_bytes(),
            made,
            waiting,
            self.settings.semantic,
            self.follower.write_failure,
        )


def _same_story(same: SameStory) -> Skipped:
    copy, kept = same.copy, same.kept
    return _copy(copy.url or copy.origin or copy.title, kept.title, kept.url or kept.origin or kept.id)


def _copy(location: str, title: str, kept_from: str) -> Skipped:
    """A copy of a story stored already, or read before in the same ingest, not stored again."""
    return Skipped(
        location,
        f"same story as \u201c{title}\u201d, already stored from {kept_from}; not stored again",
        duplicate=True,
    )


def _taken_link(taken: TakenLink) -> Skipped:
    article = taken.article
    return Skipped(
        article.origin or article.title,
        f"its link {article.url} is already that of \u201c{taken.title}\u201d, from {taken.origin}: not stored, as a"
        " link is one story's (give this one its own link, or none; to store it in that one's place, first newsbot"
        f" remove {article.url})",
    )


def _earlier_version(article: Article, fresh: Mapping[str, Article], sources: Mapping[str, str]) -> str | None:
    """The id of the article of this batch (`fresh`) that `article` is a later version of, if any: the one at its
    link, unless another story (`another_story`, `corrects`); without a link, the one under its newsroom's id that
    is the same story (`corrects_by_id`, `sources` giving each id's article)."""
    if (first := fresh.get(article.id)) is not None:
        other = first.origin is not None and another_story(article, first.origin, first.title)
        return (
            None
            if other and not corrects(article, first.source_id, functools.partial(words, first.paragraphs))
            else first.id
        )
    if article.url is not None or article.source_id is None:
        return None
    first = fresh.get(sources.get(article.source_id, ""))
    if first is None or not corrects_by_id(article, first.title, functools.partial(words, first.paragraphs)):
        return None
    return first.id


def open_store(settings: Settings, seed_corpus: bool = True) -> Store:
    """The store, migrated (created with the shipped corpus if new), or a `StoreError` saying why it cannot be."""
    _make_data_dir(settings.data_dir)
    try:
        return Store.open(
            settings.store_url,
            seed=(lambda: shipped_articles(settings)) if seed_corpus else None,
            lock_wait=settings.store_wait_minutes * 60,
        )
    except StoreError as exc:
        raise _why_not(settings, exc) from exc


def _make_data_dir(path: Path) -> None:
    """Create the data directory, or say in one line why it cannot be (a file in its place, no permission)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        what = "is a file, not a directory" if path.exists() else f"cannot be created ({exc.strerror})"
        # Named by --data-dir, NEWSBOT_DATA_DIR or neither (the per-user default): both ways to give another.
        raise ConfigError(
            f"the data directory {path} {what}: give another with --data-dir or NEWSBOT_DATA_DIR"
        ) from exc


def _why_not(settings: Settings, error: StoreError) -> StoreError:
    """A SQLite store that cannot be opened, with the reason SQLite does not give ("unable to open database
    file") when it can be seen: it writes beside its file (the -wal and -shm files) even to read."""
    if (path := settings.sqlite_path) is None:
        return error
    # A file DATABASE_URL names, or the data directory's (NEWSBOT_DATA_DIR moves it).
    named = bool(settings.database_url)
    where, other = ("the directory", "DATABASE_URL") if named else ("the data directory", "NEWSBOT_DATA_DIR")
    if not os.access(path.parent, os.W_OK):
        why = f"{where} {path.parent} is not writable, and SQLite writes its -wal and -shm files there"
    elif path.exists() and not os.access(path, os.W_OK):
        why = f"the file {path} is read-only"
    else:
        return error
    return StoreError(f"{error}: {why} even to read; make it writable or set {other} to another")
