"""A feed paused in a running bot (bot/tg/feeds.py): what its admins hear, and /addfeed resuming it."""

from __future__ import annotations

from dataclasses import replace

from bot.app import running
from bot.config import Settings
from bot.store.feeds import NOT_MODIFIED
from tests.botapi_server import FakeBotAPI
from tests.html_check import visible_text
from tests.test_bot_e2e import replies
from tests.test_bot_feeds import ADMIN, Clock, bot_settings, clock, command, live, next_poll, started
from tests.web_server import WebServer

__all__ = ["bot_settings", "clock"]  # fixtures


async def test_a_feed_not_there_for_a_week_is_paused_with_a_notice_and_addfeed_resumes_it(
    bot_settings: Settings, server: FakeBotAPI, web: WebServer, clock: Clock
) -> None:
    async with running(started(replace(bot_settings, admin_ids=(ADMIN,)), clock), poll_timeout=1) as app:
        url = live(web, "harbour.xml", "harbour.xml")
        await command(server, ADMIN, "addfeed", url)
        web.statuses["harbour.xml"] = 404
        while (feed := await next_poll(app, clock, url)).paused_at is None:
            pass
        [_, failing, paused] = await replies(server, ADMIN, 3)
        assert visible_text(failing).startswith("Feed failing\n")
        assert visible_text(paused).startswith(
            f"Feed paused\nThe feed Harbour Town Daily ({url}) has failed for 7 days (HTTP 404 Not Found): it is no"
            " longer polled. Remove it, or add it again to poll it again."
        )
        listed = await command(server, ADMIN, "feeds")
        assert f"paused since {feed.paused_at:%Y-%m-%d %H:%M} UTC, its site saying since " in listed
        assert f"that it is not there, not polled; /addfeed {url} polls it again" in listed

        del web.statuses["harbour.xml"]
        resumed = await command(server, ADMIN, "addfeed", url)
        assert resumed.startswith(f"Polling Harbour Town Daily ({url}) again.\n")
        assert f"resumed: it had been paused since {feed.paused_at:%Y-%m-%d %H:%M} UTC" in resumed
        feed = await next_poll(app, clock, url)
        assert feed.paused_at is None and feed.last_status == NOT_MODIFIED
