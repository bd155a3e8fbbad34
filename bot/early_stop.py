"""SIGTERM heard while newsbot loads, kept for the command's own handling of it to honour.

Python ends a process at SIGTERM by default, without a word: a process stopped in its first seconds (importing its
modules, reading its settings: 3 to 5 s on a loaded machine) died by the signal and said nothing, where a moment
later it would have said "interrupted" (exit 130) or, `run`, stopped cleanly (exit 0). bench/soak.py's stops met
that window in 9 of 38 SIGTERMs. `listen` is the first thing `newsbot` does; the command's own handling asks
`heard` as it begins.
"""

from __future__ import annotations

import signal

_heard: list[int] = []


def listen() -> None:
    """Keep a SIGTERM from now on, until a command installs its own handling."""
    signal.signal(signal.SIGTERM, lambda number, frame: _heard.append(number))


def heard() -> bool:
    """Whether a SIGTERM came before the command's own handling began."""
    return bool(_heard)
