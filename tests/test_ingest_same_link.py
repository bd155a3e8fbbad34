"""One link, one story: a file giving another file's link to another story (a URL line copied with the rest of a
template) is skipped with a line naming both files, and the story first stored keeps its link; an edit (the same
file again, the same headline) still updates."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.library import IngestReport, Library

LINK = "https://news.example.org/ferry-strike"


@pytest.fixture
def news(tmp_path: Path) -> Path:
    """The folder of a test's files: beside the data directory, not around it."""
    return tmp_path / "news"


def story(path: Path, title: str, body: str, url: str = LINK) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"{title}\n\nCategory: News\nURL: {url}\n{title}\nPublished 1-12-2026, 10:15\n{body}\n\nMore to follow.\n",
        encoding="utf-8",
    )
    return path


def counts(report: IngestReport) -> tuple[int, int, int, int]:
    return report.added, report.updated, len(report.skipped), report.duplicates


def titles(library: Library) -> list[str]:
    """The headlines stored from files under a test's folder (the shipped corpus is stored beside them)."""
    return sorted(a.title for a in library.store.latest(10) if a.origin and "/news/" in a.origin)


def assert_names_both(report: IngestReport, second: Path, first: Path) -> None:
    (line,) = [str(p) for p in report.skipped]
    assert line.startswith(f"skipped {second}: its link {LINK} is already that of \u201cFerry strike ends\u201d")
    assert f"from {first}:" in line and f"newsbot remove {LINK}" in line


def test_a_second_file_with_another_story_at_a_stored_link_is_skipped_by_name(
    any_db_library: Library, news: Path
) -> None:
    library = any_db_library
    ferry = story(news / "a/ferry.txt", "Ferry strike ends", "The ferry strike ended after two days.")
    council = story(news / "b/council.txt", "Council approves budget", "The council approved its budget.")
    assert counts(library.ingest([ferry])) == (1, 0, 0, 0)
    report = library.ingest([council])
    assert counts(report) == (0, 0, 1, 0)
    assert_names_both(report, council, ferry)
    assert titles(library) == ["Ferry strike ends"]
    stored = library.article_at(LINK)
    assert stored is not None and stored.origin == str(ferry)


def test_two_files_with_one_link_in_one_ingest_keep_the_first_and_name_both(library: Library, news: Path) -> None:
    ferry = story(news / "a/ferry.txt", "Ferry strike ends", "The ferry strike ended after two days.")
    council = story(news / "b/council.txt", "Council approves budget", "The council approved its budget.")
    report = library.ingest([news])
    assert counts(report) == (1, 0, 1, 0)
    assert_names_both(report, council, ferry)
    assert titles(library) == ["Ferry strike ends"]


def test_two_records_with_one_link_keep_the_first(library: Library, news: Path) -> None:
    """A spreadsheet's link pasted down a column: each row after the first is named, not merged away."""
    sheet = news / "stories.csv"
    news.mkdir()
    sheet.write_text(
        f"title,body,url\nFerry strike ends,The ferry strike ended.,{LINK}\n"
        f"Council approves budget,The council approved its budget.,{LINK}\n",
        encoding="utf-8",
    )
    report = library.ingest([sheet])
    assert counts(report) == (1, 0, 1, 0)
    (line,) = [str(p) for p in report.skipped]
    assert line.startswith(f"skipped {sheet}#3: its link {LINK} is already that of \u201cFerry strike ends\u201d")
    assert f"from {sheet}#2:" in line


def test_an_edit_of_the_story_at_its_link_still_updates(library: Library, news: Path) -> None:
    """The same file changed, headline and all, and another file under the same headline (a copy moved, a
    correction) are the story edited."""
    ferry = story(news / "a/ferry.txt", "Ferry strike ends", "The ferry strike ended after two days.")
    library.ingest([ferry])
    story(ferry, "Ferry strike over", "The ferry strike ended after three days.")
    assert counts(library.ingest([ferry])) == (0, 1, 0, 0)
    copy = story(news / "b/ferry.txt", "Ferry strike over!", "The ferry strike ended after four days.")
    assert counts(library.ingest([copy])) == (0, 1, 0, 0)
    assert titles(library) == ["Ferry strike over!"]


def test_a_file_given_a_taken_link_keeps_its_own_story(library: Library, news: Path) -> None:
    """Its earlier story is not taken away for a version that is not stored."""
    ferry = story(news / "a/ferry.txt", "Ferry strike ends", "The ferry strike ended after two days.")
    council = story(news / "b/council.txt", "Council approves budget", "Approved.", "https://n.example/budget")
    library.ingest([ferry, council])
    story(council, "Council approves budget", "The council approved its budget by 30 votes to 12.")
    report = library.ingest([council])
    assert (counts(report), report.removed) == ((0, 0, 1, 0), 0)
    assert titles(library) == ["Council approves budget", "Ferry strike ends"]


def test_a_link_its_file_gives_up_is_free_for_another(library: Library, news: Path) -> None:
    """The story's file now names another link: the one it named is the next file's, in the same ingest."""
    ferry = story(news / "a/ferry.txt", "Ferry strike ends", "The ferry strike ended after two days.")
    library.ingest([ferry])
    story(ferry, "Ferry strike ends", "The ferry strike ended after two days.", "https://n.example/ferry")
    council = story(news / "b/council.txt", "Council approves budget", "The council approved its budget.")
    report = library.ingest([news])
    assert report.skipped == []
    assert titles(library) == ["Council approves budget", "Ferry strike ends"]
    stored = library.article_at(LINK)
    assert stored is not None and stored.origin == str(council)
