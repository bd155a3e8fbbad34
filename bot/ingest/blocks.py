"""Bodies that CMSs keep as blocks of JSON, not HTML, read as paragraphs: Editor.js's, Sanity's Portable Text and
Ghost's Lexical and Mobiledoc.

Each paragraph, heading, quote and list item is a paragraph of its own, as a web page's are; a list item is led by
a bullet (•) or its number, as a Markdown story's is; a table's rows are read as an HTML table's (`bot.ingest.tables`).
Pictures, embeds and rules are no text. Editor.js and Ghost write their text as HTML fragments (`<b>`, `<a>`);
Portable Text's is plain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeGuard

from bot.ingest.markup import html_paragraphs, html_text
from bot.ingest.tables import table_passages

_BULLET = "•"
# A quote's paragraph and who said it (Editor.js's `caption`).
_QUOTE = "{text} \u2014 {caption}"
# The block kinds whose text is a paragraph of its own (Editor.js's `type`, Lexical's `type`, Mobiledoc's tag).
_EDITORJS_TEXT = frozenset({"paragraph", "header", "heading", "quote", "alert", "warning", "code"})
# A link in raw HTML: a promotion's box of one link is no text of its story.
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
# A text body's first characters that show it is one of these kept as a string (a database column of JSON).
_JSON_START = ("{", "[")


def block_paragraphs(value: object) -> tuple[str, ...] | None:
    """The paragraphs of a body kept as blocks (see the module), given as JSON or as the text of it; None when
    `value` is no such body (HTML, plain text, anything else)."""
    if isinstance(value, str) and value.lstrip().startswith(_JSON_START):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, Mapping):
        if isinstance(blocks := value.get("blocks"), list) and all(isinstance(b, Mapping) for b in blocks):
            return tuple(_editorjs(blocks))
        if isinstance(root := value.get("root"), Mapping) and root.get("type") == "root":
            return tuple(_lexical(root))
        if isinstance(value.get("sections"), list) and str(value.get("version", "")).startswith("0.3"):
            return tuple(_mobiledoc(value))
    if is_portable_text(value):
        return tuple(_portable_text(value))
    if is_ans(value):
        return tuple(_ans(value))
    return None


def is_ans(value: object) -> TypeGuard[list[Mapping[str, object]]]:
    """Whether `value` is Arc XP's ANS `content_elements`: a list of elements, each an object naming its `type`,
    one of them text."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(e, Mapping) and isinstance(e.get("type"), str) for e in value)
        and any(e.get("type") == "text" and "content" in e for e in value)
    )


def _ans(elements: Sequence[Mapping[str, object]]) -> Iterator[str]:
    """ANS's elements: text and headers, lists (an item led by • or its number), tables (`header` over `rows`),
    quotes (their `citation` after them), corrections, and raw HTML but for a promotion's link alone (`Sign up to
    our newsletter`); pictures, videos, embeds and links to other stories are no text. Only text elements were read
    (`content`): a table's, a list's and a quote's words were lost."""
    for element in elements:
        kind = element.get("type")
        if kind == "text" or kind == "header":
            yield from html_paragraphs(str(element.get("content") or ""))
        elif kind == "list":
            yield from _ans_items(element, "")
        elif kind == "table":
            header = [_ans_text(cell) for cell in _listed(element.get("header"))]
            rows = [[_ans_text(cell) for cell in _listed(row)] for row in _listed(element.get("rows"))]
            yield from table_passages([header, *rows] if any(header) else rows, any(header) or None)
        elif kind in ("quote", "blockquote"):
            said = list(_ans([e for e in _listed(element.get("content_elements")) if isinstance(e, Mapping)]))
            if said and (citation := _ans_text(element.get("citation"))):
                said[-1] = _QUOTE.format(text=said[-1], caption=citation)
            yield from said
        elif kind == "correction":
            if text := html_text(str(element.get("text") or "")):
                yield text
        elif kind == "raw_html":
            fragment = str(element.get("content") or "")
            links = {html_text(text) for text in _ANCHOR.findall(fragment)}
            yield from (p for p in html_paragraphs(fragment) if p not in links)


def _ans_items(element: Mapping[str, object], within: str) -> Iterator[str]:
    """A list's items, a list nested under an item numbered within its number (`1.2.`) in an ordered list."""
    ordered = element.get("list_type") == "ordered"
    number = 0
    for item in (i for i in _listed(element.get("items")) if isinstance(i, Mapping)):
        if item.get("type") == "list":
            yield from _ans_items(item, f"{within}{number}.")
        elif text := _ans_text(item):
            number += 1
            yield f"{within}{number}. {text}" if ordered else f"{_BULLET} {text}"


def _ans_text(value: object) -> str:
    """An ANS element's text (`{"type": "text", "content": ...}`), or a string's."""
    if isinstance(value, Mapping):
        value = value.get("content")
    return html_text(value) if isinstance(value, str) else ""


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def is_portable_text(value: object) -> TypeGuard[list[Mapping[str, object]]]:
    """Whether `value` is Portable Text: a list of blocks, each an object naming its `_type`."""
    return isinstance(value, list) and bool(value) and all(isinstance(b, Mapping) and "_type" in b for b in value)


def _editorjs(blocks: Sequence[Mapping[str, object]]) -> Iterator[str]:
    """Editor.js's blocks (`{"type": "paragraph", "data": {"text": ...}}`)."""
    for block in blocks:
        kind, data = block.get("type"), block.get("data")
        if not isinstance(data, Mapping):
            continue
        if kind in _EDITORJS_TEXT:
            text = html_text(str(data.get("text") or data.get("message") or data.get("code") or ""))
            caption = html_text(str(data.get("caption") or ""))
            if text:
                yield _QUOTE.format(text=text, caption=caption) if kind == "quote" and caption else text
        elif kind in ("list", "checklist", "nestedList"):
            yield from _editorjs_items(data.get("items"), data.get("style") == "ordered")
        elif kind == "table" and isinstance(rows := data.get("content"), list):
            cells = [[html_text(str(cell)) for cell in row] for row in rows if isinstance(row, list)]
            yield from table_passages(cells, True if data.get("withHeadings") else None)
        elif kind == "raw":
            yield from html_paragraphs(str(data.get("html") or ""))


def _editorjs_items(items: object, ordered: bool, within: str = "") -> Iterator[str]:
    """A list's items: text (Editor.js's List before 2.0), or objects with their `content` (or a checklist's
    `text`) and the items nested under them, numbered within their item's number (`1.2.`) in an ordered list."""
    if not isinstance(items, list):
        return
    for number, item in enumerate(items, start=1):
        nested: object = None
        if isinstance(item, Mapping):
            text = html_text(str(item.get("content") or item.get("text") or ""))
            nested = item.get("items")
        else:
            text = html_text(str(item))
        if text:
            yield f"{within}{number}. {text}" if ordered else f"{_BULLET} {text}"
        yield from _editorjs_items(nested, ordered, f"{within}{number}.")


def _portable_text(blocks: Sequence[Mapping[str, object]]) -> Iterator[str]:
    """Portable Text's blocks (Sanity's: `{"_type": "block", "style": "normal", "children": [{"_type": "span",
    "text": ...}], "listItem": "bullet"}`); others (`image`, a custom embed) are no text."""
    numbers: dict[object, int] = {}
    for block in blocks:
        if block.get("_type") != "block" or not isinstance(children := block.get("children"), list):
            numbers.clear()
            continue
        text = " ".join("".join(str(span.get("text") or "") for span in children if isinstance(span, Mapping)).split())
        listed = block.get("listItem")
        if not listed:
            numbers.clear()
        if not text:
            continue
        if listed == "number":
            numbers[block.get("level")] = numbers.get(block.get("level"), 0) + 1
            yield f"{numbers[block.get('level')]}. {text}"
        elif listed:
            yield f"{_BULLET} {text}"
        else:
            yield text


def _lexical(node: Mapping[str, object]) -> Iterator[str]:
    """Ghost's Lexical (5.x: `{"root": {"children": [{"type": "paragraph", "children": [{"type": "extended-text",
    "text": ...}]}]}}`): a block's text is its text nodes' run together; its cards (`html`, `markdown`) are read as
    their kind is."""
    for child in _children(node):
        kind = str(child.get("type") or "")
        if kind == "list":
            ordered = child.get("listType") == "number"
            for number, item in enumerate(_children(child), start=1):
                if text := _lexical_text(item):
                    yield f"{number}. {text}" if ordered else f"{_BULLET} {text}"
        elif kind == "html":
            yield from html_paragraphs(str(child.get("html") or ""))
        elif kind == "markdown":
            yield from _markdown(str(child.get("markdown") or ""))
        elif "children" in child and (text := _lexical_text(child)):
            yield text


def _children(node: Mapping[str, object]) -> list[Mapping[str, object]]:
    children = node.get("children")
    return [child for child in children if isinstance(child, Mapping)] if isinstance(children, list) else []


def _lexical_text(node: Mapping[str, object]) -> str:
    """A Lexical block's text: its text nodes' (and its links' and nested nodes'), a line break a space."""
    return " ".join(_lexical_written(node).split())


def _lexical_written(node: Mapping[str, object]) -> str:
    parts = [str(node["text"]) if isinstance(node.get("text"), str) else ""]
    parts.extend(" " if child.get("type") == "linebreak" else _lexical_written(child) for child in _children(node))
    return "".join(parts)


def _mobiledoc(document: Mapping[str, object]) -> Iterator[str]:
    """Ghost's Mobiledoc (before 5.0: `{"version": "0.3.1", "sections": [[1, "p", [[0, [], 0, "text"]]], ...],
    "cards": [["markdown", {...}]], "atoms": [...]}`): markup sections (1) and lists (3) are text, a card section
    (10) is read as its card's kind is (`html`, `markdown`); images (2) are no text."""
    cards, atoms, sections = (_list(document.get(key)) for key in ("cards", "atoms", "sections"))
    for section in sections:
        if not isinstance(section, list) or not section:
            continue
        if section[0] == 1 and len(section) > 2:
            if text := _markers(section[2], atoms):
                yield text
        elif section[0] == 3 and len(section) > 2 and isinstance(section[2], list):
            for number, item in enumerate(section[2], start=1):
                if text := _markers(item, atoms):
                    yield f"{number}. {text}" if section[1] == "ol" else f"{_BULLET} {text}"
        elif section[0] == 10 and len(section) > 1 and isinstance(at := section[1], int) and at < len(cards):
            yield from _card(cards[at])


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _markers(markers: object, atoms: list[object]) -> str:
    """A Mobiledoc section's text: its markers' (`[0, opened, closed, "text"]`), an atom's (`[1, ..., index]`) its
    text, a soft return a space."""
    if not isinstance(markers, list):
        return ""
    parts = []
    for marker in markers:
        if not isinstance(marker, list) or len(marker) < 4:
            continue
        if marker[0] == 0:
            parts.append(str(marker[3]))
        elif isinstance(marker[3], int) and marker[3] < len(atoms) and isinstance(atom := atoms[marker[3]], list):
            parts.append(" " if atom[0] == "soft-return" else str(atom[1] if len(atom) > 1 else ""))
    return " ".join("".join(parts).split())


def _card(card: object) -> Iterator[str]:
    """A Mobiledoc card's text (`["html", {"html": ...}]`, `["markdown", {"markdown": ...}]`); others are none."""
    if not isinstance(card, list) or len(card) < 2 or not isinstance(payload := card[1], Mapping):
        return
    if card[0] == "html":
        yield from html_paragraphs(str(payload.get("html") or ""))
    elif card[0] in ("markdown", "card-markdown"):
        yield from _markdown(str(payload.get("markdown") or ""))


def _markdown(text: str) -> tuple[str, ...]:
    # Imported here: the Markdown reader builds its articles with the records', which read these bodies.
    from bot.ingest.markdown import markdown_paragraphs

    return markdown_paragraphs(text)
