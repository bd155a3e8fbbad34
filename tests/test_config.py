"""Settings: every variable is documented, checked, and read only through `Settings.from_env`."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot import config, tg
from bot.app import STOP_ROOM_SECONDS, STOP_SECONDS, stop_seconds
from bot.config import ENVIRONMENT, Settings
from bot.errors import ConfigError
from tests.paths import ROOT


def test_env_example_lists_every_setting() -> None:
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert listed == {variable for variable, _, _ in ENVIRONMENT}


def test_env_example_shows_every_default() -> None:
    """Its header promises "every line shows the default": a copy used as .env changes nothing."""
    assert Settings.from_env({}, env_file=ROOT / ".env.example") == Settings.from_env({}, env_file=None)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NEWSBOT_ANSWER_SIZE", "0"),
        ("NEWSBOT_FOLLOW_SECONDS", "0"),
        ("WEBHOOK_PORT", "70000"),
        ("NEWSBOT_ADMIN_IDS", "12,alice"),
        ("DATABASE_URL", "postgres-ish"),
        ("NEWSBOT_STOP_SECONDS", "0.5"),
        ("NEWSBOT_BEAT_SECONDS", "30"),  # others would take the process for gone between its beats
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value}, env_file=None)


def test_the_environment_wins_over_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NEWSBOT_ANSWER_SIZE=5\nNEWSBOT_ENGINE=rank-bm25\n")
    settings = Settings.from_env({"NEWSBOT_ANSWER_SIZE": "4"}, env_file=env_file)
    assert (settings.answer_size, settings.engine) == (4, "rank-bm25")


def test_the_store_is_a_sqlite_file_in_the_data_directory_unless_a_url_is_given(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).store_url == f"sqlite:///{tmp_path / 'newsbot.sqlite3'}"
    url = "postgresql+psycopg://news@db/news"
    assert Settings.from_env({"DATABASE_URL": url}, env_file=None).store_url == url


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_a_misspelt_setting_is_named_once_with_the_closest_one(
    where: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NEWSBOT_SEMANTC=off\n" if where == ".env" else "")
    environ = {"NEWSBOT_SEMANTC": "off"} if where == "environment" else {}
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        for _ in range(2):
            assert Settings.from_env({**environ, "NEWSBOT_TEST_DATABASE_URL": "x"}, env_file=env_file).semantic == "on"
    assert [r.getMessage() for r in caplog.records] == [
        "NEWSBOT_SEMANTC is not a newsbot setting (did you mean NEWSBOT_SEMANTIC? it is ignored)"
    ]


@pytest.fixture(autouse=True)
def forget_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees the once-per-process warnings afresh."""
    monkeypatch.setattr(config, "_warned", set())


def test_a_corpus_directory_that_is_not_there_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=f"NEWSBOT_CORPUS_DIR must be a directory of articles: {tmp_path}/none does"):
        Settings.from_env({"NEWSBOT_CORPUS_DIR": str(tmp_path / "none")}, env_file=None)
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match="is not a directory"):
        Settings.from_env({"NEWSBOT_CORPUS_DIR": str(tmp_path / "file")}, env_file=None)


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_postgres_urls_of_every_common_scheme_use_psycopg(scheme: str) -> None:
    settings = Settings.from_env({"DATABASE_URL": f"{scheme}://news:s3cret@db.example:5433/newsbot"}, env_file=None)
    assert settings.store_url == "postgresql+psycopg://news:s3cret@db.example:5433/newsbot"
    assert settings.store_name == "PostgreSQL database newsbot on news@db.example:5433"


def test_a_store_on_a_local_socket_is_described_readably() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql+psycopg://postgres:@/newsbot?host=/run/pg"}, env_file=None
    )
    assert settings.store_name == "PostgreSQL database newsbot on postgres@/run/pg"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://news:s3cret@db/newsbot", "the database 'mysql' is not supported"),
        ("postgresql+asyncpg://news:s3cret@db/newsbot", "the database 'postgresql+asyncpg' is not supported"),
        ("db.example/newsbot?password=s3cret", "has no scheme://"),
        ("postgres//news:s3cret@db/newsbot", "has no scheme://"),
    ],
)
def test_a_bad_database_url_says_what_is_wrong_and_never_shows_the_password(url: str, says: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"DATABASE_URL": url}, env_file=None)
    assert says in str(raised.value) and "s3cret" not in str(raised.value)
    assert "news" in str(raised.value)  # the rest of it is shown, to see which part is wrong


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_API_BASE_URL", "127.0.0.1:8081/bot"),  # the scheme left out: it was tried three times, exit 3
        ("TELEGRAM_API_BASE_URL", "http:///bot"),
        ("TELEGRAM_API_BASE_URL", "ftp://bots.example.org/bot"),
        ("WEBHOOK_URL", "bot.example.org/telegram-hook"),
        ("WEBHOOK_URL", "http://bot.example.org/telegram-hook"),  # Telegram posts to https only
    ],
)
def test_an_address_without_its_scheme_or_host_is_refused_as_it_is_read(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{variable} must be an .*https:// address like .*, got '{value}'$"):
        Settings.from_env({variable: value}, env_file=None)


def test_the_addresses_of_a_local_bot_api_server_and_a_public_webhook_are_taken() -> None:
    settings = Settings.from_env(
        {"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081", "WEBHOOK_URL": "https://bot.example.org/hook"},
        env_file=None,
    )
    assert (settings.telegram_api_base_url, settings.webhook_url) == (
        "http://127.0.0.1:8081",
        "https://bot.example.org/hook",
    )


def test_a_model_file_that_is_not_there_is_taken_for_the_start_to_answer_by_words(tmp_path: Path) -> None:
    """The semantic stage never stops a start: a model that cannot be had is said once in the log, and newsbot
    answers by words alone (tests/test_cli.py runs it so)."""
    settings = Settings.from_env({"NEWSBOT_SEMANTIC_MODEL": str(tmp_path / "m.onx")}, env_file=None)
    assert settings.semantic_model == tmp_path / "m.onx"


def test_the_stop_bound_covers_the_lock_waits_unless_set() -> None:
    assert stop_seconds(Settings()) == STOP_SECONDS == tg.STOP_LOCK_WAITS_SECONDS + STOP_ROOM_SECONDS
    assert stop_seconds(Settings.from_env({"NEWSBOT_STOP_SECONDS": "8"}, env_file=None)) == 8
