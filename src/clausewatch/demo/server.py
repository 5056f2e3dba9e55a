"""A loopback HTTP server that plays the demo platforms' documents back, one revision at a time.

It runs aiohttp on its own event loop in a background thread so that synchronous code (the CLI,
tests, a benchmark) can start it, move every document to the next revision and fetch from it
with any client. Responses carry the revision's status and content type, and an ETag and
Last-Modified derived from the exact bytes, so conditional requests behave like a real site's.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from types import TracebackType
from typing import Self

from aiohttp import web

from clausewatch.demo.catalog import DemoError, DemoManifest, load_manifest
from clausewatch.demo.synthetic import synthetic_date, synthetic_page, synthetic_path

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Resource:
    """What the server answers for one path at one revision."""

    status: int
    content_type: str
    body: bytes
    modified: datetime
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @property
    def last_modified(self) -> str:
        return format_datetime(self.modified.replace(microsecond=0), usegmt=True)


Lookup = Callable[[str, int], Resource | None]


def _manifest_lookup(manifest: DemoManifest) -> tuple[Lookup, list[tuple[str, str]]]:
    cache: dict[tuple[str, int], Resource] = {}
    docs = {doc.path: doc for doc in manifest.documents()}
    names = {doc.path: p.name for p in manifest.platforms for doc in p.documents}

    def lookup(path: str, revision: int) -> Resource | None:
        doc = docs.get(path)
        if doc is None:
            return None
        key = (path, revision)
        if key not in cache:
            rev = doc.revision(revision)
            cache[key] = Resource(
                rev.status, rev.content_type, rev.read(), rev.date, dict(rev.headers)
            )
        return cache[key]

    listing = [(path, f"{names[path]}: {doc.terms_type}") for path, doc in docs.items()]
    return lookup, listing


def _synthetic_lookup(n_documents: int) -> tuple[Lookup, list[tuple[str, str]]]:
    prefix = "/synthetic/"
    cache: dict[tuple[int, int], Resource] = {}

    def lookup(path: str, revision: int) -> Resource | None:
        if not path.startswith(prefix) or not path[len(prefix) :].isdigit():
            return None
        i = int(path[len(prefix) :])
        if i >= n_documents or path != synthetic_path(i):
            return None
        key = (i, revision)
        if key not in cache:
            cache[key] = Resource(
                200, HTML, synthetic_page(i, revision), synthetic_date(i, revision)
            )
        return cache[key]

    listing = [(synthetic_path(i), f"synthetic document {i}") for i in range(n_documents)]
    return lookup, listing


class DemoServer:
    """Serves every demo document at its path, all at the same current revision.

    ``DemoServer()`` serves the shipped manifest; ``DemoServer.synthetic(n)`` serves ``n``
    generated pages at ``/synthetic/<i>`` instead. ``port=0`` picks a free port.
    """

    def __init__(
        self,
        manifest: DemoManifest | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        revision: int = 1,
    ) -> None:
        manifest = manifest or load_manifest()
        lookup, listing = _manifest_lookup(manifest)
        self._setup(lookup, listing, manifest.revisions, host, port, revision)

    @classmethod
    def synthetic(
        cls,
        n_documents: int,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        revision: int = 1,
        revisions: int = 4,
        latency: float = 0.0,
    ) -> DemoServer:
        """``latency`` (seconds) delays every document response, like a distant real site."""
        if n_documents < 1:
            raise DemoError(f"needs at least one document, not {n_documents}", where="synthetic")
        server = cls.__new__(cls)
        lookup, listing = _synthetic_lookup(n_documents)
        server._setup(lookup, listing, revisions, host, port, revision)
        server.latency = latency
        return server

    def _setup(
        self,
        lookup: Lookup,
        listing: list[tuple[str, str]],
        revisions: int,
        host: str,
        port: int,
        revision: int,
    ) -> None:
        self._lookup = lookup
        self._listing = listing
        self.latency = 0.0
        self.revisions = revisions
        self.host = host
        self._port = port
        self._revision = 1
        self.set_revision(revision)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    # --- control, from any thread -------------------------------------------------------

    @property
    def revision(self) -> int:
        return self._revision

    def set_revision(self, revision: int) -> None:
        """Move every document to ``revision`` (1-based); later requests see it at once."""
        if not 1 <= revision <= self.revisions:
            raise DemoError(
                f"revision must be between 1 and {self.revisions}, not {revision}",
                where="demo server",
            )
        self._revision = revision

    @property
    def port(self) -> int:
        if self._thread is None:
            raise DemoError("the server is not running; call start() first", where="demo server")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self._listing]

    def start(self) -> Self:
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._port))
        except OSError as exc:
            sock.close()
            raise DemoError(
                f"cannot listen: {exc.strerror or exc}", where=f"{self.host}:{self._port}"
            ) from None
        sock.listen(1024)
        sock.setblocking(False)
        self._port = sock.getsockname()[1]
        self._ready.clear()
        self._failure = None
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name="clausewatch-demo-server", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(30) or self._failure is not None:
            self.stop()
            raise DemoError(
                f"the server did not start: {self._failure}", where=f"{self.host}:{self._port}"
            )
        return self

    def stop(self) -> None:
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        self._thread = None
        self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- the server thread --------------------------------------------------------------

    def _run(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(sock))
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
        finally:
            loop.close()
            sock.close()

    async def _serve(self, sock: socket.socket) -> None:
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_get("/index.json", self._index_json)
        app.router.add_get("/{tail:.+}", self._document)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            self._ready.set()
            await self._stop.wait()
        finally:
            await runner.cleanup()

    async def _document(self, request: web.Request) -> web.StreamResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        found = self._lookup(request.path, self._revision)
        if found is None:
            raise web.HTTPNotFound(text=f"no demo document at {request.path}\n")
        headers = {
            "ETag": found.etag,
            "Last-Modified": found.last_modified,
            "Cache-Control": "no-cache",
            **found.headers,
        }
        if found.status == 200 and _not_modified(request, found):
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = found.content_type
        return web.Response(status=found.status, body=found.body, headers=headers)

    async def _index(self, request: web.Request) -> web.Response:
        items = "\n".join(
            f'<li><a href="{html.escape(path)}">{html.escape(label)}</a></li>'
            for path, label in self._listing
        )
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>clausewatch demo sites</title></head><body>\n"
            f"<h1>clausewatch demo sites</h1>\n<p>Revision {self._revision} of "
            f"{self.revisions}. Every platform here is fictional.</p>\n<ul>\n{items}\n</ul>\n"
            "</body></html>\n"
        )
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    async def _index_json(self, request: web.Request) -> web.Response:
        body = {
            "revision": self._revision,
            "revisions": self.revisions,
            "documents": [{"path": p, "label": label} for p, label in self._listing],
        }
        return web.Response(text=json.dumps(body), content_type="application/json")


def _not_modified(request: web.Request, found: Resource) -> bool:
    """RFC 9110 order: If-None-Match wins over If-Modified-Since when both are sent."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return "*" in tags or any(tag.removeprefix("W/") == found.etag for tag in tags)
    since = request.if_modified_since
    return since is not None and found.modified.replace(microsecond=0) <= since
