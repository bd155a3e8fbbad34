"""A newsroom's own exports, as its first day brings them (tests/data/newsroom/, what each reads as in
newsroom.expected.json): a CMS's JSON with HTML bodies and nested fields, Arc XP's ANS, a spreadsheet's CSV under
its own column names, a feed's content, and the word processor files and PDFs newsbot does not read, each told
what it is and what to save it as."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ingest import Skipped, read_articles, read_file
from bot.ingest.dates import FileDates
from bot.ingest.feeds import parse_feed
from bot.ingest.newsxml import read_news_xml
from bot.models import Article
from tests.paths import DATA

NEWSROOM = DATA / "newsroom"
EXPECTED = json.loads((DATA / "newsroom.expected.json").read_text(encoding="utf-8"))


def shown(item: Article | Skipped) -> dict[str, object]:
    """What a reader of the library sees of an article, or what the ingest says of a file (its location by name)."""
    if isinstance(item, Skipped):
        return {"kind": item.kind, "at": Path(item.location).name, "reason": item.reason}
    return {
        "title": item.title,
        "paragraphs": list(item.paragraphs),
        "author": item.author,
        "category": item.category,
        "published": item.published.isoformat() if item.published else None,
        "url": item.url,
    }


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_a_newsroom_export_reads_as_its_readers_should_see_it(case: str) -> None:
    """Byline paragraphs, "Read more" boxes and table cells run together ("SurveyJanuary£120,000") were passages;
    stories nested in a CMS's objects were skipped ("empty title") or went in undated without a word; a .docx or
    a PDF was read as the seed's text format ("binary file, not text")."""
    want = EXPECTED[case]
    items = read_file(NEWSROOM / want["file"], want.get("fields"), want.get("site"))
    assert [shown(item) for item in items] == want["items"]


def test_a_folder_of_documents_says_what_to_save_them_as(tmp_path: Path) -> None:
    for name in ("minutes.docx", "budget.xlsx", "report.pdf", "photo.jpg"):
        (tmp_path / name).write_bytes(b"\x00\x01")
    [note] = list(read_articles([tmp_path]))
    assert isinstance(note, Skipped)
    assert note.reason.startswith("4 other files not read (1 .docx, 1 .jpg, 1 .pdf, 1 .xlsx); articles are read from")
    assert note.reason.endswith(
        "; a word processor's document: save it as a web page (.html) or as plain text (.txt, the headline on its"
        " first line) and ingest that; a PDF document: copy its text into a .txt file, the headline on its first"
        " line, and ingest that; a spreadsheet: save it as CSV (.csv: a row a story, under a header row naming the"
        " columns)"
    )


def test_what_a_browser_saves_beside_a_page_is_not_read_as_stories() -> None:
    """A browser's "Save page as" (complete) keeps the page's resources in `NAME_files/` beside `NAME.html`, the
    frames it shows among them as pages of their own: an advertisement's went in as a story, and its scripts and
    pictures were counted as files not read. A folder so named beside no page is read."""
    folder = DATA / "saved_pages"
    items = list(read_articles([folder]))
    assert sorted(item.title for item in items if isinstance(item, Article)) == [
        "Market hall opens",
        "Readers' letters: keep the ferry timetable",
    ]
    assert [str(item) for item in items if isinstance(item, Skipped)] == [
        f"note {folder}: Market hall opens - Courier_files/ not read: what a browser saves beside a page (its"
        " pictures, scripts, and the frames it shows, advertisements and videos among them) is no story"
    ]


@pytest.mark.parametrize("site", ["hugo", "jekyll", "hugo_permalinks", "hugo_no_address", "jekyll_default"])
def test_a_static_sites_folder_gives_its_posts_and_no_templates(site: str) -> None:
    """A site's source folder as a newsroom keeps it: its layouts went in as stories headlined `{{ .Title }}` and
    `{{ page.title }}`, its `_drafts/` as stories, and Jekyll's posts undated (their day is in their names). A post
    without a `url` went in without a link: it is linked where its site's configuration (its address, its
    permalinks), else its generator's default, publishes it; a site naming no address says so."""
    folder = DATA / "static_sites" / site
    want = json.loads((DATA / "static_sites.expected.json").read_text(encoding="utf-8"))[site]
    items = list(read_articles([folder]))
    stories = sorted(
        [
            item.title,
            item.published.isoformat() if item.published else None,
            Path(item.origin or "").name,
            item.url,
        ]
        for item in items
        if isinstance(item, Article)
    )
    said = [
        [item.kind, str(Path(item.location).relative_to(folder)), item.reason]
        for item in items
        if isinstance(item, Skipped)
    ]
    assert {"stories": stories, "said": said} == want


def test_a_newsml_1_items_revision_replaces_it_and_followed_it_is_saved_as_a_file() -> None:
    """NewsML 1 was refused ("which newsbot does not read"). An item is known by its provider's, day's and own ids,
    not by its public id, which adds the revision: a revision kept the story it revises beside it."""
    first = (NEWSROOM / "newsml1 wire.xml").read_bytes()
    revised = first.replace(b'PreviousRevision="0" Update="N">1<', b'PreviousRevision="1" Update="N">2<', 1)
    revised = revised.replace(b"lifeboat-crew:1<", b"lifeboat-crew:2<").replace(b"four new", b"five new")
    [story, *_], [edited, *_] = (list(read_news_xml(data, "wire.xml", FileDates())) for data in (first, revised))
    assert isinstance(story, Article) and isinstance(edited, Article)
    assert edited.title.startswith("Skerra lifeboat crew trains five") and edited.origin == story.origin
    assert story.origin == "wire.xml#urn:newsml:courier.example:20261205:lifeboat-crew"
    assert parse_feed(first, "https://courier.example/wire.xml") == Skipped(
        "https://courier.example/wire.xml",
        "a NewsML 1 document (the news industry's XML), not a feed: save it as a file (.xml) and ingest that, newsbot"
        " reads its stories so",
    )


def test_an_nitf_story_dated_only_by_its_publication_data_is_dated() -> None:
    """An operator's NITF file dated by `<pubdata date.publication=...>` alone (no `<date.issue>`, no dateline)
    went in undated."""
    nitf = (
        b'<?xml version="1.0" encoding="UTF-8"?><nitf><head><title>Marsh restored</title>'
        b'<pubdata type="web" date.publication="20261207T070000Z"/></head><body><body.head><hedline><hl1>Salt marsh'
        b" restored for wading birds</hl1></hedline></body.head><body.content><p>A sea wall was breached on purpose"
        b" so the tide could flood forty hectares of old pasture.</p></body.content></body></nitf>"
    )
    [story] = read_news_xml(nitf, "marsh.xml", FileDates())
    assert isinstance(story, Article) and story.published is not None, story
    assert story.published.isoformat() == "2026-12-07T07:00:00+00:00"
