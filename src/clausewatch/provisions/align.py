"""Align the provisions of two versions so that a clause keeps its identity across versions.

Order of work, cheapest first: identical normalised texts are paired by hash; what remains is
scored all-against-all with rapidfuzz's ``cdist`` (C++, early exits under a score cut-off) and
paired greedily best-first; then neighbours are grown around each pair to recognise splits and
merges; finally a longest increasing subsequence over the pairs tells which ones moved.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from clausewatch.provisions.segment import Segment, clean_inline

__all__ = ["Alignment", "Match", "align", "normalize"]

#: Pairs scoring at least this (rapidfuzz ratio, 0-100) are the same provision, reworded.
MATCH_CUTOFF = 60.0
#: A split or merge is kept when the joined parts score at least this against the whole.
GROUP_CUTOFF = 80.0
#: An old and a new provision alone between the same neighbours are one provision when the
#: shorter one lies almost whole in the longer (rapidfuzz partial ratio).
CONTAIN_CUTOFF = 85.0
#: Lowest score for an unpaired provision to be tried as one part of a split or merge.
SEED_CUTOFF = 35.0
#: A neighbour joins a split or merge group only if it raises the score by this much.
GROW_GAIN = 3.0

_FOLD = {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"}
_FOLD_RE = re.compile(r"[“”„«»‘’‐‑‒–—―]")


def _fold(match: re.Match[str]) -> str:
    return _FOLD.get(match.group(), "-")


def normalize(text: str) -> str:
    """The text as compared: no markup, no link targets, one case, one quote and dash style."""
    return _FOLD_RE.sub(_fold, clean_inline(text)).casefold()


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Match:
    """Old provisions ``old`` became new provisions ``new`` (one each, unless split or merged)."""

    old: tuple[int, ...]
    new: tuple[int, ...]
    score: float
    text_changed: bool
    relabelled: bool = False
    moved: bool = False

    @property
    def kind(self) -> str:
        if len(self.new) > 1:
            return "split"
        if len(self.old) > 1:
            return "merged"
        if self.moved:
            return "moved"
        if self.text_changed:
            return "modified"
        if self.relabelled:
            return "renumbered"
        return "unchanged"


@dataclass(frozen=True)
class Alignment:
    """Every old and every new provision appears exactly once: in a match, added or removed."""

    matches: tuple[Match, ...]
    added: tuple[int, ...]
    removed: tuple[int, ...]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for match in self.matches:
            out[match.kind] += 1
        out["added"] = len(self.added)
        out["removed"] = len(self.removed)
        return dict(out)


def _distance(anchors: Sequence[tuple[int, int]], i: int, j: int) -> int:
    """How far new position ``j`` is from where the pairs around old ``i`` say it should be."""
    at = bisect.bisect_right(anchors, (i, 1 << 62))
    guesses = [i]
    if at > 0:
        guesses.append(anchors[at - 1][1] + (i - anchors[at - 1][0]))
    if at < len(anchors):
        guesses.append(anchors[at][1] - (anchors[at][0] - i))
    return min(abs(j - g) for g in guesses[1:] or guesses)


def _cheapest(
    olds: Sequence[int], news: Sequence[int], cost: Callable[[int, int], float]
) -> list[tuple[int, int]]:
    """Greedy least-cost pairing of repeated occurrences; crossings allowed, as moves are."""
    ranked = sorted((cost(i, j), i, j) for i in olds for j in news)
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in ranked:
        if i not in used_old and j not in used_new:
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)
    return pairs


def _exact_pairs(
    old: Sequence[str], new: Sequence[str], taken_old: set[int], taken_new: set[int]
) -> list[tuple[int, int]]:
    """Pairs of identical texts: unique ones first, then repeated ones placed by their anchors."""
    at_old: dict[str, list[int]] = defaultdict(list)
    at_new: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(old):
        if i not in taken_old:
            at_old[key].append(i)
    for j, key in enumerate(new):
        if j not in taken_new:
            at_new[key].append(j)
    pairs: list[tuple[int, int]] = []
    repeated: list[str] = []
    for key, olds in at_old.items():
        news = at_new.get(key)
        if not news:
            continue
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
        else:
            repeated.append(key)
    anchors = sorted(pairs)
    for key in repeated:
        pairs.extend(_cheapest(at_old[key], at_new[key], lambda i, j: _distance(anchors, i, j)))
    return pairs


def _gain_needed(best: float) -> float:
    """Improvement a neighbour must bring: a few points, or half of what is left to perfect."""
    return min(GROW_GAIN, (100.0 - best) / 2)


def _grow(
    whole: str,
    seed: int,
    parts: Sequence[str],
    free: set[int],
) -> tuple[list[int], float]:
    """Extend ``[seed]`` with free neighbours while their joined text gets closer to ``whole``."""
    group = [seed]
    best = fuzz.ratio(whole, parts[seed])
    while True:
        candidates = [k for k in (group[0] - 1, group[-1] + 1) if k in free]
        if not candidates:
            return group, best
        scored = []
        for k in candidates:
            trial = sorted([*group, k])
            scored.append((fuzz.ratio(whole, " ".join(parts[t] for t in trial)), k))
        score, k = max(scored)
        if score <= best or score < best + _gain_needed(best):
            return group, best
        group = sorted([*group, k])
        free.discard(k)
        best = score


def _best_free(
    scores: np.ndarray[tuple[int], np.dtype[np.float32]],
    positions: Sequence[int],
    free: set[int],
) -> tuple[float, int] | None:
    """The best-scoring free provision of one row (or column) of the score matrix."""
    if not free or not len(scores):
        return None
    mask = np.fromiter((p in free for p in positions), dtype=bool, count=len(positions))
    masked = np.where(mask, scores, np.float32(0))
    at = int(np.argmax(masked))
    if masked[at] < SEED_CUTOFF:
        return None
    return float(masked[at]), positions[at]


def _stable_indices(pairs: Sequence[tuple[int, int]]) -> set[int]:
    """Indices (into ``pairs``, sorted by old position) of a longest run increasing in new."""
    tails: list[int] = []
    tail_at: list[int] = []
    back = [-1] * len(pairs)
    for index, (_, new) in enumerate(pairs):
        pos = bisect.bisect_left(tails, new)
        if pos == len(tails):
            tails.append(new)
            tail_at.append(index)
        else:
            tails[pos] = new
            tail_at[pos] = index
        back[index] = tail_at[pos - 1] if pos else -1
    keep: set[int] = set()
    cursor = tail_at[-1] if tail_at else -1
    while cursor >= 0:
        keep.add(cursor)
        cursor = back[cursor]
    return keep


def align(old: Sequence[Segment], new: Sequence[Segment]) -> Alignment:
    """Pair the provisions of two versions; positions in the returned indices are list indices."""
    old_norm = [normalize(s.text) for s in old]
    new_norm = [normalize(s.text) for s in new]
    pair_of_old: dict[int, int] = {}
    scores: dict[int, float] = {}

    raw_pairs = _exact_pairs(
        [_squash(s.text) for s in old], [_squash(s.text) for s in new], set(), set()
    )
    taken_new: set[int] = set()
    for i, j in raw_pairs:
        pair_of_old[i] = j
        taken_new.add(j)
    for i, j in _exact_pairs(old_norm, new_norm, set(pair_of_old), taken_new):
        pair_of_old[i] = j
    for i in pair_of_old:
        scores[i] = 100.0

    rest_old = [i for i in range(len(old)) if i not in pair_of_old]
    taken_new.update(pair_of_old.values())
    rest_new = [j for j in range(len(new)) if j not in taken_new]
    matrix = np.zeros((len(rest_old), len(rest_new)), dtype=np.float32)
    if rest_old and rest_new:
        matrix = process.cdist(
            [old_norm[i] for i in rest_old],
            [new_norm[j] for j in rest_new],
            scorer=fuzz.ratio,
            score_cutoff=SEED_CUTOFF,
            dtype=np.float32,
            workers=-1,
        )
        rows, cols = np.nonzero(matrix >= MATCH_CUTOFF)
        span_old, span_new = max(len(old), 1), max(len(new), 1)
        ranked = sorted(
            zip(rows.tolist(), cols.tolist(), strict=True),
            key=lambda rc: (
                -float(matrix[rc[0], rc[1]]),
                abs(rest_old[rc[0]] / span_old - rest_new[rc[1]] / span_new),
            ),
        )
        used_new: set[int] = set()
        for r, c in ranked:
            i, j = rest_old[r], rest_new[c]
            if i in pair_of_old or j in used_new:
                continue
            pair_of_old[i] = j
            scores[i] = float(matrix[r, c])
            used_new.add(j)

    free_new = set(range(len(new))) - set(pair_of_old.values())
    free_old = set(range(len(old))) - set(pair_of_old)
    col_of = {j: c for c, j in enumerate(rest_new)}
    row_of = {i: r for r, i in enumerate(rest_old)}
    groups: list[tuple[tuple[int, ...], tuple[int, ...], float]] = []

    # Splits: one old provision whose text now lies across several neighbouring new ones.
    for i in rest_old:
        seed = pair_of_old.get(i)
        single = scores.get(i, 0.0)
        if seed is None:
            found = _best_free(matrix[row_of[i]], rest_new, free_new)
            if found is None:
                continue
            single, seed = found
        pool = set(free_new)
        group, score = _grow(old_norm[i], seed, new_norm, pool)
        if len(group) > 1 and score >= GROUP_CUTOFF and score >= single + _gain_needed(single):
            pair_of_old.pop(i, None)
            free_old.discard(i)
            free_new.difference_update(group)
            groups.append(((i,), tuple(group), score))

    # Merges: several neighbouring old provisions now joined into one new provision.
    old_of_new = {j: i for i, j in pair_of_old.items()}
    for j in rest_new:
        if any(j in g[1] for g in groups):
            continue
        seed_old = old_of_new.get(j)
        single = scores.get(seed_old, 0.0) if seed_old is not None else 0.0
        if seed_old is None:
            if j not in free_new:
                continue
            found = _best_free(matrix[:, col_of[j]], rest_old, free_old)
            if found is None:
                continue
            single, seed_old = found
        pool = set(free_old)
        group, score = _grow(new_norm[j], seed_old, old_norm, pool)
        if len(group) > 1 and score >= GROUP_CUTOFF and score >= single + _gain_needed(single):
            for i in group:
                pair_of_old.pop(i, None)
            free_old.difference_update(group)
            free_new.discard(j)
            groups.append((tuple(group), (j,), score))

    # Rewritten in place: an old and a new provision left alone between the same neighbours,
    # one largely holding the other (a clause extended or cut down) or both bearing the same
    # number, are one provision.
    settled = sorted(
        [(i, j) for i, j in pair_of_old.items()] + [(g[0][0], g[1][0]) for g in groups]
    )
    for i in sorted(free_old):
        at = bisect.bisect_left(settled, (i, -1))
        low = settled[at - 1][1] if at > 0 else -1
        high = settled[at][1] if at < len(settled) else len(new)
        between = [j for j in range(low + 1, high) if j in free_new]
        scored = [
            (fuzz.partial_ratio(old_norm[i], new_norm[j]), j)
            for j in between
            if min(len(old_norm[i]), len(new_norm[j])) >= 20
        ]
        same_label = [
            (fuzz.ratio(old_norm[i], new_norm[j]), j)
            for j in between
            if old[i].label and new[j].label == old[i].label
        ]
        if same_label and max(same_label)[0] >= SEED_CUTOFF:
            scored = [(100.0, max(same_label)[1])]
        if scored:
            best, j = max(scored)
            if best >= CONTAIN_CUTOFF:
                pair_of_old[i] = j
                scores[i] = float(fuzz.ratio(old_norm[i], new_norm[j]))
                free_new.discard(j)
    free_old.difference_update(pair_of_old)

    anchors: list[tuple[int, int, int]] = []  # (old, new, index into draft)
    draft: list[tuple[tuple[int, ...], tuple[int, ...], float]] = [
        ((i,), (j,), scores[i]) for i, j in pair_of_old.items()
    ]
    draft.extend(groups)
    for index, (olds, news, _) in enumerate(draft):
        anchors.append((olds[0], news[0], index))
    anchors.sort()
    stable = _stable_indices([(o, n) for o, n, _ in anchors])
    moved = {anchors[k][2] for k in range(len(anchors)) if k not in stable}

    matches: list[Match] = []
    for index, (olds, news, score) in enumerate(draft):
        old_text = " ".join(_squash(old[i].text) for i in olds)
        new_text = " ".join(_squash(new[j].text) for j in news)
        relabelled = any(old[i].label != new[j].label for i, j in zip(olds, news, strict=False))
        matches.append(
            Match(
                old=olds,
                new=news,
                score=round(score, 2),
                text_changed=old_text != new_text,
                relabelled=relabelled,
                moved=index in moved,
            )
        )
    matches.sort(key=lambda m: (m.new[0], m.old[0]))
    matched_new = {j for m in matches for j in m.new}
    matched_old = {i for m in matches for i in m.old}
    return Alignment(
        matches=tuple(matches),
        added=tuple(j for j in range(len(new)) if j not in matched_new),
        removed=tuple(i for i in range(len(old)) if i not in matched_old),
    )
