"""Property tests (hypothesis): the readers never raise, on any bytes, and keep their promises about limits."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest import Skipped, read_file
from bot.ingest.feeds import Feed, parse_feed
from bot.ingest.limits import MAX_ARTICLE_CHARS, MAX_PARAGRAPH_CHARS, MAX_TITLE_CHARS, fit, split_long
from bot.ingest.markup import html_paragraphs
from bot.ingest.pages import parse_page
from bot.ingest.text import split_paragraphs
from bot.ingest.urls import canonical_url
from bot.models import Article
from tests.paths import DATA

SUFFIXES = (".jsonl", ".csv", ".json", ".txt")
FEED_BYTES = [p.read_bytes() for p in sorted((DATA / "feeds").glob("*.xml"))]
quick = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text a newsroom might write, with the characters that matter to CSV and JSON: quotes, commas, line breaks. (Not
# "<" and "&": a record's fields are read as HTML when they hold a tag or an entity; tests/test_ingest_records.py.)
text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="<&")
    | st.sampled_from(['"', ",", "\n", "\\"]),
    max_size=300,
)
words = st.lists(st.text(alphabet="abcdefghij.,!? ", min_size=1, max_size=40), min_size=1, max_size=400)


def read_bytes(data: bytes, suffix: str) -> list[Article | Skipped]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        return list(read_file(path))


def assert_well_formed(items: list[Article | Skipped]) -> None:
    for index, item in enumerate(items):
        assert isinstance(item, (Article, Skipped))
        if isinstance(item, Skipped):
            assert item.location and item.reason
            if item.cut:  # a cut note is followed by the article it describes
                assert isinstance(items[index + 1], Article)
            continue
        assert item.title.strip() and len(item.title) <= MAX_TITLE_CHARS
        assert item.paragraphs and all(p.strip() and len(p) <= MAX_PARAGRAPH_CHARS for p in item.paragraphs)
        assert sum(len(p) for p in item.paragraphs) <= MAX_ARTICLE_CHARS
        assert item.published is None or item.published.utcoffset() is not None


@quick
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_in_any_format_never_raise(data: bytes, suffix: str) -> None:
    assert_well_formed(read_bytes(data, suffix))


@quick
@given(lines=st.lists(st.binary(max_size=80) | st.sampled_from([b'{"title": "T", "body": "B"}', b"", b"[1]"])))
def test_jsonl_of_mixed_lines_never_raises(lines: list[bytes]) -> None:
    assert_well_formed(read_bytes(b"\n".join(lines), ".jsonl"))


@quick
@given(records=st.lists(st.tuples(text, text, text.map(lambda t: t[:150])), max_size=8))
def test_csv_json_and_jsonl_read_back_what_was_written(records: list[tuple[str, str, str]]) -> None:
    """Whatever the quotes, commas and line breaks, every written record comes back as itself, in order (a
    headline's and a category's runs of white space as one space: they are one line of text)."""
    rows = [{"title": title, "body": body, "category": category} for title, body, category in records]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, ["title", "body", "category"])
    writer.writeheader()
    writer.writerows(rows)
    encoded = {
        ".csv": buffer.getvalue().encode(),
        ".jsonl": "".join(json.dumps(r) + "\n" for r in rows).encode(),
        ".json": json.dumps(rows).encode(),
    }
    expected = [
        (" ".join(r["title"].split()), split_paragraphs(r["body"]), " ".join(r["category"].split()))
        for r in rows
        if r["title"].strip() and split_paragraphs(r["body"])
    ]
    for suffix, data in encoded.items():
        items = read_bytes(data, suffix)
        assert_well_formed(items)
        got = [(a.title, a.paragraphs, a.category) for a in items if isinstance(a, Article)]
        assert got == expected, suffix
        assert len(items) == max(len(rows), 1), suffix  # one item per record (or one saying there are none)


@quick
@given(parts=words)
def test_splitting_long_paragraphs_loses_no_text(parts: list[str]) -> None:
    paragraph = " ".join(parts).strip() or "x"
    pieces = list(split_long(paragraph, limit=120))
    assert all(0 < len(p) <= 120 for p in pieces)
    assert "".join(pieces).replace(" ", "") == paragraph.replace(" ", "")


@quick
@given(paragraphs=st.lists(st.text(min_size=1, max_size=5000).filter(str.strip), min_size=1, max_size=5))
def test_fit_keeps_articles_within_limits(paragraphs: list[str]) -> None:
    article, cut = fit(Article(title="T", paragraphs=tuple(paragraphs)))
    assert cut is None  # under the article limit nothing is cut, only split
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in article.paragraphs)
    assert "".join("".join(article.paragraphs).split()) == "".join("".join(paragraphs).split())


@quick
@given(
    url=st.text(max_size=200)
    | st.from_regex(r"https?://[A-Za-z0-9.-]{1,20}(:\d{1,5})?(/[\w./-]*)?(\?[\w=&%.-]*)?(#\w*)?")
)
def test_canonical_url_never_raises_and_is_stable(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@quick
@given(fragment=st.text(max_size=500))
def test_html_to_text_never_raises(fragment: str) -> None:
    paragraphs = html_paragraphs(fragment)
    assert all(p == p.strip() and p for p in paragraphs)
    if not any(c in fragment for c in "<&"):
        assert " ".join(paragraphs).split() == fragment.split()


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=1500))
def test_feeds_of_any_bytes_never_raise(data: bytes) -> None:
    result = parse_feed(data, "https://feeds.example.org/any")
    assert isinstance(result, (Feed, Skipped))


@settings(max_examples=100, deadline=None)
@given(feed=st.sampled_from(FEED_BYTES), cut=st.integers(0, 5000), junk=st.binary(max_size=40))
def test_broken_real_feeds_never_raise(feed: bytes, cut: int, junk: bytes) -> None:
    result = parse_feed(feed[:cut] + junk + feed[cut:], "https://feeds.example.org/broken")
    assert isinstance(result, (Feed, Skipped))
    for entry in getattr(result, "entries", ()):
        assert_well_formed([entry.article] if entry.article.paragraphs else [])


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=1500)
    | st.text(max_size=1500).map(lambda t: f"<html><body><p>{t}</p></body></html>".encode())
)
def test_pages_of_any_bytes_never_raise(data: bytes) -> None:
    assert_well_formed(list(parse_page(data, "https://gazette.example.org/any", "text/html")))
