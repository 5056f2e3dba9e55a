from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from clausewatch.config import Settings
from clausewatch.declarations.registry import import_directory, slugify
from clausewatch.store import Store
from clausewatch.store.models import DeclarationRecord, Document, Event, Platform


def test_slugify() -> None:
    assert slugify("Coffee Meets Bagel") == "coffee-meets-bagel"
    assert slugify("Bärchen & Co.") == "barchen-co"
    assert slugify("!!!")


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "decl"
    d.mkdir()
    (d / "Acme.json").write_text(
        json.dumps(
            {
                "name": "Acme",
                "terms": {
                    "Terms of Service": {"fetch": "https://acme.example/t", "select": "main"},
                    "Privacy Policy": {"fetch": "https://acme.example/p", "select": "main"},
                },
            }
        )
    )
    (d / "Acme.history.json").write_text(
        json.dumps(
            {
                "Terms of Service": [
                    {
                        "fetch": "https://acme.example/old",
                        "select": "body",
                        "validUntil": "2020-01-01T00:00:00Z",
                    }
                ]
            }
        )
    )
    (d / "Broken.json").write_text("[]")
    return d


def test_import_is_idempotent_and_records_problems(store: Store, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with store.session() as s:
        first = import_directory(s, folder)
    assert first.platforms_created == 1 and first.documents_created == 2
    assert first.declarations_added == 3
    with store.session() as s:
        again = import_directory(s, folder)
    assert again.platforms_created == 0 and again.documents_created == 0
    assert again.declarations_added == 0
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Platform)) == 1
        assert s.scalar(select(func.count()).select_from(Document)) == 2
        assert s.scalar(select(func.count()).select_from(DeclarationRecord)) == 3
        events = s.scalars(select(Event).where(Event.kind == "declaration_invalid")).all()
        assert len(events) == 1 and "Broken.json" in events[0].reason


def test_changed_declaration_updates_document_and_keeps_history(
    store: Store, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    with store.session() as s:
        import_directory(s, folder)
    (folder / "Acme.json").write_text(
        json.dumps(
            {
                "name": "Acme",
                "terms": {
                    "Terms of Service": {"fetch": "https://acme.example/t2", "select": "article"},
                    "Privacy Policy": {"fetch": "https://acme.example/p", "select": "main"},
                },
            }
        )
    )
    with store.session() as s:
        summary = import_directory(s, folder)
    assert summary.documents_updated == 1 and summary.declarations_added == 1
    with store.session() as s:
        doc = s.scalars(select(Document).where(Document.terms_type == "Terms of Service")).one()
        assert doc.url == "https://acme.example/t2"
        assert s.scalar(select(func.count()).select_from(DeclarationRecord)) == 4


def test_cli_validate_and_import(settings: Settings, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    exe = [sys.executable, "-m", "clausewatch"]
    env_args = ["--data-dir", str(settings.data_dir)]
    if settings.database_url:
        env_args += ["--database-url", settings.database_url]
    res = subprocess.run(
        [*exe, "declarations", "validate", str(folder)], capture_output=True, text=True
    )
    assert res.returncode == 1
    assert "Broken.json" in res.stdout and "1 errors in 1 files" in res.stdout
    res = subprocess.run(
        [*exe, *env_args, "import", "ota", str(folder)], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["documents_created"] == 2 and summary["errors"] == 1
    res = subprocess.run(
        [*exe, "declarations", "validate", str(tmp_path / "nope")], capture_output=True, text=True
    )
    assert res.returncode != 0 and "not a folder" in res.stderr
    assert "Traceback" not in res.stderr
