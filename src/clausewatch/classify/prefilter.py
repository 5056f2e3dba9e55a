"""Which taxonomy types can match a text, decided from the words it holds.

Scanning every type's regex over every text was most of the classifier's time, and Python's
``re`` cannot skip ahead on patterns that start with ``\\b``. So each cue is first read (by
``re._parser``) for the literal words any match must contain, and a type's regex runs only
on texts holding them. The words come from whatever patterns are loaded, never from a list
kept by hand, and anything the reading does not understand means "always run the regex":
the prefilter may only skip work, never a match.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from clausewatch.classify.taxonomy import ProvisionType, Taxonomy

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


@cache
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


@cache
def _score(clause: Strings | None) -> int:
    """How rare a clause's weakest string is likely to be and how cheaply it is found (longer
    anchors are rarer); 0 for a clause every text satisfies."""
    if not clause:
        return 0
    scores = []
    for literal in clause:
        kind, piece = _anchor(literal)
        if not piece:
            return 0
        # A whole word is found by a set lookup, a word's head or tail by its key, and only
        # the rest by searching the text: at equal length, the first kinds rank higher.
        scores.append(2 * len(piece) + _RANK[kind])
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
    # Rarest first (the prefilter's key), ties in a fixed order.
    unique = sorted(set(clauses), key=lambda c: (-_score(c), sorted(c)))[:_MAX_CLAUSES]
    return unique or None


_MAX_CLAUSES = 3


@dataclass(frozen=True)
class Prefilter:
    """Which types can match a text, from the words the text holds.

    Each cue needs every one of its clauses (a clause: one of a few strings). Only the
    cue's rarest clause, its key, is looked up for every text, through the text's words;
    the other clauses are checked only on texts that hold a key, which few do. Common
    strings such as "you" or "to " are thus read only where a rarer word already is.
    """

    always: frozenset[int]
    """Types with a cue that has no clause: their regex runs on every text."""
    with_cues: frozenset[int]
    by_kind: dict[str, dict[str, tuple[int, ...]]]
    """"word" / "head" / "tail" -> key -> key literals anchored on it that must still be
    looked for in the text (a literal of several words, or one part of a word)."""
    word_cues: dict[str, tuple[int, ...]]
    """Whole word -> cues whose key clause the word alone satisfies (no search needed)."""
    keys: dict[str, frozenset[str]]
    inside: tuple[int, ...]
    """Key literals found by substring search only."""
    literal_text: tuple[str, ...]
    literal_cues: tuple[tuple[int, ...], ...]
    """Key literal -> cues whose key clause it satisfies."""
    cue_rest: tuple[tuple[tuple[str, ...], ...], ...]
    """Cue -> its other clauses, each as the strings one of which must occur."""
    cue_type: tuple[int, ...]

    def types_for(
        self, text: str, inside: Sequence[int], plain: bool = True
    ) -> set[int] | frozenset[int]:
        """Indices of the types whose regex can match ``text``; ``inside`` lists the
        substring-only key literals worth looking for (those present in the batch)."""
        if not plain:
            # The word reasoning needs words of \w characters only.
            return self.with_cues
        words = set(text.split(" "))
        keys = self.keys
        by_kind = self.by_kind
        cues: set[int] = set()
        candidates: list[int] = []
        word_cues = self.word_cues
        for word in keys["word"].intersection(words):
            found = word_cues.get(word)
            if found:
                cues.update(found)
            listed = by_kind["word"].get(word)
            if listed:
                candidates.extend(listed)
        if keys["head"]:
            for head in keys["head"].intersection([w[:_KEY] for w in words]):
                candidates.extend(by_kind["head"][head])
        if keys["tail"]:
            for tail in keys["tail"].intersection([w[-_KEY:] for w in words]):
                candidates.extend(by_kind["tail"][tail])
        candidates.extend(inside)
        literal_text = self.literal_text
        literal_cues = self.literal_cues
        for literal in candidates:
            if literal_text[literal] in text:
                cues.update(literal_cues[literal])
        if not cues:
            return self.always
        out = set(self.always)
        cue_type = self.cue_type
        cue_rest = self.cue_rest
        for cue in cues:
            index = cue_type[cue]
            if index in out:
                continue
            for clause in cue_rest[cue]:
                for string in clause:
                    if string in text:
                        break
                else:
                    break
            else:
                out.add(index)
        return out


def build_prefilter(types: Sequence[ProvisionType]) -> Prefilter:
    always: set[int] = set()
    literal_ids: dict[str, int] = {}
    literal_cues: list[list[int]] = []
    cue_rest: list[tuple[tuple[str, ...], ...]] = []
    cue_type: list[int] = []
    for index, provision_type in enumerate(types):
        for cue in provision_type.cues:
            clauses = cue_clauses(cue)
            if clauses is None:
                always.add(index)
                continue
            cue_id = len(cue_type)
            cue_type.append(index)
            # cue_clauses lists the rarest clause first: it is the key.
            key_clause, rest = clauses[0], clauses[1:]
            cue_rest.append(
                tuple(tuple(sorted(s.replace(_EDGE, "") for s in clause)) for clause in rest)
            )
            for literal in sorted(key_clause):
                literal_id = literal_ids.setdefault(literal, len(literal_ids))
                if literal_id == len(literal_cues):
                    literal_cues.append([])
                literal_cues[literal_id].append(cue_id)
    by_kind: dict[str, dict[str, list[int]]] = {"word": {}, "head": {}, "tail": {}}
    word_cues: dict[str, list[int]] = {}
    inside = []
    for literal, literal_id in literal_ids.items():
        kind, piece = _anchor(literal)
        if kind == "inside":
            inside.append(literal_id)
            continue
        key = piece[:_KEY] if kind == "head" else piece[-_KEY:] if kind == "tail" else piece
        if kind == "word" and literal.replace(_EDGE, "") == piece:
            # The literal is the whole word itself: finding the word is finding it.
            word_cues.setdefault(piece, []).extend(literal_cues[literal_id])
            continue
        by_kind[kind].setdefault(key, []).append(literal_id)
    return Prefilter(
        always=frozenset(always),
        with_cues=frozenset(i for i, t in enumerate(types) if t.cues),
        by_kind={k: {key: tuple(ids) for key, ids in d.items()} for k, d in by_kind.items()},
        word_cues={w: tuple(sorted(set(c))) for w, c in word_cues.items()},
        # A whole word is a key when it stands for cues, for literals to search, or both.
        keys={
            k: frozenset(d) | frozenset(word_cues if k == "word" else ())
            for k, d in by_kind.items()
        },
        inside=tuple(inside),
        literal_text=tuple(literal.replace(_EDGE, "") for literal in literal_ids),
        literal_cues=tuple(tuple(c) for c in literal_cues),
        cue_rest=tuple(cue_rest),
        cue_type=tuple(cue_type),
    )


_PREFILTERS: dict[tuple[ProvisionType, ...], Prefilter] = {}


def prefilter_for(taxonomy: Taxonomy) -> Prefilter:
    """Built once per set of patterns: keyed by the types themselves, so an edited taxonomy
    gets its own."""
    found = _PREFILTERS.get(taxonomy.types)
    if found is None:
        if len(_PREFILTERS) > 8:
            _PREFILTERS.clear()
        found = _PREFILTERS[taxonomy.types] = build_prefilter(taxonomy.types)
    return found
