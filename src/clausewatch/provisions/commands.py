"""`clausewatch provisions ...`: segment a file, diff two files, read provisions from the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from clausewatch.errors import NotFoundError

if TYPE_CHECKING:
    from clausewatch.provisions.diff import ChangeSetData

provisions_app = typer.Typer(
    help="Provisions: segment versions into clauses, diff them, read their histories.",
    no_args_is_help=True,
)
out = Console(highlight=False)

_MARK = {"rights_affecting": "!!", "substantive": "! ", "cosmetic": "  "}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError("no such file", where=str(path)) from None
    except IsADirectoryError:
        raise NotFoundError("is a directory, not a Markdown file", where=str(path)) from None
    except UnicodeDecodeError as exc:
        raise NotFoundError(f"not UTF-8 text ({exc.reason})", where=str(path)) from None


@provisions_app.command("segment")
def segment_command(
    file: Annotated[Path, typer.Argument(help="A version's Markdown (or plain text) file.")],
) -> None:
    """Print the provisions of FILE as JSON lines (span, label, kind, heading path, text)."""
    from clausewatch.provisions.segment import segment

    for seg in segment(_read(file)):
        typer.echo(json.dumps(seg.to_json(), ensure_ascii=False))


def print_change_set(data: ChangeSetData) -> None:
    """The human-readable change summary: the paragraph, then one block per change."""
    from clausewatch.provisions.diff import word_diff

    out.print(f"[bold]{data.materiality.replace('_', '-')}[/]: {escape(data.summary)}")
    for change in data.changes:
        seg = (change.new or change.old)[0]
        where = " › ".join(seg.heading_path) or "(preamble)"
        label = f" {seg.label}" if seg.label else ""
        out.print()
        out.print(
            f"{_MARK.get(change.materiality, '  ')} [bold]{change.kind}[/] {change.materiality}"
            f"  {escape(where)}{escape(label)}  #{seg.ordinal}"
        )
        if change.reasons:
            out.print(Text(f"   why: {'; '.join(change.reasons)}"))
        if change.old and change.new and change.text_changed:
            line = Text("   ")
            for op, words in word_diff(change.old_text or "", change.new_text or ""):
                if op == "=":
                    line.append(words if len(words) < 80 else f"{words[:35]} … {words[-35:]}")
                elif op == "-":
                    line.append(f"[-{words}-]", style="red")
                else:
                    line.append(f"{{+{words}+}}", style="green")
                line.append(" ")
            out.print(line, soft_wrap=True)
        elif change.new and not change.old:
            out.print(Text(f"   + {change.new_text}", style="green"), soft_wrap=True)
        elif change.old and not change.new:
            out.print(Text(f"   - {change.old_text}", style="red"), soft_wrap=True)


@provisions_app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier version (Markdown).")],
    new: Annotated[Path, typer.Argument(help="The later version (Markdown).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the change set as JSON.")] = False,
) -> None:
    """Print the provision-level change summary between two Markdown files."""
    from clausewatch.provisions.diff import diff_versions

    data = diff_versions(_read(old), _read(new))
    if as_json:
        typer.echo(json.dumps(data.to_json(), ensure_ascii=False, indent=2))
    else:
        print_change_set(data)


@provisions_app.command("list")
def list_command(
    ctx: typer.Context,
    document: Annotated[int, typer.Option("--document", help="Document id.")],
    version: Annotated[int | None, typer.Option("--version", help="Version id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """List the provisions of a document as stored (latest recorded version by default)."""
    from clausewatch.cli import settings_of
    from clausewatch.provisions.record import document_provisions
    from clausewatch.store import Store

    store = Store(settings_of(ctx), migrate=False)
    try:
        with store.session() as session:
            states = document_provisions(session, document, version)
    finally:
        store.close()
    if not states:
        raise NotFoundError("no recorded provisions", where=f"document {document}")
    for state in states:
        if as_json:
            typer.echo(json.dumps(state.to_json(), ensure_ascii=False))
        else:
            head = " › ".join(state.heading_path)
            text = " ".join(state.text.split())
            out.print(Text(f"{state.key}  {head}\n    {text[:160]}"), soft_wrap=True)


@provisions_app.command("history")
def history_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A provision key such as CW-P-000123.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every version a provision appeared in, with its text in each."""
    from clausewatch.cli import settings_of
    from clausewatch.provisions.record import provision_history
    from clausewatch.store import Store

    store = Store(settings_of(ctx), migrate=False)
    try:
        with store.session() as session:
            history = provision_history(session, key)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(history.to_json(), ensure_ascii=False, indent=2))
        return
    out.print(Text(f"{history.key} {history.title}", style="bold"))
    previous = None
    for state in history.states:
        same = "(unchanged)" if state.text_sha256 == previous else ""
        out.print(f"  {state.fetched_at.isoformat()}  version {state.version_id}  {same}")
        if not same:
            out.print(Text(f"    {' '.join(state.text.split())}"), soft_wrap=True)
        previous = state.text_sha256


@provisions_app.command("record")
def record_command(
    ctx: typer.Context,
    document: Annotated[int, typer.Option("--document", help="Document id.")],
) -> None:
    """Record provisions and change sets for every version of a document, oldest first."""
    from sqlalchemy import select

    from clausewatch.cli import settings_of
    from clausewatch.provisions.record import record_version_provisions
    from clausewatch.store import Store
    from clausewatch.store.models import Version

    store = Store(settings_of(ctx), migrate=False)
    try:
        with store.session() as session:
            ids = session.scalars(
                select(Version.id)
                .where(Version.document_id == document)
                .order_by(Version.fetched_at, Version.id)
            ).all()
        if not ids:
            raise NotFoundError("no versions", where=f"document {document}")
        for version_id in ids:
            with store.session() as session:
                version = session.get(Version, version_id)
                assert version is not None
                change_set = record_version_provisions(session, version)
                out.print(f"version {version_id}: {change_set.materiality}")
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    app.add_typer(provisions_app, name="provisions")
