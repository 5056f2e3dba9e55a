"""The command line: one Typer app; every command is a thin wrapper over a stage.

Stages add their commands through ``register(app)`` in their own ``commands`` module, so the
pipeline's packages stay independent of each other.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clausewatch import __version__
from clausewatch.config import Settings
from clausewatch.errors import ClausewatchError

app = typer.Typer(
    name="clausewatch",
    help=(
        "Watch the legal documents of online platforms: fetch them, keep a verifiable archive "
        "of every version, cut them into provisions, classify and compare them, and alert "
        "when their meaning changes."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
err = Console(stderr=True)

COMMAND_MODULES = (
    "clausewatch.store.commands",
    "clausewatch.declarations.commands",
    "clausewatch.fetch.commands",
    "clausewatch.archive.commands",
    "clausewatch.extract.commands",
    "clausewatch.versions.commands",
    "clausewatch.provisions.commands",
    "clausewatch.classify.commands",
    "clausewatch.analysis.commands",
    "clausewatch.track.commands",
    "clausewatch.web.commands",
    "clausewatch.demo.commands",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clausewatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Where the SQLite database and the blob store live "
            "(env CLAUSEWATCH_DATA_DIR; default ~/.local/share/clausewatch).",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="A PostgreSQL URL to use instead of SQLite (env CLAUSEWATCH_DATABASE_URL).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    ctx.obj = Settings(**overrides)  # type: ignore[arg-type]


def settings_of(ctx: typer.Context) -> Settings:
    """The settings built by the top-level options, for commands defined in stage modules."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Settings):
        obj = Settings()
    return obj


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(app)


_register_all()


def run() -> None:
    """Entry point that turns user errors into one line and a non-zero exit."""
    try:
        app()
    except ClausewatchError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; rerun the same command to resume safely")
        sys.exit(130)
