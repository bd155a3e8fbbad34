"""Where an editor shows a stray byte (one not UTF-8), to check what the notes on one say, counted independently
of the reader: the file read with U+FFFD for each such byte, split into lines."""

from __future__ import annotations


def where_shown(data: bytes, stray: bytes) -> str:
    """ "line L, column C" of the first `stray` byte in UTF-8 `data`, both from 1, the column in characters."""
    before = data[: data.index(stray)].decode("utf-8-sig", "replace")
    line = before.count("\n") + 1
    return f"line {line}, column {len(before) - before.rfind(chr(10))}"
