"""Bulk files (issue 7): streamed with bounded memory, any field size, bad records skipped by number, limits."""

from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path

import pytest

from bot.ingest import Skipped, read_file
from bot.ingest.limits import MAX_ARTICLE_CHARS, MAX_PARAGRAPH_CHARS, MAX_RECORD_BYTES, MAX_TITLE_CHARS, MAX_URL_CHARS
from bot.models import Article

SENTENCE = "The harbour council met on Tuesday to discuss the ferry timetable and the new terrace. "


def record(title: str, body: str, **extra: object) -> dict[str, object]:
    return {"title": title, "body": body, **extra}


def write_jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def split(items: list[Article | Skipped]) -> tuple[list[Article], list[Skipped], list[Skipped]]:
    articles = [i for i in items if isinstance(i, Article)]
    skipped = [i for i in items if isinstance(i, Skipped) and not i.cut]
    cut = [i for i in items if isinstance(i, Skipped) and i.cut]
    return articles, skipped, cut


def test_csv_field_over_128_kib_is_read_and_the_rest_goes_in(tmp_path: Path) -> None:
    """One field over csv's default 128 KiB limit used to abort the whole ingest with `_csv.Error`."""
    long_body = SENTENCE * 2_000  # 176,000 characters, within the article limit
    path = write_csv(tmp_path / "big.csv", ["title", "body"], ["Long One", long_body], ["Short One", "A short story."])
    articles, skipped, cut = split(list(read_file(path)))
    assert [a.title for a in articles] == ["Long One", "Short One"]
    assert skipped == [] and cut == []
    assert " ".join(articles[0].paragraphs) == long_body.strip()


def test_csv_row_over_the_record_limit_is_skipped_by_number_and_the_next_row_still_reads(tmp_path: Path) -> None:
    huge = ('word, "quoted" text\n' * (MAX_RECORD_BYTES // 20 + 10)).strip()
    path = write_csv(
        tmp_path / "huge.csv",
        ["title", "body"],
        ["Before", "First story."],
        ["Too Big", huge],
        ["After", 'Third story, with "quotes", commas\nand a line break.'],
    )
    articles, skipped, _ = split(list(read_file(path)))
    assert [a.title for a in articles] == ["Before", "After"]
    assert articles[1].paragraphs == ('Third story, with "quotes", commas and a line break.',)
    [problem] = skipped
    assert problem.location == f"{path}:3"
    assert "over the limit" in problem.reason and f"{MAX_RECORD_BYTES:,}" in problem.reason


def test_jsonl_record_over_the_limit_is_skipped_and_the_rest_goes_in(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "big.jsonl",
        record("First", "One."),
        record("Huge", "x " * (MAX_RECORD_BYTES // 2 + 10)),
        record("Last", "Three."),
    )
    articles, skipped, _ = split(list(read_file(path)))
    assert [a.title for a in articles] == ["First", "Last"]
    assert [(s.location, "over the limit" in s.reason) for s in skipped] == [(f"{path}:2", True)]


def test_bulk_files_are_streamed_not_read_whole(tmp_path: Path) -> None:
    """A 30 MB file with a 24 MB record is read in far less memory than either (it used to be read whole)."""
    path = tmp_path / "stream.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(record("Giant", "y" * 24_000_000)) + "\n")
        for number in range(3000):
            handle.write(json.dumps(record(f"Story {number}", SENTENCE * 20)) + "\n")
    tracemalloc.start()
    try:
        items = list(item.title if isinstance(item, Article) else item for item in read_file(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(items) == 3001 and isinstance(items[0], Skipped)
    assert peak < 2 * MAX_RECORD_BYTES + 4_000_000, f"peak {peak:,} bytes"


def test_long_article_is_cut_with_a_note_and_paragraphs_are_split_at_sentences(tmp_path: Path) -> None:
    body = SENTENCE * 30_000  # one 2.6 MB paragraph
    path = write_jsonl(tmp_path / "long.jsonl", record("Long", body))
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["Skipped", "Article"]
    note, article = items
    assert isinstance(note, Skipped) and isinstance(article, Article)
    assert note.cut and note.location == f"{path}:1"
    assert f"text cut at {MAX_ARTICLE_CHARS:,} characters" in note.reason and f"{len(body.strip()):,}" in note.reason
    assert str(note).startswith(f"cut {path}:1: ")
    assert sum(len(p) for p in article.paragraphs) <= MAX_ARTICLE_CHARS
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in article.paragraphs)
    # Pieces end at sentence ends, and what was kept is the start of the text, word for word.
    assert all(p.endswith("terrace.") for p in article.paragraphs)
    kept = " ".join(article.paragraphs)
    assert body.startswith(kept)


def test_long_paragraph_is_split_without_losing_text(tmp_path: Path) -> None:
    body = SENTENCE * 100 + "A" * 6000 + " " + SENTENCE * 3
    path = write_jsonl(tmp_path / "para.jsonl", record("Split", body))
    [article] = list(read_file(path))
    assert isinstance(article, Article)
    assert len(article.paragraphs) > 3
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in article.paragraphs)
    assert "".join(article.paragraphs).replace(" ", "") == body.replace(" ", "")


def test_title_and_link_beyond_their_limits(tmp_path: Path) -> None:
    title = "Headline word " * 100
    url = "https://news.example.org/" + "a" * MAX_URL_CHARS
    path = write_jsonl(tmp_path / "fields.jsonl", record(title, "Body.", url=url))
    note, article = list(read_file(path))
    assert isinstance(note, Skipped) and note.cut and isinstance(article, Article)
    assert "title cut" in note.reason and "link dropped" in note.reason
    assert len(article.title) <= MAX_TITLE_CHARS and article.title.endswith("\u2026")
    assert article.url is None


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.jsonl", "", "no records: the file is empty"),
        ("blank.jsonl", "\n\n  \n", "no records: the file is empty"),
        ("empty.csv", "", "no records: the file is empty"),
        ("header.csv", "title,body\n", "no records: only a header row"),
        ("empty.json", "", "no records: the file is empty"),
        ("array.json", "[ ]", "no records: the JSON array is empty"),
    ],
)
def test_file_without_records_is_reported(tmp_path: Path, name: str, content: str, reason: str) -> None:
    """An empty .jsonl used to be skipped silently."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert list(read_file(path)) == [Skipped(str(path), reason)]


def test_bad_lines_are_skipped_with_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"title": "One", "body": "First."}\n'
        b'{"title": "Caf\xe9", "body": "Latin-1."}\n'
        + b"[" * 100_000
        + b"\n"
        + b'["a list"]\n'
        + b'{"title": "Five", "body": "Last."}\n'
    )
    articles, skipped, _ = split(list(read_file(path)))
    assert [a.title for a in articles] == ["One", "Five"]
    reasons = {s.location.rsplit(":", 1)[1]: s.reason for s in skipped}
    assert set(reasons) == {"2", "3", "4"}
    assert "not UTF-8" in reasons["2"]
    assert "invalid JSON" in reasons["3"]
    assert reasons["4"] == "not a JSON object"


def test_csv_row_not_in_utf8_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b'title,body\nOne,First.\n"Caf\xe9","Latin-1\ntext."\nThree,Third.\n')
    articles, skipped, _ = split(list(read_file(path)))
    assert [a.title for a in articles] == ["One", "Three"]
    assert [(s.location, "not UTF-8" in s.reason) for s in skipped] == [(f"{path}:3", True)]


def test_binary_bulk_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    assert list(read_file(path)) == [Skipped(str(path), "binary file, not text")]


def test_json_array_is_streamed_and_a_broken_element_stops_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('[{"title": "One", "body": "First."}, {"title": "Two", "body": "Second."}, {"title": oops}]')
    items = list(read_file(path))
    articles, skipped, _ = split(items)
    assert [a.title for a in articles] == ["One", "Two"]
    [problem] = skipped
    assert problem.location == f"{path}[3]"
    assert "invalid JSON" in problem.reason and "JSON Lines" in problem.reason


def test_json_element_over_the_limit(tmp_path: Path) -> None:
    """Skipped when it could still be read past; else the file stops there, with a reason pointing to JSON Lines."""
    path = tmp_path / "huge.json"
    slightly = record("Slightly", "z" * (MAX_RECORD_BYTES + 10))
    far = record("Far", "z" * (MAX_RECORD_BYTES + 3_000_000))
    path.write_text(json.dumps([record("One", "First."), slightly, record("Three", "Third."), far, record("Five", "")]))
    articles, skipped, _ = split(list(read_file(path)))
    assert [a.title for a in articles] == ["One", "Three"]
    assert [s.location for s in skipped] == [f"{path}[2]", f"{path}[4]"]
    assert "over the limit" in skipped[0].reason
    assert f"{MAX_RECORD_BYTES:,}" in skipped[1].reason and "JSON Lines" in skipped[1].reason


def test_json_single_object_and_chunk_boundaries(tmp_path: Path) -> None:
    """One object is one record; records straddling the reader's 1 MiB chunks read whole."""
    single = tmp_path / "one.json"
    single.write_text(json.dumps(record("Only", "Alone.")))
    assert [i.title for i in read_file(single) if isinstance(i, Article)] == ["Only"]
    many = tmp_path / "many.json"
    records = [record(f"Story {n}", SENTENCE * (n % 25 + 1), id=n) for n in range(2500)]
    many.write_text(json.dumps(records, indent=1))
    articles = [i for i in read_file(many) if isinstance(i, Article)]
    assert [a.title for a in articles] == [r["title"] for r in records]
    assert articles[-1].origin == f"{many}#2499"
