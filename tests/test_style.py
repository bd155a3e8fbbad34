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

TELEGRAM_LAYER = {"telegram_bot.py", "app.py", "terminal_chat.py"}


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
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "bot").glob("*.py")), ids=lambda p: p.name)
def test_only_the_telegram_layer_imports_telegram(path: Path) -> None:
    uses_telegram = any(name == "telegram" or name.startswith("telegram.") for name in imported_modules(path))
    assert not uses_telegram or path.name in TELEGRAM_LAYER


@pytest.mark.parametrize("name", ["config.py", "models.py", "errors.py"])
def test_foundation_modules_import_nothing_of_ours_but_errors(name: str) -> None:
    ours = {m for m in imported_modules(ROOT / "bot" / name) if m.startswith("bot")}
    assert ours <= {"bot.errors"}


def test_every_package_is_installed() -> None:
    """A wheel holds only the packages pyproject.toml lists: a new package left out works editable, not installed."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bot").rglob("__init__.py")}
    assert found - {"bot.corpus"} <= listed and "bot.corpus" in listed
