"""The network edge: fetching feeds and pages over HTTP(S), the one module that does.

`Fetcher.get` never raises: it returns what was fetched (`Fetched`, also for 304 Not Modified) or why not
(`Failed`, saying whether trying again later may help). Every address it connects to is checked first, the first
and each redirect's: only http(s), and nothing on this machine, on private or link-local networks (unless
`Settings.allow_private_addresses` lists it). A name is resolved once and the checked address is the one
connected to, so a name cannot resolve to a public address for the check and a private one for the fetch.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import math
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import certifi
import httpx

from bot.config import IPNetwork, Settings
from bot.ingest.pages import next_page, parse_page, refresh_target
from bot.ingest.reports import Skipped
from bot.models import Article, SiteWait

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9,"
    " */*;q=0.5"
)
# The pages of one story split over pages read at most (its first among them).
MAX_STORY_PAGES = 10
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Redirects that say the address itself has changed for good (a 302, 303 or 307 is for this request only).
_PERMANENT = frozenset({301, 308})
# Client errors that may pass: a request timeout, "too early", rate limiting.
_RETRY_CLIENT_ERRORS = frozenset({408, 425, 429})
# The answers whose Retry-After says how long to leave the site: rate limiting, down for maintenance.
_RETRY_AFTER = frozenset({429, 503})
# How long a fetcher leaves a site that answered 429 Too Many Requests without saying how long (a Retry-After).
RATE_LIMIT_PAUSE = timedelta(minutes=1)
# The longest wait a site names (a 429's or a 503's Retry-After) that a one-off read of pages (`newsbot ingest URL
# ...`) sits out to read the page then, and how many times for one page; past that the page is skipped, said so.
PATIENCE = timedelta(seconds=30)
PATIENT_TRIES = 3
# How the reason of a fetch not made begins (`Failed.held`): a feed's listing tells such a feed apart by it.
NOT_ASKED = "not asked: its site asked to be left"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A host as it goes on the wire: a name (international names in their xn-- form) or an IP address.
_HOST = re.compile(r"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class Fetched:
    """A response worth reading: 2xx with its body, or 304 Not Modified (no body) for a conditional request."""

    url: str
    final_url: str  # after redirects
    status: int
    body: bytes
    content_type: str  # the Content-Type header as sent ("" when there is none)
    etag: str | None
    last_modified: str | None
    # Where the permanent redirects (301, 308) that answered first led: the address `url` has moved to for good.
    # None when the first answer was none (a 302 on the way, or after them, leaves that address as it is).
    moved_to: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Failed:
    """Why nothing was fetched, in words for an operator, and whether trying again later may help."""

    url: str
    reason: str
    retry: bool
    status: int | None = None
    # The site answered but sent its body too slowly to read within the timeout (one byte a second, say): it is
    # there and answering, and may be so for days, unlike a site that is down.
    trickled: bool = False
    # Its host name does not exist, as the name servers answered (a typo, a domain let lapse), where a resolver
    # that failed to answer may work again: there is no site to be down.
    nameless: bool = False
    # How long the site asked to be left before the next request (its Retry-After, with a 429 or a 503).
    retry_after: timedelta | None = None
    # Not asked for: its site had asked this fetcher to leave it a while, answering another address (see
    # `Fetcher.get`). No failed read of its own.
    held: bool = False

    @property
    def limited(self) -> bool:
        """Whether the site asked to be left a while (rate limiting, or a wait it named): not only this address."""
        return not self.held and (self.status == 429 or self.retry_after is not None)


@dataclass
class _Progress:
    """How far a fetch got, for a timeout to say: whether an answer to read came, and how much of its body."""

    answered: bool = False
    received: int = 0


class _Refused(Exception):
    """An address the guard does not allow, or one it cannot find (with whether that may pass)."""

    def __init__(self, reason: str, retry: bool = False, nameless: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.nameless = nameless


def refusal(address: IPAddress, allowed: Iterable[IPNetwork] = ()) -> str | None:
    """Why newsbot must not connect to `address` (None when it may): only public addresses, unless `allowed`."""
    if isinstance(address, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(address)) is not None:
        # An IPv6 address that carries an IPv4 one reaches that one: judge it by what it carries.
        address = embedded
    if any(address.version == network.version and address in network for network in allowed):
        return None
    if address.is_loopback or address.is_unspecified:
        return f"{address} is on this machine"
    if address.is_link_local:
        return f"{address} is a link-local address"
    if address.is_private:
        return f"{address} is a private address"
    if address.is_multicast or address.is_reserved or not address.is_global:
        return f"{address} is not a public address"
    return None


def longest_wait(settings: Settings) -> timedelta:
    """The longest a site that asked for a wait (a Retry-After of days) is left: as long as a failing feed waits
    between polls at most (the back-off cap, never less than the poll interval)."""
    return max(timedelta(minutes=settings.feed_backoff_max_minutes), timedelta(minutes=settings.feed_poll_minutes))


def site_of(url: str) -> str:
    """The site a fetch of `url` asks, as one that asks to be left is left: its host and port as written."""
    return urlsplit(url).netloc.lower()


def retry_after(headers: httpx.Headers) -> timedelta | None:
    """The wait a response's Retry-After asks for: seconds, or an HTTP date taken against the response's own Date
    (the site's clock, not ours). None when there is none, or it cannot be read."""
    value = headers.get("Retry-After", "").strip()
    if value.isdecimal():
        return timedelta(seconds=int(value))
    try:
        until, sent = parsedate_to_datetime(value), parsedate_to_datetime(headers.get("Date", ""))
    except (TypeError, ValueError):
        return None
    return max(until - sent, timedelta(0)) if until.tzinfo and sent.tzinfo else None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16) or NAT64 (64:ff9b::/96) one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


# What getaddrinfo answers for a name the name servers say does not exist (NXDOMAIN, or no address of it), where a
# resolver not answering is EAI_AGAIN.
NO_SUCH_NAME = {socket.EAI_NONAME, *([socket.EAI_NODATA] if hasattr(socket, "EAI_NODATA") else [])}


async def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` names (an address itself, or a name resolved without blocking the event loop)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        # gaierror's text begins with its errno ("[Errno -2] Name or service not known"), which says nothing more.
        raise _Refused(
            f"cannot find the address of {host}: {getattr(exc, 'strerror', None) or exc}",
            retry=True,
            nameless=getattr(exc, "errno", None) in NO_SUCH_NAME,
        ) from exc
    # A scoped IPv6 address ("fe80::1%eth0") is checked without its scope.
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS set-up for every Fetcher: loading the certificate authorities takes about 0.1 s."""
    return ssl.create_default_context(cafile=certifi.where())


# httpx's words for a body that ended before its Content-Length: "... (received 1064 bytes, expected 2129)".
_RECEIVED = re.compile(r"received (\d+) bytes, expected (\d+)")


def _cut_short(error: httpx.RemoteProtocolError, progress: _Progress) -> str:
    """Why a site's answer is not whole, in an operator's words: httpx's ("RemoteProtocolError: peer closed connection
    without sending complete message body") read as a fault of the client."""
    if not progress.answered:
        return "the site closed the connection without answering"
    if sizes := _RECEIVED.search(str(error)):
        return f"the site closed the connection after {int(sizes[1]):,} of its answer's {int(sizes[2]):,} bytes"
    return f"the site closed the connection after {progress.received:,} bytes, before its answer was whole"


class Fetcher:
    """Fetches with newsbot's rules; one per process, used as `async with Fetcher(settings) as fetcher`."""

    def __init__(self, settings: Settings, tls: ssl.SSLContext | None = None) -> None:
        """`tls`: whom to trust for https (default: the certificate authorities browsers trust, from certifi)."""
        self.settings = settings
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.fetch_timeout),
            verify=tls or _tls(),
            follow_redirects=False,  # followed here, each target checked
            # No proxies from the environment (they would connect past the address check), and no reused
            # connections: each request connects to the address checked for its own host.
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        # The sites (host and port) that asked to be left, until when (monotonic seconds), and their answer.
        self._left: dict[str, tuple[float, Failed]] = {}
        # The sites that asked so in answers to this fetcher, not yet given out by `asked`.
        self._told: list[str] = []

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def leave(self, waits: Iterable[SiteWait], now: datetime) -> None:
        """Leave the sites that asked another fetcher or process to (`waits`, kept in the store), as of `now`."""
        for wait in waits:
            left = wait.until - now
            self._leave(wait.site, left, Failed(wait.url, wait.reason, True, retry_after=left))

    def _leave(self, site: str, wait: timedelta, asked: Failed) -> None:
        """Leave `site` (see `site_of`) for `wait`, as its answer `asked`."""
        self._left[site] = (time.monotonic() + wait.total_seconds(), asked)

    def asked(self, now: datetime) -> list[SiteWait]:
        """The waits sites asked of this fetcher since the last call, as of `now` (each the wait still to go, at most
        `longest_wait`), for a caller to keep for the fetchers and processes after this one."""
        still = time.monotonic()
        told, self._told = dict.fromkeys(self._told), []
        cap = longest_wait(self.settings)
        waits = []
        for site in told:
            until, answer = self._left[site]
            wait = min(timedelta(seconds=max(until - still, 0)), cap)
            waits.append(SiteWait(site, now + wait, answer.url, answer.reason))
        return waits

    async def get(
        self, url: str, etag: str | None = None, last_modified: str | None = None, accept: str = PAGE_ACCEPT
    ) -> Fetched | Failed:
        """GET `url`; with `etag`/`last_modified` from an earlier fetch, a 304 says nothing changed. A site that
        asked to be left (a 429, a Retry-After) is not asked again for the wait it named (`RATE_LIMIT_PAUSE` when it
        named none): a poll asked for each of its pages, and each got a 429 of its own."""
        site = site_of(url)
        left = self._left.get(site)
        if left is not None and (still := left[0] - time.monotonic()) > 0:
            asked = left[1]
            reason = f"{NOT_ASKED} ({asked.reason}, for {asked.url})"
            # The wait still to go, not the whole one asked for when the wait began.
            wait = timedelta(seconds=still) if asked.retry_after is not None else None
            return Failed(url, reason, retry=True, retry_after=wait, held=True)
        result = await self._get(url, etag, last_modified, accept)
        if isinstance(result, Failed) and result.limited:
            self._leave(site, result.retry_after or RATE_LIMIT_PAUSE, result)
            self._told.append(site)
        return result

    async def _get(self, url: str, etag: str | None, last_modified: str | None, accept: str) -> Fetched | Failed:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        timeout = self.settings.fetch_timeout
        progress = _Progress()
        try:
            async with asyncio.timeout(timeout):
                return await self._follow(url, headers, progress)
        except TimeoutError:
            if not progress.answered:
                return Failed(url, f"no answer within {timeout:g} s", retry=True)
            return Failed(
                url,
                f"the site answered but sent only {progress.received:,} bytes in {timeout:g} s: too slowly to read",
                retry=True,
                trickled=True,
            )
        except _Refused as exc:
            return Failed(url, exc.reason, retry=exc.retry, nameless=exc.nameless)
        except httpx.TimeoutException:
            return Failed(url, f"no answer within {timeout:g} s", retry=True)
        except httpx.RemoteProtocolError as exc:
            return Failed(url, _cut_short(exc, progress), retry=True)
        except httpx.HTTPError as exc:
            return Failed(url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, retry=True)
        except (OSError, ssl.SSLError) as exc:
            return Failed(url, f"{type(exc).__name__}: {exc}", retry=True)
        except Exception as exc:  # the edge never raises: a surprise is logged in full and reported as a failure
            log.exception("fetching %s failed unexpectedly", url)
            return Failed(url, f"unexpected {type(exc).__name__}: {exc}", retry=True)

    async def _follow(self, url: str, headers: dict[str, str], progress: _Progress) -> Fetched | Failed:
        current = url
        moved_to: str | None = None
        permanent = True  # every answer so far was a permanent redirect
        visited = [url]
        for _ in range(MAX_REDIRECTS + 1):
            progress.answered, progress.received = False, 0  # a timeout speaks of the last request
            response = await self._send(current, headers)
            try:
                location = response.headers.get("Location")
                if response.status_code in _REDIRECTS and location:
                    current = urljoin(current, location.strip())
                    if current in visited:
                        return _looped(url, current)
                    visited.append(current)
                    permanent = permanent and response.status_code in _PERMANENT
                    moved_to = current if permanent else moved_to
                    continue
                result = await self._result(url, current, response, progress)
            finally:
                await response.aclose()
            if isinstance(result, Fetched) and moved_to is not None:
                result = replace(result, moved_to=moved_to)
            # A page that sends its reader on at once (`<meta http-equiv="refresh">`) is followed as a redirect.
            if not isinstance(result, Fetched) or not (
                target := refresh_target(result.body, current, result.content_type)
            ):
                return result
            if target in visited:
                return _looped(url, target)
            visited.append(target)
            current, permanent = target, False
        return _too_many(url, visited)

    async def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """GET `url` from the first of its checked addresses that accepts a connection."""
        parsed, addresses = await self._checked(url)
        host = parsed.raw_host.decode("ascii")
        # The connection goes to the checked address; the server still sees (and TLS still verifies) the name.
        headers = {**headers, "Host": parsed.netloc.decode("ascii")}
        extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
        error: httpx.ConnectError | None = None
        for address in addresses:
            target = parsed.copy_with(host=str(address), fragment=None)
            request = self._client.build_request("GET", target, headers=headers, extensions=extensions)
            try:
                return await self._client.send(request, stream=True)
            except httpx.ConnectError as exc:
                error = exc
        assert error is not None  # addresses is never empty
        raise error

    async def _checked(self, url: str) -> tuple[httpx.URL, list[IPAddress]]:
        """The parsed URL and the addresses its host names, every one of them allowed; else `_Refused`."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise _Refused(f"not a valid URL: {exc}") from exc
        if parsed.scheme not in _DEFAULT_PORTS:
            raise _Refused(f"only http and https addresses are fetched, not {parsed.scheme or 'a relative'!r} ones")
        host = parsed.raw_host.decode("ascii", "replace")
        if not host:
            raise _Refused("the URL has no host")
        if not _HOST.fullmatch(host):
            raise _Refused(f"not a valid host name: {parsed.host!r}")
        addresses = await _resolve(host, parsed.port or _DEFAULT_PORTS[parsed.scheme])
        if not addresses:
            raise _Refused(f"{host} has no address", retry=True)
        for address in addresses:
            if reason := refusal(address, self.settings.allow_private_addresses):
                named = "" if str(address) == host else f"{host} resolves to "
                # An operator following a feed on their own network is told how to allow it.
                raise _Refused(f"refused: {named}{reason} (NEWSBOT_ALLOW_PRIVATE_ADDRESSES can allow it)")
        return parsed, addresses

    async def _result(
        self, url: str, final_url: str, response: httpx.Response, progress: _Progress
    ) -> Fetched | Failed:
        status = response.status_code
        if status != 304 and not 200 <= status < 300:
            retry = status >= 500 or status in _RETRY_CLIENT_ERRORS
            reason = f"HTTP {status} {response.reason_phrase}".rstrip()
            wait = retry_after(response.headers) if status in _RETRY_AFTER else None
            if wait is not None:
                reason += f", Retry-After {wait.total_seconds():,.0f} s"
            return Failed(url, reason, retry=retry, status=status, retry_after=wait)
        limit = self.settings.fetch_max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            return Failed(url, f"too large: {int(declared):,} bytes (the limit is {limit:,})", retry=False)
        body = bytearray()
        progress.answered = True
        if status != 304:
            async for chunk in response.aiter_bytes():
                body += chunk
                progress.received = len(body)
                if len(body) > limit:
                    return Failed(url, f"too large: more than {limit:,} bytes, stopped reading", retry=False)
        return Fetched(
            url=url,
            final_url=final_url,
            status=status,
            body=bytes(body),
            content_type=response.headers.get("Content-Type", ""),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


async def fetch_page(
    fetcher: Fetcher, url: str, category: str = "", date_known: bool = False
) -> list[Article | Skipped]:
    """The story on the web page at `url`, after a cut note if it was cut; or one `Skipped` saying why not
    (`date_known`: see `parse_page`).

    Parsing runs in a worker thread: trafilatura on a large page takes long enough to stall the event loop.
    """
    result = await fetcher.get(url, accept=PAGE_ACCEPT)
    if isinstance(result, Failed):
        return [Skipped(url, result.reason, retry=result.retry, retry_after=result.retry_after, held=result.held)]
    # A story split over pages (`<link rel="next">`) is read whole, a page after another, up to `MAX_STORY_PAGES`;
    # a next page that fails ends it where it got to.
    continued: list[tuple[bytes, str, str | None]] = []
    seen = {result.final_url}
    last = result
    while len(continued) < MAX_STORY_PAGES - 1 and (following := next_page(last.body, last.final_url)):
        if following in seen or isinstance(more := await fetcher.get(following, accept=PAGE_ACCEPT), Failed):
            break
        seen.add(more.final_url)
        continued.append((more.body, more.final_url, more.content_type))
        last = more
    return await asyncio.to_thread(
        list, parse_page(result.body, result.final_url, result.content_type, category, date_known, continued)
    )


def read_pages(
    urls: Iterable[str],
    settings: Settings,
    now: datetime,
    waits: Iterable[SiteWait] = (),
    keep: Callable[[list[SiteWait]], object] | None = None,
) -> Iterator[Article | Skipped]:
    """`fetch_page` of each of `urls` in turn, for callers without an event loop (`newsbot ingest URL URL ...`), by
    one fetcher: a site that asks to be left (a 429) is left for the wait it named, where a fetcher for each page
    asked it for every page all the same; a short wait is sat out (`_patiently`). The sites that asked other
    fetches to be left (`waits`, kept in the store: a feed poll's 429) are left too, as of `now`; the waits asked
    of this one go to `keep` at the end, for the polls and ingests after it."""
    start = time.monotonic()
    with asyncio.Runner() as runner:
        fetcher = Fetcher(settings)
        fetcher.leave(waits, now)
        try:
            for url in urls:
                yield from runner.run(_patiently(fetcher, url))
        finally:
            runner.run(fetcher.aclose())
            if keep is not None and (asked := fetcher.asked(now + timedelta(seconds=time.monotonic() - start))):
                keep(asked)


async def _patiently(fetcher: Fetcher, url: str) -> list[Article | Skipped]:
    """`fetch_page`, sitting out a short wait its site asks for (`PATIENCE`, `PATIENT_TRIES` times): a site that
    allows a page a second, say, answers `Retry-After: 1`, and every other page of an ingest was skipped."""
    items = await fetch_page(fetcher, url)
    for _ in range(PATIENT_TRIES):
        asked = [item.retry_after for item in items if isinstance(item, Skipped) and item.retry_after is not None]
        if len(items) != 1 or not asked or asked[0] > PATIENCE:
            break
        log.info("%s: waiting %.0f s, as its site asked", url, asked[0].total_seconds())
        await asyncio.sleep(asked[0].total_seconds())
        items = await fetch_page(fetcher, url)
    return [_when_again(item) for item in items]


def _when_again(item: Article | Skipped) -> Article | Skipped:
    """A page left for its site's wait, with when the wait is over: its reason named the wait asked for when the
    site asked (an hour, to a feed poll 48 minutes before), and the operator was left to guess when to try again."""
    if not isinstance(item, Skipped) or not item.held or item.retry_after is None:
        return item
    minutes = math.ceil(item.retry_after.total_seconds() / 60)
    return replace(item, reason=f"{item.reason}; the wait is over in {minutes:,} min")


def _too_many(url: str, visited: list[str]) -> Failed:
    """`url` redirected more than MAX_REDIRECTS times, through `visited`. A loop whose address changes each time
    (`/a?n=1` to `/a?n=2` ...) was "more than 5 redirects" too, as if a longer wait might see it end: a page that
    comes back under another query is said to be one."""
    pages = [urlsplit(address)._replace(query="", fragment="").geturl() for address in visited]
    again = next((page for n, page in enumerate(pages) if page in pages[:n]), None)
    if again is not None:
        return Failed(
            url,
            f"a redirect loop (back to {again} again and again, its query changed each time; the last {visited[-1]})",
            retry=False,
        )
    return Failed(url, f"more than {MAX_REDIRECTS} redirects (the last to {visited[-1]})", retry=False)


def _looped(url: str, again: str) -> Failed:
    """`url`'s redirects came back to `again`: "more than 5 redirects" left an operator to guess it never ends."""
    return Failed(url, f"a redirect loop (back to {again})", retry=False)
