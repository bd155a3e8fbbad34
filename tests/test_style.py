"""The code stays ruff-clean and the layers keep their one-way flow."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.paths import ROOT

TELEGRAM_LAYER = {"tg", "app", "terminal_chat"}


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


@pytest.mark.parametrize(
    "command", [["check", "bot", "tests", "bench"], ["format", "--check", "bot", "tests", "bench"]], ids=" ".join
)
def test_ruff_is_clean(command: list[str]) -> None:
    result = subprocess.run([_tool("ruff"), *command], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    """`bot/` type-checks under mypy --strict (configured in pyproject.toml)."""
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def imported_modules(path: Path) -> set[str]:
    return {name for name, _ in imports(path)}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path) -> list[tuple[str, bool]]:
    """Every module `path` imports, anywhere in it (functions too), and whether only for type annotations
    (under `if TYPE_CHECKING:`). `from bot import tg` counts as `bot.tg`; relative imports are resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, type_only) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((base, type_only))
            if base == "bot":
                found.extend((f"bot.{alias.name}", type_only) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child, type_only or (isinstance(node, ast.If) and _is_type_checking(node) and child in node.body))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


# The one-way flow (ingest -> analysis -> index -> retrieval -> render -> tg; store beside; app composes; cli
# thin): which parts of bot/ each part may import, its own modules always. A part is a module or a package
# (bot/render/answers.py belongs to `render`). A new module or package needs its row here.
ALLOWED: dict[str, set[str]] = {
    "__init__": set(),
    "__main__": {"cli", "early_stop"},
    "errors": set(),
    # A SIGTERM heard while newsbot loads, kept for the command's own handling (the command line's, the bot's).
    "early_stop": set(),
    "models": set(),
    # English for messages ("sport, tech or arts"; names in the order a reader looks for them), which retrieval,
    # services, render, the Telegram layer and the command line all word.
    "wording": set(),
    # A trouble that lasts, as the log tells it (said, reminded, its end said): the index's and the Telegram layer's.
    "lasting": set(),
    "config": {"errors"},
    "data": set(),
    # The calendar's words (month and weekday names), read by the article dates, the questions and the days named.
    "calendar_words": set(),
    # The days a reader names in words, read alike for a question and for `ask --since` (a date in figures as an
    # article's is).
    "named_days": {"calendar_words", "errors", "ingest"},
    "analysis": {"config", "data", "errors", "models"},
    # A question as dictated read as typed (fillers out, numbers said in words in figures), before retrieval reads it.
    "spoken": {"analysis"},
    "ingest": {"analysis", "calendar_words", "config", "errors", "models"},
    # The network edge: bytes fetched, handed to the readers.
    "fetch": {"config", "errors", "ingest", "models"},
    # Whether a site's robots.txt lets a feed's poll fetch a story page, read through the network edge.
    "robots": {"fetch", "models"},
    "store": {"config", "errors", "models"},
    # An index follows the store's change log.
    "index": {"analysis", "config", "errors", "lasting", "models", "store"},
    # Meaning beside words: the encoder, and paragraph vectors that follow the store like an index.
    "semantic": {"analysis", "config", "errors", "index", "models", "store"},
    "retrieval": {
        "analysis",
        "calendar_words",
        "config",
        "errors",
        "index",
        "models",
        "semantic",
        "spoken",
        "store",
        "wording",
    },
    "library": {"analysis", "config", "errors", "fetch", "index", "ingest", "models", "retrieval", "semantic", "store"},
    # Digests, alerts, deliveries, feeds: beside the pipeline, on the store; never Telegram.
    "services": {
        "analysis",
        "config",
        "errors",
        "fetch",
        "index",
        "ingest",
        "library",
        "models",
        "named_days",
        "render",
        "robots",
        "store",
        "wording",
    },
    # Strings only: render reads records and never calls the store or the library. A day a question names in figures
    # ("15/11/2023") is read as an article's date is (ingest.dates).
    "render": {"analysis", "calendar_words", "config", "errors", "ingest", "models", "named_days", "wording"},
    # A day named in /latest's words is read as a question's is (bot.named_days), before the words name a category.
    "tg": {
        "config",
        "errors",
        "lasting",
        "library",
        "models",
        "named_days",
        "render",
        "retrieval",
        "services",
        "store",
        "wording",
    },
    # The composition root waits for the store's server before the bot starts (bot.store.reachable).
    "app": {"config", "early_stop", "errors", "store", "terminal_chat", "tg"},
    "terminal_chat": {"app", "tg"},
    "cli": {
        "app",
        "config",
        "early_stop",
        "errors",
        "ingest",
        "library",
        "models",
        "named_days",
        "render",
        "services",
        "store",
        "wording",
    },
}
# Imports for annotations only (under `if TYPE_CHECKING:`): the records a part is handed, never called.
TYPES_ONLY: dict[str, set[str]] = {"render": {"library", "services", "store"}}
# Third-party packages only some parts may use.
# (The paragraph vectors keep a small SQLite map of their own beside the usearch file, a local copy like the
# tantivy index, never the store.)
RESTRICTED = {"telegram": {"tg", "app", "terminal_chat"}, "sqlite3": {"store", "semantic"}, "sqlalchemy": {"store"}}
BOT_FILES = sorted((ROOT / "bot").rglob("*.py"))


def part_of(path: Path) -> str:
    return path.relative_to(ROOT / "bot").with_suffix("").parts[0]


def test_the_layer_table_knows_every_part_of_bot() -> None:
    parts = {part_of(path) for path in BOT_FILES}
    assert parts <= set(ALLOWED), f"add a row to ALLOWED for {sorted(parts - set(ALLOWED))}"
    assert {"render", "tg"} <= parts  # the walk reaches into packages


@pytest.mark.parametrize("path", BOT_FILES, ids=lambda p: str(p.relative_to(ROOT / "bot")))
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    part = part_of(path)
    wrong = []
    for name, type_only in imports(path):
        top = name.split(".")[0]
        if top == "bot" and "." in name and not name.split(".")[1].startswith("__"):  # bot.__version__ is no layer
            target = name.split(".")[1]
            allowed = ALLOWED.get(part, set()) | ({part}) | (TYPES_ONLY.get(part, set()) if type_only else set())
            if target not in allowed:
                wrong.append(name + (" (for annotations)" if type_only else ""))
        elif top in RESTRICTED and part not in RESTRICTED[top]:
            wrong.append(name)
    assert not wrong, f"bot/{path.relative_to(ROOT / 'bot')} ({part}) may not import {', '.join(sorted(wrong))}"


@pytest.mark.parametrize("path", BOT_FILES, ids=lambda p: str(p.relative_to(ROOT / "bot")))
def test_only_the_telegram_layer_imports_telegram(path: Path) -> None:
    uses_telegram = any(name == "telegram" or name.startswith("telegram.") for name in imported_modules(path))
    assert not uses_telegram or part_of(path) in TELEGRAM_LAYER


@pytest.mark.parametrize("name", ["config.py", "models.py", "errors.py"])
def test_foundation_modules_import_nothing_of_ours_but_errors(name: str) -> None:
    ours = {m for m in imported_modules(ROOT / "bot" / name) if m.startswith("bot")}
    assert ours <= {"bot.errors"}


def test_every_package_is_installed() -> None:
    """A wheel holds only the packages pyproject.toml lists: a new package left out works editable, not installed."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bot").rglob("__init__.py")}
    assert found - {"bot.corpus"} <= listed and "bot.corpus" in listed
