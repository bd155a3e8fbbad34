"""English for messages, shared by every layer that words one (retrieval's declines, the services' refusals, the
replies)."""

from __future__ import annotations

from collections.abc import Sequence


def spoken_list(items: Sequence[str], last: str = "and") -> str:
    """ "sport", "sport and tech", "business, sport and tech" (or with `last` "or"): items as a sentence lists them."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"
