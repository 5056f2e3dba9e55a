"""The archive: content-addressed snapshots, the hash-chained ledger, verify, WARC export."""

from clausewatch.archive.blobs import BlobCorrupt, BlobError, BlobMissing, BlobStore, InvalidSha
from clausewatch.archive.ledger import (
    GENESIS_HASH,
    ChainHead,
    LedgerError,
    append_capture,
    chain_head,
    compute_record_hash,
    format_time,
)
from clausewatch.archive.verify import Problem, VerifyReport, verify_archive
from clausewatch.archive.warc import ExportError, export_warc

__all__ = [
    "GENESIS_HASH",
    "BlobCorrupt",
    "BlobError",
    "BlobMissing",
    "BlobStore",
    "ChainHead",
    "ExportError",
    "InvalidSha",
    "LedgerError",
    "Problem",
    "VerifyReport",
    "append_capture",
    "chain_head",
    "compute_record_hash",
    "export_warc",
    "format_time",
    "verify_archive",
]
