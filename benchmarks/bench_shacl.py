"""Benchmark the build's SHACL step (curation warnings, shapes, provenance) against an older revision.

Usage:
    python benchmarks/bench_shacl.py /tmp/kg100k
    python benchmarks/bench_shacl.py /tmp/kg100k --old cc138c3 --rounds 3 --broken

(cc138c3: the last revision before the compiled shapes, for a comparison after they are merged.)

The project is loaded, its quotes checked and its graph built once (as ``kg build`` does
before its ``shacl`` step); then, in the same process and on the same graph, the old
revision's ``graph/shacl.py``, ``validate.py`` and ``curation/conflicts.py`` (read with
``git show``) and the current ones run the step as ``pipeline`` does: ``curation_warnings``,
then ``validate_graph`` with the disputed pairs, the cyclic garbage collector off as in
``pipeline.Timings.step``. Prints the best of ``--rounds`` per part for each side and their
ratio. Both sides must give the same warnings, conflicts, violations and SHACL results, in
the same order, or the benchmark stops; with ``--broken``, also on broken copies of the
graph (quotes deleted, datatypes wrong, labels missing, random damage, provenance read
from the triples) and on a dataset whose sources disagree, each run once per side.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import random
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import arguments, old_module, timed  # noqa: E402
from rdflib import BNode, Literal, URIRef  # noqa: E402
from rdflib.namespace import RDFS, XSD  # noqa: E402

from graph import pipeline, shacl, validate  # noqa: E402
from graph.build import BuiltGraph, add_triples, build_graph, new_graph  # noqa: E402
from graph.curation import conflicts  # noqa: E402
from graph.namespace import NIK  # noqa: E402

SHAPES = ROOT / "ontology" / "shapes.ttl"
PARTS = ("curation_warnings", "validate_graph", "check_provenance", "shacl.validate")
#: How the old revision's modules import each other, and what the copies import instead.
IMPORTS = {
    "from graph import shacl\n": "import old_shacl as shacl\n",
    "from graph.shacl import": "from old_shacl import",
}


def old_modules(revision: str, folder: Path) -> dict[str, ModuleType]:
    """The old revision's modules, imported as ``old_shacl``, ``old_validate``, ``old_conflicts``."""
    paths = {"shacl": "graph/shacl.py", "validate": "graph/validate.py", "conflicts": "graph/curation/conflicts.py"}
    return {name: old_module(revision, path, folder, f"old_{name}", IMPORTS) for name, path in paths.items()}


def run_step(modules: dict[str, Any], dataset: Any, built: BuiltGraph) -> tuple[dict[str, float], tuple[Any, ...]]:
    """The build's shacl step with one side's modules: seconds per part and everything it found."""
    shapes_file = dataset.project.shapes_file
    shapes = validate.load_shapes(shapes_file)  # one graph for both sides: the same blank nodes in results
    hierarchy = list(dataset.ontology.graph.subject_objects(RDFS.subClassOf))
    seconds = {}
    (notices, found), seconds["curation_warnings"] = timed(
        lambda: modules["conflicts"].curation_warnings(dataset, shapes)
    )
    disputed = frozenset((c.subject, c.rule.property) for c in found if c.between_sources)
    report, seconds["validate_graph"] = timed(
        lambda: modules["validate"].validate_graph(built, dataset.ontology, shapes_file, conflicts=disputed)
    )
    provenance, seconds["check_provenance"] = timed(
        lambda: modules["validate"].check_provenance(built, dataset.ontology)
    )
    results, seconds["shacl.validate"] = timed(lambda: modules["shacl"].validate(built.graph, shapes, hierarchy))
    conflict_keys = [(c.subject, tuple(vars(c.rule).values()), c.facts, c.between_sources) for c in found]
    result_keys = [tuple(vars(r).values()) for r in results]  # the two Result classes differ
    return seconds, (notices, conflict_keys, report.violations, report.warnings, provenance, result_keys)


def copy_of(prepared: Any, keep: Callable[[Any], list[Any]]) -> BuiltGraph:
    """The built graph with each triple replaced by what ``keep(triple)`` returns (prefixes as built)."""
    dataset = prepared.dataset
    segments = {c.segment for c in dataset.ontology.classes.values() if c.segment}
    graph = new_graph(dataset.project.base, segments)
    add_triples(graph, [new for triple in prepared.built.graph for new in keep(triple)])
    copy: BuiltGraph = dataclasses.replace(prepared.built, graph=graph)
    return copy


def broken_copies(prepared: Any) -> Iterator[tuple[str, BuiltGraph]]:
    """Copies of the built graph with the kinds of damage the shapes and the provenance rule catch."""
    rng = random.Random(7)
    entities = {e.iri for e in prepared.dataset.entities.values()}
    labelled = sorted(entities)[::5]
    literals = XSD.integer, XSD.date, XSD.decimal
    quote, label = NIK.quote, RDFS.label

    def no_quotes(t: Any) -> list[Any]:
        return [] if t[1] == quote and t[0][-1] in "0369cf" else [t]  # a reference's IRI ends in a hex digit

    def wrong_datatypes(t: Any) -> list[Any]:
        s, p, o = t
        if isinstance(o, Literal) and rng.random() < 0.15:
            return [(s, p, Literal(str(o)[:20], datatype=rng.choice(literals)))]
        return [t]

    def missing_labels(t: Any) -> list[Any]:
        return [] if t[1] == label and t[0] in labelled_set else [t]

    def damaged(t: Any) -> list[Any]:
        s, p, o = t
        roll = rng.random()
        if roll < 0.03:
            return []
        if roll < 0.05:
            return [t, (s, p, Literal(f"zweiter Wert {rng.randrange(9)}", lang="de"))]
        if roll < 0.06 and isinstance(o, Literal):
            return [(s, p, URIRef(f"https://example.org/x/{rng.randrange(50)}"))]
        if roll < 0.07:
            return [t, (s, p, BNode(f"b{rng.randrange(5)}"))]
        return [t]

    labelled_set = frozenset(labelled)
    quoteless = copy_of(prepared, no_quotes)
    yield "no quotes", quoteless
    yield "no quotes, provenance from the triples", dataclasses.replace(quoteless, facts={}, sourced=None)
    del quoteless  # one copy at a time: at a million triples each is about a gigabyte
    yield "wrong datatypes", copy_of(prepared, wrong_datatypes)
    yield "missing labels", copy_of(prepared, missing_labels)
    yield "random damage", copy_of(prepared, damaged)


def conflicting_sources(dataset: Any) -> tuple[Any, BuiltGraph]:
    """The dataset with another source giving other values (and qualifiers) for a quarter of the facts
    of single-valued properties, and its graph: conflicts, disputed pairs and qualifier conflicts."""
    single = {rule.property for rule in conflicts.single_valued(dataset.ontology, validate.load_shapes(SHAPES))}
    sources = sorted(dataset.sources)
    entities = sorted(e.iri for e in dataset.entities.values())
    extra = []
    for number, fact in enumerate(dataset.facts):
        if number % 4 or not (fact.predicate in single or any(q in single for q, _ in fact.qualifiers)):
            continue
        other = sources[(sources.index(fact.source) + 1) % len(sources)]
        value = fact.object
        if isinstance(value, Literal):
            value = _other_literal(value)
        elif fact.predicate in single:
            value = entities[number % len(entities)]
        qualifiers = tuple(
            (q, Literal(f"{v}1", datatype=v.datatype) if isinstance(v, Literal) else v) for q, v in fact.qualifiers
        )
        extra.append(dataclasses.replace(fact, source=other, object=value, qualifiers=qualifiers))
    changed = dataclasses.replace(dataset, facts=(*dataset.facts, *extra))
    return changed, build_graph(changed)


def _other_literal(value: Literal) -> Literal:
    return Literal(f"{value}1", lang=value.language, datatype=value.datatype)


def compare(name: str, old: tuple[Any, ...], new: tuple[Any, ...]) -> None:
    labels = ("curation warnings", "conflicts", "violations", "warnings", "provenance problems", "SHACL results")
    for label, before, after in zip(labels, old, new, strict=True):
        if list(before) != list(after):
            raise SystemExit(f"{name}: the {label} differ from the old revision's")
    print(
        f"{name}: identical ({len(new[0])} curation warnings, {len(new[1])} conflicts, {len(new[2])} violations, "
        f"{len(new[3])} SHACL warnings, {len(new[5])} SHACL results)"
    )


def print_row(name: str, before: float, after: float) -> None:
    print(f"{name:<22} {before:7.3f} {after:7.3f} {before / after:5.2f}x")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--broken", action="store_true", help="also compare the reports on broken copies")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # rdflib warns about each ill-typed literal of the broken copies
    warnings.simplefilter("ignore")
    new = {"shacl": shacl, "validate": validate, "conflicts": conflicts}
    with tempfile.TemporaryDirectory() as folder:
        old = old_modules(args.old, Path(folder))
        prepared, seconds = timed(lambda: pipeline._prepare(args.project, None, lambda _: None, False))
        print(f"built {len(prepared.built.graph)} triples in {seconds:.1f} s", file=sys.stderr)
        gc.collect()
        gc.disable()
        olds, news = [], []
        for _ in range(args.rounds):
            before, found_before = run_step(old, prepared.dataset, prepared.built)
            after, found_after = run_step(new, prepared.dataset, prepared.built)
            compare("as built", found_before, found_after)
            olds.append(before)
            news.append(after)
        if args.broken:
            for name, built in broken_copies(prepared):
                compare(name, run_step(old, prepared.dataset, built)[1], run_step(new, prepared.dataset, built)[1])
            dataset, built = conflicting_sources(prepared.dataset)
            compare("conflicting sources", run_step(old, dataset, built)[1], run_step(new, dataset, built)[1])
    print(f"{'part':<22} {'old s':>7} {'new s':>7} {'ratio':>6}")
    for part in PARTS:
        print_row(part, min(r[part] for r in olds), min(r[part] for r in news))
    step = ("curation_warnings", "validate_graph")
    print_row(
        "shacl step (the two)", min(sum(r[p] for p in step) for r in olds), min(sum(r[p] for p in step) for r in news)
    )
    print("(check_provenance is part of validate_graph; shacl.validate, the shapes alone, too)")


if __name__ == "__main__":
    main()
