"""Start-up: the command line imports only what a command uses.

Not timed (the machine is shared); instead, which modules a process has loaded is
checked: rdflib, pySHACL, networkx and the SPARQL parser stay out of ``kg --help`` and
of an up-to-date ``kg build``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph import cli, push, query, serve
from tests.conftest import DATA, ROOT

HEAVY = ("rdflib", "pyshacl", "networkx", "pyparsing", "igraph", "jinja2", "pyoxigraph")
REPORT = (
    "import sys, runpy\n"
    "sys.argv = ['kg', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('graph', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
)


def _heavy_modules(*args: str | Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", REPORT, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return done.stdout.strip().splitlines()[-1]


def test_option_defaults_of_the_command_line_are_the_libraries() -> None:
    assert cli.QUERY_FORMATS == query.FORMATS
    assert cli.QUERY_MAX_WIDTH == query.DEFAULT_MAX_WIDTH
    assert cli.SERVE_DEFAULTS == {
        "host": serve.DEFAULT_HOST,
        "port": serve.DEFAULT_PORT,
        "timeout": serve.DEFAULT_TIMEOUT,
        "max_result_mb": serve.DEFAULT_MAX_RESULT_MB,
    }
    assert tuple(push.MODES) == cli.PUSH_MODES
    assert cli.PUSH_TIMEOUT == push.DEFAULT_TIMEOUT
    assert cli.PUSH_PASSWORD_VARIABLE == push.PASSWORD_VARIABLE


def test_help_imports_no_heavy_library() -> None:
    assert _heavy_modules("--help") == "[]"
    assert _heavy_modules("build", "--help") == "[]"


def test_an_up_to_date_build_imports_no_heavy_library(tmp_path: Path) -> None:
    import shutil

    project = tmp_path / "mini"
    shutil.copytree(DATA / "mini", project)
    shutil.copytree(ROOT / "ontology", project / "ontology")
    env = {"KG_CACHE_DIR": str(tmp_path / "cache")}
    assert "rdflib" in _heavy_modules("build", "-q", "--project", project, env=env)
    assert _heavy_modules("build", "-q", "--project", project, env=env) == "[]"


@pytest.mark.parametrize("command", ["build", "validate", "query", "serve", "push", "viz", "stats", "path", "export"])
def test_every_command_still_has_its_help(command: str) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.main, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output
