"""`clausewatch verify` and `clausewatch export warc`: prove the archive intact, hand it over."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from clausewatch.errors import ConfigError
from clausewatch.progress import progress_bar

if TYPE_CHECKING:
    from rich.progress import TaskID
    from sqlalchemy.orm import Session

    from clausewatch.archive.blobs import BlobStore
    from clausewatch.archive.ledger import ChainHead
    from clausewatch.config import Settings

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def _snapshot_session(settings: Settings) -> Iterator[tuple[Session, BlobStore]]:
    """A read session that sees one consistent state while trackers keep appending."""
    from clausewatch.archive.blobs import BlobStore
    from clausewatch.store import Store

    store = Store(settings)
    try:
        with store.sessions() as session, session.begin():
            if not settings.is_sqlite:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session, BlobStore(settings.blob_dir)
    finally:
        store.close()


def _parse_anchor(value: str) -> ChainHead:
    from clausewatch.archive.ledger import ChainHead

    seq, _, record_hash = value.partition(":")
    if not (seq.isdigit() and re.fullmatch(r"[0-9a-f]{64}", record_hash)):
        raise ConfigError("expected SEQ:HASH, e.g. 12:<64 hex digits>", where="--anchor")
    return ChainHead(int(seq), record_hash)


def verify(
    ctx: typer.Context,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print problems only: no progress, info or summary."),
    ] = False,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            metavar="SEQ:HASH",
            help="A chain head printed by an earlier verify and kept elsewhere; the record at "
            "SEQ must still have HASH (catches a truncated or rewritten tail).",
        ),
    ] = None,
) -> None:
    """Re-hash every blob and the whole ledger chain; print each problem on one line.

    Exits with status 1 when anything other than an orphan blob (information) is found.
    """
    from clausewatch.archive.verify import verify_archive
    from clausewatch.cli import settings_of

    settings = settings_of(ctx)
    expected = _parse_anchor(anchor) if anchor is not None else None
    with (
        _snapshot_session(settings) as (session, blobs),
        progress_bar(err, enabled=not quiet and err.is_terminal, transient=True) as bar,
    ):
        tasks: dict[str, TaskID] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        report = verify_archive(session, blobs, progress=progress, anchor=expected)
    for problem in report.errors:
        out.print(problem.line(), markup=False)
    if not quiet:
        for problem in report.infos:
            out.print(f"info: {problem.line()}", markup=False)
        verdict = "OK" if report.ok else f"FAILED: {len(report.errors)} problem(s)"
        out.print(
            f"{verdict}: {report.records} ledger records, {report.captures} captures, "
            f"{report.blobs} blobs checked, {len(report.infos)} info; "
            f"head {report.head.seq}:{report.head.record_hash}",
            markup=False,
        )
    if not report.ok:
        raise typer.Exit(1)


def export_warc_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The .warc.gz file to write (replaced atomically).")],
    document: Annotated[
        int | None, typer.Option("--document", help="Export only this document's captures (id).")
    ] = None,
) -> None:
    """Write the captures as gzipped WARC 1.1 response records with their ledger links."""
    from clausewatch.archive.warc import export_warc
    from clausewatch.cli import settings_of

    settings = settings_of(ctx)
    with (
        _snapshot_session(settings) as (session, blobs),
        progress_bar(err, enabled=err.is_terminal, transient=True) as bar,
    ):
        task = bar.add_task("export", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        count = export_warc(session, blobs, file, document_id=document, progress=progress)
    out.print(f"wrote {count} captures to {file}", markup=False)


def register(app: typer.Typer) -> None:
    from clausewatch.cli import shared_group

    app.command("verify")(verify)
    shared_group(app, "export").command("warc")(export_warc_command)
