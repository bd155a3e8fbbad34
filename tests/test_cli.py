"""The `newsbot` command line, called as `main(argv)` and as an installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.paths import BBC, DATA, ROOT, needs_bbc


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
    assert out.startswith("*1. Russia Invites US Military Chief to Missile Defense Talks*")
    assert "7 Mar 2013, 07:37 \u00b7 News" in out
    assert "*Dempsey*" in out and "*Moscow*" in out
    assert "Source: " + str(next((ROOT / "corpus").glob("*.txt"))) in out


def test_ask_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--k", "1", "missile defense Dempsey"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] is True and len(data["passages"]) == 1
    passage = data["passages"][0]
    assert passage["published"] == "2013-03-07T07:37:00+00:00" and passage["category"] == "News"
    assert passage["link"].endswith(".txt") and "dempsey" in passage["matched"]


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
def test_bad_questions_exit_1_with_a_message(capsys: pytest.CaptureFixture[str], question: str, says: str) -> None:
    assert main(["ask", question]) == 1
    captured = capsys.readouterr()
    assert says in captured.out and "Traceback" not in captured.err


def test_nothing_answers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Who won the football world cup in Brazil?"]) == 1
    out = capsys.readouterr().out
    assert "Nothing in the articles answers that" in out or "No article mentions" in out


def test_ingest_reports_every_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(DATA / "articles"), str(DATA / "malformed")]) == 0
    captured = capsys.readouterr()
    assert "3 added, 0 updated, 0 unchanged, 6 skipped" in captured.out
    assert "no_date.txt: no 'Published" in captured.err
    assert main(["ingest", str(DATA / "articles")]) == 0
    assert "0 added, 0 updated, 3 unchanged, 0 skipped" in capsys.readouterr().out


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


def test_bad_field_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "x.csv", "--field", "nonsense"])
    assert exc.value.code == 2


def test_stats(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ingest", str(DATA / "articles")])
    capsys.readouterr()
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "articles:   4" in out and "Local: 1" in out and "07 Mar 2013 to 15 Jun 2021" in out
    assert "MB on disk" in out


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
    assert "2127 added" in capsys.readouterr().out
    assert main(["ask", "--json", "How much did Time Warner's quarterly profits rise?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "Time Warner" in data["passages"][0]["title"]


def test_console_script_is_installed(tmp_path: Path) -> None:
    exe = shutil.which("newsbot", path=str(Path(sys.executable).parent)) or shutil.which("newsbot")
    if exe is None:
        pytest.skip("the newsbot console script is not on PATH (package not installed)")
    result = subprocess.run([exe, "ask", "Dempsey"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and "Dempsey" in result.stdout


def test_until_a_day_includes_that_whole_day(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--until", "2013-03-07", "Dempsey"]) == 0
    assert "Dempsey" in capsys.readouterr().out
    assert main(["ask", "--until", "2013-03-06", "Dempsey"]) == 1
    assert main(["ask", "--since", "8-03-2013", "Dempsey"]) == 1
