"""`clausewatch classify`, `clausewatch train` and `clausewatch taxonomy`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from clausewatch.errors import ClausewatchError

err = Console(stderr=True)
BATCH = 512


class ClassifyInputError(ClausewatchError):
    """A line of the classify input is not a JSON object with a string "text"."""

    exit_code = 2


def parse_lines(lines: Iterable[str], source: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Yield (row, text) per non-blank line; raise with the line number on the first bad one."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}: line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ClassifyInputError(f"not JSON ({exc.msg})", where=where) from exc
        if not isinstance(row, dict):
            raise ClassifyInputError('expected an object like {"text": "..."}', where=where)
        text = row.get("text")
        if not isinstance(text, str):
            raise ClassifyInputError('missing a string "text" field', where=where)
        yield row, text


def classify_stream(
    lines: Iterable[str], output: IO[str], source: str = "<stdin>", scores: bool = False
) -> int:
    """Classify JSON lines to JSON lines in batches; results for the lines before a bad line
    are written before the error is raised, so a long run keeps its work."""
    from clausewatch.classify.model import Classifier

    classifier = Classifier.load()
    count = 0
    batch: list[tuple[dict[str, Any], str]] = []

    def flush() -> None:
        nonlocal count
        results = classifier.classify([text for _, text in batch])
        for (row, _), result in zip(batch, results, strict=True):
            record = result.to_json()
            if not scores:
                record.pop("scores", None)
            if "id" in row:
                record = {"id": row["id"], **record}
            output.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += len(batch)
        batch.clear()

    try:
        for item in parse_lines(lines, source):
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
    finally:
        if batch:
            flush()
        output.flush()
    return count


def register(app: typer.Typer) -> None:
    @app.command("classify")
    def classify(
        input_file: Annotated[
            Path | None,
            typer.Option("--input", "-i", help="Read JSON lines from FILE instead of stdin."),
        ] = None,
        scores: Annotated[
            bool, typer.Option("--scores", help="Also print every head's probabilities.")
        ] = False,
    ) -> None:
        """Classify provisions: JSON lines {"text": ...} in, one JSON line of labels out each.

        Output keys: types, categories, severity, confidence, evidence, evidence_span
        (character offsets of the deciding span), claudette (UNFAIR-ToS labels of which the
        text is a potentially or clearly unfair instance) and degrees (2 potentially, 3
        clearly unfair). An "id" field in the input is copied to the output.
        """
        try:
            if input_file is None:
                classify_stream(sys.stdin, sys.stdout, "<stdin>", scores)
            else:
                try:
                    handle = input_file.open(encoding="utf-8")
                except OSError as exc:
                    raise ClassifyInputError(
                        f"cannot read: {exc.strerror}", where=str(input_file)
                    ) from exc
                with handle:
                    classify_stream(handle, sys.stdout, str(input_file), scores)
        except ClausewatchError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None

    @app.command("train")
    def train(
        data: Annotated[
            Path, typer.Option("--data", help="The labelled corpora (shared/data).")
        ] = Path("../shared/data"),
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Where to write the model (default: the package's)."),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    ) -> None:
        """Rebuild the classifier from the labelled corpora (reproducible: same data and seed,
        same arrays): the English model in the target folder and German, Italian and Polish
        models in its de/, it/ and pl/ sub-folders. Never trains on Amazon, Snap, LinkedIn,
        Uber, Evernote or on the UNFAIR-ToS dev services."""
        from clausewatch.classify import train as training

        target = out or Path(__file__).parent / "model"
        try:
            with err.status("loading corpora") as status:

                def progress(message: str) -> None:
                    err.print(message, highlight=False)
                    status.update(message)

                models, paths = training.train_all(data, target, seed=seed, progress=progress)
        except ClausewatchError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        for path in paths:
            err.print(f"wrote {path} ({path.stat().st_size:,} bytes)", highlight=False)
        for model in models:
            typer.echo(model.meta["model_id"])

    @app.command("taxonomy")
    def taxonomy(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
    ) -> None:
        """Print the provision types: id, category, default severity, CLAUDETTE mapping."""
        from rich.table import Table

        from clausewatch.classify.taxonomy import load_taxonomy

        loaded = load_taxonomy()
        if as_json:
            for provision_type in loaded.types:
                typer.echo(json.dumps(provision_type.to_json(), ensure_ascii=False))
            return
        table = Table()
        table.add_column("id", no_wrap=True)
        for name in ("category", "severity", "claudette", "definition"):
            table.add_column(name)
        for t in loaded.types:
            table.add_row(t.id, t.category, t.severity, ",".join(t.claudette), t.definition)
        Console().print(table)
