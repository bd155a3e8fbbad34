"""Telegram HTML into messages Telegram accepts, never cut inside a tag or entity.

Telegram counts a message's length after parsing its entities: at most 4096 UTF-16 units of the text it shows
(`&amp;` is one, a tag none; Bot API sendMessage, "1-4096 characters after entities parsing"). Two more bounds
hold the markup: only the first 100 entities of a message keep their formatting (the rest are dropped without
an error), and a message whose markup is far longer than its text is refused ("Entities_too_long", at about
9,500 characters of markup: tdlib/telegram-bot-api#165), so the HTML of a message is kept to twice the limit.
Counting the HTML itself against 4096, as before, split a `/latest 30` or a digest of linked headlines (3,400
shown, 6,600 of HTML) in two for no reason, and let a message of many short marks lose the formatting of all but
its first 100.

A block too long for one message is cut between words (inside a word only when one word alone is too long);
tags open at a cut are closed there and opened again at the start of the next message, so every message is
valid on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

TELEGRAM_LIMIT = 4096
MAX_ENTITIES = 100
# The HTML of a message at most this many times the limit on its text (see above).
MARKUP_FACTOR = 2
# A cut's last piece showing less than this share of the limit is not sent nearly alone: the cut is evened out.
TAIL_SHARE = 0.25

# A tag, an entity, or a run of text with the white space after it (a word); anything else (a stray `<` or
# `&` in text that was never escaped) one character at a time, so the cut never fails.
_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|[^<&\s]+\s*|\s+|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?([\w-]+)")
# A tag as Telegram reads one (its group 1 "/" when it ends an entity; a `<` starting none is text), and the
# entities it decodes: others ("&nbsp;") it shows as written.
_TAG = re.compile(r"<(/?)[\w-]+[^<>]*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#[xX][0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def message_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True, slots=True)
class Size:
    """What Telegram bounds in a message: the text it shows, its entities, and the HTML itself."""

    shown: int = 0
    entities: int = 0
    markup: int = 0

    def __add__(self, other: Size) -> Size:
        return Size(self.shown + other.shown, self.entities + other.entities, self.markup + other.markup)

    def within(self, limit: int) -> bool:
        return self.shown <= limit and self.entities <= MAX_ENTITIES and self.markup <= MARKUP_FACTOR * limit


def _decode(entity: re.Match[str]) -> str:
    name = entity.group()[1:-1]
    if not name.startswith("#"):
        return _NAMED[name]
    try:
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    except (ValueError, OverflowError):  # no character: kept as written
        return entity.group()


def shown_text(text: str) -> str:
    """The text the HTML `text` shows: without its tags, its entities decoded."""
    return _ENTITY.sub(_decode, _TAG.sub("", text))


def size(text: str) -> Size:
    """The size of the HTML `text` as a message."""
    starts = sum(1 for tag in _TAG.finditer(text) if not tag.group(1))
    return Size(message_length(shown_text(text)), starts, message_length(text))


def fits(text: str, limit: int = TELEGRAM_LIMIT) -> bool:
    """Whether the HTML `text` is one message Telegram takes whole (`limit`: on the text it shows)."""
    return size(text).within(limit)


def shows_text(text: str) -> bool:
    """Whether the HTML `text` shows anything but white space (a message of none is refused as empty)."""
    return bool(shown_text(text).strip())


@dataclass(frozen=True, slots=True)
class _Word:
    """Atoms that stay together where possible, measured once: their size, whether they hold a tag (which changes
    the tags open after them) and whether they show anything."""

    atoms: list[str]
    size: Size
    tags: bool
    visible: bool


def _word(atoms: list[str]) -> _Word:
    """Measure `atoms`; plain text, most of any article, without a regular expression: sizes add up atom by atom, as
    a tag or an entity never spans two, so a long block is measured in one pass instead of each word again."""
    text = "".join(atoms)
    if "<" in text or "&" in text:
        return _Word(atoms, size(text), "<" in text, shows_text(text))
    length = len(text) if text.isascii() else message_length(text)
    return _Word(atoms, Size(length, 0, length), False, bool(text) and not text.isspace())


def _words(text: str) -> Iterator[_Word]:
    """The atoms of `text`, grouped so that each group ends with white space (where a cut reads naturally) and
    the end tags right after it."""
    word: list[str] = []
    ended = False
    for match in _ATOM.finditer(text):
        atom = match.group()
        if ended and not atom.startswith("</"):
            yield _word(word)
            word, ended = [], False
        word.append(atom)
        ended = ended or (atom[-1].isspace() and not atom.startswith("<"))
    if word:
        yield _word(word)


class _Cutter:
    """Packs words into pieces under `limit`, keeping the stack of tags open at the current point."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pieces: list[str] = []
        self.open: list[tuple[str, str]] = []  # (name, start tag) of each tag open here, outermost first
        self.parts: list[str] = []
        self.size = Size()
        self.visible = False

    def _closing(self, stack: list[tuple[str, str]]) -> int:
        """The markup of the end tags that close `stack`."""
        return sum(len(name) + 3 for name, _ in stack)

    def _after(self, word: _Word) -> list[tuple[str, str]]:
        """The open tags after `word`."""
        if not word.tags:
            return self.open
        stack = list(self.open)
        for atom in word.atoms:
            if atom.startswith("<") and (name := _TAG_NAME.match(atom)):
                if atom.startswith("</"):
                    if stack:
                        stack.pop()
                else:
                    stack.append((name.group(1), atom))
        return stack

    def fits(self, word: _Word) -> bool:
        total = self.size + word.size
        closing = self._closing(self._after(word))
        return Size(total.shown, total.entities, total.markup + closing).within(self.limit)

    def add(self, word: _Word) -> None:
        self.open = self._after(word)
        self.parts += word.atoms
        self.size += word.size
        self.visible = self.visible or word.visible

    def flush(self) -> None:
        """End the current piece (closing its open tags) and start the next with them opened again."""
        if self.visible:
            self.pieces.append("".join(self.parts) + "".join(f"</{name}>" for name, _ in reversed(self.open)))
        self.parts = [tag for _, tag in self.open]
        self.size = size("".join(self.parts))
        self.visible = False

    def room(self) -> int:
        """How much more text fits here (text shows as long as it is written)."""
        markup = MARKUP_FACTOR * self.limit - self.size.markup - self._closing(self.open)
        return min(self.limit - self.size.shown, markup)

    def put(self, word: _Word) -> None:
        """Add a word: whole if it fits here or in a fresh piece, else atom by atom, a long text by characters."""
        if self.fits(word):
            self.add(word)
            return
        self.flush()
        if self.fits(word):
            self.add(word)
            return
        for atom in word.atoms:
            alone = _word([atom])
            if not self.fits(alone):
                self.flush()
            if self.fits(alone):
                self.add(alone)
                continue
            if atom.startswith(("<", "&")):
                raise ValueError(f"markup too long for one message: {atom[:80]!r}")
            while atom:
                if not (take := _prefix(atom, self.room())):
                    self.flush()
                    if not (take := _prefix(atom, self.room())):
                        raise ValueError("open tags leave no room for text in one message")
                self.add(_word([take]))
                atom = atom[len(take) :]


def _prefix(text: str, room: int) -> str:
    """The longest start of `text` of at most `room` UTF-16 code units. A character is one or two units, so
    dropping half the excess in characters never drops more than one unit too many: a few measures, where one
    character at a time measured a piece of emoji some 2,000 times."""
    end = min(len(text), room)
    while (over := message_length(text[:end]) - room) > 0:
        end -= (over + 1) // 2
    if end < len(text) and message_length(text[: end + 1]) <= room:
        end += 1
    return text[:end]


def cut_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """One block of HTML as pieces Telegram takes (see `fits`), each valid on its own; blank pieces are left out."""
    if fits(text, limit):
        return [text] if shows_text(text) else []
    return _pieces(text, limit)


def split_message(blocks: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join blocks of HTML (paragraphs, headlines...) into as few messages Telegram takes as keep them whole.

    Blocks are joined with a blank line; a block too long alone is cut (see `cut_html`), starting in the message
    before when there is room; blocks that show nothing (blank, or empty tags), which Telegram would refuse as an
    empty message, are left out. A cut whose last piece would go out nearly alone (the next block too long to join
    it, or none) shares the last two pieces evenly: a paragraph of 4,100 characters before another long one sent its
    last few words as a message of their own.
    """
    messages: list[str] = []
    current, current_size = "", Size()
    tail = False  # whether `current` is the last piece of a cut, the piece before it the last message

    def flush() -> None:
        if tail and current_size.shown < limit * TAIL_SHARE:
            # The two pieces joined are valid HTML showing the same text: the tags closed at the cut open again.
            messages[-1:] = _even_cut(messages[-1] + current, 2, limit)
        else:
            messages.append(current)

    for block in blocks:
        if not shows_text(block):
            continue
        joined = current_size + size(f"\n\n{block}" if current else block)
        if joined.within(limit):
            current, current_size = f"{current}\n\n{block}" if current else block, joined
            tail = False
            continue
        if current and not fits(block, limit):
            # To be cut whatever comes before it: it starts in the message before (a long article of one paragraph
            # sent its title alone, then the text).
            source = f"{current}\n\n{block}"
        else:
            if current:
                flush()
            source = block
        pieces = cut_html(source, limit)
        tail = len(pieces) > 1
        messages += pieces[:-1]
        current = pieces[-1] if pieces else ""
        current_size = size(current)
    if current:
        flush()
    return messages


def _pieces(text: str, limit: int) -> list[str]:
    cutter = _Cutter(limit)
    for word in _words(text):
        cutter.put(word)
    cutter.flush()
    return cutter.pieces


def _even_cut(text: str, count: int, limit: int) -> list[str]:
    """`text` cut into `count` pieces (as many as a cut at `limit` makes) as even as its words allow: the least limit
    that still needs no more pieces, found near the even share by steps growing from it, then halving between (a
    text of two messages: a few cuts of some 5,000 characters)."""

    def within(at: int) -> list[str]:
        try:
            pieces = _pieces(text, at)
        except ValueError:  # open tags leave no room at so small a limit
            return []
        return pieces if pieces and len(pieces) <= count else []

    # No limit under the even share of the text shown, nor of the markup (text with many `&amp;` is cut by it).
    whole = size(text)
    low, step = max(1, whole.shown // count, whole.markup // (MARKUP_FACTOR * count)), 16
    best: list[str] = []
    while not best:
        high = min(limit, low + step)
        # At `limit` it is the cut made already, however many pieces `within` counts.
        if not (best := within(high) or (_pieces(text, limit) if high == limit else [])):
            low, step = high + 1, step * 2
    while low < high:
        if pieces := within(middle := (low + high) // 2):
            best, high = pieces, middle
        else:
            low = middle + 1
    return best


def lines_in_blocks(lines: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The lines of a list (HTML) one under another, as blocks for `split_message` that each fill a message: as blocks
    of their own they were joined with a blank line between each two (/categories showed every category so)."""
    blocks: list[str] = []
    for line in lines:
        if blocks and fits(joined := f"{blocks[-1]}\n{line}", limit):
            blocks[-1] = joined
        else:
            blocks.append(line)
    return blocks


def with_note(messages: list[str], note: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """`messages` with `note` (HTML, one line) after the last, or in a message of its own when it would not fit."""
    if not messages:
        return [note]
    joined = f"{messages[-1]}\n\n{note}"
    return [*messages[:-1], joined] if fits(joined, limit) else [*messages, note]
