"""Page data built from the stages' query functions; each page's JSON twin is this dict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausewatch.provisions.record import (
    ProvisionNotFoundError,
    change_set_for,
    document_provisions,
    provision_history,
)
from clausewatch.store.models import Capture, Document, LedgerRecord, Version
from clausewatch.store.queries import labels_for, version_language
from clausewatch.versions.record import get_version, versions_of

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def _document_ref(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "terms_type": doc.terms_type,
        "url": doc.url,
        "platform": {"slug": doc.platform.slug, "name": doc.platform.name},
    }


def _neighbours(session: Session, version: Version) -> tuple[int | None, int | None]:
    ids = [v.id for v in versions_of(session, version.document_id)]
    at = ids.index(version.id)
    return (ids[at - 1] if at > 0 else None, ids[at + 1] if at + 1 < len(ids) else None)


def version_detail(session: Session, version_id: int) -> dict[str, Any] | None:
    version = get_version(session, version_id)
    if version is None:
        return None
    doc = session.get(Document, version.document_id)
    assert doc is not None
    states = document_provisions(session, doc.id, version.id)
    labels = labels_for(session, [s.text_sha256 for s in states], version.language)
    change_set = change_set_for(session, version.id)
    previous, following = _neighbours(session, version)
    provisions = [{**s.to_json(), "labels": labels.get(s.text_sha256)} for s in states]
    flagged = sorted(
        (p for p in provisions if p["labels"] and p["labels"].get("types")),
        key=lambda p: SEVERITY_ORDER.get(p["labels"].get("severity", "low"), 3),
    )
    return {
        "id": version.id,
        "document": _document_ref(doc),
        "fetched_at": version.fetched_at.isoformat(),
        "technical": version.technical,
        "origin": version.origin,
        "extractor": version.extractor,
        "language": version.language,
        "word_count": version.word_count,
        "stated_date": version.stated_date,
        "stated_date_kind": version.stated_date_kind,
        "stated_date_span": (
            [version.stated_date_start, version.stated_date_end]
            if version.stated_date_start is not None
            else None
        ),
        "stated_date_text": (
            version.text[version.stated_date_start : version.stated_date_end]
            if version.stated_date_start is not None and version.stated_date_end is not None
            else None
        ),
        "text_sha256": version.text_sha256,
        "capture_ids": version.capture_ids,
        "previous_version_id": previous,
        "next_version_id": following,
        "change_set": (
            {
                "materiality": change_set.materiality,
                "technical": change_set.technical,
                "summary": change_set.summary,
            }
            if change_set
            else None
        ),
        "flagged": flagged,
        "provisions": provisions,
        "text": version.text,
    }


def provision_detail(session: Session, key: str) -> dict[str, Any] | None:
    try:
        history = provision_history(session, key)
    except ProvisionNotFoundError:
        return None
    doc = session.get(Document, history.document_id)
    assert doc is not None
    latest = history.states[-1].version_id if history.states else None
    labels = labels_for(
        session, [s.text_sha256 for s in history.states], version_language(session, latest)
    )
    states = [{**s.to_json(), "labels": labels.get(s.text_sha256)} for s in history.states]
    current = states[-1] if states else None
    evidence = _evidence(session, current["version_id"]) if current else None
    return {
        "key": history.key,
        "title": history.title,
        "document": _document_ref(doc),
        "current": current,
        "evidence": evidence,
        "states": states,
    }


def _evidence(session: Session, version_id: int) -> dict[str, Any] | None:
    """The archived captures (and their ledger links) a version's words were read from."""
    version = get_version(session, version_id)
    if version is None:
        return None
    ids = [int(i) for i in version.capture_ids]
    rows = session.execute(
        select(Capture, LedgerRecord)
        .outerjoin(LedgerRecord, LedgerRecord.seq == Capture.ledger_seq)
        .where(Capture.id.in_(ids))
        .order_by(Capture.source_index)
    ).all()
    return {
        "version_id": version.id,
        "text_sha256": version.text_sha256,
        "extractor": version.extractor,
        "captures": [
            {
                "url": c.url,
                "fetched_at": c.fetched_at.isoformat(),
                "http_status": c.http_status,
                "sha256": c.content_sha256,
                "ledger_seq": record.seq if record else None,
                "record_hash": record.record_hash if record else None,
                "last_verified_at": c.last_verified_at.isoformat() if c.last_verified_at else None,
            }
            for c, record in rows
        ],
    }
