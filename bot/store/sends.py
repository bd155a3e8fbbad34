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


def claim(
    connection: Connection,
    chat_id: int,
    button: str,
    article_id: str,
    now: datetime,
    window: timedelta,
    own_since: datetime | None = None,
) -> bool:
    """Claim the send of an article at `now`; False if it was sent (or is being sent) less than `window` before.

    `own_since`: the press is handled again, its process killed while handling it, and was received then. A claim
    made since is its own, whose send the kill may have cut short: taken again, the article goes out (twice if the
    kill came after it did, which beats never: that press was told the article is above, and it was not)."""
    connection.execute(delete(article_sends).where(article_sends.c.sent_at <= now - window))
    row = {"chat_id": chat_id, "button": button, "article_id": article_id, "sent_at": now}
    if own_since is None:
        return upsert(connection, article_sends, row, KEY, [])
    return upsert(connection, article_sends, row, KEY, ["sent_at"], article_sends.c.sent_at >= own_since)


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
