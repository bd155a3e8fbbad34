"""A trouble that lasts, as the log tells it (bot.lasting): said whole once, reminded briefly now and then, its end
said once."""

from __future__ import annotations

import logging

import pytest

from bot.lasting import REMIND_SECONDS, Lasting

log = logging.getLogger("tests.lasting")


def test_a_lasting_trouble_is_said_once_reminded_every_few_minutes_and_its_end_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Said on each occurrence it buried the log (once per update handled); said only once, a reader an hour later
    could not tell whether it still lasted."""
    caplog.set_level(logging.DEBUG, logger="tests.lasting")
    trouble = Lasting(log, "the disk is read-only", "the disk can be written again")
    for second in range(0, 700, 10):  # a failure every 10 s for 11 min 40 s
        trouble.failed("cannot write /srv/news (Read-only file system): the whole story", now=float(second))
    trouble.ended(now=700.0)
    trouble.ended(now=710.0)  # over already: nothing to say
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelname != "DEBUG"]
    assert said == [
        ("WARNING", "cannot write /srv/news (Read-only file system): the whole story"),
        ("WARNING", f"still: the disk is read-only (for {REMIND_SECONDS / 60:.0f} min)"),
        ("WARNING", f"still: the disk is read-only (for {2 * REMIND_SECONDS / 60:.0f} min)"),
        ("INFO", "the disk can be written again, after 12 min"),
    ]
    assert not trouble.lasts
    trouble.failed("cannot write /srv/news: again", now=800.0)
    assert trouble.lasts and caplog.records[-1].levelname == "WARNING"
