"""Helpers for tests where real newsbot processes meet."""

from __future__ import annotations

import os
import random
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import IO

from sqlalchemy.engine import make_url

from bot.config import Settings

# How a PostgreSQL client's request to cancel a statement begins: its length (16) and its code (1234 5678).
CANCEL_REQUEST = struct.pack("!ii", 16, 80877102)


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a newsbot process working on the same data directory and store as `settings`."""
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(settings.data_dir),
        "NEWSBOT_CORPUS_DIR": str(settings.corpus_dir),
        "DATABASE_URL": settings.database_url,
        "NEWSBOT_ENGINE": settings.engine,
        "NEWSBOT_CACHE_DIR": str(settings.cache_dir),
        "NEWSBOT_PAGE_GAP_SECONDS": str(settings.page_gap_seconds),
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


# Below the kernel's ephemeral ports (Linux: 32768-60999): a port it hands out for a bind to port 0 is one another
# test's outgoing connection may take before the webhook's process listens on it ("Address already in use", seen
# once in a suite run at a load of 20).
LISTEN_PORTS = range(10_000, 32_768)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now (for a webhook's web server), outside the ephemeral range."""
    for port in random.sample(LISTEN_PORTS, 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {LISTEN_PORTS}")


@contextmanager
def over_tcp(
    database_url: str,
    hold_after: bytes = b"",
    released: threading.Event | None = None,
    holding: threading.Event | None = None,
) -> Iterator[str]:
    """`database_url` (a PostgreSQL on a Unix socket, as pgserver's) reached on a TCP port of 127.0.0.1 instead, the
    bytes relayed as they are: a real server without SSL, which libpq asks about SSL only over TCP. `hold_after`:
    once a client sends a statement holding these bytes, the server's replies on that connection are held back until
    `released` is set, a client cancels a statement (as Ctrl-C does: a server answers a statement it cancels) or the
    block ends, so the client waits for them meanwhile (a table's lock would end its wait after
    `ANSWER_WAIT_SECONDS`, maybe before a busy test's next step). `holding` is set once a statement's replies are
    held (a test then knows its process waits)."""
    url = make_url(database_url)
    socket_path = f"{url.query['host']}/.s.PGSQL.{url.port or 5432}"
    listener = socket.create_server(("127.0.0.1", 0))
    ended = released or threading.Event()

    def pump(source: socket.socket, target: socket.socket, held: threading.Event, replies: bool) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                if replies and held.is_set():
                    ended.wait()
                elif not replies and CANCEL_REQUEST in data:
                    ended.set()
                elif not replies and hold_after and hold_after in data:
                    held.set()  # before the statement goes: its reply is held
                    if holding is not None:
                        holding.set()
                target.sendall(data)
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def serve() -> None:
        with suppress(OSError):  # the listener closed: the test is over
            while True:
                client, _ = listener.accept()
                server = socket.socket(socket.AF_UNIX)
                server.connect(socket_path)
                held = threading.Event()
                for ends in ((client, server, held, False), (server, client, held, True)):
                    threading.Thread(target=pump, args=ends, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield (
            url.difference_update_query(["host"])
            .set(host="127.0.0.1", port=listener.getsockname()[1])
            .render_as_string(hide_password=False)
        )
    finally:
        ended.set()
        listener.close()


class Collected:
    """The lines a process's pipe gives, read in a thread as they come: a test waits for a line in its log while it
    runs (where a sleep hoped it had come), and reads the whole once the process ended."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(stream), daemon=True)
        self._reader.start()

    def holds(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def text(self, timeout: float = 60) -> str:
        """Everything, once the pipe is closed (its process ended)."""
        self._reader.join(timeout)
        assert not self._reader.is_alive(), "the pipe is still open"
        return "".join(self.lines)
