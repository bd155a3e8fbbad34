"""The seed's text format: a headline, header lines, `Published D-MM-YYYY, HH:MM`, the body, a footer."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import chain, pairwise
from urllib.parse import urlsplit

from bot.errors import ArticleError
from bot.ingest.dates import FileDates, read_date, readable_date
from bot.ingest.urls import web_link
from bot.models import Article

# The encoding an XML document (a feed, a sitemap) declares it is in: `<?xml version="1.0" encoding="...">`.
XML_ENCODING = re.compile(rb"""(?:\xef\xbb\xbf)?\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"'>]*)["']""")
_HEADER = re.compile(r"^(Author|Comments|Category|URL|Link|Source)\s*:\s*(.*)$", re.IGNORECASE)
# Other header lines a CMS writes ("Tags: flooding", "Photo: J. Smith", "Updated: 8 March"): a name of a word or
# three and a value. They are passed over before the date line, never taken for the story.
_OTHER_HEADER = re.compile(r"^[A-Za-z][A-Za-z-]*(?: [A-Za-z-]+){0,2}\s*:\s*\S.{0,150}$")
# A date line without "Published" is short: "Thursday, April 4th, 2024 at 7.37 pm GMT".
_DATE_LINE_CHARS = 60
# "Posted" and "Date" need their colon (or "on"): a story may begin "Date night ..." where its date line is missing.
# The same in Spanish, German and French, as the dates `parse_date` reads are written ("Publicado el 5 de diciembre
# de 2026", "Veröffentlicht am 5. Dezember 2026", "Publié le 5 décembre 2026").
_PUBLISHED = re.compile(
    r"^(?:(?:Published|Publicado|Veröffentlicht|Publiée?)(?:\s+(?:on|el|am|le))?\s*:?\s|Posted(?:\s+on\s|\s*:)"
    r"|(?:Date|Fecha|Datum)\s*:)\s*(.+)$",
    re.IGNORECASE,
)
# A byline among the header lines: "By Jane Doe", "By Jane Doe and Tom Hale, Transport Correspondents", and in
# French, Spanish and German, "Par Odile Marsh", "Por Ana Ruiz", "Von Jens Abel". A name is two or more capitalised
# words, so that a story beginning "By Tuesday, ..." or "By the time ..." is not one.
_NAME = r"[A-Z][\w'\u2019.-]*"
_BYLINE = re.compile(
    rf"^(?:By|BY|Par|PAR|Por|POR|Von|VON)\s+({_NAME}(?:\s+{_NAME}){{1,3}}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*){_NAME}(?:\s+{_NAME}){{0,3}})*)$"
)
# A byline with the story's date beside it, as CMS templates write one line under the headline: `By Jane Doe · 5 Dec
# 2026`, `Jane Doe | 5 December 2026 | 3 min read`. Its parts are apart by a mark with spaces around it; a part may be
# the reading time, which is no one's name nor date.
_BYLINE_PARTS = re.compile(r"\s+[\u00b7|\u2022\u2014\u2013/-]\s+")
_BARE_NAME = re.compile(rf"{_NAME}(?:\s+{_NAME}){{1,3}}")
# Words of a section's or a page's label, which templates write beside the date as they write a byline ("Breaking News
# | 5 December 2026", "Premier League · 5 Dec 2026"): a bare name holding one is no one's ("By Breaking News" was shown
# under the headline). A label naming the story's own section is told by that, whatever its words (`section_labels`).
_LABEL_WORDS = frozenset(
    {"news", "breaking", "latest", "live", "update", "updates", "league", "sport", "sports", "business", "politics"}
    | {"world", "opinion", "weather", "analysis", "comment", "features", "edition", "headlines", "today"}
)
# What parts the words of a link's folder (`premier-league`, `climate_desk`) or a category.
_LABEL_APART = re.compile(r"[\s_+-]+")
_READING_TIME = re.compile(
    r"\d+\s*(?:min(?:ute)?s?|m)\.?(?:\s+read(?:ing)?(?:\s+time)?)?|read(?:ing)? time:?\s*\d+.*", re.IGNORECASE
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
_NO_DATE_LINE = "no 'Published D-MM-YYYY, HH:MM' line after the headline"
# A plain article's first line is its headline with its text on the next line, no blank line between, when it reads
# as one: short, and not ending as a sentence or a clause does (closing quotes aside), as a story's first line would.
_HEADLINE_CHARS = 150
_SENTENCE_END = re.compile(r"[.,;:][\"'\u2019\u201d)\]]*$")
_SHOWN_CHARS = 60
# A headline written as a header ("Title: ...", "Headline: ...") or as a Markdown heading ("# ...", pasted into a
# text file) is the headline itself; "#MeToo ..." is a headline as it is.
_HEADLINE_MARK = re.compile(r"^(?:(?:Title|Headline)\s*:|#{1,6}(?=\s))\s*(?=\S)", re.IGNORECASE)
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
# its five unassigned bytes become U+FFFD), or other languages' text in the encoding its newsroom uses.
LEGACY_ENCODING = "cp1252"
LEGACY_ENCODINGS = {
    LEGACY_ENCODING: "Windows-1252 (Latin-1)",
    "cp1250": "Windows-1250 (Central European)",
    "iso8859-2": "ISO-8859-2 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8-r": "KOI8-R (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "iso8859-7": "ISO-8859-7 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "iso8859-9": "ISO-8859-9 (Turkish)",
    "cp1257": "Windows-1257 (Baltic)",
    "iso8859-13": "ISO-8859-13 (Baltic)",
    "koi8-u": "KOI8-U (Ukrainian)",
    # Windows' Shift_JIS, as Japanese Windows saves it (with its circled numbers and other extra characters).
    "cp932": "Shift_JIS (Japanese)",
    "euc_jp": "EUC-JP (Japanese)",
    "gb18030": "GB18030 (Chinese)",
    # Windows' Big5 and EUC-KR, with the characters they added (the euro; all of Hangul's syllables).
    "cp950": "Big5 (Chinese)",
    "cp949": "EUC-KR (Korean)",
}
# The multibyte encodings, tried first, and the script each is for: Shift_JIS and EUC-JP text decodes cleanly as
# GB18030 too, as Chinese characters no one wrote (EUC-JP's kana among them: GB2312 has kana where JIS has them),
# and Korean as GB18030 and Big5.
_EAST_ASIAN = (("cp932", "ja"), ("euc_jp", "ja"), ("gb18030", "zh"), ("cp950", "zh"), ("cp949", "ko"))
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
# Japanese and Chinese leave no space between words; Korean does.
_SPACED_WIDE = re.compile(_WIDE + " ")
_KANA = re.compile("[\u3041-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7a3]")
# How much of a text's non-ASCII characters must be wide to be Japanese, Chinese or Korean; of those, how many may
# be followed by a space in Japanese or Chinese; how many kana Japanese has at least (its particles and endings:
# about a third), and Chinese fewer; and how many Korean's are Hangul's syllables at least (the rest Chinese
# characters).
_WIDE_SHARE = 0.8
_SPACED_SHARE = 0.1
_KANA_SHARE = 0.1
_HANGUL_SHARE = 0.5
# At most how many ASCII letters a Japanese, Chinese or Korean text has for each wide character: English with a few
# curly quotes read as EUC-KR (Windows' UHC) has two or three Hangul syllables in a paragraph.
_LATIN_PER_WIDE = 4
_ASCII_LETTER = re.compile("[A-Za-z]")
# The single-byte encodings, in the order a tie between them goes (Windows-1252 first: a text whose readings are
# alike, English with curly quotes, is western), and the letters besides ASCII's of the languages each is for, in
# small letters, each matched with the letter after it: Portuguese's "õ" is before an "e" ("eleições"), Hungarian's
# "ő" read as Windows-1252 is "õ" anywhere ("első"). Text read in the wrong one has letters no one language has
# together (Czech's "č", "ě", "ř" read as Windows-1252 are "è", "ì", "ø"), symbols inside words (Polish's "ą" as
# "¹"), control characters, or Cyrillic words with their capitals inside (KOI8-R and Windows-1251 have each other's
# capitals where the small letters are). No word has "æ" before an "e", Croatian's "će" and "vijeće" read as
# Windows-1252 do ("vijeæe"); nor Polish's "ą" or "ę" before a vowel, Croatian's "š" in ISO-8859-2 read as
# Windows-1250 does ("proglaąen").
_WESTERN_LANGUAGES = (
    "[àâçéèêëîïôœùûüÿ]|æ(?!e)",  # French
    "[äöüß]",  # German
    "[áéíñóúü]",  # Spanish
    "[àáâãçéêíóôú]|õe",  # Portuguese
    "[àèéìíîòóù]",  # Italian
    "[àçèéíïòóú]",  # Catalan
    "[áéíóúàèëïöü]",  # Dutch
    "[øåéó]|æ(?!e)",  # Danish, Norwegian
    "[åäöé]",  # Swedish, Finnish
    "[áðéíóúýþö]|æ(?!e)",  # Icelandic
    "[äöõüšž]",  # Estonian
)
_CENTRAL_LANGUAGES = (
    "[ćłńóśźż]|[ąę](?![aeiouyąęó])",  # Polish
    "[áčďéěíňóřšťúůýž]",  # Czech
    "[áäčďéíĺľňóôŕšťúýž]",  # Slovak
    "[áéíóöőúüű]",  # Hungarian
    "[ăâîşţ]",  # Romanian
    "[čćđšž]",  # Croatian, Slovenian, Bosnian
)
_CYRILLIC_LANGUAGES = (
    "[абвгдеёжзийклмнопрстуфхцчшщъыьэюя]",  # Russian
    "[абвгґдеєжзиіїйклмнопрстуфхцчшщьюя]",  # Ukrainian
    "[абвгдеёжзійклмнопрстуўфхцчшыьэюя]",  # Belarusian
    "[абвгдђежзијклљмнњопрстћуфхцчџш]",  # Serbian
)
# Greek's final sigma ends a word: Hebrew's common ayin is where it is in Windows-1253 and ISO-8859-7.
_GREEK_LANGUAGES = ("[αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰ]|ς$",)
# Turkish's capital "İ" is "i" and a dot above in small letters. Its circumflexes ("hâlâ") are left out: rare in
# Turkish, they are where Latvian's commonest long vowels are ("ā", "ī", "ū" read as Windows-1254 are "â", "î", "û").
_TURKISH_LANGUAGES = ("[çğıöşü]|i\u0307",)
_BALTIC_LANGUAGES = (
    "[ąčęėįšųūž]",  # Lithuanian
    "[āčēģīķļņšūž]",  # Latvian
    "[äöõüšž]",  # Estonian
)
_SINGLE_BYTE = tuple(
    (encoding, tuple(map(re.compile, languages)))
    for encoding, languages in (
        (LEGACY_ENCODING, _WESTERN_LANGUAGES),
        ("cp1250", _CENTRAL_LANGUAGES),
        ("iso8859-2", _CENTRAL_LANGUAGES),
        ("cp1251", _CYRILLIC_LANGUAGES),
        ("koi8-r", _CYRILLIC_LANGUAGES),
        ("cp1253", _GREEK_LANGUAGES),
        ("iso8859-7", _GREEK_LANGUAGES),
        # After those read before them, so that a tie keeps what they read: Russian reads alike in KOI8-U, and
        # western text without Icelandic's "ð", "ý", "þ" alike in Windows-1254.
        ("cp1254", _TURKISH_LANGUAGES),
        ("iso8859-9", _TURKISH_LANGUAGES),
        ("cp1257", _BALTIC_LANGUAGES),
        ("iso8859-13", _BALTIC_LANGUAGES),
        ("koi8-u", _CYRILLIC_LANGUAGES),
    )
)
_LATIN = frozenset({LEGACY_ENCODING, "cp1250", "iso8859-2", "cp1254", "iso8859-9", "cp1257", "iso8859-13"})
# Letters run together (a word, or part of one between apostrophes), and characters beside ASCII.
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_MARK = re.compile(r"(?![^\W\d_])[^\x00-\x7f]")
# Characters no text has (C1 controls, unassigned bytes read as U+FFFD, private use); and punctuation and symbols
# that may touch a letter (quotes, dashes, brackets, a soft hyphen, "¿Qué", "20°C"): others beside a letter are a
# letter read in the wrong encoding ("wiosn¹", "¶wiat").
_NEVER = frozenset({"Cc", "Co", "Cn", "Cs"})
_BESIDE_LETTERS = frozenset({"Pi", "Pf", "Pd", "Ps", "Pe", "Zs", "Cf", "Sc"})
_BESIDE_LETTERS_TOO = frozenset("…·°©®™¿¡§")
# A capital counts half a small letter: text is mostly small letters, and Russian in KOI8-R read as Windows-1251
# (or the other way round) is mostly capitals.
_CAPITAL_WEIGHT = 0.5
# How much of a text's characters beside ASCII the best reading must make good letters at least (what it scores
# of what it could); at most how much of western or Central European text's letters are not ASCII ones (Icelandic's
# accents and thorns are about a fifth; any other script's letters nearly all).
_PLAUSIBLE_SHARE = 0.5
_ACCENTED_SHARE = 0.5
# Letters Cyrillic and Greek text has at least a share of among its letters: vowels (about two fifths of Russian's
# or Ukrainian's; Hebrew read as Windows-1251, its letters where the Cyrillic ones are, has a fifth), and accented
# vowels (Greek marks the stress of every word of two syllables or more: Hebrew read as Windows-1253 has none). And
# how many of them may be capitals at most (Hebrew read as KOI8-R is all capitals).
_CYRILLIC_VOWELS = (frozenset("аеёиоуыэюяіїє"), 0.3)
_GREEK_ACCENTS = (frozenset("άέήίόύώ"), 0.03)
_TELLTALES = {
    "cp1251": _CYRILLIC_VOWELS,
    "koi8-r": _CYRILLIC_VOWELS,
    "koi8-u": _CYRILLIC_VOWELS,
    "cp1253": _GREEK_ACCENTS,
    "iso8859-7": _GREEK_ACCENTS,
}
_CAPITAL_SHARE = 0.5
# Fewer letters than this (a headline, a line: Icelandic's "Þú átt það" is over half accented) are too few to tell
# western text from Central European by: read as Windows-1252 unless they read plausibly as Cyrillic or Greek.
_FEW_LETTERS = 40
# The single-byte readings are scored on the sample's start: plenty to tell, scored quickly.
_SCORED_BYTES = 1 << 16
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


def bylined(
    paragraphs: tuple[str, ...], sections: Iterable[str] = ()
) -> tuple[str | None, tuple[str, ...], str | None]:
    """The names in a byline opening the text (`By Jane Doe, Transport Reporter`, as a CMS's HTML body or a feed's
    content starts), the paragraphs after it, and the date beside the names as written (`By Jane Doe · 5 Dec 2026`:
    see `dated_byline`, and `section_labels` for `sections`; a section's label beside the date gives the date and
    no names); else None, the paragraphs and None. A byline was the first passage of its story, shown for a question
    about the story's reporter or anything else it names."""
    if paragraphs and (byline := _BYLINE.match(paragraphs[0])):
        return byline[1], paragraphs[1:], None
    if paragraphs and (dated := dated_byline(paragraphs[0], sections)):
        return dated[0], paragraphs[1:], dated[1]
    return None, paragraphs, None


def section_labels(sections: Iterable[str]) -> frozenset[str]:
    """How a story's own section is written, in lower case and words apart: its category (`Climate Desk`), and each
    folder of its link's path (`https://paper.example/sport/premier-league/x`: "sport", "premier league"). A line
    giving one of them beside the date is the section's label, as a list of label words cannot know them all:
    `Climate Desk | 5 Dec 2026` was "By Climate Desk" under the headline."""
    labels: set[str] = set()
    for section in sections:
        parts = urlsplit(section).path.split("/") if "/" in section else [section]
        labels.update(label for part in parts if (label := " ".join(_LABEL_APART.split(part.casefold())).strip()))
    return frozenset(labels)


def dated_byline(line: str, sections: Iterable[str] = ()) -> tuple[str | None, str] | None:
    """The names and the date, as written, of a byline line that gives both (`By Jane Doe · 5 Dec 2026`, `Jane Doe |
    5 December 2026 | 3 min read`), else None: such a line was kept as a passage, its author and date unread. A
    section's label beside the date (`Breaking News | 5 Dec 2026`) names no one: None and the date, a date line. A
    label is told by a section's words, or as the story's own section (`sections`: its category and link, see
    `section_labels`)."""
    parts = [part.strip() for part in _BYLINE_PARTS.split(line.strip())]
    if len(parts) < 2 or len(line) > _DATE_LINE_CHARS * 2:
        return None
    names = dates = None
    labelled = False
    labels = section_labels(sections)
    for part in parts:
        if _READING_TIME.fullmatch(part):
            continue
        if names is None and not labelled and (byline := _BYLINE.match(part) or _BARE_NAME.fullmatch(part)):
            names = byline[1] if byline.re is _BYLINE else byline[0]
            if byline.re is not _BYLINE and _is_label(names, labels):
                names, labelled = None, True
        elif dates is None and (written := date_line_text(part)) is not None:
            dates = written
        else:
            return None
    return (names, dates) if (names or labelled) and dates else None


def _is_label(name: str, labels: frozenset[str]) -> bool:
    """Whether names alone ("Jane Doe") are a label: holding a label's word (`_LABEL_WORDS`), or one of `labels`."""
    words = name.casefold().split()
    return bool(_LABEL_WORDS.intersection(words)) or " ".join(words) in labels


class BrokenUtf8(ArticleError):
    """UTF-8 text with bytes in it that are none (one byte of another encoding pasted in, a character cut short):
    `text` reads each such spot as U+FFFD, and the message says where the first is and how many there are."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text


def decode(data: bytes) -> tuple[str, str]:
    """Text of a file's bytes and the encoding it was read in (see `text_encoding`); an ArticleError for binary
    files, text in no encoding newsbot can tell, and broken UTF-16 or UTF-32 text; a `BrokenUtf8` for UTF-8 text
    with bytes that are not UTF-8, which a reader of whole files may read as it reads them."""
    encoding, mark = text_encoding(data)
    try:
        return data[mark:].decode("utf-8-sig" if encoding == "utf-8" else encoding, decode_errors(encoding)), encoding
    except UnicodeDecodeError as exc:
        if encoding == "utf-8":
            text, reason = read_past(exc)
            raise BrokenUtf8(reason, text) from exc
        raise ArticleError(f"broken {encoding.upper()} text (byte {exc.start + mark})") from exc


def read_past(error: UnicodeDecodeError, line: int = 1) -> tuple[str, str]:
    """The UTF-8 text `error` was met in (lines from `line` on: a whole file's, or one line of it), each byte that
    is none read as U+FFFD, and what to say of it: where the first such byte is and how many there are."""
    data = error.object
    text = data.decode(error.encoding, "replace")
    spots = text.count("\ufffd") - data.count("\ufffd".encode())
    # Its line's start in `data`; what comes before the first stray byte is UTF-8, as decoded above.
    start = data.rfind(b"\n", 0, error.start) + 1
    line += data.count(b"\n", 0, start)
    column = len(data[start : error.start].decode(error.encoding)) + 1
    return text, not_utf8_note(line, column, data[error.start : error.start + 1], spots)


def not_utf8_note(line: int, column: int, first: bytes, spots: int) -> str:
    """What to say of text read with U+FFFD for `spots` bytes that are not UTF-8, the first `first`. Where it is is
    said as an editor shows it: line and column, both from 1, a column counting characters (a stray byte is one,
    shown as \ufffd), not bytes: "caf\u00e9 \x93" has its stray byte in column 6."""
    spotted = f"; {spots} such spots" if spots > 1 else ""
    return f"not UTF-8 text (line {line}, column {column}: {first!r}{spotted}): read with \ufffd in its place"


def text_encoding(head: bytes, rest: Iterable[bytes] = ()) -> tuple[str, int]:
    """The encoding of text starting with `head` (a whole file, or its first `LEGACY_SAMPLE_BYTES`) and going on with
    `rest`, and the length of its byte order mark: UTF-16 or UTF-32 as `unicode_encoding` tells them, else UTF-8
    (see `_mostly_utf8`), else the legacy encoding `head` shows (`legacy_encoding`). An ArticleError for a binary
    file and for text in no encoding newsbot can tell."""
    if unicode := unicode_encoding(head):
        return unicode
    if b"\x00" in head[:8192]:
        raise ArticleError("binary file, not text")
    if _mostly_utf8(chain([head], rest)):
        return "utf-8", 0
    return legacy_encoding(head), 0


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
    first `LEGACY_SAMPLE_BYTES` are read): Japanese, Chinese or Korean in one of theirs (`_east_asian`), else the
    single-byte encoding whose reading makes the most of its letters (`_reading`; western, Central European,
    Cyrillic, Greek, Turkish or Baltic), `LEGACY_ENCODING` on a tie, when its reading has no fault, or when the text
    has too few letters to tell (`_FEW_LETTERS`). An ArticleError for other text (Hebrew, Thai, two encodings in one
    file): read in any of these it would be garbage."""
    sample = sample[:LEGACY_SAMPLE_BYTES]
    for encoding, script in _EAST_ASIAN:
        text = _cleanly(sample, encoding)
        if text is not None and _east_asian(text, script) and (encoding != "gb18030" or _mostly_gb2312(sample)):
            return encoding
    head = sample[:_SCORED_BYTES]
    readings = {
        encoding: reading
        for encoding, languages in _SINGLE_BYTE
        if (reading := _reading(head.decode(encoding, errors="replace"), languages, _TELLTALES.get(encoding)))
    }
    few = sum(map(len, _LETTER_RUN.findall(head.decode(LEGACY_ENCODING, errors="replace")))) < _FEW_LETTERS
    if not readings:
        if few:
            return LEGACY_ENCODING
        raise ArticleError("not UTF-8, and in no other encoding newsbot can tell: save it as UTF-8 and ingest it again")
    # The first of the best: a tie goes to the encoding listed first.
    encoding = max(readings, key=lambda encoding: readings[encoding][0] - readings[encoding][1])
    good, faults = readings[encoding]
    plausible = good >= _PLAUSIBLE_SHARE * (good + faults)
    if few:
        return encoding if plausible and encoding not in _LATIN else LEGACY_ENCODING
    # Western text that reads without a fault stays western: Italian's "più" and "però" and its guillemets read
    # as Czech's "piů" and "perň" (ISO-8859-2 has "Ť" and "ť" where the guillemets are) make as many letters.
    if encoding in _LATIN and LEGACY_ENCODING in readings and not readings[LEGACY_ENCODING][1]:
        return LEGACY_ENCODING
    # Western text is read as such however few its letters besides ASCII's ("50m²" alone), as it always was.
    if plausible or encoding == LEGACY_ENCODING:
        return encoding
    raise ArticleError("not UTF-8, and in no other encoding newsbot can tell: save it as UTF-8 and ingest it again")


def legacy_note(encoding: str) -> str:
    """The note on a file read in `encoding`, one of `LEGACY_ENCODINGS`."""
    return f"not UTF-8: read as {LEGACY_ENCODINGS[encoding]}"


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", errors="ignore"))


def _east_asian(text: str, script: str) -> bool:
    """Whether text decoded in an encoding for `script` ("ja", "zh" or "ko") is written so: most of its non-ASCII
    characters wide, and not far outnumbered by its ASCII letters (see `_LATIN_PER_WIDE`); Japanese and Chinese
    without spaces between them, with kana if and only if it is Japanese; Korean mostly in Hangul."""
    wide = len(_WIDE_CHARACTER.findall(text))
    if wide < _WIDE_SHARE * _non_ascii(text) or len(_ASCII_LETTER.findall(text)) > _LATIN_PER_WIDE * wide:
        return False
    if script == "ko":
        return len(_HANGUL.findall(text)) >= _HANGUL_SHARE * wide
    return len(_SPACED_WIDE.findall(text)) <= _SPACED_SHARE * wide and (
        len(_KANA.findall(text)) >= _KANA_SHARE * wide
    ) == (script == "ja")


def _mostly_gb2312(data: bytes) -> bool:
    """Whether `data`'s bytes from 0x80 up are mostly in pairs of GB2312's (see `_GB2312_PAIR`)."""
    return 2 * len(_GB2312_PAIR.findall(data)) >= _GB2312_SHARE * len(data.translate(None, _ASCII))


def _reading(
    text: str, languages: tuple[re.Pattern[str], ...], telltale: tuple[frozenset[str], float] | None
) -> tuple[float, float] | None:
    """How well text decoded in a single-byte encoding for `languages` (patterns of their letters besides ASCII's,
    see `_SINGLE_BYTE`) reads: its letters besides ASCII's that the best of those languages writes (a capital counts
    `_CAPITAL_WEIGHT`), and its faults: letters it does not; letters in a word cased as none is ("гОРОДСКОЙ"), or, in
    a script other than Latin, in a word with Latin letters; characters no text has and symbols inside words
    (`_stray_marks`). A letter alone (£ read as "Ł" in "Ł2m") counts for nothing. None for another script's text: a
    Latin reading (no `telltale`) with more than `_ACCENTED_SHARE` of its letters not ASCII's, a Cyrillic or Greek
    one with fewer of its `telltale` letters than their share, or more than `_CAPITAL_SHARE` of capitals."""
    # Each letter with the one after it, as the languages' patterns match them.
    found: Counter[tuple[str, str]] = Counter()
    faults = float(_stray_marks(text))
    letters = accented = telling = capitals = 0
    latin = telltale is None
    for word, n in Counter(_LETTER_RUN.findall(text)).items():
        others = list(_NON_ASCII.finditer(word))
        letters, accented = letters + n * len(word), accented + n * len(others)
        if telltale:
            telling += n * sum(c in telltale[0] for c in word.lower())
            capitals += n * sum(match[0].isupper() for match in others)
        if not others or len(word) == 1:
            continue
        if _cased(word) and (latin or len(others) == len(word)):
            for match in others:
                found[match[0], word[match.end() : match.end() + 1].lower()] += n
        else:
            faults += n * len(others)
    if telltale is None:
        foreign = accented > _ACCENTED_SHARE * letters
    else:
        foreign = telling < telltale[1] * accented or capitals > _CAPITAL_SHARE * accented
    if foreign:
        return None
    scores = []
    for own in languages:
        written = {pair: own.match(pair[0].lower() + pair[1]) is not None for pair in found}
        good = sum(n * (_CAPITAL_WEIGHT if pair[0].isupper() else 1.0) for pair, n in found.items() if written[pair])
        scores.append((good, faults + sum(n for pair, n in found.items() if not written[pair])))
    return max(scores, key=lambda scored: scored[0] - scored[1])


def _cased(word: str) -> bool:
    """Whether a word is cased as words are: in small letters, in capitals, or capitalised."""
    return word in (word.lower(), word.upper(), word[0].upper() + word[1:].lower())


def _stray_marks(text: str) -> int:
    """How many of text's characters besides ASCII's and letters no text has (`_NEVER`, U+FFFD), or are symbols
    touching a letter that no punctuation of a language is (see `_BESIDE_LETTERS`)."""
    strays = 0
    for mark in _NON_ASCII_MARK.finditer(text):
        character, at = mark[0], mark.start()
        kind = unicodedata.category(character)
        if kind in _NEVER or character == "\ufffd":
            strays += 1
        elif kind not in _BESIDE_LETTERS and character not in _BESIDE_LETTERS_TOO:
            strays += any(c.isalpha() for c in text[max(at - 1, 0) : at] + text[at + 1 : at + 2])
    return strays


def _mostly_utf8(chunks: Iterable[bytes]) -> bool:
    """Whether text given in chunks is UTF-8: its UTF-8 characters at least as many as its bytes from 0x80 up that
    are none. A UTF-8 file with a broken spot stays UTF-8: the spot is reported where it is, and the rest of the
    file keeps its accents."""
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
    return strays <= characters


def served_encoding(charset: str | None, data: bytes, declared: str | None = None) -> str | None:
    """The encoding of a document served as in `charset` that names its own as `declared` (a page's
    `<meta charset>`, a feed's XML declaration; None for none). A charset other than a UTF-8 or Western one
    (`_WESTERN`) is as named. Under a Western one, which servers send by default, the document's own declaration
    wins when it names another; else the bytes decide, as for files (`text_encoding`): UTF-8, `LEGACY_ENCODING` when
    the document says it is Western, else the legacy encoding they show. With no charset served, the same, but a
    document that declares its own is left to the parser, as are UTF-16 and text in no encoding newsbot can tell.
    None when the parser decides, or the charset served is unknown."""
    name, own = _codec(charset), _codec(declared)
    if charset and name is None:
        return None
    if name is not None and name not in _WESTERN:
        return name
    # A page's `<meta charset="utf-16">` over ASCII bytes is a slip (the HTML standard reads it as UTF-8).
    if own is not None and own not in _WESTERN and not own.startswith("utf"):
        return own
    if name is None and declared is not None:
        return None
    try:
        encoding, _mark = text_encoding(data)
    except ArticleError:
        # Text in no encoding newsbot can tell served as Western: read as Windows-1252 as it always was.
        return LEGACY_ENCODING if name else None
    if encoding != "utf-8" and encoding not in LEGACY_ENCODINGS:
        return None
    return LEGACY_ENCODING if own is not None and encoding != "utf-8" else encoding


def _codec(name: str | None) -> str | None:
    """The `codecs` name of an encoding's name, None for none or an unknown one."""
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def decode_errors(encoding: str) -> str:
    """How to decode text in `encoding`: UTF-8, UTF-16 and UTF-32 strictly (a broken spot is reported); a legacy
    encoding's unassigned bytes (five in Windows-1252) as U+FFFD: the file is in that encoding whatever they are."""
    return "replace" if encoding in LEGACY_ENCODINGS else "strict"


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


def _section_headers(headers: Mapping[str, str]) -> list[str]:
    """The header lines read so far that name the story's section (`section_labels`): its category and link."""
    return [value for key in ("category", "url", "link") if (value := headers.get(key))]


def parse_text_article(
    text: str, origin: str | None = None, dates: FileDates | None = None, plain: bool = False
) -> tuple[Article, str | None]:
    """Parse the seed's text format: headline, header lines, `Published D-MM-YYYY, HH:MM`, body, footer; and the
    note on its date line (see `read_date`): why the article is undated when its date cannot be read (it is kept),
    or that it is dated in the future; its dates are read as its file's `dates` are.

    With `plain` (a `.txt` file), an article without a date line is read undated: one with header lines ("Category:",
    "Source: ...") with a note saying so, and one with no header lines at all, only a headline, a blank line and the
    body (as newsrooms' and datasets' plain text exports are), or the body on the next line when the headline
    reads as one (`_reads_as_headline`), without one. Otherwise (a file named without a
    suffix, a README) the date line is what shows the text is an article."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index == len(lines):
        raise ArticleError("empty file")
    title_at = index
    title = _HEADLINE_MARK.sub("", lines[index].strip(), count=1)
    headers: dict[str, str] = {}
    byline: str | None = None
    byline_at = title_at
    published: datetime | None = None
    note: str | None = None
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        if match := _HEADER.match(line):
            headers.setdefault(match.group(1).lower(), match.group(2).strip())
        elif not byline and (named := _BYLINE.match(line)):
            byline, byline_at = named[1], index
        elif not byline and not (published or note) and (beside := dated_byline(line, _section_headers(headers))):
            # A byline and the date beside it, on one line: both read, as the lines that give each alone are.
            byline, byline_at = beside[0], index
            published, note = read_date(beside[1], dates)
        elif (published or note) and line != title:
            # After the date line only the known headers ("Author: ...") and the headline again come before the story.
            break
        elif match := _PUBLISHED.match(line):
            published, note = read_date(match.group(1), dates)
        elif (dated := _date_line(line, dates)) is not None:
            published, note = dated
        elif line and line != title and not _OTHER_HEADER.match(line):
            break
        index += 1
    headline_alone = title_at + 1 < len(lines) and not lines[title_at + 1].strip()
    date_line = bool(published or note)
    if not date_line:
        if not plain:
            raise ArticleError(_NO_DATE_LINE)
        if not (headers or headline_alone or _reads_as_headline(title)):
            raise ArticleError(
                f"no headline: its first line reads as the story's text ({_shown(title)}); put the headline on the"
                " first line, the text after it"
            )
        if headers:
            # Its body starts after its header lines, as a dated one's does; undated, as a record without a date is.
            note = f"{_NO_DATE_LINE}; the article is kept undated"
        else:
            # A plain file's body starts after its headline, or after its byline: never in it.
            index = byline_at + 1
    body_lines = lines[index:]
    # The footer (Comments:/Category:) repeats the header; it is not part of the story.
    while body_lines and (not body_lines[-1].strip() or _FOOTER.match(body_lines[-1].strip())):
        body_lines.pop()
    paragraphs = split_paragraphs("\n".join(body_lines))
    if not paragraphs:
        after = "the Published line" if date_line else f"its headline, {_shown(title)}"
        raise ArticleError(f"no body text after {after}")
    # "Source: Environment Agency" credits a source; only an address is the story's link.
    url = next(filter(None, (web_link(headers.get(k, "")) for k in ("url", "link", "source"))), None)
    article = Article(
        title=title,
        paragraphs=paragraphs,
        category=headers.get("category", ""),
        published=published,
        url=url,
        author=headers.get("author") or byline,
        origin=origin,
    )
    return article, note


def _shown(line: str) -> str:
    """A line quoted in a message, its start if long."""
    start = line if len(line) <= _SHOWN_CHARS else line[:_SHOWN_CHARS].rstrip() + "\u2026"
    return f"\u201c{start}\u201d"


def _reads_as_headline(line: str) -> bool:
    """Whether a plain article's first line, with its text on the next line, is its headline (`_SENTENCE_END`)."""
    return len(line) <= _HEADLINE_CHARS and not _SENTENCE_END.search(line)


def date_line_text(line: str, dates: FileDates | None = None) -> str | None:
    """The date a line gives as written when it is a date line (`Published 30 Nov 2026`, `Date: ...`, or only a
    date, as `_date_line` reads one), else None: a line that is no date is the story's."""
    if match := _PUBLISHED.match(line.strip()):
        return match.group(1)
    return line.strip() if _date_line(line.strip(), dates) is not None else None


def _date_line(line: str, dates: FileDates | None) -> tuple[datetime, str | None] | None:
    """The date of a line that is only a date ("7 March 2013, 07:37"), read as its file's `dates` are, and its note
    (see `read_date`: one dated in the future), else None: a line that is no date is the story's."""
    if len(line) > _DATE_LINE_CHARS or not any(c.isdigit() for c in line):
        return None
    return readable_date(line, dates)
