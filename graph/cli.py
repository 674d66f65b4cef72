"""The ``kg`` command line: thin wrappers over :mod:`graph.pipeline`.

Exit codes: 0 success; 1 the data has problems (sources, quotes, SHACL), one line
each as ``file:line: what is wrong``; 2 wrong usage; 3 broken set-up (missing
folder, bad ontology, unwritable exports).
"""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from graph import __version__, export
from graph.errors import DataError, KGError, warning_line

if TYPE_CHECKING:
    from graph.pipeline import Progress

# Start-up time: the heavy modules (rdflib, pySHACL, networkx, the SPARQL checker, the
# server) are imported inside the commands that use them. The option defaults below are
# the libraries' own (tests/test_startup.py checks that they stay equal).
QUERY_FORMATS = ("table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "rdfxml", "jsonld")  # graph.query.FORMATS
QUERY_MAX_WIDTH = 60  # graph.query.DEFAULT_MAX_WIDTH
SERVE_DEFAULTS = {"host": "127.0.0.1", "port": 8765, "timeout": 10.0, "max_result_mb": 50}  # graph.serve.DEFAULT_*
PUSH_MODES = ("replace", "merge")  # graph.push.MODES
PUSH_TIMEOUT = 120.0  # graph.push.DEFAULT_TIMEOUT
PUSH_PASSWORD_VARIABLE = "KG_PUSH_PASSWORD"  # graph.push.PASSWORD_VARIABLE

F = TypeVar("F", bound=Callable[..., Any])

DIRECTORY = click.Path(file_okay=False, path_type=Path)
EXISTING_DIRECTORY = click.Path(exists=True, file_okay=False, path_type=Path)


class Failure(click.ClickException):
    """A :class:`KGError` shown as problem lines plus one ``Error:`` summary."""

    def __init__(self, error: KGError) -> None:
        self.error = error
        message = error.summary if isinstance(error, DataError) else str(error)
        super().__init__(message)
        self.exit_code = error.exit_code  # type: ignore[misc]  # click reads it per instance

    def show(self, file: Any = None) -> None:
        stream = file or sys.stderr
        if isinstance(self.error, DataError):
            for problem in self.error.problems:
                click.echo(str(problem), file=stream)
            click.echo(f"Error: {self.error.summary}; nothing was written.", file=stream)
        else:
            click.echo(f"Error: {self.message}", file=stream)


def reports_errors(command: F) -> F:
    """Turn our exceptions into :class:`Failure` with the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KGError as error:
            raise Failure(error) from error

    return wrapper  # type: ignore[return-value]


def project_option(command: F) -> F:
    return click.option(
        "--project",
        "-p",
        type=EXISTING_DIRECTORY,
        default=Path("."),
        show_default=True,
        help="Project folder (the one with sources/, ontology/ and exports/).",
    )(command)


def texts_option(command: F) -> F:
    return click.option(
        "--texts",
        type=EXISTING_DIRECTORY,
        envvar="KG_TEXTS",
        help="Folder with the full texts of the sources, found by SHA-256 "
        "[default: 'texts' in sources/project.yaml; env KG_TEXTS].",
    )(command)


def require_texts_option(command: F) -> F:
    return click.option(
        "--require-texts",
        is_flag=True,
        help="Fail (exit 3) when no texts folder exists, instead of warning that quotes were not checked.",
    )(command)


def quiet_option(command: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="Print no progress, only errors.")(command)


def progress_printer(quiet: bool) -> Progress:
    def say(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    return say


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build and check the NRW integration knowledge graph.

    Curated facts in sources/ (YAML, every fact with a source and a verbatim
    quote) are checked against the ontology in ontology/ and written as RDF
    to exports/.

    \b
    Typical use:
      kg build                       # check everything, write exports/
      kg validate                    # check everything, write nothing
      kg check-quotes --texts DIR    # every quote verbatim in its text?
    """


@main.command()
@project_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the exports  [default: PROJECT/exports].",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(export.formats()),
    multiple=True,
    help="Export only these formats (repeatable)  [default: all of turtle, ntriples, jsonld, html, graphml, gexf].",
)
@click.option("--force", is_flag=True, help="Rebuild even when nothing changed since the last build.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes rendering the exports, this one included: N-1 workers start while SHACL runs, "
    "this process joins them after it; 1 renders them one by one  [default: one per CPU from 50,000 triples, else 1].",
)
@texts_option
@require_texts_option
@quiet_option
@reports_errors
def build(
    project: Path,
    out: Path | None,
    formats: tuple[str, ...],
    force: bool,
    jobs: int | None,
    texts: Path | None,
    require_texts: bool,
    quiet: bool,
) -> None:
    """Check sources/ and write the graph to exports/.

    Loads every file in sources/ (all mistakes are reported at once, as
    file:line), checks the quotes when the texts are available, builds the
    graph, validates it with SHACL and only then writes kg.ttl, kg.nt,
    kg.jsonld, kg.html (see 'kg viz'), kg.graphml and kg.gexf, replacing the
    whole set at once. Same input, byte-identical output; on any error the
    existing exports are left untouched. When sources, ontology, shapes, texts
    and kg itself are unchanged since the last build (and the exports are as it
    left them), it says 'up to date' and does nothing.

    \b
    Examples:
      kg build
      kg build --texts ../shared/seeds
      kg build --require-texts     # no texts folder: exit 3, not a warning
      kg build --format turtle --out /tmp/kg
      kg build --force                  # rebuild even if nothing changed
      kg build --jobs 1                 # render the exports in this process only
    """
    import time

    from graph import pipeline

    started = time.perf_counter()
    say = progress_printer(quiet)
    chosen = list(formats) or list(export.DEFAULT_FORMATS)
    options: dict[str, Any] = {
        "project": project,
        "out": out,
        "texts": texts,
        "formats": chosen,
        "progress": say,
        "require_texts": require_texts,
        "jobs": jobs,
    }
    result = pipeline.build(**options) if force else pipeline.build_if_changed(**options)
    if isinstance(result, pipeline.UpToDate):
        for line in result.warnings:  # as the last build printed them
            click.echo(line, err=True)
        say(f"up to date: {len(result.outputs)} files in {result.out} (nothing changed since the last build)")
    else:
        for warning in result.warnings:
            click.echo(warning_line(warning), err=True)
        say(f"done in {time.perf_counter() - started:.2f} s")  # all of it, not just the steps timed


@main.command()
@project_option
@texts_option
@require_texts_option
@click.option("--force", is_flag=True, help="Check again even when nothing changed since the last successful check.")
@quiet_option
@reports_errors
def validate(project: Path, texts: Path | None, require_texts: bool, force: bool, quiet: bool) -> None:
    """Check sources/ and the SHACL shapes without writing anything.

    Runs every check of 'kg build': sources against the ontology, quotes
    against the texts (when available), the built graph against
    ontology/shapes.ttl. Exit code 0 means 'kg build' would succeed. When
    sources, ontology, shapes, texts and kg itself are unchanged since the
    last successful 'kg validate' or 'kg build', it says 'up to date' and
    shows that check's warnings and summary again without checking.

    \b
    Examples:
      kg validate --texts ../shared/seeds
      kg validate --require-texts
      kg validate --force          # check again even if nothing changed
    """
    from graph import pipeline

    say = progress_printer(quiet)
    options: dict[str, Any] = {"project": project, "texts": texts, "progress": say, "require_texts": require_texts}
    result = pipeline.validate(**options) if force else pipeline.validate_if_changed(**options)
    if isinstance(result, pipeline.Unchanged):
        for line in result.warnings:  # as the last check printed them
            click.echo(line, err=True)
        say("up to date: nothing changed since the last successful check")
    else:
        for warning in result.warnings:
            click.echo(warning_line(warning), err=True)
    counts = result.counts
    click.echo(
        f"valid: {counts['sources']} sources, {counts['entities']} entities, "
        f"{counts['facts']} facts, {counts['triples']} triples"
    )


@main.command("check-quotes")
@project_option
@texts_option
@click.option(
    "--require-texts", is_flag=True, help="Accepted like in build and validate; check-quotes always requires texts."
)
@reports_errors
def check_quotes(project: Path, texts: Path | None, require_texts: bool) -> None:
    """Check that every quote and title appears verbatim in its source's text.

    Each source records the SHA-256 of its text; the text is looked up by that
    hash in the --texts folder (file names do not matter). Whitespace runs
    compare as one space; everything else must match exactly.

    \b
    Example:
      kg check-quotes --texts ../shared/seeds
    """
    from graph import pipeline

    report = pipeline.check_quotes(project=project, texts=texts)  # always requires texts
    click.echo(f"all {report.quotes} quotes and titles of {report.sources} sources found verbatim")


# ---------------------------------------------------------------- network views and exports
# kg viz, kg stats, kg path (graph/views.py) and kg export (graph/pipeline.py).

OUTPUT_FILE = click.Path(dir_okay=False, path_type=Path, allow_dash=True)


class DateParam(click.ParamType):  # type: ignore[type-arg]  # generic in some click versions
    """A date at year, month or day precision, checked when the command line is read."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from graph.temporal import DateProblem, parse_span

        try:
            parse_span(str(value))
        except DateProblem as exc:
            self.fail(str(exc), param, ctx)
        return str(value)


def view_options(command: F) -> F:
    """--type, --source, --as-of and --undated: the filters every network command shares."""
    for option in reversed(
        [
            click.option(
                "--type",
                "types",
                multiple=True,
                metavar="CLASS",
                help="Only entities of this ontology class or its subclasses (repeatable), e.g. Person.",
            ),
            click.option(
                "--source",
                "sources",
                multiple=True,
                metavar="SOURCE",
                help="Only facts stated in this source (its id; repeatable).",
            ),
            click.option(
                "--as-of",
                type=DateParam(),
                help="Only facts whose dates say they held on this date (YYYY, YYYY-MM or YYYY-MM-DD); "
                "undated facts are left out.",
            ),
            click.option("--undated", is_flag=True, help="With --as-of, keep facts that have no date at all."),
        ]
    ):
        command = option(command)
    return command


def lang_option(command: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["de", "en"]),
        default="de",
        show_default=True,
        help="Language of class and property labels (from the ontology).",
    )(command)


@main.command()
@project_option
@click.option(
    "--output",
    "-o",
    type=OUTPUT_FILE,
    default=None,
    help="HTML file to write ('-' for standard output)  [default: PROJECT/exports/kg.html; "
    "required with --focus, --type, --source or --as-of].",
)
@click.option(
    "--focus",
    multiple=True,
    metavar="ENTITY",
    help="Centre the view on this entity (id or exact name; repeatable).",
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="With --focus: include entities up to this many relations away.",
)
@view_options
@lang_option
@click.option("--title", help="Heading of the page  [default: the ontology's title].")
@quiet_option
@reports_errors
def viz(
    project: Path,
    output: Path | None,
    focus: tuple[str, ...],
    depth: int,
    types: tuple[str, ...],
    sources: tuple[str, ...],
    as_of: str | None,
    undated: bool,
    lang: str,
    title: str | None,
    quiet: bool,
) -> None:
    """Draw the network of entities as one self-contained HTML page.

    People, organisations, places, events, posts, programmes and the rest are
    nodes (colour and shape per class, size by number of relations); facts
    between them are edges labelled from the ontology. Hover or click a node
    or edge to see its qualifiers and every source with its quote; search by
    name, filter by class or source, double-click for a neighbourhood. The
    page needs no network: open it from disk in any browser.

    \b
    Examples:
      kg viz                                        # exports/kg.html, everything
      kg viz --focus serap-gueler --depth 2 -o gueler.html
      kg viz --type Person --type Event -o people-events.html
      kg viz --source bericht-klute-ki-ennepe-ruhr-kreis -o klute.html
      kg viz --as-of 2019-11-27 --lang en -o 2019-11-27.html
    """
    from graph import views

    say = progress_printer(quiet)
    result = views.viz(
        project=project,
        output=output,
        focus=focus,
        depth=depth,
        types=types,
        sources=sources,
        as_of=as_of,
        undated=undated,
        lang=lang,
        title=title,
        progress=say,
    )
    if result.output is None:
        click.echo(result.html.decode("utf-8"), nl=False)
    else:
        state = "wrote" if result.changed else "unchanged:"
        say(f"{state} {result.output} ({result.nodes} entities, {result.edges} relations, {len(result.html):,} bytes)")


@main.command()
@project_option
@click.option("--focus", multiple=True, metavar="ENTITY", help="Only this entity's neighbourhood (repeatable).")
@click.option(
    "--depth", type=click.IntRange(min=0), default=1, show_default=True, help="With --focus: how many relations away."
)
@view_options
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many leaders to list.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Plain-text tables or JSON.",
)
@lang_option
@quiet_option
@reports_errors
def stats(
    project: Path,
    focus: tuple[str, ...],
    depth: int,
    types: tuple[str, ...],
    sources: tuple[str, ...],
    as_of: str | None,
    undated: bool,
    top: int,
    output_format: str,
    lang: str,
    quiet: bool,
) -> None:
    """Network statistics: counts, components, central entities, communities.

    Counts entities per class and relations per property, lists the connected
    components, the entities with the most relations (degree) and those on
    the most shortest paths between others (betweenness), and communities
    found with the Leiden method (seeded, so the answer is stable). Works on
    the same entity network as 'kg viz', with the same filters.

    \b
    Examples:
      kg stats
      kg stats --top 5 --format json
      kg stats --source bericht-gueler-haus-der-integration
    """
    import json

    from graph import views
    from graph.analysis import format_stats

    result = views.stats(
        project=project,
        focus=focus,
        depth=depth,
        types=types,
        sources=sources,
        as_of=as_of,
        undated=undated,
        top=top,
        lang=lang,
        progress=progress_printer(quiet),
    )
    if output_format == "json":
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_stats(result, top=top))


@main.command()
@project_option
@click.argument("start")
@click.argument("end")
@click.option("--all", "every", is_flag=True, help="Every shortest connection (at most 20), not just the first.")
@view_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Readable text or JSON.",
)
@lang_option
@quiet_option
@reports_errors
def path(
    project: Path,
    start: str,
    end: str,
    every: bool,
    types: tuple[str, ...],
    sources: tuple[str, ...],
    as_of: str | None,
    undated: bool,
    output_format: str,
    lang: str,
    quiet: bool,
) -> None:
    """Show the shortest connection between two entities, with its evidence.

    START and END are entity ids (or exact names). Each hop lists the facts
    that link the two entities, whichever way they point, with qualifiers and
    every source and quote. Exit code 1 when they are not connected.

    \b
    Examples:
      kg path thorsten-klute ki-ennepe-ruhr-kreis
      kg path arnim-brux olaf-schade --all
      kg path serap-gueler rvr --format json
    """
    import json

    from graph import views
    from graph.analysis import format_paths, paths_json

    view, found = views.path(
        project=project,
        start=start,
        end=end,
        every=every,
        types=types,
        sources=sources,
        as_of=as_of,
        undated=undated,
        progress=progress_printer(quiet),
    )
    if output_format == "json":
        click.echo(json.dumps(paths_json(view, found, lang), ensure_ascii=False, indent=2))
    else:
        click.echo(format_paths(view, found, lang), nl=False)


@main.command("export")
@project_option
@click.argument("format_name", metavar="FORMAT", type=click.Choice(export.formats()))
@click.option(
    "--output",
    "-o",
    type=OUTPUT_FILE,
    default="-",
    show_default=True,
    help="File to write atomically; '-' for standard output.",
)
@texts_option
@quiet_option
@reports_errors
def export_command(project: Path, format_name: str, output: Path, texts: Path | None, quiet: bool) -> None:
    """Write the graph in one format, to a file or standard output.

    Runs every check of 'kg build' first; nothing is written unless they pass.
    When the last 'kg build' (all formats, into exports/) is up to date, its
    file of the format is written as it is, with no check or rendering again.
    Formats: turtle, ntriples, jsonld (RDF), html (the 'kg viz' page),
    graphml and gexf (the entity network for Gephi, Cytoscape, igraph).

    \b
    Examples:
      kg export graphml -o network.graphml
      kg export gexf -o network.gexf
      kg export turtle | head
    """
    from graph import pipeline

    content = pipeline.export(
        project=project, format=format_name, output=output, texts=texts, progress=progress_printer(quiet)
    )
    if str(output) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()


# ---------------------------------------------------------------- SPARQL: query, queries, serve, push
# (issue 3; the library is graph.query, graph.serve and graph.push)

QUERY_FILE = click.Path(dir_okay=False, path_type=Path)


def _remember_data_format(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    ctx.meta["kg.data_format"] = value


def _spool_dash(ctx: click.Context, param: click.Parameter, value: tuple[Path, ...]) -> tuple[Path, ...]:
    """``--data -``: standard input, kept as a file (the query store is built from files)."""
    if sum(str(path) == "-" for path in value) > 1:
        raise click.BadParameter("standard input can be given once", param=param)
    if any(str(path) == "-" for path in value):
        from graph.spool import spool

        if ctx.meta.get("kg.stdin_used"):
            raise click.UsageError("standard input can be read once: give either QUERY - or --data -")
        ctx.meta["kg.stdin_used"] = True
        try:
            piped = spool(sys.stdin.buffer, ctx.meta.get("kg.data_format"))
        except KGError as error:
            raise Failure(error) from error
        return tuple(piped if str(path) == "-" else path for path in value)
    if ctx.meta.get("kg.data_format"):
        raise click.UsageError("--data-format is the format of --data - (standard input); files are known by extension")
    return value


def data_option(command: F) -> F:
    command = click.option(
        "--data",
        type=click.Path(exists=True, dir_okay=False, path_type=Path, allow_dash=True),
        multiple=True,
        callback=_spool_dash,
        help="RDF file to query instead of PROJECT/exports/kg.nt (repeatable; .nt, .ttl, .rdf, .jsonld; "
        "- for standard input). The ontology is always added.",
    )(command)
    return click.option(
        "--data-format",
        type=click.Choice(["turtle", "ntriples", "rdfxml", "jsonld"]),
        is_eager=True,
        expose_value=False,
        callback=_remember_data_format,
        help="Format of --data -  [default: guessed: JSON-LD, RDF/XML or else Turtle].",
    )(command)


@main.command("query")
@click.argument("query", required=False)
@click.option("--expression", "-e", metavar="TEXT", help="The query text itself, instead of QUERY.")
@click.option(
    "--param",
    "-P",
    metavar="NAME=VALUE",
    multiple=True,
    help="Bind ?NAME to VALUE (repeatable). VALUE is an entity id (serap-gueler), an IRI (<https://…>), "
    'a prefixed name (nik:Politician), text in double quotes ("…" or "…"@de), '
    'a typed value ("2019"^^xsd:gYear) or a number.',
)
@click.option(
    "--format",
    "-f",
    type=click.Choice(QUERY_FORMATS),
    help="Output format  [default: table for SELECT and ASK, turtle for CONSTRUCT and DESCRIBE].",
)
@click.option(
    "--max-width",
    type=click.IntRange(min=0),
    default=QUERY_MAX_WIDTH,
    show_default=True,
    help="Shorten table cells longer than this with '…' (0: never). Other formats are never shortened.",
)
@data_option
@project_option
@quiet_option
@reports_errors
def query(
    query: str | None,
    expression: str | None,
    param: tuple[str, ...],
    format: str | None,
    max_width: int,
    data: tuple[Path, ...],
    project: Path,
    quiet: bool,
) -> None:
    """Run a SPARQL query on the graph: a named question, a .rq file, or -e TEXT.

    QUERY is a name from 'kg queries', a file, or - (read the query from standard
    input; --data - reads the data from it instead). The graph is PROJECT/exports/kg.nt
    plus the ontology (so rdfs:subClassOf* and the labels of classes and properties
    work); the common prefixes (nik:, rdf:, rdfs:, xsd:, schema:, prov:, person:,
    place:, event: …) need no PREFIX line. The first query on a changed graph loads
    it into a cached store; later ones start at once. Parameters are bound as RDF
    terms, never pasted into the query. Ctrl-C stops a long query.

    \b
    Examples:
      kg query politicians
      kg query participation --param entity=serap-gueler
      kg query statistics -P area=wuppertal --format csv > wuppertal.csv
      kg query my-question.rq --format json
      kg query -e 'SELECT ?name WHERE { ?p a nik:Politician ; rdfs:label ?name }'
      kg query -e 'DESCRIBE person:serap-gueler'
      echo 'ASK { ?s a nik:Politician }' | kg query -
      curl -s https://example.org/other.ttl | kg query politicians --data -
    """
    if query == "-":  # the query text from standard input
        if expression is not None:
            raise click.UsageError("give either QUERY - (standard input) or -e TEXT, not both")
        if click.get_current_context().meta.get("kg.stdin_used"):
            raise click.UsageError("standard input can be read once: give either QUERY - or --data -")
        query, expression = None, sys.stdin.read()
    # Oxigraph cannot be interrupted from Python while it computes, so Ctrl-C ends the process
    # at once instead (the store is opened read-only: nothing to clean up).
    previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        from graph import query as query_lib

        result = query_lib.run_query(
            project=project,
            query=query,
            expression=expression,
            data=data,
            param=param,
            format=format,
            max_width=max_width,
            progress=progress_printer(quiet),
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    click.echo(result.output, nl=False)
    if not quiet and result.count is not None:
        unit = "row" if result.format == "table" else "triple"
        click.echo(f"{result.count} {unit}{'s' if result.count != 1 else ''} in {result.seconds:.2f} s", err=True)


@main.command("queries")
@click.option(
    "--lang", type=click.Choice(["en", "de"]), default="en", show_default=True, help="Language of the questions."
)
@reports_errors
def queries(lang: str) -> None:
    """List the named competency questions, one line each: name, question, parameters.

    Each is a .rq file shipped with kg (graph/queries/); its header has the question
    in German and English, its parameters and an example. Run one with 'kg query NAME'.

    \b
    Examples:
      kg queries
      kg queries --lang de
    """
    from graph import query as query_lib

    for named in query_lib.queries():
        question = named.question_de if lang == "de" else named.question_en
        params = " ".join(f"[{p.name}]" for p in named.parameters)
        click.echo(f"{named.name:<28} {question}{'  ' + params if params else ''}")


@main.command("serve")
@click.option("--host", default=SERVE_DEFAULTS["host"], show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=SERVE_DEFAULTS["port"],
    show_default=True,
    help="Port (0: any free one).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Queries that can run at once, each in its own process  [default: one per CPU, 2 to 8].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=SERVE_DEFAULTS["timeout"],
    show_default=True,
    help="Seconds a query may run; a slower one is stopped and gets HTTP 503.",
)
@click.option(
    "--max-result-mb",
    type=click.IntRange(min=1),
    default=SERVE_DEFAULTS["max_result_mb"],
    show_default=True,
    help="Largest result in MB; a larger one is stopped and gets HTTP 422.",
)
@click.option(
    "--cors-origin",
    metavar="ORIGIN",
    multiple=True,
    help="Let web pages from ORIGIN (e.g. https://yasgui.org; * for any) read answers (repeatable)  [default: none].",
)
@data_option
@project_option
@quiet_option
@reports_errors
def serve(
    host: str,
    port: int,
    workers: int | None,
    timeout: float,
    max_result_mb: int,
    cors_origin: tuple[str, ...],
    data: tuple[Path, ...],
    project: Path,
    quiet: bool,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint, with a query page.

    The endpoint is http://HOST:PORT/sparql (GET, or POST as a form or as
    application/sparql-query); answers come as SPARQL JSON, XML, CSV or TSV, or
    Turtle, N3, N-Triples, RDF/XML, JSON-LD, as the Accept header or a format
    parameter asks (the names SPARQLWrapper, Jena and Virtuoso send). Without a query
    it returns its service description; http://HOST:PORT/ is a query page that
    works offline. Updates get 403; SERVICE, FROM and FROM NAMED get 400. Each query
    runs in a worker process without network access and is stopped after --timeout
    seconds; one still running after 0.25 s moves to a lane of long queries at low
    CPU priority (at most --workers at once), so slow queries never hold up quick
    ones. Only this machine can connect unless --host says otherwise.
    Requests are logged to stderr; Ctrl-C stops the server.

    \b
    Examples:
      kg serve
      kg serve --port 9000 --timeout 5 --workers 4
      kg serve --cors-origin https://yasgui.org
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s a nik:Politician }' http://127.0.0.1:8765/sparql
    """
    # A service manager stops the server with SIGTERM: shut down as on Ctrl-C (workers included).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        from graph import serve as serve_lib

        serve_lib.serve(
            project=project,
            data=data,
            host=host,
            port=port,
            workers=workers,
            timeout=timeout,
            max_result_mb=max_result_mb,
            cors_origin=cors_origin,
            progress=progress_printer(quiet),
        )
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command("push")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's Graph Store Protocol endpoint, e.g. http://localhost:7878/store (Oxigraph), "
    "http://localhost:3030/ds/data (Fuseki), http://localhost:7200/repositories/REPO/rdf-graphs/service (GraphDB).",
)
@click.option(
    "--graph", metavar="IRI", help="Named graph to write  [default: BASE + 'graph', see sources/project.yaml]."
)
@click.option("--default-graph", is_flag=True, help="Write the store's default graph instead of a named graph.")
@click.option(
    "--mode",
    type=click.Choice(PUSH_MODES),
    default="replace",
    show_default=True,
    help="replace: the graph holds exactly this upload afterwards (HTTP PUT); merge: add to it (HTTP POST).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=PUSH_TIMEOUT,
    show_default=True,
    help="Seconds to wait for the store to connect or answer.",
)
@click.option("--user", help=f"User for HTTP Basic authentication; the password comes from ${PUSH_PASSWORD_VARIABLE}.")
@data_option
@project_option
@quiet_option
@reports_errors
def push(
    endpoint: str,
    graph: str | None,
    default_graph: bool,
    mode: str,
    timeout: float,
    user: str | None,
    data: tuple[Path, ...],
    project: Path,
    quiet: bool,
) -> None:
    """Upload the graph and the ontology to a triple store (SPARQL 1.1 Graph Store Protocol).

    Uploads what 'kg query' queries (exports/kg.nt plus the ontology) as N-Triples
    in one request, so the named questions give the same answers in the store.
    The target is a named graph (default: the project's base IRI + 'graph') or, with
    --default-graph, the default graph. A refusal, an unreachable store or no answer
    within --timeout is one error line and exit code 1.

    \b
    Examples:
      kg push --endpoint http://localhost:7878/store
      kg push --endpoint http://localhost:3030/kg/data --graph https://example.org/nrw --mode merge
      KG_PUSH_PASSWORD=… kg push --endpoint https://store.example.org/data --user me --default-graph
    """
    from graph import push as push_lib

    result = push_lib.push(
        project=project,
        endpoint=endpoint,
        graph=graph,
        default_graph=default_graph,
        mode=mode,
        data=data,
        timeout=timeout,
        user=user,
        progress=progress_printer(quiet),
    )
    where = f"graph <{result.graph}>" if result.graph else "the default graph"
    click.echo(f"pushed {result.triples:,} triples to {where} at {result.url} ({result.mode}, HTTP {result.status})")


from graph import cli_curate, cli_suggest  # noqa: E402,F401  registers commands


def entry() -> None:
    """The ``kg`` program: :func:`main`, then exit without tearing down the heap.

    After a large build the interpreter would spend seconds (ten at a million triples)
    freeing millions of objects one by one at exit. Everything a command writes is
    written and closed before it returns, so this runs the ``atexit`` handlers, flushes
    the standard streams and ends the process with the exit code ``main`` chose.
    """
    import atexit
    import os

    code: int | str | None = 0
    try:
        main(prog_name="kg")
    except SystemExit as exc:  # click ends every run with sys.exit
        code = exc.code
    atexit._run_exitfuncs()
    if isinstance(code, str):  # sys.exit("message") prints it and exits 1
        click.echo(code, err=True)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, say: the exit code still counts
            code = code or 1
    os._exit(code or 0)
