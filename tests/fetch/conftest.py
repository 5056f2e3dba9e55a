"""Fixtures for the fetch tests: the loopback server and settings that allow only it."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from clausewatch.config import Settings

# The helpers module sits beside this file; make it importable under either import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch_helpers import ServerState, app_for, make_settings


@pytest.fixture(scope="module")
def server() -> Iterator[ServerState]:
    state = ServerState()
    loop = asyncio.new_event_loop()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    state.port = sock.getsockname()[1]
    runner = web.AppRunner(app_for(state))
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield state
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture
def settings_for(server: ServerState, tmp_path: Path) -> Settings:
    """Settings that allow exactly the test server's host:port and nothing else on loopback."""
    return make_settings(tmp_path, f"127.0.0.1:{server.port}")
