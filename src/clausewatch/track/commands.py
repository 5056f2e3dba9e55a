"""`clausewatch track`: fetch due documents through every stage, with progress and a summary."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from clausewatch.progress import progress_bar

if TYPE_CHECKING:
    from clausewatch.config import Settings
    from clausewatch.track.pipeline import DocumentOutcome
    from clausewatch.track.runner import TrackSummary

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
    from clausewatch.store import Store
    from clausewatch.track.pipeline import load_classifications
    from clausewatch.track.runner import track

    store = Store(settings)
    labels = load_classifications()
    progress = progress_bar(err, label="tracking", enabled=show_progress)
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
    from rich.table import Table

    if summary.documents == 0:
        out.print(
            "No document is due. Import declarations with `clausewatch import ota DIR`, or "
            "pass --force to fetch every document now."
        )
        return
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


def reextract_command(
    ctx: typer.Context,
    platform: Annotated[str | None, typer.Option("--platform", help="Only this platform.")] = None,
    document: Annotated[
        int | None, typer.Option("--document", help="Only this document ID.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Rebuild versions from stored snapshots after an extractor or declaration change.

    Nothing is fetched. A text that changes only because of the new extraction is recorded
    as a technical version, which never alerts. Safe to interrupt and rerun.
    """
    from clausewatch.archive.blobs import BlobStore
    from clausewatch.cli import settings_of
    from clausewatch.store import Store
    from clausewatch.track.pipeline import load_classifications
    from clausewatch.track.reextract import reextract

    settings = settings_of(ctx)
    store = Store(settings)
    progress = progress_bar(err, label="re-extracting", enabled=not as_json)
    task = progress.add_task("", total=None)
    try:
        with progress:
            summary = reextract(
                store,
                BlobStore(settings.blob_dir),
                platform=platform,
                document_id=document,
                labels=load_classifications(),
                on_planned=lambda n: progress.update(task, total=n),
                on_done=lambda o: progress.update(task, advance=1, description=o.label),
            )
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(summary.to_json()))
        return
    out.print(
        f"{summary.documents} documents: {summary.technical_versions} technical versions, "
        f"{summary.new_versions} new versions, {summary.unchanged} unchanged, "
        f"{len(summary.skipped)} skipped",
        highlight=False,
    )
    for skipped in summary.skipped:
        out.print(f"  [yellow]skipped[/] {skipped.label}: {skipped.reason}", highlight=False)


def replay_command(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Folder of dated snapshots (or with sequence.json).")
    ],
    declarations: Annotated[
        Path, typer.Option("--declarations", help="Folder of OTA declarations.")
    ],
    service: Annotated[str, typer.Option("--service", help="Service name (its <Service>.json).")],
    terms_type: Annotated[
        str, typer.Option("--terms-type", help='Terms type, e.g. "Privacy Policy".')
    ],
) -> None:
    """Ingest dated snapshots as if fetched at those times; print a JSON summary.

    Files are named by ISO date (2025-09-21T00-32-16Z.html, 2025-09-21.html) or Wayback
    timestamps (20250921003216...), or listed in an OTA sequence.json. Each is archived and
    chained, then extracted with the declaration valid at its date. Rerunning adds nothing.
    """
    from clausewatch.archive.blobs import BlobStore
    from clausewatch.cli import settings_of
    from clausewatch.store import Store
    from clausewatch.track.pipeline import load_classifications
    from clausewatch.track.replay import replay

    settings = settings_of(ctx)
    store = Store(settings)
    try:
        summary = replay(
            store,
            BlobStore(settings.blob_dir),
            directory,
            declarations=declarations,
            service=service,
            terms_type=terms_type,
            labels=load_classifications(),
        )
    finally:
        store.close()
    typer.echo(json.dumps(summary.to_json()))


def analyse_command(
    ctx: typer.Context,
    document: Annotated[
        int | None, typer.Option("--document", help="Only this document ID.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    relabel: Annotated[
        bool,
        typer.Option(
            "--relabel",
            help="Also label the provisions of versions analysed before the installed model "
            "(after an upgrade or `clausewatch train`) and those labelled before labels were "
            "kept per document language; each version's language is detected again first. "
            "Earlier labels are kept; no change set or alert is touched.",
        ),
    ] = False,
) -> None:
    """Cut versions that have no provisions yet into provisions, diff and classify them.

    For versions imported with `import ota-dataset` (or recorded before a model existed).
    Each document is walked oldest first, one version per transaction; safe to interrupt
    and rerun.
    """
    from clausewatch.cli import settings_of
    from clausewatch.store import Store
    from clausewatch.track.backfill import backfill_provisions, relabel_versions
    from clausewatch.track.pipeline import load_classifications

    labels = load_classifications()
    if relabel and labels is None:
        err.print("[bold red]error:[/] --relabel: no classifier is installed", highlight=False)
        raise typer.Exit(2)
    store = Store(settings_of(ctx))
    progress = progress_bar(err, label="analysing", enabled=not as_json)
    task = progress.add_task("", total=None)

    def planned(n: int) -> None:
        progress.update(task, total=n)

    def done(_version_id: int) -> None:
        progress.update(task, advance=1)

    try:
        with progress:
            summary = backfill_provisions(
                store, labels=labels, document_id=document, on_planned=planned, on_done=done
            )
            relabelled = None
            if relabel and labels is not None:
                progress.update(task, description="relabelling", completed=0, total=None)
                relabelled = relabel_versions(
                    store, labels=labels, document_id=document, on_planned=planned, on_done=done
                )
    finally:
        store.close()
    if as_json:
        row: dict[str, object] = dict(summary.to_json())
        if relabelled is not None:
            row["relabel"] = relabelled.to_json()
        typer.echo(json.dumps(row))
        return
    out.print(f"{summary.recorded} versions analysed ({summary.versions} were pending)")
    if relabelled is not None:
        out.print(
            f"{relabelled.texts} provision texts labelled by {relabelled.model} across "
            f"{relabelled.versions} analysed versions"
            + (
                f"; {relabelled.unlabelled_language} in a language without a model"
                if relabelled.unlabelled_language
                else ""
            )
            + (
                f"; language read again and corrected in {relabelled.languages_corrected}"
                if relabelled.languages_corrected
                else ""
            )
        )


def export_dataset_command(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="A new or empty folder.")],
    technical: Annotated[
        bool, typer.Option("--technical/--no-technical", help="Include technical versions.")
    ] = True,
) -> None:
    """Write every version in OTA's dataset layout (<Service>/<Terms type>/<date>.md + index.json).

    `clausewatch import ota-dataset` reads it back.
    """
    from clausewatch.cli import settings_of
    from clausewatch.store import Store
    from clausewatch.track.exports import export_dataset

    store = Store(settings_of(ctx))
    try:
        with store.session() as session:
            n = export_dataset(session, directory, include_technical=technical)
    finally:
        store.close()
    out.print(f"{n} versions written to {directory}", highlight=False)


def export_provisions_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Output file (.csv or .jsonl).")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: by the file's suffix).")
    ] = None,
) -> None:
    """Write every provision of every latest version with its span, labels and text hash."""
    from clausewatch.cli import settings_of
    from clausewatch.store import Store
    from clausewatch.track.exports import export_provisions

    store = Store(settings_of(ctx))
    try:
        with store.session() as session:
            n = export_provisions(session, file, fmt=fmt)
    finally:
        store.close()
    out.print(f"{n} provisions written to {file}", highlight=False)


def register(app: typer.Typer) -> None:
    from clausewatch.cli import shared_group

    export_app = shared_group(app, "export")
    export_app.command("dataset")(export_dataset_command)
    export_app.command("provisions")(export_provisions_command)
    app.command("analyse")(analyse_command)
    app.command("track")(track_command)
    app.command("reextract")(reextract_command)
    app.command("replay")(replay_command)
