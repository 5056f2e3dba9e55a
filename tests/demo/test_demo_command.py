"""`clausewatch demo --no-serve` end to end: every revision's promised verdict, from the store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from clausewatch.config import Settings
from clausewatch.demo.catalog import load_manifest
from clausewatch.store import Store
from clausewatch.store.models import ChangeSet, Document, Event, Platform, Version


def test_demo_tracks_every_revision_with_its_verdict(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    done = subprocess.run(
        [sys.executable, "-m", "clausewatch", "--data-dir", str(data), "demo", "--no-serve"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "revision 4 of 4" in done.stdout
    manifest = load_manifest()
    store = Store(Settings(data_dir=data))
    with store.session() as s:
        for platform in manifest.platforms:
            for doc in platform.documents:
                row = s.scalars(
                    select(Document)
                    .join(Platform)
                    .where(Platform.name == platform.name, Document.terms_type == doc.terms_type)
                ).one()
                versions = s.scalars(
                    select(Version).where(Version.document_id == row.id).order_by(Version.id)
                ).all()
                verdicts = [r.expected for r in doc.revisions]
                expected_versions = sum(v not in ("no-change", "inaccessible") for v in verdicts)
                assert len(versions) == expected_versions, (platform.name, doc.terms_type)
                events = s.scalars(select(Event).where(Event.document_id == row.id)).all()
                assert len(events) == verdicts.count("inaccessible")
                if verdicts[-1] == "rights-affecting":
                    change = s.scalars(
                        select(ChangeSet).where(ChangeSet.version_id == versions[-1].id)
                    ).one()
                    assert change.materiality == "rights_affecting", (platform.name, doc.terms_type)
    store.close()
    again = subprocess.run(
        [sys.executable, "-m", "clausewatch", "--data-dir", str(data), "verify"],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stdout


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    done = subprocess.run(
        [sys.executable, "-m", "clausewatch", "--data-dir", str(tmp_path), "demo", "--no-serve"],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "not a clausewatch demo" in done.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_a_busy_port_is_refused_before_any_work(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "clausewatch",
                "--data-dir",
                str(tmp_path / "d"),
                "demo",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0 and f"127.0.0.1:{port}" in done.stderr
    assert "another --port" in done.stderr and not (tmp_path / "d").exists()
