"""Admin commands: /stats and /reindex, for the user ids in NEWSBOT_ADMIN_IDS, and the check every admin command
makes."""

from __future__ import annotations

import asyncio
import html
import logging
import time

from telegram import Message, Update, User

from bot.errors import IndexCorruptError, StoreError
from bot.render.split import with_note
from bot.render.stats import stats_messages
from bot.render.welcome import takes_no_words
from bot.tg.context import Context
from bot.tg.sending import reply_messages

log = logging.getLogger(__name__)

# A rebuild of a large library takes minutes, far beyond the 5 s a "typing…" lasts: the admin is told at once
# that it runs, and again, with what it indexed, when it is done.
REINDEX_STARTED = (
    "Rebuilding the search index from the store. Questions are answered from the current one meanwhile; I will say"
    " when it is done."
)
REINDEX_RUNNING = "The search index is being rebuilt already: I will say when it is done, in the chat that asked."
REINDEX_ELSEWHERE = (
    "Another process of this bot is rebuilding the search index already. Questions are answered from the current"
    " one meanwhile, and every process takes the new one when it is done."
)


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
    messages = stats_messages(await asyncio.to_thread(context.bot_data.library.stats))
    await reply_messages(message, with_note(messages, takes_no_words("stats")) if context.args else messages)


async def reindex(update: Update, context: Context) -> None:
    """Rebuild the search index (admins only), saying that it started and, when it is done, what it indexed."""
    message = update.message
    assert message is not None
    if not await admins_only(update, context, "reindex"):
        return
    if context.args:  # "/reindex sport" rebuilt all of it: words may mean a rebuild it does not make
        await message.reply_text(takes_no_words("reindex", ["/reindex alone rebuilds the whole search index"]))
        return
    if context.bot_data.reindexing:
        await message.reply_text(REINDEX_RUNNING)
        return
    context.bot_data.reindexing = True
    # Aside: a chat's updates are handled one after another, and the admin's questions meanwhile would wait for it.
    context.application.create_task(rebuild_index(message, context), update=update)


async def rebuild_index(message: Message, context: Context) -> None:
    """Say that the rebuild started, rebuild, and say what it indexed or why it could not."""
    try:
        # The flag above is this process's; a rebuild by another (a second bot, `newsbot reindex`) holds its claim
        # on the generation it builds, which every process sees.
        if await asyncio.to_thread(context.bot_data.library.rebuilding):
            await message.reply_text(REINDEX_ELSEWHERE)
            return
        await message.reply_text(REINDEX_STARTED)
        started = time.monotonic()
        try:
            count = await asyncio.to_thread(context.bot_data.library.reindex)
        except (StoreError, IndexCorruptError) as exc:  # the store out of reach, the disk full or read-only
            log.warning("/reindex failed: %s", exc)
            failed = f"The index was not rebuilt: {exc}. Questions are still answered from the current one."
            await message.reply_text(html.escape(failed))
            return
    finally:
        context.bot_data.reindexing = False
    # Buttons name articles and questions kept in the store, which a rebuild leaves alone.
    await message.reply_text(
        f"Re-indexed {count:,} paragraphs in {took(time.monotonic() - started)}. Buttons on earlier answers still work."
    )


def took(seconds: float) -> str:
    """ "0.4 s", "12 s", "3 min 05 s": how long a rebuild took."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"
