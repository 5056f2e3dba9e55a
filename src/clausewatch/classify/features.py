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


class _GramTable(dict[str, int]):
    """Word -> its row in a table of the feature ids it brings (its unigram and character
    n-grams that the vocabulary knows), filled on first sight.

    Rows ``0 .. V-1`` stand for the vocabulary's own ids, one id each, so a known word bigram
    is the row of its id. A text becomes a short list of rows (one per word, one per known
    bigram), and numpy expands the rows of a whole batch into feature ids at once: the
    Python work is one dictionary lookup per word, not one per character n-gram.
    """

    LIMIT = 400_000
    """Words kept before the table starts afresh (checked between batches), so a long run
    over many documents keeps its memory flat."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        super().__init__()
        self._id = vocabulary.get
        self._size = len(vocabulary)
        self.reset()

    def reset(self) -> None:
        self.clear()
        size = self._size
        self.starts = np.arange(size + 1024, dtype=np.int64)
        self.lengths = np.ones(size + 1024, dtype=np.int64)
        self.ids = np.arange(size + 16_384, dtype=np.int64)
        self.rows = size
        self._used = size

    def __missing__(self, word: str) -> int:
        known = [j for j in map(self._id, _word_grams(word)) if j is not None]
        row, used = self.rows, self._used
        if row == len(self.starts):
            self.starts = np.resize(self.starts, 2 * row)
            self.lengths = np.resize(self.lengths, 2 * row)
        while used + len(known) > len(self.ids):
            self.ids = np.resize(self.ids, 2 * len(self.ids))
        self.ids[used : used + len(known)] = known
        self.starts[row] = used
        self.lengths[row] = len(known)
        self.rows, self._used = row + 1, used + len(known)
        self[word] = row
        return row

    def start_batch(self) -> None:
        """Start afresh once the table holds ``LIMIT`` words; only between batches, since a
        batch's rows point into the table."""
        if len(self) > self.LIMIT:
            self.reset()

    def expand(
        self, rows: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The feature ids of ``rows``, one row's after another's, and where each row's ids
        end (``bounds[k]`` for the first ``k`` rows; ``bounds[0] == 0``)."""
        lengths: npt.NDArray[np.int64] = self.lengths[rows]
        bounds = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=bounds[1:])
        at = np.arange(int(bounds[-1]), dtype=np.int64)
        at += np.repeat(self.starts[rows] - bounds[:-1], lengths)
        ids: npt.NDArray[np.int64] = self.ids[at]
        return ids, bounds


_BIGRAM = "w:{} {}".format
_KNOWN = (-1).__ne__


class Vectorizer:
    """Sublinear TF-IDF with l2 norm over a fixed vocabulary: sklearn's transform, in numpy."""

    def __init__(self, vocabulary: dict[str, int], idf: npt.NDArray[np.float32]) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self._table = _GramTable(vocabulary)

    def rows(
        self, texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """CSR parts (indptr, indices, values) of the feature matrix."""
        return self.grouped_rows([[text] for text in texts])

    def _keys(self, text: str) -> list[int]:
        """The table rows of one text: its words', then its known bigrams'. The loops run
        inside ``map``/``filter`` (C), not in Python bytecode: this is the classifier's inner
        loop."""
        words = words_of(text)
        keys = list(map(self._table.__getitem__, words))
        bigrams = map(_BIGRAM, words, words[1:])
        keys.extend(filter(_KNOWN, map(self.vocabulary.get, bigrams, repeat(-1))))
        return keys

    def feature_ids(self, text: str) -> list[int]:
        """The feature ids of one text, repeats kept (the multiset ``analyze`` finds)."""
        ids, _ = self._table.expand(np.array(self._keys(text), dtype=np.int64))
        return [int(i) for i in ids]

    def grouped_rows(
        self, groups: Sequence[Sequence[str]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Rows for texts given as their parts (sentences): a group of one part gives one row;
        a group of several gives the whole first (its counts the sum of its parts', so each
        sentence is analysed once), then one row per part."""
        from scipy.sparse import csr_matrix

        self._table.start_batch()
        part_keys = [self._keys(part) for parts in groups for part in parts]
        n_parts = len(part_keys)
        per_part = np.fromiter(map(len, part_keys), np.int64, n_parts)
        keys = np.fromiter(chain.from_iterable(part_keys), np.int64, int(per_part.sum()))
        ids, id_bounds = self._table.expand(keys)
        # A part's ids run from its first key's to its last key's.
        key_bounds = np.zeros(n_parts + 1, dtype=np.int64)
        np.cumsum(per_part, out=key_bounds[1:])
        occurrences = id_bounds[key_bounds]
        # scipy sums the repeated ids of a row in compiled code: the term counts.
        counts = csr_matrix(
            (np.ones(len(ids), dtype=np.float32), ids, occurrences),
            shape=(n_parts, len(self.vocabulary)),
        )
        counts.sum_duplicates()
        if any(len(parts) > 1 for parts in groups):
            counts = _with_wholes(counts, [len(parts) for parts in groups])
        ptr = counts.indptr.astype(np.int64)
        ind = counts.indices.astype(np.int64)
        values = (1.0 + np.log(counts.data)) * self.idf[ind]
        norms = np.sqrt(_row_sums(ptr, values * values))
        norms[norms == 0] = 1.0
        values = values / np.repeat(norms, np.diff(ptr))
        return ptr, ind, values.astype(np.float32)


def _with_wholes(counts: Any, sizes: Sequence[int]) -> Any:
    """``counts`` (one row per part) with, before the parts of each group of several, the
    group's whole row: the sum of its parts' counts, one sparse product for the batch."""
    from scipy.sparse import csr_matrix, vstack

    n_parts = counts.shape[0]
    order: list[int] = []
    members: list[int] = []
    member_ptr = [0]
    k = 0
    for size in sizes:
        if size > 1:
            order.append(n_parts + len(member_ptr) - 1)
            members.extend(range(k, k + size))
            member_ptr.append(len(members))
        order.extend(range(k, k + size))
        k += size
    membership = csr_matrix(
        (np.ones(len(members), dtype=np.float32), members, member_ptr),
        shape=(len(member_ptr) - 1, n_parts),
    )
    return vstack([counts, membership @ counts], format="csr")[order]


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
