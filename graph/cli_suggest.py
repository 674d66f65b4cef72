"""``kg suggest``: candidate facts for an article, as YAML to paste and edit."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli import main, project_option, reports_errors

TEXT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.command()
@click.argument("text_file", type=TEXT_FILE)
@project_option
@click.option(
    "--append",
    is_flag=True,
    help="Add the suggestions, commented out, to the article file whose sha256 is the text's (or --article).",
)
@click.option(
    "--article",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The article file --append writes to  [default: the one with the text's SHA-256].",
)
@reports_errors
def suggest(text_file: Path, project: Path, append: bool, article: Path | None) -> None:
    """Suggest facts for an article: people, offices, parties, places, dates, amounts, quotes.

    Reads TEXT_FILE (a header block of URL:/Title:/Publisher:/Date: lines
    and '---' is allowed) and prints candidate fact entries in the curation
    format, each with the words of the text that back it as its quote.
    Known entities get their registry ids, new ones proposed ids. Entries
    that need a decision (which event a date belongs to) are commented out.
    Nothing is written unless --append is given.

    \b
    Examples:
      kg suggest ../shared/seeds/003_83300229bf7ad67e.txt
      kg suggest article.txt > suggestions.yaml
      kg suggest article.txt --append           # into the article with this text's sha256
      kg suggest article.txt --append --article sources/articles/005-x.yaml
    """
    from graph.suggest import append as append_lib
    from graph.suggest import render, suggest_file

    result = suggest_file(text_file, project)
    output = render.render(result, text_file.name)
    if append:
        target = append_lib.append(project, result, output, article)
        click.echo(f"appended {len(result.suggestions)} suggestions, commented out, to {target}", err=True)
    else:
        click.echo(output, nl=False)
