"""Feeds for the admins: /feeds lists them, /addfeed follows one and reads it at once, /removefeed stops one,
/pollfeeds polls them all now; and telling the admins what the poll job found they must know (a feed failing for
long, or working again).

The words come from the feed service (`describe_feed`, `FeedPoll.summary`, `FeedNotice.text`: plain text holding
what feeds call themselves and their addresses), escaped here for Telegram's HTML.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Coroutine, Sequence
from datetime import datetime
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.errors import NotFeedYetError, UsageError
from bot.render.markup import HTML, MAX_TITLE_CHARS, cap, count
from bot.render.split import lines_in_blocks, split_message, with_note
from bot.render.welcome import takes_no_words
from bot.services.feeds import (
    HELD,
    POLLED_JUST_NOW,
    TAKEN,
    FeedNotice,
    FeedPoll,
    PollReport,
    describe_feed,
    describe_paused,
)
from bot.store.feeds import FAILED, FeedRow
from bot.tg.admin import admins_only, is_admin
from bot.tg.buttons import answer_press
from bot.tg.context import Context
from bot.tg.sending import chat_of, reply_messages, send_messages, show_typing

log = logging.getLogger(__name__)

T = TypeVar("T")
# While a poll runs, how often it looks whether the bot is stopping (seconds).
STOP_CHECK_SECONDS = 0.5
# A /pollfeeds still running after this long is said to have started, with how many feeds it polls (seconds).
POLL_STARTED_SECONDS = 2.0

ADDFEED_USAGE = "Usage: /addfeed URL [category], for example: /addfeed https://example.org/rss.xml Business"
REMOVEFEED_USAGE = "Usage: /removefeed URL-or-number (/feeds lists the feeds with their numbers)"
NO_FEEDS = "No feeds are followed yet. Add one with /addfeed URL [category]."
FEED_COMMANDS = (
    "/addfeed URL [category] follows a feed; /removefeed URL-or-number stops one; /pollfeeds polls them all now."
)
POLL_STOPPED = (
    "The bot is stopping: the poll stopped too. The feeds it had not read are polled when the bot is back; /feeds"
    " shows what each last found."
)
# Under an /addfeed refused for what a feed not live yet answers (no such host, a 404, not a feed), as
# `newsbot feeds add --anyway` has it: "fa:<the request's key>" (`FeedService.ask_anyway`).
ADD_ANYWAY_LABEL = "Add it anyway"
ADD_ANYWAY_DATA = re.compile(r"^fa:([0-9a-f]{16})$")
ADD_ANYWAY_NOTE = (
    "If it is a feed not live yet (a new site, a feed not opened), Add it anyway follows it all the same: its polls"
    " fail until its site has it."
)
ADD_ANYWAY_TAKEN = "This button was used already, or is too old: /feeds shows the feeds followed."
ADD_ANYWAY_ADMINS = "Sorry, only the bot's admins can add feeds."
# The store says which feeds a poll may take: none leased by another process, none polled a minute ago.
POLL_BUSY = (
    "No feed polled: each was polled in the last minute, or another poll is reading it right now; /feeds shows"
    " what they found."
)


def _escape(text: str) -> str:
    return HTML.escape(text)


def _sentence(text: str) -> str:
    """`text` ending as a sentence ends."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def _name(feed: FeedRow) -> str:
    """A feed as the admins know it: what it calls itself (when known) and its address."""
    if feed.title and feed.title != feed.url:
        return f"<b>{_escape(cap(feed.title, MAX_TITLE_CHARS))}</b> ({_escape(feed.url)})"
    return _escape(feed.url)


def feed_list(feeds: Sequence[FeedRow], now: datetime) -> list[str]:
    """Each feed with its number, its stories, its last poll and status and its next poll, as messages."""
    if not feeds:
        return [NO_FEEDS]
    blocks = [f"<b>{count(len(feeds), 'feed')} followed</b>"]
    for feed in feeds:
        head, _, rest = describe_feed(feed, now, f"/addfeed {feed.url}").partition("\n")
        blocks.append(f"<b>{_escape(head)}</b>\n{_escape(rest.strip())}")
    blocks.append(_escape(FEED_COMMANDS))
    return split_message(blocks)


def added_messages(poll: FeedPoll, feed: FeedRow) -> list[str]:
    """What following a feed and its first poll did."""
    category = f" (category: {_escape(cap(feed.category, MAX_TITLE_CHARS))})" if feed.category else ""
    # A paused feed added again is resumed (`FeedService.add`), not followed anew.
    lines = [f"Polling {_name(feed)}{category} again." if poll.resumed else f"Now following {_name(feed)}{category}."]
    if poll.status == TAKEN:
        lines.append("Another poll is reading it right now: /feeds shows its stories in a moment.")
    elif poll.status == FAILED and poll.paused:
        lines.append("It still fails, so it stays paused: remove it, or add it again once its site has it back.")
    elif poll.status in (FAILED, HELD):
        lines.append(
            "It could not be read just now; it is tried again on its own, and admins hear if it keeps failing."
        )
    else:
        stories = count(poll.stored, "story", "stories")
        lines.append(f"{stories} came in" + (", ready to be asked about." if poll.stored else "."))
    if poll.status != TAKEN:
        lines.append(f"First poll: {_escape(poll.summary())}")
    return split_message(["\n".join(lines)])


def poll_messages(report: PollReport, paused: Sequence[FeedRow], followed: int) -> list[str]:
    """What polling every feed at once brought in: the round's tally, a line for each feed that stored stories,
    failed or warned (the others had nothing new), and the paused feeds it did not poll, with how to resume them.
    `followed`: how many feeds are followed, paused or not."""
    if not followed:
        return [NO_FEEDS]
    lines = [f"<b>{_escape(report.tally(len(paused)))}</b>"] if report.polls or not paused else []
    if not report.polls and followed > len(paused):
        lines = [_escape(POLL_BUSY)]
    told = [p for p in report.polls if p.stored or p.status in (FAILED, HELD, TAKEN) or p.warning or p.problems]
    lines += [f"{_name(poll.feed)}: {_escape(poll.summary())}" for poll in told]
    lines += [_escape(describe_paused(feed, f"/addfeed {feed.url}")) for feed in paused]
    # One a line under the tally, as /categories lists: as blocks of their own a blank line stood between each two.
    return split_message(lines_in_blocks(lines))


def notice_messages(notice: FeedNotice, now: datetime) -> list[str]:
    head = (
        "Feed working again"
        if notice.recovered
        else "Feed gone"  # paused at once too (its site says it is gone for good)
        if notice.gone
        else "Feed paused"
        if notice.paused
        else "Feed failing"
    )
    text = _escape(_sentence(notice.text(now)))
    return split_message([f"<b>{head}</b>\n{text}", "/feeds shows every feed; /removefeed stops one."])


async def tell_admins(context: Context, notices: Sequence[FeedNotice]) -> None:
    """Send each notice to every admin. An admin the bot cannot write to (who never started it, or blocked it) is
    logged and skipped: the notice is not sent again (the store records it as told, once for all processes)."""
    now = context.bot_data.clock()
    for notice in notices:
        log.warning("feeds: for the admins: %s", notice.text(now))
        messages = notice_messages(notice, now)
        for admin in context.bot_data.settings.admin_ids:
            try:
                await send_messages(context.bot, admin, messages)
            except TelegramError as exc:
                log.warning("could not tell admin %s about the feed %s: %s", admin, notice.url, exc)


async def feeds(update: Update, context: Context) -> None:
    """List the feeds followed: each one's stories, last poll, status and next poll (admins only)."""
    message = update.message
    assert message is not None
    if not await admins_only(update, context, "feeds"):
        return
    if context.args == ["poll"]:  # as `newsbot feeds poll` says it
        await reply_messages(message, await _poll_now(context, message))
        return
    listed = feed_list(await context.bot_data.feeds.feeds(), context.bot_data.clock())
    if context.args:  # "/feeds https://..." listed them as if nothing was typed (the list ends with /addfeed's use)
        listed = with_note(listed, takes_no_words("feeds"))
    await reply_messages(message, listed)


async def add_feed(update: Update, context: Context) -> None:
    """Follow a feed and read it at once, saying how many stories came in (admins only)."""
    message = update.message
    assert message is not None
    if not await admins_only(update, context, "addfeed"):
        return
    if not context.args:
        await message.reply_text(_escape(ADDFEED_USAGE))
        return
    url, category = context.args[0], " ".join(context.args[1:]) or None
    service = context.bot_data.feeds
    await show_typing(message)
    now = context.bot_data.clock()
    try:
        poll = await service.add(url, category, added_by=_added_by(update), now=now)
    except NotFeedYetError as exc:
        # As `newsbot feeds add --anyway`: a button that follows it all the same, once.
        key = await service.ask_anyway(message.chat.id, url, category, now)
        button = InlineKeyboardMarkup([[InlineKeyboardButton(ADD_ANYWAY_LABEL, callback_data=f"fa:{key}")]])
        lines = (f"Sorry, {_escape(_sentence(str(exc)))}", _escape(ADD_ANYWAY_NOTE), _escape(ADDFEED_USAGE))
        await message.reply_text("\n".join(lines), reply_markup=button)
        return
    except UsageError as exc:
        await message.reply_text(f"Sorry, {_escape(_sentence(str(exc)))}\n{_escape(ADDFEED_USAGE)}")
        return
    await _tell_added(context, poll, message)


async def add_anyway(update: Update, context: Context) -> None:
    """Follow the feed an /addfeed was refused (as not live yet) all the same, from the button under the refusal:
    once, whoever presses it again or wherever (admins only)."""
    query = update.callback_query
    assert query is not None
    if not is_admin(update.effective_user, context):
        await answer_press(query, ADD_ANYWAY_ADMINS, alert=True)
        return
    found = ADD_ANYWAY_DATA.match(query.data or "")
    assert found is not None  # the handler's pattern
    service, chat_id, now = context.bot_data.feeds, chat_of(query), context.bot_data.clock()
    if (asked := await service.take_anyway(found.group(1), chat_id, update.update_id, now)) is None:
        await answer_press(query, ADD_ANYWAY_TAKEN, alert=True)
        return
    await answer_press(query)
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:  # an old message, or one edited since: the feed is added all the same
        log.info("could not take the Add it anyway button away (%s)", exc)
    url, category = asked
    try:
        poll = await service.add(url, category, added_by=_added_by(update), now=now, anyway=True)
    except UsageError as exc:
        await send_messages(context.bot, chat_id, [f"Sorry, {_escape(_sentence(str(exc)))}"])
        return
    # Under the refusal (in its forum topic), unless that message is too old to come with the press.
    await _tell_added(context, poll, query.message if isinstance(query.message, Message) else chat_id)


def _added_by(update: Update) -> str:
    """Who added a feed, as `feeds list` names them: the Telegram user who asked or pressed."""
    user = update.effective_user
    return f"telegram:{user.id if user else ''}"


async def _tell_added(context: Context, poll: FeedPoll, to: Message | int) -> None:
    """Say what following a feed and its first poll did, as a reply to a message or in a chat, and tell the admins
    what they must know of it."""
    feed = await context.bot_data.feeds.find(poll.feed.url) or poll.feed  # with the title its first poll found
    messages = added_messages(poll, feed)
    await (reply_messages(to, messages) if isinstance(to, Message) else send_messages(context.bot, to, messages))
    if poll.notice is not None:  # failing since before it was added (NEWSBOT_FEED_REPORT_AFTER_HOURS=0)
        await tell_admins(context, [poll.notice])


async def remove_feed(update: Update, context: Context) -> None:
    """Stop following a feed, by its address or its number in /feeds; its stories stay (admins only)."""
    message = update.message
    assert message is not None
    if not await admins_only(update, context, "removefeed"):
        return
    target = " ".join(context.args or ())
    if not target:
        await message.reply_text(_escape(REMOVEFEED_USAGE))
        return
    try:
        feed = await context.bot_data.feeds.remove(target)
    except UsageError as exc:
        await message.reply_text(f"Sorry, {_escape(_sentence(str(exc)))}\n{_escape(REMOVEFEED_USAGE)}")
        return
    await message.reply_text(f"No longer following {_name(feed)}. Its stories stay in the library.")


async def poll_feeds(update: Update, context: Context) -> None:
    """Poll every feed now, not waiting for its next poll, and say what came in (admins only)."""
    message = update.message
    assert message is not None
    if not await admins_only(update, context, "pollfeeds"):
        return
    messages = await _poll_now(context, message)
    await reply_messages(message, with_note(messages, takes_no_words("pollfeeds")) if context.args else messages)


async def _poll_now(context: Context, message: Message) -> list[str]:
    """Poll every feed not polled in the last minute, tell the admins what they must know (a feed failing for
    long), and return what came in, for the admin who asked."""
    service = context.bot_data.feeds
    await show_typing(message)
    now = context.bot_data.clock()
    since = now - POLLED_JUST_NOW
    # Counted as the poll takes them: "Polling 2 feeds" counted one polled a moment ago, which it leaves.
    due = await service.due(now, every=True, polled_before=since)
    poll = service.poll(now, every=True, polled_before=since)
    # Stopping the bot waited for a long poll to end, the feeds' claims held meanwhile.
    polling = asyncio.ensure_future(unless_stopping(context.application, poll))
    if not (await asyncio.wait({polling}, timeout=POLL_STARTED_SECONDS))[0] and due:
        # A poll of slow sites said nothing for minutes: pressed again, it found every feed "being polled".
        await message.reply_text(f"Polling {count(due, 'feed')}…")
    if (report := await polling) is None:
        return [POLL_STOPPED]
    await tell_admins(context, report.notices)
    return poll_messages(report, await service.paused(), len(await service.feeds()))


async def unless_stopping(
    application: Application[Any, Any, Any, Any, Any, Any], work: Coroutine[Any, Any, T]
) -> T | None:
    """Run `work` to its end and return what it returns (raising its error), or cancel it when the application
    begins to stop (None). (Stopping waits for running jobs and handlers, and a round of slow sites would hold a
    SIGTERM up for minutes; a cancelled poll gives its feed back, having stored all of its poll or nothing.)"""
    task = asyncio.ensure_future(work)
    while not task.done():
        await asyncio.wait({task}, timeout=STOP_CHECK_SECONDS)
        if not application.running and not task.done():
            log.info("the bot is stopping: the feed poll round stops too")
            task.cancel()
            await asyncio.wait({task})
    return None if task.cancelled() else task.result()
