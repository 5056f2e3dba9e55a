"""What the fetcher's safety costs: pages per second through ``Fetcher`` (SSRF guard on every
hop, manual redirects, per-fetch cookie jar, streamed size cap, bot-wall check, sniffing)
against a bare aiohttp session with the same connection limits, both fetching the same pages
from a loopback server in the same run.

    .venv/bin/python bench/fetch.py [--pages 400] [--size 40000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from clausewatch.config import Settings
from clausewatch.fetch import Fetcher


def start_server(size: int) -> tuple[int, asyncio.AbstractEventLoop]:
    body = (b"<!doctype html><html><body>" + b"<p>clause</p>" * (size // 13) + b"</body></html>")[
        :size
    ]

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/html")

    app = web.Application()
    app.router.add_get("/doc/{n}", page)
    loop = asyncio.new_event_loop()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    runner = web.AppRunner(app, access_log=None)
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    ready.wait(10)
    return sock.getsockname()[1], loop


async def bare(urls: list[str], settings: Settings) -> int:
    connector = aiohttp.TCPConnector(
        limit=settings.concurrency, limit_per_host=settings.per_host_concurrency
    )
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url: str) -> int:
            async with session.get(url) as response:
                return len(await response.read())

        return sum(await asyncio.gather(*(one(u) for u in urls)))


async def guarded(urls: list[str], settings: Settings) -> int:
    async with Fetcher(settings) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
        return sum(len(r.content) for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--size", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port, _ = start_server(args.size)
    urls = [f"http://127.0.0.1:{port}/doc/{n}" for n in range(args.pages)]
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp()),
        allow_hosts=f"127.0.0.1:{port}",
        concurrency=32,
        per_host_concurrency=8,
    )
    expected = args.pages * args.size
    bare_times, guarded_times = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        assert asyncio.run(bare(urls, settings)) == expected
        bare_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert asyncio.run(guarded(urls, settings)) == expected
        guarded_times.append(time.perf_counter() - start)
    b, g = statistics.median(bare_times), statistics.median(guarded_times)
    print(f"pages: {args.pages} x {args.size} bytes, loopback, median of {args.rounds} rounds")
    print(f"baseline bare aiohttp session : {args.pages / b:8.1f} pages/s ({b * 1000:.0f} ms)")
    print(f"clausewatch Fetcher (guarded) : {args.pages / g:8.1f} pages/s ({g * 1000:.0f} ms)")
    print(f"ratio Fetcher / baseline throughput: {b / g:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
