"""What a spelling suggestion costs and how often it names the word meant: `python bench/spelling.py`.

Words of the BBC articles (five letters or more, written in lower case within a sentence, so not names) are
each misspelt by one random edit that no paragraph uses and that is no word spelt right (the encoder's vocabulary
and the common English words), as a reader's typo would be; each misspelling is asked alone, and again between the
words written before and after the word meant where a paragraph first writes it ("time warnr profits"), and the
suggestion the answer would show ("Did you mean ...?", `Ranking.respelt`) is compared with the word meant. The
suggestion is timed apart from the search: a reply pays for it only when it declines or answers weakly. Words only
(no vectors): the suggestion reads the word index, not the vectors.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from common import load_bbc, markdown_table, percentile
from natural import bbc_library

from bot.analysis import analyze, words
from bot.library import Library
from bot.retrieval import MIN_RESPELT_CHARS, Request, _spelt_right, search

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(word: str, rng: random.Random) -> str:
    """`word` with one random deletion, swap of neighbours, replacement or insertion of a letter."""
    at = rng.randrange(len(word))
    kind = rng.choice(("delete", "swap", "replace", "insert"))
    if kind == "delete":
        return word[:at] + word[at + 1 :]
    if kind == "swap" and at < len(word) - 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "replace":
        return word[:at] + rng.choice(_LETTERS.replace(word[at], "")) + word[at + 1 :]
    return word[:at] + rng.choice(_LETTERS) + word[at:]


def misspellings(library: Library, count: int, seed: int) -> tuple[list[tuple[str, str]], dict[str, tuple[str, str]]]:
    """`count` pairs (misspelling, word meant) as described above, the words drawn in proportion to their use; and
    each word's neighbours (the words analysis keeps before and after it where a paragraph first writes it)."""
    used: Counter[str] = Counter()
    beside: dict[str, tuple[str, str]] = {}
    for article in load_bbc():
        for paragraph in article.paragraphs:
            spans = list(dict.fromkeys((start, end) for start, end, _ in words(paragraph)))
            for i, (start, end) in enumerate(spans):
                word = paragraph[start:end]
                if len(word) >= MIN_RESPELT_CHARS and word.isascii() and word.isalpha() and word.islower():
                    used[word] += 1
                    if word not in beside:
                        before = paragraph[slice(*spans[i - 1])] if i else ""
                        after = paragraph[slice(*spans[i + 1])] if i + 1 < len(spans) else ""
                        beside[word] = (before, after)
    rng = random.Random(seed)
    population, weights = zip(*used.items(), strict=True)
    vocabulary = _spelt_right()
    pairs: dict[str, str] = {}
    while len(pairs) < count:
        meant = rng.choices(population, weights)[0]
        wrong = typo(meant, rng)
        terms = analyze(wrong)
        if wrong in vocabulary or wrong in pairs or len(wrong) < MIN_RESPELT_CHARS or len(terms) != 1:
            continue
        if terms[0] in library.engine.idf(terms).used():
            continue  # a paragraph uses it: a word of its own ("trial" for "trail"), not a typo to catch
        pairs[wrong] = meant
    return list(pairs.items()), beside


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None, help="where the words-only BBC library is (or goes)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbot-spelling-") as tmp:
        library = bbc_library((args.data_dir or Path(tmp)) / "bbc-off", "off")
        pairs, beside = misspellings(library, args.words, args.seed)
        rows = []
        for name, asked in (
            ("asked alone", lambda wrong, meant: wrong),
            (
                "between its neighbours",
                lambda wrong, meant: " ".join(filter(None, (beside[meant][0], wrong, beside[meant][1]))),
            ),
        ):
            suggested: list[float] = []
            outcomes: Counter[str] = Counter()
            for wrong, meant in pairs:
                ranking = search(Request(asked(wrong, meant)), library.engine, library.store)
                start = time.perf_counter()
                found = ranking.respelt.get(wrong)
                suggested.append(time.perf_counter() - start)
                outcomes["none" if found is None else "meant" if found.casefold() == meant else "other"] += 1
            rows.append(
                [name, str(len(pairs)), *(f"{outcomes[o] / len(pairs):.0%}" for o in ("meant", "other", "none"))]
                + [f"{percentile(suggested, p) * 1000:.1f}" for p in (50, 95)]
            )
        library.close()
    header = ["suggestion", "misspelt words", "word meant", "another word", "no suggestion", "p50 ms", "p95 ms"]
    print(markdown_table(header, rows))
    print(f"\n{len(pairs)} one-edit misspellings of BBC words (seed {args.seed}), words only.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
