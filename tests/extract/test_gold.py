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


def test_sequences_reproduce_otas_new_version_decisions(shared_data: Path) -> None:
    """Byte-comparing our extractions decides "new version" exactly where OTA's did."""
    from clausewatch.extract import ExtractionError

    ota = shared_data / "ota"
    disagreements = []
    total = 0
    for seq in sorted((ota / "sequences").iterdir()):
        info = json.loads((seq / "sequence.json").read_text())
        service = load_service(ota / info["declaration"], strict=False)
        last: str | None = None
        for item in info["snapshots"]:
            when = parse_date(item["fetch_date"])
            terms = service.terms_at(info["terms_type"], when)
            snap = Snapshot((seq / item["file"]).read_bytes(), "text/html", terms.location, when)
            try:
                text: str | None = extract([snap], terms, min_words=0).markdown
            except ExtractionError:
                text = None
            new = text is not None and text != last
            if new:
                last = text
            total += 1
            failed_like_ota = (text is None) == ("extraction_error" in item)
            if new != item["new_version"] or not failed_like_ota:
                disagreements.append(f"{seq.name}/{item['file']}")
    assert total == 145
    assert disagreements == []
