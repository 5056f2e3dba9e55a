from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clausewatch.declarations import (
    DeclarationError,
    RangeSelector,
    load_service,
    validate_directory,
)


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_full_format_parses(tmp_path: Path) -> None:
    path = write(
        tmp_path / "Acme.json",
        {
            "name": "Acme",
            "terms": {
                "Terms of Service": {
                    "fetch": "https://acme.example/terms",
                    "select": ["main", {"startBefore": "#a", "endAfter": "#b"}],
                    "remove": ".cookie",
                    "executeClientScripts": True,
                },
                "Privacy Policy": {
                    "select": "article",
                    "combine": [
                        {"fetch": "https://acme.example/p1"},
                        {"fetch": "https://acme.example/p2", "select": "#x"},
                    ],
                },
            },
        },
    )
    service = load_service(path)
    tos = service.terms_at("Terms of Service")
    assert tos.location == "https://acme.example/terms"
    assert tos.sources[0].select == ("main", RangeSelector(start_before="#a", end_after="#b"))
    assert tos.sources[0].remove == (".cookie",)
    assert tos.sources[0].execute_client_scripts is True
    pp = service.terms_at("Privacy Policy")
    assert pp.is_combined
    assert [s.select for s in pp.sources] == [("article",), ("#x",)]


def test_history_lookup_follows_valid_until(tmp_path: Path) -> None:
    write(
        tmp_path / "Acme.json",
        {
            "name": "Acme",
            "terms": {"Terms of Service": {"fetch": "https://acme.example/now", "select": "main"}},
        },
    )
    write(
        tmp_path / "Acme.history.json",
        {
            "Terms of Service": [
                {
                    "fetch": "https://acme.example/v2",
                    "select": "main",
                    "validUntil": "2022-06-01T00:00:00Z",
                },
                {
                    "fetch": "https://acme.example/v1",
                    "select": "main",
                    "validUntil": "2021-01-01T00:00:00Z",
                },
            ]
        },
    )
    service = load_service(tmp_path / "Acme.json")

    def at(s: str) -> str:
        return service.terms_at("Terms of Service", datetime.fromisoformat(s)).location

    assert at("2020-05-01T00:00:00+00:00") == "https://acme.example/v1"
    assert at("2021-01-01T00:00:00+00:00") == "https://acme.example/v1"
    assert at("2021-01-02T00:00:00+00:00") == "https://acme.example/v2"
    assert at("2023-01-01T00:00:00+00:00") == "https://acme.example/now"
    assert service.terms_at("Terms of Service").location == "https://acme.example/now"
    with pytest.raises(ValueError):
        service.terms_at("Terms of Service", datetime(2020, 1, 1))


def test_every_problem_is_reported_with_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / "Broken.json",
        {
            "name": "",
            "terms": {
                "A": {"fetch": "ftp://x", "select": "div >"},
                "B": {"fetch": "https://b.example", "select": {"startBefore": "#a"}},
                "C": {
                    "fetch": "https://c.example",
                    "filter": ["cleanUp"],
                    "executeClientScripts": "yes",
                },
                "D": {"select": "main", "bogus": 1},
            },
        },
    )
    with pytest.raises(DeclarationError) as info:
        load_service(path)
    found = {(p.key, p.reason.split(" ")[0]) for p in info.value.problems}
    keys = {p.key for p in info.value.problems}
    assert "name" in keys
    assert "terms.A.fetch" in keys
    assert "terms.A.select" in keys
    assert "terms.B.select" in keys
    assert "terms.C.filter" in keys
    assert "terms.C.executeClientScripts" in keys
    assert "terms.D.fetch" in keys and "terms.D" in keys
    assert all(p.path == str(path) for p in info.value.problems)
    assert len(found) >= 8


def test_validate_directory_never_stops_at_first_broken_file(tmp_path: Path) -> None:
    (tmp_path / "Bad.json").write_text("{ not json", encoding="utf-8")
    write(
        tmp_path / "Good.json",
        {
            "name": "Good",
            "terms": {"Terms of Service": {"fetch": "https://good.example", "select": "main"}},
        },
    )
    write(tmp_path / "Lonely.history.json", {})
    services, problems = validate_directory(tmp_path)
    assert {s.name for s in services} == {"Bad", "Good"}
    bad = [p for p in problems if p.path.endswith("Bad.json")]
    assert bad and "invalid JSON" in bad[0].reason and "line 1" in bad[0].reason
    assert any("history file without" in p.reason for p in problems)


def test_history_entry_without_valid_until(tmp_path: Path) -> None:
    write(tmp_path / "H.json", {"name": "H", "terms": {"T": {"fetch": "https://h.example"}}})
    write(tmp_path / "H.history.json", {"T": [{"fetch": "https://h.example/old"}]})
    with pytest.raises(DeclarationError, match="validUntil"):
        load_service(tmp_path / "H.json")


def test_real_declarations_load_or_report(shared_data: Path) -> None:
    total = 0
    for folder in sorted((shared_data / "ota").glob("*/declarations")):
        services, problems = validate_directory(folder)
        total += len(services)
        for p in problems:
            assert p.path.startswith(str(folder)) and p.reason
        broken = {p.path for p in problems if p.severity == "error"}
        for service in services:
            if str(service.path) not in broken:
                assert service.terms, service.path
                for terms in service.terms.values():
                    assert terms.location.startswith("http")
    assert total >= 230


def test_real_history_lookup(shared_data: Path) -> None:
    when = datetime(2021, 6, 1, tzinfo=UTC)
    service = load_service(shared_data / "ota/dating/declarations/Badoo.json", strict=False)
    for terms_type in service.history:
        assert service.terms_at(terms_type, when).sources
