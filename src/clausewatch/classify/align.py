"""Sentence alignment of a document and its translation (CLAUDETTE-2021 gives the same
terms in English, German, Italian and Polish, sentence by sentence but not line by line:
translators split and merge sentences).

A dynamic programme over the two sentence lists, in the manner of Gale and Church: each step
pairs one sentence with one (or one with two, or skips one), and costs what the lengths
disagree (character counts, scaled by the document's overall length ratio) plus what the
annotations disagree (a sentence tagged "ltd" against one tagged nothing). Only the
diagonal band of the table is filled, so a long document costs milliseconds. Used to carry
the English model's labels over to the translated sentences (``train``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

SKIP = 3.0
"""Cost of leaving a sentence unpaired."""
MERGE = 2.0
"""Extra cost of pairing one sentence with two."""
TAG_MISMATCH = 4.0
"""Cost of pairing sentences whose annotation tags differ."""
BAND = 80
"""Half-width of the diagonal band searched, in sentences."""


def _length_cost(a: int, b: int, ratio: float) -> float:
    return 4.0 * abs(math.log((b + 20.0) / (ratio * a + 20.0)))


def align(
    source: Sequence[str],
    target: Sequence[str],
    source_tags: Sequence[frozenset[str]] | None = None,
    target_tags: Sequence[frozenset[str]] | None = None,
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of sentences that translate each other one to one, in order.
    Sentences split or merged by the translator, or left out, are not paired."""
    n, m = len(source), len(target)
    if n == 0 or m == 0:
        return []
    empty: frozenset[str] = frozenset()
    stags = list(source_tags) if source_tags is not None else [empty] * n
    ttags = list(target_tags) if target_tags is not None else [empty] * m
    slen = [len(s) for s in source]
    tlen = [len(t) for t in target]
    ratio = (sum(tlen) + 1.0) / (sum(slen) + 1.0)
    band = max(BAND, abs(n - m) + 10)
    inf = float("inf")
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int]] = {}

    def tag_cost(i0: int, i1: int, j0: int, j1: int) -> float:
        a = frozenset().union(*stags[i0:i1])
        b = frozenset().union(*ttags[j0:j1])
        return 0.0 if a == b else TAG_MISMATCH

    for i in range(n + 1):
        centre = i * m / n
        lo = max(0, int(centre) - band)
        hi = min(m, int(centre) + band)
        for j in range(lo, hi + 1):
            if i == 0 and j == 0:
                continue
            best, step = inf, (0, 0)
            for di, dj in ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2)):
                pi, pj = i - di, j - dj
                if pi < 0 or pj < 0:
                    continue
                before = cost.get((pi, pj))
                if before is None:
                    continue
                if di == 0 or dj == 0:
                    c = SKIP
                else:
                    a = sum(slen[pi:i])
                    b = sum(tlen[pj:j])
                    c = _length_cost(a, b, ratio) + tag_cost(pi, i, pj, j)
                    if di + dj == 3:
                        c += MERGE
                if before + c < best:
                    best, step = before + c, (di, dj)
            if best < inf:
                cost[(i, j)] = best
                back[(i, j)] = step
    pairs: list[tuple[int, int]] = []
    i, j = n, m
    if (i, j) not in back:
        return []
    while (i, j) != (0, 0):
        di, dj = back[(i, j)]
        if di == 1 and dj == 1:
            pairs.append((i - 1, j - 1))
        i, j = i - di, j - dj
    pairs.reverse()
    return pairs
