"""Whether a library's articles are in English, told once from a sample of their text.

The retrieval reads a question in another language by its names alone (bot.retrieval.in_another_language): over an
English library the reader is told so beside the answer, "¿Quién es Liv Aronsen?" answered as if it had been
understood; over a library in another language that would be untrue. Nothing records an article's language, so its
commonest English words are counted in the newest articles' headlines and first paragraphs, once a process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.store import Store

# Articles sampled, newest first: enough text for the share to settle, read in a few milliseconds.
SAMPLE_ARTICLES = 40
# Paragraphs of each sampled article read after its headline.
SAMPLE_PARAGRAPHS = 3
# English's commonest words, which no other language writes as often: a fifth of an English article's words, a few in
# a hundred of a Spanish or German one's (names, quotes, loanwords).
ENGLISH_MARKERS = frozenset(
    {"the", "and", "of", "to", "is", "was", "that", "with", "for", "on", "by", "from", "has", "have", "are", "were",
     "it", "its", "this", "which", "their", "he", "she", "said", "will", "would", "after", "but"}
)  # fmt: skip
# The share of words among ENGLISH_MARKERS above which text is English.
ENGLISH_SHARE = 0.08
_WORD = re.compile(r"[^\W\d_]+")


def english_share(texts: Iterable[str]) -> float:
    """The share of the words of `texts` that are ENGLISH_MARKERS (0 for no words)."""
    words = [word for text in texts for word in _WORD.findall(text.casefold())]
    return sum(word in ENGLISH_MARKERS for word in words) / len(words) if words else 0.0


@lru_cache(maxsize=8)
def library_in_english(store: Store) -> bool:
    """Whether the articles in `store` are in English, from its newest SAMPLE_ARTICLES (an empty library is: the
    shipped articles are); read once a process and store."""
    articles = store.latest(SAMPLE_ARTICLES)
    if not articles:
        return True
    texts = [(article.title, *store.paragraphs(article.id)[:SAMPLE_PARAGRAPHS]) for article in articles]
    return english_share(text for article in texts for text in article) >= ENGLISH_SHARE
