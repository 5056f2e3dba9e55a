"""Change detection on real OTA snapshot sequences: versions we record vs. versions OTA recorded.

For each ``sequence.json`` under SEQUENCES_DIR (default ``../shared/data/ota/sequences``), every
snapshot is extracted with ``clausewatch.extract`` and the declaration valid at its fetch date,
checked (bot walls, near-empty) and fed in order through ``clausewatch.versions.decide``. A
snapshot is a version when ``decide`` says so; a failed extraction or a rejected text is an
inaccessibility event and leaves the last version in place, as in OTA.

Printed per sequence and in total: snapshots, versions recorded by us, by OTA
(``new_version`` in ``sequence.json``), false versions (ours, not OTA's), missed versions
(OTA's, not ours) split into real misses and those the issue's rule requires (OTA kept an
error page or stub as a version, and then the restored text as another; for us the stub is an
inaccessibility event and the restored text is the version we already hold), and extraction
failures (ours / OTA's). Measured in the same run:

- baseline ``bytes``: a new version whenever the raw snapshot's SHA-256 differs from the
  previous snapshot's (what a tracker without extraction records);
- reference ``md-bytes``: our extraction compared byte for byte, without normalisation.

A second figure reads an OTA dataset release (default ``../shared/data/ota/contrib-dataset``,
``--dataset``; ``--dataset ''`` skips it): OTA's consecutive versions of each document, which
all differ byte for byte, fed through ``check_content`` and ``decide``: how many we keep as
versions, how many differ only by invisible whitespace (OTA's re-extractions after engine
upgrades), how many are stubs or error pages.

    .venv/bin/python bench/change_detection.py [SEQUENCES_DIR] [--dataset DIR] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from clausewatch.declarations import load_service
from clausewatch.extract import ExtractionError, Snapshot, extract
from clausewatch.versions import check_content, decide

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "ota" / "sequences"
DEFAULT_DATASET = ROOT.parent / "shared" / "data" / "ota" / "contrib-dataset"


@dataclass
class Tally:
    name: str
    snapshots: int = 0
    ota_versions: int = 0
    ours: int = 0
    false_versions: int = 0
    missed: int = 0
    missed_by_rule: int = 0
    our_failures: int = 0
    ota_failures: int = 0
    baseline: int = 0
    baseline_false: int = 0
    md_bytes: int = 0
    md_bytes_false: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for key, value in asdict(other).items():
            if key != "name":
                setattr(self, key, getattr(self, key) + value)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def run_sequence(folder: Path, ota_root: Path) -> tuple[Tally, list[str]]:
    spec = json.loads((folder / "sequence.json").read_text(encoding="utf-8"))
    service = load_service(ota_root / spec["declaration"], strict=False)
    tally = Tally(folder.name)
    notes: list[str] = []
    previous_text: str | None = None
    previous_raw_md: str | None = None
    previous_bytes: str | None = None
    after_rejected_ota_version = False
    started = time.perf_counter()
    for snap in spec["snapshots"]:
        tally.snapshots += 1
        content = (folder / snap["file"]).read_bytes()
        fetched_at = _when(snap["fetch_date"])
        ota_new = bool(snap["new_version"])
        tally.ota_versions += ota_new
        tally.ota_failures += "extraction_error" in snap

        digest = hashlib.sha256(content).hexdigest()
        baseline_new = digest != previous_bytes
        previous_bytes = digest
        tally.baseline += baseline_new
        tally.baseline_false += baseline_new and not ota_new

        terms = service.terms_at(spec["terms_type"], fetched_at)
        snapshots = [Snapshot(content, "text/html", terms.location, fetched_at)]
        try:
            markdown: str | None = extract(snapshots, terms).markdown
            rejected = check_content(markdown) if markdown is not None else None
        except ExtractionError as exc:
            markdown, rejected = None, f"{exc.reason}: {exc.message}"
        if markdown is None or rejected:
            tally.our_failures += 1
            if ota_new:
                # OTA kept an error page or stub as a version; the rule says event.
                tally.missed_by_rule += 1
                after_rejected_ota_version = True
                notes.append(f"{snap['file']}: OTA version, for us an event ({rejected})")
            elif "extraction_error" not in snap:
                notes.append(f"{snap['file']}: event for us only ({rejected})")
            continue

        md_new = markdown != previous_raw_md
        previous_raw_md = markdown
        tally.md_bytes += md_new
        tally.md_bytes_false += md_new and not ota_new

        decision = decide(previous_text, markdown)
        if decision.is_new:
            previous_text = decision.normalised
            tally.ours += 1
            if not ota_new:
                tally.false_versions += 1
                notes.append(f"{snap['file']}: false version ({decision.reason})")
        elif ota_new and after_rejected_ota_version:
            # OTA's version after its error-page version restores the text we still hold.
            tally.missed_by_rule += 1
            notes.append(f"{snap['file']}: OTA version restoring the text before its stub")
        elif ota_new:
            tally.missed += 1
            notes.append(f"{snap['file']}: missed ({decision.reason})")
        after_rejected_ota_version = False
    tally.seconds = time.perf_counter() - started
    return tally, notes


def run_dataset(directory: Path) -> dict[str, int]:
    """OTA's recorded versions of every document, replayed through our decision."""
    counts = {"ota_versions": 0, "ours": 0, "noise": 0, "technical": 0, "rejected": 0}
    for doc_dir in sorted(p for p in directory.glob("*/*") if p.is_dir()):
        previous: str | None = None
        for path in sorted(doc_dir.glob("*.md")):
            counts["ota_versions"] += 1
            text = path.read_text(encoding="utf-8")
            if check_content(text):
                counts["rejected"] += 1
                continue
            decision = decide(previous, text)
            if decision.is_new:
                previous = decision.normalised
                counts["ours"] += 1
                counts["technical"] += decision.technical
            else:
                counts["noise"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sequences", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--json", action="store_true", help="print the tallies as JSON")
    args = parser.parse_args()
    folders = sorted(p for p in args.sequences.iterdir() if (p / "sequence.json").is_file())
    if not folders:
        sys.exit(f"no */sequence.json under {args.sequences}")
    ota_root = args.sequences.resolve().parent

    total = Tally("TOTAL")
    rows: list[Tally] = []
    all_notes: list[str] = []
    for folder in folders:
        tally, notes = run_sequence(folder, ota_root)
        rows.append(tally)
        total.add(tally)
        all_notes += [f"{folder.name}/{note}" for note in notes]

    dataset = run_dataset(args.dataset) if str(args.dataset) and args.dataset.is_dir() else None
    if args.json:
        print(json.dumps({"sequences": [asdict(r) for r in [*rows, total]], "dataset": dataset}))
        return
    header = (
        f"{'sequence':32} {'snaps':>5} {'OTA':>4} {'ours':>4} {'false':>5} {'missed':>6} {'rule':>4} "
        f"{'fail us/OTA':>11} {'bytes':>5} {'false':>5} {'md-bytes':>8} {'false':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in [*rows, total]:
        print(
            f"{r.name:32} {r.snapshots:5} {r.ota_versions:4} {r.ours:4} {r.false_versions:5} "
            f"{r.missed:6} {r.missed_by_rule:4} {f'{r.our_failures}/{r.ota_failures}':>11} {r.baseline:5} "
            f"{r.baseline_false:5} {r.md_bytes:8} {r.md_bytes_false:5}"
        )
    print()
    same = sum(r.ours == r.ota_versions for r in rows)
    explained = sum(r.ours + r.missed_by_rule == r.ota_versions for r in rows)
    print(
        f"sequences with identical version counts: {same}/{len(rows)}; identical once OTA's "
        f"error-page versions are counted as events: {explained}/{len(rows)}"
    )
    print(
        f"versions: ours {total.ours}, OTA {total.ota_versions}; false versions: ours "
        f"{total.false_versions}, baseline (raw bytes) {total.baseline_false}, "
        f"extraction without normalisation {total.md_bytes_false}"
    )
    ratio = f"{total.false_versions / total.baseline_false:.3f}" if total.baseline_false else "n/a"
    print(
        f"false versions ratio ours/baseline: {total.false_versions}/{total.baseline_false} = "
        f"{ratio}; missed versions: {total.missed} (plus {total.missed_by_rule} OTA versions "
        "that are an error page or its reversal, events by the issue's rule)"
    )
    print(f"time: {total.seconds:.2f} s for {total.snapshots} snapshots (extract + decide)")
    for note in all_notes:
        print("  " + note)
    if dataset is not None:
        print()
        print(
            f"dataset {args.dataset.name}: OTA versions {dataset['ota_versions']} (all distinct "
            f"files); ours {dataset['ours']} "
            f"({dataset['technical']} technical); whitespace-only, not versions for us: "
            f"{dataset['noise']}; stubs/error pages, events for us: {dataset['rejected']}; "
            f"ratio ours/OTA {dataset['ours'] / max(1, dataset['ota_versions']):.3f}"
        )


if __name__ == "__main__":
    main()
