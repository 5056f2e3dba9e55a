"""Provisions in the store: stable record IDs across versions, histories and change sets.

A provision's public key (``CW-P-000123``) is derived from its row id, and rows are never
deleted, so a key is never given to another text. Identity flows only through the alignment
(unchanged, modified, moved, split, merged) or, for a text that disappears and later comes
back word for word, through its hash: flip-flopping pages keep their IDs.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import and_, insert, or_, select
from sqlalchemy.orm import Session

from clausewatch.errors import NotFoundError
from clausewatch.provisions.align import normalize
from clausewatch.provisions.diff import ChangeSetData, Classify, diff_segments
from clausewatch.provisions.segment import Segment, segment
from clausewatch.store.models import ChangeSet, Provision, ProvisionText, Version

__all__ = [
    "ProvisionHistory",
    "ProvisionNotFoundError",
    "ProvisionState",
    "change_set_for",
    "document_provisions",
    "provision_history",
    "provision_key",
    "record_version_provisions",
]

KEY_PREFIX = "CW-P-"


class ProvisionNotFoundError(NotFoundError):
    """No provision has this public key."""


def provision_key(row_id: int) -> str:
    return f"{KEY_PREFIX}{row_id:06d}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _previous_version(session: Session, version: Version) -> Version | None:
    """The latest earlier version of the same document whose provisions are recorded."""
    has_rows = select(ProvisionText.version_id).where(ProvisionText.version_id == Version.id)
    query = (
        select(Version)
        .where(
            Version.document_id == version.document_id,
            or_(
                Version.fetched_at < version.fetched_at,
                and_(Version.fetched_at == version.fetched_at, Version.id < version.id),
            ),
            has_rows.exists(),
        )
        .order_by(Version.fetched_at.desc(), Version.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _stored_segments(session: Session, version: Version) -> tuple[list[Segment], list[int]]:
    """The previous version's provisions as stored (labels of rows stored before the label
    column existed are recovered by re-segmenting)."""
    rows = session.scalars(
        select(ProvisionText)
        .where(ProvisionText.version_id == version.id)
        .order_by(ProvisionText.ordinal)
    ).all()
    fresh: dict[tuple[int, int], Segment] = {}
    if any(row.kind is None for row in rows):
        fresh = {(s.start, s.end): s for s in segment(version.text)}
    segments: list[Segment] = []
    for index, row in enumerate(rows):
        known = fresh.get((row.start, row.end))
        segments.append(
            Segment(
                ordinal=index,
                start=row.start,
                end=row.end,
                text=row.text,
                heading_path=tuple(str(h) for h in row.heading_path),
                kind=row.kind or (known.kind if known else "paragraph"),
                label=(row.label or "") if row.kind is not None else (known.label if known else ""),
            )
        )
    return segments, [row.provision_id for row in rows]


def _title(seg: Segment) -> str:
    place = seg.heading_path[-1] if seg.heading_path else ""
    head = " ".join(seg.text.replace("**", "").split()[:10])
    return " — ".join(p for p in (place, f"{seg.label} {head}".strip()) if p)[:300]


def _new_provision(session: Session, version: Version, seg: Segment) -> Provision:
    row = Provision(
        key=f"tmp-{uuid.uuid4().hex}",
        document_id=version.document_id,
        first_version_id=version.id,
        last_version_id=version.id,
        title=_title(seg),
    )
    session.add(row)
    return row


def _revivable(
    session: Session, document_id: int, hashes: Sequence[str], exclude: set[int]
) -> dict[str, int]:
    """Provisions of this document that once had exactly these texts and are not in use."""
    if not hashes:
        return {}
    rows = session.execute(
        select(ProvisionText.text_sha256, ProvisionText.provision_id)
        .join(Provision, Provision.id == ProvisionText.provision_id)
        .where(Provision.document_id == document_id, ProvisionText.text_sha256.in_(set(hashes)))
        .order_by(ProvisionText.id.desc())
    ).all()
    out: dict[str, int] = {}
    for sha, pid in rows:
        if pid not in exclude and sha not in out:
            out[sha] = pid
    return out


def record_version_provisions(
    session: Session,
    version: Version,
    *,
    technical: bool = False,
    classify: Classify | None = None,
) -> ChangeSet:
    """Segment ``version``, carry provision IDs over from the previous version, store the diff.

    Idempotent: a version that already has its change set is returned untouched. The caller's
    transaction makes the whole write atomic.
    """
    existing = change_set_for(session, version.id)
    if existing is not None:
        return existing
    new_segments = segment(version.text)
    previous = _previous_version(session, version)
    if previous is None:
        old_segments: list[Segment] = []
        old_ids: list[int] = []
    else:
        old_segments, old_ids = _stored_segments(session, previous)
    # A first version has nothing to diff against: its change set is "initial" whatever the
    # diff would say, so the (costly) per-provision assessment is skipped.
    data = diff_segments(old_segments, new_segments, classify=classify) if previous else None

    ids: list[int | None] = [None] * len(new_segments)
    for match in data.alignment.matches if data else ():
        if len(match.new) > 1:
            keeper = max(match.new, key=lambda j: (len(new_segments[j].text), -j))
            ids[keeper] = old_ids[match.old[0]]
        elif len(match.old) > 1:
            whole = normalize(new_segments[match.new[0]].text)
            best = max(
                match.old, key=lambda i: (fuzz.ratio(normalize(old_segments[i].text), whole), -i)
            )
            ids[match.new[0]] = old_ids[best]
        else:
            ids[match.new[0]] = old_ids[match.old[0]]
    hashes = [_sha256(s.text) for s in new_segments]
    missing = [j for j, pid in enumerate(ids) if pid is None]
    revived = _revivable(
        session,
        version.document_id,
        [hashes[j] for j in missing],
        {pid for pid in ids if pid is not None},
    )
    by_id: dict[int, Provision] = {}
    created: list[tuple[int, Provision]] = []
    for j in missing:
        pid = revived.pop(hashes[j], None)
        if pid is None:
            created.append((j, _new_provision(session, version, new_segments[j])))
        else:
            ids[j] = pid
    if created:
        session.flush()  # one batched INSERT for every new provision, then their public keys
        for j, row in created:
            row.key = provision_key(row.id)
            by_id[row.id] = row
            ids[j] = row.id
    present = [pid for pid in ids if pid is not None]
    for row in session.scalars(select(Provision).where(Provision.id.in_(present))):
        row.last_version_id = version.id
        by_id[row.id] = row
    # One executemany for every provision text: ORM objects cost more than the rows here.
    rows = []
    for j, seg in enumerate(new_segments):
        pid = ids[j]
        assert pid is not None
        rows.append(
            {
                "provision_id": pid,
                "version_id": version.id,
                "ordinal": seg.ordinal,
                "heading_path": list(seg.heading_path),
                "start": seg.start,
                "end": seg.end,
                "text": seg.text,
                "text_sha256": hashes[j],
                "label": seg.label,
                "kind": seg.kind,
            }
        )
    if rows:
        session.execute(insert(ProvisionText), rows)
    if data is not None:
        summary = _keyed_summary(data, old_ids, ids, by_id, session)
    else:
        summary = {
            "initial": True,
            "materiality": "none",
            "counts": {"added": len(new_segments)},
            "summary": f"First recorded version: {len(new_segments)} provisions.",
            "old_provisions": 0,
            "new_provisions": len(new_segments),
            "changes": [],
        }
    if technical:
        summary["technical"] = True
    change_set = ChangeSet(
        document_id=version.document_id,
        version_id=version.id,
        previous_version_id=previous.id if previous else None,
        materiality="none" if data is None else data.materiality,
        technical=technical,
        summary=summary,
    )
    session.add(change_set)
    session.flush()
    return change_set


def _keyed_summary(
    data: ChangeSetData,
    old_ids: Sequence[int],
    new_ids: Sequence[int | None],
    rows: dict[int, Provision],
    session: Session,
) -> dict[str, Any]:
    """The change set as JSON, each side of each change tagged with its provision keys."""
    wanted = set(old_ids) - set(rows)
    if wanted:
        for row in session.scalars(select(Provision).where(Provision.id.in_(wanted))):
            rows[row.id] = row
    out = data.to_json()
    for change, entry in zip(data.changes, out["changes"], strict=True):
        for place, seg in zip(entry["old"], change.old, strict=True):
            place["key"] = rows[old_ids[seg.ordinal]].key
        for place, seg in zip(entry["new"], change.new, strict=True):
            pid = new_ids[seg.ordinal]
            place["key"] = rows[pid].key if pid is not None else None
    return out


def change_set_for(session: Session, version_id: int) -> ChangeSet | None:
    """The stored change set of a version, if its provisions were recorded."""
    return session.scalars(select(ChangeSet).where(ChangeSet.version_id == version_id)).first()


@dataclass(frozen=True)
class ProvisionState:
    """A provision as it reads in one version."""

    key: str
    version_id: int
    fetched_at: datetime
    ordinal: int
    heading_path: tuple[str, ...]
    start: int
    end: int
    text: str
    text_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "version_id": self.version_id,
            "fetched_at": self.fetched_at.isoformat(),
            "ordinal": self.ordinal,
            "heading_path": list(self.heading_path),
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "text_sha256": self.text_sha256,
        }


@dataclass(frozen=True)
class ProvisionHistory:
    """Every version a provision appeared in, oldest first, with its text in each."""

    key: str
    document_id: int
    title: str
    states: tuple[ProvisionState, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "document_id": self.document_id,
            "title": self.title,
            "states": [s.to_json() for s in self.states],
        }


def _states(session: Session, query: Any) -> list[ProvisionState]:
    return [
        ProvisionState(
            key=key,
            version_id=text.version_id,
            fetched_at=fetched_at,
            ordinal=text.ordinal,
            heading_path=tuple(str(h) for h in text.heading_path),
            start=text.start,
            end=text.end,
            text=text.text,
            text_sha256=text.text_sha256,
        )
        for text, key, fetched_at in session.execute(query).all()
    ]


def provision_history(session: Session, key: str) -> ProvisionHistory:
    """The history of the provision with public key ``key``."""
    row = session.scalars(select(Provision).where(Provision.key == key)).first()
    if row is None:
        raise ProvisionNotFoundError("no provision with this key", where=key)
    query = (
        select(ProvisionText, Provision.key, Version.fetched_at)
        .join(Provision, Provision.id == ProvisionText.provision_id)
        .join(Version, Version.id == ProvisionText.version_id)
        .where(ProvisionText.provision_id == row.id)
        .order_by(Version.fetched_at, Version.id, ProvisionText.ordinal)
    )
    return ProvisionHistory(row.key, row.document_id, row.title, tuple(_states(session, query)))


def document_provisions(
    session: Session, document_id: int, version_id: int | None = None
) -> list[ProvisionState]:
    """The provisions of a document in one version (default: its latest recorded version)."""
    if version_id is None:
        version_id = session.scalars(
            select(ProvisionText.version_id)
            .join(Version, Version.id == ProvisionText.version_id)
            .where(Version.document_id == document_id)
            .order_by(Version.fetched_at.desc(), Version.id.desc())
            .limit(1)
        ).first()
        if version_id is None:
            return []
    query = (
        select(ProvisionText, Provision.key, Version.fetched_at)
        .join(Provision, Provision.id == ProvisionText.provision_id)
        .join(Version, Version.id == ProvisionText.version_id)
        .where(ProvisionText.version_id == version_id, Version.document_id == document_id)
        .order_by(ProvisionText.ordinal)
    )
    return _states(session, query)


def recent_change_sets(session: Session, limit: int = 10) -> list[dict[str, Any]]:
    """The newest change sets that mean something (not first versions, not technical)."""
    from clausewatch.store.models import Document, Platform

    rows = session.execute(
        select(ChangeSet, Version.fetched_at, Document, Platform)
        .join(Version, Version.id == ChangeSet.version_id)
        .join(Document, Document.id == ChangeSet.document_id)
        .join(Platform, Platform.id == Document.platform_id)
        .where(
            ChangeSet.previous_version_id.is_not(None),
            ChangeSet.technical.is_(False),
            ChangeSet.materiality != "none",
        )
        .order_by(Version.fetched_at.desc(), ChangeSet.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "version_id": change.version_id,
            "fetched_at": fetched_at.isoformat(),
            "document_id": document.id,
            "document": f"{platform.name} / {document.terms_type}",
            "materiality": change.materiality,
            "counts": dict(change.summary.get("counts", {})),
            "summary": change.summary.get("summary", ""),
        }
        for change, fetched_at, document, platform in rows
    ]
