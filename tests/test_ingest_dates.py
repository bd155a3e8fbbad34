"""Dates as newsrooms write them: a file's dates in numbers read day or month first alike, as the file shows (an
American CMS's `12/01/2026` is 1 December), and dates in German, French and Spanish, and Drupal's."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest

from bot.errors import ArticleError
from bot.ingest import Order, Skipped, parse_date, parse_text_article, read_articles, read_file
from bot.ingest.dates import FileDates
from bot.ingest.feeds import Feed, parse_feed
from bot.library import Library
from bot.models import Article
from tests.paths import DATA, ROOT

FOLDER = DATA / "date_orders"
# Each file's articles' dates in order (ISO 8601, null when undated) and its notes by location after its path.
EXPECTED = json.loads((DATA / "date_orders.expected.json").read_text(encoding="utf-8"))
# Folders of one story a file, read as one ingest: the same, by folder, the notes by location after the folder's.
FUTURE = DATA / "future_dates"
EXPECTED_FUTURE = json.loads((DATA / "future_dates.expected.json").read_text(encoding="utf-8"))
FOLDERS = DATA / "date_folders"
EXPECTED_FOLDERS = json.loads((DATA / "date_folders.expected.json").read_text(encoding="utf-8"))


def dates_and_notes(items: list[Article | Skipped], path: Path) -> tuple[list[str | None], dict[str, str]]:
    published = [i.published.isoformat() if i.published else None for i in items if isinstance(i, Article)]
    notes = {i.location[len(str(path)) :]: i.reason for i in items if isinstance(i, Skipped)}
    assert all(i.note for i in items if isinstance(i, Skipped))
    return published, notes


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_files_dates_in_numbers_are_read_in_the_order_its_dates_show(name: str) -> None:
    """Dates in numbers were all read day first, silently: an American export's `12/01/2026` went in as 12
    January. A date that can only be read one way (`11/30/2026`, or a weekday only one reading falls on) now says
    how the whole file is written; when none can, the reading that keeps the dates together wins, else day first,
    and one note names the file and the choice; a file with both orders leaves its ambiguous dates undated."""
    path = FOLDER / name
    assert dates_and_notes(list(read_file(path)), path) == (EXPECTED[name]["published"], EXPECTED[name]["notes"])


def test_every_file_found_has_its_expectation() -> None:
    assert sorted(p.name for p in FOLDER.iterdir()) == sorted(EXPECTED)
    assert sorted(p.name for p in FOLDERS.iterdir()) == sorted(EXPECTED_FOLDERS)


@pytest.mark.parametrize("name", sorted(EXPECTED_FOLDERS))
def test_a_folder_of_one_story_files_reads_its_dates_in_numbers_alike(name: str) -> None:
    """Each file of a folder decided its own order: a US newsroom's `12/01/2026` went in as 12 January while its
    `11/30/2026` beside it was read month first, and every file that could not tell had its own note. Now a file
    whose dates cannot tell takes the order the folder's dates show, with one note for the folder; a folder with
    dates of both orders (two newsrooms) leaves each file to decide alone, as before."""
    path = FOLDERS / name
    expected = EXPECTED_FOLDERS[name]
    assert dates_and_notes(list(read_articles([path])), path) == (expected["published"], expected["notes"])


def test_files_given_one_by_one_are_one_batch_and_an_order_given_is_theirs(tmp_path: Path) -> None:
    """`newsbot ingest *.txt` gives the files, not their folder: they are read alike too, the note at their
    folder; `--date-order` reads them as it says, with no note."""
    files = sorted((FOLDERS / "us_newsroom").iterdir())
    items = list(read_articles(files))
    assert [i.published.day for i in items if isinstance(i, Article) and i.published] == [1, 2, 30]
    assert [(i.location, i.reason[:17]) for i in items if isinstance(i, Skipped)] == [
        (str(FOLDERS / "us_newsroom"), "2 files' dates in")
    ]
    given = list(read_articles(files, date_order="day"))
    assert [i.published.month for i in given if isinstance(i, Article) and i.published] == [1, 2, 11]
    assert not [i for i in given if isinstance(i, Skipped)]
    # Files from folders that share none but the root: the note names them.
    spread = [*files[:2], Path(shutil.copy(files[2], tmp_path))]
    assert [i.location for i in read_articles(spread) if isinstance(i, Skipped)] == [", ".join(map(str, spread))]


def test_a_file_writing_its_dates_with_another_separator_keeps_its_own_order(tmp_path: Path) -> None:
    """The shipped article (`7-03-2013`, the seed's day-first format) ingested in one command with a US folder whose
    `11/30/2026` can only be month first was read as 3 July 2013: a date written with other separators comes from
    another desk, and is read as its own file says."""
    shipped = next((ROOT / "corpus").glob("*.txt"))
    files = [*sorted((FOLDERS / "us_newsroom").iterdir()), shipped]
    items = list(read_articles(files))
    published = {i.title: i.published for i in items if isinstance(i, Article)}
    assert published["Russia Invites US Military Chief to Missile Defense Talks"] == datetime(
        2013, 3, 7, 7, 37, tzinfo=UTC
    )
    assert published["Harbor Bridge Reopens"] == datetime(2026, 12, 1, 10, 15, tzinfo=UTC)


def test_an_ingest_reads_the_files_given_one_after_another_as_one_batch(library: Library) -> None:
    """The library read each path given on its own: `newsbot ingest a.txt b.md c.txt` decided file by file."""
    files = sorted((FOLDERS / "us_newsroom").iterdir())
    report = library.ingest([str(f) for f in files])
    assert report.added == 3 and [p.reason[:17] for p in report.problems] == ["2 files' dates in"]
    stored = {a.title: a.published for a in library.store.latest(10) if a.origin in {str(f) for f in files}}
    assert stored == {
        "Harbor Bridge Reopens": datetime(2026, 12, 1, 10, 15, tzinfo=UTC),
        "Ferry Schedule Changes": datetime(2026, 12, 2, tzinfo=UTC),
        "Council Votes on Budget": datetime(2026, 11, 30, 16, tzinfo=UTC),
    }


@pytest.mark.parametrize(
    ("name", "order", "published"),
    [
        ("all_ambiguous.csv", "month", ["2026-03-04T00:00:00+00:00", "2026-04-03T00:00:00+00:00"]),
        (
            "first_week.jsonl",
            "day",
            ["2026-03-11T00:00:00+00:00", "2026-05-11T00:00:00+00:00", "2026-07-11T00:00:00+00:00"],
        ),
        (
            "both_orders.csv",
            "day",
            ["2026-03-13T00:00:00+00:00", "2026-03-14T00:00:00+00:00", "2026-04-03T00:00:00+00:00"],
        ),
    ],
)
def test_a_date_order_given_reads_every_ambiguous_date_so_without_a_note(
    name: str, order: Order, published: list[str]
) -> None:
    """`--date-order` overrides what the file's dates show; a date that can only be read one way still is."""
    path = FOLDER / name
    assert dates_and_notes(list(read_file(path, date_order=order)), path) == (published, {})


def test_ingesting_again_with_the_order_the_note_names_corrects_the_dates(library: Library, tmp_path: Path) -> None:
    """The note's advice works: the same file ingested again with `--date-order` replaces each story's date."""
    path = Path(shutil.copy(FOLDER / "all_ambiguous.csv", tmp_path / "cms.csv"))
    first = library.ingest([path])
    assert first.added == 2 and [p.kind for p in first.problems] == ["note"]
    again = library.ingest([path], date_order="month")
    assert (again.added, again.updated, again.problems) == (0, 2, [])
    stored = {a.title: a.published for a in library.store.latest(10) if a.origin and a.origin.startswith(str(path))}
    assert stored == {
        "Lighthouse Gets New Lamp": datetime(2026, 3, 4, tzinfo=UTC),
        "Quay Road Resurfaced": datetime(2026, 4, 3, tzinfo=UTC),
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1. Dezember 2026", datetime(2026, 12, 1, tzinfo=UTC)),
        ("Dienstag, 1. Dezember 2026 um 10:15 Uhr", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        ("01.12.2026 10:15", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        ("01.12.2026, 10:15 Uhr", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        ("3. März 2026 18:00 CET", datetime(2026, 3, 3, 17, 0, tzinfo=UTC)),
        ("Tuesday, December 1, 2026 - 10:15", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),  # Drupal's long form
        ("Tue, 12/01/2026 - 10:15", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),  # its medium: 1 December, a Tuesday
        ("Mon, 12/01/2026 - 10:15", datetime(2026, 1, 12, 10, 15, tzinfo=UTC)),  # 12 January is a Monday
        ("1 décembre 2026", datetime(2026, 12, 1, tzinfo=UTC)),
        ("mardi 1er décembre 2026 à 10h15", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        ("1 déc. 2026", datetime(2026, 12, 1, tzinfo=UTC)),
        ("15 fevrier 2026", datetime(2026, 2, 15, tzinfo=UTC)),
        ("1 de diciembre de 2026", datetime(2026, 12, 1, tzinfo=UTC)),
        ("martes, 1 de diciembre de 2026, 10:15", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        ("12/13/2026", datetime(2026, 12, 13, tzinfo=UTC)),  # only month first: it was an impossible date
        # A zone as the tz database names it, as databases export it: that clock, summer time and all ("am" is not
        # the start of "America").
        ("2026-12-01 10:15:00 Europe/Berlin", datetime(2026, 12, 1, 9, 15, tzinfo=UTC)),
        ("2026-06-01 10:15 America/New_York", datetime(2026, 6, 1, 14, 15, tzinfo=UTC)),
        ("1 December 2026 10:15 America/Argentina/Buenos_Aires", datetime(2026, 12, 1, 13, 15, tzinfo=UTC)),
        # The zone in brackets after ISO 8601, as Java's ZonedDateTime and RFC 9557 write it: the offset is the
        # instant; without one, the time is on that clock.
        ("2026-12-01T10:15:00+01:00[Europe/Paris]", datetime(2026, 12, 1, 9, 15, tzinfo=UTC)),
        ("2026-06-01T10:15:00.5[America/New_York]", datetime(2026, 6, 1, 14, 15, 0, 500000, tzinfo=UTC)),
        ("2026-12-01T10:15:00Z[UTC]", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        # Unix's `date`, Java's `Date.toString()` and JavaScript's: their zones were passed over, the time read as UTC.
        ("Tue Dec 01 10:15:00 CET 2026", datetime(2026, 12, 1, 9, 15, tzinfo=UTC)),
        ("Tue Jun 02 10:15:00 EDT 2026", datetime(2026, 6, 2, 14, 15, tzinfo=UTC)),
        ("Tue Dec  1 10:15:00 UTC 2026", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        (
            "Tue Dec 01 2026 10:15:00 GMT+0100 (Central European Standard Time)",
            datetime(2026, 12, 1, 9, 15, tzinfo=UTC),
        ),
        ("Tue, 1 Dec 2026 10:15:00 +0100 (CET)", datetime(2026, 12, 1, 9, 15, tzinfo=UTC)),
    ],
)
def test_dates_in_other_languages_and_cms_forms(raw: str, expected: datetime) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Friday 4 December 2026, 9pm", datetime(2026, 12, 4, 21, tzinfo=UTC)),
        ("4 December 2026 at 9 p.m.", datetime(2026, 12, 4, 21, tzinfo=UTC)),
        ("Dec 4, 2026, 12am", datetime(2026, 12, 4, tzinfo=UTC)),
        ("2026-12-04 9am BST", datetime(2026, 12, 4, 8, tzinfo=UTC)),
    ],
)
def test_an_hour_written_alone_with_am_or_pm_is_read(raw: str, expected: datetime) -> None:
    """A story dated "Friday 4 December 2026, 9pm", as many newsrooms write it, went in undated."""
    assert parse_date(raw) == expected


def test_an_hour_alone_without_am_or_pm_is_no_time() -> None:
    """A "9" after a date could be a day, a time or a page: the date stays unreadable, not read as 09:00."""
    with pytest.raises(ArticleError):
        parse_date("4 December 2026, 9")


def test_a_text_file_dated_with_an_hour_alone_is_stored_at_that_time(library: Library, tmp_path: Path) -> None:
    story = tmp_path / "quiz.txt"
    story.write_text("Pub Quiz Raises Record Sum\nDate: Friday 4 December 2026, 9pm\n\nForty teams took part.\n")
    report = library.ingest([story])
    assert report.added == 1 and not report.notes, report.notes
    stored = [a for a in library.store.latest(50) if a.origin == str(story)]
    assert [a.published for a in stored] == [datetime(2026, 12, 4, 21, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("raw", "now", "expected"),
    [
        ("12/01/26", datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 1, 12, tzinfo=UTC)),
        ("01.12.26", datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        ("1-Dec-26", datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        ("Tue, 01 Dec 26 10:15:00 GMT", datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        ("Dec 1, 26", datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        # An embargoed story next year is this century's; one years ahead is the last century's archive.
        ("1/1/27", datetime(2026, 12, 2, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        ("1/1/28", datetime(2026, 12, 2, tzinfo=UTC), datetime(1928, 1, 1, tzinfo=UTC)),
        ("12/13/98", datetime(2026, 12, 2, tzinfo=UTC), datetime(1998, 12, 13, tzinfo=UTC)),
        ("12-JUN-98 09.30.00.000000 AM", datetime(2026, 12, 2, tzinfo=UTC), datetime(1998, 6, 12, 9, 30, tzinfo=UTC)),
        # E-mail's old rule (69 and on are the 1900s) would make this 1970, a century before it was written.
        ("Tue, 01 Dec 70 10:15:00 +0000", datetime(2069, 12, 2, tzinfo=UTC), datetime(2070, 12, 1, 10, 15, tzinfo=UTC)),
        ("31.12.00", datetime(2099, 12, 31, tzinfo=UTC), datetime(2100, 12, 31, tzinfo=UTC)),
    ],
)
def test_a_year_in_two_digits_is_this_centurys_unless_that_is_years_ahead(
    raw: str, now: datetime, expected: datetime
) -> None:
    """Two-digit years (`12/01/26`, `01.12.26`, `1-Dec-26`) were unreadable, so those stories went in undated."""
    assert parse_date(raw, now=now) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1. Dezembar 2026",
        "32.12.2026",
        "13/13/2026",
        "1 de diciembre 2026 a las",
        "2026-12-01 10:15 Mars/Olympus",
        "2026-12-01T10:15:00[Mars/Olympus]",
        "2026-13-01T10:15:00[Europe/Paris]",
        "Tue Dec 01 10:15:00 IST 2026",  # India's, Ireland's or Israel's: it was read as UTC
    ],
)
def test_what_no_calendar_or_language_has_is_still_unreadable(raw: str) -> None:
    with pytest.raises(ArticleError):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        # "13/13/2025" was "neither day 13 of month 13 nor day 13 of month 13 exists": one reading said twice.
        ("13/13/2025", "no month is numbered 13"),
        ("13/14/2025", "neither 13 nor 14 is a month (1-12)"),
        ("31/02/2025", "neither day 31 of month 02 nor day 02 of month 31 exists"),
    ],
)
def test_a_date_in_numbers_no_calendar_has_says_why_once(raw: str, why: str) -> None:
    for order in get_args(Order):
        with pytest.raises(ArticleError) as refused:
            parse_date(raw, order)
        assert str(refused.value) == f"impossible date {raw!r}: {why}"


def test_a_followed_feeds_note_on_its_dates_names_no_option_it_cannot_take() -> None:
    """A feed's dates in numbers are read alike too; followed, it is not ingested again, so no `--date-order`."""
    items = "".join(
        f"<item><title>Story {n}</title><link>https://x.example/{n}</link><description>Text {n}.</description>"
        f"<pubDate>{day:02d}/04/2026</pubDate></item>"
        for n, day in enumerate((3, 5), start=1)
    )
    data = f'<rss version="2.0"><channel><title>T</title><link>https://x.example/</link>{items}</channel></rss>'
    feed = parse_feed(data.encode(), "https://x.example/feed")
    assert isinstance(feed, Feed)
    assert [e.article.published for e in feed.entries] == [
        datetime(2026, 4, 3, tzinfo=UTC),
        datetime(2026, 4, 5, tzinfo=UTC),
    ]
    assert [p.reason for p in feed.problems] == [
        "its dates in numbers (03/04/2026) could each be day or month first: read day first, which keeps them"
        " within 2 days of each other rather than 61 (03/04/2026 is 3 April 2026)"
    ]


@pytest.mark.parametrize(
    ("now", "published"),
    [
        (None, datetime(2026, 1, 12, tzinfo=UTC)),  # a saved feed's date alone: day first
        (datetime(2026, 12, 2, 8, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        (datetime(2026, 1, 13, 8, tzinfo=UTC), datetime(2026, 1, 12, tzinfo=UTC)),
    ],
)
def test_a_followed_feeds_dates_in_numbers_are_read_as_near_the_time_it_was_fetched(
    now: datetime | None, published: datetime
) -> None:
    """A followed feed's one day of `12/01/2026` stories was read 12 January whenever it was fetched."""
    items = "".join(
        f"<item><title>Story {n}</title><link>https://x.example/{n}</link><description>Text {n}.</description>"
        "<pubDate>12/01/2026</pubDate></item>"
        for n in (1, 2)
    )
    data = f'<rss version="2.0"><channel><title>T</title><link>https://x.example/</link>{items}</channel></rss>'
    feed = parse_feed(data.encode(), "https://x.example/feed", now=now)
    assert isinstance(feed, Feed)
    assert [e.article.published for e in feed.entries] == [published, published]


# When the newcomer ingested a story whose date has a typo's year.
INGESTED_AT = datetime(2026, 12, 2, 6, 35, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "published", "note"),
    [
        ("Date: 3rd Dec. 2027", datetime(2027, 12, 3, tzinfo=UTC), "dated 3 Dec 2027, in the future"),
        ("Published 4-12-2026, 09:00", datetime(2026, 12, 4, 9, tzinfo=UTC), "dated 4 Dec 2026, in the future"),
        # Within a day: a date without its time, or written in a zone ahead of UTC, is ahead of the clock.
        ("Date: 3 Dec 2026", datetime(2026, 12, 3, tzinfo=UTC), None),
        ("Date: 2026-12-03T08:00:00+13:00", datetime(2026, 12, 2, 19, tzinfo=UTC), None),
        ("Date: 1 Dec 2026", datetime(2026, 12, 1, tzinfo=UTC), None),
        # A line that is only a date, as a CMS's plain text export writes it, alike.
        (
            "Thursday, 3 December 2026 at 9.00 am",
            datetime(2026, 12, 3, 9, tzinfo=UTC),
            "dated 3 Dec 2026, in the future",
        ),
        ("3 December 2026", datetime(2026, 12, 3, tzinfo=UTC), None),
    ],
)
def test_a_story_dated_more_than_a_day_ahead_is_kept_so_with_a_note(
    line: str, published: datetime, note: str | None
) -> None:
    """A story dated `3rd Dec. 2027` (a typo) ingested on 2 December 2026 went in without a word and sat at the top
    of /latest and digests: its date stays as written (which one was meant cannot be told), and a note says to
    check it."""
    text = f"Ferry Returns to Service\n{line}\n\nThe ferry is back in service after repairs, the harbour said.\n"
    article, said = parse_text_article(text, "ferry.txt", FileDates(now=INGESTED_AT))
    assert article.published == published
    if note is None:
        assert said is None
    else:
        assert said == f"{note}: check its date (it is kept as written)"


def test_an_ingest_stores_a_story_dated_in_the_future_and_notes_it(library: Library, tmp_path: Path) -> None:
    """The note reaches the ingest's report, naming the file, and the story is stored with its date as written."""
    story = tmp_path / "derby.md"
    story.write_text("---\ntitle: Derby Tickets on Sale\ndate: 3rd Dec. 2099\n---\n\nTickets go on sale today.\n")
    report = library.ingest([story])
    assert report.added == 1
    assert [(n.location, n.reason.split(":")[0]) for n in report.notes] == [
        (str(story), "dated 3 Dec 2099, in the future")
    ]
    stored = [a for a in library.store.latest(50) if a.origin == str(story)]
    assert [a.published for a in stored] == [datetime(2099, 12, 3, tzinfo=UTC)]


@pytest.mark.parametrize("name", sorted(EXPECTED_FUTURE))
def test_a_feed_page_or_plain_text_story_dated_in_the_future_is_noted_as_a_files_is(name: str) -> None:
    """Only a file's `Published` line or a record's date field was noted when dated in the future: a feed's entry, a
    saved or fetched page's stated time and a plain text's bare date line went in without a word, to sit at the top
    of /latest. Each is kept as written, with the same note."""
    want = EXPECTED_FUTURE[name]
    items = list(read_file(FUTURE / name))
    notes = [[i.location.removeprefix(f"{FUTURE}/"), i.reason] for i in items if isinstance(i, Skipped)]
    assert notes == want["notes"] and all(i.note for i in items if isinstance(i, Skipped))
    published = [i.published.isoformat() for i in items if isinstance(i, Article) and i.published]
    assert published == want["published"]


def test_every_future_dates_case_has_its_expectation() -> None:
    assert sorted(p.name for p in FUTURE.iterdir()) == sorted(EXPECTED_FUTURE)


def test_a_story_that_writes_no_date_takes_the_day_its_folders_name(tmp_path: Path) -> None:
    """Newsrooms, and mirrors of their sites, file a day's stories under 2026/12/02/: a story there that writes no
    date of its own went in undated, out of every search by date and at the bottom of /latest."""
    story = "{title}\n\nThe harbour council met on the ferry timetable, the terrace and the new pier.\n"
    ahead = datetime.now(UTC).year + 2
    files = {
        "2026/12/02/ferry.txt": story.format(title="Ferry"),
        "2026/12/02/sport/derby.md": "# Derby\n\nThe derby was played in the rain before a full stand.\n",
        "2026-11-30/budget.txt": story.format(title="Budget"),
        "2026/12/02/own.txt": "Own date\nPublished 1-12-2026, 10:00\n\nIt writes its own date, which stands.\n",
        "2026/12/02/unread.txt": "Unread\nDate: the 45th of Smarch\n\nIts date is written but cannot be read.\n",
        "2026/13/02/month.txt": story.format(title="No such month"),
        f"{ahead}/01/01/ahead.txt": story.format(title="Ahead"),
        "12/02/short.txt": story.format(title="No year"),
        "2026/12/02/page.html": "<html><head><title>Pier</title></head><body><article><p>"
        + "The new pier opened to the ferries this morning, after two years of building work. " * 3
        + "</p></article></body></html>",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    items = list(read_articles([tmp_path], date_order="day"))
    published = {
        str(Path(i.origin or "").relative_to(tmp_path)): i.published.isoformat() if i.published else None
        for i in items
        if isinstance(i, Article)
    }
    assert published == {
        "2026/12/02/ferry.txt": "2026-12-02T00:00:00+00:00",
        "2026/12/02/sport/derby.md": "2026-12-02T00:00:00+00:00",
        "2026-11-30/budget.txt": "2026-11-30T00:00:00+00:00",
        "2026/12/02/own.txt": "2026-12-01T10:00:00+00:00",
        "2026/12/02/unread.txt": None,
        "2026/13/02/month.txt": None,
        f"{ahead}/01/01/ahead.txt": None,
        "12/02/short.txt": None,
        "2026/12/02/page.html": "2026-12-02T00:00:00+00:00",
    }
