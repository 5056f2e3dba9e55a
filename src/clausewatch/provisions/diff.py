"""The provision diff of a version: a structured, JSON-ready change set with a summary.

This is what the web, the API and the alerts show: not a page diff, but "clause 13.2 now says
'even if you opt out'", with the old and new text, a word diff and a materiality verdict.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clausewatch.provisions.align import Alignment, Match, align
from clausewatch.provisions.materiality import (
    Assessment,
    assess_modification,
    assess_presence,
    highest,
)
from clausewatch.provisions.segment import Segment, segment

__all__ = [
    "CHANGE_KINDS",
    "ChangeSetData",
    "Classify",
    "ProvisionChange",
    "diff_segments",
    "diff_versions",
    "word_diff",
]

#: The classifier port: texts in, one mapping with ``types``, ``severity`` and ``claudette`` out
#: per text (``clausewatch.classify.Classifier`` fits it).
Classify = Callable[[Sequence[str]], Sequence[Mapping[str, Any]]]

CHANGE_KINDS = ("added", "removed", "modified", "moved", "split", "merged", "renumbered")


def word_diff(old: str, new: str) -> list[list[str]]:
    """``[[op, words], ...]`` with op ``=``, ``-`` or ``+``; whitespace runs collapsed."""
    a, b = old.split(), new.split()
    out: list[list[str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out.append(["=", " ".join(a[a0:a1])])
            continue
        if a1 > a0:
            out.append(["-", " ".join(a[a0:a1])])
        if b1 > b0:
            out.append(["+", " ".join(b[b0:b1])])
    return out


def _place(seg: Segment) -> dict[str, Any]:
    return {
        "ordinal": seg.ordinal,
        "label": seg.label,
        "heading_path": list(seg.heading_path),
        "start": seg.start,
        "end": seg.end,
    }


@dataclass(frozen=True)
class ProvisionChange:
    """One change of the version, seen provision by provision."""

    kind: str
    materiality: str
    reasons: tuple[str, ...]
    old: tuple[Segment, ...] = ()
    new: tuple[Segment, ...] = ()
    similarity: float | None = None
    text_changed: bool = True
    classes_before: tuple[Mapping[str, Any], ...] = ()
    classes_after: tuple[Mapping[str, Any], ...] = ()

    @property
    def old_text(self) -> str | None:
        return "\n\n".join(s.text for s in self.old) if self.old else None

    @property
    def new_text(self) -> str | None:
        return "\n\n".join(s.text for s in self.new) if self.new else None

    @property
    def heading_path(self) -> tuple[str, ...]:
        return (self.new or self.old)[0].heading_path

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "materiality": self.materiality,
            "reasons": list(self.reasons),
            "heading_path": list(self.heading_path),
            "old": [_place(s) for s in self.old],
            "new": [_place(s) for s in self.new],
            "old_text": self.old_text,
            "new_text": self.new_text,
            "text_changed": self.text_changed,
        }
        if self.similarity is not None:
            out["similarity"] = self.similarity
        if self.old and self.new and self.text_changed:
            out["word_diff"] = word_diff(self.old_text or "", self.new_text or "")
        if self.classes_before or self.classes_after:
            out["types_before"] = sorted(
                {t for c in self.classes_before for t in c.get("types", ())}
            )
            out["types_after"] = sorted({t for c in self.classes_after for t in c.get("types", ())})
            out["severity_before"] = [c.get("severity") for c in self.classes_before]
            out["severity_after"] = [c.get("severity") for c in self.classes_after]
        return out


@dataclass(frozen=True)
class ChangeSetData:
    """Everything that changed between two versions, and how much it matters."""

    changes: tuple[ProvisionChange, ...]
    counts: dict[str, int]
    materiality: str
    summary: str
    old_count: int
    new_count: int
    alignment: Alignment = field(repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "materiality": self.materiality,
            "counts": dict(self.counts),
            "summary": self.summary,
            "old_provisions": self.old_count,
            "new_provisions": self.new_count,
            "changes": [c.to_json() for c in self.changes],
        }


def _assess_match(match: Match, old: Sequence[Segment], new: Sequence[Segment]) -> Assessment:
    if not match.text_changed:
        if match.kind == "moved":
            return Assessment("cosmetic", ("moved without a change of wording",))
        if match.kind in ("split", "merged"):
            return Assessment("cosmetic", (f"{match.kind} without a change of wording",))
        return Assessment("cosmetic", ("renumbered",))
    old_text = " ".join(old[i].text for i in match.old)
    new_text = " ".join(new[j].text for j in match.new)
    return assess_modification(old_text, new_text)


def _types(classes: Sequence[Mapping[str, Any]]) -> set[str]:
    return {str(t) for c in classes for t in (c.get("types") or ())}


def _with_classes(
    change: ProvisionChange,
    before: tuple[Mapping[str, Any], ...],
    after: tuple[Mapping[str, Any], ...],
) -> ProvisionChange:
    materiality, reasons = change.materiality, list(change.reasons)
    if change.kind == "added" and _types(after):
        materiality = "rights_affecting"
        reasons.append(f"classified as {', '.join(sorted(_types(after)))}")
    elif change.kind == "removed" and _types(before):
        materiality = "rights_affecting"
        reasons.append(f"was classified as {', '.join(sorted(_types(before)))}")
    elif change.materiality != "cosmetic" and before and after:
        severity_before = [c.get("severity") for c in before]
        severity_after = [c.get("severity") for c in after]
        if _types(before) != _types(after) or severity_before != severity_after:
            materiality = "rights_affecting"
            reasons.append(
                f"classes {sorted(_types(before)) or 'none'} → {sorted(_types(after)) or 'none'}"
            )
    return ProvisionChange(
        kind=change.kind,
        materiality=materiality,
        reasons=tuple(reasons),
        old=change.old,
        new=change.new,
        similarity=change.similarity,
        text_changed=change.text_changed,
        classes_before=before,
        classes_after=after,
    )


def _classified(changes: list[ProvisionChange], classify: Classify) -> list[ProvisionChange]:
    texts: list[str] = []
    for change in changes:
        if change.text_changed or change.kind in ("added", "removed"):
            texts.extend(s.text for s in change.old)
            texts.extend(s.text for s in change.new)
    unique = list(dict.fromkeys(texts))
    labels = dict(zip(unique, classify(unique), strict=True)) if unique else {}
    out = []
    for change in changes:
        if not (change.text_changed or change.kind in ("added", "removed")):
            out.append(change)
            continue
        before = tuple(labels[s.text] for s in change.old)
        after = tuple(labels[s.text] for s in change.new)
        out.append(_with_classes(change, before, after))
    return out


def _where(change: ProvisionChange) -> str:
    seg = (change.new or change.old)[0]
    place = seg.heading_path[-1] if seg.heading_path else "the preamble"
    return f"{seg.label} in “{place}”" if seg.label else f"“{place}”"


def _quote(text: str, words: int = 12) -> str:
    parts = " ".join(text.replace("**", "").split()).split(" ")
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


_TELLING = (
    "period",
    "amount",
    "even if",
    "without notice",
    "arbitration",
    "class action",
    "waiver",
    "opt-out",
    "sole discretion",
    "jury",
    "indemnify",
    "classif",
)


def _prominence(change: ProvisionChange) -> int:
    """Which rights-affecting changes the summary names first: specific reasons, then edits."""
    if any(word in reason for reason in change.reasons for word in _TELLING):
        return 0
    return 1 if change.old and change.new else 2


def _summary(changes: Sequence[ProvisionChange], counts: Mapping[str, int], level: str) -> str:
    shown = [k for k in CHANGE_KINDS if counts.get(k)]
    if not shown:
        return "No provision changed: every provision reads as before."
    listed = ", ".join(f"{counts[k]} {k}" for k in shown)
    unchanged = counts.get("unchanged", 0)
    words = level.replace("_", "-")
    out = [
        f"Compared with the previous version: {listed} ({unchanged} unchanged); overall {words}."
    ]
    rights = sorted((c for c in changes if c.materiality == "rights_affecting"), key=_prominence)
    if rights:
        items = []
        for change in rights[:3]:
            reason = change.reasons[0] if change.reasons else change.kind
            text = change.new_text or change.old_text or ""
            items.append(f"{change.kind} provision {_where(change)} ({reason}): “{_quote(text)}”")
        more = f"; and {len(rights) - 3} more" if len(rights) > 3 else ""
        out.append("Rights-affecting: " + "; ".join(items) + more + ".")
    substantive = sum(1 for c in changes if c.materiality == "substantive")
    cosmetic = sum(1 for c in changes if c.materiality == "cosmetic")
    if substantive:
        out.append(f"{substantive} other change{'s' if substantive > 1 else ''} alter wording.")
    if cosmetic:
        out.append(
            f"{cosmetic} change{'s are' if cosmetic > 1 else ' is'} cosmetic "
            "(spelling, punctuation, dates, numbering or order)."
        )
    return " ".join(out)


def diff_segments(
    old: Sequence[Segment],
    new: Sequence[Segment],
    *,
    classify: Classify | None = None,
    alignment: Alignment | None = None,
) -> ChangeSetData:
    """The change set between two segmented versions (aligned here unless given)."""
    alignment = alignment or align(old, new)
    changes: list[ProvisionChange] = []
    for match in alignment.matches:
        if match.kind == "unchanged":
            continue
        verdict = _assess_match(match, old, new)
        changes.append(
            ProvisionChange(
                kind=match.kind,
                materiality=verdict.materiality,
                reasons=verdict.reasons,
                old=tuple(old[i] for i in match.old),
                new=tuple(new[j] for j in match.new),
                similarity=match.score,
                text_changed=match.text_changed,
            )
        )
    strong_only = classify is not None
    for j in alignment.added:
        verdict = assess_presence(new[j].text, added=True, strong_only=strong_only)
        changes.append(
            ProvisionChange("added", verdict.materiality, verdict.reasons, new=(new[j],))
        )
    for i in alignment.removed:
        verdict = assess_presence(old[i].text, added=False, strong_only=strong_only)
        changes.append(
            ProvisionChange("removed", verdict.materiality, verdict.reasons, old=(old[i],))
        )
    changes.sort(key=lambda c: (c.new[0].ordinal if c.new else c.old[0].ordinal, c.kind))
    if classify is not None:
        changes = _classified(changes, classify)
    counts = {k: 0 for k in ("unchanged", *CHANGE_KINDS)}
    counts.update(alignment.counts())
    level = highest([c.materiality for c in changes])
    return ChangeSetData(
        changes=tuple(changes),
        counts=counts,
        materiality=level,
        summary=_summary(changes, counts, level),
        old_count=len(old),
        new_count=len(new),
        alignment=alignment,
    )


def diff_versions(
    old_markdown: str,
    new_markdown: str,
    *,
    classify: Classify | None = None,
) -> ChangeSetData:
    """Segment both versions and diff them provision by provision."""
    return diff_segments(segment(old_markdown), segment(new_markdown), classify=classify)
