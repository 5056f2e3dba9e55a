"""Importing OTA dataset releases: a tiny hand-written one and the real contrib dataset."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import Document, Event, Platform, Version
from clausewatch.versions.dataset import DatasetFileError, import_ota_dataset, parse_file_name
from clausewatch.versions.record import versions_of

FIXTURE = Path(__file__).parent / "fixtures" / "dataset"


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """The fixture dataset plus a file that is not UTF-8 (kept out of the repo: ruff reads .md)."""
    target = tmp_path / "dataset"
    shutil.copytree(FIXTURE, target)
    bad = target / "Acme Cloud" / "Privacy Policy" / "2024-03-01T00-00-00Z.md"
    bad.write_bytes(b"\xff\xfe not utf-8 \x80")
    return target


def test_file_names_are_fetch_dates() -> None:
    assert parse_file_name(Path("2023-05-04T10-00-00Z.md")) == datetime(2023, 5, 4, 10, tzinfo=UTC)
    assert parse_file_name(Path("2023-05-04T10-00-00.250Z.md")).microsecond == 250000
    for bad in ("2023-05-04.md", "2023-13-04T10-00-00Z.md", "notes.txt"):
        with pytest.raises(DatasetFileError) as caught:
            parse_file_name(Path("x") / bad)
        assert bad in str(caught.value)


def test_import_tiny_dataset(store: Store, dataset: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    with store.sessions() as session:
        summary = import_ota_dataset(
            session, dataset, progress=lambda done, total, label: seen.append((done, total, label))
        )
    assert summary.documents == 3 and summary.files == 8
    assert summary.platforms_created == 2 and summary.documents_created == 3
    # ToS: v1, whitespace-only re-extraction (not a version), v3; PP: v1; Björk: v1
    assert summary.versions_added == 4 and summary.versions_unchanged == 1
    assert summary.versions_rejected == 1  # the empty capture
    errors = sorted(str(e) for e in summary.errors)
    assert len(errors) == 2
    assert "not-a-date.md" in errors[1] or "not-a-date.md" in errors[0]
    assert any("2024-03-01T00-00-00Z.md" in e and "UTF-8" in e for e in errors)
    assert seen[-1][:2] == (3, 3)
    with store.session() as session:
        slugs = set(session.scalars(select(Platform.slug)))
        assert slugs == {"acme-cloud", "bjork-co"}
        tos = session.scalars(
            select(Document)
            .join(Platform)
            .where(Platform.slug == "acme-cloud", Document.terms_type == "Terms of Service")
        ).one()
        assert tos.url == "https://acme.example/terms"  # from index.json
        versions = versions_of(session, tos.id)
        assert [v.fetched_at for v in versions] == [
            datetime(2023, 3, 3, 10, tzinfo=UTC),
            datetime(2024, 6, 1, 10, tzinfo=UTC),
        ]
        assert [v.stated_date for v in versions] == ["2023-03-03", "2024-06-01"]
        assert {v.origin for v in versions} == {"dataset"}
        french = session.scalars(
            select(Version).join(Document).join(Platform).where(Platform.slug == "bjork-co")
        ).one()
        assert french.language == "fr" and french.stated_date == "2024-03-12"
        events = session.scalars(select(Event).where(Event.kind == "inaccessible")).all()
        assert [e.reason for e in events] == ["empty content"]


def test_rerun_adds_nothing(store: Store, dataset: Path) -> None:
    with store.sessions() as session:
        import_ota_dataset(session, dataset)
    with store.sessions() as session:
        again = import_ota_dataset(session, dataset)
    assert again.versions_added == 0 and again.platforms_created == 0
    assert again.documents_created == 0 and again.versions_unchanged == 5
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Version)) == 4
        assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_interrupted_import_keeps_finished_documents(store: Store, dataset: Path) -> None:
    def stop_after_first(done: int, total: int, label: str) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with store.sessions() as session, pytest.raises(KeyboardInterrupt):
        import_ota_dataset(session, dataset, progress=stop_after_first)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
    with store.sessions() as session:
        resumed = import_ota_dataset(session, dataset)
    assert resumed.documents_created == 2
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Version)) == 4


def test_missing_folder_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with store.sessions() as session, pytest.raises(Exception, match="not a dataset folder"):
        import_ota_dataset(session, tmp_path / "nope")


def test_real_contrib_dataset_matches_its_index(shared_data: Path, tmp_path: Path) -> None:
    directory = shared_data / "ota" / "contrib-dataset"
    index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    expected_versions = sum(len(entry["versions"]) for entry in index)
    store = Store(Settings(data_dir=tmp_path / "data"))
    try:
        with store.sessions() as session:
            summary = import_ota_dataset(session, directory)
        assert summary.errors == []
        assert summary.documents == len(index) == 431
        assert summary.files == expected_versions == 1048
        accounted = summary.versions_added + summary.versions_unchanged + summary.versions_rejected
        assert accounted == expected_versions
        # OTA re-extracted many documents after an engine upgrade, changing only whitespace:
        # those must not become versions, and stubs must not either; the rest must.
        assert summary.versions_unchanged > 0 and summary.versions_rejected > 0
        assert summary.versions_added > 0.8 * expected_versions
        with store.session() as session:
            assert (
                session.scalar(select(func.count()).select_from(Version)) == summary.versions_added
            )
            services = {entry["service"] for entry in index}
            assert session.scalar(select(func.count()).select_from(Platform)) == len(services)
            assert session.scalar(select(func.count()).select_from(Document)) == len(index)
    finally:
        store.close()
