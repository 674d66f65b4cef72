"""Portable questions: every named question gives the same answer on Oxigraph and Apache Jena ARQ.

ARQ (Debian's ``libapache-jena-java``) is the second opinion: it parses the queries as
strict SPARQL 1.1 and evaluates them its own way. Both engines get the same files (the
export plus the ontology, as ``kg query`` loads them) and their answers are compared as
multisets of rows. Literal forms that mean the same are made equal (``1`` and ``1.0``
are the same number; a string with or without ``xsd:string``); a ``GROUP_CONCAT`` column
is compared as a set of parts, since SPARQL leaves their order undefined (see
:attr:`graph.library.NamedQuery.lists`). Run on the fixture project and on the real
exports, which must agree for any correct corpus. The fixture (tests/data/portable) has
lists whose parts are stated out of alphabetical order, a decimal amount and entities that
two sources mention, where engines tend to differ.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

from graph import engine, pipeline
from graph.library import NamedQuery, library
from graph.project import load_project
from graph.query import prefixes_for, segments
from graph.store import graph_files, open_store
from tests.conftest import DATA, ROOT

JAVA_DIR = Path(os.environ.get("KG_JENA_JARS", "/usr/share/java"))
RUNNER = Path(__file__).parent / "arq" / "RunQueries.java"
#: Jena 4's jars and what they need, as Debian packages them (the folder also holds
#: conflicting SLF4J bindings, so ``/usr/share/java/*`` as class path fails).
JARS = [
    "jena-arq",
    "jena-core",
    "jena-base",
    "jena-iri",
    "slf4j-api",
    "slf4j-nop",
    "guava",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "commons-codec",
    "commons-compress",
    "dexx.collection",
    "commons-cli",
    "jsonld-java",
    "gson",
    "httpclient",
    "httpcore",
    "httpclient-cache",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "titanium-json-ld",
    "jakarta.json-api",
    "thrift",
    "protobuf",
]
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMBERS = {
    f"{XSD}{name}"
    for name in [
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
    ]
}
Cell = tuple[object, ...]
Row = tuple[tuple[str, Cell], ...]


def jena_classpath(scratch: Path) -> str:
    """The class path for ARQ; skips (or fails, with KG_REQUIRE_JENA) when Java or Jena is missing."""
    missing = [name for name in JARS if not (JAVA_DIR / f"{name}.jar").is_file()]
    if shutil.which("java") is None or missing:
        what = "java" if shutil.which("java") is None else f"{', '.join(missing)} in {JAVA_DIR}"
        message = f"Apache Jena not available ({what} missing; Debian: apt-get install libapache-jena-java)"
        if os.environ.get("KG_REQUIRE_JENA"):
            pytest.fail(message + "; KG_REQUIRE_JENA is set")
        pytest.skip(message + "; .ci/run installs it")
    # Debian's jena-core moved Xerces' classes to xerces.* but left its message files under
    # org/apache/jena/ext/xerces/, and Xerces fails on start-up without them: put copies where
    # the classes look.
    resources = scratch / "xerces-resources"
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and not name.endswith((".class", "/")):
                target = resources / "xerces" / name[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return os.pathsep.join([*(str(JAVA_DIR / f"{name}.jar") for name in JARS), str(resources)])


def run_arq(classpath: str, files: tuple[Path, ...], queries: dict[str, str], out: Path) -> None:
    """Every query (name -> text) through ARQ in one JVM, answers as SPARQL JSON in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    folder = out / "queries"
    folder.mkdir()
    for name, text in queries.items():
        (folder / f"{name}.rq").write_text(text, encoding="utf-8")
    command = ["java", "-cp", classpath, str(RUNNER), str(out), *map(str, files), "--"]
    command += [str(folder / f"{name}.rq") for name in queries]
    subprocess.run(command, check=True, capture_output=True, timeout=600)


def normalise(term: dict[str, str]) -> Cell:
    """A term from SPARQL JSON, with equal values in equal forms."""
    if term["type"] == "uri":
        return ("iri", term["value"])
    if term["type"] == "bnode":
        return ("blank",)  # labels are the engine's own
    if "xml:lang" in term:
        return ("text", term["value"], term["xml:lang"].lower())
    datatype = term.get("datatype", f"{XSD}string")
    if datatype in NUMBERS:
        try:
            return ("number", Decimal(term["value"]).normalize())
        except InvalidOperation:
            return ("number", term["value"])
    if datatype == f"{XSD}string":
        return ("text", term["value"])
    return ("typed", term["value"], datatype)


def answer(results: dict[str, object], lists: dict[str, str]) -> Counter[Row]:
    """SPARQL JSON results as a multiset of rows; list columns as sorted parts."""
    rows: Counter[Row] = Counter()
    bindings = results["results"]["bindings"]  # type: ignore[index]
    for binding in bindings:
        row = []
        for name, term in sorted(binding.items()):
            cell = normalise(term)
            if name in lists and cell[0] == "text":
                cell = ("parts", *sorted(str(cell[1]).split(lists[name])))
            row.append((name, cell))
        rows[tuple(row)] += 1
    return rows


def differences(oxigraph: Counter[Row], arq: Counter[Row]) -> str:
    lines = [f"  only Oxigraph: {row}" for row in list((oxigraph - arq).elements())[:3]]
    lines += [f"  only ARQ:      {row}" for row in list((arq - oxigraph).elements())[:3]]
    return f"{sum(oxigraph.values())} rows on Oxigraph, {sum(arq.values())} on ARQ\n" + "\n".join(lines)


@dataclass(frozen=True)
class Case:
    """A question as both engines run it: the named text, or with a parameter bound by VALUES."""

    named: NamedQuery
    text: str


class Engines:
    """The answers of both engines to every named question, on one project's files.

    Besides each question as it is, each parameter of a question is bound (with a
    ``VALUES`` clause, which any store understands) to the first few values it takes in
    the unbound answer, so the parameters are compared on whatever the data holds.
    """

    def __init__(self, project: Path, scratch: Path, classpath: str, bound_values: int = 3) -> None:
        self.files = graph_files(project)
        self.store = open_store(self.files)
        settings = load_project(project)
        self.prefixes = prefixes_for(settings.base, segments(self.store.store))
        self.cases: dict[str, Case] = {}
        for name, named in library().items():
            self.cases[name] = Case(named, named.text)
            unbound = self._oxigraph_json(named.text)["results"]["bindings"]
            for parameter in named.parameters:
                values = sorted({row[parameter.name]["value"] for row in unbound if parameter.name in row})
                for index, value in enumerate(values[:bound_values]):
                    text = f"{named.text.rstrip()}\nVALUES ?{parameter.name} {{ <{value}> }}\n"
                    self.cases[f"{name}--{parameter.name}-{index}"] = Case(named, text)
        self.arq_out = scratch / "arq"
        run_arq(classpath, self.files, {key: case.text for key, case in self.cases.items()}, self.arq_out)

    def _oxigraph_json(self, text: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(engine.execute(self.store.store, text, "json", self.prefixes).body)
        return result

    def oxigraph(self, key: str) -> Counter[Row]:
        case = self.cases[key]
        return answer(self._oxigraph_json(case.text), case.named.lists)

    def arq(self, key: str) -> Counter[Row]:
        error = self.arq_out / f"{key}.error"
        if error.is_file():
            pytest.fail(f"ARQ refused '{key}': {error.read_text(encoding='utf-8')}")
        results = json.loads((self.arq_out / f"{key}.srj").read_text(encoding="utf-8"))
        return answer(results, self.cases[key].named.lists)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("portable")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(folder / "cache"))
        yield folder


@pytest.fixture(scope="module")
def classpath(scratch: Path) -> str:
    return jena_classpath(scratch)


@pytest.fixture(scope="module")
def fixture_engines(scratch: Path, classpath: str) -> Iterator[Engines]:
    project = scratch / "portable"
    shutil.copytree(DATA / "portable", project)
    shutil.copytree(ROOT / "ontology", project / "ontology")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("KG_TEXTS", raising=False)
        pipeline.build(project=project)
    engines = Engines(project, scratch / "fixture-answers", classpath)
    yield engines
    engines.store.close()


@pytest.fixture(scope="module")
def corpus_engines(scratch: Path, classpath: str) -> Iterator[Engines]:
    engines = Engines(ROOT, scratch / "corpus-answers", classpath)
    yield engines
    engines.store.close()


QUESTIONS = sorted(library())


def test_every_question_is_compared() -> None:
    assert len(QUESTIONS) == len(list((ROOT / "graph" / "queries").glob("*.rq")))


@pytest.mark.parametrize("name", QUESTIONS)
def test_same_answer_on_the_fixture_project(fixture_engines: Engines, name: str) -> None:
    compare(fixture_engines, [key for key in fixture_engines.cases if key.split("--")[0] == name])


@pytest.mark.parametrize("name", QUESTIONS)
def test_same_answer_on_the_real_exports(corpus_engines: Engines, name: str) -> None:
    compare(corpus_engines, [key for key in corpus_engines.cases if key.split("--")[0] == name])


def compare(engines: Engines, keys: list[str]) -> None:
    failed = []
    for key in keys:
        oxigraph, arq = engines.oxigraph(key), engines.arq(key)
        if oxigraph != arq:
            failed.append(f"{key}: {differences(oxigraph, arq)}")
    assert not failed, "\n".join(failed)


def test_parameters_are_compared_too(corpus_engines: Engines) -> None:
    bound = [key for key in corpus_engines.cases if "--" in key]
    assert bound, "no parameter was bound: the questions' parameters are not in their answers"
    assert all(corpus_engines.oxigraph(key) for key in bound)  # a value taken from the answer finds rows


def test_the_fixture_exercises_the_questions(fixture_engines: Engines) -> None:
    # A comparison of empty answers proves nothing: every question has rows here, and
    # some lists have several parts.
    empty = [name for name in QUESTIONS if not fixture_engines.oxigraph(name)]
    assert not empty, f"no rows on the fixture for {empty}"
    hosts = {
        row for row in fixture_engines.oxigraph("integration-centre-visits") for name, cell in row if name == "hosts"
    }
    assert hosts and all(len(dict(row)["hosts"]) > 2 for row in hosts)  # ("parts", a, b)


def test_numbers_and_strings_are_compared_by_value() -> None:
    integer = {"type": "literal", "value": "1", "datatype": f"{XSD}integer"}
    decimal = {"type": "literal", "value": "1.0", "datatype": f"{XSD}decimal"}
    plain = {"type": "literal", "value": "a"}
    typed = {"type": "literal", "value": "a", "datatype": f"{XSD}string"}
    tagged = {"type": "literal", "value": "a", "xml:lang": "DE"}
    assert normalise(integer) == normalise(decimal)
    assert normalise(plain) == normalise(typed) != normalise(tagged)
    joined = {"results": {"bindings": [{"names": {"type": "literal", "value": "b, a"}}]}}
    assert answer(joined, {"names": ", "}) == answer(
        {"results": {"bindings": [{"names": {"type": "literal", "value": "a, b"}}]}}, {"names": ", "}
    )
    assert answer(joined, {}) != answer(
        {"results": {"bindings": [{"names": {"type": "literal", "value": "a, b"}}]}}, {}
    )
