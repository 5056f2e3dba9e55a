"""A stand-in tracker for the crash tests: appends captures one transaction at a time.

Run as a script so a test can ``kill -9`` it. It resumes where the committed ledger ends,
the way a rerun of tracking would, and prints ``committed N`` after each commit. With
``--hang-at N`` it stops inside the transaction of capture N, after every row is written but
before the commit, and prints ``hanging N``: the worst moment to die.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from clausewatch.archive import BlobStore, append_capture
from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import Document, LedgerRecord, Platform

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def content(i: int) -> bytes:
    return (f"<html><p>terms revision {i}</p>" + "x" * (i % 7) * 1000 + "</html>").encode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--until", type=int, required=True, help="stop once N are committed")
    parser.add_argument("--hang-at", type=int)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, database_url=args.database_url)
    store = Store(settings)
    blobs = BlobStore(settings.blob_dir)
    with store.session() as s:
        if s.scalars(select(Document.id)).first() is None:
            platform = Platform(slug="acme", name="Acme")
            s.add(platform)
            s.flush()
            s.add(
                Document(
                    platform_id=platform.id,
                    terms_type="Terms of Service",
                    url="https://acme.example/tos",
                    declaration={},
                )
            )
    with store.session() as s:
        doc_id = s.scalars(select(Document.id)).one()
        done = s.scalar(select(func.count()).select_from(LedgerRecord)) or 0
    while done < args.until:
        i = done + 1
        with store.session() as s:
            doc = s.get(Document, doc_id)
            assert doc is not None
            append_capture(
                s,
                blobs,
                document=doc,
                url=f"{doc.url}?r={i}",
                fetched_at=T0 + timedelta(minutes=i),
                http_status=200,
                content=content(i),
                mime_type="text/html",
            )
            if args.hang_at == i:
                print(f"hanging {i}", flush=True)
                time.sleep(600)
        done = i
        print(f"committed {i}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
