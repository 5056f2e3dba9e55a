"""The run-time classifier: numpy only, loaded from the package.

It combines the linear heads trained by ``clausewatch train`` with the taxonomy's cues:
a cue match makes a type explicit (its span is the evidence), the type head adds types the
wording implies, and the unfair head gives the CLAUDETTE labels.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from clausewatch.classify.cues import (
    all_cues,
    normalize_with_offsets,
    sentence_around,
    sentences,
    severity_shift,
)
from clausewatch.classify.features import Vectorizer, sparse_dot
from clausewatch.classify.taxonomy import SEVERITIES, Taxonomy, load_taxonomy
from clausewatch.errors import ClausewatchError

EXPLICIT = "Explicit document language"
INFERRED = "Inferred"
TYPE_THRESHOLD = 0.5
"""Probability from the type head above which a type is reported without a cue."""
CUE_SUPPORT = 0.05
"""A cue needs at least this much support from the type head, or an unfair-head label, to
count when it is one of the broad topical cues; precise cues stand alone."""


class ModelError(ClausewatchError):
    """The model files are missing or inconsistent."""


@dataclass(frozen=True)
class ClassificationResult:
    types: list[str]
    categories: list[str]
    severity: str
    confidence: str
    evidence: str
    evidence_span: tuple[int, int] | None
    claudette: list[str]
    scores: dict[str, float] = field(default_factory=dict)
    degrees: dict[str, int] = field(default_factory=dict)

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
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
        }


def _sigmoid(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))).astype(np.float32)


def _softmax(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def _confidence(p: float) -> str:
    if p >= 0.8:
        return "high"
    if p >= 0.5:
        return "medium"
    return "low"


class Classifier:
    """Loads once per process (``load()`` is cached) and classifies batches of provisions."""

    _cached: ClassVar[Classifier | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        arrays: dict[str, npt.NDArray[Any]],
        vocabulary: Sequence[str],
        meta: dict[str, Any],
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.meta = meta
        self.model_id: str = str(meta["model_id"])
        self.labels: list[str] = list(meta["labels"])
        self.taxonomy = taxonomy or load_taxonomy()
        self._types = self.taxonomy.by_id()
        self.vectorizer = Vectorizer(
            {g: i for i, g in enumerate(vocabulary)}, arrays["idf"].astype(np.float32)
        )
        self._unfair_W = arrays["unfair_W"].astype(np.float32)
        self._unfair_b = arrays["unfair_b"].astype(np.float32)
        self._platt = arrays["unfair_platt"].astype(np.float32)
        self._degree_W = arrays.get("degree_W", np.zeros_like(self._unfair_W)).astype(np.float32)
        self._degree_b = arrays.get("degree_b", np.zeros(len(self.labels))).astype(np.float32)
        self._degree_const = arrays.get("degree_constant", np.full(len(self.labels), 2.0))
        self.type_ids: list[str] = list(meta.get("types", []))
        self._types_W = arrays["types_W"].astype(np.float32) if "types_W" in arrays else None
        self._types_b = arrays["types_b"].astype(np.float32) if "types_b" in arrays else None
        self._bad_W = arrays["bad_W"].astype(np.float32) if "bad_W" in arrays else None
        self._bad_b = arrays["bad_b"].astype(np.float32) if "bad_b" in arrays else None
        unknown = [t for t in self.type_ids if t != "none" and t not in self._types]
        if unknown:
            raise ModelError(
                f"model knows types the taxonomy lacks: {unknown}", where=self.model_id
            )
        self._primary_type: dict[str, str] = {}
        for t in self.taxonomy.types:
            for key in t.claudette:
                self._primary_type.setdefault(key, t.id)

    @classmethod
    def from_dir(cls, directory: Path) -> Classifier:
        try:
            with np.load(directory / "model.npz") as npz:
                arrays = {name: npz[name] for name in npz.files}
            vocabulary = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot load the model: {exc}", where=str(directory)) from exc
        return cls(arrays, vocabulary, meta)

    @classmethod
    def load(cls) -> Classifier:
        """The shipped model, loaded once per process."""
        with cls._lock:
            if cls._cached is None:
                ref = resources.files("clausewatch.classify").joinpath("model")
                cls._cached = cls.from_dir(Path(str(ref)))
            return cls._cached

    def unfair_probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Calibrated probability of each CLAUDETTE label (columns in ``self.labels`` order)."""
        ptr, ind, val = self.vectorizer.rows(texts)
        return self._unfair(ptr, ind, val)

    def _unfair(
        self,
        ptr: npt.NDArray[np.int64],
        ind: npt.NDArray[np.int64],
        val: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float32]:
        margins = sparse_dot(ptr, ind, val, self._unfair_W) + self._unfair_b
        return _sigmoid(margins * self._platt[:, 0] + self._platt[:, 1])

    def _unfair_decisions(self, probabilities: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
        """Decision at margin 0 (where the SVM was fitted), expressed as a probability."""
        at_zero = _sigmoid(self._platt[:, 1])
        return probabilities >= at_zero

    def predict_unfair(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        return self._unfair_decisions(self.unfair_probabilities(texts))

    def type_probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if self._types_W is None or self._types_b is None:
            return np.zeros((len(texts), 0), dtype=np.float32)
        ptr, ind, val = self.vectorizer.rows(texts)
        return _softmax(sparse_dot(ptr, ind, val, self._types_W) + self._types_b)

    def classify(self, texts: Sequence[str]) -> list[ClassificationResult]:
        if not texts:
            return []
        ptr, ind, val = self.vectorizer.rows(texts)
        unfair_p = self._unfair(ptr, ind, val)
        unfair_on = self._unfair_decisions(unfair_p)
        degree_p = _sigmoid(sparse_dot(ptr, ind, val, self._degree_W) + self._degree_b)
        if self._types_W is not None and self._types_b is not None:
            type_p = _softmax(sparse_dot(ptr, ind, val, self._types_W) + self._types_b)
        else:
            type_p = np.zeros((len(texts), 0), dtype=np.float32)
        if self._bad_W is not None and self._bad_b is not None:
            bad_p = _sigmoid(sparse_dot(ptr, ind, val, self._bad_W) + self._bad_b)[:, 0]
        else:
            bad_p = np.full(len(texts), 0.5, dtype=np.float32)
        return [
            self._assemble(text, unfair_p[i], unfair_on[i], degree_p[i], type_p[i], float(bad_p[i]))
            for i, text in enumerate(texts)
        ]

    def _assemble(
        self,
        text: str,
        unfair_p: npt.NDArray[np.float32],
        unfair_on: npt.NDArray[np.bool_],
        degree_p: npt.NDArray[np.float32],
        type_p: npt.NDArray[np.float32],
        bad_p: float,
    ) -> ClassificationResult:
        norm = normalize_with_offsets(text)
        cue_matches = {m.type_id: m for m in all_cues(norm, self.taxonomy)}
        claudette = [k for k, on in zip(self.labels, unfair_on, strict=True) if on]
        p_of: dict[str, float] = {t: float(p) for t, p in zip(self.type_ids, type_p, strict=True)}
        for key in claudette:
            type_id = self._primary_type.get(key)
            if type_id is not None:
                p = float(unfair_p[self.labels.index(key)])
                p_of[type_id] = max(p_of.get(type_id, 0.0), p)
        if "unilateral_change" in claudette and "unilateral_change_with_notice" in cue_matches:
            p_of["unilateral_change_with_notice"] = max(
                p_of.get("unilateral_change_with_notice", 0.0),
                p_of.pop("unilateral_change_without_notice", 0.0),
            )
        chosen: dict[str, float] = {}
        for type_id, p in p_of.items():
            if type_id != "none" and p >= TYPE_THRESHOLD:
                chosen[type_id] = p
        for key in claudette:
            type_id = self._primary_type.get(key)
            if type_id is not None and type_id not in chosen:
                chosen[type_id] = float(unfair_p[self.labels.index(key)])
        for type_id in cue_matches:
            if type_id not in chosen:
                # A cue is explicit wording: it stands, with a confidence that grows when the
                # learned heads agree.
                chosen[type_id] = max(0.6, min(0.95, 0.6 + p_of.get(type_id, 0.0)))
            else:
                chosen[type_id] = max(chosen[type_id], 0.85)
        order = sorted(chosen, key=lambda t: (-chosen[t], t))
        categories: list[str] = []
        for type_id in order:
            category = self._types[type_id].category
            if category not in categories:
                categories.append(category)
        degrees = {}
        for key in claudette:
            j = self.labels.index(key)
            const = float(self._degree_const[j])
            degrees[key] = int(const) if const else (3 if degree_p[j] >= 0.5 else 2)
        severity_index = 0
        for type_id in order:
            provision_type = self._types[type_id]
            level = SEVERITIES.index(provision_type.severity) + severity_shift(norm, provision_type)
            severity_index = max(severity_index, min(2, max(0, level)))
        if any(d == 3 for d in degrees.values()):
            severity_index = 2
        if order:
            confidence = _confidence(chosen[order[0]])
        else:
            none_p = 1.0 - max(
                [float(unfair_p.max()), *[p for t, p in p_of.items() if t != "none"]]
            )
            confidence = _confidence(none_p)
        explicit = [t for t in order if t in cue_matches]
        span: tuple[int, int] | None
        if explicit:
            evidence = EXPLICIT
            span = sentence_around(text, cue_matches[explicit[0]].span)
        elif order:
            evidence = INFERRED
            span = self._deciding_sentence(text, order[0])
        else:
            evidence = INFERRED
            span = None
        scores = {f"type:{t}": chosen[t] for t in order}
        scores.update(
            {f"claudette:{k}": float(p) for k, p in zip(self.labels, unfair_p, strict=True)}
        )
        scores["unfavourable"] = bad_p
        return ClassificationResult(
            types=order,
            categories=categories,
            severity=SEVERITIES[severity_index],
            confidence=confidence,
            evidence=evidence,
            evidence_span=span,
            claudette=claudette,
            scores=scores,
            degrees=degrees,
        )

    def _deciding_sentence(self, text: str, type_id: str) -> tuple[int, int] | None:
        spans = sentences(text)
        if len(spans) <= 1:
            return spans[0] if spans else None
        parts = [text[a:b] for a, b in spans]
        if type_id in self.type_ids:
            p = self.type_probabilities(parts)[:, self.type_ids.index(type_id)]
        else:
            key = next((k for k, v in self._primary_type.items() if v == type_id), None)
            if key is None:
                return spans[0]
            p = self.unfair_probabilities(parts)[:, self.labels.index(key)]
        return spans[int(np.argmax(p))]
