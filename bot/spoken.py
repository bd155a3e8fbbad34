"""A question as people speak it to a phone, read as they would type it.

Dictation writes what is said: hesitations ("um", "erm"), talk that asks nothing ("so basically", "like", "or
something like that") and every number in words ("eighty seven", "twenty thirty", "one point two million"). News
writes its numbers from 10 up in figures, and its index holds them so: "how many trees by twenty thirty" of
tests/data/countryside_desk was answered by the saplings' winter figures, where "by 2030" found the target's lede,
and "um whats the price of wheat a tonne" led with the harvest where the same words without "um" led with "£171 a
tonne", "um" being a word no article uses. So too what a question is wrapped in when written in full or typed in a
chat: courtesy ("Could you tell me ...", "I would be grateful to know ...", "hi pls ..."), whose words were counted
as words no article uses. `read_as_typed` reads them all out before a question is searched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from bot.analysis import analyze, data_lines


def _phrases(lines: list[str]) -> str:
    """An alternation of phrases, each its words apart by any space, an apostrophe typed straight or curly."""
    return "|".join(r"\s+".join(w.replace("'", "['\u2019]") for w in line.split()) for line in lines)


# Fillers (bot/data/spoken_fillers_en.txt): hesitations and set phrases that ask nothing, anywhere in a question;
# not after "do", "did" or "does", whose "you know" is asked ("how do you know if you have flu" was read "how do if
# you have flu").
_FILLERS = re.compile(
    r"(?<!\bdo\s)(?<!\bdid\s)(?<!\bdoes\s)\b(?:{})\b[\s,]*".format(_phrases(data_lines("spoken_fillers_en.txt"))),
    re.IGNORECASE,
)


# Courtesy (bot/data/courtesy_en.txt): where a question opens, and those marked "$" where it closes; never before
# "about" ("can you tell me about the fire" asks for the story on the fire), nor a word's piece ("hi-fi").
_COURTESY_LINES = data_lines("courtesy_en.txt")
_NOT_BEFORE = "(?![-'\u2019]|\\s+(?:something\\s+)?about\\b)"
_COURTESY_OPENING = re.compile(
    r"^\W*(?:{})\b{}[\s,.!?]*".format(_phrases([line.removesuffix("$") for line in _COURTESY_LINES]), _NOT_BEFORE),
    re.IGNORECASE,
)
_COURTESY_CLOSING = re.compile(
    r"[\s,]*\b(?:{})\W*$".format(_phrases([line[:-1] for line in _COURTESY_LINES if line.endswith("$")])),
    re.IGNORECASE,
)


def without_courtesy(question: str) -> str:
    """`question` without the courtesy it opens or closes with ("Good morning. Could you tell me ...", ", please?"),
    or as asked where nothing else is left ("thanks")."""
    plain = question
    while (shorter := _COURTESY_OPENING.sub("", _COURTESY_CLOSING.sub("", plain), count=1)) != plain:
        plain = shorter
    return plain if plain.strip(" ,.?!") else question


_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# Scales news keeps in words after a figure ("1.2 million", "45 million litres"); "thousand" it writes in figures.
_KEPT_SCALES = {"million": 10**6, "billion": 10**9}
_SCALES = {"hundred": 100, "thousand": 1000, **_KEPT_SCALES}
_WORD = "(?:{})".format("|".join(sorted([*_UNITS, *_TEENS, *_TENS, *_SCALES], key=len, reverse=True)))
_FIRST_WORD = "(?:{})".format("|".join(sorted([*_UNITS, *_TEENS, *_TENS], key=len, reverse=True)))
# A number said in words: its words apart or hyphened from a number below a hundred or "a" and a scale, "and" after
# a scale ("a hundred and forty"), a decimal said digit by digit ("one point two"), "and a half".
_SAID = re.compile(
    rf"\b(?:a\s+(?:hundred|thousand|million|billion)|{_FIRST_WORD})(?:(?:[\s-]+|(?<=hundred)\s+and\s+|(?<=thousand)\s+and\s+)"
    rf"{_WORD})*(?:\s+point(?:\s+(?:{'|'.join(_UNITS)}|zero|oh))+(?:\s+(?:million|billion))?)?(?:\s+and\s+a\s+half)?\b",
    re.IGNORECASE,
)
# "like" said to fill a pause: at a question's opening ("so like the fire service said what"), or before a number
# ("like thirty four degrees", "like 30"), "until" or "in total" ("extended like until when"); not the verb ("what did
# the inspectors like about the school", "did they like what they saw"), nor "what is it like", "looks like".
_LIKE_OPENING = re.compile(r"^(\W*(?:so|and|but)?\s*)like\b[\s,]*", re.IGNORECASE)
_LIKE_BEFORE = re.compile(rf"\s+like\s+(?=\d|(?:{_FIRST_WORD}|until|in\s+total)\b)", re.IGNORECASE)


# What a reply names in brackets is its story's, as the story writes it: its headlines (`retrieval.follow_up`) and
# the paragraphs it saw (`retrieval.with_seen`). "where can i get one?" of tests/data/health_desk's flu jab story,
# whose headline writes "six in ten", was declined as "six in 10".
_BRACKETED = re.compile(r"(\([^()]*\)|\[[^\[\]]*\])")


def read_as_typed(question: str, used: Callable[[list[str]], Collection[str]]) -> str:
    """`question` without the fillers of speech and the courtesy it opens or closes with (`without_courtesy`), and
    with each number said in words that is 10 or more in figures (`in_figures`) where the articles write those
    figures and not all its words (`used`: of some terms, those a paragraph holds), as one typing it writes them;
    what it names in brackets as it is. Not otherwise: "eighty seven miles an hour" of a story writing "87mph", one
    term, was declined as "87", a number no article uses; and "the top ten" of stories writing it so stays. A
    question of nothing but fillers is left as asked."""
    parts = _BRACKETED.split(question)
    asked = [_FILLERS.sub("", part) for part in parts[::2]]
    # Only the reader's own words: a reply of courtesy alone ("thanks (its story's headline)") stays as asked.
    asked[0] = without_courtesy(asked[0])
    asked[0] = _LIKE_OPENING.sub(r"\1", asked[0])
    asked = [_LIKE_BEFORE.sub(" ", part) for part in asked]
    figures = {said[0]: in_figures(said) for part in asked for said in _SAID.finditer(part)}
    if terms := {t for said, figure in figures.items() if figure != said for t in analyze(f"{said} {figure}")}:
        held = used(sorted(terms))

        def as_written(said: re.Match[str]) -> str:
            figure = figures[said[0]]
            written = all(t in held for t in analyze(figure)) and not all(t in held for t in analyze(said[0]))
            return figure if written else said[0]

        asked = [_SAID.sub(as_written, part) for part in asked]
    parts[::2] = [re.sub(r"\s+", " ", part) for part in asked]
    plain = "".join(parts).strip()
    return plain if plain.strip(" ,.?!") else question


def in_figures(said: re.Match[str]) -> str:
    """A number said in words as news writes it: in figures from 10 up, a year said in pairs ("twenty thirty") as
    the year, a million's and a billion's scale kept in words ("1.2 million"); below 10 in words, as news writes
    those, and so a round scale alone ("a hundred") and a run that is no one number ("twenty thirty forty")."""
    text = said[0]
    words = re.findall(r"[a-z]+", text.lower())
    if words[0] == "a":
        if len(words) == 2:
            return text
        words[0] = "one"
    half = words[-3:] == ["and", "a", "half"]
    words = [w for w in (words[:-3] if half else words) if w != "and"]
    scale = words.pop() if len(words) > 1 and words[-1] in _KEPT_SCALES else ""
    whole, decimals = _split_point(words)
    year = _year(whole)
    value = year or _value(whole)
    if value is None or (value < 10 and not (decimals or scale or half)):
        return text
    if year:
        figure = str(year)
    elif decimals:
        figure = f"{value}.{''.join(str(_UNITS.get(d, 0)) for d in decimals)}"
    else:
        figure = f"{value:,}.5" if half else f"{value:,}"
    return f"{figure} {scale}" if scale else figure


def _split_point(words: list[str]) -> tuple[list[str], list[str]]:
    """The words of a number before its "point", and the digits said after it."""
    if "point" not in words:
        return words, []
    at = words.index("point")
    return words[:at], words[at + 1 :]


def _year(words: list[str]) -> int | None:
    """A year said as two numbers ("nineteen seventy four", "twenty thirty"), the second from 10 to 99."""
    if len(words) < 2 or words[0] not in ("nineteen", "twenty"):
        return None
    rest = _value(words[1:])
    return _TEENS.get(words[0], 20) * 100 + rest if rest is not None and 10 <= rest <= 99 else None


def _value(words: list[str]) -> int | None:
    """The number `words` say, or None where they are no one number ("twenty thirty" is two)."""
    if not words:
        return None
    total = current = 0
    last = ""
    for word in words:
        if word in _UNITS and last not in _UNITS and last not in _TEENS:
            current += _UNITS[word]
        elif word in _TEENS and (current % 100 == 0) and last not in _UNITS:
            current += _TEENS[word]
        elif word in _TENS and current % 100 == 0 and last not in _TENS:
            current += _TENS[word]
        elif word == "hundred" and 0 < current < 10:
            current *= 100
        elif word in ("thousand", *_KEPT_SCALES) and current:
            total += current * _SCALES[word]
            current = 0
        else:
            return None
        last = word
    return total + current
