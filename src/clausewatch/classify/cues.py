"""Regex cues of the taxonomy, matched on normalised text and mapped back to the raw text.

Cues and modifiers are written against one canonical form (lower-case words, one space), so a
single pattern covers "opt-out", "Opt Out" and UNFAIR-ToS's pre-tokenised "opt-out". The
offset map lets evidence spans point into the caller's original text.

Scanning every type's regex over every text was most of the classifier's time, and Python's
``re`` cannot skip ahead on patterns that start with ``\\b``. So each cue is first read (by
``re._parser``) for the literal words any match must contain, and a type's regex runs only
on texts holding them. The words come from whatever patterns are loaded, never from a list
kept by hand, and anything the reading does not understand means "always run the regex".
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from clausewatch.classify.taxonomy import ProvisionType, Taxonomy

_WORD = re.compile(r"\w+")
_NOT_PLAIN = re.compile(r"[^\w ]|  |^ | $")
_NEGATION = re.compile(r"\b(not|never|no|won t|don t|doesn t|cannot)\s(\w+\s){0,3}$")
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n\s*\n")


class NormalizedText:
    """Lower-case words joined by one space, with the raw offsets of each word computed only
    when a span is asked for: most texts never match a cue, and the offsets cost as much as
    everything else in normalising."""

    __slots__ = ("_spans", "plain", "raw", "text")

    def __init__(self, text: str, raw: str, plain: bool | None = None) -> None:
        self.text = text
        self.raw = raw
        # Only word characters and single spaces: what the cue prefilter's reasoning needs.
        self.plain = _NOT_PLAIN.search(text) is None if plain is None else plain
        self._spans: list[tuple[int, int]] | None = None

    def _raw_spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = [m.span() for m in _WORD.finditer(self.raw)]
        return self._spans

    @property
    def raw_starts(self) -> tuple[int, ...]:
        return tuple(a for a, _ in self._raw_spans())

    @property
    def raw_ends(self) -> tuple[int, ...]:
        return tuple(b for _, b in self._raw_spans())

    @property
    def norm_starts(self) -> tuple[int, ...]:
        """Where each word starts in ``text``."""
        out = []
        position = 0
        for word in self.text.split(" ") if self.text else ():
            out.append(position)
            position += len(word) + 1
        return tuple(out)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw character span of the words covering normalised span [start, end)."""
        # Words are joined by single spaces and hold none, so a position's word index is the
        # number of spaces before it.
        spans = self._raw_spans()
        if not spans:
            return 0, 0  # a cue that can match nothing matched an empty text
        first = self.text.count(" ", 0, start)
        last = max(self.text.count(" ", 0, max(start, end - 1)), first)
        return spans[first][0], spans[last][1]


def normalize_with_offsets(raw: str) -> NormalizedText:
    # Lowering the joined words equals joining the lowered words: str.lower's only
    # context-dependent rule (Greek final sigma) looks no further than the word's own edges.
    text = " ".join(_WORD.findall(raw)).lower()
    # ASCII words stay ASCII word characters when lowered; others may not (İ -> i + U+0307).
    return NormalizedText(text, raw, True if text.isascii() else None)


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


_COMBINED: dict[tuple[re.Pattern[str], ...], re.Pattern[str]] = {}


def _combined(provision_type: ProvisionType) -> re.Pattern[str]:
    """One alternation per type: a single scan instead of one per cue."""
    pattern = _COMBINED.get(provision_type.cues)
    if pattern is None:
        pattern = re.compile("|".join(f"(?:{p.pattern})" for p in provision_type.cues))
        _COMBINED[provision_type.cues] = pattern
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
    """Every type's first cue in one text: the plain reference that ``all_cues_batch``
    must reproduce exactly."""
    out = []
    for provision_type in taxonomy.types:
        found = match_cues(text, provision_type)
        if found is not None:
            out.append(found)
    return out


# --- Reading the literal words a pattern needs --------------------------------------------

_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("re._constants")

_EDGE = "\ue000"
"""Stands for ``\\b`` inside the strings below: it tells a whole word from a fragment."""
_MAX_STRINGS = 64
_UNSUPPORTED_FLAGS = re.IGNORECASE | re.ASCII | re.LOCALE

Strings = frozenset[str]


class _Opaque(Exception):
    """The pattern uses something the reading does not model; it gets no prefilter."""


_KEY = 4
"""Length of the word heads and tails a text is indexed by."""
_RANK = {"word": 2, "head": 1, "tail": 1, "inside": 0}


def _anchor(literal: str) -> tuple[str, str]:
    """(kind, piece): the piece of ``literal`` that best singles it out, and how to find it.

    Normalised text is words joined by single spaces, so a piece with a space or ``\\b`` on
    both sides must be one of the text's words ("word": a set lookup); with one only on its
    left it starts a word ("head"), on its right it ends one ("tail"), and otherwise it is
    only known to be inside the text ("inside": a substring search).
    """
    pieces = literal.split(" ")
    best = ("inside", "")
    for k, piece in enumerate(pieces):
        word = piece.replace(_EDGE, "")
        if not word:
            continue
        starts = k > 0 or piece.startswith(_EDGE)
        ends = k < len(pieces) - 1 or piece.endswith(_EDGE)
        if starts and ends:
            kind = "word"
        elif starts and len(word) >= _KEY:
            kind = "head"
        elif ends and len(word) >= _KEY:
            kind = "tail"
        else:
            kind = "inside"
        if (_RANK[kind], len(word)) > (_RANK[best[0]], len(best[1])):
            best = (kind, word)
    return best


def _score(clause: Strings | None) -> int:
    """How rare a clause's weakest string is likely to be (longer anchors are rarer); 0 for
    a clause every text satisfies."""
    if not clause:
        return 0
    scores = []
    for literal in clause:
        kind, piece = _anchor(literal)
        if not piece:
            return 0
        scores.append(2 * len(piece) + int(kind == "word"))
    return min(scores)


def _best(clauses: Iterable[Strings | None]) -> Strings | None:
    ranked = [(_score(c), c) for c in clauses if c]
    ranked = [(s, c) for s, c in ranked if s > 0]
    return max(ranked, key=lambda sc: sc[0])[1] if ranked else None


def _sequence(
    nodes: Iterable[Any], clauses: list[Strings] | None = None
) -> tuple[Strings | None, Strings | None]:
    """(the finite set of strings the sequence matches or None, its best clause).

    A clause is a set of strings one of which occurs in every match. Runs of nodes with
    finite strings are multiplied out into longer (rarer) strings while they stay few.
    """
    found: list[Strings | None] = []
    run: Strings = frozenset({""})
    finite = True
    listed = list(nodes)
    for k, node in enumerate(listed):
        strings, clause = _node(node)
        if strings is not None:
            product = frozenset(a + b for a in run for b in strings)
            if len(product) <= _MAX_STRINGS:
                run = product
                continue
            found.append(run)
            run = strings
        else:
            found.append(run)
            before = listed[k - 1 : k] if k > 0 and listed[k - 1][0] in _CONTEXT else []
            after = (
                listed[k + 1 : k + 2]
                if k + 1 < len(listed) and listed[k + 1][0] in _CONTEXT
                else []
            )
            found.append(_best([clause, _in_context(before, node, after)]))
            run = frozenset({""})
        finite = False
    found.append(run)
    if clauses is not None:
        clauses.extend(c for c in found if c and _score(c) > 0)
    return (run if finite else None), _best(found)


_CONTEXT = (_sre.AT, _sre.LITERAL)


def _in_context(before: list[Any], node: tuple[Any, Any], after: list[Any]) -> Strings | None:
    """The clause of a group read together with its neighbours: in ``\\b(cookies?|pixel
    tags?)\\b`` each alternative is then known to be a whole word."""
    op, av = node
    if op is _sre.SUBPATTERN:
        if av[1] & _UNSUPPORTED_FLAGS:
            raise _Opaque
        inner = list(av[3])
    elif op is _sre.BRANCH:
        inner = [node]
    else:
        return None
    if not before and not after:
        return None
    alternatives = inner[0][1][1] if len(inner) == 1 and inner[0][0] is _sre.BRANCH else [inner]
    wanted = [_sequence([*before, *alternative, *after])[1] for alternative in alternatives]
    if any(w is None or _score(w) == 0 for w in wanted):
        return None
    return frozenset().union(*(w for w in wanted if w))


def _node(node: tuple[Any, Any]) -> tuple[Strings | None, Strings | None]:
    op, av = node
    if op is _sre.LITERAL:
        if chr(av) == _EDGE:
            raise _Opaque
        return frozenset({chr(av)}), None
    if op is _sre.AT:
        return frozenset({_EDGE if av is _sre.AT_BOUNDARY else ""}), None
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return frozenset({""}), None
    if op is _sre.IN:
        chars: set[str] = set()
        for item_op, item in av:
            if item_op is _sre.LITERAL:
                chars.add(chr(item))
            elif item_op is _sre.RANGE and item[1] - item[0] < 16:
                chars.update(chr(c) for c in range(item[0], item[1] + 1))
            else:
                return None, None
        if _EDGE in chars:
            raise _Opaque
        return frozenset(chars), None
    if op is _sre.SUBPATTERN:
        if av[1] & _UNSUPPORTED_FLAGS:
            raise _Opaque
        return _sequence(av[3])
    if op is _sre.ATOMIC_GROUP:
        return _sequence(av)
    if op is _sre.BRANCH:
        branches = [_sequence(b) for b in av[1]]
        strings: Strings | None = None
        if all(s is not None for s, _ in branches):
            union = frozenset().union(*(s for s, _ in branches if s is not None))
            strings = union if len(union) <= _MAX_STRINGS else None
        wanted = [c if c is not None else s for s, c in branches]
        if any(not w or _score(w) == 0 for w in wanted):
            return strings, None
        return strings, frozenset().union(*(w for w in wanted if w))
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, high, item = av
        strings, clause = _sequence(item)
        if high == 0:
            return frozenset({""}), None
        if strings is not None and high == 1:
            return (strings | {""} if low == 0 else strings), None
        if low >= 1:
            return None, clause if clause is not None else strings
        return None, None
    return None, None


def cue_clauses(pattern: re.Pattern[str]) -> list[Strings] | None:
    """Clauses every match of ``pattern`` satisfies: each is a set of strings (``\\b`` shown as
    an edge mark) one of which the match contains. None when the pattern is not understood
    or needs nothing (it must then always run)."""
    if pattern.flags & _UNSUPPORTED_FLAGS:
        return None
    clauses: list[Strings] = []
    try:
        strings, _ = _sequence(_parser.parse(pattern.pattern, pattern.flags), clauses)
    except Exception:  # anything not understood (even a changed re._parser) means "always run"
        return None
    if strings is not None and _score(strings) > 0:
        clauses.append(strings)
    unique = sorted(set(clauses), key=_score, reverse=True)[:_MAX_CLAUSES]
    return unique or None


_MAX_CLAUSES = 3


@dataclass(frozen=True)
class _Prefilter:
    """Which types can match a text, from the words the text holds."""

    always: frozenset[int]
    """Types with a cue that has no clause: their regex runs on every text."""
    with_cues: frozenset[int]
    by_kind: dict[str, dict[str, tuple[int, ...]]]
    """"word" / "head" / "tail" -> key -> literals anchored on it."""
    keys: dict[str, frozenset[str]]
    inside: tuple[int, ...]
    """Literals found by substring search only."""
    literal_text: tuple[str, ...]
    literal_clauses: tuple[tuple[int, ...], ...]
    clause_cue: tuple[int, ...]
    cue_size: tuple[int, ...]
    cue_type: tuple[int, ...]

    def types_for(
        self, text: str, inside: Sequence[int], plain: bool = True
    ) -> set[int] | frozenset[int]:
        """Indices of the types whose regex can match ``text``; ``inside`` lists the
        substring-only literals worth looking for (those present in the batch)."""
        if not plain:
            # The word reasoning needs words of \w characters only.
            return self.with_cues
        words = text.split(" ")
        candidates: list[int] = []
        by_kind = self.by_kind
        for word in self.keys["word"].intersection(words):
            candidates.extend(by_kind["word"][word])
        if self.keys["head"]:
            for head in self.keys["head"].intersection([w[:_KEY] for w in words]):
                candidates.extend(by_kind["head"][head])
        if self.keys["tail"]:
            for tail in self.keys["tail"].intersection([w[-_KEY:] for w in words]):
                candidates.extend(by_kind["tail"][tail])
        candidates.extend(inside)
        literal_text = self.literal_text
        satisfied: set[int] = set()
        for literal in candidates:
            if literal_text[literal] in text:
                satisfied.update(self.literal_clauses[literal])
        if not satisfied:
            return self.always
        out = set(self.always)
        met: dict[int, int] = {}
        for clause in satisfied:
            cue = self.clause_cue[clause]
            count = met.get(cue, 0) + 1
            met[cue] = count
            if count == self.cue_size[cue]:
                out.add(self.cue_type[cue])
        return out


def _build_prefilter(types: Sequence[ProvisionType]) -> _Prefilter:
    always: set[int] = set()
    literal_ids: dict[str, int] = {}
    literal_clauses: list[list[int]] = []
    clause_cue: list[int] = []
    cue_size: list[int] = []
    cue_type: list[int] = []
    for index, provision_type in enumerate(types):
        for cue in provision_type.cues:
            clauses = cue_clauses(cue)
            if clauses is None:
                always.add(index)
                continue
            cue_id = len(cue_size)
            cue_size.append(len(clauses))
            cue_type.append(index)
            for clause in clauses:
                clause_id = len(clause_cue)
                clause_cue.append(cue_id)
                for literal in clause:
                    literal_id = literal_ids.setdefault(literal, len(literal_ids))
                    if literal_id == len(literal_clauses):
                        literal_clauses.append([])
                    literal_clauses[literal_id].append(clause_id)
    by_kind: dict[str, dict[str, list[int]]] = {"word": {}, "head": {}, "tail": {}}
    inside = []
    for literal, literal_id in literal_ids.items():
        kind, piece = _anchor(literal)
        if kind == "inside":
            inside.append(literal_id)
            continue
        key = piece[:_KEY] if kind == "head" else piece[-_KEY:] if kind == "tail" else piece
        by_kind[kind].setdefault(key, []).append(literal_id)
    return _Prefilter(
        always=frozenset(always),
        with_cues=frozenset(i for i, t in enumerate(types) if t.cues),
        by_kind={k: {key: tuple(ids) for key, ids in d.items()} for k, d in by_kind.items()},
        keys={k: frozenset(d) for k, d in by_kind.items()},
        inside=tuple(inside),
        literal_text=tuple(literal.replace(_EDGE, "") for literal in literal_ids),
        literal_clauses=tuple(tuple(c) for c in literal_clauses),
        clause_cue=tuple(clause_cue),
        cue_size=tuple(cue_size),
        cue_type=tuple(cue_type),
    )


_PREFILTERS: dict[tuple[ProvisionType, ...], _Prefilter] = {}


def _prefilter(taxonomy: Taxonomy) -> _Prefilter:
    """Built once per set of patterns: keyed by the types themselves, so an edited taxonomy
    gets its own."""
    found = _PREFILTERS.get(taxonomy.types)
    if found is None:
        if len(_PREFILTERS) > 8:
            _PREFILTERS.clear()
        found = _PREFILTERS[taxonomy.types] = _build_prefilter(taxonomy.types)
    return found


def all_cues_batch(texts: Sequence[NormalizedText], taxonomy: Taxonomy) -> list[list[CueMatch]]:
    """``all_cues`` of each text, running a type's regex only on texts that hold the words
    its cues need."""
    prefilter = _prefilter(taxonomy)
    types = taxonomy.types
    joined = "\n".join(t.text for t in texts)
    present = [f for f in prefilter.inside if prefilter.literal_text[f] in joined]
    out: list[list[CueMatch]] = []
    for text in texts:
        found = []
        for index in sorted(prefilter.types_for(text.text, present, text.plain)):
            match = match_cues(text, types[index])
            if match is not None:
                found.append(match)
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
