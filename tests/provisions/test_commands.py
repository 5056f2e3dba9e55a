"""The CLI commands, through a Typer app that registers only this stage."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from clausewatch.errors import NotFoundError
from clausewatch.provisions.commands import register

app = typer.Typer()


@app.callback()
def _main() -> None:
    """Test app."""


register(app)
runner = CliRunner()


def test_segment_prints_json_lines(tmp_path: Path, terms: str) -> None:
    path = tmp_path / "terms.md"
    path.write_text(terms)
    result = runner.invoke(app, ["provisions", "segment", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows[0]["ordinal"] == 0
    assert all(terms[r["start"] : r["end"]] == r["text"] for r in rows)


def test_diff_human_and_json(tmp_path: Path, terms: str) -> None:
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(terms)
    new.write_text(terms.replace("at least 30 days", "at least 7 days"))
    human = runner.invoke(app, ["provisions", "diff", str(old), str(new)])
    assert human.exit_code == 0, human.output
    assert "rights-affecting" in human.output
    assert "period shortened from 30 to 7 days" in human.output
    as_json = runner.invoke(app, ["provisions", "diff", str(old), str(new), "--json"])
    payload = json.loads(as_json.output)
    assert payload["counts"]["modified"] == 1
    assert payload["materiality"] == "rights_affecting"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["provisions", "diff", str(tmp_path / "a.md"), str(tmp_path)])
    assert isinstance(result.exception, NotFoundError)
    assert str(tmp_path / "a.md") in str(result.exception)
