"""End-to-end checks of the fake Bot API server with the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from tests.botapi_server import ApiError, FakeBotAPI
from tests.html_check import check_telegram_html, parse_telegram_html, visible_length

TOKEN = "123456:TEST-token"
Ctx = ContextTypes.DEFAULT_TYPE


@pytest.fixture
def server() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as srv:
        yield srv


@pytest.fixture
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PTB_TIMEDELTA, PTB 22 warns (PTBDeprecationWarning) whenever it builds a RetryAfter,
    and pyproject's ``filterwarnings = error`` turns that warning into the raised exception."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def bot(server: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as client:
        yield client


def build_app(server: FakeBotAPI, rate_limiter: AIORateLimiter | None = None) -> Application:
    builder = ApplicationBuilder().token(TOKEN).base_url(server.base_url).base_file_url(server.base_file_url)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    return builder.build()


def collect_errors(app: Application) -> asyncio.Queue[BaseException]:
    errors: asyncio.Queue[BaseException] = asyncio.Queue()

    async def on_error(update: object, context: Ctx) -> None:
        assert context.error is not None
        errors.put_nowait(context.error)

    app.add_error_handler(on_error)
    return errors


def reply_to_text(app: Application, reply: str) -> None:
    """Answer every text message with `reply`."""

    async def echo(update: Update, context: Ctx) -> None:
        assert update.message is not None
        await update.message.reply_text(reply)

    app.add_handler(MessageHandler(filters.TEXT, echo))


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def next_error(errors: asyncio.Queue[BaseException]) -> BaseException:
    return await asyncio.wait_for(errors.get(), timeout=5)


# --------------------------------------------------------------------------- polling + handlers
async def test_message_in_reply_out(server: FakeBotAPI) -> None:
    app = build_app(server)
    errors = collect_errors(app)
    seen: list[Update] = []

    async def echo(update: Update, context: Ctx) -> None:
        assert update.message is not None and update.message.text is not None
        seen.append(update)
        await update.message.reply_text(f"echo: {update.message.text}")

    async def start(update: Update, context: Ctx) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "<b>Welcome</b> &amp; hi", parse_mode=ParseMode.HTML)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    async with polling(app):
        server.send_text(42, "hello")
        [call] = await server.wait_for_async("sendMessage", chat_id=42)
        assert call.ok, call.summary()
        assert call.params["text"] == "echo: hello"
        assert call.result["message_id"] == 2  # the user's message was id 1 in this chat
        assert call.result["from"]["username"] == "newsbot_test_bot"
        assert server.messages(42) == ["echo: hello"]

        server.send_command(42, "start")
        server.send_command(-100777, "start", title="News fans")  # supergroup: /start@newsbot_test_bot
        await server.wait_for_async("sendMessage", lambda c: c.params.get("parse_mode") == "HTML", count=2)

    assert errors.empty()
    assert seen[0].effective_user is not None and seen[0].effective_user.id == 42
    assert server.messages(42) == ["echo: hello", "Welcome & hi"]
    assert server.messages(-100777) == ["Welcome & hi"]
    assert server.bot_messages(42)[1]["entities"] == [{"offset": 0, "length": 7, "type": "bold"}]
    assert server.pending_updates() == []  # PTB confirmed everything on shutdown


async def test_served_time_is_recorded_once_per_update(server: FakeBotAPI, bot: Bot) -> None:
    first = server.send_text(42, "one")
    before = time.monotonic()
    assert server.served_at(first) is None
    [update] = await bot.get_updates(timeout=0)
    served = server.served_at(first)
    assert served is not None and before <= served <= time.monotonic()
    await bot.get_updates(timeout=0)  # served again (not confirmed yet): the first time stays
    assert server.served_at(first) == served
    second = server.send_text(42, "two")
    await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert set(server.served_times()) == {first, second}


@pytest.mark.usefixtures("ptb_timedelta")
async def test_retry_after_is_retried_by_rate_limiter(server: FakeBotAPI) -> None:
    app = build_app(server, rate_limiter=AIORateLimiter(max_retries=1))
    errors = collect_errors(app)

    reply_to_text(app, "pong")
    server.fail_next("sendMessage", 429, retry_after=1)
    async with polling(app):
        server.send_text(42, "ping")
        first, second = await server.wait_for_async("sendMessage", count=2)

    assert first.error_code == 429
    assert first.response["parameters"] == {"retry_after": 1}
    assert second.ok and second.params["text"] == "pong"
    assert second.time - first.time >= 1.0
    assert errors.empty()
    assert server.messages(42) == ["pong"]


@pytest.mark.usefixtures("ptb_timedelta")
async def test_retry_after_without_rate_limiter_reaches_error_handler(server: FakeBotAPI) -> None:
    app = build_app(server)
    errors = collect_errors(app)

    reply_to_text(app, "pong")
    server.fail_next("sendMessage", 429, retry_after=3)
    async with polling(app):
        server.send_text(42, "ping")
        error = await next_error(errors)
        assert isinstance(error, RetryAfter)
        assert error.retry_after == dt.timedelta(seconds=3)
        server.send_text(42, "again")  # the failure was one-shot
        await server.wait_for_async("sendMessage", lambda c: c.ok)

    assert [c.error_code for c in server.calls("sendMessage")] == [429, None]
    assert server.messages(42) == ["pong"]


async def test_callback_button_flow(server: FakeBotAPI) -> None:
    app = build_app(server)
    errors = collect_errors(app)

    def keyboard(page: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Next", callback_data=f"page:{page + 1}")],
                [InlineKeyboardButton("Source", url="https://example.com/a")],
            ]
        )

    async def news(update: Update, context: Ctx) -> None:
        assert update.message is not None
        await update.message.reply_text("Page 1", reply_markup=keyboard(1))

    async def on_button(update: Update, context: Ctx) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None and query.message is not None
        page = int(query.data.split(":")[1])
        await query.answer(f"Loading page {page}")
        await query.edit_message_text("Page 2", reply_markup=keyboard(2))  # same text on every press

    app.add_handler(CommandHandler("news", news))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^page:\d+$"))

    async with polling(app):
        server.send_command(42, "news")
        [sent] = await server.wait_for_async("sendMessage")
        message_id = sent.result["message_id"]
        assert sent.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "page:2"

        with pytest.raises(ValueError, match="no button"):
            server.press_button(42, message_id, "page:99")

        update_id = server.press_button(42, message_id, "page:2")
        query_id = server.get_update(update_id)["callback_query"]["id"]
        [answer] = await server.wait_for_async("answerCallbackQuery")
        assert answer.ok and answer.params == {"callback_query_id": query_id, "text": "Loading page 2"}
        [edit] = await server.wait_for_async("editMessageText")
        assert edit.ok and edit.params["message_id"] == message_id
        assert server.messages(42) == ["Page 2"]

        # The edited message now offers page:3; pressing it re-sends "Page 2" with the page:3 button
        # -> identical content and markup -> Telegram's "message is not modified".
        server.press_button(42, message_id, "page:3")
        error = await next_error(errors)
        assert isinstance(error, BadRequest)
        assert "message is not modified" in str(error).lower()

    edits = server.calls("editMessageText")
    assert [c.ok for c in edits] == [True, False]


async def test_inline_query_answers(server: FakeBotAPI) -> None:
    app = build_app(server)
    errors = collect_errors(app)
    chosen: list[str] = []

    async def on_inline(update: Update, context: Ctx) -> None:
        query = update.inline_query
        assert query is not None
        count = 51 if query.query == "everything" else 3
        results = [
            InlineQueryResultArticle(
                id=f"r{i}",
                title=f"Result {i}",
                input_message_content=InputTextMessageContent(f"<b>{i}</b>", parse_mode=ParseMode.HTML),
            )
            for i in range(count)
        ]
        await query.answer(results, cache_time=0)

    async def on_chosen(update: Update, context: Ctx) -> None:
        assert update.chosen_inline_result is not None
        chosen.append(update.chosen_inline_result.result_id)

    app.add_handler(InlineQueryHandler(on_inline))
    app.add_handler(ChosenInlineResultHandler(on_chosen))

    async with polling(app):
        update_id = server.inline_query(42, "rates")
        [answer] = await server.wait_for_async("answerInlineQuery")
        assert answer.ok, answer.summary()
        assert answer.params["inline_query_id"] == server.get_update(update_id)["inline_query"]["id"]
        assert [r["id"] for r in answer.params["results"]] == ["r0", "r1", "r2"]

        server.inline_query(42, "everything")
        error = await next_error(errors)
        assert isinstance(error, BadRequest) and "results_too_much" in str(error).lower()

        server.chosen_inline_result(42, "r1", query="rates")
        for _ in range(100):
            if chosen:
                break
            await asyncio.sleep(0.02)
    assert chosen == ["r1"]


async def test_blocked_user_and_membership_updates(server: FakeBotAPI) -> None:
    app = build_app(server)
    errors = collect_errors(app)
    statuses: list[str] = []

    async def on_member(update: Update, context: Ctx) -> None:
        assert update.my_chat_member is not None
        statuses.append(update.my_chat_member.new_chat_member.status)

    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    reply_to_text(app, "hi")
    async with polling(app):
        server.my_chat_member(42, "kicked")
        server.send_text(42, "are you there?")
        error = await next_error(errors)
        assert isinstance(error, Forbidden)
        assert str(error) == "Forbidden: bot was blocked by the user"
        server.my_chat_member(42, "member", old_status="kicked")
        server.send_text(42, "back")
        await server.wait_for_async("sendMessage", lambda c: c.ok)
    assert statuses == ["kicked", "member"]


# --------------------------------------------------------------------------- direct Bot calls
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("line<br>break", 'unsupported start tag "br" at byte offset 4'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("AT&T", 'unescaped "&"'),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler"'),
        ("<a href=https://x.com>x</a>", "unexpected end of name token"),
        ("x</b>", "unexpected end tag at byte offset 1"),
    ],
)
async def test_html_validation_rejects_bad_markup(bot: Bot, server: FakeBotAPI, text: str, fragment: str) -> None:
    with pytest.raises(BadRequest) as info:
        await bot.send_message(42, text, parse_mode=ParseMode.HTML)
    message = str(info.value).lower()
    assert message.startswith("can't parse entities: ")
    assert fragment.lower() in message
    [call] = server.calls("sendMessage")
    assert call.error_code == 400
    assert call.description is not None and call.description.startswith("Bad Request: can't parse entities: ")
    assert server.messages(42) == []


async def test_html_validation_accepts_telegram_html(bot: Bot) -> None:
    text = (
        "<b>B</b><strong>S</strong><i>I</i><em>E</em><u>U</u><ins>N</ins><s>S</s><strike>K</strike><del>D</del>"
        '<span class="tg-spoiler">sp</span><tg-spoiler>sp</tg-spoiler>'
        '<a href="https://example.com/?a=1&amp;b=2">link</a><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>long</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">\N{THUMBS UP SIGN}</tg-emoji>'
        " &lt;tag&gt; &quot;q&quot; &#169; &#x1F600; 5 > 3"
    )
    message = await bot.send_message(42, text, parse_mode=ParseMode.HTML)
    assert message.text is not None and message.text.endswith(' <tag> "q" \N{COPYRIGHT SIGN} \U0001f600 5 > 3')
    types = [e.type for e in message.entities]
    assert "text_link" in types and "pre" in types and "expandable_blockquote" in types
    link = next(e for e in message.entities if e.type == "text_link")
    assert link.url == "https://example.com/?a=1&b=2"
    assert message.parse_entity(link) == "link"


async def test_message_length_and_empty_text(bot: Bot, server: FakeBotAPI) -> None:
    ok = await bot.send_message(42, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert ok.text == "x" * 4096  # tags and entities do not count
    emoji_limit = "\U0001f600" * 2048  # 4096 UTF-16 code units
    await bot.send_message(42, emoji_limit)
    for too_long in ("x" * 4097, emoji_limit + "x", "&amp;" * 4097):
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(42, too_long, parse_mode=ParseMode.HTML)
    for empty in (" \n ", "<b></b>", "<b> </b>\n"):
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(42, empty, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.edit_message_text("y" * 4097, chat_id=42, message_id=ok.message_id)
    assert server.messages(42) == ["x" * 4096, emoji_limit]


async def test_edit_delete_and_markup_rules(bot: Bot, server: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    sent = await bot.send_message(42, "v1", reply_markup=markup)
    edited = await bot.edit_message_text("<i>v2</i>", chat_id=42, message_id=sent.message_id, parse_mode="HTML")
    assert isinstance(edited, type(sent)) and edited.text == "v2" and edited.edit_date is not None
    assert edited.reply_markup is None  # editMessageText without reply_markup drops the keyboard
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<i>v2</i>", chat_id=42, message_id=sent.message_id, parse_mode="HTML")
    # Same visible text but different entities is a modification.
    await bot.edit_message_text("v2", chat_id=42, message_id=sent.message_id)
    await bot.edit_message_reply_markup(chat_id=42, message_id=sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(chat_id=42, message_id=sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=999)

    too_big = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(42, "buttons", reply_markup=too_big)
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="\N{EURO SIGN}" * 21)]])  # 63 bytes
    await bot.send_message(42, "buttons", reply_markup=fits)

    assert await bot.delete_message(42, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(42, sent.message_id)
    assert server.messages(42) == ["buttons"]


async def test_get_updates_offset_limit_and_long_polling(bot: Bot, server: FakeBotAPI) -> None:
    ids = [server.send_text(42, f"m{i}") for i in range(4)]
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == ids
    assert [u.update_id for u in await bot.get_updates(timeout=0, limit=2)] == ids[:2]
    # Without confirming nothing is dropped; confirming via offset drops older updates for good.
    assert [u.update_id for u in await bot.get_updates(offset=ids[2], timeout=0)] == ids[2:]
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == ids[2:]
    assert [u.update_id for u in await bot.get_updates(offset=-1, timeout=0)] == ids[3:]
    assert [u.update_id for u in await bot.get_updates(offset=ids[3] + 1, timeout=0)] == []
    assert server.pending_updates() == []

    # Long polling returns as soon as an update arrives ...
    async def inject_later() -> int:
        await asyncio.sleep(0.3)
        return server.send_text(42, "late")

    # (Bounds far from the timeouts: a loaded machine may take seconds to run the few lines in between.)
    started = time.monotonic()
    updates, late_id = await asyncio.gather(bot.get_updates(offset=ids[3] + 1, timeout=60), inject_later())
    assert [u.update_id for u in updates] == [late_id]
    assert time.monotonic() - started < 30
    # ... and otherwise waits for the whole timeout.
    started = time.monotonic()
    assert await bot.get_updates(offset=late_id + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 30

    await bot.set_webhook("https://example.com/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_a_second_poller_ends_the_waiting_one_with_409_conflict_as_telegram_does() -> None:
    """Two processes polling one token: each getUpdates ends the one still waiting (Telegram's 409 Conflict),
    and the newest gets the updates."""
    with FakeBotAPI(polls_conflict=True) as server:
        async with Bot(TOKEN, base_url=server.base_url) as first, Bot(TOKEN, base_url=server.base_url) as second:
            waiting = asyncio.create_task(first.get_updates(timeout=5))
            while not server.polls_received():
                await asyncio.sleep(0.01)
            newest = asyncio.create_task(second.get_updates(timeout=5))
            with pytest.raises(Conflict, match="terminated by other getUpdates request"):
                await waiting
            update_id = server.send_text(42, "hello")
            assert [u.update_id for u in await newest] == [update_id]


async def test_injected_updates_parse_as_ptb_objects(bot: Bot, server: FakeBotAPI) -> None:
    sent = await bot.send_message(-100555, "bot says hi")
    server.send_text(
        -100555, "@newsbot_test_bot what about #ai https://x.com/a?", user_id=7, reply_to_bot_message_id=sent.message_id
    )
    server.send_photo(42, caption="look")
    server.send_sticker(42, emoji="\N{FIRE}")
    text_id = server.send_text(42, "typo")
    server.edit_text(42, server.get_update(text_id)["message"]["message_id"], "fixed")
    server.chosen_inline_result(42, "r7", query="q")
    server.my_chat_member(-100555, "kicked", user_id=7)

    group, photo, sticker, _typo, edit, chosen, member = await bot.get_updates(timeout=0)
    assert group.message is not None and group.message.chat.type == "supergroup"
    assert group.message.chat.title and group.message.from_user and group.message.from_user.id == 7
    assert group.message.reply_to_message is not None and group.message.reply_to_message.from_user is not None
    assert group.message.reply_to_message.from_user.is_bot
    assert [e.type for e in group.message.entities] == ["mention", "hashtag", "url"]
    assert group.message.parse_entities(["url"]).popitem()[1] == "https://x.com/a"
    assert photo.message is not None and photo.message.caption == "look" and len(photo.message.photo) == 2
    file = await bot.get_file(photo.message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()).startswith(b"\x89PNG")
    assert sticker.message is not None and sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "\N{FIRE}"
    assert edit.edited_message is not None and edit.edited_message.text == "fixed"
    assert chosen.chosen_inline_result is not None and chosen.chosen_inline_result.result_id == "r7"
    assert member.my_chat_member is not None and member.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden, match="kicked from the supergroup chat"):
        await bot.send_message(-100555, "still there?")
    assert (await bot.get_chat(42)).username == "user42"


async def test_fault_injection_maps_to_ptb_errors(bot: Bot, server: FakeBotAPI) -> None:
    server.fail_next("sendMessage", 502, chat_id=43)
    await bot.send_message(42, "other chats are unaffected")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(43, "x")
    server.fail_next("sendMessage", 0)  # connection dropped without an answer
    with pytest.raises(NetworkError):
        await bot.send_message(42, "x")
    server.fail_next("sendChatAction", 403, "Forbidden: bot was blocked by the user", times=2)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_chat_action(42, "typing")
    assert await bot.send_chat_action(42, "typing")
    server.blocked_chats.add(44)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(44, "x")
    assert [c.error_code for c in server.calls(chat_id=43)] == [502]
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("definitelyNotAMethod")
    assert server.calls("definitelyNotAMethod")[0].error_code == 404


async def test_bot_commands_menu_and_close(bot: Bot, server: FakeBotAPI) -> None:
    await bot.set_my_commands([("ask", "Ask about the news"), ("help", "Help")])
    assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
        ("ask", "Ask about the news"),
        ("help", "Help"),
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Bad-Command", "nope")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.set_chat_menu_button()
    assert await bot.log_out() and await bot.close()


async def test_invalid_token_is_rejected() -> None:
    with FakeBotAPI(token=TOKEN) as server:
        wrong = Bot("999:wrong-token", base_url=server.base_url)
        with pytest.raises(InvalidToken):
            await wrong.initialize()
        async with Bot(TOKEN, base_url=server.base_url) as right:
            assert right.username == "newsbot_test_bot"
        assert [c.error_code for c in server.calls("getMe")] == [401, None]


async def test_multipart_upload_via_registered_method(bot: Bot, server: FakeBotAPI) -> None:
    def send_document(params: dict[str, Any]) -> dict[str, Any]:
        if params["chat_id"] != 42:
            raise ApiError(400, "Bad Request: chat not found")
        return {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 42, "type": "private"},
            "caption": params.get("caption"),
            "document": {"file_id": "doc1", "file_unique_id": "u1", "file_name": params["document"]["filename"]},
        }

    server.register("sendDocument", send_document)
    message = await bot.send_document(42, document=b"report body", filename="report.txt", caption="123")
    assert message.document is not None and message.document.file_name == "report.txt"
    [call] = server.calls("sendDocument")
    assert call.files == {"document": b"report body"}
    assert call.params["caption"] == "123"  # plain strings are not JSON-decoded
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_document(7, document=b"x", filename="x.txt")


def test_raw_http_encodings_and_wait_for_timeout(server: FakeBotAPI) -> None:
    def post(method: str, data: bytes, ctype: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{server.base_url}{TOKEN}/{method}", data=data, headers={"Content-Type": ctype}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    body = json.dumps({"chat_id": 42, "text": "from json", "reply_markup": {"inline_keyboard": []}}).encode()
    assert post("sendMessage", body, "application/json")["result"]["text"] == "from json"
    assert post("sendMessage", b"chat_id=42&text=true", "application/x-www-form-urlencoded")["result"]["text"] == "true"
    assert server.calls("sendMessage")[1].params == {"chat_id": 42, "text": "true"}

    with pytest.raises(AssertionError) as info:
        server.wait_for("sendMessage", count=3, timeout=0.2)
    report = str(info.value)
    assert "2 matched" in report and "text='from json'" in report


@pytest.mark.parametrize(
    "text",
    ["plain", "<b>b</b> <i>i</i>", "&lt;&gt;&amp;&quot;&#39;", "<a href='https://a.b/c?d=1&amp;e=2'>x</a>", "5 > 3"],
)
def test_check_telegram_html_accepts(text: str) -> None:
    check_telegram_html(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("\N{EURO SIGN}<x>", 'Unsupported start tag "x" at byte offset 3'),  # byte, not char, offset
        ("<b>x", "Can't find end tag"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("a &nbsp; b", 'Unescaped "&"'),
        ("a &amp b", 'Unescaped "&"'),
        ("<a href>x</a>", "Expected equal sign"),
        ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier"),
        ("&#55357;", "unmatched surrogate"),
    ],
)
def test_check_telegram_html_rejects(text: str, reason: str) -> None:
    with pytest.raises(AssertionError, match=reason):
        check_telegram_html(text)


def test_visible_length_counts_utf16_after_parsing() -> None:
    assert visible_length("<b>abc</b> &amp;") == 5
    assert visible_length("\U0001f600") == 2
    assert visible_length("&#x1F600;") == 2
    parsed = parse_telegram_html("\U0001f600<b>x</b>")
    assert parsed.entities == [{"offset": 2, "length": 1, "type": "bold"}]
