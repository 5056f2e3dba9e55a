"""The stage on real documents: OTA gold extractions and CLAUDETTE plain texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch.provisions.diff import diff_versions
from clausewatch.provisions.quote import locate
from clausewatch.provisions.segment import segment

PAIRS = "ota/dating/pairs"


def _pair(shared_data: Path, service: str) -> tuple[str, str]:
    dirs = sorted((shared_data / PAIRS).glob(f"{service}*"))
    if len(dirs) < 2:
        pytest.skip(f"fewer than two dated versions of {service}")
    return (dirs[0] / "expected.md").read_text(), (dirs[-1] / "expected.md").read_text()


def test_real_documents_keep_the_span_invariant(shared_data: Path) -> None:
    files = sorted((shared_data / PAIRS).glob("*/expected.md"))[:40]
    files += sorted((shared_data / "claudette-2021" / "original_text_en").glob("*.txt"))[:10]
    assert files
    for path in files:
        text = path.read_text()
        segments = segment(text)
        assert segments, path
        for seg in segments:
            assert text[seg.start : seg.end] == seg.text, (path, seg.ordinal)


def test_headings_of_an_ota_document(shared_data: Path) -> None:
    text = (
        shared_data / PAIRS / "Tinder_Terms-of-Service_2021-12-31T13-57-08Z" / "expected.md"
    ).read_text()
    segments = segment(text)
    eligible = next(s for s in segments if s.text.startswith("you are at least 18 years of age"))
    assert eligible.kind == "list_item"
    assert eligible.heading_path == ("TERMS OF USE", "2. Eligibility.")


def test_a_real_pair_gives_a_sensible_change_set(shared_data: Path) -> None:
    old, new = _pair(shared_data, "Bumble_Terms-of-Service_2026")
    data = diff_versions(old, new)
    assert data.counts["unchanged"] > data.counts["modified"] > 0
    assert data.summary.startswith("Compared with the previous version")
    for change in data.changes:
        if change.new:
            assert change.new[0].text == new[change.new[0].start : change.new[0].end]
    renumbered_refs = [c for c in data.changes if "Section 15" in (c.new_text or "")]
    assert renumbered_refs and all(c.materiality == "cosmetic" for c in renumbered_refs)


def test_tosdr_style_quote_is_found_in_a_real_text(shared_data: Path) -> None:
    text = (shared_data / "claudette-2021" / "original_text_en" / "Google.txt").read_text()
    quote = "you give Google (and those we work with) a worldwide licence to use"
    span = locate(quote.upper().replace(" ", "  "), text)
    assert span is not None
    assert text[span[0] : span[1]].lower() == quote.lower()
