"""Full articles sent lately (see `schema.article_sends`): a press of "Full article" claims its send here, so a
second press soon after sends nothing more, whichever process handles it; a /latest list's "More" claims its page
here for as long as rows are kept.

A row is a send within the window its press gave: the insert, or its update of a row older than that window, is
the one statement that decides (of two presses at once, the unique key lets one write the row). Rows older than
`KEPT` are deleted first, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete

from bot.store.schema import article_sends
from bot.store.upsert import upsert

KEY = ("chat_id", "button", "article_id")
# How long a claim is kept, the longest window a press may give: a /latest list's "More" claims its page for this
# long. Pruned at the Full article's 10 minutes, a More pressed an hour on sent its page again, below the first.
KEPT = timedelta(days=30)


def claim(
    connection: Connection,
    chat_id: int,
    button: str,
    article_id: str,
    update_id: int,
    now: datetime,
    window: timedelta,
) -> bool:
    """Claim the send of an article at `now` for the press that is update `update_id`; False if another press's
    send went out (or is going out) less than `window` before.

    The claim of this very update is taken again: its process was killed while handling it and the next one handles
    it again, whose send the kill may have cut short. The article then goes out (twice if the kill came after it
    did, which beats never: that press was told the article is above, and it was not)."""
    connection.execute(delete(article_sends).where(article_sends.c.sent_at <= now - KEPT))
    row = {"chat_id": chat_id, "button": button, "article_id": article_id, "update_id": update_id, "sent_at": now}
    lapsed = article_sends.c.sent_at <= now - window
    return upsert(
        connection, article_sends, row, KEY, ["sent_at", "update_id"], (article_sends.c.update_id == update_id) | lapsed
    )


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
