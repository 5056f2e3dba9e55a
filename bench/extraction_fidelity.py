"""How close our extraction is to Open Terms Archive's, and how fast, on OTA's gold pairs.

Usage: .venv/bin/python bench/extraction_fidelity.py [PAIRS_DIR ...] [--failures DIR] [--runs N]

Each pair (see ../shared/data/ota/README.md) is a snapshot OTA stored, the declaration valid at
its fetch date and the Markdown OTA's engine (9.1.0) produced from them. For each pair we
extract the snapshot and compare:

* byte-equal: our Markdown == expected.md, byte for byte;
* whitespace-equal: equal after collapsing every run of whitespace to one space;
* token similarity: difflib.SequenceMatcher ratio over the two whitespace-token sequences
  (2 * matching tokens / total tokens; 1.0 = identical words in identical order).

Speed: per page, the best of N warm runs (default 5) of the whole extraction (decode, parse,
cleanups, remove/select, Markdown); reported as median and p90 ms and pages per second.
Baselines: OTA's published median for the dating HTML pairs on a 2-core machine (118 ms per
page, from the issue; the data README measured 131.6 ms), and a naive extractor timed in the
same run (lxml parse + text_content() of the first selected element: no cleanup, no Markdown),
so a same-machine ratio exists.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from clausewatch.declarations.model import (  # noqa: E402
    RangeSelector,
    ServiceDeclaration,
    TermsDeclaration,
    load_service,
    parse_date,
)
from clausewatch.extract import Snapshot, extract  # noqa: E402

OTA_MEDIAN_MS = 118.0
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ota"


@dataclass
class Pair:
    collection: str
    name: str
    kind: str
    snapshot: Snapshot
    terms: TermsDeclaration
    expected: str


@dataclass
class Result:
    pair: Pair
    output: str
    error: str | None
    seconds: float
    naive_seconds: float
    cpu_seconds: float

    @property
    def byte_equal(self) -> bool:
        return self.output == self.pair.expected

    @property
    def ws_equal(self) -> bool:
        return self.output.split() == self.pair.expected.split()

    @property
    def similarity(self) -> float:
        return token_similarity(self.output, self.pair.expected)


def token_similarity(a: str, b: str) -> float:
    """difflib ratio over whitespace tokens: 2·matches / (len(a) + len(b))."""
    ta, tb = a.split(), b.split()
    if ta == tb:
        return 1.0
    return difflib.SequenceMatcher(None, ta, tb, autojunk=False).ratio()


def load_pairs(folder: Path) -> list[Pair]:
    ota_root = folder.parent.parent
    services: dict[str, ServiceDeclaration] = {}
    pairs = []
    for pair_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        meta = json.loads((pair_dir / "meta.json").read_text(encoding="utf-8"))
        declaration = meta["declaration"]
        if declaration not in services:
            services[declaration] = load_service(ota_root / declaration, strict=False)
        fetched = parse_date(meta["fetch_date"])
        terms = services[declaration].terms_at(meta["terms_type"], fetched)
        snapshot_path = next(pair_dir.glob("snapshot.*"))
        kind = "pdf" if snapshot_path.suffix == ".pdf" else "html"
        snapshot = Snapshot(snapshot_path.read_bytes(), meta["mime_type"], meta["url"], fetched)
        expected = (pair_dir / "expected.md").read_text(encoding="utf-8")
        pairs.append(Pair(folder.parent.name, pair_dir.name, kind, snapshot, terms, expected))
    return pairs


def naive(pair: Pair) -> str:
    """The baseline: lxml parse and the text of the first selected element."""
    import lxml.html

    if pair.kind == "pdf":
        return ""
    tree = lxml.html.fromstring(pair.snapshot.content)
    selector = pair.terms.sources[0].select[0] if pair.terms.sources[0].select else "body"
    css = selector if isinstance(selector, str) else _range_start(selector)
    try:
        found = tree.cssselect(css)
    except Exception:
        found = []
    return str(found[0].text_content()) if found else ""


def _range_start(selector: RangeSelector) -> str:
    return selector.start_before or selector.start_after or "body"


def run(pair: Pair, runs: int) -> Result:
    output, error = "", None
    try:
        output = extract([pair.snapshot], pair.terms, min_words=0).markdown
    except Exception as exc:  # report every failure, keep measuring the rest
        error = f"{type(exc).__name__}: {exc}"
    best = naive_best = cpu_best = float("inf")
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        with contextlib.suppress(Exception):
            extract([pair.snapshot], pair.terms, min_words=0)
        best = min(best, time.perf_counter() - start)
        cpu_best = min(cpu_best, time.process_time() - cpu_start)
        start = time.perf_counter()
        naive(pair)
        naive_best = min(naive_best, time.perf_counter() - start)
    return Result(pair, output, error, best, naive_best, cpu_best)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(label: str, results: list[Result]) -> None:
    if not results:
        return
    n = len(results)
    sims = [r.similarity for r in results]
    ms = [r.seconds * 1000 for r in results]
    cpu_ms = [r.cpu_seconds * 1000 for r in results]
    naive_ms = [r.naive_seconds * 1000 for r in results]
    median_ms = statistics.median(ms)
    print(f"\n## {label}: {n} pairs")
    print(
        f"  byte-equal              {sum(r.byte_equal for r in results):4d}/{n}  "
        f"{100 * sum(r.byte_equal for r in results) / n:6.2f} %"
    )
    print(
        f"  whitespace-equal        {sum(r.ws_equal for r in results):4d}/{n}  "
        f"{100 * sum(r.ws_equal for r in results) / n:6.2f} %"
    )
    print(f"  token similarity        min {min(sims):.4f}  median {statistics.median(sims):.4f}")
    print(f"  errors                  {sum(r.error is not None for r in results)}")
    print(
        f"  time per page           median {median_ms:.2f} ms  p90 {percentile(ms, 0.9):.2f} ms"
        f"  ({1000 / statistics.mean(ms):.0f} pages/s)"
    )
    print(
        f"  CPU time per page       median {statistics.median(cpu_ms):.2f} ms  "
        f"p90 {percentile(cpu_ms, 0.9):.2f} ms  (process time, robust on a shared machine)"
    )
    if all(r.pair.kind == "html" for r in results):
        naive_median = statistics.median(naive_ms)
        print(
            f"  vs OTA (published)      {OTA_MEDIAN_MS:.0f} ms median → "
            f"{OTA_MEDIAN_MS / median_ms:.1f}x faster"
        )
        print(
            f"  vs naive lxml (same run) median {naive_median:.2f} ms → ratio ours/naive "
            f"{median_ms / naive_median:.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="*", type=Path)
    parser.add_argument("--failures", type=Path, help="write a diff of each non-equal pair here")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page (best is kept)")
    args = parser.parse_args(argv)
    folders = args.pairs or [DEFAULT_DATA / "demo" / "pairs", DEFAULT_DATA / "dating" / "pairs"]
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        print(f"pairs folder not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    everything: list[Result] = []
    for folder in folders:
        pairs = load_pairs(folder)
        for pair in pairs[:3]:  # warm-up: imports, regex compilation, caches
            run(pair, 1)
        results = [run(pair, args.runs) for pair in pairs]
        everything.extend(results)
        collection = folder.parent.name
        report(f"{collection} HTML", [r for r in results if r.pair.kind == "html"])
        report(f"{collection} PDF", [r for r in results if r.pair.kind == "pdf"])
    report("all HTML", [r for r in everything if r.pair.kind == "html"])
    report("all PDF", [r for r in everything if r.pair.kind == "pdf"])
    report("all pairs", everything)
    worst = sorted(everything, key=lambda r: r.similarity)[:10]
    print("\n## worst 10 pairs by token similarity")
    for r in worst:
        flag = "byte-equal" if r.byte_equal else ("ws-equal" if r.ws_equal else "differs")
        print(
            f"  {r.similarity:.4f}  {flag:10s}  {r.pair.collection}/{r.pair.name}"
            + (f"  ERROR {r.error}" if r.error else "")
        )
    if args.failures:
        args.failures.mkdir(parents=True, exist_ok=True)
        for r in everything:
            if not r.byte_equal:
                diff = difflib.unified_diff(
                    r.pair.expected.splitlines(True),
                    r.output.splitlines(True),
                    "expected.md",
                    "ours.md",
                    n=2,
                )
                target = args.failures / f"{r.pair.collection}__{r.pair.name}.diff"
                target.write_text("".join(diff) + (f"\nERROR {r.error}\n" if r.error else ""))
        print(f"\ndiffs of non-equal pairs written to {args.failures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
