from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.track.conftest import CLAUSES, legal_page, replay_pages

from clausewatch.archive.blobs import BlobStore
from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import Capture, Document, Event, Version
from clausewatch.track.reextract import reextract
from clausewatch.track.replay import ReplayError, date_from_name, dated_snapshots, replay


def test_date_from_name_forms() -> None:
    assert date_from_name("2025-09-21T00-32-16Z.html") == datetime(
        2025, 9, 21, 0, 32, 16, tzinfo=UTC
    )
    assert date_from_name("2025-09-21.html") == datetime(2025, 9, 21, tzinfo=UTC)
    assert date_from_name("20250921003216id_.html") == datetime(2025, 9, 21, 0, 32, 16, tzinfo=UTC)
    assert date_from_name("terms.html") is None
    assert date_from_name("2025-13-40.html") is None


def test_undated_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "2025-01-01.html").write_text("x")
    (tmp_path / "latest.html").write_text("x")
    with pytest.raises(ReplayError, match=r"latest\.html"):
        dated_snapshots(tmp_path)
    with pytest.raises(ReplayError, match="no snapshots"):
        dated_snapshots(_empty(tmp_path))


def _empty(tmp_path: Path) -> Path:
    d = tmp_path / "empty"
    d.mkdir()
    return d


def _history(tmp_path: Path) -> tuple[Path, Path]:
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    texts = [
        ("2024-01-01", legal_page("Terms", CLAUSES)),
        ("2024-02-01", legal_page("Terms", CLAUSES, noise="noise")),
        ("2024-03-01", "<html><body><main>Access denied</main></body></html>"),
        (
            "2024-04-01",
            legal_page("Terms", [*CLAUSES, "You may cancel at any time and get a refund."]),
        ),
    ]
    for day, html in texts:
        (snaps / f"{day}.html").write_text(html)
    decl = tmp_path / "decl"
    decl.mkdir()
    (decl / "Example.json").write_text(
        json.dumps(
            {
                "name": "Example",
                "terms": {
                    "Terms of Service": {
                        "fetch": "https://example.com/terms",
                        "select": "main",
                        "remove": "script",
                    }
                },
            }
        )
    )
    return snaps, decl


def test_replay_counts_and_is_idempotent(store: Store, settings: Settings, tmp_path: Path) -> None:
    snaps, decl = _history(tmp_path)
    blobs = BlobStore(settings.blob_dir)
    first = replay(
        store,
        blobs,
        snaps,
        declarations=decl,
        service="Example",
        terms_type="Terms of Service",
        labels=None,
    )
    assert first.to_json()["snapshots"] == 4
    assert first.versions == 2 and first.inaccessible == 1 and first.added_versions == 2
    again = replay(
        store,
        blobs,
        snaps,
        declarations=decl,
        service="Example",
        terms_type="Terms of Service",
        labels=None,
    )
    assert again.added_versions == 0 and again.skipped_already_replayed == 4
    with store.session() as s:
        versions = s.scalars(select(Version).order_by(Version.fetched_at)).all()
        assert [v.fetched_at.date().isoformat() for v in versions] == ["2024-01-01", "2024-04-01"]
        assert all(v.origin == "replay" for v in versions)
        assert s.scalar(select(func.count(Event.id)).where(Event.kind == "inaccessible")) == 1


def test_replay_unknown_service_and_terms_type(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    snaps, decl = _history(tmp_path)
    blobs = BlobStore(settings.blob_dir)
    with pytest.raises(Exception, match="no declaration"):
        replay(store, blobs, snaps, declarations=decl, service="Nope", terms_type="X", labels=None)
    with pytest.raises(Exception, match="Cookie Policy"):
        replay(
            store,
            blobs,
            snaps,
            declarations=decl,
            service="Example",
            terms_type="Cookie Policy",
            labels=None,
        )


def test_reextract_after_declaration_change_is_technical(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    snaps, decl = _history(tmp_path)
    blobs = BlobStore(settings.blob_dir)
    replay(
        store,
        blobs,
        snaps,
        declarations=decl,
        service="Example",
        terms_type="Terms of Service",
        labels=None,
    )
    unchanged = reextract(store, blobs)
    assert unchanged.unchanged == 1 and unchanged.technical_versions == 0
    with store.session() as s:
        doc = s.scalars(select(Document)).one()
        doc.declaration = {
            "fetch": "https://example.com/terms",
            "select": "main",
            "remove": ["script", "h1"],
        }
    summary = reextract(store, blobs)
    assert summary.technical_versions == 1
    with store.session() as s:
        latest = s.scalars(select(Version).order_by(Version.id.desc())).first()
        assert latest is not None and latest.technical and latest.origin == "reextract"
        assert s.scalar(select(func.count(Capture.id))) == 4
    assert reextract(store, blobs).technical_versions == 0


def test_replay_cli_prints_summary(settings: Settings, tmp_path: Path) -> None:
    snaps, decl = _history(tmp_path)
    args = [sys.executable, "-m", "clausewatch", "--data-dir", str(settings.data_dir)]
    if settings.database_url:
        args += ["--database-url", settings.database_url]
    res = subprocess.run(
        [
            *args,
            "replay",
            str(snaps),
            "--declarations",
            str(decl),
            "--service",
            "Example",
            "--terms-type",
            "Terms of Service",
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert (out["snapshots"], out["versions"], out["inaccessible"]) == (4, 2, 1)
    bad = subprocess.run(
        [
            *args,
            "replay",
            str(tmp_path / "missing"),
            "--declarations",
            str(decl),
            "--service",
            "Example",
            "--terms-type",
            "Terms of Service",
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "missing" in bad.stderr and "Traceback" not in bad.stderr


def test_analyse_backfills_dataset_versions_once(store: Store) -> None:
    from clausewatch.store.models import ChangeSet, ProvisionText
    from clausewatch.track.backfill import backfill_provisions
    from clausewatch.versions.dataset import import_ota_dataset

    dataset = Path(__file__).parents[1] / "versions" / "fixtures" / "dataset"
    with store.sessions() as session:
        import_ota_dataset(session, dataset)
    with store.session() as s:
        versions = s.scalar(select(func.count(Version.id))) or 0
    assert versions > 0
    first = backfill_provisions(store, labels=None)
    assert first.recorded == versions
    again = backfill_provisions(store, labels=None)
    assert again.versions == 0 and again.recorded == 0
    with store.session() as s:
        assert s.scalar(select(func.count(ChangeSet.id))) == versions
        assert (s.scalar(select(func.count(ProvisionText.id))) or 0) > versions


def replay_one_page(
    store: Store, settings: Settings, tmp_path: Path, name: str, clauses: list[str]
) -> None:
    replay_pages(store, settings, tmp_path, name, {"2024-01-01": legal_page("Conditions", clauses)})


def replayed_labels(
    store: Store, settings: Settings, tmp_path: Path, language: str, clauses: list[str]
) -> list[dict[str, Any]]:
    """Replay one page of ``clauses``, check its version was detected as ``language`` and
    has its provisions, and return the stored labels."""
    from clausewatch.store.models import Classification, ProvisionText

    replay_one_page(store, settings, tmp_path, language, clauses)
    with store.session() as s:
        version = s.scalars(select(Version)).one()
        assert version.language == language
        assert (s.scalar(select(func.count(ProvisionText.id))) or 0) >= 3
        return [dict(c.result) for c in s.scalars(select(Classification))]


def test_texts_in_other_languages_are_not_labelled_by_the_english_model(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    clauses = [
        "Podemos modificar estas condiciones en cualquier momento y sin previo aviso.",
        "Cualquier litigio se someterá a los tribunales de Madrid y a la ley española.",
        "Usted conserva la propiedad de los contenidos que publica en el servicio.",
    ]
    assert replayed_labels(store, settings, tmp_path, "es", clauses) == []


def test_french_terms_are_labelled_by_their_cue_phrases(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    clauses = [
        "Nous pouvons modifier les présentes conditions à tout moment et sans préavis.",
        "Tout litige relèvera de la compétence exclusive des tribunaux de Paris.",
        "Vous conservez la propriété des contenus que vous publiez sur le service.",
    ]
    results = replayed_labels(store, settings, tmp_path, "fr", clauses)
    assert len(results) >= 3
    assert {r["language"] for r in results} == {"fr"}
    assert all(r["claudette"] == [] for r in results)  # no model judged fairness
    typed = {t for r in results for t in r["types"]}
    assert "jurisdiction" in typed
    assert all(r["evidence"] == "Explicit document language" for r in results if r["types"])


def test_german_terms_are_labelled_by_the_german_model(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    clauses = [
        "Wir können diese Bedingungen jederzeit und ohne vorherige Ankündigung ändern.",
        "Wir können Ihr Konto jederzeit und aus jedem beliebigen Grund sperren oder löschen.",
        "Sie behalten die Rechte an den Inhalten, die Sie über den Dienst veröffentlichen.",
        # No function words of any language: labelled by the document's (German) model.
        "Kündigung jederzeit möglich.",
    ]
    results = replayed_labels(store, settings, tmp_path, "de", clauses)
    assert len(results) >= 3
    assert {r["language"] for r in results} == {"de"}
    labelled = {k for r in results for k in r["claudette"]}
    assert "unilateral_change" in labelled
