"""The greeting's example questions, for every front end that greets: made from the headlines of random articles,
so each surely finds something. (Here, not in bot.render.welcome, which words them: render never reads the store.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.render.welcome import example_question

if TYPE_CHECKING:
    from bot.store import Store

EXAMPLE_QUESTIONS = 3
# The example of an empty library, where no question finds anything.
NO_EXAMPLE = "Who won the election?"


def example_questions(store: Store) -> list[str]:
    """Questions a newcomer can try, from as many random articles' headlines (fewer in a small library)."""
    return [example_question(article) for article in store.random_articles(EXAMPLE_QUESTIONS)]


def example_of(store: Store) -> str:
    """A question to suggest that the library answers: its newest story's, as the greeting words one. "Who won the
    election?" was suggested whatever it held, and on the shipped article (a Russian general on missile defence) the
    reader who typed it was told "No article uses the words “won” or “election”"."""
    newest = store.latest(1)
    return example_question(newest[0]) if newest else NO_EXAMPLE
