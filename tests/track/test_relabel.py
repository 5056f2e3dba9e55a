"""`analyse --relabel`: a new model labels the provisions of versions analysed before it,
without touching change sets, events or the old model's labels."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import ChangeSet, Classification, Event, ProvisionText, Version
from clausewatch.store.queries import labels_for
from clausewatch.track.backfill import backfill_provisions, relabel_versions
from clausewatch.track.pipeline import Classifications, load_classifications

DATASET = Path(__file__).parents[1] / "versions" / "fixtures" / "dataset"


def _imported(store: Store) -> int:
    from clausewatch.versions.dataset import import_ota_dataset

    with store.sessions() as session:
        import_ota_dataset(session, DATASET)
    with store.session() as s:
        return s.scalar(select(func.count(Version.id))) or 0


def _newer_model(calls: list[int]) -> Classifications:
    """The shipped classifier under another model id, marking its results: stands for an
    upgraded model (same code path, a different id)."""
    shipped = load_classifications()
    assert shipped is not None

    def classify(texts: Sequence[str], language: str | None) -> list[Mapping[str, Any]]:
        calls.append(len(texts))
        return [{**r, "marker": "v2"} for r in shipped.classify(texts, language)]

    return Classifications(
        classify=classify, model_id="clausewatch-test-v2", languages=shipped.languages
    )


def _labellable(store: Store) -> set[str]:
    """Provision texts of versions in a language the classifier reads."""
    shipped = load_classifications()
    assert shipped is not None
    with store.session() as s:
        return set(
            s.scalars(
                select(ProvisionText.text_sha256)
                .join(Version, Version.id == ProvisionText.version_id)
                .where(Version.language.in_(sorted(shipped.languages)))
            )
        )


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        return (
            s.scalar(select(func.count(ChangeSet.id))) or 0,
            s.scalar(select(func.count(Event.id))) or 0,
            s.scalar(select(func.count(Classification.id))) or 0,
        )


def test_a_new_model_labels_every_analysed_provision_once(store: Store) -> None:
    versions = _imported(store)
    backfill_provisions(store, labels=load_classifications())
    change_sets, events, first_labels = _counts(store)
    assert change_sets == versions and first_labels > 0
    texts = _labellable(store)
    calls: list[int] = []
    summary = relabel_versions(store, labels=_newer_model(calls))
    assert summary.versions == versions
    assert summary.unlabelled_language == 0  # English and French: both are read
    assert summary.model == "clausewatch-test-v2"
    assert summary.texts == first_labels == len(texts)  # each distinct text once
    assert sum(calls) == summary.texts
    after = _counts(store)
    assert after == (change_sets, events, 2 * first_labels)  # the old labels are kept
    with store.session() as s:
        newest = labels_for(s, sorted(texts))
        assert {r.get("marker") for r in newest.values()} == {"v2"}
    again = relabel_versions(store, labels=_newer_model(calls))
    assert again.texts == 0 and _counts(store) == after


def test_relabelling_stopped_half_way_finishes_on_rerun(store: Store) -> None:
    versions = _imported(store)
    assert versions >= 2
    backfill_provisions(store, labels=load_classifications())
    done: list[int] = []

    def stop_after_first(version_id: int) -> None:
        done.append(version_id)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        relabel_versions(store, labels=_newer_model([]), on_done=stop_after_first)
    with store.session() as s:
        partly = s.scalar(
            select(func.count(Classification.id)).where(
                Classification.model == "clausewatch-test-v2"
            )
        )
    assert partly and partly > 0
    rest = relabel_versions(store, labels=_newer_model([]))
    with store.session() as s:
        total = s.scalar(
            select(func.count(Classification.id)).where(
                Classification.model == "clausewatch-test-v2"
            )
        )
    assert total == len(_labellable(store)) == partly + rest.texts


SWEDISH = """# Användarvillkor

Vi kan ändra dessa villkor när som helst. Om du fortsätter att använda tjänsten efter en
ändring godkänner du de nya villkoren.

Tvister ska avgöras av allmän domstol i Stockholm och svensk lag ska tillämpas.
"""


def _imported_with_swedish(store: Store, tmp_path: Path) -> None:
    """The fixture dataset plus one document in Swedish, a language without a model."""
    import shutil

    from clausewatch.versions.dataset import import_ota_dataset

    dataset = tmp_path / "dataset"
    shutil.copytree(DATASET, dataset)
    (dataset / "index.json").unlink(missing_ok=True)
    folder = dataset / "Svea Moln" / "Terms of Service"
    folder.mkdir(parents=True)
    (folder / "2024-05-01T00-00-00Z.md").write_text(SWEDISH, encoding="utf-8")
    with store.sessions() as session:
        import_ota_dataset(session, dataset)


def test_versions_in_a_language_without_a_model_stay_unlabelled(
    store: Store, tmp_path: Path
) -> None:
    _imported_with_swedish(store, tmp_path)
    backfill_provisions(store, labels=None)  # analysed before any model
    with store.session() as s:
        swedish_version = s.scalars(select(Version).where(Version.language == "sv")).one()
        swedish = set(
            s.scalars(
                select(ProvisionText.text_sha256).where(
                    ProvisionText.version_id == swedish_version.id
                )
            )
        )
    summary = relabel_versions(store, labels=_newer_model([]))
    assert summary.unlabelled_language == 1  # the Swedish one
    assert summary.languages_corrected == 0
    assert summary.texts == len(_labellable(store)) > 0
    with store.session() as s:
        labelled = set(s.scalars(select(Classification.text_sha256)))
    assert swedish and not (swedish - _labellable(store)) & labelled


def test_relabel_reads_a_wrongly_detected_language_again(store: Store) -> None:
    """A version stored with the wrong language (an older detector called terms set in
    capitals Igbo) got no labels; relabelling detects it again and labels it."""
    _imported(store)
    backfill_provisions(store, labels=None)
    with store.session() as s:
        version = s.scalars(select(Version).where(Version.language == "en")).first()
        assert version is not None
        version_id, text_sha = version.id, version.text_sha256
        version.language = "ig"
    summary = relabel_versions(store, labels=_newer_model([]))
    assert summary.languages_corrected == 1 and summary.unlabelled_language == 0
    with store.session() as s:
        again = s.get(Version, version_id)
        assert again is not None
        assert again.language == "en" and again.text_sha256 == text_sha
        own = set(
            s.scalars(
                select(ProvisionText.text_sha256).where(ProvisionText.version_id == version_id)
            )
        )
        labelled = set(
            s.scalars(select(Classification.text_sha256).where(Classification.language == "en"))
        )
    assert own and own <= labelled
    assert relabel_versions(store, labels=_newer_model([])).languages_corrected == 0


def test_analyse_relabel_from_the_command_line(settings: Settings, store: Store) -> None:
    _imported(store)
    args = [sys.executable, "-m", "clausewatch", "--data-dir", str(settings.data_dir)]
    if settings.database_url:
        args += ["--database-url", settings.database_url]
    first = subprocess.run([*args, "analyse", "--json"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "relabel" not in json.loads(first.stdout)
    again = subprocess.run(
        [*args, "analyse", "--relabel", "--json"], capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    row = json.loads(again.stdout)
    assert row["recorded"] == 0
    # The installed model labelled everything on the first run: nothing is left to do.
    assert row["relabel"]["texts"] == 0
    assert row["relabel"]["model"].startswith("clausewatch-linear-")
    assert row["relabel"]["versions"] > 0
