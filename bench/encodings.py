"""How much legacy-encoded text newsbot reads back exactly, before and after it read Central European, KOI8-R, Greek,
Big5 and Korean text (and, since, Turkish, Baltic and KOI8-U text).

Texts: our own sample texts in 23 languages (`bench/data/encodings/*.txt`, UTF-8, a few paragraphs each) and
the BBC articles with a character beyond ASCII (the pound sign), read from `../shared/data` at run time. Each is
encoded in the legacy encodings its newsrooms use (typographic quotes and dashes as ASCII ones in the encodings that
lack them, as their writers type them), starting at each of its paragraphs (the paragraphs repeated to fill the
length) and cut at a character's end to 200 bytes, 1 KB and 8 KB. Each piece is read by `bot.ingest.text.decode` of
this checkout and of `--old` (a git revision: the commit before this benchmark), and counts when the text comes back
exactly. Prints a markdown table of the shares per encoding and language, then what the new code read wrongly.

    python bench/encodings.py [--old REV] [--bbc N]
"""

from __future__ import annotations

import argparse
import subprocess
import time
import types
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from common import REPO, load_bbc, markdown_table

from bot.errors import ArticleError
from bot.ingest.text import decode

SAMPLES = REPO / "bench" / "data" / "encodings"
# Each language's sample and the encodings it is written in, as its newsrooms' Windows or older Unix and web
# software save it.
ENCODINGS = {
    "english": ("cp1252",),
    "french": ("cp1252",),
    "german": ("cp1252",),
    "portuguese": ("cp1252",),
    "polish": ("cp1250", "iso8859_2"),
    "czech": ("cp1250", "iso8859_2"),
    "hungarian": ("cp1250", "iso8859_2"),
    "russian": ("cp1251", "koi8_r"),
    "greek": ("cp1253", "iso8859_7"),
    "japanese": ("cp932", "euc_jp"),
    "chinese_simplified": ("gb18030",),
    "chinese_traditional": ("big5",),
    "korean": ("euc_kr",),
    # Written after the scoring was settled on the samples above, to see it on languages it was not tuned on.
    "italian": ("cp1252",),
    "spanish": ("cp1252",),
    "danish": ("cp1252",),
    "slovak": ("cp1250", "iso8859_2"),
    "romanian": ("cp1250", "iso8859_2"),
    "croatian": ("cp1250", "iso8859_2"),
    "ukrainian": ("cp1251", "koi8_u"),
    # Added with Turkish, Baltic and KOI8-U reading.
    "turkish": ("cp1254", "iso8859_9"),
    "lithuanian": ("cp1257", "iso8859_13"),
    "latvian": ("cp1257", "iso8859_13"),
}
LENGTHS = (200, 1024, 8192)
OLD = "84fe35a"
# How writers type the punctuation an encoding lacks (ISO-8859-2 and KOI8-R have no curly quotes or long dashes).
ASCII_PUNCTUATION = str.maketrans(
    {
        "\u201e": '"',
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)

Reader = Callable[[bytes], tuple[str, str]]


def old_decode(revision: str) -> Reader:
    """`decode` as `bot/ingest/text.py` had it at `revision` (it imports this checkout's other modules)."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{revision}:bot/ingest/text.py"], capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("old_text")
    exec(compile(source, f"{revision}:bot/ingest/text.py", "exec"), module.__dict__)
    reader: Reader = module.decode
    return reader


def sources(bbc: int) -> Iterator[tuple[str, str, list[str]]]:
    """(encoding, language, texts): every sample starting at each of its paragraphs, in each of its encodings; and
    the first `bbc` BBC articles with a pound sign, each followed by the next ones (English, in Windows-1252)."""
    for language, encodings in ENCODINGS.items():
        paragraphs = (SAMPLES / f"{language}.txt").read_text(encoding="utf-8").strip().split("\n\n")
        texts = ["\n\n".join([*paragraphs[start:], *paragraphs[:start]]) for start in range(len(paragraphs))]
        for encoding in encodings:
            yield encoding, language, texts
    articles = ["\n\n".join((a.title, *a.paragraphs)) for a in load_bbc()]
    starts = [i for i, text in enumerate(articles) if not text.isascii()][:bbc]
    yield "cp1252", "bbc", ["\n\n".join(articles[start : start + 8]) for start in starts]


def pieces(texts: Sequence[str], encoding: str, length: int) -> Iterator[tuple[str, bytes]]:
    """Each text (repeated to fill `length`) encoded and cut to `length` bytes at a character's end: the text as
    written and its bytes."""
    for whole in texts:
        text = whole
        while len(text.encode("utf-8")) < 2 * length:
            text = f"{text}\n\n{whole}"
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            data = text.translate(ASCII_PUNCTUATION).encode(encoding)
        cut = data[:length].decode(encoding, errors="ignore")
        yield cut, cut.encode(encoding)


def outcome(reader: Reader, text: str, data: bytes) -> str:
    """ "exact", "refused", or the encoding the text was read in wrongly."""
    try:
        read, encoding = reader(data)
    except ArticleError:
        return "refused"
    return "exact" if read == text else encoding


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", default=OLD, help=f"the git revision to compare with ({OLD})")
    parser.add_argument("--bbc", type=int, default=100, help="BBC articles with a pound sign to read (100)")
    args = parser.parse_args(argv)
    readers = {"old": old_decode(args.old), "new": decode}
    counts: dict[tuple[str, str], Counter[tuple[int, str, str]]] = {}
    seconds: Counter[str] = Counter()
    for encoding, language, texts in sources(args.bbc):
        row = counts.setdefault((encoding, language), Counter())
        for length in LENGTHS:
            for text, data in pieces(texts, encoding, length):
                for name, reader in readers.items():
                    started = time.perf_counter()
                    row[length, name, outcome(reader, text, data)] += 1
                    seconds[name] += time.perf_counter() - started
    rows, wrong = [], []
    for (encoding, language), row in counts.items():
        texts = sum(n for (length, name, _), n in row.items() if length == LENGTHS[0] and name == "new")
        shares = [f"{row[length, name, 'exact'] / texts:.0%}" for length in LENGTHS for name in readers]
        rows.append([encoding, language, str(texts), *shares])
        wrong += [
            f"{encoding} {language} {length:,} B: {n} {what}"
            for (length, name, what), n in sorted(row.items())
            if name == "new" and what != "exact"
        ]
    header = ["encoding", "language", "texts", *(f"{length:,} B {name}" for length in LENGTHS for name in readers)]
    print(markdown_table(header, rows))
    print(f"\nRead wrongly (as the encoding named) or refused by the new code: {'; '.join(wrong) or 'none'}")
    print("Seconds reading, old / new: " + " / ".join(f"{seconds[name]:.2f}" for name in readers))


if __name__ == "__main__":
    main()
