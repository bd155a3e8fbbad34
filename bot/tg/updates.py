"""Reading the updates Telegram sends, fetched by long polling or posted to the webhook: one python-telegram-bot
cannot read (a field missing, or of another type than it expects) is said once in the log, in one line, and passed.

Polling: python-telegram-bot 22 reads a getUpdates batch whole (`Update.de_list`): one such update failed the batch,
which its Updater logged as critical and fetched again from the same offset, forever; no update after it was
answered. Webhook (bot.tg.webhook): its server answered such an update 400, and Telegram delivers again what gets no
2xx."""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Bot, Update
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

# How much of an unreadable update the log shows.
LOGGED_CHARS = 500


def read_update(payload: object, bot: Bot | None) -> Update | None:
    """The update python-telegram-bot reads from `payload` (decoded JSON), or None, said in the log, when it cannot."""
    try:
        if not isinstance(payload, dict):
            raise TypeError(f"an update is a JSON object, not {type(payload).__name__}")
        return Update.de_json(payload, bot)
    except Exception as exc:
        update_id = payload.get("update_id") if isinstance(payload, dict) else None
        named = "an update without update_id" if update_id is None else f"update {update_id}"
        log.warning(
            "passing over %s, which cannot be read (%s: %s): %s",
            named,
            type(exc).__name__,
            exc,
            repr(payload)[:LOGGED_CHARS],
        )
        return None


def readable(update: dict[str, Any]) -> dict[str, Any]:
    """A polled update as it came, or, when python-telegram-bot cannot read it, its id alone: an update of nothing,
    which the Updater confirms with the others and no handler takes."""
    return update if read_update(update, None) is not None else {"update_id": update["update_id"]}


def read_body(body: bytes, bot: Bot | None) -> Update | None:
    """The update a webhook request carries, or None, said in the log, when it is none python-telegram-bot reads."""
    try:
        payload = json.loads(body)
    except ValueError as exc:  # a UnicodeDecodeError too
        log.warning("passing over a webhook request that is not JSON (%s): %r", exc, body[:LOGGED_CHARS])
        return None
    return read_update(payload, bot)


class UpdatesRequest(HTTPXRequest):
    """The HTTP client the bot fetches its updates with (getUpdates alone: `get_updates_request`)."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        answer = HTTPXRequest.parse_json_payload(payload)
        if isinstance(updates := answer.get("result"), list):
            answer["result"] = [readable(update) for update in updates]
        return answer
