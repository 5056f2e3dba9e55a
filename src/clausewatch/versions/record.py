"""Writing versions and inaccessibility events, and reading them back for the web and CLI.

Versions are append-only. A text becomes a version only when it differs (after
normalisation) from the version it follows in time, so fetches in any order, reruns and
backfills all converge on the same history without duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausewatch.errors import ClausewatchError
from clausewatch.store.models import Document, Event, Version
from clausewatch.versions.decide import check_content, decide
from clausewatch.versions.metadata import document_metadata

INACCESSIBLE = "inaccessible"


class InaccessibleText(ClausewatchError):
    """The extracted text is a bot wall or (nearly) empty: record an event, not a version."""

    def __init__(self, reason: str, *, where: str | None = None) -> None:
        self.reason = reason
        super().__init__(reason, where=where)


def _require_aware(when: datetime, name: str) -> None:
    if when.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got {when!r}")


def latest_version(session: Session, document_id: int) -> Version | None:
    """The newest version by fetch time (ties: the one recorded last)."""
    query = (
        select(Version)
        .where(Version.document_id == document_id)
        .order_by(Version.fetched_at.desc(), Version.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def version_at(session: Session, document_id: int, when: datetime) -> Version | None:
    """The version in force at ``when``: the last one fetched at or before it."""
    _require_aware(when, "when")
    query = (
        select(Version)
        .where(Version.document_id == document_id, Version.fetched_at <= when)
        .order_by(Version.fetched_at.desc(), Version.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _version_after(session: Session, document_id: int, when: datetime) -> Version | None:
    query = (
        select(Version)
        .where(Version.document_id == document_id, Version.fetched_at > when)
        .order_by(Version.fetched_at.asc(), Version.id.asc())
        .limit(1)
    )
    return session.scalars(query).first()


def versions_of(session: Session, document_id: int) -> list[Version]:
    """Every version of a document, oldest first."""
    query = (
        select(Version)
        .where(Version.document_id == document_id)
        .order_by(Version.fetched_at.asc(), Version.id.asc())
    )
    return list(session.scalars(query))


def get_version(session: Session, version_id: int) -> Version | None:
    return session.get(Version, version_id)


def record_text(
    session: Session,
    document: Document,
    markdown: str,
    *,
    fetched_at: datetime,
    capture_ids: Sequence[int] = (),
    origin: str = "fetch",
    extractor: str = "",
    technical: bool = False,
    check: bool = True,
) -> Version | None:
    """Store ``markdown`` as a new version of ``document`` if it is one; None if it is not.

    The text is compared with the version in force at ``fetched_at``, not with the latest
    one, so a late backfill slots into its place in time. A backfilled text equal to the
    version that follows it is not stored: that would make two consecutive equal versions.
    With ``check`` a bot wall or near-empty text raises :class:`InaccessibleText` and nothing
    is written; :func:`record_extraction` turns that into an event. A version is marked
    ``technical`` when no word changed, or when the same captures were re-read by another
    extractor.
    """
    _require_aware(fetched_at, "fetched_at")
    if check and (reason := check_content(markdown)):
        raise InaccessibleText(reason, where=document.url or f"document {document.id}")
    previous = version_at(session, document.id, fetched_at)
    decision = decide(previous.text if previous else None, markdown)
    if not decision.is_new:
        return None
    sha = hashlib.sha256(decision.normalised.encode("utf-8")).hexdigest()
    following = _version_after(session, document.id, fetched_at)
    if following is not None and following.text_sha256 == sha:
        return None
    # The same captures read by a different extractor: the document did not change, our
    # reading of it did (OTA calls this a technical upgrade).
    reextracted = (
        previous is not None
        and bool(capture_ids)
        and list(previous.capture_ids) == list(capture_ids)
        and previous.extractor != extractor
    )
    meta = document_metadata(decision.normalised)
    version = Version(
        document_id=document.id,
        fetched_at=fetched_at,
        capture_ids=list(capture_ids),
        text=decision.normalised,
        text_sha256=sha,
        technical=technical or decision.technical or reextracted,
        origin=origin,
        extractor=extractor,
        language=meta.language,
        word_count=meta.word_count,
        stated_date=meta.stated_date.isoformat() if meta.stated_date else None,
        stated_date_kind=meta.stated_date_kind,
        stated_date_start=meta.stated_date_span[0] if meta.stated_date_span else None,
        stated_date_end=meta.stated_date_span[1] if meta.stated_date_span else None,
    )
    session.add(version)
    session.flush()
    return version


def record_inaccessible(
    session: Session,
    document: Document,
    *,
    reason: str,
    url: str | None,
    fetched_at: datetime,
    detail: dict[str, Any] | None = None,
) -> Event:
    """Note that the document could not be read; its versions are left exactly as they were."""
    _require_aware(fetched_at, "fetched_at")
    event = Event(
        document_id=document.id,
        kind=INACCESSIBLE,
        reason=reason,
        url=url,
        detail=dict(detail or {}),
        at=fetched_at,
    )
    session.add(event)
    session.flush()
    return event


def record_extraction(
    session: Session,
    document: Document,
    markdown: str,
    *,
    fetched_at: datetime,
    url: str | None = None,
    capture_ids: Sequence[int] = (),
    origin: str = "fetch",
    extractor: str = "",
) -> Version | Event | None:
    """The orchestrator's one call: a version, an inaccessibility event, or None (unchanged)."""
    try:
        return record_text(
            session,
            document,
            markdown,
            fetched_at=fetched_at,
            capture_ids=capture_ids,
            origin=origin,
            extractor=extractor,
        )
    except InaccessibleText as exc:
        return record_inaccessible(
            session,
            document,
            reason=exc.reason,
            url=url if url is not None else document.url,
            fetched_at=fetched_at,
            detail={"capture_ids": list(capture_ids), "origin": origin, "extractor": extractor},
        )
