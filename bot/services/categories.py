"""Which categories a reader means by the words after /subscribe, /unsubscribe or /latest ("sport tech", "Ent, pol").

All the words together naming a category exactly ("World News") name that one. Otherwise each word names a category
when it equals its name ignoring case and a plural's "s", as the store files categories (`bot.store.categories.key`:
"/latest sports" was told there is no category "sports" of Sport), or is the start of exactly one category's name
("ent" is entertainment).
Accents count only when a name with them matches: otherwise "economie" is Économie, as a reader without the key for
É types it (and "Economie" itself, when there is such a category). A word that starts several names is ambiguous;
any other word is unknown, with "did you mean ...?" for near misses (difflib), or else for names holding it as a
later word ("news": World News). "all" (or "everything") means every category, unless one is called that. A word
not understood is echoed as typed. Categories are listed alphabetically whatever their case, as digests list them,
not in the order they are passed in. Pure: the known categories are passed in.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import NamedTuple

from bot.analysis import fold
from bot.errors import UsageError
from bot.render.markup import category_label
from bot.store.categories import key as _key
from bot.wording import alphabetical, spoken_list

# Words are split on whitespace, commas and semicolons, and matched without the punctuation around them ("#sport",
# "tech."). A semicolon splits only between words, so a word ending in one ("&amp;") is echoed as typed.
_SEPARATORS = re.compile(r"[\s,]+|;(?=\S)")
_AROUND = "\"'\u201c\u201d\u2018\u2019«»#.!?:;()[]{}<>"
EVERY = "all"
# Said for "all" as often ("/unsubscribe everything" was told there is no category "everything").
_EVERY_WORDS = frozenset({EVERY, "everything"})
_SUGGESTION_CUTOFF = 0.6
_MAX_SUGGESTIONS = 3
# A reader pasting a paragraph gets a message of readable length, not one line per word.
_MAX_PROBLEMS_SHOWN = 5
_SHOWN_CHARS = 30


class Unmatched(NamedTuple):
    """A word that names no single category, with the categories it may mean (close names, or every match)."""

    word: str
    candidates: tuple[str, ...]


class CategoryMatch(NamedTuple):
    """The categories a reader's words name, in the order typed, and the words that name none."""

    matched: tuple[str, ...]
    # Words that start several categories' names, with those names.
    ambiguous: tuple[Unmatched, ...]
    # Words that are no category's name or prefix, with near misses (maybe none).
    unknown: tuple[Unmatched, ...]
    known: tuple[str, ...]
    # The reader said "all": every category (what that means is the command's business).
    everything: bool = False

    @property
    def complete(self) -> bool:
        """True when some category (or "all") was named and every word named one."""
        return (bool(self.matched) or self.everything) and not self.ambiguous and not self.unknown

    def problem(self) -> str | None:
        """A plain-text message for the reader saying what was not understood, or None when everything was."""
        return None if self.complete else self._refusal()

    def _refusal(self) -> str:
        if not self.known:
            return "There are no categories yet."
        lines = self._not_understood() or ["Name one or more categories."]
        return "\n".join([*lines, self._listing()])

    def aside(self) -> str:
        """The words not understood beside some that were (empty when every word was): a plain-text note said after
        the change they made, listing the categories only when a word has no near miss to suggest."""
        lines = self._not_understood()
        if any(not item.candidates for item in self.unknown):
            lines.append(self._listing())
        return "\n".join(lines)

    def _listing(self) -> str:
        # Not "Categories: News.", which is how /mysubs says what a chat follows: these are all there are.
        if len(self.known) == 1:
            return f"The one category is {category_label(self.known[0])}."
        return f"The categories are {_labels(self.known)}."

    def names(self, every: Iterable[str] = ()) -> tuple[str, ...]:
        """The categories named (`every` for "all"), or UsageError with `problem()` when any word was not
        understood."""
        problem = self.problem()
        if problem is not None:
            raise UsageError(problem)
        return self._named(every)

    def some_names(self, every: Iterable[str] = ()) -> tuple[str, ...]:
        """The categories named (`every` for "all") even when other words were not understood (`aside` says which),
        or UsageError with `problem()` when no word named one."""
        if not self.matched and not self.everything:
            raise UsageError(self._refusal())
        return self._named(every)

    def _named(self, every: Iterable[str]) -> tuple[str, ...]:
        return alphabetical(dict.fromkeys(every)) if self.everything else self.matched

    def _not_understood(self) -> list[str]:
        lines = [f"{_shown(item.word)} could be {_labels(item.candidates, 'or')}." for item in self.ambiguous]
        for item in self.unknown:
            hint = f": did you mean {_labels(item.candidates, 'or')}?" if item.candidates else "."
            lines.append(f"There is no category {_shown(item.word)}{hint}")
        if len(lines) > _MAX_PROBLEMS_SHOWN:
            lines[_MAX_PROBLEMS_SHOWN:] = [f"…and {len(lines) - _MAX_PROBLEMS_SHOWN} more words not understood."]
        return lines


def match_categories(words: Iterable[str], known: Iterable[str]) -> CategoryMatch:
    """Match a reader's words against the known category names (rules in the module docstring)."""
    words = list(words)
    by_key: dict[str, str] = {}
    for name in known:
        by_key.setdefault(_key(name), name)
    names, keys = alphabetical(by_key.values()), list(by_key)
    if (whole := named_whole(words, names)) is not None:
        return CategoryMatch((whole,), (), (), names)
    matched: dict[str, None] = {}
    ambiguous: dict[str, Unmatched] = {}
    unknown: dict[str, Unmatched] = {}
    everything = False
    for word in _split(words):
        key = _key(word.strip(_AROUND))
        if key in by_key:
            matched[by_key[key]] = None
            continue
        if key in _EVERY_WORDS:
            everything = True
            continue
        starts = _starting(key, by_key)
        if len(starts) == 1:
            matched[starts[0]] = None
        elif starts:
            ambiguous.setdefault(key, Unmatched(word, alphabetical(starts)))
        else:
            close = difflib.get_close_matches(key, keys, n=_MAX_SUGGESTIONS, cutoff=_SUGGESTION_CUTOFF)
            suggested = tuple(by_key[candidate] for candidate in close) or _holding(key, by_key)
            unknown.setdefault(key, Unmatched(word, suggested))
    return CategoryMatch(tuple(matched), tuple(ambiguous.values()), tuple(unknown.values()), names, everything)


def named_whole(words: Iterable[str], known: Iterable[str]) -> str | None:
    """The category all of `words` together name exactly, ignoring case ("World News", "Formula 1"), and accents
    when no name matches with them and one does without ("economie"), or None."""
    phrase = _key(" ".join(words).strip())
    if not phrase:
        return None
    known = list(known)
    if (exact := next((name for name in known if _key(name) == phrase), None)) is not None:
        return exact
    plain = [name for name in known if fold(name) == fold(phrase)]
    return plain[0] if len(plain) == 1 else None


def _starting(key: str, by_key: dict[str, str]) -> list[str]:
    """The categories whose names start with `key`; when none does, those that do with accents aside."""
    starts = [name for candidate, name in by_key.items() if candidate.startswith(key)]
    if starts:
        return starts
    plain = fold(key)
    return [name for candidate, name in by_key.items() if fold(candidate).startswith(plain)]


def _holding(key: str, by_key: dict[str, str]) -> tuple[str, ...]:
    """The categories with `key` as a later word of their names, to suggest ("news" for World News: it was told
    there is no such category, with nothing to try)."""
    return alphabetical(name for candidate, name in by_key.items() if key in candidate.split()[1:])[:_MAX_SUGGESTIONS]


def _split(words: Iterable[str]) -> list[str]:
    """The words as typed, without the separators between them; a word of punctuation alone names nothing."""
    parts = (part for word in words for part in _SEPARATORS.split(word))
    return [part for part in parts if part.strip(_AROUND)]


def _labels(names: Iterable[str], last: str = "and") -> str:
    # As every list and button shows a category ("News", "Sport"), not as a feed happened to file it.
    return spoken_list([category_label(name) for name in names], last)


def _shown(text: str) -> str:
    return f"“{text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + '…'}”"
