"""Curator mistakes and hostile input: one line per problem (file:line: what), no traceback, exports untouched.

Every ``tests/data/invalid/*.yaml`` is one case, dropped into a built copy of the small
project in ``tests/data/invalid/project/`` (with this repository's ontology). Its header
comments say what must happen:

``# expect: LINE``
    the exact problem lines on stderr, in order (none for a set-up error);
``# error: LINE``
    the exact last line (default: any ``Error: …; nothing was written.`` summary);
``# exit: N``
    the exit code (default 1);
``# file: PATH``
    where the case goes in the project (default ``sources/articles/zz-case.yaml``;
    ``sources/project.yaml`` replaces the settings, ``sources/articles/000-bericht.yaml``
    the project's own article);
``# texts: fixture``
    check quotes against the project's texts (``--texts``);
``# args: ARGS``
    more arguments for ``kg build``.

``{project}`` in an expected line stands for the project folder. The case files are
read as bytes, so a case can hold a raw NUL or bytes that are not UTF-8.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT, run, snapshot

FIXTURE = DATA / "invalid" / "project"
INVALID = sorted((DATA / "invalid").glob("*.yaml"))
DEFAULT_TARGET = "sources/articles/zz-case.yaml"


def test_every_kind_of_mistake_has_a_case() -> None:
    # Guards against the suite shrinking silently (a deleted case file).
    assert len(INVALID) == 106


@dataclass(frozen=True)
class Case:
    expected: list[str]
    error: str | None
    exit_code: int
    target: str
    texts: bool
    args: list[str]


def read_case(case: Path) -> Case:
    text = case.read_bytes().decode("utf-8", errors="replace")

    def header(name: str) -> list[str]:
        return re.findall(rf"^# {name}: (.+?)\r?$", text, flags=re.MULTILINE)

    expected, error = header("expect"), header("error")
    exit_code = int((header("exit") or ["1"])[0])
    assert expected or error, f"{case.name} has neither '# expect:' nor '# error:'"
    return Case(
        expected=expected,
        error=error[0] if error else None,
        exit_code=exit_code,
        target=(header("file") or [DEFAULT_TARGET])[0],
        texts=bool(header("texts")),
        args=[a for line in header("args") for a in shlex.split(line)],
    )


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project with this repository's ontology, built once (its exports exist)."""
    target = tmp_path_factory.mktemp("invalid") / "project"
    shutil.copytree(FIXTURE, target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    result = run("build", "--quiet", "--project", target, "--texts", target / "texts")
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture
def fixture_project(built_fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the built fixture project, as the working directory."""
    target = tmp_path / "project"
    shutil.copytree(built_fixture, target)
    monkeypatch.chdir(target)
    monkeypatch.delenv("KG_TEXTS", raising=False)
    return target


def test_the_fixture_project_itself_is_valid(fixture_project: Path) -> None:
    result = run("validate", "--texts", "texts", "--require-texts")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid: 1 sources, 9 entities, 7 facts, ")


@pytest.mark.parametrize("case", INVALID, ids=[c.stem for c in INVALID])
def test_mistake_is_reported_and_nothing_is_written(case: Path, fixture_project: Path) -> None:
    spec = read_case(case)
    (fixture_project / spec.target).parent.mkdir(parents=True, exist_ok=True)
    (fixture_project / spec.target).write_bytes(case.read_bytes())
    before = snapshot(fixture_project / "exports")

    args = ["build", "--quiet", *(["--texts", "texts"] if spec.texts else []), *spec.args]
    result = run(*args)

    assert result.exit_code == spec.exit_code, result.output
    lines = result.stderr.strip().splitlines()
    expected = [line.replace("{project}", str(fixture_project)) for line in spec.expected]
    assert lines[:-1] == expected
    if spec.error is not None:
        assert lines[-1] == spec.error.replace("{project}", str(fixture_project))
    else:
        assert lines[-1].startswith("Error: ") and lines[-1].endswith("; nothing was written.")
    assert result.stdout == ""
    assert snapshot(fixture_project / "exports") == before


def test_problems_in_several_files_are_reported_together(fixture_project: Path) -> None:
    articles = fixture_project / "sources" / "articles"
    for name in ("unknown-entity", "unknown-property"):
        text = (DATA / "invalid" / f"{name}.yaml").read_text(encoding="utf-8")
        (articles / f"zz-{name}.yaml").write_text(text.replace("case-source", f"case-{name}"), "utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert "sources/articles/zz-unknown-entity.yaml:12: unknown entity 'serap-guler'" in result.stderr
    assert "sources/articles/zz-unknown-property.yaml:12: unknown property 'memberof'" in result.stderr
    assert "Error: 2 problems in sources/; nothing was written." in result.stderr


def test_duplicate_source_ids_across_files(fixture_project: Path) -> None:
    articles = fixture_project / "sources" / "articles"
    original = articles / "000-bericht.yaml"
    (articles / "zz-copy.yaml").write_bytes(original.read_bytes())
    result = run("build")
    assert result.exit_code == 1
    assert (
        "sources/articles/zz-copy.yaml:3: duplicate id 'bericht-guler-wuppertal' "
        "(first declared at sources/articles/000-bericht.yaml:3)"
    ) in result.stderr.splitlines()


def test_unused_registry_entity_is_reported(fixture_project: Path) -> None:
    registry = fixture_project / "sources" / "entities.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + "\n- id: max-mustermann\n  type: Person\n  name: Max Mustermann\n", "utf-8")
    line = text.count("\n") + 2
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"sources/entities.yaml:{line}: entity 'max-mustermann' is not used by any fact; every entity needs "
        "a sourced fact (add one in an article file, or remove the entity)"
    )


def test_a_publisher_counts_as_a_use(fixture_project: Path) -> None:
    registry = fixture_project / "sources" / "entities.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8") + "\n- id: ruhrkanal-news\n  type: Organization\n  name: Ruhrkanal News\n",
        "utf-8",
    )
    article = fixture_project / "sources" / "articles" / "000-bericht.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("  language: de\n", "  language: de\n  publisher: ruhrkanal-news\n"), "utf-8")
    result = run("validate")
    assert result.exit_code == 0, result.output


def test_registry_rejects_facts(fixture_project: Path) -> None:
    registry = fixture_project / "sources" / "entities.yaml"
    text = registry.read_text(encoding="utf-8").replace(
        "  name: Serap Güler\n", "  name: Serap Güler\n  memberOf: cdu\n", 1
    )
    registry.write_text(text, "utf-8")
    line = text.splitlines().index("  memberOf: cdu") + 1
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"sources/entities.yaml:{line}: unknown key 'memberOf' in the registry; entities take id, type, name, "
        "aliases (facts go into an article file, with a quote)"
    )


def test_shacl_violation_is_located_in_the_sources(fixture_project: Path) -> None:
    # Two start dates for one event pass the loader (each is a valid date) but not the shapes.
    article = fixture_project / "sources" / "articles" / "zz-case.yaml"
    article.write_text(
        (DATA / "invalid" / "unknown-entity.yaml")
        .read_text(encoding="utf-8")
        .split("facts:")[0]
        .replace("# expect", "# no expect")
        + "facts:\n  - subject: sozialkonferenz-ruhr-2019\n    quote: '2019'\n    startDate: 2019\n"
        "  - subject: sozialkonferenz-ruhr-2019\n    quote: '2019-11'\n    startDate: 2019-11\n",
        "utf-8",
    )
    before = snapshot(fixture_project / "exports")
    result = run("build", "--quiet")
    assert result.exit_code == 1
    problem = result.stderr.strip().splitlines()[0]
    assert problem.startswith("sources/entities.yaml:")
    assert "SHACL: event:sozialkonferenz-ruhr-2019: nik:startDate: at most one start date" in problem
    assert result.stderr.strip().splitlines()[-1] == "Error: 1 SHACL violation; nothing was written."
    assert snapshot(fixture_project / "exports") == before


def test_a_missing_texts_folder_warns_and_builds(fixture_project: Path) -> None:
    config = fixture_project / "sources" / "project.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "texts: textz\n", "utf-8")
    result = run("build", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"sources/project.yaml:5: warning: texts folder {fixture_project / 'textz'} does not exist, so no quote "
        "was checked (fix 'texts:', pass --texts DIR or set KG_TEXTS; --require-texts makes this an error)"
    ]


def test_broken_ontology_is_a_setup_error(fixture_project: Path) -> None:
    ontology = fixture_project / "ontology" / "ontology.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + "\nnik:broken a owl:ObjectProperty .\n", "utf-8")
    result = run("build")
    assert result.exit_code == 3
    assert result.stderr.strip() == "Error: ontology: property broken has no rdfs:range"


def test_not_a_project_is_a_setup_error(tmp_path: Path) -> None:
    result = run("build", "--project", tmp_path)
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        f"Error: not a knowledge-graph project: {tmp_path.resolve()}/sources/project.yaml is missing "
        "(run kg inside the project or pass --project)"
    )


def test_a_misspelt_registry_key_is_named_once(fixture_project: Path) -> None:
    registry = fixture_project / "sources" / "entities" / "zz-case.yaml"
    registry.parent.mkdir()
    registry.write_text("- id: max-mustermann\n  type: Person\n  nmae: Max Mustermann\n", "utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        "sources/entities/zz-case.yaml:3: unknown key 'nmae' (did you mean 'name'?) in the registry; entities take "
        "id, type, name, aliases (facts go into an article file, with a quote)"
    ]


@pytest.mark.parametrize("command", ["build", "validate", "check-quotes"])
def test_require_texts_without_any_texts_folder_is_a_setup_error(fixture_project: Path, command: str) -> None:
    before = snapshot(fixture_project / "exports")
    result = run(command, "--require-texts")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: cannot check quotes: no texts folder configured; pass --texts DIR"
    )
    assert snapshot(fixture_project / "exports") == before


def test_without_require_texts_a_fresh_clone_builds(fixture_project: Path) -> None:
    # No texts configured and none given (a fresh clone): the build goes on and says so.
    result = run("build")
    assert result.exit_code == 0, result.output
    assert "quotes not checked: no texts folder configured (pass --texts DIR to check them)" in result.stderr
