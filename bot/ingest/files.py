"""Files and directories: which files hold articles, and the articles in each, in the format its suffix names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from bot.errors import ArticleError
from bot.ingest.limits import MAX_RECORD_BYTES, within_limits
from bot.ingest.pages import parse_saved_page
from bot.ingest.records import READERS, article_from_record
from bot.ingest.reports import Skipped
from bot.ingest.text import decode, parse_text_article
from bot.models import Article

TEXT_SUFFIXES = frozenset({".txt", ""})
BULK_SUFFIXES = frozenset(READERS)
PAGE_SUFFIXES = frozenset({".html", ".htm"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | BULK_SUFFIXES | PAGE_SUFFIXES
# Not articles and not worth a word: a corpus folder may be a Python package (the shipped one is).
CODE_SUFFIXES = frozenset({".py", ".pyc", ".pyi"})
# A NUL in the first bytes means a binary file (an image, an archive, UTF-16) whatever its name says.
SNIFF_BYTES = 8192


def read_file(path: Path, fields: Mapping[str, str] | None = None) -> Iterator[Article | Skipped]:
    """Articles in one file, in the format its suffix names (the seed's text format for anything else)."""
    try:
        suffix = path.suffix.lower()
        if suffix in BULK_SUFFIXES:
            yield from _read_bulk(path, fields or {})
        elif suffix in PAGE_SUFFIXES:
            yield from _read_page(path)
        else:
            yield from _read_text(path)
    except OSError as exc:
        yield Skipped(str(path), exc.strerror or str(exc))


def _whole(path: Path) -> bytes:
    """The bytes of a one-article file, or an ArticleError if it is too large to be one."""
    size = path.stat().st_size
    if size > MAX_RECORD_BYTES:
        raise ArticleError(f"too large for an article ({size:,} bytes; the limit is {MAX_RECORD_BYTES:,})")
    return path.read_bytes()


def _read_text(path: Path) -> Iterator[Article | Skipped]:
    try:
        article = parse_text_article(decode(_whole(path)), origin=str(path))
    except ArticleError as exc:
        yield Skipped(str(path), str(exc))
        return
    yield from within_limits(article, str(path))


def _read_page(path: Path) -> Iterator[Article | Skipped]:
    try:
        body = _whole(path)
    except ArticleError as exc:
        yield Skipped(str(path), str(exc))
        return
    yield from parse_saved_page(body, str(path))


def _read_bulk(path: Path, fields: Mapping[str, str]) -> Iterator[Article | Skipped]:
    with path.open("rb") as stream:
        if b"\x00" in stream.read(SNIFF_BYTES):
            yield Skipped(str(path), "binary file, not text")
            return
        stream.seek(0)
        for location, number, record in READERS[path.suffix.lower()](stream, str(path)):
            if isinstance(record, str):
                yield Skipped(location, record)
                continue
            try:
                article = article_from_record(record, fields, origin=f"{path}#{number}")
            except ArticleError as exc:
                yield Skipped(location, str(exc))
                continue
            # A record's own id is a steadier place than its number: records move when a file grows.
            if article.source_id:
                article = replace(article, origin=f"{path}#{article.source_id}")
            yield from within_limits(article, location)


def article_files(paths: Iterable[Path]) -> Iterator[Path | Skipped]:
    """Files to read: each path given, and every article-like file under a directory, in a stable order; the
    other files under a directory are reported once for it, so that nothing is left out without a word."""
    for path in paths:
        if path.is_dir():
            others: Counter[str] = Counter()
            for child in sorted(path.rglob("*")):
                if any(part.startswith(".") for part in child.relative_to(path).parts) or not child.is_file():
                    continue
                suffix = child.suffix.lower()
                if suffix in ARTICLE_SUFFIXES:
                    yield child.resolve()
                elif suffix not in CODE_SUFFIXES:
                    others[suffix] += 1
            if others:
                kinds = ", ".join(f"{count} {suffix}" for suffix, count in sorted(others.items()))
                yield Skipped(
                    str(path),
                    f"{others.total()} other files not read ({kinds}); articles are read from .txt (the seed's"
                    " format), .jsonl, .json, .csv, .html and .htm files",
                )
        elif path.is_file():
            yield path.resolve()
        else:
            yield Skipped(str(path), "no such file or directory")


def read_articles(paths: Iterable[Path], fields: Mapping[str, str] | None = None) -> Iterator[Article | Skipped]:
    """Every article under `paths`, and a `Skipped` for each problem (see `Skipped` for the two kinds)."""
    for item in article_files(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(item, fields)
