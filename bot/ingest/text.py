"""The seed's text format: a headline, header lines, `Published D-MM-YYYY, HH:MM`, the body, a footer."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from datetime import datetime
from itertools import chain, pairwise

from bot.errors import ArticleError
from bot.ingest.dates import FileDates, parse_date, read_date
from bot.ingest.urls import is_web_url
from bot.models import Article

_HEADER = re.compile(r"^(Author|Comments|Category|URL|Link|Source)\s*:\s*(.*)$", re.IGNORECASE)
# Other header lines a CMS writes ("Tags: flooding", "Photo: J. Smith", "Updated: 8 March"): a name of a word or
# three and a value. They are passed over before the date line, never taken for the story.
_OTHER_HEADER = re.compile(r"^[A-Za-z][A-Za-z-]*(?: [A-Za-z-]+){0,2}\s*:\s*\S.{0,150}$")
# A date line without "Published" is short: "Thursday, April 4th, 2024 at 7.37 pm GMT".
_DATE_LINE_CHARS = 60
# "Posted" and "Date" need their colon (or "on"): a story may begin "Date night ..." where its date line is missing.
_PUBLISHED = re.compile(r"^(?:Published(?:\s+on)?\s*:?\s|Posted(?:\s+on\s|\s*:)|Date\s*:)\s*(.+)$", re.IGNORECASE)
# A byline among the header lines: "By Jane Doe", "By Jane Doe and Tom Hale, Transport Correspondents". A name is
# two or more capitalised words, so that a story beginning "By Tuesday, ..." or "By the time ..." is not one.
_NAME = r"[A-Z][\w'\u2019.-]*"
_BYLINE = re.compile(
    rf"^(?:By|BY)\s+({_NAME}(?:\s+{_NAME}){{1,3}}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*){_NAME}(?:\s+{_NAME}){{0,3}})*)$"
)
# Where another article in the seed's format starts, in a file of several pasted or concatenated together: after a
# blank line, a headline, then its header lines and its date line. The headline is a line with something on it,
# matched in one pass (`[^\S\n]*\S`): `[^\n]*\S` backtracked through each paragraph's line, 2.6 ms a shipped
# article against 0.03.
_KNOWN_HEADER = r"[ \t]*(?:Author|Comments|Category|URL|Link|Source)[ \t]*:"
_NEXT_ARTICLE = re.compile(
    rf"\n[ \t]*\n(?=(?!{_KNOWN_HEADER})[^\S\n]*\S[^\n]*\n(?:[ \t]*\n)*(?:{_KNOWN_HEADER}[^\n]*\n)+"
    r"(?:[^\n]*\n)?[ \t]*(?:Published|Posted|Date)\b)",
    re.IGNORECASE,
)
# The header lines of an article whose headline was glued to the line before: files saved without a newline at
# their end (the seed's own) pasted with `cat` run one's footer into the next one's headline, `Category:
# NewsRussia Invites ...`. The seed's format repeats the headline before the date line (the group).
_GLUED_HEADERS = re.compile(
    rf"\n[ \t]*\n(?=(?:{_KNOWN_HEADER}[^\n]*\n)+[^\S\n]*([^\n]*\S)[^\S\n]*\n[ \t]*(?:Published|Posted|Date)\b)",
    re.IGNORECASE,
)
_FOOTER = re.compile(r"^(Comments|Category)\s*:", re.IGNORECASE)
# Longest first: UTF-32's little-endian mark begins with UTF-16's.
_MARKED = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BLANK_LINES = re.compile(r"\n[ \t\u00a0\u2007\u202f]*\n\s*")
# Text that is not UTF-8 is read in the legacy encoding its bytes show (`legacy_encoding`), the whole file so, with one
# note naming it: Windows-1252 as Windows editors and Excel save western text (it covers Latin-1's printable range;
# its five unassigned bytes become U+FFFD), or Russian, Japanese or Chinese text in the encoding its newsroom uses.
LEGACY_ENCODING = "cp1252"
LEGACY_ENCODINGS = {
    LEGACY_ENCODING: "Windows-1252 (Latin-1)",
    "cp1251": "Windows-1251 (Cyrillic)",
    # Windows' Shift_JIS, as Japanese Windows saves it (with its circled numbers and other extra characters).
    "cp932": "Shift_JIS (Japanese)",
    "euc_jp": "EUC-JP (Japanese)",
    "gb18030": "GB18030 (Chinese)",
}
# Whether each is Japanese: Shift_JIS and EUC-JP text decodes cleanly as GB18030 too, as Chinese characters no one
# wrote (EUC-JP's kana among them: GB2312 has kana where JIS has them).
_EAST_ASIAN = (("cp932", True), ("euc_jp", True), ("gb18030", False))
# Chinese text in GB18030 is nearly all GB2312's characters, two bytes from 0xA1 up; Shift_JIS's first bytes and
# Big5's second ones are often below (GB18030 reads them as characters of its extensions).
_GB2312_PAIR = re.compile(rb"[\xa1-\xfe]{2}")
_GB2312_SHARE = 0.9
# East Asian wide and fullwidth characters (Unicode's East_Asian_Width W and F): ideographs, kana, Hangul, their
# punctuation. Text in another encoding read as one of these has half-width katakana, private-use or Latin
# characters among them.
_WIDE = (
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)
_WIDE_CHARACTER = re.compile(_WIDE)
# Japanese and Chinese leave no space between words; Korean does (EUC-KR's Hangul decodes cleanly as GB18030).
_SPACED_WIDE = re.compile(_WIDE + " ")
_KANA = re.compile("[\u3041-\u30ff]")
# How much of a text's non-ASCII characters must be wide to be Japanese or Chinese; of those, how many may be
# followed by a space; and how many kana Japanese has at least (its particles and endings: about a third), and
# Chinese fewer.
_WIDE_SHARE = 0.8
_SPACED_SHARE = 0.1
_KANA_SHARE = 0.1
# Words of two letters or more (French "à" alone, byte 0xE0, would be a Cyrillic word), and capital Cyrillic
# letters: KOI8-R, which has the capitals where Windows-1251 has the small letters, read so is mostly capitals.
_WORD = re.compile(r"[^\W\d_]{2,}")
_CYRILLIC_CAPITAL = re.compile("[\u0400-\u042f]")
# Cyrillic's commonest letters, "o" and "a" (a fifth of a Russian, Ukrainian or Bulgarian text's letters): Greek in
# Windows-1253, whose small letters are where Windows-1251 has them too, read so has almost none.
_CYRILLIC_O_A = re.compile("[\u043e\u0430]")
# How much of a text's non-ASCII characters must be in words of Cyrillic letters alone, and how many of those may be
# capitals and how many at least are "o" or "a", for Windows-1251. At most how much of western text's letters are
# not ASCII ones (Icelandic's accents and thorns are about a fifth; any other script's letters nearly all).
_CYRILLIC_SHARE = 0.75
_CAPITAL_SHARE = 0.4
_O_A_SHARE = 0.1
_ACCENTED_SHARE = 0.5
# Fewer letters than this (a headline, a line: Icelandic's "Þú átt það" is over half accented) are too few to tell
# western text by: read as Windows-1252. Greek or Korean of a sentence has more.
_FEW_LETTERS = 40
# What UTF-16 text without a byte order mark shows: one of each two bytes is NUL in at least this share of its
# characters (text mostly in ASCII: English words, a CSV's commas and digits), the other almost never (a few
# ideographs, U+4E00); and no control characters, which a binary file's bytes read so have.
_UTF16_NULS = 0.5
_UTF16_OTHER_NULS = 0.01
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# A legacy encoding is told from a file's first megabyte: plenty of text, read quickly.
LEGACY_SAMPLE_BYTES = 1 << 20
# Charsets (as `codecs` names them) that servers declare by default whatever a document is in (Apache's
# AddDefaultCharset ISO-8859-1, a CMS's UTF-8 over old Windows-1252 pages): between these, the bytes decide.
_WESTERN = frozenset({"utf-8", "iso8859-1", "cp1252", "ascii"})
_UTF8_CHARACTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_ASCII = bytes(range(128))
_HIGH = bytes(range(128, 256))


def split_paragraphs(body: str) -> tuple[str, ...]:
    """Paragraphs of a body: blocks between blank lines (a line of only no-break spaces is blank)."""
    blocks = _BLANK_LINES.split(body.replace("\r\n", "\n").replace("\r", "\n"))
    return tuple(
        " ".join(line.strip() for line in block.splitlines() if line.strip()) for block in blocks if block.strip()
    )


def decode(data: bytes) -> tuple[str, str]:
    """Text of a file's bytes and the encoding it was read in: UTF-8, or UTF-16 or UTF-32 (see `unicode_encoding`),
    else the legacy encoding its bytes show (see `text_encoding`, `legacy_encoding`); an ArticleError for binary
    files and text in no encoding newsbot can tell."""
    if unicode := unicode_encoding(data):
        encoding, mark = unicode
        try:
            return data[mark:].decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ArticleError(f"broken {encoding.upper()} text (byte {exc.start + mark})") from exc
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file, not text")
    encoding = text_encoding([data])
    if encoding != "utf-8":
        encoding = legacy_encoding(data)
    try:
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors=decode_errors(encoding)), encoding
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})") from exc


def unicode_encoding(data: bytes) -> tuple[str, int] | None:
    """The UTF-16 or UTF-32 encoding of text starting with `data`, as its byte order mark names it (Windows'
    "Unicode"), or UTF-16 without one as its NUL bytes show (`_unmarked_utf16`); and the mark's length (0 for
    none). None for other text, and for a binary file."""
    if marked := next(((encoding, len(mark)) for mark, encoding in _MARKED if data.startswith(mark)), None):
        return marked
    encoding = _unmarked_utf16(data[:8192])
    return (encoding, 0) if encoding else None


def _unmarked_utf16(head: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for text starting with `head`, without a byte order mark, when one of each two of
    its bytes is NUL as in text mostly in ASCII (see `_UTF16_NULS`), and it reads so cleanly and without control
    characters; else None."""
    pairs = len(head) // 2
    even, odd = head[: 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    for encoding, nuls, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if pairs and nuls >= _UTF16_NULS * pairs and others <= _UTF16_OTHER_NULS * pairs:
            text = _cleanly(head, encoding)
            return encoding if text is not None and not _CONTROL.search(text) else None
    return None


def _cleanly(data: bytes, encoding: str) -> str | None:
    """`data` decoded strictly in `encoding`, but for a character cut at its end (it may be a file's start); None
    when it does not decode."""
    try:
        text: str = codecs.getincrementaldecoder(encoding)().decode(data)
    except UnicodeDecodeError:
        return None
    return text


def legacy_encoding(sample: bytes) -> str:
    """The encoding of text that is not UTF-8 (see `text_encoding`), as its start shows it (`sample`, of which the
    first `LEGACY_SAMPLE_BYTES` are read): Japanese or Chinese in one of theirs (`_east_asian`), Cyrillic in
    Windows-1251 (`_cyrillic`), else `LEGACY_ENCODING` when few of its letters are accented ones, as in western
    text, or when it has too few letters to tell (`_FEW_LETTERS`). An ArticleError for other text (Korean, Greek,
    two encodings in one file): read in any of these it would be garbage."""
    sample = sample[:LEGACY_SAMPLE_BYTES]
    for encoding, japanese in _EAST_ASIAN:
        text = _cleanly(sample, encoding)
        if text is not None and _east_asian(text, japanese) and (japanese or _mostly_gb2312(sample)):
            return encoding
    if _cyrillic(sample.decode("cp1251", errors="replace")):
        return "cp1251"
    letters = [c for c in sample.decode(LEGACY_ENCODING, errors="replace") if c.isalpha()]
    if len(letters) < _FEW_LETTERS or sum(not c.isascii() for c in letters) <= _ACCENTED_SHARE * len(letters):
        return LEGACY_ENCODING
    names = [name.split(" (")[0] for name in LEGACY_ENCODINGS.values()]
    raise ArticleError(
        f"not UTF-8, and not {', '.join(names[:-1])} or {names[-1]} text either: save it as UTF-8 and ingest it again"
    )


def legacy_note(encoding: str) -> str:
    """The note on a file read in `encoding`, one of `LEGACY_ENCODINGS`."""
    return f"not UTF-8: read as {LEGACY_ENCODINGS[encoding]}"


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", errors="ignore"))


def _east_asian(text: str, japanese: bool) -> bool:
    """Whether text decoded in a Japanese (`japanese`) or Chinese encoding is written so: most of its non-ASCII
    characters wide, without spaces between them, with kana if and only if it is Japanese."""
    wide = len(_WIDE_CHARACTER.findall(text))
    return (
        wide >= _WIDE_SHARE * _non_ascii(text)
        and len(_SPACED_WIDE.findall(text)) <= _SPACED_SHARE * wide
        and (len(_KANA.findall(text)) >= _KANA_SHARE * wide) == japanese
    )


def _mostly_gb2312(data: bytes) -> bool:
    """Whether `data`'s bytes from 0x80 up are mostly in pairs of GB2312's (see `_GB2312_PAIR`)."""
    return 2 * len(_GB2312_PAIR.findall(data)) >= _GB2312_SHARE * len(data.translate(None, _ASCII))


def _cyrillic(text: str) -> bool:
    """Whether text decoded as Windows-1251 is written in Cyrillic letters: most of its non-ASCII characters in
    words of them alone, few of them capitals (see `_CYRILLIC_CAPITAL`), many of them "o" and "a"."""
    letters = "".join(word for word in _WORD.findall(text) if _non_ascii(word) == len(word))
    return (
        len(letters) >= _CYRILLIC_SHARE * _non_ascii(text)
        and len(_CYRILLIC_CAPITAL.findall(letters)) <= _CAPITAL_SHARE * len(letters)
        and len(_CYRILLIC_O_A.findall(letters.lower())) >= _O_A_SHARE * len(letters)
    )


def text_encoding(chunks: Iterable[bytes]) -> str:
    """ "utf-8", or `LEGACY_ENCODING` for text (given in chunks) whose bytes that are not UTF-8 outnumber its UTF-8
    characters. A UTF-8 file with a broken spot stays UTF-8: the spot is reported where it is, and the rest of
    the file keeps its accents."""
    characters = strays = 0
    carry = b""
    for chunk in chain(chunks, [b""]):
        data = carry + chunk
        # A character split between chunks is counted in the next one: the last few non-ASCII bytes wait.
        end = max(len(data.rstrip(_HIGH)), len(data) - 3) if chunk else len(data)
        data, carry = data[:end], data[end:]
        found = [match.end() - match.start() for match in _UTF8_CHARACTER.finditer(data)]
        characters += len(found)
        strays += len(data.translate(None, _ASCII)) - sum(found)
    return LEGACY_ENCODING if strays > characters else "utf-8"


def served_encoding(charset: str | None, data: bytes, declared: str | None = None) -> str | None:
    """The encoding of a document served as in `charset` that names its own as `declared` (a page's
    `<meta charset>`, a feed's XML declaration; None for none). A charset other than a UTF-8 or Western one
    (`_WESTERN`) is as named. Under a Western one, which servers send by default, the document's own declaration
    wins when it names another; else the bytes decide: UTF-8 (see `text_encoding`), `LEGACY_ENCODING` when the
    document says it is Western, else the legacy encoding they show (`legacy_encoding`), as for files. With no
    charset served, the same, but a document that declares its own is left to the parser, as are UTF-16 and text in
    no encoding newsbot can tell. None when the parser decides, or the charset served is unknown."""
    name, own = _codec(charset), _codec(declared)
    if charset and name is None:
        return None
    if name is not None and name not in _WESTERN:
        return name
    # A page's `<meta charset="utf-16">` over ASCII bytes is a slip (the HTML standard reads it as UTF-8).
    if own is not None and own not in _WESTERN and not own.startswith("utf"):
        return own
    if (name is None and declared is not None) or unicode_encoding(data):
        return None
    if text_encoding([data]) == "utf-8":
        return "utf-8"
    if own is not None:
        return LEGACY_ENCODING
    try:
        return legacy_encoding(data)
    except ArticleError:
        # Greek or Korean served as Western, say: read as Windows-1252 as it always was.
        return LEGACY_ENCODING if name else None


def _codec(name: str | None) -> str | None:
    """The `codecs` name of an encoding's name, None for none or an unknown one."""
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def decode_errors(encoding: str) -> str:
    """How to decode text in `encoding`: UTF-8 strictly (a broken spot is reported); a legacy encoding's unassigned
    bytes (five in Windows-1252) as U+FFFD: the file is in that encoding whatever they are."""
    return "strict" if encoding == "utf-8" else "replace"


def split_text_articles(text: str) -> list[str]:
    """The articles in the seed's format in one text: itself, or each of several pasted together (the second
    starting at its headline, after a blank line), which would otherwise be read as one with the others' headlines
    and header lines in its text; also when one's headline was glued to the end of the one before
    (`_GLUED_HEADERS`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    glued = []
    for match in _GLUED_HEADERS.finditer(text):
        line = text.rfind("\n", 0, match.start()) + 1
        before = text[line : match.start()].rstrip()
        if before.strip() != match[1] and before.endswith(match[1]):
            glued.append(line + len(before) - len(match[1]))
    # The headlines set apart as if the files had ended with a newline, for the split below.
    pieces = [text[start:end] for start, end in pairwise([0, *glued, len(text)])]
    return _NEXT_ARTICLE.split("\n\n".join(pieces))


def parse_text_article(
    text: str, origin: str | None = None, dates: FileDates | None = None, plain: bool = False
) -> tuple[Article, str | None]:
    """Parse the seed's text format: headline, header lines, `Published D-MM-YYYY, HH:MM`, body, footer; and say
    why the article is undated when its `Published` line's date cannot be read (it is kept, see `read_date`); its
    dates are read as its file's `dates` are.

    With `plain`, a file with no header lines at all, only a headline, a blank line and the body (as newsrooms'
    and datasets' plain text exports are), is read as an undated article; one with header lines still needs its
    date line, which it has lost."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index == len(lines):
        raise ArticleError("empty file")
    title_at = index
    title = lines[index].strip()
    headers: dict[str, str] = {}
    byline: re.Match[str] | None = None
    byline_at = title_at
    published: datetime | None = None
    unread: str | None = None
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        if match := _HEADER.match(line):
            headers.setdefault(match.group(1).lower(), match.group(2).strip())
        elif not byline and (byline := _BYLINE.match(line)):
            byline_at = index
        elif (published or unread) and line != title:
            # After the date line only the known headers ("Author: ...") and the headline again come before the story.
            break
        elif match := _PUBLISHED.match(line):
            published, unread = read_date(match.group(1), dates)
        elif (written := _date_line(line, dates)) is not None:
            published = written
        elif line and line != title and not _OTHER_HEADER.match(line):
            break
        index += 1
    headline_alone = title_at + 1 < len(lines) and not lines[title_at + 1].strip()
    if not (published or unread):
        if not (plain and not headers and headline_alone):
            raise ArticleError("no 'Published D-MM-YYYY, HH:MM' line after the headline")
        # A plain file's body starts after its headline, or after its byline: never in it.
        index = byline_at + 1
    body_lines = lines[index:]
    # The footer (Comments:/Category:) repeats the header; it is not part of the story.
    while body_lines and (not body_lines[-1].strip() or _FOOTER.match(body_lines[-1].strip())):
        body_lines.pop()
    paragraphs = split_paragraphs("\n".join(body_lines))
    if not paragraphs:
        raise ArticleError("no body text after the Published line" if published or unread else "no body text")
    # "Source: Environment Agency" credits a source; only an address is the story's link.
    url = next((v for v in (headers.get(k) for k in ("url", "link", "source")) if v and is_web_url(v)), None)
    article = Article(
        title=title,
        paragraphs=paragraphs,
        category=headers.get("category", ""),
        published=published,
        url=url,
        author=headers.get("author") or (byline[1] if byline else None),
        origin=origin,
    )
    return article, unread


def _date_line(line: str, dates: FileDates | None) -> datetime | None:
    """The date of a line that is only a date ("7 March 2013, 07:37"), read as its file's `dates` are, else None."""
    if len(line) > _DATE_LINE_CHARS or not any(c.isdigit() for c in line):
        return None
    try:
        return (dates.parse if dates else parse_date)(line)
    except ArticleError:
        return None
