"""Feeds polled by real newsbot processes sharing one store, on SQLite and PostgreSQL.

Two pollers at once fetch each feed once; a poller killed with SIGKILL mid-poll leaves nothing half-done and the
next poll completes its work without doubling anything; a story one process polls is answered by another
process's library once it follows the store.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library import Library
from bot.services.feeds import FeedService
from bot.store import Store
from bot.store.feeds import NOT_MODIFIED, OK
from tests.paths import ROOT
from tests.processes import newsbot, process_env
from tests.test_feeds import id_of, kinds_since
from tests.test_processes import assert_in_step, finish, until
from tests.web_server import WebServer

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
# The pollers make no paragraph vectors (the encoder's start and the stories' vectors are CPU these tests of polls
# and leases do not look at); this process's library has them.
POLLER_ENV = {
    "NEWSBOT_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1",
    "NEWSBOT_FEED_CONCURRENCY": "2",
    "NEWSBOT_SEMANTIC": "off",
}
STORIES = 5


@pytest.fixture
def poll_settings(any_db_settings: Settings) -> Settings:
    return replace(any_db_settings, allow_private_addresses=LOOPBACK)


def story_words(name: str, number: int) -> tuple[str, str]:
    marker = f"zq{name.replace('.', '')}n{number}"
    return (
        f"The {marker} committee met on the quay to decide the future of the old boathouse and its slipway.",
        f"Members of the {marker} committee voted to repair the roof before the winter storms arrive.",
    )


SHARED = (
    "<item><title>Shared story</title><link>/stories/shared</link><guid>shared</guid>"
    "<content:encoded><![CDATA[<p>The zqshared committee met on the quay about the old boathouse.</p>"
    "<p>It voted to repair the roof before the storms.</p>]]></content:encoded></item>"
)


def rss(name: str, summaries: bool = False, shared: bool = False) -> bytes:
    """A feed of STORIES stories of its own: full texts, or summaries whose pages are at /live/<name>-<n>.html;
    with `shared`, also a story other feeds carry too."""
    items = [SHARED] if shared else []
    for n in range(STORIES):
        first, second = story_words(name, n)
        link = f"/live/{name}-{n}.html" if summaries else f"/stories/{name}/{n}"
        text = (
            f"<description>{html.escape(first[:40])}&#8230;</description>"
            if summaries
            else f"<description>{html.escape(f'<p>{first}</p><p>{second}</p>')}</description>"
            f"<content:encoded><![CDATA[<p>{first}</p><p>{second}</p>]]></content:encoded>"
        )
        items.append(f"<item><title>Story {n} of {name}</title><link>{link}</link><guid>{name}-{n}</guid>{text}</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Feed {name}</title><link>/</link>{''.join(items)}</channel></rss>"
    ).encode()


def page(name: str, number: int) -> bytes:
    first, second = story_words(name, number)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Story {number} of {name}</title></head>"
        f"<body><article><h1>Story {number} of {name}</h1><p>{first}</p><p>{second}</p></article></body></html>"
    ).encode()


def serve_hanging_pages(web: WebServer) -> None:
    """Serve d.xml, whose stories are read from their pages, the fourth of which hangs: a poller is killed there."""
    web.live["d.xml"] = rss("d.xml", summaries=True)
    for n in range(STORIES):
        web.live[f"d.xml-{n}.html"] = page("d.xml", n)
    web.delays["d.xml-3.html"] = 60


def follow(library: Library, web: WebServer, names: list[str]) -> list[str]:
    """Follow these live feeds (due at once, never polled); returns their URLs."""
    service = FeedService(library)
    urls = [web.url(f"/live/{name}") for name in names]
    for url in urls:
        service.store.add(url, None, "test", datetime.now(UTC) - timedelta(minutes=1))
    return urls


def test_two_processes_polling_at_once_fetch_each_feed_once(poll_settings: Settings, web: WebServer) -> None:
    names = [f"f{n}.xml" for n in range(8)]
    for n, name in enumerate(names):
        web.live[name] = rss(name, shared=n % 2 == 0)  # four feeds carry one story more, the same one
        web.delays[name] = 0.3  # long enough for both pollers to be at work at once
    library = Library.open(poll_settings)
    try:
        urls = follow(library, web, names)
        head, articles = library.store.head(), library.store.stats().articles
        pollers = [newsbot(poll_settings, "feeds", "poll", "--due", env=POLLER_ENV) for _ in range(2)]
        outputs = [finish(p) for p in pollers]
        assert [web.count(f"/live/{name}") for name in names] == [1] * len(names)
        # Every feed reported by exactly one of the two processes.
        reported = sorted(line.split(": ", 1)[0] for out in outputs for line in out.splitlines() if "/live/" in line)
        assert reported == sorted(urls)
        # Each story stored once, the shared one too, though four feeds in two processes carry it.
        kinds = kinds_since(library.store, head)
        assert len(kinds) == len(names) * STORIES + 1 and all(k == ["backlog"] for k in kinds.values())
        assert library.store.stats().articles == articles + len(names) * STORIES + 1
        assert {f.articles for f in asyncio.run(FeedService(library).feeds())} == {STORIES, STORIES + 1}
        library.follow()
        assert_in_step(library)
    finally:
        library.close()


def test_a_poll_killed_mid_poll_is_completed_by_the_next_without_doubling(
    poll_settings: Settings, web: WebServer
) -> None:
    full = ["a.xml", "b.xml", "c.xml"]
    for name in full:
        web.live[name] = rss(name)
    serve_hanging_pages(web)
    library = Library.open(poll_settings)
    service = FeedService(library)
    try:
        urls = follow(library, web, [*full, "d.xml"])
        head, articles = library.store.head(), library.store.stats().articles
        poller = newsbot(poll_settings, "feeds", "poll", env=POLLER_ENV)
        try:
            until(lambda: web.count("/live/d.xml-3.html") == 1)
            until(lambda: all(f.last_status == OK for f in asyncio.run(service.feeds()) if f.url != urls[-1]))
        finally:
            poller.kill()
            poller.communicate()
        listed = {f.url: f for f in asyncio.run(service.feeds())}
        stuck = listed[urls[-1]]
        assert stuck.lease_holder is not None and stuck.last_polled_at is None  # claimed, nothing recorded
        assert library.store.stats().articles == articles + len(full) * STORIES  # d's first pages were not kept
        web.delays.clear()
        fetched = [web.count(f"/live/d.xml-{n}.html") for n in range(STORIES)]

        # The next poll, once the killed poller's lease has run out (time is passed in).
        later = datetime.now(UTC) + service.lease + timedelta(seconds=1)
        report = asyncio.run(service.poll(later, every=True))
        outcome = {p.feed.url: (p.status, p.backlog) for p in report.polls}
        assert outcome == {**{u: (NOT_MODIFIED, 0) for u in urls[:-1]}, urls[-1]: (OK, STORIES)}
        kinds = kinds_since(library.store, head)
        assert len(kinds) == (len(full) + 1) * STORIES and all(k == ["backlog"] for k in kinds.values())
        assert library.store.stats().articles == articles + (len(full) + 1) * STORIES
        # Every page of the killed poll read again, once.
        assert [web.count(f"/live/d.xml-{n}.html") - before for n, before in enumerate(fetched)] == [1] * STORIES
        third = library.store.paragraphs(id_of(web.url("/live/d.xml-3.html")))
        assert third == list(story_words("d.xml", 3))
        library.follow()
        assert_in_step(library)
        assert library.ask(library.request("What did the zqdxmln3 committee vote for?")).found
    finally:
        library.close()


def test_a_poll_killed_mid_poll_leaves_its_feed_to_the_next_poll_at_once_not_after_its_lease(
    poll_settings: Settings, web: WebServer
) -> None:
    """kill -9 of a `feeds poll` leaves its lease on the feed it was reading for NEWSBOT_FEED_LEASE_SECONDS (600 s);
    the next `feeds poll` on this host sees its process gone, frees the feed and polls it now, each story once, with
    the robots.txt the first one read."""
    serve_hanging_pages(web)
    library = Library.open(poll_settings)
    service = FeedService(library)
    try:
        (url,) = follow(library, web, ["d.xml"])
        articles = library.store.stats().articles
        poller = newsbot(poll_settings, "feeds", "poll", "--due", env=POLLER_ENV)
        try:
            until(lambda: web.count("/live/d.xml-3.html") == 1)
        finally:
            poller.kill()
            poller.communicate()
        (stuck,) = asyncio.run(service.feeds())
        assert stuck.lease_holder is not None and stuck.lease_until is not None
        assert stuck.lease_until - datetime.now(UTC) > timedelta(seconds=service.lease.total_seconds() - 120)
        web.delays.clear()
        out = finish(newsbot(poll_settings, "feeds", "poll", "--due", env=POLLER_ENV))
        assert url in out, out
        (polled,) = asyncio.run(service.feeds())
        assert (polled.last_status, polled.lease_holder, polled.articles) == (OK, None, STORIES)
        assert library.store.stats().articles == articles + STORIES
        # The site's robots.txt, read by the first process, is the second's too (each process read it, each cron run).
        assert web.count("/robots.txt") == 1
    finally:
        library.close()


def test_a_story_polled_in_one_process_is_answered_in_another_after_follow(
    poll_settings: Settings, web: WebServer, tmp_path: Path
) -> None:
    reader = Library.open(poll_settings)
    # Another process on the same store, with an index of its own (another data directory).
    poller_settings = replace(poll_settings, data_dir=tmp_path / "poller", database_url=poll_settings.store_url)
    ferry = web.url("/stories/ferry-strike")
    question = "Why did the ferry crews walk out at dawn?"
    try:
        assert ferry not in [p.article.url for p in reader.ask(reader.request(question)).passages]
        out = finish(newsbot(poller_settings, "feeds", "add", web.url("/polls/harbour_v2.xml"), env=POLLER_ENV))
        assert "following " + web.url("/polls/harbour_v2.xml") in out and "4 back catalogue" in out
        assert reader.follow() > 0
        passages = reader.ask(reader.request(question)).passages
        assert passages and passages[0].article.url == ferry
        assert_in_step(reader)
    finally:
        reader.close()


# Whether the page at argv[1] may be fetched, as its site's robots.txt says, asked as a poll asks (the store shared),
# and in how many seconds.
ROBOTS_VERDICT = textwrap.dedent(
    """
    import asyncio, sys, time
    from datetime import UTC, datetime
    from bot.config import Settings
    from bot.fetch import Fetcher
    from bot.robots import Robots
    from bot.store import Store
    from bot.store.robots import RobotsStore

    settings = Settings.from_env()
    store = Store.open(settings.store_url)

    async def verdict():
        async with Fetcher(settings) as fetcher:
            robots = Robots(settings.user_agent, lambda: RobotsStore(store.engine))
            return await robots.verdict(fetcher, sys.argv[1], datetime.now(UTC))

    asked = time.monotonic()
    refused = asyncio.run(verdict()).refused
    print("allowed" if refused is None else "refused", f"{time.monotonic() - asked:.1f}", flush=True)
    store.close()
    """
)


def test_a_process_waiting_for_a_first_read_of_robots_txt_whose_reader_was_killed_reads_it_soon(
    web: WebServer, poll_settings: Settings
) -> None:
    """A process reading a site's robots.txt for the first time claims it, and another process polling that site waits
    for the rules it keeps. Its reader killed mid-read, the other waited out the claim's 2 minutes, looking 10 times a
    second. The claim is now short and renewed while its reader reads: the other reads the rules itself once it
    lapses."""
    web.live["robots.txt"] = b"User-agent: *\nDisallow: /live/private_\n"
    web.delays["robots.txt"] = 60  # the first reader's fetch, on its way when it is killed
    poll_settings.data_dir.mkdir(parents=True)
    Store.open(poll_settings.store_url).close()

    def asking() -> subprocess.Popen[str]:
        env = process_env(poll_settings, **POLLER_ENV)
        page = web.url("/live/private_notes.html")
        return subprocess.Popen(
            [sys.executable, "-c", ROBOTS_VERDICT, page], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )

    reader = asking()
    try:
        until(lambda: web.count("/robots.txt") == 1 or reader.poll() is not None, timeout=120)
        del web.delays["robots.txt"]
        waiting = asking()
        reader.send_signal(signal.SIGKILL)
        out, _ = waiting.communicate(timeout=300)
    finally:
        reader.kill()
        reader.wait()
    assert reader.returncode == -signal.SIGKILL
    verdict, took = out.split()
    assert (waiting.returncode, verdict) == (0, "refused")
    assert web.count("/robots.txt") == 2
    # The claim lapses READ_LEASE after its holder's last renewal (it was waited out 2 minutes).
    assert float(took) < 30, f"{took} s"
