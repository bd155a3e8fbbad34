"""The network edge (issue 9) against a real HTTP server on 127.0.0.1: feeds, pages, and sites misbehaving."""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.fetch import MAX_REDIRECTS, Failed, Fetched, Fetcher, fetch_page, read_pages, refusal, retry_after
from bot.ingest import Skipped
from bot.ingest.feeds import Feed, parse_feed
from bot.models import Article
from tests.paths import DATA, ROOT
from tests.web_server import LAST_MODIFIED, PARAGRAPH, WebServer, serving

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
NOW = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
FEEDS = sorted(p.name for p in (DATA / "feeds").iterdir() if not p.name.endswith(".expected.json"))


@pytest.fixture(scope="module")
def web() -> Iterator[WebServer]:
    with serving() as server:
        yield server


@pytest.fixture
def fetch_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, allow_private_addresses=LOOPBACK, fetch_timeout=5.0, fetch_max_bytes=1_000_000)


async def get(settings: Settings, url: str, **kwargs: str) -> Fetched | Failed:
    async with Fetcher(settings) as fetcher:
        return await fetcher.get(url, **kwargs)


@pytest.mark.parametrize("name", FEEDS)
async def test_feeds_arrive_whole_and_parse(web: WebServer, fetch_settings: Settings, name: str) -> None:
    url = web.url(f"/feeds/{name}")
    result = await get(fetch_settings, url)
    assert isinstance(result, Fetched), result
    assert result.status == 200 and result.final_url == url
    assert result.body == (DATA / "feeds" / name).read_bytes()
    assert result.etag and result.last_modified == LAST_MODIFIED
    feed = parse_feed(result.body, result.final_url, content_type=result.content_type)
    want = json.loads((DATA / "feeds" / (Path(name).stem + ".expected.json")).read_text(encoding="utf-8"))
    if "skipped" in want:
        assert isinstance(feed, Skipped)
    else:
        assert isinstance(feed, Feed)
        assert [e.article.title for e in feed.entries] == [e["title"] for e in want["entries"]]


async def test_conditional_get_answers_304_without_a_body(web: WebServer, fetch_settings: Settings) -> None:
    url = web.url("/feeds/atom.xml")
    first = await get(fetch_settings, url)
    assert isinstance(first, Fetched) and first.etag
    by_etag = await get(fetch_settings, url, etag=first.etag)
    by_date = await get(fetch_settings, url, last_modified=LAST_MODIFIED)
    for again in (by_etag, by_date):
        assert isinstance(again, Fetched)
        assert again.not_modified and again.status == 304 and again.body == b""
    changed = await get(fetch_settings, url, etag='"stale"')
    assert isinstance(changed, Fetched) and changed.status == 200 and changed.body == first.body


async def test_redirects_are_followed_and_the_final_address_reported(web: WebServer, fetch_settings: Settings) -> None:
    url = web.url(f"/redirect/{MAX_REDIRECTS}?to=/feeds/rss091.xml")
    result = await get(fetch_settings, url)
    assert isinstance(result, Fetched) and result.status == 200
    assert result.url == url and result.final_url == web.url("/feeds/rss091.xml")
    assert result.moved_to is None  # 302s: the address stays as it was


@pytest.mark.parametrize("code", [301, 308])
async def test_the_address_permanent_redirects_lead_to_is_where_it_moved(
    web: WebServer, fetch_settings: Settings, code: int
) -> None:
    """Only the permanent redirects that answer first say where the address has moved: a 302 after them is
    where it is for now, and one before them makes the whole chain temporary."""
    feed = web.url("/feeds/atom.xml")
    moved = await get(fetch_settings, web.url(f"/redirect/2?code={code}&to=/feeds/atom.xml"))
    assert isinstance(moved, Fetched) and moved.final_url == feed and moved.moved_to == feed
    for_now = "/redirect/1?to=/feeds/atom.xml"
    then_temporary = await get(fetch_settings, web.url(f"/redirect/1?code={code}&to={quote(for_now)}"))
    assert isinstance(then_temporary, Fetched) and then_temporary.final_url == feed
    assert then_temporary.moved_to == web.url(for_now)
    moved_later = f"/redirect/1?code={code}&to=/feeds/atom.xml"
    temporary_first = await get(fetch_settings, web.url(f"/redirect/1?to={quote(moved_later)}"))
    assert isinstance(temporary_first, Fetched) and temporary_first.final_url == feed
    assert temporary_first.moved_to is None
    failed = await get(fetch_settings, web.url(f"/redirect/1?code={code}&to=/status/404"))
    assert isinstance(failed, Failed) and failed.status == 404


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "120"}, 120),
        ({"Retry-After": "Sun, 29 Mar 2026 07:00:00 GMT", "Date": "Sun, 29 Mar 2026 06:00:00 GMT"}, 3_600),
        ({"Retry-After": "Sun, 29 Mar 2026 05:00:00 GMT", "Date": "Sun, 29 Mar 2026 06:00:00 GMT"}, 0),  # past
        ({"Retry-After": "Sun, 29 Mar 2026 07:00:00 GMT"}, None),  # no Date to take it against
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-5"}, None),
        ({}, None),
    ],
)
def test_the_wait_a_site_asks_for_is_read_from_retry_after(headers: dict[str, str], seconds: int | None) -> None:
    wait = retry_after(httpx.Headers(headers))
    assert (wait.total_seconds() if wait is not None else None) == seconds


async def test_too_many_redirects(web: WebServer, fetch_settings: Settings) -> None:
    result = await get(fetch_settings, web.url(f"/redirect/{MAX_REDIRECTS + 1}"))
    assert isinstance(result, Failed) and not result.retry
    assert result.reason == f"more than {MAX_REDIRECTS} redirects (the last to {web.url('/pages/minimal.html')})"


async def test_a_redirect_loop_changing_its_query_each_time_is_said_to_be_one(
    web: WebServer, fetch_settings: Settings
) -> None:
    """`/again?n=1` sending on to `/again?n=2` and so on for ever was "more than 5 redirects", as if a site slower
    to end its chain might be read: it is said to be a loop, with the page it comes back to and its last address."""
    result = await get(fetch_settings, web.url("/again"))
    assert isinstance(result, Failed) and not result.retry
    assert result.reason == (
        f"a redirect loop (back to {web.url('/again')} again and again, its query changed each time; the last"
        f" {web.url(f'/again?n={MAX_REDIRECTS + 1}')})"
    )
    assert [web.count(f"/again?n={n}") for n in range(1, MAX_REDIRECTS + 2)] == [1] * MAX_REDIRECTS + [0]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://10.0.0.1/internal", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:8080/", "::1 is on this machine"),
        ("http://0.0.0.0:8080/", "0.0.0.0 is on this machine"),
        ("http://[::ffff:192.168.1.1]/", "192.168.1.1 is a private address"),
        ("file:///etc/passwd", "only http and https"),
        ("ftp://ftp.example.org/file", "only http and https"),
    ],
)
async def test_a_redirect_to_a_refused_address_is_not_followed(
    web: WebServer, fetch_settings: Settings, target: str, reason: str
) -> None:
    result = await get(fetch_settings, web.url(f"/redirect/1?to={target}"))
    assert isinstance(result, Failed) and not result.retry
    assert reason in result.reason


async def test_loopback_is_refused_unless_allowed_and_never_contacted(web: WebServer, tmp_path: Path) -> None:
    strict = Settings(data_dir=tmp_path, fetch_timeout=5.0)
    before = len(web.requests)
    by_address = await get(strict, web.url("/feeds/atom.xml"))
    by_name = await get(strict, web.url("/feeds/atom.xml").replace("127.0.0.1", "localhost"))
    assert isinstance(by_address, Failed) and by_address.reason == (
        "refused: 127.0.0.1 is on this machine (NEWSBOT_ALLOW_PRIVATE_ADDRESSES can allow it)"
    )
    assert isinstance(by_name, Failed) and by_name.reason.startswith("refused: localhost resolves to ")
    assert not by_address.retry and not by_name.retry
    assert len(web.requests) == before


async def test_timeout_is_a_retryable_failure(web: WebServer, fetch_settings: Settings) -> None:
    quick = replace(fetch_settings, fetch_timeout=0.5)
    result = await get(quick, web.url("/slow?seconds=10"))
    assert isinstance(result, Failed) and result.retry and not result.trickled
    assert result.reason == "no answer within 0.5 s"


async def test_a_trickling_server_is_cut_off_at_the_overall_deadline(web: WebServer, fetch_settings: Settings) -> None:
    """Each byte arrives within the read timeout; the whole answer does not arrive within the deadline. Said as
    such: it was "no complete answer within 1 s", as a site that never answered."""
    quick = replace(fetch_settings, fetch_timeout=1.0)
    result = await get(quick, web.url("/trickle?seconds=10"))
    assert isinstance(result, Failed) and result.retry and result.trickled
    assert re.fullmatch(r"the site answered but sent only \d bytes in 1 s: too slowly to read", result.reason)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", f"the site closed the connection after {len(PARAGRAPH):,} of its answer's {2 * len(PARAGRAPH):,} bytes"),
        ("?answer=0", "the site closed the connection without answering"),
    ],
)
async def test_an_answer_cut_short_is_said_in_the_sites_terms_and_tried_again(
    web: WebServer, fetch_settings: Settings, query: str, reason: str
) -> None:
    """A connection closed half way was said in httpx's words ("RemoteProtocolError: peer closed connection without
    sending complete message body"), which an operator read as newsbot's own fault."""
    result = await get(fetch_settings, web.url(f"/cut/story.html{query}"))
    assert isinstance(result, Failed) and result.retry
    assert result.reason == reason


@pytest.mark.parametrize(("status", "retry"), [(500, True), (503, True), (429, True), (404, False), (410, False)])
async def test_error_statuses(web: WebServer, fetch_settings: Settings, status: int, retry: bool) -> None:
    result = await get(fetch_settings, web.url(f"/status/{status}"))
    assert isinstance(result, Failed)
    assert result.status == status and result.retry is retry and result.reason.startswith(f"HTTP {status}")


async def test_a_site_that_asks_to_be_left_is_not_asked_again_by_the_same_fetcher(
    web: WebServer, fetch_settings: Settings
) -> None:
    """A site answering 429 Too Many Requests was asked for every page a poll wanted of it, each getting a 429 of
    its own: a fetcher (one a poll round) now leaves it for the wait it named, or `RATE_LIMIT_PAUSE`, its other
    addresses answered at once as not asked; other sites, and the next round's fetcher, ask as ever."""
    web.live["limited.html"] = b"<html><body><p>Busy.</p></body></html>"
    web.statuses["limited.html"] = 429
    web.headers["limited.html"] = {"Retry-After": "3600"}
    page = web.url("/pages/minimal.html")
    with serving() as other:
        async with Fetcher(fetch_settings) as fetcher:
            first = await fetcher.get(web.url("/live/limited.html"))
            before = len(web.requests)
            again = await fetcher.get(page)
            asked = len(web.requests) - before
            elsewhere = await fetcher.get(other.url("/pages/minimal.html"))
    assert isinstance(first, Failed) and first.limited and not first.held
    assert isinstance(again, Failed) and again.held and again.retry and not again.limited
    assert again.reason == (
        "not asked: its site asked to be left (HTTP 429 Too Many Requests, Retry-After 3,600 s, for"
        f" {web.url('/live/limited.html')})"
    )
    assert asked == 0 and isinstance(elsewhere, Fetched)
    assert isinstance(await get(fetch_settings, page), Fetched)
    async with Fetcher(fetch_settings) as fetcher:
        unnamed = await fetcher.get(web.url("/status/429"))
        held = await fetch_page(fetcher, page)
    assert isinstance(unnamed, Failed) and unnamed.retry_after is None
    reason = f"not asked: its site asked to be left (HTTP 429 Too Many Requests, for {web.url('/status/429')})"
    assert held == [Skipped(page, reason, retry=True, held=True)]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/huge?bytes=5000000&length=1", "too large: 5,000,000 bytes (the limit is 1,000,000)"),
        ("/huge?bytes=5000000&length=0", "too large: more than 1,000,000 bytes, stopped reading"),
        ("/gzip?bytes=5000000", "too large: more than 1,000,000 bytes, stopped reading"),
    ],
    ids=["declared", "streamed", "compressed"],
)
async def test_size_cap(web: WebServer, fetch_settings: Settings, path: str, reason: str) -> None:
    result = await get(fetch_settings, web.url(path))
    assert isinstance(result, Failed) and not result.retry
    assert result.reason == reason


async def test_user_agent_accept_and_host_are_sent(web: WebServer, fetch_settings: Settings) -> None:
    result = await get(fetch_settings, web.url("/headers"), accept="application/rss+xml")
    assert isinstance(result, Fetched)
    headers = {k.lower(): v for k, v in json.loads(result.body).items()}
    assert headers["user-agent"] == fetch_settings.user_agent and headers["user-agent"].startswith("newsbot/")
    assert headers["accept"] == "application/rss+xml"
    assert headers["host"] == web.base_url.removeprefix("http://")


@pytest.mark.parametrize("url", ["", "not a url", "http://", "https://exa mple.com/", "//no-scheme.example/x"])
async def test_nonsense_urls_fail_softly(fetch_settings: Settings, url: str) -> None:
    result = await get(fetch_settings, url)
    assert isinstance(result, Failed) and not result.retry


async def test_a_name_that_does_not_resolve_may_be_retried(fetch_settings: Settings) -> None:
    result = await get(fetch_settings, "http://no-such-host.invalid/feed.xml")
    assert isinstance(result, Failed) and result.retry and "no-such-host.invalid" in result.reason
    assert "Errno" not in result.reason, result.reason


async def test_fetch_page_reads_the_story(web: WebServer, fetch_settings: Settings) -> None:
    async with Fetcher(fetch_settings) as fetcher:
        [article] = await fetch_page(fetcher, web.url("/redirect/1?to=/pages/article.html"), category="Harbour")
        [image] = await fetch_page(fetcher, web.url("/pages/image.png"))
        [data] = await fetch_page(fetcher, web.url("/pages/data.json"))
        [missing] = await fetch_page(fetcher, web.url("/pages/nope.html"))
        [feed] = await fetch_page(fetcher, web.url("/polls/harbour.xml"))
    assert isinstance(article, Article)
    assert article.title == "Harbour Council Approves Café Expansion" and article.category == "Harbour"
    # The page's canonical link is on the same site as the page? Here it is not (127.0.0.1), so the address read.
    assert article.url == web.url("/pages/article.html")
    assert image == Skipped(web.url("/pages/image.png"), "not an HTML page (image/png)")
    assert data == Skipped(web.url("/pages/data.json"), "not an HTML page (application/json)")
    assert isinstance(feed, Skipped) and feed.reason.endswith("follow it with `newsbot feeds add URL`")
    assert isinstance(missing, Skipped) and missing.reason == "HTTP 404 Not Found"


async def test_a_story_split_over_pages_is_read_whole(web: WebServer, fetch_settings: Settings) -> None:
    """A story whose page names its next (`<link rel="next">`) went in as its first page alone: a question on the
    second ("how much will harbour dues rise") found nothing. Its pages are read while they carry its headline; a
    "next" page of another story (tests/data/split_story/pier.html) is no part of it."""
    want = json.loads((DATA / "split_story.expected.json").read_text(encoding="utf-8"))
    for page in (DATA / "split_story").iterdir():
        web.live[page.name] = page.read_bytes()
    before = len(web.requests)
    async with Fetcher(fetch_settings) as fetcher:
        [article] = await fetch_page(fetcher, web.url(f"/live/{want['first']}"))
    assert isinstance(article, Article)
    assert (article.title, list(article.paragraphs)) == (want["title"], want["paragraphs"])
    assert article.url == web.url(f"/live/{want['first']}")
    assert web.requests[before:] == want["requested"]


@pytest.mark.parametrize(
    "kind",
    [
        "application/x-rss+xml", "application/x-atom+xml", "text/rss+xml", "application/rdf+xml", "application/xml",
        "text/xml",
    ],
)  # fmt: skip
async def test_a_feed_under_any_of_its_media_types_is_named_a_feed(
    web: WebServer, fetch_settings: Settings, kind: str
) -> None:
    """Servers still send the unregistered x- types, and any XML's (Python's http.server and nginx send a .xml
    file as application/xml or text/xml, which was "not an HTML page (application/xml)"): `newsbot ingest` of such
    a feed says to follow it."""
    async with Fetcher(fetch_settings) as fetcher:
        [feed] = await fetch_page(fetcher, web.url(f"/polls/harbour.xml?type={quote(kind)}"))
    assert isinstance(feed, Skipped)
    assert feed.reason == f"a feed, not a page ({kind}): follow it with `newsbot feeds add URL`"


def test_read_pages_for_the_command_line(web: WebServer, fetch_settings: Settings) -> None:
    [article] = read_pages([web.url("/pages/latin1.html")], fetch_settings, NOW)
    assert isinstance(article, Article) and article.title == "Café Owners Protest Rent Rise"


def test_pages_read_for_the_command_line_leave_a_site_that_asks_for_a_wait(
    web: WebServer, fetch_settings: Settings
) -> None:
    """`newsbot ingest URL URL ...` of pages of one site asked it for every page after it answered 429 Too Many
    Requests (Retry-After: 3600), each page with a fetcher of its own: its other pages are now not asked for, and
    said to be so; another site's are read."""
    web.live["limited.html"] = b"<html><body><p>Busy.</p></body></html>"
    web.statuses["limited.html"] = 429
    web.headers["limited.html"] = {"Retry-After": "3600"}
    pages = [web.url("/live/limited.html"), web.url("/pages/article.html"), web.url("/pages/latin1.html")]
    before = len(web.requests)
    with serving() as other:
        read = list(read_pages([*pages, other.url("/pages/latin1.html")], fetch_settings, NOW))
    assert web.requests[before:] == ["/live/limited.html"]
    limited, *held, elsewhere = read
    assert isinstance(limited, Skipped) and limited.reason == "HTTP 429 Too Many Requests, Retry-After 3,600 s"
    assert [(p.location, p.held) for p in held if isinstance(p, Skipped)] == [(page, True) for page in pages[1:]]
    assert isinstance(elsewhere, Article) and elsewhere.title == "Café Owners Protest Rent Rise"


def test_pages_read_for_the_command_line_sit_out_a_short_wait_their_site_asks_for(
    web: WebServer, fetch_settings: Settings
) -> None:
    """A site that allows a page a second answers the next at once with 429 Too Many Requests, Retry-After: 1:
    `newsbot ingest` of its pages skipped that one and every page asked for in the next second. A wait of up to
    `PATIENCE` is sat out and the page asked for again, so every page is read; a longer one is not (above)."""
    web.live["busy.html"] = (DATA / "pages" / "article.html").read_bytes()
    web.statuses["busy.html"], web.headers["busy.html"], web.times["busy.html"] = 429, {"Retry-After": "1"}, 1
    before = len(web.requests)
    started = time.monotonic()
    read = list(read_pages([web.url("/live/busy.html"), web.url("/pages/latin1.html")], fetch_settings, NOW))
    assert [type(item) for item in read] == [Article, Article]
    assert web.requests[before:] == ["/live/busy.html", "/live/busy.html", "/pages/latin1.html"]
    assert time.monotonic() - started >= 1  # the second asked for after the wait named, not before


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", "on this machine"),
        ("127.8.9.10", "on this machine"),
        ("0.0.0.0", "on this machine"),
        ("::1", "on this machine"),
        ("::", "on this machine"),
        ("::ffff:127.0.0.1", "on this machine"),
        ("2002:a00:1::1", "10.0.0.1 is a private address"),  # 6to4
        ("64:ff9b::a9fe:a9fe", "169.254.169.254 is a link-local address"),  # NAT64
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "not a public address"),
        ("224.0.0.1", "not a public address"),
        ("240.0.0.1", "address"),  # reserved; Python calls it private
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_guard(address: str, refused: str | None) -> None:
    reason = refusal(ipaddress.ip_address(address))
    assert (reason is None) if refused is None else (reason is not None and refused in reason)


def test_allowed_networks_open_only_themselves() -> None:
    allowed = (ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("::1/128"))
    assert refusal(ipaddress.ip_address("10.1.2.3"), allowed) is None
    assert refusal(ipaddress.ip_address("::1"), allowed) is None
    assert refusal(ipaddress.ip_address("10.2.0.1"), allowed) is not None
    assert refusal(ipaddress.ip_address("127.0.0.1"), allowed) is not None


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for the name "localhost" (openssl, as an operator would make one)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_https_connects_to_the_checked_address_and_verifies_the_name(
    certificate: tuple[Path, Path], fetch_settings: Settings
) -> None:
    """The request goes to the resolved address, with the name in SNI, Host and certificate checks."""
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    both = replace(fetch_settings, allow_private_addresses=(*LOOPBACK, ipaddress.ip_network("::1/128")))
    with serving(tls=server_tls, host="localhost") as secure:
        async with Fetcher(both, tls=client_tls) as fetcher:
            by_name = await fetcher.get(secure.url("/headers"))
            by_address = await fetcher.get(secure.url("/headers").replace("localhost", "127.0.0.1"))
        async with Fetcher(both) as untrusting:
            unknown_authority = await untrusting.get(secure.url("/headers"))
    assert isinstance(by_name, Fetched), by_name
    assert json.loads(by_name.body)["Host"] == secure.base_url.removeprefix("https://")
    # The certificate names localhost, not 127.0.0.1: verified against the name asked for, so refused.
    assert isinstance(by_address, Failed) and "certificate" in by_address.reason.lower()
    assert isinstance(unknown_authority, Failed) and "certificate" in unknown_authority.reason.lower()


def test_fetch_settings_from_the_environment() -> None:
    env = {
        "NEWSBOT_FETCH_TIMEOUT": "7.5",
        "NEWSBOT_FETCH_MAX_BYTES": "2000000",
        "NEWSBOT_USER_AGENT": "newsbot-test/1",
        "NEWSBOT_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1, 10.1.0.0/16 ::1",
    }
    settings = Settings.from_env(env, env_file=None)
    assert (settings.fetch_timeout, settings.fetch_max_bytes, settings.user_agent) == (7.5, 2_000_000, "newsbot-test/1")
    assert [str(n) for n in settings.allow_private_addresses] == ["127.0.0.1/32", "10.1.0.0/16", "::1/128"]
    assert Settings.from_env({}, env_file=None).allow_private_addresses == ()
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert all(f"\n{name}=" in example for name in env)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "localhost"),
        ("NEWSBOT_FETCH_TIMEOUT", "0"),
        ("NEWSBOT_FETCH_MAX_BYTES", "lots"),
    ],
)
def test_bad_fetch_settings_are_refused_in_one_line(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable) as caught:
        Settings.from_env({variable: value}, env_file=None)
    assert "\n" not in str(caught.value)


def stub(refresh: str, before: str = "", after: str = "") -> bytes:
    """A page whose `<meta http-equiv="refresh">` says `refresh`."""
    meta = f'<meta http-equiv="refresh" content="{refresh}">'
    return (
        f"<html><head><title>Moved</title>{before}{meta}{after}</head><body><p>Click here.</p></body></html>".encode()
    )


async def test_a_page_that_sends_its_reader_on_at_once_is_followed_as_a_redirect(
    web: WebServer, fetch_settings: Settings
) -> None:
    """A story's old address served as `<meta http-equiv="refresh" content="0; url=...">` went in as a story
    "Redirecting..." reading "If you are not redirected, click here", under the address of the story it named."""
    web.live["moved.html"] = stub("0; URL='/live/moved-again.html'")
    web.live["moved-again.html"] = stub("2;url=/pages/article.html")
    result = await get(fetch_settings, web.url("/live/moved.html"))
    assert isinstance(result, Fetched) and result.final_url == web.url("/pages/article.html")
    assert result.body == (DATA / "pages" / "article.html").read_bytes()
    async with Fetcher(fetch_settings) as fetcher:
        [article] = await fetch_page(fetcher, web.url("/live/moved.html"))
    assert isinstance(article, Article) and article.title == "Harbour Council Approves Café Expansion"
    assert article.url == web.url("/pages/article.html")


@pytest.mark.parametrize(
    ("name", "page"),
    [
        ("reloads.html", stub("300")),  # a front page reloading itself every five minutes
        ("waits.html", stub("600; url=/pages/article.html")),
        ("itself.html", stub("0; url=/live/itself.html#top")),
        ("noscript.html", stub("0; url=/pages/article.html", "<noscript>", "</noscript>")),
        ("no-url.html", stub("0; url=")),
        ("not-html.txt", stub("0; url=/pages/article.html")),
    ],
)
async def test_a_page_that_reloads_or_waits_is_read_as_it_is(
    web: WebServer, fetch_settings: Settings, name: str, page: bytes
) -> None:
    web.live[name] = page
    result = await get(fetch_settings, web.url(f"/live/{name}"))
    assert isinstance(result, Fetched) and result.final_url == web.url(f"/live/{name}") and result.body == page


async def test_refreshes_count_as_redirects_and_pass_the_address_guard(
    web: WebServer, fetch_settings: Settings
) -> None:
    web.live["loop-a.html"] = stub("0; url=/live/loop-b.html")
    web.live["loop-b.html"] = stub("0; url=/live/loop-a.html")
    web.live["metadata.html"] = stub("0; url=http://169.254.169.254/latest/meta-data/")
    looping = await get(fetch_settings, web.url("/live/loop-a.html"))
    # A loop was "more than 5 redirects", as if it might end; it is stopped the first time it comes round.
    assert isinstance(looping, Failed) and looping.reason == f"a redirect loop (back to {web.url('/live/loop-a.html')})"
    refused = await get(fetch_settings, web.url("/live/metadata.html"))
    assert isinstance(refused, Failed) and "169.254.169.254 is a link-local address" in refused.reason
