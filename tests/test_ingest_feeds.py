"""Feeds (issue 9): RSS 0.9x/1.0/2.0 and Atom from bytes, well-formed or not; one file per case in tests/data/feeds."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ingest import Skipped
from bot.ingest.feeds import DEFAULT_CATEGORY, Feed, FeedEntry, discover_feeds, parse_feed, with_page
from bot.ingest.files import read_articles
from bot.ingest.limits import MAX_ARTICLE_CHARS, MAX_FEED_FILE_BYTES
from bot.models import Article
from tests.editor import where_shown
from tests.paths import DATA

FEEDS = DATA / "feeds"
CASES = sorted(p for p in FEEDS.iterdir() if not p.name.endswith(".expected.json"))
BASE = "https://feeds.example.org/"


def expected(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    return loaded


def entry_view(entry: FeedEntry) -> dict[str, object]:
    article = entry.article
    return {
        "title": article.title,
        "url": article.url,
        "category": article.category,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "guid": article.guid,
        "summary_only": entry.summary_only,
        "paragraphs": list(article.paragraphs),
    }


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_feed_cases(path: Path) -> None:
    want = expected(path)
    feed = parse_feed(path.read_bytes(), BASE + path.name)
    if "skipped" in want:
        assert feed == Skipped(BASE + path.name, str(want["skipped"]))
        return
    assert isinstance(feed, Feed), feed
    assert (feed.title, feed.link) == (want["title"], want["link"])
    assert [entry_view(e) for e in feed.entries] == want["entries"]
    assert [[p.location.rsplit(" ", 1)[-1], p.reason] for p in feed.problems] == want["problems"]
    assert feed.repeated == want.get("repeated", 0)
    if want["warning"] is None:
        assert feed.warning is None
    else:
        assert feed.warning is not None and str(want["warning"]) in feed.warning
    for entry in feed.entries:
        published = entry.article.published
        assert published is None or published.tzinfo is UTC


@pytest.mark.parametrize(
    ("encoding", "end", "what"),
    [
        ("utf-16-be", "", "is cut short: read as UTF-16"),  # no byte order mark: its NUL bytes tell it
        ("utf-16", ">", "ends with '>' where '?>' closes it: read as UTF-16"),
        ("utf-32", "", "is cut short: read as UTF-32"),
    ],
)
def test_a_wide_feed_whose_declaration_is_not_closed_is_read_with_a_note(encoding: str, end: str, what: str) -> None:
    """A UTF-16 or UTF-32 feed whose XML declaration was cut short was refused as "not well-formed (invalid
    token)", where one in UTF-8 was read with a note."""
    text = (FEEDS / "utf16_cut_declaration.xml").read_bytes().decode("utf-16")
    data = text.replace('"utf-16"\n', f'"{encoding}"{end}\n').encode(encoding)
    feed = parse_feed(data, BASE + "wide.xml")
    want = expected(FEEDS / "utf16_cut_declaration.xml")
    assert isinstance(feed, Feed), feed
    assert feed.warning == f"the feed's XML declaration {what}"
    assert (feed.title, [entry_view(e) for e in feed.entries]) == (want["title"], want["entries"])


@pytest.mark.parametrize(
    "content_type",
    [
        "application/rss+xml; charset=ISO-8859-1",  # Apache's AddDefaultCharset
        "text/xml; charset=windows-1252",
        "application/xml; charset=us-ascii",
    ],
)
def test_a_servers_default_charset_gives_way_to_what_the_feeds_bytes_are(content_type: str) -> None:
    """feedparser lets the header's charset outrank the feed's own declaration: a UTF-8 feed served as ISO-8859-1
    was read as 'Le cafÃ©'."""
    path = FEEDS / "accents.xml"
    want = expected(path)
    feed = parse_feed(path.read_bytes(), BASE + path.name, content_type=content_type)
    assert isinstance(feed, Feed) and feed.warning is None
    assert (feed.title, [entry_view(e) for e in feed.entries]) == (want["title"], want["entries"])


@pytest.mark.parametrize("content_type", ["text/xml", "text/rss+xml", "text/html", ""])
def test_with_no_charset_served_the_feeds_own_encoding_decides(content_type: str) -> None:
    """RFC 3023 read `text/xml` without a charset as ASCII (a UTF-8 feed came with a "read leniently" warning every
    poll) and a response without a Content-Type as ISO-8859-1; RFC 7303, which replaced it, lets the XML decide:
    UTF-8 when, as here, it declares nothing."""
    path = FEEDS / "accents.xml"
    want = expected(path)
    undeclared = path.read_bytes().split(b"\n", 1)[1]
    feed = parse_feed(undeclared, BASE + path.name, content_type=content_type)
    assert isinstance(feed, Feed) and feed.warning is None
    assert (feed.title, [entry_view(e) for e in feed.entries]) == (want["title"], want["entries"])


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_no_markup_reaches_titles_or_text(path: Path) -> None:
    feed = parse_feed(path.read_bytes(), BASE + path.name)
    texts = [
        t for e in getattr(feed, "entries", ()) for t in (e.article.title, e.article.category, *e.article.paragraphs)
    ]
    assert not any(marker in text for text in texts for marker in ("<b>", "<p>", "<script", "alert(", "&amp;", "&lt;"))


def test_the_feeds_category_setting_wins_over_tags() -> None:
    feed = parse_feed((FEEDS / "rss2_full_text.xml").read_bytes(), BASE + "x", category="Harbour")
    assert isinstance(feed, Feed)
    assert {e.article.category for e in feed.entries} == {"Harbour"}
    untagged = parse_feed((FEEDS / "missing_dates.xml").read_bytes(), BASE + "y")
    assert isinstance(untagged, Feed) and {e.article.category for e in untagged.entries} == {DEFAULT_CATEGORY}


def test_a_link_with_a_broken_host_is_no_link_and_the_feed_is_read() -> None:
    """An unclosed bracket in a link's host (`https://host[/story`, a broken sitemap's <loc>) raised ValueError out
    of the reader (found by test_broken_real_feeds_never_raise): that entry has no link, the others go in."""
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Broken</title><link>https://gazette.example.org[/broken</link><description>One.</description>"
        b"</item><item><title>Fine</title><link>https://gazette.example.org/fine</link><description>Two.</description>"
        b"</item></channel></rss>"
    )
    feed = parse_feed(data, BASE + "broken.xml")
    assert isinstance(feed, Feed)
    assert [e.article.url for e in feed.entries] == ["https://gazette.example.org/fine"]
    assert [p.reason for p in feed.problems] == ["no http(s) link to the story"]


def test_an_oversized_entry_is_cut_with_a_note() -> None:
    paragraph = "<p>" + "The tide rose over the harbour wall again on Sunday. " * 40 + "</p>"
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Long</title>'
        "<link>https://long.example.org/a</link><description><![CDATA[" + paragraph * 200 + "]]></description>"
        "</item></channel></rss>"
    ).encode()
    feed = parse_feed(data, BASE + "long.xml")
    assert isinstance(feed, Feed)
    [entry] = feed.entries
    [note] = feed.problems
    assert note.cut and note.location == "https://long.example.org/a" and "text cut" in note.reason
    assert sum(len(p) for p in entry.article.paragraphs) <= MAX_ARTICLE_CHARS


def test_with_page_takes_the_pages_text_and_keeps_the_feeds_headline_and_link() -> None:
    feed = parse_feed((FEEDS / "rss2_summary_only.xml").read_bytes(), BASE + "s.xml", category="World")
    assert isinstance(feed, Feed)
    entry = feed.entries[0]
    page = Article(
        title="Glacier retreat measured | Wire",
        paragraphs=(
            "A drone survey found the glacier had retreated 120 metres since 2015, the survey team said on Friday.",
            "The team flew the survey in January.",
        ),
        category="Science",
        published=datetime(2020, 1, 31, tzinfo=UTC),
        url="https://wire.example.com/science/glacier-drone-survey",
        author="Ana Costa",
    )
    story = with_page(entry, page)
    assert story.title == entry.article.title and story.category == "World"
    assert story.paragraphs == page.paragraphs and story.author == "Ana Costa"
    assert story.published == entry.article.published and story.url == entry.article.url


@pytest.mark.parametrize("data", [b"/etc/passwd", b"http://127.0.0.1:9/feed.xml", b"\x00\x01\x02", b"   "])
def test_bytes_are_never_opened_as_a_file_or_fetched_as_a_url(data: bytes) -> None:
    result = parse_feed(data, BASE + "odd")
    assert isinstance(result, Skipped) and "feed" in result.reason


@pytest.mark.parametrize("name", ["rss2_full_text.xml", "news_sitemap.xml", "jsonfeed.json"])
def test_a_gzip_compressed_feed_reads_as_the_feed(name: str) -> None:
    """A `sitemap.xml.gz`, or a feed a server compressed without saying so in Content-Encoding, was "not an RSS,
    Atom or JSON feed (the feed is not well-formed XML (line 2: not well-formed (invalid token)))"."""
    data = (FEEDS / name).read_bytes()
    assert parse_feed(gzip.compress(data), BASE + name + ".gz") == parse_feed(data, BASE + name + ".gz")


def test_a_gzip_feed_too_large_unpacked_or_cut_short_says_so() -> None:
    """A few kilobytes may unpack to gigabytes: never more than the limit is unpacked."""
    bomb = gzip.compress(b"<rss>" + b" " * MAX_FEED_FILE_BYTES)
    assert len(bomb) < 100_000
    assert parse_feed(bomb, BASE + "bomb.gz") == Skipped(
        BASE + "bomb.gz", f"gzip-compressed, and over {MAX_FEED_FILE_BYTES:,} bytes unpacked (the limit for a feed)"
    )
    cut = gzip.compress((FEEDS / "rss2_full_text.xml").read_bytes())[:300]
    assert parse_feed(cut, BASE + "cut.gz") == Skipped(BASE + "cut.gz", "gzip-compressed, but cut short")


def test_feed_discovery_from_a_page() -> None:
    html = (FEEDS / "not_a_feed.html").read_bytes()
    assert discover_feeds(html, "https://Gazette.example.org/home") == ("https://gazette.example.org/feed.xml",)
    assert discover_feeds(b"<html><p>no feeds</p></html>", BASE) == ()


def test_a_wordpress_export_gives_only_its_published_posts_and_says_what_it_left_out() -> None:
    """`newsbot ingest export.xml`: a draft ("must not be published"), a scheduled post, a page and an attachment
    never become articles, and one note counts them; the published posts keep their full text."""
    path = FEEDS / "wordpress_export.xml"
    items = list(read_articles([path]))
    articles = [i for i in items if isinstance(i, Article)]
    assert [a.title for a in articles] == ["Lighthouse Gets Listed Status", "Harbour Toll to Rise in July"]
    assert not any("merger" in p or "About page" in p for a in articles for p in a.paragraphs)
    # Full text, not the excerpt, and no teaser note although the second post ends with an ellipsis.
    assert [len(a.paragraphs) for a in articles] == [2, 2]
    [note] = [i for i in items if isinstance(i, Skipped)]
    assert not note.cut and note.reason.startswith("4 drafts, pages or attachments skipped")
    assert "draft: 1" in note.reason and "page: 1" in note.reason and "attachment: 1" in note.reason


@pytest.mark.parametrize(
    ("name", "current"),
    [
        # RSS says nothing of updates: the first listed is the current version (feeds list the newest first).
        ("repeated_guids.xml", ["Swing Bridge Reopens Two Days Late", "Seal Pup Returned to the Sea"]),
        # Atom's <updated> decides, wherever the entry is listed; an undated copy does not replace a dated one.
        ("repeated_atom_ids.xml", ["Ferry Fares Rise by Four Per Cent", "Lighthouse Open for Tours"]),
    ],
)
def test_a_saved_feed_listing_a_story_twice_gives_its_current_version_once(name: str, current: list[str]) -> None:
    """A story listed twice under one guid went in as the later entry, an older version further down the feed
    (or twice, under two links)."""
    path = FEEDS / name
    items = list(read_articles([path]))
    assert [i.title for i in items if isinstance(i, Article)] == current
    notes = [str(i) for i in items if isinstance(i, Skipped) and "listed before" in i.reason]
    assert notes == [
        f"note {path}: 2 entries repeat a story listed before (the same guid, else link): only each story's current"
        " version went in (updated last, else listed first)"
    ]


@pytest.mark.parametrize("content_type", ["application/rss+xml; charset=utf-8", "text/xml", None])
def test_a_stray_byte_in_a_utf8_feed_costs_its_character_not_every_accent_of_the_feed(content_type: str | None) -> None:
    """One Windows quote mark pasted into a UTF-8 feed had the whole feed read as Windows-1252: every dash, accent
    and quote mark of every story garbled ("CafÃ© MÃ¼llerâ€™s"). Read as UTF-8, the stray byte a U+FFFD, said."""
    data = (DATA / "polls" / "harbour.xml").read_bytes()
    data = data.replace(b"Lighthouse Keeper Retires", "Lighthouse Keeper \u2013 Café Müller\u2019s".encode(), 1)
    data = data.replace(b"Agnes Marwick", b"Agnes Marwick\x92s friend", 1)
    feed = parse_feed(data, "https://harbour.example/rss.xml", content_type=content_type)
    assert isinstance(feed, Feed)
    first = feed.entries[0].article
    assert first.title == "Lighthouse Keeper \u2013 Café Müller\u2019s After Forty Years"
    assert first.paragraphs[0].startswith("Agnes Marwick\ufffds friend, who kept the lamp")
    at = where_shown(data, b"\x92")
    assert feed.warning == f"not UTF-8 text ({at}: b'\\x92'): read with \ufffd in its place"


@pytest.mark.parametrize(
    ("declaration", "said"),
    [
        (b'<?xml version="1.0" encoding="utf-9"?>', "names an encoding there is none of ('utf-9'): read as UTF-8"),
        (b'<?xml version="1.0" encoding="u\x80tf-8"?>', "names an encoding there is none of ('u\\x80tf-8')"),
        (b'<?xml version="1.0" encoding="utf', "is cut short: read as UTF-8"),
        (b'<?xml version="1.0" encoding="UTF-8">', "ends with '>' where '?>' closes it: read as UTF-8"),
        (b'<?xml version="1.0" encoding="utf-16"?>', "names the encoding 'utf-16', which it is not written in"),
        (b'<?xml version="1.0" encoding="cp037"?>', "names the encoding 'cp037', which it is not written in"),
    ],
)
@pytest.mark.parametrize("name", ["rss2_full_text.xml", "news_sitemap.xml"])
def test_a_feed_whose_xml_declaration_cannot_be_right_is_read_as_its_bytes_are(
    tmp_path: Path, declaration: bytes, said: str, name: str
) -> None:
    """A declaration naming no encoding there is, cut short, or naming one its own ASCII bytes are not in: the feed
    was "unreadable feed (UnicodeDecodeError: ...)" or "not an RSS, Atom or JSON feed" (UTF-16 with no line break
    after it), and a news sitemap so declared stopped the whole `newsbot ingest` with a LookupError."""
    data = (FEEDS / name).read_bytes()
    good = parse_feed(data, BASE + name)
    assert isinstance(good, Feed) and good.entries and good.warning is None
    broken = declaration + data.split(b"?>", 1)[1]
    feed = parse_feed(broken, BASE + name)
    assert isinstance(feed, Feed), feed
    assert feed.entries == good.entries
    assert feed.warning is not None and feed.warning.startswith("the feed's XML declaration " + said)
    saved = tmp_path / name
    saved.write_bytes(broken)
    items = list(read_articles([saved]))
    assert items[0] == Skipped(str(saved), feed.warning, note=True)


def test_a_news_sitemap_in_a_multibyte_encoding_is_read() -> None:
    """expat reads no multi-byte encoding but UTF-8 and UTF-16: a Japanese newsroom's Shift_JIS sitemap was
    refused, "a sitemap that is not well-formed XML (multi-byte encodings are not supported)"."""
    text = (FEEDS / "news_sitemap.xml").read_text(encoding="utf-8").replace("Ferry", "フェリー")
    data = text.replace('encoding="UTF-8"', 'encoding="Shift_JIS"').encode("shift_jis")
    feed, same = parse_feed(data, BASE + "sitemap.xml"), parse_feed(text.encode("utf-8"), BASE + "sitemap.xml")
    assert isinstance(feed, Feed) and isinstance(same, Feed) and feed.entries == same.entries
    assert any("フェリー" in e.article.title for e in feed.entries)
    cut = data.replace(b"<url>", b"<url>\xff\xff", 1)
    assert parse_feed(cut, BASE + "sitemap.xml") == Skipped(
        BASE + "sitemap.xml",
        "a sitemap that is not well-formed XML ('shift_jis' codec can't decode byte 0xff in position 338: illegal"
        " multibyte sequence)",
    )


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "not a feed but a PDF document (application/pdf)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "not a feed but a PNG image (image/png)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "application/rss+xml", "not a feed but a JPEG image (application/rss+xml)"),
        (b"%PDF-1.7\n", None, "not a feed but a PDF document"),
    ],
)
def test_a_pdf_or_an_image_where_a_feed_was_expected_says_what_it_is(
    data: bytes, content_type: str | None, reason: str
) -> None:
    """A feed's address serving a PDF or an image was "not an RSS, Atom or JSON feed (the feed is not well-formed
    XML (line 2: not well-formed (invalid token)); read as well as it could be, a story may be missing or cut
    short)", as if a feed had been read badly."""
    assert parse_feed(data, BASE + "papers", content_type=content_type) == Skipped(BASE + "papers", reason)
    assert parse_feed(gzip.compress(data), BASE + "papers.xml.gz") == Skipped(
        BASE + "papers.xml.gz", reason.split(" (")[0]
    )


def test_a_web_page_where_a_feed_was_expected_is_named_by_its_title() -> None:
    """A feed's address answering with a site's "Page not found" page sent with 200 OK (or its new home page after
    a move) was "not an RSS, Atom or JSON feed", which did not say what the site sent."""
    page = (
        b"\xef\xbb\xbf<!DOCTYPE html><html><head><title>Page not found &amp; gone | Harbour Gazette</title></head>"
        b"<body><h1>Sorry, we couldn't find that page</h1></body></html>"
    )
    assert parse_feed(page, BASE + "rss", content_type="text/html") == Skipped(
        BASE + "rss", "a web page (\u201cPage not found & gone | Harbour Gazette\u201d), not an RSS, Atom or JSON feed"
    )
    assert parse_feed(b"<html><body>No title</body></html>", BASE + "rss") == Skipped(
        BASE + "rss", "not an RSS, Atom or JSON feed"
    )


def test_a_feeds_stylesheet_is_no_xml_declaration() -> None:
    """`<?xml-stylesheet ...>` (a feed styled for browsers) opens as a declaration does, and is none: kept as it is."""
    data = (FEEDS / "rss2_full_text.xml").read_bytes().split(b"?>", 1)[1]
    styled = b'<?xml-stylesheet type="text/xsl" href="/feed.xsl">' + data
    feed = parse_feed(styled, BASE + "styled.xml")
    assert isinstance(feed, Feed) and feed.warning is None and feed.entries


def test_a_feed_file_entry_of_a_link_alone_says_its_page_is_not_read() -> None:
    """A file's entry with neither a headline nor text, only a link, was "no headline and no text"; followed, its
    page gives both (tests/test_feeds.py), and a file's reader, which reads no page, says so."""
    path = FEEDS / "no_links.xml"
    skipped = [str(i) for i in read_articles([path]) if isinstance(i, Skipped)]
    assert "skipped https://linkless.example.org/untitled: only a link in the feed (its page is not read)" in skipped
