"""Reading articles: the seed format, bulk formats, malformed files, directories."""

from __future__ import annotations

import gzip
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.errors import ArticleError
from bot.ingest import Skipped, parse_date, read_articles, read_file, split_paragraphs
from bot.ingest.limits import MAX_PASTED_FILE_BYTES, MAX_RECORD_BYTES
from bot.ingest.text import dated_byline
from bot.models import Article
from tests.paths import DATA, ROOT

EXPECTED = json.loads((DATA / "articles.expected.json").read_text(encoding="utf-8"))
# Other ways of writing the seed's format: dates in words, other date lines, UTF-16 (kept apart from articles/,
# which other tests ingest whole).
FORMS = json.loads((DATA / "article_forms.expected.json").read_text(encoding="utf-8"))
MALFORMED = json.loads((DATA / "malformed.expected.json").read_text(encoding="utf-8"))
NO_DATE_LINE = json.loads((DATA / "no_date_line.expected.json").read_text(encoding="utf-8"))
# Files saved in Windows-1252 (Notepad, Excel) or Latin-1, and western text that other encodings' readings must not
# take (English with curly quotes and a pound sign, or only a "m²", French, Italian, Portuguese's "õe"): each file's
# articles as (headline, paragraphs).
WINDOWS_1252 = json.loads((DATA / "windows1252.expected.json").read_text(encoding="utf-8"))
# Files in Central European, Cyrillic, Greek, Japanese, Chinese and Korean encodings, UTF-16 without a byte order
# mark, and in encodings not read (Hebrew, two at once): each file's note and articles as (headline, paragraphs), or
# why it is refused.
ENCODINGS = json.loads((DATA / "encodings.expected.json").read_text(encoding="utf-8"))
# Articles whose date cannot be read (impossible, unknown, an ambiguous zone): headlines, and notes by location.
# Markdown files (front matter, or only a heading): the article each holds, or why it is skipped.
MARKDOWN = json.loads((DATA / "markdown.expected.json").read_text(encoding="utf-8"))
UNREADABLE_DATES = json.loads((DATA / "unreadable_dates.expected.json").read_text(encoding="utf-8"))
WRONG_SUFFIX = json.loads((DATA / "wrong_suffix.expected.json").read_text(encoding="utf-8"))


def only_article(path: Path) -> Article:
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def test_seed_article_reads_exactly() -> None:
    seed = next((ROOT / "corpus").glob("*.txt"))
    article = only_article(seed)
    assert article.title == "Russia Invites US Military Chief to Missile Defense Talks"
    assert article.category == "News"
    assert article.author is None  # the source site gave its section's slug ("us-russia") as the author
    assert article.published == datetime(2013, 3, 7, 7, 37, tzinfo=UTC)  # day first: 7 March
    assert len(article.paragraphs) == 11
    assert article.paragraphs[0].startswith("Russia has invited US Joint Chiefs")
    # Typographic quotes and accents survive; the no-break-space "blank" lines and the footer are not body.
    assert "discussion,\u201d Gen. Gerasimov" in article.paragraphs[1]
    assert "attach\u00e9s" in article.paragraphs[1]
    assert all(p.strip() and not p.startswith(("Comments:", "Category:")) for p in article.paragraphs)
    assert article.paragraphs[-1].endswith("strategic nuclear missile arsenal.")


@pytest.mark.parametrize(
    ("folder", "name"),
    [("articles", name) for name in sorted(EXPECTED)] + [("article_forms", n) for n in sorted(FORMS)],
)
def test_text_format_cases(folder: str, name: str) -> None:
    expected = {**EXPECTED, **FORMS}[name]
    article = only_article(DATA / folder / name)
    assert article.title == expected["title"]
    assert article.category == expected["category"]
    assert article.author == expected["author"]
    assert article.published == (expected["published"] and datetime.fromisoformat(expected["published"]))
    assert article.url == expected["url"]
    assert len(article.paragraphs) == expected["paragraphs"]
    assert article.paragraphs[0].startswith(expected["first"])
    assert article.paragraphs[-1].endswith(expected["last_ends"])


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_skipped_with_reason(name: str) -> None:
    [item] = list(read_file(DATA / "malformed" / name))
    assert isinstance(item, Skipped)
    assert item.location.endswith(name)
    assert MALFORMED[name].lower() in item.reason.lower()


@pytest.mark.parametrize("name", sorted(WINDOWS_1252))
def test_text_that_is_not_utf8_is_read_whole_as_windows_1252_with_one_note(name: str) -> None:
    """A file in Windows' legacy encoding used to be refused, or to lose every record with an accent: the whole
    file is read as Windows-1252, and one note says so."""
    path = DATA / "windows1252" / name
    items = list(read_file(path))
    assert [(i.location, i.kind, i.reason) for i in items if isinstance(i, Skipped)] == [
        (str(path), "note", "not UTF-8: read as Windows-1252 (Latin-1)")
    ]
    assert isinstance(items[0], Skipped)
    assert [[a.title, list(a.paragraphs)] for a in items if isinstance(a, Article)] == WINDOWS_1252[name]


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_text_in_other_encodings_is_read_in_its_own_or_refused(name: str) -> None:
    """Russian (Windows-1251), Japanese (Shift_JIS, EUC-JP) and Chinese (GB18030) files were read as Windows-1252,
    garbage stored with a note, and UTF-16 without a byte order mark was refused as binary; Polish, Czech and
    Hungarian (Windows-1250, ISO-8859-2) were still read as Windows-1252, and Greek (Windows-1253, ISO-8859-7),
    KOI8-R, Big5 and EUC-KR refused; Turkish (Windows-1254, ISO-8859-9), Lithuanian and Latvian (Windows-1257,
    ISO-8859-13) and a short Croatian file were read as Windows-1252, and Ukrainian in KOI8-U as KOI8-R: each is read
    in its encoding, with a note naming a legacy one; text none of them reads right is refused, saying so."""
    path = DATA / "encodings" / name
    expected = ENCODINGS[name]
    items = list(read_file(path))
    if "skipped" in expected:
        assert items == [Skipped(str(path), expected["skipped"])]
        return
    assert [(i.kind, i.reason) for i in items if isinstance(i, Skipped)] == (
        [("note", expected["note"])] if expected["note"] else []
    )
    assert [[a.title, list(a.paragraphs)] for a in items if isinstance(a, Article)] == expected["articles"]


def test_a_file_too_short_to_tell_by_its_accents_is_read_as_windows_1252(tmp_path: Path) -> None:
    """A short Icelandic file is over half accented letters, as Greek read as Windows-1252 is, and was refused as in
    no encoding newsbot can tell: with fewer than 40 letters it is read as Windows-1252, with the note. A Greek
    sentence has more, and is read as Greek."""
    note = "not UTF-8: read as Windows-1252 (Latin-1)"
    short = tmp_path / "short.txt"
    short.write_bytes("Þú átt það\n\nJá, ég á það.\n".encode("cp1252"))
    items = list(read_file(short))
    assert [(i.kind, i.reason) for i in items if isinstance(i, Skipped)] == [("note", note)]
    assert [(a.title, a.paragraphs) for a in items if isinstance(a, Article)] == [("Þú átt það", ("Já, ég á það.",))]
    line = tmp_path / "line.txt"
    line.write_bytes("Þú átt það".encode("cp1252"))
    # One line is read too: it is no article, for want of a story, not for its encoding.
    assert [str(i) for i in read_file(line)] == [
        f"skipped {line}: no body text after its headline, \u201c\u00de\u00fa \u00e1tt \u00fea\u00f0\u201d"
    ]
    greek = tmp_path / "greek.txt"
    greek.write_bytes("\u0397 γέφυρα κλείνει\n\n\u039f δήμος ενέκρινε την επισκευή της γέφυρας.\n".encode("cp1253"))
    assert [str(i) for i in read_file(greek) if isinstance(i, Skipped)] == [
        f"note {greek}: not UTF-8: read as Windows-1253 (Greek)"
    ]


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_stray_byte_in_utf8_text_loses_that_character_not_the_story(tmp_path: Path, suffix: str) -> None:
    """A story in UTF-8 with one byte that is none (a Windows quote mark pasted in) was skipped whole, "not UTF-8
    text": it is read, the byte as U+FFFD, and a note says where it was and how many there are."""
    heading = "# " if suffix == ".md" else ""
    text = f"{heading}Storm Elin cancels ferries\n\nCafé owners said the \u201cwaves\u201d were the worst in years.\n"
    path = tmp_path / f"storm{suffix}"
    data = text.encode()
    path.write_bytes(data.replace(b"worst", b"wo\x9drst"))
    # As an editor shows it, line and column from 1 (it said the byte from the file's start, from 0); "Café" is
    # four characters there, not five bytes.
    at = "line 3, column 41"
    items = list(read_file(path))
    assert [str(i) for i in items if isinstance(i, Skipped)] == [
        f"note {path}: not UTF-8 text ({at}: b'\\x9d'): read with \ufffd in its place"
    ]
    [article] = [a for a in items if isinstance(a, Article)]
    assert article.paragraphs == ("Café owners said the \u201cwaves\u201d were the wo\ufffdrst in years.",)
    path.write_bytes(data.replace(b"worst", b"wo\x9drst").replace(b"years", b"y\xffea\xferss"))
    assert [i.reason for i in read_file(path) if isinstance(i, Skipped)] == [
        f"not UTF-8 text ({at}: b'\\x9d'; 3 such spots): read with \ufffd in its place"
    ]


@pytest.mark.parametrize("name", sorted(UNREADABLE_DATES))
def test_an_article_whose_date_cannot_be_read_is_kept_undated_with_a_note(name: str) -> None:
    """An unreadable date used to drop the article although undated articles are welcome: it goes in undated
    (never with a guessed, wrong date), and a note names where it is and the date as written."""
    path = DATA / "unreadable_dates" / name
    expected = UNREADABLE_DATES[name]
    items = list(read_file(path))
    articles = [i for i in items if isinstance(i, Article)]
    notes = {i.location[len(str(path)) :]: i for i in items if isinstance(i, Skipped)}
    assert [a.title for a in articles] == expected["titles"]
    assert set(notes) == set(expected["notes"]) and all(n.kind == "note" for n in notes.values())
    for where, reason in expected["notes"].items():
        assert reason in notes[where].reason and notes[where].reason.endswith("the article is kept undated")
    assert sum(a.published is None for a in articles) == len(notes)


@pytest.mark.parametrize("name", sorted(MARKDOWN))
def test_markdown_is_read_from_its_front_matter_and_text(name: str) -> None:
    """Markdown used to be only counted among the files not read: its front matter gives the fields, the title
    or else the first `# ` heading the headline, and its text becomes plain (a link keeps its text)."""
    path = DATA / "markdown" / name
    expected = MARKDOWN[name]
    items = list(read_file(path))
    if "skipped" in expected:
        assert items == [Skipped(str(path), expected["skipped"])]
        return
    *notes, article = items
    assert [n.reason.split(" (")[0] for n in notes if isinstance(n, Skipped)] == (
        [expected["note"]] if "note" in expected else []
    )
    assert isinstance(article, Article)
    published = article.published.isoformat() if article.published else None
    assert (article.title, article.category, article.author, published, article.url) == tuple(
        expected[key] for key in ("title", "category", "author", "published", "url")
    )
    assert list(article.paragraphs) == expected["paragraphs"]


def test_a_markdown_url_that_is_a_path_is_read_on_the_site_given(tmp_path: Path) -> None:
    """Hugo's and Jekyll's `url:` is a path on the site, which the site's own address makes a link; without it, a
    note says how to give it (as for an export's records)."""
    path = tmp_path / "ferry.md"
    path.write_text('---\ntitle: "Ferry Fares Rise"\nurl: /news/ferry-fares/\n---\n\nFares rise in January.\n')
    note, alone = read_file(path)
    [on_site] = read_file(path, site="https://md.example.org")
    assert isinstance(alone, Article) and isinstance(on_site, Article)
    assert isinstance(note, Skipped) and note.note and "give it with --site" in note.reason, note
    assert (alone.url, on_site.url) == (None, "https://md.example.org/news/ferry-fares/")


def test_articles_pasted_from_files_without_a_newline_at_their_end_are_each_read(tmp_path: Path) -> None:
    """`cat` of files that end without a newline (the shipped article's does) runs one's last line into the next
    one's headline: the second story went into the first's text, headers and all, with no word."""
    pasted = DATA / "pasted" / "three_articles.txt"
    text = pasted.read_text(encoding="utf-8")
    glued = text.replace("Weather\n\nLifeboat", "WeatherLifeboat").replace("evening.\n\nMarket", "evening.Market")
    assert glued.count("\n\n") == text.count("\n\n") - 2
    path = tmp_path / "all.txt"
    path.write_text(glued, encoding="utf-8")

    def read(path: Path) -> list[tuple[str, datetime | None, tuple[str, ...]]]:
        return [(a.title, a.published, a.paragraphs) for a in read_file(path) if isinstance(a, Article)]

    assert read(path) == read(pasted) and len(read(path)) == 3


def test_a_file_of_articles_pasted_together_may_be_larger_than_one_article(tmp_path: Path) -> None:
    """The 2,225 BBC articles pasted into one file are 5.8 MB: the file was refused whole, as too large for one
    article. Now each article in it is held to that limit, and the file to a feed file's; past it, the file is refused
    saying what to do, as a user cannot tell why 10 MB of text is too large."""
    story = (DATA / "pasted" / "three_articles.txt").read_text(encoding="utf-8")
    huge = "Ferry Report Published\nAuthor: desk\nPublished 2-12-2026, 09:00\n\n" + "The report. " * 420_000
    path = tmp_path / "all.txt"
    path.write_text(f"{story}\n\n{huge}\n\n{story}", encoding="utf-8")
    assert path.stat().st_size > MAX_RECORD_BYTES
    items = list(read_file(path))
    assert len([i for i in items if isinstance(i, Article)]) == 6
    [skipped] = [i for i in items if isinstance(i, Skipped)]
    assert skipped.location == f"{path}#4" and skipped.reason.startswith("too large for an article (5,040,0")
    with path.open("a", encoding="utf-8") as grown:
        grown.write(story * (MAX_PASTED_FILE_BYTES // len(story)))
    assert [str(i) for i in read_file(path)] == [
        f"skipped {path}: too large for a file of articles ({path.stat().st_size:,} bytes; the limit is 10,000,000);"
        " split it into smaller files, or save its articles as JSON Lines (.jsonl), read at any size"
    ]


def test_articles_pasted_into_one_file_are_each_read() -> None:
    """Seed articles concatenated into one file (`cat *.txt > all.txt`) were read as the first, the others'
    headlines, header lines and text merged into its paragraphs."""
    path = DATA / "pasted" / "three_articles.txt"
    items = list(read_file(path))
    assert all(isinstance(i, Article) for i in items)
    assert [
        (a.origin, a.title, a.category, a.author, a.published and a.published.isoformat(), a.paragraphs)
        for a in items
        if isinstance(a, Article)
    ] == [
        (
            str(path),
            "Storm Closes Schools Across the County",
            "Weather",
            "weather-desk",
            "2026-12-01T07:05:00+00:00",
            (
                "Schools across the county closed on Tuesday as the storm brought winds of 90mph.",
                "The council said school buses would not run until Thursday.",
            ),
        ),
        (
            f"{path}#2",
            "Lifeboat Crew Rescues Two Kayakers",
            "Local",
            "coast-desk",
            "2026-11-30T16:20:00+00:00",
            (
                "Two kayakers were brought ashore by the lifeboat crew on Monday afternoon.",
                "Both were checked by paramedics and went home the same evening.",
            ),
        ),
        (
            f"{path}#3",
            "Market Hall Roof Repaired",
            "Local",
            "town-desk",
            "2026-11-29T09:00:00+00:00",
            ("The market hall roof has been repaired in time for the winter fair.",),
        ),
    ]


def test_only_a_headline_and_body_text_file_is_read_undated(tmp_path: Path) -> None:
    """A `.txt` of a headline, a blank line and the body (no header lines) is a plain article with no date; the
    same text in a file with no suffix (README, LICENCE) is not, nor is a file with no suffix that has header lines
    but lost its date line."""
    plain = (DATA / "article_forms" / "plain.txt").read_bytes()
    (tmp_path / "README").write_bytes(plain)
    (tmp_path / "NOTES").write_bytes((DATA / "no_date_line" / "category_only.txt").read_bytes())
    for name in ("README", "NOTES"):
        [item] = list(read_file(tmp_path / name))
        assert isinstance(item, Skipped) and "no 'Published" in item.reason, name


@pytest.mark.parametrize(
    ("text", "title", "author"),
    [
        ("Harbour Lights Switched On Early\n", "Harbour Lights Switched On Early", None),
        ("Who pays for the harbour lights?\n", "Who pays for the harbour lights?", None),
        ("Harbour Lights Switched On Early\nBy Sam Lee\n", "Harbour Lights Switched On Early", "Sam Lee"),
    ],
)
def test_a_plain_article_whose_text_follows_its_headline_without_a_blank_line_is_read(
    tmp_path: Path, text: str, title: str, author: str | None
) -> None:
    """As people type one: it was skipped for a missing date line that a plain article need not have."""
    path = tmp_path / "lights.txt"
    path.write_text(f"{text}The lights were switched on a week early.\n\nThe display runs until January.\n")
    items = list(read_file(path))
    assert [(a.title, a.author, a.paragraphs, a.published) for a in items if isinstance(a, Article)] == [
        (title, author, ("The lights were switched on a week early.", "The display runs until January."), None)
    ]
    assert [i for i in items if isinstance(i, Skipped)] == []


@pytest.mark.parametrize(
    ("first", "title"),
    [
        ("Title: Harbour Lights Switched On", "Harbour Lights Switched On"),
        ("HEADLINE:Harbour Lights Switched On", "Harbour Lights Switched On"),
        ("# Harbour Lights Switched On", "Harbour Lights Switched On"),
        ("## Harbour Lights Switched On", "Harbour Lights Switched On"),
        ("#MeToo Marchers Reach the Harbour", "#MeToo Marchers Reach the Harbour"),
    ],
)
def test_a_headline_written_as_a_header_or_a_heading_is_the_headline_alone(
    tmp_path: Path, first: str, title: str
) -> None:
    """As people write one in a text file: "Title: " or Markdown's "# " was kept in the headline."""
    path = tmp_path / "lights.txt"
    path.write_text(f"{first}\n\nThe lights were switched on a week early.\n")
    assert only_article(path).title == title
    dated = tmp_path / "dated.txt"
    dated.write_text(f"{first}\nCategory: News\nPublished 1-12-2026, 10:15\nThe lights were switched on early.\n")
    assert only_article(dated).title == title


def test_a_plain_article_whose_first_line_is_a_sentence_says_its_headline_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "lights.txt"
    path.write_text("The harbour's lights were switched on early, after a vote.\nThe display runs until January.\n")
    [item] = list(read_file(path))
    assert item == Skipped(
        str(path),
        "no headline: its first line reads as the story's text (\u201cThe harbour's lights were switched on early,"
        " after a vote.\u201d); put the headline on the first line, the text after it",
    )


@pytest.mark.parametrize("name", sorted(NO_DATE_LINE))
def test_a_text_article_with_header_lines_and_no_date_line_is_kept_undated(name: str) -> None:
    """Such a `.txt` (a headline, "Category:", "Source:" lines, the body) was refused as malformed, though an undated
    record, page or feed entry is kept: it is kept undated too, with a note saying why it has no date."""
    path = DATA / "no_date_line" / name
    expected = NO_DATE_LINE[name]
    items = list(read_file(path))
    [article] = [i for i in items if isinstance(i, Article)]
    assert [str(i) for i in items if isinstance(i, Skipped)] == [
        f"note {path}: no 'Published D-MM-YYYY, HH:MM' line after the headline; the article is kept undated"
    ]
    assert (article.title, article.category, article.author, article.url, article.published) == (
        expected["title"],
        expected["category"],
        expected["author"],
        expected["url"],
        None,
    )
    assert list(article.paragraphs) == expected["paragraphs"]


def test_a_plain_article_keeps_a_first_line_that_looks_like_a_header(tmp_path: Path) -> None:
    """Header lines are passed over only on the way to a date line: a plain article's body is kept whole."""
    path = tmp_path / "plain.txt"
    path.write_text("Ferry Timetable Changes\n\nUpdate: the morning ferry now leaves at seven.\n\nMore to follow.\n")
    article = only_article(path)
    assert article.published is None
    assert article.paragraphs == ("Update: the morning ferry now leaves at seven.", "More to follow.")


@pytest.mark.parametrize("header", ["URL", "Link", "Source"])
def test_a_text_articles_link_is_read_as_a_records_is(tmp_path: Path, header: str) -> None:
    """Without its scheme, as typed, and without its tracking parameters, as the story's link is stored."""
    path = tmp_path / "wind.txt"
    path.write_text(
        f"Wind Farm Approved\n\n{header}: bbc.co.uk/news/wind?utm_source=share\nPublished 1-12-2026, 10:15\n"
        "Construction starts next spring.\n",
        encoding="utf-8",
    )
    assert only_article(path).url == "https://bbc.co.uk/news/wind"


def test_directory_is_read_recursively_and_bad_files_do_not_stop_the_batch(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    for source in (DATA / "articles").glob("*.txt"):
        (nested / source.name).write_bytes(source.read_bytes())
    (tmp_path / "a" / "broken.txt").write_bytes((DATA / "malformed" / "no_body.txt").read_bytes())
    (tmp_path / ".hidden.txt").write_text("not read")
    items = list(read_articles([tmp_path]))
    articles = [i for i in items if isinstance(i, Article)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert sorted(a.title for a in articles) == sorted(e["title"] for e in EXPECTED.values())
    assert [Path(s.location).name for s in skipped] == ["broken.txt", tmp_path.name]
    assert skipped[1].reason.startswith("1 hidden file or folder not read (.hidden.txt)")


def test_hidden_files_and_folders_are_named_once_not_passed_over_silently(tmp_path: Path) -> None:
    """A dot file in a folder (an editor's, the system's, a Mac's `._` copy) or a dot folder (.git) is not read,
    but one note names each (a folder once, whatever it holds); given by its own path, a hidden file is read."""
    story = (DATA / "articles" / "minimal.txt").read_bytes()
    (tmp_path / "desk" / ".git" / "objects").mkdir(parents=True)
    (tmp_path / "desk" / ".git" / "objects" / "ab.txt").write_bytes(story)
    (tmp_path / "desk" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "desk" / ".draft.txt").write_bytes(story)
    (tmp_path / "._story.txt").write_bytes(b"\x00\x05\x16\x07")
    (tmp_path / "story.txt").write_bytes(story)
    items = list(read_articles([tmp_path]))
    assert [i.title for i in items if isinstance(i, Article)] == [EXPECTED["minimal.txt"]["title"]]
    [note] = [i for i in items if isinstance(i, Skipped)]
    assert (note.location, note.kind) == (str(tmp_path), "skipped")
    assert note.reason.startswith("3 hidden files and folders not read (._story.txt, desk/.draft.txt, desk/.git/)")
    assert only_article(tmp_path / "desk" / ".draft.txt").title == EXPECTED["minimal.txt"]["title"]


def test_a_folder_a_link_names_is_read_and_a_broken_link_is_named(tmp_path: Path) -> None:
    """A link to a folder (`archive -> /mnt/archive`) was passed over without a word, its stories never read, as
    was a link to a file no longer there; a link back up the tree is read once, not round and round."""
    story = (DATA / "articles" / "minimal.txt").read_bytes()
    (tmp_path / "archive" / "2026").mkdir(parents=True)
    (tmp_path / "archive" / "2026" / "pier.txt").write_bytes(story)
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "own.txt").write_text("Market returns\n\nThe market returns to the square this winter.\n", encoding="utf-8")
    (desk / "archive").symlink_to(tmp_path / "archive")
    (desk / "up").symlink_to(desk)
    (desk / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    items = list(read_articles([desk]))
    origins = sorted(i.origin or "" for i in items if isinstance(i, Article))
    assert origins == [str(tmp_path / "archive" / "2026" / "pier.txt"), str(desk / "own.txt")]
    skipped = [(i.location, i.reason) for i in items if isinstance(i, Skipped)]
    assert skipped == [(str(desk / "gone.txt"), f"a link to {tmp_path / 'deleted.txt'}, which is not there")]


def test_other_files_under_a_directory_are_reported_once_and_code_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "photo.JPG").write_bytes(b"\xff\xd8")
    (tmp_path / "sub" / "more.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "__init__.py").write_text("")  # a corpus folder that is a Python package, as the shipped one is
    (tmp_path / "story.txt").write_bytes((DATA / "articles" / "minimal.txt").read_bytes())
    items = list(read_articles([tmp_path]))
    assert [i.title for i in items if isinstance(i, Article)] == [EXPECTED["minimal.txt"]["title"]]
    [skipped] = [i for i in items if isinstance(i, Skipped)]
    assert skipped.location == str(tmp_path)
    assert skipped.reason.startswith("3 other files not read (2 .docx, 1 .jpg)")
    for extra in (tmp_path / "sub" / "photo.JPG", tmp_path / "sub" / "more.docx"):
        extra.unlink()
    [one] = [i for i in read_articles([tmp_path]) if isinstance(i, Skipped)]
    assert one.reason.startswith("1 other file not read (1 .docx)")


def test_an_rss_1_feed_saved_as_rdf_is_read_as_a_feed(tmp_path: Path) -> None:
    """RSS 1.0 is RDF and sites name it so (`index.rdf`): it was read as a seed text article and refused."""
    (tmp_path / "index.rdf").write_bytes((DATA / "feeds" / "rss1_rdf.xml").read_bytes())
    items = list(read_articles([tmp_path]))
    assert items and all(isinstance(i, Article) or i.kind == "note" for i in items)
    assert [i.url for i in items if isinstance(i, Article)] == [
        e["url"] for e in json.loads((DATA / "feeds" / "rss1_rdf.expected.json").read_text())["entries"]
    ]


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_a_saved_web_page_is_read_linked_to_its_own_canonical_address(tmp_path: Path, suffix: str) -> None:
    saved = tmp_path / f"cafe{suffix}"
    saved.write_bytes((DATA / "pages" / "article.html").read_bytes())
    article = only_article(saved)
    assert article.title == "Harbour Council Approves Café Expansion" and article.author == "Jane Ortiz"
    assert article.url == "https://www.gazette.example.org/2024/05/cafe-expansion"  # tracking parameters gone
    assert article.origin == str(saved) and len(article.paragraphs) == 3
    # A file has no site of its own: whatever page it names as its own is its link; none, no link.
    other = tmp_path / "other.html"
    other.write_bytes((DATA / "pages" / "other_site_canonical.html").read_bytes())
    assert only_article(other).url == "https://victim.example.com/real-story"
    minimal = tmp_path / "minimal.html"
    minimal.write_bytes((DATA / "pages" / "minimal.html").read_bytes())
    assert only_article(minimal).url is None
    [skipped] = read_file(DATA / "pages" / "no_text.html")
    assert isinstance(skipped, Skipped) and skipped.location == str(DATA / "pages" / "no_text.html")


@pytest.mark.parametrize("suffix", [".xml", ".rss", ".atom"])
def test_a_saved_feed_is_read_story_by_story_each_linked_to_its_page(tmp_path: Path, suffix: str) -> None:
    saved = tmp_path / f"daily{suffix}"
    saved.write_bytes((DATA / "feeds" / "atom.xml").read_bytes())
    expected = json.loads((DATA / "feeds" / "atom.expected.json").read_text(encoding="utf-8"))["entries"]
    items = list(read_file(saved))
    assert all(isinstance(i, Article) for i in items)
    assert [(a.title, a.url, a.published and a.published.isoformat(), list(a.paragraphs)) for a in items] == [
        (e["title"], e["url"], e["published"], e["paragraphs"]) for e in expected
    ]


def test_a_saved_feed_of_teasers_keeps_them_with_a_note_and_other_xml_is_refused(tmp_path: Path) -> None:
    """A file cannot fetch the stories' pages: a teaser is the text, said once for the file; a story with only
    a headline is skipped with its reason."""
    saved = tmp_path / "wire.xml"
    saved.write_bytes((DATA / "feeds" / "rss2_summary_only.xml").read_bytes())
    items = list(read_file(saved))
    articles = [i for i in items if isinstance(i, Article)]
    notes = [i for i in items if isinstance(i, Skipped)]
    assert [a.paragraphs for a in articles] == [
        ("A drone survey found the glacier had retreated 120 metres since 2015\u2026",),
        ("Unions accepted a late pay offer.",),
    ]
    assert [(n.location, n.kind) for n in notes] == [
        ("https://wire.example.com/politics/only-a-headline", "skipped"),
        (str(saved), "note"),
    ]
    assert notes[0].reason.startswith("only a headline")
    assert notes[1].reason.startswith("2 of its stories went in as the feed gives them, a short text")
    headline = tmp_path / "headline.rss"
    headline.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Only a headline</title>'
        "<link>https://a.example/story</link></item></channel></rss>\n"
    )
    [skipped] = read_file(headline)
    assert isinstance(skipped, Skipped) and not skipped.cut and skipped.location == "https://a.example/story"
    assert skipped.reason.startswith("only a headline")
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>\n')
    [refused] = read_file(sitemap)
    assert isinstance(refused, Skipped) and not refused.cut
    # A sitemap of pages (no headlines) is no feed; it says what it is (a news sitemap is one, tests/data/feeds).
    assert refused.reason == (
        "a sitemap of pages without headlines, not a feed: follow the site's news sitemap or its RSS or Atom feed"
    )


def test_a_saved_feeds_relative_links_are_read_against_the_address_it_names_as_its_own(tmp_path: Path) -> None:
    """Big publishers' RSS links stories by path (`/business/...`): saved as a file, the feed's own address
    (`atom:link rel="self"`, else its `<link>`) is what they are relative to."""
    saved = tmp_path / "business.rss"
    feed = (DATA / "saved_feeds" / "relative_links.rss").read_text(encoding="utf-8")
    saved.write_text(feed, encoding="utf-8")
    assert [i.url for i in read_file(saved) if isinstance(i, Article)] == [
        "https://www.dailyharbour.example/business/2026/dec/01/markets-slide",
        "https://www.dailyharbour.example/business/port-traffic-record",
    ]
    saved.write_text(feed.replace("<atom:link", "<atom:link rel='hub'").replace(' rel="self"', ""), encoding="utf-8")
    assert [i.url for i in read_file(saved) if isinstance(i, Article)][1] == (
        "https://www.dailyharbour.example/port-traffic-record"
    )
    saved.write_text(feed.replace("https://www.dailyharbour.example", ""), encoding="utf-8")
    skipped = [i for i in read_file(saved) if isinstance(i, Skipped) and i.kind == "skipped"]
    assert [(i.location, i.reason) for i in skipped] == [
        (
            f"{saved} entry {n}",
            f"no http(s) link to the story ({link!r}, and the feed names no address of its own)",
        )
        for n, link in ((1, "/business/2026/dec/01/markets-slide"), (2, "port-traffic-record"))
    ]


def test_a_json_feed_saved_as_json_is_read_as_a_feed_and_other_json_as_records(tmp_path: Path) -> None:
    items = list(read_file(DATA / "feeds" / "jsonfeed.json"))
    articles = [i for i in items if isinstance(i, Article)]
    assert [a.title for a in articles] == [
        "Tram Line Opens to the Docks",
        "Bakery Wins Regional Prize",
        "A story told in plain text.",
    ]
    assert any(isinstance(i, Skipped) and i.kind == "note" and "went in as the feed gives" in i.reason for i in items)
    records = tmp_path / "export.json"
    records.write_text(json.dumps([{"title": "Mentions jsonfeed.org/version", "body": "A story about feeds."}]))
    [story] = read_file(records)
    assert isinstance(story, Article) and story.paragraphs == ("A story about feeds.",)


def test_jsonl_records_and_their_errors() -> None:
    items = list(read_file(DATA / "bulk.jsonl"))
    articles = [i for i in items if isinstance(i, Article)]
    skipped = {i.location.rsplit(":", 1)[-1]: i.reason for i in items if isinstance(i, Skipped)}
    assert [a.title for a in articles] == [
        "Wind Farm Wins Approval",
        "Library Extends Opening Hours",
        "Bad Date Record",
    ]
    assert articles[0].paragraphs == (
        "The offshore wind farm will power 400,000 homes.",
        "Construction starts next spring.",
    )
    assert articles[0].published == datetime(2022, 4, 1, 8, 30, tzinfo=UTC)
    assert articles[1].published == datetime(2022, 5, 3, 12, 0, tzinfo=UTC)
    assert articles[1].origin is not None and articles[1].origin.endswith("#lib-1")
    whole = str(DATA / "bulk.jsonl")
    assert set(skipped) == {"3", "4", "5", whole}
    assert "no body" in skipped["3"] and "invalid JSON" in skipped["4"] and "date" in skipped["5"]
    # The record with a date that cannot be read goes in undated, with the note.
    assert articles[2].published is None and "'yesterday-ish'" in skipped["5"]
    # The file's one date in numbers could be day or month first: read day first, as one note says.
    assert "(3-05-2022, 12:00)" in skipped[whole] and "read day first" in skipped[whole]
    assert [i.kind for i in items if isinstance(i, Skipped)] == ["skipped", "skipped", "note", "note"]


def test_csv_with_renamed_fields() -> None:
    fields = {"title": "headline", "body": "text", "category": "section", "published": "date", "url": "link"}
    articles = [i for i in read_file(DATA / "bulk.csv", fields) if isinstance(i, Article)]
    assert [(a.title, a.category, len(a.paragraphs)) for a in articles] == [
        ("Ferry Timetable Changes", "Transport", 2),
        ("Museum Reopens", "Culture", 1),
    ]
    assert articles[0].url == "https://news.example.org/ferry" and articles[1].url is None


def test_common_field_names_are_found_without_being_named() -> None:
    """Exports name fields their own way (headline, content, date, link, tags, byline, in any case): the usual
    names are read as ours, and a record whose title has another name says how to name it."""
    items = list(read_file(DATA / "bulk_aliases.jsonl"))
    tram, bakery, fallback = (i for i in items if isinstance(i, Article))
    assert (tram.title, tram.paragraphs, tram.category, tram.url, tram.author, tram.source_id) == (
        "Tram Line Extension Opens",
        ("The new tram stop at the docks opened on Monday.", "Trams run every ten minutes."),
        "Transport",
        "https://news.example.org/tram",
        "Ana Costa, Lee Park",
        "tram-7",
    )
    assert tram.published == datetime(2022, 5, 2, 9, 30, tzinfo=UTC)
    # Capitalised names, and a date in epoch milliseconds.
    assert (bakery.title, bakery.category, bakery.published) == (
        "Bakery Wins Regional Prize",
        "Food",
        datetime(2022, 5, 4, 8, 0, tzinfo=UTC),
    )
    # An empty field does not hide a usable one of another name.
    assert (fallback.title, fallback.paragraphs) == (
        "Empty Title Falls Back To Headline",
        ("Only a description was exported for this story.",),
    )
    [skipped] = [i for i in items if isinstance(i, Skipped)]
    assert skipped.location.endswith("bulk_aliases.jsonl:4") and "--field title=NAME" in skipped.reason
    renamed = [i for i in read_file(DATA / "bulk.csv") if isinstance(i, Article)]
    named = [i for i in read_file(DATA / "bulk.csv", {"title": "headline", "body": "text"}) if isinstance(i, Article)]
    assert renamed == named and [a.category for a in renamed] == ["Transport", "Culture"]


def test_missing_path_is_reported(tmp_path: Path) -> None:
    [item] = list(read_articles([tmp_path / "nope"]))
    assert isinstance(item, Skipped) and item.reason == "no such file or directory"


def test_a_dash_for_standard_input_says_to_save_the_articles_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`script | newsbot ingest -` was told "-: no such file or directory", as if a file were mistyped."""
    monkeypatch.chdir(tmp_path)
    [item] = list(read_articles([Path("-")]))
    assert isinstance(item, Skipped) and item.location == "-"
    assert item.reason == "standard input is not read: save the articles to a file (e.g. news.jsonl) and ingest that"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("ferry.tx", "no such file or directory (did you mean ferry.txt?)"),
        ("storys", "no such file or directory (did you mean stories?)"),
        ("Ferry.TXT", "no such file or directory (did you mean ferry.txt?)"),
        ("council.txt", "no such file or directory"),
    ],
)
def test_a_mistyped_path_is_offered_the_names_beside_it(tmp_path: Path, typed: str, said: str) -> None:
    (tmp_path / "ferry.txt").write_text("Ferry\n\nPublished 1 May 2024\n\nThe ferry sails again.\n")
    (tmp_path / "stories").mkdir()
    (tmp_path / "fairy.md").write_text("# Fairy\n\nA tale.\n")
    [item] = list(read_articles([tmp_path / typed]))
    assert isinstance(item, Skipped) and item.reason == said


def test_an_archive_is_refused_with_what_to_do(tmp_path: Path) -> None:
    archive = tmp_path / "articles.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.write(DATA / "articles" / "minimal.txt", "minimal.txt")
    [item] = list(read_articles([archive]))
    assert isinstance(item, Skipped) and item.reason == "an archive: unpack it, then ingest its folder"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7-03-2013, 07:37", datetime(2013, 3, 7, 7, 37, tzinfo=UTC)),
        ("31-12-1999, 23:59", datetime(1999, 12, 31, 23, 59, tzinfo=UTC)),
        ("2022-04-01T08:30:00+02:00", datetime(2022, 4, 1, 6, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2013 10:00:00 GMT", datetime(2013, 3, 5, 10, 0, tzinfo=UTC)),
        ("2023-05-20", datetime(2023, 5, 20, tzinfo=UTC)),
        ("7-03-2013, 07:37 GMT", datetime(2013, 3, 7, 7, 37, tzinfo=UTC)),
        ("7.03.2013 07:37 +03:00", datetime(2013, 3, 7, 4, 37, tzinfo=UTC)),
        ("March 7, 2013", datetime(2013, 3, 7, tzinfo=UTC)),
        ("7 March 2013, 07:37", datetime(2013, 3, 7, 7, 37, tzinfo=UTC)),
        ("Thursday, 7th of March 2013 at 7.37 pm UTC-5", datetime(2013, 3, 8, 0, 37, tzinfo=UTC)),
        ("Sept. 30, 2013 12:05 am", datetime(2013, 9, 30, 0, 5, tzinfo=UTC)),
        ("30 Sep 2013 12:05 PM", datetime(2013, 9, 30, 12, 5, tzinfo=UTC)),
        ("1362641820", datetime(2013, 3, 7, 7, 37, tzinfo=UTC)),
        ("1362641820000", datetime(2013, 3, 7, 7, 37, tzinfo=UTC)),
        ("Thursday, April 4th, 2024 at 7.37 pm BST", datetime(2024, 4, 4, 18, 37, tzinfo=UTC)),
        ("4 April 2024, 19:37 CEST", datetime(2024, 4, 4, 17, 37, tzinfo=UTC)),
        ("April 4, 2024 7:37 pm EDT", datetime(2024, 4, 4, 23, 37, tzinfo=UTC)),
        ("Thu, 04 Apr 2024 19:37:00 BST", datetime(2024, 4, 4, 18, 37, tzinfo=UTC)),
        ("Thu, 04 Apr 2024 19:37:00 EDT", datetime(2024, 4, 4, 23, 37, tzinfo=UTC)),
        ("2026-12-01 11:30:00 UTC", datetime(2026, 12, 1, 11, 30, tzinfo=UTC)),
        ("2026-06-09 11:30 BST", datetime(2026, 6, 9, 10, 30, tzinfo=UTC)),
        ("2026/12/01 11:30:00", datetime(2026, 12, 1, 11, 30, tzinfo=UTC)),
        ("2026-12-01 11:30:00 +0100", datetime(2026, 12, 1, 10, 30, tzinfo=UTC)),
        ("2026-12-01 11:30:00.250", datetime(2026, 12, 1, 11, 30, 0, 250000, tzinfo=UTC)),
        # AP style names the clock: New York's is five hours behind in December, four in June.
        ("Dec. 1, 2026, 9:15 a.m. ET", datetime(2026, 12, 1, 14, 15, tzinfo=UTC)),
        ("June 9, 2026 at 9:15 a.m. ET", datetime(2026, 6, 9, 13, 15, tzinfo=UTC)),
        ("Tue, 09 Jun 2026 11:30:00 PT", datetime(2026, 6, 9, 18, 30, tzinfo=UTC)),
        ("2026-12-01 16:05 CT", datetime(2026, 12, 1, 22, 5, tzinfo=UTC)),
    ],
)
def test_parse_date(raw: str, expected: datetime) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "yesterday",
        "32-01-2020, 10:00",
        "2020-13-45",
        "2026/13/01 11:30",
        "2026-12-01 11:30 IST",
        "7 Marchh 2013",
        "February 30, 2013",
        "7 March 2013 13:05 pm",
        "7-03-2013, 07:37 IST",  # India's, Ireland's or Israel's: not guessed
        "Thu, 04 Apr 2024 19:37:00 IST",  # nor in an e-mail date (email.utils took it for UTC)
        "Mon, 30 Nov -0001 00:00:00 +0000",  # WordPress's pubDate for a post with no time in UTC: read as 2000
    ],
)
def test_parse_date_rejects(raw: str) -> None:
    with pytest.raises(ArticleError):
        parse_date(raw)


def test_split_paragraphs_treats_nbsp_lines_as_blank() -> None:
    assert split_paragraphs("one\nline\n\u00a0\ntwo\n\n\n\u00a0\n\nthree") == ("one line", "two", "three")


def test_article_id_is_stable_and_prefers_url() -> None:
    a = Article(title="T", paragraphs=("p",))
    assert a.id == Article(title="T", paragraphs=("p",), category="other").id
    assert a.id != Article(title="T", paragraphs=("q",)).id
    with_url = Article(title="T", paragraphs=("p",), url="https://x.example/1")
    assert with_url.id == Article(title="Edited", paragraphs=("new",), url="https://x.example/1").id
    assert len(a.id) == 16


def test_json_array_records_get_their_number_as_origin(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps(
            [{"title": "One", "body": "First story."}, "junk", {"title": "Two", "body": "Second story.", "id": "n-2"}]
        )
    )
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["Article", "Skipped", "Article"]
    first, skipped, second = items
    assert isinstance(first, Article) and first.origin == f"{path}#1"
    assert isinstance(skipped, Skipped) and skipped.location == f"{path}[2]"
    assert isinstance(second, Article) and second.origin == f"{path}#n-2"


def test_public_names_stay_importable_from_bot_ingest() -> None:
    import bot.ingest

    for name in (
        "read_articles", "Skipped", "parse_date", "FIELDS", "read_file", "article_files", "split_paragraphs",
        "decode", "parse_text_article", "article_from_record",
    ):  # fmt: skip
        assert hasattr(bot.ingest, name), name


def test_ingest_has_no_network_and_no_database() -> None:
    """Readers take bytes and give articles; fetching lives in bot/fetch.py, storing in the store."""
    import ast

    forbidden = ("httpx", "socket", "urllib.request", "http.client", "sqlite3", "sqlalchemy", "telegram", "tantivy")
    ours = ("bot.store", "bot.library", "bot.index", "bot.fetch", "bot.retrieval", "bot.render", "bot.cli")
    for path in sorted((ROOT / "bot" / "ingest").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        bad = {n for n in names if n.startswith(forbidden) or n.startswith(ours)}
        assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("name", sorted(WRONG_SUFFIX))
def test_a_file_whose_name_says_another_format_is_read_as_its_content_shows(name: str) -> None:
    """A feed saved as `.html`, a page or JSON export saved as `.txt`, Atom saved as `.json` were refused ("not an
    HTML page", "no 'Published ...' line", "invalid JSON")."""
    items = list(read_file(DATA / "wrong_suffix" / name))
    assert {
        "notes": [i.reason for i in items if isinstance(i, Skipped) and i.note],
        "skipped": [i.reason for i in items if isinstance(i, Skipped) and not i.note],
        "titles": [i.title for i in items if isinstance(i, Article)],
    } == WRONG_SUFFIX[name]


def test_empty_pages_feeds_and_markdown_files_are_said_to_be_empty() -> None:
    """An empty saved page was "not an HTML page (the response does not say what it is ...)", an empty feed "an empty
    response", an empty Markdown file had "no headline"."""
    folder = DATA / "empty_files"
    assert [str(i) for i in read_articles([folder])] == [
        f"skipped {path}: empty file" for path in sorted(p.resolve() for p in folder.iterdir())
    ]


def test_a_file_of_a_suffix_newsbot_reads_not_says_what_it_reads(tmp_path: Path) -> None:
    """`newsbot ingest settings.toml` said only "no 'Published D-MM-YYYY, HH:MM' line after the headline", as if it
    were a story missing its date; a story in the seed's format under another suffix is still read."""
    (tmp_path / "settings.toml").write_text('[site]\ntitle = "Courier"\n', encoding="utf-8")
    [item] = read_file(tmp_path / "settings.toml")
    assert isinstance(item, Skipped) and item.reason.startswith(
        "no 'Published D-MM-YYYY, HH:MM' line after the headline (read as the seed's text format, as newsbot reads"
        " no .toml files; articles are read from .txt (the seed's format), .md,"
    )
    story = (DATA / "articles" / "minimal.txt").read_bytes()
    (tmp_path / "minimal.story").write_bytes(story)
    [article] = read_file(tmp_path / "minimal.story")
    assert isinstance(article, Article)


def test_an_empty_folder_is_said_to_be_empty(tmp_path: Path) -> None:
    """An ingest of a folder holding nothing (or only empty folders) said only "0 added, 0 updated, 0 unchanged, 0
    skipped", as if it had read every file in it; a folder holding only hidden files still names them."""
    (tmp_path / "empty" / "2026" / "12").mkdir(parents=True)
    assert [str(i) for i in read_articles([tmp_path / "empty"])] == [
        f"skipped {tmp_path / 'empty'}: an empty folder: there is no file in it, nor in the folders under it"
    ]
    (tmp_path / "empty" / ".DS_Store").write_bytes(b"\x00")
    [hidden] = read_articles([tmp_path / "empty"])
    assert isinstance(hidden, Skipped) and hidden.reason.startswith("1 hidden file or folder not read (.DS_Store)")
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "story.txt").symlink_to(tmp_path / "gone.txt")
    [link] = read_articles([tmp_path / "links"])
    assert isinstance(link, Skipped) and link.reason == f"a link to {tmp_path / 'gone.txt'}, which is not there"


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("stories.jsonl.gz", "a compressed file: unpack it (to stories.jsonl), then ingest that"),
        ("Story.HTML.bz2", "a compressed file: unpack it (to Story.HTML), then ingest that"),
        ("site.tar.gz", "an archive: unpack it, then ingest its folder"),
        (
            "paper.epub",
            "an e-book, which newsbot does not read: save each story in it as a web page (.html) or as plain text"
            " (.txt, the headline on its first line) and ingest that",
        ),
    ],
)
def test_a_compressed_file_or_an_e_book_is_refused_with_what_to_do(tmp_path: Path, name: str, said: str) -> None:
    """One file compressed was "an archive: unpack it, then ingest its folder", which it has none of; an e-book was
    read as the seed's text format, "no 'Published D-MM-YYYY, HH:MM' line"."""
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04" if name.endswith(".epub") else gzip.compress(b"{}"))
    [item] = list(read_articles([path]))
    assert isinstance(item, Skipped) and item.reason == said


@pytest.mark.parametrize("name", ["daily.xml.gz", "daily.RSS.gz"])
def test_a_gzip_compressed_feed_file_is_read_as_the_feed(tmp_path: Path, name: str) -> None:
    """A `sitemap.xml.gz` or `feed.rss.gz` saved from a site was "an archive: unpack it, then ingest its folder",
    though the same file served over HTTP is followed; in a folder it was counted among the files not read."""
    feed = (DATA / "feeds" / "atom.xml").read_bytes()
    plain, packed = tmp_path / "plain" / "daily.xml", tmp_path / "packed" / name
    for path, data in ((plain, feed), (packed, gzip.compress(feed))):
        path.parent.mkdir()
        path.write_bytes(data)
    assert [i for i in read_file(packed)] == [i for i in read_file(plain)]
    assert [i.url for i in read_articles([packed.parent])] == [i.url for i in read_file(plain)]
    (tmp_path / "packed" / "photos.tar.gz").write_bytes(gzip.compress(b"x"))
    [archive] = read_file(tmp_path / "packed" / "photos.tar.gz")
    assert isinstance(archive, Skipped) and archive.reason == "an archive: unpack it, then ingest its folder"


def test_a_gzip_compressed_page_or_news_xml_is_read_and_a_sites_compressed_copy_once(tmp_path: Path) -> None:
    """A `story.html.gz` (a static site's, made beside `story.html` for its server to send as it is) was "a compressed
    file: unpack it", and an NITF story in a `.xml.gz` "not an RSS, Atom or JSON feed". In a folder, the copy beside
    its file would be the same story twice."""
    packed = DATA / "packed"
    assert list(read_file(packed / "lifeboat.html.gz")) == [
        replace(item, origin=str(packed / "lifeboat.html.gz")) for item in read_file(packed / "lifeboat.html")
    ]
    assert list(read_file(packed / "wire story.xml.gz")) == [
        replace(item, origin=str(packed / "wire story.xml.gz"))
        for item in read_file(DATA / "newsroom" / "wire story.xml")
    ]
    items = list(read_articles([packed]))
    assert [(item.title, item.url) for item in items if isinstance(item, Article)] == [
        ("Lifeboat station opens its doors", "https://courier.example/news/lifeboat-open-day/"),
        ("Christmas market moves to the quay", "https://courier.example/news/market-quay/"),
        ("Ferry to run all winter", None),
    ]
    assert [str(item) for item in items if isinstance(item, Skipped)] == [
        f"note {packed}: lifeboat.html.gz not read: each is a compressed copy of the file beside it, read once"
    ]
    (tmp_path / "cut.html.gz").write_bytes((packed / "market.html.gz").read_bytes()[:-20])
    assert list(read_file(tmp_path / "cut.html.gz")) == [
        Skipped(str(tmp_path / "cut.html.gz"), "gzip-compressed, but cut short")
    ]


@pytest.mark.parametrize("case", json.loads((DATA / "dated_bylines.json").read_text(encoding="utf-8")))
def test_a_line_of_names_and_a_date_is_a_byline_and_a_label_beside_a_date_is_none(case: dict[str, Any]) -> None:
    """ "Breaking News | 5 December 2026", a section's label beside the date, was read as a byline: "By Breaking News"
    under the headline; one naming the story's own section (its category, a folder of its link) in words of no
    label's ("Climate Desk") still was. A label beside a date is a date line: the date, and no names."""
    read = dated_byline(case["line"], case.get("sections", ()))
    assert read == (None if case["date"] is None else (case["names"], case["date"])), read


def test_a_records_label_naming_its_own_section_beside_the_date_is_no_author(tmp_path: Path) -> None:
    path = tmp_path / "desk.jsonl"
    record = {"title": "Flood defences raised", "category": "Climate Desk", "published": "2026-12-05T10:00:00Z"}
    record["body"] = "<p>Climate Desk | 5 Dec 2026</p><p>The river wall at Kelby was raised by half a metre.</p>"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [story] = read_file(path)
    assert isinstance(story, Article)
    assert (story.author, story.paragraphs) == (None, ("The river wall at Kelby was raised by half a metre.",))
    del record["published"]
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [undated] = read_file(path)
    assert isinstance(undated, Article) and undated.published == datetime(2026, 12, 5, tzinfo=UTC)
