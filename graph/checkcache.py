"""What the check found for a query text, kept with the query store.

:func:`graph.sparql.check_query` decides whether a query may run, with rdflib's SPARQL
parser, which takes about 0.1 s to import. ``kg query`` runs the same named questions
again and again, so the checker's result (a :class:`~graph.sparql.QueryInfo`) is kept
beside the store's answers (:meth:`graph.store.QueryStore.remember`), and a text checked
once before needs no parser.

**The check stays the one decider.** Only what :func:`~graph.sparql.check_query`
returned is kept, never a refusal; it is found again only for exactly the same text
(before normalising line ends), exactly the same default prefixes and the same checker:
the key holds the whole text and prefix names, not only their hash, and is compared in
full when read (see :meth:`~graph.store.QueryStore.cached`), and it includes the tool's
code (:func:`graph.buildcache.tool_key`) and the files of rdflib and pyparsing that say
their versions. A kept result that does not read back as one the checker could have
returned (its text is not the normalised text, an unknown form …) is ignored and the
text checked again. The cache folder is the user's own; whoever can write to it can
also change the stored answers.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TypeGuard

from graph.sparql import FORMS, QueryInfo, check_query, normalise
from graph.store import QueryStore, tool_key

#: Bump when the layout of a kept result changes.
FORMAT = 1
#: Where the checks are kept beside the store (see :data:`graph.store.KINDS`).
KIND = "checks"
#: The packages whose code decides the check besides ours.
PARSERS = ("rdflib", "pyparsing")


def check_kept(store: QueryStore, text: str, default_prefixes: Iterable[str]) -> QueryInfo:
    """:func:`graph.sparql.check_query`, its result kept with ``store`` for the next time.

    Raises:
        QueryRefused: See :func:`graph.sparql.check_query` (refusals are never kept).
        QueryError: See :func:`graph.sparql.check_query`.
    """
    names = sorted(set(default_prefixes))
    key = check_key(text, names)
    hit = store.cached(key, kind=KIND)
    if hit is not None:
        found = _read(hit[0], text)
        if found is not None:
            return found
    info = check_query(text, names)
    store.remember(key, _write(info), kind=KIND)
    return info


def check_key(text: str, default_prefixes: Iterable[str]) -> str:
    """The name of the check of ``text`` with ``default_prefixes``, by this checker."""
    return json.dumps(["check", FORMAT, _checker_key(), text, sorted(set(default_prefixes))])


@functools.cache
def _checker_key() -> str:
    hasher = hashlib.sha256(tool_key().encode())
    for name in PARSERS:
        spec = importlib.util.find_spec(name)  # finds the package without importing it
        origin = spec.origin if spec is not None else None
        hasher.update(f"\0{name}\0".encode())
        if origin is not None:
            hasher.update(Path(origin).read_bytes())  # its __init__.py, which holds its version
    return hasher.hexdigest()


def _write(info: QueryInfo) -> bytes:
    projected = None if info.projected is None else sorted(info.projected)
    fields = {"text": info.text, "form": info.form, "variables": sorted(info.variables), "projected": projected}
    return json.dumps(fields).encode("utf-8")


def _read(body: bytes, text: str) -> QueryInfo | None:
    try:
        fields = json.loads(body)
    except ValueError:
        return None
    if not isinstance(fields, dict) or fields.get("text") != normalise(text):
        return None
    if fields.get("form") not in FORMS.values():
        return None
    variables, projected = fields.get("variables"), fields.get("projected")
    if not _names(variables):
        return None
    if projected is None:
        return QueryInfo(fields["text"], fields["form"], frozenset(variables), None)
    if not _names(projected):
        return None
    return QueryInfo(fields["text"], fields["form"], frozenset(variables), frozenset(projected))


def _names(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
