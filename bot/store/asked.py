"""Questions answered lately, by message (see `schema.asked_questions`): an edit of a message is answered only if
it changes the question, whichever process answered the message and whichever gets the edit; and a new message
repeating a question sent before the answer to it came is not answered again (an impatient reader, a double tap).

One statement decides: the insert, or on a clash the update made only when the question changed (or when the same
update is handled again); a row written or changed is an answer to give. A repeat is read first and written not at
all. Rows older than `keep` are deleted first, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, select

from bot.models import short_hash
from bot.store.schema import asked_questions, question_replies
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
    the question it was answered for, and for a new message repeating one answered after it was sent (`repeated`)."""
    connection.execute(delete(asked_questions).where(asked_questions.c.asked_at < now - keep))
    digest = short_hash(question)
    if not edited and repeated(connection, bot_id, chat_id, message_id, digest):
        return False
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


def repeated(connection: Connection, bot_id: int, chat_id: int, message_id: int, digest: str) -> bool:
    """Whether an earlier message of the chat asked the question of hash `digest` and its answer was sent after
    message `message_id`: the same question sent three times in a few seconds got three answers, where its reader
    waited for one. A chat numbers its messages upwards, the bot's replies among them, so the repeat came before the
    answer's first reply; one sent after it (the answer read, or scrolled away) is answered again. An earlier
    message no reply is kept for (its answer failed, or the store could not keep it) answers nothing: the repeat is
    answered."""
    asked, replied = asked_questions.c, question_replies.c
    first_reply = (
        select(func.min(replied.reply_id))
        .where((replied.bot_id == asked.bot_id) & (replied.chat_id == asked.chat_id))
        .where(replied.message_id == asked.message_id)
        .scalar_subquery()
    )
    query = (
        select(asked.message_id)
        .where((asked.bot_id == bot_id) & (asked.chat_id == chat_id) & (asked.question_hash == digest))
        .where((asked.message_id < message_id) & (first_reply > message_id))
        .limit(1)
    )
    return connection.execute(query).first() is not None
