"""`clausewatch declarations validate` and `clausewatch import ota`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clausewatch.declarations.model import validate_directory

out = Console()
declarations_app = typer.Typer(help="Check Open Terms Archive declarations.", no_args_is_help=True)
import_app = typer.Typer(
    help="Bring platforms, documents and history in from elsewhere.", no_args_is_help=True
)


@declarations_app.command("validate")
def validate(
    directory: Annotated[Path, typer.Argument(help="A folder of <Service>.json declarations.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the problems as JSON lines.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check every declaration of DIRECTORY and print each problem (file, key, reason).

    Never stops at the first broken file. Exits 1 when any file has an error.
    """
    services, problems = validate_directory(directory)
    for problem in problems:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "path": problem.path,
                        "key": problem.key,
                        "reason": problem.reason,
                        "severity": problem.severity,
                    }
                )
            )
        else:
            colour = "red" if problem.severity == "error" else "yellow"
            out.print(f"[{colour}]{problem.severity}[/] {problem}", highlight=False, soft_wrap=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    bad_files = len({p.path for p in problems if p.severity == "error"})
    terms = sum(len(s.terms) for s in services)
    if not as_json:
        out.print(
            f"{len(services)} services, {terms} terms types: {errors} errors in {bad_files} "
            f"files, {warnings} warnings",
            highlight=False,
        )
    if errors or (strict and warnings):
        raise typer.Exit(1)


@import_app.command("ota")
def import_ota(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="An OTA declarations folder.")],
) -> None:
    """Register the platforms and documents declared in an Open Terms Archive folder.

    Idempotent; files with errors are skipped, reported and recorded as events.
    """
    from clausewatch.cli import settings_of
    from clausewatch.declarations.registry import import_directory
    from clausewatch.store import Store

    store = Store(settings_of(ctx))
    with store.session() as session:
        summary = import_directory(session, directory)
    for problem in summary.problems:
        if problem.severity == "error":
            out.print(f"[red]skipped[/] {problem}", highlight=False, soft_wrap=True)
    typer.echo(json.dumps(summary.to_json()))


def register(app: typer.Typer) -> None:
    app.add_typer(declarations_app, name="declarations")
    app.add_typer(import_app, name="import")
