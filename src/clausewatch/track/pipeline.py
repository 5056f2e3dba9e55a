"""One document's pass through the pipeline, from fetched bytes to classified provisions.

Everything here runs inside the caller's transaction, so a document is either recorded whole
(capture, ledger record, version, provisions, change set, labels) or not at all; a crash
between documents leaves nothing half-written and a rerun simply does the document again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clausewatch.archive.blobs import BlobStore
from clausewatch.archive.ledger import append_capture
from clausewatch.declarations import TermsDeclaration
from clausewatch.extract import Extraction, ExtractionError, Snapshot, extract
from clausewatch.fetch.client import FetchResult
from clausewatch.fetch.errors import FetchError
from clausewatch.provisions.record import record_version_provisions
from clausewatch.store.models import (
    Capture,
    Classification,
    DeclarationRecord,
    Document,
    ProvisionText,
    Version,
)
from clausewatch.versions.record import record_inaccessible, record_text

Status = Literal["new_version", "changed", "unchanged", "failed", "inaccessible"]
ClassifyFn = Callable[[Sequence[str], str | None], Sequence[Mapping[str, Any]]]
"""Labels for texts, given the language of the document they come from (None: unknown)."""


@dataclass(frozen=True)
class SourceOutcome:
    """What fetching one source URL of a document gave: bytes or a classified error."""

    index: int
    url: str
    result: FetchResult | None = None
    error: FetchError | None = None


@dataclass
class DocumentOutcome:
    document_id: int
    label: str
    status: Status
    reason: str = ""
    version_id: int | None = None
    materiality: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def filters_file_for(session: Session, document: Document) -> Path | None:
    """The ``<Service>.filters.js`` beside the declaration file the document was imported from."""
    source = session.scalars(
        select(DeclarationRecord.source)
        .where(
            DeclarationRecord.platform_id == document.platform_id,
            DeclarationRecord.terms_type == document.terms_type,
            DeclarationRecord.valid_until.is_(None),
        )
        .order_by(DeclarationRecord.imported_at.desc())
        .limit(1)
    ).first()
    if not source:
        return None
    path = Path(source)
    candidate = path.with_name(f"{path.name.removesuffix('.json')}.filters.js")
    return candidate if candidate.exists() else None


def latest_captures(
    session: Session, document_ids: Sequence[int]
) -> dict[tuple[int, int], Capture]:
    """The newest capture of each (document, source) among ``document_ids``, in one query."""
    if not document_ids:
        return {}
    ranked = (
        select(
            Capture.id,
            func.row_number()
            .over(
                partition_by=(Capture.document_id, Capture.source_index),
                order_by=(Capture.fetched_at.desc(), Capture.id.desc()),
            )
            .label("rank"),
        )
        .where(Capture.document_id.in_(list(document_ids)))
        .subquery()
    )
    rows = session.scalars(
        select(Capture).join(ranked, ranked.c.id == Capture.id).where(ranked.c.rank == 1)
    ).all()
    return {(c.document_id, c.source_index): c for c in rows}


def latest_capture(session: Session, document_id: int, source_index: int) -> Capture | None:
    return session.scalars(
        select(Capture)
        .where(Capture.document_id == document_id, Capture.source_index == source_index)
        .order_by(Capture.fetched_at.desc(), Capture.id.desc())
        .limit(1)
    ).first()


def memo_key(text: str, language: str | None) -> str:
    """Labels are memoised per text (by its SHA-256) and document language: a text with no
    clear language of its own (a heading) is labelled by its document's language model."""
    return f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}:{language or ''}"


#: Languages the shipped models were trained on (English, and CLAUDETTE-2021's German, Italian
#: and Polish, each routed to its own model); languages with cue phrases only (French) are
#: added by the loaded classifier. Other texts get rules-only materiality and no labels
#: rather than an English model's confident-looking silence.
MODEL_LANGUAGES = frozenset({"en", "de", "it", "pl"})


@dataclass
class Classifications:
    """Labels every provision text once per model; unchanged provisions are never relabelled.

    The change-set diff and the stored labels ask for the same texts: a memo by text hash
    (and document language) makes the second ask free. ``language`` is the language of the
    document being labelled; :meth:`in_language` gives a view for another document that
    shares the memo.
    """

    classify: ClassifyFn
    model_id: str
    memo_limit: int = 50_000
    language: str | None = None
    languages: frozenset[str] = field(default_factory=lambda: MODEL_LANGUAGES)
    """Languages the classifier reads (a model or cue phrases); others get no labels."""
    _memo: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def in_language(self, language: str | None) -> Classifications:
        return Classifications(
            self.classify,
            self.model_id,
            self.memo_limit,
            language,
            self.languages,
            _memo=self._memo,
        )

    def labels(self, texts: Sequence[str]) -> list[Mapping[str, Any]]:
        keys = [memo_key(t, self.language) for t in texts]
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._memo:
                todo.setdefault(key, text)
        if todo:
            if len(self._memo) + len(todo) > self.memo_limit:
                self._memo.clear()
            results = self.classify(list(todo.values()), self.language)
            self._memo.update(zip(todo, results, strict=True))
        return [self._memo[key] for key in keys]

    def prime(self, labels: Mapping[str, Mapping[str, Any]]) -> None:
        """Labels computed elsewhere (a worker process) by the same model, keyed by
        :func:`memo_key`."""
        if len(self._memo) + len(labels) > self.memo_limit:
            self._memo.clear()
        self._memo.update(labels)

    def label_version(self, session: Session, version_id: int) -> int:
        rows = session.scalars(
            select(ProvisionText).where(ProvisionText.version_id == version_id)
        ).all()
        wanted = {row.text_sha256: row.text for row in rows}
        if not wanted:
            return 0
        language = self.language or ""
        known = set(
            session.scalars(
                select(Classification.text_sha256).where(
                    Classification.model == self.model_id,
                    Classification.language == language,
                    Classification.text_sha256.in_(list(wanted)),
                )
            )
        )
        todo = [(sha, text) for sha, text in wanted.items() if sha not in known]
        if not todo:
            return 0
        results = self.labels([text for _, text in todo])
        for (sha, _), result in zip(todo, results, strict=True):
            session.add(
                Classification(
                    text_sha256=sha, model=self.model_id, language=language, result=dict(result)
                )
            )
        return len(todo)

    def provision_classify(self, texts: Sequence[str]) -> Sequence[Mapping[str, Any]]:
        return self.labels(texts)


def labels_for_language(
    labels: Classifications | None, language: str | None
) -> Classifications | None:
    """The labeller for a document in ``language``: None when that language has no model,
    else a view that routes the document's wordless texts (headings) to its model."""
    if labels is None or (language and language not in labels.languages):
        return None
    return labels.in_language(language)


def labels_in_model_language(
    labels: Classifications | None, version: Version
) -> Classifications | None:
    return labels_for_language(labels, version.language)


def load_classifications() -> Classifications | None:
    """The shipped classifier wrapped for the pipeline, or None when it cannot load."""
    try:
        from clausewatch.classify.model import Classifier
    except ImportError:
        return None
    model = Classifier.load()
    return Classifications(
        classify=lambda texts, language: [r.to_json() for r in model.classify(texts, language)],
        model_id=model.model_id,
        languages=frozenset(model.languages),
    )


def version_after_text(
    session: Session,
    document: Document,
    extraction: Extraction,
    *,
    fetched_at: datetime,
    capture_ids: Sequence[int],
    origin: str,
    labels: Classifications | None,
    technical: bool = False,
) -> Version | None:
    """Record a version if the text changed, then its provisions, change set and labels."""
    version = record_text(
        session,
        document,
        extraction.markdown,
        fetched_at=fetched_at,
        capture_ids=list(capture_ids),
        origin=origin,
        extractor=extraction.extractor,
        technical=technical,
    )
    if version is None:
        return None
    labels = labels_in_model_language(labels, version)
    record_version_provisions(
        session,
        version,
        technical=technical,
        classify=labels.provision_classify if labels else None,
    )
    if labels is not None:
        labels.label_version(session, version.id)
    return version


def apply_fetch(
    session: Session,
    blobs: BlobStore,
    document: Document,
    terms: TermsDeclaration,
    outcomes: Sequence[SourceOutcome],
    *,
    checked_at: datetime,
    labels: Classifications | None,
    origin: str = "fetch",
    archive_only: bool = False,
    filters_file: Path | None = None,
    previous_captures: Mapping[tuple[int, int], Capture] | None = None,
    extraction: Extraction | None = None,
) -> DocumentOutcome:
    """Turn the fetch of every source of ``document`` into archive records and maybe a version."""
    label = f"{document.platform.name} / {document.terms_type}"
    document.last_checked_at = checked_at
    failures = [o for o in outcomes if o.error is not None]
    if failures:
        err = failures[0].error
        assert err is not None
        record_inaccessible(
            session,
            document,
            reason=err.reason,
            url=failures[0].url,
            fetched_at=checked_at,
            detail={"stage": "fetch", "kind": err.kind, "status": err.status},
        )
        return DocumentOutcome(document.id, label, "failed", f"{err.kind}: {err.reason}")

    captures: list[Capture] = []
    contents: list[bytes] = []
    changed = False
    for outcome in sorted(outcomes, key=lambda o: o.index):
        result = outcome.result
        assert result is not None
        previous = (
            previous_captures.get((document.id, outcome.index))
            if previous_captures is not None
            else latest_capture(session, document.id, outcome.index)
        )
        if previous is not None and (
            result.not_modified
            or hashlib.sha256(result.content).hexdigest() == previous.content_sha256
        ):
            previous.last_verified_at = result.fetched_at
            previous.confirmations += 1
            captures.append(previous)
            contents.append(b"" if result.not_modified else result.content)
            continue
        if result.not_modified:
            # A 304 with nothing stored for this source cannot be: refetch next time.
            record_inaccessible(
                session,
                document,
                reason="304 Not Modified without a stored capture",
                url=outcome.url,
                fetched_at=checked_at,
                detail={"stage": "fetch"},
            )
            return DocumentOutcome(document.id, label, "failed", "304 without a stored capture")
        capture = append_capture(
            session,
            blobs,
            document=document,
            url=result.url,
            fetched_at=result.fetched_at,
            http_status=result.status,
            content=result.content,
            mime_type=result.mime_type,
            etag=result.etag,
            last_modified=result.last_modified,
            headers=dict(result.headers),
            origin=origin,
            source_index=outcome.index,
        )
        captures.append(capture)
        contents.append(result.content)
        changed = True

    if not changed:
        document.last_verified_at = checked_at
        return DocumentOutcome(document.id, label, "unchanged")
    if archive_only:
        document.last_verified_at = checked_at
        return DocumentOutcome(document.id, label, "changed", "archived; extraction skipped")

    snapshots = [
        Snapshot(
            content=content or blobs.get(capture.content_sha256),
            mime_type=capture.mime_type,
            url=capture.url,
            fetched_at=capture.fetched_at,
        )
        for capture, content in zip(captures, contents, strict=True)
    ]
    fetched_at = max(c.fetched_at for c in captures)
    try:
        if extraction is None:
            extraction = extract(snapshots, terms, filters_file=filters_file)
    except ExtractionError as exc:
        record_inaccessible(
            session,
            document,
            reason=exc.reason,
            url=captures[0].url,
            fetched_at=fetched_at,
            detail={
                "stage": "extract",
                "error": type(exc).__name__,
                "capture_ids": [c.id for c in captures],
            },
        )
        return DocumentOutcome(document.id, label, "inaccessible", exc.reason)
    document.last_verified_at = checked_at
    version = version_after_text(
        session,
        document,
        extraction,
        fetched_at=fetched_at,
        capture_ids=[c.id for c in captures],
        origin=origin,
        labels=labels,
    )
    if version is None:
        return DocumentOutcome(document.id, label, "changed", "bytes changed, text did not")
    return DocumentOutcome(document.id, label, "new_version", version_id=version.id)
