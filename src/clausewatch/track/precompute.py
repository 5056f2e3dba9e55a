"""Work that needs no database, done ahead of the writer in a worker process.

The writer is one thread (one SQLite writer, one ledger chain), so on a large run the CPU
stages behind it — extraction and, above all, classifying every provision — would queue on
one core while the other idles. A worker process extracts, segments and labels a fetched
document first; the writer then finds the extraction ready and every label in its memo.
The worker only computes: what it returns is used when it matches exactly what the writer
would have computed itself, so results never depend on whether it ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clausewatch.declarations import TermsDeclaration
from clausewatch.extract import Extraction, ExtractionError, Snapshot, extract
from clausewatch.provisions.segment import segment
from clausewatch.track.pipeline import (
    Classifications,
    labels_for_language,
    load_classifications,
    memo_key,
)
from clausewatch.versions.metadata import detect_language
from clausewatch.versions.normalise import normalise

#: Runs with fewer documents than this are not worth a worker's start-up (about a second).
MIN_DOCUMENTS = 40

_labels: Classifications | None = None


@dataclass(frozen=True)
class Precomputed:
    extraction: Extraction | None
    labels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def init_worker() -> None:
    global _labels
    _labels = load_classifications()


def precompute(
    snapshots: Sequence[Snapshot], terms: TermsDeclaration, filters_file: Path | None
) -> Precomputed:
    try:
        extraction = extract(snapshots, terms, filters_file=filters_file)
    except ExtractionError:
        return Precomputed(None)
    if _labels is None:
        return Precomputed(extraction)
    normalised = normalise(extraction.markdown)
    # The writer labels with the version's language, found from the same normalised text.
    language = detect_language(normalised)
    labels = labels_for_language(_labels, language)
    if labels is None:
        return Precomputed(extraction)
    texts = [s.text for s in segment(normalised)]
    results = labels.labels(texts)
    return Precomputed(
        extraction,
        {memo_key(t, language): dict(r) for t, r in zip(texts, results, strict=True)},
    )
