"""Settings: the one place that reads the environment (and `.env`), with every default named here.

Each setting is one field of `Settings` and one row of `ENVIRONMENT` (its variable and how to read it); every
value is checked when read, and a bad one is refused with one line naming the variable.
"""

from __future__ import annotations

import difflib
import ipaddress
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import time, timedelta
from functools import cache
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from dotenv import dotenv_values
from platformdirs import user_cache_dir, user_data_dir

from bot.errors import ConfigError

log = logging.getLogger(__name__)

# The articles shipped inside the package (`corpus/` in a checkout), read once when a new store is created.
SHIPPED_CORPUS = Path(str(files("bot.corpus")))

DEFAULT_ENGINE = "tantivy"
ENGINES = ("tantivy", "rank-bm25")
DEFAULT_ANSWER_SIZE = 3
# Passages in one reply at most (NEWSBOT_ANSWER_SIZE, `ask --k`).
MAX_ANSWER_SIZE = 20
# Passages a reader can page through with "More"; a tampered button asking for more is refused.
MAX_PASSAGES = 30
DEFAULT_PER_ARTICLE = 2
# Longer questions are refused with a message: nobody types more, and analysis cost grows with length.
MAX_QUESTION_CHARS = 1000
# An answer whose answerability (a calibrated 0..1 score, bot.retrieval) is below this says "nothing in the
# articles answers that"; the trade-off it sets is measured by bench/no_answer.py (README).
DEFAULT_MIN_ANSWERABILITY = 0.5
# Meaning beside BM25: "on" (default, the sentence encoder), "static" (word-piece vectors distilled from it: far
# cheaper to make, for very large corpora) or "off" (lexical only).
SEMANTIC_MODES = ("on", "static", "off")
DEFAULT_HEADLINE_BOOST = 0.6
MAX_HEADLINE_BOOST = 10.0
DEFAULT_LATEST_COUNT = 10
# Headlines one /latest may ask for (`/latest sport 20`).
MAX_LATEST_COUNT = 30
# A "Full article" button pressed again this soon after it sent its article (a double tap, a second look) sends
# nothing more: the article is just above. Later, scrolled away, it is sent again.
FULL_ARTICLE_AGAIN_AFTER = timedelta(minutes=10)
# A chat told that the articles are in another language than its questions is not told again for this long: a
# reader writing in German read it under every answer of a conversation.
LANGUAGE_TOLD_AGAIN_AFTER = timedelta(hours=1)
# The most messages of text one full article takes in a chat (about 16,000 characters, 2,500 words: a long read);
# a longer one ends with how much is left and its source link. Sent whole, an 80,000-character article was 20
# messages or more, flooding the chat and Telegram's per-chat limit.
MAX_ARTICLE_MESSAGES = 4
# Telegram's documented limit for one bot: about 30 messages a second overall (a local Bot API server may allow more).
DEFAULT_MAX_MESSAGES_PER_SECOND = 30
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"
DEFAULT_WEBHOOK_PORT = 8443
# How often a running bot looks for articles another process added (seconds); the README's freshness figure.
DEFAULT_FOLLOW_SECONDS = 1.0
# How long a process waits for another's build of the index before it builds one itself (minutes): the build of a
# million paragraphs takes minutes, so a claim held much longer is a builder that hangs.
DEFAULT_INDEX_BUILD_WAIT_MINUTES = 30.0
# How long a command's or a bot's background write waits for another process holding the store's write lock (a
# long migration, a big ingest, a backup tool), saying so once, before it gives up (exit 3 for a command).
DEFAULT_STORE_WAIT_MINUTES = 30.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Fetching feeds and pages (bot/fetch.py): the most one fetch may take, redirects and all (seconds), and the most
# it may read (bytes, after decompression; a news page is well under 2 MB, a feed with full texts under 5 MB).
DEFAULT_FETCH_TIMEOUT = 20.0
DEFAULT_FETCH_MAX_BYTES = 10_000_000
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# Polling feeds (bot/services/feeds.py): how often each feed is read; how long a process may hold a feed it
# claimed (a poll taking longer is stopped, and a process killed mid-poll frees the feed after this); the longest
# wait between tries of a failing feed (the wait doubles with each failure up to this); feeds fetched at once; how
# long a feed may fail before admins are told, once; story pages read per feed and poll (the rest next time).
DEFAULT_FEED_POLL_MINUTES = 15.0
DEFAULT_FEED_LEASE_SECONDS = 600.0
DEFAULT_FEED_BACKOFF_MAX_MINUTES = 360.0
DEFAULT_FEED_CONCURRENCY = 4
DEFAULT_FEED_REPORT_AFTER_HOURS = 24.0
# A feed whose site has answered this long that it is not there (404, 410, not a feed) is no longer polled (every
# 6 h forever, with the defaults), and the admins are told; adding it again resumes it.
DEFAULT_FEED_PAUSE_AFTER_DAYS = 7.0
DEFAULT_FEED_PAGES_PER_POLL = 30
# Seconds between two story pages a poll asks one site for, by any process, when its robots.txt names no Crawl-delay.
DEFAULT_PAGE_GAP_SECONDS = 1.0
# How often the running bot looks for feeds whose poll is due (seconds); each feed's own schedule is above.
DEFAULT_FEED_CHECK_SECONDS = 60.0
# How often a running bot beats in the store's `workers` table (seconds): the others count it among those sharing
# the flood budget, and its beat takes over what a process gone since left. At most the default: a process is taken
# for gone after 35 s without a beat (`LIVE_FOR`, bot/services/presence.py), three beats missed and more.
DEFAULT_BEAT_SECONDS = 10.0
# The most a running bot's stop may take from the stop signal (NEWSBOT_STOP_SECONDS; the default, None, is
# bot.app.STOP_SECONDS: the waits a stop may spend on other processes' locks, and room for the rest). A service
# manager that kills sooner (Docker's `stop` after 10 s) wants it below its own bound.
MIN_STOP_SECONDS = 1.0
MAX_STOP_SECONDS = 3600.0
# Digests: where a chat's daily time and zone start, how late a digest missed while the bot was down is still sent
# (older ones are skipped, never a burst; alerts later than this are left to the digest), and the part of
# Telegram's messages a second that digests and alerts may use, all processes together (the rest is kept for
# answers; bot/services/budget.py).
DEFAULT_DIGEST_TIME = time(8, 0)
DEFAULT_TIMEZONE = "UTC"
DEFAULT_DIGEST_GRACE_MINUTES = 120
# The least time between two alerts to one chat: stories arriving meanwhile wait and go together in the next (a busy
# feed sent one a minute). 0: an alert for every minute's stories.
DEFAULT_ALERT_PACE_MINUTES = 10
DEFAULT_FANOUT_MESSAGES_PER_SECOND = 20
# Names in the environment that look like settings but are not newsbot's own (the test suite's server).
NOT_SETTINGS = ("NEWSBOT_TEST_DATABASE_URL",)
# PostgreSQL URL schemes read as SQLAlchemy's psycopg 3 driver (Heroku and others give "postgres://").
POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")
# Bot id, colon, secret. Lenient on lengths: local Bot API servers and emulators issue short test tokens.
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


# Read once a process: looking the version up among the installed packages cost 5 ms of CPU each time, 200 times
# the rest of a `Settings()` (the test suite makes one for most of its tests).
@cache
def default_user_agent() -> str:
    """How newsbot names itself to the sites it reads: its name and version, and what it is."""
    try:
        version = metadata.version("newsbot")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"newsbot/{version} (news bot reading RSS/Atom feeds and article pages)"


def default_data_dir() -> Path:
    """The per-user data directory (`~/.local/share/newsbot` on Linux), the same from any working directory."""
    return Path(user_data_dir("newsbot", appauthor=False))


def default_cache_dir() -> Path:
    """The per-user cache (`~/.cache/newsbot` on Linux): what is made from the model, not from the articles."""
    return Path(user_cache_dir("newsbot", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Everything newsbot can be told; see `.env.example` for the environment names."""

    data_dir: Path = field(default_factory=default_data_dir)
    # SQLAlchemy URL of the store; empty means a SQLite file in the data directory.
    database_url: str = ""
    corpus_dir: Path = SHIPPED_CORPUS
    engine: str = DEFAULT_ENGINE
    answer_size: int = DEFAULT_ANSWER_SIZE
    per_article: int = DEFAULT_PER_ARTICLE
    min_answerability: float = DEFAULT_MIN_ANSWERABILITY
    headline_boost: float = DEFAULT_HEADLINE_BOOST
    follow_seconds: float = DEFAULT_FOLLOW_SECONDS
    index_build_wait_minutes: float = DEFAULT_INDEX_BUILD_WAIT_MINUTES
    store_wait_minutes: float = DEFAULT_STORE_WAIT_MINUTES
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
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    fetch_max_bytes: int = DEFAULT_FETCH_MAX_BYTES
    user_agent: str = field(default_factory=default_user_agent)
    # Loopback, private and link-local networks that may be fetched from all the same (a newsroom's intranet, the
    # tests' 127.0.0.1); all others are refused, so a feed cannot make newsbot reach into its own network.
    allow_private_addresses: tuple[IPNetwork, ...] = ()
    feed_poll_minutes: float = DEFAULT_FEED_POLL_MINUTES
    feed_lease_seconds: float = DEFAULT_FEED_LEASE_SECONDS
    feed_backoff_max_minutes: float = DEFAULT_FEED_BACKOFF_MAX_MINUTES
    feed_concurrency: int = DEFAULT_FEED_CONCURRENCY
    feed_report_after_hours: float = DEFAULT_FEED_REPORT_AFTER_HOURS
    feed_pause_after_days: float = DEFAULT_FEED_PAUSE_AFTER_DAYS
    feed_pages_per_poll: int = DEFAULT_FEED_PAGES_PER_POLL
    page_gap_seconds: float = DEFAULT_PAGE_GAP_SECONDS
    digest_time: time = DEFAULT_DIGEST_TIME
    # A zone key as bot.services.schedule keeps them: a tz database name, "UTC" or "UTC+03:00".
    default_timezone: str = DEFAULT_TIMEZONE
    digest_grace_minutes: int = DEFAULT_DIGEST_GRACE_MINUTES
    alert_pace_minutes: int = DEFAULT_ALERT_PACE_MINUTES
    fanout_messages_per_second: int = DEFAULT_FANOUT_MESSAGES_PER_SECOND
    semantic: str = "on"
    # An ONNX sentence encoder to use instead of the shipped one (empty: the shipped model).
    semantic_model: Path | None = None
    cache_dir: Path = field(default_factory=default_cache_dir)
    feed_check_seconds: float = DEFAULT_FEED_CHECK_SECONDS
    beat_seconds: float = DEFAULT_BEAT_SECONDS
    stop_seconds: float | None = None

    @property
    def store_url(self) -> str:
        """Where the store is: DATABASE_URL, else a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.database_path.resolve()}"

    @property
    def shown_store_url(self) -> str:
        """`store_url` as it can be shown: its password hidden."""
        return hidden(self.store_url)

    @property
    def store_name(self) -> str:
        """Where the store is, for messages: the data directory, or the database and its server (no password)."""
        if not self.database_url:
            return str(self.data_dir)
        url = urlsplit(self.database_url)
        host = url.hostname or parse_qs(url.query).get("host", ["localhost"])[0]
        server = f"{url.username}@{host}" if url.username else host
        database = url.path.lstrip("/") or "(default)"
        return f"PostgreSQL database {database} on {server}{f':{url.port}' if url.port else ''}"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "newsbot.sqlite3"

    @property
    def sqlite_path(self) -> Path | None:
        """The store's SQLite file: the data directory's, or the one DATABASE_URL names; None for PostgreSQL."""
        if not self.database_url:
            return self.database_path
        return Path(_sqlite_file(self.database_url)) if self.database_url.startswith("sqlite") else None

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def vectors_dir(self) -> Path:
        return self.data_dir / "vectors"

    @property
    def waiting_marks_dir(self) -> Path:
        """Where marks of handled updates wait for a store that took no writes (bot.services.waiting_marks)."""
        return self.data_dir / "waiting-marks"

    @property
    def static_dir(self) -> Path:
        """Where the word-piece vectors distilled from the model are kept: made from the model file alone, so
        every data directory of the user shares them."""
        return self.cache_dir / "static"

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
        _warn_unknown(values)
        kwargs: dict[str, object] = {}
        for variable, name, parse in ENVIRONMENT:
            raw = values.get(variable, "").strip()
            if raw:
                kwargs[name] = parse(raw, variable)
        return cls(**kwargs)  # type: ignore[arg-type]


_warned: set[str] = set()


def _warn_unknown(values: Mapping[str, str]) -> None:
    """Say once per process which NEWSBOT_ names are no setting (a misspelt one is otherwise silently ignored)."""
    known = [variable for variable, _, _ in ENVIRONMENT]
    for name in sorted(values):
        if name.startswith("NEWSBOT_") and name not in known and name not in NOT_SETTINGS and name not in _warned:
            _warned.add(name)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]}? " if close else "see .env.example; "
            log.warning("%s is not a newsbot setting (%sit is ignored)", name, hint)


# ---- readers: each turns the raw text of one variable into a value, or says in one line what is wrong -------

Reader = Callable[[str, str], object]


def _text(raw: str, variable: str) -> str:
    return raw


def _path(raw: str, variable: str) -> Path:
    return Path(raw).expanduser()


def _whole(minimum: int, maximum: int) -> Reader:
    def read(raw: str, variable: str) -> int:
        try:
            value = int(raw)
        except ValueError as exc:
            raise ConfigError(f"{variable} must be a whole number, got {raw!r}") from exc
        if not minimum <= value <= maximum:
            raise ConfigError(f"{variable} must be between {minimum} and {maximum}, got {value}")
        return value

    return read


def _number(minimum: float, maximum: float) -> Reader:
    def read(raw: str, variable: str) -> float:
        try:
            value = float(raw)
        except ValueError as exc:
            raise ConfigError(f"{variable} must be a number, got {raw!r}") from exc
        if not minimum <= value <= maximum:
            raise ConfigError(f"{variable} must be between {minimum:g} and {maximum:g}, got {raw}")
        return value

    return read


def _choice(choices: tuple[str, ...], fold: Callable[[str], str] = str) -> Reader:
    def read(raw: str, variable: str) -> str:
        value = fold(raw)
        if value not in choices:
            raise ConfigError(f"{variable} must be one of {', '.join(choices)}, got {raw!r}")
        return value

    return read


def _ids(raw: str, variable: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in re.split(r"[,\s]+", raw) if part)
    except ValueError as exc:
        raise ConfigError(f"{variable} must be a comma-separated list of Telegram user ids, got {raw!r}") from exc


def _directory(raw: str, variable: str) -> Path:
    path = _path(raw, variable)
    if not path.is_dir():
        what = "is not a directory" if path.exists() else "does not exist"
        raise ConfigError(f"{variable} must be a directory of articles: {path} {what}")
    return path


def _web_address(schemes: tuple[str, ...], example: str) -> Reader:
    """A reader of an address newsbot or Telegram connects to: one typed without its scheme or host was taken as
    it stood, and `newsbot run` tried three times to reach it, then said it could not (exit 3, worth retrying)."""

    def read(raw: str, variable: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme.lower() not in schemes or not parts.hostname:
            said = " or ".join(f"{scheme}://" for scheme in schemes)
            raise ConfigError(f"{variable} must be an {said} address like {example}, got {hidden(raw)!r}")
        return raw

    return read


def _database_url(raw: str, variable: str) -> str:
    expected = f"{variable} must be a sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE URL"
    scheme, separator, rest = raw.partition("://")
    if not separator or not re.fullmatch(r"[a-z][a-z0-9+]*", scheme):
        raise ConfigError(f"{expected}; {hidden(raw)!r} has no scheme:// at its start")
    if scheme in POSTGRES_SCHEMES:
        return f"postgresql+psycopg://{rest}"
    if scheme.partition("+")[0] == "sqlite":
        # A mistyped directory was made, and the bot ran on a new store there, seeded with the shipped example: the
        # newsroom's articles and subscriptions were elsewhere. A new file in a directory that is there is a new
        # store, as the data directory's first start makes one.
        database = _sqlite_file(raw)
        if database in ("", ":memory:"):  # each process's own store, lost at its end (and a traceback at opening)
            raise ConfigError(f"{expected}: {raw!r} names no file, and every newsbot process must open the one store")
        if not (folder := Path(database).parent).is_dir():
            what = "is not a directory" if folder.exists() else "does not exist"
            raise ConfigError(
                f"{variable} names the SQLite file {database}, but its directory {folder} {what}: correct the path,"
                " or create the directory"
            )
        return raw
    raise ConfigError(
        f"{expected} (postgres:// and postgresql:// are read as postgresql+psycopg://); the database {scheme!r} is"
        f" not supported, in {hidden(raw)!r}"
    )


def _sqlite_file(url: str) -> str:
    """The file of a sqlite:///relative or sqlite:////absolute URL, as written ("" for none)."""
    return url.partition("://")[2].partition("?")[0][1:]


def hidden(url: str) -> str:
    """A URL as it can be shown: a password between "user:" and "@", and a password parameter, as ***. One that is
    not there is not shown hidden: pgserver's "postgres:@" read as "postgres:***@", a password the operator never
    set."""
    return re.sub(r"(password=)[^&]+", r"\1***", re.sub(r"([^/:@]*):[^@/]+@", r"\1:***@", url), flags=re.I)


def _username(raw: str, variable: str) -> str:
    return raw.lstrip("@")


def _networks(raw: str, variable: str) -> tuple[IPNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in re.split(r"[,\s]+", raw) if part)
    except ValueError as exc:
        raise ConfigError(
            f"{variable} must be a comma-separated list of addresses or networks like 127.0.0.1 or 10.0.0.0/8: {exc}"
        ) from exc


def _clock_time(raw: str, variable: str) -> time:
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise ConfigError(f"{variable} must be a time of day like 07:30, got {raw!r}")
    return time(int(found[1]), int(found[2]))


def _zone_key(raw: str, variable: str) -> str:
    if raw == "UTC" or re.fullmatch(r"UTC[+-](0\d|1[0-4]):[0-5]\d", raw):
        return raw
    try:
        ZoneInfo(raw)
    except (KeyError, ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ConfigError(f"{variable} must be a time zone like Europe/Berlin, UTC or UTC+03:00, got {raw!r}") from exc
    return raw


ENVIRONMENT: tuple[tuple[str, str, Reader], ...] = (
    ("NEWSBOT_DATA_DIR", "data_dir", _path),
    ("DATABASE_URL", "database_url", _database_url),
    ("NEWSBOT_CORPUS_DIR", "corpus_dir", _directory),
    ("NEWSBOT_ENGINE", "engine", _choice(ENGINES)),
    ("NEWSBOT_ANSWER_SIZE", "answer_size", _whole(1, MAX_ANSWER_SIZE)),
    ("NEWSBOT_PER_ARTICLE", "per_article", _whole(1, MAX_ANSWER_SIZE)),
    ("NEWSBOT_MIN_ANSWERABILITY", "min_answerability", _number(0.0, 1.0)),
    ("NEWSBOT_HEADLINE_BOOST", "headline_boost", _number(0.0, MAX_HEADLINE_BOOST)),
    ("NEWSBOT_FOLLOW_SECONDS", "follow_seconds", _number(0.1, 3600.0)),
    ("NEWSBOT_INDEX_BUILD_WAIT_MINUTES", "index_build_wait_minutes", _number(0.01, 1440.0)),
    ("NEWSBOT_STORE_WAIT_MINUTES", "store_wait_minutes", _number(0.01, 1440.0)),
    ("TELEGRAM_BOT_TOKEN", "telegram_bot_token", _text),
    ("TELEGRAM_API_BASE_URL", "telegram_api_base_url", _web_address(("http", "https"), "http://127.0.0.1:8081/bot")),
    ("TELEGRAM_BOT_USERNAME", "bot_username", _username),
    ("NEWSBOT_ADMIN_IDS", "admin_ids", _ids),
    ("TELEGRAM_MAX_MESSAGES_PER_SECOND", "max_messages_per_second", _whole(1, 10_000)),
    # Telegram posts updates to https addresses only.
    ("WEBHOOK_URL", "webhook_url", _web_address(("https",), "https://bot.example.org/telegram-hook")),
    ("WEBHOOK_LISTEN", "webhook_listen", _text),
    ("WEBHOOK_PORT", "webhook_port", _whole(1, 65535)),
    ("WEBHOOK_SECRET", "webhook_secret", _text),
    ("NEWSBOT_LOG_LEVEL", "log_level", _choice(LOG_LEVELS, str.upper)),
    ("NEWSBOT_FETCH_TIMEOUT", "fetch_timeout", _number(0.1, 600.0)),
    ("NEWSBOT_FETCH_MAX_BYTES", "fetch_max_bytes", _whole(10_000, 1_000_000_000)),
    ("NEWSBOT_USER_AGENT", "user_agent", _text),
    ("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "allow_private_addresses", _networks),
    ("NEWSBOT_FEED_POLL_MINUTES", "feed_poll_minutes", _number(0.1, 10_080.0)),
    ("NEWSBOT_FEED_LEASE_SECONDS", "feed_lease_seconds", _number(1.0, 86_400.0)),
    ("NEWSBOT_FEED_BACKOFF_MAX_MINUTES", "feed_backoff_max_minutes", _number(1.0, 10_080.0)),
    ("NEWSBOT_FEED_CONCURRENCY", "feed_concurrency", _whole(1, 64)),
    ("NEWSBOT_FEED_REPORT_AFTER_HOURS", "feed_report_after_hours", _number(0.0, 8_760.0)),
    ("NEWSBOT_FEED_PAUSE_AFTER_DAYS", "feed_pause_after_days", _number(0.0, 3_650.0)),
    ("NEWSBOT_FEED_PAGES_PER_POLL", "feed_pages_per_poll", _whole(0, 1_000)),
    ("NEWSBOT_PAGE_GAP_SECONDS", "page_gap_seconds", _number(0.0, 3600.0)),
    ("NEWSBOT_DIGEST_TIME", "digest_time", _clock_time),
    ("NEWSBOT_DEFAULT_TIMEZONE", "default_timezone", _zone_key),
    ("NEWSBOT_DIGEST_GRACE_MINUTES", "digest_grace_minutes", _whole(0, 24 * 60)),
    ("NEWSBOT_ALERT_PACE_MINUTES", "alert_pace_minutes", _whole(0, 24 * 60)),
    ("TELEGRAM_FANOUT_MESSAGES_PER_SECOND", "fanout_messages_per_second", _whole(1, 10_000)),
    ("NEWSBOT_SEMANTIC", "semantic", _choice(SEMANTIC_MODES, str.lower)),
    # A model file that is not there (or not a model) is said once in the log and newsbot answers by words alone:
    # the semantic stage never stops a start (`bot.semantic.open_semantic`).
    ("NEWSBOT_SEMANTIC_MODEL", "semantic_model", _path),
    ("NEWSBOT_CACHE_DIR", "cache_dir", _path),
    ("NEWSBOT_FEED_CHECK_SECONDS", "feed_check_seconds", _number(0.1, 3600.0)),
    ("NEWSBOT_BEAT_SECONDS", "beat_seconds", _number(0.1, DEFAULT_BEAT_SECONDS)),
    ("NEWSBOT_STOP_SECONDS", "stop_seconds", _number(MIN_STOP_SECONDS, MAX_STOP_SECONDS)),
)
