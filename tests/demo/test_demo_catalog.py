"""Declarations generated from the manifest: OTA's format, and selectors that really work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from demo_helpers import readable_revisions
from selectolax.lexbor import LexborHTMLParser

from clausewatch.declarations.model import load_service, validate_directory
from clausewatch.demo.catalog import (
    DemoManifest,
    declarations_for,
    write_declarations,
    write_synthetic_declarations,
)
from clausewatch.demo.synthetic import REMOVE, SELECT, synthetic_page

BASE = "http://127.0.0.1:8123"


def test_one_ota_file_per_platform(tmp_path: Path, manifest: DemoManifest) -> None:
    written = write_declarations(BASE + "/", tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{p.name}.json" for p in manifest.platforms)
    assert sorted(tmp_path.iterdir()) == sorted(written)  # no temp files left behind
    for platform in manifest.platforms:
        data = json.loads((tmp_path / f"{platform.name}.json").read_text(encoding="utf-8"))
        assert set(data) == {"name", "terms"} and data["name"] == platform.name
        assert len(data["terms"]) == len(platform.documents)
        for doc in platform.documents:
            body = data["terms"][doc.terms_type]
            assert body["fetch"] == BASE + doc.path
            assert body["select"] and set(body) <= {"fetch", "select", "remove"}


def test_the_project_validator_accepts_them(tmp_path: Path, manifest: DemoManifest) -> None:
    write_declarations(BASE, tmp_path)
    services, problems = validate_directory(tmp_path)
    assert problems == []
    assert sum(len(s.terms) for s in services) == len(list(manifest.documents()))
    lumora = load_service(tmp_path / "Lumora AI.json")
    assert lumora.terms["Acceptable Use Policy"].location == BASE + "/lumora-ai/legal/usage-policy"


def test_rewriting_replaces_the_base_url(tmp_path: Path) -> None:
    write_declarations(BASE, tmp_path)
    write_declarations("http://127.0.0.1:9999", tmp_path)
    data = json.loads((tmp_path / "Parcelly.json").read_text(encoding="utf-8"))
    assert (
        data["terms"]["Privacy Policy"]["fetch"] == "http://127.0.0.1:9999/parcelly/privacy-notice"
    )


def _matches(tree: LexborHTMLParser, selector: object) -> bool:
    if isinstance(selector, str):
        return tree.css_first(selector) is not None
    assert isinstance(selector, dict)
    return all(tree.css_first(value) is not None for value in selector.values())


def test_select_and_remove_hit_every_readable_page(manifest: DemoManifest) -> None:
    bodies = declarations_for(BASE, manifest)
    checked = 0
    for doc, number in readable_revisions(manifest):
        platform = next(p for p in manifest.platforms if p.slug == doc.platform)
        declared = bodies[platform.name]["terms"][doc.terms_type]
        tree = LexborHTMLParser(doc.revision(number).read().decode("utf-8"))
        for selector in declared["select"]:
            assert _matches(tree, selector), (doc.path, number, selector)
        for selector in declared.get("remove", []):
            assert _matches(tree, selector), (doc.path, number, selector)
        checked += 1
    assert checked == 35


def test_the_bot_wall_matches_no_selector(manifest: DemoManifest) -> None:
    doc = manifest.document("/lumora-ai/legal/usage-policy")
    tree = LexborHTMLParser(doc.revision(3).read().decode("utf-8"))
    assert not any(_matches(tree, s) for s in doc.select)


def test_synthetic_declarations_point_at_distinct_pages(tmp_path: Path) -> None:
    written = write_synthetic_declarations(BASE, 25, tmp_path)
    assert len(written) == 25
    services, problems = validate_directory(tmp_path)
    assert problems == [] and len(services) == 25
    urls = {s.terms["Terms of Service"].location for s in services}
    assert len(urls) == 25 and BASE + "/synthetic/24" in urls
    tree = LexborHTMLParser(synthetic_page(7, 1).decode())
    assert all(tree.css_first(s) is not None for s in (*SELECT, *REMOVE))


@pytest.mark.parametrize("n", [0, -3])
def test_no_synthetic_declarations_for_nothing(tmp_path: Path, n: int) -> None:
    assert write_synthetic_declarations(BASE, n, tmp_path) == []
