from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from clausewatch.cli import app

runner = CliRunner()


def test_classify_reads_and_writes_json_lines() -> None:
    lines = [
        json.dumps({"text": "These terms are governed by the laws of Ireland."}),
        "",
        json.dumps({"id": "p2", "text": "Any dispute shall be settled by binding arbitration."}),
    ]
    result = runner.invoke(app, ["classify"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2
    assert rows[0]["claudette"] == ["choice_of_law"]
    assert rows[1]["id"] == "p2"
    assert "binding_arbitration" in rows[1]["types"]
    for row in rows:
        assert row["severity"] in {"low", "medium", "high"}
        assert row["confidence"] in {"low", "medium", "high"}
        assert row["evidence"] in {"Explicit document language", "Inferred"}


def test_bad_line_names_its_number_and_fails() -> None:
    lines = [json.dumps({"text": "Fine."}), json.dumps({"txt": "no text"}), "{"]
    result = runner.invoke(app, ["classify"], input="\n".join(lines) + "\n")
    assert result.exit_code == 2
    assert "line 2" in result.stderr
    assert 'missing a string "text"' in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stdout.splitlines()) == 1


def test_input_file(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "We may remove your content at any time."}) + "\n")
    result = runner.invoke(app, ["classify", "--input", str(path), "--scores"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert "content_removal" in row["types"]
    assert "scores" in row
    missing = runner.invoke(app, ["classify", "--input", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2
    assert "nope.jsonl" in missing.stderr


def test_taxonomy_command_lists_every_type() -> None:
    result = runner.invoke(app, ["taxonomy", "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) >= 40
    assert {"id", "category", "definition", "severity", "modifiers", "claudette", "tosdr"} <= set(
        rows[0]
    )
