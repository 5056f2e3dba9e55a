"""`clausewatch fetch URL` prints what came back and writes the body atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from fetch_helpers import HTML, ServerState
from typer.testing import CliRunner

from clausewatch.errors import ClausewatchError
from clausewatch.fetch.commands import register


def make_app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """A stand-in for the real root, which owns the settings."""

    return app


def test_fetch_command_writes_the_body(
    server: ServerState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAUSEWATCH_ALLOW_HOSTS", f"127.0.0.1:{server.port}")
    monkeypatch.setenv("CLAUSEWATCH_DATA_DIR", str(tmp_path / "data"))
    target = tmp_path / "out" / "page.html"
    result = CliRunner().invoke(
        make_app(), ["fetch", f"{server.base}/redirect/1", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert f"redirect -> {server.base}/page" in result.output
    assert "200 text/html; charset=windows-1252" in result.output
    assert target.read_bytes() == HTML
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]


def test_fetch_command_reports_a_refusal_as_an_error(
    server: ServerState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAUSEWATCH_ALLOW_HOSTS", "")
    monkeypatch.setenv("CLAUSEWATCH_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(make_app(), ["fetch", f"{server.base}/page"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ClausewatchError)
    assert "127.0.0.1 (loopback)" in str(result.exception)
