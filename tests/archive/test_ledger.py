from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta, timezone

import pytest
from archive_helpers import T0, Fill, body, make_document
from sqlalchemy import func, select

from clausewatch.archive import (
    GENESIS_HASH,
    BlobStore,
    LedgerError,
    append_capture,
    chain_head,
    compute_record_hash,
    format_time,
    verify_archive,
)
from clausewatch.store import Store
from clausewatch.store.models import Blob, Capture, Document, LedgerRecord


def test_record_hash_is_pinned() -> None:
    """The canonical form is a public contract: this vector must never change."""
    fields = {
        "seq": 1,
        "platform": "acme",
        "document": "acme/Terms of Service",
        "url": "https://acme.example/tos",
        "fetched_at": "2026-05-11T12:34:31.000000Z",
        "http_status": 200,
        "content_sha256": "a" * 64,
        "prev_hash": GENESIS_HASH,
    }
    canonical = (
        '{"content_sha256":"' + "a" * 64 + '","document":"acme/Terms of Service",'
        '"fetched_at":"2026-05-11T12:34:31.000000Z","http_status":200,'
        '"platform":"acme","prev_hash":"' + "0" * 64 + '","seq":1,'
        '"url":"https://acme.example/tos"}'
    )
    assert compute_record_hash(fields) == hashlib.sha256(canonical.encode()).hexdigest()


def test_time_format_is_utc_with_micros() -> None:
    paris = timezone(timedelta(hours=2))
    assert format_time(datetime(2026, 5, 11, 14, 34, 31, tzinfo=paris)) == (
        "2026-05-11T12:34:31.000000Z"
    )
    with pytest.raises(LedgerError):
        format_time(datetime(2026, 5, 11))


def test_chain_links_every_capture(store: Store, fill: Fill, blobs: BlobStore) -> None:
    ids = fill(7)
    with store.session() as s:
        records = s.scalars(select(LedgerRecord).order_by(LedgerRecord.seq)).all()
        assert [r.seq for r in records] == [1, 2, 3, 4, 5, 6, 7]
        assert [r.capture_id for r in records] == ids
        assert records[0].prev_hash == GENESIS_HASH
        for before, after in itertools.pairwise(records):
            assert after.prev_hash == before.record_hash
        for r in records:
            capture = s.get(Capture, r.capture_id)
            assert capture is not None and capture.ledger_seq == r.seq
            assert r.fetched_at == format_time(capture.fetched_at)
            assert r.content_sha256 == capture.content_sha256
            assert blobs.get(r.content_sha256) == body(r.seq - 1)
        assert records[1].document == "globex/Privacy Policy"
        assert records[1].platform == "globex"
        head = chain_head(s)
        assert (head.seq, head.record_hash) == (7, records[-1].record_hash)
        report = verify_archive(s, blobs)
    assert report.ok, [p.line() for p in report.problems]
    assert report.problems == []
    assert (report.records, report.captures, report.blobs) == (7, 7, 7)


def test_identical_content_is_one_blob_row(store: Store, blobs: BlobStore) -> None:
    with store.session() as s:
        doc_id = make_document(s).id
    for i in range(3):
        with store.session() as s:
            doc = s.get(Document, doc_id)
            assert doc is not None
            append_capture(
                s,
                blobs,
                document=doc,
                url=doc.url,
                fetched_at=T0 + timedelta(days=i),
                http_status=200,
                content=b"same terms",
                mime_type="text/plain",
            )
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Blob)) == 1
        assert s.scalar(select(func.count()).select_from(Capture)) == 3
        assert s.scalar(select(func.count()).select_from(LedgerRecord)) == 3
        assert verify_archive(s, blobs).ok
    assert len(list(blobs.iter_shas())) == 1


def test_rolled_back_append_leaves_only_an_orphan_blob(store: Store, blobs: BlobStore) -> None:
    with store.session() as s:
        doc_id = make_document(s).id
    with pytest.raises(RuntimeError), store.session() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        append_capture(
            s,
            blobs,
            document=doc,
            url=doc.url,
            fetched_at=T0,
            http_status=200,
            content=b"never committed",
            mime_type="text/plain",
        )
        raise RuntimeError("crash before commit")
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(LedgerRecord)) == 0
        report = verify_archive(s, blobs)
    assert report.ok
    assert [p.kind for p in report.problems] == ["orphan_blob"]
    assert report.problems[0].sha == hashlib.sha256(b"never committed").hexdigest()


def test_naive_fetch_time_is_refused(store: Store, blobs: BlobStore) -> None:
    with pytest.raises(LedgerError), store.session() as s:
        doc = make_document(s)
        append_capture(
            s,
            blobs,
            document=doc,
            url=doc.url,
            fetched_at=datetime(2026, 1, 1),
            http_status=200,
            content=b"x",
            mime_type="text/plain",
        )
