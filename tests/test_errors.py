"""Curator mistakes: each gives one line per problem (file:line: what), exit 1, exports untouched.

Every file in ``tests/data/invalid/`` is dropped into a copy of the project as
``sources/articles/zz-case.yaml``. Its ``# expect:`` header lines are the exact
problem lines ``kg build`` must print; ``# texts: seeds`` runs the quote check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import DATA, run, snapshot

INVALID = sorted((DATA / "invalid").glob("*.yaml"))


def test_every_kind_of_mistake_has_a_case() -> None:
    # Guards against the suite shrinking silently (a deleted case file).
    assert len(INVALID) == 16


def expectations(case: Path) -> tuple[list[str], bool]:
    text = case.read_text(encoding="utf-8")
    expected = re.findall(r"^# expect: (.+)$", text, flags=re.MULTILINE)
    assert expected, f"{case.name} has no '# expect:' line"
    return expected, "# texts: seeds" in text


@pytest.mark.parametrize("case", INVALID, ids=[c.stem for c in INVALID])
def test_mistake_is_reported_and_nothing_is_written(case: Path, project: Path, texts: Path) -> None:
    expected, needs_texts = expectations(case)
    (project / "sources" / "articles" / "zz-case.yaml").write_bytes(case.read_bytes())
    before = snapshot(project / "exports")

    args = ["build", "--quiet"] + (["--texts", texts] if needs_texts else [])
    result = run(*args)

    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[:-1] == expected
    assert lines[-1].startswith("Error: ") and lines[-1].endswith("; nothing was written.")
    assert result.stdout == ""
    assert snapshot(project / "exports") == before


def test_problems_in_several_files_are_reported_together(project: Path) -> None:
    articles = project / "sources" / "articles"
    for name in ("unknown-entity", "unknown-property"):
        text = (DATA / "invalid" / f"{name}.yaml").read_text(encoding="utf-8")
        (articles / f"zz-{name}.yaml").write_text(text.replace("case-source", f"case-{name}"), "utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert "sources/articles/zz-unknown-entity.yaml:12: unknown entity 'serap-guler'" in result.stderr
    assert "sources/articles/zz-unknown-property.yaml:12: unknown property 'memberof'" in result.stderr
    assert "Error: 2 problems in sources/; nothing was written." in result.stderr


def test_duplicate_source_ids_across_files(project: Path) -> None:
    articles = project / "sources" / "articles"
    original = articles / "000-bericht-sozialkonferenz-ruhr-2019.yaml"
    (articles / "zz-copy.yaml").write_bytes(original.read_bytes())
    result = run("build")
    assert result.exit_code == 1
    assert (
        "sources/articles/zz-copy.yaml:5: duplicate id 'bericht-sozialkonferenz-ruhr-2019' "
        f"(first declared at {original.relative_to(project)}:5)"
    ) in result.stderr.splitlines()


def test_unused_registry_entity_is_reported(project: Path) -> None:
    registry = project / "sources" / "entities.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + "\n- id: max-mustermann\n  type: Person\n  name: Max Mustermann\n", "utf-8")
    line = text.count("\n") + 2
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"sources/entities.yaml:{line}: entity 'max-mustermann' is not used by any fact; every entity needs "
        "a sourced fact (add one in an article file, or remove the entity)"
    )


def test_registry_rejects_facts(project: Path) -> None:
    registry = project / "sources" / "entities.yaml"
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


def test_shacl_violation_is_located_in_the_sources(project: Path) -> None:
    # Two start dates for one event pass the loader (each is a valid date) but not the shapes.
    article = project / "sources" / "articles" / "zz-case.yaml"
    article.write_text(
        (DATA / "invalid" / "unknown-entity.yaml")
        .read_text(encoding="utf-8")
        .split("facts:")[0]
        .replace("# expect", "# no expect")
        + "facts:\n  - subject: sozialkonferenz-ruhr-2019\n    quote: '2019'\n    startDate: 2019\n",
        "utf-8",
    )
    before = snapshot(project / "exports")
    result = run("build", "--quiet")
    assert result.exit_code == 1
    problem = result.stderr.strip().splitlines()[0]
    assert problem.startswith("sources/entities.yaml:")
    assert "SHACL: event:sozialkonferenz-ruhr-2019: nik:startDate: at most one start date" in problem
    assert result.stderr.strip().splitlines()[-1] == "Error: 1 SHACL violation; nothing was written."
    assert snapshot(project / "exports") == before


def test_broken_ontology_is_a_setup_error(project: Path) -> None:
    ontology = project / "ontology" / "ontology.ttl"
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
