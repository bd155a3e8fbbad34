"""Sending: the rate limiter every request passes through, and helpers that send several messages in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import CallbackQuery, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, ExtBot

from bot.config import Settings

log = logging.getLogger(__name__)

ApiResult = bool | dict[str, Any] | list[dict[str, Any]]

# Sends cut off by a timeout or a dropped connection are tried this often in all (a late duplicate beats a loss).
SEND_ATTEMPTS = 3
SEND_BACKOFF_SECONDS = 0.5
RETRY_AFTER_RETRIES = 3


class RetryingRateLimiter(AIORateLimiter):
    """Flood limits and `RetryAfter` as `AIORateLimiter`, and sends retried after a timeout or network error."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> ApiResult:
        attempt = 1
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:  # a NetworkError subclass, but sending the same request again cannot help
                raise
            except NetworkError as exc:
                if attempt >= SEND_ATTEMPTS:
                    raise
                log.warning("%s failed (%s); trying again (%d of %d)", endpoint, exc, attempt + 1, SEND_ATTEMPTS)
                await asyncio.sleep(SEND_BACKOFF_SECONDS * attempt)
                attempt += 1


def rate_limiter(settings: Settings) -> RetryingRateLimiter:
    return RetryingRateLimiter(
        overall_max_rate=settings.max_messages_per_second, overall_time_period=1, max_retries=RETRY_AFTER_RETRIES
    )


async def reply_messages(message: Message, texts: Sequence[str]) -> None:
    """Reply with each text in order (texts from `bot.render`, each under Telegram's limit)."""
    for text in texts:
        await message.reply_text(text)


async def send_messages(bot: ExtBot[Any], chat_id: int, texts: Sequence[str]) -> None:
    """Send each text to a chat in order."""
    for text in texts:
        await bot.send_message(chat_id, text)


async def show_typing(message: Message) -> None:
    """Show "typing…"; cosmetic, so a failure is logged, never fatal to the answer."""
    try:
        await message.reply_chat_action(ChatAction.TYPING)
    except (BadRequest, NetworkError) as exc:
        log.debug("could not show typing in chat %s: %s", message.chat.id, exc)


def chat_of(query: CallbackQuery) -> int:
    """The chat a pressed button is in (its message may be too old to be sent along: then the presser's)."""
    return query.message.chat.id if query.message else query.from_user.id
