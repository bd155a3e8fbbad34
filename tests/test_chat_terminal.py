"""`newsbot chat` at a real terminal (a pseudo-terminal): how a person leaves it."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.terminal_chat import GOODBYE, INTERRUPTED, INTRO
from tests.test_bot_e2e import newsbot_env

# Generous: the chat loads its index and model first, and the 2-core machine is shared.
DEADLINE_SECONDS = 240

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


class Terminal:
    """The terminal side of a pseudo-terminal a `newsbot chat` process reads and writes."""

    def __init__(self, fd: int, process: subprocess.Popen[bytes]) -> None:
        self.fd, self.process, self.shown = fd, process, ""

    def wait_for(self, text: str) -> None:
        """Read what the chat shows until `text` is among it (or the deadline passes, which fails)."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while text not in self.shown and (left := deadline - time.monotonic()) > 0:
            if select.select([self.fd], [], [], min(left, 1.0))[0]:
                try:
                    self.shown += os.read(self.fd, 65536).decode(errors="replace")
                except OSError:  # the chat closed its side: nothing more will come
                    break
        assert text in self.shown, f"{text!r} not shown: {self.shown[-2000:]!r}"

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def exit_code(self) -> int:
        return self.process.wait(timeout=DEADLINE_SECONDS)


@contextmanager
def chat_at_a_terminal(tmp_path: Path) -> Iterator[Terminal]:
    main, replica = pty.openpty()
    env = newsbot_env(tmp_path, NEWSBOT_SEMANTIC="off")
    env.pop("TELEGRAM_BOT_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"], stdin=replica, stdout=replica, stderr=replica, cwd=tmp_path, env=env
    )
    os.close(replica)
    try:
        yield Terminal(main, process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)


def test_ctrl_d_says_goodbye_and_exits_0(tmp_path: Path) -> None:
    """Ctrl-D left the chat without a word, the shell's prompt coming back as if it had crashed."""
    with chat_at_a_terminal(tmp_path) as terminal:
        terminal.wait_for(INTRO[:40])
        terminal.type("\x04")  # the terminal's end of input, at the start of a line
        terminal.wait_for(GOODBYE)
        assert terminal.exit_code() == 0


def test_ctrl_c_says_goodbye_on_a_line_of_its_own_and_exits_130(tmp_path: Path) -> None:
    """Ctrl-C left the chat silently (exit 130), the shell's prompt after the terminal's "^C"."""
    with chat_at_a_terminal(tmp_path) as terminal:
        terminal.wait_for(INTRO[:40])
        terminal.process.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C
        terminal.wait_for(GOODBYE)
        assert terminal.exit_code() == INTERRUPTED


def test_a_question_is_edited_and_recalled_with_the_arrow_keys_as_in_a_shell(tmp_path: Path) -> None:
    """At a terminal the chat read stdin as it is: the up arrow showed "^[[A" and was sent as the question, and a
    typo could be mended only by deleting back to it."""
    with chat_at_a_terminal(tmp_path) as terminal:
        terminal.wait_for(INTRO[:40])
        terminal.type("Who won the chess tile?\x1b[D\x1b[D\x1b[Dt\r")  # left three times: "tile" mended to "title"
        terminal.wait_for("Chess Prodigy Wins National Title")
        terminal.wait_for("Full article")
        terminal.shown = ""
        terminal.type("\x1b[A\r")  # the question again, as the up arrow recalls it
        terminal.wait_for("Chess Prodigy Wins National Title")
        terminal.type("\x04")
        terminal.wait_for(GOODBYE)
        assert terminal.exit_code() == 0
