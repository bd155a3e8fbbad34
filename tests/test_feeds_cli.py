"""`newsbot feeds add|list|remove|poll`, called as `main(argv)` against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.config import Settings
from bot.library import Library
from bot.services.feeds import describe_feed
from bot.store.feeds import FeedStore
from tests.paths import ROOT
from tests.web_server import WebServer, serving


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[WebServer]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSBOT_CORPUS_DIR", str(ROOT / "corpus"))
    monkeypatch.setenv("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "127.0.0.1")
    with serving() as server:
        yield server


def test_feeds_add_list_poll_remove(web: WebServer, capsys: pytest.CaptureFixture[str]) -> None:
    harbour, teasers = web.url("/polls/harbour.xml"), web.url("/polls/teasers.xml")
    assert main(["feeds", "list"]) == 0
    assert capsys.readouterr().out == "no feeds are followed; add one with: newsbot feeds add URL\n"

    assert main(["feeds", "add", harbour, "--category", "Harbour"]) == 0
    out = capsys.readouterr().out
    first = "0 new, 3 back catalogue (not alerted), 0 edited, 0 unchanged; next poll in 15 min"
    assert out == f"following {harbour}; first poll: {first}\n"
    assert main(["feeds", "add", web.url("/polls/story_tide.html")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsbot: cannot follow") and "not an RSS, Atom or JSON feed" in err
    assert "Traceback" not in err
    assert main(["feeds", "add", teasers]) == 0
    capsys.readouterr()
    # A feed saved as a file is not followed, and the refusal says what reads it.
    assert main(["feeds", "add", str(ROOT / "tests" / "data" / "feeds" / "atom.xml")]) == 1
    assert capsys.readouterr().err.endswith("a feed saved as a file goes in with: newsbot ingest FILE)\n")

    assert main(["feeds", "poll"]) == 0
    out = capsys.readouterr().out.splitlines()
    # One line per feed, in the order they finish (the round polls two at once).
    # The teasers' entry with no text whose page is gone left nothing for this poll: it too answered 304.
    assert sorted(out[:2]) == [f"{feed}: not modified; next poll in 15 min" for feed in (harbour, teasers)]
    assert out[-1] == "2 feeds polled: 0 new stories, 0 back catalogue, 0 failed"
    assert main(["feeds", "poll", "--due"]) == 0
    assert capsys.readouterr().out == "no feed is due\n"

    assert main(["feeds", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == f"1. Harbour Town Daily <{harbour}> (category: Harbour)"
    assert re.fullmatch(
        r"   3 stories; last poll less than a minute ago: not modified; next poll in 1[45] min", listed[1]
    )
    assert listed[2] == f"2. Quay Notes <{teasers}> (category: from its entries)"

    assert main(["ask", "--json", "Who kept the Pointe lighthouse lamp burning?"]) == 0
    assert web.url("/stories/lighthouse-keeper") in capsys.readouterr().out

    assert main(["feeds", "remove", harbour]) == 0
    assert capsys.readouterr().out == f"no longer following {harbour} (its stories stay in the library)\n"
    assert main(["feeds", "remove", harbour]) == 1
    assert "no feed" in capsys.readouterr().err
    assert main(["feeds", "remove", "2"]) == 0


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/status/404", "HTTP 404 Not Found"),
        ("/status/410", "HTTP 410 Gone"),
        ("/live/loop-a.html", "a redirect loop (back to {loop})"),
        (
            "/pages/minimal.html",
            "a web page (\u201cGlacier Retreat Measured by Drone Survey\u201d), not an RSS, Atom or JSON feed",
        ),
    ],
)
def test_a_refused_feed_fails_the_command_with_why(
    web: WebServer, capsys: pytest.CaptureFixture[str], path: str, reason: str
) -> None:
    """A script adding feeds tells a refused one by the exit status (1, as for an unknown feed removed) and one
    line naming the address and why; a redirect loop was "more than 5 redirects", as if it might end."""
    web.live["loop-a.html"] = b'<meta http-equiv="refresh" content="0; url=/live/loop-b.html">'
    web.live["loop-b.html"] = b'<meta http-equiv="refresh" content="0; url=/live/loop-a.html">'
    url = web.url(path)
    assert main(["feeds", "add", url]) == 1
    captured = capsys.readouterr()
    # What a feed not live yet answers (a 404, no feed) says how to follow it all the same.
    anyway = f"; to follow it all the same (a feed not live yet): newsbot feeds add --anyway {url}"
    said = reason.format(loop=url) + (anyway if path in ("/status/404", "/pages/minimal.html") else "")
    assert captured.err == f"newsbot: cannot follow {url}: {said}\n" and not captured.out
    assert main(["feeds", "list"]) == 0
    assert capsys.readouterr().out == "no feeds are followed; add one with: newsbot feeds add URL\n"
    assert main(["feeds", "remove", url]) == 1
    assert capsys.readouterr().err == f"newsbot: no feed {url!r} is followed\n"


def test_a_feed_followed_at_a_second_address_is_listed_as_a_copy(
    web: WebServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same feed at a second address is followed (it may be a section of the first), and its poll says its
    stories are all feed 1's; `feeds list` showed it with the same story count, as if they were its own."""
    harbour = web.url("/polls/harbour.xml")
    web.live["copy.xml"] = (ROOT / "tests" / "data" / "polls" / "harbour.xml").read_bytes()
    assert main(["feeds", "add", harbour]) == 0
    assert main(["feeds", "add", web.url("/live/copy.xml")]) == 0
    assert "its stories are all feed 1's" in capsys.readouterr().out
    assert main(["feeds", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].startswith("   3 stories; last poll"), listed
    assert listed[3].startswith("   a copy of feed 1: 3 stories, all feed 1's, 0 of its own; last poll"), listed
    # One was "1 stories".
    library = Library.open(Settings.from_env())
    try:
        copy = FeedStore(library.store.engine).listing()[1]
    finally:
        library.close()
    one = describe_feed(replace(copy, articles=1), datetime.now(UTC)).splitlines()[1]
    assert one.startswith("   a copy of feed 1: 1 story, all feed 1's, 0 of its own; last poll"), one


def test_feeds_add_of_a_host_that_does_not_exist_or_of_no_feed_is_refused_unless_anyway(
    web: WebServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host name the name servers say does not exist (a typo) was followed silently, its polls failing for a week
    until it was paused. It is refused now, as a 404 and a page that is no feed are, each saying how to follow it all
    the same: an operator may add a feed before its site goes live."""
    resolve = socket.getaddrinfo

    def lookup(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "news.paper-typo.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    typo, missing = "https://news.paper-typo.invalid/rss.xml", web.url("/polls/not-yet.xml")
    for url in (typo, missing, web.url("/polls/story_tide.html")):
        assert main(["feeds", "add", url]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"newsbot: cannot follow {url}: "), err
        assert err.rstrip().endswith(
            f"to follow it all the same (a feed not live yet): newsbot feeds add --anyway {url}"
        )
        assert url != typo or "cannot find the address of news.paper-typo.invalid: Name or service not known (no" in err
    assert main(["feeds", "list"]) == 0
    assert capsys.readouterr().out.startswith("no feeds are followed")
    assert main(["feeds", "add", "--anyway", typo]) == 0
    assert capsys.readouterr().out.startswith(f"following {typo}; first poll: failed: cannot find the address of")
    assert main(["feeds", "add", "--anyway", missing]) == 0
    assert capsys.readouterr().out.startswith(f"following {missing}; first poll: failed: HTTP 404 Not Found")


def test_entries_a_poll_cannot_read_are_named(web: WebServer, capsys: pytest.CaptureFixture[str]) -> None:
    """The summary counts the problems and the notes; each is named on standard error, with where it was and why.
    A story whose page is gone went in as the feed's summary: a note, not a story skipped."""
    assert main(["feeds", "add", web.url("/polls/broken_items.xml")]) == 0
    captured = capsys.readouterr()
    assert ", 1 problem, 1 note;" in captured.out, captured.out
    named = [line for line in captured.err.splitlines() if line.startswith("  ")]
    assert len(named) == 2
    assert any(line.startswith("  skipped ") and "no http(s) link" in line for line in named)
    assert any(line.startswith(f"  note {web.url('/polls/gone.html')}: HTTP 404") for line in named), named


def test_a_note_is_counted_apart_from_the_problems(web: WebServer, capsys: pytest.CaptureFixture[str]) -> None:
    """A paywalled page read in whole was counted among "2 problems" with an entry that could not be read."""
    item = "<item><title>{}</title><link>{}</link><description>{}</description></item>"
    items = item.format(
        "Budget Deal Reached After Midnight",
        web.url("/pages/paywalled.html"),
        "Negotiators on the harbour council agreed next year's budget just after midnight on Tuesday.",
    ) + item.format("Gone", web.url("/status/410"), "")
    web.live["paywalled.xml"] = f'<rss version="2.0"><channel><title>G</title>{items}</channel></rss>'.encode()
    assert main(["feeds", "add", web.url("/live/paywalled.xml")]) == 0
    captured = capsys.readouterr()
    assert "1 back catalogue (not alerted), 0 edited, 0 unchanged, 1 problem, 1 note;" in captured.out
    named = [line.split(" ", 3)[2] for line in captured.err.splitlines() if line.startswith("  ")]
    assert sorted(named) == ["note", "skipped"]


def test_a_poll_while_another_process_holds_every_feed_says_so(
    web: WebServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feeds", "add", web.url("/polls/harbour.xml")]) == 0
    library = Library.open(Settings.from_env())
    try:
        now = datetime.now(UTC)
        # A round on another host: its lease runs until it records its poll or runs out.
        assert FeedStore(library.store.engine).claim("newsroom-2:4242:0123abcd", now, timedelta(minutes=10), now, True)
    finally:
        library.close()
    capsys.readouterr()
    assert main(["feeds", "poll"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "no feed polled: another process is polling them now\n" and "followed" not in captured.out


def test_a_poll_by_hand_names_the_paused_feeds_and_how_to_poll_them_again(
    web: WebServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A paused feed went unmentioned by `feeds poll`; with every feed paused, the poll said another process was
    polling them."""
    monkeypatch.setenv("NEWSBOT_FEED_PAUSE_AFTER_DAYS", "0")
    web.live["gone.xml"] = (ROOT / "tests" / "data" / "polls" / "harbour.xml").read_bytes()
    gone = web.url("/live/gone.xml?edition=uk&page=1")
    assert main(["feeds", "add", gone]) == 0
    web.statuses["gone.xml"] = 404
    assert main(["feeds", "poll"]) == 1
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f"{gone}: failed: HTTP 404 Not Found; paused: no longer polled until it is added again",
        "1 feed polled: 0 new stories, 0 back catalogue, 1 failed",
    ]
    paused = (
        rf"{re.escape(gone)}: paused since \d{{4}}-\d\d-\d\d \d\d:\d\d UTC \(HTTP 404 Not Found\), not polled;"
        rf" newsbot feeds add '{re.escape(gone)}' polls it again"  # quoted for the shell: the address has a "&"
    )

    assert main(["feeds", "poll"]) == 0
    captured = capsys.readouterr()
    assert re.fullmatch(paused + "\n", captured.out) and captured.err == ""
    assert main(["feeds", "poll", "--due"]) == 0
    assert re.fullmatch("no feed is due\n" + paused + "\n", capsys.readouterr().out)

    harbour = web.url("/polls/harbour.xml")
    assert main(["feeds", "add", harbour]) == 0
    capsys.readouterr()
    assert main(["feeds", "poll"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{harbour}: not modified; next poll in 15 min" and re.fullmatch(paused, out[1])
    assert out[2] == "1 feed polled: 0 new stories, 0 back catalogue, 0 failed, 1 paused (not polled)"


def test_a_first_poll_of_thousands_of_entries_counts_them_as_every_count_is_written(
    web: WebServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wire's back catalogue of 1,200 stories was said "0 new, 1200 back catalogue (not alerted)" where the
    round's tally and every other count newsbot prints write thousands apart ("1,200")."""
    monkeypatch.setenv("NEWSBOT_FEED_PAGES_PER_POLL", "0")
    items = "".join(
        f"<item><title>Tide table for the harbour, day {n}</title><link>{web.url(f'/tides/{n}')}</link>"
        f"<pubDate>Sun, 29 Nov 2026 06:{n % 60:02d}:00 +0000</pubDate>"
        f"<description>The harbour master posted the tide table for day {n}: high water at six.</description></item>"
        for n in range(1200)
    )
    web.live["wire.xml"] = f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()
    assert main(["feeds", "add", web.url("/live/wire.xml")]) == 0
    out = capsys.readouterr().out
    assert "first poll: 0 new, 1,200 back catalogue (not alerted), 0 edited, 0 unchanged" in out
