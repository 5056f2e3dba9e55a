"""Training of the shipped classifier (sklearn at build time, numpy arrays out).

Four linear heads share one TF-IDF space of word and character n-grams:

* ``unfair``: the 8 UNFAIR-ToS / CLAUDETTE labels (LinearSVC, Platt-calibrated by
  cross-validation on the training rows only);
* ``degree``: per CLAUDETTE category, clearly (3) vs potentially (2) unfair;
* ``types``: the taxonomy's provision types plus ``none`` (multinomial logistic regression on
  ToS;DR points mapped through the taxonomy, our exemplars and the CLAUDETTE positives);
* ``unfavourable``: ToS;DR bad/blocker vs good/neutral.

Everything is seeded and sorted, so the same data gives the same arrays.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from clausewatch.classify.cues import all_cues, normalize_with_offsets
from clausewatch.classify.data import (
    CLAUDETTE_KEYS,
    UNFAIR_DEV_SERVICES,
    LabelledSentence,
    ToSDRPoint,
    aligned_claudette,
    claudette_documents,
    is_forbidden,
    load_claudette,
    load_tosdr,
    load_unfair_tos,
    names_forbidden,
)
from clausewatch.classify.features import analyze
from clausewatch.classify.taxonomy import Taxonomy, load_taxonomy

Progress = Callable[[str], None]
NONE_TYPE = "none"
MAX_FEATURES = 60_000
CUE_WEIGHT = 0.3
"""Value of a taxonomy-cue indicator appended to the l2-normed TF-IDF row (tuned by dev F1
between 0.3, 0.6 and 1.0; see docs/decisions/0002-classifier.md)."""
LANGUAGE_CUE_WEIGHT = 0.3
"""The same indicator for the German, Italian and Polish models, over the cue phrases of
``analysis/knowledge/cues/<language>.yaml`` (measured in docs/decisions/0002-classifier.md)."""
UNFAIR_HEAD_SKIPS_CUES = frozenset(
    {"unilateral_change_without_notice", "unilateral_change_with_notice"}
)
"""Cue columns the CLAUDETTE (unfair) head does not read. The change cues state the topic
("we may modify these terms"), which fair change clauses share with unfair ones; as a
feature of unfairness they cost the never-seen sets (dev 78.3 -> 78.8, test-split proxy 71.1
-> 71.9 without them, unilateral change 59.3 -> 71.0 on the proxy; grouped cross-validation
over the training rows 71.6 both ways; see docs/decisions/0002-classifier.md, ninth
session). The types, evidence and the degree head still use them."""
NEGATIVES_FOR_TYPES = 4_000
LBFGS_TOL = 1e-7
"""Gradient tolerance of the logistic-regression heads (type and unfavourable), fitted in
float64. At sklearn's default (1e-4, float32 rows) the type head stopped after about 94
iterations, up to 1.0 away (weights reach 15) from where a tighter fit goes, and the order of
floating-point sums decided where: another machine shipped a type head up to 0.5 away from
ours, so `train` did not rebuild the shipped model there. The same fit on the same rows in
another order moved weights by up to 0.25; at this tolerance in float64 (about 270
iterations, a few minutes more) by at most 0.008, one float16 step, with a mean of 3e-6.
Decision 0002 has the measurement."""
LANGUAGES: tuple[str, ...] = ("de", "it", "pl")
"""Languages with a model of their own beside English: CLAUDETTE-2021's translations."""
LANGUAGE_HEADS = frozenset({"unfair", "degree", "types"})
"""The CLAUDETTE heads learn from the labelled translations; the type head learns the English
model's types carried over to the translated sentences (``projected_type_rows``)."""
PROJECTION_MIN_P = 0.5
"""An English type-head answer is carried over only when its probability reaches this."""
PROJECTED_NONE_PER_TYPED = 1.0
"""``none`` rows kept per typed row carried over: most sentences of a contract have no type,
and keeping them all (four in five) taught a head that almost never named one. One to one is
about the share the English type head learns from (ToS;DR points against unlabelled
sentences); decision 0002 has the comparison."""


def _quiet(_: str) -> None:
    return None


@dataclass
class Corpus:
    """Rows for every head, already filtered (forbidden services, dev services)."""

    unfair: list[LabelledSentence]
    unfair_groups: list[str]
    tosdr: list[ToSDRPoint]
    exemplars: dict[str, list[str]]
    counts: dict[str, int] = field(default_factory=dict)
    type_rows: tuple[list[str], list[str]] | None = None
    """Rows of the type head given outright (a language model's, carried over from the
    English model by sentence alignment); None: built from ToS;DR and the exemplars."""


def load_exemplars() -> dict[str, list[str]]:
    ref = resources.files("clausewatch").joinpath("analysis/knowledge/provision_exemplars.yaml")
    raw = yaml.safe_load(ref.read_text(encoding="utf-8"))
    return {str(k): [str(x) for x in v] for k, v in raw["exemplars"].items()}


def build_language_corpus(
    data_dir: Path, language: str, claudette_docs: Sequence[str] | None = None
) -> Corpus:
    """A non-English model's corpus: CLAUDETTE-2021 in that language only (UNFAIR-ToS and
    ToS;DR are English), with the same service exclusions as the English model."""
    if claudette_docs is None:
        claudette_docs = [
            d for d in claudette_documents(data_dir) if not is_forbidden(d, UNFAIR_DEV_SERVICES)
        ]
    docs = [d for d in claudette_docs if not is_forbidden(d)]
    rows = load_claudette(data_dir, list(docs), lang=language)
    counts = {"claudette_sentences": len(rows), "claudette_documents": len(docs)}
    return Corpus(rows, [f"claudette-{r.service}" for r in rows], [], {}, counts)


def projected_type_rows(
    data_dir: Path,
    language: str,
    documents: Sequence[str],
    english_types: Callable[[Sequence[str]], tuple[list[str], npt.NDArray[np.float32]]],
    *,
    min_p: float = PROJECTION_MIN_P,
    none_per_typed: float | None = PROJECTED_NONE_PER_TYPED,
    seed: int = 0,
) -> tuple[list[str], list[str]]:
    """Type-head rows in ``language``: each CLAUDETTE-2021 document is aligned sentence by
    sentence with its English original (``align``: lengths and annotation tags), and each
    translated sentence takes the English type head's answer on its original, ``none``
    included, when that answer is sure enough; ``none`` rows are then sampled (seeded) down
    to ``none_per_typed`` per typed row (None keeps them all). No language has labelled
    types of its own; this is how the German, Italian and Polish models learn to find them."""
    texts: list[str] = []
    labels: list[str] = []
    for doc in documents:
        source, target, pairs = aligned_claudette(data_dir, doc, language)
        if not pairs:
            continue
        type_ids, probabilities = english_types([source[i].text for i, _ in pairs])
        best = probabilities.argmax(axis=1)
        for (_, j), k, row in zip(pairs, best.tolist(), probabilities, strict=True):
            if row[k] >= min_p:
                texts.append(target[j].text)
                labels.append(type_ids[k])
    if none_per_typed is None:
        return texts, labels
    typed = [i for i, label in enumerate(labels) if label != NONE_TYPE]
    untyped = [i for i, label in enumerate(labels) if label == NONE_TYPE]
    chosen = np.random.default_rng(seed).permutation(len(untyped))
    keep = sorted(typed + [untyped[k] for k in chosen[: int(none_per_typed * len(typed))]])
    return [texts[i] for i in keep], [labels[i] for i in keep]


def build_corpus(
    data_dir: Path,
    *,
    claudette_docs: Sequence[str] | None = None,
    include_unfair_train: bool = True,
    tosdr_keep: Callable[[ToSDRPoint], bool] | None = None,
) -> Corpus:
    """The training corpus of the shipped model: UNFAIR-ToS train, CLAUDETTE-2021 (English)
    and ToS;DR, without the five forbidden services and without UNFAIR-ToS dev services, so
    the dev score is measured on services the model never saw."""
    if claudette_docs is None:
        claudette_docs = [
            d for d in claudette_documents(data_dir) if not is_forbidden(d, UNFAIR_DEV_SERVICES)
        ]
    docs = [d for d in claudette_docs if not is_forbidden(d)]
    unfair: list[LabelledSentence] = []
    groups: list[str] = []
    if include_unfair_train:
        rows = load_unfair_tos(data_dir, "train")
        unfair.extend(rows)
        # LexGLUE keeps documents contiguous (~185 rows each): blocks stand in for documents.
        groups.extend(f"unfair-{i // 185}" for i in range(len(rows)))
    claudette = load_claudette(data_dir, list(docs))
    unfair.extend(claudette)
    groups.extend(f"claudette-{r.service}" for r in claudette)
    points = [
        p
        for p in load_tosdr(data_dir)
        if not names_forbidden([p.service, p.service_name], UNFAIR_DEV_SERVICES)
    ]
    if tosdr_keep is not None:
        points = [p for p in points if tosdr_keep(p)]
    counts = {
        "unfair_tos_train": len(unfair) - len(claudette),
        "claudette_sentences": len(claudette),
        "claudette_documents": len(docs),
        "tosdr_points": len(points),
    }
    return Corpus(unfair, groups, points, load_exemplars(), counts)


@dataclass
class TrainedModel:
    arrays: dict[str, npt.NDArray[Any]]
    vocabulary: list[str]
    meta: dict[str, Any]


def _type_rows(corpus: Corpus, taxonomy: Taxonomy, seed: int) -> tuple[list[str], list[str]]:
    """Rows of the type head: ToS;DR points by their case's type, the exemplars, and
    unlabelled UNFAIR-ToS/CLAUDETTE sentences without cues as ``none``.

    The UNFAIR-ToS and CLAUDETTE positives are left out: the unfair head already gives
    their types (each CLAUDETTE label brings its primary type), and labelling them here with
    that one coarse type pulled neighbouring ToS;DR types towards it (type accuracy on
    held-out ToS;DR services 80.2% with them, 83.5% without; decision 0002)."""
    by_case = taxonomy.by_tosdr_case()
    texts: list[str] = []
    labels: list[str] = []
    for point in corpus.tosdr:
        type_id = by_case.get(point.case.strip())
        if type_id is not None:
            texts.append(point.quote)
            labels.append(type_id)
    for type_id, examples in sorted(corpus.exemplars.items()):
        for example in examples:
            texts.append(example)
            labels.append(type_id)
    negatives = [
        row.text
        for row in corpus.unfair
        if not row.labels
        and not row.degrees
        and not all_cues(normalize_with_offsets(row.text), taxonomy)
    ]
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(len(negatives))[:NEGATIVES_FOR_TYPES]
    for index in sorted(chosen.tolist()):
        texts.append(negatives[index])
        labels.append(NONE_TYPE)
    return texts, labels


def _vocabulary(texts: Sequence[str], max_features: int) -> list[str]:
    """The ``max_features`` most frequent features (summed counts) found in at least two
    texts, ties broken by the feature itself, in sorted order. sklearn's own ``max_features``
    breaks ties with an unstable sort whose order depends on the CPU's vector instructions,
    so two machines built different vocabularies from the same data."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(analyzer=analyze, min_df=2, dtype=np.int64)
    counts = counter.fit_transform(texts)
    terms = np.array(counter.get_feature_names_out(), dtype=object)
    totals = np.asarray(counts.sum(axis=0)).ravel()
    # lexsort is stable and orders by the last key first: most frequent, then by the term.
    order = np.lexsort((np.arange(len(terms)), -totals))[:max_features]
    return sorted(str(t) for t in terms[order])


def fit(
    corpus: Corpus,
    *,
    seed: int = 0,
    max_features: int = MAX_FEATURES,
    calibrate: bool = True,
    heads: frozenset[str] = frozenset({"unfair", "degree", "types", "unfavourable"}),
    cue_weight: float | None = None,
    language: str = "en",
    progress: Progress = _quiet,
) -> TrainedModel:
    """Train the heads in ``heads`` on ``corpus`` (texts in ``language``). ``cue_weight``
    defaults to the shipped value for that language; 0 trains without cue columns."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if cue_weight is None:
        cue_weight = CUE_WEIGHT if language == "en" else LANGUAGE_CUE_WEIGHT
    # The cue phrases of the corpus's language: a type without cues in it has no column.
    taxonomy = load_taxonomy().for_language(language)
    type_texts: list[str] = []
    type_labels: list[str] = []
    if "types" in heads:
        type_texts, type_labels = corpus.type_rows or _type_rows(corpus, taxonomy, seed)
        if len(set(type_labels)) < 2:
            # Nothing to tell apart (a language corpus without carried-over types).
            type_texts, type_labels = [], []
            heads = heads - {"types"}
    unfair_texts = [r.text for r in corpus.unfair]
    graded = [p for p in corpus.tosdr if p.classification in {"good", "neutral", "bad", "blocker"}]
    if "unfavourable" not in heads:
        graded = []
    bad_texts = [p.quote for p in graded]
    bad_y = np.array([p.classification in {"bad", "blocker"} for p in graded], dtype=int)
    if not {"unfair", "degree"} & heads:
        unfair_texts = []
    progress(f"vectorising {len(unfair_texts) + len(type_texts) + len(bad_texts)} texts")
    all_texts = unfair_texts + type_texts + bad_texts
    vectorizer = TfidfVectorizer(
        analyzer=analyze,
        sublinear_tf=True,
        vocabulary=_vocabulary(all_texts, max_features),
        dtype=np.float32,
    )
    vectorizer.fit(all_texts)
    vocabulary = [""] * len(vectorizer.vocabulary_)
    for gram, index in vectorizer.vocabulary_.items():
        vocabulary[index] = gram
    cue_types = [t.id for t in taxonomy.types if t.cues] if cue_weight > 0 else []

    def featurize(texts: Sequence[str]) -> Any:
        import scipy.sparse as sp

        cues = np.zeros((len(texts), len(cue_types)), dtype=np.float32)
        for i, text in enumerate(texts if cue_types else []):
            for match in all_cues(normalize_with_offsets(text), taxonomy):
                cues[i, cue_types.index(match.type_id)] = cue_weight
        return sp.hstack([vectorizer.transform(texts), sp.csr_matrix(cues)]).tocsr()

    n_features = len(vocabulary) + len(cue_types)
    arrays: dict[str, npt.NDArray[Any]] = {"idf": vectorizer.idf_.astype(np.float32)}
    meta: dict[str, Any] = {
        "seed": seed,
        "counts": corpus.counts,
        "n_features": n_features,
        "cue_types": cue_types,
        "cue_weight": cue_weight if cue_types else 0.0,
        "cue_digest": taxonomy.cue_digest() if cue_types else None,
        "unfair_head_skips_cues": sorted(UNFAIR_HEAD_SKIPS_CUES & set(cue_types)),
        "language": language,
    }

    n_labels = len(CLAUDETTE_KEYS)
    if "unfair" in heads:
        X = _without_columns(
            featurize(unfair_texts),
            [len(vocabulary) + i for i, t in enumerate(cue_types) if t in UNFAIR_HEAD_SKIPS_CUES],
        )
        Y = np.array([[k in r.labels for k in CLAUDETTE_KEYS] for r in corpus.unfair], dtype=int)
        W = np.zeros((n_features, n_labels), dtype=np.float32)
        b = np.zeros(n_labels, dtype=np.float32)
        for j, key in enumerate(CLAUDETTE_KEYS):
            progress(f"unfair head: {key}")
            if Y[:, j].min() == Y[:, j].max():
                # No example of one side (small or foreign corpora): a constant answer.
                b[j] = 1.0 if Y[0, j] else -1.0
                continue
            svc = LinearSVC(C=1.0, max_iter=10_000, random_state=seed)
            svc.fit(X, Y[:, j])
            W[:, j] = svc.coef_[0]
            b[j] = svc.intercept_[0]
        platt = np.tile(np.array([[4.0, 0.0]], dtype=np.float32), (n_labels, 1))
        if calibrate:
            platt = _platt(X, Y, corpus.unfair_groups, seed, progress)
        arrays.update(unfair_W=W.astype(np.float16), unfair_b=b, unfair_platt=platt)

    if "degree" in heads:
        Wd = np.zeros((n_features, n_labels), dtype=np.float32)
        bd = np.zeros(n_labels, dtype=np.float32)
        constant = np.zeros(n_labels, dtype=np.float32)
        for j, key in enumerate(CLAUDETTE_KEYS):
            rows = [r for r in corpus.unfair if r.degrees.get(key, 0) >= 2]
            degrees = np.array([r.degrees[key] for r in rows])
            if len(rows) == 0:
                constant[j] = 2
                continue
            if len(set(degrees.tolist())) < 2 or min(np.bincount(degrees)[2:]) < 3:
                constant[j] = float(np.bincount(degrees).argmax())
                continue
            progress(f"degree head: {key}")
            lr = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")
            lr.fit(featurize([r.text for r in rows]), (degrees == 3).astype(int))
            Wd[:, j] = lr.coef_[0]
            bd[j] = lr.intercept_[0]
        arrays.update(degree_W=Wd.astype(np.float16), degree_b=bd, degree_constant=constant)

    if "types" in heads:
        progress(f"type head: {len(type_texts)} rows, {len(set(type_labels))} types")
        classes = sorted(set(type_labels))
        lr = _fit_logistic(
            featurize(type_texts), np.array([classes.index(t) for t in type_labels]), C=30.0
        )
        coef, intercept = lr.coef_.T, lr.intercept_
        if len(classes) == 2:
            # A binary fit has one column (the second class against the first); the softmax
            # of [-z/2, z/2] is the same probability.
            coef = np.hstack([-coef / 2, coef / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        arrays.update(types_W=coef.astype(np.float16), types_b=intercept.astype(np.float32))
        meta["types"] = classes

    if "unfavourable" in heads and len(bad_texts) > 0:
        progress(f"unfavourable head: {len(bad_texts)} ToS;DR points")
        lr = _fit_logistic(featurize(bad_texts), bad_y, C=3.0)
        arrays.update(bad_W=lr.coef_.T.astype(np.float16), bad_b=lr.intercept_.astype(np.float32))

    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    digest.update("\n".join(vocabulary).encode())
    prefix = "clausewatch-linear" if language == "en" else f"clausewatch-linear-{language}"
    meta["model_id"] = f"{prefix}-{digest.hexdigest()[:12]}"
    meta["labels"] = list(CLAUDETTE_KEYS)
    return TrainedModel(arrays, vocabulary, meta)


def _without_columns(X: Any, columns: Sequence[int]) -> Any:
    """``X`` (CSR) with ``columns`` set to zero, so a linear head fitted on it gives them no
    weight."""
    if not columns:
        return X
    out = X.copy()
    out.data[np.isin(out.indices, columns)] = 0.0
    out.eliminate_zeros()
    return out


def _fit_logistic(X: Any, y: npt.NDArray[np.int_], *, C: float) -> Any:
    """A logistic regression fitted in float64 to ``LBFGS_TOL``, so that the weights do not
    depend on the machine's order of floating-point sums (see ``LBFGS_TOL``)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=30_000, tol=LBFGS_TOL).fit(X.astype(np.float64), y)


def _platt(
    X: Any, Y: npt.NDArray[np.int_], groups: list[str], seed: int, progress: Progress
) -> npt.NDArray[np.float32]:
    """Sigmoid parameters per label, fitted on out-of-fold SVM scores (3 folds by document),
    so that probabilities are calibrated on text the margins were not fitted to."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    names = sorted(set(groups))
    fold_of = {name: int(hashlib.sha256(name.encode()).hexdigest(), 16) % 3 for name in names}
    folds = np.array([fold_of[g] for g in groups])
    scores = np.zeros(Y.shape, dtype=np.float64)
    for fold in range(3):
        progress(f"calibration fold {fold + 1}/3")
        train, test = folds != fold, folds == fold
        for j in range(Y.shape[1]):
            if Y[train, j].min() == Y[train, j].max():
                scores[test, j] = 1.0 if Y[train, j][0] else -1.0
                continue
            svc = LinearSVC(C=1.0, max_iter=10_000, random_state=seed)
            svc.fit(X[train], Y[train, j])
            scores[test, j] = svc.decision_function(X[test])
    platt = np.tile(np.array([[4.0, 0.0]], dtype=np.float32), (Y.shape[1], 1))
    for j in range(Y.shape[1]):
        if Y[:, j].min() == Y[:, j].max():
            continue
        lr = LogisticRegression(C=100.0)
        lr.fit(scores[:, j : j + 1], Y[:, j])
        platt[j] = (lr.coef_[0, 0], lr.intercept_[0])
    return platt


def save(model: TrainedModel, out_dir: Path) -> list[Path]:
    """Write model.npz, vocabulary.json and meta.json, each through a temp file + rename."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []

    def atomic(name: str, write: Callable[[Any], None], mode: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out_dir)
        try:
            with os.fdopen(fd, mode) as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, out_dir / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(out_dir / name)

    atomic("model.npz", lambda h: np.savez_compressed(h, **model.arrays), "wb")  # type: ignore[arg-type]
    atomic(
        "vocabulary.json",
        lambda h: h.write(json.dumps(model.vocabulary, ensure_ascii=False, separators=(",", ":"))),
        "w",
    )
    atomic(
        "meta.json", lambda h: h.write(json.dumps(model.meta, indent=2, sort_keys=True) + "\n"), "w"
    )
    return written


def _prefixed(progress: Progress, prefix: str) -> Progress:
    return lambda message: progress(f"{prefix}: {message}")


def train_all(
    data_dir: Path, out_dir: Path, *, seed: int = 0, progress: Progress = _quiet
) -> tuple[list[TrainedModel], list[Path]]:
    """The shipped model set: English in ``out_dir`` and one model per language of
    ``LANGUAGES`` in ``out_dir/<language>``, each written atomically file by file."""
    from clausewatch.classify.model import Classifier

    corpus = build_corpus(data_dir)
    progress(f"en corpus: {corpus.counts}")
    models = [fit(corpus, seed=seed, progress=progress)]
    paths = save(models[0], out_dir)
    english = Classifier(models[0].arrays, models[0].vocabulary, models[0].meta)

    def english_types(texts: Sequence[str]) -> tuple[list[str], npt.NDArray[np.float32]]:
        return english.type_ids, english.type_probabilities(texts)

    for language in LANGUAGES:
        corpus = build_language_corpus(data_dir, language)
        documents = sorted({r.service for r in corpus.unfair})
        progress(f"{language}: carrying the English types over to {len(documents)} documents")
        corpus.type_rows = projected_type_rows(
            data_dir, language, documents, english_types, seed=seed
        )
        corpus.counts["projected_type_rows"] = len(corpus.type_rows[0])
        progress(f"{language} corpus: {corpus.counts}")
        model = fit(
            corpus,
            seed=seed,
            heads=LANGUAGE_HEADS,
            language=language,
            progress=_prefixed(progress, language),
        )
        models.append(model)
        paths += save(model, out_dir / language)
    return models, paths
