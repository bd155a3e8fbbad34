"""The composition root: build the Telegram `Application` from settings, and run it (polling, webhook or terminal).

`running(application)` is the one start/stop sequence of the bot, driven from our own event loop: `run` (with
its own signal handling), the terminal chat, the tests and the benchmarks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, suppress
from functools import partial
from importlib.util import find_spec
from urllib.parse import urlsplit

import telegram
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, Defaults, Updater
from telegram.request import BaseRequest

from bot import early_stop, tg
from bot.config import Settings
from bot.errors import ConfigError, NewsbotError, StoreError, UnreachableError, causes
from bot.store.reachable import (
    STORE_WAIT_FIRST_SECONDS,
    STORE_WAIT_LONGEST_SECONDS,
    done_unless_stopped,
    store_reachable,
)
from bot.tg.context import CONTEXT_TYPES, App
from bot.tg.order import ChatOrder
from bot.tg.received import ReceivedQueue, handling
from bot.tg.sending import rate_limiter, tried_once
from bot.tg.updates import UpdatesRequest

log = logging.getLogger(__name__)

# getUpdates waits this long for an update before asking again (seconds).
POLL_TIMEOUT_SECONDS = 10
# The name python-telegram-bot gives the task that polls for updates (telegram/ext/_updater.py), in the version
# pinned in pyproject.toml (tests/test_bot_e2e.py checks it and the pause `_stop_polling` ends).
POLLING_TASK = "Updater:start_polling:polling_task"
# What a stop says of the updates a getUpdates brought as it began (python-telegram-bot's "Updater stopped
# unexpectedly"): it leaves them unconfirmed.
UPDATES_LEFT_AT_STOP = (
    "stopping: updates Telegram gave as the stop began are left unconfirmed; it gives them again to the next start "
    "(or to another process polling this token)"
)
# How often a stop looks whether that task has entered its pause after a failed getUpdates.
PAUSE_LOOK_SECONDS = 0.05
# python-telegram-bot's error for an answer whose body is not JSON (telegram/request/_baserequest.py).
INVALID_RESPONSE = "Invalid server response"
# What it adds to the status's error then, before the page.
PARSING = ". Parsing the server response"
# Signals that stop `run` (Ctrl-C, a service manager's stop).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# How long a stop may take from the signal to the process's exit (for a signal during the start, the rest of the
# start included), past which the process exits without what it still waits for (`_bound_the_stop`), unless
# NEWSBOT_STOP_SECONDS says otherwise: its waits for other processes' locks (tg.STOP_LOCK_WAITS_SECONDS: an answer
# under way, the marks of handled updates, leaving the running processes, 5 s each at most), and STOP_ROOM_SECONDS
# for the rest (a step of the vectors job, seconds, more under load; closing the library). Not the store's wait for
# another process's lock (NEWSBOT_STORE_WAIT_MINUTES, 30): a background write begun before the signal (a job's, an
# update's record) may wait that long for a lock a migration, a backup tool or a stuck writer holds, which a stop,
# asked for, does not wait out (a kill would lose the same: `_serve`).
STOP_ROOM_SECONDS = 15.0
STOP_SECONDS = tg.STOP_LOCK_WAITS_SECONDS + STOP_ROOM_SECONDS
# What Telegram accepts as a webhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


# Where python-telegram-bot sends its requests unless TELEGRAM_API_BASE_URL says otherwise.
TELEGRAM_API = "https://api.telegram.org/bot"


def api_base_url(raw: str) -> str:
    """The base python-telegram-bot appends the token to: a bare server address gets Telegram's `/bot` path."""
    url = raw.strip().rstrip("/")
    return url + "/bot" if urlsplit(url).path in ("", "/") else url


def api_address(settings: Settings) -> str:
    """The Bot API's address as it can be shown: without the token python-telegram-bot appends to it, nor a
    password the address may carry."""
    where = urlsplit(api_base_url(settings.telegram_api_base_url or TELEGRAM_API))
    return f"{where.scheme}://{where.netloc.rpartition('@')[2]}{where.path}"


def not_the_bot_api(exc: TelegramError) -> str:
    """What answered in place of the Bot API, if `exc` is of a body that is not JSON (a proxy's error page, a web
    server at a mistyped address): "Bad Gateway (502)", "a success status"; "" for the Bot API's own answers.
    python-telegram-bot raised it as the status's error, its text the whole page (a 404 page as a token refused)."""
    chain = causes(exc)
    for outer, inner in zip([None, *chain], chain, strict=False):
        if isinstance(inner, TelegramError) and inner.message == INVALID_RESPONSE:
            if isinstance(outer, TelegramError) and PARSING in outer.message:
                return outer.message.partition(PARSING)[0]
            return "a success status"
    return ""


async def say_started(application: App, by_webhook: bool) -> None:
    """Say in the log what `run` has started, before it takes updates: which bot, where its updates come from, its
    store and library (no token or password: logs are shared and pasted)."""
    data = application.bot_data
    settings = data.settings
    # The webhook's host alone: its path may be a secret (many put the token there).
    updates = f"webhook at {urlsplit(settings.webhook_url).hostname}" if by_webhook else "long polling"
    try:
        stats = await asyncio.to_thread(data.library.store.stats)
        articles = f"{stats.articles:,} {'article' if stats.articles == 1 else 'articles'}"
        size = f"{articles} ({stats.paragraphs:,} paragraphs)"
    except StoreError as exc:  # a store out of reach just after the start: the bot says so when asked, and runs on
        size = f"its size not read ({exc})"
    where = f"Bot API {api_address(settings)}, {updates}, store {settings.shown_store_url}"
    log.info("@%s started: %s, %s", data.username, where, size)


def file_base_url(base_url: str) -> str:
    """Where a Bot API server serves files, from its method base (`.../bot` -> `.../file/bot`)."""
    head, slash, last = base_url.rstrip("/").rpartition("/")
    return f"{head}{slash}file/{last}"


class NewsbotApplication(App):
    """python-telegram-bot's Application, stopping its jobs in order."""

    async def stop(self) -> None:
        # While the Application waits for the running jobs, APScheduler goes on starting due ones, and then
        # cancels those at shutdown: a job cut short that way logs a CancelledError and may leave its thread
        # working on a library that post_shutdown is closing. Paused first, the scheduler starts none.
        if self.job_queue is not None and self.job_queue.scheduler.running:
            self.job_queue.scheduler.pause()
        # A step of the vectors job embeds for half a minute and more; the stop waited for all of it.
        self.bot_data.stopping()
        await super().stop()

    async def process_update(self, update: object) -> None:
        async with handling(self.bot_data.journal, update, self.process_update) as ours:
            if ours:
                await super().process_update(update)


def build_application(settings: Settings, request: BaseRequest | None = None) -> App:
    """The bot with every handler; `request` replaces the HTTP client (the terminal chat's stand-in)."""
    builder = (
        Application.builder()
        .application_class(NewsbotApplication)
        .token(settings.require_token())
        .context_types(CONTEXT_TYPES)
        # A reply goes out even when the message it answers was deleted meanwhile: a group's command-cleaning bot
        # deletes "/ask ..." at once, and every answer there failed ("message to be replied not found").
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .concurrent_updates(ChatOrder())
        .update_queue(ReceivedQueue())
        .rate_limiter(rate_limiter(settings))
        .post_init(tg.post_init)
        .post_shutdown(tg.post_shutdown)
    )
    if settings.telegram_api_base_url:
        base = api_base_url(settings.telegram_api_base_url)
        builder = builder.base_url(base).base_file_url(file_base_url(base))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:  # python-telegram-bot's own, but for an update it cannot read (`bot.tg.updates`)
        builder = builder.get_updates_request(UpdatesRequest(connection_pool_size=1))
    application = builder.build()
    tg.register(application, settings)
    return application


@asynccontextmanager
async def running(
    application: App,
    poll_timeout: int = POLL_TIMEOUT_SECONDS,
    webhook: Callable[[App], AbstractAsyncContextManager[object]] | None = None,
    ready: Callable[[App], Awaitable[None]] | None = None,
) -> AsyncIterator[App]:
    """The bot long-polling inside the block (or taking updates inside `webhook`'s block), started and stopped in
    `run_polling`'s order.

    In: initialize, post_init, `ready`, updates, start. Out: updates, stop, shutdown, post_shutdown; whatever of it
    applies also when start-up failed half way, so the library opened in post_init is always closed.
    """
    updater = application.updater
    assert updater is not None

    def fetching_failed(exc: TelegramError) -> None:
        # As run_polling does: an error fetching updates goes to the application's error handler.
        application.create_task(application.process_error(update=None, error=exc))

    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        if ready is not None:
            await ready(application)
        async with AsyncExitStack() as updates:
            if webhook is None:
                updates.push_async_callback(_stop_polling, updater)
                await updater.start_polling(
                    poll_interval=0,
                    timeout=poll_timeout,
                    allowed_updates=Update.ALL_TYPES,
                    error_callback=fetching_failed,
                )
            else:
                await updates.enter_async_context(webhook(application))
            await application.start()
            yield application
    finally:
        if application.running:
            await application.stop()
        try:
            await application.shutdown()
        finally:
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


async def _stop_polling(updater: Updater) -> None:
    """Stop the updater, ending python-telegram-bot's pause before it asks for updates again after a failed
    getUpdates: its polling loop sleeps it out (up to 30 s, each failure half as long again: a token conflict,
    Telegram out of reach) and looks at the stop only after (telegram/ext/_utils/networkloop.py), so a bot in a token
    conflict took 30 s to stop. The polling task is cancelled only while it sleeps there, between two getUpdates:
    nothing fetched is on its way to the queue, and the updater's stop takes the cancellation as its end. It is
    looked at until it ends, not once: a getUpdates failing as the stop began enters the pause after (one look found
    it not yet there, and the stop took 11 s)."""
    if not updater.running:  # its start failed
        return
    polling = [task for task in asyncio.all_tasks() if task.get_name() == POLLING_TASK]
    if not polling:
        # A release of python-telegram-bot other than the one pinned (pyproject.toml) that names it otherwise.
        log.warning(
            "python-telegram-bot %s has no task %r: a stop during its pause after a failed getUpdates waits it out",
            telegram.__version__,
            POLLING_TASK,
        )
    stopping = asyncio.ensure_future(updater.stop())
    while not stopping.done():
        for task in polling:
            if _sleeping(task) and not task.cancelling():
                log.debug("stopping the pause before the next getUpdates")
                task.cancel()
        await asyncio.wait({stopping}, timeout=PAUSE_LOOK_SECONDS)
    await stopping


def _sleeping(task: asyncio.Task[object]) -> bool:
    """Whether `task`'s coroutine awaits `asyncio.sleep` itself (not something that awaits it further down)."""
    awaited = getattr(task.get_coro(), "cr_await", None)
    return getattr(awaited, "cr_code", None) is asyncio.sleep.__code__


def _not_bootstrap(record: logging.LogRecord) -> bool:
    # PTB logs a start-up failure with its traceback; `run` reports it itself in one line.
    return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


def _stop_said_as_such(record: logging.LogRecord) -> bool:
    """python-telegram-bot logs a getUpdates that came back with updates after the stop began (a stop newsbot asked
    for: SIGTERM, Ctrl-C) as CRITICAL, "Updater stopped unexpectedly": a soak's bots said it at 1 SIGTERM in 13, and
    an operator looked for a crash. Nothing is lost: it leaves them unconfirmed, and Telegram gives them again to the
    next start (or to another process polling the token). Said so, as an info line."""
    if record.getMessage().startswith("Updater stopped unexpectedly"):
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        record.msg, record.args = UPDATES_LEFT_AT_STOP, ()
    return True


def _json_said_as_debug(record: logging.LogRecord) -> bool:
    """python-telegram-bot logs an answer that is not JSON (a proxy's error page) as an error, with the page and a
    traceback, then raises it: newsbot says it in one line where it meets it (the start, the error handler). Kept
    for debug logging, as a debug line."""
    if not record.getMessage().startswith("Can not load invalid JSON data"):
        return True
    record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
    return logging.getLogger().isEnabledFor(logging.DEBUG)


def configure_logging(settings: Settings) -> None:
    """Log at the configured level; httpx's line per request and APScheduler's per job run would drown everything
    else."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # APScheduler logs two lines at every run of every job (the follow job runs every second); its warnings stay.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("telegram.ext").addFilter(_not_bootstrap)
    logging.getLogger("telegram.ext.Updater").addFilter(_stop_said_as_such)
    # A logger's filter sees only its own records, not its children's: the logger that logs it, by name.
    logging.getLogger("telegram.request.BaseRequest").addFilter(_json_said_as_debug)


def check_webhook(settings: Settings) -> None:
    """Refuse a webhook anyone could post to: without the secret, a forged update (say /reindex from an admin's
    id) would be taken as Telegram's."""
    if find_spec("tornado") is None:
        raise ConfigError("WEBHOOK_URL is set but webhooks need python-telegram-bot[webhooks] installed")
    if not settings.webhook_secret:
        raise ConfigError(
            "WEBHOOK_URL is set but WEBHOOK_SECRET is not: set it to a random string (letters, digits, _ and -)"
        )
    if not WEBHOOK_SECRET_PATTERN.match(settings.webhook_secret):
        raise ConfigError("WEBHOOK_SECRET must be 1 to 256 letters, digits, _ or - (Telegram accepts no others)")


def run(settings: Settings, interrupted_exit: int) -> int:
    """Run the bot until Ctrl-C or SIGTERM: long polling, or a webhook when WEBHOOK_URL is set. A second signal
    before the bot has stopped ends the process at once with `interrupted_exit`.

    Raises ConfigError for a missing or malformed token, or a webhook without a usable secret (the CLI prints
    it as one line, exit code 2).
    """
    application = build_application(settings)
    if settings.webhook_url:
        check_webhook(settings)
    configure_logging(settings)
    try:
        asyncio.run(_serve(application, _listening(settings) if settings.webhook_url else None, interrupted_exit))
    except TelegramError as exc:
        if answered := not_the_bot_api(exc):
            # A setting to correct, most likely: a web server (a status of success, a page not found) at the address.
            raise ConfigError(
                f"could not start the bot: {api_address(settings)} answered {answered} with a page that is not the"
                " Bot API's (not JSON); check TELEGRAM_API_BASE_URL"
            ) from exc
        if isinstance(exc, InvalidToken):
            # Its status ("Unauthorized"): the error itself says the token ("The token `...` was rejected").
            raise ConfigError(
                f"Telegram refused TELEGRAM_BOT_TOKEN ({causes(exc)[-1]}); check it with @BotFather"
            ) from exc
        # Start-up failures (API unreachable, webhook refused) are for the operator: one line, no traceback. An API
        # that did not answer is worth retrying (a supervisor's restart mends it); a refusal is not.
        log.debug("start-up failed", exc_info=exc)
        if isinstance(exc, NetworkError):
            # Named, as an emulator's or local server's address mistyped is the likely cause.
            raise UnreachableError(
                f"could not start the bot: cannot reach the Bot API at {api_address(settings)} ({exc})"
            ) from exc
        raise NewsbotError(f"could not start the bot: {exc}") from exc
    return 0


async def _serve(
    application: App, webhook: Callable[[App], AbstractAsyncContextManager[object]] | None, interrupted_exit: int
) -> None:
    """The bot running until a stop signal. Ours, not python-telegram-bot's: its handler raised SystemExit
    wherever the start-up was, which left a request or the updater's start half done, and the stop then failed
    ("Event loop stopped before Future completed") or the process aborted in a thread the library had not yet
    been given to close. A signal during the start-up lets it finish, then stops the bot at once; one while the bot
    waits for its database to answer (`store_reachable`) stops it there.

    A second signal ends the process there and then: the start may be waiting minutes in a thread (a first index
    build of a large store, another process's build claim), which nothing can interrupt and the interpreter
    waits for at exit. Nothing is lost that a kill would not lose: the store commits whole transactions, an index
    is swapped in only once complete (one half built is removed at the next start), the build claim goes with the
    process, and updates not yet handled are taken over at the next start. So the stop itself ends the process
    once it has taken `stop_seconds` from the first signal, whatever it still waits for (`_bound_the_stop`), one
    during the start too: a start that waits minutes was stopped only by a second signal.
    """
    stop = asyncio.Event()
    phase = "wait"
    bound = stop_seconds(application.bot_data.settings)

    def stopping(number: signal.Signals) -> None:
        if stop.is_set():
            log.warning("%s received again: stopped before the %s finished", number.name, phase)
            sys.stderr.flush()
            os._exit(interrupted_exit)
        if phase == "start":
            log.info(
                "%s received: stopping once the start has finished, or in %g s at most (a second one stops it at once)",
                number.name,
                bound,
            )
        else:
            log.info("%s received: stopping", number.name)
        stop.set()
        _bound_the_stop(bound)

    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, stopping, number)
    if early_stop.heard():
        stopping(signal.SIGTERM)
    try:
        # Before Telegram is asked anything: a bot waiting for its database takes no updates.
        if await store_reachable(application.bot_data.settings, stop) and await _bot_api_answers(application, stop):
            phase = "start"
            # Said before updates are taken: read after, the library's size let the first getUpdates begin, and a
            # stop asked during the start cancelled it mid-connect, holding the pool python-telegram-bot's last
            # getUpdates (marking the updates fetched) then waited a second for, with a traceback.
            async with running(
                application, webhook=webhook, ready=partial(say_started, by_webhook=webhook is not None)
            ):
                phase = "stop"
                await stop.wait()
    finally:
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)
    log.info("stopped")


async def _bot_api_answers(application: App, stop: asyncio.Event) -> bool:
    """Wait until the Bot API answers (the bot's `getMe`), trying again after 1, 2, 4, ... s (30 s at most) and
    saying each failure; False if `stop` was set first. A Bot API out of reach at the start (a local Bot API server
    or an emulator not up yet, the network down at a boot) exited 3 after three tries in a second, and a service
    manager restarting the bot restarted it in a loop, or gave up. A refusal (a token Telegram refuses) is left to
    the start, which says it: a setting to correct, which waiting would not mend."""
    started, pause = time.monotonic(), STORE_WAIT_FIRST_SECONDS
    while not stop.is_set():
        # One request a try: the limiter's own tries said three lines of theirs beside each of this one.
        asking = asyncio.ensure_future(tried_once(application.bot.initialize()))
        if not await done_unless_stopped(asking, stop):
            return False
        error = asking.exception()
        if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
            if pause > STORE_WAIT_FIRST_SECONDS:
                log.warning("the Bot API answers, after %.0f s: starting", time.monotonic() - started)
            return True
        answered = not_the_bot_api(error)
        log.warning(
            "cannot reach the Bot API at %s (%s); trying again in %g s, the bot starts once it answers",
            api_address(application.bot_data.settings),
            f"it answered {answered} with a page that is not the Bot API's: a proxy's error page?"
            if answered
            else error,
            pause,
        )
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        pause = min(2 * pause, STORE_WAIT_LONGEST_SECONDS)
    return False


def stop_seconds(settings: Settings) -> float:
    """The most a stop may take: NEWSBOT_STOP_SECONDS, else STOP_SECONDS."""
    return STOP_SECONDS if settings.stop_seconds is None else settings.stop_seconds


def _bound_the_stop(seconds: float) -> None:
    """End the process `seconds` from now if it is still there. A job's thread waiting for a store that never
    answers (a server alive but stuck) kept it for as long: the application's stop waits for its running jobs, the
    library's close for the locks such a thread holds, asyncio's shutdown and the interpreter's exit for every
    worker thread (a bot was seen alive 14 minutes after it logged "stopped"). The stop was asked for, and
    exited so the bot loses nothing a kill would not (see `_serve`): exit code 0, as any stop's."""

    def exit_now() -> None:
        log.warning(
            "still stopping %g s after the stop signal: exiting without waiting for %s",
            seconds,
            _busy_threads() or "the event loop",
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(0)

    bound = threading.Timer(seconds, exit_now)
    bound.daemon = True  # neither keeps the process alive nor is waited for at its exit
    bound.start()


def _busy_threads() -> str:
    """Where the threads other than the main one are in newsbot's code ("bot.store.feeds.lease_holders"),
    for the log to say what a stop did not wait for; "" when none is."""
    frames = sys._current_frames()
    busy = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or 0)
        if thread is threading.main_thread() or thread.daemon or frame is None:
            continue
        while frame is not None and not frame.f_globals.get("__name__", "").startswith("bot."):
            frame = frame.f_back
        if frame is not None:
            # A helper nested in a function is told as that function: "<locals>" says nothing to whoever reads the log.
            where = frame.f_code.co_qualname.split(".<locals>.")[0]
            busy.append(f"{frame.f_globals['__name__']}.{where}")
    return ", ".join(f"a thread in {where}" for where in busy)


def _listening(settings: Settings) -> Callable[[App], AbstractAsyncContextManager[object]]:
    """Updates taken by webhook (bot.tg.webhook, imported only then: it needs python-telegram-bot[webhooks])."""

    def webhook(application: App) -> AbstractAsyncContextManager[object]:
        from bot.tg.webhook import serving

        return serving(application.bot, application.update_queue, settings)

    return webhook


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
    application.bot_data.in_terminal = True
    return converse(application, api)
