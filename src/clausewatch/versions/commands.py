"""`clausewatch import ota-dataset`, `clausewatch diff` and `clausewatch versions list`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clausewatch.declarations.commands import import_app
from clausewatch.errors import NotFoundError

out = Console()
err = Console(stderr=True)
versions_app = typer.Typer(help="List the versions of a document.", no_args_is_help=True)


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


@import_app.command("ota-dataset")
def import_ota_dataset_command(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="A dataset folder: <Service>/<Terms type>/<date>.md.")
    ],
) -> None:
    """Import the version history of an Open Terms Archive dataset release.

    Platforms, documents and dated versions are created; rerunning adds nothing, and an
    interrupted import keeps every document it finished. Files with a malformed name or
    undecodable text are reported and skipped.
    """
    from clausewatch.cli import settings_of
    from clausewatch.progress import progress_bar
    from clausewatch.store import Store
    from clausewatch.versions.dataset import import_ota_dataset

    store = Store(settings_of(ctx))
    try:
        with (
            progress_bar(err, transient=True) as bar,
            store.sessions() as session,
        ):
            task = bar.add_task("importing", total=None)

            def progress(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label[:60])

            summary = import_ota_dataset(session, directory, progress=progress)
    finally:
        store.close()
    for error in summary.errors:
        err.print(f"[red]skipped[/] {error}", highlight=False, soft_wrap=True)
    typer.echo(json.dumps(summary.to_json()))


def diff_versions(
    ctx: typer.Context,
    version_a: Annotated[int, typer.Argument(help="The older version's ID.")],
    version_b: Annotated[int, typer.Argument(help="The newer version's ID.")],
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text, markdown, html or json.")
    ] = DiffFormat.text,
) -> None:
    """Show the word-level differences between two versions, with counts."""
    from clausewatch.cli import settings_of
    from clausewatch.store import Store
    from clausewatch.versions.diff import diff_texts
    from clausewatch.versions.record import get_version

    store = Store(settings_of(ctx))
    try:
        with store.session() as session:
            old, new = get_version(session, version_a), get_version(session, version_b)
            for wanted, found in ((version_a, old), (version_b, new)):
                if found is None:
                    raise NotFoundError("no such version", where=f"version {wanted}")
            assert old is not None and new is not None
            result = diff_texts(old.text, new.text)
    finally:
        store.close()
    if fmt is DiffFormat.json:
        payload = {"old": version_a, "new": version_b, **result.to_json()}
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    rendered = {
        DiffFormat.text: result.to_text,
        DiffFormat.markdown: result.to_markdown,
        DiffFormat.html: result.to_html,
    }[fmt]()
    typer.echo(rendered, nl=not rendered.endswith("\n"))
    counts = result.counts
    err.print(
        f"{counts.words_added} words added, {counts.words_removed} removed, "
        f"{counts.words_changed} changed, in {counts.blocks} blocks",
        highlight=False,
    )


@versions_app.command("list")
def list_versions(
    ctx: typer.Context,
    document: Annotated[int, typer.Option("--document", "-d", help="The document's ID.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Every version of a document, oldest first."""
    from rich.table import Table

    from clausewatch.cli import settings_of
    from clausewatch.store import Store
    from clausewatch.store.models import Document
    from clausewatch.versions.record import versions_of

    store = Store(settings_of(ctx))
    try:
        with store.session() as session:
            if session.get(Document, document) is None:
                raise NotFoundError("no such document", where=f"document {document}")
            rows = [
                {
                    "id": v.id,
                    "fetched_at": v.fetched_at.isoformat(),
                    "words": v.word_count,
                    "language": v.language,
                    "stated_date": v.stated_date,
                    "technical": v.technical,
                    "origin": v.origin,
                    "sha256": v.text_sha256,
                }
                for v in versions_of(session, document)
            ]
    finally:
        store.close()
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    table = Table("id", "words", "lang", "stated date", "technical", "origin")
    table.add_column("fetched at", no_wrap=True)
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["words"]),
            str(row["language"] or ""),
            str(row["stated_date"] or ""),
            "yes" if row["technical"] else "",
            str(row["origin"]),
            str(row["fetched_at"]),
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command("diff")(diff_versions)
    app.add_typer(versions_app, name="versions")
