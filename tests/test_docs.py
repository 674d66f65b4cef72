"""The README and --help stay true: every command documented, numbers matching the graph."""

from __future__ import annotations

import re
from collections import Counter

import click
import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from graph import __version__, pipeline
from graph.cli import main
from tests.conftest import ROOT, run

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_command() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    build, test = commands
    assert build.endswith("pip install -e . && kg build")
    assert test.endswith("pip install -e '.[test]' && pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    command = main.commands[name]
    assert command.help and len(command.help) > 100
    assert "Example" in result.output
    assert f"`kg {name}`" in README
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"kg {name} {param.opts[0]} has no help"


def test_version() -> None:
    assert run("--version").output.strip() == f"kg, version {__version__}"


def test_readme_counts_match_the_graph() -> None:
    graph = Graph().parse(ROOT / "exports" / "kg.ttl")
    counts = Counter(str(o).split("#")[1] for o in graph.objects(None, RDF.type))
    table = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|$", README, flags=re.MULTILINE))
    assert {k: int(v) for k, v in table.items()} == dict(counts)
    dataset = pipeline.load(ROOT)
    summary = f"{len(dataset.entities)} entities, {len(dataset.facts)} facts, {len(graph)} triples"
    assert summary in README


def test_readme_example_iris_exist_in_the_export() -> None:
    turtle = (ROOT / "exports" / "kg.ttl").read_text(encoding="utf-8")
    names = set(re.findall(r"\b((?:statement|reference):[0-9a-f]{16})\b", README))
    assert names
    for name in names:
        assert f"{name} a nik:" in turtle, f"README mentions {name}, which the export does not have"
