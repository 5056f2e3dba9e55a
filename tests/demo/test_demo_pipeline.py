"""The demo through the project's own fetch, extract and versions stages: every revision gets
the verdict the manifest promises (noise is no version, the bot wall keeps the old one)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from clausewatch.config import Settings
from clausewatch.declarations.model import load_service
from clausewatch.demo.catalog import DemoManifest, write_declarations
from clausewatch.demo.server import DemoServer
from clausewatch.extract import Snapshot, extract
from clausewatch.fetch import BotBlocked, Fetcher, FetchResult
from clausewatch.versions.decide import decide


async def _fetch_all(
    settings: Settings, urls: list[str], etags: dict[str, str]
) -> dict[str, FetchResult | BotBlocked]:
    async with Fetcher(settings, backoff_base=0.01, backoff_cap=0.05) as fetcher:

        async def one(url: str) -> FetchResult | BotBlocked:
            try:
                return await fetcher.fetch(url, etag=etags.get(url))
            except BotBlocked as exc:
                return exc

        results = await asyncio.gather(*(one(url) for url in urls))
    return dict(zip(urls, results, strict=True))


def test_every_revision_gets_its_promised_verdict(tmp_path: Path, manifest: DemoManifest) -> None:
    settings = Settings(data_dir=tmp_path / "data", allow_hosts="127.0.0.1,localhost")
    verdicts: dict[str, list[str]] = {}
    with DemoServer() as server:
        write_declarations(server.base_url, tmp_path / "declarations")
        terms = {
            doc.path: load_service(tmp_path / "declarations" / f"{p.name}.json").terms[
                doc.terms_type
            ]
            for p in manifest.platforms
            for doc in p.documents
        }
        urls = {doc.path: server.url(doc.path) for doc in manifest.documents()}
        latest: dict[str, str] = {}
        etags: dict[str, str] = {}
        for number in range(1, manifest.revisions + 1):
            server.set_revision(number)
            results = asyncio.run(_fetch_all(settings, list(urls.values()), etags))
            for path, url in urls.items():
                result = results[url]
                if isinstance(result, BotBlocked):
                    verdicts.setdefault(path, []).append("inaccessible")
                    continue
                assert not result.not_modified  # every revision changes the bytes
                etags[url] = result.etag or ""
                text = extract(
                    [Snapshot(result.content, result.mime_type, result.url)], terms[path]
                ).markdown
                decision = decide(latest.get(path), text)
                if decision.is_new:
                    latest[path] = text
                verdicts.setdefault(path, []).append(
                    {"first": "initial", "unchanged": "no-change", "noise": "no-change"}.get(
                        decision.reason, "changed"
                    )
                )
            if number == 3:
                kept = latest["/lumora-ai/legal/usage-policy"]
        # Nothing moved: a conditional request now comes back 304.
        again = asyncio.run(_fetch_all(settings, [urls["/chirpnest/tos"]], etags))
        assert isinstance(again[urls["/chirpnest/tos"]], FetchResult)
        assert again[urls["/chirpnest/tos"]].not_modified  # type: ignore[union-attr]
    for doc in manifest.documents():
        promised = [
            r.expected if r.expected in {"initial", "no-change", "inaccessible"} else "changed"
            for r in doc.revisions
        ]
        assert verdicts[doc.path] == promised, doc.path
    # The bot wall did not replace the version before it; revision 4 then changed it.
    assert "we will generally warn you" in kept and "Checking your browser" not in kept
    assert "without prior notice" in latest["/lumora-ai/legal/usage-policy"]


@pytest.mark.parametrize(
    ("path", "phrase"),
    [
        ("/lumora-ai/legal/privacy", "Even if you opt out, we will use your conversations"),
        ("/chirpnest/privacy", "This is on by default for all public accounts"),
        ("/quillbase/legal/developer-terms", "we may use de-identified or aggregated data"),
    ],
)
def test_rights_affecting_text_survives_extraction(
    tmp_path: Path, manifest: DemoManifest, path: str, phrase: str
) -> None:
    base = "http://127.0.0.1:8765"
    write_declarations(base, tmp_path)
    doc = manifest.document(path)
    platform = next(p for p in manifest.platforms if p.slug == doc.platform)
    declared = load_service(tmp_path / f"{platform.name}.json").terms[doc.terms_type]
    before, after = (
        extract([Snapshot(r.read(), r.content_type, base + path)], declared).markdown
        for r in (doc.revision(3), doc.revision(4))
    )
    assert phrase in after and phrase not in before
