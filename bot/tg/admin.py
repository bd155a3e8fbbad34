"""Admin commands: /stats and /reindex, for the user ids in NEWSBOT_ADMIN_IDS, and the check every admin command
makes."""

from __future__ import annotations

import asyncio

from telegram import Update, User

from bot.render.stats import stats_messages
from bot.tg.context import Context
from bot.tg.sending import reply_messages, show_typing


def is_admin(user: User | None, context: Context) -> bool:
    return user is not None and user.id in context.bot_data.settings.admin_ids


async def admins_only(update: Update, context: Context, command: str) -> bool:
    """True for an admin; anyone else is told politely that /`command` is for the bot's admins."""
    if is_admin(update.effective_user, context):
        return True
    assert update.message is not None
    await update.message.reply_text(f"Sorry, only the bot's admins can use /{command}.")
    return False


async def stats(update: Update, context: Context) -> None:
    """Send what the library holds (admins only)."""
    message = update.message
    assert message is not None
    if not await admins_only(update, context, "stats"):
        return
    await reply_messages(message, stats_messages(await asyncio.to_thread(context.bot_data.library.stats)))


async def reindex(update: Update, context: Context) -> None:
    """Rebuild the search index (admins only)."""
    message = update.message
    assert message is not None
    if not await admins_only(update, context, "reindex"):
        return
    await show_typing(message)
    count = await asyncio.to_thread(context.bot_data.library.reindex)
    # Buttons name articles and questions kept in the store, which a rebuild leaves alone.
    await message.reply_text(f"Re-indexed {count:,} paragraphs. Buttons on earlier answers still work.")
