from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.track.conftest import CLAUSES, Page, Site, legal_page, write_declarations

from clausewatch.archive.blobs import BlobStore
from clausewatch.archive.verify import verify_archive
from clausewatch.config import Settings
from clausewatch.declarations.registry import import_directory
from clausewatch.store import Store
from clausewatch.store.models import Capture, Document, Event, LedgerRecord, Version
from clausewatch.track.runner import track


def _run(store: Store, settings: Settings, **kw: object):  # type: ignore[no-untyped-def]
    return asyncio.run(track(store, settings, force=True, **kw))  # type: ignore[arg-type]


def _versions(store: Store, terms_type: str) -> list[Version]:
    with store.session() as s:
        doc = s.scalars(select(Document).where(Document.terms_type == terms_type)).one()
        return list(
            s.scalars(select(Version).where(Version.document_id == doc.id).order_by(Version.id))
        )


def test_track_records_versions_confirmations_and_events(
    store: Store, settings: Settings, site: Site, tmp_path: Path
) -> None:
    site.pages["/terms"] = Page(legal_page("Terms", CLAUSES))
    site.pages["/privacy"] = Page(legal_page("Privacy", CLAUSES[:2]))
    decl = write_declarations(
        tmp_path / "decl",
        site,
        {"Terms of Service": "/terms", "Privacy Policy": "/privacy", "Cookie Policy": "/gone"},
    )
    with store.session() as s:
        import_directory(s, decl)

    first = _run(store, settings)
    assert first.counts["new_version"] == 2
    assert first.counts["failed"] == 1
    assert "404" in first.problems[0].reason or "not found" in first.problems[0].reason.lower()

    again = _run(store, settings)
    assert again.counts["unchanged"] == 2 and again.counts["new_version"] == 0
    with store.session() as s:
        caps = s.scalars(select(Capture)).all()
        assert len(caps) == 2 and all(c.confirmations == 1 for c in caps)

    # Markup noise only: new bytes are archived, but no new version.
    site.pages["/terms"] = Page(legal_page("Terms", CLAUSES, noise="v2"))
    noisy = _run(store, settings, document_id=None)
    assert noisy.counts["changed"] == 1 and noisy.counts["new_version"] == 0
    assert len(_versions(store, "Terms of Service")) == 1

    # A real change of words: a new version.
    changed = [*CLAUSES[:3], "We are not liable for any losses whatsoever."]
    site.pages["/terms"] = Page(legal_page("Terms", changed))
    assert _run(store, settings).counts["new_version"] == 1
    versions = _versions(store, "Terms of Service")
    assert len(versions) == 2 and "any losses whatsoever" in versions[-1].text

    # A bot wall is an event; the latest version stays.
    site.pages["/terms"] = Page(
        "<html><head><title>Just a moment...</title></head><body>Checking your browser before "
        "accessing the site. Enable JavaScript and cookies to continue.</body></html>",
        status=403,
    )
    walled = _run(store, settings)
    assert walled.counts["failed"] + walled.counts["inaccessible"] >= 2
    assert len(_versions(store, "Terms of Service")) == 2
    with store.session() as s:
        kinds = [e.kind for e in s.scalars(select(Event))]
        assert kinds.count("inaccessible") >= 3
        report = verify_archive(s, BlobStore(settings.blob_dir))
        assert report.ok, report.problems


def test_only_due_documents_are_fetched(
    store: Store, settings: Settings, site: Site, tmp_path: Path
) -> None:
    site.pages["/terms"] = Page(legal_page("Terms", CLAUSES))
    decl = write_declarations(tmp_path / "decl", site, {"Terms of Service": "/terms"})
    with store.session() as s:
        import_directory(s, decl)
    assert asyncio.run(track(store, settings)).documents == 1
    assert asyncio.run(track(store, settings)).documents == 0
    assert site.hits["/terms"] == 1


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the parent follows it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; init reaps it


def test_kill_in_the_middle_then_rerun(settings: Settings, site: Site, tmp_path: Path) -> None:
    n = 60
    paths = {f"Terms {i:03d}": f"/doc/{i}" for i in range(n)}
    # The second half of the pages answer only once the test lets them, so the kill lands
    # after some captures were written and before all of them, however loaded the machine.
    release = threading.Event()
    for i, path in enumerate(paths.values()):
        site.pages[path] = Page(
            legal_page(f"Doc {i}", [f"Clause {i} {c}" for c in CLAUSES]),
            hold=release if i >= n // 2 else None,
        )
    decl = write_declarations(tmp_path / "decl", site, paths)
    args = [sys.executable, "-m", "clausewatch", "--data-dir", str(settings.data_dir)]
    if settings.database_url:
        args += ["--database-url", str(settings.database_url)]
    env = {
        **os.environ,
        "CLAUSEWATCH_ALLOW_HOSTS": "127.0.0.1",
        "CLAUSEWATCH_PER_HOST_CONCURRENCY": "2",
    }
    subprocess.run([*args, "import", "ota", str(decl)], check=True, env=env, capture_output=True)
    proc = subprocess.Popen(
        [*args, "track", "--force", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = Store(settings)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with store.session() as s:
            if (s.scalar(select(func.count(Capture.id))) or 0) >= 5:
                break
        time.sleep(0.02)
    helpers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    release.set()
    with store.session() as s:
        partial = s.scalar(select(func.count(Capture.id))) or 0
    assert 5 <= partial <= n // 2, "the kill must land in the middle of the run"
    # The labelling worker notices its parent is gone and stops, instead of holding the
    # model in memory forever (it never sees end-of-file on its task pipe).
    assert helpers, "the run had started its labelling worker"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in helpers):
        time.sleep(0.1)
    assert not [pid for pid in helpers if _alive(pid)]

    rerun = subprocess.run([*args, "track", "--json"], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    with store.session() as s:
        assert s.scalar(select(func.count(Capture.id))) == n
        assert s.scalar(select(func.count(LedgerRecord.seq))) == n
        assert s.scalar(select(func.count(func.distinct(Capture.document_id)))) == n
        assert s.scalar(select(func.count(Version.id))) == n
        assert verify_archive(s, BlobStore(settings.blob_dir)).ok
    store.close()
    check = subprocess.run([*args, "verify"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_document_that_breaks_the_pipeline_fails_alone(
    store: Store, settings: Settings, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clausewatch.track import runner

    site.pages["/terms"] = Page(legal_page("Terms", CLAUSES))
    site.pages["/privacy"] = Page(legal_page("Privacy", CLAUSES[:2]))
    decl = write_declarations(
        tmp_path / "decl", site, {"Terms of Service": "/terms", "Privacy Policy": "/privacy"}
    )
    with store.session() as s:
        import_directory(s, decl)
    real = runner.apply_fetch

    def flaky(session, blobs, document, terms, outcomes, **kw):  # type: ignore[no-untyped-def]
        if document.terms_type == "Privacy Policy":
            raise RuntimeError("boom")
        return real(session, blobs, document, terms, outcomes, **kw)

    monkeypatch.setattr(runner, "apply_fetch", flaky)
    summary = _run(store, settings)
    assert summary.counts["new_version"] == 1 and summary.counts["failed"] == 1
    assert "RuntimeError: boom" in summary.problems[0].reason
    with store.session() as s:
        assert [e.kind for e in s.scalars(select(Event))] == ["pipeline_error"]
        assert s.scalar(select(func.count(Capture.id))) == 1


DEAD_WRITER = """
import asyncio, sys
from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.track import runner

def dead(self, batch):
    raise ConnectionError("database went away")

runner._Writer.write = dead
settings = Settings(data_dir=sys.argv[1], allow_hosts="127.0.0.1")
asyncio.run(runner.track(Store(settings), settings, force=True))
"""


def test_a_dead_writer_stops_the_run_instead_of_hanging(site: Site, tmp_path: Path) -> None:
    paths = {f"Terms {i:03d}": f"/doc/{i}" for i in range(300)}
    for i, path in enumerate(paths.values()):
        site.pages[path] = Page(legal_page(f"Doc {i}", CLAUSES))
    decl = write_declarations(tmp_path / "decl", site, paths)
    settings = Settings(data_dir=tmp_path / "data", allow_hosts="127.0.0.1")
    store = Store(settings)
    with store.session() as s:
        import_directory(s, decl)
    store.close()
    done = subprocess.run(
        [sys.executable, "-c", DEAD_WRITER, str(settings.data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "ConnectionError: database went away" in done.stderr


def test_the_worker_process_changes_nothing_but_speed(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clausewatch.store.models import Classification, ProvisionText
    from clausewatch.track import precompute, runner
    from clausewatch.track.pipeline import load_classifications

    paths = {f"Terms {i:03d}": f"/doc/{i}" for i in range(precompute.MIN_DOCUMENTS)}
    for i, path in enumerate(paths.values()):
        clauses = [f"Clause {i}: {c}" for c in CLAUSES]
        site.pages[path] = Page(legal_page(f"Doc {i}", clauses))
    decl = write_declarations(tmp_path / "decl", site, paths)

    def run(name: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        settings = Settings(data_dir=tmp_path / name, allow_hosts="127.0.0.1")
        store = Store(settings)
        with store.session() as s:
            import_directory(s, decl)
        summary = asyncio.run(track(store, settings, force=True, labels=load_classifications()))
        assert summary.counts["new_version"] == len(paths)
        with store.session() as s:
            texts = sorted((t.text_sha256, t.text) for t in s.scalars(select(ProvisionText)))
            labels = sorted(
                (c.text_sha256, json.dumps(c.result, sort_keys=True))
                for c in s.scalars(select(Classification))
            )
        store.close()
        return texts, labels

    with_worker = run("with")
    monkeypatch.setattr(runner, "MIN_DOCUMENTS", 10**9)
    without = run("without")
    assert with_worker == without
    assert len(with_worker[1]) >= len(paths)
