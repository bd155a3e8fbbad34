"""How fast the readers turn bytes into articles, and in how much memory (no store, no index).

Inputs are built in a temporary directory from the 2,225 BBC articles (read from ../shared, never copied into
the project): the JSON Lines file itself, the same records as CSV and as a JSON array, the JSON Lines file
behind one 50 MB record (issue 7's case), RSS 2.0 feeds of 100 full-text entries each, and one HTML page per
article in a news-site template (navigation, related links, footer). Pages are also fetched through
`bot.fetch.Fetcher` from a local HTTP server, to show what the network edge adds.

    python bench/readers.py [--pages 2225] [--fetches 300]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import html
import ipaddress
import json
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import BBC_PATH, BbcArticle, load_bbc, markdown_table, require

from bot.config import Settings
from bot.fetch import Fetched, Fetcher
from bot.ingest import read_file
from bot.ingest.feeds import Feed, parse_feed
from bot.ingest.pages import parse_page
from bot.models import Article

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | Example News</title>
<meta property="article:section" content="{category}"><meta name="author" content="Staff reporter">
<meta property="article:published_time" content="2024-05-15T18:05:00+00:00"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>{body}</article>
<aside><h2>Most read</h2><ul>{related}</ul></aside><footer>Copyright Example News. <a href="/terms">Terms</a></footer>
</body></html>"""


def build_inputs(folder: Path, articles: list[BbcArticle], pages: int) -> dict[str, Path]:
    records = [
        {"id": a.id, "title": a.title, "category": a.category, "body": "\n\n".join(a.paragraphs)} for a in articles
    ]
    paths = {"jsonl": BBC_PATH, "csv": folder / "bbc.csv", "json": folder / "bbc.json"}
    with paths["csv"].open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "title", "category", "body"])
        writer.writeheader()
        writer.writerows(records)
    paths["json"].write_text(json.dumps(records), encoding="utf-8")
    paths["jsonl + 50 MB record"] = folder / "with_giant.jsonl"
    with paths["jsonl + 50 MB record"].open("w", encoding="utf-8") as handle:
        handle.write(json.dumps({"title": "Giant", "body": "word " * 10_000_000}) + "\n")
        handle.write(BBC_PATH.read_text(encoding="utf-8"))
    feeds = folder / "feeds"
    feeds.mkdir()
    for start in range(0, len(articles), 100):
        items = "".join(
            f"<item><title>{html.escape(a.title)}</title><link>https://news.example.org/{a.id}?utm_source=rss</link>"
            f"<guid>{a.id}</guid><category>{a.category}</category><pubDate>Wed, 15 May 2024 18:05:00 GMT</pubDate>"
            "<content:encoded><![CDATA["
            + "".join(f"<p>{html.escape(p)}</p>" for p in a.paragraphs)
            + "]]></content:encoded></item>"
            for a in articles[start : start + 100]
        )
        (feeds / f"feed{start // 100:02d}.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Example</title>'
            f"<link>https://news.example.org/</link>{items}</channel></rss>",
            encoding="utf-8",
        )
    site = folder / "site"
    site.mkdir()
    for index, a in enumerate(articles[:pages]):
        related = "".join(
            f'<li><a href="/{b.id}">{html.escape(b.title)}</a></li>' for b in articles[index + 1 : index + 6]
        )
        body = "".join(f"<p>{html.escape(p)}</p>" for p in a.paragraphs)
        (site / f"{index}.html").write_text(
            PAGE.format(title=html.escape(a.title), category=a.category, body=body, related=related), encoding="utf-8"
        )
    return paths


def measure(work: Callable[[], int]) -> tuple[int, float, float]:
    """(items, seconds, peak traced MB): timed without tracing, then traced in a second run."""
    started = time.perf_counter()
    count = work()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        work()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    return count, seconds, peak


def articles_in(items: Iterable[object]) -> int:
    return sum(1 for item in items if isinstance(item, Article))


def read_feeds(folder: Path) -> int:
    total = 0
    for path in sorted(folder.glob("*.xml")):
        feed = parse_feed(path.read_bytes(), f"https://news.example.org/{path.name}")
        assert isinstance(feed, Feed)
        total += len(feed.entries)
    return total


def read_pages(folder: Path, count: int) -> int:
    return sum(
        articles_in(parse_page((folder / f"{i}.html").read_bytes(), f"https://news.example.org/{i}", "text/html"))
        for i in range(count)
    )


def fetch_pages(site: Path, count: int) -> tuple[int, float]:
    """Pages fetched one after another from a local server and parsed, as a poller would: (articles, seconds)."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    SimpleHTTPRequestHandler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    settings = Settings(allow_private_addresses=(ipaddress.ip_network("127.0.0.1/32"),))

    async def run() -> int:
        found = 0
        async with Fetcher(settings) as fetcher:
            for i in range(count):
                result = await fetcher.get(f"http://127.0.0.1:{httpd.server_address[1]}/{i}.html")
                assert isinstance(result, Fetched), result
                items = await asyncio.to_thread(list, parse_page(result.body, result.final_url, result.content_type))
                found += articles_in(items)
        return found

    try:
        started = time.perf_counter()
        found = asyncio.run(run())
        return found, time.perf_counter() - started
    finally:
        httpd.shutdown()
        httpd.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2225, help="pages to parse (at most 2,225)")
    parser.add_argument("--fetches", type=int, default=300, help="pages to fetch through bot.fetch")
    args = parser.parse_args(argv)
    require(BBC_PATH)
    articles = load_bbc()
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        paths = build_inputs(folder, articles, min(args.pages, len(articles)))
        for name, path in paths.items():
            size = path.stat().st_size / 1e6
            count, seconds, peak = measure(lambda path=path: articles_in(read_file(path)))
            rows.append(
                [name, f"{size:,.1f} MB", f"{count:,}", f"{seconds:.2f}", f"{count / seconds:,.0f}", f"{peak:,.1f}"]
            )
        count, seconds, peak = measure(lambda: read_feeds(folder / "feeds"))
        rows.append(
            [
                "RSS 2.0, full text (23 feeds)",
                "",
                f"{count:,}",
                f"{seconds:.2f}",
                f"{count / seconds:,.0f}",
                f"{peak:,.1f}",
            ]
        )
        pages = min(args.pages, len(articles))
        count, seconds, peak = measure(lambda: read_pages(folder / "site", pages))
        rows.append(
            ["HTML pages (trafilatura)", "", f"{count:,}", f"{seconds:.2f}", f"{count / seconds:,.0f}", f"{peak:,.1f}"]
        )
        fetched, seconds = fetch_pages(folder / "site", min(args.fetches, pages))
        rows.append(
            [
                "pages fetched + parsed (127.0.0.1)",
                "",
                f"{fetched:,}",
                f"{seconds:.2f}",
                f"{fetched / seconds:,.0f}",
                "",
            ]
        )
    print(markdown_table(["input", "size", "articles", "seconds", "articles/s", "peak traced MB"], rows))


if __name__ == "__main__":
    main()
