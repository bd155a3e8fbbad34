"""The page a "More" or "Back" press shows, and the page each answer paged lately shows, so a double tap of "More"
or "Back" searches once."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from itertools import zip_longest
from typing import NamedTuple

from telegram import CallbackQuery, MaybeInaccessibleMessage, Message

from bot.config import MAX_PASSAGES
from bot.models import Answer
from bot.render.markup import count

ALREADY_SHOWN = "Already shown."
# A press of an answer's "More" or "Back" whose message shows another answer now: its question was edited since.
ANSWER_REPLACED = "That answer was replaced by the one to your edited question."
LAST_GONE = "The passage shown last is gone: its story was removed from the library."
# The page of an answer's list that starts at a place in it (a search run again).
Search = Callable[[int], Answer]


@dataclass(frozen=True)
class Anchor:
    """The passage a "More" (`after` it) or "Back" (before it) button pages from, its `place` in the answer's list
    when the button was shown, and the state of the library its page was searched in (`seen`: see `turn`; "" for
    buttons sent before it was carried)."""

    after: bool
    article_id: str
    position: int
    place: int
    seen: str = ""

    @property
    def data(self) -> str:
        anchored = f"{self.place}:{'+' if self.after else '-'}{self.article_id}.{self.position}"
        return f"{anchored}:{self.seen}" if self.seen else anchored


def anchor_of(match: re.Match[str]) -> Anchor | None:
    """The anchor a "More" or "Back" press carries (None: an older button's bare offset)."""
    if match[3] is None:
        return None
    return Anchor(match[3] == "+", match[4], int(match[5]), int(match[2]), match[6] or "")


class Turned(NamedTuple):
    """The page a press shows, and what to tell the reader first ("" for nothing)."""

    answer: Answer
    note: str = ""


def gone_before(count: int) -> str:
    """What a page says when passages it showed before are no longer in the answer."""
    if count == 1:
        return "1 passage shown here before is gone: its story was removed from the library, or changed."
    return f"{count} passages shown here before are gone: their stories were removed from the library, or changed."


def place_of(answer: Answer, anchor: Anchor) -> int | None:
    """Where the anchor's passage stands in the answer's list, if on this page."""
    for i, passage in enumerate(answer.passages):
        if (passage.article.id, passage.position) == (anchor.article_id, anchor.position):
            return answer.offset + i
    return None


def located(search: Search, size: int, anchor: Anchor) -> int | None:
    """Where the anchor's passage stands in the answer's list now (None: gone): at its place, or moved by stories
    added or removed since, searched a page at a time outward from the page it was on. Looked for a page either
    side alone, a passage moved further was taken for gone: after an ingest of five stories on the subject, "Back"
    showed the new stories' passages instead of the page before, and "More" the page after the anchor's old place
    (a passage shown already among them)."""
    # First the page the button was under, as it was shown: a first page is searched far faster than later ones.
    shown = max(0, anchor.place - size + 1) if anchor.after else anchor.place
    below = range(shown, MAX_PASSAGES, size)
    above = range(shown - size, -size, -size)
    for start in (s for pair in zip_longest(below, above) for s in pair if s is not None):
        page = search(max(0, start))
        if (place := place_of(page, anchor)) is not None:
            return place
    return None


def added_before(number: int) -> str:
    """What a page says when stories added since the answer put passages ahead of the anchor's (its numbers moved
    on: pages 1-3 and 4-6 seen, "Back" showed 9-11)."""
    return f"{count(number, 'passage')} of stories added since you asked now come before these."


def turn(search: Search, size: int, anchor: Anchor, removed: Callable[[], bool], state: str = "") -> Turned:
    """The page of `size` passages after (More) or before (Back) the anchor's passage, wherever it stands now: a
    story removed or added since the button was shown moves it. `removed` tells whether its story is gone. In the
    library's `state` the button's page was searched in, nothing its list is ranked by changed since: the passage
    stands at its place, unsearched (looking for it cost "Back" from a second page a deep search of that page, ten
    times the first page's)."""
    search = cache(search)  # a page looked at while locating the anchor is not searched again
    place: int | None = anchor.place
    gone = False
    if not (anchor.seen and anchor.seen == state):
        gone = removed()
        place = None if gone else located(search, size, anchor)
    turned = _after(search, anchor, place, gone) if anchor.after else _before(search, size, anchor, place)
    if place is not None and place > anchor.place and not turned.note:
        return turned._replace(note=added_before(place - anchor.place))
    return turned


def _after(search: Search, anchor: Anchor, place: int | None, gone: bool) -> Turned:
    if place is None:  # gone: if with its story, what followed it moved up into its place
        return Turned(search(anchor.place), LAST_GONE) if gone else Turned(search(anchor.place + 1))
    if place + 1 >= MAX_PASSAGES:
        return Turned(replace(search(place), passages=(), more=0))
    return Turned(search(place + 1))


def _before(search: Search, size: int, anchor: Anchor, place: int | None) -> Turned:
    start = max(0, anchor.place - size)
    if place is None:  # gone with the page it was on: the page where that page was
        return Turned(search(start))
    begin = max(0, place - size)
    page = search(begin)
    # Nothing is left before it: the page is the first again, from it.
    kept = place - begin or len(page.passages)
    shown = replace(page, passages=page.passages[:kept], more=page.more + len(page.passages) - kept)
    lost = (anchor.place - start) - (place - begin)
    return Turned(shown, gone_before(lost) if lost > 0 else "")


# Answers whose page shown is remembered, the most lately paged: a few hundred bytes each.
PAGES_REMEMBERED = 1000

# What a message of ours shows as a press found it: its text, its buttons' data and when it was last edited (a page
# shown again by another process's "Back" is as the page was but for that).
View = tuple[str, tuple[str, ...], datetime | None]


def view_of(message: MaybeInaccessibleMessage | None) -> View | None:
    """What a message shows (None for one Telegram no longer sends along with a press: too old)."""
    if not isinstance(message, Message):
        return None
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    return message.text or "", tuple(str(button.callback_data) for row in rows for button in row), message.edit_date


def replaced(query: CallbackQuery, key: str) -> bool:
    """Whether the press's message, as Telegram has it now, pages no longer through the answer of saved question
    `key`: its question was edited and the message, edited since, answers the edit (a press that came after the
    edit, tapped as it landed, showed the earlier question's next page over the new answer). A message never edited
    shows what it was sent with: a button not on it is stale or forged, and expires. Unknown for a message Telegram
    no longer sends along (too old): False."""
    view = view_of(query.message)
    if view is None or view[2] is None:
        return False
    return not any(data.startswith(f"m:{key}:") for data in view[1])


class Paged(NamedTuple):
    """The page a "More" or "Back" press showed (its data), and the views of the message that show it: as the
    press found it and as the edit left it."""

    data: str
    views: frozenset[View]


class Pages:
    """The page each answer paged lately in this process shows, so a press of the button of the page shown asks
    for nothing: a double tap (both presses sent before the first page was shown, or the second pressed on a
    keyboard not yet redrawn) is answered at once instead of searching again for an edit Telegram refuses.

    A press is the page shown only if it was pressed on a view of the message that page's press found or left: a
    chat's updates are handled in the order they came, so an edit since (another process's "Back") came from a
    press on another view, which Telegram dates. Another process's press of the same page searches again, which is
    only slower."""

    def __init__(self, size: int = PAGES_REMEMBERED) -> None:
        self.size = size
        self._shown: OrderedDict[tuple[int, int], Paged] = OrderedDict()

    def shown(self, query: CallbackQuery) -> bool:
        """Whether the press asks for the page its message shows already."""
        if not isinstance(query.message, Message):
            return False
        paged = self._shown.get((query.message.chat.id, query.message.message_id))
        return paged is not None and paged.data == query.data and view_of(query.message) in paged.views

    def showed(self, query: CallbackQuery, edited: Message | bool | None = None) -> None:
        """The press's page is shown: in its message as `edited` left it, or as the press found it (None: Telegram
        refused the edit as changing nothing, or the page went out as a message of its own)."""
        found = view_of(query.message)
        if found is None or query.message is None or query.data is None:
            return
        place = (query.message.chat.id, query.message.message_id)
        left = view_of(edited) if isinstance(edited, Message) else None
        self._shown[place] = Paged(query.data, frozenset({found} if left is None else {found, left}))
        self._shown.move_to_end(place)
        while len(self._shown) > self.size:
            self._shown.popitem(last=False)
