"""Which bot processes are running: each beats in the store's `workers` table, so every process knows how many
share the flood budget (bot.services.budget) and whose unfinished claims belong to a process that is gone
(bot.services.deliveries).

A process is alive while it beat within `LIVE_FOR`. On the same host a process whose pid no longer runs is dead
at once, so a bot restarted after a kill -9 finishes its predecessor's fan-out without waiting. A wrong verdict
("dead" for a process that only stalled) costs no duplicate: claims are fenced by their claimer's id in the
database (bot.store.deliveries), so a stalled process can neither start nor record what another took over.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from bot.index.aside import pid_running
from bot.store import Store, Worker

# How long without a beat before a process counts as gone (it beats every NEWSBOT_BEAT_SECONDS, 10 s at most).
LIVE_FOR = timedelta(seconds=35)
# Rows of processes gone this long are deleted (their claims were settled long before).
FORGET_AFTER = timedelta(days=1)


def this_process(now: datetime) -> Worker:
    """A new identity for this process: a start gets an id of its own, so a restart never inherits old claims."""
    host = socket.gethostname()
    pid = os.getpid()
    return Worker(f"{host[:30]}:{pid}:{uuid.uuid4().hex[:12]}", host, pid, now, now)


class Presence:
    """This process's beat, and the liveness of the others."""

    def __init__(self, store: Store, me: Worker) -> None:
        self.store = store
        self.me = me
        self.live: list[Worker] = [me]

    @classmethod
    def join(cls, store: Store, now: datetime) -> Presence:
        presence = cls(store, this_process(now))
        presence.beat(now)
        return presence

    @property
    def worker_id(self) -> str:
        return self.me.worker_id

    def beat(self, now: datetime) -> int:
        """Say this process is alive; returns how many processes are (this one included)."""
        seen = self.store.beat(self.me, now, now - LIVE_FOR, now - FORGET_AFTER)
        self.live = [w for w in seen if self.alive(w, now)]
        return max(1, len(self.live))

    def alive(self, worker: Worker | None, now: datetime) -> bool:
        """Whether the process behind a claim is still running (None: a process no longer in the table)."""
        if worker is None:
            return False
        if worker.worker_id == self.me.worker_id:
            return True
        if worker.seen_at < now - LIVE_FOR:
            return False
        return not (worker.host == self.me.host and (worker.pid == self.me.pid or not pid_running(worker.pid)))

    def leave(self) -> None:
        """Leave the table on a clean stop, so the others' shares grow at once."""
        self.store.leave(self.me.worker_id)
