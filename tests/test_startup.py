"""Start-up: the command line imports only what a command uses.

Not timed (the machine is shared); instead, which modules a process has loaded is
checked: rdflib, pySHACL, networkx and the SPARQL parser stay out of ``kg --help``, of an
up-to-date ``kg build`` or ``kg validate`` and of a ``kg query`` whose text was checked before;
pyvis (and the IPython it imports) out of every command, the page only reads pyvis's vis-network.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph import cli, push, query, serve
from tests.conftest import DATA, ROOT

HEAVY = ("rdflib", "pyshacl", "networkx", "pyparsing", "igraph", "jinja2", "pyoxigraph", "pyvis", "IPython")
# The report is printed by an atexit handler: ``kg`` (graph.cli.entry) ends with os._exit
# after running those handlers, so nothing placed after the command itself would run.
REPORT = (
    "import atexit, sys, runpy\n"
    "sys.argv = ['kg', *sys.argv[1:]]\n"
    "atexit.register(lambda: print("
    f"'\\nloaded', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))\n"
    "runpy.run_module('graph', run_name='__main__')\n"
)


def _heavy_modules(*args: str | Path, env: dict[str, str] | None = None) -> str:
    return _run(*args, env=env)[1]


def _run(*args: str | Path, env: dict[str, str] | None = None, exit_code: int = 0) -> tuple[str, str]:
    """What ``kg *args`` printed, and the heavy libraries it loaded; it must exit with ``exit_code``."""
    done = subprocess.run(
        [sys.executable, "-c", REPORT, *map(str, args)],
        capture_output=True,
        text=True,
        # the fixture projects' own texts, not those a KG_TEXTS of the caller's points at
        env={**{k: v for k, v in os.environ.items() if k != "KG_TEXTS"}, **(env or {})},
    )
    assert done.returncode == exit_code, done.stderr
    output, _, heavy = done.stdout.rpartition("\nloaded ")
    return output, heavy.strip()


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


def test_a_build_draws_the_page_with_pyvis_s_vis_network_without_importing_pyvis_or_jinja(tmp_path: Path) -> None:
    import shutil

    from graph.viz import VIS_NETWORK

    project = tmp_path / "mini"
    shutil.copytree(DATA / "mini", project)
    shutil.copytree(ROOT / "ontology", project / "ontology")
    heavy = _heavy_modules("build", "-q", "--project", project, env={"KG_CACHE_DIR": str(tmp_path / "cache")})
    assert "rdflib" in heavy and "jinja2" not in heavy and "pyvis" not in heavy and "IPython" not in heavy
    vis = Path(__import__("pyvis").__file__).parent / VIS_NETWORK
    assert vis.read_text(encoding="utf-8").strip() in (project / "exports" / "kg.html").read_text(encoding="utf-8")


def test_an_up_to_date_validate_imports_no_heavy_library(tmp_path: Path) -> None:
    import shutil

    project = tmp_path / "mini"
    shutil.copytree(DATA / "mini", project)
    shutil.copytree(ROOT / "ontology", project / "ontology")
    env = {"KG_CACHE_DIR": str(tmp_path / "cache")}
    first, heavy = _run("validate", "-q", "--project", project, env=env)
    assert "rdflib" in heavy and "pyshacl" not in heavy  # the shapes are checked by graph.shacl
    again, heavy = _run("validate", "-q", "--project", project, env=env)
    assert heavy == "[]"
    assert again == first == "valid: 2 sources, 6 entities, 12 facts, 158 triples\n"


@pytest.mark.parametrize(
    "args",
    [
        ("politicians",),
        ("participation", "--param", "entity=erika-beispiel", "--format", "json"),
        ("places", "--format", "csv", "--max-width", "10"),
        ("-e", "SELECT ?name WHERE { ?p a nik:Politician ; rdfs:label ?name }"),
        ("-e", "DESCRIBE person:erika-beispiel", "--format", "ntriples"),
    ],
)
def test_a_query_checked_before_imports_no_rdflib(mini_built: Path, args: tuple[str, ...]) -> None:
    command: tuple[str | Path, ...] = ("query", *args, "--project", mini_built, "--quiet")
    first, heavy = _run(*command)
    assert heavy == "['pyoxigraph', 'pyparsing', 'rdflib']"  # the first run checks the text with rdflib's parser
    again, heavy = _run(*command)
    assert heavy == "['pyoxigraph']"
    assert again == first and first


def test_a_query_not_checked_before_is_checked(mini_built: Path) -> None:
    _run("query", "politicians", "--project", mini_built)
    heavy = _run("query", "politicians", "--param", "person=erika-beispiel", "--project", mini_built)[1]
    assert heavy == "['pyoxigraph']"  # another --param: the same text, checked already
    text = "SELECT ?p WHERE { ?p a nik:Politician }"
    assert "rdflib" in _run("query", "-e", text, "--project", mini_built)[1]
    assert "rdflib" in _run("query", "-e", text + " ", "--project", mini_built)[1]
    refused = ("query", "-e", "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", "--project", mini_built)
    assert "rdflib" in _run(*refused, exit_code=1)[1]
    assert "rdflib" in _run(*refused, exit_code=1)[1]  # a refusal is never kept: checked again


@pytest.mark.parametrize("command", ["build", "validate", "query", "serve", "push", "viz", "stats", "path", "export"])
def test_every_command_still_has_its_help(command: str) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.main, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output
