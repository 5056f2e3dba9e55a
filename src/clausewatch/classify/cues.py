"""Regex cues of the taxonomy, matched on normalised text and mapped back to the raw text.

Cues and modifiers are written against one canonical form (lower-case words, one space), so a
single pattern covers "opt-out", "Opt Out" and UNFAIR-ToS's pre-tokenised "opt-out". The
offset map lets evidence spans point into the caller's original text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from clausewatch.classify.taxonomy import ProvisionType, Taxonomy

_WORD = re.compile(r"\w+")
_NEGATION = re.compile(r"\b(not|never|no|won t|don t|doesn t|cannot)\s(\w+\s){0,3}$")
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n\s*\n")


@dataclass(frozen=True)
class NormalizedText:
    text: str
    raw_starts: tuple[int, ...]
    raw_ends: tuple[int, ...]
    norm_starts: tuple[int, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw character span of the words covering normalised span [start, end)."""
        first = bisect.bisect_right(self.norm_starts, start) - 1
        last = bisect.bisect_right(self.norm_starts, max(start, end - 1)) - 1
        first = max(first, 0)
        last = max(last, first)
        return self.raw_starts[first], self.raw_ends[last]


def normalize_with_offsets(raw: str) -> NormalizedText:
    words = []
    raw_starts = []
    raw_ends = []
    norm_starts = []
    position = 0
    for match in _WORD.finditer(raw):
        word = match.group().lower()
        words.append(word)
        raw_starts.append(match.start())
        raw_ends.append(match.end())
        norm_starts.append(position)
        position += len(word) + 1
    return NormalizedText(" ".join(words), tuple(raw_starts), tuple(raw_ends), tuple(norm_starts))


@dataclass(frozen=True)
class CueMatch:
    type_id: str
    span: tuple[int, int]
    """Raw character offsets of the matched words."""


# Types that state a practice: a cue right after a negation ("will not train models") does not
# state it, so it is dropped; types that are themselves negative commitments keep theirs.
_NEGATABLE_EXEMPT = frozenset(
    {
        "ai_no_training_commitment",
        "ai_output_use_restriction",
        "acceptable_use",
        "limitation_of_liability",
    }
)


_COMBINED: dict[int, re.Pattern[str]] = {}


def _combined(provision_type: ProvisionType) -> re.Pattern[str]:
    """One alternation per type: a single scan instead of one per cue."""
    key = id(provision_type)
    pattern = _COMBINED.get(key)
    if pattern is None:
        pattern = re.compile("|".join(f"(?:{p.pattern})" for p in provision_type.cues))
        _COMBINED[key] = pattern
    return pattern


def match_cues(text: NormalizedText, provision_type: ProvisionType) -> CueMatch | None:
    if not provision_type.cues:
        return None
    for match in _combined(provision_type).finditer(text.text):
        if provision_type.id not in _NEGATABLE_EXEMPT and _NEGATION.search(
            text.text[max(0, match.start() - 40) : match.start()]
        ):
            continue
        return CueMatch(provision_type.id, text.raw_span(match.start(), match.end()))
    return None


def all_cues(text: NormalizedText, taxonomy: Taxonomy) -> list[CueMatch]:
    out = []
    for provision_type in taxonomy.types:
        found = match_cues(text, provision_type)
        if found is not None:
            out.append(found)
    return out


def severity_shift(text: str, provision_type: ProvisionType) -> int:
    """+1 when a raising condition holds, -1 for a lowering one; both cancel out, because a
    carve-out ("even if you opt out") only appears beside the opt-out it undoes."""
    up = any(p.search(text) for p in provision_type.raise_when)
    down = any(p.search(text) for p in provision_type.lower_when)
    return int(up) - int(down)


def sentence_around(raw: str, span: tuple[int, int]) -> tuple[int, int]:
    """Widen a span to the sentence(s) containing it, trimmed of surrounding space."""
    start = 0
    for match in _SENTENCE_END.finditer(raw, 0, span[0]):
        start = match.end()
    end_match = _SENTENCE_END.search(raw, span[1])
    end = end_match.end() if end_match else len(raw)
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    return start, end


def sentences(raw: str) -> list[tuple[int, int]]:
    """Rough sentence spans, for picking the deciding sentence of a long provision."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(raw):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(raw):
        spans.append((start, len(raw)))
    out = []
    for a, b in spans:
        while a < b and raw[a].isspace():
            a += 1
        while b > a and raw[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def all_cues_batch(texts: Sequence[NormalizedText], taxonomy: Taxonomy) -> list[list[CueMatch]]:
    """``all_cues`` for many texts with one regex scan per type over the joined batch: the
    per-call overhead of 45 scans per short clause was most of the classifier's time."""
    joined = "\n".join(t.text for t in texts)
    starts = []
    position = 0
    for t in texts:
        starts.append(position)
        position += len(t.text) + 1
    out: list[list[CueMatch]] = [[] for _ in texts]
    for provision_type in taxonomy.types:
        if not provision_type.cues:
            continue
        done: set[int] = set()
        negatable = provision_type.id not in _NEGATABLE_EXEMPT
        for match in _combined(provision_type).finditer(joined):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index in done:
                continue
            offset = starts[index]
            local = match.start() - offset
            text = texts[index]
            if negatable and _NEGATION.search(text.text[max(0, local - 40) : local]):
                continue
            done.add(index)
            out[index].append(
                CueMatch(provision_type.id, text.raw_span(local, match.end() - offset))
            )
    return out


_STRONG_END = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[A-Z0-9\"“(‘'])|\n\s*")


def strong_sentences(raw: str) -> list[tuple[int, int]]:
    """Sentence spans at unambiguous boundaries only (end mark then a capital, or a line
    break): splitting at every semicolon cuts clauses the heads were trained on whole."""
    spans = []
    start = 0
    for match in _STRONG_END.finditer(raw):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(raw)))
    out = []
    for a, b in spans:
        while a < b and raw[a].isspace():
            a += 1
        while b > a and raw[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out
