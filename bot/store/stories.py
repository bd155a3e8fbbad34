"""The same story under two links: a wire story another site republished, a page and its AMP or print copy, a
feed's entry and the page read on its own.

Two articles are the same story when their headlines have the same words (case, punctuation and spacing aside),
their dates, if both have one, are at most `APART` from each other, and their texts have the same words, or for
texts of `SHORT` words or more nearly the same: at least `NEAR` of either copy's runs of three words are in the
other (an AMP copy's "Advertisement" lines, a wire trailer "Reporting by ..." or a caption left out still match;
another story under a shared headline such as "Letters" does not). A story updated at its own link stays an
update (`bot.store.articles.write` replaces it by id); these rules only decide whether a new link holds a story
already stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.models import short_hash

# Below this many words a text must match word for word: short texts ("Watch the video.") are shared by unrelated
# stories.
SHORT = 30
# The share of either copy's three-word runs the other must hold.
NEAR = 0.8
# The share of either text's three-word runs the other must hold to be its correction (`corrected_text`): two words
# put right in a short story of 28 words kept 20 of its 26 runs.
CORRECTED = 0.5
# Dated further apart than this, two stories under one headline are two (a weekly column, a daily template).
APART = timedelta(days=2)
_WORDS = re.compile(r"\w+")


def headline_key(title: str) -> str | None:
    """The key of a headline's words, as the store indexes it; None for a headline without any."""
    words = _WORDS.findall(title.casefold())
    return short_hash("headline:" + " ".join(words)) if words else None


def words(paragraphs: Iterable[str]) -> list[str]:
    return _WORDS.findall(" ".join(paragraphs).casefold())


def near_in_time(one: datetime | None, other: datetime | None) -> bool:
    return one is None or other is None or abs(one - other) <= APART


def same_text(one: list[str], other: list[str]) -> bool:
    """Whether two texts' words (`words`) are the same or nearly the same (see the module's docstring)."""
    if one == other:
        return True
    if min(len(one), len(other)) < SHORT:
        return False
    return _shares_runs(one, other, NEAR)


def corrected_text(one: list[str], other: list[str]) -> bool:
    """Whether two texts' words (`words`) read as one story and its correction, known by its link or its newsroom's
    id: at least `CORRECTED` of either's runs of three words in the other, whatever their length (a fact or two put
    right keeps most of them; another story shares next to none)."""
    return one == other or _shares_runs(one, other, CORRECTED)


def _shares_runs(one: list[str], other: list[str], share: float) -> bool:
    """Whether at least `share` of either text's runs of three words are in the other (none of a text of fewer)."""
    mine, theirs = _runs(one), _runs(other)
    return bool(mine and theirs) and len(mine & theirs) >= share * max(len(mine), len(theirs))


def _runs(text: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(text, text[1:], text[2:], strict=False))
