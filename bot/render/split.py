"""Telegram HTML into messages Telegram accepts: at most 4096 characters each, never cut inside a tag or entity.

Sizes are counted in UTF-16 code units of the HTML itself, which bounds both what Telegram counts (the
visible text, in UTF-16) and the markup around it. A block too long for one message is cut between words
(inside a word only when one word alone is too long); tags open at a cut are closed there and opened again
at the start of the next message, so every message is valid on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

TELEGRAM_LIMIT = 4096

# A tag, an entity, or a run of text with the white space after it (a word); anything else (a stray `<` or
# `&` in text that was never escaped) one character at a time, so the cut never fails.
_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|[^<&\s]+\s*|\s+|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?([\w-]+)")


def message_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _words(text: str) -> Iterator[list[str]]:
    """The atoms of `text`, grouped so that each group ends with white space (where a cut reads naturally) and
    the end tags right after it."""
    word: list[str] = []
    ended = False
    for match in _ATOM.finditer(text):
        atom = match.group()
        if ended and not atom.startswith("</"):
            yield word
            word, ended = [], False
        word.append(atom)
        ended = ended or (atom[-1].isspace() and not atom.startswith("<"))
    if word:
        yield word


class _Cutter:
    """Packs atoms into pieces under `limit`, keeping the stack of tags open at the current point."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pieces: list[str] = []
        self.open: list[tuple[str, str]] = []  # (name, start tag) of each tag open here, outermost first
        self.parts: list[str] = []
        self.size = 0
        self.visible = False

    def _closing(self, stack: list[tuple[str, str]]) -> int:
        return sum(len(name) + 3 for name, _ in stack)

    def _after(self, atoms: Iterable[str]) -> list[tuple[str, str]]:
        """The open tags after `atoms`."""
        stack = list(self.open)
        for atom in atoms:
            if atom.startswith("<") and (name := _TAG_NAME.match(atom)):
                if atom.startswith("</"):
                    if stack:
                        stack.pop()
                else:
                    stack.append((name.group(1), atom))
        return stack

    def fits(self, atoms: list[str]) -> bool:
        size = sum(message_length(a) for a in atoms)
        return self.size + size + self._closing(self._after(atoms)) <= self.limit

    def add(self, atoms: list[str]) -> None:
        self.open = self._after(atoms)
        self.parts += atoms
        self.size += sum(message_length(a) for a in atoms)
        self.visible = self.visible or any(not a.startswith("<") and not a.isspace() for a in atoms)

    def flush(self) -> None:
        """End the current piece (closing its open tags) and start the next with them opened again."""
        if self.visible:
            self.pieces.append("".join(self.parts) + "".join(f"</{name}>" for name, _ in reversed(self.open)))
        self.parts = [tag for _, tag in self.open]
        self.size = sum(message_length(tag) for tag in self.parts)
        self.visible = False

    def room(self) -> int:
        return self.limit - self.size - self._closing(self.open)

    def put(self, atoms: list[str]) -> None:
        """Add a word: whole if it fits here or in a fresh piece, else atom by atom, a long text by characters."""
        if self.fits(atoms):
            self.add(atoms)
            return
        self.flush()
        if self.fits(atoms):
            self.add(atoms)
            return
        for atom in atoms:
            if not self.fits([atom]):
                self.flush()
            if self.fits([atom]):
                self.add([atom])
                continue
            if atom.startswith(("<", "&")):
                raise ValueError(f"markup too long for one message: {atom[:80]!r}")
            while atom:
                if not (take := _prefix(atom, self.room())):
                    self.flush()
                    if not (take := _prefix(atom, self.room())):
                        raise ValueError("open tags leave no room for text in one message")
                self.add([take])
                atom = atom[len(take) :]


def _prefix(text: str, room: int) -> str:
    """The longest start of `text` of at most `room` UTF-16 code units."""
    end = min(len(text), room)
    while end and message_length(text[:end]) > room:
        end -= 1
    return text[:end]


def cut_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """One block of HTML as pieces of at most `limit`, each valid on its own; blank pieces are left out."""
    if message_length(text) <= limit:
        return [text] if text.strip() else []
    cutter = _Cutter(limit)
    for word in _words(text):
        cutter.put(word)
    cutter.flush()
    return cutter.pieces


def split_message(blocks: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join blocks of HTML (paragraphs, headlines...) into as few messages under `limit` as keep them whole.

    Blocks are joined with a blank line; a block too long alone is cut (see `cut_html`); blank blocks, which
    Telegram would refuse as an empty message, are left out.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if not block.strip():
            continue
        candidate = f"{current}\n\n{block}" if current else block
        if message_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        pieces = cut_html(block, limit)
        messages += pieces[:-1]
        current = pieces[-1] if pieces else ""
    if current:
        messages.append(current)
    return messages
