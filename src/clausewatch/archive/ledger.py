"""The tamper-evident ledger: every capture is one link of a SHA-256 hash chain.

Record hash
    ``record_hash = sha256(canonical_json(fields))`` where ``fields`` is the object
    ``{seq, platform, document, url, fetched_at, http_status, content_sha256, prev_hash}``,
    serialised as JSON with sorted keys, no whitespace (``","`` and ``":"`` separators),
    non-ASCII characters kept as UTF-8 (``ensure_ascii=False``), then encoded as UTF-8.
    ``seq`` and ``http_status`` are JSON integers; every other field is a string.
    The first record's ``prev_hash`` is 64 zeros (:data:`GENESIS_HASH`).

Time format
    ``fetched_at`` is always ``YYYY-MM-DDTHH:MM:SS.ffffffZ``: UTC, microseconds always
    written (six digits), a literal ``Z``; e.g. ``2026-05-11T12:34:31.000000Z``. It is also a
    valid WARC 1.1 ``WARC-Date``, so exports carry the ledger's own string.

Anyone can re-check the chain with a few lines of any language from these two rules alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from clausewatch.archive.blobs import BlobStore
from clausewatch.errors import ClausewatchError
from clausewatch.store.models import Blob, Capture, Document, LedgerRecord
from clausewatch.store.types import utcnow

GENESIS_HASH = "0" * 64
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# An arbitrary constant naming the ledger's lock among PostgreSQL advisory locks.
LEDGER_LOCK_KEY = 0x636C_6177_6C65_6467  # "clawledg"
HASHED_FIELDS = (
    "seq",
    "platform",
    "document",
    "url",
    "fetched_at",
    "http_status",
    "content_sha256",
    "prev_hash",
)


class LedgerError(ClausewatchError):
    """A capture cannot be appended to the ledger."""


def format_time(when: datetime) -> str:
    """The one string form of a fetch time that enters a record hash."""
    if when.tzinfo is None:
        raise LedgerError(f"naive datetime {when!r}: the ledger records UTC-aware times only")
    return when.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(value: str) -> datetime:
    return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC)


def canonical_json(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {name: fields[name] for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def compute_record_hash(fields: Mapping[str, Any]) -> str:
    """The hash a record must carry, from its hashed fields (any mapping or record)."""
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def record_fields(record: LedgerRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in HASHED_FIELDS}


def document_key(document: Document) -> str:
    """The ``document`` string of a record: ``<platform slug>/<terms type>``."""
    return f"{document.platform.slug}/{document.terms_type}"


@dataclass(frozen=True)
class ChainHead:
    """The last link: publishing ``(seq, record_hash)`` somewhere else anchors the whole chain."""

    seq: int
    record_hash: str


def chain_head(session: Session) -> ChainHead:
    """The newest record, or seq 0 with the genesis hash for an empty ledger."""
    row = session.execute(
        select(LedgerRecord.seq, LedgerRecord.record_hash)
        .order_by(LedgerRecord.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return ChainHead(0, GENESIS_HASH)
    return ChainHead(int(row[0]), str(row[1]))


def _lock_chain(session: Session) -> None:
    """Serialise appends so two writers never read the same head.

    On PostgreSQL a transaction-scoped advisory lock does it. On SQLite the blob and capture
    rows are written before the head is read, and the first write takes the database's single
    write lock until commit; the unique ``seq`` and ``record_hash`` constraints are the backstop.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK_KEY})


def _insert_blob_row(session: Session, sha: str, size: int, mime_type: str) -> None:
    """Insert the blob's row unless it exists, without a read-then-write race between writers
    that fetched identical bytes (on SQLite the existence check cannot be under the lock)."""
    values = {"sha256": sha, "size": size, "mime_type": mime_type, "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(Blob).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(Blob).values(**values).on_conflict_do_nothing())
    elif session.get(Blob, sha) is None:
        session.add(Blob(**values))


def append_capture(
    session: Session,
    blobs: BlobStore,
    *,
    document: Document,
    url: str,
    fetched_at: datetime,
    http_status: int,
    content: bytes,
    mime_type: str,
    etag: str | None = None,
    last_modified: str | None = None,
    headers: Mapping[str, Any] | None = None,
    origin: str = "fetch",
    source_index: int = 0,
) -> Capture:
    """Store the bytes, record the capture and chain it into the ledger, in the caller's
    transaction (the caller commits).

    The blob is written first, outside the transaction's reach: if the process dies before the
    commit, the database keeps nothing of this capture and the blob is an orphan, which is
    harmless and reported by ``verify`` as information only.
    """
    if fetched_at.tzinfo is None:
        raise LedgerError(f"naive fetch time {fetched_at!r}", where=url)
    _lock_chain(session)
    sha = blobs.put(content)
    _insert_blob_row(session, sha, len(content), mime_type)
    capture = Capture(
        document_id=document.id,
        source_index=source_index,
        url=url,
        fetched_at=fetched_at,
        http_status=http_status,
        content_sha256=sha,
        mime_type=mime_type,
        etag=etag,
        last_modified=last_modified,
        headers=dict(headers or {}),
        origin=origin,
    )
    session.add(capture)
    session.flush()  # the capture id, and on SQLite the write lock, before reading the head
    head = chain_head(session)
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "platform": document.platform.slug,
        "document": document_key(document),
        "url": url,
        "fetched_at": format_time(fetched_at),
        "http_status": http_status,
        "content_sha256": sha,
        "prev_hash": head.record_hash,
    }
    record = LedgerRecord(capture_id=capture.id, record_hash=compute_record_hash(fields), **fields)
    session.add(record)
    capture.ledger_seq = record.seq
    session.flush()
    return capture
