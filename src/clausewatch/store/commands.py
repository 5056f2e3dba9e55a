"""`clausewatch db ...`: schema migrations and a look at the store."""

from __future__ import annotations

import typer
from rich.console import Console

db_app = typer.Typer(help="Create or migrate the database schema.", no_args_is_help=True)
out = Console()


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Migrate the database to REVISION (default: the newest); safe to rerun."""
    from clausewatch.cli import settings_of
    from clausewatch.store.db import current_revision, make_engine, upgrade

    settings = settings_of(ctx)
    engine = make_engine(settings)
    before = current_revision(engine)
    upgrade(engine, revision)
    after = current_revision(engine)
    shown = engine.url.render_as_string(hide_password=True)
    out.print(f"database {shown}: {before or 'empty'} -> {after}")


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Print the schema revision of the database and the newest one this code knows."""
    from clausewatch.cli import settings_of
    from clausewatch.store.db import current_revision, head_revision, make_engine

    engine = make_engine(settings_of(ctx))
    out.print(f"current: {current_revision(engine) or 'empty'}  head: {head_revision()}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
