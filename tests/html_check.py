"""Validation of Telegram "HTML" parse mode, shared by tests and the fake Bot API server.

The parser follows the algorithm of ``parse_html`` in tdlib (td/telegram/MessageEntity.cpp),
which is what the real Bot API runs for ``parse_mode=HTML``:

* supported tags: ``b strong i em u ins s strike del tg-spoiler span a code pre blockquote
  tg-emoji`` (names are case-insensitive); ``span`` needs ``class="tg-spoiler"``,
  ``tg-emoji`` needs a numeric ``emoji-id``, ``blockquote`` may carry ``expandable``;
* attribute values are quoted strings or unquoted name tokens (letters, digits, ``.``, ``-``);
  unknown attributes are ignored;
* end tags must match the innermost open tag (``</>`` closes whatever is open);
* entities: ``&lt; &gt; &amp; &quot;``, ``&#NNN;`` and ``&#xHHH;``.

Deliberate difference: tdlib silently keeps a ``&`` that does not start one of the entities
above (and accepts entities without the trailing ``;``). The Bot API documentation requires
every ``&`` to be escaped, and a bare ``&`` almost always means the bot forgot to escape
user/feed content, so here it is an error ("strict" mode).

Error messages reuse tdlib's wording, with byte offsets into the UTF-8 encoded input, so
that ``"Bad Request: can't parse entities: " + reason`` looks like the real server's answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SUPPORTED_TAGS",
    "ParsedHTML",
    "TelegramHTMLError",
    "check_message_size",
    "check_telegram_html",
    "parse_telegram_html",
    "utf16_len",
    "visible_length",
    "visible_text",
]

SUPPORTED_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SPACES = frozenset(" \t\r\n\v\f")
_NAMED_ENTITIES: dict[str, str] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_LINK_RE = re.compile(r"^(?:https?://|tg://|ton://)\S+$|^[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?$", re.I)


class TelegramHTMLError(AssertionError):
    """Raised when a text is not valid Telegram HTML; ``reason`` is tdlib-style wording."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedHTML:
    """Result of parsing: the visible text and Bot-API-style entity dicts (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int
    expandable: bool = False


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (how Telegram counts offsets and lengths)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.out: list[str] = []
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_OpenTag] = []
        self.has_surrogates = False

    # -- helpers ---------------------------------------------------------------------------
    def at(self, i: int) -> str:
        return self.src[i] if i < len(self.src) else ""

    def byte_offset(self, i: int) -> int:
        return len(self.src[:i].encode("utf-8", "surrogatepass"))

    def fail(self, reason: str) -> TelegramHTMLError:
        return TelegramHTMLError(reason)

    def is_space(self, i: int) -> bool:
        return self.at(i) in _SPACES and self.at(i) != ""

    def decode_entity(self, i: int) -> tuple[str, int] | None:
        """Decode the entity starting at ``src[i] == '&'``: (character, index after it)."""
        src = self.src
        j = i + 1
        if self.at(j) == "#":
            j += 1
            value = 0
            start = j
            if self.at(j) == "x":
                j += 1
                start = j
                while self.at(j) and self.at(j) in "0123456789abcdefABCDEF":
                    j += 1
                digits = src[start:j]
                value = int(digits, 16) if digits and len(digits) <= 8 else 0
            else:
                while self.at(j).isascii() and self.at(j).isdigit():
                    j += 1
                digits = src[start:j]
                value = int(digits) if digits and len(digits) <= 9 else 0
            if value == 0 or value >= 0x10FFFF or j - i >= 10:
                return None
            char = chr(value)
        else:
            while self.at(j).isascii() and self.at(j).isalpha():
                j += 1
            named = _NAMED_ENTITIES.get(src[i + 1 : j])
            if named is None:
                return None
            char = named
        if self.at(j) != ";":
            # tdlib accepts a missing ';', strict mode does not.
            return None
        return char, j + 1

    def entity_or_fail(self, i: int) -> tuple[str, int]:
        decoded = self.decode_entity(i)
        if decoded is None:
            snippet = self.src[i : i + 12].split("\n", 1)[0]
            raise self.fail(
                f'Unescaped "&" or incomplete entity at byte offset {self.byte_offset(i)} '
                f"(found {snippet!r}; use &amp; or one of &lt; &gt; &quot; &#NNN;)"
            )
        char, j = decoded
        if 0xD800 <= ord(char) <= 0xDFFF:
            self.has_surrogates = True
        return char, j

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    # -- main loop -------------------------------------------------------------------------
    def parse(self) -> ParsedHTML:
        src = self.src
        i = 0
        n = len(src)
        while i < n:
            c = src[i]
            if c == "&":
                char, i = self.entity_or_fail(i)
                self.emit(char)
                continue
            if c != "<":
                j = i
                while j < n and src[j] not in "&<":
                    j += 1
                self.emit(src[i:j])
                i = j
                continue
            i = self.start_tag(i) if self.at(i + 1) != "/" else self.end_tag(i)
        if self.stack:
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        text = "".join(self.out)
        if self.has_surrogates:
            try:
                text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError:
                raise self.fail(
                    "Text contains invalid Unicode characters after decoding HTML entities, "
                    "check for unmatched surrogate code units"
                ) from None
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedHTML(text=text, entities=self.entities)

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) and not self.is_space(i) and self.at(i) != ">":
            i += 1
        if not self.at(i):
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.src[begin + 1 : i].lower()
        if tag not in SUPPORTED_TAGS:
            raise self.fail(f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}')
        argument = ""
        expandable = False
        while self.at(i) != ">":
            while self.is_space(i):
                i += 1
            if self.at(i) == ">":
                break
            if not self.at(i):
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
            attr_begin = i
            while self.at(i) and not self.is_space(i) and self.at(i) not in "=>":
                i += 1
            attr_name = self.src[attr_begin:i].lower()
            if not attr_name:
                raise self.fail(f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}')
            while self.is_space(i):
                i += 1
            if self.at(i) != "=":
                if tag == "blockquote" and attr_name == "expandable":
                    expandable = True
                    continue
                raise self.fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i += 1
            while self.is_space(i):
                i += 1
            if not self.at(i):
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
            quote = self.at(i)
            if quote not in "'\"":
                token_begin = i
                while self.at(i) and ((self.at(i).isascii() and self.at(i).isalnum()) or self.at(i) in ".-"):
                    i += 1
                value = self.src[token_begin:i].lower()
                if not self.is_space(i) and self.at(i) != ">":
                    raise self.fail(f"Unexpected end of name token at byte offset {self.byte_offset(token_begin)}")
            else:
                i += 1
                parts: list[str] = []
                while self.at(i) and self.at(i) != quote:
                    if self.at(i) == "&":
                        char, i = self.entity_or_fail(i)
                        parts.append(char)
                        continue
                    parts.append(self.at(i))
                    i += 1
                if self.at(i) == quote:
                    i += 1
                value = "".join(parts)
            if not self.at(i):
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if tag == "a" and attr_name == "href":
                argument = value
            elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and attr_name == "emoji-id":
                argument = value
            elif tag == "blockquote" and attr_name == "expandable":
                expandable = True
        if tag == "span" and argument != "spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}')
        self.stack.append(_OpenTag(tag, argument, self.utf16, len(self.out), expandable))
        return i + 1

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while self.at(i) and not self.is_space(i) and self.at(i) != ">":
            i += 1
        end_name = self.src[begin + 2 : i].lower()
        while self.is_space(i):
            i += 1
        if self.at(i) != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        open_tag = self.stack[-1]
        if end_name and end_name != open_tag.name:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{open_tag.name}>", found "</{end_name}>"'
            )
        self.stack.pop()
        self.close_entity(open_tag)
        return i + 1

    def close_entity(self, tag: _OpenTag) -> None:
        offset = tag.utf16_offset
        length = self.utf16 - offset
        if tag.name == "tg-emoji" and (not tag.argument.isdigit() or int(tag.argument) == 0):
            raise self.fail("Invalid custom emoji identifier specified")
        if length <= 0:
            return
        entity: dict[str, Any] = {"offset": offset, "length": length}
        name = tag.name
        if name in _SIMPLE_ENTITY_TYPES or name == "span":
            entity["type"] = _SIMPLE_ENTITY_TYPES.get(name, "spoiler")
        elif name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        elif name == "a":
            url = tag.argument or "".join(self.out[tag.text_index :])
            if not _LINK_RE.match(url.strip()):
                return  # tdlib silently drops links it cannot check
            entity.update(type="text_link", url=url.strip())
        elif name == "pre":
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last["offset"] == offset
                and last["length"] == length
                and last.get("language")
            ):
                last["type"] = "pre"
                return
            entity["type"] = "pre"
        elif name == "code":
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "pre"
                and last["offset"] == offset
                and last["length"] == length
                and tag.argument
            ):
                last["language"] = tag.argument
                return
            entity["type"] = "code"
            if tag.argument:
                entity["language"] = tag.argument  # dropped below unless merged into <pre>
        elif name == "blockquote":
            entity["type"] = "expandable_blockquote" if tag.expandable else "blockquote"
        self.entities.append(entity)


def parse_telegram_html(text: str) -> ParsedHTML:
    """Parse ``text`` like Telegram does for ``parse_mode=HTML``.

    Returns the visible text (not stripped) and entity dicts with UTF-16 offsets.
    Raises :class:`TelegramHTMLError` (an ``AssertionError``) on invalid markup.
    """
    parsed = _Parser(text).parse()
    for entity in parsed.entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return parsed


def check_telegram_html(text: str) -> None:
    """Raise ``AssertionError`` (:class:`TelegramHTMLError`) with a precise reason if ``text``
    is not valid Telegram HTML. Returns ``None`` when it is valid."""
    parse_telegram_html(text)


def visible_text(text: str) -> str:
    """The text a user sees: tags removed, entities unescaped (raises on invalid HTML)."""
    return parse_telegram_html(text).text


def visible_length(text: str) -> int:
    """Length of :func:`visible_text` in UTF-16 code units, as Telegram counts it.

    Raises :class:`TelegramHTMLError` if ``text`` is not valid Telegram HTML.
    """
    return utf16_len(visible_text(text))


def check_message_size(text: str, limit: int = 4096) -> None:
    """Raise ``AssertionError`` unless Telegram takes ``text`` (HTML) as one message, formatting and all: at most
    ``limit`` UTF-16 units shown (after parsing, stripped: "1-4096 characters after entities parsing"), at most 100
    entities (the formatting of the others is dropped) and markup at most twice the limit (far longer markup is
    refused as "Entities_too_long", tdlib/telegram-bot-api#165)."""
    parsed = parse_telegram_html(text)
    shown = utf16_len(parsed.text.strip())
    assert shown, "a message that shows nothing is refused as empty"
    assert shown <= limit, f"{shown} UTF-16 units shown, over {limit}"
    assert len(parsed.entities) <= 100, f"{len(parsed.entities)} entities"
    assert utf16_len(text) <= 2 * limit, f"{utf16_len(text)} units of HTML"
