"""The calendar's words, shared by every reader of dates (articles', questions', passages')."""

from __future__ import annotations

import re
from datetime import date

from bot.calendar_words import MONTH_NAMES, MONTH_WORD, MONTHS, WEEKDAY_NAMES, WEEKDAYS, month_number


def test_every_name_means_its_one_month_and_weekday() -> None:
    assert [month_number(name) for name in MONTH_NAMES] == list(range(1, 13))
    assert month_number("Sept") == month_number("septiembre") == MONTHS["septembre"] == 9
    assert [WEEKDAYS[name] for name in WEEKDAY_NAMES] == list(range(7))
    assert WEEKDAYS["montag"] == date(2026, 11, 30).weekday()  # a Monday


def test_an_english_month_is_a_whole_word() -> None:
    """The loose "nov[a-z]*" of the days questions name read "Mayday", "Junebug" and "decisions" as months."""
    month = re.compile(rf"\b{MONTH_WORD}", re.IGNORECASE)
    found = [match[0] for match in month.finditer("14 Nov, 3 September, Sept 4, May")]
    assert found == ["Nov", "September", "Sept", "May"]
    assert not month.search("Mayday Junebug decisions marathon augury")
