"""Dates, amounts of money, percentages and counts.

Dates keep the precision the text states: "am 27. November 2019" is 2019-11-27,
"im Frühjahr 2013" is 2013 (with its words as ``dateDescription``), "am 27. November"
without a year and weekdays or relative dates ("am Dienstag", "vor einigen Tagen")
are only a ``dateDescription``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from graph.suggest.lexicon import lexicon


@dataclass(frozen=True)
class DateFound:
    """A date expression: its value (None when only worded) and its words."""

    start: int
    end: int
    words: str
    value: str | None
    end_value: str | None  # for "12 bis 16.30 Uhr"
    bound: str  # "start", "end" (bis), or "founding"


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


def _months() -> dict[str, int]:
    return {m: i + 1 for i, m in enumerate(lexicon().words("months"))}


def find_dates(text: str, start: int) -> list[DateFound]:
    """Every date expression in ``text[start:]``, longest first, without overlaps."""
    lex = lexicon()
    months = _months()
    month_re = "|".join(months)
    season_re = lex.alternation("seasons")
    weekday_re = lex.alternation("weekdays")
    found: list[DateFound] = []

    def add(m: re.Match[str], value: str | None, bound: str = "start", end_value: str | None = None) -> None:
        found.append(DateFound(m.start(), m.end(), m.group(), value, end_value, bound))

    time = r"(\d{1,2})(?:[.:](\d{2}))?"
    full = rf"(?:am |vom |ab |bis |zum )?(\d{{1,2}})\.\s?({month_re}) (\d{{4}})"
    for m in re.finditer(rf"{full}(?:,? {time} (?:bis|-|–) {time} Uhr)?", text[start:]):
        day = f"{int(m.group(3)):04d}-{months[m.group(2)]:02d}-{int(m.group(1)):02d}"
        if m.group(4):
            begin = f"{day}T{int(m.group(4)):02d}:{m.group(5) or '00'}"
            finish = f"{day}T{int(m.group(6)):02d}:{m.group(7) or '00'}"
            _shifted(add, m, start, begin, "start", finish)
        else:
            _shifted(add, m, start, day, "end" if m.group().startswith("bis") else "start")
    for m in re.finditer(r"(?:am |vom |bis )?(\d{1,2})\.(\d{1,2})\.(\d{4})", text[start:]):
        _shifted(add, m, start, f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}")
    for m in re.finditer(rf"(?:[Ii]m |[Ss]eit |[Aa]b |[Bb]is )?({month_re}) (\d{{4}})", text[start:]):
        _shifted(add, m, start, f"{m.group(2)}-{months[m.group(1)]:02d}", _bound(m.group()))
    for m in re.finditer(rf"(?:[Ii]m |[Ss]eit |[Aa]b |[Bb]is )?(?:{season_re}) (\d{{4}})", text[start:]):
        _shifted(add, m, start, m.group(1), _bound(m.group()))
    for m in re.finditer(
        r"(?<![\w.,-])(?:(?:[Ii]m Jahr|[Ss]eit|[Aa]b|[Bb]is|[Ii]n|[Vv]on) )?((?:19|20)\d{2})(?![\w.,-]|\.\d|er\b)",
        text[start:],
    ):
        _shifted(add, m, start, m.group(1), _bound(m.group()))
    for m in re.finditer(rf"(?<![\w-])(?:am )?(\d{{1,2}})\.\s?({month_re})(?! \d{{4}})(?![\w-])", text[start:]):
        _shifted(add, m, start, None)
    for m in re.finditer(
        rf"(?<![\w-])(?:[Aa]m |[Ii]m |[Bb]is |[Ss]eit |[Aa]b )({month_re})(?! \d)(?![\w-])", text[start:]
    ):
        _shifted(add, m, start, None)
    for m in re.finditer(
        rf"(?<![\w-])(?:[Aa]m |[Ss]eit |[Bb]is )?(?:vergangenen |kommenden |nächsten |letzten )?(?:{weekday_re})(?:abend|morgen|nachmittag|vormittag)?(?![\w-])",
        text[start:],
    ):
        if m.group().split()[0] in ("am", "Am", "seit", "Seit", "bis", "Bis") or len(m.group().split()) > 1:
            _shifted(add, m, start, None)
    for pattern in lex.words("relative_dates"):
        pattern = pattern.replace("MONTH", month_re)
        regex = rf"(?<![\w-]){pattern}(?![\w-])"
        for m in re.finditer(regex, text[start:], re.IGNORECASE):
            _shifted(add, m, start, None)
    return _longest(found)


def _bound(words: str) -> str:
    return "end" if words.casefold().startswith("bis") else "start"


def _shifted(
    add: object, m: re.Match[str], offset: int, value: str | None, bound: str = "start", end_value: str | None = None
) -> None:
    shifted = _Shift(m, offset)
    add(shifted, value, bound, end_value)  # type: ignore[operator]


class _Shift:
    """A match whose offsets are moved by ``offset`` (patterns run on a slice)."""

    def __init__(self, match: re.Match[str], offset: int) -> None:
        self.match = match
        self.offset = offset

    def start(self) -> int:
        return self.match.start() + self.offset

    def end(self) -> int:
        return self.match.end() + self.offset

    def group(self) -> str:
        return self.match.group()


def _longest(found: list[DateFound]) -> list[DateFound]:
    chosen: list[DateFound] = []
    for item in sorted(found, key=lambda d: (-(d.end - d.start), d.start)):
        if all(item.end <= c.start or item.start >= c.end for c in chosen):
            chosen.append(item)
    return sorted(chosen, key=lambda d: d.start)


_DIGITS = r"\d{1,3}(?:[  .]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"


def find_numbers(text: str, start: int) -> list[NumberFound]:
    """Money ("25 Millionen Euro", "50 und 70 Millionen"), percentages, counts."""
    lex = lexicon()
    words = lex.data["number_words"]
    multipliers = lex.data["multipliers"]
    currencies = lex.data["currencies"]
    approx = "|".join(
        f"[{a[0].upper()}{a[0]}]{re.escape(a[1:])}" for a in sorted(lex.words("approximations"), key=len, reverse=True)
    )
    number = rf"(?:{_DIGITS}|{'|'.join(words)})"
    mult = "|".join(re.escape(m) for m in sorted(multipliers, key=len, reverse=True))
    curr = "|".join(re.escape(c) for c in currencies)
    pattern = re.compile(
        rf"(?<![\w.,+-])(?:({approx}) )?({number})(?:( und | bis |, )({number}))?(?: ({mult}))?(?:(?: ({curr}))|( (?:Prozent|%))| ((?:[a-zäöüß]+ ){{0,2}}[A-ZÄÖÜ][\wäöüß-]*))?",
    )
    found: list[NumberFound] = []
    body = text[start:]
    for m in pattern.finditer(body):
        raw = [m.group(2)] + ([m.group(4)] if m.group(4) else [])
        factor = Decimal(multipliers[m.group(5)]) if m.group(5) else Decimal(1)
        values = [_value(r, words) * factor for r in raw]
        if m.group(6):
            kind, currency, noun = "money", currencies[m.group(6)], None
        elif m.group(7):
            kind, currency, noun = "percent", None, None
        elif m.group(5) and _money_context(body, m.end()):
            kind, currency, noun = (
                "money",
                "EUR" if re.search(r"Euro|€", body[max(0, m.start() - 200) : m.start()]) else None,
                None,
            )
        elif m.group(8):
            noun = m.group(8).strip()
            head = noun.split()[-1]
            if head in lex.words("not_counted") or head in lex.not_names or head in lex.words("months"):
                continue
            if re.fullmatch(r"(?:19|20)\d{2}", m.group(2)) or m.group(2) in ("eine", "ein"):
                continue
            kind, currency = "count", None
        else:
            continue
        if kind == "money" and currency is None:
            continue
        for value in values:
            found.append(NumberFound(start + m.start(), start + m.end(), value, kind, currency, m.group(1), noun))
    return found


def _money_context(body: str, end: int) -> bool:
    return not re.match(r"\s*[A-ZÄÖÜ]", body[end : end + 3]) or True


def _value(raw: str, words: dict[str, int]) -> Decimal:
    if raw in words:
        return Decimal(words[raw])
    return Decimal(re.sub(r"[  .]", "", raw).replace(",", "."))
