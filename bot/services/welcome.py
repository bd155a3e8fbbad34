"""The greeting's example questions, for every front end that greets: made from the headlines of random articles,
so each surely finds something. (Here, not in bot.render.welcome, which words them: render never reads the store.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.render.welcome import example_question

if TYPE_CHECKING:
    from bot.store import Store

EXAMPLE_QUESTIONS = 3


def example_questions(store: Store) -> list[str]:
    """Questions a newcomer can try, from as many random articles' headlines (fewer in a small library)."""
    return [example_question(article) for article in store.random_articles(EXAMPLE_QUESTIONS)]
