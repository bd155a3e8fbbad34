"""Alerts: new stories in a chat's categories, sent soon after they arrive, several batched into one message.

Alerts follow the store's change log with a cursor kept in the store (`cursors`, "alerts"), whichever process
added the articles (an ingest in another process, a feed poll): `claim` takes the next stretch of the log past
the cursor, claims one delivery per chat for it and advances the cursor, all in one transaction, so each stretch
is handled by one process once (a second process meanwhile gets nothing: SKIP LOCKED on PostgreSQL, SQLite's
one writer). The deliveries are then sent and recorded like digests (bot.services.deliveries, fanout).

Who gets what, from "added" changes only (a replaced or re-ingested story is not news again):
- chats with alerts on, active, following the story's category (a chat that follows none follows every one, as
  its digest does; one that subscribed to all follows those that appear later too);
- only stories that arrived after the chat subscribed to the category and after it turned alerts on (a new
  subscriber is not flooded with the back catalogue);
- never a story published more than two days before it arrived, nor an undated one from a file (an archive
  imported today): digests' rule, `digests.is_news`;
- never a story that arrived more than `grace` before the claim (after an outage the digest has it; alerts are
  for what is new now);
- one message per chat per stretch, whatever the number of stories (capped per category with "and N more"), and
  at most one per chat per `pace`: the stories of a chat alerted less than that ago are held, in the store, and
  sent together when the pace has passed (`deliveries.hold_alerts`, `release`), by whichever process runs then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bot.models import Digest
from bot.services.deliveries import ALERT, DEFAULT_ALERT_PACE, DEFAULT_GRACE
from bot.services.digests import by_news_order, is_news, page_of, sections
from bot.services.latest import LatestPage
from bot.store import AlertBatch, Claim, Delivery, Store
from bot.store.articles import ADDED
from bot.store.deliveries import ONE_INSTANT

# Change-log entries taken per claim.
BATCH = 1000
# Stories shown per category in one alert.
PER_CATEGORY = 5


def select(batch: AlertBatch, now: datetime, grace: timedelta) -> list[Claim]:
    """The alerts a stretch of the change log makes: one claim per chat, with its stories in log order (pure)."""
    if not batch.changes:
        return []
    followers: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for subscriber in batch.subscribers:
        followers[subscriber.category].append((subscriber.chat_id, subscriber.since))
    owed: dict[int, list[str]] = defaultdict(list)
    for change in batch.changes:
        headline = batch.arrivals.get(change.article_id) if change.kind == ADDED else None
        if headline is None:
            continue
        article = headline.article
        arrived = article.added_at
        if arrived is None or not is_news(article) or now - arrived > grace:
            continue
        for chat_id, since in followers[article.category]:
            if arrived > since and article.id not in owed[chat_id]:
                owed[chat_id].append(article.id)
    key = f"{batch.changes[0].seq}-{batch.changes[-1].seq}"
    return [Claim(ALERT, chat_id, key, now, None, tuple(ids)) for chat_id, ids in sorted(owed.items())]


def rest_page(store: Store, delivery: int, chat_id: int, category: str, shown: int, size: int) -> LatestPage:
    """The `size` stories of `category` after the `shown` first that the alert of `delivery` carried to `chat_id`,
    in the order it showed them (`sections`); none for another chat's alert, or one pruned (`Rest.delivery`)."""
    ids = store.alert_articles(delivery, chat_id)
    found = store.arrivals_of(ids)
    # In the order it carried them, as `build` made its sections of them: stories of one instant keep it.
    carried = [found[i] for i in ids if i in found and found[i].article.category == category]
    return page_of([h.article for h in by_news_order(carried)], shown, size)


class Alerts:
    """Claims alerts from the change log and builds their contents."""

    def __init__(
        self,
        store: Store,
        grace: timedelta = DEFAULT_GRACE,
        per_category: int = PER_CATEGORY,
        pace: timedelta = DEFAULT_ALERT_PACE,
    ) -> None:
        self.store = store
        self.grace = grace
        self.per_category = per_category
        self.pace = pace
        self.built = 0

    def claim(self, now: datetime, worker: str, limit: int = BATCH) -> tuple[list[Delivery], int]:
        """Claim the alerts of the next stretch of the change log (holding those of chats alerted less than the
        pace ago); returns those to send now and how many log entries it took (0: the log is followed to its
        end, or another process is taking a stretch right now)."""
        return self.store.claim_alerts(now, worker, limit, lambda batch: select(batch, now, self.grace), self.pace)

    def release(self, now: datetime, worker: str) -> list[Delivery]:
        """Claim the alerts held until now, to send (those held past the grace expire: the digest has them)."""
        return self.store.release_alerts(now, worker, self.grace)

    def build(self, article_sets: Iterable[Sequence[str]]) -> dict[tuple[str, ...], Digest]:
        """One alert per distinct set of stories (chats following the same categories share it), from one read."""
        distinct = list(dict.fromkeys(tuple(ids) for ids in article_sets))
        if not distinct:
            return {}
        found = self.store.arrivals_of([i for ids in distinct for i in ids])
        built: dict[tuple[str, ...], Digest] = {}
        for ids in distinct:
            headlines = [found[i] for i in ids if i in found]
            arrived = [h.article.added_at for h in headlines if h.article.added_at is not None]
            if not arrived:
                continue
            # Its window's end is past its last story, as a digest's is (`Rest`: the window holds its stories).
            end = max(arrived) + ONE_INSTANT
            built[ids] = Digest(min(arrived), end, (), sections(headlines, self.per_category))
        self.built += len(built)
        return built
