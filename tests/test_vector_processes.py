"""The paragraph vectors on disk between real newsbot processes: whatever was removed before, or damaged, the
next command answers."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from bot.config import Settings
from bot.semantic import Encoder, VectorStore
from bot.semantic.encoder import BATCH_SIZE, load_encoder
from bot.semantic.vectors import MAP_FILE, passage
from bot.store import Store
from tests.conftest import built_once
from tests.paths import ROOT
from tests.processes import Collected, newsbot, process_env
from tests.test_processes import until
from tests.test_semantic import assert_vectors_follow_the_store

STORIES = 17
SHIPPED_QUESTION = "Why did Russia invite Dempsey to Moscow?"


def run(settings: Settings, *args: str) -> tuple[int, str, str]:
    process = newsbot(settings, *args)
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def write_stories(folder: Path) -> list[Path]:
    """Small articles, each about a town of its own (three paragraphs: seventeen make about fifty vectors)."""
    folder.mkdir()
    files = []
    for n in range(1, STORIES + 1):
        path = folder / f"story{n}.txt"
        path.write_text(
            f"Town of Place{n} opens a library\n\nCategory: Local\nPublished 1-02-2020, 09:00\n"
            f"The town of Place{n} opened a new library with {n} thousand books on Monday, the mayor said.\n\n"
            f"Residents of Place{n} queued for hours to borrow novels and atlases from the shelves.\n\n"
            f"The building cost {n} million crowns and was paid for by a regional grant.\n",
            encoding="utf-8",
        )
        files.append(path)
    return files


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """A data directory where `newsbot ingest` stored the stories (made once per run by a real process, as each
    test made its own: seven processes of ~2 s of CPU each; `built_once`), and the stories' files (the store
    names them: read only)."""

    def ingest(folder: Path) -> None:
        write_stories(folder / "stories")
        settings = Settings(data_dir=folder / "data", corpus_dir=ROOT / "corpus")  # as the `settings` fixture's
        code, _, err = run(settings, "ingest", str(folder / "stories"))
        assert code == 0, err

    folder = built_once(tmp_path_factory, "ingested-stories", [ROOT / "corpus"], ingest)
    return folder / "data", sorted((folder / "stories").iterdir(), key=lambda path: int(path.stem[len("story") :]))


def ingested_into(settings: Settings, ingested: tuple[Path, list[Path]]) -> list[Path]:
    """The stories' files, once `settings`' data directory is a copy of the one they were ingested into."""
    data_dir, files = ingested
    shutil.copytree(data_dir, settings.data_dir)
    return files


@pytest.mark.parametrize("removed", [1, STORIES // 2, STORIES - 1, STORIES])
def test_commands_after_removing_articles_answer(
    settings: Settings, ingested: tuple[Path, list[Path]], removed: int
) -> None:
    """usearch saved the vectors of an index it had removed vectors from into a file that corrupted memory when
    loaded: after removing half of 17 small articles, every later command died (exit 134 or 139)."""
    files = ingested_into(settings, ingested)
    code, _, err = run(settings, "remove", *map(str, files[:removed]))
    assert code == 0, err
    kept = STORIES - removed
    question, expected = (
        (f"Which town opened a library with {STORIES} thousand books?", f"Place{STORIES}")
        if kept
        else (SHIPPED_QUESTION, "Dempsey")
    )
    for _ in range(2):  # the first loads the file the removal saved, the second the one it saved in turn
        code, out, err = run(settings, "ask", question)
        assert code == 0 and expected in out.split("\n\n")[0], (code, out, err)
    code, out, err = run(settings, "stats")
    assert code == 0 and f"{kept * 3 + 11} paragraph vectors" in out, (code, out, err)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 256] = bytes(range(256))
    path.write_bytes(bytes(data))


def garble_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:4096] = b"\x5a" * 4096
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "name", "said"),
    [
        (truncate, "paragraphs.usearch", "does not match its checksum (damaged)"),
        (garble, "paragraphs.usearch", "does not match its checksum (damaged)"),
        (garble_header, "paragraphs.sqlite3", "is unreadable"),
    ],
)
def test_damaged_vectors_are_said_answered_around_and_made_again_by_the_writer(
    settings: Settings, ingested: tuple[Path, list[Path]], damage: Callable[[Path], None], name: str, said: str
) -> None:
    """usearch may crash on a damaged file rather than raise (so may the next command); a garbled key map made
    every command fail. The damage is said in one line, the answers go by words, and the writer remakes them."""
    ingested_into(settings, ingested)
    vectors = settings.vectors_dir
    damage(vectors / name)
    question = f"Which town opened a library with {STORIES} thousand books?"
    with open(vectors / "writer.lock", "w") as lock:  # another process writes the vectors: this one reads them
        fcntl.flock(lock, fcntl.LOCK_EX)
        code, out, err = run(settings, "-v", "ask", question)
        assert code == 0 and f"Place{STORIES}" in out.split("\n\n")[0], (code, out, err)
        assert f"{vectors / name} {said}" in err and "answering without" in err, err
        assert "made for the whole store" not in err
    code, out, err = run(settings, "-v", "ask", question)  # now the writer: it makes them again
    assert code == 0 and f"Place{STORIES}" in out.split("\n\n")[0], (code, out, err)
    assert "paragraph vectors made for the whole store" in err, err
    code, out, err = run(settings, "-v", "stats")
    assert code == 0 and f"{STORIES * 3 + 11} paragraph vectors" in out and "WARNING" not in err, (code, out, err)


def test_what_a_killed_vector_writer_left_aside_is_removed_by_the_next_writer(settings: Settings) -> None:
    """A process killed while it saved the vectors left `paragraphs.tmp` (as large as the index) and its checksums
    written aside (`paragraphs.crc32.<pid>.tmp`), which stayed for good. The next process to make vectors removes
    them; the checksums aside of a process still running stay."""
    assert run(settings, "stats")[0] == 0
    vectors = settings.data_dir / "vectors"
    gone = subprocess.Popen(["true"])  # its pid, once it has ended, is no process's
    gone.wait()
    left = [vectors / "paragraphs.tmp", vectors / f"paragraphs.crc32.{gone.pid}.tmp"]
    live = vectors / f"paragraphs.crc32.{os.getpid()}.tmp"
    for path in (*left, live):
        path.write_bytes(b"left by a killed writer")
    code, _out, err = run(settings, "vectors")
    assert code == 0, err
    assert [path for path in left if path.exists()] == [] and live.exists()


# Articles of one paragraph each: six steps of a first build in the encoder's mode (100 articles a step), and more
# than a start makes at once (EMBED_AT_ONCE) once the killed process made one or two.
TOWNS = 600
VOLCANO = "Ash from the erupting volcano grounded every flight leaving the northern airports for three days."


def town_records(path: Path, towns: range, told: str) -> Path:
    """JSON lines, a short story per town under a link of its own: one told again (`told` another way) replaces the
    story under the same id."""
    records = [
        {
            "title": f"Place{n} library news",
            "body": f"The town of Place{n} {told} its library, which holds {n} thousand books.",
            "url": f"https://towns.example/{n}",
        }
        for n in towns
    ]
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def mapped_paragraphs(settings: Settings) -> int:
    """The paragraphs the committed vectors' key map names (0 before there is one)."""
    try:
        with closing(sqlite3.connect(f"file:{settings.vectors_dir / MAP_FILE}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM paragraphs").fetchone()[0])
    except sqlite3.Error:  # not made yet
        return 0


def test_vectors_made_by_processes_killed_and_taking_over_beside_changes_follow_the_store(
    any_db_settings: Settings, tmp_path: Path
) -> None:
    """`newsbot vectors` killed in the middle of a first build, a `newsbot chat` taking the build over step by step,
    while ingests add and replace stories, a removal and a reindex run: once a restart has finished, every paragraph
    has one vector, made from its text as it is now, none is left of removed stories, and the vectors answer."""
    settings = any_db_settings
    quiet = {"NEWSBOT_SEMANTIC": "off"}  # the other processes make no vectors: that is the two's work
    first = newsbot(settings, "ingest", str(town_records(tmp_path / "towns.jsonl", range(TOWNS), "opened")), env=quiet)
    assert first.wait(timeout=300) == 0, first.communicate()
    killed = newsbot(settings, "vectors")
    until(lambda: mapped_paragraphs(settings) > 0 or killed.poll() is not None, timeout=300)
    killed.kill()  # SIGKILL, in the middle of the build: its first step is committed
    assert killed.wait(timeout=60) == -signal.SIGKILL
    made_by_killed = mapped_paragraphs(settings)
    assert 0 < made_by_killed < TOWNS
    chat = newsbot(settings, "-v", "chat", env={"NEWSBOT_FOLLOW_SECONDS": "0.2"}, stdin=subprocess.PIPE)
    assert chat.stdin is not None and chat.stderr is not None
    log = Collected(chat.stderr)
    try:
        # Once the chat has made a step of its own, the store changes under the build it goes on with.
        until(lambda: mapped_paragraphs(settings) > made_by_killed or chat.poll() is not None, timeout=300)
        changes = [
            newsbot(
                settings,
                "ingest",
                str(town_records(tmp_path / "told.jsonl", range(0, TOWNS, 3), "reopened")),
                env=quiet,
            ),
            newsbot(settings, "reindex", env=quiet),
        ]
        for change in changes:
            assert change.wait(timeout=300) == 0, change.communicate()
        volcano = tmp_path / "volcano.md"
        volcano.write_text(f"---\ntitle: Flights grounded in the north\ndate: 2026-12-01\n---\n{VOLCANO}\n")
        for args in (
            ("ingest", str(town_records(tmp_path / "new.jsonl", range(TOWNS, TOWNS + 30), "opened")), str(volcano)),
            ("remove", *(f"https://towns.example/{n}" for n in range(1, TOWNS, 7))),
        ):
            change = newsbot(settings, *args, env=quiet)
            assert change.wait(timeout=300) == 0, change.communicate()
        chat.stdin.write("/quit\n")
        chat.stdin.close()  # ends the chat, within a step of its vectors
        assert chat.wait(timeout=300) == 0, log.text()
    finally:
        if chat.poll() is None:
            chat.kill()
    code, out, err = run(settings, "vectors")  # the restart finishing what is left
    assert code == 0 and "Traceback" not in err, (out, err)
    store = Store.open(settings.store_url)
    vectors = VectorStore.open(settings.vectors_dir, None, Encoder.recipe)
    try:
        assert_vectors_follow_the_store(store, vectors)
        encoder = load_encoder()
        live = store.with_paragraphs(store.article_ids_after("", None))
        texts = {
            (article.id, n): passage(article.title, text)
            for article, paragraphs in live
            for n, text in enumerate(paragraphs)
        }
        stored = vectors.vectors(texts)
        made = encoder.embed(list(texts.values()))
        assert all(float(stored[key] @ made[i]) > 0.99 for i, key in enumerate(texts))
        nearest = vectors.search(encoder.embed_one("Why could no planes take off?"), 1)
        assert [store.with_paragraphs([nearest[0][0]])[0][0].title] == ["Flights grounded in the north"]
    finally:
        vectors.close()
        store.close()


# `newsbot ARGS...` (after SIGNAL and AFTER), given SIGNAL (SIGINT, a Ctrl-C; SIGTERM) by the process itself once the
# encoder has run AFTER after a step's commit ("embed": the step's first chunk, so between two chunks; "hidden_states":
# the model's first batch of it, so in the middle of a chunk), and heard (the stop asked) before the encoder goes on:
# the signal lands where it is meant to, however loaded the machine. Prints how many paragraphs had vectors then.
INTERRUPT_A_STEP = textwrap.dedent(
    """
    import os, signal, sys, threading
    from bot.cli import main
    from bot.library import Library
    from bot.semantic import Encoder, VectorStore

    sent, after, args = signal.Signals[sys.argv[1]], sys.argv[2], sys.argv[3:]
    committed, heard = [], threading.Event()
    commit, encode, stop = VectorStore.commit, getattr(Encoder, after), Library.stop

    def commit_counted(vectors, *args, **kwargs):
        commit(vectors, *args, **kwargs)
        committed.append(vectors.count())

    def encode_then_interrupt(encoder, *args, **kwargs):
        made = encode(encoder, *args, **kwargs)
        if committed and not heard.is_set():
            print(f"interrupting a step at {committed[-1]} paragraphs", file=sys.stderr, flush=True)
            os.kill(os.getpid(), sent)
            heard.wait(60)
        return made

    def stop_heard(library):
        stop(library)
        heard.set()

    VectorStore.commit, Library.stop = commit_counted, stop_heard
    setattr(Encoder, after, encode_then_interrupt)
    sys.exit(main(args))
    """
)


def interrupted_at(process: subprocess.Popen[str]) -> tuple[int, float]:
    """How many paragraphs had vectors when `process` (running `INTERRUPT_A_STEP`) signalled itself, and when."""
    assert process.stderr is not None
    for line in process.stderr:
        if said := re.fullmatch(r"interrupting a step at (\d+) paragraphs\n", line):
            return int(said[1]), time.monotonic()
    raise AssertionError(f"never interrupted: {process.communicate()}")


def test_vectors_stopped_with_ctrl_c_keep_the_articles_embedded_whole_and_say_how_far_they_got(
    settings: Settings, tmp_path: Path
) -> None:
    """Ctrl-C during `newsbot vectors` (Python's KeyboardInterrupt) gave up the step it was embedding, up to 100
    articles, where a bot stopping keeps the articles it embedded whole. It keeps them now, says so and how many
    have vectors, and the next run embeds only the rest.

    The signal was sent 0.2 s after a step's commit was seen, meant for the middle of the next step; on a loaded
    machine it came within the commit's end, or before the encoder had finished a batch of that step, where a stop
    keeps none of it (as it should), and three runs in a row did so (2 tries in 2 at a load of 16). It is sent now
    from within the process once the encoder has embedded a chunk of the step after a commit (`INTERRUPT_A_STEP`)."""
    records = [
        {
            "title": f"Place{n} market",
            "paragraphs": [f"Place{n} holds a market on {day}." for day in ("Monday", "Friday")],
        }
        for n in range(400)  # four steps of 100 articles
    ]
    (tmp_path / "markets.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    code, _, err = run(settings, "ingest", str(tmp_path / "markets.jsonl"))
    assert code == 0, err
    paragraphs = 2 * len(records) + 11  # and the shipped article's
    before = mapped_paragraphs(settings)  # the shipped article's, which the ingest's open embedded
    vectors = subprocess.run(
        [sys.executable, "-c", INTERRUPT_A_STEP, "SIGINT", "embed", "vectors"],
        env=process_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    err = vectors.stderr
    assert vectors.returncode == 130 and "Traceback" not in err, err
    said = re.search(r"^interrupting a step at (\d+) paragraphs$", err, re.MULTILINE)
    assert said, err
    at_the_signal, kept = int(said[1]), mapped_paragraphs(settings)
    # What the step running had embedded whole (the chunk before the signal), and no more.
    assert before < at_the_signal < kept < min(at_the_signal + 2 * 100, paragraphs), err
    assert "stopping once the articles embedded whole are kept" in err
    assert err.rstrip().endswith(
        f"newsbot: stopped after embedding {kept - before:,} paragraphs, kept: {kept:,} of {paragraphs:,} have"
        " vectors; the same command again goes on from there"
    ), err
    code, out, err = run(settings, "vectors")
    assert code == 0 and out == f"{paragraphs - kept:,} paragraphs embedded; {paragraphs:,} have vectors\n", (out, err)


def test_vectors_stopped_by_sigterm_mid_chunk_exit_at_once_keeping_only_the_batches_done(
    settings: Settings, tmp_path: Path
) -> None:
    """SIGTERM while the encoder embeds: the chunk under way (up to 128 paragraphs) was embedded to its end first,
    4 to 16 s on two loaded cores (and `newsbot vectors` heard the signal only after the model's batch under way).
    The model's run is given up now: the process exits within a second or two, keeping of that chunk only the
    encoder's batch of 32 done before the signal. Each step here is one chunk (100 articles of one long paragraph
    each): that chunk embedded to its end kept every paragraph of the step. The signal was sent 0.2 s after a step's
    commit was seen, which under load could come before the next chunk began or after it was embedded; it is sent now
    from within the process once the model has run the first batch of the chunk after a commit (`INTERRUPT_A_STEP`)."""
    records = [
        {
            "title": f"Place{n} council meets",
            "body": " ".join(
                f"In Place{n} the council discussed {topic} for the {n}th time, and residents asked about the cost."
                for topic in ("parking", "schools", "bus routes", "flood defences", "street lights", "recycling")
            ),
        }
        for n in range(300)  # three steps of 100 articles, each paragraph about 128 word pieces long
    ]
    (tmp_path / "councils.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ingest = newsbot(settings, "ingest", str(tmp_path / "councils.jsonl"), env={"NEWSBOT_SEMANTIC": "off"})
    _, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, err
    vectors = subprocess.Popen(
        [sys.executable, "-c", INTERRUPT_A_STEP, "SIGTERM", "hidden_states", "vectors"],
        env=process_env(settings),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    at_the_signal, signalled = interrupted_at(vectors)
    _, err = vectors.communicate(timeout=120)
    took = time.monotonic() - signalled
    assert vectors.returncode == 130 and "Traceback" not in err, err
    assert 0 < at_the_signal < len(records)
    assert mapped_paragraphs(settings) == at_the_signal + BATCH_SIZE, err
    assert took < 5, f"{took:.1f} s from SIGTERM to exit"
