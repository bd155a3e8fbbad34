"""Shared fixtures: real SQLite files, a real PostgreSQL server and real tantivy indexes under tmp_path.

PostgreSQL: the suite starts its own server once per worker with `pgserver` (PostgreSQL 16 inside a wheel,
a normal process in a temporary directory, a copy of one initdb made once per session), unless
NEWSBOT_TEST_DATABASE_URL names a server to use instead (`postgresql+psycopg://user:password@host/postgres`: a
user allowed to create databases). Each test that asks for it gets a database of its own. If neither works, the
tests that need PostgreSQL fail: they never skip.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.analysis import sentences, stem
from bot.config import Settings
from bot.library import Library
from bot.semantic.encoder import default_model_path
from bot.semantic.static import load_static
from bot.store import Store
from tests.botapi_server import TOKEN, FakeBotAPI
from tests.paths import ROOT
from tests.postgres_servers import SESSION_CACHE, Server, new_pgdata
from tests.web_server import WebServer, serving

# nltk loads on the first stem or sentence split (bot.analysis), which takes a second on a busy machine: loaded
# here, no property test's first example pays it within its 200 ms deadline.
stem(sentences("Warming up. The stemmer loads.")[0])

# A pytest started with SIGINT ignored (`pytest ... &` in a script: a shell without job control starts its background
# commands so) or blocked hands that to every process the tests start, and a newsbot command whose Ctrl-C is Python's
# own KeyboardInterrupt (`stats`, `reindex`) then never takes one: the Ctrl-C tests of tests/test_processes.py failed
# together in such runs. Taken as a terminal's Ctrl-C finds it, however the suite was started.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

# python-telegram-bot 22 warns on every RetryAfter unless told to use timedelta already; the suite turns
# warnings into errors, so opt in as production code will have to.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# The tests' files (tmp_path, the PostgreSQL servers' data, the session's cache, what the processes they start write
# aside) go to the machine's RAM disk unless TMPDIR names a place: on a disk, every tantivy commit, SQLite checkpoint
# and PostgreSQL commit waits for its fsync (2-5 ms a call here under load), with the cores idle meanwhile, and no test
# checks what outlives a power cut. Set before pytest makes its temporary directory; the workers inherit it. Not on a
# small one (a container's is often 64 MB): a run writes about 850 MB.
RAM_DISK = Path("/dev/shm")
RAM_DISK_NEEDED = 2 << 30
if (
    "TMPDIR" not in os.environ
    and RAM_DISK.is_dir()
    and os.access(RAM_DISK, os.W_OK)
    and shutil.disk_usage(RAM_DISK).free >= RAM_DISK_NEEDED
):
    os.environ["TMPDIR"] = str(RAM_DISK)
    tempfile.tempdir = str(RAM_DISK)
# What is made from the model (its word pieces' vectors, ~15 s) is made once per session, in a cache of the
# session's own (`Settings.cache_dir` and every newsbot process the tests start read it from here). pytest-xdist's
# workers inherit the cache of the process that started them, which removes it at its end.
if not os.environ.get(SESSION_CACHE):
    os.environ[SESSION_CACHE] = tempfile.mkdtemp(prefix="newsbot-test-cache-")
    atexit.register(shutil.rmtree, os.environ[SESSION_CACHE], ignore_errors=True)
os.environ["XDG_CACHE_HOME"] = os.environ[SESSION_CACHE]
# Where no bytecode is to be written (PYTHONDONTWRITEBYTECODE, as in this machine's shells), each pytest-xdist worker
# rewrote the asserts of every test module and compiled bot/ again as it collected: 11 s of CPU a worker of which 3.5
# s with them kept (`pytest --collect-only`, one run each). Kept in the session's cache, never in the tree, from here
# on: pytest and the packages imported before this still read their own bytecode, which a prefix set in the
# environment would have ignored (`kept_bytecode`, below, gives the processes the tests start the same directory).
# The first worker to collect does so alone (`pytest_collection`), the others then read what it wrote.
if sys.dont_write_bytecode and not sys.pycache_prefix:
    sys.pycache_prefix = str(Path(os.environ[SESSION_CACHE]) / "bytecode")
    sys.dont_write_bytecode = False

DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A URL of a PostgreSQL server's maintenance database, on which the tests may create databases."""
    if configured := os.environ.get("NEWSBOT_TEST_DATABASE_URL"):
        yield configured
        # The first opens' databases `open_library` and `open_store` copy (a server the suite started goes with its
        # own).
        firsts = [database for key, (_, database) in _FIRST_OPENED.items() if key.database_url == configured]
        for database in [*firsts, _FIRST_MIGRATED.get(configured, "")]:
            if database:
                _run_admin(configured, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        return
    directory = new_pgdata("newsbot-postgres-")
    server = Server(directory)
    try:
        yield make_url(server.uri()).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


# The maintenance database's URL of each test's PostgreSQL database, by the test database's URL (`open_library`
# makes such a database again as a copy of another).
_ADMIN_OF: dict[str, str] = {}


def _new_postgres_database(admin_url: str) -> Iterator[str]:
    name = f"newsbot_test_{uuid.uuid4().hex[:12]}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        _ADMIN_OF[url] = admin_url
        yield url
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        _ADMIN_OF.pop(url, None)
        admin.dispose()


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test."""
    yield from _new_postgres_database(request.getfixturevalue("postgres_admin_url"))


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The store's URL, once for SQLite (the default: a file in the data directory) and once for PostgreSQL."""
    if request.param == "sqlite":
        yield ""
    else:
        yield from _new_postgres_database(request.getfixturevalue("postgres_admin_url"))


# The tests' sites are this machine's (tests/web_server.py): no gap between two of a site's story pages, unless a
# test asks for one (or the site's robots.txt does).
NO_GAP = 0.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings over an empty data directory (SQLite), seeded with the shipped corpus on open."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus", page_gap_seconds=NO_GAP)


@pytest.fixture
def any_db_settings(tmp_path: Path, database_url: str) -> Settings:
    """As `settings`, once on SQLite and once on PostgreSQL."""
    return Settings(
        data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus", database_url=database_url, page_gap_seconds=NO_GAP
    )


# What a first `Library.open` made, per worker, by the settings it was made with (data directory and database
# aside): its data directory, and its PostgreSQL database ("" for SQLite, whose store is in the directory).
_FIRST_OPENED: dict[Settings, tuple[Path, str]] = {}


def open_library(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Library:
    """`Library.open(settings)` on a new data directory (and a new, empty PostgreSQL database of the suite's), as a
    copy of what the first open made with the same settings in this worker: a first open migrates the store, seeds
    it, builds an index and embeds (0.5-0.9 s on SQLite; 1.35 s on PostgreSQL, 0.75 s of it the migrations), a copy
    and an open of it 0.1 s. PostgreSQL's copy is `CREATE DATABASE ... TEMPLATE`, its store identity the same as the
    copied one's, as the SQLite file's is. The first open itself keeps the tests that start from an empty store
    (`settings`, `database_url`, the CLI's, the bots' first starts); existing directories and other databases are
    opened as they are."""
    admin_url = _ADMIN_OF.get(settings.database_url)
    if settings.data_dir.exists() or (
        settings.database_url and (admin_url is None or _has_tables(settings.database_url))
    ):
        return Library.open(settings)
    key = replace(settings, data_dir=Path(), database_url=admin_url or "")
    if key not in _FIRST_OPENED:
        first = tmp_path_factory.mktemp("first-opened") / "data"
        database = f"newsbot_first_{uuid.uuid4().hex[:12]}" if admin_url else ""
        if admin_url:
            _run_admin(admin_url, f'CREATE DATABASE "{database}"')
        first_url = (
            make_url(admin_url).set(database=database).render_as_string(hide_password=False) if admin_url else ""
        )
        Library.open(replace(settings, data_dir=first, database_url=first_url)).close()
        _FIRST_OPENED[key] = (first, database)
    first, database = _FIRST_OPENED[key]
    if admin_url:
        _copy_database(database, settings.database_url, admin_url)
    shutil.copytree(first, settings.data_dir)
    return Library.open(settings)


def copied_library(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """`settings`, whose new data directory (and PostgreSQL database) now hold what a first `Library.open` makes, as
    a copy (`open_library`): for the tests of a bot that are not of its first start (each start of theirs migrated,
    seeded and indexed a new store). Call it before setting what differs from test to test (a server's port)."""
    open_library(settings, tmp_path_factory).close()
    return settings


# Stores a first `open_store` migrated (unseeded, empty), per worker: a SQLite file's path, or a PostgreSQL
# database's name by the maintenance database's URL of its server.
_FIRST_MIGRATED: dict[str, str] = {}


def open_store(url: str, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """`Store.open(url)` of a new SQLite file or of a new, empty PostgreSQL database of the suite's, as a copy of
    the store a first such open migrated in this worker (the migrations of a new store: 0.16 s on SQLite, 0.74 s
    on PostgreSQL, at a load of 12). For the tests of what is kept in a store, not of making one (tests/test_store.py
    and the migrations' own tests open theirs as they are); anything else is opened as it is."""
    admin_url = _ADMIN_OF.get(url)
    path = Path(make_url(url).database or "") if url.startswith("sqlite") else None
    if path is not None and not path.exists():
        if "sqlite" not in _FIRST_MIGRATED:
            first = tmp_path_factory.mktemp("first-migrated") / "store.sqlite3"
            Store.open(f"sqlite:///{first}").close()
            _FIRST_MIGRATED["sqlite"] = str(first)
        first = Path(_FIRST_MIGRATED["sqlite"])
        for suffix in ("", "-wal"):  # the log, if the close left one
            if Path(f"{first}{suffix}").exists():
                shutil.copyfile(f"{first}{suffix}", f"{path}{suffix}")
    elif admin_url is not None and not _has_tables(url):
        if admin_url not in _FIRST_MIGRATED:
            database = f"newsbot_first_{uuid.uuid4().hex[:12]}"
            _run_admin(admin_url, f'CREATE DATABASE "{database}"')
            Store.open(make_url(admin_url).set(database=database).render_as_string(hide_password=False)).close()
            _FIRST_MIGRATED[admin_url] = database
        _copy_database(_FIRST_MIGRATED[admin_url], url, admin_url)
    return Store.open(url)


def _copy_database(template: str, url: str, admin_url: str) -> None:
    """The test's PostgreSQL database at `url`, still empty (`_has_tables`), made again as a copy of `template`."""
    name = make_url(url).database
    _run_admin(admin_url, f'DROP DATABASE "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _has_tables(url: str) -> bool:
    """Whether the test's PostgreSQL database holds tables already (a fixture made a store there first)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")))
    finally:
        engine.dispose()


def _run_admin(admin_url: str, *statements: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


def built_once(
    tmp_path_factory: pytest.TempPathFactory, kind: str, inputs: Iterable[Path], build: Callable[[Path], None]
) -> Path:
    """A directory `build` made of `inputs` (files or folders), once per run for each `kind` of build: the first
    worker to need it builds it under a lock in the run's temporary directory, which every pytest-xdist worker
    shares, and the others wait and take it (a small library's store, index and vectors: 1-4 s of CPU, which each
    worker whose tests met it paid again). Keyed by what the inputs hold, not where they are. Read only: copy it,
    never open it in place."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    digest = hashlib.blake2b(digest_size=12)
    for path in inputs:
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(f"|{file.relative_to(path) if path.is_dir() else file.name}|".encode())
                digest.update(file.read_bytes())
    made = shared / "built-once" / f"{kind}-{digest.hexdigest()}"
    made.parent.mkdir(exist_ok=True)
    with made.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Built where it stays, not renamed into place: a store keeps the paths of the files ingested into it.
        if not made.with_suffix(".built").exists():
            shutil.rmtree(made, ignore_errors=True)
            made.mkdir()
            build(made)
            made.with_suffix(".built").touch()
    return made


@pytest.fixture
def library(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    lib = open_library(settings, tmp_path_factory)
    yield lib
    lib.close()


@pytest.fixture
def any_db_library(any_db_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    lib = open_library(any_db_settings, tmp_path_factory)
    yield lib
    lib.close()


@pytest.fixture
def server() -> Iterator[FakeBotAPI]:
    """A fake Bot API server on 127.0.0.1 for the bot under test."""
    with FakeBotAPI(token=TOKEN) as api:
        yield api


@pytest.fixture
def web() -> Iterator[WebServer]:
    """A web server on 127.0.0.1 serving feeds and pages from tests/data."""
    with serving() as site:
        yield site


@pytest.hookimpl(wrapper=True)
def pytest_collection() -> Iterator[object]:
    """The first pytest-xdist worker to collect the tests does so alone, keeping what it compiled (above); the others
    wait for it, then collect at once."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # one process, or pytest-xdist's own, which collects nothing
        return (yield)
    cache = Path(os.environ[SESSION_CACHE])
    with (cache / "collecting.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (cache / "collected").exists():
            fcntl.flock(lock, fcntl.LOCK_UN)
        try:
            return (yield)
        finally:
            (cache / "collected").touch()


@pytest.fixture(scope="session", autouse=True)
def kept_bytecode() -> Iterator[None]:
    """Where no bytecode is to be written (PYTHONDONTWRITEBYTECODE, set in this machine's shells), each
    Python process the tests start (newsbot commands and bots, `tests.digest_worker`: hundreds a run) compiled bot/
    from its source again, 0.25-0.3 s of CPU a start: theirs is kept in the session's cache instead, never in the
    tree. Set here, where tests run, not as the module loads: pytest-xdist's workers would inherit it, and each
    compile again everything it imports, pytest and the installed packages included (their own bytecode is not
    read under another prefix)."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTHONDONTWRITEBYTECODE")
        patch.setenv("PYTHONPYCACHEPREFIX", str(Path(os.environ[SESSION_CACHE]) / "bytecode"))
        yield


@pytest.fixture(scope="session", autouse=True)
def static_dir() -> Path:
    """The session's directory of the word-piece vectors distilled from the shipped model (about 15 s, once).

    Distilled before any test: a bot's first start distils them aside and answers without them meanwhile, so
    its answers would otherwise depend on which test ran first. With pytest-xdist one worker distils them while
    the others wait, then read them."""
    directory = Settings().static_dir
    with (Path(os.environ[SESSION_CACHE]) / "distilling.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        load_static(default_model_path(), directory)
    return directory


# Kept model outputs per worker: entries of at most KEPT_ENTRY_BYTES, KEPT_BYTES in all (the oldest go first).
KEPT_ENTRY_BYTES = 8 << 20
KEPT_BYTES = 256 << 20
ModelRun = Callable[..., list[Any]]


def _kept_outputs(run: ModelRun) -> ModelRun:
    """`InferenceSession.run` giving the outputs it gave before for the very same model and inputs, as copies."""
    kept: OrderedDict[str, list[Any]] = OrderedDict()
    lock = threading.Lock()
    size = 0

    def kept_run(session: Any, output_names: Any, input_feed: dict[str, Any], run_options: Any = None) -> list[Any]:
        nonlocal size
        model = getattr(session, "_model_path", None)
        if run_options is not None or not model:
            return run(session, output_names, input_feed, run_options)
        digest = hashlib.blake2b(f"{model}|{output_names}".encode())
        for name in sorted(input_feed):
            value = np.ascontiguousarray(input_feed[name])
            digest.update(f"|{name}|{value.dtype}|{value.shape}|".encode())
            digest.update(value.data)
        key = digest.hexdigest()
        with lock:
            if key in kept:
                kept.move_to_end(key)
                return [np.copy(output) for output in kept[key]]
        outputs = run(session, output_names, input_feed, run_options)
        nbytes = sum(np.asarray(output).nbytes for output in outputs)
        if nbytes <= KEPT_ENTRY_BYTES:
            with lock:
                if key not in kept:
                    kept[key] = [np.copy(output) for output in outputs]
                    size += nbytes
                while size > KEPT_BYTES:
                    size -= sum(np.asarray(output).nbytes for output in kept.popitem(last=False)[1])
        return outputs

    return kept_run


# The encoder's own run, for a test that needs the model's real cost (`model_outputs_run`).
_RUN: ModelRun = onnxruntime.InferenceSession.run


@pytest.fixture
def model_outputs_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The encoder run in full in this test, as outside the tests: a worker that distilled the session's word
    pieces kept their outputs, and a distillation it starts again ends in a few milliseconds."""
    monkeypatch.setattr(onnxruntime.InferenceSession, "run", _RUN)


@pytest.fixture(scope="session", autouse=True)
def model_outputs_kept() -> Iterator[None]:
    """The sentence encoder (onnxruntime, a library) gives the same outputs for the same inputs: each worker runs
    it once per input and keeps what it gave. Most tests open a new store, whose shipped articles were embedded
    again and again (half of the encoder's time in tests/test_library.py and test_retrieval.py); processes
    the tests start still run it in full."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(onnxruntime.InferenceSession, "run", _kept_outputs(onnxruntime.InferenceSession.run))
        yield
