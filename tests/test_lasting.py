"""A trouble that lasts, as the log tells it (bot.lasting): said whole once, reminded briefly now and then, its end
said once, with how long it lasted."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.lasting import REMIND_SECONDS, Lasting

log = logging.getLogger("tests.lasting")


def test_a_lasting_trouble_is_said_once_reminded_every_few_minutes_and_its_end_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Said on each occurrence it buried the log (once per update handled, a job's every second); said only once, a
    reader an hour later could not tell whether it still lasted."""
    caplog.set_level(logging.DEBUG, logger="tests.lasting")
    trouble = Lasting(log, "cannot write /srv/news", "; answering from memory", "/srv/news can be written again")
    for second in range(0, 700, 10):  # a failure every 10 s for 11 min 40 s
        trouble.failed("Read-only file system", now=float(second))
    trouble.ended(now=700.0)
    trouble.ended(now=710.0)  # over already: nothing to say
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelname != "DEBUG"]
    assert said == [
        ("WARNING", "cannot write /srv/news (Read-only file system); answering from memory"),
        ("WARNING", f"still: cannot write /srv/news, for {REMIND_SECONDS / 60:.0f} min (Read-only file system)"),
        ("WARNING", f"still: cannot write /srv/news, for {2 * REMIND_SECONDS / 60:.0f} min (Read-only file system)"),
        ("INFO", "/srv/news can be written again, after 12 min"),
    ]
    assert sum(r.levelname == "DEBUG" for r in caplog.records) == 70 - 3  # the other failures
    assert not trouble.lasts
    trouble.failed("Read-only file system", now=800.0)  # a new trouble, said whole at once
    assert trouble.lasts and caplog.records[-1].getMessage().endswith("; answering from memory")


def test_a_short_trouble_says_how_long_in_seconds(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tests.lasting")
    trouble = Lasting(log, "the store fails", over="the store works again")
    trouble.failed("connection refused", now=1000.0)
    trouble.ended(now=1081.0)
    assert [r.getMessage() for r in caplog.records] == [
        "the store fails (connection refused)",
        "the store works again, after 81 s",
    ]


def test_what_fails_now_and_then_with_no_end_to_see_is_a_new_trouble_after_a_quiet_spell(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A question failing now and then: nothing tells that it works again, and "still ..., for 1 h" an hour later
    would be false."""
    answers = Lasting(log, "cannot answer from the index")
    for second, error in [(0.0, "down"), (30.0, "still down"), (30.0 + REMIND_SECONDS + 1, "down again")]:
        answers.failed(error, now=second)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert said == ["cannot answer from the index (down)", "cannot answer from the index (down again)"]


def test_a_trouble_several_jobs_meet_is_over_once_each_works_again(caplog: pytest.LogCaptureFixture) -> None:
    """A full disk refuses the beat's writes and the feed poll's: one trouble. The poll only reading (no feed due)
    worked while the beat's writes still failed: had that ended it, the next beat began it again."""
    caplog.set_level(logging.INFO, logger="tests.lasting")
    refused = Lasting(log, "the store fails", over="the store works again")
    refused.failed("disk full", now=0.0, by="beat")
    refused.failed("disk full", now=1.0, by="poll the feeds")
    refused.ended(now=2.0, by="send digests and alerts")  # met none of it
    refused.ended(now=3.0, by="poll the feeds")
    assert refused.lasts
    refused.failed("disk full", now=4.0, by="beat")
    refused.ended(now=70.0, by="beat")
    assert not refused.lasts
    assert [r.getMessage() for r in caplog.records] == [
        "the store fails (beat: disk full)",
        "the store works again, after 70 s",
    ]


def test_work_begun_before_a_trouble_does_not_end_it(caplog: pytest.LogCaptureFixture) -> None:
    """PostgreSQL stopped under a bot: a job's read under way as it stopped ended well after a question had met the
    outage and said it; that success said "the store answers again" amid the outage, and the next failure said the
    outage a second time (seen once in tests/test_store_outage.py)."""
    caplog.set_level(logging.INFO, logger="tests.lasting")
    store = Lasting(log, "the store is not answering", over="the store answers again")
    store.failed("connection refused", now=10.0)  # a question met it
    store.ended(now=10.5, began=9.8)  # the follow job's read, begun before
    store.failed("connection refused", now=11.0, by="beat")
    assert store.lasts
    store.ended(now=40.0, began=39.9)  # begun in the outage, and worked: over
    assert [r.getMessage() for r in caplog.records] == [
        "the store is not answering (connection refused)",
        "the store answers again, after 30 s",
    ]


def test_a_failure_in_one_thread_while_another_says_the_end_is_not_swallowed(caplog: pytest.LogCaptureFixture) -> None:
    """A bot's worker threads meet one trouble at once (the marks of handled updates, `settle`). A failure met while
    another thread was saying the trouble's end was taken for part of the trouble ending (a debug line), then the end
    wiped it: the log said the trouble over while it lasted, and nothing of the failure after it."""
    caplog.set_level(logging.DEBUG, logger="tests.lasting")
    trouble = Lasting(log, "cannot keep the marks", over="the marks are kept again")
    trouble.failed("Read-only file system", now=0.0)
    saying_the_end, failed_after = threading.Event(), threading.Event()

    class HeldEnd(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("the marks are kept again"):
                saying_the_end.set()
                # The other thread's failure comes now; with the trouble locked it waits for the end to be said.
                failed_after.wait(timeout=0.3)

    def fail_meanwhile() -> None:
        assert saying_the_end.wait(timeout=30)
        trouble.failed("Read-only file system", now=11.0)
        failed_after.set()

    held = HeldEnd()
    log.addHandler(held)
    other = threading.Thread(target=fail_meanwhile)
    other.start()
    try:
        trouble.ended(now=10.0)
        other.join(timeout=30)
    finally:
        log.removeHandler(held)
    said = [r.getMessage() for r in caplog.records if r.levelname != "DEBUG"]
    assert said[-2:] == ["the marks are kept again, after 10 s", "cannot keep the marks (Read-only file system)"]
    assert trouble.lasts
