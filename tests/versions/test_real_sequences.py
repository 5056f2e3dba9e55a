"""On OTA's real snapshot sequences, we record exactly the versions OTA recorded.

The one deliberate difference: a 404 page OTA kept as a version (Mektoube) is an
inaccessibility event for us, so neither it nor the restored text after it is a version.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from clausewatch.declarations import load_service
from clausewatch.extract import ExtractionError, Snapshot, extract
from clausewatch.versions import check_content, decide

SEQUENCES = [
    "Bumble-Community-Guidelines",
    "Finya-Privacy-Policy",
    "LEX-Privacy-Policy",
    "Mektoube-Privacy-Policy",
    "Zoosk-Terms-of-Service",
    "eharmony-Trackers-Policy",
]
OTA_STUB_VERSIONS = {"Mektoube-Privacy-Policy": {"2025-11-18T12-33-42Z.html"}}
OTA_RESTORATIONS = {"Mektoube-Privacy-Policy": {"2025-11-19T12-33-50Z.html"}}


@pytest.mark.parametrize("name", SEQUENCES)
def test_versions_match_ota(shared_data: Path, name: str) -> None:
    folder = shared_data / "ota" / "sequences" / name
    spec = json.loads((folder / "sequence.json").read_text(encoding="utf-8"))
    service = load_service(shared_data / "ota" / spec["declaration"], strict=False)
    previous: str | None = None
    ours: list[str] = []
    for snap in spec["snapshots"]:
        fetched_at = datetime.fromisoformat(snap["fetch_date"].replace("Z", "+00:00"))
        terms = service.terms_at(spec["terms_type"], fetched_at)
        content = (folder / snap["file"]).read_bytes()
        try:
            markdown = extract([Snapshot(content, "text/html", terms.location, fetched_at)], terms)
        except ExtractionError:
            continue
        if check_content(markdown.markdown):
            continue
        decision = decide(previous, markdown.markdown)
        if decision.is_new:
            previous = decision.normalised
            ours.append(snap["file"])
    expected = [
        s["file"]
        for s in spec["snapshots"]
        if s["new_version"]
        and s["file"] not in OTA_STUB_VERSIONS.get(name, set()) | OTA_RESTORATIONS.get(name, set())
    ]
    assert ours == expected
