"""Writers appending at the same time still build one unbroken chain."""

from __future__ import annotations

import threading
from datetime import timedelta

from archive_helpers import T0, make_document
from sqlalchemy import func, select

from clausewatch.archive import BlobStore, append_capture, verify_archive
from clausewatch.store import Store
from clausewatch.store.models import Blob, Document, LedgerRecord

WRITERS = 4
EACH = 15


def test_concurrent_writers_build_one_chain(store: Store, blobs: BlobStore) -> None:
    with store.session() as s:
        doc_id = make_document(s).id
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with store.session() as s:
                    doc = s.get(Document, doc_id)
                    assert doc is not None
                    append_capture(
                        s,
                        blobs,
                        document=doc,
                        url=f"{doc.url}?w={w}&i={i}",
                        fetched_at=T0 + timedelta(seconds=i),
                        http_status=200,
                        # every writer fetches the same bytes: blob rows must not collide
                        content=f"terms {i}".encode(),
                        mime_type="text/plain",
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.session() as s:
        seqs = s.scalars(select(LedgerRecord.seq).order_by(LedgerRecord.seq)).all()
        assert list(seqs) == list(range(1, WRITERS * EACH + 1))
        assert s.scalar(select(func.count()).select_from(Blob)) == EACH
        report = verify_archive(s, blobs)
    assert report.ok and report.problems == [], [p.line() for p in report.problems]
