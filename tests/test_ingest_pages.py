"""Web pages (issue 9) with trafilatura, canonical links, HTML to plain text; one file per case in tests/data/pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ingest import Skipped, read_file
from bot.ingest.markup import html_paragraphs, html_text
from bot.ingest.pages import media_type, parse_page
from bot.ingest.urls import canonical_url, is_web_url
from bot.models import Article
from tests.paths import DATA

PAGES = DATA / "pages"
CASES = sorted(p for p in PAGES.iterdir() if not p.name.endswith(".expected.json"))
BASE = "https://gazette.example.org/news/"
CONSENT_WALL = (
    "a cookie consent page, not the story (the site asks visitors to accept cookies before it shows its articles)"
)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_page_cases(path: Path) -> None:
    want = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    items = list(parse_page(path.read_bytes(), BASE + path.name, want["content_type"]))
    if "skipped" in want:
        assert items == [Skipped(BASE + path.name, want["skipped"])]
        return
    notes = [i.reason for i in items if isinstance(i, Skipped) and i.note]
    [article] = [i for i in items if not (isinstance(i, Skipped) and i.note)]
    assert isinstance(article, Article)
    got = {
        "content_type": want["content_type"],
        **({"notes": notes} if notes else {}),
        "title": article.title,
        "url": article.url,
        "category": article.category,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "paragraphs": list(article.paragraphs),
    }
    assert got == want


def test_a_paywalled_page_saved_as_a_file_says_so_too(tmp_path: Path) -> None:
    saved = tmp_path / "budget.html"
    saved.write_bytes((PAGES / "paywalled.html").read_bytes())
    note, article = read_file(saved)
    assert isinstance(note, Skipped) and (note.location, note.kind) == (str(saved), "note")
    assert note.reason.startswith("behind a paywall")
    assert isinstance(article, Article) and article.title == "Budget Deal Reached After Midnight"


def test_a_consent_page_saved_as_a_file_is_refused_and_a_dated_banner_alone_is_no_story(tmp_path: Path) -> None:
    """Consent walls ("Before you continue to Google News", "We value your privacy") were stored as stories."""
    saved = tmp_path / "before-you-continue.html"
    saved.write_bytes((PAGES / "consent_google.html").read_bytes())
    assert [str(i) for i in read_file(saved)] == [f"skipped {saved}: {CONSENT_WALL}"]
    # A dated page whose only text is a banner (see article_with_banner.html) is no story either.
    banner = (PAGES / "article_with_banner.html").read_text(encoding="utf-8").split('<div class="notice">')[1]
    dated = (
        '<html><head><meta property="article:published_time" content="2026-11-30T16:00:00Z"><title>Harbour Gazette'
        f"</title></head><body><article><h1>Harbour Gazette</h1>{banner.split('<button>')[0]}</article></body></html>"
    ).encode()
    assert list(parse_page(dated, BASE + "dated", "text/html")) == [Skipped(BASE + "dated", CONSENT_WALL)]


def test_a_section_page_saved_as_a_file_is_refused(tmp_path: Path) -> None:
    """A front page of `<div>` teasers went in as one story mixing four; saved, it names no address of its own."""
    saved = tmp_path / "business.html"
    saved.write_bytes((PAGES / "section_divs.html").read_bytes())
    assert [str(i) for i in read_file(saved)] == [
        f"skipped {saved}: a page of 4 stories, not one story: ingest each story's own page, or follow the site's feed"
    ]


def test_a_response_that_does_not_say_what_it_is_is_sniffed() -> None:
    html = (PAGES / "minimal.html").read_bytes()
    assert isinstance(next(parse_page(html, BASE + "m", None)), Article)
    [refused] = parse_page(b"%PDF-1.7 binary", BASE + "doc", None)
    assert isinstance(refused, Skipped) and "not an HTML page" in refused.reason


def test_links_with_a_broken_host_do_not_stop_a_page(tmp_path: Path) -> None:
    """An unclosed bracket in a link's host (`https://host[/x`) raised ValueError out of reading the page."""
    broken = b'<p><a href="https://x.example[/other">More on the glacier</a></p></body>'
    html = (PAGES / "minimal.html").read_bytes().replace(b"</body>", broken)
    assert broken in html
    [article] = parse_page(html, BASE + "m", "text/html")
    assert isinstance(article, Article)
    path = tmp_path / "saved.html"
    path.write_bytes(
        html.replace(
            b"<head>", b'<head><link rel="alternate" type="application/rss+xml" href="https://x.example[/feed">'
        )
    )
    assert [type(i) for i in read_file(path)] == [Article]


def test_category_given_wins() -> None:
    [article] = parse_page((PAGES / "article.html").read_bytes(), BASE + "a", "text/html", category="Harbour")
    assert isinstance(article, Article) and article.category == "Harbour"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/html; charset=ISO-8859-1", ("text/html", "iso-8859-1")),
        ("Application/XHTML+XML", ("application/xhtml+xml", None)),
        ("", ("", None)),
        (None, ("", None)),
    ],
)
def test_media_type(header: str | None, expected: tuple[str, str | None]) -> None:
    assert media_type(header) == expected


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://Gazette.Example.org/2024/05/cafe?utm_source=rss&utm_medium=feed&id=42#comments",
            "https://gazette.example.org/2024/05/cafe?id=42",
        ),
        ("HTTP://EXAMPLE.com:80", "http://example.com/"),
        ("https://example.com:8443/a?b=1&c=2#top", "https://example.com:8443/a?b=1&c=2"),
        ("https://example.com/a?fbclid=abc&gclid=def", "https://example.com/a"),
        ("https://example.com/story.html;jsessionid=0A1B2C?id=4", "https://example.com/story.html?id=4"),
        ("https://example.com/story.php?PHPSESSID=9f8e&id=4", "https://example.com/story.php?id=4"),
        ("https://user:secret@Example.com/a", "https://example.com/a"),
        ("https://example.com/Path/Is/Kept?Q=Case", "https://example.com/Path/Is/Kept?Q=Case"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("ftp://Example.com/file", "ftp://Example.com/file"),
        ("not a link", "not a link"),
        ("http://[broken", "http://[broken"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical


@pytest.mark.parametrize(
    ("url", "web"),
    [("https://a.example/x", True), ("http://a.example", True), ("ftp://a.example", False), ("/relative", False)],
)
def test_is_web_url(url: str, web: bool) -> None:
    assert is_web_url(url) is web


@pytest.mark.parametrize(
    ("html", "paragraphs"),
    [
        ("<p>One <b>bold</b> line.</p><p>Two &amp; three.</p>", ("One bold line.", "Two & three.")),
        ("a<br>b<br><br>c", ("a b", "c")),
        ("<ul><li>first</li><li>second</li></ul>", ("first", "second")),
        ("<p>kept</p><script>alert('x')</script><style>p {}</style>", ("kept",)),
        ("5 < 6 and AT&T", ("5 < 6 and AT&T",)),
        ("&lt;b&gt;literal&lt;/b&gt;", ("<b>literal</b>",)),
        ("<div>unclosed <p>nested", ("unclosed", "nested")),
        ("", ()),
        # A CMS's or a feed's story: a photo's caption and an advertisement's label are no part of it.
        (
            "<p>Bus lanes approved.</p><div class='ad'>Advertisement</div><figure><img src='bus.jpg'>"
            "<figcaption>A bus. Photo: Kim Lee</figcaption></figure><p>Work starts in January.</p>"
            "<p>Continue reading the main story</p>",
            ("Bus lanes approved.", "Work starts in January."),
        ),
        ("before<figure>caption</figure>after", ("before", "after")),
        # What no HTML element is named was typed by a writer: text, kept; custom and namespaced elements are markup.
        ("Robot <lawnmower> &amp; drone", ("Robot <lawnmower> & drone",)),
        ("<p>Signed <Name withheld/> and <x y='1'>z</x></p>", ("Signed <Name withheld/> and <x y='1'>z</x>",)),
        ("<amp-img src='a.jpg'></amp-img><p><o:p>Word</o:p> text</p>", ("Word text",)),
    ],
)
def test_html_paragraphs(html: str, paragraphs: tuple[str, ...]) -> None:
    assert html_paragraphs(html) == paragraphs


def test_a_headline_is_never_taken_for_an_advertisements_label() -> None:
    assert html_text("<b>Advertisement</b>") == "Advertisement"


def test_html_text_is_one_line() -> None:
    assert html_text("<h1>Breaking:</h1>\n<p>Mayor  <em>resigns</em></p>") == "Breaking: Mayor resigns"


@pytest.mark.parametrize(
    "start", [b"\xef\xbb\xbf", b'<?xml version="1.0" encoding="UTF-8"?>\n', b'\xef\xbb\xbf<?xml version="1.0"?>']
)
def test_a_page_starting_with_a_byte_order_mark_or_an_xml_declaration_is_a_page(tmp_path: Path, start: bytes) -> None:
    """A page saved by a Windows editor (a UTF-8 byte order mark first) or written as XHTML (an XML declaration
    first) was "not an HTML page (the response does not say what it is and does not look like HTML)", as a file and
    fetched from a server that sends no Content-Type."""
    page = (PAGES / "article.html").read_bytes()
    [plain] = [i for i in parse_page(page, BASE + "cafe", None) if isinstance(i, Article)]
    assert [i for i in parse_page(start + page, BASE + "cafe", None) if isinstance(i, Article)] == [plain]
    saved = tmp_path / "cafe.html"
    saved.write_bytes(start + page)
    [article] = [i for i in read_file(saved) if isinstance(i, Article)]
    assert (article.title, article.paragraphs) == (plain.title, plain.paragraphs)


SOFT_404 = (
    "<!DOCTYPE html><html><head><title>{title} | Harbour Gazette</title></head><body><main><h1>{title}</h1>"
    "<p>{text}</p></main></body></html>"
)


@pytest.mark.parametrize(
    "title",
    ["Page not found", "404 Not Found", "Error 404", "Oops! That page can\u2019t be found.", "Service Unavailable"],
)
def test_a_sites_not_found_page_sent_as_200_is_no_story(title: str) -> None:
    """Many CMSs send their "Page not found" page with 200 OK: `newsbot ingest URL` stored it as a story headlined
    so, answering questions with "The page you were looking for may have moved"."""
    text = "The page you were looking for may have moved or no longer exists. Try our home page or search the site."
    page = SOFT_404.format(title=title, text=text).encode()
    [skipped] = parse_page(page, BASE + "gone", "text/html")
    assert isinstance(skipped, Skipped) and skipped.location == BASE + "gone"
    assert skipped.reason.startswith("an error page (\u201c") and skipped.reason.endswith(
        "\u201d), not a story: the site says it has no such page"
    )


def test_a_story_headlined_like_an_error_page_is_still_a_story() -> None:
    """A story may be headlined as an error page is ("Sorry, we couldn't find him", "500 years of the harbour"):
    it tells more than an error page does. (None of the 2,225 BBC headlines reads as one.)"""
    story = "The coastguard searched the cliffs for the missing walker through the night and into the morning. " * 10
    for title in ("Sorry, we couldn't find him: the search for a missing walker", "500 years of the harbour"):
        page = SOFT_404.format(title=title, text=story).encode()
        assert [i.title for i in parse_page(page, BASE + "walker", "text/html") if isinstance(i, Article)] == [title]
    short = SOFT_404.format(title="500 years of the harbour", text="The harbour is 500 years old today.").encode()
    assert [type(i) for i in parse_page(short, BASE + "harbour", "text/html")] == [Article]


def test_a_page_of_more_markup_than_a_story_has_is_refused_before_it_is_read() -> None:
    """A page of tens of thousands of linked headlines took minutes to read (trafilatura: 50,000 took 84 s), and a
    poll that gave up on it left its thread reading on: past `MAX_PAGE_ELEMENTS` it is refused unread. Elements in a
    script (`a<b`) are none of its markup."""
    story = "<h1>Harbour Wall Mended</h1>" + "<p>The harbour wall was mended over the winter by the council.</p>" * 5
    links = "".join(f'<li><a href="/n/{n}">Headline {n}</a></li>' for n in range(13_000))
    (refused,) = parse_page(f"<html><body>{story}<ul>{links}</ul></body></html>".encode(), "https://paper.example/a")
    assert isinstance(refused, Skipped) and refused.reason.startswith("too much markup to read as one story: 26,0")
    script = "<script>var s = '" + "a<b " * 30_000 + "';</script>"
    (read,) = parse_page(f"<html><head>{script}</head><body>{story}</body></html>".encode(), "https://paper.example/b")
    assert isinstance(read, Article) and read.title == "Harbour Wall Mended"
