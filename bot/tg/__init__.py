"""The Telegram layer, the only importer of `telegram`: one module per feature, and `register` to add them all.

`register` keeps the settings in the typed `bot_data` (`context.BotData`) and adds every handler and job;
`post_init` opens the library once (in a thread: opening may catch up with the store) and the services on it
(feeds; subscriptions, digests and the fan-out, joining the running processes); `post_shutdown` leaves them and
closes the library. Handlers stay thin: parse, call the library, render (`bot.render`), reply.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.errors import StoreError
from bot.library import Library
from bot.services.feeds import FeedService
from bot.services.presence import LIVE_FOR
from bot.services.waiting_marks import WaitingMarks
from bot.store import answering
from bot.store.engine import ANSWER_WAIT_SECONDS
from bot.tg import admin, articles, ask, buttons, chats, feeds, sending, subscriptions, welcome
from bot.tg.answered import recorded
from bot.tg.context import App
from bot.tg.errors import on_error
from bot.tg.jobs import register_jobs, share_budget, start_digests
from bot.tg.received import Journal, take_unhandled

log = logging.getLogger(__name__)

# The most a stop waits for other processes' locks: a question's answer under way, and the stop's own writes in
# `post_shutdown` (the marks of handled updates, leaving the running processes), each ANSWER_WAIT_SECONDS at most.
STOP_LOCK_WAITS_SECONDS = 3 * ANSWER_WAIT_SECONDS


async def post_init(application: App) -> None:
    """Open the library, learn the bot's username, join the running processes and set the command menu."""
    data = application.bot_data
    # A first start distils the word pieces aside, so the bot answers within seconds (bot/semantic/__init__.py).
    data.library = await asyncio.to_thread(Library.open, data.settings, distil_aside=True, command=data.command)
    data.feeds = FeedService(data.library)
    data.username = data.settings.bot_username or application.bot.username
    store = data.library.store
    data.digesting = await asyncio.to_thread(start_digests, store, data.settings, data.clock(), data.username)
    share_budget(application)
    # Updates are recorded from now on; those a process killed mid-answer left are handled first.
    data.journal = Journal(
        store,
        application.bot.id,
        data.digesting.presence,
        data.clock,
        WaitingMarks(data.settings.waiting_marks_dir),
        data.troubles,
    )
    await take_unhandled(application, data.journal)
    await welcome.set_menu(application)


async def post_shutdown(application: App) -> None:
    """Leave the running processes (the others' shares of the flood budget grow at once) and close the library."""
    digesting = application.bot_data.close_digesting()
    try:
        # The stop's writes wait for another process's lock as an answer's do, not a background write's minute
        # (bot.store.engine): newsbot's own processes hold it well under a second, so one held longer is a backup
        # tool or a stuck writer, and the stop (bounded: bot.app.stop_seconds) was cut in the middle of the wait.
        # Given up, the marks wait in the data directory for the next start (or another process of it) to write them
        # (bot.services.waiting_marks), and the others count this process gone within LIVE_FOR.
        with answering():
            if application.bot_data.journal is not None:
                await asyncio.to_thread(application.bot_data.journal.settle)
            if digesting is not None:
                try:
                    await asyncio.to_thread(digesting.presence.leave)
                except StoreError as exc:
                    # The stop itself went well: said as its failure, it ended with exit code 3 and "database error".
                    log.warning(
                        "could not leave the running processes (%s); the others count this one gone within %d s",
                        exc,
                        LIVE_FOR.total_seconds(),
                    )
    finally:
        library = application.bot_data.close_library()
        if library is not None:
            await asyncio.to_thread(library.close)


def register(application: App, settings: Settings) -> None:
    """Add every handler, the error handler and the jobs to the application, and keep the settings for them."""
    application.bot_data.settings = settings
    new, new_or_edited = filters.UpdateType.MESSAGE, filters.UpdateType.MESSAGES
    # A channel's settings are set by its admins' posts (a channel has no other members who write).
    new_or_post = new | filters.UpdateType.CHANNEL_POST

    def posted(command: str) -> filters.BaseFilter:
        """New messages, and a channel's posts for the commands its admins use there."""
        return new_or_post if command in welcome.CHANNEL_COMMANDS else new

    application.add_handlers(
        [
            CommandHandler("start", ask.start_question, filters=new & filters.Regex(ask.INLINE_QUESTION)),
            CommandHandler("start", recorded(welcome.start), filters=posted("start")),
            CommandHandler("help", recorded(welcome.help_command), filters=posted("help")),
            # A question is answered again when edited (bot.tg.ask); other commands edited are asked for anew. The
            # replies of those that only show something are kept (`recorded`): edited into a question, they give way.
            CommandHandler("ask", ask.ask, filters=new_or_edited),
            CommandHandler("latest", recorded(articles.latest), filters=new),
            CommandHandler("categories", recorded(articles.categories), filters=new),
            CommandHandler("subscribe", subscriptions.subscribe, filters=posted("subscribe")),
            CommandHandler("unsubscribe", subscriptions.unsubscribe, filters=posted("unsubscribe")),
            CommandHandler("mysubs", recorded(subscriptions.mysubs), filters=posted("mysubs")),
            CommandHandler("digest", subscriptions.digest, filters=posted("digest")),
            CommandHandler("time", subscriptions.time_command, filters=posted("time")),
            CommandHandler("timezone", subscriptions.timezone, filters=posted("timezone")),
            CommandHandler("alerts", subscriptions.alerts, filters=posted("alerts")),
            MessageHandler(filters.StatusUpdate.MIGRATE, chats.migrated),
            CommandHandler("stats", admin.stats, filters=new),
            CommandHandler("reindex", admin.reindex, filters=new),
            CommandHandler("feeds", feeds.feeds, filters=new),
            CommandHandler("addfeed", feeds.add_feed, filters=new),
            CommandHandler("removefeed", feeds.remove_feed, filters=new),
            CommandHandler("pollfeeds", feeds.poll_feeds, filters=new),
            MessageHandler(new & filters.COMMAND, recorded(welcome.unknown)),
            MessageHandler(filters.UpdateType.CHANNEL_POST & filters.COMMAND, welcome.channel_command),
            MessageHandler(
                (filters.UpdateType.EDITED_MESSAGE | filters.UpdateType.EDITED_CHANNEL_POST) & filters.COMMAND,
                welcome.edited_command,
            ),
            MessageHandler(new_or_edited & ~filters.COMMAND & (filters.TEXT | filters.CAPTION), ask.text_message),
            # Not a change the reader made to the chat (its auto-delete timer, wallpaper, a pin): none wrote to us.
            MessageHandler(new & ~filters.StatusUpdate.ALL, ask.not_text),
            buttons.ButtonHandler(ask.more, pattern=buttons.MORE_DATA),
            buttons.ButtonHandler(ask.ask_again, pattern=buttons.ASK_AGAIN_DATA),
            buttons.ButtonHandler(articles.full_article, pattern=buttons.ARTICLE_DATA),
            buttons.ButtonHandler(articles.full_article, pattern=buttons.READ_ON_DATA),
            buttons.ButtonHandler(articles.more_latest, pattern=buttons.LATEST_MORE_DATA),
            buttons.ButtonHandler(articles.rest_of_digest, pattern=buttons.REST_DATA),
            buttons.ButtonHandler(articles.rest_of_alert, pattern=buttons.ALERT_REST_DATA),
            buttons.ButtonHandler(subscriptions.toggle, pattern=subscriptions.TOGGLE_PATTERN),
            buttons.ButtonHandler(subscriptions.alerts_off, pattern=f"^{sending.ALERTS_OFF_DATA}$"),
            buttons.ButtonHandler(feeds.add_anyway, pattern=feeds.ADD_ANYWAY_DATA),
            buttons.ButtonHandler(subscriptions.unsubscribe_all, pattern=f"^{subscriptions.UNSUBSCRIBE_ALL_DATA}$"),
            CallbackQueryHandler(buttons.expired_button),
            InlineQueryHandler(ask.inline_query),
            ChatMemberHandler(chats.chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    # Before every other handler: a chat that writes again after blocking the bot gets its digests again.
    application.add_handler(TypeHandler(Update, chats.seen), group=-1)
    application.add_error_handler(on_error)
    register_jobs(application)
