"""Exceptions and the one-line problem report shared by every step.

The library never prints or exits; it raises one of these. The CLI maps them to
exit codes: 1 for problems in the data (sources, shapes, quotes), 3 for problems
with the set-up (missing folders, a broken ontology, unwritable exports).
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in a curated file: path and 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, reported as ``file:line: message``."""

    location: Location | None
    message: str

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


def display_path(path: Path) -> str:
    """Return ``path`` relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` was most likely meant to be, or ``None``.

    A candidate that differs only in case wins; otherwise the closest by difflib.
    """
    pool = tuple(candidates)
    if len(pool) <= _REMEMBERED_POOL:
        return _closest_remembered(name, pool)
    return _closest(name, pool)


# Reading sources asks for every property key whether it is a misspelt required key
# (with the same few candidates each time): difflib's work is done once per key.
_REMEMBERED_POOL = 16


@functools.lru_cache(maxsize=4096)
def _closest_remembered(name: str, pool: tuple[str, ...]) -> str | None:
    return _closest(name, pool)


def _closest(name: str, pool: tuple[str, ...]) -> str | None:
    folded = {c.casefold(): c for c in pool}
    if name.casefold() in folded:
        return folded[name.casefold()]
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return close[0] if close else None


def warning_line(problem: Problem) -> str:
    """A warning as ``file:line: warning: what`` (warnings never change the exit code)."""
    return f"{problem.location}: warning: {problem.message}" if problem.location else f"warning: {problem.message}"


def suggest(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate (see :func:`closest`), or an empty string."""
    best = closest(name, candidates)
    return f" (did you mean '{best}'?)" if best is not None else ""


def a_or_an(name: str) -> str:
    """``name`` with its English indefinite article: ``a Person``, ``an Organization``."""
    return f"an {name}" if name[:1].lower() in "aeiou" and name else f"a {name}"


class KGError(Exception):
    """Root of all errors raised by this package."""

    exit_code = 1


class DataError(KGError):
    """The curated data has problems; carries every problem found, one per line."""

    exit_code = 1

    def __init__(self, problems: list[Problem], summary: str) -> None:
        self.problems = sorted(problems, key=_problem_sort_key)
        self.summary = summary
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[DataError], tuple[list[Problem], str]]:
        # Pickled by a build's worker process (graph/forked.py) and raised again in the parent.
        return (type(self), (self.problems, self.summary))


def _problem_sort_key(problem: Problem) -> tuple[str, int, str]:
    loc = problem.location
    return (str(loc.path) if loc else "", loc.line if loc else 0, problem.message)


class SourceError(DataError):
    """Files in ``sources/`` cannot be read or do not fit the ontology."""


class ShapeError(DataError):
    """The built graph does not conform to the SHACL shapes."""


class QuoteError(DataError):
    """A quote or title is not found verbatim in the text its source names."""


class ConfigError(KGError):
    """The project set-up is broken: a missing folder, a bad ontology, an unknown format."""

    exit_code = 3


class QueryError(KGError):
    """A SPARQL query cannot be run: bad syntax, an unknown name or parameter, a failure.

    Attributes:
        line: 1-based line of the problem in the query text, when known.
        column: 1-based column of the problem, when known.
    """

    exit_code = 1

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class QueryRefused(QueryError):
    """The query asks for something this tool never does: an update, SERVICE, FROM."""


class PushError(KGError):
    """The triple store refused the upload, failed, or did not answer in time."""

    exit_code = 1
