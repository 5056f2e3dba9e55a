"""The versions stage's commands, run through the real CLI on a real SQLite store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from clausewatch.cli import app
from clausewatch.errors import NotFoundError

FIXTURE = Path(__file__).parent / "fixtures" / "dataset"


def test_import_list_and_diff(tmp_path: Path) -> None:
    runner = CliRunner()
    dataset = tmp_path / "dataset"
    shutil.copytree(FIXTURE, dataset)
    base = ["--data-dir", str(tmp_path / "data")]

    result = runner.invoke(app, [*base, "import", "ota-dataset", str(dataset)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["versions_added"] == 4 and summary["documents"] == 3
    assert any("not-a-date.md" in e for e in summary["errors"])

    again = runner.invoke(app, [*base, "import", "ota-dataset", str(dataset)])
    assert json.loads(again.stdout.strip().splitlines()[-1])["versions_added"] == 0

    listed = runner.invoke(app, [*base, "versions", "list", "--document", "2", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["stated_date"] for r in rows] == ["2023-03-03", "2024-06-01"]
    old, new = rows[0]["id"], rows[1]["id"]

    as_json = runner.invoke(app, [*base, "diff", str(old), str(new), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    counts = json.loads(as_json.stdout)["counts"]
    assert counts["words_changed"] == 4  # March 3 2023 -> June 1 2024, 16 -> 18
    as_text = runner.invoke(app, [*base, "diff", str(old), str(new)])
    assert "[-16-]{+18+}" in as_text.stdout
    as_html = runner.invoke(app, [*base, "diff", str(old), str(new), "-f", "html"])
    assert "<del>16</del><ins>18</ins>" in as_html.stdout

    missing = runner.invoke(app, [*base, "diff", str(old), "9999"])
    assert missing.exit_code != 0
    assert isinstance(missing.exception, NotFoundError)
    assert "version 9999" in str(missing.exception)
