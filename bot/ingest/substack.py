"""Substack's export (Settings > Exports): `posts.csv`, a row per post, beside `posts/`, each post's HTML body.

The rows name the posts (id and slug, date, whether published, title) and the bodies are files named by them
(`posts/151234567.my-post.html`); neither is a story alone. Its other files (`email_list...csv`, the subscribers;
`posts/<id>.opens.csv` and `.delivers.csv`, e-mail statistics) are no stories and are not read. No file names the
publication's address, which a post's link (`https://SITE/p/my-post`) needs: its share button does, where a body
has one, else the newsroom gives it (`--site`).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bot.errors import ArticleError
from bot.ingest.dates import read_date
from bot.ingest.limits import MAX_RECORD_BYTES, within_limits
from bot.ingest.markup import html_paragraphs
from bot.ingest.reports import Skipped, without_site
from bot.ingest.text import BrokenUtf8, decode
from bot.ingest.urls import canonical_url
from bot.models import Article

POSTS = "posts.csv"
BODIES = "posts"
# The header Substack writes to posts.csv, which no other export shares.
_HEADER = re.compile(rb"^(?:\xef\xbb\xbf)?post_id,post_date,is_published,")
# Substack's calls to action inside a post's body: no part of the story.
_CALLS = re.compile(
    r"(?:thanks for reading .{1,120}?[!.] )?subscribe for free to receive new posts and support my work\.?"
    r"|subscribe(?: now)?|share|leave a comment|give a gift subscription|upgrade to paid",
    re.IGNORECASE,
)
# The bodies searched for a link to their own post (a share button's) before the posts are read.
SITE_SCAN_BODIES = 20


def is_export(directory: Path) -> bool:
    """Whether a directory holds a Substack export: its `posts.csv`, with Substack's header, and `posts/`."""
    try:
        with (directory / POSTS).open("rb") as posts:
            head = posts.read(256)
    except OSError:
        return False
    return bool(_HEADER.match(head)) and (directory / BODIES).is_dir()


def read_export(path: Path, site: str | None = None) -> Iterator[Article | Skipped]:
    """The published posts of the Substack export whose `posts.csv` is `path`, each with its body from `posts/` and
    its link on `site` (the publication's address), else on the one its posts' share buttons name; one reason
    counts the drafts and other posts not published, one note the posts left without a link."""
    site = site or _own_site(path.parent / BODIES)
    unpublished: Counter[str] = Counter()
    unlinked, example = 0, ""
    number = 1
    try:
        # Read whole (a row per post: small), so that one stray byte costs its character, not every row after it.
        text, mended = _text(path.read_bytes())
    except ArticleError as exc:
        yield Skipped(str(path), f"unreadable ({exc})")
        return
    if mended:
        yield Skipped(str(path), mended, note=True)
    try:
        for number, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
            location = f"{path}:{number}"
            post_id = (row.get("post_id") or "").strip()
            if (row.get("is_published") or "").strip().lower() != "true":
                unpublished[(row.get("type") or "post").strip() or "post"] += 1
                continue
            try:
                article, notes = _article(path.parent / BODIES, post_id, row, f"{path}#{post_id}", site)
            except ArticleError as exc:
                yield Skipped(location, str(exc))
                continue
            if article.url is None and (page := _path(post_id)):
                unlinked, example = unlinked + 1, example or page
            yield from (Skipped(location, note, note=True) for note in notes)
            yield from within_limits(article, location)
    except csv.Error as exc:
        # Substack writes well-formed CSV: a file that is not was changed since; what came first went in.
        yield Skipped(f"{path}:{number}", f"unreadable ({exc}); the rest of the file is not read")
    if unlinked:
        yield without_site(str(path), unlinked, example)
    if unpublished:
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(unpublished.items()))
        posts = "post" if unpublished.total() == 1 else "posts"
        yield Skipped(
            str(path),
            f"{unpublished.total()} {posts} not published skipped (a Substack export: only its published posts are"
            f" read; {kinds})",
        )


def _own_site(bodies: Path) -> str | None:
    """The publication's address, from the first of its readable bodies (`SITE_SCAN_BODIES` at most) that links to
    its own post: Substack's share button, `https://harbournotes.substack.com/p/my-post?...&action=share`."""
    for body in sorted(bodies.glob("*.html"))[:SITE_SCAN_BODIES]:
        slug = body.name.removesuffix(".html").partition(".")[2]
        if not slug or body.stat().st_size > MAX_RECORD_BYTES:
            continue
        try:
            text, _mended = _text(body.read_bytes())
        except ArticleError:
            continue  # its post is skipped, saying why, when it is read
        if found := re.search(rf"""href=["'](https?://[^/"'?#\s]+)/p/{re.escape(slug)}(?:[?#"'])""", text):
            return found[1]
    return None


def _text(data: bytes) -> tuple[str, str | None]:
    """The text of a file of the export, and a note when it is UTF-8 with bytes that are not (a Windows quote mark
    pasted in): read with U+FFFD in their places, where the file was skipped whole."""
    try:
        return decode(data)[0], None
    except BrokenUtf8 as exc:
        return exc.text, str(exc)


def _path(post_id: str) -> str:
    """A post's page on its publication's site (`/p/my-post`), from its id (`151234567.my-post`)."""
    slug = post_id.partition(".")[2]
    return f"/p/{slug}" if slug else ""


def _article(
    bodies: Path, post_id: str, row: dict[str, str], origin: str, site: str | None
) -> tuple[Article, list[str]]:
    """A published post with its body, and the notes on it (a stray byte in its body, a date not read)."""
    title = " ".join((row.get("title") or "").split())
    if not title:
        raise ArticleError("no title")
    body = bodies / f"{post_id}.html"
    if "/" in post_id or not body.is_file():
        raise ArticleError(f"its body, {BODIES}/{post_id}.html, is not in the export")
    if body.stat().st_size > MAX_RECORD_BYTES:
        raise ArticleError(f"its body is too large ({body.stat().st_size:,} bytes; the limit is {MAX_RECORD_BYTES:,})")
    text, mended = _text(body.read_bytes())
    paragraphs = tuple(p for p in html_paragraphs(text) if not _CALLS.fullmatch(p))
    if not paragraphs:
        raise ArticleError("no body text")
    published, unread = read_date(row["post_date"]) if row.get("post_date") else (None, None)
    path = _path(post_id)
    url = canonical_url(site.rstrip("/") + path) if site and path else None
    return Article(
        title=title,
        paragraphs=paragraphs,
        category="",
        published=published,
        url=url,
        origin=origin,
        source_id=post_id,
    ), [note for note in (mended and f"its body, {BODIES}/{post_id}.html: {mended}", unread) if note]
