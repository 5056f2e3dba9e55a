"""`clausewatch track`: fetch due documents through every stage, with progress and a summary."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.track.pipeline import DocumentOutcome, load_classifications
from clausewatch.track.runner import TrackSummary, track

out = Console()
err = Console(stderr=True)


def run_track(
    settings: Settings,
    *,
    platform: str | None = None,
    document_id: int | None = None,
    force: bool = False,
    interval_hours: float = 6.0,
    show_progress: bool = True,
) -> TrackSummary:
    """Open the store, load the classifier once and track with a progress bar on stderr."""
    store = Store(settings)
    labels = load_classifications()
    progress = Progress(
        TextColumn("[bold]tracking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        disable=not show_progress,
        transient=False,
    )
    task = progress.add_task("", total=None)

    def planned(n: int) -> None:
        progress.update(task, total=n)

    def done(outcome: DocumentOutcome) -> None:
        progress.update(task, advance=1, description=f"{outcome.label}: {outcome.status}")

    try:
        with progress:
            return asyncio.run(
                track(
                    store,
                    settings,
                    platform=platform,
                    document_id=document_id,
                    force=force,
                    check_interval=timedelta(hours=interval_hours),
                    labels=labels,
                    on_planned=planned,
                    on_done=done,
                )
            )
    finally:
        store.close()


def print_summary(summary: TrackSummary) -> None:
    table = Table(title=f"{summary.documents} documents in {summary.elapsed_seconds:.1f} s")
    table.add_column("outcome")
    table.add_column("documents", justify="right")
    rows = [
        ("new versions", summary.counts["new_version"]),
        ("changed bytes, same text", summary.counts["changed"]),
        ("unchanged (verified)", summary.counts["unchanged"]),
        ("failed to fetch", summary.counts["failed"]),
        ("inaccessible (bot wall, empty, selector)", summary.counts["inaccessible"]),
    ]
    for name, count in rows:
        table.add_row(name, str(count))
    out.print(table)
    for problem in summary.problems:
        out.print(f"  [red]{problem.status}[/] {problem.label}: {problem.reason}", highlight=False)


def track_command(
    ctx: typer.Context,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Only this platform (slug or name).")
    ] = None,
    document: Annotated[
        int | None, typer.Option("--document", help="Only this document ID (always due).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Fetch every matching document, due or not.")
    ] = False,
    interval: Annotated[
        float,
        typer.Option("--interval-hours", help="A document is due this long after its last check."),
    ] = 6.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Fetch every due document and run it through the pipeline.

    New bytes are archived and chained in the ledger; a new text becomes a version, cut into
    provisions and classified; unchanged bytes only confirm the last capture ("last
    verified"). Failures and bot walls are recorded as events and never erase anything.
    Safe to interrupt and rerun.
    """
    from clausewatch.cli import settings_of

    summary = run_track(
        settings_of(ctx),
        platform=platform,
        document_id=document,
        force=force,
        interval_hours=interval,
        show_progress=not as_json,
    )
    if as_json:
        typer.echo(json.dumps(summary.to_json()))
    else:
        print_summary(summary)


def register(app: typer.Typer) -> None:
    app.command("track")(track_command)
