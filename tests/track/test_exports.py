from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.track.test_replay_reextract import _history

from clausewatch.archive.blobs import BlobStore
from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import Version
from clausewatch.track.exports import ExportError, export_dataset, export_provisions
from clausewatch.track.replay import replay
from clausewatch.versions.dataset import import_ota_dataset


@pytest.fixture
def replayed(store: Store, settings: Settings, tmp_path: Path) -> Store:
    snaps, decl = _history(tmp_path)
    replay(
        store,
        BlobStore(settings.blob_dir),
        snaps,
        declarations=decl,
        service="Example",
        terms_type="Terms of Service",
        labels=None,
    )
    return store


def test_dataset_round_trip(replayed: Store, tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    with replayed.session() as s:
        assert export_dataset(s, out) == 2
    index = json.loads((out / "index.json").read_text())
    assert index[0]["service"] == "Example" and len(index[0]["versions"]) == 2
    files = sorted(p.name for p in (out / "Example" / "Terms of Service").iterdir())
    assert files == ["2024-01-01T00-00-00Z.md", "2024-04-01T00-00-00Z.md"]
    fresh = Store(Settings(data_dir=tmp_path / "fresh"))
    with fresh.sessions() as session:
        import_ota_dataset(session, out)
    with fresh.session() as s, replayed.session() as r:
        ours = [v.text for v in r.scalars(select(Version).order_by(Version.fetched_at))]
        theirs = [v.text for v in s.scalars(select(Version).order_by(Version.fetched_at))]
        assert ours == theirs
    fresh.close()
    with replayed.session() as s, pytest.raises(ExportError, match="not an empty folder"):
        export_dataset(s, out)


def test_provisions_csv_and_jsonl(replayed: Store, tmp_path: Path) -> None:
    with replayed.session() as s:
        n_csv = export_provisions(s, tmp_path / "p.csv")
        n_jsonl = export_provisions(s, tmp_path / "p.jsonl")
        latest = s.scalars(select(Version).order_by(Version.fetched_at.desc())).first()
        assert latest is not None
    assert n_csv == n_jsonl > 0
    rows = list(csv.DictReader((tmp_path / "p.csv").open(encoding="utf-8")))
    assert len(rows) == n_csv and all(r["key"].startswith("CW-P-") for r in rows)
    lines = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text().splitlines()]
    for row in lines:
        assert latest.text[row["start"] : row["end"]] == row["text"]
    assert any("refund" in row["text"] for row in lines)
    with replayed.session() as s, pytest.raises(ExportError, match="unknown format"):
        export_provisions(s, tmp_path / "p.xml", fmt="xml")


def test_empty_store_exports_nothing(store: Store, tmp_path: Path) -> None:
    with store.session() as s:
        assert export_dataset(s, tmp_path / "d") == 0
        assert export_provisions(s, tmp_path / "p.csv") == 0
        assert s.scalar(select(func.count(Version.id))) == 0
    assert json.loads((tmp_path / "d" / "index.json").read_text()) == []
