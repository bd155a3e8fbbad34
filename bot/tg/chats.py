"""Chat membership: which chats the bot may still write to (blocked, removed, or added back, or writing again), and
groups that became supergroups."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from telegram import Chat, ChatMember, ChatMemberRestricted, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.errors import StoreError
from bot.render.subscriptions import kept_for_returning
from bot.render.welcome import group_intro
from bot.services.fanout import Access
from bot.tg.context import Context
from bot.tg.sending import gone_for_the_bot, restricted_for_the_bot
from bot.tg.subscriptions import clock_of

log = logging.getLogger(__name__)

# The bot's statuses in a chat it is not in (removed, or blocked in a private chat).
OUT = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
# A chat that wrote is checked in the store at most this often (seconds): one read per active chat, not per message.
SEEN_FOR_SECONDS = 300.0
SEEN_CHATS = 10_000


def may_write(member: ChatMember) -> bool:
    """Whether the bot, as this member of a chat, may send it messages: not when it is out, nor when an admin
    restricted it from sending (every digest and alert would be refused until they lift it)."""
    if member.status in OUT:
        return False
    if isinstance(member, ChatMemberRestricted):
        return member.is_member and member.can_send_messages
    return True


def restricted(member: ChatMember) -> bool:
    """Whether the bot is in a chat but an admin restricted it from sending (it may be freed without a word)."""
    return isinstance(member, ChatMemberRestricted) and member.is_member and not member.can_send_messages


def chat_title(chat: Chat) -> str:
    return chat.title or chat.full_name or ""


async def touch_chat(context: Context, chat: Chat, active: bool = True, restricted: bool = False) -> None:
    """Record a chat the bot talks to, and whether it may still write there (`restricted`: it may not only because
    an admin restricted it)."""
    store = context.bot_data.library.store
    await asyncio.to_thread(store.touch_chat, chat.id, chat.type, chat_title(chat), active, restricted)


async def mark_inactive(context: Context, chat_id: int, restricted: bool = False) -> None:
    """Record that the bot may no longer write to a chat (it was blocked, removed or, `restricted`, restricted),
    until the chat writes again (or, restricted, until Telegram says at its digest's due time that it may)."""
    forget_seen(context, chat_id)
    await asyncio.to_thread(context.bot_data.library.store.set_chat_active, chat_id, False, restricted)


async def chat_member(update: Update, context: Context) -> None:
    """Record whether the bot can still write to a chat (blocked, kicked, restricted, or added back or freed); a
    group the bot was just added to is told how to ask."""
    change = update.my_chat_member
    assert change is not None
    active = may_write(change.new_chat_member)
    log.info("chat %s is now %s", change.chat.id, "active" if active else "inactive")
    forget_seen(context, change.chat.id)
    await touch_chat(context, change.chat, active, restricted(change.new_chat_member))
    # Only on joining: a promotion to admin, or the same status again, is no news to the group.
    if active and change.old_chat_member.status in OUT and change.chat.type in GROUPS:
        await introduce(context, change.chat.id)


async def introduce(context: Context, chat_id: int) -> None:
    """Say how to ask in a group the bot was added to, and, added back, what it still gets; a courtesy, so a refusal
    is only logged."""
    intro = group_intro(context.bot_data.username)
    try:
        view = await asyncio.to_thread(context.bot_data.digesting.subscriptions.view, chat_id)
        kept = kept_for_returning(view, clock_of(view, context.bot_data.clock()), "group")
    except StoreError as exc:  # the intro matters more
        log.warning("introduced the bot in chat %s without its subscriptions: %s", chat_id, exc)
        kept = ""
    try:
        await context.bot.send_message(chat_id, f"{intro}\n\n{kept}" if kept else intro)
    except TelegramError as exc:
        log.warning("could not introduce the bot in chat %s: %s", chat_id, exc)


def forget_seen(context: Context, chat_id: int) -> None:
    """The next message from this chat is checked in the store again (the bot was just refused there)."""
    context.bot_data.seen.pop(chat_id, None)


async def seen(update: Update, context: Context) -> None:
    """Note that a chat wrote or pressed a button, or a channel posted: one the bot had been refused in (blocked,
    removed) is active again, so its digests and alerts resume."""
    chat = update.effective_chat
    if chat is None or not (update.message or update.edited_message or update.channel_post or update.callback_query):
        return
    if update.message is not None and update.message.migrate_to_chat_id is not None:
        return  # the group's last word: it lives on under its new id
    known = context.bot_data.seen
    now = time.monotonic()
    if now - known.get(chat.id, -SEEN_FOR_SECONDS) < SEEN_FOR_SECONDS:
        return
    try:
        # Only a chat marked inactive is written to: a read never waits for another process's write, so the answer
        # to a chat never seen before is not held up by a busy database.
        if await asyncio.to_thread(context.bot_data.library.store.chat_active, chat.id) is False:
            if not await still_may_write(context, chat):
                log.info("chat %s wrote, but the bot may still not send there: inactive", chat.id)
            else:
                log.info("chat %s wrote: active", chat.id)
                await touch_chat(context, chat)
    except StoreError as exc:  # the answer matters more: the next message tries again
        context.bot_data.troubles.met(exc, log, "could not record that chat %s is active", chat.id)
        return
    if len(known) >= SEEN_CHATS:
        known.clear()
    known[chat.id] = now


async def still_may_write(context: Context, chat: Chat) -> bool:
    """Whether the bot may send to a chat that wrote after it was refused there. A member of a group that restricted
    the bot may still write: waking the group on its every command cost a refused digest or alert each time, until
    the admins lift it (Telegram then says so, `chat_member`). A private chat, or a group Telegram cannot be asked
    about now, wakes as before."""
    if chat.type not in GROUPS:
        return True
    return await bot_access(context.bot, chat.id) in (Access.FREE, None)


async def bot_access(bot: ExtBot[Any], chat_id: int) -> Access | None:
    """What Telegram says of the bot in a group now: free to send, restricted there, or out of it (removed, or the
    group is gone); None when Telegram could not be asked (a network error, a refusal that says nothing of the
    bot)."""
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as exc:
        if restricted_for_the_bot(exc):
            return Access.RESTRICTED
        if gone_for_the_bot(exc):  # 403: removed, or the group is gone
            return Access.OUT
        log.warning("could not ask whether the bot may write to chat %s: %s", chat_id, exc)
        return None
    if member.status in OUT:
        return Access.OUT
    return Access.FREE if may_write(member) else Access.RESTRICTED


async def migrated(update: Update, context: Context) -> None:
    """Move a group's subscriptions and settings to the supergroup it became."""
    message = update.message
    assert message is not None
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    log.info("group %d is now supergroup %d", old, new)
    forget_seen(context, old)
    await asyncio.to_thread(context.bot_data.library.store.migrate_chat, old, new)
