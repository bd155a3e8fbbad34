"""The bot's replies to messages it answered lately (see `schema.question_replies`): an edit of a message puts the
reply to its new text in their place, whichever process sent them.

Writing a message's replies replaces those kept for it, in one transaction; rows older than `keep` are deleted first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, delete, insert, select

from bot.store.schema import question_replies


def _of(bot_id: int, chat_id: int, message_id: int) -> ColumnElement[bool]:
    table = question_replies.c
    return (table.bot_id == bot_id) & (table.chat_id == chat_id) & (table.message_id == message_id)


def of_message(connection: Connection, bot_id: int, chat_id: int, message_id: int) -> tuple[int, ...]:
    """The bot's replies to a message, in the order sent (none known: empty)."""
    table = question_replies.c
    query = select(table.reply_id).where(_of(bot_id, chat_id, message_id)).order_by(table.reply_id)
    return tuple(connection.scalars(query))


def replace(
    connection: Connection,
    bot_id: int,
    chat_id: int,
    message_id: int,
    replies: Sequence[int],
    now: datetime,
    keep: timedelta,
) -> None:
    """Keep `replies` as the bot's replies to a message, in place of those kept before."""
    connection.execute(delete(question_replies).where(question_replies.c.replied_at < now - keep))
    connection.execute(delete(question_replies).where(_of(bot_id, chat_id, message_id)))
    rows = [
        {"bot_id": bot_id, "chat_id": chat_id, "message_id": message_id, "reply_id": reply, "replied_at": now}
        for reply in dict.fromkeys(replies)
    ]
    if rows:
        connection.execute(insert(question_replies), rows)
