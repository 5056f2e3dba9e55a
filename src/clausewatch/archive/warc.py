"""Export the archive as WARC 1.1, the web-archiving standard, so any replay or preservation
tool can read what clausewatch captured, with digests that prove the bytes are the ones the
ledger recorded.

Each capture becomes a ``response`` record (a synthesised HTTP/1.1 response: status line,
the stored headers, the stored body) followed by a ``metadata`` record naming its ledger
link. Stored bodies are the decoded bytes, so headers that describe a transfer encoding
(``Content-Encoding``, ``Transfer-Encoding``, ``Content-Length``) are replaced by the real
length; the originals are kept as ``X-Clausewatch-Original-*`` headers.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from clausewatch import __version__
from clausewatch.archive.blobs import CHUNK, BlobCorrupt, BlobStore
from clausewatch.archive.ledger import chain_head
from clausewatch.errors import ClausewatchError, NotFoundError
from clausewatch.store.models import Capture, Document, LedgerRecord

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each capture is written."""

WARC_VERSION = "WARC/1.1"
_RECORD_NS = uuid.UUID("6f1d3c52-64a4-4bde-9a57-3f6c0e0a9b51")
_REPLACED = ("content-encoding", "transfer-encoding", "content-length")


class ExportError(ClausewatchError):
    """The WARC file cannot be written."""


def _digest(hex_sha256: str) -> str:
    """``sha256:<base32>``, the form warcio writes and checks."""
    return "sha256:" + base64.b32encode(bytes.fromhex(hex_sha256)).decode("ascii")


def _record_id(kind: str, record_hash: str) -> str:
    """Deterministic IDs: exporting the same ledger twice names its records the same way."""
    return f"<urn:uuid:{uuid.uuid5(_RECORD_NS, kind + ':' + record_hash)}>"


def _header_items(headers: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for name, value in headers.items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            yield str(name), str(one).replace("\r", " ").replace("\n", " ")


def http_headers(capture: Capture, size: int) -> StatusAndHeaders:
    """The HTTP head a replay tool expects in front of the stored body."""
    try:
        reason = HTTPStatus(capture.http_status).phrase
    except ValueError:
        reason = "Unknown"
    items: list[tuple[str, str]] = []
    for name, value in _header_items(capture.headers or {}):
        if name.lower() in _REPLACED:
            items.append((f"X-Clausewatch-Original-{name}", value))
        else:
            items.append((name, value))
    if not any(name.lower() == "content-type" for name, _ in items):
        items.append(("Content-Type", capture.mime_type))
    items.append(("Content-Length", str(size)))
    return StatusAndHeaders(f"{capture.http_status} {reason}", items, protocol="HTTP/1.1")


def _write_capture(
    writer: WARCWriter, blobs: BlobStore, capture: Capture, record: LedgerRecord
) -> None:
    sha = capture.content_sha256
    with blobs.open(sha) as body:
        size = body.seek(0, os.SEEK_END)
        head = http_headers(capture, size)
        head.compute_headers_buffer()
        block = hashlib.sha256(head.headers_buff)
        payload = hashlib.sha256()
        body.seek(0)
        while chunk := body.read(CHUNK):
            block.update(chunk)
            payload.update(chunk)
        if payload.hexdigest() != sha:
            raise BlobCorrupt(sha, blobs.path(sha), payload.hexdigest())
        body.seek(0)
        response_id = _record_id("response", record.record_hash)
        response = writer.create_warc_record(
            capture.url,
            "response",
            payload=body,
            length=size,
            http_headers=head,
            warc_headers_dict={
                "WARC-Record-ID": response_id,
                "WARC-Date": record.fetched_at,
                "WARC-Payload-Digest": _digest(sha),
                "WARC-Block-Digest": _digest(block.hexdigest()),
            },
        )
        writer.write_record(response)
    fields = (
        f"clausewatch-ledger-seq: {record.seq}\r\n"
        f"clausewatch-record-hash: {record.record_hash}\r\n"
        f"clausewatch-prev-hash: {record.prev_hash}\r\n"
        f"clausewatch-platform: {record.platform}\r\n"
        f"clausewatch-document: {record.document}\r\n"
        f"clausewatch-capture-id: {capture.id}\r\n"
        f"clausewatch-origin: {capture.origin}\r\n"
    ).encode()
    metadata = writer.create_warc_record(
        capture.url,
        "metadata",
        payload=io.BytesIO(fields),
        length=len(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": _record_id("metadata", record.record_hash),
            "WARC-Date": record.fetched_at,
            "WARC-Refers-To": response_id,
        },
    )
    writer.write_record(metadata)


def export_warc(
    session: Session,
    blobs: BlobStore,
    out: Path,
    *,
    document_id: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Write every ledgered capture (of one document, if given) to a gzipped WARC 1.1 file and
    return how many captures it holds. The file appears complete or not at all."""
    out = Path(out)
    where: list[ColumnElement[bool]] = [Capture.ledger_seq.is_not(None)]
    if document_id is not None:
        if session.get(Document, document_id) is None:
            raise NotFoundError(f"no document with id {document_id}", where="--document")
        where.append(Capture.document_id == document_id)
    total = session.scalar(select(func.count()).select_from(Capture).where(*where)) or 0
    stmt = (
        select(Capture, LedgerRecord)
        .join(LedgerRecord, LedgerRecord.seq == Capture.ledger_seq)
        .where(*where)
        .order_by(LedgerRecord.seq)
        .execution_options(yield_per=200)
    )
    head = chain_head(session)
    tmp = out.with_name(out.name + ".tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with tmp.open("wb") as fh:
            writer = WARCWriter(fh, gzip=True, warc_version=WARC_VERSION)
            info = {
                "software": f"clausewatch/{__version__} (warcio)",
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                "warc-format/warc-1.1/",
                "description": "Captures of platforms' legal documents with their ledger links",
                "clausewatch-ledger-head-seq": str(head.seq),
                "clausewatch-ledger-head-hash": head.record_hash,
                "clausewatch-document-id": "" if document_id is None else str(document_id),
            }
            writer.write_record(writer.create_warcinfo_record(out.name, info))
            for capture, record in session.execute(stmt):
                _write_capture(writer, blobs, capture, record)
                session.expunge(capture)
                session.expunge(record)
                count += 1
                if progress is not None:
                    progress(count, total)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(
            f"cannot write the WARC file: {exc.strerror or exc}", where=str(out)
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count
