"""Settings: every variable is documented, checked, and read only through `Settings.from_env`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ENVIRONMENT, Settings
from bot.errors import ConfigError
from tests.paths import ROOT


def test_env_example_lists_every_setting() -> None:
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert listed == {variable for variable, _, _ in ENVIRONMENT}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NEWSBOT_ANSWER_SIZE", "0"),
        ("NEWSBOT_FOLLOW_SECONDS", "0"),
        ("WEBHOOK_PORT", "70000"),
        ("NEWSBOT_ADMIN_IDS", "12,alice"),
        ("DATABASE_URL", "postgres-ish"),
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
