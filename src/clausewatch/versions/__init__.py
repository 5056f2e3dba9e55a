"""Versions: normalisation, "is this a new version?", metadata, document diffs, dataset import."""

from clausewatch.versions.decide import Decision, check_content, decide
from clausewatch.versions.normalise import normalise, text_fingerprint, typography_key

__all__ = [
    "Decision",
    "check_content",
    "decide",
    "normalise",
    "text_fingerprint",
    "typography_key",
]
