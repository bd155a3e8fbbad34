"""The order updates are handled in: one chat's one after another, as they came; different chats' at once.

python-telegram-bot's `concurrent_updates(True)` handles every update at once, so a reader's "/unsubscribe all"
then "/subscribe sport", sent back to back, could be applied interleaved and answered in reverse order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates handled at once, as many as python-telegram-bot's `concurrent_updates(True)`.
MAX_CONCURRENT_UPDATES = 256


@dataclass
class Turns:
    """A chat's updates being handled: the lock they take in turn, and how many of them hold it or wait."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class ChatOrder(BaseUpdateProcessor):
    """Each chat's updates in turn, in the order they came; other chats', and updates of no chat (inline
    queries), meanwhile."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # Only chats with an update in hand: a chat's entry goes with its last update.
        self.chats: dict[int, Turns] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        # Nothing is awaited before the lock is asked for, so a chat's updates queue for it in the order they came.
        turns = self.chats.setdefault(chat.id, Turns())
        turns.waiting += 1
        try:
            async with turns.lock:
                await coroutine
        finally:
            turns.waiting -= 1
            if not turns.waiting:
                del self.chats[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to close."""
