"""Articles and headlines: the full article behind a button or a deep link, /latest and /categories."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from urllib.parse import parse_qs, urlsplit

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from bot.config import DEFAULT_LATEST_COUNT, FULL_ARTICLE_AGAIN_AFTER, MAX_LATEST_COUNT
from bot.errors import StoreError, UsageError
from bot.models import StoredArticle
from bot.named_days import without_day
from bot.render.articles import ArticlePart, article_messages
from bot.render.digests import alert_sent, digest_sent, rest_heading
from bot.render.headlines import categories_blocks, latest_blocks
from bot.render.markup import category_label
from bot.render.split import split_message
from bot.render.welcome import NO_ARTICLES, holdings, takes_no_words
from bot.services import alerts
from bot.services.digests import LONGEST_WINDOW, rest_page
from bot.services.latest import (
    NO_MORE_HEADLINES,
    LatestPage,
    newest_of_day,
    newest_of_day_about,
    one_category,
    page_after,
)
from bot.services.schedule import Window
from bot.store import Store, sends
from bot.tg.buttons import (
    EVERY_CATEGORY,
    alert_rest_data,
    answer_press,
    button_key,
    digest_rest_data,
    expired_button,
    from_micros,
    instant,
    latest_more,
    read_on,
    rest_more,
)
from bot.tg.context import Context
from bot.tg.sending import chat_of, reply_messages, send_messages, topic_of

log = logging.getLogger(__name__)

ARTICLE_GONE = "That article is no longer available. Ask me a question instead."
ALREADY_SENT = "The article is above."
# A story's link tapped (`/start <id>`) just after the story went out for it, pasted or tapped: a reader who pasted
# the bot's link, then tapped it in their own message, got the article twice.
LINK_SENT_ALREADY = "I sent that article just above."
# The key a story sent for a link is claimed under, in place of a button's message (`SentArticle`).
LINKED = "link"
# Telegram dates a message to the second.
ONE_SECOND = timedelta(seconds=1)
# A "Read on" pressed again: its part went out as a reply to the message pressed, below it.
PART_SENT = "The next part is below."
ARTICLE_ENDED = "The article ends before that part: it changed since. “Full article” sends it as it is now."
# An article's id, as a deep link (`/start <id>`) carries it.
ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
TELEGRAM_HOSTS = ("t.me", "www.t.me", "telegram.me", "www.telegram.me")
# A "More" under headlines pressed again: its page went out as a reply to the list, below it.
MORE_SENT = "The next headlines are below."
# A "More" under a list older than its claim is kept (`sends.KEPT`; a message Telegram no longer shows the bot is
# dated 1970): it sent its page again, below the first. A digest's buttons are such "More"s too.
LIST_TOO_OLD = "This list is over {days} days old: /latest{named} shows the newest headlines."
CATEGORY_GONE = "That category is gone from the library: /categories lists those there are."
LATEST_USAGE = (
    f"Usage: /latest, /latest sport or /latest sport 20: the newest headlines, of one category when named, "
    f"{DEFAULT_LATEST_COUNT} or as many as you ask (1 to {MAX_LATEST_COUNT}); /latest sport yesterday: a day's."
)


async def article_of(
    context: Context, article_id: str, chat_id: int, start: int = 0, mark: str = ""
) -> ArticlePart | None:
    """An article as messages for `chat_id`, from its message `start` (of `mark`); None if it is gone."""
    article = await asyncio.to_thread(context.bot_data.library.store.article, article_id)
    return None if article is None else await messages_of(context, article, chat_id, start, mark)


async def messages_of(
    context: Context, article: StoredArticle, chat_id: int, start: int = 0, mark: str = ""
) -> ArticlePart:
    """An article found already, from its message `start` (of `mark`: `article_messages`), as messages for
    `chat_id` (dated on its clocks)."""
    store, subscriptions = context.bot_data.library.store, context.bot_data.digesting.subscriptions

    def part() -> ArticlePart:
        zone = subscriptions.zone_of(chat_id)
        return article_messages(article, store.paragraphs(article.id), zone, start=start, mark=mark)

    return await asyncio.to_thread(part)


async def send_part(
    context: Context, chat_id: int, article_id: str, part: ArticlePart, topic: int | None, reply_to: int | None = None
) -> None:
    """Send a part of an article, with "Read on" under its last message when the article goes on."""
    markup = read_on(article_id, part.next_start, part.next_mark)
    await send_messages(context.bot, chat_id, part.messages, topic, reply_to, markup)


def deep_linked(link: str, username: str) -> str | None:
    """The article id in a link of the bot's own (`https://t.me/<bot>?start=<id>`: a "Source" or a digest's headline
    of a story without a link of its own), else None. Pasted as text, or forwarded with an answer, it was looked
    up among the stories' links: "I have no article at that link"."""
    url = urlsplit(link)
    if not username or url.hostname not in TELEGRAM_HOSTS or url.path.strip("/").lower() != username.lower():
        return None
    return article_id(parse_qs(url.query).get("start", [""])[0])


def article_id(payload: str) -> str | None:
    """The article id a deep link's payload carries, else None. Retyped in capitals (as some apps show a link) it
    is the same article: it got the plain greeting."""
    return payload.lower() if ARTICLE_ID.match(payload.lower()) else None


async def linked_article(context: Context, link: str, chat_id: int) -> tuple[str, ArticlePart] | None:
    """The article at a pasted link (a story's own, or the bot's link to one): its id and its first part as
    messages for `chat_id`; None if it is not here."""
    if (article_id := deep_linked(link, context.bot_data.username)) is not None:
        part = await article_of(context, article_id, chat_id)
        return None if part is None else (article_id, part)
    article = await asyncio.to_thread(context.bot_data.library.article_at, link)
    return None if article is None else (article.id, await messages_of(context, article, chat_id))


async def send_article(context: Context, message: Message, article_id: str, update_id: int) -> bool:
    """Send a whole article as one or more messages after `message` (update `update_id`, a link tapped), in its
    topic, or say it went out for a link lately; False if it is gone."""
    sent = linked_send(context, message, article_id, update_id)
    if not await sent.claim():
        await message.reply_text(LINK_SENT_ALREADY)
        return True
    try:
        part = await article_of(context, article_id, message.chat_id)
        if part is None:
            await sent.release()
            return False
        await send_part(context, message.chat_id, article_id, part, topic_of(message), in_reply(message))
    except BaseException:
        await sent.release()  # not sent: the link tapped again sends it
        raise
    return True


def linked_send(context: Context, message: Message, article_id: str, update_id: int) -> SentArticle:
    """The send of an article for a link in `message`'s chat (pasted, or tapped: update `update_id`), to claim."""
    store, now = context.bot_data.library.store, context.bot_data.clock()
    return SentArticle(store, message.chat_id, LINKED, article_id, update_id, now)


def in_reply(message: Message) -> int | None:
    """The message an article sent for `message` (a deep link's /start, a pasted link) replies to: itself in a group,
    as `reply_text` quotes there (sent on its own, a busy group read it as nobody's); None in a private chat."""
    return None if message.chat.type == ChatType.PRIVATE else message.message_id


async def full_article(update: Update, context: Context) -> None:
    """Send the whole article behind a passage ("Full article"), or its next part ("Read on"), unless it went out
    from this button lately."""
    query = update.callback_query
    assert query is not None and context.match is not None
    article_id, *rest = context.match.groups()
    start, mark, chat_id = int(rest[0]) if rest else 0, rest[1] or "" if rest else "", chat_of(query)
    # A button under an inline result has no message of ours: its inline message names it.
    button = str(query.message.message_id) if query.message else query.inline_message_id or ""
    store, now = context.bot_data.library.store, context.bot_data.clock()
    # A part is claimed by its number too: a forged number pressed on a message whose part went out lately was told
    # "The next part is below" unchecked; now it is checked, as on any message.
    sent = SentArticle(store, chat_id, f"{button}:{start}" if start else button, article_id, update.update_id, now)
    if not await sent.claim():
        await answer_press(query, PART_SENT if start else ALREADY_SENT)
        return
    try:
        part = await article_of(context, article_id, chat_id, start, mark)
        if part is None or not part.messages:  # removed (or cut short) since: asking again would not bring it back
            await sent.release()
            await answer_press(query, ARTICLE_GONE if part is None else ARTICLE_ENDED, alert=True)
            return
        # Confirmed before sending, as Telegram asks: the spinner stops at once, and a send that fails cannot leave it.
        await answer_press(query)
        # A reply to the message pressed: in a busy group an article sent on its own was read as nobody's.
        reply_to = query.message.message_id if query.message else None
        await send_part(context, chat_id, article_id, part, topic_of(query.message), reply_to)
    except BaseException:
        await sent.release()  # not sent (a blocked chat, the network): a press again sends it
        raise


@dataclass
class SentArticle:
    """The send of an article from a "Full article" button (or of a page of headlines from a "More"), claimed in
    the store: a press handled by another process, or after a restart, knows of it."""

    store: Store
    chat_id: int
    button: str
    article_id: str
    # The press (its update): handled again after a kill, it takes its own claim again (bot.store.sends).
    update_id: int
    at: datetime
    # How long another press sends nothing: a "More" pressed again, whenever, has its page below already.
    window: timedelta = FULL_ARTICLE_AGAIN_AFTER
    claimed: bool = False

    async def claim(self) -> bool:
        """Claim the send; False if it went out lately. A store that cannot take the claim (another process holds
        its write lock longer than an answer waits) lets the article go out unguarded: a second copy beats none."""
        try:
            self.claimed = await asyncio.to_thread(
                self.store.claim_article_send,
                self.chat_id,
                self.button,
                self.article_id,
                self.update_id,
                self.at,
                self.window,
            )
        except StoreError as exc:
            log.warning(
                "chat %s: sending article %s without claiming it in the store, so a press again may send it twice: %s",
                self.chat_id,
                self.article_id,
                exc,
            )
            return True
        return self.claimed

    async def release(self) -> None:
        """Forget the claim (the article did not go out); one that cannot be forgotten lapses with the window."""
        if not self.claimed:
            return
        try:
            await asyncio.to_thread(
                self.store.release_article_send, self.chat_id, self.button, self.article_id, self.at
            )
        except StoreError as exc:
            log.warning("chat %s: the unsent article %s stays claimed: %s", self.chat_id, self.article_id, exc)


async def latest(update: Update, context: Context) -> None:
    """Send the newest headlines, of one category when one is named, as many as a number among the words asks, of
    a day when one is named ("/latest sport yesterday", as typed in words: “yesterday” was no category)."""
    assert update.message is not None
    typed = " ".join(context.args or ())
    await send_latest(update.message, context, without_day(typed).split(), asked=typed)


async def send_latest(
    message: Message, context: Context, args: Sequence[str], asked: str = "", about: Sequence[str] = ()
) -> None:
    """Reply with the newest headlines /latest `args` asks for (or what was wrong with them, and the usage); for a
    day the words `asked` name, that day's newest on the chat's clock (`newest_of_day`), of the category of the
    stories a turn to it replies to (`about`: `newest_of_day_about`)."""
    zone = await asyncio.to_thread(context.bot_data.digesting.subscriptions.zone_of, message.chat_id)
    store, now = context.bot_data.library.store, context.bot_data.clock()
    try:
        if about:
            latest, note = await asyncio.to_thread(newest_of_day_about, store, about, asked, now, zone)
        else:
            latest, note = await asyncio.to_thread(newest_of_day, store, args, asked, now, zone)
    except UsageError as exc:
        await message.reply_text(html.escape(f"{exc}\n{LATEST_USAGE}"))
        return
    if not latest.articles:
        await message.reply_text(html.escape(note or NO_ARTICLES))
        return
    blocks = latest_blocks(latest.articles, latest.category, context.bot_data.username, latest.capped, zone)
    shown = len(latest.articles)
    last, span = latest.articles[-1], (latest.since, latest.before)
    markup = latest_more(last, shown - 1, shown, latest.category, *span) if latest.more else None
    await reply_messages(message, split_message([html.escape(note), *blocks] if note else blocks), markup)


async def more_latest(update: Update, context: Context) -> None:
    """Send the headlines after those of the list whose "More" was pressed, as a reply to it, unless they went out
    from this button lately (a double tap, another process's); a category gone since, or a tampered button, is
    said."""
    assert context.match is not None
    place, anchor, size, key, since, before = context.match.groups()
    if int(size) > MAX_LATEST_COUNT:
        await expired_button(update, context)
        return
    span = instant(since or ""), instant(before or "")

    def read(store: Store, category: str | None, zone: tzinfo) -> LatestPage:
        return page_after(store, category, anchor, int(place), int(size), *span, zone)

    def after(page: LatestPage, category: str | None) -> InlineKeyboardMarkup | None:
        last = page.start + len(page.articles) - 1
        return latest_more(page.articles[-1], last, int(size), category, *span) if page.more else None

    await send_headlines(update, context, key, anchor, read, after)


async def rest_of_digest(update: Update, context: Context) -> None:
    """Send the stories of a category that a digest or an alert counted and did not show (or the next page of them),
    as a reply to it, as a "More" of /latest does (`send_headlines`)."""
    assert context.match is not None
    key, start, end, shown = context.match.groups()
    window = Window(from_micros(start), from_micros(end))
    # A tampered window: none a digest has, and a long one would read months of stories.
    if not timedelta(0) < window.end - window.start <= LONGEST_WINDOW:
        await expired_button(update, context)
        return

    # An alert's button sent before its delivery was carried (`ALERT_REST_DATA`) pages by window as a digest's does,
    # but its page is headed as from the alert: "from the digest of" named a digest the reader never got. Which it
    # is, the store's deliveries to the chat say (`Store.sent_as_alert`), not the message's text: its words are the
    # rendering's, which may change.
    query = update.callback_query
    message = query.message if query is not None and isinstance(query.message, Message) else None

    def read(store: Store, category: str | None, zone: tzinfo) -> LatestPage:
        assert category is not None, "a rest's key names a category"
        page = rest_page(store, category, window, int(shown), MAX_LATEST_COUNT)
        # The alert was claimed before the second its message is dated in ended.
        alert = message is not None and store.sent_as_alert(message.chat_id, window.end, message.date + ONE_SECOND)
        sent = alert_sent(message.date, zone) if alert and message is not None else digest_sent(window.end, zone)
        return page._replace(heading=rest_heading(category, len(page.articles), sent))

    def after(page: LatestPage, category: str | None) -> InlineKeyboardMarkup | None:
        assert category is not None
        return rest_more(digest_rest_data(category, *window, page.start + len(page.articles))) if page.more else None

    await send_headlines(update, context, key, f"{key}.{shown}", read, after)


async def rest_of_alert(update: Update, context: Context) -> None:
    """Send the stories of a category that an alert carried and did not show (or the next page of them), as a reply
    to it, as a "More" of /latest does (`send_headlines`): those of its delivery to this chat (`Rest.delivery`)."""
    assert context.match is not None and update.callback_query is not None
    delivery, key, shown = context.match.groups()
    chat_id, message = chat_of(update.callback_query), update.callback_query.message

    def read(store: Store, category: str | None, zone: tzinfo) -> LatestPage:
        assert category is not None and message is not None, "a rest's key names a category, under a message"
        page = alerts.rest_page(store, int(delivery), chat_id, category, int(shown), MAX_LATEST_COUNT)
        return page._replace(heading=rest_heading(category, len(page.articles), alert_sent(message.date, zone)))

    def after(page: LatestPage, category: str | None) -> InlineKeyboardMarkup | None:
        assert category is not None
        return (
            rest_more(alert_rest_data(int(delivery), category, page.start + len(page.articles))) if page.more else None
        )

    await send_headlines(update, context, key, f"{key}.{shown}", read, after)


async def send_headlines(
    update: Update,
    context: Context,
    key: str,
    claimed: str,
    read: Callable[[Store, str | None, tzinfo], LatestPage],
    after: Callable[[LatestPage, str | None], InlineKeyboardMarkup | None],
) -> None:
    """Send the page of headlines a press asks for (of the category of `key`, `read` for the chat's zone in a worker
    thread, with the button `after` makes for the next), as a reply to its message, unless the page went out from
    this button lately (`claimed`: what the press sends, a double tap or another process's claims it too); a
    category gone since, a list too old to remember its sends, or a button not on a message, is said."""
    query = update.callback_query
    assert query is not None
    if query.message is None:
        await expired_button(update, context)
        return
    store, now, chat_id = context.bot_data.library.store, context.bot_data.clock(), chat_of(query)
    category = None
    if key != EVERY_CATEGORY:
        names = await asyncio.to_thread(store.category_names)
        category = next((name for name in names if button_key(name) == key), None)
        if category is None:
            await answer_press(query, CATEGORY_GONE, alert=True)
            return
    if now - query.message.date >= sends.KEPT:  # its claim is forgotten: a press again would send its page again
        named = f" {category.lower()}" if category else ""
        await answer_press(query, LIST_TOO_OLD.format(days=sends.KEPT.days, named=named), alert=True)
        return
    button = f"{query.message.message_id}:more"
    sent = SentArticle(store, chat_id, button, claimed, update.update_id, now, sends.KEPT)
    if not await sent.claim():
        await answer_press(query, MORE_SENT)
        return
    try:
        zone = await asyncio.to_thread(context.bot_data.digesting.subscriptions.zone_of, chat_id)
        page = await asyncio.to_thread(read, store, category, zone)
        if not page.articles:
            await sent.release()
            await answer_press(query, NO_MORE_HEADLINES)
            return
        await answer_press(query)
        username = context.bot_data.username
        blocks = latest_blocks(page.articles, category, username, zone=zone, first=page.start + 1, heading=page.heading)
        said = [html.escape(page.note)] if page.note else []
        texts = split_message([*said, *blocks, *([html.escape(page.ending)] if page.ending else [])])
        markup = after(page, category)
        await send_messages(context.bot, chat_id, texts, topic_of(query.message), query.message.message_id, markup)
    except BaseException:
        await sent.release()  # not sent: a press again sends it
        raise


def instead_of(words: Sequence[str], known: Sequence[str], *wordings: str) -> list[str]:
    """What to type instead of words after a command that takes none: `wordings` of the category the words name,
    else of the first known (`{typed}` its name to type, `{label}` as shown); none without categories."""
    meant = one_category(words, known) or next(iter(known), None)
    if meant is None:
        return []
    return [wording.format(typed=meant.lower(), label=category_label(meant)) for wording in wordings]


async def categories(update: Update, context: Context) -> None:
    """List the categories with their article counts (and, after words it does not read, where they go)."""
    assert update.message is not None
    await send_categories(update.message, context, context.args or ())


async def send_categories(message: Message, context: Context, args: Sequence[str] = (), counted: bool = False) -> None:
    """Reply with the categories and their article counts (/categories, or "what categories are there?" typed),
    and after words /categories does not read (`args`), where they go; `counted`, under how many articles there are
    and their dates ("how many articles do you have?": `holdings`)."""
    if counted:
        stats = await asyncio.to_thread(context.bot_data.library.store.stats)
        await reply_messages(message, split_message([holdings(stats)]))
        return
    known = await asyncio.to_thread(context.bot_data.library.store.categories)
    if not known:
        await message.reply_text(NO_ARTICLES)
        return
    blocks = categories_blocks(known)
    if args:  # "/categories sport" showed the list as if nothing was typed
        names = [name for name, _ in known if name]
        latest, follow = "/latest {typed} shows {label}'s newest headlines", "/subscribe {typed} follows it"
        blocks.append(takes_no_words("categories", instead_of(args, names, latest, follow)))
    await reply_messages(message, split_message(blocks))
