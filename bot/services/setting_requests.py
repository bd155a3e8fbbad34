"""What a message asks of a chat's settings in words, read once for every front end: the Telegram bot makes the
change as the command would (bot.tg.subscriptions), `newsbot ask` says how to make it there (bot.cli).

The requests, first to last (the first a message reads as is the one it makes):
- the digest at a time: "send me the digest at 8am", "my digest should come at 9", "change my digest to the evening",
  or its time alone: "set the time to 7am" (`TimeAsked`, as /time); asked whether it should come then, "should the
  digest come in the evening?", or a time typed by itself, "6pm", answered with when it comes and the /time that
  moves it (`TimeWondered`); moved away from a time without naming another, "not at 9pm", "instead of the morning",
  asked which time instead (`TimeAway`), and with another, "at 7 instead of 9pm", moved to that one;
- a time zone: "set my timezone to London", "I live in Berlin", or one typed alone that names no place, "UTC+2"
  (`ZoneAsked`, as /timezone);
- the digest or alerts turned on or off: "stop the digest", "turn on alerts" (`SwitchAsked`, as /digest, /alerts);
- categories no longer followed: "unsubscribe from sport" (`UnsubscribeAsked`, as /unsubscribe);
- alerts of categories: "I want alerts for tech" (`AlertsAsked`, as /subscribe and /alerts on);
- a daily digest of categories, or of the news: "send me the sport news every morning", "sport and tech news
  daily", "top 5 sport stories daily", and asked how, "how do I get sport news every morning?" (`DailyAsked`, as
  /subscribe and /time);
- the list of categories: "what categories are there?" (`CategoriesAsked`, as /categories);
- the chat's settings: "what time is my digest?", "what's my timezone?" (`SettingsAsked`, as /mysubs);
- the digest so far: "show me my digest", "what's in my digest?" (`DigestAsked`, as /digest).

Unsubscribing, alerts and daily digests name categories, and are requests only when their words do ("unsubscribe
me from the weather" in a bot without Weather is searched), or nearly do in a message written as a request ("stop
spot": did you mean Sport?; "stop spot?" is searched: `CategoryMisnamed`). No Telegram and no store here:
`read_request` reads the words alone and leaves such readings `Unsettled`, so the caller reads the categories (a
store call) only for a message whose words may name some; `setting_request` does both for a caller that need not
mind. A bare verb before "the" makes a phrase, no request ("follow the money" in a bot with Money; "follow money" is
one): it is searched, and `phrase_request` reads the request it would be, whose command the bot says under the
answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import time

from bot.analysis import english_words, fold
from bot.errors import UsageError
from bot.render.markup import HTML, Style, spoken_categories
from bot.render.subscriptions import SUBSCRIBE_USAGE, UNSUBSCRIBE_USAGE, daily_how, time_how
from bot.render.welcome import asked_alerts, asked_switch, asked_unsubscribe, small_talk
from bot.services.categories import match_categories
from bot.services.schedule import (
    DailyAsk,
    asked_daily,
    asked_digest_part,
    asked_digest_time,
    asked_time,
    asked_zone,
    parse_time_and_zone,
    place_lived_in,
    time_alone,
    time_in,
    zone_alone,
)

# The most words that may name the categories of a daily digest ("sport, tech and business").
_NAMING_WORDS = 5
# Between the names of categories ("sport and tech").
_AND = frozenset({"and", "&", "plus"})
# Words of a question, which name no category in a request.
_QUESTION_WORDS = frozenset(
    {"what", "what's", "whats", "when", "where", "which", "who", "whose", "why", "is", "are", "was", "were", "did",
     "does", "do", "has", "had"}
)  # fmt: skip


@dataclass(frozen=True)
class TimeAsked:
    """The digest at a time: the words /time reads ("at 8am", "at 7:30 London"), or none and the part of the day it
    was moved to ("evening"); `on`: the digest asked for ("send me the digest at 8am"), so turned on after /digest off
    too, else its time alone set, as /time sets it ("set the time to 7am")."""

    typed: str | None
    part: str | None = None
    on: bool = True


@dataclass(frozen=True)
class TimeWondered:
    """Whether the digest should come at a time or in a part of the day, asked ("should the digest come in the
    evening?", "will my digest come at 8am?"): as `TimeAsked`, read as an order it moved the digest, and turned it on.
    Nothing changes: the reply says when it comes and the /time that moves it."""

    typed: str | None
    part: str | None

    def met_by(self, daily: time, zone: str) -> bool:
        """Whether a digest at `daily` in `zone` comes then already ("should my digest come in the evening?" of one at
        18:00 was told the /time that moves it to the evening)."""
        if self.part is not None:
            return time_in(self.part, daily) == daily
        try:
            at, named = parse_time_and_zone(self.typed or "")
        except UsageError:
            return False
        return at == daily and named in (None, zone)


@dataclass(frozen=True)
class TimeAway:
    """The digest moved away from a time or a part of the day (`away`: "9pm", "the morning") without naming the time it
    should come at instead ("not at 9pm", "instead of the morning"): asked which. Read as the time named, "instead of
    9pm" moved the digest to 21:00, and "not at 9pm" was searched."""

    away: str


@dataclass(frozen=True)
class ZoneAsked:
    """A time zone: the words /timezone reads ("London", "Berlin, Germany"); `remark`: a reader saying where they are
    ("I live in Berlin"), which in a group is a member's word about themselves, not an order to change the group's."""

    typed: str
    remark: bool = False


@dataclass(frozen=True)
class SwitchAsked:
    """The daily digest or alerts (`what`: "digest" or "alerts") turned on or off."""

    what: str
    on: bool


@dataclass(frozen=True)
class UnsubscribeAsked:
    """Categories no longer followed: the words naming them, as /unsubscribe reads them ("all" too), and once
    settled (`Unsettled.settle`) the categories they name, as the library names them."""

    words: tuple[str, ...]
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertsAsked:
    """Alerts of categories: the words naming them, as /subscribe reads them, and once settled the categories they
    name."""

    words: tuple[str, ...]
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class DailyAsked:
    """A daily digest of `categories` (none: of what the chat follows), at the time or in the part of the day asked,
    or asked how to get it (`when.how`)."""

    categories: tuple[str, ...]
    when: DailyAsk


@dataclass(frozen=True)
class CategoriesAsked:
    """The categories there are, with their articles; `counted`: asked how many articles there are ("how many
    articles do you have?"), told first with their dates (`render.welcome.holdings`)."""

    counted: bool = False


@dataclass(frozen=True)
class SettingsAsked:
    """What the chat gets now: its categories, digest time, time zone and alerts."""


@dataclass(frozen=True)
class DigestAsked:
    """The chat's digest so far; `again`: asked for again ("send me the digest again"), which of a digest turned off
    asks for it back, as /digest on."""

    again: bool = False


@dataclass(frozen=True)
class CategoryMisnamed:
    """Categories asked to be followed or no longer followed by words that name none but nearly do ("subscribe me
    to sprot", "unsubscribe me from sprot"): what was not understood, as /subscribe or /unsubscribe says it ("There
    is no category “sprot”: did you mean Sport?"), and that command's usage."""

    problem: str
    usage: str


SettingRequest = (
    TimeAsked
    | TimeWondered
    | TimeAway
    | ZoneAsked
    | SwitchAsked
    | UnsubscribeAsked
    | AlertsAsked
    | DailyAsked
    | CategoriesAsked
    | SettingsAsked
    | DigestAsked
    | CategoryMisnamed
)
# A reading whose words must name categories for the message to make it.
Naming = UnsubscribeAsked | AlertsAsked | DailyAsk


@dataclass(frozen=True)
class Unsettled:
    """The readings of a message whose words must name categories, first to last: the first that does (`settle`) is
    the request it makes."""

    readings: tuple[Naming, ...]
    # Written as a question (`_written_as_question`): common English words nearly naming categories make no request.
    asked: bool = False

    def settle(self, names: Sequence[str]) -> SettingRequest | None:
        """The request made, given the categories the words may name (a chat's own too, whose stories are gone);
        None when no reading's words name them, nor nearly name them (`_misnamed`) by words that are no common
        English words when written as a question ("stop sprot?", not "stop spot?")."""
        for reading in self.readings:
            if isinstance(reading, DailyAsk):
                if not reading.words:  # "send me the news every morning": whatever the chat follows
                    return DailyAsked((), reading)
                if categories := _named(reading.words, names):
                    return DailyAsked(categories, reading)
            elif (match := match_categories(reading.words, names)).complete:
                # "remove sport" said back as "stops following sport", where the library names it Sport.
                return replace(reading, named=match.matched)
        return _misnamed(self.readings[0], names, self.asked)


def _misnamed(reading: Naming, names: Sequence[str], asked: bool = False) -> CategoryMisnamed | None:
    """The request a message's first reading makes when its words nearly name categories: each names one, or has
    near misses to suggest ("sprot": Sport). Those got the line on every subscription command (or were searched),
    where /subscribe sprot asked "did you mean Sport?". Written as a question (`asked`), only when none of those
    words is a common English word: "stop spot?" asks about a spot, while "stop sprot?" was searched too, its
    misspelling no word but the category's."""
    match = match_categories(_without_and(reading.words), names)
    unnamed = (*match.unknown, *match.ambiguous)
    if not unnamed or not all(item.candidates for item in match.unknown):
        return None
    if asked and any(fold(item.word) in english_words() for item in unnamed):
        return None
    usage = UNSUBSCRIBE_USAGE if isinstance(reading, UnsubscribeAsked) else SUBSCRIBE_USAGE
    return CategoryMisnamed(match.problem() or "", usage)


# A request asked politely or asked how ("can you stop sending me spot news?", "how do I follow spot?"): a question
# mark after it leaves it a request.
_POLITE = re.compile(
    r"\W*(?:please\b|(?:can|could|would|will)\s+(?:you|u|i|we)\b|how\s+(?:do|can|should|would)\s+(?:i|we)\b)",
    re.IGNORECASE,
)


def _written_as_question(text: str) -> bool:
    """Whether a message is written as a question ("stop spot?", "follow spot?"), not as a request ("stop spot",
    "subscribe me to spots", "can you stop sending me spot news?"): a question asks about something, and a word in
    it that nearly names a category is its own ("spot"), where a request's is a category misspelt. (A question
    opening with "what", "where" or "why" reads as no request at all.)"""
    return text.rstrip().endswith("?") and not _POLITE.match(text)


# A word a reader opens a correction with ("actually make it 9pm", "ok, 7pm please", "no, make it 9pm"): the request
# is read without it ("actually" was read as a category's name, and the message searched). "No" only before a comma:
# "no digest please" turns the digest off.
_OPENER = re.compile(r"\s*(?:(?:actually|ok|okay|oh|um+|hm+|well|sorry|wait)\b[\s,.!:;-]*|no\s*,\s*)", re.IGNORECASE)


# What a reader coming back adds to a request ("turn the digest back on", "send me the digest again", "I want my
# alerts back"), read without it: such messages were searched ("No article uses the words “send” or “digest”").
_AGAIN = re.compile(r"\s+(?:again|back)\b", re.IGNORECASE)


def read_request(text: str) -> SettingRequest | Unsettled | None:
    """The request a message makes of the chat's settings (see the module's docstring), from its words alone: a
    request naming categories comes `Unsettled` until the caller gives them; None for a message asking none of them
    ("why did the union stop the strike?", "when is the morning news?")."""
    read = _read_request(text)
    # Read whole, "send me the daily digest again" asked for a digest of the category "again".
    if not (read is None or isinstance(read, Unsettled)) or (plain := _AGAIN.sub("", text)) == text:
        return read
    coming_back = _read_request(plain)
    # Only a setting turned on or shown: "stop the digest again" stops it whatever "again" says, as read whole.
    if isinstance(coming_back, DigestAsked):
        return DigestAsked(again=True)
    if isinstance(coming_back, SettingsAsked | DailyAsked) or (isinstance(coming_back, SwitchAsked) and coming_back.on):
        return coming_back
    if isinstance(coming_back, Unsettled) and all(isinstance(r, DailyAsk) for r in coming_back.readings):
        return coming_back
    return read


def _read_request(text: str) -> SettingRequest | Unsettled | None:
    text = text[found.end() :] if (found := _OPENER.match(text)) else text
    if (away := _moved_away(text)) is not None:
        return away
    if (timed := _time_asked(text)) is not None:
        return TimeWondered(timed.typed, timed.part) if _WONDERING.match(text) else timed
    if (typed := time_alone(text)) is not None:  # "6pm" alone: when the digest comes, and the /time that moves it
        return TimeWondered(typed, None)
    if (typed := asked_zone(text)) is not None:
        return ZoneAsked(typed, remark=bool(place_lived_in(text)))
    if (typed := zone_alone(text)) is not None:  # "UTC+2" typed alone: as said of oneself, "I'm on UTC+2"
        return ZoneAsked(typed, remark=True)
    if (switched := asked_switch(text)) is not None:
        return SwitchAsked(*switched)
    readings = _naming(text, _a_phrase(text))
    if not readings:
        return _SHOWN.get(small_talk(text) or "")
    first = readings[0]
    if isinstance(first, DailyAsk) and not first.words:  # names no category: settled without reading them
        if (first.time or first.part) and not first.how:  # "send me the news at 7am", "every morning"
            return TimeAsked(first.time, first.part)  # "Daily digest on." and that it moved said its time thrice
        return DailyAsked((), first)
    return Unsettled(tuple(readings), asked=_written_as_question(text))


def _time_asked(text: str) -> TimeAsked | None:
    """The digest's time a message sets or asks for (`TimeAsked`), or None."""
    if (typed := asked_digest_time(text)) is not None:
        return TimeAsked(typed)
    if (typed := asked_time(text)) is not None:
        return TimeAsked(typed, on=False)
    if (moved := asked_digest_part(text)) is not None:
        # "set the time to the evening" sets the time alone, as "set the time to 7am" does: it turned the digest on.
        return TimeAsked(None, moved[0], on=moved[1])
    return None


# What a reader moves the digest away from: "instead of 9pm", "rather than the morning", "not at 9pm", "not in the
# evening"; `_moved_away` reads the time after it.
_AWAY = re.compile(r"\b(?:instead\s+of|rather\s+than|not\s+(?:at|in|for))\s+", re.IGNORECASE)
# The most words a time moved away from takes ("9 pm", "the early evening" is no part of the day read).
_AWAY_WORDS = 3
_PART_NAMED = re.compile(r"(?:the\s+)?(?:morning|afternoon|evening|night)s?", re.IGNORECASE)
# Words around a time moved away from that ask nothing else ("not at 9pm please", "the digest instead of the morning").
_AWAY_FILLER = frozenset(
    {"please", "pls", "thanks", "but", "just", "the", "my", "our", "digest", "it", "send", "make", "have", "come",
     "daily", "news", "can", "could", "you"}
)  # fmt: skip


def _moved_away(text: str) -> TimeAsked | TimeWondered | TimeAway | None:
    """The digest moved away from a time (`_AWAY`): to the time the rest of the message names ("at 7 instead of
    9pm", "send it at 7 rather than 9pm"), or asked which (`TimeAway`) when it names none ("not at 9pm", "instead of
    the morning"); None when the words after `_AWAY` are no time, or the rest asks something else ("why did the match
    start at 7 instead of 9pm?", "a bridge instead of a tunnel")."""
    found = _AWAY.search(text)
    if found is None:
        return None
    after = text[found.end() :].split()
    for count in range(min(_AWAY_WORDS, len(after)), 0, -1):
        away = " ".join(after[:count]).rstrip("?!.,;")
        if time_alone(away) is not None or _PART_NAMED.fullmatch(away):
            rest = f"{text[: found.start()]} {' '.join(after[count:])}".strip(" ,.!?;")
            break
    else:
        return None
    if not set(re.findall(r"[\w']+", rest.casefold())) - _AWAY_FILLER:
        return TimeAway(" ".join(away.split()))
    read = read_request(rest)
    if isinstance(read, TimeWondered) and not _WONDERING.match(rest):  # "at 7 instead of 9pm": an order
        return TimeAsked(read.typed, read.part, on=False)
    return read if isinstance(read, TimeAsked | TimeWondered) else None


# A question whose subject is the digest or its time ("should the digest come in the evening?", "will my digest come
# at 8am?"), not the bot ("will you send me the digest at 8am?"), nor the polite "can"/"could" of a request ("can the
# digest come in the morning instead?").
_WONDERING = re.compile(r"\W*(?:should|shall|will|would|does|do|is)\s+(?:the|my|our|your|this|it)\b", re.IGNORECASE)


def phrase_request(text: str) -> Unsettled | None:
    """What a phrase of a bare verb ("follow the money", "stop the world": `_PHRASE`) asks when read as a request:
    it is searched, and the caller may say beside the answer the command that does it when its words name categories
    (`Unsettled.settle`), for a reader who meant them; None for any other message."""
    if not _a_phrase(text):
        return None
    readings = _naming(text, phrase=False)
    return Unsettled(tuple(readings)) if readings else None


def _naming(text: str, phrase: bool) -> list[Naming]:
    """The readings of a message whose words must name categories, first to last; of a `phrase` (`_a_phrase`) only
    those its bare verb does not make: alerts, and a digest asked for at a time."""
    readings: list[Naming] = []
    if not phrase and (words := asked_unsubscribe(text)) is not None:
        readings.append(UnsubscribeAsked(tuple(words)))
    if (words := asked_alerts(text)) is not None:
        readings.append(AlertsAsked(tuple(words)))
    daily = asked_daily(text)
    if daily is not None and _may_name(daily.words) and not (phrase and daily.time is None and daily.part is None):
        readings.append(daily)
    return readings


# A bare "follow", "stop", "add" or "remove" before "the" (or "a", "this") makes a phrase of the words after it:
# "follow the money" and "stop the world" are said of other things than a bot's Money or World, and followed or
# stopped them at once. A word of the category ("stop the sport news"), how often or when ("follow the money every
# morning"), or the bot's own verbs ("subscribe to the money", "stop following the world") make them a request again.
_PHRASE = re.compile(r"(?:.*\s)?(?:follow|stop|add|remove)\s+(?:the|a|an|this|that)\s+(?P<rest>.+)", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_NAMES_A_CATEGORY = frozenset(
    {"news", "stories", "headlines", "updates", "category", "categories", "daily", "everyday", "every", "each"}
)


def _a_phrase(text: str) -> bool:
    """Whether a message of a bare verb reads as a phrase rather than a request (`_PHRASE`)."""
    found = _PHRASE.fullmatch(text.strip())
    return found is not None and not any(word.casefold() in _NAMES_A_CATEGORY for word in _WORD.findall(found["rest"]))


# What small talk asks to be shown.
_SHOWN: dict[str, SettingRequest] = {
    "categories": CategoriesAsked(),
    "holdings": CategoriesAsked(counted=True),
    "settings": SettingsAsked(),
    "digest": DigestAsked(),
}


def _may_name(words: Sequence[str]) -> bool:
    """Whether a daily digest's words may name categories (the store is read to know): not more words than a few
    names have, nor a question's ("is there a daily limit on tech stocks?", "what was in the digest at 8am?")."""
    return len(words) <= _NAMING_WORDS and not any(word.casefold() in _QUESTION_WORDS for word in words)


def _named(words: Sequence[str], names: Sequence[str]) -> tuple[str, ...]:
    """The categories a daily digest's words name, every word naming one ("sport and tech": Sport and Tech; "Science
    and Environment" one); none when a word names none, or for "everything", which /subscribe reads as all."""
    for tried in (words, _without_and(words)):
        match = match_categories(tried, names)
        if match.complete and not match.everything:
            return match.matched
    return ()


def _without_and(words: Sequence[str]) -> list[str]:
    """`words` without those joining names ("sport and tech", "sport & tech")."""
    return [word for word in words if word.casefold() not in _AND]


def setting_request(text: str, names: Callable[[], Sequence[str]]) -> SettingRequest | None:
    """`read_request`, settled with `names` (the categories words may name), which is called only when the words
    may name some: every message is asked this first, and a greeting during a store outage was told only that the
    database is not answering."""
    read = read_request(text)
    return read.settle(names()) if isinstance(read, Unsettled) else read


def setting_command(request: SettingRequest, style: Style = HTML) -> str:
    """The bot's command for what a message asked of a chat's settings in words, and what it does, as a sentence
    escaped for `style` ("/unsubscribe sport stops following Sport."): said where the words change nothing, by
    `newsbot ask`, which has no chat settings, and by the bot to a question about them ("should the digest come in
    the evening?"). A list of categories is shown, not pointed to."""
    the_digest = "the daily digest"
    match request:
        case TimeAsked(typed, part) | TimeWondered(typed, part):
            command = time_how(typed, part, the_digest, style)
        case TimeAway(away):
            command = f"/time with the time you want instead of {style.escape(away)} moves {the_digest}, like /time 7am"
        case ZoneAsked(typed):
            command = f"/timezone {style.escape(typed)} sets the time zone digests and stories' times are shown in"
        case SwitchAsked(what, on):
            side = "on" if on else "off"
            command = f"/{what} {side} turns {the_digest if what == 'digest' else 'alerts'} {side}"
        case UnsubscribeAsked(words, named):
            typed = style.escape(" ".join(words))
            command = f"/unsubscribe {typed} stops following {spoken_categories(named, style) or 'every category'}"
        case AlertsAsked(words, named):
            typed = style.escape(" ".join(words))
            command = f"/subscribe {typed} follows {spoken_categories(named, style) or 'every category'} and /alerts on"
            command += f" sends {'its' if len(named) == 1 else 'their'} stories as they arrive"
        case DailyAsked(categories, when):
            return daily_how(categories, when.time, when.part, style)
        case SettingsAsked():
            command = "/mysubs shows what a chat gets: its categories, digest time, time zone and alerts"
        case DigestAsked():
            command = "/digest shows the digest so far"
        case CategoriesAsked():
            command = "/categories lists the categories with their articles"
        case CategoryMisnamed(problem, usage):
            return style.escape(f"{problem}\n{usage}")
    return f"{command}."
