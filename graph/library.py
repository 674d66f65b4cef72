"""The library of named competency questions: ``graph/queries/*.rq``.

Each file is a SPARQL query whose header comment says which question it answers::

    # de: An welchen Ereignissen hat eine Person teilgenommen …?
    # en: Which events did a person take part in …?
    # param entity: an entity id, e.g. serap-gueler (optional; without it: every entity)
    # example: kg query participation --param entity=serap-gueler

``param`` lines name the variables that ``--param`` may bind (each must be a
selected variable, used in a required pattern, so that binding it filters the
rows rather than filling in an optional column). The file name (without ``.rq``) is the
query's name. Adding a file adds a query; no code changes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from graph.errors import ConfigError

_LIST = re.compile(r'GROUP_CONCAT\([^;]*;\s*separator\s*=\s*"([^"]*)"\s*\)\)?\s*AS\s*\?(\w+)\)', re.IGNORECASE)
_HEADER = re.compile(r"^#\s*(de|en|param [A-Za-z_]\w*|example):\s*(.+?)\s*$")


@dataclass(frozen=True)
class Parameter:
    """A variable a named query lets ``--param`` bind."""

    name: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A competency question from the library."""

    name: str
    text: str
    question_de: str
    question_en: str
    parameters: tuple[Parameter, ...]
    example: str

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def lists(self) -> dict[str, str]:
        """Columns made by ``GROUP_CONCAT``: column -> separator.

        SPARQL leaves the order of a ``GROUP_CONCAT``'s parts undefined, and no SPARQL 1.1
        function sorts them, so engines may join the same parts in another order: such a
        column is a set of parts, and answers are compared part by part.
        """
        return {column: separator for separator, column in _LIST.findall(self.text)}


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the header of a library query.

    Raises:
        ConfigError: When the header lacks the German or English question or the example.
    """
    fields: dict[str, str] = {}
    parameters: list[Parameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match is None:
            continue
        key, value = match.groups()
        if key.startswith("param "):
            parameters.append(Parameter(key.split()[1], value))
        else:
            fields[key] = value
    missing = [key for key in ("de", "en", "example") if key not in fields]
    if missing:
        raise ConfigError(f"query '{name}': the header lacks '# {missing[0]}: …'")
    return NamedQuery(name, text, fields["de"], fields["en"], tuple(parameters), fields["example"])


@functools.cache
def library() -> dict[str, NamedQuery]:
    """Every named query shipped with the package, by name (sorted)."""
    folder = resources.files("graph") / "queries"
    queries = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[: -len(".rq")]
            queries[name] = parse_named_query(name, entry.read_text(encoding="utf-8"))
    return queries
