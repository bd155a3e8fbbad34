"""Subscriptions and digests: /subscribe (buttons or names), /unsubscribe, /mysubs, /digest, /time, /timezone and
/alerts. Each handler parses, calls bot.services.subscriptions (or digests) in a worker thread, renders
(bot.render.subscriptions) and replies; a UsageError from the service is the reader's mistake and is answered with
its message and the command's usage.

Anyone may read a chat's settings. In groups only the group's administrators may change them: an anonymous admin
(who writes as the group itself) counts, and the list of admins is read from Telegram (getChatAdministrators) at
most once a minute per group.

Category buttons carry "sub:<1 follow | 0 stop>:<a short hash of the category's name>", under 20 bytes whatever
the name: a button says what it will do, so pressing it twice, or pressing an outdated keyboard, never does the
opposite of its label; a button whose category is gone, or whose data was tampered with, gets a clear alert.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bot.errors import UsageError
from bot.render import subscriptions as text
from bot.render.digests import preview_heading, render_digest
from bot.render.markup import category_label, deep_link
from bot.render.split import with_note
from bot.render.subscriptions import Clock
from bot.render.welcome import takes_no_words
from bot.services.schedule import (
    DailyAsk,
    names_gmt,
    offset_label,
    parse_time_and_zone,
    parse_timezone,
    reads_as,
    seasons,
    time_refused,
    zone,
)
from bot.services.setting_requests import (
    AlertsAsked,
    CategoriesAsked,
    CategoryMisnamed,
    DailyAsked,
    DigestAsked,
    SettingsAsked,
    SwitchAsked,
    TimeAsked,
    TimeAway,
    TimeWondered,
    Unsettled,
    UnsubscribeAsked,
    ZoneAsked,
    phrase_request,
    read_request,
)
from bot.services.subscriptions import ChatView
from bot.tg.articles import instead_of, send_categories
from bot.tg.buttons import GREETING_START, answer_press, button_key, rest_buttons
from bot.tg.context import Context
from bot.tg.sending import ALERTS_OFF_DATA, chat_of, reply_messages, topic_of
from bot.wording import alphabetical

log = logging.getLogger(__name__)

TOGGLE_DATA = re.compile(r"^sub:([01]):([0-9a-f]{12})$")
# Every "sub:" button reaches the toggle handler, so a malformed one gets the toggles' own alert.
TOGGLE_PATTERN = re.compile(r"^sub:")
# The button under "did you mean /unsubscribe all?" (to "/stop"), which does it: the command's link in the text was
# "/unsubscribe" alone.
UNSUBSCRIBE_ALL_DATA = "unsub:all"
UNSUBSCRIBE_ALL = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Unsubscribe from all", callback_data=UNSUBSCRIBE_ALL_DATA)]]
)
# Telegram shows at most 100 buttons under a message.
MAX_BUTTONS = 100
BUTTONS_PER_ROW = 2
# Callback answers are cut by Telegram at 200 characters.
MAX_ALERT_CHARS = 200
# How long a group's list of admins is trusted, and how many groups' lists are kept.
ADMINS_FOR_SECONDS = 60.0
ADMIN_LISTS = 1000
ON_OFF = {"on": True, "off": False}
# Other words readers turn things on or off with ("/digest stop", "/time none", "/digest pause"): read as the one
# they mean.
SWITCHES = {
    "stop": "off",
    "none": "off",
    "never": "off",
    "no": "off",
    "pause": "off",
    "start": "on",
    "yes": "on",
    "resume": "on",
}
EMPTY_DIGEST = {"notice": True, "quiet": False}
# How a change is confirmed: from the chat's settings after it, its clock, and whether the chat is a group.
Confirm = Callable[[ChatView, Clock, str], str]


def category_keyboard(view: ChatView) -> InlineKeyboardMarkup:
    """Every category as a button, ticked when the chat follows it; pressing one does what its label says. Past
    MAX_BUTTONS the categories with most stories are shown, alphabetically, as the line above them lists those
    followed (the store's order by count put "Local" before "Business")."""
    shown = alphabetical(list(dict.fromkeys([*view.known, *view.categories]))[:MAX_BUTTONS])
    buttons = [
        InlineKeyboardButton(
            text.toggle_label(name, view.follows(name)),
            callback_data=f"sub:{0 if view.follows(name) else 1}:{button_key(name)}",
        )
        for name in shown
    ]
    return InlineKeyboardMarkup([buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)])


def clock_of(view: ChatView, now: datetime) -> Clock:
    """The chat's offset now and its next digest on its own wall clock."""
    settings = view.settings
    try:
        tz = zone(settings.zone)
        offset = offset_label(settings.zone, now)
    except UsageError:  # a zone gone from this machine's tz database: shown as stored
        return Clock(settings.zone, None)
    due = settings.next_due if settings.digest else None
    return Clock(
        offset, due.astimezone(tz) if due is not None else None, now.astimezone(tz), seasons(settings.zone, now)
    )


async def group_admins(context: Context, chat_id: int) -> frozenset[int]:
    """The user ids of a group's administrators, read from Telegram at most once a minute."""
    cache = context.bot_data.admins
    now = time.monotonic()
    cached = cache.get(chat_id)
    if cached is not None and now - cached[0] < ADMINS_FOR_SECONDS:
        return cached[1]
    members = await context.bot.get_chat_administrators(chat_id)
    admins = frozenset(member.user.id for member in members)
    if len(cache) >= ADMIN_LISTS:
        for old in [key for key, (at, _) in cache.items() if now - at >= ADMINS_FOR_SECONDS]:
            del cache[old]
    cache[chat_id] = (now, admins)
    return admins


async def refusal(update: Update, context: Context) -> str | None:
    """Why the sender may not change this chat's settings, or None when they may (in groups: admins only)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return None
    # Not a button's message: the bot's own message in a channel is the channel's, whoever taps its buttons.
    message = update.message or update.channel_post
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return None  # an anonymous admin writes as the group itself; a channel's posts are its admins'
    user = update.effective_user
    if user is None:
        return text.admins_only(shared_by(chat))
    try:
        admins = await group_admins(context, chat.id)
    except TelegramError as exc:
        log.warning("could not read the admins of chat %d: %s", chat.id, exc)
        return text.admins_only(shared_by(chat), unknown=True)
    return None if user.id in admins else text.admins_only(shared_by(chat))


async def press_refused(update: Update, context: Context) -> bool:
    """Whether a button's press is refused (`refusal`), said in an alert to the presser alone: in a message, a
    member's press told the whole group."""
    assert update.callback_query is not None
    if (refused := await refusal(update, context)) is None:
        return False
    await answer_press(update.callback_query, refused[:MAX_ALERT_CHARS], alert=True)
    return True


async def may_change(update: Update, context: Context) -> bool:
    """Whether the sender may change this chat's settings (`refusal`): a line for a group's members alone, "Only
    the group's admins can change it", read to an admin as a refusal."""
    return await refusal(update, context) is None


async def change(
    update: Update,
    context: Context,
    edit: Callable[[int, datetime], ChatView],
    confirm: Confirm,
    usage: str,
) -> None:
    """Apply one change to the chat's settings if the sender may, and confirm it (or say what was wrong)."""
    message = update.effective_message
    assert message is not None
    if (refused := await refusal(update, context)) is not None:
        if refused == text.ADMINS_ONLY:  # a group's member
            await message.reply_text(text.member_refused(private_chat(context)))
        else:
            await message.reply_text(html.escape(refused))
        return
    now = context.bot_data.clock()
    try:
        view = await asyncio.to_thread(edit, message.chat.id, now)
    except UsageError as exc:
        await message.reply_text(f"{html.escape(str(exc))}\n{usage_line(usage, message.chat)}")
        return
    moved = await post_here(context, view, topic_of(message), now)
    reply = confirm(view, clock_of(view, now), shared_by(message.chat))
    await message.reply_text(f"{reply}\n{text.TOPIC_MOVED}" if moved else reply)


def private_chat(context: Context) -> str | None:
    """The link that opens a private chat with the bot, which greets there; None without the bot's username."""
    return deep_link(GREETING_START, context.bot_data.username)


async def post_here(context: Context, view: ChatView, topic: int | None, now: datetime) -> bool:
    """Send the chat's digests and alerts to the forum topic its settings were just changed in (`view`: as the
    change left them); whether they moved. The change's view is what its confirmation tells: the move's own knew
    nothing of it, and "/subscribe sport" in a new topic was confirmed without "Subscribed to Sport"."""
    if not view.stored or view.settings.topic == topic:
        return False
    subscriptions = context.bot_data.digesting.subscriptions
    await asyncio.to_thread(subscriptions.set_topic, view.chat_id, topic, now)
    return True


async def view_of(message: Message, context: Context) -> tuple[ChatView, Clock]:
    """The chat's settings, and its clock now."""
    view = await asyncio.to_thread(context.bot_data.digesting.subscriptions.view, message.chat.id)
    return view, clock_of(view, context.bot_data.clock())


async def usage_with_settings(message: Message, context: Context, usage: str) -> None:
    """The command's usage, after what the chat has now."""
    view, clock = await view_of(message, context)
    await message.reply_text(f"{text.clock_lines(view, clock)}\n{usage_line(usage, message.chat)}")


async def subscribe(update: Update, context: Context) -> None:
    """Follow the categories named, or show every category as a button to tap."""
    message = update.effective_message
    assert message is not None
    subscriptions = context.bot_data.digesting.subscriptions
    if not context.args:
        view = await asyncio.to_thread(subscriptions.view, message.chat.id)
        if not view.known and not view.categories:
            await message.reply_text(text.NO_CATEGORIES)
            return
        shown = text.keyboard_text(view, clock_of(view, context.bot_data.clock()), shared_by(message.chat))
        await message.reply_text(shown, reply_markup=category_keyboard(view))
        return
    # "/subscribe sport 7pm" as "subscribe me to sport at 7pm" is read: it was told there is no category "7pm".
    asked = f"subscribe {' '.join(context.args)}"
    if timed_daily(asked) is not None and await setting_asked(update, context, asked):
        return
    words = list(context.args)
    await change(
        update,
        context,
        lambda chat_id, now: subscriptions.subscribe(chat_id, words, now),
        text.subscribed,
        text.SUBSCRIBE_USAGE,
    )


async def unsubscribe(update: Update, context: Context) -> None:
    """Stop following the categories named."""
    message = update.effective_message
    assert message is not None
    subscriptions = context.bot_data.digesting.subscriptions
    if not context.args:  # what there is to stop following, before how: the reader need not ask /mysubs first
        view = await asyncio.to_thread(subscriptions.view, message.chat.id)
        following = text.following(view, shared_by(message.chat))
        # "or all" in the usage is no link: the button does it.
        markup = UNSUBSCRIBE_ALL if view.categories or view.every_category else None
        await message.reply_text(
            f"{following}\n{usage_line(text.UNSUBSCRIBE_USAGE, message.chat)}", reply_markup=markup
        )
        return
    words = list(context.args)
    await change(
        update,
        context,
        lambda chat_id, now: subscriptions.unsubscribe(chat_id, words, now),
        text.unsubscribed,
        text.UNSUBSCRIBE_USAGE,
    )


async def unsubscribe_all(update: Update, context: Context) -> None:
    """Do "/unsubscribe all", from the button under the suggestion to send it (as the presser may: in groups, its
    admins; a member's press is refused in an alert, as a category button's is, not in a message to the group)."""
    assert update.callback_query is not None
    if await press_refused(update, context):
        return
    await answer_press(update.callback_query)
    subscriptions = context.bot_data.digesting.subscriptions
    await change(
        update,
        context,
        lambda chat_id, now: subscriptions.unsubscribe(chat_id, ["all"], now),
        text.unsubscribed,
        text.UNSUBSCRIBE_USAGE,
    )


def switch(typed: str) -> str:
    """What a command's words choose, in lower case, with "stop" and the like as the "off" or "on" they mean."""
    choice = typed.strip().lower()
    return SWITCHES.get(choice, choice)


def in_group(chat: Chat) -> bool:
    """Whether replies speak to a group or channel ("This group's ...") rather than to one reader ("Your ...")."""
    return chat.type != ChatType.PRIVATE


def shared_by(chat: Chat) -> str:
    """Who shares the chat's settings, as replies name them: "group" ("This group's time zone"), "channel", or ""
    in a private chat (the reader's own)."""
    if not in_group(chat):
        return ""
    return "channel" if chat.type == ChatType.CHANNEL else "group"


def usage_line(usage: str, chat: Chat) -> str:
    """A command's usage as `chat` reads it, naming the group's settings in a group (escaped)."""
    return html.escape(text.for_chat(usage, shared_by(chat)))


async def settings_of(update: Update, context: Context) -> tuple[ChatView, str]:
    """The chat's settings, and their text as /mysubs shows them to the sender."""
    message = update.effective_message
    assert message is not None
    view, clock = await view_of(message, context)
    return view, text.settings_text(view, clock, shared_by(message.chat), await may_change(update, context))


async def mysubs(update: Update, context: Context) -> None:
    """Show the chat's categories and digest and alert settings (and, after words it does not read, where they go)."""
    message = update.effective_message
    assert message is not None
    view, shown = await settings_of(update, context)
    if context.args:  # "/mysubs sport" showed the settings as if nothing was typed
        instead = instead_of(
            context.args, view.known, "/subscribe {typed} follows {label}", "/unsubscribe {typed} stops it"
        )
        shown += "\n\n" + takes_no_words("mysubs", instead)
    await message.reply_text(shown)


async def digest(update: Update, context: Context) -> None:
    """Show the digest so far, or turn the daily digest on or off, or choose what an empty one does."""
    message = update.effective_message
    assert message is not None
    subscriptions = context.bot_data.digesting.subscriptions
    typed = " ".join(context.args or ())
    choice = switch(typed)
    if not choice:
        await send_preview(update, context)
    elif choice in ON_OFF:
        on = ON_OFF[choice]
        await change(
            update,
            context,
            lambda chat_id, now: subscriptions.set_digest(chat_id, on, now),
            text.digest_set,
            text.DIGEST_USAGE,
        )
    elif choice in EMPTY_DIGEST:
        notice = EMPTY_DIGEST[choice]
        await change(
            update,
            context,
            lambda chat_id, now: subscriptions.set_empty_notice(chat_id, notice, now),
            text.empty_set,
            text.DIGEST_USAGE,
        )
    elif reads_as(parse_time_and_zone, typed):  # "/digest 8am": the reader's time, for the command that sets it
        await message.reply_text(f"{text.digest_is_no_time(typed)}\n{usage_line(text.DIGEST_USAGE, message.chat)}")
    elif (refused := time_refused(typed)) is not None:  # "/digest 25:00": was told it is no switch
        await message.reply_text(f"{html.escape(refused)}\n{usage_line(text.DIGEST_USAGE, message.chat)}")
    else:
        wrong = text.not_a_choice(typed, [*ON_OFF, *EMPTY_DIGEST])
        await message.reply_text(f"{wrong}\n{usage_line(text.DIGEST_USAGE, message.chat)}")


async def send_preview(update: Update, context: Context) -> None:
    """The chat's digest so far, saying when the daily digest is off (to a group's member, who turns it on)."""
    message = update.effective_message
    assert message is not None
    subscriptions = context.bot_data.digesting.subscriptions
    digests, now = context.bot_data.digesting.digests, context.bot_data.clock()
    preview = await asyncio.to_thread(digests.preview, message.chat.id, now)
    zone = await asyncio.to_thread(subscriptions.zone_of, message.chat.id)
    heading = preview_heading(shared_by(message.chat))
    messages = render_digest(preview, context.bot_data.username, heading, zone=zone) or []
    view = await asyncio.to_thread(subscriptions.view, message.chat.id)
    if not view.settings.digest:  # "your digest so far" promised a digest that does not come
        if await may_change(update, context):
            off = text.schedule(view, clock_of(view, now))
        else:
            off = text.digest_off_to_member(shared_by(message.chat), private_chat(context))
        messages = with_note(messages, off)
    rests = rest_buttons(preview.rests)
    await reply_messages(message, messages, InlineKeyboardMarkup(rests) if rests else None)


async def time_command(update: Update, context: Context) -> None:
    """Set the time of the daily digest."""
    assert update.effective_message is not None
    if (choice := switch(" ".join(context.args or ()))) in ON_OFF:  # "/time off" means the digest itself
        await update.effective_message.reply_text(text.time_is_no_switch(choice))
        return
    subscriptions = context.bot_data.digesting.subscriptions
    await schedule_change(update, context, subscriptions.set_time, text.time_set, text.TIME_USAGE)


async def setting_asked(update: Update, context: Context, asked: str) -> bool:
    """Make the change a message asks for in words (`bot.services.setting_requests`), or show what it asks to see,
    as its command does: /time, /timezone, /digest, /alerts, /unsubscribe, /subscribe with /time, /categories,
    /mysubs or /digest alone; or say the commands that do when asked how ("how do I get sport news every morning?")
    or whether ("should the digest come in the evening?"), and to a group member saying where they live, the group's
    zone; False, changing nothing, for a message that asks for none of them."""
    message = update.effective_message
    assert message is not None
    subscriptions = context.bot_data.digesting.subscriptions
    request = read_request(asked)
    if isinstance(request, Unsettled):  # the store is read only for words that may name categories
        request = request.settle(await asyncio.to_thread(subscriptions.names, message.chat.id))
    edit: Callable[[int, datetime], ChatView]
    confirm: Confirm
    match request:
        case None:
            return False
        case CategoriesAsked(counted):
            await send_categories(message, context, counted=counted)
            return True
        case SettingsAsked():
            await message.reply_text((await settings_of(update, context))[1])
            return True
        case DigestAsked(again=True) if not (await view_of(message, context))[0].settings.digest:
            # "send me the digest again" of a digest turned off: asked back, not shown what it would hold.
            edit, confirm, usage = partial(subscriptions.set_digest, on=True), text.digest_set, text.DIGEST_USAGE
        case DigestAsked():
            await send_preview(update, context)
            return True
        case TimeAsked(typed, part, on):
            edit = partial(subscriptions.ask_time, asked=DailyAsk((), typed, part), on=on)
            confirm, usage = partial(text.time_set, part=part), text.TIME_USAGE
        case TimeWondered():  # a question: when the digest comes, and the command that moves it
            view, clock = await view_of(message, context)
            group, changer = shared_by(message.chat), await may_change(update, context)
            await message.reply_text(text.time_wondered(view, clock, group, request, changer))
            return True
        case TimeAway(away):  # moved away from a time, none named: asked which, nothing changed
            view, clock = await view_of(message, context)
            changer = await may_change(update, context)
            await message.reply_text(text.time_away(view, clock, shared_by(message.chat), away, changer))
            return True
        case ZoneAsked(typed, remark=True) if in_group(message.chat) and await refusal(update, context) is not None:
            # "I live in Berlin" from a member: about themselves, where the group's clock is its admins' to set.
            view, clock = await view_of(message, context)
            named = parse_timezone(typed) if reads_as(parse_timezone, typed) else None
            await message.reply_text(text.zone_remarked(view, clock, shared_by(message.chat), typed, named))
            return True
        case ZoneAsked(typed):
            edit, confirm = partial(subscriptions.set_zone, text=typed), zone_confirmation(typed)
            usage = text.ZONE_USAGE
        case SwitchAsked("digest", on):
            edit, confirm, usage = partial(subscriptions.set_digest, on=on), text.digest_set, text.DIGEST_USAGE
        case SwitchAsked(_, on):
            edit, confirm, usage = partial(subscriptions.set_alerts, on=on), text.alerts_set, text.ALERTS_USAGE
        case UnsubscribeAsked(words):
            edit = partial(subscriptions.unsubscribe, words=words)
            confirm, usage = text.unsubscribed, text.UNSUBSCRIBE_USAGE
        case AlertsAsked(words):
            edit, confirm, usage = partial(subscriptions.ask_alerts, words=words), text.alerts_asked, text.ALERTS_USAGE
        case DailyAsked(categories, when) if when.how:  # asked how: the commands, nothing changed
            await message.reply_text(text.daily_how(categories, when.time, when.part))
            return True
        case DailyAsked(categories, when):
            edit = partial(subscriptions.ask_daily, categories=categories, asked=when)
            confirm, usage = partial(text.daily_set, part=when.part), text.TIME_USAGE
        case CategoryMisnamed(problem, usage):  # "subscribe me to sprot": asked as /subscribe sprot asks
            await message.reply_text(f"{html.escape(problem)}\n{usage_line(usage, message.chat)}")
            return True
    await change(update, context, lambda chat_id, now: edit(chat_id, now=now), confirm, usage)
    return True


async def phrase_hint(message: Message, context: Context, asked: str) -> str:
    """The command a phrase of a bare verb naming categories makes, said under its answer ("follow the money" in a
    bot with Money: /subscribe money), or for a digest asked for at a time of a category there is not ("send me tech
    news every morning" without Tech: searched, its answer read as the digest set), that none is; "" for any other
    message (the store is read only for such messages)."""
    phrase = phrase_request(asked)
    daily = timed_daily(asked) if phrase is None else None
    if phrase is None and daily is None:
        return ""
    names = await asyncio.to_thread(context.bot_data.digesting.subscriptions.names, message.chat.id)
    if daily is not None:  # not made (`setting_asked`): its words name no category
        return "" if daily.settle(names) is not None else text.no_such_category(daily.readings[0].words)
    assert phrase is not None
    match phrase.settle(names):
        case DailyAsked(categories, _) if categories:
            return text.phrase_hint(categories, follow=True)
        case UnsubscribeAsked(_, named):
            return text.phrase_hint(named, follow=False)
    return ""


def timed_daily(asked: str) -> Unsettled | None:
    """A daily digest asked for at a time or in a part of the day, its categories not read yet ("send me tech news
    every morning"); None for any other message."""
    read = read_request(asked)
    if isinstance(read, Unsettled) and isinstance(first := read.readings[0], DailyAsk) and (first.time or first.part):
        return read
    return None


def zone_confirmation(typed: str) -> Confirm:
    """The reply to a zone set from `typed`: GMT's says where the UK's summer time is."""
    return partial(text.zone_set, note=text.GMT_IS_UTC if names_gmt(typed) else "")


async def timezone(update: Update, context: Context) -> None:
    """Set the chat's time zone."""
    assert update.effective_message is not None
    subscriptions = context.bot_data.digesting.subscriptions
    confirm = zone_confirmation(" ".join(context.args or ()))
    await schedule_change(update, context, subscriptions.set_zone, confirm, text.ZONE_USAGE)


async def schedule_change(
    update: Update,
    context: Context,
    edit: Callable[[int, str, datetime], ChatView],
    confirm: Confirm,
    usage: str,
) -> None:
    """Change the digest's schedule to what the command's arguments say; with none, show it and the usage."""
    message = update.effective_message
    assert message is not None
    if not context.args:
        await usage_with_settings(message, context, usage)
        return
    typed = " ".join(context.args)
    await change(update, context, lambda chat_id, now: edit(chat_id, typed, now), confirm, usage)


async def alerts(update: Update, context: Context) -> None:
    """Turn alerts for new stories in the chat's categories on or off."""
    message = update.effective_message
    assert message is not None
    typed = " ".join(context.args or ())
    choice = switch(typed)
    # "/alerts sport" as "alerts for sport" is read: it was told "sport" is not on or off.
    asked = f"alerts for {typed}"
    if typed and choice not in ON_OFF and read_request(asked) and await setting_asked(update, context, asked):
        return
    if choice not in ON_OFF:
        view = await asyncio.to_thread(context.bot_data.digesting.subscriptions.view, message.chat.id)
        wrong = f"{text.not_a_choice(typed, list(ON_OFF))}\n" if typed else ""
        now_set = text.alerts_line(view, shared_by(message.chat))
        await message.reply_text(f"{wrong}{now_set}\n{usage_line(text.ALERTS_USAGE, message.chat)}")
        return
    on = ON_OFF[choice]
    subscriptions = context.bot_data.digesting.subscriptions
    await change(
        update,
        context,
        lambda chat_id, now: subscriptions.set_alerts(chat_id, on, now),
        text.alerts_set,
        text.ALERTS_USAGE,
    )


async def alerts_off(update: Update, context: Context) -> None:
    """Turn alerts off from the button under one (a group's by its admins alone), and take the button away (those
    that send the rest of a category's stories stay)."""
    query = update.callback_query
    assert query is not None
    if await press_refused(update, context):
        return
    subscriptions, now = context.bot_data.digesting.subscriptions, context.bot_data.clock()
    await asyncio.to_thread(subscriptions.set_alerts, chat_of(query), False, now)
    await answer_press(query, text.ALERTS_TURNED_OFF)
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    rows = (
        [row for row in markup.inline_keyboard if all(b.callback_data != ALERTS_OFF_DATA for b in row)]
        if markup
        else []
    )
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
    except BadRequest as exc:  # an old message, or one edited so since: the alerts are off all the same
        log.info("could not take the alerts' button away (%s)", exc)


async def toggle(update: Update, context: Context) -> None:
    """Follow or stop following the category of a pressed button, and tick the keyboard to match."""
    query = update.callback_query
    assert query is not None
    found = TOGGLE_DATA.match(query.data or "")
    if found is None:
        await answer_press(query, text.STALE_BUTTON, alert=True)
        return
    if await press_refused(update, context):
        return
    chat_id, follow = chat_of(query), found.group(1) == "1"
    subscriptions = context.bot_data.digesting.subscriptions
    view = await asyncio.to_thread(subscriptions.view, chat_id)
    name = next((n for n in (*view.known, *view.categories) if button_key(n) == found.group(2)), None)
    if name is None:
        await answer_press(query, text.STALE_BUTTON, alert=True)
        return
    group = shared_by(query.message.chat) if query.message is not None else ""
    if view.follows(name) == follow:  # an outdated keyboard's press: nothing to change
        await answer_press(query, text.unchanged(name, follow)[:MAX_ALERT_CHARS])
        await show_keyboard(query, context, view, group)
        return
    now = context.bot_data.clock()
    try:
        view = await asyncio.to_thread(subscriptions.choose, chat_id, name, follow, now)
    except UsageError as exc:
        await answer_press(query, str(exc)[:MAX_ALERT_CHARS], alert=True)
        return
    moved = await post_here(context, view, topic_of(query.message), now)
    shown = category_label(name)
    done = f"Following {shown}" if follow else f"Stopped following {shown}"
    await answer_press(query, f"{done[:100]}. {text.TOPIC_MOVED}" if moved else done[:MAX_ALERT_CHARS])
    await show_keyboard(query, context, view, group)


async def show_keyboard(query: CallbackQuery, context: Context, view: ChatView, group: str) -> None:
    """Make the pressed keyboard and the line above it show the chat's categories as they are now; left alone when
    both do already (Telegram refuses an edit that changes nothing). A press of an outdated button changes nothing,
    yet the line may be out of date though the buttons are not ("Categories: all (... your digest has every
    category)" after /digest off): the buttons alone were compared, and the line stayed."""
    clock = clock_of(view, context.bot_data.clock())
    keyboard, shown = category_keyboard(view), text.keyboard_text(view, clock, group)
    message = query.message
    # The line has no tags, only escaped names: unescaped, it is the text Telegram shows.
    if isinstance(message, Message) and message.reply_markup == keyboard and message.text == html.unescape(shown):
        return
    try:
        await query.edit_message_text(shown, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" in str(exc).lower():  # the message was edited to this since the press was sent
            return
        # Telegram refuses edits of old or inaccessible messages: the keyboard comes as a new message.
        log.info("could not edit the category keyboard (%s); sending a new one", exc)
        await context.bot.send_message(
            chat_of(query),
            shown,
            reply_markup=keyboard,
            message_thread_id=topic_of(query.message),
        )
