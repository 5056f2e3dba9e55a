"""Loaders for the labelled clause corpora used to train and evaluate the classifier.

They live in ``../shared/data`` and are never shipped; only ``clausewatch train`` and
``bench/classify_eval.py`` read them. The service filter is here, in one place, because the
rule it enforces (never train on the services whose old terms form the UNFAIR-ToS test split)
must hold for every source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clausewatch.errors import ClausewatchError

UNFAIR_LABELS: tuple[str, ...] = (
    "Limitation of liability",
    "Unilateral termination",
    "Unilateral change",
    "Content removal",
    "Contract by using",
    "Choice of law",
    "Jurisdiction",
    "Arbitration",
)
"""LexGLUE's UNFAIR-ToS labels, in its class order."""

CLAUDETTE_KEYS: tuple[str, ...] = (
    "limitation_of_liability",
    "unilateral_termination",
    "unilateral_change",
    "content_removal",
    "contract_by_using",
    "choice_of_law",
    "jurisdiction",
    "arbitration",
)
"""The same labels as the ``claudette`` keys of the CLI output (same order)."""

CLAUDETTE_TAGS: dict[str, str] = {
    "ltd": "limitation_of_liability",
    "ter": "unilateral_termination",
    "ch": "unilateral_change",
    "cr": "content_removal",
    "use": "contract_by_using",
    "law": "choice_of_law",
    "j": "jurisdiction",
    "a": "arbitration",
}

FORBIDDEN_SERVICES: tuple[str, ...] = ("amazon", "snap", "linkedin", "uber", "evernote")
"""Services whose 2016-17 terms are the UNFAIR-ToS test split: never trained on."""

UNFAIR_DEV_SERVICES: tuple[str, ...] = (
    "nintendo",
    "airbnb",
    "crowdtangle",
    "tripadvisor",
    "supercell",
    "headspace",
    "fitbit",
    "vimeo",
    "oculus",
    "lindenlab",
    "secondlife",
)
"""UNFAIR-ToS dev services: kept out of training so the dev score is on unseen services."""


class TrainingDataError(ClausewatchError):
    """A training corpus is missing or malformed."""


def service_key(name: str) -> str:
    """Lower-case letters and digits only, so "Snap Inc.", "snapchat" and "Snap" compare."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_forbidden(name: str, extra: tuple[str, ...] = ()) -> bool:
    """True when a service name starts with a forbidden one (prefix match is deliberately
    broad: "Uber Eats", "Amazon Web Services" and "Snapchat" are all excluded)."""
    key = service_key(name)
    return any(key.startswith(p) for p in (*FORBIDDEN_SERVICES, *extra))


def names_forbidden(names: list[str], extra: tuple[str, ...] = ()) -> bool:
    """True when any of a service's names (slug, display name) or any word of them is
    forbidden: "Amazon Web Services" is caught by its first word, "Second Life" by its
    joined name."""
    candidates = [n for n in names if n]
    candidates += [w for n in names for w in re.split(r"[\s_\-]+", n) if w]
    return any(is_forbidden(c, extra) for c in candidates)


@dataclass(frozen=True)
class LabelledSentence:
    text: str
    labels: frozenset[str]
    source: str
    service: str = ""
    degrees: dict[str, int] = field(default_factory=dict)


def _read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    if not path.is_file():
        raise TrainingDataError("file not found", where=str(path))
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"bad JSON: {exc.msg}", where=f"{path}:{number}") from exc
            if not isinstance(row, dict):
                raise TrainingDataError("not an object", where=f"{path}:{number}")
            yield row


def load_unfair_tos(data_dir: Path, split: str) -> list[LabelledSentence]:
    """UNFAIR-ToS rows with labels turned into the ``claudette`` keys."""
    to_key = dict(zip(UNFAIR_LABELS, CLAUDETTE_KEYS, strict=True))
    out = []
    for row in _read_jsonl(data_dir / "unfair-tos" / f"{split}.jsonl"):
        labels = row.get("labels", [])
        assert isinstance(labels, list)
        out.append(
            LabelledSentence(
                text=str(row["text"]).strip(),
                labels=frozenset(to_key[str(x)] for x in labels),
                source=f"unfair-tos/{split}",
            )
        )
    return out


def claudette_documents(data_dir: Path) -> list[str]:
    path = data_dir / "claudette-2021" / "lists" / "LIST_ALL.txt"
    if not path.is_file():
        raise TrainingDataError("file not found", where=str(path))
    return [line.strip().removesuffix(".txt") for line in path.read_text().split() if line.strip()]


def claudette_fold(data_dir: Path, fold: int) -> tuple[list[str], list[str]]:
    """The authors' document split: (train documents, test documents)."""
    lists = data_dir / "claudette-2021" / "lists"
    train = (lists / f"LIST_TRAIN_{fold}.txt").read_text().split()
    test = (lists / f"LIST_TEST_{fold}.txt").read_text().split()
    return [d.removesuffix(".txt") for d in train], [d.removesuffix(".txt") for d in test]


def load_claudette(
    data_dir: Path, documents: list[str] | None = None, lang: str = "en"
) -> list[LabelledSentence]:
    """CLAUDETTE-2021 sentences; a label is set for degree 2 or 3 (potentially or clearly
    unfair), as in the LexGLUE mapping; degrees of every tag are kept for the degree head."""
    root = data_dir / "claudette-2021" / lang
    docs = documents if documents is not None else claudette_documents(data_dir)
    out = []
    for doc in docs:
        sentences = (root / "sentences" / f"{doc}.txt").read_text(encoding="utf-8").split("\n")
        tags = (root / "tags" / f"{doc}.txt").read_text(encoding="utf-8").split("\n")
        if len(tags) < len(sentences):
            tags += [""] * (len(sentences) - len(tags))
        for text, tag_line in zip(sentences, tags, strict=False):
            if not text.strip():
                continue
            degrees: dict[str, int] = {}
            for tag in tag_line.split():
                match = re.fullmatch(r"([a-z]+)([123])", tag)
                if match and match.group(1) in CLAUDETTE_TAGS:
                    key = CLAUDETTE_TAGS[match.group(1)]
                    degrees[key] = max(degrees.get(key, 0), int(match.group(2)))
            labels = frozenset(k for k, d in degrees.items() if d >= 2)
            out.append(
                LabelledSentence(
                    text=text.strip(),
                    labels=labels,
                    source=f"claudette-2021/{lang}",
                    service=doc,
                    degrees=degrees,
                )
            )
    return out


def aligned_claudette(
    data_dir: Path, document: str, language: str
) -> tuple[list[LabelledSentence], list[LabelledSentence], list[tuple[int, int]]]:
    """A CLAUDETTE-2021 document in English and in ``language``, with the pairs ``(i, j)`` of
    sentences that translate each other one to one (``align``: lengths and annotation tags)."""
    from clausewatch.classify.align import align

    source = load_claudette(data_dir, [document], lang="en")
    target = load_claudette(data_dir, [document], lang=language)
    pairs = align(
        [r.text for r in source],
        [r.text for r in target],
        [frozenset(r.degrees) for r in source],
        [frozenset(r.degrees) for r in target],
    )
    return source, target, pairs


@dataclass(frozen=True)
class ToSDRPoint:
    quote: str
    case: str
    classification: str
    service: str
    service_name: str = ""


def load_tosdr(data_dir: Path) -> list[ToSDRPoint]:
    """Approved ToS;DR points that carry a quote."""
    out = []
    for row in _read_jsonl(data_dir / "tosdr" / "points.jsonl"):
        quote = row.get("quote")
        if not isinstance(quote, str) or not quote.strip():
            continue
        out.append(
            ToSDRPoint(
                quote=quote.strip(),
                case=str(row.get("case", "")).strip(),
                classification=str(row.get("classification", "")),
                service=str(row.get("service", "")),
                service_name=str(row.get("service_name", "")),
            )
        )
    return out
