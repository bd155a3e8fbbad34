"""Questions answered lately, by message (see `schema.asked_questions`): an edit of a message is answered only if
it changes the question, whichever process answered the message and whichever gets the edit.

One statement decides: the insert, or on a clash the update made only when the question changed (or when the same
update is handled again); a row written or changed is an answer to give. Rows older than `keep` are deleted first,
in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete

from bot.models import short_hash
from bot.store.schema import asked_questions
from bot.store.upsert import upsert

KEY = ("bot_id", "chat_id", "message_id")
UPDATED = ("question_hash", "update_id", "asked_at")


def claim(
    connection: Connection,
    bot_id: int,
    chat_id: int,
    message_id: int,
    update_id: int,
    question: str,
    edited: bool,
    now: datetime,
    keep: timedelta,
) -> bool:
    """Claim the answer to the question a message asks (`edited`: in an edit of it); False for an edit that leaves
    the question it was answered for."""
    connection.execute(delete(asked_questions).where(asked_questions.c.asked_at < now - keep))
    digest = short_hash(question)
    row = {
        "bot_id": bot_id,
        "chat_id": chat_id,
        "message_id": message_id,
        "question_hash": digest,
        "update_id": update_id,
        "asked_at": now,
    }
    # A new message always answers: one of the same id before is another message (a Bot API server started again
    # numbers them anew), as Telegram delivering one again is the received journal's to know.
    changed = (asked_questions.c.question_hash != digest) | (asked_questions.c.update_id == update_id)
    return upsert(connection, asked_questions, row, KEY, UPDATED, changed if edited else None)
