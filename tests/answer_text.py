"""An answer's listed passages as a reader sees them: each story's title, its byline, then its passages numbered on
lines of their own ("2. The council voted")."""

from __future__ import annotations

import re

# How a title and a passage's number are emboldened: in Telegram HTML, in `newsbot ask`'s and the terminal chat's
# text, and in the text Telegram shows (no marks).
HTML = ("<b>", "</b>")
PLAIN = ("*", "*")
SEEN = ("", "")


def listed(title: str, number: int = 1, marks: tuple[str, str] = HTML) -> re.Pattern[str]:
    """A story block of an answer: the title beginning with `title` (any title for ""), its byline, then its first
    passage, numbered `number`. `.match` it for an answer that leads with that story, `.search` for one showing it."""
    start, end = (re.escape(mark) for mark in marks)
    return re.compile(rf"{start}{re.escape(title)}[^\n]*{end}\n[^\n]*\n{start}{number}\.{end} ")
