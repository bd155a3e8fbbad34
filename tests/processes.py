"""Helpers for tests where real newsbot processes meet."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import create_engine

from bot.config import Settings


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a newsbot process working on the same data directory and store as `settings`."""
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(settings.data_dir),
        "NEWSBOT_CORPUS_DIR": str(settings.corpus_dir),
        "DATABASE_URL": settings.database_url,
        "NEWSBOT_ENGINE": settings.engine,
        "NEWSBOT_CACHE_DIR": str(settings.cache_dir),
        **extra,
    }
    return {k: v for k, v in env.items() if v != ""}


def newsbot(
    settings: Settings, *args: str, env: Mapping[str, str] | None = None, **popen: object
) -> subprocess.Popen[str]:
    """Start `newsbot ARGS...` as a real process on `settings`' data (`env`: more variables)."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "bot", *args],
        env=process_env(settings, **(env or {})),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now (for a webhook's web server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def table_locked(database_url: str, table: str) -> Iterator[None]:
    """PostgreSQL's `table` locked inside the block against every other use, reads too: a process reading it waits
    there (newsbot sets no lock timeout on reads), as a store slow to answer keeps a long index build going."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        engine.dispose()
