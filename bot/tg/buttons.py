"""The buttons under an answer ("Full article", "More") and under a long article's part ("Read on"), the handler
for a button, and what a button too old or tampered with gets."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.config import MAX_LATEST_COUNT, MAX_PASSAGES
from bot.models import Answer, Rest, StoredArticle
from bot.render.articles import READ_ON_LABEL
from bot.render.digests import rest_label
from bot.render.markup import cap
from bot.tg.context import Context
from bot.tg.pages import Anchor

log = logging.getLogger(__name__)

BUTTON_TITLE_CHARS = 40
# Callback data: "a:<article id>", and "m:<saved question key>:<place>:<+|-><article id>.<paragraph>:<state>" for
# "More" ("+": the page after that passage, the last shown, at <place> in the answer's list) and "Back" ("-": the
# page before it, the first shown), <state> the library's its page was searched in (8 hex digits; `pages.turn`): at
# most 2 + 16 + 1 + 2 + 2 + 16 + 1 + 6 + 9 = 55 of Telegram's 64 bytes. A page found by its neighbour stays the page
# it was when a story shown before it is removed (a bare offset into the search run again showed a passage twice, or
# skipped one). "m:<key>:<offset>", of answers sent before, still pages by offset; buttons without a state page as
# they did, looking for their passage.
# "More" and "Back" page through MAX_PASSAGES passages at most: the pattern admits no other place, so a tampered
# button cannot make the engine fetch millions of hits; it expires like any unknown button.
PAGE_OFFSETS = range(MAX_PASSAGES)
MORE_DATA = re.compile(
    rf"^m:([0-9a-f]{{1,16}}):({'|'.join(str(n) for n in reversed(PAGE_OFFSETS))})"
    r"(?::([+-])([0-9a-f]{16})\.(0|[1-9][0-9]{0,5})(?::([0-9a-f]{8}))?)?$"
)
ARTICLE_DATA = re.compile(r"^a:([0-9a-f]{16})$")
# "Ask about Maria Quinn" under an answer whose "Did you mean" names words the reader may have meant: "q:<the saved
# question's key>", the question with them (`Answer.suggested`).
ASK_AGAIN_DATA = re.compile(r"^q:([0-9a-f]{12})$")
# "More" under a list of headlines (/latest): "l:<place of the last shown>:<its article id>:<headlines a page>:<the
# category's `button_key`, or * for all>", at most 2 + 4 + 17 + 3 + 12 = 38 bytes, and for a named day's list
# ":<its first instant>:<its end>" in minutes since 1970 (the first empty for a list reaching back before the day),
# 18 more: 56 of Telegram's 64. The page after it is found by that story (`latest.page_after`), so stories
# arriving or removed meanwhile neither repeat a headline nor skip one; the place has room for `LATEST_DEPTH` alone,
# the size for MAX_LATEST_COUNT.
LATEST_MORE_DATA = re.compile(
    r"^l:(0|[1-9][0-9]{0,2}):([0-9a-f]{16}):([1-9][0-9]?):([0-9a-f]{12}|\*)(?::([0-9]{1,8})?:([0-9]{1,8}))?$"
)
EVERY_CATEGORY = "*"
# The rest of a digest's (or an alert's) category: "d:<the category's `button_key`>:<the digest's window's start>:<its
# end>:<stories shown before>", the window in microseconds since 1970 (the store's times, exactly), at most 2 + 12 +
# 18 + 18 + 5 = 55 bytes. The stories are the digest's own choice made again (`digests.rest_page`).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)
REST_DATA = re.compile(r"^d:([0-9a-f]{12}):([0-9]{1,17}):([0-9]{1,17}):([1-9][0-9]{0,3})$")
# An alert's: "e:<its delivery's id>:<the category's `button_key`>:<stories shown before>", at most 2 + 19 + 13 + 5 =
# 39 bytes: the stories it carried (`Rest.delivery`). Those sent before carry its window (`REST_DATA`).
ALERT_REST_DATA = re.compile(r"^e:([0-9]{1,19}):([0-9a-f]{12}):([1-9][0-9]{0,3})$")
# "Read on" under a part of a long article: "r:<article id>:<the message the next part starts at>:<its mark>" (see
# `render.articles.start_mark`; buttons sent before have the whole message's, or none). The article is split again
# on the press: one removed meanwhile is said to be gone, one shorter now than the number (or a forged number), or
# changed where the part started, to end before it.
READ_ON_DATA = re.compile(r"^r:([0-9a-f]{16}):([1-9][0-9]{0,4})(?::([0-9a-f]{8}))?$")

EXPIRED = "This result expired, please ask again."
# A button asking the question with the words "Did you mean" names (`Answer.suggested`): "Ask about Maria Quinn".
ASK_ABOUT = "Ask about "
# The deep link of a button into a private chat that asks nothing there (`/start inline`): it greets.
GREETING_START = "inline"


def pages_on(answer: Answer) -> bool:
    """Whether a "More" button can show further passages of this answer."""
    return bool(answer.more) and answer.offset + len(answer.passages) in PAGE_OFFSETS


def keyboard(answer: Answer, key: str, seen: str = "", again: str = "") -> InlineKeyboardMarkup | None:
    """A "Full article" button per article shown; when `key` keeps the question, "Back" on a later page (More
    shows a page in place of the last, which would otherwise be gone) and "More" while there are further
    passages, carrying the library's state `seen` the answer was searched in; first, when `again` keeps the question
    with the words "Did you mean" names (`Answer.suggested`), a button asking it ("Ask about Maria Quinn")."""
    titles = {p.article.id: p.article.title for p in answer.passages}
    rows = [
        [InlineKeyboardButton(f"Full article: {cap(title, BUTTON_TITLE_CHARS)}", callback_data=f"a:{article_id}")]
        for article_id, title in titles.items()
    ]
    if again and answer.suggested:
        label = f"{ASK_ABOUT}{cap(answer.suggested.written, BUTTON_TITLE_CHARS)}"
        rows.insert(0, [InlineKeyboardButton(label, callback_data=f"q:{again}")])
    paging: list[InlineKeyboardButton] = []
    first, last = answer.passages[0] if answer.passages else None, answer.passages[-1] if answer.passages else None
    if key and answer.offset and first is not None:
        back = Anchor(False, first.article.id, first.position, answer.offset, seen)
        paging.append(InlineKeyboardButton("Back", callback_data=f"m:{key}:{back.data}"))
    if key and pages_on(answer) and last is not None:
        more = Anchor(True, last.article.id, last.position, answer.offset + len(answer.passages) - 1, seen)
        paging.append(InlineKeyboardButton("More", callback_data=f"m:{key}:{more.data}"))
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows) if rows else None


def button_key(category: str) -> str:
    """A category's short, stable key for callback data (12 hex digits of a hash of its name)."""
    return hashlib.blake2b(category.encode(), digest_size=6).hexdigest()


def latest_more(
    last: StoredArticle,
    place: int,
    size: int,
    category: str | None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> InlineKeyboardMarkup:
    """The "More" under a list of headlines (of `category`; of news times from `since` to `before`, a named day's)
    whose `last`, at `place` in the list, is followed by older ones: `size` of them a page, as the list showed."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("More", callback_data=more_data(last.id, place, size, category, since, before))]]
    )


def more_data(
    last: str,
    place: int,
    size: int,
    category: str | None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> str:
    """The data of a "More" that sends the `size` headlines after the story `last` (`LATEST_MORE_DATA`)."""
    key = EVERY_CATEGORY if category is None else button_key(category)
    data = f"l:{place}:{last}:{min(size, MAX_LATEST_COUNT)}:{key}"
    if before is not None:
        data += f":{'' if since is None else minutes(since)}:{minutes(before)}"
    return data


def rest_buttons(rests: Sequence[Rest]) -> list[list[InlineKeyboardButton]]:
    """A button a row under a digest or an alert for each category's stories it counted and did not show ("Sport: 3
    more"), which sends them (MAX_LATEST_COUNT a page, with its own "More" for the next: `rest_more`)."""
    return [[InlineKeyboardButton(rest_label(r.category, r.more), callback_data=rest_data(r))] for r in rests]


def rest_data(rest: Rest) -> str:
    """The data of a button that sends a rest's stories after its `shown` first: an alert's by its delivery, a
    digest's by its window."""
    if rest.delivery is not None:
        return alert_rest_data(rest.delivery, rest.category, rest.shown)
    return digest_rest_data(rest.category, rest.start, rest.end, rest.shown)


def digest_rest_data(category: str, start: datetime, end: datetime, shown: int) -> str:
    """The stories of `category` a digest of the window [start, end) holds after its `shown` first (`REST_DATA`)."""
    return f"d:{button_key(category)}:{micros(start)}:{micros(end)}:{shown}"


def alert_rest_data(delivery: int, category: str, shown: int) -> str:
    """The stories of `category` the alert of `delivery` carried after its `shown` first (`ALERT_REST_DATA`)."""
    return f"e:{delivery}:{button_key(category)}:{shown}"


def rest_more(data: str) -> InlineKeyboardMarkup:
    """The "More" under a page of a digest's or an alert's rest (`digest_rest_data`, `alert_rest_data`)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data=data)]])


def micros(instant: datetime) -> int:
    """An instant as a digest's rest button carries it: whole microseconds since 1970, exactly."""
    return (instant - EPOCH) // ONE_MICROSECOND


def from_micros(micros: str) -> datetime:
    """The instant a digest's rest button carries (`micros`)."""
    return EPOCH + int(micros) * ONE_MICROSECOND


def minutes(instant: datetime) -> int:
    """An instant as a "More" carries it: whole minutes since 1970 (a day starts on a whole minute in every zone's
    rules of this century)."""
    return int(instant.timestamp()) // 60


def instant(minutes: str) -> datetime | None:
    """The instant a "More" carries (`minutes`); None for none."""
    return datetime.fromtimestamp(int(minutes) * 60, UTC) if minutes else None


def read_on(article_id: str, start: int | None, mark: str) -> InlineKeyboardMarkup | None:
    """The "Read on" button under a part of an article that goes on at its message `start` (None: it ends), of
    `mark`."""
    if start is None:
        return None
    data = f"r:{article_id}:{start}:{mark}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(READ_ON_LABEL, callback_data=data)]])


class ButtonHandler(CallbackQueryHandler[Context, None]):
    """The handler of the buttons whose data matches its pattern. python-telegram-bot's gives a press carrying no
    data (a tampered client's) to every patterned handler, whose callback then has no match to read; here it
    is none of theirs, and expires."""

    def check_update(self, update: object) -> bool | object | None:
        if isinstance(update, Update) and update.callback_query is not None and not update.callback_query.data:
            return False
        return super().check_update(update)


async def answer_press(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a press (its spinner stops, `text` shown). Telegram takes no answer after some seconds: a press
    handled later (queued behind a slow question, or taken over after a restart) goes on without one."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        if "query is too old" not in str(exc).lower():
            raise
        log.info("a button press came too late to be answered (%s)", exc)


async def expired_button(update: Update, context: Context) -> None:
    """Tell the user a button from an older version of the bot, or tampered with, has expired."""
    assert update.callback_query is not None
    await answer_press(update.callback_query, EXPIRED, alert=True)
