"""``kill -9`` in the middle of tracking, then a rerun: nothing half-written, verify passes."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from appender import content
from sqlalchemy import func, select

from clausewatch.archive import BlobStore, VerifyReport, verify_archive
from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import Blob, Capture, LedgerRecord

APPENDER = Path(__file__).with_name("appender.py")


def _command(settings: Settings, until: int, hang_at: int | None = None) -> list[str]:
    cmd = [
        sys.executable,
        str(APPENDER),
        "--data-dir",
        str(settings.data_dir),
        "--until",
        str(until),
    ]
    if settings.database_url:
        cmd += ["--database-url", settings.database_url]
    if hang_at is not None:
        cmd += ["--hang-at", str(hang_at)]
    return cmd


def _run_until_line(cmd: list[str], wanted: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == wanted:
            return proc
    proc.wait()
    pytest.fail(f"appender ended before {wanted!r}: {proc.stderr.read() if proc.stderr else ''}")


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def _rerun(settings: Settings, until: int) -> None:
    done = subprocess.run(_command(settings, until), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _assert_consistent(settings: Settings, expected: int) -> VerifyReport:
    store = Store(settings)
    blobs = BlobStore(settings.blob_dir)
    try:
        with store.session() as s:
            report = verify_archive(s, blobs)
            records = s.scalar(select(func.count()).select_from(LedgerRecord))
            ledgered = s.scalar(
                select(func.count()).select_from(Capture).where(Capture.ledger_seq.is_not(None))
            )
            captures = s.scalar(select(func.count()).select_from(Capture))
            seqs = s.scalars(select(LedgerRecord.seq).order_by(LedgerRecord.seq)).all()
            capture_ids = s.scalars(select(LedgerRecord.capture_id)).all()
            blob_rows = s.scalars(select(Blob.sha256)).all()
    finally:
        store.close()
    assert report.ok, [p.line() for p in report.errors]
    assert records == ledgered == captures == expected
    assert list(seqs) == list(range(1, expected + 1))
    assert len(set(capture_ids)) == len(capture_ids)
    for sha in blob_rows:
        assert blobs.rehash(sha) == sha
    assert {p.kind for p in report.problems} <= {"orphan_blob"}
    return report


def test_kill_inside_a_transaction_then_rerun(settings: Settings) -> None:
    Store(settings).close()
    proc = _run_until_line(_command(settings, until=10, hang_at=6), "hanging 6")
    _kill(proc)
    after_kill = _assert_consistent(settings, expected=5)
    unfinished = hashlib.sha256(content(6)).hexdigest()
    assert [(p.kind, p.sha) for p in after_kill.problems] == [("orphan_blob", unfinished)]
    _rerun(settings, until=10)
    after_rerun = _assert_consistent(settings, expected=10)
    assert after_rerun.problems == []


def test_kill_a_running_appender_then_rerun(settings: Settings) -> None:
    Store(settings).close()
    proc = _run_until_line(_command(settings, until=100_000), "committed 15")
    _kill(proc)
    store = Store(settings)
    with store.session() as s:
        survived = s.scalar(select(func.count()).select_from(LedgerRecord)) or 0
    store.close()
    assert survived >= 15
    _assert_consistent(settings, expected=survived)
    _rerun(settings, until=survived + 5)
    _assert_consistent(settings, expected=survived + 5)
