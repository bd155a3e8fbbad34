"""The bot's feed poll job in `newsbot run` as a real process beside other newsbot processes, on SQLite and on
PostgreSQL (issue 9): a feed another process added is polled by the running bot, and its story answered there and
in yet another process; a bot killed with SIGKILL in the middle of a poll loses nothing and doubles nothing once
it is started again; two bots taking turns on a feed that re-dates its entries read each story page once.
"""

from __future__ import annotations

import asyncio
import ipaddress
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library import Library
from bot.services.feeds import FeedService
from bot.store.feeds import FeedRow
from bot.tg.welcome import MENU_SCOPES
from tests.botapi_server import TOKEN, FakeBotAPI
from tests.paths import DATA
from tests.processes import free_port, newsbot, process_env
from tests.test_bot_processes import ask_until, running_bot, webhook_env
from tests.test_feed_processes import STORIES, page, rss, story_words
from tests.test_feeds import id_of, kinds_since, restamped
from tests.test_processes import assert_in_step, finish, until
from tests.web_server import WebServer

ADMIN = 999
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
# Every process's settings: 127.0.0.1 may be fetched, a feed is due every 6 s. A poll gives up at 90% of its lease:
# 5 s, as it was, is less than five pages take on a loaded machine. A killed poller's lease is given back by the next
# start on this host (its process is gone), not left to run out.
SHARED = {
    "NEWSBOT_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1",
    "NEWSBOT_FEED_POLL_MINUTES": "0.1",
    "NEWSBOT_FEED_LEASE_SECONDS": "60",
}
FERRY_QUESTION = "Why did the ferry crews walk out at dawn?"

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


@pytest.fixture
def bot_settings(any_db_settings: Settings) -> Settings:
    return replace(any_db_settings, corpus_dir=DATA / "bot_corpus", allow_private_addresses=LOOPBACK)


def start_bot(settings: Settings, server: FakeBotAPI, tmp_path: Path) -> subprocess.Popen[str]:
    """`newsbot run` polling the fake Bot API, looking for due feeds twice a second (its log goes to a file in
    `tmp_path`: a pipe nobody reads until the end would fill up and stall it)."""
    log = (tmp_path / "bot.log").open("a")
    env = process_env(
        settings,
        **SHARED,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        NEWSBOT_ADMIN_IDS=str(ADMIN),
        NEWSBOT_FOLLOW_SECONDS="0.5",
        NEWSBOT_FEED_CHECK_SECONDS="0.5",
    )
    bot = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, text=True, stderr=log)
    log.close()
    server.wait_for("setMyCommands", count=len(server.calls("setMyCommands")) + len(MENU_SCOPES), timeout=60)
    return bot


def stop_bot(bot: subprocess.Popen[str], tmp_path: Path) -> None:
    """SIGTERM, as a service manager stops the bot: it exits 0 without a traceback."""
    bot.terminate()
    bot.wait(timeout=60)
    log = (tmp_path / "bot.log").read_text()
    assert bot.returncode == 0 and "Traceback" not in log, log[-3000:]


def test_a_feed_another_process_added_is_polled_by_the_running_bot_and_answered_everywhere(
    bot_settings: Settings, server: FakeBotAPI, web: WebServer, tmp_path: Path
) -> None:
    url = web.url("/live/harbour.xml")
    web.live["harbour.xml"] = (DATA / "polls" / "harbour.xml").read_bytes()
    bot = start_bot(bot_settings, server, tmp_path)
    try:
        out = finish(newsbot(bot_settings, "feeds", "add", url, env=SHARED))
        assert out.startswith(f"following {url}; first poll: 0 new, 3 back catalogue")
        # The bot answers from what the other process polled (the change log)...
        lighthouse = web.url("/stories/lighthouse-keeper")
        ask_until(server, "Who kept the lighthouse lamp burning for forty years?", f'href="{lighthouse}"')
        # ...and polls the feed itself when it is due again: the new story is answered with its link.
        web.live["harbour.xml"] = (DATA / "polls" / "harbour_v2.xml").read_bytes()
        ferry = web.url("/stories/ferry-strike")
        answer = ask_until(server, FERRY_QUESTION, f'<a href="{ferry}">Source</a>')
        assert "Ferry Crews Walk Out Over Night Shifts" in answer
        assert web.count("/live/harbour.xml") >= 2  # the command's poll, then the bot's
        # Another process on the store answers the story the bot polled.
        asked = finish(newsbot(bot_settings, "ask", FERRY_QUESTION))
        assert "Ferry Crews Walk Out Over Night Shifts" in asked and ferry in asked
    finally:
        stop_bot(bot, tmp_path)
    library = Library.open(bot_settings)
    try:
        [feed] = asyncio.run(FeedService(library).feeds())
        assert (feed.articles, feed.added_by, feed.failures) == (4, "cli", 0)
        kinds = kinds_since(library.store, 0)
        assert kinds[id_of(ferry)] == ["added"]  # news, written once, by the bot's poll
        library.follow()
        assert_in_step(library)
    finally:
        library.close()


def test_a_bot_killed_mid_poll_loses_and_doubles_nothing_once_restarted(
    bot_settings: Settings, server: FakeBotAPI, web: WebServer, tmp_path: Path
) -> None:
    name = "d.xml"
    web.live[name] = rss(name, summaries=True)  # each story's text is on its page
    for n in range(STORIES):
        web.live[f"{name}-{n}.html"] = page(name, n)
    web.delays[f"{name}-3.html"] = 60  # the site hangs on one page: the bot is killed while it waits
    library = Library.open(bot_settings)
    service = FeedService(library)
    url = web.url(f"/live/{name}")

    def feed() -> FeedRow:
        [row] = asyncio.run(service.feeds())
        return row

    try:
        head, articles = library.store.head(), library.store.stats().articles
        service.store.add(url, None, "test", datetime.now(UTC) - timedelta(minutes=1))  # due at once
        bot = start_bot(bot_settings, server, tmp_path)
        try:
            until(lambda: web.count(f"/live/{name}-3.html") == 1)
            assert feed().lease_holder is not None
        finally:
            bot.kill()
            bot.wait()
        stuck = feed()
        assert stuck.lease_holder is not None and stuck.last_polled_at is None  # claimed, nothing recorded
        assert library.store.stats().articles == articles and library.store.head() == head
        web.delays.clear()
        fetched = [web.count(f"/live/{name}-{n}.html") for n in range(STORIES)]

        # Started again: the killed bot's lease is given back at once (its process is gone) and the feed polled whole.
        bot = start_bot(bot_settings, server, tmp_path)
        try:
            link = web.url(f"/live/{name}-3.html")
            ask_until(server, f"What did the zq{name.replace('.', '')}n3 committee vote for?", f'href="{link}"')
        finally:
            stop_bot(bot, tmp_path)
        polled = feed()
        assert polled.last_polled_at is not None and polled.failures == 0 and polled.articles == STORIES
        kinds = kinds_since(library.store, head)
        assert len(kinds) == STORIES and all(k == ["backlog"] for k in kinds.values())
        assert library.store.stats().articles == articles + STORIES
        assert library.store.paragraphs(id_of(link)) == list(story_words(name, 3))
        # Each page read once more, the hanging one included; none twice.
        again = [web.count(f"/live/{name}-{n}.html") - before for n, before in enumerate(fetched)]
        assert again == [1] * STORIES
        library.follow()
        assert_in_step(library)
    finally:
        library.close()


def test_two_bot_processes_polling_a_feed_that_redates_its_entries_read_each_page_once(
    bot_settings: Settings, server: FakeBotAPI, web: WebServer, tmp_path: Path
) -> None:
    """Two `newsbot run` processes on one store (webhook bots, as several behind one address are) take turns polling
    a feed that dates every entry with the time it is served: each story's page is read once, by the poll that added
    it, and neither process writes a story again (each poll read both pages again, and wrote both stories again)."""
    url = web.url("/live/stamped.xml")
    web.live["stamped.xml"] = restamped(datetime.now(UTC))
    library = Library.open(replace(bot_settings, feed_poll_minutes=0.1))  # as the processes poll it
    try:
        added = asyncio.run(FeedService(library).add(url))
        assert (added.backlog, added.problems) == (2, ())
        head = library.store.head()
        env = {**SHARED, "NEWSBOT_FEED_CHECK_SECONDS": "0.3", "NEWSBOT_LOG_LEVEL": "INFO"}
        logs = [tmp_path / name / "bot.log" for name in ("first", "second")]
        for log in logs:
            log.parent.mkdir()
        # Both run, and either may poll; the first stops once it has read the feed, so the second reads it too.
        with running_bot(bot_settings, server, logs[1].parent, **env, **webhook_env(free_port())):
            with running_bot(bot_settings, server, logs[0].parent, **env, **webhook_env(free_port())):
                redated_until_read(web, logs[0], url)
            redated_until_read(web, logs[1], url)
        said = {outcome for log in logs for outcome in polls_of(log, url)}
        assert said <= {"0 new, 0 edited, 2 unchanged", "not modified"}, said
        assert web.count("/polls/story_tide.html") == 1 and web.count("/polls/story_bridge.html") == 1
        assert kinds_since(library.store, head) == {}
    finally:
        library.close()


def redated_until_read(web: WebServer, log: Path, url: str) -> None:
    """Date the feed at `url` anew every 0.3 s until the bot logging to `log` has read it (not a 304)."""
    deadline = time.monotonic() + 120
    while not set(polls_of(log, url)) - {"not modified"}:
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        web.live["stamped.xml"] = restamped(datetime.now(UTC))
        time.sleep(0.3)


def polls_of(log: Path, url: str) -> list[str]:
    """What each poll of the feed at `url` a bot's log tells of did ("0 new, 0 edited, 2 unchanged")."""
    said = (line.partition(f"feeds: {url}: ")[2] for line in log.read_text().splitlines())
    return [outcome.partition(";")[0] for outcome in said if outcome]
