"""The one error handler: everything a handler did not catch is logged here, and the chat gets an apology."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from telegram import InlineQueryResultsButton, Update
from telegram.error import BadRequest, ChatMigrated, Conflict, NetworkError, TelegramError

from bot.errors import IndexCorruptError, NewsbotError, StoreError, StoreUnreachableError
from bot.services.presence import LIVE_FOR
from bot.tg.buttons import GREETING_START
from bot.tg.chats import mark_inactive
from bot.tg.context import Context
from bot.tg.sending import gone_for_the_bot, restricted_for_the_bot, topic_of
from bot.wording import spoken_list

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
# The database out of reach (a restart, a failover) or locked past a reader's wait: every question needs it, for the
# passages' text, headlines and links (the index holds only their words), and so do the commands. "In a moment" read
# as a bug to retry at once, for an outage that lasts minutes.
STORE_DOWN = "Sorry, my news database is not answering just now. Please try again in a few minutes."
# An inline query has no chat to apologise in: its answer says it, on the button above no results (at most 64
# characters), where a query left unanswered showed nothing at all. The button opens a private chat with the bot.
INLINE_APOLOGY = "Something went wrong on my side: try again in a moment"
# A group that became a supergroup while its message was answered: the answer went to the old group, which Telegram
# refuses from then on, and so was the apology; the group heard nothing.
MIGRATED = "This group became a supergroup as I was answering: please ask again."
INLINE_STORE_DOWN = "My news database is not answering: try again in a few minutes"


def unreachable(error: BaseException | None) -> bool:
    """Whether an error says Telegram could not be reached or answered in time (a BadRequest is a NetworkError
    too, but a real one)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


async def _polling_beside(context: Context) -> str:
    """The other bots this store knows running, one of which may poll with the token: "; running on this store too:
    pid 4242 on host-b (started 2026-12-05 19:02 UTC)", or that none does (the other uses another store, or runs
    elsewhere); "" before `post_init`. The line named no process to stop. Read now, not the last beat's list (up to
    10 s old): a second bot starting beside this one meets the conflict at once, and the line said no other bot ran
    (on PostgreSQL, as an operator tried it); the last beat's list when the store does not answer. A read: a beat
    here wrote this process's row at each conflict."""
    try:
        presence = context.bot_data.digesting.presence
    except RuntimeError:
        return ""
    now = context.bot_data.clock()
    seen = presence.live
    with suppress(NewsbotError):
        seen = await asyncio.to_thread(presence.store.seen_since, now - LIVE_FOR)
    others = [w for w in seen if w.worker_id != presence.worker_id and presence.alive(w, now)]
    if not others:
        return "; no other bot runs on this store: the other uses another store, or another machine"
    running = spoken_list([f"pid {w.pid} on {w.host} (started {w.started_at:%Y-%m-%d %H:%M} UTC)" for w in others])
    return f"; running on this store too: {running}"


async def on_error(update: object, context: Context) -> None:
    """Log an error with the update's ids and apologise; a chat that blocked the bot is marked inactive."""
    chat = update.effective_chat if isinstance(update, Update) else None
    user = update.effective_user if isinstance(update, Update) else None
    message = update.effective_message if isinstance(update, Update) else None
    ids = (
        f"update {update.update_id}, chat {chat.id if chat else '-'}, user {user.id if user else '-'}"
        if isinstance(update, Update)
        else "no update"
    )
    if isinstance(context.error, Conflict):
        # Polling goes on and tries again, every 1 to 30 s while the other process polls: a line each time (or a
        # traceback) would only bury the one thing to do.
        context.bot_data.troubles.conflict.failed(f"{context.error}{await _polling_beside(context)}")
        return
    if update is None and context.job is None and unreachable(context.error):
        # Polling fails again and again (every second to every 30 s) while Telegram is out of reach.
        context.bot_data.troubles.telegram.failed(context.error)
        return
    if gone_for_the_bot(context.error) and chat is not None:
        # Blocked, or restricted in a group: an apology would be refused too (a second refused send per message).
        log.warning("%s: the bot may no longer write there (%s); marking the chat inactive", ids, context.error)
        await mark_inactive(context, chat.id, restricted_for_the_bot(context.error))
        return
    if isinstance(context.error, ChatMigrated):
        log.warning("%s: the group became the supergroup %d; asked to ask again there", ids, context.error.new_chat_id)
        try:
            await context.bot.send_message(context.error.new_chat_id, MIGRATED)
        except TelegramError as exc:
            log.warning("%s: could not ask the supergroup to ask again: %s", ids, exc)
        return
    if isinstance(context.error, StoreUnreachableError):
        # The jobs meet the database down too: one trouble, said once.
        context.bot_data.troubles.store.failed(context.error)
    elif isinstance(context.error, StoreError | IndexCorruptError):
        # The database refusing or locked, or the index damaged until the follower has built it again: every
        # question fails alike until then, and a traceback each time buried the one line that matters.
        context.bot_data.troubles.answers.failed(f"{ids}: {context.error}")
    else:
        log.error("error while handling %s", ids, exc_info=context.error)
    store_down = isinstance(context.error, StoreError)
    if isinstance(update, Update) and update.inline_query is not None:
        button = InlineQueryResultsButton(
            text=INLINE_STORE_DOWN if store_down else INLINE_APOLOGY, start_parameter=GREETING_START
        )
        try:
            await update.inline_query.answer([], cache_time=0, is_personal=True, button=button)
        except TelegramError as exc:
            log.warning("%s: could not answer the inline query: %s", ids, exc)
    said = STORE_DOWN if store_down else APOLOGY
    if isinstance(update, Update) and update.callback_query is not None:
        # A press is told on the button, as an expired one is: a message below the chat's last left the button's
        # spinner turning. One answered already (the handler failed after) gets the message.
        with suppress(TelegramError):
            await update.callback_query.answer(said, show_alert=True)
            return
    if chat is not None:
        try:
            await context.bot.send_message(chat.id, said, message_thread_id=topic_of(message))
        except TelegramError as exc:
            log.warning("%s: could not send the apology: %s", ids, exc)
