"""The Telegram handlers: questions in any chat, result buttons, full articles, inline search, admin commands.

`register` adds every handler to an `Application`; `post_init` opens the library once (in a thread: the first
run reads the shipped corpus) and `post_shutdown` closes it. Searching runs in worker threads so one slow
question never stalls other chats. Edited messages are deliberately ignored: the answer to the original
question is already in the chat, and answering again would only add noise.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any, cast

from telegram import (
    BotCommand,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.answers import (
    HTML,
    TELEGRAM_LIMIT,
    article_messages,
    byline,
    render_answer,
    render_headline,
    render_stats,
    split_message,
)
from bot.config import DEFAULT_LATEST_COUNT, Settings
from bot.errors import QuestionError
from bot.library import Library
from bot.models import Answer, StoredArticle
from bot.retrieval import Request
from bot.store import SavedQuery

log = logging.getLogger(__name__)

ApiResult = bool | dict[str, Any] | list[dict[str, Any]]

SETTINGS, LIBRARY, USERNAME = "settings", "library", "username"
# Callback data: "m:<saved query key>:<offset>" and "a:<article id>", both far below Telegram's 64 bytes.
MORE_DATA = re.compile(r"^m:([0-9a-f]{1,16}):(\d{1,6})$")
ARTICLE_DATA = re.compile(r"^a:([0-9a-f]{16})$")
ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
INLINE_RESULTS = 10
# Inline results may be cached by Telegram for this long; answers only change when articles are added.
INLINE_CACHE_SECONDS = 60
BUTTON_TITLE_CHARS = 40
EXAMPLE_QUESTIONS = 3
GREETING_CATEGORIES = 8
# Sends cut off by a timeout or a dropped connection are tried this often in all (a late duplicate beats a loss).
SEND_ATTEMPTS = 3
SEND_BACKOFF_SECONDS = 0.5
RETRY_AFTER_RETRIES = 3

EXPIRED = "This result expired, please ask again."
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
ASK_USAGE = "Usage: /ask <question>, for example: /ask Who won the election?"
NOT_TEXT = "I can only read text. Send me a question about the news, for example: Who won the election?"

# (command, description, admins only): the command menu and /help are both made from this.
COMMANDS: tuple[tuple[str, str, bool], ...] = (
    ("start", "what I know, with example questions", False),
    ("help", "this list of commands", False),
    ("ask", "ask a question (in groups; in private just type it)", False),
    ("latest", "the newest headlines, optionally of one category: /latest <category>", False),
    ("categories", "the categories with their article counts", False),
    ("stats", "what the library holds", True),
    ("reindex", "rebuild the search index (older buttons expire)", True),
)


class RetryingRateLimiter(AIORateLimiter):
    """Flood limits and `RetryAfter` as `AIORateLimiter`, and sends retried after a timeout or network error."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> ApiResult:
        attempt = 1
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:  # a NetworkError subclass, but sending the same request again cannot help
                raise
            except NetworkError as exc:
                if attempt >= SEND_ATTEMPTS:
                    raise
                log.warning("%s failed (%s); trying again (%d of %d)", endpoint, exc, attempt + 1, SEND_ATTEMPTS)
                await asyncio.sleep(SEND_BACKOFF_SECONDS * attempt)
                attempt += 1


def rate_limiter(settings: Settings) -> RetryingRateLimiter:
    return RetryingRateLimiter(
        overall_max_rate=settings.max_messages_per_second, overall_time_period=1, max_retries=RETRY_AFTER_RETRIES
    )


# ---- services ---------------------------------------------------------------------------------------------


def _library(context: ContextTypes.DEFAULT_TYPE) -> Library:
    return cast(Library, context.bot_data[LIBRARY])


def _username(context: ContextTypes.DEFAULT_TYPE) -> str:
    return cast(str, context.bot_data[USERNAME])


def _settings(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    return cast(Settings, context.bot_data[SETTINGS])


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Open the library, learn the bot's username and set the command menu."""
    settings = cast(Settings, application.bot_data[SETTINGS])
    application.bot_data[LIBRARY] = await asyncio.to_thread(Library.open, settings)
    application.bot_data[USERNAME] = settings.bot_username or application.bot.username
    try:
        await application.bot.set_my_commands([BotCommand(name, text) for name, text, admin in COMMANDS if not admin])
    except TelegramError as exc:
        # The menu is a convenience: a Bot API server without it must not keep the bot from answering.
        log.warning("could not set the command menu: %s", exc)


async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    """Close the library."""
    library = application.bot_data.pop(LIBRARY, None)
    if library is not None:
        await asyncio.to_thread(library.close)


# ---- rendering --------------------------------------------------------------------------------------------


def _fit(answer: Answer, username: str) -> tuple[Answer, str]:
    """The answer with as many passages as fit in one message (the rest stay behind "More"), rendered."""
    text = render_answer(answer, HTML, username)
    while len(answer.passages) > 1 and len(text) > TELEGRAM_LIMIT:
        answer = replace(answer, passages=answer.passages[:-1], more=answer.more + 1)
        text = render_answer(answer, HTML, username)
    return answer, text


def _button_title(title: str) -> str:
    if len(title) <= BUTTON_TITLE_CHARS:
        return title
    return title[: BUTTON_TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,:;-") + "…"


def _keyboard(answer: Answer, key: str) -> InlineKeyboardMarkup | None:
    articles = list(dict.fromkeys(p.article.id for p in answer.passages))
    titles = {p.article.id: p.article.title for p in answer.passages}
    rows = [
        [InlineKeyboardButton(f"Full article: {_button_title(titles[i])}", callback_data=f"a:{i}")] for i in articles
    ]
    if answer.more and key:
        next_offset = answer.offset + len(answer.passages)
        rows.append([InlineKeyboardButton("More", callback_data=f"m:{key}:{next_offset}")])
    return InlineKeyboardMarkup(rows) if rows else None


def _answer_page(library: Library, request: Request, username: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """Search (in a worker thread) and render one page of an answer with its buttons."""
    answer, text = _fit(library.ask(request), username)
    key = (
        library.store.save_query(SavedQuery(request.question, request.category, request.since, request.until))
        if answer.more
        else ""
    )
    return text, _keyboard(answer, key)


def _count(number: int, singular: str, plural: str = "") -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def _example_questions(library: Library) -> list[str]:
    """Questions a newcomer can try, made from headlines of random articles (so each surely finds something)."""
    articles = library.store.random_articles(EXAMPLE_QUESTIONS)
    return [f"What do we know about {a.title.rstrip('.!?')}?" for a in articles[:EXAMPLE_QUESTIONS]]


def _greeting(library: Library) -> str:
    stats = library.store.stats()
    if not stats.articles:
        return "Hello! I answer questions about news articles, but I have none yet."
    names = [name for name, _ in stats.categories if name]
    known = f"Hello! I answer questions about <b>{_count(stats.articles, 'news article')}</b>"
    if names:
        shown = ", ".join(names[:GREETING_CATEGORIES]) + (", …" if len(names) > GREETING_CATEGORIES else "")
        known += f" in {_count(len(names), 'category', 'categories')} ({html.escape(shown)})"
    if stats.first_published and stats.last_published:
        first, last = f"{stats.first_published:%-d %b %Y}", f"{stats.last_published:%-d %b %Y}"
        known += f", published {first}" if first == last else f", from {first} to {last}"
    lines = [known + ".", "", "Ask me anything in your own words, for example:"]
    lines += [f"• {html.escape(q)}" for q in _example_questions(library)]
    lines += ["", "/help lists every command."]
    return "\n".join(lines)


def _help_text() -> str:
    lines = [
        "<b>Ask me about the news</b> in your own words: in a private chat just type the question; in a "
        "group use /ask, mention me, or reply to one of my messages.",
        "",
    ]
    lines += [f"/{name} — {html.escape(text)}" + (" (admins only)" if admin else "") for name, text, admin in COMMANDS]
    lines += ["", "Inline: type @&lt;my username&gt; and a question in any chat to share a passage."]
    return "\n".join(lines)


# ---- sending ----------------------------------------------------------------------------------------------


async def _send_article(context: ContextTypes.DEFAULT_TYPE, chat_id: int, article_id: str) -> bool:
    """Send a whole article as one or more messages; False if it is gone."""
    library = _library(context)
    article = await asyncio.to_thread(library.store.article, article_id)
    if article is None:
        return False
    paragraphs = await asyncio.to_thread(library.store.paragraphs, article_id)
    for text in article_messages(article, paragraphs, _username(context)):
        await context.bot.send_message(chat_id, text)
    return True


async def _typing(message: Message) -> None:
    """Show "typing…"; cosmetic, so a failure is logged, never fatal to the answer."""
    try:
        await message.reply_chat_action(ChatAction.TYPING)
    except (BadRequest, NetworkError) as exc:
        log.debug("could not show typing in chat %s: %s", message.chat.id, exc)


async def _reply_to_question(message: Message, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer a question asked in a message, with "More" and "Full article" buttons."""
    library = _library(context)
    try:
        request = library.request(question)
        await _typing(message)
        text, markup = await asyncio.to_thread(_answer_page, library, request, _username(context))
    except QuestionError as exc:
        await message.reply_text(html.escape(str(exc)))
        return
    await message.reply_text(text, reply_markup=markup)


def _addressed_question(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message meant for the bot (a mention or a reply to it), else None."""
    text = message.text or ""
    mention = re.compile(rf"(?<!\w)@{re.escape(username)}(?!\w)", re.IGNORECASE)
    if mention.search(text):
        return " ".join(mention.sub(" ", text).split())
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    return None


# ---- handlers ---------------------------------------------------------------------------------------------


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a private message, or a group message that mentions or replies to the bot."""
    message = cast(Message, update.message)
    if message.chat.type == ChatType.PRIVATE:
        question: str | None = message.text or ""
    else:
        question = _addressed_question(message, _username(context), context.bot.id)
    if question is not None:
        await _reply_to_question(message, context, question)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question after /ask."""
    message = cast(Message, update.message)
    parts = (message.text or "").split(maxsplit=1)
    if len(parts) < 2:
        await message.reply_text(html.escape(ASK_USAGE))
        return
    await _reply_to_question(message, context, parts[1])


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell a private chat that only text questions are understood."""
    await cast(Message, update.message).reply_text(NOT_TEXT)


async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the next passages of an answer in place of the current ones."""
    query = update.callback_query
    assert query is not None and context.match is not None
    library = _library(context)
    key, offset = context.match.group(1), int(context.match.group(2))
    saved = await asyncio.to_thread(library.store.load_query, key)
    if saved is None:
        await query.answer(EXPIRED, show_alert=True)
        return
    request = library.request(
        saved.question, offset=offset, category=saved.category, since=saved.since, until=saved.until
    )
    text, markup = await asyncio.to_thread(_answer_page, library, request, _username(context))
    await query.answer()
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        # A double tap: the first press already showed this page.
        if "not modified" in str(exc).lower():
            return
        # Telegram refuses edits of old or inaccessible messages: the next page comes as a new message.
        log.info("could not edit the answer (%s); sending the page as a new message", exc)
        chat_id = query.message.chat.id if query.message else query.from_user.id
        await context.bot.send_message(chat_id, text, reply_markup=markup)


async def full_article(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the whole article behind a passage."""
    query = update.callback_query
    assert query is not None and context.match is not None
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if not await _send_article(context, chat_id, context.match.group(1)):
        await query.answer(EXPIRED, show_alert=True)
        return
    await query.answer()


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the user a button from an older version of the bot has expired."""
    assert update.callback_query is not None
    await update.callback_query.answer(EXPIRED, show_alert=True)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the article of a deep link, or greet with what the bot knows and example questions."""
    message = cast(Message, update.message)
    library = _library(context)
    await asyncio.to_thread(
        library.store.touch_chat, message.chat.id, message.chat.type, message.chat.title or message.chat.full_name or ""
    )
    if context.args and ARTICLE_ID.match(context.args[0]):
        if not await _send_article(context, message.chat.id, context.args[0]):
            await message.reply_text("That article is no longer available. Ask me a question instead.")
        return
    await message.reply_text(await asyncio.to_thread(_greeting, library))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List every command."""
    await cast(Message, update.message).reply_text(_help_text())


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the newest headlines, of one category when one is named."""
    message = cast(Message, update.message)
    library = _library(context)
    category = " ".join(context.args or ()) or None
    articles = await asyncio.to_thread(library.store.latest, DEFAULT_LATEST_COUNT, category)
    if not articles:
        if category is None:
            await message.reply_text("I have no articles yet.")
            return
        known = await asyncio.to_thread(library.store.categories)
        names = ", ".join(name for name, _ in known if name) or "none"
        await message.reply_text(
            f"I know no category called “{html.escape(category)}”. Known categories: {html.escape(names)}."
        )
        return
    heading = f"<b>Latest{' in ' + html.escape(articles[0].category) if category else ''}</b>"
    await _reply_blocks(message, [heading, *(render_headline(a, HTML, _username(context)) for a in articles)])


async def _reply_blocks(message: Message, blocks: list[str]) -> None:
    for text in split_message(blocks):
        await message.reply_text(text)


async def categories(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the categories with their article counts."""
    message = cast(Message, update.message)
    known = await asyncio.to_thread(_library(context).store.categories)
    if not known:
        await message.reply_text("I have no articles yet.")
        return
    lines = [f"• {html.escape(name or '(no category)')}: {_count(count, 'article')}" for name, count in known]
    await _reply_blocks(message, ["<b>Categories</b>", *lines])


def _is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in _settings(context).admin_ids


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send what the library holds (admins only)."""
    message = cast(Message, update.message)
    if not _is_admin(update, context):
        await message.reply_text("Sorry, only the bot's admins can use /stats.")
        return
    text = render_stats(await asyncio.to_thread(_library(context).stats))
    await message.reply_text(f"<pre>{html.escape(text)}</pre>")


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Rebuild the search index (admins only)."""
    message = cast(Message, update.message)
    if not _is_admin(update, context):
        await message.reply_text("Sorry, only the bot's admins can use /reindex.")
        return
    await _typing(message)
    count = await asyncio.to_thread(_library(context).reindex)
    await message.reply_text(f"Re-indexed {count:,} paragraphs. Buttons on older answers have expired.")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point an unknown command meant for this bot to /help."""
    message = cast(Message, update.message)
    command = (message.text or "").split(maxsplit=1)[0]
    target = command.partition("@")[2].lower()
    # In groups a bare /command may be meant for another bot: answer only what is addressed to this one.
    if message.chat.type == ChatType.PRIVATE or target == _username(context).lower():
        await message.reply_text(f"Unknown command {html.escape(command)}, see /help.")


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List matching passages (or, for an empty query, the latest headlines) for inline mode."""
    query = update.inline_query
    assert query is not None
    library, username = _library(context), _username(context)
    results: list[InlineQueryResultArticle] = []
    if not query.query.strip():
        for article in await asyncio.to_thread(library.store.latest, INLINE_RESULTS):
            results.append(_inline_result(article.id, article, render_headline(article, HTML, username)))
    else:
        try:
            answer = await asyncio.to_thread(library.ask, library.request(query.query, k=INLINE_RESULTS))
        except QuestionError:
            answer = Answer(query.query, ())
        for passage in answer.passages:
            single = Answer(answer.question, (passage,))
            results.append(
                _inline_result(
                    f"{passage.article.id}-{passage.position}",
                    passage.article,
                    render_answer(single, HTML, username),
                    passage.text,
                )
            )
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)


def _inline_result(result_id: str, article: StoredArticle, text: str, snippet: str = "") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        result_id, article.title, InputTextMessageContent(text), description=(snippet or byline(article))[:200]
    )


async def chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record whether the bot can still write to a chat (blocked, kicked, or added back)."""
    change = cast(ChatMemberUpdated, update.my_chat_member)
    active = change.new_chat_member.status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    log.info("chat %s is now %s", change.chat.id, "active" if active else "inactive")
    await asyncio.to_thread(
        _library(context).store.touch_chat,
        change.chat.id,
        change.chat.type,
        change.chat.title or change.chat.full_name or "",
        active,
    )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an error with the update's ids and apologise; a chat that blocked the bot is marked inactive."""
    chat = update.effective_chat if isinstance(update, Update) else None
    user = update.effective_user if isinstance(update, Update) else None
    ids = (
        f"update {update.update_id}, chat {chat.id if chat else '-'}, user {user.id if user else '-'}"
        if isinstance(update, Update)
        else "no update"
    )
    if isinstance(context.error, Forbidden) and chat is not None:
        log.warning("%s: the bot may no longer write there (%s); marking the chat inactive", ids, context.error)
        await asyncio.to_thread(_library(context).store.set_chat_active, chat.id, False)
        return
    log.error("error while handling %s", ids, exc_info=context.error)
    if chat is not None:
        try:
            await context.bot.send_message(chat.id, APOLOGY)
        except TelegramError as exc:
            log.warning("%s: could not send the apology: %s", ids, exc)


def register(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Add every handler to the application and keep the settings for them."""
    application.bot_data[SETTINGS] = settings
    new = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("start", start, filters=new),
            CommandHandler("help", help_command, filters=new),
            CommandHandler("ask", ask, filters=new),
            CommandHandler("latest", latest, filters=new),
            CommandHandler("categories", categories, filters=new),
            CommandHandler("stats", stats, filters=new),
            CommandHandler("reindex", reindex, filters=new),
            MessageHandler(new & filters.COMMAND, unknown_command),
            MessageHandler(new & filters.TEXT, text_message),
            MessageHandler(new & filters.ChatType.PRIVATE, not_text),
            CallbackQueryHandler(more, pattern=MORE_DATA),
            CallbackQueryHandler(full_article, pattern=ARTICLE_DATA),
            CallbackQueryHandler(expired_button),
            InlineQueryHandler(inline_query),
            ChatMemberHandler(chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    application.add_error_handler(on_error)
