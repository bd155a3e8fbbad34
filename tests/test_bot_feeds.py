"""Feeds in Telegram (issue 9), end to end: the real Application from `build_application` against the fake Bot API
server, feeds served by a real HTTP server on 127.0.0.1, on SQLite and on PostgreSQL.

The bot's clock (`bot_data.clock`) is the test's: the poll job runs every 0.2 s and polls what is due at the
clock's time, so the test makes a feed due by moving the clock on, and every poll is exact.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_application, running
from bot.config import Settings
from bot.library import Library
from bot.services.feeds import FeedService
from bot.store.feeds import FAILED, NOT_MODIFIED, OK, FeedRow
from bot.tg import feeds as tg_feeds
from bot.tg.context import App
from bot.tg.errors import APOLOGY, STORE_DOWN
from bot.tg.feeds import (
    ADD_ANYWAY_ADMINS,
    ADD_ANYWAY_LABEL,
    ADD_ANYWAY_TAKEN,
    ADDFEED_USAGE,
    NO_FEEDS,
    POLL_BUSY,
    POLL_STOPPED,
    REMOVEFEED_USAGE,
    feed_list,
)
from bot.tg.jobs import BEAT_JOB, FEEDS_JOB, deliver
from tests import answer_text
from tests.botapi_server import TOKEN, FakeBotAPI
from tests.conftest import copied_library
from tests.html_check import visible_text
from tests.paths import DATA
from tests.test_bot_digests import ALERT, DIGEST, headlines, keyboard, press, texts
from tests.test_bot_e2e import check_sent, replies, reply_to
from tests.web_server import WebServer

ADMIN = 999
OTHER_ADMIN = 998
ALICE = 42
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
POLLS = DATA / "polls"
START = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
LIGHTHOUSE_QUESTION = "Who kept the lighthouse lamp burning for forty years?"
FERRY_QUESTION = "Why did the ferry crews walk out at dawn?"

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


@dataclass
class Clock:
    """The bot's time, moved on by the test."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def bot_settings(any_db_settings: Settings, server: FakeBotAPI, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return replace(
        copied_library(replace(any_db_settings, corpus_dir=DATA / "bot_corpus"), tmp_path_factory),
        telegram_bot_token=TOKEN,
        telegram_api_base_url=server.base_url,
        admin_ids=(ADMIN, OTHER_ADMIN),
        allow_private_addresses=LOOPBACK,
        feed_check_seconds=0.2,
        fetch_timeout=5.0,
    )


@pytest.fixture(autouse=True)
def quick_polls_said_at_their_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """A /pollfeeds of a feed on 127.0.0.1 ends in a moment, but on a machine shared with other jobs it may take
    past the 2 s after which "Polling 1 feed…" comes first: the tests reading its summary get the summary."""
    monkeypatch.setattr(tg_feeds, "POLL_STARTED_SECONDS", 60.0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def started(settings: Settings, clock: Clock) -> App:
    application = build_application(settings)
    application.bot_data.clock = clock
    return application


@pytest.fixture
async def app(bot_settings: Settings, clock: Clock) -> AsyncIterator[App]:
    async with running(started(bot_settings, clock), poll_timeout=1) as application:
        yield application


def live(web: WebServer, name: str, file: str) -> str:
    """Serve tests/data/polls/`file` at /live/`name`; returns its URL."""
    web.live[name] = (POLLS / file).read_bytes()
    return web.url(f"/live/{name}")


async def until(condition: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    for _ in range(int(timeout / 0.05)):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


@asynccontextmanager
async def following_a_hanging_site(
    settings: Settings, server: FakeBotAPI, web: WebServer, clock: Clock
) -> AsyncIterator[tuple[App, FeedRow]]:
    """A running bot whose admin added harbour.xml, and the feed as added; its site then hangs (120 s a fetch)."""
    async with running(started(settings, clock), poll_timeout=1) as app:
        url = live(web, "harbour.xml", "harbour.xml")
        await command(server, ADMIN, "addfeed", url)
        added = await feed_row(app, url)
        web.delays["harbour.xml"] = 120
        yield app, added


async def feed_row(app: App, url: str) -> FeedRow:
    feed = await app.bot_data.feeds.find(url)
    assert feed is not None
    return feed


async def next_poll(app: App, clock: Clock, url: str) -> FeedRow:
    """Move the clock to just after the feed's next poll is due, and wait for the poll job to record it."""
    clock.now = (await feed_row(app, url)).next_poll_at + timedelta(seconds=1)

    async def polled() -> bool:
        return (await feed_row(app, url)).last_polled_at == clock.now

    await until(polled)
    return await feed_row(app, url)


async def answered(app: App, question: str, url: str) -> None:
    """Wait until this process's index answers `question` from the story at `url`."""
    library = app.bot_data.library

    async def found() -> bool:
        answer = await asyncio.to_thread(library.ask, library.request(question))
        return any(p.article.url == url for p in answer.passages)

    await until(found)


async def command(server: FakeBotAPI, user: int, name: str, *args: str) -> str:
    """The visible text of the bot's reply to a command."""
    return visible_text(await reply_to(server, user, lambda: server.send_command(user, name, " ".join(args))))


async def ask(server: FakeBotAPI, question: str) -> str:
    """The HTML of the bot's answer to a question from Alice."""
    return await reply_to(server, ALICE, lambda: server.send_text(ALICE, question))


async def test_an_admin_adds_a_feed_a_reader_asks_about_its_stories_and_the_next_poll_brings_news(
    app: App, server: FakeBotAPI, web: WebServer, clock: Clock
) -> None:
    url = live(web, "harbour.xml", "harbour.xml")
    added = await command(server, ADMIN, "addfeed", url)
    assert added.startswith(f"Now following Harbour Town Daily ({url}).\n3 stories came in, ready to be asked about.")
    assert "First poll: 0 new, 3 back catalogue (not alerted)" in added and "next poll in 15 min" in added

    # The reader gets the story with its real link (the entry's link, made absolute against the feed).
    lighthouse = web.url("/stories/lighthouse-keeper")
    answer = await ask(server, LIGHTHOUSE_QUESTION)
    assert "Lighthouse Keeper Retires After Forty Years" in answer and f'<a href="{lighthouse}">Source</a>' in answer

    listed = await command(server, ADMIN, "feeds")
    assert f"1 feed followed\n\n1. Harbour Town Daily <{url}> (category: from its entries)\n" in listed
    assert "3 stories; last poll less than a minute ago: ok; next poll in 15 min" in listed

    # A new story appears on the site; the poll job picks it up once the feed is due, and it is answerable.
    ferry = web.url("/stories/ferry-strike")
    assert ferry not in await ask(server, FERRY_QUESTION)
    live(web, "harbour.xml", "harbour_v2.xml")
    assert (await next_poll(app, clock, url)).last_status == OK
    await answered(app, FERRY_QUESTION, ferry)
    assert f'<a href="{ferry}">Source</a>' in await ask(server, FERRY_QUESTION)
    assert web.count("/live/harbour.xml") == 2
    listed = await command(server, ADMIN, "feeds")
    assert "4 stories; last poll less than a minute ago: ok; next poll in 15 min" in listed

    # Removed: no more polls, and its stories stay answerable.
    removed = await command(server, ADMIN, "removefeed", "1")
    assert removed == f"No longer following Harbour Town Daily ({url}). Its stories stay in the library."
    assert await command(server, ADMIN, "feeds") == NO_FEEDS
    clock.now += timedelta(hours=1)
    await asyncio.sleep(0.5)  # time for two runs of the poll job
    assert web.count("/live/harbour.xml") == 2
    assert f'<a href="{ferry}">Source</a>' in await ask(server, FERRY_QUESTION)
    assert not any(c.params.get("text") in (APOLOGY, STORE_DOWN) for c in server.calls("sendMessage"))


async def test_an_admin_polls_the_feeds_now_and_hears_what_came_in_once_across_processes(
    app: App, server: FakeBotAPI, web: WebServer, clock: Clock
) -> None:
    """An admin who added a feed, or heard its site has news, had no way to poll it before its next poll but to
    remove and add it again: /pollfeeds (or /feeds poll) polls every feed now and says what came in. A feed
    polled in the last minute (pressed twice), or that another process is polling (leased in the store), is not
    fetched again; with none left, the admin is told why."""
    url = live(web, "harbour.xml", "harbour.xml")
    await command(server, ADMIN, "addfeed", url)
    assert await command(server, ALICE, "pollfeeds") == "Sorry, only the bot's admins can use /pollfeeds."
    assert web.count("/live/harbour.xml") == 1

    live(web, "harbour.xml", "harbour_v2.xml")
    clock.now += timedelta(minutes=2)  # long before its next poll
    polled = await command(server, ADMIN, "pollfeeds")
    assert polled.startswith("1 feed polled: 1 new story, 0 back catalogue, 0 failed\n")
    assert f"Harbour Town Daily ({url}): 1 new, 2 edited, 1 unchanged; next poll in 15 min" in polled
    await answered(app, FERRY_QUESTION, web.url("/stories/ferry-strike"))
    assert await command(server, ADMIN, "pollfeeds") == POLL_BUSY  # again at once: polled a moment ago
    assert web.count("/live/harbour.xml") == 2
    # Nothing new: the tally alone, not a line per quiet feed.
    clock.now += timedelta(minutes=2)
    assert await command(server, ADMIN, "feeds", "poll") == "1 feed polled: 0 new stories, 0 back catalogue, 0 failed"
    assert web.count("/live/harbour.xml") == 3

    feeds = app.bot_data.feeds
    feed = await feed_row(app, url)
    clock.now += timedelta(minutes=2)
    assert await asyncio.to_thread(
        feeds.store.claim, "elsewhere:1:round", clock.now, feeds.lease, clock.now, False, feed.id
    )
    assert await command(server, ADMIN, "pollfeeds") == POLL_BUSY
    assert web.count("/live/harbour.xml") == 3


async def test_a_polled_story_is_alerted_to_its_subscribers_once_and_comes_in_their_next_digest(
    app: App, server: FakeBotAPI, web: WebServer, clock: Clock
) -> None:
    # The morning the ferry story breaks (it is dated 06:15 UTC on 5 March): news, not archive.
    clock.now = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
    url = live(web, "harbour.xml", "harbour.xml")
    await command(server, ADMIN, "addfeed", url)
    assert "Subscribed to Business" in await command(server, ALICE, "subscribe", "business")
    assert "on" in await command(server, ALICE, "alerts", "on")
    assert "08:00" in await command(server, ALICE, "time", "08:00")
    await deliver(app)
    assert texts(server, ALICE, ALERT) == []  # the first poll's stories are the feed's back catalogue

    live(web, "harbour.xml", "harbour_v2.xml")
    assert (await next_poll(app, clock, url)).last_status == OK
    await deliver(app)
    await deliver(app)
    [alert] = texts(server, ALICE, ALERT)
    assert headlines(alert) == ["Ferry Crews Walk Out Over Night Shifts"]

    clock.now = datetime(2026, 3, 5, 8, 1, tzinfo=UTC)
    await deliver(app)
    await deliver(app)
    [digest] = texts(server, ALICE, DIGEST)
    assert headlines(digest) == ["Ferry Crews Walk Out Over Night Shifts"]
    assert web.url("/stories/ferry-strike") in digest
    assert len(texts(server, ALICE, ALERT)) == 1


async def test_a_feed_added_on_a_site_that_asked_for_a_wait_is_left_till_then_and_said_so(
    app: App, server: FakeBotAPI, web: WebServer, clock: Clock
) -> None:
    """/addfeed of a second feed on a site that had just answered the first with 429 Too Many Requests
    (Retry-After: 3600) asked the site again at once. Now the site is left for its hour: the reply says why the
    feed was not read and when it will be, as /pollfeeds does for both feeds, and counts no failure."""
    limited = live(web, "limited.xml", "harbour.xml")
    web.statuses["limited.xml"], web.headers["limited.xml"] = 429, {"Retry-After": "3600"}
    await command(server, ADMIN, "addfeed", limited)
    other = live(web, "other.xml", "lifeboat.xml")
    added = await command(server, ADMIN, "addfeed", other)
    held = f"not asked: its site asked to be left (HTTP 429 Too Many Requests, Retry-After 3,600 s, for {limited})"
    assert "It could not be read just now; it is tried again on its own" in added
    assert f"First poll: {held}; next poll in 60 min" in added
    clock.now += timedelta(minutes=2)
    polled = await command(server, ADMIN, "pollfeeds")
    assert polled.startswith("2 feeds polled: 0 new stories, 0 back catalogue, 0 failed\n")
    assert polled.count(f"{held}; next poll in 58 min") == 2
    assert "\n\n" not in polled  # a line a feed under the tally, as /categories lists
    assert (web.count("/live/limited.xml"), web.count("/live/other.xml")) == (1, 0)


async def test_feeds_says_of_a_feed_its_site_asked_to_wait_for_that_it_was_not_asked_and_when_it_is_tried(
    app: App, server: FakeBotAPI, web: WebServer, clock: Clock
) -> None:
    """/feeds listed a feed its site's 429 kept unread as "last poll less than a minute ago: new (not asked: its
    site asked to be left (...)); next poll in 60 min": a poll said to have happened, in a status it never had. It
    says the feed was not asked, why, and when it is tried."""
    limited = live(web, "limited.xml", "harbour.xml")
    web.statuses["limited.xml"], web.headers["limited.xml"] = 429, {"Retry-After": "3600"}
    await command(server, ADMIN, "addfeed", limited)
    other = live(web, "other.xml", "lifeboat.xml")
    await command(server, ADMIN, "addfeed", other)
    clock.now += timedelta(minutes=2)
    listed = visible_text(await command(server, ADMIN, "feeds"))
    why = f"its site having asked to be left (HTTP 429 Too Many Requests, Retry-After 3,600 s, for {limited})"
    assert f"0 stories; not read yet; not asked 2 min ago, {why}; tried at 07:00 UTC, in 58 min" in listed
    assert web.count("/live/other.xml") == 0


async def test_non_admins_are_refused_and_bad_arguments_get_usage(app: App, server: FakeBotAPI, web: WebServer) -> None:
    url = live(web, "harbour.xml", "harbour.xml")
    for name, args in (("feeds", ()), ("addfeed", (url,)), ("removefeed", ("1",))):
        refusal = await command(server, ALICE, name, *args)
        assert refusal == f"Sorry, only the bot's admins can use /{name}."
    assert web.count("/live/harbour.xml") == 0 and await app.bot_data.feeds.feeds() == []

    assert await command(server, ADMIN, "addfeed") == ADDFEED_USAGE
    assert await command(server, ADMIN, "removefeed") == REMOVEFEED_USAGE
    refused = {
        "ftp://example.org/feed.xml": "Sorry, not a feed address: ",
        web.url("/feeds/not_a_feed.html"): f"Sorry, cannot follow {web.url('/feeds/not_a_feed.html')}: a web page, "
        f"not a feed; it names a feed at {web.url('/feed.xml')}, and cannot follow {web.url('/feed.xml')}: HTTP 404"
        " Not Found.",
        web.url("/status/404"): f"Sorry, cannot follow {web.url('/status/404')}: ",
        "http://10.1.2.3/feed.xml": "Sorry, cannot follow http://10.1.2.3/feed.xml: ",
    }
    for address, reason in refused.items():
        reply = await command(server, ADMIN, "addfeed", address)
        assert reply.startswith(reason) and reply.endswith("\n" + ADDFEED_USAGE), reply
    assert await app.bot_data.feeds.feeds() == []

    await command(server, ADMIN, "addfeed", url, "Harbour", "News")
    again = await command(server, ADMIN, "addfeed", url)
    assert again == f"Sorry, {url} is followed already.\n{ADDFEED_USAGE}"
    [feed] = await app.bot_data.feeds.feeds()
    assert feed.category == "Harbour News"
    gone = await command(server, ADMIN, "removefeed", "7")
    assert gone == f"Sorry, no feed '7' is followed.\n{REMOVEFEED_USAGE}"
    assert len(await app.bot_data.feeds.feeds()) == 1
    # A site that is only down is followed all the same, and tried again.
    down = web.url("/status/503")
    followed = await command(server, ADMIN, "addfeed", down)
    assert followed.startswith(f"Now following {down}.\nIt could not be read just now; it is tried again on its own")
    assert "\nFirst poll: failed: " in followed and "503" in followed and followed.endswith("next poll in 15 min")
    assert len(await app.bot_data.feeds.feeds()) == 2
    assert not any(c.params.get("text") in (APOLOGY, STORE_DOWN) for c in server.calls("sendMessage"))


async def test_an_addfeed_refused_as_not_live_yet_has_a_button_that_adds_it_anyway_once(
    app: App, server: FakeBotAPI, web: WebServer
) -> None:
    """`newsbot feeds add --anyway` followed a feed not live yet (a 404 now); /addfeed had no such way. Now its
    refusal says why and carries "Add it anyway": an admin's first press follows it (its first poll failing), a second
    press, or one by a reader, adds nothing."""
    url = web.url("/live/soon.xml")
    refused = await reply_to(server, ADMIN, lambda: server.send_command(ADMIN, "addfeed", f"{url} Harbour"))
    assert visible_text(refused).startswith(f"Sorry, cannot follow {url}: HTTP 404 Not Found.\nIf it is a feed not")
    assert await app.bot_data.feeds.feeds() == []
    message_id = server.calls("sendMessage", chat_id=ADMIN)[-1].result["message_id"]
    data = keyboard(server, ADMIN, message_id)[ADD_ANYWAY_LABEL]
    assert (await press(server, ADMIN, message_id, data, user_id=ALICE)).params["text"] == ADD_ANYWAY_ADMINS
    assert await app.bot_data.feeds.feeds() == []
    before = len(server.calls("sendMessage", chat_id=ADMIN))
    await press(server, ADMIN, message_id, data)
    (added,) = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ADMIN))[before:]
    followed = visible_text(added.params["text"])
    assert followed.startswith(f"Now following {url} (category: Harbour).\nIt could not be read just now"), followed
    assert keyboard(server, ADMIN, message_id) == {}  # the button taken away
    assert (await press(server, ADMIN, message_id, data)).params["text"] == ADD_ANYWAY_TAKEN
    [feed] = await app.bot_data.feeds.feeds()
    assert (feed.url, feed.category, feed.last_status) == (url, "Harbour", FAILED)
    assert len(server.calls("sendMessage", chat_id=ADMIN)) == before + 1


async def test_what_feeds_say_about_themselves_is_escaped(app: App, server: FakeBotAPI, web: WebServer) -> None:
    """A feed's title, its address and its stories' text reach Telegram escaped (the fake Bot API refuses broken
    HTML as Telegram does, and the bot would apologise instead)."""
    web.live["loud.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        b'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        b"<title><![CDATA[Tides & Times <Weekly> 5 < 6]]></title><link>/</link>"
        b"<item><title><![CDATA[Quay <Repairs> & More]]></title><link>/stories/quay?a=1&amp;b=2</link>"
        b"<content:encoded><![CDATA[<p>The quay repairs cost 5 < 6 million &amp; more, said the <b>board</b>.</p>"
        b"<p>Work on the quay starts in the spring, once the herring season is over.</p>]]></content:encoded>"
        b"</item></channel></rss>"
    )
    url = web.url("/live/loud.xml") + "?x=<1>&y=2"
    added = await reply_to(server, ADMIN, lambda: server.send_command(ADMIN, "addfeed", f"{url} <Quay> & Co"))
    # "<Weekly>" and "<Repairs>" name no HTML element: text the feed wrote, kept (bot.ingest.markup).
    assert "<b>Tides &amp; Times &lt;Weekly&gt; 5 &lt; 6</b> (" in added and "loud.xml?x=&lt;1&gt;&amp;y=2)" in added
    assert "(category: &lt;Quay&gt; &amp; Co)" in added
    listed = await reply_to(server, ADMIN, lambda: server.send_command(ADMIN, "feeds"))
    assert "Tides &amp; Times &lt;Weekly&gt; 5 &lt; 6 &lt;http://" in listed
    assert "(category: &lt;Quay&gt; &amp; Co)" in listed
    answer = await ask(server, "How much did the quay repairs cost?")
    assert answer_text.listed("Quay &lt;Repairs&gt; &amp; More").search(answer)
    assert "5 &lt; 6 million &amp; more" in answer
    assert f'<a href="{web.url("/stories/quay?a=1&amp;b=2")}">Source</a>' in answer
    for call in server.calls("sendMessage"):
        check_sent(call)
    assert not any(c.params.get("text") in (APOLOGY, STORE_DOWN) for c in server.calls("sendMessage"))


async def test_a_feed_its_site_says_is_gone_is_reported_to_the_admins_at_its_first_poll(
    bot_settings: Settings, server: FakeBotAPI, web: WebServer, clock: Clock
) -> None:
    async with running(started(bot_settings, clock), poll_timeout=1) as app:
        url = live(web, "harbour.xml", "harbour.xml")
        await command(server, ADMIN, "addfeed", url)
        web.statuses["harbour.xml"] = 410
        feed = await next_poll(app, clock, url)
        assert feed.last_status == FAILED and feed.failure_reported_at is not None
        [_, gone] = await replies(server, ADMIN, 2)
        assert visible_text(gone).startswith(
            f"Feed gone\nThe feed Harbour Town Daily ({url}) is gone for good, its site says (HTTP 410 Gone): it is no"
            " longer polled. Remove it,"
        )
        assert feed.paused_at == clock.now  # at once: it was polled every 6 h for a week first


async def test_a_broken_feed_is_reported_to_the_admins_once_and_once_more_when_it_recovers(
    bot_settings: Settings, server: FakeBotAPI, web: WebServer, clock: Clock
) -> None:
    settings = replace(bot_settings, feed_report_after_hours=1.0)
    server.blocked_chats.add(OTHER_ADMIN)  # an admin the bot cannot write to: skipped, the rest go on
    async with running(started(settings, clock), poll_timeout=1) as app:
        url = live(web, "harbour.xml", "harbour.xml")
        await command(server, ADMIN, "addfeed", url)
        web.statuses["harbour.xml"] = 500
        polls = 0
        while (feed := await next_poll(app, clock, url)).failure_reported_at is None:
            assert feed.last_status == FAILED and "500" in feed.last_reason
            polls += 1
        # Failing since the first failed poll; polled 15 min, 30 min, 1 h (doubling) after each other.
        assert polls == 3 and feed.failures == 4
        [_, failing] = await replies(server, ADMIN, 2)
        text = visible_text(failing)
        assert text.startswith(f"Feed failing\nThe feed Harbour Town Daily ({url}) has failed for 105 min: ")
        assert "500" in text
        blocked = await server.wait_for_async("sendMessage", chat_id=OTHER_ADMIN)
        assert blocked[0].error_code == 403

        for _ in range(3):  # failing on: not reported again
            feed = await next_poll(app, clock, url)
            assert feed.last_status == FAILED
        del web.statuses["harbour.xml"]
        feed = await next_poll(app, clock, url)
        assert feed.last_status in (OK, NOT_MODIFIED) and feed.failures == 0
        [_, _, back] = await replies(server, ADMIN, 3)
        assert visible_text(back).startswith(f"Feed working again\nThe feed Harbour Town Daily ({url}) works again")
        for _ in range(2):  # working on: nothing to say
            await next_poll(app, clock, url)
        await asyncio.sleep(0.5)  # time for a notice, if one were to come
    assert web.count("/live/harbour.xml") == 1 + polls + 1 + 3 + 1 + 2
    assert len(server.calls("sendMessage", chat_id=ADMIN)) == 3  # the /addfeed reply and two notices
    assert len(server.calls("sendMessage", chat_id=OTHER_ADMIN)) == 2  # tried once per notice


async def given_back_unrecorded(settings: Settings, before: FeedRow, caplog: pytest.LogCaptureFixture) -> None:
    """After a bot stopped mid-poll: the feed is free (no lease) and its poll unrecorded, and nothing was logged as
    an error."""
    library = Library.open(settings)
    try:
        feed = await FeedService(library).find(before.url)
        assert feed is not None
        assert (feed.lease_holder, feed.last_polled_at, feed.last_status) == (None, before.last_polled_at, OK)
    finally:
        library.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_slow_poll_blocks_no_answer_is_not_started_twice_and_is_stopped_with_the_bot(
    bot_settings: Settings, server: FakeBotAPI, web: WebServer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(bot_settings, fetch_timeout=60.0)
    async with following_a_hanging_site(settings, server, web, clock) as (app, added):
        url = added.url
        clock.now = added.next_poll_at + timedelta(seconds=1)

        async def fetching() -> bool:
            return web.count("/live/harbour.xml") == 2

        await until(fetching)
        # The poll waits on the site; the bot answers meanwhile, and says the feed is being polled.
        assert "Chess Prodigy" in await ask(server, "Who became the youngest chess champion?")
        assert "being polled now" in await command(server, ADMIN, "feeds")
        await asyncio.sleep(1.0)  # five intervals of the poll job
        assert web.count("/live/harbour.xml") == 2 and (await feed_row(app, url)).last_polled_at == added.last_polled_at
        # Nothing is queued to start the poll again while it runs (the next is queued when this one ends), so the
        # scheduler has nothing to skip and nothing to warn about.
        assert app.job_queue is not None and not app.job_queue.get_jobs_by_name(FEEDS_JOB)
        assert not [r for r in caplog.records if "maximum number of running instances" in r.getMessage()]
    # Stopped mid-poll: the feed was given back and nothing was recorded (its site had not answered).
    await given_back_unrecorded(settings, added, caplog)


async def test_a_long_pollfeeds_says_it_started_and_stops_with_the_bot(
    bot_settings: Settings,
    server: FakeBotAPI,
    web: WebServer,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A /pollfeeds of a site that hangs said nothing until it ended, and the bot stopping waited for it (minutes,
    its feed claimed meanwhile): the admin is told the poll started, and it stops with the bot, its feed given back
    and the admin told why no summary follows. The feeds it says it polls are those it does: "Polling 2 feeds…"
    counted one added half a minute before, which it leaves (polled in the last minute)."""
    monkeypatch.setattr(tg_feeds, "POLL_STARTED_SECONDS", 0.5)
    settings = replace(bot_settings, fetch_timeout=60.0)
    async with following_a_hanging_site(settings, server, web, clock) as (_, added):
        clock.now += timedelta(minutes=2)  # long before its next poll
        await command(server, ADMIN, "addfeed", live(web, "lifeboat.xml", "lifeboat.xml"))
        clock.now += timedelta(seconds=30)
        assert await command(server, ADMIN, "pollfeeds") == "Polling 1 feed…"
        assert web.count("/live/harbour.xml") == 2 and web.count("/live/lifeboat.xml") == 1
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 10
    assert visible_text((await replies(server, ADMIN, 4))[3]) == POLL_STOPPED
    await given_back_unrecorded(settings, added, caplog)


async def test_a_store_error_in_the_poll_job_is_logged_and_the_next_run_polls(
    settings: Settings, server: FakeBotAPI, web: WebServer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """The database refuses to lease feeds and the beats for a while (SQLite; triggers stand in for a full disk):
    one warning of it, whichever job met it (the runs after that in debug lines; each job warned of it its own way)
    and the bot goes on; once the database works again the next run polls, and its end is said once, when both
    jobs work again (the beat's reads working do not end it)."""
    caplog.set_level(logging.DEBUG, logger="bot.tg.troubles")
    bot = replace(
        settings,
        corpus_dir=DATA / "bot_corpus",
        telegram_bot_token=TOKEN,
        telegram_api_base_url=server.base_url,
        admin_ids=(ADMIN,),
        allow_private_addresses=LOOPBACK,
        feed_check_seconds=0.2,
        beat_seconds=0.2,
    )
    async with running(started(bot, clock), poll_timeout=1) as app:
        url = live(web, "harbour.xml", "harbour.xml")
        await command(server, ADMIN, "addfeed", url)
        live(web, "harbour.xml", "harbour_v2.xml")
        with closing(sqlite3.connect(bot.database_path, isolation_level=None)) as db:
            for table in ("feeds", "workers"):
                db.execute(
                    f"CREATE TRIGGER refuse_{table} BEFORE UPDATE ON {table}"
                    " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            clock.now = (await feed_row(app, url)).next_poll_at + timedelta(seconds=1)

            async def refused_twice() -> bool:
                said = [r.getMessage() for r in caplog.records]
                return all(
                    sum(f"{job}: database error: disk full" in line for line in said) >= 2
                    for job in (FEEDS_JOB, BEAT_JOB)
                )

            await until(refused_twice)
            assert "Chess Prodigy" in await ask(server, "Who became the youngest chess champion?")
            db.execute("DROP TRIGGER refuse_feeds")
            db.execute("DROP TRIGGER refuse_workers")
        await answered(app, FERRY_QUESTION, web.url("/stories/ferry-strike"))
        assert (await feed_row(app, url)).last_polled_at == clock.now
    assert web.count("/live/harbour.xml") == 2
    assert not any(c.params.get("text") in (APOLOGY, STORE_DOWN) for c in server.calls("sendMessage"))
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name == "bot.tg.troubles"]
    assert len(warned) == 1 and warned[0].startswith("the store fails ("), warned
    assert sum("the store works again, after" in r.getMessage() for r in caplog.records) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_long_list_of_feeds_comes_in_several_valid_messages(app: App, server: FakeBotAPI) -> None:
    service = app.bot_data.feeds
    urls = [f"https://news{n}.example.org/{'section/' * 12}feed.xml?edition=<{n}>&lang=en" for n in range(40)]
    for url in urls:  # due tomorrow: the poll job leaves them alone
        await asyncio.to_thread(service.store.add, url, "Harbour & <Town>", "test", START + timedelta(days=1))
    expected = len(feed_list(await service.feeds(), START))
    assert expected > 1
    server.send_command(ADMIN, "feeds")
    sent = await replies(server, ADMIN, expected)
    await asyncio.sleep(0.3)  # time for a message too many, if one were to come
    assert len(server.calls("sendMessage", chat_id=ADMIN)) == expected
    shown = "\n".join(visible_text(text) for text in sent)
    assert shown.startswith("40 feeds followed\n") and shown.count("(category: Harbour & <Town>)") == len(urls)
    assert all(f"{n + 1}. {url}" in shown for n, url in enumerate(urls))
    assert shown.count("not polled yet; due now") == len(urls)
