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


def parse_lines(lines: Iterable[str | bytes], source: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Yield (row, text) per non-blank line; raise with the line number on the first bad one.
    Byte lines are decoded one by one as UTF-8 (a byte-order mark on the first is dropped), so
    a bad byte is reported at its line after the lines before it were classified."""
    for number, raw in enumerate(lines, 1):
        where = f"{source}: line {number}"
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ClassifyInputError(
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1})",
                    where=where,
                ) from exc
        else:
            line = raw.removeprefix("\ufeff") if number == 1 else raw
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ClassifyInputError(f"not JSON ({exc.msg})", where=where) from exc
        if not isinstance(row, dict):
            raise ClassifyInputError('expected an object like {"text": "..."}', where=where)
        text = row.get("text")
        if not isinstance(text, str):
            raise ClassifyInputError('missing a string "text" field', where=where)
        language = row.get("language")
        if language is not None and not _is_language_code(language):
            raise ClassifyInputError(
                f'"language" must be a language code such as "de", not {language!r}', where=where
            )
        yield row, text


def _is_language_code(value: object) -> bool:
    return isinstance(value, str) and 2 <= len(value) <= 3 and value.isascii() and value.isalpha()


def classify_stream(
    lines: Iterable[str | bytes],
    output: IO[str],
    source: str = "<stdin>",
    scores: bool = False,
    language: str | None = None,
) -> int:
    """Classify JSON lines to JSON lines in batches; results for the lines before a bad line
    are written before the error is raised, so a long run keeps its work. ``language`` is
    the documents' language, for texts whose own words show none; a line's "language"
    field overrides it."""
    from clausewatch.classify.model import Classifier
    from clausewatch.classify.result import ClassificationResult

    if language is not None and not _is_language_code(language):
        raise ClassifyInputError(
            f"must be a language code such as de, not {language!r}", where="--language"
        )
    classifier = Classifier.load()
    if classifier.stale_cues:
        typer.echo(
            "note: the taxonomy's cue patterns changed since the model was trained; "
            "labels may drift until `clausewatch train` rebuilds it",
            err=True,
        )
    count = 0
    batch: list[tuple[dict[str, Any], str]] = []

    def flush() -> None:
        nonlocal count
        groups: dict[str | None, list[int]] = {}
        for i, (row, _) in enumerate(batch):
            groups.setdefault(row.get("language", language), []).append(i)
        results: list[ClassificationResult | None] = [None] * len(batch)
        for lang, indices in groups.items():
            found = classifier.classify([batch[i][1] for i in indices], lang)
            for i, labelled in zip(indices, found, strict=True):
                results[i] = labelled
        for (row, _), result in zip(batch, results, strict=True):
            assert result is not None
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
        language: Annotated[
            str | None,
            typer.Option(
                "--language",
                "-l",
                help="The documents' language (en, de, fr, it, pl): texts whose own words show "
                'none, such as headings, go to its model. A line\'s "language" overrides it.',
            ),
        ] = None,
    ) -> None:
        """Classify provisions: JSON lines {"text": ...} in, one JSON line of labels out each.

        Output keys: types, categories, severity, confidence, evidence, evidence_span
        (character offsets of the deciding span), claudette (UNFAIR-ToS labels of which the
        text is a potentially or clearly unfair instance) and degrees (2 potentially, 3
        clearly unfair). An "id" field in the input is copied to the output.

        Each text goes to the English, German, Italian or Polish model by its own function
        words; French texts are read by their cue phrases alone (explicit types only, no
        CLAUDETTE labels). Texts that show no language (headings, fragments) go to
        --language or the line's "language" field, else to the English model. "language"
        in the output names the model or cue phrases that labelled the text.
        """
        try:
            if input_file is None:
                classify_stream(sys.stdin.buffer, sys.stdout, "<stdin>", scores, language)
            else:
                try:
                    handle = input_file.open("rb")
                except OSError as exc:
                    raise ClassifyInputError(
                        f"cannot read: {exc.strerror}", where=str(input_file)
                    ) from exc
                with handle:
                    classify_stream(handle, sys.stdout, str(input_file), scores, language)
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
        models in its de/, it/ and pl/ sub-folders (their types are the English model's,
        carried over sentence by sentence to CLAUDETTE's translations). Never trains on
        Amazon, Snap, LinkedIn, Uber, Evernote or on the UNFAIR-ToS dev services."""
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
        language: Annotated[
            str | None,
            typer.Option(
                "--language",
                "-l",
                help="Show the cue phrases and severity conditions of this language "
                "(en, or one with a file in analysis/knowledge/cues/).",
            ),
        ] = None,
    ) -> None:
        """Print the provision types: id, category, default severity, CLAUDETTE mapping,
        how many cue phrases the language has for each ("+N next": phrases that state the
        type in a sentence after one that follow_after matches), and the languages whose
        cue phrases make the type explicit (--json adds the patterns and reading rules)."""
        from rich.table import Table

        from clausewatch.classify.taxonomy import load_taxonomy

        loaded = load_taxonomy()
        if language is not None and language not in loaded.languages:
            err.print(
                f"[bold red]error:[/] --language: no cue phrases for {language!r}; "
                f"languages with cues: {', '.join(loaded.languages)}",
                highlight=False,
            )
            raise typer.Exit(2)
        shown = loaded.for_language(language or loaded.language)
        cue_languages: dict[str, list[str]] = {t.id: [] for t in shown.types}
        for code in loaded.languages:
            for t in loaded.for_language(code).types:
                if t.cues:
                    cue_languages[t.id].append(code)
        if as_json:
            for provision_type in shown.types:
                row = provision_type.to_json()
                row["language"] = shown.language
                row["cue_languages"] = cue_languages[provision_type.id]
                typer.echo(json.dumps(row, ensure_ascii=False))
            return
        table = Table()
        table.add_column("id", no_wrap=True)
        for name in ("category", "severity", "claudette", f"{shown.language} cues", "cues in"):
            table.add_column(name)
        table.add_column("definition")
        for t in shown.types:
            table.add_row(
                t.id,
                t.category,
                t.severity,
                ",".join(t.claudette),
                f"{len(t.cues)} +{len(t.follow_cues)} next" if t.follow_cues else str(len(t.cues)),
                ",".join(cue_languages[t.id]),
                t.definition,
            )
        Console().print(table)
