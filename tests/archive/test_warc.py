"""WARC export: what warcio reads back is exactly what the ledger recorded."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from archive_helpers import Fill, body, make_document
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from clausewatch.archive import BlobCorrupt, BlobStore, append_capture, export_warc, verify_archive
from clausewatch.errors import NotFoundError
from clausewatch.store import Store
from clausewatch.store.models import Capture, LedgerRecord


def _read(path: Path) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh, check_digests=True):
            payload = record.raw_stream.read()
            records.append(
                {
                    "type": record.rec_type,
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "id": record.rec_headers.get_header("WARC-Record-ID"),
                    "refers": record.rec_headers.get_header("WARC-Refers-To"),
                    "version": record.rec_headers.protocol,
                    "status": record.http_headers.get_statuscode() if record.http_headers else None,
                    "http": record.http_headers,
                    "payload": payload,
                    "digest_ok": record.digest_checker.passed,
                    "digest_problems": list(record.digest_checker.problems),
                }
            )
    return records


def test_round_trip(store: Store, blobs: BlobStore, fill: Fill, tmp_path: Path) -> None:
    fill(6)
    out = tmp_path / "export" / "archive.warc.gz"
    with store.session() as s:
        count = export_warc(s, blobs, out)
        ledger = s.scalars(select(LedgerRecord).order_by(LedgerRecord.seq)).all()
    assert count == 6
    assert out.is_file() and not out.with_name(out.name + ".tmp").exists()
    records = _read(out)
    assert records[0]["type"] == "warcinfo"
    assert {r["version"] for r in records} == {"WARC/1.1"}
    responses = [r for r in records if r["type"] == "response"]
    metadata = [r for r in records if r["type"] == "metadata"]
    assert len(responses) == len(metadata) == 6
    for response, meta, entry in zip(responses, metadata, ledger, strict=True):
        assert response["digest_ok"] is True, response["digest_problems"]
        assert hashlib.sha256(response["payload"]).hexdigest() == entry.content_sha256  # type: ignore[arg-type]
        assert response["payload"] == body(entry.seq - 1)
        assert response["uri"] == entry.url
        assert response["date"] == entry.fetched_at
        assert response["status"] == "200"
        http = response["http"]
        assert http.get_header("Content-Encoding") is None  # type: ignore[union-attr]
        assert http.get_header("X-Clausewatch-Original-Content-Encoding") == "gzip"  # type: ignore[union-attr]
        assert http.get_header("Content-Length") == str(len(body(entry.seq - 1)))  # type: ignore[union-attr]
        assert meta["refers"] == response["id"]
        fields = meta["payload"].decode()  # type: ignore[union-attr]
        assert f"clausewatch-ledger-seq: {entry.seq}\r\n" in fields
        assert f"clausewatch-record-hash: {entry.record_hash}\r\n" in fields
    checked = subprocess.run(
        [str(Path(sys.executable).with_name("warcio")), "check", "-v", str(out)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.count("digest pass") == 13


def test_real_snapshots_round_trip(
    shared_data: Path, store: Store, blobs: BlobStore, tmp_path: Path
) -> None:
    """Real OTA pages and PDFs, byte for byte, through the ledger and back out of the WARC."""
    pairs = sorted((shared_data / "ota" / "dating" / "pairs").iterdir())
    picked = [p for p in pairs if (p / "snapshot.pdf").exists()][:2] + pairs[:6]
    originals: dict[str, bytes] = {}
    with store.session() as s:
        for i, pair in enumerate(picked):
            meta = json.loads((pair / "meta.json").read_text())
            data = next(pair.glob("snapshot.*")).read_bytes()
            doc = make_document(s, f"p{i}", meta["terms_type"])
            capture = append_capture(
                s,
                blobs,
                document=doc,
                url=meta["url"],
                fetched_at=datetime.fromisoformat(meta["fetch_date"].replace("Z", "+00:00")),
                http_status=200,
                content=data,
                mime_type=meta["mime_type"],
                headers={"Content-Type": meta["mime_type"]},
            )
            originals[capture.content_sha256] = data
    out = tmp_path / "real.warc.gz"
    with store.session() as s:
        assert export_warc(s, blobs, out) == len(picked)
        assert verify_archive(s, blobs).problems == []
    responses = [r for r in _read(out) if r["type"] == "response"]
    assert len(responses) == len(picked)
    for r in responses:
        payload = r["payload"]
        assert isinstance(payload, bytes)
        assert r["digest_ok"] is True
        assert originals[hashlib.sha256(payload).hexdigest()] == payload


def test_export_is_deterministic_apart_from_warcinfo(
    store: Store, blobs: BlobStore, fill: Fill, tmp_path: Path
) -> None:
    fill(3)
    with store.session() as s:
        export_warc(s, blobs, tmp_path / "a.warc.gz")
        export_warc(s, blobs, tmp_path / "b.warc.gz")
    a = [r["id"] for r in _read(tmp_path / "a.warc.gz")[1:]]
    b = [r["id"] for r in _read(tmp_path / "b.warc.gz")[1:]]
    assert a == b and len(set(a)) == 6


def test_one_document(store: Store, blobs: BlobStore, fill: Fill, tmp_path: Path) -> None:
    ids = fill(5)
    with store.session() as s:
        doc_id = s.get(Capture, ids[1]).document_id  # type: ignore[union-attr]
        count = export_warc(s, blobs, tmp_path / "one.warc.gz", document_id=doc_id)
        with pytest.raises(NotFoundError):
            export_warc(s, blobs, tmp_path / "none.warc.gz", document_id=9999)
    assert count == 2
    uris = [r["uri"] for r in _read(tmp_path / "one.warc.gz") if r["type"] == "response"]
    assert uris == [u for u in uris if "globex" in str(u)] and len(uris) == 2
    assert not (tmp_path / "none.warc.gz").exists()


def test_corrupt_blob_is_not_exported(
    store: Store, blobs: BlobStore, fill: Fill, tmp_path: Path
) -> None:
    fill(3)
    out = tmp_path / "a.warc.gz"
    out.write_bytes(b"previous export")
    with store.session() as s:
        sha = s.get(LedgerRecord, 2).content_sha256  # type: ignore[union-attr]
    path = blobs.path(sha)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(BlobCorrupt) as info, store.session() as s:
        export_warc(s, blobs, out)
    assert info.value.sha == sha
    assert out.read_bytes() == b"previous export"
    assert list(tmp_path.glob("*.tmp")) == []
