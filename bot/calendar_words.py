"""The calendar's words: month and weekday names, for every reader of a date written in words (an article's date in
bot.ingest.dates, the day a question names in bot.render.welcome, the dates of questions and passages in
bot.retrieval). One table, so a name one of them reads is a name all of them know."""

from __future__ import annotations

from collections.abc import Iterable

# Each month's names: English (whole first, then as abbreviated), then German, French and Spanish with the
# abbreviations newsrooms and CMSs print ("Dez.", "janv.", "dic."). Each name means one month in every language
# that has it ("mar" is March in English and Spanish). Accents are optional, as plain-ASCII exports drop them
# ("fevrier", "Maerz").
_MONTH_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("january", "jan"), ("januar", "jänner", "jaenner", "janvier", "janv", "enero", "ene")),
    (("february", "feb"), ("februar", "février", "fevrier", "févr", "fevr", "fév", "febrero")),
    (("march", "mar"), ("märz", "maerz", "mär", "mrz", "mars", "marzo")),
    (("april", "apr"), ("avril", "avr", "abril", "abr")),
    (("may",), ("mai", "mayo")),
    (("june", "jun"), ("juni", "juin", "junio")),
    (("july", "jul"), ("juli", "juillet", "juil", "julio")),
    (("august", "aug"), ("août", "aout", "agosto", "ago")),
    (("september", "sep", "sept"), ("septembre", "septiembre", "setiembre")),
    (("october", "oct"), ("oktober", "okt", "octobre", "octubre")),
    (("november", "nov"), ("novembre", "noviembre")),
    (("december", "dec"), ("dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic")),
)
# Each weekday's names, Monday first (as `datetime.weekday` counts): English, then the same languages, whole and as
# abbreviated.
_WEEKDAY_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("monday", "mon"), ("montag", "mo", "lundi", "lun", "lunes")),
    (("tuesday", "tue", "tues"), ("dienstag", "di", "mardi", "mar", "martes")),
    (("wednesday", "wed"), ("mittwoch", "mi", "mercredi", "mer", "miércoles", "miercoles", "mié")),
    (("thursday", "thu", "thur", "thurs"), ("donnerstag", "do", "jeudi", "jeu", "jueves", "jue")),
    (("friday", "fri"), ("freitag", "fr", "vendredi", "ven", "viernes", "vie")),
    (("saturday", "sat"), ("samstag", "sonnabend", "sa", "samedi", "sam", "sábado", "sabado", "sáb")),
    (("sunday", "sun"), ("sonntag", "so", "dimanche", "dim", "domingo", "dom")),
)

# Every name of a month, in every language, with its number (January is 1).
MONTHS = {name: number for number, (english, other) in enumerate(_MONTH_WORDS, start=1) for name in (*english, *other)}
# Every name of a weekday, in every language, with its number (Monday is 0).
WEEKDAYS = {name: number for number, (english, other) in enumerate(_WEEKDAY_WORDS) for name in (*english, *other)}
# The English names, whole: "january" to "december", "monday" to "sunday".
MONTH_NAMES = tuple(english[0] for english, _ in _MONTH_WORDS)
WEEKDAY_NAMES = tuple(english[0] for english, _ in _WEEKDAY_WORDS)


def _any_of(names: Iterable[str]) -> str:
    """A pattern for any of `names` as a whole word (longest first, so "june" is not read as "jun")."""
    return rf"(?:{'|'.join(sorted(names, key=len, reverse=True))})\b"


# An English month's name, whole or abbreviated, as a whole word (matched ignoring case): "November", "Nov", "Sept";
# not "Mayday", "Junebug" or "marathon".
MONTH_WORD = _any_of(name for english, _ in _MONTH_WORDS for name in english)
# An English weekday's name, whole, as a whole word.
WEEKDAY_WORD = _any_of(WEEKDAY_NAMES)


def month_number(name: str) -> int:
    """The month (1 to 12) one of its names means, in any letter case; KeyError for a word that names none."""
    return MONTHS[name.casefold()]
