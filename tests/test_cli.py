"""The `newsbot` command line, called as `main(argv)` and as an installed console script."""

from __future__ import annotations

import fcntl
import json
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import make_url

from bot import __version__
from bot.cli import DATE_FORMS, EMPTY_LIBRARY, encoding_minutes, main
from bot.config import Settings
from bot.errors import StoreError
from bot.index import TantivyEngine
from bot.index.holder import holder_of
from bot.library import Library
from bot.models import Command
from bot.render.welcome import COMMAND_LINE, COMMAND_LINE_HELP, TELEGRAM, clock_reply, talk_reply
from bot.semantic.follower import LOCK_FILE
from bot.semantic.vectors import VectorStore
from bot.services.latest import NOTHING_IN
from bot.store import Store
from bot.store.writer import described
from tests.answer_text import PLAIN, listed
from tests.botapi_server import TOKEN, FakeBotAPI
from tests.conftest import built_once, copied_library
from tests.paths import BBC, DATA, ROOT, needs_bbc
from tests.processes import free_port
from tests.test_bot_e2e import chat_in_terminal, start_newsbot_run
from tests.test_library import FullDisk, garble
from tests.test_processes import until
from tests.web_server import serving

# The id of the article shipped in corpus/ (its text's hash: it has no link).
SHIPPED_ID = "c040df849f0a9d99"
SHIPPED_TITLE = "Russia Invites US Military Chief to Missile Defense Talks"
# How a library opened in this process names it to others, in the vectors' lock: its pid and program.
THIS_PROCESS = described(os.getpid())


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "NEWSBOT_ENGINE", "TELEGRAM_BOT_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSBOT_CORPUS_DIR", str(ROOT / "corpus"))
    return tmp_path


def test_ask_answers_from_the_shipped_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Why did Russia invite Dempsey to Moscow?"]) == 0
    out = capsys.readouterr().out
    assert listed("Russia Invites US Military Chief to Missile Defense Talks", marks=PLAIN).match(out)
    assert "7 Mar 2013, 07:37 \u00b7 News" in out
    assert "*Dempsey*" in out and "*Moscow*" in out
    assert "Source: " + str(next((ROOT / "corpus").glob("*.txt"))) in out


@pytest.mark.usefixtures("shipped_data")
def test_ask_answers_a_misspelt_name_as_the_articles_write_it(capsys: pytest.CaptureFixture[str]) -> None:
    """ "who is Martin Dempsy?" was declined, "Did you mean “Dempsey”?": it is answered as the shipped story writes the
    name, saying so first, and the JSON names the question answered."""
    assert main(["ask", "who is Martin Dempsy?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Answers for Martin Dempsey (you wrote Martin Dempsy)\n\n"), out[:200]
    assert out.index("*Russia Invites US Military Chief") == out.index("\n\n") + 2 and "*Dempsey*" in out, out[:300]
    assert main(["ask", "--json", "who is Martin Dempsy?"]) == 0
    data = json.loads(capsys.readouterr().out)
    respelt = {"question": "who is Martin Dempsey?", "written": "Martin Dempsey", "typed": "Martin Dempsy"}
    assert data["respelt"] == respelt and data["suggested"] is None, data


@pytest.mark.usefixtures("shipped_data")
def test_ask_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--k", "1", "missile defense Dempsey"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] is True and len(data["passages"]) == 1
    passage = data["passages"][0]
    assert passage["published"] == "2013-03-07T07:37:00+00:00" and passage["category"] == "News"
    assert passage["link"].endswith(".txt") and "dempsey" in passage["matched"]
    # A question in another language carries the articles' (the bot's chat layer reads it: `Answer.foreign_to`).
    assert data["foreign_to"] is None
    assert main(["ask", "--json", "Что сказал Путин?"]) == 1
    declined = json.loads(capsys.readouterr().out)
    assert declined["foreign_to"] == "en" and declined["reason"].endswith("please ask in English."), declined


@pytest.mark.usefixtures("shipped_data")
def test_ask_json_names_the_words_matched_as_the_passage_writes_them_as_an_answer_emboldens_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`matched` gave the terms the words are searched as, "invit" of "invited", where the same answer in Telegram
    and in the terminal emboldens "invited": a script marking them found no "invit" in the text."""
    assert main(["ask", "--json", "--k", "1", "Why did Russia invite Dempsey to Moscow?"]) == 0
    [passage] = json.loads(capsys.readouterr().out)["passages"]
    assert passage["matched"] == ["dempsey", "invited", "moscow", "russia"]
    assert main(["ask", "--k", "1", "Why did Russia invite Dempsey to Moscow?"]) == 0
    shown = capsys.readouterr().out
    assert sorted(bold.casefold() for bold in re.findall(r"\*(\w+)\*", shown)) == passage["matched"]


@pytest.mark.usefixtures("shipped_data")
def test_ask_a_follow_up_to_a_story(capsys: pytest.CaptureFixture[str]) -> None:
    """As a reply to an answer in chat: "when was that?" alone has no word to search for."""
    assert main(["ask", "when was that?"]) == 1
    assert "only has common words" in capsys.readouterr().out
    assert main(["ask", "when was that?", "--following", SHIPPED_ID]) == 0
    assert listed("Russia Invites US Military Chief to Missile Defense Talks", marks=PLAIN).match(
        capsys.readouterr().out
    )


@pytest.mark.parametrize("reference", ["0123456789abcdef", "https://example.org/gone", "corpus/000_story.txt"])
@pytest.mark.usefixtures("shipped_data")
def test_a_follow_up_to_a_story_not_here_is_refused_not_asked_alone(
    reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story's file path (`ask --json`'s link for it) or an id no article has was passed over in silence: the
    question was searched alone, and "who paid for it?" answered from whatever story used those words."""
    assert main(["ask", "when was that?", "--following", SHIPPED_ID, "--following", reference]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"newsbot: no article {reference!r} in the store",
        'newsbot: --following takes an article\'s id (the "id" of `ask --json`), its URL, or the file it was read from',
    ]


def test_deep_link_when_the_bot_username_is_known(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@example_news_bot")
    assert main(["ask", "--json", "Dempsey Moscow"]) == 0
    link = json.loads(capsys.readouterr().out)["passages"][0]["link"]
    assert link.startswith("https://t.me/example_news_bot?start=")


@pytest.mark.parametrize(
    ("question", "says"), [("   ", "type a question"), ("!!!", "no words"), ("x" * 10_000, "at most")]
)
@pytest.mark.usefixtures("shipped_data")
def test_bad_questions_exit_1_with_a_message(capsys: pytest.CaptureFixture[str], question: str, says: str) -> None:
    assert main(["ask", question]) == 1
    captured = capsys.readouterr()
    assert says in captured.out and "Traceback" not in captured.err


@pytest.mark.usefixtures("shipped_data")
def test_nothing_answers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Who won the football world cup in Brazil?"]) == 1
    out = capsys.readouterr().out
    assert "Nothing in the articles answers that" in out


def test_remove_takes_ids_and_urls_and_fails_for_one_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped demo article goes by the id the README gives; an unknown one is named, and the exit is 1."""
    assert main(["ask", "--json", "Why did Russia invite Dempsey to Moscow?"]) == 0
    shipped = json.loads(capsys.readouterr().out)["passages"][0]["id"]
    assert shipped == SHIPPED_ID and SHIPPED_ID in (ROOT / "README.md").read_text()
    assert main(["remove", SHIPPED_ID, "https://nowhere.example/story"]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"removed {SHIPPED_ID}\n"
    assert captured.err == "newsbot: no article 'https://nowhere.example/story' in the store\n"
    assert main(["ask", "Why did Russia invite Dempsey to Moscow?"]) == 1
    assert main(["remove", SHIPPED_ID]) == 1
    # A name with spaces read as part of the sentence: "no article no such story in the store".
    capsys.readouterr()
    assert main(["remove", "no such story"]) == 1
    assert capsys.readouterr().err == "newsbot: no article 'no such story' in the store\n"


def test_ingest_reports_every_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    # The Latin-1 and impossible-date files once in malformed/ now go in, with a note each (windows1252/ and
    # unreadable_dates/ hold them).
    unread = DATA / "unreadable_dates" / "bad_date.txt"
    assert main(["ingest", str(DATA / "articles"), str(DATA / "malformed"), str(unread)]) == 0
    captured = capsys.readouterr()
    assert "4 added, 0 updated, 0 unchanged, 3 skipped, 1 note" in captured.out
    assert "no_body.txt: no body text" in captured.err
    assert f"note {unread}: impossible date '31-02-2013, 10:00'" in captured.err
    assert main(["ingest", str(DATA / "articles")]) == 0
    assert "0 added, 0 updated, 3 unchanged, 0 skipped" in capsys.readouterr().out


def test_an_ingest_naming_a_path_that_is_not_there_fails_after_reading_the_others(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    assert main(["ingest", str(isolated / "typo"), str(DATA / "articles")]) == 1
    captured = capsys.readouterr()
    assert "3 added" in captured.out and "typo: no such file or directory" in captured.err


@pytest.mark.parametrize("address", ["htp://example.org/story", "ftp://example.org/news.jsonl"])
def test_an_ingest_of_an_address_no_page_is_read_from_is_refused_unmangled(
    capsys: pytest.CaptureFixture[str], address: str
) -> None:
    """It was "skipped htp:/example.org/story: no such file or directory", the address read as a path."""
    with pytest.raises(SystemExit) as exc:
        main(["ingest", str(DATA / "articles"), address])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert f"argument PATH_OR_URL: '{address}' is no file, and pages are read from http:// and https://" in err


TYPED_ADDRESSES = json.loads((DATA / "typed_addresses.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("typed", sorted(TYPED_ADDRESSES))
def test_an_ingest_of_a_page_typed_without_its_scheme_says_how_to_read_it(
    typed: str, capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """A test server's address typed without http:// ("127.0.0.1:8756/x") was "no such file or directory" alone."""
    assert main(["ingest", typed, str(DATA / "articles")]) == 1
    captured = capsys.readouterr()
    assert "3 added" in captured.out
    assert (
        f"note: to read the page {typed} names, add http:// or https:// before it:"
        f" newsbot ingest {TYPED_ADDRESSES[typed]}"
    ) in captured.err.splitlines()
    # A mistyped file in a folder that is there (the working directory's) is named as one, not as a page.
    (isolated / "corpus.old").mkdir()
    assert main(["ingest", "corpus.old/storm.tx"]) == 1
    assert "note:" not in capsys.readouterr().err


def write_notices(path: Path, count: int) -> Path:
    """`count` short articles in JSON Lines, two paragraphs each."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            body = f"Boat owners on pontoon {n} must check their moorings.\n\nThe tide peaks at {n % 12} o'clock."
            record = {"title": f"Harbour notice {n}", "body": body, "url": f"https://gazette.example.org/notice/{n}"}
            out.write(json.dumps(record) + "\n")
    return path


def test_an_ingest_whose_store_runs_out_of_space_fails_in_one_line_and_keeps_whole_batches(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """A store write failing for lack of space (a file size limit, as a full disk refuses the write) ended the ingest
    with the database's error alone: what it had stored went unsaid. What it says it stored is what the store holds,
    each article whole (written WRITE_ARTICLES at a time, some transactions fit and the next does not)."""
    source = write_notices(isolated / "notices.jsonl", 3000)
    store_url = f"sqlite:///{isolated / 'data' / 'newsbot.sqlite3'}"
    assert main(["init"]) == 0
    store = Store.open(store_url)
    before = store.stats()
    store.close()

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_800_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    run = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(source)],
        env={**os.environ, "NEWSBOT_SEMANTIC": "off"},
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limited,
    )
    assert run.returncode == 3
    said = re.fullmatch(
        f"newsbot: database error: disk I/O error \\({re.escape(str(isolated / 'data' / 'newsbot.sqlite3'))}\\); this"
        " ingest stored ([0-9,]+) articles before it, each whole, and not the rest",
        run.stderr.strip(),
    )
    assert said is not None, run.stderr
    assert run.stdout == ""
    # Nothing half-written: what it said it stored, each article whole (and indexed), and not the rest.
    stored = int(said[1].replace(",", ""))
    assert 0 < stored < 3000
    store = Store.open(store_url)
    after = store.stats()
    store.close()
    assert (after.articles, after.paragraphs) == (before.articles + stored, before.paragraphs + stored * 2)
    capsys.readouterr()
    assert main(["stats"]) == 0
    assert f"{after.paragraphs:,} paragraphs indexed" in capsys.readouterr().out


def test_an_ingest_that_cannot_write_the_index_for_lack_of_space_fails_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    """The index out of space: the ingest warned and exited 0, as if its articles could be found."""
    assert main(["stats"]) == 0
    real_write = TantivyEngine._write
    with monkeypatch.context() as full:
        full.setattr(TantivyEngine, "_write", lambda engine: FullDisk(real_write(engine)))
        assert main(["ingest", str(DATA / "articles")]) == 3
    captured = capsys.readouterr()
    assert "3 added, 0 updated, 0 unchanged, 0 skipped" in captured.out
    last = captured.err.splitlines()[-1]
    assert last.startswith(f"newsbot: cannot write the index in {isolated / 'data' / 'index'}"), last
    assert last.endswith(
        ": No space left on device; the articles are stored, and are found once there is room for the index (the next"
        " newsbot command adds them to it)"
    ), last
    # With room again, the next command indexes them.
    assert main(["ask", "glacier drone survey"]) == 0
    assert "Glacier Retreat Measured by Drone Survey" in capsys.readouterr().out


def test_an_ingest_on_a_full_index_disk_says_so_in_one_line_and_the_retry_too(
    isolated: Path, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The index's files out of space (a file size limit, as a full disk refuses the write; the store on a
    PostgreSQL server, whose files the limit does not reach): the log's warning and a note on the vectors came
    before the ingest's own line. Again after a retry with the disk still full, where opening catches the index up
    first."""
    # No bytecode written under the limit: a .pyc cut at it is renamed into place whole-looking (one short write),
    # and every later import of that module fails ("marshal data too short", seen in a fresh virtualenv).
    env = {**os.environ, "DATABASE_URL": postgres_url, "PYTHONDONTWRITEBYTECODE": "1"}
    # What `newsbot init` makes, as a copy (a process migrating, seeding and embedding the shipped articles: seconds
    # of CPU that are not this test's subject).
    copied_library(
        Settings(data_dir=isolated / "data", corpus_dir=ROOT / "corpus", database_url=postgres_url), tmp_path_factory
    )

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    source = write_notices(isolated / "notices.jsonl", 3000)
    for summary in ("3,000 added, 0 updated, 0 unchanged", "0 added, 0 updated, 3,000 unchanged"):
        run = subprocess.run(
            [sys.executable, "-m", "bot", "ingest", str(source)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=limited,
        )
        assert run.returncode == 3, run.stderr
        assert run.stdout.startswith(summary), run.stdout
        [line] = run.stderr.splitlines()
        assert line.startswith(f"newsbot: cannot write the index in {isolated / 'data' / 'index'}"), line
        # The system's own words when the committing thread meets the limit; when one of tantivy's writing threads
        # meets it first (timing: it happened on a loaded machine), tantivy says only that the writer was killed.
        reasons = ("File too large", "its writer failed on an input/output error (a full disk, most likely)")
        told = "; the articles are stored, and are found once there is room for the index (the next newsbot command"
        assert any(line.endswith(f": {reason}{told} adds them to it)") for reason in reasons), line
    # With room again, the next command indexes them.
    ask = [sys.executable, "-m", "bot", "ask", "pontoon 2999 moorings"]
    found = subprocess.run(ask, env=env, capture_output=True, text=True, timeout=300)
    assert found.returncode == 0 and "Harbour notice 2999" in found.stdout, found.stdout + found.stderr


def test_ingest_csv_with_field_names(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "ingest",
        str(DATA / "bulk.csv"),
        "--field",
        "title=headline",
        "--field",
        "body=text",
        "--field",
        "category=section",
        "--field",
        "published=date",
        "--field",
        "url=link",
    ]
    assert main(argv) == 0
    assert "2 added" in capsys.readouterr().out
    assert main(["ask", "--category", "Transport", "ferry crossings"]) == 0
    assert "https://news.example.org/ferry" in capsys.readouterr().out


def test_ingest_an_export_naming_no_site_with_its_address(capsys: pytest.CaptureFixture[str]) -> None:
    """Ghost's export names no address for its site: `--site` gives it (a bare host is https), and a reader gets
    links; an address that is no site's is a usage error."""
    assert main(["ingest", str(DATA / "records" / "ghost_paths.json"), "--site", "notes.harbour.example"]) == 0
    assert "without a link" not in capsys.readouterr().err
    assert main(["ask", "--json", "lighthouse summer weekends"]) == 0
    assert "https://notes.harbour.example/lighthouse-opens/" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "x.json", "--site", "mailto:desk@harbour.example"])
    assert exc.value.code == 2
    assert "expected a site's address" in capsys.readouterr().err


def test_newsbot_alone_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "ingest" in err and "ask" in err and "run" in err and "required" not in err


def test_bad_field_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "x.csv", "--field", "nonsense"])
    assert exc.value.code == 2


def test_stats(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ingest", str(DATA / "articles")])
    capsys.readouterr()
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "articles:   4" in out and "Local: 1" in out and "dates:      7 Mar 2013 to 15 Jun 2021\n" in out
    assert " kB on disk)" in out


def test_stats_json_gives_a_script_the_table_s_numbers_unrounded(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ask` and `latest` had --json, `stats` none: a script read "1.4 MB on disk" and "7 Mar 2013" off the table."""
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "off")
    main(["ingest", str(DATA / "articles")])
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in stats.items() if k != "index_bytes"} == {
        "articles": 4,
        "paragraphs": stats["indexed_paragraphs"],
        "undated": 0,
        "first_published": "2013-03-07T07:37:00+00:00",
        "last_published": "2021-06-15T18:05:00+00:00",
        "engine": "tantivy",
        "indexed_paragraphs": stats["paragraphs"],
        "index_failure": None,
        "vectors": None,
        "vectors_waiting": 0,
        "semantic": None,
        "categories": stats["categories"],
    }
    assert stats["index_bytes"] > 1_000 and stats["paragraphs"] > 4
    assert {"category": "Local", "articles": 1} in stats["categories"]
    assert sum(c["articles"] for c in stats["categories"]) == 4


def test_an_ingest_names_a_few_records_skipped_alike_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A CMS export of 5,000 records under a headline object printed 5,000 lines of one reason: the first few are
    named, the rest counted in one line with the reason, and -v names each; other reasons are each said."""
    export = tmp_path / "cms.json"
    records = [{"headline": {"main": f"Story {n}"}, "body": "Text."} for n in range(6)]
    export.write_text(json.dumps({"items": [*records, {"title": "Kept", "body": ""}]}), encoding="utf-8")
    reason = (
        "no title: field 'headline' is an object (main), not text: name the one to read with --field"
        " title=headline.main"
    )
    assert main(["ingest", str(export)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        *(f"skipped {export}:items[{n}]: {reason}" for n in (1, 2, 3)),
        f"skipped {export}:items[7]: no body text",
        f"skipped: 3 more for the same reason, {reason} (-v lists each)",
    ]
    assert main(["-v", "ingest", str(export)]) == 1
    assert sum(line.endswith(reason) for line in capsys.readouterr().err.splitlines()) == 6


def test_an_ingest_names_a_few_duplicates_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The BBC's archive printed a "duplicate" line for each of its 23 stories held twice under other names: the
    first few are named, the rest counted in one line, and -v names each."""
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "off")
    story = {"title": "Harbour City win the cup", "body": "Harbour City won the cup final on penalties."}
    first, copies = tmp_path / "wire.jsonl", tmp_path / "copies.jsonl"
    first.write_text(json.dumps({**story, "url": "https://news.example.org/cup"}) + "\n", encoding="utf-8")
    links = [f"https://mirror{n}.example.org/cup" for n in range(5)]
    copies.write_text("".join(json.dumps({**story, "url": link}) + "\n" for link in links), encoding="utf-8")
    assert main(["ingest", str(first)]) == 0
    capsys.readouterr()
    assert main(["ingest", str(copies)]) == 0
    said = capsys.readouterr()
    lines = said.err.splitlines()
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in lines[:3]] == [
        f"duplicate {x}" for x in links[:3]
    ]
    assert lines[3:] == [
        "duplicate: 2 more stories stored already under another link or name; not stored again (-v lists each)"
    ]
    assert "5 duplicates" in said.out
    assert main(["-v", "ingest", str(copies)]) == 0
    assert sum(line.startswith("duplicate https://mirror") for line in capsys.readouterr().err.splitlines()) == 5


@pytest.mark.parametrize(("recorded", "holder"), [("run", Command.RUN), ("ingest", Command.INGEST), ("sing", None)])
def test_a_lock_s_holder_is_read_with_its_command(tmp_path: Path, recorded: str, holder: Command | None) -> None:
    """The command a holder recorded is one of newsbot's; one this version does not know (a later one's) names
    nobody, as a record in another form does."""
    lock = tmp_path / LOCK_FILE
    record = {"pid": os.getpid(), "host": socket.gethostname(), "command": recorded, "line": "newsbot x"}
    lock.write_text(json.dumps({**record, "started": datetime.now(UTC).isoformat()}))
    found = holder_of(lock)
    assert (found and found.command) == holder
    assert found is None or found.command.bot == (recorded == "run")


@pytest.mark.usefixtures("shipped_data")
def test_a_question_of_no_words_is_shown_one_the_library_answers(capsys: pytest.CaptureFixture[str]) -> None:
    """An emoji alone (or nothing) was told "Try a question such as: Who won the election?", which on the shipped
    article (a general on missile defence) no article answers: the example is the newest story's, answered."""
    for typed, said in (("🌧⚡", "That has no words to search for."), (" ", "Please type a question.")):
        assert main(["ask", typed]) == 1
        out = capsys.readouterr().out
        assert out.startswith(f"{said} Try a question such as: What do we know about “Russia Invites"), out
    assert main(["ask", "--k", "1", out.split("such as: ", 1)[1].strip()]) == 0
    assert "Russia Invites US Military Chief" in capsys.readouterr().out
    # As data it is declined as any answer is (it was one line of another shape, with "\u201c" for each “).
    assert main(["ask", "--json", "xyzzy"]) == 1
    declined = json.loads(capsys.readouterr().out)
    assert main(["ask", "--json", "🙂"]) == 1
    out = capsys.readouterr().out
    refused = json.loads(out)
    assert refused.keys() == declined.keys() and not refused["found"] and "such as: What do we know about “" in out


def test_a_folder_s_readme_is_no_story(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`newsbot ingest ../shared/data/bbc_news` read the data set's README.md as a story ("BBC News corpus ...",
    answering questions about the data set): a folder's README, licence or change log is named and not read; given by
    its own path it is read."""
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "ferry.txt").write_text("Ferry timetable changes\n\nThe Gull Island ferry now leaves at noon.\n")
    (folder / "README.md").write_text("# Wire archive\n\nStories from the harbour desk, one file each.\n")
    (folder / "LICENSE").write_text("Wire archive licence\n\nThe stories may be read by anyone.\n")
    assert main(["ingest", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("1 added, ") and err.splitlines() == [
        f"skipped {folder}: LICENSE, README.md not read: a folder's README, licence or change log is no story"
        " (give its own path to read one)"
    ]
    assert main(["ask", "What is in the wire archive?"]) == 1
    capsys.readouterr()
    assert main(["ingest", str(folder / "README.md")]) == 0
    assert capsys.readouterr().out.startswith("1 added, ")


def test_json_spells_each_category_as_the_table_does(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The BBC's records file under "sport", the shipped story under "News": `stats --json` listed "sport" beside
    "News" (and `latest --json`, `ask --json` each story's own spelling) where the table shows "Sport"."""
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "off")
    records = tmp_path / "wire.jsonl"
    story = {
        "title": "Harbour City win the cup",
        "body": "Harbour City won the cup final on penalties.",
        "category": "sport",
    }
    records.write_text(json.dumps(story) + "\n", encoding="utf-8")
    assert main(["ingest", str(records)]) == 0
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    assert {c["category"] for c in json.loads(capsys.readouterr().out)["categories"]} == {"Sport", "News"}
    assert main(["latest", "--json", "sport"]) == 0
    latest = json.loads(capsys.readouterr().out)
    assert latest["category"] == "Sport" and [h["category"] for h in latest["headlines"]] == ["Sport"]
    assert main(["ask", "--json", "who won the cup final"]) == 0
    assert json.loads(capsys.readouterr().out)["passages"][0]["category"] == "Sport"


def test_bad_setting_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBOT_ENGINE", "lucene")
    assert main(["stats"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsbot: NEWSBOT_ENGINE must be one of") and "\n" not in err


@needs_bbc
def test_bbc_imports_with_one_command_and_answers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lexical only: embedding the BBC corpus takes minutes (the semantic stage has its own tests).
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "off")
    assert main(["ingest", str(BBC)]) == 0
    assert "2,104 added" in capsys.readouterr().out
    assert main(["ask", "--json", "How much did Time Warner's quarterly profits rise?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "Time Warner" in data["passages"][0]["title"]


def test_console_script_is_installed(tmp_path: Path) -> None:
    exe = shutil.which("newsbot", path=str(Path(sys.executable).parent)) or shutil.which("newsbot")
    if exe is None:
        pytest.skip("the newsbot console script is not on PATH (package not installed)")
    result = subprocess.run([exe, "ask", "Dempsey"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and "Dempsey" in result.stdout


def test_ask_dash_reads_the_question_from_standard_input() -> None:
    """`echo "..." | newsbot ask -` searched for "-" ("That has no words to search for"): the question is read
    from standard input, over as many lines as it takes."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        input="Why did Russia invite\nDempsey to Moscow?\n",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == "Why did Russia invite Dempsey to Moscow?"
    assert answer["passages"][0]["title"] == "Russia Invites US Military Chief to Missile Defense Talks"


def test_a_model_file_that_is_not_there_is_said_once_and_the_question_answered_by_words(tmp_path: Path) -> None:
    """NEWSBOT_SEMANTIC_MODEL naming no file (mistyped, or the model not installed where it was) never stops a
    start: one warning names it, and the answer comes from the words."""
    missing = tmp_path / "no-such-model.onnx"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Why did Russia invite Dempsey to Moscow?"],
        env={**os.environ, "NEWSBOT_SEMANTIC_MODEL": str(missing)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert listed("Russia Invites US Military Chief to Missile Defense Talks", marks=PLAIN).match(result.stdout)
    [warning] = [line for line in result.stderr.splitlines() if "semantic search is off" in line]
    assert str(missing) in warning


def test_latest_loads_no_encoder() -> None:
    """`newsbot latest` loaded the ONNX encoder and its word pieces as the library opened, about a third of its
    start, to show headlines that need neither; a question still loads it."""
    code = (
        "import sys; from bot.cli import main; code = main(sys.argv[1:]);"
        " print(code, 'onnxruntime' in sys.modules, file=sys.stderr)"
    )
    for command, loaded in ((["latest"], "False"), (["ask", "Dempsey"], "True")):
        run = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, timeout=300)
        assert run.stderr.splitlines()[-1] == f"0 {loaded}", run.stderr


@pytest.mark.usefixtures("shipped_data")
def test_until_a_day_includes_that_whole_day(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--until", "2013-03-07", "Dempsey"]) == 0
    assert "Dempsey" in capsys.readouterr().out
    assert main(["ask", "--until", "2013-03-06", "Dempsey"]) == 1
    assert main(["ask", "--since", "8-03-2013", "Dempsey"]) == 1


@pytest.mark.usefixtures("shipped_data")
def test_since_and_until_read_today_and_yesterday(capsys: pytest.CaptureFixture[str], isolated: Path) -> None:
    """`--since yesterday`, as a reader asks "what happened yesterday?", was an unreadable date (exit 2)."""
    today = datetime.now(UTC).date()
    records = isolated / "days.jsonl"
    records.write_text(
        "".join(
            json.dumps({"title": f"Ferry news {days}", "body": f"The ferry story of day {days}.", "date": str(day)})
            + "\n"
            for days, day in ((0, today), (1, today - timedelta(days=1)), (2, today - timedelta(days=2)))
        ),
        encoding="utf-8",
    )
    assert main(["ingest", str(records)]) == 0
    capsys.readouterr()

    def found(*dates: str) -> list[str]:
        main(["ask", "ferry story", "--json", "--k", "5", *dates])
        return sorted({p["title"] for p in json.loads(capsys.readouterr().out)["passages"]})

    assert found("--since", "Yesterday") == ["Ferry news 0", "Ferry news 1"]
    assert found("--since", "today") == ["Ferry news 0"]
    assert found("--until", "yesterday") == ["Ferry news 1", "Ferry news 2"]
    # A word it does not read names those it does: the message said only "expected D-MM-YYYY, ... or ISO 8601".
    with pytest.raises(SystemExit):
        main(["ask", "ferry story", "--since", "tomorrow"])
    assert capsys.readouterr().err.rstrip().endswith(f"argument --since: 'tomorrow' is no date; give {DATE_FORMS}")


@pytest.mark.parametrize(
    ("typed", "days"),
    [("last week", [0, 5]), ("2 days ago", [0]), ("a month ago", [0, 5, 20]), ("Past 3  Weeks", [0, 5, 20])],
)
@pytest.mark.usefixtures("shipped_data")
def test_since_reads_spans_counted_back_from_today(
    typed: str, days: list[int], capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """`--since 'last week'`, as a reader asks "what happened last week?", was refused as no date (exit 2)."""
    today = datetime.now(UTC).date()
    records = isolated / "spans.jsonl"
    records.write_text(
        "".join(
            json.dumps(
                {"title": f"Ferry news {n}", "body": f"The ferry story of day {n}.", "date": str(today - timedelta(n))}
            )
            + "\n"
            for n in (0, 5, 20, 60)
        ),
        encoding="utf-8",
    )
    assert main(["ingest", str(records)]) == 0
    capsys.readouterr()
    assert main(["ask", "ferry story", "--json", "--k", "5", "--since", typed]) == 0
    found = sorted(int(p["title"].split()[-1]) for p in json.loads(capsys.readouterr().out)["passages"])
    assert found == days


def _days_back(today: date, weekday: int, before: bool = False) -> int:
    """How many days back `today` the last `weekday` (Monday 0) is, on or (with `before`) before it."""
    return (today.weekday() - weekday) % 7 or (7 if before else 0)


@pytest.mark.parametrize("typed", ["monday", "last friday", "this week", "since june", "2 weeks ago", "2024"])
@pytest.mark.usefixtures("shipped_data")
def test_since_and_until_read_the_days_a_question_names(
    typed: str, capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """`--since monday`, "last friday", "this week", "since june" were refused as no date (exit 2), though the bot
    reads "what happened on Monday?"; one reading (bot/named_days.py) for both. `--until` ends with its last day."""
    today = datetime.now(UTC).date()
    june = date(today.year - (today.month < 6), 6, 1)
    first, last = {
        "monday": (today - timedelta(_days_back(today, 0)),) * 2,
        "last friday": (today - timedelta(_days_back(today, 4, before=True)),) * 2,
        "this week": (today - timedelta(today.weekday()), today),
        "since june": (june, date(june.year, 6, 30)),
        "2 weeks ago": (today - timedelta(14),) * 2,
        "2024": (date(2024, 1, 1), date(2024, 12, 31)),
    }[typed]
    shown = [today - timedelta(n) for n in (0, 1, 3, 6, 8, 15, 200)] + [date(2024, 1, 1), date(2024, 12, 31)]
    records = isolated / "days.jsonl"
    records.write_text(
        "".join(
            json.dumps({"title": f"Ferry news {d}", "body": f"The ferry story of {d}.", "date": str(d)}) + "\n"
            for d in shown
        ),
        encoding="utf-8",
    )
    assert main(["ingest", str(records)]) == 0
    capsys.readouterr()

    def found(*dates: str) -> set[date]:
        assert main(["ask", "ferry story", "--json", "--k", "10", *dates]) == 0
        passages = json.loads(capsys.readouterr().out)["passages"]
        return {date.fromisoformat(p["title"].split()[-1]) for p in passages}

    assert found("--since", typed) == {d for d in shown if d >= first}
    assert found("--until", typed) == {d for d in shown if d <= last}


def test_since_and_until_read_days_on_the_readers_clock_as_a_question_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """`--since today` was UTC's today while "what happened today?" is NEWSBOT_DEFAULT_TIMEZONE's: for a reader 14
    hours ahead of UTC up to a day apart. One rule: a day (in words or a date alone) is the reader's."""
    kiritimati = ZoneInfo("Pacific/Kiritimati")  # UTC+14: its today begins at 10:00 UTC of UTC's yesterday
    monkeypatch.setenv("NEWSBOT_DEFAULT_TIMEZONE", kiritimati.key)
    today = datetime.now(kiritimati).date()
    begun = datetime.combine(today, clock_time(0), kiritimati)
    stories = {"Ferry news early": begun + timedelta(minutes=1), "Ferry news late": begun - timedelta(minutes=1)}
    records = isolated / "zoned.jsonl"
    records.write_text(
        "".join(
            json.dumps({"title": t, "body": f"{t}: the ferry story.", "date": when.astimezone(UTC).isoformat()}) + "\n"
            for t, when in stories.items()
        ),
        encoding="utf-8",
    )
    assert main(["ingest", str(records)]) == 0
    capsys.readouterr()

    def found(*dates: str) -> list[str]:
        main(["ask", "ferry story", "--json", "--k", "5", *dates])
        return sorted(p["title"] for p in json.loads(capsys.readouterr().out)["passages"])

    assert found("--since", "today") == ["Ferry news early"]
    assert found("--since", f"{today:%Y-%m-%d}") == ["Ferry news early"]
    assert found("--until", "yesterday") == ["Ferry news late"]
    assert found("--until", f"{today - timedelta(days=1):%Y-%m-%d}") == ["Ferry news late"]
    # A time is the instant it names (UTC's when it names no zone, as articles' are).
    assert found("--since", begun.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")) == ["Ferry news early"]


def test_dates_past_every_article_name_its_newest_on_the_readers_clock(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """`--since` past every article's date named the newest one's date on UTC's clock, a day before the reader's
    in Kiritimati (UTC+14), where `--since` itself is read."""
    monkeypatch.setenv("NEWSBOT_DEFAULT_TIMEZONE", "Pacific/Kiritimati")
    records = isolated / "late.jsonl"
    story = {"title": "Ferry news", "body": "The ferry story.", "date": "2026-12-05T20:00:00Z"}  # 6 Dec there
    records.write_text(json.dumps(story) + "\n", encoding="utf-8")
    assert main(["ingest", str(records)]) == 0
    capsys.readouterr()
    main(["ask", "ferry story", "--since", "2030-01-01"])
    assert "the newest is dated 6 Dec 2026" in capsys.readouterr().err


@pytest.mark.usefixtures("shipped_data")
def test_a_span_or_day_before_every_dated_story_leaves_undated_ones_out(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """Undated stories (a file's, of any day) were listed under "None of the newest stories is dated 2010. The
    newest I have:" as if they were earlier, and among a span's newest: a story of no known day is in no dated span."""
    source = isolated / "pier.jsonl"
    source.write_text(
        json.dumps({"title": "Pier reopened", "body": "The pier reopened at the harbour.", "date": "2024-06-10"})
        + "\n"
        + json.dumps({"title": "Harbour notes", "body": "The harbour pilots met."})
        + "\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(source)]) == 0
    capsys.readouterr()
    main(["ask", "what happened in 2010?"])
    said = capsys.readouterr().out
    assert said.startswith(
        "I have no story dated 2010 or earlier: the oldest is dated 7 March 2013 (1 story has no date)."
    ), said
    assert "Harbour notes" not in said, said
    main(["ask", "what happened in 2025?"])
    said = capsys.readouterr().out
    assert said.startswith("None of the newest stories is dated 2025. The newest I have:"), said
    assert "Pier reopened" in said and "Harbour notes" not in said, said


def test_a_date_range_that_ends_before_it_begins_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--since", "2025-01-01", "--until", "2024-01-01", "Dempsey"]) == 2
    assert "--since 2025-01-01 is after --until 2024-01-01" in capsys.readouterr().err


def test_a_database_file_that_cannot_be_opened_is_named(capsys: pytest.CaptureFixture[str], isolated: Path) -> None:
    """SQLite says only "unable to open database file" (a read-only directory, a folder in its place): which file."""
    (isolated / "data" / "newsbot.sqlite3").mkdir(parents=True)
    assert main(["stats"]) == 3
    err = capsys.readouterr().err
    assert "unable to open database file" in err and str(isolated / "data" / "newsbot.sqlite3") in err


def test_a_data_directory_that_is_a_file_is_one_line(capsys: pytest.CaptureFixture[str], isolated: Path) -> None:
    (isolated / "data").write_text("not a directory")
    assert main(["stats"]) == 2
    err = capsys.readouterr().err
    assert "the data directory" in err and "is a file, not a directory" in err and "Traceback" not in err


def test_a_data_directory_given_as_a_file_names_the_option(capsys: pytest.CaptureFixture[str], isolated: Path) -> None:
    """`--data-dir /tmp/afile` was told to "set NEWSBOT_DATA_DIR to another", an option it did not use."""
    given = isolated / "afile"
    given.write_text("not a directory")
    assert main(["--data-dir", str(given), "stats"]) == 2
    err = capsys.readouterr().err
    assert f"the data directory {given} is a file, not a directory" in err
    assert "give another with --data-dir or NEWSBOT_DATA_DIR" in err


# ---- issue 7: what a new user and an operator run into ------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"newsbot {__version__}"


@pytest.mark.parametrize("k", ["0", "-1", "21", "three"])
def test_ask_refuses_a_passage_count_out_of_range(capsys: pytest.CaptureFixture[str], k: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ask", "--k", k, "Dempsey"])
    assert exc.value.code == 2 and "--k" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("NEWSBOT_LOG_LEVEL", "LOUD", "NEWSBOT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
        ("NEWSBOT_MIN_ANSWERABILITY", "5", "NEWSBOT_MIN_ANSWERABILITY must be between 0 and 1"),
        ("NEWSBOT_HEADLINE_BOOST", "-1", "NEWSBOT_HEADLINE_BOOST must be between 0 and 10"),
        ("DATABASE_URL", "mysql://db/news", "DATABASE_URL must be a sqlite:///PATH or postgresql+psycopg://USER"),
    ],
)
def test_every_setting_is_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["stats"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"newsbot: {says}") and "\n" not in err


def test_run_with_a_bot_api_address_missing_its_scheme_is_a_setting_to_correct_not_a_retry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was tried three times, then "cannot reach the Bot API at ://127.0.0.1:8081/bot", exit 3: worth retrying."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "127.0.0.1:8081/bot")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "newsbot: TELEGRAM_API_BASE_URL must be an http:// or https:// address like http://127.0.0.1:8081/bot,"
        " got '127.0.0.1:8081/bot'"
    )


def test_run_says_at_its_start_which_bot_where_and_over_what_library_never_the_token(
    server: FakeBotAPI, tmp_path: Path
) -> None:
    """`newsbot run` logged only python-telegram-bot's "Application started": which bot, on which Bot API, polling
    or by webhook, over which store and how many articles, an operator had to find out otherwise."""
    process = start_newsbot_run(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    try:
        server.wait_for("setMyCommands", timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    store = tmp_path / "data" / "newsbot.sqlite3"
    said = (
        f"@{server.username} started: Bot API {server.base_url}, long polling, store sqlite:///{store},"
        " 5 articles (15 paragraphs)"  # the test corpus's
    )
    assert [line for line in err.splitlines() if line.endswith(f"INFO bot.app: {said}")], err
    assert TOKEN.partition(":")[2] not in err
    hidden = Settings(database_url="postgresql://news:s3cret@db.example/news").shown_store_url
    assert hidden == "postgresql://news:***@db.example/news"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://news:s3cret@db.example/news", "postgresql://news:***@db.example/news"),
        ("postgresql://postgres:@/postgres?host=/tmp/pg", "postgresql://postgres:@/postgres?host=/tmp/pg"),
        ("postgresql+psycopg://news@db.example:5432/news", "postgresql+psycopg://news@db.example:5432/news"),
        ("postgresql://news@db.example/news?password=s3cret&x=1", "postgresql://news@db.example/news?password=***&x=1"),
        ("postgresql://news@db.example/news?password=&x=1", "postgresql://news@db.example/news?password=&x=1"),
    ],
)
def test_only_a_password_there_is_hidden(url: str, shown: str) -> None:
    # pgserver's URL has an empty password: the start line showed postgres:***@, a password nobody set.
    assert Settings(database_url=url).shown_store_url == shown


def test_a_lock_holder_is_recorded_by_its_program_and_command_never_its_arguments(tmp_path: Path) -> None:
    # Another process waiting for a lock file says its holder's record: it kept the command line as typed (a password
    # in an address as ***, a token in a query whole), where the store's waiting line says no argument.
    lock, address = tmp_path / "lock", "https://reader:s3cret@feeds.example/news.xml?token=t0ken"
    record = "import os, sys; from bot.index.holder import record_holder; from bot.models import Command;"
    record += " record_holder(os.open(sys.argv[1], os.O_RDWR | os.O_CREAT), Command.FEEDS); print(flush=True);"
    record += " sys.stdin.read()"
    with subprocess.Popen(
        [sys.executable, "-c", record, str(lock), address], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        holder.stdout.readline()  # recorded
        try:
            assert str(holder_of(lock)) == f"pid {holder.pid}: python"
        finally:
            holder.stdin.close()
    assert "s3cret" not in lock.read_text() and "t0ken" not in lock.read_text()


def test_an_unreachable_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    assert main(["stats"]) == 3  # a failure, not "nothing found" (1)
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsbot: database error:") and "\n" not in err


@pytest.mark.parametrize("refused", ["role", "database"])
@pytest.mark.parametrize(
    "command", [["stats"], ["ask", "Dempsey"], ["ingest", str(ROOT / "corpus")], ["feeds", "list"], ["migrate"]]
)
def test_a_login_the_database_refuses_is_a_setting_to_correct(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    postgres_admin_url: str,
    refused: str,
    command: list[str],
) -> None:
    """A wrong user, password or database in DATABASE_URL: one line with the server's reason and exit 2 (bad
    settings), not 3, which says a retry may help."""
    url = make_url(postgres_admin_url)
    wrong = url.set(username="no_such_user") if refused == "role" else url.set(database="no_such_database")
    monkeypatch.setenv("DATABASE_URL", wrong.render_as_string(hide_password=False))
    assert main(command) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsbot: the database refused newsbot: ") and "\n" not in err, err
    assert f'"no_such_{refused if refused == "database" else "user"}" does not exist' in err
    assert err.endswith("check DATABASE_URL")


def test_ingest_of_nothing_readable_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ingest", str(tmp_path / "missing.jsonl"), str(DATA / "malformed" / "no_body.txt")]) == 1
    captured = capsys.readouterr()
    assert "0 added" in captured.out
    assert captured.err.count("missing.jsonl: no such file or directory") == 1  # each problem said once
    assert captured.err.count("no_body.txt") == 1


@pytest.mark.usefixtures("shipped_data")
def test_unknown_category_lists_the_real_ones(capsys: pytest.CaptureFixture[str]) -> None:
    """`ask --category` and `latest --category` refuse a category alike, as Telegram's /latest words it (ask said
    "no category called 'Sprot'; the categories are: News", latest "There is no category “Sprot”.")."""
    assert main(["ask", "--category", "Sprot", "Dempsey"]) == 2
    said = capsys.readouterr().err
    assert said == "newsbot: There is no category “Sprot”.\nThe one category is News.\n"
    assert main(["latest", "--category", "Sprot"]) == 2
    assert capsys.readouterr().err == said
    assert main(["ask", "--category", "news", "Dempsey"]) == 0


def test_unknown_category_lists_the_ones_a_category_can_name_alphabetically(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Not in the store's order by count ("sport, News, Arts"), nor "(no category)", which --category cannot name; a
    near miss is suggested, and the start of one name is that one, as /latest reads them (a newcomer typing "Wether"
    for "Weather" was shown the list alone, and "spo" was refused)."""
    records = [("sport", "Derby"), ("sport", "Regatta"), ("Arts", "Gallery"), ("", "Notice")]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps({"title": t, "body": f"{t} news.", "category": c}) + "\n" for c, t in records))
    assert main(["ingest", str(path)]) == 0
    capsys.readouterr()
    assert main(["ask", "--category", "Sprot", "Derby"]) == 2
    said = "newsbot: There is no category “Sprot”: did you mean Sport?\nThe categories are Arts, News and Sport.\n"
    assert capsys.readouterr().err == said
    assert main(["ask", "--category", "spo", "Derby"]) == 0
    assert "Derby" in capsys.readouterr().out


@pytest.mark.usefixtures("shipped_data")
def test_searching_by_date_says_undated_articles_are_left_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "undated.jsonl"
    path.write_text('{"title": "Ferry timetable", "body": "The ferry leaves at noon."}\n')
    main(["ingest", str(path)])
    capsys.readouterr()
    assert main(["ask", "--since", "2000-01-01", "ferry"]) == 1
    assert "note: undated articles (1 of 2) are left out when searching by date" in capsys.readouterr().err
    assert main(["ask", "ferry"]) == 0


@pytest.mark.usefixtures("shipped_data")
def test_dates_past_every_article_s_say_the_newest_or_oldest_there_is(capsys: pytest.CaptureFixture[str]) -> None:
    """A year mistyped (--since 2027 for 2026) said only "Nothing in the articles answers that. (The search was
    limited by category or date.)", as if the question were at fault."""
    assert main(["ask", "--since", "2027-01-01", "Dempsey"]) == 1
    said = "note: no article is dated on or after 1 Jan 2027; the newest is dated 7 Mar 2013\n"
    out, err = capsys.readouterr()
    # Said once: the decline's "(The search was limited by category or date.)" said it before the note did.
    assert err == said and out == "Nothing in the articles answers that.\n"
    assert main(["ask", "--until", "2012-12-31", "Dempsey"]) == 1
    said = "note: no article is dated on or before 31 Dec 2012; the oldest is dated 7 Mar 2013\n"
    assert capsys.readouterr().err == said
    assert main(["ask", "--since", "2013-03-07", "--until", "2013-03-07", "Dempsey"]) == 0
    assert capsys.readouterr().err == ""


def test_migrate_and_init(capsys: pytest.CaptureFixture[str], isolated: Path) -> None:
    assert main(["migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["init"]) == 0
    # The store made by `migrate` already has them: said so, not as "0 added, 1 unchanged".
    assert capsys.readouterr().out.rstrip().endswith("; the shipped articles are in it (1)")
    assert main(["stats"]) == 0 and "articles:   1" in capsys.readouterr().out


def test_the_default_data_directory_is_the_same_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No NEWSBOT_DATA_DIR: a per-user directory, so running from elsewhere finds the same library."""
    for name in ("NEWSBOT_DATA_DIR", "NEWSBOT_CORPUS_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    # Called as `main(argv)` from each directory, which reads its settings from the environment at each call as a
    # process does: what is tested is where the library is, not the process (two processes cost 2.9 s of CPU).
    for where in (tmp_path, ROOT / "tests"):
        monkeypatch.chdir(where)
        code = main(["ask", "Dempsey Moscow"])
        said = capsys.readouterr()
        assert code == 0 and "Dempsey" in said.out, said.err
    assert (tmp_path / "xdg" / "newsbot" / "newsbot.sqlite3").is_file()
    assert not (ROOT / "tests" / "newsbot-data").exists()


@pytest.mark.parametrize("loaded", ["sqlalchemy", "bot.cli"])
@pytest.mark.parametrize("entry", ["console script", "python -m bot"])
def test_ctrl_c_while_the_command_is_still_loading_exits_130_quietly(isolated: Path, entry: str, loaded: str) -> None:
    """Ctrl-C in the second or so a command spends importing its modules printed a Python traceback; as later
    (during `init`, say), it says "interrupted" in one line and exits 130. The signal is sent once the process has
    imported `loaded` (its import times, -X importtime, tell): SQLAlchemy, long before the command's own module is
    loaded, or that module, as it reads its arguments (a traceback there 9 times in 10)."""
    exe = shutil.which("newsbot", path=str(Path(sys.executable).parent))
    if entry == "console script" and exe is None:
        pytest.skip("the newsbot console script is not installed beside this Python")
    command = [sys.executable, "-X", "importtime", *([exe] if entry == "console script" else ["-m", "bot"]), "stats"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    # A pipe of one page: the process, writing the import times after `loaded`'s, waits for them to be read, so it
    # is still loading when the signal comes. With the pipe's 64 KiB it could finish the command meanwhile on a loaded
    # machine (0; -2 when the signal met Python's exit, once in a clean-clone run; 0 every time with a 4 s lag here).
    fcntl.fcntl(process.stderr.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    for line in process.stderr:
        if line.rsplit("|", 1)[-1].strip() == loaded:
            break
    else:
        pytest.fail(f"{loaded} was never imported")
    process.send_signal(signal.SIGINT)
    said = [line for line in process.stderr if not line.startswith("import time:")]
    assert process.wait(timeout=60) == 130
    assert said == ["newsbot: interrupted\n"]


@pytest.mark.parametrize(
    ("command", "code", "said"),
    [("stats", 130, "newsbot: interrupted"), ("run", 0, "SIGTERM received: stopping")],
)
def test_sigterm_while_the_command_is_still_loading_is_said_and_honoured_not_a_silent_death(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, command: str, code: int, said: str
) -> None:
    """SIGTERM (a service manager's stop, bench/soak.py's) in the seconds a process spends importing its modules
    ended it by the signal, in silence (exit -15). It is kept until the command's own handling begins, which honours
    it: a command says "interrupted" (130), `run` stops as a stop during its start does (0), asking Telegram
    nothing."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9/bot")
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "bot", command],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.rsplit("|", 1)[-1].strip() == "sqlalchemy":
            break
    else:
        pytest.fail("sqlalchemy was never imported")
    process.send_signal(signal.SIGTERM)
    err = "".join(line for line in process.stderr if not line.startswith("import time:"))
    assert process.wait(timeout=60) == code, err
    assert said in err and "Traceback" not in err and "Bot API" not in err, err


@pytest.mark.parametrize("command", [["stats"], ["--help"], ["no-such-command"]])
def test_a_command_leaves_what_it_made_to_the_exit_not_to_python_s_last_collections(
    isolated: Path, command: list[str]
) -> None:
    """Python's collections at exit traversed every object a command had made or imported, 0.2-0.3 s of CPU of each
    newsbot process (a quarter of `stats`); the exit frees them at once. However the command ends (a number, an
    exit from argparse), it leaves next to nothing for those collections. Nor did any collection go over the
    modules' objects as they loaded (0.08-0.12 s of CPU of a `stats` or `ask`): none runs before they are frozen."""
    code = (
        "import gc, sys; from bot.__main__ import main; sys.argv = ['newsbot', *sys.argv[1:]]\n"
        "unfrozen = []\n"
        "gc.callbacks.append(lambda phase, _: phase == 'start' and not gc.get_freeze_count() and unfrozen.append(1))\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()), len(unfrozen), file=sys.__stdout__)"
    )
    result = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, timeout=120)
    frozen, left, unfrozen = map(int, result.stdout.split()[-3:])
    assert frozen > 50_000 and left < 100 and unfrozen == 0, (frozen, left, unfrozen, result.stderr[-500:])


def test_stats_piped_into_head_is_quiet(isolated: Path) -> None:
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(isolated / "data")}
    result = subprocess.run(
        f"{sys.executable} -m bot stats | head -1", shell=True, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.startswith("articles:") and "Traceback" not in result.stderr and result.stderr == ""


@pytest.mark.parametrize("command", [["stats"], ["remove", "0123456789abcdef"], ["latest", "3"]])
def test_a_command_that_analyses_no_text_does_not_load_nltk_nor_the_page_readers(
    isolated: Path, command: list[str]
) -> None:
    """nltk took most of a second of every `newsbot stats` or `remove` to import (its package loads all of it),
    for a stemmer these commands never use; and the feed and page readers (feedparser, trafilatura, lxml) and the
    network edge (httpx) about 0.3 s more, for an ingest or a feed; nor the readers of files and records (mail,
    Markdown, news XML, archives, CSV: 0.03-0.05 s)."""
    assert main(["stats"]) == 0  # the library, made with its shipped article
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(isolated / "data"), "NEWSBOT_SEMANTIC": "off"}
    readers = ("nltk", "feedparser", "trafilatura", "lxml", "httpx", "bot.ingest.files", "bot.ingest.records")
    script = (
        "import sys\nfrom bot.cli import main\ncode = main(sys.argv[1:])\n"
        f"print(any(name in sys.modules for name in {readers!r}), code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *command], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.splitlines()[-1] in ("False 0", "False 1"), result.stdout + result.stderr


def test_a_bot_s_modules_load_neither_the_feed_nor_the_page_readers() -> None:
    """A bot imports its feed service, and with it the readers of feeds and pages: feedparser and lxml loaded at
    every start (about 0.025 s of CPU), where most bots read no feed. They load with the first feed or page read."""
    readers = ("feedparser", "lxml", "trafilatura")
    script = f"import sys\nimport bot.app\nprint(sorted(set({readers!r}) & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1:] == ["[]"], result.stdout + result.stderr


@pytest.mark.parametrize("mode", ["on", "static"])
def test_stats_and_remove_count_and_remove_without_loading_the_encoder(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """`stats` and `remove` loaded the ONNX encoder and its word pieces (about 0.6 s of every start), which they never
    use: they open the paragraph vectors without them, and `stats` counts the same vectors as a library that loads
    them (those of the encoder's recipe, in either mode)."""
    monkeypatch.setenv("NEWSBOT_SEMANTIC", mode)
    assert main(["ingest", str(DATA / "articles")]) == 0  # a few articles: their vectors are made at once
    library = Library.open(Settings.from_env())
    try:
        counted = library.stats()
    finally:
        library.close()
    assert counted.vectors and not counted.vectors_waiting
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(isolated / "data")}
    script = (
        "import sys\nfrom bot.cli import main\ncode = main(sys.argv[1:])\n"
        "print('onnxruntime' in sys.modules or 'tokenizers' in sys.modules, code)"
    )
    printed: dict[str, list[str]] = {}
    for command in (["remove", "0123456789abcdef"], ["stats", "--json"]):
        result = subprocess.run(
            [sys.executable, "-c", script, *command], env=env, capture_output=True, text=True, timeout=120
        )
        *printed[command[0]], loaded = result.stdout.splitlines()
        assert loaded in ("False 0", "False 1"), result.stdout + result.stderr
    stats = json.loads("\n".join(printed["stats"]))
    assert (stats["vectors"], stats["vectors_waiting"], stats["semantic"]) == (counted.vectors, 0, mode)


def test_a_one_off_command_says_each_problem_once_in_its_own_words(isolated: Path) -> None:
    """An unreachable feed was said twice (the command's line and a WARNING log line repeating it), and a saved page
    with no story added trafilatura's "discarding data: None" to the command's own "no story text found"."""
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(isolated / "data"),
        "NEWSBOT_SEMANTIC": "off",
        "NEWSBOT_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1",
    }
    nowhere = f"http://127.0.0.1:{free_port()}/feed.xml"
    add = subprocess.run(
        [sys.executable, "-m", "bot", "feeds", "add", nowhere], env=env, capture_output=True, text=True, timeout=120
    )
    assert add.stdout.startswith(f"following {nowhere}; first poll: failed: ") and add.stderr == "", add.stderr
    pages = isolated / "pages"
    pages.mkdir()
    (pages / "empty.html").write_text("<html><head><title>Empty</title></head><body></body></html>", encoding="utf-8")
    ingest = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(pages)], env=env, capture_output=True, text=True, timeout=120
    )
    assert ingest.stderr.splitlines() == [f"skipped {pages / 'empty.html'}: no story text found on the page"]


@needs_bbc
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_during_an_ingest_stops_cleanly_keeping_what_was_committed(isolated: Path, stop: signal.Signals) -> None:
    """Ctrl-C, or SIGTERM (a service manager stopping it), ends an ingest after its batch, with its summary."""
    (isolated / "none").mkdir()  # no shipped articles
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(isolated / "data"), "NEWSBOT_CORPUS_DIR": str(isolated / "none")}
    # Three copies of the BBC file (a test-time copy, with ids of their own): several batches to stop between.
    records = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line.strip()]
    copies = isolated / "bbc-three-times.jsonl"
    with copies.open("w", encoding="utf-8") as out:
        for copy in range(3):
            for record in records:
                out.write(json.dumps({**record, "id": f"{copy}-{record['id']}", "title": f"{record['title']} {copy}"}))
                out.write("\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(copies)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    db = isolated / "data" / "newsbot.sqlite3"
    deadline = time.time() + 120
    while time.time() < deadline and not (db.exists() and db.stat().st_size > 100_000):
        time.sleep(0.05)
    process.send_signal(stop)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "stopping once the articles read are stored" in err
    assert "interrupted" in out
    # Counts are written with thousands apart ("1,012 added"), as the summary writes them everywhere.
    added = int(out.split(" added")[0].split()[-1].replace(",", ""))
    assert 0 < added < 3 * 2127
    assert main(["stats"]) == 0  # what was committed is there and indexed


@needs_bbc
def test_ctrl_c_during_init_says_it_stopped_not_that_newsbot_is_ready(isolated: Path) -> None:
    """Ctrl-C while `init` read a large corpus (NEWSBOT_CORPUS_DIR) ended with exit 0 and "newsbot is ready in ...;
    the shipped articles are in it (24)": it says what it stored and that it stopped, and exits 130."""
    corpus, none = isolated / "corpus", isolated / "none"
    corpus.mkdir()
    none.mkdir()
    # Three copies of the BBC file, as the ingest's test above has it: batches enough to stop between.
    records = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line.strip()]
    with (corpus / "bbc-three-times.jsonl").open("w", encoding="utf-8") as out:
        for copy in range(3):
            for record in records:
                out.write(json.dumps({**record, "id": f"{copy}-{record['id']}", "title": f"{record['title']} {copy}"}))
                out.write("\n")
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(isolated / "data"), "NEWSBOT_SEMANTIC": "off"}
    # The store made first without the corpus, so that `init` goes straight to reading it.
    made = subprocess.run([sys.executable, "-m", "bot", "migrate"], env={**env, "NEWSBOT_CORPUS_DIR": str(none)})
    assert made.returncode == 0
    db = isolated / "data" / "newsbot.sqlite3"
    size = db.stat().st_size
    command = [sys.executable, "-m", "bot", "init"]
    process = subprocess.Popen(
        command,
        env={**env, "NEWSBOT_CORPUS_DIR": str(corpus)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and db.stat().st_size <= size:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, (out, err)
    assert out.startswith("shipped articles: ") and "(interrupted: the rest was not read)" in out, out
    assert err.splitlines()[-1].startswith("newsbot: stopped after reading "), err


def test_a_stop_once_every_article_is_read_exits_130_saying_all_are_stored(isolated: Path) -> None:
    """Ctrl-C once an ingest had read everything (here while it waits for another process's writer of the index to
    take them in) said "stopping once the articles read are stored", then exited 0 as if it had not been stopped."""
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(isolated / "data"), "NEWSBOT_SEMANTIC": "off"}
    stories = isolated / "stories.jsonl"
    stories.write_text(
        '{"title": "Harbour opens", "body": "The harbour opened its new pier."}\n'
        '{"title": "Orchard fair", "body": "The orchard fair drew farmers from every valley."}\n',
        encoding="utf-8",
    )
    holder = Library.open(Settings.from_env({**env, "NEWSBOT_CORPUS_DIR": str(ROOT / "corpus")}))
    try:
        with holder.follower.holding():
            assert holder.engine.try_write()
            command = [sys.executable, "-m", "bot", "ingest", str(stories)]
            process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert process.stderr is not None
            waiting = process.stderr.readline()
            assert "to finish writing the index" in waiting, waiting
            process.send_signal(signal.SIGINT)
            # Taken before the writer is given back: "\n", then the line saying it stops.
            said = process.stderr.readline() + process.stderr.readline()
            assert "stopping once the articles read are stored" in said, said
    finally:
        holder.close()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert out.startswith("2 added, ") and "interrupted" not in out, out
    assert err.splitlines()[-1] == "newsbot: stopped after reading every article (2); all are stored", err


def test_a_stop_while_the_first_batch_is_read_stores_what_was_read_and_the_same_command_goes_on(
    isolated: Path,
) -> None:
    """SIGTERM while an ingest was still reading its first batch of 2,000 threw away every article read: "0 added
    (interrupted: the rest was not read)", minutes of pages lost, and no word of what running it again would do."""
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(isolated / "data"),
        "NEWSBOT_SEMANTIC": "off",
        "NEWSBOT_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1",
    }
    before, after = isolated / "before.txt", isolated / "after.txt"
    before.write_text("Harbour opens\n\nThe harbour opened its new pier to ferries on Monday.\n", encoding="utf-8")
    after.write_text("Orchard fair\n\nThe orchard fair drew farmers from every valley this autumn.\n", encoding="utf-8")
    with serving() as web:
        web.live["story.html"] = (DATA / "pages" / "article.html").read_bytes()
        web.delays["story.html"] = 3  # the page is being read when the stop comes
        page = web.url("/live/story.html")
        command = [sys.executable, "-m", "bot", "ingest", str(before), page, str(after)]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and "/live/story.html" not in web.requests:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 130, err
        assert out.startswith("2 added, ") and "(interrupted: the rest was not read)" in out, out
        assert err.splitlines()[-1] == (
            "newsbot: stopped after reading 2 articles; the same command again goes on (what is stored now is found"
            " unchanged)"
        ), err
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and again.stdout.startswith("1 added, 0 updated, 2 unchanged"), again.stderr


def test_ingest_a_web_page_by_its_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "127.0.0.1")
    with serving() as web:
        page = web.url("/pages/article.html")
        assert main(["ingest", page, web.url("/status/404")]) == 0
    captured = capsys.readouterr()
    assert "1 added" in captured.out and "1 skipped" in captured.out
    assert captured.err.count("/status/404") == 1
    assert main(["ask", "--json", "Who opposed the terrace on the ferry pier?"]) == 0
    passage = json.loads(capsys.readouterr().out)["passages"][0]
    # Its source link is where it was read: a page cannot claim another site's address as its canonical one.
    assert passage["url"] == page and passage["author"] == "Jane Ortiz"


def test_a_page_from_this_machine_is_refused_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    with serving() as web:
        assert main(["ingest", web.url("/pages/article.html")]) == 1
    assert "127.0.0.1" in capsys.readouterr().err


def test_an_article_cut_to_size_is_added_and_said_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"title": "Long " * 200, "body": "A body."}) + "\n")
    assert main(["ingest", str(path)]) == 0
    captured = capsys.readouterr()
    assert "1 added" in captured.out and "1 cut to size" in captured.out and "0 skipped" in captured.out
    assert captured.err.startswith("cut ") and captured.err.count("\n") == 1


def test_a_feed_file_of_teasers_is_counted_as_a_note_not_as_cut(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The teasers went in whole: the summary counts a note on how they were read, not an article cut to size."""
    path = tmp_path / "wire.xml"
    path.write_bytes((DATA / "feeds" / "rss2_summary_only.xml").read_bytes())
    assert main(["ingest", str(path)]) == 0
    captured = capsys.readouterr()
    assert "2 added" in captured.out and "1 skipped" in captured.out and "1 note" in captured.out
    assert "cut to size" not in captured.out
    assert f"note {path}: 2 of its stories went in as the feed gives them, a short text" in captured.err


@needs_bbc
def test_vectors_left_for_later_are_announced_and_made_by_newsbot_vectors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More paragraphs than an ingest makes at once (EMBED_AT_ONCE), lowered from 300 to 20 here: 80 BBC stories (318
    # paragraphs) over the real bound took 18.7 s of CPU, most of it encoding them.
    monkeypatch.setattr("bot.library.EMBED_AT_ONCE", 20)
    records = BBC.read_text(encoding="utf-8").splitlines()[:8]
    path = tmp_path / "bbc-8.jsonl"
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    assert main(["ingest", str(path)]) == 0
    err = capsys.readouterr().err
    assert "paragraphs wait for their vectors" in err and "newsbot vectors" in err
    assert main(["stats"]) == 0 and "waiting" in capsys.readouterr().out
    assert main(["vectors"]) == 0
    assert "paragraphs embedded" in capsys.readouterr().out
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "paragraph vectors" in out and "waiting" not in out


@pytest.mark.parametrize(
    ("paragraphs", "load", "said"),
    [
        (828, 0.4, "about 1 min of encoding"),  # idle: the rate bench/semantic_speed.py measured
        (828, 2.0, "about 1 min of encoding"),  # the cores busy with the ingest that just ended, no more
        (828, 12.0, "about 2 min of encoding on 2 cores at a load of 12"),
        # ops74's case: 828 paragraphs made by a bot in about 7 min at loads of 37-50, said "about 1 min".
        (828, 43.0, "about 6 min of encoding on 2 cores at a load of 43"),
        (120_000, 30.0, "about 600 min of encoding on 2 cores at a load of 30"),
    ],
)
def test_the_minutes_of_encoding_an_ingest_announces_grow_with_the_load(
    paragraphs: int, load: float, said: str
) -> None:
    assert encoding_minutes(paragraphs, 3_000, 2, load) == said


def test_an_ingest_while_a_chat_makes_the_vectors_says_so_not_to_run_newsbot_vectors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """One story ingested while `newsbot chat` ran said "1 paragraphs wait for their vectors (about 1 min of
    encoding) ... or run `newsbot vectors`", which that process's lock would refuse; it makes them itself. The
    library opened here holds the lock as that process does (a lock on its own open file). Another ingest holds it
    too, and makes only a few: the note was "which another process (a running bot or `newsbot chat`) is making",
    and thousands waited with no bot running. The process is named as it recorded itself. An ingest that stored
    nothing (a path mistyped) says nothing of vectors: it was told of minutes of encoding none of its own."""
    assert main(["stats"]) == 0
    capsys.readouterr()
    chatting = Library.open(Settings.from_env())
    try:
        story = tmp_path / "zoo.md"
        story.write_text("---\ntitle: Zoo welcomes baby giraffe\ndate: 2026-12-01\n---\nA giraffe was born.\n")
        assert main(["ingest", str(story)]) == 0
        err = capsys.readouterr().err
        assert err == (
            f"note: 1 paragraph waits for its vectors, which another process ({THIS_PROCESS}) holds the right to"
            " make: a running bot or `newsbot chat` makes it, else run `newsbot vectors` once the other ingest is"
            " done; until then it is found by words.\n"
        )
        for stored_nothing in (tmp_path / "zoo.mb", story):  # not there; there, and unchanged
            assert main(["ingest", str(stored_nothing)]) in (0, 1)
            # The path named in the error holds the test's temporary directory, which may hold "vectors" itself.
            assert "vectors" not in capsys.readouterr().err.replace(str(tmp_path), "")
        assert main(["vectors"]) == 1
        assert capsys.readouterr().err == (
            f"newsbot: another process ({THIS_PROCESS}) is making the vectors of this data directory; run this again"
            " once it ends, if any are left\n"
        )
        assert chatting.embed() == 1
    finally:
        chatting.close()


@pytest.mark.parametrize("read_only", ["directory", "file"])
def test_a_read_only_data_directory_or_store_file_is_named_as_the_reason(
    capsys: pytest.CaptureFixture[str], isolated: Path, monkeypatch: pytest.MonkeyPatch, read_only: str
) -> None:
    """SQLite says "unable to open database file" for a read-only directory or file (a read-only mount; the
    tests run as root, whom permissions do not stop, so the database's refusal is stood in for)."""
    assert main(["stats"]) == 0
    data = isolated / "data"
    unwritable = data if read_only == "directory" else data / "newsbot.sqlite3"
    real_access = os.access

    def access(path: str | Path, mode: int) -> bool:
        return Path(path) != unwritable if mode == os.W_OK else real_access(path, mode)

    monkeypatch.setattr(os, "access", access)

    def refuse(url: str, seed: object = None, lock_wait: float | None = None) -> Store:
        raise StoreError(f"database error: unable to open database file ({data / 'newsbot.sqlite3'})")

    monkeypatch.setattr(Store, "open", refuse)
    capsys.readouterr()
    assert main(["ask", "Dempsey"]) == 3
    err = capsys.readouterr().err
    says = f"the data directory {data} is not writable" if read_only == "directory" else "newsbot.sqlite3 is read-only"
    assert err.startswith("newsbot: database error: unable to open database file") and says in err
    assert err.count("\n") == 1


def test_the_help_names_where_the_library_is_made(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    with pytest.raises(SystemExit):
        main(["--help"])
    said = "".join(capsys.readouterr().out.split())  # argparse wraps lines at spaces and hyphens
    assert f"wherethestoreandindexlive(NEWSBOT_DATA_DIR,else{tmp_path / 'share' / 'newsbot'})" in said


def test_every_command_explains_itself_and_the_exit_codes_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "exit codes:" in out and "1    nothing to show or do" in out and "3    the database or the index" in out
    for command, says in [
        (
            ["ask"],
            [
                "Answer a question from the articles.",
                '"what\'s new?" or "sport news" lists the newest headlines (as `newsbot latest`)',
                "the question, in plain words",
                "7 March 2013",
            ],
        ),
        (["ingest"], ["Read articles from files", "PATH_OR_URL  a file (.txt"]),
        (["latest"], ["The newest headlines", "newsbot latest sport 20", "at most 30", "print the headlines as JSON"]),
        (["remove"], ["Remove articles from the store", "ID_URL_OR_FILE an article's id", "the file it was read from"]),
        (["feeds", "add"], ["Follow a feed and read it now", "the feed's http(s) address"]),
        (["feeds", "remove"], ["Stop following a feed", "its number in `feeds list`"]),
        # "Needs TELEGRAM_BOT_TOKEN" said nothing of a local Bot API server, webhooks, or how it stops.
        (["run"], ["TELEGRAM_API_BASE_URL for a local Bot API server", "WEBHOOK_URL and WEBHOOK_SECRET", "(exit 0)"]),
        # A newcomer reads it before the chat can tell how to press its buttons or reply to an answer.
        (
            ["chat"],
            [
                "Talk to the bot in this terminal",
                "a button's number (or its label: more) presses it",
                "`> question` follows up",
            ],
        ),
    ]:
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert all(" ".join(part.split()) in out for part in says), (command, out)


def test_a_poll_of_one_feed_counts_it_as_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "1 feeds polled: 1 new stories" was the last line a newcomer's first `feeds poll` printed."""
    monkeypatch.setenv("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "127.0.0.1")
    item = "<item><title>{0}</title><link>{1}/{2}</link><description>{0} today.</description></item>"
    with serving() as web:

        def feed(*stories: str) -> bytes:
            items = "".join(item.format(title, web.base_url, title.split()[0]) for title in stories)
            return f'<rss version="2.0"><channel><title>Echo</title>{items}</channel></rss>'.encode()

        web.live["feed.xml"] = feed("Pier reopens")
        assert main(["feeds", "add", web.url("/live/feed.xml")]) == 0
        web.live["feed.xml"] = feed("Ferry returns", "Pier reopens")
        capsys.readouterr()
        assert main(["feeds", "poll"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 feed polled: 1 new story, 0 back catalogue, 0 failed"


def test_a_question_to_an_empty_library_says_how_to_fill_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A store begun with no shipped article (or with it removed) only said "No article uses the word ..."."""
    (tmp_path / "none").mkdir()
    monkeypatch.setenv("NEWSBOT_CORPUS_DIR", str(tmp_path / "none"))
    assert main(["ask", "Who won the election?"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("Nothing in the articles answers that.")
    assert captured.err == "note: the library has no articles yet; add some with: newsbot ingest FILE_OR_URL\n"
    # "hi", "what's new?" and `latest` too: "I have none yet" said nothing of how to add some.
    assert main(["ask", "hi"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Hello! I answer questions about news articles, but I have none yet.\n"
    assert captured.err == EMPTY_LIBRARY + "\n"
    for asked in (["ask", "what's new?"], ["latest"]):
        assert main(asked) == 1
        assert capsys.readouterr() == ("", EMPTY_LIBRARY + "\n"), asked
    assert main(["ingest", str(ROOT / "corpus")]) == 0
    capsys.readouterr()
    assert main(["ask", "Who won the election?"]) == 1
    assert capsys.readouterr().err == ""


# A newcomer's first hour: ten stories written for the project in five of the formats the README lists (the seed's
# text, plain text, Markdown with YAML and TOML front matter, CSV, a saved page, an RSS file), each asked about.
NEWCOMER = DATA / "newcomer"
NEWCOMER_ANSWERS = [
    ("How did the council vote on Eastgate library?", "24 Nov 2026, 18:30 · Politics", "news/eastgate-library-vote"),
    ("How much did Harbour City pay for Varga?", "28 Nov 2026, 09:05 · Sport", "sport/varga-signs"),
    ("How many homes lost power?", "undated", str(NEWCOMER / "storm-elin.txt")),
    ("How long does the Aurora 3 battery last?", "30 Nov 2026, 09:00 · Technology", "2026/11/nordlight-aurora-3"),
    ("Are QuickCrate riders employees?", "26 Nov 2026, 14:20 · Business", "business/riders-ruling/"),
    ("How much was the water company fined?", "27 Nov 2026, 16:45 · Environment", "news/water-fine"),
    ("Who won the marathon?", "29 Nov 2026, 11:00 · Sport", "sport/marathon-april"),
    ("What did the museum give back to Benin?", "25 Nov 2026, 12:00 · Arts", "arts/benin-bronzes-returned"),
    ("Regulated rail fares", "1 Dec 2026, 07:00 · Business", "business/rail-fares-march"),
    ("What is the new frog called?", "30 Nov 2026, 15:30 · Science", "science/glass-frog"),
]


@pytest.fixture
def newcomer_data(isolated: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> None:
    """The test's data directory as `newsbot ingest` of the newcomer's stories leaves it, a copy of one made once per
    run: for the tests of what is asked of such a library, not of the ingest (which made the library anew, about
    0.7 s of CPU a case, where a copy takes 0.1 s)."""

    def ingest(made: Path) -> None:
        assert main(["--data-dir", str(made / "data"), "ingest", str(NEWCOMER)]) == 0

    shutil.copytree(
        built_once(tmp_path_factory, "cli-newcomer", [NEWCOMER, ROOT / "corpus"], ingest) / "data", isolated / "data"
    )
    capsys.readouterr()


@pytest.fixture
def shipped_data(isolated: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The test's data directory as a first command leaves it (the shipped article), a copy (`copied_library`): for
    the tests of what is asked of it, not of that first open."""
    copied_library(Settings(data_dir=isolated / "data", corpus_dir=ROOT / "corpus"), tmp_path_factory)


def test_a_newcomers_own_articles_are_answered_with_their_dates_categories_and_links(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Times are UTC (the Markdown's 10:00+01:00 is 09:00); the TOML's path is a link on --site; the plain text file
    has neither date nor category, and is listed last among the categories, not first among their equals."""
    assert main(["ingest", str(NEWCOMER), "--site", "https://www.millbrook-echo.example"]) == 0
    assert capsys.readouterr().out == "10 added, 0 updated, 0 unchanged, 0 skipped, 1 note\n"  # the feed's teasers
    for question, when, link in NEWCOMER_ANSWERS:
        assert main(["ask", "--k", "1", question]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[1] == when and lines[-1].startswith("Source: ") and lines[-1].endswith(link), (question, lines)
    assert main(["stats"]) == 0
    listed = capsys.readouterr().out.split("categories:\n")[1].splitlines()
    assert listed[:2] == ["  Business: 2", "  Sport: 2"] and listed[-1] == "  (no category): 1"


def test_latest_lists_undated_stories_last_read_first_across_batches_and_ingests(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each write batch gave its first record the highest arrival, so a file ingested in several batches was listed
    last batch first, each batch in file order (`latest sport` after the BBC's file began at sport/188, the first
    record of its last batch). Undated, the story read last is the newest: later in a file, or a later ingest."""
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "off")
    monkeypatch.setattr("bot.library.FIRST_BATCH", 2)
    monkeypatch.setattr("bot.library.BATCH_SIZE", 4)
    words = ["amber", "birch", "cedar", "dune", "elm", "fern", "gorse", "heath", "ivy"]
    files = {"first.jsonl": words[:7], "second.jsonl": words[7:]}  # the first read in batches of 2, 4 and 1
    for name, some in files.items():
        records = (
            {"title": f"Match at {w} park", "body": f"The {w} park match was drawn.", "category": "Sport"} for w in some
        )
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        assert main(["ingest", str(tmp_path / name)]) == 0
    capsys.readouterr()
    assert main(["latest", "--json", "sport", "30"]) == 0
    listed = [h["title"] for h in json.loads(capsys.readouterr().out)["headlines"]]
    assert listed == [f"Match at {w} park" for w in reversed(words)]


def test_latest_lists_the_newest_headlines_of_a_category_as_telegram_s_latest_reads_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command line had no way to list the newest headlines /latest gives in Telegram."""
    assert main(["ingest", str(NEWCOMER), "--site", "https://www.millbrook-echo.example"]) == 0
    capsys.readouterr()
    assert main(["latest", "30"]) == 0
    everything = capsys.readouterr().out.splitlines()
    assert len(everything) == 2 + 2 * 11  # the shipped story and the newcomer's ten, each with its link
    assert everything[:3] == ["*Latest*", "", "• Rail fares to rise by 3.1% in March (1 Dec 2026, 07:00 · Business)"]
    assert everything[3] == "  https://www.millbrook-echo.example/business/rail-fares-march"
    # Newest first, the undated story last, naming the file it came from (it has no link).
    assert everything[-2].startswith("• Storm Elin") and everything[-1].endswith("newcomer/storm-elin.txt")
    for words in (["sport", "1"], ["1", "SPO"], ["--category", "Sport", "-n", "1"], ["spo", "--count", "1"]):
        assert main(["latest", *words]) == 0, words
        assert capsys.readouterr().out.splitlines() == [
            "*Latest in Sport*",
            "",
            "• Millbrook marathon moves to April (29 Nov 2026, 11:00)",
            "  https://www.millbrook-echo.example/sport/marathon-april",
        ], words
    # As data, as `ask --json` gives its stories.
    assert main(["latest", "--json", "spo", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["category"] == "Sport"
    assert [(h["title"], h["published"], h["link"]) for h in data["headlines"]] == [
        (
            "Millbrook marathon moves to April",
            "2026-11-29T11:00:00+00:00",
            "https://www.millbrook-echo.example/sport/marathon-april",
        ),
        (
            "Harbour City sign striker Tomas Varga in club record deal",
            "2026-11-28T09:05:00+00:00",
            "https://www.millbrook-echo.example/sport/varga-signs",
        ),
    ]
    for words, says in [
        (["sport", "business"], "latest shows one category at a time, and you named 2: Sport, Business."),
        (["sprot"], "There is no category “sprot”: did you mean Sport?"),
        (["-n", "0"], "I can show 1 to 30 headlines, not “0”."),
        (["2", "3"], "Give one number of headlines: you gave 2."),
    ]:
        assert main(["latest", *words]) == 2, words
        out, err = capsys.readouterr()
        assert out == "" and err.startswith(f"newsbot: {says}"), (words, err)


def test_latest_asked_for_more_than_it_shows_gives_the_newest_30_and_says_so(
    capsys: pytest.CaptureFixture[str], isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`latest 100` was tested up to 30 only; as data it gave 30 headlines with no word that 100 were asked."""
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "off")
    records = isolated / "many.jsonl"
    records.write_text(
        "".join(
            json.dumps(
                {
                    "title": f"Harbour story number {n}",
                    "body": f"The harbour council met for the {n}th time about the ferry timetable and the pier.",
                    "published": f"2026-11-{n % 28 + 1:02d}T{n % 24:02d}:00:00Z",
                    "url": f"https://paper.example.org/harbour/{n}",
                }
            )
            + "\n"
            for n in range(45)
        ),
        encoding="utf-8",
    )
    assert main(["ingest", str(records)]) == 0
    capsys.readouterr()
    assert main(["latest", "100"]) == 0
    heading, blank, *lines = capsys.readouterr().out.splitlines()
    assert heading == "*Latest* (the newest 30, the most I show at once)" and blank == ""
    bullets = [line for line in lines if line.startswith("• ")]
    assert len(bullets) == 30 and bullets[0].startswith("• Harbour story number 27 (28 Nov 2026, 03:00")
    assert main(["latest", "100", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["capped"] is True and len(data["headlines"]) == 30
    assert [h["title"] for h in data["headlines"]][:1] == ["Harbour story number 27"]
    assert main(["latest", "30", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["capped"] is False


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("what is the latest news?", []),
        ("latest news", []),
        ("What's new?", []),
        ("headlines", []),
        ("Hi! What's new?", []),
        ("sport news", ["sport"]),
        ("what's new in business?", ["business"]),
        # A category's name alone, or asked about: searched, "no article uses the word", which stories only have as
        # their category.
        ("Sport?", ["sport"]),
        ("tell me about business", ["business"]),
        # /latest's words typed without the slash: searched, no article uses "latest" or "2".
        ("latest 2", ["2"]),
        ("news 3", ["3"]),
        ("sport news 1", ["sport", "1"]),
        ("Sport 1", ["sport", "1"]),
    ],
)
@pytest.mark.usefixtures("newcomer_data")
def test_asking_what_is_new_lists_the_latest_headlines(
    question: str, words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`ask "what is the latest news?"` said that no article uses "latest" or "news"."""
    assert main(["latest", *words]) == 0
    latest = capsys.readouterr().out
    assert main(["ask", question]) == 0
    assert capsys.readouterr().out == latest


def test_asking_what_happened_on_a_day_lists_that_day_s_newest_on_the_settings_clock(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`newsbot ask "what happened yesterday?"` listed the plain newest, and "what happened on 14 November?" was
    searched (a passage on a number 14): as the bot, the day's newest on the clock of NEWSBOT_DEFAULT_TIMEZONE,
    saying when none came that day, and plainly when no story is as old as the day (a date with its year)."""
    # A zone whose today is not UTC's now (14 hours ahead, or 11 behind), and a story of its yesterday that UTC
    # dates another day.
    zone = ZoneInfo("Pacific/Kiritimati" if datetime.now(UTC).hour >= 10 else "Pacific/Pago_Pago")
    today, utc_yesterday = datetime.now(zone).date(), datetime.now(UTC).date() - timedelta(days=1)
    day_before = [datetime.combine(today - timedelta(days=1), clock_time(hour), zone) for hour in range(24)]
    at = next(when for when in day_before if when.astimezone(UTC).date() != utc_yesterday)
    stories = {
        "Quay lights renewed": at,
        "Ferry fares frozen": datetime.combine(today - timedelta(days=3), clock_time(12), zone),
        "Harbour wall repaired": datetime.combine(today - timedelta(days=9), clock_time(12), zone),
    }
    source = isolated / "harbour.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for title, published in stories.items():
            record = {"title": title, "body": f"{title} at the harbour.", "published": published.isoformat()}
            out.write(json.dumps(record) + "\n")
    (isolated / "corpus").mkdir()  # no shipped stories, years older
    # Called as `main(argv)`, its settings read from the environment as a process reads them: what is tested is the
    # reading of the day, not the process (six processes, an ingest and five questions, cost 3.9-6.0 s of CPU).
    monkeypatch.setenv("NEWSBOT_DEFAULT_TIMEZONE", zone.key)
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "off")
    monkeypatch.setenv("NEWSBOT_CORPUS_DIR", str(isolated / "corpus"))

    def newsbot(*argv: str) -> subprocess.CompletedProcess[str]:
        code = main(list(argv))
        said = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, said.out, said.err)

    assert newsbot("ingest", str(source)).returncode == 0
    yesterday = newsbot("ask", "what happened yesterday?")
    assert yesterday.returncode == 0, yesterday.stderr
    assert yesterday.stdout.startswith("*Latest*\n\n• Quay lights renewed ("), yesterday.stdout
    two_ago = today - timedelta(days=2)
    for asked in (f"what happened on {two_ago.day} {two_ago:%B}?", f"any news from {two_ago:%d/%m/%Y}?"):
        said = newsbot("ask", asked)
        assert said.returncode == 0, said.stderr
        day = f"{two_ago:%A} {two_ago.day} {two_ago:%B %Y}"
        assert said.stdout.startswith(f"None of the newest stories is dated {day}. The newest I have:\n"), said.stdout
        assert "Ferry fares frozen" in said.stdout and "Quay lights" not in said.stdout, said.stdout
    oldest = today - timedelta(days=9)
    before = newsbot("ask", "what happened on 15 November 2019?")
    assert before.returncode == 1, before.stdout + before.stderr
    assert before.stdout == (
        f"I have no story dated Friday 15 November 2019 or earlier: the oldest is dated {oldest.day} {oldest:%B %Y}.\n"
    )
    # A day with a subject is searched.
    searched = newsbot("ask", f"what was repaired on {oldest.day} {oldest:%B}?")
    assert "Harbour wall repaired" in searched.stdout and "Latest" not in searched.stdout, searched.stdout


@pytest.mark.usefixtures("shipped_data")
def test_asking_what_happened_in_a_span_lists_its_newest(capsys: pytest.CaptureFixture[str], isolated: Path) -> None:
    """ "what happened in 2024?" and "what happened last month?" were searched ("No article uses the words last or
    month") and "what happened this week?" listed stories of last year as this week's: a span is read as a day is."""
    source = isolated / "pier.jsonl"
    stories = {"Pier reopened": "2024-06-10", "Lighthouse painted": "2024-03-02", "Dock sold": "2023-05-05"}
    source.write_text(
        "".join(json.dumps({"title": t, "body": f"{t} at the harbour.", "date": d}) + "\n" for t, d in stories.items()),
        encoding="utf-8",
    )
    assert main(["ingest", str(source)]) == 0
    capsys.readouterr()

    def asked(question: str) -> str:
        main(["ask", question])
        return capsys.readouterr().out

    assert asked("what happened in 2024?").startswith("*Latest*\n\n• Pier reopened (")
    assert asked("any news from 2023?").startswith("*Latest*\n\n• Dock sold (")
    assert asked("what happened in March 2024?").startswith("*Latest*\n\n• Lighthouse painted (")
    # This week begins today on a Monday (on the settings' clock): then its nothing is said as this week's.
    today = datetime.now(ZoneInfo(Settings.from_env().default_timezone)).date()
    this_week = NOTHING_IN.format(span="this week") if today.weekday() == 0 else "None of the newest stories is dated "
    for question, opening in (
        ("what happened last month?", "None of the newest stories is dated "),
        ("what happened this week?", this_week),
    ):
        said = asked(question)
        assert said.startswith(opening), said
        assert said.index("The newest I have:") < said.index("Pier reopened"), said
    assert asked("what happened in 2010?").startswith("I have no story dated 2010 or earlier")


@pytest.mark.usefixtures("newcomer_data")
def test_asking_what_is_new_with_a_category_lists_its_latest_headlines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "what's new?", "--category", "spo"]) == 0
    assert capsys.readouterr().out.startswith("*Latest in Sport*\n")
    # Only a whole name alone: "spo" starts Sport's, as /latest takes it, but typed alone it may be a word to search.
    main(["ask", "spo"])
    assert "Latest" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("test", "test"),
        ("is this working?", "test"),
        ("who made you?", "about"),
        ("What are you?", "about"),
        ("thanks", "acknowledgement"),
        ("what can you do?", "help"),
        ("help", "help"),
        # The digest is the Telegram bot's: how to get it (a request in words gets its own command, below).
        ("how do I subscribe?", "subscriptions"),
        ("unsubscribe", "subscriptions"),
    ],
)
@pytest.mark.usefixtures("shipped_data")
def test_small_talk_to_ask_gets_a_short_true_reply_not_a_search(
    question: str, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "test" said no article uses the word, and "help" was answered from a story that used it."""
    assert main(["ask", question]) == 0
    assert capsys.readouterr().out == f"{COMMAND_LINE_HELP if kind == 'help' else talk_reply(kind, COMMAND_LINE)}\n"


def test_asked_the_time_ask_tells_it_on_the_default_zone_s_clock(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "what time is it?" was searched: three random headlines under "Nothing in the articles answers that"."""
    monkeypatch.setenv("NEWSBOT_DEFAULT_TIMEZONE", "Asia/Tokyo")
    before = datetime.now(UTC)
    assert main(["ask", "what time is it?"]) == 0
    said = capsys.readouterr().out
    told = {clock_reply(at, ZoneInfo("Asia/Tokyo"), COMMAND_LINE) for at in (before, datetime.now(UTC))}
    assert said.removesuffix("\n") in told and "(Asia/Tokyo). newsbot latest shows" in said, said


@pytest.mark.usefixtures("shipped_data")
def test_a_forecast_asked_of_no_such_story_is_told_the_library_holds_news_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ "will it rain tomorrow?" was told only that no article uses "rain" or "tomorrow" (ux75), as in a chat."""
    assert main(["ask", "will it rain tomorrow?"]) == 1
    said = capsys.readouterr()
    assert said.out.startswith("Nothing in the articles answers that."), said
    assert said.err == "note: I answer from news articles only: I have no weather forecasts.\n", said


@pytest.mark.parametrize(
    ("question", "command"),
    [
        ("send me the digest at 8am", "/time 8am has the daily digest come then."),
        ("set the time to 7am", "/time 7am has the daily digest come then."),
        ("change my digest to the evening", "/time 7pm has the daily digest come in the evening."),
        ("should the digest come in the evening?", "/time 7pm has the daily digest come in the evening."),
        ("set my timezone to London", "/timezone London sets the time zone digests and stories' times are shown in."),
        ("I live in Berlin", "/timezone Berlin sets the time zone digests and stories' times are shown in."),
        ("stop the digest", "/digest off turns the daily digest off."),
        ("no digest please", "/digest off turns the daily digest off."),
        ("turn on alerts", "/alerts on turns alerts on."),
        # The category as the library names it, whatever the case typed ("stops following sport").
        ("remove sport", "/unsubscribe sport stops following Sport."),
        ("I don't want Sport anymore", "/unsubscribe sport stops following Sport."),
        ("unsubscribe from everything", "/unsubscribe all stops following every category."),
        ("I want alerts for sport", "/subscribe sport follows Sport and /alerts on sends its stories as they arrive."),
        (
            "add sport",
            "/subscribe sport follows Sport, whose news then comes in a daily digest; /time 07:30 sets when it comes."
            " /mysubs shows what comes.",
        ),
        (
            "how do I get business news every morning?",
            "/subscribe business follows Business, whose news then comes in a daily digest; /time 7am has it come in"
            " the morning. /mysubs shows what comes.",
        ),
        ("send me the news every morning", "/time 7am has the daily digest come in the morning."),
        # A time moved away from, none named (it set 21:00, or was searched).
        ("not at 9pm", "/time with the time you want instead of 9pm moves the daily digest, like /time 7am."),
        ("turn the digest back on", "/digest on turns the daily digest on."),
        ("show me my digest", "/digest shows the digest so far."),
        (
            "what time is my digest?",
            "/mysubs shows what a chat gets: its categories, digest time, time zone and alerts.",
        ),
    ],
)
@pytest.mark.usefixtures("newcomer_data")
def test_a_setting_asked_of_ask_in_words_gets_the_bot_command_that_makes_it(
    question: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "add tech", "remove sport", "show me my digest" or a time alone got the line on every command ("/subscribe
    sport tech there follows categories, /time 7am ..."), whichever was asked: each gets its own."""
    assert main(["ask", question]) == 0
    assert capsys.readouterr().out == (
        f"In the Telegram bot (newsbot run, or newsbot chat to try it here), {command}\n"
    )


@pytest.mark.usefixtures("newcomer_data")
def test_a_category_misspelt_in_a_setting_asked_of_ask_is_asked_about(capsys: pytest.CaptureFixture[str]) -> None:
    """ "subscribe me to sprot" was searched; as the bot does, it is asked whether Sport was meant."""
    assert main(["ask", "subscribe me to sprot"]) == 0
    assert capsys.readouterr().out.startswith("There is no category “sprot”: did you mean Sport?\nThe categories are")


@pytest.mark.usefixtures("shipped_data")
def test_asking_what_categories_there_are_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    """ "what categories are there?" was searched, and answered from whatever story used "categories"."""
    assert main(["ask", "what categories are there?"]) == 0
    assert capsys.readouterr().out == "• News: 1 article\n"
    # Asked how many, it was told as tersely: the total, the categories and the dates, as the bot tells it.
    assert main(["ask", "how many articles do you have?"]) == 0
    assert capsys.readouterr().out == "I have 1 news article in 1 category, published 7 Mar 2013:\n• News: 1 article\n"


@pytest.mark.usefixtures("shipped_data")
def test_tell_me_more_to_ask_names_the_most_passages_k_takes(capsys: pytest.CaptureFixture[str]) -> None:
    """The reply named "up to 10" while --k takes up to 20."""
    assert main(["ask", "tell me more"]) == 0
    most = re.search(r"up to (\d+)\)", capsys.readouterr().out)
    assert most is not None
    assert main(["ask", "--k", most[1], "Dempsey"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["ask", "--k", str(int(most[1]) + 1), "Dempsey"])


@pytest.mark.usefixtures("shipped_data")
def test_a_greeting_to_ask_says_what_the_library_holds_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "hello"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Hello! I answer questions about *1 news article* in 1 category (News), published 7 Mar")
    # As typed at a shell (shown bare, an example with an apostrophe left the shell waiting for its closing quote).
    assert '• newsbot ask "What do we know about “Russia Invites US Military Chief to Missile Defense Talks”?"' in out
    assert "newsbot latest lists the newest headlines" in out and "/subscribe" not in out


def test_the_greeting_s_examples_are_commands_a_shell_reads_as_shown(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Headlines with an apostrophe or a dollar ("O'Sullivan ...", "$5bn") are quoted as the shell needs them."""
    records = tmp_path / "wire.jsonl"
    titles = ["O'Sullivan keeps his powder dry", 'Harbour "fee" of $5bn `agreed` \\ at last!']
    records.write_text("".join(json.dumps({"title": t, "body": f"{t}, the desk reports."}) + "\n" for t in titles))
    assert main(["ingest", str(records)]) == 0
    capsys.readouterr()
    assert main(["ask", "hi"]) == 0
    shown = [line.removeprefix("• ") for line in capsys.readouterr().out.splitlines() if line.startswith("• ")]
    asked = {shlex.split(command)[2] for command in shown}
    assert asked == {f"What do we know about “{t.rstrip('!')}”?" for t in [*titles, SHIPPED_TITLE]}, shown
    assert all(shlex.split(command)[:2] == ["newsbot", "ask"] and len(shlex.split(command)) == 3 for command in shown)


@pytest.mark.parametrize(
    "question", ["who made the iPhone?", "test results of the new drug", "news about Yukos", "news 2004"]
)
@pytest.mark.usefixtures("shipped_data")
def test_questions_that_begin_like_small_talk_are_still_searched(
    question: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", question]) == 1
    assert capsys.readouterr().out.startswith("Nothing in the articles answers that.")


def test_small_talk_in_chat_gets_the_short_replies_telegram_gives(tmp_path: Path) -> None:
    """ "test" and "who made you?" typed to `newsbot chat` (the Telegram bot itself) were searched: no article uses
    "test", and "made" found nothing either."""
    result = chat_in_terminal(tmp_path, "test\nwho made you?\nwho made the iPhone?\nlatest 1\n")
    assert result.returncode == 0, result.stderr
    said = [part for part in result.stdout.split("\n\n") if part.strip()]
    assert said[:2] == [talk_reply("test", TELEGRAM), talk_reply("about", TELEGRAM)]
    assert said[2].startswith("Nothing in the articles answers that."), said
    # /latest typed without its slash: searched, no article uses "latest" or "1".
    assert said[3].startswith("*Latest*\n• ") and len(said) == 4, said


def test_chat_s_latest_puts_each_headline_s_link_below_it(tmp_path: Path) -> None:
    """ "• Title (https://...) (1 Dec 2026 · News)" read as two asides, the date lost behind the link: a terminal
    shows it as `newsbot latest` does. A link that ends its line stays after it ("Source (https://...)")."""
    result = chat_in_terminal(tmp_path, "/latest 1\nchess champion\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    headline = next(i for i, line in enumerate(lines) if line.startswith("• "))
    assert lines[headline].endswith(")") and "http" not in lines[headline], lines
    assert lines[headline + 1].startswith("  https://"), lines
    assert any(line.startswith("Source (https://") for line in lines), lines


def test_a_story_is_removed_and_followed_by_the_file_its_answer_names_as_its_source(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """A story read from a file without a link shows that file as its source, and a newcomer who wants it gone
    types what they see: `remove` said "no article ... in the store" of it, and named only ids and URLs. A file of
    records names each of them, given relative to where it is typed too; a file named in other letters names none."""
    assert main(["ingest", str(NEWCOMER)]) == 0
    capsys.readouterr()
    assert main(["ask", "--k", "1", "How many homes lost power?"]) == 0
    source = capsys.readouterr().out.splitlines()[-1].removeprefix("Source: ")
    assert source == str(NEWCOMER / "storm-elin.txt")
    assert main(["ask", "--k", "1", "how long will it take?", "--following", source]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"Source: {source}"
    assert main(["remove", source]) == 0
    removed = capsys.readouterr().out
    assert removed.startswith(f"removed {source} (article ") and removed.count("\n") == 1
    assert main(["ask", "How many homes lost power?"]) == 1
    capsys.readouterr()
    records = os.path.relpath(NEWCOMER / "stories.csv", isolated)
    assert main(["remove", str(NEWCOMER / "Stories.csv")]) == 1
    assert capsys.readouterr().err == f"newsbot: no article {str(NEWCOMER / 'Stories.csv')!r} in the store\n"
    assert main(["remove", records]) == 0
    assert capsys.readouterr().out.startswith(f"removed {records} (articles ")
    assert main(["ask", "--k", "1", "How much was the water company fined?"]) == 1
    assert main(["ask", "--k", "1", "How did the council vote on Eastgate library?"]) == 0


def test_a_failing_database_and_no_answer_have_different_exit_codes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "Who won the football world cup in Brazil?"]) == 1
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    assert main(["ask", "Who won the football world cup in Brazil?"]) == 3
    assert capsys.readouterr().err.startswith("newsbot: database error:")


def test_vectors_stopped_say_how_many_were_kept(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Ctrl-C during `newsbot vectors`: what was committed is said before "interrupted", and is kept. Four short
    paragraphs a story, more than an ingest embeds at once (`EMBED_AT_ONCE`): 101 BBC stories (about 2,000 longer
    paragraphs) made this test's encoder time 16 s of CPU."""
    path = tmp_path / "wire-101.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(101):
            body = "\n\n".join(f"Town{n} council item {p}: a vote on the budget of year {2000 + p}." for p in range(4))
            out.write(json.dumps({"title": f"Town{n} sets its budget", "body": body}) + "\n")
    assert main(["ingest", str(path)]) == 0
    commit = VectorStore.commit
    commits: list[int] = []

    def interrupted_after_one(store: VectorStore, cursor: int) -> None:
        # 101 articles are two commits of 100 changes at most (the second embeds one article, where 120 embedded 20
        # for nothing): Ctrl-C before the second.
        if commits:
            raise KeyboardInterrupt
        commit(store, cursor)
        commits.append(cursor)

    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(VectorStore, "commit", interrupted_after_one)
        assert main(["vectors"]) == 130
    err = capsys.readouterr().err
    kept = int(err.split(" paragraphs embedded and kept before the interruption")[0].split()[-1].replace(",", ""))
    assert kept > 0 and err.rstrip().endswith("newsbot: interrupted")
    assert main(["stats"]) == 0


def test_ask_on_an_index_garbled_since_builds_it_again_and_answers(
    isolated: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A segment file garbled in place (its size whole) fails its checksum as the next `ask` opens the index: it
    says so in one line, builds the index again from the store and answers, exit 0."""
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "off")
    assert main(["ask", "Dempsey Moscow"]) == 0
    index = isolated / "data" / "index"
    generation = (index / "CURRENT").read_text().strip()
    for path in (index / generation).glob("*.term"):
        garble(path)
    capsys.readouterr()
    assert main(["ask", "Dempsey Moscow"]) == 0
    captured = capsys.readouterr()
    assert listed("Russia Invites US Military Chief to Missile Defense Talks", marks=PLAIN).match(captured.out)
    [said] = [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()]
    assert re.fullmatch(
        rf"the index in {re.escape(str(index / generation))} is damaged \(its file \w+\.term fails its checksum\);"
        " building it again from the store",
        said,
    ), said
    assert (index / "CURRENT").read_text().strip() != generation


def test_a_question_declined_within_a_category_or_dates_names_the_story_that_answers_without_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ "Nothing in the articles answers that. (The search was limited by category or date.)" left a reader to guess
    whether the story was there under another category; the decline and its exit code stay, a note names it."""
    assert main(["ingest", str(NEWCOMER), "--site", "https://www.millbrook-echo.example"]) == 0
    capsys.readouterr()
    for as_json in ([], ["--json"]):
        assert main(["ask", *as_json, "--category", "sport", "How many homes lost power?"]) == 1
        out, err = capsys.readouterr()
        assert "Storm Elin" not in out
        # One note, not two: "(The search was limited by category or date.)" before it said the same.
        assert ("limited by category" in out) == bool(as_json), out
        said = "note: nothing in Sport answers that; without the category: Storm Elin cancels ferries to the western"
        assert err == f"{said} isles (undated)\n", as_json
    argv = ["ask", "--category", "politics", "--since", "2026-11-28", "How much did Harbour City pay for Varga?"]
    assert main(argv) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "note: nothing in Politics dated on or after 28 Nov 2026 answers that; without the category and the dates:"
        " Harbour City sign striker Tomas Varga in club record deal (28 Nov 2026, 09:05 \u00b7 Sport)"
    )
    # Nothing answers without them either: no note.
    assert main(["ask", "--category", "sport", "Who painted the Mona Lisa?"]) == 1
    assert capsys.readouterr().err == ""


def test_remove_of_an_empty_name_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """`newsbot remove "$ID"` with the variable empty said "nothing in the store was read from " (the empty path is
    the current folder): it says the name is empty, and how articles are named."""
    assert main(["remove", ""]) == 1
    assert capsys.readouterr().err == (
        'newsbot: an empty name names no article: give an article\'s id (the "id" of `ask --json`), its URL, or the'
        " file it was read from\n"
    )


def test_remove_takes_a_folder_that_was_read_and_an_id_in_capitals(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """`remove FOLDER/` said "no article FOLDER/ in the store" of a folder whose every file was read, and an id typed
    in capitals was not found; a folder or file that is there but was never read is said so, not called an article."""
    mine, beside = isolated / "mine", isolated / "mine-too"
    shutil.copytree(NEWCOMER, mine / "newcomer")
    beside.mkdir()
    (beside / "ferry.txt").write_text("Ferry timetable changes\n\nThe Gull Island ferry now leaves at noon.\n")
    assert main(["ingest", "mine", "mine-too"]) == 0
    capsys.readouterr()
    assert main(["remove", "mine/"]) == 0
    assert capsys.readouterr().out.startswith("removed mine/ (articles ")
    assert main(["ask", "How many homes lost power?"]) == 1
    assert main(["ask", "--k", "1", "When does the Gull Island ferry leave?"]) == 0  # the folder beside it stays
    assert main(["remove", SHIPPED_ID.upper(), "mine"]) == 1
    captured = capsys.readouterr()
    assert captured.out.endswith(f"removed {SHIPPED_ID}\n")
    assert captured.err == "newsbot: nothing in the store was read from 'mine'\n"
    assert main(["remove", "mine-too/ferry.txt", "mine-too/ferry.text"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("removed mine-too/ferry.txt (article ")
    assert captured.err == "newsbot: no article 'mine-too/ferry.text' in the store\n"


def test_a_linked_file_is_read_once_and_removing_its_folder_removes_what_was_read_through_links(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """A story and a link to it in the same tree were read twice, the second "same story as" itself; and `remove
    desk/` found nothing of the stories read through links in desk/ (a file's, a folder's), stored under the
    paths linked."""
    wire, desk = isolated / "news" / "wire", isolated / "news" / "desk"
    wire.mkdir(parents=True)
    desk.mkdir()
    (wire / "ferry.txt").write_text("Ferry timetable changes\n\nThe Gull Island ferry now leaves at noon.\n")
    (wire / "pier.txt").write_text("Pier reopens\n\nThe old pier at Gull Island reopens to walkers on Friday.\n")
    (desk / "ferry.txt").symlink_to(wire / "ferry.txt")
    (desk / "wire").symlink_to(wire)
    assert main(["ingest", "news"]) == 0
    assert capsys.readouterr().out == "2 added, 0 updated, 0 unchanged, 0 skipped\n"
    assert main(["remove", "news/desk/"]) == 0
    assert capsys.readouterr().out.startswith("removed news/desk/ (articles ")
    assert main(["ask", "When does the Gull Island ferry leave?"]) == 1
    assert main(["ask", "When does the pier reopen?"]) == 1


@pytest.mark.parametrize("command", [["ask", "Dempsey"], ["latest"], ["stats"], ["remove", SHIPPED_ID]])
def test_a_data_directory_holding_no_library_is_said_so_and_none_is_made_there(
    command: list[str], capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """A mistyped --data-dir made a new library there, seeded with the shipped example, and answered from it as if
    it were the reader's; an empty folder did the same. An ingest still makes one, as the default directory does."""
    (isolated / "empty").mkdir()
    for given in ("librar", "empty"):
        assert main(["--data-dir", given, *command]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err == (
            f"newsbot: no articles in {given}: it holds no library; make one there with:"
            f" newsbot --data-dir {given} ingest FILE_OR_URL\n"
        )
    assert not (isolated / "librar").exists() and not any((isolated / "empty").iterdir())
    assert main(["--data-dir", "empty", "ingest", str(NEWCOMER / "storm-elin.txt")]) == 0
    assert main(["--data-dir", "empty", *command]) == 0


def test_chat_in_a_data_directory_holding_no_library_is_said_so_as_ask_is_and_none_is_made_there(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    """`newsbot --data-dir librar chat` (a typo) made a new library there, seeded with the shipped example, and
    chatted about its one article as if it were the reader's, where `ask` with the same typo was refused."""
    assert main(["--data-dir", "librar", "chat"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        "newsbot: no articles in librar: it holds no library; make one there with:"
        " newsbot --data-dir librar ingest FILE_OR_URL\n"
    )
    assert not (isolated / "librar").exists()


def test_chat_says_which_answer_a_number_presses_and_that_more_has_no_more(tmp_path: Path) -> None:
    """ "more" typed under an answer's last page was sent, and the bot said to tap "More" (there is none); a number
    typed after /categories pressed a button of the answer far above it, unsaid; a follow-up typed after the full
    article opened from the answer above it was noted as if other messages had come between."""
    typed = "harbor\nmore\nmore\n/categories\n2\nWho became the youngest chess champion?\n1\n> when was that?\n"
    result = chat_in_terminal(tmp_path, typed)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "There are no more passages for that question.\n" in out and "Tap" not in out, out
    assert out.count("\u21b3") == 1, out
    # Whichever stories "harbor" finds, in the order the ranking gives them.
    first, fourth = (re.search(rf"^\*(.+)\*\n.*\n\*{n}\.\* ", out, re.MULTILINE) for n in (1, 4))
    assert first is not None and fourth is not None, out
    pressed = f"\u21b3 pressing Back under: {fourth[1]}\n"
    assert pressed in out and out.index(pressed) > out.index("*Categories*"), out
    assert out.count(first[0]) == 2, out  # "Back" showed the first page
    # The follow-up under the full article is the answer's: no note, and no question of common words alone.
    assert (
        len(listed("Chess Prodigy Wins National Title at Twelve", marks=PLAIN).findall(out)) == 2
        and "common words" not in out
    ), out


@pytest.mark.parametrize("typed", ["31-31-2026", "2026-02-30", "32 March 2013", "7 Marhc 2013", "soon"])
def test_a_date_that_cannot_be_is_refused_once_naming_the_forms_read(
    typed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--since 31-31-2026` was told "neither day 31 of month 31 nor day 31 of month 31 exists; today and yesterday
    work too": the same reading twice, and of the forms read only the words."""
    with pytest.raises(SystemExit) as exited:
        main(["ask", "--since", typed, "Dempsey"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith(f"newsbot ask: error: argument --since: {typed!r} is no date; give {DATE_FORMS}\n"), err
    assert err.count("2013-03-07") == 1 and "today or yesterday" in DATE_FORMS


def test_json_gives_a_story_without_a_category_null_in_ask_and_latest_alike(capsys: pytest.CaptureFixture[str]) -> None:
    """`ask --json` and `latest --json` gave "" for a story filed under no category, as if it were a name."""
    assert main(["ingest", str(NEWCOMER / "storm-elin.txt"), str(NEWCOMER / "varga-transfer.txt")]) == 0
    capsys.readouterr()
    assert main(["ask", "--json", "--k", "1", "How many homes lost power?"]) == 0
    asked = json.loads(capsys.readouterr().out)["passages"][0]
    assert main(["latest", "--json"]) == 0
    listed = {h["title"]: h for h in json.loads(capsys.readouterr().out)["headlines"]}
    storm = listed["Storm Elin cancels ferries to the western isles"]
    assert asked["category"] is None and storm["category"] is None
    assert {k: v for k, v in asked.items() if k in storm} == storm
    assert listed["Harbour City sign striker Tomas Varga in club record deal"]["category"] == "Sport"


def test_chat_says_a_follow_up_typed_before_any_answer_has_nothing_to_follow(tmp_path: Path) -> None:
    """ "> when was that?" typed before any answer was asked alone and declined for its common words, where a bare
    ">" said there was no answer to reply to yet."""
    result = chat_in_terminal(tmp_path, "/latest\n> when was that?\n")
    assert result.returncode == 0, result.stderr
    said = "There is no answer to reply to yet: ask a question first."
    assert result.stdout.strip().endswith(said) and "common words" not in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (["asks", "ferry"], "there is no command 'asks': did you mean ask?"),
        (
            ["Who won the election?"],
            "'Who won the election?' is no command; to ask it: newsbot ask \"Who won the election?\"",
        ),
        (["frobnicate"], "there is no command 'frobnicate'; the commands are ingest, ask, latest,"),
        (["feeds", "ad", "https://paper.example.org/feed"], "there is no action 'ad': did you mean add?"),
        (["feeds", "purge"], "there is no action 'purge'; the actions are add, list, remove, poll"),
        (["feeds"], "say which action: add, list, remove or poll"),
        (["--engine", "tantivi", "stats"], "--engine takes tantivy or rank-bm25, not 'tantivi': did you mean tantivy?"),
        (["ingest", "--date-order", "dya", "x.txt"], "--date-order takes day or month, not 'dya': did you mean day?"),
    ],
)
def test_a_word_that_is_no_command_is_named_with_the_command_meant(
    typed: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`newsbot asks` and a question typed without `ask` were told "invalid choice" and all twelve commands; a
    `feeds` action or an option's value mistyped (`newsbot feeds ad`) only "invalid choice"."""
    with pytest.raises(SystemExit) as exited:
        main(typed)
    err = capsys.readouterr().err
    assert exited.value.code == 2 and f": error: {said}" in err and "invalid choice" not in err, err


@pytest.mark.parametrize(
    "case",
    json.loads((DATA / "cli_unknown_options.json").read_text(encoding="utf-8"))["cases"],
    ids=lambda case: " ".join(case["typed"]),
)
def test_an_option_a_command_does_not_take_is_refused_by_the_command_with_the_one_meant(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(case["typed"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and err.endswith(case["said"] + "\n"), err
    assert f"usage: {case['said'].partition(':')[0]} " in err, err


def test_an_ingest_beside_a_running_bot_says_the_bot_is_making_the_vectors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Beside a running bot, the note said "a running bot or `newsbot chat` makes them, else run `newsbot vectors`
    once the other ingest is done": an operator looked for an ingest there was none of. The library opened here
    holds the right to make them as a bot does, and records itself as running `newsbot run` (a bot's record)."""
    assert main(["stats"]) == 0
    capsys.readouterr()
    running = Library.open(Settings.from_env(), command=Command.RUN)
    try:
        assert running.vectors is not None
        story = tmp_path / "zoo.md"
        story.write_text("---\ntitle: Zoo welcomes baby giraffe\ndate: 2026-12-01\n---\nA giraffe was born.\n")
        assert main(["ingest", str(story)]) == 0
        assert capsys.readouterr().err == (
            f"note: 1 paragraph waits for its vectors, which another process ({THIS_PROCESS}) is making in the"
            " background; until then it is found by words.\n"
        )
    finally:
        running.close()


def test_chat_s_follow_up_after_an_article_opened_by_its_deep_link_replies_to_that_article(tmp_path: Path) -> None:
    """ "> how old was she?" typed after `/start <id>` opened the chess story replied to the harbor answer above it
    ("↳ replying to: Harbor Council ..."), the last message with buttons, not to what the reader had just read."""
    chess = "1160d4a6c0e5d297"  # "Chess Prodigy Wins National Title at Twelve" (an id is a hash of the text)
    result = chat_in_terminal(tmp_path, f"harbor\n/start {chess}\n> how old was she?\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\u21b3" not in out, out
    follow_up = out.split("Source (https://news.example.com/sport/chess-prodigy-title)\n", 1)[1]
    assert (
        listed("Chess Prodigy Wins National Title at Twelve", marks=PLAIN).search(follow_up)
        and "Harbor" not in follow_up
    ), out


def stopped_outside_a_write(pid: int, store: Path) -> None:
    """Stop process `pid` (SIGSTOP) at a moment it holds no write of the SQLite store `store` (its beat's, say):
    stopped within one, it would hold every other process's writes until it went on."""
    deadline = time.monotonic() + 60
    while True:
        os.kill(pid, signal.SIGSTOP)
        until(lambda: Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T")
        with closing(sqlite3.connect(store, timeout=0, isolation_level=None)) as db:
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute("ROLLBACK")
                return
            except sqlite3.OperationalError:  # "database is locked": it was writing
                pass
        os.kill(pid, signal.SIGCONT)
        assert time.monotonic() < deadline, f"process {pid} never left its write of {store}"
        time.sleep(0.1)


def test_an_ingest_beside_a_chat_started_with_options_says_the_chat_is_making_the_vectors(tmp_path: Path) -> None:
    """Whether the process holding the right to make the vectors was a bot was read from its command line as it
    recorded it ("pid 4242: newsbot --data-dir /srv/news chat"), whose second word had to be `run` or `chat`: an
    ingest beside a bot or chat started with an option first told the operator to run `newsbot vectors` once "the
    other ingest" was done. The holder records the command it runs, and is named by it, never by its options.

    The chat made a story's vector before the ingest looked (then the ingest rightly says nothing of vectors) in 1
    ingest of 2 at a load of 19 (its vectors job looks every 5 s; an ingest took 11 to 19 s), and five stories
    ingested in turn until one's note was said now and then all went so. The chat is stopped while the ingest runs
    (SIGSTOP, outside any write of the store): a chat that has not got to the story yet."""
    data = tmp_path / "data"
    env = {**os.environ, "NEWSBOT_SEMANTIC": "static"}

    def ingest(animal: str) -> str:
        story = tmp_path / f"{animal}.md"
        story.write_text(f"---\ntitle: Zoo welcomes baby {animal}\ndate: 2026-12-01\n---\nA {animal} was born.\n")
        ingested = subprocess.run(
            [sys.executable, "-m", "bot", "--data-dir", str(data), "ingest", str(story)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ingested.returncode == 0, ingested.stderr
        return ingested.stderr

    ingest("giraffe")  # the library `--data-dir` names for the chat
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "--data-dir", str(data), "chat"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while (chatting := holder_of(data / "vectors" / LOCK_FILE)) is None or chatting.pid != chat.pid:
            assert chat.poll() is None and time.monotonic() < deadline, "the chat never took the vectors' lock"
            time.sleep(0.1)
        assert chatting.command == "chat"
        stopped_outside_a_write(chat.pid, data / "newsbot.sqlite3")
        assert ingest("zebra") == (
            f"note: 1 paragraph waits for its vectors, which another process (pid {chat.pid}: newsbot chat) is making"
            " in the background; until then it is found by words.\n"
        )
    finally:
        chat.send_signal(signal.SIGCONT)
        assert chat.stdin is not None
        chat.stdin.close()
        chat.wait(timeout=60)
