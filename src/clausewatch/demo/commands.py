"""`clausewatch demo`: the whole pipeline on fictional platforms, offline, then the web app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from clausewatch.config import Settings
    from clausewatch.track.runner import TrackSummary

out = Console()


def demo(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port of the web app.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface of the web app.")] = "127.0.0.1",
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web app when tracking is done.")
    ] = True,
) -> None:
    """Track fictional platforms' documents through four revisions, offline, then serve the app.

    A loopback server plays the platforms' sites; each revision is fetched, archived,
    extracted, cut into provisions and classified, so the app shows versions, changes and
    events. The demo keeps its own data directory (--data-dir, default ./demo-data when run
    through scripts/demo) and starts it afresh on every run.
    """
    from clausewatch.cli import settings_of
    from clausewatch.demo.run import run_demo
    from clausewatch.track.commands import print_summary, run_track

    if serve:
        from clausewatch.web.commands import ensure_port_free

        ensure_port_free(host, port)
    settings = settings_of(ctx)
    given = ctx.find_root().params.get("data_dir") is not None
    if not given and "CLAUSEWATCH_DATA_DIR" not in os.environ:
        settings = settings.model_copy(update={"data_dir": Path("demo-data").resolve()})
    out.print(f"[bold]clausewatch demo[/] — data in {settings.data_dir}", highlight=False)

    def track_revision(local: Settings) -> TrackSummary:
        summary = run_track(local, force=True)
        print_summary(summary)
        return summary

    run_demo(
        settings,
        say=lambda m: out.print(f"[cyan]›[/] {m}", highlight=False),
        track_revision=track_revision,
    )
    out.print(
        f"[green]done.[/] Try: clausewatch --data-dir {settings.data_dir} verify", highlight=False
    )
    if serve:
        import uvicorn

        from clausewatch.web.app import create_app

        app = create_app(settings.model_copy(update={"database_url": None}))
        out.print(f"[bold]open http://{host}:{port}/[/] (Ctrl-C to stop)", highlight=False)
        uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
