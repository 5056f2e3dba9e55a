"""`clausewatch extract` prints Markdown and turns user errors into one line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from clausewatch.cli import app
from clausewatch.extract.commands import extract_command  # noqa: F401  (registered by cli)

runner = CliRunner()


def _declaration(tmp_path: Path) -> Path:
    decl = tmp_path / "Example.json"
    decl.write_text(
        json.dumps(
            {
                "name": "Example",
                "terms": {
                    "Terms of Service": {"fetch": "https://example.com/tos", "select": "main"},
                    "Privacy Policy": {
                        "combine": [
                            {"fetch": "https://example.com/p1"},
                            {"fetch": "https://example.com/p2"},
                        ],
                        "select": "article",
                    },
                },
            }
        )
    )
    (tmp_path / "Example.history.json").write_text(
        json.dumps(
            {
                "Terms of Service": [
                    {
                        "fetch": "https://example.com/tos",
                        "select": "#old",
                        "validUntil": "2020-01-01T00:00:00Z",
                    }
                ]
            }
        )
    )
    return decl


def test_extract_prints_markdown(tmp_path: Path) -> None:
    decl = _declaration(tmp_path)
    snap = tmp_path / "tos.html"
    body = " ".join(["Clause"] * 25)
    snap.write_text(f'<main><h1>Terms</h1><p>{body}</p><a href="/x">x</a></main>')
    result = runner.invoke(
        app, ["extract", str(snap), "--declaration", str(decl), "--terms-type", "Terms of Service"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Terms\n=====\n\n" + body)
    assert "[x](https://example.com/x)" in result.output


def test_history_is_honoured_with_date(tmp_path: Path) -> None:
    decl = _declaration(tmp_path)
    snap = tmp_path / "tos.html"
    old = " ".join(["Old"] * 25)
    snap.write_text(f'<div id="old"><p>{old}</p></div><main><p>New</p></main>')
    args = ["extract", str(snap), "--declaration", str(decl), "--terms-type", "Terms of Service"]
    result = runner.invoke(app, [*args, "--date", "2019-06-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == old


def test_combined_document_takes_one_file_per_source(tmp_path: Path) -> None:
    decl = _declaration(tmp_path)
    files = []
    for i in (1, 2):
        f = tmp_path / f"p{i}.html"
        f.write_text(f"<article><p>{' '.join([f'Part{i}'] * 25)}</p></article>")
        files.append(str(f))
    args = ["--declaration", str(decl), "--terms-type", "Privacy Policy"]
    result = runner.invoke(app, ["extract", *files, *args])
    assert result.exit_code == 0, result.output
    assert "\n\n- - -\n\n" in result.output
    one = runner.invoke(app, ["extract", files[0], *args])
    assert one.exit_code != 0
    assert "one snapshot file per source" in str(one.exception)


def test_user_errors_are_clausewatch_errors(tmp_path: Path) -> None:
    decl = _declaration(tmp_path)
    snap = tmp_path / "tos.html"
    snap.write_text("<div>nothing here</div>")
    base = ["--declaration", str(decl)]
    missing = runner.invoke(
        app, ["extract", str(tmp_path / "nope.html"), *base, "--terms-type", "Terms of Service"]
    )
    assert missing.exit_code != 0 and "snapshot file not found" in str(missing.exception)
    unknown = runner.invoke(app, ["extract", str(snap), *base, "--terms-type", "Imprint"])
    assert unknown.exit_code != 0 and "no terms type 'Imprint'" in str(unknown.exception)
    nothing = runner.invoke(app, ["extract", str(snap), *base, "--terms-type", "Terms of Service"])
    assert nothing.exit_code != 0 and "'main'" in str(nothing.exception)


def test_error_is_one_line_and_nonzero_exit(tmp_path: Path) -> None:
    import subprocess
    import sys

    decl = _declaration(tmp_path)
    snap = tmp_path / "tos.html"
    snap.write_text("<div>nothing here</div>")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from clausewatch.cli import run; run()",
            "extract",
            str(snap),
            "--declaration",
            str(decl),
            "--terms-type",
            "Terms of Service",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "matched nothing" in lines[0]


def test_extract_at_picks_the_declaration_valid_at_fetch_time(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from clausewatch.declarations.model import load_service
    from clausewatch.extract import Snapshot, extract_at

    service = load_service(_declaration(tmp_path))
    old = " ".join(["Old"] * 25)
    new = " ".join(["New"] * 25)
    html = f'<div id="old"><p>{old}</p></div><main><p>{new}</p></main>'.encode()

    def at(year: int) -> str:
        when = datetime(year, 1, 1, tzinfo=UTC)
        snap = Snapshot(html, "text/html", "https://example.com/tos", when)
        return extract_at(service, "Terms of Service", [snap]).markdown

    assert at(2019) == old
    assert at(2024) == new
