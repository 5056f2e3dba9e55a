"""Cue phrases of other languages (analysis/knowledge/cues/<language>.yaml): loading, its
errors, and the case tables in tests/classify/cue_cases/<language>.yaml, written by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from clausewatch.classify.cues import (
    all_cues,
    all_cues_batch,
    normalize_with_offsets,
    severity_shift,
)
from clausewatch.classify.taxonomy import (
    ENGLISH_NEGATION,
    TaxonomyError,
    load_taxonomy,
    load_taxonomy_file,
)

CASES = Path(__file__).parent / "cue_cases"
BASE = (
    "categories: {x: X}\n"
    "types:\n"
    "  - {id: forum, name: F, category: x, definition: d, severity: low, cues: ['\\bcourts\\b']}\n"
    "  - {id: law, name: L, category: x, definition: d, severity: low}\n"
)


def _taxonomy_with(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "types.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "cues").mkdir()
    for name, text in files.items():
        (tmp_path / "cues" / name).write_text(text, encoding="utf-8")
    return tmp_path / "types.yaml"


GOOD_DE = (
    "language: de\n"
    "negation: '\\b(nicht|kein\\w*)\\s(\\w+\\s){0,3}$'\n"
    "types:\n"
    "  forum: {cues: ['\\bgerichtsstand\\b'], raise: ['\\bausschlie\\w*\\b']}\n"
)


def test_a_language_file_gives_that_language_its_own_cues(tmp_path: Path) -> None:
    taxonomy = load_taxonomy_file(_taxonomy_with(tmp_path, {"de.yaml": GOOD_DE}))
    assert taxonomy.languages == ("en", "de")
    german = taxonomy.for_language("de")
    assert german.language == "de"
    assert german is taxonomy.for_language("de")  # built once
    assert taxonomy.for_language("en") is taxonomy
    forum = german.by_id()["forum"]
    assert [p.pattern for p in forum.cues] == [r"\bgerichtsstand\b"]
    assert german.by_id()["law"].cues == ()
    text = normalize_with_offsets("Gerichtsstand ist ausschließlich München.")
    assert [m.type_id for m in all_cues(text, german)] == ["forum"]
    assert [m.span for m in all_cues(text, german)] == [(0, 13)]
    assert all_cues(text, taxonomy) == []  # the English cues do not read German
    assert severity_shift(text.text, forum) == 1
    # The language's negation drops a negated cue; the English one would not have.
    negated = normalize_with_offsets("Es gibt keinen Gerichtsstand in Berlin.")
    assert all_cues(negated, german) == []
    assert german.cue_digest() != taxonomy.cue_digest()


def test_a_language_without_a_file_gets_no_cues(tmp_path: Path) -> None:
    taxonomy = load_taxonomy_file(_taxonomy_with(tmp_path, {"de.yaml": GOOD_DE}))
    french = taxonomy.for_language("fr")
    assert all(not t.cues and not t.raise_when and not t.lower_when for t in french.types)
    assert french.negation is ENGLISH_NEGATION
    assert all_cues(normalize_with_offsets("the courts of Paris"), french) == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("de.yaml", GOOD_DE.replace("forum:", "nowhere:"), "de.yaml: nowhere: no such type"),
        ("de.yaml", GOOD_DE.replace("gerichtsstand", "(gericht"), "de.yaml: forum: bad regular"),
        ("de.yaml", GOOD_DE.replace("raise:", "rise:"), "unexpected keys \\['rise'\\]"),
        ("it.yaml", GOOD_DE, "holds language 'de'; name it de.yaml"),
        ("de.yaml", GOOD_DE.replace("language: de", "language: German"), "ISO 639"),
        ("en.yaml", GOOD_DE.replace("language: de", "language: en"), "own language"),
        ("de.yaml", "language: de\ntypes: {}\n", "'negation' must be"),
        ("de.yaml", GOOD_DE.replace("(nicht", "((nicht"), "negation: bad regular"),
        ("de.yaml", "language: de\nnegation: x\ntypes: [a]\n", "'types' must map"),
        ("de.yaml", "- just a list\n", "expected a mapping"),
        ("de.yaml", "language: de\n  negation: [\n", "bad YAML"),
        ("de.yaml", GOOD_DE.replace("{cues:", "{cues: '(?i)x', c:"), "unexpected keys"),
    ],
)
def test_a_broken_language_file_is_refused_with_its_place(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy_file(_taxonomy_with(tmp_path, {name: text}))


def test_an_unreadable_cue_folder_names_it(tmp_path: Path) -> None:
    (tmp_path / "types.yaml").write_text(BASE, encoding="utf-8")
    with pytest.raises(TaxonomyError, match="missing"):
        load_taxonomy_file(tmp_path / "types.yaml", cue_dir=tmp_path / "missing")


def test_the_base_taxonomy_states_its_language_and_negation() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.language == "en"
    assert taxonomy.negation.pattern == ENGLISH_NEGATION.pattern


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append((path.stem, case))
    return out


def test_every_shipped_language_has_a_case_table() -> None:
    languages = load_taxonomy().languages[1:]
    assert {p.stem for p in CASES.glob("*.yaml")} == set(languages)
    for language in languages:
        covered = {t.id for t in load_taxonomy().for_language(language).types if t.cues}
        tested = {
            type_id
            for lang, case in _cases()
            if lang == language
            for type_id in case.get("explicit", [])
        }
        assert covered <= tested, f"{language}: types with cues but no positive case"


@pytest.mark.parametrize(("language", "case"), _cases(), ids=lambda v: str(v)[:60])
def test_language_cues_fire_on_the_provision_not_on_the_same_words_elsewhere(
    language: str, case: dict[str, Any]
) -> None:
    taxonomy = load_taxonomy().for_language(language)
    text = normalize_with_offsets(case["text"])
    found = {m.type_id: m for m in all_cues(text, taxonomy)}
    for type_id in case.get("explicit", []):
        assert type_id in found, f"{type_id} should be explicit"
        a, b = found[type_id].span
        assert 0 <= a < b <= len(case["text"])
    for type_id in case.get("not", []):
        assert type_id not in found, f"{type_id} should not fire on {found[type_id].span}"
    by_id = taxonomy.by_id()
    for type_id, want in (case.get("shift") or {}).items():
        assert severity_shift(text.text, by_id[type_id]) == want, type_id


def test_the_prefilter_keeps_every_language_match() -> None:
    # all_cues_batch skips regexes by the literal words they need; on letters such as
    # ß, ł or à it must find exactly what the plain scan finds.
    for language in load_taxonomy().languages[1:]:
        taxonomy = load_taxonomy().for_language(language)
        texts = [normalize_with_offsets(c["text"]) for lang, c in _cases() if lang == language]
        assert texts
        assert all_cues_batch(texts, taxonomy) == [all_cues(t, taxonomy) for t in texts]
