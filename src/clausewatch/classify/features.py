"""Text features shared by training (sklearn) and inference (numpy, and scipy's sparse product).

The same ``analyze`` function feeds sklearn's TfidfVectorizer at training time and the numpy
vectoriser at run time, so the two cannot drift apart. Normalising to lower-case word tokens
joined by one space makes raw clauses and UNFAIR-ToS's pre-tokenised text ("we 've") look
the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from itertools import chain, pairwise, repeat
from typing import Any

import numpy as np
import numpy.typing as npt

WORD = re.compile(r"[\w\u0300-\u036f]+")
r"""A word, with the combining accents some documents spell apart ("e" + U+0301): Python's
``\w`` does not match them, and a word cut at its accent matches no cue and no feature."""
_COMBINING = re.compile(r"[\u0300-\u036f]")


def composed(text: str) -> str:
    """``text`` with its accents composed (NFC), so that "é" written as one character or as
    two reads the same; the text itself when it has no combining accent (nearly always)."""
    if text.isascii() or _COMBINING.search(text) is None:
        return text
    return unicodedata.normalize("NFC", text)


def words_of(text: str) -> list[str]:
    """The lower-cased words of ``text``, accents composed."""
    return WORD.findall(composed(text.lower()))


def normalize(text: str) -> str:
    return " ".join(words_of(text))


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
    words = words_of(text)
    grams = []
    for word in words:
        grams.extend(_word_grams(word))
    grams.extend(f"w:{a} {b}" for a, b in pairwise(words))
    return grams


class _WordGrams(dict[str, tuple[int, ...]]):
    """Word -> ids of its known unigram and character n-grams, filled on first sight: words
    repeat, so most of a text's grams are found with one dictionary lookup per word."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        super().__init__()
        self._id = vocabulary.get

    def __missing__(self, word: str) -> tuple[int, ...]:
        if len(self) > 500_000:
            self.clear()
        known = tuple(j for j in map(self._id, _word_grams(word)) if j is not None)
        self[word] = known
        return known


_BIGRAM = "w:{} {}".format
_KNOWN = (-1).__ne__


class Vectorizer:
    """Sublinear TF-IDF with l2 norm over a fixed vocabulary: sklearn's transform, in numpy."""

    def __init__(self, vocabulary: dict[str, int], idf: npt.NDArray[np.float32]) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self._word_cache = _WordGrams(vocabulary)

    def rows(
        self, texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """CSR parts (indptr, indices, values) of the feature matrix."""
        return self.grouped_rows([[text] for text in texts])

    def _found(self, text: str) -> list[int]:
        """Feature ids of one text in ``analyze`` order, repeats kept. The loops run inside
        ``map``/``chain`` (C), not in Python bytecode: this is the classifier's inner loop."""
        words = words_of(text)
        found = list(chain.from_iterable(map(self._word_cache.__getitem__, words)))
        bigrams = map(_BIGRAM, words, words[1:])
        found.extend(filter(_KNOWN, map(self.vocabulary.get, bigrams, repeat(-1))))
        return found

    def grouped_rows(
        self, groups: Sequence[Sequence[str]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Rows for texts given as their parts (sentences): a group of one part gives one row;
        a group of several gives the whole first (its feature ids joined from the parts, so
        each sentence is analysed once), then one row per part."""
        from scipy.sparse import csr_matrix

        found_rows: list[list[int]] = []
        for parts in groups:
            found = [self._found(part) for part in parts]
            if len(found) > 1:
                found_rows.append(list(chain.from_iterable(found)))
            found_rows.extend(found)
        n_rows = len(found_rows)
        occurrences = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, found_rows), np.int64, n_rows), out=occurrences[1:])
        ids = np.fromiter(chain.from_iterable(found_rows), np.int64, int(occurrences[-1]))
        # scipy sums the repeated ids of a row in compiled code: the term counts.
        counts = csr_matrix(
            (np.ones(len(ids), dtype=np.float32), ids, occurrences),
            shape=(n_rows, len(self.vocabulary)),
        )
        counts.sum_duplicates()
        ptr = counts.indptr.astype(np.int64)
        ind = counts.indices.astype(np.int64)
        values = (1.0 + np.log(counts.data)) * self.idf[ind]
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
) -> npt.NDArray[np.float32]:
    """(CSR matrix) @ weights for a dense (features x outputs) weight matrix.

    scipy's compiled CSR product walks the non-zeros once, adding each weight row in place:
    about six times faster than gathering the weight rows in numpy and summing them per row
    (the product this replaced, kept in ``bench/classify_speed.py``), with no temporary the
    size of the gathered weights.
    """
    from scipy.sparse import csr_matrix

    matrix = csr_matrix((values, ind, ptr), shape=(len(ptr) - 1, weights.shape[0]))
    return np.asarray(matrix @ weights, dtype=np.float32)
