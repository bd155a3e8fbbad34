"""Getting started: /start (a greeting, or the article of a deep link), /help, the command menu, and a reply
to commands this bot does not know."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.errors import StoreError
from bot.library import Library
from bot.render.markup import cap
from bot.render.subscriptions import for_chat, kept_for_returning
from bot.render.welcome import (
    GREETING_STORE_DOWN,
    Command,
    channel_help,
    greeting,
    help_text,
    meant_command,
    not_in_channels,
    send_anew,
    unknown_command,
)
from bot.services.welcome import example_of, example_questions
from bot.tg.admin import is_admin
from bot.tg.answered import replying
from bot.tg.articles import ARTICLE_GONE, article_id, send_article
from bot.tg.buttons import GREETING_START
from bot.tg.chats import touch_chat
from bot.tg.context import App, Context
from bot.tg.sending import reply_messages
from bot.tg.subscriptions import UNSUBSCRIBE_ALL, in_group, shared_by, view_of

log = logging.getLogger(__name__)

# A deep link whose payload is none of ours: cut short or changed where it was copied. It greeted as a plain /start,
# as if the link had opened nothing in particular.
LINK_BROKEN = (
    "That link is broken or incomplete, so I cannot tell which story or question it was for. Copy the whole link "
    "again, or ask me about the story in your own words."
)
ANOTHER_BOTS = "That command is addressed to @{bot}, not to me: /help lists mine."
# Telegram's usernames have at most 32 characters; what was typed after the "@" is shown this far.
MAX_USERNAME_CHARS = 32

# The command menu and /help are both made from this, its "{its}" worded for the chat (`for_chat`): "your" in a
# private chat, "the group's" in a group, whose settings they are.
COMMANDS: tuple[Command, ...] = (
    ("start", "what I know, with example questions", False),
    ("help", "this list of commands", False),
    ("ask", "ask a question (in groups; in private just type it)", False),
    ("latest", "the newest headlines, optionally of one category and how many: /latest sport 20", False),
    ("categories", "the categories with their article counts", False),
    ("subscribe", "choose categories for {its} digest and alerts (buttons, or /subscribe sport tech)", False),
    ("unsubscribe", "stop following categories: /unsubscribe sport; /unsubscribe all stops everything", False),
    ("mysubs", "{its} categories, digest time, time zone and alerts", False),
    ("digest", "{its} digest so far; /digest on|off, /digest quiet|notice for days without news", False),
    ("time", "the time of {its} daily digest: /time 07:30 (also 7am, or /time 8am London with {its} zone)", False),
    ("timezone", "{its} time zone: /timezone Europe/Berlin, a city, or +03:00", False),
    ("alerts", "new stories in {its} categories as they arrive: /alerts on|off", False),
    ("stats", "what the library holds", True),
    ("reindex", "rebuild the search index", True),
    ("feeds", "the feeds followed: stories, last poll, status", True),
    ("addfeed", "follow a feed and read it now: /addfeed URL [category]", True),
    ("removefeed", "stop following a feed: /removefeed URL-or-number", True),
    ("pollfeeds", "poll every feed now and say what came in", True),
)
# The commands a channel's admins post there (`bot.tg.register`): a channel has a digest and alerts, but nobody in it
# asks, so /help and /start there list these alone.
CHANNEL_COMMANDS = frozenset(
    {"start", "help", "subscribe", "unsubscribe", "mysubs", "digest", "time", "timezone", "alerts"}
)


def worded(commands: Sequence[Command], group: str | None) -> list[Command]:
    """`commands` as a chat reads them: a group's naming the group's settings, not the reader's (None: as any chat
    reads them)."""
    return [(name, for_chat(text, group), admin) for name, text, admin in commands]


# The command menus Telegram shows, each worded for its chats (`worded`): "your time zone" in private chats, "the
# group's" in groups, "this chat's" in any other (a channel). One menu for every chat said "this chat's" in all.
MENU_SCOPES: tuple[tuple[BotCommandScope, str | None], ...] = (
    (BotCommandScopeAllPrivateChats(), ""),
    (BotCommandScopeAllGroupChats(), "group"),
    (BotCommandScopeDefault(), None),
)


async def set_menu(application: App) -> None:
    """Set the command menus (the commands everyone may use) of private chats, groups and any other chat; the last
    call marks a started bot to the process tests."""
    try:
        for scope, group in MENU_SCOPES:
            menu = [BotCommand(name, text) for name, text, admin in worded(COMMANDS, group) if not admin]
            await application.bot.set_my_commands(menu, scope=scope)
    except TelegramError as exc:
        # The menu is a convenience: a Bot API server without it must not keep the bot from answering.
        log.warning("could not set the command menu: %s", exc)


def greeting_messages(library: Library, in_group: bool) -> list[str]:
    """The greeting, with questions made from the headlines of random articles, as a group asks them when
    `in_group` (in a worker thread); with the store out of reach, a greeting that says questions must wait."""
    try:
        return greeting(library.store.stats(), example_questions(library.store), in_group)
    except StoreError as exc:
        log.warning("greeted without the store's counts and examples: %s", exc)
        return [GREETING_STORE_DOWN]


async def greet(message: Message, library: Library, kept: str = "") -> None:
    """Reply with the greeting: what the bot knows, with example questions (/start, or a "hi"), and what the chat
    still gets (`kept`, plain HTML) after them."""
    group = in_group(message.chat)
    messages = await asyncio.to_thread(greeting_messages, library, group)
    await reply_messages(message, [*messages[:-1], f"{messages[-1]}\n\n{kept}"] if kept else messages)


async def start(update: Update, context: Context) -> None:
    """Send the article of a deep link, or greet with what the bot knows and example questions (in a channel, say
    what the bot does there)."""
    message = update.effective_message
    assert message is not None
    try:
        await touch_chat(context, message.chat)
    except StoreError as exc:  # the greeting matters more; the chat is recorded at its next /start
        log.warning("could not record chat %s: %s", message.chat.id, exc)
    if context.args and (linked := article_id(context.args[0])):
        if not await send_article(context, message, linked, update.update_id):
            await message.reply_text(ARTICLE_GONE)
        return
    if context.args and context.args[0] != GREETING_START:
        await message.reply_text(html.escape(LINK_BROKEN))
        return
    if message.chat.type == ChatType.CHANNEL:
        await send_help(message, context)
        return
    kept = ""
    if message.chat.type == ChatType.PRIVATE:
        try:
            kept = kept_for_returning(*await view_of(message, context))
        except StoreError as exc:  # the greeting matters more, as above
            log.warning("greeted chat %s without its subscriptions: %s", message.chat.id, exc)
    await greet(message, context.bot_data.library, kept)


async def help_command(update: Update, context: Context) -> None:
    """List every command."""
    assert update.effective_message is not None
    await send_help(update.effective_message, context)


async def send_help(message: Message, context: Context) -> None:
    """Reply with every command the sender may use (/help, or "help" typed as a message); in a channel, the ones its
    admins post there."""
    if message.chat.type == ChatType.CHANNEL:
        commands = worded([command for command in COMMANDS if command[0] in CHANNEL_COMMANDS], "channel")
        await message.reply_text(channel_help(commands, context.bot_data.username))
        return
    admin = is_admin(message.from_user, context)
    # The admins' commands would only refuse anyone else: they are listed to admins alone, as in the menu.
    group = shared_by(message.chat)
    commands = worded([command for command in COMMANDS if admin or not command[2]], group)
    example = await asyncio.to_thread(help_example, context.bot_data.library)
    asked = f"/ask {example}" if group and example else example
    await message.reply_text(help_text(commands, context.bot_data.username, group, asked))


def help_example(library: Library) -> str:
    """/help's question to try (`example_of`); none with the store out of reach, where the commands still help (in
    a worker thread)."""
    try:
        return example_of(library.store)
    except StoreError as exc:
        log.warning("listed the commands without an example question: %s", exc)
        return ""


def _command(message: Message, context: Context) -> tuple[str, str, bool]:
    """The command a message starts with, the @username typed after it, and whether that is this bot's."""
    command, _, target = (message.text or "").split(maxsplit=1)[0].partition("@")
    return command, target, target.lower() == context.bot_data.username.lower()


async def unknown(update: Update, context: Context) -> None:
    """Point an unknown command meant for this bot to /help."""
    message = update.message
    assert message is not None
    command, target, mine = _command(message, context)
    if target and not mine:
        # "/start@otherbot" in a private chat got "Unknown command /start": this bot knows /start. In a group it is
        # another bot's, and none of this one's business.
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_text(html.escape(ANOTHER_BOTS.format(bot=cap(target, MAX_USERNAME_CHARS))))
        return
    # In groups a bare /command may be meant for another bot: answer only what is addressed to this one, naming
    # the command as typed before the bot's @username, which the reply would only repeat.
    if message.chat.type == ChatType.PRIVATE or mine:
        admin = is_admin(message.from_user, context)
        meant = meant_command(command, [name for name, _, admins in COMMANDS if admin or not admins])
        markup = UNSUBSCRIBE_ALL if meant == "unsubscribe all" else None
        await message.reply_text(unknown_command(command, meant), reply_markup=markup)


async def channel_command(update: Update, context: Context) -> None:
    """Point a command of this bot that does not work in a channel (/latest, /ask) to those that do; a command of
    none of this bot's names, unaddressed, may be another bot's."""
    message = update.channel_post
    assert message is not None
    command, target, mine = _command(message, context)
    if mine or (not target and command.removeprefix("/").lower() in {name for name, _, _ in COMMANDS}):
        await message.reply_text(not_in_channels(command))


async def edited_command(update: Update, context: Context) -> None:
    """Ask for a command edited into a message (or a channel's post) to be sent anew: only questions are answered
    again when edited."""
    message = update.edited_message or update.edited_channel_post
    assert message is not None
    command, target, mine = _command(message, context)
    # Carried out again, an edit would subscribe twice or resend a digest; left unsaid, a reader takes the edit of
    # "/subscribe sprot" into "/subscribe sport" for done. A channel's unaddressed command is ours when it is one of
    # those posted there (its admins post them so; another bot's is none of this one's business).
    channel = message.chat.type == ChatType.CHANNEL and command.removeprefix("/").lower() in CHANNEL_COMMANDS
    if mine or (not target and (message.chat.type == ChatType.PRIVATE or channel)):
        # In place of the answer to the question the message asked before: nothing asks it now.
        async with replying(message, True, context):
            await message.reply_text(send_anew(command))
