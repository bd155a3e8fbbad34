"""Which language a library's articles are in, told from a sample of their text, read again when the library changes.

The retrieval reads a question in another language than the articles' by its names alone
(bot.retrieval.in_another_language), and a question in theirs with all its words: "¿Quién ganó el campeonato?" over
Spanish articles is searched for "campeonato", over English ones for no word. Nothing records an article's
language, so each language's commonest small words are counted in the newest articles' headlines and first
paragraphs: a few milliseconds, once for each state of the store's change log. Here, beside the store, because the
retrieval reads it (services are above the retrieval) as the Telegram layer does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.store import Store

# Articles sampled, newest first: enough text for the shares to settle, read in a few milliseconds.
SAMPLE_ARTICLES = 40
# Paragraphs of each sampled article read after its headline.
SAMPLE_PARAGRAPHS = 3
# Each language's commonest small words, written as `_WORD` finds them (accents kept): a fifth or more of an article's
# words in its own language, a few in a hundred in another's (names, quotes, loanwords, the words two languages
# share: "de", "la", "que").
MARKERS = {
    "en": {"the", "and", "of", "to", "is", "was", "that", "with", "for", "on", "by", "from", "has", "have", "are",
           "were", "it", "its", "this", "which", "their", "he", "she", "said", "will", "would", "after", "but"},
    "es": {"el", "la", "los", "las", "de", "del", "que", "y", "en", "un", "una", "por", "con", "para", "se", "su",
           "al", "es", "fue", "como", "más", "pero", "sus", "lo"},
    "de": {"der", "die", "das", "und", "ist", "nicht", "ein", "eine", "mit", "den", "dem", "von", "zu", "sich", "auf",
           "für", "im", "wurde", "des", "sie", "er", "auch", "bei", "nach"},
    "fr": {"le", "la", "les", "de", "des", "du", "et", "est", "un", "une", "que", "qui", "dans", "pour", "pas", "sur",
           "au", "il", "elle", "a", "été", "ont", "aux", "par"},
    "it": {"il", "lo", "la", "gli", "le", "di", "che", "e", "è", "un", "una", "per", "non", "con", "del", "della",
           "sono", "nel", "alla", "ha", "da", "si", "dei", "anche"},
    "pt": {"o", "a", "os", "as", "de", "do", "da", "que", "e", "em", "um", "uma", "para", "com", "não", "no", "na",
           "por", "dos", "das", "foi", "se", "ao", "mais"},
    "nl": {"de", "het", "een", "en", "van", "is", "niet", "dat", "met", "op", "voor", "zijn", "te", "die", "werd",
           "in", "aan", "ook", "bij", "er", "naar", "om", "wordt", "heeft"},
}  # fmt: skip
# Each language's name as a reader is told it ("The articles are in Spanish").
NAMES = {
    "en": "English",
    "es": "Spanish",
    "de": "German",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}
# The share of words among a language's MARKERS above which text is in it: under it for every language, the text is
# in none newsbot knows ("").
LANGUAGE_SHARE = 0.08
_WORD = re.compile(r"[^\W\d_]+")


def language_of(texts: Iterable[str]) -> str:
    """The language of `texts` (a key of MARKERS): the one whose markers are the largest share of their words, at
    least LANGUAGE_SHARE; "" for none (other letters, a language newsbot knows no words of, no words)."""
    words = [word for text in texts for word in _WORD.findall(text.casefold())]
    if not words:
        return ""
    shares = {language: sum(word in markers for word in words) / len(words) for language, markers in MARKERS.items()}
    language = max(shares, key=shares.__getitem__)
    return language if shares[language] >= LANGUAGE_SHARE else ""


def library_language(store: Store) -> str:
    """The language of the articles in `store` (`language_of` their newest SAMPLE_ARTICLES; an empty library's is
    English, the shipped articles'), read again only after the store's change log moved: a bot started before its
    first ingest stayed English for the process."""
    return _language_at(store, store.head())


@lru_cache(maxsize=8)
def _language_at(store: Store, head: int) -> str:
    articles = store.latest(SAMPLE_ARTICLES)
    if not articles:
        return "en"
    # Their paragraphs in one read: one read an article, 41 round trips to PostgreSQL, were made again at every
    # question while an ingest moved the log on, and answers beside it took 4 to 6 s.
    texts = [
        (article.title, *paragraphs[:SAMPLE_PARAGRAPHS])
        for article, paragraphs in store.with_paragraphs([article.id for article in articles])
    ]
    return language_of(text for article in texts for text in article)
