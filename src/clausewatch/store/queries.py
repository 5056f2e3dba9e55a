"""Read-only queries over platforms, documents, captures and events, for the web and the API.

They return plain dicts so a page and its JSON twin are the same data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clausewatch.store.models import Capture, Document, Event, LedgerRecord, Platform, Version


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def platform_list(session: Session) -> list[dict[str, Any]]:
    docs = (
        select(Document.platform_id, func.count(Document.id).label("documents"))
        .group_by(Document.platform_id)
        .subquery()
    )
    versions = (
        select(
            Document.platform_id,
            func.count(Version.id).label("versions"),
            func.max(Version.fetched_at).label("last_change"),
        )
        .join(Version, Version.document_id == Document.id)
        .group_by(Document.platform_id)
        .subquery()
    )
    rows = session.execute(
        select(Platform, docs.c.documents, versions.c.versions, versions.c.last_change)
        .outerjoin(docs, docs.c.platform_id == Platform.id)
        .outerjoin(versions, versions.c.platform_id == Platform.id)
        .order_by(Platform.name)
    ).all()
    return [
        {
            "slug": p.slug,
            "name": p.name,
            "documents": n_docs or 0,
            "versions": n_versions or 0,
            "last_change": _iso(last_change),
        }
        for p, n_docs, n_versions, last_change in rows
    ]


def platform_detail(session: Session, slug: str) -> dict[str, Any] | None:
    platform = session.scalars(select(Platform).where(Platform.slug == slug)).one_or_none()
    if platform is None:
        return None
    documents = session.scalars(
        select(Document).where(Document.platform_id == platform.id).order_by(Document.terms_type)
    ).all()
    return {
        "slug": platform.slug,
        "name": platform.name,
        "documents": [document_summary(session, d) for d in documents],
    }


def document_summary(session: Session, doc: Document) -> dict[str, Any]:
    n_versions, last_change = session.execute(
        select(func.count(Version.id), func.max(Version.fetched_at)).where(
            Version.document_id == doc.id
        )
    ).one()
    return {
        "id": doc.id,
        "terms_type": doc.terms_type,
        "url": doc.url,
        "versions": n_versions,
        "last_change": _iso(last_change),
        "last_checked_at": _iso(doc.last_checked_at),
        "last_verified_at": _iso(doc.last_verified_at),
    }


def document_detail(session: Session, document_id: int) -> dict[str, Any] | None:
    doc = session.get(Document, document_id)
    if doc is None:
        return None
    versions = session.scalars(
        select(Version).where(Version.document_id == doc.id).order_by(Version.fetched_at.desc())
    ).all()
    captures = session.execute(
        select(Capture, LedgerRecord.record_hash)
        .outerjoin(LedgerRecord, LedgerRecord.seq == Capture.ledger_seq)
        .where(Capture.document_id == doc.id)
        .order_by(Capture.fetched_at.desc())
    ).all()
    events = session.scalars(
        select(Event).where(Event.document_id == doc.id).order_by(Event.at.desc()).limit(50)
    ).all()
    return {
        **document_summary(session, doc),
        "platform": {"slug": doc.platform.slug, "name": doc.platform.name},
        "declaration": doc.declaration,
        "version_list": [
            {
                "id": v.id,
                "fetched_at": _iso(v.fetched_at),
                "technical": v.technical,
                "origin": v.origin,
                "language": v.language,
                "word_count": v.word_count,
                "stated_date": v.stated_date,
                "text_sha256": v.text_sha256,
            }
            for v in versions
        ],
        "captures": [
            {
                "id": c.id,
                "url": c.url,
                "fetched_at": _iso(c.fetched_at),
                "http_status": c.http_status,
                "sha256": c.content_sha256,
                "mime_type": c.mime_type,
                "ledger_seq": c.ledger_seq,
                "record_hash": record_hash,
                "last_verified_at": _iso(c.last_verified_at),
                "confirmations": c.confirmations,
            }
            for c, record_hash in captures
        ],
        "events": [
            {"at": _iso(e.at), "kind": e.kind, "reason": e.reason, "url": e.url, "detail": e.detail}
            for e in events
        ],
    }


def recent_events(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Event, Document, Platform)
        .outerjoin(Document, Document.id == Event.document_id)
        .outerjoin(Platform, Platform.id == Document.platform_id)
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "at": _iso(e.at),
            "kind": e.kind,
            "reason": e.reason,
            "document_id": d.id if d else None,
            "document": f"{p.name} / {d.terms_type}" if d and p else None,
        }
        for e, d, p in rows
    ]


def archive_totals(session: Session) -> dict[str, Any]:
    return {
        "platforms": session.scalar(select(func.count(Platform.id))) or 0,
        "documents": session.scalar(select(func.count(Document.id))) or 0,
        "captures": session.scalar(select(func.count(Capture.id))) or 0,
        "versions": session.scalar(select(func.count(Version.id))) or 0,
        "ledger_head": session.scalar(
            select(LedgerRecord.record_hash).order_by(LedgerRecord.seq.desc()).limit(1)
        ),
        "ledger_length": session.scalar(select(func.count(LedgerRecord.seq))) or 0,
    }


def version_language(session: Session, version_id: int | None) -> str | None:
    """The detected language of a version (None when unknown or no version)."""
    if version_id is None:
        return None
    return session.scalar(select(Version.language).where(Version.id == version_id))


def labels_for(
    session: Session, text_shas: list[str], language: str | None = None
) -> dict[str, dict[str, Any]]:
    """The labels of each provision text, by text SHA-256, as read in a document of
    ``language``: the newest row recorded for that language; failing that, the newest row
    recorded before languages were kept; failing that, the newest of another language
    (the text's own words decide most labels, only a wordless text depends on it)."""
    from clausewatch.store.models import Classification

    if not text_shas:
        return {}
    rows = session.scalars(
        select(Classification)
        .where(Classification.text_sha256.in_(text_shas))
        .order_by(Classification.created_at, Classification.id)
    ).all()
    wanted = language or ""

    def rank(row: Classification) -> int:
        return 2 if row.language == wanted else 1 if row.language == "" else 0

    best: dict[str, Classification] = {}
    for row in rows:  # oldest first: a later row of equal rank wins
        held = best.get(row.text_sha256)
        if held is None or rank(row) >= rank(held):
            best[row.text_sha256] = row
    return {sha: dict(row.result) for sha, row in best.items()}
