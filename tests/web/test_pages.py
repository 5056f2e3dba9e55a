"""The web app over a real store, served by uvicorn on loopback, read by httpx and Chromium."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from tests.track.conftest import CLAUSES, Page, Site, legal_page, site, write_declarations

from clausewatch.config import Settings
from clausewatch.declarations.registry import import_directory
from clausewatch.store import Store
from clausewatch.track.pipeline import load_classifications
from clausewatch.track.runner import track
from clausewatch.web.app import create_app

__all__ = ["site"]
CHROMIUM = Path("/usr/bin/chromium")
ARBITRATION = (
    "Any dispute will be resolved by binding arbitration on an individual basis, and you "
    "waive any right to a jury trial or to take part in a class action."
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(settings: Settings, site: Site, tmp_path: Path) -> Iterator[str]:
    site.pages["/terms"] = Page(legal_page("Terms", CLAUSES))
    decl = write_declarations(tmp_path / "decl", site, {"Terms of Service": "/terms"})
    store = Store(settings)
    with store.session() as s:
        import_directory(s, decl)
    labels = load_classifications()
    asyncio.run(track(store, settings, force=True, labels=labels))
    site.pages["/terms"] = Page(legal_page("Terms", [CLAUSES[0], ARBITRATION, *CLAUSES[2:]]))
    asyncio.run(track(store, settings, force=True, labels=labels))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, store), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()


def test_every_page_has_a_json_twin(served: str) -> None:
    with httpx.Client(base_url=served) as http:
        home = http.get("/index.json").json()
        assert home["totals"]["versions"] == 2 and home["platforms"][0]["slug"] == "example"
        assert [c["materiality"] for c in home["changes"]] == ["rights_affecting"]
        platform = http.get("/platforms/example.json").json()
        doc_id = platform["documents"][0]["id"]
        document = http.get(f"/documents/{doc_id}.json").json()
        assert len(document["version_list"]) == 2 and len(document["captures"]) == 2
        assert all(c["record_hash"] and c["ledger_seq"] for c in document["captures"])
        latest = document["version_list"][0]["id"]
        version = http.get(f"/versions/{latest}.json").json()
        assert version["change_set"]["materiality"] == "rights_affecting"
        changed = [
            c for c in version["change_set"]["summary"]["changes"] if c["materiality"] != "cosmetic"
        ]
        assert any("arbitration" in (c.get("new_text") or "") for c in changed)
        arbitration = next(p for p in version["provisions"] if "arbitration" in p["text"])
        assert version["text"][arbitration["start"] : arbitration["end"]] == arbitration["text"]
        assert "arbitration" in arbitration["labels"]["types"] or arbitration["labels"]["claudette"]
        provision = http.get(f"/provisions/{arbitration['key']}.json").json()
        assert provision["current"]["text"] == arbitration["text"]
        evidence = provision["evidence"]
        assert evidence["text_sha256"] == version["text_sha256"]
        assert [c["sha256"] for c in evidence["captures"]] == [document["captures"][0]["sha256"]]
        assert evidence["captures"][0]["record_hash"] == document["captures"][0]["record_hash"]
        for path in ("/nope", "/documents/999", "/versions/abc", "/provisions/CW-P-999999"):
            assert http.get(path).status_code == 404
        missing = http.get("/documents/999.json")
        assert missing.status_code == 404 and missing.json()["error"] == "not found"
        for path in ("/", "/platforms/example", f"/documents/{doc_id}", f"/versions/{latest}"):
            page = http.get(path)
            assert page.status_code == 200 and "text/html" in page.headers["content-type"]


@pytest.mark.browser
def test_a_reader_follows_a_change_to_its_clause(served: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page()
            page.goto(served + "/")
            assert page.locator("h1").inner_text() == "Watched platforms"
            page.get_by_role("link", name="Example", exact=True).click()
            page.get_by_role("link", name="Terms of Service", exact=True).click()
            page.locator("table.list a[href^='/versions/']").first.click()
            assert "rights affecting" in page.locator("section.changes h2").inner_text()
            assert page.locator("section.changes ins").count() >= 1
            page.locator("section.changes a[href^='/provisions/']").first.click()
            assert "arbitration" in page.locator("blockquote.quote").inner_text()
            page.get_by_role("link", name="JSON").click()
            assert '"key"' in page.content()
        finally:
            browser.close()
