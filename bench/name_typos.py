"""Names misspelt in the desks' questions: `python bench/name_typos.py [--data-dir DIR] [--capitalised] [--every N]`.

Each question of the desks' sets (tests/data/*_desk_questions.json, whose answerable ones name their `gold`
passages) that writes a name the library's stories write (four letters or more, however it is typed) is asked as
written and again with that name misspelt by one random edit that no paragraph uses (`spelling.typo`), as a reader's
typo would be: capitalised as the question types it (most desks' questions are in lower case) or, with
`--capitalised`, as a name (read as one where it is not the question's first word: `name_terms`), each question's
word and slip drawn from a seed of its own. With `--edits 2`,
by two edits instead, of one of the kinds a reader's slips of a name make (`two_typos`: a swapped pair of letters and
one more slip, a double letter dropped or a letter doubled and one more slip, or a sound-alike ending: "Brodey" of
"Brodie", "Gerasimoff" of "Gerasimov"), never one edit from the name. Counted: how many
still show an answering passage among the 3 shown, and how many say "Did you mean" the name as the stories write it
(`Ranking.respelt`, shown after a decline or a weak answer); a confident answer shows no suggestion, and needs none.
And how many are answered as the stories write the name (`Answer.respelt`: "Answers for Maria Quinn (you wrote Mara
Quinn)"), the name meant or another (a wrong correction). Then the sets' questions the stories cannot answer that
write no name the stories do (most name a person, place or firm no story names): how many say "Did you mean", or
are answered respelt, which the reader did not need.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from common import markdown_table
from small_library import DATA, libraries
from spelling import typo

from bot.analysis import analysed_in, words
from bot.library import Library
from bot.render.answers import respelt_note
from bot.retrieval import MIN_RESPELT_CHARS_BESIDE, one_edit, spelling

SETS = sorted(DATA.glob("*_desk_questions.json"))
# Endings that sound alike, each two edits from the others of its group: "Brodie", "Brodey", "Brody" (-ey and -y are
# one apart, so never put for each other: `two_typos` keeps only misspellings two edits off).
SOUND_ALIKE_ENDINGS = (("ie", "ey", "y"), ("ov", "off"))


def two_typos(word: str, rng: random.Random) -> tuple[str, str] | None:
    """`word` misspelt by two edits (a string neither it nor one edit from it), with the kind of slip: "swap" (two
    neighbouring letters swapped, and one more random edit), "double" (a double letter written once, or a letter
    doubled, and one more random edit) or "ending" (a sound-alike ending for the word's: -ie, -ey, -y; -ov, -off);
    None when the kind drawn gives none."""
    lower = word.casefold()
    endings = [(end, other) for group in SOUND_ALIKE_ENDINGS for end in group for other in group if other != end]
    endings = [(end, other) for end, other in endings if lower.endswith(end) and len(lower) > len(end) + 2]
    kind = rng.choice(["swap", "double"] + (["ending"] if endings else []))
    if kind == "ending":
        end, other = rng.choice(endings)
        wrong = word[: -len(end)] + other
    elif kind == "swap":
        at = rng.randrange(len(word) - 1)
        wrong = typo(word[:at] + word[at + 1] + word[at] + word[at + 2 :], rng)
    else:
        doubles = [i for i in range(len(word) - 1) if lower[i] == lower[i + 1]]
        at = rng.choice(doubles) if doubles and rng.random() < 0.5 else None
        if at is None:
            at = rng.randrange(len(word))
            wrong = typo(word[: at + 1] + word[at:], rng)
        else:
            wrong = typo(word[:at] + word[at + 1 :], rng)
    if wrong.casefold() == lower or wrong.casefold() in one_edit(lower):
        return None
    return wrong, kind


def named_words(question: str, library: Library) -> list[tuple[int, int]]:
    """The spans of the question's words of four letters or more that the stories write as names (capitalised within
    a sentence, `spelling`; a word they capitalise only inside a name, "Street" of "Quarry Street", only beside that
    name's other word), however the question writes them: readers type names in lower case too."""
    kept = words(question)
    beside = [frozenset(t for _, _, t in kept[max(i - 1, 0) : i + 2]) - {kept[i][2]} for i in range(len(kept))]
    spans = [
        (s, e, t, near)
        for (s, e, t), near in zip(kept, beside, strict=True)
        if len(question[s:e]) >= MIN_RESPELT_CHARS_BESIDE and question[s:e].isalpha() and question[s:e].isascii()
    ]
    used = library.engine.idf(sorted({t for _, _, t, _ in spans})).used()
    store, engine = library.store, library.engine
    return [
        (s, e)
        for s, e, t, near in spans
        if t in used and spelling(t, {question[s:e].casefold()}, engine, store, named=True, beside=near)
    ]


def misspelt(
    question: str,
    span: tuple[int, int],
    library: Library,
    rng: random.Random,
    capitalised: bool = False,
    edits: int = 1,
) -> tuple[str, str] | None:
    """The question with the word at `span` misspelt by one edit (or two: `two_typos`) no paragraph uses, with the
    kind of slip (None after 20 tries), capitalised as typed, or always (`capitalised`)."""
    start, end = span
    word = question[start:end]
    for _ in range(20):
        slip = (typo(word, rng), "one") if edits == 1 else two_typos(word, rng)
        if slip is None:
            continue
        wrong, kind = slip
        wrong = wrong[0].upper() + wrong[1:] if wrong and (capitalised or word[0].isupper()) else wrong
        if len(wrong) >= 2 and wrong.casefold() != word.casefold() and not library.engine.idf([wrong]).used():
            return question[:start] + wrong + question[end:], kind
    return None


def typo_arguments(argv: Sequence[str] | None, description: str, thing: str, slips: str) -> argparse.Namespace:
    """The options of both typo benches (`thing`: what each question gets misspelt, "name" or "word"; `slips`: what
    a misspelling is counted in)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the libraries here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--list", action="store_true", help="print each misspelt question and what it got")
    parser.add_argument("--capitalised", action="store_true", help=f"type each misspelt {thing} capitalised")
    parser.add_argument(
        "--edits", type=int, choices=(1, 2), default=1, help=f"misspell each {thing} by this many {slips}"
    )
    parser.add_argument("--every", type=int, default=1, help="ask every Nth question of each set")
    return parser.parse_args(argv)


def desk_cases(every: int) -> list[dict[str, Any]]:
    """Every `every`th question of each desk's set (`SETS`) that is no reply to a story."""
    cases = []
    for path in SETS:
        listed = json.loads(path.read_text(encoding="utf-8"))["questions"]
        cases += [c for c in listed if not c.get("following")][::every]
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    args = typo_arguments(argv, __doc__.split("\n")[0], "name", "edits")
    cases = desk_cases(args.every)
    counts: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    with ExitStack() as stack:
        root = args.data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="name-typos-")))
        opened = stack.enter_context(libraries(root, sorted({c["library"] for c in cases})))
        for case in cases:
            library = opened[case["library"]]
            question = case["question"]
            with analysed_in(library.follower.language):
                spans = named_words(question, library)
            if not spans:
                said = library.ask(library.request(question)) if "gold" not in case else None
                if said is not None and (said.reason or said.respelt):
                    unknown["asked"] += 1
                    unknown["suggested"] += "Did you mean" in said.reason
                    unknown["respelt"] += said.respelt is not None
                continue
            # Each question's own draw: a change in which of its words are names moves that question alone.
            rng = random.Random(f"{args.seed}|{case['library']}|{question}")
            span = rng.choice(spans)
            slip = misspelt(question, span, library, rng, args.capitalised, args.edits)
            if slip is None:
                continue
            wrong, kind = slip
            meant = question[slice(*span)]
            gold = case.get("gold", ())
            before, after = library.ask(library.request(question)), library.ask(library.request(wrong))
            kept = any(g in p.text for p in after.passages[:3] for g in gold)
            counts["misspelt"] += 1
            counts["answerable"] += bool(gold)
            counts["right before"] += any(g in p.text for p in before.passages[:3] for g in gold)
            counts["right misspelt"] += kept
            said = f"\u201c{meant.casefold()}\u201d" in after.reason.casefold()
            counts["suggested meant"] += said
            counts["suggested other"] += "Did you mean" in after.reason and not said
            respelt = after.respelt is not None and meant.casefold() in after.respelt.written.casefold().split()
            counts["respelt meant"] += respelt
            counts["respelt other"] += after.respelt is not None and not respelt
            counts["helped"] += kept or said or respelt
            kinds[kind] += 1
            kinds[f"{kind} respelt meant"] += respelt
            kinds[f"{kind} wrong"] += (after.respelt is not None and not respelt) or (
                "Did you mean" in after.reason and not said
            )
            if args.list:
                shown = f"[{respelt_note(after)}] " if after.respelt else ""
                print(f"{'kept' if kept else '    '} {kind} {wrong!r}: {shown}{after.reason or 'confident'}")
    header = ["misspelt", "answerable", "right in 3: as written", "misspelt", "did you mean: the name", "another"]
    header += ["answered respelt: the name", "another"]
    keys = ["misspelt", "answerable", "right before", "right misspelt", "suggested meant", "suggested other"]
    keys += ["respelt meant", "respelt other"]
    print(markdown_table(header, [[str(counts[k]) for k in keys]]))
    print(f"\nhelped (answer kept, the name suggested or answered for): {counts['helped']} of {counts['misspelt']}")
    for kind in sorted(k for k in kinds if " " not in k):
        print(
            f"{kind}: {kinds[kind]} misspelt, answered respelt as the name {kinds[kind + ' respelt meant']},"
            f" a wrong correction (suggested or respelt) {kinds[kind + ' wrong']}"
        )
    print(
        f"unanswerable questions without a known name: {unknown['asked']}, a suggestion: {unknown['suggested']},"
        f" answered respelt: {unknown['respelt']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
