"""`clausewatch serve`: the web app and its JSON API."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from clausewatch.errors import ClausewatchError


def ensure_port_free(host: str, port: int) -> None:
    """Fail before any work is done when the web app could not listen where asked."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ClausewatchError(
                f"cannot listen there ({exc.strerror}); pass another --port", where=f"{host}:{port}"
            ) from None


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web pages and the JSON API (every page has a `.json` twin; docs at /api/docs)."""
    import uvicorn

    from clausewatch.cli import settings_of
    from clausewatch.web.app import create_app

    ensure_port_free(host, port)
    app = create_app(settings_of(ctx))
    typer.echo(f"clausewatch is serving on http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
