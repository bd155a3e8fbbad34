"""Markdown stories (static-site generators, newsroom notes): front matter for the fields, the rest as paragraphs.

The front matter (`---` lines around YAML's simple `key: value` lines and lists, or `+++` lines around Hugo's TOML)
is read as a record is, with the same field names (`title`, `date`, `category` or `tags`, `url`, `author`, ...); the
headline is its `title`, else the first `# ` heading. The body's Markdown becomes plain text: a link is its text,
emphasis and code marks go, and each list item is a paragraph of its own, led by a bullet (•) or its number.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import replace
from datetime import date

from bot.errors import ArticleError
from bot.ingest.dates import FileDates
from bot.ingest.records import article_from_record, site_path
from bot.ingest.reports import without_site
from bot.ingest.static_sites import Permalink, StaticSite
from bot.ingest.tables import markdown_tables
from bot.ingest.text import date_line_text, split_paragraphs
from bot.ingest.urls import web_link
from bot.models import Article

_FENCE = re.compile(r"^(?:---|\.\.\.)\s*$")
_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_ITEM = re.compile(r"^\s+-\s+(.*)$")
_HEADLINE = re.compile(r"^#\s+(.+?)\s*#*\s*$")
# Line marks: headings and quotes; rules and code fences are no text at all.
_LINE_MARK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
# A list item's bullet, or its number as written ("2." or "2)"), at any depth.
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|(?P<number>\d{1,9})[.)])\s+(?=\S)")
_BULLET = "•"
# Rules, code fences, link definitions, and a line that is only a template tag (Jekyll's `{% include ... %}`,
# Hugo's `{{< figure ... >}}` shortcodes) are no text at all.
_NOT_TEXT = re.compile(r"^\s{0,3}(?:(?:[-*_]\s*){3,}|=+\s*|```.*|~~~.*|\[[^\]]+\]:\s+\S.*|\{[{%].*[%}]\}\s*)$")
# Inline marks, in order: images go, links and reference links keep their text, then emphasis and code marks.
_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),
    (re.compile(r"`([^`]+)`"), r"\1"),
)


def parse_markdown(
    text: str,
    origin: str,
    dates: FileDates | None = None,
    site: str | None = None,
    static: tuple[StaticSite, Permalink] | None = None,
) -> tuple[Article, str | None]:
    """The story in a Markdown file, and a note on it: why it is undated when its date cannot be read (see
    `read_date`; read as its file's `dates` are), or that it has no link; a `url` that is a path on its site (Hugo's
    and Jekyll's `url: /news/story/`) is read on `site`, when given, else the note says to give it. A post of a
    static site (`static`: the site, and how its posts' paths are made) without one is linked where the site
    publishes it, on `site` or else the address its configuration names."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n").split("\n")
    front: dict[str, object] = {}
    if lines and lines[0].strip() == "---":
        end = next((n for n, line in enumerate(lines[1:], start=1) if _FENCE.match(line)), None)
        if end is not None:
            front = _front_matter(lines[1:end])
            lines = lines[end + 1 :]
    elif lines and lines[0].strip() == "+++":
        end = next((n for n, line in enumerate(lines[1:], start=1) if line.strip() == "+++"), None)
        if end is not None:
            front = _toml_front_matter(lines[1:end])
            lines = lines[end + 1 :]
    # Static-site generators' drafts (Hugo's `draft: true`, Jekyll's `published: false`) must not reach readers.
    draft, published = (str(front.get(key, "")).lower() for key in ("draft", "published"))
    if draft == "true" or published == "false":
        raise ArticleError("a draft (its front matter says so), not read")
    if published == "true":
        del front["published"]  # Jekyll's flag, not a date
    headline = next((m[1] for line in lines if (m := _HEADLINE.match(line))), None)
    title = front.get("title") or headline
    if not title:
        raise ArticleError("no headline: no front matter title and no '# ' heading")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is not None and _HEADLINE.match(lines[first]):
        # The body's opening `# ` heading is the page's headline, not part of the story, even when it is worded
        # shorter than the front matter's title (which a site shows in its page title and feed).
        del lines[first]
    elif headline is not None and _plain(headline) == _plain(str(title)):
        lines.remove(next(line for line in lines if _HEADLINE.match(line)))
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    written = None if first is None else date_line_text(_plain(lines[first]).strip(" *_"), dates)
    if first is not None and written is not None:
        # A date line under the heading (`Published 30 Nov 2026`, `*1 December 2026*`), as notes without front
        # matter date a story, is its date, not its first paragraph; the front matter's date wins.
        del lines[first]
        front = {"date": written, **front}
    record = {**front, "title": title, "paragraphs": list(split_paragraphs(_body(lines)))}
    article, unread = article_from_record(record, {}, origin, site, dates)
    unlinked = None
    if article.url is None and (path := site_path(record, {})):
        unlinked = without_site(origin, 1, path, "its front matter").reason
    elif article.url is None and static is not None:
        article, unlinked = _published_at(article, front, static, site)
    if unlinked:
        return article, f"{unread}; {unlinked}" if unread else unlinked
    return article, unread


def _published_at(
    article: Article, front: dict[str, object], static: tuple[StaticSite, Permalink], site: str | None
) -> tuple[Article, str | None]:
    """The post linked where its static site publishes it, else the note saying why it cannot be."""
    where, permalink = static
    path = permalink(front, article.published)
    if path is None:
        return article, (
            f"no link: its site's permalink ({where.config}) has a part newsbot cannot fill for this post; give the"
            " post a url in its front matter"
        )
    if (address := site or where.address) is None:
        return article, without_site(
            article.origin or "", 1, path, f"its site's {where.config}, naming no address,"
        ).reason
    return replace(article, url=web_link(address.rstrip("/") + path)), None


def _front_matter(lines: list[str]) -> dict[str, object]:
    """YAML's simple `key: value` lines, `key: [a, b]` and `key:` over `  - item` lines; other YAML is passed over."""
    front: dict[str, object] = {}
    key = None
    for line in lines:
        if (item := _ITEM.match(line)) and key is not None:
            listed = front.get(key)
            front[key] = [*(listed if isinstance(listed, list) else []), _scalar(item[1])]
        elif match := _KEY.match(line):
            key, value = match[1], match[2].strip()
            if value.startswith("[") and value.endswith("]"):
                front[key] = [_scalar(v) for v in value[1:-1].split(",") if v.strip()]
            elif value:
                front[key] = _scalar(value)
    return front


def _toml_front_matter(lines: list[str]) -> dict[str, object]:
    """Hugo's TOML front matter (between `+++` lines), its dates as ISO 8601 text, as YAML's are written."""
    try:
        front = tomllib.loads("\n".join(lines))
    except tomllib.TOMLDecodeError as exc:
        raise ArticleError(f"unreadable TOML front matter: {exc}") from exc
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in front.items()}


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) > 1 and value[0] == value[-1] == '"':
        # YAML's double-quoted escapes are JSON's (\" and \\ among them).
        try:
            unquoted = json.loads(value)
        except ValueError:
            return value[1:-1]
        return unquoted if isinstance(unquoted, str) else value[1:-1]
    if len(value) > 1 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")  # YAML's one escape in single quotes
    return value.split(" #", 1)[0].strip()  # a comment after a plain value


def markdown_paragraphs(text: str) -> tuple[str, ...]:
    """Markdown text (a body, a CMS's Markdown card) as plain paragraphs, as a Markdown story's body reads."""
    return split_paragraphs(_body(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")))


def _body(lines: list[str]) -> str:
    """The body's Markdown as plain text, each heading and list item a paragraph of its own, an item led by a bullet
    or its number: joined to each other, a derby report's "Attendance: 31,200", "Yellow cards: 5" read as one run-on
    sentence."""
    body: list[str] = []
    # Where a numbered line starts an item (CommonMark's rule): in a list, after a blank line, or at number 1;
    # elsewhere it is a wrapped line of a paragraph ("... in\n2026. The").
    listed = False
    for line, passage in markdown_tables(lines):
        if passage:
            # A table's row is a paragraph of its own, beside its columns' names: run together, a table was one.
            body.extend(("", _plain(line), ""))
            continue
        if _NOT_TEXT.match(line):
            continue
        text = _LINE_MARK.sub("", line)
        after_blank = not body or not body[-1].strip()
        item = _LIST_ITEM.match(text)
        if item and (item["number"] in (None, "1") or listed or after_blank):
            listed = True
            mark = _BULLET if item["number"] is None else text[: item.end()].strip()
            body.extend(("", f"{mark} {_plain(text[item.end() :])}"))
            continue
        if _HEADING.match(line):
            # A heading is a paragraph of its own too, with no blank line around it ("## Results\nUnited won.").
            listed = False
            body.extend(("", _plain(text), ""))
            continue
        if text.strip() and after_blank:
            listed = False
        body.append(_plain(text))
    return "\n".join(body)


def _plain(line: str) -> str:
    """A line of Markdown as its text."""
    line = _LINE_MARK.sub("", line)
    for pattern, replacement in _INLINE:
        line = pattern.sub(replacement, line)
    return line
