"""`newsbot chat`: the real bot in a terminal, through an in-process stand-in for the Bot API.

`TerminalBotAPI` replaces the bot's HTTP client: it answers the Bot API methods itself, hands what the person
types to the bot as updates of a private chat (through `getUpdates`, as Telegram would), and prints the bot's
messages readably. Buttons are numbered; typing a number presses one of the last answer's (a number no button has
is refused, not asked; an answer that other messages came after is named), and so does typing a button's own label
("more", "back"; "more" under an answer with no more passages says so). A line starting with ">" replies to the last
message that had buttons, an answer most often, or to a full article a typed `/start <id>` opened: a follow-up ("> who
bought it?"), as a Telegram reply; ">2" replies to the one before it, ">3" to the one before that (">2 who bought
it?"). `/quit` or end of input ends the chat once
every reply has been printed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from html.parser import HTMLParser
from typing import Any, TextIO

from telegram.request import BaseRequest, RequestData

from bot.app import running
from bot.tg.context import App

log = logging.getLogger(__name__)

JSON = dict[str, Any]
USER_ID = 1
BOT_ID = 1_000_000
# getUpdates long-polls this long when nothing was typed; short, so Ctrl-C or /quit ends promptly.
POLL_SECONDS = 1
USERNAME = "newsbot"
DEEP_LINK = f"https://t.me/{USERNAME}?start="
INTRO = (
    "Chatting with newsbot. Type a question, /help for commands, a button's number (or its label: more) to press it,"
    " > and a question to follow up on the last answer (>2 on the one before it), /quit to leave."
)
# Said as a person at the terminal leaves (/quit, Ctrl-D, Ctrl-C), who then exits with INTERRUPTED after Ctrl-C.
GOODBYE = "Bye."
INTERRUPTED = 130
# A typed line starting with ">" replies to the last message that had buttons, ">2" to the one before it
# (`TerminalBotAPI._update_for`); a number typed after a space is the question's ("> 2004 results").
_REPLY = re.compile(r">(\d*)\s*")
# A deep link's command, typed: the full article it opens is replied to by a ">" line as an answer is (it has no
# buttons, and "> how old was she?" after it replied to the answer above it).
_OPENING = re.compile(r"/start\s+\S+")
# How a full article's first message begins: its title in bold (a refusal of the link, "This link is broken", is
# plain text, and no follow-up's target).
_ARTICLE_HEAD = "<b>"
# The replied message's first line, as a note says it: within a terminal's 80 columns.
REPLIED_CHARS = 64
FOLLOW_UP_EMPTY = "Type your follow-up after the >, for example: > who bought it?"
# The labels of the buttons a reader types to press one, as typed, and what is said when no message shows one to
# press: sent, "read on" and "back" were searched ("No article uses the word “read”"), and "more" had the bot say
# to tap "More", which a terminal cannot.
MORE = "more"
NO_MORE = "There are no more passages for that question."
UNPRESSABLE = {
    MORE: NO_MORE,
    "back": "There is no page before this one: an answer's first page has no “Back”.",
    "read on": "There is no more of an article to read on: only the part of a long one ends with “Read on”.",
}
# Where a link's address goes is decided once its line is whole (`_placed_links`): marked meanwhile with characters
# no message holds.
_LINK_START, _LINK_END = "\x02", "\x03"
_LINK = re.compile(f"{_LINK_START}([^{_LINK_END}]*){_LINK_END}")


class _TerminalText(HTMLParser):
    """Telegram HTML as terminal text: bold as ANSI bold (or *bold*), links as "text (url)"."""

    def __init__(self, ansi: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.bold_on, self.bold_off = ("\033[1m", "\033[0m") if ansi else ("*", "*")
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("b", "strong"):
            self.parts.append(self.bold_on)
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "strong"):
            self.parts.append(self.bold_off)
        elif tag == "a" and self.links:
            url, start = self.links.pop()
            if url.startswith(DEEP_LINK):
                # A t.me link cannot be followed from a terminal; the command it stands for can be typed.
                self.parts.append(_link_mark(f"/start {url[len(DEEP_LINK) :]}"))
            elif url and "".join(self.parts[start:]) != url:
                self.parts.append(_link_mark(url))

    def handle_data(self, data: str) -> None:
        self.parts.append(data.replace(_LINK_START, "").replace(_LINK_END, ""))


class _PlainText(HTMLParser):
    """Telegram HTML as the text Telegram keeps of a message: its tags left out, its entities read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html_text: str) -> str:
    """The text a reader sees of Telegram HTML."""
    parser = _PlainText()
    parser.feed(html_text)
    parser.close()
    return "".join(parser.parts)


def _link_mark(target: str) -> str:
    return f"{_LINK_START}{target}{_LINK_END}"


def _placed_links(line: str) -> str:
    """A line's links where a reader finds them: after it as "(url)" when the link ends it ("Source (url)"), else on
    a line of their own below it: "• Storm closes port (https://...) (2 Oct 2026 · News)" read as two asides, the
    date lost behind the link."""
    below: list[str] = []

    def place(found: re.Match[str]) -> str:
        if not line[found.end() :].strip():
            return f" ({found[1]})"
        below.append(found[1])
        return ""

    placed = _LINK.sub(place, line)
    return "\n".join([placed, *(f"  {target}" for target in below)])


def terminal_text(html_text: str, ansi: bool) -> str:
    parser = _TerminalText(ansi)
    parser.feed(html_text)
    parser.close()
    return "\n".join(_placed_links(line) for line in "".join(parser.parts).split("\n"))


def _succeed(_: JSON) -> bool:
    return True


class TerminalBotAPI(BaseRequest):
    """A Bot API for one person at a terminal: no network, every reply printed."""

    TOKEN = "1000000:terminal-chat-not-a-real-token"

    def __init__(self, out: TextIO | None = None, ansi: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.ansi = self.out.isatty() if ansi is None else ansi
        self.chat: JSON = {"id": USER_ID, "type": "private", "first_name": "You"}
        self.user: JSON = {"id": USER_ID, "is_bot": False, "first_name": "You"}
        self.bot_user: JSON = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "newsbot",
            "username": USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self._messages: dict[int, JSON] = {}
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        # The buttons a typed number or label presses: those of the last message that had any, with their labels.
        self._buttons: list[tuple[int, str, str]] = []
        # The messages that had buttons, the last shown (or paged) last: the ones a ">" line can reply to.
        self._replyable: list[int] = []
        # The bot's message shown last, what a press of its buttons showed (a full article) counting as it: a ">" line
        # replying to another one, or a number pressing another one's button, says which.
        self._last_shown = 0
        # The message whose button the line being handled pressed (0: none was pressed).
        self._pressed_under = 0
        # Whether the line being handled is a deep link's /start, which opens a full article (`_OPENING`).
        self._opening = False
        # The message with buttons a press sent (a part of a full article), and the message pressed under.
        self._sent_from: dict[int, int] = {}
        self._pending: asyncio.Queue[JSON] | None = None
        self._fetched: asyncio.Event | None = None
        self._last_fed = 0
        self._methods: dict[str, Callable[[JSON], Any]] = {
            "getme": lambda _: self.bot_user,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "getmycommands": lambda _: [],
            "getwebhookinfo": lambda _: {"url": "", "has_custom_certificate": False, "pending_update_count": 0},
        }

    # ---- BaseRequest ----------------------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        if self._pending is None:
            self._pending, self._fetched = asyncio.Queue(), asyncio.Event()

    async def shutdown(self) -> None:
        """Nothing to release: there is no connection."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1].lower()
        params = dict(request_data.parameters) if request_data else {}
        if name == "getupdates":
            result: Any = await self._get_updates(params)
        else:
            # Methods with nothing to show (sendChatAction, setMyCommands, deleteWebhook...) simply succeed.
            result = self._methods.get(name, _succeed)(params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # ---- updates from the person --------------------------------------------------------------------------

    async def _get_updates(self, params: JSON) -> list[JSON]:
        assert self._pending is not None and self._fetched is not None
        # The next poll's offset confirms the earlier updates: they are now in the application's queue.
        if int(params.get("offset") or 0) > self._last_fed:
            self._fetched.set()
        try:
            return [await asyncio.wait_for(self._pending.get(), float(params.get("timeout") or 0) or 0.001)]
        except TimeoutError:
            return []

    async def feed(self, line: str) -> None:
        """Hand a typed line to the bot (a message, a pressed button or an inline query); return once fetched."""
        assert self._pending is not None and self._fetched is not None
        text, count = line.strip(), len(self._buttons)
        if text.isdigit() and not 1 <= int(text) <= count:
            # A number typed here means a button (one under /latest's headlines too): searched, it could only find
            # stories that happen to use it ("1" after /latest showed a passage with "2-1" in it).
            self._print(f"{_buttons_said(text, count)}\n")
            return
        if (reply := _REPLY.match(text)) and not 1 <= int(reply[1] or 1) <= len(self._replyable):
            # Asked without the answer it was meant for ("> when?" before any), a follow-up could only be misread.
            self._print(f"{_replyable_said(len(self._replyable))}\n")
            return
        if _REPLY.fullmatch(text):
            # A ">" with no question after it was sent as an empty message, which the bot took for a photo or a
            # sticker: "I can only read text".
            self._print(f"{FOLLOW_UP_EMPTY if self._replyable else _replyable_said(0)}\n")
            return
        if (unpressable := UNPRESSABLE.get(text.casefold())) is not None and self._pressed(text) is None:
            self._print(f"{unpressable if self._buttons else _buttons_said(text, 0)}\n")
            return
        update_id = next(self._update_ids)
        self._fetched.clear()
        self._last_fed = update_id
        await self._pending.put({"update_id": update_id, **self._update_for(line)})
        await self._fetched.wait()

    def _update_for(self, line: str) -> JSON:
        text = line.strip()
        pressed = self._pressed(text)
        self._pressed_under = 0 if pressed is None else pressed[0]
        self._opening = pressed is None and _OPENING.fullmatch(text) is not None
        if pressed is not None:
            message_id, data, label = pressed
            if message_id != self._last_shown:
                # The buttons a number presses are the last answer's, which may be far above what was said since.
                self._print(f"\u21b3 pressing {label} under: {_first_line(self._messages[message_id]['text'])}\n")
            return {
                "callback_query": {
                    "id": str(next(self._query_ids)),
                    "from": self.user,
                    "chat_instance": "1",
                    "message": self._messages[message_id],
                    "data": data,
                }
            }
        mention = f"@{USERNAME}"
        if text == mention or text.startswith(mention + " "):
            return {
                "inline_query": {
                    "id": str(next(self._query_ids)),
                    "from": self.user,
                    "offset": "",
                    "query": text[len(mention) :].strip(),
                    "chat_type": "private",
                }
            }
        replied = None
        if (reply := _REPLY.match(text)) and self._replyable:
            replied = self._replyable[-int(reply[1] or 1)]
            text = text[reply.end() :]
        message = self._new_message(self.user, text)
        if replied is not None:
            message["reply_to_message"] = {k: v for k, v in self._messages[replied].items() if k != "reply_to_message"}
            if replied != self._last_shown:
                # Telegram shows the message a reply quotes; here the last answer may be far above what the bot
                # said since (a decline, /latest), and a follow-up on it would seem to answer something else.
                self._print(f"\u21b3 replying to: {_first_line(self._messages[replied]['text'])}\n")
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"message": message}

    def _pressed(self, text: str) -> tuple[int, str, str] | None:
        """The button a typed line presses: by its number, or by its label typed alone ("more", as a reader reaches
        for the "More" under an answer; searched, it could only say to tap it) under the last message of the last
        answer's showing it: the answer, or a part of a full article a press under it sent ("more" after a part,
        whose "Read on" came last, said the answer had no more passages; "read on" after "More" was searched)."""
        if text.isdigit():
            return self._buttons[int(text) - 1] if 1 <= int(text) <= len(self._buttons) else None
        # The last answer's buttons, not an article's opened since (it has none; "more" after it pages the answer).
        with_buttons = [m for m in self._replyable if "reply_markup" in self._messages[m]]
        answer = self._answer_of(with_buttons[-1]) if with_buttons else 0
        for message_id in (m for m in reversed(with_buttons) if self._answer_of(m) == answer):
            rows = self._messages[message_id].get("reply_markup", {}).get("inline_keyboard", [])
            for button in (button for row in rows for button in row if button.get("callback_data")):
                if str(button.get("text", "")).casefold() == text.casefold():
                    return message_id, str(button["callback_data"]), str(button["text"])
        return None

    def _answer_of(self, message_id: int) -> int:
        """The message a message with buttons was sent from by presses (itself, sent for no press)."""
        while message_id in self._sent_from:
            message_id = self._sent_from[message_id]
        return message_id

    def _new_message(self, sender: JSON, text: str) -> JSON:
        message_id = next(self._message_ids)
        message: JSON = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": sender,
            "text": text,
        }
        self._messages[message_id] = message
        return message

    # ---- what the bot sends -------------------------------------------------------------------------------

    # A message is kept as Telegram keeps it, without its markup: a reply to it carries the text the reader saw.
    def _send_message(self, params: JSON) -> JSON:
        message = self._new_message(self.bot_user, plain_text(str(params.get("text", ""))))
        return self._show(message, params)

    def _edit_message_text(self, params: JSON) -> JSON:
        message = self._messages[int(params["message_id"])]
        message["text"] = plain_text(str(params.get("text", "")))
        message.pop("reply_markup", None)
        return self._show(message, params)

    def _show(self, message: JSON, params: JSON) -> JSON:
        markup = params.get("reply_markup")
        # A full article opened from an answer's button is read as part of it: no note says which answer is meant.
        self._last_shown = message["message_id"] if markup or not self._pressed_under else self._pressed_under
        if markup:
            message["reply_markup"] = markup
        self._print(terminal_text(str(params.get("text", "")), self.ansi))
        buttons = [
            (b["text"], b.get("callback_data"), b.get("url"))
            for row in (markup or {}).get("inline_keyboard", [])
            for b in row
        ]
        opened = self._opening and str(params.get("text", "")).startswith(_ARTICLE_HEAD)
        if buttons or opened:
            self._replyable = [m for m in self._replyable if m != message["message_id"]] + [message["message_id"]]
        if buttons:
            self._buttons = [(message["message_id"], data, label) for label, data, _ in buttons if data]
            if self._pressed_under not in (0, message["message_id"]):
                self._sent_from[message["message_id"]] = self._pressed_under
            labels, number = [], 0
            for text, data, url in buttons:
                if data:
                    number += 1
                    labels.append(f"[{number}] {text}")
                else:
                    labels.append(f"{text} ({url})")
            self._print("  ".join(labels))
        self._print("")
        return message

    def _answer_callback_query(self, params: JSON) -> bool:
        if text := params.get("text"):
            self._print(f"» {text}\n")
        return True

    def _answer_inline_query(self, params: JSON) -> bool:
        results = params.get("results") or []
        if not results:
            self._print("(no inline results)\n")
        # Bullets, not numbers: a number typed next presses a button of the last answer, not one of these.
        for result in results:
            self._print(f"\u2022 {result.get('title', '')}: {result.get('description', '')}")
        self._print("")
        return True

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _first_line(text: str) -> str:
    """The first line of a message, cut to fit one terminal line."""
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= REPLIED_CHARS else line[: REPLIED_CHARS - 1] + "\u2026"


def _buttons_said(number: str, count: int) -> str:
    """Why a typed number pressed nothing, with the numbers that press something."""
    if not count:
        return "There is no button to press yet: ask a question, and its answer's buttons are numbered."
    return f"There is no button {number}; type {'1' if count == 1 else f'1 to {count}'} to press one."


def _replyable_said(count: int) -> str:
    """Why a ">N" line was not sent, with the numbers that reply to something."""
    if not count:
        return "There is no answer to reply to yet: ask a question first."
    if count == 1:
        return "There is one answer to reply to: type > and your follow-up."
    return (
        f"There are {count} answers to reply to: > (or >1) replies to the last, >2 to the one before, up to >{count}."
    )


def _edited_lines() -> Iterator[str]:
    """Lines typed at a terminal, edited with the arrow keys and earlier ones recalled with up and down, as in a
    shell: read from stdin as it is, a question could not be corrected but by deleting back to the typo, and the up
    arrow showed "^[[A". Until Ctrl-D."""
    with suppress(ImportError):  # Windows' Python has no readline; its console edits lines itself
        import readline  # noqa: F401  (once imported, `input` edits lines and keeps their history)
    with suppress(EOFError):
        while True:
            yield input()


def _typed_lines(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str | None]:
    """Lines from stdin, read in a daemon thread so the event loop never waits on the keyboard (edited as in a
    shell at a terminal: `_edited_lines`); None at the end."""
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in _edited_lines() if sys.stdin.isatty() else sys.stdin:
            with suppress(RuntimeError):  # the loop closed: the chat has ended
                loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\r\n"))
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return lines


async def _converse(application: App, api: TerminalBotAPI) -> None:
    lines = _typed_lines(asyncio.get_running_loop())
    async with running(application, poll_timeout=POLL_SECONDS):
        if sys.stdin.isatty():
            api._print(INTRO)
        while (line := await lines.get()) is not None and line.strip() != "/quit":
            if line.strip():
                await api.feed(line)
                # Every update taken from the queue is marked done once its handlers finished.
                await application.update_queue.join()


def converse(application: App, api: TerminalBotAPI) -> int:
    """Run the chat until /quit, end of input or Ctrl-C; returns the exit code."""
    code = 0
    try:
        asyncio.run(_converse(application, api))
    except KeyboardInterrupt:
        code = INTERRUPTED
    if sys.stdin.isatty():
        # Ctrl-C and Ctrl-D left without a word, the shell's prompt after "^C" on the chat's last line; a pipe's
        # end stays quiet, as the intro is not shown to one.
        api._print(f"\n{GOODBYE}" if code else GOODBYE)
    return code
