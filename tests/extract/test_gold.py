"""Against OTA's own output: every HTML gold pair byte for byte, PDFs by token similarity."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from clausewatch.declarations.model import ServiceDeclaration, load_service, parse_date
from clausewatch.extract import Snapshot, extract

pytestmark = pytest.mark.shared_data


def _pairs(ota: Path) -> list[Path]:
    return sorted(
        p for c in ("demo", "dating") for p in (ota / c / "pairs").iterdir() if p.is_dir()
    )


def test_gold_pairs(shared_data: Path) -> None:
    ota = shared_data / "ota"
    services: dict[str, ServiceDeclaration] = {}
    html_mismatches: list[str] = []
    pdf_scores: list[float] = []
    for pair in _pairs(ota):
        meta = json.loads((pair / "meta.json").read_text())
        if meta["declaration"] not in services:
            services[meta["declaration"]] = load_service(ota / meta["declaration"], strict=False)
        when = parse_date(meta["fetch_date"])
        terms = services[meta["declaration"]].terms_at(meta["terms_type"], when)
        snapshot_file = next(pair.glob("snapshot.*"))
        snap = Snapshot(snapshot_file.read_bytes(), meta["mime_type"], meta["url"], when)
        out = extract([snap], terms, min_words=0).markdown
        expected = (pair / "expected.md").read_text()
        if snapshot_file.suffix == ".pdf":
            ratio = difflib.SequenceMatcher(None, out.split(), expected.split()).ratio()
            pdf_scores.append(ratio)
        elif out != expected:
            html_mismatches.append(pair.name)
    assert html_mismatches == []
    assert len(pdf_scores) == 5
    assert min(pdf_scores) >= 0.99
