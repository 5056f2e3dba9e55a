"""Fixtures for the archive tests: a blob store beside the database and a filled archive."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

# The helpers must import the same way under pytest's prepend and importlib import modes.
sys.path.insert(0, str(Path(__file__).parent))

from archive_helpers import T0, Fill, body, make_document

from clausewatch.archive import BlobStore, append_capture
from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import Capture, Document


@pytest.fixture
def blobs(settings: Settings) -> BlobStore:
    return BlobStore(settings.blob_dir)


@pytest.fixture
def fill(store: Store, blobs: BlobStore) -> Fill:
    """Append ``n`` captures of two documents, one transaction each; return their capture ids."""

    def run(n: int) -> list[int]:
        with store.session() as s:
            docs = [make_document(s, "acme"), make_document(s, "globex", "Privacy Policy")]
            doc_ids = [d.id for d in docs]
        ids: list[int] = []
        for i in range(n):
            with store.session() as s:
                doc = s.get(Document, doc_ids[i % 2])
                assert doc is not None
                capture: Capture = append_capture(
                    s,
                    blobs,
                    document=doc,
                    url=f"{doc.url}?v={i}",
                    fetched_at=T0 + timedelta(hours=i),
                    http_status=200,
                    content=body(i),
                    mime_type="text/html",
                    etag=f'"e{i}"',
                    headers={
                        "Content-Type": "text/html; charset=utf-8",
                        "Content-Encoding": "gzip",
                    },
                )
                ids.append(capture.id)
        return ids

    return run
