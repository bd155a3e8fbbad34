"""When a chat's daily digest is due: the time and zone a reader types, and the next digest in local time.

Pure functions of their arguments: the current instant is passed in (`now`, `after`), never read from the clock,
and nothing here touches the store or Telegram. Instants are timezone-aware and come back in UTC; a daily time is
a naive wall-clock `time` read in the chat's zone. The rules, each tested in tests/test_schedule.py:

- Zone keys (what the store keeps): a tz database name as the database spells it ("Europe/Berlin"), "UTC", or a
  fixed offset written "UTC+03:00" / "UTC-04:30" with the everyday sign (UTC+03:00 is three hours ahead of UTC).
  "Etc/GMT+3", whose POSIX sign is the other way round, is stored as "UTC-03:00"; every name for UTC as "UTC".
  `zone(key)` gives the tzinfo of a key.
- City names: the last part of a zone name under a geographic area (Africa, America, ..., Pacific), ignoring case,
  accents, spaces, "_", "-", "." and apostrophes ("sao paulo", "São Paulo", "newyork"). When several zones end
  in the same city (America/Buenos_Aires and America/Argentina/Buenos_Aires) the longest name wins, then the
  alphabetically first; today these are links to one another, so the clock is the same whichever is kept.
  A city may be followed by its country ("Berlin, Germany", "Berlin (Germany)", "berlin germany", the tz database's
  zone.tab and iso3166.tab saying which zones are whose); a city of that name elsewhere is refused ("Paris, Texas").
  A place may be followed by "time" or "city" ("London time", "New York City", "8am Moscow time").
  Names that would give a wrong clock are refused with the zones they may mean: "Samoa" (Pacific/Samoa is American
  Samoa, a day behind the state of Samoa) and abbreviations (EST, PST, IST: half the year, or several places). An
  abbreviation of one clock all year is its zone (MSK: Europe/Moscow, JST: Asia/Tokyo); the abbreviations are the
  ones article dates read (`bot.ingest.dates.NAMED_ZONES`), with IST.
- Times: 24-hour and am/pm forms, "at 8", "19h", "8 in the morning"; a zone may follow one ("8am London":
  `parse_time_and_zone`), read as `parse_timezone` reads it.
- A daily time in a spring-forward gap (02:30 on the day Berlin jumps from 02:00 to 03:00) is due at the first
  instant after the gap (03:00 local), also when the gap takes the clock past midnight: Nuuk's 23:30 on 28 March
  2026 (23:00 went to 00:00 on the 29th) is due at that midnight, as the 28th's digest (`digest_day`); the 29th
  has its own. A day that a change skips past entirely (Samoa went from 29 to 31 December 2011) has no digest: the
  next day has its own.
- A daily time in a fall-back fold (02:30 twice) is due once, at its first occurrence.
- At most one scheduled digest per local day of the chat's zone (`digest_day`), also when the reader changes the
  time or the zone after today's digest.
- Catch-up: a digest that fell due while the bot was down is sent late while its local day lasts on the chat's
  clock (a bot down from 07:00 to 11:00 sends the 08:00 digest at 11:00), or, past its day's end, while its due time
  is at most `grace` old (a 23:30 digest at 00:15); older ones are skipped. Only the latest due time is ever sent,
  and the next due time is always the next future occurrence, so an outage of any length never turns into a burst
  of the days missed, nor two digests at once.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from bot.analysis import data_lines
from bot.errors import UsageError
from bot.ingest.dates import NAMED_ZONES
from bot.wording import spoken_list

UTC_KEY = "UTC"
# The forms `parse_time` and `parse_timezone` accept, for usage lines and error messages.
TIME_FORMS = "07:30, 19:05, 7:30, 0730, 7am, 7:30pm, half past 7, quarter to 8, noon or midnight"
ZONE_FORMS = "a city (Berlin, New York, São Paulo), a zone name (Europe/Berlin) or an offset from UTC (+03:00, UTC-5)"
# The window of the first scheduled digest, when there is no previous one to start from.
FIRST_WINDOW = timedelta(hours=24)
# The offsets of the world's clocks run from UTC-12:00 (Baker Island) to UTC+14:00 (Line Islands).
LOWEST_OFFSET = timedelta(hours=-12)
HIGHEST_OFFSET = timedelta(hours=14)
GEOGRAPHIC_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)
# Entries of the tz database that are no one's clock.
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})
# Names that would give the wrong clock, refused with the zones they may mean. Pacific/Samoa is American Samoa, a
# day behind the state of Samoa (Pacific/Apia). Abbreviations hold only half the year (the tz database's EST and
# MST never change; a reader typing EST in New York means a clock that does) or name several places (IST); those
# that name one clock are that clock's zone (MSK: Europe/Moscow). Dates read the same abbreviations (NAMED_ZONES).
_TRAPS = {
    "samoa": ("Pacific/Apia", "Pacific/Pago_Pago"),
    # A country and a US state (Georgia) or a capital and a state (Washington), on different clocks.
    "georgia": ("Asia/Tbilisi", "America/New_York"),
    "washington": ("America/New_York", "America/Los_Angeles"),
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    **{name.casefold(): named.may_mean for name, named in NAMED_ZONES.items() if named.zone is None},
}
_ABBREVIATIONS = {name.casefold(): named.zone for name, named in NAMED_ZONES.items() if named.zone is not None}
# A city followed by its country: "Berlin, Germany", "Berlin (Germany)".
_CITY_COUNTRY = re.compile(r"(?P<city>[^,()]+?)\s*(?:,\s*(?P<country>[^,()]+)|\(\s*(?P<bracketed>[^,()]+?)\s*\))")
# Countries as readers name them where the tz database's iso3166.tab says otherwise ("Britain (UK)").
_COUNTRY_ALIASES = {
    "uk": "GB",
    "unitedkingdom": "GB",
    "greatbritain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    "us": "US",
    "usa": "US",
    "unitedstatesofamerica": "US",
    "southkorea": "KR",
    "northkorea": "KP",
    "czechia": "CZ",
    "burma": "MM",
    "swaziland": "SZ",
    "turkey": "TR",
    "uae": "AE",
}
# A country of more zones than this is asked for a city without listing them (Russia has 26).
_COUNTRY_ZONES_NAMED = 4
_UTC_NAMES = frozenset({"utc", "gmt", "z", "zulu", "uct", "universal", "greenwich", "gmt0", "gmt+0", "gmt-0"})
# GMT by name, which a reader in the UK may take for London's clock (BST in summer).
_GMT_NAMES = frozenset({"gmt", "etc/gmt", "greenwich", "gmt0"})
# Longer input is not a time or a zone; refusing it early keeps difflib's cost and the echoed text small.
_MAX_INPUT_CHARS = 64
_SHOWN_CHARS = 40
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
# A comma too: "Washington, DC" is the city "Washington DC", not Washington in a country "DC".
_NAME_NOISE = re.compile(r"[\s_.,'\u2019-]+")
# Words readers put after a place that name no other clock: "London time", "New York City".
_PLACE_AFTER = re.compile(r"\s+(?:time|city)$", re.IGNORECASE)

# Digits of any script, which `int` reads: a reader may type Arabic-Indic or Devanagari digits.
# "at 8", "8am", "8 in the morning", "7 this evening", "7 tonight", "8 every morning", "19h" (as the French and others
# write it), "20h30"; the part of the day alone too, as "tomorrow" leaves it ("8 tomorrow morning" was the time 8 in
# the unknown time zone "morning").
_PART_OF_DAY = r"(?:(?:in\s+the|this|every|each)\s+)?(?:morning|afternoon|evening)|(?:at\s+|to|every\s+|each\s+)night"
_TIME = re.compile(
    r"(?:at\s+|@\s*)?(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2})|(?P<compact>\d{2}))?"
    rf"(?:\s*(?P<half>[ap])\.?\s*m\.?|\s+(?P<part>{_PART_OF_DAY})|h)?"
)
# Words about the days a daily time comes, not about the time: "/time 19:30 tomorrow" was refused as the unknown
# time zone "tomorrow".
_EVERY_DAY = re.compile(
    r"\b(?:(?:from|starting)\s+)?(?:today|tomorrow|daily|every\s*day|each\s+day)(?:\s+on(?:wards?)?)?\b", re.IGNORECASE
)
# The words around a time or a zone in a message asking for a setting ("can you send me my daily digest at 8am
# please?", "set my timezone to London"): words any request may start or end with, and each setting's own; the
# message must name the setting. Not "the" inside the time ("8 in the morning"): only a message's first and last
# words are read past.
_ASKING = frozenset(
    {"please", "pls", "plz", "thanks", "can", "could", "would", "you", "i", "i'm", "we", "want", "set", "change",
     "make", "put", "it", "me", "my", "our", "the", "time", "to", "now", "for", "of", "hi", "hello", "ok", "okay", "so",
     "just", "bot"}
)  # fmt: skip
_DIGEST_WORDS = frozenset({"digest", "digests"})
_DIGEST_ASKING = frozenset(
    {"will", "i'd", "id", "wanna", "like", "get", "have", "receive", "send", "give", "move", "us", "a", "daily", "news",
     "come", "arrive", "deliver", "schedule", "instead"}
)  # fmt: skip
# Words that change when the digest comes: a message naming only "the time" sets it with one of them ("set the
# time to 7am"; "time" is in too many questions), and one naming a part of the day moves the digest there with one
# ("change my digest to the evening"; "send me the evening digest" asks for the digest itself, as `asked_daily` reads).
_CHANGING = frozenset({"set", "change", "make", "put", "move", "switch", "update", "reschedule"})
_MOVING = _CHANGING | {"should", "come", "arrive", "instead"}
_ASKING_FOR_DIGEST = _ASKING | _DIGEST_WORDS | _DIGEST_ASKING | _MOVING
# What a message setting the time alone names instead of the digest ("set the time to 7am", "make it 9pm", "8pm
# instead"), and the words around such a time.
_TIME_NAMED = frozenset({"time", "it", "instead"})
# What a time typed alone holds besides a number's word (`time_alone`): a digit, or noon or midnight.
_A_TIME_SAID = re.compile(r"\d|\b(?:noon|midday|midnight)\b", re.IGNORECASE)
_ASKING_FOR_TIME = _ASKING | _CHANGING | _TIME_NAMED
# A part of the day the digest is moved to, once the words around it are read past ("to the evening": "evening").
_PART_ALONE = re.compile(r"(?:in\s+the\s+|at\s+)?(?P<part>morning|afternoon|evening|night)s?", re.IGNORECASE)
_ZONE_WORDS = frozenset({"timezone", "zone", "tz"})
_ASKING_FOR_ZONE = _ASKING | _ZONE_WORDS | {"im", "am", "switch", "update", "use", "is", "in", "be", "should"}
# A daily digest asked for in words with what it holds ("send me the sport news every morning", "daily tech news at
# 7"): the words such a request has besides its category, its time and how often; any other word makes it a question
# ("what sport news is there this morning?").
_DAILY_ASKING = _ASKING | _DIGEST_ASKING | _DIGEST_WORDS | {
    "headlines", "stories", "updates", "every", "each", "day", "everyday", "days", "a", "an", "on", "about", "some",
    "subscribe", "follow", "add", "sign", "up", "need", "love", "latest", "top", "all", "your",
}  # fmt: skip
# Words that follow categories, whose request needs no time ("subscribe me to sport", "follow tech", "add tech": the
# last searched).
_FOLLOWING = frozenset({"subscribe", "follow", "add"})
# Words that ask for something to come, which a request naming no category needs ("send me the news every morning";
# "news at 10" is a programme); the digest itself too, in a part of the day as a habit or with `_PLEASE`.
_DAILY_VERBS = frozenset(
    {"send", "get", "give", "receive", "deliver", "want", "like", "subscribe", "wanna", "move", "change", "set", "make"}
)
_PLEASE = frozenset({"please", "pls", "plz"})
# A number of stories asked for with them ("top 5").
_STORY_COUNT = re.compile(r"\d{1,2}")
# How often: a daily digest is asked for with one of these, a time, or a part of the day.
_DAILY = re.compile(r"daily|every\s*day|each\s+day", re.IGNORECASE)
# A part of the day as a daily habit: "every morning", "each evening", "in the mornings", "mornings", and of the
# digest: "the morning digest", "move my digest to the evening" (both searched).
_DAILY_PART = re.compile(
    r"(?:(?:every|each)\s+(?P<every>morning|afternoon|evening|night)"
    r"|(?:in\s+the\s+)?(?P<plural>morning|afternoon|evening|night)s"
    r"|(?:in|to)\s+the\s+(?P<in>morning|afternoon|evening)s?\b|(?P<of>morning|afternoon|evening|night)(?=\s+digests?\b))",
    re.IGNORECASE,
)
# Digits typed as a time of day, which /time may refuse ("at 25:00", "7:75pm").
_CLOCK_DIGITS = re.compile(r"(?:at\s+|@\s*)?\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?)?", re.IGNORECASE)
# The first word of a time a request names: "at 7", "7am", "half past 7", "noon".
_TIME_START = re.compile(r"(?:at|@|\d.*|half|quarter|noon|midday|midnight)", re.IGNORECASE)
# The most words a time takes ("at 7 in the morning"), and a zone after it ("New York City time").
_TIME_SPAN = 5
# An hour alone ("change my digest to 9"); more digits alone are a year.
_HOUR_DIGITS = 2
_ZONE_SPAN = 4
# A request asked as how to make it: "how do I get sport news every morning?".
_HOW = re.compile(r"\s*how\s+(?:do|can|could|should|would|will)\s+(?:i|we)\s+", re.IGNORECASE)
# When a digest asked for in a part of the day alone comes, unless the chat's time lies in that part already.
PART_TIMES = {"morning": time(8), "afternoon": time(13), "evening": time(18), "night": time(21)}
# A reader saying where they are: "I live in Berlin", "I'm in New York", "I am based in Tokyo", "we're now in the UK",
# "I moved to Tokyo" (searched, it found stories of moves).
_LIVING = re.compile(
    r"(?:hi,?\s+|hello,?\s+)?(?:i|we)(?:(?:\s+(?:live|am|are|reside|stay)|['\u2019]?m|['\u2019]re)"
    r"(?:\s+(?:currently|now|based|living|staying|located))*\s+in"
    r"|(?:\s+have|['\u2019]ve)?(?:\s+just|\s+now)?\s+moved\s+to)\s+(?:the\s+)?(?P<place>.+)",
    re.IGNORECASE,
)
_AROUND_WORD = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb!?,;:\u2026()[]"
# Spoken times, read as the digits they say: "half past seven" is 7:30, "quarter to 8pm" 7:45pm, "half 7" (as the
# British say it) 7:30, "seven o'clock" 7:00, "seven thirty" 7:30. Number words name hours and minutes; "half" and
# "quarter" only before "past" or "to" ("half" before an hour too), so "quarter" alone is no 15:00.
_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ],
        start=1,
    )
} | {"twenty-five": 25, "twenty five": 25, "thirty": 30, "forty-five": 45, "forty five": 45}
_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))})\b")
_SPOKEN_MINUTES = {"quarter": 15, "half": 30}
_O_CLOCK = re.compile(r"\s*o['\u2019]?\s*clock\b")
_SPOKEN = re.compile(
    r"(?:at\s+)?(?:a\s+)?(?P<minutes>\d{1,2}|quarter|half)\s+(?:minutes?\s+)?(?P<relation>past|after|to|before|till)\s+"
    r"(?P<hour>\d{1,2}|noon|midnight)(?P<rest>.*)"
)
_HALF_HOUR = re.compile(r"(?:at\s+)?half\s+(?P<hour>\d{1,2})(?P<rest>(?:\s*[ap]\.?\s*m\.?|\s+(?:in|at)\s.*)?)")
_HOUR_MINUTES = re.compile(r"(?P<hour>(?:at\s+)?\d{1,2})\s+(?P<minutes>15|30|45)(?P<rest>(?!\d).*)")
# The half of the day a part of it names; at night, 6 to 11 are in the evening and 12 to 5 after midnight.
_PARTS = {"morning": "a", "afternoon": "p", "evening": "p"}
# The hours of the 24-hour clock each part of the day holds ("19:30 tonight"; "13:00 in the evening" is none).
_HOURS_OF = {
    "morning": range(12),
    "afternoon": range(12, 18),
    "evening": range(17, 24),
    "night": (*range(18, 24), *range(6)),
}
_OFFSET = re.compile(r"(?:(?:utc|gmt)\s*)?(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?")
_ETC_GMT = re.compile(r"etc/gmt(?P<sign>[+-])(?P<hours>\d{1,2})", re.ASCII)
_OFFSET_KEY = re.compile(r"UTC[+-]\d\d:\d\d", re.ASCII)
# A clock's name as the tz database writes it in letters ("BST", "CEST"); others it writes as offsets ("-03").
_ZONE_LETTERS = re.compile(r"[A-Z]{2,5}")
# A zone typed alone that names no place (`zone_alone`): an offset from UTC or a tz database name.
# A sign and a number alone ("-5") may be a score or a temperature.
_ZONE_ALONE = re.compile(
    r"(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{1,2}:\d{2}|[a-z]+(?:/[a-z_+-]+)+", re.IGNORECASE
)
# A zone after a time starts with a letter (London, UTC+1) or a sign (+03:00).
_ZONE_START = re.compile(r"[^\W\d_]|[+-]")


class Window(NamedTuple):
    """A half-open span of arrival times [start, end) in UTC."""

    start: datetime
    end: datetime

    def covers(self, instant: datetime) -> bool:
        """True when `instant` falls in the window (its start included, its end not)."""
        return self.start <= instant < self.end


class Plan(NamedTuple):
    """What to do for a chat whose stored due time has come: what to send now, and the due time to store next."""

    # The due instant of the digest to send now (the end of its window), or None: nothing is due or it is too late.
    send: datetime | None
    next: datetime


def parse_time(text: str) -> time:
    """The daily time a reader typed ("07:30", "7:30", "0730", "7am", "7:30 pm", "noon"), to the minute."""
    cleaned = _clean(text).casefold()
    if not cleaned:
        raise UsageError(f"Give a time of day, like {TIME_FORMS}.")
    said = re.sub(r"^(?:at|@)\s*", "", cleaned)  # "at noon" as "at 8"
    if said in ("noon", "midday"):
        return time(12, 0)
    if said == "midnight":
        return time(0, 0)
    found = _TIME.fullmatch(_digits_of_spoken(cleaned))
    if found is None:
        raise UsageError(f"{_shown(text)} is not a time of day. Write it like {TIME_FORMS}.")
    hour = int(found["hour"])
    minute = int(found["minute"] or found["compact"] or 0)
    if minute > 59:
        raise UsageError(f"{_shown(text)}: minutes go from 00 to 59. Write the time like {TIME_FORMS}.")
    if found["part"] and (hour == 0 or 13 <= hour <= 23):
        # "19:30 tonight", "0:30 at night": a 24-hour time in the part of the day named is that time; a reader who
        # says it both ways was refused as if "19" had meant 1 to 12.
        part = found["part"].split()[-1].removeprefix("to")
        if hour in _HOURS_OF[part]:
            return time(hour, minute)
        when = "at night" if part == "night" else f"in the {part}"
        raise UsageError(f"{_shown(text)}: {hour}:{minute:02d} is not {when}. Write the time like {TIME_FORMS}.")
    half = found["half"] or _half_of(found["part"], hour)
    if half is None:
        if hour > 23:
            raise UsageError(f"{_shown(text)}: hours go from 0 to 23. Write the time like {TIME_FORMS}.")
        return time(hour, minute)
    if not 1 <= hour <= 12:
        with_what = "am or pm" if found["half"] else "a part of the day"
        raise UsageError(
            f"{_shown(text)}: with {with_what} the hour goes from 1 to 12. Write the time like {TIME_FORMS}."
        )
    return time(hour % 12 + (12 if half == "p" else 0), minute)


def time_refused(text: str) -> str | None:
    """Why words written as a time of day cannot be one ("25:00", "13pm"), in /time's words; None for a time that
    can be, or for words that are no time at all ("soon")."""
    try:
        parse_time(text)
    except UsageError as exc:
        return str(exc) if _TIME.fullmatch(_digits_of_spoken(_clean(text).casefold())) else None
    return None


def _digits_of_spoken(cleaned: str) -> str:
    """A spoken time as digits `_TIME` reads ("quarter to eight pm" -> "7:45 pm"); any other text as it is."""
    if not re.search(r"[^\W\d_]{4}", cleaned):
        return cleaned  # no word to read: "7:30", "8 pm", "7 30" (a mistyped time) as typed
    said = _O_CLOCK.sub("", _NUMBER_WORD.sub(lambda word: str(_NUMBER_WORDS[word[0]]), cleaned)).strip()
    if (spoken := _SPOKEN.fullmatch(said)) is not None:
        minutes = _SPOKEN_MINUTES.get(spoken["minutes"]) or int(spoken["minutes"])
        hour, rest = spoken["hour"], spoken["rest"]
        if minutes > 59:
            return cleaned
        if hour in ("noon", "midnight"):
            hours = 12 if hour == "noon" else 0
            after = spoken["relation"] in ("past", "after")
            return f"{hours if after else (hours - 1) % 24}:{minutes if after else 60 - minutes:02d}{rest}"
        if spoken["relation"] in ("past", "after"):
            return f"{hour}:{minutes:02d}{rest}"
        before = int(hour) - 1 or (12 if rest.strip() else 0)  # quarter to 1pm is 12:45pm
        return f"{before}:{60 - minutes:02d}{rest}"
    if (half := _HALF_HOUR.fullmatch(said)) is not None:
        return f"{half['hour']}:30{half['rest']}"
    if (both := _HOUR_MINUTES.fullmatch(said)) is not None and _NUMBER_WORD.search(cleaned):
        return f"{both['hour']}:{both['minutes']}{both['rest']}"
    return said


def parse_time_and_zone(text: str) -> tuple[time, str | None]:
    """A daily time, and the zone key when one follows it ("8am London", "07:30 Europe/Berlin", "19h UTC+1"); a zone
    that cannot be read is refused with the zone's reason ("8am EST": EST is not one clock all year). Words about
    the days it comes change nothing ("19:30 tomorrow", "daily at 7"): the digest comes every day, as the reply
    says with the next one's day."""
    text = " ".join(_EVERY_DAY.sub(" ", _clean(text)).split())
    try:
        return parse_time(text), None
    except UsageError as refused:
        words = text.split()
        # The longest time first: "8 in the morning London" is 8 in the morning, in London.
        for split in range(len(words) - 1, 0, -1):
            rest = " ".join(words[split:])
            # "7 30" is a mistyped time, not 7 o'clock in zone "30"; "19:30 tonight" a time refused as one, not a
            # time in the unknown zone "tonight"
            if not _ZONE_START.match(words[split]) or re.fullmatch(_PART_OF_DAY, rest, re.IGNORECASE):
                continue
            try:
                daily = parse_time(" ".join(words[:split]))
            except UsageError:
                continue
            return daily, parse_timezone(rest)
        raise refused


def asked_digest_time(text: str) -> str | None:
    """The words naming a time (and maybe a zone) in a message that asks for the daily digest then, as `/time` reads
    them: "send me the digest at 8am" gives "at 8am", "daily digest at 7:30" "at 7:30", "digest at noon please" "at
    noon", "my digest should come at 9" "at 9"; None for any other message ("what is in the digest about brexit?",
    "what was in the digest at 8am?": a question has words besides a request's). Searched, such a message was
    declined ("No article uses ...")."""
    return _time_typed(_asked_words(text, _DIGEST_WORDS, _ASKING_FOR_DIGEST))


def asked_time(text: str) -> str | None:
    """The words naming a time in a message that sets the digest's time without naming the digest, as `/time` reads
    them: "set the time to 7am" gives "7am", "change the time to 8 please" "8", "make it 9pm" "9pm", "at 9 instead"
    "at 9"; None for any other ("what time is it in London?"). It was read as a daily digest asked for, whose reply
    said "Daily digest on." and that it moved, or searched."""
    if not _asked_words(text, _CHANGING | {"instead"}, _ASKING_FOR_TIME):
        return None
    return _time_typed(_asked_words(text, _TIME_NAMED, _ASKING_FOR_TIME))


def time_alone(text: str) -> str | None:
    """A message that is a time and nothing else ("6pm", "at 8am", "7:30 London", "every day at 8"), as /time reads
    it; None for any other message, and for a number alone ("2004", "5") or a number's word ("seven"), which may be
    searched. Searched, "6pm" found a sale that closed at 6pm."""
    typed = text.strip().rstrip("?!.")
    if typed.isdigit() or not _A_TIME_SAID.search(typed) or not reads_as(parse_time_and_zone, typed):
        return None
    return " ".join(_EVERY_DAY.sub(" ", typed).split())  # "every day at 8" as "/time at 8" reads it


def asked_digest_part(text: str) -> tuple[str, bool] | None:
    """The part of the day a message moves the digest to, and whether it names the digest: "change my digest to the
    evening" gives ("evening", True), "can the digest come in the morning instead?" ("morning", True), "set the time
    to the evening" ("evening", False), and so "make it the evening" and "evening instead", as "make it 9pm" and "9pm
    instead" set the time (they were searched); None for any other ("what is in the evening digest?"; "send me the
    evening digest" asks for the digest, as `asked_daily` reads it). Read as a daily digest asked for, the reply said
    "Daily digest on." and that it moved."""
    if not _asked_words(text, _MOVING, _ASKING_FOR_DIGEST):
        return None
    words = _asked_words(text, _DIGEST_WORDS | _TIME_NAMED, _ASKING_FOR_DIGEST)
    found = _PART_ALONE.fullmatch(" ".join(words))
    return (found["part"].casefold(), bool(_asked_words(text, _DIGEST_WORDS, _ASKING_FOR_DIGEST))) if found else None


def _time_typed(words: list[str]) -> str | None:
    """`words` as /time reads them, when they name a time: one it takes, or refuses saying why ("8am EST": EST is
    not one clock all year; "at 25:00", a time of the clock it never shows, was searched); None for words naming
    none, or a year ("digest 2004" is no 20:04)."""
    typed = " ".join(words)
    if not typed or (typed.isdigit() and len(typed) > _HOUR_DIGITS):
        return None
    if (
        not reads_as(parse_time_and_zone, typed)
        and not any(reads_as(parse_time, " ".join(words[:end])) for end in range(1, len(words)))
        and not _CLOCK_DIGITS.fullmatch(typed)
    ):
        return None
    return typed


def asked_zone(text: str) -> str | None:
    """The words naming a zone in a message that sets one, as `/timezone` reads them: "set my timezone to London"
    gives "London", "my time zone is Berlin" "Berlin", and so does a reader saying where they are ("I live in
    Berlin", "I'm in New York"); None for any other message ("what time zone is Berlin in?", "I'm in trouble").
    Searched, "set my timezone to London" was declined ("No article uses the words “set”, “timezone” ...")."""
    typed = " ".join(_asked_words(text, _ZONE_WORDS, _ASKING_FOR_ZONE)) or place_lived_in(text)
    # A name of no one clock ("EST", "Georgia") is refused as /timezone refuses it, with the zones it may mean.
    return typed if reads_as(parse_timezone, typed) or _fold_name(typed) in _TRAPS else None


def zone_alone(text: str) -> str | None:
    """A message that is a zone no place's name could be and nothing else: an offset ("UTC+2", "GMT-5", "+03:00") or
    a tz database name ("Europe/Berlin"), as /timezone reads it; None for any other message ("Berlin" alone may be
    searched). Searched, "UTC+2" said no article uses the word "UTC"."""
    typed = text.strip().rstrip("?!.")
    return typed if _ZONE_ALONE.fullmatch(typed) and reads_as(parse_timezone, typed) else None


def place_lived_in(text: str) -> str:
    """The place a reader says they are in ("I live in Berlin", "I'm in New York now", "we are based in Tokyo"),
    whose clock is theirs; "" for any other message."""
    found = _LIVING.fullmatch(text.strip().rstrip(".!"))
    if found is None:
        return ""
    words = found["place"].split()
    while words and words[-1].strip(_AROUND_WORD).casefold() in _ASKING:  # "... now", "... so", "... thanks"
        words.pop()
    return " ".join(words).strip(_AROUND_WORD)


class DailyAsk(NamedTuple):
    """A daily digest asked for in words (`asked_daily`): the words naming what it holds (a category, as /subscribe
    reads one; none: whatever the chat follows), the time as /time reads it (None: none said) and the part of the day
    asked when no hour was ("morning")."""

    words: tuple[str, ...]
    time: str | None
    part: str | None
    # Asked how ("how do I get sport news every morning?"): the commands are the answer, nothing is changed.
    how: bool = False


def asked_daily(text: str) -> DailyAsk | None:
    """A message asking for a daily digest of some news at a time or part of the day: "send me the sport news every
    morning" gives (("sport",), None, "morning"), "daily tech news at 7" (("tech",), "at 7", None), "I want business
    news every evening" (("business",), None, "evening"), "how do I get sport news every day?" the same asking how
    (`how`); None for any other message ("what sport news is there this morning?", "when is the morning news?": a
    question has words a request does not). Whether the words name a category is for the caller, who knows them;
    searched, such a message found stories using "send" and "morning"."""
    how = _HOW.match(text)
    text = text[how.end() :] if how else text
    words = _words(text)
    daily, words = _daily_time(words)
    rest = " ".join(words)
    part, habit = None, False
    if (found := _DAILY_PART.search(rest)) is not None:
        part = (found["every"] or found["plural"] or found["in"] or found["of"]).casefold()
        habit = bool(found["every"] or found["plural"])
        rest = f"{rest[: found.start()]} {rest[found.end() :]}"
    if daily is not None and part is not None:  # "at 7 every evening" is 19:00
        with_part = f"{daily} in the {part}"
        daily, part = (with_part if reads_as(parse_time_and_zone, with_part) else daily), None
    left = rest.split()
    named = tuple(word for at, word in enumerate(left) if word.casefold() not in _DAILY_ASKING and not _count(left, at))
    # "subscribe me to sport" asks for its digest too; "subscribe" alone is asked how (small talk).
    subscribes = bool(named) and any(word.casefold() in _FOLLOWING for word in left)
    if daily is None and part is None and _DAILY.search(rest) is None and not subscribes:
        return None
    # The digest named in a part of the day asked for ("morning digest please") or as a habit ("digest every evening")
    # asks for it itself: both were searched. "The morning digest" alone may be spoken of; "daily digest" alone is
    # asked how (small talk).
    pleading = any(word.casefold() in _PLEASE for word in left)
    asking = _DAILY_VERBS | _DIGEST_WORDS if part is not None and (habit or pleading) else _DAILY_VERBS
    if not named and not any(word.casefold() in asking for word in left):
        return None
    return DailyAsk(named, daily, part, how=how is not None)


def _daily_time(words: list[str]) -> tuple[str | None, list[str]]:
    """The first words reading as a time /time takes ("at 7", "7:30pm"), the longest there, with a zone after it when
    one follows ("7:30pm London"), and the words without them; a number alone is none ("top 5 sport stories"). Zones
    are tried only after a time: every span of a long question read as a time and a zone took 75 ms."""
    for start, first in enumerate(words):
        if not _TIME_START.fullmatch(first):
            continue
        for end in range(min(len(words), start + _TIME_SPAN), start, -1):
            typed = " ".join(words[start:end])
            if typed.isdigit() or not reads_as(parse_time, typed):
                continue
            if end < len(words) and _ZONE_START.match(words[end]):
                for zone_end in range(min(len(words), end + _ZONE_SPAN), end, -1):
                    if reads_as(parse_timezone, " ".join(words[end:zone_end])):
                        end = zone_end
                        break
            return " ".join(words[start:end]), words[:start] + words[end:]
    return None, words


def _count(words: list[str], at: int) -> bool:
    """Whether the word at `at` is a number of stories ("top 5 sport stories daily", "send me 3 tech headlines every
    morning", searched as the category "5 sport"): one or two digits after "top" or before another word. A digest
    shows what it shows; a number last is left as typed ("sport news daily 7" may mean a time)."""
    if not _STORY_COUNT.fullmatch(words[at]):
        return False
    return (at > 0 and words[at - 1].casefold() == "top") or at < len(words) - 1


def time_in(part: str, daily: time) -> time:
    """The time of a digest asked for in a part of the day ("every evening"): `daily`, the chat's, when it lies in
    that part, else the part's usual time (`PART_TIMES`)."""
    return daily if daily.hour in _HOURS_OF[part] else PART_TIMES[part]


def _words(text: str) -> list[str]:
    """A message's words without the quotes and punctuation around them ("8am?" is "8am")."""
    return [word for word in (word.strip(_AROUND_WORD) for word in text.split()) if word]


def _asked_words(text: str, named: frozenset[str], around: frozenset[str]) -> list[str]:
    """The words of a request between the words `around` it at its start and end ("can you send me the digest at
    8am please?": "at 8am"), when those name the setting (one of `named`); else none."""
    words = _words(text)
    asked: set[str] = set()
    while words and (word := words[0].casefold()) in around:
        asked.add(word)
        words.pop(0)
    while words and (word := words[-1].casefold()) in around:
        asked.add(word)
        words.pop()
    return words if asked & named else []


def reads_as(parse: Callable[[str], object], text: str) -> bool:
    """Whether `parse` (`parse_time`, `parse_time_and_zone`, `parse_timezone`) takes these words ("8am", "at 7:30",
    "7pm London", "Berlin")."""
    try:
        parse(text)
    except UsageError:
        return False
    return True


def _half_of(part: str | None, hour: int) -> str | None:
    """ "a" or "p" for the part of the day a reader named after the hour ("in the evening"), None for none."""
    if part is None:
        return None
    if part.endswith("night"):
        return "p" if 6 <= hour <= 11 else "a"
    return _PARTS[part.split()[-1]]


def parse_timezone(text: str) -> str:
    """The zone key for what a reader typed: a zone name in any case, a city, "UTC"/"GMT", or an offset from UTC."""
    cleaned = _clean(text)
    if not cleaned:
        raise UsageError(f"Name a time zone: {ZONE_FORMS}.")
    lowered = re.sub(r"\s+", " ", cleaned.casefold())
    if lowered.removeprefix("etc/") in _UTC_NAMES:
        return UTC_KEY
    offset = _OFFSET.fullmatch(lowered)
    if offset is not None:
        return _offset_key_checked(text, offset["sign"], offset["hours"], offset["minutes"])
    etc = _ETC_GMT.fullmatch(lowered)
    if etc is not None:
        # POSIX signs: Etc/GMT+3 is three hours behind UTC.
        return _offset_key_checked(text, "-" if etc["sign"] == "+" else "+", etc["hours"], None)
    folded = _fold_name(cleaned)
    if folded in _TRAPS:
        raise UsageError(
            f"{_shown(text)} is ambiguous or not one clock all year. Did you mean {spoken_list(_TRAPS[folded], 'or')}?"
        )
    if folded in _ABBREVIATIONS:
        return _ABBREVIATIONS[folded]
    # A city before a top-level legacy name: "Singapore" is Asia/Singapore, not the old alias "Singapore".
    key = _names().get(folded) if "/" in folded else _cities().get(folded) or _names().get(folded)
    if key is not None:
        return key
    place = _CITY_COUNTRY.fullmatch(cleaned)
    if place is not None:
        return _city_in_country(text, place["city"], place["country"] or place["bracketed"])
    if (country := _countries().get(_fold_country(cleaned))) is not None:
        return _country_zone(text, country)
    if (key := _city_then_country(cleaned)) is not None:
        return key
    if (bare := _PLACE_AFTER.sub("", cleaned)) != cleaned:
        try:
            return parse_timezone(bare)
        except UsageError:
            pass  # refused as typed, with what it may mean
    suggestions = _suggest(folded)
    hint = f" Did you mean {spoken_list(suggestions, 'or')}?" if suggestions else ""
    raise UsageError(f"Unknown time zone {_shown(text)}.{hint} Use {ZONE_FORMS}.")


def names_gmt(text: str) -> bool:
    """Whether a reader named GMT itself (read as UTC, see `parse_timezone`), not an offset from it ("GMT+1")."""
    return _fold_name(_PLACE_AFTER.sub("", text.strip())) in _GMT_NAMES


def zone(key: str) -> tzinfo:
    """The tzinfo of a stored zone key: `ZoneInfo` for a tz database name, a fixed `timezone` for an offset."""
    if key == UTC_KEY:
        return UTC
    if _OFFSET_KEY.fullmatch(key):
        offset = _offset(key[3], key[4:6], key[7:9])
        if _offset_key(offset) == key and _in_range(offset):
            return timezone(offset, key)
    elif key in _zone_names():
        return ZoneInfo(key)
    raise UsageError(f"Unknown time zone {_shown(key)}. Use {ZONE_FORMS}.")


def offset_label(zone_key: str, at: datetime) -> str:
    """The zone's offset from UTC at an instant, as "UTC+02:00" (or "UTC"), to confirm a choice to a reader."""
    _require_aware("at", at)
    offset = at.astimezone(zone(zone_key)).utcoffset()
    return _offset_key(offset if offset is not None else timedelta(0))


def seasons(zone_key: str, at: datetime) -> str:
    """The zone's clock in the other half of the year when it changes, to confirm a choice to a reader beside its
    offset now: "GMT, BST (UTC+01:00) in summer" for Europe/London in January (its names now and then, where the tz
    database names them in letters), "UTC-03:00 in winter" for America/Santiago in January; "" for a clock that
    keeps one offset. A reader who typed "eastern" learns that New York's clock, summer time and all, was set."""
    _require_aware("at", at)
    tz = zone(zone_key)
    now = at.astimezone(tz)
    halves = (datetime(now.year, month, 15, 12, tzinfo=UTC).astimezone(tz) for month in (1, 7))
    then = next((half for half in halves if half.utcoffset() != now.utcoffset()), None)
    if then is None:
        return ""
    offset_now, offset_then = now.utcoffset() or timedelta(0), then.utcoffset() or timedelta(0)
    offset, season = _offset_key(offset_then), "summer" if offset_then > offset_now else "winter"
    names = now.tzname() or "", then.tzname() or ""
    if all(_ZONE_LETTERS.fullmatch(name) for name in names):
        return f"{names[0]}, {names[1]} ({offset}) in {season}"
    return f"{offset} in {season}"


def local_day(instant: datetime, zone_key: str) -> date:
    """The date on the wall calendar of the zone at an instant: the key of "one digest per local day"."""
    _require_aware("instant", instant)
    return instant.astimezone(zone(zone_key)).date()


def digest_day(due: datetime, daily: time, zone_key: str) -> date:
    """The local day whose digest is due at `due`: its date in the zone (`local_day`), or the day before when
    `daily` fell in a gap that took the clock past midnight (Nuuk, 28 March 2026: at 23:00 the clock went to 00:00
    on the 29th, so the 28th's 23:30 digest is due at that midnight, and the 29th's at its own 23:30)."""
    _require_wall_time(daily)
    _require_aware("due", due)
    tz = zone(zone_key)
    wall, before = due.astimezone(tz), (due.astimezone(UTC) - timedelta(seconds=1)).astimezone(tz)
    jumped = before.utcoffset() != wall.utcoffset() and before.date() < wall.date()
    return before.date() if jumped and before.time() < daily and wall.time() < daily else wall.date()


def next_due(daily: time, zone_key: str, after: datetime) -> datetime:
    """The first instant strictly after `after` at which a chat's digest is due (rules in the module docstring)."""
    _require_wall_time(daily)
    _require_aware("after", after)
    tz = zone(zone_key)
    # No earlier date can be due: its first occurrence came before the clock first showed this date.
    day = after.astimezone(tz).date()
    while True:
        due = _occurrence(day, daily, tz)
        if due is not None and due > after:
            return due
        day += timedelta(days=1)


def next_digest(daily: time, zone_key: str, now: datetime, previous: datetime | None) -> datetime:
    """The due time to store after a send or a change of time or zone: the first occurrence after `now` on a later
    local day than the previous scheduled digest (its due instant), so no local day gets two."""
    _require_aware("now", now)
    if previous is None:
        return next_due(daily, zone_key, now)
    _require_aware("previous", previous)
    done = digest_day(previous, daily, zone_key)
    due = next_due(daily, zone_key, max(now, previous))
    while digest_day(due, daily, zone_key) <= done:
        due = next_due(daily, zone_key, due)
    return due


def next_after_move(daily: time, zone_key: str, now: datetime, previous: datetime | None) -> datetime:
    """The due time to store after a chat that had digests moved to `zone_key`: `next_digest`, or this day's (on the
    new clock) when its time has passed there and the day had none, to be sent at once, late. A reader on UTC at
    08:00 who moved to UTC-12 at 21:00 (09:00 there) got nothing that day: the 08:00 there had passed, and the
    digest sent at 08:00 UTC fell on the day before."""
    if previous is not None:
        latest = _latest_due(daily, zone_key, now)
        day = digest_day(latest, daily, zone_key)
        if day > digest_day(previous, daily, zone_key) and still_owed(latest, day, zone_key, now, timedelta(0)):
            return latest
    return next_digest(daily, zone_key, now, previous)


def within_grace(due: datetime, now: datetime, grace: timedelta) -> bool:
    """True when a digest due at `due` may still be sent at `now`: it is due and at most `grace` late."""
    _require_aware("due", due)
    _require_aware("now", now)
    return timedelta(0) <= now - due <= grace


def plan(daily: time, zone_key: str, now: datetime, previous: datetime | None, grace: timedelta) -> Plan:
    """What to do for a chat whose stored due time is not after `now` (on every tick, and on start after an outage).

    The digest of the latest occurrence at or before `now` is sent if its local day has no digest yet and it is
    still owed (`still_owed`: its day lasts, or it is at most `grace` late); every older missed one is skipped.
    `previous` is the due instant of the chat's previous scheduled digest (None if it never had one).
    """
    latest = _latest_due(daily, zone_key, now)
    day = digest_day(latest, daily, zone_key)
    fresh = previous is None or day > digest_day(previous, daily, zone_key)
    send = latest if fresh and still_owed(latest, day, zone_key, now, grace) else None
    return Plan(send, next_digest(daily, zone_key, now, send or previous))


def still_owed(due: datetime, day: date, zone_key: str, now: datetime, grace: timedelta) -> bool:
    """Whether a digest due at `due`, the digest of `day`, may still go out at `now`: while that day lasts on the
    zone's clock (a reader whose 08:00 digest was missed expects it later that morning, said as late, not a day's
    silence), or at most `grace` late."""
    return within_grace(due, now, grace) or (due <= now and now.astimezone(zone(zone_key)).date() == day)


def digest_window(due: datetime, previous: datetime | None) -> Window:
    """The arrival times a scheduled digest due at `due` covers: since the previous scheduled digest's due instant,
    or the last 24 hours for a chat's first. Consecutive digests' windows meet without gap or overlap, and every
    chat due at the same instant after the same previous digest shares one window (and one built text)."""
    _require_aware("due", due)
    if previous is None:
        return Window(due - FIRST_WINDOW, due)
    _require_aware("previous", previous)
    if previous >= due:
        raise ValueError(f"the previous digest ({previous.isoformat()}) is not before this one ({due.isoformat()})")
    return Window(previous, due)


def _occurrence(day: date, daily: time, tz: tzinfo) -> datetime | None:
    """When the wall clock first shows `daily` on `day` (or jumps past it); None when a change skips the day."""
    wall = datetime.combine(day, daily)
    # fold=0 is the earlier of two readings in a fold; in a gap it reads with the offset from before the change.
    first = wall.replace(tzinfo=tz).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # In a gap, fold=1 reads with the offset from after the change, so the change lies between the two readings.
    change = _change_between(wall.replace(tzinfo=tz, fold=1).astimezone(UTC), first, tz)
    # The gap ends on `day`, or the clock showed `day` before it jumped past midnight (`digest_day`); a day the
    # clock never showed at all has no digest.
    shown = {change.astimezone(tz).date(), (change - timedelta(seconds=1)).astimezone(tz).date()}
    return change if day in shown else None


def _change_between(before: datetime, after: datetime, tz: tzinfo) -> datetime:
    """The first whole second in (before, after] with the zone's offset at `after` (a change of offset)."""
    low, high = int(before.timestamp()), int(after.timestamp())
    target = after.astimezone(tz).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _latest_due(daily: time, zone_key: str, at_or_before: datetime) -> datetime:
    """The latest instant not after `at_or_before` at which the digest was due."""
    _require_wall_time(daily)
    _require_aware("at_or_before", at_or_before)
    tz = zone(zone_key)
    # One date ahead: in a fold that crosses midnight, the clock steps back to a date it has already left.
    day = at_or_before.astimezone(tz).date() + timedelta(days=1)
    while True:
        due = _occurrence(day, daily, tz)
        if due is not None and due <= at_or_before:
            return due
        day -= timedelta(days=1)


def _offset(sign: str, hours: str, minutes: str | None) -> timedelta:
    size = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return -size if sign == "-" else size


def _offset_key(offset: timedelta) -> str:
    if not offset:
        return UTC_KEY
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _in_range(offset: timedelta) -> bool:
    return LOWEST_OFFSET <= offset <= HIGHEST_OFFSET


def _offset_key_checked(text: str, sign: str, hours: str, minutes: str | None) -> str:
    if minutes is not None and int(minutes) > 59:
        raise UsageError(f"{_shown(text)}: minutes go from 00 to 59. Write an offset like +03:00, -04:30 or UTC+3.")
    offset = _offset(sign, hours, minutes)
    if not _in_range(offset):
        raise UsageError(f"{_shown(text)}: the offsets in use go from UTC-12:00 to UTC+14:00.")
    return _offset_key(offset)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones() - _NOT_ZONES)


@cache
def _names() -> dict[str, str]:
    """Every zone name by its folded spelling."""
    names: dict[str, str] = {}
    for name in sorted(_zone_names()):
        names.setdefault(_fold_name(name), name)
    return names


@cache
def _cities() -> dict[str, str]:
    """Zone names under the geographic areas by their folded last part, the longest name first among equals, and
    the large cities no zone is named after (bot/data/city_zones.txt)."""
    cities: dict[str, str] = {}
    for name in sorted(_zone_names(), key=lambda name: (-len(name), name)):
        if name.partition("/")[0] in GEOGRAPHIC_AREAS:
            cities.setdefault(_fold_name(name.rpartition("/")[2]), name)
    for folded, (_, name) in _listed_cities().items():
        cities.setdefault(folded, name)
    return cities


@cache
def _listed_cities() -> dict[str, tuple[str, str]]:
    """The large cities no zone is named after (bot/data/city_zones.txt), as written and with their zone, by their
    folded name."""
    cities: dict[str, tuple[str, str]] = {}
    for line in data_lines("city_zones.txt"):
        city, _, name = line.partition("=")
        if name.strip() in _zone_names():
            cities.setdefault(_fold_name(city.strip()), (city.strip(), name.strip()))
    return cities


def _country_zone(text: str, zones: frozenset[str]) -> str:
    """The zone of a country named alone ("India"), when all its zones keep one clock ("Germany": Berlin's and
    Büsingen's); else UsageError naming them, or asking for a city when they are many."""
    ordered = sorted(zones)
    year = datetime.now(UTC).year
    instants = [datetime(year, month, 15, 12, tzinfo=UTC) for month in (1, 4, 7, 10)]
    if len({tuple(ZoneInfo(name).utcoffset(at) for at in instants) for name in ordered}) == 1:
        return ordered[0]
    named = f" Did you mean {spoken_list(ordered, 'or')}?" if len(ordered) <= _COUNTRY_ZONES_NAMED else ""
    raise UsageError(f"{_shown(text)} has several time zones: name your city.{named} Use {ZONE_FORMS}.")


def _city_in_country(text: str, city: str, country: str) -> str:
    """The zone of `city` when it is one of `country`'s ("Berlin, Germany"); a city of the same name elsewhere
    ("Paris, Texas") is refused, with the country's zones of names close to the city or its only few zones."""
    if (key := _in_country(city, country)) is not None:
        return key
    zones = _countries().get(_fold_country(country))
    folded = _fold_name(city)
    if zones is None:
        suggestions = _suggest(folded)
    else:
        by_city = {_fold_name(zone.rpartition("/")[2]): zone for zone in sorted(zones)}
        close = difflib.get_close_matches(folded, by_city, n=3, cutoff=0.75)
        suggestions = tuple(by_city[match] for match in close) or (tuple(sorted(zones)) if len(zones) <= 3 else ())
    hint = f" Did you mean {spoken_list(suggestions, 'or')}?" if suggestions else ""
    raise UsageError(f"Unknown time zone {_shown(text)}.{hint} Use {ZONE_FORMS}.")


def _city_then_country(cleaned: str) -> str | None:
    """The zone of a city followed by its country without a comma, as readers type it ("berlin germany", "new york
    usa"); None unless the last words name a country and the words before them one of its cities."""
    words = cleaned.split()
    for split in range(1, len(words)):
        if (key := _in_country(" ".join(words[:split]), " ".join(words[split:]))) is not None:
            return key
    return None


def _in_country(city: str, country: str) -> str | None:
    """The zone of `city` when `country` is a country and the city one of its zones', else None."""
    zones = _countries().get(_fold_country(country))
    key = _cities().get(_fold_name(city))
    return key if zones is not None and key in zones else None


@cache
def _countries() -> dict[str, frozenset[str]]:
    """The zones of each country (the tz database's zone.tab) by its folded names (iso3166.tab, and the names
    readers use that it spells otherwise); empty when the installed tz database has no such tables."""
    zone_tab, iso_tab = _tz_table("zone.tab"), _tz_table("iso3166.tab")
    if zone_tab is None or iso_tab is None:
        return {}
    zones: dict[str, set[str]] = {}
    for code, _, name, *_ in _tab_rows(zone_tab):
        zones.setdefault(code, set()).add(name)
    codes: dict[str, str | None] = {}
    for code, country in _tab_rows(iso_tab):
        codes[_fold_country(country)] = code
        # "Britain (UK)" is Britain too; "Korea (North)" and "Korea (South)" are not Korea.
        base = _fold_country(country.partition(" (")[0])
        codes[base] = code if codes.get(base, code) == code else None
    codes.update(_COUNTRY_ALIASES)
    return {name: frozenset(zones[code]) for name, code in codes.items() if code in zones}


def _tz_table(name: str) -> str | None:
    """A table of the installed tz database: the system's (where zoneinfo reads it), else the tzdata package's."""
    for directory in TZPATH:
        path = Path(directory) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def _tab_rows(table: str) -> list[list[str]]:
    return [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]


def _fold_country(text: str) -> str:
    return _fold_name(text.replace("&", " and "))


def _suggest(folded: str) -> tuple[str, ...]:
    choices = _names() if "/" in folded else {**_names(), **_cities()}
    close = difflib.get_close_matches(folded, choices, n=3, cutoff=0.75)
    # A city the zone is not named after is named with it: "/timezone Atlantis" got "Did you mean America/New_York?",
    # reached through "Atlanta".
    listed = _listed_cities()
    return tuple(
        dict.fromkeys(
            f"{listed[match][0]} ({choices[match]})" if match in listed and match not in _names() else choices[match]
            for match in close
        )
    )


def _fold_name(text: str) -> str:
    """A zone or city name without case, accents or separators inside each part ("São_Paulo" -> "saopaulo")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "/".join(_NAME_NOISE.sub("", part) for part in plain.casefold().split("/"))


def _clean(text: str) -> str:
    if len(text) > _MAX_INPUT_CHARS:
        raise UsageError(f"That is too long for a time or a time zone ({len(text)} characters).")
    return unicodedata.normalize("NFKC", text).translate(_DASHES).strip()


def _shown(text: str) -> str:
    """What the reader typed, quoted and cut short, to echo in a message."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + '…'}”"


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def _require_wall_time(daily: time) -> None:
    if daily.tzinfo is not None:
        raise ValueError(f"the daily time is a wall-clock time without a zone, got {daily!r}")
