"""A newsroom's re-export with corrections, under another file name: a record with a stored story's link or own id
and another text or headline is that story corrected (it replaces the stored version, re-indexed and embedded again
through the change log); the same text is unchanged; another story under a reused id or a copied link stays apart.
On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.library import IngestReport, Library
from bot.store import Store
from bot.store.articles import REMOVED, REPLACED

LINK = "https://courier.example/ferry-timetable"
FIRST = [
    "The harbour board said the winter ferry would sail four times a day from Monday.",
    "Tickets bought for the summer timetable stay valid until the end of the month.",
]
# The correction: a fact put right (three sailings, not four) and a word of the second paragraph.
CORRECTED = [
    "The harbour board said the winter ferry would sail three times a day from Monday.",
    "Tickets bought for the summer timetable stay valid until the end of the year.",
]


def export(path: Path, *records: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def record(title: str, paragraphs: list[str], **fields: str) -> dict[str, Any]:
    return {"title": title, "paragraphs": paragraphs, "published": "2026-12-01T09:00:00Z", **fields}


def counts(report: IngestReport) -> tuple[int, int, int, int, int]:
    return report.added, report.updated, report.unchanged, len(report.skipped), report.duplicates


def exported(library: Library) -> dict[str, list[str]]:
    """The stories stored from the tests' exports (the shipped corpus beside them): headline -> paragraphs."""
    store = library.store
    found = store.articles(store.article_ids_after("", None))
    return {a.title: store.paragraphs(a.id) for a in found.values() if a.origin and "export" in a.origin}


def found(library: Library, question: str) -> list[str]:
    """The paragraphs the index's best answers to `question` hold."""
    library.follower.refresh()
    answer = library.ask(library.request(question))
    return [p.text for p in answer.passages]


def last_changes(store: Store, count: int) -> list[str]:
    head = store.head()
    return [change.kind for change in store.changes_since(head - count, count)]


def test_a_re_export_at_the_same_link_with_a_corrected_headline_and_text_replaces_the_story(
    any_db_library: Library, tmp_path: Path
) -> None:
    library = any_db_library
    library.ingest([export(tmp_path / "export-1.jsonl", record("Ferry to sail four times a day", FIRST, url=LINK))])
    fixed = export(tmp_path / "export-2.jsonl", record("Ferry to sail three times a day", CORRECTED, url=LINK))
    report = library.ingest([fixed])
    assert counts(report) == (0, 1, 0, 0, 0), [str(p) for p in report.problems]
    assert exported(library) == {"Ferry to sail three times a day": CORRECTED}
    assert last_changes(library.store, 1) == [REPLACED]
    assert any("end of the year" in text for text in found(library, "winter ferry sailings tickets valid"))


def test_a_record_of_the_same_id_without_a_link_and_a_corrected_text_replaces_the_story(
    any_db_library: Library, tmp_path: Path
) -> None:
    library = any_db_library
    library.ingest([export(tmp_path / "export-1.jsonl", record("Winter ferry timetable", FIRST, id="cms-4411"))])
    before = library.store.head()
    fixed = export(tmp_path / "export-2.jsonl", record("Winter ferry timetable", CORRECTED, id="cms-4411"))
    report = library.ingest([fixed])
    # Its id is its text's (it has no link): the new version is added and the old one removed, as for a file without
    # a link edited in place.
    assert counts(report) == (1, 0, 0, 0, 0), [str(p) for p in report.problems]
    assert report.summary() == "1 added, 0 updated, 0 unchanged, 0 skipped, 1 older version removed"
    assert exported(library) == {"Winter ferry timetable": CORRECTED}
    # The old version leaves the index and the vectors through the log, the new one comes in as an edit (not news).
    assert sorted(c.kind for c in library.store.changes_since(before, 10)) == [REMOVED, REPLACED]
    passages = found(library, "winter ferry sailings tickets valid")
    assert any("three times a day" in text for text in passages)
    assert not any("four times a day" in text for text in passages)


def test_a_record_of_the_same_id_with_a_corrected_headline_replaces_the_story(
    any_db_library: Library, tmp_path: Path
) -> None:
    library = any_db_library
    library.ingest([export(tmp_path / "export-1.jsonl", record("Ferry to sail four times", FIRST, id="cms-4411"))])
    fixed = export(tmp_path / "export-2.jsonl", record("Ferry to sail three times", CORRECTED, id="cms-4411"))
    report = library.ingest([fixed])
    assert (counts(report), report.removed) == ((1, 0, 0, 0, 0), 1)
    assert exported(library) == {"Ferry to sail three times": CORRECTED}


def test_the_same_record_again_from_another_file_changes_nothing(any_db_library: Library, tmp_path: Path) -> None:
    library = any_db_library
    story = record("Winter ferry timetable", FIRST, id="cms-4411")
    library.ingest([export(tmp_path / "export-1.jsonl", story)])
    head = library.store.head()
    assert counts(library.ingest([export(tmp_path / "export-2.jsonl", story)])) == (0, 0, 1, 0, 0)
    assert library.store.head() == head


def test_another_story_under_an_id_another_export_used_stays_apart(library: Library, tmp_path: Path) -> None:
    """Two newsrooms number their stories alike (1, 2, 3): an id alone does not make two stories one."""
    library.ingest([export(tmp_path / "a" / "export.jsonl", record("Winter ferry timetable", FIRST, id="7"))])
    council = ["The council approved its budget for next year by thirty votes to twelve after a long debate."]
    report = library.ingest(
        [export(tmp_path / "b" / "export.jsonl", record("Council approves budget", council, id="7"))]
    )
    assert counts(report) == (1, 0, 0, 0, 0)
    assert exported(library) == {"Winter ferry timetable": FIRST, "Council approves budget": council}


def test_a_corrected_record_is_embedded_again(any_db_library: Library, tmp_path: Path) -> None:
    """The vectors follow the correction: the new text's, none of the old version's."""
    library = any_db_library
    library.ingest([export(tmp_path / "export-1.jsonl", record("Winter ferry timetable", FIRST, id="cms-4411"))])
    library.embed()
    library.ingest([export(tmp_path / "export-2.jsonl", record("Winter ferry timetable", CORRECTED, id="cms-4411"))])
    library.embed()
    assert library.vectors is not None
    vectors = library.vectors.vectors
    (story,) = [a for a in library.store.latest(50) if a.title == "Winter ferry timetable"]
    assert vectors.article_ids() >= {story.id}
    assert len(vectors.article_ids()) == library.store.stats().articles


def test_an_export_and_its_correction_in_one_ingest_store_the_correction_once(
    any_db_library: Library, tmp_path: Path
) -> None:
    """A folder holding both exports, read in their names' order: the later one is the story's version, as it is
    when they are ingested one after the other (the first stayed, the correction counted a duplicate or, its
    headline changed, stored beside it or skipped as another story's link)."""
    library = any_db_library
    folder = tmp_path / "exports"
    export(
        folder / "export-1.jsonl",
        record("Ferry to sail four times", FIRST, id="cms-4411"),
        record("Harbour fees rise", FIRST[:1], url=LINK),
    )
    export(
        folder / "export-2.jsonl",
        record("Ferry to sail three times", CORRECTED, id="cms-4411"),
        record("Harbour fees to rise", CORRECTED[:1], url=LINK),
    )
    library.ingest([folder])
    assert exported(library) == {"Ferry to sail three times": CORRECTED, "Harbour fees to rise": CORRECTED[:1]}
