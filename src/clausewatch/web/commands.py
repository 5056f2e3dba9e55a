"""`clausewatch serve`: the web app and its JSON API."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web pages and the JSON API (every page has a `.json` twin; docs at /api/docs)."""
    import uvicorn

    from clausewatch.cli import settings_of
    from clausewatch.web.app import create_app

    app = create_app(settings_of(ctx))
    typer.echo(f"clausewatch is serving on http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
