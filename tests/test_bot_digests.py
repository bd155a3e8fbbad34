"""Subscriptions, digests and alerts end to end: the real Application from `build_application` against the fake Bot
API server, on SQLite and on PostgreSQL, with a clock the tests control (issue 8).

A "tick" is one run of the fan-out job (`bot.tg.jobs.deliver`), as the minute job makes it; the job itself also
runs on its own at start and at every real minute, at the test's clock, which changes nothing the tests assert
(exactly once is the store's business, not the tick's) as long as nothing is owed when a test makes Telegram refuse
a chat or claims as another process: a test ticks first or holds the fan-out's lock (the job then skips its run),
or the job may send or claim what is owed (an alert) on either side of that step.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import build_application, running
from bot.config import MAX_LATEST_COUNT, Settings
from bot.models import Article
from bot.render.subscriptions import ADMINS_ONLY, ALERTS_TURNED_OFF, GMT_IS_UTC, STALE_BUTTON, TOPIC_GONE
from bot.render.welcome import send_anew
from bot.services.alerts import Alerts
from bot.services.deliveries import Deliveries
from bot.services.fanout import Report
from bot.services.latest import NO_MORE_HEADLINES
from bot.services.presence import Presence
from bot.store import Worker
from bot.tg.articles import CATEGORY_GONE, LATEST_USAGE, MORE_SENT
from bot.tg.buttons import EXPIRED, GREETING_START, digest_rest_data
from bot.tg.context import App
from bot.tg.jobs import BEAT_JOB, deliver
from bot.tg.sending import FloodLimiter
from tests.answer_text import SEEN, listed
from tests.botapi_server import TOKEN, Call, FakeBotAPI
from tests.conftest import copied_library
from tests.html_check import check_telegram_html, visible_text
from tests.newsroom import story
from tests.paths import DATA
from tests.processes import newsbot

ALICE, BOB = 42, 43
GROUP, SUPERGROUP = -600, -1000000000600
CHANNEL = -1000000000900
OWNER, MEMBER, HIDDEN_ADMIN = 7, 8, 9
# Saturday 28 March 2026, 05:00 UTC (06:00 in Berlin); Berlin moves its clocks forward at 01:00 UTC on the 29th.
START = datetime(2026, 3, 28, 5, 0, tzinfo=UTC)
DAY = timedelta(days=1)
DIGEST = "<b>Daily digest</b>"
# A group's member's change refused, as they read it: and where their own settings are theirs to change.
MEMBER_REFUSED = f"{ADMINS_ONLY} Your own subscriptions and digest are yours to set in a private chat with me."
ALERT = "<b>Just in</b>"

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


class Clock:
    """The bot's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


@pytest.fixture
def bot_settings(any_db_settings: Settings, server: FakeBotAPI, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return replace(
        copied_library(replace(any_db_settings, corpus_dir=DATA / "bot_corpus"), tmp_path_factory),
        telegram_bot_token=TOKEN,
        telegram_api_base_url=server.base_url,
        # The fake server is no flood-limited Telegram: pacing would only slow the tests down.
        max_messages_per_second=1000,
        fanout_messages_per_second=1000,
    )


@asynccontextmanager
async def bot(settings: Settings, clock: Callable[[], datetime]) -> AsyncIterator[App]:
    """The bot polling the fake server, with the test's clock."""
    application = build_application(settings)
    application.bot_data.clock = clock
    async with running(application, poll_timeout=1) as started:
        yield started


async def tick(app: App) -> Report:
    report = await deliver(app)
    assert report is not None
    return report


def texts(server: FakeBotAPI, chat_id: int, start: str) -> list[str]:
    """The HTML of the bot's messages sent to a chat that start with `start`, in order."""
    found = []
    for call in server.calls("sendMessage", chat_id=chat_id):
        if call.ok and call.params["text"].startswith(start):
            check_telegram_html(call.params["text"])
            found.append(call.params["text"])
    return found


def headlines(html: str) -> list[str]:
    return [line[2:].rsplit(" (", 1)[0] for line in visible_text(html).splitlines() if line.startswith("• ")]


async def say(server: FakeBotAPI, chat_id: int, command: str, args: str = "", **kwargs: Any) -> str:
    """Send a command and return the HTML of the bot's reply (the next message it sends to the chat)."""
    before = len(server.calls("sendMessage", chat_id=chat_id))
    server.send_command(chat_id, command, args, **kwargs)
    call = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=chat_id))[before]
    assert call.ok, call.summary()
    check_telegram_html(call.params["text"])
    return str(call.params["text"])


async def reply_call(server: FakeBotAPI, chat_id: int, command: str, args: str = "", **kwargs: Any) -> Call:
    before = len(server.calls("sendMessage", chat_id=chat_id))
    server.send_command(chat_id, command, args, **kwargs)
    return (await server.wait_for_async("sendMessage", count=before + 1, chat_id=chat_id))[before]


async def press(server: FakeBotAPI, chat_id: int, message_id: int, data: str, user_id: int | None = None) -> Call:
    """Press a button (any data: a tampered one too) and return the bot's answer to the press."""
    before = len(server.calls("answerCallbackQuery"))
    server.press_button(chat_id, message_id, data, user_id, force=True)
    return (await server.wait_for_async("answerCallbackQuery", count=before + 1))[before]


def keyboard(server: FakeBotAPI, chat_id: int, message_id: int) -> dict[str, str]:
    """A message's buttons now: label -> callback data."""
    markup = server.get_message(chat_id, message_id).get("reply_markup", {})
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def write(app: App, now: datetime, *articles: Article) -> None:
    """Stories arriving at `now` (as an ingest or a feed poll would write them)."""
    await asyncio.to_thread(app.bot_data.library.store.write_articles, list(articles), now)


async def settle(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Wait for something the bot does in the background (a store write after a reply): generously, as it ends once
    that is done and a loaded machine is slow to do it."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_reader_subscribes_picks_a_time_and_zone_and_gets_one_digest_a_day_across_dst(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    clock = Clock(START)
    async with bot(bot_settings, clock) as app:
        # Two taps: the keyboard lists every category, unticked; each press ticks its button in place.
        call = await reply_call(server, ALICE, "subscribe")
        message_id = call.result["message_id"]
        buttons = keyboard(server, ALICE, message_id)
        assert set(buttons) == {"▫️ Local", "▫️ Business", "▫️ Science", "▫️ Sport"}
        assert all(len(data.encode()) < 64 for data in buttons.values())
        answer = await press(server, ALICE, message_id, buttons["▫️ Sport"])
        assert answer.params.get("text") == "Following Sport"
        await server.wait_for_async("editMessageText", count=1, chat_id=ALICE)
        await press(server, ALICE, message_id, keyboard(server, ALICE, message_id)["▫️ Business"])
        await server.wait_for_async("editMessageText", count=2, chat_id=ALICE)
        assert {"✅ Sport", "✅ Business", "▫️ Science"} <= set(keyboard(server, ALICE, message_id))
        # By name: any case, and a near miss gets "did you mean".
        assert "did you mean Science?" in visible_text(await say(server, ALICE, "subscribe", "scince"))
        assert "Subscribed to Science" in visible_text(await say(server, ALICE, "subscribe", "SCIENCE"))
        assert "Unsubscribed from Business" in visible_text(await say(server, ALICE, "unsubscribe", "business"))
        assert "digest time is 19:45" in visible_text(await say(server, ALICE, "time", "quarter to eight pm"))
        # "tomorrow" is no time zone: the time is taken, and the reply says the digest comes every day.
        tomorrow = visible_text(await say(server, ALICE, "time", "19:30 tomorrow"))
        assert "digest time is 19:30" in tomorrow and "every day at 19:30" in tomorrow
        assert "07:30" in visible_text(await say(server, ALICE, "time", "7:30am"))
        zone_reply = visible_text(await say(server, ALICE, "timezone", "Berlin"))
        assert "Europe/Berlin (UTC+01:00 now)" in zone_reply and "Sat 28 Mar at 07:30" in zone_reply
        mine = visible_text(await say(server, ALICE, "mysubs"))
        assert "Categories: Science and Sport." in mine and "07:30 (Europe/Berlin, UTC+01:00 now)" in mine

        await write(
            app,
            START - timedelta(hours=2),
            story("Cup final tonight", "Sport", START - timedelta(hours=3)),
            story("Comet seen at dawn", "Science"),
            story("Shares slide", "Business", START - timedelta(hours=3)),
            story("Archive: the 1998 final", "Sport", START - timedelta(days=30)),  # old news arriving today
        )
        preview = visible_text(await say(server, ALICE, "digest"))
        assert "Cup final tonight" in preview and "Shares slide" not in preview

        clock.set(datetime(2026, 3, 28, 6, 29, tzinfo=UTC))  # 07:29 in Berlin
        await tick(app)
        assert texts(server, ALICE, DIGEST) == []
        clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
        await tick(app)
        await tick(app)
        [first] = texts(server, ALICE, DIGEST)
        assert sorted(headlines(first)) == ["Comet seen at dawn", "Cup final tonight"]

        await write(app, datetime(2026, 3, 28, 9, 0, tzinfo=UTC), story("Derby ends level", "Sport"))
        # Sunday: summer time. 07:30 in Berlin is now 05:30 UTC, an hour earlier in UTC.
        clock.set(datetime(2026, 3, 29, 5, 29, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, ALICE, DIGEST)) == 1
        clock.set(datetime(2026, 3, 29, 5, 31, tzinfo=UTC))
        await tick(app)
        clock.set(datetime(2026, 3, 29, 6, 31, tzinfo=UTC))
        await tick(app)
        first_again, second = texts(server, ALICE, DIGEST)
        assert first_again == first and headlines(second) == ["Derby ends level"]
        assert "UTC+02:00 now" in visible_text(await say(server, ALICE, "mysubs"))


async def test_a_restart_sends_what_fell_due_while_down_late_the_same_day_and_never_twice(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    clock = Clock(START)
    async with bot(bot_settings, clock) as app:
        for chat_id, daily in ((ALICE, "06:00"), (BOB, "01:00")):
            await say(server, chat_id, "subscribe", "sport")
            await say(server, chat_id, "time", daily)  # UTC: Alice is due at 06:00 today, Bob tomorrow at 01:00
        await write(app, START - timedelta(hours=1), story("Cup final tonight", "Sport"))
    assert texts(server, ALICE, DIGEST) == []

    # Down from 05:00 to 06:40: Alice's 06:00 digest is 40 minutes late, within the two hours of grace.
    clock.set(datetime(2026, 3, 28, 6, 40, tzinfo=UTC))
    async with bot(bot_settings, clock) as app:
        # No tick from the test: the run at start sends it.
        await server.wait_for_async("sendMessage", lambda c: c.params["text"].startswith(DIGEST), chat_id=ALICE)
        await tick(app)
        assert len(texts(server, ALICE, DIGEST)) == 1
    # Down again until 04:00 on the 29th: Bob's 01:00 digest is three hours late, past the grace but on its day:
    # sent, saying so (it was skipped: Bob had nothing that day); Alice's 06:00 comes as usual, once.
    clock.set(datetime(2026, 3, 29, 4, 0, tzinfo=UTC))
    async with bot(bot_settings, clock) as app:
        [late] = await server.wait_for_async("sendMessage", lambda c: c.params["text"].startswith(DIGEST), chat_id=BOB)
        assert "Sent late: this digest was due at 01:00." in visible_text(late.params["text"])
        await tick(app)
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, ALICE, DIGEST)) == 2
        clock.set(datetime(2026, 3, 30, 1, 1, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, BOB, DIGEST)) == 2
        assert "Sent late" not in texts(server, BOB, DIGEST)[1]


async def test_a_digest_turned_off_and_on_or_moved_later_the_same_day_comes_once_and_the_reply_says_why(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """After the 06:00 digest, "/time 20:00" and "/digest off" then "on" said "the next on Sun 29 Mar at 20:00",
    unsaid why not today at 20:00: a chat gets one a day, and today's was due at 06:00. The reply says so, and
    nothing more comes that day."""
    clock = Clock(START)
    async with bot(bot_settings, clock) as app:
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "timezone", "UTC")
        await say(server, ALICE, "time", "06:00")
        await write(app, START, story("Cup final tonight", "Sport"))
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        clock.set(datetime(2026, 3, 28, 9, 0, tzinfo=UTC))
        why = "the next on Sun 29 Mar at 20:00, as today's was due at 06:00 (one a day)."
        assert why in visible_text(await say(server, ALICE, "time", "20:00"))
        await say(server, ALICE, "digest", "off")
        assert why in visible_text(await say(server, ALICE, "digest", "on"))
        await write(app, clock.now, story("Second leg", "Sport"))
        clock.set(datetime(2026, 3, 28, 20, 1, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, ALICE, DIGEST)) == 1
        clock.set(datetime(2026, 3, 29, 20, 1, tzinfo=UTC))
        await tick(app)
        assert [headlines(digest) for digest in texts(server, ALICE, DIGEST)] == [["Cup final tonight"], ["Second leg"]]
        # Just after today's, at its time: tomorrow's is the next, with no reason to give.
        mine = visible_text(await say(server, ALICE, "mysubs"))
        assert "the next on Mon 30 Mar at 20:00." in mine, mine


async def test_a_chat_that_blocked_the_bot_gets_nothing_until_it_writes_again(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    clock = Clock(START)
    async with bot(bot_settings, clock) as app:
        store = app.bot_data.library.store
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "time", "06:00")
        await say(server, ALICE, "alerts", "on")
        server.blocked_chats.add(ALICE)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        report = await tick(app)
        assert report.outcomes == {"failed": 1}
        assert store.chat_active(ALICE) is False
        assert [status for kind, _, status in store.deliveries_of(ALICE) if kind == "digest"] == ["failed"]
        await write(app, datetime(2026, 3, 29, 5, 0, tzinfo=UTC), story("Blocked-out goal", "Sport"))
        for minute in (datetime(2026, 3, 29, 5, 1, tzinfo=UTC), datetime(2026, 3, 29, 6, 1, tzinfo=UTC)):
            clock.set(minute)
            await tick(app)
        attempts = [c for c in server.calls("sendMessage", chat_id=ALICE) if c.error_code == 403]
        assert len(attempts) == 1  # neither the alert nor the second day's digest was even tried

        server.blocked_chats.discard(ALICE)  # unblocked: the reader writes again
        mine = visible_text(await say(server, ALICE, "mysubs"))
        assert store.chat_active(ALICE) is True
        # Kept while blocked: the categories, the digest's time and the alerts, nothing to set again.
        assert "Categories: Sport." in mine and "every day at 06:00" in mine, mine
        assert "Alerts for new stories: on" in mine, mine
        clock.set(datetime(2026, 3, 30, 6, 1, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, ALICE, DIGEST)) == 1
        await write(app, datetime(2026, 3, 30, 7, 0, tzinfo=UTC), story("Back in the game", "Sport"))
        clock.set(datetime(2026, 3, 30, 7, 1, tzinfo=UTC))
        await tick(app)
        assert [headlines(alert) for alert in texts(server, ALICE, ALERT)] == [["Back in the game"]]
        clock.set(datetime(2026, 3, 31, 6, 1, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, ALICE, DIGEST)) == 2


async def test_a_time_set_just_after_it_passed_comes_tomorrow_and_a_move_west_sends_the_day_s_at_once(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """/time 09:00 at 09:05 read "the next on Sun 29 Mar at 09:00", unsaid why none came that morning: the reply
    says the time has passed today. Moved west between two digests, where the new clock's day had none and its
    time had passed (09:00 UTC's digest fell on the day before there), that day had none at all: it comes at once,
    the reply saying so, and the next the day after; never two in a day."""
    clock = Clock(START)
    async with bot(sqlite_bot_settings, clock) as app:
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "time", "20:00")
        await write(app, START, story("Cup final tonight", "Sport"))
        clock.set(datetime(2026, 3, 28, 9, 5, tzinfo=UTC))
        reply = visible_text(await say(server, ALICE, "time", "09:00"))
        assert "the next on Sun 29 Mar at 09:00, as 09:00 has passed today." in reply, reply
        for hour in (9, 20):  # nothing more that day
            clock.set(datetime(2026, 3, 28, hour, 6, tzinfo=UTC))
            await tick(app)
        assert texts(server, ALICE, DIGEST) == []
        clock.set(datetime(2026, 3, 29, 9, 1, tzinfo=UTC))
        await tick(app)
        assert [headlines(digest) for digest in texts(server, ALICE, DIGEST)] == [["Cup final tonight"]]
        await write(app, clock.now, story("Second leg", "Sport"))
        clock.set(datetime(2026, 3, 29, 21, 30, tzinfo=UTC))  # 09:30 on Sunday at UTC-12, whose Sunday had none
        reply = visible_text(await say(server, ALICE, "timezone", "UTC-12"))
        assert "today's, due at 09:00, comes within a minute." in reply, reply
        await tick(app)
        _, moved = texts(server, ALICE, DIGEST)
        assert headlines(moved) == ["Second leg"] and "Sent late: this digest was due at 09:00." in visible_text(moved)
        mine = visible_text(await say(server, ALICE, "mysubs"))
        assert "the next on Mon 30 Mar at 09:00." in mine, mine
        clock.set(datetime(2026, 3, 30, 20, 59, tzinfo=UTC))  # 08:59 on Monday there
        await tick(app)
        assert len(texts(server, ALICE, DIGEST)) == 2
        clock.set(datetime(2026, 3, 30, 21, 1, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, ALICE, DIGEST)) == 3


async def test_a_scheduled_digest_and_an_alert_carry_a_button_for_each_category_s_rest(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """The fan-out's sends carry the buttons too: under a scheduled digest, and under an alert above its "Turn
    alerts off", whose press takes only itself away; the alert's sends the stories it did not show, those alone: it
    sent every story of the category that arrived in its span, one that came before the chat followed it too."""
    clock = Clock(START)
    async with bot(sqlite_bot_settings, clock) as app:
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "time", "06:00")
        await say(server, ALICE, "alerts", "on")
        clock.set(START + timedelta(minutes=3))
        await write(app, START - 3 * DAY, story("Old deal", "Markets", START - 3 * DAY))  # a category to follow
        await say(server, ALICE, "subscribe", "markets")
        # Arrived before Markets was followed: a toss, and a deal it was not sent.
        early = START + timedelta(minutes=1)
        toss = story("Toss", "Sport", early - timedelta(seconds=30))  # between Heat 4 and Heat 5
        clock.set(START + timedelta(minutes=5))
        heats = [story(f"Heat {n}", "Sport", clock.now - timedelta(minutes=n)) for n in range(7)]
        deals = [story(f"Deal {n}", "Markets", clock.now) for n in range(6)]
        store = app.bot_data.library.store
        # In one go, that no alert of the bot's own every minute takes the first alone.
        await asyncio.to_thread(
            lambda: (
                store.write_articles([toss, story("Early deal", "Markets", early)], early),
                store.write_articles([*heats, *deals], clock.now),
            )
        )
        await tick(app)
        [alert] = [c for c in server.calls("sendMessage", chat_id=ALICE) if c.params["text"].startswith(ALERT)]
        alert_id = alert.result["message_id"]
        assert "and 3 more: “Sport: 3 more” below" in visible_text(alert.params["text"])
        assert "Early deal" not in alert.params["text"] and "and 1 more: “Markets: 1 more”" in alert.params["text"]
        assert list(keyboard(server, ALICE, alert_id)) == ["Markets: 1 more", "Sport: 3 more", "Turn alerts off"]
        shown = [line for line in visible_text(alert.params["text"]).splitlines() if line.startswith("• Deal")]
        for label, rest in (("Sport: 3 more", ["Toss", "Heat 5", "Heat 6"]), ("Markets: 1 more", None)):
            before = len(server.calls("sendMessage", chat_id=ALICE))
            await press(server, ALICE, alert_id, keyboard(server, ALICE, alert_id)[label])
            page = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
            titles = page_titles(visible_text(page.params["text"]))
            if rest is None:  # the one deal of six it did not show (of one instant, in the order they came)
                assert len(titles) == 1 and titles[0].startswith("Deal") and len(shown) == 5, titles
                assert not any(line.startswith(f"• {titles[0]} ") for line in shown), titles
            else:
                assert titles == rest, page.params["text"]
            # Its time is the message's (the fake server dates them by the real clock).
            assert page.params["text"].startswith(f"<b>{label} from the alert of "), page.params["text"]
        # Another chat's alert (a forged button): nothing to send.
        _, delivery, key, _ = keyboard(server, ALICE, alert_id)["Sport: 3 more"].split(":")
        forged = await press(server, ALICE, alert_id, f"e:{int(delivery) + 1000}:{key}:1")
        assert forged.params.get("text") == NO_MORE_HEADLINES, forged.params
        # A button of an alert sent before its delivery was carried pages by the alert's window (from its first
        # story's arrival to one instant after its last's), as a digest's does, and was headed "from the digest of",
        # a digest the reader never got: it is the alert's, as the chat's deliveries tell (not the message's text).
        before = len(server.calls("sendMessage", chat_id=ALICE))
        await press(server, ALICE, alert_id, digest_rest_data("Sport", early, clock.now + timedelta(microseconds=1), 2))
        page = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
        assert page.params["text"].startswith("<b>Sport: 6 more from the alert of "), page.params["text"]
        await press(server, ALICE, alert_id, keyboard(server, ALICE, alert_id)["Turn alerts off"])
        await server.wait_for_async("editMessageReplyMarkup", count=1, chat_id=ALICE)
        assert list(keyboard(server, ALICE, alert_id)) == ["Markets: 1 more", "Sport: 3 more"]
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        [digest] = [c for c in server.calls("sendMessage", chat_id=ALICE) if c.params["text"].startswith(DIGEST)]
        assert list(keyboard(server, ALICE, digest.result["message_id"])) == ["Markets: 2 more", "Sport: 3 more"]


async def test_a_reply_to_an_alert_or_a_digest_asks_of_its_stories(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "when was that?" in reply to an alert of a rowing final was told that the message it replied to named no
    story (its words alone are common ones), and so in reply to a digest, whose stories it lists. A reply to a digest
    or an alert asks of the stories it lists, as a reply to an answer does."""
    final = story(
        "Harbour crew takes the regatta final", "Sport", START, "Gullhaven beat the county eight by a length."
    )
    clock = Clock(START)
    async with bot(sqlite_bot_settings, clock) as app:
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "alerts", "on")
        clock.set(START + timedelta(minutes=5))
        await write(app, clock.now, final)
        await asyncio.to_thread(app.bot_data.library.follow)  # its index follows the store, as every few seconds
        await tick(app)
        [alert] = [c for c in server.calls("sendMessage", chat_id=ALICE) if c.params["text"].startswith(ALERT)]
        clock.set(START + timedelta(minutes=6))
        previewed = await reply_call(server, ALICE, "digest")
        for replied in (alert.result["message_id"], previewed.result["message_id"]):
            before = len(server.calls("sendMessage", chat_id=ALICE))
            server.send_text(ALICE, "when was that?", reply_to_bot_message_id=replied)
            answer = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
            shown = visible_text(answer.params["text"])
            assert listed(final.title, marks=SEEN).search(shown) and "Gullhaven" in shown, shown


async def test_a_reader_coming_back_is_told_what_still_comes(sqlite_bot_settings: Settings, server: FakeBotAPI) -> None:
    """A reader who blocked the bot and unblocked it sends /start: greeted as a newcomer, they were not told that
    their digest still comes. A reader who chose nothing, and a group, get the greeting alone."""
    async with bot(sqlite_bot_settings, Clock(START)):
        assert "Welcome back" not in visible_text(await say(server, ALICE, "start"))
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "time", "06:00")
        server.my_chat_member(ALICE, "kicked", "member")
        server.my_chat_member(ALICE, "member", "kicked")
        back = visible_text(await say(server, ALICE, "start"))
        assert back.startswith("Hello! I answer questions about") and back.endswith(
            "\n\nWelcome back: your subscriptions are as you left them.\nCategories: Sport.\n"
            "Daily digest: every day at 06:00 (UTC); the next on Sat 28 Mar at 06:00.\n"
            "Alerts for new stories: off (/alerts on).\n/mysubs shows them all."
        ), back
        server.set_admins(GROUP, [ALICE])
        await say(server, GROUP, "subscribe", "sport", user_id=ALICE)
        assert "Welcome back" not in visible_text(await say(server, GROUP, "start", user_id=ALICE))


@asynccontextmanager
async def group_following_sport(settings: Settings, server: FakeBotAPI, clock: Clock) -> AsyncIterator[App]:
    """The bot, and a supergroup whose owner chose Sport, a digest at 06:00 and alerts."""
    server.set_admins(SUPERGROUP, [OWNER])
    async with bot(settings, clock) as app:
        for command, args in (("subscribe", "sport"), ("time", "06:00"), ("alerts", "on")):
            await say(server, SUPERGROUP, command, args, user_id=OWNER)
        yield app


@asynccontextmanager
async def group_that_restricted_the_bot(settings: Settings, server: FakeBotAPI, clock: Clock) -> AsyncIterator[App]:
    """`group_following_sport`, whose admins then restricted the bot (Telegram told it)."""
    async with group_following_sport(settings, server, clock) as app:
        server.my_chat_member(SUPERGROUP, "restricted", "member", user_id=OWNER)
        await settle(lambda: app.bot_data.library.store.chat_active(SUPERGROUP) is False, "the group inactive")
        yield app


@pytest.mark.parametrize(
    ("refusal", "restricted"),
    [
        ("Bad Request: have no rights to send a message", True),  # an admin restricted the bot
        ("Bad Request: CHAT_WRITE_FORBIDDEN", True),
        ("Bad Request: group chat was deactivated", False),
    ],
)
async def test_a_group_the_bot_may_no_longer_write_to_is_not_tried_every_day_and_its_alerts_stop(
    sqlite_bot_settings: Settings, server: FakeBotAPI, refusal: str, restricted: bool
) -> None:
    """A restricted group is asked once at its next digest time whether the bot may write again (so the fake
    server, asked, says the bot is still restricted); a deactivated group is never asked."""
    clock = Clock(START)
    async with group_following_sport(sqlite_bot_settings, server, clock) as app:
        store = app.bot_data.library.store
        server.fail_next("sendMessage", 400, refusal, chat_id=SUPERGROUP)
        if restricted:
            server.restricted_chats.add(SUPERGROUP)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        assert store.chat_active(SUPERGROUP) is False
        await write(app, clock.now, story("Cup final tonight", "Sport"))
        await tick(app)
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        await tick(app)
        assert [status for _, _, status in store.deliveries_of(SUPERGROUP)] == ["failed"]  # no alert, no 2nd day
        asked = server.calls("getChatMember", chat_id=SUPERGROUP)
        assert len(asked) == (1 if restricted else 0)  # once at the due time: not per story, not per tick
        server.restricted_chats.discard(SUPERGROUP)
        await say(server, SUPERGROUP, "mysubs", user_id=OWNER)  # its rights given back, the group writes again
        assert store.chat_active(SUPERGROUP) is True


async def test_a_group_that_lifts_the_bots_restriction_unannounced_gets_its_next_digest(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A group restricted the bot (its sends refused), then its admins lifted the restriction without Telegram
    telling the bot: the group stayed inactive until someone wrote in it, and its digests stopped for good. Now the
    bot asks Telegram at the group's next digest time, and the digest goes out, holding what it missed."""
    clock = Clock(START)
    async with group_following_sport(bot_settings, server, clock) as app:
        store = app.bot_data.library.store
        server.restricted_chats.add(SUPERGROUP)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        assert store.chat_active(SUPERGROUP) is False
        await write(app, clock.now, story("Cup final tonight", "Sport"))
        await tick(app)
        server.restricted_chats.discard(SUPERGROUP)  # lifted, and no my_chat_member update about it
        await write(app, clock.now, story("Extra time", "Sport"))
        await tick(app)
        assert not any(ALERT in c.params["text"] for c in server.calls("sendMessage", chat_id=SUPERGROUP))
        assert server.calls("getChatMember", chat_id=SUPERGROUP) == []  # not asked per story

        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        assert store.chat_active(SUPERGROUP) is True
        [digest] = texts(server, SUPERGROUP, DIGEST)
        assert headlines(digest) == ["Extra time", "Cup final tonight"]
        assert len(server.calls("getChatMember", chat_id=SUPERGROUP)) == 1


@asynccontextmanager
async def following_sport(settings: Settings, server: FakeBotAPI, clock: Clock, chat_id: int) -> AsyncIterator[App]:
    """The bot, and `chat_id` following Sport with a digest at 06:00: `group_following_sport`, or a reader."""
    if chat_id == SUPERGROUP:
        async with group_following_sport(settings, server, clock) as app:
            yield app
        return
    async with bot(settings, clock) as app:
        await say(server, chat_id, "subscribe", "sport")
        await say(server, chat_id, "time", "06:00")
        yield app


@pytest.mark.parametrize("chat_id", [SUPERGROUP, ALICE], ids=["restricted group", "blocked private chat"])
async def test_a_refused_digest_leaves_its_stories_to_the_next_digest_the_chat_gets(
    bot_settings: Settings, server: FakeBotAPI, chat_id: int
) -> None:
    """The group restricted the bot (or the reader blocked it) without the bot hearing, a story came before 06:00,
    and the 06:00 digest was refused; then the chat let the bot in again. The next day's digest started at the
    refused one's due time and left the story out. Now it covers everything since the last digest the chat got,
    and says that it covers more than a day."""
    clock = Clock(START)
    async with following_sport(bot_settings, server, clock, chat_id) as app:
        store = app.bot_data.library.store
        await write(app, datetime(2026, 3, 28, 5, 30, tzinfo=UTC), story("Cup final tonight", "Sport"))
        # The minute after it, the group (alerts on) gets the story's alert, before it restricts the bot. Left owed,
        # the minute job (at a real minute, on the test's clock) could send it once the group refused: the chat
        # inactive before 06:00, its digest was never claimed nor refused, and the next covered since subscribing.
        clock.set(datetime(2026, 3, 28, 5, 31, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, chat_id, ALERT)) == (chat_id == SUPERGROUP)
        assert all(visible_text(a).endswith("\n\n/alerts off stops these.") for a in texts(server, chat_id, ALERT))
        refusing = server.restricted_chats if chat_id == SUPERGROUP else server.blocked_chats
        refusing.add(chat_id)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        assert store.chat_active(chat_id) is False and texts(server, chat_id, DIGEST) == []
        refusing.discard(chat_id)
        if chat_id == ALICE:
            await say(server, ALICE, "mysubs")  # the reader unblocked the bot and writes again
        await write(app, datetime(2026, 3, 28, 9, 0, tzinfo=UTC), story("Derby ends level", "Sport"))
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        [digest] = texts(server, chat_id, DIGEST)
        assert headlines(digest) == ["Derby ends level", "Cup final tonight"]
        assert visible_text(digest).startswith("Daily digest: 2 new stories since Fri 27 Mar")


async def test_a_reader_who_unblocks_the_bot_and_sets_a_later_time_gets_the_refused_digest_then(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """The reader blocked the bot and its 06:00 digest was refused; at 10:00 they unblocked it and sent /time 18:00.
    The reply said the next digest was at 18:00 that day, and none came: the refused digest held the day. It comes
    at 18:00 with the morning's story."""
    clock = Clock(START)
    async with following_sport(sqlite_bot_settings, server, clock, ALICE) as app:
        await write(app, datetime(2026, 3, 28, 5, 30, tzinfo=UTC), story("Cup final tonight", "Sport"))
        server.blocked_chats.add(ALICE)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        server.blocked_chats.discard(ALICE)
        clock.set(datetime(2026, 3, 28, 10, 0, tzinfo=UTC))
        assert "the next on Sat 28 Mar at 18:00" in await say(server, ALICE, "time", "18:00")
        clock.set(datetime(2026, 3, 28, 18, 1, tzinfo=UTC))
        await tick(app)
        [digest] = texts(server, ALICE, DIGEST)
        assert headlines(digest) == ["Cup final tonight"]


async def test_a_group_back_after_weeks_gets_one_digest_of_the_last_week_saying_so(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """Restricted for three weeks (Telegram told the bot) while a story came every day, then freed unannounced:
    the next digest is one digest, of the last week's stories (the most a digest reaches back), saying since when;
    the stories of the weeks before are not poured out."""
    clock = Clock(START)
    async with group_that_restricted_the_bot(sqlite_bot_settings, server, clock) as app:
        store = app.bot_data.library.store
        for day in range(21):
            await write(app, START + day * DAY, story(f"Match day {day + 1}", "Sport"))
            clock.set(START + day * DAY + timedelta(hours=1, minutes=1))
            await tick(app)
        assert texts(server, SUPERGROUP, DIGEST) == [] and store.chat_active(SUPERGROUP) is False
        server.restricted_chats.discard(SUPERGROUP)  # lifted, and no my_chat_member update about it
        clock.set(START + 21 * DAY + timedelta(hours=1, minutes=1))
        await tick(app)
        [digest] = texts(server, SUPERGROUP, DIGEST)
        shown = visible_text(digest)
        # Due Sat 18 Apr at 06:00: since Sat 11 Apr at 06:00, the stories of 12 to 17 April.
        assert shown.startswith("Daily digest: 6 new stories since Sat 11 Apr")
        assert headlines(digest) == [f"Match day {day}" for day in (21, 20, 19, 18, 17)]
        assert "and 1 more: “Sport: 1 more” below" in shown


async def test_a_group_that_removed_the_bot_is_never_asked_whether_it_may_write(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """Restricted, then removed: the removal wins, and Telegram is not asked about the group at its digest time."""
    clock = Clock(START)
    async with group_that_restricted_the_bot(bot_settings, server, clock) as app:
        store = app.bot_data.library.store
        server.my_chat_member(SUPERGROUP, "kicked", "restricted", user_id=OWNER)
        await settle(lambda: store.restricted_due(START + DAY) == [], "the removal recorded")
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        assert server.calls("getChatMember", chat_id=SUPERGROUP) == []
        assert texts(server, SUPERGROUP, DIGEST) == []
        assert store.chat_active(SUPERGROUP) is False
        # Recorded as restricted, but removed since without the bot hearing of it: asked at the next due time,
        # Telegram answers that the bot was kicked, and the group is not woken.
        await asyncio.to_thread(store.set_chat_active, SUPERGROUP, False, True)
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        [asked] = server.calls("getChatMember", chat_id=SUPERGROUP)
        assert asked.error_code == 403
        assert texts(server, SUPERGROUP, DIGEST) == [] and store.chat_active(SUPERGROUP) is False
        # Out, as Telegram said: never asked again (it was, at every due time, each answer a 403).
        clock.set(datetime(2026, 3, 30, 6, 1, tzinfo=UTC))
        await tick(app)
        assert len(server.calls("getChatMember", chat_id=SUPERGROUP)) == 1
        server.my_chat_member(SUPERGROUP, "member", "left", user_id=OWNER)  # added back: it wakes
        await settle(lambda: store.chat_active(SUPERGROUP) is True, "the group active again")


async def test_a_group_that_restricts_the_bot_gets_nothing_until_its_admins_lift_it(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    clock = Clock(START)
    async with group_that_restricted_the_bot(sqlite_bot_settings, server, clock) as app:
        store = app.bot_data.library.store
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        await write(app, clock.now, story("Cup final tonight", "Sport"))
        await tick(app)
        assert [c for c in server.calls("sendMessage", chat_id=SUPERGROUP) if not c.ok] == []  # nothing tried

        # Its members still write (the reply is refused): a command woke it, and the next alert was refused too.
        before = len(server.calls("sendMessage", chat_id=SUPERGROUP))
        server.send_command(SUPERGROUP, "mysubs", user_id=OWNER)
        # The reply, refused; no apology after it (that was a second refused send for each command).
        refused = await server.wait_for_async("sendMessage", count=before + 1, chat_id=SUPERGROUP)
        assert not any(call.ok for call in refused[before:])
        assert store.chat_active(SUPERGROUP) is False
        clock.set(datetime(2026, 3, 28, 7, 1, tzinfo=UTC))
        await write(app, clock.now, story("Extra time", "Sport"))
        await tick(app)
        assert len(server.calls("sendMessage", chat_id=SUPERGROUP)) == before + 1  # no apology, no alert tried

        server.my_chat_member(SUPERGROUP, "member", "restricted", user_id=OWNER)
        await settle(lambda: store.chat_active(SUPERGROUP) is True, "the group active again")
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        [digest] = texts(server, SUPERGROUP, DIGEST)
        assert headlines(digest) == ["Extra time", "Cup final tonight"]


async def test_a_group_that_became_a_supergroup_keeps_its_subscriptions(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    clock = Clock(START)
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, clock) as app:
        store = app.bot_data.library.store
        await say(server, GROUP, "subscribe", "sport science", user_id=OWNER)
        await say(server, GROUP, "time", "06:00", user_id=OWNER)
        await write(app, START, story("Cup final tonight", "Sport"))
        server.migrate(GROUP, SUPERGROUP)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        [digest] = texts(server, SUPERGROUP, DIGEST)
        assert headlines(digest) == ["Cup final tonight"]
        refused = [c for c in server.calls("sendMessage", chat_id=GROUP) if c.error_code == 400]
        assert len(refused) == 1
        assert [name for name, _ in store.subscriptions(SUPERGROUP)] == ["Science", "Sport"]
        assert store.subscriptions(GROUP) == [] and store.chat_active(GROUP) is False
        mine = visible_text(await say(server, SUPERGROUP, "mysubs", user_id=MEMBER))
        assert "Science and Sport" in mine and "06:00" in mine
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        assert len(texts(server, SUPERGROUP, DIGEST)) == 2
        assert [c.ok for c in server.calls("sendMessage", chat_id=GROUP)] == [True, True, False]  # 2 replies, 1 refusal


async def test_a_group_that_becomes_a_supergroup_mid_digest_gets_the_rest_of_it_there(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A group became a supergroup while its long digest went out: the first message reached the group, the second
    was refused with the new id, and the rest was lost; the group stayed under its old id until its next delivery
    was refused too, and the next digest held the same stories again. The rest now goes to the supergroup, the
    group's settings move there at once, and the next digest holds only what is new."""
    clock = Clock(START)
    server.set_admins(GROUP, [OWNER])

    def migrate_after_the_first(params: dict[str, Any]) -> Any:
        """Send as the server does; the digest's first message to the group is the last the group takes."""
        result = server._m_sendmessage(params)
        if int(params["chat_id"]) == GROUP and str(params["text"]).startswith(DIGEST):
            server.migrate(GROUP, SUPERGROUP)  # the server's lock is reentrant
        return result

    async with bot(bot_settings, clock) as app:
        store = app.bot_data.library.store
        await say(server, GROUP, "time", "06:00", user_id=OWNER)  # every category, five stories of each shown
        lede = "A long lede that fills the digest's messages so it takes more than one of them. " * 2
        categories = ("Arts", "Business", "Cars", "Food", "Health", "Local", "Science", "Sport", "Travel", "Weather")
        stories = [
            story(f"{category} story {n}", category, START - timedelta(minutes=n), lede=lede)
            for category in categories
            for n in range(5)
        ]
        await write(app, START, *stories)
        server.register("sendMessage", migrate_after_the_first)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        first = [c.params["text"] for c in server.calls("sendMessage", chat_id=GROUP) if c.ok][-1]
        rest = [c.params["text"] for c in server.calls("sendMessage", chat_id=SUPERGROUP) if c.ok]
        assert first.startswith(DIGEST) and rest, rest
        shown = [title for message in [first, *rest] for title in headlines(message)]
        assert sorted(shown) == sorted(s.title for s in stories), shown
        assert store.chat_settings(SUPERGROUP) is not None and store.chat_settings(GROUP) is None
        assert [status for kind, _, status in store.deliveries_of(SUPERGROUP) if kind == "digest"] == ["sent"]
        await write(app, START + DAY, story("Sunday match", "Sport", START + DAY))
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))  # Berlin's clocks moved on: still 06:00 UTC, as chosen
        await tick(app)
        [sunday] = texts(server, SUPERGROUP, DIGEST)
        assert headlines(sunday) == ["Sunday match"]


async def test_the_migration_messages_move_a_group_before_any_send(bot_settings: Settings, server: FakeBotAPI) -> None:
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        await say(server, GROUP, "subscribe", "business", user_id=OWNER)
        server.migrate(GROUP, SUPERGROUP)
        server.migration_messages(GROUP)
        await settle(lambda: bool(store.subscriptions(SUPERGROUP)), "the group's subscriptions to move")
        assert [name for name, _ in store.subscriptions(SUPERGROUP)] == ["Business"]
        assert store.subscriptions(GROUP) == []
        await settle(lambda: store.chat_active(GROUP) is False, "the old group to be written to no more")


async def post(server: FakeBotAPI, channel: int, text: str) -> str:
    """An admin posts `text` in a channel; the visible text of the bot's reply (the next message it sends there)."""
    before = len(server.calls("sendMessage", chat_id=channel))
    server.channel_post(channel, text)
    call = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=channel))[before]
    assert call.ok, call.summary()
    check_telegram_html(call.params["text"])
    return visible_text(call.params["text"])


async def test_a_channels_admins_set_its_digest_by_posting_commands(bot_settings: Settings, server: FakeBotAPI) -> None:
    """A channel whose admins made the bot an admin: their posts "/subscribe sport", "/time 06:00" set the channel's
    digest, the replies speak of the channel's settings, and the digest comes to the channel; a subscriber's tap on
    the category buttons changes nothing. Channel posts went unheard: a channel could not have a digest."""
    clock = Clock(START)
    async with bot(bot_settings, clock) as app:
        assert "Subscribed to Sport." in await post(server, CHANNEL, "/subscribe sport")
        server.set_admins(CHANNEL, [OWNER])  # after the post made the chat a channel (a negative id is a group)
        timed = await post(server, CHANNEL, "/time 06:00")
        assert "This channel's digest time is 06:00." in timed and "every day at 06:00" in timed
        mine = await post(server, CHANNEL, "/mysubs")
        assert "This channel's subscriptions" in mine and "Only the channel's admins can change them." in mine
        assert "The channel's admins can tap a category" in await post(server, CHANNEL, "/subscribe")
        [keyboard_message] = [c for c in server.calls("sendMessage", chat_id=CHANNEL) if "reply_markup" in c.params]
        buttons = keyboard(server, CHANNEL, keyboard_message.result["message_id"])
        answer = await press(server, CHANNEL, keyboard_message.result["message_id"], buttons["✅ Sport"], MEMBER)
        assert str(answer.params.get("text")).startswith("Only this channel's admins can change its subscriptions")
        await write(app, START, story("Cup final tonight", "Sport"))
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        [digest] = texts(server, CHANNEL, DIGEST)
        assert headlines(digest) == ["Cup final tonight"]


async def test_a_channel_s_command_edited_is_asked_for_anew(bot_settings: Settings, server: FakeBotAPI) -> None:
    """A channel's admin who fixed "/subscribe sprot" by editing the post heard nothing and took it for done, the
    channel following nothing: an edited post was read by no handler. It is asked for anew, as in a chat."""
    async with bot(bot_settings, Clock(START)) as app:
        posted = server.get_update(server.channel_post(CHANNEL, "/subscribe sprot"))["channel_post"]["message_id"]
        [typo] = await server.wait_for_async("sendMessage", chat_id=CHANNEL)
        assert "sprot" in typo.params["text"]
        server.edit_text(CHANNEL, posted, "/subscribe sport")
        anew = (await server.wait_for_async("sendMessage", count=2, chat_id=CHANNEL))[1]
        assert visible_text(anew.params["text"]) == send_anew("/subscribe")
        assert app.bot_data.library.store.subscriptions(CHANNEL) == []


async def test_a_channels_admins_get_help_and_a_start_there(bot_settings: Settings, server: FakeBotAPI) -> None:
    """/help and /start posted in a channel got no reply, though the settings commands work there: both now say
    what the bot does in a channel and list the commands its admins post there, not the ones that cannot work."""
    async with bot(bot_settings, Clock(START)):
        for command in ("/help", "/start"):
            reply = await post(server, CHANNEL, command)
            assert reply.startswith("I send this channel a daily digest of the news"), reply
            assert "/time — the time of the channel's daily digest" in reply
            assert "/unsubscribe" in reply and "/alerts" in reply
            assert "/ask" not in reply and "/latest" not in reply and "/stats" not in reply


async def test_a_command_that_does_not_work_in_a_channel_says_so_there(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """/latest or /ask posted in a channel got no reply at all; another bot's command still gets none."""
    async with bot(bot_settings, Clock(START)):
        for command in ("/latest", "/ask what happened?", f"/categories@{server.username}"):
            reply = await post(server, CHANNEL, command)
            assert (
                reply
                == f"{command.split()[0].split('@')[0]} does not work in a channel: here I send the digest and alerts. "
                + ("/help lists the commands here.")
            ), reply
        before = len(server.calls("sendMessage", chat_id=CHANNEL))
        server.channel_post(CHANNEL, "/poll@otherbot")
        server.channel_post(CHANNEL, "/weather")
        assert (await post(server, CHANNEL, "/help")).startswith("I send this channel")  # answered in order
        assert len(server.calls("sendMessage", chat_id=CHANNEL)) == before + 1


async def test_a_channel_that_removed_the_bot_gets_its_digest_again_once_it_posts(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A channel whose digest was refused (the bot removed) was written to no more, and its admins' posts after
    adding the bot back did not wake it: only a private chat's or a group's messages did."""
    clock = Clock(START)
    async with bot(bot_settings, clock) as app:
        store = app.bot_data.library.store
        await post(server, CHANNEL, "/subscribe sport")
        await post(server, CHANNEL, "/time 06:00")
        server.blocked_chats.add(CHANNEL)
        await write(app, START, story("Cup final tonight", "Sport"))
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        assert store.chat_active(CHANNEL) is False
        server.blocked_chats.discard(CHANNEL)  # added back, without a word to the bot
        server.channel_post(CHANNEL, "Good morning, readers")
        await settle(lambda: store.chat_active(CHANNEL) is True, "the channel active again")
        await write(app, START + DAY, story("Second leg tomorrow", "Sport"))
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        [digest] = texts(server, CHANNEL, DIGEST)
        assert "Second leg tomorrow" in headlines(digest)


async def test_in_groups_only_admins_change_settings_and_anyone_reads_them(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    server.set_admins(GROUP, [OWNER, HIDDEN_ADMIN], anonymous=(HIDDEN_ADMIN,))
    async with bot(bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        for command, args in (
            ("subscribe", "sport"),
            ("unsubscribe", "sport"),
            ("time", "9:00"),
            ("timezone", "Tokyo"),
            ("digest", "off"),
            ("digest", "quiet"),
            ("alerts", "on"),
        ):
            assert visible_text(await say(server, GROUP, command, args, user_id=MEMBER)) == MEMBER_REFUSED
        assert store.chat_settings(GROUP) is None and store.subscriptions(GROUP) == []

        assert "Subscribed to Sport" in visible_text(await say(server, GROUP, "subscribe", "sport", user_id=OWNER))
        # An anonymous admin writes as the group itself.
        reply = await say(server, GROUP, "time", "9:00", as_group=True, user_id=HIDDEN_ADMIN)
        # The group's settings, not the admin's own ("Your time zone is ..." read as theirs).
        assert visible_text(reply).startswith("This group's digest time is 09:00.\n"), reply
        reply = await say(server, GROUP, "timezone", "Tokyo", user_id=OWNER)
        assert visible_text(reply).startswith("This group's time zone is Asia/Tokyo (UTC+09:00 now).\n"), reply
        # Reading is for everyone.
        mine = visible_text(await say(server, GROUP, "mysubs", user_id=MEMBER))
        assert "Categories: Sport." in mine and "09:00" in mine and "admins" in mine
        assert "This group's digest so far" in visible_text(await say(server, GROUP, "digest", user_id=MEMBER))
        assert "Your digest so far" in visible_text(await say(server, MEMBER, "digest", user_id=MEMBER))
        # The keyboard is shown to anyone; a member's press changes nothing.
        call = await reply_call(server, GROUP, "subscribe", user_id=MEMBER)
        data = keyboard(server, GROUP, call.result["message_id"])["▫️ Local"]
        answer = await press(server, GROUP, call.result["message_id"], data, user_id=MEMBER)
        assert answer.params.get("show_alert") is True and answer.params.get("text") == ADMINS_ONLY
        assert [name for name, _ in store.subscriptions(GROUP)] == ["Sport"]
        answer = await press(server, GROUP, call.result["message_id"], data, user_id=OWNER)
        assert answer.params.get("text") == "Following Local"
        # The group's admins were read from Telegram once for all of this.
        assert len(server.calls("getChatAdministrators")) == 1


async def test_a_groups_settings_replies_speak_of_the_group_not_of_the_admin(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """An admin's "/alerts on" in a group was answered "in your categories as they arrive", and "You already
    follow ...", "While you follow none ...": read as the admin's own settings, not the group's."""
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)):
        await say(server, GROUP, "subscribe", "sport", user_id=OWNER)
        again = visible_text(await say(server, GROUP, "subscribe", "sport", user_id=OWNER))
        assert again.startswith("The group already follows Sport.\n"), again
        alerts = visible_text(await say(server, GROUP, "alerts", "on", user_id=OWNER))
        assert alerts.startswith("Alerts for new stories: on, in this group's categories as they arrive.\n"), alerts
        await say(server, GROUP, "digest", "on", user_id=OWNER)
        left = visible_text(await say(server, GROUP, "unsubscribe", "sport business", user_id=OWNER))
        assert "The group did not follow Business.\n" in left, left
        assert left.endswith(
            "While the group follows none, the daily digest and alerts have every category: /digest off and "
            "/alerts off stop them."
        ), left
        keyboard_text = visible_text(await say(server, GROUP, "subscribe", user_id=OWNER))
        assert "(the group follows none in particular, so its digest and alerts have every category)" in keyboard_text
        shown = visible_text(await say(server, GROUP, "mysubs", user_id=MEMBER))
        assert "while the group follows none" in shown, shown


async def test_an_outdated_button_whose_choice_already_holds_says_so_and_edits_nothing(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """Pressing "Sport" again on an old keyboard (the chat follows it already) answered "Following Sport" and
    asked Telegram to edit the keyboard to what it showed, which Telegram refuses ("message is not modified")."""
    async with bot(bot_settings, Clock(START)):
        call = await reply_call(server, ALICE, "subscribe")
        message_id = call.result["message_id"]
        data = keyboard(server, ALICE, message_id)["▫️ Sport"]
        assert (await press(server, ALICE, message_id, data)).params.get("text") == "Following Sport"
        await server.wait_for_async("editMessageText", count=1)
        assert (await press(server, ALICE, message_id, data)).params.get("text") == "Already following Sport."
        stop = keyboard(server, ALICE, message_id)["✅ Sport"]
        assert (await press(server, ALICE, message_id, stop)).params.get("text") == "Stopped following Sport"
        await server.wait_for_async("editMessageText", count=2)
        answer = await press(server, ALICE, message_id, stop)
        assert answer.params.get("text") == "Sport was not followed: nothing to stop."
        await asyncio.sleep(0.3)
        edits = server.calls("editMessageText")
        assert len(edits) == 2 and all(edit.ok for edit in edits), [edit.summary() for edit in edits]


async def test_after_subscribe_all_a_new_category_is_ticked_and_tapping_it_stops_it(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """After /subscribe all a category that appears later is followed (its stories come), yet its button showed
    it unticked, and tapping it off answered "Weather was not followed: nothing to stop"."""
    async with bot(bot_settings, Clock(START)) as app:
        assert "Subscribed to Business, Local, Science and Sport" in visible_text(
            await say(server, ALICE, "subscribe", "all")
        )
        assert "every category, new ones too" in visible_text(await say(server, ALICE, "mysubs"))
        await write(app, START, story("Storm warning", "Weather"))
        call = await reply_call(server, ALICE, "subscribe")
        message_id = call.result["message_id"]
        buttons = keyboard(server, ALICE, message_id)
        assert set(buttons) == {"✅ Local", "✅ Business", "✅ Science", "✅ Sport", "✅ Weather"}
        answer = await press(server, ALICE, message_id, buttons["✅ Weather"])
        assert answer.params.get("text") == "Stopped following Weather"
        await server.wait_for_async("editMessageText", count=1, chat_id=ALICE)
        assert "▫️ Weather" in keyboard(server, ALICE, message_id)
        mine = visible_text(await say(server, ALICE, "mysubs"))
        assert "Categories: Business, Local, Science and Sport." in mine


async def test_an_article_ingested_by_another_process_alerts_its_subscribers_once(
    bot_settings: Settings, server: FakeBotAPI, tmp_path: Path
) -> None:
    """A dated story `newsbot ingest` adds is news; the undated stories of an archive it imports with it are not
    (alerts, digests and /latest agree), so they alert no one and the digest does not count them."""
    # `newsbot ingest` stamps the real time on what it adds, so this bot runs on the real clock too.
    async with bot(bot_settings, lambda: datetime.now(UTC)) as app:
        for chat_id, category in ((ALICE, "sport"), (BOB, "business")):
            await say(server, chat_id, "subscribe", category)
            assert "Alerts for new stories: on" in visible_text(await say(server, chat_id, "alerts", "on"))
        story_file = tmp_path / "story.jsonl"
        records = [
            {"title": "Rowing crew breaks record", "body": "The crew broke the record.", "category": "Sport"},
            *({"title": f"Archived match {n}", "body": f"Match {n} ended.", "category": "Sport"} for n in range(40)),
        ]
        records[0]["published"] = datetime.now(UTC).isoformat()
        story_file.write_text("".join(json.dumps(record) + "\n" for record in records))
        ingest = newsbot(bot_settings, "ingest", str(story_file))
        _, err = await asyncio.to_thread(ingest.communicate, timeout=120)
        assert ingest.returncode == 0, err
        await tick(app)
        await tick(app)
        [alert] = texts(server, ALICE, ALERT)
        assert headlines(alert) == ["Rowing crew breaks record"]
        assert texts(server, BOB, ALERT) == []
        # Its button turns alerts off (a tap on its "/alerts off" sent "/alerts" alone: the setting and its usage),
        # and goes.
        [sent] = [c for c in server.calls("sendMessage", chat_id=ALICE) if c.params["text"].startswith(ALERT)]
        alert_id = sent.result["message_id"]
        off = keyboard(server, ALICE, alert_id)["Turn alerts off"]
        assert (await press(server, ALICE, alert_id, off)).params.get("text") == ALERTS_TURNED_OFF
        await server.wait_for_async("editMessageReplyMarkup", count=1, chat_id=ALICE)
        assert keyboard(server, ALICE, alert_id) == {}
        assert "Alerts for new stories: off" in visible_text(await say(server, ALICE, "mysubs"))
        preview = await say(server, ALICE, "digest")
        assert headlines(preview) == ["Rowing crew breaks record"] and "more" not in visible_text(preview)
        latest = visible_text(await say(server, ALICE, "latest", "sport 30"))
        lines = [line for line in latest.splitlines() if line.startswith("• ")]
        undated = [line.endswith("(undated)") for line in lines]
        assert lines[0].startswith("• Rowing crew breaks record (") and undated == sorted(undated) and undated[-1]


async def test_fan_out_sends_map_telegram_errors_to_outcomes_and_never_repeat_an_ambiguous_one(
    bot_settings: Settings, server: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """Each refusal becomes its outcome, an ambiguous send is never repeated, and a text Telegram rejected (a bug of
    ours) is a warning for the operators, not one info line among every chat's."""
    caplog.set_level(logging.INFO, logger="bot.tg.sending")
    chats = {101: "dropped", 102: "flood", 103: "refused", 104: "fine"}
    clock = Clock(START)
    async with bot(bot_settings, clock) as app:
        for chat_id in chats:
            await say(server, chat_id, "subscribe", "sport")
            await say(server, chat_id, "time", "06:00")
        server.fail_next("sendMessage", 0, chat_id=101)  # the connection drops after the request left
        server.fail_next("sendMessage", 429, retry_after=1, chat_id=102)
        server.fail_next("sendMessage", 400, "Bad Request: can't parse entities", chat_id=103)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        report = await tick(app)
        assert report.outcomes == {"ambiguous": 1, "sent": 2, "rejected": 1}  # Telegram refused the text itself
        store = app.bot_data.library.store
        status = {chat_id: [s for kind, _, s in store.deliveries_of(chat_id) if kind == "digest"] for chat_id in chats}
        assert status == {101: ["ambiguous"], 102: ["sent"], 103: ["rejected"], 104: ["sent"]}
        warned = [r.getMessage() for r in caplog.records if r.name == "bot.tg.sending" and r.levelno >= logging.WARNING]
        assert [line for line in warned if "delivery to chat" in line] == [
            "delivery to chat 103: rejected (BadRequest: Can't parse entities)"
        ]
        digests = {
            chat_id: len(
                [c for c in server.calls("sendMessage", chat_id=chat_id) if c.params["text"].startswith(DIGEST)]
            )
            for chat_id in chats
        }
        # The dropped one was not sent again; the flood-limited one once more, after the time Telegram asked.
        assert digests == {101: 1, 102: 2, 103: 1, 104: 1}
        await tick(app)
        assert len(server.calls("sendMessage", chat_id=101)) == 2 + 1  # two replies, one digest attempt


async def test_each_process_takes_its_share_of_the_flood_budget(bot_settings: Settings, server: FakeBotAPI) -> None:
    settings = replace(bot_settings, max_messages_per_second=30, fanout_messages_per_second=20)
    clock = Clock(START)
    async with bot(settings, clock) as app:
        limiter = app.bot.rate_limiter
        fanout = app.bot_data.digesting.fanout
        assert isinstance(limiter, FloodLimiter) and limiter.rate == 30 and fanout.bucket.rate == 20
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name(BEAT_JOB)
        # Another bot process, on another machine.
        other = Presence(app.bot_data.library.store, Worker("elsewhere:1:a", "elsewhere", 1, START, START))
        await asyncio.to_thread(other.beat, START)
        await job.run(app)
        assert limiter.rate == 15 and fanout.bucket.rate == 10
        await asyncio.to_thread(other.leave)
        await job.run(app)
        assert limiter.rate == 30 and fanout.bucket.rate == 20


async def test_a_bot_beats_as_often_as_it_is_told(bot_settings: Settings) -> None:
    """NEWSBOT_BEAT_SECONDS sets the beat (10 s by default): the tests of take-overs at a beat shorten it."""
    async with bot(replace(bot_settings, beat_seconds=5), Clock(START)) as app:
        assert app.job_queue is not None
        # None while a beat runs, until it is scheduled again as it ends.
        while not (due := [j.next_t for j in app.job_queue.get_jobs_by_name(BEAT_JOB) if j.next_t is not None]):
            await asyncio.sleep(0.05)
        [next_beat] = due
        # Scheduled before now: within 5 s of now, not 10.
        assert next_beat <= datetime.now(UTC) + timedelta(seconds=5), next_beat


@pytest.fixture
def sqlite_bot_settings(settings: Settings, server: FakeBotAPI, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    store = copied_library(replace(settings, corpus_dir=DATA / "bot_corpus"), tmp_path_factory)
    return replace(store, telegram_bot_token=TOKEN, telegram_api_base_url=server.base_url)


async def test_every_command_answers_bad_arguments_with_its_usage(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    async with bot(sqlite_bot_settings, Clock(START)):
        cases = [
            ("unsubscribe", "", "Usage: /unsubscribe sport"),
            ("unsubscribe", "weather", "There is no category “weather”"),
            ("subscribe", "nonsense", "The categories are Business, Local, Science and Sport."),
            ("subscribe", "s", "“s” could be Science or Sport."),
            ("digest", "maybe", "“maybe” is not on, off, notice or quiet.\nUsage: /digest shows your digest so far"),
            ("digest", "07:30", "/time 07:30 sets its time"),  # the time has its own command: say which
            ("time", "", "Usage: /time 07:30"),
            ("time", "25:00", "hours go from 0 to 23"),
            ("time", "soon", "Usage: /time 07:30"),
            ("time", "Off", "/digest off turns the daily digest off; /time sets when it comes"),
            ("timezone", "", "Usage: /timezone Europe/Berlin"),
            ("timezone", "Mars/Olympus", "Unknown time zone"),
            ("timezone", "EST", "Usage: /timezone Europe/Berlin"),
            ("alerts", "", "Usage: /alerts on or /alerts off"),
            ("alerts", "sometimes", "“sometimes” is not on or off.\nAlerts for new stories: off"),
            # A slip of one of its words is named ("of" is as near "on" by its edits, by its letters nearer "off").
            ("alerts", "of", "“of” is not on or off: did you mean off?\nAlerts for new stories: off"),
            ("digest", "quite", "“quite” is not on, off, notice or quiet: did you mean quiet?\nUsage: /digest"),
            # What was typed is echoed as typed, every word not understood.
            ("subscribe", "<b>x</b> &amp;", "There is no category “<b>x</b>”.\nThere is no category “&amp;”."),
            ("latest", "sport 0", f"I can show 1 to {MAX_LATEST_COUNT} headlines, not “0”.\n{LATEST_USAGE}"),
            ("latest", "sport -5", "not “-5”."),
            ("latest", "sport abc", "There is no category “abc”.\nThe categories are Business, Local, Science and"),
            ("latest", "sprot", "There is no category “sprot”: did you mean Sport?"),
            ("latest", "s 3", "“s” could be Science or Sport."),
            ("latest", "3 sport 4", "Give one number of headlines: you gave 2."),
            ("latest", "-" + "9" * 3000, f"not “-{'9' * 18}…”."),
            ("latest", "sport science", "/latest shows one category at a time, and you named 2: Sport, Science."),
        ]
        for command, args, expected in cases:
            reply = visible_text(await say(server, ALICE, command, args))
            assert expected in reply, (command, args, reply)
            assert command != "latest" or reply.endswith(LATEST_USAGE), reply
        assert "Subscribed to Sport" in visible_text(await say(server, ALICE, "subscribe", "spo"))
        # The categories named are followed, the other words named after them.
        partly = visible_text(await say(server, ALICE, "subscribe", "science <cooking>"))
        assert partly.startswith(
            "Subscribed to Science.\nThere is no category “<cooking>”.\n"
            "The categories are Business, Local, Science and Sport.\nCategories: Science and Sport."
        ), partly
        assert visible_text(await say(server, ALICE, "unsubscribe", "sience")).startswith("There is no category")
        assert "Unsubscribed from Science" in visible_text(await say(server, ALICE, "unsubscribe", "science"))
        assert "no message" in visible_text(await say(server, ALICE, "digest", "quiet"))
        assert "A day without news: no message" in visible_text(await say(server, ALICE, "mysubs"))
        assert "one line saying so" in visible_text(await say(server, ALICE, "digest", "notice"))
        assert "Daily digest off" in visible_text(await say(server, ALICE, "digest", "off"))
        assert "Daily digest: off" in visible_text(await say(server, ALICE, "mysubs"))
        # Following none with the digest off is no digest of every category.
        assert "Categories: none chosen.\nDaily digest: off" in visible_text(await say(server, BOB, "mysubs"))
        assert "Daily digest on" in visible_text(await say(server, ALICE, "digest", "ON"))
        # "all": every category there is, and every one followed.
        everything = visible_text(await say(server, ALICE, "subscribe", "all"))
        assert everything.startswith("Subscribed to Business, Local and Science.\nYou already follow Sport.")
        assert "Alerts for new stories: on" in visible_text(await say(server, ALICE, "alerts", "on"))
        # "/unsubscribe all" stops everything: left on, the digest and alerts brought every category after it.
        stopped = visible_text(await say(server, ALICE, "unsubscribe", "All"))
        assert stopped.startswith("Unsubscribed from ") and all(name in stopped for name in ("Local", "Sport"))
        assert stopped.endswith(
            ".\nYour daily digest and alerts are off now: nothing more comes. /subscribe starts the digest again,"
            " /alerts on the alerts."
        ), stopped
        none = visible_text(await say(server, ALICE, "unsubscribe", "all"))
        assert none == "You followed no category in particular.\nCategories: none chosen.", none
        # Following none with only the digest turned on again: what that means, and the way out.
        await say(server, ALICE, "digest", "on")
        reply = visible_text(await say(server, ALICE, "unsubscribe", "business"))
        assert reply.endswith("While you follow none, the daily digest has every category: /digest off stops it.")
        await say(server, ALICE, "digest", "off")
        # Not "you follow no category yet" to someone who just left them all.
        alerts = visible_text(await say(server, ALICE, "alerts", "on"))
        assert alerts.startswith(
            "Alerts for new stories: on, in every category while you follow none: /subscribe to choose.\n"
        )


async def test_a_preview_says_when_the_daily_digest_is_off(sqlite_bot_settings: Settings, server: FakeBotAPI) -> None:
    """/digest showed "Your digest so far: 2 new stories" to a chat that has no daily digest (it never asked for
    one, or turned it off), as if one were coming."""
    off = "Daily digest: off (/digest on to get one)."
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await write(app, START - timedelta(hours=1), story("Cup final tonight", "Sport", START - timedelta(hours=2)))
        preview = visible_text(await say(server, ALICE, "digest"))
        assert preview.startswith("Your digest so far: 1 new story") and preview.endswith(f"\n\n{off}"), preview
        await say(server, ALICE, "subscribe", "sport")
        preview = visible_text(await say(server, ALICE, "digest"))
        assert headlines(preview) == ["Cup final tonight"] and off not in preview and "digest on" not in preview
        await say(server, ALICE, "digest", "off")
        assert visible_text(await say(server, ALICE, "digest")).endswith(f"\n\n{off}")
        # A category a re-ingest filed under another name brings nothing: the digest says so, as /mysubs does.
        gallery = story("Gallery opens", "Arts", START - timedelta(hours=2))
        await write(app, START - timedelta(hours=1), gallery)
        await say(server, ALICE, "subscribe", "arts")
        await write(app, START, replace(gallery, category="Culture"))
        preview = visible_text(await say(server, ALICE, "digest"))
        assert "\n\nNo stories are filed under Arts now: /categories lists those there are." in preview, preview


async def test_a_group_member_reads_of_its_digest_being_off_what_they_can_do(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A group's member (no admin) sending /digest was told "Daily digest: off (/digest on to get one)", which only
    the admins may send: the member is told to ask one, and where to have a digest of their own, a private chat with
    the bot opened by a link that greets there. Its admin is still told /digest on."""
    server.set_admins(GROUP, [OWNER])
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await write(app, START - timedelta(hours=1), story("Cup final tonight", "Sport", START - timedelta(hours=2)))
        member = await say(server, GROUP, "digest", user_id=MEMBER)
        link = f"https://t.me/{server.username}?start={GREETING_START}"
        assert member.endswith(
            "\n\nDaily digest: off. Only this group's admins can turn it on, so ask one of them. For a digest of your"
            f' own, open <a href="{link}">a private chat with me</a> and turn it on there.'
        ), member
        assert "/digest on" not in member
        # Sent all the same, it is refused, and the member told where their own settings are theirs.
        refused = await say(server, GROUP, "digest", "on", user_id=MEMBER)
        assert visible_text(refused) == MEMBER_REFUSED and f'<a href="{link}">a private chat with me</a>' in refused
        owner = visible_text(await say(server, GROUP, "digest", user_id=OWNER))
        assert owner.endswith("\n\nDaily digest: off (/digest on to get one)."), owner
        greeting = visible_text(await say(server, MEMBER, "start", GREETING_START))
        assert greeting.startswith("Hello! I answer questions about"), greeting


async def test_a_digest_turned_off_is_asked_back_in_words(sqlite_bot_settings: Settings, server: FakeBotAPI) -> None:
    """ "send me the digest again" after /digest off showed the digest so far, and the digest stayed off: asked for
    again, it comes back on, as /digest on; while it is on, the words still show it. A member of a group asking it
    back is told that the admins set the group's digest."""
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await write(app, START - timedelta(hours=1), story("Cup final tonight", "Sport", START - timedelta(hours=2)))
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "digest", "off")
        back = await written(server, ALICE, "send me the digest again")
        assert back.startswith("Daily digest on.") and "Daily digest: every day at 08:00" in back, back
        assert "Daily digest: every day at 08:00" in visible_text(await say(server, ALICE, "mysubs"))
        shown = await written(server, ALICE, "send me the digest again")
        assert shown.startswith("Your digest so far: 1 new story"), shown
        await say(server, ALICE, "digest", "off")
        for words in ("send me my daily digest again", "restart my digest", "resume sending the digest"):
            assert (await written(server, ALICE, words)).startswith("Daily digest on."), words
            await say(server, ALICE, "digest", "off")
        server.set_admins(GROUP, [ALICE])
        await say(server, GROUP, "subscribe", "sport", user_id=ALICE)
        await say(server, GROUP, "digest", "off", user_id=ALICE)
        refused = await written(server, GROUP, f"@{server.username} send the digest again", user_id=BOB)
        assert refused == MEMBER_REFUSED, refused
        assert "Daily digest: off" in visible_text(await say(server, GROUP, "mysubs", user_id=BOB))


async def test_a_time_the_clocks_skip_is_explained(sqlite_bot_settings: Settings, server: FakeBotAPI) -> None:
    """02:30 in Berlin does not exist on the night the clocks go forward: the digest comes at 03:00 that day, and
    "every day at 02:30; the next at 03:00" said so without saying why."""
    async with bot(sqlite_bot_settings, Clock(START)):
        # The schedule's line (a new reader's digest, following none, has every category: the line after it).
        reply = visible_text(await say(server, ALICE, "time", "2:30 Berlin"))
        assert (
            "every day at 02:30 (Europe/Berlin, UTC+01:00 now); the next on Sun 29 Mar at 03:00, as the clocks skip "
            "02:30 that day.\n"
        ) in reply, reply
        reply = visible_text(await say(server, ALICE, "time", "7:30"))
        assert "every day at 07:30 (Europe/Berlin, UTC+01:00 now); the next on Sat 28 Mar at 07:30.\n" in reply


async def test_the_categories_followed_are_listed_alphabetically_whatever_their_case(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await write(app, START, story("Gallery opens", "arts"))
        reply = visible_text(await say(server, ALICE, "subscribe", "sport arts business"))
        assert "\nCategories: Arts, Business and Sport.\n" in reply, reply


async def test_a_zone_given_as_an_offset_is_confirmed_without_its_offset_again(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    async with bot(sqlite_bot_settings, Clock(START)):
        # A time zone alone asks for no digest (the stories' times are shown in it): the reply says it is off.
        reply = visible_text(await say(server, ALICE, "timezone", "UTC-5"))
        assert reply == "Your time zone is UTC-05:00.\nDaily digest: off (/digest on to get one).", reply
        # Asked alone, /timezone says the zone (the digest's line, which names it, is off).
        reply = visible_text(await say(server, ALICE, "timezone"))
        assert reply.startswith("Daily digest: off (/digest on to get one).\nTime zone: UTC-05:00.\nUsage:"), reply
        await say(server, ALICE, "time", "08:00")
        reply = visible_text(await say(server, ALICE, "timezone", "UTC-5"))
        assert reply.startswith("Your time zone is UTC-05:00.\nDaily digest: every day at 08:00 (UTC-05:00);"), reply
        assert visible_text(await say(server, ALICE, "timezone", "GMT")).startswith("Your time zone is UTC.\n")
        # A named zone's offset now is news to the reader.
        reply = visible_text(await say(server, ALICE, "timezone", "Tokyo"))
        assert reply.startswith("Your time zone is Asia/Tokyo (UTC+09:00 now).\n"), reply


async def written(server: FakeBotAPI, chat_id: int, text: str, **kwargs: Any) -> str:
    """Write a message (no command) and return the visible text of the bot's reply."""
    before = len(server.calls("sendMessage", chat_id=chat_id))
    server.send_text(chat_id, text, **kwargs)
    call = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=chat_id))[before]
    assert call.ok, call.summary()
    check_telegram_html(call.params["text"])
    return visible_text(call.params["text"])


async def by_admins_alone(server: FakeBotAPI, words: str) -> str:
    """A setting asked for in words in a group, mentioning the bot: refused to a member, and the reply to its owner."""
    mention = f"@{server.username} {words}"
    assert await written(server, GROUP, mention, user_id=MEMBER) == MEMBER_REFUSED
    return await written(server, GROUP, mention, user_id=OWNER)


async def test_asking_in_words_for_the_digest_at_a_time_sets_it_as_time_does(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "send me the digest at 8am" was searched as a question, and declined: "No article uses ..."."""
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        reply = await written(server, ALICE, "send me the digest at 8am")
        assert reply.startswith("Your digest time is 08:00.\nDaily digest: every day at 08:00 (UTC)"), reply
        # On UTC, the reply says how to have the reader's own clock, as /time's does; not once a zone is set.
        assert reply.endswith("\nTimes are in UTC; /timezone sets your own, like /timezone Berlin."), reply
        assert (await written(server, ALICE, "Daily digest at 7:30")).startswith("Your digest time is 07:30.\n")
        assert (await written(server, ALICE, "digest at noon please")).startswith("Your digest time is 12:00.\n")
        reply = await written(server, ALICE, "can I get my digest at 7 in the morning, Berlin time?")
        assert reply.startswith("Your digest time is 07:00.\nDaily digest: every day at 07:00 (Europe/Berlin"), reply
        assert "/timezone" not in reply
        # A zone /time refuses is refused so, not searched.
        assert "not one clock all year" in await written(server, ALICE, "send me the digest at 8am EST")
        assert (await written(server, ALICE, "send me the digest at 25:00")).startswith("“at 25:00”: hours go from 0")
        settings = store.chat_settings(ALICE)
        assert settings is not None and (f"{settings.daily:%H:%M}", settings.zone) == ("07:00", "Europe/Berlin")
        # Asked for, the digest comes again after /digest off: it was set to 19:00 and said to be off.
        await say(server, ALICE, "digest", "off")
        reply = await written(server, ALICE, "send me the digest at 7pm")
        assert reply.startswith("Your digest time is 19:00.\nDaily digest: every day at 19:00 (Europe/Berlin"), reply
        # A question that mentions the digest is still a question.
        asked = await written(server, ALICE, "what was in the digest at 8am?")
        assert "digest time" not in asked and "Daily digest" not in asked, asked
        # In a group, as /time: an admin may, a member may not.
        mention = f"@{server.username} send the digest at 9am"
        assert await written(server, GROUP, mention, user_id=MEMBER) == MEMBER_REFUSED
        reply = await written(server, GROUP, mention, user_id=OWNER)
        assert reply.startswith("This group's digest time is 09:00.\n"), reply


async def test_subscribe_with_a_time_follows_the_category_at_that_time(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "/subscribe sport 7pm" followed Sport and said "There is no category “7pm”", the digest left at 08:00, where
    "subscribe me to sport at 7pm" typed without the slash has it come then. The command reads a time so too; a
    group's by its admins alone."""
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        await write(app, START, story("Derby drawn", "sport"), story("Chip out", "tech"))
        reply = visible_text(await say(server, ALICE, "subscribe", "sport 7pm"))
        assert reply.startswith("Subscribed to Sport.\nCategories: Sport.\nDaily digest: every day at 19:00"), reply
        assert "no category" not in reply, reply
        reply = visible_text(await say(server, ALICE, "subscribe", "tech every morning"))
        assert reply.startswith("Subscribed to Tech.\nCategories: Sport and Tech.\nDaily digest: every day at 08:00")
        settings = store.chat_settings(ALICE)
        assert settings is not None and settings.digest and f"{settings.daily:%H:%M}" == "08:00"
        assert "There is no category “nowhere”" in visible_text(await say(server, ALICE, "subscribe", "sport nowhere"))
        refused = visible_text(await say(server, GROUP, "subscribe", "sport 7pm", user_id=MEMBER))
        assert "admins" in refused and not store.subscriptions(GROUP), refused


async def test_asking_in_words_for_a_category_s_news_every_day_follows_it_at_that_time(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "send me the sport news every morning" was searched as a question (stories using "send" and "morning"): it
    follows Sport and has the digest come in the morning, saying how to choose another time and the reader's clock."""
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        await write(
            app, START, story("Derby drawn", "sport"), story("Shares up", "business"), story("Chip out", "tech")
        )
        reply = await written(server, ALICE, "send me the sport news every morning")
        assert reply.startswith("Subscribed to Sport.\nCategories: Sport.\nDaily digest: every day at 08:00 (UTC);")
        utc = "Times are in UTC; /timezone sets your own, like /timezone Berlin."
        assert reply.endswith(f"\nFor the morning I chose 08:00: /time 7am or any other time changes it.\n{utc}"), reply
        # The chat's one digest moves to the evening, Sport's stories with it: unsaid, the reader expected two.
        reply = await written(server, ALICE, "I want business news every evening")
        assert reply.startswith(
            "Subscribed to Business.\nCategories: Business and Sport.\nDaily digest: every day at 18:00"
        )
        moved = "Your digest moved from 08:00 to 18:00: one digest a day brings all your categories."
        assert f"\n{moved}\nFor the evening I chose 18:00: /time 7pm or any other time changes it.\n" in reply, reply
        # A count of stories is no category: "top 5 sport stories daily" was searched for "5 sport".
        reply = await written(server, ALICE, "top 5 sport stories daily")
        assert reply.startswith("You already follow Sport.\nCategories: Business and Sport.\nDaily digest: every"), (
            reply
        )
        assert "moved" not in reply and "I chose" not in reply, reply
        await say(server, ALICE, "timezone", "Berlin")
        await say(server, ALICE, "digest", "off")
        # Asked for, the digest comes again; a zone set is not told again.
        reply = await written(server, ALICE, "daily tech news at 7")
        categories = "Categories: Business, Sport and Tech."
        assert reply.startswith(
            f"Subscribed to Tech.\n{categories}\nDaily digest: every day at 07:00 (Europe/Berlin"
        ), reply
        assert "/timezone" not in reply and "I chose" not in reply and "moved" not in reply
        # A time already in the part of the day asked stays, and the reply says so.
        reply = await written(server, ALICE, "send me the news every morning")
        assert reply.endswith("\nFor the morning I chose 07:00: /time 9am or any other time changes it.")
        settings = store.chat_settings(ALICE)
        assert settings is not None and settings.digest and f"{settings.daily:%H:%M}" == "07:00"
        # Asked how, the commands are the answer, and nothing changes.
        await write(app, START, story("Gallery opens", "entertainment"))
        reply = await written(server, ALICE, "How do I get entertainment news every morning?")
        assert reply == (
            "/subscribe entertainment follows Entertainment, whose news then comes in a daily digest; /time 7am has it"
            " come in the morning. /mysubs shows what comes."
        ), reply
        assert "entertainment" not in [name.lower() for name, _ in store.subscriptions(ALICE)]
        # Several categories at once: searched, "entertainment and tech" named no one category.
        reply = await written(server, ALICE, "send me entertainment and tech news every morning")
        categories = "Categories: Business, Entertainment, Sport and Tech."
        assert reply.startswith(f"Subscribed to Entertainment.\nYou already follow Tech.\n{categories}\n"), reply
        # Questions, and news of no category, are searched as ever.
        for question in (
            "what sport news is there this morning?",
            "when is the morning news?",
            "send me news about chips every morning",
        ):
            asked = await written(server, ALICE, question)
            assert "Daily digest" not in asked and "Subscribed" not in asked, (question, asked)
        # In a group, as /subscribe: an admin may, a member may not.
        mention = f"@{server.username} send us the sport news every morning"
        assert await written(server, GROUP, mention, user_id=MEMBER) == MEMBER_REFUSED
        assert (await written(server, GROUP, mention, user_id=OWNER)).startswith("Subscribed to Sport.\n")
        # "Subscribe" with a category needs no time: it was a line on how to subscribe.
        reply = await written(server, GROUP, f"@{server.username} subscribe us to tech please", user_id=OWNER)
        assert reply.startswith("Subscribed to Tech.\nCategories: Sport and Tech.\nDaily digest: every day at 08:00"), (
            reply
        )


async def test_the_digest_s_time_in_a_reader_s_words_sets_it_and_says_so_once(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "set the time to 7am" was read as the daily digest asked for anew: the reply said "Daily digest on." and that
    the digest moved, saying the time twice, and it turned the digest on after /digest off; "my digest should come at
    9" was searched, and "change my digest to the evening" said "Daily digest on." too."""
    server.set_admins(GROUP, [OWNER])
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        await say(server, ALICE, "subscribe", "sport")
        reply = await written(server, ALICE, "set the time to 7am")
        assert reply.startswith("Your digest time is 07:00.\nDaily digest: every day at 07:00 (UTC);"), reply
        assert "Daily digest on" not in reply and "moved" not in reply, reply
        # As /time: a digest turned off stays off, and the reply says how to have it again.
        await say(server, ALICE, "digest", "off")
        reply = await written(server, ALICE, "change the time to 8 please")
        assert reply.startswith("Your digest time is 08:00.\nDaily digest: off (/digest on to get one)."), reply
        # Naming the digest asks for it: it comes again.
        reply = await written(server, ALICE, "my digest should come at 9")
        assert reply.startswith("Your digest time is 09:00.\nDaily digest: every day at 09:00 (UTC);"), reply
        assert (await written(server, ALICE, "can I get the digest at 6 instead?")).startswith(
            "Your digest time is 06:00.\n"
        )
        reply = await written(server, ALICE, "change my digest to the evening")
        assert reply.startswith("Your digest time is 18:00.\nDaily digest: every day at 18:00 (UTC);"), reply
        assert "\nFor the evening I chose 18:00: /time 7pm or any other time changes it.\n" in reply, reply
        assert "Daily digest on" not in reply and "moved" not in reply, reply
        settings = store.chat_settings(ALICE)
        assert settings is not None and settings.digest and f"{settings.daily:%H:%M}" == "18:00"
        # Questions holding such words are searched.
        for question in ("when did the morning papers come out?", "what time is it in London?"):
            assert "digest" not in (await written(server, ALICE, question)).lower(), question
        assert (await by_admins_alone(server, "set the time to 7am")).startswith("This group's digest time is 07:00.")


async def test_follow_or_stop_before_a_phrase_is_searched_and_before_a_category_s_name_acts(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """In a bot with a Money category, "follow the money" followed it at once, and "stop the world" stopped World: a
    bare verb before "the" makes a phrase, which is searched, the command it would be said under the answer; "follow
    money" and "stop sport" are requests, a group's made by its admins alone."""
    server.set_admins(GROUP, [OWNER])
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        await write(app, START, story("Savings rates fall", "money"), story("Derby drawn", "sport"))
        await say(server, ALICE, "subscribe", "sport")
        # Searched, with the command under the answer for a reader who meant the category.
        for phrase, hint in (
            ("follow the money", "/subscribe money follows Money."),
            ("stop the sport", "/unsubscribe sport stops following Sport."),
        ):
            reply = await written(server, ALICE, phrase)
            assert "Subscribed" not in reply and "Unsubscribed" not in reply, (phrase, reply)
            assert reply.endswith(f"\n\n{hint}"), (phrase, reply)
        assert "/subscribe" not in await written(server, ALICE, "follow the ferry")
        assert [name for name, _ in store.subscriptions(ALICE)] == ["Sport"]
        assert (await written(server, ALICE, "follow money")).startswith("Subscribed to Money.\n")
        assert (await written(server, ALICE, "stop sport")).startswith("Unsubscribed from Sport.\n")
        assert (await written(server, ALICE, "follow the money every morning")).startswith("You already follow Money.")
        assert await written(server, GROUP, f"@{server.username} stop money", user_id=MEMBER) == MEMBER_REFUSED


async def test_a_new_reader_s_short_words_for_the_digest_and_categories_do_what_they_say(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """Each was searched, or read as the digest asked for anew ("Daily digest on." and that it moved): "make it 9pm"
    and "at 9 instead" set the time as /time does, the news at a time or in a part of the day too, "show me my
    digest" shows it as /digest does, "add tech" and "remove sport" follow and stop as /subscribe and /unsubscribe
    do, and "which categories do I follow?" gets /mysubs."""
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await write(app, START, story("Derby drawn", "sport"), story("Chip out", "tech"))
        await say(server, ALICE, "subscribe", "sport")
        reply = await written(server, ALICE, "make it 9pm")
        assert reply.startswith("Your digest time is 21:00.\nDaily digest: every day at 21:00 (UTC);"), reply
        assert (await written(server, ALICE, "at 9 instead")).startswith("Your digest time is 09:00.\n")
        reply = await written(server, ALICE, "send me the news at 7am")
        assert reply.startswith("Your digest time is 07:00.\n") and "moved" not in reply, reply
        reply = await written(server, ALICE, "I want news in the evening")
        assert reply.startswith("Your digest time is 18:00.\n") and "moved" not in reply, reply
        assert "\nFor the evening I chose 18:00: /time 7pm or any other time changes it.\n" in reply, reply
        reply = await written(server, ALICE, "show me my digest")
        assert reply.startswith("Your digest so far\n") and reply == visible_text(await say(server, ALICE, "digest"))
        assert (await written(server, ALICE, "add tech")).startswith("Subscribed to Tech.\nCategories: Sport and Tech.")
        assert (await written(server, ALICE, "remove sport")).startswith("Unsubscribed from Sport.\nCategories: Tech.")
        assert (await written(server, ALICE, "which categories do I follow?")).startswith("Your subscriptions\n")


async def test_setting_the_time_zone_in_words_sets_it_as_timezone_does(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "set my timezone to London" was searched: "No article uses the words “set”, “timezone” or “London”"."""
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)) as app:
        reply = await written(server, ALICE, "set my timezone to London")
        assert reply.startswith("Your time zone is Europe/London (UTC now): GMT, BST (UTC+01:00) in summer.\n"), reply
        reply = await written(server, ALICE, "Hi! Change my time zone to new york please")
        assert reply.startswith("Your time zone is America/New_York"), reply
        assert (await written(server, ALICE, "my timezone is GMT")).endswith(GMT_IS_UTC)
        settings = app.bot_data.library.store.chat_settings(ALICE)
        assert settings is not None and settings.zone == "UTC"
        # A question about zones is still a question.
        assert "time zone is" not in await written(server, ALICE, "what time zone is Berlin in?")
        reply = await by_admins_alone(server, "set the timezone to Tokyo")
        assert reply.startswith("This group's time zone is Asia/Tokyo"), reply


async def test_a_reader_saying_where_they_live_has_its_time_zone_set(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "I live in Berlin" was searched, and answered with stories about Berlin; it sets the zone as /timezone Berlin
    does, and says so."""
    async with bot(bot_settings, Clock(START)) as app:
        reply = await written(server, ALICE, "I live in Berlin")
        assert reply.startswith("Your time zone is Europe/Berlin (UTC+01:00 now): CET, CEST (UTC+02:00) in summer.\n")
        assert (await written(server, ALICE, "I'm in New York")).startswith("Your time zone is America/New_York")
        assert (await written(server, ALICE, "I am based in Tokyo.")).startswith("Your time zone is Asia/Tokyo")
        settings = app.bot_data.library.store.chat_settings(ALICE)
        assert settings is not None and settings.zone == "Asia/Tokyo"
        reply = await written(server, ALICE, "We've just moved to Sydney")
        assert reply.startswith("Your time zone is Australia/Sydney"), reply
        # A place of two clocks is asked about, as /timezone asks.
        reply = await written(server, ALICE, "I live in Georgia")
        assert reply.startswith("“Georgia” is ambiguous or not one clock all year. Did you mean Asia/Tbilisi or"), reply
        assert "time zone is" not in await written(server, ALICE, "I'm in trouble with my bank")


async def test_turning_the_digest_or_alerts_off_in_words_does_it(bot_settings: Settings, server: FakeBotAPI) -> None:
    """ "stop the digest" and "turn off alerts" got the line on every subscription command, and the reader had to
    find and type /digest off or /alerts off: they turn them off (or on) as those do, a group's by its admins."""
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)) as app:
        await say(server, ALICE, "subscribe", "sport")
        assert (await written(server, ALICE, "turn on alerts please")).startswith("Alerts for new stories: on")
        reply = await written(server, ALICE, "Stop the digest")
        assert reply == "Daily digest off. /digest on to get it again; /digest still shows it whenever you ask.", reply
        assert (await written(server, ALICE, "turn off alerts")).startswith("Alerts for new stories: off")
        settings = app.bot_data.library.store.chat_settings(ALICE)
        assert settings is not None and not settings.digest and not settings.alerts
        assert (await written(server, ALICE, "turn the digest on")).startswith("Daily digest on.\n")
        # In the reader's own words, which were searched.
        assert (await written(server, ALICE, "I don't want alerts anymore")).startswith("Alerts for new stories: off")
        assert "Daily digest" not in await written(server, ALICE, "why did the union stop the strike?")
        mention = f"@{server.username} stop the digest"
        assert await written(server, GROUP, mention, user_id=MEMBER) == MEMBER_REFUSED


async def test_unsubscribing_from_a_category_in_words_does_it(bot_settings: Settings, server: FakeBotAPI) -> None:
    """ "unsubscribe from sport" got the line on every subscription command: it stops following Sport as /unsubscribe
    sport does; words naming no category still get that line."""
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)) as app:
        await say(server, ALICE, "subscribe", "sport business")
        reply = await written(server, ALICE, "Please unsubscribe me from sport")
        assert reply == "Unsubscribed from Sport.\nCategories: Business.", reply
        assert [name for name, _ in app.bot_data.library.store.subscriptions(ALICE)] == ["Business"]
        assert "Unsubscribed" not in await written(server, ALICE, "unsubscribe me from the weather")
        reply = await written(server, ALICE, "unsubscribe from everything")
        assert reply.startswith("Unsubscribed from Business.\nYour daily digest is off now"), reply
        await say(server, ALICE, "subscribe", "sport business")
        assert (await written(server, ALICE, "stop sending me sport news")).startswith("Unsubscribed from Sport.\n")
        mention = f"@{server.username} stop following sport"
        assert await written(server, GROUP, mention, user_id=MEMBER) == MEMBER_REFUSED


async def test_asking_for_alerts_of_a_category_in_words_follows_it_with_alerts_on(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "I want alerts for tech" was searched: it follows Tech and turns alerts on, as /subscribe tech and /alerts on
    do, and leaves the digest off (alerts alone start none); a group's by its admins. So does "/alerts tech"."""
    server.set_admins(GROUP, [OWNER])
    async with bot(bot_settings, Clock(START)) as app:
        await write(app, START, story("Chip out", "tech"), story("Derby drawn", "sport"))
        reply = await written(server, ALICE, "I want alerts for tech")
        assert reply == (
            "Subscribed to Tech.\nCategories: Tech.\nDaily digest: off (/digest on to get one).\n"
            "Alerts for new stories: on, in your categories as they arrive."
        ), reply
        settings = app.bot_data.library.store.chat_settings(ALICE)
        assert settings is not None and settings.alerts and not settings.digest
        reply = await written(server, ALICE, "alert me about sport news")
        assert reply.startswith("Subscribed to Sport.\nCategories: Sport and Tech.\n"), reply
        assert "Alerts" not in await written(server, ALICE, "I want alerts for the election")
        mention = f"@{server.username} alerts for tech please"
        assert await written(server, GROUP, mention, user_id=MEMBER) == MEMBER_REFUSED
        # "/alerts sport" was told “sport” is not on or off: it asks for Sport's alerts, as the words do.
        reply = visible_text(await say(server, BOB, "alerts", "sport"))
        assert reply.startswith("Subscribed to Sport.\nCategories: Sport.\n"), reply
        assert reply.endswith("Alerts for new stories: on, in your categories as they arrive."), reply
        assert "“soon” is not on or off." in visible_text(await say(server, BOB, "alerts", "soon"))


async def test_a_zone_named_by_its_region_is_set_and_its_summer_time_said(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "/timezone eastern" suggested Pacific/Easter first and "central european time" was unknown; a zone set says
    its clock in the other half of the year, and GMT, set as UTC, says where the UK's summer time is."""
    async with bot(sqlite_bot_settings, Clock(START)):
        reply = visible_text(await say(server, ALICE, "timezone", "eastern"))
        assert reply.startswith("Your time zone is America/New_York (UTC-04:00 now): EDT, EST (UTC-05:00) in winter.\n")
        reply = visible_text(await say(server, ALICE, "timezone", "central european time"))
        assert reply.startswith("Your time zone is Europe/Berlin (UTC+01:00 now): CET, CEST (UTC+02:00) in summer.\n")
        reply = visible_text(await say(server, ALICE, "timezone", "GMT"))
        assert reply.startswith("Your time zone is UTC.\n"), reply
        assert reply.endswith("\nGMT is UTC all year round; for the UK's clock, BST in summer, send /timezone London.")
        assert "GMT is UTC" not in visible_text(await say(server, ALICE, "timezone", "UTC"))


async def test_and_n_more_in_a_digest_is_a_button_that_sends_those_stories_once(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A digest shows 5 stories per category: "and 3 more: /latest sport 8" was tapped as "/latest" alone (Telegram
    links the command, not its words). A button under the digest sends each category's rest as /latest's More does,
    once (a second press, an hour on too, says it is below), and on a 200-story day pages 30 at a time with its own
    More to the digest's last story: a story arriving between pages is none of its stories; a tampered button or
    one of a category gone is said so."""
    arrived = START - timedelta(hours=1)
    sport = [story(f"Match {n}", "Sport", arrived - timedelta(minutes=n)) for n in range(8)]
    markets = [story(f"Deal {n}", "Markets", arrived - timedelta(minutes=n)) for n in range(200)]
    clock = Clock(START)
    async with bot(sqlite_bot_settings, clock) as app:
        await write(app, arrived, *sport, *markets)
        previewed = await reply_call(server, ALICE, "digest")
        preview, digest_id = visible_text(previewed.params["text"]), previewed.result["message_id"]
        assert "and 3 more: “Sport: 3 more” below" in preview, preview
        assert f"and 195 more: “Markets: 195 more” below, {MAX_LATEST_COUNT} at a time" in preview, preview
        assert "/latest" not in preview.replace("/latest shows", ""), preview
        buttons = keyboard(server, ALICE, digest_id)
        assert list(buttons) == ["Markets: 195 more", "Sport: 3 more"]
        before = len(server.calls("sendMessage", chat_id=ALICE))
        assert (await press(server, ALICE, digest_id, buttons["Sport: 3 more"])).params.get("text") is None
        page = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
        # Headed as what it is: "Latest in Sport (6 to 8)" said neither whose stories they were nor why from 6.
        assert page.params["text"].startswith("<b>Sport: 3 more from the digest of Sat 28 Mar</b>\n")
        assert page_titles(visible_text(page.params["text"])) == [s.title for s in sport[5:]]
        assert page.params["reply_parameters"]["message_id"] == digest_id
        clock.set(START + timedelta(hours=1))
        assert (await press(server, ALICE, digest_id, buttons["Sport: 3 more"])).params.get("text") == MORE_SENT
        message_id, data, seen = digest_id, buttons["Markets: 195 more"], [s.title for s in markets[:5]]
        late = story("Late deal", "Markets", START)
        while data:
            before = len(server.calls("sendMessage", chat_id=ALICE))
            assert (await press(server, ALICE, message_id, data)).params.get("text") is None
            page = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
            assert page.params["reply_parameters"]["message_id"] == message_id
            if len(seen) == 5:  # the digest's button: the next 30, and More for the 30 after them
                assert page.params["text"].startswith("<b>Markets: 30 more from the digest of Sat 28 Mar</b>")
            if len(seen) == 65:  # a second press of the same button sends nothing more
                assert (await press(server, ALICE, message_id, data)).params.get("text") == MORE_SENT
                assert len(server.calls("sendMessage", chat_id=ALICE)) == before + 1
            message_id = page.result["message_id"]
            seen += page_titles(visible_text(page.params["text"]))
            if len(seen) == 125:  # a story arriving between pages is none of the digest's: nothing repeated or skipped
                await write(app, START, late)
            data = keyboard(server, ALICE, message_id).get("More", "")
        assert seen == [s.title for s in markets]
        some = "0123456789abcdef"
        _, key, start, end, _ = buttons["Markets: 195 more"].split(":")
        # A rest's window reversed, or years long (a read of every story), or of a category no story is filed under.
        for data in (f"d:{key}:{end}:{start}:5", f"d:{key}:0:{end}:5", f"d:0123456789ab:{start}:{end}:5"):
            answer = await press(server, ALICE, message_id, data)
            expected = CATEGORY_GONE if "0123456789ab" in data else EXPIRED
            assert answer.params.get("text") == expected and answer.params.get("show_alert") is True, data
        for data in (f"l:5:{some}:99:*", "l:5:zz:10:*", f"l:5:{some}:10:0123456789ab"):
            answer = await press(server, ALICE, message_id, data)
            expected = CATEGORY_GONE if data.endswith("ab") else EXPIRED
            assert answer.params.get("text") == expected and answer.params.get("show_alert") is True, data
        # Past the 30 days a press is remembered (`sends.KEPT`), a button sent its page again: it says the list is
        # old, and which /latest shows the newest, and sends nothing (the fake server dates messages by the real
        # clock).
        sent = datetime.fromtimestamp(server.get_message(ALICE, digest_id)["date"], UTC)
        clock.set(sent + timedelta(days=30))
        before = len(server.calls("sendMessage", chat_id=ALICE))
        for label, name in (("Markets: 195 more", "markets"), ("Sport: 3 more", "sport")):
            answer = await press(server, ALICE, digest_id, buttons[label])
            said = f"This list is over 30 days old: /latest {name} shows the newest headlines."
            assert answer.params.get("text") == said and answer.params.get("show_alert") is True, answer.params
        assert len(server.calls("sendMessage", chat_id=ALICE)) == before


async def test_a_digest_s_rest_button_sends_that_digest_s_own_stories_not_shown(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "Sport: 2 more" paged /latest on from the digest's last story shown: a story an earlier digest showed, or one
    come since, published between the digest's, was sent as "the rest" and one of the digest's own left out. It sends
    the stories the digest counted and did not show, these alone."""
    today = [story(f"Heat {n}", "Sport", START - timedelta(hours=20 + n)) for n in range(7)]
    clock = Clock(START)
    async with bot(sqlite_bot_settings, clock) as app:
        # Yesterday's news (before this digest's 24 hours), published between two of today's.
        await write(app, START - timedelta(hours=25), story("Earlier final", "Sport", START - timedelta(hours=25.5)))
        await write(app, START - timedelta(hours=1), *today)
        previewed = await reply_call(server, ALICE, "digest")
        digest_id = previewed.result["message_id"]
        assert "and 2 more: “Sport: 2 more” below" in visible_text(previewed.params["text"])
        clock.set(START + timedelta(minutes=1))
        await write(app, clock.now, story("Later final", "Sport", START - timedelta(hours=25.7)))  # after the digest
        before = len(server.calls("sendMessage", chat_id=ALICE))
        await press(server, ALICE, digest_id, keyboard(server, ALICE, digest_id)["Sport: 2 more"])
        page = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
        assert page_titles(visible_text(page.params["text"])) == ["Heat 5", "Heat 6"], page.params["text"]
        assert page.params["text"].startswith("<b>Sport: 2 more from the digest of Sat 28 Mar</b>"), page.params["text"]
        assert keyboard(server, ALICE, page.result["message_id"]) == {}


async def test_more_under_a_named_day_s_list_keeps_to_that_day(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "/latest markets 2 yesterday" (the command read no day: “yesterday” was no category) or "markets 2
    yesterday" typed lists that day's stories alone, and its More pages through them to the last, saying so below
    it: it paged on into the days before. A day with none still lists the newest before it, saying so."""
    day_before = START - 2 * DAY  # Thursday 26 March
    yesterday = [story(f"Deal {n}", "Markets", START - DAY - timedelta(hours=n)) for n in range(3)]
    older = [story(f"Old deal {n}", "Markets", day_before - timedelta(hours=n)) for n in range(3)]
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await write(app, START, story("Deal today", "Markets", START - timedelta(minutes=5)), *yesterday, *older)
        for asks in (
            partial(server.send_command, ALICE, "latest", "markets 2 yesterday"),
            partial(server.send_text, ALICE, "markets 2 yesterday"),
        ):
            before = len(server.calls("sendMessage", chat_id=ALICE))
            asks()
            listed = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
            assert page_titles(visible_text(listed.params["text"])) == ["Deal 0", "Deal 1"], listed.params["text"]
            message_id = listed.result["message_id"]
            assert (await press(server, ALICE, message_id, keyboard(server, ALICE, message_id)["More"])).ok
            page = (await server.wait_for_async("sendMessage", count=before + 2, chat_id=ALICE))[before + 1]
            shown = visible_text(page.params["text"])
            assert page_titles(shown) == ["Deal 2"], shown
            assert shown.endswith("\nThat is the last story of Friday 27 March 2026."), shown
            assert keyboard(server, ALICE, page.result["message_id"]) == {}
        # A longer list than the day has: its stories alone, no More.
        said = await reply_call(server, ALICE, "latest", "markets 5 yesterday")
        assert page_titles(visible_text(said.params["text"])) == ["Deal 0", "Deal 1", "Deal 2"]
        assert keyboard(server, ALICE, said.result["message_id"]) == {}
        # A day with none: the newest before it, said, and More pages on through them.
        said = await reply_call(server, ALICE, "latest", "markets 2 on 1 march")
        assert visible_text(said.params["text"]).startswith("I have no story dated Sunday 1 March 2026"), said


def page_titles(shown: str) -> list[str]:
    """The headlines of a /latest page, as its lines show them."""
    return [line[2:].rsplit(" (", 1)[0] for line in shown.splitlines() if line.startswith("• ")]


async def test_stories_are_dated_on_the_clocks_of_the_chats_time_zone(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """After /timezone, answers, their closest headlines, More pages, full articles, /latest, the digest and inline
    results show a story's time on the chat's clocks (UTC until then)."""
    published = START - timedelta(hours=9)  # 20:00 UTC on the 27th, 05:00 on the 28th in Tokyo
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        probe = story("Lunar probe lands", "Science", published, "The lunar probe landed softly.")
        await write(app, START - timedelta(minutes=1), probe)
        await asyncio.to_thread(app.bot_data.library.follow)  # indexed now, not at the next look
        assert "27 Mar 2026, 20:00" in visible_text(await say(server, ALICE, "ask", "lunar probe landing"))
        await say(server, ALICE, "timezone", "Tokyo")
        call = await reply_call(server, ALICE, "ask", "lunar probe landing")
        assert "28 Mar 2026, 05:00" in visible_text(call.params["text"])
        assert "20:00" not in visible_text(call.params["text"])
        [full] = [data for label, data in keyboard(server, ALICE, call.result["message_id"]).items() if "Full" in label]
        before = len(server.calls("sendMessage", chat_id=ALICE))
        await press(server, ALICE, call.result["message_id"], full)
        article = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
        assert "Lunar probe lands\n28 Mar 2026, 05:00" in visible_text(article.params["text"])
        assert "28 Mar 2026, 05:00" in visible_text(await say(server, ALICE, "latest", "science"))
        await say(server, ALICE, "subscribe", "science")
        assert "Lunar probe lands (28 Mar 2026, 05:00)" in visible_text(await say(server, ALICE, "digest"))
        await say(server, BOB, "subscribe", "science")
        assert "Lunar probe lands (27 Mar 2026, 20:00)" in visible_text(await say(server, BOB, "digest"))
        server.inline_query(ALICE, "lunar probe")
        [inline] = await server.wait_for_async("answerInlineQuery", count=1)
        [result, *_] = inline.params["results"]
        assert "28 Mar 2026, 05:00" in result["input_message_content"]["message_text"]
        assert inline.params["is_personal"] is True
        # Another reader, with no zone of their own, still reads UTC.
        assert "27 Mar 2026, 20:00" in visible_text(await say(server, BOB, "ask", "lunar probe landing"))


async def test_a_category_named_with_a_number_is_not_read_as_a_count(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "/latest formula 1 8" shows 8 of Formula 1: the name's number is no count (it was 2 counts), and the
    digest's button for the rest of Formula 1 sends them."""
    arrived = START - timedelta(hours=1)
    races = [story(f"Race {n}", "Formula 1", arrived - timedelta(minutes=n)) for n in range(8)]
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await write(app, arrived, *races, story("Match", "Sport", arrived))
        previewed = await reply_call(server, ALICE, "digest")
        assert "and 3 more: “Formula 1: 3 more” below" in visible_text(previewed.params["text"])
        digest_id = previewed.result["message_id"]
        before = len(server.calls("sendMessage", chat_id=ALICE))
        await press(server, ALICE, digest_id, keyboard(server, ALICE, digest_id)["Formula 1: 3 more"])
        page = (await server.wait_for_async("sendMessage", count=before + 1, chat_id=ALICE))[before]
        assert page_titles(visible_text(page.params["text"])) == [r.title for r in races[5:]]
        asked = (("formula 1 8", 8), ("Formula 1", 8), ("formula 1, 2", 2), ("3 formula 1", 3), ("form 4", 4))
        for args, shown in asked:
            reply = visible_text(await say(server, ALICE, "latest", args))
            titles = [line[2:].rsplit(" (", 1)[0] for line in reply.splitlines() if line.startswith("• ")]
            assert titles == [r.title for r in races[:shown]], (args, reply)
        # Without the name whole, a number is still a count, and two are still refused.
        assert "Give one number of headlines: you gave 2." in visible_text(await say(server, ALICE, "latest", "1 2"))


async def test_category_buttons_survive_double_presses_and_refuse_stale_or_tampered_data(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    long_name = "Arts, culture & entertainment of the wider metropolitan region and beyond"
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await write(app, START, story("Gallery reopens", long_name))
        call = await reply_call(server, ALICE, "subscribe")
        message_id = call.result["message_id"]
        buttons = keyboard(server, ALICE, message_id)
        assert len(buttons) == 5 and all(len(data.encode()) < 64 for data in buttons.values())
        [arts] = [data for label, data in buttons.items() if "Arts" in label]
        sport = buttons["▫️ Sport"]
        # Pressed twice from the same (outdated) keyboard: the button says "follow", so it stays followed, and the
        # second press says it was already.
        for said in ("Following Sport", "Already following Sport."):
            answer = await press(server, ALICE, message_id, sport)
            assert answer.params.get("text") == said
        await press(server, ALICE, message_id, arts)
        await settle(lambda: len(app.bot_data.library.store.subscriptions(ALICE)) == 2, "two subscriptions")
        assert {name for name, _ in app.bot_data.library.store.subscriptions(ALICE)} == {"Sport", long_name}
        text = visible_text(await say(server, ALICE, "mysubs"))
        assert "Arts, culture & entertainment" in text
        for data in ("sub:1:zzzz", f"sub:7:{sport[6:]}", "sub:1:0123456789ab", "sub:"):
            answer = await press(server, ALICE, message_id, data)
            assert answer.params.get("text") == STALE_BUTTON and answer.params.get("show_alert") is True
        assert len(app.bot_data.library.store.subscriptions(ALICE)) == 2


async def test_a_database_refusing_the_fan_out_is_warned_of_once_and_its_end_said(
    settings: Settings,
    server: FakeBotAPI,
    postgres_url: str,
    postgres_admin_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PostgreSQL closed to connections (a restart, a failover): the fan-out fails each minute, warned of once, not
    each time; when it is back, the next run sends and the log says so."""
    caplog.set_level(logging.DEBUG, logger="bot.tg.troubles")
    pg = replace(
        settings,
        database_url=postgres_url,
        corpus_dir=DATA / "bot_corpus",
        telegram_bot_token=TOKEN,
        telegram_api_base_url=server.base_url,
    )
    name = make_url(postgres_url).database
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")

    def allow(connections: bool) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(connections).lower()}'))
            if not connections:
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name},
                )

    try:
        async with bot(pg, Clock(START)) as app:
            async with app.bot_data.digesting.lock:  # the start-up fan-out has run
                pass
            await asyncio.to_thread(allow, False)
            assert await deliver(app) is None
            assert await deliver(app) is None
            await asyncio.to_thread(allow, True)
            assert await deliver(app) is not None
    finally:
        allow(True)
        admin.dispose()
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "bot.tg.troubles"]
    # One trouble, whichever job met it (the follow job and the beat meet it too, and the minute job at a real
    # minute turning): said once, then in debug lines, and its end once.
    down = [(level, message) for level, message in said if message.startswith("the store")]
    levels = [level for level, _ in down]
    assert levels[0] == logging.WARNING and levels[-1] == logging.INFO, down
    assert len(levels) >= 3 and set(levels[1:-1]) == {logging.DEBUG}, down
    assert down[-1][1].startswith("the store answers again, after"), down
    assert "digests, alerts, feed polls" in down[0][1], down


async def test_a_reader_sets_the_time_in_everyday_words_and_stops_with_stop(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        for typed, shown in (
            ("at 8", "08:00"),
            ("19h", "19:00"),
            ("7 in the evening", "19:00"),
            ("10 at night", "22:00"),
        ):
            assert f"Your digest time is {shown}." in visible_text(await say(server, ALICE, "time", typed)), typed
        reply = visible_text(await say(server, ALICE, "time", "8am London"))
        assert reply.startswith("Your digest time is 08:00.\nDaily digest: every day at 08:00 (Europe/London"), reply
        assert "“EST” is ambiguous" in visible_text(await say(server, ALICE, "time", "9am EST"))
        reply = visible_text(await say(server, ALICE, "time", "stop"))
        assert reply.startswith("/digest off turns the daily digest off; /time sets when it comes"), reply
        assert "Daily digest off." in visible_text(await say(server, ALICE, "digest", "stop"))
        assert "Daily digest on." in visible_text(await say(server, ALICE, "digest", "Start"))
        # Pausing and resuming are a reader's words for off and on ("pause my digest" in words was understood, the
        # command was told “pause” is not on, off, notice or quiet).
        assert "Daily digest off." in visible_text(await say(server, ALICE, "digest", "pause"))
        assert "Daily digest on." in visible_text(await say(server, ALICE, "digest", "resume"))
        await say(server, ALICE, "alerts", "on")
        assert "Alerts for new stories: off" in visible_text(await say(server, ALICE, "alerts", "pause"))
        assert "Alerts for new stories: on" in visible_text(await say(server, ALICE, "alerts", "resume"))
        assert "Alerts for new stories: off" in visible_text(await say(server, ALICE, "alerts", "stop"))
        settings = app.bot_data.library.store.chat_settings(ALICE)
        assert settings is not None and settings.digest and not settings.alerts
        # A newcomer's /alerts on starts no daily digest (it started one unasked), and the reply says how to get one.
        reply = visible_text(await say(server, BOB, "alerts", "on"))
        assert reply.endswith("\nDaily digest: off (/digest on to get one)."), reply
        reply = visible_text(await say(server, BOB, "subscribe", "sport"))
        assert "\nDaily digest: every day at 08:00 (UTC); the next on Sat 28 Mar at 08:00." in reply, reply


async def test_a_time_given_to_digest_is_pointed_to_time_as_typed(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "/digest 8am" was told that “8am” is not on, off, notice or quiet, as if a switch were mistyped; so was a time
    that cannot be one ("/digest 25:00")."""
    async with bot(sqlite_bot_settings, Clock(START)):
        for typed in ("8am", "at 7:30", "7pm London", "19h"):
            reply = visible_text(await say(server, ALICE, "digest", typed))
            expected = f"“{typed}” is a time: send /time {typed} to have the digest then.\nUsage: /digest shows"
            assert reply.startswith(expected), reply
        assert "“soon” is not on, off, notice or quiet." in visible_text(await say(server, ALICE, "digest", "soon"))
        # A time mistyped ("25:00", "13pm") was told it is no switch: it is told what /time would say of it.
        for typed, why in (("25:00", "hours go from 0 to 23"), ("13pm", "with am or pm the hour goes from 1 to 12")):
            reply = visible_text(await say(server, ALICE, "digest", typed))
            assert reply.startswith(f"“{typed}”: {why}. Write the time like 07:30,"), reply
            assert "\nUsage: /digest shows" in reply and "/time 07:30 sets its time" in reply, reply
        # Nothing changed: the reader is told, not guessed for.
        assert "Daily digest: off" in visible_text(await say(server, ALICE, "mysubs"))


async def test_unsubscribe_alone_says_what_is_followed(sqlite_bot_settings: Settings, server: FakeBotAPI) -> None:
    """/unsubscribe alone gave only its usage: the reader had to ask /mysubs what there was to stop following."""
    async with bot(sqlite_bot_settings, Clock(START)):
        await say(server, ALICE, "subscribe", "sport science")
        reply = visible_text(await say(server, ALICE, "unsubscribe"))
        assert reply == "Categories: Science and Sport.\nUsage: /unsubscribe sport (category names, or all), or " + (
            "/subscribe alone for buttons."
        ), reply
        assert visible_text(await say(server, BOB, "unsubscribe")).startswith("Categories: none chosen.\nUsage: ")


async def test_a_forum_gets_its_digests_and_alerts_in_the_topic_it_chose_them_in(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """Subscribed in the forum's "News" topic, the digest and alerts came to General, where nobody looked for them;
    they go to the topic the settings were last changed in, and to General once that topic is deleted."""
    news, chatter = 5, 9
    clock = Clock(START)
    server.set_admins(SUPERGROUP, [OWNER])
    async with bot(bot_settings, clock) as app:
        reply = visible_text(await say(server, SUPERGROUP, "subscribe", "sport", user_id=OWNER, topic=news))
        assert reply.endswith("Digests and alerts will come to this topic."), reply
        reply = visible_text(await say(server, SUPERGROUP, "time", "06:00", user_id=OWNER, topic=news))
        assert "will come to this topic" not in reply  # already there
        await say(server, SUPERGROUP, "alerts", "on", user_id=OWNER, topic=news)
        mine = visible_text(await say(server, SUPERGROUP, "mysubs", user_id=MEMBER, topic=chatter))
        assert "Digests and alerts come to the topic these settings were last changed in." in mine
        await write(app, START + timedelta(minutes=1), story("Cup final tonight", "Sport"))
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        sent = [
            c for c in server.calls("sendMessage", chat_id=SUPERGROUP) if c.params["text"].startswith((DIGEST, ALERT))
        ]
        assert {c.params["text"].split("\n")[0] for c in sent} == {ALERT, f"{DIGEST}: 1 new story"}
        assert [c.params.get("message_thread_id") for c in sent] == [news, news]

        # The topic is deleted: the next digest goes to General rather than nowhere.
        await write(app, datetime(2026, 3, 28, 9, 0, tzinfo=UTC), story("Derby ends level", "Sport"))
        await tick(app)  # its alert
        server.fail_next("sendMessage", 400, "Bad Request: message thread not found", chat_id=SUPERGROUP)
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        refused, last, told = server.calls("sendMessage", chat_id=SUPERGROUP)[-3:]
        assert refused.error_code == 400 and refused.params["message_thread_id"] == news
        assert last.ok and last.params["text"].startswith(DIGEST) and "message_thread_id" not in last.params
        assert told.params["text"] == TOPIC_GONE and "message_thread_id" not in told.params
        store = app.bot_data.library.store
        assert [status for kind, _, status in store.deliveries_of(SUPERGROUP) if kind == "digest"] == ["sent", "sent"]

        # The topic gone is forgotten: they already come to General, where a change says nothing of moving them.
        reply = visible_text(await say(server, SUPERGROUP, "digest", "quiet", user_id=OWNER))
        assert "will come to this topic" not in reply, reply
        settings = store.chat_settings(SUPERGROUP)
        assert settings is not None and settings.topic is None
        # A button pressed under the keyboard in the news topic brings them back there.
        call = await reply_call(server, SUPERGROUP, "subscribe", user_id=OWNER, topic=news)
        message_id = call.result["message_id"]
        answer = await press(
            server, SUPERGROUP, message_id, keyboard(server, SUPERGROUP, message_id)["▫️ Science"], OWNER
        )
        assert answer.params.get("text") == "Following Science. Digests and alerts will come to this topic."
        settings = store.chat_settings(SUPERGROUP)
        assert settings is not None and settings.topic == news


async def test_a_change_in_a_new_topic_is_confirmed_as_anywhere_else_and_the_move_said(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "/subscribe sport" in a forum topic the digests did not come to yet was confirmed with the categories alone,
    "Categories: Sport.": the move to the topic replaced the change's view, and "Subscribed to Sport." went unsaid
    (as did "Unsubscribed from ..." and what a change left as it was)."""
    news, chatter = 5, 9
    server.set_admins(SUPERGROUP, [OWNER])
    async with bot(bot_settings, Clock(START)):
        reply = visible_text(await say(server, SUPERGROUP, "subscribe", "sport", user_id=OWNER, topic=news))
        assert reply.startswith("Subscribed to Sport.\nCategories: Sport.\n"), reply
        assert reply.endswith("\nDigests and alerts will come to this topic."), reply
        reply = visible_text(await say(server, SUPERGROUP, "unsubscribe", "sport", user_id=OWNER, topic=chatter))
        assert reply.startswith("Unsubscribed from Sport.\n"), reply
        assert reply.endswith("\nDigests and alerts will come to this topic."), reply


async def test_a_deleted_topic_is_forgotten_and_the_group_told_once(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """The topic chosen for digests was deleted: every digest and alert tried it again, then went to General, and
    nobody was told why they turned up there. Telegram's first refusal clears it and the group is told, once."""
    news = 5
    clock = Clock(START)
    server.set_admins(SUPERGROUP, [OWNER])
    async with bot(sqlite_bot_settings, clock) as app:
        await say(server, SUPERGROUP, "subscribe", "sport", user_id=OWNER, topic=news)
        await say(server, SUPERGROUP, "time", "06:00", user_id=OWNER, topic=news)
        await write(app, START + timedelta(minutes=1), story("Cup final tonight", "Sport"))
        server.fail_next("sendMessage", 400, "Bad Request: message thread not found", chat_id=SUPERGROUP)
        clock.set(datetime(2026, 3, 28, 6, 1, tzinfo=UTC))
        await tick(app)
        await write(app, datetime(2026, 3, 28, 9, 0, tzinfo=UTC), story("Derby ends level", "Sport"))
        clock.set(datetime(2026, 3, 29, 6, 1, tzinfo=UTC))
        await tick(app)
        sent = [c for c in server.calls("sendMessage", chat_id=SUPERGROUP) if c.ok]
        digests = [c for c in sent if c.params["text"].startswith(DIGEST)]
        assert len(digests) == 2 and all("message_thread_id" not in c.params for c in digests)
        assert [c.params["text"] for c in sent].count(TOPIC_GONE) == 1
        settings = app.bot_data.library.store.chat_settings(SUPERGROUP)
        assert settings is not None and settings.topic is None


async def test_a_digest_and_an_alert_finding_the_topic_gone_tell_the_group_once(
    bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A digest and an alert sent together (taken over from a process that stalled, so sent in one group) both
    found the forum topic deleted, and each told the group so: the word went out twice. Only the send whose record
    forgot the topic tells it."""
    news = 5
    due = datetime(2026, 3, 28, 6, 1, tzinfo=UTC)
    clock = Clock(START)
    server.set_admins(SUPERGROUP, [OWNER])
    async with bot(bot_settings, clock) as app:
        await say(server, SUPERGROUP, "subscribe", "sport", user_id=OWNER, topic=news)
        await say(server, SUPERGROUP, "time", "06:00", user_id=OWNER, topic=news)
        await say(server, SUPERGROUP, "alerts", "on", user_id=OWNER, topic=news)
        store = app.bot_data.library.store
        # Held, the fan-out's lock makes the minute job (at a real minute, on the test's clock) skip its run: it
        # would claim the story's alert before the stalled process does.
        async with app.bot_data.digesting.lock:
            await write(app, START + timedelta(minutes=1), story("Cup final tonight", "Sport"))
            server.delete_topic(SUPERGROUP, news)
            # Another process claimed both, then stalled (it last beat 5 minutes ago): this one takes both over.
            stalled = Worker("elsewhere:7:stalled", "elsewhere", 7, START, START)
            store.beat(stalled, due - timedelta(minutes=5), due, due - timedelta(days=1))
            assert len(Deliveries(store).claim_due(due, 10, stalled.worker_id)) == 1
            assert len(Alerts(store).claim(due, stalled.worker_id)[0]) == 1
        clock.set(due)
        replies = len(server.calls("sendMessage", chat_id=SUPERGROUP))
        assert (await tick(app)).taken_over == 2
        sent = [c for c in server.calls("sendMessage", chat_id=SUPERGROUP)[replies:] if c.ok]
        texts = [c.params["text"] for c in sent]
        assert {t.split("\n")[0] for t in texts} == {ALERT, f"{DIGEST}: 1 new story", TOPIC_GONE}
        assert texts.count(TOPIC_GONE) == 1 and texts[-1] == TOPIC_GONE
        assert all("message_thread_id" not in c.params for c in sent)
        settings = store.chat_settings(SUPERGROUP)
        assert settings is not None and settings.topic is None


async def test_a_newcomers_start_tells_of_the_daily_digest(sqlite_bot_settings: Settings, server: FakeBotAPI) -> None:
    """/start spoke only of questions: a newcomer learned of digests only by reading /help's list."""
    async with bot(sqlite_bot_settings, Clock(START)):
        greeting = visible_text(await say(server, ALICE, "start"))
        assert "/subscribe brings a daily digest of the categories you choose; /help lists every command." in greeting


async def test_mysubs_says_when_a_category_followed_has_no_stories_any_more(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A feed that starts filing "Arts" as "Culture", or an admin removing a category's stories, left a follower
    reading "Categories: Arts." and getting nothing, with no word why."""
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        await write(app, START, story("Gallery reopens", "Arts"))
        await say(server, ALICE, "subscribe", "arts sport")
        assert "No stories are filed under" not in visible_text(await say(server, ALICE, "mysubs"))
        gone = [a.id for a in await asyncio.to_thread(store.latest, 10, "Arts")]
        await asyncio.to_thread(store.remove_articles, gone, START)
        mine = visible_text(await say(server, ALICE, "mysubs"))
        assert (
            "Categories: Arts and Sport.\nNo stories are filed under Arts now: /categories lists those there are."
            in mine
        )


async def test_a_question_about_the_digest_s_time_says_when_it_comes_and_moves_nothing(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "should the digest come in the evening?" moved the digest to 18:00, and turned it on after /digest off: a
    question about a setting is answered with when the digest comes and the /time that moves it."""
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "digest", "off")
        reply = await written(server, ALICE, "should the digest come in the evening?")
        assert reply == (
            "Daily digest: off (/digest on to get one).\nTime zone: UTC.\n"
            "/time 7pm has the daily digest come in the evening, once /digest on turns it on."
        ), reply
        settings = store.chat_settings(ALICE)
        assert settings is not None and not settings.digest and f"{settings.daily:%H:%M}" == "08:00"
        await say(server, ALICE, "digest", "on")
        reply = await written(server, ALICE, "will my digest come at 9pm?")
        assert reply.startswith("Daily digest: every day at 08:00 (UTC);"), reply
        assert reply.endswith("\n/time 9pm has the daily digest come then."), reply
        assert (await written(server, ALICE, "should my digest come in the morning?")).endswith(
            "\nIt comes in the morning already."
        )
        settings = store.chat_settings(ALICE)
        assert settings is not None and settings.digest and f"{settings.daily:%H:%M}" == "08:00"
        # Asked of the bot, it is a request still.
        assert (await written(server, ALICE, "will you send me the digest at 9pm?")).startswith(
            "Your digest time is 21:00.\n"
        )
        # In a group, a member is told whose command it is.
        reply = await written(
            server, GROUP, f"@{server.username} should the digest come in the evening?", user_id=MEMBER
        )
        assert reply.endswith(
            "/time 7pm has the daily digest come in the evening, once /digest on turns it on. Only the group's admins"
            " can change it."
        )


async def test_no_digest_please_turns_it_off_as_digest_off_does(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "no digest please", "digest off" and "no alerts" were searched, and answered with stories using the word; a
    question why none came turns nothing off: it is shown when the digest comes, as /mysubs shows it."""
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        await say(server, ALICE, "subscribe", "sport")
        await say(server, ALICE, "alerts", "on")
        reply = await written(server, ALICE, "no digest please")
        assert reply == "Daily digest off. /digest on to get it again; /digest still shows it whenever you ask.", reply
        assert (await written(server, ALICE, "digest on")).startswith("Daily digest on.\n")
        assert (await written(server, ALICE, "no alerts")).startswith("Alerts for new stories: off")
        missed = await written(server, ALICE, "no digest today?")
        assert missed.startswith("Your subscriptions\n") and "Daily digest: every day at 08:00 (UTC)" in missed, missed
        settings = store.chat_settings(ALICE)
        assert settings is not None and settings.digest and not settings.alerts


async def test_a_group_member_saying_where_they_live_is_told_the_group_s_zone_not_refused(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A member's "I live in Berlin" got "Only this group's admins can change ...", as if told off for a remark about
    themselves: they are told the group's zone, who sets it, and how to set their own; an admin's sets the group's,
    and a member's order is refused as before."""
    server.set_admins(GROUP, [OWNER])
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        store = app.bot_data.library.store
        reply = await written(server, GROUP, f"@{server.username} I live in Berlin", user_id=MEMBER)
        assert reply == (
            "This group's time zone is UTC: its admins choose it (/timezone Berlin). In a private chat with me,"
            " /timezone Berlin sets your own."
        ), reply
        assert store.chat_settings(GROUP) is None
        assert await written(server, GROUP, f"@{server.username} set the timezone to Berlin", user_id=MEMBER) == (
            MEMBER_REFUSED
        )
        reply = await written(server, GROUP, f"@{server.username} I live in Berlin", user_id=OWNER)
        assert reply.startswith("This group's time zone is Europe/Berlin (UTC+01:00 now)"), reply
        # A zone typed alone, which was searched, is read so too: a member's tells the group's, a reader's sets theirs.
        reply = await written(server, GROUP, f"@{server.username} UTC+2", user_id=MEMBER)
        assert reply.endswith(
            "its admins choose it (/timezone UTC+2). In a private chat with me, /timezone UTC+2 sets your own."
        )
        assert (await written(server, ALICE, "UTC+2")).startswith("Your time zone is UTC+02:00.")
        reply = await written(server, GROUP, f"@{server.username} we're in Tokyo", user_id=MEMBER)
        assert reply.startswith("This group's time zone is Europe/Berlin (UTC+01:00 now): its admins choose it"), reply


async def test_a_time_typed_alone_says_when_the_digest_comes_and_how_to_move_it(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "6pm" was searched, and answered with a sale that closed at 6pm; "I want alerts" with a virus alert site."""
    async with bot(sqlite_bot_settings, Clock(START)) as app:
        await say(server, ALICE, "subscribe", "sport")
        reply = await written(server, ALICE, "6pm")
        assert reply.startswith("Daily digest: every day at 08:00 (UTC);"), reply
        assert reply.endswith("\n/time 6pm has the daily digest come then."), reply
        assert (await written(server, ALICE, "8am")).endswith("\nIt comes then already.")
        assert (await written(server, ALICE, "I want alerts")).startswith("Alerts for new stories: on")
        settings = app.bot_data.library.store.chat_settings(ALICE)
        assert settings is not None and f"{settings.daily:%H:%M}" == "08:00" and settings.alerts


async def test_a_group_admin_asking_of_a_setting_in_words_is_told_the_command_not_that_only_admins_can(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """An admin's "should the digest come in the evening?" or "7pm" in a group, and "no digest today?", ended "Only
    the group's admins can change it": said to an admin, who can, it read as a refusal. A member is still told."""
    server.set_admins(GROUP, [OWNER])
    async with bot(sqlite_bot_settings, Clock(START)):
        mention = f"@{server.username}"
        for words in ("should the digest come in the evening?", "7pm"):
            reply = await written(server, GROUP, f"{mention} {words}", user_id=OWNER)
            assert "/time 7pm has the daily digest come" in reply and "admins" not in reply, reply
            reply = await written(server, GROUP, f"{mention} {words}", user_id=MEMBER)
            assert reply.endswith("Only the group's admins can change it."), reply
        shown = await written(server, GROUP, f"{mention} no digest today?", user_id=OWNER)
        assert shown.startswith("This group's subscriptions\n") and "admins" not in shown, shown
        assert "Only the group's admins can change them." in await written(
            server, GROUP, f"{mention} no digest today?", user_id=MEMBER
        )


async def test_a_new_reader_tapping_a_category_is_told_when_its_digest_comes(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """A new reader's tap on "Sport" under /subscribe turned the daily digest on, unsaid: the keyboard read
    "Categories: Sport." and the press "Following Sport", where /subscribe sport says when the digest comes."""
    async with bot(sqlite_bot_settings, Clock(START)):
        call = await reply_call(server, ALICE, "subscribe")
        message_id = call.result["message_id"]
        assert "Daily digest" not in visible_text(call.params["text"])  # none comes yet
        await press(server, ALICE, message_id, keyboard(server, ALICE, message_id)["▫️ Sport"])
        [edit] = await server.wait_for_async("editMessageText", count=1, chat_id=ALICE)
        shown = visible_text(edit.params["text"])
        assert shown.endswith(
            "Categories: Sport.\nDaily digest: every day at 08:00 (UTC); the next on Sat 28 Mar at 08:00."
        ), shown


async def test_a_time_set_after_unsubscribing_from_all_says_the_digest_has_every_category(
    sqlite_bot_settings: Settings, server: FakeBotAPI
) -> None:
    """ "stop everything", then "make it 9pm": the digest came back on, of every category, and the reply said only
    its time, as if nothing had been stopped."""
    async with bot(sqlite_bot_settings, Clock(START)):
        await say(server, ALICE, "subscribe", "sport")
        await written(server, ALICE, "stop everything")
        reply = await written(server, ALICE, "make it 9pm")
        assert reply.startswith("Your digest time is 21:00.\nDaily digest: every day at 21:00 (UTC)"), reply
        assert "\nCategories: all (you follow none in particular, so your digest has every category).\n" in reply
        # Following some, the reply is as it was.
        await say(server, ALICE, "subscribe", "sport")
        assert "Categories" not in visible_text(await say(server, ALICE, "time", "8am"))
