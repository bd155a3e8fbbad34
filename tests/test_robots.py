"""robots.txt read for newsbot (bot/robots.py): which group applies, and the Crawl-delay it names."""

from __future__ import annotations

import pytest

from bot.robots import read_rules

AGENT = "NewsBot/0.9 (+https://example.org/newsbot)"


@pytest.mark.parametrize(
    ("text", "delay"),
    [
        ("User-agent: *\nCrawl-delay: 10\n", 10.0),
        ("User-agent: *\nCrawl-delay: 0.5\nDisallow: /private/\n", 0.5),
        # newsbot's own group decides, its delay or none; `*`'s is another crawler's.
        ("User-agent: *\nCrawl-delay: 30\n\nUser-agent: newsbot\nCrawl-delay: 2\n", 2.0),
        ("User-agent: *\nCrawl-delay: 30\n\nUser-agent: newsbot\nDisallow: /private/\n", None),
        # Not a number of seconds: no delay.
        ("User-agent: *\nCrawl-delay: soon\n", None),
        ("User-agent: *\nCrawl-delay: -3\n", None),
        ("Crawl-delay: 5\nUser-agent: *\nDisallow:\n", None),  # before any group: no group's
    ],
)
def test_the_crawl_delay_of_the_group_that_applies_is_read(text: str, delay: float | None) -> None:
    """Crawl-delay was not read: a site asking for seconds between pages had four at a time."""
    assert read_rules(text, AGENT).delay == delay
