"""Where a test run's CPU goes: each test's CPU time with that of the processes it started and waited for.

pytest's `--durations` gives wall times, which on shared cores say more of the load than of the test. As a plugin,
each worker writes one line a test (setup, call and teardown together): its own CPU (user + system) and its reaped
children's (the `newsbot` processes it ran). A server it started and did not wait for (pgserver's PostgreSQL) is
not counted, and a worker's first test carries the session's fixtures it was the first to need (the word pieces'
distillation, about 30 s, in the first worker to get its lock; the worker's PostgreSQL). Then, as a script, the
dearest tests and files of the run.

    CPU_PER_TEST=/tmp/run .venv/bin/python -m pytest -n 3 -p bench.cpu_per_test
    python bench/cpu_per_test.py /tmp/run [--top 25]

(Loaded as bench.cpu_per_test from the checkout's root, not with PYTHONPATH=bench: bench/encodings.py would hide
Python's own `encodings` from every process the tests start.)
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections import defaultdict
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

OUT = "CPU_PER_TEST"


class Spent(NamedTuple):
    test: str
    own: float
    children: float
    wall: float

    @property
    def cpu(self) -> float:
        return self.own + self.children


_spent: list[Spent] = []


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    own, children = _cpu()
    started = time.perf_counter()
    yield
    own_after, children_after = _cpu()
    _spent.append(Spent(item.nodeid, own_after - own, children_after - children, time.perf_counter() - started))


def pytest_sessionfinish() -> None:
    if not (prefix := os.environ.get(OUT)):
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    rows = [f"{s.test}\t{s.own:.3f}\t{s.children:.3f}\t{s.wall:.3f}\n" for s in _spent]
    Path(f"{prefix}.{worker}.tsv").write_text("".join(rows), encoding="utf-8")


def read(prefix: str) -> list[Spent]:
    """Every test of the run whose workers wrote `prefix`.*.tsv."""
    spent = []
    for part in sorted(Path(prefix).parent.glob(f"{Path(prefix).name}.*.tsv")):
        for line in part.read_text(encoding="utf-8").splitlines():
            test, own, children, wall = line.split("\t")
            spent.append(Spent(test, float(own), float(children), float(wall)))
    return spent


def report(spent: Sequence[Spent], top: int) -> str:
    own, children = sum(s.own for s in spent), sum(s.children for s in spent)
    total = own + children
    lines = [f"{len(spent)} tests: {total:.1f} s of CPU ({own:.1f} in the workers, {children:.1f} in processes)"]
    lines.append("   cpu    own  child    wall  test")
    ordered = sorted(spent, key=lambda s: -s.cpu)
    lines += [f"{s.cpu:6.1f} {s.own:6.1f} {s.children:6.1f} {s.wall:7.1f}  {s.test}" for s in ordered[:top]]
    files: dict[str, list[Spent]] = defaultdict(list)
    for s in spent:
        files[s.test.partition("::")[0]].append(s)
    lines.append("   cpu    own  child  tests  file")
    for name, tests in sorted(files.items(), key=lambda kv: -sum(s.cpu for s in kv[1]))[:top]:
        mine, theirs = sum(s.own for s in tests), sum(s.children for s in tests)
        lines.append(f"{mine + theirs:6.1f} {mine:6.1f} {theirs:6.1f} {len(tests):6d}  {name}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix", help=f"what {OUT} was set to for the run")
    parser.add_argument("--top", type=int, default=25, help="how many tests and files to list")
    args = parser.parse_args()
    print(report(read(args.prefix), args.top))


if __name__ == "__main__":
    main()
