"""The store: the one truth every newsbot process shares (SQLAlchemy Core on SQLite or PostgreSQL).

`Store` opens one short transaction per call: reads see a consistent snapshot and never wait for a writer;
article writes hold the change-log lock so the log's sequence numbers commit in order. The modules beside this
one hold the SQL, one per group of tables; this class is the door the rest of newsbot uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from bot.errors import StoreError
from bot.models import Article, Headline, StoredArticle
from bot.store import (
    arrivals,
    articles,
    asked,
    changes,
    chat_settings,
    chats,
    cursors,
    deliveries,
    queries,
    received,
    replies,
    sends,
    subscriptions,
    wal,
    workers,
)
from bot.store.articles import (
    ADDED,
    PartlyWrittenError,
    SameStory,
    TakenLink,
    WriteResult,
    another_story,
    corrects,
    corrects_by_id,
)
from bot.store.changes import Change
from bot.store.chat_settings import ChatSettings, Decision, DueChat
from bot.store.chats import Asks
from bot.store.cursors import ALERTS_CURSOR
from bot.store.deliveries import Claim, Delivery, Orphan
from bot.store.engine import (
    ANSWER_RETRY_SECONDS,
    CHANGELOG_LOCK,
    HeldFile,
    answering,
    connect,
    file_identity,
    hold,
    lock_wait,
    reach,
    reading,
    record_wal,
    release,
    writing,
)
from bot.store.migrations import STORE_ID, Seed, StoreNotMadeError, migrate, newer, pending
from bot.store.queries import SavedQuery
from bot.store.received import Received
from bot.store.schema import meta
from bot.store.subscriptions import Subscriber
from bot.store.workers import Worker

__all__ = [
    "AlertBatch",
    "Asks",
    "Change",
    "ChatEdit",
    "ChatSettings",
    "Claim",
    "Decision",
    "Delivery",
    "DueChat",
    "Orphan",
    "PartlyWrittenError",
    "Received",
    "Recovery",
    "SameStory",
    "SavedQuery",
    "Store",
    "StoreNotMadeError",
    "StoreStats",
    "Subscriber",
    "TakenLink",
    "Worker",
    "WriteResult",
    "another_story",
    "answering",
    "corrects",
    "corrects_by_id",
]

# A button's question is kept this long (Telegram keeps buttons forever; the news they page through goes stale).
# Articles written in one transaction at most (see `Store.write_articles`): 100 BBC stories take 0.02 to 0.1 s.
WRITE_ARTICLES = 100
# Between two of them: a write answering someone, asking for the lock every ANSWER_RETRY_SECONDS, gets in (SQLite
# queues no waiters: the next transaction began before any other writer looked).
WRITE_GAP_SECONDS = 2.5 * ANSWER_RETRY_SECONDS
QUERY_LIFETIME = timedelta(days=7)
# Asking a saved question again rewrites it only when it is older than this, so buttons live 7 days less this.
QUERY_REFRESH = timedelta(hours=1)
# An inline question kept this long ago gives way to any query of its asker's, whatever its update id: the queries of
# one bout of typing are all kept within a minute or two (a search, then the save's wait for a lock), and a Bot API
# server started again (a local one, `newsbot chat`'s stand-in) numbers its updates from 1 again.
TYPING_BOUT = timedelta(minutes=10)
# A message's question is known this long for its edits: one edited later is answered even if it asks the same.
ASKED_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class StoreStats:
    articles: int
    paragraphs: int
    categories: tuple[tuple[str, int], ...]
    first_published: datetime | None
    last_published: datetime | None
    undated: int = 0


@dataclass(frozen=True)
class ChatEdit:
    """A chat after `Store.edit_chat`: its settings (None if it has none), its categories, and what changed."""

    settings: ChatSettings | None
    categories: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    # Its settings as the edit found them.
    before: ChatSettings | None = None


@dataclass(frozen=True)
class AlertBatch:
    """A stretch of the change log for alerts: the changes, the added articles that still exist, and the chats
    with alerts on that follow their categories."""

    changes: list[Change]
    arrivals: dict[str, Headline]
    subscribers: list[Subscriber]


@dataclass(frozen=True)
class Recovery:
    """What `Store.recover_deliveries` did: the claims this worker took over, and how many it closed, by status."""

    taken: list[Delivery]
    closed: dict[str, int]


# Verdicts on an orphaned claim besides a final status (see `Store.recover_deliveries`).
KEEP, TAKE = "keep", "take"


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Articles, the change log, chats and saved questions; safe to share between threads and processes."""

    def __init__(self, engine: Engine, held: HeldFile | None = None) -> None:
        self.engine = engine
        # The SQLite file opened, held open (see `HeldFile`): one replaced under a running process (a backup
        # restored, the data directory made anew) kept being read through the pooled connections, deleted, while
        # nothing new ever came in.
        self._held = held

    @classmethod
    def open(cls, url: str, seed: Seed | None = None, lock_wait: float | None = None) -> Store:
        """Connect (making a SQLite file if there is none) and apply any missing migration; a store created now
        gets `seed`'s articles. `lock_wait`: how long a background write waits for another process's lock
        (seconds; NEWSBOT_STORE_WAIT_MINUTES), a migration too."""
        engine = connect(url, lock_wait=lock_wait)
        held = None
        try:
            held = hold(engine)
            reach(engine)
            migrate(engine, seed)
            record_wal(engine)
        except BaseException:
            release(engine, held)
            raise
        return cls(engine, held)

    @staticmethod
    def probe(url: str) -> None:
        """Connect to the store's server once and let go, raising as `reach` does: whether the bot can start."""
        engine = connect(url, create=False)
        try:
            reach(engine)
        finally:
            engine.dispose()

    def identity(self) -> str:
        """This store's id, made once when it was created: what a local index records to know its store."""
        with reading(self.engine) as connection:
            return str(connection.scalar(select(meta.c.value).where(meta.c.key == STORE_ID)) or "")

    def replaced(self) -> bool:
        """Whether another SQLite file is now at the store's path than the one opened (False while none is there,
        as between a removal and a new ingest, and for PostgreSQL)."""
        now = file_identity(self.engine)
        return now is not None and self._held is not None and now != self._held.identity

    def gone(self) -> bool:
        """Whether no file is at the SQLite store's path now (removed under this process; False for PostgreSQL)."""
        return self._held is not None and file_identity(self.engine) is None

    def reopen(self) -> bool:
        """Open the SQLite file now at the store's path, migrated as at a start (`StoreError` if none is there: it is
        not made; `StoreNotMadeError` while the file there holds no store yet: the process that made the file makes
        the store in it next, with its shipped articles, which a store made here would lack); the old file's
        connections close as they are given back. True if the `-wal` the old file left beside the new one was
        removed first (`wal.drop_log_of`): the writes made to the old file since went with it."""
        engine = connect(
            self.engine.url.render_as_string(hide_password=False), create=False, lock_wait=lock_wait(self.engine)
        )
        held, database = None, engine.url.database or ""
        try:
            with wal.replacing(database):
                dropped = self._held is not None and wal.drop_log_of(database, self._held.identity)
                held = hold(engine)
                migrate(engine, make=False)
                record_wal(engine)
        except BaseException:
            release(engine, held)
            raise
        old, old_held = self.engine, self._held
        self.engine, self._held = engine, held
        release(old, old_held)
        return dropped

    def pending_migrations(self) -> list[str]:
        return pending(self.engine)

    def newer_migrations(self) -> str:
        """The store's migrations this version does not know, named ("" if none: `migrations.newer`)."""
        return newer(self.engine)

    def close(self) -> None:
        release(self.engine, self._held)

    # ---- articles ---------------------------------------------------------------------------------------------

    def write_articles(self, batch: Sequence[Article], now: datetime | None = None) -> WriteResult:
        """Add or replace a batch of articles read in order (a file's, an ingest's: the last read is the newest),
        with their change-log entries, in transactions of WRITE_ARTICLES articles at most: every other write waits
        for the one under way (SQLite admits one writer), and a bot recording a question's update waited behind an
        ingest's batch of 800 (2 to 6 s under load). One failing after others went in raises PartlyWrittenError."""
        result = WriteResult()
        seen: set[str] = set()
        for start in range(0, len(batch), WRITE_ARTICLES):
            if start:
                time.sleep(WRITE_GAP_SECONDS)
            part = []
            for article in batch[start : start + WRITE_ARTICLES]:
                if article.id in seen:  # the first one's duplicate, as within one transaction
                    result.duplicate.append(article.id)
                else:
                    part.append(article)
                    seen.add(article.id)
            try:
                with writing(self.engine, CHANGELOG_LOCK) as connection:
                    # The time of each transaction (unless given): two ingests at once write theirs in turn, and
                    # one batch's time for all its parts listed the other's stories out of the order they came in.
                    written = articles.write(connection, part, now or _now(), newest_first=False)
            except StoreError as exc:
                if start == 0:
                    raise
                raise PartlyWrittenError(str(exc), result) from exc
            result.extend(written)  # once committed: a commit refused (a full disk) wrote nothing
        return result

    def remove_articles(self, article_ids: Iterable[str], now: datetime | None = None) -> list[str]:
        """Delete articles; returns the ids that existed."""
        with writing(self.engine, CHANGELOG_LOCK) as connection:
            return articles.remove(connection, list(article_ids), now or _now())

    def article(self, article_id: str) -> StoredArticle | None:
        with reading(self.engine) as connection:
            return articles.get(connection, article_id)

    def articles(self, article_ids: Iterable[str]) -> dict[str, StoredArticle]:
        with reading(self.engine) as connection:
            return articles.get_many(connection, article_ids)

    def paragraphs(self, article_id: str) -> list[str]:
        with reading(self.engine) as connection:
            return articles.texts(connection, article_id)

    def paragraph_texts(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
        return self.candidates(keys)[1]

    def candidates(
        self, keys: Iterable[tuple[str, int]]
    ) -> tuple[dict[str, StoredArticle], dict[tuple[str, int], str]]:
        """A question's candidates: the paragraphs of `keys` that exist and their articles, in one snapshot (no
        passage is read without its article); on PostgreSQL in one statement, outside a transaction."""
        with reading(self.engine, one_statement=True) as connection:
            return articles.candidates(connection, keys)

    def with_paragraphs(self, article_ids: Sequence[str]) -> list[tuple[StoredArticle, list[str]]]:
        """The articles that still exist among `article_ids`, each with its paragraphs (one snapshot)."""
        with reading(self.engine) as connection:
            found = articles.get_many(connection, article_ids)
            texts = articles.texts_of(connection, list(found))
        return [(found[i], texts[i]) for i in article_ids if i in found]

    def article_ids_from(self, path: str) -> list[str]:
        """The articles read from the file at `path` (resolved): its own, or each of its records; for a folder,
        those of every file under it."""
        with reading(self.engine) as connection:
            return articles.ids_from(connection, path)

    def article_ids_after(self, after: str, limit: int | None) -> list[str]:
        with reading(self.engine) as connection:
            return articles.ids_after(connection, after, limit)

    def latest(self, limit: int, category: str | None = None, before: datetime | None = None) -> list[StoredArticle]:
        """The `limit` newest stories (of `category`; whose news time is `before` a time: `articles.latest`)."""
        with reading(self.engine) as connection:
            return articles.latest(connection, limit, category, before)

    def categories(self) -> list[tuple[str, int]]:
        with reading(self.engine) as connection:
            return articles.categories(connection)

    def category_names(self) -> list[str]:
        """The categories a reader may name, most articles first: those of `categories` but the "" of articles filed
        under none, which the bot's commands, digests and requests in words read alike."""
        return [name for name, _ in self.categories() if name]

    def stats(self) -> StoreStats:
        with reading(self.engine) as connection:
            totals = articles.totals(connection)
            names = articles.categories(connection)
        return StoreStats(
            totals.articles,
            totals.paragraphs,
            tuple(names),
            totals.first_published,
            totals.last_published,
            totals.undated,
        )

    def random_articles(self, count: int) -> list[StoredArticle]:
        with reading(self.engine) as connection:
            return articles.random_articles(connection, count)

    # ---- change log ---------------------------------------------------------------------------------------------

    def head(self) -> int:
        """The newest change-log sequence number."""
        with reading(self.engine) as connection:
            return changes.head(connection)

    def paragraphs_changed_since(self, seq: int) -> int:
        """Paragraphs of the articles that changed after `seq` and still exist (what a follower has to redo)."""
        with reading(self.engine) as connection:
            return articles.paragraphs_changed_since(connection, seq)

    def changes_since(self, seq: int, limit: int, until: int | None = None) -> list[Change]:
        with reading(self.engine) as connection:
            return changes.since(connection, seq, limit, until)

    # ---- chats and saved questions ------------------------------------------------------------------------------

    def touch_chat(
        self, chat_id: int, kind: str = "", title: str = "", active: bool = True, restricted: bool = False
    ) -> None:
        """Record a chat and whether the bot may write to it (`restricted`: it may not only because an admin
        restricted it, so it is asked again at its digest's due time)."""
        with writing(self.engine) as connection:
            chats.touch(connection, chat_id, kind, title, active, _now(), restricted)

    def set_chat_active(self, chat_id: int, active: bool, restricted: bool = False) -> None:
        with writing(self.engine) as connection:
            chats.set_active(connection, chat_id, active, _now(), restricted)

    def restricted_due(self, now: datetime) -> list[int]:
        """Chats inactive only because an admin restricted the bot, whose digest is due at `now`."""
        with reading(self.engine) as connection:
            return [chat_id for chat_id, _ in chats.restricted_due(connection, now)]

    def claim_restriction_asks(self, now: datetime, until: datetime) -> Asks:
        """Claim, until `until`, the asks of Telegram about the restricted chats whose digest is due (one process
        asks about each, once per due time); a write only when some are due, each claim conditional on what was
        read (read once: it was read again in the write)."""
        with reading(self.engine) as connection:
            due = chats.restricted_due(connection, now)
        if not due:
            return Asks([], until)
        with writing(self.engine) as connection:
            return chats.claim_asks(connection, due, now, until)

    def lift_restrictions(
        self, chat_ids: Sequence[int], now: datetime, out: Sequence[int] = (), asked: Asks | None = None
    ) -> list[int]:
        """Make active again the chats of `chat_ids` that are still inactive only by a restriction; those of `out`
        (Telegram said the bot is out of them) stay inactive as removed chats, never asked again; the asks of
        `asked` (claimed by `claim_restriction_asks`) are answered. An answer to an ask another caller took over
        since changes nothing: that caller's answer, newer, decides."""
        with writing(self.engine) as connection:
            taken = set(asked.chat_ids).difference(chats.answered(connection, asked)) if asked else set()
            chats.forget_restriction(connection, [c for c in out if c not in taken], now)
            return chats.lift(connection, [c for c in chat_ids if c not in taken], now)

    def chat_active(self, chat_id: int) -> bool | None:
        with reading(self.engine) as connection:
            return chats.is_active(connection, chat_id)

    def save_query(self, query: SavedQuery, now: datetime | None = None) -> str:
        """Keep a question for its buttons and return its key; a question saved lately needs no write. One typed
        inline (`query.update_id`) is written unless a later query of its asker's was (whose question may be the
        same as one before it: the asker deleted letters)."""
        now = now or _now()
        if query.update_id is None:
            with reading(self.engine) as connection:
                saved = queries.saved_at(connection, query)
            if saved is not None and saved >= now - QUERY_REFRESH:
                return query.key
        with writing(self.engine) as connection:
            queries.save(connection, query, now, QUERY_LIFETIME, TYPING_BOUT)
        return query.key

    def load_query(self, key: str, chat_id: int, now: datetime | None = None) -> SavedQuery | None:
        """The question behind a button pressed in chat `chat_id`, or None if it expired, never existed or was asked
        in another chat."""
        with reading(self.engine) as connection:
            return queries.load(connection, key, chat_id, now or _now(), QUERY_LIFETIME)

    def load_linked(self, link: str, now: datetime | None = None) -> tuple[str, str] | None:
        """The question typed inline whose button's deep link names it `link`, and its key (its asker's); None if it
        expired or its asker typed another since."""
        with reading(self.engine) as connection:
            return queries.load_linked(connection, link, now or _now(), QUERY_LIFETIME)

    def claim_article_send(
        self, chat_id: int, button: str, article_id: str, update_id: int, now: datetime, window: timedelta
    ) -> bool:
        """Claim the send of the article behind a "Full article" button in a chat (`button`: the message it is
        under) for the press that is update `update_id`; False if another press's went out less than `window`
        before, in this process or another (this very press's, handled again after a kill, is taken again)."""
        with writing(self.engine) as connection:
            return sends.claim(connection, chat_id, button, article_id, update_id, now, window)

    def release_article_send(self, chat_id: int, button: str, article_id: str, claimed_at: datetime) -> None:
        """Forget the claim made at `claimed_at`: its send failed, and a press again sends."""
        with writing(self.engine) as connection:
            sends.release(connection, chat_id, button, article_id, claimed_at)

    def claim_question(
        self, bot_id: int, chat_id: int, message_id: int, update_id: int, question: str, edited: bool, now: datetime
    ) -> bool:
        """Claim the answer to the question a message asks (`edited`: in an edit of it, update `update_id`); False
        for an edit that leaves the question it was answered for, by this process or another."""
        with writing(self.engine) as connection:
            return asked.claim(
                connection, bot_id, chat_id, message_id, update_id, question, edited, now, ASKED_LIFETIME
            )

    def question_replies(self, bot_id: int, chat_id: int, message_id: int) -> tuple[int, ...]:
        """The ids of the bot's replies to a message it answered lately (in the order sent), by any process."""
        with reading(self.engine) as connection:
            return replies.of_message(connection, bot_id, chat_id, message_id)

    def keep_question_replies(
        self, bot_id: int, chat_id: int, message_id: int, reply_ids: Sequence[int], now: datetime
    ) -> None:
        """Keep `reply_ids` as the bot's replies to a message, for its edits (in place of those kept before)."""
        with writing(self.engine) as connection:
            replies.replace(connection, bot_id, chat_id, message_id, reply_ids, now, ASKED_LIFETIME)

    # ---- chats' digest settings and subscriptions ----------------------------------------------------------------

    def chat_settings(self, chat_id: int) -> ChatSettings | None:
        with reading(self.engine) as connection:
            return chat_settings.get(connection, chat_id)

    def subscriptions(self, chat_id: int) -> list[tuple[str, datetime]]:
        """A chat's categories, each with when it subscribed."""
        with reading(self.engine) as connection:
            return subscriptions.of_chat(connection, chat_id)

    def edit_chat(
        self,
        chat_id: int,
        edit: Callable[[ChatSettings | None], ChatSettings | None],
        now: datetime,
        subscribe: Sequence[str] = (),
        unsubscribe: Sequence[str] = (),
        keep: Callable[[ChatSettings | None, tuple[str, ...]], Sequence[str]] | None = None,
    ) -> ChatEdit:
        """Change a chat's subscriptions and settings in one transaction: `edit` gets its settings as they are
        (None for a chat without any) and returns them as they should be (None: leave them). `keep` names more
        categories to subscribe to from the settings and the store's categories as they are in the transaction: a
        choice that depends on them, read before it, could be undone by a change committed in between."""
        with writing(self.engine) as connection:
            before = chat_settings.get(connection, chat_id, for_update=True)
            if keep is not None:
                known = tuple(name for name, _ in articles.categories(connection) if name)
                subscribe = [*subscribe, *keep(before, known)]
            added = subscriptions.add(connection, chat_id, subscribe, now)
            removed = subscriptions.remove(connection, chat_id, unsubscribe)
            after = edit(before)
            if after is not None and after != before:
                chat_settings.put(connection, after, now)
            categories = tuple(c for c, _ in subscriptions.of_chat(connection, chat_id))
        return ChatEdit(after or before, categories, tuple(added), tuple(removed), before)

    def forget_topic(self, chat_id: int, topic: int, notice: Claim, worker: str, now: datetime) -> Delivery | None:
        """Forget the forum topic a send found gone, unless the chat chose another meanwhile, and claim `notice` (the
        word telling the chat) for `worker` in the same transaction: None when this call did not forget it (the
        settings are read locked, so of calls that found it gone together, one forgets it and owes the notice)."""
        with writing(self.engine) as connection:
            before = chat_settings.get(connection, chat_id, for_update=True)
            if before is None or before.topic != topic:
                return None
            chat_settings.put(connection, replace(before, topic=None), now)
            inserted = deliveries.insert(connection, [notice], worker, now)
            return next(iter(deliveries.load(connection, inserted.values())), None)

    def import_chats(self, chats_: Sequence[tuple[ChatSettings, Sequence[str]]], now: datetime) -> None:
        """Add many new chats with their settings and categories at once (a migration from elsewhere, benchmarks)."""
        with writing(self.engine) as connection:
            chat_settings.put_many(connection, [s for s, _ in chats_], now)
            subscriptions.add_many(connection, [(s.chat_id, c) for s, names in chats_ for c in names], now)

    def migrate_chat(self, old: int, new: int, now: datetime | None = None) -> None:
        """A group became a supergroup (Telegram's ChatMigrated): its settings, categories and deliveries follow it
        to the new id, and the old id is written to no more."""
        now = now or _now()
        with writing(self.engine) as connection:
            chat_settings.move(connection, old, new, now)
            subscriptions.move(connection, old, new)
            deliveries.move(connection, old, new)
            chats.set_active(connection, old, False, now)
            chats.set_active(connection, new, True, now)

    # ---- digests, alerts and their deliveries --------------------------------------------------------------------

    def claim_digests(
        self, now: datetime, limit: int, worker: str, decide: Callable[[DueChat], Decision]
    ) -> list[Delivery]:
        """Claim up to `limit` due digests in one transaction: `decide` says for each due chat what to claim and
        when it is due next; the claims and the new due instants commit together, before anything is sent."""
        with writing(self.engine) as connection:
            due = chat_settings.due(connection, now, limit)
            decisions = [(chat, decide(chat)) for chat in due]
            claims = [decision.claim for _, decision in decisions if decision.claim is not None]
            inserted = deliveries.insert(connection, claims, worker, now)
            dues = []
            for chat, decision in decisions:
                previous = chat.settings.previous_due
                # A local day that has its digest already (a change of zone can land on a day sent under the old
                # one) gets none: nothing is claimed, and the next window still starts at the last digest.
                if decision.claim is not None and (chat.settings.chat_id, decision.claim.key) in inserted:
                    previous = decision.claim.due
                dues.append((chat.settings.chat_id, decision.next_due, previous))
            chat_settings.set_due(connection, dues, now)
            return deliveries.load(connection, inserted.values())

    def earliest_due(self) -> datetime | None:
        with reading(self.engine) as connection:
            return chat_settings.earliest_due(connection)

    def arrivals(self, start: datetime, end: datetime) -> list[Headline]:
        """Articles that arrived in [start, end), with their first paragraphs."""
        with reading(self.engine) as connection:
            return arrivals.between(connection, start, end)

    def arrivals_of(self, article_ids: Sequence[str]) -> dict[str, Headline]:
        with reading(self.engine) as connection:
            return arrivals.of_ids(connection, article_ids)

    def claim_alerts(
        self,
        now: datetime,
        worker: str,
        limit: int,
        decide: Callable[[AlertBatch], Sequence[Claim]],
        pace: timedelta = timedelta(0),
    ) -> tuple[list[Delivery], int]:
        """Take the next `limit` change-log entries past the alerts' cursor and claim the alerts `decide` makes of
        them, advancing the cursor in the same transaction: each entry is handled by one process, once; a chat
        alerted less than `pace` ago has its alert held (`deliveries.hold_alerts`). Returns the claims to send now
        and how many entries were taken (none while another process holds the cursor)."""
        with writing(self.engine) as connection:
            seq = cursors.take(connection, ALERTS_CURSOR)
            if seq is None:
                return [], 0
            batch = changes.since(connection, seq, limit)
            if not batch:
                return [], 0
            added = [c.article_id for c in batch if c.kind == ADDED]
            found = arrivals.of_ids(connection, added)
            subscribers = subscriptions.alerted(connection, {a.article.category for a in found.values()})
            decided = decide(AlertBatch(batch, found, subscribers))
            claimed = deliveries.insert(connection, deliveries.hold_alerts(connection, decided, now, pace), worker, now)
            cursors.advance(connection, ALERTS_CURSOR, batch[-1].seq, now)
            return deliveries.load(connection, claimed.values()), len(batch)

    def release_alerts(self, now: datetime, worker: str, grace: timedelta) -> list[Delivery]:
        """Claim for `worker` the alerts held until now (`deliveries.release_held`), to send."""
        with writing(self.engine) as connection:
            return deliveries.load(connection, deliveries.release_held(connection, now, worker, grace))

    def alerts_position(self) -> int | None:
        with reading(self.engine) as connection:
            return cursors.position(connection, ALERTS_CURSOR)

    def start_deliveries(self, ids: Sequence[int], worker: str, now: datetime) -> list[int]:
        """Mark claims as attempted just before sending; only the ids returned may be sent."""
        with writing(self.engine) as connection:
            return deliveries.start(connection, ids, worker, now)

    def record_delivery(
        self,
        delivery_id: int,
        worker: str,
        status: str,
        detail: str,
        now: datetime,
        deactivate: bool = False,
        restricted: bool = False,
    ) -> bool:
        """Record what became of a claim (`deactivate`: the chat blocked, removed or, `restricted`, restricted the
        bot; a digest that reached no one leaves its window to the chat's next); False if `worker` lost it."""
        with writing(self.engine) as connection:
            finished = deliveries.finish(connection, delivery_id, worker, status, detail, now)
            if finished is None:
                return False
            chat_settings.reopen(connection, finished, now)
            if deactivate:
                chats.set_active(connection, finished.chat_id, False, now, restricted)
        return True

    def recover_deliveries(
        self, now: datetime, worker: str, kinds: Sequence[str], verdict: Callable[[Orphan, Worker | None], str]
    ) -> Recovery:
        """Settle the claims of processes that are gone: `verdict` gets each unrecorded claim and its claimer (None
        if unknown) and says "keep" (the claimer lives), "take" (this worker sends it), or a final status."""
        taken: list[int] = []
        closed: dict[str, int] = {}
        with writing(self.engine) as connection:
            # Claims first, then claimers: a claimer that registers after the first read cannot own what it found.
            found = deliveries.orphans(connection, kinds)
            known = workers.all_workers(connection)
            for orphan in found:
                action = verdict(orphan, known.get(orphan.claimed_by))
                if action == KEEP:
                    continue
                if action == TAKE:
                    if deliveries.take_over(connection, orphan, worker, now):
                        taken.append(orphan.id)
                elif finished := deliveries.close(connection, orphan, action, f"{orphan.claimed_by} stopped", now):
                    chat_settings.reopen(connection, finished, now)
                    closed[action] = closed.get(action, 0) + 1
            return Recovery(deliveries.load(connection, taken), closed)

    def delivery_counts(self, kind: str | None = None) -> dict[str, int]:
        with reading(self.engine) as connection:
            return deliveries.counts(connection, kind)

    def deliveries_of(self, chat_id: int) -> list[tuple[str, str, str]]:
        """A chat's deliveries as (kind, key, status), oldest first."""
        with reading(self.engine) as connection:
            return deliveries.of_chat(connection, chat_id)

    def alert_articles(self, delivery_id: int, chat_id: int) -> tuple[str, ...]:
        """The stories the alert of a delivery carried to `chat_id` (none for another chat's, or one pruned)."""
        with reading(self.engine) as connection:
            return deliveries.articles_of(connection, delivery_id, chat_id)

    def sent_as_alert(self, chat_id: int, end: datetime, sent: datetime) -> bool:
        """Whether a rest button of a window ending at `end`, under a message sent by `sent`, is an alert's
        (`deliveries.sent_as_alert`)."""
        with reading(self.engine) as connection:
            return deliveries.sent_as_alert(connection, chat_id, end, sent)

    def prune_deliveries(self, before: datetime) -> int:
        with writing(self.engine) as connection:
            return deliveries.prune(connection, before)

    # ---- running processes ------------------------------------------------------------------------------------

    def beat(self, worker: Worker, now: datetime, live_since: datetime, forget_before: datetime) -> list[Worker]:
        """Say this worker is alive; returns the workers seen since `live_since` (this one included)."""
        with writing(self.engine) as connection:
            workers.beat(connection, worker, now)
            workers.prune(connection, forget_before)
            return workers.seen_since(connection, live_since)

    def seen_since(self, since: datetime) -> list[Worker]:
        """The workers seen since `since`, read and not written: the token conflict's line names them, every 1 to 30
        s while the other bot polls, which a beat's write each time had no need of."""
        with reading(self.engine) as connection:
            return workers.seen_since(connection, since)

    def leave(self, worker_id: str) -> None:
        with writing(self.engine) as connection:
            workers.leave(connection, worker_id)

    # ---- updates received from Telegram ---------------------------------------------------------------------------

    def receive_update(
        self, bot_id: int, update: Received, now: datetime, gone: Callable[[Worker | None], bool] = lambda _: False
    ) -> bool:
        """Record an update before Telegram is told it arrived; False if it was already (delivered again, unless a
        process now `gone` handled it: a restarted Bot API server's)."""
        with writing(self.engine) as connection:
            return received.record(connection, bot_id, update, now, gone)

    def receive_updates(
        self, bot_id: int, updates: Sequence[Received], now: datetime, gone: Callable[[Worker | None], bool]
    ) -> None:
        """Record, at once, updates received while the store took no writes, each as `receive_update` would (one
        recorded or handled meanwhile, by its own late record or by another process, is left as it is)."""
        with writing(self.engine) as connection:
            for update in updates:
                received.record(connection, bot_id, update, now, gone)

    def handled_updates(self, bot_id: int, updates: Sequence[Received], now: datetime) -> None:
        with writing(self.engine) as connection:
            received.handled(connection, bot_id, updates, now)

    def take_unhandled_updates(
        self,
        bot_id: int,
        worker: str,
        since: datetime,
        gone: Callable[[Worker | None], bool],
        before: Received | None = None,
        waited_since: datetime | None = None,
    ) -> list[Received]:
        """Take over, oldest first, the unhandled updates of processes that are `gone` (received since `since`; only
        the earlier ones of the chat of `before`, if given; without it, not those a chat's later update, received
        since `waited_since`, waits for in a running process)."""
        with writing(self.engine) as connection:
            return received.take_unhandled(connection, bot_id, worker, since, gone, before, waited_since)

    def update_holders_before(self, bot_id: int, update: Received, since: datetime) -> list[Worker | None]:
        """The other workers holding, unhandled, updates of the chat of `update` that came before it (received since
        `since`); None for one no longer in the workers' table."""
        with reading(self.engine) as connection:
            return received.holders_before(connection, bot_id, update, since)

    def prune_received_updates(self, before: datetime) -> int:
        with writing(self.engine) as connection:
            return received.prune(connection, before)
