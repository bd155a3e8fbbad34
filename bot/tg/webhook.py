"""Taking updates by webhook: Telegram posts each update to WEBHOOK_URL; behind a load balancer that ends TLS, we
listen on plain HTTP. An update is answered 200 once it is on the update queue, which records it
(bot.tg.received), before it is handled.

Our own small server, not python-telegram-bot's `Updater.start_webhook` (needs python-telegram-bot[webhooks], for
tornado): that one answered an update it cannot read 400, after logging it as critical with its traceback, and
Telegram delivers again what gets no 2xx, so the update came back and was logged again, and the chat's next updates
waited behind it. Here it is said once in one line and answered 200 (bot.tg.updates), as polling passes it over.
Besides, the port is bound before the webhook is set: start_webhook set it first and bound after, so a bot given a
port already taken had moved the webhook away from the bot listening there before it failed.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from urllib.parse import urlsplit

from telegram import Bot, Update
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, HTTPError, RequestHandler

from bot.config import Settings
from bot.errors import ConfigError
from bot.tg.updates import read_body

log = logging.getLogger(__name__)

# Where Telegram puts the webhook's secret_token in each request.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateHandler(RequestHandler):
    """Take the update Telegram posts, if the request carries the webhook's secret."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot: Bot, queue: asyncio.Queue[object], secret: str) -> None:
        self.bot = bot
        self.queue = queue
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.debug("refused a webhook request from %s without the secret", self.request.remote_ip)
            raise HTTPError(HTTPStatus.FORBIDDEN)
        # One that cannot be read is answered 200 all the same: Telegram would only deliver it again.
        if (update := read_body(self.request.body, self.bot)) is not None:
            await self.queue.put(update)


def _no_access_log(handler: RequestHandler) -> None:
    """tornado logs every request at INFO, and every refused one as a warning: a line per update."""


@asynccontextmanager
async def serving(bot: Bot, queue: asyncio.Queue[object], settings: Settings) -> AsyncIterator[None]:
    """Updates taken by webhook inside the block: the port bound, the webhook set to WEBHOOK_URL, its requests
    served; raises ConfigError when the port cannot be bound (taken, or an address not this machine's)."""
    try:
        # A name of several addresses (localhost: IPv4 and IPv6) gives a socket for each.
        sockets = bind_sockets(settings.webhook_port, settings.webhook_listen)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen for the webhook on {settings.webhook_listen}:{settings.webhook_port}"
            f" ({exc.strerror or exc}): set WEBHOOK_LISTEN and WEBHOOK_PORT to an address and port free here"
        ) from exc
    path = urlsplit(settings.webhook_url).path.rstrip("/")
    routes = [(rf"{re.escape(path)}/?", UpdateHandler, {"bot": bot, "queue": queue, "secret": settings.webhook_secret})]
    server = HTTPServer(Application(routes, log_function=_no_access_log))
    try:
        await bot.set_webhook(
            settings.webhook_url, allowed_updates=Update.ALL_TYPES, secret_token=settings.webhook_secret
        )
        server.add_sockets(sockets)
        yield
    finally:
        server.stop()
        for bound in sockets:  # those not yet given to the server
            bound.close()
        await server.close_all_connections()
