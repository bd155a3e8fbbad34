"""A fake Telegram Bot API server for end-to-end tests (stdlib only).

Run it with a context manager and point a real python-telegram-bot client at it::

    with FakeBotAPI() as server:
        app = (
            Application.builder()
            .token("123456:TEST-token")
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .build()
        )
        ...
        server.send_text(42, "hello")                      # inject an update
        [call] = server.wait_for("sendMessage", chat_id=42)  # blocking; see wait_for_async
        assert call.ok and server.messages(42) == ["..."]

Request encoding (python-telegram-bot 22): every call is a POST to ``<base_url><token>/<method>``.
Without files the body is ``application/x-www-form-urlencoded``; each field is the JSON dump of
the value, except plain strings which are sent as-is (so ``chat_id=42``, ``text=hello``,
``reply_markup={"inline_keyboard": ...}``, ``disable_notification=true``). With files the body
is ``multipart/form-data`` with the same fields plus file parts. JSON bodies and query strings
are accepted too.

Notes on realism:

* Message ids are per chat and shared between user and bot messages, as in private chats.
* ``parse_mode=HTML`` is checked with :func:`tests.html_check.parse_telegram_html` (tdlib's
  algorithm; additionally strict about bare ``&``). Markdown modes are not validated.
* Text is stripped of leading/trailing whitespace before the empty/length checks (Telegram does
  that too) and lengths are counted in UTF-16 code units.
* ``Call.time`` is :func:`time.monotonic`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.html_check import TelegramHTMLError, parse_telegram_html, utf16_len

__all__ = ["ApiError", "Call", "FakeBotAPI"]

JSON = dict[str, Any]
MethodHandler = Callable[[JSON], Any]

# The bot token the tests' servers and bots use.
TOKEN = "123456:TEST-token-abcdefghijklmnop"
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_CALLBACK_ANSWER_LENGTH = 200
# How long a test waits for the bot by default: 10 s was tight for a CI machine of 2 loaded cores, and a wait ends
# as soon as what it waits for comes, so a generous bound costs a passing test nothing.
WAIT_SECONDS = 30.0
# Who an anonymous group admin's messages come from (``sender_chat`` is then the group).
GROUP_ANONYMOUS_BOT: JSON = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
# Form fields whose values are plain strings and must never be JSON-decoded ("123" stays "123").
# fmt: off
_STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "query", "callback_query_id", "inline_query_id", "url", "data", "description",
    "short_description", "title", "next_offset", "switch_pm_text", "switch_pm_parameter", "secret_token",
    "ip_address", "language_code", "action", "emoji", "inline_message_id", "business_connection_id",
    "message_effect_id", "name", "result_id", "file_id", "sticker", "photo", "document", "video", "audio", "voice",
    "animation", "thumbnail", "address", "first_name", "last_name", "phone_number", "question", "explanation",
    "custom_emoji_id", "invite_link", "payload", "currency", "start_parameter", "vcard", "game_short_name",
    "certificate", "media",
})
# fmt: on
_JSONISH = re.compile(r"^(?:[\[{].*|-?\d+(?:\.\d+)?|true|false|null)$", re.S)
# fmt: off
_INLINE_BUTTON_ACTIONS = frozenset({
    "url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "login_url", "web_app", "callback_game", "pay", "copy_text",
})
# fmt: on
_BOT_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_MENTION_RE = re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")
_HASHTAG_RE = re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"']+", re.I)
_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    """Raise from a handler (see :meth:`FakeBotAPI.register`) to answer with ``ok: false``."""

    def __init__(self, error_code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class Call:
    """One request the server answered (``response`` is the JSON body it sent)."""

    method: str
    params: JSON
    time: float
    response: JSON
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def error_code(self) -> int | None:
        return self.response.get("error_code")

    @property
    def description(self) -> str | None:
        return self.response.get("description")

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    def summary(self) -> str:
        chat = f" chat_id={self.chat_id}" if "chat_id" in self.params else ""
        status = "ok" if self.ok else f"{self.error_code} {self.description!r}"
        text = self.params.get("text")
        shown = f" text={text[:60]!r}" if isinstance(text, str) else ""
        return f"{self.method}{chat}{shown} -> {status}"


@dataclass
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | str | None
    times: int


def _member_json(user: JSON, status: str, anonymous: bool = False) -> JSON:
    """A ChatMember of the Bot API with the fields its status requires."""
    entry: JSON = {"user": user, "status": status}
    if status == "kicked":
        entry["until_date"] = 0
    if status == "restricted":  # a member that may not send anything
        permissions = ("messages", "audios", "documents", "photos", "videos", "video_notes", "voice_notes", "polls")
        entry.update({f"can_send_{kind}": False for kind in (*permissions, "other_messages")})
        entry.update(
            is_member=True,
            until_date=0,
            can_add_web_page_previews=False,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            can_edit_tag=False,
            can_react_to_messages=False,
        )
    if status == "creator":
        entry["is_anonymous"] = anonymous
    if status == "administrator":
        entry.update(
            can_be_edited=False,
            is_anonymous=anonymous,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=False,
            can_restrict_members=False,
            can_promote_members=False,
            can_change_info=False,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
        )
    return entry


def _same_chat(a: Any, b: Any) -> bool:
    return str(a) == str(b)


def _coerce(name: str, value: str) -> Any:
    """Decode one form field the way the Bot API interprets it."""
    if name in _STRING_FIELDS or not _JSONISH.match(value):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default listen backlog is 5: a burst of new client connections (httpx opens one per
    # concurrent request) overflows it, and the dropped SYNs come back a second later or as reset connections.
    request_queue_size = 1024
    api: FakeBotAPI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-request (a test's SIGKILL) resets its connections: nothing to report.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.api._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.api._track_connection(self.connection, add=False)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        api = self.server.api
        body = self._read_body()
        url = urlsplit(self.path)
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", url.path)
        if file_match:
            status, content, ctype = api._serve_file(file_match.group(1), file_match.group(2))
            self._send(status, content, ctype)
            return
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z0-9_]+)/?", url.path)
        if not match:
            self._send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        try:
            params, files = self._parse_params(url.query, body)
        except ValueError as exc:
            self._send_json(400, _bad(f"can't parse request: {exc}").to_json())
            return
        status, payload = api._handle(match.group(1), match.group(2), params, files)
        if payload is None:  # injected connection drop
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send_json(status, payload)

    def _parse_params(self, query: str, body: bytes) -> tuple[JSON, dict[str, bytes]]:
        params: JSON = {k: _coerce(k, v) for k, v in parse_qsl(query, keep_blank_values=True)}
        files: dict[str, bytes] = {}
        ctype = self.headers.get("Content-Type", "")
        mime = ctype.split(";", 1)[0].strip().lower()
        if not body:
            return params, files
        if mime == "application/json":
            decoded = json.loads(body.decode("utf-8"))
            if not isinstance(decoded, dict):
                raise ValueError("JSON body must be an object")
            params.update(decoded)
        elif mime == "multipart/form-data":
            message = BytesParser(policy=policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not isinstance(name, str):
                    continue
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                filename = part.get_filename()
                if filename is not None:
                    files[name] = data
                    params[name] = {
                        "filename": filename,
                        "content_type": part.get_content_type(),
                        "size": len(data),
                    }
                else:
                    params[name] = _coerce(name, data.decode("utf-8"))
        else:  # application/x-www-form-urlencoded (what PTB sends without files)
            for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                params[key] = _coerce(key, value)
        return params, files

    def _send_json(self, status: int, payload: JSON) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), "application/json")

    def _send(self, status: int, content: bytes, ctype: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            # The client went away (e.g. PTB cancelled a long poll on shutdown).
            self.close_connection = True


class FakeBotAPI:
    """In-process fake of api.telegram.org; see the module docstring."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int = 123456,
        username: str = "newsbot_test_bot",
        first_name: str = "NewsBot Test",
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
        supports_inline_queries: bool = True,
        known_chats_only: bool = False,
        polls_conflict: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """``polls_conflict``: a ``getUpdates`` ends the one still waiting with 409 Conflict ("terminated by other
        getUpdates request"), as Telegram does when two processes poll one token. Off by default: a client
        stopped mid-poll leaves its request waiting here, which would be answered so. ``port``: the one to listen
        on (0: one the system gives), known before the server starts (a bot told of it before it is up)."""
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.first_name = first_name
        self.can_join_groups = can_join_groups
        self.can_read_all_group_messages = can_read_all_group_messages
        self.supports_inline_queries = supports_inline_queries
        self.known_chats_only = known_chats_only
        self.polls_conflict = polls_conflict
        self.host = host
        self._wanted_port = port
        # Chats for which sendMessage & co. answer 403 (mutate freely; guarded by the lock).
        self.blocked_chats: set[int] = set()
        # Groups whose admins restricted the bot from sending: sendMessage & co. answer 400 "have no rights".
        self.restricted_chats: set[int] = set()
        # Groups that became supergroups: old id -> new id (sendMessage & co. to the old id answer 400 with
        # ``parameters.migrate_to_chat_id``, as Telegram does; PTB raises ChatMigrated). See :meth:`migrate`.
        self.migrated_chats: dict[int, int] = {}
        # Forum topics deleted: (chat id, topic id). Sends to them answer 400 "message thread not found", every time.
        self.deleted_topics: set[tuple[int, int]] = set()
        # Seconds each method takes to answer (``slow``): the request waits before it is served, without the lock.
        self.delays: dict[str, float] = {}
        # Requests of each method that have come in, served or not (a slow one is in flight before it is a call).
        self.arrived: dict[str, int] = {}

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._connections: set[socket.socket] = set()
        self._handlers: dict[str, MethodHandler] = {}

        self._next_update_id = 1000
        self._polls = 0  # getUpdates calls so far: with ``polls_conflict``, only the newest one waits
        self._next_query_id = 5_000_000
        self._next_file_no = 1
        self._next_channel_id = -1_001_000_000_000
        self._next_message_id: dict[int, int] = {}
        self._init_state()

    def _init_state(self) -> None:
        self._calls: list[Call] = []
        self._updates: list[JSON] = []
        self._injected: dict[int, JSON] = {}
        self._failures: list[_Failure] = []
        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._messages: dict[int, dict[int, JSON]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._bot_msgs: set[tuple[int, int]] = set()  # (chat_id, message_id) sent by the bot
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._inline_queries: dict[str, bool] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._menu_buttons: dict[str, JSON] = {}
        self._webhook: JSON = {}
        self._admins: dict[int, dict[int, bool]] = {}  # chat -> {user id: is_anonymous}
        self._allowed_updates: list[str] | None = None
        self._served: dict[int, float] = {}  # update_id -> monotonic time getUpdates first returned it

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeBotAPI:
        if self._httpd is not None:
            raise RuntimeError("FakeBotAPI already started")
        self._stopping = False
        httpd = _HTTPServer((self.host, self._wanted_port), _Handler)
        httpd.api = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeBotAPI",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd = self._httpd
        if httpd is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()  # release long polls
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            if self._wanted_port:
                return self._wanted_port
            raise RuntimeError("FakeBotAPI is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url`` / ``Bot(base_url=...)`` (PTB appends the token)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def _track_connection(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # ------------------------------------------------------------------ configuration
    def register(self, method: str, handler: MethodHandler) -> None:
        """Serve an extra (or override a built-in) method: ``handler(params) -> result``.

        Raise :class:`ApiError` for an error answer. Called with the server lock held.
        """
        with self._lock:
            self._handlers[method.lower()] = handler

    def fail_next(
        self,
        method: str,
        error_code: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally only for ``chat_id``) fail.

        ``retry_after`` adds ``parameters.retry_after`` (PTB raises ``RetryAfter``).
        ``error_code=0`` drops the connection without an answer (PTB raises ``NetworkError``).
        """
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
                retry_after = retry_after or 1
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, "Internal Server Error")
        with self._lock:
            self._failures.append(_Failure(method.lower(), error_code, description, retry_after, chat_id, times))

    def slow(self, method: str, seconds: float) -> None:
        """Make every call of ``method`` take ``seconds`` before it is served (0 to stop)."""
        with self._lock:
            self.delays[method.lower()] = seconds

    def set_admins(self, chat_id: int, user_ids: list[int], anonymous: tuple[int, ...] = ()) -> None:
        """The administrators of a group (the first is its creator); ``anonymous`` ones post as the group."""
        with self._lock:
            self._ensure_chat(chat_id, None, None, None)
            self._admins[chat_id] = {user_id: user_id in anonymous for user_id in user_ids}

    def delete_topic(self, chat_id: int, topic: int) -> None:
        """An admin deleted the forum topic ``topic``: every send to it is refused as Telegram refuses it."""
        with self._lock:
            self.deleted_topics.add((chat_id, topic))

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group ``chat_id`` became the supergroup ``new_chat_id``: the bot's sends to the old id are refused
        with ``migrate_to_chat_id`` (no service messages are injected: see :meth:`migration_messages`)."""
        with self._lock:
            old = self._ensure_chat(chat_id, "group", None, None)
            self._ensure_chat(new_chat_id, "supergroup", old.get("title"), None)
            self.migrated_chats[chat_id] = new_chat_id
            if chat_id in self._admins:
                self._admins[new_chat_id] = dict(self._admins[chat_id])

    def migration_messages(self, chat_id: int) -> tuple[int, int]:
        """The two service messages Telegram sends a bot when a group it is in migrates (after :meth:`migrate`):
        ``migrate_to_chat_id`` in the old group, ``migrate_from_chat_id`` in the new one. Returns their update ids."""
        with self._lock:
            new_chat_id = self.migrated_chats[chat_id]
            old_message = self._new_user_message(chat_id, None, None, None)
            old_message["migrate_to_chat_id"] = new_chat_id
            new_message = self._new_user_message(new_chat_id, None, None, None)
            new_message["migrate_from_chat_id"] = chat_id
            return self.add_update({"message": old_message}), self.add_update({"message": new_message})

    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> JSON:
        """Define how a user looks in injected updates (otherwise ``User<id>``/``user<id>``)."""
        user: JSON = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
            "username": username or f"user{user_id}",
        }
        if last_name:
            user["last_name"] = last_name
        if language_code:
            user["language_code"] = language_code
        with self._lock:
            self._users[user_id] = user
            chat = self._chats.get(user_id)
            if chat is not None and chat["type"] == "private":
                chat.update(first_name=user["first_name"], username=user["username"])
        return copy.deepcopy(user)

    def reset(self) -> None:
        """Forget calls, pending updates, failures, chats, messages and blocked chats.

        Update/message id counters keep increasing so a running client's offset stays valid.
        """
        with self._cond:
            self._init_state()
            self.blocked_chats.clear()
            self.restricted_chats.clear()
            self.migrated_chats.clear()
            self.deleted_topics.clear()
            self.delays.clear()
            self._cond.notify_all()

    # ------------------------------------------------------------------ inspection
    def wait_arrived(self, method: str, count: int = 1, timeout: float = 30.0) -> None:
        """Block until ``count`` requests of ``method`` have come in, served or still in flight (``slow``)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.arrived.get(method.lower(), 0) >= count, timeout):
                raise AssertionError(f"{count} {method} requests did not come in within {timeout} s")

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if self._call_matches(c, method, chat_id, None)]

    def sent_counts(self, method: str = "sendMessage") -> dict[int, int]:
        """How many successful ``method`` calls each chat got (chat id -> count)."""
        counts: dict[int, int] = {}
        with self._lock:
            for call in self._calls:
                if call.ok and call.method.lower() == method.lower():
                    chat_id = int(call.params["chat_id"])
                    counts[chat_id] = counts.get(chat_id, 0) + 1
        return counts

    @staticmethod
    def _call_matches(
        call: Call,
        method: str | None,
        chat_id: int | str | None,
        predicate: Callable[[Call], bool] | None,
    ) -> bool:
        if method is not None and call.method.lower() != method.lower():
            return False
        if chat_id is not None and not _same_chat(call.params.get("chat_id"), chat_id):
            return False
        return predicate is None or bool(predicate(call))

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        count: int = 1,
        timeout: float = WAIT_SECONDS,
        *,
        chat_id: int | str | None = None,
    ) -> list[Call]:
        """Block until at least ``count`` matching calls were answered; return all matches.

        Do not call this from the event loop thread that runs the bot (it would block the
        bot); use :meth:`wait_for_async` there.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if self._call_matches(c, method, chat_id, predicate)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._timeout_report(method, chat_id, count, found, timeout))
                self._cond.wait(remaining)

    async def wait_for_async(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        count: int = 1,
        timeout: float = WAIT_SECONDS,
        *,
        chat_id: int | str | None = None,
    ) -> list[Call]:
        """:meth:`wait_for` for async tests (waits in a worker thread)."""
        return await asyncio.to_thread(self.wait_for, method, predicate, count, timeout, chat_id=chat_id)

    def _timeout_report(
        self, method: str, chat_id: int | str | None, count: int, found: list[Call], timeout: float
    ) -> str:
        polls = sum(1 for c in self._calls if c.method.lower() == "getupdates")
        seen = [c.summary() for c in self._calls if c.method.lower() != "getupdates"]
        where = f" for chat_id={chat_id}" if chat_id is not None else ""
        lines = [
            f"timed out after {timeout}s waiting for {count} {method} call(s){where}; {len(found)} matched.",
            f"Seen {len(seen)} call(s) besides {polls} getUpdates; last ones:",
            *(f"  {line}" for line in seen[-25:]),
            f"Pending (unconfirmed) updates: {[u['update_id'] for u in self._updates]}",
        ]
        return "\n".join(lines)

    def messages(self, chat_id: int) -> list[str]:
        """Current text (or caption) of the bot's non-deleted messages in a chat, oldest first."""
        return [m.get("text", m.get("caption", "")) for m in self.bot_messages(chat_id)]

    def bot_messages(self, chat_id: int) -> list[JSON]:
        """Copies of the bot's current (edited, non-deleted) messages in a chat."""
        with self._lock:
            chat_messages = self._messages.get(chat_id, {})
            return [
                copy.deepcopy(msg)
                for msg_id, msg in sorted(chat_messages.items())
                if (chat_id, msg_id) in self._bot_msgs and (chat_id, msg_id) not in self._deleted
            ]

    def get_message(self, chat_id: int, message_id: int) -> JSON:
        """Copy of any stored message (user's or bot's); KeyError if unknown or deleted."""
        with self._lock:
            return copy.deepcopy(self._stored_message(chat_id, message_id))

    def get_update(self, update_id: int) -> JSON:
        """The payload of an injected update (e.g. to read a callback/inline query id)."""
        with self._lock:
            return copy.deepcopy(self._injected[update_id])

    def deliver(self, url: str, update_id: int, secret: str) -> int:
        """POST an injected update to a bot's webhook as Telegram does, waiting up to WAIT_SECONDS for its web
        server to listen; returns the HTTP status (Telegram delivers again what got no 200)."""
        return self.post_to_webhook(url, self.get_update(update_id), secret)

    @staticmethod
    def post_to_webhook(url: str, payload: object, secret: str) -> int:
        """POST `payload` (any JSON, an update or not) to a bot's webhook as `deliver` does; returns the HTTP
        status."""
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
        )
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                return exc.code
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def served_at(self, update_id: int) -> float | None:
        """When ``getUpdates`` first returned the update (:func:`time.monotonic`), or None if not yet."""
        with self._lock:
            return self._served.get(update_id)

    def served_times(self) -> dict[int, float]:
        """``update_id -> served_at`` for every update ``getUpdates`` has returned so far."""
        with self._lock:
            return dict(self._served)

    def polls_received(self) -> int:
        """How many ``getUpdates`` calls have arrived, answered or still waiting."""
        with self._lock:
            return self._polls

    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed via ``getUpdates(offset=...)``."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # ------------------------------------------------------------------ update injection
    def add_update(self, payload: JSON) -> int:
        """Queue a raw update (``update_id`` is assigned) and return its id."""
        with self._cond:
            update_id = self._next_update_id
            self._next_update_id += 1
            update = {"update_id": update_id, **copy.deepcopy(payload)}
            self._updates.append(update)
            self._injected[update_id] = update
            self._cond.notify_all()
            return update_id

    def send_text(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str | None = None,
        reply_to_bot_message_id: int | None = None,
        *,
        entities: list[JSON] | None = None,
        title: str | None = None,
        as_group: bool = False,
        topic: int | None = None,
        forwarded_from: str | None = None,
        via_bot: bool = False,
    ) -> int:
        """A user writes ``text``; entities (bot_command, mention, hashtag, url) are computed
        unless given. ``chat_type`` defaults to private for positive ids, supergroup for
        ``-100...`` ids and group otherwise. ``as_group``: an anonymous admin writes as the group
        itself (``from`` is Telegram's GroupAnonymousBot, ``sender_chat`` the group). ``topic``: the
        message is in that forum topic (the supergroup becomes a forum). ``forwarded_from``: the user
        forwards a post of the channel of that title (``forward_origin``). ``via_bot``: the user sent
        a result of this bot's inline mode (``via_bot`` is the bot)."""
        with self._lock:
            msg = self._new_user_message(chat_id, user_id, chat_type, title, topic)
            if via_bot:
                msg["via_bot"] = self.bot_user
            if forwarded_from is not None:
                channel = {"id": -1_009_000_000_001, "type": "channel", "title": forwarded_from}
                msg["forward_origin"] = {"type": "channel", "chat": channel, "message_id": 1, "date": msg["date"]}
            if as_group:
                msg["from"] = copy.deepcopy(GROUP_ANONYMOUS_BOT)
                msg["sender_chat"] = copy.deepcopy(msg["chat"])
            msg["text"] = text
            ents = self._auto_entities(text) if entities is None else entities
            if ents:
                msg["entities"] = ents
            if reply_to_bot_message_id is not None:
                msg["reply_to_message"] = self._reply_copy(chat_id, reply_to_bot_message_id)
            self._store(msg)
            return self.add_update({"message": msg})

    def channel_post(self, chat_id: int, text: str, title: str | None = None) -> int:
        """An admin posts ``text`` in the channel ``chat_id``: a ``channel_post`` update, without ``from`` and with
        the channel itself as ``sender_chat``, as Telegram sends it to a bot that is an admin of the channel."""
        with self._lock:
            msg = self._new_user_message(chat_id, None, "channel", title)
            del msg["from"]
            msg["sender_chat"] = copy.deepcopy(msg["chat"])
            msg["text"] = text
            if entities := self._auto_entities(text):
                msg["entities"] = entities
            self._store(msg)
            return self.add_update({"channel_post": msg})

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """A message is deleted by its writer or a group's admin (or bot): replies to it are refused from now on,
        unless they allow sending without the reply."""
        with self._lock:
            self._stored_message(chat_id, message_id)
            self._deleted.add((chat_id, message_id))

    def send_command(
        self,
        chat_id: int,
        command: str,
        args: str = "",
        user_id: int | None = None,
        chat_type: str | None = None,
        *,
        mention_bot: bool | None = None,
        title: str | None = None,
        as_group: bool = False,
        topic: int | None = None,
    ) -> int:
        """``/command args``; in groups the bot's username is appended unless
        ``mention_bot=False``."""
        in_group = (chat_type or self._infer_chat_type(chat_id)) != "private"
        name = command.lstrip("/")
        if mention_bot or (mention_bot is None and in_group):
            name = f"{name}@{self.username}"
        text = f"/{name}" + (f" {args}" if args else "")
        return self.send_text(chat_id, text, user_id, chat_type, title=title, as_group=as_group, topic=topic)

    def edit_text(self, chat_id: int, message_id: int, text: str, user_id: int | None = None) -> int:
        """The user edits their earlier message -> ``edited_message`` update (``edited_channel_post`` in a
        channel, whose posts are the channel's own)."""
        with self._lock:
            msg = self._stored_message(chat_id, message_id)
            if (chat_id, message_id) in self._bot_msgs:
                raise ValueError("users cannot edit the bot's messages")
            if user_id is not None and msg["from"]["id"] != user_id:
                raise ValueError(f"message {message_id} was not written by user {user_id}")
            msg["text"] = text
            msg.pop("entities", None)
            ents = self._auto_entities(text)
            if ents:
                msg["entities"] = ents
            msg["edit_date"] = int(time.time())
            kind = "edited_channel_post" if msg["chat"]["type"] == "channel" else "edited_message"
            return self.add_update({kind: msg})

    def send_photo(
        self,
        chat_id: int,
        caption: str | None = None,
        user_id: int | None = None,
        chat_type: str | None = None,
        *,
        content: bytes = b"\x89PNG\r\n\x1a\n fake image",
        width: int = 640,
        height: int = 480,
    ) -> int:
        """A user sends a photo (two sizes); ``getFile`` + file download serve ``content``."""
        with self._lock:
            msg = self._new_user_message(chat_id, user_id, chat_type, None)
            sizes = []
            for scale in (4, 1):
                file_id = self._add_file("photos", ".jpg", content)
                sizes.append(
                    {
                        "file_id": file_id,
                        "file_unique_id": f"u{file_id}",
                        "width": width // scale,
                        "height": height // scale,
                        "file_size": len(content),
                    }
                )
            msg["photo"] = sizes
            if caption is not None:
                msg["caption"] = caption
                ents = self._auto_entities(caption)
                if ents:
                    msg["caption_entities"] = ents
            self._store(msg)
            return self.add_update({"message": msg})

    def send_sticker(
        self,
        chat_id: int,
        emoji: str = "\N{THUMBS UP SIGN}",
        user_id: int | None = None,
        chat_type: str | None = None,
    ) -> int:
        with self._lock:
            msg = self._new_user_message(chat_id, user_id, chat_type, None)
            file_id = self._add_file("stickers", ".webp", b"RIFF fake webp")
            msg["sticker"] = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            }
            self._store(msg)
            return self.add_update({"message": msg})

    def send_service(self, chat_id: int, fields: JSON, user_id: int | None = None, chat_type: str | None = None) -> int:
        """A service message in the chat, as Telegram makes one when someone changes something there: ``fields``
        name the change (``{"message_auto_delete_timer_changed": {...}}``, ``{"chat_background_set": {...}}``)."""
        with self._lock:
            msg = self._new_user_message(chat_id, user_id, chat_type, None)
            msg.update(copy.deepcopy(fields))
            self._store(msg)
            return self.add_update({"message": msg})

    def pin_message(self, chat_id: int, message_id: int, user_id: int | None = None, *, seen: bool = True) -> int:
        """Someone pins message ``message_id``: the service message carries it, or, when the bot could not see it
        (``seen=False``: deleted, or a group's message a bot in privacy mode is not sent), an
        ``InaccessibleMessage`` (its chat, its id and a ``date`` of 0)."""
        with self._lock:
            chat = self._ensure_chat(chat_id, None, None, None)
            pinned = (
                self._reply_copy(chat_id, message_id)
                if seen
                else {"chat": copy.deepcopy(chat), "message_id": message_id, "date": 0}
            )
        return self.send_service(chat_id, {"pinned_message": pinned}, user_id)

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str | None,
        user_id: int | None = None,
        *,
        force: bool = False,
    ) -> int:
        """A user presses the inline button with ``callback_data == data`` under a bot message (``None``, with
        ``force``: a press that carries no data, as a tampered client can send).

        Raises ValueError if the message has no such button (unless ``force``). The callback
        query id is ``get_update(update_id)["callback_query"]["id"]``.
        """
        with self._lock:
            msg = self._stored_message(chat_id, message_id)
            if not force:
                buttons = [
                    b.get("callback_data")
                    for row in msg.get("reply_markup", {}).get("inline_keyboard", [])
                    for b in row
                ]
                if data not in buttons:
                    raise ValueError(
                        f"message {message_id} in chat {chat_id} has no button with "
                        f"callback_data {data!r}; buttons: {buttons}"
                    )
            uid = self._default_user_id(chat_id, user_id)
            query_id = self._new_query_id()
            self._callback_queries[query_id] = False
            query = {
                "id": query_id,
                "from": self._user(uid),
                "message": copy.deepcopy(msg),
                "chat_instance": str(abs(chat_id) * 7 + 13),
            }
            if data is not None:
                query["data"] = data
            return self.add_update({"callback_query": query})

    def press_inline_button(self, user_id: int, inline_message_id: str, data: str) -> int:
        """A user presses the button with ``callback_data == data`` under an inline result the bot's answer was
        sent as (``inline_message_id``): the press names no chat and no message."""
        with self._lock:
            query_id = self._new_query_id()
            self._callback_queries[query_id] = False
            query = {
                "id": query_id,
                "from": self._user(user_id),
                "inline_message_id": inline_message_id,
                "chat_instance": str(user_id * 7 + 13),
                "data": data,
            }
            return self.add_update({"callback_query": query})

    def inline_query(self, user_id: int, query: str, offset: str = "", *, chat_type: str = "sender") -> int:
        """Inline query; its id is ``get_update(update_id)["inline_query"]["id"]``."""
        with self._lock:
            query_id = self._new_query_id()
            self._inline_queries[query_id] = False
            payload = {
                "id": query_id,
                "from": self._user(user_id),
                "query": query,
                "offset": offset,
                "chat_type": chat_type,
            }
            return self.add_update({"inline_query": payload})

    def chosen_inline_result(
        self,
        user_id: int,
        result_id: str,
        query: str = "",
        inline_message_id: str | None = None,
    ) -> int:
        result: JSON = {"result_id": result_id, "from": self._user(user_id), "query": query}
        if inline_message_id is not None:
            result["inline_message_id"] = inline_message_id
        return self.add_update({"chosen_inline_result": result})

    def my_chat_member(
        self,
        chat_id: int,
        new_status: str = "kicked",
        old_status: str = "member",
        user_id: int | None = None,
        chat_type: str | None = None,
    ) -> int:
        """The bot's membership changes (``kicked`` in a private chat = user blocked the bot).

        ``kicked``/``left`` add ``chat_id`` to :attr:`blocked_chats`, ``restricted`` (no right to send) to
        :attr:`restricted_chats`, ``member``/``administrator`` remove it.
        """
        with self._lock:
            chat = self._ensure_chat(chat_id, chat_type, None, user_id)
            uid = self._default_user_id(chat_id, user_id)

            if new_status in ("kicked", "left"):
                self.blocked_chats.add(chat_id)
            elif new_status == "restricted":
                self.restricted_chats.add(chat_id)
            elif new_status in ("member", "administrator"):
                self.blocked_chats.discard(chat_id)
                self.restricted_chats.discard(chat_id)
            payload = {
                "chat": copy.deepcopy(chat),
                "from": self._user(uid),
                "date": int(time.time()),
                "old_chat_member": _member_json(self.bot_user, old_status),
                "new_chat_member": _member_json(self.bot_user, new_status),
            }
            return self.add_update({"my_chat_member": payload})

    # ------------------------------------------------------------------ state helpers
    @staticmethod
    def _infer_chat_type(chat_id: int) -> str:
        if chat_id > 0:
            return "private"
        return "supergroup" if str(chat_id).startswith("-100") else "group"

    def _default_user_id(self, chat_id: int, user_id: int | None) -> int:
        if user_id is not None:
            return user_id
        return chat_id if chat_id > 0 else 1001

    def _user(self, user_id: int) -> JSON:
        user = self._users.get(user_id)
        if user is None:
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User{user_id}",
                "username": f"user{user_id}",
                "language_code": "en",
            }
            self._users[user_id] = user
        return copy.deepcopy(user)

    def _ensure_chat(self, chat_id: int, chat_type: str | None, title: str | None, user_id: int | None) -> JSON:
        chat = self._chats.get(chat_id)
        if chat is not None:
            if title and chat["type"] != "private":
                chat["title"] = title
            return chat
        ctype = chat_type or self._infer_chat_type(chat_id)
        if ctype == "private":
            if chat_id <= 0:
                raise ValueError("private chats have positive ids")
            user = self._user(user_id if user_id is not None else chat_id)
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        else:
            if chat_id >= 0:
                raise ValueError(f"{ctype} chats have negative ids")
            chat = {"id": chat_id, "type": ctype, "title": title or f"Test {ctype} {abs(chat_id)}"}
        self._chats[chat_id] = chat
        return chat

    def _new_user_message(
        self, chat_id: int, user_id: int | None, chat_type: str | None, title: str | None, topic: int | None = None
    ) -> JSON:
        chat = self._ensure_chat(chat_id, chat_type, title, user_id)
        if topic is not None:
            if chat["type"] != "supergroup":
                raise ValueError("forum topics are in supergroups")
            chat["is_forum"] = True
        uid = self._default_user_id(chat_id, user_id)
        msg = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": copy.deepcopy(chat),
            "from": self._user(uid),
        }
        if topic is not None:
            msg.update(message_thread_id=topic, is_topic_message=True)
        return msg

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _new_query_id(self) -> str:
        self._next_query_id += 1
        return str(self._next_query_id)

    def _add_file(self, folder: str, suffix: str, content: bytes) -> str:
        number = self._next_file_no
        self._next_file_no += 1
        file_id = f"AgACAgIAAxkBAAI{number:06d}"
        self._files[file_id] = (f"{folder}/file_{number}{suffix}", content)
        return file_id

    def _store(self, msg: JSON) -> None:
        self._messages.setdefault(msg["chat"]["id"], {})[msg["message_id"]] = msg

    def _stored_message(self, chat_id: int, message_id: int) -> JSON:
        msg = self._messages.get(chat_id, {}).get(message_id)
        if msg is None or (chat_id, message_id) in self._deleted:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return msg

    def _reply_copy(self, chat_id: int, message_id: int) -> JSON:
        reply = copy.deepcopy(self._stored_message(chat_id, message_id))
        reply.pop("reply_to_message", None)
        return reply

    @staticmethod
    def _auto_entities(text: str) -> list[JSON]:
        found: list[tuple[int, int, str]] = []
        for regex, kind in (
            (_BOT_COMMAND_RE, "bot_command"),
            (_MENTION_RE, "mention"),
            (_HASHTAG_RE, "hashtag"),
            (_URL_RE, "url"),
        ):
            for m in regex.finditer(text):
                start, end = m.start(), m.end()
                if kind == "url":
                    while end > start and text[end - 1] in ".,;:!?)]}":
                        end -= 1
                found.append((start, end, kind))
        found.sort()
        entities: list[JSON] = []
        last_end = -1
        for start, end, kind in found:
            if start < last_end:
                continue  # overlapping (e.g. a mention inside a url)
            entities.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[:start]),
                    "length": utf16_len(text[start:end]),
                }
            )
            last_end = end
        return entities

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope_obj = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope_obj, sort_keys=True), str(language_code or "")

    # ------------------------------------------------------------------ request handling
    def _handle(self, token: str, method: str, params: JSON, files: dict[str, bytes]) -> tuple[int, JSON | None]:
        started = time.monotonic()
        status, payload = self._answer(token, method, params)
        record = (
            payload
            if payload is not None
            else {
                "ok": False,
                "error_code": 0,
                "description": "connection dropped (injected)",
            }
        )
        with self._cond:
            self._calls.append(Call(method, params, started, record, files))
            self._cond.notify_all()
        return status, payload

    def _answer(self, token: str, method: str, params: JSON) -> tuple[int, JSON | None]:
        if self.token is not None and token != self.token:
            if ":" not in token:
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        key = method.lower()
        with self._cond:
            self.arrived[key] = self.arrived.get(key, 0) + 1
            self._cond.notify_all()
        delay = self.delays.get(key, 0.0)
        if delay > 0:
            time.sleep(delay)
        with self._lock:
            failure = self._take_failure(key, params)
            handler = self._handlers.get(key) or getattr(self, f"_m_{key}", None)
        if failure is not None:
            if failure.error_code == 0:
                return 0, None
            parameters = {"retry_after": failure.retry_after} if failure.retry_after else None
            error = ApiError(failure.error_code, failure.description, parameters)
            return failure.error_code, error.to_json()
        if handler is None:
            return 404, {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        try:
            if handler == self._m_getupdates:
                result = handler(params)  # waits on the condition itself (must not hold the lock)
            else:
                with self._lock:
                    result = handler(params)
        except ApiError as exc:
            return exc.error_code, exc.to_json()
        except Exception as exc:
            return 500, {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: {type(exc).__name__}: {exc}",
            }
        return 200, {"ok": True, "result": result}

    def _take_failure(self, method: str, params: JSON) -> _Failure | None:
        for failure in self._failures:
            if failure.method != method:
                continue
            if failure.chat_id is not None and not _same_chat(params.get("chat_id"), failure.chat_id):
                continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            return failure
        return None

    def _serve_file(self, token: str, file_path: str) -> tuple[int, bytes, str]:
        if self.token is not None and token != self.token:
            return 401, b"Unauthorized", "text/plain"
        with self._lock:
            for path, content in self._files.values():
                if path == file_path:
                    return 200, content, "application/octet-stream"
        return 404, b"Not Found", "text/plain"

    # -- validation helpers --------------------------------------------------------------
    def _resolve_chat(self, value: Any) -> JSON:
        if value is None or value == "":
            raise _bad("chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            for chat in self._chats.values():
                if str(chat.get("username", "")).lower() == value[1:].lower():
                    return chat
            if self.known_chats_only:
                raise _bad("chat not found")
            chat_id = self._next_channel_id
            self._next_channel_id -= 1
            chat = {"id": chat_id, "type": "channel", "title": value[1:], "username": value[1:]}
            self._chats[chat_id] = chat
            return chat
        try:
            chat_id = int(value)
        except (TypeError, ValueError):
            raise _bad("chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.known_chats_only or chat_id == 0:
                raise _bad("chat not found")
            chat = self._ensure_chat(chat_id, None, None, None)
        return chat

    def _check_not_blocked(self, chat: JSON) -> None:
        if chat["id"] in self.migrated_chats:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated_chats[chat["id"]]},
            )
        self._check_bot_in(chat)
        if chat["id"] in self.restricted_chats:
            raise _bad("have no rights to send a message")

    def _check_bot_in(self, chat: JSON) -> None:
        """Telegram's refusal of anything about a chat that blocked or removed the bot."""
        if chat["id"] in self.blocked_chats:
            reason = {
                "private": "bot was blocked by the user",
                "group": "bot was kicked from the group chat",
                "supergroup": "bot was kicked from the supergroup chat",
                "channel": "bot is not a member of the channel chat",
            }[chat["type"]]
            raise ApiError(403, f"Forbidden: {reason}")

    @staticmethod
    def _format_text(
        text: Any, parse_mode: Any, entities: Any, too_long: str, limit: int = MAX_MESSAGE_LENGTH
    ) -> tuple[str, list[JSON]]:
        if text is None:
            raise _bad("message text is empty")
        text = str(text)
        ents: list[JSON] = []
        if isinstance(entities, list):
            ents = copy.deepcopy(entities)
        elif parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    parsed = parse_telegram_html(text)
                except TelegramHTMLError as exc:
                    raise _bad(f"can't parse entities: {exc.reason}") from None
                text, ents = parsed.text, parsed.entities
            elif mode not in ("markdown", "markdownv2"):
                raise _bad("unsupported parse_mode")
        stripped = text.strip()
        if not stripped:
            raise _bad("message text is empty")
        if stripped != text:
            lead = utf16_len(text[: len(text) - len(text.lstrip())])
            size = utf16_len(stripped)
            shifted = []
            for ent in ents:
                start = max(0, ent["offset"] - lead)
                end = min(size, ent["offset"] + ent["length"] - lead)
                if end > start:
                    shifted.append({**ent, "offset": start, "length": end - start})
            text, ents = stripped, shifted
        if utf16_len(text) > limit:
            raise _bad(too_long)
        return text, ents

    @staticmethod
    def _check_markup(markup: Any) -> JSON | None:
        """Validate reply_markup; return it if it is an inline keyboard (to echo), else None."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    data = str(button["callback_data"])
                    if not data or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                        raise _bad("BUTTON_DATA_INVALID")
                elif "url" in button:
                    url = str(button["url"])
                    if not re.match(r"^(?:https?|tg)://\S+$", url, re.I):
                        raise _bad("BUTTON_URL_INVALID")
                elif not _INLINE_BUTTON_ACTIONS.intersection(button):
                    raise _bad("text buttons are unallowed in the inline keyboard")
        return copy.deepcopy(markup)

    def _bot_message_for_edit(self, params: JSON) -> JSON | None:
        """The stored message addressed by chat_id/message_id, or None for inline messages."""
        if params.get("inline_message_id"):
            return None
        if params.get("chat_id") in (None, "") or params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        chat = self._resolve_chat(params["chat_id"])
        self._check_not_blocked(chat)
        try:
            msg = self._stored_message(chat["id"], int(params["message_id"]))
        except (KeyError, ValueError):
            raise _bad("message to edit not found") from None
        if (chat["id"], msg["message_id"]) not in self._bot_msgs:
            raise _bad("message can't be edited")
        return msg

    # -- methods (called with the lock held, except getUpdates) --------------------------
    def _m_getme(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_getupdates(self, params: JSON) -> list[JSON]:
        def number(name: str, default: int) -> int:
            try:
                return int(params.get(name, default) or 0)
            except (TypeError, ValueError):
                raise _bad(f"invalid {name}") from None

        offset = number("offset", 0)
        limit = min(max(number("limit", 100) or 100, 1), 100)
        timeout = max(number("timeout", 0), 0)
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed] or None
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            self._polls += 1
            poll = self._polls
            if self.polls_conflict:
                self._cond.notify_all()  # the poll waiting until now ends
            while True:
                if self.polls_conflict and poll != self._polls:
                    raise ApiError(409, _DEFAULT_DESCRIPTIONS[409])
                batch = [u for u in self._updates if self._is_allowed(u)][:limit]
                if batch or self._stopping:
                    served = time.monotonic()
                    for update in batch:
                        self._served.setdefault(update["update_id"], served)
                    return copy.deepcopy(batch)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)

    def _is_allowed(self, update: JSON) -> bool:
        if self._allowed_updates is None:
            return True
        kind = next((k for k in update if k != "update_id"), "")
        return kind in self._allowed_updates

    def _m_deletewebhook(self, params: JSON) -> bool:
        self._webhook = {}
        if params.get("drop_pending_updates") is True:
            self._updates = []
        return True

    def _m_setwebhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if url and not url.lower().startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {"url": url, "params": copy.deepcopy(params)} if url else {}
        if params.get("drop_pending_updates") is True:
            self._updates = []
        return True

    def _m_getwebhookinfo(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _m_setmycommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _COMMAND_NAME_RE.match(str(cmd.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            description = str(cmd.get("description", ""))
            if not description.strip() or len(description) > 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = copy.deepcopy(commands)
        return True

    def _m_getmycommands(self, params: JSON) -> list[JSON]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    def _m_deletemycommands(self, params: JSON) -> bool:
        self._commands.pop(self._commands_key(params.get("scope"), params.get("language_code")), None)
        return True

    def _m_setchatmenubutton(self, params: JSON) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        self._menu_buttons[str(params.get("chat_id", ""))] = copy.deepcopy(button)
        return True

    def _m_getchatmenubutton(self, params: JSON) -> JSON:
        return copy.deepcopy(self._menu_buttons.get(str(params.get("chat_id", "")), {"type": "commands"}))

    def _m_sendmessage(self, params: JSON) -> JSON:
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_not_blocked(chat)
        text, entities = self._format_text(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            too_long="message is too long",
        )
        markup = self._check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat["id"], params)
        msg: JSON = {
            "message_id": self._new_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": copy.deepcopy(chat),
            "text": text,
        }
        if chat["type"] != "channel":
            msg["from"] = self.bot_user
        else:
            msg["sender_chat"] = copy.deepcopy(chat)
        if entities:
            msg["entities"] = entities
        if markup is not None:
            msg["reply_markup"] = markup
        if reply is not None:
            msg["reply_to_message"] = reply
        topic = params.get("message_thread_id")
        if topic is not None:
            if not chat.get("is_forum") or (chat["id"], topic) in self.deleted_topics:
                raise _bad("message thread not found")
            msg.update(message_thread_id=topic, is_topic_message=True)
        self._store(msg)
        self._bot_msgs.add((chat["id"], msg["message_id"]))
        return copy.deepcopy(msg)

    def _reply_target(self, chat_id: int, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply"))
            target_chat = reply.get("chat_id", chat_id)
        elif params.get("reply_to_message_id") is not None:
            message_id = params.get("reply_to_message_id")
            allow = bool(params.get("allow_sending_without_reply"))
            target_chat = chat_id
        else:
            return None
        try:
            target = self._resolve_chat(target_chat)["id"]
            return self._reply_copy(target, int(message_id))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError, ApiError):
            if allow:
                return None
            raise _bad("message to be replied not found") from None

    def _m_editmessagetext(self, params: JSON) -> JSON | bool:
        msg = self._bot_message_for_edit(params)
        text, entities = self._format_text(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            too_long="MESSAGE_TOO_LONG",
        )
        markup = self._check_markup(params.get("reply_markup"))
        if msg is None:
            return True
        if msg.get("text") == text and msg.get("entities", []) == entities and msg.get("reply_markup") == markup:
            raise _bad(NOT_MODIFIED[len("Bad Request: ") :])
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        msg["text"] = text
        msg.pop("entities", None)
        if entities:
            msg["entities"] = entities
        msg.pop("reply_markup", None)
        if markup is not None:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        return copy.deepcopy(msg)

    def _m_editmessagereplymarkup(self, params: JSON) -> JSON | bool:
        msg = self._bot_message_for_edit(params)
        markup = self._check_markup(params.get("reply_markup"))
        if msg is None:
            return True
        if msg.get("reply_markup") == markup:
            raise _bad(NOT_MODIFIED[len("Bad Request: ") :])
        msg.pop("reply_markup", None)
        if markup is not None:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        return copy.deepcopy(msg)

    def _m_deletemessage(self, params: JSON) -> bool:
        chat = self._resolve_chat(params.get("chat_id"))
        try:
            message_id = int(params.get("message_id"))  # type: ignore[arg-type]
            self._stored_message(chat["id"], message_id)
        except (KeyError, TypeError, ValueError):
            raise _bad("message to delete not found") from None
        self._deleted.add((chat["id"], message_id))
        return True

    def _m_answercallbackquery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self._callback_queries.get(query_id, True):  # unknown or already answered
            raise ApiError(400, QUERY_INVALID)
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        return True

    def _m_answerinlinequery(self, params: JSON) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if self._inline_queries.get(query_id, True):
            raise ApiError(400, QUERY_INVALID)
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict) or not result.get("id") or not result.get("type"):
                raise _bad('can\'t parse InlineQueryResult: field "id" or "type" is missing')
            result_id = str(result["id"])
            if len(result_id.encode("utf-8")) > 64:
                raise _bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                self._format_text(
                    content.get("message_text"),
                    content.get("parse_mode"),
                    content.get("entities"),
                    too_long="MESSAGE_TOO_LONG",
                )
            self._check_markup(result.get("reply_markup"))
        self._inline_queries[query_id] = True
        return True

    def _m_sendchataction(self, params: JSON) -> bool:
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_not_blocked(chat)
        if not params.get("action"):
            raise _bad("action is empty")
        return True

    def _m_getchat(self, params: JSON) -> JSON:
        value = params.get("chat_id")
        chat_id = value if isinstance(value, int) else None
        if isinstance(value, str) and value.lstrip("-").isdigit():
            chat_id = int(value)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None and isinstance(value, str) and value.startswith("@"):
            chat = next(
                (c for c in self._chats.values() if c.get("username", "").lower() == value[1:].lower()),
                None,
            )
        if chat is None:
            raise _bad("chat not found")
        return {
            **copy.deepcopy(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _m_getchatadministrators(self, params: JSON) -> list[JSON]:
        chat = self._resolve_chat(params.get("chat_id"))
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        admins = self._admins.get(chat["id"], {})
        return [
            _member_json(self._user(user_id), "creator" if n == 0 else "administrator", anonymous)
            for n, (user_id, anonymous) in enumerate(admins.items())
        ]

    def _m_getchatmember(self, params: JSON) -> JSON:
        chat = self._resolve_chat(params.get("chat_id"))
        try:
            user_id = int(params.get("user_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _bad("invalid user_id specified") from None
        if user_id == self.bot_id:
            self._check_bot_in(chat)
            return _member_json(self.bot_user, "restricted" if chat["id"] in self.restricted_chats else "member")
        admins = list(self._admins.get(chat["id"], {}).items())
        for n, (admin_id, anonymous) in enumerate(admins):
            if admin_id == user_id:
                return _member_json(self._user(user_id), "creator" if n == 0 else "administrator", anonymous)
        return _member_json(self._user(user_id), "member")

    def _m_getfile(self, params: JSON) -> JSON:
        file_id = str(params.get("file_id", ""))
        if file_id not in self._files:
            raise _bad("invalid file_id")
        path, content = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": path,
        }

    def _m_close(self, params: JSON) -> bool:
        return True

    def _m_logout(self, params: JSON) -> bool:
        return True
