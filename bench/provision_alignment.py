"""Provision alignment: precision/recall per edit kind, materiality accuracy, and speed.

Real documents (CLAUDETTE plain texts and OTA ``expected.md`` files) get seeded random edits of
known kinds; the detected change set is compared with the edits applied. Then two ~10,000-word
versions are aligned, timed beside difflib baselines measured in the same run.

    .venv/bin/python bench/provision_alignment.py [DATA_DIR] [--trials N] [--seed S] [--pairs]
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from clausewatch.provisions.align import align, normalize
from clausewatch.provisions.diff import diff_segments
from clausewatch.provisions.segment import _OBLIGATION, Segment, segment, split_sentences

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("typo", "reword", "insert", "delete", "move", "split", "merge", "renumber")
COSMETIC = {"typo": True, "renumber": True, "move": True, "split": True, "merge": True}
VOCAB = [
    "platform",
    "company",
    "information",
    "partners",
    "content",
    "account",
    "members",
    "materials",
    "features",
    "affiliates",
    "customers",
    "providers",
    "products",
    "purposes",
    "obligations",
    "conditions",
    "agreement",
    "software",
    "website",
    "notices",
    "requests",
    "payments",
    "subscriptions",
]
#: Words the segmenter reads to cut long paragraphs into sentence groups (plus a few modal
#: ones): a typo there changes the segmentation itself, so edits avoid them.
PROTECTED = {"shall", "cannot", "without", "unless", "except", "agree", "agrees", "waive"} | set(
    _OBLIGATION.pattern.split("(")[1].split(")")[0].replace("'", "").split("|")
)


@dataclass
class Doc:
    name: str
    text: str
    segments: list[Segment]


#: A change named by its kind and the (normalised) texts it touches: repeated texts are
#: indistinguishable, so which of two identical copies moved does not count as an error.
Expected = Counter[tuple[str, object]]


def load(data: Path) -> list[Doc]:
    files = sorted((data / "claudette-2021" / "original_text_en").glob("*.txt"))
    files += sorted(data.glob("ota/*/pairs/*/expected.md"))
    docs = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        segs = segment(text)
        if len(segs) >= 20:
            docs.append(Doc(f"{path.parent.name}/{path.name}", text, segs))
    return docs


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _whole_block(doc: Doc, i: int) -> bool:
    """The segment is a whole block: nothing but its marker before it, a line end after it."""
    seg = doc.segments[i]
    if seg.kind in ("sentence_group", "table"):
        return False
    end_ok = seg.end == len(doc.text) or doc.text[seg.end] in "\r\n"
    return end_ok and "\n" not in seg.text


Edit = tuple[str, set[tuple[str, object]]]


def edit_typo(doc: Doc, rng: random.Random) -> Edit | None:
    i = rng.randrange(len(doc.segments))
    seg = doc.segments[i]
    words = [
        m
        for m in re.finditer(r"(?<![\w/.\-])[A-Za-z]{6,}(?![\w/.\-])", seg.text)
        if m.group().lower() not in PROTECTED
    ]
    if not words:
        return None
    m = rng.choice(words)
    w = m.group()
    k = rng.randrange(1, len(w) - 2)
    if w[k] == w[k + 1]:
        return None
    typo = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    at = seg.start + m.start()
    return doc.text[:at] + typo + doc.text[at + len(w) :], {("modified", (i,))}


def edit_reword(doc: Doc, rng: random.Random) -> Edit | None:
    i = rng.randrange(len(doc.segments))
    seg = doc.segments[i]
    words = [
        m
        for m in re.finditer(r"(?<![\w/.\-])[a-z]{4,}(?![\w/.\-])", seg.text)
        if m.group().lower() not in PROTECTED
    ]
    if len(seg.text.split()) < 15 or len(words) < 4:
        return None
    chosen = sorted(rng.sample(words, 2), key=lambda m: m.start(), reverse=True)
    text = doc.text
    for m in chosen:
        pool = [v for v in VOCAB if Levenshtein.distance(v, m.group()) > 2]
        at = seg.start + m.start()
        text = text[:at] + rng.choice(pool) + text[at + len(m.group()) :]
    return text, {("modified", (i,))}


def edit_insert(doc: Doc, rng: random.Random, donors: list[Doc]) -> Edit | None:
    i = rng.randrange(len(doc.segments))
    if not _whole_block(doc, i) or doc.segments[i].kind == "list_item":
        return None
    donor = rng.choice(donors)
    texts = [
        s.text
        for s in donor.segments
        if s.kind == "paragraph" and 12 <= len(s.text.split()) <= 50 and s.text.endswith(".")
    ]
    if not texts or donor.name == doc.name:
        return None
    clause = rng.choice(texts)
    known = {normalize(s.text) for s in doc.segments}
    parts = segment(clause)
    if any(normalize(p.text) in known for p in parts):
        return None
    at = doc.segments[i].end
    text = doc.text[:at] + "\n\n" + clause + "\n" + doc.text[at:]
    return text, {("added", normalize(p.text)) for p in parts}


def edit_delete(doc: Doc, rng: random.Random) -> Edit | None:
    i = rng.randrange(len(doc.segments))
    if not _whole_block(doc, i):
        return None
    seg = doc.segments[i]
    start = _line_start(doc.text, seg.start)
    end = seg.end + 1 if seg.end < len(doc.text) else seg.end
    return doc.text[:start] + doc.text[end:], {("removed", (i,))}


def _runs(doc: Doc) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = 0
    for k in range(1, len(doc.segments) + 1):
        if (
            k == len(doc.segments)
            or doc.segments[k].heading_path != doc.segments[start].heading_path
        ):
            runs.append((start, k))
            start = k
    return runs


def edit_move(doc: Doc, rng: random.Random) -> Edit | None:
    runs = [r for r in _runs(doc) if r[0] > 0]
    if len(runs) < 3:
        return None
    a, b = rng.choice(runs)
    if not 1 <= b - a <= 8:
        return None
    targets = [r for r in runs if abs(r[1] - b) >= 2 * (b - a) + 2 and (r[1] <= a or r[0] >= b)]
    if not targets:
        return None
    _, t_end = rng.choice(targets)
    segs = doc.segments
    chunk_start, chunk_end = segs[a - 1].end, segs[b - 1].end
    target = segs[t_end - 1].end
    chunk = doc.text[chunk_start:chunk_end]
    if target < chunk_start:
        text = doc.text[:target] + chunk + doc.text[target:chunk_start] + doc.text[chunk_end:]
    else:
        text = doc.text[:chunk_start] + doc.text[chunk_end:target] + chunk + doc.text[target:]
    return text, {("moved", (k,)) for k in range(a, b)}


def edit_split(doc: Doc, rng: random.Random) -> Edit | None:
    i = rng.randrange(len(doc.segments))
    seg = doc.segments[i]
    if not _whole_block(doc, i) or seg.kind == "list_item":
        return None
    sentences = split_sentences(seg.text)
    if len(sentences) < 2:
        return None
    k = rng.randrange(1, len(sentences))
    left, right = seg.text[: sentences[k - 1][1]], seg.text[sentences[k][0] :]
    if len(left.split()) < 5 or len(right.split()) < 5:
        return None
    text = doc.text[: seg.start] + left + "\n\n" + right + doc.text[seg.end :]
    if len(segment(text)) != len(doc.segments) + 1:
        return None
    return text, {("split", (i,))}


def edit_merge(doc: Doc, rng: random.Random) -> Edit | None:
    i = rng.randrange(len(doc.segments) - 1)
    a, b = doc.segments[i], doc.segments[i + 1]
    if a.kind != "paragraph" or b.kind != "paragraph" or a.heading_path != b.heading_path:
        return None
    if doc.text[a.end : b.start].strip() or not (_whole_block(doc, i) and _whole_block(doc, i + 1)):
        return None
    text = doc.text[: a.end] + " " + doc.text[b.start :]
    if len(segment(text)) != len(doc.segments) - 1:
        return None
    return text, {("merged", (i, i + 1))}


def edit_renumber(doc: Doc, rng: random.Random) -> Edit | None:
    numbered = [k for k, s in enumerate(doc.segments) if re.fullmatch(r"[\d.]*\d\.?", s.label)]
    if not numbered:
        return None
    first = rng.randrange(len(numbered))
    chosen = numbered[first : first + 3]
    text = doc.text
    for k in sorted(chosen, reverse=True):
        seg = doc.segments[k]
        line = _line_start(text, seg.start)
        head = text[line : seg.start]
        digits = list(re.finditer(r"\d+", head))
        if not digits:
            return None
        last = digits[-1]
        bumped = str(int(last.group()) + 1)
        head = head[: last.start()] + bumped + head[last.end() :]
        text = text[:line] + head + text[seg.start :]
    return text, {("renumbered", (k,)) for k in chosen}


def _named(doc: Doc, expected: set[tuple[str, object]]) -> Expected:
    out: Expected = Counter()
    for kind, what in expected:
        if isinstance(what, tuple):
            out[(kind, tuple(normalize(doc.segments[i].text) for i in what))] += 1
        else:
            out[(kind, what)] += 1
    return out


def detected(
    old: list[Segment], new: list[Segment]
) -> tuple[Expected, dict[tuple[str, object], str]]:
    data = diff_segments(old, new)
    out: Expected = Counter()
    materiality: dict[tuple[str, object], str] = {}
    for change in data.changes:
        key: tuple[str, object]
        if change.kind == "added":
            key = ("added", normalize(change.new[0].text))
        else:
            key = (change.kind, tuple(normalize(s.text) for s in change.old))
        out[key] += 1
        materiality[key] = change.materiality
    return out, materiality


def run_trials(docs: list[Doc], trials: int, seed: int) -> None:
    rng = random.Random(seed)
    editors: dict[str, Callable[[Doc, random.Random], Edit | None]] = {
        "typo": edit_typo,
        "reword": edit_reword,
        "insert": lambda d, r: edit_insert(d, r, docs),
        "delete": edit_delete,
        "move": edit_move,
        "split": edit_split,
        "merge": edit_merge,
        "renumber": edit_renumber,
    }
    print(f"edit trials: {len(docs)} documents, {trials} trials per edit kind, seed {seed}")
    print(
        f"{'edit':<10}{'trials':>7}{'expected':>9}{'found':>7}{'spurious':>9}"
        f"{'precision':>10}{'recall':>8}{'materiality':>12}"
    )
    for kind in KINDS:
        tp = fp = fn = done = attempts = right = judged = 0
        misses: list[str] = []
        while done < trials and attempts < trials * 200:
            attempts += 1
            doc = rng.choice(docs)
            made = editors[kind](doc, rng)
            if made is None:
                continue
            done += 1
            new_text, applied = made
            expected = _named(doc, applied)
            found, materiality = detected(doc.segments, segment(new_text))
            hits = found & expected
            tp += sum(hits.values())
            fp += sum((found - expected).values())
            fn += sum((expected - found).values())
            if found != expected and len(misses) < 3:
                missed = sorted(str(k)[:90] for k in expected - found)[:2]
                spurious = sorted(str(k)[:90] for k in found - expected)[:2]
                misses.append(f"{doc.name}: missed {missed} spurious {spurious}")
            for key in hits.elements():
                judged += 1
                right += (materiality[key] == "cosmetic") == COSMETIC.get(kind, False)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        accuracy = right / judged if judged else 0.0
        print(
            f"{kind:<10}{done:>7}{tp + fn:>9}{tp:>7}{fp:>9}{precision:>10.3f}{recall:>8.3f}"
            f"{accuracy:>12.3f}"
        )
        for miss in misses:
            print(f"    e.g. {miss[:220]}")


def _ten_thousand_words(docs: list[Doc]) -> str:
    """A real text of about 10,000 words: the longest documents, cut at a paragraph end."""
    text = max(docs, key=lambda d: len(d.text.split())).text
    words = 0
    for m in re.finditer(r"\n\s*\n", text):
        words = len(text[: m.start()].split())
        if words >= 10_000:
            return text[: m.start()] + "\n"
    return text


def _difflib_plain(old: list[str], new: list[str]) -> int:
    return len(difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes())


def _difflib_fuzzy(old: list[str], new: list[str]) -> int:
    """Plain difflib, then pairwise difflib ratios inside replaced blocks (a naive aligner)."""
    pairs = 0
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op != "replace":
            continue
        for a in old[a0:a1]:
            best = max((difflib.SequenceMatcher(None, a, b).ratio() for b in new[b0:b1]), default=0)
            pairs += best >= 0.6
    return pairs


def _best_of(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def run_timing(docs: list[Doc], seed: int) -> None:
    rng = random.Random(seed)
    old_text = _ten_thousand_words(docs)
    base = Doc("10k", old_text, segment(old_text))
    new_text = old_text
    applied = 0
    editors = [edit_typo, edit_reword, edit_delete, edit_split]
    while applied < 12:
        made = rng.choice(editors)(Doc("10k", new_text, segment(new_text)), rng)
        if made:
            new_text = made[0]
            applied += 1
    old_segs, new_segs = base.segments, segment(new_text)
    old_norm = [normalize(s.text) for s in old_segs]
    new_norm = [normalize(s.text) for s in new_segs]
    runs = 7
    ours = _best_of(lambda: align(old_segs, new_segs), runs)
    full = _best_of(lambda: diff_segments(segment(old_text), segment(new_text)), runs)
    plain = _best_of(lambda: _difflib_plain(old_norm, new_norm), runs)
    fuzzy = _best_of(lambda: _difflib_fuzzy(old_norm, new_norm), runs)
    print()
    print(
        f"timing: two versions of {len(old_text.split())} and {len(new_text.split())} words, "
        f"{len(old_segs)} and {len(new_segs)} provisions, 12 random edits; best of {runs}"
    )
    print(f"  align (rapidfuzz + hash)                   {ours:8.1f} ms   (target < 200 ms)")
    print(f"  segment both + align + materiality         {full:8.1f} ms")
    print(
        f"  baseline difflib SequenceMatcher, lists    {plain:8.1f} ms   ratio ours/baseline "
        f"{ours / plain:6.2f}"
    )
    print(
        f"  baseline difflib + pairwise ratio in blocks{fuzzy:8.1f} ms   ratio ours/baseline "
        f"{ours / fuzzy:6.2f}"
    )
    # An all-changed worst case: every provision edited. The difflib baseline is quadratic in
    # Python, so both sides are measured on the same 100-provision slice.
    worst = [s.text.replace("e", "é", 1) + " x" for s in old_segs]
    worst_segs = [Segment(k, 0, len(t), t) for k, t in enumerate(worst)]
    whole_ms = _best_of(lambda: align(old_segs, worst_segs), 3)
    cut = 100
    slice_ms = _best_of(lambda: align(old_segs[:cut], worst_segs[:cut]), 3)
    worst_norm = [normalize(t) for t in worst[:cut]]
    slice_base = _best_of(lambda: _difflib_fuzzy(old_norm[:cut], worst_norm), 1)
    print(f"  worst case, every provision edited: align all {len(old_segs)} in {whole_ms:.1f} ms;")
    print(
        f"    on {cut} provisions: align {slice_ms:.1f} ms, difflib + pairwise {slice_base:.1f} ms,"
        f" ratio ours/baseline {slice_ms / slice_base:.3f}"
    )


def print_pair_summaries(data: Path, limit: int) -> None:
    by_doc: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(data.glob("ota/*/pairs/*/expected.md")):
        by_doc[path.parent.name.rsplit("_", 1)[0]].append(path)
    shown = 0
    print()
    for name, paths in sorted(by_doc.items()):
        if len(paths) < 2:
            continue
        for old, new in itertools.pairwise(paths):
            result = diff_segments(segment(old.read_text()), segment(new.read_text()))
            print(
                f"{name}: {old.parent.name.rsplit('_', 1)[1]} -> {new.parent.name.rsplit('_', 1)[1]}"
            )
            print(f"  [{result.materiality}] {result.summary}")
            shown += 1
        if shown >= limit:
            break


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--trials", type=int, default=100, help="trials per edit kind")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--pairs", type=int, default=0, help="print N real pair summaries")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"data not found: {args.data}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    docs = load(args.data)
    words = statistics.median(len(d.text.split()) for d in docs)
    print(f"loaded {len(docs)} documents (median {words:.0f} words)")
    run_trials(docs, args.trials, args.seed)
    run_timing(docs, args.seed)
    if args.pairs:
        print_pair_summaries(args.data, args.pairs)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
