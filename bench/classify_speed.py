"""Cue scan and whole ``classify`` speed: the fast path beside the reference path, in one run.

    .venv/bin/python bench/classify_speed.py [DATA_DIR]

The reference path is the code this change replaced, kept below verbatim in behaviour: every
type's combined regex scanned over the joined batch, offsets mapped for every text, the
vectoriser counting in Python lists, sparse products as numpy gathers in blocks of 32,768
non-zeros (with two cue rules added later, so that both paths claim the same: a type that
``yields_to`` another goes through the shared ``match_cues`` text by text, and a match inside
a web address is passed over). It is
swapped into ``clausewatch.classify.model`` for its runs only. Both paths run on the
UNFAIR-ToS dev sentences and on CLAUDETTE-2021's English paragraphs; each figure is CPU time
of this one process (BLAS pinned to one thread), best of 3, and both paths must give the same
cue matches and the same ``ClassificationResult``s (probabilities within 1e-4: the sparse
products add in a different order) or the bench stops.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import bisect  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from itertools import pairwise  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from clausewatch.classify import cues, features  # noqa: E402
from clausewatch.classify import model as model_module  # noqa: E402
from clausewatch.classify.model import CHUNK, Classifier  # noqa: E402
from clausewatch.classify.result import ClassificationResult  # noqa: E402
from clausewatch.classify.taxonomy import Taxonomy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# --- the reference path (the code before this change) ---------------------------------------

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class RefNormalizedText:
    text: str
    raw_starts: tuple[int, ...]
    raw_ends: tuple[int, ...]
    norm_starts: tuple[int, ...]
    raw: str

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        first = bisect.bisect_right(self.norm_starts, start) - 1
        last = bisect.bisect_right(self.norm_starts, max(start, end - 1)) - 1
        first = max(first, 0)
        last = max(last, first)
        return self.raw_starts[first], self.raw_ends[last]

    def in_url(self, position: int) -> bool:
        return any(a <= position < b for a, b in cues.url_spans(self.raw))


def ref_normalize_with_offsets(raw: str) -> RefNormalizedText:
    words, raw_starts, raw_ends, norm_starts = [], [], [], []
    position = 0
    for match in _WORD.finditer(raw):
        word = match.group().lower()
        words.append(word)
        raw_starts.append(match.start())
        raw_ends.append(match.end())
        norm_starts.append(position)
        position += len(word) + 1
    return RefNormalizedText(
        " ".join(words), tuple(raw_starts), tuple(raw_ends), tuple(norm_starts), raw
    )


_NORMALIZE = cues.normalize_with_offsets
"""The shared code's own normaliser, for ``match_cues`` (the reference path swaps the name)."""


def ref_all_cues_batch(texts: Sequence[Any], taxonomy: Taxonomy) -> list[list[cues.CueMatch]]:
    joined = "\n".join(t.text for t in texts)
    starts = []
    position = 0
    for t in texts:
        starts.append(position)
        position += len(t.text) + 1
    out: list[list[cues.CueMatch]] = [[] for _ in texts]
    # Rules added after this code was replaced: a type that yields to another is matched
    # text by text through the shared ``match_cues`` (one type, termination), and a match
    # that starts inside a web address is passed over for the text's next one.
    yielding = taxonomy.yielding
    for provision_type in taxonomy.types:
        if not provision_type.cues:
            continue
        if provision_type.id in yielding:
            for index, text in enumerate(texts):
                found = cues.match_cues(
                    _NORMALIZE(text.raw),
                    provision_type,
                    taxonomy.negation,
                    yielding[provision_type.id],
                )
                if found is not None:
                    out[index].append(found)
            continue
        done: set[int] = set()
        negatable = provision_type.id not in cues._NEGATABLE_EXEMPT
        for match in cues._combined(provision_type).finditer(joined):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index in done:
                continue
            offset = starts[index]
            local = match.start() - offset
            text = texts[index]
            if negatable and taxonomy.negation.search(text.text[max(0, local - 40) : local]):
                continue
            span = text.raw_span(local, match.end() - offset)
            if any(a <= span[0] < b for a, b in cues.url_spans(text.raw)):
                continue
            done.add(index)
            out[index].append(cues.CueMatch(provision_type.id, span))
    return out


class RefVectorizer:
    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self._word_cache: dict[str, tuple[int, ...]] = {}

    def rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.grouped_rows([[text] for text in texts])

    def _found(self, text: str) -> list[int]:
        get = self.vocabulary.get
        cache = self._word_cache
        words = _WORD.findall(text.lower())
        found: list[int] = []
        for word in words:
            known = cache.get(word)
            if known is None:
                if len(cache) > 500_000:
                    cache.clear()
                grams = features._word_grams(word)
                known = tuple(j for j in (get(g) for g in grams) if j is not None)
                cache[word] = known
            found.extend(known)
        for a, b in pairwise(words):
            j = get(f"w:{a} {b}")
            if j is not None:
                found.append(j)
        return found

    def grouped_rows(
        self, groups: Sequence[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for parts in groups:
            found = [self._found(part) for part in parts]
            part_counts = [Counter(f) for f in found]
            if len(found) > 1:
                part_counts.insert(0, Counter([j for f in found for j in f]))
            for c in part_counts:
                indices.extend(c.keys())
                counts.extend(c.values())
                indptr.append(len(indices))
        ind = np.asarray(indices, dtype=np.int64)
        values = (1.0 + np.log(np.asarray(counts, dtype=np.float32))) * self.idf[ind]
        ptr = np.asarray(indptr, dtype=np.int64)
        norms = np.sqrt(features._row_sums(ptr, values * values))
        norms[norms == 0] = 1.0
        values = values / np.repeat(norms, np.diff(ptr))
        return ptr, ind, values.astype(np.float32)


def ref_sparse_dot(ptr: Any, ind: Any, values: Any, weights: Any, max_nnz: int = 32_768) -> Any:
    """The numpy product: gather the weight rows of a block of non-zeros, sum them per row."""
    n_rows = len(ptr) - 1
    out = np.zeros((n_rows, weights.shape[1]), dtype=np.float32)
    start = 0
    while start < n_rows:
        stop = int(np.searchsorted(ptr, ptr[start] + max_nnz, side="right")) - 1
        stop = min(max(stop, start + 1), n_rows)
        a, b = int(ptr[start]), int(ptr[stop])
        if b > a:
            block = weights[ind[a:b]] * values[a:b, None]
            out[start:stop] = features._row_sums(ptr[start : stop + 1] - a, block)
        start = stop
    return out


def count_differing(
    fast: Sequence[ClassificationResult], reference: Sequence[ClassificationResult]
) -> int:
    """How many results differ in anything but rounding: the two sparse products add in a
    different order, so probabilities may differ in the sixth decimal."""

    def close(a: ClassificationResult, b: ClassificationResult) -> bool:
        return (
            replace(a, scores={}) == replace(b, scores={})
            and a.scores.keys() == b.scores.keys()
            and all(abs(a.scores[k] - b.scores[k]) <= 1e-4 for k in a.scores)
        )

    return sum(not close(a, b) for a, b in zip(fast, reference, strict=True))


@contextlib.contextmanager
def reference_path(classifier: Classifier) -> Iterator[None]:
    """The model and cue modules and this classifier on the old code, restored afterwards
    (``classify`` cuts and scans its sentences in ``cues.sentence_cues``)."""
    saved = (
        cues.all_cues_batch,
        cues.normalize_with_offsets,
        model_module.normalize_with_offsets,
        model_module.sparse_dot,
        classifier.vectorizer,
    )
    cues.all_cues_batch = ref_all_cues_batch  # type: ignore[assignment]
    cues.normalize_with_offsets = ref_normalize_with_offsets  # type: ignore[assignment]
    model_module.normalize_with_offsets = ref_normalize_with_offsets  # type: ignore[assignment]
    model_module.sparse_dot = ref_sparse_dot
    classifier.vectorizer = RefVectorizer(
        classifier.vectorizer.vocabulary, classifier.vectorizer.idf
    )  # type: ignore[assignment]
    try:
        yield
    finally:
        (
            cues.all_cues_batch,
            cues.normalize_with_offsets,
            model_module.normalize_with_offsets,
            model_module.sparse_dot,
            classifier.vectorizer,
        ) = saved


# --- measuring -------------------------------------------------------------------------------


def best_cpu(run: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def unfair_tos_dev(data: Path) -> list[str]:
    lines = (data / "unfair-tos" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def claudette_paragraphs(data: Path) -> list[str]:
    out = []
    for path in sorted((data / "claudette-2021" / "original_text_en").glob("*.txt")):
        out.extend(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [p for p in out if p]


def scan(
    parts: Sequence[str],
    taxonomy: Taxonomy,
    normalize: Callable[[str], Any],
    batch: Callable[[Sequence[Any], Taxonomy], list[list[cues.CueMatch]]],
) -> list[list[cues.CueMatch]]:
    """Normalise and scan in blocks, as ``Classifier._heads_block`` does."""
    out: list[list[cues.CueMatch]] = []
    for start in range(0, len(parts), CHUNK):
        out.extend(batch([normalize(p) for p in parts[start : start + CHUNK]], taxonomy))
    return out


def ratio(fast: float, reference: float) -> str:
    return f"{reference / fast:.2f}x" if fast > 0 else "n/a"


def measure(label: str, texts: list[str], classifier: Classifier) -> None:
    parts = [t[a:b] for t in texts for a, b in cues.strong_sentences(t)]
    print(f"== {label}: {len(texts):,} texts, {len(parts):,} sentences")
    taxonomy = classifier.taxonomy

    fast_found = scan(parts, taxonomy, cues.normalize_with_offsets, cues.all_cues_batch)
    ref_found = scan(parts, taxonomy, ref_normalize_with_offsets, ref_all_cues_batch)
    if fast_found != ref_found:
        sys.exit(f"cue matches differ on {label}")
    fast = best_cpu(lambda: scan(parts, taxonomy, cues.normalize_with_offsets, cues.all_cues_batch))
    ref = best_cpu(lambda: scan(parts, taxonomy, ref_normalize_with_offsets, ref_all_cues_batch))
    print(
        f"  cue scan (normalise + all types), CPU s: fast {fast:.3f}  reference {ref:.3f}"
        f"  -> {ratio(fast, ref)} faster; {sum(map(len, fast_found)):,} matches, identical"
    )

    classifier.classify(texts[:50])
    fast_results = classifier.classify(texts)
    with reference_path(classifier):
        classifier.classify(texts[:50])
        ref_results = classifier.classify(texts)
        ref = best_cpu(lambda: classifier.classify(texts))
    differing = count_differing(fast_results, ref_results)
    if differing:
        sys.exit(f"classify results differ on {differing} of {label}")
    fast = best_cpu(lambda: classifier.classify(texts))
    print(
        f"  classify, provisions/s (one core): fast {len(texts) / fast:,.0f}"
        f"  reference {len(texts) / ref:,.0f}  -> {ratio(fast, ref)};"
        f" same results (probabilities within 1e-4); target >= 2,000/s"
        f" {'MET' if len(texts) / fast >= 2000 else 'NOT MET'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "unfair-tos" / "dev.jsonl").is_file():
        sys.exit(f"no data at {data} (expected unfair-tos/dev.jsonl)")
    classifier = Classifier.load()
    print(f"model {classifier.model_id}; CPU time of one process, best of 3")
    measure("UNFAIR-ToS dev sentences", unfair_tos_dev(data), classifier)
    measure("CLAUDETTE-2021 English paragraphs", claudette_paragraphs(data), classifier)


if __name__ == "__main__":
    main()
