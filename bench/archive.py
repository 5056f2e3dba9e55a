"""Archive costs on real snapshots: appending to the ledger, verifying, exporting WARC.

Each figure is printed beside a baseline measured in the same run, and their ratio:

- append: ``append_capture`` (blob write + fsync, blob/capture/ledger rows, one transaction
  per capture) versus ``BlobStore.put`` alone (the durable write every archive must pay).
- verify: ``verify_archive`` (every blob re-hashed, every link and capture cross-checked)
  versus re-hashing the same blob files with plain ``hashlib`` (what ``sha256sum`` does).
- export: ``export_warc`` (gzip WARC 1.1, digests) versus gzip-compressing the same bytes
  at the same level into one file.

Input: the OTA snapshots in ``<shared>/ota/dating/pairs/*/snapshot.*`` (153 real pages and
PDFs), appended ``--rounds`` times with a round marker so every blob is distinct.

    .venv/bin/python bench/archive.py [SHARED_DATA_DIR] [--rounds 3] [--database-url URL]

``--database-url`` must name an empty PostgreSQL database; the default is a temporary SQLite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from clausewatch.archive import BlobStore, append_capture, export_warc, verify_archive
from clausewatch.config import Settings
from clausewatch.store import Store
from clausewatch.store.models import Document, Platform

ROOT = Path(__file__).resolve().parents[1]


def load_snapshots(shared: Path) -> list[tuple[dict[str, str], bytes]]:
    pairs = sorted((shared / "ota" / "dating" / "pairs").iterdir())
    out = []
    for pair in pairs:
        snapshot = next(pair.glob("snapshot.*"), None)
        if snapshot is None:
            continue
        meta = json.loads((pair / "meta.json").read_text())
        out.append((meta, snapshot.read_bytes()))
    if not out:
        raise SystemExit(f"no snapshots under {shared}/ota/dating/pairs")
    return out


def marked(data: bytes, round_: int) -> bytes:
    return data if round_ == 0 else data + f"\n<!-- round {round_} -->\n".encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    snapshots = load_snapshots(args.shared)
    total_bytes = sum(len(d) for _, d in snapshots) * args.rounds
    n = len(snapshots) * args.rounds

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        settings = Settings(data_dir=tmp / "data", database_url=args.database_url)
        store = Store(settings)
        blobs = BlobStore(settings.blob_dir)
        with store.session() as s:
            docs: dict[tuple[str, str], int] = {}
            for meta, _ in snapshots:
                key = (meta["service"], meta["terms_type"])
                if key in docs:
                    continue
                platform = s.scalars(select(Platform).filter_by(slug=meta["service"])).first()
                if platform is None:
                    platform = Platform(slug=meta["service"], name=meta["service"])
                    s.add(platform)
                    s.flush()
                doc = Document(
                    platform_id=platform.id,
                    terms_type=meta["terms_type"],
                    url=meta["url"],
                    declaration={},
                )
                s.add(doc)
                s.flush()
                docs[key] = doc.id

        # baseline: the durable blob writes alone, into a separate store
        plain = BlobStore(tmp / "plain-blobs")
        t = time.perf_counter()
        for r in range(args.rounds):
            for _, data in snapshots:
                plain.put(marked(data, r))
        put_s = time.perf_counter() - t

        t = time.perf_counter()
        when = datetime(2026, 1, 1, tzinfo=UTC)
        for r in range(args.rounds):
            for i, (meta, data) in enumerate(snapshots):
                with store.session() as s:
                    doc = s.get(Document, docs[(meta["service"], meta["terms_type"])])
                    assert doc is not None
                    append_capture(
                        s,
                        blobs,
                        document=doc,
                        url=meta["url"],
                        fetched_at=when + timedelta(minutes=r * len(snapshots) + i),
                        http_status=200,
                        content=marked(data, r),
                        mime_type=meta["mime_type"],
                        headers={"Content-Type": meta["mime_type"]},
                    )
        append_s = time.perf_counter() - t

        t = time.perf_counter()
        for sha in blobs.iter_shas():
            digest = hashlib.sha256()
            with blobs.path(sha).open("rb") as fh:
                while chunk := fh.read(1024 * 1024):
                    digest.update(chunk)
            assert digest.hexdigest() == sha
        rehash_s = time.perf_counter() - t

        t = time.perf_counter()
        with store.session() as s:
            report = verify_archive(s, blobs)
        verify_s = time.perf_counter() - t
        assert report.ok and report.records == n, [p.line() for p in report.problems]

        t = time.perf_counter()
        with (tmp / "plain.gz").open("wb") as out:
            for sha in blobs.iter_shas():
                gz = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)
                out.write(gz.compress(blobs.path(sha).read_bytes()) + gz.flush())
        gzip_s = time.perf_counter() - t

        t = time.perf_counter()
        with store.session() as s:
            count = export_warc(s, blobs, tmp / "archive.warc.gz")
        export_s = time.perf_counter() - t
        assert count == n
        store.close()

    backend = "postgresql" if args.database_url else "sqlite"
    mb = total_bytes / 1e6
    print(f"archive bench: {n} captures, {mb:.1f} MB of real snapshots, {backend}")
    print(
        f"append  {n / append_s:8.1f} captures/s  baseline BlobStore.put {n / put_s:8.1f}/s"
        f"  ratio {append_s / put_s:5.2f}x the time"
    )
    print(
        f"verify  {mb / verify_s:8.1f} MB/s        baseline plain re-hash {mb / rehash_s:8.1f} MB/s"
        f"  ratio {verify_s / rehash_s:5.2f}x the time"
    )
    print(
        f"export  {mb / export_s:8.1f} MB/s        baseline plain gzip    {mb / gzip_s:8.1f} MB/s"
        f"  ratio {export_s / gzip_s:5.2f}x the time"
    )


if __name__ == "__main__":
    main()
