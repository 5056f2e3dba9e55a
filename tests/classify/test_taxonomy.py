from __future__ import annotations

import json
from pathlib import Path

import pytest

from clausewatch.classify.taxonomy import (
    SEVERITIES,
    TaxonomyError,
    load_taxonomy,
    load_taxonomy_file,
)

REQUIRED = {
    "ai_training_on_user_content",
    "ai_training_opt_out",
    "ai_output_ownership",
    "ai_no_training_commitment",
    "ai_output_use_restriction",
    "ai_human_review",
    "ai_automated_decisions",
    "data_sharing_third_parties",
    "data_sale",
    "targeted_advertising",
    "data_retention",
    "data_deletion_right",
    "international_transfers",
    "law_enforcement_access",
    "children_data",
    "binding_arbitration",
    "class_action_waiver",
    "jury_trial_waiver",
    "arbitration_opt_out",
    "jurisdiction",
    "choice_of_law",
    "shortened_claim_period",
    "limitation_of_liability",
    "warranty_disclaimer",
    "indemnification",
    "content_license",
    "content_removal",
    "feedback_rights",
    "unilateral_change_with_notice",
    "unilateral_change_without_notice",
    "termination_suspension",
    "contract_by_using",
    "auto_renewal",
    "refunds",
}


def test_taxonomy_covers_the_issue() -> None:
    taxonomy = load_taxonomy()
    ids = {t.id for t in taxonomy.types}
    assert len(ids) >= 40
    assert len({t.category for t in taxonomy.types}) >= 8
    assert ids >= REQUIRED
    for t in taxonomy.types:
        assert t.definition and t.severity in SEVERITIES
        assert t.cues, f"{t.id} has no cue"


def test_every_claudette_label_has_a_type() -> None:
    mapped = {key for t in load_taxonomy().types for key in t.claudette}
    assert mapped == {
        "arbitration",
        "unilateral_change",
        "content_removal",
        "jurisdiction",
        "choice_of_law",
        "limitation_of_liability",
        "unilateral_termination",
        "contract_by_using",
    }


def test_opt_out_lowers_and_carve_out_raises() -> None:
    training = load_taxonomy().by_id()["ai_training_on_user_content"]
    assert any(p.search("unless you opt out of training") for p in training.lower_when)
    assert any(p.search("even if you opt out we will use") for p in training.raise_when)


def test_tosdr_case_titles_exist_in_the_data(shared_data: Path) -> None:
    cases = set()
    with (shared_data / "tosdr" / "points.jsonl").open() as handle:
        for line in handle:
            cases.add(json.loads(line)["case"].strip())
    missing = [c for c in load_taxonomy().by_tosdr_case() if c not in cases]
    assert missing == []


def test_bad_regex_names_the_type(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        "  - {id: broken, name: B, category: x, definition: d, severity: low, cues: ['(']}\n"
    )
    with pytest.raises(TaxonomyError, match="broken"):
        load_taxonomy_file(path)


def test_unknown_category_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        "  - {id: t, name: T, category: y, definition: d, severity: low}\n"
    )
    with pytest.raises(TaxonomyError, match="unknown category"):
        load_taxonomy_file(path)


def test_global_inline_flag_is_refused_on_load(tmp_path: Path) -> None:
    # "(?i)" compiles alone but breaks the per-type alternation the cue scan builds.
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        "  - {id: flagged, name: F, category: x, definition: d, severity: low,\n"
        "     cues: ['\\bfine\\b', '(?i)\\bshouting\\b']}\n"
    )
    with pytest.raises(TaxonomyError, match="cannot be combined") as caught:
        load_taxonomy_file(path)
    assert "flagged" in str(caught.value)
    assert "(?i:...)" in str(caught.value)


def test_scoped_inline_flag_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        "  - {id: scoped, name: S, category: x, definition: d, severity: low,\n"
        "     cues: ['\\bfine\\b', '(?i:\\bshouting\\b)']}\n"
    )
    taxonomy = load_taxonomy_file(path)
    assert [p.pattern for p in taxonomy.types[0].cues][1] == "(?i:\\bshouting\\b)"
