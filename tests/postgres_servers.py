"""The tests' own PostgreSQL servers (pgserver), which stop with the process that started them however it ends.

Light to import (no newsbot module): tests/test_store_outage.py starts one in a process it then kills.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
from pathlib import Path

# The variable naming the session's cache (tests/conftest.py sets it, the processes the tests start inherit it). Not
# NEWSBOT_...: newsbot warns of every such variable it does not know.
SESSION_CACHE = "PYTEST_NEWSBOT_SESSION_CACHE"

# Waits for its stdin to close, which happens only when the process holding the pipe's other end is gone (a killed
# pytest worker included: no Python runs at a SIGKILL, so no atexit does), then stops the server at once (SIGQUIT:
# PostgreSQL's immediate shutdown) and removes its data once it is gone. Its own session: a signal to the worker's
# process group leaves it to do its work.
_WATCHDOG = 'read -r _; kill -QUIT "$1" 2>/dev/null; while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; rm -rf "$2"'


def new_pgdata(prefix: str) -> Path:
    """A new PostgreSQL data directory for `pgserver.get_server`, as a copy of one `initdb` made once per session
    (on a busy 2-core machine initdb took 6-7 s, 1.1-1.6 s of it CPU; a copy, a start and a stop 0.4 s). Not under
    pytest's tmp_path: another pytest run on the machine may prune those while the server runs."""
    import pgserver

    template = Path(os.environ[SESSION_CACHE]) / "pgdata"
    with (Path(os.environ[SESSION_CACHE]) / "pgdata.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / "PG_VERSION").exists():
            template.mkdir(exist_ok=True)
            pgserver.get_server(template, cleanup_mode="stop").cleanup()
            (template / "log").unlink()
            # Commits and checkpoints not flushed to the disk (what a power cut would lose; a killed server loses
            # nothing the kernel holds): each test's CREATE DATABASE and every commit waited for fsync.
            with (template / "postgresql.conf").open("a") as conf:
                conf.write("fsync = off\n")
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    # `cp -a` keeps the files' owner: run as root, pgserver runs PostgreSQL as a user of its own.
    subprocess.run(["cp", "-a", f"{template}/.", str(directory)], check=True)
    return directory


class Server:
    """A pgserver server on `directory`, stopped by `stop` or, if this process dies first, by a watchdog (servers
    of killed pytest workers were found running hours later, each holding its memory and its RAM-disk data)."""

    def __init__(self, directory: Path) -> None:
        import pgserver

        self.directory = directory
        self.server = pgserver.get_server(directory, cleanup_mode="stop")
        self.watchdog = subprocess.Popen(
            ["sh", "-c", _WATCHDOG, "watchdog", str(self.server.get_pid()), str(directory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def uri(self) -> str:
        return str(self.server.get_uri())

    def stop(self) -> None:
        """Stop the server as pgserver does (a clean shutdown), its data kept; the watchdog goes first, so that it
        never signals the pid of a server that has gone."""
        self.watchdog.kill()
        self.watchdog.wait()
        assert self.watchdog.stdin is not None
        self.watchdog.stdin.close()
        self.server.cleanup()
