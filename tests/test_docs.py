"""The README and --help stay true: every command documented, numbers matching the graph."""

from __future__ import annotations

import re

import click
import pytest

from graph import __version__
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


def test_readme_hard_codes_no_corpus_counts() -> None:
    # Counts change with every article; the README shows how to ask for them instead.
    section = README.split("## What the graph contains", 1)[1].split("\n## ", 1)[0]
    assert "kg stats" in section
    assert not re.search(r"\b\d+ (entities|facts|triples|sources)\b", section), section
    assert not re.search(r"^\| `\w+` \| \d+ \|$", section, flags=re.MULTILINE)


def test_readme_example_iris_exist_in_the_export() -> None:
    turtle = (ROOT / "exports" / "kg.ttl").read_text(encoding="utf-8")
    names = set(re.findall(r"\b((?:statement|reference):[0-9a-f]{16})\b", README))
    assert names
    for name in names:
        assert f"{name} a nik:" in turtle, f"README mentions {name}, which the export does not have"
