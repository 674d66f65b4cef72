"""The ``kg`` command line: thin wrappers over :mod:`graph.pipeline`.

Exit codes: 0 success; 1 the data has problems (sources, quotes, SHACL), one line
each as ``file:line: what is wrong``; 2 wrong usage; 3 broken set-up (missing
folder, bad ontology, unwritable exports).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from graph import __version__, export, pipeline
from graph.errors import DataError, KGError

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


def quiet_option(command: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="Print no progress, only errors.")(command)


def progress_printer(quiet: bool) -> pipeline.Progress:
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
    type=DIRECTORY,
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
@texts_option
@quiet_option
@reports_errors
def build(project: Path, out: Path | None, formats: tuple[str, ...], texts: Path | None, quiet: bool) -> None:
    """Check sources/ and write the graph to exports/.

    Loads every file in sources/ (all mistakes are reported at once, as
    file:line), checks the quotes when the texts are available, builds the
    graph, validates it with SHACL and only then writes kg.ttl, kg.nt,
    kg.jsonld, kg.html (see 'kg viz'), kg.graphml and kg.gexf. Same input,
    byte-identical output; on any error the existing exports are left untouched.

    \b
    Examples:
      kg build
      kg build --texts ../shared/seeds
      kg build --format turtle --out /tmp/kg
    """
    say = progress_printer(quiet)
    result = pipeline.build(
        project=project,
        out=out,
        texts=texts,
        formats=list(formats) or list(pipeline.DEFAULT_FORMATS),
        progress=say,
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    say(f"done in {result.timings.total:.2f} s")


@main.command()
@project_option
@texts_option
@quiet_option
@reports_errors
def validate(project: Path, texts: Path | None, quiet: bool) -> None:
    """Check sources/ and the SHACL shapes without writing anything.

    Runs every check of 'kg build': sources against the ontology, quotes
    against the texts (when available), the built graph against
    ontology/shapes.ttl. Exit code 0 means 'kg build' would succeed.

    \b
    Example:
      kg validate --texts ../shared/seeds
    """
    result = pipeline.validate(project=project, texts=texts, progress=progress_printer(quiet))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"valid: {len(result.dataset.sources)} sources, {len(result.dataset.entities)} entities, "
        f"{len(result.dataset.facts)} facts, {result.triples} triples"
    )


@main.command("check-quotes")
@project_option
@texts_option
@reports_errors
def check_quotes(project: Path, texts: Path | None) -> None:
    """Check that every quote and title appears verbatim in its source's text.

    Each source records the SHA-256 of its text; the text is looked up by that
    hash in the --texts folder (file names do not matter). Whitespace runs
    compare as one space; everything else must match exactly.

    \b
    Example:
      kg check-quotes --texts ../shared/seeds
    """
    report = pipeline.check_quotes(project=project, texts=texts)
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
    found with the Louvain method (seeded, so the answer is stable). Works on
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
    Formats: turtle, ntriples, jsonld (RDF), html (the 'kg viz' page),
    graphml and gexf (the entity network for Gephi, Cytoscape, igraph).

    \b
    Examples:
      kg export graphml -o network.graphml
      kg export gexf -o network.gexf
      kg export turtle | head
    """
    content = pipeline.export(
        project=project, format=format_name, output=output, texts=texts, progress=progress_printer(quiet)
    )
    if str(output) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
