"""The bot's replies to a message it answers, so the reply to a question edited takes the place of the first's.

A reader who fixes a typo reads the answer to the fixed question where the first answer was: answered anew, the chat
kept both, the first one (often "No article uses the word “chezz”") above, answering nothing asked now. So the first
reply is edited in place when the new one is a single answer (`bot.tg.ask.reply_answer`), and the replies it does not
become are deleted: a question edited into "hi", "help" or a link got the greeting, the commands or the article
below an answer to a question no longer asked.

The replies are kept in the store (`bot.store.replies`): one sent before a restart, or by another process of the
bot, gives way as well (this process's memory knew only its own, and only until it stopped). The ways of replying
(an answer, the greeting, headlines, an article in parts) do not each say what they sent: every request passes the
flood limiter, which notes the messages sent or edited in the chat of the message being answered (`noted`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError

from bot.errors import StoreError
from bot.tg.context import Context

log = logging.getLogger(__name__)

# The requests whose message is a reply: sent, or an earlier reply edited into the new one.
REPLYING_REQUESTS = frozenset({"sendmessage", "editmessagetext"})


@dataclass
class Replies:
    """The replies to the message being answered: those it had before its edit, and those sent or edited since."""

    chat_id: int
    earlier: tuple[int, ...]
    now: list[int] = field(default_factory=list)


_replies: ContextVar[Replies | None] = ContextVar("replies", default=None)


def noted(endpoint: str, result: object) -> None:
    """Note a message a request sent or edited (`result`, as Telegram returned it) as a reply to the message being
    answered, if one is in this task and the message is in its chat."""
    replies = _replies.get()
    if replies is None or endpoint.lower() not in REPLYING_REQUESTS or not isinstance(result, dict):
        return
    chat: dict[str, Any] = result.get("chat") or {}
    if chat.get("id") == replies.chat_id and isinstance(result.get("message_id"), int):
        replies.now.append(result["message_id"])


def first_earlier() -> int | None:
    """The first reply the message being answered got before its edit (by any process), to edit in place."""
    replies = _replies.get()
    return replies.earlier[0] if replies is not None and replies.earlier else None


Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def recorded(handler: Handler) -> Handler:
    """`handler`, of a command that only shows something (`/latest`, `/help`), with its replies kept as a question's
    are: the command edited into a question is answered in their place (they stayed above the answer, showing what
    nothing asks now). A command that changed something is not wrapped: its reply says what was done, and stays."""

    async def handle(update: Update, context: Context) -> None:
        if update.message is None:  # a channel's post: no edit of one is read
            await handler(update, context)
            return
        async with replying(update.message, False, context):
            await handler(update, context)

    return handle


@asynccontextmanager
async def replying(message: Message, edited: bool, context: Context) -> AsyncIterator[None]:
    """Answer `message` (`edited`: an edit of it) in the block, its replies noted; then keep them for its edits and,
    if it is an edit that got a reply, delete the replies to its earlier text that the new one did not take over."""
    data, place = context.bot_data, (context.bot.id, message.chat_id, message.message_id)
    earlier: tuple[int, ...] = ()
    if edited:
        try:
            earlier = await asyncio.to_thread(data.library.store.question_replies, *place)
        except StoreError as exc:  # answered anew below the earlier reply, which stays
            data.troubles.met(exc, log, "chat %s: could not read the replies to edited message %s", *place[1:])
    replies = Replies(message.chat_id, earlier)
    token = _replies.set(replies)
    try:
        yield
    finally:
        _replies.reset(token)
    if not replies.now:  # nothing said (an edit leaving the question as it was): the earlier replies stand
        return
    # A store the journal has just found taking no writes is not waited for again, as the question's claim is not.
    if data.journal is None or not data.journal.unwritable:
        try:
            await asyncio.to_thread(data.library.store.keep_question_replies, *place, replies.now, data.clock())
        except StoreError as exc:  # an edit of the message will be answered below this reply
            data.troubles.met(exc, log, "chat %s: could not keep the replies to message %s", *place[1:])
    for reply in earlier:
        if reply not in replies.now:
            await _delete(context, message.chat_id, reply)


async def withdrawn(message: Message, update_id: int, context: Context) -> None:
    """Delete the replies to a group message edited so it no longer asks the bot (its mention or /ask taken out):
    they answered a question no longer put to it. Its question is claimed as nothing asked (""), so the mention put
    back asks it anew; a message never answered is left alone (no row for every edit the bot sees)."""
    data, place = context.bot_data, (context.bot.id, message.chat_id, message.message_id)
    store = data.library.store
    try:
        earlier = await asyncio.to_thread(store.question_replies, *place)
        if earlier:
            await asyncio.to_thread(store.claim_question, *place, update_id, "", True, data.clock())
            await asyncio.to_thread(store.keep_question_replies, *place, (), data.clock())
    except StoreError as exc:  # the answer stays, as it did
        data.troubles.met(exc, log, "chat %s: could not withdraw the replies to edited message %s", *place[1:])
        return
    for reply in earlier:
        await _delete(context, message.chat_id, reply)


async def _delete(context: Context, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.delete_message(chat_id, message_id)
    except TelegramError as exc:  # deleted already, or too old for a bot to delete: it stays, as before
        log.info("chat %s: could not delete the reply %s to an edited message (%s)", chat_id, message_id, exc)
