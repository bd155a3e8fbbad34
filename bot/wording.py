"""English for messages, shared by every layer that words one (retrieval's declines, the services' refusals, the
replies)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# Said after a decline within a category or dates (`Answer.limited`; `newsbot ask` names instead what answers
# without them).
LIMITED_SEARCH = " (The search was limited by category or date.)"


def spoken_list(items: Sequence[str], last: str = "and") -> str:
    """ "sport", "sport and tech", "business, sport and tech" (or with `last` "or"): items as a sentence lists them."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def capital(phrase: str) -> str:
    """`phrase` with a capital first letter, the rest as written ("the group follows" as "The group follows")."""
    return phrase[:1].upper() + phrase[1:]


def alphabetical(names: Iterable[str]) -> tuple[str, ...]:
    """`names` in the order a reader looks for them: ignoring case, so "arts" comes before "Sport", not after it as
    byte order (or the store's order by count) has it."""
    return tuple(sorted(names, key=lambda name: (name.casefold(), name)))
