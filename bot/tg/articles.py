"""Articles and headlines: the full article behind a button or a deep link, /latest and /categories."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.config import DEFAULT_LATEST_COUNT, MAX_LATEST_COUNT
from bot.render.articles import article_messages
from bot.render.headlines import categories_blocks, latest_blocks, unknown_category
from bot.render.split import split_message
from bot.tg.buttons import EXPIRED
from bot.tg.context import Context
from bot.tg.sending import chat_of, reply_messages, send_messages

NO_ARTICLES = "I have no articles yet."
ARTICLE_GONE = "That article is no longer available. Ask me a question instead."


async def send_article(context: Context, chat_id: int, article_id: str) -> bool:
    """Send a whole article as one or more messages; False if it is gone."""
    store = context.bot_data.library.store
    article = await asyncio.to_thread(store.article, article_id)
    if article is None:
        return False
    paragraphs = await asyncio.to_thread(store.paragraphs, article_id)
    await send_messages(context.bot, chat_id, article_messages(article, paragraphs))
    return True


async def full_article(update: Update, context: Context) -> None:
    """Send the whole article behind a passage."""
    query = update.callback_query
    assert query is not None and context.match is not None
    if not await send_article(context, chat_of(query), context.match.group(1)):
        await query.answer(EXPIRED, show_alert=True)
        return
    await query.answer()


async def latest(update: Update, context: Context) -> None:
    """Send the newest headlines, of one category when one is named, as many as a number at the end asks."""
    message = update.message
    assert message is not None
    store = context.bot_data.library.store
    words = list(context.args or ())
    wanted = DEFAULT_LATEST_COUNT
    if words and words[-1].isdecimal():
        wanted = min(max(int(words.pop()), 1), MAX_LATEST_COUNT)
    category = " ".join(words) or None
    articles = await asyncio.to_thread(store.latest, wanted, category)
    if articles:
        await reply_messages(message, split_message(latest_blocks(articles, category, context.bot_data.username)))
    elif category is None:
        await message.reply_text(NO_ARTICLES)
    else:
        known = await asyncio.to_thread(store.categories)
        await reply_messages(message, split_message([unknown_category(category, known)]))


async def categories(update: Update, context: Context) -> None:
    """List the categories with their article counts."""
    message = update.message
    assert message is not None
    known = await asyncio.to_thread(context.bot_data.library.store.categories)
    if not known:
        await message.reply_text(NO_ARTICLES)
        return
    await reply_messages(message, split_message(categories_blocks(known)))
