"""The commands as a user runs them: exit status, one line per problem, the export file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from archive_helpers import Fill
from sqlalchemy import text

from clausewatch.archive import BlobStore
from clausewatch.config import Settings
from clausewatch.store import Store

CLI = str(Path(sys.executable).with_name("clausewatch"))
LINE = re.compile(r"^(seq \d+|blob [0-9a-f]{64}): [a-z ]+: \S.*$")


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [CLI, "--data-dir", str(settings.data_dir)]
    if settings.database_url:
        cmd += ["--database-url", settings.database_url]
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, timeout=120, env={"COLUMNS": "80"}
    )


def test_verify_passes_on_an_intact_archive(settings: Settings, fill: Fill) -> None:
    fill(4)
    orphan = BlobStore(settings.blob_dir).put(b"fetched, but never committed")
    done = _run(settings, "verify")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"info: blob {orphan}: orphan blob: ")
    assert lines[1].startswith("OK: 4 ledger records, 4 captures, 4 blobs checked, 1 info;")
    assert "Traceback" not in done.stderr


def test_verify_reports_each_problem_on_one_line(
    settings: Settings, store: Store, fill: Fill
) -> None:
    fill(4)
    with store.session() as s:
        s.execute(text("UPDATE ledger SET url = 'https://b.example/' WHERE seq = 2"))
        s.execute(text("DELETE FROM ledger WHERE seq = 3"))
    done = _run(settings, "verify")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    problems, summary = lines[:-1], lines[-1]
    assert all(LINE.match(line) for line in problems), problems
    assert any(
        line.startswith("seq 2: record altered: url differs (ledger https://b.example/, capture ")
        for line in problems
    )
    assert "seq 3: record removed: record 3 is missing (the chain jumps from 2 to 4)" in problems
    assert summary.startswith(f"FAILED: {len(problems)} problem(s): 3 ledger records, 4 captures")

    quiet = _run(settings, "verify", "--quiet")
    assert quiet.returncode == 1
    assert quiet.stdout.splitlines() == problems


def test_verify_with_an_anchor(settings: Settings, store: Store, fill: Fill) -> None:
    fill(3)
    summary = _run(settings, "verify").stdout.splitlines()[-1]
    head = summary.rsplit(" ", 1)[-1]
    assert re.fullmatch(r"3:[0-9a-f]{64}", head)
    with store.session() as s:
        s.execute(text("DELETE FROM ledger WHERE seq = 3"))
        s.execute(text("DELETE FROM captures WHERE ledger_seq = 3"))
    done = _run(settings, "verify", "--quiet", "--anchor", head)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "seq 3: record removed: anchored record 3 is gone (the ledger ends at 2)"
    ]
    bad = _run(settings, "verify", "--anchor", "three")
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: --anchor: expected SEQ:HASH")


def test_export_warc(settings: Settings, fill: Fill, tmp_path: Path) -> None:
    fill(3)
    out = tmp_path / "all.warc.gz"
    done = _run(settings, "export", "warc", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote 3 captures to {out}"
    assert out.stat().st_size > 0

    missing = _run(settings, "export", "warc", str(tmp_path / "x.warc.gz"), "--document", "999")
    assert missing.returncode == 3
    assert missing.stderr.strip() == "error: --document: no document with id 999"
    assert not (tmp_path / "x.warc.gz").exists()
