"""The one error handler: everything a handler did not catch is logged here, and the chat gets an apology."""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, TelegramError

from bot.tg.chats import mark_inactive
from bot.tg.context import Context
from bot.tg.sending import topic_of

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
# While Telegram is out of reach polling fails again and again (from every second to every 30 s): a traceback each
# time would bury everything else, and the one thing to know is that it is still out of reach.
UNREACHABLE_WARNING_SECONDS = 60.0


def unreachable(error: BaseException | None) -> bool:
    """Whether an error says Telegram could not be reached or answered in time (a BadRequest is a NetworkError
    too, but a real one)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def polling_failed(context: Context) -> None:
    """Warn that fetching updates cannot reach Telegram, at most once every UNREACHABLE_WARNING_SECONDS."""
    now = time.monotonic()
    if now - context.bot_data.unreachable_warned < UNREACHABLE_WARNING_SECONDS:
        log.debug("still cannot fetch updates: %s", context.error)
        return
    context.bot_data.unreachable_warned = now
    log.warning("cannot fetch updates from Telegram (%s); polling tries again by itself", context.error)


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
        # Polling goes on and tries again; a traceback a poll would only bury the one thing to do.
        log.error(
            "Telegram gives this token's updates to another process (%s): stop the other `newsbot run` with this"
            " token, or run several behind one webhook",
            context.error,
        )
        return
    if update is None and context.job is None and unreachable(context.error):
        polling_failed(context)
        return
    if isinstance(context.error, Forbidden) and chat is not None:
        log.warning("%s: the bot may no longer write there (%s); marking the chat inactive", ids, context.error)
        await mark_inactive(context, chat.id)
        return
    log.error("error while handling %s", ids, exc_info=context.error)
    if chat is not None:
        try:
            await context.bot.send_message(chat.id, APOLOGY, message_thread_id=topic_of(message))
        except TelegramError as exc:
            log.warning("%s: could not send the apology: %s", ids, exc)
