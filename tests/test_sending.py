"""The flood limiter and the fan-out's sender on their own: pacing per process and per group, RetryAfter, which
failed requests are tried again (answers: network errors; fan-out: only what never left), and the outcome each
Telegram error becomes. Time is virtual: the limiter's clock and sleep are the test's."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.tg.sending import FANOUT, SEND_ATTEMPTS, FloodLimiter, fanout_outcome, tried_once

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


class VirtualTime:
    """A clock that moves only when someone sleeps (requests are made one at a time, so waits add up)."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class Telegram:
    """The request callback: records when each call reached it, and fails the first calls as told."""

    def __init__(self, clock: VirtualTime, failures: list[TelegramError] | None = None) -> None:
        self.clock = clock
        self.failures = list(failures or [])
        self.times: list[float] = []

    async def call(self) -> bool:
        self.times.append(self.clock.now)
        if self.failures:
            raise self.failures.pop(0)
        return True


def caused_by(error: TelegramError, cause: Exception) -> TelegramError:
    error.__cause__ = cause
    return error


def limiter(clock: VirtualTime, per_second: float = 30) -> FloodLimiter:
    return FloodLimiter(per_second, monotonic=clock.monotonic, sleep=clock.sleep)


async def request(
    flood: FloodLimiter, telegram: Telegram, chat_id: Any = 42, endpoint: str = "sendMessage", args: Any = None
) -> Any:
    data = {} if chat_id is None else {"chat_id": chat_id}
    return await flood.process_request(telegram.call, (), {}, endpoint, data, args)


async def test_messages_are_paced_at_this_process_share_and_reads_are_not() -> None:
    clock = VirtualTime()
    flood, telegram = limiter(clock), Telegram(clock)
    for _ in range(90):
        await request(flood, telegram)
    # A second's worth at once, then 30 a second.
    assert telegram.times[29] == 0 and telegram.times[30] == pytest.approx(1 / 30)
    assert telegram.times[89] == pytest.approx(2.0)
    for endpoint, chat_id in (("getChatAdministrators", -5), ("answerCallbackQuery", None), ("getMe", None)):
        await request(flood, telegram, chat_id, endpoint)
    assert telegram.times[-1] == pytest.approx(2.0)
    flood.set_rate(15)  # another process joined
    clock.now += 10  # idle: the bucket refills to a second's worth at the new rate
    start = clock.now
    for _ in range(30):
        await request(flood, telegram)
    assert telegram.times[-1] - start == pytest.approx(1.0)


async def test_a_group_gets_at_most_20_messages_a_minute_and_others_are_not_held_up() -> None:
    clock = VirtualTime()
    flood, telegram = limiter(clock, per_second=1000), Telegram(clock)
    for _ in range(25):
        await request(flood, telegram, chat_id=-500)
    assert telegram.times[19] == pytest.approx(0, abs=0.1) and telegram.times[20] == pytest.approx(3.0, abs=0.1)
    assert telegram.times[24] == pytest.approx(15.0, abs=0.1)
    other = Telegram(clock)
    await request(flood, other, chat_id="@channel")
    await request(flood, other, chat_id=42)
    assert other.times == [telegram.times[24]] * 2


async def test_retry_after_is_waited_out() -> None:
    clock = VirtualTime()
    flood = limiter(clock)
    telegram = Telegram(clock, [RetryAfter(2)])
    assert await request(flood, telegram, args=FANOUT) is True
    assert telegram.times == [0, pytest.approx(2.1)]


async def test_retry_after_holds_its_chat_and_every_chat_only_when_the_limit_was_the_bot_s() -> None:
    """A 429 to one chat held every chat's requests; it holds that chat's now, however many chats are refused at
    once (a second chat refused while one waited held every chat for its seconds). A request to no chat refused
    says the bot's own limit was met: then every request waits."""
    clock = VirtualTime()
    flood, telegram = limiter(clock), Telegram(clock)
    flood.pause(42, 2.0, "sendMessage")
    await request(flood, telegram, chat_id=43)
    await request(flood, telegram, chat_id=None, endpoint="answerCallbackQuery")
    await request(flood, telegram, chat_id="42")
    assert telegram.times == [0, 0, pytest.approx(2.0)]
    for refused in (-500, 43):
        flood.pause(42, 2.0, "sendMessage")
        flood.pause(refused, 1.0, "sendMessage")
        start = clock.now
        await request(flood, telegram, chat_id=44)
        await request(flood, telegram, chat_id=refused)
        await request(flood, telegram, chat_id=42)
        assert [t - start for t in telegram.times[-3:]] == [0, pytest.approx(1.0), pytest.approx(2.0)]
    flood.pause(None, 3.0, "answerInlineQuery")
    start = clock.now
    await request(flood, telegram, chat_id=44)
    assert telegram.times[-1] - start == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("cause", "fanout_calls"),
    [(httpx.ConnectError("refused"), 2), (httpx.PoolTimeout("busy"), 2), (httpx.ReadTimeout("slow"), 1)],
    ids=["connect error", "pool timeout", "read timeout"],
)
async def test_fan_out_sends_are_tried_again_only_when_they_never_left(cause: Exception, fanout_calls: int) -> None:
    clock = VirtualTime()
    error = TimedOut() if isinstance(cause, httpx.TimeoutException) else NetworkError(f"httpx: {cause}")
    fanout = Telegram(clock, [caused_by(error, cause)])
    if fanout_calls == 1:
        with pytest.raises(NetworkError):
            await request(limiter(clock), fanout, args=FANOUT)
    else:
        assert await request(limiter(clock), fanout, args=FANOUT) is True
    assert len(fanout.times) == fanout_calls
    # Answers are tried again whatever the network error: a late duplicate answer beats a lost one.
    answers = Telegram(clock, [caused_by(TimedOut(), httpx.ReadTimeout("slow"))] * SEND_ATTEMPTS)
    with pytest.raises(TimedOut):
        await request(limiter(clock), answers)
    assert len(answers.times) == SEND_ATTEMPTS


async def test_a_request_of_a_caller_that_tries_again_itself_is_made_once_and_no_other() -> None:
    """The start's wait for the Bot API tries getMe again itself, saying each failure: the limiter's own two
    retries a try said two lines more (its own) beside each of the caller's."""
    clock = VirtualTime()
    flood, errors = limiter(clock), [NetworkError("httpx.ConnectError: All connection attempts failed")] * 6
    telegram = Telegram(clock, list(errors))
    with pytest.raises(NetworkError):
        await asyncio.ensure_future(tried_once(request(flood, telegram, None, "getMe")))
    assert len(telegram.times) == 1
    # Only that task's requests: the others keep their tries.
    with pytest.raises(NetworkError):
        await request(flood, telegram, None, "getMe")
    assert len(telegram.times) == 1 + SEND_ATTEMPTS


async def test_a_refused_request_is_never_tried_again() -> None:
    clock = VirtualTime()
    for args in (None, FANOUT):
        telegram = Telegram(clock, [BadRequest("Bad Request: can't parse entities")])
        with pytest.raises(BadRequest):
            await request(limiter(clock), telegram, args=args)
        assert len(telegram.times) == 1


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), "Forbidden: bot was blocked by the user"),
        (BadRequest("Bad Request: chat not found"), "BadRequest: Chat not found"),
    ],
)
def test_a_refusal_s_detail_names_its_kind_once(error: TelegramError, detail: str) -> None:
    """The fan-out's log line and the delivery's detail read "failed (Forbidden: Forbidden: bot was blocked by the
    user)": Telegram's own words for a 403 already name it."""
    assert fanout_outcome(error, 1, 1).detail == detail


@pytest.mark.parametrize(
    ("error", "number", "status", "blocked", "migrated_to"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), 1, "failed", True, None),
        (ChatMigrated(-1001234), 1, "failed", False, -1001234),
        (ChatMigrated(-1001234), 2, "failed", False, -1001234),  # the second half goes to the new id
        (BadRequest("Bad Request: chat not found"), 1, "failed", True, None),
        (BadRequest("Bad Request: can't parse entities"), 1, "rejected", False, None),
        (RetryAfter(30), 1, "failed", False, None),
        (caused_by(TimedOut(), httpx.ReadTimeout("slow")), 1, "ambiguous", False, None),
        (
            caused_by(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("closed")),
            2,
            "ambiguous",
            False,
            None,
        ),
        (NetworkError("Bad Gateway"), 1, "ambiguous", False, None),
        (caused_by(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused")), 1, "failed", False, None),
        (TelegramError("Invalid server response"), 1, "ambiguous", False, None),
    ],
)
def test_each_telegram_error_becomes_an_outcome(
    error: TelegramError, number: int, status: str, blocked: bool, migrated_to: int | None
) -> None:
    outcome = fanout_outcome(error, number, 2)
    assert (outcome.status, outcome.blocked, outcome.migrated_to) == (status, blocked, migrated_to)
    if migrated_to is None:  # the detail says which message failed
        assert f"message {number} of 2: " in outcome.detail
    else:  # the messages that reached the old id are not sent again
        assert outcome.migrated_after == number - 1
