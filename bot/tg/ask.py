"""Asking: questions in private chats, /ask and mentions in groups, replies that follow up on an answer's stories,
"More" to page, and inline search.

Searching runs in worker threads so one slow question never stalls other chats. An edited question is answered
as a new one (a reader who fixed a typo waits for the answer), in groups when it is addressed to the bot as a new
message would be; an edit that leaves the question as it was gets nothing: its answer is already in the chat, and
answering again would only add noise. The store keeps each message's question for that (bot.store.asked), so the
edit is known whichever process answered the message and whichever gets the edit.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import secrets
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import NamedTuple

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.config import LANGUAGE_TOLD_AGAIN_AFTER, MAX_PASSAGES, MAX_QUESTION_CHARS
from bot.errors import NoWordsError, QuestionError, StoreError, UsageError
from bot.library import Library
from bot.models import Answer, Respelling, StoredArticle, short_hash
from bot.named_days import names_days_alone
from bot.render.answers import by_story, fit_answer, respelt_note, shown_lines, snippet
from bot.render.digests import lists_stories
from bot.render.headlines import category_hint, render_headline
from bot.render.markup import HTML, SOURCE_LABEL, byline, title_of
from bot.render.split import TELEGRAM_LIMIT
from bot.render.welcome import (
    OF_NOTHING,
    TELEGRAM,
    about_attached,
    asked_in_long,
    asks_of_nothing,
    bare_mention,
    clock_reply,
    lede,
    live_hint,
    refused,
    small_talk,
    talk_of,
    talk_reply,
    topic_of_sign,
    without_opening,
)
from bot.retrieval import Request, asks_then, points_back, split_follow_up
from bot.services.latest import NEWEST_I_HAVE, asked_latest, category_meant, newest_of_day
from bot.services.welcome import example_of
from bot.store import SavedQuery, answering
from bot.store.language import NAMES
from bot.tg.answered import first_earlier, replying, withdrawn
from bot.tg.articles import deep_linked, in_reply, linked_article, linked_send, send_latest, send_part
from bot.tg.buttons import ARTICLE_DATA, ASK_ABOUT, EXPIRED, GREETING_START, answer_press, keyboard, pages_on
from bot.tg.chats import touch_chat
from bot.tg.context import BotData, Context
from bot.tg.pages import ALREADY_SHOWN, ANSWER_REPLACED, Anchor, Turned, anchor_of, replaced, turn
from bot.tg.sending import chat_of, send_messages, show_typing, topic_of
from bot.tg.subscriptions import phrase_hint, setting_asked
from bot.tg.welcome import greet, send_help

log = logging.getLogger(__name__)

INLINE_RESULTS = 10
# Inline results may be cached by Telegram for this long; answers only change when articles are added.
INLINE_CACHE_SECONDS = 60
INLINE_DESCRIPTION_CHARS = 200

# How to ask, with a question the library answers (`example_of`).
ASK_USAGE = "Usage: /ask <question>, for example: /ask {example}"
NOT_TEXT = "I can only read text. Send me a question about the news, for example: {example}"
# A picture or a file whose caption asks only about it ("what is this?": `about_attached`).
NOT_SEEN = (
    "I cannot see pictures or open files, only read words, so I cannot tell what that is. Ask me about the news in "
    "words, for example: {example}"
)
NO_INLINE_RESULTS = "No article answers that: ask me in a private chat"
# The deep link of that button (Telegram's start parameter, up to 64 of [A-Za-z0-9_-]) names the question, kept in
# the store as a "More" button's is (a week, for the asker's private chat), so the chat it opens answers the question
# instead of greeting as if nothing had been asked. It is kept under a key of the asker's, not the question's
# (`SavedQuery.inline`): a query comes for every letter typed, and each rewrites the one row. The link names it by a
# random token of that query's (`SavedQuery.link`), which finds it for whoever opens the link (shared, it told
# another reader "I no longer have the question") while the row holds that query's question, and tells no one who
# asked: the asker's id it carried after the key was anyone's to read. Links made before, for their week:
# `q_<key>_<asker>_<mark>` (the mark the question's, `question_mark`), and `q_<key>` alone, for its asker alone.
# `a_<link>`: the question as typed, whose button asked it with the words "Did you mean" names ("Ask about Liv
# Aronsen", `Answer.suggested`), which the chat asks, saying what was typed.
INLINE_QUESTION = re.compile(
    r"^/start(?:@\w+)?\s+(?:q_|(?P<about>a_)(?=[0-9a-f]{16}\s*$))"
    r"(?:(?P<link>[0-9a-f]{16})|(?P<key>[0-9a-f]{12})(?:_(?P<asker>[0-9]{1,20})_(?P<mark>[0-9a-f]{8}))?)\s*$"
)
# Hex digits of a link's token (`INLINE_QUESTION`).
LINK_BYTES = 8
INLINE_QUESTION_GONE = "I no longer have the question you typed inline: please ask it again."
# The link opened by another reader than its asker, the question gone (kept a week, and only the asker's latest).
SHARED_QUESTION_GONE = (
    "I no longer have the question that link was made for: I keep a question typed inline for a week, and only its "
    "asker's latest. Ask me it in your own words."
)
# A "More" or "Back" press whose page has no passage left: the stories shown there were removed since.
NOTHING_FURTHER = "No passages are left there: their stories were removed from the library."
# The same press of a button sent before "More" carried its passage, whose place is past the answer's end now: it
# said stories were removed when none may have been (the answer ranks its passages differently since).
NOTHING_AT_OFFSET = "No passages are left there: the answer is shorter now. Ask again to see it as it is."
# An HTML tag pasted with a question (copied from a page's source or an editor): "<b>harbor</b> & <script>" was
# declined, "No article uses the words “b” or “script”". Text that only looks like one ("x < 5", "x<y and y>z") is
# left alone: a tag's name is followed by nothing but attributes (`name="value"`).
PASTED_TAG = re.compile(r"""</?[A-Za-z][\w:-]*(?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))*\s*/?>""")
NOT_HERE = "I have no article at that link. Ask me about its story in your own words instead."
# A link among a question's words ("what does https://www.bbc.co.uk/news/uk-123 say about rates?"): its pieces are
# no words of the question (they were searched: "https", "www.bbc.co.uk", "news", "uk", "123"), it names the story
# asked about. The punctuation ending a sentence after it is the question's.
LINK_IN_TEXT = re.compile(
    r"(?:https?://|www\.)\S+?(?=[.,;:!?)\]]*(?:\s|$))|(?:[\w-]+\.)+[a-z]{2,}/\S*?(?=[.,;:!?)\]]*(?:\s|$))",
    re.IGNORECASE,
)
# A link taken out of a question with the space before it, and the brackets around it: "see <link>, is it true?"
# left "see , is it true?", "who won (<link>)?" "who won ()?", words the reader did not type.
LINK_AMONG_WORDS = re.compile(rf"\s*(?:\(\s*(?:{LINK_IN_TEXT.pattern})\s*\)|(?:{LINK_IN_TEXT.pattern}))", re.IGNORECASE)
NOT_HERE_SEARCHED = "I have no article at that link, so I searched all my articles for your words."
# A reply of common words alone ("and when was that?") to a message of the bot's that follows no story (a decline,
# /help; a digest or an alert follows its headlines' stories): told its words were all common ones that every
# article uses, as if it replied to nothing.
REPLIED_TO_NO_STORY = (
    "The message of mine you replied to does not tell me what you are asking about. Ask with a name, a place or a"
    " topic, for example: {example}"
)
# A message of common words alone pointing back ("and when was that?"), sent as a message of its own after an
# answer: it was told its words were all common ones, and a newcomer did not know that a reply asks of the answer.
# No gesture named: `newsbot chat` shows it too, where a reply is typed after ">".
NOT_A_REPLY = (
    "I keep no conversation, so I cannot tell what that points back to. Send it as a reply to the answer you mean,"
    " and I will ask it of that answer's stories."
)
# Above the answer to a question in another language than the articles' (named), which matched only its names.
NAMES_ONLY = (
    "The articles are in {language} and your question seems not to be, so I matched only its names and any words in "
    "{language}. Ask in {language} for a closer answer."
)
# What a decline asks of a question in another language than the articles', to a chat told so lately
# (`told_lately`), in place of `retrieval.ask_in`'s sentence.
ASK_IN_BRIEFLY = " Ask in {language}."
# The same above inline results, on the button into a private chat (a line: the client cuts a longer one).
NOT_HERE_INLINE = "I have no article at that link"
NOT_HERE_SEARCHED_INLINE = "No article at that link: these answer your words"
ASK_IN_INLINE = "The articles are in {language}: ask in {language}"


@dataclass(frozen=True)
class Page:
    """One page of an answer, ready to send; `saved` is the question to keep for its "More" button; `foreign`: it
    answers a question in another language than the articles', which it said unless told not to."""

    text: str
    markup: InlineKeyboardMarkup | None
    saved: SavedQuery | None = None
    foreign: bool = False
    # The question with the words "Did you mean" names, kept for its button ("Ask about Maria Quinn").
    suggested: SavedQuery | None = None


def first_page(
    library: Library,
    request: Request,
    username: str,
    zone: tzinfo,
    chat_id: int,
    note: str = "",
    hint: str = "",
    told: bool = False,
) -> Page:
    """Search and render the first page of an answer in chat `chat_id`, dated in `zone`, under `note` and above
    `hint` (plain text) when given (in a worker thread); a chat `told` lately that the articles are in another
    language than its questions is not told it again at length (`told_lately`)."""
    seen = searched_in(library)
    answer = library.ask(request)
    foreign = answer.foreign_to in NAMES
    language = NAMES.get(answer.foreign_to, "")
    # A question in another language than the articles' was answered from its names alone, as if understood.
    note = note or (NAMES_ONLY.format(language=language) if answer.names_only and not told else "")
    if foreign and told and answer.language_part:
        # A decline asks in the articles' language: briefly, to a chat told lately.
        answer = replace(answer, language_part=ASK_IN_BRIEFLY.format(language=language))
    meant = None if answer.found or request.category or hint else category_meant(library.store, request.question)
    # Not confidently answered, a forecast, a live score or a price asked for: said to be no news (`live_hint`).
    after = (
        category_hint(meant)
        if meant
        else hint or ("" if answer.found and answer.confident else live_hint(request.question))
    )
    answer, text = noted_answer(answer, note, username, zone, after)
    filters = request.category, request.since, request.until
    suggested = SavedQuery(answer.suggested.question, *filters, chat_id) if answer.suggested else None
    again = suggested.key if suggested else ""
    if not pages_on(answer):
        return Page(text, keyboard(answer, "", again=again), foreign=foreign, suggested=suggested)
    saved = SavedQuery(request.question, *filters, chat_id)
    return Page(text, keyboard(answer, saved.key, seen, again), saved, foreign, suggested)


def told_lately(data: BotData, chat_id: int, now: datetime) -> bool:
    """Whether the chat was told less than LANGUAGE_TOLD_AGAIN_AFTER ago that its questions are not in the
    articles' language (in this process: told again by another costs a sentence)."""
    told = data.language_told.get(chat_id)
    return told is not None and now - told < LANGUAGE_TOLD_AGAIN_AFTER


def remember_told(data: BotData, chat_id: int, now: datetime) -> None:
    """Note that the chat was told it now, forgetting the chats told long enough ago to be told again."""
    data.language_told = {c: at for c, at in data.language_told.items() if now - at < LANGUAGE_TOLD_AGAIN_AFTER}
    data.language_told[chat_id] = now


def searched_in(library: Library) -> str:
    """The state of the library a search now ranks in, beside its question, as 8 hex digits a "More" or "Back"
    button carries (`pages.turn`): how far in the store's changes its index goes, and its paragraph vectors and
    word pieces (`Library.ranked_in`)."""
    return f"{zlib.crc32(repr(library.ranked_in()).encode()):08x}"


def next_page(
    library: Library,
    key: str,
    chat_id: int,
    turning: Anchor | int,
    username: str,
    zone: tzinfo,
    saving: Mapping[str, SavedQuery],
) -> Page | str | None:
    """Search and render the page a "More" or "Back" press asks for (after or before its anchor's passage, or at
    an older button's offset) of a question kept for chat `chat_id` (in the store, or in `saving` while it is
    being saved), dated in `zone` (in a worker thread); None if it expired or is another chat's, what the press is
    told if no passage is left there."""
    saved = kept_question(library, key, chat_id, saving)
    # No page follows the last passage there can be: only a forged press asks for one.
    if saved is None or (isinstance(turning, Anchor) and turning.after and turning.place + 1 >= MAX_PASSAGES):
        return None
    size = library.settings.answer_size

    def search(offset: int) -> Answer:
        k = min(size, MAX_PASSAGES - offset)
        filters = {"category": saved.category, "since": saved.since, "until": saved.until}
        return library.ask(library.request(saved.question, k=k, offset=offset, **filters))

    seen = searched_in(library)
    if isinstance(turning, int):
        turned = Turned(search(turning))
    else:
        turned = turn(search, size, turning, lambda: library.store.article(turning.article_id) is None, seen)
    if not turned.answer.passages:  # said on the press: the page shown stays, rather than "nothing answers that"
        return NOTHING_FURTHER if isinstance(turning, Anchor) else NOTHING_AT_OFFSET
    answer, text = noted_answer(turned.answer, turned.note, username, zone)
    return Page(text, keyboard(answer, key, seen))


def noted_answer(answer: Answer, note: str, username: str, zone: tzinfo, after: str = "") -> tuple[Answer, str]:
    """`answer` as one message (`fit_answer`) under `note` and above `after` (plain text; none when empty), and the
    answer it shows."""
    notes = html.escape(note), html.escape(after)
    room = TELEGRAM_LIMIT - sum(len(part) + 2 for part in notes if part)
    shown, text = fit_answer(answer, username, room, zone)
    return shown, "\n\n".join(part for part in (notes[0], text, notes[1]) if part)


def kept_question(library: Library, key: str, chat_id: int, saving: Mapping[str, SavedQuery]) -> SavedQuery | None:
    """The question kept under `key` for chat `chat_id` (in the store, or in `saving` while it is being saved); None
    if it expired or is another chat's (in a worker thread)."""
    # Memory first: the save pops its entry only once the row is in the store, so one of the two holds it. The store
    # first could miss both, the save landing between the two reads, and a press just after an answer expired.
    saved = saving.get(key) or library.store.load_query(key, chat_id)
    # Another chat's key: sent by a client forging a press's data, or a deep link copied from another user's.
    return saved if saved is not None and saved.chat_id == chat_id else None


async def keep_question(context: Context, saved: SavedQuery | None) -> None:
    """Save the question behind a sent answer's "More" button (or an inline query's button into a private chat):
    after the reply, so a busy database never delays an answer, and aside, so the chat's next update (a press of
    that button) does not wait for it. Another process's lock is waited for as background work waits (a minute,
    where the 5 s of a write answering someone turned a lock held for seconds into an expired button); a press
    meanwhile is served from memory."""
    if saved is None:
        return
    # An inline question typed since (a later query, searched sooner) is not put back to an earlier one.
    if (kept := context.bot_data.saving.get(saved.key)) is None or saved.replaces(kept):
        context.bot_data.saving[saved.key] = saved
    saving = _save_question(context.bot_data, saved)
    if context.application.running:
        context.application.create_task(saving)
    else:  # the bot is stopping: only tasks made while it ran are awaited before the library closes
        await saving


async def _save_question(data: BotData, saved: SavedQuery) -> None:
    try:
        async with data.save_turn:
            with answering(someone_waits=False):
                await asyncio.to_thread(data.library.store.save_query, saved)
    except StoreError as exc:  # the answer is out; the button says "expired" if pressed
        # The database's one line: a traceback for an outage buried it (the store stopped as an answer went out).
        data.troubles.met(exc, log, "could not keep the question behind a button (%s)", saved.key)
    finally:
        # An inline question typed on since is being saved under the same key: its entry stays until it lands.
        if data.saving.get(saved.key) is saved:
            del data.saving[saved.key]


async def asked_anew(update: Update, context: Context, question: str) -> bool:
    """Whether `question` is not what the update's message asked already (before an edit), nor, in a new message,
    a repeat of the same asker's question sent before its answer came (`bot.store.asked.repeated`), claimed in the
    store so no process answers an edit that leaves it so or a repeat. A store that cannot take the claim (out of
    reach, or another process holding its write lock longer than an answer waits) lets the question be answered
    unguarded: an answer twice beats none. So does a store the journal has just found taking no writes, without
    waiting again."""
    message = update.effective_message
    assert message is not None
    data, edited = context.bot_data, update.edited_message is not None
    if data.journal is not None and data.journal.unwritable:
        return True
    try:
        return await asyncio.to_thread(
            data.library.store.claim_question,
            context.bot.id,
            message.chat_id,
            message.message_id,
            update.update_id,
            asked_as(message, question),
            edited,
            data.clock(),
        )
    except StoreError as exc:
        # "answering message 1 unguarded" told an operator nothing of what it risks or of what to mend.
        log.warning(
            "chat %s: answering message %s without claiming it in the store, so another process may answer it too"
            " (the reader then gets two answers): %s",
            message.chat_id,
            message.message_id,
            exc,
        )
        return True


def asked_as(message: Message, question: str) -> str:
    """What a message asks, as the store keeps it: its question by its asker, in reply to what. The same words are
    another question from another member of a group (each is answered), or in reply to another message ("and when
    was that?" of another answer)."""
    asker = message.from_user or message.sender_chat  # a channel's post has no user
    replied = message.reply_to_message.message_id if message.reply_to_message is not None else 0
    return f"{asker.id if asker else 0}|{replied}|{' '.join(question.split())}"


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Answer a question asked in the update's message, with "More" and "Full article" buttons; "hi" gets the
    greeting. Asked in an edit, its reply takes the place of the replies to the message's earlier text."""
    message = update.effective_message
    assert message is not None
    async with replying(message, update.edited_message is not None, context):
        await _answer_question(update, context, message, question)


async def _answer_question(update: Update, context: Context, message: Message, question: str) -> None:
    """Reply to the question `message` asks, whichever way it is answered."""
    question, quoted = asked_of_quoted(without_markup(question), quoted_text(message, context.bot.id))
    if not question:  # tags alone, or /ask alone: nothing was asked
        example = await asyncio.to_thread(example_of, context.bot_data.library.store)
        await reply_answer(update, context, html.escape(ASK_USAGE.format(example=example)))
        return
    if not await asked_anew(update, context, question):
        return
    if await setting_asked(update, context, without_opening(question)):
        return
    hint = await phrase_hint(message, context, without_opening(question))
    library = context.bot_data.library
    typed = question
    talk, question = talk_of(question)
    if talk == "more" and asks_then(question) and await replies_to_stories(message, context):
        # "and then?" in reply to an answer or an article asks what came of its story, not for its next page.
        talk = None
    if talk == "greeting":
        await greet(message, library)
        return
    if talk == "help":
        await send_help(message, context)
        return
    if talk == "latest":
        # A turn to a day in reply to an answer ("and yesterday?") asks for that day's stories of its subject.
        followed = followed_stories(message, context.bot.id) if names_days_alone(question) else ()
        about = await asyncio.to_thread(library.categories_of, followed) if followed else []
        await send_latest(message, context, (), asked=question, about=about)
        return
    if talk == "clock":
        zone = await asyncio.to_thread(context.bot_data.digesting.subscriptions.zone_of, message.chat_id)
        await reply_answer(update, context, html.escape(clock_reply(context.bot_data.clock(), zone, TELEGRAM)))
        return
    if (reply := talk_reply(talk, TELEGRAM)) is not None:
        await reply_answer(update, context, html.escape(reply))
        return
    # "what's new in sport on Monday?": the category's newest of that day, as without one.
    if (words := await asyncio.to_thread(asked_latest, library.store, question)) is not None:
        await send_latest(message, context, words, asked=question)
        return
    if topic_of_sign(typed):  # "🎭" of no category here: searched, "No article uses the word “culture”"
        question = typed
    if link := only_link(question):
        await send_linked_article(message, context, link, update.update_id)
        return
    username = context.bot_data.username
    question, links = without_links(question, username)
    if message.reply_to_message is None and not links and asks_of_nothing(question):
        await reply_answer(update, context, html.escape(OF_NOTHING))
        return
    long_note = ""
    if message.forward_origin is not None:  # a post's length is not the reader's to mind
        question = lede(question)
    else:
        question, long_note = asked_in_long(question)
    # "@bot is this true?" in reply to a friend's claim: the claim's links and stories are asked about.
    quoted, quoted_links = without_links(quoted, username)
    links += quoted_links
    note = ""
    try:
        await show_typing(message)
        if quoted:
            question = await asyncio.to_thread(with_quoted, library, question, quoted)
        # A link's story here is asked about as a reply's is; one not here is said to be, the words searched alone.
        followed = (*followed_stories(message, context.bot.id), *links)
        shown = shown_paragraphs(message, context.bot.id)
        note = NOT_HERE_SEARCHED if links and not await asyncio.to_thread(links_here, library, links) else long_note
        if followed or shown:
            answered = answer_lines(message, context.bot.id)
            question = await asyncio.to_thread(library.follow_up, question, followed, shown, answered)
        request = library.request(question)
        subscriptions = context.bot_data.digesting.subscriptions
        now = context.bot_data.clock()
        told = told_lately(context.bot_data, message.chat_id, now)
        page = await asyncio.to_thread(
            lambda: first_page(
                library, request, username, subscriptions.zone_of(message.chat_id), message.chat_id, note, hint, told
            )
        )
    except QuestionError as exc:
        # The words beside a link of no story here asked nothing of their own ("<link> what is this about?"): its
        # story was asked about, where the reader was told the words were all common ones.
        if note and len(question) <= MAX_QUESTION_CHARS:
            await reply_answer(update, context, html.escape(NOT_HERE))
            return
        example = await asyncio.to_thread(example_of, library.store)
        # A group reads only what is addressed to the bot: the example typed as shown would go unanswered there.
        asked = example if message.chat.type == ChatType.PRIVATE else f"/ask {example}"
        # A reply to the bot still of common words alone after its message was read: that message named no story.
        of_nothing = bots_message(message, context.bot.id) is not None and not isinstance(exc, NoWordsError)
        if of_nothing and len(question) <= MAX_QUESTION_CHARS:
            await reply_answer(update, context, html.escape(REPLIED_TO_NO_STORY.format(example=asked)))
            return
        if message.reply_to_message is None and not isinstance(exc, NoWordsError) and points_back(question):
            await reply_answer(update, context, html.escape(NOT_A_REPLY))
            return
        await reply_answer(update, context, html.escape(refused(exc, asked)))
        return
    await reply_answer(update, context, page.text, page.markup)
    if page.foreign and not told:
        remember_told(context.bot_data, message.chat_id, now)
    await kept_for_buttons(context, page, request)


async def kept_for_buttons(context: Context, page: Page, request: Request) -> None:
    """Keep the questions a sent page's buttons ask (`keep_question`), and rank its later pages ahead."""
    await keep_question(context, page.saved)
    await keep_question(context, page.suggested)
    if page.saved is not None and context.application.running:
        context.application.create_task(rank_later_pages(context.bot_data, request))


async def ask_again(update: Update, context: Context) -> None:
    """Answer the question an answer's "Ask about Maria Quinn" button keeps (its words as the articles write them,
    `Answer.suggested`), as a new message: the answer it sits under stays, as a search engine's page stays behind a
    suggestion followed."""
    query = update.callback_query
    assert query is not None and context.match is not None
    data, chat_id = context.bot_data, chat_of(query)
    library, zone_of = data.library, data.digesting.subscriptions.zone_of
    saved = await asyncio.to_thread(kept_question, library, context.match.group(1), chat_id, data.saving)
    if saved is None:
        await answer_press(query, EXPIRED, alert=True)
        return
    await answer_press(query)
    request = library.request(saved.question, category=saved.category, since=saved.since, until=saved.until)
    page = await asyncio.to_thread(lambda: first_page(library, request, data.username, zone_of(chat_id), chat_id))
    # A reply to the answer pressed under, as "Full article" sends: in a group, sent on its own, it was nobody's
    # (met using the bot: another member's press answered "harbor" under a chess story's answer, unanchored).
    pressed = query.message.message_id if query.message else None
    await send_messages(context.bot, chat_id, [page.text], topic_of(query.message), pressed, page.markup)
    await kept_for_buttons(context, page, request)


async def reply_answer(update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply to the question in the update's message with `text`; to a question edited, in place of the first reply
    its earlier text got (bot.tg.answered), else anew."""
    message = update.effective_message
    assert message is not None
    if update.edited_message is not None and (earlier := first_earlier()) is not None:
        try:
            await context.bot.edit_message_text(text, message.chat_id, earlier, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():  # the fixed question has the same answer, which stays
                return
            # Deleted, or older than Telegram lets a bot edit (48 hours).
            log.info("could not put the answer to edited message %s in place (%s); answering anew", message.id, exc)
    await message.reply_text(text, reply_markup=markup)


async def rank_later_pages(data: BotData, request: Request) -> None:
    """Rank an answer's later pages once its first is sent, so a "More" press shows one as fast as the first (aside:
    the chat's next update does not wait for it)."""
    try:
        await asyncio.to_thread(data.library.rank_later_pages, request)
    except StoreError as exc:  # the press ranks them itself
        data.troubles.met(exc, log, "could not rank the later pages of an answer ahead")


def pasted_links(question: str) -> tuple[str, tuple[str, ...]]:
    """The question without the links among its words, and the links as typed but for the punctuation ending a
    sentence after one, with "https://" when typed without ("bbc.co.uk/news/business-123")."""
    links = tuple(match.group() for match in LINK_IN_TEXT.finditer(question))
    if not links:
        return question, ()
    rest = " ".join(LINK_AMONG_WORDS.sub("", question).split()).lstrip(",;: ")
    return rest, tuple(link if "://" in link else f"https://{link}" for link in links)


def without_links(question: str, username: str) -> tuple[str, tuple[str, ...]]:
    """The question without the links among its words, and the stories they name (an article id for the bot's own
    deep link, else the link, as `Library.ids_of` reads them)."""
    rest, links = pasted_links(question)
    return rest, tuple(deep_linked(link, username) or link for link in links)


def only_talk(text: str) -> bool:
    """Whether `text` asks nothing: no words, or small talk alone (what is left of "hi <link>" once the link is out)."""
    return not re.search(r"\w", text) or small_talk(text) is not None


def only_link(question: str) -> str | None:
    """The one link a message holds with nothing else but small talk, to read its story here: pasted alone, with
    "hi" or "thanks", or ending a sentence ("<link>." looked up with its full stop: "I have no article at that
    link"); None for other messages. "hi <link>" searched "hi": "No article uses the word “hi”"."""
    rest, links = pasted_links(question)
    return links[0] if len(links) == 1 and only_talk(rest) else None


def links_here(library: Library, links: tuple[str, ...]) -> bool:
    """Whether any of `links` names an article here (in a worker thread)."""
    return any(library.ids_of(links).values())


def quoted_text(message: Message, bot_id: int) -> str:
    """The words of a message not the bot's that `message` replies to (only the part it quotes, if it quotes one),
    asked about with the reader's own: "@bot is this true?" in reply to a friend's claim searched "is this true?"
    alone, "No article uses the word “true”". "" for no reply, or a reply to the bot (followed up on instead)."""
    replied = message.reply_to_message
    if replied is None or bots_message(message, bot_id) is not None:
        return ""
    return message.quote.text if message.quote is not None else replied.text or replied.caption or ""


def asked_of_quoted(question: str, quoted: str) -> tuple[str, str]:
    """The question a message asks, and the quoted words (of a friend's message it replies to) to ask it with. A
    mention or /ask alone in reply to one asks what that message says, as if pasted: "@bot" replying to a friend's
    claim got how to ask in a group, where its reader expected the claim checked."""
    if re.search(r"\w", question) or not re.search(r"\w", quoted):
        return question, quoted
    return without_markup(lede(quoted)), ""


def with_quoted(library: Library, question: str, quoted: str) -> str:
    """The question to search for a reply quoting `quoted` (the words of a message not the bot's, its links out):
    with them when it asks about them ("is this true?" of a friend's claim: alone, "No article uses the word
    “true”"), alone, or turned to the story it names, when it asks about something else, as a reply to an answer
    does ("what did the harbour council decide?" in reply to a message on a chess title: the claim's words
    outweighed it, and the chess story answered) (in a worker thread)."""
    quoted = lede(quoted)
    claimed = lede(f"{question} {quoted}".strip())
    if not re.search(r"\w", quoted):
        return question
    try:
        answer = library.ask(library.request(quoted))
    except QuestionError:  # no words to search for of their own: asked with the question's
        return claimed
    if not (answer.found and answer.confident):  # a claim no story bears out: declined with the closest headlines
        return claimed
    stories = list(dict.fromkeys(passage.article.id for passage in answer.passages))
    followed = library.follow_up(question, stories)
    asked_of = split_follow_up(followed, library.store.articles(stories))[1]
    return claimed if asked_of else followed


def bots_message(message: Message, bot_id: int) -> Message | None:
    """The message of the bot's that `message` replies to, if it replies to one."""
    replied = message.reply_to_message
    return replied if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id else None


def followed_stories(message: Message, bot_id: int) -> tuple[str, ...]:
    """The articles a message follows up on when it replies to one of the bot's answers (the ids of its "Full
    article" buttons), to a full article (the link it shows as its "Source"), or to a digest or an alert (its
    headlines' links, the first `retrieval.FOLLOWED_STORIES` read: "who won?" of an alert's one story was searched
    alone, and answered from another); () for a reply to anything else (/help, a part of a full article before its
    last), or for no reply."""
    if (replied := bots_message(message, bot_id)) is None:
        return ()
    if ids := _answered_articles(replied):
        return ids
    links = replied.parse_entities([MessageEntity.TEXT_LINK])
    if lists_stories(replied.text or ""):
        return tuple(entity.url for entity in links if entity.url)
    return tuple(entity.url for entity, text in links.items() if entity.url and text == SOURCE_LABEL)


async def replies_to_stories(message: Message, context: Context) -> bool:
    """Whether a message replies to one of the bot's messages that shows stories, which it follows up (an answer, a
    full article with or without its link, a digest or an alert), not to /help or a greeting."""
    if followed_stories(message, context.bot.id):
        return True
    shown = shown_paragraphs(message, context.bot.id)
    return bool(shown) and bool(await asyncio.to_thread(context.bot_data.library.shown_in, shown))


def _answered_articles(replied: Message) -> tuple[str, ...]:
    """The ids of an answer's "Full article" buttons; () for a message that is no answer."""
    rows = replied.reply_markup.inline_keyboard if replied.reply_markup else ()
    return tuple(
        found[1]
        for row in rows
        for button in row
        if isinstance(button.callback_data, str) and (found := ARTICLE_DATA.match(button.callback_data))
    )


def answer_lines(message: Message, bot_id: int) -> tuple[str, ...]:
    """The lines of the bot's answer that `message` replies to (one with "Full article" buttons), whose passages
    its follow-up shows again only when nothing else answers it; () for a reply to anything else (a full article,
    asked about for its own paragraphs), or for no reply."""
    replied = bots_message(message, bot_id)
    if replied is None or not replied.text or not _answered_articles(replied):
        return ()
    return shown_lines(replied.text)


def shown_paragraphs(message: Message, bot_id: int) -> tuple[str, ...]:
    """The paragraphs of the bot's message that `message` replies to (its text's blocks between blank lines), for
    the library to tell which article they are of (a part of a full article sent in several, one without a
    link); () for no reply to the bot."""
    replied = bots_message(message, bot_id)
    return () if replied is None or not replied.text else tuple(replied.text.split("\n\n"))


async def send_linked_article(message: Message, context: Context, link: str, update_id: int) -> None:
    """Send the article at a pasted link (update `update_id`), or say that it is not among the articles. Pasted
    again it is sent again, as asked; claimed, so the link tapped in the reader's message just after (`/start <id>`)
    is not sent twice."""
    found = await linked_article(context, link, message.chat_id)
    if found is None:
        await message.reply_text(NOT_HERE)
        return
    sent = linked_send(context, message, found[0], update_id)
    await sent.claim()
    try:
        await send_part(context, message.chat_id, *found, topic_of(message), in_reply(message))
    except BaseException:
        await sent.release()
        raise


def without_mention(text: str, username: str) -> tuple[str, bool]:
    """`text` without the bot's @username wherever it stands (a word of no article), and whether it was there."""
    mention = re.compile(rf"(?<!\w)@{re.escape(username)}(?!\w)", re.IGNORECASE)
    rest, found = mention.subn(" ", text)
    return (" ".join(rest.split()), True) if found else (text, False)


def without_markup(question: str) -> str:
    """`question` as a reader sees pasted HTML: its entities read (`&amp;` is "&") and its tags left out."""
    text = PASTED_TAG.sub(" ", html.unescape(question))
    return " ".join(text.split()) if text != question else question


def addressed_question(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a message meant for the bot, without its @username: any message in a private chat; in a
    group one that mentions or replies to the bot. None for a group message meant for others, and for a result of
    the bot's own inline mode a reader sent (`via_bot`): its own words, which were answered as a question."""
    if message.via_bot is not None and message.via_bot.id == bot_id:
        return None
    question, mentioned = without_mention(message.text or message.caption or "", username)
    to_bot = bots_message(message, bot_id) is not None
    return question if mentioned or to_bot or message.chat.type == ChatType.PRIVATE else None


async def text_message(update: Update, context: Context) -> None:
    """Answer a private message, or a group message that mentions or replies to the bot (a photo's caption too),
    new or edited."""
    message = update.effective_message
    assert message is not None
    question = addressed_question(message, context.bot_data.username, context.bot.id)
    if question is None:
        if update.edited_message is not None:  # perhaps a question once, its mention taken out
            await withdrawn(message, update.update_id, context)
        return
    # "@bot" alone: how to ask here, not "type one" (in reply to a friend's message, that message is asked about).
    if not question and message.chat.type != ChatType.PRIVATE and not quoted_text(message, context.bot.id):
        example = await asyncio.to_thread(example_of, context.bot_data.library.store)
        await message.reply_text(bare_mention(context.bot_data.username, example))
        return
    if message.caption is not None and about_attached(question):
        example = await asyncio.to_thread(example_of, context.bot_data.library.store)
        asked = example if message.chat.type == ChatType.PRIVATE else f"/ask {example}"
        await message.reply_text(html.escape(NOT_SEEN.format(example=asked)))
        return
    await answer_question(update, context, question)


async def ask(update: Update, context: Context) -> None:
    """Answer the question after /ask, new or edited."""
    message = update.effective_message
    assert message is not None
    parts = (message.text or "").split(maxsplit=1)
    question = without_mention(parts[1], context.bot_data.username)[0] if len(parts) > 1 else ""
    await answer_question(update, context, question)  # /ask alone: its usage, or the replied message asked about


async def not_text(update: Update, context: Context) -> None:
    """Tell a private chat, or a group member replying to the bot, that only text questions are understood. A
    group's sticker or photo in reply to an answer got nothing, where its text would have been asked."""
    message = update.message
    assert message is not None
    private = message.chat.type == ChatType.PRIVATE
    if not private and bots_message(message, context.bot.id) is None:
        return  # the group's talk, not meant for the bot
    # A sticker says what its emoji says: a thumbs-up thanks, a laughing face laughs, a football asks for sport
    # (each was told "I can only read text").
    sign = message.sticker.emoji if message.sticker is not None else None
    if sign and talk_of(sign) != (None, sign):
        await answer_question(update, context, sign)
        return
    example = await asyncio.to_thread(example_of, context.bot_data.library.store)
    await message.reply_text(html.escape(NOT_TEXT.format(example=example if private else f"/ask {example}")))


async def more(update: Update, context: Context) -> None:
    """Show the next passages of an answer in place of the current ones."""
    query = update.callback_query
    assert query is not None and context.match is not None
    key, chat_id = context.match.group(1), chat_of(query)
    turning = anchor_of(context.match) or int(context.match.group(2))
    library, username, saving = context.bot_data.library, context.bot_data.username, context.bot_data.saving
    pages, subscriptions = context.bot_data.pages, context.bot_data.digesting.subscriptions
    # A double tap: the second press waited for the first (a chat's updates are handled in turn), which showed it.
    if pages.shown(query):
        await answer_press(query, ALREADY_SHOWN)
        return
    # Replaced only if its key keeps a question of the chat's: a forged or long-stale button on an edited message
    # is told what one is anywhere (below), not of an edit it never answered.
    if replaced(query, key) and await asyncio.to_thread(kept_question, library, key, chat_id, saving) is not None:
        await answer_press(query, ANSWER_REPLACED)
        return
    page = await asyncio.to_thread(
        lambda: next_page(library, key, chat_id, turning, username, subscriptions.zone_of(chat_id), saving)
    )
    if page is None:
        await answer_press(query, EXPIRED, alert=True)
        return
    if isinstance(page, str):
        await answer_press(query, page, alert=True)
        return
    await answer_press(query)
    try:
        pages.showed(query, await query.edit_message_text(page.text, reply_markup=page.markup))
    except BadRequest as exc:
        # The page is shown already: another process showed it, or this one for a press it no longer remembers.
        if "not modified" in str(exc).lower():
            pages.showed(query)
            return
        # Telegram refuses edits of old or inaccessible messages: the next page comes as a new message.
        log.info("could not edit the answer (%s); sending the page as a new message", exc)
        await context.bot.send_message(
            chat_of(query), page.text, reply_markup=page.markup, message_thread_id=topic_of(query.message)
        )
        pages.showed(query)


class Inline(NamedTuple):
    """The results of an inline query, and what to say on the button above them ("" for nothing)."""

    results: list[InlineQueryResultArticle]
    note: str = ""
    # Whether the button above them asks in a private chat the question with the words "Did you mean" names
    # (`Answer.suggested`), which nothing typed answers, not the one typed.
    about: bool = False


def inline_results(library: Library, text: str, username: str, zone: tzinfo, now: datetime) -> Inline:
    """Matching passages, one result each (a last word still being typed left out: `Library.being_typed`, unless
    the rest's passages show it whole after all, or, alone, its own confident answer: `Library.whole_after_all`,
    `asked_alone`), or for an empty query, one of no words
    ("😀"), one not yet worth a search (`typed_so_far`) or small talk ("hi", "thanks", "what's new?") the latest
    headlines, dated in `zone` (in a worker thread); a day's or a category's news, its headlines at `now`
    (`latest_asked`). A greeting or thanks before a question is not searched for, as in a chat. No results for "😀"
    offered to ask it in a private chat, which then said it had no words to search for. A link to no story here is
    said to be, as in a chat: alone, or after "hi", it showed the latest headlines, as if nothing was asked."""
    question, links = without_links(without_opening(text), username)
    whole, typing = question, library.being_typed(text)
    question = question.removesuffix(typing)  # "Who won the ch": the rest is asked so far
    if links and only_talk(question):  # "hi <link>" asks about the link's story, as the link alone does
        question = ""
    missing = bool(links) and not links_here(library, links)
    if missing and typed_so_far(library, question):
        return Inline([], NOT_HERE_INLINE)
    if links and not missing:  # as in a chat: the story at a link is the one asked about, its address no words
        question = library.follow_up(question, links)
    if not links and (latest := latest_asked(library, whole, username, now, zone)) is not None:
        return latest
    if small_talk(text) or small_talk(question):
        return Inline(latest_results(library, username, zone))
    if typed_so_far(library, question):
        # "sea" alone, of a library writing "seafront" and "season": answered confidently, it was asked whole.
        alone = typing and not links and library.whole_after_all(typing, ())
        answer = asked_alone(library, whole) if alone else None
        return Inline(
            passage_results(answer, library.settings.per_article, username, zone)
            if answer
            else latest_results(library, username, zone)
        )
    try:
        answer = library.ask(library.request(question, k=INLINE_RESULTS))
        found = [text for passage in answer.passages for text in (passage.text, passage.article.title)]
        if whole != question and not links and library.whole_after_all(whole[len(question) :], found):
            answer = library.ask(library.request(whole, k=INLINE_RESULTS))  # "harbor pub": "pub" is asked
    except QuestionError:
        return Inline([], NOT_HERE_INLINE if missing else live_hint(question))
    results = passage_results(answer, library.settings.per_article, username, zone)
    if not missing:
        # Above the results, as in a chat: "Answers for Maria Quinn (you wrote Mara Quinn)"; none, the button of the
        # words the reader may have meant.
        if answer.suggested and not results:
            return Inline([], f"{ASK_ABOUT}{answer.suggested.written}", about=True)
        return Inline(results, respelt_note(answer) or ("" if results else declined_inline(answer)))
    return Inline(results, NOT_HERE_SEARCHED_INLINE if results else NOT_HERE_INLINE)


def declined_inline(answer: Answer) -> str:
    """What the button above no inline results says beyond "No article answers that" (""): a question in another
    language than the articles' is asked in theirs, as a chat's decline asks ("Qui a gagné ?" was offered only to be
    asked in a private chat, to be told there); a forecast or a price now is no news (`live_hint`)."""
    language = NAMES.get(answer.foreign_to)
    return ASK_IN_INLINE.format(language=language) if language else live_hint(answer.question)


def asked_alone(library: Library, question: str) -> Answer | None:
    """The answer to an inline query whose one word to search is a short common one that may be the start of another
    (`Library.whole_after_all`: "sea" of "season"), if it answers confidently: the stories hold it ("seafront"),
    and a reader who stopped there asks about it; else None (the latest headlines, as while typing)."""
    try:
        answer = library.ask(library.request(question, k=INLINE_RESULTS))
    except QuestionError:
        return None
    return answer if answer.found and answer.confident else None


def passage_results(answer: Answer, most: int, username: str, zone: tzinfo) -> list[InlineQueryResultArticle]:
    """An answer's passages as inline results, one a story (its `most` best passages under its head, as a chat's
    first page shows them: two results of one story were listed under the same title), described by its best
    passage, dated in `zone`."""
    results = []
    for places in by_story(answer.passages):
        passages = tuple(answer.passages[i] for i in places[:most])
        first = passages[0]
        results.append(
            InlineQueryResultArticle(
                f"{first.article.id}-{first.position}",
                title_of(first.article),
                InputTextMessageContent(fit_answer(Answer(answer.question, passages), username, zone=zone)[1]),
                description=snippet(first, INLINE_DESCRIPTION_CHARS),
            )
        )
    return results


def typed_so_far(library: Library, question: str) -> bool:
    """Whether an inline query has no word to search yet: none of its words is more than a letter or a common one
    ("w", "who", "?"). Telegram sends a query for every letter typed, and "w" or "who" got "No article answers
    that" where "?" got the latest headlines."""
    return all(len(term) < 2 for term in library.terms(question))


def latest_asked(library: Library, text: str, username: str, now: datetime, zone: tzinfo) -> Inline | None:
    """The headlines a query asks for as a chat's message would list them (`newest_of_day`): a day or span alone or
    asked what happened ("2026", "what happened yesterday?"), a category's news ("sport news"), each in `zone` at
    `now`; its note ("None of the newest stories is dated 2026") on the button. None for a query asking no headlines.
    "2026" was searched inline ("No article answers that") where a chat listed that year's stories, and "what
    happened yesterday?" listed the newest whatever their day."""
    talk, asked = talk_of(text)
    words = () if talk == "latest" else asked_latest(library.store, asked) if talk is None else None
    if words is None:
        return None
    try:
        latest, note = newest_of_day(library.store, words, asked, now, zone)
    except UsageError:  # "latest 0": no number of headlines; its words are searched, as any others
        return None
    return Inline(headline_results(latest.articles, username, zone), note.removesuffix(NEWEST_I_HAVE))


def latest_results(library: Library, username: str, zone: tzinfo) -> list[InlineQueryResultArticle]:
    """The latest headlines as inline results, dated in `zone` (in a worker thread)."""
    return headline_results(library.store.latest(INLINE_RESULTS), username, zone)


def headline_results(articles: Sequence[StoredArticle], username: str, zone: tzinfo) -> list[InlineQueryResultArticle]:
    """Headlines as inline results, dated in `zone`."""
    return [
        InlineQueryResultArticle(
            article.id,
            title_of(article),
            InputTextMessageContent(render_headline(article, HTML, username, zone=zone, bullet="")),
            description=byline(article, zone)[:INLINE_DESCRIPTION_CHARS],
        )
        for article in articles
    ]


async def inline_query(update: Update, context: Context) -> None:
    """List matching passages (or, for an empty query, the latest headlines) for inline mode."""
    query = update.inline_query
    assert query is not None
    data, asker = context.bot_data, query.from_user.id
    library, username, subscriptions = data.library, data.username, data.digesting.subscriptions
    # Dated on the asker's clocks: the /timezone of their private chat with the bot (its id is theirs).
    results, note, about = await asyncio.to_thread(
        lambda: inline_results(library, query.query, username, subscriptions.zone_of(asker), data.clock())
    )
    # An empty list shows nothing at all: say so above it (or what the note says), with a way into a private chat
    # with the bot that asks the question there (which says why nothing answers, and the closest headlines).
    # Telegram sends a query for every letter typed, searched side by side here and in other processes: the store
    # keeps the latest one's.
    # Kept as typed, also where the button asks about the words suggested: the chat says what was typed.
    question = " ".join(query.query.split())
    saved = button = None
    if note or not results:
        if question:
            link = secrets.token_hex(LINK_BYTES)
            saved = SavedQuery(question, None, None, None, asker, inline=True, update_id=update.update_id, link=link)
        parameter = f"{'a' if about else 'q'}_{saved.link}" if saved is not None else GREETING_START
        button = InlineQueryResultsButton(text=note or NO_INLINE_RESULTS, start_parameter=parameter)
    # Personal: the dates are the asker's, so Telegram must not show these results to someone else.
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=True, button=button)
    await keep_question(context, saved)


def question_mark(question: str) -> str:
    """The mark of a question typed inline that its deep link carried before it carried a token (`INLINE_QUESTION`)."""
    return short_hash(f"inline question|{question}")[:8]


async def start_question(update: Update, context: Context) -> None:
    """Answer the question of an inline query nothing answered, whose button opened this private chat with
    `/start q_<link>` (or whose link the asker shared, opened by another reader); the chat sees only "/start",
    so the reply names the question first."""
    message = update.message
    assert message is not None
    match = INLINE_QUESTION.match(message.text or "")
    assert match is not None
    data = context.bot_data
    await touch_chat(context, message.chat)
    if match["link"]:
        linked = await asyncio.to_thread(linked_question, data.library, match["link"], data.saving)
        question, key = linked or ("", "")
        own = key == SavedQuery("", None, None, None, message.chat_id, inline=True).key
        gone = SHARED_QUESTION_GONE  # whose it was, the store no longer knows
    else:
        asker = int(match["asker"]) if match["asker"] else message.chat_id
        saved = await asyncio.to_thread(kept_question, data.library, match["key"], asker, data.saving)
        own = asker == message.chat_id
        # The asker typed another since (or the link was forged): theirs to share, not the link's.
        shown = saved is not None and (own or question_mark(saved.question) == match["mark"])
        question = saved.question if saved is not None and shown else ""
        # A link of the key alone (made before the asker was carried) may be anyone's.
        gone = INLINE_QUESTION_GONE if own and match["asker"] else SHARED_QUESTION_GONE
    if not question:
        await message.reply_text(html.escape(gone))
        return
    suggested = await asyncio.to_thread(suggested_for, data.library, question) if match["about"] else None
    # "You asked inline about Liv Aronsen: “who is liv aronssen”": what was typed, and whom the button asked about.
    about = f" about {suggested.written}" if suggested else ""
    await message.reply_text(html.escape(f"{'You asked' if own else 'Asked'} inline{about}: “{question}”"))
    await answer_question(update, context, suggested.question if suggested else question)


def suggested_for(library: Library, question: str) -> Respelling | None:
    """The question with the words "Did you mean" names for those of `question` (typed inline), as its button asked
    it (`Answer.suggested`); None where there are none now (in a worker thread)."""
    try:
        return library.ask(library.request(question, k=INLINE_RESULTS)).suggested
    except QuestionError:
        return None


def linked_question(library: Library, link: str, saving: Mapping[str, SavedQuery]) -> tuple[str, str] | None:
    """The question typed inline that a deep link names (`SavedQuery.link`) and its key, its asker's (in the store,
    or in `saving` while it is being saved); None if it expired or its asker typed another since (in a worker
    thread)."""
    kept = next((saved for saved in saving.values() if saved.link == link), None)
    return (kept.question, kept.key) if kept is not None else library.store.load_linked(link)
