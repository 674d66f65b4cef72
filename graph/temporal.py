"""Dates at the precision the text gives, as day intervals, and what "held on a date" means.

A date in the graph is a year (``2019``), a month (``2019-11``), a day (``2019-11-27``) or a
day with time (``2019-11-27T12:00:00``). Each stands for the interval of days it covers:
``2019`` is 1 January to 31 December 2019. Two dates *overlap* when their intervals share a
day, so ``--as-of 2019`` matches a fact dated ``2019-11-27`` and ``--as-of 2019-11-27``
matches a fact dated ``2019``.

A fact's *period* comes from the dates recorded for it (see :func:`period_of`); a fact with
no date at all is *undated*: the sources do not say when it held, and no date is invented
for it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?)?$")


class DateProblem(ValueError):
    """A text is not a date of one of the accepted forms."""


@dataclass(frozen=True, order=True)
class Span:
    """The days a date stands for, both ends included."""

    first: date
    last: date

    def overlaps(self, other: Span) -> bool:
        return self.first <= other.last and other.first <= self.last


def parse_span(text: str) -> Span:
    """The interval of days of ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm[:ss]``.

    Raises:
        DateProblem: When ``text`` has none of these forms or names no real day.
    """
    match = _PATTERN.match(text.strip())
    if match is None:
        raise DateProblem(f"'{text}' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return Span(date(year, 1, 1), date(year, 12, 31))
        if day is None:
            return Span(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
        return Span(date(year, month, day), date(year, month, day))
    except ValueError as exc:
        raise DateProblem(f"'{text}' is not a real date ({exc})") from None


@dataclass(frozen=True)
class Period:
    """When a fact held, as far as its dates say; ``None`` is an open end."""

    first: date | None
    last: date | None
    dated: bool

    def overlaps(self, span: Span) -> bool:
        """Whether the period shares a day with ``span`` (an undated period never does)."""
        if not self.dated:
            return False
        return (self.first is None or self.first <= span.last) and (self.last is None or span.first <= self.last)


def period_of(starts: Iterable[str], ends: Iterable[str], points: Iterable[str]) -> Period:
    """The period bounded by every start, end and point date recorded for a fact.

    A fact holds from its latest start to its earliest end. A point (``asOf``) is a
    moment the fact is known to hold at, and so bounds it on both sides. A missing
    bound stays open: "seit 2018" has no end, "bis 2020" no start.

    Args:
        starts: Lexical dates that the fact (or the event or programme it belongs to) starts at.
        ends: Lexical dates it ends at.
        points: Lexical dates it is known to hold at.
    """
    firsts = [parse_span(s).first for s in starts]
    lasts = [parse_span(e).last for e in ends]
    for point in points:
        span = parse_span(point)
        firsts.append(span.first)
        lasts.append(span.last)
    return Period(max(firsts) if firsts else None, min(lasts) if lasts else None, bool(firsts or lasts))
