"""Curation commands: ``kg add-source``, ``kg terms``, ``kg entities``, ``kg diff``.

Thin wrappers over :mod:`graph.curation`; registered by one import at the end of
:mod:`graph.cli`.
"""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli import EXISTING_DIRECTORY, main, project_option, reports_errors

TEXT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.command("add-source")
@click.argument("text_file", type=TEXT_FILE)
@click.option("--no-copy", is_flag=True, help="Leave the text where it is instead of copying it into the texts folder.")
@click.option(
    "--texts",
    type=EXISTING_DIRECTORY,
    envvar="KG_TEXTS",
    help="Folder to copy the text into  [default: 'texts' in sources/project.yaml; env KG_TEXTS].",
)
@click.option("--id", "id_", metavar="ID", help="Id of the new source  [default: a slug of the title or file name].")
@click.option(
    "--type",
    "type_",
    default="NewsArticle",
    show_default=True,
    metavar="CLASS",
    help="Class of the source: NewsArticle, WebPage or another subclass of SourceDocument.",
)
@click.option("--language", metavar="TAG", help="Language of the text  [default: 'language' in sources/project.yaml].")
@project_option
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only errors and notes (what to do by hand), not what was written."
)
@reports_errors
def add_source(
    text_file: Path,
    no_copy: bool,
    texts: Path | None,
    id_: str | None,
    type_: str,
    language: str | None,
    project: Path,
    quiet: bool,
) -> None:
    """Register a text as a new source: hash it, copy it, write its article file.

    Computes the SHA-256 of TEXT_FILE, copies the file into the texts folder
    (unless --no-copy) and writes sources/articles/NNN-ID.yaml with the source
    block and the facts list (empty, or the publisher's fact); it validates as
    it is. A header block at the
    top of the text ('URL:', 'Title:', 'Publisher:', 'Date:' lines, then a line
    '---') fills in title, URL, date and publisher; nothing else is filled in.
    A publisher must be an entity of the project (matched by name or alias);
    any other is left as a comment to register first. A text registered already
    (same SHA-256) is refused with the file that has it.

    \b
    Examples:
      kg add-source ~/Downloads/schade-integrationskonferenz.txt
      kg add-source artikel.txt --no-copy --id bericht-integrationsstrategie-nrw
      kg add-source seite.txt --type WebPage --texts ../shared/seeds
    """
    from graph.curation.addsource import add_source as add
    from graph.errors import display_path

    added = add(
        project=project, text_file=text_file, no_copy=no_copy, texts=texts, id=id_, type=type_, language=language
    )
    if not quiet:
        where = f"copied to {display_path(added.text)}" if added.copied else f"text at {display_path(added.text)}"
        click.echo(f"wrote {display_path(added.article)} (source '{added.source_id}', sha256 {added.sha256}; {where})")
    for note in added.notes:  # what the curator must do by hand: shown even with --quiet
        click.echo(f"note: {note}", err=True)


@main.command("terms")
@click.argument("class_name", metavar="[CLASS]", required=False)
@project_option
@reports_errors
def terms(class_name: str | None, project: Path) -> None:
    """List the ontology's classes as a tree, or everything a class can have.

    Without CLASS: every class, indented under its superclasses, with its German
    and English label. With CLASS: its superclasses, subclasses and definition,
    then every property usable on it (declared on it or an ancestor) with what
    it expects (an entity id of which class, or a value of which format), its
    labels and its definition in German and English. Everything is read from
    ontology/*.ttl, so a term added there shows at once.

    \b
    Examples:
      kg terms
      kg terms Politician
      kg terms FundingCommitment | grep -A3 amount
    """
    from graph.curation import lookup

    if class_name is None:
        click.echo(lookup.format_tree(lookup.class_tree(project=project)), nl=False)
    else:
        click.echo(lookup.format_class(lookup.describe_class(project=project, name=class_name)), nl=False)


@main.command("entities")
@click.argument("search", required=False)
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="CLASS",
    help="Only entities of this ontology class or its subclasses (repeatable), e.g. Person.",
)
@project_option
@reports_errors
def entities(search: str | None, types: tuple[str, ...], project: Path) -> None:
    """Find entities by name or alias: id, class, name and where each is declared.

    Searches the registry (sources/entities.yaml) and the entities declared in
    article files. Case, accents and punctuation do not matter ('gueler' finds
    'Güler'), a name containing the search as whole words matches, and so does
    a close spelling. Best matches first. Without SEARCH, every entity by id.
    Exit code 1 when nothing matches.

    \b
    Examples:
      kg entities güler
      kg entities "kommunales integrationszentrum"
      kg entities --type Person
    """
    from graph.curation import lookup

    matches = lookup.find_entities(project=project, search=search, types=types)
    if not matches:
        raise click.ClickException(f"no entity matches '{search}'")
    click.echo(lookup.format_entities(matches), nl=False)


@main.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown for reading (and pull requests), JSON for scripts.",
)
@project_option
@reports_errors
def diff(old: str, new: str | None, output_format: str, project: Path) -> None:
    """Show what changed between two builds, by entity, with the sources.

    OLD and NEW are export folders (with the kg.nt that 'kg build' writes), N-Triples
    files or git revisions (their exports/kg.nt); NEW defaults to the project's
    exports/ as they are now. Lists sources and entities added or removed, and per
    entity the facts added, removed or changed (a value replaced by another), and
    facts whose sources or curator's notes changed, each with its sources, quotes and
    notes. Run 'kg build' first, so exports/ holds your edits.

    \b
    Examples:
      kg diff HEAD                        # the last commit against the working tree
      kg diff main --format json
      kg diff /tmp/old-exports exports
    """
    import json

    from graph.curation import diff as diff_lib

    result = diff_lib.diff(old=old, new=new, project=project)
    if output_format == "json":
        click.echo(json.dumps(diff_lib.as_json(result), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(diff_lib.format_markdown(result), nl=False)
