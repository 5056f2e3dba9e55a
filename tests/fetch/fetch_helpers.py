"""Helpers for the fetch tests: a real aiohttp server on 127.0.0.1 (random port), run in a thread, that plays every kind of
site the fetcher meets: redirect chains, huge bodies, flaky and missing pages, conditional
responses, mislabelled types, bot walls, slow answers and pages built by scripts."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from clausewatch.config import Settings

HTML = b"<!doctype html><html><head><title>Terms</title></head><body><p>Be nice.</p></body></html>"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
LIMIT = 10_000
CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<div id='challenge'>Checking your browser</div>"
    b"<script>window._cf_chl_opt={cvId:'3',cType:'managed'};</script></body></html>"
)


@dataclass
class ServerState:
    port: int = 0
    hits: collections.Counter[str] = field(default_factory=collections.Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    crowd: asyncio.Event | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def app_for(state: ServerState) -> web.Application:
    routes = web.RouteTableDef()

    def hit(request: web.Request) -> int:
        key = request.path + "?" + request.query.get("key", "")
        state.hits[key] += 1
        return state.hits[key]

    @routes.get("/page")
    async def page(request: web.Request) -> web.Response:
        hit(request)
        return web.Response(body=HTML, content_type="text/html", charset="windows-1252")

    @routes.get("/redirect/{n}")
    async def redirect(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        target = f"/redirect/{n - 1}" if n > 1 else "/page"
        raise web.HTTPFound(target)

    @routes.get("/redirect-to")
    async def redirect_to(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["target"])

    @routes.get("/big-declared")
    async def big_declared(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * (LIMIT * 2), content_type="text/html")

    @routes.get("/big-streamed")
    async def big_streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(20):
            await response.write(b"y" * 1000)
        await response.write_eof()
        return response

    @routes.get("/flaky")
    async def flaky(request: web.Request) -> web.Response:
        if hit(request) == 1:
            return web.Response(status=503, text="try later")
        return web.Response(body=HTML, content_type="text/html")

    @routes.get("/rate-limited")
    async def rate_limited(request: web.Request) -> web.Response:
        seconds = request.query.get("after", "0")
        if hit(request) == 1 or seconds != "0":
            return web.Response(status=429, text="slow down", headers={"Retry-After": seconds})
        return web.Response(body=HTML, content_type="text/html")

    @routes.get("/missing")
    async def missing(request: web.Request) -> web.Response:
        hit(request)
        return web.Response(status=404, text="no such page")

    @routes.get("/conditional")
    async def conditional(request: web.Request) -> web.Response:
        hit(request)
        headers = {"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}
        if request.headers.get("If-None-Match") == '"v1"' or request.headers.get(
            "If-Modified-Since"
        ) == ("Mon, 01 Jan 2024 00:00:00 GMT"):
            return web.Response(status=304, headers=headers)
        return web.Response(body=HTML, content_type="text/html", headers=headers)

    @routes.get("/octet-html")
    async def octet_html(request: web.Request) -> web.Response:
        return web.Response(body=HTML, content_type="application/octet-stream")

    @routes.get("/octet-pdf")
    async def octet_pdf(request: web.Request) -> web.Response:
        return web.Response(body=PDF, content_type="application/octet-stream")

    @routes.get("/typed-pdf")
    async def typed_pdf(request: web.Request) -> web.Response:
        return web.Response(body=PDF, content_type="application/pdf")

    @routes.get("/challenge")
    async def challenge(request: web.Request) -> web.Response:
        hit(request)
        return web.Response(
            status=503, body=CHALLENGE, content_type="text/html", headers={"Server": "cloudflare"}
        )

    @routes.get("/captcha-200")
    async def captcha_200(request: web.Request) -> web.Response:
        body = b"<html><head><title>Are you a robot?</title></head><body>captcha</body></html>"
        return web.Response(body=body, content_type="text/html")

    @routes.get("/forbidden")
    async def forbidden(request: web.Request) -> web.Response:
        return web.Response(status=403, text="you may not", content_type="text/plain")

    @routes.get("/slow")
    async def slow(request: web.Request) -> web.Response:
        hit(request)
        await asyncio.sleep(5)
        return web.Response(body=HTML, content_type="text/html")

    @routes.get("/crowd")
    async def crowd(request: web.Request) -> web.Response:
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            # Hold every handler until a third one is in flight (which a bound of 2 forbids)
            # or a short while has passed, so the peak reflects the client's bound.
            if state.crowd is None:
                state.crowd = asyncio.Event()
            if state.in_flight >= 3:
                state.crowd.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.crowd.wait(), 0.3)
        finally:
            state.in_flight -= 1
        return web.Response(body=HTML, content_type="text/html")

    @routes.get("/cookie-set")
    async def cookie_set(request: web.Request) -> web.Response:
        response = web.HTTPFound("/cookie-echo")
        response.set_cookie("session", "abc")
        raise response

    @routes.get("/cookie-echo")
    async def cookie_echo(request: web.Request) -> web.Response:
        cookie = request.headers.get("Cookie", "(none)")
        return web.Response(
            text=f"<html><body>cookie={cookie}</body></html>", content_type="text/html"
        )

    @routes.get("/js")
    async def js(request: web.Request) -> web.Response:
        body = (
            "<!doctype html><html><head><title>App</title></head><body><div id='root'></div>"
            "<script>setTimeout(function(){var p=document.createElement('p');"
            "p.id='written';p.textContent='Written by a script: clause 7 applies.';"
            "document.getElementById('root').appendChild(p);},50);</script></body></html>"
        )
        return web.Response(text=body, content_type="text/html")

    @routes.get("/js-hostile")
    async def js_hostile(request: web.Request) -> web.Response:
        target = request.query["target"]
        body = (
            "<!doctype html><html><body><p id='status'>pending</p><script>"
            f"fetch({target!r}).then(function(r){{return r.text();}})"
            ".then(function(t){document.getElementById('status').textContent='LEAKED '+t;})"
            ".catch(function(e){document.getElementById('status').textContent='sub-request failed';});"
            "</script></body></html>"
        )
        return web.Response(text=body, content_type="text/html")

    @routes.get("/secret")
    async def secret(request: web.Request) -> web.Response:
        hit(request)
        return web.Response(text="top secret", headers={"Access-Control-Allow-Origin": "*"})

    app = web.Application()
    app.add_routes(routes)
    return app


def make_settings(tmp_path: Path, allow: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "allow_hosts": allow,
        "max_response_bytes": LIMIT,
        "timeout_seconds": 1.0,
        "retries": 2,
        "per_host_concurrency": 2,
        "max_redirects": 3,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


class StaticResolver(AbstractResolver):
    """A made-up DNS: names resolve to the addresses a test chooses, without any network."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        if host not in self.table:
            raise OSError(f"no such name {host}")
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in self.table[host]
        ]

    async def close(self) -> None:
        return None
