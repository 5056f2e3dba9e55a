"""One test per edit kind: the change set names the change and judges its materiality."""

from __future__ import annotations

import json

from clausewatch.provisions.align import align
from clausewatch.provisions.diff import ChangeSetData, diff_versions
from clausewatch.provisions.segment import segment


def _only(data: ChangeSetData, kind: str) -> None:
    kinds = {k: n for k, n in data.counts.items() if n and k != "unchanged"}
    assert set(kinds) == {kind}, kinds


def test_identical_versions_have_no_change(terms: str) -> None:
    data = diff_versions(terms, terms)
    assert data.changes == ()
    assert data.materiality == "none"
    assert data.counts["unchanged"] == len(segment(terms))


def test_typo_is_a_cosmetic_modification(terms: str) -> None:
    data = diff_versions(terms, terms.replace("confidential", "confidnetial"))
    _only(data, "modified")
    (change,) = data.changes
    assert change.materiality == "cosmetic"
    assert "password" in (change.new_text or "")
    assert ["-", "confidential."] in change.to_json()["word_diff"]


def test_punctuation_case_and_date_stamp_are_cosmetic(terms: str) -> None:
    edited = terms.replace("Last updated: March 3, 2024", "Last updated: June 9, 2025")
    edited = edited.replace("Welcome to Example.", "Welcome to EXAMPLE!")
    data = diff_versions(terms, edited)
    assert data.counts["modified"] == 2
    assert data.materiality == "cosmetic"


def test_reword_is_substantive(terms: str) -> None:
    edited = terms.replace("from the settings page", "by writing to our support team")
    data = diff_versions(terms, edited)
    _only(data, "modified")
    assert data.changes[0].materiality in ("substantive", "rights_affecting")


def test_shortened_notice_period_is_rights_affecting(terms: str) -> None:
    data = diff_versions(terms, terms.replace("at least 30 days", "at least 7 days"))
    (change,) = data.changes
    assert change.materiality == "rights_affecting"
    assert "period shortened from 30 to 7 days" in change.reasons
    assert data.materiality == "rights_affecting"


def test_new_carve_out_is_rights_affecting(terms: str) -> None:
    old = "We may suspend your account if you break these terms, after giving you notice."
    new = "We may suspend your account even if you did not break these terms, without notice."
    data = diff_versions(terms, terms.replace(old, new))
    (change,) = data.changes
    assert change.materiality == "rights_affecting"
    assert 'adds "even if"' in change.reasons
    assert 'adds "without notice"' in change.reasons
    assert "Rights-affecting" in data.summary


def test_inserted_clause_is_added(terms: str) -> None:
    clause = "All disputes will be resolved by binding arbitration on an individual basis."
    edited = terms.replace("4.2 You may", f"4.3 {clause}\n\n4.2 You may")
    data = diff_versions(terms, edited)
    _only(data, "added")
    (change,) = data.changes
    assert change.new_text == clause
    assert change.new[0].label == "4.3"
    assert change.materiality == "rights_affecting"


def test_deleted_clause_is_removed(terms: str) -> None:
    edited = terms.replace("You are responsible for keeping your password confidential.\n\n", "")
    data = diff_versions(terms, edited)
    _only(data, "removed")
    assert data.changes[0].old_text == "You are responsible for keeping your password confidential."
    assert data.materiality != "cosmetic"


def test_moved_section_keeps_its_provisions(terms: str) -> None:
    start = terms.index("3\\. Termination")
    end = terms.index("4\\. Disputes")
    section = terms[start:end]
    edited = terms[:start] + terms[end:] + "\n" + section
    data = diff_versions(terms, edited)
    _only(data, "moved")
    assert data.counts["moved"] == 2
    assert {c.materiality for c in data.changes} == {"cosmetic"}


def test_split_provision(terms: str) -> None:
    old = "Welcome to Example. These terms govern your use of the Example app and website."
    new = "Welcome to Example.\n\nThese terms govern your use of the Example app and website."
    data = diff_versions(terms, terms.replace(old, new))
    _only(data, "split")
    (change,) = data.changes
    assert len(change.old) == 1 and len(change.new) == 2
    assert change.materiality == "cosmetic"


def test_merged_provisions(terms: str) -> None:
    old = "Do not share your account with anyone else.\n*   Do not create more than one account."
    new = "Do not share your account with anyone else, and do not create more than one account."
    data = diff_versions(terms, terms.replace(old, new))
    _only(data, "merged")
    (change,) = data.changes
    assert len(change.old) == 2 and len(change.new) == 1


def test_renumbered_clauses_are_cosmetic(terms: str) -> None:
    edited = terms.replace("4.1 These", "5.1 These").replace("4.2 You", "5.2 You")
    data = diff_versions(terms, edited)
    _only(data, "renumbered")
    assert data.counts["renumbered"] == 2
    assert data.materiality == "cosmetic"


def test_renumbered_cross_reference_is_cosmetic() -> None:
    old = "You may opt out as described in Section 13 below.\n"
    new = "You may opt out as described in Section 14 below.\n"
    data = diff_versions(old, new)
    assert data.materiality == "cosmetic"


def test_alignment_covers_every_provision_once(terms: str) -> None:
    old = segment(terms)
    new = segment(terms.replace("4.1 These", "4.0 Those") + "\nA new closing line.\n")
    result = align(old, new)
    olds = sorted([i for m in result.matches for i in m.old] + list(result.removed))
    news = sorted([j for m in result.matches for j in m.new] + list(result.added))
    assert olds == list(range(len(old)))
    assert news == list(range(len(new)))


def test_change_set_is_json_serialisable(terms: str) -> None:
    data = diff_versions(terms, terms.replace("Ireland", "Delaware"))
    payload = json.loads(json.dumps(data.to_json()))
    assert payload["counts"]["modified"] == 1
    assert payload["changes"][0]["new"][0]["label"] == "4.1"
    assert payload["summary"] == data.summary


def test_classifier_port_adds_labels_and_escalates(terms: str) -> None:
    seen: list[str] = []

    def classify(texts: object) -> list[dict[str, object]]:
        out = []
        for text in texts:  # type: ignore[attr-defined]
            seen.append(text)
            unfair = "Delaware" in text
            out.append(
                {
                    "types": ["law"] if unfair else [],
                    "severity": 2 if unfair else 0,
                    "claudette": {},
                }
            )
        return out

    data = diff_versions(terms, terms.replace("Ireland", "Delaware"), classify=classify)
    (change,) = data.changes
    assert change.materiality == "rights_affecting"
    assert change.to_json()["types_after"] == ["law"]
    assert change.to_json()["types_before"] == []
    assert any("Delaware" in t for t in seen)
