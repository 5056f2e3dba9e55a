"""Tracking throughput: N documents served on loopback, tracked into a fresh data directory.

Prints documents per second and peak memory of `track` beside a plain sequential aiohttp loop
fetching the same URLs, measured in the same run (each in its own process so peak memory is
its own), and the ratio. `--full` runs the whole pipeline (extract, versions, provisions,
classification) instead of fetch + archive + ledger.

    .venv/bin/python bench/track_throughput.py [--documents 1000] [--full] [--latency-ms 50]

Raw loopback answers in microseconds, which flatters a sequential loop; `--latency-ms`
gives every response a real site's round trip, where concurrency is what counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PER_PLATFORM = 100


def write_declarations(base_url: str, n: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, PER_PLATFORM):
        terms = {
            f"Synthetic Terms {i:05d}": {"fetch": f"{base_url}/synthetic/{i}", "select": "main"}
            for i in range(start, min(n, start + PER_PLATFORM))
        }
        name = f"Synthetic {start // PER_PLATFORM:03d}"
        (out / f"{name}.json").write_text(json.dumps({"name": name, "terms": terms}))


def child_clausewatch(base_url: str, n: int, data: Path, full: bool) -> dict[str, float]:
    from clausewatch.config import Settings
    from clausewatch.declarations.registry import import_directory
    from clausewatch.store import Store
    from clausewatch.track.pipeline import load_classifications
    from clausewatch.track.runner import track

    settings = Settings(data_dir=data, allow_hosts="127.0.0.1", per_host_concurrency=16)
    write_declarations(base_url, n, data / "declarations")
    store = Store(settings)
    with store.session() as session:
        import_directory(session, data / "declarations")
    labels = load_classifications() if full else None
    started = time.perf_counter()
    summary = asyncio.run(track(store, settings, force=True, labels=labels, archive_only=not full))
    seconds = time.perf_counter() - started
    ok = summary.counts["new_version"] + summary.counts["changed"]
    if ok != n:
        raise SystemExit(f"only {ok} of {n} documents were recorded: {summary.to_json()}")
    return {"documents": n, "seconds": seconds}


def child_baseline(base_url: str, n: int) -> dict[str, float]:
    import aiohttp

    async def loop() -> None:
        async with aiohttp.ClientSession() as session:
            for i in range(n):
                async with session.get(f"{base_url}/synthetic/{i}") as response:
                    await response.read()

    started = time.perf_counter()
    asyncio.run(loop())
    return {"documents": n, "seconds": time.perf_counter() - started}


def run_child(args: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[:2]} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--full", action="store_true", help="run every pipeline stage")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="delay every response, like a real site's round trip (0: raw loopback)",
    )
    parser.add_argument("--child", choices=["clausewatch", "baseline"])
    parser.add_argument("--base-url")
    parser.add_argument("--data")
    args = parser.parse_args()

    if args.child:
        if args.child == "clausewatch":
            result = child_clausewatch(args.base_url, args.documents, Path(args.data), args.full)
        else:
            result = child_baseline(args.base_url, args.documents)
        result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The full pipeline labels provisions in a worker process: its peak is reported too.
        result["worker_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from clausewatch.demo.server import DemoServer

    n = args.documents
    with (
        DemoServer.synthetic(n, latency=args.latency_ms / 1000) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        base = server.base_url
        ours = run_child(
            [
                "--child",
                "clausewatch",
                "--base-url",
                base,
                "--documents",
                str(n),
                "--data",
                str(Path(tmp) / "data"),
                *(["--full"] if args.full else []),
            ]
        )
        plain = run_child(["--child", "baseline", "--base-url", base, "--documents", str(n)])
    mode = "full pipeline" if args.full else "fetch + archive + ledger"
    ours_rate = ours["documents"] / ours["seconds"]
    plain_rate = plain["documents"] / plain["seconds"]
    print(
        f"track throughput, {n} documents on loopback ({mode}, "
        f"{args.latency_ms:g} ms server latency)"
    )
    print(
        f"  clausewatch track       {ours_rate:8.1f} docs/s  {ours['seconds']:7.2f} s  "
        f"peak RSS {ours['max_rss_mb']:6.1f} MB"
    )
    print(
        f"  sequential aiohttp loop {plain_rate:8.1f} docs/s  {plain['seconds']:7.2f} s  "
        f"peak RSS {plain['max_rss_mb']:6.1f} MB"
    )
    print(
        f"  ratio (track / sequential loop): {ours_rate / plain_rate:.2f}x; target >= 200 docs/s: "
        f"{'met' if ours_rate >= 200 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
