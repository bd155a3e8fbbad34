"""Chat membership: which chats the bot may still write to (blocked, removed, or added back)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus

from bot.tg.context import Context

log = logging.getLogger(__name__)


def chat_title(chat: Chat) -> str:
    return chat.title or chat.full_name or ""


async def touch_chat(context: Context, chat: Chat, active: bool = True) -> None:
    """Record a chat the bot talks to, and whether it may still write there."""
    await asyncio.to_thread(context.bot_data.library.store.touch_chat, chat.id, chat.type, chat_title(chat), active)


async def mark_inactive(context: Context, chat_id: int) -> None:
    """Record that the bot may no longer write to a chat (it was blocked), until the chat writes again."""
    await asyncio.to_thread(context.bot_data.library.store.set_chat_active, chat_id, False)


async def chat_member(update: Update, context: Context) -> None:
    """Record whether the bot can still write to a chat (blocked, kicked, or added back)."""
    change = update.my_chat_member
    assert change is not None
    active = change.new_chat_member.status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    log.info("chat %s is now %s", change.chat.id, "active" if active else "inactive")
    await touch_chat(context, change.chat, active)
