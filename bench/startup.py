"""How long a one-off command takes to start: `import bot.cli`, and `newsbot stats`, `latest` and `remove` of an
unknown id, each the least CPU time (user + system) of N runs in fresh processes, as wall times mean little on
cores shared with other work. `stats` runs with the semantic stage on and off, to show what opening it costs.

The library is a new data directory holding the shipped article (made once, untimed), or `--data-dir` one's.

    python bench/startup.py [--runs 5] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from common import markdown_table

NEWSBOT = [sys.executable, "-m", "bot"]
# An id no article has: `remove` looks it up and says so (exit 1).
UNKNOWN_ID = "0000000000000000"


def timed(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one run of `command` in a process of its own."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed (exit {os.waitstatus_to_exitcode(status)})")
    return usage.ru_utime + usage.ru_stime, wall


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command; the least CPU time is shown (5)")
    parser.add_argument("--data-dir", type=Path, help="the library to open (default: a new one, the shipped article)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbot-startup-") as scratch:
        data = args.data_dir or Path(scratch) / "data"
        env = {**os.environ, "NEWSBOT_DATA_DIR": str(data)}
        if args.data_dir is None:
            subprocess.run([*NEWSBOT, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        off = {**env, "NEWSBOT_SEMANTIC": "off"}
        cases = [
            ("import bot.cli", [sys.executable, "-c", "import bot.cli"], env),
            ("newsbot stats", [*NEWSBOT, "stats"], env),
            ("newsbot stats (NEWSBOT_SEMANTIC=off)", [*NEWSBOT, "stats"], off),
            ("newsbot latest", [*NEWSBOT, "latest"], env),
            ("newsbot remove (an unknown id)", [*NEWSBOT, "remove", UNKNOWN_ID], env),
        ]
        rows = []
        for name, command, environment in cases:
            runs = [timed(command, environment) for _ in range(args.runs)]
            cpu = [c for c, _wall in runs]
            rows.append(
                [
                    name,
                    f"{min(cpu):.2f}",
                    f"{statistics.median(cpu):.2f}",
                    f"{statistics.median(w for _cpu, w in runs):.2f}",
                ]
            )
    print(f"{args.runs} runs each; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print(markdown_table(["command", "least CPU s", "median CPU s", "median wall s"], rows))


if __name__ == "__main__":
    main()
