"""Sending: the flood limiter every request passes through, the sender of digests and alerts, and helpers that
send several messages in order.

The limiter (`FloodLimiter`) knows two kinds of request, told apart by `rate_limit_args`:

- answers (the default): a request cut off by a timeout or a dropped connection is tried again, SEND_ATTEMPTS in
  all. A late duplicate answer beats a lost one.
- fan-out sends (`rate_limit_args=FANOUT`): tried again only when the error proves the request never left (no
  connection could be made, or none was free in the pool). Any other network error or timeout may have reached
  Telegram: the sender reports it as ambiguous and it is never sent again (a reader missing one digest is better
  than a reader getting two).

A caller that tries again itself and says so (the start's wait for a Bot API not up yet) runs its requests
`tried_once`: each request once, or each of its tries was three, each failure a warning of the limiter's beside
its own.

Both wait out `RetryAfter` (Telegram refused the message, so sending it again is safe), and while they wait so do
the other requests to that chat (`FloodLimiter.pause`: other chats' only when the request refused was to no chat).
Pacing: each message to a chat takes a token of this process's share of the bot's messages a second (`set_rate`,
kept up to date from the live processes by the beat job), and each message to a group also one of that group's 20
a minute. Fan-out is paced before it reaches the limiter, at its
lower share (bot.services.fanout), so however big a fan-out is, answers keep the rest of the share.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextvars import ContextVar
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    ReplyParameters,
)
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import BaseRateLimiter, ExtBot

from bot.config import Settings
from bot.models import Rest
from bot.services.budget import GROUP_PER_MINUTE, TokenBucket
from bot.services.deliveries import ALERT, REJECTED, Outcome
from bot.services.fanout import Send
from bot.tg.answered import noted
from bot.tg.buttons import rest_buttons

log = logging.getLogger(__name__)

ApiResult = bool | dict[str, Any] | list[dict[str, Any]]
T = TypeVar("T")

# Set in a task whose requests are each tried once (`tried_once`).
_CALLER_TRIES_AGAIN: ContextVar[bool] = ContextVar("caller_tries_again", default=False)

# Answers cut off by a timeout or a dropped connection are tried this often in all (a late duplicate beats a loss).
SEND_ATTEMPTS = 3
SEND_BACKOFF_SECONDS = 0.5
# RetryAfter is waited out this many times per request before the error is raised.
RETRY_AFTER_RETRIES = 3
# Telegram asks for "retry after N seconds"; a little more keeps the retry from landing just before the end.
RETRY_AFTER_MARGIN = 0.1
# `rate_limit_args` of a fan-out send (a digest or an alert).
FANOUT = "fanout"
# Per-group buckets kept before full (idle) ones are forgotten.
GROUP_BUCKETS = 512
# httpx errors that mean the request never left this machine: sending it again cannot make a duplicate.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# A bot an admin restricted hears "have no rights to send a message" (or CHAT_WRITE_FORBIDDEN) on every send until
# the restriction is lifted: tried again only then (Telegram says so, or it says so when asked at the group's next
# digest time), not every day and at every alert.
RESTRICTED = ("not enough rights to send", "have no rights to send", "chat_write_forbidden", "chat_restricted")
# Refusals that mean the chat is gone for the bot, like a block: it gets nothing until it writes again.
GONE = ("chat not found", "user is deactivated", "bot was kicked", "group chat was deactivated", *RESTRICTED)
# Refusals of a forum topic deleted or closed since a group chose it: the group still reads its General topic.
TOPIC_GONE = ("message thread not found", "topic_deleted", "topic_closed")


def gone_for_the_bot(error: BaseException | None) -> bool:
    """Whether Telegram's refusal says the bot may not write to the chat at all (blocked, removed, restricted)."""
    return isinstance(error, Forbidden) or (
        isinstance(error, BadRequest) and any(reason in str(error).lower() for reason in GONE)
    )


def restricted_for_the_bot(error: BaseException | None) -> bool:
    """Whether Telegram's refusal says only that an admin restricted the bot from sending."""
    return isinstance(error, TelegramError) and any(reason in str(error).lower() for reason in RESTRICTED)


def never_sent(error: BaseException) -> bool:
    """True when a network error proves the request never reached Telegram (no connection was made)."""
    return isinstance(error.__cause__, NOT_SENT)


def retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _counted(endpoint: str, data: dict[str, Any]) -> bool:
    """Whether a request is a message to a chat, which Telegram's flood limits count (reads are not)."""
    return data.get("chat_id") is not None and not endpoint.lower().startswith("get")


def _chat_of(data: dict[str, Any]) -> int | str | None:
    """The chat a request is to as one key, however it is given (42, "42", "@channel"); None for no chat."""
    chat_id = data.get("chat_id")
    if isinstance(chat_id, str):
        try:
            return int(chat_id)
        except ValueError:
            return chat_id
    return chat_id if isinstance(chat_id, int) else None


def _is_group(chat: int | str) -> bool:
    """Whether a chat has a group or channel's own limit (negative ids and @usernames), not a private chat's."""
    return isinstance(chat, str) or chat < 0


async def tried_once(call: Awaitable[T]) -> T:
    """Await `call` with each of its requests tried once, for a caller that tries again itself: run it as a task of
    its own (`asyncio.ensure_future`), which alone the setting holds for."""
    _CALLER_TRIES_AGAIN.set(True)
    return await call


class FloodLimiter(BaseRateLimiter[str]):
    """This process's share of the bot's flood limits, RetryAfter waited out, and network retries for answers only;
    the messages it sends in reply to one being answered are noted for that message's edits (bot.tg.answered)."""

    def __init__(
        self,
        per_second: float,
        group_per_minute: float = GROUP_PER_MINUTE,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.monotonic = monotonic
        self.sleep = sleep
        self.overall = TokenBucket(per_second, burst=max(1.0, per_second), now=monotonic())
        self.group_per_minute = group_per_minute
        self.groups: dict[int | str, TokenBucket] = {}
        # Until when Telegram's RetryAfter holds the requests to a chat, or under None every request (`pause`).
        self.paused: dict[int | str | None, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def rate(self) -> float:
        return self.overall.rate

    def set_rate(self, per_second: float) -> None:
        """Pace at a new share of the bot's messages a second (processes came or went)."""
        self.overall.set_rate(per_second, self.monotonic())
        self.overall.burst = max(1.0, per_second)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> ApiResult:
        fanout = rate_limit_args == FANOUT
        attempt = 1
        while True:
            try:
                result = await self._paced(callback, args, kwargs, endpoint, data)
            except BadRequest:  # a NetworkError subclass, but sending the same request again cannot help
                raise
            except NetworkError as exc:
                if attempt >= SEND_ATTEMPTS or _CALLER_TRIES_AGAIN.get() or (fanout and not never_sent(exc)):
                    raise
                log.warning("%s failed (%s); trying again (%d of %d)", endpoint, exc, attempt + 1, SEND_ATTEMPTS)
                await self.sleep(SEND_BACKOFF_SECONDS * attempt)
                attempt += 1
            else:
                noted(endpoint, result)
                return result

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
    ) -> ApiResult:
        counted = _counted(endpoint, data)
        chat = _chat_of(data)
        retries = 0
        while True:
            if counted and chat is not None and _is_group(chat):
                await self._wait(self._group(chat).reserve(self.monotonic()))
            if counted:
                await self._wait(self.overall.reserve(self.monotonic()))
            while (pause := self._resume_at(chat) - self.monotonic()) > 0:
                await self.sleep(pause)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if retries == RETRY_AFTER_RETRIES:
                    raise
                retries += 1
                self.pause(chat, retry_after_seconds(exc) + RETRY_AFTER_MARGIN, endpoint)

    def _resume_at(self, chat: int | str | None) -> float:
        """When a request to `chat` may go: after its own pause and every request's."""
        return max(self.paused.get(None, 0.0), self.paused.get(chat, 0.0) if chat is not None else 0.0)

    def pause(self, chat: int | str | None, seconds: float, endpoint: str) -> None:
        """Hold the requests to `chat` for `seconds`, as Telegram's RetryAfter asked: a 429 does not say which limit
        was met, a chat's own (a message a second in private, 20 a minute in a group) or the bot's overall 30 a
        second. This process paces its share of the overall one, so it is the chat's, however many chats are
        refused at once: one noisy chat held every other chat's answers for its seconds, and so did a second one
        refused while the first waited. A request to no chat (an inline or callback answer) waits for the bot's
        limit, so every request does."""
        now = self.monotonic()
        self.paused = {key: until for key, until in self.paused.items() if until > now}
        self.paused[chat] = max(self.paused.get(chat, 0.0), now + seconds)
        held = "every request" if chat is None else f"chat {chat}"
        log.info("flood control on %s: %s waits %.1f s", endpoint, held, seconds)

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            await self.sleep(seconds)

    def _group(self, group: int | str) -> TokenBucket:
        bucket = self.groups.get(group)
        if bucket is None:
            now = self.monotonic()
            if len(self.groups) >= GROUP_BUCKETS:
                self.groups = {key: b for key, b in self.groups.items() if not _idle(b, now)}
            bucket = self.groups[group] = TokenBucket(self.group_per_minute / 60, self.group_per_minute, now)
        return bucket


def _idle(bucket: TokenBucket, now: float) -> bool:
    """A bucket that has refilled completely: forgetting it changes nothing."""
    return bucket.tokens + (now - bucket.at) * bucket.rate >= bucket.burst


def rate_limiter(settings: Settings) -> FloodLimiter:
    """The limiter of a new process: the whole budget until the first beat says how many processes share it."""
    return FloodLimiter(settings.max_messages_per_second)


def fanout_outcome(error: TelegramError, number: int, total: int) -> Outcome:
    """What a fan-out send that failed on its `number`-th of `total` messages became."""
    where = f"message {number} of {total}: " if total > 1 else ""
    # Telegram's words for a 403 begin "Forbidden:", which python-telegram-bot keeps: named once.
    kind = "" if str(error).startswith(type(error).__name__) else f"{type(error).__name__}: "
    detail = f"{where}{kind}{error}"[:500]
    if isinstance(error, ChatMigrated):
        # The rest goes to the new id: a digest cut after its first message lost the others, and the group stayed
        # under its old id until its next delivery was refused too.
        return Outcome.migrated(error.new_chat_id, number - 1)
    if isinstance(error, Forbidden | BadRequest):
        if not gone_for_the_bot(error):  # a 400 about the text itself ("can't parse entities")
            return Outcome.rejected(detail)
        return Outcome.failed(detail, blocked=True, restricted=restricted_for_the_bot(error))
    if isinstance(error, RetryAfter | InvalidToken):  # refused: nothing was delivered
        return Outcome.failed(detail)
    if isinstance(error, NetworkError) and never_sent(error):
        return Outcome.failed(f"not sent: {detail}")
    # A timeout, a dropped connection, a 5xx or a garbled answer: it may have reached the reader.
    return Outcome.ambiguous(detail)


# The button under an alert (`fanout_sender`), and what a press of it does (`subscriptions.alerts_off`).
ALERTS_OFF_DATA = "alerts:off"
ALERTS_OFF = InlineKeyboardMarkup([[InlineKeyboardButton("Turn alerts off", callback_data=ALERTS_OFF_DATA)]])


def fanout_sender(bot: ExtBot[Any], on_blocked: Callable[[int], object] = lambda chat_id: None) -> Send:
    """The `send` of bot.services.fanout: a delivery's messages in order, in its forum topic while that is there
    (General once it is not, and the outcome names the topic gone: the fan-out forgets it and tells the group
    once), each error mapped to an `Outcome`."""

    async def send(
        chat_id: int, messages: Sequence[str], topic: int | None, kind: str, rests: Sequence[Rest] = ()
    ) -> Outcome:
        gone = None
        # Under an alert, a button that stops them: a tap on its "/alerts off" sends "/alerts" alone (Telegram links
        # the command, not its word), which replies with the setting and its usage. Above it, one for each
        # category's stories not shown (a tap on "/latest sport 8" sent "/latest" alone too).
        rows = [*rest_buttons(rests), *(ALERTS_OFF.inline_keyboard if kind == ALERT else ())]
        under = InlineKeyboardMarkup(rows) if rows else None
        for number, text in enumerate(messages, 1):
            buttons = under if number == len(messages) else None
            try:
                try:
                    await bot.send_message(
                        chat_id, text, message_thread_id=topic, reply_markup=buttons, rate_limit_args=FANOUT
                    )
                except BadRequest as error:
                    if topic is None or not any(reason in str(error).lower() for reason in TOPIC_GONE):
                        raise
                    # Refused, so nothing went out: General reaches the same group.
                    log.info("chat %d: topic %d refused (%s); sending to General", chat_id, topic, error)
                    gone, topic = topic, None
                    await bot.send_message(chat_id, text, reply_markup=buttons, rate_limit_args=FANOUT)
            except TelegramError as error:
                outcome = replace(fanout_outcome(error, number, len(messages)), topic_gone=gone)
                if outcome.blocked:
                    on_blocked(chat_id)
                # A text Telegram rejected is a bug of ours, which only its operators can mend: not a line among many.
                level = logging.WARNING if outcome.status == REJECTED else logging.INFO
                log.log(level, "delivery to chat %d: %s (%s)", chat_id, outcome.status, outcome.detail)
                return outcome
        return replace(Outcome.sent(), topic_gone=gone)

    return send


async def reply_messages(message: Message, texts: Sequence[str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply with each text in order (texts from `bot.render`, each under Telegram's limit), the last with the
    buttons `markup`."""
    for number, text in enumerate(texts):
        await message.reply_text(text, reply_markup=markup if number == len(texts) - 1 else None)


async def send_messages(
    bot: ExtBot[Any],
    chat_id: int,
    texts: Sequence[str],
    topic: int | None = None,
    reply_to: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send each text to a chat in order, in the forum topic `topic` when given (see `topic_of`), the first as a
    reply to the message `reply_to` when given (sent all the same if that message was deleted meanwhile), the last
    with the buttons `markup`."""
    for number, text in enumerate(texts):
        replying = None if reply_to is None or number else ReplyParameters(reply_to, allow_sending_without_reply=True)
        buttons = markup if number == len(texts) - 1 else None
        await bot.send_message(chat_id, text, message_thread_id=topic, reply_parameters=replying, reply_markup=buttons)


async def show_typing(message: Message) -> None:
    """Show "typing…"; cosmetic, so a failure is logged, never fatal to the answer (a Bot API server without
    sendChatAction answers 404, which python-telegram-bot raises as InvalidToken)."""
    try:
        await message.reply_chat_action(ChatAction.TYPING)
    except TelegramError as exc:
        log.debug("could not show typing in chat %s: %s", message.chat.id, exc)


def topic_of(message: MaybeInaccessibleMessage | None) -> int | None:
    """The forum topic a message is in, for sends that answer it: without it they land in the forum's General.
    None outside topics (in a plain group's reply chain the thread id is no topic, and Telegram refuses it)."""
    return message.message_thread_id if isinstance(message, Message) and message.is_topic_message else None


def chat_of(query: CallbackQuery) -> int:
    """The chat a pressed button is in (its message may be too old to be sent along: then the presser's)."""
    return query.message.chat.id if query.message else query.from_user.id
