"""What a classification is, and how severity and confidence are judged from it.

Kept apart from the model so the judgement rules (which analysts argue about) can be read,
tested and changed without touching the numerics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from clausewatch.classify.cues import severity_shift
from clausewatch.classify.taxonomy import SEVERITIES, ProvisionType

EXPLICIT = "Explicit document language"
INFERRED = "Inferred"


@dataclass(frozen=True)
class ClassificationResult:
    types: list[str]
    categories: list[str]
    severity: str
    confidence: str
    evidence: str
    evidence_span: tuple[int, int] | None
    """Character offsets, in the classified text, of the span that decided the leading type."""
    claudette: list[str]
    scores: dict[str, float] = field(default_factory=dict)
    degrees: dict[str, int] = field(default_factory=dict)
    """CLAUDETTE fairness degree per ``claudette`` label: 2 potentially, 3 clearly unfair."""
    language: str = "en"
    """The language of the model that judged the text."""

    def to_json(self) -> dict[str, Any]:
        return {
            "types": self.types,
            "categories": self.categories,
            "severity": self.severity,
            "confidence": self.confidence,
            "evidence": self.evidence,
            "evidence_span": list(self.evidence_span) if self.evidence_span else None,
            "claudette": self.claudette,
            "degrees": self.degrees,
            "language": self.language,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
        }


def confidence_level(probability: float) -> str:
    """Low / Medium / High from a calibrated probability (cut at 0.5 and 0.8)."""
    if probability >= 0.8:
        return "high"
    if probability >= 0.5:
        return "medium"
    return "low"


def severity_of(
    types: Sequence[ProvisionType], normalized_text: str, degrees: dict[str, int]
) -> str:
    """The worst type's default severity, each moved one step by its raise/lower conditions,
    and high whenever the clause is clearly unfair (CLAUDETTE degree 3)."""
    index = 0
    for provision_type in types:
        level = SEVERITIES.index(provision_type.severity) + severity_shift(
            normalized_text, provision_type
        )
        index = max(index, min(2, max(0, level)))
    if any(degree == 3 for degree in degrees.values()):
        index = 2
    return SEVERITIES[index]
