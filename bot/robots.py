"""robots.txt (RFC 9309): whether a site lets newsbot fetch a story page, read once per site and kept a while.

A followed feed's story pages are fetched by a poll no person started, as a crawler's are: a site that disallows
them for newsbot (or for every crawler, `*`) keeps the feed's summary. The feed itself, and a page an operator
gives `newsbot ingest`, are fetched on a person's word, as the big fetchers of feeds and of pages asked for by a
user do, robots.txt aside.

What a site answers for its robots.txt decides as RFC 9309 says (section 2.3.1), as Google's crawlers do: 2xx, its
rules; 4xx (but 408, 425 and 429), no rules, every page allowed; a 5xx, a 429, a timeout or no connection ("it
could not be read"), the rules read last if there are any, else no page at all, asked again after
`UNREACHABLE_WAIT`. Rules read are kept `LIFETIME` (RFC 9309: no longer than 24 hours), per site (scheme, host and
port), in the object that holds them (a poll service's, for the life of its process).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, unquote, urlsplit

from bot.fetch import Failed, Fetcher

LIFETIME = timedelta(hours=24)
UNREACHABLE_WAIT = timedelta(minutes=10)
# RFC 9309: a crawler must read at least 500 KiB of a robots.txt; what follows is not read.
MAX_BYTES = 500 * 1024
ACCEPT = "text/plain, */*;q=0.5"
# What a path or a rule keeps as it is when both are written alike (percent-encoded but for these).
_SAFE = "/?=&;:@!,+$*~-._"


@dataclass(frozen=True)
class Rules:
    """The rules of the group(s) of a robots.txt that apply to one crawler: (allow, pattern) pairs."""

    rules: tuple[tuple[bool, str], ...] = ()

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
    groups: list[tuple[set[str], list[tuple[bool, str]]]] = []
    open_group = False  # user-agent lines in a row make one group
    for line in text.splitlines():
        key, colon, value = line.split("#", 1)[0].partition(":")
        key, value = key.strip().casefold(), value.strip()
        if not colon:
            continue
        if key == "user-agent":
            if not open_group:
                groups.append((set(), []))
                open_group = True
            groups[-1][0].add(value.casefold())
        elif key in ("allow", "disallow") and groups:
            open_group = False
            if value:  # an empty Disallow allows everything: no rule
                groups[-1][1].append((key == "allow", _written(value)))
    token = agent.split("/", 1)[0].strip().casefold()
    for wanted in (token, "*"):
        if chosen := [rule for agents, rules in groups if wanted in agents for rule in rules]:
            return Rules(tuple(chosen))
        if any(wanted in agents for agents, _ in groups):
            return NO_RULES  # its group has no rule
    return NO_RULES


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
class _Kept:
    rules: Rules
    until: datetime
    read: bool  # read from the site (2xx or 4xx), not assumed after a failure
    failure: str = ""  # why it could not be read, when none of its pages is fetched for that


class Robots:
    """The robots.txt rules of the sites this process fetches story pages of, for the crawler `agent` (a
    User-Agent: its product token decides)."""

    def __init__(self, agent: str) -> None:
        self.agent = agent
        self._kept: dict[str, _Kept] = {}
        # A site's robots.txt being read now, by the page that asked first: the others of a poll wait for it.
        self._reading: dict[str, asyncio.Task[_Kept | None]] = {}

    async def refusal(self, fetcher: Fetcher, url: str, now: datetime) -> Failed | None:
        """Why the story page at `url` is not to be fetched as of `now` (None: it may be): its site's robots.txt
        disallows it (final), or could not be read (a later read may mend it)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}".lower()
        kept = self._kept.get(site)
        if kept is None or kept.until <= now:
            reading = self._reading.get(site)
            if reading is None or reading.done() or reading.get_loop() is not asyncio.get_running_loop():
                reading = asyncio.ensure_future(self._read(fetcher, site, now, kept))
                self._reading[site] = reading
            try:
                kept = await asyncio.shield(reading)
            finally:
                if reading.done() and self._reading.get(site) is reading:
                    del self._reading[site]
            if kept is None:  # not asked: its site asked to be left; the page's own fetch says so
                return None
            self._kept[site] = kept
        if kept.rules.allows(url):
            return None
        if kept.failure:
            reason = (
                f"not fetched: its site's robots.txt could not be read ({kept.failure}), and RFC 9309 has a crawler"
                " then fetch none of its pages"
            )
            return Failed(url, reason, retry=True)
        return Failed(url, "not fetched: its site's robots.txt disallows it for newsbot", retry=False)

    async def _read(self, fetcher: Fetcher, site: str, now: datetime, before: _Kept | None) -> _Kept | None:
        fetched = await fetcher.get(f"{site}/robots.txt", accept=ACCEPT)
        if not isinstance(fetched, Failed):
            text = fetched.body[:MAX_BYTES].decode("utf-8", errors="replace")
            return _Kept(read_rules(text, self.agent), now + LIFETIME, read=True)
        if fetched.held:
            return None
        if not fetched.retry or fetched.nameless:  # 4xx, too large, no such host (its pages fail alike): no rules
            return _Kept(NO_RULES, now + LIFETIME, read=True)
        # Could not be read now: the rules read last, else none of its pages, until it is asked again.
        if before is not None and before.read:
            return _Kept(before.rules, now + UNREACHABLE_WAIT, read=True)
        return _Kept(NOTHING, now + UNREACHABLE_WAIT, read=False, failure=fetched.reason)
