"""Running bot processes: each beats here now and then, so the others know how many share the flood budget and
whose unfinished claims belong to a process that is gone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select

from bot.store.schema import workers
from bot.store.upsert import upsert


@dataclass(frozen=True)
class Worker:
    """One running process: an id of its own per start, and where it runs."""

    worker_id: str
    host: str
    pid: int
    started_at: datetime
    seen_at: datetime


def beat(connection: Connection, worker: Worker, now: datetime) -> None:
    row = {
        "worker_id": worker.worker_id,
        "host": worker.host,
        "pid": worker.pid,
        "started_at": worker.started_at,
        "seen_at": now,
    }
    upsert(connection, workers, row, ["worker_id"], ["seen_at"])


def seen_since(connection: Connection, since: datetime) -> list[Worker]:
    rows = connection.execute(select(workers).where(workers.c.seen_at >= since).order_by(workers.c.worker_id))
    return [Worker(row.worker_id, row.host, row.pid, row.started_at, row.seen_at) for row in rows]


def all_workers(connection: Connection) -> dict[str, Worker]:
    rows = connection.execute(select(workers))
    return {row.worker_id: Worker(row.worker_id, row.host, row.pid, row.started_at, row.seen_at) for row in rows}


def leave(connection: Connection, worker_id: str) -> None:
    connection.execute(delete(workers).where(workers.c.worker_id == worker_id))


def prune(connection: Connection, before: datetime) -> None:
    connection.execute(delete(workers).where(workers.c.seen_at < before))
