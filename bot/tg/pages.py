"""The page each answer paged lately shows, so a double tap of "More" or "Back" searches once."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import NamedTuple

from telegram import CallbackQuery, MaybeInaccessibleMessage, Message

ALREADY_SHOWN = "Already shown."
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
