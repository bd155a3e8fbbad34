"""Fetching updates by long polling: an update python-telegram-bot cannot read is said once in the log and passed.

python-telegram-bot 22 reads a getUpdates batch whole (`Update.de_list`): one update it cannot read (a field
missing, or of another type than it expects) failed the batch, which its Updater logged as critical and fetched
again from the same offset, forever; no update after it was answered."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

# How much of an unreadable update the log shows.
LOGGED_CHARS = 500


def readable(update: dict[str, Any]) -> dict[str, Any]:
    """The update as it came, or, when python-telegram-bot cannot read it, its id alone: an update of nothing,
    which the Updater confirms with the others and no handler takes."""
    try:
        Update.de_json(update, None)
    except Exception:
        shown = repr(update)[:LOGGED_CHARS]
        log.warning("passing over update %s, which cannot be read: %s", update.get("update_id"), shown, exc_info=True)
        return {"update_id": update["update_id"]}
    return update


class UpdatesRequest(HTTPXRequest):
    """The HTTP client the bot fetches its updates with (getUpdates alone: `get_updates_request`)."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        answer = HTTPXRequest.parse_json_payload(payload)
        if isinstance(updates := answer.get("result"), list):
            answer["result"] = [readable(update) for update in updates]
        return answer
