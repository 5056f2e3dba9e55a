"""Re-read stored snapshots with today's extractor and declarations, without fetching.

After an extractor upgrade or a declaration fix, the newest captures of each document are
extracted again. A text that differs from the latest version only because of that becomes a
*technical* version: it keeps future diffs honest and never alerts anyone. Documents whose
latest captures never became a version (a selector that used to match nothing, an archive-only
run) get their version now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausewatch.archive.blobs import BlobStore
from clausewatch.declarations import DeclarationError, TermsDeclaration, terms_from_body
from clausewatch.extract import ExtractionError, Snapshot, extract
from clausewatch.store import Store
from clausewatch.store.models import Capture, DeclarationRecord, Document
from clausewatch.track.pipeline import (
    Classifications,
    DocumentOutcome,
    latest_captures,
    version_after_text,
)
from clausewatch.track.runner import select_documents
from clausewatch.versions.record import InaccessibleText, latest_version


@dataclass
class ReextractSummary:
    documents: int = 0
    technical_versions: int = 0
    new_versions: int = 0
    unchanged: int = 0
    skipped: list[DocumentOutcome] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "technical_versions": self.technical_versions,
            "new_versions": self.new_versions,
            "unchanged": self.unchanged,
            "skipped": [
                {"document_id": s.document_id, "document": s.label, "reason": s.reason}
                for s in self.skipped
            ],
        }


def declaration_at(session: Session, document: Document, when: datetime) -> TermsDeclaration:
    """The declaration of ``document`` valid at ``when``, from the stored declaration history."""
    rows = session.scalars(
        select(DeclarationRecord)
        .where(
            DeclarationRecord.platform_id == document.platform_id,
            DeclarationRecord.terms_type == document.terms_type,
            DeclarationRecord.valid_until.is_not(None),
        )
        .order_by(DeclarationRecord.valid_until)
    ).all()
    body = next(
        (r.body for r in rows if r.valid_until is not None and r.valid_until >= when),
        document.declaration,
    )
    return terms_from_body(
        document.platform.name, document.terms_type, body, where=f"document {document.id}"
    )


def latest_capture_set(session: Session, document: Document) -> list[Capture]:
    """The newest capture of each source of the document, in source order."""
    newest = latest_captures(session, [document.id])
    return [newest[key] for key in sorted(newest)]


def reextract_document(
    session: Session, blobs: BlobStore, document: Document, labels: Classifications | None
) -> DocumentOutcome:
    label = f"{document.platform.name} / {document.terms_type}"
    captures = latest_capture_set(session, document)
    if not captures:
        return DocumentOutcome(document.id, label, "failed", "no stored capture")
    fetched_at = max(c.fetched_at for c in captures)
    try:
        terms = declaration_at(session, document, fetched_at)
    except DeclarationError as exc:
        return DocumentOutcome(document.id, label, "failed", str(exc))
    if len(terms.sources) != len(captures):
        return DocumentOutcome(
            document.id,
            label,
            "failed",
            f"the declaration has {len(terms.sources)} sources but {len(captures)} are stored",
        )
    snapshots = [
        Snapshot(blobs.get(c.content_sha256), c.mime_type, c.url, c.fetched_at) for c in captures
    ]
    try:
        extraction = extract(snapshots, terms)
    except ExtractionError as exc:
        return DocumentOutcome(document.id, label, "inaccessible", exc.reason)
    had_version = latest_version(session, document.id) is not None
    try:
        version = version_after_text(
            session,
            document,
            extraction,
            fetched_at=fetched_at,
            capture_ids=[c.id for c in captures],
            origin="reextract",
            labels=labels,
            technical=had_version,
        )
    except InaccessibleText as exc:
        return DocumentOutcome(document.id, label, "inaccessible", exc.reason)
    if version is None:
        return DocumentOutcome(document.id, label, "unchanged")
    return DocumentOutcome(
        document.id,
        label,
        "new_version",
        version_id=version.id,
        detail={"technical": version.technical},
    )


def reextract(
    store: Store,
    blobs: BlobStore,
    *,
    platform: str | None = None,
    document_id: int | None = None,
    labels: Classifications | None = None,
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[DocumentOutcome], None] | None = None,
) -> ReextractSummary:
    """Re-extract every matching document, one transaction each (interruptible, rerunnable)."""
    with store.session() as session:
        ids = [d.id for d in select_documents(session, platform=platform, document_id=document_id)]
    summary = ReextractSummary(documents=len(ids))
    if on_planned:
        on_planned(len(ids))
    for doc_id in ids:
        with store.session() as session:
            document = session.get(Document, doc_id)
            assert document is not None
            outcome = reextract_document(session, blobs, document, labels)
        if outcome.status == "new_version":
            if outcome.detail.get("technical"):
                summary.technical_versions += 1
            else:
                summary.new_versions += 1
        elif outcome.status == "unchanged":
            summary.unchanged += 1
        else:
            summary.skipped.append(outcome)
        if on_done:
            on_done(outcome)
    return summary
