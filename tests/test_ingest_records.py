"""Bulk files (issue 7): streamed with bounded memory, any field size, bad records skipped by number, limits; and
exports as newsrooms make them (WordPress REST API dumps, HTML in fields, wrapped JSON, Excel CSV, corrections)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ingest import Skipped, article_from_record, read_articles, read_file
from bot.ingest.limits import MAX_ARTICLE_CHARS, MAX_PARAGRAPH_CHARS, MAX_RECORD_BYTES, MAX_TITLE_CHARS, MAX_URL_CHARS
from bot.ingest.records import CHUNK_BYTES
from bot.library import Library
from bot.models import Article
from tests.editor import where_shown
from tests.paths import DATA

RECORDS = DATA / "records"
SENTENCE = "The harbour council met on Tuesday to discuss the ferry timetable and the new terrace. "
# A story of 17,600 characters in paragraphs under the paragraph limit: 400 of them are over the record limit. In
# one paragraph each, cut at sentences, they cost 40 s (nltk's sentence splitter) in each test of streaming.
PARAGRAPH = SENTENCE * 20
BODY = "\n\n".join([PARAGRAPH] * 10)
BODY_NAMES = (
    "body, text, content, article, story, story_body, article_body, full_text, body_html, body_text, body_xhtml,"
    " post_content, copy, body_copy, content_elements, description, summary, dek, standfirst, story_text, article_text;"
    " name yours with --field body=NAME"
)


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
    skipped = [i for i in items if isinstance(i, Skipped) and i.kind == "skipped"]
    cut = [i for i in items if isinstance(i, Skipped) and i.kind == "cut"]
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
        + b'{"title": "Five", "body": "Last caf\xc3\xa9 in UTF-8."}\n'
    )
    items = list(read_file(path))
    articles, skipped, _ = split(items)
    # The record with a stray byte goes in, that byte as U+FFFD, with a note (it was skipped whole).
    assert [a.title for a in articles] == ["One", "Caf\ufffd", "Five"]
    reasons = {s.location.rsplit(":", 1)[1]: s.reason for s in skipped}
    assert set(reasons) == {"3", "4"}
    assert "invalid JSON" in reasons["3"]
    assert reasons["4"] == "not a JSON object"
    assert [str(i) for i in items if isinstance(i, Skipped) and i.note] == [
        f"note {path}:2: not UTF-8 text (line 2, column 15: b'\\xe9'): read with \ufffd in its place"
    ]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".json"])
def test_a_stray_byte_in_a_record_loses_that_character_not_the_record(tmp_path: Path, suffix: str) -> None:
    """In a UTF-8 file of records (its accents are UTF-8), one with a byte that is none (a Windows quote mark pasted
    in) was skipped whole, "not UTF-8 text", where a text file with it loses only that character: so does the
    record, with a note saying where the byte is and how many there are. A JSON array lost every record, the first
    too ("0 added")."""
    path = tmp_path / f"stories{suffix}"
    if suffix == ".json":
        path.write_bytes(
            b'[{"title": "One", "body": "Caf\xc3\xa9s of Mal\xc3\xa9 and Nar\xc3\xa9."},\n'
            b' {"title": "Storm", "body": "The \x93waves\x94 were the worst."}]\n'
        )
        where = f"{path}[2]: not UTF-8 text (line 2, column 34: b'\\x93'; 2 such spots)"
    elif suffix == ".jsonl":
        path.write_bytes(
            b'{"title": "One", "body": "Caf\xc3\xa9s of Mal\xc3\xa9 and Nar\xc3\xa9."}\n'
            b'{"title": "Storm", "body": "The \x93waves\x94 were the worst."}\n'
        )
        where = f"{path}:2: not UTF-8 text (line 2, column 33: b'\\x93'; 2 such spots)"
    else:
        path.write_bytes(
            b"title,body\nOne,Caf\xc3\xa9s of Mal\xc3\xa9 and Nar\xc3\xa9.\n"
            b'Storm,"The \x93waves\x94\nwere the worst."\n'
        )
        where = f"{path}:3: not UTF-8 text (line 3, column 12: b'\\x93'; 2 such spots)"
    items = list(read_file(path))
    articles = [i for i in items if isinstance(i, Article)]
    assert [(a.title, a.paragraphs[-1]) for a in articles] == [
        ("One", "Caf\u00e9s of Mal\u00e9 and Nar\u00e9."),
        ("Storm", "The \ufffdwaves\ufffd were the worst."),
    ]
    assert [str(s) for s in items if isinstance(s, Skipped)] == [f"note {where}: read with \ufffd in its place"]


def test_stray_bytes_in_a_json_array_are_found_across_its_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON file is read a chunk at a time: a character cut at a chunk's end is read whole, and a stray byte is
    said of the record it is in, at its line and byte, wherever the chunks end."""
    path = tmp_path / "stories.json"
    records = [
        b'{"title": "Caf\xc3\xa9 \xe2\x80\x94 one", "body": "First \x92 here."}',
        b'{"title": "Two", "body": "No stray byte, caf\xc3\xa9."}',
        b'{"title": "Three", "body": "Last\xe2\x80"}',
    ]
    path.write_bytes(b"\xef\xbb\xbf[\n" + b",\n".join(records) + b"\n]\n")
    for chunk in (1, 2, 3, 5, 7, 1 << 20):
        monkeypatch.setattr("bot.ingest.records.CHUNK_BYTES", chunk)
        items = list(read_file(path))
        assert [(a.title, a.paragraphs) for a in items if isinstance(a, Article)] == [
            ("Caf\u00e9 \u2014 one", ("First \ufffd here.",)),
            ("Two", ("No stray byte, caf\u00e9.",)),
            ("Three", ("Last\ufffd",)),
        ], chunk
        assert [(s.location, s.reason) for s in items if isinstance(s, Skipped)] == [
            (f"{path}[1]", "not UTF-8 text (line 2, column 40: b'\\x92'): read with \ufffd in its place"),
            (f"{path}[3]", "not UTF-8 text (line 4, column 33: b'\\xe2'): read with \ufffd in its place"),
        ], chunk


@pytest.mark.parametrize("status_first", [True, False])
def test_a_stray_byte_in_a_json_wrapper_is_the_files_not_the_next_records(tmp_path: Path, status_first: bool) -> None:
    """A stray byte in a wrapper's other members (`{"status": ..., "data": [...]}`) was said of the record after it
    ("data[1]: not UTF-8 text"), which has none, or of none when the records came first: it is said of the file."""
    path = tmp_path / "api.json"
    status = b'"status": "caf\xc3\xa9 \xe2\x80\x94 \x93ok"'
    data = b'"data": [{"title": "One", "body": "Caf\xc3\xa9s \xe2\x80\x94 \x93first."}, {"title": "Two", "body": "2."}]'
    path.write_bytes(b"{" + b", ".join([status, data] if status_first else [data, status]) + b"}")
    items = list(read_file(path))
    assert [a.title for a in items if isinstance(a, Article)] == ["One", "Two"]
    record, wrapper = (f"{path}:data[1]", "line 1, column 69"), (str(path), "line 1, column 20")
    if not status_first:
        record, wrapper = (f"{path}:data[1]", "line 1, column 45"), (str(path), "line 1, column 107")
    notes = [wrapper, record] if status_first else [record, wrapper]
    assert [(s.location, s.reason) for s in items if isinstance(s, Skipped)] == [
        (where, f"not UTF-8 text ({at}: b'\\x93'): read with \ufffd in its place") for where, at in notes
    ]


def test_a_record_with_a_stray_byte_that_is_skipped_is_named_once(tmp_path: Path) -> None:
    """A record with a stray byte that then went in for no other reason (no title) was named twice: noted as read
    with U+FFFD, then skipped. It is named once, skipped, with the reason."""
    path = tmp_path / "stories.jsonl"
    path.write_bytes(
        b'{"title": "One", "body": "Caf\xc3\xa9s of Mal\xc3\xa9 and Nar\xc3\xa9."}\n{"body": "The \x93waves\x94."}\n'
    )
    assert [(s.location, s.kind) for s in read_file(path) if isinstance(s, Skipped)] == [(f"{path}:2", "skipped")]


def test_a_csv_header_with_a_stray_byte_is_read_with_a_note(tmp_path: Path) -> None:
    """A header row with a byte that is not UTF-8 refused the whole file: its rows go in, with a note."""
    path = tmp_path / "export.csv"
    path.write_bytes(b"title,body,caf\x92\nOne,First caf\xc3\xa9.,x\n")
    items = list(read_file(path))
    assert [a.title for a in items if isinstance(a, Article)] == ["One"]
    assert [(s.location, s.kind) for s in items if isinstance(s, Skipped)] == [(str(path), "note")]


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


def test_a_json_file_cut_short_in_a_string_says_so_without_a_dangling_place(tmp_path: Path) -> None:
    """A file cut inside a string was "invalid JSON: Unterminated string starting at; the rest ...": the place
    Python names after "at" was dropped, leaving the sentence hanging. It is the string's, as an editor shows it
    (and the file ending there, nothing is said of a rest not read: see the test below)."""
    path = tmp_path / "cut.json"
    path.write_text('[{"title": "One", "body": "First."}, {"title": "Tw')
    *_, problem = read_file(path)
    assert isinstance(problem, Skipped), problem
    assert problem.reason == "invalid JSON: the file ends too soon, in a string starting at line 1, column 48"


@pytest.mark.parametrize(
    ("name", "text", "location", "reason"),
    [
        # The array's "]" missing: it was "the file ends too soon" with no place, where every other JSON error
        # has one, and "; the rest of the file is not read" of a file with nothing after.
        ("cut.json", '[{"title": "One", "body": "First."}\n', "[2]", "the file ends too soon (line 2, column 1)"),
        # "Expecting value", where the file broke off after a comma or a key.
        ("cut.json", '[{"title": "One", "body": "First."},\n  ', "[2]", "the file ends too soon (line 2, column 3)"),
        ("wrapped.json", '{"articles": [', "", "the file ends too soon (line 1, column 15)"),
        (
            "cut.jsonl",
            '{"title": "One", "body": "First."}\n{"title": "Two", "body":',
            ":2",
            "the line ends too soon (line 2, column 25)",
        ),
        (
            "cut.jsonl",
            '{"title": "One", "body": "First."}\n{"title": "Two", "body": "Sec',
            ":2",
            "the line ends too soon, in a string starting at line 2, column 26",
        ),
    ],
)
def test_json_cut_short_says_where_it_ends(tmp_path: Path, name: str, text: str, location: str, reason: str) -> None:
    """A JSON or JSON Lines file cut short (a copy stopped half-way, a full disk) says that it ends too soon and
    where, as an editor shows it; the records before it go in."""
    path = tmp_path / name
    path.write_text(text)
    items = list(read_file(path))
    articles, [problem], _ = split(items)
    assert [a.title for a in articles] == ([] if name == "wrapped.json" else ["One"])
    assert (problem.location, problem.reason) == (f"{path}{location}", f"invalid JSON: {reason}")


def _broken_json(kind: str) -> bytes:
    """A file of `kind` whose JSON breaks at "oops", far into it: past the first chunk read, after lines and
    characters that are not ASCII, behind a byte order mark (as Windows tools write one)."""
    records = [record(f"Caf\u00e9 {n}", SENTENCE * 6) for n in range(4_000)]
    if kind == "jsonl":
        return "\n".join([*map(json.dumps, records), '{"title": "Broken", "body": oops}']).encode()
    if kind == "object":
        text = json.dumps({"title": "Caf\u00e9", "body": SENTENCE * 30_000}, indent=2, ensure_ascii=False)
        return b"\xef\xbb\xbf" + (text[:-2] + ",\n  oops}").encode()
    text = json.dumps(records, indent=2, ensure_ascii=False)
    return b"\xef\xbb\xbf" + (text[:-2] + ',\n  {"title": "Broken",\n   "body":  oops}]').encode()


@pytest.mark.parametrize("kind", ["array", "object", "jsonl"])
def test_invalid_json_is_said_with_its_line_and_column(tmp_path: Path, kind: str) -> None:
    """Broken JSON in a file was "invalid JSON: Expecting value" with no place (a JSON Lines record gave its column
    alone): an operator fixing the file is told its line and column, from 1, as an editor shows them."""
    data = _broken_json(kind)
    assert len(data) > 2 * CHUNK_BYTES
    path = tmp_path / ("export.jsonl" if kind == "jsonl" else "export.json")
    path.write_bytes(data)
    *_, problem = read_file(path)
    assert isinstance(problem, Skipped), problem
    assert problem.reason.startswith(f"invalid JSON: Expecting value ({where_shown(data, b'oops')})"), problem


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


# ---- exports as newsrooms make them ------------------------------------------------------------------------------


def test_wordpress_rest_api_posts() -> None:
    """A `/wp-json/wp/v2/posts` dump: {"rendered": html} fields were stored as the dict's repr, category and author
    ids as names ("12", "4"), the zoneless local `date` read as UTC, and the link kept its campaign parameters."""
    path = RECORDS / "wp_posts.json"
    gauge, lifeboat = (i for i in read_file(path) if isinstance(i, Article))
    assert gauge.title == "Tide Gauge Back Online \u2013 Readings Resume"
    assert gauge.paragraphs == (
        "The harbour\u2019s tide gauge is sending readings again after a fortnight offline.",
        "Pilots & fishing crews had relied on printed tables meanwhile.",
    )
    assert (gauge.category, gauge.author) == ("", None)
    assert gauge.published == datetime(2023, 11, 20, 17, 30, tzinfo=UTC)
    assert gauge.url == "https://coastgazette.example/2023/11/20/tide-gauge/"
    assert gauge.origin == f"{path}#311"
    # No `date_gmt`: the local `date` is all there is; a name among the ids is a name.
    assert lifeboat.published == datetime(2023, 11, 21, 9, 0, tzinfo=UTC)
    assert lifeboat.category == "Coast"


def test_nested_fields_by_dotted_path() -> None:
    fields = {"title": "title.rendered", "body": "excerpt.rendered", "id": "slug"}
    gauge = next(i for i in read_file(RECORDS / "wp_posts.json", fields) if isinstance(i, Article))
    assert (gauge.title, gauge.paragraphs, gauge.source_id) == (
        "Tide Gauge Back Online \u2013 Readings Resume",
        ("Readings resume.",),
        "tide-gauge",
    )


def test_html_in_record_titles_bodies_and_paragraphs_is_read_as_text() -> None:
    """Record bodies were shown to readers as raw HTML (`<p>Smart &ldquo;quotes&rdquo;`), as feeds' never are."""
    path = RECORDS / "html_records.jsonl"
    items = list(read_file(path))
    cafe, listed, plain = (i for i in items if isinstance(i, Article))
    assert (cafe.title, cafe.author) == ("Caf\u00e9 Reopens", "Jo Reyes")
    assert cafe.paragraphs == (
        "The seafront caf\u00e9 reopened with a \u201cnew\u201d menu.",
        "It opens daily at eight.",
    )
    assert listed.paragraphs == ("First part, with an aside.", "Second part & last.")
    # Text that is only plain text with an entity keeps its blank-line paragraphs.
    assert plain.paragraphs == ("Smith & Sons opened a second shop.", "The first one stays open too.")
    # A title that is there but empty says so, rather than that there is no title field.
    assert [(i.location, i.reason) for i in items if isinstance(i, Skipped)] == [
        (f"{path}:4", "empty title (field 'title')")
    ]


def test_records_wrapped_in_an_object_are_read() -> None:
    """`{"status": "ok", "results": [...]}` was one record with no title; its records are the list of objects."""
    path = RECORDS / "wrapped.json"
    items = list(read_file(path))
    assert all(isinstance(i, Article) for i in items)
    assert [(a.title, a.category, a.origin) for a in items if isinstance(a, Article)] == [
        ("Allotment Waiting List Halved", "Local", f"{path}#1"),
        ("Clock Tower Chimes Again", "Heritage", f"{path}#2"),
    ]
    # An object with a title is one record, whatever lists of objects it holds and in whatever order.
    [single] = list(read_file(RECORDS / "one_with_objects.json"))
    assert isinstance(single, Article) and single.title == "Sorted Keys Story"


def test_field_names_match_whatever_their_case_and_word_separators(tmp_path: Path) -> None:
    """NewsAPI's `publishedAt` and a spreadsheet's `Published At` are `published_at`: they were not found, and every
    story went in undated without a word."""
    path = RECORDS / "newsapi.json"
    items = list(read_file(path))
    assert [(a.title, a.published, a.url, a.paragraphs) for a in items if isinstance(a, Article)] == [
        (
            "Spring Tide Floods the Promenade",
            datetime(2026, 3, 8, 5, 15, tzinfo=UTC),
            "https://gazette.example.org/tide",
            # NewsAPI's count of the characters it left out is no text.
            ("The highest tide in fifty years flooded the promenade on Sunday morning, reaching the doors of the"
             " seafront shops…",),
        ),
        (
            "Ferry Fares Frozen",
            datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
            "https://wire.example.com/ferry-fares",
            ("The ferry company froze its fares until the autumn.",),
        ),
    ]  # fmt: skip
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Web Title,Body-Text,Section Name,Published At\nQuay Closed,The quay is shut.,Local,8 March 2026")
    [story] = list(read_file(sheet))
    assert isinstance(story, Article)
    assert (story.title, story.paragraphs, story.category, story.published) == (
        "Quay Closed",
        ("The quay is shut.",),
        "Local",
        datetime(2026, 3, 8, tzinfo=UTC),
    )


@pytest.mark.parametrize("name", ["cms.jsonl", "cms.json"])
def test_records_under_newsroom_field_names_are_read(tmp_path: Path, name: str) -> None:
    """A CMS export naming its headline `hed` and its text `story_body` (its standfirst `dek`), or dating its stories
    by `created_at` and linking them by `canonical_url`, was skipped record by record: "no title field"."""
    records = [
        {"hed": "Quay Reopens", "dek": "Boats are back", "story_body": "The quay reopened on Monday.",
         "pubDate": "2026-12-01T10:00:00Z", "permalink": "https://paper.example/quay", "section": "Local"},
        {"headline": "Budget Passed", "content": "The council passed its budget.", "published_at": "2026-12-02 09:00",
         "link": "https://paper.example/budget", "category": "Politics"},
        {"hed": "Bridge Shut", "article_body": "The bridge shuts next week.", "created_at": "2026-12-03T08:00:00Z",
         "canonical_url": "https://paper.example/bridge"},
        {"hed": "Pier Lights", "dek": "The pier's lights are on again."},
    ]  # fmt: skip
    path = tmp_path / name
    if name.endswith(".jsonl"):
        write_jsonl(path, *records)
    else:
        path.write_text(json.dumps(records), encoding="utf-8")
    items = list(read_file(path))
    read = [(a.title, a.paragraphs, a.published, a.url, a.category) if isinstance(a, Article) else a for a in items]
    assert read == [
        ("Quay Reopens", ("The quay reopened on Monday.",), datetime(2026, 12, 1, 10, tzinfo=UTC),
         "https://paper.example/quay", "Local"),
        ("Budget Passed", ("The council passed its budget.",), datetime(2026, 12, 2, 9, tzinfo=UTC),
         "https://paper.example/budget", "Politics"),
        ("Bridge Shut", ("The bridge shuts next week.",), datetime(2026, 12, 3, 8, tzinfo=UTC),
         "https://paper.example/bridge", ""),
        # A standfirst alone is the text there is.
        ("Pier Lights", ("The pier's lights are on again.",), None, None, ""),
    ]  # fmt: skip


def test_newsapi_records_withdrawn_by_their_publisher_are_skipped_with_the_reason(library: Library) -> None:
    """NewsAPI keeps a withdrawn article as a record of "[Removed]" fields: it went in as a story headed
    "[Removed]". A real story that only mentions the mark goes in."""
    path = RECORDS / "newsapi_removed.json"
    report = library.ingest([path])
    withdrawn = 'withdrawn by its publisher (NewsAPI marks it "[Removed]")'
    assert [str(p) for p in report.problems] == [
        f"skipped {path}:articles[1]: {withdrawn}",
        f"skipped {path}:articles[3]: {withdrawn}",
    ]
    assert report.summary() == "2 added, 0 updated, 0 unchanged, 2 skipped"
    titles = {a.title for a in library.store.latest(10)}
    assert "[Removed]" not in titles and "Quay Works Delayed" not in titles
    assert {"Lifeboat Crew Honoured", "Editors Explain Why Stories Are [Removed]"} <= titles


def test_json_lines_saved_as_json_are_read_as_json_lines() -> None:
    """JSON Lines under a .json name (as BigQuery and many APIs export them) gave only the first record, and "text
    after the first JSON value is not read" for all the others."""
    path = RECORDS / "lines_saved_as.json"
    items = list(read_file(path))
    assert [(i.title, i.origin) if isinstance(i, Article) else str(i) for i in items] == [
        ("Pier Lights Restored", f"{path}#1"),
        ("Beach Huts Repainted", f"{path}#2"),
        f"skipped {path}:3: invalid JSON: the line ends too soon (line 3, column 41)",
        ("Ferry Timetable Changes", f"{path}#5"),
    ]


@pytest.mark.parametrize("name", ["powershell_utf16.json", "excel_unicode.csv"])
def test_utf16_bulk_files_are_read(name: str) -> None:
    """Windows' "Unicode" (UTF-16 with a byte order mark: PowerShell's Out-File, Excel's Unicode Text) was refused
    as a "binary file, not text", as text files in it are read."""
    items = list(read_file(RECORDS / name))
    assert [(a.title, a.paragraphs[0][:26]) for a in items if isinstance(a, Article)] == [
        ("Café Terrace Approved", "The council approved the c"),
        ("Über-Fähre Delayed", "The new ferry arrives a we" if name.endswith(".csv") else "The new ferry from Bremerh"),
    ]
    assert len(items) == 2
    assert "caf\u00e9\u2019s terrace" in next(i for i in items if isinstance(i, Article)).paragraphs[0]


def test_a_ninjs_story_is_read_by_its_own_field_names(tmp_path: Path) -> None:
    """IPTC's ninjs (JSON news): `body_html`, `firstcreated`, `subject` objects by name, `uri`; a file of one
    object is one record, reported by the file's name (not as element [1] of a list it is not)."""
    path = RECORDS / "ninjs.json"
    [story] = list(read_file(path))
    assert isinstance(story, Article)
    assert (story.title, story.paragraphs, story.category, story.author, story.published, story.url) == (
        "Tramway Extension Approved by Council",
        ("The council approved a tramway extension to the Norden estate, costing 40 million euros.",
         "Construction starts next spring."),
        "Transport",
        "A. Reporter",
        datetime(2026, 11, 8, 12, 0, tzinfo=UTC),
        "https://wire.example.org/ninjs/tram-2026-11-08",
    )  # fmt: skip
    assert story.origin == f"{path}#https://wire.example.org/ninjs/tram-2026-11-08"
    plain = tmp_path / "plain.ninjs.json"
    plain.write_text(json.dumps({"uri": "urn:x:1", "headline": "Quay Closed", "body_text": "The quay is shut."}))
    [text] = list(read_file(plain))
    assert isinstance(text, Article) and text.paragraphs == ("The quay is shut.",) and text.url is None
    empty = tmp_path / "empty.ninjs.json"
    empty.write_text(json.dumps({"uri": "urn:x:2", "headline": "Nothing Yet"}))
    assert list(read_file(empty)) == [Skipped(str(empty), f"no body text (no field named {BODY_NAMES})")]


def test_wrapped_records_are_streamed_and_numbered_by_their_key(tmp_path: Path) -> None:
    """A wrapper over the record limit is read a record at a time, as an array is."""
    path = tmp_path / "big.json"
    records = [record(f"Story {n}", BODY, id=n) for n in range(400)]
    path.write_text(json.dumps({"count": 400, "items": [*records, ["not", "an", "object"]], "more": {"a": [1]}}))
    assert path.stat().st_size > MAX_RECORD_BYTES
    items = list(read_file(path))
    assert [a.title for a in items if isinstance(a, Article)] == [f"Story {n}" for n in range(400)]
    assert [s for s in items if isinstance(s, Skipped)] == [Skipped(f"{path}:items[401]", "not a JSON object")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "semicolons.csv",
            [
                ("Rates Held", ("Rates stay at 2,5%; the board meets again in March.",), "Economy", 14),
                (
                    "Snow Closes Pass",
                    ("The mountain pass closed overnight.", "It reopens when ploughed."),
                    "Travel",
                    15,
                ),
            ],
        ),
        ("tabs.csv", [("Tab Export Story", ("A story exported with tabs, commas, and more commas.",), "Local", None)]),
    ],
)
def test_csv_delimiter_is_found_from_the_header(name: str, expected: list[tuple[object, ...]]) -> None:
    """Excel saves ";"-separated CSV (with a byte order mark) where the decimal mark is a comma: every row said
    "no title field"."""
    items = list(read_file(RECORDS / name))
    assert [
        (a.title, a.paragraphs, a.category, a.published.day if a.published else None)
        for a in items
        if isinstance(a, Article)
    ] == expected
    assert len(items) == len(expected)


def test_csv_over_the_limit_with_semicolons_skips_only_the_long_row(tmp_path: Path) -> None:
    """A long row is read past by its skeleton, which must keep the file's own delimiter: a quote opening a field
    after a ";" is a quote, not text."""
    huge = "words; and more words " * (MAX_RECORD_BYTES // 20)
    path = tmp_path / "long.csv"
    path.write_text(f'title;body\nBefore;First.\nHuge;"{huge}\n;\n"\nAfter;"Last; with a\nline break."\n')
    articles, skipped, _ = split(list(read_file(path)))
    assert [(a.title, a.paragraphs) for a in articles] == [
        ("Before", ("First.",)),
        ("After", ("Last; with a line break.",)),
    ]
    assert [s.location for s in skipped] == [f"{path}:3"]


def test_a_record_corrected_later_in_the_same_file_replaces_the_first(library: Library) -> None:
    """Two records with one id in one export (a story and its correction) were both stored, under one origin; the
    later one is what a second ingest of the file keeps, and is kept at once."""
    path = RECORDS / "corrections.jsonl"
    before = library.store.stats().articles
    report = library.ingest([path])
    assert (report.added, report.duplicates, report.removed, len(report.skipped)) == (3, 2, 0, 0)
    kept = {a.title for a in library.store.latest(10) if a.origin and a.origin.startswith(f"{path}#")}
    assert kept == {"Pier Reopens on Saturday", "Mill Sold for Flats", "Dune Path Fenced"}
    assert library.store.stats().articles == before + 3
    again = library.ingest([path])
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 3, 0)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://news.example.org/wind?utm_source=x", "https://news.example.org/wind"),
        ("n/a", None),
        ("/news/wind", None),
        ("Environment Agency", None),
        ("www.News.example.org/wind?utm_source=x", "https://www.news.example.org/wind"),
        ("www.example", None),
        # Written without its scheme, as spreadsheets show links: the host, then a path.
        ("bbc.co.uk/news/uk-12345", "https://bbc.co.uk/news/uk-12345"),
        ("news.example.org/wind?id=4", "https://news.example.org/wind?id=4"),
        ("bbc.co.uk", None),
        ("wind.md", None),
        ("wind.php?id=4", None),
        ("Reuters/AP", None),
        ("see bbc.co.uk/news", None),
    ],
)
def test_only_a_web_address_is_a_records_link(url: str, kept: str | None) -> None:
    record = {"title": "Wind Farm Wins Approval", "body": "Construction starts next spring.", "url": url}
    assert article_from_record(record, {}, "bulk.jsonl#1")[0].url == kept


def test_a_csv_rows_link_without_its_scheme_is_read_as_https(tmp_path: Path) -> None:
    """A spreadsheet's links as it shows them: each is a link a reader can click."""
    sheet = tmp_path / "links.csv"
    sheet.write_text(
        "title,body,link\nFerry Strike Ends,The strike ended.,www.bbc.co.uk/news/ferry\n"
        "Council Budget Passed,The budget passed.,bbc.co.uk/news/council\n",
        encoding="utf-8",
    )
    assert [a.url for a in read_file(sheet) if isinstance(a, Article)] == [
        "https://www.bbc.co.uk/news/ferry",
        "https://bbc.co.uk/news/council",
    ]


def test_a_ghost_export_gives_its_published_posts_with_their_tags_and_authors() -> None:
    """Ghost's export (Settings > Labs > Export) was read as one record "db[1]" with no title field."""
    path = RECORDS / "ghost.json"
    items = list(read_file(path))
    cannery, budget = (i for i in items if isinstance(i, Article))
    assert [i for i in items if isinstance(i, Skipped)] == [
        Skipped(
            str(path),
            "3 drafts, pages or other posts not published skipped (a Ghost export: only its published posts are"
            " read; draft: 1, page: 1, scheduled: 1)",
        )
    ]
    assert cannery.title == "Cannery to Create 80 Jobs"
    assert cannery.paragraphs == (
        "The fish cannery on the east quay will hire eighty people when its new line opens in the spring.",
        "The company said most jobs would go to people already living on the island.",
    )
    # Its tags and authors in their order: the internal "#feature" tag is no category.
    assert (cannery.category, cannery.author) == ("Business", "Ann Cole, Tom Hale")
    assert cannery.published == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert cannery.url == "https://gazette.example.org/cannery-jobs/"
    assert cannery.origin == f"{path}#5f1c-cannery"
    # A newsletter sent by e-mail only went out too; the export names no address for it.
    assert (budget.title, budget.category, budget.author, budget.url) == (
        "The Harbour Budget Explained",
        "Council",
        None,
        None,
    )


def test_a_ghost_export_links_its_posts_on_the_site_given(library: Library) -> None:
    """Ghost's export writes its site's address nowhere (`__GHOST_URL__` in links, relative navigation in its
    settings), so its posts had no link unless one named an address of its own elsewhere."""
    path = RECORDS / "ghost_paths.json"
    alone = list(read_file(path))
    assert [a.url for a in alone if isinstance(a, Article)] == [None, None, None]
    assert [str(i) for i in alone if isinstance(i, Skipped)] == [
        f"note {path}: 2 stories went in without a link: the export gives only paths on its site"
        " (/lighthouse-opens/), not the site's address; give it with --site, e.g. --site https://example.org"
    ]
    report = library.ingest([path], site="https://notes.harbour.example")
    assert (report.added, report.problems) == (3, [])
    links = {a.title: a.url for a in library.store.latest(10) if a.origin and a.origin.startswith(f"{path}#")}
    # A post's page is its slug on the site (Ghost's default permalink), or the canonical address on the site it
    # names; a newsletter sent by e-mail only has no page.
    assert links == {
        "Lighthouse Opens to Visitors": "https://notes.harbour.example/lighthouse-opens/",
        "Harbour Dues Frozen for a Year": "https://notes.harbour.example/business/dues-frozen/",
        "A Letter to Our Members": None,
    }


def test_record_links_given_as_paths_are_read_on_the_site_given(tmp_path: Path) -> None:
    """A CMS's CSV gives its stories' addresses as paths on its site; a path on the newsroom's own server (a file
    path) is no more a link than before."""
    path = write_csv(
        tmp_path / "cms.csv",
        ["headline", "body", "path"],
        ["Quay Road Reopens", "Quay Road reopened on Monday.", "/news/quay-road?ref=home"],
        ["Ferry Fares Rise", "Fares rise in January.", "//cdn.example.org/ferry"],
    )
    fields = {"url": "path"}
    read = [i for i in read_file(path, fields, "https://paper.example.org/") if isinstance(i, Article)]
    assert [a.url for a in read] == ["https://paper.example.org/news/quay-road?ref=home", None]
    items = list(read_file(path, fields))
    assert [str(i) for i in items if isinstance(i, Skipped)] == [
        f"note {path}: 1 story went in without a link: the export gives only paths on its site"
        " (/news/quay-road?ref=home), not the site's address; give it with --site, e.g. --site https://example.org"
    ]


def test_wordpress_table_exports_give_only_their_published_posts() -> None:
    """WordPress's `wp_posts` table, as phpMyAdmin exports it, was "no title field" for every row; named with
    --field, its drafts, revisions and pages went in as stories (`post_status` and `post_type` were not read)."""
    path = RECORDS / "wp_posts_table.csv"
    items = list(read_file(path))
    [bridge] = [i for i in items if isinstance(i, Article)]
    assert (bridge.title, bridge.paragraphs, bridge.published, bridge.source_id) == (
        "Harbour Bridge Reopens",
        ("The harbour bridge reopened.",),
        datetime(2026, 12, 1, 10, 15, tzinfo=UTC),  # post_date_gmt, not the local post_date
        "11",
    )
    assert [str(i) for i in items if isinstance(i, Skipped)] == [
        f"skipped {path}:3: not published (its status is 'inherit'), not read",
        f"skipped {path}:4: not a story (its post_type is 'page'), not read",
        f"skipped {path}:5: not published (its status is 'draft'), not read",
    ]


def test_a_cms_export_with_notes_in_its_column_names_and_drafts(tmp_path: Path) -> None:
    """A CMS's CSV ("Body (HTML)", "Status") went in as "no body text" for every row, drafts too, and a record with
    no body field at all did not say which option names it."""
    path = write_csv(
        tmp_path / "cms.csv",
        ["Title", "Body (HTML)", "Published at (UTC)", "Status"],
        [
            "Harbour Wall Repairs Begin",
            "<p>Repairs began on Monday.</p><p>They take six weeks.</p>",
            "2026-11-30 14:05",
            "Published",
        ],
        ["Budget Plans", "<p>Not ready.</p>", "", "Draft"],
        ["Pier Closes", "<p>The pier closes on Friday.</p>", "2026-12-04 09:00", "scheduled"],
    )
    items = list(read_file(path))
    [wall] = [i for i in items if isinstance(i, Article)]
    assert (wall.paragraphs, wall.published) == (
        ("Repairs began on Monday.", "They take six weeks."),
        datetime(2026, 11, 30, 14, 5, tzinfo=UTC),
    )
    assert [str(i) for i in items if isinstance(i, Skipped)] == [
        f"skipped {path}:3: not published (its status is 'Draft'), not read",
        f"skipped {path}:4: not published (its status is 'scheduled'), not read",
    ]
    headless = write_csv(tmp_path / "other.csv", ["headline", "words"], ["Pier Closes", "It closes on Friday."])
    assert [str(i) for i in read_file(headless)] == [
        f"skipped {headless}:2: no body text (no field named {BODY_NAMES})"
    ]


def test_a_substack_export_without_share_buttons_links_its_posts_on_the_site_given(tmp_path: Path) -> None:
    """Substack's posts.csv names the posts by id and slug, never the publication's address."""
    export = tmp_path / "substack"
    shutil.copytree(DATA / "substack_export", export)
    body = export / "posts" / "151234567.lighthouse-opens.html"
    body.write_text(re.sub(r'<p class="button-wrapper">.*?</p>', "", body.read_text(encoding="utf-8")))
    items = list(read_articles([export]))
    assert [a.url for a in items if isinstance(a, Article)] == [None, None]
    assert (
        f"note {export / 'posts.csv'}: 2 stories went in without a link: the export gives only paths on its site"
        " (/p/lighthouse-opens), not the site's address; give it with --site, e.g. --site https://example.org"
    ) in [str(i) for i in items]
    items = list(read_articles([export], site="https://www.harbournotes.example"))
    assert [a.url for a in items if isinstance(a, Article)] == [
        "https://www.harbournotes.example/p/lighthouse-opens",
        "https://www.harbournotes.example/p/dues-frozen",
    ]
    assert not any("without a link" in str(i) for i in items)


def test_a_substack_body_that_cannot_be_read_skips_its_post_not_the_ingest(tmp_path: Path) -> None:
    """A body that is not text (or in no encoding newsbot can tell) raised out of the export's reader while it
    looked for the publication's address among the bodies, and the whole ingest stopped."""
    export = tmp_path / "substack"
    shutil.copytree(DATA / "substack_export", export)
    body = export / "posts" / "151234567.lighthouse-opens.html"
    body.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    items = list(read_articles([export]))
    assert [a.title for a in items if isinstance(a, Article)] == ["Harbour Dues Frozen, for Now"]
    assert f"skipped {export / 'posts.csv'}:2: binary file, not text" in [str(i) for i in items]


def test_a_stray_byte_in_a_substack_export_costs_its_character_not_its_posts(tmp_path: Path) -> None:
    """One Windows quote mark pasted into posts.csv stopped the reading of every row ("unreadable ('utf-8' codec
    can't decode ...); the rest of the file is not read"), and one in a post's body skipped the post."""
    export = tmp_path / "substack"
    shutil.copytree(DATA / "substack_export", export)
    posts = export / "posts.csv"
    posts.write_bytes(posts.read_bytes().replace(b"forty years,", "forty years \u2013 a first".encode() + b"\x92,", 1))
    body = export / "posts" / "151234568.dues-frozen.html"
    body.write_bytes(
        "<p>The board\u2019s chair, Ana Müller, froze the dues\x92 rise.</p>".encode().replace(b"\xc2\x92", b"\x92")
    )
    items = list(read_articles([export]))
    assert [a.title for a in items if isinstance(a, Article)] == [
        "Lighthouse Opens to Visitors",
        "Harbour Dues Frozen, for Now",
    ]
    dues = next(a for a in items if isinstance(a, Article) and a.title.startswith("Harbour"))
    assert dues.paragraphs == ("The board\u2019s chair, Ana Müller, froze the dues\ufffd rise.",)
    said = [str(i) for i in items if isinstance(i, Skipped)]
    at, there = where_shown(posts.read_bytes(), b"\x92"), where_shown(body.read_bytes(), b"\x92")
    assert f"note {posts}: not UTF-8 text ({at}: b'\\x92'): read with \ufffd in its place" in said
    assert (
        f"note {posts}:3: its body, posts/151234568.dues-frozen.html: not UTF-8 text ({there}: b'\\x92'):"
        " read with \ufffd in its place"
    ) in said


@pytest.mark.parametrize(
    ("permalink", "link"),
    [
        # Its date in the site's clock: 03:00 UTC on 1 December is still 30 November in New York.
        ("/{year}/{month}/{slug}/", "https://gazette.example/2026/11/late-ferry/"),
        ("/:year/:month/:day/:slug/", "https://gazette.example/2026/11/30/late-ferry/"),  # Ghost 0.x's spelling
        ("/{primary_tag}/{slug}/", "https://gazette.example/transport/late-ferry/"),  # the first public tag
        ("/{author}/{id}/", "https://gazette.example/ann/5a01/"),
        ("/{slug}/", "https://gazette.example/late-ferry/"),
        ("/{edition}/{slug}/", None),  # a part the export does not hold: no link rather than a wrong one
    ],
)
def test_a_ghost_export_links_its_posts_by_its_permalink_setting(
    tmp_path: Path, permalink: str, link: str | None
) -> None:
    """A Ghost site whose permalinks were not Ghost's default `/slug/` had every post linked to a page that is not
    there: the export's settings hold its permalink (before Ghost 2.0) and its clock. A page, which older exports
    mark `"page": true`, went in as a story."""
    export = json.loads((RECORDS / "ghost_permalinks.json").read_text(encoding="utf-8"))
    settings = export["db"][0]["data"]["settings"]
    next(s for s in settings if s["key"] == "permalinks")["value"] = permalink
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    items = list(read_file(path, site="https://gazette.example"))
    [ferry] = [i for i in items if isinstance(i, Article)]
    assert (ferry.title, ferry.url, ferry.category, ferry.author) == (
        "Late Ferry Added for Winter",
        link,
        "Transport",
        "Ann Cole",
    )
    assert [i.reason for i in items if isinstance(i, Skipped)] == [
        "1 drafts, pages or other posts not published skipped (a Ghost export: only its published posts are read;"
        " page: 1)"
    ]


def test_mongoexport_values_and_tab_separated_files_are_read(tmp_path: Path) -> None:
    """MongoDB's Extended JSON wraps a date and an id in an object (`{"$date": ...}`): they went in as no value,
    undated without a word; a `.tsv` export was counted among the files not read."""
    path = write_jsonl(
        tmp_path / "stories.json",
        {
            "_id": {"$oid": "65a1"},
            "title": "Dues Frozen",
            "body": "Dues are frozen.",
            "date": {"$date": "2026-12-01T10:00:00Z"},
        },
        {
            "_id": {"$oid": "65a2"},
            "title": "Ferry Added",
            "body": "A ferry.",
            "date": {"$date": {"$numberLong": "1795946400000"}},
        },
    )
    read = [i for i in read_file(path) if isinstance(i, Article)]
    assert [(a.source_id, a.published) for a in read] == [
        ("65a1", datetime(2026, 12, 1, 10, tzinfo=UTC)),
        ("65a2", datetime(2026, 11, 29, 10, tzinfo=UTC)),
    ]
    sheet = tmp_path / "export.tsv"
    sheet.write_text("Title\tBody\tDate\nPier Reopens\tThe pier reopened.\t01.12.2026\n", encoding="utf-8")
    [pier] = [i for i in read_articles([tmp_path]) if isinstance(i, Article) and i.title == "Pier Reopens"]
    assert (pier.paragraphs, pier.published) == (("The pier reopened.",), datetime(2026, 12, 1, tzinfo=UTC))


def test_a_ghost_export_of_the_older_form_is_streamed(tmp_path: Path) -> None:
    """Without "db", as Ghost before 1.0 wrote it; over the record limit, read a post at a time."""
    posts = [
        {"id": str(n), "title": f"Story {n}", "html": f"<p>{PARAGRAPH}</p>" * 10, "status": "published"}
        for n in range(400)
    ]
    data = {"posts": posts, "tags": [{"id": "t", "name": "Harbour"}], "posts_tags": [{"post_id": "7", "tag_id": "t"}]}
    path = tmp_path / "ghost-export.json"
    path.write_text(json.dumps({"meta": {"exported_on": 1764576000000, "version": "0.11.14"}, "data": data}))
    assert path.stat().st_size > MAX_RECORD_BYTES
    articles = [i for i in read_file(path) if isinstance(i, Article)]
    assert [a.title for a in articles] == [f"Story {n}" for n in range(400)]
    assert {a.title for a in articles if a.category == "Harbour"} == {"Story 7"}


def test_a_substack_export_gives_its_published_posts_with_their_bodies(tmp_path: Path) -> None:
    """Substack's export went in as nothing: posts.csv has no body ("no body text" for each row), the bodies in
    posts/ have no headline ("not an HTML page"), and its list of subscribers was read as records."""
    export = DATA / "substack_export"
    items = list(read_articles([export]))
    lighthouse, dues = (i for i in items if isinstance(i, Article))
    posts = export / "posts.csv"
    assert [str(i) for i in items if isinstance(i, Skipped)] == [
        f"skipped {posts}:5: its body, posts/151234570.lost-body.html, is not in the export",
        f"skipped {posts}: 1 post not published skipped (a Substack export: only its published posts are read;"
        " newsletter: 1)",
        f"note {export}: a Substack export: its posts are read from posts.csv, each with its body from posts/; its 5"
        " other files (the subscribers, e-mail statistics, the bodies themselves) are not read",
    ]
    assert lighthouse.title == "Lighthouse Opens to Visitors"
    # Substack's buttons and its call to subscribe are no part of the post; a sentence starting "Share" is.
    assert lighthouse.paragraphs == (
        "The old lighthouse will open to visitors on summer weekends for the first time in forty years, the harbour"
        " trust said on Sunday.",
        "Visitors will be able to climb the 112 steps to the lantern room.",
        "Share prices in the ferry company rose on the news.",
    )
    assert lighthouse.published == datetime(2026, 11, 29, 15, 30, tzinfo=UTC)
    assert lighthouse.origin == f"{posts}#151234567.lighthouse-opens"
    # No file names the publication's address; the share button in one post's body does, for every post.
    assert lighthouse.url == "https://harbournotes.substack.com/p/lighthouse-opens"
    assert (dues.title, dues.url) == ("Harbour Dues Frozen, for Now", "https://harbournotes.substack.com/p/dues-frozen")
    # posts.csv given by its own path reads the same posts.
    assert [a for a in read_file(posts) if isinstance(a, Article)] == [lighthouse, dues]


@pytest.mark.parametrize("newline_at_end", [True, False])
def test_a_csv_quote_never_closed_is_said_where_it_opens(tmp_path: Path, newline_at_end: bool) -> None:
    """csv reads a quote never closed as a field running to the end of the file: the row was "no body text" (its
    title held the rest of the file) and the rows after it were gone without a word. A stray inch mark (`5"`) in
    a row beside a quoted field of two lines is no such quote."""
    path = tmp_path / "cms.csv"
    path.write_text(
        "title,body,published\n"
        'Bridge 5" opens,"The new bridge opened today\nafter two years of work.",2026-12-02\n'
        '"Ferry strike ends,The ferry strike ended on Tuesday after talks.,2026-12-01\n'
        "Harbour closes,The harbour closed for the storm.,2026-12-03" + ("\n" if newline_at_end else ""),
        encoding="utf-8",
    )
    articles, skipped, _ = split(list(read_file(path)))
    assert [a.title for a in articles] == ['Bridge 5" opens']
    assert skipped == [
        Skipped(
            f"{path}:3",
            'unreadable CSV (line 4): a quote (") opens a field there and is never closed, so the rest of the file'
            " (2 lines) read as that one field; close it and ingest the file again",
        )
    ]
