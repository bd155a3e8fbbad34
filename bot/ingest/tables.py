"""A table's rows as passages a reader can use alone: each value beside its column's name.

A row kept as a passage without its header ("Arsenal | 10 | 25") answered no "how many points did Arsenal get":
under a header row it reads `Team: Arsenal · Played: 10 · Points: 25`, and the header row is no passage of its own.
A table without one (a price list: `Adult swim | £4.80`) keeps its cells parted as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

CELLS = " | "
_LABELLED = " \u00b7 "
_DIGIT = re.compile(r"\d")
# A table's row in Markdown (GitHub's, and trafilatura's for a page's tables), and the rule under its header row.
_ROW = re.compile(r"\s{0,3}\|.*\|\s*")
_RULE = re.compile(r":?-+:?")


def table_passages(rows: Sequence[Sequence[str]], header: bool | None = None) -> Iterator[str]:
    """The passages of a table's rows (each a list of its cells' text). `header`: whether its first row names the
    columns, as the markup says (`<th>`, Markdown's rule under it, Editor.js's `withHeadings`); None when the markup
    cannot tell (a CMS's `<td>`-only table): then the first row names them when none of its cells holds a figure and
    a later row's does (`Team | Played | Points` over `Kelby | 12 | 28`)."""
    cleaned = [[" ".join(cell.split()) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return
    if header is None:
        header = _names_columns(cleaned)
    names = cleaned[0] if header and len(cleaned) > 1 else None
    if names is None:
        for row in cleaned:
            if line := CELLS.join(row).strip(" |"):
                yield " ".join(line.split())
        return
    for row in cleaned[1:]:
        parts = [f"{name}: {value}" if name else value for name, value in zip(names, row, strict=False) if value]
        parts += [value for value in row[len(names) :] if value]
        if parts:
            yield _LABELLED.join(parts)


def markdown_tables(lines: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """The lines of a Markdown text, each table's rows (`| Kelby | 12 | 28 |`, a rule `|---|---|` under a header
    row) given as its passages instead: each line, and whether it is a table's passage."""
    rows: list[list[str]] = []
    header: bool | None = None
    for line in (*lines, None):
        if line is not None and _ROW.fullmatch(line):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if rows and all(_RULE.fullmatch(cell) for cell in cells):
                header = header or len(rows) == 1
            else:
                rows.append(cells)
            continue
        if rows:
            yield from ((passage, True) for passage in table_passages(rows, header))
            rows, header = [], None
        if line is not None:
            yield line, False


def _names_columns(rows: list[list[str]]) -> bool:
    first, rest = rows[0], rows[1:]
    return (
        bool(rest)
        and sum(1 for cell in first if cell) > 1
        and not any(_DIGIT.search(cell) for cell in first)
        and any(_DIGIT.search(cell) for row in rest for cell in row)
    )
