"""The run-time classifier: numpy only, loaded from the package.

It combines the linear heads trained by ``clausewatch train`` with the taxonomy's cues:
a cue match makes a type explicit (its span is the evidence), the type head adds types the
wording implies, and the unfair head gives the CLAUDETTE labels.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from clausewatch.classify.cues import (
    CueMatch,
    all_cues,
    first_stating,
    normalize_with_offsets,
    sentence_around,
    sentence_cues,
    sentences,
)
from clausewatch.classify.features import Vectorizer, normalize, sparse_dot
from clausewatch.classify.language import guess_language
from clausewatch.classify.result import (
    EXPLICIT,
    INFERRED,
    ClassificationResult,
    confidence_level,
    severity_of,
)
from clausewatch.classify.taxonomy import Taxonomy, load_taxonomy
from clausewatch.errors import ClausewatchError

CHUNK = 256
"""Texts per internal block: bounds memory whatever the caller's batch size."""
TYPE_THRESHOLD = 0.5
"""Probability from the type head above which a type is reported without a cue."""
CUE_ONLY_CONFIDENCE = 0.6
"""What a cue match alone is worth: the floor the model path gives an explicit type."""
WITH_NOTICE = "unilateral_change_with_notice"
WITHOUT_NOTICE = "unilateral_change_without_notice"


class ModelError(ClausewatchError):
    """The model files are missing or inconsistent."""


def _sigmoid(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))).astype(np.float32)


def _softmax(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: npt.NDArray[np.float32] = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


@dataclass
class _HeadOutputs:
    unfair: npt.NDArray[np.float32]
    degree: npt.NDArray[np.float32]
    types: npt.NDArray[np.float32]
    bad: npt.NDArray[np.float32]
    unfair_span: list[list[tuple[int, int] | None]]
    types_span: list[list[tuple[int, int] | None]]
    cues: list[dict[str, CueMatch]]


def load_model_files(
    directory: Path,
) -> tuple[dict[str, npt.NDArray[Any]], list[str], dict[str, Any]]:
    """The arrays, vocabulary and metadata of the one model in ``directory`` (its language
    sub-folders are not read)."""
    try:
        with np.load(directory / "model.npz") as npz:
            arrays = {name: npz[name] for name in npz.files}
        vocabulary = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot load the model: {exc}", where=str(directory)) from exc
    return arrays, list(vocabulary), meta


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
        self.language: str = str(meta.get("language", "en"))
        self.by_language: dict[str, Classifier] = {}
        """Models of other languages (German, Italian, Polish), routed to by ``classify``."""
        self.labels: list[str] = list(meta["labels"])
        self._all_languages = taxonomy or load_taxonomy()
        # The cues and severity conditions of the model's own language.
        self.taxonomy = self._all_languages.for_language(self.language)
        self._types = self.taxonomy.by_id()
        self.vectorizer = Vectorizer(
            {g: i for i, g in enumerate(vocabulary)}, arrays["idf"].astype(np.float32)
        )
        n_labels = len(self.labels)
        self.type_ids: list[str] = list(meta.get("types", []))
        n_rows = arrays["unfair_W"].shape[0]
        # The German, Italian and Polish models have no ToS;DR-trained head: their results
        # carry no "unfavourable" score rather than a constant 0.5.
        self._has_unfavourable = "bad_W" in arrays
        blocks = [
            arrays["unfair_W"],
            arrays.get("degree_W", np.zeros((n_rows, n_labels))),
            arrays.get("types_W", np.zeros((n_rows, len(self.type_ids)))),
            arrays.get("bad_W", np.zeros((n_rows, 1))),
        ]
        # One weight matrix for every head: a single gather per batch instead of four.
        self._W = np.concatenate([b.astype(np.float32) for b in blocks], axis=1)
        self._b = np.concatenate(
            [
                arrays["unfair_b"],
                arrays.get("degree_b", np.zeros(n_labels)),
                arrays.get("types_b", np.zeros(len(self.type_ids))),
                arrays.get("bad_b", np.zeros(1)),
            ]
        ).astype(np.float32)
        edges = np.cumsum([0, *(b.shape[1] for b in blocks)])
        self._slices = {
            name: slice(int(edges[k]), int(edges[k + 1]))
            for k, name in enumerate(("unfair", "degree", "types", "bad"))
        }
        self._platt = arrays["unfair_platt"].astype(np.float32)
        self._degree_const = arrays.get("degree_constant", np.full(n_labels, 2.0))
        self._cue_column = {
            type_id: len(vocabulary) + k for k, type_id in enumerate(meta.get("cue_types", []))
        }
        self._cue_weight = float(meta.get("cue_weight", 0.0))
        trained_on = meta.get("cue_digest")
        self.stale_cues: bool = bool(trained_on) and trained_on != self.taxonomy.cue_digest()
        """The taxonomy's cue patterns changed since training: rerun ``clausewatch train``."""
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
    def from_dir(cls, directory: Path, taxonomy: Taxonomy | None = None) -> Classifier:
        """The model in ``directory`` plus, when present, one per language in its
        sub-folders (``de/``, ``it/``, ``pl/``); ``taxonomy`` defaults to the shipped one."""
        model = cls._from_files(directory, taxonomy)
        for sub in sorted(p for p in directory.iterdir() if (p / "model.npz").is_file()):
            other = cls._from_files(sub, taxonomy)
            if other.language != sub.name:
                raise ModelError(
                    f"folder holds a {other.language!r} model, not {sub.name!r}", where=str(sub)
                )
            model.by_language[sub.name] = other
        # Languages read by their cue phrases alone change with those phrases, and every
        # language's results with the rules read after the cues.
        cue_only = [
            f"{code}:{model._all_languages.for_language(code).cue_digest()}"
            for code in model.cue_only_languages
        ]
        reading = [
            f"reading:{code}:{digest}"
            for code in model._all_languages.languages
            if (digest := model._all_languages.for_language(code).reading_digest())
        ]
        if model.by_language or reading:
            ids = "\n".join(
                [
                    model.model_id,
                    *(m.model_id for m in model.by_language.values()),
                    *(cue_only if model.by_language else ()),
                    *reading,
                ]
            )
            model.model_id = f"{model.model_id}+{hashlib.sha256(ids.encode()).hexdigest()[:8]}"
        return model

    @property
    def cue_only_languages(self) -> tuple[str, ...]:
        """Languages with cue phrases but no model (French): their texts get the types their
        words state, as explicit evidence, and no learned labels."""
        if not self.by_language:
            return ()
        return tuple(
            code
            for code in self._all_languages.languages
            if code != self.language and code not in self.by_language
        )

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language this classifier reads: its models' and the cue-only ones."""
        return (self.language, *self.by_language, *self.cue_only_languages)

    @classmethod
    def _from_files(cls, directory: Path, taxonomy: Taxonomy | None = None) -> Classifier:
        return cls(*load_model_files(directory), taxonomy)

    @classmethod
    def load(cls) -> Classifier:
        """The shipped model, loaded once per process."""
        with cls._lock:
            if cls._cached is None:
                ref = resources.files("clausewatch.classify").joinpath("model")
                cls._cached = cls.from_dir(Path(str(ref)))
            return cls._cached

    def _features(
        self,
        texts: Sequence[str],
        cue_matches: Sequence[dict[str, CueMatch]] | None = None,
        groups: Sequence[Sequence[str]] | None = None,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """TF-IDF rows with one extra column per taxonomy cue that matched (as in training).

        ``texts`` are the rows' texts; with ``groups`` the rows are built by
        ``Vectorizer.grouped_rows`` (whole text then its sentences) and ``texts`` must list
        them in that order.
        """
        if cue_matches is None:
            cue_matches = [self._cues(text) for text in texts]
        if groups is None:
            ptr, ind, val = self.vectorizer.rows(texts)
        else:
            ptr, ind, val = self.vectorizer.grouped_rows(groups)
        if not self._cue_column:
            return ptr, ind, val
        # Each row's cue columns go after its TF-IDF entries, in column order. Most rows have
        # none, so the few entries are listed in Python and inserted by one numpy call.
        rows: list[int] = []
        columns: list[int] = []
        for i, matches in enumerate(cue_matches):
            if matches:
                extra = sorted(self._cue_column[t] for t in matches if t in self._cue_column)
                rows.extend([i] * len(extra))
                columns.extend(extra)
        if not rows:
            return ptr, ind, val
        row_ids = np.asarray(rows, dtype=np.int64)
        at = ptr[row_ids + 1]
        added = np.bincount(row_ids, minlength=len(ptr) - 1)
        new_ptr = ptr.copy()
        new_ptr[1:] += np.cumsum(added)
        return (
            new_ptr,
            np.insert(ind, at, np.asarray(columns, dtype=np.int64)),
            np.insert(val, at, np.float32(self._cue_weight)),
        )

    def _cues(self, text: str) -> dict[str, CueMatch]:
        return {m.type_id: m for m in all_cues(normalize_with_offsets(text), self.taxonomy)}

    def unfair_probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Calibrated probability of each CLAUDETTE label (columns in ``self.labels`` order)."""
        return self._heads(texts).unfair

    def _margins(
        self,
        ptr: npt.NDArray[np.int64],
        ind: npt.NDArray[np.int64],
        val: npt.NDArray[np.float32],
        head: str | None = None,
    ) -> npt.NDArray[np.float32]:
        if head is None:
            return sparse_dot(ptr, ind, val, self._W) + self._b
        part = self._slices[head]
        return sparse_dot(ptr, ind, val, self._W[:, part]) + self._b[part]

    def _unfair(
        self,
        ptr: npt.NDArray[np.int64],
        ind: npt.NDArray[np.int64],
        val: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float32]:
        margins = self._margins(ptr, ind, val, "unfair")
        return _sigmoid(margins * self._platt[:, 0] + self._platt[:, 1])

    @property
    def unfair_thresholds(self) -> npt.NDArray[np.float32]:
        """Each label's decision threshold on its calibrated probability: the probability at
        margin 0, where the SVM was fitted (columns in ``self.labels`` order)."""
        return _sigmoid(self._platt[:, 1])

    def _unfair_decisions(self, probabilities: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
        return probabilities >= self.unfair_thresholds

    def predict_unfair(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        return self._unfair_decisions(self.unfair_probabilities(texts))

    def type_probabilities(
        self, texts: Sequence[str], per_sentence: bool = True
    ) -> npt.NDArray[np.float32]:
        """Type-head probabilities (columns in ``self.type_ids`` order); with
        ``per_sentence=False`` the text is scored only as a whole (a proper distribution)."""
        if per_sentence:
            return self._heads(texts).types
        if not self.type_ids:
            return np.zeros((len(texts), 0), dtype=np.float32)
        return _softmax(self._margins(*self._features(texts), "types"))

    def unfavourable_probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Probability that ToS;DR would grade each whole text bad or blocker rather than good
        or neutral (the ``unfavourable`` score); zeros for a model without that head."""
        if not self._has_unfavourable:
            return np.zeros(len(texts), dtype=np.float32)
        return self._heads(texts).bad

    def _heads(self, texts: Sequence[str]) -> _HeadOutputs:
        """Every head on every text, in blocks of ``CHUNK`` texts so memory stays flat.

        A text of several sentences is scored as a whole and sentence by sentence (the heads
        were trained on sentences), keeping each label's best unit, so one unfair sentence is
        not diluted by a long provision; the unfavourable head, trained on ToS;DR's graded
        passages, judges the whole text. Each sentence is analysed and scanned for cues once;
        the whole text's counts and cues are the sum and union of its sentences'.
        """
        blocks = [
            self._heads_block(texts[start : start + CHUNK]) for start in range(0, len(texts), CHUNK)
        ]
        if len(blocks) == 1:
            return blocks[0]
        return _HeadOutputs(
            unfair=np.concatenate([b.unfair for b in blocks]),
            degree=np.concatenate([b.degree for b in blocks]),
            types=np.concatenate([b.types for b in blocks]),
            bad=np.concatenate([b.bad for b in blocks]),
            unfair_span=[s for b in blocks for s in b.unfair_span],
            types_span=[s for b in blocks for s in b.types_span],
            cues=[c for b in blocks for c in b.cues],
        )

    def _heads_block(self, texts: Sequence[str]) -> _HeadOutputs:
        cut = sentence_cues(texts, self.taxonomy)
        groups, group_spans, group_cues = cut.parts, cut.spans, cut.cues
        units: list[str] = []
        unit_cues: list[dict[str, CueMatch]] = []
        unit_spans: list[tuple[int, int] | None] = []
        owner: list[int] = []
        whole_cues: list[dict[str, CueMatch]] = []
        for i, (group, spans, part_cues) in enumerate(
            zip(groups, group_spans, group_cues, strict=True)
        ):
            merged = first_stating(group, part_cues)
            whole_cues.append(cut.reading(i, texts[i], self.taxonomy, merged))
            if len(group) > 1:
                units.append(texts[i])
                unit_cues.append(merged)
                unit_spans.append(None)
                owner.append(i)
            for part, span, part_by_type in zip(group, spans, part_cues, strict=True):
                units.append(part)
                unit_cues.append(part_by_type)
                unit_spans.append(span if len(group) > 1 else None)
                owner.append(i)
        margins = self._margins(*self._features(units, unit_cues, groups))
        unfair = _sigmoid(
            margins[:, self._slices["unfair"]] * self._platt[:, 0] + self._platt[:, 1]
        )
        degree = _sigmoid(margins[:, self._slices["degree"]])
        if self.type_ids:
            types = _softmax(margins[:, self._slices["types"]])
        else:
            types = np.zeros((len(units), 0), dtype=np.float32)
        bad = _sigmoid(margins[:, self._slices["bad"]])[:, 0]
        n = len(texts)
        out = _HeadOutputs(
            unfair=np.zeros((n, unfair.shape[1]), dtype=np.float32),
            degree=np.zeros((n, degree.shape[1]), dtype=np.float32),
            types=np.zeros((n, types.shape[1]), dtype=np.float32),
            bad=np.zeros(n, dtype=np.float32),
            unfair_span=[[None] * unfair.shape[1] for _ in range(n)],
            types_span=[[None] * types.shape[1] for _ in range(n)],
            cues=whole_cues,
        )
        if n == 0:
            return out
        owners = np.asarray(owner)
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        ends = np.r_[starts[1:], len(units)]
        for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            best_unfair = a + unfair[a:b].argmax(axis=0)
            out.unfair[i] = unfair[best_unfair, np.arange(unfair.shape[1])]
            out.degree[i] = degree[best_unfair, np.arange(degree.shape[1])]
            out.unfair_span[i] = [unit_spans[int(u)] for u in best_unfair]
            if types.shape[1]:
                best_type = a + types[a:b].argmax(axis=0)
                out.types[i] = types[best_type, np.arange(types.shape[1])]
                out.types_span[i] = [unit_spans[int(u)] for u in best_type]
            # ToS;DR grades passages, not sentences: the whole text (its first unit).
            out.bad[i] = bad[a]
        return out

    def classify(
        self, texts: Sequence[str], language: str | None = None
    ) -> list[ClassificationResult]:
        """Every text by the model of its language, in input order.

        A text goes to the German, Italian or Polish model when its function words say so
        clearly. Texts whose words say nothing clear (headings, short fragments) go to
        ``language``, the document's language when the caller knows it, and otherwise to
        the English model; so does any language without a model of its own.
        """
        if not texts:
            return []
        if not self.by_language:
            return self._classify_here(texts)
        known = self.languages
        hinted = language in known
        fallback = language if language in known else self.language
        routes: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            found = guess_language(text, default=fallback, document=hinted)
            routes.setdefault(found if found in known else self.language, []).append(i)
        out: list[ClassificationResult | None] = [None] * len(texts)
        for routed, indices in routes.items():
            batch = [texts[i] for i in indices]
            if routed == self.language:
                results = self._classify_here(batch)
            elif routed in self.by_language:
                results = self.by_language[routed]._classify_here(batch)
            else:
                results = self._classify_by_cues(batch, routed)
            for i, result in zip(indices, results, strict=True):
                out[i] = result
        return [r for r in out if r is not None]

    def _classify_by_cues(self, texts: Sequence[str], language: str) -> list[ClassificationResult]:
        """Texts of a language with cue phrases and no model: each type its words state,
        quoted, at medium confidence (a cue alone, as in the models' results); no CLAUDETTE
        labels, since no model judged fairness; and low confidence when nothing matched,
        since no model says the text holds nothing."""
        taxonomy = self._all_languages.for_language(language)
        by_id = taxonomy.by_id()
        cut = sentence_cues(texts, taxonomy)
        out = []
        for i, text in enumerate(texts):
            cues = cut.reading(i, text, taxonomy)
            order = sorted(cues, key=lambda t: (cues[t].span[0], t))
            categories = list(dict.fromkeys(by_id[t].category for t in order))
            severity = severity_of([by_id[t] for t in order], normalize(text), {})
            out.append(
                ClassificationResult(
                    types=order,
                    categories=categories,
                    severity=severity,
                    confidence=confidence_level(CUE_ONLY_CONFIDENCE if order else 0.0),
                    evidence=EXPLICIT if order else INFERRED,
                    evidence_span=sentence_around(text, cues[order[0]].span) if order else None,
                    claudette=[],
                    scores={f"type:{t}": CUE_ONLY_CONFIDENCE for t in order},
                    language=language,
                )
            )
        return out

    def _classify_here(self, texts: Sequence[str]) -> list[ClassificationResult]:
        heads = self._heads(texts)
        unfair_on = self._unfair_decisions(heads.unfair)
        return [self._assemble(text, heads, i, unfair_on[i]) for i, text in enumerate(texts)]

    def _assemble(
        self,
        text: str,
        heads: _HeadOutputs,
        i: int,
        unfair_on: npt.NDArray[np.bool_],
    ) -> ClassificationResult:
        cue_matches = heads.cues[i]
        normalized = normalize(text)
        unfair_p = heads.unfair[i]
        degree_p = heads.degree[i]
        type_p = heads.types[i]
        bad_p = float(heads.bad[i])
        claudette = [k for k, on in zip(self.labels, unfair_on, strict=True) if on]
        p_of: dict[str, float] = {t: float(p) for t, p in zip(self.type_ids, type_p, strict=True)}
        for key in claudette:
            type_id = self._primary_type.get(key)
            if type_id is not None:
                p = float(unfair_p[self.labels.index(key)])
                p_of[type_id] = max(p_of.get(type_id, 0.0), p)
        if "unilateral_change" in claudette and WITH_NOTICE in cue_matches:
            p_of[WITH_NOTICE] = max(p_of.get(WITH_NOTICE, 0.0), p_of.pop(WITHOUT_NOTICE, 0.0))
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
                chosen[type_id] = max(
                    CUE_ONLY_CONFIDENCE, min(0.95, CUE_ONLY_CONFIDENCE + p_of.get(type_id, 0.0))
                )
            else:
                chosen[type_id] = max(chosen[type_id], 0.85)
        if WITH_NOTICE in chosen and WITHOUT_NOTICE in chosen:
            # Opposites: the notice is stated or it is not. Where the words state only one,
            # that one stands; where they state neither, the likelier one; both when both.
            stated = {t for t in (WITH_NOTICE, WITHOUT_NOTICE) if t in cue_matches}
            if len(stated) < 2:
                keep = (
                    stated.pop()
                    if stated
                    else max((WITHOUT_NOTICE, WITH_NOTICE), key=lambda t: chosen[t])
                )
                del chosen[WITHOUT_NOTICE if keep == WITH_NOTICE else WITH_NOTICE]
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
        severity = severity_of([self._types[t] for t in order], normalized, degrees)
        if order:
            confidence = confidence_level(chosen[order[0]])
        else:
            none_p = 1.0 - max(
                [float(unfair_p.max()), *[p for t, p in p_of.items() if t != "none"]]
            )
            confidence = confidence_level(none_p)
        explicit = [t for t in order if t in cue_matches]
        span: tuple[int, int] | None
        if explicit:
            evidence = EXPLICIT
            span = sentence_around(text, cue_matches[explicit[0]].span)
        elif order:
            evidence = INFERRED
            span = self._deciding_sentence(text, order[0], heads, i)
        else:
            evidence = INFERRED
            span = None
        scores = {f"type:{t}": chosen[t] for t in order}
        scores.update(
            {f"claudette:{k}": float(p) for k, p in zip(self.labels, unfair_p, strict=True)}
        )
        if self._has_unfavourable:
            scores["unfavourable"] = bad_p
        return ClassificationResult(
            types=order,
            categories=categories,
            severity=severity,
            confidence=confidence,
            evidence=evidence,
            evidence_span=span,
            claudette=claudette,
            scores=scores,
            degrees=degrees,
            language=self.language,
        )

    def _deciding_sentence(
        self, text: str, type_id: str, heads: _HeadOutputs, i: int
    ) -> tuple[int, int] | None:
        span: tuple[int, int] | None = None
        if type_id in self.type_ids:
            span = heads.types_span[i][self.type_ids.index(type_id)]
        key = next((k for k, v in self._primary_type.items() if v == type_id), None)
        if key is not None and (span is None or type_id not in self.type_ids):
            span = heads.unfair_span[i][self.labels.index(key)] or span
        if span is None:
            whole = sentences(text)
            return (whole[0][0], whole[-1][1]) if whole else None
        return span
