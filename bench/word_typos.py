"""Ordinary words misspelt in the desks' questions: `python bench/word_typos.py [--data-dir DIR] [--every N]`.

Each question of the desks' sets (tests/data/*_desk_questions.json, not replies) has its key word misspelt: of its
words of MIN_RESPELT_CHARS letters or more, in lower case, that a paragraph uses and that the stories do not write as
a name (`name_typos.named_words`), the one fewest paragraphs hold. The slip is a kind a reader typing fast makes
(`slip`: a dropped letter, a doubled one, a swapped pair, a neighbouring key), drawn from a seed of the question's
own, and kept only where no paragraph uses the misspelling and it is no word spelt right (`_spelt_right`: a slip
making another word, "form" of "from", is not what is measured); with `--edits 2`, two such slips, never one edit
from the word; with `--capitalised`, typed capitalised, as at a sentence's start or in a chat's headline-like
phrase. Each question is asked as written and misspelt: an answerable one (its `gold` passages) counts whether an
answering passage is still among the 3 shown, whether it is declined, and whether it is answered for the word
meant ("Answers for mortgage (you wrote morgage)", `Answer.respelt`) or for another (a wrong correction), or only
suggested ("Did you mean"); an unanswerable one counts whether it is declined as written and misspelt, and answered
respelt.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from common import markdown_table
from name_typos import desk_cases, named_words, typo_arguments
from small_library import libraries

from bot.analysis import analysed_in, analyze, words
from bot.library import Library
from bot.models import Answer
from bot.retrieval import MIN_RESPELT_CHARS, NEIGHBOUR_KEYS, _spelt_right, one_edit

KINDS = ("drop", "double", "swap", "key")


def slip(word: str, kind: str, rng: random.Random) -> str:
    """`word` with one slip of `kind`: a letter dropped, a letter typed twice, two neighbours swapped, or a letter
    typed as a key beside it (its case kept)."""
    at = rng.randrange(len(word) - 1) if kind == "swap" else rng.randrange(len(word))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[: at + 1] + word[at:]
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    keys = NEIGHBOUR_KEYS.get(word[at].casefold(), "")
    wrong = rng.choice(keys) if keys else word[at]
    return word[:at] + (wrong.upper() if word[at].isupper() else wrong) + word[at + 1 :]


def key_word(question: str, library: Library) -> tuple[int, int] | None:
    """The span of the question's key word: of its lower-case words of MIN_RESPELT_CHARS letters or more that a
    paragraph uses and the stories do not write as a name, the one fewest paragraphs hold (the first of alike)."""
    names = set(named_words(question, library))
    spans = [
        (s, e, t)
        for s, e, t in words(question)
        if len(question[s:e]) >= MIN_RESPELT_CHARS
        and question[s:e].isascii()
        and question[s:e].isalpha()
        and question[s:e].islower()
        and (s, e) not in names
    ]
    used = library.engine.idf(sorted({t for _, _, t in spans})).used()
    kept = [(s, e, t) for s, e, t in spans if t in used]
    if not kept:
        return None
    start, end, _ = max(kept, key=lambda k: (used[k[2]], -k[0]))
    return start, end


def misspelt(
    question: str, span: tuple[int, int], library: Library, rng: random.Random, edits: int, capitalised: bool
) -> tuple[str, str] | None:
    """The question with the word at `span` misspelt (`slip`, `edits` of them) as described above, and the kinds of
    slip; None after 20 tries."""
    start, end = span
    word = question[start:end]
    for _ in range(20):
        kinds = [rng.choice(KINDS) for _ in range(edits)]
        wrong = word
        for kind in kinds:
            wrong = slip(wrong, kind, rng)
        if wrong == word or (edits == 2 and wrong in one_edit(word)) or wrong in _spelt_right():
            continue
        if library.engine.idf([wrong]).used():
            continue
        wrong = wrong[0].upper() + wrong[1:] if capitalised else wrong
        return question[:start] + wrong + question[end:], "+".join(kinds)
    return None


def respelt_as(answer: Answer, meant: str) -> str:
    """'meant' where `answer` is answered for the word meant (a form of it: "train" of "trains" is searched alike),
    'other' for another, '' where not respelt."""
    if answer.respelt is None:
        return ""
    return "meant" if set(analyze(meant)) <= set(analyze(answer.respelt.written)) else "other"


def main(argv: Sequence[str] | None = None) -> int:
    args = typo_arguments(argv, __doc__.split("\n")[0], "word", "slips")
    cases = desk_cases(args.every)
    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    with ExitStack() as stack:
        root = args.data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="word-typos-")))
        opened = stack.enter_context(libraries(root, sorted({c["library"] for c in cases})))
        for case in cases:
            library = opened[case["library"]]
            question = case["question"]
            with analysed_in(library.follower.language):
                span = key_word(question, library)
            if span is None:
                continue
            rng = random.Random(f"{args.seed}|{case['library']}|{question}")
            slipped = misspelt(question, span, library, rng, args.edits, args.capitalised)
            if slipped is None:
                continue
            wrong_question, kind = slipped
            meant = question[slice(*span)]
            gold = case.get("gold", ())
            before = library.ask(library.request(question))
            after = library.ask(library.request(wrong_question))
            respelt = respelt_as(after, meant)
            suggested = f"\u201c{meant.casefold()}\u201d" in after.reason.casefold()
            group = "answerable" if gold else "unanswerable"
            counts[group] += 1
            counts[f"{group} declined before"] += not before.found
            counts[f"{group} declined"] += not after.found
            counts[f"{group} respelt {respelt}"] += bool(respelt)
            counts[f"{group} suggested meant"] += suggested
            counts[f"{group} suggested other"] += "Did you mean" in after.reason and not suggested
            right = any(g in p.text for p in before.passages[:3] for g in gold)
            kept = any(g in p.text for p in after.passages[:3] for g in gold)
            counts["right before"] += right
            counts["right misspelt"] += kept
            counts["right kept"] += right and kept
            for name in (kind.split("+")[0] if args.edits == 1 else kind, "all"):
                kinds[name] += 1
                kinds[f"{name} respelt {respelt}"] += bool(respelt)
                kinds[f"{name} kept"] += bool(gold) and right and kept
                kinds[f"{name} right"] += bool(gold) and right
            if args.list:
                state = "confident" if after.found and after.confident else "weak" if after.found else "declined"
                shown = f"[{after.respelt.written} / {after.respelt.typed}] " if after.respelt else ""
                mark = "unans" if not gold else "kept" if kept else "LOST" if right else "    "
                print(f"{mark:5} {state:9} {kind:11} {case['library']}: {wrong_question!r}: {shown}{after.reason}")
    header = ["misspelt", "right in 3: as written", "misspelt", "both", "declined: as written", "misspelt"]
    header += ["answered respelt: the word", "another", "did you mean: the word", "another"]
    row = [
        counts[k]
        for k in (
            "answerable",
            "right before",
            "right misspelt",
            "right kept",
            "answerable declined before",
            "answerable declined",
            "answerable respelt meant",
            "answerable respelt other",
            "answerable suggested meant",
            "answerable suggested other",
        )
    ]
    print(markdown_table(header, [[str(c) for c in row]]))
    print(
        f"\nunanswerable: {counts['unanswerable']} misspelt, declined {counts['unanswerable declined before']} as"
        f" written, {counts['unanswerable declined']} misspelt; answered respelt: the word"
        f" {counts['unanswerable respelt meant']}, another {counts['unanswerable respelt other']}"
    )
    for kind in sorted(k for k in kinds if " " not in k):
        print(
            f"{kind}: {kinds[kind]} misspelt, answered respelt as the word {kinds[kind + ' respelt meant']}, as"
            f" another {kinds[kind + ' respelt other']}; right in 3 as written kept {kinds[kind + ' kept']}"
            f" of {kinds[kind + ' right']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
