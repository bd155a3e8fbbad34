"""Text analysis: the one function that turns documents and questions alike into index terms.

Terms are made in the library's language (`analysed_in`): English, Spanish, German, French and Italian words are
stemmed and their small words left out by their own rules; any other language's as English's.

Also sentence splitting for trimming long paragraphs, with nltk's Punkt and shipped abbreviations
(nltk's downloadable models are not available on many servers).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps
from importlib.resources import files
from itertools import chain
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar, TypeVarTuple, Unpack

if TYPE_CHECKING:
    from nltk.stem.snowball import SnowballStemmer
    from nltk.tokenize.punkt import PunktSentenceTokenizer

# Words, numbers with their separators (1,000 / 3.5 / 9/11), hyphenated words, names with apostrophes and
# dotted acronyms (U.S), in one possessive pattern. Compounds are split again below so "missile-defence" also
# finds "missile". This is nltk's RegexpTokenizer pattern run by the standard `re`: nltk 3.10 runs it through
# the `regex` module, which measured 4.7x slower on the BBC paragraphs with identical tokens (README).
_JOINERS = "-'./,&"  # "-" first: a character of the class, not a range
_TOKEN_PATTERN = "{w}+(?:[" + _JOINERS + "]{w}+)*+"
# For ASCII text alone (`_tokens`), where ASCII `\w` is Unicode's: 17% faster than Unicode `\w` on the BBC paragraphs.
_TOKEN = re.compile(_TOKEN_PATTERN.format(w=r"\w"), re.ASCII)
_POSSESSIVE = re.compile(r"'s?$")
# A sentence ends at these, and the next opens past spaces, quotes and brackets.
_SENTENCE_END = re.compile("[.!?:][ \t\n\"'\u201c\u2018(]*")
_OPENING = re.compile("[ \t\n\"'\u201c\u2018(]*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# Letters of the Latin alphabet that are no letter with an accent, so that Unicode takes none from them, as readers
# without them type them: "soren kjaergaard" of "Søren Kjærgaard", "lodz" of "Łódź". In lower case: `fold` casefolds
# first.
_UNDECOMPOSED = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"})
_HAS_LETTER = re.compile(r"[^\W\d_]")
_HAS_WORD = re.compile(r"\w")
_THOUSANDS = re.compile(r",(?=\d{3}\b)")
_COMPOUND = re.compile(r"[-/&]")


def _data(name: str) -> str:
    return files("bot.data").joinpath(name).read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def data_lines(name: str) -> list[str]:
    """The lines of a list shipped in bot/data, stripped, without its comments and blank lines."""
    return _lines(_data(name))


def _word_list(name: str) -> frozenset[str]:
    return frozenset(data_lines(name))


def _base_forms(text: str) -> dict[str, str]:
    """Each irregular form's base, from lines of a base and its forms ("say said")."""
    return {form: base for base, *forms in map(str.split, _lines(text)) for form in forms}


_STOPWORDS_TEXT = _data("stopwords_en.txt")
_IRREGULAR_TEXT = _data("irregular_verbs_en.txt")
_PLURALS_TEXT = _data("irregular_plurals_en.txt")
STOPWORDS = frozenset(_lines(_STOPWORDS_TEXT))
IRREGULAR_VERBS = _base_forms(_IRREGULAR_TEXT)
IRREGULAR_PLURALS = _base_forms(_PLURALS_TEXT)
# Each irregular form (a verb's "said", a noun's "buses") with the word stemmed in its place.
BASE_FORMS = {**IRREGULAR_VERBS, **IRREGULAR_PLURALS}
# The analysis an index's terms were made by (bot/index/follower.py builds an index made by another again): a
# change to the rules in this module is a new number here; a change to the word lists changes the digest alone.
ANALYSIS_RULES = 5
ANALYSIS = "{}-{}".format(
    ANALYSIS_RULES,
    hashlib.sha256(f"{_STOPWORDS_TEXT}\0{_IRREGULAR_TEXT}\0{_PLURALS_TEXT}".encode()).hexdigest()[:16],
)
# The languages whose words are stemmed by their own Snowball stemmer (nltk ships each, no download) and whose own
# stopwords (bot/data/stopwords_XX.txt) are left out: over English rules a German library's "Fähren" was not its
# "Fähre", nor "Schulen" its "Schule", and a question's "der" or "viel" were words no article used.
STEMMERS = {"en": "english", "es": "spanish", "de": "german", "fr": "french", "it": "italian"}
# The language text is analysed in now (`analysed_in`).
_LANGUAGE: ContextVar[str] = ContextVar("analysis_language", default="en")
# French writes an article or pronoun elided onto the next word ("l'île", "qu'il"), a token analysis keeps whole.
# So does Italian, an article or a preposition joined to one ("l'isola", "dell'isola", "un'ora", "c'è").
_ELIDED = {
    "fr": re.compile(r"^(?:[cdjlmnst]|qu)'"),
    "it": re.compile(r"^(?:[cdl]|un|[dns]ell|[ads]all|sull|quest|quell|anch|dov)'"),
}


@contextmanager
def analysed_in(language: str) -> Iterator[None]:
    """Analyse text in `language` (a key of STEMMERS; any other is analysed as English) within the block, in this
    thread: the language a library's index terms were made in, which its questions must be read in too."""
    token = _LANGUAGE.set(language if language in STEMMERS else "en")
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def analysis_language() -> str:
    """The language text is analysed in now (`analysed_in`; "en" outside any)."""
    return _LANGUAGE.get()


_Args = TypeVarTuple("_Args")
_R = TypeVar("_R")


def cached_per_language(
    maxsize: int,
) -> Callable[[Callable[[Unpack[_Args]], _R]], Callable[[Unpack[_Args]], _R]]:
    """`functools.lru_cache` for a function of text that reads the text's terms, kept per language analysed in: kept
    by its text alone, a process asking libraries of two languages read one's terms for the other's (the shipped
    English story's paragraphs, in a German library that holds it too, were matched by their English terms against
    a question's German ones, and "Who invited Dempsey to Moscow?" was declined there after an English library had
    answered it)."""

    def decorate(function: Callable[[*_Args], _R]) -> Callable[[*_Args], _R]:
        kept = {language: lru_cache(maxsize=maxsize)(function) for language in STEMMERS}

        @wraps(function)
        def cached(*args: *_Args) -> _R:
            return kept[_LANGUAGE.get()](*args)

        return cached

    return decorate


@lru_cache(maxsize=16)
def analysis_of(language: str) -> str:
    """The analysis an index of a library in `language` is made by (`ANALYSIS` for English, and for any language
    analysed as English: their indexes stay as they were)."""
    if language not in STEMMERS or language == "en":
        return ANALYSIS
    return f"{ANALYSIS}-{language}-{hashlib.sha256(_data(f'stopwords_{language}.txt').encode()).hexdigest()[:16]}"


@lru_cache(maxsize=len(STEMMERS))
def _stopwords(language: str) -> frozenset[str]:
    return STOPWORDS if language == "en" else _word_list(f"stopwords_{language}.txt")


def small_words(language: str) -> frozenset[str]:
    """The small words (folded) `language` leaves out of its terms: its own where newsbot analyses it (a key of
    STEMMERS), none known for any other."""
    return _stopwords(language) if language in STEMMERS else frozenset()


ABBREVIATIONS = _word_list("abbreviations_en.txt")
# Words as typed short in chats ("wat", "ppl", "yr"), each with the word meant: read so only where the library never
# writes the short form (`bot.retrieval.spelt_as_written`), so they are no part of the analysis.
SHORTHAND = _base_forms(_data("question_shorthand_en.txt"))
# Small words of questions asked in other languages (folded), which English questions do not use.
OTHER_QUESTION_WORDS = _word_list("question_words_other.txt")


@dataclass(frozen=True)
class Frame:
    """A phrase that only frames a question ("how many", "what happened"): its words, whether it opens a question
    asking for the story on what follows ("^" in the file), and whether it ends its clause ("$": "going on" of
    "what is going on at the factory?", not of "when will it go on sale?")."""

    words: tuple[str, ...]
    opens: bool = False
    ends: bool = False


def _frame(line: str) -> Frame:
    words = line.removeprefix("^").removesuffix("$").split()
    return Frame(tuple(words), line.startswith("^"), line.endswith("$"))


QUESTION_FRAMES = tuple(map(_frame, _lines(_data("question_frames_en.txt"))))


@lru_cache(maxsize=1)
def _english_frequencies() -> dict[str, float]:
    """The common English words (bot/data/english_frequencies_en.txt: those used about twice per million words or
    more), each with how often (Zipf), most common first. Read on first need (a quarter of a megabyte)."""
    return {word: float(zipf) for word, zipf in map(str.split, _lines(_data("english_frequencies_en.txt")))}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The common English words (`_english_frequencies`)."""
    return frozenset(_english_frequencies())


def english_frequency(word: str) -> float:
    """How often `word` (folded) is used in English (Zipf: log10 of its uses per billion words); 0 for a word not
    among the common ones."""
    return _english_frequencies().get(word, 0.0)


@lru_cache(maxsize=4096)
def more_often_whole(word: str) -> bool:
    """Whether `word` (folded) is a common English word used more often than any longer common word it begins,
    its own forms aside ("war" than "warm", "warning" or "warrior"; "wars" is "war"): typed with nothing after
    it, it is likelier finished than the start of another. Not "pre" (of "president"), "con" (of "control") or
    "cha" (of "change"), pieces the list of common words holds because they are written apart ("pre-war")."""
    frequencies = _english_frequencies()
    if word not in frequencies:
        return False
    ordered = _english_in_order()
    begun = ordered[bisect_right(ordered, word) : bisect_left(ordered, word + "\U0010ffff")]
    with analysed_in("en"):
        own = analyze(word)
        return all(frequencies[longer] < frequencies[word] or analyze(longer) == own for longer in begun)


@lru_cache(maxsize=1)
def _english_in_order() -> list[str]:
    """The common English words in alphabetical order, where those a word begins follow it."""
    return sorted(_english_frequencies())


def _straight(text: str) -> str:
    """`text` with its apostrophes straight ("'"), as long as it was."""
    # ASCII has only the backtick to straighten: `replace` finds none in most text and returns it as it is, where
    # `translate` copied every paragraph character by character (a tenth of analysing the BBC articles).
    return text.replace("`", "'") if text.isascii() else text.translate(_APOSTROPHES)


def fold(text: str) -> str:
    """Normalise Unicode, lower-case and drop accents, so "Café" and "cafe" are the same word."""
    text = _straight(text)
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().translate(_UNDECOMPOSED)


def stem(word: str, inflected: bool = True) -> str:
    """Snowball stem of one folded word in the language analysed now, an English irregular form read as its base
    first ("said" as "say", "buses" as "bus") unless the word is no `inflected` one (an acronym: "LED", "MEN")."""
    return _stem(word, inflected, _LANGUAGE.get())


@lru_cache(maxsize=200_000)
def _stem(word: str, inflected: bool, language: str) -> str:
    if not _HAS_LETTER.search(word):
        return word
    if language == "en" and inflected:
        word = BASE_FORMS.get(word, word)
    stemmed: str = _stemmer(language).stem(word)
    return stemmed


@lru_cache(maxsize=len(STEMMERS))
def _stemmer(language: str) -> SnowballStemmer:
    # nltk loads on first need: importing it takes most of a second, which `newsbot stats` or `remove` (no text
    # to analyse) paid on every run.
    _load_nltk()
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer(STEMMERS[language])


@lru_cache(maxsize=1)
def _marked_token() -> re.Pattern[str]:
    """The token pattern for text that is not ASCII: a word goes on through the combining marks in it, which `\\w`
    leaves out. Hindi writes most vowels so ("मोदी" was two tokens, "म" and "द"), as does text typed with
    its accents apart ("cafe\\u0301"). Made on first need: listing the marks takes a moment."""
    marks = "".join(ch for ch in map(chr, range(0x300, 0x10000)) if unicodedata.category(ch).startswith("M"))
    return re.compile(_TOKEN_PATTERN.format(w=f"[\\w{re.escape(marks)}]"))


def _tokens(text: str) -> re.Pattern[str]:
    # Both patterns find the same tokens in ASCII text, where the plain one need not be made.
    return _TOKEN if text.isascii() else _marked_token()


def _is_acronym(raw: str) -> bool:
    # "US" and "IT" are stopwords only when written in lower case.
    letters = raw.replace(".", "")
    return len(letters) >= 2 and letters.isupper()


def _token_terms(raw: str, shouting: bool, language: str) -> tuple[str, ...]:
    """Terms of one token in `language`."""
    word = fold(raw).strip("'.,/&-")
    if "'" in word:
        elided = _ELIDED.get(language)
        word = elided.sub("", word) if elided else _POSSESSIVE.sub("", word)
    # Marks alone are no word: an emoji's variation selector ("🌧️ storm?") was told apart as one, "No article uses the
    # word “️”".
    if not _HAS_WORD.search(word):
        return ()
    if not _HAS_LETTER.search(word):
        word = _THOUSANDS.sub("", word)  # 1,000 -> 1000
    elif "." in word and not any(ch.isdigit() for ch in word):
        word = word.replace(".", "")  # U.S. -> us, like US
    # A word in capitals amid lower case is an acronym, not a verb's past: "LED" lights are not "lead" ones.
    inflected = shouting or not _is_acronym(raw)
    stopwords = _stopwords(language)
    if word in stopwords and inflected:
        return ()
    parts = [p for p in _COMPOUND.split(word) if p]
    if len(parts) > 1:
        # The whole is the stem of the word written joined, as a reader types it: stemmed part by part, "e-reader"
        # was "ereader" and "ereader" typed was "eread", a word no article uses.
        return (
            _stem("".join(parts), inflected, language),
            *(_stem(p, inflected, language) for p in parts if p not in stopwords),
        )
    return (_stem(word, inflected, language),)


class _TermCache(dict[str, tuple[str, ...]]):
    """Terms per token of text that is not all capitals in one language, filled on first sight.

    Indexing looks every token up here; `map(cache.__getitem__, tokens)` keeps that loop in C, and only a
    token never seen before costs a Python call. Emptied when it grows past the limit.
    """

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def __missing__(self, raw: str) -> tuple[str, ...]:
        if len(self) > MAX_CACHED_TOKENS:
            self.clear()
        found = self[raw] = _token_terms(raw, False, self.language)
        return found


MAX_CACHED_TOKENS = 1_000_000
_TERMS = {language: _TermCache(language) for language in STEMMERS}


def _terms(raw: str, shouting: bool) -> tuple[str, ...]:
    language = _LANGUAGE.get()
    return _token_terms(raw, True, language) if shouting else _TERMS[language][raw]


def analyze(text: str) -> list[str]:
    """Index terms of `text`, in order: folded, stopwords removed, stemmed; compounds also split."""
    translated = _straight(text)
    tokens = _tokens(translated).findall(translated)
    language = _LANGUAGE.get()
    if text.isupper():
        return [term for raw in tokens for term in _token_terms(raw, True, language)]
    return list(chain.from_iterable(map(_TERMS[language].__getitem__, tokens)))


def token_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the tokens analysis cuts `text` into, stopwords and numbers too: a word goes on through its
    combining marks ("मोदी" is one)."""
    translated = _straight(text)  # same length: spans still index `text`
    return [match.span() for match in _tokens(translated).finditer(translated)]


def token_at(text: str, at: int) -> str | None:
    """The token that begins at `at` of `text` (its apostrophes straight), None if none does: a word character, or
    one joining a word to the next ("." of "U.S"), right before it makes `at` part of the token there."""
    pattern = _tokens(text)
    if at and (pattern.match(text, at - 1) or (text[at - 1] in _JOINERS and at > 1 and pattern.match(text, at - 2))):
        return None
    found = pattern.match(text, at)
    return found.group() if found else None


def sentence_starts(text: str) -> set[int]:
    """Where `text`'s sentences may begin: at its start and after each full stop, question or exclamation mark or
    colon, past the spaces, quotes and brackets opening the next (one inside a word, "U.S", begins no token)."""
    opening = _OPENING.match(text)
    return {opening.end() if opening else 0, *(found.end() for found in _SENTENCE_END.finditer(text))}


def cased_terms(text: str) -> tuple[Mapping[str, int], Mapping[str, int]]:
    """How often `text` writes each term capitalised, and in lower case, where no sentence begins. Counted by
    distinct token, those at a sentence's start taken off: a paragraph's few dozen words, where reading its tokens one
    by one cost names checks a fifth of a question's time."""
    translated = _straight(text)  # same length: `sentence_starts` index it
    counts = Counter(_tokens(translated).findall(translated))
    for at in sentence_starts(translated):
        if (token := token_at(translated, at)) is not None:
            counts[token] -= 1
    shouting = text.isupper()
    capitalised: dict[str, int] = {}
    lower: dict[str, int] = {}
    for raw, times in counts.items():
        if times > 0:
            into = capitalised if raw[0].isupper() else lower
            for term in _terms(raw, shouting):
                into[term] = into.get(term, 0) + times
    return capitalised, lower


def words(text: str) -> list[tuple[int, int, str]]:
    """Spans (start, end, term) of the words in `text` that analysis keeps, for marking matches."""
    shouting = text.isupper()
    translated = _straight(text)  # same length: spans still index `text`
    return [
        (match.start(), match.end(), term)
        for match in _tokens(translated).finditer(translated)
        for term in _terms(match.group(), shouting)
    ]


@lru_cache(maxsize=1)
def _sentence_splitter() -> PunktSentenceTokenizer:
    _load_nltk()
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


# The nltk modules analysis uses. nltk's package __init__ imports all of nltk (260 modules, 0.12-0.14 s of CPU in every
# process that analyses text) for these two, which need a dozen of its modules.
NLTK_MODULES = ("nltk.stem.snowball", "nltk.tokenize.punkt")
_NLTK_PACKAGES = ("nltk", "nltk.corpus", "nltk.stem", "nltk.tokenize")
_nltk_lock = threading.Lock()


class _Later:
    """A name an nltk module takes from a package's __init__ as it loads, which the stand-in package has not: the
    package's own, looked up at its first use (the package then imported whole)."""

    def __init__(self, package: str, name: str) -> None:
        self._package, self._name = package, name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(getattr(importlib.import_module(self._package), self._name), attribute)


def _load_nltk() -> None:
    """Load `NLTK_MODULES` under bare stand-ins of their packages, taken out of `sys.modules` again, so that a later
    `import nltk` (a test, another library) runs the package whole and finds these two loaded. An nltk whose two
    modules need more of their packages than this gives them is imported whole, as before."""
    with _nltk_lock:
        if "nltk" in sys.modules or all(name in sys.modules for name in NLTK_MODULES):
            return  # loaded, whole or so
        spec = importlib.util.find_spec("nltk")
        if spec is None or not spec.submodule_search_locations:
            return  # not installed: the import after says so
        root = Path(next(iter(spec.submodule_search_locations)))
        stand_ins = {package: ModuleType(package) for package in _NLTK_PACKAGES}
        for package, module in stand_ins.items():
            module.__path__ = [str(root.joinpath(*package.split(".")[1:]))]
        # Snowball's stopword lists (for `ignore_stopwords`, which analysis does not use).
        vars(stand_ins["nltk.corpus"])["stopwords"] = _Later("nltk.corpus", "stopwords")
        before = set(sys.modules)
        sys.modules.update(stand_ins)
        try:
            for name in NLTK_MODULES:
                importlib.import_module(name)
        except (ImportError, AttributeError):
            # nltk's alone: another module they loaded stays (two copies of one module would hold two of its classes).
            for name in set(sys.modules) - before:
                if name.partition(".")[0] == "nltk":
                    del sys.modules[name]
        for package in _NLTK_PACKAGES:
            sys.modules.pop(package, None)


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph, not split after "Gen." or "U.S."."""
    return [s.strip() for s in _sentence_splitter().tokenize(text) if s.strip()]
