"""The offline demo: serve fictional platforms revision by revision, track them, show the app.

The demo's data directory is its own (marked with a file) so rerunning the demo starts fresh
without ever touching a real archive.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clausewatch.config import Settings
from clausewatch.declarations.registry import import_directory
from clausewatch.demo.catalog import load_manifest, write_declarations
from clausewatch.demo.server import DemoServer
from clausewatch.errors import ClausewatchError
from clausewatch.track.runner import TrackSummary

MARKER = ".clausewatch-demo"


@dataclass
class DemoReport:
    data_dir: Path
    revisions: list[TrackSummary] = field(default_factory=list)


def prepare_data_dir(data_dir: Path) -> None:
    """Start from an empty demo folder; refuse to wipe anything that is not a previous demo."""
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / MARKER).exists():
            raise ClausewatchError(
                "this folder holds data that is not a clausewatch demo; give the demo an empty "
                "or new --data-dir",
                where=str(data_dir),
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / MARKER).write_text("created by `clausewatch demo`; safe to delete\n")


def demo_settings(settings: Settings, server: DemoServer) -> Settings:
    host = server.base_url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
    allow = ",".join(h for h in (settings.allow_hosts, host) if h)
    return settings.model_copy(update={"allow_hosts": allow, "database_url": None})


def run_demo(
    settings: Settings,
    *,
    say: Callable[[str], None],
    track_revision: Callable[[Settings], TrackSummary],
) -> DemoReport:
    """Import the demo declarations, then track every revision of the demo sites in turn."""
    from clausewatch.store import Store

    prepare_data_dir(settings.data_dir)
    manifest = load_manifest()
    report = DemoReport(settings.data_dir)
    with DemoServer() as server:
        local = demo_settings(settings, server)
        # allowed_hosts is cached on the instance: build a fresh one from the updated fields
        local = Settings(**local.model_dump(exclude={"allowed_hosts"}))
        say(
            f"demo sites served at {server.base_url} ({len(manifest.platforms)} fictional platforms)"
        )
        declarations = write_declarations(server.base_url, settings.data_dir / "declarations")
        store = Store(local)
        with store.session() as session:
            summary = import_directory(session, settings.data_dir / "declarations")
        store.close()
        say(f"imported {len(declarations)} declarations: {summary.documents_created} documents")
        for revision in range(1, manifest.revisions + 1):
            server.set_revision(revision)
            say(f"revision {revision} of {manifest.revisions}: tracking every document")
            report.revisions.append(track_revision(local))
    return report
