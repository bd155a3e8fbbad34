"""Full articles sent lately (see `schema.article_sends`): a press of "Full article" claims its send here, so a
second press soon after sends nothing more, whichever process handles it.

A row is a send within the window: rows older than it are deleted first, in the same transaction, so the insert
that follows is the one statement that decides (of two presses at once, the unique key lets one write the row).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete

from bot.store.schema import article_sends
from bot.store.upsert import upsert

KEY = ("chat_id", "button", "article_id")


def claim(connection: Connection, chat_id: int, button: str, article_id: str, now: datetime, window: timedelta) -> bool:
    """Claim the send of an article at `now`; False if it was sent (or is being sent) less than `window` before."""
    connection.execute(delete(article_sends).where(article_sends.c.sent_at <= now - window))
    row = {"chat_id": chat_id, "button": button, "article_id": article_id, "sent_at": now}
    return upsert(connection, article_sends, row, KEY, [])


def release(connection: Connection, chat_id: int, button: str, article_id: str, claimed_at: datetime) -> None:
    """Forget a claim whose send failed, so a press again sends; a claim made since (another press) is kept."""
    connection.execute(
        delete(article_sends).where(
            (article_sends.c.chat_id == chat_id)
            & (article_sends.c.button == button)
            & (article_sends.c.article_id == article_id)
            & (article_sends.c.sent_at == claimed_at)
        )
    )
