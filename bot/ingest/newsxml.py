"""The news industry's own XML, as wire services and newsroom systems send stories: NITF (one story a file) and
IPTC's NewsML-G2 (a `<newsItem>`, or a `<newsMessage>` of several), its text as NITF, XHTML or plain text inside,
and NewsML-G2's forerunner NewsML 1 (a `<NewsML>` of `<NewsItem>`s), which wires still send, its text so too.

Both were refused ("an NITF story ..., which newsbot does not read") though they hold all a reader needs: the
headline (`<hl1>`, `<headline>`), the date (`<date.issue norm=...>`, `<story.date>`, `<firstCreated>`), the byline
(`<byline>`, `<by>`, a `<creator>`), the section (`<subject>`) and the text's paragraphs (`<p>`, `<hl2>` subheads,
list items). NewsML 1 holds the same in other names (`<HeadLine>`, `<ByLine>`, `<FirstCreated>`, a text
`<ContentItem>`'s `<DataContent>`); it was refused ("a NewsML 1 document ..., which newsbot does not read"). Its
subjects are only codes of a catalogue, so its stories have no category. None names a page of the story, so its
stories have no link. Plain XML: the standard library reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from xml.etree import ElementTree

from bot.errors import ArticleError
from bot.ingest.dates import FileDates, read_date
from bot.ingest.limits import within_limits
from bot.ingest.reports import Skipped
from bot.ingest.text import bylined
from bot.models import Article

_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(?:[\w.-]+:)?(nitf|newsItem|newsMessage|NewsML)\b",
    re.S,
)
_ROOT_BYTES = 4096
# Elements of a story's text that are paragraphs of their own: NITF's and XHTML's.
_PARAGRAPHS = frozenset({"p", "hl2", "li", "h2", "h3", "h4", "blockquote", "pre"})
# NewsML-G2's statuses of an item that is not out, and classes of an item that is no story.
_WITHHELD = frozenset({"stat:canceled", "stat:withheld"})
_TEXT_CLASS = "ninat:text"
# NewsML 1's statuses of an item that is not out (its `<Status FormalName=...>`, in any case).
_WITHHELD_1 = frozenset({"canceled", "cancelled", "withheld", "embargoed"})


def is_news_xml(head: bytes) -> bool:
    """Whether a file's first bytes open an NITF story, a NewsML-G2 item or message, or a NewsML 1 document."""
    return _ROOT.match(head[:_ROOT_BYTES]) is not None


def read_news_xml(data: bytes, origin: str, dates: FileDates) -> Iterator[Article | Skipped]:
    """The stories of an NITF file, a NewsML-G2 item or message or a NewsML 1 document (`origin` names it; a
    message's second story is `origin#2`), and what stopped one."""
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError) as exc:
        yield Skipped(origin, f"not well-formed XML ({exc}), not read")
        return
    _unnamespaced(root)
    if root.tag in ("nitf", "newsItem"):
        stories = [root]
    else:
        stories = list(root.iter("NewsItem" if root.tag == "NewsML" else "newsItem"))
        if not stories:
            what = "a NewsML 1 document" if root.tag == "NewsML" else "a NewsML-G2 message"
            yield Skipped(origin, f"{what} with no news item in it")
            return
    for number, story in enumerate(stories, start=1):
        where = origin if number == 1 else f"{origin}#{number}"
        try:
            article, note = _READERS[story.tag](story, where, dates)
        except ArticleError as exc:
            yield Skipped(where, str(exc))
            continue
        if note:
            yield Skipped(where, note, note=True)
        if article.source_id and len(stories) > 1:
            # Its guid is a steadier place than its number: a message read again, an item edited, replaces it.
            article = replace(article, origin=f"{origin}#{article.source_id}")
        yield from within_limits(article, where)


def _unnamespaced(root: ElementTree.Element) -> None:
    """The tree's elements and attributes named without their namespaces (NITF 3.x and NewsML-G2 declare one)."""
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
        for key in [key for key in element.attrib if "}" in key]:
            element.attrib[key.rpartition("}")[2]] = element.attrib.pop(key)


def _nitf(story: ElementTree.Element, origin: str, dates: FileDates) -> tuple[Article, str | None]:
    """An NITF story: `<hl1>` (else the `<title>`), the first date of `<date.issue>`, the dateline's
    `<story.date>`, `<date.release>` and `<pubdata>`'s `date.publication`, `<byline>`, the first
    `<tobject.subject>`'s matter, `<body.content>`."""
    title = _text(story.find(".//hl1")) or _text(story.find("head/title"))
    when = next(
        filter(
            None,
            (
                _stamp(story.find(".//date.issue")),
                _stamp(story.find(".//story.date")),
                _stamp(story.find(".//date.release")),
                # A publisher's NITF may date a story only there (an ops round's file went in undated).
                _stamp(story.find(".//pubdata"), "date.publication"),
            ),
        ),
        "",
    )
    subject = story.find(".//tobject.subject")
    category = (
        "" if subject is None else subject.get("tobject.subject-matter") or subject.get("tobject.subject-type") or ""
    )
    doc_id = story.find(".//doc-id")
    return _article(
        title,
        story.find(".//body.content"),
        when,
        _byline(story.find(".//byline")),
        category,
        doc_id.get("id-string") if doc_id is not None else None,
        origin,
        dates,
    )


def _news_item(item: ElementTree.Element, origin: str, dates: FileDates) -> tuple[Article, str | None]:
    """A NewsML-G2 news item: its `<contentMeta>` (`<headline>`, `<by>` or `<creator>`, `<subject>`), its
    `<itemMeta>`'s `<firstCreated>` (else `<versionCreated>`), and the text in its `<contentSet>`."""
    meta = item.find("itemMeta")
    status = meta.find("pubStatus") if meta is not None else None
    if status is not None and (status.get("qcode") or "") in _WITHHELD:
        raise ArticleError(f"not published (its pubStatus is {status.get('qcode')!r}), not read")
    kind = meta.find("itemClass") if meta is not None else None
    if kind is not None and (kind.get("qcode") or _TEXT_CLASS) != _TEXT_CLASS:
        raise ArticleError(f"not a story (its itemClass is {kind.get('qcode')!r}: a picture's, a video's...), not read")
    content = item.find("contentMeta")
    when = ""
    for path in ("itemMeta/firstCreated", "contentMeta/contentCreated", "itemMeta/versionCreated"):
        if when := _text(item.find(path)):
            break
    by = _text(content.find("by")) if content is not None else ""
    creator = content.find("creator") if content is not None else None
    if not by and creator is not None:
        by = _text(creator.find("name")) or creator.get("literal") or ""
    subject = next(
        (_text(s.find("name")) for s in item.iterfind("contentMeta/subject") if s.find("name") is not None), ""
    )
    title = _text(item.find("contentMeta/headline")) or _text(item.find(".//hl1"))
    body = item.find(".//body.content")
    if body is None:
        body = item.find(".//inlineXML//body")
    if body is None:
        body = item.find(".//inlineData")
    return _article(title, body, when, by, subject, item.get("guid"), origin, dates)


def _newsml1_item(item: ElementTree.Element, origin: str, dates: FileDates) -> tuple[Article, str | None]:
    """A NewsML 1 news item: its `<NewsLines>` (`<HeadLine>`, `<ByLine>`), its `<NewsManagement>`'s `<FirstCreated>`
    (else `<ThisRevisionCreated>`), and the `<DataContent>` of its first text `<ContentItem>` (a picture's is
    passed over)."""
    status = item.find("NewsManagement/Status")
    if status is not None and (status.get("FormalName") or "").casefold() in _WITHHELD_1:
        raise ArticleError(f"not published (its Status is {status.get('FormalName')!r}), not read")
    when = ""
    for path in ("NewsManagement/FirstCreated", "NewsManagement/ThisRevisionCreated"):
        if when := _text(item.find(path)):
            break
    contents = [(_formal(content.find("MediaType")), content) for content in item.iter("ContentItem")]
    if contents and all(kind.casefold() != "text" for kind, _ in contents):
        kinds = ", ".join(sorted({repr(kind) for kind, _ in contents}))
        raise ArticleError(f"not a story (its MediaType is {kinds}: a picture's, a video's...), not read")
    text = next(
        (
            data
            for kind, content in contents
            if kind.casefold() == "text" and (data := content.find("DataContent")) is not None
        ),
        None,
    )
    # The text inside is NITF (its `<body.head>` repeats the headline), XHTML or plain text.
    body = next((found for path in (".//body.content", ".//body") if (found := _find(text, path)) is not None), text)
    # Its identity is the provider's, the day's and the item's ids; the public one adds the revision, and a revision
    # replaces the story it revises.
    ids = [_text(item.find(f"Identification/NewsIdentifier/{name}")) for name in ("ProviderId", "DateId", "NewsItemId")]
    guid = f"urn:newsml:{':'.join(ids)}" if all(ids) else _text(item.find(".//PublicIdentifier"))
    return _article(
        _text(item.find(".//NewsLines/HeadLine")),
        body,
        when,
        _text(item.find(".//NewsLines/ByLine")),
        "",
        guid,
        origin,
        dates,
    )


def _formal(element: ElementTree.Element | None) -> str:
    """A NewsML 1 element's `FormalName` ("Text" when it has none: a content item's text is the usual)."""
    return ((element.get("FormalName") or "").strip() if element is not None else "") or "Text"


def _find(element: ElementTree.Element | None, path: str) -> ElementTree.Element | None:
    return element.find(path) if element is not None else None


def _article(
    title: str,
    body: ElementTree.Element | None,
    when: str,
    by: str,
    category: str,
    guid: str | None,
    origin: str,
    dates: FileDates,
) -> tuple[Article, str | None]:
    if not title:
        raise ArticleError("no headline (<hl1>, <headline>, <HeadLine>) in the story")
    paragraphs = _paragraphs(body)
    # A byline written inside the text, as some wires send it, is its author too, never a passage.
    byline, paragraphs, _ = bylined(paragraphs)
    if not paragraphs:
        raise ArticleError("no body text (no <p> in its <body.content>, <inlineXML>, <inlineData> or <DataContent>)")
    published, note = read_date(when, dates) if when else (None, None)
    author = (bylined((by,))[0] or by) if by else byline
    return (
        Article(
            title=title,
            paragraphs=paragraphs,
            category=category,
            published=published,
            url=None,
            author=author or None,
            origin=origin,
            source_id=guid.strip() if guid and guid.strip() else None,
        ),
        note,
    )


_READERS = {"nitf": _nitf, "newsItem": _news_item, "NewsItem": _newsml1_item}


def _paragraphs(body: ElementTree.Element | None) -> tuple[str, ...]:
    """The text's paragraphs: its `<p>`s, subheads and list items, or plain text's blocks between blank lines."""
    if body is None:
        return ()
    blocks = [element for element in body.iter() if element.tag in _PARAGRAPHS]
    if not blocks:
        return tuple(p for block in re.split(r"\n\s*\n", "".join(body.itertext())) if (p := " ".join(block.split())))
    # A paragraph inside another (a <p> in a <blockquote>) is read once, as its own.
    inner = {id(child) for block in blocks for child in block.iter() if child is not block and child.tag in _PARAGRAPHS}
    return tuple(text for block in blocks if id(block) not in inner and (text := _text(block)))


def _byline(element: ElementTree.Element | None) -> str:
    """NITF's byline: the `<person>` it names, else its words without the `<byttl>` (`Transport Reporter`)."""
    if element is None:
        return ""
    if person := _text(element.find("person")):
        return person
    words = [element.text or ""]
    for child in element:
        words += ["" if child.tag == "byttl" else "".join(child.itertext()), child.tail or ""]
    return " ".join(" ".join(words).split())


def _stamp(element: ElementTree.Element | None, attribute: str = "norm") -> str:
    """A date element's date: its `attribute` (ISO 8601, `20261204T110000Z`), else its text."""
    if element is None:
        return ""
    return (element.get(attribute) or "").strip() or _text(element)


def _text(element: ElementTree.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""
