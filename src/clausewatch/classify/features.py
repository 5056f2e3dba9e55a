"""Text features shared by training (sklearn) and inference (numpy only).

The same ``analyze`` function feeds sklearn's TfidfVectorizer at training time and the numpy
vectoriser at run time, so the two cannot drift apart. Normalising to lower-case word tokens
joined by one space makes raw clauses and UNFAIR-ToS's pre-tokenised text ("we 've") look
the same.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _word_grams(word: str) -> list[str]:
    """The unigram and character 2-5-grams (inside word boundaries) of one word."""
    grams = [f"w:{word}"]
    padded = f" {word} "
    size = len(padded)
    for n in range(2, 6):
        if n > size:
            break
        grams.extend(f"c:{padded[i : i + n]}" for i in range(size - n + 1))
    return grams


def analyze(text: str) -> list[str]:
    """Word uni/bi-grams plus character 2-5-grams inside word boundaries."""
    words = _WORD.findall(text.lower())
    grams = []
    for word in words:
        grams.extend(_word_grams(word))
    grams.extend(f"w:{a} {b}" for a, b in pairwise(words))
    return grams


class Vectorizer:
    """Sublinear TF-IDF with l2 norm over a fixed vocabulary: sklearn's transform, in numpy."""

    def __init__(self, vocabulary: dict[str, int], idf: npt.NDArray[np.float32]) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self._word_cache: dict[str, tuple[int, ...]] = {}

    def rows(
        self, texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """CSR parts (indptr, indices, values) of the feature matrix."""
        return self.grouped_rows([[text] for text in texts])

    def _found(self, text: str) -> list[int]:
        """Feature counts of one text: ``analyze`` counted, with each distinct word's
        character n-grams looked up once and cached (words repeat: most of the speed)."""
        get = self.vocabulary.get
        cache = self._word_cache
        words = _WORD.findall(text.lower())
        found: list[int] = []
        for word in words:
            known = cache.get(word)
            if known is None:
                if len(cache) > 500_000:
                    cache.clear()
                known = tuple(j for j in (get(g) for g in _word_grams(word)) if j is not None)
                cache[word] = known
            found.extend(known)
        for a, b in pairwise(words):
            j = get(f"w:{a} {b}")
            if j is not None:
                found.append(j)
        return found

    def grouped_rows(
        self, groups: Sequence[Sequence[str]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Rows for texts given as their parts (sentences): a group of one part gives one row;
        a group of several gives the whole first (its counts summed from the parts, so each
        sentence is analysed once), then one row per part."""
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
        norms = np.sqrt(_row_sums(ptr, values * values))
        norms[norms == 0] = 1.0
        values = values / np.repeat(norms, np.diff(ptr))
        return ptr, ind, values.astype(np.float32)


def _row_sums(ptr: npt.NDArray[np.int64], values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Sum of each CSR row (axis 0 of ``values``), empty rows included."""
    n_rows = len(ptr) - 1
    out = np.zeros((n_rows, *values.shape[1:]), dtype=np.float32)
    nonempty = np.flatnonzero(np.diff(ptr) > 0)
    if len(nonempty):
        out[nonempty] = np.add.reduceat(values, ptr[nonempty], axis=0)
    return out


def sparse_dot(
    ptr: npt.NDArray[np.int64],
    ind: npt.NDArray[np.int64],
    values: npt.NDArray[np.float32],
    weights: npt.NDArray[np.float32],
    max_nnz: int = 32_768,
) -> npt.NDArray[np.float32]:
    """(CSR matrix) @ weights for a dense (features x outputs) weight matrix.

    Works through blocks of rows holding at most ``max_nnz`` non-zeros, so the gathered
    weights stay a few MB whatever the batch size.
    """
    n_rows = len(ptr) - 1
    out = np.zeros((n_rows, weights.shape[1]), dtype=np.float32)
    start = 0
    while start < n_rows:
        stop = int(np.searchsorted(ptr, ptr[start] + max_nnz, side="right")) - 1
        stop = min(max(stop, start + 1), n_rows)
        a, b = int(ptr[start]), int(ptr[stop])
        if b > a:
            block = weights[ind[a:b]] * values[a:b, None]
            out[start:stop] = _row_sums(ptr[start : stop + 1] - a, block)
        start = stop
    return out
