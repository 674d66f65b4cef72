"""Dates, amounts of money, percentages and counts.

Dates keep the precision the text states: "am 27. November 2019" is 2019-11-27,
"im Frühjahr 2013" is 2013 (with its words as ``dateDescription``), "27. November
2019, 12 bis 16.30 Uhr" a start and an end time; "am 27. November" without a year,
weekdays and relative dates ("am Dienstag", "vor einigen Tagen") are only words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from graph.suggest.lexicon import lexicon

DASH = "\u2013"


@dataclass(frozen=True)
class DateFound:
    """A date expression: its value (None when only worded) and its words."""

    start: int
    end: int
    words: str
    value: str | None
    end_value: str | None  # the end of "12 bis 16.30 Uhr"
    bound: str  # "start", or "end" for "bis 2020"


@dataclass(frozen=True)
class NumberFound:
    """A number with what it counts: money (currency), percent, or a count (noun)."""

    start: int
    end: int
    value: Decimal
    kind: str  # "money", "percent", "count"
    currency: str | None
    approximation: str | None
    noun: str | None


def _either_case(words: list[str]) -> str:
    """An alternation that takes each word with a capital or small first letter."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(f"[{w[0].upper()}{w[0].lower()}]{re.escape(w[1:])}" for w in ordered)


def _bound(words: str) -> str:
    return "end" if words.casefold().startswith("bis") else "start"


DateRule = Callable[[re.Match[str]], tuple[str | None, str | None, str]]


def _date_rules() -> Iterator[tuple[str, DateRule]]:
    """(pattern, how to read a match) for every kind of date expression."""
    lex = lexicon()
    months = {m: i + 1 for i, m in enumerate(lex.words("months"))}
    month = "|".join(months)
    time = r"(\d{1,2})(?:[.:](\d{2}))?"
    prefix = "(?:[Aa]m |[Vv]om |[Aa]b |[Bb]is |[Zz]um )?"

    def day(m: re.Match[str]) -> str:
        return f"{int(m.group(3)):04d}-{months[m.group(2)]:02d}-{int(m.group(1)):02d}"

    def full(m: re.Match[str]) -> tuple[str | None, str | None, str]:
        if m.group(4):
            begin = f"{day(m)}T{int(m.group(4)):02d}:{m.group(5) or '00'}"
            finish = f"{day(m)}T{int(m.group(6)):02d}:{m.group(7) or '00'}" if m.group(6) else None
            return begin, finish, "start"
        return day(m), None, _bound(m.group())

    span = rf"(?:,? (?:um |von )?{time}(?: (?:bis|-|{DASH}) {time})? Uhr)?"
    yield rf"{prefix}(\d{{1,2}})\.\s?({month}) (\d{{4}}){span}", full
    yield (
        rf"{prefix}(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}})",
        lambda m: (f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}", None, _bound(m.group())),
    )
    lead = "(?:[Ii]m |[Ss]eit |[Aa]b |[Bb]is |[Vv]on )?"
    yield rf"{lead}({month}) (\d{{4}})", lambda m: (f"{m.group(2)}-{months[m.group(1)]:02d}", None, _bound(m.group()))
    yield rf"{lead}(?:{lex.alternation('seasons')}) (\d{{4}})", lambda m: (m.group(1), None, _bound(m.group()))
    year = r"(?<![\w.,-])(?:(?:[Ii]m Jahr|[Ss]eit|[Aa]b|[Bb]is|[Ii]n|[Vv]on) )?((?:19|20)\d{2})(?![\w.,-]|\.\d|er\b)"
    yield year, lambda m: (m.group(1), None, _bound(m.group()))

    def words_only(m: re.Match[str]) -> tuple[str | None, str | None, str]:
        return None, None, "start"

    yield rf"(?<![\w-])(?:am )?\d{{1,2}}\.\s?(?:{month})(?! \d{{4}})(?![\w-])", words_only
    yield rf"(?<![\w-])(?:[Aa]m |[Ii]m |[Bb]is |[Ss]eit |[Aa]b )(?:{month})(?! \d)(?![\w-])", words_only
    weekday = lex.alternation("weekdays")
    relative = "(?:vergangenen |kommenden |nächsten |letzten )"
    yield (
        rf"(?<![\w-])(?:(?:[Aa]m |[Ss]eit |[Bb]is ){relative}?|{relative})(?:{weekday})"
        r"(?:abend|morgen|nachmittag|vormittag)?(?![\w-])",
        words_only,
    )
    for pattern in lex.words("relative_dates"):
        yield rf"(?i:(?<![\w-]){pattern.replace('MONTH', month)}(?![\w-]))", words_only


def find_dates(text: str, start: int) -> list[DateFound]:
    """Every date expression in ``text[start:]``, the longest of overlapping ones, in order."""
    found: list[DateFound] = []
    for pattern, read in _date_rules():
        for match in re.compile(pattern).finditer(text, start):
            value, end_value, bound = read(match)
            found.append(DateFound(match.start(), match.end(), match.group(), value, end_value, bound))
    chosen: list[DateFound] = []
    for item in sorted(found, key=lambda d: (-(d.end - d.start), d.start)):
        if all(item.end <= c.start or item.start >= c.end for c in chosen):
            chosen.append(item)
    return sorted(chosen, key=lambda d: d.start)


_DIGITS = r"\d{1,3}(?:[ \u00a0.]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"


def _number_pattern() -> re.Pattern[str]:
    lex = lexicon()
    number = rf"(?:{_DIGITS}|{'|'.join(lex.data['number_words'])})"
    multiplier = "|".join(re.escape(m) for m in sorted(lex.data["multipliers"], key=len, reverse=True))
    currency = "|".join(re.escape(c) for c in lex.data["currencies"])
    percent = "|".join(re.escape(p) for p in lex.words("percent_words"))
    noun = r"(?:[a-zäöüß]+ ){0,2}[A-ZÄÖÜ][\wäöüß-]*"
    return re.compile(
        rf"(?<![\w.,+-])(?:(?P<approx>{_either_case(lex.words('approximations'))}) )?"
        rf"(?P<first>{number})(?:(?: und | bis |, )(?P<second>{number}))?(?: (?P<multiplier>{multiplier}))?"
        rf"(?: (?P<currency>{currency})| ?(?P<percent>{percent})| (?P<noun>{noun}))?"
    )


def find_numbers(text: str, start: int) -> list[NumberFound]:
    """Money ("25 Millionen Euro", "50 und 70 Millionen" after a sum in Euro), percentages, counts."""
    lex = lexicon()
    words = lex.data["number_words"]
    not_counted = set(lex.words("not_counted")) | lex.not_names | set(lex.words("months"))
    units = {noun for nouns in lex.data["units"].values() for noun in nouns}
    found: list[NumberFound] = []
    for m in _number_pattern().finditer(text, start):
        factor = Decimal(lex.data["multipliers"][m["multiplier"]]) if m["multiplier"] else Decimal(1)
        values = [_value(raw, words) * factor for raw in (m["first"], m["second"]) if raw]
        currency: str | None = None
        noun: str | None = None
        if m["currency"]:
            kind, currency = "money", lex.data["currencies"][m["currency"]]
        elif m["percent"]:
            kind = "percent"
        elif m["multiplier"]:  # "50 und 70 Millionen": money when the sentence spoke of Euro before
            kind = "money"
            before = text[max(start, m.start() - 200) : m.start()]
            currency = next((code for word, code in lex.data["currencies"].items() if word in before), None)
            if currency is None:
                continue
        elif m["noun"]:
            noun = m["noun"].strip()
            if noun.split()[-1] in not_counted or re.fullmatch(r"(?:19|20)\d{2}", m["first"]):
                continue
            if m["first"] in words and noun.split()[-1] not in units:  # "drei Kontaktboxen": not a figure
                continue
            kind = "count"
        else:
            continue
        for value in values:
            found.append(NumberFound(m.start(), m.end(), value, kind, currency, m["approx"], noun))
    return found


def _value(raw: str, words: dict[str, int]) -> Decimal:
    if raw in words:
        return Decimal(words[raw])
    return Decimal(re.sub(r"[ \u00a0.]", "", raw).replace(",", "."))
