"""Settings: the one place that reads the environment (and `.env`), with every default named here."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from dotenv import dotenv_values

from bot.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
# The corpus shipped beside the package in a checkout; an installed wheel falls back to ./corpus.
SHIPPED_CORPUS = PACKAGE_DIR.parent / "corpus"

DEFAULT_DATA_DIR = Path("newsbot-data")
DEFAULT_ENGINE = "tantivy"
ENGINES = ("tantivy", "rank-bm25")
DEFAULT_ANSWER_SIZE = 3
DEFAULT_PER_ARTICLE = 2
# Longer questions are refused with a message: nobody types more, and analysis cost grows with length.
MAX_QUESTION_CHARS = 1000
# A passage must hold this share of the question's information (idf-weighted terms) to be shown.
DEFAULT_MIN_COVERAGE = 0.5
DEFAULT_HEADLINE_BOOST = 0.6
DEFAULT_LATEST_COUNT = 10
# Telegram's documented limit for one bot: about 30 messages a second overall (a local Bot API server may allow more).
DEFAULT_MAX_MESSAGES_PER_SECOND = 30
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"
DEFAULT_WEBHOOK_PORT = 8443
# Bot id, colon, secret. Lenient on lengths: local Bot API servers and emulators issue short test tokens.
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


def _int_list(raw: str, name: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in re.split(r"[,\s]+", raw.strip()) if part)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a comma-separated list of Telegram user ids, got {raw!r}") from exc


def _int(raw: str, name: str, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(raw: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything newsbot can be told; see `.env.example` for the environment names."""

    data_dir: Path = DEFAULT_DATA_DIR
    corpus_dir: Path = SHIPPED_CORPUS
    engine: str = DEFAULT_ENGINE
    answer_size: int = DEFAULT_ANSWER_SIZE
    per_article: int = DEFAULT_PER_ARTICLE
    min_coverage: float = DEFAULT_MIN_COVERAGE
    headline_boost: float = DEFAULT_HEADLINE_BOOST
    telegram_bot_token: str = ""
    telegram_api_base_url: str = ""
    bot_username: str = ""
    admin_ids: tuple[int, ...] = ()
    max_messages_per_second: int = DEFAULT_MAX_MESSAGES_PER_SECOND
    webhook_url: str = ""
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_secret: str = ""
    log_level: str = "INFO"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "newsbot.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some settings changed (command-line flags win over the environment)."""
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in changes.items() if k in known and v is not None})  # type: ignore[arg-type]

    def require_token(self) -> str:
        """The bot token, or a clear error saying what is wrong with it."""
        token = self.telegram_bot_token.strip()
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather and put it in .env")
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN looks malformed: expected digits, a colon and a secret, like 123456789:AAE..."
            )
        return token

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
        """Read settings from a `.env` file and the environment (the environment wins)."""
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            raw = values.get(name)
            return raw.strip() if raw is not None and raw.strip() != "" else None

        kwargs: dict[str, object] = {}
        if (raw := get("NEWSBOT_DATA_DIR")) is not None:
            kwargs["data_dir"] = Path(raw).expanduser()
        if (raw := get("NEWSBOT_CORPUS_DIR")) is not None:
            kwargs["corpus_dir"] = Path(raw).expanduser()
        if (raw := get("NEWSBOT_ENGINE")) is not None:
            if raw not in ENGINES:
                raise ConfigError(f"NEWSBOT_ENGINE must be one of {', '.join(ENGINES)}, got {raw!r}")
            kwargs["engine"] = raw
        if (raw := get("NEWSBOT_ANSWER_SIZE")) is not None:
            kwargs["answer_size"] = _int(raw, "NEWSBOT_ANSWER_SIZE", minimum=1)
        if (raw := get("NEWSBOT_PER_ARTICLE")) is not None:
            kwargs["per_article"] = _int(raw, "NEWSBOT_PER_ARTICLE", minimum=1)
        if (raw := get("NEWSBOT_MIN_COVERAGE")) is not None:
            kwargs["min_coverage"] = _float(raw, "NEWSBOT_MIN_COVERAGE")
        if (raw := get("NEWSBOT_HEADLINE_BOOST")) is not None:
            kwargs["headline_boost"] = _float(raw, "NEWSBOT_HEADLINE_BOOST")
        if (raw := get("TELEGRAM_BOT_TOKEN")) is not None:
            kwargs["telegram_bot_token"] = raw
        if (raw := get("TELEGRAM_API_BASE_URL")) is not None:
            kwargs["telegram_api_base_url"] = raw
        if (raw := get("TELEGRAM_BOT_USERNAME")) is not None:
            kwargs["bot_username"] = raw.lstrip("@")
        if (raw := get("NEWSBOT_ADMIN_IDS")) is not None:
            kwargs["admin_ids"] = _int_list(raw, "NEWSBOT_ADMIN_IDS")
        if (raw := get("TELEGRAM_MAX_MESSAGES_PER_SECOND")) is not None:
            kwargs["max_messages_per_second"] = _int(raw, "TELEGRAM_MAX_MESSAGES_PER_SECOND", minimum=1)
        if (raw := get("WEBHOOK_URL")) is not None:
            kwargs["webhook_url"] = raw
        if (raw := get("WEBHOOK_LISTEN")) is not None:
            kwargs["webhook_listen"] = raw
        if (raw := get("WEBHOOK_PORT")) is not None:
            kwargs["webhook_port"] = _int(raw, "WEBHOOK_PORT", minimum=1)
        if (raw := get("WEBHOOK_SECRET")) is not None:
            kwargs["webhook_secret"] = raw
        if (raw := get("NEWSBOT_LOG_LEVEL")) is not None:
            kwargs["log_level"] = raw.upper()
        return cls(**kwargs)  # type: ignore[arg-type]
