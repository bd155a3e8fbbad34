"""Feeds into a large index: stories per second through the whole poll, and how soon another process answers.

The library is a store and tantivy index of `--paragraphs` paragraphs (default 1,000,000: the BBC articles
repeated and shuffled, as bench/speed.py builds them), made once in `--data-dir` and reused by later runs. A
local HTTP server (tests/web_server.py: ETags and 304s) serves feeds made of BBC articles under new links:

- full text: `--feeds` RSS 2.0 feeds of `--entries` entries each, the text in content:encoded;
- summaries: `--summary-feeds` feeds of `--entries` one-line summaries, each story's text on an HTML page (a
  news-site template) that the poller fetches and reads with trafilatura.

Each poll round goes through `FeedService.poll` as the bot's job does: claim with a lease, conditional GET,
parse in a thread, pages, one store transaction per feed, the local index caught up. Rows: the first poll of the
full-text feeds, of the summary feeds (each a new feed's back catalogue), then all of them again (304s).

Freshness: a poller in another process (same store; its own copy of the index, as on another machine) polls a
feed that gains one new story per round, while this process's library follows the store every
NEWSBOT_FOLLOW_SECONDS in a thread, as a running bot does. The delay from the start of the poll (and from the
end of it) to this library's first answer from the new story, p50/p95 over `--rounds`.

    python bench/ingest.py [--paragraphs 1000000] [--database sqlite|postgresql] [--data-dir DIR]
                           [--feeds 20] [--summary-feeds 5] [--entries 40] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import ipaddress
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import REPO, BbcArticle, load_bbc, markdown_table, percentile, postgres_server
from readers import PAGE
from speed import corpus

from bot.config import Settings
from bot.library import Library
from bot.services.feeds import FeedService, PollReport

sys.path.insert(0, str(REPO))
from tests.web_server import WebServer, serving

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
FRESH = "fresh.xml"


def rss(title: str, items: Sequence[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{html.escape(title)}</title><link>/</link>{''.join(items)}</channel></rss>"
    ).encode()


def item(article: BbcArticle, link: str, full: bool) -> str:
    """One entry: the whole text, or a one-line summary whose story is on the page at `link`."""
    if full:
        text = "<content:encoded><![CDATA[" + "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
        text += "]]></content:encoded>"
    else:
        text = f"<description>{html.escape(article.paragraphs[0][:120])}&#8230;</description>"
    return (
        f"<item><title>{html.escape(article.title)}</title><link>{link}</link><guid>{link}</guid>"
        f"<category>{article.category}</category><pubDate>Wed, 15 May 2024 18:05:00 GMT</pubDate>{text}</item>"
    )


def page(article: BbcArticle) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
    return PAGE.format(title=html.escape(article.title), category=article.category, body=body, related="").encode()


def serve_feeds(web: WebServer, articles: Iterator[BbcArticle], prefix: str, feeds: int, entries: int, full: bool):
    """Put `feeds` feeds of `entries` stories each on the server; returns their URLs."""
    urls = []
    for f in range(feeds):
        items = []
        for n in range(entries):
            article = next(articles)
            name = f"{prefix}{f}-{n}.html"
            if not full:
                web.live[name] = page(article)
            items.append(item(article, f"/live/{name}", full))
        web.live[f"{prefix}{f}.xml"] = rss(f"Bench {prefix}{f}", items)
        urls.append(web.url(f"/live/{prefix}{f}.xml"))
    return urls


def build(settings: Settings, paragraphs: int, bbc: Sequence[BbcArticle]) -> tuple[float | None, int]:
    """The library of `paragraphs` paragraphs (built now, or found from an earlier run): (seconds, paragraphs)."""
    library = Library.open(settings, seed_corpus=False)
    try:
        have = library.store.stats().paragraphs
        if have >= paragraphs:
            return None, have
        start = time.perf_counter()
        library.add(corpus(bbc, paragraphs - have, seed=have + 1))
        return time.perf_counter() - start, library.store.stats().paragraphs
    finally:
        library.close()


def poll_round(service: FeedService, now: datetime, every: bool = False) -> tuple[PollReport, float]:
    start = time.perf_counter()
    report = asyncio.run(service.poll(now, every=every))
    return report, time.perf_counter() - start


def throughput_row(name: str, report: PollReport, seconds: float, paragraphs: int) -> list[str]:
    stored = sum(p.backlog + p.added for p in report.polls)
    failed = sum(p.status == "failed" for p in report.polls)
    return [
        name,
        f"{len(report.polls)}" + (f" ({failed} failed)" if failed else ""),
        f"{stored:,}",
        f"{paragraphs:,}",
        f"{seconds:.2f}",
        f"{stored / seconds:,.0f}",
        f"{paragraphs / seconds:,.0f}",
        f"{len(report.polls) / seconds:,.1f}",
    ]


def freshness(library: Library, settings: Settings, web: WebServer, bbc: Sequence[BbcArticle], rounds: int):
    """Delays (from poll start, from poll end) to this library's first answer from each new story."""
    service = FeedService(library)
    run = uuid.uuid4().hex[:8]  # words no earlier run on a reused library has stored
    stories: list[str] = []

    def publish(count: int) -> None:
        stories[:] = [f"zyx{run}n{n}q" for n in range(count)]
        items = [
            item(replace_text(bbc[n], word), f"/live/fresh/{run}/{n}", full=True) for n, word in enumerate(stories)
        ]
        web.live[FRESH] = rss("Fresh", items[::-1])

    publish(1)
    asyncio.run(service.add(web.url(f"/live/{FRESH}"), now=datetime.now(UTC)))  # its baseline, in this process
    poller_dir = Path(tempfile.mkdtemp(prefix="newsbot-ingest-poller-"))
    shutil.copytree(settings.index_dir, poller_dir / "index")  # the poller's own index, already up to date
    stop = threading.Event()

    def follow() -> None:  # what the running bot's follower job does
        while not stop.wait(settings.follow_seconds):
            library.follow()

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    poller = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--poller", str(poller_dir), settings.store_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert poller.stdin is not None and poller.stdout is not None
    from_start, from_end = [], []
    try:
        for r in range(rounds):
            publish(r + 2)
            word = stories[-1]
            poller.stdin.write("poll\n")
            poller.stdin.flush()
            started, ended = json.loads(poller.stdout.readline())
            while not library.ask(library.request(f"what about {word}")).found:
                time.sleep(0.005)
            answered = time.time()
            from_start.append(answered - started)
            from_end.append(answered - ended)
    finally:
        poller.stdin.close()
        poller.wait()
        stop.set()
        follower.join()
        shutil.rmtree(poller_dir, ignore_errors=True)
        asyncio.run(service.remove(web.url(f"/live/{FRESH}")))
    return from_start, from_end


def replace_text(article: BbcArticle, word: str) -> BbcArticle:
    """The article with a word no other story has, in its first paragraph."""
    return replace(article, paragraphs=(f"{article.paragraphs[0]} The {word} story.", *article.paragraphs[1:]))


def poller(data_dir: Path, database_url: str) -> None:
    """The other process of `freshness`: a poll round for each line read; prints when it started and ended."""
    settings = Settings(
        data_dir=data_dir,
        corpus_dir=data_dir / "no-corpus",
        database_url=database_url,
        allow_private_addresses=LOOPBACK,
    )
    library = Library.open(settings, seed_corpus=False)
    service = FeedService(library)
    for _ in sys.stdin:
        started = time.time()
        asyncio.run(service.poll(datetime.now(UTC), every=True))
        print(json.dumps([started, time.time()]), flush=True)
    library.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=1_000_000, help="paragraphs in the library first")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--data-dir", type=Path, help="keep the built library here and reuse it (default: a temp dir)")
    parser.add_argument("--feeds", type=int, default=20, help="full-text feeds")
    parser.add_argument("--summary-feeds", type=int, default=5, help="feeds of summaries, each story on a page")
    parser.add_argument("--entries", type=int, default=40, help="stories per feed")
    parser.add_argument("--rounds", type=int, default=30, help="freshness rounds")
    parser.add_argument("--poller", nargs=2, metavar=("DATA_DIR", "DATABASE_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.poller:
        poller(Path(args.poller[0]), args.poller[1])
        return 0
    bbc = load_bbc()
    if (args.feeds + args.summary_feeds) * args.entries > len(bbc):
        parser.error(f"at most {len(bbc):,} stories in all (feeds x entries)")
    with ExitStack() as stack:
        if args.data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsbot-ingest-")))
        else:
            data_dir = args.data_dir
        database_url = ""
        if args.database == "postgresql":
            if args.data_dir is not None:
                parser.error("--data-dir keeps SQLite libraries only (the PostgreSQL server lives for one run)")
            database_url = stack.enter_context(postgres_server())()
        settings = Settings(
            data_dir=data_dir,
            corpus_dir=data_dir / "no-corpus",
            database_url=database_url,
            allow_private_addresses=LOOPBACK,
            feed_pages_per_poll=args.entries,  # every page in the first poll
        )
        print(f"library of {args.paragraphs:,} paragraphs in {data_dir} ({args.database})...", file=sys.stderr)
        built, paragraphs = build(settings, args.paragraphs, bbc)
        print(
            f"  {'built in ' + format(built, '.0f') + ' s' if built else 'reused'}: {paragraphs:,} paragraphs",
            file=sys.stderr,
        )
        web = stack.enter_context(serving())
        library = Library.open(settings, seed_corpus=False)
        stack.callback(library.close)
        service = FeedService(library)
        for feed in asyncio.run(service.feeds()):  # a reused library's feeds of an earlier run (its server is gone)
            asyncio.run(service.remove(str(feed.id)))
        # Articles 0..: the freshness feed's; the rest for the throughput feeds (each story distinct).
        stories = iter(bbc[args.rounds + 1 :])
        full_urls = serve_feeds(web, stories, "full", args.feeds, args.entries, full=True)
        summary_urls = serve_feeds(web, stories, "summary", args.summary_feeds, args.entries, full=False)
        now = datetime.now(UTC)
        rows = []
        for name, urls, at in (
            ("full text, first poll", full_urls, now),
            ("summaries + pages, first poll", summary_urls, now + timedelta(seconds=1)),
        ):
            for url in urls:
                service.store.add(url, None, "bench", at)
            before = library.store.stats().paragraphs
            report, seconds = poll_round(service, at)
            rows.append(throughput_row(name, report, seconds, library.store.stats().paragraphs - before))
        report, seconds = poll_round(service, now + timedelta(seconds=2), every=True)
        rows.append(throughput_row("all again (304)", report, seconds, 0))
        for url in [*full_urls, *summary_urls]:
            asyncio.run(service.remove(url))
        print("freshness...", file=sys.stderr)
        from_start, from_end = freshness(library, settings, web, bbc, args.rounds)

    print(
        f"Library: {paragraphs:,} paragraphs ({args.database}, tantivy); "
        + ("built once and reused" if built is None else f"built in {built:.0f} s")
        + f". Concurrency {settings.feed_concurrency} feeds, 2 CPUs.\n"
    )
    print(
        markdown_table(
            ["poll", "feeds", "stories stored", "paragraphs", "seconds", "stories/s", "paragraphs/s", "feeds/s"],
            rows,
        )
    )
    print()
    print(
        markdown_table(
            ["a story polled in another process, answerable here", "p50 s", "p95 s", "rounds"],
            [
                [
                    "from the poll's start",
                    f"{percentile(from_start, 50):.2f}",
                    f"{percentile(from_start, 95):.2f}",
                    str(len(from_start)),
                ],
                [
                    "from the poll's end",
                    f"{percentile(from_end, 50):.2f}",
                    f"{percentile(from_end, 95):.2f}",
                    str(len(from_end)),
                ],
            ],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
