"""`clausewatch extract`: one snapshot (or one per combined source) → Markdown on stdout."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from clausewatch.errors import ClausewatchError, NotFoundError


def _parse_when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ClausewatchError(
            f"--date {value!r} is not an ISO 8601 date (e.g. 2024-05-31T12:32:14Z)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _mime_of(path: Path, content: bytes) -> str:
    if content[:5] == b"%PDF-" or path.suffix.lower() == ".pdf":
        return "application/pdf"
    return "text/html"


def extract_command(
    snapshot_files: Annotated[
        list[Path],
        typer.Argument(
            help="The snapshot (HTML or PDF); for combined documents one per source, in order.",
            show_default=False,
        ),
    ],
    declaration: Annotated[
        Path,
        typer.Option(
            "--declaration", help="The service's <Service>.json (history files beside it apply)."
        ),
    ],
    terms_type: Annotated[
        str, typer.Option("--terms-type", help='The terms type, e.g. "Privacy Policy".')
    ],
    date: Annotated[
        str | None,
        typer.Option("--date", help="Fetch time (ISO 8601): picks the declaration valid then."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="The URL the snapshot came from (default: the declared one)."),
    ] = None,
) -> None:
    """Print the Markdown OTA would record for SNAPSHOT_FILE under a declaration."""
    from clausewatch.declarations.model import load_service
    from clausewatch.extract import Snapshot, extract, filters_file_of

    if not declaration.is_file():
        raise NotFoundError("declaration file not found", where=str(declaration))
    when = _parse_when(date)
    service = load_service(declaration)
    terms = service.terms_at(terms_type, when)
    if len(snapshot_files) != len(terms.sources):
        raise ClausewatchError(
            f"{terms_type!r} combines {len(terms.sources)} source document(s); "
            f"give one snapshot file per source, in order (got {len(snapshot_files)})",
            where=str(declaration),
        )
    snapshots = []
    for path, source in zip(snapshot_files, terms.sources, strict=True):
        if not path.is_file():
            raise NotFoundError("snapshot file not found", where=str(path))
        content = path.read_bytes()
        location = url if (url and len(snapshot_files) == 1) else source.location
        snapshots.append(Snapshot(content, _mime_of(path, content), location, when))
    result = extract(snapshots, terms, filters_file=filters_file_of(service))
    typer.echo(result.markdown)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract_command)
