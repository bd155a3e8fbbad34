"""The composition root: build the Telegram `Application` from settings, and run it (polling, webhook or terminal)."""

from __future__ import annotations

import logging
import sys
from importlib.util import find_spec
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, Defaults
from telegram.request import BaseRequest

from bot import telegram_bot
from bot.config import Settings
from bot.errors import ConfigError

log = logging.getLogger(__name__)


def api_base_url(raw: str) -> str:
    """The base python-telegram-bot appends the token to: a bare server address gets Telegram's `/bot` path."""
    url = raw.strip().rstrip("/")
    return url + "/bot" if urlsplit(url).path in ("", "/") else url


def file_base_url(base_url: str) -> str:
    """Where a Bot API server serves files, from its method base (`.../bot` -> `.../file/bot`)."""
    head, slash, last = base_url.rstrip("/").rpartition("/")
    return f"{head}{slash}file/{last}"


def build_application(settings: Settings, request: BaseRequest | None = None) -> Application:  # type: ignore[type-arg]
    """The bot with every handler; `request` replaces the HTTP client (the terminal chat's stand-in)."""
    builder = (
        Application.builder()
        .token(settings.require_token())
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(True)
        .rate_limiter(telegram_bot.rate_limiter(settings))
        .post_init(telegram_bot.post_init)
        .post_shutdown(telegram_bot.post_shutdown)
    )
    if settings.telegram_api_base_url:
        base = api_base_url(settings.telegram_api_base_url)
        builder = builder.base_url(base).base_file_url(file_base_url(base))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    telegram_bot.register(application, settings)
    return application


def _not_bootstrap(record: logging.LogRecord) -> bool:
    # PTB logs a start-up failure with its traceback; `run` reports it itself in one line.
    return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


def configure_logging(settings: Settings) -> None:
    """Log at the configured level; httpx's line per request would drown everything else."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("telegram.ext").addFilter(_not_bootstrap)


def run(settings: Settings) -> int:
    """Run the bot until Ctrl-C or SIGTERM: long polling, or a webhook when WEBHOOK_URL is set.

    Raises ConfigError for a missing or malformed token (the CLI prints it as one line, exit code 2).
    """
    application = build_application(settings)
    if settings.webhook_url and find_spec("tornado") is None:
        raise ConfigError("WEBHOOK_URL is set but webhooks need python-telegram-bot[webhooks] installed")
    configure_logging(settings)
    try:
        if settings.webhook_url:
            # Behind a load balancer that ends TLS: Telegram calls WEBHOOK_URL, we listen on plain HTTP.
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret or None,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken as exc:
        raise ConfigError(f"Telegram refused TELEGRAM_BOT_TOKEN ({exc}); check it with @BotFather") from exc
    except TelegramError as exc:
        # Start-up failures (API unreachable, webhook refused) are for the operator: one line, no traceback.
        log.debug("start-up failed", exc_info=exc)
        print(f"newsbot: could not start the bot: {exc}", file=sys.stderr)
        return 1
    return 0


def chat(settings: Settings) -> int:
    """Talk to the very same bot in this terminal, through an in-process stand-in for the Bot API."""
    from bot.terminal_chat import USER_ID, TerminalBotAPI, converse

    api = TerminalBotAPI()
    # The person at the terminal owns the data directory, so the admin commands are theirs too.
    application = build_application(
        settings.with_overrides(
            telegram_bot_token=TerminalBotAPI.TOKEN, telegram_api_base_url="", admin_ids=(*settings.admin_ids, USER_ID)
        ),
        api,
    )
    return converse(application, api)
