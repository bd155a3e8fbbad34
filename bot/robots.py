"""robots.txt (RFC 9309): whether a site lets newsbot fetch a story page, read once per site and kept a while.

A followed feed's story pages are fetched by a poll no person started, as a crawler's are: a site that disallows
them for newsbot (or for every crawler, `*`) keeps the feed's summary. The feed itself, and a page an operator
gives `newsbot ingest`, are fetched on a person's word, as the big fetchers of feeds and of pages asked for by a
user do, robots.txt aside.

What a site answers for its robots.txt decides as RFC 9309 says (section 2.3.1), as Google's crawlers do: 2xx, its
rules; 4xx (but 408, 425 and 429), no rules, every page allowed; a 5xx, a 429, a timeout or no connection ("it
could not be read"), the rules read last if there are any, else no page at all, asked again after
`UNREACHABLE_WAIT`. Rules read are kept `LIFETIME` (RFC 9309: no longer than 24 hours), per site (scheme, host and
port), in the store (`bot.store.robots`), for every process: a cron's `newsbot feeds poll` and a bot beside it read
a site's robots.txt once a day between them.

A group's Crawl-delay (seconds, as Bing and Yandex read it; not in RFC 9309) is the gap its site wants between two
pages: the poll keeps it (`Verdict.delay`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from bot.fetch import Failed, Fetcher
from bot.models import SiteRobots

LIFETIME = timedelta(hours=24)
UNREACHABLE_WAIT = timedelta(minutes=10)
# How long a process reading a site's robots.txt has it to itself unless it renews its claim, which it does every
# READ_RENEWAL while it reads: the others keep the rules read before, or wait for a first read, and take the read over
# once the claim lapses (its reader died or hangs). A lease of 2 minutes, never renewed, kept a process waiting for a
# first read 2 minutes when its reader was killed, and let a second read begin beside a read slower than that.
READ_LEASE = timedelta(seconds=10)
READ_RENEWAL = timedelta(seconds=2)
# How often a process waiting for another's first read of a site's robots.txt looks whether it is kept.
FIRST_READ_LOOK = 0.1
# RFC 9309: a crawler must read at least 500 KiB of a robots.txt; what follows is not read.
MAX_BYTES = 500 * 1024
ACCEPT = "text/plain, */*;q=0.5"
# What a path or a rule keeps as it is when both are written alike (percent-encoded but for these).
_SAFE = "/?=&;:@!,+$*~-._"


@dataclass(frozen=True)
class Rules:
    """The rules of the group(s) of a robots.txt that apply to one crawler: (allow, pattern) pairs."""

    rules: tuple[tuple[bool, str], ...] = ()
    delay: float | None = None  # its Crawl-delay, in seconds

    def allows(self, url: str) -> bool:
        """Whether the page at `url` may be fetched: the longest pattern matching its path (and query) decides, an
        Allow winning a tie, as RFC 9309 says; none matching, it may."""
        parts = urlsplit(url)
        path = _written(parts.path or "/") + (f"?{_written(parts.query)}" if parts.query else "")
        if path == "/robots.txt":
            return True
        best: tuple[int, bool] = (-1, True)
        for allow, pattern in self.rules:
            if _matcher(pattern).match(path) and (len(pattern), allow) > best:
                best = (len(pattern), allow)
        return best[1]


NO_RULES = Rules()
NOTHING = Rules(((False, "/"),))


def read_rules(text: str, agent: str) -> Rules:
    """The rules of `text` (a robots.txt) for the crawler whose product token is `agent` (`newsbot`): its own groups
    (the token matched ignoring case), else those for every crawler (`*`), else none."""
    groups: list[tuple[set[str], list[tuple[bool, str]], list[float]]] = []
    open_group = False  # user-agent lines in a row make one group
    for line in text.splitlines():
        key, colon, value = line.split("#", 1)[0].partition(":")
        key, value = key.strip().casefold(), value.strip()
        if not colon:
            continue
        if key == "user-agent":
            if not open_group:
                groups.append((set(), [], []))
                open_group = True
            groups[-1][0].add(value.casefold())
        elif key in ("allow", "disallow", "crawl-delay") and groups:
            open_group = False
            if key == "crawl-delay":
                groups[-1][2].extend(_seconds(value))
            elif value:  # an empty Disallow allows everything: no rule
                groups[-1][1].append((key == "allow", _written(value)))
    token = agent.split("/", 1)[0].strip().casefold()
    for wanted in (token, "*"):
        mine = [(rules, delays) for agents, rules, delays in groups if wanted in agents]
        if mine:  # its groups, merged (a group with no rule allows everything)
            delay = max((d for _, delays in mine for d in delays), default=None)
            return Rules(tuple(rule for rules, _ in mine for rule in rules), delay)
    return NO_RULES


def _seconds(value: str) -> list[float]:
    """A Crawl-delay's seconds (a whole or decimal number, never negative), or none if it is no number."""
    try:
        seconds = float(value)
    except ValueError:
        return []
    return [seconds] if 0 <= seconds < float("inf") else []


def _written(text: str) -> str:
    """A path or a pattern percent-encoded one way, so that `/caf%C3%A9` and `/café` compare equal."""
    return quote(unquote(text), safe=_SAFE)


_MATCHERS: dict[str, re.Pattern[str]] = {}


def _matcher(pattern: str) -> re.Pattern[str]:
    """A rule's pattern as a regular expression matching from the path's start: `*` any characters, a final `$` the
    path's end."""
    if (known := _MATCHERS.get(pattern)) is None:
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        known = re.compile(".*".join(re.escape(part) for part in body.split("*")) + ("$" if anchored else ""))
        _MATCHERS[pattern] = known
    return known


@dataclass(frozen=True)
class Verdict:
    """Whether a story page may be fetched: why not (None: it may), and its site's Crawl-delay if it names one."""

    refused: Failed | None
    delay: float | None = None
    # A page its site's robots.txt disallows may be asked for again from when the rules are read again.
    asked_again_at: datetime | None = None


class RobotsKeeper(Protocol):
    """Where sites' robots.txt are kept for every process (`bot.store.robots.RobotsStore`)."""

    def robots(self, site: str) -> SiteRobots | None: ...

    def claim_read(self, site: str, now: datetime, lease: timedelta) -> bool: ...

    def keep_robots(self, read: SiteRobots) -> None: ...

    def renew_read(self, site: str, held: datetime, until: datetime) -> bool: ...

    def drop_first_read(self, site: str) -> None: ...


def site_of(url: str) -> str:
    """The site whose robots.txt rules `url`: its scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Robots:
    """The robots.txt rules of the sites whose story pages polls fetch, for the crawler `agent` (a User-Agent: its
    product token decides), kept in the store (`keeper()`, as it is now) for every process, and in this object for
    as long as they hold."""

    def __init__(self, agent: str, keeper: Callable[[], RobotsKeeper]) -> None:
        self.agent = agent
        self.keeper = keeper
        self._kept: dict[str, tuple[SiteRobots, Rules]] = {}
        # A site's robots.txt being read now, by the page that asked first: the others of a poll wait for it.
        self._reading: dict[str, asyncio.Task[SiteRobots | None]] = {}

    async def verdict(self, fetcher: Fetcher, url: str, now: datetime) -> Verdict:
        """Whether the story page at `url` may be fetched as of `now`: its site's robots.txt disallows it (asked
        again when the rules are read again), or could not be read (a later read may mend it)."""
        site = site_of(url)
        kept = self._kept.get(site)
        if kept is None or kept[0].until <= now:
            reading = self._reading.get(site)
            if reading is None or reading.done() or reading.get_loop() is not asyncio.get_running_loop():
                reading = asyncio.ensure_future(self._rules(fetcher, site, now))
                self._reading[site] = reading
            try:
                read = await asyncio.shield(reading)
            finally:
                if reading.done() and self._reading.get(site) is reading:
                    del self._reading[site]
            if read is None:  # not asked: its site asked to be left; the page's own fetch says so
                return Verdict(None)
            kept = (read, NOTHING if read.text is None else read_rules(read.text, self.agent))
            self._kept[site] = kept
        robots, rules = kept
        if rules.allows(url):
            return Verdict(None, rules.delay)
        if robots.text is None:
            reason = (
                f"not fetched: its site's robots.txt could not be read ({robots.status}), and RFC 9309 has a crawler"
                " then fetch none of its pages"
            )
            return Verdict(Failed(url, reason, retry=True))
        refused = Failed(url, "not fetched: its site's robots.txt disallows it for newsbot", retry=False)
        return Verdict(refused, rules.delay, asked_again_at=robots.until)

    async def _rules(self, fetcher: Fetcher, site: str, now: datetime) -> SiteRobots | None:
        """The site's robots.txt as kept, else read again (claimed: another process reading it, the rules kept, or
        for a site never read those it keeps once read: `first_read`)."""
        keeper = self.keeper()
        kept = await asyncio.to_thread(keeper.robots, site)
        if kept is not None and kept.until > now:
            return kept
        if not await asyncio.to_thread(keeper.claim_read, site, now, READ_LEASE):
            if kept is not None:
                return await asyncio.to_thread(keeper.robots, site) or kept
            if (first := await self._first_read(keeper, site, now)) is not None:
                return first
        renewing = asyncio.ensure_future(_renewed(keeper, site, now))
        # A renewal the store refused (out of reach) lets the claim lapse and the read goes on: the store's trouble is
        # said by what asks it next, not as a task's exception never retrieved.
        renewing.add_done_callback(lambda task: task.cancelled() or task.exception())
        try:
            read = await self._read(fetcher, site, now, kept)
        finally:
            renewing.cancel()
        if read is not None:
            await asyncio.to_thread(keeper.keep_robots, read)
        elif kept is None:
            await asyncio.to_thread(keeper.drop_first_read, site)
        return read

    async def _first_read(self, keeper: RobotsKeeper, site: str, now: datetime) -> SiteRobots | None:
        """The rules another process is reading for the first time, once kept; None to read them here: it kept none
        (the site asked to be left), or its claim lapsed (its process died or hangs), and this process claimed the
        read."""
        clock = _Clock(now)
        while True:
            await asyncio.sleep(FIRST_READ_LOOK)
            if (kept := await asyncio.to_thread(keeper.robots, site)) is not None:
                return kept
            if await asyncio.to_thread(keeper.claim_read, site, clock.now(), READ_LEASE):
                return None

    async def _read(self, fetcher: Fetcher, site: str, now: datetime, before: SiteRobots | None) -> SiteRobots | None:
        fetched = await fetcher.get(f"{site}/robots.txt", accept=ACCEPT)
        if not isinstance(fetched, Failed):
            body = fetched.body[:MAX_BYTES].decode("utf-8", errors="replace")
            return SiteRobots(site, body, f"HTTP {fetched.status}", now, now + LIFETIME)
        if fetched.held:
            return None
        if not fetched.retry or fetched.nameless:  # 4xx, too large, no such host (its pages fail alike): no rules
            return SiteRobots(site, "", fetched.reason, now, now + LIFETIME)
        # Could not be read now: the rules read last, else none of its pages, until it is asked again.
        text = before.text if before is not None else None
        return SiteRobots(site, text, fetched.reason, now, now + UNREACHABLE_WAIT)


class _Clock:
    """`now` as passed in, moved on by the time passed since (a wait for another process's claim to lapse)."""

    def __init__(self, now: datetime) -> None:
        self._at, self._started = now, asyncio.get_running_loop().time()

    def now(self) -> datetime:
        return self._at + timedelta(seconds=asyncio.get_running_loop().time() - self._started)


async def _renewed(keeper: RobotsKeeper, site: str, now: datetime) -> None:
    """Keep this process's claim of the site's read (made at `now`) every READ_RENEWAL, until cancelled or taken
    over (a renewal late past the lease: the other then reads too, which costs the site a second read)."""
    clock, held = _Clock(now), now + READ_LEASE
    while True:
        await asyncio.sleep(READ_RENEWAL.total_seconds())
        until = clock.now() + READ_LEASE
        if not await asyncio.to_thread(keeper.renew_read, site, held, until):
            return
        held = until
