"""A damaged tantivy index, with real processes: found as it is opened or reloaded, said in one line, and built
again from the store, which is the one truth; never a Rust panic, a traceback or an answer from half an index.

Each damage is done the way it happens (a file garbled in place by a copy or a disk, cut short by a full disk or
a tool, removed by hand) between two `newsbot ask` runs, and under a long-lived process holding the index open
as a running bot does.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import IndexCorruptError
from bot.index import TantivyEngine, follower, tantivy_engine
from bot.index.aside import write_whole
from bot.index.engine import Query
from bot.index.follower import BUILD_CLAIM
from bot.library import Library
from bot.models import Article, StoredArticle
from bot.store import Store
from tests.conftest import built_once
from tests.paths import DATA, ROOT
from tests.processes import newsbot, process_env
from tests.test_library import garble
from tests.test_store_outage import fill, small_disk  # noqa: F401 (a fixture)

QUESTION = "Who became the youngest chess champion?"
ENV = {"NEWSBOT_SEMANTIC": "off"}


def _generation(settings: Settings) -> Path:
    return settings.index_dir / (settings.index_dir / "CURRENT").read_text().strip()


def _garble(suffix: str) -> Callable[[Path], None]:
    def damage(generation: Path) -> None:
        for path in generation.glob(f"*.{suffix}"):
            garble(path)

    return damage


def _cut(generation: Path) -> None:
    """Each document store cut to half its size, as a full disk or a tool leaves a file."""
    for path in generation.glob("*.store"):
        os.truncate(path, path.stat().st_size // 2)


def _meta_removed(generation: Path) -> None:
    (generation / "meta.json").unlink()


def _terms_removed(generation: Path) -> None:
    for path in generation.glob("*.term"):
        path.unlink()


# tantivy panicked opening an index whose fast fields were garbled (every command a traceback) and searching one
# whose postings were; with meta.json gone it began an empty index over the segments, and answered nothing.
DAMAGES = {
    "postings garbled": (_garble("idx"), r"its file \w+\.idx fails its checksum"),
    "fast fields garbled": (_garble("fast"), r"its file \w+\.fast fails its checksum"),
    "document store cut short": (_cut, r"its file \w+\.store fails its checksum"),
    "meta.json removed": (_meta_removed, r"its meta\.json is missing"),
    "term dictionary removed": (_terms_removed, r"its file \w+\.term is missing"),
}


def small_on(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, corpus_dir=DATA / "bot_corpus", semantic="off")


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    return small_on(tmp_path / "data")


@pytest.fixture
def index_apart(small: Settings) -> Settings:
    """`small` with its store beside the data directory (a SQLite file kept elsewhere, as PostgreSQL's is), which
    then holds the index alone: removed, the index is what is gone. A data directory taken with its store in it is
    the store out of reach until one is there again (tests/test_store.py)."""
    return replace(small, database_url=f"sqlite:///{small.data_dir.parent / 'store.sqlite3'}")


def asked(settings: Settings, question: str = QUESTION) -> tuple[list[tuple[str, int, str]], str]:
    """`newsbot ask --json question`'s passages (article, position, text) and its stderr; it must exit 0."""
    process = newsbot(settings, "ask", "--json", question, env=ENV)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return _passages(json.loads(out)), err


def _passages(answer: dict[str, list[dict[str, object]]]) -> list[tuple[str, int, str]]:
    return [(str(p["id"]), int(str(p["position"])), str(p["text"])) for p in answer["passages"]]


def assert_said_once(err: str, generation: Path, why: str) -> None:
    """`err` says the damage in one line naming the generation, and no panic or traceback reaches the reader."""
    said = [line for line in err.splitlines() if "damaged" in line]
    pattern = rf"the index in {re.escape(str(generation))} is damaged \({why}\); building it again from the store"
    assert len(said) == 1 and re.search(pattern, said[0]), err
    assert "panicked" not in err and "Traceback" not in err and "PanicException" not in err, err


def damaged_then_asked(settings: Settings, damage: str, before: list[tuple[str, int, str]]) -> Path:
    """Damage the index in use; the next `ask` answers `before`'s passages, saying the damage once. Returns the
    generation damaged."""
    generation = _generation(settings)
    spoil, why = DAMAGES[damage]
    spoil(generation)
    after, err = asked(settings)
    assert after == before
    assert_said_once(err, generation, why)
    return generation


def python(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`script` run by another Python process, talking through its standard streams."""
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def first_asked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, int, str]]]:
    """A data directory a first `newsbot ask` made (its store and index), and the passages it answered: made once
    per run (`built_once`), as each test's own first ask made the same."""

    def first_ask(folder: Path) -> None:
        before, _ = asked(small_on(folder / "data"))
        assert before
        (folder / "passages.json").write_text(json.dumps(before), encoding="utf-8")

    folder = built_once(tmp_path_factory, "first-asked", [DATA / "bot_corpus"], first_ask)
    passages = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
    return folder / "data", [(str(a), int(p), str(t)) for a, p, t in passages]


@pytest.fixture
def before(small: Settings, first_asked: tuple[Path, list[tuple[str, int, str]]]) -> list[tuple[str, int, str]]:
    """The passages a first `newsbot ask` answered, `small`'s data directory a copy of the one it made."""
    data_dir, passages = first_asked
    shutil.copytree(data_dir, small.data_dir)
    return passages


@pytest.mark.parametrize("damage", DAMAGES)
def test_an_index_damaged_between_two_asks_is_said_and_built_again(
    small: Settings, before: list[tuple[str, int, str]], damage: str
) -> None:
    generation = damaged_then_asked(small, damage, before)
    assert _generation(small) != generation
    again, err = asked(small)
    assert again == before and err == ""


READER = textwrap.dedent(
    """
    import json, sys
    from bot.config import Settings
    from bot.errors import IndexCorruptError
    from bot.library import Library
    from bot.render.answers import answer_json
    library = Library.open(Settings.from_env())

    def ask():
        try:
            return answer_json(library.ask(library.request(sys.argv[1])))
        except IndexCorruptError as exc:
            return {"refused": str(exc)}

    print(json.dumps(ask()), flush=True)
    for command in sys.stdin:
        if command.strip() == "follow":
            library.follow()
        print(json.dumps(ask()), flush=True)
    library.close()
    """
)


class Reader:
    """A long-lived process holding the library open, as a running bot does: it asks when told, or follows the
    store first."""

    def __init__(self, settings: Settings) -> None:
        self.process = python(READER, QUESTION, env=process_env(settings, **ENV))
        self.first = self._answer()

    def _answer(self) -> dict[str, list[dict[str, object]]]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, self.finish()
        return dict(json.loads(line))

    def ask(self, follow: bool = False) -> dict[str, list[dict[str, object]]]:
        assert self.process.stdin is not None
        self.process.stdin.write("follow\n" if follow else "ask\n")
        self.process.stdin.flush()
        return self._answer()

    def finish(self) -> str:
        _, err = self.process.communicate(timeout=120)
        assert self.process.returncode == 0, err
        return err


def _rotted(generation: Path) -> None:
    """Each term dictionary garbled in place, its size and modification time kept (a disk's bit rot, a copy made
    with its times): only reading it whole tells."""
    for path in generation.glob("*.term"):
        stamp = path.stat()
        garble(path)
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def test_an_ingest_whose_commit_finds_a_segment_garbled_builds_the_index_again_with_its_story(
    small: Settings, before: list[tuple[str, int, str]], tmp_path: Path
) -> None:
    """tantivy's commit reads every segment to apply its deletes: an ingest whose commit met one garbled under it said
    it could not write the index (the index "falls behind the store"), which was never built again, and its story was
    never found. It is damage, as a reader's is: said once, and the index built again from the store, with every story
    in it."""
    generation = _generation(small)
    _rotted(generation)
    story = tmp_path / "story.jsonl"
    story.write_text('{"title": "Zebra crossing repainted", "body": "Volunteers repainted the zebra crossing."}\n')
    ingest = newsbot(small, "ingest", str(story), env=ENV)
    _, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, err
    assert_said_once(err, generation, r"its file \w+\.term fails its checksum")
    assert "cannot write" not in err, err
    assert asked(small)[0] == before
    found, _ = asked(small, "Who repainted the zebra crossing?")
    assert found and "zebra crossing" in found[0][2], found


@pytest.mark.parametrize("damage", DAMAGES)
def test_an_index_damaged_under_a_long_lived_process_is_built_again_by_the_next_ask(
    small: Settings, before: list[tuple[str, int, str]], damage: str
) -> None:
    """Damaged while a bot holds it open: the next `ask` says it and builds the index again; the bot, on its next
    look at the store, takes the index built, and answers the same passages as before."""
    reader = Reader(small)
    try:
        assert _passages(reader.first) == before
        damaged_then_asked(small, damage, before)
        assert _passages(reader.ask(follow=True)) == before
    finally:
        err = reader.finish()
    assert "panicked" not in err and "Traceback" not in err, err


@pytest.mark.parametrize("damage", ["postings garbled", "fast fields garbled", "meta.json removed"])
def test_a_long_lived_process_finds_its_index_damaged_itself_and_builds_it_again(small: Settings, damage: str) -> None:
    """Damaged under a bot with no other process about: a question before its next look at the store is refused
    (the bot's "try again in a moment") where tantivy panicked decoding a garbled file, and the look builds the
    index again, saying why in one line; its answers are the same as before."""
    reader = Reader(small)
    try:
        before = _passages(reader.first)
        assert before
        generation = _generation(small)
        spoil, why = DAMAGES[damage]
        spoil(generation)
        answer = reader.ask()
        assert "refused" in answer or _passages(answer) == before, answer
        assert _passages(reader.ask(follow=True)) == before
        assert _generation(small) != generation
    finally:
        err = reader.finish()
    assert_said_once(err, generation, why)


HOLD_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bot.index.tantivy_engine import TantivyEngine
    engine = TantivyEngine(Path(sys.argv[1]), 1.0)
    assert engine.try_write()
    print("holding", flush=True)
    sys.stdin.readline()
    engine.close()
    """
)


def test_an_index_damaged_while_another_process_holds_its_writer_is_built_aside(
    small: Settings, before: list[tuple[str, int, str]]
) -> None:
    """An ingest holding the damaged index's writer is not fought for it: the new index is built aside, in a
    generation of its own, and answers."""
    holder = python(HOLD_WRITER, str(_generation(small)))
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        damaged_then_asked(small, "postings garbled", before)
    finally:
        _, err = holder.communicate("\n", timeout=60)
    assert holder.returncode == 0, err


def test_an_index_damaged_while_another_process_builds_one_is_said_before_waiting_for_it(
    small: Settings, before: list[tuple[str, int, str]]
) -> None:
    """Another process holding the build claim: the ask says the damage at once, in one line, then waits for that
    build instead of starting one beside it (here the claim is let go without a build, so it builds it itself)."""
    generation = _generation(small)
    _meta_removed(generation)
    with (small.index_dir / BUILD_CLAIM).open("w") as claim:
        fcntl.flock(claim, fcntl.LOCK_EX)
        process = newsbot(small, "ask", "--json", QUESTION, env=ENV)
        assert process.stderr is not None
        said = process.stderr.readline()
        time.sleep(1)
        assert process.poll() is None, "the ask did not wait for the build under way"
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert _passages(json.loads(out)) == before
    assert_said_once(said + err, generation, r"its meta\.json is missing")


def test_a_question_finding_the_index_cut_short_is_answered_from_it_built_again(small: Settings) -> None:
    """A segment file cut short under an open library (another tool, a full disk) was found by the next question,
    which raised: a bot replied "Sorry, something went wrong" until its follower's next look had built the index
    again. The question now builds it (or waits for the build under way) and is answered."""
    library = Library.open(small)
    try:
        before = library.ask(library.request(QUESTION))
        for term in _generation(small).glob("*.term"):
            os.truncate(term, 0)
        after = library.ask(library.request(QUESTION))
    finally:
        library.close()
    assert after.found and [(p.article.id, p.position) for p in after.passages] == [
        (p.article.id, p.position) for p in before.passages
    ]


def test_a_follow_up_finding_the_index_cut_short_is_searched_in_it_built_again(small: Settings) -> None:
    """The follow-up's search of the story's passages read the damaged index too: a bot apologised for a reply to
    its answer, where `newsbot ask --following` asked again itself."""
    library = Library.open(small)
    try:
        [passage, *_] = library.ask(library.request(QUESTION)).passages
        before = library.follow_up("how old was she?", [], shown=[passage.text])
        for term in _generation(small).glob("*.term"):
            os.truncate(term, 0)
        after = library.follow_up("how old was she?", [], shown=[passage.text])
    finally:
        library.close()
    assert after == before and after != "how old was she?"


class _CutAfterReload:
    """tantivy's Index whose reloads are followed at once by `cut` (another tool cutting files just as tantivy has
    mapped them)."""

    def __init__(self, index: object, cut: Callable[[], None]) -> None:
        self._index, self._cut = index, cut

    def reload(self) -> None:
        self._index.reload()  # type: ignore[attr-defined]
        self._cut()

    def __getattr__(self, name: str) -> object:
        return getattr(self._index, name)


@pytest.mark.parametrize("mapped_at", ["the open", "a reload"])
def test_a_segment_file_cut_just_as_tantivy_maps_it_is_found_cut_short(
    small: Settings, monkeypatch: pytest.MonkeyPatch, mapped_at: str
) -> None:
    """A file cut after tantivy mapped it but before the engine listed the files' sizes (at an open it waits for
    tantivy's threads in between: seconds under load) was recorded at its cut size, so never found cut short: a
    search read past its end (SIGBUS), and a look said only that it failed its checksum (a chat's test waited 120 s
    for "cut short" under load)."""
    Library.open(small).close()
    generation = _generation(small)

    def cut() -> None:
        for term in generation.glob("*.term"):
            os.truncate(term, 0)

    settle = tantivy_engine._settle_tantivy_threads

    def settled_then_cut() -> None:
        settle()
        cut()

    if mapped_at == "the open":
        monkeypatch.setattr(tantivy_engine, "_settle_tantivy_threads", settled_then_cut)
    engine = TantivyEngine(generation, 1.0)
    if mapped_at == "a reload":
        engine._index = _CutAfterReload(engine._index, cut)  # type: ignore[assignment]
        assert engine.try_write()
        engine.delete(["no-such-story"])  # a commit, which tantivy makes only of a change
        engine.commit()  # reloaded: a look with no commit since reloads nothing
    with pytest.raises(IndexCorruptError, match=r"\.term was cut short under this process \(0 of"):
        engine.refresh()
    engine.close()


COMMIT_AFTER_CUT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from bot.errors import IndexCorruptError
    from bot.index.tantivy_engine import TantivyEngine
    generation = Path(sys.argv[1])
    engine = TantivyEngine(generation, 1.0)
    assert engine.try_write()
    engine.delete(["no-such-story"])  # a change to commit, whose deletes tantivy applies to every segment
    for term in generation.glob("*.term"):
        os.truncate(term, 0)
    try:
        engine.commit()
    except IndexCorruptError as exc:
        print(exc, flush=True)
    """
)


def test_a_commit_finding_a_segment_file_cut_short_under_its_writer_says_so_and_lives(
    small: Settings, before: list[tuple[str, int, str]]
) -> None:
    """A segment file cut short under a process holding the writer (another tool, a full disk): tantivy's commit
    reads every segment's term dictionary to apply its deletes, past the cut file's end, and the process died of
    SIGBUS (exit -7, nothing said). The commit looks at the files' sizes first and raises the damage, for the
    follower to build the index again."""
    process = python(COMMIT_AFTER_CUT, str(_generation(small)), env=process_env(small, **ENV))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, (process.returncode, err)
    assert re.fullmatch(r".*\.term was cut short under this process \(0 of [\d,]+ bytes\)\n", out), (out, err)


def test_a_look_with_no_commit_since_reads_no_index_file(small: Settings) -> None:
    """A follower's look (every second in a bot) reloaded the index each time, tantivy opening every segment
    again and reading each file's end: a file cut between the look's check of the sizes and that read killed a
    `newsbot chat` waiting at its prompt with SIGBUS (1 run in 12 of its test at a load of 12). With no commit since
    the last reload, a look asks nothing of tantivy: files whose ends are garbled under it (their size and time kept,
    so that only reading them tells) go unread, and a question is answered; an open reads them, and finds them
    damaged."""
    Library.open(small).close()
    engine = TantivyEngine(_generation(small), 1.0)
    try:
        found = engine.search(Query(("chess",)), 3)
        assert found
        for path in _generation(small).glob("*.term"):
            stamp = path.stat()
            with path.open("r+b") as file:
                file.seek(-8, os.SEEK_END)
                file.write(bytes(8))  # the footer's length and magic number
            os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        engine.refresh()
        assert engine.search(Query(("chess",)), 3) == found
        with pytest.raises(IndexCorruptError, match="Footer magic byte mismatch"):
            TantivyEngine(_generation(small), 1.0)  # which reads them
    finally:
        engine.close()


def _left_by(pid: int | str, generation: Path) -> list[Path]:
    """The files a process `pid` writing the index's small files aside leaves (newsbot wrote `cursor.<pid>` before)."""
    return [
        generation / f"cursor.{pid}",
        generation / f"checked.{pid}.0badf00d",
        generation / f"store.{pid}.0badf00d",
        generation.parent / f"CURRENT.{pid}.0badf00d",
    ]


def test_files_a_writer_killed_mid_write_left_aside_are_removed_at_the_next_open(
    small: Settings, before: list[tuple[str, int, str]]
) -> None:
    """A cursor write cut by SIGKILL left `index/gen-*/cursor.<pid>`, which nothing read or removed, one more at
    each kill. The next process to open the index removes those of processes gone, never one still writing."""
    generation = _generation(small)
    # Each writes its files (PID: its own pid), says so, and waits.
    write = textwrap.dedent("""
        import os, pathlib, sys
        for path in sys.argv[1:]:
            pathlib.Path(path.replace("PID", str(os.getpid()))).write_text("7")
        print("written", flush=True)
        sys.stdin.read()
    """)
    killed = python(write, *map(str, _left_by("PID", generation)))
    writing = python(write, str(generation / "cursor.PID.0badf00d"))
    try:
        for process in (killed, writing):
            assert process.stdout is not None and process.stdout.readline() == "written\n"
        killed.kill()
        killed.wait()
        left = _left_by(killed.pid, generation)
        assert all(path.exists() for path in left)
        after, err = asked(small)
        assert after == before, err
        assert not any(path.exists() for path in left)
        assert (generation / f"cursor.{writing.pid}.0badf00d").exists()  # its writer runs: maybe being written
        assert (generation / "cursor").read_text().strip().isdigit()
    finally:
        writing.kill()
        writing.communicate()


def test_a_cursor_write_on_a_full_disk_leaves_the_cursor_as_it_was_and_nothing_aside(small_disk: Path) -> None:  # noqa: F811
    """A full disk cut the cursor's write after the file aside was made: an empty `cursor.<pid>` stayed."""
    cursor = small_disk / "cursor"
    write_whole(cursor, "41")
    fill(small_disk / "filler")
    with pytest.raises(OSError, match="No space left"):
        write_whole(cursor, "4" * 8192)
    assert sorted(p.name for p in small_disk.iterdir()) == ["cursor", "filler"] and cursor.read_text() == "41"


@pytest.mark.parametrize("proc", ["absent", "unreadable"])
def test_an_index_opens_and_answers_where_proc_cannot_tell_of_tantivy_s_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, proc: str
) -> None:
    """Opening an index waits for tantivy's threads as Linux's /proc shows them. Without /proc (macOS, a container
    without it), or with a /proc that will not say (a thread's files unreadable: a folder stands in, which no read
    can open), the threads are taken as idle: the index opens, at once, and is searched; it raised there."""
    tasks = tmp_path / "task"
    if proc == "unreadable":
        (tasks / "4242" / "comm").mkdir(parents=True)
    monkeypatch.setattr(tantivy_engine, "PROC_TASKS", str(tasks))
    started = time.monotonic()
    engine = TantivyEngine(tmp_path / "index", 1.0)
    assert time.monotonic() - started < tantivy_engine.TANTIVY_SETTLE_SECONDS
    assert (engine.count(), engine.search(Query(("tide",)), 5)) == (0, [])


def test_an_index_a_full_disk_cannot_take_is_said_once_and_that_it_can_be_written_again(
    small_disk: Path,  # noqa: F811
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A full disk under the index (the store elsewhere): said once, "answering from it as it is until it can be
    written", and then never that it could be: an operator who freed space could not tell from the log whether the
    bot's index followed again."""
    caplog.set_level(logging.INFO, logger="bot.index.follower")
    settings = Settings(
        data_dir=small_disk / "data", database_url=f"sqlite:///{tmp_path / 'store.sqlite3'}", semantic="off"
    )
    library = Library.open(settings)
    try:
        fill(small_disk / "ballast")
        for n in range(3):
            notice = Article(f"Harbour notice {n}", (f"Pontoon {n} moorings are closed for repairs. " * 40,))
            library.store.write_articles([notice], datetime.now(UTC))
            library.follow()
        (small_disk / "ballast").unlink()
        for _ in range(3):  # the bot's follow job's next looks (the first lets the failed writer go)
            library.follow()
        assert library.engine.count() == library.store.stats().paragraphs, caplog.text
    finally:
        library.close()
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.index.follower"]
    warned = [message for level, message in said if level == "WARNING"]
    assert len(warned) == 1 and warned[0].endswith("; answering from it as it is until it can be written"), said
    assert any(
        message.startswith(f"the index in {settings.index_dir} can be written again, after") for _, message in said
    ), said


@pytest.mark.parametrize("after", ["the new generation's release", "the swap"])
def test_a_data_directory_removed_as_a_build_swaps_its_index_in_is_said_in_one_line_and_built_again(
    index_apart: Settings, monkeypatch: pytest.MonkeyPatch, after: str
) -> None:
    """The data directory removed (moved away, then deleted) under a bot just as its index build was swapped in, or
    as the old generations were then looked over: writing `CURRENT`, or listing the index's directory, raised a
    bare FileNotFoundError out of the follow job or /reindex, a traceback in the bot's log. A build that could not
    be swapped in fails as one on a full disk does, in one line (one swapped in is kept), and the next look builds
    the index again in the directory made anew."""
    library = Library.open(index_apart)
    try:
        gone = index_apart.data_dir.with_name("data-removed")
        owner, name = (TantivyEngine, "release") if after.endswith("release") else (follower, "remove_left_aside")
        original = getattr(owner, name)

        def then_removed(target: object) -> None:
            original(target)
            if target is not library.engine and not gone.exists():  # the build's, once
                index_apart.data_dir.rename(gone)

        monkeypatch.setattr(owner, name, then_removed)
        if after == "the swap":  # swapped in, in the directory then
            assert library.reindex()
        else:
            with pytest.raises(IndexCorruptError, match="cannot build an index in"):
                library.reindex()
        monkeypatch.undo()
        shutil.rmtree(gone)
        library.follow()
        assert "Chess Prodigy" in library.ask(library.request(QUESTION)).passages[0].article.title
    finally:
        library.close()


def test_a_data_directory_removed_as_a_process_opens_the_generation_another_swapped_in_is_built_again(
    index_apart: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data directory removed (moved away, then deleted) just as a bot opened the index generation another
    process had swapped in: the bare FileNotFoundError of the open went out of the follow job, a traceback in the
    bot's log. It is damage like any other: said in one line, and the index is built again in the directory made
    anew."""
    library = Library.open(index_apart)
    other = Library.open(index_apart)
    try:
        other.reindex()
        gone = index_apart.data_dir.with_name("data-removed")
        original, swapped = TantivyEngine._segment_sizes, _generation(index_apart)

        def removed_first(engine: TantivyEngine) -> list[tuple[str, int, int, int]]:
            if engine.directory == swapped and engine is not other.engine and not gone.exists():
                index_apart.data_dir.rename(gone)  # as the bot opens the generation swapped in
            return original(engine)

        monkeypatch.setattr(TantivyEngine, "_segment_sizes", removed_first)
        library.follow()
        monkeypatch.undo()
        shutil.rmtree(gone)
        assert "Chess Prodigy" in library.ask(library.request(QUESTION)).passages[0].article.title
    finally:
        other.close()
        library.close()


def test_a_rebuild_beside_a_build_of_the_same_process_does_not_wait_for_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reindex holds the data directory's build claim while it builds (another process waits for it and takes
    it); a follow in the same process finding the index unusable meanwhile (damaged, the store replaced) builds
    beside it instead of waiting for that claim: it holds the follower's lock, which the reindex needs to swap its
    generation in, and the two waited for each other for the 30 minutes a build is waited for."""
    library = Library.open(replace(settings, semantic="off"))
    reading, read, locked = threading.Event(), threading.Event(), threading.Event()
    original = follower.articles_in_store

    def held(store: Store) -> Iterator[list[tuple[StoredArticle, list[str]]]]:
        reading.set()
        read.wait(60)
        yield from original(store)

    monkeypatch.setattr(follower, "articles_in_store", held)

    def follow_finding_the_index_unusable() -> None:
        with library.follower._lock:
            locked.set()
            library.follower._take(library.follower._usable(unusable=library.follower._generation))

    reindex = threading.Thread(target=library.reindex, daemon=True)
    follow = threading.Thread(target=follow_finding_the_index_unusable, daemon=True)
    try:
        reindex.start()
        assert reading.wait(60)
        follow.start()
        assert locked.wait(60)
        read.set()
        reindex.join(60)
        follow.join(60)
        assert not reindex.is_alive() and not follow.is_alive()
        assert library.engine.count() == library.store.stats().paragraphs
    finally:
        read.set()
        if not follow.is_alive():  # else it holds the lock closing takes: the test has failed already
            library.close()


@contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """`directory` made read-only by a read-only bind mount over it, as a disk remounted read-only is (the tests
    run as root, whom file modes do not stop); the files a process has open stay writable, as they would not."""
    if subprocess.run(["mount", "--bind", str(directory), str(directory)], capture_output=True).returncode:
        pytest.skip("mounting is not allowed here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(directory)], check=True)
        yield
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=True)


UNWRITABLE = "its directory cannot be written (Read-only file system), and the index needs a lock file there even to"


def test_an_index_on_a_read_only_disk_is_said_so_in_one_line_and_not_called_damaged(
    small: Settings, before: list[tuple[str, int, str]]
) -> None:
    """tantivy makes a lock file beside the index to open it: on a read-only disk every command said the index was
    damaged ("Failed to acquire Lockfile: IoError(Os { code: 30, ... })"; building it again from the store), then
    that it could not build one: two lines, the first wrong. One line says what is wrong and what to do."""
    with read_only(small.index_dir):
        process = newsbot(small, "ask", QUESTION, env=ENV)
        _, err = process.communicate(timeout=300)
    assert process.returncode == 3, err
    assert err.startswith(f"newsbot: cannot read the index in {_generation(small)}: {UNWRITABLE}"), err
    assert len(err.splitlines()) == 1, err
    assert asked(small)[0] == before


def test_a_long_lived_process_whose_index_turns_read_only_says_it_once_and_answers_on(
    small: Settings, before: list[tuple[str, int, str]], caplog: pytest.LogCaptureFixture
) -> None:
    """A running bot's look at the store every second said the index was damaged and failed to build it again, a
    warning a second. It says the disk once, answers from what it has read, and says when it can read it again."""
    caplog.set_level(logging.INFO, logger="bot.index.follower")
    library = Library.open(small)
    try:
        question = library.request(QUESTION)
        with read_only(small.index_dir):
            for _ in range(3):
                assert library.follow() == 0
            assert library.ask(question).found
        said = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
        assert len(said) == 1 and UNWRITABLE in said[0], said
        assert "damaged" not in caplog.text and "building" not in caplog.text
        library.follow()
        assert f"the index in {small.index_dir} can be read again" in caplog.text
        assert library.ask(question).found
    finally:
        library.close()
