"""HTML fragments (feed titles and content) as plain text: tags dropped, entities decoded, blocks as paragraphs.

The text that comes out is plain: "<b>" in it is literally those characters, which the renderers escape.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from bot.ingest.tables import table_passages
from bot.ingest.text import split_paragraphs

# Elements that end a paragraph (a line break alone does not; two in a row do).
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section",
        "table", "tr", "ul",
    }
)  # fmt: skip
# Elements whose content is never text for a reader. A figure is a photo's or an embed's caption, as trafilatura
# leaves it out of pages ("A flooded street in Carlisle. Photograph: J Smith/Agency").
_HIDDEN = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "math", "head", "select"})
# ... and a figure's, but for a table in it: WordPress's editor puts every table in one (`<figure
# class="wp-block-table"><table>...`), which was lost, its cells' separators left as passages ("|  |").
_FIGURE = "figure"
# Every element of HTML (and those of old pages: font, center, tt...). Anything else written as a tag ("Robot
# <lawnmower> on trial", "<Name withheld>" in a plain-text field) is text a writer typed, kept as such; a custom
# element ("<amp-img>") or a namespaced one ("<o:p>", Word's) is markup all the same.
_ELEMENTS = frozenset(
    {
        "a", "abbr", "acronym", "address", "applet", "area", "article", "aside", "audio", "b", "base", "basefont",
        "bdi", "bdo", "big", "blink", "blockquote", "body", "br", "button", "canvas", "caption", "center", "cite",
        "code", "col", "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog", "dir", "div", "dl",
        "dt", "em", "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "frame", "frameset", "h1",
        "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe", "image", "img", "input",
        "ins", "isindex", "kbd", "keygen", "label", "legend", "li", "link", "listing", "main", "map", "mark", "marquee",
        "math", "menu", "menuitem", "meta", "meter", "nav", "nobr", "noembed", "noframes", "noscript", "object", "ol",
        "optgroup", "option", "output", "p", "param", "picture", "plaintext", "portal", "pre", "progress", "q", "rb",
        "rp", "rt", "rtc", "ruby", "s", "samp", "script", "search", "section", "select", "slot", "small", "source",
        "spacer", "span", "strike", "strong", "style", "sub", "summary", "sup", "svg", "table", "tbody", "td",
        "template", "textarea", "tfoot", "th", "thead", "time", "title", "tr", "track", "tt", "u", "ul", "var", "video",
        "wbr", "xmp",
    }
)  # fmt: skip
# A paragraph that only labels an advertisement's place, as newsrooms' feeds and pages carry them.
AD_LABEL = re.compile(
    r"(?:advertisement|advert|sponsored(?: content)?|skip advertisement|continue reading the main story"
    r"|(?:the )?(?:story|article) continues (?:below|after)(?: this)? advert(?:isement)?)",
    re.IGNORECASE,
)
# A box sending the reader to other stories, as CMS bodies carry them ("Read more" over a list of headline links,
# "Related: <a>...</a>"): its label, then only links, is no part of the story.
_RELATED_LABEL = re.compile(
    r"(?:read more|related(?: stories| articles| coverage| content| links| reading)?|see also|also read|read next"
    r"|more on this(?: story)?|you (?:may|might) also like|recommended(?: reading| stories)?)\s*[:\u00bb>]?",
    re.IGNORECASE,
)
# Where a link's text starts and ends in the parser's text: private-use characters, taken out of the page's own.
_LINK_START, _LINK_END = "\ue000", "\ue001"
_LINKED = re.compile(f"{_LINK_START}[^{_LINK_END}]*{_LINK_END}?")
_LINK_MARKS = re.compile(f"[{_LINK_START}{_LINK_END}]")
# Where a table starts, and each of its cells (a header's `<th>`, a data cell's `<td>`), so that its rows are read
# as a table's (`bot.ingest.tables`): private-use characters too, taken out of the page's own.
_TABLE, _CELL, _HEAD_CELL = "\ue004", "\ue002", "\ue003"
_CELL_MARK = re.compile(f"[{_CELL}{_HEAD_CELL}]")
_OWN_MARKS = re.compile(f"[{_LINK_START}{_LINK_END}{_CELL}{_HEAD_CELL}{_TABLE}]")
_NO_WORDS = re.compile(r"[\W_]*")
# A paragraph repeated in another of its story (`without_repeats`) is one of this many words or more.
_REPEAT_WORDS = 8
_WORDS = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n\s*\n")
_TAG = re.compile(r"<[^>]*>?")
# A tag ("<x", "</x", "<!", "<?") or an entity ("&amp;", "&#233;"): text without one needs no parsing.
_MARKUP = re.compile(r"<[a-zA-Z/!?]|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.figures = 0
        self.tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not _is_element(tag):
            self.handle_data(self.get_starttag_text() or "")
            return
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == _FIGURE:
            self.figures += 1
        elif tag == "table":
            self.tables += 1
            self.parts.append(f"\n\n{_TABLE}\n\n")
        # A row's cells are parted (`Survey | January | £120,000`), where they ran together.
        if tag in ("td", "th") and not self.unseen():
            self.parts.append(_HEAD_CELL if tag == "th" else _CELL)
        elif tag == "a":
            self.parts.append(_LINK_START)
        # A hidden block (a figure) still parts the text around it.
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not _is_element(tag):
            self.handle_data(self.get_starttag_text() or "")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if not _is_element(tag):
            self.handle_data(f"</{tag}>")
            return
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == _FIGURE:
            self.figures = max(0, self.figures - 1)
        elif tag == "table":
            self.tables = max(0, self.tables - 1)
        if tag == "a":
            self.parts.append(_LINK_END)
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def unseen(self) -> bool:
        """Whether the text being read is none a reader sees: hidden, or a figure's outside a table in it."""
        return bool(self.hidden or (self.figures and not self.tables))

    def handle_data(self, data: str) -> None:
        if not self.unseen():
            # A blank line is a paragraph break all the same: what CMSs store and export (WordPress's post_content)
            # has inline tags and entities but no <p>.
            data = _OWN_MARKS.sub("", data)
            self.parts.append("\n\n".join(_SPACE.sub(" ", block) for block in _BLANK_LINE.split(data)))


def _is_element(tag: str) -> bool:
    return tag in _ELEMENTS or "-" in tag or ":" in tag


def looks_like_html(text: str) -> bool:
    """Whether `text` has a tag or an entity in it ("5 < 6" and "AT&T" do not)."""
    return bool(_MARKUP.search(text))


def html_paragraphs(fragment: str) -> tuple[str, ...]:
    """The paragraphs of an HTML fragment as plain text, without advertisements' labels and boxes of links to other
    stories (`_RELATED_LABEL`)."""
    kept: list[str] = []
    # A label alone ("Read more"), kept unless links follow it: a feed's teaser ends so, which says it is one.
    label: str | None = None
    in_box = False
    for block in _blocks(fragment):
        paragraph = _LINK_MARKS.sub("", block)
        unlinked = _LINKED.sub("", block)
        if _RELATED_LABEL.fullmatch(paragraph.strip()):
            if label is not None:
                kept.append(label)
            label, in_box = paragraph, False
            continue
        only_links = unlinked != block and _NO_WORDS.fullmatch(unlinked) is not None
        if ((label is not None or in_box) and only_links) or (
            unlinked != block and _RELATED_LABEL.fullmatch(unlinked.strip())
        ):
            # A link in the box under its label, or a label and its link on one line ("Related: <a>...</a>").
            label, in_box = None, in_box or label is not None
            continue
        if label is not None:
            kept.append(label)
        label, in_box = None, False
        if not AD_LABEL.fullmatch(paragraph):
            kept.append(paragraph)
    if label is not None:
        kept.append(label)
    return without_repeats(tuple(kept))


def without_repeats(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """The paragraphs without those another of them holds whole (case, spacing and punctuation aside): a pull quote
    repeats a sentence of its story (`“We cannot face another winter like this one,”` under `... said: "We cannot
    face another winter like this one," ...`), and was a passage of its own beside it. Short ones ("Thank you.")
    are kept, as they may be said twice."""
    words = [" ".join(_WORDS.findall(paragraph.casefold())) for paragraph in paragraphs]
    return tuple(
        paragraph
        for n, paragraph in enumerate(paragraphs)
        if len(words[n].split()) < _REPEAT_WORDS
        or not any(
            m != n and len(other) > len(words[n]) and f" {words[n]} " in f" {other} " for m, other in enumerate(words)
        )
    )


def html_text(fragment: str) -> str:
    """An HTML fragment (a headline, a name) as one line of plain text."""
    return " ".join(_LINK_MARKS.sub("", " ".join(_blocks(fragment))).split())


def _blocks(fragment: str) -> tuple[str, ...]:
    """The fragment's paragraphs, each link's text in `_LINK_START` and `_LINK_END`."""
    if not looks_like_html(fragment):
        return split_paragraphs(fragment)
    parser = _TextParser()
    try:
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # html.parser has raised on some broken markup; the words still matter more than the tags
        text = _OWN_MARKS.sub("", unescape(_TAG.sub(" ", fragment)))
    # Blocks became blank lines: two line breaks in a row are a paragraph break, one is a space.
    return _tabled(split_paragraphs(text))


def _tabled(blocks: tuple[str, ...]) -> tuple[str, ...]:
    """The blocks with each table's rows (blocks opening with a cell's mark) read as its passages."""
    out: list[str] = []
    rows: list[str] = []
    for block in (*blocks, _TABLE):
        if block.startswith((_CELL, _HEAD_CELL)):
            rows.append(block)
            continue
        if rows:
            header = all(mark == _HEAD_CELL for mark in _CELL_MARK.findall(rows[0]))
            cells = [[cell.strip() for cell in _CELL_MARK.split(row)[1:]] for row in rows]
            out.extend(table_passages(cells, header or None))
            rows = []
        if block != _TABLE:
            out.append(_CELL_MARK.sub(" ", block).strip())
    return tuple(out)
