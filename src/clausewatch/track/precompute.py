"""Work that needs no database, done ahead of the writer in a worker process.

The writer is one thread (one SQLite writer, one ledger chain), so on a large run the CPU
stages behind it — extraction and, above all, classifying every provision — would queue on
one core while the other idles. A worker process extracts, segments and labels a fetched
document first; the writer then finds the extraction ready and every label in its memo.
The worker only computes: what it returns is used when it matches exactly what the writer
would have computed itself, so results never depend on whether it ran.
"""

from __future__ import annotations

import os
import threading
import time
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


#: How often a worker checks that the process that started it is still alive (seconds).
PARENT_CHECK_SECONDS = 1.0


def _exit_with(parent: int, interval: float) -> None:
    """Stop this process once ``parent`` is gone. A worker holds both ends of its task pipe
    (multiprocessing passes the whole queue), so when the parent is killed outright (SIGKILL,
    the OOM killer) no end-of-file ever reaches it: without this it would wait, holding the
    model in memory, forever."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)


def init_worker(parent: int | None = None, interval: float = PARENT_CHECK_SECONDS) -> None:
    global _labels
    if parent is not None:
        threading.Thread(
            target=_exit_with, args=(parent, interval), name="parent-watch", daemon=True
        ).start()
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
