"""The bot's reply to each question asked lately in this process, so the answer to an edited question replaces it.

A reader who fixes a typo in a question reads the answer to the fixed one where the first answer was: answered anew,
the chat kept both, the first one (often "No article uses the word “chezz”") above, answering nothing asked now.
A reply sent by another process, or forgotten (the oldest past ANSWERS_REMEMBERED, or a restart), is not known
here: the edit is answered anew, as before.
"""

from __future__ import annotations

from collections import OrderedDict

from telegram import Message

# Questions whose replies are remembered (the newest); an edit mostly comes within a minute of its question.
ANSWERS_REMEMBERED = 10_000


class Answered:
    """The reply the bot sent lately to each question (by its chat and message), newest remembered."""

    def __init__(self, size: int = ANSWERS_REMEMBERED) -> None:
        self.size = size
        self._replies: OrderedDict[tuple[int, int], int] = OrderedDict()

    def reply_to(self, question: Message) -> int | None:
        """The id of the bot's reply to `question`, if this process sent it and remembers it."""
        return self._replies.get((question.chat_id, question.message_id))

    def replied(self, question: Message, reply: Message) -> None:
        """Remember `reply` as the bot's reply to `question`."""
        place = (question.chat_id, question.message_id)
        self._replies[place] = reply.message_id
        self._replies.move_to_end(place)
        while len(self._replies) > self.size:
            self._replies.popitem(last=False)
