"""The newest headlines a reader asks for: Telegram's /latest, "what's new?" and "sport news" typed in a chat, and
`newsbot latest` (one reading of the words for all of them, and of `newsbot ask --category`), and a day's newest
asked in words ("what happened yesterday?", "what happened on 14 November?"), in Telegram and by `newsbot ask`.

The words are a category, as /subscribe matches it (`sport`, `spo`, `World News`), and a number of headlines,
anywhere among them (`sport 20`, `5 spo`, `Sport,5`). Pure apart from `newest`, `newest_of_day`,
`category_named` and `category_meant`, which read the store.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from bot.analysis import english_words
from bot.config import DEFAULT_LATEST_COUNT, MAX_LATEST_COUNT
from bot.errors import UsageError
from bot.named_days import named_days, this_span, without_day
from bot.render.digests import day_start
from bot.render.markup import cap, category_label, count
from bot.render.welcome import latest_of, small_talk
from bot.services.categories import match_categories, named_whole
from bot.store.categories import key as _key

if TYPE_CHECKING:
    from bot.models import StoredArticle
    from bot.store import Store

# A count is a word of digits, signed or not, wherever it stands ("/latest 5 sport", "/latest Sport,5").
COUNT = re.compile(r"^[+-]?\d+$")
COUNT_AROUND = ",;."
# A count echoed in a refusal is cut to this (a reader may paste thousands of digits).
SHOWN_COUNT_CHARS = 20
# Past this many digits a count is read as more than is ever shown: Python refuses to read over 4,300.
COUNT_DIGITS = 9
# The most words a category's name has that a message naming only it is read as asking for its headlines.
NAME_WORDS = 3
# Around a category's name typed alone ("Weather?").
_AROUND_NAME = " ?!.,;:\"'“”"
# A count in a message asking for headlines ("latest 5"): more digits are a year's ("news 2004" is a question).
MESSAGE_COUNT = re.compile(r"^\d{1,2}$")
# Words are cut after a comma too, so "sport,5" has its count; the comma stays, for names that hold one.
AFTER_COMMA = re.compile(r"(?<=,)")
# A declined question's words that may name a category: shorter ones are too often near another ("tea", "tech").
_WORD = re.compile(r"[^\W\d_]{4,}")
# Words any question about the news may hold, which name no subject even where a category is called so ("any sprot
# news?" means Sport, not News).
_ANY_NEWS = frozenset({"news", "latest", "headline", "story", "article"})
# How near a word is to a category's name to be meant for it ("wether" is 0.92 of "weather", "sprot" 0.8 of "sport").
_NEAR_CATEGORY = 0.8
# Ends a note above the newest when none is of the day asked; inline mode's button says the note without it (a line).
NEWEST_I_HAVE = " The newest I have:"
# Said above a day's newest when none of them came in that day ("What happened yesterday?" listed today's newest
# under "Latest", as if they were yesterday's), when the day is still to come, or when no story is that old.
NOTHING_IN = "No story has come in {span}." + NEWEST_I_HAVE
NOTHING_TODAY = NOTHING_IN.format(span="today")
NOTHING_ON = "None of the newest stories is dated {day}." + NEWEST_I_HAVE
NOTHING_YESTERDAY = NOTHING_ON.format(day="yesterday")
NOT_YET = "{day} has not come yet." + NEWEST_I_HAVE
BEFORE_FIRST = "I have no story dated {day} or earlier{oldest}."
# How deep "More" pages through a list of headlines: a 200-story day, and more, is read to its end; a button's place
# has room for no more (a tampered one cannot make the store read millions).
LATEST_DEPTH = 1000
# Stories that may arrive between a list and its "More" press looked past first for the headline shown last.
ARRIVED_SINCE = 100
LAST_HEADLINE_GONE = "The headline shown last is gone from the library: these follow where it stood."
NO_MORE_HEADLINES = "No older headlines: that was the last."
# Below the last page of a named day's list: its "More" paged on into the days before it.
DAY_ENDS = "That is the last story of {day}."


class LatestAsk(NamedTuple):
    """What a /latest asks for: the words naming its category, how many headlines to show and how many it asked."""

    words: tuple[str, ...]
    shown: int
    asked: int


class Latest(NamedTuple):
    """The newest headlines found for an ask: newest first, of `category` (None: of all), whether more were
    asked than the most shown at once (and there were that many to show), whether older ones follow them, and the
    span of news times they were taken from (a named day's: None, open), which their "More" keeps to."""

    articles: list[StoredArticle]
    category: str | None
    capped: bool
    more: bool = False
    since: datetime | None = None
    before: datetime | None = None


class LatestPage(NamedTuple):
    """The headlines a "More" under a list of them shows: their place in the list now (0: the newest), whether
    older ones follow, what to tell the reader first and what below them ("" for nothing)."""

    articles: list[StoredArticle]
    start: int
    more: bool
    note: str = ""
    ending: str = ""
    # Said in place of /latest's heading ("" for it): a digest's rest says whose it is (`render.digests.rest_heading`).
    heading: str = ""


class DayLatest(NamedTuple):
    """The newest headlines asked for, and the line said above them ("" for none; alone when there are none)."""

    latest: Latest
    note: str


def read_latest(args: Sequence[str], known: Sequence[str] = ()) -> LatestAsk:
    """The count among /latest's words (at most MAX_LATEST_COUNT shown), and the other words; UsageError for a count
    that is no number of headlines, or for two counts. A `known` category whose name holds a number ("Formula 1")
    is read whole, so "/latest formula 1 8" (as a digest writes it) is 8 of Formula 1."""
    tokens = [part for arg in args for part in AFTER_COMMA.split(arg) if part]
    at = [i for i, token in enumerate(tokens) if COUNT.match(token.strip(COUNT_AROUND))]
    words = tuple(token for i, token in enumerate(tokens) if i not in at)
    for skipped in (None, *at) if at else ():
        rest = (token.rstrip(COUNT_AROUND) for i, token in enumerate(tokens) if i != skipped)
        if (name := named_whole(rest, known)) is not None:
            words, at = (name,), [] if skipped is None else [skipped]
            break
    counts = [tokens[i] for i in at]
    if not counts:
        return LatestAsk(words, DEFAULT_LATEST_COUNT, DEFAULT_LATEST_COUNT)
    if len(counts) > 1:
        raise UsageError(f"Give one number of headlines: you gave {len(counts)}.")
    typed = counts[0].strip(COUNT_AROUND)
    asked = count_of(typed)
    if asked < 1:
        raise UsageError(f"I can show 1 to {MAX_LATEST_COUNT} headlines, not “{cap(typed, SHOWN_COUNT_CHARS)}”.")
    return LatestAsk(words, min(asked, MAX_LATEST_COUNT), asked)


def count_of(typed: str) -> int:
    """The number a count's digits write, or one past MAX_LATEST_COUNT (signed) when they are too many to read."""
    digits = typed.lstrip("+-").lstrip("0")
    size = int(digits or "0") if len(digits) <= COUNT_DIGITS else MAX_LATEST_COUNT + 1
    return -size if typed.startswith("-") else size


def latest_category(words: Sequence[str], known: Sequence[str], command: str = "/latest") -> str | None:
    """The one category `words` name as /subscribe matches them (None for all); UsageError when they name none,
    several, or are not understood, naming the `command` that shows one at a time."""
    match = match_categories(words, known)
    names = match.names()
    if match.everything:
        return None
    if len(names) > 1:
        raise UsageError(f"{command} shows one category at a time, and you named {len(names)}: {', '.join(names)}.")
    return names[0]


def category_named(store: Store, typed: str, command: str) -> str | None:
    """The category a reader names on its own (`newsbot ask --category`), read and refused as /latest reads one:
    None for "all"; UsageError saying why not, worded as /latest's, naming `command` when `typed` names several."""
    return latest_category([typed], store.category_names(), command)


def category_meant(store: Store, question: str) -> str | None:
    """The one category a declined question's words name or nearly name ("hows the wether": Weather, "any sprot
    news?": Sport), said beside the decline: stories carry such a word as their category, seldom in their text, so
    no search finds it, and a misspelling of it is a rare word ("wether") or no word the articles use, neither of
    which the search's own "did you mean" offers; None when no one category is meant. A common English word near a
    name is the question's own ("where is the best fishing spot?" was asked "Did you mean Sport?")."""
    known = {_key(name): name for name in store.category_names() if " " not in name.strip()}
    meant: set[str] = set()
    for word in _WORD.findall(question):
        if (folded := _key(word)) in _ANY_NEWS:
            continue
        if folded in known:
            meant.add(known[folded])
        elif word.casefold() not in english_words():  # "spot" of "the best fishing spot" is its own word
            meant.update(known[near] for near in difflib.get_close_matches(folded, known, n=2, cutoff=_NEAR_CATEGORY))
    return meant.pop() if len(meant) == 1 else None


def one_category(words: Sequence[str], known: Sequence[str]) -> str | None:
    """The one category `words` name as /latest reads them, or None when they name none, several or not only
    categories ("sport news" asks for Sport's headlines; "Yukos news" is a question)."""
    match = match_categories(words, known)
    return match.matched[0] if match.complete and len(match.matched) == 1 else None


def asked_latest(store: Store, text: str) -> list[str] | None:
    """The words of the /latest a message asks for, when it asks for headlines though small talk's own reading did
    not tell (`small_talk`): "sport news", "what's new in spo?", "tell me about sport" (as /latest reads a
    category), a category's whole name alone ("Weather": searched, it found no article using the word, which
    stories only have as their category; "bus" alone is no "Business"), any of those or "latest" with a count
    ("latest 5", "news 3", "sport 5": the command typed without its slash, searched for "latest" and "5"); None for
    other messages ("news about Yukos", "news 2004"). A day named among the words is not read here (`newest_of_day`
    reads it)."""
    text = without_day(text)  # "what's new in sport on Monday?" asks for Sport's, of that day (`newest_of_day`)
    if (category := _asked_category(store, text)) is not None:
        return [category]  # whole, as "Formula 1" is
    tokens = text.split()
    counts = [token for token in tokens if MESSAGE_COUNT.match(token.strip(COUNT_AROUND))]
    if len(counts) != 1:
        return None
    rest = " ".join(token for token in tokens if token != counts[0])
    if small_talk(rest) == "latest":
        return counts
    return None if (category := _asked_category(store, rest)) is None else [category, *counts]


def _asked_category(store: Store, text: str) -> str | None:
    """The category whose newest headlines a message asks for (see `asked_latest`); None for other messages."""
    words = latest_of(text)
    name = text.strip(_AROUND_NAME)
    if words is None and (not name or len(name.split()) > NAME_WORDS):
        return None  # no need to read the categories
    known = store.category_names()
    return one_category(words.split(), known) if words is not None else named_whole([name], known)


def newest(
    store: Store,
    args: Sequence[str],
    command: str = "/latest",
    before: datetime | None = None,
    since: datetime | None = None,
) -> Latest:
    """The newest headlines the words of a /latest (or `newsbot latest`) ask for (news `before` a time and `since`
    one, if given); UsageError, saying why, for words that name no one category or no number of headlines."""
    known = store.category_names() if args else []
    ask = read_latest(args, known)
    category = latest_category(ask.words, known, command) if ask.words else None
    # One more: whether "More" has any to show.
    found = within(store.latest(ask.shown + 1, category, before), since, before)
    articles = found[: ask.shown]
    capped = ask.asked > ask.shown and len(articles) == ask.shown
    return Latest(articles, category, capped, len(found) > ask.shown, since, before)


def within(listed: list[StoredArticle], since: datetime | None, before: datetime | None) -> list[StoredArticle]:
    """Of a list of `store.latest(..., before)`, newest first, those of a named day's span: with a news time (an
    undated file's story is no day's), none before `since`; the whole list when no span bounds it."""
    if before is None:
        return listed
    dated = [article for article in listed if article.news_time]
    return [article for article in dated if since is None or (article.news_time or since) >= since]


def page_after(
    store: Store,
    category: str | None,
    anchor: str,
    place: int,
    size: int,
    since: datetime | None = None,
    before: datetime | None = None,
    zone: tzinfo = UTC,
) -> LatestPage:
    """The `size` headlines (of `category`; of news times from `since` to `before` when a named day's list
    bounded them) after the story `anchor`, shown last at `place` in the list (`newest`'s order): where it stands
    now, moved down by stories arrived since (said, with the /latest that shows them), or, gone from the library,
    from its place (said). The last page of a day's list says so below it."""
    listed: list[StoredArticle] = []
    for limit in (place + size + ARRIVED_SINCE + 2, LATEST_DEPTH + size + 1):
        read = store.latest(limit, category, before)
        listed = within(read, since, before)
        if any(article.id == anchor for article in listed) or len(read) < limit or len(listed) < len(read):
            break
    at = next((i for i, article in enumerate(listed) if article.id == anchor), None)
    start = place if at is None else at + 1
    shown = listed[start : start + size]
    more = len(listed) > start + size and start + size <= LATEST_DEPTH
    ending = "" if more or since is None or before is None else DAY_ENDS.format(day=_span_said(since, before, zone))
    if at is None:
        return LatestPage(shown, start, more, LAST_HEADLINE_GONE, ending)
    named = f" {category.lower()}" if category else ""
    arrived = f"{count(at - place, 'newer story has', 'newer stories have')} come in since: /latest{named} shows them."
    return LatestPage(shown, start, more, arrived if at > place else "", ending)


def _span_said(since: datetime, before: datetime, zone: tzinfo) -> str:
    """A named day's span, from its first instant to its end, as `_days_said` says it on `zone`'s clock, never
    "yesterday": a press may come days later."""
    first, last = since.astimezone(zone).date(), (before - timedelta(microseconds=1)).astimezone(zone).date()
    return _days_said(first, last, last + timedelta(days=2))


def newest_of_day(
    store: Store, args: Sequence[str], asked: str, now: datetime, zone: tzinfo, command: str = "/latest"
) -> DayLatest:
    """The newest headlines /latest `args` asks for (UsageError as `newest`), for the day or span the words `asked`
    name (`named_days` on `zone`'s clock at `now`: "what's new today?", "what happened yesterday?", "what happened on
    14 November 2023?", "what happened last month?", "news from 2024") the newest up to its last day's end, saying
    first when none of them came in it; of a day to come the newest, saying so; of a day before every story, none,
    saying that no story is that old."""
    today = now.astimezone(zone).date()
    days = named_days(asked, today)
    if days is None or days[0] > today:
        latest = newest(store, args, command)
        return DayLatest(latest, NOT_YET.format(day=_days_said(*days, today)) if days and latest.articles else "")
    first, last = days[0], min(days[1], today)
    # A day's newest: later stories listed above them read as that day's news (the store's times are UTC's). A
    # story of no known day (an undated file's) is left out (`within`): listed under "None of the newest stories is
    # dated 2019. The newest I have:" it read as an earlier day's, and as today's news under "Latest" for "today".
    before = day_start(last + timedelta(days=1), zone).astimezone(UTC)
    latest = newest(store, args, command, before)
    if not latest.articles:
        return DayLatest(latest, _before_first(store, latest.category, _days_said(first, last, today), zone))
    # The newest of months ago listed under "Latest" read as today's news (or yesterday's): said, above them. A span
    # begun today is said as asked: "what happened this week?" on a Monday was told "No story has come in today".
    if not any(_came_within(article, first, last, zone) for article in latest.articles):
        if first == today:
            return DayLatest(latest, NOTHING_IN.format(span=this_span(asked) or "today"))
        return DayLatest(latest, NOTHING_ON.format(day=_days_said(*days, today)))
    # Of a day with stories, that day's alone, and its "More" keeps to them: it paged on into the days before.
    return DayLatest(newest(store, args, command, before, since=day_start(first, zone).astimezone(UTC)), "")


def newest_of_day_about(store: Store, categories: Sequence[str], asked: str, now: datetime, zone: tzinfo) -> DayLatest:
    """The newest headlines of the day a turn to one names ("and yesterday?", "what about Tuesday?": `newest_of_day`)
    in reply to stories of `categories`: that day's of their category, as a reader of a story on the harbour asks what
    else came of it that day, else that day's of every category. Read alone, they were every category's (and
    "and yesterday?" was "tell me more")."""
    if len(categories) == 1:
        of_theirs = newest_of_day(store, categories, asked, now, zone)
        if of_theirs.latest.articles and not of_theirs.note:
            return of_theirs
    return newest_of_day(store, (), asked, now, zone)


def _day_said(day: date, today: date) -> str:
    """ "yesterday", or the day in full: "Tuesday 14 November 2023"."""
    return "yesterday" if day == today - timedelta(days=1) else f"{day:%A} {day.day} {day:%B %Y}"


def _days_said(first: date, last: date, today: date) -> str:
    """A day as `_day_said` says it, a whole month or year by its name ("June 2026", "2024"), else both ends."""
    if first == last:
        return _day_said(first, today)
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return str(first.year)
    if first.day == 1 and (last + timedelta(days=1)).day == 1 and (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    return f"{_day_said(first, today)} to {_day_said(last, today)}"


def _came_within(article: StoredArticle, first: date, last: date, zone: tzinfo) -> bool:
    """Whether `article` (one with a news time) was published from `first` to `last` in `zone`."""
    return article.news_time is not None and first <= article.news_time.astimezone(zone).date() <= last


def _before_first(store: Store, category: str | None, said: str, zone: tzinfo) -> str:
    """What a day or span before every story (of `category`) gets, named as `said` ("Friday 15 November 2019", "1966":
    "dated Saturday 31 December 1966" named a year's last day): that none is that old, with the oldest date when of
    the whole library; "" for a library with no stories ("15 November 2019" asked of it said "I have no articles yet"
    when it had thousands, all later)."""
    if category is not None:
        return BEFORE_FIRST.format(day=said, oldest=f" in {category_label(category)}")
    stats = store.stats()
    if not stats.articles:
        return ""
    first = stats.first_published
    oldest = f": the oldest is dated {first.astimezone(zone):%-d %B %Y}" if first else ""
    # Undated stories are no day's: said, so that "no story" of a library holding them is not read as an empty one.
    undated = f" ({count(stats.undated, 'story has', 'stories have')} no date)" if stats.undated else ""
    return BEFORE_FIRST.format(day=said, oldest=oldest + undated)
