"""A real loopback site whose pages the tests rewrite between tracking runs."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from clausewatch.config import Settings
from clausewatch.store import Store


@dataclass
class Page:
    body: str
    status: int = 200
    content_type: str = "text/html"
    delay: float = 0.0
    #: When given, the response waits until the test sets this event.
    hold: threading.Event | None = None


@dataclass
class Site:
    base_url: str = ""
    pages: dict[str, Page] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def legal_page(title: str, clauses: list[str], noise: str = "") -> str:
    body = "".join(f"<h2>{i + 1}. Section</h2><p>{c}</p>" for i, c in enumerate(clauses))
    return (
        f"<html lang='en'><head><title>{title}</title><script>var x={noise!r};</script></head>"
        f"<body><nav>Home · Blog {noise}</nav><main><h1>{title}</h1>{body}</main>"
        f"<footer>© Example {noise}</footer></body></html>"
    )


CLAUSES = [
    "We may change these terms at any time. We will notify you at least 30 days before changes take effect.",
    "Any dispute will be resolved in the courts of Dublin, Ireland, and Irish law applies.",
    "You keep ownership of the content you upload. You grant us a licence to host and display it.",
    "We are not liable for indirect or consequential losses to the extent permitted by law.",
]


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    async def handler(request: web.Request) -> web.Response:
        page = state.pages.get(request.path)
        state.hits[request.path] = state.hits.get(request.path, 0) + 1
        if page is None:
            return web.Response(status=404, text="not found")
        if page.delay:
            await asyncio.sleep(page.delay)
        while page.hold is not None and not page.hold.is_set():
            await asyncio.sleep(0.02)
        return web.Response(
            status=page.status, body=page.body.encode(), content_type=page.content_type
        )

    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(tcp.start())
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.base_url = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def write_declarations(folder: Path, site: Site, docs: dict[str, str]) -> Path:
    """One service 'Example' with a terms type per path."""
    folder.mkdir(parents=True, exist_ok=True)
    terms = {
        t: {"fetch": site.url(path), "select": "main", "remove": "script"}
        for t, path in docs.items()
    }
    (folder / "Example.json").write_text(json.dumps({"name": "Example", "terms": terms}))
    return folder


def replay_pages(
    store: Store, settings: Settings, tmp_path: Path, name: str, pages: dict[str, str]
) -> None:
    """Replay dated pages (``{"2024-01-01": html}``) as the snapshots of one document,
    "Exemple"'s terms of service, through the whole pipeline with the shipped labels."""
    from clausewatch.archive.blobs import BlobStore
    from clausewatch.track.pipeline import load_classifications
    from clausewatch.track.replay import replay

    snaps = tmp_path / name
    snaps.mkdir()
    for date, html in pages.items():
        (snaps / f"{date}.html").write_text(html)
    decl = tmp_path / f"decl-{name}"
    decl.mkdir()
    (decl / "Exemple.json").write_text(
        json.dumps(
            {
                "name": "Exemple",
                "terms": {
                    "Terms of Service": {"fetch": "https://exemple.example/cgu", "select": "main"}
                },
            }
        )
    )
    replay(
        store,
        BlobStore(settings.blob_dir),
        snaps,
        declarations=decl,
        service="Exemple",
        terms_type="Terms of Service",
        labels=load_classifications(),
    )
