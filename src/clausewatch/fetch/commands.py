"""`clausewatch fetch URL`: fetch one URL exactly as the tracker would, to see why a document
fails (refused, blocked, too large, ...) without touching the store."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from clausewatch.fetch.client import FetchResult

out = Console()


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def fetch_command(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The URL to fetch.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the body to this file.")
    ] = None,
    scripts: Annotated[
        bool, typer.Option("--scripts", help="Render with Chromium (executeClientScripts).")
    ] = False,
    wait_for: Annotated[
        str | None, typer.Option("--wait-for", help="CSS selector to wait for (with --scripts).")
    ] = None,
    etag: Annotated[str | None, typer.Option("--etag", help="Send If-None-Match.")] = None,
    last_modified: Annotated[
        str | None, typer.Option("--last-modified", help="Send If-Modified-Since.")
    ] = None,
) -> None:
    """Fetch URL through the SSRF guard and limits; print what came back, or why nothing did.

    Loopback and private hosts are refused unless CLAUSEWATCH_ALLOW_HOSTS names them.
    """
    from clausewatch.cli import settings_of
    from clausewatch.fetch.client import Fetcher

    settings = settings_of(ctx)

    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(
                url,
                etag=etag,
                last_modified=last_modified,
                execute_client_scripts=scripts,
                wait_for=wait_for,
            )

    result = asyncio.run(go())
    for hop in result.redirects:
        out.print(f"redirect -> {hop}", highlight=False)
    if result.not_modified:
        out.print(f"{result.status} not modified  {result.url}", highlight=False)
        return
    out.print(
        f"{result.status} {result.mime_type or '?'}"
        f"{f'; charset={result.charset}' if result.charset else ''}  "
        f"{len(result.content)} bytes  {result.elapsed_ms:.0f} ms  {result.url}",
        highlight=False,
    )
    if result.etag or result.last_modified:
        out.print(f"etag={result.etag}  last-modified={result.last_modified}", highlight=False)
    for refused in result.refused_requests:
        out.print(f"refused sub-request: {refused}", highlight=False)
    if output is not None:
        _write_atomically(output, result.content)
        out.print(f"written to {output}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch_command)
