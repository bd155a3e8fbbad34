"""The store's tables, one schema for SQLite and PostgreSQL.

Times: every time column is `UTCDateTime`, an instant in UTC. It refuses naive datetimes when writing and
always reads back aware UTC datetimes, in both databases (PostgreSQL keeps `timestamptz`; SQLite keeps the UTC
wall time as text, which sorts and compares correctly because it is always UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store keeps only timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A 64-bit counter that SQLite still treats as its rowid (only INTEGER PRIMARY KEY is an alias of the rowid).
Serial = BigInteger().with_variant(Integer, "sqlite")

metadata = MetaData()

# A table here is created by one named migration (bot.store.migrations) and its definition is then frozen: a
# later change is a new migration (new tables preferred over altered ones), so old and new stores agree.

articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", Text, nullable=False),
    Column("category", Text, nullable=False, server_default=""),
    Column("published", UTCDateTime),
    Column("url", Text),
    Column("author", Text),
    # Where it came from (file, record, feed entry): a new article from the same origin replaces it.
    Column("origin", Text),
    Column("content_hash", String(32), nullable=False),
    Column("paragraph_count", Integer, nullable=False),
    # When it first arrived (kept when it is edited), and when it last changed.
    Column("added_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Read as a new feed's back catalogue, its first poll (`StoredArticle.backlog`): undated, it is not news, as
    # its arrival is not its publication. Added by 0011_back_catalogue.
    Column("backlog", Boolean, nullable=False, server_default=false()),
    # The key of the headline's words (`bot.store.stories.headline_key`; None for a headline without any): where a
    # new link's story is looked for among those stored. Added by 0015_headline_keys.
    Column("headline_key", String(16)),
    # Its place in the order stories arrived, higher for newer: a later batch higher, and within one batch (one
    # arrival time) its newest highest: a feed's first (it lists its newest first), an ingest's last read. Stories of
    # one arrival time are listed by it, highest first (/latest, digests), not by their ids' hashes. Added by
    # 0027_arrival_order.
    Column("arrival", BigInteger),
    # The newsroom's own id for the story (`Article.source_id`, a record's `id`): a re-export's record under it, from
    # another file, corrects the story. Added by 0034_source_ids.
    Column("source_id", Text),
    Index("articles_origin", "origin"),
    Index("articles_published", "published"),
    Index("articles_added_at", "added_at"),
    Index("articles_category", "category"),
)

paragraphs = Table(
    "paragraphs",
    metadata,
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    # Stored in key order, so an article's paragraphs sit together on disk.
    sqlite_with_rowid=False,
)

# Every article write appends here in the same transaction: the log each local index (and later alerts) follow.
changes = Table(
    "changes",
    metadata,
    Column("seq", Serial, primary_key=True, autoincrement=True),
    Column("article_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # Never reuse a sequence number, even after the newest rows are gone.
    sqlite_autoincrement=True,
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

chats = Table(
    "chats",
    metadata,
    Column("chat_id", BigInteger, primary_key=True),
    Column("kind", String(32), nullable=False, server_default=""),
    Column("title", Text, nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("updated_at", UTCDateTime, nullable=False),
    # (0023) Inactive because an admin restricted the bot from sending (not because it was removed or blocked):
    # such a group is asked at its digest's due time whether the bot may write again (lifted without a word).
    Column("restricted", Boolean, nullable=False, server_default=false()),
    # (0025) The one ask of Telegram about a restricted chat at its digest's due time, claimed here so that one
    # process asks: the due instant last asked about, and until when the asker may still answer (NULL: answered).
    # The digest is not claimed while an answer is awaited (bot.store.chat_settings.due): a process that claimed it
    # meanwhile found the chat inactive and skipped the day the asker was about to wake it.
    Column("asked_due", UTCDateTime),
    Column("asking_until", UTCDateTime),
)
# The few chats a restriction keeps inactive, read every minute (bot.store.chats.restricted_due): without it every
# chat was scanned (38 ms a minute at 100,000 chats on SQLite).
_restricted = chats.c.restricted.is_(True)
chats_restricted = Index("chats_restricted", chats.c.chat_id, sqlite_where=_restricted, postgresql_where=_restricted)

# Questions behind "More" buttons: the key in the button is a hash of the question and its filters.
queries = Table(
    "queries",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("question", Text, nullable=False),
    Column("category", Text),
    Column("since", UTCDateTime),
    Column("until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    # 0017_query_update: the inline query (its update) whose question an asker's one key holds; a query searched
    # before it, handled late by this process or another, does not write over it (bot.store.queries). None in a
    # "More" button's row, whose key is its question's.
    Column("update_id", BigInteger),
    # 0032_query_links: the opaque name of an inline question that its button's deep link carries, found by it
    # for whoever opens the link; the asker's id it used to carry was anyone's to read (None in a "More" button's).
    Column("link", String(32)),
    Index("queries_created_at", "created_at"),
)
queries_link = Index("queries_link", queries.c.link)

migrations = Table(
    "schema_migrations",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)

# ---- subscriptions and digests (migration 0002_subscriptions) --------------------------------------------------

# A chat's digest and alert settings, and the scheduler's memory: when its next digest is due (NULL while the
# digest is off) and the due instant of its previous scheduled digest (the start of the next one's window).
chat_settings = Table(
    "chat_settings",
    metadata,
    Column("chat_id", BigInteger, primary_key=True),
    # The daily time as the wall clock shows it in `zone` ("07:30").
    Column("daily_time", String(5), nullable=False),
    # A zone key of bot.services.schedule ("Europe/Berlin", "UTC", "UTC+03:00").
    Column("zone", String(64), nullable=False),
    Column("digest", Boolean, nullable=False, server_default=true()),
    Column("alerts", Boolean, nullable=False, server_default=false()),
    # An empty digest says "nothing new" (true) or is not sent at all (false).
    Column("empty_notice", Boolean, nullable=False, server_default=true()),
    Column("next_due", UTCDateTime),
    Column("previous_due", UTCDateTime),
    # When alerts were last turned on: articles that arrived before are not alerted.
    Column("alerts_since", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    # The forum topic digests and alerts go to: the one the settings were last changed in (NULL: General, or a chat
    # without topics). Added by 0008_digest_topic.
    Column("topic", BigInteger),
    # Whether the chat asked for its daily digest or turned it off (subscribed, set its time, /digest on|off...): one
    # that chose only a time zone or alerts has no digest until it does. Added by 0009_digest_chosen (true for the
    # chats of older stores, whose first choice of anything started their digest).
    Column("digest_chosen", Boolean, nullable=False, server_default=true()),
    # When the chat subscribed to every category, the ones that appear later too (/subscribe all); NULL: it follows
    # the categories it has rows for in `subscriptions`. A time rather than a flag: a category that first appears
    # later is alerted from then on, not from before the chat asked. Added by 0020_all_categories.
    Column("all_since", UTCDateTime),
    Index("chat_settings_next_due", "next_due"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("chat_id", BigInteger, primary_key=True),
    # The category as the articles spell it.
    Column("category", Text, primary_key=True),
    Column("subscribed_at", UTCDateTime, nullable=False),
    Index("subscriptions_category", "category"),
)

# One row per message (or set of messages) the bot owes a chat: a digest keyed by the chat's local day, an alert
# by its change-log batch. The row is claimed (committed) before anything is sent, so the unique key is what
# makes "at most once" hold across restarts and processes.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("key", String(64), nullable=False),
    # claimed, sent, silent, failed, rejected, ambiguous or expired (bot.services.deliveries says what each means), or
    # held: an alert waiting for its chat's pace (bot.store.deliveries.hold_alerts).
    Column("status", String(16), nullable=False),
    Column("claimed_by", String(64), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
    # Set just before the send starts: a claimed row without it was never attempted and may be taken over.
    Column("attempted_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("detail", Text, nullable=False, server_default=""),
    # A digest's due instant (the end of its window); an alert's claim time.
    Column("due", UTCDateTime, nullable=False),
    # A digest's window's start; an alert's when it was held for its chat's pace (None: sent as claimed).
    Column("window_start", UTCDateTime),
    # An alert's articles, space-separated ids.
    Column("articles", Text, nullable=False, server_default=""),
    # 0036_delivery_days: a digest's local day and the zone whose calendar it is of, as its key names them ("2026-03-27
    # Europe/Berlin"): a claim nobody sent is owed while that day lasts (`deliveries.stale`), which read them back
    # out of the key. None for alerts and notices.
    Column("local_day", Date),
    Column("day_zone", String(64)),
    UniqueConstraint("kind", "chat_id", "key", name="deliveries_once"),
    Index("deliveries_status", "status", "claimed_by"),
    Index("deliveries_chat", "chat_id"),
    Index("deliveries_finished_at", "finished_at"),
)

# Positions of followers of the change log kept in the store ("alerts": the last change alerts have handled).
cursors = Table(
    "cursors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Running bot processes, each beating here: how many share the flood budget, and whose claims are orphaned.
workers = Table(
    "workers",
    metadata,
    Column("worker_id", String(64), primary_key=True),
    Column("host", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Index("workers_seen_at", "seen_at"),
)


# ---- 0003_feeds ------------------------------------------------------------------------------------------------

# The RSS/Atom feeds newsbot polls. One row per feed (its canonical URL), with what the next poll needs
# (validators for a conditional GET, when it is due) and who is polling it now: a process claims a due feed by
# writing its lease (holder, until) in a transaction, so processes sharing the store fetch each feed once.
feeds = Table(
    "feeds",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    # Every story's category; None: the entry's own tags, else "News".
    Column("category", Text),
    Column("title", Text, nullable=False, server_default=""),
    Column("added_by", Text, nullable=False, server_default=""),
    Column("added_at", UTCDateTime, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("next_poll_at", UTCDateTime, nullable=False),
    Column("last_polled_at", UTCDateTime),
    Column("last_ok_at", UTCDateTime),
    # "new" (never polled), "ok", "not modified" or "failed"; the reason is for operators.
    Column("last_status", String(16), nullable=False, server_default="new"),
    Column("last_reason", Text, nullable=False, server_default=""),
    # Stories the last poll stored or changed (news, back catalogue and edits).
    Column("last_stored", Integer, nullable=False, server_default="0"),
    # Consecutive failed polls (the back-off grows with them) and since when the feed has failed.
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("failing_since", UTCDateTime),
    # When admins were told the feed has been failing (once per failing spell).
    Column("failure_reported_at", UTCDateTime),
    # The first complete poll: everything it and earlier polls stored is the back catalogue, not news.
    Column("baseline_at", UTCDateTime),
    Column("lease_holder", String(64)),
    Column("lease_until", UTCDateTime),
    # (0018) The address the feed had before it moved for good (a 301 or 308 answered it): still the same feed.
    Column("moved_from", Text),
    # (0018) Where the last fetch ended after redirects that left the address as it is (302, 307), if elsewhere:
    # that address is this feed too, not a new one.
    Column("redirected_to", Text),
    # (0019) When polling it stopped: its site had answered for a long time that it is not there (404, 410, not a
    # feed). Polled again only when an admin adds it again.
    Column("paused_at", UTCDateTime),
    # (0022) Since when, in this failing spell, its site has said the feed is not there (the first such answer;
    # a 5xx or a timeout meanwhile does not end it, a good poll does): the pause counts from this, not from
    # `failing_since`, so a week of 5xx and then one 404 pauses nothing.
    Column("absent_since", UTCDateTime),
    # (0035) The entries its polls said they could not read (no link to the story, say), by `Feed.unreadable`'s keys,
    # space-separated: each is said once, where every poll said it again.
    Column("unreadable_told", Text, nullable=False, server_default=""),
    Index("feeds_next_poll_at", "next_poll_at"),
)

# Every story a feed has shown, and what became of it: the article it is (stored by this feed, the owner, or a
# duplicate of a story stored before, by another feed or under another link), the entry as the feed last showed
# it (an unchanged entry is skipped without fetching its page), and the story's content fingerprint (the same
# words under another link are the same story).
feed_entries = Table(
    "feed_entries",
    metadata,
    Column(
        "feed_id",
        Serial,
        ForeignKey("feeds.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    # The entry's guid (Atom id), else its link, hashed.
    Column("key", String(32), primary_key=True),
    Column("article_id", String(32), nullable=False),
    Column("entry_hash", String(32), nullable=False),
    Column("fingerprint", String(32), nullable=False),
    Column("owner", Boolean, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    # (0004) The story holds the feed's teaser because its page failed in a way a later read may mend (5xx, 429,
    # a timeout, no connection): failed reads in a row, and from when a poll reads the page again (None: never).
    Column("page_failures", Integer, nullable=False, server_default="0"),
    Column("page_retry_at", UTCDateTime),
    # (0028) When its page was given up (gone: 404, 410, too large, not an article; or failing every read a later
    # one might mend): a feed that only re-dates the entry (a generated feed stamping each with the time it is
    # served) has it read again a week on, not on every poll.
    Column("page_given_up_at", UTCDateTime),
    # (0030) The date the feed gave the entry at its last poll, when not its story's: a date given at two polls in a
    # row is a correction, taken; one new at every poll (the time the feed is served) never is.
    Column("dated", UTCDateTime),
    Index("feed_entries_article", "article_id"),
    Index("feed_entries_fingerprint", "fingerprint"),
    sqlite_with_rowid=False,
)


# ---- 0005_category_names ---------------------------------------------------------------------------------------

# Each category's one spelling, under its key: the name with case, character width, spacing and a plural's "s"
# aside ("Sport", "SPORT", " sport " and "Sports" are one category; the plural since 0031_category_plurals). The
# first spelling to arrive is the name; every article is written with it (`bot.store.categories.spell`, under the
# change-log lock), so readers, digests, alerts and subscriptions compare names exactly. Kept when a category's
# last article goes: one that comes back keeps it.
category_names = Table(
    "category_names",
    metadata,
    Column("key", Text, primary_key=True),
    Column("name", Text, nullable=False),
)


# ---- 0007_latest ------------------------------------------------------------------------------------------------

# /latest lists undated stories by arrival among the dated ones: with this, the newest undated ones are read in
# order (published IS NULL, then added_at) instead of being sorted all (a store of undated files holds nothing
# else), and the newest dated ones still in order of publication.
articles_latest = Index("articles_latest", articles.c.published, articles.c.added_at)


# ---- 0010_received_updates -------------------------------------------------------------------------------------

# The updates a bot received from Telegram, each recorded before Telegram is told it arrived (the next poll's
# offset, a webhook's answer) and marked when handled: those a process killed mid-answer (kill -9, out of memory,
# power lost) left unanswered are handled by a process that finds it gone. One row per update of each bot (its
# id, the token's number); `worker` handles it. Kept a day, as Telegram keeps updates, so one delivered twice (a
# process killed between recording and confirming it) is known and handled once.
received_updates = Table(
    "received_updates",
    metadata,
    Column("bot_id", BigInteger, primary_key=True, autoincrement=False),
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("payload", Text, nullable=False),
    Column("worker", String(64), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("handled_at", UTCDateTime),
    # The chat of the update (none for an inline query), migration 0014_received_chat.
    Column("chat_id", BigInteger),
    Index("received_updates_received_at", "received_at"),
)
# Several processes behind one webhook: a chat's update waits for the chat's earlier ones that another process
# received and has not handled yet (bot.store.received.holders_before), as one process's chat order has it wait.
# Only the updates not handled yet are in it: a busy chat's day of handled ones is not read at each update.
_unhandled = received_updates.c.handled_at.is_(None)
received_updates_chat = Index(
    "received_updates_chat",
    received_updates.c.bot_id,
    received_updates.c.chat_id,
    received_updates.c.update_id,
    sqlite_where=_unhandled,
    postgresql_where=_unhandled,
)


# ---- 0012_article_sends ----------------------------------------------------------------------------------------

# The full articles sent lately behind "Full article" buttons: one row per chat, button and article, with when it
# went out. A press sends only if it writes the row (bot.store.sends), so two presses in a row, handled by two
# processes or either side of a restart, send the article once. A /latest list's "More" claims its page here too
# (`button` "<message>:more"). Rows older than `sends.KEPT` are pruned as presses come.
article_sends = Table(
    "article_sends",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    # The message the button is under (its id), or the inline message's id for a button under an inline result.
    Column("button", Text, primary_key=True),
    Column("article_id", String(32), primary_key=True),
    Column("sent_at", UTCDateTime, nullable=False),
    # 0016_article_send_update: the update (the press) that claimed the send. That very update handled again (taken
    # over from a process killed mid-send) takes the claim again and sends; another press does not. None in a row
    # claimed before 0016, which no press handled again owns.
    Column("update_id", BigInteger),
    Index("article_sends_sent_at", "sent_at"),
)


# ---- 0013_asked_questions --------------------------------------------------------------------------------------

# The question each message lately answered asked (a hash of its words, its asker's id and the message it replies
# to: `bot.tg.ask.asked_as`; rows before session 67 hashed the words alone), by bot, chat and message: an edit of the
# message is answered only if it changes the question (bot.store.asked), whichever process answered it before and
# whichever gets the edit, and a repeat sent before the answer came is not answered again. `update_id` is the update
# that last answered it: that very update handled again (taken over from a process killed mid-answer) answers. Rows
# older than a week are pruned as questions come.
asked_questions = Table(
    "asked_questions",
    metadata,
    Column("bot_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("message_id", BigInteger, primary_key=True, autoincrement=False),
    Column("question_hash", String(16), nullable=False),
    Column("update_id", BigInteger, nullable=False),
    Column("asked_at", UTCDateTime, nullable=False),
    Index("asked_questions_asked_at", "asked_at"),
)


# ---- 0015_headline_keys ----------------------------------------------------------------------------------------

# The stories stored under a headline, found by key when a new link's story may be one of them
# (`bot.store.articles.write`).
articles_headline_key = Index("articles_headline_key", articles.c.headline_key)
# The stories stored under a newsroom's id, found when a re-export's record corrects one (`bot.store.articles.write`).
articles_source_id = Index("articles_source_id", articles.c.source_id)


# ---- 0026_site_waits -------------------------------------------------------------------------------------------

# The sites that asked newsbot's fetches to leave them a while (a 429 Too Many Requests, a Retry-After), by host and
# port as fetched, until when, and the answer that asked (for the reason every fetch left meanwhile gives). Every
# poll round, in any process, leaves them until then (`bot.services.feeds`); rows past their time are pruned as
# new ones come.
site_waits = Table(
    "site_waits",
    metadata,
    Column("site", Text, primary_key=True),
    Column("until", UTCDateTime, nullable=False),
    Column("url", Text, nullable=False),
    Column("reason", Text, nullable=False),
)


# ---- 0029_feed_entry_hashes ------------------------------------------------------------------------------------

# A feed's entries by how it showed them: a poll looks up its entries under new keys among them (a link restamped,
# `bot.store.feeds.seen_shown`), which read every entry of the feed (the primary key's `feed_id`) without it.
feed_entries_hash = Index("feed_entries_hash", feed_entries.c.feed_id, feed_entries.c.entry_hash)


# ---- 0033_question_replies -------------------------------------------------------------------------------------

# The bot's messages replying to each message it answered lately, by bot, chat and message (`bot.store.replies`):
# an edit of the message puts its new reply in their place, whichever process sent them (or before a restart).
# Rows older than a week are pruned as replies come.
question_replies = Table(
    "question_replies",
    metadata,
    Column("bot_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("message_id", BigInteger, primary_key=True, autoincrement=False),
    # A reply's id: a chat numbers its messages upwards, so in this order the replies read as sent.
    Column("reply_id", BigInteger, primary_key=True, autoincrement=False),
    Column("replied_at", UTCDateTime, nullable=False),
    Index("question_replies_replied_at", "replied_at"),
)


# ---- 0037_robots -----------------------------------------------------------------------------------------------

# The robots.txt of each site whose story pages feed polls read (`bot.robots`), by scheme, host and port: its text
# (None when it could not be read and none was read before), what the site answered, when, and until when it holds
# (a day; minutes after a failed read). Every process reads it here, so a cron's `newsbot feeds poll` and a bot
# beside it read a site's robots.txt once a day between them, not once per process and run.
site_robots = Table(
    "site_robots",
    metadata,
    Column("site", Text, primary_key=True),
    Column("text", Text),
    Column("status", Text, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("until", UTCDateTime, nullable=False),
)

# When each site (as `site_robots` names it) may next be asked for a story page: its robots.txt's Crawl-delay, else
# `Settings.page_gap_seconds`, after the last one any process asked for.
site_turns = Table(
    "site_turns",
    metadata,
    Column("site", Text, primary_key=True),
    Column("next_at", UTCDateTime, nullable=False),
)

# An /addfeed refused for what a feed not live yet answers (no such host, a 404, not a feed), kept for its "Add it
# anyway" button: the address and category asked for, by chat, under the key the button carries (a feed's address
# may be longer than a button's 64 bytes). The first press takes it (`taken_by`, its update), whichever process
# handles it: a second press, or a press on another admin's copy, adds nothing. Rows older than a week are pruned
# as requests come.
feed_requests = Table(
    "feed_requests",
    metadata,
    Column("key", String(16), primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("url", Text, nullable=False),
    Column("category", Text),
    Column("asked_at", UTCDateTime, nullable=False),
    Column("taken_by", BigInteger),
    Index("feed_requests_asked_at", "asked_at"),
)
