"""Each kind of tampering is caught, and reported at the place it happened."""

from __future__ import annotations

from archive_helpers import T0, Fill, make_document
from sqlalchemy import select, text

from clausewatch.archive import (
    BlobStore,
    VerifyReport,
    append_capture,
    compute_record_hash,
    verify_archive,
)
from clausewatch.archive.ledger import record_fields
from clausewatch.archive.verify import BATCH
from clausewatch.store import Store
from clausewatch.store.models import LedgerRecord


def _verify(store: Store, blobs: BlobStore) -> VerifyReport:
    with store.session() as s:
        return verify_archive(s, blobs)


def _record(store: Store, seq: int) -> LedgerRecord:
    with store.session() as s:
        record = s.get(LedgerRecord, seq)
        assert record is not None
        return record


def _kinds(report: VerifyReport) -> list[tuple[str, int | None, str | None]]:
    return sorted({(p.kind, p.seq, p.sha) for p in report.problems}, key=str)


def test_empty_archive_passes(store: Store, blobs: BlobStore) -> None:
    report = _verify(store, blobs)
    assert report.ok and report.problems == [] and report.records == 0
    assert report.head.seq == 0


def test_untouched_archive_passes(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(5)
    report = _verify(store, blobs)
    assert report.ok and report.problems == []
    assert report.head.seq == 5
    assert report.head.record_hash == _record(store, 5).record_hash


def test_modified_blob(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(5)
    sha = _record(store, 3).content_sha256
    path = blobs.path(sha)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"Clause", b"Klause"))
    report = _verify(store, blobs)
    assert not report.ok
    assert _kinds(report) == [("blob_modified", None, sha)]
    assert "used by records 3" in report.problems[0].detail
    assert str(path) in report.problems[0].line()


def test_missing_blob(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(5)
    sha = _record(store, 2).content_sha256
    blobs.path(sha).unlink()
    report = _verify(store, blobs)
    assert not report.ok
    assert _kinds(report) == [("blob_missing", None, sha)]
    assert report.problems[0].line().startswith(f"blob {sha}: blob missing: file ")


def test_ledger_url_altered(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(5)
    with store.session() as s:
        s.execute(text("UPDATE ledger SET url = 'https://evil.example/' WHERE seq = 3"))
    report = _verify(store, blobs)
    assert not report.ok
    assert _kinds(report) == [("record_altered", 3, None)]
    lines = [p.line() for p in report.problems]
    assert any(
        line.startswith("seq 3: record altered: record hash does not match") for line in lines
    )
    assert any(
        line.startswith("seq 3: record altered: url differs (ledger https://evil.example/, capture")
        for line in lines
    )


def test_capture_sha_altered(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(5)
    other = _record(store, 4).content_sha256
    with store.session() as s:
        s.execute(
            text("UPDATE captures SET content_sha256 = :sha WHERE ledger_seq = 2"), {"sha": other}
        )
    report = _verify(store, blobs)
    assert not report.ok
    assert _kinds(report) == [("record_altered", 2, None)]
    assert len(report.problems) == 1
    assert "content_sha256 differs" in report.problems[0].detail
    assert other in report.problems[0].detail


def test_middle_record_removed(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(5)
    with store.session() as s:
        s.execute(text("DELETE FROM ledger WHERE seq = 3"))
    report = _verify(store, blobs)
    assert not report.ok
    assert _kinds(report) == [("record_removed", 3, None)]
    assert len(report.problems) == 1
    assert report.problems[0].line() == (
        "seq 3: record removed: record 3 is missing (the chain jumps from 2 to 4)"
    )


def test_last_record_removed_is_caught_through_its_capture(
    store: Store, blobs: BlobStore, fill: Fill
) -> None:
    fill(5)
    with store.session() as s:
        s.execute(text("DELETE FROM ledger WHERE seq = 5"))
    report = _verify(store, blobs)
    assert not report.ok
    assert _kinds(report) == [("record_removed", 5, None)]


def test_first_records_removed(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(5)
    with store.session() as s:
        s.execute(text("DELETE FROM ledger WHERE seq IN (1, 2)"))
    report = _verify(store, blobs)
    assert _kinds(report) == [("record_removed", 1, None)]
    assert "records 1-2 are missing" in report.problems[0].detail


def _swap_seq(store: Store, a: int, b: int) -> None:
    with store.session() as s:
        for table, column in (("ledger", "seq"), ("captures", "ledger_seq")):
            s.execute(text(f"UPDATE {table} SET {column} = -1 WHERE {column} = :a"), {"a": a})
            s.execute(
                text(f"UPDATE {table} SET {column} = :a WHERE {column} = :b"), {"a": a, "b": b}
            )
            s.execute(text(f"UPDATE {table} SET {column} = :b WHERE {column} = -1"), {"b": b})


def test_records_swapped_naively(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(5)
    with store.session() as s:
        s.execute(text("UPDATE ledger SET seq = -1 WHERE seq = 2"))
        s.execute(text("UPDATE ledger SET seq = 2 WHERE seq = 3"))
        s.execute(text("UPDATE ledger SET seq = 3 WHERE seq = -1"))
    report = _verify(store, blobs)
    assert not report.ok
    assert _kinds(report) == [("record_altered", 2, None), ("record_altered", 3, None)]
    assert any("seq differs" in p.detail for p in report.problems)


def test_records_swapped_and_rehashed_break_the_order(
    store: Store, blobs: BlobStore, fill: Fill
) -> None:
    """A forger who swaps two records and recomputes their hashes still breaks the chain."""
    fill(5)
    _swap_seq(store, 2, 3)
    with store.session() as s:
        for seq in (2, 3):
            record = s.get(LedgerRecord, seq)
            assert record is not None
            record.record_hash = compute_record_hash(record_fields(record))
    report = _verify(store, blobs)
    assert not report.ok
    assert _kinds(report) == [
        ("order_broken", 2, None),
        ("order_broken", 3, None),
        ("order_broken", 4, None),
    ]
    assert "is not record 1's hash" in report.problems[0].detail


def test_capture_without_ledger_record(store: Store, blobs: BlobStore, fill: Fill) -> None:
    ids = fill(3)
    with store.session() as s:
        s.execute(text("DELETE FROM ledger WHERE seq = 3"))
        s.execute(text("UPDATE captures SET ledger_seq = NULL WHERE id = :id"), {"id": ids[2]})
    report = _verify(store, blobs)
    assert [p.kind for p in report.problems] == ["record_removed"]
    assert f"capture {ids[2]} " in report.problems[0].detail


def test_orphan_blob_is_information_only(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(2)
    sha = blobs.put(b"fetched, but the process died before the commit")
    report = _verify(store, blobs)
    assert report.ok
    assert _kinds(report) == [("orphan_blob", None, sha)]
    assert report.errors == []


def test_verify_streams_more_rows_than_a_batch(store: Store, blobs: BlobStore) -> None:
    """Past one fetch batch the chain is still followed across batch boundaries."""
    with store.session() as s:
        doc = make_document(s)
        for i in range(BATCH + 5):
            append_capture(
                s,
                blobs,
                document=doc,
                url=doc.url,
                fetched_at=T0,
                http_status=200,
                content=b"x%d" % (i % 3),
                mime_type="text/plain",
            )
    with store.session() as s:
        s.execute(text("DELETE FROM ledger WHERE seq = :seq"), {"seq": BATCH + 1})
    report = _verify(store, blobs)
    assert _kinds(report) == [("record_removed", BATCH + 1, None)]
    assert report.records == BATCH + 4
    with store.session() as s:
        assert len(s.scalars(select(LedgerRecord.seq)).all()) == BATCH + 4


def test_truncated_tail_is_caught_only_by_an_anchor(
    store: Store, blobs: BlobStore, fill: Fill
) -> None:
    fill(5)
    anchor = _verify(store, blobs).head
    with store.session() as s:
        s.execute(text("DELETE FROM ledger WHERE seq >= 4"))
        s.execute(text("DELETE FROM captures WHERE ledger_seq >= 4"))
    assert _verify(store, blobs).errors == []
    with store.session() as s:
        report = verify_archive(s, blobs, anchor=anchor)
    assert _kinds(report) == [("record_removed", 5, None)]
    assert [p.line() for p in report.errors] == [
        "seq 5: record removed: anchored record 5 is gone (the ledger ends at 3)"
    ]


def test_rewritten_chain_is_caught_by_an_anchor(store: Store, blobs: BlobStore, fill: Fill) -> None:
    fill(3)
    anchor = _verify(store, blobs).head
    with store.session() as s:
        for seq in (1, 2, 3):
            record = s.get(LedgerRecord, seq)
            assert record is not None
            if seq > 1:
                before = s.get(LedgerRecord, seq - 1)
                assert before is not None
                record.prev_hash = before.record_hash
            record.http_status = 203
            record.record_hash = compute_record_hash(record_fields(record))
            s.flush()
        s.execute(text("UPDATE captures SET http_status = 203"))
    assert _verify(store, blobs).problems == []
    with store.session() as s:
        report = verify_archive(s, blobs, anchor=anchor)
    assert _kinds(report) == [("record_altered", 3, None)]
    assert "is not the anchored" in report.problems[0].detail
