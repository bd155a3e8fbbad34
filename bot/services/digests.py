"""Digests: the headlines that arrived in a chat's window, in its categories, grouped by category, newest first.

What counts as news: a story that arrived in the window and was published at most `FRESH_AT_ARRIVAL` (two days)
before it arrived; an undated story from the web (a followed feed's entry, a fetched page) counts from its arrival,
one from a file or a new feed's back catalogue never (`StoredArticle.news_time`, /latest's rule). An archive ingested
today is not news, nor the undated entries a feed showed when it was followed.

Built once per distinct (categories, window), never once per chat: `Digests.build` reads the store once for the
span its windows cover and cuts every digest out of that one list in memory, so the chats due at one instant
with the same categories share one digest (and the sender renders it once). A chat without categories, or one
that subscribed to all of them (new ones too), gets every category. A preview (`/digest` now) is built the same
way and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple

from bot.models import Digest, DigestSection, Headline, StoredArticle
from bot.services.latest import LatestPage
from bot.services.schedule import FIRST_WINDOW, Window, digest_window
from bot.store import Store
from bot.wording import alphabetical

# Stories published longer than this before they arrived are not news.
FRESH_AT_ARRIVAL = timedelta(days=2)
# Stories shown per category; the rest are counted ("and 12 more: /latest sport").
PER_CATEGORY = 5
# A digest never reaches back further than this, even after weeks with the digest off.
LONGEST_WINDOW = timedelta(days=7)


class DigestKey(NamedTuple):
    """What a digest's content depends on: the categories (sorted; empty for all) and the window."""

    categories: tuple[str, ...]
    window: Window


def key_of(categories: Iterable[str], window: Window) -> DigestKey:
    return DigestKey(tuple(sorted(set(categories))), window)


def is_news(article: StoredArticle) -> bool:
    """Published at most two days before it arrived; undated, only when it came from the web (`news_time`): an
    undated archive or dataset imported today is not news, as /latest lists it after every dated story."""
    published = article.news_time
    if published is None or article.added_at is None:
        return False
    return article.added_at - published <= FRESH_AT_ARRIVAL


def news_order(headline: Headline) -> tuple[datetime, datetime]:
    """/latest's order (`news_order`); by arrival for an undated story from a file, which only an alert claimed
    before this rule holds."""
    article = headline.article
    arrived = article.added_at
    assert arrived is not None, "a stored article always has its arrival time"
    return article.news_order or (arrived, arrived)


def by_news_order(headlines: Iterable[Headline]) -> list[Headline]:
    """Newest first, and stories of one instant in the order they arrived (`StoredArticle.batch_order`) as /latest
    lists them (`store.articles.latest`), so that "the newest 5" of an alert or a digest are /latest's five: seven
    stories of one minute came in two orders."""
    return sorted(sorted(headlines, key=lambda h: h.article.batch_order), key=news_order, reverse=True)


def scheduled_window(due: datetime, previous: datetime | None, subscribed: datetime | None = None) -> Window:
    """The window of a scheduled digest due at `due` (schedule.digest_window, at most `LONGEST_WINDOW` long). A
    chat's first reaches back to when it `subscribed` when that is longer ago than a day: a first digest skipped
    (the bot down past the grace, the chat inactive that morning) left what arrived between in no digest."""
    window = digest_window(due, previous)
    start = min(window.start, subscribed) if previous is None and subscribed is not None else window.start
    return Window(max(start, due - LONGEST_WINDOW), window.end)


def preview_window(now: datetime, previous: datetime | None, subscribed: datetime | None = None) -> Window:
    """What the next scheduled digest holds so far: since the previous one (or the last 24 hours, or since
    subscribing when that is longer ago) until now."""
    start = previous if previous is not None and previous < now else min(now - FIRST_WINDOW, subscribed or now)
    return Window(max(start, now - LONGEST_WINDOW), now)


def sections(headlines: Sequence[Headline], per_category: int = PER_CATEGORY) -> tuple[DigestSection, ...]:
    """Headlines grouped by category (in name order, case aside, as /mysubs lists them: "arts" before "Sport"),
    newest first, at most `per_category` shown in each."""
    grouped: dict[str, list[Headline]] = defaultdict(list)
    for headline in headlines:
        grouped[headline.article.category].append(headline)
    found = []
    for category in alphabetical(grouped):
        ordered = by_news_order(grouped[category])
        found.append(DigestSection(category, tuple(ordered[:per_category]), max(0, len(ordered) - per_category)))
    return tuple(found)


def digest_of(arrived: Sequence[Headline], key: DigestKey, per_category: int = PER_CATEGORY) -> Digest:
    """The digest of `key` from the stories that arrived around its window (pure: no store)."""
    wanted = set(key.categories)
    chosen = [
        h
        for h in arrived
        if h.article.added_at is not None
        and key.window.covers(h.article.added_at)
        and is_news(h.article)
        and (not wanted or h.article.category in wanted)
    ]
    return Digest(key.window.start, key.window.end, key.categories, sections(chosen, per_category))


def rest_page(store: Store, category: str, window: Window, shown: int, size: int) -> LatestPage:
    """The `size` stories of `category` after the `shown` first that a digest (or an alert) of `window` holds: its
    own choice made again (`digest_of`), so its "Sport: 3 more" sends the stories it counted, not /latest's list
    paged on from its last shown, where stories of earlier digests and ones come since stood between."""
    arrived = store.arrivals(window.start, window.end)
    every = digest_of(arrived, key_of([category], window), per_category=len(arrived))
    return page_of([h.article for section in every.sections for h in section.headlines], shown, size)


def page_of(held: Sequence[StoredArticle], shown: int, size: int) -> LatestPage:
    """The `size` stories of a digest's or an alert's category (`held`, in the order it shows them) after the
    `shown` first."""
    return LatestPage(list(held[shown : shown + size]), shown, len(held) > shown + size)


class Digests:
    """Builds digests from the store; counts what it built and how often it read the store."""

    def __init__(self, store: Store, per_category: int = PER_CATEGORY) -> None:
        self.store = store
        self.per_category = per_category
        self.built = 0
        self.reads = 0

    def build(self, keys: Iterable[DigestKey]) -> dict[DigestKey, Digest]:
        """One digest per distinct key, from one read of the store."""
        distinct = list(dict.fromkeys(keys))
        if not distinct:
            return {}
        arrived = self.store.arrivals(min(k.window.start for k in distinct), max(k.window.end for k in distinct))
        # A followed category no story is filed under now brings nothing, every day: the digest says so.
        known = set(self.store.category_names())
        self.reads += 1
        self.built += len(distinct)
        return {
            key: replace(
                digest_of(arrived, key, self.per_category), gone=tuple(c for c in key.categories if c not in known)
            )
            for key in distinct
        }

    def preview(self, chat_id: int, now: datetime) -> Digest:
        """Today's digest so far, for `/digest`: changes nothing the scheduled digest will hold."""
        settings = self.store.chat_settings(chat_id)
        followed = self.store.subscriptions(chat_id)
        every = settings is not None and settings.all_since is not None
        categories = [] if every else [name for name, _ in followed]
        first = min((since for _, since in followed), default=None)
        window = preview_window(now, settings.previous_due if settings else None, first)
        return self.build([key_of(categories, window)])[key_of(categories, window)]
